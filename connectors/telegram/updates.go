package telegram

import (
	"context"
	"encoding/json"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/webhook"
)

// Updates the driver keeps in memory: getUpdates forgets what it has
// returned once a later offset is asked for, and Comments, Mentions and
// Messages all read the same queue.
const (
	maxLogEntries = 10000
	logRetention  = 24 * time.Hour // Telegram keeps unread updates 24 hours
	maxSyncPages  = 10
)

// message is the part of a Message object the driver reads.
type message struct {
	MessageID          int64     `json:"message_id"`
	MessageThreadID    int64     `json:"message_thread_id"`
	From               *userInfo `json:"from"`
	SenderChat         *chatInfo `json:"sender_chat"`
	Chat               chatInfo  `json:"chat"`
	Date               int64     `json:"date"`
	Text               string    `json:"text"`
	Caption            string    `json:"caption"`
	ReplyTo            *message  `json:"reply_to_message"`
	IsAutomaticForward bool      `json:"is_automatic_forward"`
	ForwardOrigin      *struct {
		Type      string    `json:"type"`
		Chat      *chatInfo `json:"chat"`
		MessageID int64     `json:"message_id"`
	} `json:"forward_origin"`
	ForwardFromChat      *chatInfo `json:"forward_from_chat"`
	ForwardFromMessageID int64     `json:"forward_from_message_id"`
}

type update struct {
	UpdateID      int64    `json:"update_id"`
	Message       *message `json:"message"`
	ChannelPost   *message `json:"channel_post"`
	EditedMessage *message `json:"edited_message"`
}

// pos is a position in the update log: an update_id, and for messages
// the bot sent itself (never delivered as updates) their rank after it.
type pos struct {
	uid int64
	sub int
}

func (p pos) less(q pos) bool { return p.uid < q.uid || (p.uid == q.uid && p.sub < q.sub) }

func (p pos) String() string {
	if p.sub == 0 {
		return strconv.FormatInt(p.uid, 10)
	}
	return strconv.FormatInt(p.uid, 10) + "." + strconv.Itoa(p.sub)
}

// parseCursor reads "update_id" or "update_id.n"; "" is before every
// update.
func parseCursor(s string) (pos, error) {
	if s == "" {
		return pos{uid: -1}, nil
	}
	u, n, hasN := strings.Cut(s, ".")
	uid, err := strconv.ParseInt(u, 10, 64)
	if err != nil || uid < 0 || (len(u) > 1 && u[0] == '0') || strings.HasPrefix(u, "+") {
		return pos{}, badCursor(s)
	}
	p := pos{uid: uid}
	if hasN {
		sub, err := strconv.Atoi(n)
		if err != nil || sub <= 0 || n[0] == '0' || strings.HasPrefix(n, "+") {
			return pos{}, badCursor(s)
		}
		p.sub = sub
	}
	return p, nil
}

func badCursor(s string) error {
	return &driver.Error{Code: driver.InvalidContent, Network: Network, Message: "malformed cursor " + strconv.Quote(truncate(s))}
}

// entry is one message of the log.
type entry struct {
	at  pos
	m   *message
	raw json.RawMessage // the update, for webhook.ParseTelegram; nil for the bot's own messages
}

// updateLog is what the driver has read from getUpdates, and the replies
// it sent, in order.
type updateLog struct {
	sync    sync.Mutex // serialises getUpdates calls
	entries []entry
	maxSeen int64
	subs    int
	copies  map[string]string // automatic forward in a discussion group -> channel post
	deleted map[string]bool   // messages deleted by the driver, maybe not read yet
}

// sync reads the updates not read yet (getUpdates with offset = last
// update_id + 1 and timeout 0) into the log.
func (d *Driver) sync(ctx context.Context) error {
	d.log.sync.Lock()
	defer d.log.sync.Unlock()
	for page := 0; page < maxSyncPages; page++ {
		d.mu.Lock()
		offset := d.log.maxSeen + 1
		if d.log.maxSeen == 0 {
			offset = 0
		}
		d.mu.Unlock()
		var raws []json.RawMessage
		args := map[string]any{"offset": offset, "limit": 100, "timeout": 0, "allowed_updates": []string{"message", "channel_post"}}
		if err := d.call(ctx, "getUpdates", classRead, args, false, &raws); err != nil {
			return err
		}
		d.mu.Lock()
		for _, raw := range raws {
			d.ingestLocked(raw)
		}
		d.pruneLocked()
		d.mu.Unlock()
		if len(raws) < 100 {
			return nil
		}
	}
	return nil
}

// ingestLocked adds one update to the log. d.mu is held.
func (d *Driver) ingestLocked(raw json.RawMessage) {
	var u update
	if json.Unmarshal(raw, &u) != nil || u.UpdateID <= d.log.maxSeen {
		return
	}
	d.log.maxSeen = u.UpdateID
	d.log.subs = 0
	m := u.Message
	if m == nil {
		m = u.ChannelPost
	}
	if m == nil || m.MessageID == 0 || m.Chat.ID == 0 || d.log.deleted[ID(m.Chat.ID, m.MessageID)] {
		return // edits and other kinds: the log keeps messages once
	}
	if m.IsAutomaticForward {
		if d.log.copies == nil {
			d.log.copies = map[string]string{}
		}
		if o := m.ForwardOrigin; o != nil && o.Type == "channel" && o.Chat != nil {
			d.log.copies[ID(m.Chat.ID, m.MessageID)] = ID(o.Chat.ID, o.MessageID)
		} else if m.ForwardFromChat != nil {
			d.log.copies[ID(m.Chat.ID, m.MessageID)] = ID(m.ForwardFromChat.ID, m.ForwardFromMessageID)
		}
	}
	d.log.entries = append(d.log.entries, entry{at: pos{uid: u.UpdateID}, m: m, raw: raw})
}

// record adds a message the bot sent (a reply) to the log, after the
// updates received so far, so that it is listed among the comments.
func (d *Driver) record(ctx context.Context, m *message) {
	_ = d.sync(ctx) // best effort: order the reply after what came before it
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log.subs++
	d.log.entries = append(d.log.entries, entry{at: pos{uid: d.log.maxSeen, sub: d.log.subs}, m: m})
}

// forget drops a deleted message from the log.
func (d *Driver) forget(chat, msg int64) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.log.entries = slices.DeleteFunc(d.log.entries, func(e entry) bool { return e.m.Chat.ID == chat && e.m.MessageID == msg })
	if d.log.deleted == nil || len(d.log.deleted) >= maxLogEntries {
		d.log.deleted = map[string]bool{}
	}
	d.log.deleted[ID(chat, msg)] = true
}

func (d *Driver) pruneLocked() {
	cutoff := d.now().Add(-logRetention).Unix()
	i := 0
	for i < len(d.log.entries) && (len(d.log.entries)-i > maxLogEntries || d.log.entries[i].m.Date < cutoff) {
		i++
	}
	if i > 0 {
		d.log.entries = slices.Delete(d.log.entries, 0, i)
	}
}

// list reads new updates, then pages through the log after the cursor.
func (d *Driver) list(ctx context.Context, req driver.PageRequest, match func(e entry, state map[string]string) (driver.Interaction, bool)) (driver.InteractionPage, error) {
	cur, err := parseCursor(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	if err := d.sync(ctx); err != nil {
		return driver.InteractionPage{}, err
	}
	limit := req.Limit
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	d.mu.Lock()
	entries := slices.Clone(d.log.entries)
	state := map[string]string{}
	for k, v := range d.log.copies {
		state["copy:"+k] = v
	}
	last := pos{uid: d.log.maxSeen}
	d.mu.Unlock()
	pg := driver.InteractionPage{}
	next := cur
	for _, e := range entries {
		it, ok := match(e, state) // match sees every entry, to follow reply chains
		if !ok || !cur.less(e.at) {
			continue
		}
		if !req.Since.IsZero() && time.Unix(e.m.Date, 0).Before(req.Since) {
			continue
		}
		if len(pg.Items) == limit {
			pg.More = true
			break
		}
		pg.Items = append(pg.Items, it)
		next = e.at
	}
	if !pg.More && next.less(last) {
		next = last
	}
	if next.uid < 0 {
		next = pos{}
	}
	pg.Next = next.String()
	return pg, nil
}

func (d *Driver) interaction(m *message, kind driver.InteractionKind, postID, parentID string) driver.Interaction {
	in := driver.Interaction{
		Kind: kind, ID: ID(m.Chat.ID, m.MessageID), Network: Network, PostID: postID, ParentID: parentID,
		ConversationID: strconv.FormatInt(m.Chat.ID, 10), Text: m.Text, CreatedAt: time.Unix(m.Date, 0).UTC(),
		Author: driver.Author{Followers: -1}, URL: messageURL(m.Chat, m.MessageID),
	}
	if in.Text == "" {
		in.Text = m.Caption
	}
	switch {
	case m.From != nil:
		in.Author.ID = strconv.FormatInt(m.From.ID, 10)
		in.Author.Handle = m.From.Username
		in.Author.Name = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
		if m.From.Username != "" {
			in.Author.URL = "https://t.me/" + m.From.Username
		}
	case m.SenderChat != nil:
		in.Author.ID = strconv.FormatInt(m.SenderChat.ID, 10)
		in.Author.Handle, in.Author.Name = m.SenderChat.Username, m.SenderChat.Title
	}
	return in
}

// messageURL is https://t.me/<username>/<id> for public chats and
// https://t.me/c/<id>/<msg> for private supergroups and channels.
func messageURL(c chatInfo, msg int64) string {
	id := strconv.FormatInt(msg, 10)
	switch {
	case c.Username != "" && c.Type != "private":
		return "https://t.me/" + c.Username + "/" + id
	case c.ID < -1000000000000:
		return "https://t.me/c/" + strconv.FormatInt(-c.ID-1000000000000, 10) + "/" + id
	}
	return ""
}

// ListComments lists the replies to a post, oldest first: in a group,
// replies to the post; for a channel post, the replies to its automatic
// forward in the channel's discussion group; and replies to those
// comments. The cursor is a position in the update log.
func (d *Driver) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	if _, _, err := parseID(postID); err != nil {
		return driver.InteractionPage{}, err
	}
	_, bot := d.chatKey()
	return d.list(ctx, req, func(e entry, state map[string]string) (driver.Interaction, bool) {
		m := e.m
		if m.ReplyTo == nil || m.IsAutomaticForward || (e.raw != nil && m.From != nil && m.From.IsBot && m.From.ID != bot.ID) {
			return driver.Interaction{}, false
		}
		id, parent := ID(m.Chat.ID, m.MessageID), ID(m.Chat.ID, m.ReplyTo.MessageID)
		switch {
		case parent == postID || state["copy:"+parent] == postID:
			state["comment:"+id] = postID
			return d.interaction(m, driver.Comment, postID, postID), true
		case state["comment:"+parent] == postID:
			state["comment:"+id] = postID
			return d.interaction(m, driver.Reply, postID, parent), true
		}
		return driver.Interaction{}, false
	})
}

// parsed classifies an update as package webhook does.
func parsed(e entry, bot webhook.TelegramBot) (driver.Interaction, bool) {
	if e.raw == nil {
		return driver.Interaction{}, false
	}
	items, err := webhook.ParseTelegram(e.raw, bot)
	if err != nil || len(items) == 0 {
		return driver.Interaction{}, false
	}
	return items[0], true
}

// ListMentions lists messages in groups and channels that mention the bot
// (@username, a text mention, /command@username), oldest first.
func (d *Driver) ListMentions(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	_, bot := d.chatKey()
	return d.list(ctx, req, func(e entry, _ map[string]string) (driver.Interaction, bool) {
		in, ok := parsed(e, bot)
		return in, ok && in.Kind == driver.Mention
	})
}

// ListMessages lists the messages people sent the bot in private chats,
// oldest first.
func (d *Driver) ListMessages(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	_, bot := d.chatKey()
	return d.list(ctx, req, func(e entry, _ map[string]string) (driver.Interaction, bool) {
		in, ok := parsed(e, bot)
		return in, ok && in.Kind == driver.DirectMessage
	})
}
