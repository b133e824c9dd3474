// Package sqlutil holds what the SQL stores of package scheduling
// (sqlitestore and pgstore) share beyond their SQL: how instants are
// stored and what a successful Complete reports back to its caller.
package sqlutil

import (
	"time"

	"github.com/cmkit/cmkit/scheduling"
)

// Nanos stores an instant as UTC unix nanoseconds; the zero time is 0.
// Times between 1678 and 2262 round-trip exactly through FromNanos.
func Nanos(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// FromNanos is the inverse of Nanos, in UTC.
func FromNanos(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}

// Completed sets, on each completion of cs that succeeded (errs[i] nil),
// what the store wrote: its Next target's Version 1 and its audit
// entries' Seq from seqs[i].
func Completed(cs []scheduling.Completion, errs []error, seqs [][]int64) {
	for i := range cs {
		if errs[i] != nil {
			continue
		}
		if cs[i].Next != nil {
			cs[i].Next.Version = 1
		}
		for j := range cs[i].Audit {
			cs[i].Audit[j].Seq = seqs[i][j]
		}
	}
}
