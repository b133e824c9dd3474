package telegram

import (
	"encoding/json"
	"errors"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// descriptions maps the Bot API error descriptions the driver can meet
// (lower case, matched as substrings after the "Bad Request: " or
// "Forbidden: " prefix) to cmkit's codes. The Bot API documents
// error_code and description but not the list of descriptions: these
// are the ones its answers use.
var descriptions = []struct {
	text string
	code driver.ErrorCode
}{
	{"message to delete not found", driver.NotFound},
	{"message to edit not found", driver.NotFound},
	{"message to react not found", driver.NotFound},
	{"message to be replied not found", driver.NotFound},
	{"message not found", driver.NotFound},
	{"message_id_invalid", driver.NotFound},
	{"chat not found", driver.NotFound},
	{"user not found", driver.NotFound},
	{"message is not modified", driver.Conflict},
	{"group chat was upgraded to a supergroup chat", driver.Conflict},
	{"message can't be deleted", driver.PermissionDenied},
	{"message can't be edited", driver.PermissionDenied},
	{"not enough rights", driver.PermissionDenied},
	{"need administrator rights", driver.PermissionDenied},
	{"chat_admin_required", driver.PermissionDenied},
	{"chat_write_forbidden", driver.PermissionDenied},
	{"have no rights to send a message", driver.PermissionDenied},
	{"bot was blocked by the user", driver.PermissionDenied},
	{"bot was kicked", driver.PermissionDenied},
	{"bot is not a member", driver.PermissionDenied},
	{"bot can't initiate conversation", driver.PermissionDenied},
	{"user is deactivated", driver.PermissionDenied},
	{"message text is empty", driver.InvalidContent},
	{"message is too long", driver.InvalidContent},
	{"media_caption_too_long", driver.InvalidContent},
	{"can't parse entities", driver.InvalidContent},
	{"wrong file identifier", driver.InvalidContent},
	{"failed to get http url content", driver.InvalidContent},
	{"wrong type of the web page content", driver.InvalidContent},
	{"photo_invalid_dimensions", driver.InvalidContent},
	{"reaction_invalid", driver.InvalidContent},
	{"reaction_empty", driver.InvalidContent},
	{"terminated by other getupdates request", driver.Conflict},
	{"can't use getupdates method while webhook is active", driver.Conflict},
}

// APIError is the Bot API's error answer: {"ok": false, "error_code":
// 400, "description": "Bad Request: ...", "parameters": {...}}.
type APIError struct {
	ErrorCode   int
	Description string
	// RetryAfter is parameters.retry_after in seconds (flood control).
	RetryAfter int
	// MigrateToChatID is parameters.migrate_to_chat_id: the group became
	// this supergroup; use it as Config.Account.
	MigrateToChatID int64
}

// Error returns the description.
func (e *APIError) Error() string {
	return "telegram: " + strconv.Itoa(e.ErrorCode) + ": " + e.Description
}

// CodeOf classifies a Bot API error by its error_code and description.
func CodeOf(errorCode int, description string) driver.ErrorCode {
	low := strings.ToLower(description)
	for _, d := range descriptions {
		if strings.Contains(low, d.text) {
			return d.code
		}
	}
	switch {
	case errorCode == http.StatusNotFound && strings.TrimSpace(low) == "not found":
		// The whole URL is unknown: /bot<token>/ names no bot.
		return driver.Unauthenticated
	case errorCode == http.StatusUnauthorized:
		return driver.Unauthenticated
	case errorCode == http.StatusForbidden:
		return driver.PermissionDenied
	case errorCode == http.StatusConflict:
		return driver.Conflict
	case errorCode == http.StatusTooManyRequests:
		return driver.RateLimited
	}
	return transport.CodeForStatus(errorCode)
}

// classify returns the error of an "ok": false answer, or nil when the
// body is not one.
func classify(status int, r *response) error {
	if r.OK || (r.ErrorCode == 0 && r.Description == "") {
		return nil
	}
	ec := r.ErrorCode
	if ec == 0 {
		ec = status
	}
	ae := &APIError{ErrorCode: ec, Description: r.Description}
	if p := r.Parameters; p != nil {
		ae.RetryAfter, ae.MigrateToChatID = p.RetryAfter, p.MigrateToChatID
	}
	code := CodeOf(ec, r.Description)
	msg := transport.Scrub(r.Description)
	if ae.MigrateToChatID != 0 {
		msg += " (the group is now the supergroup " + strconv.FormatInt(ae.MigrateToChatID, 10) + ": use it as the account)"
	}
	if code == driver.Unauthenticated && ec == http.StatusNotFound {
		msg += " (the bot token is not valid)"
	}
	e := &driver.Error{Code: code, Network: Network, Status: status, NetworkCode: strconv.Itoa(ec), Message: msg, Err: ae}
	if code == driver.RateLimited {
		rl := &driver.RateLimitError{Code: code, Limit: -1, Remaining: -1, Err: e}
		if ae.RetryAfter > 0 {
			rl.RetryAfter = time.Duration(ae.RetryAfter) * time.Second
		}
		return rl
	}
	return e
}

// mapError classifies a non-2xx Bot API answer; bodies that are not the
// Bot API envelope (a proxy's 502 page) fall back on the status.
func mapError(resp *http.Response, body []byte) error {
	var r response
	if json.Unmarshal(body, &r) != nil {
		return nil
	}
	return classify(resp.StatusCode, &r)
}

func asDriverError(err error) (*driver.Error, bool) {
	var de *driver.Error
	ok := errors.As(err, &de)
	return de, ok
}

func containsFold(s, sub string) bool { return strings.Contains(strings.ToLower(s), sub) }
