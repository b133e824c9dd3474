package sqlitequeue

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	_ "modernc.org/sqlite" // the "sqlite" database/sql driver

	"github.com/cmkit/cmkit/internal/nanotime"
	"github.com/cmkit/cmkit/internal/sqlitedb"
	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/internal/reviewjson"
)

// Options tune a Queue. The zero value, or nil, gives the defaults
// documented on each field.
type Options struct {
	// Synchronous is SQLite's synchronous setting: "NORMAL" or "FULL".
	// Defaults to "NORMAL", which in WAL mode survives a crash of the
	// process (SIGKILL, panic, OOM kill) but may lose the last commits on
	// a power loss or kernel crash; "FULL" survives those too, at the cost
	// of an fsync per commit. See the package documentation.
	Synchronous string
	// BusyTimeout is how long a write waits for the write lock when
	// another process holds it, before failing with SQLITE_BUSY. Defaults
	// to 5s.
	BusyTimeout time.Duration
	// ReadConns is the number of connections that serve reads (Pending,
	// Get, Audit) concurrently with the single writer. Defaults to 4. An
	// in-memory database has one connection for everything.
	ReadConns int
	// Now is the clock of Added and Resolved times and of the migrations
	// record. Defaults to time.Now.
	Now func() time.Time
}

// Queue is a moderation.ReviewQueue in one SQLite database file. It is
// safe for concurrent use by many goroutines, and by several processes
// sharing the file (see the package documentation). Close it when done.
type Queue struct {
	now func() time.Time

	// db holds the writer connection (db.W: every write, serialised
	// here instead of in SQLite's lock), the readers (db.R, the same as
	// db.W in memory) and the writer's prepared statements.
	db *sqlitedb.DB
}

var _ moderation.ReviewQueue = (*Queue)(nil)

// Open opens (creating it if needed) the database at path, brings its
// schema to the current version and returns the Queue. The path
// ":memory:" (or "") opens a private in-memory database, lost on Close:
// for tests. opts may be nil.
//
// A database written by a newer version of cmkit is refused with a
// *SchemaVersionError (errors.Is(err, ErrSchemaTooNew)).
func Open(ctx context.Context, path string, opts *Options) (*Queue, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	db, err := sqlitedb.Open(ctx, path, sqlitedb.Options{Synchronous: o.Synchronous, BusyTimeout: o.BusyTimeout,
		ReadConns: o.ReadConns, ForeignKeys: false})
	if err != nil {
		return nil, fmt.Errorf("sqlitequeue: %w", err)
	}
	q := &Queue{db: db, now: o.Now}
	if err := q.init(ctx); err != nil {
		q.Close()
		return nil, err
	}
	return q, nil
}

func (q *Queue) init(ctx context.Context) error {
	if err := sqlitedb.Migrate(ctx, q.db.W, "review_migrations", migrations, q.now); err != nil {
		var newer *sqlitedb.NewerError
		if errors.As(err, &newer) {
			return &SchemaVersionError{Path: q.db.Path, Found: newer.Found, Known: newer.Known}
		}
		return fmt.Errorf("sqlitequeue: %w", err)
	}
	if err := q.db.Prepare(ctx, preparedSQL); err != nil {
		return fmt.Errorf("sqlitequeue: %w", err)
	}
	return nil
}

// Close closes the database. A Queue must not be used after Close.
func (q *Queue) Close() error {
	if err := q.db.Close(); err != nil {
		return fmt.Errorf("sqlitequeue: close: %w", err)
	}
	return nil
}

// Path returns the database file's path (":memory:" for an in-memory
// database).
func (q *Queue) Path() string { return q.db.Path }

const (
	// addSQL inserts an entry, or replaces the item and decision of a
	// pending one (keeping its seq and added time: its place in line).
	// No row is written when the entry is resolved.
	addSQL = `INSERT INTO review_items (id, item, decision, added) VALUES (?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET item = excluded.item, decision = excluded.decision WHERE resolved IS NULL`
	existsSQL = `SELECT 1 FROM review_items WHERE id = ?`
	nextSQL   = `SELECT COALESCE(MAX(seq), 0) + 1 FROM review_items`
	// resolveSQL resolves a pending entry: the condition on resolved makes
	// a second resolution, from this process or another, change nothing.
	resolveSQL = `UPDATE review_items SET resolved = ?, reviewer = ?, verdict = ?, note = ?
WHERE id = ? AND resolved IS NULL RETURNING item, decision, added`
	resolvedBySQL = `SELECT reviewer FROM review_items WHERE id = ?`
	auditSQL      = `INSERT INTO review_audit (id, reviewer, at, verdict, note, before, after, language, text)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`

	selectItems = `SELECT id, item, decision, added, resolved, reviewer, verdict, note FROM review_items `
	// pendingSQL walks the partial index review_pending.
	pendingSQL = selectItems + `WHERE resolved IS NULL ORDER BY added, seq LIMIT ?`
	getSQL     = selectItems + `WHERE id = ?`
	listSQL    = `SELECT id, reviewer, at, verdict, note, before, after, language, text FROM review_audit ORDER BY seq`
)

// preparedSQL are the statements of the write paths, prepared once on the
// writer connection.
var preparedSQL = []string{addSQL, existsSQL, nextSQL, resolveSQL, resolvedBySQL, auditSQL}

// write runs fn in an IMMEDIATE transaction on the writer connection and
// commits it, or rolls it back if fn or the commit fails.
func (q *Queue) write(ctx context.Context, fn func(tx *txn) error) error {
	if err := ctx.Err(); err != nil {
		return err
	}
	tx, err := q.db.W.BeginTx(ctx, nil)
	if err != nil {
		return dbErr("begin", err)
	}
	if err := fn(&txn{tx: tx, stmts: q.db.Stmts}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return dbErr("commit", err)
	}
	return nil
}

// txn is a write transaction running the statements of preparedSQL.
type txn struct {
	tx    *sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *txn) exec(ctx context.Context, s string, args ...any) (sql.Result, error) {
	return t.tx.StmtContext(ctx, t.stmts[s]).ExecContext(ctx, args...)
}

func (t *txn) queryRow(ctx context.Context, s string, args ...any) *sql.Row {
	return t.tx.StmtContext(ctx, t.stmts[s]).QueryRowContext(ctx, args...)
}

// Add implements moderation.ReviewQueue. An item without ID gets
// "review-" and a number. Besides the errors of the interface, Add
// refuses, with an error matching moderation.ErrInvalidReview that names
// the field, what JSON cannot hold exactly: a string that is not valid
// UTF-8, or a score that is NaN or infinite.
func (q *Queue) Add(ctx context.Context, it *moderation.Item, d moderation.Decision) (string, error) {
	if it == nil {
		return "", moderation.ErrInvalidItem
	}
	item, dec, err := reviewjson.Encode(it, d)
	if err != nil {
		return "", fmt.Errorf("sqlitequeue: %w", err)
	}
	id := it.ID
	err = q.write(ctx, func(tx *txn) error {
		if it.ID == "" {
			var err error
			if id, err = tx.newID(ctx); err != nil {
				return err
			}
		}
		res, err := tx.exec(ctx, addSQL, id, item, dec, nanos(q.now()))
		if err != nil {
			return dbErr("add", err)
		}
		if n, err := res.RowsAffected(); err != nil {
			return dbErr("add", err)
		} else if n == 0 {
			return fmt.Errorf("sqlitequeue: %w: %s", moderation.ErrAlreadyResolved, id)
		}
		return nil
	})
	if err != nil {
		return "", err
	}
	return id, nil
}

// newID returns "review-N", N the next row number, or the first after it
// that no item took as its own ID. Rows are never deleted, so the numbers
// only grow, across processes too (they write in turn).
func (t *txn) newID(ctx context.Context) (string, error) {
	var n int64
	if err := t.queryRow(ctx, nextSQL).Scan(&n); err != nil {
		return "", dbErr("new id", err)
	}
	for ; ; n++ {
		id := "review-" + strconv.FormatInt(n, 10)
		var one int
		switch err := t.queryRow(ctx, existsSQL, id).Scan(&one); {
		case errors.Is(err, sql.ErrNoRows):
			return id, nil
		case err != nil:
			return "", dbErr("new id", err)
		}
	}
}

// Pending implements moderation.ReviewQueue.
func (q *Queue) Pending(ctx context.Context, limit int) ([]moderation.ReviewItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	if limit <= 0 {
		limit = -1 // no limit
	}
	rows, err := q.db.R.QueryContext(ctx, pendingSQL, limit)
	if err != nil {
		return nil, dbErr("pending", err)
	}
	defer rows.Close()
	var out []moderation.ReviewItem
	for rows.Next() {
		r, err := scanItem(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("pending", err)
	}
	return out, nil
}

// Get implements moderation.ReviewQueue.
func (q *Queue) Get(ctx context.Context, id string) (moderation.ReviewItem, error) {
	if err := ctx.Err(); err != nil {
		return moderation.ReviewItem{}, err
	}
	r, err := scanItem(q.db.R.QueryRowContext(ctx, getSQL, id))
	if errors.Is(err, sql.ErrNoRows) {
		return moderation.ReviewItem{}, fmt.Errorf("sqlitequeue: %w: %s", moderation.ErrNotFound, id)
	}
	return r, err
}

// Resolve implements moderation.ReviewQueue. The entry and its audit
// entry are written in one transaction; of two Queues (two processes)
// resolving one item at once, one wins and the other gets
// moderation.ErrAlreadyResolved.
func (q *Queue) Resolve(ctx context.Context, id, reviewer string, verdict moderation.ReviewVerdict, note string) (moderation.ReviewItem, error) {
	if err := ctx.Err(); err != nil {
		return moderation.ReviewItem{}, err
	}
	if verdict != moderation.Approve && verdict != moderation.Remove {
		return moderation.ReviewItem{}, fmt.Errorf("sqlitequeue: %w: verdict %v: want Approve or Remove", moderation.ErrInvalidReview, verdict)
	}
	if reviewer == "" {
		return moderation.ReviewItem{}, fmt.Errorf("sqlitequeue: %w: a reviewer is required", moderation.ErrInvalidReview)
	}
	r := moderation.ReviewItem{ID: id, Reviewer: reviewer, Verdict: verdict, Note: note, Resolved: fromNanos(nanos(q.now()))}
	err := q.write(ctx, func(tx *txn) error {
		var item, dec []byte
		var added int64
		err := tx.queryRow(ctx, resolveSQL, nanos(r.Resolved), reviewer, int64(verdict), note, id).Scan(&item, &dec, &added)
		if errors.Is(err, sql.ErrNoRows) {
			var by string
			switch err := tx.queryRow(ctx, resolvedBySQL, id).Scan(&by); {
			case errors.Is(err, sql.ErrNoRows):
				return fmt.Errorf("sqlitequeue: %w: %s", moderation.ErrNotFound, id)
			case err != nil:
				return dbErr("resolve", err)
			}
			return fmt.Errorf("sqlitequeue: %w: %s by %s", moderation.ErrAlreadyResolved, id, by)
		}
		if err != nil {
			return dbErr("resolve", err)
		}
		if err := reviewjson.Decode(item, &r.Item, dec, &r.Decision); err != nil {
			return fmt.Errorf("sqlitequeue: %w", err)
		}
		r.Added = fromNanos(added)
		a := r.AuditEntry()
		before, err := json.Marshal(a.Before)
		if err != nil {
			return fmt.Errorf("sqlitequeue: encode decision: %w", err)
		}
		if _, err := tx.exec(ctx, auditSQL, a.ID, a.Reviewer, nanos(a.At), int64(a.Verdict), a.Note, before,
			int64(a.After), a.Language, a.Text); err != nil {
			return dbErr("audit", err)
		}
		return nil
	})
	if err != nil {
		return moderation.ReviewItem{}, err
	}
	return r, nil
}

// Audit implements moderation.ReviewQueue.
func (q *Queue) Audit(ctx context.Context) ([]moderation.AuditEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	rows, err := q.db.R.QueryContext(ctx, listSQL)
	if err != nil {
		return nil, dbErr("audit", err)
	}
	defer rows.Close()
	var out []moderation.AuditEntry
	for rows.Next() {
		var (
			a      moderation.AuditEntry
			at     int64
			before []byte
		)
		if err := rows.Scan(&a.ID, &a.Reviewer, &at, &a.Verdict, &a.Note, &before, &a.After, &a.Language, &a.Text); err != nil {
			return nil, dbErr("audit", err)
		}
		if err := json.Unmarshal(before, &a.Before); err != nil {
			return nil, fmt.Errorf("sqlitequeue: decode audit entry of %s: %w", a.ID, err)
		}
		a.At = fromNanos(at)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("audit", err)
	}
	return out, nil
}

// scanItem reads a row of selectItems.
func scanItem(row interface{ Scan(...any) error }) (moderation.ReviewItem, error) {
	var (
		r         moderation.ReviewItem
		item, dec []byte
		added     int64
		resolved  sql.NullInt64
	)
	if err := row.Scan(&r.ID, &item, &dec, &added, &resolved, &r.Reviewer, &r.Verdict, &r.Note); err != nil {
		if errors.Is(err, sql.ErrNoRows) {
			return r, err
		}
		return r, dbErr("read", err)
	}
	if err := reviewjson.Decode(item, &r.Item, dec, &r.Decision); err != nil {
		return r, fmt.Errorf("sqlitequeue: %w", err)
	}
	r.Added = fromNanos(added)
	if resolved.Valid {
		r.Resolved = fromNanos(resolved.Int64)
	}
	return r, nil
}

// dbErr wraps an error of the database (not of the caller's data),
// keeping it in the chain (context.Canceled, *sqlite.Error).
func dbErr(op string, err error) error {
	return fmt.Errorf("sqlitequeue: %s: %w", op, err)
}

// nanos and fromNanos store instants as UTC unix nanoseconds (see
// package internal/nanotime).
var nanos, fromNanos = nanotime.Of, nanotime.Time
