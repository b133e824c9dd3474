package oauth

import (
	"context"
	"crypto/rand"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"net/http"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/driver"
)

// The errors of the authorization-code flow. Exchange returns them wrapped
// in a *driver.Error, so they also match driver.ErrPermissionDenied.
var (
	// ErrStateMismatch: the callback's state is not the one sent, a sign of
	// cross-site request forgery or of a stale browser tab.
	ErrStateMismatch = errors.New("oauth: the callback's state does not match the authorization request")
	// ErrFlowExpired: the callback came after Config.FlowTTL.
	ErrFlowExpired = errors.New("oauth: the authorization flow expired")
	// ErrAccessDenied: the user declined (error=access_denied in the
	// callback). A *CallbackError matches it.
	ErrAccessDenied = errors.New("oauth: the user denied access")
)

// CallbackError is the authorization server's error sent to the redirect
// URL (RFC 6749 §4.1.2.1): error, error_description and error_uri.
type CallbackError struct {
	Code, Description, URI string
}

// Error returns "oauth: authorization failed: <code>: <description>".
func (e *CallbackError) Error() string {
	s := "oauth: authorization failed: " + e.Code
	if e.Description != "" {
		s += ": " + e.Description
	}
	return s
}

// Is matches ErrAccessDenied when Code is "access_denied".
func (e *CallbackError) Is(target error) bool {
	return target == ErrAccessDenied && e.Code == "access_denied"
}

// DefaultFlowTTL is how long a Flow is accepted after AuthCodeURL.
const DefaultFlowTTL = 15 * time.Minute

// Config runs the OAuth 2.0 authorization-code flow with PKCE (S256) and a
// random state, for connecting an account.
type Config struct {
	// OAuth2 holds the client ID and secret, endpoints, redirect URL and
	// scopes. Required. Set Endpoint.AuthStyle when the network's style is
	// known: with AuthStyleAutoDetect, x/oauth2 tries a second request when
	// the first fails.
	OAuth2 *oauth2.Config
	// Network names the network in errors ("x"). Defaults to "".
	Network string
	// HTTPClient calls the token endpoint. Defaults to a client with a 30 s
	// timeout.
	HTTPClient *http.Client
	// FlowTTL is how long a Flow is accepted. Defaults to DefaultFlowTTL.
	FlowTTL time.Duration
	// Now is the clock. Defaults to time.Now.
	Now func() time.Time
}

// Flow is the state of one authorization in progress, kept between
// AuthCodeURL and Exchange (in the user's session: it serialises to JSON).
// It is secret: whoever holds it can finish the authorization.
type Flow struct {
	State    string    `json:"state"`
	Verifier string    `json:"verifier"`
	Created  time.Time `json:"created"`
}

func (c *Config) now() time.Time {
	if c.Now != nil {
		return c.Now()
	}
	return time.Now()
}

// AuthCodeURL returns the URL to send the user to, and the Flow to keep
// until the callback: a 256-bit random state and a PKCE verifier whose S256
// challenge is in the URL. opts add parameters (oauth2.AccessTypeOffline,
// oauth2.SetAuthURLParam("duration", "permanent") for Reddit...).
func (c *Config) AuthCodeURL(opts ...oauth2.AuthCodeOption) (string, *Flow, error) {
	if c.OAuth2 == nil {
		return "", nil, errors.New("oauth: Config.OAuth2 is nil")
	}
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", nil, err
	}
	f := &Flow{
		State:    base64.RawURLEncoding.EncodeToString(b[:]),
		Verifier: oauth2.GenerateVerifier(),
		Created:  c.now(),
	}
	opts = append(opts[:len(opts):len(opts)], oauth2.S256ChallengeOption(f.Verifier))
	return c.OAuth2.AuthCodeURL(f.State, opts...), f, nil
}

// Exchange finishes the flow with the query of the callback request: it
// checks the state in constant time, reports an error sent by the
// authorization server, and exchanges the code with the PKCE verifier.
//
// Errors are *driver.Error values: PermissionDenied wrapping
// ErrStateMismatch, ErrFlowExpired or a *CallbackError matching
// ErrAccessDenied; InvalidContent when the callback has no code;
// Unauthenticated when the token endpoint refuses the code (expired, used
// twice, wrong verifier); Unavailable when it cannot be reached.
func (c *Config) Exchange(ctx context.Context, flow *Flow, callback url.Values, opts ...oauth2.AuthCodeOption) (*oauth2.Token, error) {
	if c.OAuth2 == nil {
		return nil, errors.New("oauth: Config.OAuth2 is nil")
	}
	if flow == nil || flow.State == "" || flow.Verifier == "" {
		return nil, &driver.Error{Code: driver.PermissionDenied, Network: c.Network, Message: "no authorization flow in progress; start again", Err: ErrStateMismatch}
	}
	if code := callback.Get("error"); code != "" {
		ce := &CallbackError{Code: code, Description: callback.Get("error_description"), URI: callback.Get("error_uri")}
		return nil, &driver.Error{Code: callbackCode(code), Network: c.Network, NetworkCode: code, Message: ce.Error(), Err: ce}
	}
	if subtle.ConstantTimeCompare([]byte(callback.Get("state")), []byte(flow.State)) != 1 {
		return nil, &driver.Error{Code: driver.PermissionDenied, Network: c.Network, Message: ErrStateMismatch.Error() + "; start the authorization again", Err: ErrStateMismatch}
	}
	ttl := c.FlowTTL
	if ttl <= 0 {
		ttl = DefaultFlowTTL
	}
	if !flow.Created.IsZero() && c.now().Sub(flow.Created) > ttl {
		return nil, &driver.Error{Code: driver.PermissionDenied, Network: c.Network, Message: ErrFlowExpired.Error() + "; start the authorization again", Err: ErrFlowExpired}
	}
	code := callback.Get("code")
	if code == "" {
		return nil, &driver.Error{Code: driver.InvalidContent, Network: c.Network, Message: "the callback has no authorization code"}
	}
	ctx = context.WithValue(ctx, oauth2.HTTPClient, httpClient(c.HTTPClient))
	opts = append(opts[:len(opts):len(opts)], oauth2.VerifierOption(flow.Verifier))
	tok, err := c.OAuth2.Exchange(ctx, code, opts...)
	if err != nil {
		return nil, classify(ctx, c.Network, err, "exchanging the authorization code failed")
	}
	return tok, nil
}

// callbackCode classifies an RFC 6749 authorization error.
func callbackCode(code string) driver.ErrorCode {
	switch code {
	case "access_denied":
		return driver.PermissionDenied
	case "server_error", "temporarily_unavailable":
		return driver.Unavailable
	}
	return driver.Unknown
}

// httpClient returns c, or a client with a 30 s timeout.
func httpClient(c *http.Client) *http.Client {
	if c != nil {
		return c
	}
	return &http.Client{Timeout: 30 * time.Second}
}

// classify turns an error of the token endpoint into a *driver.Error: a
// refusal (invalid_grant, unauthorized_client, invalid_client, any 400 or
// 401) is Unauthenticated, a 429 or 5xx or a network failure Unavailable,
// a canceled context Canceled. The message holds the OAuth error code and
// description, never the response body.
func classify(ctx context.Context, network string, err error, what string) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		code := driver.Unauthenticated
		switch re.ErrorCode {
		case "invalid_grant", "unauthorized_client", "invalid_client", "invalid_token", "invalid_request":
		default:
			if status == http.StatusTooManyRequests || status >= 500 || re.ErrorCode == "temporarily_unavailable" || re.ErrorCode == "server_error" {
				code = driver.Unavailable
			}
		}
		msg := what
		if code == driver.Unauthenticated {
			msg += ": the authorization was revoked or has expired; reconnect the account"
		}
		if re.ErrorCode != "" {
			msg += " (" + re.ErrorCode
			if re.ErrorDescription != "" {
				msg += ": " + re.ErrorDescription
			}
			msg += ")"
		} else if status != 0 {
			msg += " (HTTP " + http.StatusText(status) + ")"
		}
		return &driver.Error{Code: code, Network: network, Status: status, NetworkCode: re.ErrorCode, Message: msg, Err: &retrieveError{re}}
	}
	if ctx.Err() != nil {
		return &driver.Error{Code: driver.Canceled, Network: network, Message: what + ": " + ctx.Err().Error(), Err: ctx.Err()}
	}
	return &driver.Error{Code: driver.Unavailable, Network: network, Message: what + ": the token endpoint could not be reached", Err: err}
}

// retrieveError wraps an *oauth2.RetrieveError so that the error chain's
// text never includes the response body (RetrieveError.Error prints it
// when the server sent no error code).
type retrieveError struct{ re *oauth2.RetrieveError }

func (e *retrieveError) Error() string {
	if e.re.ErrorCode != "" {
		return "oauth2: " + e.re.ErrorCode
	}
	if e.re.Response != nil {
		return "oauth2: cannot fetch token: " + e.re.Response.Status
	}
	return "oauth2: cannot fetch token"
}

func (e *retrieveError) Unwrap() error { return e.re }
