package sqlitestore

import "github.com/cmkit/cmkit/internal/sqlitedb"

// migrations is the schema history, oldest first. Never edit a released
// migration: append one. Instants are UTC unix nanoseconds (0 for the zero
// time); wall-clock times are text ("2026-03-29T09:30:00") with their IANA
// zone beside them. The tables are STRICT, so a wrong type is an error
// instead of a silent conversion.
var migrations = []sqlitedb.Migration{
	{Version: 1, Name: "posts, targets, audit, accounts, blackouts", SQL: `
CREATE TABLE posts (
	id         TEXT    PRIMARY KEY,
	version    INTEGER NOT NULL,
	doc        BLOB    NOT NULL,            -- scheduling.Post as JSON (Post.MarshalJSON)
	created_at INTEGER NOT NULL,
	updated_at INTEGER NOT NULL
) STRICT;

CREATE TABLE targets (
	id              TEXT    PRIMARY KEY,
	post_id         TEXT    NOT NULL REFERENCES posts (id),
	account_id      TEXT    NOT NULL,
	state           INTEGER NOT NULL,
	version         INTEGER NOT NULL,
	local           TEXT    NOT NULL,       -- civil wall time, '' for none
	zone            TEXT    NOT NULL,       -- IANA zone of local
	due             INTEGER NOT NULL,
	not_before      INTEGER NOT NULL,
	run_at          INTEGER NOT NULL,       -- max(due, not_before): what claims order by
	queued          INTEGER NOT NULL,
	key             TEXT    NOT NULL,       -- idempotency key, fixed at creation
	run             INTEGER NOT NULL,
	attempt         INTEGER NOT NULL,
	lease_owner     TEXT    NOT NULL,
	lease_until     INTEGER NOT NULL,
	unknown         INTEGER NOT NULL,
	pending         BLOB,
	result_post_id  TEXT    NOT NULL,
	result_url      TEXT    NOT NULL,
	published_at    INTEGER NOT NULL,
	failure_code    INTEGER NOT NULL,
	failure_message TEXT    NOT NULL,
	updated_at      INTEGER NOT NULL
) STRICT, WITHOUT ROWID;                    -- small rows: one b-tree, no separate key index

-- Indexes a claim or a completion must update are partial, so that each
-- write dirties few pages: only the state it leaves or enters.
CREATE INDEX targets_due ON targets (run_at, id) WHERE state = 3;
CREATE INDEX targets_lease ON targets (lease_until) WHERE state = 4;
CREATE INDEX targets_published ON targets (account_id, published_at) WHERE state = 5;
CREATE INDEX targets_run ON targets (run_at, id);
CREATE INDEX targets_post ON targets (post_id, id);
CREATE INDEX targets_account ON targets (account_id, run_at, id);

CREATE TABLE audit (
	seq        INTEGER PRIMARY KEY,         -- rows are never deleted: max+1 keeps increasing
	post_id    TEXT    NOT NULL REFERENCES posts (id),
	target_id  TEXT    NOT NULL,
	at         INTEGER NOT NULL,
	actor      TEXT    NOT NULL,
	action     TEXT    NOT NULL,
	from_state INTEGER NOT NULL,
	to_state   INTEGER NOT NULL,
	reason     TEXT    NOT NULL
) STRICT;

CREATE INDEX audit_post ON audit (post_id, seq);
CREATE INDEX audit_target ON audit (target_id, seq) WHERE target_id <> '';

CREATE TABLE accounts (
	account_id  TEXT    PRIMARY KEY,
	zone        TEXT    NOT NULL,
	slots       TEXT    NOT NULL,           -- JSON array of scheduling.Slot
	paused      INTEGER NOT NULL,
	paused_at   INTEGER NOT NULL,
	on_missed   INTEGER NOT NULL,
	max_per_24h INTEGER NOT NULL,
	version     INTEGER NOT NULL
) STRICT;

CREATE TABLE blackouts (
	id       TEXT    PRIMARY KEY,
	from_at  INTEGER NOT NULL,
	until_at INTEGER NOT NULL,
	reason   TEXT    NOT NULL,
	by       TEXT    NOT NULL
) STRICT;
`},
	{Version: 2, Name: "one target per queue slot", SQL: `
-- A queue slot (account, due) is held by at most one queued target that
-- is Draft (1), AwaitingApproval (2), Scheduled (3) or Publishing (4):
-- scheduling.Target.HoldsQueueSlot. Slots double-booked before this
-- version (by two processes queuing at once) are resolved first: the
-- target furthest along (Publishing, then Scheduled...), then the lowest
-- ID, keeps the slot; the others keep their time but are no longer
-- queued, and an audit entry "unqueued" says so.
INSERT INTO audit (post_id, target_id, at, actor, action, from_state, to_state, reason)
SELECT post_id, id, CAST(strftime('%s', 'now') AS INTEGER) * 1000000000, 'cmkit:migration', 'unqueued', state, state,
	'its queue slot was also held by another target: it keeps its time but no longer holds the slot'
FROM (SELECT id, post_id, state, row_number() OVER (PARTITION BY account_id, due ORDER BY state DESC, id) AS n
	FROM targets WHERE queued = 1 AND state IN (1, 2, 3, 4))
WHERE n > 1
ORDER BY id;

UPDATE targets SET queued = 0, version = version + 1
WHERE id IN (SELECT id FROM (SELECT id, row_number() OVER (PARTITION BY account_id, due ORDER BY state DESC, id) AS n
	FROM targets WHERE queued = 1 AND state IN (1, 2, 3, 4)) WHERE n > 1);

CREATE UNIQUE INDEX targets_queue_slot ON targets (account_id, due) WHERE queued = 1 AND state IN (1, 2, 3, 4);
`},
}
