// Package telegram is the cmkit connector for Telegram channels and
// groups through the Bot API, registered as "telegram". An Account is one
// chat: a channel, a group or a supergroup where the bot may post.
//
//	import _ "github.com/cmkit/cmkit/connectors/telegram"
//
//	acct, err := connectors.Open(ctx, "telegram", connectors.Config{
//		Account:  "@brandchannel", // or the chat ID, -1001234567890
//		Password: botToken,        // from @BotFather
//	}, nil)
//
// # Authentication
//
// A bot token from @BotFather. It does not expire; the Bot API takes it in
// the URL path, https://api.telegram.org/bot<token>/<method>, so the
// driver hands it to the transport as a secret: it is scrubbed from every
// error message and log line (transport.Scrub also knows its shape). The
// bot must be an administrator of a channel to post there, and a member
// of the channel's discussion group to read its comments. driver.Config
// fields:
//
//   - Password: the bot token. Tokens may supply it instead (its
//     AccessToken, read once by Open).
//   - Account: the chat ID (-100... for channels and supergroups) or a
//     public @username, resolved to the ID by Describe (getChat).
//   - Server: the Bot API root; defaults to https://api.telegram.org (a
//     local Bot API server works too).
//   - Options["parse_mode"]: "HTML", "MarkdownV2" or "Markdown", sent
//     with every text and caption; empty (the default) sends plain text.
//   - Options["pacing"]: "off" disables client-side pacing (for tests
//     against a fake server); "on" (the default) keeps it.
//   - HTTPClient, Logger, Now, UserAgent: as documented by driver.Config.
//
// # Capabilities
//
// Publish (sendMessage; sendPhoto, sendVideo or sendAnimation for one
// attachment, sendMediaGroup for an album of 2 to 10; Post.Thread
// follow-ups reply to the message before them; Post.ReplyTo makes a
// reply), Delete and DeleteComment (deleteMessage: bots delete their own
// messages within 48 hours, and others' in groups where they are
// administrators with can_delete_messages), Edit (editMessageText, or
// editMessageCaption for a message with media; "message is not modified"
// is not an error), Comments, Mentions and Messages (getUpdates, below),
// Reply, Like (setMessageReaction with 👍), AccountMetrics
// (getChatMemberCount as Followers: a channel's subscribers) and
// SendMessage (to a private chat, by the chat ID Messages report; the user
// must have started the bot). Not offered: post metrics (the Bot API
// does not give a post's views; a channel's reaction counts only arrive as
// message_reaction_count updates to administrator bots), hiding comments
// and FindPost.
//
// IDs are "chat:message", as webhook.TelegramID builds them, so an
// interaction parsed by package webhook can be answered with
// Account.Reply. An album's ID is that of its first message (deleting it
// deletes that message only).
//
// # Updates
//
// Comments, Mentions and Messages read getUpdates (offset = last
// update_id + 1, timeout 0: no long polling; allowed_updates message and
// channel_post, a setting Telegram remembers for the bot). Telegram
// forgets updates once a later offset is asked for, and all three
// listings share the queue, so the driver keeps what it read in memory
// (the last 24 hours, at most 10,000 messages) and pages through that
// log; the cursor is a position in it ("update_id", or "update_id.n" for
// the n-th reply the bot sent after it: bots never receive their own
// messages, so Reply records them). A process that restarts starts from
// the updates Telegram still holds: cursors stay valid, but what another
// process already read is gone. getUpdates does not work while a webhook
// is set (409 Conflict): with a webhook, receive updates with package
// webhook (ParseTelegram) instead.
//
// Classification follows webhook.ParseTelegram: a message in a private
// chat is a DirectMessage; a group message mentioning the bot (@username,
// text mention, /command@username) is a Mention. The comments of a
// channel post are the replies to its automatic forward in the channel's
// discussion group; the comments of a group message are its replies; a
// reply to a comment is a Reply with ParentID the comment. Edits are not
// listed again. The Bot API cannot tell whether a message exists: the
// comments of an unknown post are an empty page.
//
// # Limits
//
// From core.telegram.org/bots/api: text 1-4096 characters (sendMessage),
// captions 0-1024 (MaxCaption, which Limits cannot express: Publish
// refuses a longer caption with a *driver.ValidationError before any
// request), albums of 2-10 photos and videos (sendMediaGroup), photos up
// to 10 MB, uploads up to 50 MB. Telegram has no alt text: Media.AltText
// is not sent.
//
// # Rate limits
//
// Telegram does not publish exact limits; its Bots FAQ says to avoid more
// than one message per second in a chat, 20 messages per minute in a
// group and about 30 per second overall. The driver paces sends to the
// account's chat (20 per minute, or one per second for a private chat),
// to other groups (20 per minute) and to private chats (one per second)
// as separate classes. Flood control answers 429 with
// parameters.retry_after (transport.ParseTelegramRetryAfter), which
// becomes a *driver.RateLimitError and pauses the class.
//
// # Errors
//
// The envelope {"ok": false, "error_code", "description", "parameters"}
// is classified by its description, then its code (CodeOf): "message to
// delete/edit not found", "chat not found" → NotFound; "message text is
// empty", "message is too long", "can't parse entities" → InvalidContent;
// "bot was blocked by the user", "not enough rights", 403 → PermissionDenied;
// 401, and 404 "Not Found" (the URL names no bot: a wrong token) →
// Unauthenticated; 409 (getUpdates while a webhook is set), "message is
// not modified" and "group chat was upgraded to a supergroup chat" →
// Conflict (the message names parameters.migrate_to_chat_id, the chat to
// use instead); 429 → RateLimited; 5xx → Unavailable (Indeterminate for
// sends). *APIError, the error's cause, carries the raw fields.
//
// # Exactly once
//
// The Bot API has no idempotency key and cannot search a chat's history:
// Description.Idempotent is false and the driver is no PostFinder. A send
// whose outcome is unknown is Indeterminate, and the scheduler marks it
// failed rather than risk a duplicate.
//
// # API
//
//   - https://core.telegram.org/bots/api#making-requests
//   - https://core.telegram.org/bots/api#sendmessage
//   - https://core.telegram.org/bots/api#sendphoto
//   - https://core.telegram.org/bots/api#sendmediagroup
//   - https://core.telegram.org/bots/api#editmessagetext
//   - https://core.telegram.org/bots/api#deletemessage
//   - https://core.telegram.org/bots/api#setmessagereaction
//   - https://core.telegram.org/bots/api#getupdates
//   - https://core.telegram.org/bots/api#getchatmembercount
//   - https://core.telegram.org/bots/faq#my-bot-is-hitting-limits-how-do-i-avoid-this
package telegram
