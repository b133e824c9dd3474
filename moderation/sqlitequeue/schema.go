package sqlitequeue

import "github.com/cmkit/cmkit/internal/sqlitedb"

// migrations is the schema history, oldest first. Never edit a released
// migration: append one. Instants are UTC unix nanoseconds. Items and
// decisions are encoding/json documents of moderation.Item and
// moderation.Decision (field names as in Go). The tables are STRICT, so a
// wrong type is an error instead of a silent conversion.
var migrations = []sqlitedb.Migration{
	{Version: 1, Name: "review items and audit", SQL: `
CREATE TABLE review_items (
	seq      INTEGER PRIMARY KEY,          -- insertion order: rows are never deleted
	id       TEXT    NOT NULL UNIQUE,      -- the queue ID
	item     BLOB    NOT NULL,             -- moderation.Item as JSON
	decision BLOB    NOT NULL,             -- moderation.Decision as JSON
	added    INTEGER NOT NULL,
	resolved INTEGER,                      -- NULL while pending
	reviewer TEXT    NOT NULL DEFAULT '',
	verdict  INTEGER NOT NULL DEFAULT 0,   -- moderation.ReviewVerdict
	note     TEXT    NOT NULL DEFAULT ''
) STRICT;

-- Pending walks this index, oldest first; a resolution takes the row out
-- of it, so it holds only what waits however long the history grows.
CREATE INDEX review_pending ON review_items (added, seq) WHERE resolved IS NULL;

-- One row per resolution, in order, self-contained (it copies the
-- decision, language and text) and append-only.
CREATE TABLE review_audit (
	seq      INTEGER PRIMARY KEY,
	id       TEXT    NOT NULL,
	reviewer TEXT    NOT NULL,
	at       INTEGER NOT NULL,
	verdict  INTEGER NOT NULL,             -- moderation.ReviewVerdict
	note     TEXT    NOT NULL,
	before   BLOB    NOT NULL,             -- moderation.Decision as JSON
	after    INTEGER NOT NULL,             -- moderation.Action
	language TEXT    NOT NULL,
	text     TEXT    NOT NULL
) STRICT;

CREATE TRIGGER review_audit_no_update BEFORE UPDATE ON review_audit BEGIN SELECT RAISE(ABORT, 'review_audit is append-only'); END;
CREATE TRIGGER review_audit_no_delete BEFORE DELETE ON review_audit BEGIN SELECT RAISE(ABORT, 'review_audit is append-only'); END;
`},
}
