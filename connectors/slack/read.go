package slack

import (
	"context"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// maxPages bounds the history pages one call reads.
const maxPages = 50

func limitOf(req driver.PageRequest) int {
	if req.Limit <= 0 || req.Limit > 200 {
		return 100
	}
	return req.Limit
}

// since returns the later of the cursor ts and req.Since.
func since(cursor string, req driver.PageRequest) string {
	if !req.Since.IsZero() {
		if s := timeTS(req.Since.Add(-time.Microsecond)); cursor == "" || tsLess(cursor, s) {
			return s
		}
	}
	return cursor
}

func badCursor(what, c string) error {
	return &driver.Error{Code: driver.InvalidContent, Network: Network, Message: "malformed " + what + " cursor " + strconv.Quote(truncate(c))}
}

func (d *Driver) interaction(channel string, m message, kind driver.InteractionKind, postID, parentID string) driver.Interaction {
	return driver.Interaction{
		Kind:           kind,
		ID:             ID(channel, m.TS),
		Network:        Network,
		PostID:         postID,
		ParentID:       parentID,
		ConversationID: channel,
		Author:         driver.Author{ID: m.User, Followers: -1},
		Text:           m.Text,
		CreatedAt:      tsTime(m.TS),
		URL:            d.permalink(channel, m.TS),
	}
}

// fromPerson reports whether m is a message a person wrote (not a bot,
// not a join or a topic change).
func fromPerson(m message, bot string) bool {
	if m.BotID != "" || m.User == "" || m.User == bot {
		return false
	}
	switch m.Subtype {
	case "", "thread_broadcast", "file_share":
		return true
	}
	return false
}

// ListComments lists the replies in the post's thread
// (conversations.replies), oldest first. The cursor is the ts of the last
// reply read. A reply the driver posted with Reply names the comment it
// answered in its metadata and is listed as a Reply to it.
func (d *Driver) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	ch, root, err := parseID(postID)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	if req.Cursor != "" && !validTS(req.Cursor) {
		return driver.InteractionPage{}, badCursor("comments", req.Cursor)
	}
	form := url.Values{"channel": {ch}, "ts": {root}, "limit": {strconv.Itoa(limitOf(req))}, "include_all_metadata": {"true"}}
	if oldest := since(req.Cursor, req); oldest != "" {
		form.Set("oldest", oldest)
		form.Set("inclusive", "false")
	}
	var out struct {
		Messages []message `json:"messages"`
		HasMore  bool      `json:"has_more"`
	}
	if err := d.call(ctx, "conversations.replies", form, false, &out); err != nil {
		return driver.InteractionPage{}, err
	}
	pg := driver.InteractionPage{Next: req.Cursor, More: out.HasMore}
	if pg.Next == "" {
		pg.Next = root
	}
	slices.SortFunc(out.Messages, func(a, b message) int { return cmpTS(a.TS, b.TS) })
	for _, m := range out.Messages {
		if !validTS(m.TS) || !tsLess(pg.Next, m.TS) {
			continue
		}
		pg.Next = m.TS
		if m.TS == root || (m.Metadata != nil && m.Metadata.EventType == MetadataEventType && m.Metadata.EventPayload.Part > 0) {
			continue // the post itself, and its thread follow-ups
		}
		kind, parent := driver.Comment, postID
		if m.Metadata != nil && m.Metadata.EventType == MetadataEventType {
			if r := m.Metadata.EventPayload.ReplyTo; r != "" && r != postID && strings.HasPrefix(r, ch+":") {
				kind, parent = driver.Reply, r
			}
		}
		pg.Items = append(pg.Items, d.interaction(ch, m, kind, postID, parent))
	}
	if len(pg.Items) == 0 {
		pg.More = false
	}
	return pg, nil
}

func cmpTS(a, b string) int {
	switch {
	case tsLess(a, b):
		return -1
	case tsLess(b, a):
		return 1
	}
	return 0
}

// history reads every message of channel after oldest (exclusive; ""
// for the whole history), oldest first. conversations.history returns
// the newest first and pages backwards.
func (d *Driver) history(ctx context.Context, channel, oldest string, metadata bool) ([]message, error) {
	var all []message
	cursor := ""
	for page := 0; ; page++ {
		if page == maxPages {
			return nil, &driver.Error{Code: driver.Unknown, Network: Network, Message: "conversations.history: more than " + strconv.Itoa(maxPages*200) + " messages since the cursor; list with a later cursor or PageRequest.Since"}
		}
		form := url.Values{"channel": {channel}, "limit": {"200"}}
		if oldest != "" {
			form.Set("oldest", oldest)
			form.Set("inclusive", "false")
		}
		if cursor != "" {
			form.Set("cursor", cursor)
		}
		if metadata {
			form.Set("include_all_metadata", "true")
		}
		var out struct {
			envelope
			Messages []message `json:"messages"`
			HasMore  bool      `json:"has_more"`
		}
		if err := d.call(ctx, "conversations.history", form, false, &out); err != nil {
			return nil, err
		}
		all = append(all, out.Messages...)
		cursor = out.ResponseMetadata.NextCursor
		if !out.HasMore || cursor == "" {
			break
		}
	}
	all = slices.DeleteFunc(all, func(m message) bool { return !validTS(m.TS) })
	slices.SortFunc(all, func(a, b message) int { return cmpTS(a.TS, b.TS) })
	return slices.CompactFunc(all, func(a, b message) bool { return a.TS == b.TS }), nil
}

// ListMentions lists the channel's messages that mention the bot user
// (<@U...>), oldest first; the cursor is a message ts. Mentions in
// threads are not in the channel history: the Events API (package
// webhook) delivers them.
func (d *Driver) ListMentions(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	if req.Cursor != "" && !validTS(req.Cursor) {
		return driver.InteractionPage{}, badCursor("mentions", req.Cursor)
	}
	bot, err := d.bot(ctx)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	ms, err := d.history(ctx, d.channel, since(req.Cursor, req), false)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	limit := limitOf(req)
	pg := driver.InteractionPage{Next: req.Cursor}
	for _, m := range ms {
		if !fromPerson(m, bot) || !strings.Contains(m.Text, "<@"+bot+">") {
			pg.Next = m.TS
			continue
		}
		if len(pg.Items) == limit {
			pg.More = true
			break
		}
		pg.Items = append(pg.Items, d.interaction(d.channel, m, driver.Mention, "", ""))
		pg.Next = m.TS
	}
	if pg.Next == "" {
		pg.Next = "0.000000"
	}
	return pg, nil
}

// parseDMCursor reads "ts/channel": direct messages resume strictly
// after that message, across every DM channel.
func parseDMCursor(s string) (ts, channel string, err error) {
	if s == "" {
		return "", "", nil
	}
	ts, channel, _ = strings.Cut(s, "/")
	if !validTS(ts) || (channel != "" && !validChannel(channel)) {
		return "", "", badCursor("messages", s)
	}
	return ts, channel, nil
}

// ListMessages lists direct messages people sent the bot, oldest first,
// across its DM channels (conversations.list types=im, then
// conversations.history of each). The cursor is "ts/channel".
func (d *Driver) ListMessages(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	curTS, curCh, err := parseDMCursor(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	bot, err := d.bot(ctx)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	var ims []string
	for cursor, page := "", 0; page < maxPages; page++ {
		form := url.Values{"types": {"im"}, "limit": {"200"}, "exclude_archived": {"true"}}
		if cursor != "" {
			form.Set("cursor", cursor)
		}
		var out struct {
			envelope
			Channels []struct {
				ID string `json:"id"`
			} `json:"channels"`
		}
		if err := d.call(ctx, "conversations.list", form, false, &out); err != nil {
			return driver.InteractionPage{}, err
		}
		for _, c := range out.Channels {
			ims = append(ims, c.ID)
		}
		if cursor = out.ResponseMetadata.NextCursor; cursor == "" {
			break
		}
	}
	type dm struct {
		ch string
		m  message
	}
	var all []dm
	oldest := since(curTS, req)
	if oldest == curTS && oldest != "" {
		// inclusive: messages of other channels may share the cursor's ts.
		oldest = timeTS(tsTime(curTS).Add(-time.Microsecond))
	}
	for _, ch := range ims {
		ms, err := d.history(ctx, ch, oldest, false)
		if err != nil {
			return driver.InteractionPage{}, err
		}
		for _, m := range ms {
			if !fromPerson(m, bot) {
				continue
			}
			if curTS != "" && (tsLess(m.TS, curTS) || (m.TS == curTS && ch <= curCh)) {
				continue
			}
			all = append(all, dm{ch, m})
		}
	}
	slices.SortFunc(all, func(a, b dm) int {
		if c := cmpTS(a.m.TS, b.m.TS); c != 0 {
			return c
		}
		return strings.Compare(a.ch, b.ch)
	})
	limit := limitOf(req)
	pg := driver.InteractionPage{Next: req.Cursor}
	for i, x := range all {
		if i == limit {
			pg.More = true
			break
		}
		pg.Items = append(pg.Items, d.interaction(x.ch, x.m, driver.DirectMessage, "", ""))
		pg.Next = x.m.TS + "/" + x.ch
	}
	if pg.Next == "" {
		pg.Next = "0.000000"
	}
	return pg, nil
}

// SetLiked adds or removes the bot's :thumbsup: reaction
// (reactions.add, reactions.remove); already_reacted and no_reaction are
// not errors.
func (d *Driver) SetLiked(ctx context.Context, id string, liked bool) error {
	ch, ts, err := parseID(id)
	if err != nil {
		return err
	}
	method, ignore := "reactions.add", "already_reacted"
	if !liked {
		method, ignore = "reactions.remove", "no_reaction"
	}
	err = d.call(ctx, method, map[string]any{"channel": ch, "timestamp": ts, "name": "thumbsup"}, false, nil)
	if de, ok := asDriverError(err); ok && de.NetworkCode == ignore {
		return nil
	}
	return err
}

// PostMetrics reads the message's reactions (reactions.get): Likes is the
// total of its reaction counts and Comments its reply_count. Slack
// reports no views, reach or shares.
func (d *Driver) PostMetrics(ctx context.Context, postID string) (driver.PostMetrics, error) {
	ch, ts, err := parseID(postID)
	if err != nil {
		return driver.PostMetrics{}, err
	}
	var out struct {
		Message message `json:"message"`
	}
	if err := d.call(ctx, "reactions.get", url.Values{"channel": {ch}, "timestamp": {ts}, "full": {"true"}}, false, &out); err != nil {
		return driver.PostMetrics{}, err
	}
	var likes int64
	for _, r := range out.Message.Reactions {
		likes += max(r.Count, 0)
	}
	m := driver.PostMetrics{PostID: postID, Likes: driver.M(likes), FetchedAt: d.now()}
	replies := int64(0)
	if rc := out.Message.ReplyCount; rc != nil && *rc > 0 {
		replies = *rc
	}
	m.Comments = driver.M(replies)
	return m, nil
}

// AccountMetrics reads the channel's member count (conversations.info
// with include_num_members) as Followers.
func (d *Driver) AccountMetrics(ctx context.Context) (driver.AccountMetrics, error) {
	info, err := d.info(ctx)
	if err != nil {
		return driver.AccountMetrics{}, err
	}
	m := driver.AccountMetrics{FetchedAt: d.now()}
	if n := info.Channel.NumMembers; n != nil && *n >= 0 {
		m.Followers = driver.M(*n)
	}
	return m, nil
}

// FindWindow is how far back FindPost searches the channel.
const FindWindow = 24 * time.Hour

// FindPost searches the channel's messages of the last FindWindow
// (conversations.history with include_all_metadata) for the one whose
// metadata carries idempotencyKey, or, without a key, a message of the
// bot with p's exact text. Not finding it within the window is
// ErrNotFound: the driver is sure only for publishes of the last 24 hours.
func (d *Driver) FindPost(ctx context.Context, idempotencyKey string, p *driver.Post) (driver.PublishResult, error) {
	if idempotencyKey == "" && (p == nil || p.Text == "") {
		return driver.PublishResult{}, &driver.Error{Code: driver.InvalidContent, Network: Network, Message: "FindPost needs an idempotency key or the post's text"}
	}
	bot, err := d.bot(ctx)
	if err != nil {
		return driver.PublishResult{}, err
	}
	ms, err := d.history(ctx, d.channel, timeTS(d.now().Add(-FindWindow)), true)
	if err != nil {
		return driver.PublishResult{}, err
	}
	for _, m := range ms {
		md := m.Metadata
		ours := md != nil && md.EventType == MetadataEventType && md.EventPayload.Part == 0
		if idempotencyKey != "" && ours && md.EventPayload.IdempotencyKey == idempotencyKey {
			return d.result(d.channel, m.TS), nil
		}
		if idempotencyKey == "" && m.User == bot && p != nil && m.Text == p.Text {
			return d.result(d.channel, m.TS), nil
		}
	}
	return driver.PublishResult{}, &driver.Error{Code: driver.NotFound, Network: Network, Message: "no message with this idempotency key in the channel's last 24 hours"}
}
