package sqlitequeue_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	_ "modernc.org/sqlite"

	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/reviewtest"
	"github.com/cmkit/cmkit/moderation/sqlitequeue"
)

var ctx = context.Background()

func openFile(t *testing.T, path string, opts *sqlitequeue.Options) *sqlitequeue.Queue {
	t.Helper()
	q, err := sqlitequeue.Open(ctx, path, opts)
	require.NoError(t, err)
	t.Cleanup(func() { _ = q.Close() })
	return q
}

func TestConformance(t *testing.T) {
	t.Run("File", func(t *testing.T) {
		reviewtest.Run(t, func(t *testing.T) moderation.ReviewQueue {
			return openFile(t, filepath.Join(t.TempDir(), "review.db"), nil)
		})
	})
	t.Run("Memory", func(t *testing.T) {
		reviewtest.Run(t, func(t *testing.T) moderation.ReviewQueue {
			return openFile(t, ":memory:", nil)
		})
	})
}

// clock is a fake clock advancing by a second at each reading.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(time.Second)
	return c.t
}

var t0 = time.Date(2026, 3, 27, 9, 30, 0, 0, time.UTC)

func TestClock(t *testing.T) {
	c := &clock{t: t0}
	q := openFile(t, ":memory:", &sqlitequeue.Options{Now: c.Now})
	_, err := q.Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{Action: moderation.Hold})
	require.NoError(t, err)
	r, err := q.Resolve(ctx, "c1", "alice", moderation.Approve, "")
	require.NoError(t, err)
	require.Equal(t, t0.Add(2*time.Second), r.Added, "the migration read the clock first")
	require.Equal(t, t0.Add(3*time.Second), r.Resolved)
	require.Equal(t, time.UTC, r.Added.Location())
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Equal(t, r.Resolved, audit[0].At)
}

func TestReopenKeepsData(t *testing.T) {
	path := filepath.Join(t.TempDir(), "review.db")
	q, err := sqlitequeue.Open(ctx, path, nil)
	require.NoError(t, err)
	for _, id := range []string{"c1", "c2", ""} {
		_, err := q.Add(ctx, &moderation.Item{ID: id, Text: "text " + id, Links: []string{"https://t.me/x"}},
			moderation.Decision{Action: moderation.Hold, Category: moderation.Scam, Language: "fr"})
		require.NoError(t, err)
	}
	require.NoError(t, q.Close())

	// The pending items survive a restart.
	q, err = sqlitequeue.Open(ctx, path, nil)
	require.NoError(t, err)
	ps, err := q.Pending(ctx, 0)
	require.NoError(t, err)
	require.Len(t, ps, 3)
	require.Equal(t, []string{"c1", "c2", "review-3"}, []string{ps[0].ID, ps[1].ID, ps[2].ID})
	require.Equal(t, "text c2", ps[1].Item.Text)
	require.Equal(t, []string{"https://t.me/x"}, ps[1].Item.Links)
	require.Equal(t, moderation.Scam, ps[1].Decision.Category)
	_, err = q.Resolve(ctx, "c2", "alice", moderation.Remove, "scam")
	require.NoError(t, err)
	id, err := q.Add(ctx, &moderation.Item{Text: "after reopening"}, moderation.Decision{})
	require.NoError(t, err)
	require.Equal(t, "review-4", id, "generated IDs go on after a restart")
	require.NoError(t, q.Close())

	// So do the resolution and its audit.
	q = openFile(t, path, nil)
	got, err := q.Get(ctx, "c2")
	require.NoError(t, err)
	require.Equal(t, "alice", got.Reviewer)
	require.Equal(t, moderation.Remove, got.Verdict)
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, 1)
	require.Equal(t, "c2", audit[0].ID)
	require.Equal(t, moderation.Hide, audit[0].After)
	require.Equal(t, "scam", audit[0].TrainingLabel())
	require.Equal(t, "text c2", audit[0].Text)
	_, err = q.Resolve(ctx, "c2", "bob", moderation.Approve, "")
	require.ErrorIs(t, err, moderation.ErrAlreadyResolved)
	ps, err = q.Pending(ctx, 0)
	require.NoError(t, err)
	require.Len(t, ps, 3)
}

// TestTwoQueuesOneFile has two Queues on one file stand for two
// processes: reviewers of both race on every item, and each item is
// resolved once, with one audit entry.
func TestTwoQueuesOneFile(t *testing.T) {
	path := filepath.Join(t.TempDir(), "review.db")
	a := openFile(t, path, nil)
	b := openFile(t, path, nil)
	const n = 100
	for i := range n {
		q := a
		if i%2 == 1 {
			q = b
		}
		_, err := q.Add(ctx, &moderation.Item{ID: fmt.Sprintf("c%03d", i)}, moderation.Decision{Action: moderation.Hold})
		require.NoError(t, err)
	}
	// Items without ID get distinct IDs whichever process adds them.
	var wg sync.WaitGroup
	ids := make([][]string, 2)
	errs := make([]error, 2)
	for k, q := range []*sqlitequeue.Queue{a, b} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 20 {
				id, err := q.Add(ctx, &moderation.Item{Text: "no id"}, moderation.Decision{})
				if err != nil {
					errs[k] = err
					return
				}
				ids[k] = append(ids[k], id)
			}
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	seen := map[string]bool{}
	for _, id := range append(ids[0], ids[1]...) {
		require.False(t, seen[id], "ID %s generated twice", id)
		seen[id] = true
	}

	won := make([]map[string]bool, 2)
	for k, q := range []*sqlitequeue.Queue{a, b} {
		won[k] = map[string]bool{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range n {
				if k == 1 {
					i = n - 1 - i
				}
				id := fmt.Sprintf("c%03d", i)
				_, err := q.Resolve(ctx, id, fmt.Sprintf("reviewer-%d", k), moderation.Remove, "")
				switch {
				case err == nil:
					won[k][id] = true
				case !errors.Is(err, moderation.ErrAlreadyResolved):
					errs[k] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Equal(t, n, len(won[0])+len(won[1]))
	for id := range won[0] {
		require.False(t, won[1][id], "%s resolved by both", id)
	}
	audit, err := b.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, n)
	for _, e := range audit {
		k := int(e.Reviewer[len(e.Reviewer)-1] - '0')
		require.True(t, won[k][e.ID], "%s audited for %s", e.ID, e.Reviewer)
	}
}

func TestUnstorableValues(t *testing.T) {
	q := openFile(t, ":memory:", nil)
	for name, tc := range map[string]struct {
		it    moderation.Item
		d     moderation.Decision
		field string
	}{
		"NaN score":          {d: moderation.Decision{Score: math.NaN()}, field: "Decision.Score"},
		"infinite label":     {d: moderation.Decision{Labels: []moderation.Label{{}, {Score: math.Inf(1)}}}, field: "Decision.Labels[1].Score"},
		"invalid UTF-8 text": {it: moderation.Item{Text: "caf\xe9"}, field: "Item.Text"},
		"invalid UTF-8 link": {it: moderation.Item{Links: []string{"ok", "\xff"}}, field: "Item.Links[1]"},
		"invalid handle":     {it: moderation.Item{Author: moderation.Author{Handle: "\xc3"}}, field: "Item.Author.Handle"},
	} {
		t.Run(name, func(t *testing.T) {
			tc.it.ID = "x"
			_, err := q.Add(ctx, &tc.it, tc.d)
			require.ErrorIs(t, err, moderation.ErrInvalidReview)
			require.Contains(t, err.Error(), tc.field)
			_, err = q.Get(ctx, "x")
			require.ErrorIs(t, err, moderation.ErrNotFound)
		})
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "review.db")
	q := openFile(t, path, nil)
	_, err := q.Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{Action: moderation.Hold})
	require.NoError(t, err)
	_, err = q.Resolve(ctx, "c1", "alice", moderation.Approve, "")
	require.NoError(t, err)

	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	_, err = db.Exec(`UPDATE review_audit SET reviewer = 'mallory'`)
	require.ErrorContains(t, err, "append-only")
	_, err = db.Exec(`DELETE FROM review_audit`)
	require.ErrorContains(t, err, "append-only")
}

func TestPendingUsesIndex(t *testing.T) {
	path := filepath.Join(t.TempDir(), "review.db")
	openFile(t, path, nil)
	db, err := sql.Open("sqlite", path)
	require.NoError(t, err)
	defer db.Close()
	rows, err := db.Query(`EXPLAIN QUERY PLAN SELECT id, item, decision, added, resolved, reviewer, verdict, note
FROM review_items WHERE resolved IS NULL ORDER BY added, seq LIMIT ?`, 10)
	require.NoError(t, err)
	defer rows.Close()
	var plan []string
	for rows.Next() {
		var id, parent, unused int
		var detail string
		require.NoError(t, rows.Scan(&id, &parent, &unused, &detail))
		plan = append(plan, detail)
	}
	require.NoError(t, rows.Err())
	joined := strings.Join(plan, "; ")
	require.Contains(t, joined, "USING INDEX review_pending", joined)
	require.NotContains(t, joined, "TEMP B-TREE", "no sort: %s", joined)
}

func TestMigrations(t *testing.T) {
	t.Run("RecordedOnce", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "review.db")
		for range 3 {
			q, err := sqlitequeue.Open(ctx, path, nil)
			require.NoError(t, err)
			require.NoError(t, q.Close())
		}
		db, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		defer db.Close()
		var n, maxV int
		require.NoError(t, db.QueryRow(`SELECT COUNT(*), MAX(version) FROM review_migrations`).Scan(&n, &maxV))
		require.Equal(t, sqlitequeue.SchemaVersion(), n)
		require.Equal(t, sqlitequeue.SchemaVersion(), maxV)
		var mode string
		require.NoError(t, db.QueryRow(`PRAGMA journal_mode`).Scan(&mode))
		require.Equal(t, "wal", mode)
	})
	t.Run("FutureVersionRefused", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "review.db")
		q, err := sqlitequeue.Open(ctx, path, nil)
		require.NoError(t, err)
		_, err = q.Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{})
		require.NoError(t, err)
		require.NoError(t, q.Close())

		db, err := sql.Open("sqlite", path)
		require.NoError(t, err)
		future := sqlitequeue.SchemaVersion() + 1
		_, err = db.Exec(`INSERT INTO review_migrations (version, name, applied_at) VALUES (?, 'from the future', 0)`, future)
		require.NoError(t, err)
		require.NoError(t, db.Close())

		_, err = sqlitequeue.Open(ctx, path, nil)
		require.ErrorIs(t, err, sqlitequeue.ErrSchemaTooNew)
		var sv *sqlitequeue.SchemaVersionError
		require.True(t, errors.As(err, &sv))
		require.Equal(t, future, sv.Found)
		require.Equal(t, sqlitequeue.SchemaVersion(), sv.Known)
		require.Equal(t, path, sv.Path)
		require.Contains(t, err.Error(), "newer cmkit")
	})
	t.Run("ConcurrentOpeners", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "review.db")
		errs := make(chan error, 4)
		for range 4 {
			go func() {
				q, err := sqlitequeue.Open(ctx, path, nil)
				if err == nil {
					err = q.Close()
				}
				errs <- err
			}()
		}
		for range 4 {
			require.NoError(t, <-errs)
		}
		q := openFile(t, path, nil)
		_, err := q.Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{})
		require.NoError(t, err)
	})
}

func TestOptions(t *testing.T) {
	for _, tc := range []struct {
		name string
		opts sqlitequeue.Options
	}{
		{"BadSynchronous", sqlitequeue.Options{Synchronous: "OFF"}},
		{"NegativeBusyTimeout", sqlitequeue.Options{BusyTimeout: -time.Second}},
		{"NegativeReadConns", sqlitequeue.Options{ReadConns: -1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := sqlitequeue.Open(ctx, filepath.Join(t.TempDir(), "x.db"), &tc.opts)
			require.Error(t, err)
		})
	}
	t.Run("FullAndPathWithSpecialCharacters", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "revue à faire?#%.db")
		q := openFile(t, path, &sqlitequeue.Options{Synchronous: "full"})
		_, err := q.Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{})
		require.NoError(t, err)
		require.Equal(t, path, q.Path())
		require.FileExists(t, path)
	})
}

// TestPipeline holds items from the default pipeline in a Queue.
func TestPipeline(t *testing.T) {
	q := openFile(t, filepath.Join(t.TempDir(), "review.db"), nil)
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{NoClassifier: true, Review: q})
	require.NoError(t, err)
	d, err := p.Moderate(ctx, &moderation.Item{ID: "c1", Text: "Appelez-moi au 06 12 34 56 78"})
	require.NoError(t, err)
	require.Equal(t, moderation.Hold, d.Action)
	got, err := q.Get(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, d, got.Decision)
}
