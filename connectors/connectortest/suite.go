package connectortest

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
)

// Fault is a failure a Harness makes the network answer with.
type Fault int

// The faults.
const (
	// FaultRateLimited answers 429 with the network's rate-limit headers
	// (Retry-After or a reset time).
	FaultRateLimited Fault = iota + 1
	// FaultUnauthenticated answers 401 (expired or revoked token).
	FaultUnauthenticated
	// FaultUnavailable answers 503 before processing the request.
	FaultUnavailable
)

// String names the fault.
func (f Fault) String() string {
	switch f {
	case FaultRateLimited:
		return "rate limited"
	case FaultUnauthenticated:
		return "unauthenticated"
	case FaultUnavailable:
		return "unavailable"
	}
	return "Fault(" + strconv.Itoa(int(f)) + ")"
}

// HTTPStatus is the status an HTTP network answers the fault with (429,
// 401, 503), for harnesses over fake HTTP servers; 0 for an unknown fault.
// The fake adds the network's own headers and body (Retry-After, error
// JSON).
func (f Fault) HTTPStatus() int {
	switch f {
	case FaultRateLimited:
		return http.StatusTooManyRequests
	case FaultUnauthenticated:
		return http.StatusUnauthorized
	case FaultUnavailable:
		return http.StatusServiceUnavailable
	}
	return 0
}

// Harness connects the suite to one connector and a network it controls.
type Harness interface {
	// Open returns a driver for a fresh account with no posts on a fresh
	// network state.
	Open(ctx context.Context) (driver.Driver, error)
	// Capabilities is what the driver must report; the suite checks the
	// Account reports exactly these and exercises each.
	Capabilities() driver.Capabilities
	// Interact makes another user act on the network: Comment on post
	// target, Reply to comment target, Mention of the account (target ""),
	// DirectMessage (target = conversation ID or ""). Returns the new
	// interaction's ID. An error matching driver.ErrUnsupported skips the
	// checks that need it.
	Interact(ctx context.Context, kind driver.InteractionKind, target, text string) (string, error)
	// Fail makes the next n requests fail with f exactly as the network
	// answers it (429 with its headers, 401, 503). false = cannot simulate
	// (the subtest is skipped with the reason).
	Fail(f Fault, n int) bool
	// Requests is the number of requests/calls the driver has made to the
	// network so far.
	Requests() int64
	// Close releases the harness.
	Close() error
}

// checkTimeout bounds each check.
const checkTimeout = 60 * time.Second

// suite is one run of the conformance tests.
type suite struct {
	h    Harness
	caps driver.Capabilities
}

// check is one named check.
type check struct {
	name string
	run  func(s *suite, t testing.TB, ctx context.Context)
}

var checks = []check{
	{"Describe", (*suite).describe},
	{"Capabilities", (*suite).capabilities},
	{"Publish", (*suite).publish},
	{"Delete", (*suite).delete},
	{"Media", (*suite).media},
	{"Thread", (*suite).thread},
	{"FirstComment", (*suite).firstComment},
	{"ValidationBeforeRequest", (*suite).validation},
	{"Unsupported", (*suite).unsupported},
	{"Comments", (*suite).comments},
	{"CommentsUnknownPost", (*suite).commentsUnknownPost},
	{"Mentions", (*suite).mentions},
	{"Messages", (*suite).messages},
	{"SendMessage", (*suite).sendMessage},
	{"Reply", (*suite).reply},
	{"HideComment", (*suite).hideComment},
	{"DeleteComment", (*suite).deleteComment},
	{"Like", (*suite).like},
	{"PostMetrics", (*suite).postMetrics},
	{"AccountMetrics", (*suite).accountMetrics},
	{"Idempotency", (*suite).idempotency},
	{"FindPost", (*suite).findPost},
	{"Pending", (*suite).pending},
	{"RateLimited", (*suite).rateLimited},
	{"Unauthenticated", (*suite).unauthenticated},
	{"Unavailable", (*suite).unavailable},
	{"ConcurrentPublish", (*suite).concurrentPublish},
}

// RunConformanceTests runs every check against the connector behind h,
// each as a named subtest when t can run subtests. It closes h when done.
func RunConformanceTests(t testing.TB, h Harness) {
	t.Helper()
	s := &suite{h: h, caps: h.Capabilities()}
	defer func() {
		if err := h.Close(); err != nil {
			t.Errorf("Harness.Close: %v", err)
		}
	}()
	for _, c := range checks {
		runCheck(t, c.name, func(t testing.TB) {
			ctx, cancel := context.WithTimeout(context.Background(), checkTimeout)
			defer cancel()
			c.run(s, t, ctx)
		})
	}
}

type subtester interface {
	Run(name string, f func(*testing.T)) bool
}

// runCheck runs f as a subtest, or in its own goroutine (so that a
// runtime.Goexit from a double's FailNow ends only this check).
func runCheck(t testing.TB, name string, f func(t testing.TB)) {
	t.Helper()
	if r, ok := t.(subtester); ok {
		r.Run(name, func(t *testing.T) { f(t) })
		return
	}
	nt := &named{TB: t, name: name}
	done := make(chan struct{})
	go func() {
		defer close(done)
		defer func() {
			if r := recover(); r != nil {
				t.Errorf("%s: panic: %v", name, r)
			}
		}()
		f(nt)
	}()
	<-done
}

// named prefixes messages with the check's name in sequential mode.
type named struct {
	testing.TB
	name string
}

func (n *named) Errorf(format string, args ...any) {
	n.TB.Helper()
	n.TB.Errorf(n.name+": "+format, args...)
}

func (n *named) Fatalf(format string, args ...any) {
	n.TB.Helper()
	n.TB.Fatalf(n.name+": "+format, args...)
}

func (n *named) Logf(format string, args ...any) {
	n.TB.Helper()
	n.TB.Logf(n.name+": "+format, args...)
}

func (n *named) Skipf(format string, args ...any) {
	n.TB.Helper()
	n.TB.Skipf(n.name+": "+format, args...)
}

// --- helpers ---------------------------------------------------------------

func (s *suite) has(c driver.Capability) bool { return s.caps.Has(c) }

func (s *suite) need(t testing.TB, c driver.Capability) {
	t.Helper()
	if !s.has(c) {
		t.Skipf("harness does not declare %s", c)
	}
}

// open returns a raw driver on a fresh account.
func (s *suite) open(t testing.TB, ctx context.Context) driver.Driver {
	t.Helper()
	d, err := s.h.Open(ctx)
	if err != nil {
		t.Fatalf("Harness.Open: %v", err)
	}
	if d == nil {
		t.Fatalf("Harness.Open returned a nil driver")
	}
	return d
}

func noSleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

// account returns an Account over a fresh driver, retrying without
// sleeping.
func (s *suite) account(t testing.TB, ctx context.Context) (*connectors.Account, driver.Driver) {
	t.Helper()
	d := s.open(t, ctx)
	a, err := connectors.NewAccount(ctx, d, &connectors.AccountOptions{Sleep: noSleep, MaxWait: 24 * time.Hour})
	if err != nil {
		t.Fatalf("NewAccount: %v", err)
	}
	return a, d
}

var seq struct {
	mu sync.Mutex
	n  int
}

// text returns a unique post text.
func text(what string) string {
	seq.mu.Lock()
	seq.n++
	n := seq.n
	seq.mu.Unlock()
	return "connectortest " + what + " " + strconv.Itoa(n)
}

// pixel is a 1×1 PNG.
var pixel = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
	0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
	0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
	0x44, 0xae, 0x42, 0x60, 0x82,
}

// image returns an attachment the account's limits accept.
func image(l driver.Limits) driver.Media {
	mt := "image/png"
	if len(l.ImageTypes) > 0 && !slices.Contains(l.ImageTypes, mt) {
		mt = l.ImageTypes[0]
	}
	return driver.Media{Kind: driver.MediaImage, MIMEType: mt, Data: slices.Clone(pixel),
		AltText: "A single red pixel", Filename: "pixel.png", Width: 1, Height: 1}
}

// post returns a valid post for the account, with an image when the
// network requires media.
func post(a *connectors.Account, what string) *driver.Post {
	p := &driver.Post{Text: text(what)}
	if l := a.Description().Limits; l.MediaRequired {
		p.Media = []driver.Media{image(l)}
	}
	return p
}

// publish1 publishes p through a and returns the result, resolving a
// Pending one.
func (s *suite) publish1(t testing.TB, ctx context.Context, a *connectors.Account, p *driver.Post, o *driver.PublishOptions) driver.PublishResult {
	t.Helper()
	res, err := a.Publish(ctx, p, o)
	if err != nil {
		t.Fatalf("Publish(%q): %v", p.Text, err)
	}
	return s.resolve(t, ctx, a, res)
}

// resolve waits out a Pending result.
func (s *suite) resolve(t testing.TB, ctx context.Context, a *connectors.Account, res driver.PublishResult) driver.PublishResult {
	t.Helper()
	for i := 0; res.Status == driver.Pending; i++ {
		if !s.has(driver.CapPending) {
			t.Fatalf("Publish returned Pending but the driver is no PendingResolver")
		}
		if len(res.Pending) == 0 {
			t.Fatalf("Publish returned Pending with no Pending state")
		}
		if i == 100 {
			t.Fatalf("still Pending after %d CheckPending calls", i)
		}
		var err error
		res, err = a.CheckPending(ctx, res.Pending)
		if err != nil {
			t.Fatalf("CheckPending: %v", err)
		}
	}
	if res.Status != driver.Published {
		t.Fatalf("publish status %v, want published", res.Status)
	}
	if res.ID == "" {
		t.Fatalf("published with an empty ID")
	}
	return res
}

func (s *suite) interact(t testing.TB, ctx context.Context, kind driver.InteractionKind, target, txt string) string {
	t.Helper()
	id, err := s.h.Interact(ctx, kind, target, txt)
	if errors.Is(err, driver.ErrUnsupported) {
		t.Skipf("harness cannot make a %v: %v", kind, err)
	}
	if err != nil {
		t.Fatalf("Harness.Interact(%v, %q): %v", kind, target, err)
	}
	if id == "" {
		t.Fatalf("Harness.Interact(%v) returned an empty ID", kind)
	}
	return id
}

func (s *suite) fail(t testing.TB, f Fault, n int) {
	t.Helper()
	if !s.h.Fail(f, n) {
		t.Skipf("harness cannot simulate %v", f)
	}
}

func wantCode(t testing.TB, what string, err error, sentinel error) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: got no error, want one matching %v", what, sentinel)
	}
	if !errors.Is(err, sentinel) {
		t.Fatalf("%s: got %v (code %v), want an error matching %v", what, err, driver.CodeOf(err), sentinel)
	}
}

// lister lists one page.
type lister func(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error)

// drain lists every page from cursor with the given limit, checking the
// paging contract, and returns the items and the last Next.
func drain(t testing.TB, ctx context.Context, list lister, cursor string, limit int) ([]driver.Interaction, string) {
	t.Helper()
	var all []driver.Interaction
	seen := map[string]int{}
	for page := 0; ; page++ {
		if page == 100 {
			t.Fatalf("listing did not end after %d pages", page)
		}
		pg, err := list(ctx, driver.PageRequest{Cursor: cursor, Limit: limit})
		if err != nil {
			t.Fatalf("page %d (cursor %q): %v", page, cursor, err)
		}
		if limit > 0 && len(pg.Items) > limit {
			t.Errorf("page %d has %d items, more than Limit %d", page, len(pg.Items), limit)
		}
		if pg.Next == "" && (len(pg.Items) > 0 || cursor != "") {
			t.Fatalf("page %d has an empty Next: Next must always resume", page)
		}
		for _, it := range pg.Items {
			if it.ID == "" {
				t.Errorf("page %d has an item with an empty ID", page)
			}
			if p, dup := seen[it.ID]; dup {
				t.Errorf("duplicate item %s on pages %d and %d: cursors must resume strictly after the last item", it.ID, p, page)
			}
			seen[it.ID] = page
			all = append(all, it)
		}
		if len(pg.Items) == 0 {
			if pg.More {
				t.Errorf("empty page %d reports More", page)
			}
			return all, pg.Next
		}
		cursor = pg.Next
	}
}

func ids(items []driver.Interaction) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

// checkListing makes want (in order) appear in a listing paged by 2, then
// checks that a new item appears on the next poll.
func (s *suite) checkListing(t testing.TB, ctx context.Context, list lister, want []string, kind driver.InteractionKind, more func() string) {
	t.Helper()
	items, next := drain(t, ctx, list, "", 2)
	if got := ids(items); !slices.Equal(got, want) {
		t.Fatalf("listing returned %v, want %v (oldest first, no gap, no duplicate)", got, want)
	}
	for i, it := range items {
		if it.Kind != kind {
			t.Errorf("item %s has kind %v, want %v", it.ID, it.Kind, kind)
		}
		if i > 0 && !it.CreatedAt.IsZero() && it.CreatedAt.Before(items[i-1].CreatedAt) {
			t.Errorf("item %s is older than the item before it: listings are oldest first", it.ID)
		}
		if it.Text == "" {
			t.Errorf("item %s has no text", it.ID)
		}
	}
	if next == "" {
		t.Fatalf("the empty page after the last has an empty Next")
	}
	// Polling again with the last Next finds nothing new, then the new item.
	pg, err := list(ctx, driver.PageRequest{Cursor: next, Limit: 2})
	if err != nil {
		t.Fatalf("polling with the last Next: %v", err)
	}
	if len(pg.Items) != 0 {
		t.Fatalf("polling with the last Next returned %v, want nothing new", ids(pg.Items))
	}
	if pg.Next == "" {
		t.Fatalf("an empty poll returned an empty Next")
	}
	id := more()
	newItems, _ := drain(t, ctx, list, pg.Next, 2)
	if got := ids(newItems); !slices.Equal(got, []string{id}) {
		t.Fatalf("after a new item, the next poll returned %v, want [%s]", got, id)
	}
}
