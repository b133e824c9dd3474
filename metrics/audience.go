package metrics

// GrowthRate returns the audience growth rate over a period,
// (end - start) / start, where start and end are the follower counts at
// the start and end of the period (Hootsuite's and Sprout Social's
// "audience growth rate"). It is negative when the audience shrank.
// A zero start returns ErrUndefined.
func GrowthRate(start, end int64) (float64, error) {
	const fn = "GrowthRate"
	if err := count(fn, "start", start); err != nil {
		return 0, err
	}
	if err := count(fn, "end", end); err != nil {
		return 0, err
	}
	if start == 0 {
		return 0, ErrUndefined
	}
	// Both counts are non-negative, so end - start cannot overflow.
	return float64(end-start) / float64(start), nil
}

// NetFollowerChange returns gained - lost, the net change computed from
// the flows a network reports (new follows, unfollows). It can differ
// from FollowerCountChange when accounts are deleted or suspended or when
// the two figures cover different windows.
func NetFollowerChange(gained, lost int64) (int64, error) {
	const fn = "NetFollowerChange"
	if err := count(fn, "gained", gained); err != nil {
		return 0, err
	}
	if err := count(fn, "lost", lost); err != nil {
		return 0, err
	}
	return gained - lost, nil // both non-negative: cannot overflow
}

// FollowerCountChange returns end - start, the net change computed from
// the follower counts at the start and the end of a period.
func FollowerCountChange(start, end int64) (int64, error) {
	const fn = "FollowerCountChange"
	if err := count(fn, "start", start); err != nil {
		return 0, err
	}
	if err := count(fn, "end", end); err != nil {
		return 0, err
	}
	return end - start, nil // both non-negative: cannot overflow
}

// ChurnRate returns the unfollow (churn) rate of a period, lost / start:
// followers lost during the period over followers at its start, the
// customer churn rate convention applied to an audience. lost may exceed
// start only if followers gained during the period left again; it is not
// capped. A zero start returns ErrUndefined.
func ChurnRate(lost, start int64) (float64, error) {
	return ratio("ChurnRate", "lost", lost, "start", start)
}

// RetentionRate returns the cohort retention rate of a period,
// (end - gained) / start: of the followers present at the start, the share
// still there at the end, assuming the gained new followers are all still
// present (the customer retention rate formula, and the retained-over-
// starting-cohort convention of CHAOSS's contributor retention metric).
// The result lies in [0, 1]: gained greater than end, or end - gained
// greater than start, is inconsistent input and returns an *InputError.
// A zero start returns ErrUndefined.
func RetentionRate(start, end, gained int64) (float64, error) {
	const fn = "RetentionRate"
	for _, c := range [...]struct {
		field string
		n     int64
	}{{"start", start}, {"end", end}, {"gained", gained}} {
		if err := count(fn, c.field, c.n); err != nil {
			return 0, err
		}
	}
	if gained > end {
		return 0, invalid(fn, "gained", float64(gained), "must not exceed end")
	}
	retained := end - gained
	if retained > start {
		return 0, invalid(fn, "end", float64(end), "end - gained must not exceed start")
	}
	if start == 0 {
		return 0, ErrUndefined
	}
	return float64(retained) / float64(start), nil
}
