package scheduling_test

import (
	"context"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/memconnector"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/memstore"
)

// monday is Monday 2026-03-02 08:00 UTC.
var monday = time.Date(2026, 3, 2, 8, 0, 0, 0, time.UTC)

type harness struct {
	t        *testing.T
	ctx      context.Context
	clock    *scheduling.FakeClock
	store    *memstore.Store
	net      *memconnector.Network
	accounts map[string]*connectors.Account
	sched    *scheduling.Scheduler
	mu       sync.Mutex
	events   []scheduling.Event
}

type harnessOpt func(*scheduling.Config)

func newHarness(t *testing.T, handles []string, opts ...harnessOpt) *harness {
	t.Helper()
	h := &harness{t: t, ctx: context.Background(), clock: scheduling.NewFakeClock(monday), store: memstore.New(),
		accounts: map[string]*connectors.Account{}}
	h.net = memconnector.NewNetwork(&memconnector.NetworkOptions{Now: h.clock.Now, Profile: "x"})
	for _, hd := range handles {
		h.addAccount(hd, h.net)
	}
	cfg := scheduling.Config{Store: h.store, Accounts: scheduling.AccountMap(h.accounts), Clock: h.clock, Owner: "w1",
		Hooks: h.hooks()}
	for _, o := range opts {
		o(&cfg)
	}
	s, err := scheduling.New(cfg)
	require.NoError(t, err)
	h.sched = s
	return h
}

func (h *harness) addAccount(handle string, n *memconnector.Network) *connectors.Account {
	a, err := n.Account(h.ctx, handle, accountOptions(h.clock.Now))
	require.NoError(h.t, err)
	h.accounts[handle] = a
	return a
}

func (h *harness) addDriver(id string, d driver.Driver) {
	a, err := connectors.NewAccount(h.ctx, d, accountOptions(h.clock.Now))
	require.NoError(h.t, err)
	h.accounts[id] = a
}

// accountOptions never sleep: the Account's short retries return at once.
func accountOptions(now func() time.Time) *connectors.AccountOptions {
	return &connectors.AccountOptions{Now: now, Sleep: func(ctx context.Context, d time.Duration) error { return ctx.Err() }}
}

func (h *harness) hooks() scheduling.Hooks {
	rec := func(e scheduling.Event) {
		h.mu.Lock()
		h.events = append(h.events, e)
		h.mu.Unlock()
	}
	return scheduling.Hooks{Published: rec, Failed: rec, NeedsApproval: rec, NeedsRescheduling: rec, Deferred: rec}
}

func (h *harness) eventKinds() []scheduling.EventKind {
	h.mu.Lock()
	defer h.mu.Unlock()
	var out []scheduling.EventKind
	for _, e := range h.events {
		out = append(out, e.Kind)
	}
	return out
}

func (h *harness) lastEvent() scheduling.Event {
	h.mu.Lock()
	defer h.mu.Unlock()
	require.NotEmpty(h.t, h.events)
	return h.events[len(h.events)-1]
}

var cm = scheduling.Actor{ID: "camille", Roles: []string{"cm"}}

func (h *harness) create(text string, specs ...scheduling.TargetSpec) (*scheduling.Post, []*scheduling.Target) {
	h.t.Helper()
	p, ts, err := h.sched.Create(h.ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: text}, Targets: specs})
	require.NoError(h.t, err)
	return p, ts
}

func (h *harness) target(id string) *scheduling.Target {
	h.t.Helper()
	t, err := h.store.GetTarget(h.ctx, id)
	require.NoError(h.t, err)
	return t
}

func (h *harness) runDue() int {
	h.t.Helper()
	n, err := h.sched.RunDue(h.ctx)
	require.NoError(h.t, err)
	return n
}

func (h *harness) actions(postID string) []string {
	h.t.Helper()
	es, err := h.sched.Audit(h.ctx, postID)
	require.NoError(h.t, err)
	var out []string
	for _, e := range es {
		s := e.Action
		if e.TargetID != "" {
			s += ":" + e.From.String() + ">" + e.To.String()
		}
		out = append(out, s)
	}
	return out
}

func at(d time.Duration) scheduling.TargetSpec { return scheduling.TargetSpec{At: monday.Add(d)} }

func on(account string, s scheduling.TargetSpec) scheduling.TargetSpec {
	s.AccountID = account
	return s
}

// fakeDriver is a network with neither FindPost nor (unless idempotent)
// idempotency keys, whose first publishes can fail after committing.
type fakeDriver struct {
	mu         sync.Mutex
	idempotent bool
	posts      []string
	keys       map[string]string
	calls      int
	failAfter  int // the next failAfter publishes store the post, then return Indeterminate
	block      chan struct{}
	entered    chan struct{}
}

func (d *fakeDriver) Describe(context.Context) (driver.Description, error) {
	return driver.Description{Network: "fake", DisplayName: "Fake", Idempotent: d.idempotent,
		Limits: driver.Limits{MaxText: 500, NoMedia: true}}, nil
}

func (d *fakeDriver) Publish(ctx context.Context, p *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	if d.entered != nil {
		d.entered <- struct{}{}
	}
	if d.block != nil {
		select {
		case <-d.block:
		case <-ctx.Done():
			return driver.PublishResult{}, &driver.Error{Code: driver.Indeterminate, Message: "canceled after sending"}
		}
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	d.calls++
	if d.idempotent && o.IdempotencyKey != "" {
		if id, ok := d.keys[o.IdempotencyKey]; ok {
			return driver.PublishResult{Status: driver.Published, ID: id}, nil
		}
	}
	id := "f" + strings.Repeat("x", len(d.posts)+1)
	d.posts = append(d.posts, p.Text)
	if d.keys == nil {
		d.keys = map[string]string{}
	}
	d.keys[o.IdempotencyKey] = id
	if d.failAfter > 0 {
		d.failAfter--
		return driver.PublishResult{}, &driver.Error{Code: driver.Indeterminate, Message: "connection reset after sending"}
	}
	return driver.PublishResult{Status: driver.Published, ID: id, URL: "https://fake/" + id}, nil
}

func (d *fakeDriver) published() []string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return append([]string(nil), d.posts...)
}
