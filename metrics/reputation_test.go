package metrics_test

import (
	"testing"

	"github.com/cmkit/cmkit/metrics"
)

func TestShareOfVoice(t *testing.T) {
	runFloatCases(t, []floatCase{
		{name: "two competitors", got: func() (float64, error) { return metrics.ShareOfVoice(120, 200, 80) }, want: 0.3},
		{name: "alone", got: func() (float64, error) { return metrics.ShareOfVoice(7) }, want: 1},
		{name: "own zero", got: func() (float64, error) { return metrics.ShareOfVoice(0, 10) }, want: 0},
		{name: "no mentions", got: func() (float64, error) { return metrics.ShareOfVoice(0, 0, 0) }, err: metrics.ErrUndefined},
		{name: "huge", got: func() (float64, error) { return metrics.ShareOfVoice(big, big, big, big) }, want: 0.25},
		{name: "negative own", got: func() (float64, error) { return metrics.ShareOfVoice(-1, 10) }, err: metrics.ErrInvalidInput},
		{name: "negative competitor", got: func() (float64, error) { return metrics.ShareOfVoice(1, 10, -2) }, err: metrics.ErrInvalidInput},
	})
}

func TestNetSentiment(t *testing.T) {
	runFloatCases(t, []floatCase{
		{name: "positive", got: func() (float64, error) { return metrics.NetSentiment(60, 20, 20) }, want: 0.4},
		{name: "negative", got: func() (float64, error) { return metrics.NetSentiment(0, 30, 10) }, want: -0.75},
		{name: "neutral only", got: func() (float64, error) { return metrics.NetSentiment(0, 0, 10) }, want: 0},
		{name: "none", got: func() (float64, error) { return metrics.NetSentiment(0, 0, 0) }, err: metrics.ErrUndefined},
		{name: "huge", got: func() (float64, error) { return metrics.NetSentiment(big, 0, big) }, want: 0.5},
		{name: "huge negative", got: func() (float64, error) { return metrics.NetSentiment(0, big, 0) }, want: -1},
		{name: "negative count", got: func() (float64, error) { return metrics.NetSentiment(1, 1, -1) }, err: metrics.ErrInvalidInput},
	})
}

func TestNPS(t *testing.T) {
	runFloatCases(t, []floatCase{
		// 4 promoters, 3 passives, 3 detractors: (4 - 3) / 10 = +10.
		{name: "scores", got: func() (float64, error) { return metrics.NPS([]int{10, 9, 9, 10, 8, 7, 7, 6, 0, 3}) }, want: 10},
		{name: "all promoters", got: func() (float64, error) { return metrics.NPS([]int{9, 10}) }, want: 100},
		{name: "all detractors", got: func() (float64, error) { return metrics.NPS([]int{0, 6}) }, want: -100},
		{name: "passives only", got: func() (float64, error) { return metrics.NPS([]int{7, 8}) }, want: 0},
		{name: "no scores", got: func() (float64, error) { return metrics.NPS(nil) }, err: metrics.ErrUndefined},
		{name: "score 11", got: func() (float64, error) { return metrics.NPS([]int{9, 11}) }, err: metrics.ErrInvalidInput},
		{name: "score -1", got: func() (float64, error) { return metrics.NPS([]int{-1}) }, err: metrics.ErrInvalidInput},
		{name: "counts", got: func() (float64, error) { return metrics.NPSFromCounts(50, 30, 20) }, want: 30},
		{name: "counts none", got: func() (float64, error) { return metrics.NPSFromCounts(0, 0, 0) }, err: metrics.ErrUndefined},
		{name: "counts huge", got: func() (float64, error) { return metrics.NPSFromCounts(big, big, 0) }, want: 50},
		{name: "counts negative", got: func() (float64, error) { return metrics.NPSFromCounts(1, -1, 0) }, err: metrics.ErrInvalidInput},
	})
}

func TestCSAT(t *testing.T) {
	var def metrics.CSATScale
	runFloatCases(t, []floatCase{
		{name: "default scale", got: func() (float64, error) { return metrics.CSAT([]int{5, 4, 3, 2, 5}, def) }, want: 0.6},
		{name: "explicit 1-5", got: func() (float64, error) {
			return metrics.CSAT([]int{5, 4, 3, 2, 5}, metrics.CSATScale{Min: 1, Max: 5, SatisfiedFrom: 4})
		}, want: 0.6},
		{name: "1-10 from 8", got: func() (float64, error) {
			return metrics.CSAT([]int{10, 8, 7, 1}, metrics.CSATScale{Min: 1, Max: 10, SatisfiedFrom: 8})
		}, want: 0.5},
		{name: "none satisfied", got: func() (float64, error) { return metrics.CSAT([]int{1, 2, 3}, def) }, want: 0},
		{name: "no scores", got: func() (float64, error) { return metrics.CSAT(nil, def) }, err: metrics.ErrUndefined},
		{name: "out of scale", got: func() (float64, error) { return metrics.CSAT([]int{0}, def) }, err: metrics.ErrInvalidInput},
		{name: "bad scale", got: func() (float64, error) {
			return metrics.CSAT([]int{1}, metrics.CSATScale{Min: 5, Max: 1, SatisfiedFrom: 4})
		}, err: metrics.ErrInvalidInput},
		{name: "bad threshold", got: func() (float64, error) {
			return metrics.CSAT([]int{1}, metrics.CSATScale{Min: 1, Max: 5, SatisfiedFrom: 6})
		}, err: metrics.ErrInvalidInput},
		{name: "threshold at min", got: func() (float64, error) {
			return metrics.CSAT([]int{1}, metrics.CSATScale{Min: 1, Max: 5, SatisfiedFrom: 1})
		}, err: metrics.ErrInvalidInput},
	})
}
