package mastodon

import (
	"net/http"
	"strings"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// mapError classifies a Mastodon error response. Mastodon answers errors
// with {"error": "...", "error_description": "..."} and says "the most
// important part of an error response is the HTTP status code"
// (entities/Error.md); the message only refines it:
//
//	401                      Unauthenticated (token invalid, revoked or expired: reconnect)
//	403                      PermissionDenied (missing scope, suspended or unconfirmed account)
//	404, 410                 NotFound ("Record not found")
//	400, 413, 422            InvalidContent ("Validation failed: ...", media processing failed)
//	429                      RateLimited, with X-RateLimit-Reset or Retry-After
//	503                      Unavailable (Mastodon's "please try again" errors)
//	other 5xx                Unavailable, or Indeterminate for a post (transport decides)
//
// GoToSocial uses the same body shape, with messages such as
// "Not Found: ..." or "Unprocessable Entity: ...".
func mapError(resp *http.Response, body []byte) error {
	code, msg := transport.ExtractError(body)
	if msg == "" {
		// {"error": "invalid_token"} (OAuth errors): the code is all there is.
		msg = code
	}
	e := &driver.Error{Network: network, Status: resp.StatusCode, NetworkCode: code, Message: msg}
	switch s := resp.StatusCode; {
	case s == http.StatusUnauthorized:
		e.Code = driver.Unauthenticated
		e.Message = joinMsg(msg, "the access token is invalid, revoked or expired: reconnect the account")
	case s == http.StatusForbidden:
		e.Code = driver.PermissionDenied
		if strings.Contains(strings.ToLower(msg), "scope") {
			e.Message = joinMsg(msg, "the token lacks a scope this call needs: reconnect with the scopes listed in the package documentation")
		}
	case s == http.StatusNotFound || s == http.StatusGone:
		e.Code = driver.NotFound
	case s == http.StatusBadRequest || s == http.StatusRequestEntityTooLarge || s == http.StatusUnprocessableEntity:
		e.Code = driver.InvalidContent
	case s == http.StatusTooManyRequests:
		return &driver.RateLimitError{Code: driver.RateLimited, Limit: -1, Remaining: -1, Err: withCode(e, driver.RateLimited)}
	case s == http.StatusServiceUnavailable:
		e.Code = driver.Unavailable
	default:
		return nil // the transport's default mapping
	}
	return e
}

func withCode(e *driver.Error, c driver.ErrorCode) *driver.Error {
	e.Code = c
	return e
}

func joinMsg(msg, advice string) string {
	if msg == "" {
		return advice
	}
	return msg + " (" + advice + ")"
}
