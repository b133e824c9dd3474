package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/scheduling"
)

// targetColumns are the columns of a target, in the order of targetArgs
// and scanTarget.
var targetColumns = []string{"id", "post_id", "account_id", "state", "version", "local_time", "zone", "due",
	"not_before", "run_at", "queued", "idem_key", "run", "attempt", "lease_owner", "lease_until", "unknown",
	"pending", "result_post_id", "result_url", "published_at", "failure_code", "failure_message", "updated_at"}

// cols lists targetColumns, each prefixed (a table alias and a dot, or "").
func cols(prefix string) string {
	var b strings.Builder
	for i, c := range targetColumns {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString(prefix)
		b.WriteString(c)
	}
	return b.String()
}

// placeholders returns "$from, $from+1, ..." for n parameters, each cast.
func placeholders(from int, types []string) string {
	var b strings.Builder
	for i, t := range types {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("$" + strconv.Itoa(from+i) + "::" + t)
	}
	return b.String()
}

// targetTypes are the SQL types of targetColumns, for casts of parameters.
var targetTypes = []string{"text", "text", "text", "smallint", "bigint", "text", "text", "bigint",
	"bigint", "bigint", "boolean", "text", "bigint", "bigint", "text", "bigint", "boolean",
	"bytea", "text", "text", "bigint", "integer", "text", "bigint"}

func scanTarget(row pgx.Row, extra ...any) (*scheduling.Target, error) {
	var (
		t                                                         scheduling.Target
		state                                                     int16
		local                                                     string
		due, notBefore, runAt, leaseUntil, publishedAt, updatedAt int64
		run, attempt                                              int64
		failureCode                                               int32
	)
	dest := append(extra, &t.ID, &t.PostID, &t.AccountID, &state, &t.Version, &local, &t.Zone, &due, &notBefore,
		&runAt, &t.Queued, &t.Key, &run, &attempt, &t.LeaseOwner, &leaseUntil, &t.Unknown, &t.Pending,
		&t.Result.PostID, &t.Result.URL, &publishedAt, &failureCode, &t.Failure.Message, &updatedAt)
	if err := row.Scan(dest...); err != nil {
		return nil, err
	}
	t.State = scheduling.State(state)
	if local != "" {
		var err error
		if t.Local, err = scheduling.ParseCivil(local); err != nil {
			return nil, fmt.Errorf("pgstore: target %s: stored local time: %w", t.ID, err)
		}
	}
	t.Run, t.Attempt = int(run), int(attempt)
	t.Due, t.NotBefore, t.LeaseUntil = fromNanos(due), fromNanos(notBefore), fromNanos(leaseUntil)
	t.Result.PublishedAt, t.UpdatedAt = fromNanos(publishedAt), fromNanos(updatedAt)
	t.Failure.Code = connectors.ErrorCode(failureCode)
	return &t, nil
}

func civilText(c scheduling.Civil) string {
	if c.IsZero() {
		return ""
	}
	return c.String()
}

// targetArgs are the values of targetColumns for t, with version v.
func targetArgs(t *scheduling.Target, v int64) []any {
	return []any{t.ID, t.PostID, t.AccountID, int16(t.State), v, civilText(t.Local), t.Zone, nanos(t.Due),
		nanos(t.NotBefore), nanos(t.RunAt()), t.Queued, t.Key, int64(t.Run), int64(t.Attempt), t.LeaseOwner,
		nanos(t.LeaseUntil), t.Unknown, t.Pending, t.Result.PostID, t.Result.URL,
		nanos(t.Result.PublishedAt), int32(t.Failure.Code), text(t.Failure.Message), nanos(t.UpdatedAt)}
}

var insertTargetSQL = `INSERT INTO {s}.targets (` + cols("") + `) VALUES (` + placeholders(1, targetTypes) + `)
	ON CONFLICT (id) DO NOTHING`

// updateTargetSQL updates a target at a version and, in the same
// snapshot, reads the stored version, post and account to explain a
// failure.
var updateTargetSQL = `WITH u AS (
	UPDATE {s}.targets SET ` + func() string {
	var sets []string
	for i, c := range targetColumns[3:] {
		sets = append(sets, c+" = $"+strconv.Itoa(i+4)+"::"+targetTypes[i+3])
	}
	return strings.Join(sets, ", ")
}() + `
	WHERE id = $1 AND version = $25 AND post_id = $2 AND account_id = $3
	RETURNING 1)
SELECT (SELECT count(*) FROM u), t.version, t.post_id, t.account_id
FROM (SELECT) AS one LEFT JOIN {s}.targets t ON t.id = $1`

// insertAuditSQL appends entries given as parallel arrays, in order, and
// returns their sequence numbers (in any order: sorted, they are the
// entries' in order).
const insertAuditSQL = `INSERT INTO {s}.audit (post_id, target_id, at, actor, action, from_state, to_state, reason)
	SELECT post_id, target_id, at, actor, action, from_state, to_state, reason
	FROM unnest($1::text[], $2::text[], $3::bigint[], $4::text[], $5::text[], $6::smallint[], $7::smallint[], $8::text[])
		WITH ORDINALITY AS e (post_id, target_id, at, actor, action, from_state, to_state, reason, ord)
	ORDER BY ord
	RETURNING seq`

// auditArgs are the arrays of insertAuditSQL for es.
func auditArgs(es []scheduling.AuditEntry) []any {
	var (
		posts, targets, actors, actions, reasons = make([]string, len(es)), make([]string, len(es)),
			make([]string, len(es)), make([]string, len(es)), make([]string, len(es))
		ats      = make([]int64, len(es))
		from, to = make([]int16, len(es)), make([]int16, len(es))
	)
	for i, e := range es {
		posts[i], targets[i], ats[i], actors[i], actions[i] = e.PostID, e.TargetID, nanos(e.At), text(e.Actor), text(e.Action)
		from[i], to[i], reasons[i] = int16(e.From), int16(e.To), text(e.Reason)
	}
	return []any{posts, targets, ats, actors, actions, from, to, reasons}
}

// readSeqs reads the RETURNING seq rows of insertAuditSQL, in order.
func readSeqs(rows pgx.Rows, n int) ([]int64, error) {
	seqs, err := pgx.CollectRows(rows, pgx.RowTo[int64])
	if err != nil {
		if pgCode(err) == codeForeignKey {
			return nil, fmt.Errorf("pgstore: audit entry for an unknown post: %w", scheduling.ErrNotFound)
		}
		return nil, dbErr("append audit", err)
	}
	if len(seqs) != n {
		return nil, fmt.Errorf("pgstore: audit: %d of %d entries inserted", len(seqs), n)
	}
	slices.Sort(seqs)
	return seqs, nil
}

const (
	insertPostSQL = `INSERT INTO {s}.posts (id, version, doc, created_at, updated_at)
	VALUES ($1, 1, $2::json, $3, $4) ON CONFLICT (id) DO NOTHING`
	// updatePostSQL also reads the stored version, in the same snapshot,
	// to explain a failure.
	updatePostSQL = `WITH u AS (
	UPDATE {s}.posts SET version = version + 1, doc = $1::json, updated_at = $2 WHERE id = $3 AND version = $4
	RETURNING 1)
SELECT (SELECT count(*) FROM u), (SELECT version FROM {s}.posts WHERE id = $3)`
)

// unslotSQL takes targets out of targets_queue_slot before a write gives
// them their new slots, so that targets of one write may take each
// other's slots: PostgreSQL checks a unique index that is not a deferrable
// constraint at each row. Their versions are unchanged; the updates that
// follow check them and write queued again.
const unslotSQL = `UPDATE {s}.targets SET queued = false WHERE queued AND id = ANY ($1::text[])`

// reslots reports whether c's targets may take each other's queue slots:
// it updates a target and writes another, one of them holding a slot.
func reslots(c *scheduling.Change) bool {
	if len(c.Targets) < 2 {
		return false
	}
	var update, hold bool
	for _, t := range c.Targets {
		update = update || t.Version != 0
		hold = hold || t.HoldsQueueSlot()
	}
	return update && hold
}

// updatedIDs are the IDs of the targets c updates.
func updatedIDs(c *scheduling.Change) []string {
	var ids []string
	for _, t := range c.Targets {
		if t.Version != 0 {
			ids = append(ids, t.ID)
		}
	}
	return ids
}

// Apply implements scheduling.Store. Its statements go to the server in
// one round trip (a pipeline) inside one transaction.
func (s *Store) Apply(ctx context.Context, c *scheduling.Change) error {
	if c == nil {
		return ctx.Err()
	}
	if err := c.Check(); err != nil {
		return err
	}
	var doc []byte
	if p := c.Post; p != nil {
		var err error
		if doc, err = json.Marshal(p); err != nil {
			return fmt.Errorf("pgstore: post %s: %w", p.ID, err)
		}
	}
	var seqs []int64
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		b := new(pgx.Batch)
		if p := c.Post; p != nil {
			if p.Version == 0 {
				b.Queue(s.q(insertPostSQL), p.ID, doc, nanos(p.CreatedAt), nanos(p.UpdatedAt))
			} else {
				b.Queue(s.q(updatePostSQL), doc, nanos(p.UpdatedAt), p.ID, p.Version)
			}
		}
		unslotting := reslots(c)
		if unslotting {
			b.Queue(s.q(unslotSQL), updatedIDs(c))
		}
		for _, t := range c.Targets {
			if t.Version == 0 {
				b.Queue(s.q(insertTargetSQL), targetArgs(t, 1)...)
			} else {
				b.Queue(s.q(updateTargetSQL), append(targetArgs(t, t.Version+1), t.Version)...)
			}
		}
		if len(c.Audit) > 0 {
			b.Queue(s.q(insertAuditSQL), auditArgs(c.Audit)...)
		}
		if b.Len() == 0 {
			return nil
		}
		br := tx.SendBatch(ctx, b)
		defer br.Close()
		if p := c.Post; p != nil {
			if err := putPostResult(br, p); err != nil {
				return err
			}
		}
		if unslotting {
			if _, err := br.Exec(); err != nil {
				return dbErr("free queue slots", err)
			}
		}
		for _, t := range c.Targets {
			if err := putTargetResult(br, t); err != nil {
				return err
			}
		}
		if len(c.Audit) > 0 {
			rows, err := br.Query()
			if err != nil {
				return dbErr("append audit", err)
			}
			if seqs, err = readSeqs(rows, len(c.Audit)); err != nil {
				return err
			}
		}
		return br.Close()
	})
	if err != nil {
		return err
	}
	if c.Post != nil {
		c.Post.Version++
	}
	for _, t := range c.Targets {
		t.Version++
	}
	for i := range c.Audit {
		c.Audit[i].Seq = seqs[i]
	}
	return nil
}

func putPostResult(br pgx.BatchResults, p *scheduling.Post) error {
	if p.Version == 0 {
		tag, err := br.Exec()
		if err != nil {
			return dbErr("insert post", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("pgstore: post %s exists: %w", p.ID, scheduling.ErrConflict)
		}
		return nil
	}
	var (
		n int64
		v *int64
	)
	if err := br.QueryRow().Scan(&n, &v); err != nil {
		return dbErr("update post", err)
	}
	switch {
	case n == 1:
		return nil
	case v == nil:
		return fmt.Errorf("pgstore: post %s: %w", p.ID, scheduling.ErrNotFound)
	case *v == p.Version:
		return fmt.Errorf("pgstore: post %s changed concurrently: %w", p.ID, scheduling.ErrConflict)
	}
	return fmt.Errorf("pgstore: post %s is at version %d, not %d: %w", p.ID, *v, p.Version, scheduling.ErrConflict)
}

func putTargetResult(br pgx.BatchResults, t *scheduling.Target) error {
	if t.Version == 0 {
		tag, err := br.Exec()
		if isSlotTaken(err) {
			return slotTaken(t)
		}
		if pgCode(err) == codeForeignKey {
			return fmt.Errorf("pgstore: target %s names unknown post %q: %w", t.ID, t.PostID, scheduling.ErrNotFound)
		}
		if err != nil {
			return dbErr("insert target", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("pgstore: target %s exists: %w", t.ID, scheduling.ErrConflict)
		}
		return nil
	}
	var (
		n                 int64
		v                 *int64
		postID, accountID *string
	)
	if err := br.QueryRow().Scan(&n, &v, &postID, &accountID); err != nil {
		if isSlotTaken(err) {
			return slotTaken(t)
		}
		return dbErr("update target", err)
	}
	switch {
	case n == 1:
		return nil
	case v == nil:
		return fmt.Errorf("pgstore: target %s: %w", t.ID, scheduling.ErrNotFound)
	case *v != t.Version:
		return fmt.Errorf("pgstore: target %s is at version %d, not %d: %w", t.ID, *v, t.Version, scheduling.ErrConflict)
	case *postID != t.PostID || *accountID != t.AccountID:
		return fmt.Errorf("pgstore: target %s cannot change post or account: %w", t.ID, scheduling.ErrConflict)
	}
	// The version read is of the statement's snapshot: another writer
	// changed the target while this one waited for its lock.
	return fmt.Errorf("pgstore: target %s changed concurrently: %w", t.ID, scheduling.ErrConflict)
}

func decodePost(id string, version int64, doc []byte) (*scheduling.Post, error) {
	p := new(scheduling.Post)
	if err := json.Unmarshal(doc, p); err != nil {
		return nil, fmt.Errorf("pgstore: post %s: stored document: %w", id, err)
	}
	p.ID, p.Version = id, version
	return p, nil
}

// GetPost implements scheduling.Store. The post and its targets are read
// in one repeatable-read transaction, so they are consistent.
func (s *Store) GetPost(ctx context.Context, id string) (*scheduling.Post, []*scheduling.Target, error) {
	tx, err := s.pool.BeginTx(ctx, pgx.TxOptions{IsoLevel: pgx.RepeatableRead, AccessMode: pgx.ReadOnly})
	if err != nil {
		return nil, nil, dbErr("begin", err)
	}
	defer func() { _ = tx.Rollback(context.WithoutCancel(ctx)) }()
	var (
		version int64
		doc     []byte
	)
	err = tx.QueryRow(ctx, s.q(`SELECT version, doc FROM {s}.posts WHERE id = $1`), id).Scan(&version, &doc)
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, nil, fmt.Errorf("pgstore: post %q: %w", id, scheduling.ErrNotFound)
	}
	if err != nil {
		return nil, nil, dbErr("read post", err)
	}
	p, err := decodePost(id, version, doc)
	if err != nil {
		return nil, nil, err
	}
	ts, err := queryTargets(ctx, tx, s.q(`SELECT `+cols("")+` FROM {s}.targets WHERE post_id = $1 ORDER BY id`), id)
	if err != nil {
		return nil, nil, err
	}
	return p, ts, tx.Commit(ctx)
}

type querier interface {
	Query(ctx context.Context, sql string, args ...any) (pgx.Rows, error)
}

func queryTargets(ctx context.Context, q querier, query string, args ...any) ([]*scheduling.Target, error) {
	rows, err := q.Query(ctx, query, args...)
	if err != nil {
		return nil, dbErr("read targets", err)
	}
	defer rows.Close()
	var out []*scheduling.Target
	for rows.Next() {
		t, err := scanTarget(rows)
		if err != nil {
			return nil, dbErr("read targets", err)
		}
		out = append(out, t)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("read targets", err)
	}
	return out, nil
}

// GetTarget implements scheduling.Store.
func (s *Store) GetTarget(ctx context.Context, id string) (*scheduling.Target, error) {
	t, err := scanTarget(s.pool.QueryRow(ctx, s.q(`SELECT `+cols("")+` FROM {s}.targets WHERE id = $1`), id))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("pgstore: target %q: %w", id, scheduling.ErrNotFound)
	}
	if err != nil {
		return nil, dbErr("read target", err)
	}
	return t, nil
}

// ListTargets implements scheduling.Store.
func (s *Store) ListTargets(ctx context.Context, f scheduling.TargetFilter) ([]*scheduling.Target, error) {
	var (
		where []string
		args  []any
	)
	arg := func(v any) string {
		args = append(args, v)
		return "$" + strconv.Itoa(len(args))
	}
	if f.PostID != "" {
		where = append(where, "post_id = "+arg(f.PostID))
	}
	if f.AccountID != "" {
		where = append(where, "account_id = "+arg(f.AccountID))
	}
	if len(f.States) > 0 {
		states := make([]int16, len(f.States))
		for i, st := range f.States {
			states[i] = int16(st)
		}
		where = append(where, "state = ANY ("+arg(states)+"::smallint[])")
	}
	if !f.RunFrom.IsZero() {
		where = append(where, "run_at >= "+arg(nanos(f.RunFrom))+"::bigint")
	}
	if !f.RunBefore.IsZero() {
		where = append(where, "run_at < "+arg(nanos(f.RunBefore))+"::bigint")
	}
	if f.AfterID != "" {
		where = append(where, "(run_at, id) > ("+arg(nanos(f.AfterRunAt))+"::bigint, "+arg(f.AfterID)+"::text)")
	}
	q := `SELECT ` + cols("") + ` FROM {s}.targets`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY run_at, id"
	if f.Limit > 0 {
		q += " LIMIT " + arg(int64(f.Limit))
	}
	return queryTargets(ctx, s.pool, s.q(q), args...)
}

// CountPublished implements scheduling.Store.
func (s *Store) CountPublished(ctx context.Context, accountID string, since time.Time) (int, error) {
	var n int64
	// state = 5 (Published) is a literal so that the partial index
	// targets_published serves the count.
	err := s.pool.QueryRow(ctx, s.q(`SELECT count(*) FROM {s}.targets
		WHERE account_id = $1 AND state = 5 AND published_at >= $2::bigint`), accountID, nanos(since)).Scan(&n)
	if err != nil {
		return 0, dbErr("count published", err)
	}
	return int(n), nil
}
