package metrics_test

import (
	"errors"
	"fmt"

	"github.com/cmkit/cmkit/metrics"
)

func Example_errors() {
	_, err := metrics.EngagementRate(metrics.Interactions{Likes: 12}, metrics.DefaultEngagementKinds, 0)
	fmt.Println(errors.Is(err, metrics.ErrUndefined))

	_, err = metrics.EngagementRate(metrics.Interactions{Likes: -12}, metrics.DefaultEngagementKinds, 100)
	var ie *metrics.InputError
	fmt.Println(errors.Is(err, metrics.ErrInvalidInput), errors.As(err, &ie) && ie.Field == "Likes")
	fmt.Println(err)
	// Output:
	// true
	// true true
	// metrics: EngagementRate: invalid Likes (-12): must not be negative
}

func ExampleKindsOf() {
	withClicks := metrics.DefaultEngagementKinds | metrics.KindsOf(metrics.KindClick)
	fmt.Println(withClicks.Has(metrics.KindClick), metrics.DefaultEngagementKinds.Has(metrics.KindClick))
	fmt.Println(metrics.KindVideoView, metrics.KindVideoView.Interaction(), metrics.KindImpression.Interaction(), metrics.Kind(0).Valid())
	// Output:
	// true false
	// video_view true false false
}

func ExampleInteractions_Engagements() {
	in := metrics.Interactions{Likes: 120, Comments: 15, Shares: 9, Saves: 6, Clicks: 40}
	e, _ := in.Engagements(metrics.DefaultEngagementKinds)
	withClicks, _ := in.Engagements(metrics.DefaultEngagementKinds | metrics.KindsOf(metrics.KindClick))
	fmt.Println(e, withClicks, in.Count(metrics.KindClick))
	// Output: 150 190 40
}

func ExampleEngagementRate() {
	in := metrics.Interactions{Likes: 120, Comments: 15, Shares: 9, Saves: 6}
	r, _ := metrics.EngagementRate(in, metrics.DefaultEngagementKinds, 5000) // 5000 impressions
	fmt.Printf("%.3f = %.1f %%\n", r, 100*r)
	// Output: 0.030 = 3.0 %
}

func ExamplePostEngagementRate() {
	p := metrics.PostStats{
		Interactions:    metrics.Interactions{Likes: 80, Comments: 10, Shares: 5, Saves: 5},
		Impressions:     4000,
		Reach:           2500,
		FollowersAtPost: 10000,
	}
	for _, by := range []metrics.Basis{metrics.ByImpressions, metrics.ByReach, metrics.ByFollowers} {
		r, _ := metrics.PostEngagementRate(p, metrics.DefaultEngagementKinds, by)
		fmt.Printf("by %s: %.4f\n", by, r)
	}
	// Output:
	// by impressions: 0.0250
	// by reach: 0.0400
	// by followers: 0.0100
}

// A viral post and a quiet one: the mean of rates weighs them equally, the
// pooled rate weighs them by audience.
func ExampleMeanEngagementRate() {
	posts := []metrics.PostStats{
		{Interactions: metrics.Interactions{Likes: 100}, Impressions: 1000},
		{Interactions: metrics.Interactions{Likes: 100}, Impressions: 9000},
		{Interactions: metrics.Interactions{Likes: 3}}, // not delivered yet: skipped
	}
	mean, _ := metrics.MeanEngagementRate(posts, metrics.DefaultEngagementKinds, metrics.ByImpressions)
	pooled, _ := metrics.PooledEngagementRate(posts, metrics.DefaultEngagementKinds, metrics.ByImpressions)
	fmt.Printf("mean %.4f, pooled %.4f\n", mean, pooled)
	// Output: mean 0.0556, pooled 0.0203
}

func ExamplePooledEngagementRate() {
	posts := []metrics.PostStats{
		{Interactions: metrics.Interactions{Likes: 40, Comments: 5}, Reach: 1500},
		{Interactions: metrics.Interactions{Likes: 15, Shares: 5}, Reach: 500},
	}
	r, _ := metrics.PooledEngagementRate(posts, metrics.DefaultEngagementKinds, metrics.ByReach)
	fmt.Printf("%.4f\n", r) // (45 + 20) / (1500 + 500)
	// Output: 0.0325
}
