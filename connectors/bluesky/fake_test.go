package bluesky

import (
	"crypto/sha256"
	"encoding/base32"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/cmkit/cmkit/connectors/textcount"
)

// fake is an in-memory PDS and AppView speaking the XRPC methods the driver
// uses, with the request and response shapes of the lexicons and of the
// reference implementation (recorded bodies under testdata/). It asserts
// what the driver sends: methods, paths, the bearer token, JSON bodies
// that match the lexicon (record types, facet byte ranges, reply refs,
// blobs referenced after upload).
type fake struct {
	t   testing.TB
	srv *httptest.Server

	requests atomic.Int64

	mu       sync.Mutex
	last     time.Time
	lastChat time.Time // chatNowLocked
	seq      int
	accounts map[string]*fakeAccount // by DID
	handles  map[string]string       // handle → DID
	access   map[string]string       // access JWT → DID
	refresh  map[string]string       // live refresh JWT → DID
	expired  map[string]bool         // access JWTs the fake expired
	records  map[string]*fakeRecord  // by URI
	blobs    map[string]string       // CID → MIME type
	notifs   []fakeNotif             // oldest first
	faults   []fakeFault
	calls    []fakeCall
	convos   []*fakeConvo // the chat service's conversations
	// sessionCreates counts createSession calls.
	sessionCreates int
	// noRateLimitHeaders drops the ratelimit-* headers.
	noRateLimitHeaders bool
}

type fakeAccount struct {
	did, handle, password string
}

type fakeRecord struct {
	uri, cid  string
	value     map[string]any
	raw       json.RawMessage
	indexedAt time.Time
}

type fakeNotif struct {
	to, uri, reason, subject string
	at                       time.Time
}

type fakeFault struct {
	path   string // only requests to this path, or any when empty
	status int
	name   string
	header http.Header
}

type fakeCall struct {
	Method, Path string
	Query        map[string][]string
	Header       http.Header
	Body         []byte
}

// fakeConvo is a conversation of the chat service.
type fakeConvo struct {
	id, rev string
	members []string // DIDs
	msgs    []*fakeChatMsg
}

type fakeChatMsg struct {
	id, rev, sender, text string
	sentAt                time.Time
	deleted               bool
}

func newFake(t testing.TB) *fake {
	f := &fake{t: t, accounts: map[string]*fakeAccount{}, handles: map[string]string{}, access: map[string]string{},
		refresh: map[string]string{}, expired: map[string]bool{}, records: map[string]*fakeRecord{}, blobs: map[string]string{}}
	f.srv = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.srv.Close)
	return f
}

// now returns the fake's clock: real time, strictly increasing.
func (f *fake) nowLocked() time.Time {
	n := time.Now().UTC().Truncate(time.Microsecond)
	if !n.After(f.last) {
		n = f.last.Add(time.Microsecond)
	}
	f.last = n
	return n
}

func (f *fake) tidLocked() string {
	return encodeTID(uint64(f.nowLocked().UnixMicro())<<10 | uint64(f.seq%1024))
}

// addAccount creates an account with an app password.
func (f *fake) addAccount(handle, password string) string {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.seq++
	did := "did:plc:" + strings.ToLower(base32.StdEncoding.EncodeToString([]byte(fmt.Sprintf("acct%011d", f.seq))))[:24]
	f.accounts[did] = &fakeAccount{did: did, handle: handle, password: password}
	f.handles[handle] = did
	return did
}

// jwt makes a session JWT for did (unsigned: the fake knows its tokens).
func (f *fake) jwtLocked(did, scope string, exp time.Time) string {
	f.seq++
	h := base64.RawURLEncoding.EncodeToString([]byte(`{"typ":"at+jwt","alg":"HS256"}`))
	p, _ := json.Marshal(map[string]any{"scope": scope, "sub": did, "iat": time.Now().Unix(), "exp": exp.Unix(), "jti": strconv.Itoa(f.seq)})
	return h + "." + base64.RawURLEncoding.EncodeToString(p) + ".c2ln"
}

func (f *fake) sessionLocked(did string) map[string]any {
	a := f.accounts[did]
	acc := f.jwtLocked(did, "com.atproto.appPass", time.Now().Add(2*time.Hour))
	ref := f.jwtLocked(did, "com.atproto.refresh", time.Now().Add(90*24*time.Hour))
	f.access[acc] = did
	f.refresh[ref] = did
	return map[string]any{"did": did, "handle": a.handle, "accessJwt": acc, "refreshJwt": ref, "active": true}
}

// expireAll makes every access JWT answer ExpiredToken.
func (f *fake) expireAll() {
	f.mu.Lock()
	defer f.mu.Unlock()
	for tok := range f.access {
		f.expired[tok] = true
	}
}

// fail queues n faults.
func (f *fake) fail(n int, ff fakeFault) {
	f.mu.Lock()
	defer f.mu.Unlock()
	for range n {
		f.faults = append(f.faults, ff)
	}
}

// callsTo returns the recorded calls of an NSID.
func (f *fake) callsTo(nsid string) []fakeCall {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []fakeCall
	for _, c := range f.calls {
		if c.Path == "/xrpc/"+nsid {
			out = append(out, c)
		}
	}
	return out
}

func golden(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	if err != nil {
		t.Fatalf("reading golden %s: %v", name, err)
	}
	return b
}

func (f *fake) writeError(w http.ResponseWriter, status int, name string) {
	body, err := os.ReadFile(filepath.Join("testdata", "errors", name+".json"))
	if err != nil {
		body, _ = json.Marshal(map[string]string{"error": name, "message": name})
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	_ = json.NewEncoder(w).Encode(v)
}

func (f *fake) rateLimitHeaders(w http.ResponseWriter, remaining int) {
	if f.noRateLimitHeaders {
		return
	}
	w.Header().Set("RateLimit-Limit", "3000")
	w.Header().Set("RateLimit-Remaining", strconv.Itoa(remaining))
	w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(300*time.Second).Unix(), 10))
	w.Header().Set("RateLimit-Policy", "3000;w=300")
}

type xrpcErr struct {
	status int
	name   string
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	f.requests.Add(1)
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Method: r.Method, Path: r.URL.Path, Query: r.URL.Query(), Header: r.Header.Clone(), Body: body})
	if i := slices.IndexFunc(f.faults, func(ff fakeFault) bool { return ff.path == "" || ff.path == r.URL.Path }); i >= 0 {
		ff := f.faults[i]
		f.faults = slices.Delete(f.faults, i, i+1)
		f.mu.Unlock()
		for k, v := range ff.header {
			w.Header()[k] = v
		}
		f.writeError(w, ff.status, ff.name)
		return
	}
	f.mu.Unlock()
	f.rateLimitHeaders(w, 2999)
	out, xe := f.route(r, body)
	if xe != nil {
		f.writeError(w, xe.status, xe.name)
		return
	}
	if s, ok := out.(string); ok {
		w.Header().Set("Content-Type", "text/plain")
		_, _ = io.WriteString(w, s)
		return
	}
	writeJSON(w, out)
}

// auth returns the DID of the request's access JWT.
func (f *fake) authLocked(r *http.Request) (string, *xrpcErr) {
	tok, ok := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
	if !ok {
		return "", &xrpcErr{401, "AuthMissing"}
	}
	did, ok := f.access[tok]
	if !ok {
		return "", &xrpcErr{400, "InvalidToken"}
	}
	if f.expired[tok] || jwtExpiry(tok).Before(time.Now()) {
		return "", &xrpcErr{400, "ExpiredToken"}
	}
	return did, nil
}

func (f *fake) route(r *http.Request, body []byte) (any, *xrpcErr) {
	f.mu.Lock()
	defer f.mu.Unlock()
	nsid, ok := strings.CutPrefix(r.URL.Path, "/xrpc/")
	if !ok {
		return f.wellKnown(r)
	}
	q := r.URL.Query()
	var in map[string]any
	if r.Method == http.MethodPost && nsid != "com.atproto.repo.uploadBlob" && len(body) > 0 {
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "application/json") {
			f.t.Errorf("%s: Content-Type %q, want application/json", nsid, r.Header.Get("Content-Type"))
		}
		if err := json.Unmarshal(body, &in); err != nil {
			return nil, &xrpcErr{400, "InvalidRequest"}
		}
	}
	wantMethod := map[string]string{
		"com.atproto.server.createSession": "POST", "com.atproto.server.refreshSession": "POST",
		"com.atproto.repo.createRecord": "POST", "com.atproto.repo.putRecord": "POST",
		"com.atproto.repo.deleteRecord": "POST", "com.atproto.repo.uploadBlob": "POST",
		"chat.bsky.convo.sendMessage": "POST",
	}[nsid]
	if wantMethod == "" {
		wantMethod = "GET"
	}
	if r.Method != wantMethod {
		f.t.Errorf("%s sent with %s, want %s", nsid, r.Method, wantMethod)
		return nil, &xrpcErr{400, "InvalidRequest"}
	}
	switch nsid {
	case "com.atproto.server.createSession":
		return f.createSession(in)
	case "com.atproto.server.refreshSession":
		tok, _ := strings.CutPrefix(r.Header.Get("Authorization"), "Bearer ")
		did, ok := f.refresh[tok]
		if !ok {
			return nil, &xrpcErr{400, "ExpiredToken"}
		}
		delete(f.refresh, tok) // rotated: the old refresh JWT is dead
		return f.sessionLocked(did), nil
	case "com.atproto.identity.resolveHandle":
		did, ok := f.handles[strings.ToLower(q.Get("handle"))]
		if !ok {
			return nil, &xrpcErr{400, "HandleNotFound"}
		}
		return map[string]string{"did": did}, nil
	case "com.atproto.repo.getRecord":
		return f.getRecord(q)
	case "com.atproto.repo.listRecords":
		return f.listRecords(q)
	}
	did, xe := f.authLocked(r)
	if xe != nil {
		return nil, xe
	}
	switch nsid {
	case "com.atproto.server.getSession":
		return map[string]any{"did": did, "handle": f.accounts[did].handle, "active": true}, nil
	case "com.atproto.repo.uploadBlob":
		ct := r.Header.Get("Content-Type")
		if len(body) == 0 || ct == "" {
			return nil, &xrpcErr{400, "InvalidRequest"}
		}
		cid := fakeCID(body)
		f.blobs[cid] = ct
		return map[string]any{"blob": map[string]any{"$type": "blob", "ref": map[string]string{"$link": cid}, "mimeType": ct, "size": len(body)}}, nil
	case "com.atproto.repo.createRecord", "com.atproto.repo.putRecord":
		return f.writeRecord(did, nsid == "com.atproto.repo.putRecord", in)
	case "com.atproto.repo.deleteRecord":
		return f.deleteRecord(did, in)
	case "app.bsky.feed.getPostThread":
		return f.getPostThread(did, q)
	case "app.bsky.feed.getPosts":
		var posts []any
		for _, u := range q["uris"] {
			if rec, ok := f.records[u]; ok {
				posts = append(posts, f.postViewLocked(did, rec))
			}
		}
		return map[string]any{"posts": nonNil(posts)}, nil
	case "app.bsky.actor.getProfile":
		a, ok := f.accounts[q.Get("actor")]
		if !ok {
			return nil, &xrpcErr{400, "InvalidRequest"}
		}
		posts := 0
		for _, rec := range f.records {
			if strings.HasPrefix(rec.uri, "at://"+a.did+"/"+collPost+"/") {
				posts++
			}
		}
		return map[string]any{"did": a.did, "handle": a.handle, "followersCount": 42, "followsCount": 7, "postsCount": posts}, nil
	case "app.bsky.notification.listNotifications":
		return f.listNotifications(did, q)
	}
	if strings.HasPrefix(nsid, "chat.bsky.") {
		// The PDS forwards chat calls to the service the atproto-proxy
		// header names; without it they are not proxied.
		if got := r.Header.Get("atproto-proxy"); got != DefaultChatProxy {
			f.t.Errorf("%s: atproto-proxy %q, want %q", nsid, got, DefaultChatProxy)
			return nil, &xrpcErr{400, "InvalidRequest"}
		}
		return f.chat(did, nsid, q, in)
	}
	return nil, &xrpcErr{501, "MethodNotImplemented"}
}

func nonNil(v []any) []any {
	if v == nil {
		return []any{}
	}
	return v
}

// wellKnown serves identity documents for discovery tests: the PLC
// directory (/<did>) and did:web documents.
func (f *fake) wellKnown(r *http.Request) (any, *xrpcErr) {
	if did, ok := strings.CutPrefix(r.URL.Path, "/"); ok && strings.HasPrefix(did, "did:plc:") {
		if _, ok := f.accounts[did]; !ok {
			return nil, &xrpcErr{404, "NotFound"}
		}
		return map[string]any{"id": did, "alsoKnownAs": []string{"at://" + f.accounts[did].handle},
			"service": []map[string]string{{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": f.srv.URL}}}, nil
	}
	if r.URL.Path == "/page" {
		return `<html><head><meta property="og:title" content="Le programme &amp; les horaires"><meta name="description" content="Tout le festival"><title>ignored</title></head></html>`, nil
	}
	if r.URL.Path == "/.well-known/did.json" {
		did := "did:web:" + strings.ReplaceAll(r.Host, ":", "%3A")
		return map[string]any{"id": did, "service": []map[string]string{{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer", "serviceEndpoint": f.srv.URL}}}, nil
	}
	return nil, &xrpcErr{404, "NotFound"}
}

func (f *fake) createSession(in map[string]any) (any, *xrpcErr) {
	f.sessionCreates++
	id, _ := in["identifier"].(string)
	pw, _ := in["password"].(string)
	did := id
	if !strings.HasPrefix(id, "did:") {
		did = f.handles[strings.ToLower(id)]
	}
	a, ok := f.accounts[did]
	if !ok || a.password != pw {
		return nil, &xrpcErr{401, "AuthenticationRequired"}
	}
	return f.sessionLocked(did), nil
}

func fakeCID(b []byte) string {
	sum := sha256.Sum256(b)
	return "bafyrei" + strings.ToLower(strings.TrimRight(base32.StdEncoding.EncodeToString(sum[:]), "="))[:52]
}

func (f *fake) getRecord(q map[string][]string) (any, *xrpcErr) {
	repo := first(q["repo"])
	if did, ok := f.handles[repo]; ok {
		repo = did
	}
	uri := "at://" + repo + "/" + first(q["collection"]) + "/" + first(q["rkey"])
	rec, ok := f.records[uri]
	if !ok {
		return nil, &xrpcErr{400, "RecordNotFound"}
	}
	return map[string]any{"uri": rec.uri, "cid": rec.cid, "value": rec.raw}, nil
}

func first(v []string) string {
	if len(v) == 0 {
		return ""
	}
	return v[0]
}

// listRecords lists a collection, newest record key first.
func (f *fake) listRecords(q map[string][]string) (any, *xrpcErr) {
	prefix := "at://" + first(q["repo"]) + "/" + first(q["collection"]) + "/"
	var recs []*fakeRecord
	for _, rec := range f.records {
		if strings.HasPrefix(rec.uri, prefix) {
			recs = append(recs, rec)
		}
	}
	slices.SortFunc(recs, func(a, b *fakeRecord) int { return strings.Compare(b.uri, a.uri) })
	limit, _ := strconv.Atoi(first(q["limit"]))
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	var out []any
	for i, rec := range recs {
		if i == limit {
			break
		}
		out = append(out, map[string]any{"uri": rec.uri, "cid": rec.cid, "value": rec.raw})
	}
	return map[string]any{"records": nonNil(out)}, nil
}

// checkPost asserts the lexicon of app.bsky.feed.post.
func (f *fake) checkPostLocked(v map[string]any) *xrpcErr {
	text, _ := v["text"].(string)
	if v["$type"] != collPost {
		f.t.Errorf("post record $type %v, want %s", v["$type"], collPost)
	}
	if _, err := time.Parse(time.RFC3339, fmt.Sprint(v["createdAt"])); err != nil {
		f.t.Errorf("post createdAt %v is not a datetime", v["createdAt"])
	}
	if len(text) > 3000 || textcount.Graphemes(text) > 300 {
		return &xrpcErr{400, "InvalidRequest"}
	}
	facets, _ := v["facets"].([]any)
	prevEnd := 0
	for _, fc := range facets {
		m := fc.(map[string]any)
		idx := m["index"].(map[string]any)
		s, e := int(idx["byteStart"].(float64)), int(idx["byteEnd"].(float64))
		if s < prevEnd || e <= s || e > len(text) || !utf8.ValidString(text[s:e]) {
			f.t.Errorf("facet [%d,%d) is not a valid byte range of %q", s, e, text)
		}
		prevEnd = e
		for _, ft := range m["features"].([]any) {
			feat := ft.(map[string]any)
			switch feat["$type"] {
			case "app.bsky.richtext.facet#mention":
				if _, ok := f.accounts[fmt.Sprint(feat["did"])]; !ok {
					f.t.Errorf("mention facet of unknown DID %v", feat["did"])
				}
			case "app.bsky.richtext.facet#link", "app.bsky.richtext.facet#tag":
			default:
				f.t.Errorf("unknown facet feature %v", feat["$type"])
			}
		}
	}
	if reply, ok := v["reply"].(map[string]any); ok {
		for _, k := range []string{"root", "parent"} {
			ref, _ := reply[k].(map[string]any)
			rec, ok := f.records[fmt.Sprint(ref["uri"])]
			if !ok || rec.cid != ref["cid"] {
				f.t.Errorf("reply %s ref %v names no record with that CID", k, ref)
				return &xrpcErr{400, "InvalidRequest"}
			}
		}
	}
	if embed, ok := v["embed"].(map[string]any); ok {
		switch embed["$type"] {
		case "app.bsky.embed.images":
			imgs, _ := embed["images"].([]any)
			if len(imgs) == 0 || len(imgs) > 4 {
				f.t.Errorf("images embed with %d images", len(imgs))
			}
			for _, im := range imgs {
				img := im.(map[string]any)
				if _, ok := img["alt"].(string); !ok {
					f.t.Errorf("image without alt: %v", img)
				}
				blob, _ := img["image"].(map[string]any)
				ref, _ := blob["ref"].(map[string]any)
				if _, ok := f.blobs[fmt.Sprint(ref["$link"])]; !ok || blob["$type"] != "blob" {
					f.t.Errorf("image blob %v was not uploaded", blob)
				}
			}
		case "app.bsky.embed.external":
			ext, _ := embed["external"].(map[string]any)
			for _, k := range []string{"uri", "title", "description"} {
				if _, ok := ext[k].(string); !ok {
					f.t.Errorf("external embed lacks %s: %v", k, ext)
				}
			}
		default:
			f.t.Errorf("unknown embed %v", embed["$type"])
		}
	}
	return nil
}

func (f *fake) writeRecord(did string, put bool, in map[string]any) (any, *xrpcErr) {
	if in["repo"] != did {
		return nil, &xrpcErr{401, "AuthenticationRequired"}
	}
	coll, _ := in["collection"].(string)
	value, _ := in["record"].(map[string]any)
	rkey, _ := in["rkey"].(string)
	if put && rkey == "" {
		return nil, &xrpcErr{400, "InvalidRequest"}
	}
	if rkey == "" {
		rkey = f.tidLocked()
	}
	if (coll == collPost || coll == collThreadgate || coll == collLike) && !validTID(rkey) {
		return nil, &xrpcErr{400, "InvalidRequest"}
	}
	uri := "at://" + did + "/" + coll + "/" + rkey
	cur, exists := f.records[uri]
	swap, hasSwap := in["swapRecord"]
	switch {
	case put && hasSwap && swap == nil && exists:
		return nil, &xrpcErr{400, "InvalidSwap"}
	case put && hasSwap && swap != nil && (!exists || cur.cid != swap):
		return nil, &xrpcErr{400, "InvalidSwap"}
	case !put && exists:
		// The reference PDS fails inside its MST: a 500.
		return nil, &xrpcErr{500, "InternalServerError"}
	}
	switch coll {
	case collPost:
		if xe := f.checkPostLocked(value); xe != nil {
			return nil, xe
		}
	case collLike:
		subj, _ := value["subject"].(map[string]any)
		if _, ok := f.records[fmt.Sprint(subj["uri"])]; !ok || subj["cid"] == "" {
			f.t.Errorf("like of unknown subject %v", subj)
		}
		// Like the reference PDS: a new like replaces the repo's older
		// likes of the same subject.
		for u, rec := range f.records {
			if strings.HasPrefix(u, "at://"+did+"/"+collLike+"/") && fmt.Sprint(rec.value["subject"].(map[string]any)["uri"]) == fmt.Sprint(subj["uri"]) {
				delete(f.records, u)
			}
		}
	case collThreadgate:
		if _, ok := f.records["at://"+did+"/"+collPost+"/"+rkey]; !ok || value["post"] != "at://"+did+"/"+collPost+"/"+rkey {
			f.t.Errorf("threadgate %s does not match its root post: %v", rkey, value)
		}
		if allow, ok := value["allow"]; ok && allow == nil {
			f.t.Errorf("threadgate with a null allow")
		}
	}
	raw, _ := json.Marshal(value)
	rec := &fakeRecord{uri: uri, cid: fakeCID(raw), value: value, raw: raw, indexedAt: f.nowLocked()}
	f.records[uri] = rec
	if coll == collPost {
		f.notifyLocked(did, rec)
	}
	return map[string]any{"uri": uri, "cid": rec.cid, "commit": map[string]string{"cid": fakeCID([]byte(uri)), "rev": f.tidLocked()}, "validationStatus": "valid"}, nil
}

func (f *fake) notifyLocked(author string, rec *fakeRecord) {
	if reply, ok := rec.value["reply"].(map[string]any); ok {
		parent := fmt.Sprint(reply["parent"].(map[string]any)["uri"])
		if u, ok := parseATURI(parent); ok && u.Repo != author {
			f.notifs = append(f.notifs, fakeNotif{to: u.Repo, uri: rec.uri, reason: "reply", subject: parent, at: rec.indexedAt})
		}
	}
	facets, _ := rec.value["facets"].([]any)
	for _, fc := range facets {
		for _, ft := range fc.(map[string]any)["features"].([]any) {
			feat := ft.(map[string]any)
			if feat["$type"] == "app.bsky.richtext.facet#mention" && feat["did"] != author {
				f.notifs = append(f.notifs, fakeNotif{to: fmt.Sprint(feat["did"]), uri: rec.uri, reason: "mention", at: rec.indexedAt})
			}
		}
	}
}

func (f *fake) deleteRecord(did string, in map[string]any) (any, *xrpcErr) {
	if in["repo"] != did {
		return nil, &xrpcErr{401, "AuthenticationRequired"}
	}
	uri := "at://" + did + "/" + fmt.Sprint(in["collection"]) + "/" + fmt.Sprint(in["rkey"])
	rec, ok := f.records[uri]
	if swap, has := in["swapRecord"]; has && swap != nil && (!ok || rec.cid != swap) {
		return nil, &xrpcErr{400, "InvalidSwap"}
	}
	delete(f.records, uri)
	return map[string]any{}, nil
}

func (f *fake) postViewLocked(viewer string, rec *fakeRecord) map[string]any {
	u, _ := parseATURI(rec.uri)
	a := f.accounts[u.Repo]
	likes, replies, viewerLike := 0, 0, ""
	for _, other := range f.records {
		if subj, ok := other.value["subject"].(map[string]any); ok && subj["uri"] == rec.uri {
			likes++
			if strings.HasPrefix(other.uri, "at://"+viewer+"/") {
				viewerLike = other.uri
			}
		}
		if reply, ok := other.value["reply"].(map[string]any); ok && reply["parent"].(map[string]any)["uri"] == rec.uri {
			replies++
		}
	}
	pv := map[string]any{
		"uri": rec.uri, "cid": rec.cid, "record": rec.raw, "indexedAt": rec.indexedAt.Format(time.RFC3339Nano),
		"author":    map[string]any{"did": a.did, "handle": a.handle, "displayName": strings.ToUpper(a.handle[:1]) + a.handle[1:], "createdAt": "2024-05-01T10:00:00.000Z"},
		"likeCount": likes, "replyCount": replies, "repostCount": 0, "quoteCount": 0, "bookmarkCount": 0,
		"viewer": map[string]any{"threadMuted": false},
		"labels": []any{},
	}
	if viewerLike != "" {
		pv["viewer"].(map[string]any)["like"] = viewerLike
	}
	if _, isReply := rec.value["reply"]; !isReply {
		if gate, ok := f.records["at://"+u.Repo+"/"+collThreadgate+"/"+u.RKey]; ok {
			pv["threadgate"] = map[string]any{"uri": gate.uri, "cid": gate.cid, "record": gate.raw, "lists": []any{}}
		}
	}
	return pv
}

func (f *fake) getPostThread(viewer string, q map[string][]string) (any, *xrpcErr) {
	rec, ok := f.records[first(q["uri"])]
	if !ok || !strings.Contains(rec.uri, "/"+collPost+"/") {
		return nil, &xrpcErr{400, "NotFound"}
	}
	var build func(r *fakeRecord) map[string]any
	build = func(r *fakeRecord) map[string]any {
		var children []*fakeRecord
		for _, other := range f.records {
			if reply, ok := other.value["reply"].(map[string]any); ok && reply["parent"].(map[string]any)["uri"] == r.uri {
				children = append(children, other)
			}
		}
		// The AppView ranks replies; the driver must not rely on it.
		slices.SortFunc(children, func(a, b *fakeRecord) int { return strings.Compare(b.cid, a.cid) })
		var replies []any
		for _, c := range children {
			replies = append(replies, build(c))
		}
		return map[string]any{"$type": "app.bsky.feed.defs#threadViewPost", "post": f.postViewLocked(viewer, r), "replies": nonNil(replies)}
	}
	return map[string]any{"thread": build(rec)}, nil
}

// listNotifications pages the viewer's notifications newest first.
func (f *fake) listNotifications(viewer string, q map[string][]string) (any, *xrpcErr) {
	var mine []fakeNotif
	for i := len(f.notifs) - 1; i >= 0; i-- {
		n := f.notifs[i]
		if n.to != viewer {
			continue
		}
		if reasons := q["reasons"]; len(reasons) > 0 && !slices.Contains(reasons, n.reason) {
			continue
		}
		if _, ok := f.records[n.uri]; !ok {
			continue
		}
		mine = append(mine, n)
	}
	start := 0
	if c := first(q["cursor"]); c != "" {
		start, _ = strconv.Atoi(c)
	}
	limit, _ := strconv.Atoi(first(q["limit"]))
	if limit <= 0 || limit > 100 {
		limit = 50
	}
	var out []any
	end := min(start+limit, len(mine))
	for _, n := range mine[min(start, len(mine)):end] {
		rec := f.records[n.uri]
		u, _ := parseATURI(n.uri)
		a := f.accounts[u.Repo]
		item := map[string]any{"uri": n.uri, "cid": rec.cid, "reason": n.reason, "record": rec.raw, "isRead": false,
			"indexedAt": n.at.Format(time.RFC3339Nano), "labels": []any{},
			"author": map[string]any{"did": a.did, "handle": a.handle}}
		if n.subject != "" {
			item["reasonSubject"] = n.subject
		}
		out = append(out, item)
	}
	resp := map[string]any{"notifications": nonNil(out)}
	if end < len(mine) {
		resp["cursor"] = strconv.Itoa(end)
	}
	return resp, nil
}

// post writes a post as did directly (another user acting), replying to
// parent when set, with a mention facet when mention (a handle) is set.
func (f *fake) post(did, text, parent, mention string) (string, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	v := map[string]any{"$type": collPost, "text": text, "createdAt": formatTime(f.nowLocked())}
	if parent != "" {
		p, ok := f.records[parent]
		if !ok {
			return "", fmt.Errorf("no post %s", parent)
		}
		root := map[string]any{"uri": p.uri, "cid": p.cid}
		if r, ok := p.value["reply"].(map[string]any); ok {
			root = r["root"].(map[string]any)
		}
		v["reply"] = map[string]any{"root": root, "parent": map[string]any{"uri": p.uri, "cid": p.cid}}
	}
	if mention != "" {
		at := "@" + mention
		text = at + " " + text
		v["text"] = text
		v["facets"] = []any{map[string]any{"index": map[string]any{"byteStart": 0.0, "byteEnd": float64(len(at))},
			"features": []any{map[string]any{"$type": "app.bsky.richtext.facet#mention", "did": f.handles[mention]}}}}
	}
	raw, _ := json.Marshal(v)
	var value map[string]any
	_ = json.Unmarshal(raw, &value)
	out, xe := f.writeRecord(did, false, map[string]any{"repo": did, "collection": collPost, "record": value})
	if xe != nil {
		return "", fmt.Errorf("fake post: %s", xe.name)
	}
	return out.(map[string]any)["uri"].(string), nil
}

// pixelPNG is a 1×1 PNG.
var pixelPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
	0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
	0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
	0x44, 0xae, 0x42, 0x60, 0x82,
}

func jsonB64(s string) string { return base64.RawURLEncoding.EncodeToString([]byte(s)) }
