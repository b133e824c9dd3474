// Package mastodon is the cmkit connector for Mastodon and the servers that
// speak its client API (GoToSocial, Pleroma, Akkoma...). Importing it
// registers the network "mastodon":
//
//	import _ "github.com/cmkit/cmkit/connectors/mastodon"
//
//	acct, err := connectors.OpenURL(ctx, "mastodon://mastodon.social/brand?visibility=unlisted",
//		connectors.Config{Tokens: tokens}, nil)
//
// # Authentication
//
// OAuth 2.0 on each instance. Register an application once per instance
// with RegisterApp (POST /api/v1/apps: name, redirect URIs, scopes; keep
// the returned App), then run the authorization-code flow with
// OAuthConfig and package connectors/oauth, which adds PKCE (S256) and a
// state. PKCE is supported by Mastodon 4.3.0 and later (PKCESupported reads
// the server metadata); on older instances and on GoToSocial 0.17, which
// drops the PKCE parameters, use the oauth2.Config's AuthCodeURL and
// Exchange directly. OOB as the redirect URI makes the instance show the
// code to the user. DefaultScopes ("read write") cover everything the
// driver does; the granular scopes are read:accounts, read:statuses,
// read:notifications, write:statuses, write:media and write:favourites.
// Mastodon access tokens do not expire and have no refresh token; a
// revoked one gives Unauthenticated.
//
// driver.Config fields: Server is the instance's base URL (default
// DefaultServer, https://mastodon.social; a bare host means https);
// Tokens the access token (or TokenStore and TokenKey, with ClientID and
// ClientSecret, for a token saved by connectors/oauth); Account, when set,
// the handle the token must belong to ("brand" or "brand@host"); Username
// and Password are not used. Options: "visibility" (public, the default,
// unlisted, private or direct), "media_wait" (how long to wait for a video
// to be processed, default 1m) and "media_poll" (default 1s): see Options.
//
// # Capabilities
//
// Publish (text, links, hashtags, up to MaxImages images with alt text or
// one video, content warnings, language, visibility), threads (each post
// answers the previous one), Delete, Edit (PUT /api/v1/statuses/:id,
// Mastodon 3.5+; GoToSocial 0.17 has no edits), Comments (the replies
// under a post, from its context), Mentions (notifications of type
// mention), Reply (mentioning the author, keeping a narrower visibility),
// Like (favourite), PostMetrics, AccountMetrics, direct messages (listed
// from conversations, sent as direct statuses), FindPost, and the
// idempotency key.
//
// Not supported, because Mastodon has no such API: hiding a reply
// (there is no per-reply hide for other people's replies; block, mute or
// report the account instead), deleting other people's replies, a first
// comment, and impressions, reach, saves, clicks or views (Mastodon counts
// only favourites, boosts and replies: PostMetrics reports Likes,
// Shares and Comments, the rest invalid).
//
// Notes on content. Mastodon has no link or tag fields: Post.Link and
// Post.Tags are appended to the text (as a line and as hashtags) when the
// text does not hold them yet. Post.Sensitive or Post.SpoilerText mark the
// post sensitive; Mastodon counts the content warning within
// max_characters, which Account validation does not, so the instance may
// answer InvalidContent. Media are uploaded with POST /api/v2/media (from
// Data, Open or a download of URL, without the token) and the driver waits
// for a 202 upload to be processed (GET /api/v1/media/:id answering 206)
// for at most Options.MediaWait; an upload is retried safely, since media
// never attached to a status are removed by the instance.
//
// Statuses come back as HTML: Interaction.Text is PlainText of the content
// (tags removed, link text kept, entities decoded, <br> and paragraphs as
// line breaks), preceded by the content warning when there is one, so
// that moderation reads every word.
//
// # Listings and cursors
//
// Listings are oldest first and resume strictly after their cursor, which
// is an ID: Mastodon IDs are decimal strings and GoToSocial IDs ULIDs;
// both are ordered by length, then character by character, never as
// numbers. Comments come from GET /api/v1/statuses/:id/context (the whole
// thread at once; a direct reply to the post is a Comment, a reply to a
// reply a Reply). Mentions page GET /api/v1/notifications?types[]=mention
// with min_id; replies to the account's posts mention it and are listed
// too, direct messages are not. Messages read GET /api/v1/conversations
// down to the cursor and, for each conversation that moved, its thread,
// so that several messages in one conversation between two polls are all
// listed; the account's own messages are not. Interaction.ConversationID
// is the conversation's ID, which SendMessage answers (mentioning its
// participants and answering its last status); SendMessage also takes
// "@handle" (several separated by spaces) to start a conversation.
//
// # Limits
//
// Describe reads GET /api/v2/instance (entities/Instance.md):
// configuration.statuses.max_characters, characters_reserved_per_url (the
// length every URL counts for) and max_media_attachments;
// configuration.media_attachments.image_size_limit, video_size_limit,
// description_limit (alt text; 1,500 when absent, Mastodon's
// MediaAttachment::MAX_DESCRIPTION_LENGTH) and supported_mime_types.
// Mastodon allows one video per status and no mix of images and video.
// An instance without /api/v2/instance (Mastodon before 4.0) gets
// connectors.PresetLimits("mastodon"): 500 characters, URLs as 23,
// 4 images of 16 MiB or 1 video of 99 MiB.
//
// # Rate limits
//
// Mastodon's defaults (api/rate-limits.md): 300 requests per 5 minutes per
// account, 30 media uploads and 30 deletions per 30 minutes. The driver
// paces three classes with these windows and reads X-RateLimit-Limit,
// X-RateLimit-Remaining and X-RateLimit-Reset (an ISO 8601 time;
// transport.DialectMastodon) on every answer: a class whose remaining
// count reaches 0 waits for the reset, and a 429 ({"error":"Too many
// requests"}) is a *driver.RateLimitError with Reset set. Instances may
// configure other limits; the headers always win.
//
// # Errors
//
// Mastodon answers {"error": "...", "error_description": "..."} and the
// HTTP status decides: 401 Unauthenticated (reconnect the account), 403
// PermissionDenied (a missing scope, a suspended or unconfirmed account),
// 404 and 410 NotFound, 400 and 422 InvalidContent ("Validation failed:
// ..."), 429 RateLimited, 503 Unavailable. A 5xx answer to a publish
// without an idempotency key is Indeterminate: the status may exist. IDs
// that are not Mastodon IDs give NotFound without a request.
//
// # Exactly once
//
// Publish, Reply and SendMessage send PublishOptions.IdempotencyKey as the
// Idempotency-Key header of POST /api/v1/statuses (for a thread, the i-th
// follow-up post gets key+"/i"). Mastodon keeps the key for one hour: a
// request repeated with the same key within the hour returns the status
// created the first time instead of a duplicate, so a publish that failed
// with an unknown outcome can be retried with the same key. This is why
// Description.Idempotent is true. The guarantee depends on the instance:
// after an hour the key is forgotten, and GoToSocial ignores the header
// altogether (Describe then reports Idempotent false). Beyond the hour, or
// there, reconcile with FindPost, which searches the account's 80 most
// recent statuses (GET /api/v1/accounts/:id/statuses) for the same text,
// content warning and parent.
//
// # Raw access
//
// Driver.As gives the *transport.Client (any endpoint, with the driver's
// token, pacing and error mapping) and the instance's base URL.
//
// # API
//
//   - https://docs.joinmastodon.org/methods/apps/ and /methods/oauth/
//   - https://docs.joinmastodon.org/methods/statuses/ (create, edit, delete, context, favourite)
//   - https://docs.joinmastodon.org/methods/media/
//   - https://docs.joinmastodon.org/methods/notifications/
//   - https://docs.joinmastodon.org/methods/conversations/
//   - https://docs.joinmastodon.org/methods/instance/#v2
//   - https://docs.joinmastodon.org/api/rate-limits/ and /entities/Error/
//   - https://docs.gotosocial.org/en/latest/api/swagger/ (GoToSocial's variant)
package mastodon
