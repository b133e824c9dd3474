package metrics

import (
	"math"
	"time"
)

// checked turns an overflowing result (a finite but enormous input) into
// an *InputError so that no function returns ±Inf.
func checked(fn, field string, in, out float64) (float64, error) {
	if math.IsInf(out, 0) || math.IsNaN(out) {
		return 0, invalid(fn, field, in, "too large: the result overflows float64")
	}
	return out, nil
}

// CPM returns the cost per mille, cost / impressions × 1000, the cost of a
// thousand impressions (Meta Ads, Google Ads). Zero impressions returns
// ErrUndefined.
func CPM(cost float64, impressions int64) (float64, error) {
	r, err := perUnit("CPM", cost, "impressions", impressions)
	if err != nil {
		return 0, err
	}
	return checked("CPM", "cost", cost, r*1000)
}

// CPC returns the cost per click, cost / clicks (Meta Ads, Google Ads).
// Zero clicks returns ErrUndefined.
func CPC(cost float64, clicks int64) (float64, error) {
	return perUnit("CPC", cost, "clicks", clicks)
}

// CPE returns the cost per engagement, cost / engagements (Meta Ads'
// "cost per post engagement"; Sprout Social). Count engagements with
// Interactions.Engagements so the kinds match the engagement rate.
// Zero engagements returns ErrUndefined.
func CPE(cost float64, engagements int64) (float64, error) {
	return perUnit("CPE", cost, "engagements", engagements)
}

// CPA returns the cost per acquisition (or action), cost / acquisitions:
// a sign-up, an order, a new customer. Zero acquisitions returns
// ErrUndefined.
func CPA(cost float64, acquisitions int64) (float64, error) {
	return perUnit("CPA", cost, "acquisitions", acquisitions)
}

// ROI returns the return on investment, (value - cost) / cost, where value
// is the economic value attributed to the activity (Kaushik's "economic
// value", 2011) and cost everything it cost, labour included (see
// CampaignCost). 0.5 means every unit spent returned 1.5; -1 means
// nothing came back. A zero cost returns ErrUndefined.
func ROI(value, cost float64) (float64, error) {
	const fn = "ROI"
	if err := amount(fn, "value", value); err != nil {
		return 0, err
	}
	if err := amount(fn, "cost", cost); err != nil {
		return 0, err
	}
	if cost == 0 {
		return 0, ErrUndefined
	}
	return checked(fn, "value", value, (value-cost)/cost) // value-cost cannot overflow: both are non-negative
}

// French labour market references used by the default profiles. They are
// defaults for callers to override, not advice.
const (
	// FrenchEmployerChargesRate is the default employer social charges as
	// a fraction of gross salary for a French employee (about 42 to 45 %
	// for a non-executive; 0.45 errs on the side of the full cost).
	FrenchEmployerChargesRate = 0.45
	// FrenchLegalAnnualHours is the legal reference of worked hours per
	// year for a full-time French employee: 35 h a week, 1607 h a year
	// (Code du travail, art. L3121-41).
	FrenchLegalAnnualHours = 1607
	// FrenchForfaitJoursDays is the cap of worked days per year under the
	// French "forfait jours" (218 days), used as the billable days of a
	// full-time freelance or agency year.
	FrenchForfaitJoursDays = 218
	// FreelanceDayHours is the length of a billed day: 7 hours.
	FreelanceDayHours = 7
	// FrenchInternHourlyMinimum2025 is the 2025 minimum intern
	// gratification, 15 % of the hourly social security ceiling: 4.35 EUR
	// an hour of presence, exempt from social charges.
	FrenchInternHourlyMinimum2025 = 4.35
)

// Profile describes what an hour of community management costs: either an
// employee (AnnualGross, EmployerChargesRate, AnnualHours) or a contractor
// billing by the day (DayRate, DayHours, AnnualDays). Exactly one of
// AnnualGross and DayRate must be set. The constructors InternProfile,
// JuniorProfile, SeniorProfile, ExpertProfile, FreelanceProfile and
// AgencyProfile return French-market defaults to adjust.
type Profile struct {
	// AnnualGross is an employee's gross annual salary.
	AnnualGross float64
	// EmployerChargesRate is the employer's social charges as a fraction
	// of AnnualGross (0.45 in France). It applies to DayRate too, where it
	// is normally 0: freelances and agencies invoice, charges included.
	EmployerChargesRate float64
	// AnnualHours is the hours an employee works in a year
	// (FrenchLegalAnnualHours).
	AnnualHours float64
	// DayRate is a contractor's invoiced price for one day, excluding VAT.
	DayRate float64
	// DayHours is the hours in one billed day (FreelanceDayHours).
	DayHours float64
	// AnnualDays is the days a contractor bills in a full-time year
	// (FrenchForfaitJoursDays); used only by AnnualCost.
	AnnualDays float64
}

func salaried(gross float64) Profile {
	return Profile{AnnualGross: gross, EmployerChargesRate: FrenchEmployerChargesRate, AnnualHours: FrenchLegalAnnualHours}
}

func contractor(dayRate float64) Profile {
	return Profile{DayRate: dayRate, DayHours: FreelanceDayHours, AnnualDays: FrenchForfaitJoursDays}
}

// InternProfile returns an intern paid the 2025 French minimum
// gratification (FrenchInternHourlyMinimum2025 for each of
// FrenchLegalAnnualHours), with no employer charges since the minimum is
// exempt: 4.35 EUR an hour.
func InternProfile() Profile {
	return Profile{AnnualGross: FrenchInternHourlyMinimum2025 * FrenchLegalAnnualHours, AnnualHours: FrenchLegalAnnualHours}
}

// JuniorProfile returns a junior community manager in France: 22 500 EUR
// gross a year (the market range is 20 000 to 25 000), 45 % employer
// charges, 1607 hours.
func JuniorProfile() Profile { return salaried(22500) }

// SeniorProfile returns a senior community manager in France: 38 000 EUR
// gross a year (the market says over 35 000), 45 % employer charges,
// 1607 hours.
func SeniorProfile() Profile { return salaried(38000) }

// ExpertProfile returns an expert employee (social media manager, head of
// community) in France: 55 000 EUR gross a year (over 50 000), 45 %
// employer charges, 1607 hours.
func ExpertProfile() Profile { return salaried(55000) }

// FreelanceProfile returns a freelance community manager in France billing
// 350 EUR a 7-hour day, 218 days a year, no employer charges.
func FreelanceProfile() Profile { return contractor(350) }

// AgencyProfile returns an agency billing 600 EUR a 7-hour day, 218 days a
// year, no employer charges.
func AgencyProfile() Profile { return contractor(600) }

func (p Profile) check(fn string) error {
	for _, f := range [...]struct {
		name string
		v    float64
	}{{"AnnualGross", p.AnnualGross}, {"EmployerChargesRate", p.EmployerChargesRate}, {"AnnualHours", p.AnnualHours},
		{"DayRate", p.DayRate}, {"DayHours", p.DayHours}, {"AnnualDays", p.AnnualDays}} {
		if err := amount(fn, f.name, f.v); err != nil {
			return err
		}
	}
	switch {
	case p.AnnualGross > 0 && p.DayRate > 0:
		return invalid(fn, "DayRate", p.DayRate, "set AnnualGross or DayRate, not both")
	case p.AnnualGross == 0 && p.DayRate == 0:
		return invalid(fn, "AnnualGross", 0, "set AnnualGross or DayRate")
	}
	return nil
}

// HourlyCost returns the full cost of one hour:
// AnnualGross × (1 + EmployerChargesRate) / AnnualHours for an employee,
// DayRate × (1 + EmployerChargesRate) / DayHours for a contractor.
// A junior (22 500 EUR, 45 %, 1607 h) costs about 20.30 EUR an hour.
// Zero AnnualHours or DayHours returns ErrUndefined.
func (p Profile) HourlyCost() (float64, error) {
	const fn = "Profile.HourlyCost"
	if err := p.check(fn); err != nil {
		return 0, err
	}
	pay, hours, field := p.AnnualGross, p.AnnualHours, "AnnualGross"
	if p.DayRate > 0 {
		pay, hours, field = p.DayRate, p.DayHours, "DayRate"
	}
	if hours == 0 {
		return 0, ErrUndefined
	}
	return checked(fn, field, pay, pay*(1+p.EmployerChargesRate)/hours)
}

// Cost returns the cost of the time spent, HourlyCost × spent in hours.
// A negative duration returns an *InputError.
func (p Profile) Cost(spent time.Duration) (float64, error) {
	const fn = "Profile.Cost"
	if spent < 0 {
		return 0, invalid(fn, "spent", spent.Hours(), reasonNegative)
	}
	h, err := p.HourlyCost()
	if err != nil {
		if ie, ok := err.(*InputError); ok {
			ie.Func = fn
		}
		return 0, err
	}
	return checked(fn, "spent", spent.Hours(), h*spent.Hours())
}

// AnnualCost returns the cost of a full-time year:
// AnnualGross × (1 + EmployerChargesRate) for an employee,
// DayRate × (1 + EmployerChargesRate) × AnnualDays for a contractor.
func (p Profile) AnnualCost() (float64, error) {
	const fn = "Profile.AnnualCost"
	if err := p.check(fn); err != nil {
		return 0, err
	}
	if p.DayRate > 0 {
		return checked(fn, "DayRate", p.DayRate, p.DayRate*(1+p.EmployerChargesRate)*p.AnnualDays)
	}
	return checked(fn, "AnnualGross", p.AnnualGross, p.AnnualGross*(1+p.EmployerChargesRate))
}

// CampaignCost breaks down what a campaign or a period of community
// management cost. All amounts are in one currency, finite and
// non-negative.
type CampaignCost struct {
	// Media is paid media: boosts, ads, sponsored posts.
	Media float64
	// Tools is software: scheduling, listening, design, licences.
	Tools float64
	// Labour is people's time, usually Profile.Cost of the hours spent.
	Labour float64
	// Other is everything else: production, influencers, prizes.
	Other float64
}

// Total returns Media + Tools + Labour + Other.
func (c CampaignCost) Total() (float64, error) {
	const fn = "CampaignCost.Total"
	var sum float64
	for _, f := range [...]struct {
		name string
		v    float64
	}{{"Media", c.Media}, {"Tools", c.Tools}, {"Labour", c.Labour}, {"Other", c.Other}} {
		if err := amount(fn, f.name, f.v); err != nil {
			return 0, err
		}
		sum += f.v
	}
	return checked(fn, "Media", c.Media, sum)
}

// ROI returns (value - Total) / Total, the return on investment with every
// cost counted, the CM's labour included (see ROI). A zero total returns
// ErrUndefined.
func (c CampaignCost) ROI(value float64) (float64, error) {
	total, err := c.Total()
	if err != nil {
		return 0, err
	}
	r, err := ROI(value, total)
	if ie, ok := err.(*InputError); ok {
		ie.Func = "CampaignCost.ROI"
	}
	return r, err
}
