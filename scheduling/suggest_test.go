package scheduling_test

import (
	"math"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/scheduling"
)

func TestSuggestTimes(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	var past []scheduling.PastPost
	add := func(day, hour, n int, imp, eng int64) {
		for i := range n {
			past = append(past, scheduling.PastPost{At: time.Date(2026, 3, 2+day+7*i, hour, 0, 0, 0, paris), Impressions: imp, Engagements: eng})
		}
	}
	add(0, 9, 6, 1000, 50)  // Mon 09h: 5 %, solid
	add(1, 18, 6, 1000, 80) // Tue 18h: 8 %, solid
	add(2, 12, 2, 100, 40)  // Wed 12h: 40 %, but only 2 posts
	add(3, 7, 2, 5, 1)      // Thu 07h: 2/30 = 6.7 %, on few impressions
	add(3, 7, 4, 5, 0)
	fallback := []scheduling.Slot{{Weekday: time.Friday, Hour: 17}, {Weekday: time.Tuesday, Hour: 18}}

	got, err := scheduling.SuggestTimes(past, scheduling.SuggestOptions{Zone: paris, Limit: 4, Fallback: fallback})
	require.NoError(t, err)
	require.Len(t, got, 4)
	require.Equal(t, scheduling.Slot{Weekday: time.Tuesday, Hour: 18}, got[0].Slot)
	require.True(t, got[0].FromData)
	require.Equal(t, 6, got[0].Posts)
	require.InDelta(t, 0.08, got[0].Rate, 1e-9)
	require.Less(t, got[0].Lower, got[0].Rate)
	require.Less(t, got[0].PValue, 0.05, "Tue 18h beats the other hours")
	require.Equal(t, scheduling.Slot{Weekday: time.Monday, Hour: 9}, got[1].Slot, "a high rate on few impressions ranks below")
	require.Equal(t, scheduling.Slot{Weekday: time.Thursday, Hour: 7}, got[2].Slot)
	require.Equal(t, scheduling.Slot{Weekday: time.Friday, Hour: 17}, got[3].Slot, "fallback fills, without repeating Tue 18h")
	require.False(t, got[3].FromData)
	require.True(t, math.IsNaN(got[3].PValue))

	thin, err := scheduling.SuggestTimes(past[:3], scheduling.SuggestOptions{Zone: paris, Fallback: fallback})
	require.NoError(t, err)
	require.Len(t, thin, 2, "thin data: the configured slots")
	require.False(t, thin[0].FromData)
	require.Equal(t, fallback, []scheduling.Slot{thin[0].Slot, thin[1].Slot})

	_, err = scheduling.SuggestTimes([]scheduling.PastPost{{Impressions: -1}}, scheduling.SuggestOptions{})
	require.ErrorIs(t, err, scheduling.ErrInvalid)
	_, err = scheduling.SuggestTimes(nil, scheduling.SuggestOptions{Confidence: 2})
	require.ErrorIs(t, err, scheduling.ErrInvalid)
}

func TestSuggestSlotsUsesAccountZoneAndSlots(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	s, err := scheduling.ParseSlots("Wed 10:00 America/New_York")
	require.NoError(t, err)
	require.NoError(t, h.sched.SetSchedule(h.ctx, cm, "brand", s))
	ny, _ := time.LoadLocation("America/New_York")
	var past []scheduling.PastPost
	for i := range 5 {
		past = append(past, scheduling.PastPost{At: time.Date(2026, 3, 2+7*i, 8, 0, 0, 0, ny), Impressions: 500, Engagements: 20})
	}
	got, err := h.sched.SuggestSlots(h.ctx, "brand", past, scheduling.SuggestOptions{Limit: 2})
	require.NoError(t, err)
	require.Len(t, got, 2)
	require.Equal(t, scheduling.Slot{Weekday: time.Monday, Hour: 8}, got[0].Slot, "hours read in the account's zone")
	require.Equal(t, scheduling.Slot{Weekday: time.Wednesday, Hour: 10}, got[1].Slot)
}
