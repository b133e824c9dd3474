// Package transport is the HTTP plumbing every cmkit connector shares,
// written once: a Client that paces requests per endpoint class, reads the
// networks' rate-limit headers, authorizes requests with an OAuth2 token
// source, classifies failures into driver error codes and scrubs secrets
// from every message and log line.
//
// It is public so that third-party connectors can use it too. It imports
// only connectors/driver from cmkit.
//
//	c, err := transport.New("mastodon", &transport.Options{
//		BaseURL:           "https://mastodon.social",
//		Tokens:            tokens,
//		Dialect:           transport.DialectMastodon,
//		IdempotencyHeader: "Idempotency-Key",
//		Limits: map[string]transport.Limit{
//			"media:post": transport.Per(30, 30*time.Minute),
//		},
//	})
//	var status struct{ ID string `json:"id"` }
//	err = c.DoJSON(ctx, &transport.Request{
//		Method: "POST", Path: "/api/v1/statuses", Class: "statuses:post",
//		JSON: map[string]any{"status": "Bonjour !"}, IdempotencyKey: key,
//	}, &status)
//
// # Rate limits
//
// Each request names an endpoint class (Request.Class). Before sending,
// Client.Do waits on the class's token bucket (golang.org/x/time/rate) when
// Options.Limits gives it a published limit, so callers are paced before the
// network answers 429. After every response it reads the rate-limit headers
// with the Options.Dialect and:
//
//   - when Remaining is 0 and Reset is in the future, blocks the class
//     until Reset;
//   - on a 429 (or a 503 with Retry-After), blocks the class until
//     Retry-After or Reset; Discord's global limits block every class;
//   - when the network announces its window (RateLimit-Policy "w="), sets
//     the class's rate to Limit per window, creating a limiter with a burst
//     of Limit, less what the window already used, for a class that had
//     none (learned limits).
//
// A class blocked for longer than Options.MaxWait (1 minute by default), or
// past the context's deadline, fails at once with a *driver.RateLimitError
// saying when to come back, without sending anything. Waits are computed
// with Options.Now and slept with timers.
//
// Dialects read each network's headers: DialectX (x-rate-limit-*, Unix
// reset), DialectMastodon (X-RateLimit-*, ISO 8601 reset), DialectGitHub
// (X-RateLimit-*, Unix reset), DialectIETF (RateLimit-*, RateLimit and
// RateLimit-Policy in their successive draft shapes; Bluesky's Unix reset),
// DialectReddit (X-Ratelimit-Used/-Remaining/-Reset), DialectDiscord
// (X-RateLimit-* with Reset-After, Bucket, Scope, Global), DialectGraph
// (Meta's X-App-Usage and X-Business-Use-Case-Usage percentages) and
// DialectRetryAfter (Slack). Auto picks one by the headers present. Every
// dialect also reads Retry-After (ParseRetryAfter). Telegram and Discord
// repeat the wait in their 429 bodies: ParseTelegramRetryAfter and
// ParseDiscordRetryAfter read them, and the default error mapping uses
// both. Every wait is capped at MaxRetryAfter (24 hours).
//
// # Errors
//
// Errors are *driver.Error values with a code, the HTTP status, the
// network's error code and message (ExtractError knows the body shapes of
// the supported networks), and a *driver.RateLimitError for rate limits.
// Non-2xx responses go through Options.ErrorMapper, then the default
// mapping of CodeForStatus. What matters most is whether a failed request
// may have been applied:
//
//   - a request that was never written (dial, DNS or TLS failure, canceled
//     context, pacing) is Unavailable, Canceled or RateLimited: safe to
//     retry;
//   - a non-idempotent request (POST, PATCH without an idempotency key)
//     that failed after it was written, or got a 5xx, is Indeterminate:
//     the post may exist, reconcile before publishing again
//     (driver.PostFinder). A 503 with Retry-After and a 429 say the request
//     was not processed.
//
// The Client knows whether a request was written from
// net/http/httptrace's WroteRequest. A failing token source yields
// Unauthenticated when the token endpoint refused the refresh (invalid_grant
// and other 400 and 401 answers): the user must reconnect the account.
//
// # Retries
//
// None. The Client never sends a request twice: retrying is the decision of
// connectors.Account, which knows whether the operation is idempotent,
// which errors are worth retrying, and how long the user is willing to
// wait. Retrying here as well would multiply attempts and could publish a
// post twice. (Go's http.Transport may itself resend a request on a reused
// keep-alive connection that the server had closed, but only when the
// request had not been written or is idempotent.)
//
// # Security
//
// Error messages and log lines go through Scrub, which removes
// Options.Secrets, the current access and refresh tokens, and common
// credential shapes (Bearer values, access_token= and the like, JSON token
// fields, JWTs, Slack, Telegram, Discord webhook, Meta and Google tokens).
// The token is sent only to BaseURL's host and to Options.TokenHosts, so an
// absolute URL taken from a response (a pagination link) cannot leak it to
// another host; http.Client already drops Authorization on redirects to
// other domains. Response bodies are read with a cap (Options.MaxBodyBytes,
// ReadBody).
package transport
