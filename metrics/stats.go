package metrics

import "math"

// NormalQuantile returns the p-quantile of the standard normal
// distribution, the inverse of its CDF (probit): NormalQuantile(0.975) is
// 1.959963984540054. It uses Acklam's rational approximation (relative
// error 1.15e-9) refined by one step of Halley's method against
// math.Erfc, which brings it to full float64 precision, tails included.
// p outside (0, 1) returns an *InputError.
func NormalQuantile(p float64) (float64, error) {
	if math.IsNaN(p) || p <= 0 || p >= 1 {
		return 0, invalid("NormalQuantile", "p", p, "must be in (0, 1)")
	}
	return probit(p), nil
}

// Coefficients of Peter J. Acklam's algorithm (2003).
var (
	acklamA = [...]float64{-3.969683028665376e+01, 2.209460984245205e+02, -2.759285104469687e+02, 1.383577518672690e+02, -3.066479806614716e+01, 2.506628277459239e+00}
	acklamB = [...]float64{-5.447609879822406e+01, 1.615858368580409e+02, -1.556989798598866e+02, 6.680131188771972e+01, -1.328068155288572e+01}
	acklamC = [...]float64{-7.784894002430293e-03, -3.223964580411365e-01, -2.400758277161838e+00, -2.549732539343734e+00, 4.374664141464968e+00, 2.938163982698783e+00}
	acklamD = [...]float64{7.784695709041462e-03, 3.224671290700398e-01, 2.445134137142996e+00, 3.754408661907416e+00}
)

func probit(p float64) float64 {
	const pLow = 0.02425
	a, b, c, d := &acklamA, &acklamB, &acklamC, &acklamD
	var x float64
	switch {
	case p < pLow:
		q := math.Sqrt(-2 * math.Log(p))
		x = (((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q + c[5]) /
			((((d[0]*q+d[1])*q+d[2])*q+d[3])*q + 1)
	case p <= 1-pLow:
		q := p - 0.5
		r := q * q
		x = (((((a[0]*r+a[1])*r+a[2])*r+a[3])*r+a[4])*r + a[5]) * q /
			(((((b[0]*r+b[1])*r+b[2])*r+b[3])*r+b[4])*r + 1)
	default:
		q := math.Sqrt(-2 * math.Log1p(-p))
		x = -(((((c[0]*q+c[1])*q+c[2])*q+c[3])*q+c[4])*q + c[5]) /
			((((d[0]*q+d[1])*q+d[2])*q+d[3])*q + 1)
	}
	// Halley refinement. Work in the lower tail, where Erfc is accurate.
	if x > 0 {
		// Φ(x) - p = (1 - p) - Φ(-x), computed from the upper tail.
		e := (1 - p) - 0.5*math.Erfc(x/math.Sqrt2)
		u := e * math.Sqrt(2*math.Pi) * math.Exp(x*x/2)
		return x - u/(1+x*u/2)
	}
	e := 0.5*math.Erfc(-x/math.Sqrt2) - p
	u := e * math.Sqrt(2*math.Pi) * math.Exp(x*x/2)
	return x - u/(1+x*u/2)
}

// confidenceZ returns the two-sided critical value for a confidence level.
func confidenceZ(fn string, confidence float64) (float64, error) {
	if math.IsNaN(confidence) || confidence <= 0 || confidence >= 1 {
		return 0, invalid(fn, "confidence", confidence, "must be in (0, 1)")
	}
	return probit(0.5 + confidence/2), nil
}

// Interval is a confidence interval for a rate, both bounds in [0, 1].
type Interval struct {
	Lower, Upper float64
}

// WilsonInterval returns the Wilson score interval for the rate
// successes / trials at the given two-sided confidence level (0.95 for a
// 95 % interval, z = NormalQuantile(0.975)): with p̂ = successes / trials,
// n = trials,
//
//	centre = (p̂ + z²/2n) / (1 + z²/n)
//	half   = z / (1 + z²/n) × √(p̂(1 - p̂)/n + z²/4n²)
//
// and the interval is centre ± half (E. B. Wilson, "Probable inference,
// the law of succession, and statistical inference", JASA 1927). Unlike
// the normal (Wald) interval it behaves at 0 and 1 successes and for small
// n, which is why it suits engagement and click rates. successes greater
// than trials, or confidence outside (0, 1), returns an *InputError; zero
// trials returns ErrUndefined.
func WilsonInterval(successes, trials int64, confidence float64) (Interval, error) {
	const fn = "WilsonInterval"
	z, err := confidenceZ(fn, confidence)
	if err != nil {
		return Interval{}, err
	}
	p, err := partRatio(fn, "successes", successes, "trials", trials)
	if err != nil {
		if ie, ok := err.(*InputError); ok {
			ie.Func = fn
		}
		return Interval{}, err
	}
	n := float64(trials)
	z2 := z * z
	denom := 1 + z2/n
	centre := (p + z2/(2*n)) / denom
	half := z / denom * math.Sqrt(p*(1-p)/n+z2/(4*n*n))
	iv := Interval{Lower: math.Max(0, centre-half), Upper: math.Min(1, centre+half)}
	// At p̂ = 0 or 1 the bound is exactly 0 or 1; do not let rounding
	// leave 1e-17.
	if successes == 0 {
		iv.Lower = 0
	}
	if successes == trials {
		iv.Upper = 1
	}
	return iv, nil
}

// ZTest is the result of a two-proportion z-test.
type ZTest struct {
	// RateA and RateB are successesA / trialsA and successesB / trialsB.
	RateA, RateB float64
	// Diff is RateA - RateB.
	Diff float64
	// StdErr is the pooled standard error of Diff.
	StdErr float64
	// Z is Diff / StdErr.
	Z float64
	// PValue is the two-sided p-value, P(|N(0,1)| ≥ |Z|).
	PValue float64
}

// Significant reports whether PValue < alpha: whether the difference is
// significant at level alpha (0.05 for the usual 5 %). It reports false
// for alpha outside (0, 1).
func (t ZTest) Significant(alpha float64) bool {
	return alpha > 0 && alpha < 1 && t.PValue < alpha
}

// TwoProportionZTest tests whether two rates differ, such as the
// engagement rates by impressions of two networks or of an A/B test's two
// variants. With pooled rate p = (sA + sB) / (nA + nB), it computes
//
//	SE = √(p(1 - p)(1/nA + 1/nB)),  Z = (sA/nA - sB/nB) / SE,
//	PValue = erfc(|Z| / √2)
//
// (the pooled two-proportion z-test of statistics textbooks, e.g.
// Agresti, "Categorical Data Analysis"; valid when each group has at
// least about 5 successes and 5 failures). Successes exceeding trials
// returns an *InputError. Zero trials in either group, or a zero standard
// error (both groups all successes or all failures), returns
// ErrUndefined.
func TwoProportionZTest(successesA, trialsA, successesB, trialsB int64) (ZTest, error) {
	const fn = "TwoProportionZTest"
	ra, err := partRatio(fn, "successesA", successesA, "trialsA", trialsA)
	if err != nil {
		return ZTest{}, err
	}
	rb, err := partRatio(fn, "successesB", successesB, "trialsB", trialsB)
	if err != nil {
		return ZTest{}, err
	}
	na, nb := float64(trialsA), float64(trialsB)
	p := (float64(successesA) + float64(successesB)) / (na + nb)
	se := math.Sqrt(p * (1 - p) * (1/na + 1/nb))
	if se == 0 {
		return ZTest{}, ErrUndefined
	}
	diff := ra - rb
	z := diff / se
	return ZTest{RateA: ra, RateB: rb, Diff: diff, StdErr: se, Z: z, PValue: math.Erfc(math.Abs(z) / math.Sqrt2)}, nil
}

// EWMA returns the exponentially weighted moving average of series,
// s₀ = x₀ and sₜ = α·xₜ + (1 - α)·sₜ₋₁ (Roberts, "Control chart tests
// based on geometric moving averages", Technometrics 1959; Hunter 1986).
// A larger alpha follows the series more closely; alpha = 1 returns a copy
// of it. series is not modified. alpha outside (0, 1] or a NaN or
// infinite value returns an *InputError. An empty series returns an empty
// result.
func EWMA(series []float64, alpha float64) ([]float64, error) {
	const fn = "EWMA"
	if math.IsNaN(alpha) || alpha <= 0 || alpha > 1 {
		return nil, invalid(fn, "alpha", alpha, "must be in (0, 1]")
	}
	for i, v := range series {
		if err := finite(fn, indexed("series", i), v); err != nil {
			return nil, err
		}
	}
	out := make([]float64, len(series))
	for i, x := range series {
		if i == 0 {
			out[0] = x
			continue
		}
		s := out[i-1]
		v := alpha*x + (1-alpha)*s
		// A convex combination lies between x and s; clamping keeps
		// rounding near ±MaxFloat64 from producing ±Inf.
		out[i] = math.Min(math.Max(v, math.Min(x, s)), math.Max(x, s))
	}
	return out, nil
}

// Anomaly is a point of a series that departs from its trailing window.
type Anomaly struct {
	// Index is the point's position in the series.
	Index int
	// Value is series[Index].
	Value float64
	// Mean and StdDev are the trailing window's mean and sample standard
	// deviation (before any MinStdDev floor).
	Mean, StdDev float64
	// Score is the z-score (Value - Mean) / max(StdDev, MinStdDev). When
	// that divisor is zero it saturates at ±math.MaxFloat64: any
	// departure from a constant window is flagged, and never as ±Inf.
	Score float64
}

// AnomalyConfig configures DetectAnomalies.
type AnomalyConfig struct {
	// Window is the number of trailing points each point is compared
	// with. It must be at least 2.
	Window int
	// Threshold is the |z-score| at or above which a point is anomalous;
	// 3 is the usual control-chart limit. It must be positive.
	Threshold float64
	// MinStdDev floors the window's standard deviation so that a quiet
	// window does not make a tiny change look infinite: for counts such
	// as daily mentions, 1 is a sensible floor. Defaults to 0 (no floor).
	MinStdDev float64
}

// DetectAnomalies flags the points of series whose z-score against the
// trailing window exceeds the threshold: for each i ≥ Window, with m and
// s the mean and sample standard deviation of series[i-Window : i], the
// score is (series[i] - m) / max(s, MinStdDev) and the point is reported
// when |score| ≥ Threshold (the Shewhart control chart rule with a moving
// baseline). A spike in daily negative mentions is how a reputation crisis
// starts; a positive Score means above normal. Points before Window are
// never flagged. It returns the anomalies in series order, nil if none.
// A NaN or infinite value, or an invalid config, returns an *InputError.
func DetectAnomalies(series []float64, cfg AnomalyConfig) ([]Anomaly, error) {
	const fn = "DetectAnomalies"
	if cfg.Window < 2 {
		return nil, invalid(fn, "cfg.Window", float64(cfg.Window), "must be at least 2")
	}
	if math.IsNaN(cfg.Threshold) || math.IsInf(cfg.Threshold, 0) || cfg.Threshold <= 0 {
		return nil, invalid(fn, "cfg.Threshold", cfg.Threshold, "must be positive and finite")
	}
	if err := amount(fn, "cfg.MinStdDev", cfg.MinStdDev); err != nil {
		return nil, err
	}
	for i, v := range series {
		if err := finite(fn, indexed("series", i), v); err != nil {
			return nil, err
		}
	}
	var out []Anomaly
	w := float64(cfg.Window)
	for i := cfg.Window; i < len(series); i++ {
		win, x := series[i-cfg.Window:i], series[i]
		// Scale by a power of two (exact) so that neither the sums nor
		// the squares overflow near ±MaxFloat64.
		m := math.Abs(x)
		for _, v := range win {
			m = math.Max(m, math.Abs(v))
		}
		scale := 1.0
		if m > 0 {
			_, e := math.Frexp(m)
			scale = math.Ldexp(1, e-1) // |v| / scale < 2
		}
		var sum float64
		for _, v := range win {
			sum += v / scale
		}
		mean := sum / w
		var ss float64
		for _, v := range win {
			d := v/scale - mean
			ss += d * d
		}
		sd := math.Sqrt(ss / (w - 1)) // scaled
		div := math.Max(sd, cfg.MinStdDev/scale)
		dev := x/scale - mean
		var score float64
		switch {
		case dev == 0:
		case div == 0 || math.IsInf(dev/div, 0):
			score = math.Copysign(math.MaxFloat64, dev)
		default:
			score = dev / div
		}
		if math.Abs(score) >= cfg.Threshold {
			out = append(out, Anomaly{Index: i, Value: x, Mean: mean * scale, StdDev: math.Min(sd*scale, math.MaxFloat64), Score: score})
		}
	}
	return out, nil
}
