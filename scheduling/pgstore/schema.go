package pgstore

import "github.com/cmkit/cmkit/internal/pgdb"

// migrations is the schema history, oldest first. Never edit a released
// migration: append one. "{s}" is the store's schema. Instants are UTC
// unix nanoseconds in bigint (0 for the zero time); wall-clock times are
// text ("2026-03-29T09:30:00") with their IANA zone beside them; posts are
// json documents (kept verbatim, unlike jsonb).
var migrations = []pgdb.Migration{
	{Version: 1, Name: "posts, targets, audit, accounts, blackouts", SQL: `
CREATE TABLE {s}.posts (
	id         text   PRIMARY KEY,
	version    bigint NOT NULL,
	doc        json   NOT NULL,               -- scheduling.Post (Post.MarshalJSON)
	created_at bigint NOT NULL,
	updated_at bigint NOT NULL
);

CREATE TABLE {s}.targets (
	id              text     PRIMARY KEY,
	post_id         text     NOT NULL REFERENCES {s}.posts (id),
	account_id      text     NOT NULL,
	state           smallint NOT NULL,
	version         bigint   NOT NULL,
	local_time      text     NOT NULL,        -- civil wall time, '' for none
	zone            text     NOT NULL,        -- IANA zone of local_time
	due             bigint   NOT NULL,
	not_before      bigint   NOT NULL,
	run_at          bigint   NOT NULL,        -- greatest(due, not_before): what claims order by
	queued          boolean  NOT NULL,
	idem_key        text     NOT NULL,        -- idempotency key, fixed at creation
	run             bigint   NOT NULL,
	attempt         bigint   NOT NULL,
	lease_owner     text     NOT NULL,
	lease_until     bigint   NOT NULL,
	unknown         boolean  NOT NULL,
	pending         bytea,
	result_post_id  text     NOT NULL,
	result_url      text     NOT NULL,
	published_at    bigint   NOT NULL,
	failure_code    integer  NOT NULL,
	failure_message text     NOT NULL,
	updated_at      bigint   NOT NULL
);

-- The claim walks targets_due and targets_lease, which hold only the rows
-- of their state, so a large history of published targets costs nothing.
CREATE INDEX targets_due ON {s}.targets (run_at, id) WHERE state = 3;
CREATE INDEX targets_lease ON {s}.targets (lease_until) WHERE state = 4;
CREATE INDEX targets_published ON {s}.targets (account_id, published_at) WHERE state = 5;
CREATE INDEX targets_run ON {s}.targets (run_at, id);
CREATE INDEX targets_post ON {s}.targets (post_id, id);
CREATE INDEX targets_account ON {s}.targets (account_id, run_at, id);

CREATE TABLE {s}.audit (
	seq        bigint   GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
	post_id    text     NOT NULL REFERENCES {s}.posts (id),
	target_id  text     NOT NULL,
	at         bigint   NOT NULL,
	actor      text     NOT NULL,
	action     text     NOT NULL,
	from_state smallint NOT NULL,
	to_state   smallint NOT NULL,
	reason     text     NOT NULL
);

CREATE INDEX audit_post ON {s}.audit (post_id, seq);
CREATE INDEX audit_target ON {s}.audit (target_id, seq) WHERE target_id <> '';

CREATE TABLE {s}.accounts (
	account_id  text     PRIMARY KEY,
	zone        text     NOT NULL,
	slots       json     NOT NULL,            -- array of scheduling.Slot
	paused      boolean  NOT NULL,
	paused_at   bigint   NOT NULL,
	on_missed   smallint NOT NULL,
	max_per_24h bigint   NOT NULL,
	version     bigint   NOT NULL
);

CREATE TABLE {s}.blackouts (
	id          text   PRIMARY KEY,
	from_at     bigint NOT NULL,
	until_at    bigint NOT NULL,
	reason      text   NOT NULL,
	declared_by text   NOT NULL
);
`},
	{Version: 2, Name: "one target per queue slot", SQL: `
-- A queue slot (account, due) is held by at most one queued target that
-- is Draft (1), AwaitingApproval (2), Scheduled (3) or Publishing (4):
-- scheduling.Target.HoldsQueueSlot. The lock keeps writers of older
-- builds from double-booking a slot between the clean-up and the index.
LOCK TABLE {s}.targets IN SHARE ROW EXCLUSIVE MODE;

-- Slots double-booked before this version (by two processes queuing at
-- once) are resolved first: the target furthest along (Publishing, then
-- Scheduled...), then the lowest ID, keeps the slot; the others keep
-- their time but are no longer queued, and an audit entry "unqueued"
-- says so.
WITH ranked AS (
	SELECT id, row_number() OVER (PARTITION BY account_id, due ORDER BY state DESC, id) AS n
	FROM {s}.targets WHERE queued AND state IN (1, 2, 3, 4)
), cleared AS (
	UPDATE {s}.targets t SET queued = false, version = t.version + 1
	FROM ranked r WHERE t.id = r.id AND r.n > 1
	RETURNING t.id, t.post_id, t.state
)
INSERT INTO {s}.audit (post_id, target_id, at, actor, action, from_state, to_state, reason)
SELECT post_id, id, (extract(epoch FROM clock_timestamp()) * 1000000)::bigint * 1000, 'cmkit:migration',
	'unqueued', state, state, 'its queue slot was also held by another target: it keeps its time but no longer holds the slot'
FROM cleared ORDER BY id;

CREATE UNIQUE INDEX targets_queue_slot ON {s}.targets (account_id, due) WHERE queued AND state IN (1, 2, 3, 4);
`},
}
