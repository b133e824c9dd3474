package discord

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// pageSize is Discord's largest page of Get Channel Messages.
const pageSize = 100

// maxScanPages bounds the pages one listing call reads while looking for
// matching messages among others.
const maxScanPages = 5

// like is the reaction Like adds: 👍, URL-encoded.
const like = "%F0%9F%91%8D"

func limitOf(req driver.PageRequest) int {
	if req.Limit <= 0 || req.Limit > pageSize {
		return 50
	}
	return req.Limit
}

// messages reads up to pageSize messages of channel after the snowflake
// after, oldest first. Discord returns them newest first.
func (d *Driver) messages(ctx context.Context, channel, after string) ([]message, error) {
	var ms []message
	q := url.Values{"after": {after}, "limit": {strconv.Itoa(pageSize)}}
	if err := d.c.GetJSON(ctx, classMessageGet, "/channels/"+channel+"/messages", q, &ms); err != nil {
		return nil, err
	}
	slices.SortFunc(ms, func(a, b message) int {
		switch {
		case less(a.ID, b.ID):
			return -1
		case less(b.ID, a.ID):
			return 1
		}
		return 0
	})
	return ms, nil
}

// scanResult is what scan found in one channel.
type scanResult struct {
	items []driver.Interaction
	ids   []string // the snowflake of each item
	next  string   // resumes after the last message read
	more  bool     // want items were found and more may follow
	bound string   // when the scan stopped early: the last message read
}

// scan reads channel after the snowflake after until want matching
// messages are found, the channel is exhausted or maxScanPages are read.
func (d *Driver) scan(ctx context.Context, channel, after string, want int, match func(message) (driver.Interaction, bool)) (scanResult, error) {
	r := scanResult{next: after}
	for page := 0; page < maxScanPages; page++ {
		ms, err := d.messages(ctx, channel, r.next)
		if err != nil {
			return r, err
		}
		for _, m := range ms {
			if !less(r.next, m.ID) {
				continue // never go back
			}
			if it, ok := match(m); ok {
				if len(r.items) == want {
					r.more = true
					return r, nil
				}
				r.items = append(r.items, it)
				r.ids = append(r.ids, m.ID)
			}
			r.next = m.ID
		}
		if len(ms) < pageSize {
			return r, nil
		}
	}
	r.bound = r.next
	r.more = len(r.items) > 0
	return r, nil
}

func (d *Driver) interaction(m message, kind driver.InteractionKind, postID, parentID string) driver.Interaction {
	created := m.Timestamp
	if created.IsZero() {
		created = snowflakeTime(m.ID)
	}
	ch := m.ChannelID
	return driver.Interaction{
		Kind:           kind,
		ID:             d.formatID(ch, m.ID),
		Network:        Network,
		PostID:         postID,
		ParentID:       parentID,
		ConversationID: ch,
		Author: driver.Author{
			ID: m.Author.ID, Handle: m.Author.Username, Name: m.Author.GlobalName,
			URL: "https://discord.com/users/" + m.Author.ID, Followers: -1,
		},
		Text:      m.Content,
		CreatedAt: created,
		URL:       d.messageURL(ch, m.ID),
	}
}

// userMessage reports whether m is a message people write (DEFAULT or
// REPLY), not a system message.
func userMessage(m message) bool { return m.Type == 0 || m.Type == 19 }

// parseCommentCursor reads "c<snowflake>" or "c<snowflake>.t<snowflake>":
// where the listing resumes in the channel and in the post's thread.
func parseCommentCursor(s string) (channel, thread string, err error) {
	if s == "" {
		return "", "", nil
	}
	c, t, hasT := strings.Cut(s, ".")
	bad := &driver.Error{Code: driver.InvalidContent, Network: Network, Message: "malformed comments cursor " + strconv.Quote(truncate(s))}
	if !strings.HasPrefix(c, "c") || !isSnowflake(c[1:]) {
		return "", "", bad
	}
	channel = c[1:]
	if hasT {
		if !strings.HasPrefix(t, "t") || !isSnowflake(t[1:]) {
			return "", "", bad
		}
		thread = t[1:]
	}
	return channel, thread, nil
}

func formatCommentCursor(channel, thread string) string {
	if thread == "" {
		return "c" + channel
	}
	return "c" + channel + ".t" + thread
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// ListComments lists the replies to a post (messages whose
// message_reference points at it, and replies to those) and the messages
// of the thread started from it, oldest first.
func (d *Driver) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	if !d.hasBot {
		return driver.InteractionPage{}, d.unsupported("reading comments")
	}
	r, err := d.parseID(postID)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	cCur, tCur, err := parseCommentCursor(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	var post message
	if err := d.c.GetJSON(ctx, classMessageGet, "/channels/"+r.channel+"/messages/"+r.id, nil, &post); err != nil {
		return driver.InteractionPage{}, err
	}
	if cCur == "" || less(cCur, r.id) {
		cCur = r.id // replies come after the post
	}
	if !req.Since.IsZero() {
		if s := snowflakeAt(req.Since); less(cCur, s) {
			cCur = s
		}
		if s := snowflakeAt(req.Since); tCur == "" || less(tCur, s) {
			tCur = s
		}
	}
	limit := limitOf(req)
	cs, err := d.scan(ctx, r.channel, cCur, limit, func(m message) (driver.Interaction, bool) {
		if !userMessage(m) || m.MessageReference == nil {
			return driver.Interaction{}, false
		}
		if m.MessageReference.MessageID == r.id {
			return d.interaction(m, driver.Comment, postID, postID), true
		}
		if rm := m.ReferencedMsg; rm != nil && rm.MessageReference != nil && rm.MessageReference.MessageID == r.id {
			return d.interaction(m, driver.Reply, postID, d.formatID(rm.ChannelID, rm.ID)), true
		}
		return driver.Interaction{}, false
	})
	if err != nil {
		return driver.InteractionPage{}, err
	}
	var ts scanResult
	thread := ""
	if post.Thread != nil && post.Thread.ID != "" {
		thread = post.Thread.ID
		if tCur == "" {
			tCur = "0"
		}
		bot, err := d.bot(ctx)
		if err != nil {
			return driver.InteractionPage{}, err
		}
		ts, err = d.scan(ctx, thread, tCur, limit, func(m message) (driver.Interaction, bool) {
			if !userMessage(m) {
				return driver.Interaction{}, false
			}
			ref := m.MessageReference
			if ref == nil || ref.MessageID == "" || ref.MessageID == r.id {
				if m.Author.ID == bot && ref == nil {
					return driver.Interaction{}, false // the post's own thread follow-ups
				}
				return d.interaction(m, driver.Comment, postID, postID), true
			}
			return d.interaction(m, driver.Reply, postID, d.formatID(thread, ref.MessageID)), true
		})
		if err != nil {
			return driver.InteractionPage{}, err
		}
	}
	items, cNext, tNext, more := merge(cs, ts, limit)
	pg := driver.InteractionPage{Items: items, More: more}
	if thread == "" {
		tNext = tCur
	}
	pg.Next = formatCommentCursor(cNext, tNext)
	return pg, nil
}

// merge takes the oldest limit items of two scans, each oldest first, and
// returns where each scan resumes. An item newer than where the other
// scan stopped early is left for the next page.
func merge(a, b scanResult, limit int) (items []driver.Interaction, aNext, bNext string, more bool) {
	i, j := 0, 0
	aNext, bNext = a.next, b.next
	lastA, lastB := "", ""
	for len(items) < limit {
		takeA := i < len(a.ids) && (j >= len(b.ids) || less(a.ids[i], b.ids[j]))
		if takeA {
			if b.bound != "" && less(b.bound, a.ids[i]) {
				break
			}
			items = append(items, a.items[i])
			lastA = a.ids[i]
			i++
			continue
		}
		if j >= len(b.ids) {
			break
		}
		if a.bound != "" && less(a.bound, b.ids[j]) {
			break
		}
		items = append(items, b.items[j])
		lastB = b.ids[j]
		j++
	}
	if i < len(a.ids) {
		more = true
		if lastA != "" {
			aNext = lastA
		} else {
			aNext = firstBefore(a)
		}
	}
	if j < len(b.ids) {
		more = true
		if lastB != "" {
			bNext = lastB
		} else {
			bNext = firstBefore(b)
		}
	}
	return items, aNext, bNext, more || a.more || b.more
}

// firstBefore is where a scan none of whose items were taken resumes:
// just before its first item.
func firstBefore(s scanResult) string {
	n, err := strconv.ParseUint(s.ids[0], 10, 64)
	if err != nil || n == 0 {
		return "0"
	}
	return strconv.FormatUint(n-1, 10)
}

// ListMentions lists messages of the channel that mention the bot user,
// oldest first. Replies to the bot's own messages are comments (see
// ListComments) and are not repeated here. The cursor is the snowflake of
// the last message read.
func (d *Driver) ListMentions(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	if !d.hasBot {
		return driver.InteractionPage{}, d.unsupported("reading mentions")
	}
	cur := req.Cursor
	switch {
	case cur == "":
		cur = "0"
	case !isSnowflake(cur):
		return driver.InteractionPage{}, &driver.Error{Code: driver.InvalidContent, Network: Network, Message: "malformed mentions cursor " + strconv.Quote(truncate(cur))}
	}
	if !req.Since.IsZero() {
		if s := snowflakeAt(req.Since); less(cur, s) {
			cur = s
		}
	}
	bot, err := d.bot(ctx)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	r, err := d.scan(ctx, d.ch(), cur, limitOf(req), func(m message) (driver.Interaction, bool) {
		if !userMessage(m) || m.Author.ID == bot || !slices.ContainsFunc(m.Mentions, func(u user) bool { return u.ID == bot }) {
			return driver.Interaction{}, false
		}
		parent := ""
		if rm := m.ReferencedMsg; rm != nil {
			if rm.Author.ID == bot {
				return driver.Interaction{}, false
			}
			parent = d.formatID(rm.ChannelID, rm.ID)
		}
		return d.interaction(m, driver.Mention, "", parent), true
	})
	if err != nil {
		return driver.InteractionPage{}, err
	}
	next := r.next
	if r.more && len(r.ids) > 0 && r.bound == "" {
		next = r.ids[len(r.ids)-1]
	}
	return driver.InteractionPage{Items: r.items, Next: next, More: r.more}, nil
}

// SetLiked adds or removes the bot's 👍 reaction (PUT or DELETE
// /channels/{id}/messages/{id}/reactions/👍/@me). Both are idempotent.
func (d *Driver) SetLiked(ctx context.Context, id string, liked bool) error {
	if !d.hasBot {
		return d.unsupported("reactions")
	}
	r, err := d.parseID(id)
	if err != nil {
		return err
	}
	method := http.MethodPut
	if !liked {
		method = http.MethodDelete
	}
	_, err = d.c.Do(ctx, &transport.Request{Method: method, Path: "/channels/" + r.channel + "/messages/" + r.id + "/reactions/" + like + "/@me", Class: classReaction})
	return err
}

// PostMetrics reads the message's reactions: Likes is the total of its
// reaction counts. Discord reports no views, reach or shares; those stay
// invalid.
func (d *Driver) PostMetrics(ctx context.Context, postID string) (driver.PostMetrics, error) {
	if !d.hasBot {
		return driver.PostMetrics{}, d.unsupported("post metrics")
	}
	r, err := d.parseID(postID)
	if err != nil {
		return driver.PostMetrics{}, err
	}
	var m message
	if err := d.c.GetJSON(ctx, classMessageGet, "/channels/"+r.channel+"/messages/"+r.id, nil, &m); err != nil {
		return driver.PostMetrics{}, err
	}
	var n int64
	for _, re := range m.Reactions {
		n += max(re.Count, 0)
	}
	return driver.PostMetrics{PostID: postID, Likes: driver.M(n), FetchedAt: d.now()}, nil
}

// AccountMetrics reads the server's approximate member count (GET
// /guilds/{id}?with_counts=true) as Followers.
func (d *Driver) AccountMetrics(ctx context.Context) (driver.AccountMetrics, error) {
	if !d.hasBot {
		return driver.AccountMetrics{}, d.unsupported("account metrics")
	}
	d.mu.Lock()
	g := d.guild
	d.mu.Unlock()
	if g == "" {
		ch, err := d.channelInfo(ctx)
		if err != nil {
			return driver.AccountMetrics{}, err
		}
		if g = ch.GuildID; g == "" {
			return driver.AccountMetrics{}, &driver.Error{Code: driver.Unsupported, Network: Network, Message: "the channel belongs to no server: it has no member count"}
		}
	}
	var guild struct {
		ApproximateMemberCount *int64 `json:"approximate_member_count"`
	}
	if err := d.c.GetJSON(ctx, classGuild, "/guilds/"+g, url.Values{"with_counts": {"true"}}, &guild); err != nil {
		return driver.AccountMetrics{}, err
	}
	m := driver.AccountMetrics{FetchedAt: d.now()}
	if guild.ApproximateMemberCount != nil && *guild.ApproximateMemberCount >= 0 {
		m.Followers = driver.M(*guild.ApproximateMemberCount)
	}
	return m, nil
}
