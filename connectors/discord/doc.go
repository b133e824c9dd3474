// Package discord is the cmkit connector for Discord text channels,
// registered as "discord". An Account is one channel, written to by a bot
// or through an incoming webhook.
//
//	import _ "github.com/cmkit/cmkit/connectors/discord"
//
//	acct, err := connectors.Open(ctx, "discord", connectors.Config{
//		Account:  "1229876543210987654", // channel ID
//		Password: botToken,              // or Tokens with TokenType "Bot"
//	}, nil)
//
// # Authentication
//
// A bot token (Developer Portal, Bot page), sent as "Authorization: Bot
// <token>". driver.Config fields:
//
//   - Tokens: a token source whose tokens have TokenType "Bot" (the
//     transport writes "Authorization: <TokenType> <token>"). Takes
//     precedence over Password.
//   - Password: the bot token itself, for convenience.
//   - Account: the channel ID (a snowflake). Required with a bot token;
//     with only a webhook it defaults to the webhook's channel.
//   - Options["webhook"]: an incoming webhook URL,
//     https://discord.com/api/webhooks/{id}/{token}. When set, Publish,
//     Edit and Delete go through the webhook (no bot needed). The URL
//     holds a secret: pass it in Config.Options, never in a connection
//     URL; its token is scrubbed from errors and logs.
//   - Server: the API root; defaults to https://discord.com/api/v10.
//   - HTTPClient, Logger, Now, UserAgent: as documented by driver.Config.
//     The User-Agent follows Discord's required "DiscordBot (url,
//     version)" form.
//
// The bot needs, in the channel: View Channel, Send Messages, Send
// Messages in Threads, Create Public Threads, Read Message History, Add
// Reactions, Attach Files and Embed Links, and Manage Messages to delete
// other members' messages. To read the text of other members' messages
// (comments, mentions) it needs the Message Content privileged intent;
// without it Discord returns them with empty content, except messages
// that mention the bot.
//
// # Capabilities
//
// With a bot token: Publish (Create Message, with attachments, a reply
// when Post.ReplyTo is set, and Post.Thread as a thread started from the
// post), Delete, Edit, Comments, Mentions, Reply, DeleteComment, Like (👍
// reaction), PostMetrics, AccountMetrics, SendMessage and the idempotency
// key. Not offered: hiding comments (Discord has none), listing direct
// messages (bots receive DMs only on the Gateway, which has no REST
// listing), first comments and FindPost (see "Exactly once").
//
// With only a webhook, Description.Declined lists everything but Publish,
// Delete, Edit and media, and Description.Idempotent is false (Execute
// Webhook takes no nonce).
//
// IDs: a message of the account's channel is its snowflake; a message in
// another channel (a thread, a DM) is "channel:message". A thread started
// from a message has the message's ID, so the follow-ups of a post P are
// "P:<id>". An Interaction from webhook.ParseDiscord is an application
// command, not a message: answer it through the interaction response, not
// Reply. Its ConversationID is a channel, which SendMessage accepts.
//
// Comments of a post are the messages replying to it (message_reference),
// the replies to those, and the messages of the thread started from it,
// merged oldest first; the cursor "c<snowflake>.t<snowflake>" resumes in
// both. Deeper reply chains in the channel are not followed. Mentions are
// channel messages mentioning the bot user, except replies to the bot's own
// messages (listed as comments). Both listings read Get Channel Messages
// with after= cursors, 100 messages per request, at most 5 requests per
// call; a page may hold fewer items than Limit.
//
// SendMessage takes a DM channel ID or a user ID: when Discord answers
// Unknown Channel (10003) it opens the DM channel (POST
// /users/@me/channels) and sends there. PostMetrics reports Likes as the
// sum of the message's reaction counts; Discord reports no views, reach or
// shares. AccountMetrics reports the server's approximate_member_count as
// Followers (GET /guilds/{id}?with_counts=true).
//
// # Limits
//
// From resources/message.mdx "Create Message": content up to 2000
// characters (code points), up to 10 attachments in a request of at most
// 25 MiB, an attachment's description (alt text) up to 1024 characters.
// Media with bytes are uploaded as multipart files[n] with an attachments
// array whose description is the alt text; an image given only by URL
// becomes an embed (a video needs its bytes). Mentions parse users only:
// a post never pings @everyone or roles by accident.
//
// # Rate limits
//
// Discord limits each route per top-level resource and announces each
// bucket in X-RateLimit-Limit, -Remaining, -Reset, -Reset-After,
// -Bucket and -Scope; the transport reads them (transport.DialectDiscord)
// and pauses a class whose bucket is exhausted. A 429 carries
// {"message","retry_after","global"} and Retry-After; a global one
// (X-RateLimit-Global) pauses every class. The driver also keeps itself
// under the global limit of 50 requests per second (GlobalRate). Discord
// temporarily bans (Cloudflare) an IP that makes more than 10,000 invalid requests
// (401, 403, 429) in 10 minutes: the Account never retries 401 and 403,
// and honours every 429's wait. See topics/rate-limits.mdx.
//
// # Errors
//
// Discord's error body {"code","message","errors"} is mapped by its JSON
// code (topics/opcodes-and-status-codes.mdx): 10003 Unknown Channel,
// 10008 Unknown Message, 10013 Unknown User → NotFound; 40001, 50014 →
// Unauthenticated; 10015 Unknown Webhook and 50027 Invalid Webhook Token →
// Unauthenticated (the configured webhook is gone); 50001, 50013 and
// other permission codes → PermissionDenied; 50035 Invalid Form Body,
// 50006, 40005 (too large), 200000/240000 (blocked by AutoMod or the link
// filter) → InvalidContent, except a 50035 whose field error is
// MESSAGE_REFERENCE_UNKNOWN_MESSAGE → NotFound; 20016, 20028, 30046,
// 40003 → RateLimited; 160004, 160005, 50083, 30010 → Conflict; 130000 →
// Unavailable. Other codes follow the HTTP status. Driver.ErrorAs gives
// the *APIError with the flattened field errors.
//
// # Exactly once
//
// With a bot token, Publish, Reply and SendMessage send a nonce (25
// characters derived from PublishOptions.IdempotencyKey, and from the
// position in a thread) with enforce_nonce: Discord returns the message
// created earlier with the same nonce instead of creating another, so
// Description.Idempotent is true and such requests are safe to resend.
// Discord only remembers nonces for "the past few minutes": a retry
// within the Account's retries is safe, a republish hours later is not.
// A thread resumed with the same key finds the thread already started
// (160004) and the follow-ups by their nonces.
//
// # API
//
//   - https://discord.com/developers/docs/resources/message
//   - https://discord.com/developers/docs/resources/channel#start-thread-from-message
//   - https://discord.com/developers/docs/resources/webhook#execute-webhook
//   - https://discord.com/developers/docs/resources/guild#get-guild
//   - https://discord.com/developers/docs/resources/user#create-dm
//   - https://discord.com/developers/docs/topics/rate-limits
//   - https://discord.com/developers/docs/topics/opcodes-and-status-codes#json
//   - https://discord.com/developers/docs/reference#uploading-files
package discord
