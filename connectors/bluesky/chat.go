package bluesky

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// errChatOff is the error of a chat call on an account opened without
// option chat=true.
func errChatOff() error {
	return &driver.Error{Code: driver.Unsupported, Network: network, Message: "direct messages are off: open the account with option chat=true (and an app password allowed to use direct messages)"}
}

// chatCall sends a chat.bsky.* request through the PDS, which forwards it
// to the chat service named by the atproto-proxy header.
func (d *Driver) chatCall(ctx context.Context, method, nsid string, q url.Values, in, out any) error {
	if !d.chat {
		return errChatOff()
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

// Bounds of one ListMessages call.
const (
	// maxConvoPages is how many pages of chat.bsky.convo.listConvos (of
	// maxPage conversations) one call reads: 2,000 conversations.
	maxConvoPages = 20
	// maxMessagePages is how many pages of chat.bsky.convo.getMessages
	// one call reads back in one conversation: 1,000 messages.
	maxMessagePages = 10
)

// The $type of the chat.bsky.convo.defs union members the driver reads.
const typeMessageView = "chat.bsky.convo.defs#messageView"

// convoView is chat.bsky.convo.defs#convoView.
type convoView struct {
	ID          string        `json:"id"`
	Rev         string        `json:"rev"`
	Members     []profileView `json:"members"`
	LastMessage *chatMessage  `json:"lastMessage"`
	Status      string        `json:"status"`
}

// chatMessage is a member of the union chat.bsky.convo.defs#messageView |
// #deletedMessageView | #systemMessageView; only a messageView has text
// and is listed.
type chatMessage struct {
	Type   string `json:"$type"`
	ID     string `json:"id"`
	Rev    string `json:"rev"`
	Text   string `json:"text"`
	Sender struct {
		DID string `json:"did"`
	} `json:"sender"`
	SentAt string `json:"sentAt"`
}

// ListMessages lists the direct messages other people sent the account,
// oldest first, across its conversations (accepted ones and message
// requests). It needs option chat=true, like SendMessage.
//
// The chat service offers two ways to read: a change log
// (chat.bsky.convo.getLog, a cursor over every conversation) and
// conversations with their messages (chat.bsky.convo.listConvos, then
// chat.bsky.convo.getMessages, newest first). The log starts "now": called
// without a cursor it returns no events, only a cursor, so it cannot list
// the messages already received, and neither its order, page size nor how
// long its cursors stay valid are documented. ListMessages therefore walks
// the conversations: it lists them (at most 2,000 a call), skips those
// whose last message was sent before the cursor, and reads the others back
// from their newest message to the cursor (at most 1,000 messages per
// conversation and call; a first listing, without cursor or Since, starts
// at most that far back). Messages are ordered by sentAt, which the chat
// service sets when it receives them, then by message ID; the cursor is
// the one of the other listings (the last sentAt and the message IDs
// listed at that instant), so messages sharing a millisecond are neither
// repeated nor skipped, and an empty page returns the cursor it was given.
//
// Interaction.ID is the message ID (as SendMessage returns it),
// ConversationID the conversation's ID (which SendMessage accepts), the
// Author the sender's DID with the handle and display name of the
// conversation's member view. Deleted messages (deletedMessageView),
// system messages and the account's own messages are not listed.
func (d *Driver) ListMessages(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	if !d.chat {
		return driver.InteractionPage{}, errChatOff()
	}
	cur, err := parseCursor(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	me, err := d.did(ctx)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	// before reports a message sent before the cursor or Since: it and
	// older ones are not listed.
	before := func(at time.Time) bool {
		return req.Cursor != "" && at.Before(cur.At) || !req.Since.IsZero() && at.Before(req.Since)
	}
	var items []keyed
	seen := map[string]bool{}
	netCursor := ""
	for range maxConvoPages {
		q := url.Values{"limit": {strconv.Itoa(maxPage)}}
		if netCursor != "" {
			q.Set("cursor", netCursor)
		}
		var out struct {
			Cursor string      `json:"cursor"`
			Convos []convoView `json:"convos"`
		}
		if err := d.chatCall(ctx, http.MethodGet, "chat.bsky.convo.listConvos", q, nil, &out); err != nil {
			return driver.InteractionPage{}, err
		}
		for i := range out.Convos {
			c := &out.Convos[i]
			if c.ID == "" || seen[c.ID] || c.LastMessage == nil || before(parseTime(c.LastMessage.SentAt)) {
				continue
			}
			seen[c.ID] = true
			got, err := d.convoMessages(ctx, c, me, cur, before)
			if err != nil {
				return driver.InteractionPage{}, err
			}
			items = append(items, got...)
		}
		if out.Cursor == "" || out.Cursor == netCursor || len(out.Convos) == 0 {
			break
		}
		netCursor = out.Cursor
	}
	return page(items, cur, req), nil
}

// convoMessages reads conversation c back from its newest message until a
// message for which before is true, and returns the messages of others
// after cur.
func (d *Driver) convoMessages(ctx context.Context, c *convoView, me string, cur cursor, before func(time.Time) bool) ([]keyed, error) {
	members := map[string]*profileView{}
	for i := range c.Members {
		members[c.Members[i].DID] = &c.Members[i]
	}
	var items []keyed
	netCursor := ""
	for range maxMessagePages {
		q := url.Values{"convoId": {c.ID}, "limit": {strconv.Itoa(maxPage)}}
		if netCursor != "" {
			q.Set("cursor", netCursor)
		}
		var out struct {
			Cursor          string        `json:"cursor"`
			Messages        []chatMessage `json:"messages"`
			RelatedProfiles []profileView `json:"relatedProfiles"`
		}
		if err := d.chatCall(ctx, http.MethodGet, "chat.bsky.convo.getMessages", q, nil, &out); err != nil {
			return nil, err
		}
		for i := range out.RelatedProfiles {
			if p := &out.RelatedProfiles[i]; members[p.DID] == nil {
				members[p.DID] = p
			}
		}
		for _, m := range out.Messages {
			at := parseTime(m.SentAt)
			if before(at) {
				return items, nil
			}
			if m.Type != typeMessageView || m.ID == "" || m.Sender.DID == me || !cur.after(at, m.ID) {
				continue
			}
			author := driver.Author{ID: m.Sender.DID, URL: "https://bsky.app/profile/" + m.Sender.DID, Followers: -1}
			if p := members[m.Sender.DID]; p != nil {
				author = p.author()
			}
			items = append(items, keyed{driver.Interaction{
				Kind: driver.DirectMessage, ID: m.ID, Network: network, ConversationID: c.ID,
				Author: author, Text: m.Text, CreatedAt: at,
			}, at})
		}
		if out.Cursor == "" || out.Cursor == netCursor || len(out.Messages) == 0 {
			break
		}
		netCursor = out.Cursor
	}
	return items, nil
}
