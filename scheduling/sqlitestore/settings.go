package sqlitestore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/cmkit/cmkit/scheduling"
)

// ListAudit implements scheduling.Store.
func (s *Store) ListAudit(ctx context.Context, f scheduling.AuditFilter) ([]scheduling.AuditEntry, error) {
	where, args := []string{"seq > ?"}, []any{f.AfterSeq}
	if f.PostID != "" {
		where, args = append(where, "post_id = ?"), append(args, f.PostID)
	}
	if f.TargetID != "" {
		where, args = append(where, "target_id = ?"), append(args, f.TargetID)
	}
	q := `SELECT seq, post_id, target_id, at, actor, action, from_state, to_state, reason FROM audit WHERE ` +
		strings.Join(where, " AND ") + ` ORDER BY seq`
	if f.Limit > 0 {
		q, args = q+" LIMIT ?", append(args, f.Limit)
	}
	rows, err := s.db.R.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, dbErr("read audit", err)
	}
	defer rows.Close()
	var out []scheduling.AuditEntry
	for rows.Next() {
		var e scheduling.AuditEntry
		var at int64
		var from, to int
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

// PutAccount implements scheduling.Store.
func (s *Store) PutAccount(ctx context.Context, a *scheduling.AccountSettings) error {
	if a == nil || a.AccountID == "" {
		return errors.New("sqlitestore: account settings without an account ID")
	}
	slots, err := json.Marshal(a.Slots)
	if err != nil {
		return fmt.Errorf("sqlitestore: account %s: %w", a.AccountID, err)
	}
	err = s.write(ctx, func(tx *txn) error {
		args := []any{a.Zone, string(slots), boolInt(a.Paused), nanos(a.PausedAt), int(a.OnMissed), a.MaxPer24h, a.AccountID}
		if a.Version == 0 {
			res, err := tx.ExecContext(ctx, `INSERT INTO accounts (zone, slots, paused, paused_at, on_missed, max_per_24h,
				account_id, version) VALUES (?, ?, ?, ?, ?, ?, ?, 1) ON CONFLICT (account_id) DO NOTHING`, args...)
			if err != nil {
				return dbErr("insert account", err)
			}
			if n, _ := res.RowsAffected(); n == 0 {
				return fmt.Errorf("sqlitestore: account %s exists: %w", a.AccountID, scheduling.ErrConflict)
			}
			return nil
		}
		res, err := tx.ExecContext(ctx, `UPDATE accounts SET zone = ?, slots = ?, paused = ?, paused_at = ?, on_missed = ?,
			max_per_24h = ?, version = version + 1 WHERE account_id = ? AND version = ?`, append(args, a.Version)...)
		if err != nil {
			return dbErr("update account", err)
		}
		if n, _ := res.RowsAffected(); n == 1 {
			return nil
		}
		var v int64
		err = tx.QueryRowContext(ctx, `SELECT version FROM accounts WHERE account_id = ?`, a.AccountID).Scan(&v)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			return fmt.Errorf("sqlitestore: account %s: %w", a.AccountID, scheduling.ErrNotFound)
		case err != nil:
			return dbErr("read account", err)
		}
		return fmt.Errorf("sqlitestore: account %s is at version %d, not %d: %w", a.AccountID, v, a.Version, scheduling.ErrConflict)
	})
	if err != nil {
		return err
	}
	a.Version++
	return nil
}

const accountCols = `account_id, zone, slots, paused, paused_at, on_missed, max_per_24h, version`

func scanAccount(sc scanner) (*scheduling.AccountSettings, error) {
	var (
		a                scheduling.AccountSettings
		slots            string
		paused, onMissed int
		pausedAt         int64
	)
	if err := sc.Scan(&a.AccountID, &a.Zone, &slots, &paused, &pausedAt, &onMissed, &a.MaxPer24h, &a.Version); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(slots), &a.Slots); err != nil {
		return nil, fmt.Errorf("sqlitestore: account %s: stored slots: %w", a.AccountID, err)
	}
	a.Paused, a.PausedAt, a.OnMissed = paused != 0, fromNanos(pausedAt), scheduling.MissedPolicy(onMissed)
	return &a, nil
}

// GetAccount implements scheduling.Store.
func (s *Store) GetAccount(ctx context.Context, accountID string) (*scheduling.AccountSettings, error) {
	a, err := scanAccount(s.db.R.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE account_id = ?`, accountID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, fmt.Errorf("sqlitestore: account %q: %w", accountID, scheduling.ErrNotFound)
	}
	if err != nil {
		return nil, dbErr("read account", err)
	}
	return a, nil
}

// ListAccounts implements scheduling.Store.
func (s *Store) ListAccounts(ctx context.Context) ([]*scheduling.AccountSettings, error) {
	rows, err := s.db.R.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts ORDER BY account_id`)
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
		return errors.New("sqlitestore: blackout without an ID")
	}
	return s.write(ctx, func(tx *txn) error {
		_, err := tx.ExecContext(ctx, `INSERT INTO blackouts (id, from_at, until_at, reason, by) VALUES (?, ?, ?, ?, ?)
			ON CONFLICT (id) DO UPDATE SET from_at = excluded.from_at, until_at = excluded.until_at,
			reason = excluded.reason, by = excluded.by`, b.ID, nanos(b.From), nanos(b.Until), b.Reason, b.By)
		return dbErr("put blackout", err)
	})
}

// DeleteBlackout implements scheduling.Store.
func (s *Store) DeleteBlackout(ctx context.Context, id string) error {
	return s.write(ctx, func(tx *txn) error {
		res, err := tx.ExecContext(ctx, `DELETE FROM blackouts WHERE id = ?`, id)
		if err != nil {
			return dbErr("delete blackout", err)
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return fmt.Errorf("sqlitestore: blackout %q: %w", id, scheduling.ErrNotFound)
		}
		return nil
	})
}

// ListBlackouts implements scheduling.Store.
func (s *Store) ListBlackouts(ctx context.Context, since time.Time) ([]scheduling.Blackout, error) {
	q, args := `SELECT id, from_at, until_at, reason, by FROM blackouts`, []any{}
	if !since.IsZero() {
		q, args = q+` WHERE until_at > ?`, append(args, nanos(since))
	}
	rows, err := s.db.R.QueryContext(ctx, q+` ORDER BY from_at, id`, args...)
	if err != nil {
		return nil, dbErr("read blackouts", err)
	}
	defer rows.Close()
	var out []scheduling.Blackout
	for rows.Next() {
		var b scheduling.Blackout
		var from, until int64
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
