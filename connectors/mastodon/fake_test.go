package mastodon_test

import (
	"encoding/json"
	"fmt"
	"html"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fake is an in-memory Mastodon instance built from the API documentation
// (docs.joinmastodon.org/methods): statuses with Idempotency-Key, media
// uploads (202 then 206 while processing), context, favourites,
// notifications and conversations with Link pagination, X-RateLimit-*
// headers and {"error": "..."} bodies. It asserts the shape of what it is
// sent and fails the test on a malformed request.
type fake struct {
	t   tb
	srv *httptest.Server

	mu         sync.Mutex
	seq        int64
	accounts   []*fakeAccount
	statuses   map[string]*fakeStatus
	media      map[string]*fakeMedia
	notifs     []*fakeNotif
	favs       map[string]map[string]bool // status ID → account IDs
	idem       map[string]string          // account ID + key → status ID
	faults     []int
	processing int // 206 answers of GET /api/v1/media/:id before a media is ready
	instance   []byte
	log        []recorded
	remaining  int

	requests atomic.Int64
}

type fakeAccount struct {
	ID, Username, Token string
	Created             time.Time
	Followers           int64
}

type fakeStatus struct {
	ID, Text, Visibility, Spoiler, Language, InReplyTo string
	Sensitive                                          bool
	Author                                             *fakeAccount
	Mentions                                           []*fakeAccount
	Media                                              []string
	Created                                            time.Time
}

type fakeMedia struct {
	ID, Description, MIME, Owner string
	Size, GetsLeft               int
}

type fakeNotif struct {
	ID, Type, Status string
	For, From        *fakeAccount
	Created          time.Time
}

// recorded is one request the fake received.
type recorded struct {
	Method, Path string
	Query        url.Values
	Header       http.Header
	Body         []byte
}

const (
	brandToken = "brand-token-0123456789"
	fanToken   = "fan-token-0123456789"
)

// tb is what the fake needs of a test: testing.TB, or exampleTB in examples.
type tb interface {
	Helper()
	Errorf(format string, args ...any)
	Fatal(args ...any)
	Logf(format string, args ...any)
}

// exampleTB reports a broken fake in an Example by panicking.
type exampleTB struct{}

func (exampleTB) Helper()                           {}
func (exampleTB) Errorf(format string, args ...any) { panic(fmt.Sprintf(format, args...)) }
func (exampleTB) Fatal(args ...any)                 { panic(fmt.Sprint(args...)) }
func (exampleTB) Logf(format string, args ...any)   {}

func newFake(t tb) *fake {
	t.Helper()
	inst, err := os.ReadFile("testdata/instance_v2.json")
	if err != nil {
		t.Fatal(err)
	}
	f := &fake{
		t: t, seq: 95, // IDs cross from 2 to 3 digits: they must compare by length first
		statuses: map[string]*fakeStatus{}, media: map[string]*fakeMedia{},
		favs: map[string]map[string]bool{}, idem: map[string]string{}, instance: inst, remaining: 300,
	}
	created := time.Date(2024, 1, 2, 3, 4, 5, 0, time.UTC)
	f.accounts = []*fakeAccount{
		{ID: "1", Username: "brand", Token: brandToken, Created: created, Followers: 1200},
		{ID: "2", Username: "fan", Token: fanToken, Created: created, Followers: 12},
	}
	f.srv = httptest.NewServer(f)
	return f
}

func (f *fake) close() { f.srv.Close() }

func (f *fake) fan() *fakeAccount { return f.accounts[1] }

// nextID returns a new ID, increasing; f.mu is held.
func (f *fake) nextID() string {
	f.seq++
	return strconv.FormatInt(f.seq, 10)
}

// failNext makes the next n requests answer status.
func (f *fake) failNext(status, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults = append(f.faults, status)
	}
}

// requestsTo returns the recorded requests with method and path.
func (f *fake) requestsTo(method, path string) []recorded {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []recorded
	for _, r := range f.log {
		if r.Method == method && r.Path == path {
			out = append(out, r)
		}
	}
	return out
}

func (f *fake) writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	if err := json.NewEncoder(w).Encode(v); err != nil {
		f.t.Errorf("fake: encoding response: %v", err)
	}
}

func (f *fake) fail(w http.ResponseWriter, status int, msg string) {
	f.writeJSON(w, status, map[string]string{"error": msg})
}

// badRequest reports a request the driver should never send, and answers
// 400 as Mastodon would.
func (f *fake) badRequest(w http.ResponseWriter, r *http.Request, format string, args ...any) {
	msg := fmt.Sprintf(format, args...)
	f.t.Errorf("fake: %s %s: %s", r.Method, r.URL.Path, msg)
	f.fail(w, http.StatusBadRequest, msg)
}

func (f *fake) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.log = append(f.log, recorded{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})

	reset := time.Now().Add(5 * time.Minute).UTC().Format("2006-01-02T15:04:05.000000Z")
	w.Header().Set("X-RateLimit-Limit", "300")
	if f.remaining > 1 {
		f.remaining--
	}
	w.Header().Set("X-RateLimit-Remaining", strconv.Itoa(f.remaining))
	w.Header().Set("X-RateLimit-Reset", reset)

	if len(f.faults) > 0 {
		status := f.faults[0]
		f.faults = f.faults[1:]
		switch status {
		case http.StatusTooManyRequests:
			// Mastodon's throttle answer (api/rate-limits.md): the window
			// is spent until X-RateLimit-Reset.
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", time.Now().Add(50*time.Millisecond).UTC().Format("2006-01-02T15:04:05.000000Z"))
			f.fail(w, status, "Too many requests")
		case http.StatusUnauthorized:
			f.fail(w, status, "The access token is invalid")
		default:
			f.fail(w, status, "Remote data could not be fetched, please try again")
		}
		return
	}

	if ua := r.Header.Get("User-Agent"); ua == "" {
		f.badRequest(w, r, "no User-Agent")
		return
	}
	path := r.URL.Path
	// Public endpoints.
	switch {
	case r.Method == http.MethodGet && path == "/api/v2/instance":
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
		_, _ = w.Write(f.instance)
		return
	case r.Method == http.MethodPost && path == "/api/v1/apps":
		f.createApp(w, r, body)
		return
	case r.Method == http.MethodPost && path == "/oauth/token":
		f.token(w, r, body)
		return
	case path == "/.well-known/oauth-authorization-server":
		f.writeJSON(w, http.StatusOK, map[string]any{
			"issuer": f.srv.URL + "/", "authorization_endpoint": f.srv.URL + "/oauth/authorize",
			"token_endpoint": f.srv.URL + "/oauth/token", "code_challenge_methods_supported": []string{"S256"},
		})
		return
	}
	me := f.auth(r)
	if me == nil {
		f.fail(w, http.StatusUnauthorized, "The access token is invalid")
		return
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == http.MethodGet && path == "/api/v1/accounts/verify_credentials":
		f.writeJSON(w, http.StatusOK, f.accountJSON(me))
	case r.Method == http.MethodPost && path == "/api/v2/media":
		f.upload(w, r, me, body)
	case r.Method == http.MethodGet && len(seg) == 4 && seg[2] == "media":
		f.getMedia(w, me, seg[3])
	case r.Method == http.MethodPost && path == "/api/v1/statuses":
		f.createStatus(w, r, me, body)
	case len(seg) == 4 && seg[2] == "statuses":
		f.status(w, r, me, seg[3], body)
	case r.Method == http.MethodGet && len(seg) == 5 && seg[2] == "statuses" && seg[4] == "context":
		f.context(w, me, seg[3])
	case r.Method == http.MethodPost && len(seg) == 5 && seg[2] == "statuses" && (seg[4] == "favourite" || seg[4] == "unfavourite"):
		f.favourite(w, me, seg[3], seg[4] == "favourite")
	case r.Method == http.MethodGet && path == "/api/v1/notifications":
		f.notifications(w, r, me)
	case r.Method == http.MethodGet && path == "/api/v1/conversations":
		f.conversations(w, r, me)
	case r.Method == http.MethodGet && len(seg) == 5 && seg[2] == "accounts" && seg[4] == "statuses":
		f.accountStatuses(w, r, me, seg[3])
	default:
		f.badRequest(w, r, "unexpected request")
	}
}

func (f *fake) auth(r *http.Request) *fakeAccount {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return nil
	}
	for _, a := range f.accounts {
		if a.Token == tok {
			return a
		}
	}
	return nil
}

func (f *fake) createApp(w http.ResponseWriter, r *http.Request, body []byte) {
	var in struct {
		ClientName   string `json:"client_name"`
		RedirectURIs string `json:"redirect_uris"`
		Scopes       string `json:"scopes"`
		Website      string `json:"website"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		f.badRequest(w, r, "app body is not JSON: %v", err)
		return
	}
	if in.ClientName == "" || in.RedirectURIs == "" {
		f.fail(w, http.StatusUnprocessableEntity, "Validation failed: Application name can't be blank, Redirect URI can't be blank")
		return
	}
	f.writeJSON(w, http.StatusOK, map[string]any{
		"id": f.nextID(), "name": in.ClientName, "website": in.Website,
		"scopes": strings.Fields(in.Scopes), "redirect_uri": in.RedirectURIs,
		"redirect_uris": strings.Split(in.RedirectURIs, "\n"),
		"client_id":     "client-" + in.ClientName, "client_secret": "secret-" + in.ClientName,
	})
}

// token exchanges the code "good-code" for the brand's token.
func (f *fake) token(w http.ResponseWriter, r *http.Request, body []byte) {
	form, err := url.ParseQuery(string(body))
	if err != nil || r.Header.Get("Content-Type") != "application/x-www-form-urlencoded" {
		f.badRequest(w, r, "token request is not a form: %v", err)
		return
	}
	if form.Get("code_verifier") == "" {
		f.badRequest(w, r, "no PKCE code_verifier")
		return
	}
	if form.Get("grant_type") != "authorization_code" || form.Get("client_id") == "" || form.Get("client_secret") == "" {
		f.fail(w, http.StatusBadRequest, "invalid_request")
		return
	}
	if form.Get("code") != "good-code" {
		f.writeJSON(w, http.StatusBadRequest, map[string]string{"error": "invalid_grant",
			"error_description": "The provided authorization grant is invalid, expired, revoked, does not match the redirection URI used in the authorization request, or was issued to another client."})
		return
	}
	f.writeJSON(w, http.StatusOK, map[string]any{"access_token": brandToken, "token_type": "Bearer", "scope": "read write", "created_at": 1573979017})
}

func (f *fake) accountJSON(a *fakeAccount) map[string]any {
	n := 0
	for _, s := range f.statuses {
		if s.Author == a {
			n++
		}
	}
	return map[string]any{
		"id": a.ID, "username": a.Username, "acct": a.Username, "display_name": strings.ToUpper(a.Username[:1]) + a.Username[1:],
		"locked": false, "bot": false, "created_at": a.Created.Format(time.RFC3339Nano),
		"url": f.srv.URL + "/@" + a.Username, "followers_count": a.Followers, "following_count": 3, "statuses_count": n,
	}
}

var linkRE = regexp.MustCompile(`https?://[^\s<]+`)
var mentionRE = regexp.MustCompile(`@([a-z0-9_]+)`)

// contentHTML renders text as Mastodon does: paragraphs, <br />, mention
// h-cards and links split into invisible/visible spans.
func (f *fake) contentHTML(text string) string {
	var paras []string
	for _, p := range strings.Split(text, "\n\n") {
		p = html.EscapeString(p)
		p = linkRE.ReplaceAllStringFunc(p, func(u string) string {
			scheme, rest, _ := strings.Cut(u, "://")
			vis, hidden := rest, ""
			if len(rest) > 30 {
				vis, hidden = rest[:30], rest[30:]
			}
			return `<a href="` + u + `" rel="nofollow noopener noreferrer" target="_blank"><span class="invisible">` + scheme +
				`://</span><span class="ellipsis">` + vis + `</span><span class="invisible">` + hidden + `</span></a>`
		})
		p = mentionRE.ReplaceAllStringFunc(p, func(m string) string {
			if f.byName(m[1:]) == nil {
				return m
			}
			return `<span class="h-card"><a href="` + f.srv.URL + `/` + m + `" class="u-url mention">@<span>` + m[1:] + `</span></a></span>`
		})
		paras = append(paras, "<p>"+strings.ReplaceAll(p, "\n", "<br />")+"</p>")
	}
	return strings.Join(paras, "")
}

func (f *fake) byName(name string) *fakeAccount {
	for _, a := range f.accounts {
		if strings.EqualFold(a.Username, name) {
			return a
		}
	}
	return nil
}

func (f *fake) statusJSON(s *fakeStatus, viewer *fakeAccount) map[string]any {
	var media []map[string]any
	for _, id := range s.Media {
		media = append(media, f.mediaJSON(f.media[id]))
	}
	var mentions []map[string]any
	for _, m := range s.Mentions {
		mentions = append(mentions, map[string]any{"id": m.ID, "username": m.Username, "acct": m.Username, "url": f.srv.URL + "/@" + m.Username})
	}
	var replyTo, replyToAccount any
	if p := f.statuses[s.InReplyTo]; s.InReplyTo != "" {
		replyTo = s.InReplyTo
		if p != nil {
			replyToAccount = p.Author.ID
		}
	}
	replies := 0
	for _, o := range f.statuses {
		if o.InReplyTo == s.ID {
			replies++
		}
	}
	var lang any
	if s.Language != "" {
		lang = s.Language
	}
	return map[string]any{
		"id": s.ID, "created_at": s.Created.Format("2006-01-02T15:04:05.000Z"),
		"in_reply_to_id": replyTo, "in_reply_to_account_id": replyToAccount,
		"sensitive": s.Sensitive, "spoiler_text": s.Spoiler, "visibility": s.Visibility, "language": lang,
		"uri":           f.srv.URL + "/users/" + s.Author.Username + "/statuses/" + s.ID,
		"url":           f.srv.URL + "/@" + s.Author.Username + "/" + s.ID,
		"replies_count": replies, "reblogs_count": 0, "favourites_count": len(f.favs[s.ID]),
		"favourited": viewer != nil && f.favs[s.ID][viewer.ID],
		"content":    f.contentHTML(s.Text), "account": f.accountJSON(s.Author),
		"media_attachments": append([]map[string]any{}, media...), "mentions": append([]map[string]any{}, mentions...),
		"tags": []any{}, "emojis": []any{}, "card": nil, "poll": nil, "reblog": nil,
	}
}

func (f *fake) mediaJSON(m *fakeMedia) map[string]any {
	var u, preview any
	if m.GetsLeft == 0 {
		u = f.srv.URL + "/system/media/" + m.ID + ".png"
		preview = f.srv.URL + "/system/media/" + m.ID + "-small.png"
	}
	var desc any
	if m.Description != "" {
		desc = m.Description
	}
	return map[string]any{"id": m.ID, "type": "image", "url": u, "preview_url": preview, "description": desc, "blurhash": "UFBWY:8_0Jxv4mx]t8t64.%M-:IUWGWAt6M}"}
}

func (f *fake) upload(w http.ResponseWriter, r *http.Request, me *fakeAccount, body []byte) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		f.badRequest(w, r, "media upload is %q, want multipart/form-data", r.Header.Get("Content-Type"))
		return
	}
	mr := multipart.NewReader(strings.NewReader(string(body)), params["boundary"])
	m := &fakeMedia{Owner: me.ID, GetsLeft: f.processing}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			f.badRequest(w, r, "multipart: %v", err)
			return
		}
		data, _ := io.ReadAll(p)
		switch p.FormName() {
		case "file":
			if p.FileName() == "" {
				f.badRequest(w, r, "the file part has no filename")
				return
			}
			m.MIME, m.Size = p.Header.Get("Content-Type"), len(data)
		case "description":
			m.Description = string(data)
		default:
			f.badRequest(w, r, "unexpected part %q", p.FormName())
			return
		}
	}
	if m.Size == 0 || !strings.HasPrefix(m.MIME, "image/") && !strings.HasPrefix(m.MIME, "video/") {
		f.fail(w, http.StatusUnprocessableEntity, "Validation failed: File content type is invalid")
		return
	}
	m.ID = f.nextID()
	f.media[m.ID] = m
	status := http.StatusOK
	if m.GetsLeft > 0 {
		status = http.StatusAccepted
	}
	f.writeJSON(w, status, f.mediaJSON(m))
}

func (f *fake) getMedia(w http.ResponseWriter, me *fakeAccount, id string) {
	m := f.media[id]
	if m == nil || m.Owner != me.ID {
		f.fail(w, http.StatusNotFound, "Record not found")
		return
	}
	if m.GetsLeft > 0 {
		m.GetsLeft--
		f.writeJSON(w, http.StatusPartialContent, f.mediaJSON(&fakeMedia{ID: m.ID, Description: m.Description, GetsLeft: 1}))
		return
	}
	f.writeJSON(w, http.StatusOK, f.mediaJSON(m))
}

// statusParams is what the driver sends to create or edit a status.
type statusParams struct {
	Status      *string  `json:"status"`
	MediaIDs    []string `json:"media_ids"`
	InReplyToID string   `json:"in_reply_to_id"`
	Sensitive   bool     `json:"sensitive"`
	SpoilerText string   `json:"spoiler_text"`
	Visibility  string   `json:"visibility"`
	Language    string   `json:"language"`
}

func (f *fake) decodeStatus(w http.ResponseWriter, r *http.Request, body []byte) (*statusParams, bool) {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.badRequest(w, r, "status body is %q, want application/json", ct)
		return nil, false
	}
	dec := json.NewDecoder(strings.NewReader(string(body)))
	dec.DisallowUnknownFields()
	var p statusParams
	if err := dec.Decode(&p); err != nil {
		f.badRequest(w, r, "status body: %v", err)
		return nil, false
	}
	text := ""
	if p.Status != nil {
		text = *p.Status
	}
	if strings.TrimSpace(text) == "" && len(p.MediaIDs) == 0 {
		f.fail(w, http.StatusUnprocessableEntity, "Validation failed: Text can't be blank")
		return nil, false
	}
	if n := len([]rune(text)); n > 500 {
		f.fail(w, http.StatusUnprocessableEntity, "Validation failed: Text character limit of 500 exceeded")
		return nil, false
	}
	if len(p.MediaIDs) > 4 {
		f.fail(w, http.StatusUnprocessableEntity, "Validation failed: Media attachments exceed the limit of 4")
		return nil, false
	}
	for _, id := range p.MediaIDs {
		m := f.media[id]
		if m == nil {
			f.fail(w, http.StatusUnprocessableEntity, "Validation failed: Media attachment not found")
			return nil, false
		}
		if m.GetsLeft > 0 {
			f.fail(w, http.StatusUnprocessableEntity, "Cannot attach files that have not finished processing. Try again in a moment!")
			return nil, false
		}
	}
	return &p, true
}

func (f *fake) createStatus(w http.ResponseWriter, r *http.Request, me *fakeAccount, body []byte) {
	key := r.Header.Get("Idempotency-Key")
	if key != "" {
		// methods/statuses.md: "Idempotency-Key ... stored for up to 1 hour":
		// the same key returns the status created the first time.
		if id, ok := f.idem[me.ID+"\x00"+key]; ok {
			if s := f.statuses[id]; s != nil {
				f.writeJSON(w, http.StatusOK, f.statusJSON(s, me))
				return
			}
		}
	}
	p, ok := f.decodeStatus(w, r, body)
	if !ok {
		return
	}
	vis := p.Visibility
	if vis == "" {
		vis = "public"
	}
	if !slices.Contains([]string{"public", "unlisted", "private", "direct"}, vis) {
		f.fail(w, http.StatusUnprocessableEntity, "Validation failed: Visibility is not included in the list")
		return
	}
	if p.InReplyToID != "" && f.visible(f.statuses[p.InReplyToID], me) == nil {
		f.fail(w, http.StatusNotFound, "Record not found")
		return
	}
	s := f.addStatus(me, *p.Status, vis, p.InReplyToID)
	s.Sensitive, s.Spoiler, s.Language, s.Media = p.Sensitive, p.SpoilerText, p.Language, p.MediaIDs
	if key != "" {
		f.idem[me.ID+"\x00"+key] = s.ID
	}
	f.writeJSON(w, http.StatusOK, f.statusJSON(s, me))
}

// addStatus creates a status and the mention notifications; f.mu is held.
func (f *fake) addStatus(author *fakeAccount, text, vis, replyTo string) *fakeStatus {
	s := &fakeStatus{ID: f.nextID(), Text: text, Visibility: vis, InReplyTo: replyTo, Author: author, Created: time.Now().UTC()}
	for _, m := range mentionRE.FindAllStringSubmatch(text, -1) {
		if a := f.byName(m[1]); a != nil && !slices.Contains(s.Mentions, a) {
			s.Mentions = append(s.Mentions, a)
		}
	}
	f.statuses[s.ID] = s
	for _, a := range s.Mentions {
		if a != author {
			f.notifs = append(f.notifs, &fakeNotif{ID: f.nextID(), Type: "mention", Status: s.ID, For: a, From: author, Created: s.Created})
		}
	}
	return s
}

// visible returns s if viewer may see it.
func (f *fake) visible(s *fakeStatus, viewer *fakeAccount) *fakeStatus {
	if s == nil {
		return nil
	}
	if s.Visibility == "direct" && s.Author != viewer && !slices.Contains(s.Mentions, viewer) {
		return nil
	}
	return s
}

func (f *fake) status(w http.ResponseWriter, r *http.Request, me *fakeAccount, id string, body []byte) {
	s := f.visible(f.statuses[id], me)
	if s == nil {
		f.fail(w, http.StatusNotFound, "Record not found")
		return
	}
	switch r.Method {
	case http.MethodGet:
		f.writeJSON(w, http.StatusOK, f.statusJSON(s, me))
	case http.MethodDelete:
		if s.Author != me {
			f.fail(w, http.StatusNotFound, "Record not found")
			return
		}
		out := f.statusJSON(s, me)
		out["text"] = s.Text // "delete and redraft"
		delete(f.statuses, id)
		f.writeJSON(w, http.StatusOK, out)
	case http.MethodPut:
		if s.Author != me {
			f.fail(w, http.StatusForbidden, "This action is not allowed")
			return
		}
		p, ok := f.decodeStatus(w, r, body)
		if !ok {
			return
		}
		if p.Visibility != "" || p.InReplyToID != "" {
			f.badRequest(w, r, "visibility and in_reply_to_id cannot be edited")
			return
		}
		s.Text, s.Spoiler, s.Sensitive, s.Language = *p.Status, p.SpoilerText, p.Sensitive, p.Language
		if p.MediaIDs != nil {
			s.Media = p.MediaIDs
		}
		f.writeJSON(w, http.StatusOK, f.statusJSON(s, me))
	default:
		f.badRequest(w, r, "unexpected method")
	}
}

// context returns ancestors and descendants in thread order (depth first),
// as Mastodon does.
func (f *fake) context(w http.ResponseWriter, me *fakeAccount, id string) {
	s := f.visible(f.statuses[id], me)
	if s == nil {
		f.fail(w, http.StatusNotFound, "Record not found")
		return
	}
	ancestors := []map[string]any{}
	for p := f.statuses[s.InReplyTo]; p != nil; p = f.statuses[p.InReplyTo] {
		if f.visible(p, me) != nil {
			ancestors = append([]map[string]any{f.statusJSON(p, me)}, ancestors...)
		}
	}
	descendants := []map[string]any{}
	var walk func(parent string)
	walk = func(parent string) {
		var children []*fakeStatus
		for _, c := range f.statuses {
			if c.InReplyTo == parent && f.visible(c, me) != nil {
				children = append(children, c)
			}
		}
		// Newest reply first at each level: the listing must sort.
		slices.SortFunc(children, func(a, b *fakeStatus) int { return compareNum(b.ID, a.ID) })
		for _, c := range children {
			descendants = append(descendants, f.statusJSON(c, me))
			walk(c.ID)
		}
	}
	walk(s.ID)
	f.writeJSON(w, http.StatusOK, map[string]any{"ancestors": ancestors, "descendants": descendants})
}

func compareNum(a, b string) int {
	x, _ := strconv.ParseInt(a, 10, 64)
	y, _ := strconv.ParseInt(b, 10, 64)
	switch {
	case x < y:
		return -1
	case x > y:
		return 1
	}
	return 0
}

func (f *fake) favourite(w http.ResponseWriter, me *fakeAccount, id string, on bool) {
	s := f.visible(f.statuses[id], me)
	if s == nil {
		f.fail(w, http.StatusNotFound, "Record not found")
		return
	}
	if f.favs[id] == nil {
		f.favs[id] = map[string]bool{}
	}
	if on {
		f.favs[id][me.ID] = true
	} else {
		delete(f.favs[id], me.ID)
	}
	f.writeJSON(w, http.StatusOK, f.statusJSON(s, me))
}

// limitParam reads limit with Mastodon's default and maximum.
func limitParam(q url.Values, def, max int) int {
	n, err := strconv.Atoi(q.Get("limit"))
	if err != nil || n <= 0 {
		return def
	}
	return min(n, max)
}

// idPage applies max_id, since_id and min_id to IDs sorted ascending and
// returns the page newest first, as Mastodon's paginate_by_id does.
func idPage(ids []string, q url.Values, limit int) []string {
	var in []string
	for _, id := range ids {
		if v := q.Get("max_id"); v != "" && compareNum(id, v) >= 0 {
			continue
		}
		if v := q.Get("since_id"); v != "" && compareNum(id, v) <= 0 {
			continue
		}
		if v := q.Get("min_id"); v != "" && compareNum(id, v) <= 0 {
			continue
		}
		in = append(in, id)
	}
	if q.Get("min_id") != "" {
		// The page right after min_id.
		in = in[:min(limit, len(in))]
	} else {
		in = in[max(0, len(in)-limit):]
	}
	slices.Reverse(in)
	return in
}

func (f *fake) link(w http.ResponseWriter, path string, newest, oldest string) {
	if newest == "" {
		return
	}
	w.Header().Set("Link", fmt.Sprintf(`<%s%s?max_id=%s>; rel="next", <%s%s?min_id=%s>; rel="prev"`, f.srv.URL, path, oldest, f.srv.URL, path, newest))
}

func (f *fake) notifications(w http.ResponseWriter, r *http.Request, me *fakeAccount) {
	q := r.URL.Query()
	types := q["types[]"]
	var ids []string
	byID := map[string]*fakeNotif{}
	for _, n := range f.notifs {
		if n.For != me || f.statuses[n.Status] == nil || (len(types) > 0 && !slices.Contains(types, n.Type)) {
			continue
		}
		ids = append(ids, n.ID)
		byID[n.ID] = n
	}
	pageIDs := idPage(ids, q, limitParam(q, 40, 80))
	out := []map[string]any{}
	for _, id := range pageIDs {
		n := byID[id]
		out = append(out, map[string]any{"id": n.ID, "type": n.Type, "created_at": n.Created.Format(time.RFC3339Nano),
			"account": f.accountJSON(n.From), "status": f.statusJSON(f.statuses[n.Status], me)})
	}
	if len(pageIDs) > 0 {
		f.link(w, "/api/v1/notifications", pageIDs[0], pageIDs[len(pageIDs)-1])
	}
	f.writeJSON(w, http.StatusOK, out)
}

// conversations groups the direct statuses me sees by thread root; a
// conversation's ID is its root's, it is paged by its last status ID.
func (f *fake) conversations(w http.ResponseWriter, r *http.Request, me *fakeAccount) {
	q := r.URL.Query()
	last := map[string]*fakeStatus{}
	for _, s := range f.statuses {
		if s.Visibility != "direct" || f.visible(s, me) == nil {
			continue
		}
		root := s
		for p := f.statuses[root.InReplyTo]; p != nil; p = f.statuses[p.InReplyTo] {
			root = p
		}
		if l := last[root.ID]; l == nil || compareNum(s.ID, l.ID) > 0 {
			last[root.ID] = s
		}
	}
	conv := map[string]string{} // last status ID → conversation ID
	var ids []string
	for root, s := range last {
		conv[s.ID] = root
		ids = append(ids, s.ID)
	}
	slices.SortFunc(ids, compareNum)
	pageIDs := idPage(ids, q, limitParam(q, 20, 40))
	out := []map[string]any{}
	for _, id := range pageIDs {
		s := f.statuses[id]
		var accts []map[string]any
		for _, a := range append([]*fakeAccount{s.Author}, s.Mentions...) {
			if a != me && !slices.ContainsFunc(accts, func(m map[string]any) bool { return m["id"] == a.ID }) {
				accts = append(accts, f.accountJSON(a))
			}
		}
		out = append(out, map[string]any{"id": conv[id], "unread": true, "accounts": accts, "last_status": f.statusJSON(s, me)})
	}
	if len(pageIDs) > 0 {
		f.link(w, "/api/v1/conversations", pageIDs[0], pageIDs[len(pageIDs)-1])
	}
	f.writeJSON(w, http.StatusOK, out)
}

func (f *fake) accountStatuses(w http.ResponseWriter, r *http.Request, me *fakeAccount, id string) {
	q := r.URL.Query()
	var ids []string
	for _, s := range f.statuses {
		if s.Author.ID == id && f.visible(s, me) != nil {
			ids = append(ids, s.ID)
		}
	}
	slices.SortFunc(ids, compareNum)
	out := []map[string]any{}
	for _, sid := range idPage(ids, q, limitParam(q, 20, 40)) {
		out = append(out, f.statusJSON(f.statuses[sid], me))
	}
	f.writeJSON(w, http.StatusOK, out)
}

// interact makes the fan act; it returns the new status's ID.
func (f *fake) fanPost(text, vis, replyTo string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if replyTo != "" && f.statuses[replyTo] == nil {
		return "", fmt.Errorf("fake: no status %s", replyTo)
	}
	return f.addStatus(f.fan(), text, vis, replyTo).ID, nil
}

// conversationLast returns the last status of the fan's conversation id.
func (f *fake) conversationLast(id string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	last := ""
	for _, s := range f.statuses {
		root := s
		for p := f.statuses[root.InReplyTo]; p != nil; p = f.statuses[p.InReplyTo] {
			root = p
		}
		if root.ID == id && s.Visibility == "direct" && (last == "" || compareNum(s.ID, last) > 0) {
			last = s.ID
		}
	}
	return last
}
