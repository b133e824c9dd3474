package mastodon

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// statusParams is the body of POST /api/v1/statuses and PUT
// /api/v1/statuses/:id (methods/statuses.md), sent as JSON.
type statusParams struct {
	Status      string   `json:"status"`
	MediaIDs    []string `json:"media_ids,omitempty"`
	InReplyToID string   `json:"in_reply_to_id,omitempty"`
	Sensitive   bool     `json:"sensitive,omitempty"`
	SpoilerText string   `json:"spoiler_text,omitempty"`
	Visibility  string   `json:"visibility,omitempty"`
	Language    string   `json:"language,omitempty"`
}

// statusText is the text of a status for p: its Text, then its Link and
// Tags (as hashtags) when the text does not already hold them, since
// Mastodon has no separate link or tag fields.
func statusText(p *driver.Post) string {
	text := p.Text
	var tail []string
	if p.Link != "" && !strings.Contains(text, p.Link) {
		tail = append(tail, p.Link)
	}
	var tags []string
	for _, t := range p.Tags {
		t = strings.TrimPrefix(strings.TrimSpace(t), "#")
		if t == "" || strings.ContainsAny(t, " \t\n") {
			continue
		}
		if !containsFold(text, "#"+t) {
			tags = append(tags, "#"+t)
		}
	}
	if len(tags) > 0 {
		tail = append(tail, strings.Join(tags, " "))
	}
	if len(tail) == 0 {
		return text
	}
	if text == "" {
		return strings.Join(tail, "\n\n")
	}
	return text + "\n\n" + strings.Join(tail, "\n\n")
}

func containsFold(s, sub string) bool {
	return strings.Contains(strings.ToLower(s), strings.ToLower(sub))
}

// params builds the status parameters of p with its uploaded media.
func (d *Driver) params(p *driver.Post, mediaIDs []string, replyTo, visibility, language string) statusParams {
	sp := statusParams{
		Status: statusText(p), MediaIDs: mediaIDs, InReplyToID: replyTo,
		Sensitive: p.Sensitive || p.SpoilerText != "", SpoilerText: p.SpoilerText,
		Visibility: visibility, Language: p.Language,
	}
	if sp.Language == "" {
		sp.Language = language
	}
	return sp
}

// partKey derives the idempotency key of the i-th post of a thread (the
// head is 0), so that retrying a whole thread with the same key replays
// every part.
func partKey(key string, i int) string {
	if key == "" || i == 0 {
		return key
	}
	return key + "/" + itoa(i)
}

// Publish posts p (POST /api/v1/statuses) with its media (POST
// /api/v2/media, waiting for processing), then each post of p.Thread as a
// reply to the previous one. PublishOptions.IdempotencyKey is sent as the
// Idempotency-Key header (the thread's i-th post gets key+"/i"). A thread
// that fails half-way returns the IDs already published with the error.
func (d *Driver) Publish(ctx context.Context, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	if p == nil {
		return driver.PublishResult{}, invalidf("no post given")
	}
	replyTo, vis := "", d.vis
	if p.ReplyTo != "" {
		parent, err := d.parent(ctx, p.ReplyTo)
		if err != nil {
			return driver.PublishResult{}, err
		}
		replyTo, vis = parent.ID, narrower(vis, parent.Visibility)
	}
	return d.publishThread(ctx, p, replyTo, vis, opts.IdempotencyKey)
}

// publishThread publishes p and its thread under replyTo.
func (d *Driver) publishThread(ctx context.Context, p *driver.Post, replyTo, vis, key string) (driver.PublishResult, error) {
	head, err := d.post(ctx, p, replyTo, vis, "", key)
	if err != nil {
		return driver.PublishResult{}, err
	}
	res := driver.PublishResult{Status: driver.Published, ID: head.ID, URL: head.URL, PublishedAt: head.CreatedAt}
	prev := head.ID
	for i := range p.Thread {
		st, err := d.post(ctx, &p.Thread[i], prev, vis, p.Language, partKey(key, i+1))
		if err != nil {
			return res, fmt.Errorf("publishing post %d of the thread: %w", i+2, err)
		}
		res.ThreadIDs = append(res.ThreadIDs, st.ID)
		prev = st.ID
	}
	return res, nil
}

// post uploads p's media and creates one status.
func (d *Driver) post(ctx context.Context, p *driver.Post, replyTo, vis, language, key string) (*status, error) {
	ids, err := d.uploadAll(ctx, p.Media)
	if err != nil {
		return nil, err
	}
	var st status
	err = d.c.DoJSON(ctx, &transport.Request{
		Method: http.MethodPost, Path: "/api/v1/statuses", Class: classAPI,
		JSON: d.params(p, ids, replyTo, vis, language), IdempotencyKey: key,
	}, &st)
	if err != nil {
		return nil, err
	}
	if st.ID == "" {
		return nil, &driver.Error{Code: driver.Indeterminate, Network: network, Message: "the instance accepted the status but returned no ID"}
	}
	return &st, nil
}

// parent reads the status a reply answers (GET /api/v1/statuses/:id).
func (d *Driver) parent(ctx context.Context, id string) (*status, error) {
	if !validID(id) {
		return nil, notFoundID("status", id)
	}
	var st status
	if err := d.c.GetJSON(ctx, classAPI, "/api/v1/statuses/"+id, nil, &st); err != nil {
		return nil, err
	}
	return &st, nil
}

// notFoundID is the error for an ID that cannot be a Mastodon ID: no
// status can have it.
func notFoundID(what, id string) error {
	return &driver.Error{Code: driver.NotFound, Network: network, Message: fmt.Sprintf("%s ID %q is not a Mastodon ID", what, truncate(id, maxIDLen))}
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}

// visibilityRank orders visibilities from the widest.
var visibilityRank = map[string]int{Public: 0, Unlisted: 1, Private: 2, Direct: 3}

// narrower returns the less visible of a and b, as Mastodon's own clients
// do for replies: a reply to a followers-only or direct status stays so.
func narrower(a, b string) string {
	ra, oka := visibilityRank[a]
	rb, okb := visibilityRank[b]
	if okb && (!oka || rb > ra) {
		return b
	}
	return a
}

// Reply answers the status parentID (a post, or a reply under one) with p:
// it reads the parent, mentions its author at the start of the text unless
// the text already does (Mastodon notifies only mentioned accounts), and
// keeps the parent's visibility when it is narrower than Options.Visibility.
// p.Thread continues under the reply.
func (d *Driver) Reply(ctx context.Context, parentID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	if p == nil {
		return driver.PublishResult{}, invalidf("no post given")
	}
	parent, err := d.parent(ctx, parentID)
	if err != nil {
		return driver.PublishResult{}, err
	}
	me, err := d.self(ctx)
	if err != nil {
		return driver.PublishResult{}, err
	}
	q := *p
	if parent.Account.ID != me.ID && parent.Account.Acct != "" && !mentions(q.Text, parent.Account.Acct) {
		q.Text = "@" + parent.Account.Acct + " " + q.Text
	}
	return d.publishThread(ctx, &q, parent.ID, narrower(d.vis, parent.Visibility), opts.IdempotencyKey)
}

// mentions reports whether text mentions acct ("user" or "user@host").
func mentions(text, acct string) bool {
	m := "@" + strings.ToLower(acct)
	t := strings.ToLower(text)
	for i := 0; ; {
		j := strings.Index(t[i:], m)
		if j < 0 {
			return false
		}
		end := i + j + len(m)
		if end == len(t) || !isHandleChar(t[end]) {
			return true
		}
		i = end
	}
}

func isHandleChar(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-' || c == '@'
}

// EditPost replaces the text, content warning, language and, when p has
// media, the attachments of one of the account's statuses (PUT
// /api/v1/statuses/:id, Mastodon 3.5 and later; GoToSocial 0.17 has no
// edits and answers NotFound). Without p.Media the attachments are kept.
func (d *Driver) EditPost(ctx context.Context, postID string, p *driver.Post) (driver.PublishResult, error) {
	if p == nil {
		return driver.PublishResult{}, invalidf("no post given")
	}
	if !validID(postID) {
		return driver.PublishResult{}, notFoundID("status", postID)
	}
	ids, err := d.uploadAll(ctx, p.Media)
	if err != nil {
		return driver.PublishResult{}, err
	}
	sp := d.params(p, ids, "", "", "")
	var st status
	err = d.c.DoJSON(ctx, &transport.Request{Method: http.MethodPut, Path: "/api/v1/statuses/" + postID, Class: classAPI, JSON: sp}, &st)
	if err != nil {
		return driver.PublishResult{}, err
	}
	return driver.PublishResult{Status: driver.Published, ID: st.ID, URL: st.URL, PublishedAt: st.CreatedAt}, nil
}

// DeletePost deletes one of the account's statuses (DELETE
// /api/v1/statuses/:id). Mastodon paces deletions at 30 per 30 minutes.
func (d *Driver) DeletePost(ctx context.Context, postID string) error {
	if !validID(postID) {
		return notFoundID("status", postID)
	}
	_, err := d.c.Do(ctx, &transport.Request{Method: http.MethodDelete, Path: "/api/v1/statuses/" + postID, Class: classDelete})
	return err
}

// uploadAll uploads media in order and returns their IDs.
func (d *Driver) uploadAll(ctx context.Context, media []driver.Media) ([]string, error) {
	var ids []string
	for i := range media {
		id, err := d.upload(ctx, &media[i])
		if err != nil {
			return nil, fmt.Errorf("uploading media %d: %w", i+1, err)
		}
		ids = append(ids, id)
	}
	return ids, nil
}

// upload sends one attachment (POST /api/v2/media, multipart "file" and
// "description") and waits until the instance has processed it: a 202
// answer has a null url, and GET /api/v1/media/:id answers 206 until the
// file is ready. An upload whose status is never created is harmless
// (Mastodon removes unattached media), so uploads count as idempotent.
func (d *Driver) upload(ctx context.Context, m *driver.Media) (string, error) {
	data, err := d.mediaBytes(ctx, m)
	if err != nil {
		return "", err
	}
	name := m.Filename
	if name == "" {
		name = "media" + extension(m.MIMEType)
	}
	parts := []transport.Part{{Name: "file", Filename: name, ContentType: m.MIMEType, Data: data}}
	if m.AltText != "" {
		parts = append(parts, transport.Part{Name: "description", Data: []byte(m.AltText)})
	}
	body, ctype, err := transport.Multipart(parts...)
	if err != nil {
		return "", invalidf("building the upload: %v", err)
	}
	resp, err := d.c.Do(ctx, &transport.Request{Method: http.MethodPost, Path: "/api/v2/media", Class: classMedia,
		Body: body, ContentType: ctype, Idempotent: true})
	if err != nil {
		return "", err
	}
	var a attachment
	if err := resp.DecodeJSON(&a); err != nil || a.ID == "" {
		return "", &driver.Error{Code: driver.Unknown, Network: network, Status: resp.StatusCode, Message: "the media upload answer has no attachment ID"}
	}
	if resp.StatusCode != http.StatusAccepted && a.URL != nil {
		return a.ID, nil
	}
	return a.ID, d.awaitMedia(ctx, a.ID)
}

// awaitMedia polls GET /api/v1/media/:id until the attachment has a URL,
// for at most Options.MediaWait.
func (d *Driver) awaitMedia(ctx context.Context, id string) error {
	if !validID(id) {
		return notFoundID("media", id)
	}
	deadline := d.now().Add(d.wait)
	for {
		if err := d.sleep(ctx, d.poll); err != nil {
			return &driver.Error{Code: driver.Canceled, Network: network, Message: "waiting for media processing", Err: err}
		}
		resp, err := d.c.Do(ctx, &transport.Request{Path: "/api/v1/media/" + id, Class: classAPI})
		if err != nil {
			return err
		}
		var a attachment
		if resp.StatusCode == http.StatusOK && resp.DecodeJSON(&a) == nil && a.URL != nil {
			return nil
		}
		if !d.now().Before(deadline) {
			return &driver.Error{Code: driver.Unavailable, Network: network,
				Message: fmt.Sprintf("media %s is still processing after %v; nothing was published (raise the media_wait option for long videos)", id, d.wait)}
		}
	}
}

// maxDownload bounds the bytes read from Media.URL.
const maxDownload = 200 << 20

// mediaBytes returns the bytes of m: Data, Open, or a download of URL
// (Mastodon takes no URLs, only files).
func (d *Driver) mediaBytes(ctx context.Context, m *driver.Media) ([]byte, error) {
	switch {
	case m.Data != nil:
		return m.Data, nil
	case m.Open != nil:
		r, err := m.Open()
		if err != nil {
			return nil, &driver.Error{Code: driver.InvalidContent, Network: network, Message: "opening the media: " + err.Error(), Err: err}
		}
		defer r.Close()
		b, err := io.ReadAll(r)
		if err != nil {
			return nil, &driver.Error{Code: driver.InvalidContent, Network: network, Message: "reading the media: " + err.Error(), Err: err}
		}
		return b, nil
	case m.URL != "":
		return d.download(ctx, m.URL)
	}
	return nil, invalidf("the media has no bytes: set Data, Open or URL")
}

// download fetches a media URL without the account's token.
func (d *Driver) download(ctx context.Context, raw string) ([]byte, error) {
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") {
		return nil, invalidf("media URL %q is not an http(s) URL", transport.Scrub(raw))
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, raw, nil)
	if err != nil {
		return nil, invalidf("media URL: %v", err)
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		return nil, &driver.Error{Code: driver.Unavailable, Network: network, Message: "downloading the media: " + transport.Scrub(err.Error()), Err: err}
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		code := driver.Unavailable
		if resp.StatusCode < 500 {
			code = driver.InvalidContent
		}
		return nil, &driver.Error{Code: code, Network: network, Status: resp.StatusCode, Message: "downloading the media answered " + resp.Status}
	}
	b, err := transport.ReadBody(resp.Body, maxDownload)
	if err != nil {
		return nil, &driver.Error{Code: driver.InvalidContent, Network: network, Message: "downloading the media: " + err.Error(), Err: err}
	}
	return b, nil
}

// extension returns a file extension for a MIME type.
func extension(mime string) string {
	switch mime {
	case "image/jpeg":
		return ".jpg"
	case "image/png":
		return ".png"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "video/mp4":
		return ".mp4"
	case "video/quicktime":
		return ".mov"
	case "video/webm":
		return ".webm"
	}
	return ""
}

// SendMessage sends a direct message: a status with visibility direct that
// mentions its recipients. conversationID is either the ConversationID of
// a message listed by ListMessages (the message answers that
// conversation's last status and mentions its participants), or the
// handles of the recipients, each starting with '@' ("@fan@example.org",
// or "@a @b" for several) to start a new conversation.
func (d *Driver) SendMessage(ctx context.Context, conversationID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	if p == nil {
		return driver.PublishResult{}, invalidf("no post given")
	}
	var accts []string
	replyTo := ""
	if strings.HasPrefix(strings.TrimSpace(conversationID), "@") {
		for _, f := range strings.FieldsFunc(conversationID, func(r rune) bool { return r == ' ' || r == ',' || r == '\n' || r == '\t' }) {
			a := strings.TrimPrefix(f, "@")
			if a == "" || strings.ContainsAny(a, "<>\"") {
				return driver.PublishResult{}, invalidf("recipient %q is not a handle", f)
			}
			accts = append(accts, a)
		}
	} else {
		conv, err := d.conversation(ctx, conversationID)
		if err != nil {
			return driver.PublishResult{}, err
		}
		for _, a := range conv.Accounts {
			accts = append(accts, a.Acct)
		}
		if conv.LastStatus != nil {
			replyTo = conv.LastStatus.ID
		}
	}
	if len(accts) == 0 {
		return driver.PublishResult{}, invalidf("the conversation has no recipient")
	}
	q := *p
	var prefix []string
	for _, a := range accts {
		if !mentions(q.Text, a) {
			prefix = append(prefix, "@"+a)
		}
	}
	if len(prefix) > 0 {
		q.Text = strings.Join(prefix, " ") + " " + q.Text
	}
	return d.publishThread(ctx, &q, replyTo, Direct, opts.IdempotencyKey)
}

// maxConversationPages bounds the search for a conversation by ID.
const maxConversationPages = 5

// conversation finds a conversation by ID among the most recent ones (GET
// /api/v1/conversations has no single-conversation read).
func (d *Driver) conversation(ctx context.Context, id string) (*conversation, error) {
	if !validID(id) {
		return nil, notFoundID("conversation", id)
	}
	const path = "/api/v1/conversations"
	query := url.Values{"limit": {"40"}}
	for range maxConversationPages {
		resp, err := d.c.Do(ctx, &transport.Request{Path: path, Query: query, Class: classAPI})
		if err != nil {
			return nil, err
		}
		var convs []conversation
		if err := resp.DecodeJSON(&convs); err != nil {
			return nil, decodeErr(resp, err)
		}
		for i := range convs {
			if convs[i].ID == id {
				return &convs[i], nil
			}
		}
		next, ok := nextQuery(resp.Header.Get("Link"))
		if len(convs) == 0 || !ok {
			break
		}
		query = next
	}
	return nil, &driver.Error{Code: driver.NotFound, Network: network,
		Message: fmt.Sprintf("conversation %s is not among the %d most recent; start a new one with the recipient's @handle", id, maxConversationPages*40)}
}

func decodeErr(resp *transport.Response, err error) error {
	return &driver.Error{Code: driver.Unknown, Network: network, Status: resp.StatusCode, Message: "decoding response: " + err.Error(), Err: err}
}

// findPages is how many pages of 40 recent statuses FindPost searches.
const findPages = 2

// FindPost looks for a status published earlier with p's text among the
// account's 80 most recent statuses (GET /api/v1/accounts/:id/statuses),
// to reconcile a publish whose outcome was Indeterminate. Mastodon keeps
// an Idempotency-Key for one hour only and cannot be asked about it, so
// the key is not used: within that hour, publishing again with the same
// key is the simpler reconciliation. It matches the text (as published:
// with Link and Tags appended), the content warning and, for a reply, the
// parent; ErrNotFound means no such status is among the recent ones.
func (d *Driver) FindPost(ctx context.Context, idempotencyKey string, p *driver.Post) (driver.PublishResult, error) {
	if p == nil {
		return driver.PublishResult{}, &driver.Error{Code: driver.NotFound, Network: network,
			Message: "Mastodon cannot find a post by idempotency key alone: pass the post"}
	}
	me, err := d.self(ctx)
	if err != nil {
		return driver.PublishResult{}, err
	}
	want := normalize(statusText(p))
	path := "/api/v1/accounts/" + url.PathEscape(me.ID) + "/statuses"
	query := url.Values{"limit": {"40"}, "exclude_reblogs": {"true"}}
	for range findPages {
		resp, err := d.c.Do(ctx, &transport.Request{Path: path, Query: query, Class: classAPI})
		if err != nil {
			return driver.PublishResult{}, err
		}
		var sts []status
		if err := resp.DecodeJSON(&sts); err != nil {
			return driver.PublishResult{}, decodeErr(resp, err)
		}
		for _, st := range sts {
			if p.ReplyTo != "" && st.InReplyToID != p.ReplyTo {
				continue
			}
			if st.SpoilerText != p.SpoilerText {
				continue
			}
			if got := normalize(PlainText(st.Content)); got == want || strings.HasSuffix(got, " "+want) && p.ReplyTo != "" {
				return driver.PublishResult{Status: driver.Published, ID: st.ID, URL: st.URL, PublishedAt: st.CreatedAt}, nil
			}
		}
		if len(sts) == 0 {
			break
		}
		query = url.Values{"limit": {"40"}, "exclude_reblogs": {"true"}, "max_id": {sts[len(sts)-1].ID}}
	}
	return driver.PublishResult{}, &driver.Error{Code: driver.NotFound, Network: network,
		Message: fmt.Sprintf("no status with this text among the account's %d most recent", findPages*40)}
}

// normalize collapses white space, for comparing texts.
func normalize(s string) string { return strings.Join(strings.Fields(s), " ") }
