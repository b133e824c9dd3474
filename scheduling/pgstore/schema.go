package pgstore

// migrations is the schema history, oldest first. Never edit a released
// migration: append one. "{s}" is the store's schema. Instants are UTC
// unix nanoseconds in bigint (0 for the zero time); wall-clock times are
// text ("2026-03-29T09:30:00") with their IANA zone beside them; posts are
// json documents (kept verbatim, unlike jsonb).
var migrations = []migration{
	{version: 1, name: "posts, targets, audit, accounts, blackouts", sql: `
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
}
