// Package bluesky is the cmkit connector for Bluesky and any AT Protocol
// PDS. It registers the network name "bluesky":
//
//	import _ "github.com/cmkit/cmkit/connectors/bluesky"
//
//	acct, err := connectors.Open(ctx, "bluesky", connectors.Config{
//		Username: "brand.bsky.social", Password: appPassword,
//		TokenStore: store, TokenKey: "brand/bluesky",
//	}, nil)
//
// # Authentication
//
// App-password sessions: com.atproto.server.createSession with
// Config.Username (a handle or DID; Config.Account when Username is empty)
// and Config.Password (an app password, never the account password). The
// session's access JWT (two hours on the reference PDS) is refreshed with
// com.atproto.server.refreshSession and the refresh JWT before its exp
// claim (read without verifying the signature), and once when a request is
// answered 400 ExpiredToken, after which that request is sent again (it
// was refused, not processed). refreshSession rotates the refresh JWT, so
// every new session is saved to Config.TokenStore under Config.TokenKey
// (default "bluesky:<identifier>") as an oauth2.Token (AccessToken =
// accessJwt, RefreshToken = refreshJwt, Expiry from exp) before it is
// used; a stored session is reused across restarts, as createSession is
// limited to 30 per 5 minutes and 300 a day. A dead refresh JWT falls back
// to createSession when a password is configured, else Unauthenticated.
// Config.Tokens is not used (atproto OAuth needs DPoP, which this driver
// does not implement).
//
// # Configuration
//
//   - Server: the PDS URL. Empty: discovered from the identifier: a
//     handle resolves to a DID (DNS TXT _atproto.<handle>, then
//     https://<handle>/.well-known/atproto-did), whose document (PLC
//     directory for did:plc, https://<host>/.well-known/did.json for
//     did:web) names the #atproto_pds service.
//   - HTTPClient, UserAgent, Logger, Now: as in driver.Config.
//   - Options: "plc" (PLC directory URL, default https://plc.directory);
//     "chat" ("true" enables SendMessage
//     and ListMessages); "chat_proxy" (atproto-proxy of
//     chat calls, default did:web:api.bsky.chat#bsky_chat);
//     "sensitive_label" (self-label of a Sensitive post: sexual, nudity,
//     porn or graphic-media, the default); "link_cards" ("false" skips
//     fetching a Post.Link page for its card's title and description);
//     "image_bytes" (1000000, the default, or 2000000).
//
// Post IDs are AT URIs (at://<did>/app.bsky.feed.post/<rkey>). App.bsky
// reads (threads, notifications, profiles, counts) go through the PDS,
// which forwards them to its AppView.
//
// # Capabilities
//
// Publish (text with facets, up to 4 images with alt text and aspect
// ratio, or a link card, language, self-label, threads, replies with
// ReplyTo), Delete, Reply, Comments (app.bsky.feed.getPostThread),
// Mentions (app.bsky.notification.listNotifications: mentions, replies and
// quotes), HideComment (the root post's app.bsky.feed.threadgate
// hiddenReplies, at most 300, for the root's author only), Like/Unlike
// (app.bsky.feed.like records), PostMetrics (app.bsky.feed.getPosts),
// AccountMetrics (app.bsky.actor.getProfile), FindPost, and direct
// messages: SendMessage (chat.bsky.convo.sendMessage) and ListMessages
// (chat.bsky.convo.listConvos and getMessages). Chat calls go through the
// PDS with the atproto-proxy header; both are Declined unless option
// chat=true and the app password was created with access to direct
// messages. They are tested against a fake built from the chat lexicons
// only: the chat service does not run locally.
//
// Not supported: Edit (posts are immutable in the Bluesky app),
// DeleteComment (a repository holds only its owner's records: hide replies
// instead), FirstComment, videos (they need the video service),
// impressions and reach (Bluesky reports none).
//
// Facets are computed with textcount.Facets as UTF-8 byte ranges; a
// mention is resolved to a DID with com.atproto.identity.resolveHandle and
// left as plain text when the handle does not resolve. With images and a
// Post.Link, the images take the embed and the link is appended to the
// text when it is not there already.
//
// Listings are oldest first. Comments sort by the AppView's indexedAt,
// then URI. Notifications come newest first: ListMentions reads back from
// the newest to its cursor (at most 2,000 notifications a call) and
// returns the oldest after it. Cursors hold the last indexedAt and the
// URIs listed at that instant, so items sharing a (second-precision)
// timestamp are neither repeated nor skipped.
//
// ListMessages lists the messages other people sent, in accepted
// conversations and message requests, oldest first by sentAt then message
// ID, with the same cursor (message IDs instead of URIs). The chat service
// pages messages newest first: each call lists the conversations (at most
// 2,000), skips those whose last message is older than the cursor, and
// reads the others back to the cursor (at most 1,000 messages each; a
// first listing starts at most that far back in each conversation; pass
// Since to start later). chat.bsky.convo.getLog is not used: it starts at
// the present, so it cannot list what was received before. Deleted and
// system messages and the account's own messages are not listed;
// Interaction.ConversationID is what SendMessage answers in.
//
// # Limits
//
// connectors.PresetLimits("bluesky"): 300 graphemes and 3,000 bytes
// (lexicon app.bsky.feed.post), 4 images, 1,000,000 bytes per image (the
// docs; the newer lexicon allows 2 MB: option image_bytes), plus alt text
// 2,000 characters (the Bluesky app's limit; the lexicon sets none).
//
// # Rate limits
//
// docs.bsky.app "Rate Limits": 3,000 requests per 5 minutes per IP;
// createSession 30 per 5 minutes and 300 a day per account; writes 5,000
// points an hour and 35,000 a day (create 3, update 2, delete 1). Writes
// are paced per class (create, update, delete) at the daily budget with a
// burst under the hourly one. Responses carry RateLimit-Limit,
// -Remaining, -Reset (Unix seconds) and -Policy, read with
// transport.DialectIETF; a 429 whose reset is more than an hour away is
// QuotaExceeded.
//
// # Errors
//
// XRPC errors {"error": "<Name>", "message": "..."} are mapped by name:
// ExpiredToken, InvalidToken, AuthenticationRequired, AuthMissing →
// Unauthenticated; AccountTakedown, BlockedActor... → PermissionDenied;
// RecordNotFound, NotFound, HandleNotFound... → NotFound; InvalidSwap →
// Conflict; InvalidRequest → InvalidContent; RateLimitExceeded →
// RateLimited; 5xx → Unavailable (Indeterminate for a write that may have
// been applied). ErrorAs exposes the *XRPCError.
//
// # Idempotency
//
// Bluesky lets the client choose the record key. With
// PublishOptions.IdempotencyKey, each post's key is a TID derived from
// SHA-256 of the idempotency key (its timestamp bits fall in 2023-2024):
// the driver reads that record first and returns it when it exists, else
// writes it with com.atproto.repo.putRecord and swapRecord null, which
// the PDS refuses (InvalidSwap) when the record appeared meanwhile; the
// driver then returns that record. A repeated publish never writes a
// second post, so Description.Idempotent is true, and FindPost reads the
// record back. (Because such keys do not encode the publish time,
// listRecords, which sorts by key, shows them among older records.)
// Without a key, the PDS chooses the key and FindPost looks for the text
// among the 50 most recent posts.
//
// # API
//
//   - https://docs.bsky.app/docs/advanced-guides/posts
//   - https://docs.bsky.app/docs/advanced-guides/post-richtext
//   - https://docs.bsky.app/docs/advanced-guides/rate-limits
//   - https://docs.bsky.app/docs/advanced-guides/resolving-identities
//   - https://atproto.com/specs/xrpc, https://atproto.com/specs/record-key
//   - lexicons: https://github.com/bluesky-social/atproto/tree/main/lexicons
package bluesky
