// Package pgqueue is the moderation.ReviewQueue for PostgreSQL (10 or
// later; tested on 15), through github.com/jackc/pgx/v5. Choose it over
// moderation/sqlitequeue when moderation runs on several machines that
// share one queue, or when held comments and their audit belong in a
// database that is already backed up and replicated:
//
//	q, err := pgqueue.Open(ctx, "postgres://cmkit@db:5432/cmkit?sslmode=verify-full", nil)
//	if err != nil { ... }
//	defer q.Close()
//	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{Review: q})
//
// New builds a Queue on a *pgxpool.Pool the program already has. Every
// table lives in one schema, Options.Schema ("cmkit_moderation" by
// default), created if missing: several independent queues (environments,
// tenants, tests) can share a database. The queue passes the
// moderation/reviewtest conformance suite. Like package moderation, it
// depends on no other cmkit package (besides internal helpers).
//
// # Durability
//
// Add and Resolve return after their transaction committed; a crash
// afterwards cannot undo them, and a crash before leaves nothing of them.
// What a commit survives is the server's business (synchronous_commit,
// fsync, synchronous replication): with the default settings, the crash
// of the program, of the server and of the machine. A resolution and its
// audit entry are one transaction: there is no resolved item without its
// audit entry, nor the reverse.
//
// Items and decisions are json documents of moderation.Item and
// moderation.Decision (encoding/json, field names as in Go), json rather
// than jsonb: kept verbatim, so they round-trip exactly (nil and empty
// slices stay apart, times keep their nanoseconds, and come back in UTC),
// and not re-parsed on each write; operators can still query them with
// ->> or cast them to jsonb. Instants (Added, Resolved, audit times) are
// bigint UTC unix nanoseconds, as in sqlitequeue and scheduling/pgstore:
// times between 1678 and 2262 round-trip exactly (timestamptz keeps
// microseconds). To read them in psql: to_timestamp(added / 1e9).
//
// A PostgreSQL text value holds neither NUL bytes nor invalid UTF-8. A
// comment's text may well contain NUL: everything that comes from the
// comment and the pipeline is stored inside json, where NUL is written
// "\u0000" and kept, and so is the audit's copy of the text (a json
// string; jsonb and ->> refuse "\u0000", so read that column as json or
// text). The few text columns hold identifiers and what reviewers type:
// the queue ID (Item.ID), the decision's language (a code such as "fr"),
// the reviewer and the note. Rather than store a value altered, Add and
// Resolve refuse a NUL in those with an error matching
// moderation.ErrInvalidReview that names the field, as sqlitequeue
// refuses what it cannot hold exactly; for the same reason both refuse
// any string that is not valid UTF-8 (encoding/json would replace its
// bytes), and Add a score that is NaN or infinite (the pipeline never
// produces either). Get and Resolve of an ID that cannot be stored report
// moderation.ErrNotFound.
//
// Rows are never deleted. The audit table (review_audit) is append-only:
// triggers refuse UPDATE, DELETE and TRUNCATE on it, and each entry
// copies the decision, language and text it needs for export
// (moderation.ExportTSV), so it does not depend on the items table. The
// triggers guard against mistakes, not against the table's owner, who can
// drop them: to make the audit tamper-proof for the application, run it
// as a role granted only SELECT and INSERT on review_audit (and SELECT,
// INSERT, UPDATE on review_items, USAGE on its sequence), with the schema
// owned by another role that migrates it.
//
// # Migrations
//
// The schema is versioned in the review_migrations table of
// Options.Schema (version, name, applied_at); the tables are named
// review_*, so the schema may also hold another store's tables (for
// instance scheduling/pgstore's). Open reads the version first: a schema
// that is up to date is not written to, so a role with only the rights to
// read and write the tables can open it. Otherwise Open applies the
// missing migrations, oldest first, in one transaction together with
// their review_migrations rows, after taking a transaction-scoped
// advisory lock (pg_advisory_xact_lock) derived from the schema's name.
// Processes that open the same schema at once queue on that lock and read
// the version again once they hold it, so each migration runs once;
// PostgreSQL's transactional DDL means a crash during a migration leaves
// the previous version intact, and the next Open starts over.
//
// A schema whose version is newer than this build knows was written by a
// newer cmkit: Open refuses it with a *SchemaVersionError matching
// ErrSchemaTooNew, without touching it. Downgrading means restoring a
// backup taken before the upgrade. SchemaVersion reports the version this
// build writes.
//
// # Concurrency
//
// A Queue is safe for concurrent use, and any number of Queues, in any
// number of processes on any number of machines, may share a schema: the
// moderation workers that hold comments and the tools reviewers use.
// Nothing holds a lock between two calls.
//
// Resolve is one transaction: a conditional UPDATE (... WHERE id = $1 AND
// resolved IS NULL RETURNING ...) then the audit INSERT. Of two reviewers
// resolving one item at once, on one machine or two, the second UPDATE
// waits for the first transaction's row lock, then finds the row resolved
// and changes nothing: exactly one wins and writes the audit entry, and
// the other gets moderation.ErrAlreadyResolved naming the winner. Add is
// one INSERT ... ON CONFLICT statement: adding an ID again replaces a
// pending entry in place, and an Add racing a Resolve of the same ID
// either lands before it (and is what Resolve records) or fails
// with moderation.ErrAlreadyResolved; it never reopens a resolved item.
// Generated IDs ("review-" and a number) come from the items table's
// identity sequence, so they are unique across processes; numbers may
// skip, and an ID an item already took as its own is passed over.
//
// Added and Resolved times come from the clock of the machine that wrote
// them (Options.Now): Pending lists items in the order of those clocks,
// so keep the machines synchronised (NTP). A Resolved time is never
// before its item's Added time, even from a machine whose clock is behind.
// Audit lists entries in the order they were inserted; transactions of
// several reviewers commit in their own order, so two resolutions made in
// the same instant may be listed in either order.
//
// Errors of the server wrap *pgconn.PgError (errors.As) and context
// errors (errors.Is(err, context.Canceled)); a cancelled context cancels
// the statement on the server, and a cancelled Resolve writes nothing.
// Through PgBouncer in transaction pooling mode, set
// default_query_exec_mode=exec (or simple_protocol) in the connection
// string: the default caches prepared statements per connection.
//
// # Performance
//
// Add is one statement, one round trip and one commit (a retry when a
// generated ID is taken); Resolve is four round trips (begin, update,
// audit insert, commit) and one commit; Get, Pending and Audit are one
// statement each. Pending walks a partial index of the pending items by
// Added time (review_pending): a resolution takes its row out of the
// index, so listing the oldest items costs the same however long the
// history. pgx prepares each statement once per connection.
//
// Measured on a 2-core AMD EPYC virtual machine (load average about 1),
// PostgreSQL 15 on the same machine with default settings
// (synchronous_commit on, so every commit waits for fsync), one run of
// TEST_DATABASE_URL=... go test -run XXX -bench . -benchmem -benchtime 2s
// ./moderation/pgqueue/:
//
//	BenchmarkAddResolve (Add then Resolve of one held comment)
//	  one Queue               about 870 items/s
//	  four Queues at once     about 2,300 items/s
//	BenchmarkPending (50 oldest of 5,000 pending, 5,000 resolved)
//	                          about 0.9 ms
//
// Each item waits for two commits, so for the disk twice: that, more than
// the round trips, bounds one Queue, and concurrent writers share
// flushes. The database server competes with the benchmark for the two
// cores; a server on its own machine adds a network round trip per
// statement but takes the load off. A review queue is written at the pace
// of human reviewers and of held comments, a small share of all comments,
// so these rates leave a wide margin.
package pgqueue
