package sqlutil

import (
	"errors"
	"testing"
	"time"

	"github.com/cmkit/cmkit/scheduling"
)

func TestNanosRoundTrip(t *testing.T) {
	for _, tm := range []time.Time{
		{},
		time.Date(2026, 3, 29, 1, 30, 0, 123456789, time.UTC),
		time.Date(1700, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(2262, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600)),
	} {
		got := FromNanos(Nanos(tm))
		if !got.Equal(tm) || got.Location() != time.UTC && !tm.IsZero() {
			t.Errorf("FromNanos(Nanos(%v)) = %v", tm, got)
		}
	}
	if Nanos(time.Time{}) != 0 || !FromNanos(0).IsZero() {
		t.Error("the zero time must be stored as 0")
	}
}

func TestCompleted(t *testing.T) {
	cs := []scheduling.Completion{
		{Next: &scheduling.Target{ID: "n"}, Audit: []scheduling.AuditEntry{{}, {}}},
		{Next: &scheduling.Target{ID: "m"}, Audit: []scheduling.AuditEntry{{}}},
	}
	Completed(cs, []error{nil, errors.New("lease lost")}, [][]int64{{7, 8}, nil})
	if cs[0].Next.Version != 1 || cs[0].Audit[0].Seq != 7 || cs[0].Audit[1].Seq != 8 {
		t.Errorf("successful completion not updated: %+v %+v", cs[0].Next, cs[0].Audit)
	}
	if cs[1].Next.Version != 0 || cs[1].Audit[0].Seq != 0 {
		t.Errorf("failed completion updated: %+v %+v", cs[1].Next, cs[1].Audit)
	}
}
