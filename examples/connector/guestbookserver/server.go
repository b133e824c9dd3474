// Package guestbookserver is the "network" of the connector example: a
// tiny guestbook with a JSON HTTP API, as a third party would document it.
// It runs in memory (under httptest) and can inject failures, so the
// connector can be tested without the internet.
//
// The API, authenticated with "Authorization: Bearer <token>":
//
//	GET    /api/me                          {"id","handle"}
//	POST   /api/entries        {"text"}     201 {"id","text","created_at"}
//	DELETE /api/entries/{id}                204, or 404
//	GET    /api/entries/{id}/comments?after=<seq>&limit=<n>
//	                                        {"comments":[{"id","seq","author","text","created_at"}],"has_more"}
//	POST   /api/entries/{id}/comments {"author","text"}  201 {"id","seq",...}
//
// Errors are {"error": "message"} with the HTTP status; a 429 carries
// Retry-After in seconds.
package guestbookserver

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// Entry is a guestbook entry.
type Entry struct {
	ID        string    `json:"id"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// Comment is a comment under an entry.
type Comment struct {
	ID        string    `json:"id"`
	Seq       int       `json:"seq"`
	Author    string    `json:"author"`
	Text      string    `json:"text"`
	CreatedAt time.Time `json:"created_at"`
}

// Server is an in-memory guestbook. Its zero value is not usable; call New.
type Server struct {
	token string
	now   func() time.Time

	mu       sync.Mutex
	seq      int
	entries  map[string]*Entry
	comments map[string][]Comment

	failMu     sync.Mutex
	failStatus int
	failN      int

	requests atomic.Int64
}

// New returns a guestbook that accepts token.
func New(token string) *Server {
	return &Server{token: token, now: time.Now, entries: map[string]*Entry{}, comments: map[string][]Comment{}}
}

// FailNext makes the next n requests fail with status (429 comes with
// Retry-After: 2).
func (s *Server) FailNext(status, n int) {
	s.failMu.Lock()
	defer s.failMu.Unlock()
	s.failStatus, s.failN = status, n
}

// Requests returns how many requests the server received.
func (s *Server) Requests() int64 { return s.requests.Load() }

// AddComment adds a comment by another user, as if posted on the website.
func (s *Server) AddComment(entryID, author, text string) (Comment, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addComment(entryID, author, text)
}

func (s *Server) addComment(entryID, author, text string) (Comment, bool) {
	if _, ok := s.entries[entryID]; !ok {
		return Comment{}, false
	}
	s.seq++
	c := Comment{ID: "c" + strconv.Itoa(s.seq), Seq: s.seq, Author: author, Text: text, CreatedAt: s.now().UTC()}
	s.comments[entryID] = append(s.comments[entryID], c)
	return c, true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func fail(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// ServeHTTP implements the API.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.requests.Add(1)
	s.failMu.Lock()
	status := 0
	if s.failN > 0 {
		s.failN--
		status = s.failStatus
	}
	s.failMu.Unlock()
	if status != 0 {
		if status == http.StatusTooManyRequests {
			w.Header().Set("Retry-After", "2")
		}
		fail(w, status, http.StatusText(status))
		return
	}
	if r.Header.Get("Authorization") != "Bearer "+s.token {
		fail(w, http.StatusUnauthorized, "invalid or expired token")
		return
	}
	path := strings.Trim(r.URL.Path, "/")
	parts := strings.Split(path, "/")
	switch {
	case path == "api/me" && r.Method == http.MethodGet:
		writeJSON(w, http.StatusOK, map[string]string{"id": "1", "handle": "brand"})
	case path == "api/entries" && r.Method == http.MethodPost:
		s.createEntry(w, r)
	case len(parts) == 3 && parts[1] == "entries" && r.Method == http.MethodDelete:
		s.mu.Lock()
		_, ok := s.entries[parts[2]]
		delete(s.entries, parts[2])
		s.mu.Unlock()
		if !ok {
			fail(w, http.StatusNotFound, "no such entry")
			return
		}
		w.WriteHeader(http.StatusNoContent)
	case len(parts) == 4 && parts[1] == "entries" && parts[3] == "comments" && r.Method == http.MethodGet:
		s.listComments(w, r, parts[2])
	case len(parts) == 4 && parts[1] == "entries" && parts[3] == "comments" && r.Method == http.MethodPost:
		var in struct{ Author, Text string }
		if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil || in.Text == "" {
			fail(w, http.StatusBadRequest, "text is required")
			return
		}
		c, ok := s.AddComment(parts[2], in.Author, in.Text)
		if !ok {
			fail(w, http.StatusNotFound, "no such entry")
			return
		}
		writeJSON(w, http.StatusCreated, c)
	default:
		fail(w, http.StatusNotFound, "no such endpoint")
	}
}

func (s *Server) createEntry(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Text string `json:"text"`
	}
	if err := json.NewDecoder(http.MaxBytesReader(w, r.Body, 1<<16)).Decode(&in); err != nil || in.Text == "" {
		fail(w, http.StatusBadRequest, "text is required")
		return
	}
	if len([]rune(in.Text)) > 500 {
		fail(w, http.StatusUnprocessableEntity, "text is longer than 500 characters")
		return
	}
	s.mu.Lock()
	s.seq++
	e := &Entry{ID: "e" + strconv.Itoa(s.seq), Text: in.Text, CreatedAt: s.now().UTC()}
	s.entries[e.ID] = e
	s.mu.Unlock()
	writeJSON(w, http.StatusCreated, e)
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request, entryID string) {
	q := r.URL.Query()
	after, limit := 0, 20
	if v := q.Get("after"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 0 {
			fail(w, http.StatusBadRequest, "after must be a comment seq")
			return
		}
		after = n
	}
	if v := q.Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > 100 {
			fail(w, http.StatusBadRequest, "limit must be 1 to 100")
			return
		}
		limit = n
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.entries[entryID]; !ok {
		fail(w, http.StatusNotFound, "no such entry")
		return
	}
	out := struct {
		Comments []Comment `json:"comments"`
		HasMore  bool      `json:"has_more"`
	}{Comments: []Comment{}}
	for _, c := range s.comments[entryID] {
		if c.Seq <= after {
			continue
		}
		if len(out.Comments) == limit {
			out.HasMore = true
			break
		}
		out.Comments = append(out.Comments, c)
	}
	writeJSON(w, http.StatusOK, out)
}
