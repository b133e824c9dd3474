package metrics_test

import (
	"math"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/metrics"
)

func TestQuantile(t *testing.T) {
	// Reference values from R: quantile(c(1, 2, 3, 4, 10), type = 7).
	v := []float64{10, 2, 4, 1, 3}
	orig := slices.Clone(v)
	runFloatCases(t, []floatCase{
		{name: "median", got: func() (float64, error) { return metrics.Quantile(v, 0.5) }, want: 3},
		{name: "p90", got: func() (float64, error) { return metrics.Quantile(v, 0.9) }, want: 7.6},
		{name: "p25", got: func() (float64, error) { return metrics.Quantile(v, 0.25) }, want: 2},
		{name: "min", got: func() (float64, error) { return metrics.Quantile(v, 0) }, want: 1},
		{name: "max", got: func() (float64, error) { return metrics.Quantile(v, 1) }, want: 10},
		{name: "single", got: func() (float64, error) { return metrics.Quantile([]float64{4}, 0.9) }, want: 4},
		{name: "huge span", got: func() (float64, error) { return metrics.Quantile([]float64{-math.MaxFloat64, math.MaxFloat64}, 0.5) }, want: 0},
		{name: "huge span p75", got: func() (float64, error) {
			return metrics.Quantile([]float64{-math.MaxFloat64, math.MaxFloat64}, 0.75)
		}, want: math.MaxFloat64 / 2, delta: 1e295},
		{name: "empty", got: func() (float64, error) { return metrics.Quantile(nil, 0.5) }, err: metrics.ErrUndefined},
		{name: "q above 1", got: func() (float64, error) { return metrics.Quantile(v, 1.01) }, err: metrics.ErrInvalidInput},
		{name: "q negative", got: func() (float64, error) { return metrics.Quantile(v, -0.1) }, err: metrics.ErrInvalidInput},
		{name: "q NaN", got: func() (float64, error) { return metrics.Quantile(v, nan) }, err: metrics.ErrInvalidInput},
		{name: "NaN value", got: func() (float64, error) { return metrics.Quantile([]float64{1, nan}, 0.5) }, err: metrics.ErrInvalidInput},
		{name: "Inf value", got: func() (float64, error) { return metrics.Quantile([]float64{1, inf}, 0.5) }, err: metrics.ErrInvalidInput},
	})
	require.Equal(t, orig, v, "Quantile must not reorder the caller's slice")
}

func mins(m ...float64) []time.Duration {
	out := make([]time.Duration, len(m))
	for i, x := range m {
		out[i] = time.Duration(x * float64(time.Minute))
	}
	return out
}

func TestDurationQuantile(t *testing.T) {
	d := mins(30, 5, 120, 10, 15)
	orig := slices.Clone(d)
	for _, tc := range []struct {
		name string
		d    []time.Duration
		q    float64
		want time.Duration
		err  error
	}{
		{"median", d, 0.5, 15 * time.Minute, nil},
		{"p90", d, 0.9, 84 * time.Minute, nil}, // 30 + 0.6 × 90
		{"empty", nil, 0.5, 0, metrics.ErrUndefined},
		{"huge", []time.Duration{0, math.MaxInt64}, 1, math.MaxInt64, nil},
		{"huge median", []time.Duration{math.MaxInt64 - 2, math.MaxInt64}, 0.5, math.MaxInt64 - 1, nil},
		{"negative", []time.Duration{-1}, 0.5, 0, metrics.ErrInvalidInput},
		{"bad q", d, 2, 0, metrics.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := metrics.DurationQuantile(tc.d, tc.q)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, tc.want, got)
		})
	}
	require.Equal(t, orig, d)
}

func TestFirstResponseTimes(t *testing.T) {
	for _, tc := range []struct {
		name string
		d    []time.Duration
		want metrics.ResponseTimes
		err  error
	}{
		{"normal", mins(30, 5, 120, 10, 15), metrics.ResponseTimes{Count: 5, Mean: 36 * time.Minute, Median: 15 * time.Minute, P90: 84 * time.Minute, Min: 5 * time.Minute, Max: 120 * time.Minute}, nil},
		{"single", mins(7), metrics.ResponseTimes{Count: 1, Mean: 7 * time.Minute, Median: 7 * time.Minute, P90: 7 * time.Minute, Min: 7 * time.Minute, Max: 7 * time.Minute}, nil},
		{"huge sum does not overflow", []time.Duration{math.MaxInt64, math.MaxInt64, math.MaxInt64 - 3}, metrics.ResponseTimes{Count: 3, Mean: math.MaxInt64 - 1, Median: math.MaxInt64, P90: math.MaxInt64, Min: math.MaxInt64 - 3, Max: math.MaxInt64}, nil},
		{"empty", nil, metrics.ResponseTimes{}, metrics.ErrUndefined},
		{"negative", []time.Duration{time.Second, -time.Second}, metrics.ResponseTimes{}, metrics.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := metrics.FirstResponseTimes(tc.d)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestWithinSLA(t *testing.T) {
	d := mins(30, 5, 60, 61, 15)
	runFloatCases(t, []floatCase{
		{name: "one hour", got: func() (float64, error) { return metrics.WithinSLA(d, 0, time.Hour) }, want: 0.8},
		{name: "unanswered count as missed", got: func() (float64, error) { return metrics.WithinSLA(d, 3, time.Hour) }, want: 0.5},
		{name: "only unanswered", got: func() (float64, error) { return metrics.WithinSLA(nil, 3, time.Hour) }, want: 0},
		{name: "zero SLA", got: func() (float64, error) { return metrics.WithinSLA([]time.Duration{0, 1}, 0, 0) }, want: 0.5},
		{name: "nothing", got: func() (float64, error) { return metrics.WithinSLA(nil, 0, time.Hour) }, err: metrics.ErrUndefined},
		{name: "huge unanswered", got: func() (float64, error) { return metrics.WithinSLA(d, big, time.Hour) }, want: 4 / (float64(big) + 5)},
		{name: "negative SLA", got: func() (float64, error) { return metrics.WithinSLA(d, 0, -time.Hour) }, err: metrics.ErrInvalidInput},
		{name: "negative unanswered", got: func() (float64, error) { return metrics.WithinSLA(d, -1, time.Hour) }, err: metrics.ErrInvalidInput},
		{name: "negative duration", got: func() (float64, error) { return metrics.WithinSLA(mins(-1), 0, time.Hour) }, err: metrics.ErrInvalidInput},
	})
}
