package pgdb

import "testing"

func TestSchema(t *testing.T) {
	s := NewSchema(`we"ird`)
	if s.Ident != `"we""ird"` {
		t.Errorf("Ident = %s", s.Ident)
	}
	if got := s.Q(`SELECT 1 FROM {s}.t JOIN {s}.u`); got != `SELECT 1 FROM "we""ird".t JOIN "we""ird".u` {
		t.Errorf("Q = %s", got)
	}
}

// The advisory lock key must not change between releases: an older and a
// newer build migrating one schema at once must queue on the same lock.
func TestLockKeyIsStable(t *testing.T) {
	a := lockKey("github.com/cmkit/cmkit/scheduling/pgstore", "cmkit_scheduling")
	if a == lockKey("github.com/cmkit/cmkit/moderation/pgqueue", "cmkit_scheduling") {
		t.Error("two stores sharing a schema share a migration lock")
	}
	// The value pgstore has used since its first release.
	if a != 8335803157679433968 {
		t.Errorf("pgstore's lock key changed: %d", a)
	}
}
