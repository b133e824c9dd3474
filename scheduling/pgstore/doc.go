// Package pgstore is the scheduling.Store for PostgreSQL (10 or later;
// tested on 15), through github.com/jackc/pgx/v5. Choose it over
// sqlitestore to run schedulers on several machines, or when the calendar
// belongs in a database that is already backed up and replicated:
//
//	store, err := pgstore.Open(ctx, "postgres://cmkit@db:5432/cmkit?sslmode=verify-full", nil)
//	if err != nil { ... }
//	defer store.Close()
//	sched, err := scheduling.New(scheduling.Config{Store: store, Accounts: accounts})
//
// New builds a Store on a *pgxpool.Pool the program already has. Every
// table lives in one schema, Options.Schema ("cmkit_scheduling" by
// default), created if missing: several independent stores (environments,
// tenants, tests) can share a database. The store passes the storetest
// conformance suite.
//
// # Durability
//
// Every method that changes something returns after its transaction
// committed; a crash afterwards cannot undo it, and a crash before leaves
// nothing of it. What a commit survives is the server's business
// (synchronous_commit, fsync, synchronous replication): with the default
// settings, the crash of the program, of the server and of the machine.
// A scheduler that dies leaves its leases behind; another one reclaims the
// targets when the leases expire, flagged Unknown, and reconciles them
// with the network before publishing again.
//
// Instants are bigint UTC unix nanoseconds (the zero time is 0), as in
// sqlitestore: they round-trip exactly (timestamptz keeps microseconds),
// every store of cmkit then behaves the same on the same times, and
// comparisons are integer comparisons in the claim's indexes. To read them
// in psql: to_timestamp(due / 1e9). Wall-clock times are text
// ("2026-03-29T09:30:00") next to their IANA zone name, so the instant can
// be recomputed when the zone's rules change. Posts are json documents
// (scheduling.Post.MarshalJSON), json rather than jsonb: kept verbatim and
// not re-parsed on each write, and "\u0000" in a post's text, which jsonb
// refuses, is accepted; operators can still query them with ->> or cast
// them to jsonb. Media given only through Media.Open cannot be stored. A
// text column cannot hold NUL bytes or invalid UTF-8: in free text (failure
// messages, audit reasons and actors, blackout reasons) they become
// U+FFFD; in IDs they are an error of the server.
//
// # Migrations
//
// The schema is versioned in the schema_migrations table of Options.Schema
// (version, name, applied_at). Open reads the version first: a schema that
// is up to date is not written to, so a role with only the rights to read
// and write the tables can open it. Otherwise Open applies the missing
// migrations, oldest first, in one transaction together with their
// schema_migrations rows, after taking a transaction-scoped advisory lock
// (pg_advisory_xact_lock) derived from the schema's name. Processes that
// open the same schema at once queue on that lock and read the version
// again once they hold it, so each migration runs once; PostgreSQL's
// transactional DDL means a crash during a migration leaves the previous
// version intact, and the next Open starts over.
//
// Version 2 adds the unique index of queue slots (targets_queue_slot:
// account and instant of queued targets in states Draft to Publishing;
// see scheduling.Target.HoldsQueueSlot), after locking the targets table
// against writers of older builds. A schema that already holds a
// double-booked slot (two schedulers queued at once under an older build)
// still migrates: the target furthest along (Publishing, then Scheduled,
// AwaitingApproval, Draft; then the lowest ID) keeps the slot, and the
// others keep their time and state but are no longer queued, each with
// an audit entry (Action "unqueued", Actor "cmkit:migration"). Nothing is
// moved or cancelled. Upgrade every scheduler sharing the schema: an
// older build does not know the error the index raises.
//
// A schema whose version is newer than this build knows was written by a
// newer cmkit: Open refuses it with a *SchemaVersionError matching
// ErrSchemaTooNew, without touching it. Downgrading means restoring a
// backup taken before the upgrade. SchemaVersion reports the version this
// build writes.
//
// # Concurrency
//
// A Store is safe for concurrent use, and any number of Stores, in any
// number of processes on any number of machines, may share a schema.
// ClaimDue is one statement: it selects the due targets (and the
// Publishing ones whose lease expired) in RunAt order with FOR UPDATE SKIP
// LOCKED, leases them, appends their audit entries and returns them with
// their posts. Rows that a concurrent claimer holds are passed over
// instead of waited for, and a row that a concurrent claimer leased and
// committed meanwhile is checked again on its new version and dropped, so
// no target is returned to two callers and claimers never queue behind one
// another. Completions, releases and renewals are guarded by the lease
// owner and attempt in their WHERE clauses, so a worker whose lease
// expired and was reclaimed gets ErrLeaseLost. Apply and PutAccount check
// versions in the UPDATE itself (optimistic concurrency, ErrConflict) and
// never hold a lock between two calls. A queue slot is held by one target
// only, whichever process writes: the unique index targets_queue_slot
// refuses the second one (unique_violation 23505 on that index becomes a
// scheduling.SlotTakenError; a concurrent writer of the same slot waits
// for the first to commit, then fails). PostgreSQL checks such an index
// at each row, so an Apply that moves targets between slots (a swap)
// first takes them out of it, and the check applies to the final state
// of the change. Reads run at READ COMMITTED, except
// GetPost, which reads the post and its targets in one REPEATABLE READ
// transaction.
//
// Audit sequence numbers come from an identity column: they increase in
// the order entries are inserted, and entries of one call are numbered in
// order. Transactions of several writers commit in their own order, so a
// reader paging with AuditFilter.AfterSeq while writers run may see an
// entry appear behind the last Seq it read; re-reading a margin (or
// reading by PostID, as the scheduler does) avoids missing it.
//
// Errors of the server wrap *pgconn.PgError (errors.As) and context
// errors (errors.Is(err, context.Canceled)); a cancelled context cancels
// the statement on the server. Through PgBouncer in transaction pooling
// mode, set default_query_exec_mode=exec (or simple_protocol) in the
// connection string: the default caches prepared statements per
// connection.
//
// # Performance
//
// Each method is one round trip where it can be. ClaimDue is a single
// statement (one implicit transaction) walking the partial indexes of due
// targets (state Scheduled, by run_at) and of leases (state Publishing, by
// lease_until), so a long history of published targets costs nothing; each
// post's document is sent once per batch and decoded once per version
// (cached). Complete sends a batch of completions as one pipeline inside
// one transaction (group commit: one commit for the batch); a lost lease
// does not stop the others, and a broken constraint (a Next whose ID
// exists) makes the batch fall back to one transaction per completion.
// Apply pipelines its statements inside its transaction; Release and Renew
// are one statement each, whatever the number of leases. pgx prepares
// each statement once per connection.
//
// Measured on a 2-core AMD EPYC virtual machine (load average under 1),
// PostgreSQL 15 on the same machine with default settings
// (synchronous_commit on, so every commit waits for fsync), two runs of
// TEST_DATABASE_URL=... go test -run XXX -bench . -benchmem ./scheduling/pgstore/:
//
//	BenchmarkClaimComplete (the store alone: claim 32, complete 32)
//	  one claimer             4,500 targets/s
//	  four claimers           7,400 targets/s
//	BenchmarkPostgresDispatch (Scheduler with default Config, no-op driver)
//	  Backlog, all due        6,100-9,000 dispatches/s
//	  Paced, 2,000 due/s      p50 lateness 2.2-3.1 ms, p99 12-49 ms
//
// The database server competes with the benchmark for the two cores; a
// server on its own machine adds a network round trip per call but takes
// the load off. With synchronous_commit off (a crash of the server may
// then lose the last commits: a post could be published again unless the
// network honours the idempotency key or FindPost finds it), commits stop
// waiting for the disk.
package pgstore
