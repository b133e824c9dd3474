// Package sqlutil holds what the SQL stores of package scheduling
// (sqlitestore and pgstore) share beyond their SQL: what a successful
// Complete reports back to its caller. (Instants: package
// internal/nanotime.)
package sqlutil

import (
	"github.com/cmkit/cmkit/scheduling"
)

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
