package migration

import (
	"slices"
	"testing"
)

func TestSplit(t *testing.T) {
	got := Split("CREATE TABLE a (x INTEGER);\n\nCREATE TRIGGER t BEFORE DELETE ON a BEGIN SELECT RAISE(ABORT, 'no'); END;\n  ")
	want := []string{"CREATE TABLE a (x INTEGER)", "CREATE TRIGGER t BEFORE DELETE ON a BEGIN SELECT RAISE(ABORT, 'no'); END"}
	if !slices.Equal(got, want) {
		t.Errorf("Split = %q, want %q", got, want)
	}
	if e := (&NewerError{Found: 3, Known: 2}).Error(); e != "schema version 3 is newer than the 2 this build knows" {
		t.Errorf("NewerError = %q", e)
	}
}
