package sqlitestore_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/sqlitestore"
	"github.com/cmkit/cmkit/scheduling/storetest"
)

func openFile(t *testing.T, path string, opts *sqlitestore.Options) *sqlitestore.Store {
	t.Helper()
	s, err := sqlitestore.Open(context.Background(), path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	t.Run("File", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) scheduling.Store {
			return openFile(t, filepath.Join(t.TempDir(), "cal.db"), nil)
		})
	})
	t.Run("Memory", func(t *testing.T) {
		storetest.Run(t, func(t *testing.T) scheduling.Store {
			return openFile(t, ":memory:", nil)
		})
	})
}

var t0 = time.Date(2026, 3, 27, 9, 30, 0, 0, time.UTC)

func schedule(t *testing.T, s scheduling.Store, id string) {
	t.Helper()
	p := &scheduling.Post{ID: id, Content: connectors.Post{Text: "Nouvelle brioche " + id}, CreatedAt: t0, UpdatedAt: t0}
	tg := &scheduling.Target{ID: id + "-t", PostID: id, AccountID: "maison-brioche", State: scheduling.Scheduled,
		Local: scheduling.Civil{Year: 2026, Month: 3, Day: 27, Hour: 10, Minute: 30}, Zone: "Europe/Paris",
		Due: t0, Key: "key-" + id}
	require.NoError(t, s.Apply(context.Background(), &scheduling.Change{Post: p, Targets: []*scheduling.Target{tg},
		Audit: []scheduling.AuditEntry{{PostID: id, TargetID: tg.ID, At: t0, Actor: "camille", Action: "scheduled",
			To: scheduling.Scheduled}}}))
}

func TestReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cal.db")
	s, err := sqlitestore.Open(ctx, path, nil)
	require.NoError(t, err)
	schedule(t, s, "p1")
	claims, err := s.ClaimDue(ctx, t0, "w1", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, claims, 1)
	require.NoError(t, s.Close())

	s = openFile(t, path, nil)
	p, ts, err := s.GetPost(ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, "Nouvelle brioche p1", p.Content.Text)
	require.Len(t, ts, 1)
	got := ts[0]
	require.Equal(t, scheduling.Publishing, got.State)
	require.Equal(t, "w1", got.LeaseOwner)
	require.Equal(t, 1, got.Attempt)
	require.Equal(t, "key-p1", got.Key)
	require.Equal(t, "Europe/Paris", got.Zone)
	require.Equal(t, "2026-03-27T10:30:00", got.Local.String())
	require.True(t, got.Due.Equal(t0))
	audit, err := s.ListAudit(ctx, scheduling.AuditFilter{PostID: "p1"})
	require.NoError(t, err)
	require.Len(t, audit, 2)
	require.Equal(t, []string{"scheduled", "claimed"}, []string{audit[0].Action, audit[1].Action})
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	t.Run("RecordedOnce", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cal.db")
		for range 3 {
			s, err := sqlitestore.Open(ctx, path, nil)
			require.NoError(t, err)
			require.NoError(t, s.Close())
		}
		db, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		defer db.Close()
		var n, maxV int
		require.NoError(t, db.QueryRow(`SELECT COUNT(*), MAX(version) FROM schema_migrations`).Scan(&n, &maxV))
		require.Equal(t, sqlitestore.SchemaVersion(), n)
		require.Equal(t, sqlitestore.SchemaVersion(), maxV)
		var mode string
		require.NoError(t, db.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
		require.Equal(t, "wal", mode)
	})
	t.Run("FutureVersionRefused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cal.db")
		s, err := sqlitestore.Open(ctx, path, nil)
		require.NoError(t, err)
		schedule(t, s, "p1")
		require.NoError(t, s.Close())

		db, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		future := sqlitestore.SchemaVersion() + 1
		_, err = db.Exec(`INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)`, future)
		require.NoError(t, err)
		require.NoError(t, db.Close())

		_, err = sqlitestore.Open(ctx, path, nil)
		require.ErrorIs(t, err, sqlitestore.ErrSchemaTooNew)
		var sv *sqlitestore.SchemaVersionError
		require.True(t, errors.As(err, &sv))
		require.Equal(t, future, sv.Found)
		require.Equal(t, sqlitestore.SchemaVersion(), sv.Known)
		require.Equal(t, path, sv.Path)
		require.Contains(t, err.Error(), "newer cmkit")
	})
	t.Run("ConcurrentOpeners", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cal.db")
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				s, err := sqlitestore.Open(ctx, path, nil)
				if err == nil {
					err = s.Close()
				}
				errs <- err
			}()
		}
		for range 4 {
			require.NoError(t, <-errs)
		}
		s := openFile(t, path, nil)
		schedule(t, s, "p1")
	})
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sqlitestore.Options
	}{
		{"BadSynchronous", sqlitestore.Options{Synchronous: "OFF"}},
		{"NegativeBusyTimeout", sqlitestore.Options{BusyTimeout: -time.Second}},
		{"NegativeReadConns", sqlitestore.Options{ReadConns: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sqlitestore.Open(context.Background(), filepath.Join(t.TempDir(), "x.db"), &tc.opts)
			require.Error(t, err)
		})
	}
	t.Run("FullAndPathWithSpecialCharacters", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "cal endrier?#%.db")
		s := openFile(t, path, &sqlitestore.Options{Synchronous: "full"})
		schedule(t, s, "p1")
		require.Equal(t, path, s.Path())
		require.FileExists(t, path)
	})
}

func TestTwoStoresOneFile(t *testing.T) {
	// Two Stores on one file stand for two processes: a target is never
	// claimed by both.
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cal.db")
	a := openFile(t, path, nil)
	b := openFile(t, path, nil)
	for i := range 200 {
		schedule(t, a, "p"+string(rune('a'+i%26))+string(rune('a'+i/26)))
	}
	seen := make(map[string]string)
	results := make(chan []scheduling.Claim)
	errc := make(chan error, 2)
	for _, w := range []struct {
		s     *sqlitestore.Store
		owner string
	}{{a, "a"}, {b, "b"}} {
		go func() {
			for {
				cs, err := w.s.ClaimDue(ctx, t0, w.owner, time.Hour, 7)
				if err != nil {
					errc <- err
					return
				}
				if len(cs) == 0 {
					errc <- nil
					return
				}
				results <- cs
			}
		}()
	}
	done := 0
	for done < 2 {
		select {
		case cs := <-results:
			for _, c := range cs {
				_, dup := seen[c.Target.ID]
				require.False(t, dup, "target %s claimed twice", c.Target.ID)
				seen[c.Target.ID] = c.Target.LeaseOwner
			}
		case err := <-errc:
			require.NoError(t, err)
			done++
		}
	}
	require.Len(t, seen, 200)
}

// TestLogStaysSmall checks that checkpoints keep the write-ahead log
// bounded: without them, 3,000 writes leave a log of over 100 MB.
func TestLogStaysSmall(t *testing.T) {
	path := filepath.Join(t.TempDir(), "cal.db")
	s := openFile(t, path, nil)
	for i := range 3000 {
		schedule(t, s, fmt.Sprintf("p%05d", i))
	}
	schedule(t, s, "last") // starts the log over if a checkpoint caught up
	fi, err := os.Stat(path + "-wal")
	require.NoError(t, err)
	require.Less(t, fi.Size(), int64(16<<20), "write-ahead log of %d bytes", fi.Size())
}

// TestMigrationResolvesDoubleBookedSlots opens a database of schema
// version 1 whose queue slot is held by two targets (two processes queued
// at once): the migration to the unique slot index keeps the slot with the
// target furthest along and unqueues the other, with an audit entry.
func TestMigrationResolvesDoubleBookedSlots(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "cal.db")
	s, err := sqlitestore.Open(ctx, path, nil)
	require.NoError(t, err)
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	// Back to version 1, as an older cmkit left it.
	_, err = db.Exec(`DROP INDEX targets_queue_slot; DELETE FROM schema_migrations WHERE version = 2`)
	require.NoError(t, err)
	for i, st := range []scheduling.State{scheduling.Scheduled, scheduling.AwaitingApproval, scheduling.Publishing} {
		id := fmt.Sprintf("p%d", i)
		p := &scheduling.Post{ID: id, Content: connectors.Post{Text: id}}
		tg := &scheduling.Target{ID: id + "-t", PostID: id, AccountID: "maison-brioche", State: st, Due: t0,
			Zone: "UTC", Queued: true, Key: "key-" + id}
		require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: p, Targets: []*scheduling.Target{tg}}))
	}
	require.NoError(t, s.Close())

	s = openFile(t, path, nil)
	var n int
	require.NoError(t, db.QueryRow(`SELECT COUNT(*) FROM schema_migrations`).Scan(&n))
	require.Equal(t, sqlitestore.SchemaVersion(), n)
	for id, holds := range map[string]bool{"p0-t": false, "p1-t": false, "p2-t": true} {
		g, err := s.GetTarget(ctx, id)
		require.NoError(t, err)
		require.Equal(t, holds, g.Queued, id)
		require.True(t, g.Due.Equal(t0), "keeps its time")
		audit, err := s.ListAudit(ctx, scheduling.AuditFilter{TargetID: id})
		require.NoError(t, err)
		if holds {
			require.Empty(t, audit)
			require.Equal(t, int64(1), g.Version)
			continue
		}
		require.Len(t, audit, 1)
		require.Equal(t, "unqueued", audit[0].Action)
		require.Equal(t, int64(2), g.Version)
	}
	// From now on the slot is taken once.
	err = s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{func() *scheduling.Target {
		g, err := s.GetTarget(ctx, "p0-t")
		require.NoError(t, err)
		g.Queued = true
		return g
	}()}})
	require.ErrorIs(t, err, scheduling.ErrSlotTaken)
}
