package scheduling

import (
	"cmp"
	"context"
	"math"
	"slices"
	"time"

	"github.com/cmkit/cmkit/metrics"
)

// PastPost is one published post's outcome, the input of SuggestTimes.
type PastPost struct {
	// At is when it was published.
	At time.Time
	// Impressions and Engagements are its counters (engagements by
	// impressions is the rate compared).
	Impressions int64
	Engagements int64
}

// SuggestOptions tune SuggestTimes. The zero value gives the defaults.
type SuggestOptions struct {
	// Zone is the zone whose weekdays and hours are compared. Defaults to
	// UTC.
	Zone *time.Location
	// MinPosts is the fewest posts a weekday-hour needs to be suggested
	// from data. Defaults to 5.
	MinPosts int
	// Confidence is the level of the Wilson interval whose lower bound
	// ranks the hours. Defaults to 0.95.
	Confidence float64
	// Limit is how many suggestions to return. Defaults to 3.
	Limit int
	// Fallback are the configured slots suggested, in order, when the
	// data gives fewer than Limit hours.
	Fallback []Slot
}

// Suggestion is a suggested weekly posting time.
type Suggestion struct {
	// Slot is the weekday and hour (minute 0 for hours from data).
	Slot Slot
	// FromData says the suggestion comes from past engagement; false for
	// a fallback slot.
	FromData bool
	// Posts, Impressions and Engagements are the hour's totals.
	Posts       int
	Impressions int64
	Engagements int64
	// Rate is engagements / impressions; Lower the Wilson lower bound of
	// the rate at the chosen confidence, which ranks the hours (an hour
	// with few impressions is not ranked first on luck).
	Rate  float64
	Lower float64
	// PValue is the two-sided p-value of a two-proportion z-test of the
	// hour against all other hours; NaN when undefined.
	PValue float64
}

type bucket struct {
	posts    int
	imp, eng int64
}

// SuggestTimes suggests the best weekday-hours to post from past posts:
// each weekday-hour (in opts.Zone) with at least MinPosts posts is ranked
// by the Wilson lower bound of its engagement rate (metrics.WilsonInterval;
// engagements above impressions count as impressions), and compared with
// the other hours by metrics.TwoProportionZTest. When data is thin (fewer
// than Limit hours qualify), the configured Fallback slots fill the list.
// Negative counters or an invalid confidence return an error matching
// ErrInvalid.
func SuggestTimes(past []PastPost, opts SuggestOptions) ([]Suggestion, error) {
	if opts.Zone == nil {
		opts.Zone = time.UTC
	}
	if opts.MinPosts <= 0 {
		opts.MinPosts = 5
	}
	if opts.Confidence == 0 {
		opts.Confidence = 0.95
	}
	if opts.Limit <= 0 {
		opts.Limit = 3
	}
	if !(opts.Confidence > 0 && opts.Confidence < 1) {
		return nil, invalid("confidence %v must be in (0, 1)", opts.Confidence)
	}
	var buckets [7 * 24]bucket
	var totalImp, totalEng int64
	for i, p := range past {
		if p.Impressions < 0 || p.Engagements < 0 {
			return nil, invalid("past post %d has negative counters", i)
		}
		eng := min(p.Engagements, p.Impressions)
		t := p.At.In(opts.Zone)
		b := &buckets[int(t.Weekday())*24+t.Hour()]
		b.posts++
		b.imp += p.Impressions
		b.eng += eng
		totalImp += p.Impressions
		totalEng += eng
	}
	var out []Suggestion
	for i, b := range buckets {
		if b.posts < opts.MinPosts || b.imp == 0 {
			continue
		}
		iv, err := metrics.WilsonInterval(b.eng, b.imp, opts.Confidence)
		if err != nil {
			return nil, invalid("%v", err)
		}
		s := Suggestion{Slot: Slot{Weekday: time.Weekday(i / 24), Hour: i % 24}, FromData: true, Posts: b.posts,
			Impressions: b.imp, Engagements: b.eng, Rate: float64(b.eng) / float64(b.imp), Lower: iv.Lower, PValue: math.NaN()}
		if z, err := metrics.TwoProportionZTest(b.eng, b.imp, totalEng-b.eng, totalImp-b.imp); err == nil {
			s.PValue = z.PValue
		}
		out = append(out, s)
	}
	slices.SortStableFunc(out, func(a, b Suggestion) int {
		if c := cmp.Compare(b.Lower, a.Lower); c != 0 {
			return c
		}
		return compareSlots(a.Slot, b.Slot)
	})
	if len(out) > opts.Limit {
		out = out[:opts.Limit]
	}
	for _, sl := range opts.Fallback {
		if len(out) >= opts.Limit {
			break
		}
		dup := slices.ContainsFunc(out, func(s Suggestion) bool {
			return s.Slot.Weekday == sl.Weekday && s.Slot.Hour == sl.Hour
		})
		if !dup {
			out = append(out, Suggestion{Slot: sl, PValue: math.NaN()})
		}
	}
	return out, nil
}

// SuggestSlots is SuggestTimes for an account: hours in the account's
// zone, its configured slots as the fallback.
func (s *Scheduler) SuggestSlots(ctx context.Context, accountID string, past []PastPost, opts SuggestOptions) ([]Suggestion, error) {
	st, err := s.Account(ctx, accountID)
	if err != nil {
		return nil, err
	}
	if opts.Zone == nil {
		if opts.Zone, err = s.location(st.Zone); err != nil {
			return nil, err
		}
	}
	if opts.Fallback == nil {
		opts.Fallback = st.Slots
	}
	return SuggestTimes(past, opts)
}
