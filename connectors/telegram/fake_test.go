package telegram_test

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
	"unicode/utf8"
)

// fakeTelegram is a Bot API server built from core.telegram.org/bots/api:
// /bot<token>/<method> with JSON or multipart bodies, the {"ok",
// "result"} envelope, error answers from testdata/, a getUpdates queue
// that forgets updates below the requested offset, and a channel whose
// posts are forwarded automatically to its discussion group. It checks
// each request's path, content type and arguments.
type fakeTelegram struct {
	token    string
	requests atomic.Int64

	mu       sync.Mutex
	now      time.Time
	chats    map[int64]*fakeChat
	msgs     map[string]map[string]any // "chat:id" -> message
	nextID   map[int64]int64
	updates  []map[string]any
	nextUID  int64
	faults   []int
	problems []string
	calls    []fakeCall
}

type fakeCall struct {
	Method string
	Args   map[string]any
}

type fakeChat struct {
	info   map[string]any
	linked int64
	count  int
}

const (
	botID     = 7000000001
	botName   = "brand_bot"
	channelID = int64(-1001234567890)
	groupID   = int64(-1009876543210)
	userID    = int64(123456789)
)

var botUser = map[string]any{"id": botID, "is_bot": true, "first_name": "Brand", "username": botName}
var nelly = map[string]any{"id": userID, "is_bot": false, "first_name": "Nelly", "username": "nelly"}

func newFakeTelegram() *fakeTelegram {
	f := &fakeTelegram{token: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw", now: time.Now().Add(-time.Hour).Truncate(time.Second),
		chats: map[int64]*fakeChat{}, msgs: map[string]map[string]any{}, nextID: map[int64]int64{}, nextUID: 900000001}
	f.chats[channelID] = &fakeChat{info: map[string]any{"id": channelID, "title": "Brand", "username": "brandchannel", "type": "channel"}, linked: groupID, count: 1523}
	f.chats[groupID] = &fakeChat{info: map[string]any{"id": groupID, "title": "Brand Chat", "type": "supergroup"}, count: 87}
	f.chats[userID] = &fakeChat{info: map[string]any{"id": userID, "first_name": "Nelly", "username": "nelly", "type": "private"}, count: 2}
	return f
}

func golden(name string) []byte {
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		panic(err)
	}
	return b
}

func (f *fakeTelegram) problem(format string, args ...any) {
	f.problems = append(f.problems, fmt.Sprintf(format, args...))
}

// Problems returns the request-shape violations seen so far.
func (f *fakeTelegram) Problems() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.problems)
}

// Calls returns the Bot API calls made so far.
func (f *fakeTelegram) Calls() []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	return slices.Clone(f.calls)
}

// Fail makes the next requests answer with these statuses.
func (f *fakeTelegram) Fail(status, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults = append(f.faults, status)
	}
}

func answer(w http.ResponseWriter, result any) {
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{"ok": true, "result": result})
}

func fail(w http.ResponseWriter, file string) {
	b := golden(file)
	var e struct {
		Code int `json:"error_code"`
	}
	json.Unmarshal(b, &e)
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(e.Code)
	w.Write(b)
}

func failText(w http.ResponseWriter, code int, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(map[string]any{"ok": false, "error_code": code, "description": desc})
}

func (f *fakeTelegram) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.faults) > 0 {
		st := f.faults[0]
		f.faults = f.faults[1:]
		switch st {
		case http.StatusTooManyRequests:
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(429)
			w.Write([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 1","parameters":{"retry_after":1}}`))
		case http.StatusUnauthorized:
			fail(w, "error_unauthorized.json")
		default:
			fail(w, "error_bad_gateway.json")
		}
		return
	}
	tok, method, ok := strings.Cut(strings.TrimPrefix(r.URL.Path, "/bot"), "/")
	if !ok || tok != f.token || !strings.HasPrefix(r.URL.Path, "/bot") {
		fail(w, "error_not_found.json")
		return
	}
	if r.Method != http.MethodPost {
		f.problem("%s %s, want POST", r.Method, method)
	}
	args := map[string]any{}
	files := map[string][]byte{}
	ct, params, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	switch ct {
	case "application/json":
		if err := json.Unmarshal(body, &args); err != nil {
			failText(w, 400, "Bad Request: can't parse JSON")
			return
		}
	case "multipart/form-data":
		r.Body = io.NopCloser(strings.NewReader(string(body)))
		r.Header.Set("Content-Type", "multipart/form-data; boundary="+params["boundary"])
		if err := r.ParseMultipartForm(32 << 20); err != nil {
			f.problem("%s: multipart: %v", method, err)
		}
		for k, v := range r.MultipartForm.Value {
			var j any
			if json.Unmarshal([]byte(v[0]), &j) == nil && (strings.HasPrefix(v[0], "{") || strings.HasPrefix(v[0], "[")) {
				args[k] = j
			} else {
				args[k] = v[0]
			}
		}
		for k, fh := range r.MultipartForm.File {
			rc, _ := fh[0].Open()
			b, _ := io.ReadAll(rc)
			rc.Close()
			files[k] = b
		}
	default:
		f.problem("%s: Content-Type %q", method, r.Header.Get("Content-Type"))
	}
	f.calls = append(f.calls, fakeCall{method, args})
	f.serve(w, method, args, files)
}

// chatOf resolves chat_id: a number (JSON or form) or an @username.
func (f *fakeTelegram) chatOf(v any) *fakeChat {
	var id int64
	switch x := v.(type) {
	case float64:
		id = int64(x)
	case string:
		if strings.HasPrefix(x, "@") {
			for _, c := range f.chats {
				if "@"+fmt.Sprint(c.info["username"]) == x {
					return c
				}
			}
			return nil
		}
		id, _ = strconv.ParseInt(x, 10, 64)
	}
	return f.chats[id]
}

func num(v any) int64 {
	switch x := v.(type) {
	case float64:
		return int64(x)
	case int64:
		return x
	case int:
		return int64(x)
	case string:
		n, _ := strconv.ParseInt(x, 10, 64)
		return n
	}
	return 0
}

func chatID(c *fakeChat) int64 { return num(c.info["id"]) }

func key(chat, msg int64) string {
	return strconv.FormatInt(chat, 10) + ":" + strconv.FormatInt(msg, 10)
}

func (f *fakeTelegram) serve(w http.ResponseWriter, method string, args map[string]any, files map[string][]byte) {
	switch method {
	case "getMe":
		answer(w, botUser)
	case "getChat":
		c := f.chatOf(args["chat_id"])
		if c == nil {
			fail(w, "error_chat_not_found.json")
			return
		}
		answer(w, c.info)
	case "getChatMemberCount":
		c := f.chatOf(args["chat_id"])
		if c == nil {
			fail(w, "error_chat_not_found.json")
			return
		}
		answer(w, c.count)
	case "sendMessage", "sendPhoto", "sendVideo", "sendAnimation":
		c := f.chatOf(args["chat_id"])
		if c == nil {
			fail(w, "error_chat_not_found.json")
			return
		}
		text, _ := args["text"].(string)
		if method != "sendMessage" {
			text, _ = args["caption"].(string)
			kind := strings.ToLower(strings.TrimPrefix(method, "send"))
			if files[kind] == nil && args[kind] == nil {
				failText(w, 400, "Bad Request: there is no "+kind+" in the request")
				return
			}
			if utf8.RuneCountInString(text) > 1024 {
				failText(w, 400, "Bad Request: message caption is too long")
				return
			}
		} else if text == "" {
			fail(w, "error_text_empty.json")
			return
		} else if utf8.RuneCountInString(text) > 4096 {
			fail(w, "error_too_long.json")
			return
		}
		m, ok := f.newMessage(w, c, botUser, text, args, method != "sendMessage")
		if ok {
			answer(w, m)
		}
	case "sendMediaGroup":
		c := f.chatOf(args["chat_id"])
		media, _ := args["media"].([]any)
		if c == nil || len(media) < 2 || len(media) > 10 {
			failText(w, 400, "Bad Request: wrong number of media")
			return
		}
		var out []any
		for i, it := range media {
			item, _ := it.(map[string]any)
			ref, _ := item["media"].(string)
			if name, ok := strings.CutPrefix(ref, "attach://"); ok && files[name] == nil {
				f.problem("media %d refers to a missing part %s", i, name)
			}
			caption, _ := item["caption"].(string)
			a := map[string]any{}
			if i == 0 {
				a["reply_parameters"] = args["reply_parameters"]
			}
			m, ok := f.newMessage(w, c, botUser, caption, a, true)
			if !ok {
				return
			}
			m["media_group_id"] = "13" + strconv.Itoa(len(out))
			out = append(out, m)
		}
		answer(w, out)
	case "editMessageText", "editMessageCaption":
		m := f.msgs[key(num(args["chat_id"]), num(args["message_id"]))]
		if m == nil {
			fail(w, "error_edit_not_found.json")
			return
		}
		field, arg := "text", "text"
		if method == "editMessageCaption" {
			field, arg = "caption", "caption"
		}
		if _, has := m[field]; !has {
			failText(w, 400, "Bad Request: there is no text in the message to edit")
			return
		}
		if m[field] == args[arg] {
			fail(w, "error_not_modified.json")
			return
		}
		m[field] = args[arg]
		answer(w, m)
	case "deleteMessage":
		k := key(num(args["chat_id"]), num(args["message_id"]))
		if f.msgs[k] == nil {
			fail(w, "error_delete_not_found.json")
			return
		}
		delete(f.msgs, k)
		answer(w, true)
	case "setMessageReaction":
		m := f.msgs[key(num(args["chat_id"]), num(args["message_id"]))]
		if m == nil {
			failText(w, 400, "Bad Request: message to react not found")
			return
		}
		reaction, ok := args["reaction"].([]any)
		if !ok || len(reaction) > 1 {
			f.problem("reaction %v", args["reaction"])
		}
		for _, re := range reaction {
			if rm, _ := re.(map[string]any); rm["type"] != "emoji" || rm["emoji"] != "👍" {
				f.problem("reaction %v is not the 👍 emoji", re)
			}
		}
		answer(w, true)
	case "getUpdates":
		if num(args["timeout"]) != 0 {
			f.problem("getUpdates with timeout %v: listings do not long-poll", args["timeout"])
		}
		allowed, _ := args["allowed_updates"].([]any)
		if len(allowed) == 0 {
			f.problem("getUpdates without allowed_updates")
		}
		offset, limit := num(args["offset"]), num(args["limit"])
		if limit < 1 || limit > 100 {
			f.problem("getUpdates limit %d", limit)
			limit = 100
		}
		if offset > 0 {
			// "An update is considered confirmed as soon as getUpdates is
			// called with an offset higher than its update_id."
			f.updates = slices.DeleteFunc(f.updates, func(u map[string]any) bool { return num(u["update_id"]) < offset })
		}
		out := []any{}
		for _, u := range f.updates {
			if int64(len(out)) < limit {
				out = append(out, u)
			}
		}
		answer(w, out)
	default:
		failText(w, 404, "Not Found")
	}
}

// newMessage stores a message from `from` in chat c; in a channel with a
// discussion group, it forwards it there automatically.
func (f *fakeTelegram) newMessage(w http.ResponseWriter, c *fakeChat, from map[string]any, text string, args map[string]any, media bool) (map[string]any, bool) {
	id := chatID(c)
	f.nextID[id]++
	f.now = f.now.Add(time.Second)
	m := map[string]any{"message_id": f.nextID[id], "chat": c.info, "date": f.now.Unix()}
	if c.info["type"] == "channel" {
		m["sender_chat"] = c.info
	} else {
		m["from"] = from
	}
	if media {
		m["photo"] = []any{map[string]any{"file_id": "AgAC" + strconv.FormatInt(f.nextID[id], 10), "file_unique_id": "AQAD", "width": 1, "height": 1}}
		if text != "" {
			m["caption"] = text
		}
	} else {
		m["text"] = text
	}
	if rp, ok := args["reply_parameters"].(map[string]any); ok {
		parent := f.msgs[key(id, num(rp["message_id"]))]
		if parent == nil {
			if w != nil {
				failText(w, 400, "Bad Request: message to be replied not found")
			}
			return nil, false
		}
		m["reply_to_message"] = parent
	}
	f.msgs[key(id, num(m["message_id"]))] = m
	if c.linked != 0 {
		g := f.chats[c.linked]
		f.nextID[c.linked]++
		fwd := map[string]any{"message_id": f.nextID[c.linked], "from": map[string]any{"id": 777000, "is_bot": false, "first_name": "Telegram"},
			"sender_chat": c.info, "chat": g.info, "date": f.now.Unix(), "is_automatic_forward": true,
			"forward_origin": map[string]any{"type": "channel", "chat": c.info, "message_id": m["message_id"], "date": f.now.Unix()}}
		for _, k := range []string{"text", "caption", "photo"} {
			if v, ok := m[k]; ok {
				fwd[k] = v
			}
		}
		f.msgs[key(c.linked, num(fwd["message_id"]))] = fwd
		f.push("message", fwd)
	}
	return m, true
}

func (f *fakeTelegram) push(kind string, m map[string]any) {
	f.updates = append(f.updates, map[string]any{"update_id": f.nextUID, kind: m})
	f.nextUID++
}

// userSays makes Nelly write in chat, replying to replyTo when not 0;
// mention prefixes the text with @brand_bot.
func (f *fakeTelegram) userSays(chat, replyTo int64, text string, mention bool) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	c := f.chats[chat]
	if c == nil {
		return "", fmt.Errorf("no chat %d", chat)
	}
	args := map[string]any{}
	if replyTo != 0 {
		args["reply_parameters"] = map[string]any{"message_id": float64(replyTo)}
	}
	if mention {
		text = "@" + botName + " " + text
	}
	m, ok := f.newMessage(nil, c, nelly, text, args, false)
	if !ok {
		return "", fmt.Errorf("no message %d in %d", replyTo, chat)
	}
	if mention {
		m["entities"] = []any{map[string]any{"type": "mention", "offset": 0, "length": 1 + len(botName)}}
	}
	if p, ok := m["reply_to_message"].(map[string]any); ok {
		if p["is_automatic_forward"] == true {
			m["message_thread_id"] = p["message_id"]
		} else if t, ok := p["message_thread_id"]; ok {
			m["message_thread_id"] = t
		}
	}
	f.push("message", m)
	return key(chat, num(m["message_id"])), nil
}

// copyOf returns the automatic forward of channel post msg in the
// discussion group.
func (f *fakeTelegram) copyOf(msg int64) int64 {
	f.mu.Lock()
	defer f.mu.Unlock()
	for k, m := range f.msgs {
		if strings.HasPrefix(k, strconv.FormatInt(groupID, 10)+":") && m["is_automatic_forward"] == true {
			if o, _ := m["forward_origin"].(map[string]any); num(o["message_id"]) == msg {
				return num(m["message_id"])
			}
		}
	}
	return 0
}
