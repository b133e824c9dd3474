package metrics_test

import (
	"math"
	"math/rand/v2"
	"slices"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/metrics"
)

func paris(t testing.TB) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	return loc
}

func newAgg(t testing.TB, cfg metrics.AggregatorConfig) *metrics.Aggregator {
	t.Helper()
	a, err := metrics.NewAggregator(cfg)
	require.NoError(t, err)
	return a
}

func TestNewAggregator(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  metrics.AggregatorConfig
		err  error
	}{
		{"defaults", metrics.AggregatorConfig{}, nil},
		{"month with clicks", metrics.AggregatorConfig{Granularity: metrics.Month, Kinds: metrics.DefaultEngagementKinds | metrics.KindsOf(metrics.KindClick)}, nil},
		{"unknown granularity", metrics.AggregatorConfig{Granularity: 9}, metrics.ErrInvalidInput},
		{"impressions as engagements", metrics.AggregatorConfig{Kinds: metrics.KindsOf(metrics.KindImpression)}, metrics.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a, err := metrics.NewAggregator(tc.cfg)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, tc.err == nil, a != nil)
		})
	}
	require.Equal(t, "day", metrics.Day.String())
	require.Equal(t, "isoweek", metrics.ISOWeek.String())
	require.Equal(t, "month", metrics.Month.String())
	require.Equal(t, "Granularity(0)", metrics.Granularity(0).String())
}

func TestAggregatorBucketsDST(t *testing.T) {
	loc := paris(t)
	for _, tc := range []struct {
		name       string
		gran       metrics.Granularity
		at         time.Time
		start, end time.Time
		hours      float64
	}{
		{"spring forward day is 23 h", metrics.Day, time.Date(2025, 3, 30, 12, 0, 0, 0, loc),
			time.Date(2025, 3, 30, 0, 0, 0, 0, loc), time.Date(2025, 3, 31, 0, 0, 0, 0, loc), 23},
		{"fall back day is 25 h", metrics.Day, time.Date(2025, 10, 26, 2, 30, 0, 0, loc),
			time.Date(2025, 10, 26, 0, 0, 0, 0, loc), time.Date(2025, 10, 27, 0, 0, 0, 0, loc), 25},
		{"local midnight, not UTC", metrics.Day, time.Date(2025, 6, 1, 23, 30, 0, 0, time.UTC), // 01:30 on 2 June in Paris
			time.Date(2025, 6, 2, 0, 0, 0, 0, loc), time.Date(2025, 6, 3, 0, 0, 0, 0, loc), 24},
		{"ISO week across the DST change", metrics.ISOWeek, time.Date(2025, 3, 30, 23, 59, 0, 0, loc), // a Sunday
			time.Date(2025, 3, 24, 0, 0, 0, 0, loc), time.Date(2025, 3, 31, 0, 0, 0, 0, loc), 167},
		{"ISO week 1 starts in December", metrics.ISOWeek, time.Date(2025, 1, 1, 10, 0, 0, 0, loc),
			time.Date(2024, 12, 30, 0, 0, 0, 0, loc), time.Date(2025, 1, 6, 0, 0, 0, 0, loc), 168},
		{"ISO week 53", metrics.ISOWeek, time.Date(2021, 1, 3, 10, 0, 0, 0, loc),
			time.Date(2020, 12, 28, 0, 0, 0, 0, loc), time.Date(2021, 1, 4, 0, 0, 0, 0, loc), 168},
		{"March is an hour short", metrics.Month, time.Date(2025, 3, 15, 0, 0, 0, 0, loc),
			time.Date(2025, 3, 1, 0, 0, 0, 0, loc), time.Date(2025, 4, 1, 0, 0, 0, 0, loc), 31*24 - 1},
		{"month at local midnight of the 1st", metrics.Month, time.Date(2025, 4, 30, 22, 0, 0, 0, time.UTC), // 00:00 on 1 May in Paris
			time.Date(2025, 5, 1, 0, 0, 0, 0, loc), time.Date(2025, 6, 1, 0, 0, 0, 0, loc), 31 * 24},
	} {
		t.Run(tc.name, func(t *testing.T) {
			a := newAgg(t, metrics.AggregatorConfig{Location: loc, Granularity: tc.gran})
			require.NoError(t, a.Add(metrics.Event{Time: tc.at, Network: "instagram", Kind: metrics.KindLike, Count: 1}))
			b := a.Buckets()
			require.Len(t, b, 1)
			require.True(t, tc.start.Equal(b[0].Start), "start %v, want %v", b[0].Start, tc.start)
			require.True(t, tc.end.Equal(b[0].End), "end %v, want %v", b[0].End, tc.end)
			require.Equal(t, loc, b[0].Start.Location())
			require.InDelta(t, tc.hours, b[0].End.Sub(b[0].Start).Hours(), 0)
		})
	}
	t.Run("ISO week numbering", func(t *testing.T) {
		a := newAgg(t, metrics.AggregatorConfig{Location: loc, Granularity: metrics.ISOWeek})
		require.NoError(t, a.Add(metrics.Event{Time: time.Date(2021, 1, 3, 10, 0, 0, 0, loc), Network: "x", Kind: metrics.KindLike}))
		y, w := a.Buckets()[0].Start.ISOWeek()
		require.Equal(t, [2]int{2020, 53}, [2]int{y, w})
	})
	t.Run("events either side of the 23 h day's ends", func(t *testing.T) {
		a := newAgg(t, metrics.AggregatorConfig{Location: loc})
		for _, at := range []time.Time{
			time.Date(2025, 3, 29, 23, 59, 59, 999, loc),
			time.Date(2025, 3, 30, 0, 0, 0, 0, loc),
			time.Date(2025, 3, 30, 3, 0, 0, 0, loc), // just after the jump
			time.Date(2025, 3, 30, 23, 59, 59, 0, loc),
			time.Date(2025, 3, 31, 0, 0, 0, 0, loc),
		} {
			require.NoError(t, a.Add(metrics.Event{Time: at, Network: "x", Kind: metrics.KindLike, Count: 1}))
		}
		b := a.Buckets()
		require.Len(t, b, 3)
		require.Equal(t, []int64{1, 3, 1}, []int64{b[0].Likes, b[1].Likes, b[2].Likes})
	})
}

func TestAggregatorTotalsAndRates(t *testing.T) {
	loc := paris(t)
	a := newAgg(t, metrics.AggregatorConfig{Location: loc})
	mon := time.Date(2025, 6, 2, 9, 0, 0, 0, loc)
	tue := mon.Add(24 * time.Hour)
	add := func(at time.Time, network, post string, k metrics.Kind, n int64) {
		t.Helper()
		require.NoError(t, a.Add(metrics.Event{Time: at, Network: network, Post: post, Kind: k, Count: n}))
	}
	add(mon, "linkedin", "l1", metrics.KindImpression, 2000)
	add(mon, "linkedin", "l1", metrics.KindLike, 40)
	add(mon, "linkedin", "l1", metrics.KindComment, 6)
	add(mon, "linkedin", "l1", metrics.KindClick, 30)
	add(mon, "instagram", "i1", metrics.KindImpression, 1000)
	add(mon, "instagram", "i1", metrics.KindLike, 70)
	add(tue, "instagram", "i1", metrics.KindShare, 10)
	add(tue, "instagram", "i2", metrics.KindImpression, 1000)
	add(tue, "instagram", "i2", metrics.KindSave, 20)
	add(tue, "instagram", "", metrics.KindUnfollow, 5)
	add(tue, "instagram", "", metrics.KindFollow, 25)
	require.NoError(t, a.ObserveFollowers(mon, "instagram", 1000))
	require.NoError(t, a.ObserveFollowers(tue.Add(12*time.Hour), "instagram", 1020))
	require.NoError(t, a.ObserveFollowers(tue, "instagram", 1010)) // out of order: neither first nor last
	require.NoError(t, a.ObserveReach("instagram", "i1", 800))
	require.NoError(t, a.ObserveReach("instagram", "i1", 700)) // reach keeps the max

	total := a.Total()
	require.Equal(t, int64(4000), total.Impressions)
	require.Equal(t, int64(110), total.Likes)
	require.Equal(t, int64(30), total.Clicks)
	require.False(t, total.Followers.Observed)
	require.True(t, time.Date(2025, 6, 2, 0, 0, 0, 0, loc).Equal(total.Start))
	require.True(t, time.Date(2025, 6, 4, 0, 0, 0, 0, loc).Equal(total.End))
	e, err := total.Engagements()
	require.NoError(t, err)
	require.Equal(t, int64(146), e) // clicks are not engagements by default
	r, err := total.EngagementRate(metrics.ByImpressions)
	require.NoError(t, err)
	require.InDelta(t, 146.0/4000, r, 1e-12)
	_, err = total.EngagementRate(metrics.ByFollowers)
	require.ErrorIs(t, err, metrics.ErrUndefined)

	nets := a.Networks()
	require.Len(t, nets, 2)
	require.Equal(t, []string{"instagram", "linkedin"}, []string{nets[0].Network, nets[1].Network})
	ig := nets[0]
	require.Equal(t, metrics.Followers{Start: 1000, End: 1020, Observed: true}, ig.Followers)
	for _, c := range []struct {
		name string
		f    func() (float64, error)
		want float64
		err  error
	}{
		{"ER by impressions", func() (float64, error) { return ig.EngagementRate(metrics.ByImpressions) }, 100.0 / 2000, nil},
		{"ER by followers", func() (float64, error) { return ig.EngagementRate(metrics.ByFollowers) }, 100.0 / 1020, nil},
		{"ER by reach undefined", func() (float64, error) { return ig.EngagementRate(metrics.ByReach) }, 0, metrics.ErrUndefined},
		{"ER bad basis", func() (float64, error) { return ig.EngagementRate(0) }, 0, metrics.ErrInvalidInput},
		{"virality", ig.ViralityRate, 10.0 / 2000, nil},
		{"growth", ig.GrowthRate, 0.02, nil},
		{"churn", ig.ChurnRate, 0.005, nil},
		{"linkedin CTR", nets[1].ClickThroughRate, 30.0 / 2000, nil},
		{"linkedin growth undefined", nets[1].GrowthRate, 0, metrics.ErrUndefined},
		{"linkedin churn undefined", nets[1].ChurnRate, 0, metrics.ErrUndefined},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := c.f()
			require.ErrorIs(t, err, c.err)
			require.InDelta(t, c.want, got, 1e-12)
		})
	}
	s, ok := a.Network("linkedin")
	require.True(t, ok)
	require.Equal(t, nets[1], s)
	_, ok = a.Network("tiktok")
	require.False(t, ok)

	posts := a.Posts()
	require.Len(t, posts, 3)
	require.Equal(t, [][2]string{{"instagram", "i1"}, {"instagram", "i2"}, {"linkedin", "l1"}},
		[][2]string{{posts[0].Network, posts[0].Post}, {posts[1].Network, posts[1].Post}, {posts[2].Network, posts[2].Post}})
	require.Equal(t, int64(800), posts[0].Reach)
	r, err = posts[0].EngagementRate(metrics.ByReach)
	require.NoError(t, err)
	require.InDelta(t, 80.0/800, r, 1e-12)

	buckets := a.Buckets()
	require.Len(t, buckets, 2)
	require.True(t, buckets[0].Start.Before(buckets[1].Start))
	require.Equal(t, int64(3000), buckets[0].Impressions)
	require.Equal(t, int64(25), buckets[1].Follows)

	nb := a.NetworkBuckets()
	require.Len(t, nb, 3)
	require.Equal(t, "instagram", nb[0].Network)
	require.Equal(t, "instagram", nb[1].Network)
	require.Equal(t, "linkedin", nb[2].Network)
	require.Equal(t, metrics.Followers{Start: 1000, End: 1000, Observed: true}, nb[0].Followers)
	require.Equal(t, metrics.Followers{Start: 1010, End: 1020, Observed: true}, nb[1].Followers)
}

func TestAggregatorInvalid(t *testing.T) {
	a := newAgg(t, metrics.AggregatorConfig{})
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	for _, tc := range []struct {
		name  string
		e     metrics.Event
		field string
	}{
		{"negative count", metrics.Event{Time: at, Network: "x", Kind: metrics.KindLike, Count: -1}, "Count"},
		{"zero kind", metrics.Event{Time: at, Network: "x", Count: 1}, "Kind"},
		{"unknown kind", metrics.Event{Time: at, Network: "x", Kind: 42, Count: 1}, "Kind"},
		{"empty network", metrics.Event{Time: at, Kind: metrics.KindLike, Count: 1}, "Network"},
		{"zero time", metrics.Event{Network: "x", Kind: metrics.KindLike, Count: 1}, "Time"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := a.Add(tc.e)
			var ie *metrics.InputError
			require.ErrorAs(t, err, &ie)
			require.ErrorIs(t, err, metrics.ErrInvalidInput)
			require.Equal(t, "Aggregator.Add", ie.Func)
			require.Equal(t, tc.field, ie.Field)
		})
	}
	require.ErrorIs(t, a.ObserveFollowers(at, "x", -1), metrics.ErrInvalidInput)
	require.ErrorIs(t, a.ObserveFollowers(at, "", 1), metrics.ErrInvalidInput)
	require.ErrorIs(t, a.ObserveFollowers(time.Time{}, "x", 1), metrics.ErrInvalidInput)
	require.ErrorIs(t, a.ObserveReach("x", "p", -1), metrics.ErrInvalidInput)
	require.ErrorIs(t, a.ObserveReach("", "p", 1), metrics.ErrInvalidInput)
	require.ErrorIs(t, a.ObserveReach("x", "", 1), metrics.ErrInvalidInput)
	require.Equal(t, metrics.Summary{Kinds: metrics.DefaultEngagementKinds}, a.Total(), "rejected events are not counted")
	require.Empty(t, a.Networks())
	require.Empty(t, a.Posts())
	require.Empty(t, a.Buckets())
	require.Empty(t, a.NetworkBuckets())
}

func TestAggregatorHugeCounts(t *testing.T) {
	a := newAgg(t, metrics.AggregatorConfig{})
	at := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	require.NoError(t, a.Add(metrics.Event{Time: at, Network: "x", Post: "p", Kind: metrics.KindLike, Count: math.MaxInt64}))
	require.NoError(t, a.Add(metrics.Event{Time: at, Network: "y", Kind: metrics.KindLike, Count: 0}))
	err := a.Add(metrics.Event{Time: at, Network: "y", Kind: metrics.KindLike, Count: 1})
	require.ErrorIs(t, err, metrics.ErrInvalidInput)
	require.NoError(t, a.Add(metrics.Event{Time: at, Network: "x", Post: "p", Kind: metrics.KindComment, Count: math.MaxInt64}))
	total := a.Total()
	require.Equal(t, int64(math.MaxInt64), total.Likes)
	_, err = total.Engagements()
	require.ErrorIs(t, err, metrics.ErrInvalidInput, "the int64 sum overflows")
	require.NoError(t, a.Add(metrics.Event{Time: at, Network: "x", Post: "p", Kind: metrics.KindImpression, Count: math.MaxInt64}))
	r, err := total.EngagementRate(metrics.ByImpressions)
	require.ErrorIs(t, err, metrics.ErrUndefined) // total was taken before the impressions
	requireFinite(t, r)
	r, err = a.Total().EngagementRate(metrics.ByImpressions)
	require.NoError(t, err)
	require.InDelta(t, 2, r, 1e-12)

	b := newAgg(t, metrics.AggregatorConfig{})
	require.NoError(t, b.Add(metrics.Event{Time: at, Network: "x", Kind: metrics.KindLike, Count: 1}))
	require.ErrorIs(t, a.Merge(b), metrics.ErrInvalidInput)
	require.Equal(t, int64(math.MaxInt64), a.Total().Likes, "a failed Merge changes nothing")
}

// randomEvents returns reproducible events over several networks, posts,
// kinds and months, in random order.
func randomEvents(n int, seed uint64) []metrics.Event {
	r := rand.New(rand.NewPCG(seed, seed+1))
	nets := []string{"instagram", "linkedin", "mastodon", "bluesky"}
	base := time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)
	ev := make([]metrics.Event, n)
	for i := range ev {
		ev[i] = metrics.Event{
			Time:    base.Add(time.Duration(r.Int64N(int64(200 * 24 * time.Hour)))),
			Network: nets[r.IntN(len(nets))],
			Post:    []string{"", "a", "b", "c"}[r.IntN(4)],
			Kind:    metrics.Kind(1 + r.IntN(9)),
			Count:   r.Int64N(100),
		}
	}
	return ev
}

func TestAggregatorOrderAndMerge(t *testing.T) {
	loc := paris(t)
	for _, gran := range []metrics.Granularity{metrics.Day, metrics.ISOWeek, metrics.Month} {
		t.Run(gran.String(), func(t *testing.T) {
			cfg := metrics.AggregatorConfig{Location: loc, Granularity: gran}
			ev := randomEvents(5000, 7)
			shuffled := newAgg(t, cfg)
			for _, e := range ev {
				require.NoError(t, shuffled.Add(e))
			}
			// Sorted input gives the same answer as shuffled input.
			sorted := newAgg(t, cfg)
			byTime := append([]metrics.Event(nil), ev...)
			slicesSortByTime(byTime)
			for _, e := range byTime {
				require.NoError(t, sorted.Add(e))
			}
			// Four per-goroutine aggregators merged give the same answer.
			merged := newAgg(t, cfg)
			for part := range 4 {
				p := newAgg(t, cfg)
				for i := part; i < len(ev); i += 4 {
					require.NoError(t, p.Add(ev[i]))
				}
				require.NoError(t, merged.Merge(p))
			}
			for _, other := range []*metrics.Aggregator{sorted, merged} {
				require.Equal(t, shuffled.Total(), other.Total())
				require.Equal(t, shuffled.Networks(), other.Networks())
				require.Equal(t, shuffled.Posts(), other.Posts())
				require.Equal(t, shuffled.Buckets(), other.Buckets())
				require.Equal(t, shuffled.NetworkBuckets(), other.NetworkBuckets())
			}
			// Every event lands in the bucket that contains it, and the
			// buckets tile the timeline.
			bs := shuffled.Buckets()
			var sum int64
			for i, b := range bs {
				require.True(t, b.Start.Before(b.End))
				if i > 0 {
					require.False(t, bs[i-1].End.After(b.Start))
				}
				sum += b.Impressions
			}
			require.Equal(t, shuffled.Total().Impressions, sum)
		})
	}
}

func TestAggregatorMergeFollowersAndErrors(t *testing.T) {
	at := time.Date(2025, 1, 6, 12, 0, 0, 0, time.UTC)
	a := newAgg(t, metrics.AggregatorConfig{})
	b := newAgg(t, metrics.AggregatorConfig{})
	require.NoError(t, a.ObserveFollowers(at, "x", 100))
	require.NoError(t, b.ObserveFollowers(at.Add(-time.Hour), "x", 90))
	require.NoError(t, b.ObserveFollowers(at.Add(time.Hour), "x", 110))
	require.NoError(t, b.ObserveReach("x", "p", 50))
	require.NoError(t, a.Merge(b))
	s, ok := a.Network("x")
	require.True(t, ok)
	require.Equal(t, metrics.Followers{Start: 90, End: 110, Observed: true}, s.Followers)
	require.Equal(t, int64(50), a.Posts()[0].Reach)

	require.ErrorIs(t, a.Merge(nil), metrics.ErrInvalidInput)
	require.ErrorIs(t, a.Merge(a), metrics.ErrInvalidInput)
	require.ErrorIs(t, a.Merge(newAgg(t, metrics.AggregatorConfig{Granularity: metrics.Month})), metrics.ErrInvalidInput)
	require.ErrorIs(t, a.Merge(newAgg(t, metrics.AggregatorConfig{Location: paris(t)})), metrics.ErrInvalidInput)
	require.ErrorIs(t, a.Merge(newAgg(t, metrics.AggregatorConfig{Kinds: metrics.KindsOf(metrics.KindLike)})), metrics.ErrInvalidInput)
}

func TestAggregatorAddDoesNotAllocate(t *testing.T) {
	a := newAgg(t, metrics.AggregatorConfig{Location: paris(t)})
	ev := randomEvents(512, 11)
	for _, e := range ev {
		require.NoError(t, a.Add(e))
	}
	i := 0
	allocs := testing.AllocsPerRun(1000, func() {
		_ = a.Add(ev[i%len(ev)])
		i++
	})
	require.Zero(t, allocs)
}

func slicesSortByTime(ev []metrics.Event) {
	slices.SortStableFunc(ev, func(x, y metrics.Event) int { return x.Time.Compare(y.Time) })
}
