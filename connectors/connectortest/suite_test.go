package connectortest

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"sync"
	"testing"

	"github.com/cmkit/cmkit/connectors/driver"
)

func TestReferenceDriver(t *testing.T) {
	RunConformanceTests(t, newRefHarness())
}

// recorder is a testing.TB double recording what the suite reports. It
// implements only the methods the suite uses; FailNow and SkipNow end the
// check's goroutine as testing.T does.
type recorder struct {
	testing.TB
	mu      sync.Mutex
	failed  bool
	errors  []string
	skipped []string
}

func (r *recorder) Helper() {}

func (r *recorder) Errorf(format string, args ...any) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.failed = true
	r.errors = append(r.errors, fmt.Sprintf(format, args...))
}

func (r *recorder) Fatalf(format string, args ...any) {
	r.Errorf(format, args...)
	runtime.Goexit()
}

func (r *recorder) Logf(format string, args ...any) {}

func (r *recorder) Skipf(format string, args ...any) {
	r.mu.Lock()
	r.skipped = append(r.skipped, fmt.Sprintf(format, args...))
	r.mu.Unlock()
	runtime.Goexit()
}

func (r *recorder) Failed() bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.failed
}

func (r *recorder) report() string {
	r.mu.Lock()
	defer r.mu.Unlock()
	return strings.Join(r.errors, "\n")
}

func TestSequentialMode(t *testing.T) {
	r := &recorder{}
	RunConformanceTests(r, newRefHarness())
	if r.Failed() {
		t.Fatalf("the reference driver failed in sequential mode:\n%s", r.report())
	}
	if len(r.skipped) != 0 {
		t.Errorf("checks skipped for a harness declaring everything: %v", r.skipped)
	}
}

// dupComments repeats the last comment of each page at the top of the next:
// it resumes at the cursor instead of strictly after it.
type dupComments struct{ *refDriver }

func (d dupComments) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	if req.Cursor != "" && req.Cursor != "0" {
		var n int
		fmt.Sscan(req.Cursor, &n)
		req.Cursor = fmt.Sprint(n - 1)
	}
	return d.refDriver.ListComments(ctx, postID, req)
}

// retryingUnauth hides a 401 by retrying it itself, which drivers must not.
type retryingUnauth struct{ *refDriver }

func (d retryingUnauth) Publish(ctx context.Context, p *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	res, err := d.refDriver.Publish(ctx, p, o)
	if err != nil {
		return d.refDriver.Publish(ctx, p, o)
	}
	return res, err
}

// noDetails answers a 429 without RetryAfter or Reset.
type noDetails struct{ *refDriver }

func (d noDetails) Publish(ctx context.Context, p *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	res, err := d.refDriver.Publish(ctx, p, o)
	if driver.CodeOf(err) == driver.RateLimited {
		return res, &driver.Error{Code: driver.RateLimited, Status: 429}
	}
	return res, err
}

func TestSuiteCatchesBrokenDrivers(t *testing.T) {
	tests := []struct {
		name string
		h    func() *refHarness
		want string
	}{
		{"duplicate items across pages", func() *refHarness {
			h := newRefHarness()
			h.wrap = func(d *refDriver) driver.Driver { return dupComments{d} }
			return h
		}, "Comments: duplicate item"},
		{"capabilities not as declared", func() *refHarness {
			h := newRefHarness()
			h.caps &^= driver.CapLike
			return h
		}, "Capabilities: Account.Capabilities() ="},
		{"driver retries a failure", func() *refHarness {
			h := newRefHarness()
			h.wrap = func(d *refDriver) driver.Driver { return retryingUnauth{d} }
			return h
		}, "Unauthenticated: driver Publish on a 401: got no error"},
		{"rate limit without details", func() *refHarness {
			h := newRefHarness()
			h.wrap = func(d *refDriver) driver.Driver { return noDetails{d} }
			return h
		}, "RateLimited: rate-limit error"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := &recorder{}
			RunConformanceTests(r, tt.h())
			if !r.Failed() {
				t.Fatalf("the suite passed a broken driver")
			}
			if !strings.Contains(r.report(), tt.want) {
				t.Fatalf("the suite's report lacks %q:\n%s", tt.want, r.report())
			}
		})
	}
}

// partial exposes only publishing, deleting and listing comments.
type partial struct{ d *refDriver }

func (p partial) Describe(ctx context.Context) (driver.Description, error) { return p.d.Describe(ctx) }
func (p partial) Publish(ctx context.Context, post *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	res, err := p.d.Publish(ctx, post, o)
	for err == nil && res.Status == driver.Pending {
		res, err = p.d.CheckPending(ctx, res.Pending)
	}
	return res, err
}
func (p partial) DeletePost(ctx context.Context, id string) error { return p.d.DeletePost(ctx, id) }
func (p partial) ListComments(ctx context.Context, id string, r driver.PageRequest) (driver.InteractionPage, error) {
	return p.d.ListComments(ctx, id, r)
}

func TestPartialDriver(t *testing.T) {
	h := newRefHarness()
	h.wrap = func(d *refDriver) driver.Driver { return partial{d} }
	h.caps = driver.CapPublish | driver.CapDelete | driver.CapComments | driver.CapThreads |
		driver.CapFirstComment | driver.CapMedia | driver.CapIdempotencyKey
	r := &recorder{}
	RunConformanceTests(r, h)
	if r.Failed() {
		t.Fatalf("a correct partial driver failed:\n%s", r.report())
	}
	if len(r.skipped) == 0 {
		t.Fatalf("no check was skipped for a partial driver")
	}
	RunConformanceTests(t, h)
}

func TestFaultHTTPStatus(t *testing.T) {
	for f, want := range map[Fault]int{FaultRateLimited: 429, FaultUnauthenticated: 401, FaultUnavailable: 503, Fault(99): 0} {
		if got := f.HTTPStatus(); got != want {
			t.Errorf("%v.HTTPStatus() = %d, want %d", f, got, want)
		}
	}
}
