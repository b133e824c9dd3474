package slack_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/connectortest"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/slack"
)

// serve starts f on a test server.
func serve(f *fakeSlack) *httptest.Server {
	srv := httptest.NewServer(f)
	f.base = srv.URL
	return srv
}

// openDriver opens a driver on f's channel, without client-side pacing
// (the fake does not limit).
func openDriver(ctx context.Context, f *fakeSlack, srv *httptest.Server) (driver.Driver, error) {
	return slack.Open(ctx, driver.Config{
		Server:  srv.URL + "/api",
		Account: f.channel,
		Tokens:  oauth2.StaticTokenSource(&oauth2.Token{AccessToken: f.token}),
		Options: map[string]string{"pacing": "off"},
	})
}

// harness runs a fresh fake Slack for each Open.
type harness struct {
	t        testing.TB
	mu       sync.Mutex
	f        *fakeSlack
	srv      *httptest.Server
	requests int64
}

func (h *harness) Open(ctx context.Context) (driver.Driver, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closeLocked()
	h.f = newFakeSlack()
	h.srv = serve(h.f)
	return openDriver(ctx, h.f, h.srv)
}

func (h *harness) closeLocked() {
	if h.srv != nil {
		h.requests += h.f.requests.Load()
		for _, p := range h.f.Problems() {
			h.t.Errorf("fake Slack: %s", p)
		}
		h.srv.Close()
		h.srv, h.f = nil, nil
	}
}

func (h *harness) Capabilities() driver.Capabilities {
	return driver.CapPublish | driver.CapDelete | driver.CapEdit | driver.CapComments | driver.CapMentions |
		driver.CapReply | driver.CapLike | driver.CapPostMetrics | driver.CapAccountMetrics |
		driver.CapReadMessages | driver.CapSendMessages | driver.CapFindPost | driver.CapThreads | driver.CapMedia
}

func (h *harness) fake() *fakeSlack {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.f
}

func (h *harness) Interact(ctx context.Context, kind driver.InteractionKind, target, text string) (string, error) {
	f := h.fake()
	switch kind {
	case driver.Comment, driver.Reply:
		ch, ts, _ := strings.Cut(target, ":")
		return f.userSays(ch, ts, text)
	case driver.Mention:
		return f.userSays(f.channel, "", "<@"+botUser+"> "+text)
	case driver.DirectMessage:
		return f.userDMs(text), nil
	}
	return "", driver.ErrUnsupported
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
