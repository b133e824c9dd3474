package metrics_test

import (
	"errors"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/metrics"
)

const big = math.MaxInt64

var (
	nan  = math.NaN()
	inf  = math.Inf(1)
	ninf = math.Inf(-1)
)

// floatCase is one row of a table test of a (float64, error) function.
type floatCase struct {
	name  string
	got   func() (float64, error)
	want  float64
	err   error   // nil, metrics.ErrUndefined or metrics.ErrInvalidInput
	delta float64 // 0 means 1e-12
}

func runFloatCases(t *testing.T, cases []floatCase) {
	t.Helper()
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.got()
			requireFinite(t, got)
			if tc.err != nil {
				require.ErrorIs(t, err, tc.err)
				require.Zero(t, got)
				if errors.Is(tc.err, metrics.ErrInvalidInput) {
					var ie *metrics.InputError
					require.ErrorAs(t, err, &ie)
					require.NotEmpty(t, ie.Func)
					require.NotEmpty(t, ie.Field)
					require.NotEmpty(t, ie.Reason)
					require.NotErrorIs(t, err, metrics.ErrUndefined)
				}
				return
			}
			require.NoError(t, err)
			d := tc.delta
			if d == 0 {
				d = 1e-12
			}
			require.InDelta(t, tc.want, got, d)
		})
	}
}

func requireFinite(t *testing.T, v float64) {
	t.Helper()
	require.False(t, math.IsNaN(v) || math.IsInf(v, 0), "got non-finite %v", v)
}

func TestInputError(t *testing.T) {
	_, err := metrics.ViralityRate(-3, 10)
	var ie *metrics.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, metrics.InputError{Func: "ViralityRate", Field: "shares", Value: -3, Reason: "must not be negative"}, *ie)
	require.Equal(t, "metrics: ViralityRate: invalid shares (-3): must not be negative", err.Error())
	require.ErrorIs(t, err, metrics.ErrInvalidInput)
	require.False(t, errors.Is(metrics.ErrUndefined, metrics.ErrInvalidInput))
}
