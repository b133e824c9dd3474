package pgqueue

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"

	"github.com/jackc/pgx/v5"
)

// ErrSchemaTooNew is matched (errors.Is) by the *SchemaVersionError Open
// and New return for a schema written by a newer version of cmkit.
var ErrSchemaTooNew = errors.New("pgqueue: database schema is newer than this build")

// SchemaVersionError reports a schema whose version is newer than the
// migrations this build knows: it was written by a newer cmkit, and using
// it could corrupt data the newer code relies on. Upgrade the program, or
// restore a backup taken before the upgrade.
type SchemaVersionError struct {
	// Schema is the PostgreSQL schema of the queue.
	Schema string
	// Found is the schema version recorded in the database; Known the
	// newest version this build can migrate to.
	Found, Known int
}

// Error explains the mismatch and what to do.
func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("pgqueue: schema %q is at version %d but this build knows versions up to %d: "+
		"it was written by a newer cmkit; upgrade the program or restore a backup", e.Schema, e.Found, e.Known)
}

// Is makes errors.Is(err, ErrSchemaTooNew) true.
func (e *SchemaVersionError) Is(target error) bool { return target == ErrSchemaTooNew }

// migration is one schema step. Versions start at 1 and follow each other;
// a released migration is never edited, only followed by a new one.
type migration struct {
	version int
	name    string
	sql     string // "{s}" stands for the quoted schema name
}

// SchemaVersion is the schema version this build creates and migrates to.
func SchemaVersion() int { return len(migrations) }

// lockKey is the advisory lock that serialises the migrations of one
// schema, across processes. It differs from scheduling/pgstore's for the
// same schema name.
func lockKey(schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte("github.com/cmkit/cmkit/moderation/pgqueue\x00" + schema))
	return int64(h.Sum64())
}

// migrate brings the schema to the newest version and refuses one at a
// newer version than it knows.
//
// A schema that is up to date is only read, so that a role without the
// right to create tables can open it. Otherwise the missing migrations run
// in one transaction that first takes a transaction-scoped advisory lock
// on the schema's name: concurrent openers queue on it, re-read the
// version once they hold it, and find nothing left to do.
func (q *Queue) migrate(ctx context.Context) error {
	v, err := q.readVersion(ctx, q.pool)
	if err == nil && v == len(migrations) {
		return nil
	}
	if err == nil && v > len(migrations) {
		return &SchemaVersionError{Schema: q.schema, Found: v, Known: len(migrations)}
	}
	return q.inTx(ctx, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey(q.schema)); err != nil {
			return dbErr("migrate: lock", err)
		}
		var exists bool
		if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`,
			q.schema).Scan(&exists); err != nil {
			return dbErr("migrate: read schemas", err)
		}
		if !exists {
			if _, err := tx.Exec(ctx, `CREATE SCHEMA `+q.ident); err != nil {
				return dbErr("migrate: create schema "+q.ident, err)
			}
		}
		if _, err := tx.Exec(ctx, q.q(`CREATE TABLE IF NOT EXISTS {s}.review_migrations (
			version    integer     PRIMARY KEY,
			name       text        NOT NULL,
			applied_at timestamptz NOT NULL DEFAULT now()
		)`)); err != nil {
			return dbErr("migrate: create review_migrations", err)
		}
		v, err := q.readVersion(ctx, tx)
		if err != nil {
			return err
		}
		if v > len(migrations) {
			return &SchemaVersionError{Schema: q.schema, Found: v, Known: len(migrations)}
		}
		for _, m := range migrations[v:] {
			if err := q.apply(ctx, tx, m); err != nil {
				return err
			}
		}
		return nil
	})
}

func (q *Queue) apply(ctx context.Context, tx pgx.Tx, m migration) error {
	for _, stmt := range splitSQL(m.sql) {
		if _, err := tx.Exec(ctx, q.q(stmt)); err != nil {
			return fmt.Errorf("pgqueue: migration %d (%s): %w", m.version, m.name, err)
		}
	}
	if _, err := tx.Exec(ctx, q.q(`INSERT INTO {s}.review_migrations (version, name) VALUES ($1, $2)`),
		m.version, m.name); err != nil {
		return fmt.Errorf("pgqueue: record migration %d: %w", m.version, err)
	}
	return nil
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readVersion returns the newest applied migration, 0 when there is no
// review_migrations table yet.
func (q *Queue) readVersion(ctx context.Context, db queryRower) (int, error) {
	var present bool
	if err := db.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`,
		pgx.Identifier{q.schema, "review_migrations"}.Sanitize()).Scan(&present); err != nil {
		return 0, dbErr("read schema version", err)
	}
	if !present {
		return 0, nil
	}
	var v int
	if err := db.QueryRow(ctx, q.q(`SELECT COALESCE(MAX(version), 0) FROM {s}.review_migrations`)).Scan(&v); err != nil {
		return 0, dbErr("read schema version", err)
	}
	return v, nil
}

// splitSQL splits a migration's script on semicolons that end a line, so
// that each statement fails with its own error. The schema has no string
// literals holding ";\n", and its one function body is on one line.
func splitSQL(script string) []string {
	var out []string
	for _, s := range strings.Split(script, ";\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
