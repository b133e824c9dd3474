package pgstore

import (
	"context"
	"errors"
	"fmt"

	"github.com/cmkit/cmkit/internal/pgdb"
)

// ErrSchemaTooNew is matched (errors.Is) by the *SchemaVersionError Open
// and New return for a schema written by a newer version of cmkit.
var ErrSchemaTooNew = errors.New("pgstore: database schema is newer than this build")

// SchemaVersionError reports a schema whose version is newer than the
// migrations this build knows: it was written by a newer cmkit, and using
// it could corrupt data the newer code relies on. Upgrade the program, or
// restore a backup taken before the upgrade.
type SchemaVersionError struct {
	// Schema is the PostgreSQL schema of the store.
	Schema string
	// Found is the schema version recorded in the database; Known the
	// newest version this build can migrate to.
	Found, Known int
}

// Error explains the mismatch and what to do.
func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("pgstore: schema %q is at version %d but this build knows versions up to %d: "+
		"it was written by a newer cmkit; upgrade the program or restore a backup", e.Schema, e.Found, e.Known)
}

// Is makes errors.Is(err, ErrSchemaTooNew) true.
func (e *SchemaVersionError) Is(target error) bool { return target == ErrSchemaTooNew }

// SchemaVersion is the schema version this build creates and migrates to.
func SchemaVersion() int { return len(migrations) }

// migrate brings the schema to the newest version and refuses one at a
// newer version than it knows (see package internal/pgdb: an up-to-date
// schema is only read; otherwise the missing migrations run in one
// transaction under an advisory lock on the schema's name).
func (s *Store) migrate(ctx context.Context) error {
	err := pgdb.Migrate(ctx, s.pool, s.schema, "schema_migrations", "github.com/cmkit/cmkit/scheduling/pgstore", migrations)
	var newer *pgdb.NewerError
	if errors.As(err, &newer) {
		return &SchemaVersionError{Schema: s.schema.Name, Found: newer.Found, Known: newer.Known}
	}
	if err != nil {
		return fmt.Errorf("pgstore: %w", err)
	}
	return nil
}
