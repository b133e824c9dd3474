package matrix

import (
	"context"
	"errors"
	"net/http"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// refreshMargin: an access token is refreshed when it expires within it.
const refreshMargin = 30 * time.Second

// session is the driver's token source: an external one (Config.Tokens),
// or a session of its own from the TokenStore, a refresh or a password
// login, saved to the store before it is used.
type session struct {
	d          *Driver
	external   oauth2.TokenSource
	store      driver.TokenStore
	key        string
	username   string
	password   string
	deviceID   string
	deviceName string

	mu     sync.Mutex
	tok    *oauth2.Token
	loaded bool // the store was read
}

// Token implements oauth2.TokenSource.
func (s *session) Token() (*oauth2.Token, error) { return s.TokenContext(context.Background()) }

// TokenContext returns a valid access token, refreshing or logging in as
// needed. transport.Client calls it with the request's context.
func (s *session) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if s.external != nil {
		return s.external.Token()
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.loaded && s.store != nil {
		s.loaded = true
		tok, err := s.store.LoadToken(ctx, s.key)
		switch {
		case err == nil && tok != nil && tok.AccessToken != "":
			s.tok = tok
		case err != nil && !errors.Is(err, driver.ErrNotFound):
			return nil, &driver.Error{Code: driver.Unavailable, Network: Network, Message: "loading the session from the token store: " + err.Error(), Err: err}
		}
	}
	now := s.d.now()
	if s.tok != nil && s.tok.AccessToken != "" && (s.tok.Expiry.IsZero() || now.Add(refreshMargin).Before(s.tok.Expiry)) {
		return s.tok, nil
	}
	if s.tok != nil && s.tok.RefreshToken != "" {
		tok, err := s.refresh(ctx, s.tok.RefreshToken)
		if err == nil {
			return tok, nil
		}
		if driver.CodeOf(err) != driver.Unauthenticated || s.password == "" {
			return nil, err
		}
		// The refresh token was revoked: log in again.
	}
	if s.username == "" || s.password == "" {
		return nil, &driver.Error{Code: driver.Unauthenticated, Network: Network, Message: "the session expired and no password is configured; reconnect the account"}
	}
	return s.login(ctx)
}

// invalidate forgets the access token after the server refused it: a soft
// logout keeps the refresh token (the next call refreshes), a hard one
// forgets the session (the next call logs in again, when it can).
func (s *session) invalidate(soft bool) {
	if s.external != nil {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.tok == nil {
		return
	}
	if soft && s.tok.RefreshToken != "" {
		t := *s.tok
		t.AccessToken = ""
		s.tok = &t
		return
	}
	s.tok = nil
}

// loginResponse is the answer of POST /login and POST /refresh.
type loginResponse struct {
	UserID       string `json:"user_id"`
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresInMS  int64  `json:"expires_in_ms"`
	DeviceID     string `json:"device_id"`
}

func (s *session) token(r loginResponse, oldRefresh string) *oauth2.Token {
	tok := &oauth2.Token{AccessToken: r.AccessToken, TokenType: "Bearer", RefreshToken: r.RefreshToken}
	if tok.RefreshToken == "" {
		tok.RefreshToken = oldRefresh // "If not given, the old refresh token can be re-used."
	}
	if r.ExpiresInMS > 0 {
		tok.Expiry = s.d.now().Add(time.Duration(min(r.ExpiresInMS, int64(transport.MaxRetryAfter/time.Millisecond))) * time.Millisecond)
	}
	return tok
}

// save stores tok before it is used, then makes it current.
func (s *session) save(ctx context.Context, tok *oauth2.Token) (*oauth2.Token, error) {
	if s.store != nil {
		if err := s.store.SaveToken(ctx, s.key, tok); err != nil {
			return nil, &driver.Error{Code: driver.Unavailable, Network: Network, Message: "saving the session to the token store: " + err.Error(), Err: err}
		}
	}
	s.tok = tok
	return tok, nil
}

// login signs in with m.login.password (POST /_matrix/client/v3/login),
// asking for a refresh token.
func (s *session) login(ctx context.Context) (*oauth2.Token, error) {
	body := map[string]any{
		"type":                        "m.login.password",
		"identifier":                  map[string]string{"type": "m.id.user", "user": s.username},
		"password":                    s.password,
		"refresh_token":               true,
		"initial_device_display_name": s.deviceName,
	}
	if s.deviceID != "" {
		body["device_id"] = s.deviceID
	}
	var r loginResponse
	err := s.d.c.DoJSON(ctx, &transport.Request{
		Method: http.MethodPost, Path: "/_matrix/client/v3/login", JSON: body,
		Class: classLogin, NoAuth: true, Idempotent: true,
	}, &r)
	if err != nil {
		return nil, credentialError("logging in", err)
	}
	if r.AccessToken == "" {
		return nil, &driver.Error{Code: driver.Unauthenticated, Network: Network, Message: "the login returned no access token"}
	}
	s.d.setUserID(r.UserID)
	return s.save(ctx, s.token(r, ""))
}

// refresh exchanges the refresh token (POST /_matrix/client/v3/refresh).
func (s *session) refresh(ctx context.Context, refreshToken string) (*oauth2.Token, error) {
	var r loginResponse
	err := s.d.c.DoJSON(ctx, &transport.Request{
		Method: http.MethodPost, Path: "/_matrix/client/v3/refresh",
		JSON:  map[string]string{"refresh_token": refreshToken},
		Class: classLogin, NoAuth: true, Idempotent: true,
	}, &r)
	if err != nil {
		return nil, credentialError("refreshing the session", err)
	}
	if r.AccessToken == "" {
		return nil, &driver.Error{Code: driver.Unauthenticated, Network: Network, Message: "the refresh returned no access token"}
	}
	return s.save(ctx, s.token(r, refreshToken))
}

// credentialError classifies a failed login or refresh: refused
// credentials (403 M_FORBIDDEN, 401 M_UNKNOWN_TOKEN...) mean the account
// must be reconnected.
func credentialError(what string, err error) error {
	var de *driver.Error
	switch driver.CodeOf(err) {
	case driver.PermissionDenied, driver.NotFound, driver.InvalidContent:
		if errors.As(err, &de) {
			cp := *de
			cp.Code = driver.Unauthenticated
			cp.Message = what + ": the homeserver refused the credentials; reconnect the account: " + cp.Message
			cp.Err = err
			return &cp
		}
	}
	return err
}
