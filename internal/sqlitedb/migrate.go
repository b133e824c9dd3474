package sqlitedb

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/cmkit/cmkit/internal/migration"
)

// Migration is one schema step (package internal/migration).
type Migration = migration.Step

// NewerError is Migrate's error for a database whose schema version is
// newer than the migrations it was given (package internal/migration).
type NewerError = migration.NewerError

// Migrate brings the database to the newest version of steps, recording
// each applied step in table (version, name, applied_at), each step in
// its own IMMEDIATE transaction on w (the writer pool of Open), and
// refuses a database at a newer version with a *NewerError. Processes
// opening the same file at once serialise on the write lock and re-read
// the version inside the transaction, so a step never runs twice; a crash
// during a step leaves the previous version intact.
func Migrate(ctx context.Context, w *sql.DB, table string, steps []Migration, now func() time.Time) error {
	if _, err := w.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS `+table+` (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("create %s: %w", table, err)
	}
	for {
		done, err := migrateOne(ctx, w, table, steps, now)
		if err != nil || done {
			return err
		}
	}
}

func migrateOne(ctx context.Context, w *sql.DB, table string, steps []Migration, now func() time.Time) (done bool, err error) {
	tx, err := w.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("migrate: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM `+table).Scan(&v); err != nil {
		return false, fmt.Errorf("read schema version: %w", err)
	}
	if v > len(steps) {
		return false, &NewerError{Found: v, Known: len(steps)}
	}
	if v == len(steps) {
		return true, tx.Commit()
	}
	m := steps[v]
	if m.Version != v+1 {
		return false, fmt.Errorf("migration %d is numbered %d", v+1, m.Version)
	}
	for _, stmt := range migration.Split(m.SQL) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO `+table+` (version, name, applied_at) VALUES (?, ?, ?)`,
		m.Version, m.Name, now().UTC().UnixNano()); err != nil {
		return false, fmt.Errorf("record migration %d: %w", m.Version, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("commit migration %d: %w", m.Version, err)
	}
	return false, nil
}
