package sqlitequeue

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"
	"time"
)

// ErrSchemaTooNew is matched (errors.Is) by the *SchemaVersionError Open
// returns for a database written by a newer version of cmkit.
var ErrSchemaTooNew = errors.New("sqlitequeue: database schema is newer than this build")

// SchemaVersionError reports a database whose schema version is newer than
// the migrations this build knows: it was written by a newer cmkit, and
// opening it could corrupt data the newer code relies on. Upgrade the
// program, or restore a backup taken before the upgrade.
type SchemaVersionError struct {
	// Path is the database file.
	Path string
	// Found is the schema version recorded in the database; Known the
	// newest version this build can migrate to.
	Found, Known int
}

// Error explains the mismatch and what to do.
func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("sqlitequeue: %s is at schema version %d but this build knows versions up to %d: "+
		"it was written by a newer cmkit; upgrade the program or restore a backup", e.Path, e.Found, e.Known)
}

// Is makes errors.Is(err, ErrSchemaTooNew) true.
func (e *SchemaVersionError) Is(target error) bool { return target == ErrSchemaTooNew }

// migration is one schema step. Versions start at 1 and follow each other;
// a released migration is never edited, only followed by a new one.
type migration struct {
	version int
	name    string
	sql     string
}

// SchemaVersion is the schema version this build creates and migrates to.
func SchemaVersion() int { return len(migrations) }

// migrate brings the database to the newest schema version, each migration
// in its own IMMEDIATE transaction (the writer pool begins them so), and
// refuses a database at a newer version than it knows. Concurrent openers
// of the same file serialise on the write lock and re-read the version
// inside the transaction, so a migration never runs twice.
func migrate(ctx context.Context, db *sql.DB, path string, steps []migration, now func() time.Time) error {
	if _, err := db.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS review_migrations (
		version    INTEGER PRIMARY KEY,
		name       TEXT    NOT NULL,
		applied_at INTEGER NOT NULL
	) STRICT`); err != nil {
		return fmt.Errorf("sqlitequeue: create review_migrations: %w", err)
	}
	for {
		done, err := migrateOne(ctx, db, path, steps, now)
		if err != nil || done {
			return err
		}
	}
}

func migrateOne(ctx context.Context, db *sql.DB, path string, steps []migration, now func() time.Time) (done bool, err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return false, fmt.Errorf("sqlitequeue: migrate: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	var v int
	if err := tx.QueryRowContext(ctx, `SELECT COALESCE(MAX(version), 0) FROM review_migrations`).Scan(&v); err != nil {
		return false, fmt.Errorf("sqlitequeue: read schema version: %w", err)
	}
	if v > len(steps) {
		return false, &SchemaVersionError{Path: path, Found: v, Known: len(steps)}
	}
	if v == len(steps) {
		return true, tx.Commit()
	}
	m := steps[v]
	if m.version != v+1 {
		return false, fmt.Errorf("sqlitequeue: migration %d is numbered %d", v+1, m.version)
	}
	for _, stmt := range splitSQL(m.sql) {
		if _, err := tx.ExecContext(ctx, stmt); err != nil {
			return false, fmt.Errorf("sqlitequeue: migration %d (%s): %w", m.version, m.name, err)
		}
	}
	if _, err := tx.ExecContext(ctx, `INSERT INTO review_migrations (version, name, applied_at) VALUES (?, ?, ?)`,
		m.version, m.name, now().UTC().UnixNano()); err != nil {
		return false, fmt.Errorf("sqlitequeue: record migration %d: %w", m.version, err)
	}
	if err := tx.Commit(); err != nil {
		return false, fmt.Errorf("sqlitequeue: commit migration %d: %w", m.version, err)
	}
	return false, nil
}

// splitSQL splits a migration's script on semicolons that end a line. The
// schema's triggers are written on one line and no string literal holds
// ";\n", which keeps this simple and lets each statement fail with its own
// error.
func splitSQL(script string) []string {
	var out []string
	for _, s := range strings.Split(script, ";\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
