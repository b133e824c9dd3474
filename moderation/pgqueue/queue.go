package pgqueue

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cmkit/cmkit/internal/nanotime"
	"github.com/cmkit/cmkit/internal/pgdb"
	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/internal/reviewjson"
)

// DefaultSchema is the PostgreSQL schema the tables live in when
// Options.Schema is empty.
const DefaultSchema = "cmkit_moderation"

// Options tune a Queue. The zero value, or nil, gives the defaults
// documented on each field.
type Options struct {
	// Schema is the PostgreSQL schema that holds the queue's tables
	// (review_items, review_audit, review_migrations). It is created if
	// missing. Defaults to DefaultSchema ("cmkit_moderation"). Queues with
	// different schemas in one database are independent: use one per
	// environment, tenant or test. At most 63 bytes.
	Schema string
	// Now is the clock of Added and Resolved times. Defaults to
	// time.Now. Queues on several machines should have synchronised
	// clocks (NTP): see the package documentation.
	Now func() time.Time
}

// Queue is a moderation.ReviewQueue in a PostgreSQL database. It is safe
// for concurrent use by many goroutines, and by many processes on many
// machines sharing the schema (see the package documentation). Close it
// when done.
type Queue struct {
	pool   *pgxpool.Pool
	owned  bool        // Close closes pool
	schema pgdb.Schema // its name as given and quoted
	table  string      // the quoted review_items table, for pg_get_serial_sequence
	now    func() time.Time

	// SQL texts with the schema filled in, built once: pgx caches
	// prepared statements by text.
	addSQL, addNewSQL, resolveSQL, resolvedBySQL, auditSQL, pendingSQL, getSQL, listSQL string
}

var _ moderation.ReviewQueue = (*Queue)(nil)

// Open connects to the database named by connString (a URL such as
// "postgres://user:pass@host:5432/db?sslmode=verify-full" or a keyword/value
// string; see pgxpool.ParseConfig for pool settings such as
// pool_max_conns), brings the schema to the current version and returns
// the Queue, which owns the connection pool: Close closes it. opts may be
// nil.
//
// A schema written by a newer version of cmkit is refused with a
// *SchemaVersionError (errors.Is(err, ErrSchemaTooNew)).
func Open(ctx context.Context, connString string, opts *Options) (*Queue, error) {
	pool, err := pgdb.Connect(ctx, connString)
	if err != nil {
		return nil, fmt.Errorf("pgqueue: %w", err)
	}
	q, err := New(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	q.owned = true
	return q, nil
}

// New returns a Queue on an existing connection pool, after bringing the
// schema to the current version. The pool stays the caller's: Close does
// not close it. The pool must not run statements through PgBouncer in
// transaction mode with the default statement cache (use
// default_query_exec_mode=exec there). opts may be nil.
func New(ctx context.Context, pool *pgxpool.Pool, opts *Options) (*Queue, error) {
	if pool == nil {
		return nil, errors.New("pgqueue: nil pool")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Schema == "" {
		o.Schema = DefaultSchema
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if err := pgdb.CheckSchemaName(o.Schema); err != nil {
		return nil, fmt.Errorf("pgqueue: Options.Schema %w", err)
	}
	q := &Queue{pool: pool, schema: pgdb.NewSchema(o.Schema),
		table: pgx.Identifier{o.Schema, "review_items"}.Sanitize(), now: o.Now}
	q.addSQL = q.q(addSQL)
	q.addNewSQL = q.q(addNewSQL)
	q.resolveSQL = q.q(resolveSQL)
	q.resolvedBySQL = q.q(resolvedBySQL)
	q.auditSQL = q.q(auditSQL)
	q.pendingSQL = q.q(pendingSQL)
	q.getSQL = q.q(getSQL)
	q.listSQL = q.q(listSQL)
	if err := q.migrate(ctx); err != nil {
		return nil, err
	}
	return q, nil
}

// Close closes the connection pool if Open created it. A Queue must not
// be used after Close.
func (q *Queue) Close() error {
	if q.owned {
		q.pool.Close()
	}
	return nil
}

// Schema returns the name of the PostgreSQL schema that holds the tables.
func (q *Queue) Schema() string { return q.schema.Name }

// Pool returns the connection pool the Queue runs on.
func (q *Queue) Pool() *pgxpool.Pool { return q.pool }

const (
	// addSQL inserts an entry, or replaces the item and decision of a
	// pending one (keeping its seq and added time: its place in line). No
	// row is written, nor returned, when the entry is resolved: ON
	// CONFLICT locks the row and checks the condition on its latest
	// version, so an Add racing a Resolve never undoes it.
	addSQL = `INSERT INTO {s}.review_items (id, item, decision, added) VALUES ($1, $2::json, $3::json, $4)
ON CONFLICT (id) DO UPDATE SET item = excluded.item, decision = excluded.decision
WHERE {s}.review_items.resolved IS NULL RETURNING id`
	// addNewSQL inserts an entry under a generated ID, "review-" and the
	// row's own seq (from its identity sequence, so unique across
	// processes); nothing when an item took that ID as its own.
	addNewSQL = `INSERT INTO {s}.review_items (seq, id, item, decision, added)
SELECT n, 'review-' || n, $1::json, $2::json, $3 FROM (SELECT nextval(pg_get_serial_sequence($4, 'seq')) AS n) s
ON CONFLICT (id) DO NOTHING RETURNING id`
	// resolveSQL resolves a pending entry: the condition on resolved makes
	// a second resolution, from this process or another, change nothing
	// (a concurrent one waits for the row lock, then finds it resolved).
	// Resolved is never before Added, even when this machine's clock is
	// behind the one that added the item.
	resolveSQL = `UPDATE {s}.review_items SET resolved = GREATEST($1::bigint, added), reviewer = $2, verdict = $3, note = $4
WHERE id = $5 AND resolved IS NULL RETURNING item, decision, added, resolved`
	resolvedBySQL = `SELECT reviewer FROM {s}.review_items WHERE id = $1`
	auditSQL      = `INSERT INTO {s}.review_audit (id, reviewer, at, verdict, note, before, after, language, text)
VALUES ($1, $2, $3, $4, $5, $6::json, $7, $8, $9::json)`

	selectItems = `SELECT id, item, decision, added, resolved, reviewer, verdict, note FROM {s}.review_items `
	// pendingSQL walks the partial index review_pending; LIMIT NULL is
	// no limit.
	pendingSQL = selectItems + `WHERE resolved IS NULL ORDER BY added, seq LIMIT $1`
	getSQL     = selectItems + `WHERE id = $1`
	listSQL    = `SELECT id, reviewer, at, verdict, note, before, after, language, text FROM {s}.review_audit ORDER BY seq`
)

// Add implements moderation.ReviewQueue. An item without ID gets
// "review-" and a number. Besides the errors of the interface, Add
// refuses, with an error matching moderation.ErrInvalidReview that names
// the field, what it cannot store exactly: a string that is not valid
// UTF-8, a score that is NaN or infinite, and a NUL byte in the item's ID
// or the decision's language (text columns).
func (q *Queue) Add(ctx context.Context, it *moderation.Item, d moderation.Decision) (string, error) {
	if it == nil {
		return "", moderation.ErrInvalidItem
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	if err := textColumn(it.ID, "Item.ID"); err != nil {
		return "", err
	}
	if err := textColumn(d.Language, "Decision.Language"); err != nil {
		return "", err
	}
	item, dec, err := reviewjson.Encode(it, d)
	if err != nil {
		return "", fmt.Errorf("pgqueue: %w", err)
	}
	added := nanos(q.now())
	if it.ID != "" {
		var id string
		err := q.pool.QueryRow(ctx, q.addSQL, it.ID, item, dec, added).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			return "", fmt.Errorf("pgqueue: %w: %s", moderation.ErrAlreadyResolved, it.ID)
		}
		if err != nil {
			return "", dbErr("add", err)
		}
		return id, nil
	}
	// A generated ID that an item already took as its own is skipped for
	// the next number. Each try is one statement.
	for {
		var id string
		err := q.pool.QueryRow(ctx, q.addNewSQL, item, dec, added, q.table).Scan(&id)
		if errors.Is(err, pgx.ErrNoRows) {
			continue
		}
		if err != nil {
			return "", dbErr("add", err)
		}
		return id, nil
	}
}

// Pending implements moderation.ReviewQueue.
func (q *Queue) Pending(ctx context.Context, limit int) ([]moderation.ReviewItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	var lim any // NULL: no limit
	if limit > 0 {
		lim = int64(limit)
	}
	rows, err := q.pool.Query(ctx, q.pendingSQL, lim)
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
	if !validID(id) {
		return moderation.ReviewItem{}, fmt.Errorf("pgqueue: %w: %q", moderation.ErrNotFound, id)
	}
	r, err := scanItem(q.pool.QueryRow(ctx, q.getSQL, id))
	if errors.Is(err, pgx.ErrNoRows) {
		return moderation.ReviewItem{}, fmt.Errorf("pgqueue: %w: %s", moderation.ErrNotFound, id)
	}
	return r, err
}

// Resolve implements moderation.ReviewQueue. The entry and its audit
// entry are written in one transaction; of two Queues (two machines)
// resolving one item at once, one wins and the other gets
// moderation.ErrAlreadyResolved naming the winner. A reviewer or note
// holding a NUL byte or invalid UTF-8, which a text column cannot hold,
// is refused with an error matching moderation.ErrInvalidReview.
func (q *Queue) Resolve(ctx context.Context, id, reviewer string, verdict moderation.ReviewVerdict, note string) (moderation.ReviewItem, error) {
	if err := ctx.Err(); err != nil {
		return moderation.ReviewItem{}, err
	}
	if verdict != moderation.Approve && verdict != moderation.Remove {
		return moderation.ReviewItem{}, fmt.Errorf("pgqueue: %w: verdict %v: want Approve or Remove", moderation.ErrInvalidReview, verdict)
	}
	if reviewer == "" {
		return moderation.ReviewItem{}, fmt.Errorf("pgqueue: %w: a reviewer is required", moderation.ErrInvalidReview)
	}
	if err := textColumn(reviewer, "reviewer"); err != nil {
		return moderation.ReviewItem{}, err
	}
	if err := textColumn(note, "note"); err != nil {
		return moderation.ReviewItem{}, err
	}
	if !validID(id) {
		return moderation.ReviewItem{}, fmt.Errorf("pgqueue: %w: %q", moderation.ErrNotFound, id)
	}
	r := moderation.ReviewItem{ID: id, Reviewer: reviewer, Verdict: verdict, Note: note}
	err := q.inTx(ctx, func(tx pgx.Tx) error {
		var (
			item, dec       []byte
			added, resolved int64
		)
		err := tx.QueryRow(ctx, q.resolveSQL, nanos(q.now()), reviewer, int16(verdict), note, id).
			Scan(&item, &dec, &added, &resolved)
		if errors.Is(err, pgx.ErrNoRows) {
			// Not found, or resolved: by another reviewer who committed
			// first, whom this statement (a new snapshot) sees.
			var by string
			switch err := tx.QueryRow(ctx, q.resolvedBySQL, id).Scan(&by); {
			case errors.Is(err, pgx.ErrNoRows):
				return fmt.Errorf("pgqueue: %w: %s", moderation.ErrNotFound, id)
			case err != nil:
				return dbErr("resolve", err)
			}
			return fmt.Errorf("pgqueue: %w: %s by %s", moderation.ErrAlreadyResolved, id, by)
		}
		if err != nil {
			return dbErr("resolve", err)
		}
		if err := reviewjson.Decode(item, &r.Item, dec, &r.Decision); err != nil {
			return fmt.Errorf("pgqueue: %w", err)
		}
		r.Added, r.Resolved = fromNanos(added), fromNanos(resolved)
		a := r.AuditEntry()
		before, err := json.Marshal(a.Before)
		if err != nil {
			return fmt.Errorf("pgqueue: encode decision: %w", err)
		}
		text, err := json.Marshal(a.Text)
		if err != nil {
			return fmt.Errorf("pgqueue: encode text: %w", err)
		}
		if _, err := tx.Exec(ctx, q.auditSQL, a.ID, a.Reviewer, nanos(a.At), int16(a.Verdict), a.Note, before,
			int16(a.After), a.Language, text); err != nil {
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
	rows, err := q.pool.Query(ctx, q.listSQL)
	if err != nil {
		return nil, dbErr("audit", err)
	}
	defer rows.Close()
	var out []moderation.AuditEntry
	for rows.Next() {
		var (
			a              moderation.AuditEntry
			at             int64
			verdict, after int16
			before, text   []byte
		)
		if err := rows.Scan(&a.ID, &a.Reviewer, &at, &verdict, &a.Note, &before, &after, &a.Language, &text); err != nil {
			return nil, dbErr("audit", err)
		}
		if err := json.Unmarshal(before, &a.Before); err != nil {
			return nil, fmt.Errorf("pgqueue: decode audit entry of %s: %w", a.ID, err)
		}
		if err := json.Unmarshal(text, &a.Text); err != nil {
			return nil, fmt.Errorf("pgqueue: decode audit entry of %s: %w", a.ID, err)
		}
		a.At, a.Verdict, a.After = fromNanos(at), moderation.ReviewVerdict(verdict), moderation.Action(after)
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("audit", err)
	}
	return out, nil
}

// inTx runs fn in a read-committed transaction and commits it, or rolls
// it back if fn or the commit fails.
func (q *Queue) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := q.pool.Begin(ctx)
	if err != nil {
		return dbErr("begin", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return dbErr("commit", err)
	}
	return nil
}

// q returns query with "{s}" replaced by the quoted schema name.
func (q *Queue) q(query string) string { return q.schema.Q(query) }

// scanItem reads a row of selectItems.
func scanItem(row pgx.Row) (moderation.ReviewItem, error) {
	var (
		r         moderation.ReviewItem
		item, dec []byte
		added     int64
		resolved  *int64
		verdict   int16
	)
	if err := row.Scan(&r.ID, &item, &dec, &added, &resolved, &r.Reviewer, &verdict, &r.Note); err != nil {
		if errors.Is(err, pgx.ErrNoRows) {
			return r, err
		}
		return r, dbErr("read", err)
	}
	if err := reviewjson.Decode(item, &r.Item, dec, &r.Decision); err != nil {
		return r, fmt.Errorf("pgqueue: %w", err)
	}
	r.Added, r.Verdict = fromNanos(added), moderation.ReviewVerdict(verdict)
	if resolved != nil {
		r.Resolved = fromNanos(*resolved)
	}
	return r, nil
}

// textColumn checks that a text column can hold s: PostgreSQL text holds
// neither NUL bytes nor invalid UTF-8.
func textColumn(s, field string) error {
	if strings.IndexByte(s, 0) >= 0 {
		return fmt.Errorf("pgqueue: %w: %s contains a NUL byte, which PostgreSQL text cannot hold", moderation.ErrInvalidReview, field)
	}
	if !utf8.ValidString(s) {
		return fmt.Errorf("pgqueue: %w: %s is not valid UTF-8", moderation.ErrInvalidReview, field)
	}
	return nil
}

// validID reports whether id could be stored: one that could not is in
// no row, and the server would refuse it as a parameter.
func validID(id string) bool { return strings.IndexByte(id, 0) < 0 && utf8.ValidString(id) }

// dbErr wraps an error of the database (not of the caller's data),
// keeping it in the chain (context.Canceled, *pgconn.PgError).
func dbErr(op string, err error) error {
	return fmt.Errorf("pgqueue: %s: %w", op, err)
}

// nanos and fromNanos store instants as UTC unix nanoseconds (see
// package internal/nanotime).
var nanos, fromNanos = nanotime.Of, nanotime.Time
