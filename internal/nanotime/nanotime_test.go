package nanotime

import (
	"testing"
	"time"
)

func TestRoundTrip(t *testing.T) {
	for _, tm := range []time.Time{
		time.Date(2026, 3, 29, 1, 30, 0, 123456789, time.UTC),
		time.Date(1700, 1, 1, 0, 0, 0, 1, time.UTC),
		time.Date(2262, 1, 1, 0, 0, 0, 0, time.FixedZone("x", 3600)),
	} {
		if got := Time(Of(tm)); !got.Equal(tm) || got.Location() != time.UTC {
			t.Errorf("Time(Of(%v)) = %v", tm, got)
		}
	}
	if Of(time.Time{}) != 0 || !Time(0).IsZero() {
		t.Error("the zero time must be stored as 0")
	}
}
