// Package connectors is how cmkit talks to social networks, blogs, forums
// and chat platforms.
//
// Users hold a concrete *Account: one authenticated presence on one
// network, with portable types for posts, media, interactions and metrics.
// Connector authors implement the small interfaces of package
// connectors/driver; the Account adds, once for every network, capability
// checks, content validation, retries that honour rate limits, and errors
// wrapped with the operation and network. The portable types and error
// codes are driver's, re-exported here under the same names.
//
// # Opening an account
//
// Connector packages register themselves by name when imported; Open
// opens a registered network with a Config, OpenURL with a connection URL:
//
//	import _ "github.com/cmkit/cmkit/connectors/mastodon"
//
//	acct, err := connectors.OpenURL(ctx, "mastodon://mastodon.social/brand",
//		connectors.Config{Tokens: tokenSource}, nil)
//	if err != nil { ... }
//	defer acct.Close()
//	res, err := acct.Publish(ctx, &connectors.Post{Text: "Bonjour !"}, nil)
//
// A connection URL is network[+http]://[user@]host[/account][?option=v]:
// the host is the server when a path names the account, or the account
// itself otherwise; the query holds the connector's options. Secrets never
// go in a URL: passwords and secret-looking options are rejected. NewAccount
// wraps a driver opened by other means, with AccountOptions for retries,
// logging and the clock.
//
// # Capabilities
//
// Every Account can publish. Anything else depends on the network and on
// the account; Capabilities and Supports report it, and a method whose
// capability is missing returns an error matching ErrUnsupported without
// calling the network. A capability comes from an optional driver interface
// or from the driver's Description, minus Description.Declined:
//
//	Capability         Account methods                   From
//	CapPublish         Publish                           driver.Driver (always)
//	CapDelete          Delete                            driver.Deleter
//	CapEdit            Edit                              driver.Editor
//	CapComments        Comments                          driver.CommentLister
//	CapMentions        Mentions                          driver.MentionLister
//	CapReply           Reply                             driver.Replier
//	CapHideComment     HideComment, UnhideComment        driver.CommentHider
//	CapDeleteComment   DeleteComment                     driver.CommentDeleter
//	CapLike            Like, Unlike                      driver.Liker
//	CapPostMetrics     PostMetrics                       driver.PostMetricsReader
//	CapAccountMetrics  AccountMetrics                    driver.AccountMetricsReader
//	CapReadMessages    Messages                          driver.MessageLister
//	CapSendMessages    SendMessage                       driver.MessageSender
//	CapPending         CheckPending                      driver.PendingResolver
//	CapFindPost        FindPost                          driver.PostFinder
//	CapThreads         Publish with Post.Thread          Limits.Threads
//	CapFirstComment    Publish with Post.FirstComment    Limits.FirstComment
//	CapMedia           Publish with Post.Media           not Limits.NoMedia
//	CapIdempotencyKey  PublishOptions.IdempotencyKey     Description.Idempotent
//
// As gives access to the network's raw client and ErrorAs to its raw
// errors, where a connector documents them.
//
// # Errors
//
// Every error an Account returns carries an ErrorCode, read with Code, and
// matches the code's sentinel with errors.Is: ErrInvalidContent,
// ErrNotFound, ErrPermissionDenied, ErrUnauthenticated (reconnect the
// account), ErrRateLimited, ErrQuotaExceeded, ErrUnavailable,
// ErrUnsupported, ErrDuplicate, ErrIndeterminate (the post may have been
// published: reconcile with FindPost), ErrCanceled and ErrConflict. Typed
// details come with errors.As: *Error (Op, Network, HTTP Status, the
// network's code and message), *RateLimitError (RetryAfter, Reset, Limit,
// Remaining) and *ValidationError (Field, Limit, Got, Unit). Errors are
// wrapped exactly once: "connectors: mastodon: Publish: rate limited: ...".
// Bad arguments (an empty ID, a nil post) have code InvalidContent. Never
// match error strings.
//
// # Rate limits and retries
//
// The Account retries, for every connector, calls that failed with
// RateLimited or Unavailable: by the driver contract these mean the network
// did not process the request, so retrying is safe for reads, deletes,
// likes and publishes alike. Nothing else is retried: not QuotaExceeded
// (the budget resets on a calendar: defer the work), not Unauthenticated,
// not Indeterminate or Unknown (a publish may have gone through), not
// InvalidContent or NotFound. Retries use exponential backoff with jitter
// (cenkalti/backoff), at most AccountOptions.MaxRetries times (default 3),
// never sooner than the network asked (RateLimitError.Wait, from
// Retry-After or the reset time), and stop when the context is done. When
// the network asks to wait longer than AccountOptions.MaxWait (default one
// minute), the rate-limit error is returned at once so a scheduler can
// defer the work instead of holding a goroutine. Each retry is logged at
// Warn. Drivers never retry; pacing requests is transport's job.
//
// # Validation
//
// Publish, Reply, Edit and SendMessage validate the post against the
// account's Limits before any request, so content the network would refuse
// costs no call and no quota. ValidatePost does the same for any Limits,
// and PresetLimits returns the published limits of well-known networks, to
// check a draft for several networks before any account is connected:
//
//	l, _ := connectors.PresetLimits("x")
//	err := connectors.ValidatePost(post, l, "X")
//	// text is 312 characters, X allows 280
//
// Each violation is a *ValidationError naming the field, limit and value,
// in words a community manager can act on; all of them are returned,
// joined. Text is counted as the network counts it (package textcount):
// X's weighted count with URLs as 23, Bluesky's graphemes and bytes,
// Mastodon's fixed-length URLs, code points elsewhere.
//
// # Networks
//
// Connectors live in subpackages and register a name with Register in an
// init function; Networks lists those linked into the program:
//
//	mastodon   connectors/mastodon     Mastodon and compatible servers (GoToSocial)
//	bluesky    connectors/bluesky      Bluesky and other AT Protocol PDSes
//	matrix     connectors/matrix       Matrix rooms (client-server API)
//	discord    connectors/discord      Discord channels (bot token or webhook)
//	slack      connectors/slack        Slack channels (bot token)
//	telegram   connectors/telegram     Telegram chats and channels (Bot API)
//	mem        connectors/memconnector an in-memory network for tests and demos
//
// Writing one is described in package driver (and CONTRIBUTING.md) and
// checked by package connectortest; examples/connector is a minimal one.
package connectors
