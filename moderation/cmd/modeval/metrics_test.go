package main

import (
	"math"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestConfusionMeasures(t *testing.T) {
	tests := []struct {
		name                  string
		c                     confusion
		precision, recall, f1 float64
		mcc, falseFlags       float64
	}{
		{name: "perfect", c: confusion{TP: 5, TN: 5}, precision: 1, recall: 1, f1: 1, mcc: 1},
		{name: "inverted", c: confusion{FP: 5, FN: 5}, mcc: -1, falseFlags: 1},
		{name: "typical", c: confusion{TP: 90, FP: 10, TN: 80, FN: 20},
			precision: 0.9, recall: 90.0 / 110, f1: 2 * 0.9 * (90.0 / 110) / (0.9 + 90.0/110),
			mcc: (90.0*80 - 10.0*20) / math.Sqrt(100*110*90*100), falseFlags: 10.0 / 90},
		{name: "nothing flagged", c: confusion{TN: 7, FN: 3}, recall: 0, precision: 0, f1: 0, mcc: 0},
		{name: "everything flagged", c: confusion{TP: 3, FP: 7}, precision: 0.3, recall: 1, f1: 2 * 0.3 / 1.3, mcc: 0, falseFlags: 1},
		{name: "no positives", c: confusion{TN: 4, FP: 1}, mcc: 0, falseFlags: 0.2},
		{name: "no negatives", c: confusion{TP: 4, FN: 1}, precision: 1, recall: 0.8, f1: 2 * 0.8 / 1.8, mcc: 0},
		{name: "empty", c: confusion{}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.precision, tt.c.precision(), 1e-12)
			require.InDelta(t, tt.recall, tt.c.recall(), 1e-12)
			require.InDelta(t, tt.f1, tt.c.f1(), 1e-12)
			require.InDelta(t, tt.mcc, tt.c.mcc(), 1e-12)
			require.InDelta(t, tt.falseFlags, tt.c.falseFlagRate(), 1e-12)
		})
	}
}

func TestConfusionAdd(t *testing.T) {
	var c confusion
	c.add(true, true)
	c.add(true, false)
	c.add(false, true)
	c.add(false, false)
	c.add(false, false)
	require.Equal(t, confusion{TP: 1, FN: 1, FP: 1, TN: 2}, c)
	require.Equal(t, 5, c.n())
}

func TestPearson(t *testing.T) {
	tests := []struct {
		name   string
		xs, ys []float64
		want   float64
	}{
		{name: "perfect", xs: []float64{1, 2, 3}, ys: []float64{2, 4, 6}, want: 1},
		{name: "negative", xs: []float64{1, 2, 3}, ys: []float64{3, 2, 1}, want: -1},
		{name: "constant", xs: []float64{1, 1, 1}, ys: []float64{1, 2, 3}, want: 0},
		{name: "too short", xs: []float64{1}, ys: []float64{1}, want: 0},
		{name: "length mismatch", xs: []float64{1, 2}, ys: []float64{1}, want: 0},
		{name: "partial", xs: []float64{1, 2, 3, 4}, ys: []float64{1, 3, 2, 4}, want: 0.8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			require.InDelta(t, tt.want, pearson(tt.xs, tt.ys), 1e-12)
		})
	}
}
