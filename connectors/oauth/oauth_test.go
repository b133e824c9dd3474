package oauth_test

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/oauth"
	"github.com/cmkit/cmkit/connectors/transport"
)

// authorize follows the authorization URL like a browser whose user
// consents, and returns the callback's query.
func authorize(t *testing.T, authURL string) url.Values {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	resp, err := c.Get(authURL)
	require.NoError(t, err)
	resp.Body.Close()
	require.Equal(t, http.StatusFound, resp.StatusCode)
	loc, err := url.Parse(resp.Header.Get("Location"))
	require.NoError(t, err)
	require.Equal(t, "/callback", loc.Path)
	return loc.Query()
}

func TestAuthCodeFlowWithPKCE(t *testing.T) {
	f := newFakeAuth(t)
	cfg := &oauth.Config{OAuth2: f.config(), Network: "x"}

	t.Run("success", func(t *testing.T) {
		u, flow, err := cfg.AuthCodeURL(oauth2.AccessTypeOffline)
		require.NoError(t, err)
		q, _ := url.Parse(u)
		require.Equal(t, "S256", q.Query().Get("code_challenge_method"))
		require.Equal(t, oauth2.S256ChallengeFromVerifier(flow.Verifier), q.Query().Get("code_challenge"))
		require.Equal(t, flow.State, q.Query().Get("state"))
		require.Equal(t, "offline", q.Query().Get("access_type"))
		require.Len(t, flow.State, 43, "256 bits, base64url")

		// The flow survives a round trip through a session.
		b, err := json.Marshal(flow)
		require.NoError(t, err)
		var restored oauth.Flow
		require.NoError(t, json.Unmarshal(b, &restored))

		tok, err := cfg.Exchange(context.Background(), &restored, authorize(t, u))
		require.NoError(t, err)
		require.NotEmpty(t, tok.AccessToken)
		require.NotEmpty(t, tok.RefreshToken)
	})

	t.Run("states differ", func(t *testing.T) {
		_, a, err := cfg.AuthCodeURL()
		require.NoError(t, err)
		_, b, err := cfg.AuthCodeURL()
		require.NoError(t, err)
		require.NotEqual(t, a.State, b.State)
		require.NotEqual(t, a.Verifier, b.Verifier)
	})

	tests := []struct {
		name     string
		tamper   func(flow *oauth.Flow, q url.Values)
		cfg      *oauth.Config
		is       []error
		code     driver.ErrorCode
		noTokens bool // the token endpoint must not be called
	}{
		{"wrong verifier", func(f *oauth.Flow, _ url.Values) { f.Verifier = oauth2.GenerateVerifier() }, cfg, nil, driver.Unauthenticated, false},
		{"state mismatch", func(_ *oauth.Flow, q url.Values) { q.Set("state", "forged") }, cfg, []error{oauth.ErrStateMismatch}, driver.PermissionDenied, true},
		{"state missing", func(_ *oauth.Flow, q url.Values) { q.Del("state") }, cfg, []error{oauth.ErrStateMismatch}, driver.PermissionDenied, true},
		{"user declined", func(_ *oauth.Flow, q url.Values) {
			q.Del("code")
			q.Set("error", "access_denied")
			q.Set("error_description", "The user denied the request")
		}, cfg, []error{oauth.ErrAccessDenied}, driver.PermissionDenied, true},
		{"no code", func(_ *oauth.Flow, q url.Values) { q.Del("code") }, cfg, nil, driver.InvalidContent, true},
		{"expired flow", func(*oauth.Flow, url.Values) {}, &oauth.Config{OAuth2: f.config(), Now: func() time.Time { return time.Now().Add(time.Hour) }}, []error{oauth.ErrFlowExpired}, driver.PermissionDenied, true},
		{"code used twice", nil, cfg, nil, driver.Unauthenticated, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			u, flow, err := cfg.AuthCodeURL()
			require.NoError(t, err)
			q := authorize(t, u)
			if tt.tamper == nil {
				_, err := cfg.Exchange(context.Background(), flow, q)
				require.NoError(t, err)
			} else {
				tt.tamper(flow, q)
			}
			before := f.hits()
			tok, err := tt.cfg.Exchange(context.Background(), flow, q)
			require.Nil(t, tok)
			require.Equal(t, tt.code, driver.CodeOf(err), "%v", err)
			require.ErrorIs(t, err, tt.code.Sentinel())
			for _, target := range tt.is {
				require.ErrorIs(t, err, target)
			}
			if tt.noTokens {
				require.Equal(t, before, f.hits())
			}
		})
	}
}

// eventStore is a TokenStore that records the order of loads and saves.
type eventStore struct {
	oauth.MemoryTokenStore
	mu      sync.Mutex
	events  []string
	failing atomic.Bool
	saved   chan *oauth2.Token
}

func (s *eventStore) log(e string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.events = append(s.events, e)
}

func (s *eventStore) Events() []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]string(nil), s.events...)
}

func (s *eventStore) LoadToken(ctx context.Context, key string) (*oauth2.Token, error) {
	s.log("load")
	return s.MemoryTokenStore.LoadToken(ctx, key)
}

func (s *eventStore) SaveToken(ctx context.Context, key string, tok *oauth2.Token) error {
	if s.failing.Load() {
		s.log("save failed")
		return errors.New("disk full")
	}
	s.log("save " + tok.AccessToken + "/" + tok.RefreshToken)
	err := s.MemoryTokenStore.SaveToken(ctx, key, tok)
	if s.saved != nil {
		s.saved <- tok
	}
	return err
}

// seedExpired stores an expired token whose refresh token the fake accepts
// once.
func seedExpired(t *testing.T, f *fakeAuth, store driver.TokenStore) {
	t.Helper()
	at, rt := f.seed()
	require.NoError(t, store.SaveToken(context.Background(), "acme/x", &oauth2.Token{AccessToken: at, RefreshToken: rt, TokenType: "bearer", Expiry: time.Now().Add(-time.Minute)}))
}

// TestRefreshedTokenSavedBeforeUse is the acceptance test of token
// rotation: the API server, while handling the call, finds the new token
// already in the store.
func TestRefreshedTokenSavedBeforeUse(t *testing.T) {
	f := newFakeAuth(t)
	store := &eventStore{}
	seedExpired(t, f, store) // at-1 / rt-1, expired
	store.events = nil

	var apiCalls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		apiCalls.Add(1)
		store.log("api " + r.Header.Get("Authorization"))
		stored, err := store.MemoryTokenStore.LoadToken(r.Context(), "acme/x")
		if err != nil || "Bearer "+stored.AccessToken != r.Header.Get("Authorization") || stored.RefreshToken != "rt-2" {
			http.Error(w, `{"error":"the token in use was not saved first"}`, http.StatusTeapot)
			return
		}
		w.Write([]byte(`{"data":{"id":"42"}}`))
	}))
	defer api.Close()

	ts := oauth.NewTokenSource(f.config(), store, "acme/x", &oauth.TokenSourceOptions{Network: "x"})
	c, err := transport.New("x", &transport.Options{BaseURL: api.URL, Tokens: ts})
	require.NoError(t, err)
	var out struct{ Data struct{ ID string } }
	require.NoError(t, c.PostJSON(context.Background(), "tweets:post", "/2/tweets", map[string]string{"text": "hi"}, &out))
	require.Equal(t, "42", out.Data.ID)

	require.Equal(t, []string{"load", "save at-2/rt-2", "api Bearer at-2"}, store.Events())
	saved, err := store.MemoryTokenStore.LoadToken(context.Background(), "acme/x")
	require.NoError(t, err)
	require.Equal(t, "rt-2", saved.RefreshToken, "the rotated refresh token is kept")
	require.Equal(t, 1, f.hits())

	// The next call reuses the token: no refresh, no store access.
	require.NoError(t, c.PostJSON(context.Background(), "tweets:post", "/2/tweets", map[string]string{"text": "again"}, nil))
	require.Equal(t, 1, f.hits())
	require.EqualValues(t, 2, apiCalls.Load())
}

// TestRevokedTokenUnauthenticated: a revoked refresh token yields
// ErrUnauthenticated, without retry, and the API is never called.
func TestRevokedTokenUnauthenticated(t *testing.T) {
	f := newFakeAuth(t)
	f.revoked = true
	store := &oauth.MemoryTokenStore{}
	seedExpired(t, f, store)
	var apiCalls atomic.Int32
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { apiCalls.Add(1) }))
	defer api.Close()

	ts := oauth.NewTokenSource(f.config(), store, "acme/x", &oauth.TokenSourceOptions{Network: "x"})
	_, err := ts.Token()
	require.ErrorIs(t, err, driver.ErrUnauthenticated)
	require.Contains(t, err.Error(), "reconnect the account")
	require.Contains(t, err.Error(), "invalid_grant")
	require.Equal(t, 1, f.hits())

	c, err := transport.New("x", &transport.Options{BaseURL: api.URL, Tokens: ts})
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &transport.Request{Method: "POST", Path: "/2/tweets"})
	require.ErrorIs(t, err, driver.ErrUnauthenticated)
	require.False(t, driver.CodeOf(err).Retryable())
	require.Equal(t, 1, f.hits(), "a refused refresh token is not sent again")
	require.Zero(t, apiCalls.Load())

	t.Run("through transport only", func(t *testing.T) {
		f := newFakeAuth(t)
		f.revoked = true
		store := &oauth.MemoryTokenStore{}
		seedExpired(t, f, store)
		ts := oauth.NewTokenSource(f.config(), store, "acme/x", nil)
		c, err := transport.New("x", &transport.Options{BaseURL: api.URL, Tokens: ts})
		require.NoError(t, err)
		_, err = c.Do(context.Background(), &transport.Request{Path: "/2/users/me"})
		require.ErrorIs(t, err, driver.ErrUnauthenticated)
		require.Equal(t, 1, f.hits())
		require.Zero(t, apiCalls.Load())
	})
}

func TestConcurrentCallersShareOneRefresh(t *testing.T) {
	f := newFakeAuth(t)
	store := &oauth.MemoryTokenStore{}
	seedExpired(t, f, store)
	ts := oauth.NewTokenSource(f.config(), store, "acme/x", nil)
	var wg sync.WaitGroup
	toks := make(chan string, 20)
	for range 20 {
		wg.Go(func() {
			tok, err := ts.TokenContext(context.Background())
			if err != nil {
				toks <- "error: " + err.Error()
				return
			}
			toks <- tok.AccessToken
		})
	}
	wg.Wait()
	close(toks)
	for tok := range toks {
		require.Equal(t, "at-2", tok)
	}
	require.Equal(t, 1, f.hits())
}

func TestUnsavedTokenNotUsed(t *testing.T) {
	f := newFakeAuth(t)
	store := &eventStore{}
	seedExpired(t, f, store)
	store.events = nil
	ts := oauth.NewTokenSource(f.config(), store, "acme/x", nil)

	store.failing.Store(true)
	tok, err := ts.Token()
	require.Nil(t, tok)
	require.Error(t, err)
	require.Contains(t, err.Error(), "disk full")

	store.failing.Store(false)
	tok, err = ts.Token()
	require.NoError(t, err)
	require.Equal(t, "at-2", tok.AccessToken)
	require.Equal(t, 1, f.hits(), "the pending token is saved, not refreshed again")
	require.Equal(t, []string{"load", "save failed", "save at-2/rt-2"}, store.Events())
}

func TestCanceledRefreshStillSaved(t *testing.T) {
	f := newFakeAuth(t)
	f.block, f.arrived = make(chan struct{}), make(chan struct{})
	store := &eventStore{saved: make(chan *oauth2.Token, 1)}
	seedExpired(t, f, store)
	<-store.saved
	ts := oauth.NewTokenSource(f.config(), store, "acme/x", nil)

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error)
	go func() {
		_, err := ts.TokenContext(ctx)
		done <- err
	}()
	<-f.arrived // the refresh request reached the server
	cancel()
	require.ErrorIs(t, <-done, driver.ErrCanceled)
	close(f.block)
	saved := <-store.saved
	require.Equal(t, "rt-2", saved.RefreshToken, "the rotated refresh token was saved")

	tok, err := ts.Token()
	require.NoError(t, err)
	require.Equal(t, "at-2", tok.AccessToken)
	require.Equal(t, 1, f.hits())
}

func TestTokenSourceErrors(t *testing.T) {
	t.Run("nothing stored", func(t *testing.T) {
		ts := oauth.NewTokenSource(&oauth2.Config{}, &oauth.MemoryTokenStore{}, "k", nil)
		_, err := ts.Token()
		require.ErrorIs(t, err, driver.ErrUnauthenticated)
		require.Contains(t, err.Error(), "connect the account")
	})
	t.Run("initial saved", func(t *testing.T) {
		store := &oauth.MemoryTokenStore{}
		ts := oauth.NewTokenSource(&oauth2.Config{}, store, "k", &oauth.TokenSourceOptions{Initial: &oauth2.Token{AccessToken: "a"}})
		tok, err := ts.Token()
		require.NoError(t, err)
		require.Equal(t, "a", tok.AccessToken)
		saved, err := store.LoadToken(context.Background(), "k")
		require.NoError(t, err)
		require.Equal(t, "a", saved.AccessToken)
	})
	t.Run("expired without refresh token", func(t *testing.T) {
		store := &oauth.MemoryTokenStore{}
		require.NoError(t, store.SaveToken(context.Background(), "k", &oauth2.Token{AccessToken: "a", Expiry: time.Now().Add(30 * time.Second)}))
		ts := oauth.NewTokenSource(&oauth2.Config{}, store, "k", nil)
		_, err := ts.Token()
		require.ErrorIs(t, err, driver.ErrUnauthenticated, "within the early-expiry margin")
	})
	t.Run("token endpoint unreachable", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		store := &oauth.MemoryTokenStore{}
		require.NoError(t, store.SaveToken(context.Background(), "k", &oauth2.Token{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(-time.Second)}))
		cfg := &oauth2.Config{ClientID: "c", Endpoint: oauth2.Endpoint{TokenURL: "http://" + addr + "/token", AuthStyle: oauth2.AuthStyleInParams}}
		_, err = oauth.NewTokenSource(cfg, store, "k", nil).Token()
		require.ErrorIs(t, err, driver.ErrUnavailable)
	})
	t.Run("token endpoint failing", func(t *testing.T) {
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, "upstream down, refresh_token=leaked", http.StatusBadGateway)
		}))
		defer srv.Close()
		store := &oauth.MemoryTokenStore{}
		require.NoError(t, store.SaveToken(context.Background(), "k", &oauth2.Token{AccessToken: "a", RefreshToken: "r", Expiry: time.Now().Add(-time.Second)}))
		cfg := &oauth2.Config{ClientID: "c", Endpoint: oauth2.Endpoint{TokenURL: srv.URL, AuthStyle: oauth2.AuthStyleInParams}}
		_, err := oauth.NewTokenSource(cfg, store, "k", nil).Token()
		require.ErrorIs(t, err, driver.ErrUnavailable)
		require.NotContains(t, err.Error(), "leaked", "no response body in messages")
	})
	t.Run("reloads a token refreshed elsewhere", func(t *testing.T) {
		f := newFakeAuth(t)
		store := &oauth.MemoryTokenStore{}
		seedExpired(t, f, store)
		a := oauth.NewTokenSource(f.config(), store, "acme/x", nil)
		b := oauth.NewTokenSource(f.config(), store, "acme/x", nil)
		ta, err := a.Token()
		require.NoError(t, err)
		tb, err := b.Token()
		require.NoError(t, err, "b uses the token a saved, not its stale refresh token")
		require.Equal(t, ta.AccessToken, tb.AccessToken)
		require.Equal(t, 1, f.hits())
	})
}
