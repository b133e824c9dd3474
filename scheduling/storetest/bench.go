package storetest

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/scheduling"
)

// Dispatch benchmarks a Scheduler (default Config: 8 workers, batches of
// 256) on the store newStore returns, dispatching b.N posts (at least
// 1,000) to an in-process no-op driver over 10 accounts, so every store
// is measured the same way:
//
//   - Backlog: every post is due when the scheduler starts; it reports
//     dispatches/s, the drain rate.
//   - Paced2000: posts fall due at 2,000 a second; it reports
//     dispatches/s and the p50 and p99 lateness (publish time minus due
//     time) in ms. perPost is the time the store needs to create one post
//     (the first post falls due once every post is created, with that
//     budget: a store slower than that fails the benchmark rather than
//     reporting lateness that is only setup).
//
// Call it from a benchmark of the store's package:
//
//	func BenchmarkDispatch(b *testing.B) {
//		storetest.Dispatch(b, func(b *testing.B) scheduling.Store { ... }, time.Millisecond)
//	}
func Dispatch(b *testing.B, newStore func(b *testing.B) scheduling.Store, perPost time.Duration) {
	b.Run("Backlog", func(b *testing.B) { dispatch(b, newStore(b), 0, perPost) })
	b.Run("Paced2000", func(b *testing.B) { dispatch(b, newStore(b), 2000, perPost) })
}

func dispatch(b *testing.B, store scheduling.Store, rate int, perPost time.Duration) {
	n := max(b.N, 1000)
	ctx := context.Background()
	drv := &noopDriver{seen: make(map[string]time.Time, n)}
	accts := make(map[string]*connectors.Account)
	for i := range 10 {
		a, err := connectors.NewAccount(ctx, drv, nil)
		require.NoError(b, err)
		accts[fmt.Sprintf("acct-%d", i)] = a
	}
	var published atomic.Int64
	done := make(chan struct{})
	sched, err := scheduling.New(scheduling.Config{Store: store, Accounts: scheduling.AccountMap(accts),
		Hooks: scheduling.Hooks{Published: func(scheduling.Event) {
			if published.Add(1) == int64(n) {
				close(done)
			}
		}}})
	require.NoError(b, err)

	// Plan: with a rate, the first post falls due once every post is
	// created (the budget is generous, and checked).
	start := time.Now()
	if rate > 0 {
		start = start.Add(200*time.Millisecond + time.Duration(n)*perPost)
	}
	due := make(map[string]time.Time, n)
	for i := range n {
		spec := scheduling.TargetSpec{AccountID: fmt.Sprintf("acct-%d", i%10), Now: true}
		if rate > 0 {
			spec = scheduling.TargetSpec{AccountID: spec.AccountID,
				At: start.Add(time.Duration(i) * time.Second / time.Duration(rate))}
		}
		_, ts, err := sched.Create(ctx, scheduling.Actor{ID: "bench"}, scheduling.NewPost{
			Content: connectors.Post{Text: fmt.Sprintf("Brioche n°%d", i)}, Targets: []scheduling.TargetSpec{spec}})
		require.NoError(b, err)
		due[ts[0].Key] = ts[0].Due
	}
	if rate > 0 && time.Now().After(start) {
		b.Fatalf("creating %d posts took longer than the budget of %s each", n, perPost)
	}

	b.ResetTimer()
	t0 := time.Now()
	require.NoError(b, sched.Start(ctx))
	<-done
	elapsed := time.Since(t0)
	b.StopTimer()
	require.NoError(b, sched.Stop(ctx))

	require.Len(b, drv.seen, n)
	var last time.Time
	late := make([]time.Duration, 0, n)
	for key, at := range drv.seen {
		late = append(late, at.Sub(due[key]))
		if at.After(last) {
			last = at
		}
	}
	slices.Sort(late)
	if rate > 0 {
		// Throughput over the span posts were due in.
		b.ReportMetric(float64(n)/last.Sub(start).Seconds(), "dispatches/s")
		b.ReportMetric(float64(late[len(late)*99/100])/float64(time.Millisecond), "p99-late-ms")
		b.ReportMetric(float64(late[len(late)/2])/float64(time.Millisecond), "p50-late-ms")
	} else {
		b.ReportMetric(float64(n)/elapsed.Seconds(), "dispatches/s")
	}
}

// noopDriver publishes instantly, recording when each idempotency key
// reached it.
type noopDriver struct {
	mu   sync.Mutex
	seen map[string]time.Time
}

func (d *noopDriver) Describe(context.Context) (driver.Description, error) {
	return driver.Description{Network: "noop", AccountID: "noop", Handle: "noop", Idempotent: true,
		Limits: driver.Limits{MaxText: 1000}}, nil
}

func (d *noopDriver) Publish(_ context.Context, _ *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	now := time.Now()
	d.mu.Lock()
	if _, ok := d.seen[o.IdempotencyKey]; !ok {
		d.seen[o.IdempotencyKey] = now
	}
	d.mu.Unlock()
	return driver.PublishResult{Status: driver.Published, ID: o.IdempotencyKey, PublishedAt: now}, nil
}
