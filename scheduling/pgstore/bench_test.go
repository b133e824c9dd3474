package pgstore_test

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

// fill schedules n single-target posts due at t0, one post per Change, as
// the scheduler writes them.
func fill(b testing.TB, s scheduling.Store, n int) {
	ctx := context.Background()
	for i := range n {
		id := fmt.Sprintf("p%06d", i)
		p := &scheduling.Post{ID: id, Content: connectors.Post{Text: "Brioche du jour " + id}, CreatedAt: t0, UpdatedAt: t0}
		tg := &scheduling.Target{ID: id + "-t", PostID: id, AccountID: fmt.Sprintf("acct-%d", i%10),
			State: scheduling.Scheduled, Zone: "Europe/Paris", Due: t0, Key: "k-" + id}
		require.NoError(b, s.Apply(ctx, &scheduling.Change{Post: p, Targets: []*scheduling.Target{tg},
			Audit: []scheduling.AuditEntry{{PostID: id, TargetID: tg.ID, At: t0, Actor: "bench", Action: "scheduled", To: scheduling.Scheduled}}}))
	}
}

// BenchmarkClaimComplete measures the store alone: claim a batch of 32
// due targets, then complete them as Published in one group commit. One
// op is one target; targets/s is reported. Claimers runs that many
// claim-complete loops at once, on one Store each (like processes).
func BenchmarkClaimComplete(b *testing.B) {
	for _, claimers := range []int{1, 4} {
		b.Run(fmt.Sprint("Claimers", claimers), func(b *testing.B) {
			ctx := context.Background()
			schema := freshSchema(b)
			s := open(b, schema)
			fill(b, s, b.N)
			var done atomic.Int64
			var wg sync.WaitGroup
			errc := make(chan error, claimers)
			b.ResetTimer()
			start := time.Now()
			for w := range claimers {
				st := s
				if w > 0 {
					st = open(b, schema)
				}
				owner := fmt.Sprint("w", w)
				wg.Add(1)
				go func() {
					defer wg.Done()
					for done.Load() < int64(b.N) {
						cs, err := st.ClaimDue(ctx, t0, owner, time.Minute, 32)
						if err != nil {
							errc <- err
							return
						}
						if len(cs) == 0 {
							return
						}
						comps := make([]scheduling.Completion, len(cs))
						for i, c := range cs {
							comps[i] = scheduling.Completion{TargetID: c.Target.ID, Attempt: c.Target.Attempt, State: scheduling.Published,
								Result: scheduling.Result{PostID: "n-" + c.Target.ID, PublishedAt: t0},
								Audit: []scheduling.AuditEntry{{PostID: c.Target.PostID, TargetID: c.Target.ID, At: t0,
									Actor: "scheduler:" + owner, Action: "published", From: scheduling.Publishing, To: scheduling.Published}}}
						}
						errs, err := st.Complete(ctx, owner, comps)
						if err != nil {
							errc <- err
							return
						}
						for _, e := range errs {
							if e != nil {
								errc <- e
								return
							}
						}
						done.Add(int64(len(cs)))
					}
				}()
			}
			wg.Wait()
			elapsed := time.Since(start)
			b.StopTimer()
			close(errc)
			for err := range errc {
				b.Fatal(err)
			}
			if done.Load() != int64(b.N) {
				b.Fatalf("completed %d of %d", done.Load(), b.N)
			}
			b.ReportMetric(float64(b.N)/elapsed.Seconds(), "targets/s")
		})
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

func (d *noopDriver) Publish(_ context.Context, p *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	now := time.Now()
	d.mu.Lock()
	if _, ok := d.seen[o.IdempotencyKey]; !ok {
		d.seen[o.IdempotencyKey] = now
	}
	d.mu.Unlock()
	return driver.PublishResult{Status: driver.Published, ID: o.IdempotencyKey, PublishedAt: now}, nil
}

// BenchmarkPostgresDispatch runs a Scheduler (default Config: 8 workers,
// batches of 256) on PostgreSQL and dispatches b.N posts (at least 1,000)
// to an in-process no-op driver, over 10 accounts. It reports
// dispatches/s and the p50 and p99 lateness (publish time minus due time)
// in ms.
//
//   - Backlog: every post is due when the scheduler starts; dispatches/s
//     is the drain rate (lateness there is queueing, not reported).
//   - Paced2000: posts fall due at 2,000 a second; p99 lateness is how
//     late a post is published under that load.
func BenchmarkPostgresDispatch(b *testing.B) {
	b.Run("Backlog", func(b *testing.B) { benchDispatch(b, 0) })
	b.Run("Paced2000", func(b *testing.B) { benchDispatch(b, 2000) })
}

func benchDispatch(b *testing.B, rate int) {
	n := max(b.N, 1000)
	ctx := context.Background()
	store := open(b, freshSchema(b))
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
		start = start.Add(time.Second + time.Duration(n)*5*time.Millisecond)
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
		b.Fatalf("creating %d posts took longer than the budget", n)
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
