package metrics_test

import (
	"testing"

	"github.com/cmkit/cmkit/metrics"
)

// countRateCases builds the common table for a (count, count) rate: normal,
// zero numerator, zero denominator, huge and negative inputs.
func countRateCases(f func(a, b int64) (float64, error)) []floatCase {
	return []floatCase{
		{name: "normal", got: func() (float64, error) { return f(30, 1000) }, want: 0.03},
		{name: "zero numerator", got: func() (float64, error) { return f(0, 10) }, want: 0},
		{name: "zero denominator", got: func() (float64, error) { return f(5, 0) }, err: metrics.ErrUndefined},
		{name: "huge", got: func() (float64, error) { return f(big, big) }, want: 1},
		{name: "huge denominator", got: func() (float64, error) { return f(1, big) }, want: 1 / float64(big)},
		{name: "negative numerator", got: func() (float64, error) { return f(-1, 10) }, err: metrics.ErrInvalidInput},
		{name: "negative denominator", got: func() (float64, error) { return f(1, -10) }, err: metrics.ErrInvalidInput},
	}
}

func TestCountRates(t *testing.T) {
	for name, f := range map[string]func(a, b int64) (float64, error){
		"ConversationRate":             metrics.ConversationRate,
		"AmplificationRate":            metrics.AmplificationRate,
		"ApplauseRate":                 metrics.ApplauseRate,
		"ConversationRateByFollowers":  metrics.ConversationRateByFollowers,
		"AmplificationRateByFollowers": metrics.AmplificationRateByFollowers,
		"ApplauseRateByFollowers":      metrics.ApplauseRateByFollowers,
		"ViralityRate":                 metrics.ViralityRate,
		"ReachRate":                    metrics.ReachRate,
		"ClickThroughRate":             metrics.ClickThroughRate,
		"ConversionRate":               metrics.ConversionRate,
		"ChurnRate":                    metrics.ChurnRate,
		"ResponseRate":                 metrics.ResponseRate,
	} {
		t.Run(name, func(t *testing.T) { runFloatCases(t, countRateCases(f)) })
	}
}

func TestRatesAboveOne(t *testing.T) {
	runFloatCases(t, []floatCase{
		{name: "Kaushik rates are per post and exceed 1", got: func() (float64, error) { return metrics.ApplauseRate(450, 3) }, want: 150},
		{name: "reach beyond followers", got: func() (float64, error) { return metrics.ReachRate(3000, 1000) }, want: 3},
		{name: "churn above start", got: func() (float64, error) { return metrics.ChurnRate(12, 10) }, want: 1.2},
		{name: "conversions above visits", got: func() (float64, error) { return metrics.ConversionRate(11, 10) }, err: metrics.ErrInvalidInput},
		{name: "answered above received", got: func() (float64, error) { return metrics.ResponseRate(11, 10) }, err: metrics.ErrInvalidInput},
	})
}
