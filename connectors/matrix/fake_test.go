package matrix_test

import (
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/cmkit/cmkit/connectors/connectortest"
)

// fake is a Matrix homeserver built from the client-server API
// specification (v1.x): password login with refresh tokens, rooms with a
// timeline paginated by tokens "t<N>" (the position after the room's N-th
// event), transaction-ID deduplication per device, redactions, relations,
// the content repository, account data and the 429/401/503 answers of the
// spec. It checks what clients send: the access token, JSON bodies, the
// shape of message content.
type fake struct {
	t   testing.TB
	srv *httptest.Server

	mu       sync.Mutex
	users    map[string]string // user ID -> password
	tokens   map[string]*fakeSession
	refresh  map[string]*fakeSession
	rooms    map[string]*fakeRoom
	aliases  map[string]string
	direct   map[string]map[string][]string // user -> m.direct content
	media    map[string][]byte
	txns     map[string]string // device + path -> event ID
	seq      int
	now      int64
	faults   []connectortest.Fault
	expiryMS int64 // expires_in_ms of new sessions; 0 = none
	// inclusiveEnd makes forward end tokens point at the page's last
	// event, which the next page repeats, as Dendrite's do.
	inclusiveEnd bool
	// relationsLag hides from the relations endpoint every event appended
	// after lagRelations was called, as a homeserver that indexes
	// relations asynchronously (Dendrite) does for a moment.
	relationsLag  bool
	relationsUpTo int // room.events index bound while lagging
	logins        int
	requests      atomic.Int64
	log           []fakeRequest
}

type fakeSession struct {
	user, device, access, refresh string
}

type fakeRoom struct {
	id      string
	members []string
	events  []map[string]any
}

type fakeRequest struct {
	Method, Path, Query, Auth, ContentType string
	Body                                   []byte
}

const fakeServer = "example.org"

func newFake(t testing.TB) *fake {
	f := &fake{t: t}
	f.reset()
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// reset empties the homeserver: users brand and other, a room #community
// both joined.
func (f *fake) reset() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.users = map[string]string{"@brand:" + fakeServer: "brand-pass", "@other:" + fakeServer: "other-pass"}
	f.tokens, f.refresh = map[string]*fakeSession{}, map[string]*fakeSession{}
	f.rooms, f.aliases = map[string]*fakeRoom{}, map[string]string{}
	f.direct, f.media, f.txns = map[string]map[string][]string{}, map[string][]byte{}, map[string]string{}
	f.now = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC).UnixMilli()
	r := f.newRoomLocked("@brand:"+fakeServer, "@other:"+fakeServer)
	f.aliases["#community:"+fakeServer] = r.id
	f.faults = nil
	f.log = nil
}

func (f *fake) newRoomLocked(members ...string) *fakeRoom {
	f.seq++
	r := &fakeRoom{id: "!room" + strconv.Itoa(f.seq) + ":" + fakeServer, members: members}
	f.rooms[r.id] = r
	f.appendLocked(r, members[0], "m.room.create", map[string]any{"creator": members[0], "room_version": "11"})
	for _, m := range members {
		f.appendLocked(r, m, "m.room.member", map[string]any{"membership": "join"})
	}
	return r
}

func (f *fake) appendLocked(r *fakeRoom, sender, typ string, content map[string]any) map[string]any {
	f.seq++
	f.now += 1000
	ev := map[string]any{
		"event_id": "$ev" + strconv.Itoa(f.seq), "type": typ, "sender": sender, "room_id": r.id,
		"origin_server_ts": f.now, "content": content, "unsigned": map[string]any{},
	}
	r.events = append(r.events, ev)
	return ev
}

func (f *fake) roomID() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.aliases["#community:"+fakeServer]
}

// fail makes the next n requests fail with flt.
func (f *fake) fail(flt connectortest.Fault, n int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults = append(f.faults, flt)
	}
}

// requestsTo returns the logged requests whose path contains s.
func (f *fake) requestsTo(method, s string) []fakeRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeRequest
	for _, r := range f.log {
		if (method == "" || r.Method == method) && strings.Contains(r.Path, s) {
			out = append(out, r)
		}
	}
	return out
}

func golden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("golden %s: %v", name, err)
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

func merr(w http.ResponseWriter, status int, code, msg string) {
	writeJSON(w, status, map[string]any{"errcode": code, "error": msg})
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	path := r.URL.EscapedPath()
	f.mu.Lock()
	f.log = append(f.log, fakeRequest{Method: r.Method, Path: path, Query: r.URL.RawQuery, Auth: r.Header.Get("Authorization"), ContentType: r.Header.Get("Content-Type"), Body: body})
	var flt connectortest.Fault
	if len(f.faults) > 0 {
		flt, f.faults = f.faults[0], f.faults[1:]
	}
	f.mu.Unlock()
	switch flt {
	case connectortest.FaultRateLimited:
		// Spec "Rate limiting": 429 M_LIMIT_EXCEEDED with retry_after_ms.
		writeJSON(w, http.StatusTooManyRequests, map[string]any{"errcode": "M_LIMIT_EXCEEDED", "error": "Too many requests", "retry_after_ms": 200})
		return
	case connectortest.FaultUnauthenticated:
		writeJSON(w, http.StatusUnauthorized, golden(f.t, "errors/unknown_token.json"))
		return
	case connectortest.FaultUnavailable:
		writeJSON(w, http.StatusServiceUnavailable, map[string]any{"errcode": "M_UNKNOWN", "error": "Service unavailable"})
		return
	}
	if r.Method == http.MethodPut || (r.Method == http.MethodPost && !strings.HasPrefix(path, "/_matrix/media/")) {
		if r.Header.Get("Content-Type") != "application/json" || !json.Valid(body) {
			merr(w, http.StatusBadRequest, "M_NOT_JSON", "Content not JSON.")
			return
		}
	}
	seg := strings.Split(strings.TrimPrefix(path, "/"), "/")
	for i := range seg {
		seg[i], _ = url.PathUnescape(seg[i])
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	switch {
	case r.Method == http.MethodPost && path == "/_matrix/client/v3/login":
		f.login(w, body)
		return
	case r.Method == http.MethodPost && path == "/_matrix/client/v3/refresh":
		f.doRefresh(w, body)
		return
	}
	sess := f.auth(w, r)
	if sess == nil {
		return
	}
	switch {
	case r.Method == http.MethodGet && path == "/_matrix/client/v3/account/whoami":
		writeJSON(w, 200, map[string]any{"user_id": sess.user, "device_id": sess.device})
	case r.Method == http.MethodGet && len(seg) == 6 && seg[3] == "directory" && seg[4] == "room":
		id, ok := f.aliases[seg[5]]
		if !ok {
			merr(w, 404, "M_NOT_FOUND", "Room alias "+seg[5]+" not found.")
			return
		}
		writeJSON(w, 200, map[string]any{"room_id": id, "servers": []string{fakeServer}})
	case r.Method == http.MethodGet && len(seg) == 6 && seg[3] == "profile" && seg[5] == "displayname":
		writeJSON(w, 200, map[string]any{"displayname": strings.TrimPrefix(strings.SplitN(seg[4], ":", 2)[0], "@")})
	case r.Method == http.MethodGet && path == "/_matrix/client/v1/media/config":
		writeJSON(w, 200, map[string]any{"m.upload.size": 50 << 20})
	case r.Method == http.MethodPost && path == "/_matrix/media/v3/upload":
		if r.Header.Get("Content-Type") == "" || len(body) == 0 {
			merr(w, 400, "M_BAD_JSON", "empty upload")
			return
		}
		f.seq++
		id := "media" + strconv.Itoa(f.seq)
		f.media[id] = body
		writeJSON(w, 200, map[string]any{"content_uri": "mxc://" + fakeServer + "/" + id})
	case r.Method == http.MethodGet && path == "/_matrix/client/v3/joined_rooms":
		var ids []string
		for id, room := range f.rooms {
			if slices.Contains(room.members, sess.user) {
				ids = append(ids, id)
			}
		}
		writeJSON(w, 200, map[string]any{"joined_rooms": ids})
	case len(seg) == 7 && seg[3] == "user" && seg[5] == "account_data" && seg[6] == "m.direct":
		if seg[4] != sess.user {
			merr(w, 403, "M_FORBIDDEN", "Cannot access other users' account data")
			return
		}
		if r.Method == http.MethodPut {
			var m map[string][]string
			if err := json.Unmarshal(body, &m); err != nil {
				merr(w, 400, "M_BAD_JSON", err.Error())
				return
			}
			f.direct[sess.user] = m
			writeJSON(w, 200, map[string]any{})
			return
		}
		m, ok := f.direct[sess.user]
		if !ok {
			merr(w, 404, "M_NOT_FOUND", "Account data not found")
			return
		}
		writeJSON(w, 200, m)
	case r.Method == http.MethodPost && path == "/_matrix/client/v3/createRoom":
		var req struct {
			Invite   []string `json:"invite"`
			IsDirect bool     `json:"is_direct"`
		}
		json.Unmarshal(body, &req)
		room := f.newRoomLocked(append([]string{sess.user}, req.Invite...)...) // invites auto-accepted
		writeJSON(w, 200, map[string]any{"room_id": room.id})
	case r.Method == http.MethodGet && path == "/_matrix/client/v3/sync":
		f.sync(w, r, sess)
	case r.Method == http.MethodGet && len(seg) >= 8 && seg[1] == "client" && seg[2] == "v1" && seg[3] == "rooms" && seg[5] == "relations":
		f.relations(w, r, sess, seg)
	case len(seg) >= 5 && seg[1] == "client" && seg[2] == "v3" && seg[3] == "rooms":
		f.roomAPI(w, r, sess, seg, body)
	default:
		merr(w, 404, "M_UNRECOGNIZED", "Unrecognized request")
	}
}

func (f *fake) login(w http.ResponseWriter, body []byte) {
	var req struct {
		Type       string `json:"type"`
		Identifier struct {
			Type string `json:"type"`
			User string `json:"user"`
		} `json:"identifier"`
		Password     string `json:"password"`
		RefreshToken bool   `json:"refresh_token"`
		DeviceID     string `json:"device_id"`
	}
	if err := json.Unmarshal(body, &req); err != nil || req.Type != "m.login.password" || req.Identifier.Type != "m.id.user" {
		merr(w, 400, "M_UNKNOWN", "Bad login type.")
		return
	}
	user := req.Identifier.User
	if !strings.HasPrefix(user, "@") {
		user = "@" + user + ":" + fakeServer
	}
	if pw, ok := f.users[user]; !ok || pw != req.Password {
		writeJSON(w, 403, map[string]any{"errcode": "M_FORBIDDEN", "error": "Invalid username or password"})
		return
	}
	f.logins++
	f.seq++
	device := req.DeviceID
	if device == "" {
		device = "DEV" + strconv.Itoa(f.seq)
	}
	s := &fakeSession{user: user, device: device, access: "syt_access_" + strconv.Itoa(f.seq)}
	f.tokens[s.access] = s
	out := map[string]any{"user_id": user, "access_token": s.access, "device_id": device}
	if req.RefreshToken {
		s.refresh = "syr_refresh_" + strconv.Itoa(f.seq)
		f.refresh[s.refresh] = s
		out["refresh_token"] = s.refresh
		if f.expiryMS > 0 {
			out["expires_in_ms"] = f.expiryMS
		}
	}
	writeJSON(w, 200, out)
}

func (f *fake) doRefresh(w http.ResponseWriter, body []byte) {
	var req struct {
		RefreshToken string `json:"refresh_token"`
	}
	json.Unmarshal(body, &req)
	old, ok := f.refresh[req.RefreshToken]
	if !ok {
		writeJSON(w, 401, golden(f.t, "errors/soft_logout.json"))
		return
	}
	delete(f.refresh, req.RefreshToken)
	delete(f.tokens, old.access)
	f.seq++
	s := &fakeSession{user: old.user, device: old.device, access: "syt_access_" + strconv.Itoa(f.seq), refresh: "syr_refresh_" + strconv.Itoa(f.seq)}
	f.tokens[s.access], f.refresh[s.refresh] = s, s
	out := map[string]any{"access_token": s.access, "refresh_token": s.refresh}
	if f.expiryMS > 0 {
		out["expires_in_ms"] = f.expiryMS
	}
	writeJSON(w, 200, out)
}

func (f *fake) auth(w http.ResponseWriter, r *http.Request) *fakeSession {
	h := r.Header.Get("Authorization")
	tok, ok := strings.CutPrefix(h, "Bearer ")
	if !ok || tok == "" {
		writeJSON(w, 401, golden(f.t, "errors/missing_token.json"))
		return nil
	}
	s, ok := f.tokens[tok]
	if !ok {
		writeJSON(w, 401, golden(f.t, "errors/unknown_token.json"))
		return nil
	}
	return s
}

func (f *fake) room(w http.ResponseWriter, s *fakeSession, id string) *fakeRoom {
	room, ok := f.rooms[id]
	if !ok || !slices.Contains(room.members, s.user) {
		merr(w, 403, "M_FORBIDDEN", "You are not in room "+id)
		return nil
	}
	return room
}

func (f *fake) find(room *fakeRoom, id string) (int, map[string]any) {
	for i, ev := range room.events {
		if ev["event_id"] == id {
			return i, ev
		}
	}
	return -1, nil
}

// token parses "t<N>".
func token(s string, n int) (int, bool) {
	v, err := strconv.Atoi(strings.TrimPrefix(s, "t"))
	if !strings.HasPrefix(s, "t") || err != nil || v < 0 || v > n {
		return 0, false
	}
	return v, true
}

func (f *fake) sync(w http.ResponseWriter, r *http.Request, s *fakeSession) {
	var filter struct {
		Room struct {
			Rooms []string `json:"rooms"`
		} `json:"room"`
	}
	if err := json.Unmarshal([]byte(r.URL.Query().Get("filter")), &filter); err != nil || len(filter.Room.Rooms) != 1 {
		merr(w, 400, "M_INVALID_PARAM", "this fake serves /sync filtered to one room")
		return
	}
	room := f.room(w, s, filter.Room.Rooms[0])
	if room == nil {
		return
	}
	writeJSON(w, 200, map[string]any{"next_batch": "t" + strconv.Itoa(len(room.events)), "rooms": map[string]any{}})
}

// clientEvent returns the event as s sees it: unsigned.transaction_id only
// for its own device.
func (f *fake) clientEvent(ev map[string]any, s *fakeSession) map[string]any {
	cp := map[string]any{}
	for k, v := range ev {
		cp[k] = v
	}
	u := map[string]any{}
	for k, v := range ev["unsigned"].(map[string]any) {
		if k == "txn_device" {
			continue
		}
		if k == "transaction_id" && ev["unsigned"].(map[string]any)["txn_device"] != s.device {
			continue
		}
		u[k] = v
	}
	cp["unsigned"] = u
	return cp
}

func (f *fake) roomAPI(w http.ResponseWriter, r *http.Request, s *fakeSession, seg []string, body []byte) {
	room := f.room(w, s, seg[4])
	if room == nil {
		return
	}
	n := len(room.events)
	switch {
	case r.Method == http.MethodPut && len(seg) == 8 && seg[5] == "send":
		key := s.device + " " + strings.Join(seg, "/")
		if id, ok := f.txns[key]; ok {
			writeJSON(w, 200, map[string]any{"event_id": id})
			return
		}
		var content map[string]any
		json.Unmarshal(body, &content)
		if seg[6] == "m.room.message" {
			if _, ok := content["msgtype"].(string); !ok {
				merr(w, 400, "M_BAD_JSON", "msgtype missing")
				return
			}
			if _, ok := content["body"].(string); !ok {
				merr(w, 400, "M_BAD_JSON", "body missing")
				return
			}
			if fb, ok := content["formatted_body"]; ok && (content["format"] != "org.matrix.custom.html" || fb == "") {
				merr(w, 400, "M_BAD_JSON", "formatted_body without format")
				return
			}
		}
		if len(body) > 65536 {
			writeJSON(w, 413, golden(f.t, "errors/too_large.json"))
			return
		}
		ev := f.appendLocked(room, s.user, seg[6], content)
		ev["unsigned"] = map[string]any{"transaction_id": seg[7], "txn_device": s.device}
		f.txns[key] = ev["event_id"].(string)
		writeJSON(w, 200, map[string]any{"event_id": ev["event_id"]})
	case r.Method == http.MethodPut && len(seg) == 8 && seg[5] == "redact":
		_, ev := f.find(room, seg[6])
		if ev == nil {
			writeJSON(w, 404, golden(f.t, "errors/not_found.json"))
			return
		}
		if ev["sender"] != s.user && room.members[0] != s.user {
			writeJSON(w, 403, golden(f.t, "errors/forbidden.json"))
			return
		}
		red := f.appendLocked(room, s.user, "m.room.redaction", map[string]any{"redacts": seg[6]})
		ev["content"] = map[string]any{}
		ev["unsigned"] = map[string]any{"redacted_because": red}
		writeJSON(w, 200, map[string]any{"event_id": red["event_id"]})
	case r.Method == http.MethodGet && len(seg) == 7 && seg[5] == "event":
		_, ev := f.find(room, seg[6])
		if ev == nil {
			writeJSON(w, 404, golden(f.t, "errors/not_found.json"))
			return
		}
		writeJSON(w, 200, f.clientEvent(ev, s))
	case r.Method == http.MethodGet && len(seg) == 7 && seg[5] == "context":
		i, ev := f.find(room, seg[6])
		if ev == nil {
			writeJSON(w, 404, golden(f.t, "errors/not_found.json"))
			return
		}
		writeJSON(w, 200, map[string]any{"event": f.clientEvent(ev, s), "start": "t" + strconv.Itoa(i), "end": "t" + strconv.Itoa(i+1),
			"events_before": []any{}, "events_after": []any{}, "state": []any{}})
	case r.Method == http.MethodGet && len(seg) == 6 && seg[5] == "messages":
		q := r.URL.Query()
		limit, err := strconv.Atoi(q.Get("limit"))
		if err != nil || limit <= 0 {
			limit = 10
		}
		from, ok := token(q.Get("from"), n)
		if !ok {
			merr(w, 400, "M_INVALID_PARAM", "Invalid from parameter: malformed sync token")
			return
		}
		out := map[string]any{"start": q.Get("from")}
		var chunk []any
		switch q.Get("dir") {
		case "f":
			to := min(n, from+limit)
			for _, ev := range room.events[from:to] {
				chunk = append(chunk, f.clientEvent(ev, s))
			}
			if to > from {
				out["end"] = "t" + strconv.Itoa(to)
				if f.inclusiveEnd {
					out["end"] = "t" + strconv.Itoa(to-1)
				}
			}
		case "b":
			to := max(0, from-limit)
			for i := from - 1; i >= to; i-- {
				chunk = append(chunk, f.clientEvent(room.events[i], s))
			}
			if to < from {
				out["end"] = "t" + strconv.Itoa(to)
			}
		default:
			merr(w, 400, "M_INVALID_PARAM", "Bad dir")
			return
		}
		out["chunk"] = append([]any{}, chunk...)
		writeJSON(w, 200, out)
	case r.Method == http.MethodGet && len(seg) == 6 && seg[5] == "joined_members":
		joined := map[string]any{}
		for _, m := range room.members {
			joined[m] = map[string]any{"display_name": strings.TrimPrefix(strings.SplitN(m, ":", 2)[0], "@")}
		}
		writeJSON(w, 200, map[string]any{"joined": joined})
	default:
		merr(w, 404, "M_UNRECOGNIZED", "Unrecognized request")
	}
}

// lagRelations makes the relations endpoint stop seeing new events of the
// room with the given alias.
func (f *fake) lagRelations(alias string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.relationsLag = true
	f.relationsUpTo = len(f.rooms[f.aliases[alias]].events)
}

// relations serves GET /_matrix/client/v1/rooms/{roomId}/relations/{eventId}/{relType}[/{eventType}],
// most recent first, paginated with next_batch.
func (f *fake) relations(w http.ResponseWriter, r *http.Request, s *fakeSession, seg []string) {
	room := f.room(w, s, seg[4])
	if room == nil {
		return
	}
	if _, ev := f.find(room, seg[6]); ev == nil {
		writeJSON(w, 404, golden(f.t, "errors/not_found.json"))
		return
	}
	relType, evType := "", ""
	if len(seg) > 7 {
		relType = seg[7]
	}
	if len(seg) > 8 {
		evType = seg[8]
	}
	var all []any
	last := len(room.events) - 1
	if f.relationsLag {
		last = min(last, f.relationsUpTo-1)
	}
	for i := last; i >= 0; i-- {
		ev := room.events[i]
		c, _ := ev["content"].(map[string]any)
		rel, _ := c["m.relates_to"].(map[string]any)
		if rel == nil || rel["event_id"] != seg[6] || (relType != "" && rel["rel_type"] != relType) || (evType != "" && ev["type"] != evType) {
			continue
		}
		all = append(all, f.clientEvent(ev, s))
	}
	limit, _ := strconv.Atoi(r.URL.Query().Get("limit"))
	if limit <= 0 {
		limit = 5
	}
	from := 0
	if v := r.URL.Query().Get("from"); v != "" {
		from, _ = strconv.Atoi(strings.TrimPrefix(v, "r"))
	}
	from = min(from, len(all))
	to := min(len(all), from+limit)
	out := map[string]any{"chunk": append([]any{}, all[from:to]...)}
	if to < len(all) {
		out["next_batch"] = "r" + strconv.Itoa(to)
	}
	writeJSON(w, 200, out)
}

// post makes user send a message with content into room, as another
// client would.
func (f *fake) post(room, user string, content map[string]any) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	ev := f.appendLocked(f.rooms[room], user, "m.room.message", content)
	return ev["event_id"].(string)
}

// dmRoom returns the DM room between brand and other, creating it (both
// joined, listed in brand's m.direct).
func (f *fake) dmRoom() string {
	f.mu.Lock()
	defer f.mu.Unlock()
	brand, other := "@brand:"+fakeServer, "@other:"+fakeServer
	if rs := f.direct[brand][other]; len(rs) > 0 {
		return rs[0]
	}
	r := f.newRoomLocked(other, brand)
	if f.direct[brand] == nil {
		f.direct[brand] = map[string][]string{}
	}
	f.direct[brand][other] = append(f.direct[brand][other], r.id)
	return r.id
}
