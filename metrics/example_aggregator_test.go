package metrics_test

import (
	"fmt"
	"time"

	"github.com/cmkit/cmkit/metrics"
)

func ExampleAggregator() {
	paris, _ := time.LoadLocation("Europe/Paris")
	a, _ := metrics.NewAggregator(metrics.AggregatorConfig{Location: paris, Granularity: metrics.ISOWeek})
	mon := time.Date(2025, 6, 2, 9, 0, 0, 0, paris)
	for _, e := range []metrics.Event{
		{Time: mon, Network: "instagram", Post: "croissant-reel", Kind: metrics.KindImpression, Count: 4000},
		{Time: mon, Network: "instagram", Post: "croissant-reel", Kind: metrics.KindLike, Count: 180},
		{Time: mon, Network: "instagram", Post: "croissant-reel", Kind: metrics.KindShare, Count: 20},
		{Time: mon, Network: "linkedin", Post: "hiring", Kind: metrics.KindImpression, Count: 2500},
		{Time: mon, Network: "linkedin", Post: "hiring", Kind: metrics.KindLike, Count: 50},
		{Time: mon, Network: "linkedin", Post: "hiring", Kind: metrics.KindClick, Count: 40},
	} {
		if err := a.Add(e); err != nil {
			fmt.Println(err)
		}
	}
	_ = a.ObserveFollowers(mon, "instagram", 8000)
	_ = a.ObserveFollowers(mon.Add(6*24*time.Hour), "instagram", 8240)

	for _, n := range a.Networks() {
		er, _ := n.EngagementRate(metrics.ByImpressions)
		ctr, _ := n.ClickThroughRate()
		fmt.Printf("%-9s ER %.4f CTR %.4f", n.Network, er, ctr)
		if g, err := n.GrowthRate(); err == nil {
			fmt.Printf(" growth %+.3f", g)
		}
		fmt.Println()
	}
	y, w := a.Total().Start.ISOWeek()
	fmt.Printf("week %d-W%02d\n", y, w)
	// Output:
	// instagram ER 0.0500 CTR 0.0000 growth +0.030
	// linkedin  ER 0.0200 CTR 0.0160
	// week 2025-W23
}

func ExampleNewAggregator() {
	a, err := metrics.NewAggregator(metrics.AggregatorConfig{}) // UTC, daily, default kinds
	fmt.Println(a != nil, err)
	_, err = metrics.NewAggregator(metrics.AggregatorConfig{Kinds: metrics.KindsOf(metrics.KindImpression)})
	fmt.Println(err != nil)
	// Output:
	// true <nil>
	// true
}

func ExampleAggregator_Add() {
	a, _ := metrics.NewAggregator(metrics.AggregatorConfig{})
	at := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	fmt.Println(a.Add(metrics.Event{Time: at, Network: "bluesky", Post: "p1", Kind: metrics.KindLike, Count: 3}))
	fmt.Println(a.Add(metrics.Event{Time: at, Network: "bluesky", Post: "p1", Kind: metrics.KindLike, Count: -3}))
	fmt.Println(a.Total().Likes)
	// Output:
	// <nil>
	// metrics: Aggregator.Add: invalid Count (-3): must not be negative
	// 3
}

// Days are computed in the aggregator's location: in Paris, the day clocks
// spring forward lasts 23 hours.
func ExampleAggregator_Buckets() {
	paris, _ := time.LoadLocation("Europe/Paris")
	a, _ := metrics.NewAggregator(metrics.AggregatorConfig{Location: paris, Granularity: metrics.Day})
	for _, at := range []time.Time{
		time.Date(2025, 3, 29, 12, 0, 0, 0, paris),
		time.Date(2025, 3, 30, 12, 0, 0, 0, paris),
		time.Date(2025, 3, 29, 23, 30, 0, 0, time.UTC), // 00:30 on the 30th in Paris
	} {
		_ = a.Add(metrics.Event{Time: at, Network: "mastodon", Kind: metrics.KindShare, Count: 1})
	}
	for _, b := range a.Buckets() {
		fmt.Println(b.Start.Format("2006-01-02"), b.End.Sub(b.Start), b.Shares)
	}
	// Output:
	// 2025-03-29 24h0m0s 1
	// 2025-03-30 23h0m0s 2
}

func ExampleAggregator_NetworkBuckets() {
	a, _ := metrics.NewAggregator(metrics.AggregatorConfig{Granularity: metrics.Month})
	_ = a.ObserveFollowers(time.Date(2025, 5, 1, 0, 0, 0, 0, time.UTC), "linkedin", 2000)
	_ = a.ObserveFollowers(time.Date(2025, 5, 31, 0, 0, 0, 0, time.UTC), "linkedin", 2100)
	_ = a.ObserveFollowers(time.Date(2025, 6, 30, 0, 0, 0, 0, time.UTC), "linkedin", 2150)
	_ = a.Add(metrics.Event{Time: time.Date(2025, 6, 10, 0, 0, 0, 0, time.UTC), Network: "linkedin", Kind: metrics.KindUnfollow, Count: 12})
	_ = a.ObserveFollowers(time.Date(2025, 6, 1, 0, 0, 0, 0, time.UTC), "linkedin", 2100)
	for _, s := range a.NetworkBuckets() {
		g, _ := s.GrowthRate()
		c, _ := s.ChurnRate()
		fmt.Printf("%s %s growth %.4f churn %.4f\n", s.Network, s.Start.Format("2006-01"), g, c)
	}
	// Output:
	// linkedin 2025-05 growth 0.0500 churn 0.0000
	// linkedin 2025-06 growth 0.0238 churn 0.0057
}

func ExampleAggregator_Posts() {
	a, _ := metrics.NewAggregator(metrics.AggregatorConfig{})
	at := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	_ = a.Add(metrics.Event{Time: at, Network: "instagram", Post: "b", Kind: metrics.KindLike, Count: 30})
	_ = a.Add(metrics.Event{Time: at, Network: "instagram", Post: "a", Kind: metrics.KindComment, Count: 4})
	_ = a.ObserveReach("instagram", "b", 600)
	for _, p := range a.Posts() {
		r, err := p.EngagementRate(metrics.ByReach)
		fmt.Println(p.Post, p.Reach, r, err)
	}
	// Output:
	// a 0 0 metrics: undefined: zero denominator
	// b 600 0.05 <nil>
}

// Aggregate on several goroutines, then merge.
func ExampleAggregator_Merge() {
	cfg := metrics.AggregatorConfig{}
	at := time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC)
	parts := make([]*metrics.Aggregator, 3)
	for i := range parts {
		parts[i], _ = metrics.NewAggregator(cfg)
		_ = parts[i].Add(metrics.Event{Time: at, Network: "bluesky", Kind: metrics.KindImpression, Count: 100})
	}
	all, _ := metrics.NewAggregator(cfg)
	for _, p := range parts {
		if err := all.Merge(p); err != nil {
			fmt.Println(err)
		}
	}
	fmt.Println(all.Total().Impressions)
	// Output: 300
}

func ExampleAggregator_Network() {
	a, _ := metrics.NewAggregator(metrics.AggregatorConfig{})
	_ = a.Add(metrics.Event{Time: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC), Network: "mastodon", Kind: metrics.KindImpression, Count: 900})
	_ = a.Add(metrics.Event{Time: time.Date(2025, 6, 2, 9, 0, 0, 0, time.UTC), Network: "mastodon", Kind: metrics.KindShare, Count: 9})
	s, ok := a.Network("mastodon")
	v, _ := s.ViralityRate()
	fmt.Println(ok, v)
	_, ok = a.Network("threads")
	fmt.Println(ok)
	// Output:
	// true 0.01
	// false
}

func ExampleSummary_Engagements() {
	s := metrics.Summary{Totals: metrics.Totals{Interactions: metrics.Interactions{Likes: 10, Clicks: 5}}, Kinds: metrics.DefaultEngagementKinds}
	e, _ := s.Engagements()
	fmt.Println(e)
	// Output: 10
}
