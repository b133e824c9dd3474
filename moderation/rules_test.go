package moderation_test

import (
	"context"
	"errors"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/moderation"
)

func TestParseRulesExample(t *testing.T) {
	f, err := os.Open("testdata/rules.yaml")
	require.NoError(t, err)
	defer f.Close()
	rs, err := moderation.ParseRules(f, "rules.yaml")
	require.NoError(t, err)
	require.Len(t, rs.Rules, 5)
	require.Equal(t, "trusted-partners", rs.Rules[0].Name)

	now := time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{Rules: rs, NoClassifier: true})
	require.NoError(t, err)
	tests := []struct {
		name   string
		item   moderation.Item
		action moderation.Action
		rule   string
	}{
		{"new account crypto", moderation.Item{Text: "Invest with me in Bitcoin today", CreatedAt: now, Author: moderation.Author{CreatedAt: now.Add(-48 * time.Hour)}}, moderation.Delete, "crypto-from-new-accounts"},
		{"old account crypto is not the rule", moderation.Item{Text: "I sold my bitcoin last year", CreatedAt: now, Author: moderation.Author{CreatedAt: now.AddDate(-2, 0, 0)}}, moderation.Allow, ""},
		{"trusted partner", moderation.Item{Text: "Ferme-la connard", Author: moderation.Author{Trust: moderation.TrustHigh}}, moderation.Allow, "trusted-partners"},
		{"competitor", moderation.Item{Text: "better at https://shop.competitor.example/deal"}, moderation.Hold, "competitor-links"},
		{"whatsapp on instagram", moderation.Item{Text: "WhatsApp me +44 7700 900123", Network: "instagram"}, moderation.Hide, "whatsapp-numbers"},
		{"whatsapp elsewhere", moderation.Item{Text: "WhatsApp me +44 7700 900123 for the support team", Network: "instagram"}, moderation.Hold, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := p.Moderate(context.Background(), &tt.item)
			require.NoError(t, err)
			require.Equal(t, tt.action, d.Action, d.Explanation)
			if tt.rule != "" {
				require.Contains(t, d.Explanation, "rules/"+tt.rule)
			}
		})
	}
}

func TestParseRulesErrors(t *testing.T) {
	tests := []struct {
		name, src string
		line      int
		msg       string
	}{
		{"typo", "rules:\n  - name: a\n    words: [x]\n    acton: hide\n", 4, "unknown field 'acton' (did you mean 'action'?)"},
		{"bad action", "rules:\n  - name: a\n    words: [x]\n    action: remove\n", 4, "unknown action 'remove'"},
		{"bad category", "rules:\n  - name: a\n    words: [x]\n    category: spma\n", 4, "did you mean 'spam'?"},
		{"bad regex", "rules:\n  - name: a\n    regex: '(a'\n    action: hold\n", 3, "regex: missing closing )"},
		{"lookbehind is not RE2", "rules:\n  - name: a\n    regex: '(?<=a)b'\n    action: hold\n", 3, "regex:"},
		{"no condition", "rules:\n  - name: a\n    action: hold\n", 2, "has no condition"},
		{"no action nor category", "rules:\n  - name: a\n    words: [x]\n", 2, "needs an action or a category"},
		{"duplicate name", "rules:\n  - name: a\n    words: [x]\n    action: hold\n  - name: a\n    words: [y]\n    action: hold\n", 5, "duplicate rule name"},
		{"score range", "rules:\n  - name: a\n    words: [x]\n    category: spam\n    score: 2\n", 5, "want a number from 0 to 1"},
		{"duration", "rules:\n  - name: a\n    action: hold\n    author:\n      account_age_under: soon\n", 5, "want a duration"},
		{"author field", "rules:\n  - name: a\n    action: hold\n    author:\n      folowers_under: 3\n", 5, "did you mean 'followers_under'?"},
		{"syntax", "rules:\n  - name: a\n    words: [x\n", 2, "syntax"},
		{"not a list", "rules: 3\n", 1, "'rules' must be a list"},
		{"missing rules", "version: 1\n", 1, "missing 'rules'"},
		{"empty", "", 1, "empty rules file"},
		{"json", `{"rules": [{"name": "a", "words": ["x"], "actoin": "hold"}]}`, 1, "did you mean 'action'?"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := moderation.ParseRules(strings.NewReader(tt.src), "rules.yaml")
			require.Error(t, err)
			var re *moderation.RuleError
			require.True(t, errors.As(err, &re), "%v", err)
			require.Equal(t, tt.line, re.Line, "%v", err)
			require.Contains(t, err.Error(), tt.msg)
			require.True(t, strings.HasPrefix(err.Error(), "rules.yaml:"), err.Error())
		})
	}
}

func TestParseRulesJSON(t *testing.T) {
	rs, err := moderation.ParseRules(strings.NewReader(`{"rules": [{"name": "no-links", "action": "hold", "counts": {"links_at_least": 1}}]}`), "rules.json")
	require.NoError(t, err)
	d, err := rs.Evaluate(context.Background(), &moderation.Item{Text: "see example.com"})
	require.NoError(t, err)
	require.Len(t, d.Labels, 1)
	require.Equal(t, moderation.Hold, d.Labels[0].Action)
	require.True(t, d.Labels[0].Forced)
}

func FuzzParseRules(f *testing.F) {
	b, err := os.ReadFile("testdata/rules.yaml")
	require.NoError(f, err)
	f.Add(string(b))
	f.Add("rules:\n  - name: a\n    acton: hide\n")
	f.Add(`{"rules": [{"name": "x", "regex": "(a"}]}`)
	f.Add("rules: &a [*a]\n")
	f.Add("rules:\n- {name: a, words: ['*'], action: hold}\n")
	f.Fuzz(func(t *testing.T, src string) {
		rs, err := moderation.ParseRules(strings.NewReader(src), "f.yaml")
		if err != nil {
			var re *moderation.RuleError
			if !errors.As(err, &re) || re.Line < 1 {
				t.Fatalf("error without a line: %v", err)
			}
			return
		}
		if _, err := rs.Evaluate(context.Background(), &moderation.Item{Text: "hello world http://x.com @a"}); err != nil {
			t.Fatal(err)
		}
	})
}
