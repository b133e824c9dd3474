package metrics_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/metrics"
)

func TestCostPer(t *testing.T) {
	runFloatCases(t, []floatCase{
		{name: "CPM", got: func() (float64, error) { return metrics.CPM(50, 20000) }, want: 2.5},
		{name: "CPM zero cost", got: func() (float64, error) { return metrics.CPM(0, 20000) }, want: 0},
		{name: "CPM zero impressions", got: func() (float64, error) { return metrics.CPM(50, 0) }, err: metrics.ErrUndefined},
		{name: "CPM huge impressions", got: func() (float64, error) { return metrics.CPM(1e6, big) }, want: 1e9 / float64(big)},
		{name: "CPM overflow", got: func() (float64, error) { return metrics.CPM(math.MaxFloat64, 1) }, err: metrics.ErrInvalidInput},
		{name: "CPM NaN", got: func() (float64, error) { return metrics.CPM(nan, 1) }, err: metrics.ErrInvalidInput},
		{name: "CPC", got: func() (float64, error) { return metrics.CPC(50, 200) }, want: 0.25},
		{name: "CPC zero", got: func() (float64, error) { return metrics.CPC(50, 0) }, err: metrics.ErrUndefined},
		{name: "CPC max cost", got: func() (float64, error) { return metrics.CPC(math.MaxFloat64, 1) }, want: math.MaxFloat64},
		{name: "CPC negative cost", got: func() (float64, error) { return metrics.CPC(-1, 1) }, err: metrics.ErrInvalidInput},
		{name: "CPC negative clicks", got: func() (float64, error) { return metrics.CPC(1, -1) }, err: metrics.ErrInvalidInput},
		{name: "CPE", got: func() (float64, error) { return metrics.CPE(90, 600) }, want: 0.15},
		{name: "CPE zero", got: func() (float64, error) { return metrics.CPE(90, 0) }, err: metrics.ErrUndefined},
		{name: "CPE Inf", got: func() (float64, error) { return metrics.CPE(inf, 3) }, err: metrics.ErrInvalidInput},
		{name: "CPA", got: func() (float64, error) { return metrics.CPA(300, 12) }, want: 25},
		{name: "CPA zero", got: func() (float64, error) { return metrics.CPA(300, 0) }, err: metrics.ErrUndefined},
		{name: "CPA huge", got: func() (float64, error) { return metrics.CPA(300, big) }, want: 300 / float64(big)},
		{name: "CPA -Inf", got: func() (float64, error) { return metrics.CPA(ninf, 3) }, err: metrics.ErrInvalidInput},
	})
}

func TestROI(t *testing.T) {
	runFloatCases(t, []floatCase{
		{name: "gain", got: func() (float64, error) { return metrics.ROI(1500, 1000) }, want: 0.5},
		{name: "loss", got: func() (float64, error) { return metrics.ROI(0, 1000) }, want: -1},
		{name: "break even", got: func() (float64, error) { return metrics.ROI(1000, 1000) }, want: 0},
		{name: "zero cost", got: func() (float64, error) { return metrics.ROI(10, 0) }, err: metrics.ErrUndefined},
		{name: "huge", got: func() (float64, error) { return metrics.ROI(math.MaxFloat64, math.MaxFloat64) }, want: 0},
		{name: "overflow", got: func() (float64, error) { return metrics.ROI(math.MaxFloat64, 0.5) }, err: metrics.ErrInvalidInput},
		{name: "NaN value", got: func() (float64, error) { return metrics.ROI(nan, 1) }, err: metrics.ErrInvalidInput},
		{name: "negative cost", got: func() (float64, error) { return metrics.ROI(1, -1) }, err: metrics.ErrInvalidInput},
	})
}

func TestProfiles(t *testing.T) {
	for _, tc := range []struct {
		name          string
		p             metrics.Profile
		hourly        float64
		annual        float64
		tenHours      float64
		wantErrHourly error
	}{
		{"intern", metrics.InternProfile(), 4.35, 4.35 * 1607, 43.5, nil},
		{"junior", metrics.JuniorProfile(), 22500 * 1.45 / 1607, 22500 * 1.45, 10 * 22500 * 1.45 / 1607, nil},
		{"senior", metrics.SeniorProfile(), 38000 * 1.45 / 1607, 38000 * 1.45, 10 * 38000 * 1.45 / 1607, nil},
		{"expert", metrics.ExpertProfile(), 55000 * 1.45 / 1607, 55000 * 1.45, 10 * 55000 * 1.45 / 1607, nil},
		{"freelance", metrics.FreelanceProfile(), 50, 350 * 218, 500, nil},
		{"agency", metrics.AgencyProfile(), 600.0 / 7, 600 * 218, 6000.0 / 7, nil},
		{"custom with charges", metrics.Profile{DayRate: 100, DayHours: 8, AnnualDays: 200, EmployerChargesRate: 0.2}, 15, 24000, 150, nil},
		{"zero hours", metrics.Profile{AnnualGross: 30000}, 0, 30000, 0, metrics.ErrUndefined},
		{"both set", metrics.Profile{AnnualGross: 30000, DayRate: 300, DayHours: 7}, 0, 0, 0, metrics.ErrInvalidInput},
		{"none set", metrics.Profile{AnnualHours: 1607}, 0, 0, 0, metrics.ErrInvalidInput},
		{"negative charges", metrics.Profile{AnnualGross: 1, AnnualHours: 1, EmployerChargesRate: -0.1}, 0, 0, 0, metrics.ErrInvalidInput},
		{"NaN gross", metrics.Profile{AnnualGross: nan, AnnualHours: 1}, 0, 0, 0, metrics.ErrInvalidInput},
		{"overflow", metrics.Profile{AnnualGross: math.MaxFloat64, AnnualHours: 0.5}, 0, math.MaxFloat64, 0, metrics.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			h, err := tc.p.HourlyCost()
			requireFinite(t, h)
			require.ErrorIs(t, err, tc.wantErrHourly)
			require.InDelta(t, tc.hourly, h, 1e-9)
			c, err := tc.p.Cost(10 * time.Hour)
			requireFinite(t, c)
			require.ErrorIs(t, err, tc.wantErrHourly)
			require.InDelta(t, tc.tenHours, c, 1e-9)
			a, err := tc.p.AnnualCost()
			requireFinite(t, a)
			if tc.annual != 0 {
				require.NoError(t, err)
			}
			require.InDelta(t, tc.annual, a, 1e-6)
		})
	}
	t.Run("annual overflow", func(t *testing.T) {
		a, err := metrics.Profile{DayRate: math.MaxFloat64, DayHours: 7, AnnualDays: 218}.AnnualCost()
		require.ErrorIs(t, err, metrics.ErrInvalidInput)
		require.Zero(t, a)
	})
	t.Run("negative duration", func(t *testing.T) {
		c, err := metrics.JuniorProfile().Cost(-time.Hour)
		require.ErrorIs(t, err, metrics.ErrInvalidInput)
		require.Zero(t, c)
	})
	t.Run("huge duration", func(t *testing.T) {
		c, err := metrics.FreelanceProfile().Cost(time.Duration(big))
		require.NoError(t, err)
		require.InDelta(t, 50*time.Duration(big).Hours(), c, 1e-3)
	})
	t.Run("error names the method", func(t *testing.T) {
		_, err := metrics.Profile{}.Cost(time.Hour)
		var ie *metrics.InputError
		require.ErrorAs(t, err, &ie)
		require.Equal(t, "Profile.Cost", ie.Func)
	})
}

func TestCampaignCost(t *testing.T) {
	c := metrics.CampaignCost{Media: 300, Tools: 49, Labour: 203, Other: 48}
	runFloatCases(t, []floatCase{
		{name: "total", got: c.Total, want: 600},
		{name: "ROI", got: func() (float64, error) { return c.ROI(900) }, want: 0.5},
		{name: "zero total", got: func() (float64, error) { return metrics.CampaignCost{}.ROI(900) }, err: metrics.ErrUndefined},
		{name: "zero total is zero", got: metrics.CampaignCost{}.Total, want: 0},
		{name: "huge total overflows", got: metrics.CampaignCost{Media: math.MaxFloat64, Tools: math.MaxFloat64}.Total, err: metrics.ErrInvalidInput},
		{name: "negative labour", got: metrics.CampaignCost{Labour: -1}.Total, err: metrics.ErrInvalidInput},
		{name: "NaN value", got: func() (float64, error) { return c.ROI(nan) }, err: metrics.ErrInvalidInput},
	})
}
