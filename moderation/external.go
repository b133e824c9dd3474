package moderation

import (
	"context"
	"fmt"
	"time"
)

// ExternalClassifier is a classifier outside the process: a hosted
// toxicity API, a large language model. It returns labels with scores
// from 0 to 1.
type ExternalClassifier interface {
	Classify(ctx context.Context, it *Item) ([]Label, error)
}

// ExternalClassifierFunc adapts a function to ExternalClassifier.
type ExternalClassifierFunc func(ctx context.Context, it *Item) ([]Label, error)

// Classify calls f(ctx, it).
func (f ExternalClassifierFunc) Classify(ctx context.Context, it *Item) ([]Label, error) {
	return f(ctx, it)
}

// ExternalStage wraps an external classifier as a stage named name, with
// a timeout (zero means 2 seconds) and a failure policy: failClosed holds
// items for review when the service fails or is slow; otherwise the
// pipeline decides without it. Labels with a score outside 0..1 or an
// unknown category make the call fail.
func ExternalStage(name string, c ExternalClassifier, timeout time.Duration, failClosed bool) StageConfig {
	if timeout == 0 {
		timeout = 2 * time.Second
	}
	st := StageFunc(func(ctx context.Context, it *Item) (Verdict, error) {
		if c == nil {
			return Verdict{}, fmt.Errorf("%w: nil external classifier", ErrInvalidConfig)
		}
		ls, err := c.Classify(ctx, it)
		if err != nil {
			return Verdict{}, err
		}
		for _, l := range ls {
			if l.Score < 0 || l.Score > 1 || l.Score != l.Score {
				return Verdict{}, fmt.Errorf("external classifier: score %v out of range", l.Score)
			}
			if l.Category < None || l.Category >= numCategories {
				return Verdict{}, fmt.Errorf("external classifier: unknown category %d", l.Category)
			}
		}
		return Verdict{Labels: ls}, nil
	})
	return StageConfig{Name: name, Stage: st, Timeout: timeout, FailClosed: failClosed}
}
