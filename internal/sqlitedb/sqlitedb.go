// Package sqlitedb opens SQLite databases (modernc.org/sqlite, pure Go)
// the way cmkit's durable stores use them, and migrates their schemas:
// scheduling/sqlitestore and moderation/sqlitequeue share it instead of
// each keeping a copy. It holds no domain logic and imports no other cmkit
// package.
//
// A file database is opened as two pools: one writer connection, whose
// transactions begin IMMEDIATE (they take the write lock at BEGIN, so two
// writers queue on the busy timeout instead of failing on upgrade), in WAL
// mode with the chosen synchronous setting, and a read-only pool for
// concurrent readers. An in-memory database is one connection kept for
// the life of the pool (each connection to ":memory:" is a database of its
// own), used for both.
package sqlitedb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"

	"modernc.org/sqlite" // also registers the "sqlite" database/sql driver
	sqlite3 "modernc.org/sqlite/lib"
)

// Options tune Open. Zero values take the defaults.
type Options struct {
	// Synchronous is "NORMAL" (default: a commit survives the crash of
	// the process, not of the machine) or "FULL" (it waits for fsync).
	Synchronous string
	// BusyTimeout is how long a connection waits for a lock held by
	// another connection or process (default 5 s).
	BusyTimeout time.Duration
	// ReadConns bounds the read-only pool (default 4).
	ReadConns int
	// ForeignKeys turns foreign-key enforcement on.
	ForeignKeys bool
}

// ErrOptions is matched by Open's errors about invalid Options.
var ErrOptions = errors.New("invalid options")

// DB is an open database: W the writer pool, R the reader pool (W itself
// for an in-memory database).
type DB struct {
	W, R *sql.DB
	// Path is the file's path, or ":memory:".
	Path string
	// Memory reports an in-memory database.
	Memory bool
	// Stmts are the writer's prepared statements by query text (Prepare).
	Stmts map[string]*sql.Stmt
}

// Prepare prepares each query on the writer into db.Stmts: parsing SQL
// costs more than running a store's small statements. Close closes them.
func (db *DB) Prepare(ctx context.Context, queries []string) error {
	if db.Stmts == nil {
		db.Stmts = make(map[string]*sql.Stmt, len(queries))
	}
	for _, q := range queries {
		st, err := db.W.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare: %w", err)
		}
		db.Stmts[q] = st
	}
	return nil
}

// IsMemory reports whether path names a private in-memory database: "",
// ":memory:" or "file::memory:".
func IsMemory(path string) bool { return path == "" || path == ":memory:" || path == "file::memory:" }

// Open opens, creating it if needed, the database at path (see IsMemory
// for in-memory ones). For a file it checks that WAL mode took: it does
// not on network file systems, where SQLite's locking is not safe.
func Open(ctx context.Context, path string, o Options) (*DB, error) {
	mode := strings.ToUpper(o.Synchronous)
	switch mode {
	case "":
		mode = "NORMAL"
	case "NORMAL", "FULL":
	default:
		return nil, fmt.Errorf("%w: Synchronous %q: want NORMAL or FULL", ErrOptions, o.Synchronous)
	}
	if o.BusyTimeout < 0 || o.ReadConns < 0 {
		return nil, fmt.Errorf("%w: BusyTimeout and ReadConns must not be negative", ErrOptions)
	}
	if o.BusyTimeout == 0 {
		o.BusyTimeout = 5 * time.Second
	}
	if o.ReadConns == 0 {
		o.ReadConns = 4
	}
	busy := "_pragma=busy_timeout(" + strconv.FormatInt(o.BusyTimeout.Milliseconds(), 10) + ")"
	fk := ""
	if o.ForeignKeys {
		fk = "&_pragma=foreign_keys(1)"
	}
	db := &DB{Path: path, Memory: IsMemory(path)}
	if db.Memory {
		db.Path = ":memory:"
		w, err := sql.Open("sqlite", "file::memory:?"+busy+fk+"&_txlock=immediate")
		if err != nil {
			return nil, err
		}
		keepOne(w)
		db.W, db.R = w, w
		return db, nil
	}
	file := "file:" + (&url.URL{Path: path}).EscapedPath()
	// SQLite's automatic checkpoint (every 1,000 pages of log) runs in the
	// commit that crosses it; journal_size_limit truncates the log file
	// when it starts over.
	w, err := sql.Open("sqlite", file+"?"+busy+"&_pragma=journal_mode(WAL)&_pragma=synchronous("+mode+")"+fk+
		"&_txlock=immediate&_pragma=journal_size_limit(8388608)")
	if err != nil {
		return nil, err
	}
	keepOne(w)
	db.W = w
	journal, err := journalMode(ctx, w, o.BusyTimeout)
	if err != nil {
		w.Close()
		return nil, fmt.Errorf("open %s: %w", path, err)
	}
	if !strings.EqualFold(journal, "wal") {
		w.Close()
		return nil, fmt.Errorf("%s: cannot use WAL mode (journal mode is %q); is it on a network file system?", path, journal)
	}
	r, err := sql.Open("sqlite", file+"?"+busy+fk+"&_pragma=query_only(1)")
	if err != nil {
		w.Close()
		return nil, err
	}
	r.SetMaxOpenConns(o.ReadConns)
	r.SetMaxIdleConns(o.ReadConns)
	db.R = r
	return db, nil
}

// journalMode opens the writer's connection, which sets WAL mode, and
// returns the journal mode in force. Turning a new file to WAL takes an
// exclusive lock, and SQLite answers SQLITE_BUSY at once, without its busy
// handler, when another process holds a lock on the file (several
// processes opening a new database together): the connection is then
// tried again, with a growing pause, for up to the busy timeout.
func journalMode(ctx context.Context, w *sql.DB, timeout time.Duration) (string, error) {
	deadline := time.Now().Add(timeout)
	pause := time.Millisecond
	for {
		var mode string
		err := w.QueryRowContext(ctx, "PRAGMA journal_mode").Scan(&mode)
		if err == nil || !busy(err) || time.Now().Add(pause).After(deadline) {
			return mode, err
		}
		select {
		case <-ctx.Done():
			return "", ctx.Err()
		case <-time.After(pause):
		}
		pause = min(2*pause, 50*time.Millisecond)
	}
}

// busy reports SQLITE_BUSY (or SQLITE_LOCKED), primary or extended code.
func busy(err error) bool {
	var se *sqlite.Error
	if !errors.As(err, &se) {
		return false
	}
	code := se.Code() & 0xff
	return code == sqlite3.SQLITE_BUSY || code == sqlite3.SQLITE_LOCKED
}

// keepOne makes p a single connection that is never closed while p is
// open.
func keepOne(p *sql.DB) {
	p.SetMaxOpenConns(1)
	p.SetMaxIdleConns(1)
	p.SetConnMaxLifetime(0)
	p.SetConnMaxIdleTime(0)
}

// Close closes the prepared statements and both pools.
func (db *DB) Close() error {
	var errs []error
	for _, st := range db.Stmts {
		errs = append(errs, st.Close())
	}
	if db.R != nil && db.R != db.W {
		errs = append(errs, db.R.Close())
	}
	if db.W != nil {
		errs = append(errs, db.W.Close())
	}
	return errors.Join(errs...)
}
