package main

import (
	"context"
	"fmt"
	"io"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/classifier"
	"github.com/cmkit/cmkit/moderation/cmd/internal/devdata"
)

// flagger decides whether a text is flagged, and returns the decision.
type flagger func(ctx context.Context, text, lang string) (bool, moderation.Decision, error)

// newPipelineFlagger returns moderation.NewDefaultPipeline using model m
// (nil: the defaults, that is the embedded model); flagged means an action
// other than Allow.
func newPipelineFlagger(m *classifier.Model) (flagger, error) {
	var opts *moderation.DefaultOptions
	if m != nil {
		opts = &moderation.DefaultOptions{Classifier: m}
	}
	p, err := moderation.NewDefaultPipeline(opts)
	if err != nil {
		return nil, err
	}
	return func(ctx context.Context, text, lang string) (bool, moderation.Decision, error) {
		d, err := p.Moderate(ctx, &moderation.Item{Text: text, Language: lang})
		if err != nil {
			return false, moderation.Decision{}, err
		}
		return d.Action != moderation.Allow, d, nil
	}, nil
}

// listErrors prints the pipeline's held-out false flags and misses on one
// set, grouped by the stage and rule of the strongest label of the
// decision's category ("-" for a miss with no label), for error analysis
// by category rather than by sentence.
func listErrors(ctx context.Context, w io.Writer, set string, rows []devdata.Row, fold []int, pipes []flagger) error {
	t, ok := targetOf(set)
	if !ok {
		return fmt.Errorf("-errors %q: unknown set", set)
	}
	groups := map[string][]string{}
	for i, r := range rows {
		if r.Set != set {
			continue
		}
		flagged, d, err := pipes[fold[i]](ctx, r.Text, r.Lang)
		if err != nil {
			return err
		}
		actual := t.actual(r)
		if flagged == actual {
			continue
		}
		kind := "false flag"
		if actual {
			kind = "miss"
		}
		key := kind + "\t" + decidingRule(d)
		groups[key] = append(groups[key], fmt.Sprintf("%s %s: %s", d.Action, d.Category, oneLine(r.Text, 160)))
	}
	keys := make([]string, 0, len(groups))
	for k := range groups {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(a, b int) bool {
		if len(groups[keys[a]]) != len(groups[keys[b]]) {
			return len(groups[keys[a]]) > len(groups[keys[b]])
		}
		return keys[a] < keys[b]
	})
	fmt.Fprintf(w, "\npipeline held-out errors on %s, by deciding stage/rule:\n", set)
	for _, k := range keys {
		fmt.Fprintf(w, "%5d  %s\n", len(groups[k]), k)
	}
	for _, k := range keys {
		fmt.Fprintf(w, "\n== %s\n", k)
		for _, l := range groups[k] {
			fmt.Fprintf(w, "  %s\n", l)
		}
	}
	return nil
}

func targetOf(set string) (target, bool) {
	for _, t := range targets {
		if t.set == set {
			return t, true
		}
	}
	return target{}, false
}

// decidingRule names the stage and rule of the highest-scored label of
// the decision's category.
func decidingRule(d moderation.Decision) string {
	best := -1.0
	name := "-"
	for _, l := range d.Labels {
		if l.Category == d.Category && l.Score > best {
			best = l.Score
			name = l.Stage + "/" + l.Rule
		}
	}
	return name
}

func oneLine(s string, n int) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > n {
		for n > 0 && !utf8.RuneStart(s[n]) {
			n--
		}
		s = s[:n] + "…"
	}
	return s
}
