package driver

import (
	"context"
	"fmt"
	"strconv"
	"time"
)

// ErrorCode classifies an error from a network into what a caller can act on.
// Every error cmkit returns from a connector carries one; connectors.Code
// reads it.
type ErrorCode int

// The error codes. Their sentinels (ErrNotFound...) match with errors.Is.
const (
	// Unknown is an error that could not be classified. It is not retried.
	Unknown ErrorCode = iota
	// InvalidContent: the network refused the content (too long, bad media,
	// duplicate text refused as spam...). Permanent: fix the content.
	InvalidContent
	// NotFound: the post, comment, conversation or account does not exist or
	// is not visible to this account. Permanent.
	NotFound
	// PermissionDenied: authenticated, but not allowed (scope missing, not
	// the author, account type forbids it). Permanent until permissions change.
	PermissionDenied
	// Unauthenticated: the credentials are missing, expired beyond refresh
	// or revoked. The user must reconnect the account. Never retried.
	Unauthenticated
	// RateLimited: the network asked the caller to slow down. Transient:
	// retry after RateLimitError.RetryAfter.
	RateLimited
	// QuotaExceeded: a budget that resets on a calendar (Instagram's 24-hour
	// publishing limit, YouTube's daily units). Retry at RateLimitError.Reset,
	// not sooner.
	QuotaExceeded
	// Unavailable: the network failed or could not be reached before the
	// request was processed (5xx, connection refused). Transient.
	Unavailable
	// Unsupported: the network or this account cannot do this at all.
	Unsupported
	// Duplicate: the network says the same content or idempotency key was
	// already accepted.
	Duplicate
	// Indeterminate: the request may have been applied (a timeout or a
	// connection lost after sending a non-idempotent request). Never retried
	// blindly: reconcile first (driver.PostFinder).
	Indeterminate
	// Canceled: the caller's context was canceled or its deadline passed
	// before the request was sent.
	Canceled
	// Conflict: the resource is in a state that forbids the operation (a
	// post being processed, an edit window closed).
	Conflict
	numCodes
)

var codeNames = [numCodes]string{
	Unknown:          "unknown",
	InvalidContent:   "invalid content",
	NotFound:         "not found",
	PermissionDenied: "permission denied",
	Unauthenticated:  "unauthenticated",
	RateLimited:      "rate limited",
	QuotaExceeded:    "quota exceeded",
	Unavailable:      "unavailable",
	Unsupported:      "unsupported",
	Duplicate:        "duplicate",
	Indeterminate:    "indeterminate outcome",
	Canceled:         "canceled",
	Conflict:         "conflict",
}

// String returns the code's name in lower case, as used in messages.
func (c ErrorCode) String() string {
	if c < 0 || c >= numCodes {
		return "ErrorCode(" + strconv.Itoa(int(c)) + ")"
	}
	return codeNames[c]
}

// Sentinel returns the sentinel error of the code (ErrNotFound for NotFound),
// or nil for Unknown and out-of-range codes.
func (c ErrorCode) Sentinel() error {
	if c <= Unknown || c >= numCodes {
		return nil
	}
	return sentinels[c]
}

// Retryable reports whether an operation that failed with this code can
// succeed later without any change: RateLimited and Unavailable. Whether a
// non-idempotent call may be retried also depends on whether it was sent;
// Indeterminate is never retryable.
func (c ErrorCode) Retryable() bool { return c == RateLimited || c == Unavailable }

type sentinel struct{ code ErrorCode }

func (s *sentinel) Error() string { return "connectors: " + s.code.String() }

// The sentinels, one per code. Errors returned by connectors match them with
// errors.Is; never compare error strings.
var (
	ErrInvalidContent   error = &sentinel{InvalidContent}
	ErrNotFound         error = &sentinel{NotFound}
	ErrPermissionDenied error = &sentinel{PermissionDenied}
	ErrUnauthenticated  error = &sentinel{Unauthenticated}
	ErrRateLimited      error = &sentinel{RateLimited}
	ErrQuotaExceeded    error = &sentinel{QuotaExceeded}
	ErrUnavailable      error = &sentinel{Unavailable}
	ErrUnsupported      error = &sentinel{Unsupported}
	ErrDuplicate        error = &sentinel{Duplicate}
	ErrIndeterminate    error = &sentinel{Indeterminate}
	ErrCanceled         error = &sentinel{Canceled}
	ErrConflict         error = &sentinel{Conflict}
)

var sentinels = [numCodes]error{
	InvalidContent:   ErrInvalidContent,
	NotFound:         ErrNotFound,
	PermissionDenied: ErrPermissionDenied,
	Unauthenticated:  ErrUnauthenticated,
	RateLimited:      ErrRateLimited,
	QuotaExceeded:    ErrQuotaExceeded,
	Unavailable:      ErrUnavailable,
	Unsupported:      ErrUnsupported,
	Duplicate:        ErrDuplicate,
	Indeterminate:    ErrIndeterminate,
	Canceled:         ErrCanceled,
	Conflict:         ErrConflict,
}

// Error is the error drivers return: a code, the network's own message and
// code, and the underlying cause. connectors.Account fills Op and Network
// when a driver left them empty, so every error is wrapped exactly once.
//
// Message must already be free of secrets (see transport.Scrub).
type Error struct {
	Code    ErrorCode
	Network string // registry name of the network, e.g. "mastodon"
	Op      string // the Account method, e.g. "Publish"
	// Status is the HTTP status, when there was one.
	Status int
	// NetworkCode is the network's own error code or name ("190",
	// "ExpiredToken", "channel_not_found"), when it sent one.
	NetworkCode string
	// Message is the network's human-readable message, or cmkit's.
	Message string
	// Err is the underlying cause, if any.
	Err error
}

// Error formats "connectors: mastodon: Publish: rate limited: <message>".
func (e *Error) Error() string {
	b := make([]byte, 0, 64)
	b = append(b, "connectors: "...)
	if e.Network != "" {
		b = append(b, e.Network...)
		b = append(b, ": "...)
	}
	if e.Op != "" {
		b = append(b, e.Op...)
		b = append(b, ": "...)
	}
	b = append(b, e.Code.String()...)
	if e.Status != 0 {
		b = append(b, " (HTTP "...)
		b = strconv.AppendInt(b, int64(e.Status), 10)
		b = append(b, ')')
	}
	if e.NetworkCode != "" {
		b = append(b, " ["...)
		b = append(b, e.NetworkCode...)
		b = append(b, ']')
	}
	if e.Message != "" {
		b = append(b, ": "...)
		b = append(b, e.Message...)
	} else if e.Err != nil {
		b = append(b, ": "...)
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Is reports whether target is the sentinel of e's code.
func (e *Error) Is(target error) bool {
	s := e.Code.Sentinel()
	return s != nil && s == target
}

// Errorf returns an *Error with the given code and a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// RateLimitError is the detail of a RateLimited or QuotaExceeded error, for
// errors.As. Zero fields are unknown.
type RateLimitError struct {
	// Code is RateLimited or QuotaExceeded.
	Code ErrorCode
	// RetryAfter is how long the network asked to wait, if it said.
	RetryAfter time.Duration
	// Reset is when the window resets, if the network said.
	Reset time.Time
	// Limit and Remaining are the window's size and what is left, or -1 when
	// unknown.
	Limit, Remaining int
	// Scope and Bucket name the limit when the network does (Discord's
	// X-RateLimit-Scope "user"/"global"/"shared" and X-RateLimit-Bucket).
	Scope, Bucket string
	// Err is the *Error this detail belongs to, if any.
	Err error
}

// Error describes the limit in words a community manager can act on.
func (e *RateLimitError) Error() string {
	b := make([]byte, 0, 64)
	b = append(b, "connectors: "...)
	code := e.Code
	if code != QuotaExceeded {
		code = RateLimited
	}
	b = append(b, code.String()...)
	if e.Scope != "" {
		b = append(b, " ("...)
		b = append(b, e.Scope...)
		b = append(b, ')')
	}
	if e.RetryAfter > 0 {
		b = append(b, "; retry after "...)
		b = append(b, e.RetryAfter.String()...)
	}
	if !e.Reset.IsZero() {
		b = append(b, "; resets at "...)
		b = append(b, e.Reset.UTC().Format(time.RFC3339)...)
	}
	if e.Err != nil {
		b = append(b, ": "...)
		b = append(b, e.Err.Error()...)
	}
	return string(b)
}

// Unwrap returns the underlying error.
func (e *RateLimitError) Unwrap() error { return e.Err }

// Is matches ErrRateLimited, or ErrQuotaExceeded for a quota.
func (e *RateLimitError) Is(target error) bool {
	if e.Code == QuotaExceeded {
		return target == ErrQuotaExceeded
	}
	return target == ErrRateLimited
}

// Wait returns how long to wait before retrying, measured from now: the
// larger of RetryAfter and Reset-now, or 0 when the network said neither.
func (e *RateLimitError) Wait(now time.Time) time.Duration {
	d := e.RetryAfter
	if !e.Reset.IsZero() {
		if r := e.Reset.Sub(now); r > d {
			d = r
		}
	}
	if d < 0 {
		d = 0
	}
	return d
}

// ValidationError says why content cannot be published on a network, in
// words a community manager can act on: "text is 312 characters, X allows
// 280". It matches ErrInvalidContent.
type ValidationError struct {
	Network string // display name of the network, e.g. "X"
	// Field is the part of the post at fault: "text", "media[1].alt_text",
	// "media", "hashtags", "thread[2].text".
	Field string
	// Limit and Got are the network's limit and the post's value, in Unit.
	Limit, Got int64
	// Unit is what Limit and Got count: "characters", "graphemes", "bytes",
	// "images", "hashtags", "seconds".
	Unit string
	// Reason, when set, replaces the generated sentence (for rules that are
	// not a count, such as "a video cannot be mixed with images").
	Reason string
}

// Error returns the sentence, e.g. "text is 312 characters, X allows 280".
func (e *ValidationError) Error() string {
	if e.Reason != "" {
		if e.Field == "" {
			return e.Reason
		}
		return e.Field + ": " + e.Reason
	}
	net := e.Network
	if net == "" {
		net = "the network"
	}
	return fmt.Sprintf("%s is %d %s, %s allows %d", e.Field, e.Got, e.Unit, net, e.Limit)
}

// Is matches ErrInvalidContent.
func (e *ValidationError) Is(target error) bool { return target == ErrInvalidContent }

// CodeOf returns the code of err: the code of the first *Error,
// *RateLimitError, *ValidationError or sentinel in its chain; Canceled for
// a bare context.Canceled or context.DeadlineExceeded; Unknown otherwise.
// (A driver whose context expired after it sent a non-idempotent request
// must return an *Error with code Indeterminate instead.)
func CodeOf(err error) ErrorCode {
	if err == nil {
		return Unknown
	}
	for e := err; e != nil; {
		switch x := e.(type) {
		case *Error:
			return x.Code
		case *RateLimitError:
			if x.Code == QuotaExceeded {
				return QuotaExceeded
			}
			return RateLimited
		case *ValidationError:
			return InvalidContent
		case *sentinel:
			return x.code
		}
		if isContextErr(e) {
			return Canceled
		}
		switch u := e.(type) {
		case interface{ Unwrap() error }:
			e = u.Unwrap()
		case interface{ Unwrap() []error }:
			for _, inner := range u.Unwrap() {
				if c := CodeOf(inner); c != Unknown {
					return c
				}
			}
			return Unknown
		default:
			e = nil
		}
	}
	return Unknown
}

func isContextErr(err error) bool {
	return err == context.Canceled || err == context.DeadlineExceeded
}
