package slack

import (
	"errors"

	"github.com/cmkit/cmkit/connectors/driver"
)

// errorCodes maps the documented Web API error names the driver can meet
// (the "Errors" table of each method's page, and the common errors every
// method lists) to cmkit's codes. fatal_error and internal_error are
// missing: they depend on whether the call wrote (see apiError).
var errorCodes = map[string]driver.ErrorCode{
	// Authentication.
	"not_authed":                               driver.Unauthenticated,
	"invalid_auth":                             driver.Unauthenticated,
	"token_revoked":                            driver.Unauthenticated,
	"token_expired":                            driver.Unauthenticated,
	"account_inactive":                         driver.Unauthenticated,
	"invalid_token":                            driver.Unauthenticated,
	"no_permission":                            driver.PermissionDenied,
	"missing_scope":                            driver.PermissionDenied,
	"not_allowed_token_type":                   driver.PermissionDenied,
	"not_in_channel":                           driver.PermissionDenied,
	"restricted_action":                        driver.PermissionDenied,
	"restricted_action_read_only_channel":      driver.PermissionDenied,
	"restricted_action_thread_only_channel":    driver.PermissionDenied,
	"restricted_action_non_threadable_channel": driver.PermissionDenied,
	"ekm_access_denied":                        driver.PermissionDenied,
	"access_denied":                            driver.PermissionDenied,
	"accesslimited":                            driver.PermissionDenied,
	"enterprise_is_restricted":                 driver.PermissionDenied,
	"two_factor_setup_required":                driver.PermissionDenied,
	"cant_delete_message":                      driver.PermissionDenied,
	"cant_update_message":                      driver.PermissionDenied,
	"compliance_exports_prevent_deletion":      driver.PermissionDenied,
	"cannot_dm_bot":                            driver.PermissionDenied,
	"user_disabled":                            driver.PermissionDenied,
	"is_archived":                              driver.Conflict,
	"edit_window_closed":                       driver.Conflict,
	"too_many_reactions":                       driver.Conflict,
	"message_limit_exceeded":                   driver.Conflict,
	// Missing things.
	"channel_not_found": driver.NotFound,
	"message_not_found": driver.NotFound,
	"thread_not_found":  driver.NotFound,
	"user_not_found":    driver.NotFound,
	"users_not_found":   driver.NotFound,
	"file_not_found":    driver.NotFound,
	"no_item_specified": driver.InvalidContent,
	// Content.
	"msg_too_long":                      driver.InvalidContent,
	"msg_blocks_too_long":               driver.InvalidContent,
	"no_text":                           driver.InvalidContent,
	"invalid_blocks":                    driver.InvalidContent,
	"invalid_blocks_format":             driver.InvalidContent,
	"invalid_attachments":               driver.InvalidContent,
	"too_many_attachments":              driver.InvalidContent,
	"invalid_metadata_format":           driver.InvalidContent,
	"invalid_metadata_schema":           driver.InvalidContent,
	"metadata_too_large":                driver.InvalidContent,
	"metadata_must_be_sent_from_app":    driver.InvalidContent,
	"invalid_name":                      driver.InvalidContent,
	"invalid_arguments":                 driver.InvalidContent,
	"invalid_arg_name":                  driver.InvalidContent,
	"invalid_array_arg":                 driver.InvalidContent,
	"invalid_charset":                   driver.InvalidContent,
	"invalid_form_data":                 driver.InvalidContent,
	"invalid_post_type":                 driver.InvalidContent,
	"missing_post_type":                 driver.InvalidContent,
	"invalid_json":                      driver.InvalidContent,
	"json_not_object":                   driver.InvalidContent,
	"invalid_cursor":                    driver.InvalidContent,
	"invalid_ts_latest":                 driver.InvalidContent,
	"invalid_ts_oldest":                 driver.InvalidContent,
	"file_upload_size_restricted":       driver.InvalidContent,
	"invalid_file_id":                   driver.InvalidContent,
	"file_uploads_disabled":             driver.PermissionDenied,
	"posting_to_general_channel_denied": driver.PermissionDenied,
	// Pace and availability.
	"ratelimited":         driver.RateLimited,
	"rate_limited":        driver.RateLimited,
	"service_unavailable": driver.Unavailable,
	"request_timeout":     driver.Unavailable,
	"team_added_to_org":   driver.Unavailable,
	"org_login_required":  driver.Unavailable,
	"method_deprecated":   driver.Unsupported,
	"deprecated_endpoint": driver.Unsupported,
	"unknown_method":      driver.Unsupported,
}

// CodeOf returns cmkit's code for a Slack error name, as a call that
// writes (write true) or reads sees it: fatal_error and internal_error
// ("it's possible some aspect of the operation succeeded") are
// Indeterminate for writes and Unavailable for reads. Unknown names are
// driver.Unknown.
func CodeOf(name string, write bool) driver.ErrorCode {
	switch name {
	case "fatal_error", "internal_error":
		if write {
			return driver.Indeterminate
		}
		return driver.Unavailable
	}
	if c, ok := errorCodes[name]; ok {
		return c
	}
	return driver.Unknown
}

// apiError is the error of an "ok": false answer.
func apiError(method string, write bool, status int, env *envelope) error {
	code := CodeOf(env.Error, write)
	msg := method + ": " + env.Error
	if env.Needed != "" {
		msg += " (needed scope: " + env.Needed + ")"
	}
	for _, m := range env.ResponseMetadata.Messages {
		if len(msg) > 400 {
			break
		}
		msg += "; " + m
	}
	e := &driver.Error{Code: code, Network: Network, Status: status, NetworkCode: truncate(env.Error), Message: msg}
	if code == driver.RateLimited {
		return &driver.RateLimitError{Code: code, Limit: -1, Remaining: -1, Err: e}
	}
	return e
}

func asDriverError(err error) (*driver.Error, bool) {
	var de *driver.Error
	ok := errors.As(err, &de)
	return de, ok
}
