package metrics_test

import (
	"fmt"
	"time"

	"github.com/cmkit/cmkit/metrics"
)

func ExampleCPM() {
	r, _ := metrics.CPM(50, 20000)
	fmt.Printf("%.2f EUR per 1000 impressions\n", r)
	// Output: 2.50 EUR per 1000 impressions
}

func ExampleCPC() {
	r, _ := metrics.CPC(50, 200)
	fmt.Printf("%.2f\n", r)
	// Output: 0.25
}

func ExampleCPE() {
	r, _ := metrics.CPE(90, 600)
	fmt.Printf("%.2f\n", r)
	// Output: 0.15
}

func ExampleCPA() {
	r, _ := metrics.CPA(300, 12)
	fmt.Printf("%.2f\n", r)
	// Output: 25.00
}

func ExampleROI() {
	r, _ := metrics.ROI(1500, 1000)
	fmt.Printf("%.2f\n", r)
	// Output: 0.50
}

func ExampleProfile_Cost() {
	week, _ := metrics.JuniorProfile().Cost(10 * time.Hour)
	fmt.Printf("a junior's 10 hours: %.2f EUR\n", week)
	// Output: a junior's 10 hours: 203.02 EUR
}

func ExampleProfile_HourlyCost() {
	for _, p := range []struct {
		name string
		p    metrics.Profile
	}{
		{"intern", metrics.InternProfile()},
		{"junior", metrics.JuniorProfile()},
		{"senior", metrics.SeniorProfile()},
		{"expert", metrics.ExpertProfile()},
		{"freelance", metrics.FreelanceProfile()},
		{"agency", metrics.AgencyProfile()},
	} {
		h, _ := p.p.HourlyCost()
		y, _ := p.p.AnnualCost()
		fmt.Printf("%-9s %6.2f EUR/h %9.0f EUR/yr\n", p.name, h, y)
	}
	// Output:
	// intern      4.35 EUR/h      6990 EUR/yr
	// junior     20.30 EUR/h     32625 EUR/yr
	// senior     34.29 EUR/h     55100 EUR/yr
	// expert     49.63 EUR/h     79750 EUR/yr
	// freelance  50.00 EUR/h     76300 EUR/yr
	// agency     85.71 EUR/h    130800 EUR/yr
}

func ExampleProfile_AnnualCost() {
	p := metrics.SeniorProfile()
	p.AnnualGross = 42000 // a Paris senior
	y, _ := p.AnnualCost()
	fmt.Printf("%.0f\n", y)
	// Output: 60900
}

func ExampleInternProfile() {
	h, _ := metrics.InternProfile().HourlyCost()
	fmt.Printf("%.2f\n", h)
	// Output: 4.35
}

func ExampleJuniorProfile() {
	p := metrics.JuniorProfile()
	fmt.Println(p.AnnualGross, p.EmployerChargesRate, p.AnnualHours)
	// Output: 22500 0.45 1607
}

func ExampleSeniorProfile() {
	fmt.Println(metrics.SeniorProfile().AnnualGross)
	// Output: 38000
}

func ExampleExpertProfile() {
	fmt.Println(metrics.ExpertProfile().AnnualGross)
	// Output: 55000
}

func ExampleFreelanceProfile() {
	p := metrics.FreelanceProfile()
	fmt.Println(p.DayRate, p.DayHours, p.AnnualDays)
	// Output: 350 7 218
}

func ExampleAgencyProfile() {
	day, _ := metrics.AgencyProfile().Cost(7 * time.Hour)
	fmt.Println(day)
	// Output: 600
}

func ExampleCampaignCost() {
	labour, _ := metrics.JuniorProfile().Cost(10 * time.Hour)
	c := metrics.CampaignCost{Media: 150, Tools: 25, Labour: labour}
	total, _ := c.Total()
	roi, _ := c.ROI(720) // attributed sales
	fmt.Printf("cost %.2f, ROI %.2f\n", total, roi)
	// Output: cost 378.02, ROI 0.90
}

func ExampleCampaignCost_ROI() {
	roi, _ := metrics.CampaignCost{Media: 400, Labour: 600}.ROI(800)
	fmt.Printf("%.2f\n", roi)
	// Output: -0.20
}
