// Package nanotime is how cmkit's SQL stores keep instants: UTC unix
// nanoseconds in a 64-bit integer, the zero time as 0. Times between 1678
// and 2262 round-trip exactly, with no time zone to lose and integer
// comparisons in indexes.
package nanotime

import "time"

// Of returns t as UTC unix nanoseconds; the zero time is 0.
func Of(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixNano()
}

// Time is the inverse of Of, in UTC.
func Time(n int64) time.Time {
	if n == 0 {
		return time.Time{}
	}
	return time.Unix(0, n).UTC()
}
