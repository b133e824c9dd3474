package bluesky

import (
	"context"
	"errors"
	"net/http"
	"time"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// earlyRefresh is how long before the access JWT's exp claim the session
// is refreshed, so that it does not expire while a request is in flight.
const earlyRefresh = 2 * time.Minute

// sessionResponse is the output of createSession and refreshSession.
type sessionResponse struct {
	AccessJwt  string `json:"accessJwt"`
	RefreshJwt string `json:"refreshJwt"`
	Handle     string `json:"handle"`
	DID        string `json:"did"`
	Active     *bool  `json:"active"`
	Status     string `json:"status"`
}

// session holds the account's access and refresh JWTs. It is the token
// source of the driver's transport.Client: TokenContext returns a valid
// access JWT, creating the session with the app password or refreshing it
// first when needed, and saves every new pair of JWTs to the TokenStore
// before using it (refreshSession rotates the refresh JWT: the old one is
// dead once used).
type session struct {
	c          *transport.Client
	identifier string
	password   string
	store      driver.TokenStore
	key        string
	now        func() time.Time

	// sem guards the fields below and serialises session requests.
	sem    chan struct{}
	tok    *oauth2.Token
	did    string
	handle string
	loaded bool // the store was read
}

func (s *session) lock(ctx context.Context) error {
	select {
	case s.sem <- struct{}{}:
		return nil
	case <-ctx.Done():
		return &driver.Error{Code: driver.Canceled, Network: network, Message: "canceled waiting for the session: " + ctx.Err().Error(), Err: ctx.Err()}
	}
}

func (s *session) unlock() { <-s.sem }

// Token implements oauth2.TokenSource with a background context.
func (s *session) Token() (*oauth2.Token, error) { return s.TokenContext(context.Background()) }

// TokenContext returns a valid access JWT as an oauth2.Token.
func (s *session) TokenContext(ctx context.Context) (*oauth2.Token, error) {
	if err := s.lock(ctx); err != nil {
		return nil, err
	}
	defer s.unlock()
	if err := s.ensure(ctx); err != nil {
		return nil, sessionError(err)
	}
	t := *s.tok
	return &t, nil
}

// identity returns the account's DID and handle, creating or loading the
// session if needed. The handle may be empty for a session loaded from the
// store until the next refresh.
func (s *session) identity(ctx context.Context) (did, handle string, err error) {
	if err := s.lock(ctx); err != nil {
		return "", "", err
	}
	defer s.unlock()
	if err := s.ensure(ctx); err != nil {
		return "", "", sessionError(err)
	}
	return s.did, s.handle, nil
}

// setHandle records the handle read from getSession.
func (s *session) setHandle(h string) {
	s.sem <- struct{}{}
	if s.handle == "" {
		s.handle = h
	}
	<-s.sem
}

// current returns the access JWT in use, or "".
func (s *session) current() string {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if s.tok == nil {
		return ""
	}
	return s.tok.AccessToken
}

// markExpired makes the next TokenContext refresh the session, when the
// access JWT is still access (the network answered ExpiredToken to it and
// no other call refreshed it since).
func (s *session) markExpired(access string) {
	s.sem <- struct{}{}
	defer func() { <-s.sem }()
	if s.tok != nil && s.tok.AccessToken == access {
		s.tok.Expiry = time.Unix(1, 0)
	}
}

// ensure makes s.tok valid. The caller holds sem.
func (s *session) ensure(ctx context.Context) error {
	if s.tok == nil && !s.loaded && s.store != nil {
		tok, err := s.store.LoadToken(ctx, s.key)
		switch {
		case err == nil && tok != nil && tok.AccessToken != "":
			s.adopt(tok, "")
		case err == nil || errors.Is(err, driver.ErrNotFound):
		default:
			return &driver.Error{Code: driver.CodeOf(err), Network: network, Message: "loading the session from the token store: " + transport.Scrub(err.Error()), Err: err}
		}
		s.loaded = true
	}
	if s.tok != nil && s.tok.Expiry.After(s.now().Add(earlyRefresh)) {
		return nil
	}
	if s.tok != nil && s.tok.RefreshToken != "" {
		err := s.refresh(ctx)
		if err == nil || s.password == "" || driver.CodeOf(err) != driver.Unauthenticated {
			return err
		}
		// The refresh JWT expired or was revoked: log in again.
	}
	if s.password == "" {
		return &driver.Error{Code: driver.Unauthenticated, Network: network,
			Message: "no valid session and no app password: set Config.Username and Config.Password, or a TokenStore holding a session"}
	}
	return s.create(ctx)
}

// adopt makes tok the session's token; handle may be empty.
func (s *session) adopt(tok *oauth2.Token, handle string) {
	if tok.Expiry.IsZero() {
		tok.Expiry = jwtExpiry(tok.AccessToken)
	}
	if tok.TokenType == "" {
		tok.TokenType = "Bearer"
	}
	s.tok = tok
	if c, ok := decodeJWT(tok.AccessToken); ok && c.Sub != "" {
		s.did = c.Sub
	} else if c, ok := decodeJWT(tok.RefreshToken); ok && c.Sub != "" {
		s.did = c.Sub
	}
	if handle != "" {
		s.handle = handle
	}
}

// use saves a new session to the store, then adopts it.
func (s *session) use(ctx context.Context, r *sessionResponse) error {
	if r.AccessJwt == "" {
		return &driver.Error{Code: driver.Unknown, Network: network, Message: "the session response holds no accessJwt"}
	}
	tok := &oauth2.Token{AccessToken: r.AccessJwt, RefreshToken: r.RefreshJwt, TokenType: "Bearer", Expiry: jwtExpiry(r.AccessJwt)}
	if tok.Expiry.IsZero() {
		// No readable exp claim: assume the reference PDS's 2 hours.
		tok.Expiry = s.now().Add(2 * time.Hour)
	}
	if s.store != nil {
		if err := s.store.SaveToken(ctx, s.key, tok); err != nil {
			return &driver.Error{Code: driver.CodeOf(err), Network: network, Message: "saving the session to the token store: " + transport.Scrub(err.Error(), r.AccessJwt, r.RefreshJwt), Err: err}
		}
	}
	s.adopt(tok, r.Handle)
	if r.DID != "" {
		s.did = r.DID
	}
	return nil
}

// create logs in with the app password (com.atproto.server.createSession).
func (s *session) create(ctx context.Context) error {
	var r sessionResponse
	err := s.c.DoJSON(ctx, &transport.Request{
		Method: http.MethodPost, Path: "/xrpc/com.atproto.server.createSession", Class: classSession,
		JSON:   map[string]string{"identifier": s.identifier, "password": s.password},
		NoAuth: true, Idempotent: true,
	}, &r)
	if err != nil {
		return err
	}
	return s.use(ctx, &r)
}

// refresh exchanges the refresh JWT (com.atproto.server.refreshSession).
func (s *session) refresh(ctx context.Context) error {
	var r sessionResponse
	h := http.Header{}
	h.Set("Authorization", "Bearer "+s.tok.RefreshToken)
	err := s.c.DoJSON(ctx, &transport.Request{
		Method: http.MethodPost, Path: "/xrpc/com.atproto.server.refreshSession", Class: classRefresh,
		Header: h, NoAuth: true,
	}, &r)
	if err != nil {
		return err
	}
	return s.use(ctx, &r)
}

// sessionError reclassifies a failed session request for the call that
// needed it: that call was not sent, so an Indeterminate session request
// (a refresh whose answer was lost) leaves the call Unavailable.
func sessionError(err error) error {
	var de *driver.Error
	if errors.As(err, &de) && de.Code == driver.Indeterminate {
		cp := *de
		cp.Code = driver.Unavailable
		cp.Err = err
		return &cp
	}
	return err
}
