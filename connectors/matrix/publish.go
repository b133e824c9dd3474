package matrix

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"html"
	"io"
	"net"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/textcount"
	"github.com/cmkit/cmkit/connectors/transport"
)

// txnField is the namespaced content key carrying the transaction ID
// derived from the idempotency key, so FindPost recognises the event from
// any device. It holds a hash, never the key itself.
const txnField = "com.github.cmkit.txn"

// TxnID returns the transaction ID the driver sends for an idempotency key
// and one part of a publish (0 for the head, i for the i-th thread post):
// "cmkit." and 22 characters of the key's SHA-256, then ".i" for a part.
// The same key always gives the same ID, so a repeated publish is
// deduplicated by the homeserver.
func TxnID(idempotencyKey string, part int) string {
	sum := sha256.Sum256([]byte(idempotencyKey))
	id := "cmkit." + base64.RawURLEncoding.EncodeToString(sum[:])[:22]
	if part > 0 {
		id += "." + strconv.Itoa(part)
	}
	return id
}

// randomTxnID returns a fresh transaction ID for requests without a key.
func randomTxnID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return "cmkit.r." + hex.EncodeToString(b[:])
}

// Publish sends the post as an m.room.message (m.text, or m.image/m.video
// with the text as caption) with PUT
// /_matrix/client/v3/rooms/{roomId}/send/m.room.message/{txnId}, then each
// Post.Thread entry as a reply in the Matrix thread of the head (rel_type
// m.thread). The transaction IDs derive from opts.IdempotencyKey (TxnID).
func (d *Driver) Publish(ctx context.Context, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	room, err := d.RoomID(ctx)
	if err != nil {
		return driver.PublishResult{}, err
	}
	var rel *relatesTo
	var mention []string
	if p.ReplyTo != "" {
		if rel, mention, err = d.replyRelation(ctx, room, p.ReplyTo); err != nil {
			return driver.PublishResult{}, err
		}
	}
	res, err := d.sendPost(ctx, room, p, rel, mention, opts.IdempotencyKey, 0)
	if err != nil {
		return driver.PublishResult{}, err
	}
	prev := res.ID
	for i := range p.Thread {
		t := &p.Thread[i]
		threadRel := &relatesTo{RelType: "m.thread", EventID: res.ID, IsFallingBack: true, InReplyTo: &inReplyTo{EventID: prev}}
		r, err := d.sendPost(ctx, room, t, threadRel, nil, opts.IdempotencyKey, i+1)
		if err != nil {
			return res, err
		}
		res.ThreadIDs = append(res.ThreadIDs, r.ID)
		prev = r.ID
	}
	return res, nil
}

// Reply answers parentID with a rich reply (m.relates_to.m.in_reply_to),
// staying in the parent's thread when it is in one, and mentions the
// parent's sender (m.mentions).
func (d *Driver) Reply(ctx context.Context, parentID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	room, err := d.RoomID(ctx)
	if err != nil {
		return driver.PublishResult{}, err
	}
	rel, mention, err := d.replyRelation(ctx, room, parentID)
	if err != nil {
		return driver.PublishResult{}, err
	}
	return d.sendPost(ctx, room, p, rel, mention, opts.IdempotencyKey, 0)
}

// replyRelation reads the parent (NotFound when it does not exist) and
// returns the relation of a reply to it.
func (d *Driver) replyRelation(ctx context.Context, room, parentID string) (*relatesTo, []string, error) {
	parent, err := d.event(ctx, room, parentID)
	if err != nil {
		return nil, nil, err
	}
	rel := &relatesTo{InReplyTo: &inReplyTo{EventID: parentID}}
	if pr := parent.Content.RelatesTo; pr != nil && pr.RelType == "m.thread" && pr.EventID != "" {
		rel.RelType, rel.EventID = "m.thread", pr.EventID
	}
	var mention []string
	if parent.Sender != "" {
		mention = []string{parent.Sender}
	}
	return rel, mention, nil
}

// SendMessage sends a direct message. conversationID is the DM room's ID
// ("!id:server"), or a user ID ("@name:server"): the driver then uses the
// DM room listed for that user in the account's m.direct account data, or
// creates one (POST /createRoom with is_direct, inviting the user) and
// records it in m.direct.
func (d *Driver) SendMessage(ctx context.Context, conversationID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	room := conversationID
	switch {
	case strings.HasPrefix(conversationID, "!"):
	case strings.HasPrefix(conversationID, "@"):
		var err error
		if room, err = d.directRoom(ctx, conversationID); err != nil {
			return driver.PublishResult{}, err
		}
	default:
		return driver.PublishResult{}, fail(driver.InvalidContent, "conversation %q is neither a room ID (!id:server) nor a user ID (@name:server)", conversationID)
	}
	return d.sendPost(ctx, room, p, nil, nil, opts.IdempotencyKey, 0)
}

// EditPost replaces the post's content with an m.replace relation
// (m.new_content); the event ID stays the same.
func (d *Driver) EditPost(ctx context.Context, postID string, p *driver.Post) (driver.PublishResult, error) {
	room, err := d.RoomID(ctx)
	if err != nil {
		return driver.PublishResult{}, err
	}
	if _, err := d.event(ctx, room, postID); err != nil {
		return driver.PublishResult{}, err
	}
	content, err := d.render(ctx, p, nil)
	if err != nil {
		return driver.PublishResult{}, err
	}
	edit := map[string]any{}
	for k, v := range content {
		edit[k] = v
	}
	edit["body"] = "* " + content["body"].(string)
	if fb, ok := content["formatted_body"].(string); ok {
		edit["formatted_body"] = "* " + fb
	}
	edit["m.new_content"] = content
	edit["m.relates_to"] = &relatesTo{RelType: "m.replace", EventID: postID}
	if _, err := d.send(ctx, room, "m.room.message", randomTxnID(), edit, false); err != nil {
		return driver.PublishResult{}, err
	}
	return driver.PublishResult{Status: driver.Published, ID: postID, URL: permalink(room, postID)}, nil
}

// DeletePost redacts one of the account's posts. A missing or already
// redacted post is NotFound.
func (d *Driver) DeletePost(ctx context.Context, postID string) error {
	return d.redactLive(ctx, postID, "")
}

// DeleteComment redacts a comment, the account's own or, with a
// sufficient power level (moderators: "redact", 50 by default), someone
// else's.
func (d *Driver) DeleteComment(ctx context.Context, commentID string) error {
	return d.redactLive(ctx, commentID, "")
}

// redactLive redacts an event of the room after checking it exists and is
// not redacted yet.
func (d *Driver) redactLive(ctx context.Context, eventID, reason string) error {
	room, err := d.RoomID(ctx)
	if err != nil {
		return err
	}
	ev, err := d.event(ctx, room, eventID)
	if err != nil {
		return err
	}
	if ev.redacted() {
		return fail(driver.NotFound, "event %s is already deleted (redacted)", eventID)
	}
	return d.redact(ctx, room, eventID, reason)
}

// redact sends PUT /rooms/{roomId}/redact/{eventId}/{txnId}.
func (d *Driver) redact(ctx context.Context, room, eventID, reason string) error {
	body := map[string]string{}
	if reason != "" {
		body["reason"] = reason
	}
	return d.do(ctx, &transport.Request{
		Method: http.MethodPut,
		Path:   "/_matrix/client/v3/rooms/" + pathEscape(room) + "/redact/" + pathEscape(eventID) + "/" + randomTxnID(),
		JSON:   body, Class: classSend,
	}, nil)
}

// sendPost renders and sends one post (the part-th of a publish).
func (d *Driver) sendPost(ctx context.Context, room string, p *driver.Post, rel *relatesTo, mention []string, key string, part int) (driver.PublishResult, error) {
	content, err := d.render(ctx, p, mention)
	if err != nil {
		return driver.PublishResult{}, err
	}
	if rel != nil {
		content["m.relates_to"] = rel
	}
	txn := randomTxnID()
	if key != "" {
		txn = TxnID(key, part)
		content[txnField] = txn
	}
	id, err := d.send(ctx, room, "m.room.message", txn, content, key != "")
	if err != nil {
		return driver.PublishResult{}, err
	}
	return driver.PublishResult{Status: driver.Published, ID: id, URL: permalink(room, id), PublishedAt: d.now()}, nil
}

// send sends one event with PUT /rooms/{roomId}/send/{type}/{txnId}.
// keyed reports that txn derives from an idempotency key: a failure after
// the request was sent is then safe to retry (the homeserver deduplicates
// the transaction ID); without a key it is Indeterminate.
func (d *Driver) send(ctx context.Context, room, evType, txn string, content any, keyed bool) (string, error) {
	var out struct {
		EventID string `json:"event_id"`
	}
	err := d.do(ctx, &transport.Request{
		Method: http.MethodPut,
		Path:   "/_matrix/client/v3/rooms/" + pathEscape(room) + "/send/" + pathEscape(evType) + "/" + pathEscape(txn),
		JSON:   content, Class: classSend,
	}, &out)
	if err != nil {
		if !keyed {
			return "", maybeApplied(err)
		}
		return "", err
	}
	if out.EventID == "" {
		code := driver.Indeterminate
		if keyed {
			code = driver.Unavailable
		}
		return "", fail(code, "the homeserver accepted the event but returned no event_id")
	}
	return out.EventID, nil
}

// maybeApplied turns an Unavailable failure of a PUT without an
// idempotency key into Indeterminate when the request may have reached the
// homeserver: transport counts every PUT as idempotent, but a Matrix send
// is only idempotent when it is repeated with the same transaction ID,
// which a retry without a key does not do. A dial failure or a 503 (the
// server refusing work) was not processed and stays Unavailable.
func maybeApplied(err error) error {
	var de *driver.Error
	if !errors.As(err, &de) || de.Code != driver.Unavailable || de.Status == http.StatusServiceUnavailable {
		return err
	}
	if de.Status == 0 {
		var op *net.OpError
		if errors.As(err, &op) && op.Op == "dial" {
			return err
		}
	}
	cp := *de
	cp.Code = driver.Indeterminate
	cp.Message = "the message may have been sent (no idempotency key to repeat it safely): " + cp.Message
	cp.Err = err
	return &cp
}

// render builds the m.room.message content of a post: body (plain text),
// org.matrix.custom.html formatted_body when the text has links, user IDs,
// line breaks, a title or a spoiler, m.mentions for the user IDs it names,
// and the media (uploaded first) with the text as its caption.
func (d *Driver) render(ctx context.Context, p *driver.Post, mention []string) (map[string]any, error) {
	text := p.Text
	if p.Link != "" && !strings.Contains(text, p.Link) {
		if text != "" {
			text += "\n\n"
		}
		text += p.Link
	}
	body, formatted := Render(p.Title, text, p.Sensitive, p.SpoilerText)
	users := append(append([]string(nil), mention...), MentionedUsers(text)...)
	content := map[string]any{"msgtype": "m.text", "body": body}
	if formatted != "" {
		content["format"] = "org.matrix.custom.html"
		content["formatted_body"] = formatted
	}
	content["m.mentions"] = mentions(users)
	if len(p.Media) == 0 {
		return content, nil
	}
	if len(p.Media) > 1 {
		return nil, fail(driver.InvalidContent, "a Matrix message carries one attachment, got %d", len(p.Media))
	}
	m := &p.Media[0]
	mxc, size, err := d.upload(ctx, m)
	if err != nil {
		return nil, err
	}
	name := m.Filename
	if name == "" {
		name = defaultFilename(m)
	}
	content["msgtype"] = mediaMsgType(m)
	content["url"] = mxc
	content["filename"] = name
	info := map[string]any{"mimetype": m.MIMEType, "size": size}
	if m.Width > 0 && m.Height > 0 {
		info["w"], info["h"] = m.Width, m.Height
	}
	if m.Duration > 0 {
		info["duration"] = m.Duration.Milliseconds()
	}
	content["info"] = info
	if body == "" {
		// No caption: body is the alt text, else the file name.
		content["body"] = m.AltText
		if m.AltText == "" {
			content["body"] = name
		}
	}
	return content, nil
}

func mediaMsgType(m *driver.Media) string {
	if m.Kind == driver.MediaVideo || strings.HasPrefix(m.MIMEType, "video/") {
		return "m.video"
	}
	return "m.image"
}

func defaultFilename(m *driver.Media) string {
	ext := "bin"
	if _, sub, ok := strings.Cut(m.MIMEType, "/"); ok && sub != "" {
		ext = strings.TrimPrefix(sub, "x-")
	}
	return m.Kind.String() + "." + ext
}

func mentions(users []string) map[string]any {
	seen := map[string]bool{}
	ids := []string{}
	for _, u := range users {
		if !seen[u] {
			seen[u] = true
			ids = append(ids, u)
		}
	}
	if len(ids) == 0 {
		return map[string]any{}
	}
	return map[string]any{"user_ids": ids}
}

// upload stores the media in the content repository (POST
// /_matrix/media/v3/upload) and returns its mxc:// URI and size.
func (d *Driver) upload(ctx context.Context, m *driver.Media) (string, int64, error) {
	data := m.Data
	switch {
	case data != nil:
	case m.Open != nil:
		r, err := m.Open()
		if err != nil {
			return "", 0, fail(driver.InvalidContent, "opening the media: %v", err)
		}
		data, err = io.ReadAll(r)
		r.Close()
		if err != nil {
			return "", 0, fail(driver.InvalidContent, "reading the media: %v", err)
		}
	default:
		return "", 0, fail(driver.InvalidContent, "Matrix does not fetch media from a URL: give Media.Data or Media.Open")
	}
	q := url.Values{}
	if m.Filename != "" {
		q.Set("filename", m.Filename)
	}
	var out struct {
		ContentURI string `json:"content_uri"`
	}
	// Repeating an upload only stores an unused copy: it is safe to retry.
	err := d.do(ctx, &transport.Request{
		Method: http.MethodPost, Path: "/_matrix/media/v3/upload", Query: q,
		Body: data, ContentType: m.MIMEType, Class: classMedia, Idempotent: true,
	}, &out)
	if err != nil {
		return "", 0, err
	}
	if !strings.HasPrefix(out.ContentURI, "mxc://") {
		return "", 0, fail(driver.Unknown, "the upload returned no mxc:// content_uri")
	}
	return out.ContentURI, int64(len(data)), nil
}

// directRoom returns the DM room with user, creating it when there is none.
func (d *Driver) directRoom(ctx context.Context, user string) (string, error) {
	me, err := d.UserID(ctx)
	if err != nil {
		return "", err
	}
	direct, err := d.directRooms(ctx, me)
	if err != nil {
		return "", err
	}
	joined, err := d.joinedRooms(ctx)
	if err != nil {
		return "", err
	}
	for _, r := range direct[user] {
		if joined[r] {
			return r, nil
		}
	}
	var out struct {
		RoomID string `json:"room_id"`
	}
	if err := d.do(ctx, &transport.Request{
		Method: http.MethodPost, Path: "/_matrix/client/v3/createRoom", Class: classSend,
		JSON: map[string]any{"preset": "trusted_private_chat", "is_direct": true, "invite": []string{user}},
	}, &out); err != nil {
		return "", err
	}
	if out.RoomID == "" {
		return "", fail(driver.Indeterminate, "createRoom returned no room_id")
	}
	if direct == nil {
		direct = map[string][]string{}
	}
	direct[user] = append(direct[user], out.RoomID)
	if err := d.do(ctx, &transport.Request{
		Method: http.MethodPut, Path: "/_matrix/client/v3/user/" + pathEscape(me) + "/account_data/m.direct",
		JSON: direct, Class: classSend,
	}, nil); err != nil {
		return "", err
	}
	return out.RoomID, nil
}

// directRooms reads the m.direct account data: user ID -> DM room IDs.
func (d *Driver) directRooms(ctx context.Context, me string) (map[string][]string, error) {
	var direct map[string][]string
	err := d.get(ctx, classRead, "/_matrix/client/v3/user/"+pathEscape(me)+"/account_data/m.direct", nil, &direct)
	if errors.Is(err, driver.ErrNotFound) {
		return map[string][]string{}, nil
	}
	return direct, err
}

// joinedRooms lists the rooms the account has joined.
func (d *Driver) joinedRooms(ctx context.Context) (map[string]bool, error) {
	var out struct {
		JoinedRooms []string `json:"joined_rooms"`
	}
	if err := d.get(ctx, classRead, "/_matrix/client/v3/joined_rooms", nil, &out); err != nil {
		return nil, err
	}
	m := make(map[string]bool, len(out.JoinedRooms))
	for _, r := range out.JoinedRooms {
		m[r] = true
	}
	return m, nil
}

// permalink returns the matrix.to link of an event.
func permalink(room, eventID string) string {
	return "https://matrix.to/#/" + url.PathEscape(room) + "/" + url.PathEscape(eventID)
}

// Render returns the body and, when the text needs markup, the
// org.matrix.custom.html formatted_body of a message: links become <a>,
// Matrix user IDs become matrix.to mention pills, line breaks <br>, a title
// a bold first line, and a sensitive post a spoiler (data-mx-spoiler).
// formatted is "" when the plain body says it all.
func Render(title, text string, sensitive bool, spoiler string) (body, formatted string) {
	body = text
	if title != "" {
		body = title + "\n\n" + text
		if text == "" {
			body = title
		}
	}
	markup := title != "" || sensitive || strings.Contains(text, "\n")
	var b strings.Builder
	last := 0
	for _, e := range entities(text) {
		markup = true
		b.WriteString(htmlText(text[last:e.start]))
		if e.user {
			b.WriteString(`<a href="https://matrix.to/#/` + html.EscapeString(e.text) + `">` + html.EscapeString(e.text) + `</a>`)
		} else {
			href := e.text
			if !strings.Contains(href, "://") {
				href = "https://" + href
			}
			b.WriteString(`<a href="` + html.EscapeString(href) + `">` + html.EscapeString(e.text) + `</a>`)
		}
		last = e.end
	}
	if !markup {
		return body, ""
	}
	b.WriteString(htmlText(text[last:]))
	formatted = b.String()
	if sensitive {
		formatted = `<span data-mx-spoiler="` + html.EscapeString(spoiler) + `">` + formatted + `</span>`
	}
	if title != "" {
		formatted = "<strong>" + html.EscapeString(title) + "</strong>" + "<br><br>" + formatted
	}
	return body, formatted
}

func htmlText(s string) string {
	return strings.ReplaceAll(html.EscapeString(s), "\n", "<br>")
}

type entity struct {
	start, end int
	text       string
	user       bool
}

// entities returns the URLs and Matrix user IDs of text, in order, without
// overlaps.
func entities(text string) []entity {
	// User IDs first: their server part would read as a bare domain.
	out := userIDSpans(text)
	users := len(out)
	for _, u := range textcount.URLs(text) {
		overlap := false
		for _, e := range out[:users] {
			if u.Start < e.end && e.start < u.End {
				overlap = true
				break
			}
		}
		if !overlap {
			out = append(out, entity{start: u.Start, end: u.End, text: text[u.Start:u.End]})
		}
	}
	for i := 1; i < len(out); i++ {
		for j := i; j > 0 && out[j].start < out[j-1].start; j-- {
			out[j], out[j-1] = out[j-1], out[j]
		}
	}
	return out
}

// MentionedUsers returns the Matrix user IDs (@localpart:server) written
// in text, in order, each once.
func MentionedUsers(text string) []string {
	var out []string
	seen := map[string]bool{}
	for _, e := range userIDSpans(text) {
		if !seen[e.text] {
			seen[e.text] = true
			out = append(out, e.text)
		}
	}
	return out
}

// userIDSpans finds @localpart:server.name[:port] in text. The localpart
// is the spec's historical user ID grammar (letters, digits and
// ._=-/+), the server a host name of letters, digits, '-' and '.' or a
// bracketed IPv6 literal is not recognised.
func userIDSpans(text string) []entity {
	var out []entity
	for i := 0; i < len(text); i++ {
		if text[i] != '@' || (i > 0 && isLocal(text[i-1])) {
			continue
		}
		j := i + 1
		for j < len(text) && isLocal(text[j]) {
			j++
		}
		if j == i+1 || j >= len(text) || text[j] != ':' {
			continue
		}
		k := j + 1
		for k < len(text) && (isAlnum(text[k]) || text[k] == '-' || text[k] == '.') {
			k++
		}
		for k > j+1 && (text[k-1] == '.' || text[k-1] == '-') {
			k--
		}
		if k == j+1 {
			continue
		}
		if k+1 < len(text) && text[k] == ':' && isDigit(text[k+1]) {
			p := k + 1
			for p < len(text) && isDigit(text[p]) && p-k <= 5 {
				p++
			}
			k = p
		}
		out = append(out, entity{start: i, end: k, text: text[i:k], user: true})
		i = k - 1
	}
	return out
}

func isDigit(c byte) bool { return c >= '0' && c <= '9' }
func isAlnum(c byte) bool { return isDigit(c) || (c|0x20 >= 'a' && c|0x20 <= 'z') }
func isLocal(c byte) bool {
	return isAlnum(c) || c == '.' || c == '_' || c == '=' || c == '-' || c == '/' || c == '+'
}

// sinceMillis converts a time to origin_server_ts milliseconds.
func sinceMillis(t time.Time) int64 {
	if t.IsZero() {
		return 0
	}
	return t.UnixMilli()
}
