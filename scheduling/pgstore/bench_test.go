package pgstore_test

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/storetest"
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

// BenchmarkPostgresDispatch: see storetest.Dispatch (dispatches/s from a backlog; at
// 2,000 due posts a second, dispatches/s and the p50 and p99 lateness).
func BenchmarkPostgresDispatch(b *testing.B) {
	storetest.Dispatch(b, func(b *testing.B) scheduling.Store { return open(b, freshSchema(b)) }, 5*time.Millisecond)
}
