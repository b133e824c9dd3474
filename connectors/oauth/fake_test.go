package oauth_test

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"testing"

	"golang.org/x/oauth2"
)

// fakeAuth is an OAuth 2.0 authorization server: /authorize issues codes
// bound to the PKCE challenge it received, /token exchanges them (checking
// code_verifier against the challenge, S256) and refreshes tokens, rotating
// refresh tokens: each is valid once.
type fakeAuth struct {
	t   *testing.T
	srv *httptest.Server

	mu         sync.Mutex
	codes      map[string]string // code → S256 challenge
	refresh    map[string]bool   // refresh tokens still valid
	n          int
	tokenHits  int
	revoked    bool // every refresh answers invalid_grant
	expiresIn  int
	block      chan struct{} // when set, refreshes signal arrived, then wait on it
	arrived    chan struct{}
	challenges []string
}

func newFakeAuth(t *testing.T) *fakeAuth {
	f := &fakeAuth{t: t, codes: map[string]string{}, refresh: map[string]bool{}, expiresIn: 3600}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /authorize", f.authorize)
	mux.HandleFunc("POST /token", f.token)
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

func (f *fakeAuth) config() *oauth2.Config {
	return &oauth2.Config{
		ClientID:     "client-1",
		ClientSecret: "client-secret-1",
		RedirectURL:  "https://app.example.test/callback",
		Scopes:       []string{"tweet.write", "offline.access"},
		Endpoint: oauth2.Endpoint{
			AuthURL:   f.srv.URL + "/authorize",
			TokenURL:  f.srv.URL + "/token",
			AuthStyle: oauth2.AuthStyleInParams,
		},
	}
}

// issue mints a refresh token valid once. f.mu must be held.
func (f *fakeAuth) issue() (access, refresh string) {
	f.n++
	access, refresh = fmt.Sprintf("at-%d", f.n), fmt.Sprintf("rt-%d", f.n)
	f.refresh[refresh] = true
	return access, refresh
}

// seed returns a refresh token the server accepts once.
func (f *fakeAuth) seed() (access, refresh string) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.issue()
}

func (f *fakeAuth) hits() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.tokenHits
}

func (f *fakeAuth) authorize(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	if q.Get("response_type") != "code" || q.Get("client_id") != "client-1" || q.Get("code_challenge_method") != "S256" || q.Get("code_challenge") == "" || q.Get("state") == "" {
		http.Error(w, "bad authorize request: "+r.URL.RawQuery, http.StatusBadRequest)
		return
	}
	f.mu.Lock()
	f.n++
	code := fmt.Sprintf("code-%d", f.n)
	f.codes[code] = q.Get("code_challenge")
	f.challenges = append(f.challenges, q.Get("code_challenge"))
	f.mu.Unlock()
	back, _ := url.Parse(q.Get("redirect_uri"))
	back.RawQuery = url.Values{"code": {code}, "state": {q.Get("state")}}.Encode()
	http.Redirect(w, r, back.String(), http.StatusFound)
}

func oauthError(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(map[string]string{"error": code, "error_description": desc})
}

func (f *fakeAuth) token(w http.ResponseWriter, r *http.Request) {
	if err := r.ParseForm(); err != nil {
		oauthError(w, 400, "invalid_request", err.Error())
		return
	}
	f.mu.Lock()
	f.tokenHits++
	block := f.block
	f.mu.Unlock()
	if r.PostForm.Get("client_id") != "client-1" || r.PostForm.Get("client_secret") != "client-secret-1" {
		oauthError(w, 401, "invalid_client", "unknown client")
		return
	}
	var access, refresh string
	switch r.PostForm.Get("grant_type") {
	case "authorization_code":
		f.mu.Lock()
		challenge, ok := f.codes[r.PostForm.Get("code")]
		delete(f.codes, r.PostForm.Get("code"))
		f.mu.Unlock()
		sum := sha256.Sum256([]byte(r.PostForm.Get("code_verifier")))
		switch {
		case !ok:
			oauthError(w, 400, "invalid_grant", "unknown or used code")
			return
		case base64.RawURLEncoding.EncodeToString(sum[:]) != challenge:
			oauthError(w, 400, "invalid_grant", "code_verifier does not match the code_challenge")
			return
		case r.PostForm.Get("redirect_uri") != "https://app.example.test/callback":
			oauthError(w, 400, "invalid_grant", "redirect_uri mismatch")
			return
		}
		f.mu.Lock()
		access, refresh = f.issue()
		f.mu.Unlock()
	case "refresh_token":
		if block != nil {
			f.arrived <- struct{}{}
			<-block
		}
		f.mu.Lock()
		rt := r.PostForm.Get("refresh_token")
		valid := f.refresh[rt] && !f.revoked
		delete(f.refresh, rt)
		if valid {
			access, refresh = f.issue()
		}
		f.mu.Unlock()
		if !valid {
			oauthError(w, 400, "invalid_grant", "The refresh token is invalid or was already used.")
			return
		}
	default:
		oauthError(w, 400, "unsupported_grant_type", "")
		return
	}
	w.Header().Set("Content-Type", "application/json")
	json.NewEncoder(w).Encode(map[string]any{
		"access_token": access, "refresh_token": refresh, "token_type": "bearer", "expires_in": f.expiresIn,
	})
}
