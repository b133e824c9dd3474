package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/scheduling"
)

const targetCols = `id, post_id, account_id, state, version, local, zone, due, not_before, run_at, queued, key,
	run, attempt, lease_owner, lease_until, unknown, pending, result_post_id, result_url, published_at,
	failure_code, failure_message, updated_at`

type scanner interface{ Scan(dest ...any) error }

func scanTarget(sc scanner) (*scheduling.Target, error) {
	var (
		t                                                         scheduling.Target
		state                                                     int
		local                                                     string
		due, notBefore, runAt, leaseUntil, publishedAt, updatedAt int64
		queued, unknown                                           int
		failureCode                                               int
		pending                                                   []byte
	)
	err := sc.Scan(&t.ID, &t.PostID, &t.AccountID, &state, &t.Version, &local, &t.Zone, &due, &notBefore, &runAt,
		&queued, &t.Key, &t.Run, &t.Attempt, &t.LeaseOwner, &leaseUntil, &unknown, &pending,
		&t.Result.PostID, &t.Result.URL, &publishedAt, &failureCode, &t.Failure.Message, &updatedAt)
	if err != nil {
		return nil, err
	}
	t.State = scheduling.State(state)
	if local != "" {
		if t.Local, err = scheduling.ParseCivil(local); err != nil {
			return nil, fmt.Errorf("sqlitestore: target %s: stored local time: %w", t.ID, err)
		}
	}
	t.Due, t.NotBefore, t.LeaseUntil = fromNanos(due), fromNanos(notBefore), fromNanos(leaseUntil)
	t.Result.PublishedAt, t.UpdatedAt = fromNanos(publishedAt), fromNanos(updatedAt)
	t.Queued, t.Unknown = queued != 0, unknown != 0
	t.Failure.Code = connectors.ErrorCode(failureCode)
	t.Pending = pending
	return &t, nil
}

func civilText(c scheduling.Civil) string {
	if c.IsZero() {
		return ""
	}
	return c.String()
}

// targetArgs are the values of targetCols for t, with version v.
func targetArgs(t *scheduling.Target, v int64) []any {
	var pending any
	if t.Pending != nil {
		pending = t.Pending
	}
	return []any{t.ID, t.PostID, t.AccountID, int(t.State), v, civilText(t.Local), t.Zone, nanos(t.Due),
		nanos(t.NotBefore), nanos(t.RunAt()), boolInt(t.Queued), t.Key, t.Run, t.Attempt, t.LeaseOwner,
		nanos(t.LeaseUntil), boolInt(t.Unknown), pending, t.Result.PostID, t.Result.URL,
		nanos(t.Result.PublishedAt), int(t.Failure.Code), t.Failure.Message, nanos(t.UpdatedAt)}
}

var insertTargetSQL = `INSERT INTO targets (` + targetCols + `) VALUES (?` + strings.Repeat(", ?", 23) + `)
	ON CONFLICT (id) DO NOTHING`

const updateTargetSQL = `UPDATE targets SET state = ?, version = ?, local = ?, zone = ?, due = ?, not_before = ?,
	run_at = ?, queued = ?, key = ?, run = ?, attempt = ?, lease_owner = ?, lease_until = ?, unknown = ?,
	pending = ?, result_post_id = ?, result_url = ?, published_at = ?, failure_code = ?,
	failure_message = ?, updated_at = ?
	WHERE id = ? AND version = ? AND post_id = ? AND account_id = ?`

// insertTarget inserts t at version 1.
func insertTarget(ctx context.Context, tx *txn, t *scheduling.Target) error {
	if t == nil || t.ID == "" {
		return errors.New("sqlitestore: target with an empty ID")
	}
	res, err := tx.ExecContext(ctx, insertTargetSQL, targetArgs(t, 1)...)
	if isConstraint(err, constraintFK) {
		return fmt.Errorf("sqlitestore: target %s names unknown post %q: %w", t.ID, t.PostID, scheduling.ErrNotFound)
	}
	if isConstraint(err, constraintUnique) {
		return slotTaken(t)
	}
	if err != nil {
		return dbErr("insert target", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return fmt.Errorf("sqlitestore: target %s exists: %w", t.ID, scheduling.ErrConflict)
	}
	return nil
}

// updateTarget writes t over the stored target at t.Version.
func updateTarget(ctx context.Context, tx *txn, t *scheduling.Target) error {
	a := targetArgs(t, t.Version+1)
	args := append(a[3:len(a):len(a)], t.ID, t.Version, t.PostID, t.AccountID)
	res, err := tx.ExecContext(ctx, updateTargetSQL, args...)
	if isConstraint(err, constraintUnique) {
		return slotTaken(t)
	}
	if err != nil {
		return dbErr("update target", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var v int64
	var postID, account string
	err = tx.QueryRowContext(ctx, targetVersionSQL, t.ID).Scan(&v, &postID, &account)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlitestore: target %s: %w", t.ID, scheduling.ErrNotFound)
	case err != nil:
		return dbErr("read target", err)
	case v != t.Version:
		return fmt.Errorf("sqlitestore: target %s is at version %d, not %d: %w", t.ID, v, t.Version, scheduling.ErrConflict)
	}
	return fmt.Errorf("sqlitestore: target %s cannot change post or account: %w", t.ID, scheduling.ErrConflict)
}

// unslotSQL takes targets out of targets_queue_slot (a JSON array of
// IDs) before a write gives them their new slots, so that targets of one
// write may take each other's slots: SQLite checks a UNIQUE index at each
// row, not at the end of the transaction. Their versions are unchanged;
// the updates that follow check them and write queued again.
const unslotSQL = `UPDATE targets SET queued = 0 WHERE queued = 1 AND id IN (SELECT value FROM json_each(?))`

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

// unslot runs unslotSQL for the targets c updates.
func unslot(ctx context.Context, tx *txn, c *scheduling.Change) error {
	var ids []string
	for _, t := range c.Targets {
		if t.Version != 0 {
			ids = append(ids, t.ID)
		}
	}
	doc, err := json.Marshal(ids)
	if err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	_, err = tx.ExecContext(ctx, unslotSQL, string(doc))
	return dbErr("free queue slots", err)
}

const (
	targetVersionSQL = `SELECT version, post_id, account_id FROM targets WHERE id = ?`
	insertPostSQL    = `INSERT INTO posts (id, version, doc, created_at, updated_at) VALUES (?, 1, ?, ?, ?)
	ON CONFLICT (id) DO NOTHING`
	updatePostSQL = `UPDATE posts SET version = version + 1, doc = ?, updated_at = ? WHERE id = ? AND version = ?`
)

const insertAuditSQL = `INSERT INTO audit (post_id, target_id, at, actor, action, from_state, to_state, reason)
	VALUES (?, ?, ?, ?, ?, ?, ?, ?)`

// insertAuditsSQL inserts many entries from a JSON array of arrays, in
// order, in one statement.
const insertAuditsSQL = `INSERT INTO audit (post_id, target_id, at, actor, action, from_state, to_state, reason)
	SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7
	FROM json_each(?) ORDER BY key`

// appendAudit inserts es and returns their sequence numbers.
func appendAudit(ctx context.Context, tx *txn, es []scheduling.AuditEntry) ([]int64, error) {
	if len(es) == 0 {
		return nil, nil
	}
	seqs := make([]int64, len(es))
	if len(es) > 2 {
		// One statement: the rows get consecutive sequence numbers
		// (max+1 each, in order, by the only writer), ending at the last
		// insert ID.
		rows := make([][8]any, len(es))
		for i, e := range es {
			rows[i] = [8]any{e.PostID, e.TargetID, nanos(e.At), e.Actor, e.Action, int(e.From), int(e.To), e.Reason}
		}
		doc, err := json.Marshal(rows)
		if err != nil {
			return nil, fmt.Errorf("sqlitestore: audit: %w", err)
		}
		res, err := tx.ExecContext(ctx, insertAuditsSQL, string(doc))
		if isConstraint(err, constraintFK) {
			return nil, fmt.Errorf("sqlitestore: audit entry for an unknown post: %w", scheduling.ErrNotFound)
		}
		if err != nil {
			return nil, dbErr("append audit", err)
		}
		last, err := res.LastInsertId()
		if err != nil {
			return nil, dbErr("append audit", err)
		}
		if n, _ := res.RowsAffected(); n != int64(len(es)) {
			return nil, fmt.Errorf("sqlitestore: audit: %d of %d entries inserted", n, len(es))
		}
		for i := range seqs {
			seqs[i] = last - int64(len(es)-1-i)
		}
		return seqs, nil
	}
	for i, e := range es {
		res, err := tx.ExecContext(ctx, insertAuditSQL, e.PostID, e.TargetID, nanos(e.At), e.Actor, e.Action,
			int(e.From), int(e.To), e.Reason)
		if isConstraint(err, constraintFK) {
			return nil, fmt.Errorf("sqlitestore: audit entry for unknown post %q: %w", e.PostID, scheduling.ErrNotFound)
		}
		if err != nil {
			return nil, dbErr("append audit", err)
		}
		if seqs[i], err = res.LastInsertId(); err != nil {
			return nil, dbErr("append audit", err)
		}
	}
	return seqs, nil
}

// Apply implements scheduling.Store.
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
			return fmt.Errorf("sqlitestore: post %s: %w", p.ID, err)
		}
	}
	var seqs []int64
	err := s.write(ctx, func(tx *txn) error {
		if p := c.Post; p != nil {
			if err := putPost(ctx, tx, p, doc); err != nil {
				return err
			}
		}
		if reslots(c) {
			if err := unslot(ctx, tx, c); err != nil {
				return err
			}
		}
		for _, t := range c.Targets {
			var err error
			if t.Version == 0 {
				err = insertTarget(ctx, tx, t)
			} else {
				err = updateTarget(ctx, tx, t)
			}
			if err != nil {
				return err
			}
		}
		var err error
		seqs, err = appendAudit(ctx, tx, c.Audit)
		return err
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

func putPost(ctx context.Context, tx *txn, p *scheduling.Post, doc []byte) error {
	if p.Version == 0 {
		res, err := tx.ExecContext(ctx, insertPostSQL, p.ID, doc, nanos(p.CreatedAt), nanos(p.UpdatedAt))
		if err != nil {
			return dbErr("insert post", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlitestore: post %s exists: %w", p.ID, scheduling.ErrConflict)
		}
		return nil
	}
	res, err := tx.ExecContext(ctx, updatePostSQL, doc, nanos(p.UpdatedAt), p.ID, p.Version)
	if err != nil {
		return dbErr("update post", err)
	}
	if n, _ := res.RowsAffected(); n == 1 {
		return nil
	}
	var v int64
	err = tx.QueryRowContext(ctx, `SELECT version FROM posts WHERE id = ?`, p.ID).Scan(&v)
	switch {
	case errors.Is(err, sql.ErrNoRows):
		return fmt.Errorf("sqlitestore: post %s: %w", p.ID, scheduling.ErrNotFound)
	case err != nil:
		return dbErr("read post", err)
	}
	return fmt.Errorf("sqlitestore: post %s is at version %d, not %d: %w", p.ID, v, p.Version, scheduling.ErrConflict)
}

func decodePost(id string, version int64, doc []byte) (*scheduling.Post, error) {
	p := new(scheduling.Post)
	if err := json.Unmarshal(doc, p); err != nil {
		return nil, fmt.Errorf("sqlitestore: post %s: stored document: %w", id, err)
	}
	p.ID, p.Version = id, version
	return p, nil
}

// GetPost implements scheduling.Store.
func (s *Store) GetPost(ctx context.Context, id string) (*scheduling.Post, []*scheduling.Target, error) {
	// One read transaction, so the post and its targets are consistent.
	tx, err := s.db.R.BeginTx(ctx, &sql.TxOptions{ReadOnly: !s.db.Memory})
	if err != nil {
		return nil, nil, dbErr("begin", err)
	}
	defer func() { _ = tx.Rollback() }()
	var (
		version int64
		doc     []byte
	)
	err = tx.QueryRowContext(ctx, `SELECT version, doc FROM posts WHERE id = ?`, id).Scan(&version, &doc)
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil, fmt.Errorf("sqlitestore: post %q: %w", id, scheduling.ErrNotFound)
	}
	if err != nil {
		return nil, nil, dbErr("read post", err)
	}
	p, err := decodePost(id, version, doc)
	if err != nil {
		return nil, nil, err
	}
	ts, err := queryTargets(ctx, tx, `SELECT `+targetCols+` FROM targets WHERE post_id = ? ORDER BY id`, id)
	if err != nil {
		return nil, nil, err
	}
	return p, ts, nil
}

type querier interface {
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
}

func queryTargets(ctx context.Context, q querier, query string, args ...any) ([]*scheduling.Target, error) {
	rows, err := q.QueryContext(ctx, query, args...)
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
	t, err := scanTarget(s.db.R.QueryRowContext(ctx, `SELECT `+targetCols+` FROM targets WHERE id = ?`, id))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlitestore: target %q: %w", id, scheduling.ErrNotFound)
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
	if f.PostID != "" {
		where, args = append(where, "post_id = ?"), append(args, f.PostID)
	}
	if f.AccountID != "" {
		where, args = append(where, "account_id = ?"), append(args, f.AccountID)
	}
	if len(f.States) > 0 {
		where = append(where, "state IN (?"+strings.Repeat(", ?", len(f.States)-1)+")")
		for _, st := range f.States {
			args = append(args, int(st))
		}
	}
	if !f.RunFrom.IsZero() {
		where, args = append(where, "run_at >= ?"), append(args, nanos(f.RunFrom))
	}
	if !f.RunBefore.IsZero() {
		where, args = append(where, "run_at < ?"), append(args, nanos(f.RunBefore))
	}
	if f.AfterID != "" {
		where, args = append(where, "(run_at, id) > (?, ?)"), append(args, nanos(f.AfterRunAt), f.AfterID)
	}
	q := `SELECT ` + targetCols + ` FROM targets`
	if len(where) > 0 {
		q += " WHERE " + strings.Join(where, " AND ")
	}
	q += " ORDER BY run_at, id"
	if f.Limit > 0 {
		q, args = q+" LIMIT ?", append(args, f.Limit)
	}
	return queryTargets(ctx, s.db.R, q, args...)
}

// CountPublished implements scheduling.Store.
func (s *Store) CountPublished(ctx context.Context, accountID string, since time.Time) (int, error) {
	var n int
	// state = 5 (Published) is a literal so that the partial index
	// targets_published serves the count.
	err := s.db.R.QueryRowContext(ctx, `SELECT COUNT(*) FROM targets INDEXED BY targets_published
		WHERE account_id = ? AND state = 5 AND published_at >= ?`, accountID, nanos(since)).Scan(&n)
	if err != nil {
		return 0, dbErr("count published", err)
	}
	return n, nil
}
