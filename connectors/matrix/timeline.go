package matrix

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/url"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// Listing bounds.
const (
	defaultPageSize = 50
	maxPageSize     = 100
	// eventsPerRequest is the limit of each /messages request.
	eventsPerRequest = 100
	// maxScanRequests bounds the /messages requests of one listing call;
	// the page then ends early, with Next after what was scanned.
	maxScanRequests = 20
	// maxAncestry bounds the walk up a reply chain.
	maxAncestry = 16
	// maxBackRequests bounds the backward pagination to the room's
	// beginning for an empty cursor.
	maxBackRequests = 50
	// maxMetricScans bounds the scans counting a post's comments.
	maxMetricScans = 3
	// maxParents bounds the cache of reply parents.
	maxParents = 10000
)

// event is a client event, as /messages, /context and /event return it.
type event struct {
	EventID        string         `json:"event_id"`
	Type           string         `json:"type"`
	Sender         string         `json:"sender"`
	RoomID         string         `json:"room_id"`
	OriginServerTS int64          `json:"origin_server_ts"`
	Content        messageContent `json:"content"`
	Unsigned       struct {
		TransactionID   string          `json:"transaction_id"`
		RedactedBecause json.RawMessage `json:"redacted_because"`
		Relations       struct {
			Replace *struct {
				Content messageContent `json:"content"`
			} `json:"m.replace"`
		} `json:"m.relations"`
	} `json:"unsigned"`
}

// messageContent is the content of m.room.message and m.reaction events.
type messageContent struct {
	MsgType       string          `json:"msgtype,omitempty"`
	Body          string          `json:"body,omitempty"`
	Format        string          `json:"format,omitempty"`
	FormattedBody string          `json:"formatted_body,omitempty"`
	RelatesTo     *relatesTo      `json:"m.relates_to,omitempty"`
	Mentions      *mentionsField  `json:"m.mentions,omitempty"`
	NewContent    *messageContent `json:"m.new_content,omitempty"`
	Txn           string          `json:"com.github.cmkit.txn,omitempty"`
}

type mentionsField struct {
	UserIDs []string `json:"user_ids,omitempty"`
	Room    bool     `json:"room,omitempty"`
}

// relatesTo is m.relates_to: a rich reply, a thread, an edit or an
// annotation.
type relatesTo struct {
	RelType       string     `json:"rel_type,omitempty"`
	EventID       string     `json:"event_id,omitempty"`
	Key           string     `json:"key,omitempty"`
	IsFallingBack bool       `json:"is_falling_back,omitempty"`
	InReplyTo     *inReplyTo `json:"m.in_reply_to,omitempty"`
}

type inReplyTo struct {
	EventID string `json:"event_id"`
}

// redacted reports whether the event was redacted (its content stripped).
func (e *event) redacted() bool {
	return len(e.Unsigned.RedactedBecause) > 0 && string(e.Unsigned.RedactedBecause) != "null"
}

// parent is the event this message answers: the m.in_reply_to of a rich
// reply, or the root of its thread (a thread event whose in_reply_to is
// only a fallback answers the root). "" for none.
func (e *event) parent() string {
	r := e.Content.RelatesTo
	if r == nil {
		return ""
	}
	if r.InReplyTo != nil && r.InReplyTo.EventID != "" && !(r.RelType == "m.thread" && r.IsFallingBack) {
		return r.InReplyTo.EventID
	}
	if r.RelType == "m.thread" {
		return r.EventID
	}
	return ""
}

// listable reports whether the event is a message to list: not redacted,
// not an edit, with a body.
func (e *event) listable() bool {
	if e.Type != "m.room.message" || e.redacted() || e.Content.Body == "" {
		return false
	}
	return e.Content.RelatesTo == nil || e.Content.RelatesTo.RelType != "m.replace"
}

// text is the message's current text: the latest edit's, when the server
// bundles it, else the body.
func (e *event) text() string {
	if r := e.Unsigned.Relations.Replace; r != nil && r.Content.NewContent != nil && r.Content.NewContent.Body != "" {
		return r.Content.NewContent.Body
	}
	return e.Content.Body
}

// Cursor is the decoded form of a listing cursor: for each room, the
// position after the last event consumed.
type Cursor struct {
	// Rooms maps a room ID to its position.
	Rooms map[string]Position `json:"r"`
}

// Position is a place in a room's timeline: Skip events (under the
// listing's filter) after the pagination token Token ("" for the start of
// the room).
type Position struct {
	Token string `json:"t,omitempty"`
	Skip  int    `json:"s,omitempty"`
}

// cursorPrefix versions the encoding.
const cursorPrefix = "mx1."

// Encode returns the cursor as an opaque string.
func (c Cursor) Encode() string {
	b, _ := json.Marshal(c)
	return cursorPrefix + base64.RawURLEncoding.EncodeToString(b)
}

// ParseCursor decodes a cursor returned by a listing. "" is the empty
// cursor. Malformed cursors are InvalidContent.
func ParseCursor(s string) (Cursor, error) {
	if s == "" {
		return Cursor{Rooms: map[string]Position{}}, nil
	}
	bad := func() (Cursor, error) {
		return Cursor{}, fail(driver.InvalidContent, "malformed Matrix cursor %q", truncate(s, 64))
	}
	rest, ok := strings.CutPrefix(s, cursorPrefix)
	if !ok || len(rest) > 1<<16 {
		return bad()
	}
	b, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return bad()
	}
	var c Cursor
	if json.Unmarshal(b, &c) != nil {
		return bad()
	}
	if c.Rooms == nil {
		c.Rooms = map[string]Position{}
	}
	for room, p := range c.Rooms {
		if !strings.HasPrefix(room, "!") || p.Skip < 0 || p.Skip > eventsPerRequest {
			return bad()
		}
	}
	return c, nil
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "..."
}

// scanned is an event kept by a scan and the position right after it.
type scanned struct {
	ev    *event
	after Position
}

// messagesPage is the answer of GET /rooms/{roomId}/messages.
type messagesPage struct {
	Start string  `json:"start"`
	End   string  `json:"end"`
	Chunk []event `json:"chunk"`
}

// messages reads one page of a room's timeline. Events are filtered by the
// driver, not with a RoomEventFilter: Dendrite ends a filtered page early
// without an end token.
func (d *Driver) messages(ctx context.Context, room, from, dir string, limit int) (messagesPage, error) {
	q := url.Values{"dir": {dir}, "limit": {strconv.Itoa(limit)}}
	if from != "" {
		q.Set("from", from)
	}
	var page messagesPage
	err := d.get(ctx, classRead, "/_matrix/client/v3/rooms/"+pathEscape(room)+"/messages", q, &page)
	return page, err
}

// scan reads a room's timeline forward from pos and keeps the events keep
// accepts, up to want of them. It returns them with the position after
// each, the position after everything scanned, and whether it stopped
// with events left to read (want reached, or maxScanRequests spent).
//
// A position stays on the token whose page it counts events of; moving to
// the page's end token happens inside one call, where an event repeated
// at the boundary (Dendrite's end tokens include the last event) is
// recognised by its ID and skipped.
func (d *Driver) scan(ctx context.Context, room string, pos Position, want int, keep func(*event) (bool, error)) ([]scanned, Position, bool, error) {
	var out []scanned
	lastID := ""
	last := pos
	for range maxScanRequests {
		page, err := d.messages(ctx, room, pos.Token, "f", eventsPerRequest)
		if err != nil {
			return nil, pos, false, err
		}
		if pos.Skip == 0 && lastID != "" && len(page.Chunk) > 0 && page.Chunk[0].EventID == lastID {
			pos.Skip = 1
		}
		for i := pos.Skip; i < len(page.Chunk); i++ {
			ev := &page.Chunk[i]
			if ev.RoomID == "" {
				ev.RoomID = room
			}
			ok, err := keep(ev)
			if err != nil {
				return nil, pos, false, err
			}
			if !ok {
				continue
			}
			out = append(out, scanned{ev: ev, after: Position{Token: pos.Token, Skip: i + 1}})
			if len(out) == want {
				more := i+1 < len(page.Chunk) || page.End != ""
				return out, Position{Token: pos.Token, Skip: i + 1}, more, nil
			}
		}
		done := Position{Token: pos.Token, Skip: max(pos.Skip, len(page.Chunk))}
		if page.End == "" || len(page.Chunk) == 0 || page.End == pos.Token {
			// The live end of the timeline: resume here later.
			return out, done, false, nil
		}
		lastID = page.Chunk[len(page.Chunk)-1].EventID
		last = done
		pos = Position{Token: page.End}
	}
	return out, last, true, nil
}

// liveToken returns a pagination token at the live end of the timeline:
// the next_batch of a /sync restricted to the room, with no history.
func (d *Driver) liveToken(ctx context.Context, room string) (string, error) {
	filter := `{"room":{"rooms":[` + strconv.Quote(room) + `],"timeline":{"limit":1},"state":{"types":[]},"ephemeral":{"types":[]},"account_data":{"types":[]}},"presence":{"types":[]},"account_data":{"types":[]}}`
	var out struct {
		NextBatch string `json:"next_batch"`
	}
	if err := d.get(ctx, classRead, "/_matrix/client/v3/sync", url.Values{"timeout": {"0"}, "filter": {filter}}, &out); err != nil {
		return "", err
	}
	if out.NextBatch == "" {
		return "", fail(driver.Unknown, "the homeserver's /sync returned no next_batch")
	}
	return out.NextBatch, nil
}

// startPosition is where a listing with an empty cursor starts: the
// room's beginning, found by paginating backwards from the live end (GET
// /messages without a from token is spec v1.3 and Dendrite refuses it),
// or earlier when Since is set: the page holding the first event older
// than since. At most maxBackRequests pages are read, so an empty cursor
// starts at most that many hundred events back.
func (d *Driver) startPosition(ctx context.Context, room string, since int64) (Position, error) {
	tok, err := d.liveToken(ctx, room)
	if err != nil {
		return Position{}, err
	}
	for range maxBackRequests {
		page, err := d.messages(ctx, room, tok, "b", eventsPerRequest)
		if err != nil {
			return Position{}, err
		}
		if page.End == "" || len(page.Chunk) == 0 || page.End == tok {
			break
		}
		tok = page.End
		if since > 0 && page.Chunk[len(page.Chunk)-1].OriginServerTS < since {
			break
		}
	}
	return Position{Token: tok}, nil
}

// pageSize is the number of items a listing returns.
func pageSize(req driver.PageRequest) int {
	switch {
	case req.Limit <= 0:
		return defaultPageSize
	case req.Limit > maxPageSize:
		return maxPageSize
	}
	return req.Limit
}

// event reads one event (GET /rooms/{roomId}/event/{eventId}); a missing
// one is NotFound.
func (d *Driver) event(ctx context.Context, room, eventID string) (*event, error) {
	if eventID == "" {
		return nil, fail(driver.InvalidContent, "empty event ID")
	}
	var ev event
	if err := d.get(ctx, classRead, "/_matrix/client/v3/rooms/"+pathEscape(room)+"/event/"+pathEscape(eventID), nil, &ev); err != nil {
		return nil, err
	}
	if ev.RoomID == "" {
		ev.RoomID = room
	}
	d.remember(ev.EventID, ev.parent())
	return &ev, nil
}

// remember records the parent of an event in the bounded cache.
func (d *Driver) remember(id, parent string) {
	if id == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if len(d.parents) >= maxParents {
		clear(d.parents)
	}
	d.parents[id] = parent
}

// descends reports whether the event id is root or answers it, directly or
// through a chain of replies (read with GET /event when not cached).
func (d *Driver) descends(ctx context.Context, room, id, root string) (bool, error) {
	for range maxAncestry {
		if id == "" {
			return false, nil
		}
		if id == root {
			return true, nil
		}
		d.mu.Lock()
		p, ok := d.parents[id]
		d.mu.Unlock()
		if !ok {
			ev, err := d.event(ctx, room, id)
			if errors.Is(err, driver.ErrNotFound) || errors.Is(err, driver.ErrPermissionDenied) {
				d.remember(id, "")
				return false, nil
			}
			if err != nil {
				return false, err
			}
			p = ev.parent()
		}
		id = p
	}
	return false, nil
}

// at returns a position at or just before an event of the room: the start
// token of GET /rooms/{roomId}/context/{eventId}?limit=0 (Dendrite gives
// no end token there). A missing event is NotFound.
func (d *Driver) at(ctx context.Context, room, eventID string) (Position, *event, error) {
	var out struct {
		Event event  `json:"event"`
		Start string `json:"start"`
		End   string `json:"end"`
	}
	q := url.Values{"limit": {"0"}}
	if err := d.get(ctx, classRead, "/_matrix/client/v3/rooms/"+pathEscape(room)+"/context/"+pathEscape(eventID), q, &out); err != nil {
		return Position{}, nil, err
	}
	tok := out.Start
	if tok == "" {
		tok = out.End
	}
	if tok == "" || out.Event.EventID == "" {
		return Position{}, nil, fail(driver.Unknown, "the homeserver gave no pagination token at event %s", eventID)
	}
	return Position{Token: tok}, &out.Event, nil
}

// interaction converts a message event.
func (d *Driver) interaction(ev *event, kind driver.InteractionKind) driver.Interaction {
	return driver.Interaction{
		Kind:      kind,
		ID:        ev.EventID,
		Network:   Network,
		ParentID:  ev.parent(),
		Author:    driver.Author{ID: ev.Sender, Handle: strings.TrimPrefix(ev.Sender, "@"), URL: "https://matrix.to/#/" + ev.Sender, Followers: -1},
		Text:      ev.text(),
		CreatedAt: time.UnixMilli(ev.OriginServerTS).UTC(),
		URL:       permalink(ev.RoomID, ev.EventID),
	}
}

// ListComments lists the replies to a post and the replies to those
// replies (rich replies and thread events), oldest first, the account's
// own included. It reads the room's timeline after the post: GET /context
// for the position after it, then GET /messages forward.
func (d *Driver) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	room, err := d.RoomID(ctx)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	cur, err := ParseCursor(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	pos, ok := cur.Rooms[room]
	if !ok {
		if pos, _, err = d.at(ctx, room, postID); err != nil {
			return driver.InteractionPage{}, err
		}
	}
	since := sinceMillis(req.Since)
	items, next, more, err := d.scan(ctx, room, pos, pageSize(req), func(ev *event) (bool, error) {
		p := ev.parent()
		d.remember(ev.EventID, p)
		if !ev.listable() || p == "" || ev.OriginServerTS < since {
			return false, nil
		}
		return d.descends(ctx, room, p, postID)
	})
	if err != nil {
		return driver.InteractionPage{}, err
	}
	page := driver.InteractionPage{Next: Cursor{Rooms: map[string]Position{room: next}}.Encode(), More: more}
	for _, s := range items {
		kind := driver.Reply
		if s.ev.parent() == postID {
			kind = driver.Comment
		}
		it := d.interaction(s.ev, kind)
		it.PostID = postID
		page.Items = append(page.Items, it)
	}
	if len(page.Items) == 0 {
		page.More = false
	}
	return page, nil
}

// ListMentions lists the room's messages from other users that mention the
// account, oldest first: those whose m.mentions names its user ID, or,
// from clients without intentional mentions, whose text contains its user
// ID or display name. An empty cursor starts at the room's beginning.
func (d *Driver) ListMentions(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	room, err := d.RoomID(ctx)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	me, err := d.UserID(ctx)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	cur, err := ParseCursor(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	d.mu.Lock()
	name := d.displayName
	d.mu.Unlock()
	since := sinceMillis(req.Since)
	pos, ok := cur.Rooms[room]
	if !ok {
		if pos, err = d.startPosition(ctx, room, since); err != nil {
			return driver.InteractionPage{}, err
		}
	}
	items, next, more, err := d.scan(ctx, room, pos, pageSize(req), func(ev *event) (bool, error) {
		d.remember(ev.EventID, ev.parent())
		return ev.listable() && ev.Sender != me && ev.OriginServerTS >= since && Mentions(ev.Content.Mentions != nil, mentionIDs(ev), ev.Content.Body+"\n"+ev.Content.FormattedBody, me, name), nil
	})
	if err != nil {
		return driver.InteractionPage{}, err
	}
	page := driver.InteractionPage{Next: Cursor{Rooms: map[string]Position{room: next}}.Encode(), More: more && len(items) > 0}
	for _, s := range items {
		page.Items = append(page.Items, d.interaction(s.ev, driver.Mention))
	}
	return page, nil
}

func mentionIDs(ev *event) []string {
	if ev.Content.Mentions == nil {
		return nil
	}
	return ev.Content.Mentions.UserIDs
}

// Mentions reports whether a message mentions the user: with intentional
// mentions (hasMentions: the content has m.mentions, spec v1.7) only when
// userIDs holds the user; otherwise when text contains the user ID, or the
// display name as a whole word (case-insensitive).
func Mentions(hasMentions bool, userIDs []string, text, userID, displayName string) bool {
	if hasMentions {
		return slices.Contains(userIDs, userID)
	}
	if userID != "" && strings.Contains(text, userID) {
		return true
	}
	if strings.TrimSpace(displayName) == "" {
		return false
	}
	lt, ln := strings.ToLower(text), strings.ToLower(displayName)
	for i := 0; ; {
		j := strings.Index(lt[i:], ln)
		if j < 0 {
			return false
		}
		s, e := i+j, i+j+len(ln)
		if (s == 0 || !wordByte(lt[s-1])) && (e == len(lt) || !wordByte(lt[e])) {
			return true
		}
		i = s + 1
	}
}

func wordByte(c byte) bool { return isAlnum(c) || c == '_' || c >= 0x80 }

// ListMessages lists the direct messages other users sent in the DM rooms
// the account has joined (rooms listed in its m.direct account data),
// oldest first across rooms (by origin_server_ts). ConversationID is the
// room ID. A DM room that appears later is read from its beginning.
func (d *Driver) ListMessages(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	me, err := d.UserID(ctx)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	cur, err := ParseCursor(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	direct, err := d.directRooms(ctx, me)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	joined, err := d.joinedRooms(ctx)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	rooms := map[string]bool{}
	for _, rs := range direct {
		for _, r := range rs {
			if joined[r] {
				rooms[r] = true
			}
		}
	}
	want := pageSize(req)
	since := sinceMillis(req.Since)
	next := Cursor{Rooms: map[string]Position{}}
	for r, p := range cur.Rooms {
		next.Rooms[r] = p // rooms left since keep their place
	}
	type found struct {
		scanned
		room string
	}
	var all []found
	ends := map[string]Position{}
	more := false
	roomIDs := make([]string, 0, len(rooms))
	for r := range rooms {
		roomIDs = append(roomIDs, r)
	}
	sort.Strings(roomIDs)
	for _, r := range roomIDs {
		pos, ok := cur.Rooms[r]
		if !ok {
			if pos, err = d.startPosition(ctx, r, since); err != nil {
				return driver.InteractionPage{}, err
			}
			next.Rooms[r] = pos
		}
		items, end, m, err := d.scan(ctx, r, pos, want, func(ev *event) (bool, error) {
			return ev.listable() && ev.Sender != me && ev.OriginServerTS >= since, nil
		})
		if err != nil {
			return driver.InteractionPage{}, err
		}
		more = more || m
		ends[r] = end
		for _, s := range items {
			all = append(all, found{s, r})
		}
	}
	sort.SliceStable(all, func(i, j int) bool {
		if all[i].ev.OriginServerTS != all[j].ev.OriginServerTS {
			return all[i].ev.OriginServerTS < all[j].ev.OriginServerTS
		}
		return all[i].room < all[j].room
	})
	taken := all[:min(len(all), want)]
	if len(all) > len(taken) {
		more = true
	}
	took := map[string]bool{}
	page := driver.InteractionPage{}
	for _, f := range taken {
		it := d.interaction(f.ev, driver.DirectMessage)
		it.ConversationID = f.room
		page.Items = append(page.Items, it)
		next.Rooms[f.room] = f.after
		took[f.room] = true
	}
	for _, r := range roomIDs {
		if took[r] {
			continue
		}
		hasItems := false
		for _, f := range all {
			if f.room == r {
				hasItems = true
				break
			}
		}
		if !hasItems {
			next.Rooms[r] = ends[r] // nothing to list there: skip what was scanned
		}
	}
	page.Next = next.Encode()
	page.More = more && len(page.Items) > 0
	return page, nil
}

// FindPost looks for a message the account published with the idempotency
// key (its transaction ID, in the event or in unsigned.transaction_id), or
// without a key for one with p's text, reading the room backwards from
// its end. It returns NotFound when it reached the room's beginning
// without finding it, and an error with code Unknown when it gave up
// after 2,000 messages.
func (d *Driver) FindPost(ctx context.Context, idempotencyKey string, p *driver.Post) (driver.PublishResult, error) {
	room, err := d.RoomID(ctx)
	if err != nil {
		return driver.PublishResult{}, err
	}
	me, err := d.UserID(ctx)
	if err != nil {
		return driver.PublishResult{}, err
	}
	txn := ""
	if idempotencyKey != "" {
		txn = TxnID(idempotencyKey, 0)
	}
	body := ""
	if p != nil {
		body, _ = Render(p.Title, p.Text, p.Sensitive, p.SpoilerText)
	}
	if txn == "" && body == "" {
		return driver.PublishResult{}, fail(driver.InvalidContent, "FindPost needs an idempotency key or a post")
	}
	from, err := d.liveToken(ctx, room)
	if err != nil {
		return driver.PublishResult{}, err
	}
	for range maxScanRequests {
		page, err := d.messages(ctx, room, from, "b", eventsPerRequest)
		if err != nil {
			return driver.PublishResult{}, err
		}
		for i := range page.Chunk {
			ev := &page.Chunk[i]
			if ev.Sender != me || ev.redacted() {
				continue
			}
			match := txn != "" && (ev.Content.Txn == txn || ev.Unsigned.TransactionID == txn)
			if txn == "" && ev.listable() && ev.Content.Body == body {
				match = true
			}
			if match {
				return driver.PublishResult{Status: driver.Published, ID: ev.EventID, URL: permalink(room, ev.EventID),
					PublishedAt: time.UnixMilli(ev.OriginServerTS).UTC()}, nil
			}
		}
		if page.End == "" || len(page.Chunk) == 0 || page.End == from {
			return driver.PublishResult{}, fail(driver.NotFound, "no message of the account has that idempotency key or text")
		}
		from = page.End
	}
	return driver.PublishResult{}, fail(driver.Unknown, "the post was not among the room's last %d messages: cannot tell whether it was published", maxScanRequests*eventsPerRequest)
}

// relations lists the events relating to eventID with relType and evType,
// following next_batch (GET /_matrix/client/v1/rooms/{roomId}/relations).
func (d *Driver) relations(ctx context.Context, room, eventID, relType, evType string) ([]event, error) {
	path := "/_matrix/client/v1/rooms/" + pathEscape(room) + "/relations/" + pathEscape(eventID) + "/" + pathEscape(relType)
	if evType != "" {
		path += "/" + pathEscape(evType)
	}
	var all []event
	from := ""
	for range maxScanRequests {
		q := url.Values{"limit": {strconv.Itoa(eventsPerRequest)}}
		if from != "" {
			q.Set("from", from)
		}
		var page struct {
			Chunk     []event `json:"chunk"`
			NextBatch string  `json:"next_batch"`
		}
		if err := d.get(ctx, classRead, path, q, &page); err != nil {
			return nil, err
		}
		all = append(all, page.Chunk...)
		if page.NextBatch == "" || len(page.Chunk) == 0 {
			return all, nil
		}
		from = page.NextBatch
	}
	return all, nil
}

// Like is the reaction key of a like.
const Like = "👍"

// SetLiked likes an event with an m.reaction annotation whose key is 👍,
// unless the account already has one, or takes the like back by redacting
// the account's 👍 reactions to it.
func (d *Driver) SetLiked(ctx context.Context, id string, liked bool) error {
	room, err := d.RoomID(ctx)
	if err != nil {
		return err
	}
	me, err := d.UserID(ctx)
	if err != nil {
		return err
	}
	reactions, err := d.relations(ctx, room, id, "m.annotation", "m.reaction")
	if err != nil {
		return err
	}
	var mine []string
	for _, r := range reactions {
		if r.Sender == me && !r.redacted() && r.Content.RelatesTo != nil && r.Content.RelatesTo.Key == Like && !d.wasUnliked(r.EventID) {
			mine = append(mine, r.EventID)
		}
	}
	// The server may not list a reaction sent a moment ago: add the one
	// this driver remembers sending.
	if sent := d.likedWith(id); sent != "" && !slices.Contains(mine, sent) {
		mine = append(mine, sent)
	}
	if liked {
		if len(mine) > 0 {
			return nil
		}
		content := map[string]any{"m.relates_to": relatesTo{RelType: "m.annotation", EventID: id, Key: Like}}
		// A repeated reaction is harmless (the checks above find it), so
		// the reaction is sent as if keyed.
		reaction, err := d.send(ctx, room, "m.reaction", randomTxnID(), content, true)
		if errors.Is(err, driver.ErrDuplicate) {
			return nil
		}
		if err == nil {
			d.recordLike(id, reaction)
		}
		return err
	}
	for _, r := range mine {
		if err := d.redact(ctx, room, r, ""); err != nil && !errors.Is(err, driver.ErrNotFound) {
			return err
		}
		d.recordUnlike(id, r)
	}
	return nil
}

// likedWith returns the reaction this driver sent to like id, if any.
func (d *Driver) likedWith(id string) string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.likes[id]
}

// wasUnliked reports whether this driver redacted the reaction.
func (d *Driver) wasUnliked(reaction string) bool {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.unliked[reaction]
}

func (d *Driver) recordLike(id, reaction string) {
	if reaction == "" {
		return
	}
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.likes == nil || len(d.likes) >= maxParents {
		d.likes = make(map[string]string)
	}
	d.likes[id] = reaction
	delete(d.unliked, reaction)
}

func (d *Driver) recordUnlike(id, reaction string) {
	d.mu.Lock()
	defer d.mu.Unlock()
	if d.likes[id] == reaction {
		delete(d.likes, id)
	}
	if d.unliked == nil || len(d.unliked) >= maxParents {
		d.unliked = make(map[string]bool)
	}
	d.unliked[reaction] = true
}

// PostMetrics reads a post's counters: Likes is the number of reactions
// (m.annotation relations, any key), Comments the number of replies and
// replies to replies (as ListComments lists them). Comments is left
// invalid when the room has more than 2,000 messages after the post.
// Matrix reports no impressions, reach, shares, saves or clicks.
func (d *Driver) PostMetrics(ctx context.Context, postID string) (driver.PostMetrics, error) {
	room, err := d.RoomID(ctx)
	if err != nil {
		return driver.PostMetrics{}, err
	}
	pos, ev, err := d.at(ctx, room, postID)
	if err != nil {
		return driver.PostMetrics{}, err
	}
	if ev.redacted() {
		return driver.PostMetrics{}, fail(driver.NotFound, "post %s was deleted (redacted)", postID)
	}
	m := driver.PostMetrics{PostID: postID}
	reactions, err := d.relations(ctx, room, postID, "m.annotation", "m.reaction")
	if err != nil {
		return driver.PostMetrics{}, err
	}
	var likes int64
	counted := false
	sent := d.likedWith(postID)
	for _, r := range reactions {
		if !r.redacted() && r.Type == "m.reaction" && !d.wasUnliked(r.EventID) {
			likes++
			counted = counted || r.EventID == sent
		}
	}
	if sent != "" && !counted {
		likes++ // sent by this driver, not indexed by the server yet
	}
	m.Likes = driver.M(likes)
	var comments int64
	for range maxMetricScans {
		items, next, more, err := d.scan(ctx, room, pos, maxPageSize, func(ev *event) (bool, error) {
			p := ev.parent()
			d.remember(ev.EventID, p)
			if !ev.listable() || p == "" {
				return false, nil
			}
			return d.descends(ctx, room, p, postID)
		})
		if err != nil {
			return driver.PostMetrics{}, err
		}
		comments += int64(len(items))
		if !more {
			m.Comments = driver.M(comments)
			break
		}
		pos = next
	}
	m.FetchedAt = d.now()
	return m, nil
}

// AccountMetrics reads the room's joined members (GET
// /rooms/{roomId}/joined_members) as Followers, the account itself not
// counted.
func (d *Driver) AccountMetrics(ctx context.Context) (driver.AccountMetrics, error) {
	room, err := d.RoomID(ctx)
	if err != nil {
		return driver.AccountMetrics{}, err
	}
	me, err := d.UserID(ctx)
	if err != nil {
		return driver.AccountMetrics{}, err
	}
	var out struct {
		Joined map[string]json.RawMessage `json:"joined"`
	}
	if err := d.get(ctx, classRead, "/_matrix/client/v3/rooms/"+pathEscape(room)+"/joined_members", nil, &out); err != nil {
		return driver.AccountMetrics{}, err
	}
	n := int64(len(out.Joined))
	if _, ok := out.Joined[me]; ok {
		n--
	}
	return driver.AccountMetrics{Followers: driver.M(n), FetchedAt: d.now()}, nil
}
