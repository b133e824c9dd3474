package metrics

import (
	"errors"
	"fmt"
	"math"
	"strconv"
)

// ErrUndefined is returned, with a zero value, when a metric's denominator
// is zero: an engagement rate with no impressions, a growth rate from zero
// followers, the mean of an empty set. Test for it with errors.Is.
var ErrUndefined = errors.New("metrics: undefined: zero denominator")

// ErrInvalidInput matches, through errors.Is, every *InputError.
var ErrInvalidInput = errors.New("metrics: invalid input")

// InputError describes an argument a function rejected: a negative count,
// a NaN or infinite float, a probability outside its range, slices of
// different lengths. Its Is method reports true for ErrInvalidInput.
type InputError struct {
	// Func is the function or method that rejected the input,
	// e.g. "EngagementRate" or "Aggregator.Add".
	Func string
	// Field names the offending argument or struct field, with an index
	// for slice elements, e.g. "impressions" or "scores[3]".
	Field string
	// Value is the rejected value. For a non-numeric field (an empty
	// network name, a zero time) it is 0 and Reason says what is wrong.
	Value float64
	// Reason says what is wrong, e.g. "must not be negative".
	Reason string
}

// Error implements the error interface.
func (e *InputError) Error() string {
	return "metrics: " + e.Func + ": invalid " + e.Field + " (" +
		strconv.FormatFloat(e.Value, 'g', -1, 64) + "): " + e.Reason
}

// Is reports whether target is ErrInvalidInput.
func (e *InputError) Is(target error) bool { return target == ErrInvalidInput }

func invalid(fn, field string, v float64, reason string) error {
	return &InputError{Func: fn, Field: field, Value: v, Reason: reason}
}

func indexed(field string, i int) string { return fmt.Sprintf("%s[%d]", field, i) }

const reasonNegative = "must not be negative"

// count checks that a count is not negative.
func count(fn, field string, n int64) error {
	if n < 0 {
		return invalid(fn, field, float64(n), reasonNegative)
	}
	return nil
}

// finite checks that a float is neither NaN nor infinite.
func finite(fn, field string, v float64) error {
	if math.IsNaN(v) || math.IsInf(v, 0) {
		return invalid(fn, field, v, "must be finite")
	}
	return nil
}

// amount checks a money amount: finite and not negative.
func amount(fn, field string, v float64) error {
	if err := finite(fn, field, v); err != nil {
		return err
	}
	if v < 0 {
		return invalid(fn, field, v, reasonNegative)
	}
	return nil
}

// ratio returns num/den for two counts, applying the package error rule.
func ratio(fn, numField string, num int64, denField string, den int64) (float64, error) {
	if err := count(fn, numField, num); err != nil {
		return 0, err
	}
	if err := count(fn, denField, den); err != nil {
		return 0, err
	}
	if den == 0 {
		return 0, ErrUndefined
	}
	return float64(num) / float64(den), nil
}

// partRatio is ratio for a part of a whole: num must not exceed den.
func partRatio(fn, numField string, num int64, denField string, den int64) (float64, error) {
	r, err := ratio(fn, numField, num, denField, den)
	if err != nil {
		return 0, err
	}
	if num > den {
		return 0, invalid(fn, numField, float64(num), "must not exceed "+denField)
	}
	return r, nil
}

// perUnit returns cost/units for a money amount over a count.
func perUnit(fn string, cost float64, unitField string, units int64) (float64, error) {
	if err := amount(fn, "cost", cost); err != nil {
		return 0, err
	}
	if err := count(fn, unitField, units); err != nil {
		return 0, err
	}
	if units == 0 {
		return 0, ErrUndefined
	}
	return cost / float64(units), nil
}
