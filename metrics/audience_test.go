package metrics_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/metrics"
)

func TestGrowthRate(t *testing.T) {
	runFloatCases(t, []floatCase{
		{name: "growth", got: func() (float64, error) { return metrics.GrowthRate(1000, 1050) }, want: 0.05},
		{name: "decline", got: func() (float64, error) { return metrics.GrowthRate(1000, 900) }, want: -0.1},
		{name: "to zero", got: func() (float64, error) { return metrics.GrowthRate(10, 0) }, want: -1},
		{name: "from zero", got: func() (float64, error) { return metrics.GrowthRate(0, 10) }, err: metrics.ErrUndefined},
		{name: "huge", got: func() (float64, error) { return metrics.GrowthRate(1, big) }, want: float64(big - 1)},
		{name: "huge decline", got: func() (float64, error) { return metrics.GrowthRate(big, 0) }, want: -1},
		{name: "negative start", got: func() (float64, error) { return metrics.GrowthRate(-1, 10) }, err: metrics.ErrInvalidInput},
		{name: "negative end", got: func() (float64, error) { return metrics.GrowthRate(1, -10) }, err: metrics.ErrInvalidInput},
	})
}

func TestFollowerChanges(t *testing.T) {
	for _, tc := range []struct {
		name string
		f    func(a, b int64) (int64, error)
		a, b int64
		want int64
		err  error
	}{
		{"net gain", metrics.NetFollowerChange, 120, 20, 100, nil},
		{"net loss", metrics.NetFollowerChange, 5, 20, -15, nil},
		{"net zero", metrics.NetFollowerChange, 0, 0, 0, nil},
		{"net huge", metrics.NetFollowerChange, big, big, 0, nil},
		{"net huge loss", metrics.NetFollowerChange, 0, big, -big, nil},
		{"net negative", metrics.NetFollowerChange, -1, 0, 0, metrics.ErrInvalidInput},
		{"count gain", metrics.FollowerCountChange, 1000, 1100, 100, nil},
		{"count loss", metrics.FollowerCountChange, 1000, 900, -100, nil},
		{"count huge", metrics.FollowerCountChange, 0, big, big, nil},
		{"count negative", metrics.FollowerCountChange, 10, -1, 0, metrics.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.f(tc.a, tc.b)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestRetentionRate(t *testing.T) {
	runFloatCases(t, []floatCase{
		{name: "normal", got: func() (float64, error) { return metrics.RetentionRate(1000, 1050, 100) }, want: 0.95},
		{name: "everyone stayed", got: func() (float64, error) { return metrics.RetentionRate(1000, 1100, 100) }, want: 1},
		{name: "everyone left", got: func() (float64, error) { return metrics.RetentionRate(1000, 100, 100) }, want: 0},
		{name: "zero start", got: func() (float64, error) { return metrics.RetentionRate(0, 10, 10) }, err: metrics.ErrUndefined},
		{name: "huge", got: func() (float64, error) { return metrics.RetentionRate(big, big, 0) }, want: 1},
		{name: "gained above end", got: func() (float64, error) { return metrics.RetentionRate(100, 10, 20) }, err: metrics.ErrInvalidInput},
		{name: "retained above start", got: func() (float64, error) { return metrics.RetentionRate(100, 200, 50) }, err: metrics.ErrInvalidInput},
		{name: "negative", got: func() (float64, error) { return metrics.RetentionRate(100, 90, -1) }, err: metrics.ErrInvalidInput},
	})
}
