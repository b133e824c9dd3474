// Command quickstart prints a weekly community report computed with cmkit
// from a small sample data set that ships with it: one week (ISO week 23
// of 2025) of Maison Brioche, a Lyon bakery chain, on Instagram, LinkedIn,
// Mastodon and Bluesky. Then it schedules the next week's content calendar
// (data/calendar.csv) with cmkit's scheduler, checked against each
// network's limits, prints the plan and publishes it on in-memory
// networks (calendar.go).
//
//	go run ./examples/quickstart
//
// The calendar can target real accounts instead, by configuration: a JSON
// file maps the calendar's networks to connection URLs (see
// connectors.OpenURL), with secrets read from the environment variables it
// names, never from the file:
//
//	{
//	  "mastodon": {"url": "mastodon://mastodon.social/maisonbrioche", "token_env": "MASTODON_TOKEN"},
//	  "bluesky":  {"url": "bluesky://maisonbrioche.fr", "username": "maisonbrioche.fr", "password_env": "BLUESKY_APP_PASSWORD"}
//	}
//
//	go run ./examples/quickstart -accounts accounts.json            # validate the calendar on those accounts
//	go run ./examples/quickstart -accounts accounts.json -publish   # and publish it now
//
// The entries are then validated against each account's real limits (a
// Mastodon instance's own character limit, say); networks the file does not
// name are left out. Nothing is published without -publish.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"time"

	"github.com/cmkit/cmkit/metrics"
)

// The week's inputs that are not in data/: what the brand spent and what
// its marketing attributes to social media (click-and-collect orders).
const (
	brand         = "Maison Brioche"
	mediaSpend    = 120.0 // EUR, boosted Instagram reel
	toolsSpend    = 29.0  // EUR, scheduling and listening tools, a week's share
	cmHours       = 10 * time.Hour
	attributedRev = 38 * 14.50 // 38 orders at a 14.50 EUR basket
	sla           = time.Hour
)

func main() {
	accountsFile := flag.String("accounts", "", "JSON file mapping the calendar's networks to real accounts (default: in-memory networks)")
	publish := flag.Bool("publish", false, "with -accounts: publish the calendar to the configured accounts now")
	flag.Parse()
	var opts planOptions
	if *accountsFile != "" {
		accounts, err := loadAccounts(*accountsFile)
		if err != nil {
			log.Fatal(err)
		}
		opts = planOptions{accounts: accounts, publish: *publish}
	} else if *publish {
		log.Fatal("-publish needs -accounts")
	}
	if err := report(os.Stdout); err != nil {
		log.Fatal(err)
	}
	if err := weekPlan(context.Background(), os.Stdout, opts); err != nil {
		log.Fatal(err)
	}
}

func report(w io.Writer) error {
	d, err := loadData()
	if err != nil {
		return err
	}
	p := &printer{w: w}

	// Engagement and audience, aggregated per network for the ISO week.
	agg, err := metrics.NewAggregator(metrics.AggregatorConfig{Location: d.loc, Granularity: metrics.ISOWeek})
	if err != nil {
		return err
	}
	for _, e := range d.events {
		if err := agg.Add(e); err != nil {
			return err
		}
	}
	for _, a := range d.audience {
		if err := agg.ObserveFollowers(d.weekStart, a.network, a.start); err != nil {
			return err
		}
		if err := agg.ObserveFollowers(d.weekEnd, a.network, a.end); err != nil {
			return err
		}
	}
	year, week := d.weekStart.ISOWeek()
	p.f("%s: weekly community report, %d-W%02d (%s to %s, %s)\n\n", brand, year, week,
		d.weekStart.Format("Mon 2 Jan"), d.weekEnd.Format("Mon 2 Jan 2006"), d.loc)

	p.f("Engagement (likes + comments + shares + saves over the week) and audience\n")
	p.f("%-10s %11s %8s %9s %10s %8s %7s\n", "network", "impressions", "ER/impr", "ER/foll.", "followers", "growth", "churn")
	for _, n := range agg.Networks() {
		p.f("%-10s %11d %8s %9s %10d %8s %7s\n", n.Network, n.Impressions,
			pct(n.EngagementRate(metrics.ByImpressions)), pct(n.EngagementRate(metrics.ByFollowers)),
			n.Followers.End, signedPct(n.GrowthRate()), pct(n.ChurnRate()))
	}
	top, topRate := topPost(d.posts)
	p.f("Top post: %s on %s, %s of impressions\n\n", top.id, top.network, pct(topRate, nil))

	// Reputation.
	var own, others int64
	var competitors []int64
	for _, b := range d.brands {
		if b.name == brand {
			own = b.total()
			continue
		}
		competitors = append(competitors, b.total())
		others += b.total()
	}
	sov, err := metrics.ShareOfVoice(own, competitors...)
	p.f("Reputation\nShare of voice: %s (%d mentions against %d for 2 competitors)\n", pct(sov, err), own, others)
	ob := d.brands[0]
	p.f("Net sentiment: %s\n", signed(metrics.NetSentiment(ob.positive, ob.negative, ob.neutral)))
	nps, err := metrics.NPS(d.survey)
	p.f("NPS: %s (%d responses)\n", signed0(nps, err), len(d.survey))
	anomalies, err := metrics.DetectAnomalies(d.dailyNegative, metrics.AnomalyConfig{Window: 7, Threshold: 3, MinStdDev: 1})
	if err != nil {
		return err
	}
	for _, a := range anomalies {
		day := d.firstMentionDay.AddDate(0, 0, a.Index)
		if day.Before(d.weekStart) {
			continue
		}
		p.f("ALERT negative mentions on %s: %.0f against a usual %.1f ± %.1f (z = %.1f)\n",
			day.Format("Mon 2 Jan"), a.Value, a.Mean, a.StdDev, a.Score)
	}

	// Care.
	rr, err := metrics.ResponseRate(int64(len(d.replyTimes)), int64(len(d.replyTimes))+d.unanswered)
	p.f("\nCare\nResponse rate: %s (%d of %d messages)\n", pct(rr, err), len(d.replyTimes), len(d.replyTimes)+int(d.unanswered))
	rt, err := metrics.FirstResponseTimes(d.replyTimes)
	if err != nil {
		return err
	}
	within, err := metrics.WithinSLA(d.replyTimes, d.unanswered, sla)
	p.f("First response: median %s, p90 %s; within the %s SLA: %s\n\n", dur(rt.Median), dur(rt.P90), dur(sla), pct(within, err))

	// Cost and return, the community manager's time included.
	labour, err := metrics.JuniorProfile().Cost(cmHours)
	if err != nil {
		return err
	}
	cost := metrics.CampaignCost{Media: mediaSpend, Tools: toolsSpend, Labour: labour}
	total, err := cost.Total()
	if err != nil {
		return err
	}
	p.f("Cost and return\nLabour: junior CM, %s = %.2f EUR; media %.2f, tools %.2f; total %.2f EUR\n",
		dur(cmHours), labour, mediaSpend, toolsSpend, total)
	p.f("Attributed revenue %.2f EUR: ROI %s\n\n", attributedRev, signed(cost.ROI(attributedRev)))

	// Is Instagram's engagement rate really better than LinkedIn's?
	ig, _ := agg.Network("instagram")
	li, _ := agg.Network("linkedin")
	igEng, err := ig.Engagements()
	if err != nil {
		return err
	}
	liEng, err := li.Engagements()
	if err != nil {
		return err
	}
	z, err := metrics.TwoProportionZTest(igEng, ig.Impressions, liEng, li.Impressions)
	if err != nil {
		return err
	}
	verdict := "not significant"
	if z.Significant(0.05) {
		verdict = "significant"
	}
	pv := fmt.Sprintf("p = %.4f", z.PValue)
	if z.PValue < 0.0001 {
		pv = "p < 0.0001"
	}
	p.f("A/B: Instagram %s vs LinkedIn %s engagement per impression: z = %.2f, %s, %s at 5 %%\n",
		pct(z.RateA, nil), pct(z.RateB, nil), z.Z, pv, verdict)
	return p.err
}

// topPost returns the post with the highest engagement rate by impressions.
func topPost(posts []post) (post, float64) {
	var best post
	bestRate := -1.0
	for _, p := range posts {
		r, err := metrics.PostEngagementRate(p.stats, metrics.DefaultEngagementKinds, metrics.ByImpressions)
		if err == nil && r > bestRate {
			best, bestRate = p, r
		}
	}
	return best, bestRate
}

// printer remembers the first write error so the report reads linearly.
type printer struct {
	w   io.Writer
	err error
}

func (p *printer) f(format string, args ...any) {
	if p.err == nil {
		_, p.err = fmt.Fprintf(p.w, format, args...)
	}
}

// pct formats a rate (a fraction) as a percentage, "n/a" when undefined.
func pct(r float64, err error) string {
	if err != nil {
		return "n/a"
	}
	return fmt.Sprintf("%.2f %%", 100*r)
}

func signedPct(r float64, err error) string {
	if err != nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.2f %%", 100*r)
}

// dur formats a duration to the minute: "34 min", "1 h 48 min", "10 h".
func dur(d time.Duration) string {
	d = d.Round(time.Minute)
	h, m := int(d/time.Hour), int(d%time.Hour/time.Minute)
	switch {
	case h == 0:
		return fmt.Sprintf("%d min", m)
	case m == 0:
		return fmt.Sprintf("%d h", h)
	}
	return fmt.Sprintf("%d h %d min", h, m)
}

func signed(r float64, err error) string {
	if err != nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.2f", r)
}

func signed0(r float64, err error) string {
	if err != nil {
		return "n/a"
	}
	return fmt.Sprintf("%+.0f", r)
}
