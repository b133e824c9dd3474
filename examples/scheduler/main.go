// Command scheduler is a small internal publishing tool built on cmkit's
// scheduler: Maison Brioche's community managers plan a week of posts on
// Instagram and Bluesky (in-memory networks with those networks' content
// limits), in weekly posting slots in Europe/Paris, with an approval step.
// The calendar lives in a SQLite file that survives restarts.
//
//	go run ./examples/scheduler               # a temporary database
//	go run ./examples/scheduler -db cal.db    # keep the database
//
// The clock is simulated, so the week passes in an instant: the tool
// moves it forward and publishes what is due (Scheduler.RunDue, the
// cron-style form of Scheduler.Start). Half-way, it closes the database
// and opens it again, as a restart would: nothing is lost, nothing is
// published twice.
package main

import (
	"cmp"
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/memconnector"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/sqlitestore"
)

const (
	instagram = "instagram:maisonbrioche"
	bluesky   = "bluesky:maisonbrioche.fr"
)

var (
	camille = scheduling.Actor{ID: "camille", Roles: []string{"community-manager"}}
	sophie  = scheduling.Actor{ID: "sophie", Roles: []string{"brand-manager"}}
)

func main() {
	db := flag.String("db", "", "SQLite database file (default: a temporary file)")
	flag.Parse()
	path := *db
	if path == "" {
		dir, err := os.MkdirTemp("", "cmkit-scheduler-")
		if err != nil {
			log.Fatal(err)
		}
		defer os.RemoveAll(dir)
		path = filepath.Join(dir, "calendar.db")
	}
	if err := run(context.Background(), os.Stdout, path); err != nil {
		log.Fatal(err)
	}
}

// tool is the embedding program: accounts, a clock, and a scheduler over
// the SQLite store, reopened on restart.
type tool struct {
	w      io.Writer
	paris  *time.Location
	clock  *scheduling.FakeClock
	nets   map[string]*memconnector.Network
	accts  map[string]*connectors.Account
	path   string
	store  *sqlitestore.Store
	sched  *scheduling.Scheduler
	mu     sync.Mutex
	events []scheduling.Event
	err    error // the first write error
}

func run(ctx context.Context, w io.Writer, path string) error {
	paris, err := time.LoadLocation("Europe/Paris")
	if err != nil {
		return err
	}
	t := &tool{w: w, paris: paris, path: path,
		clock: scheduling.NewFakeClock(time.Date(2025, time.June, 1, 20, 0, 0, 0, paris)),
		nets:  map[string]*memconnector.Network{}, accts: map[string]*connectors.Account{}}
	// Two in-memory networks with Instagram's and Bluesky's published
	// limits (Instagram wants an image; Bluesky counts 300 graphemes).
	for id, o := range map[string]memconnector.NetworkOptions{
		instagram: {Name: "instagram", DisplayName: "Instagram", Profile: "instagram"},
		bluesky:   {Name: "bluesky", DisplayName: "Bluesky", Profile: "bluesky"},
	} {
		o.Now = t.clock.Now
		n := memconnector.NewNetwork(&o)
		a, err := n.Account(ctx, strings.SplitN(id, ":", 2)[1], nil)
		if err != nil {
			return err
		}
		t.nets[id], t.accts[id] = n, a
	}
	if err := t.open(ctx); err != nil {
		return err
	}
	defer func() { _ = t.store.Close() }()
	t.f("Maison Brioche publishing calendar in %s (clock: %s)\n\n", filepath.Base(path), t.now())

	// Weekly slots, in the brand's zone, as a community manager writes them.
	for _, s := range []struct{ id, spec string }{
		{instagram, "Mon-Fri 09:30 and 18:00; Sat 11h Europe/Paris"},
		{bluesky, "weekdays 12h30 Europe/Paris"},
	} {
		sched, err := scheduling.ParseSlots(s.spec)
		if err != nil {
			return err
		}
		if err := t.sched.SetSchedule(ctx, camille, s.id, sched); err != nil {
			return err
		}
		t.f("Slots of %-24s %s\n", s.id, s.spec)
	}
	t.f("\n")

	photo := connectors.Media{Kind: connectors.MediaImage, MIMEType: "image/jpeg",
		URL: "https://cdn.maisonbrioche.example/brioche-tressee.jpg", AltText: "Une brioche tressée dorée"}
	both := func(spec scheduling.TargetSpec) []scheduling.TargetSpec {
		a, b := spec, spec
		a.AccountID, b.AccountID = instagram, bluesky
		return []scheduling.TargetSpec{a, b}
	}

	// 1. A post at a chosen local time.
	launch := scheduling.NewPost{
		Content: connectors.Post{Text: "La brioche tressée revient ce lundi dans nos 12 boutiques lyonnaises ! #brioche #Lyon",
			Media: []connectors.Media{photo}},
		Targets: both(scheduling.TargetSpec{Local: scheduling.Civil{Year: 2025, Month: time.June, Day: 2, Hour: 9, Minute: 30}}),
	}
	if err := t.create(ctx, camille, "at Mon 09:30", launch); err != nil {
		return err
	}
	// 2. Add to queue: the next free slot of each account.
	queued := scheduling.NewPost{
		Content: connectors.Post{Text: "Coulisses : nos boulangers façonnent 400 brioches chaque matin dès 4 h.",
			Media: []connectors.Media{photo}},
		Targets: both(scheduling.TargetSpec{Queue: true}),
	}
	if err := t.create(ctx, camille, "added to the queue", queued); err != nil {
		return err
	}
	// 3. A contest needs the brand manager's approval.
	contest := scheduling.NewPost{
		Content: connectors.Post{Text: "Jeu concours : gagnez un an de brioches ! Abonnez-vous et commentez avec votre parfum préféré.",
			Media: []connectors.Media{photo}},
		Targets:  both(scheduling.TargetSpec{Queue: true}),
		Approval: scheduling.Approval{Roles: []string{"brand-manager"}},
	}
	contestPost, err := t.createPost(ctx, camille, "added to the queue, awaiting approval", contest)
	if err != nil {
		return err
	}
	// 4. Too long for Bluesky: refused when scheduled, with the reason.
	long := scheduling.NewPost{
		Content: connectors.Post{Text: strings.Repeat("Notre histoire commence en 1962, rue Mercière. ", 8),
			Media: []connectors.Media{photo}},
		Targets: both(scheduling.TargetSpec{Queue: true}),
	}
	if _, _, err := t.sched.Create(ctx, camille, long); err != nil {
		var te *scheduling.TargetError
		if !errors.As(err, &te) {
			return err
		}
		t.f("  refused (\"%s\"): %v\n", firstWords(long.Content.Text), te.Err)
	} else {
		return errors.New("the over-long post was accepted")
	}

	if err := t.sched.Approve(ctx, sophie, contestPost.ID, "OK pour le concours, règlement validé"); err != nil {
		return err
	}
	t.f("  sophie approved \"%s\"\n\n", firstWords(contest.Content.Text))
	if err := t.plan(ctx); err != nil {
		return err
	}

	// Monday: the clock advances to 13:00 and what is due is published.
	if err := t.advanceTo(ctx, time.Date(2025, time.June, 2, 13, 0, 0, 0, t.paris)); err != nil {
		return err
	}

	// A restart: the database is closed and opened again by a new
	// scheduler. Everything still scheduled is there.
	if err := t.store.Close(); err != nil {
		return err
	}
	if err := t.open(ctx); err != nil {
		return err
	}
	pending, err := t.store.ListTargets(ctx, scheduling.TargetFilter{States: []scheduling.State{scheduling.Scheduled}})
	if err != nil {
		return err
	}
	t.f("\nRestarted: reopened %s, %d targets still scheduled\n", filepath.Base(path), len(pending))

	if err := t.advanceTo(ctx, time.Date(2025, time.June, 3, 19, 0, 0, 0, t.paris)); err != nil {
		return err
	}

	// Each network received each post once.
	t.f("\nOn the networks: ")
	for i, id := range []string{instagram, bluesky} {
		if i > 0 {
			t.f(", ")
		}
		handle := strings.SplitN(id, ":", 2)[1]
		t.f("%s %d posts", id, t.nets[id].PublishCount(handle))
	}
	t.f("\n\nAudit trail of \"%s\"\n", firstWords(contest.Content.Text))
	audit, err := t.sched.Audit(ctx, contestPost.ID)
	if err != nil {
		return err
	}
	for _, e := range audit {
		what := e.Action
		if e.To != 0 && e.To.String() != e.Action {
			what += " -> " + e.To.String()
		}
		target := ""
		if e.TargetID != "" {
			target = t.accountOf(ctx, e.TargetID)
		}
		line := fmt.Sprintf("  %s  %-9s %-24s %-30s %s", e.At.In(t.paris).Format("Mon 02 Jan 15:04"), actorName(e.Actor), target, what, e.Reason)
		t.f("%s\n", strings.TrimRight(line, " "))
	}
	return t.err
}

// open opens the store and a scheduler over it.
func (t *tool) open(ctx context.Context) error {
	store, err := sqlitestore.Open(ctx, t.path, nil)
	if err != nil {
		return err
	}
	sched, err := scheduling.New(scheduling.Config{Store: store, Accounts: scheduling.AccountMap(t.accts),
		Clock: t.clock, Owner: "tool",
		Hooks: scheduling.Hooks{Published: t.record, Failed: t.record}})
	if err != nil {
		_ = store.Close()
		return err
	}
	t.store, t.sched = store, sched
	return nil
}

func (t *tool) record(e scheduling.Event) {
	t.mu.Lock()
	t.events = append(t.events, e)
	t.mu.Unlock()
}

func (t *tool) create(ctx context.Context, actor scheduling.Actor, how string, np scheduling.NewPost) error {
	_, err := t.createPost(ctx, actor, how, np)
	return err
}

func (t *tool) createPost(ctx context.Context, actor scheduling.Actor, how string, np scheduling.NewPost) (*scheduling.Post, error) {
	p, _, err := t.sched.Create(ctx, actor, np)
	if err != nil {
		return nil, err
	}
	t.f("  %s scheduled \"%s\" (%s)\n", actor.ID, firstWords(np.Content.Text), how)
	return p, nil
}

// plan prints the targets waiting to be published, in time order.
func (t *tool) plan(ctx context.Context) error {
	ts, err := t.store.ListTargets(ctx, scheduling.TargetFilter{States: []scheduling.State{scheduling.Scheduled, scheduling.AwaitingApproval}})
	if err != nil {
		return err
	}
	t.f("Plan\n")
	for _, tg := range ts {
		p, _, err := t.store.GetPost(ctx, tg.PostID)
		if err != nil {
			return err
		}
		t.f("  %s  %-24s %s\n", tg.Due.In(t.paris).Format("Mon 02 Jan 15:04"), tg.AccountID, firstWords(p.Content.Text))
	}
	return nil
}

// advanceTo moves the clock hour by hour to end, publishing what falls
// due at each step.
func (t *tool) advanceTo(ctx context.Context, end time.Time) error {
	for t.clock.Now().Before(end) {
		next := t.clock.Now().Add(30 * time.Minute)
		if next.After(end) {
			next = end
		}
		t.clock.Set(next)
		if _, err := t.sched.RunDue(ctx); err != nil {
			return err
		}
		t.mu.Lock()
		evs := t.events
		t.events = nil
		t.mu.Unlock()
		slices.SortFunc(evs, func(a, b scheduling.Event) int {
			return cmp.Or(a.Result.PublishedAt.Compare(b.Result.PublishedAt), cmp.Compare(a.AccountID, b.AccountID))
		})
		for _, e := range evs {
			p, _, err := t.store.GetPost(ctx, e.PostID)
			if err != nil {
				return err
			}
			if e.Kind != scheduling.EventPublished {
				t.f("%s  FAILED %-17s %s: %v\n", t.now(), e.AccountID, firstWords(p.Content.Text), e.Failure)
				continue
			}
			t.f("%s  published on %-24s %-44s %s\n", t.now(), e.AccountID, firstWords(p.Content.Text), e.Result.URL)
		}
	}
	return nil
}

func (t *tool) accountOf(ctx context.Context, targetID string) string {
	tg, err := t.store.GetTarget(ctx, targetID)
	if err != nil {
		return targetID
	}
	return tg.AccountID
}

func (t *tool) now() string { return t.clock.Now().In(t.paris).Format("Mon 02 Jan 15:04") }

func (t *tool) f(format string, args ...any) {
	if t.err == nil {
		_, t.err = fmt.Fprintf(t.w, format, args...)
	}
}

// actorName shortens the scheduler's own actor name.
func actorName(a string) string {
	if strings.HasPrefix(a, "scheduler:") {
		return "scheduler"
	}
	return a
}

// firstWords returns the first five words of s, with "…" if cut.
func firstWords(s string) string {
	w := strings.Fields(s)
	if len(w) <= 5 {
		return strings.Join(w, " ")
	}
	return strings.Join(w[:5], " ") + "…"
}
