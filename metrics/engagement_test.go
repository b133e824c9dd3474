package metrics_test

import (
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/metrics"
)

var sample = metrics.Interactions{Likes: 120, Comments: 15, Shares: 9, Saves: 6, Clicks: 40, VideoViews: 900}

func TestKinds(t *testing.T) {
	require.Equal(t, metrics.KindsOf(metrics.KindLike, metrics.KindComment, metrics.KindShare, metrics.KindSave), metrics.DefaultEngagementKinds)
	for _, tc := range []struct {
		kind    metrics.Kind
		name    string
		inter   bool
		inDeflt bool
	}{
		{metrics.KindLike, "like", true, true},
		{metrics.KindComment, "comment", true, true},
		{metrics.KindShare, "share", true, true},
		{metrics.KindSave, "save", true, true},
		{metrics.KindClick, "click", true, false},
		{metrics.KindVideoView, "video_view", true, false},
		{metrics.KindImpression, "impression", false, false},
		{metrics.KindFollow, "follow", false, false},
		{metrics.KindUnfollow, "unfollow", false, false},
		{0, "Kind(0)", false, false},
		{200, "Kind(200)", false, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.name, tc.kind.String())
			require.Equal(t, tc.inter, tc.kind.Interaction())
			require.Equal(t, tc.inDeflt, metrics.DefaultEngagementKinds.Has(tc.kind))
			require.Equal(t, tc.name[0] != 'K', tc.kind.Valid())
		})
	}
	require.Equal(t, "impressions", metrics.ByImpressions.String())
	require.Equal(t, "reach", metrics.ByReach.String())
	require.Equal(t, "followers", metrics.ByFollowers.String())
	require.Equal(t, "Basis(9)", metrics.Basis(9).String())
}

func TestInteractionsEngagements(t *testing.T) {
	for _, tc := range []struct {
		name  string
		in    metrics.Interactions
		kinds metrics.Kinds
		want  int64
		err   error
	}{
		{"default kinds", sample, metrics.DefaultEngagementKinds, 150, nil},
		{"with clicks", sample, metrics.DefaultEngagementKinds | metrics.KindsOf(metrics.KindClick), 190, nil},
		{"video views only", sample, metrics.KindsOf(metrics.KindVideoView), 900, nil},
		{"zero", metrics.Interactions{}, metrics.DefaultEngagementKinds, 0, nil},
		{"huge single", metrics.Interactions{Likes: big}, metrics.DefaultEngagementKinds, big, nil},
		{"huge unselected ignored", metrics.Interactions{Likes: 1, Clicks: big}, metrics.DefaultEngagementKinds, 1, nil},
		{"overflow", metrics.Interactions{Likes: big, Comments: 1}, metrics.DefaultEngagementKinds, 0, metrics.ErrInvalidInput},
		{"negative", metrics.Interactions{Comments: -1}, metrics.DefaultEngagementKinds, 0, metrics.ErrInvalidInput},
		{"negative unselected", metrics.Interactions{Clicks: -1}, metrics.DefaultEngagementKinds, 0, metrics.ErrInvalidInput},
		{"empty kinds", sample, 0, 0, metrics.ErrInvalidInput},
		{"impression kind", sample, metrics.KindsOf(metrics.KindImpression), 0, metrics.ErrInvalidInput},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := tc.in.Engagements(tc.kinds)
			require.ErrorIs(t, err, tc.err)
			require.Equal(t, tc.want, got)
		})
	}
	require.Equal(t, int64(40), sample.Count(metrics.KindClick))
	require.Zero(t, sample.Count(metrics.KindImpression))
}

func TestEngagementRate(t *testing.T) {
	d := metrics.DefaultEngagementKinds
	runFloatCases(t, []floatCase{
		{name: "normal", got: func() (float64, error) { return metrics.EngagementRate(sample, d, 5000) }, want: 0.03},
		{name: "above one", got: func() (float64, error) { return metrics.EngagementRate(sample, d, 100) }, want: 1.5},
		{name: "zero engagements", got: func() (float64, error) { return metrics.EngagementRate(metrics.Interactions{}, d, 10) }, want: 0},
		{name: "zero denominator", got: func() (float64, error) { return metrics.EngagementRate(sample, d, 0) }, err: metrics.ErrUndefined},
		{name: "huge", got: func() (float64, error) {
			return metrics.EngagementRate(metrics.Interactions{Likes: big, Comments: big, Shares: big, Saves: big}, d, big)
		}, want: 4},
		{name: "negative denominator", got: func() (float64, error) { return metrics.EngagementRate(sample, d, -1) }, err: metrics.ErrInvalidInput},
		{name: "negative count", got: func() (float64, error) { return metrics.EngagementRate(metrics.Interactions{Likes: -1}, d, 1) }, err: metrics.ErrInvalidInput},
		{name: "invalid kinds", got: func() (float64, error) { return metrics.EngagementRate(sample, 1<<15, 1) }, err: metrics.ErrInvalidInput},
	})
}

var post1 = metrics.PostStats{Interactions: metrics.Interactions{Likes: 80, Comments: 10, Shares: 5, Saves: 5}, Impressions: 4000, Reach: 2500, FollowersAtPost: 10000}
var post2 = metrics.PostStats{Interactions: metrics.Interactions{Likes: 10}, Impressions: 1000, Reach: 500, FollowersAtPost: 10000}

func TestPostEngagementRate(t *testing.T) {
	d := metrics.DefaultEngagementKinds
	runFloatCases(t, []floatCase{
		{name: "impressions", got: func() (float64, error) { return metrics.PostEngagementRate(post1, d, metrics.ByImpressions) }, want: 0.025},
		{name: "reach", got: func() (float64, error) { return metrics.PostEngagementRate(post1, d, metrics.ByReach) }, want: 0.04},
		{name: "followers", got: func() (float64, error) { return metrics.PostEngagementRate(post1, d, metrics.ByFollowers) }, want: 0.01},
		{name: "zero reach", got: func() (float64, error) { return metrics.PostEngagementRate(metrics.PostStats{}, d, metrics.ByReach) }, err: metrics.ErrUndefined},
		{name: "huge", got: func() (float64, error) {
			return metrics.PostEngagementRate(metrics.PostStats{Interactions: metrics.Interactions{Likes: big}, Impressions: big}, d, metrics.ByImpressions)
		}, want: 1},
		{name: "unknown basis", got: func() (float64, error) { return metrics.PostEngagementRate(post1, d, 0) }, err: metrics.ErrInvalidInput},
		{name: "negative impressions", got: func() (float64, error) {
			return metrics.PostEngagementRate(metrics.PostStats{Impressions: -5}, d, metrics.ByImpressions)
		}, err: metrics.ErrInvalidInput},
	})
}

func TestMeanAndPooledEngagementRate(t *testing.T) {
	d := metrics.DefaultEngagementKinds
	zero := metrics.PostStats{Interactions: metrics.Interactions{Likes: 50}}
	hugePost := metrics.PostStats{Interactions: metrics.Interactions{Likes: big}, Impressions: big}
	runFloatCases(t, []floatCase{
		// post1: 100/4000 = 0.025; post2: 10/1000 = 0.01.
		{name: "mean", got: func() (float64, error) {
			return metrics.MeanEngagementRate([]metrics.PostStats{post1, post2}, d, metrics.ByImpressions)
		}, want: 0.0175},
		{name: "pooled", got: func() (float64, error) {
			return metrics.PooledEngagementRate([]metrics.PostStats{post1, post2}, d, metrics.ByImpressions)
		}, want: 110.0 / 5000},
		{name: "mean skips zero denominator", got: func() (float64, error) {
			return metrics.MeanEngagementRate([]metrics.PostStats{post1, zero, post2}, d, metrics.ByImpressions)
		}, want: 0.0175},
		{name: "pooled counts engagements of zero-denominator posts", got: func() (float64, error) {
			return metrics.PooledEngagementRate([]metrics.PostStats{post1, zero, post2}, d, metrics.ByImpressions)
		}, want: 160.0 / 5000},
		{name: "mean by followers", got: func() (float64, error) {
			return metrics.MeanEngagementRate([]metrics.PostStats{post1, post2}, d, metrics.ByFollowers)
		}, want: 0.0055},
		{name: "mean none defined", got: func() (float64, error) {
			return metrics.MeanEngagementRate([]metrics.PostStats{zero}, d, metrics.ByImpressions)
		}, err: metrics.ErrUndefined},
		{name: "mean empty", got: func() (float64, error) { return metrics.MeanEngagementRate(nil, d, metrics.ByReach) }, err: metrics.ErrUndefined},
		{name: "pooled empty", got: func() (float64, error) { return metrics.PooledEngagementRate(nil, d, metrics.ByReach) }, err: metrics.ErrUndefined},
		{name: "pooled huge", got: func() (float64, error) {
			return metrics.PooledEngagementRate([]metrics.PostStats{hugePost, hugePost, hugePost}, d, metrics.ByImpressions)
		}, want: 1},
		{name: "mean huge", got: func() (float64, error) {
			return metrics.MeanEngagementRate([]metrics.PostStats{hugePost, hugePost}, d, metrics.ByImpressions)
		}, want: 1},
		{name: "mean negative", got: func() (float64, error) {
			return metrics.MeanEngagementRate([]metrics.PostStats{post1, {Reach: -1}}, d, metrics.ByReach)
		}, err: metrics.ErrInvalidInput},
		{name: "pooled negative", got: func() (float64, error) {
			return metrics.PooledEngagementRate([]metrics.PostStats{{Interactions: metrics.Interactions{Saves: -1}}}, d, metrics.ByReach)
		}, err: metrics.ErrInvalidInput},
		{name: "pooled bad basis", got: func() (float64, error) { return metrics.PooledEngagementRate([]metrics.PostStats{post1}, d, 7) }, err: metrics.ErrInvalidInput},
	})
	_, err := metrics.MeanEngagementRate([]metrics.PostStats{post1, {Reach: -1}}, d, metrics.ByReach)
	var ie *metrics.InputError
	require.ErrorAs(t, err, &ie)
	require.Equal(t, "posts[1].Reach", ie.Field)
}
