package metrics

import (
	"math"
	"math/bits"
	"slices"
	"time"
)

// ResponseRate returns answered / received: the share of inbound messages
// and mentions that needed an answer and got one (Sprout Social's and
// Hootsuite's response rate). answered cannot exceed received. Zero
// received returns ErrUndefined.
func ResponseRate(answered, received int64) (float64, error) {
	return partRatio("ResponseRate", "answered", answered, "received", received)
}

// Quantile returns the q-quantile of values (q = 0.5 is the median, 0.9
// the 90th percentile) by linear interpolation between closest ranks:
// with the values sorted as x[0..n-1] and h = (n - 1) × q, it returns
// x[⌊h⌋] + (h - ⌊h⌋) × (x[⌊h⌋+1] - x[⌊h⌋]). This is Hyndman and Fan's
// type 7, the default of R's quantile and NumPy's percentile. values is
// not modified. q outside [0, 1] or a NaN or infinite value returns an
// *InputError; no values returns ErrUndefined.
func Quantile(values []float64, q float64) (float64, error) {
	const fn = "Quantile"
	if err := quantileArg(fn, q); err != nil {
		return 0, err
	}
	for i, v := range values {
		if err := finite(fn, indexed("values", i), v); err != nil {
			return 0, err
		}
	}
	if len(values) == 0 {
		return 0, ErrUndefined
	}
	x := slices.Clone(values)
	slices.Sort(x)
	lo, frac := rank(len(x), q)
	if frac == 0 {
		return x[lo], nil
	}
	a, b := x[lo], x[lo+1]
	if d := b - a; !math.IsInf(d, 0) {
		return a + frac*d, nil
	}
	return a*(1-frac) + b*frac, nil // b - a overflowed; both terms are finite
}

func quantileArg(fn string, q float64) error {
	if math.IsNaN(q) || q < 0 || q > 1 {
		return invalid(fn, "q", q, "must be in [0, 1]")
	}
	return nil
}

// rank returns ⌊(n-1)q⌋ and its fractional part (type 7).
func rank(n int, q float64) (int, float64) {
	h := float64(n-1) * q
	lo := math.Floor(h)
	i := int(lo)
	if i >= n-1 {
		return n - 1, 0
	}
	return i, h - lo
}

// sortedDurations validates and returns a sorted copy.
func sortedDurations(fn string, d []time.Duration) ([]time.Duration, error) {
	for i, v := range d {
		if v < 0 {
			return nil, invalid(fn, indexed("durations", i), v.Seconds(), reasonNegative)
		}
	}
	x := slices.Clone(d)
	slices.Sort(x)
	return x, nil
}

func durationQuantile(sorted []time.Duration, q float64) time.Duration {
	lo, frac := rank(len(sorted), q)
	if frac == 0 {
		return sorted[lo]
	}
	a, b := sorted[lo], sorted[lo+1]
	// b - a is non-negative and fits; the interpolated step is at most b - a.
	return a + time.Duration(math.Round(frac*float64(b-a)))
}

// DurationQuantile returns the q-quantile of non-negative durations, by
// the same type 7 interpolation as Quantile, rounded to the nanosecond.
// durations is not modified. A negative duration or q outside [0, 1]
// returns an *InputError; no durations returns ErrUndefined.
func DurationQuantile(durations []time.Duration, q float64) (time.Duration, error) {
	const fn = "DurationQuantile"
	if err := quantileArg(fn, q); err != nil {
		return 0, err
	}
	x, err := sortedDurations(fn, durations)
	if err != nil {
		return 0, err
	}
	if len(x) == 0 {
		return 0, ErrUndefined
	}
	return durationQuantile(x, q), nil
}

// ResponseTimes summarises first-response times.
type ResponseTimes struct {
	// Count is the number of answered items measured.
	Count int
	// Mean is the arithmetic mean, exact to the nanosecond (truncated).
	Mean time.Duration
	// Median is the 0.5 quantile (type 7, see Quantile).
	Median time.Duration
	// P90 is the 0.9 quantile (type 7).
	P90 time.Duration
	// Min and Max are the fastest and slowest first responses.
	Min, Max time.Duration
}

// FirstResponseTimes summarises first-response times, the delay between a
// message's arrival and the brand's first reply (Sprout Social's and
// Zendesk's first response time): mean, median, 90th percentile, min and
// max. Pass answered items only: unanswered ones have no response time
// and are accounted for by ResponseRate and WithinSLA. The mean is
// computed with a 128-bit sum and cannot overflow. durations is not
// modified. A negative duration returns an *InputError; no durations
// returns ErrUndefined.
func FirstResponseTimes(durations []time.Duration) (ResponseTimes, error) {
	const fn = "FirstResponseTimes"
	x, err := sortedDurations(fn, durations)
	if err != nil {
		return ResponseTimes{}, err
	}
	if len(x) == 0 {
		return ResponseTimes{}, ErrUndefined
	}
	var hi, lo uint64
	for _, d := range x {
		var c uint64
		lo, c = bits.Add64(lo, uint64(d), 0)
		hi += c
	}
	mean, _ := bits.Div64(hi, lo, uint64(len(x))) // hi < len(x) since every d < 2^63
	return ResponseTimes{
		Count:  len(x),
		Mean:   time.Duration(mean),
		Median: durationQuantile(x, 0.5),
		P90:    durationQuantile(x, 0.9),
		Min:    x[0],
		Max:    x[len(x)-1],
	}, nil
}

// WithinSLA returns the share of items answered within the service level
// target: #{d ≤ sla} / (len(durations) + unanswered). A response exactly at
// the SLA counts as within. durations are the first-response times of
// answered items; unanswered items count as missed, so pass only those
// whose SLA window has already closed. A negative duration, unanswered
// count or SLA returns an *InputError; no items returns ErrUndefined.
func WithinSLA(durations []time.Duration, unanswered int64, sla time.Duration) (float64, error) {
	const fn = "WithinSLA"
	if sla < 0 {
		return 0, invalid(fn, "sla", sla.Seconds(), reasonNegative)
	}
	if err := count(fn, "unanswered", unanswered); err != nil {
		return 0, err
	}
	var within int64
	for i, d := range durations {
		if d < 0 {
			return 0, invalid(fn, indexed("durations", i), d.Seconds(), reasonNegative)
		}
		if d <= sla {
			within++
		}
	}
	total := float64(len(durations)) + float64(unanswered)
	if total == 0 {
		return 0, ErrUndefined
	}
	return float64(within) / total, nil
}
