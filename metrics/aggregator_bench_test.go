package metrics

import (
	"math/rand/v2"
	"strconv"
	"testing"
	"time"
)

// benchEvents returns n events over 4 networks and 200 posts spread across
// 30 days in Europe/Paris, in time order.
func benchEvents(n int) []Event {
	nets := []string{"instagram", "linkedin", "mastodon", "bluesky"}
	posts := make([]string, 200)
	for i := range posts {
		posts[i] = "post-" + strconv.Itoa(i)
	}
	kinds := []Kind{KindImpression, KindImpression, KindImpression, KindLike, KindLike, KindComment, KindShare, KindSave, KindClick}
	start := time.Date(2025, 3, 10, 0, 0, 0, 0, time.UTC)
	step := 30 * 24 * time.Hour / time.Duration(n)
	r := rand.New(rand.NewPCG(1, 2))
	ev := make([]Event, n)
	for i := range ev {
		p := r.IntN(len(posts))
		// Interactions arrive in bursts on the same post.
		if i > 0 && r.IntN(4) != 0 {
			ev[i] = ev[i-1]
		} else {
			ev[i] = Event{Network: nets[p%len(nets)], Post: posts[p]}
		}
		ev[i].Time = start.Add(time.Duration(i) * step)
		ev[i].Kind = kinds[r.IntN(len(kinds))]
		ev[i].Count = 1 + int64(r.IntN(3))
	}
	return ev
}

func benchmarkIngest(b *testing.B, events []Event) {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		b.Fatal(err)
	}
	a, err := NewAggregator(AggregatorConfig{Location: paris, Granularity: Day})
	if err != nil {
		b.Fatal(err)
	}
	for _, e := range events { // warm up: every key and bucket exists
		if err := a.Add(e); err != nil {
			b.Fatal(err)
		}
	}
	mask := len(events) - 1
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if err := a.Add(events[i&mask]); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "events/s")
}

// BenchmarkAggregatorIngest measures Add on events in time order, bursts
// of interactions on one post, 4 networks, 200 posts, 30 daily buckets.
func BenchmarkAggregatorIngest(b *testing.B) {
	benchmarkIngest(b, benchEvents(1<<16))
}

// BenchmarkAggregatorIngestOutOfOrder measures Add on the same events
// shuffled: every event may change bucket, network and post.
func BenchmarkAggregatorIngestOutOfOrder(b *testing.B) {
	ev := benchEvents(1 << 16)
	r := rand.New(rand.NewPCG(3, 4))
	r.Shuffle(len(ev), func(i, j int) { ev[i], ev[j] = ev[j], ev[i] })
	benchmarkIngest(b, ev)
}
