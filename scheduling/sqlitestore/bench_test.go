package sqlitestore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/sqlitestore"
	"github.com/cmkit/cmkit/scheduling/storetest"
)

// fill schedules n single-target posts due at t0, in batches of 500 posts
// per Apply... one post per Change, as the scheduler writes them.
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
// op is one target; targets/s is reported.
func BenchmarkClaimComplete(b *testing.B) {
	for _, sync := range []string{"NORMAL", "FULL"} {
		b.Run(sync, func(b *testing.B) {
			ctx := context.Background()
			s, err := sqlitestore.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), &sqlitestore.Options{Synchronous: sync})
			require.NoError(b, err)
			defer s.Close()
			fill(b, s, b.N)
			b.ResetTimer()
			start := time.Now()
			done := 0
			for done < b.N {
				cs, err := s.ClaimDue(ctx, t0, "w", time.Minute, 32)
				if err != nil {
					b.Fatal(err)
				}
				if len(cs) == 0 {
					b.Fatalf("nothing to claim after %d", done)
				}
				comps := make([]scheduling.Completion, len(cs))
				for i, c := range cs {
					comps[i] = scheduling.Completion{TargetID: c.Target.ID, Attempt: c.Target.Attempt, State: scheduling.Published,
						Result: scheduling.Result{PostID: "n-" + c.Target.ID, PublishedAt: t0},
						Audit: []scheduling.AuditEntry{{PostID: c.Target.PostID, TargetID: c.Target.ID, At: t0,
							Actor: "scheduler:w", Action: "published", From: scheduling.Publishing, To: scheduling.Published}}}
				}
				errs, err := s.Complete(ctx, "w", comps)
				if err != nil {
					b.Fatal(err)
				}
				for _, e := range errs {
					if e != nil {
						b.Fatal(e)
					}
				}
				done += len(cs)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "targets/s")
		})
	}
}

// BenchmarkSQLiteDispatch: see storetest.Dispatch (dispatches/s from a backlog; at
// 2,000 due posts a second, dispatches/s and the p50 and p99 lateness).
func BenchmarkSQLiteDispatch(b *testing.B) {
	storetest.Dispatch(b, func(b *testing.B) scheduling.Store {
		s, err := sqlitestore.Open(context.Background(), filepath.Join(b.TempDir(), "bench.db"), nil)
		require.NoError(b, err)
		b.Cleanup(func() { s.Close() })
		return s
	}, time.Millisecond)
}
