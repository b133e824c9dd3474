// Package migration holds what the SQL schema migrations of cmkit's stores
// have in common whatever the database (internal/sqlitedb,
// internal/pgdb): the step, the error for a schema written by a newer
// build, and how a step's script is split into statements.
package migration

import (
	"fmt"
	"strings"
)

// Step is one schema migration. Versions start at 1 and follow each
// other; a released step is never edited, only followed by a new one.
type Step struct {
	Version int
	Name    string
	// SQL holds statements each ending with ";" at the end of a line
	// (Split); a statement must not hold ";\n" inside (write trigger and
	// function bodies on one line). The PostgreSQL stores write "{s}" for
	// their quoted schema name.
	SQL string
}

// NewerError is the error for a schema whose version is newer than the
// steps a build knows: a newer build wrote it. Stores turn it into their
// own typed error (errors.As).
type NewerError struct {
	// Found is the version recorded in the database; Known the newest
	// this build knows.
	Found, Known int
}

// Error says which version was found and which this build knows.
func (e *NewerError) Error() string {
	return fmt.Sprintf("schema version %d is newer than the %d this build knows", e.Found, e.Known)
}

// Split splits a step's script on semicolons that end a line, so that
// each statement runs, and fails, on its own.
func Split(script string) []string {
	var out []string
	for _, s := range strings.Split(script, ";\n") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}
