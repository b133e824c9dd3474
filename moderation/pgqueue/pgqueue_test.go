package pgqueue_test

import (
	"context"
	"errors"
	"fmt"
	"math"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/internal/pgtest"
	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/pgqueue"
	"github.com/cmkit/cmkit/moderation/reviewtest"
)

var ctx = context.Background()

// adminPool and freshSchema: see package internal/pgtest.
var adminPool, freshSchema = pgtest.Admin, pgtest.Schema

// open opens a Queue (its own pool, like another process) on schema.
func open(t testing.TB, schema string, opts *pgqueue.Options) *pgqueue.Queue {
	t.Helper()
	o := pgqueue.Options{Schema: schema}
	if opts != nil {
		o = *opts
		o.Schema = schema
	}
	q, err := pgqueue.Open(ctx, os.Getenv("TEST_DATABASE_URL"), &o)
	require.NoError(t, err)
	t.Cleanup(func() { _ = q.Close() })
	return q
}

// table returns the quoted name of a table of schema.
func table(schema, name string) string { return pgx.Identifier{schema, name}.Sanitize() }

func TestConformance(t *testing.T) {
	adminPool(t)
	reviewtest.Run(t, func(t *testing.T) moderation.ReviewQueue {
		return open(t, freshSchema(t), nil)
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
	schema := freshSchema(t)
	c := &clock{t: t0}
	q := open(t, schema, &pgqueue.Options{Now: c.Now})
	_, err := q.Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{Action: moderation.Hold})
	require.NoError(t, err)
	r, err := q.Resolve(ctx, "c1", "alice", moderation.Approve, "")
	require.NoError(t, err)
	require.Equal(t, t0.Add(time.Second), r.Added)
	require.Equal(t, t0.Add(2*time.Second), r.Resolved)
	require.Equal(t, time.UTC, r.Added.Location())
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Equal(t, r.Resolved, audit[0].At)

	// A machine whose clock is behind the one that added the item does
	// not resolve it before it was added.
	_, err = q.Add(ctx, &moderation.Item{ID: "c2"}, moderation.Decision{Action: moderation.Hold})
	require.NoError(t, err)
	late := open(t, schema, &pgqueue.Options{Now: func() time.Time { return t0 }})
	r, err = late.Resolve(ctx, "c2", "bob", moderation.Remove, "")
	require.NoError(t, err)
	require.Equal(t, t0.Add(3*time.Second), r.Added)
	require.Equal(t, r.Added, r.Resolved)
	audit, err = q.Audit(ctx)
	require.NoError(t, err)
	require.Equal(t, r.Resolved, audit[1].At)
}

func TestReopenKeepsData(t *testing.T) {
	schema := freshSchema(t)
	url := os.Getenv("TEST_DATABASE_URL")
	q, err := pgqueue.Open(ctx, url, &pgqueue.Options{Schema: schema})
	require.NoError(t, err)
	for _, id := range []string{"c1", "c2", ""} {
		_, err := q.Add(ctx, &moderation.Item{ID: id, Text: "text " + id, Links: []string{"https://t.me/x"}},
			moderation.Decision{Action: moderation.Hold, Category: moderation.Scam, Language: "fr"})
		require.NoError(t, err)
	}
	require.NoError(t, q.Close())

	// The pending items survive a restart.
	q, err = pgqueue.Open(ctx, url, &pgqueue.Options{Schema: schema})
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
	q = open(t, schema, nil)
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
	require.ErrorContains(t, err, "by alice")
	ps, err = q.Pending(ctx, 0)
	require.NoError(t, err)
	require.Len(t, ps, 3)
}

func TestGeneratedIDSkipsTakenOnes(t *testing.T) {
	q := open(t, freshSchema(t), nil)
	// An item whose own ID is the next generated one.
	_, err := q.Add(ctx, &moderation.Item{ID: "review-2", Text: "own ID"}, moderation.Decision{})
	require.NoError(t, err)
	id, err := q.Add(ctx, &moderation.Item{Text: "generated"}, moderation.Decision{})
	require.NoError(t, err)
	require.Equal(t, "review-3", id)
	got, err := q.Get(ctx, "review-2")
	require.NoError(t, err)
	require.Equal(t, "own ID", got.Item.Text, "the item with its own ID is untouched")
}

// TestTwoQueuesRace has two Queues, on two pools, stand for two machines:
// both add items without ID at once (the IDs are distinct), then
// reviewers of both race on the same 100 items, and each item is resolved
// once, with one audit entry naming its winner.
func TestTwoQueuesRace(t *testing.T) {
	schema := freshSchema(t)
	a := open(t, schema, nil)
	b := open(t, schema, nil)
	require.NotSame(t, a.Pool(), b.Pool())
	queues := []*pgqueue.Queue{a, b}
	const n = 100
	for i := range n {
		_, err := queues[i%2].Add(ctx, &moderation.Item{ID: fmt.Sprintf("c%03d", i)}, moderation.Decision{Action: moderation.Hold})
		require.NoError(t, err)
	}

	var wg sync.WaitGroup
	ids := make([][]string, 2)
	errs := make([]error, 2)
	for k, q := range queues {
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
	start := make(chan struct{})
	for k, q := range queues {
		won[k] = map[string]bool{}
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range n {
				if k == 1 {
					i = n - 1 - i // meet in the middle, racing on every item
				}
				id := fmt.Sprintf("c%03d", i)
				_, err := q.Resolve(ctx, id, fmt.Sprintf("reviewer-%d", k), moderation.Remove, "")
				switch {
				case err == nil:
					won[k][id] = true
				case !errors.Is(err, moderation.ErrAlreadyResolved):
					errs[k] = err
					return
				case !strings.Contains(err.Error(), " by reviewer-"):
					errs[k] = fmt.Errorf("the error does not name the winner: %w", err)
					return
				}
			}
		}()
	}
	close(start)
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Equal(t, n, len(won[0])+len(won[1]))
	for id := range won[0] {
		require.False(t, won[1][id], "%s resolved by both", id)
	}
	audit, err := b.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, n)
	perID := map[string]int{}
	for _, e := range audit {
		k := int(e.Reviewer[len(e.Reviewer)-1] - '0')
		require.True(t, won[k][e.ID], "%s audited for %s", e.ID, e.Reviewer)
		perID[e.ID]++
	}
	require.Len(t, perID, n)
	for id, c := range perID {
		require.Equal(t, 1, c, "%s audited %d times", id, c)
	}
	pending, err := a.Pending(ctx, 0)
	require.NoError(t, err)
	require.Len(t, pending, 40, "only the items without ID wait")
}

func TestUnstorableValues(t *testing.T) {
	q := open(t, freshSchema(t), nil)
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
		"NUL in ID":          {it: moderation.Item{ID: "x\x00"}, field: "Item.ID"},
		"NUL in language":    {d: moderation.Decision{Language: "fr\x00"}, field: "Decision.Language"},
	} {
		t.Run(name, func(t *testing.T) {
			if tc.it.ID == "" {
				tc.it.ID = "x"
			}
			_, err := q.Add(ctx, &tc.it, tc.d)
			require.ErrorIs(t, err, moderation.ErrInvalidReview)
			require.Contains(t, err.Error(), tc.field)
			_, err = q.Get(ctx, tc.it.ID)
			require.ErrorIs(t, err, moderation.ErrNotFound)
		})
	}

	// NUL bytes anywhere in the item and decision are stored in json, and
	// kept; so is the audit's copy of the text.
	it := &moderation.Item{ID: "nul", Text: "a\x00b", Thread: []string{"\x00"}, Author: moderation.Author{Handle: "@\x00"}}
	d := moderation.Decision{Action: moderation.Hold, Explanation: "\x00", Labels: []moderation.Label{{Match: "\x00"}}}
	_, err := q.Add(ctx, it, d)
	require.NoError(t, err)
	got, err := q.Get(ctx, "nul")
	require.NoError(t, err)
	require.Equal(t, *it, got.Item)
	require.Equal(t, d, got.Decision)

	// Reviewers and notes are text columns.
	for name, tc := range map[string]struct{ reviewer, note, field string }{
		"NUL in reviewer":    {"al\x00ice", "", "reviewer"},
		"invalid reviewer":   {"al\xffice", "", "reviewer"},
		"NUL in note":        {"alice", "spam\x00", "note"},
		"invalid UTF-8 note": {"alice", "caf\xe9", "note"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := q.Resolve(ctx, "nul", tc.reviewer, moderation.Remove, tc.note)
			require.ErrorIs(t, err, moderation.ErrInvalidReview)
			require.Contains(t, err.Error(), tc.field)
		})
	}
	r, err := q.Resolve(ctx, "nul", "alice", moderation.Remove, "ok")
	require.NoError(t, err)
	require.Equal(t, "a\x00b", r.Item.Text)
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, 1)
	require.Equal(t, "a\x00b", audit[0].Text)
	require.Equal(t, d, audit[0].Before)

	// An ID that cannot be stored is in no row.
	for _, id := range []string{"nul\x00", "\xff"} {
		_, err = q.Get(ctx, id)
		require.ErrorIs(t, err, moderation.ErrNotFound)
		_, err = q.Resolve(ctx, id, "alice", moderation.Remove, "")
		require.ErrorIs(t, err, moderation.ErrNotFound)
	}
}

func TestAuditIsAppendOnly(t *testing.T) {
	schema := freshSchema(t)
	q := open(t, schema, nil)
	_, err := q.Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{Action: moderation.Hold})
	require.NoError(t, err)
	_, err = q.Resolve(ctx, "c1", "alice", moderation.Approve, "")
	require.NoError(t, err)

	db := adminPool(t)
	for _, stmt := range []string{
		`UPDATE ` + table(schema, "review_audit") + ` SET reviewer = 'mallory'`,
		`DELETE FROM ` + table(schema, "review_audit"),
		`TRUNCATE ` + table(schema, "review_audit"),
	} {
		_, err = db.Exec(ctx, stmt)
		require.ErrorContains(t, err, "append-only", stmt)
	}
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, 1)
	require.Equal(t, "alice", audit[0].Reviewer)
}

func TestPendingUsesIndex(t *testing.T) {
	schema := freshSchema(t)
	open(t, schema, nil)
	// On a table this small the planner would rather scan it, or read the
	// index as a bitmap: forbid both, and check that the partial index
	// gives the order (no sort).
	tx, err := adminPool(t).Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `SET LOCAL enable_seqscan = off; SET LOCAL enable_bitmapscan = off`)
	require.NoError(t, err)
	rows, err := tx.Query(ctx, `EXPLAIN SELECT id, item, decision, added, resolved, reviewer, verdict, note FROM `+
		table(schema, "review_items")+` WHERE resolved IS NULL ORDER BY added, seq LIMIT 50`)
	require.NoError(t, err)
	var plan []string
	for rows.Next() {
		var line string
		require.NoError(t, rows.Scan(&line))
		plan = append(plan, line)
	}
	require.NoError(t, rows.Err())
	joined := strings.Join(plan, "\n")
	require.Contains(t, joined, "Index Scan using review_pending", joined)
	require.NotContains(t, joined, "Sort", joined)
}

func migrationCount(t *testing.T, schema string) (n, maxV int) {
	t.Helper()
	err := adminPool(t).QueryRow(ctx, `SELECT COUNT(*), COALESCE(MAX(version), 0) FROM `+
		table(schema, "review_migrations")).Scan(&n, &maxV)
	require.NoError(t, err)
	return n, maxV
}

func TestMigrations(t *testing.T) {
	url := os.Getenv("TEST_DATABASE_URL")
	t.Run("FromEmptyDatabase", func(t *testing.T) {
		schema := freshSchema(t)
		q := open(t, schema, nil)
		require.Equal(t, schema, q.Schema())
		n, maxV := migrationCount(t, schema)
		require.Equal(t, pgqueue.SchemaVersion(), n)
		require.Equal(t, pgqueue.SchemaVersion(), maxV)
		_, err := q.Add(ctx, &moderation.Item{ID: "c1", Text: "kept"}, moderation.Decision{})
		require.NoError(t, err)
		require.NoError(t, q.Close())

		// Reopening keeps the data and records nothing new.
		q = open(t, schema, nil)
		got, err := q.Get(ctx, "c1")
		require.NoError(t, err)
		require.Equal(t, "kept", got.Item.Text)
		n, _ = migrationCount(t, schema)
		require.Equal(t, pgqueue.SchemaVersion(), n)
	})
	t.Run("ConcurrentOpenersMigrateOnce", func(t *testing.T) {
		schema := freshSchema(t)
		const openers = 6
		errs := make(chan error, openers)
		start := make(chan struct{})
		for range openers {
			go func() {
				<-start
				q, err := pgqueue.Open(ctx, url, &pgqueue.Options{Schema: schema})
				if err == nil {
					err = q.Close()
				}
				errs <- err
			}()
		}
		close(start)
		for range openers {
			require.NoError(t, <-errs)
		}
		n, maxV := migrationCount(t, schema)
		require.Equal(t, pgqueue.SchemaVersion(), n, "each migration recorded once")
		require.Equal(t, pgqueue.SchemaVersion(), maxV)
		_, err := open(t, schema, nil).Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{})
		require.NoError(t, err)
	})
	t.Run("NewerSchemaRefused", func(t *testing.T) {
		schema := freshSchema(t)
		q := open(t, schema, nil)
		_, err := q.Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{})
		require.NoError(t, err)
		require.NoError(t, q.Close())
		future := pgqueue.SchemaVersion() + 1
		_, err = adminPool(t).Exec(ctx, `INSERT INTO `+table(schema, "review_migrations")+
			` (version, name) VALUES ($1, 'from the future')`, future)
		require.NoError(t, err)

		_, err = pgqueue.Open(ctx, url, &pgqueue.Options{Schema: schema})
		require.ErrorIs(t, err, pgqueue.ErrSchemaTooNew)
		var sv *pgqueue.SchemaVersionError
		require.True(t, errors.As(err, &sv))
		require.Equal(t, future, sv.Found)
		require.Equal(t, pgqueue.SchemaVersion(), sv.Known)
		require.Equal(t, schema, sv.Schema)
		require.Contains(t, err.Error(), "newer cmkit")
		// Nothing was touched.
		n, maxV := migrationCount(t, schema)
		require.Equal(t, pgqueue.SchemaVersion()+1, n)
		require.Equal(t, future, maxV)
	})
	t.Run("SharesASchemaWithOtherTables", func(t *testing.T) {
		// The tables are named review_*: a schema that already holds
		// other tables (another store's) migrates beside them.
		schema := freshSchema(t)
		_, err := adminPool(t).Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()+`;
			CREATE TABLE `+table(schema, "schema_migrations")+` (version integer PRIMARY KEY);
			INSERT INTO `+table(schema, "schema_migrations")+` VALUES (1), (2), (3)`)
		require.NoError(t, err)
		_, err = open(t, schema, nil).Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{})
		require.NoError(t, err)
	})
}

func TestOptions(t *testing.T) {
	pool := adminPool(t)
	t.Run("SchemaTooLong", func(t *testing.T) {
		_, err := pgqueue.New(ctx, pool, &pgqueue.Options{Schema: strings.Repeat("x", 64)})
		require.Error(t, err)
	})
	t.Run("NilPool", func(t *testing.T) {
		_, err := pgqueue.New(ctx, nil, nil)
		require.Error(t, err)
	})
	t.Run("BadConnString", func(t *testing.T) {
		_, err := pgqueue.Open(ctx, "postgres://%zz", nil)
		require.Error(t, err)
	})
	t.Run("NewOnCallersPool", func(t *testing.T) {
		// A schema name that needs quoting; Close leaves the pool open.
		schema := freshSchema(t) + ` "Revue"`
		t.Cleanup(func() {
			_, _ = pool.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
		})
		q, err := pgqueue.New(ctx, pool, &pgqueue.Options{Schema: schema})
		require.NoError(t, err)
		id, err := q.Add(ctx, &moderation.Item{Text: "generated"}, moderation.Decision{})
		require.NoError(t, err)
		_, err = q.Resolve(ctx, id, "alice", moderation.Approve, "")
		require.NoError(t, err)
		require.NoError(t, q.Close())
		require.NoError(t, pool.Ping(ctx))
		require.Same(t, pool, q.Pool())
	})
}

func TestContextCancelled(t *testing.T) {
	schema := freshSchema(t)
	q := open(t, schema, nil)
	_, err := q.Add(ctx, &moderation.Item{ID: "c1"}, moderation.Decision{Action: moderation.Hold})
	require.NoError(t, err)

	// A context that ends while Resolve waits for a row another
	// transaction locked: the statement is cancelled, and nothing is
	// written.
	tx, err := adminPool(t).Begin(ctx)
	require.NoError(t, err)
	defer func() { _ = tx.Rollback(ctx) }()
	_, err = tx.Exec(ctx, `SELECT 1 FROM `+table(schema, "review_items")+` WHERE id = 'c1' FOR UPDATE`)
	require.NoError(t, err)
	tctx, cancel := context.WithTimeout(ctx, 200*time.Millisecond)
	defer cancel()
	_, err = q.Resolve(tctx, "c1", "alice", moderation.Remove, "")
	require.ErrorIs(t, err, context.DeadlineExceeded)
	require.NoError(t, tx.Rollback(ctx))

	got, err := q.Get(ctx, "c1")
	require.NoError(t, err)
	require.True(t, got.Resolved.IsZero(), "still pending")
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Empty(t, audit)
	_, err = q.Resolve(ctx, "c1", "bob", moderation.Remove, "")
	require.NoError(t, err, "the queue works on")

	// An ended context fails every method before it reaches the server.
	cctx, cancelNow := context.WithCancel(ctx)
	cancelNow()
	_, err = q.Add(cctx, &moderation.Item{}, moderation.Decision{})
	require.ErrorIs(t, err, context.Canceled)
	_, err = q.Pending(cctx, 1)
	require.ErrorIs(t, err, context.Canceled)
	_, err = q.Audit(cctx)
	require.ErrorIs(t, err, context.Canceled)
	_, err = pgqueue.Open(cctx, os.Getenv("TEST_DATABASE_URL"), &pgqueue.Options{Schema: schema})
	require.ErrorIs(t, err, context.Canceled)
}

// TestPipeline holds items from the default pipeline in a Queue.
func TestPipeline(t *testing.T) {
	q := open(t, freshSchema(t), nil)
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{NoClassifier: true, Review: q})
	require.NoError(t, err)
	d, err := p.Moderate(ctx, &moderation.Item{ID: "c1", Text: "Appelez-moi au 06 12 34 56 78"})
	require.NoError(t, err)
	require.Equal(t, moderation.Hold, d.Action)
	got, err := q.Get(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, d, got.Decision)
}
