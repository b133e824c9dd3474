package metrics_test

import (
	"fmt"
	"time"

	"github.com/cmkit/cmkit/metrics"
)

func ExampleShareOfVoice() {
	// Maison Brioche against two competitors.
	sov, _ := metrics.ShareOfVoice(120, 200, 80)
	fmt.Printf("%.2f\n", sov)
	// Output: 0.30
}

func ExampleNetSentiment() {
	s, _ := metrics.NetSentiment(60, 20, 20)
	fmt.Printf("%+.2f\n", s)
	// Output: +0.40
}

func ExampleNPS() {
	nps, _ := metrics.NPS([]int{10, 9, 9, 10, 8, 7, 7, 6, 0, 3})
	fmt.Printf("NPS %+.0f\n", nps) // on Bain's -100..100 scale
	// Output: NPS +10
}

func ExampleNPSFromCounts() {
	nps, _ := metrics.NPSFromCounts(50, 30, 20)
	fmt.Println(nps)
	// Output: 30
}

func ExampleCSAT() {
	scores := []int{5, 4, 3, 2, 5}
	def, _ := metrics.CSAT(scores, metrics.CSATScale{}) // 1-5, satisfied from 4
	strict, _ := metrics.CSAT(scores, metrics.CSATScale{Min: 1, Max: 5, SatisfiedFrom: 5})
	fmt.Println(def, strict)
	// Output: 0.6 0.4
}

func ExampleResponseRate() {
	r, _ := metrics.ResponseRate(47, 50)
	fmt.Println(r)
	// Output: 0.94
}

func ExampleQuantile() {
	v := []float64{10, 2, 4, 1, 3}
	p90, _ := metrics.Quantile(v, 0.9)
	fmt.Printf("%.2f %v\n", p90, v) // the caller's slice is untouched
	// Output: 7.60 [10 2 4 1 3]
}

func ExampleDurationQuantile() {
	d := []time.Duration{30 * time.Minute, 5 * time.Minute, 2 * time.Hour, 10 * time.Minute, 15 * time.Minute}
	p90, _ := metrics.DurationQuantile(d, 0.9)
	fmt.Println(p90)
	// Output: 1h24m0s
}

func ExampleFirstResponseTimes() {
	d := []time.Duration{30 * time.Minute, 5 * time.Minute, 2 * time.Hour, 10 * time.Minute, 15 * time.Minute}
	rt, _ := metrics.FirstResponseTimes(d)
	fmt.Printf("n=%d mean=%v median=%v p90=%v max=%v\n", rt.Count, rt.Mean, rt.Median, rt.P90, rt.Max)
	// Output: n=5 mean=36m0s median=15m0s p90=1h24m0s max=2h0m0s
}

func ExampleWithinSLA() {
	answered := []time.Duration{30 * time.Minute, 5 * time.Minute, time.Hour, 61 * time.Minute}
	share, _ := metrics.WithinSLA(answered, 1, time.Hour) // one message never answered
	fmt.Println(share)
	// Output: 0.6
}
