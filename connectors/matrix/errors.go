package matrix

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// APIError is a Matrix error body: {"errcode": "M_FORBIDDEN", "error":
// "..."}, with the fields some codes add. Reach it with errors.As or
// Driver.ErrorAs.
type APIError struct {
	// ErrCode is the Matrix error code ("M_FORBIDDEN", "M_LIMIT_EXCEEDED").
	ErrCode string `json:"errcode"`
	// Message is the human-readable "error".
	Message string `json:"error"`
	// SoftLogout is set on M_UNKNOWN_TOKEN when the session can be
	// refreshed or re-established without losing the device.
	SoftLogout bool `json:"soft_logout,omitempty"`
	// RetryAfterMS is M_LIMIT_EXCEEDED's retry_after_ms (deprecated since
	// spec v1.10 in favour of the Retry-After header).
	RetryAfterMS int64 `json:"retry_after_ms,omitempty"`
	// Status is the HTTP status.
	Status int `json:"-"`
}

// Error returns "M_CODE: message".
func (e *APIError) Error() string {
	if e.Message == "" {
		return e.ErrCode
	}
	return e.ErrCode + ": " + e.Message
}

// ParseError parses a Matrix error body. It reports false when body is not
// one (no errcode).
func ParseError(body []byte) (*APIError, bool) {
	var e APIError
	if json.Unmarshal(body, &e) != nil || e.ErrCode == "" {
		return nil, false
	}
	if e.RetryAfterMS < 0 {
		e.RetryAfterMS = 0
	}
	return &e, true
}

// CodeFor returns the cmkit code of a Matrix error code answered with the
// given HTTP status. Codes the spec leaves to the status (M_UNKNOWN and
// unknown codes) follow transport.CodeForStatus.
func CodeFor(errcode string, status int) driver.ErrorCode {
	switch errcode {
	case "M_FORBIDDEN", "M_GUEST_ACCESS_FORBIDDEN", "M_USER_DEACTIVATED", "M_USER_LOCKED",
		"M_USER_SUSPENDED", "M_THREEPID_DENIED", "M_SERVER_NOT_TRUSTED", "M_EXCLUSIVE":
		return driver.PermissionDenied
	case "M_UNKNOWN_TOKEN", "M_MISSING_TOKEN", "M_UNAUTHORIZED":
		return driver.Unauthenticated
	case "M_NOT_FOUND":
		return driver.NotFound
	case "M_LIMIT_EXCEEDED":
		return driver.RateLimited
	case "M_RESOURCE_LIMIT_EXCEEDED", "M_USER_LIMIT_EXCEEDED":
		return driver.QuotaExceeded
	case "M_TOO_LARGE", "M_BAD_JSON", "M_NOT_JSON", "M_INVALID_PARAM", "M_MISSING_PARAM",
		"M_INVALID_ROOM_STATE", "M_INVALID_USERNAME":
		return driver.InvalidContent
	case "M_UNRECOGNIZED", "M_UNSUPPORTED_ROOM_VERSION", "M_INCOMPATIBLE_ROOM_VERSION",
		"M_THREEPID_MEDIUM_NOT_SUPPORTED":
		return driver.Unsupported
	case "M_ROOM_IN_USE", "M_USER_IN_USE", "M_BAD_STATE", "M_CANNOT_OVERWRITE_MEDIA",
		"M_THREEPID_IN_USE", "M_CANNOT_LEAVE_SERVER_NOTICE_ROOM":
		return driver.Conflict
	case "M_DUPLICATE_ANNOTATION":
		// Synapse: the user already reacted with this key.
		return driver.Duplicate
	case "M_NOT_YET_UPLOADED":
		return driver.Unavailable
	}
	return transport.CodeForStatus(status)
}

// MapError is the transport.ErrorMapper of Matrix homeservers: it reads the
// errcode of the body (see CodeFor), keeps the body as an *APIError cause,
// and turns M_LIMIT_EXCEEDED into a *driver.RateLimitError whose
// RetryAfter is retry_after_ms (the transport adds the Retry-After header
// when it says longer). Bodies without an errcode fall back to the
// default mapping.
func MapError(resp *http.Response, body []byte) error {
	ae, ok := ParseError(body)
	if !ok {
		return nil
	}
	ae.Status = resp.StatusCode
	code := CodeFor(ae.ErrCode, resp.StatusCode)
	if resp.StatusCode == http.StatusTooManyRequests {
		code = driver.RateLimited
	}
	msg := ae.Message
	if ae.ErrCode == "M_UNKNOWN_TOKEN" {
		msg = "the access token is unknown or expired"
		if ae.SoftLogout {
			msg += " (soft logout: the session is refreshed or re-established on the next call)"
		} else {
			msg += "; reconnect the account"
		}
	}
	e := &driver.Error{Code: code, Status: resp.StatusCode, NetworkCode: ae.ErrCode, Message: msg, Err: ae}
	if code != driver.RateLimited {
		return e
	}
	rle := &driver.RateLimitError{Code: code, Limit: -1, Remaining: -1, Err: e}
	if ae.RetryAfterMS > 0 {
		rle.RetryAfter = transport.MaxRetryAfter
		if ae.RetryAfterMS < transport.MaxRetryAfter.Milliseconds() {
			rle.RetryAfter = time.Duration(ae.RetryAfterMS) * time.Millisecond
		}
	}
	return rle
}

// asAPIError finds the *APIError in err's chain.
func asAPIError(err error, target **APIError) bool {
	return errors.As(err, target)
}
