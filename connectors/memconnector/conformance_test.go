package memconnector_test

import (
	"context"
	"sync"
	"testing"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/connectortest"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/memconnector"
)

// allCaps is every capability.
const allCaps = driver.CapPublish | driver.CapDelete | driver.CapEdit | driver.CapComments |
	driver.CapMentions | driver.CapReply | driver.CapHideComment | driver.CapDeleteComment |
	driver.CapLike | driver.CapPostMetrics | driver.CapAccountMetrics | driver.CapReadMessages |
	driver.CapSendMessages | driver.CapPending | driver.CapFindPost | driver.CapThreads |
	driver.CapFirstComment | driver.CapMedia | driver.CapIdempotencyKey

// harness is the connectortest.Harness of a mem network: each Open makes a
// fresh Network; the other methods act on the latest one.
type harness struct {
	opts memconnector.NetworkOptions
	caps driver.Capabilities

	mu  sync.Mutex
	net *memconnector.Network
}

const brand = "brand"

func (h *harness) network() *memconnector.Network {
	h.mu.Lock()
	defer h.mu.Unlock()
	return h.net
}

func (h *harness) Open(ctx context.Context) (driver.Driver, error) {
	n := memconnector.NewNetwork(&h.opts)
	h.mu.Lock()
	h.net = n
	h.mu.Unlock()
	return n.Driver(brand)
}

func (h *harness) Capabilities() driver.Capabilities { return h.caps }

func (h *harness) Interact(ctx context.Context, kind driver.InteractionKind, target, text string) (string, error) {
	n := h.network()
	switch kind {
	case driver.Comment:
		return n.Comment(ctx, "camille", target, text)
	case driver.Reply:
		return n.ReplyTo(ctx, "liam", target, text)
	case driver.Mention:
		return n.Mention(ctx, "camille", brand, text)
	case driver.DirectMessage:
		if target == "" {
			return n.SendDM(ctx, "camille", brand, text)
		}
		who, err := n.Participants(target)
		if err != nil {
			return "", err
		}
		from := who[0]
		if from == brand {
			from = who[1]
		}
		return n.SendDM(ctx, from, target, text)
	}
	return "", driver.Errorf(driver.Unsupported, "interaction kind %v", kind)
}

func (h *harness) Fail(f connectortest.Fault, count int) bool {
	var err error
	switch f {
	case connectortest.FaultRateLimited:
		err = memconnector.RateLimit(1)
	case connectortest.FaultUnauthenticated:
		err = memconnector.Unauthenticated()
	case connectortest.FaultUnavailable:
		err = memconnector.Unavailable()
	default:
		return false
	}
	h.network().FailNext(memconnector.OpAny, count, err)
	return true
}

func (h *harness) Requests() int64 { return h.network().Calls(memconnector.OpAny) }

func (h *harness) Close() error { return nil }

func TestConformance(t *testing.T) {
	t.Run("default", func(t *testing.T) {
		connectortest.RunConformanceTests(t, &harness{caps: allCaps})
	})
	// Instagram's limits with asynchronous publishing: media posts go
	// through Pending, there are no threads, and feed posts need media
	// (replies and direct messages do not).
	t.Run("instagram-pending", func(t *testing.T) {
		l, ok := connectors.PresetLimits("instagram")
		if !ok {
			t.Fatal("no instagram preset")
		}
		caps := allCaps
		if !l.Threads {
			caps &^= driver.CapThreads
		}
		if !l.FirstComment {
			caps &^= driver.CapFirstComment
		}
		connectortest.RunConformanceTests(t, &harness{caps: caps,
			opts: memconnector.NetworkOptions{Limits: &l, PendingChecks: 2}})
	})
	t.Run("x", func(t *testing.T) {
		connectortest.RunConformanceTests(t, &harness{caps: allCaps &^ driver.CapFirstComment,
			opts: memconnector.NetworkOptions{Profile: "x"}})
	})
}
