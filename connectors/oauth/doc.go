// Package oauth connects accounts with OAuth 2.0 and keeps their tokens
// fresh, for cmkit connectors: the authorization-code flow with PKCE and
// state (Config), a token source that refreshes through a
// driver.TokenStore and never loses a rotated refresh token (TokenSource),
// and two stores (MemoryTokenStore, FileTokenStore).
//
// It builds on golang.org/x/oauth2 and imports only connectors/driver from
// cmkit.
//
// Connecting an account:
//
//	flow := &oauth.Config{OAuth2: &oauth2.Config{...}, Network: "x"}
//	u, f, err := flow.AuthCodeURL()        // redirect the user to u; keep f in the session
//	tok, err := flow.Exchange(ctx, f, r.URL.Query()) // in the callback handler
//	ts := oauth.NewTokenSource(flow.OAuth2, store, "acme/x", &oauth.TokenSourceOptions{Initial: tok})
//
// then pass ts as driver.Config.Tokens or transport.Options.Tokens.
//
// # Token rotation
//
// Several networks rotate refresh tokens (X, Slack with rotation, TikTok,
// Pinterest, Bluesky sessions): once a refresh token is used, the old one
// is dead. TokenSource therefore saves every refreshed token to the store
// before returning it, and returns an error rather than a token it could
// not save. One refresh runs at a time per TokenSource, and it reloads the
// store before refreshing, in case another process sharing the store
// already did. A token is refreshed when it expires within EarlyExpiry
// (1 minute by default).
//
// # Errors
//
// Errors are *driver.Error values. A refused refresh (invalid_grant:
// revoked, expired or already-used refresh token; unauthorized_client) is
// Unauthenticated, with a message telling the user to reconnect the
// account; a token endpoint that cannot be reached or fails is Unavailable.
// In the flow, a state mismatch (ErrStateMismatch), an expired flow
// (ErrFlowExpired) and a user who declined (ErrAccessDenied, a
// *CallbackError) are PermissionDenied. Stores return errors matching
// driver.ErrNotFound for missing keys.
//
// # Rate limits
//
// Token endpoints are rarely limited, but a refresh costs a request: the
// token is reused until it nearly expires, one refresh serves every
// concurrent caller, and a refused refresh token is never sent again.
//
// # Retries
//
// None. A refresh is sent once per call; retrying is the caller's decision
// (connectors.Account), and retrying a refresh that may have rotated the
// token would only produce invalid_grant. Set oauth2.Endpoint.AuthStyle
// when it is known: with the default AuthStyleAutoDetect, x/oauth2 itself
// repeats a failed token request with the other client-authentication
// style.
//
// # Security
//
// The state is 256 random bits from crypto/rand, compared in constant
// time; PKCE uses S256. A Flow is secret and expires after FlowTTL.
// FileTokenStore writes 0600 files in a 0700 directory. Error messages
// carry the OAuth error code and description, never a token or a response
// body.
package oauth
