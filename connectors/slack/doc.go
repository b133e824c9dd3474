// Package slack is the cmkit connector for Slack channels, registered as
// "slack". An Account is one channel, posted to by an app's bot user
// through the Web API.
//
//	import _ "github.com/cmkit/cmkit/connectors/slack"
//
//	acct, err := connectors.Open(ctx, "slack", connectors.Config{
//		Account: "C0123456789", // channel ID
//		Tokens:  botTokens,     // xoxb-... (oauth.v2.access)
//	}, nil)
//
// # Authentication
//
// A bot token (xoxb-...), sent as "Authorization: Bearer". Without token
// rotation it does not expire; with rotation it lasts 12 hours: give a
// refreshing token source (connectors/oauth) in Config.Tokens. Scopes:
// chat:write, channels:history (groups:history for private channels,
// im:history and im:read for direct messages, im:write to open them),
// channels:read, reactions:read, reactions:write, files:write. The bot
// must be a member of the channel (not_in_channel otherwise).
// driver.Config fields:
//
//   - Tokens: the bot token source. Password may hold a static bot token
//     instead.
//   - Account: the channel ID (C..., G... or D...), not its name.
//   - Server: the Web API root; defaults to https://slack.com/api.
//   - Options["unfurl_links"]: "true" or "false", sent with every
//     message (Slack's default otherwise).
//   - Options["pacing"]: "off" disables the client-side pacing by method
//     tier (for tests against a fake server, or when a caller paces
//     itself); "on" (the default) keeps it.
//   - HTTPClient, Logger, Now, UserAgent: as documented by driver.Config.
//
// # Capabilities
//
// Publish (chat.postMessage, mrkdwn text; Post.Thread follow-ups are
// replies in the post's thread; Post.ReplyTo posts in that message's
// thread), Delete (chat.delete), Edit (chat.update, text only), Comments
// (conversations.replies), Mentions (conversations.history filtered for
// <@BOT>), Reply, Like (:thumbsup: with reactions.add and
// reactions.remove), PostMetrics (reactions.get: Likes is the total of
// reaction counts, Comments the reply_count; nothing else is reported),
// AccountMetrics (conversations.info num_members as Followers), Messages
// (the bot's DM channels: conversations.list types=im, then
// conversations.history of each), SendMessage (to a DM channel, or to a
// user ID via conversations.open) and FindPost. Not offered: hiding
// comments and deleting other people's messages (a bot token cannot).
//
// IDs are "channel:ts", as webhook.SlackID builds them, so an interaction
// parsed by package webhook can be answered with Account.Reply. Slack
// threads are flat: Reply posts in the thread of the answered message
// (its parent's ts, as chat.postMessage asks) and records the answered
// message in the message metadata (reply_to), so ListComments reports a
// Reply with that ParentID; people's own thread replies are Comments of
// the post. Cursors are message timestamps ("ts"; "ts/channel" for direct
// messages): listings resume strictly after them, oldest first.
// conversations.history returns the newest first, so Mentions and
// Messages read every page since the cursor (at most 50 pages of 200);
// mentions inside threads are not in the history: the Events API
// (webhook.ParseSlack) delivers them.
//
// # Limits
//
// chat.postMessage: "Provide no more than 40,000 characters or risk
// truncation" (code points). Images (PNG, JPEG, GIF; at most 10, a cmkit
// choice) are uploaded with files.getUploadURLExternal, a POST of the
// bytes to the returned URL (without the token) and
// files.completeUploadExternal, then shown by image blocks (slack_file)
// whose alt_text (at most 2000 characters) is the media's AltText; the
// text then goes in section blocks of at most 3000 characters. An image
// given only by URL becomes an image block with image_url. Videos are not
// attached.
//
// # Rate limits
//
// Each Web API method has a tier (docs.slack.dev/apis/web-api/rate-limits):
// Tier 1 1+ per minute, Tier 2 20+, Tier 3 50+, Tier 4 100+, per method
// per workspace; chat.postMessage allows about one message per second per
// channel. The driver paces each method under its tier (one endpoint
// class per method) and a 429 answer's Retry-After pauses the method
// (transport.DialectRetryAfter). Since 2025-05-29, apps outside the
// Marketplace get lower limits on conversations.history and
// conversations.replies.
//
// # Errors
//
// Slack answers errors with HTTP 200 and {"ok": false, "error": name}.
// CodeOf maps every name the driver can meet: not_authed, invalid_auth,
// token_revoked, token_expired, account_inactive → Unauthenticated;
// missing_scope (the message names the needed scope), not_in_channel,
// restricted_action*, no_permission, cant_delete_message → PermissionDenied;
// channel_not_found, message_not_found, thread_not_found → NotFound;
// msg_too_long, no_text, invalid_blocks, invalid_arguments... →
// InvalidContent; is_archived, edit_window_closed → Conflict;
// ratelimited, rate_limited → RateLimited; service_unavailable,
// request_timeout → Unavailable; fatal_error and internal_error ("it's
// possible some aspect of the operation succeeded") → Indeterminate for
// a publish, Unavailable for a read. Unknown names are Unknown.
//
// # Exactly once
//
// Slack has no idempotency key: Description.Idempotent is false and a
// publish whose outcome is unknown is Indeterminate. The driver puts the
// idempotency key in the message metadata (event_type "cmkit_post",
// event_payload.idempotency_key), and FindPost searches the channel's
// last 24 hours (FindWindow) for it with include_all_metadata, or, without
// a key, for a bot message with the same text; not found within the
// window is ErrNotFound.
//
// # API
//
//   - https://docs.slack.dev/reference/methods/chat.postMessage
//   - https://docs.slack.dev/reference/methods/chat.update
//   - https://docs.slack.dev/reference/methods/chat.delete
//   - https://docs.slack.dev/reference/methods/conversations.replies
//   - https://docs.slack.dev/reference/methods/conversations.history
//   - https://docs.slack.dev/reference/methods/conversations.info
//   - https://docs.slack.dev/reference/methods/conversations.open
//   - https://docs.slack.dev/reference/methods/reactions.add
//   - https://docs.slack.dev/reference/methods/reactions.get
//   - https://docs.slack.dev/reference/methods/files.getUploadURLExternal
//   - https://docs.slack.dev/reference/methods/files.completeUploadExternal
//   - https://docs.slack.dev/messaging/message-metadata
//   - https://docs.slack.dev/apis/web-api/rate-limits
package slack
