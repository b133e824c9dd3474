package sqlitestore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/cmkit/cmkit/internal/nanotime"
	"github.com/cmkit/cmkit/internal/sqlitedb"
	"github.com/cmkit/cmkit/scheduling"
)

// Options tune a Store. The zero value, or nil, gives the defaults
// documented on each field.
type Options struct {
	// Synchronous is SQLite's synchronous setting: "NORMAL" or "FULL".
	// Defaults to "NORMAL", which in WAL mode survives a crash of the
	// process (SIGKILL, panic, OOM kill) but may lose the last commits on
	// a power loss or kernel crash; "FULL" survives those too, at the cost
	// of an fsync per commit. See the package documentation.
	Synchronous string
	// BusyTimeout is how long a write waits for the write lock when
	// another process holds it, before failing with SQLITE_BUSY. Defaults
	// to 5s.
	BusyTimeout time.Duration
	// ReadConns is the number of connections that serve reads
	// concurrently with the single writer. Defaults to 4. An in-memory
	// database has one connection for everything.
	ReadConns int
	// Now is the clock of what the store timestamps itself (when a
	// migration was applied). Defaults to time.Now. Scheduling times come
	// from the scheduler.
	Now func() time.Time
}

// Store is a scheduling.Store in one SQLite database file. It is safe for
// concurrent use by many goroutines, and by several processes sharing the
// file (see the package documentation). Close it when done.
type Store struct {
	now func() time.Time

	// db holds the writer connection (db.W: every write, serialised
	// here instead of in SQLite's lock), the readers (db.R, the same as
	// db.W in memory) and the writer's prepared statements.
	db *sqlitedb.DB

	// posts caches decoded posts by ID and version for ClaimDue: a post's
	// document never changes without its version changing.
	mu    sync.Mutex
	posts map[string]*scheduling.Post
}

var _ scheduling.Store = (*Store)(nil)

// Open opens (creating it if needed) the database at path, brings its
// schema to the current version and returns the Store. The path ":memory:"
// (or "") opens a private in-memory database, lost on Close: for tests.
// opts may be nil.
//
// A database written by a newer version of cmkit is refused with a
// *SchemaVersionError (errors.Is(err, ErrSchemaTooNew)).
func Open(ctx context.Context, path string, opts *Options) (*Store, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	db, err := sqlitedb.Open(ctx, path, sqlitedb.Options{Synchronous: o.Synchronous, BusyTimeout: o.BusyTimeout,
		ReadConns: o.ReadConns, ForeignKeys: true})
	if err != nil {
		return nil, fmt.Errorf("sqlitestore: %w", err)
	}
	s := &Store{db: db, now: o.Now, posts: make(map[string]*scheduling.Post)}
	if err := s.init(ctx); err != nil {
		s.Close()
		return nil, err
	}
	return s, nil
}

func (s *Store) init(ctx context.Context) error {
	if err := sqlitedb.Migrate(ctx, s.db.W, "schema_migrations", migrations, s.now); err != nil {
		var newer *sqlitedb.NewerError
		if errors.As(err, &newer) {
			return &SchemaVersionError{Path: s.db.Path, Found: newer.Found, Known: newer.Known}
		}
		return fmt.Errorf("sqlitestore: %w", err)
	}
	if err := s.db.Prepare(ctx, preparedSQL); err != nil {
		return fmt.Errorf("sqlitestore: %w", err)
	}
	return nil
}

// Close closes the database. A Store must not be used after Close.
func (s *Store) Close() error {
	if err := s.db.Close(); err != nil {
		return fmt.Errorf("sqlitestore: close: %w", err)
	}
	return nil
}

// Path returns the database file's path (":memory:" for an in-memory
// database).
func (s *Store) Path() string { return s.db.Path }

// write runs fn in an IMMEDIATE transaction on the writer connection and
// commits it, or rolls it back if fn or the commit fails.
func (s *Store) write(ctx context.Context, fn func(tx *txn) error) error {
	tx, err := s.db.W.BeginTx(ctx, nil)
	if err != nil {
		return dbErr("begin", err)
	}
	if err := fn(&txn{Tx: tx, stmts: s.db.Stmts}); err != nil {
		_ = tx.Rollback()
		return err
	}
	if err := tx.Commit(); err != nil {
		return dbErr("commit", err)
	}
	return nil
}

// preparedSQL are the statements of the write paths, prepared once on the
// writer connection.
var preparedSQL = []string{claimSQL, claimUpdateSQL, postsSQL, savepointSQL, rollbackToSQL,
	releaseSavepointSQL, targetExistsSQL, releaseSQL, renewSQL, completeSQL, insertTargetSQL, updateTargetSQL,
	targetVersionSQL, insertPostSQL, updatePostSQL, insertAuditSQL, insertAuditsSQL, unslotSQL}

// txn is a write transaction that runs the statements of preparedSQL
// through their prepared form.
type txn struct {
	*sql.Tx
	stmts map[string]*sql.Stmt
}

func (t *txn) ExecContext(ctx context.Context, q string, args ...any) (sql.Result, error) {
	if st := t.stmts[q]; st != nil {
		return t.StmtContext(ctx, st).ExecContext(ctx, args...)
	}
	return t.Tx.ExecContext(ctx, q, args...)
}

func (t *txn) QueryContext(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	if st := t.stmts[q]; st != nil {
		return t.StmtContext(ctx, st).QueryContext(ctx, args...)
	}
	return t.Tx.QueryContext(ctx, q, args...)
}

func (t *txn) QueryRowContext(ctx context.Context, q string, args ...any) *sql.Row {
	if st := t.stmts[q]; st != nil {
		return t.StmtContext(ctx, st).QueryRowContext(ctx, args...)
	}
	return t.Tx.QueryRowContext(ctx, q, args...)
}

// dbErr wraps an error of the database (not of the caller's data),
// keeping it in the chain (context.Canceled, *sqlite.Error).
func dbErr(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("sqlitestore: %s: %w", op, err)
}

// isConstraint reports whether err is the SQLite constraint violation
// code (SQLITE_CONSTRAINT_FOREIGNKEY...).
func isConstraint(err error, code int) bool {
	var se *sqlite.Error
	return errors.As(err, &se) && se.Code() == code
}

const (
	constraintFK = sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	// constraintUnique on targets is targets_queue_slot, its only UNIQUE
	// index (the primary key is SQLITE_CONSTRAINT_PRIMARYKEY).
	constraintUnique = sqlite3.SQLITE_CONSTRAINT_UNIQUE
)

// slotTaken is the error of a write of t refused by targets_queue_slot.
func slotTaken(t *scheduling.Target) error {
	return fmt.Errorf("sqlitestore: %w", &scheduling.SlotTakenError{AccountID: t.AccountID, Due: t.Due, TargetID: t.ID})
}

func boolInt(b bool) int {
	if b {
		return 1
	}
	return 0
}

// nanos and fromNanos store instants as UTC unix nanoseconds (see
// package internal/nanotime).
var nanos, fromNanos = nanotime.Of, nanotime.Time
