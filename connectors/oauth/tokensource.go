package oauth

import (
	"context"
	"errors"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/driver"
)

// DefaultEarlyExpiry is how long before its expiry a token is refreshed by
// default, so that it does not expire while a request is in flight.
const DefaultEarlyExpiry = time.Minute

// TokenSourceOptions configure a TokenSource. The zero value (or nil) is
// valid.
type TokenSourceOptions struct {
	// Initial is the token to start from when the store holds none under
	// the key (just after Config.Exchange); it is saved first. Defaults to
	// none: a missing token is then an Unauthenticated error.
	Initial *oauth2.Token
	// EarlyExpiry: a token is refreshed when it expires within this
	// duration. Defaults to DefaultEarlyExpiry (1 minute).
	EarlyExpiry time.Duration
	// HTTPClient calls the token endpoint. Defaults to a client with a 30 s
	// timeout.
	HTTPClient *http.Client
	// Network names the network in errors. Defaults to "".
	Network string
	// Now is the clock for expiry checks. Defaults to time.Now.
	Now func() time.Time
}

// TokenSource is an oauth2.TokenSource backed by a driver.TokenStore. It
// returns the stored token while it is valid and refreshes it otherwise;
// a refreshed token is saved to the store before it is returned, so a
// rotated refresh token (X, Slack, TikTok, Pinterest...) survives a crash.
//
// It is safe for concurrent use: callers share one refresh, and two
// refreshes never race with the same refresh token. Use it as
// driver.Config.Tokens or transport.Options.Tokens; transport.Client calls
// TokenContext with the request's context.
type TokenSource struct {
	cfg     *oauth2.Config
	store   driver.TokenStore
	key     string
	initial *oauth2.Token
	early   time.Duration
	hc      *http.Client
	network string
	now     func() time.Time

	// sem is held by whoever reads or changes the fields below, including
	// a refresh in flight.
	sem      chan struct{}
	tok      *oauth2.Token // the current token, saved
	unsaved  *oauth2.Token // a refreshed token the store refused
	dead     string        // a refresh token the server refused
	deadCode string
}

// NewTokenSource returns a TokenSource for the token saved under key in
// store, refreshed with cfg. cfg and store are required.
func NewTokenSource(cfg *oauth2.Config, store driver.TokenStore, key string, opts *TokenSourceOptions) *TokenSource {
	var o TokenSourceOptions
	if opts != nil {
		o = *opts
	}
	s := &TokenSource{
		cfg: cfg, store: store, key: key,
		initial: o.Initial, early: o.EarlyExpiry, hc: httpClient(o.HTTPClient),
		network: o.Network, now: o.Now,
		sem: make(chan struct{}, 1),
	}
	if s.early <= 0 {
		s.early = DefaultEarlyExpiry
	}
	if s.now == nil {
		s.now = time.Now
	}
	return s
}

// Token returns a valid token, refreshing it if needed; it implements
// oauth2.TokenSource. It uses a background context: prefer TokenContext.
func (s *TokenSource) Token() (*oauth2.Token, error) {
	return s.TokenContext(context.Background())
}

// TokenContext returns a valid token (a copy: callers may keep it),
// refreshing and saving it if needed. Errors are *driver.Error values:
//
//   - Unauthenticated: no token is stored and no Initial was given, the
//     token expired without a refresh token, or the token endpoint refused
//     the refresh token (invalid_grant: revoked or expired). The message
//     tells the user to reconnect the account. A refused refresh token is
//     not sent again.
//   - Unavailable: the token endpoint could not be reached or failed (5xx,
//     429).
//   - the store's error when loading or saving fails. A refreshed token
//     that could not be saved is not returned; the next call saves it
//     again before anything else.
//   - Canceled: ctx ended first. A refresh already sent still completes
//     and is saved in the background, bounded by the HTTP client's timeout,
//     so that a rotated refresh token is never lost.
func (s *TokenSource) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	select {
	case s.sem <- struct{}{}:
	case <-ctx.Done():
		return nil, s.canceled(ctx.Err())
	}
	release := true
	defer func() {
		if release {
			<-s.sem
		}
	}()

	if s.unsaved != nil {
		if err := s.save(ctx, s.unsaved); err != nil {
			return nil, err
		}
		s.tok, s.unsaved = s.unsaved, nil
	}
	if s.tok != nil && s.valid(s.tok) {
		return clone(s.tok), nil
	}
	// Reload: another process sharing the store may have refreshed (and
	// rotated) the token.
	stored, err := s.store.LoadToken(ctx, s.key)
	switch {
	case err == nil && stored != nil:
		s.tok = stored
	case err == nil || errors.Is(err, driver.ErrNotFound):
		if s.tok == nil {
			if s.initial == nil {
				return nil, &driver.Error{Code: driver.Unauthenticated, Network: s.network, Message: "no token is stored for " + quote(s.key) + "; connect the account", Err: err}
			}
			init := clone(s.initial)
			if err := s.save(ctx, init); err != nil {
				return nil, err
			}
			s.tok = init
		}
	default:
		return nil, s.storeError(err, "loading the token")
	}
	if s.valid(s.tok) {
		return clone(s.tok), nil
	}

	rt := s.tok.RefreshToken
	if rt == "" {
		return nil, &driver.Error{Code: driver.Unauthenticated, Network: s.network, Message: "the access token expired and there is no refresh token; reconnect the account"}
	}
	if rt == s.dead {
		return nil, &driver.Error{Code: driver.Unauthenticated, Network: s.network, NetworkCode: s.deadCode, Message: "the refresh token was refused earlier; reconnect the account"}
	}

	// The refresh runs in its own goroutine, which owns the semaphore until
	// the new token is saved: a canceled caller returns at once, but the
	// rotated refresh token is still saved.
	type result struct {
		tok *oauth2.Token
		err error
	}
	done := make(chan result, 1)
	release = false
	prev := s.tok
	go func(ctx context.Context) {
		defer func() { <-s.sem }()
		tok, err := s.refresh(ctx, prev)
		done <- result{tok, err}
	}(context.WithoutCancel(ctx))
	select {
	case r := <-done:
		return r.tok, r.err
	case <-ctx.Done():
		return nil, s.canceled(ctx.Err())
	}
}

// refresh exchanges prev's refresh token and saves the result. The caller
// holds the semaphore.
func (s *TokenSource) refresh(ctx context.Context, prev *oauth2.Token) (*oauth2.Token, error) {
	rt := prev.RefreshToken
	if s.cfg == nil {
		return nil, &driver.Error{Code: driver.Unauthenticated, Network: s.network, Message: "the token expired and no OAuth2 configuration was given to refresh it"}
	}
	hctx := context.WithValue(ctx, oauth2.HTTPClient, s.hc)
	tok, err := s.cfg.TokenSource(hctx, &oauth2.Token{RefreshToken: rt}).Token()
	if err != nil {
		e := classify(ctx, s.network, err, "refreshing the token failed")
		if driver.CodeOf(e) == driver.Unauthenticated {
			s.dead = rt
			var de *driver.Error
			if errors.As(e, &de) {
				s.deadCode = de.NetworkCode
			}
		}
		return nil, e
	}
	if tok.RefreshToken == "" {
		tok.RefreshToken = rt
	}
	if tok.AccessToken != prev.AccessToken || tok.RefreshToken != prev.RefreshToken || !tok.Expiry.Equal(prev.Expiry) {
		if err := s.save(ctx, tok); err != nil {
			s.unsaved = tok
			return nil, err
		}
	}
	s.tok = tok
	return clone(tok), nil
}

func (s *TokenSource) valid(t *oauth2.Token) bool {
	if t == nil || t.AccessToken == "" {
		return false
	}
	return t.Expiry.IsZero() || s.now().Add(s.early).Before(t.Expiry)
}

func (s *TokenSource) save(ctx context.Context, t *oauth2.Token) error {
	if err := s.store.SaveToken(ctx, s.key, clone(t)); err != nil {
		return s.storeError(err, "saving the refreshed token")
	}
	return nil
}

func (s *TokenSource) storeError(err error, what string) error {
	code := driver.CodeOf(err)
	if code == driver.Unknown {
		code = driver.Unavailable
	}
	return &driver.Error{Code: code, Network: s.network, Message: what + " under " + quote(s.key) + " failed: " + err.Error(), Err: err}
}

func (s *TokenSource) canceled(err error) error {
	return &driver.Error{Code: driver.Canceled, Network: s.network, Message: "waiting for a token: " + err.Error(), Err: err}
}

// clone copies a token, extras included.
func clone(t *oauth2.Token) *oauth2.Token {
	if t == nil {
		return nil
	}
	c := *t
	return &c
}

func quote(s string) string { return `"` + s + `"` }
