package slack_test

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
	"unicode/utf8"
)

// fakeSlack is a Slack Web API built from the method pages of
// docs.slack.dev (chat.postMessage, chat.update, chat.delete,
// conversations.*, reactions.*, files.*, auth.test): every answer is
// HTTP 200 with "ok", errors are {"ok": false, "error": name} from
// testdata/, rate limits are 429 with Retry-After. It checks each
// request's method, auth header, content type and arguments.
type fakeSlack struct {
	token    string
	base     string // the server's URL, for upload URLs
	requests atomic.Int64

	mu       sync.Mutex
	seq      int64
	epoch    int64 // the Unix time of the first ts
	channel  string
	channels map[string]*fakeChannel
	files    map[string]*fakeFile
	faults   []int
	problems []string
	calls    []fakeCall
}

type fakeCall struct {
	Method string
	Args   map[string]any
}

type fakeChannel struct {
	id, name, user string
	im             bool
	members        int64
	msgs           []*fakeMsg // oldest first
}

type fakeMsg struct {
	TS        string              `json:"ts"`
	ThreadTS  string              `json:"thread_ts,omitempty"`
	Type      string              `json:"type"`
	Subtype   string              `json:"subtype,omitempty"`
	User      string              `json:"user,omitempty"`
	BotID     string              `json:"bot_id,omitempty"`
	Text      string              `json:"text"`
	Blocks    []any               `json:"blocks,omitempty"`
	Metadata  map[string]any      `json:"metadata,omitempty"`
	Reactions map[string][]string `json:"-"`
}

type fakeFile struct{ uploaded, completed bool }

const (
	botUser   = "U0BRANDBOT"
	botID     = "B0BRANDBOT"
	otherUser = "U0NELLY"
)

func newFakeSlack() *fakeSlack {
	f := &fakeSlack{token: "xoxb-17653672481-19874698323-pdFZKVeTuE8sk7oOcBrzbqgy", channel: "C0ANNONCES",
		channels: map[string]*fakeChannel{}, files: map[string]*fakeFile{}, epoch: time.Now().Unix() - 3600}
	f.channels[f.channel] = &fakeChannel{id: f.channel, name: "annonces", members: 23}
	return f
}

func golden(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return b
}

func (f *fakeSlack) problem(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// Problems returns the request-shape violations seen so far.
func (f *fakeSlack) Problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.problems)
}

// Calls returns the Web API calls made so far.
func (f *fakeSlack) Calls() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Fail makes the next requests answer with these statuses.
func (f *fakeSlack) Fail(status, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults = append(f.faults, status)
	}
}

func (f *fakeSlack) ts() string {
	f.seq++
	return fmt.Sprintf("%d.%06d", f.epoch+f.seq, f.seq)
}

func ok(w http.ResponseWriter, v map[string]any) {
	v["ok"] = true
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, name string) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	if b, err := os.ReadFile(filepath.Join("testdata", "error_"+name+".json")); err == nil {
		w.Write(b)
		return
	}
	fmt.Fprintf(w, `{"ok":false,"error":%q}`, name)
}

// writes are the methods called with a JSON body.
var writes = map[string]bool{"chat.postMessage": true, "chat.update": true, "chat.delete": true,
	"reactions.add": true, "reactions.remove": true, "conversations.open": true}

func (f *fakeSlack) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.faults) > 0 {
		st := f.faults[0]
		f.faults = f.faults[1:]
		switch st {
		case http.StatusTooManyRequests:
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(st)
			fail(w, "ratelimited")
		case http.StatusUnauthorized:
			fail(w, "invalid_auth") // Slack answers auth errors with HTTP 200
		default:
			w.WriteHeader(st)
			fail(w, "service_unavailable")
		}
		return
	}
	if strings.HasPrefix(r.URL.Path, "/upload/") {
		f.serveUpload(w, r, body)
		return
	}
	method := strings.TrimPrefix(r.URL.Path, "/api/")
	if r.Method != http.MethodPost {
		f.problem("%s %s: want POST", r.Method, method)
	}
	if r.Header.Get("Authorization") != "Bearer "+f.token {
		fail(w, "not_authed")
		return
	}
	args := map[string]any{}
	ct := r.Header.Get("Content-Type")
	if writes[method] {
		if ct != "application/json; charset=utf-8" {
			f.problem("%s: Content-Type %q, want application/json; charset=utf-8", method, ct)
		}
		if err := json.Unmarshal(body, &args); err != nil {
			fail(w, "invalid_json")
			return
		}
	} else {
		if ct != "application/x-www-form-urlencoded" {
			f.problem("%s: Content-Type %q, want a form", method, ct)
		}
		form, err := url.ParseQuery(string(body))
		if err != nil {
			fail(w, "invalid_form_data")
			return
		}
		for k, v := range form {
			args[k] = v[0]
		}
	}
	f.calls = append(f.calls, fakeCall{method, args})
	str := func(k string) string { s, _ := args[k].(string); return s }
	switch method {
	case "auth.test":
		ok(w, map[string]any{"url": "https://brand.slack.com/", "team": "Brand", "user": "brandbot", "team_id": "T0BRAND", "user_id": botUser, "bot_id": botID})
	case "conversations.info":
		ch := f.channels[str("channel")]
		if ch == nil {
			fail(w, "channel_not_found")
			return
		}
		if str("include_num_members") != "true" {
			f.problem("conversations.info without include_num_members")
		}
		ok(w, map[string]any{"channel": map[string]any{"id": ch.id, "name": ch.name, "is_channel": !ch.im, "is_im": ch.im, "num_members": ch.members}})
	case "chat.postMessage":
		f.postMessage(w, args)
	case "chat.update", "chat.delete":
		ch, m := f.find(str("channel"), str("ts"))
		if m == nil {
			fail(w, "message_not_found")
			return
		}
		if m.User != botUser {
			fail(w, map[string]string{"chat.update": "cant_update_message", "chat.delete": "cant_delete_message"}[method])
			return
		}
		if method == "chat.update" {
			m.Text = str("text")
			ok(w, map[string]any{"channel": ch.id, "ts": m.TS, "text": m.Text})
			return
		}
		ch.msgs = slices.DeleteFunc(ch.msgs, func(x *fakeMsg) bool { return x == m })
		ok(w, map[string]any{"channel": ch.id, "ts": m.TS})
	case "conversations.replies":
		f.replies(w, args)
	case "conversations.history":
		f.history(w, args)
	case "conversations.list":
		if str("types") != "im" {
			f.problem("conversations.list types %q", str("types"))
		}
		var out []any
		for _, ch := range f.channels {
			if ch.im {
				out = append(out, map[string]any{"id": ch.id, "is_im": true, "user": ch.user, "created": 1773489600})
			}
		}
		ok(w, map[string]any{"channels": orEmpty(out), "response_metadata": map[string]any{"next_cursor": ""}})
	case "conversations.open":
		u := str("users")
		if u == "" {
			fail(w, "users_not_found")
			return
		}
		ch := f.im(u)
		ok(w, map[string]any{"channel": map[string]any{"id": ch.id}})
	case "reactions.add", "reactions.remove":
		_, m := f.find(str("channel"), str("timestamp"))
		if m == nil {
			fail(w, "message_not_found")
			return
		}
		if str("name") != "thumbsup" {
			f.problem("reaction %q", str("name"))
		}
		if m.Reactions == nil {
			m.Reactions = map[string][]string{}
		}
		users := m.Reactions[str("name")]
		has := slices.Contains(users, botUser)
		switch {
		case method == "reactions.add" && has:
			fail(w, "already_reacted")
			return
		case method == "reactions.add":
			m.Reactions[str("name")] = append(users, botUser)
		case !has:
			fail(w, "no_reaction")
			return
		default:
			m.Reactions[str("name")] = slices.DeleteFunc(users, func(u string) bool { return u == botUser })
		}
		ok(w, map[string]any{})
	case "reactions.get":
		ch, m := f.find(str("channel"), str("timestamp"))
		if m == nil {
			fail(w, "message_not_found")
			return
		}
		ok(w, map[string]any{"type": "message", "channel": ch.id, "message": f.render(ch, m)})
	case "files.getUploadURLExternal":
		n, err := strconv.Atoi(str("length"))
		if err != nil || n <= 0 || str("filename") == "" {
			fail(w, "invalid_arguments")
			return
		}
		id := fmt.Sprintf("F%07d", len(f.files)+1)
		f.files[id] = &fakeFile{}
		ok(w, map[string]any{"upload_url": f.base + "/upload/" + id, "file_id": id})
	case "files.completeUploadExternal":
		var files []struct {
			ID    string `json:"id"`
			Title string `json:"title"`
		}
		if err := json.Unmarshal([]byte(str("files")), &files); err != nil || len(files) == 0 {
			fail(w, "invalid_arguments")
			return
		}
		for _, x := range files {
			fl := f.files[x.ID]
			if fl == nil || !fl.uploaded {
				fail(w, "file_not_found")
				return
			}
			fl.completed = true
		}
		ok(w, map[string]any{"files": []any{map[string]any{"id": files[0].ID, "title": files[0].Title}}})
	default:
		fail(w, "unknown_method")
	}
}

func orEmpty(s []any) []any {
	if s == nil {
		return []any{}
	}
	return s
}

func (f *fakeSlack) serveUpload(w http.ResponseWriter, r *http.Request, body []byte) {
	if r.Header.Get("Authorization") != "" {
		f.problem("the upload URL received the token")
	}
	fl := f.files[strings.TrimPrefix(r.URL.Path, "/upload/")]
	if fl == nil {
		http.Error(w, "not found", 404)
		return
	}
	fl.uploaded = true
	fmt.Fprintf(w, "OK - %d", len(body))
}

func (f *fakeSlack) im(user string) *fakeChannel {
	for _, ch := range f.channels {
		if ch.im && ch.user == user {
			return ch
		}
	}
	ch := &fakeChannel{id: fmt.Sprintf("D%07d", len(f.channels)), user: user, im: true, members: 2}
	f.channels[ch.id] = ch
	return ch
}

func (f *fakeSlack) find(channel, ts string) (*fakeChannel, *fakeMsg) {
	ch := f.channels[channel]
	if ch == nil {
		return nil, nil
	}
	for _, m := range ch.msgs {
		if m.TS == ts {
			return ch, m
		}
	}
	return ch, nil
}

func (f *fakeSlack) postMessage(w http.ResponseWriter, args map[string]any) {
	ch := f.channels[fmt.Sprint(args["channel"])]
	if ch == nil {
		fail(w, "channel_not_found")
		return
	}
	text, _ := args["text"].(string)
	blocks, _ := args["blocks"].([]any)
	if text == "" && len(blocks) == 0 {
		fail(w, "no_text")
		return
	}
	if utf8.RuneCountInString(text) > 40000 {
		fail(w, "msg_too_long")
		return
	}
	for _, b := range blocks {
		bm, _ := b.(map[string]any)
		switch bm["type"] {
		case "image":
			if alt, _ := bm["alt_text"].(string); alt == "" {
				fail(w, "invalid_blocks")
				return
			}
			if sf, ok := bm["slack_file"].(map[string]any); ok {
				if fl := f.files[fmt.Sprint(sf["id"])]; fl == nil || !fl.completed {
					fail(w, "invalid_blocks")
					return
				}
			}
		case "section":
			t, _ := bm["text"].(map[string]any)
			if s, _ := t["text"].(string); utf8.RuneCountInString(s) > 3000 {
				fail(w, "invalid_blocks")
				return
			}
		default:
			fail(w, "invalid_blocks")
			return
		}
	}
	m := &fakeMsg{TS: f.ts(), Type: "message", User: botUser, BotID: botID, Text: text, Blocks: blocks}
	if md, ok := args["metadata"].(map[string]any); ok {
		if md["event_type"] == nil || md["event_payload"] == nil {
			fail(w, "invalid_metadata_format")
			return
		}
		m.Metadata = md
	}
	if tt, ok := args["thread_ts"].(string); ok {
		_, root := f.find(ch.id, tt)
		if root == nil || (root.ThreadTS != "" && root.ThreadTS != root.TS) {
			f.problem("thread_ts %q is not a thread's parent", tt)
			fail(w, "thread_not_found")
			return
		}
		m.ThreadTS = tt
		root.ThreadTS = tt
	}
	ch.msgs = append(ch.msgs, m)
	ok(w, map[string]any{"channel": ch.id, "ts": m.TS, "message": f.render(ch, m)})
}

// render is a message object; metadata only when asked for.
func (f *fakeSlack) render(ch *fakeChannel, m *fakeMsg) map[string]any {
	b, _ := json.Marshal(m)
	var out map[string]any
	json.Unmarshal(b, &out)
	var reactions []any
	for name, users := range m.Reactions {
		if len(users) > 0 {
			reactions = append(reactions, map[string]any{"name": name, "users": users, "count": len(users)})
		}
	}
	if reactions != nil {
		out["reactions"] = reactions
	}
	if m.ThreadTS == m.TS {
		n := 0
		for _, x := range ch.msgs {
			if x.ThreadTS == m.TS && x != m {
				n++
			}
		}
		out["reply_count"] = n
	}
	return out
}

func withMeta(out map[string]any, args map[string]any) map[string]any {
	if args["include_all_metadata"] != "true" {
		delete(out, "metadata")
	}
	return out
}

func tsNum(ts string) float64 {
	v, _ := strconv.ParseFloat(ts, 64)
	return v
}

func (f *fakeSlack) page(args map[string]any) (oldest float64, limit int) {
	limit = 100
	if s, ok := args["limit"].(string); ok {
		n, err := strconv.Atoi(s)
		if err != nil || n < 1 || n > 1000 {
			f.problem("limit %q", s)
		}
		limit = n
	}
	if s, ok := args["oldest"].(string); ok {
		oldest = tsNum(s)
		if args["inclusive"] != "false" {
			f.problem("oldest without inclusive=false")
		}
	}
	return oldest, limit
}

// replies: the thread's parent first, then its replies, oldest first.
func (f *fakeSlack) replies(w http.ResponseWriter, args map[string]any) {
	ch, m := f.find(fmt.Sprint(args["channel"]), fmt.Sprint(args["ts"]))
	if m == nil {
		fail(w, "thread_not_found")
		return
	}
	root := m
	if m.ThreadTS != "" && m.ThreadTS != m.TS {
		_, root = f.find(ch.id, m.ThreadTS)
	}
	oldest, limit := f.page(args)
	var out []any
	more := false
	for _, x := range ch.msgs {
		if x != root && x.ThreadTS != root.TS {
			continue
		}
		if tsNum(x.TS) <= oldest {
			continue
		}
		if len(out) == limit {
			more = true
			break
		}
		out = append(out, withMeta(f.render(ch, x), args))
	}
	ok(w, map[string]any{"messages": orEmpty(out), "has_more": more, "response_metadata": map[string]any{"next_cursor": ""}})
}

// history: top-level messages newest first, paged backwards with an
// offset cursor.
func (f *fakeSlack) history(w http.ResponseWriter, args map[string]any) {
	ch := f.channels[fmt.Sprint(args["channel"])]
	if ch == nil {
		fail(w, "channel_not_found")
		return
	}
	oldest, limit := f.page(args)
	var all []any
	for i := len(ch.msgs) - 1; i >= 0; i-- {
		x := ch.msgs[i]
		if (x.ThreadTS != "" && x.ThreadTS != x.TS) || tsNum(x.TS) <= oldest {
			continue
		}
		all = append(all, withMeta(f.render(ch, x), args))
	}
	off := 0
	if c, ok := args["cursor"].(string); ok {
		n, err := strconv.Atoi(strings.TrimPrefix(c, "bmV4dF90czo"))
		if err != nil {
			fail(w, "invalid_cursor")
			return
		}
		off = n
	}
	end := min(off+limit, len(all))
	next := ""
	if end < len(all) {
		next = "bmV4dF90czo" + strconv.Itoa(end)
	}
	ok(w, map[string]any{"messages": orEmpty(all[off:end]), "has_more": next != "", "response_metadata": map[string]any{"next_cursor": next}})
}

// userSays adds a message from a member: in channel, in the thread of
// threadTS when set.
func (f *fakeSlack) userSays(channel, threadTS, text string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	ch := f.channels[channel]
	if ch == nil {
		return "", fmt.Errorf("no channel %s", channel)
	}
	m := &fakeMsg{TS: f.ts(), Type: "message", User: otherUser, Text: text}
	if threadTS != "" {
		_, root := f.find(channel, threadTS)
		if root == nil {
			return "", fmt.Errorf("no message %s", threadTS)
		}
		if root.ThreadTS != "" {
			threadTS = root.ThreadTS
		}
		m.ThreadTS, root.ThreadTS = threadTS, threadTS
	}
	ch.msgs = append(ch.msgs, m)
	return channel + ":" + m.TS, nil
}

// userDMs adds a direct message from a member to the bot.
func (f *fakeSlack) userDMs(text string) string {
	f.mu.Lock()
	ch := f.im(otherUser)
	f.mu.Unlock()
	id, _ := f.userSays(ch.id, "", text)
	return id
}
