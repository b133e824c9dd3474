package bluesky

import (
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"
)

// The chat service of the fake (chat.bsky.convo.*, reached through the
// PDS with the atproto-proxy header), after the lexicons under
// lexicons/chat/bsky/convo: conversations listed by latest activity,
// messages newest first, union members with their $type, opaque cursors,
// InvalidConvo for a conversation the viewer is not in.

// chat serves a chat.bsky.* call of the viewer did.
func (f *fake) chat(did, nsid string, q map[string][]string, in map[string]any) (any, *xrpcErr) {
	limit := 50
	if l := first(q["limit"]); l != "" {
		n, err := strconv.Atoi(l)
		if err != nil || n < 1 || n > 100 {
			return nil, &xrpcErr{400, "InvalidRequest"}
		}
		limit = n
	}
	switch nsid {
	case "chat.bsky.convo.getConvoForMembers":
		members := q["members"]
		if len(members) == 0 || len(members) > 10 {
			return nil, &xrpcErr{400, "InvalidRequest"}
		}
		for _, m := range members {
			if _, ok := f.accounts[m]; !ok {
				return nil, &xrpcErr{400, "InvalidRequest"}
			}
		}
		c := f.convoForLocked(append([]string{did}, members...))
		return map[string]any{"convo": f.convoViewLocked(c)}, nil
	case "chat.bsky.convo.sendMessage":
		convo, _ := in["convoId"].(string)
		msg, _ := in["message"].(map[string]any)
		text, ok := msg["text"].(string)
		if !ok || text == "" {
			return nil, &xrpcErr{400, "InvalidRequest"}
		}
		c := f.convoOfLocked(did, convo)
		if c == nil {
			return nil, &xrpcErr{400, "InvalidConvo"}
		}
		m := f.appendLocked(c, did, text)
		return messageView(m), nil
	case "chat.bsky.convo.listConvos":
		if s := first(q["status"]); s != "" && s != "accepted" && s != "request" {
			return nil, &xrpcErr{400, "InvalidRequest"}
		}
		var mine []*fakeConvo
		for _, c := range f.convos {
			if slices.Contains(c.members, did) {
				mine = append(mine, c)
			}
		}
		// Latest activity first.
		slices.SortFunc(mine, func(a, b *fakeConvo) int { return strings.Compare(b.rev, a.rev) })
		start := 0
		if c := first(q["cursor"]); c != "" {
			start = slices.IndexFunc(mine, func(x *fakeConvo) bool { return x.rev < c })
			if start < 0 {
				start = len(mine)
			}
		}
		end := min(start+limit, len(mine))
		var out []any
		for _, c := range mine[start:end] {
			out = append(out, f.convoViewLocked(c))
		}
		resp := map[string]any{"convos": nonNil(out)}
		if end < len(mine) {
			resp["cursor"] = mine[end-1].rev
		}
		return resp, nil
	case "chat.bsky.convo.getMessages":
		c := f.convoOfLocked(did, first(q["convoId"]))
		if c == nil {
			return nil, &xrpcErr{400, "InvalidConvo"}
		}
		i := len(c.msgs) // newest first, from before index i
		if cur := first(q["cursor"]); cur != "" {
			i = slices.IndexFunc(c.msgs, func(m *fakeChatMsg) bool { return m.rev >= cur })
			if i < 0 {
				i = len(c.msgs)
			}
		}
		var out []any
		related := map[string]bool{}
		for j := i - 1; j >= 0 && len(out) < limit; j-- {
			out = append(out, messageView(c.msgs[j]))
			related[c.msgs[j].sender] = true
		}
		resp := map[string]any{"messages": nonNil(out)}
		var profiles []any
		for _, m := range c.members {
			if related[m] {
				profiles = append(profiles, f.chatProfileLocked(m))
			}
		}
		resp["relatedProfiles"] = nonNil(profiles)
		if i-len(out) > 0 {
			resp["cursor"] = c.msgs[i-len(out)].rev
		}
		return resp, nil
	}
	return nil, &xrpcErr{501, "MethodNotImplemented"}
}

// convoForLocked returns the conversation of exactly these members,
// creating it.
func (f *fake) convoForLocked(members []string) *fakeConvo {
	members = slices.Compact(slices.Sorted(slices.Values(members)))
	for _, c := range f.convos {
		if slices.Equal(c.members, members) {
			return c
		}
	}
	f.seq++
	c := &fakeConvo{id: "3l" + strconv.Itoa(1000+f.seq) + "convo", rev: f.tidLocked(), members: members}
	f.convos = append(f.convos, c)
	return c
}

// convoOfLocked returns the conversation id if did is a member.
func (f *fake) convoOfLocked(did, id string) *fakeConvo {
	for _, c := range f.convos {
		if c.id == id && slices.Contains(c.members, did) {
			return c
		}
	}
	return nil
}

func (f *fake) appendLocked(c *fakeConvo, sender, text string) *fakeChatMsg {
	f.seq++
	rev := f.tidLocked()
	m := &fakeChatMsg{id: rev, rev: rev, sender: sender, text: text, sentAt: f.chatNowLocked()}
	c.msgs = append(c.msgs, m)
	c.rev = rev
	return m
}

func (f *fake) chatProfileLocked(did string) map[string]any {
	a := f.accounts[did]
	return map[string]any{"did": did, "handle": a.handle, "displayName": strings.ToUpper(a.handle[:1]) + a.handle[1:],
		"chatDisabled": false, "labels": []any{}, "viewer": map[string]any{"muted": false},
		"kind": map[string]any{"$type": "chat.bsky.actor.defs#directConvoMember"}}
}

func (f *fake) convoViewLocked(c *fakeConvo) map[string]any {
	var members []any
	for _, m := range c.members {
		members = append(members, f.chatProfileLocked(m))
	}
	v := map[string]any{"id": c.id, "rev": c.rev, "members": members, "muted": false, "status": "accepted",
		"unreadCount": len(c.msgs), "kind": map[string]any{"$type": "chat.bsky.convo.defs#directConvo"}}
	if len(c.msgs) > 0 {
		v["lastMessage"] = messageView(c.msgs[len(c.msgs)-1])
	}
	return v
}

// messageView renders a message as the union member the lexicon defines:
// a deleted message keeps its ID, rev, sender and time but no text.
func messageView(m *fakeChatMsg) map[string]any {
	v := map[string]any{"id": m.id, "rev": m.rev, "sender": map[string]string{"did": m.sender},
		"sentAt": formatTime(m.sentAt)}
	if m.deleted {
		v["$type"] = "chat.bsky.convo.defs#deletedMessageView"
		return v
	}
	v["$type"] = typeMessageView
	v["text"] = m.text
	return v
}

// dm sends a direct message from one account to another, as that user's
// app would, and returns the message ID.
func (f *fake) dm(from, to, text string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.accounts[to]; !ok {
		return "", fmt.Errorf("no account %s", to)
	}
	return f.appendLocked(f.convoForLocked([]string{from, to}), from, text).id, nil
}

// deleteDM marks a message deleted, as chat.bsky.convo.deleteMessageForSelf
// shows it to the one who deleted it.
func (f *fake) deleteDM(id string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for _, c := range f.convos {
		for _, m := range c.msgs {
			if m.id == id {
				m.deleted = true
			}
		}
	}
}

// didOf returns the DID of a handle.
func (f *fake) didOf(handle string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.handles[handle]
}

// chatNowLocked is the sending time of a new chat message: a millisecond
// after the previous one at least, since sentAt is written to the
// millisecond, so that tests know which conversations moved after a
// cursor (the driver rightly reads a conversation whose last message
// shares the cursor's millisecond). f.mu is held.
func (f *fake) chatNowLocked() time.Time {
	n := time.Now().UTC().Truncate(time.Millisecond)
	if !n.After(f.lastChat) {
		n = f.lastChat.Add(time.Millisecond)
	}
	f.lastChat = n
	if n.After(f.last) {
		f.last = n // the fake's other times stay after it
	}
	return n
}
