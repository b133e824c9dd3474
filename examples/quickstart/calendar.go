package main

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"slices"
	"strings"
	"time"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors"
	// The connectors a configuration file may name register themselves.
	_ "github.com/cmkit/cmkit/connectors/bluesky"
	_ "github.com/cmkit/cmkit/connectors/discord"
	_ "github.com/cmkit/cmkit/connectors/mastodon"
	_ "github.com/cmkit/cmkit/connectors/matrix"
	"github.com/cmkit/cmkit/connectors/memconnector"
	_ "github.com/cmkit/cmkit/connectors/slack"
	_ "github.com/cmkit/cmkit/connectors/telegram"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/memstore"
)

// accountConfig is one entry of the -accounts file.
type accountConfig struct {
	URL         string `json:"url"`
	Username    string `json:"username,omitempty"`
	TokenEnv    string `json:"token_env,omitempty"`
	PasswordEnv string `json:"password_env,omitempty"`
}

// planOptions choose where the calendar goes: in-memory networks when
// accounts is nil, else the configured accounts, published to only when
// publish is set.
type planOptions struct {
	accounts map[string]accountConfig
	publish  bool
}

// loadAccounts reads an -accounts file and checks that every secret it
// names is set in the environment.
func loadAccounts(path string) (map[string]accountConfig, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var accounts map[string]accountConfig
	if err := json.Unmarshal(b, &accounts); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	if len(accounts) == 0 {
		return nil, fmt.Errorf("%s: no accounts", path)
	}
	for id, a := range accounts {
		if a.URL == "" {
			return nil, fmt.Errorf("%s: %s: no url", path, id)
		}
		for _, env := range []string{a.TokenEnv, a.PasswordEnv} {
			if env != "" && os.Getenv(env) == "" {
				return nil, fmt.Errorf("%s: %s: environment variable %s is empty", path, id, env)
			}
		}
	}
	return accounts, nil
}

// configuredAccounts is the resolver of the -accounts file.
func configuredAccounts(accounts map[string]accountConfig) scheduling.AccountResolver {
	urls := make(map[string]string, len(accounts))
	for id, a := range accounts {
		urls[id] = a.URL
	}
	return scheduling.AccountURLs(urls, func(id string) connectors.Config {
		a := accounts[id]
		cfg := connectors.Config{Username: a.Username}
		if a.TokenEnv != "" {
			cfg.Tokens = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: os.Getenv(a.TokenEnv)})
		}
		if a.PasswordEnv != "" {
			cfg.Password = os.Getenv(a.PasswordEnv)
		}
		return cfg
	}, nil)
}

// The networks of the calendar: in-memory accounts with the published
// content limits of the real networks (memconnector profiles).
var calendarNetworks = []struct{ id, display string }{
	{"instagram", "Instagram"}, {"linkedin", "LinkedIn"}, {"mastodon", "Mastodon"}, {"bluesky", "Bluesky"},
}

var weekdays = map[string]int{"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}

// weekPlan schedules next week's content calendar (data/calendar.csv)
// with cmkit's scheduler, each entry validated against its networks'
// limits, prints the plan, then runs the week on a simulated clock and
// publishes every post at its time. Nothing waits: the clock jumps from
// one due post to the next.
func weekPlan(ctx context.Context, w io.Writer, opts planOptions) error {
	loc, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	monday := time.Date(2025, time.June, 9, 0, 0, 0, 0, loc)
	// Sunday evening, the community manager plans the week.
	clock := scheduling.NewFakeClock(monday.Add(-6 * time.Hour))
	var resolver scheduling.AccountResolver
	nets := make(map[string]*memconnector.Network)
	if opts.accounts != nil {
		resolver = configuredAccounts(opts.accounts)
	} else {
		accts := make(map[string]*connectors.Account)
		for _, n := range calendarNetworks {
			net := memconnector.NewNetwork(&memconnector.NetworkOptions{Name: n.id, DisplayName: n.display, Profile: n.id, Now: clock.Now})
			a, err := net.Account(ctx, "maisonbrioche", nil)
			if err != nil {
				return err
			}
			accts[n.id], nets[n.id] = a, net
		}
		resolver = scheduling.AccountMap(accts)
	}
	sched, err := scheduling.New(scheduling.Config{Store: memstore.New(), Accounts: resolver,
		Clock: clock, Owner: "quickstart"})
	if err != nil {
		return err
	}

	rows, err := records("calendar.csv")
	if err != nil {
		return err
	}
	p := &printer{w: w}
	year, week := monday.ISOWeek()
	p.f("\n%s: content calendar %d-W%02d (%s to %s, %s)\n", brand, year, week,
		monday.Format("Mon 2 Jan"), monday.AddDate(0, 0, 6).Format("Mon 2 Jan 2006"), loc)
	var rejected []string
	for i, r := range rows {
		if len(r) != 5 {
			return fmt.Errorf("data/calendar.csv: row %d has %d fields, want 5", i+2, len(r))
		}
		day, ok := weekdays[r[0]]
		if !ok {
			return fmt.Errorf("data/calendar.csv: row %d: unknown day %q", i+2, r[0])
		}
		hm, err := time.Parse("15:04", r[1])
		if err != nil {
			return fmt.Errorf("data/calendar.csv: row %d: %w", i+2, err)
		}
		date := monday.AddDate(0, 0, day)
		local := scheduling.Civil{Year: date.Year(), Month: date.Month(), Day: date.Day(), Hour: hm.Hour(), Minute: hm.Minute()}
		np := scheduling.NewPost{Content: connectors.Post{Text: r[3], Language: "fr"}}
		if r[4] != "" {
			np.Content.Media = []connectors.Media{{Kind: connectors.MediaImage, MIMEType: "image/jpeg", URL: r[4]}}
		}
		for _, n := range strings.Fields(r[2]) {
			if _, ok := opts.accounts[n]; opts.accounts != nil && !ok {
				continue // a network the -accounts file does not name
			}
			np.Targets = append(np.Targets, scheduling.TargetSpec{AccountID: n, Local: local, Zone: loc.String()})
		}
		if len(np.Targets) == 0 {
			continue
		}
		if _, _, err := sched.Create(ctx, scheduling.Actor{ID: "camille"}, np); err != nil {
			// A network would refuse it: say which, and why, in words
			// the community manager can act on.
			var te *scheduling.TargetError
			if !errors.As(err, &te) {
				return err
			}
			rejected = append(rejected, fmt.Sprintf("%s %s on %s: %v (\"%s\")",
				date.Format("Mon 2 Jan"), r[1], te.AccountID, te.Err, firstWords(r[3], 4)))
		}
	}

	ts, err := sched.Targets(ctx, scheduling.TargetFilter{States: []scheduling.State{scheduling.Scheduled}})
	if err != nil {
		return err
	}
	slices.SortFunc(ts, func(a, b *scheduling.Target) int {
		return cmp.Or(a.Due.Compare(b.Due), cmp.Compare(a.AccountID, b.AccountID))
	})
	for _, t := range ts {
		post, _, err := sched.Post(ctx, t.PostID)
		if err != nil {
			return err
		}
		p.f("%-16s  %-9s  %s\n", t.Due.In(loc).Format("Mon 2 Jan 15:04"), t.AccountID, firstWords(post.Content.Text, 6))
	}
	for _, r := range rejected {
		p.f("REJECTED %s\n", r)
	}

	if opts.accounts != nil && !opts.publish {
		p.f("Dry run: nothing published (add -publish to publish the calendar to the configured accounts now)\n")
		return p.err
	}

	// The week passes: the clock jumps to each due instant and the
	// scheduler publishes what is due.
	dues := make([]time.Time, 0, len(ts))
	for _, t := range ts {
		dues = append(dues, t.Due)
	}
	slices.SortFunc(dues, func(a, b time.Time) int { return a.Compare(b) })
	dues = slices.CompactFunc(dues, func(a, b time.Time) bool { return a.Equal(b) })
	published := 0
	for _, at := range dues {
		clock.Set(at)
		n, err := sched.RunDue(ctx)
		if err != nil {
			return err
		}
		published += n
	}
	var counts []string
	for _, n := range calendarNetworks {
		if net, ok := nets[n.id]; ok {
			counts = append(counts, fmt.Sprintf("%s %d", n.id, net.PublishCount("maisonbrioche")))
		}
	}
	done, err := sched.Targets(ctx, scheduling.TargetFilter{States: []scheduling.State{scheduling.Published}})
	if err != nil {
		return err
	}
	onTime := 0
	for _, t := range done {
		if t.Result.PublishedAt.Equal(t.Due) {
			onTime++
		}
	}
	p.f("Published %d of %d planned posts, %d at their planned minute (%s)\n", len(done), len(ts), onTime, strings.Join(counts, ", "))
	if published != len(ts) {
		return fmt.Errorf("the scheduler processed %d targets, want %d", published, len(ts))
	}
	return p.err
}

// firstWords returns the first n words of s, with "…" if cut.
func firstWords(s string, n int) string {
	w := strings.Fields(s)
	if len(w) <= n {
		return strings.Join(w, " ")
	}
	return strings.Join(w[:n], " ") + "…"
}
