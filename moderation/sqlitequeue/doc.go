// Package sqlitequeue is the durable moderation.ReviewQueue: held items,
// their resolutions and the audit in one SQLite database file, embedded in
// the program (modernc.org/sqlite, pure Go, no cgo). Use it wherever a
// restart must not lose what waits for a reviewer:
//
//	q, err := sqlitequeue.Open(ctx, "review.db", nil)
//	if err != nil { ... }
//	defer q.Close()
//	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{Review: q})
//
// It passes the moderation/reviewtest conformance suite, on a file and in
// memory (Open(ctx, ":memory:", nil), for tests: lost on Close). Like
// package moderation, it depends on no other cmkit package.
//
// # Durability
//
// The database runs in WAL mode. Add and Resolve return after their
// transaction committed; a crash afterwards cannot undo them, and a crash
// before leaves nothing of them. A resolution and its audit entry are one
// transaction: there is no resolved item without its audit entry, nor the
// reverse.
//
// Options.Synchronous chooses what "committed" survives:
//
//   - "NORMAL" (the default): a commit is appended to the write-ahead log
//     without waiting for the disk. It survives the crash of the process
//     (SIGKILL, panic, out-of-memory kill): the log is in the operating
//     system's cache and SQLite replays it when the file is opened again.
//     A power loss or kernel crash may lose the last transactions (never
//     corrupt the file): an item held just before would be missing from
//     the queue, and a resolution just before would be pending again.
//   - "FULL": every commit waits for fsync of the log. It also survives
//     power loss, for roughly half the throughput (see Performance).
//
// Items and decisions are stored as encoding/json documents of
// moderation.Item and moderation.Decision, which hold only strings,
// numbers, booleans, slices and times, so they round-trip exactly: nil
// and empty slices stay apart, and times keep their nanoseconds. Times
// come back in UTC (the same instants). Two values JSON cannot hold
// exactly are refused by Add with an error matching
// moderation.ErrInvalidReview that names the field, rather than stored
// altered: a string that is not valid UTF-8 (encoding/json would replace
// the bytes), and a score that is NaN or infinite (the pipeline never
// produces either). Added, Resolved and audit times are stored as UTC unix
// nanoseconds, so times between 1678 and 2262 round-trip exactly.
//
// Rows are never deleted. The audit table (review_audit) is append-only:
// triggers refuse UPDATE and DELETE on it, and each entry copies the
// decision, language and text it needs for export (moderation.ExportTSV),
// so it does not depend on the items table.
//
// # Migrations
//
// The schema is versioned in the review_migrations table (version, name,
// applied_at); the tables are named review_*, so they do not collide with
// the tables of another store sharing the file. Open applies the
// migrations the database lacks, oldest first, each in its own
// transaction together with its review_migrations row: a crash during a
// migration leaves the previous version intact, and the next Open
// resumes. Processes opening the same file at once serialise on SQLite's
// write lock and re-read the version inside it, so a migration runs once.
//
// A database whose version is newer than this build knows was written by
// a newer cmkit: Open refuses it with a *SchemaVersionError matching
// ErrSchemaTooNew, without touching it. Downgrading means restoring a
// backup taken before the upgrade. SchemaVersion reports the version this
// build writes.
//
// # Concurrency
//
// A Queue is safe for concurrent use. Writes go through a single
// connection, so goroutines of one process queue in Go instead of
// spinning on SQLITE_BUSY; every write transaction begins IMMEDIATE (it
// takes the write lock first), so it can never fail half-way on a lock
// upgrade. Reads (Pending, Get, Audit) use a pool of Options.ReadConns
// connections and run concurrently with the writer, each on a consistent
// snapshot.
//
// Several processes may share one database file on a local file system,
// such as two moderation workers and a review tool. Resolve is a
// conditional UPDATE (... WHERE id = ? AND resolved IS NULL): of two
// reviewers resolving one item at once, in one process or two, exactly
// one wins and writes the audit entry; the other gets
// moderation.ErrAlreadyResolved naming the winner. Add of an item already
// resolved fails the same way, and generated IDs ("review-" and a number)
// are unique across processes. Writers of different processes take turns
// on the file's write lock, waiting up to Options.BusyTimeout (5 s by
// default). Network file systems (NFS, SMB) are not supported: WAL needs
// memory shared between the processes of one machine. Open fails when
// SQLite cannot enable WAL mode, but cannot detect every network file
// system.
//
// # Performance
//
// Pending walks a partial index of the pending items by Added time
// (review_pending): a resolution takes its row out of the index, so
// listing the oldest items costs the same however long the history. Write
// statements are prepared once on the writer connection.
//
// Measured on a 2-core AMD EPYC virtual machine shared with other jobs,
// local disk, with go test -run XXX -bench . -benchtime 1s
// ./moderation/sqlitequeue/:
//
//	BenchmarkAddResolve (Add then Resolve of one held comment)
//	  synchronous NORMAL      about 4,800 items/s
//	  synchronous FULL        about 2,100 items/s
//	BenchmarkPending (50 oldest of 5,000 pending, 5,000 resolved)
//	                          about 1.1 ms
package sqlitequeue
