package sqlutil

import (
	"errors"
	"testing"

	"github.com/cmkit/cmkit/scheduling"
)

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
