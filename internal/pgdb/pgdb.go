// Package pgdb migrates the PostgreSQL schemas of cmkit's stores
// (scheduling/pgstore, moderation/pgqueue): versioned steps in a schema the
// caller names, under an advisory lock so that processes opening the same
// schema at once migrate it once. It holds no domain logic and imports no
// other cmkit package.
package pgdb

import (
	"context"
	"fmt"
	"hash/fnv"
	"strings"
	"unicode/utf8"

	"github.com/cmkit/cmkit/internal/migration"
	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// Schema is a PostgreSQL schema: its name and its quoted identifier.
type Schema struct {
	Name, Ident string
}

// NewSchema returns the schema named name.
func NewSchema(name string) Schema { return Schema{Name: name, Ident: pgx.Identifier{name}.Sanitize()} }

// Q replaces "{s}" in query with the quoted schema name.
func (s Schema) Q(query string) string { return strings.ReplaceAll(query, "{s}", s.Ident) }

// Connect opens a connection pool on the database named by connString (a
// URL or keyword/value string; pgxpool.ParseConfig reads pool settings
// such as pool_max_conns). Its errors redact the password.
func Connect(ctx context.Context, connString string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(connString)
	if err != nil {
		return nil, err
	}
	return pgxpool.NewWithConfig(ctx, cfg)
}

// CheckSchemaName reports a name PostgreSQL cannot take as a schema: over
// 63 bytes (it would silently truncate it), or holding NUL or invalid
// UTF-8.
func CheckSchemaName(name string) error {
	if name == "" || len(name) > 63 || strings.IndexByte(name, 0) >= 0 || !utf8.ValidString(name) {
		return fmt.Errorf("%q: want a name of 1 to 63 bytes of valid UTF-8", name)
	}
	return nil
}

// Migration is one schema step (package internal/migration); "{s}" in its
// SQL stands for the quoted schema name.
type Migration = migration.Step

// NewerError is Migrate's error for a schema whose version is newer than
// the steps it was given (package internal/migration).
type NewerError = migration.NewerError

// Migrate brings schema s to the newest version of steps, recording each
// step in the table named table (version, name, applied_at) inside s, and
// refuses a schema at a newer version with a *NewerError.
//
// A schema that is up to date is only read, so that a role without the
// right to create tables can open it. Otherwise the missing steps run in
// one transaction that first takes a transaction-scoped advisory lock
// derived from namespace and the schema's name (namespace keeps the locks
// of different stores on one schema apart): concurrent openers queue on
// it, re-read the version once they hold it, and find nothing left to do;
// PostgreSQL's transactional DDL means a crash during a migration leaves
// the previous version intact.
func Migrate(ctx context.Context, pool *pgxpool.Pool, s Schema, table, namespace string, steps []Migration) error {
	v, err := readVersion(ctx, pool, s, table)
	if err == nil && v == len(steps) {
		return nil
	}
	if err == nil && v > len(steps) {
		return &NewerError{Found: v, Known: len(steps)}
	}
	tx, err := pool.Begin(ctx)
	if err != nil {
		return fmt.Errorf("migrate: begin: %w", err)
	}
	defer func() { _ = tx.Rollback(ctx) }() // after Commit: a no-op
	if _, err := tx.Exec(ctx, `SELECT pg_advisory_xact_lock($1)`, lockKey(namespace, s.Name)); err != nil {
		return fmt.Errorf("migrate: lock: %w", err)
	}
	var exists bool
	if err := tx.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_namespace WHERE nspname = $1)`, s.Name).Scan(&exists); err != nil {
		return fmt.Errorf("migrate: read schemas: %w", err)
	}
	if !exists {
		if _, err := tx.Exec(ctx, `CREATE SCHEMA `+s.Ident); err != nil {
			return fmt.Errorf("migrate: create schema %s: %w", s.Ident, err)
		}
	}
	if _, err := tx.Exec(ctx, s.Q(`CREATE TABLE IF NOT EXISTS {s}.`+table+` (
		version    integer     PRIMARY KEY,
		name       text        NOT NULL,
		applied_at timestamptz NOT NULL DEFAULT now()
	)`)); err != nil {
		return fmt.Errorf("migrate: create %s: %w", table, err)
	}
	if v, err = readVersion(ctx, tx, s, table); err != nil {
		return err
	}
	if v > len(steps) {
		return &NewerError{Found: v, Known: len(steps)}
	}
	for i, m := range steps[v:] {
		if m.Version != v+i+1 {
			return fmt.Errorf("migrate: migration %d is numbered %d", v+i+1, m.Version)
		}
		for _, stmt := range migration.Split(m.SQL) {
			if _, err := tx.Exec(ctx, s.Q(stmt)); err != nil {
				return fmt.Errorf("migration %d (%s): %w", m.Version, m.Name, err)
			}
		}
		if _, err := tx.Exec(ctx, s.Q(`INSERT INTO {s}.`+table+` (version, name) VALUES ($1, $2)`), m.Version, m.Name); err != nil {
			return fmt.Errorf("record migration %d: %w", m.Version, err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("migrate: commit: %w", err)
	}
	return nil
}

// lockKey is the advisory lock that serialises the migrations of one
// store's schema, across processes.
func lockKey(namespace, schema string) int64 {
	h := fnv.New64a()
	h.Write([]byte(namespace + "\x00" + schema))
	return int64(h.Sum64())
}

type queryRower interface {
	QueryRow(ctx context.Context, sql string, args ...any) pgx.Row
}

// readVersion returns the newest applied migration, 0 when there is no
// migrations table yet.
func readVersion(ctx context.Context, q queryRower, s Schema, table string) (int, error) {
	var present bool
	if err := q.QueryRow(ctx, `SELECT to_regclass($1) IS NOT NULL`,
		pgx.Identifier{s.Name, table}.Sanitize()).Scan(&present); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	if !present {
		return 0, nil
	}
	var v int
	if err := q.QueryRow(ctx, s.Q(`SELECT COALESCE(MAX(version), 0) FROM {s}.`+table)).Scan(&v); err != nil {
		return 0, fmt.Errorf("read schema version: %w", err)
	}
	return v, nil
}
