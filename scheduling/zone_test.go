package scheduling_test

import (
	"errors"
	"io"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/scheduling"
)

func utc(y int, m time.Month, d, h, mi int) time.Time {
	return time.Date(y, m, d, h, mi, 0, 0, time.UTC)
}

func TestResolveDST(t *testing.T) {
	tests := []struct {
		name    string
		zone    string
		local   scheduling.Civil
		want    time.Time
		shifted bool
	}{
		{"Paris spring 02:30 shifts to 03:30 CEST", "Europe/Paris", scheduling.Civil{Year: 2026, Month: 3, Day: 29, Hour: 2, Minute: 30}, utc(2026, 3, 29, 1, 30), true},
		{"Paris spring 01:30 CET", "Europe/Paris", scheduling.Civil{Year: 2026, Month: 3, Day: 29, Hour: 1, Minute: 30}, utc(2026, 3, 29, 0, 30), false},
		{"Paris spring 03:00 CEST", "Europe/Paris", scheduling.Civil{Year: 2026, Month: 3, Day: 29, Hour: 3}, utc(2026, 3, 29, 1, 0), false},
		{"Paris autumn 02:30 first occurrence CEST", "Europe/Paris", scheduling.Civil{Year: 2026, Month: 10, Day: 25, Hour: 2, Minute: 30}, utc(2026, 10, 25, 0, 30), false},
		{"Paris autumn 01:30 CEST", "Europe/Paris", scheduling.Civil{Year: 2026, Month: 10, Day: 25, Hour: 1, Minute: 30}, utc(2026, 10, 24, 23, 30), false},
		{"New York spring 02:30 shifts to 03:30 EDT", "America/New_York", scheduling.Civil{Year: 2026, Month: 3, Day: 8, Hour: 2, Minute: 30}, utc(2026, 3, 8, 7, 30), true},
		{"New York spring 01:30 EST", "America/New_York", scheduling.Civil{Year: 2026, Month: 3, Day: 8, Hour: 1, Minute: 30}, utc(2026, 3, 8, 6, 30), false},
		{"New York autumn 01:30 first occurrence EDT", "America/New_York", scheduling.Civil{Year: 2026, Month: 11, Day: 1, Hour: 1, Minute: 30}, utc(2026, 11, 1, 5, 30), false},
		{"New York autumn 02:30 EST", "America/New_York", scheduling.Civil{Year: 2026, Month: 11, Day: 1, Hour: 2, Minute: 30}, utc(2026, 11, 1, 7, 30), false},
		{"UTC", "UTC", scheduling.Civil{Year: 2026, Month: 3, Day: 29, Hour: 2, Minute: 30}, utc(2026, 3, 29, 2, 30), false},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			loc, err := time.LoadLocation(tc.zone)
			require.NoError(t, err)
			got, shifted := scheduling.Resolve(tc.local, loc)
			require.Equal(t, tc.want, got.UTC())
			require.Equal(t, tc.shifted, shifted)
		})
	}
}

func TestScheduleNextAcrossDST(t *testing.T) {
	tests := []struct {
		name  string
		spec  string
		after time.Time
		want  []time.Time // the next instants, in order
	}{
		{"Paris daily 02:30 over spring forward", "daily 02:30 Europe/Paris", utc(2026, 3, 27, 12, 0),
			[]time.Time{utc(2026, 3, 28, 1, 30), utc(2026, 3, 29, 1, 30) /* 03:30 CEST */, utc(2026, 3, 30, 0, 30)}},
		{"Paris daily 01:30 over spring forward", "daily 01:30 Europe/Paris", utc(2026, 3, 28, 12, 0),
			[]time.Time{utc(2026, 3, 29, 0, 30), utc(2026, 3, 29, 23, 30)}},
		{"Paris daily 02:30 over fall back fires once", "daily 02:30 Europe/Paris", utc(2026, 10, 24, 12, 0),
			[]time.Time{utc(2026, 10, 25, 0, 30), utc(2026, 10, 26, 1, 30)}},
		{"Paris daily 01:30 over fall back", "daily 01:30 Europe/Paris", utc(2026, 10, 24, 12, 0),
			[]time.Time{utc(2026, 10, 24, 23, 30), utc(2026, 10, 26, 0, 30)}},
		{"New York daily 02:30 over spring forward", "daily 02:30 America/New_York", utc(2026, 3, 7, 12, 0),
			[]time.Time{utc(2026, 3, 8, 7, 30) /* 03:30 EDT */, utc(2026, 3, 9, 6, 30)}},
		{"New York daily 01:30 over spring forward", "daily 01:30 America/New_York", utc(2026, 3, 7, 12, 0),
			[]time.Time{utc(2026, 3, 8, 6, 30), utc(2026, 3, 9, 5, 30)}},
		{"New York daily 01:30 over fall back fires once", "daily 01:30 America/New_York", utc(2026, 10, 31, 12, 0),
			[]time.Time{utc(2026, 11, 1, 5, 30), utc(2026, 11, 2, 6, 30)}},
		{"New York daily 02:30 over fall back", "daily 02:30 America/New_York", utc(2026, 10, 31, 12, 0),
			[]time.Time{utc(2026, 11, 1, 7, 30), utc(2026, 11, 2, 7, 30)}},
		{"weekdays only", "Mon-Fri 09:30 and 18:00 Europe/Paris", utc(2026, 3, 27, 17, 0), /* Fri 18:00 CET */
			[]time.Time{utc(2026, 3, 30, 7, 30) /* Mon 09:30 CEST */, utc(2026, 3, 30, 16, 0)}},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			s, err := scheduling.ParseSlots(tc.spec)
			require.NoError(t, err)
			at := tc.after
			for _, want := range tc.want {
				next, _, ok := s.Next(at)
				require.True(t, ok)
				require.Equal(t, want, next.UTC())
				at = next
			}
		})
	}
}

func TestQueueOnDSTDay(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	h.clock.Set(utc(2026, 3, 28, 12, 0))
	s, err := scheduling.ParseSlots("daily 02:30 Europe/Paris")
	require.NoError(t, err)
	require.NoError(t, h.sched.SetSchedule(h.ctx, cm, "brand", s))
	_, a := h.create("a", scheduling.TargetSpec{AccountID: "brand", Queue: true})
	_, b := h.create("b", scheduling.TargetSpec{AccountID: "brand", Queue: true})
	require.Equal(t, utc(2026, 3, 29, 1, 30), a[0].Due.UTC(), "02:30 does not exist: 03:30 CEST")
	require.Equal(t, scheduling.Civil{Year: 2026, Month: 3, Day: 29, Hour: 2, Minute: 30}, a[0].Local)
	require.Equal(t, utc(2026, 3, 30, 0, 30), b[0].Due.UTC())
	h.clock.Set(utc(2026, 3, 29, 1, 29))
	require.Zero(t, h.runDue())
	h.clock.Set(utc(2026, 3, 29, 1, 30))
	require.Equal(t, 1, h.runDue())
	require.Equal(t, scheduling.Published, h.target(a[0].ID).State)
}

func TestParseSlots(t *testing.T) {
	paris, _ := time.LoadLocation("Europe/Paris")
	tests := []struct {
		spec  string
		zone  *time.Location
		slots []scheduling.Slot
	}{
		{"Mon-Fri 09:30 and 18:00 Europe/Paris", paris, []scheduling.Slot{
			{Weekday: 1, Hour: 9, Minute: 30}, {Weekday: 1, Hour: 18}, {Weekday: 2, Hour: 9, Minute: 30}, {Weekday: 2, Hour: 18},
			{Weekday: 3, Hour: 9, Minute: 30}, {Weekday: 3, Hour: 18}, {Weekday: 4, Hour: 9, Minute: 30}, {Weekday: 4, Hour: 18},
			{Weekday: 5, Hour: 9, Minute: 30}, {Weekday: 5, Hour: 18}}},
		{"lun,mer 9h30 et 18h; dimanche 11h Europe/Paris", paris, []scheduling.Slot{
			{Weekday: 0, Hour: 11}, {Weekday: 1, Hour: 9, Minute: 30}, {Weekday: 1, Hour: 18}, {Weekday: 3, Hour: 9, Minute: 30}, {Weekday: 3, Hour: 18}}},
		{"Fri-Mon 08:00", time.UTC, []scheduling.Slot{{Weekday: 0, Hour: 8}, {Weekday: 1, Hour: 8}, {Weekday: 5, Hour: 8}, {Weekday: 6, Hour: 8}}},
		{"weekends 10:00, 9:05 UTC", time.UTC, []scheduling.Slot{{Weekday: 0, Hour: 9, Minute: 5}, {Weekday: 0, Hour: 10}, {Weekday: 6, Hour: 9, Minute: 5}, {Weekday: 6, Hour: 10}}},
		{"Mon 09:00; Mon 09:00", time.UTC, []scheduling.Slot{{Weekday: 1, Hour: 9}}},
	}
	for _, tc := range tests {
		t.Run(tc.spec, func(t *testing.T) {
			s, err := scheduling.ParseSlots(tc.spec)
			require.NoError(t, err)
			require.Equal(t, tc.zone.String(), s.Zone.String())
			require.Equal(t, tc.slots, s.Slots)
			again, err := scheduling.ParseSlots(s.String())
			require.NoError(t, err, s.String())
			require.Equal(t, s.Slots, again.Slots)
		})
	}
	bad := []struct{ spec, token string }{
		{"", ""},
		{"09:30", "09:30"},
		{"Mon", "Mon"},
		{"Mon 25:00", "25:00"},
		{"Mon 9:7", "9:7"},
		{"Funday 09:00", "Funday"},
		{"Mon-Xyz 09:00", "Mon-Xyz"},
		{"Mon 09:00 Mars/Olympus", "Mars/Olympus"},
		{"Mon 09:00;; Tue 10:00", ""},
		{"Mon 09:00 and noon", "noon"},
	}
	for _, tc := range bad {
		t.Run("bad "+tc.spec, func(t *testing.T) {
			_, err := scheduling.ParseSlots(tc.spec)
			require.ErrorIs(t, err, scheduling.ErrSlotSyntax)
			var se *scheduling.SlotSyntaxError
			require.True(t, errors.As(err, &se))
			if tc.token != "" {
				require.Equal(t, tc.token, se.Token)
			}
		})
	}
}

func FuzzParseSlots(f *testing.F) {
	for _, s := range []string{"Mon-Fri 09:30 and 18:00 Europe/Paris", "lun-ven 9h30 et 18h", "daily 00:00 UTC",
		"Sat-Sun 23:59; Mon 0:00 America/New_York", "Mon 9h", "weekends 10:00, 11:00", "Fri-Mon 08:00 Asia/Kolkata"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, spec string) {
		s, err := scheduling.ParseSlots(spec)
		if err != nil {
			if !errors.Is(err, scheduling.ErrSlotSyntax) {
				t.Fatalf("error %v does not match ErrSlotSyntax", err)
			}
			return
		}
		if len(s.Slots) == 0 {
			t.Fatalf("no error and no slots for %q", spec)
		}
		for _, sl := range s.Slots {
			if sl.Hour < 0 || sl.Hour > 23 || sl.Minute < 0 || sl.Minute > 59 || sl.Weekday < 0 || sl.Weekday > 6 {
				t.Fatalf("bad slot %+v from %q", sl, spec)
			}
		}
		again, err := scheduling.ParseSlots(s.String())
		if err != nil || len(again.Slots) != len(s.Slots) {
			t.Fatalf("round trip of %q via %q: %v", spec, s.String(), err)
		}
		next, _, ok := s.Next(time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC))
		if !ok || next.Before(time.Date(2026, 3, 28, 23, 0, 0, 0, time.UTC)) {
			t.Fatalf("Next went backwards for %q", spec)
		}
	})
}

func FuzzParseCivil(f *testing.F) {
	for _, s := range []string{"2026-03-29T02:30", "2026-10-25 02:30:00", "2026-02-30T10:00", "x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, err := scheduling.ParseCivil(s)
		if err != nil {
			return
		}
		again, err := scheduling.ParseCivil(c.String())
		if err != nil || again != c {
			t.Fatalf("round trip of %q: %v %v", s, again, err)
		}
	})
}

func TestPostJSONRoundTrip(t *testing.T) {
	p := &scheduling.Post{ID: "p1", Version: 3, Content: connectors.Post{Text: "Bonjour", Media: []connectors.Media{{Kind: connectors.MediaImage, MIMEType: "image/png", Data: []byte("png"), AltText: "logo"}},
		Thread: []connectors.Post{{Text: "2/2"}}}, Variants: []connectors.Post{{Text: "Salut"}},
		Approval: scheduling.Approval{Roles: []string{"lead"}}, Recurrence: scheduling.Recurrence{EveryDays: 7}, CreatedBy: "camille", CreatedAt: monday}
	b, err := p.MarshalJSON()
	require.NoError(t, err)
	var q scheduling.Post
	require.NoError(t, q.UnmarshalJSON(b))
	require.Equal(t, p, &q)
	p.Content.Media[0].Data = nil
	p.Content.Media[0].Open = func() (io.ReadCloser, error) { return nil, nil }
	_, err = p.MarshalJSON()
	require.Error(t, err, "media only readable through Open cannot be stored")
}
