package bluesky

import (
	"context"
	"net/http"
	"strconv"
	"sync"
	"testing"

	"github.com/cmkit/cmkit/connectors/connectortest"
	"github.com/cmkit/cmkit/connectors/driver"
)

// harness runs the conformance suite against the fake PDS and AppView.
type harness struct {
	f    *fake
	fan  string // DID of the other user who comments and mentions
	opts map[string]string

	mu     sync.Mutex
	n      int
	handle string // the account opened last
}

func newHarness(t testing.TB, opts map[string]string) *harness {
	f := newFake(t)
	h := &harness{f: f, opts: opts}
	h.fan = f.addAccount("fan.test", "fan-app-password")
	return h
}

func (h *harness) Open(ctx context.Context) (driver.Driver, error) {
	h.mu.Lock()
	h.n++
	handle := "brand" + strconv.Itoa(h.n) + ".test"
	h.handle = handle
	h.mu.Unlock()
	h.f.addAccount(handle, "abcd-efgh-ijkl-mnop")
	d, err := Open(ctx, driver.Config{Server: h.f.srv.URL, Username: handle, Password: "abcd-efgh-ijkl-mnop", Options: h.opts})
	if err != nil {
		return nil, err
	}
	return d, nil
}

func (h *harness) Capabilities() driver.Capabilities {
	c := driver.CapPublish | driver.CapDelete | driver.CapComments | driver.CapMentions | driver.CapReply |
		driver.CapHideComment | driver.CapLike | driver.CapPostMetrics | driver.CapAccountMetrics |
		driver.CapFindPost | driver.CapThreads | driver.CapMedia | driver.CapIdempotencyKey
	if h.opts["chat"] == "true" {
		c |= driver.CapReadMessages | driver.CapSendMessages
	}
	return c
}

func (h *harness) Interact(ctx context.Context, kind driver.InteractionKind, target, text string) (string, error) {
	switch kind {
	case driver.Comment, driver.Reply:
		return h.f.post(h.fan, text, target, "")
	case driver.Mention:
		h.mu.Lock()
		handle := h.handle
		h.mu.Unlock()
		return h.f.post(h.fan, text, "", handle)
	case driver.DirectMessage:
		if h.opts["chat"] != "true" {
			return "", driver.ErrUnsupported
		}
		// The fan writes to the account (target, a conversation ID, is
		// the fan's conversation with it either way).
		h.mu.Lock()
		handle := h.handle
		h.mu.Unlock()
		return h.f.dm(h.fan, h.f.didOf(handle), text)
	}
	return "", driver.ErrUnsupported
}

func (h *harness) Fail(f connectortest.Fault, n int) bool {
	switch f {
	case connectortest.FaultRateLimited:
		hd := http.Header{}
		hd.Set("RateLimit-Limit", "3000")
		hd.Set("RateLimit-Remaining", "0")
		hd.Set("RateLimit-Policy", "3000;w=300")
		hd.Set("Retry-After", "1")
		h.f.fail(n, fakeFault{status: 429, name: "RateLimitExceeded", header: hd})
	case connectortest.FaultUnauthenticated:
		h.f.fail(n, fakeFault{status: 401, name: "AuthenticationRequired"})
	case connectortest.FaultUnavailable:
		hd := http.Header{}
		hd.Set("Retry-After", "0")
		h.f.fail(n, fakeFault{status: 503, name: "InternalServerError", header: hd})
	default:
		return false
	}
	return true
}

func (h *harness) Requests() int64 { return h.f.requests.Load() }

func (h *harness) Close() error { return nil }

func TestConformance(t *testing.T) {
	connectortest.RunConformanceTests(t, newHarness(t, nil))
}

func TestConformanceWithChat(t *testing.T) {
	connectortest.RunConformanceTests(t, newHarness(t, map[string]string{"chat": "true"}))
}
