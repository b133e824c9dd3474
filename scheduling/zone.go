package scheduling

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
)

// Resolve returns the instant at which the wall clock of loc reads c, by
// the rules of RFC 5545 (iCalendar) for times that do not exist or exist
// twice:
//
//   - In a spring-forward gap (02:30 on 2026-03-29 in Europe/Paris, where
//     clocks jump from 02:00 to 03:00), c is read with the offset in force
//     before the gap, so it shifts forward by the gap's length: 02:30
//     becomes 03:30 CEST. shifted is true.
//   - In a fall-back overlap (02:30 on 2026-10-25 in Europe/Paris happens
//     at 00:30 and at 01:30 UTC), the first occurrence is taken.
func Resolve(c Civil, loc *time.Location) (t time.Time, shifted bool) {
	naive := time.Date(c.Year, c.Month, c.Day, c.Hour, c.Minute, c.Second, 0, time.UTC)
	// The offsets in force a day either side: zone transitions are never
	// closer than that in the tz database.
	offsets := []int{offsetAt(naive.Add(-26*time.Hour), loc), offsetAt(naive, loc), offsetAt(naive.Add(26*time.Hour), loc)}
	var best time.Time
	for _, off := range offsets {
		cand := naive.Add(-time.Duration(off) * time.Second).In(loc)
		if CivilOf(cand) == c && (best.IsZero() || cand.Before(best)) {
			best = cand
		}
	}
	if !best.IsZero() {
		return best, false
	}
	// A gap: use the offset before it.
	return naive.Add(-time.Duration(offsets[0]) * time.Second).In(loc), true
}

func offsetAt(t time.Time, loc *time.Location) int {
	_, off := t.In(loc).Zone()
	return off
}

// Schedule is an account's weekly posting slots in its time zone.
type Schedule struct {
	// Zone is the IANA zone the slots are read in.
	Zone *time.Location
	// Slots are sorted by weekday (Sunday first) and time, without
	// duplicates.
	Slots []Slot
}

// String formats the schedule as ParseSlots reads it, one group per
// weekday: "Mon 09:30 and 18:00; Tue 09:30 Europe/Paris".
func (s Schedule) String() string {
	var b strings.Builder
	for i := 0; i < len(s.Slots); {
		j := i
		for j < len(s.Slots) && s.Slots[j].Weekday == s.Slots[i].Weekday {
			j++
		}
		if b.Len() > 0 {
			b.WriteString("; ")
		}
		b.WriteString(s.Slots[i].Weekday.String()[:3])
		for k := i; k < j; k++ {
			if k > i {
				b.WriteString(" and")
			}
			fmt.Fprintf(&b, " %02d:%02d", s.Slots[k].Hour, s.Slots[k].Minute)
		}
		i = j
	}
	if s.Zone != nil {
		b.WriteString(" " + s.Zone.String())
	}
	return b.String()
}

// Next returns the first slot instant strictly after t, resolved with
// Resolve (a slot in a spring-forward gap fires at the shifted time, one
// in a fall-back overlap once, at its first occurrence), and its wall
// time. ok is false when there are no slots.
func (s Schedule) Next(t time.Time) (at time.Time, local Civil, ok bool) {
	if len(s.Slots) == 0 {
		return time.Time{}, Civil{}, false
	}
	loc := s.Zone
	if loc == nil {
		loc = time.UTC
	}
	lt := t.In(loc)
	day := time.Date(lt.Year(), lt.Month(), lt.Day(), 12, 0, 0, 0, time.UTC)
	// Look a day back too: a slot shifted forward past midnight could
	// fall after t.
	for i := -1; i <= 8; i++ {
		d := day.AddDate(0, 0, i)
		for _, sl := range s.Slots {
			if sl.Weekday != d.Weekday() {
				continue
			}
			c := Civil{d.Year(), d.Month(), d.Day(), sl.Hour, sl.Minute, 0}
			inst, _ := Resolve(c, loc)
			if inst.After(t) {
				return inst, c, true
			}
		}
	}
	return time.Time{}, Civil{}, false
}

var dayNames = map[string]time.Weekday{
	"sun": time.Sunday, "sunday": time.Sunday, "dim": time.Sunday, "dimanche": time.Sunday,
	"mon": time.Monday, "monday": time.Monday, "lun": time.Monday, "lundi": time.Monday,
	"tue": time.Tuesday, "tues": time.Tuesday, "tuesday": time.Tuesday, "mar": time.Tuesday, "mardi": time.Tuesday,
	"wed": time.Wednesday, "wednesday": time.Wednesday, "mer": time.Wednesday, "mercredi": time.Wednesday,
	"thu": time.Thursday, "thur": time.Thursday, "thurs": time.Thursday, "thursday": time.Thursday, "jeu": time.Thursday, "jeudi": time.Thursday,
	"fri": time.Friday, "friday": time.Friday, "ven": time.Friday, "vendredi": time.Friday,
	"sat": time.Saturday, "saturday": time.Saturday, "sam": time.Saturday, "samedi": time.Saturday,
}

// ErrSlotSyntax is matched (errors.Is) by every error of ParseSlots.
var ErrSlotSyntax = errors.New("scheduling: invalid slot syntax")

// SlotSyntaxError says where a schedule could not be parsed.
type SlotSyntaxError struct {
	Input  string
	Token  string
	Reason string
}

// Error returns the reason with the offending token.
func (e *SlotSyntaxError) Error() string {
	if e.Token == "" {
		return fmt.Sprintf("scheduling: schedule %q: %s", e.Input, e.Reason)
	}
	return fmt.Sprintf("scheduling: schedule %q: %q: %s", e.Input, e.Token, e.Reason)
}

// Is matches ErrSlotSyntax.
func (e *SlotSyntaxError) Is(target error) bool { return target == ErrSlotSyntax }

// ParseSlots reads weekly slots as a community manager writes them:
//
//	Mon-Fri 09:30 and 18:00 Europe/Paris
//	Mon,Wed,Fri 08:00; Sat-Sun 10:30 America/New_York
//	weekdays 9h30, 18h; weekends 11:00 UTC
//	lun-ven 9h30 et 18h Europe/Paris
//
// Groups are separated by ';'. A group is a list of days (English or
// French names or three-letter abbreviations, ranges such as Mon-Fri or
// Fri-Mon that wrap over the weekend, "daily", "weekdays", "weekends";
// separated by ',') followed by times (15:04, 9:30, 9h30, 18h; separated
// by "and", "et" or ','). The last word, when it names an IANA zone (it
// contains '/' or is "UTC"), is the zone of every group; the default is
// UTC. Errors match ErrSlotSyntax and name the offending word.
func ParseSlots(spec string) (Schedule, error) {
	bad := func(tok, reason string) (Schedule, error) {
		return Schedule{}, &SlotSyntaxError{Input: spec, Token: tok, Reason: reason}
	}
	if len(spec) > 4096 {
		return bad("", "longer than 4096 bytes")
	}
	fields := strings.FieldsFunc(spec, unicode.IsSpace)
	sched := Schedule{Zone: time.UTC}
	if n := len(fields); n > 0 {
		last := fields[n-1]
		if strings.Contains(last, "/") || strings.EqualFold(last, "UTC") {
			loc, err := time.LoadLocation(last)
			if err != nil || strings.EqualFold(last, "local") {
				return bad(last, "unknown time zone (want an IANA name such as Europe/Paris)")
			}
			sched.Zone = loc
			fields = fields[:n-1]
		}
	}
	rest := strings.Join(fields, " ")
	if strings.TrimSpace(rest) == "" {
		return bad("", "no slots (want e.g. \"Mon-Fri 09:30 and 18:00 Europe/Paris\")")
	}
	seen := map[Slot]bool{}
	for _, group := range strings.Split(rest, ";") {
		toks := strings.FieldsFunc(group, func(r rune) bool { return unicode.IsSpace(r) || r == ',' })
		if len(toks) == 0 {
			return bad(group, "empty group between ';'")
		}
		var days []time.Weekday
		i := 0
		for ; i < len(toks); i++ {
			ds, ok, err := parseDays(toks[i])
			if err != nil {
				return bad(toks[i], err.Error())
			}
			if !ok {
				break
			}
			days = append(days, ds...)
		}
		if len(days) == 0 {
			return bad(toks[0], "expected days (Mon-Fri, weekdays, daily...) before times")
		}
		ntimes := 0
		for ; i < len(toks); i++ {
			tok := toks[i]
			if l := strings.ToLower(tok); l == "and" || l == "et" || l == "&" {
				continue
			}
			h, m, err := parseClock(tok)
			if err != nil {
				return bad(tok, err.Error())
			}
			ntimes++
			for _, d := range days {
				s := Slot{Weekday: d, Hour: h, Minute: m}
				if !seen[s] {
					seen[s] = true
					sched.Slots = append(sched.Slots, s)
				}
			}
		}
		if ntimes == 0 {
			return bad(strings.TrimSpace(group), "no time after the days (want e.g. 09:30)")
		}
	}
	slices.SortFunc(sched.Slots, compareSlots)
	return sched, nil
}

func compareSlots(a, b Slot) int {
	if a.Weekday != b.Weekday {
		return int(a.Weekday) - int(b.Weekday)
	}
	return (a.Hour*60 + a.Minute) - (b.Hour*60 + b.Minute)
}

// parseDays reads a day, a range or a keyword. ok is false when tok is
// not a day word (it is a time).
func parseDays(tok string) (days []time.Weekday, ok bool, err error) {
	l := strings.ToLower(tok)
	switch l {
	case "daily", "everyday", "tous-les-jours":
		return []time.Weekday{0, 1, 2, 3, 4, 5, 6}, true, nil
	case "weekdays", "semaine":
		return []time.Weekday{1, 2, 3, 4, 5}, true, nil
	case "weekends", "weekend", "week-end":
		return []time.Weekday{6, 0}, true, nil
	}
	if d, ok := dayNames[l]; ok {
		return []time.Weekday{d}, true, nil
	}
	from, to, isRange := strings.Cut(l, "-")
	if !isRange {
		if len(l) > 0 && (l[0] < '0' || l[0] > '9') {
			return nil, false, errors.New("unknown day (want Mon, Tue... or lun, mar...)")
		}
		return nil, false, nil
	}
	a, ok1 := dayNames[from]
	b, ok2 := dayNames[to]
	if !ok1 || !ok2 {
		return nil, false, errors.New("unknown day range (want e.g. Mon-Fri)")
	}
	for d := a; ; d = (d + 1) % 7 {
		days = append(days, d)
		if d == b {
			break
		}
	}
	return days, true, nil
}

// parseClock reads 09:30, 9:30, 9h30, 9h or 18H.
func parseClock(tok string) (h, m int, err error) {
	l := strings.ToLower(tok)
	hs, ms, found := strings.Cut(l, ":")
	if !found {
		hs, ms, found = strings.Cut(l, "h")
	}
	if !found {
		return 0, 0, errors.New("not a time (want 09:30, 9h30 or 18h)")
	}
	if found && ms == "" && !strings.Contains(l, ":") {
		ms = "00"
	}
	if len(hs) < 1 || len(hs) > 2 || len(ms) != 2 {
		return 0, 0, errors.New("not a time (want 09:30, 9h30 or 18h)")
	}
	h, err1 := strconv.Atoi(hs)
	m, err2 := strconv.Atoi(ms)
	if err1 != nil || err2 != nil || hs[0] == '+' || hs[0] == '-' || ms[0] == '+' || ms[0] == '-' {
		return 0, 0, errors.New("not a time (want 09:30, 9h30 or 18h)")
	}
	if h > 23 || m > 59 {
		return 0, 0, errors.New("hour must be 0-23 and minute 0-59")
	}
	return h, m, nil
}
