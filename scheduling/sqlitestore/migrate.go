package sqlitestore

import (
	"errors"
	"fmt"
)

// ErrSchemaTooNew is matched (errors.Is) by the *SchemaVersionError Open
// returns for a database written by a newer version of cmkit.
var ErrSchemaTooNew = errors.New("sqlitestore: database schema is newer than this build")

// SchemaVersionError reports a database whose schema version is newer than
// the migrations this build knows: it was written by a newer cmkit, and
// opening it could corrupt data the newer code relies on. Upgrade the
// program, or restore a backup taken before the upgrade.
type SchemaVersionError struct {
	// Path is the database file.
	Path string
	// Found is the schema version recorded in the database; Known the
	// newest version this build can migrate to.
	Found, Known int
}

// Error explains the mismatch and what to do.
func (e *SchemaVersionError) Error() string {
	return fmt.Sprintf("sqlitestore: %s is at schema version %d but this build knows versions up to %d: "+
		"it was written by a newer cmkit; upgrade the program or restore a backup", e.Path, e.Found, e.Known)
}

// Is makes errors.Is(err, ErrSchemaTooNew) true.
func (e *SchemaVersionError) Is(target error) bool { return target == ErrSchemaTooNew }

// SchemaVersion is the schema version this build creates and migrates to.
func SchemaVersion() int { return len(migrations) }
