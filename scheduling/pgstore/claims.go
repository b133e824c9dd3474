package pgstore

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/internal/sqlutil"
)

// notPaused and noBlackout are the conditions of a claim: the target's
// account is not paused, and no blackout is active at $1. The planner runs
// both subqueries once per statement (a hashed subplan and a one-time
// filter).
const (
	notPaused  = `account_id NOT IN (SELECT account_id FROM {s}.accounts WHERE paused)`
	noBlackout = `NOT EXISTS (SELECT 1 FROM {s}.blackouts WHERE from_at <= $1::bigint AND until_at > $1::bigint)`
)

// claimSQL is ClaimDue in one statement, so in one transaction and one
// round trip. Each of due and expired walks its partial index in RunAt
// order and locks the rows it keeps with FOR UPDATE SKIP LOCKED: a row
// that another claimer has locked is passed over (not waited for), and a
// row that another claimer changed and committed meanwhile is checked
// again on its new version, so it is dropped if no longer claimable. No
// target is thus returned to two callers, in one process or several. The
// earliest limit of the two sets are leased, the "claimed" audit entries
// appended, and the targets returned with their post: its document only on
// the first row of each post, since a batch often holds several targets of
// one post.
var claimSQL = `
WITH due AS (
	SELECT id, state, lease_owner, run_at FROM {s}.targets
	WHERE state = 3 AND run_at <= $1::bigint AND ` + notPaused + ` AND ` + noBlackout + `
	ORDER BY run_at, id LIMIT $2::bigint
	FOR UPDATE SKIP LOCKED
), expired AS (
	SELECT id, state, lease_owner, run_at FROM {s}.targets
	WHERE state = 4 AND lease_until <= $1::bigint AND ` + notPaused + ` AND ` + noBlackout + `
	ORDER BY run_at, id LIMIT $2::bigint
	FOR UPDATE SKIP LOCKED
), picked AS (
	SELECT * FROM due UNION ALL SELECT * FROM expired
	ORDER BY run_at, id LIMIT $2::bigint
), claimed AS (
	UPDATE {s}.targets t SET state = 4, attempt = t.attempt + 1, lease_owner = $3::text, lease_until = $4::bigint,
		version = t.version + 1, updated_at = $1::bigint, unknown = t.unknown OR p.state = 4
	FROM picked p WHERE t.id = p.id AND t.id = ANY (ARRAY (SELECT id FROM picked)) -- by primary key, whatever the estimates
	RETURNING p.state AS old_state, p.lease_owner AS old_owner, ` + cols("t.") + `
), logged AS (
	INSERT INTO {s}.audit (post_id, target_id, at, actor, action, from_state, to_state, reason)
	SELECT post_id, id, $1::bigint, $5::text, 'claimed', old_state, 4,
		CASE WHEN old_state = 4 THEN 'lease of ' || old_owner || ' expired: outcome unknown' ELSE '' END
	FROM claimed ORDER BY run_at, id
)
SELECT c.old_state, c.old_owner, p.version,
	CASE WHEN row_number() OVER (PARTITION BY c.post_id ORDER BY c.id) = 1 THEN p.doc END,
	` + cols("c.") + `
FROM claimed c JOIN {s}.posts p ON p.id = c.post_id AND p.id = ANY (ARRAY (SELECT post_id FROM claimed))
ORDER BY c.run_at, c.id`

// postCacheSize bounds the cache of decoded posts.
const postCacheSize = 4096

// ClaimDue implements scheduling.Store. It is one statement (see
// claimSQL): no two callers, in this process or another, get the same
// target.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, owner string, lease time.Duration, limit int) ([]scheduling.Claim, error) {
	if limit <= 0 {
		return nil, ctx.Err()
	}
	rows, err := s.pool.Query(ctx, s.q(claimSQL), nanos(now), int64(limit), owner, nanos(now.Add(lease)),
		"scheduler:"+owner)
	if err != nil {
		return nil, dbErr("claim", err)
	}
	defer rows.Close()
	type claimRow struct {
		postVersion int64
		doc         []byte
	}
	var (
		claims []scheduling.Claim
		extra  []claimRow
	)
	for rows.Next() {
		var (
			oldState int16
			oldOwner string
			r        claimRow
		)
		t, err := scanTarget(rows, &oldState, &oldOwner, &r.postVersion, &r.doc)
		if err != nil {
			return nil, dbErr("claim", err)
		}
		claims = append(claims, scheduling.Claim{Target: *t, Reclaimed: scheduling.State(oldState) == scheduling.Publishing})
		extra = append(extra, r)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("claim", err)
	}
	// The document of each post comes with one of its claims; decode it
	// once per version.
	found := make(map[string]*scheduling.Post)
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range claims {
		id, r := claims[i].Target.PostID, extra[i]
		if r.doc == nil {
			continue
		}
		p := s.posts[id]
		if p == nil || p.Version != r.postVersion {
			if p, err = decodePost(id, r.postVersion, r.doc); err != nil {
				// The claims are committed: their leases expire and the
				// targets are reclaimed, and fail the same way, until
				// the post is fixed.
				return nil, err
			}
			if len(s.posts) >= postCacheSize {
				clear(s.posts)
			}
			s.posts[id] = p
		}
		found[id] = p
	}
	for i := range claims {
		if claims[i].Post = found[claims[i].Target.PostID]; claims[i].Post == nil {
			return nil, fmt.Errorf("pgstore: claim: post %s of target %s is missing", claims[i].Target.PostID, claims[i].Target.ID)
		}
	}
	return claims, nil
}

// NextDue implements scheduling.Store.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	var at *int64
	err := s.pool.QueryRow(ctx, s.q(`SELECT LEAST(
		(SELECT min(run_at) FROM {s}.targets WHERE state = 3 AND `+notPaused+`),
		(SELECT min(lease_until) FROM {s}.targets WHERE state = 4 AND `+notPaused+`))`)).Scan(&at)
	if err != nil {
		return time.Time{}, false, dbErr("next due", err)
	}
	if at == nil {
		return time.Time{}, false, nil
	}
	return fromNanos(*at), true, nil
}

// completeSQL ends one attempt: the guarded update, the audit entries and,
// when nextSQL is spliced in, the next target, in one statement. It
// returns whether the update happened, whether the target exists (to tell
// ErrLeaseLost from ErrNotFound) and the entries' sequence numbers.
var completeSQL = `WITH upd AS (
	UPDATE {s}.targets SET state = $1::smallint, result_post_id = $2::text, result_url = $3::text,
		published_at = $4::bigint, failure_code = $5::integer, failure_message = $6::text, not_before = $7::bigint,
		run_at = CASE WHEN $7::bigint <> 0 AND $7::bigint > due THEN $7::bigint ELSE due END,
		unknown = $8::boolean, pending = $9::bytea, lease_owner = '', lease_until = 0, version = version + 1,
		updated_at = CASE WHEN $10::bigint <> 0 THEN $10::bigint ELSE updated_at END
	WHERE id = $11::text AND state = 4 AND lease_owner = $12::text AND attempt = $13::bigint
	RETURNING post_id
), logged AS (
	INSERT INTO {s}.audit (post_id, target_id, at, actor, action, from_state, to_state, reason)
	SELECT post_id, target_id, at, actor, action, from_state, to_state, reason
	FROM unnest($14::text[], $15::text[], $16::bigint[], $17::text[], $18::text[], $19::smallint[], $20::smallint[], $21::text[])
		WITH ORDINALITY AS e (post_id, target_id, at, actor, action, from_state, to_state, reason, ord)
	WHERE EXISTS (SELECT 1 FROM upd)
	ORDER BY ord
	RETURNING seq
)/*next*/
SELECT (SELECT count(*) FROM upd), EXISTS (SELECT 1 FROM {s}.targets WHERE id = $11::text),
	ARRAY(SELECT seq FROM logged ORDER BY seq)`

// nextSQL inserts Completion.Next if the update happened. An existing ID
// fails the statement (unique_violation).
var nextSQL = `, nxt AS (
	INSERT INTO {s}.targets (` + cols("") + `)
	SELECT ` + placeholders(22, targetTypes) + ` WHERE EXISTS (SELECT 1 FROM upd)
)`

var completeNextSQL = strings.Replace(completeSQL, "/*next*/", nextSQL, 1)

// checkLeaseSQL stands for completeSQL when Completion.Next is not new:
// the completion fails, with ErrConflict if the lease holds (-1), else as
// a lost lease would.
const checkLeaseSQL = `SELECT -count(*), EXISTS (SELECT 1 FROM {s}.targets WHERE id = $1::text), '{}'::bigint[]
	FROM {s}.targets WHERE id = $1::text AND state = 4 AND lease_owner = $2::text AND attempt = $3::bigint`

// completeArgs are the statement of c and its parameters.
func completeArgs(owner string, c *scheduling.Completion) (sql string, args []any) {
	if c.Next != nil && c.Next.Version != 0 {
		return checkLeaseSQL, []any{c.TargetID, owner, int64(c.Attempt)}
	}
	var at int64
	if n := len(c.Audit); n > 0 {
		at = nanos(c.Audit[n-1].At)
	}
	args = append(make([]any, 0, 21+len(targetColumns)), int16(c.State), c.Result.PostID, c.Result.URL,
		nanos(c.Result.PublishedAt), int32(c.Failure.Code), text(c.Failure.Message), nanos(c.NotBefore), c.Unknown,
		c.Pending, at, c.TargetID, owner, int64(c.Attempt))
	args = append(args, auditArgs(c.Audit)...)
	if c.Next == nil {
		return completeSQL, args
	}
	return completeNextSQL, append(args, targetArgs(c.Next, 1)...)
}

// Complete implements scheduling.Store. The batch is one transaction (one
// commit) whose statements, one per completion, go to the server in one
// round trip. A lost lease is not an error of the statement, so it does
// not stop the others. A completion that breaks a constraint (a Next
// whose ID exists, an audit entry for an unknown post) aborts the
// transaction: then each completion is applied on its own, and only that
// one fails.
func (s *Store) Complete(ctx context.Context, owner string, cs []scheduling.Completion) ([]error, error) {
	errs := make([]error, len(cs))
	if len(cs) == 0 {
		return errs, ctx.Err()
	}
	seqs := make([][]int64, len(cs))
	err := s.inTx(ctx, func(tx pgx.Tx) error {
		b := new(pgx.Batch)
		for i := range cs {
			sql, args := completeArgs(owner, &cs[i])
			b.Queue(s.q(sql), args...)
		}
		br := tx.SendBatch(ctx, b)
		defer br.Close()
		for i := range cs {
			var (
				n      int64
				exists bool
			)
			if err := br.QueryRow().Scan(&n, &exists, &seqs[i]); err != nil {
				return dbErr("complete", err)
			}
			errs[i] = leaseErr(n, exists, owner, &cs[i])
		}
		return dbErr("complete", br.Close())
	})
	if err != nil {
		if !strings.HasPrefix(pgCode(err), "23") { // not integrity_constraint_violation
			return nil, err
		}
		s.completeEach(ctx, owner, cs, errs, seqs)
	}
	sqlutil.Completed(cs, errs, seqs)
	return errs, nil
}

// completeEach applies each completion in its own transaction (one
// statement), after the batch failed on a constraint.
func (s *Store) completeEach(ctx context.Context, owner string, cs []scheduling.Completion, errs []error, seqs [][]int64) {
	for i := range cs {
		seqs[i] = nil
		if err := ctx.Err(); err != nil {
			errs[i] = dbErr("complete", err)
			continue
		}
		sql, args := completeArgs(owner, &cs[i])
		var (
			n      int64
			exists bool
		)
		err := s.pool.QueryRow(ctx, s.q(sql), args...).Scan(&n, &exists, &seqs[i])
		switch code := pgCode(err); {
		case err == nil:
			errs[i] = leaseErr(n, exists, owner, &cs[i])
		case isSlotTaken(err):
			errs[i] = slotTaken(cs[i].Next)
		case code == codeUnique:
			errs[i] = fmt.Errorf("pgstore: next target of %s exists: %w", cs[i].TargetID, scheduling.ErrConflict)
		case code == codeForeignKey:
			errs[i] = fmt.Errorf("pgstore: completion of %s names an unknown post: %w", cs[i].TargetID, scheduling.ErrNotFound)
		default:
			errs[i] = dbErr("complete", err)
		}
	}
}

// leaseErr explains why a completion updated nothing (n == 0), or why a
// leased one (n == -1: a Next that is not new) was refused.
func leaseErr(n int64, exists bool, owner string, c *scheduling.Completion) error {
	switch {
	case n > 0:
		return nil
	case n < 0:
		return fmt.Errorf("pgstore: next target %s must be new: %w", c.Next.ID, scheduling.ErrConflict)
	case !exists:
		return fmt.Errorf("pgstore: target %q: %w", c.TargetID, scheduling.ErrNotFound)
	}
	return fmt.Errorf("pgstore: target %s attempt %d is not leased to %s: %w", c.TargetID, c.Attempt, owner, scheduling.ErrLeaseLost)
}

// refArgs are the IDs and attempts of refs as arrays.
func refArgs(refs []scheduling.LeaseRef) ([]string, []int64) {
	ids, attempts := make([]string, len(refs)), make([]int64, len(refs))
	for i, r := range refs {
		ids[i], attempts[i] = r.TargetID, int64(r.Attempt)
	}
	return ids, attempts
}

const releaseSQL = `WITH released AS (
	UPDATE {s}.targets t SET state = 3, attempt = t.attempt - 1, lease_owner = '', lease_until = 0,
		version = t.version + 1, updated_at = $3::bigint
	FROM unnest($1::text[], $2::bigint[]) WITH ORDINALITY AS r (id, attempt, ord)
	WHERE t.id = r.id AND t.attempt = r.attempt AND t.state = 4 AND t.lease_owner = $4::text
	RETURNING t.id, t.post_id, r.ord
)
INSERT INTO {s}.audit (post_id, target_id, at, actor, action, from_state, to_state, reason)
SELECT post_id, id, $3::bigint, $5::text, 'released', 4, 3, 'released unstarted by a stopping worker'
FROM released ORDER BY ord`

// Release implements scheduling.Store, in one statement.
func (s *Store) Release(ctx context.Context, now time.Time, owner string, refs []scheduling.LeaseRef) error {
	if len(refs) == 0 {
		return ctx.Err()
	}
	ids, attempts := refArgs(refs)
	_, err := s.pool.Exec(ctx, s.q(releaseSQL), ids, attempts, nanos(now), owner, "scheduler:"+owner)
	return dbErr("release", err)
}

const renewSQL = `UPDATE {s}.targets t SET lease_until = $3::bigint
	FROM unnest($1::text[], $2::bigint[]) AS r (id, attempt)
	WHERE t.id = r.id AND t.attempt = r.attempt AND t.state = 4 AND t.lease_owner = $4::text
	RETURNING t.id, t.attempt`

// Renew implements scheduling.Store, in one statement.
func (s *Store) Renew(ctx context.Context, owner string, refs []scheduling.LeaseRef, until time.Time) ([]scheduling.LeaseRef, error) {
	if len(refs) == 0 {
		return nil, ctx.Err()
	}
	ids, attempts := refArgs(refs)
	rows, err := s.pool.Query(ctx, s.q(renewSQL), ids, attempts, nanos(until), owner)
	if err != nil {
		return nil, dbErr("renew", err)
	}
	kept, err := pgx.CollectRows(rows, pgx.RowToStructByPos[scheduling.LeaseRef])
	if err != nil {
		return nil, dbErr("renew", err)
	}
	ok := make(map[scheduling.LeaseRef]bool, len(kept))
	for _, r := range kept {
		ok[r] = true
	}
	var lost []scheduling.LeaseRef
	for _, r := range refs {
		if !ok[r] {
			lost = append(lost, r)
		}
	}
	return lost, nil
}
