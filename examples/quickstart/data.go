package main

import (
	"embed"
	"encoding/csv"
	"fmt"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/metrics"
)

//go:embed data/*.csv
var files embed.FS

type post struct {
	network, id string
	stats       metrics.PostStats
}

type audience struct {
	network                  string
	start, end, gained, lost int64
}

type brandMentions struct {
	name                        string
	positive, neutral, negative int64
}

func (b brandMentions) total() int64 { return b.positive + b.neutral + b.negative }

// data is the sample week, parsed.
type data struct {
	loc                *time.Location
	weekStart, weekEnd time.Time // Monday 00:00 and Sunday 23:59:59
	posts              []post
	events             []metrics.Event
	audience           []audience
	brands             []brandMentions // the week's totals, own brand first
	firstMentionDay    time.Time
	dailyNegative      []float64 // own brand, one a day from firstMentionDay
	replyTimes         []time.Duration
	unanswered         int64
	survey             []int
}

func loadData() (*data, error) {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return nil, err
	}
	d := &data{loc: loc, weekStart: time.Date(2025, 6, 2, 0, 0, 0, 0, loc)}
	d.weekEnd = d.weekStart.AddDate(0, 0, 7).Add(-time.Second)
	for _, load := range []func() error{d.loadPosts, d.loadAudience, d.loadMentions, d.loadInbox, d.loadSurvey} {
		if err := load(); err != nil {
			return nil, err
		}
	}
	return d, nil
}

// records reads a CSV file from data/, without its header line.
func records(name string) ([][]string, error) {
	f, err := files.Open("data/" + name)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil || len(rows) == 0 {
		return nil, fmt.Errorf("data/%s: %v", name, err)
	}
	return rows[1:], nil
}

// ints parses the given fields as int64.
func ints(fields ...string) ([]int64, error) {
	out := make([]int64, len(fields))
	for i, f := range fields {
		n, err := strconv.ParseInt(strings.TrimSpace(f), 10, 64)
		if err != nil {
			return nil, err
		}
		out[i] = n
	}
	return out, nil
}

func (d *data) loadPosts() error {
	rows, err := records("posts.csv")
	if err != nil {
		return err
	}
	for _, r := range rows {
		at, err := time.Parse(time.RFC3339, r[2])
		if err != nil {
			return err
		}
		n, err := ints(r[3:]...)
		if err != nil {
			return err
		}
		in := metrics.Interactions{Likes: n[2], Comments: n[3], Shares: n[4], Saves: n[5], Clicks: n[6]}
		d.posts = append(d.posts, post{network: r[0], id: r[1], stats: metrics.PostStats{Interactions: in, Impressions: n[0], Reach: n[1]}})
		for _, c := range []struct {
			k metrics.Kind
			n int64
		}{{metrics.KindImpression, n[0]}, {metrics.KindLike, n[2]}, {metrics.KindComment, n[3]}, {metrics.KindShare, n[4]}, {metrics.KindSave, n[5]}, {metrics.KindClick, n[6]}} {
			d.events = append(d.events, metrics.Event{Time: at, Network: r[0], Post: r[1], Kind: c.k, Count: c.n})
		}
	}
	return nil
}

func (d *data) loadAudience() error {
	rows, err := records("audience.csv")
	if err != nil {
		return err
	}
	for _, r := range rows {
		n, err := ints(r[1:]...)
		if err != nil {
			return err
		}
		d.audience = append(d.audience, audience{network: r[0], start: n[0], end: n[1], gained: n[2], lost: n[3]})
		d.events = append(d.events,
			metrics.Event{Time: d.weekEnd, Network: r[0], Kind: metrics.KindFollow, Count: n[2]},
			metrics.Event{Time: d.weekEnd, Network: r[0], Kind: metrics.KindUnfollow, Count: n[3]})
	}
	return nil
}

func (d *data) loadMentions() error {
	rows, err := records("mentions.csv")
	if err != nil {
		return err
	}
	week := map[string]*brandMentions{brand: {name: brand}}
	order := []string{brand}
	for _, r := range rows {
		day, err := time.ParseInLocation(time.DateOnly, r[0], d.loc)
		if err != nil {
			return err
		}
		n, err := ints(r[2:]...)
		if err != nil {
			return err
		}
		if r[1] == brand {
			if d.firstMentionDay.IsZero() {
				d.firstMentionDay = day
			}
			d.dailyNegative = append(d.dailyNegative, float64(n[2]))
		}
		if day.Before(d.weekStart) || day.After(d.weekEnd) {
			continue
		}
		b, ok := week[r[1]]
		if !ok {
			b = &brandMentions{name: r[1]}
			week[r[1]] = b
			order = append(order, r[1])
		}
		b.positive += n[0]
		b.neutral += n[1]
		b.negative += n[2]
	}
	for _, name := range order {
		d.brands = append(d.brands, *week[name])
	}
	return nil
}

func (d *data) loadInbox() error {
	rows, err := records("inbox.csv")
	if err != nil {
		return err
	}
	for _, r := range rows {
		if r[1] == "" {
			d.unanswered++
			continue
		}
		received, err := time.Parse(time.RFC3339, r[0])
		if err != nil {
			return err
		}
		replied, err := time.Parse(time.RFC3339, r[1])
		if err != nil {
			return err
		}
		d.replyTimes = append(d.replyTimes, replied.Sub(received))
	}
	return nil
}

func (d *data) loadSurvey() error {
	f, err := files.Open("data/survey.csv")
	if err != nil {
		return err
	}
	defer f.Close()
	r := csv.NewReader(f)
	r.Comment = '#'
	rows, err := r.ReadAll()
	if err != nil {
		return err
	}
	for _, row := range rows {
		n, err := ints(row...)
		if err != nil {
			return err
		}
		for _, s := range n {
			d.survey = append(d.survey, int(s))
		}
	}
	return nil
}
