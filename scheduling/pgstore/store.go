package pgstore

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"unicode/utf8"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/cmkit/cmkit/internal/nanotime"
	"github.com/cmkit/cmkit/internal/pgdb"
	"github.com/cmkit/cmkit/scheduling"
)

// DefaultSchema is the PostgreSQL schema the tables live in when
// Options.Schema is empty.
const DefaultSchema = "cmkit_scheduling"

// Options tune a Store. The zero value, or nil, gives the defaults
// documented on each field.
type Options struct {
	// Schema is the PostgreSQL schema that holds every table of the store
	// (posts, targets, audit, accounts, blackouts, schema_migrations). It
	// is created if missing. Defaults to DefaultSchema ("cmkit_scheduling").
	// Stores with different schemas in one database are independent: use
	// one per environment, tenant or test. At most 63 bytes.
	Schema string
}

// Store is a scheduling.Store in a PostgreSQL database. It is safe for
// concurrent use by many goroutines, and by many processes sharing the
// database (see the package documentation). Close it when done.
type Store struct {
	pool   *pgxpool.Pool
	owned  bool        // Close closes pool
	schema pgdb.Schema // its name as given and quoted

	// posts caches decoded posts by ID and version for ClaimDue: a post's
	// document never changes without its version changing.
	mu    sync.Mutex
	posts map[string]*scheduling.Post
}

var _ scheduling.Store = (*Store)(nil)

// Open connects to the database named by connString (a URL such as
// "postgres://user:pass@host:5432/db?sslmode=verify-full" or a keyword/value
// string; see pgxpool.ParseConfig for pool settings such as
// pool_max_conns), brings the schema to the current version and returns
// the Store, which owns the connection pool: Close closes it. opts may be
// nil.
//
// A schema written by a newer version of cmkit is refused with a
// *SchemaVersionError (errors.Is(err, ErrSchemaTooNew)).
func Open(ctx context.Context, connString string, opts *Options) (*Store, error) {
	pool, err := pgdb.Connect(ctx, connString)
	if err != nil {
		return nil, fmt.Errorf("pgstore: %w", err)
	}
	s, err := New(ctx, pool, opts)
	if err != nil {
		pool.Close()
		return nil, err
	}
	s.owned = true
	return s, nil
}

// New returns a Store on an existing connection pool, after bringing the
// schema to the current version. The pool stays the caller's: Close does
// not close it. The pool must not run statements through PgBouncer in
// transaction mode with the default statement cache (use
// default_query_exec_mode=exec there). opts may be nil.
func New(ctx context.Context, pool *pgxpool.Pool, opts *Options) (*Store, error) {
	if pool == nil {
		return nil, errors.New("pgstore: nil pool")
	}
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Schema == "" {
		o.Schema = DefaultSchema
	}
	if err := pgdb.CheckSchemaName(o.Schema); err != nil {
		return nil, fmt.Errorf("pgstore: Options.Schema %w", err)
	}
	s := &Store{pool: pool, schema: pgdb.NewSchema(o.Schema),
		posts: make(map[string]*scheduling.Post)}
	if err := s.migrate(ctx); err != nil {
		return nil, err
	}
	return s, nil
}

// Close closes the connection pool if Open created it. A Store must not
// be used after Close.
func (s *Store) Close() error {
	if s.owned {
		s.pool.Close()
	}
	return nil
}

// Schema returns the name of the PostgreSQL schema that holds the tables.
func (s *Store) Schema() string { return s.schema.Name }

// Pool returns the connection pool the Store runs on.
func (s *Store) Pool() *pgxpool.Pool { return s.pool }

// q returns query with "{s}" replaced by the quoted schema name. pgx
// caches prepared statements by text, and the text is the same each time.
func (s *Store) q(query string) string { return s.schema.Q(query) }

// inTx runs fn in a read-committed transaction and commits it, or rolls
// it back if fn or the commit fails.
func (s *Store) inTx(ctx context.Context, fn func(tx pgx.Tx) error) error {
	tx, err := s.pool.Begin(ctx)
	if err != nil {
		return dbErr("begin", err)
	}
	if err := fn(tx); err != nil {
		_ = tx.Rollback(context.WithoutCancel(ctx))
		return err
	}
	if err := tx.Commit(ctx); err != nil {
		return dbErr("commit", err)
	}
	return nil
}

// dbErr wraps an error of the database (not of the caller's data),
// keeping it in the chain (context.Canceled, *pgconn.PgError).
func dbErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("pgstore: %s: %w", op, err)
}

// SQLSTATE codes the store maps to scheduling errors.
const (
	codeForeignKey = "23503" // foreign_key_violation
	codeUnique     = "23505" // unique_violation
)

// slotIndex is the unique index of held queue slots (migration 2).
const slotIndex = "targets_queue_slot"

// isSlotTaken reports whether err is a unique violation of slotIndex.
func isSlotTaken(err error) bool {
	var pe *pgconn.PgError
	return errors.As(err, &pe) && pe.Code == codeUnique && pe.ConstraintName == slotIndex
}

// slotTaken is the error of a write of t refused by slotIndex.
func slotTaken(t *scheduling.Target) error {
	return fmt.Errorf("pgstore: %w", &scheduling.SlotTakenError{AccountID: t.AccountID, Due: t.Due, TargetID: t.ID})
}

// pgCode returns err's SQLSTATE, or "" if it is not a server error.
func pgCode(err error) string {
	var pe *pgconn.PgError
	if errors.As(err, &pe) {
		return pe.Code
	}
	return ""
}

// nanos and fromNanos store instants as UTC unix nanoseconds (see
// package internal/nanotime).
var nanos, fromNanos = nanotime.Of, nanotime.Time

// text makes free text (failure messages, audit reasons) storable: a
// PostgreSQL text value cannot hold NUL or invalid UTF-8, which network
// error bodies may contain. Both become U+FFFD.
func text(s string) string {
	if strings.IndexByte(s, 0) < 0 && utf8.ValidString(s) {
		return s
	}
	return strings.ReplaceAll(strings.ToValidUTF8(s, "\uFFFD"), "\x00", "\uFFFD")
}
