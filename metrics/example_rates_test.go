package metrics_test

import (
	"fmt"

	"github.com/cmkit/cmkit/metrics"
)

// Kaushik's three rates for a week of 5 posts.
func ExampleConversationRate() {
	conversation, _ := metrics.ConversationRate(45, 5)
	amplification, _ := metrics.AmplificationRate(20, 5)
	applause, _ := metrics.ApplauseRate(600, 5)
	fmt.Printf("per post: %.0f comments, %.0f shares, %.0f likes\n", conversation, amplification, applause)
	// Output: per post: 9 comments, 4 shares, 120 likes
}

func ExampleAmplificationRate() {
	r, _ := metrics.AmplificationRate(36, 12)
	fmt.Println(r)
	// Output: 3
}

func ExampleApplauseRate() {
	r, _ := metrics.ApplauseRate(450, 3)
	fmt.Println(r)
	// Output: 150
}

func ExampleConversationRateByFollowers() {
	r, _ := metrics.ConversationRateByFollowers(12, 8000)
	fmt.Printf("%.4f\n", r)
	// Output: 0.0015
}

func ExampleAmplificationRateByFollowers() {
	r, _ := metrics.AmplificationRateByFollowers(24, 8000)
	fmt.Printf("%.4f\n", r)
	// Output: 0.0030
}

func ExampleApplauseRateByFollowers() {
	r, _ := metrics.ApplauseRateByFollowers(240, 8000)
	fmt.Printf("%.4f\n", r)
	// Output: 0.0300
}

func ExampleViralityRate() {
	r, _ := metrics.ViralityRate(42, 12000)
	fmt.Printf("%.4f\n", r)
	// Output: 0.0035
}

func ExampleReachRate() {
	r, _ := metrics.ReachRate(3400, 8000)
	fmt.Printf("%.3f\n", r)
	// Output: 0.425
}

func ExampleClickThroughRate() {
	r, _ := metrics.ClickThroughRate(96, 12000)
	fmt.Printf("%.3f\n", r)
	// Output: 0.008
}

func ExampleConversionRate() {
	r, _ := metrics.ConversionRate(6, 96) // 6 orders from 96 link clicks
	fmt.Printf("%.4f\n", r)
	// Output: 0.0625
}

func ExampleGrowthRate() {
	r, _ := metrics.GrowthRate(8000, 8240)
	fmt.Printf("%.3f\n", r)
	// Output: 0.030
}

func ExampleNetFollowerChange() {
	flows, _ := metrics.NetFollowerChange(310, 70)
	counts, _ := metrics.FollowerCountChange(8000, 8236) // 4 accounts deleted
	fmt.Println(flows, counts)
	// Output: 240 236
}

func ExampleFollowerCountChange() {
	n, _ := metrics.FollowerCountChange(8000, 7950)
	fmt.Println(n)
	// Output: -50
}

func ExampleChurnRate() {
	r, _ := metrics.ChurnRate(70, 8000)
	fmt.Printf("%.5f\n", r)
	// Output: 0.00875
}

func ExampleRetentionRate() {
	// 8000 at the start, 8240 at the end, 310 of whom are new.
	r, _ := metrics.RetentionRate(8000, 8240, 310)
	fmt.Printf("%.5f\n", r)
	// Output: 0.99125
}
