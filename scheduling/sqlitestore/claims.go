package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/internal/sqlutil"
)

// claimSQL selects the targets ClaimDue takes, in order: due Scheduled
// targets and Publishing targets whose lease expired, of accounts that are
// not paused. Each half walks its partial index (state = 3 on run_at,
// state = 4 on lease_until); INDEXED BY keeps the planner from scanning
// the whole table in run_at order for the second half instead, which it
// prefers when the bound value looks unselective.
const claimSQL = `
SELECT id, state, lease_owner FROM (
	SELECT * FROM (
		SELECT id, state, lease_owner, run_at FROM targets INDEXED BY targets_due
		WHERE state = 3 AND run_at <= ?1
			AND account_id NOT IN (SELECT account_id FROM accounts WHERE paused = 1)
		ORDER BY run_at, id LIMIT ?2)
	UNION ALL
	SELECT * FROM (
		SELECT id, state, lease_owner, run_at FROM targets INDEXED BY targets_lease
		WHERE state = 4 AND lease_until <= ?1
			AND account_id NOT IN (SELECT account_id FROM accounts WHERE paused = 1)
		ORDER BY run_at, id LIMIT ?2)
)
WHERE NOT EXISTS (SELECT 1 FROM blackouts WHERE from_at <= ?1 AND until_at > ?1)
ORDER BY run_at, id LIMIT ?2`

const claimUpdateSQL = `UPDATE targets SET state = 4, attempt = attempt + 1, lease_owner = ?1, lease_until = ?2,
	version = version + 1, updated_at = ?3, unknown = CASE WHEN state = 4 THEN 1 ELSE unknown END
	WHERE id IN (SELECT value FROM json_each(?4))
	RETURNING ` + targetCols

// ClaimDue implements scheduling.Store. The selection and the update run
// in one IMMEDIATE transaction on the single writer connection, so no two
// callers, in this process or another, get the same target.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, owner string, lease time.Duration, limit int) ([]scheduling.Claim, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	nowN := nanos(now)
	var claims []scheduling.Claim
	err := s.write(ctx, func(tx *txn) error {
		rows, err := tx.QueryContext(ctx, claimSQL, nowN, limit)
		if err != nil {
			return dbErr("claim", err)
		}
		type pick struct {
			id, owner string
			state     scheduling.State
		}
		var picks []pick
		for rows.Next() {
			var p pick
			var st int
			if err := rows.Scan(&p.id, &st, &p.owner); err != nil {
				rows.Close()
				return dbErr("claim", err)
			}
			p.state = scheduling.State(st)
			picks = append(picks, p)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return dbErr("claim", err)
		}
		if len(picks) == 0 {
			return nil
		}
		ids := make([]string, len(picks))
		for i, p := range picks {
			ids[i] = p.id
		}
		idJSON, _ := json.Marshal(ids)
		ts, err := queryTargets(ctx, tx, claimUpdateSQL, owner, nanos(now.Add(lease)), nowN, string(idJSON))
		if err != nil {
			return err
		}
		byID := make(map[string]*scheduling.Target, len(ts))
		for _, t := range ts {
			byID[t.ID] = t
		}
		actor := "scheduler:" + owner
		audit := make([]scheduling.AuditEntry, len(picks))
		claims = make([]scheduling.Claim, len(picks))
		for i, p := range picks {
			t := byID[p.id]
			if t == nil {
				return fmt.Errorf("sqlitestore: claim: target %s vanished", p.id)
			}
			reclaimed := p.state == scheduling.Publishing
			reason := ""
			if reclaimed {
				reason = "lease of " + p.owner + " expired: outcome unknown"
			}
			audit[i] = scheduling.AuditEntry{PostID: t.PostID, TargetID: t.ID, At: now, Actor: actor,
				Action: "claimed", From: p.state, To: scheduling.Publishing, Reason: reason}
			claims[i] = scheduling.Claim{Target: *t, Reclaimed: reclaimed}
		}
		if _, err := appendAudit(ctx, tx, audit); err != nil {
			return err
		}
		return s.attachPosts(ctx, tx, claims)
	})
	if err != nil {
		return nil, err
	}
	return claims, nil
}

// attachPosts sets Claim.Post, decoding each post once per version.
func (s *Store) attachPosts(ctx context.Context, tx *txn, claims []scheduling.Claim) error {
	want := make(map[string]bool, len(claims))
	ids := make([]string, 0, len(claims))
	s.mu.Lock()
	for _, c := range claims {
		if !want[c.Target.PostID] {
			want[c.Target.PostID] = true
			ids = append(ids, c.Target.PostID)
		}
	}
	s.mu.Unlock()
	idJSON, _ := json.Marshal(ids)
	rows, err := tx.QueryContext(ctx, postsSQL, string(idJSON))
	if err != nil {
		return dbErr("read posts", err)
	}
	defer rows.Close()
	found := make(map[string]*scheduling.Post, len(ids))
	for rows.Next() {
		var (
			id  string
			v   int64
			doc sql.RawBytes
		)
		if err := rows.Scan(&id, &v, &doc); err != nil {
			return dbErr("read posts", err)
		}
		s.mu.Lock()
		p := s.posts[id]
		s.mu.Unlock()
		if p == nil || p.Version != v {
			if p, err = decodePost(id, v, doc); err != nil {
				return err
			}
			s.mu.Lock()
			if len(s.posts) >= postCacheSize {
				clear(s.posts)
			}
			s.posts[id] = p
			s.mu.Unlock()
		}
		found[id] = p
	}
	if err := rows.Err(); err != nil {
		return dbErr("read posts", err)
	}
	for i := range claims {
		claims[i].Post = found[claims[i].Target.PostID]
		if claims[i].Post == nil {
			return fmt.Errorf("sqlitestore: claim: post %s of target %s is missing", claims[i].Target.PostID, claims[i].Target.ID)
		}
	}
	return nil
}

const (
	postsSQL            = `SELECT id, version, doc FROM posts WHERE id IN (SELECT value FROM json_each(?))`
	savepointSQL        = `SAVEPOINT completion`
	rollbackToSQL       = `ROLLBACK TO completion`
	releaseSavepointSQL = `RELEASE completion`
	targetExistsSQL     = `SELECT 1 FROM targets WHERE id = ?`
	releaseSQL          = `UPDATE targets SET state = 3, attempt = attempt - 1, lease_owner = '', lease_until = 0,
	version = version + 1, updated_at = ? WHERE id = ? AND state = 4 AND lease_owner = ? AND attempt = ? RETURNING post_id`
	renewSQL = `UPDATE targets SET lease_until = ? WHERE id = ? AND state = 4 AND lease_owner = ? AND attempt = ?`
)

// postCacheSize bounds the cache of decoded posts.
const postCacheSize = 4096

// NextDue implements scheduling.Store.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var at sql.NullInt64
	err := s.db.R.QueryRowContext(ctx, `SELECT MIN(x) FROM (
		SELECT * FROM (SELECT run_at AS x FROM targets INDEXED BY targets_due WHERE state = 3
			AND account_id NOT IN (SELECT account_id FROM accounts WHERE paused = 1) ORDER BY run_at LIMIT 1)
		UNION ALL
		SELECT * FROM (SELECT lease_until AS x FROM targets INDEXED BY targets_lease WHERE state = 4
			AND account_id NOT IN (SELECT account_id FROM accounts WHERE paused = 1) ORDER BY lease_until LIMIT 1))`).Scan(&at)
	if err != nil {
		return time.Time{}, false, dbErr("next due", err)
	}
	if !at.Valid {
		return time.Time{}, false, nil
	}
	return fromNanos(at.Int64), true, nil
}

const completeSQL = `UPDATE targets SET state = ?1, result_post_id = ?2, result_url = ?3, published_at = ?4,
	failure_code = ?5, failure_message = ?6, not_before = ?7,
	run_at = CASE WHEN ?7 <> 0 AND ?7 > due THEN ?7 ELSE due END,
	unknown = ?8, pending = ?9, lease_owner = '', lease_until = 0, version = version + 1,
	updated_at = CASE WHEN ?10 <> 0 THEN ?10 ELSE updated_at END
	WHERE id = ?11 AND state = 4 AND lease_owner = ?12 AND attempt = ?13`

// Complete implements scheduling.Store. The whole batch is one
// transaction (one commit), each completion inside its own savepoint so
// that one failing leaves the others applied.
func (s *Store) Complete(ctx context.Context, owner string, cs []scheduling.Completion) ([]error, error) {
	errs := make([]error, len(cs))
	if len(cs) == 0 {
		return errs, ctx.Err()
	}
	seqs := make([][]int64, len(cs))
	err := s.write(ctx, func(tx *txn) error {
		for i := range cs {
			errs[i], seqs[i] = nil, nil
			if _, err := tx.ExecContext(ctx, savepointSQL); err != nil {
				return dbErr("complete", err)
			}
			seq, err := complete(ctx, tx, owner, &cs[i])
			if err != nil {
				if _, rerr := tx.ExecContext(ctx, rollbackToSQL); rerr != nil {
					return dbErr("complete", rerr)
				}
				if !errors.Is(err, scheduling.ErrLeaseLost) && !errors.Is(err, scheduling.ErrNotFound) &&
					!errors.Is(err, scheduling.ErrConflict) {
					return err
				}
				errs[i] = err
			}
			seqs[i] = seq
			if _, err := tx.ExecContext(ctx, releaseSavepointSQL); err != nil {
				return dbErr("complete", err)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	sqlutil.Completed(cs, errs, seqs)
	return errs, nil
}

func complete(ctx context.Context, tx *txn, owner string, c *scheduling.Completion) ([]int64, error) {
	var pending any
	if c.Pending != nil {
		pending = slices.Clone(c.Pending)
	}
	var at int64
	if n := len(c.Audit); n > 0 {
		at = nanos(c.Audit[n-1].At)
	}
	res, err := tx.ExecContext(ctx, completeSQL, int(c.State), c.Result.PostID, c.Result.URL, nanos(c.Result.PublishedAt),
		int(c.Failure.Code), c.Failure.Message, nanos(c.NotBefore), boolInt(c.Unknown), pending, at,
		c.TargetID, owner, c.Attempt)
	if err != nil {
		return nil, dbErr("complete", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return nil, leaseErr(ctx, tx, owner, c.TargetID, c.Attempt)
	}
	if c.Next != nil {
		if c.Next.Version != 0 {
			return nil, fmt.Errorf("sqlitestore: next target %s must be new: %w", c.Next.ID, scheduling.ErrConflict)
		}
		if err := insertTarget(ctx, tx, c.Next); err != nil {
			return nil, err
		}
	}
	return appendAudit(ctx, tx, c.Audit)
}

// leaseErr explains why a target is not leased to owner for attempt.
func leaseErr(ctx context.Context, tx *txn, owner, id string, attempt int) error {
	var one int
	err := tx.QueryRowContext(ctx, targetExistsSQL, id).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return fmt.Errorf("sqlitestore: target %q: %w", id, scheduling.ErrNotFound)
	}
	if err != nil {
		return dbErr("read target", err)
	}
	return fmt.Errorf("sqlitestore: target %s attempt %d is not leased to %s: %w", id, attempt, owner, scheduling.ErrLeaseLost)
}

// Release implements scheduling.Store.
func (s *Store) Release(ctx context.Context, now time.Time, owner string, refs []scheduling.LeaseRef) error {
	if len(refs) == 0 {
		return ctx.Err()
	}
	return s.write(ctx, func(tx *txn) error {
		for _, r := range refs {
			var postID string
			err := tx.QueryRowContext(ctx, releaseSQL, nanos(now), r.TargetID, owner, r.Attempt).Scan(&postID)
			if errors.Is(err, sql.ErrNoRows) {
				continue
			}
			if err != nil {
				return dbErr("release", err)
			}
			if _, err := appendAudit(ctx, tx, []scheduling.AuditEntry{{PostID: postID, TargetID: r.TargetID, At: now,
				Actor: "scheduler:" + owner, Action: "released", From: scheduling.Publishing, To: scheduling.Scheduled,
				Reason: "released unstarted by a stopping worker"}}); err != nil {
				return err
			}
		}
		return nil
	})
}

// Renew implements scheduling.Store.
func (s *Store) Renew(ctx context.Context, owner string, refs []scheduling.LeaseRef, until time.Time) ([]scheduling.LeaseRef, error) {
	if len(refs) == 0 {
		return nil, ctx.Err()
	}
	var lost []scheduling.LeaseRef
	err := s.write(ctx, func(tx *txn) error {
		lost = lost[:0]
		for _, r := range refs {
			res, err := tx.ExecContext(ctx, renewSQL, nanos(until), r.TargetID, owner, r.Attempt)
			if err != nil {
				return dbErr("renew", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				lost = append(lost, r)
			}
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	return lost, nil
}
