package telegram_test

import (
	"context"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/cmkit/cmkit/connectors/connectortest"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/telegram"
)

// openDriver opens a driver on the fake's channel, without client-side
// pacing (the fake does not limit).
func openDriver(ctx context.Context, f *fakeTelegram, srv *httptest.Server) (driver.Driver, error) {
	return telegram.Open(ctx, driver.Config{
		Server:   srv.URL,
		Account:  "@brandchannel",
		Password: f.token,
		Options:  map[string]string{"pacing": "off"},
	})
}

// harness runs a fresh fake Bot API for each Open.
type harness struct {
	t        testing.TB
	mu       sync.Mutex
	f        *fakeTelegram
	srv      *httptest.Server
	requests int64
}

func (h *harness) Open(ctx context.Context) (driver.Driver, error) {
	h.mu.Lock()
	defer h.mu.Unlock()
	h.closeLocked()
	h.f = newFakeTelegram()
	h.srv = httptest.NewServer(h.f)
	return openDriver(ctx, h.f, h.srv)
}

func (h *harness) closeLocked() {
	if h.srv != nil {
		h.requests += h.f.requests.Load()
		for _, p := range h.f.Problems() {
			h.t.Errorf("fake Telegram: %s", p)
		}
		h.srv.Close()
		h.srv, h.f = nil, nil
	}
}

func (h *harness) Capabilities() driver.Capabilities {
	return driver.CapPublish | driver.CapDelete | driver.CapEdit | driver.CapComments | driver.CapMentions |
		driver.CapReply | driver.CapDeleteComment | driver.CapLike | driver.CapAccountMetrics |
		driver.CapReadMessages | driver.CapSendMessages | driver.CapThreads | driver.CapMedia
}

func (h *harness) fake() *fakeTelegram {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.f
}

func (h *harness) Interact(ctx context.Context, kind driver.InteractionKind, target, text string) (string, error) {
	f := h.fake()
	switch kind {
	case driver.Comment, driver.Reply:
		c, m, _ := strings.Cut(target, ":")
		chat, _ := strconv.ParseInt(c, 10, 64)
		msg, _ := strconv.ParseInt(m, 10, 64)
		if chat == channelID {
			chat, msg = groupID, f.copyOf(msg)
		}
		return f.userSays(chat, msg, text, false)
	case driver.Mention:
		return f.userSays(groupID, 0, text, true)
	case driver.DirectMessage:
		return f.userSays(userID, 0, text, false)
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
