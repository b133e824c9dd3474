package moderation

import (
	"context"
	"errors"
	"fmt"
	"hash/maphash"
	"io"
	"math"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"time"

	"unicode/utf8"

	"go.yaml.in/yaml/v3"
)

// maxRulesSize bounds a rules file.
const maxRulesSize = 1 << 20

// RuleError is a problem in a rules file, at a line.
type RuleError struct {
	File   string
	Line   int
	Column int
	Msg    string
}

// Error returns "file:line: msg".
func (e *RuleError) Error() string { return e.File + ":" + strconv.Itoa(e.Line) + ": " + e.Msg }

// Rule is one declarative rule. See the package documentation, section
// Rules, for the file format.
type Rule struct {
	Name     string
	Priority int
	// Action is the action the rule imposes when HasAction; otherwise the
	// rule only records a score for the policy.
	Action    Action
	HasAction bool
	Category  Category
	Score     float64
	Reason    string
	Line      int

	Words, NotWords []string
	Regex           []*regexp.Regexp
	LinkDomains     []string
	Networks        []string
	Languages       []string

	AccountAgeUnder, AccountAgeOver        time.Duration
	FollowersUnder, FollowersAtLeast       int64
	Trust                                  []Trust
	PriorRemovalsAtLeast                   int
	LinksAtLeast, MentionsAtLeast          int
	HashtagsAtLeast, EmojisAtLeast         int
	LengthAtLeast, LengthUnder             int
	CapsRatioAtLeast                       float64
	hasFollowersUnder, hasFollowersAtLeast bool
}

// RuleSet is a parsed rules file; it is a Stage, safe for concurrent use.
type RuleSet struct {
	// Rules in priority order, highest first, then file order.
	Rules []*Rule
	v     *vocab
	now   func() time.Time
}

const (
	fieldWords = iota
	fieldNotWords
	numFields
)

var ruleFields = []string{"name", "description", "priority", "action", "category", "score", "reason", "words", "phrases",
	"not_words", "regex", "link_domains", "networks", "languages", "author", "counts", "enabled"}
var authorFields = []string{"account_age_under", "account_age_over", "followers_under", "followers_at_least", "trust",
	"prior_removals_at_least"}
var countFields = []string{"links_at_least", "mentions_at_least", "hashtags_at_least", "emojis_at_least",
	"caps_ratio_at_least", "length_at_least", "length_under"}

// ParseRules reads a rules file in YAML (or JSON, a subset of YAML) and
// validates it. Errors are *RuleError values, joined when there are
// several, each naming the file and line: "rules.yaml:12: unknown field
// 'acton' (did you mean 'action'?)".
func ParseRules(r io.Reader, filename string) (*RuleSet, error) {
	data, err := io.ReadAll(io.LimitReader(r, maxRulesSize+1))
	if err != nil {
		return nil, &RuleError{File: filename, Line: 1, Msg: "read: " + err.Error()}
	}
	if len(data) > maxRulesSize {
		return nil, &RuleError{File: filename, Line: 1, Msg: "file larger than 1 MiB"}
	}
	p := &ruleParser{file: filename}
	var doc yaml.Node
	if err := safeUnmarshal(data, &doc); err != nil {
		return nil, p.yamlError(err)
	}
	rs := &RuleSet{now: time.Now}
	if doc.Kind == 0 || len(doc.Content) == 0 {
		return nil, &RuleError{File: filename, Line: 1, Msg: "empty rules file: want a mapping with 'rules'"}
	}
	root := doc.Content[0]
	if root.Kind != yaml.MappingNode {
		return nil, p.errf(root, "want a mapping with 'rules' at the top")
	}
	var rules *yaml.Node
	p.fields(root, []string{"rules", "version"}, func(k, v *yaml.Node) {
		switch k.Value {
		case "rules":
			rules = v
		case "version":
			if n, ok := p.int(v); ok && n != 1 {
				p.errf(v, "unsupported version %d (want 1)", n)
			}
		}
	})
	if rules == nil && len(p.errs) == 0 {
		p.errf(root, "missing 'rules'")
	}
	if rules != nil && rules.Kind != yaml.SequenceNode {
		p.errf(rules, "'rules' must be a list")
		rules = nil
	}
	names := map[string]int{}
	if rules != nil {
		for _, n := range rules.Content {
			if rule := p.rule(n); rule != nil {
				if prev, ok := names[rule.Name]; ok {
					p.errf(n, "duplicate rule name %q (first at line %d)", rule.Name, prev)
					continue
				}
				names[rule.Name] = rule.Line
				rs.Rules = append(rs.Rules, rule)
			}
		}
	}
	if len(p.errs) > 0 {
		return nil, errors.Join(p.errs...)
	}
	sort.SliceStable(rs.Rules, func(i, j int) bool { return rs.Rules[i].Priority > rs.Rules[j].Priority })
	rs.v = &vocab{exact: map[string][]int32{}, stems: map[string][]int32{}, squeezed: map[string][]int32{}, allow: map[string]bool{}, seed: maphash.MakeSeed()}
	for ri, rule := range rs.Rules {
		for _, w := range rule.Words {
			rs.v.add(w, tagLex, int32(ri*numFields+fieldWords), "", false)
		}
		for _, w := range rule.NotWords {
			rs.v.add(w, tagLex, int32(ri*numFields+fieldNotWords), "", false)
		}
	}
	return rs, nil
}

// safeUnmarshal turns a panic of the YAML decoder into an error.
func safeUnmarshal(data []byte, n *yaml.Node) (err error) {
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("yaml: %v", r)
		}
	}()
	return yaml.Unmarshal(data, n)
}

type ruleParser struct {
	file string
	errs []error
}

var yamlLine = regexp.MustCompile(`line (\d+)`)

func (p *ruleParser) yamlError(err error) error {
	msg := strings.TrimPrefix(err.Error(), "yaml: ")
	line := 1
	if m := yamlLine.FindStringSubmatch(msg); m != nil {
		if n, e := strconv.Atoi(m[1]); e == nil && n > 0 {
			line = n
		}
		msg = strings.TrimSpace(strings.Replace(msg, m[0]+":", "", 1))
	}
	return &RuleError{File: p.file, Line: line, Msg: "syntax: " + msg}
}

func (p *ruleParser) errf(n *yaml.Node, format string, args ...any) error {
	line := n.Line
	if line < 1 {
		line = 1
	}
	e := &RuleError{File: p.file, Line: line, Column: n.Column, Msg: fmt.Sprintf(format, args...)}
	p.errs = append(p.errs, e)
	return e
}

// fields walks a mapping, reporting unknown and duplicate keys.
func (p *ruleParser) fields(m *yaml.Node, known []string, f func(k, v *yaml.Node)) {
	seen := map[string]bool{}
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, v := m.Content[i], m.Content[i+1]
		if k.Kind != yaml.ScalarNode {
			p.errf(k, "field names must be plain strings")
			continue
		}
		if v.Kind == yaml.AliasNode || k.Kind == yaml.AliasNode {
			p.errf(v, "aliases are not supported")
			continue
		}
		if !contains(known, k.Value) {
			if s := suggest(k.Value, known); s != "" {
				p.errf(k, "unknown field '%s' (did you mean '%s'?)", k.Value, s)
			} else {
				p.errf(k, "unknown field '%s' (known: %s)", k.Value, strings.Join(known, ", "))
			}
			continue
		}
		if seen[k.Value] {
			p.errf(k, "duplicate field '%s'", k.Value)
			continue
		}
		seen[k.Value] = true
		f(k, v)
	}
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// suggest returns the known name closest to s within two edits.
func suggest(s string, known []string) string {
	best, bd := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(s), k); d < bd {
			best, bd = k, d
		}
	}
	return best
}

func (p *ruleParser) str(n *yaml.Node) (string, bool) {
	if n.Kind != yaml.ScalarNode || n.Tag == "!!null" {
		p.errf(n, "want a string")
		return "", false
	}
	return n.Value, true
}

func (p *ruleParser) strs(n *yaml.Node) []string {
	switch n.Kind {
	case yaml.ScalarNode:
		if s, ok := p.str(n); ok {
			return []string{s}
		}
	case yaml.SequenceNode:
		var out []string
		for _, c := range n.Content {
			if s, ok := p.str(c); ok {
				out = append(out, s)
			}
		}
		if len(out) == 0 && len(n.Content) == 0 {
			p.errf(n, "empty list")
		}
		return out
	default:
		p.errf(n, "want a string or a list of strings")
	}
	return nil
}

func (p *ruleParser) int(n *yaml.Node) (int64, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "want a whole number")
		return 0, false
	}
	v, err := strconv.ParseInt(strings.ReplaceAll(n.Value, "_", ""), 10, 64)
	if err != nil || v < 0 || v > 1<<40 {
		p.errf(n, "want a whole number from 0, got %q", n.Value)
		return 0, false
	}
	return v, true
}

func (p *ruleParser) float(n *yaml.Node, lo, hi float64) (float64, bool) {
	if n.Kind != yaml.ScalarNode {
		p.errf(n, "want a number")
		return 0, false
	}
	v, err := strconv.ParseFloat(n.Value, 64)
	if err != nil || math.IsNaN(v) || v < lo || v > hi {
		p.errf(n, "want a number from %g to %g, got %q", lo, hi, n.Value)
		return 0, false
	}
	return v, true
}

// duration parses Go durations plus days ("7d") and weeks ("2w").
func (p *ruleParser) duration(n *yaml.Node) (time.Duration, bool) {
	s, ok := p.str(n)
	if !ok {
		return 0, false
	}
	s = strings.TrimSpace(s)
	mult := time.Duration(0)
	switch {
	case strings.HasSuffix(s, "d"):
		mult = 24 * time.Hour
	case strings.HasSuffix(s, "w"):
		mult = 7 * 24 * time.Hour
	}
	if mult > 0 {
		v, err := strconv.ParseFloat(s[:len(s)-1], 64)
		if err != nil || v < 0 || v > 36500 {
			p.errf(n, "want a duration such as 90s, 48h, 7d or 2w, got %q", s)
			return 0, false
		}
		return time.Duration(v * float64(mult)), true
	}
	d, err := time.ParseDuration(s)
	if err != nil || d < 0 {
		p.errf(n, "want a duration such as 90s, 48h, 7d or 2w, got %q", s)
		return 0, false
	}
	return d, true
}

func (p *ruleParser) rule(n *yaml.Node) *Rule {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "each rule must be a mapping")
		return nil
	}
	before := len(p.errs)
	r := &Rule{Line: n.Line, Score: -1}
	conditions := 0
	enabled := true
	p.fields(n, ruleFields, func(k, v *yaml.Node) {
		switch k.Value {
		case "name":
			if s, ok := p.str(v); ok {
				if s == "" {
					p.errf(v, "empty name")
				}
				r.Name = s
			}
		case "description":
			p.str(v)
		case "enabled":
			if v.Value != "true" && v.Value != "false" {
				p.errf(v, "want true or false")
			}
			enabled = v.Value != "false"
		case "priority":
			if v.Kind == yaml.ScalarNode && strings.HasPrefix(v.Value, "-") {
				if x, err := strconv.Atoi(v.Value); err == nil && x >= -1000 {
					r.Priority = x
					return
				}
			}
			if x, ok := p.int(v); ok {
				if x > 1000 {
					p.errf(v, "priority must be between -1000 and 1000")
				}
				r.Priority = int(x)
			}
		case "action":
			if s, ok := p.str(v); ok {
				a, ok := ParseAction(strings.ToLower(s))
				if !ok {
					p.errf(v, "unknown action '%s' (want allow, hold, hide or delete)", s)
				}
				r.Action, r.HasAction = a, true
			}
		case "category":
			if s, ok := p.str(v); ok {
				c, ok := ParseCategory(strings.ToLower(s))
				if !ok {
					msg := "unknown category '" + s + "' (want spam, scam, toxic, hate, threat, sexual, personal_data or none)"
					if g := suggest(s, categoryNames[:]); g != "" {
						msg = "unknown category '" + s + "' (did you mean '" + g + "'?)"
					}
					p.errf(v, "%s", msg)
				}
				r.Category = c
			}
		case "score":
			if f, ok := p.float(v, 0, 1); ok {
				r.Score = f
			}
		case "reason":
			if s, ok := p.str(v); ok {
				r.Reason = s
			}
		case "words", "phrases", "not_words":
			for _, w := range p.strs(v) {
				words := parsePhrase(strings.TrimPrefix(w, "!"))
				if len(words) == 0 || words[0].any {
					p.errf(v, "%s entry %q has no letters to match", k.Value, w)
					continue
				}
				if k.Value == "not_words" {
					r.NotWords = append(r.NotWords, w)
				} else {
					r.Words = append(r.Words, w)
					conditions++
				}
			}
		case "regex":
			for i, s := range p.strs(v) {
				at := v
				if v.Kind == yaml.SequenceNode && i < len(v.Content) {
					at = v.Content[i]
				}
				if len(s) > 1000 {
					p.errf(at, "regex longer than 1000 bytes")
					continue
				}
				re, err := regexp.Compile(s)
				if err != nil {
					p.errf(at, "regex: %s", strings.TrimPrefix(err.Error(), "error parsing regexp: "))
					continue
				}
				r.Regex = append(r.Regex, re)
				conditions++
			}
		case "link_domains":
			for _, d := range p.strs(v) {
				if h := hostOfURL(strings.TrimSpace(d)); h != "" {
					r.LinkDomains = append(r.LinkDomains, h)
					conditions++
				} else {
					p.errf(v, "empty domain")
				}
			}
		case "networks":
			for _, s := range p.strs(v) {
				r.Networks = append(r.Networks, strings.ToLower(s))
			}
			conditions++
		case "languages":
			for _, s := range p.strs(v) {
				s = strings.ToLower(s)
				if s != "fr" && s != "en" && s != "und" {
					p.errf(v, "unknown language '%s' (want fr, en or und)", s)
				}
				r.Languages = append(r.Languages, s)
			}
			conditions++
		case "author":
			conditions += p.author(v, r)
		case "counts":
			conditions += p.counts(v, r)
		}
	})
	if r.Name == "" && len(p.errs) == before {
		p.errf(n, "rule without a name")
	}
	if conditions == 0 && len(p.errs) == before {
		p.errf(n, "rule %q has no condition (words, phrases, regex, link_domains, networks, languages, author or counts)", r.Name)
	}
	if !r.HasAction && r.Category == None && len(p.errs) == before {
		p.errf(n, "rule %q needs an action or a category", r.Name)
	}
	if r.HasAction && r.Action != Allow && r.Category == None && r.Score >= 0 && len(p.errs) == before {
		// A score without a category is meaningless; keep the action.
		r.Score = -1
	}
	if r.Score < 0 {
		r.Score = 0.8
		if r.HasAction {
			r.Score = 1
		}
	}
	if len(p.errs) > before || !enabled {
		return nil
	}
	return r
}

func (p *ruleParser) author(n *yaml.Node, r *Rule) int {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "'author' must be a mapping")
		return 0
	}
	c := 0
	p.fields(n, authorFields, func(k, v *yaml.Node) {
		c++
		switch k.Value {
		case "account_age_under":
			r.AccountAgeUnder, _ = p.duration(v)
		case "account_age_over":
			r.AccountAgeOver, _ = p.duration(v)
		case "followers_under":
			r.FollowersUnder, r.hasFollowersUnder = p.int(v)
		case "followers_at_least":
			r.FollowersAtLeast, r.hasFollowersAtLeast = p.int(v)
		case "trust":
			for _, s := range p.strs(v) {
				found := false
				for i, name := range trustNames {
					if strings.EqualFold(s, name) {
						r.Trust = append(r.Trust, Trust(i))
						found = true
					}
				}
				if !found {
					p.errf(v, "unknown trust '%s' (want unknown, low, normal or high)", s)
				}
			}
		case "prior_removals_at_least":
			x, _ := p.int(v)
			r.PriorRemovalsAtLeast = int(x)
		}
	})
	return c
}

func (p *ruleParser) counts(n *yaml.Node, r *Rule) int {
	if n.Kind != yaml.MappingNode {
		p.errf(n, "'counts' must be a mapping")
		return 0
	}
	c := 0
	p.fields(n, countFields, func(k, v *yaml.Node) {
		c++
		if k.Value == "caps_ratio_at_least" {
			r.CapsRatioAtLeast, _ = p.float(v, 0, 1)
			return
		}
		x, _ := p.int(v)
		switch k.Value {
		case "links_at_least":
			r.LinksAtLeast = int(x)
		case "mentions_at_least":
			r.MentionsAtLeast = int(x)
		case "hashtags_at_least":
			r.HashtagsAtLeast = int(x)
		case "emojis_at_least":
			r.EmojisAtLeast = int(x)
		case "length_at_least":
			r.LengthAtLeast = int(x)
		case "length_under":
			r.LengthUnder = int(x)
		}
	})
	return c
}

// Evaluate implements Stage: every matching rule records a label; rules
// with an action force it (the highest priority wins).
func (rs *RuleSet) Evaluate(ctx context.Context, it *Item) (Verdict, error) {
	if len(rs.Rules) == 0 {
		return Verdict{}, nil
	}
	a := analyze(ctx, it)
	var hits []hit
	if len(rs.v.phrases) > 0 {
		hits = rs.v.match(&a.tk, a.lang, nil)
	}
	c := a.counts()
	at := it.CreatedAt
	if at.IsZero() {
		at = rs.now()
	}
	var out []Label
	for ri, r := range rs.Rules {
		match, ok := rs.matches(ri, r, a, hits, c, it, at)
		if !ok {
			continue
		}
		reason := r.Reason
		if reason == "" {
			reason = "rule at line " + strconv.Itoa(r.Line)
		}
		out = append(out, Label{Category: r.Category, Score: r.Score, Rule: r.Name, Match: truncate(match, 60), Reason: reason,
			Forced: r.HasAction, Action: r.Action, Priority: r.Priority})
	}
	return Verdict{Labels: out}, nil
}

func (rs *RuleSet) matches(ri int, r *Rule, a *analysis, hits []hit, c counts, it *Item, at time.Time) (string, bool) {
	match := ""
	if len(r.Words) > 0 {
		found := false
		for _, h := range hits {
			if rs.v.phrases[h.phrase].idx == int32(ri*numFields+fieldWords) {
				found, match = true, a.raw(h.i, h.j)
				break
			}
		}
		if !found {
			return "", false
		}
	}
	for _, h := range hits {
		if rs.v.phrases[h.phrase].idx == int32(ri*numFields+fieldNotWords) {
			return "", false
		}
	}
	if len(r.Regex) > 0 {
		found := false
		for _, re := range r.Regex {
			if loc := re.FindStringIndex(it.Text); loc != nil {
				found = true
				if match == "" {
					match = it.Text[loc[0]:loc[1]]
				}
				break
			}
		}
		if !found {
			return "", false
		}
	}
	if len(r.LinkDomains) > 0 {
		found := false
		check := func(u string) {
			h := hostOfURL(u)
			for _, d := range r.LinkDomains {
				if h == d || strings.HasSuffix(h, "."+d) {
					found = true
					if match == "" {
						match = u
					}
				}
			}
		}
		for _, k := range a.tk.toks {
			if k.kind == URL && !found {
				check(a.tk.raw[k.start:k.end])
			}
		}
		for _, u := range it.Links {
			if !found {
				check(u)
			}
		}
		if !found {
			return "", false
		}
	}
	if len(r.Networks) > 0 && !contains(r.Networks, strings.ToLower(it.Network)) {
		return "", false
	}
	if len(r.Languages) > 0 && !contains(r.Languages, a.lang) {
		return "", false
	}
	au := it.Author
	if r.AccountAgeUnder > 0 && (au.CreatedAt.IsZero() || at.Sub(au.CreatedAt) >= r.AccountAgeUnder) {
		return "", false
	}
	if r.AccountAgeOver > 0 && (au.CreatedAt.IsZero() || at.Sub(au.CreatedAt) <= r.AccountAgeOver) {
		return "", false
	}
	if r.hasFollowersUnder && (au.Followers < 0 || au.Followers >= r.FollowersUnder) {
		return "", false
	}
	if r.hasFollowersAtLeast && au.Followers < r.FollowersAtLeast {
		return "", false
	}
	if len(r.Trust) > 0 {
		ok := false
		for _, t := range r.Trust {
			ok = ok || t == au.Trust
		}
		if !ok {
			return "", false
		}
	}
	if au.PriorRemovals < r.PriorRemovalsAtLeast {
		return "", false
	}
	links := c.links + len(it.Links)
	switch {
	case links < r.LinksAtLeast, c.mentions < r.MentionsAtLeast, c.hashtags < r.HashtagsAtLeast, c.emojis < r.EmojisAtLeast,
		r.CapsRatioAtLeast > 0 && c.capsRatio() < r.CapsRatioAtLeast:
		return "", false
	}
	if n := utf8.RuneCountInString(it.Text); n < r.LengthAtLeast || r.LengthUnder > 0 && n >= r.LengthUnder {
		return "", false
	}
	return match, true
}
