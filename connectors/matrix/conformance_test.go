package matrix_test

import (
	"context"
	"testing"

	"github.com/cmkit/cmkit/connectors/connectortest"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/matrix"
)

// harness runs the conformance suite against the fake homeserver: the
// account is @brand in #community, the other user @other.
type harness struct {
	f *fake
}

func (h *harness) Open(ctx context.Context) (driver.Driver, error) {
	h.f.reset()
	return matrix.Open(ctx, driver.Config{
		Server: h.f.srv.URL, Account: "#community:" + fakeServer,
		Username: "brand", Password: "brand-pass",
	})
}

func (h *harness) Capabilities() driver.Capabilities {
	return driver.CapPublish | driver.CapDelete | driver.CapEdit | driver.CapComments | driver.CapMentions |
		driver.CapReply | driver.CapDeleteComment | driver.CapLike | driver.CapPostMetrics |
		driver.CapAccountMetrics | driver.CapReadMessages | driver.CapSendMessages | driver.CapFindPost |
		driver.CapThreads | driver.CapMedia | driver.CapIdempotencyKey
}

func (h *harness) Interact(ctx context.Context, kind driver.InteractionKind, target, text string) (string, error) {
	other := "@other:" + fakeServer
	switch kind {
	case driver.Comment, driver.Reply:
		// A rich reply from a v1.7+ client: m.in_reply_to and the parent's sender in m.mentions.
		return h.f.post(h.f.roomID(), other, map[string]any{
			"msgtype": "m.text", "body": text,
			"m.relates_to": map[string]any{"m.in_reply_to": map[string]any{"event_id": target}},
			"m.mentions":   map[string]any{},
		}), nil
	case driver.Mention:
		return h.f.post(h.f.roomID(), other, map[string]any{
			"msgtype": "m.text", "body": "brand: " + text,
			"format": "org.matrix.custom.html", "formatted_body": `<a href="https://matrix.to/#/@brand:example.org">brand</a>: ` + text,
			"m.mentions": map[string]any{"user_ids": []string{"@brand:" + fakeServer}},
		}), nil
	case driver.DirectMessage:
		room := target
		if room == "" {
			room = h.f.dmRoom()
		}
		return h.f.post(room, other, map[string]any{"msgtype": "m.text", "body": text}), nil
	}
	return "", driver.ErrUnsupported
}

func (h *harness) Fail(f connectortest.Fault, n int) bool {
	h.f.fail(f, n)
	return true
}

func (h *harness) Requests() int64 { return h.f.requests.Load() }

func (h *harness) Close() error { return nil }

func TestConformance(t *testing.T) {
	connectortest.RunConformanceTests(t, &harness{f: newFake(t)})
}
