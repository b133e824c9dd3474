package discord_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/connectortest"
	"github.com/cmkit/cmkit/connectors/discord"
	"github.com/cmkit/cmkit/connectors/driver"
)

// harness runs a fresh fake Discord for each Open.
type harness struct {
	t        testing.TB
	mu       sync.Mutex
	f        *fakeDiscord
	srv      *httptest.Server
	requests int64
}

func (h *harness) Open(ctx context.Context) (driver.Driver, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closeLocked()
	f := newFakeDiscord()
	srv := httptest.NewServer(f)
	h.f, h.srv = f, srv
	return discord.Open(ctx, driver.Config{
		Server:  srv.URL + "/api/v10",
		Account: f.channel,
		Tokens:  oauth2.StaticTokenSource(&oauth2.Token{AccessToken: f.token, TokenType: "Bot"}),
	})
}

func (h *harness) closeLocked() {
	if h.srv != nil {
		h.requests += h.f.requests.Load()
		for _, p := range h.f.Problems() {
			h.t.Errorf("fake Discord: %s", p)
		}
		h.srv.Close()
		h.srv, h.f = nil, nil
	}
}

func (h *harness) Capabilities() driver.Capabilities {
	return driver.CapPublish | driver.CapDelete | driver.CapEdit | driver.CapComments | driver.CapMentions |
		driver.CapReply | driver.CapDeleteComment | driver.CapLike | driver.CapPostMetrics | driver.CapAccountMetrics |
		driver.CapSendMessages | driver.CapThreads | driver.CapMedia | driver.CapIdempotencyKey
}

func (h *harness) fake() *fakeDiscord {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.f
}

func (h *harness) Interact(ctx context.Context, kind driver.InteractionKind, target, text string) (string, error) {
	f := h.fake()
	channel, ref := f.channel, target
	if c, m, ok := strings.Cut(target, ":"); ok {
		channel, ref = c, m
	}
	var id string
	var err error
	switch kind {
	case driver.Comment, driver.Reply:
		id, err = f.userSays(channel, ref, text, false)
	case driver.Mention:
		id, err = f.userSays(f.channel, "", text, true)
	default:
		return "", driver.ErrUnsupported
	}
	if err != nil || channel == f.channel {
		return id, err
	}
	return channel + ":" + id, nil
}

func (h *harness) Fail(fault connectortest.Fault, n int) bool {
	status := fault.HTTPStatus()
	f := h.fake()
	if status == 0 || f == nil {
		return false
	}
	f.Fail(status, n)
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
	h.closeLocked()
	return nil
}

func TestConformance(t *testing.T) {
	connectortest.RunConformanceTests(t, &harness{t: t})
}
