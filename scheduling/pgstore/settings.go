package pgstore

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/cmkit/cmkit/scheduling"
)

// ListAudit implements scheduling.Store.
func (s *Store) ListAudit(ctx context.Context, f scheduling.AuditFilter) ([]scheduling.AuditEntry, error) {
	where, args := []string{"seq > $1::bigint"}, []any{f.AfterSeq}
	if f.PostID != "" {
		args = append(args, f.PostID)
		where = append(where, "post_id = $"+strconv.Itoa(len(args)))
	}
	if f.TargetID != "" {
		args = append(args, f.TargetID)
		where = append(where, "target_id = $"+strconv.Itoa(len(args)))
	}
	q := `SELECT seq, post_id, target_id, at, actor, action, from_state, to_state, reason FROM {s}.audit WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY seq`
	if f.Limit > 0 {
		args = append(args, int64(f.Limit))
		q += " LIMIT $" + strconv.Itoa(len(args))
	}
	rows, err := s.pool.Query(ctx, s.q(q), args...)
	if err != nil {
		return nil, dbErr("read audit", err)
	}
	defer rows.Close()
	var out []scheduling.AuditEntry
	for rows.Next() {
		var (
			e        scheduling.AuditEntry
			at       int64
			from, to int16
		)
		if err := rows.Scan(&e.Seq, &e.PostID, &e.TargetID, &at, &e.Actor, &e.Action, &from, &to, &e.Reason); err != nil {
			return nil, dbErr("read audit", err)
		}
		e.At, e.From, e.To = fromNanos(at), scheduling.State(from), scheduling.State(to)
		out = append(out, e)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("read audit", err)
	}
	return out, nil
}

const (
	insertAccountSQL = `INSERT INTO {s}.accounts (zone, slots, paused, paused_at, on_missed, max_per_24h, account_id, version)
	VALUES ($1, $2::json, $3, $4, $5, $6, $7, 1) ON CONFLICT (account_id) DO NOTHING`
	// updateAccountSQL also reads the stored version, in the same
	// snapshot, to explain a failure.
	updateAccountSQL = `WITH u AS (
	UPDATE {s}.accounts SET zone = $1, slots = $2::json, paused = $3, paused_at = $4, on_missed = $5,
		max_per_24h = $6, version = version + 1
	WHERE account_id = $7 AND version = $8
	RETURNING 1)
SELECT (SELECT count(*) FROM u), (SELECT version FROM {s}.accounts WHERE account_id = $7)`
)

// PutAccount implements scheduling.Store, in one statement.
func (s *Store) PutAccount(ctx context.Context, a *scheduling.AccountSettings) error {
	if a == nil || a.AccountID == "" {
		return errors.New("pgstore: account settings without an account ID")
	}
	slots, err := json.Marshal(a.Slots)
	if err != nil {
		return fmt.Errorf("pgstore: account %s: %w", a.AccountID, err)
	}
	args := []any{a.Zone, slots, a.Paused, nanos(a.PausedAt), int16(a.OnMissed), int64(a.MaxPer24h), a.AccountID}
	if a.Version == 0 {
		tag, err := s.pool.Exec(ctx, s.q(insertAccountSQL), args...)
		if err != nil {
			return dbErr("insert account", err)
		}
		if tag.RowsAffected() == 0 {
			return fmt.Errorf("pgstore: account %s exists: %w", a.AccountID, scheduling.ErrConflict)
		}
		a.Version = 1
		return nil
	}
	var (
		n int64
		v *int64
	)
	if err := s.pool.QueryRow(ctx, s.q(updateAccountSQL), append(args, a.Version)...).Scan(&n, &v); err != nil {
		return dbErr("update account", err)
	}
	switch {
	case n == 1:
		a.Version++
		return nil
	case v == nil:
		return fmt.Errorf("pgstore: account %s: %w", a.AccountID, scheduling.ErrNotFound)
	case *v == a.Version:
		return fmt.Errorf("pgstore: account %s changed concurrently: %w", a.AccountID, scheduling.ErrConflict)
	}
	return fmt.Errorf("pgstore: account %s is at version %d, not %d: %w", a.AccountID, *v, a.Version, scheduling.ErrConflict)
}

const accountCols = `account_id, zone, slots, paused, paused_at, on_missed, max_per_24h, version`

func scanAccount(row pgx.Row) (*scheduling.AccountSettings, error) {
	var (
		a         scheduling.AccountSettings
		slots     []byte
		pausedAt  int64
		onMissed  int16
		maxPer24h int64
	)
	if err := row.Scan(&a.AccountID, &a.Zone, &slots, &a.Paused, &pausedAt, &onMissed, &maxPer24h, &a.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal(slots, &a.Slots); err != nil {
		return nil, fmt.Errorf("pgstore: account %s: stored slots: %w", a.AccountID, err)
	}
	a.PausedAt, a.OnMissed, a.MaxPer24h = fromNanos(pausedAt), scheduling.MissedPolicy(onMissed), int(maxPer24h)
	return &a, nil
}

// GetAccount implements scheduling.Store.
func (s *Store) GetAccount(ctx context.Context, accountID string) (*scheduling.AccountSettings, error) {
	a, err := scanAccount(s.pool.QueryRow(ctx, s.q(`SELECT `+accountCols+` FROM {s}.accounts WHERE account_id = $1`), accountID))
	if errors.Is(err, pgx.ErrNoRows) {
		return nil, fmt.Errorf("pgstore: account %q: %w", accountID, scheduling.ErrNotFound)
	}
	if err != nil {
		return nil, dbErr("read account", err)
	}
	return a, nil
}

// ListAccounts implements scheduling.Store.
func (s *Store) ListAccounts(ctx context.Context) ([]*scheduling.AccountSettings, error) {
	rows, err := s.pool.Query(ctx, s.q(`SELECT `+accountCols+` FROM {s}.accounts ORDER BY account_id`))
	if err != nil {
		return nil, dbErr("read accounts", err)
	}
	defer rows.Close()
	out := []*scheduling.AccountSettings{}
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, dbErr("read accounts", err)
		}
		out = append(out, a)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("read accounts", err)
	}
	return out, nil
}

// PutBlackout implements scheduling.Store.
func (s *Store) PutBlackout(ctx context.Context, b scheduling.Blackout) error {
	if b.ID == "" {
		return errors.New("pgstore: blackout without an ID")
	}
	_, err := s.pool.Exec(ctx, s.q(`INSERT INTO {s}.blackouts (id, from_at, until_at, reason, declared_by)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET from_at = excluded.from_at, until_at = excluded.until_at,
			reason = excluded.reason, declared_by = excluded.declared_by`),
		b.ID, nanos(b.From), nanos(b.Until), text(b.Reason), text(b.By))
	return dbErr("put blackout", err)
}

// DeleteBlackout implements scheduling.Store.
func (s *Store) DeleteBlackout(ctx context.Context, id string) error {
	tag, err := s.pool.Exec(ctx, s.q(`DELETE FROM {s}.blackouts WHERE id = $1`), id)
	if err != nil {
		return dbErr("delete blackout", err)
	}
	if tag.RowsAffected() == 0 {
		return fmt.Errorf("pgstore: blackout %q: %w", id, scheduling.ErrNotFound)
	}
	return nil
}

// ListBlackouts implements scheduling.Store.
func (s *Store) ListBlackouts(ctx context.Context, since time.Time) ([]scheduling.Blackout, error) {
	q, args := `SELECT id, from_at, until_at, reason, declared_by FROM {s}.blackouts`, []any{}
	if !since.IsZero() {
		q, args = q+` WHERE until_at > $1::bigint`, append(args, nanos(since))
	}
	rows, err := s.pool.Query(ctx, s.q(q+` ORDER BY from_at, id`), args...)
	if err != nil {
		return nil, dbErr("read blackouts", err)
	}
	defer rows.Close()
	var out []scheduling.Blackout
	for rows.Next() {
		var (
			b           scheduling.Blackout
			from, until int64
		)
		if err := rows.Scan(&b.ID, &from, &until, &b.Reason, &b.By); err != nil {
			return nil, dbErr("read blackouts", err)
		}
		b.From, b.Until = fromNanos(from), fromNanos(until)
		out = append(out, b)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("read blackouts", err)
	}
	return out, nil
}
