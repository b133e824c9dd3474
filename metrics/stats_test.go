package metrics_test

import (
	"fmt"
	"math"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/metrics"
)

func TestNormalQuantile(t *testing.T) {
	// Reference values: Python's statistics.NormalDist().inv_cdf
	// (Wichura's AS241) and standard tables.
	q := func(p float64) func() (float64, error) {
		return func() (float64, error) { return metrics.NormalQuantile(p) }
	}
	runFloatCases(t, []floatCase{
		{name: "0.975", got: q(0.975), want: 1.959963984540054, delta: 1e-14},
		{name: "0.025", got: q(0.025), want: -1.959963984540054, delta: 1e-14},
		{name: "0.995", got: q(0.995), want: 2.5758293035489, delta: 1e-13},
		{name: "0.95", got: q(0.95), want: 1.6448536269514715, delta: 1e-14},
		{name: "median", got: q(0.5), want: 0, delta: 1e-15},
		{name: "0.3", got: q(0.3), want: -0.5244005127080407, delta: 1e-14},
		{name: "0.8", got: q(0.8), want: 0.8416212335729144, delta: 1e-14},
		{name: "region boundary", got: q(0.02425), want: -1.9729610513118845, delta: 1e-14},
		{name: "0.001", got: q(0.001), want: -3.090232306167813, delta: 1e-13},
		{name: "1e-10", got: q(1e-10), want: -6.361340902404056, delta: 1e-12},
		{name: "1e-300", got: q(1e-300), want: -37.0470962993612, delta: 1e-10},
		{name: "upper tail", got: q(0.9999999), want: 5.199337582290662, delta: 1e-8},
		{name: "0", got: q(0), err: metrics.ErrInvalidInput},
		{name: "1", got: q(1), err: metrics.ErrInvalidInput},
		{name: "NaN", got: q(nan), err: metrics.ErrInvalidInput},
	})
}

func TestWilsonInterval(t *testing.T) {
	for _, tc := range []struct {
		name               string
		s, n               int64
		conf               float64
		lower, upper, dlta float64
		err                error
	}{
		// Reference: the formula evaluated in Python with AS241's z.
		{"12 of 200", 12, 200, 0.95, 0.034652194254331865, 0.10193169295766269, 1e-12, nil},
		{"none of 10", 0, 10, 0.95, 0, 0.27753279986288915, 1e-12, nil},
		{"all of 10", 10, 10, 0.95, 1 - 0.27753279986288915, 1, 1e-12, nil},
		{"huge", big / 2, big, 0.95, 0.5 - 1e-9, 0.5 + 1e-9, 1e-9, nil},
		{"huge all", big, big, 0.99, 1 - 1e-15, 1, 1e-15, nil},
		{"zero trials", 0, 0, 0.95, 0, 0, 0, metrics.ErrUndefined},
		{"successes above trials", 11, 10, 0.95, 0, 0, 0, metrics.ErrInvalidInput},
		{"negative", -1, 10, 0.95, 0, 0, 0, metrics.ErrInvalidInput},
		{"confidence 1", 1, 10, 1, 0, 0, 0, metrics.ErrInvalidInput},
		{"confidence 0", 1, 10, 0, 0, 0, 0, metrics.ErrInvalidInput},
		{"confidence NaN", 1, 10, nan, 0, 0, 0, metrics.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			iv, err := metrics.WilsonInterval(tc.s, tc.n, tc.conf)
			require.ErrorIs(t, err, tc.err)
			requireFinite(t, iv.Lower)
			requireFinite(t, iv.Upper)
			if tc.err != nil {
				require.Zero(t, iv)
				return
			}
			require.InDelta(t, tc.lower, iv.Lower, tc.dlta)
			require.InDelta(t, tc.upper, iv.Upper, tc.dlta)
			require.LessOrEqual(t, 0.0, iv.Lower)
			require.LessOrEqual(t, iv.Lower, iv.Upper)
			require.LessOrEqual(t, iv.Upper, 1.0)
		})
	}
}

func TestTwoProportionZTest(t *testing.T) {
	for _, tc := range []struct {
		name       string
		sa, na     int64
		sb, nb     int64
		z, p, diff float64
		sig05      bool
		err        error
	}{
		{"significant", 120, 4000, 80, 4000, 2.864459496157731, 0.004177215730032835, 0.01, true, nil},
		{"reversed", 80, 4000, 120, 4000, -2.864459496157731, 0.004177215730032835, -0.01, true, nil},
		{"equal", 50, 1000, 50, 1000, 0, 1, 0, false, nil},
		{"huge", big / 2, big, big / 2, big, 0, 1, 0, false, nil},
		{"zero variance", 0, 100, 0, 50, 0, 0, 0, false, metrics.ErrUndefined},
		{"all successes", 10, 10, 5, 5, 0, 0, 0, false, metrics.ErrUndefined},
		{"zero trials", 0, 0, 1, 10, 0, 0, 0, false, metrics.ErrUndefined},
		{"successes above trials", 11, 10, 1, 10, 0, 0, 0, false, metrics.ErrInvalidInput},
		{"negative", 1, 10, -1, 10, 0, 0, 0, false, metrics.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			r, err := metrics.TwoProportionZTest(tc.sa, tc.na, tc.sb, tc.nb)
			require.ErrorIs(t, err, tc.err)
			for _, v := range []float64{r.Z, r.PValue, r.Diff, r.StdErr, r.RateA, r.RateB} {
				requireFinite(t, v)
			}
			if tc.err != nil {
				require.Zero(t, r)
				return
			}
			require.InDelta(t, tc.z, r.Z, 1e-9)
			require.InDelta(t, tc.p, r.PValue, 1e-12)
			require.InDelta(t, tc.diff, r.Diff, 1e-12)
			require.Equal(t, tc.sig05, r.Significant(0.05))
		})
	}
	r := metrics.ZTest{PValue: 0.01}
	require.True(t, r.Significant(0.05))
	require.False(t, r.Significant(0.01), "p must be strictly below alpha")
	require.False(t, r.Significant(0))
	require.False(t, r.Significant(1.5))
}

func TestEWMA(t *testing.T) {
	for _, tc := range []struct {
		name   string
		series []float64
		alpha  float64
		want   []float64
		err    error
	}{
		{"normal", []float64{10, 20, 20, 0}, 0.5, []float64{10, 15, 17.5, 8.75}, nil},
		{"alpha 1 copies", []float64{3, 1, 2}, 1, []float64{3, 1, 2}, nil},
		{"empty", nil, 0.3, []float64{}, nil},
		{"zeros", []float64{0, 0, 0}, 0.3, []float64{0, 0, 0}, nil},
		{"huge", []float64{math.MaxFloat64, math.MaxFloat64, math.MaxFloat64}, 0.3, []float64{math.MaxFloat64, math.MaxFloat64, math.MaxFloat64}, nil},
		{"huge swing", []float64{-math.MaxFloat64, math.MaxFloat64}, 0.5, []float64{-math.MaxFloat64, 0}, nil},
		{"alpha 0", []float64{1}, 0, nil, metrics.ErrInvalidInput},
		{"alpha above 1", []float64{1}, 1.1, nil, metrics.ErrInvalidInput},
		{"NaN value", []float64{1, nan}, 0.5, nil, metrics.ErrInvalidInput},
		{"Inf value", []float64{ninf}, 0.5, nil, metrics.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			orig := fmt.Sprint(tc.series) // NaN != NaN: compare the printed form
			got, err := metrics.EWMA(tc.series, tc.alpha)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, orig, fmt.Sprint(tc.series))
			if tc.err != nil {
				require.Nil(t, got)
				return
			}
			require.Len(t, got, len(tc.want))
			for i := range got {
				requireFinite(t, got[i])
				require.InDelta(t, tc.want[i], got[i], 1e-9*math.Max(1, math.Abs(tc.want[i])))
			}
		})
	}
}

func TestDetectAnomalies(t *testing.T) {
	cfg := metrics.AnomalyConfig{Window: 5, Threshold: 3}
	for _, tc := range []struct {
		name    string
		series  []float64
		cfg     metrics.AnomalyConfig
		indices []int
		scores  []float64
		err     error
	}{
		// Window 2,4,2,4,3: mean 3, sample sd √(4/4) = 1; 9 scores 6.
		{"spike", []float64{2, 4, 2, 4, 3, 9, 3}, cfg, []int{5}, []float64{6}, nil},
		{"drop", []float64{2, 4, 2, 4, 3, -3}, cfg, []int{5}, []float64{-6}, nil},
		{"below threshold", []float64{2, 4, 2, 4, 3, 5}, cfg, nil, nil, nil},
		{"too short", []float64{1, 2, 300}, cfg, nil, nil, nil},
		{"flat stays quiet", []float64{0, 0, 0, 0, 0, 0, 0}, cfg, nil, nil, nil},
		{"flat then spike saturates", []float64{0, 0, 0, 0, 0, 25}, cfg, []int{5}, []float64{math.MaxFloat64}, nil},
		{"floor tames a flat window", []float64{0, 0, 0, 0, 0, 1, 0}, metrics.AnomalyConfig{Window: 5, Threshold: 3, MinStdDev: 1}, nil, nil, nil},
		{"floor still flags a crisis", []float64{0, 0, 0, 0, 0, 25}, metrics.AnomalyConfig{Window: 5, Threshold: 3, MinStdDev: 1}, []int{5}, []float64{25}, nil},
		{"huge values", []float64{math.MaxFloat64, -math.MaxFloat64, math.MaxFloat64, -math.MaxFloat64, math.MaxFloat64}, metrics.AnomalyConfig{Window: 2, Threshold: 0.5}, []int{2, 3, 4}, []float64{1 / math.Sqrt2, -1 / math.Sqrt2, 1 / math.Sqrt2}, nil},
		{"window 1", []float64{1, 2}, metrics.AnomalyConfig{Window: 1, Threshold: 3}, nil, nil, metrics.ErrInvalidInput},
		{"threshold 0", []float64{1, 2}, metrics.AnomalyConfig{Window: 2}, nil, nil, metrics.ErrInvalidInput},
		{"threshold NaN", []float64{1, 2}, metrics.AnomalyConfig{Window: 2, Threshold: nan}, nil, nil, metrics.ErrInvalidInput},
		{"negative floor", []float64{1, 2}, metrics.AnomalyConfig{Window: 2, Threshold: 1, MinStdDev: -1}, nil, nil, metrics.ErrInvalidInput},
		{"NaN value", []float64{1, nan, 3}, cfg, nil, nil, metrics.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := metrics.DetectAnomalies(tc.series, tc.cfg)
			require.ErrorIs(t, err, tc.err)
			require.Len(t, got, len(tc.indices))
			for i, a := range got {
				require.Equal(t, tc.indices[i], a.Index)
				require.Equal(t, tc.series[a.Index], a.Value)
				require.InDelta(t, tc.scores[i], a.Score, 1e-9*math.Max(1, math.Abs(tc.scores[i])))
				for _, v := range []float64{a.Score, a.Mean, a.StdDev} {
					requireFinite(t, v)
				}
			}
		})
	}
}
