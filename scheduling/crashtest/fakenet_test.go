package crashtest

import (
	"encoding/json"
	"math/rand/v2"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"
)

// fakeNet is the fake social network the crash test publishes to, served
// over HTTP by the parent test process so it outlives every killed child.
// It records every call. Accounts whose name ends in an even digit honour
// an Idempotency-Key header as Mastodon does (the same key returns the same
// post); the others ignore keys, as most networks do, and the driver
// reconciles through the search endpoint instead (driver.PostFinder).
//
//	GET  /accounts/{acct}                  {"handle","idempotent"}
//	POST /accounts/{acct}/statuses         {"text"} + Idempotency-Key -> {"id","url","created_at"}
//	GET  /accounts/{acct}/statuses?text=T  [{"id","url","created_at"}] (the last 200 posts with text T)
//
// Responses are delayed by a few random milliseconds, after the post is
// created, so a SIGKILL often lands between the creation and the reply.
type fakeNet struct {
	maxDelay time.Duration

	mu      sync.Mutex
	rng     *rand.Rand
	calls   []fakeCall
	posts   []fakePost
	byKey   map[string]int // account+"\x00"+key -> index in posts, idempotent accounts only
	publish int            // POST calls, for the parent to see progress
	lost    int            // replies to POSTs that the client had gone before
	changed chan struct{}  // closed and replaced on every POST
}

type fakeCall struct {
	Method, Account, Key, Body string
}

type fakePost struct {
	ID, Account, Key, Text string
	Created                time.Time
}

func newFakeNet(seed uint64, maxDelay time.Duration) *fakeNet {
	return &fakeNet{
		maxDelay: maxDelay,
		rng:      rand.New(rand.NewPCG(seed, seed^0x5eed)),
		byKey:    make(map[string]int),
		changed:  make(chan struct{}),
	}
}

// idempotentAccount reports whether acct honours Idempotency-Key.
func idempotentAccount(acct string) bool {
	if acct == "" {
		return false
	}
	d := acct[len(acct)-1]
	return d >= '0' && d <= '9' && (d-'0')%2 == 0
}

type postJSON struct {
	ID        string    `json:"id"`
	URL       string    `json:"url"`
	CreatedAt time.Time `json:"created_at"`
}

func (f *fakeNet) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	parts := strings.Split(strings.Trim(r.URL.Path, "/"), "/")
	if len(parts) < 2 || parts[0] != "accounts" || parts[1] == "" {
		http.NotFound(w, r)
		return
	}
	acct := parts[1]
	switch {
	case len(parts) == 2 && r.Method == http.MethodGet:
		f.record(fakeCall{Method: "DESCRIBE", Account: acct})
		writeJSON(w, http.StatusOK, map[string]any{"handle": acct, "idempotent": idempotentAccount(acct)})
	case len(parts) == 3 && parts[2] == "statuses" && r.Method == http.MethodPost:
		f.create(w, r, acct)
	case len(parts) == 3 && parts[2] == "statuses" && r.Method == http.MethodGet:
		f.search(w, r, acct)
	default:
		http.NotFound(w, r)
	}
}

func (f *fakeNet) create(w http.ResponseWriter, r *http.Request, acct string) {
	var body struct {
		Text string `json:"text"`
	}
	raw := make([]byte, 0, 256)
	buf := make([]byte, 512)
	for {
		n, err := r.Body.Read(buf)
		raw = append(raw, buf[:n]...)
		if err != nil || len(raw) > 64<<10 {
			break
		}
	}
	if err := json.Unmarshal(raw, &body); err != nil || body.Text == "" {
		writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"error": "text is required"})
		return
	}
	key := r.Header.Get("Idempotency-Key")

	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Method: "POST", Account: acct, Key: key, Body: string(raw)})
	f.publish++
	close(f.changed)
	f.changed = make(chan struct{})
	var p fakePost
	idx, seen := -1, false
	if idempotentAccount(acct) && key != "" {
		idx, seen = f.byKey[acct+"\x00"+key]
	}
	if seen {
		p = f.posts[idx]
	} else {
		p = fakePost{ID: acct + "-" + strconv.Itoa(len(f.posts)+1), Account: acct, Key: key, Text: body.Text, Created: time.Now().UTC()}
		f.posts = append(f.posts, p)
		if idempotentAccount(acct) && key != "" {
			f.byKey[acct+"\x00"+key] = len(f.posts) - 1
		}
	}
	delay := f.delayLocked()
	f.mu.Unlock()

	// The post exists now; the reply is late, so a kill often lands here.
	time.Sleep(delay)
	if r.Context().Err() != nil {
		f.mu.Lock()
		f.lost++
		f.mu.Unlock()
		return
	}
	writeJSON(w, http.StatusOK, postJSON{ID: p.ID, URL: "https://fake.example/" + p.ID, CreatedAt: p.Created})
}

func (f *fakeNet) search(w http.ResponseWriter, r *http.Request, acct string) {
	text := r.URL.Query().Get("text")
	f.mu.Lock()
	f.calls = append(f.calls, fakeCall{Method: "SEARCH", Account: acct, Body: text})
	var found []postJSON
	seen := 0
	for i := len(f.posts) - 1; i >= 0 && seen < 200; i-- {
		p := f.posts[i]
		if p.Account != acct {
			continue
		}
		seen++
		if p.Text == text {
			found = append(found, postJSON{ID: p.ID, URL: "https://fake.example/" + p.ID, CreatedAt: p.Created})
		}
	}
	delay := f.delayLocked()
	f.mu.Unlock()
	time.Sleep(delay)
	writeJSON(w, http.StatusOK, found)
}

func (f *fakeNet) record(c fakeCall) {
	f.mu.Lock()
	f.calls = append(f.calls, c)
	f.mu.Unlock()
}

func (f *fakeNet) delayLocked() time.Duration {
	if f.maxDelay <= 0 {
		return 0
	}
	return time.Duration(f.rng.Int64N(int64(f.maxDelay)))
}

// progress returns the number of publish calls so far and a channel closed
// at the next one.
func (f *fakeNet) progress() (int, <-chan struct{}) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.publish, f.changed
}

// snapshot copies the recorded calls and posts, and counts the publish
// replies the client did not wait for (it was killed).
func (f *fakeNet) snapshot() ([]fakeCall, []fakePost, int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]fakeCall(nil), f.calls...), append([]fakePost(nil), f.posts...), f.lost
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
