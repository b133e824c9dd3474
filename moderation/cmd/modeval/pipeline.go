package main

import (
	"context"

	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/classifier"
)

// flagger decides whether a text is flagged.
type flagger func(ctx context.Context, text, lang string) (bool, error)

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
	return func(ctx context.Context, text, lang string) (bool, error) {
		d, err := p.Moderate(ctx, &moderation.Item{Text: text, Language: lang})
		if err != nil {
			return false, err
		}
		return d.Action != moderation.Allow, nil
	}, nil
}
