package mastodon_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/connectortest"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/mastodon"
)

// harness runs the conformance suite against a fresh fake instance for
// each Open.
type harness struct {
	t        testing.TB
	mu       sync.Mutex
	f        *fake
	requests int64 // of the fakes already closed
}

func noSleep(ctx context.Context, d time.Duration) error { return ctx.Err() }

func (h *harness) Open(ctx context.Context) (driver.Driver, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f != nil {
		h.requests += h.f.requests.Load()
		h.f.close()
	}
	h.f = newFake(h.t)
	h.f.processing = 1 // every upload answers 202, then 206 once
	return mastodon.New(ctx, driver.Config{
		Server: h.f.srv.URL,
		Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: brandToken}),
	}, &mastodon.Options{Sleep: noSleep})
}

func (h *harness) Capabilities() driver.Capabilities {
	return driver.CapPublish | driver.CapDelete | driver.CapEdit | driver.CapComments | driver.CapMentions |
		driver.CapReply | driver.CapLike | driver.CapPostMetrics | driver.CapAccountMetrics |
		driver.CapReadMessages | driver.CapSendMessages | driver.CapFindPost | driver.CapThreads |
		driver.CapMedia | driver.CapIdempotencyKey
}

func (h *harness) fake() *fake {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.f
}

// Interact posts as the fan: a reply (Comment, Reply), a public status
// mentioning the brand (Mention) or a direct status to it (DirectMessage,
// answering conversation target when given).
func (h *harness) Interact(ctx context.Context, kind driver.InteractionKind, target, text string) (string, error) {
	f := h.fake()
	switch kind {
	case driver.Comment, driver.Reply:
		return f.fanPost(text, "public", target)
	case driver.Mention:
		return f.fanPost("@brand "+text, "public", "")
	case driver.DirectMessage:
		replyTo := ""
		if target != "" {
			replyTo = f.conversationLast(target)
		}
		return f.fanPost("@brand "+text, "direct", replyTo)
	}
	return "", driver.ErrUnsupported
}

func (h *harness) Fail(fault connectortest.Fault, n int) bool {
	status := fault.HTTPStatus()
	f := h.fake()
	if status == 0 || f == nil {
		return false
	}
	f.failNext(status, n)
	return true
}

func (h *harness) Requests() int64 {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f == nil {
		return h.requests
	}
	return h.requests + h.f.requests.Load()
}

func (h *harness) Close() error {
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.f != nil {
		h.f.close()
	}
	return nil
}

func TestConformance(t *testing.T) {
	connectortest.RunConformanceTests(t, &harness{t: t})
}
