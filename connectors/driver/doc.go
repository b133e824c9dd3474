// Package driver is the contract between cmkit and a network connector.
//
// Users never hold a driver: they hold a *connectors.Account, which wraps
// one and adds what every network needs once (validation, capability
// checks, retries, error wrapping). This package also defines the portable
// data types (Post, Media, Interaction, PostMetrics...) and the error codes;
// package connectors re-exports them under the same names.
//
// # Implementing a connector
//
// A connector implements Driver (Describe and Publish) and any of the
// optional interfaces its network offers: Deleter, Editor, CommentLister,
// MentionLister, Replier, CommentHider, CommentDeleter, Liker,
// PostMetricsReader, AccountMetricsReader, MessageLister, MessageSender,
// PendingResolver, PostFinder, and Aser/ErrorAser for raw access. The
// Account discovers them by type assertion and reports them as
// Capabilities; a driver whose account cannot use one at run time lists it
// in Description.Declined or returns ErrUnsupported.
//
// It registers an OpenFunc under its network's name in an init function:
//
//	func init() { connectors.Register("mastodon", Open) }
//
// and passes connectors/connectortest against a fake server built from the
// network's documentation.
//
// # Contract
//
//   - Drivers are safe for concurrent use by multiple goroutines.
//   - Errors carry a code: return *Error, *RateLimitError or
//     *ValidationError (transport.Client's error mapping builds them from
//     HTTP responses). A missing post or comment is NotFound; expired or
//     revoked credentials are Unauthenticated; a 429 is RateLimited with
//     RetryAfter or Reset filled from the response.
//   - Drivers do not retry. A non-idempotent request whose outcome is
//     unknown (timeout after sending) returns code Indeterminate; only a
//     request the network provably did not process is RateLimited or
//     Unavailable, which the Account may retry.
//   - Listings are ordered oldest first and resume strictly after the
//     cursor they were given: across pages no item is repeated or skipped.
//     InteractionPage.Next is always usable to poll again later.
//   - Counters a network does not report are invalid Metrics, never zero.
package driver
