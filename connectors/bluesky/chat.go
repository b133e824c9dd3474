package bluesky

import (
	"context"
	"net/http"
	"net/url"
	"strings"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// chatCall sends a chat.bsky.* request through the PDS, which forwards it
// to the chat service named by the atproto-proxy header.
func (d *Driver) chatCall(ctx context.Context, method, nsid string, q url.Values, in, out any) error {
	if !d.chat {
		return &driver.Error{Code: driver.Unsupported, Network: network, Message: "direct messages are off: open the account with option chat=true (and an app password allowed to use direct messages)"}
	}
	h := http.Header{}
	h.Set("atproto-proxy", d.chatProxy)
	return d.call(ctx, &transport.Request{Method: method, Path: "/xrpc/" + nsid, Query: q, JSON: in, Header: h, Class: classChat}, out)
}

// SendMessage sends p's text (with its facets) as a direct message
// (chat.bsky.convo.sendMessage). conversationID is a conversation ID, or a
// DID or handle to write to (the conversation comes from
// chat.bsky.convo.getConvoForMembers). Media and links cards are not sent:
// chat messages carry text only. It needs option chat=true and an app
// password created with access to direct messages.
func (d *Driver) SendMessage(ctx context.Context, conversationID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	convo := conversationID
	member := ""
	switch {
	case strings.HasPrefix(conversationID, "did:"):
		member = conversationID
	case strings.Contains(conversationID, "."):
		did, err := d.resolveHandle(ctx, strings.TrimPrefix(conversationID, "@"))
		if err != nil {
			return driver.PublishResult{}, err
		}
		if did == "" {
			return driver.PublishResult{}, &driver.Error{Code: driver.NotFound, Network: network, Message: "handle " + conversationID + " does not resolve"}
		}
		member = did
	}
	if member != "" {
		var out struct {
			Convo struct {
				ID string `json:"id"`
			} `json:"convo"`
		}
		if err := d.chatCall(ctx, http.MethodGet, "chat.bsky.convo.getConvoForMembers", url.Values{"members": {member}}, nil, &out); err != nil {
			return driver.PublishResult{}, err
		}
		convo = out.Convo.ID
	}
	facets, err := d.facets(ctx, p.Text)
	if err != nil {
		return driver.PublishResult{}, err
	}
	msg := map[string]any{"text": p.Text}
	if len(facets) > 0 {
		msg["facets"] = facets
	}
	var out struct {
		ID     string `json:"id"`
		SentAt string `json:"sentAt"`
	}
	if err := d.chatCall(ctx, http.MethodPost, "chat.bsky.convo.sendMessage", nil, map[string]any{"convoId": convo, "message": msg}, &out); err != nil {
		return driver.PublishResult{}, err
	}
	return driver.PublishResult{Status: driver.Published, ID: out.ID, PublishedAt: parseTime(out.SentAt)}, nil
}
