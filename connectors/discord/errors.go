package discord

import (
	"encoding/json"
	"errors"
	"net/http"
	"sort"
	"strconv"
	"strings"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// APIError is Discord's error body (topics/opcodes-and-status-codes.mdx
// "JSON Error Codes"): {"code": 50035, "message": "Invalid Form Body",
// "errors": {...}}. Driver.ErrorAs exposes it.
type APIError struct {
	// Status is the HTTP status.
	Status int
	// Code is Discord's JSON error code (10008 Unknown Message...), 0 for
	// a general error.
	Code int `json:"code"`
	// Message is Discord's message.
	Message string `json:"message"`
	// Errors is the nested field errors of a 50035 Invalid Form Body.
	Errors json.RawMessage `json:"errors"`
}

// Error returns the message with the code.
func (e *APIError) Error() string {
	return "discord: " + strconv.Itoa(e.Code) + ": " + e.Message
}

// FieldErrors flattens Errors into "path: CODE message" lines, sorted:
// "message_reference: MESSAGE_REFERENCE_UNKNOWN_MESSAGE Unknown message".
func (e *APIError) FieldErrors() []string {
	if len(e.Errors) == 0 {
		return nil
	}
	var tree any
	if json.Unmarshal(e.Errors, &tree) != nil {
		return nil
	}
	var out []string
	flattenErrors(tree, "", &out, 0)
	sort.Strings(out)
	return out
}

// firstFieldCode is the code of the first field error ("" if none).
func (e *APIError) firstFieldCode() string {
	for _, l := range e.FieldErrors() {
		_, rest, _ := strings.Cut(l, ": ")
		code, _, _ := strings.Cut(rest, " ")
		return code
	}
	return ""
}

func flattenErrors(v any, path string, out *[]string, depth int) {
	if depth > 16 || len(*out) >= 32 {
		return
	}
	m, ok := v.(map[string]any)
	if !ok {
		return
	}
	if list, ok := m["_errors"].([]any); ok {
		for _, it := range list {
			if em, ok := it.(map[string]any); ok {
				code, _ := em["code"].(string)
				msg, _ := em["message"].(string)
				*out = append(*out, strings.TrimSpace(path+": "+code+" "+msg))
			}
		}
	}
	keys := make([]string, 0, len(m))
	for k := range m {
		if k != "_errors" {
			keys = append(keys, k)
		}
	}
	sort.Strings(keys)
	for _, k := range keys {
		p := k
		if path != "" {
			p = path + "." + k
		}
		flattenErrors(m[k], p, out, depth+1)
	}
}

// codes maps Discord's JSON error codes to cmkit's. Codes not listed
// fall back on the HTTP status (transport.CodeForStatus).
var codes = map[int]driver.ErrorCode{
	10003:  driver.NotFound,         // Unknown channel
	10004:  driver.NotFound,         // Unknown guild
	10008:  driver.NotFound,         // Unknown message
	10013:  driver.NotFound,         // Unknown user
	10014:  driver.InvalidContent,   // Unknown emoji
	10015:  driver.Unauthenticated,  // Unknown webhook: the configured webhook is gone
	20016:  driver.RateLimited,      // Slowmode rate limit
	20022:  driver.RateLimited,      // Announcement edit rate limit
	20028:  driver.RateLimited,      // Channel write rate limit
	30010:  driver.Conflict,         // Maximum number of reactions reached (20)
	30046:  driver.RateLimited,      // Too many edits to messages older than 1 hour: try again later
	40001:  driver.Unauthenticated,  // Unauthorized
	40002:  driver.PermissionDenied, // Account must be verified
	40003:  driver.RateLimited,      // Opening direct messages too fast
	40004:  driver.PermissionDenied, // Send messages temporarily disabled
	40005:  driver.InvalidContent,   // Request entity too large
	40058:  driver.Unsupported,      // Cannot send a message in a forum channel
	50001:  driver.PermissionDenied, // Missing access
	50005:  driver.PermissionDenied, // Cannot edit a message authored by another user
	50006:  driver.InvalidContent,   // Cannot send an empty message
	50007:  driver.PermissionDenied, // Cannot send messages to this user
	50008:  driver.Unsupported,      // Cannot send messages in a non-text channel
	50013:  driver.PermissionDenied, // Missing permissions
	50014:  driver.Unauthenticated,  // Invalid authentication token
	50021:  driver.PermissionDenied, // Cannot execute action on a system message
	50024:  driver.Unsupported,      // Cannot execute action on this channel type
	50027:  driver.Unauthenticated,  // Invalid webhook token
	50035:  driver.InvalidContent,   // Invalid form body
	50083:  driver.Conflict,         // Archived thread
	50109:  driver.InvalidContent,   // Invalid JSON
	50278:  driver.PermissionDenied, // No mutual guilds with the user
	130000: driver.Unavailable,      // API resource overloaded
	160002: driver.PermissionDenied, // Cannot reply without Read Message History
	160004: driver.Conflict,         // A thread already exists for this message
	160005: driver.Conflict,         // Thread is locked
	160006: driver.QuotaExceeded,    // Maximum number of active threads
	200000: driver.InvalidContent,   // Blocked by AutoMod
	240000: driver.InvalidContent,   // Blocked by the harmful links filter
}

// fieldCodes maps the codes of 50035's field errors that mean more than
// "invalid".
var fieldCodes = map[string]driver.ErrorCode{
	"MESSAGE_REFERENCE_UNKNOWN_MESSAGE": driver.NotFound,
	"REPLIES_UNKNOWN_MESSAGE":           driver.NotFound,
}

// mapError classifies a Discord error response. 429s and 5xx without a
// JSON code are left to the transport's default mapping, which reads
// retry_after, global and the X-RateLimit-* headers.
func mapError(resp *http.Response, body []byte) error {
	var ae APIError
	if json.Unmarshal(body, &ae) != nil || (ae.Code == 0 && ae.Message == "") {
		return nil
	}
	if resp.StatusCode == http.StatusTooManyRequests {
		return nil
	}
	ae.Status = resp.StatusCode
	code, ok := codes[ae.Code]
	if !ok {
		code = transport.CodeForStatus(resp.StatusCode)
	}
	msg := ae.Message
	if fe := ae.FieldErrors(); len(fe) > 0 {
		msg += " (" + strings.Join(fe, "; ") + ")"
		if c, ok := fieldCodes[ae.firstFieldCode()]; ok {
			code = c
		}
	}
	e := &driver.Error{Code: code, Network: Network, Status: resp.StatusCode, NetworkCode: strconv.Itoa(ae.Code), Message: msg, Err: &ae}
	if code == driver.RateLimited || code == driver.QuotaExceeded {
		return &driver.RateLimitError{Code: code, Limit: -1, Remaining: -1, Err: e}
	}
	return e
}

func asDriverError(err error) (*driver.Error, bool) {
	var de *driver.Error
	ok := errors.As(err, &de)
	return de, ok
}

// isCode reports whether err carries Discord's JSON error code c.
func isCode(err error, c int) bool {
	de, ok := asDriverError(err)
	return ok && de.NetworkCode == strconv.Itoa(c)
}
