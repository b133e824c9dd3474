package transport

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/cmkit/cmkit/connectors/driver"
)

// ErrorMapper classifies a non-2xx response of one network. body is the
// response body, read up to Options.MaxBodyBytes. It returns a classified
// error (*driver.Error, *driver.RateLimitError, *driver.ValidationError), or
// nil to fall back to the default mapping (see CodeForStatus).
//
// The Client completes what the mapper returns: it fills Network and Status
// of a *driver.Error left empty, scrubs its Message and NetworkCode, fills
// the RetryAfter, Reset, Limit, Remaining, Scope and Bucket of a
// *driver.RateLimitError from the response headers when the mapper left
// them zero, and turns Unavailable into Indeterminate for a 5xx answer to a
// non-idempotent request (see Client.Do). Any other error is wrapped in a
// *driver.Error whose code is the error's own (driver.CodeOf) or the
// status's. Since the Client completes the error in place, a mapper returns
// a new error on every call, never a shared value.
type ErrorMapper func(resp *http.Response, body []byte) error

// CodeForStatus is the default classification of an HTTP status:
//
//	400, 413, 414, 415, 422, 431  InvalidContent
//	401                           Unauthenticated
//	402, 403                      PermissionDenied
//	404, 410                      NotFound
//	409, 412, 423                 Conflict
//	408, 425                      Unavailable (the server did not process it)
//	429                           RateLimited
//	501                           Unsupported
//	other 5xx                     Unavailable
//	anything else                 Unknown
//
// The Client refines Unavailable for 5xx answers to non-idempotent requests
// into Indeterminate, except a 503 with Retry-After, which says the request
// was not processed.
func CodeForStatus(status int) driver.ErrorCode {
	switch status {
	case 400, 413, 414, 415, 422, 431:
		return driver.InvalidContent
	case 401:
		return driver.Unauthenticated
	case 402, 403:
		return driver.PermissionDenied
	case 404, 410:
		return driver.NotFound
	case 409, 412, 423:
		return driver.Conflict
	case 408, 425:
		return driver.Unavailable
	case 429:
		return driver.RateLimited
	case 501:
		return driver.Unsupported
	}
	if status >= 500 && status <= 599 {
		return driver.Unavailable
	}
	return driver.Unknown
}

// defaultError builds the error of a non-2xx response with the default
// mapping: CodeForStatus, and the network's code and message from
// ExtractError.
func (c *Client) defaultError(resp *http.Response, body []byte, rl RateLimit) error {
	netCode, msg := ExtractError(body)
	e := &driver.Error{
		Code:        CodeForStatus(resp.StatusCode),
		Network:     c.network,
		Status:      resp.StatusCode,
		NetworkCode: netCode,
		Message:     msg,
	}
	if e.Message == "" && e.NetworkCode == "" {
		// The reason phrase of the status line, else the standard text.
		e.Message = strings.TrimSpace(strings.TrimPrefix(resp.Status, strconv.Itoa(resp.StatusCode)))
		if e.Message == "" {
			e.Message = http.StatusText(resp.StatusCode)
		}
	}
	if resp.StatusCode != http.StatusTooManyRequests {
		return e
	}
	rle := &driver.RateLimitError{Code: driver.RateLimited, Limit: -1, Remaining: -1, Err: e}
	// Discord and Telegram put the wait in the body as well.
	if d, global, ok := ParseDiscordRetryAfter(body); ok {
		rle.RetryAfter = d
		if global && rle.Scope == "" {
			rle.Scope = "global"
		}
	} else if d, ok := ParseTelegramRetryAfter(body); ok {
		rle.RetryAfter = d
	}
	return rle
}

// completeError fills what a mapper left empty and scrubs messages. err is
// the mapper's result, never nil.
func (c *Client) completeError(err error, resp *http.Response, rl RateLimit, idempotent bool) error {
	var de *driver.Error
	var rle *driver.RateLimitError
	switch {
	case errors.As(err, &rle):
		if rl.RetryAfter > rle.RetryAfter {
			// Headers and body may both say; the longer wait is the safe one.
			rle.RetryAfter = rl.RetryAfter
		}
		if rle.Reset.IsZero() && !rl.Reset.IsZero() {
			rle.Reset = rl.Reset
		}
		if rle.Limit <= 0 && rl.Limit >= 0 {
			rle.Limit = rl.Limit
		}
		if rle.Remaining < 0 || (rle.Remaining == 0 && rl.Remaining > 0) {
			rle.Remaining = rl.Remaining
		}
		if rle.Scope == "" {
			rle.Scope = rl.Scope
			if rl.Global && rle.Scope == "" {
				rle.Scope = "global"
			}
		}
		if rle.Bucket == "" {
			rle.Bucket = rl.Bucket
		}
		if rle.Code == driver.Unknown {
			rle.Code = driver.RateLimited
		}
		if !errors.As(err, &de) {
			de = &driver.Error{Code: rle.Code, Network: c.network, Status: resp.StatusCode}
			if rle.Err != nil {
				de.Message = rle.Err.Error()
				de.Err = rle.Err
			}
			rle.Err = de
		}
	case errors.As(err, &de):
	default:
		var ve *driver.ValidationError
		if errors.As(err, &ve) {
			return err
		}
		code := driver.CodeOf(err)
		if code == driver.Unknown {
			code = CodeForStatus(resp.StatusCode)
		}
		de = &driver.Error{Code: code, Message: err.Error(), Err: err}
		err = de
	}
	if de.Network == "" {
		de.Network = c.network
	}
	if de.Status == 0 {
		de.Status = resp.StatusCode
	}
	de.Message = Scrub(de.Message, c.secrets...)
	de.NetworkCode = Scrub(de.NetworkCode, c.secrets...)
	if !idempotent && de.Code == driver.Unavailable && resp.StatusCode >= 500 && !(resp.StatusCode == http.StatusServiceUnavailable && resp.Header.Get("Retry-After") != "") {
		// The network may have processed the request before failing.
		de.Code = driver.Indeterminate
	}
	return err
}
