package scheduling_test

import (
	"context"
	"fmt"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/memconnector"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/memstore"
)

// In these tests time is synctest's: RealClock and the network read the
// bubble's clock, time.Sleep advances it at once, synctest.Wait waits for
// every goroutine to block.

func TestStartDispatchesOnTimer(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		net := memconnector.NewNetwork(nil)
		acct, err := net.Account(ctx, "brand", nil)
		require.NoError(t, err)
		published := make(chan scheduling.Event, 10)
		s, err := scheduling.New(scheduling.Config{Store: memstore.New(), Accounts: scheduling.AccountMap(map[string]*connectors.Account{"brand": acct}),
			PollInterval: 24 * time.Hour, Hooks: scheduling.Hooks{Published: func(e scheduling.Event) { published <- e }}})
		require.NoError(t, err)
		require.NoError(t, s.Start(ctx))
		require.Error(t, s.Start(ctx), "already running")
		start := time.Now()
		_, ts, err := s.Create(ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "à 10h"},
			Targets: []scheduling.TargetSpec{{AccountID: "brand", At: start.Add(time.Hour)}}})
		require.NoError(t, err)
		time.Sleep(time.Hour - time.Millisecond)
		synctest.Wait()
		require.Empty(t, published)
		time.Sleep(time.Millisecond)
		synctest.Wait()
		require.Len(t, published, 1)
		e := <-published
		require.Equal(t, ts[0].ID, e.TargetID)
		require.Equal(t, start.Add(time.Hour), e.At, "dispatched on the due instant, by a timer, not a poll")
		require.NoError(t, s.Stop(ctx))
		require.NoError(t, s.Stop(ctx), "stopping twice is fine")
	})
}

func TestStopReleasesUnstartedLeases(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		d := &fakeDriver{block: make(chan struct{}), entered: make(chan struct{}, 10)}
		acct, err := connectors.NewAccount(ctx, d, nil)
		require.NoError(t, err)
		store := memstore.New()
		s, err := scheduling.New(scheduling.Config{Store: store, Accounts: scheduling.AccountMap(map[string]*connectors.Account{"fake": acct}),
			Workers: 1, Owner: "w1"})
		require.NoError(t, err)
		var ids []string
		for i := range 3 {
			_, ts, err := s.Create(ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: fmt.Sprint("post ", i)},
				Targets: []scheduling.TargetSpec{{AccountID: "fake", Now: true}}})
			require.NoError(t, err)
			ids = append(ids, ts[0].ID)
		}
		require.NoError(t, s.Start(ctx))
		<-d.entered // the first publish is in flight
		stopped := make(chan error, 1)
		go func() { stopped <- s.Stop(ctx) }()
		synctest.Wait()
		require.Empty(t, stopped, "Stop waits for the publish in flight")
		close(d.block)
		require.NoError(t, <-stopped)
		require.Len(t, d.published(), 1)
		states := map[scheduling.State]int{}
		for _, id := range ids {
			tg, err := store.GetTarget(ctx, id)
			require.NoError(t, err)
			states[tg.State]++
			if tg.State == scheduling.Scheduled {
				require.Zero(t, tg.Attempt)
				require.Empty(t, tg.LeaseOwner)
				audit, err := store.ListAudit(ctx, scheduling.AuditFilter{TargetID: id})
				require.NoError(t, err)
				require.Equal(t, "released", audit[len(audit)-1].Action)
			}
		}
		require.Equal(t, map[scheduling.State]int{scheduling.Published: 1, scheduling.Scheduled: 2}, states)

		// Another scheduler claims the released targets at once.
		s2, err := scheduling.New(scheduling.Config{Store: store, Accounts: scheduling.AccountMap(map[string]*connectors.Account{"fake": acct}), Owner: "w2"})
		require.NoError(t, err)
		n, err := s2.RunDue(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, n)
		require.Len(t, d.published(), 3)
	})
}

func TestStopTimeoutCancelsInFlight(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		d := &fakeDriver{block: make(chan struct{}), entered: make(chan struct{}, 10)}
		acct, err := connectors.NewAccount(ctx, d, nil)
		require.NoError(t, err)
		store := memstore.New()
		s, err := scheduling.New(scheduling.Config{Store: store, Accounts: scheduling.AccountMap(map[string]*connectors.Account{"fake": acct}), Workers: 1})
		require.NoError(t, err)
		_, ts, err := s.Create(ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "stuck"}, Targets: []scheduling.TargetSpec{{AccountID: "fake", Now: true}}})
		require.NoError(t, err)
		require.NoError(t, s.Start(ctx))
		<-d.entered
		sctx, cancel := context.WithTimeout(ctx, 5*time.Second)
		defer cancel()
		require.ErrorIs(t, s.Stop(sctx), context.DeadlineExceeded)
		tg, err := store.GetTarget(ctx, ts[0].ID)
		require.NoError(t, err)
		require.Equal(t, scheduling.Scheduled, tg.State)
		require.True(t, tg.Unknown, "a publish cut short is reconciled before any retry")
	})
}

func TestConcurrentSchedulersPublishExactlyOnce(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		ctx := context.Background()
		net := memconnector.NewNetwork(nil)
		accounts := map[string]*connectors.Account{}
		for _, h := range []string{"a", "b", "c"} {
			acct, err := net.Account(ctx, h, nil)
			require.NoError(t, err)
			accounts[h] = acct
		}
		store := memstore.New()
		var mu sync.Mutex
		published := map[string]int{}
		hooks := scheduling.Hooks{Published: func(e scheduling.Event) {
			mu.Lock()
			published[e.TargetID]++
			mu.Unlock()
		}}
		var scheds []*scheduling.Scheduler
		for i := range 2 {
			s, err := scheduling.New(scheduling.Config{Store: store, Accounts: scheduling.AccountMap(accounts), Workers: 3,
				BatchSize: 8, Owner: fmt.Sprint("w", i), Hooks: hooks})
			require.NoError(t, err)
			require.NoError(t, s.Start(ctx))
			scheds = append(scheds, s)
		}
		const n = 300
		start := time.Now()
		for i := range n {
			_, _, err := scheds[i%2].Create(ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: fmt.Sprint("post ", i)},
				Targets: []scheduling.TargetSpec{{AccountID: []string{"a", "b", "c"}[i%3], At: start.Add(time.Duration(i%10) * time.Minute)}}})
			require.NoError(t, err)
		}
		time.Sleep(10 * time.Minute)
		synctest.Wait()
		for _, s := range scheds {
			require.NoError(t, s.Stop(ctx))
		}
		require.Len(t, published, n)
		for id, k := range published {
			require.Equal(t, 1, k, id)
		}
		total := net.PublishCount("a") + net.PublishCount("b") + net.PublishCount("c")
		require.EqualValues(t, n, total)
		ts, err := store.ListTargets(ctx, scheduling.TargetFilter{States: []scheduling.State{scheduling.Published}})
		require.NoError(t, err)
		require.Len(t, ts, n)
	})
}
