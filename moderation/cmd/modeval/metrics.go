package main

import "math"

// confusion counts binary decisions against labels.
type confusion struct {
	TP, FP, TN, FN int
}

// add records one decision.
func (c *confusion) add(actual, flagged bool) {
	switch {
	case actual && flagged:
		c.TP++
	case actual:
		c.FN++
	case flagged:
		c.FP++
	default:
		c.TN++
	}
}

// n is the number of decisions recorded.
func (c confusion) n() int { return c.TP + c.FP + c.TN + c.FN }

// ratio returns a/b, or 0 when b is 0.
func ratio(a, b float64) float64 {
	if b == 0 {
		return 0
	}
	return a / b
}

// precision is TP/(TP+FP); 0 when nothing was flagged.
func (c confusion) precision() float64 { return ratio(float64(c.TP), float64(c.TP+c.FP)) }

// recall is TP/(TP+FN); 0 when there is no positive.
func (c confusion) recall() float64 { return ratio(float64(c.TP), float64(c.TP+c.FN)) }

// f1 is the harmonic mean of precision and recall; 0 when both are 0.
func (c confusion) f1() float64 {
	p, r := c.precision(), c.recall()
	return ratio(2*p*r, p+r)
}

// falseFlagRate is FP/(FP+TN), the share of actual negatives flagged; 0
// when there is no negative.
func (c confusion) falseFlagRate() float64 { return ratio(float64(c.FP), float64(c.FP+c.TN)) }

// mcc is Matthews correlation coefficient,
// (TP·TN − FP·FN) / sqrt((TP+FP)(TP+FN)(TN+FP)(TN+FN)).
// It is 0 when undefined, that is when any of the four sums is 0 (all
// decisions or all labels identical), the limit scikit-learn also uses.
func (c confusion) mcc() float64 {
	tp, fp, tn, fn := float64(c.TP), float64(c.FP), float64(c.TN), float64(c.FN)
	den := (tp + fp) * (tp + fn) * (tn + fp) * (tn + fn)
	if den == 0 {
		return 0
	}
	return (tp*tn - fp*fn) / math.Sqrt(den)
}

// pearson returns the correlation coefficient of xs and ys, 0 when either
// has no variance or the lengths differ or are below 2.
func pearson(xs, ys []float64) float64 {
	n := len(xs)
	if n != len(ys) || n < 2 {
		return 0
	}
	var mx, my float64
	for i := range xs {
		mx += xs[i]
		my += ys[i]
	}
	mx /= float64(n)
	my /= float64(n)
	var sxy, sxx, syy float64
	for i := range xs {
		dx, dy := xs[i]-mx, ys[i]-my
		sxy += dx * dy
		sxx += dx * dx
		syy += dy * dy
	}
	if sxx == 0 || syy == 0 {
		return 0
	}
	return sxy / math.Sqrt(sxx*syy)
}
