package bluesky

import (
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// XRPCError is the error body of an XRPC call: {"error": "<Name>",
// "message": "..."}. ErrorAs exposes it behind an error the driver
// returned.
type XRPCError struct {
	// Status is the HTTP status.
	Status int
	// Name is the error name ("ExpiredToken", "RecordNotFound").
	Name string `json:"error"`
	// Message is the human-readable message.
	Message string `json:"message"`
}

// Error returns "Name: Message".
func (e *XRPCError) Error() string {
	if e.Message == "" {
		return e.Name
	}
	return e.Name + ": " + e.Message
}

// quotaAfter is how far away a rate-limit reset must be for a 429 to be a
// calendar budget (createSession's 300 a day, 35,000 write points a day)
// rather than a short window.
const quotaAfter = time.Hour

// codeForName classifies the XRPC error names of the lexicons and of the
// reference PDS and AppView. ok is false for names left to the status.
func codeForName(name string) (driver.ErrorCode, bool) {
	switch name {
	case "ExpiredToken", "InvalidToken", "AuthenticationRequired", "AuthMissing",
		"AuthFactorTokenRequired", "AuthRequired":
		return driver.Unauthenticated, true
	case "AccountTakedown", "AccountSuspended", "AccountDeactivated", "RepoTakendown",
		"RepoSuspended", "RepoDeactivated", "BlockedActor", "BlockedByActor", "Forbidden",
		"InsufficientScope":
		return driver.PermissionDenied, true
	case "RecordNotFound", "NotFound", "RepoNotFound", "ActorNotFound", "ProfileNotFound",
		"BlobNotFound", "HandleNotFound", "ConvoNotFound", "InvalidConvo", "MessageNotFound":
		return driver.NotFound, true
	case "InvalidSwap", "DuplicateCreate":
		return driver.Conflict, true
	case "RateLimitExceeded":
		return driver.RateLimited, true
	case "MethodNotImplemented":
		return driver.Unsupported, true
	case "InvalidRequest", "InvalidRecord", "InvalidMimeType", "BlobTooLarge",
		"PayloadTooLarge", "InvalidHandle", "InvalidRecordKey":
		return driver.InvalidContent, true
	}
	return driver.Unknown, false
}

// errorMapper classifies XRPC error responses. now reads the rate-limit
// reset of a 429.
func errorMapper(now func() time.Time) transport.ErrorMapper {
	return func(resp *http.Response, body []byte) error {
		var xe XRPCError
		_ = json.Unmarshal(body, &xe)
		xe.Status = resp.StatusCode
		if resp.StatusCode == http.StatusTooManyRequests || xe.Name == "RateLimitExceeded" {
			code := driver.RateLimited
			if rl, ok := transport.DialectIETF(resp.Header, now()); ok && !rl.Reset.IsZero() && rl.Reset.Sub(now()) > quotaAfter {
				code = driver.QuotaExceeded
			}
			return &driver.RateLimitError{Code: code, Limit: -1, Remaining: -1, Err: &driver.Error{
				Code: code, Network: network, Status: resp.StatusCode, NetworkCode: xe.Name,
				Message: xe.Message, Err: &xe,
			}}
		}
		if xe.Name == "" {
			return nil
		}
		code, ok := codeForName(xe.Name)
		if !ok {
			code = transport.CodeForStatus(resp.StatusCode)
		}
		if resp.StatusCode >= 500 && code != driver.Unsupported {
			// Whatever the name, a server failure says nothing about the
			// content; the Client refines it for non-idempotent requests.
			code = driver.Unavailable
		}
		msg := xe.Message
		if msg == "" {
			msg = xe.Name
		}
		return &driver.Error{Code: code, Network: network, Status: resp.StatusCode, NetworkCode: xe.Name, Message: msg, Err: &xe}
	}
}

// isName reports whether err carries the XRPC error name.
func isName(err error, name string) bool {
	var xe *XRPCError
	return errors.As(err, &xe) && xe.Name == name
}
