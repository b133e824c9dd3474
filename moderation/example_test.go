package moderation_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/cmkit/cmkit/moderation"
)

func ExampleNewDefaultPipeline() {
	p, err := moderation.NewDefaultPipeline(nil)
	if err != nil {
		panic(err)
	}
	for _, text := range []string{
		"Votre service client est nul, trois semaines sans réponse",
		"Ferme-la connard",
		"je vais te tuer",
	} {
		d, err := p.Moderate(context.Background(), &moderation.Item{Text: text})
		if err != nil {
			panic(err)
		}
		fmt.Println(d.Action, d.Category, d.Complaint)
	}
	// Output:
	// allow none true
	// hide toxic false
	// hide threat false
}

func ExampleNormalize() {
	fmt.Println(moderation.Normalize("C O N N A R D, c0nn4rd, c\u043ennard, Dégoûté @Brand"))
	// Output: connard connard connard degoute @brand
}

func ExampleDetectLanguage() {
	fmt.Println(moderation.DetectLanguage("Worst customer service ever"))
	lang, _ := moderation.DetectLanguage("Je ne comprends pas votre réponse")
	fmt.Println(lang)
	// Output:
	// en 0.8
	// fr
}

func ExampleParseRules() {
	src := `rules:
  - name: no-shorteners-from-new-accounts
    action: hold
    category: spam
    link_domains: [bit.ly]
    author:
      account_age_under: 7d
`
	rs, err := moderation.ParseRules(strings.NewReader(src), "rules.yaml")
	if err != nil {
		panic(err)
	}
	fmt.Println(rs.Rules[0].Name, rs.Rules[0].Action, rs.Rules[0].AccountAgeUnder)

	_, err = moderation.ParseRules(strings.NewReader("rules:\n  - name: x\n    words: [y]\n    acton: hide\n"), "rules.yaml")
	fmt.Println(err)
	// Output:
	// no-shorteners-from-new-accounts hold 168h0m0s
	// rules.yaml:4: unknown field 'acton' (did you mean 'action'?)
}

func ExampleNewPipeline() {
	shout := moderation.StageFunc(func(ctx context.Context, it *moderation.Item) (moderation.Verdict, error) {
		if strings.ToUpper(it.Text) == it.Text {
			return moderation.Verdict{Labels: []moderation.Label{{Category: moderation.Toxic, Score: 0.6, Rule: "all-caps", Match: it.Text}}}, nil
		}
		return moderation.Verdict{}, nil
	})
	p, err := moderation.NewPipeline(moderation.PipelineConfig{
		Stages: []moderation.StageConfig{{Name: "shout", Stage: shout}},
		Shadow: true,
	})
	if err != nil {
		panic(err)
	}
	d, _ := p.Moderate(context.Background(), &moderation.Item{Text: "WHERE IS MY ORDER"})
	fmt.Println(d.Explanation, d.Shadow)
	// Output: hold toxic 0.60: shout/all-caps matched "WHERE IS MY ORDER" true
}

// A held comment waits in the review queue; once a reviewer has approved
// it, moderating it again (edited, fetched twice, after a restart with a
// durable queue) lets it through instead of holding it again.
func ExampleMemoryQueue() {
	ctx := context.Background()
	queue := moderation.NewMemoryQueue(nil)
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{Review: queue})
	if err != nil {
		fmt.Println(err)
		return
	}
	it := &moderation.Item{ID: "c42", Text: "quelle bande de guignols"}
	d, _ := p.Moderate(ctx, it)
	fmt.Println(d.Action, d.Category)
	pending, _ := queue.Pending(ctx, 0)
	fmt.Println("pending:", len(pending))

	if _, err := queue.Resolve(ctx, "c42", "camille", moderation.Approve, "banter between regulars"); err != nil {
		fmt.Println(err)
		return
	}
	d, _ = p.Moderate(ctx, it)
	fmt.Println(d.Action)
	audit, _ := queue.Audit(ctx)
	fmt.Println(audit[0].Reviewer, audit[0].Verdict, audit[0].TrainingLabel())
	// Output:
	// hold toxic
	// pending: 1
	// allow
	// camille approve clean
}
