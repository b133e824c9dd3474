package scheduling_test

import (
	"context"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/memconnector"
	"github.com/cmkit/cmkit/internal/pgtest"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/memstore"
	"github.com/cmkit/cmkit/scheduling/pgstore"
	"github.com/cmkit/cmkit/scheduling/sqlitestore"
)

// TestQueueAcrossSchedulers queues many posts to one account at once
// from two Schedulers sharing a Store, as two processes would: every post
// is queued, and no two share a slot.
func TestQueueAcrossSchedulers(t *testing.T) {
	stores := []struct {
		name string
		open func(t *testing.T) (a, b scheduling.Store)
	}{
		{"Memory", func(t *testing.T) (scheduling.Store, scheduling.Store) {
			s := memstore.New()
			return s, s
		}},
		{"SQLiteFile", func(t *testing.T) (scheduling.Store, scheduling.Store) {
			path := filepath.Join(t.TempDir(), "cal.db")
			return openSQLite(t, path), openSQLite(t, path)
		}},
		{"Postgres", func(t *testing.T) (scheduling.Store, scheduling.Store) {
			url, schema := pgtest.URL(t), pgtest.Schema(t)
			a := openPostgres(t, url, schema)
			return a, openPostgres(t, url, schema)
		}},
	}
	for _, st := range stores {
		t.Run(st.name, func(t *testing.T) {
			ctx := context.Background()
			storeA, storeB := st.open(t)
			clock := scheduling.NewFakeClock(monday)
			net := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: clock.Now, Profile: "x"})
			acct, err := net.Account(ctx, "brand", accountOptions(clock.Now))
			require.NoError(t, err)
			accounts := scheduling.AccountMap(map[string]*connectors.Account{"brand": acct})
			var scheds []*scheduling.Scheduler
			for i, store := range []scheduling.Store{storeA, storeB} {
				s, err := scheduling.New(scheduling.Config{Store: store, Accounts: accounts, Clock: clock, Owner: fmt.Sprintf("w%d", i)})
				require.NoError(t, err)
				scheds = append(scheds, s)
			}
			slots, err := scheduling.ParseSlots("daily 09:00, 12:00, 15:00 and 18:00 UTC")
			require.NoError(t, err)
			require.NoError(t, scheds[0].SetSchedule(ctx, cm, "brand", slots))

			const workers, each = 4, 15 // per scheduler
			var wg sync.WaitGroup
			errs := make(chan error, 2*workers*each)
			for _, s := range scheds {
				for w := range workers {
					wg.Add(1)
					go func() {
						defer wg.Done()
						for i := range each {
							_, _, err := s.Create(ctx, cm, scheduling.NewPost{
								Content: connectors.Post{Text: fmt.Sprintf("post %d-%d", w, i)},
								Targets: []scheduling.TargetSpec{{AccountID: "brand", Queue: true}}})
							errs <- err
						}
					}()
				}
			}
			wg.Wait()
			close(errs)
			for err := range errs {
				require.NoError(t, err)
			}
			ts, err := storeA.ListTargets(ctx, scheduling.TargetFilter{AccountID: "brand"})
			require.NoError(t, err)
			require.Len(t, ts, 2*workers*each)
			seen := map[int64]string{}
			for _, tg := range ts {
				require.True(t, tg.Queued)
				k := tg.Due.UnixNano()
				require.Empty(t, seen[k], "targets %s and %s share the slot %v", seen[k], tg.ID, tg.Due)
				seen[k] = tg.ID
			}
		})
	}
}

func openSQLite(t *testing.T, path string) *sqlitestore.Store {
	s, err := sqlitestore.Open(context.Background(), path, nil)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func openPostgres(t *testing.T, url, schema string) *pgstore.Store {
	s, err := pgstore.Open(context.Background(), url, &pgstore.Options{Schema: schema})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

// TestQueueSlotsAcrossPaths checks the other paths that assign or move
// queue slots keep them unique: a change of zone where one target moves to
// the instant another one leaves, a swap, resuming with MoveToNextSlot,
// and a slot taken by another scheduler between the choice and the write.
func TestQueueSlotsAcrossPaths(t *testing.T) {
	t.Run("RezoneOntoAnotherSlot", func(t *testing.T) {
		h := newHarness(t, []string{"brand"})
		slots, err := scheduling.ParseSlots("daily 10:00 and 11:00 Europe/Paris")
		require.NoError(t, err)
		require.NoError(t, h.sched.SetSchedule(h.ctx, cm, "brand", slots))
		_, a := h.create("a", scheduling.TargetSpec{AccountID: "brand", Queue: true})
		_, b := h.create("b", scheduling.TargetSpec{AccountID: "brand", Queue: true})
		require.Equal(t, utc(2026, 3, 2, 10, 0), b[0].Due.UTC())
		// 10:00 London is 11:00 Paris: a moves to b's old instant, which
		// b leaves in the same change.
		require.NoError(t, h.sched.Rezone(h.ctx, cm, "brand", "Europe/London"))
		ga, gb := h.target(a[0].ID), h.target(b[0].ID)
		require.Equal(t, utc(2026, 3, 2, 10, 0), ga.Due.UTC())
		require.Equal(t, utc(2026, 3, 2, 11, 0), gb.Due.UTC())
		require.Equal(t, "Europe/London", ga.Zone)
	})
	t.Run("SwapQueued", func(t *testing.T) {
		h := newHarness(t, []string{"brand"})
		slots, err := scheduling.ParseSlots("daily 09:00 UTC")
		require.NoError(t, err)
		require.NoError(t, h.sched.SetSchedule(h.ctx, cm, "brand", slots))
		_, a := h.create("a", scheduling.TargetSpec{AccountID: "brand", Queue: true})
		_, b := h.create("b", scheduling.TargetSpec{AccountID: "brand", Queue: true})
		require.NoError(t, h.sched.Swap(h.ctx, cm, a[0].ID, b[0].ID))
		require.Equal(t, b[0].Due, h.target(a[0].ID).Due)
		require.Equal(t, a[0].Due, h.target(b[0].ID).Due)
	})
	t.Run("ResumeToNextSlots", func(t *testing.T) {
		h := newHarness(t, []string{"brand"})
		slots, err := scheduling.ParseSlots("daily 09:00 UTC")
		require.NoError(t, err)
		require.NoError(t, h.sched.SetSchedule(h.ctx, cm, "brand", slots))
		require.NoError(t, h.sched.SetPolicy(h.ctx, "brand", scheduling.MoveToNextSlot, 0))
		_, a := h.create("a", scheduling.TargetSpec{AccountID: "brand", Queue: true})
		_, b := h.create("b", scheduling.TargetSpec{AccountID: "brand", Queue: true})
		_, c := h.create("c", scheduling.TargetSpec{AccountID: "brand", Queue: true})
		require.NoError(t, h.sched.Pause(h.ctx, cm, "brand", "crisis"))
		h.clock.Set(b[0].Due.Add(time.Minute)) // a and b missed
		require.NoError(t, h.sched.Resume(h.ctx, cm, "brand"))
		seen := map[time.Time]string{}
		for _, id := range []string{a[0].ID, b[0].ID, c[0].ID} {
			g := h.target(id)
			require.True(t, g.HoldsQueueSlot())
			require.Empty(t, seen[g.Due], "%s and %s share %v", seen[g.Due], id, g.Due)
			seen[g.Due] = id
		}
	})
	t.Run("SlotTakenBetweenChoiceAndWrite", func(t *testing.T) {
		// Another scheduler takes each slot this one chooses, a few
		// times: the post still gets the next free slot.
		racer := &racingStore{races: 3}
		h := newHarness(t, []string{"brand"}, func(c *scheduling.Config) { racer.Store, c.Store = c.Store, racer })
		inner := h.store
		slots, err := scheduling.ParseSlots("daily 09:00 UTC")
		require.NoError(t, err)
		require.NoError(t, h.sched.SetSchedule(h.ctx, cm, "brand", slots))
		_, ts := h.create("a", scheduling.TargetSpec{AccountID: "brand", Queue: true})
		require.Zero(t, racer.races)
		all, err := inner.ListTargets(h.ctx, scheduling.TargetFilter{AccountID: "brand"})
		require.NoError(t, err)
		require.Len(t, all, 4)
		seen := map[time.Time]bool{}
		for _, o := range all {
			require.False(t, seen[o.Due], "slot %v taken twice", o.Due)
			seen[o.Due] = true
		}
		require.True(t, h.target(ts[0].ID).HoldsQueueSlot())

		// A store where every slot is always taken first: a clear error.
		racer.races = 1 << 30
		_, _, err = h.sched.Create(h.ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "b"},
			Targets: []scheduling.TargetSpec{{AccountID: "brand", Queue: true}}})
		require.ErrorIs(t, err, scheduling.ErrSlotTaken)
		require.Contains(t, err.Error(), "another scheduler")
	})
}

// racingStore stands for another scheduler sharing the store: before each
// of the next races writes of queued targets, it queues a post of its own
// on the slot chosen.
type racingStore struct {
	scheduling.Store
	mu    sync.Mutex
	races int
	n     int
}

func (r *racingStore) Apply(ctx context.Context, c *scheduling.Change) error {
	r.mu.Lock()
	for _, t := range c.Targets {
		if r.races == 0 || !t.HoldsQueueSlot() || t.Version != 0 {
			continue
		}
		r.races--
		r.n++
		id := fmt.Sprintf("other-%d", r.n)
		o := *t
		o.ID, o.PostID, o.Key, o.Version = id+"-t", id, "key-"+id, 0
		err := r.Store.Apply(ctx, &scheduling.Change{Post: &scheduling.Post{ID: id, Content: connectors.Post{Text: id}},
			Targets: []*scheduling.Target{&o}})
		if err != nil {
			r.mu.Unlock()
			return err
		}
	}
	r.mu.Unlock()
	return r.Store.Apply(ctx, c)
}
