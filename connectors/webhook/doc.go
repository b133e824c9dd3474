// Package webhook receives the networks' webhook deliveries: it verifies
// them, answers their challenges, and turns them into portable
// driver.Interactions (comments, replies, mentions, direct messages)
// handed to a Sink.
//
// It has three layers, each usable alone:
//
//   - Verifiers, pure functions of the secret, the headers and the raw body:
//     VerifyMeta, VerifySlack, VerifyDiscord, VerifyTelegram, VerifyX and
//     XCRCResponse.
//   - Parsers, pure functions of a verified body: ParseMeta, ParseSlack,
//     ParseDiscord, ParseTelegram, ParseX. Event types that carry no
//     interaction are ignored, not errors.
//   - net/http handlers, one per network: Meta, Slack, Discord, Telegram
//     and X. Each checks the method, caps the body, verifies before
//     parsing, answers the network's challenge, drops redeliveries and
//     calls the Sink.
//
// A typical server mounts one handler per network:
//
//	sink := webhook.SinkFunc(func(ctx context.Context, network string, items []driver.Interaction) error {
//		return inbox.Enqueue(ctx, network, items) // quick: networks time out after a few seconds
//	})
//	mux.Handle("/hooks/meta", webhook.Meta(appSecret, verifyToken, sink, nil))
//	mux.Handle("/hooks/slack", webhook.Slack(signingSecret, sink, nil))
//
// # Networks
//
//	Network            Handler   Authenticity                                  Challenge                          Interactions
//	Facebook Pages     Meta      X-Hub-Signature-256: sha256=hex HMAC(body)    GET hub.mode=subscribe, verify     feed comments and replies, visitor
//	and Instagram                keyed with the app secret                     token -> echo hub.challenge        posts, mentions, Messenger and
//	                                                                                                              Instagram DMs
//	Slack              Slack     X-Slack-Signature: v0=hex HMAC("v0:" + ts +   url_verification -> challenge      app_mention, DMs (im, mpim), thread
//	                             ":" + body), X-Slack-Request-Timestamp                                           replies to the bot
//	Discord            Discord   X-Signature-Ed25519 over X-Signature-         PING (type 1) -> {"type":1}        application commands, modal
//	                             Timestamp + body, app public key                                                 submissions
//	Telegram           Telegram  X-Telegram-Bot-Api-Secret-Token equal to      none                               private messages, group mentions
//	                             setWebhook's secret_token                                                        of and replies to the bot
//	X                  X         x-twitter-webhooks-signature: sha256=base64   GET crc_token -> response_token    tweet_create_events (mentions,
//	                             HMAC(body) keyed with the consumer secret                                        replies), direct_message_events
//
// Mastodon web push (RFC 8030 push with RFC 8291 encryption, subscribed
// per user through /api/v1/push/subscription) is out of scope: it is not
// a signed webhook, it delivers notification IDs that must be fetched
// with the API, and Mastodon's streaming API or polling notifications
// serves a community manager better. LinkedIn, YouTube, Bluesky, Threads
// and Reddit have no webhook a page owner can subscribe to for these
// events, or none covered here; Discord's "Webhook Events" endpoint
// (application authorisations, entitlements) carries no interaction and is
// not handled.
//
// # Security
//
// Every comparison of secret-derived values is constant-time:
// hmac.Equal for HMAC signatures, and crypto/subtle over SHA-256 digests
// for the Telegram secret token and Meta's hub.verify_token (hashing both
// sides first hides even the length). Ed25519 signatures are checked with
// crypto/ed25519. A missing, malformed, or wrongly prefixed header is a
// *VerificationError matching ErrInvalidSignature; so is an empty
// configured secret, which therefore refuses every request instead of
// accepting them.
//
// Replay: Slack and Discord sign a timestamp, and a request whose
// timestamp is more than Options.ReplayWindow (5 minutes by default) from
// Options.Now, in the past or in the future, is refused with an error
// matching ErrStale. Meta, X and Telegram sign no timestamp: a captured
// delivery stays valid, and only the redelivery filter (below) keeps it
// from being emitted twice within its memory.
//
// What is authenticated: for Meta, Slack, Discord and X, the exact raw
// body (the handlers verify the bytes read, before any decoding, so a
// body is never parsed unless authentic). Telegram's secret token is a
// shared bearer secret checked before the body is even read; it proves
// the sender knows the secret, not that the body is intact, so serve the
// endpoint over TLS only (Telegram requires HTTPS anyway). Meta's GET
// handshake is authenticated by the verify token, X's CRC by the response
// only the consumer secret can compute.
//
// Size: bodies are capped by Options.MaxBodyBytes (1 MiB by default):
// a declared Content-Length over the cap is refused with 413 before
// reading, and a body that grows past it while read is cut and refused
// with 413. Signature headers longer than 512 bytes and challenges longer
// than 1 KiB are refused without hashing them.
//
// Status codes: 405 (with Allow) for a wrong method, 413 for a body over
// the cap, 401 for a bad or stale signature or token, 403 for a refused
// Meta handshake, 400 for a malformed payload, 500 when the Sink fails
// (so that the network redelivers), 200 otherwise.
//
// Logs: records go to Options.Logger at Warn (rejections, sink failures)
// and Debug (deliveries, retries, duplicates); they carry the network,
// status, counts and a reason, never a secret, a signature or a body.
//
// # Redeliveries
//
// Networks redeliver when they do not get a 200 in time (Slack after 3
// seconds, with X-Slack-Retry-Num; Meta and Telegram with growing delays).
// The handlers remember what the Sink accepted in a bounded LRU
// (Options.DedupSize keys, 10000 by default, each for Options.DedupTTL, 24
// hours by default) and drop it from later deliveries; a delivery with
// nothing new gets 200 without calling the Sink. Keys are the
// interactions' IDs for Meta, Slack and X (Meta re-batches entries on
// retry, so an entry's id and time would not do; Slack's event_id differs
// between the message and app_mention events of one message), the
// update_id for Telegram (an edited message keeps its ID), and the
// interaction ID for Discord. A key is reserved while its delivery is in
// flight, kept only when the Sink succeeds, and forgotten when it fails,
// so a failed delivery is emitted again on redelivery. The memory is per
// handler and per process: behind several replicas, make the Sink
// idempotent on (network, ID).
//
// # IDs
//
// IDs are those the networks' APIs use, so that a connector can answer
// them: Facebook "pageid_postid" and "postid_commentid", Instagram media
// and comment IDs, Messenger mids, X post and DM event IDs, Discord
// interaction snowflakes. Slack and Telegram message IDs are unique only
// within a channel or chat, so they are given as SlackID(channel, ts)
// and TelegramID(chat, message_id); ConversationID is the channel or chat.
// X direct messages get X API v2's one-to-one dm_conversation_id.
// Author.Followers is -1 (unknown) unless the payload says.
//
// # Errors
//
// Verifiers return *VerificationError, matching ErrInvalidSignature or
// ErrStale. Parsers return a *driver.Error with code InvalidContent
// (errors.Is(err, driver.ErrInvalidContent)) for a body that is not the
// documented JSON; they never panic, whatever the input (fuzzed).
package webhook
