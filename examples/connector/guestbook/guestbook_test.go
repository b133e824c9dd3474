package guestbook_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/connectortest"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/examples/connector/guestbook"
	"github.com/cmkit/cmkit/examples/connector/guestbookserver"
	"golang.org/x/oauth2"
)

// harness runs a fresh guestbook server for each Open.
type harness struct {
	t   testing.TB
	srv *httptest.Server
	gb  *guestbookserver.Server
	// requests counts those of closed servers.
	requests int64
}

func (h *harness) Open(ctx context.Context) (driver.Driver, error) {
	if h.srv != nil {
		h.requests += h.gb.Requests()
		h.srv.Close()
	}
	h.gb = guestbookserver.New("tok")
	h.srv = httptest.NewServer(h.gb)
	return guestbook.Open(ctx, driver.Config{
		Server: h.srv.URL,
		Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"}),
	})
}

func (h *harness) Capabilities() driver.Capabilities {
	return driver.CapPublish | driver.CapDelete | driver.CapComments
}

func (h *harness) Interact(ctx context.Context, kind driver.InteractionKind, target, text string) (string, error) {
	if kind != driver.Comment {
		return "", driver.ErrUnsupported
	}
	c, ok := h.gb.AddComment(target, "visitor", text)
	if !ok {
		return "", errors.New("no such entry " + target)
	}
	return c.ID, nil
}

func (h *harness) Fail(f connectortest.Fault, n int) bool {
	status := map[connectortest.Fault]int{
		connectortest.FaultRateLimited:     http.StatusTooManyRequests,
		connectortest.FaultUnauthenticated: http.StatusUnauthorized,
		connectortest.FaultUnavailable:     http.StatusServiceUnavailable,
	}[f]
	if status == 0 || h.gb == nil {
		return false
	}
	h.gb.FailNext(status, n)
	return true
}

func (h *harness) Requests() int64 {
	if h.gb == nil {
		return h.requests
	}
	return h.requests + h.gb.Requests()
}

func (h *harness) Close() error {
	if h.srv != nil {
		h.srv.Close()
	}
	return nil
}

func TestConformance(t *testing.T) {
	connectortest.RunConformanceTests(t, &harness{t: t})
}

func TestOpenByURL(t *testing.T) {
	gb := guestbookserver.New("tok")
	srv := httptest.NewServer(gb)
	defer srv.Close()
	ctx := context.Background()
	tokens := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})
	// srv.URL is http://127.0.0.1:port; the +http scheme keeps plain HTTP.
	acct, err := connectors.OpenURL(ctx, "guestbook+http://"+srv.Listener.Addr().String()+"/brand", connectors.Config{Tokens: tokens}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if acct.Description().Handle != "brand" {
		t.Fatalf("handle %q", acct.Description().Handle)
	}
	_, err = connectors.Open(ctx, "guestbook", connectors.Config{Server: srv.URL,
		Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "wrong"})}, nil)

	if !errors.Is(err, connectors.ErrUnauthenticated) {
		t.Fatalf("wrong token: got %v, want ErrUnauthenticated", err)
	}
	_, err = connectors.Open(ctx, "guestbook", connectors.Config{Tokens: tokens}, nil)
	if !errors.Is(err, connectors.ErrInvalidContent) {
		t.Fatalf("no server: got %v", err)
	}
}
