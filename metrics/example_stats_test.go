package metrics_test

import (
	"fmt"

	"github.com/cmkit/cmkit/metrics"
)

func ExampleNormalQuantile() {
	z, _ := metrics.NormalQuantile(0.975)
	fmt.Printf("%.15f\n", z)
	// Output: 1.959963984540054
}

func ExampleWilsonInterval() {
	// 12 clicks out of 200 impressions: how sure is the 6 % CTR?
	iv, _ := metrics.WilsonInterval(12, 200, 0.95)
	fmt.Printf("95 %% CI [%.4f, %.4f]\n", iv.Lower, iv.Upper)
	// Output: 95 % CI [0.0347, 0.1019]
}

func ExampleTwoProportionZTest() {
	// Engagements per impression: Instagram 120/4000, LinkedIn 80/4000.
	t, _ := metrics.TwoProportionZTest(120, 4000, 80, 4000)
	fmt.Printf("diff %+.3f, z %.2f, p %.4f, significant at 5 %%: %v\n", t.Diff, t.Z, t.PValue, t.Significant(0.05))
	// Output: diff +0.010, z 2.86, p 0.0042, significant at 5 %: true
}

func ExampleZTest_Significant() {
	t, _ := metrics.TwoProportionZTest(33, 1000, 30, 1000)
	fmt.Printf("p %.2f: %v\n", t.PValue, t.Significant(0.05))
	// Output: p 0.70: false
}

func ExampleEWMA() {
	s, _ := metrics.EWMA([]float64{10, 20, 20, 0}, 0.5)
	fmt.Println(s)
	// Output: [10 15 17.5 8.75]
}

// Daily negative mentions of a brand: a quiet fortnight, then a bad
// review goes viral on Thursday. The detector flags the first day of the
// crisis; once the crisis is in the window, its later days look less
// surprising.
func ExampleDetectAnomalies() {
	negative := []float64{3, 2, 4, 3, 1, 2, 3, 2, 4, 3, 2, 3, 2, 3, 41, 57, 30}
	anomalies, _ := metrics.DetectAnomalies(negative, metrics.AnomalyConfig{Window: 7, Threshold: 3, MinStdDev: 1})
	for _, a := range anomalies {
		fmt.Printf("day %d: %.0f negative mentions, usual %.1f ± %.1f, z = %.1f\n", a.Index, a.Value, a.Mean, a.StdDev, a.Score)
	}
	// Output:
	// day 14: 41 negative mentions, usual 2.7 ± 0.8, z = 38.3
	// day 15: 57 negative mentions, usual 8.3 ± 14.4, z = 3.4
}
