// Package matrix is the cmkit connector for Matrix homeservers (Synapse,
// Dendrite, Conduit...), through the client-server API
// (https://spec.matrix.org/latest/client-server-api/). A community space is
// a room: the account is one user speaking in one room.
//
// It registers the network name "matrix":
//
//	acct, err := connectors.OpenURL(ctx, "matrix://matrix.example.org/%23community:example.org",
//		connectors.Config{Username: "brand", Password: pw, TokenStore: store, TokenKey: "brand"}, nil)
//
// Config.Account is the room: its ID ("!abc:example.org") or an alias
// ("#community:example.org", resolved with GET
// /_matrix/client/v3/directory/room/{alias}). See Open for every field and
// option.
//
// # Authentication
//
// Either an access token (Config.Tokens, used as given), or a password
// login (POST /_matrix/client/v3/login, m.login.password with an m.id.user
// identifier) that asks for a refresh token. When the homeserver issues
// one (refresh_token and expires_in_ms), the driver refreshes the access
// token 30 s before it expires (POST /_matrix/client/v3/refresh). Every new
// or refreshed session is saved to Config.TokenStore before it is used, and
// a stored session is used before logging in. An M_UNKNOWN_TOKEN answer is
// Unauthenticated; the driver then forgets the token (keeping the refresh
// token on a soft logout), so the next call refreshes or logs in again.
//
// # Capabilities
//
//	Publish          m.room.message (m.text; m.image/m.video with the text as caption),
//	                 PUT /rooms/{roomId}/send/m.room.message/{txnId}; formatted_body
//	                 (org.matrix.custom.html) for links, user IDs, line breaks, titles
//	                 and spoilers; m.mentions for the user IDs written in the text
//	Threads          Post.Thread as a Matrix thread (rel_type m.thread) under the head
//	Media            one image or video per message, uploaded with POST /_matrix/media/v3/upload
//	Reply            rich reply (m.relates_to.m.in_reply_to), kept in the parent's thread
//	Edit             m.replace relation with m.new_content
//	Delete, DeleteComment
//	                 redaction (PUT /rooms/{roomId}/redact/{eventId}/{txnId}); others'
//	                 messages need the power level to redact (moderators)
//	Comments         replies to a post and replies to them (rich replies and thread events)
//	Mentions         others' messages whose m.mentions names the account, or, from
//	                 clients without intentional mentions, whose text holds its user ID
//	                 or display name
//	Like             an m.reaction annotation with key 👍; unlike redacts it
//	PostMetrics      Likes = reactions (m.annotation relations), Comments = replies
//	AccountMetrics   Followers = the room's joined members, the account excluded
//	Messages         DMs: others' messages in the joined rooms of the account's m.direct
//	SendMessage      to a DM room ID, or to a user ID (its DM room, created if needed)
//	FindPost         by idempotency key (or text), reading the room backwards
//
// Hiding comments does not exist in Matrix; pending publishes and first
// comments are not offered. As gives the *transport.Client (the authorized
// HTTP client) and the *Driver; ErrorAs gives the *APIError.
//
// # Listings and cursors
//
// Listings read the room's timeline with GET /rooms/{roomId}/messages
// (dir=f) and filter the events in the driver. A cursor is, per room, a
// pagination token and a count of events already consumed after it, so a
// page ends right after its last item, whatever the homeserver's page
// size, and a poll with the last Next returns exactly what arrived since.
// Dendrite's end tokens repeat the page's last event at the start of the
// next page: the driver recognises it by ID. Comments start at the post
// (GET /rooms/{roomId}/context/{eventId}); an empty cursor for mentions and
// messages starts at the room's beginning, found by paginating backwards
// from the live end (a /sync next_batch) at most 5,000 events, or at Since.
// One call reads at most 2,000 events; a page may then end early (empty,
// More false) with Next after what was read.
//
// # Idempotency
//
// Description.Idempotent is true: the transaction ID of a publish, reply or
// direct message derives from PublishOptions.IdempotencyKey (TxnID), and a
// homeserver answers a repeated transaction ID with the first event's ID
// instead of sending again. The guarantee has limits: transaction IDs are
// scoped to a device (to an access token before spec v1.7), so a retry
// after a new password login deduplicates only when the login reuses the
// device (Options["device_id"]); and a homeserver remembers transaction
// IDs for a limited time (Synapse: about 30 minutes). The key's hash is
// also stored in the event content (com.github.cmkit.txn) so FindPost finds
// the post from any device. Without a key, a send whose outcome is unknown
// (a 5xx other than 503, a connection lost after sending) is Indeterminate.
//
// # Content limits
//
// The spec sets no character limit, only 65,536 bytes per event, envelope
// included: Limits.MaxTextBytes is MaxTextBytes (about 30 KB, since the
// HTML rendering repeats the text), counted in code points otherwise.
// MaxImageBytes and MaxVideoBytes are the homeserver's m.upload.size (GET
// /_matrix/client/v1/media/config, else the deprecated
// /_matrix/media/v3/config).
//
// # Rate limits
//
// Homeservers set their own limits and publish none, so nothing is paced
// before a 429. A 429 M_LIMIT_EXCEEDED is RateLimited with RetryAfter from
// the Retry-After header (spec v1.10) or the body's retry_after_ms,
// whichever is longer, and transport holds the endpoint class (login,
// send, read, media) until then.
//
// # Errors
//
// MapError maps the body's errcode (CodeFor): M_FORBIDDEN, M_USER_LOCKED,
// M_USER_SUSPENDED, M_USER_DEACTIVATED → PermissionDenied; M_UNKNOWN_TOKEN,
// M_MISSING_TOKEN, M_UNAUTHORIZED → Unauthenticated; M_NOT_FOUND →
// NotFound; M_LIMIT_EXCEEDED → RateLimited; M_RESOURCE_LIMIT_EXCEEDED,
// M_USER_LIMIT_EXCEEDED → QuotaExceeded; M_TOO_LARGE, M_BAD_JSON,
// M_NOT_JSON, M_INVALID_PARAM, M_MISSING_PARAM → InvalidContent;
// M_UNRECOGNIZED, M_UNSUPPORTED_ROOM_VERSION → Unsupported; M_ROOM_IN_USE,
// M_BAD_STATE → Conflict; M_DUPLICATE_ANNOTATION → Duplicate; M_UNKNOWN
// and unknown codes follow the HTTP status. A refused login or refresh is
// Unauthenticated.
//
// # Testing
//
// The package's tests run the conformance suite against a fake homeserver
// built from the spec; integration_test.go (build tag integration) runs
// against Dendrite started by .ci/servers/dendrite.sh.
package matrix
