package discord_test

import (
	"encoding/json"
	"fmt"
	"io"
	"mime"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// fakeDiscord is a Discord API v10 built from the official documentation
// (discord-api-docs: resources/message.mdx, channel.mdx, guild.mdx,
// webhook.mdx, topics/rate-limits.mdx, opcodes-and-status-codes.mdx). It
// keeps channels, messages, threads, reactions and nonces, checks every
// request's method, path, auth header and body, and answers with the
// documented shapes, rate-limit headers and error bodies (testdata/).
type fakeDiscord struct {
	token        string
	webhookToken string
	requests     atomic.Int64

	mu       sync.Mutex
	seq      int64
	now      time.Time
	botID    string
	guildID  string
	channel  string
	webhook  string
	channels map[string]*fakeChannel
	msgs     map[string]*fakeMsg // by ID
	nonces   map[string]string   // author+nonce -> message ID
	dms      map[string]string   // user -> DM channel
	members  int64
	faults   []int
	problems []string // request-shape violations, reported by the tests
	last     *http.Request
	lastBody []byte
}

type fakeChannel struct {
	id, name, guild, parent string
	typ                     int
	msgs                    []string // IDs, oldest first
}

type fakeUser struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	GlobalName string `json:"global_name,omitempty"`
	Bot        bool   `json:"bot,omitempty"`
}

type fakeMsg struct {
	id, channel string
	author      fakeUser
	content     string
	typ         int
	ts          time.Time
	mentions    []fakeUser
	ref         string // referenced message ID
	reactions   map[string]map[string]bool
	thread      string
	attachments []map[string]any
	embeds      []any
}

func newFakeDiscord() *fakeDiscord {
	f := &fakeDiscord{
		token: "MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs", webhookToken: "dQw4w9WgXcQ-webhook-token-abcdefghijklmnop",
		now:      time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC),
		channels: map[string]*fakeChannel{}, msgs: map[string]*fakeMsg{}, nonces: map[string]string{}, dms: map[string]string{},
		members: 60814,
	}
	f.botID = f.snowflake()
	f.guildID = f.snowflake()
	f.channel = f.snowflake()
	f.webhook = f.snowflake()
	f.channels[f.channel] = &fakeChannel{id: f.channel, name: "annonces", guild: f.guildID, typ: 0}
	return f
}

func (f *fakeDiscord) bot() fakeUser { return fakeUser{ID: f.botID, Username: "BrandBot", Bot: true} }

// snowflake returns a new ID; f.mu is held or f is not shared yet.
func (f *fakeDiscord) snowflake() string {
	f.seq++
	f.now = f.now.Add(time.Second)
	ms := f.now.UnixMilli() - 1420070400000
	return strconv.FormatUint(uint64(ms)<<22|uint64(f.seq&0xfff), 10)
}

func (f *fakeDiscord) problem(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// Problems returns the request-shape violations seen so far.
func (f *fakeDiscord) Problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.problems)
}

// Fail makes the next requests answer with these statuses.
func (f *fakeDiscord) Fail(status, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults = append(f.faults, status)
	}
}

func golden(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return b
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	if b, ok := v.([]byte); ok {
		w.Write(b)
		return
	}
	json.NewEncoder(w).Encode(v)
}

func (f *fakeDiscord) rateHeaders(w http.ResponseWriter, bucket string) {
	h := w.Header()
	h.Set("X-RateLimit-Limit", "5")
	h.Set("X-RateLimit-Remaining", "4")
	h.Set("X-RateLimit-Reset", fmt.Sprintf("%.3f", float64(f.now.Add(5*time.Second).UnixMilli())/1000))
	h.Set("X-RateLimit-Reset-After", "5.000")
	h.Set("X-RateLimit-Bucket", bucket)
}

func (f *fakeDiscord) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	f.last, f.lastBody = r, body
	if !strings.HasPrefix(r.Header.Get("User-Agent"), "DiscordBot (") {
		f.problem("%s %s: User-Agent %q does not follow \"DiscordBot ($url, $version)\"", r.Method, r.URL.Path, r.Header.Get("User-Agent"))
	}
	if len(f.faults) > 0 {
		st := f.faults[0]
		f.faults = f.faults[1:]
		switch st {
		case http.StatusTooManyRequests:
			h := w.Header()
			h.Set("X-RateLimit-Limit", "5")
			h.Set("X-RateLimit-Remaining", "0")
			h.Set("X-RateLimit-Reset-After", "0.010")
			h.Set("X-RateLimit-Bucket", "abcd1234")
			h.Set("X-RateLimit-Scope", "user")
			writeJSON(w, st, map[string]any{"message": "You are being rate limited.", "retry_after": 0.01, "global": false})
		case http.StatusUnauthorized:
			writeJSON(w, st, golden("error_401.json"))
		default:
			writeJSON(w, st, map[string]any{"message": "Service Unavailable", "code": 0})
		}
		return
	}
	path := strings.TrimPrefix(r.URL.Path, "/api/v10")
	if strings.HasPrefix(r.URL.Path, "/api/webhooks/") {
		f.serveWebhook(w, r, body)
		return
	}
	if r.Header.Get("Authorization") != "Bot "+f.token {
		writeJSON(w, http.StatusUnauthorized, golden("error_401.json"))
		return
	}
	seg := strings.Split(strings.Trim(path, "/"), "/")
	switch {
	case r.Method == "GET" && path == "/users/@me":
		writeJSON(w, 200, f.bot())
	case r.Method == "POST" && path == "/users/@me/channels":
		var in struct {
			RecipientID string `json:"recipient_id"`
		}
		f.decode(r, body, &in)
		if in.RecipientID == "" {
			writeJSON(w, 400, golden("error_50035_content.json"))
			return
		}
		id := f.dms[in.RecipientID]
		if id == "" {
			id = f.snowflake()
			f.dms[in.RecipientID] = id
			f.channels[id] = &fakeChannel{id: id, typ: 1}
		}
		writeJSON(w, 200, map[string]any{"id": id, "type": 1, "recipients": []fakeUser{{ID: in.RecipientID, Username: "someone"}}})
	case r.Method == "GET" && len(seg) == 2 && seg[0] == "guilds":
		if seg[1] != f.guildID {
			writeJSON(w, 404, map[string]any{"message": "Unknown Guild", "code": 10004})
			return
		}
		if r.URL.Query().Get("with_counts") != "true" {
			f.problem("GET /guilds/{id} without with_counts=true")
		}
		writeJSON(w, 200, map[string]any{"id": f.guildID, "name": "Brand", "approximate_member_count": f.members, "approximate_presence_count": 7})
	case len(seg) >= 2 && seg[0] == "channels":
		f.serveChannel(w, r, body, seg[1], seg[2:])
	default:
		writeJSON(w, 404, map[string]any{"message": "404: Not Found", "code": 0})
	}
}

func (f *fakeDiscord) decode(r *http.Request, body []byte, v any) {
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		f.problem("%s %s: Content-Type %q, want application/json", r.Method, r.URL.Path, ct)
	}
	if err := json.Unmarshal(body, v); err != nil {
		f.problem("%s %s: body is not JSON: %v", r.Method, r.URL.Path, err)
	}
}

func (f *fakeDiscord) serveChannel(w http.ResponseWriter, r *http.Request, body []byte, chID string, rest []string) {
	ch := f.channels[chID]
	if ch == nil {
		writeJSON(w, 404, golden("error_10003.json"))
		return
	}
	switch {
	case len(rest) == 0 && r.Method == "GET":
		f.rateHeaders(w, "chan")
		writeJSON(w, 200, map[string]any{"id": ch.id, "type": ch.typ, "name": ch.name, "guild_id": ch.guild})
	case len(rest) == 1 && rest[0] == "messages" && r.Method == "GET":
		f.rateHeaders(w, "msgs-get")
		f.list(w, r, ch)
	case len(rest) == 1 && rest[0] == "messages" && r.Method == "POST":
		f.rateHeaders(w, "msgs-post")
		f.create(w, r, body, ch, f.bot())
	case len(rest) >= 2 && rest[0] == "messages":
		m := f.msgs[rest[1]]
		if m == nil || m.channel != ch.id {
			writeJSON(w, 404, golden("error_10008.json"))
			return
		}
		switch {
		case len(rest) == 2 && r.Method == "GET":
			writeJSON(w, 200, f.render(m))
		case len(rest) == 2 && r.Method == "DELETE":
			ch.msgs = slices.DeleteFunc(ch.msgs, func(id string) bool { return id == m.id })
			delete(f.msgs, m.id)
			w.WriteHeader(http.StatusNoContent)
		case len(rest) == 2 && r.Method == "PATCH":
			if m.author.ID != f.botID {
				writeJSON(w, 403, map[string]any{"message": "Cannot edit a message authored by another user", "code": 50005})
				return
			}
			var in map[string]any
			f.decode(r, body, &in)
			if c, ok := in["content"].(string); ok {
				m.content = c
			}
			writeJSON(w, 200, f.render(m))
		case len(rest) == 3 && rest[2] == "threads" && r.Method == "POST":
			var in struct {
				Name string `json:"name"`
			}
			f.decode(r, body, &in)
			if n := len([]rune(in.Name)); n < 1 || n > 100 {
				f.problem("thread name %q is not 1-100 characters", in.Name)
			}
			if m.thread != "" {
				writeJSON(w, 400, golden("error_160004.json"))
				return
			}
			m.thread = m.id // a thread started from a message has the message's ID
			f.channels[m.id] = &fakeChannel{id: m.id, name: in.Name, guild: ch.guild, parent: ch.id, typ: 11}
			writeJSON(w, 201, map[string]any{"id": m.id, "type": 11, "name": in.Name, "guild_id": ch.guild, "parent_id": ch.id})
		case len(rest) == 5 && rest[2] == "reactions" && rest[4] == "@me":
			emoji := rest[3]
			if emoji != "👍" || !strings.Contains(r.URL.RawPath+r.URL.EscapedPath(), "%F0%9F%91%8D") {
				f.problem("reaction emoji %q (raw %q) is not a URL-encoded 👍", emoji, r.URL.EscapedPath())
			}
			if m.reactions == nil {
				m.reactions = map[string]map[string]bool{}
			}
			if m.reactions[emoji] == nil {
				m.reactions[emoji] = map[string]bool{}
			}
			switch r.Method {
			case "PUT":
				m.reactions[emoji][f.botID] = true
			case "DELETE":
				delete(m.reactions[emoji], f.botID)
			default:
				f.problem("%s on a reaction", r.Method)
			}
			w.WriteHeader(http.StatusNoContent)
		default:
			writeJSON(w, 405, map[string]any{"message": "405: Method Not Allowed", "code": 0})
		}
	default:
		writeJSON(w, 404, map[string]any{"message": "404: Not Found", "code": 0})
	}
}

// list answers Get Channel Messages: with after=, the limit messages
// following it, newest first, as Discord returns them.
func (f *fakeDiscord) list(w http.ResponseWriter, r *http.Request, ch *fakeChannel) {
	q := r.URL.Query()
	after := q.Get("after")
	if q.Get("before") != "" || q.Get("around") != "" {
		f.problem("listing with before/around")
	}
	limit, err := strconv.Atoi(q.Get("limit"))
	if err != nil || limit < 1 || limit > 100 {
		f.problem("limit %q is not 1-100", q.Get("limit"))
		limit = 50
	}
	a, _ := strconv.ParseUint(after, 10, 64)
	var out []any
	for _, id := range ch.msgs {
		n, _ := strconv.ParseUint(id, 10, 64)
		if n > a && len(out) < limit {
			out = append(out, f.render(f.msgs[id]))
		}
	}
	slices.Reverse(out)
	if out == nil {
		out = []any{}
	}
	writeJSON(w, 200, out)
}

type createIn struct {
	Content          string           `json:"content"`
	Nonce            string           `json:"nonce"`
	EnforceNonce     bool             `json:"enforce_nonce"`
	Embeds           []any            `json:"embeds"`
	Attachments      []map[string]any `json:"attachments"`
	MessageReference *struct {
		MessageID       string `json:"message_id"`
		FailIfNotExists *bool  `json:"fail_if_not_exists"`
	} `json:"message_reference"`
	AllowedMentions *struct {
		Parse []string `json:"parse"`
	} `json:"allowed_mentions"`
}

// readCreate decodes a JSON or multipart (payload_json + files[n]) body.
func (f *fakeDiscord) readCreate(r *http.Request, body []byte) (createIn, int, bool) {
	var in createIn
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := json.Unmarshal(body, &in); err != nil {
			return in, 0, false
		}
		return in, 0, true
	case "multipart/form-data":
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+params["boundary"])
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			f.problem("multipart body: %v", err)
			return in, 0, false
		}
		if err := json.Unmarshal([]byte(r.FormValue("payload_json")), &in); err != nil {
			f.problem("payload_json: %v", err)
			return in, 0, false
		}
		files := 0
		for name, fhs := range r.MultipartForm.File {
			files++
			if !strings.HasPrefix(name, "files[") || len(fhs) != 1 {
				f.problem("file part %q is not files[n]", name)
			}
		}
		for _, a := range in.Attachments {
			id := fmt.Sprint(a["id"])
			if _, ok := r.MultipartForm.File["files["+id+"]"]; !ok {
				f.problem("attachment id %s has no files[%s] part", id, id)
			}
			if a["description"] == nil {
				f.problem("attachment %s has no description (alt text)", id)
			}
		}
		return in, files, true
	}
	f.problem("Content-Type %q", r.Header.Get("Content-Type"))
	return in, 0, false
}

func (f *fakeDiscord) create(w http.ResponseWriter, r *http.Request, body []byte, ch *fakeChannel, author fakeUser) {
	in, files, ok := f.readCreate(r, body)
	if !ok {
		writeJSON(w, 400, map[string]any{"message": "The request body contains invalid JSON.", "code": 50109})
		return
	}
	if in.Content == "" && files == 0 && len(in.Embeds) == 0 {
		writeJSON(w, 400, map[string]any{"message": "Cannot send an empty message", "code": 50006})
		return
	}
	if len([]rune(in.Content)) > 2000 {
		writeJSON(w, 400, golden("error_50035_content.json"))
		return
	}
	if in.Nonce != "" {
		if len(in.Nonce) > 25 {
			f.problem("nonce %q is longer than 25 characters", in.Nonce)
		}
		if !in.EnforceNonce {
			f.problem("nonce without enforce_nonce")
		}
		if id, ok := f.nonces[author.ID+"/"+in.Nonce]; ok && f.msgs[id] != nil {
			writeJSON(w, 200, f.render(f.msgs[id]))
			return
		}
	}
	if in.AllowedMentions == nil || slices.Contains(in.AllowedMentions.Parse, "everyone") {
		f.problem("allowed_mentions %v lets @everyone through", in.AllowedMentions)
	}
	m := &fakeMsg{id: f.snowflake(), channel: ch.id, author: author, content: in.Content, ts: f.now, embeds: in.Embeds, attachments: in.Attachments}
	if ref := in.MessageReference; ref != nil {
		if ref.FailIfNotExists == nil || !*ref.FailIfNotExists {
			f.problem("message_reference without fail_if_not_exists")
		}
		if f.msgs[ref.MessageID] == nil {
			writeJSON(w, 400, golden("error_50035_reference.json"))
			return
		}
		m.ref, m.typ = ref.MessageID, 19
	}
	f.add(m)
	if in.Nonce != "" {
		f.nonces[author.ID+"/"+in.Nonce] = m.id
	}
	writeJSON(w, 200, f.render(m))
}

func (f *fakeDiscord) add(m *fakeMsg) {
	f.msgs[m.id] = m
	ch := f.channels[m.channel]
	ch.msgs = append(ch.msgs, m.id)
}

// render is a message object as resources/message.mdx documents it.
func (f *fakeDiscord) render(m *fakeMsg) map[string]any {
	reactions := []any{}
	for emoji, users := range m.reactions {
		if len(users) > 0 {
			reactions = append(reactions, map[string]any{"count": len(users), "count_details": map[string]int{"burst": 0, "normal": len(users)},
				"me": users[f.botID], "me_burst": false, "emoji": map[string]any{"id": nil, "name": emoji}, "burst_colors": []any{}})
		}
	}
	mentions := []fakeUser{}
	mentions = append(mentions, m.mentions...)
	out := map[string]any{
		"id": m.id, "channel_id": m.channel, "author": m.author, "content": m.content, "type": m.typ,
		"timestamp": m.ts.Format("2006-01-02T15:04:05.000000+00:00"), "edited_timestamp": nil, "tts": false,
		"mention_everyone": false, "mentions": mentions, "mention_roles": []any{}, "attachments": orEmpty(m.attachments),
		"embeds": orEmpty(m.embeds), "pinned": false,
	}
	if len(reactions) > 0 {
		out["reactions"] = reactions
	}
	if m.ref != "" {
		rm := f.msgs[m.ref]
		out["message_reference"] = map[string]any{"type": 0, "message_id": m.ref, "channel_id": m.channel, "guild_id": f.guildID}
		if rm != nil {
			inner := f.render(rm)
			delete(inner, "referenced_message")
			out["referenced_message"] = inner
		} else {
			out["referenced_message"] = nil
		}
	}
	if m.thread != "" {
		t := f.channels[m.thread]
		out["thread"] = map[string]any{"id": m.thread, "type": 11, "name": t.name, "parent_id": m.channel, "message_count": len(t.msgs)}
	}
	return out
}

func orEmpty[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

func (f *fakeDiscord) serveWebhook(w http.ResponseWriter, r *http.Request, body []byte) {
	seg := strings.Split(strings.Trim(strings.TrimPrefix(r.URL.Path, "/api/webhooks/"), "/"), "/")
	if len(seg) < 2 || seg[0] != f.webhook || seg[1] != f.webhookToken {
		writeJSON(w, 404, golden("error_10015.json"))
		return
	}
	if r.Header.Get("Authorization") != "" {
		f.problem("webhook request carries an Authorization header")
	}
	ch := f.channels[f.channel]
	hook := fakeUser{ID: f.webhook, Username: "Brand", Bot: true}
	switch {
	case len(seg) == 2 && r.Method == "GET":
		writeJSON(w, 200, map[string]any{"id": f.webhook, "type": 1, "channel_id": f.channel, "guild_id": f.guildID, "name": "Brand", "token": f.webhookToken})
	case len(seg) == 2 && r.Method == "POST":
		if r.URL.Query().Get("wait") != "true" {
			f.problem("execute webhook without wait=true")
		}
		in, files, ok := f.readCreate(r, body)
		if !ok || (in.Content == "" && files == 0 && len(in.Embeds) == 0) {
			writeJSON(w, 400, map[string]any{"message": "Cannot send an empty message", "code": 50006})
			return
		}
		m := &fakeMsg{id: f.snowflake(), channel: ch.id, author: hook, content: in.Content, ts: f.now}
		f.add(m)
		out := f.render(m)
		out["webhook_id"] = f.webhook
		writeJSON(w, 200, out)
	case len(seg) == 4 && seg[2] == "messages":
		m := f.msgs[seg[3]]
		if m == nil || m.author.ID != f.webhook {
			writeJSON(w, 404, golden("error_10008.json"))
			return
		}
		switch r.Method {
		case "PATCH":
			var in map[string]any
			f.decode(r, body, &in)
			m.content, _ = in["content"].(string)
			writeJSON(w, 200, f.render(m))
		case "DELETE":
			ch.msgs = slices.DeleteFunc(ch.msgs, func(id string) bool { return id == m.id })
			delete(f.msgs, m.id)
			w.WriteHeader(http.StatusNoContent)
		}
	default:
		writeJSON(w, 405, map[string]any{"message": "405: Method Not Allowed", "code": 0})
	}
}

// userSays adds a message from another member to channel, replying to
// ref when set, mentioning the bot when mention is true.
func (f *fakeDiscord) userSays(channel, ref, text string, mention bool) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := f.channels[channel]
	if ch == nil {
		return "", fmt.Errorf("no channel %s", channel)
	}
	u := fakeUser{ID: "80351110224678912", Username: "nelly", GlobalName: "Nelly"}
	m := &fakeMsg{id: f.snowflake(), channel: channel, author: u, content: text, ts: f.now}
	if ref != "" {
		rm := f.msgs[ref]
		if rm == nil {
			return "", fmt.Errorf("no message %s", ref)
		}
		m.ref, m.typ = ref, 19
		if rm.author.ID == f.botID {
			m.mentions = append(m.mentions, f.bot()) // replies ping their author
		}
	}
	if mention {
		m.content = "<@" + f.botID + "> " + text
		m.mentions = append(m.mentions, f.bot())
	}
	f.add(m)
	return m.id, nil
}
