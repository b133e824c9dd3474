package driver

import (
	"context"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"golang.org/x/oauth2"
)

// Driver is the core every connector implements: describe the account and
// publish to it. Everything else is an optional interface below, discovered
// by type assertion.
//
// Drivers are safe for concurrent use. They do not validate content (the
// Account does, from Description.Limits), do not retry (the Account
// retries what can be retried) and do not pace calls that are made through
// transport.Client (it paces them). They return errors classified with
// codes: *Error, *RateLimitError or *ValidationError.
type Driver interface {
	// Describe returns the account's identity, its network's content limits
	// and what it cannot do. The Account calls it once when it opens and
	// caches the result; it may do I/O (Mastodon reads the instance's
	// configured limits).
	Describe(ctx context.Context) (Description, error)

	// Publish publishes p with its media, thread and first comment.
	//
	// On success it returns Status Published with the post's ID, or Pending
	// with resume state. It must not retry internally after a request was
	// sent: if the outcome is unknown (timeout or lost connection after
	// sending) it returns an error with code Indeterminate. When a thread
	// fails half-way, it returns the error and a PublishResult holding the
	// IDs already published, so nothing is published twice.
	Publish(ctx context.Context, p *Post, opts PublishOptions) (PublishResult, error)
}

// Deleter deletes the account's own posts. Deleting a post that does not
// exist returns ErrNotFound.
type Deleter interface {
	DeletePost(ctx context.Context, postID string) error
}

// Editor edits the account's own posts in place. Networks without edits do
// not implement it.
type Editor interface {
	EditPost(ctx context.Context, postID string, p *Post) (PublishResult, error)
}

// CommentLister lists the comments and replies under one of the account's
// posts, oldest first, resuming after PageRequest.Cursor. An unknown post
// returns ErrNotFound.
type CommentLister interface {
	ListComments(ctx context.Context, postID string, req PageRequest) (InteractionPage, error)
}

// MentionLister lists mentions of the account, and replies to it where the
// network reports them together (notifications), oldest first, resuming
// after PageRequest.Cursor.
type MentionLister interface {
	ListMentions(ctx context.Context, req PageRequest) (InteractionPage, error)
}

// Replier answers a post or comment. parentID is the ID of what is
// answered; the reply is published as the account. Outcome rules are those
// of Driver.Publish.
type Replier interface {
	Reply(ctx context.Context, parentID string, p *Post, opts PublishOptions) (PublishResult, error)
}

// CommentHider hides a comment from the public, or shows it again, without
// deleting it (Facebook is_hidden, Instagram hide, X hidden replies).
type CommentHider interface {
	SetCommentHidden(ctx context.Context, commentID string, hidden bool) error
}

// CommentDeleter deletes a comment on one of the account's posts, including
// other people's where the network allows it.
type CommentDeleter interface {
	DeleteComment(ctx context.Context, commentID string) error
}

// Liker likes a post or comment, or takes the like back. Liking twice is
// not an error.
type Liker interface {
	SetLiked(ctx context.Context, id string, liked bool) error
}

// PostMetricsReader reads a post's counters. Counters the network does not
// report are left invalid, never zero.
type PostMetricsReader interface {
	PostMetrics(ctx context.Context, postID string) (PostMetrics, error)
}

// AccountMetricsReader reads the account's audience counters.
type AccountMetricsReader interface {
	AccountMetrics(ctx context.Context) (AccountMetrics, error)
}

// MessageLister lists direct messages received, oldest first, resuming
// after PageRequest.Cursor.
type MessageLister interface {
	ListMessages(ctx context.Context, req PageRequest) (InteractionPage, error)
}

// MessageSender sends a direct message in a conversation (or to a user ID,
// where the network addresses messages to users).
type MessageSender interface {
	SendMessage(ctx context.Context, conversationID string, p *Post, opts PublishOptions) (PublishResult, error)
}

// PendingResolver completes an asynchronous publish. CheckPending is one
// read-only check: it returns Pending while the network still processes,
// Published once the post is live, and it must keep returning Published
// (never Pending again) after that, so a retry cannot publish twice.
type PendingResolver interface {
	CheckPending(ctx context.Context, pending []byte) (PublishResult, error)
}

// PostFinder looks for a post published earlier with the given idempotency
// key or content, to reconcile a publish whose outcome was Indeterminate.
// It returns the post (Status Published, or Pending with resume state when
// the network still processes it) or ErrNotFound when it is sure the post
// was not published. Any other error means it could not tell: the caller
// must not publish again on it.
type PostFinder interface {
	FindPost(ctx context.Context, idempotencyKey string, p *Post) (PublishResult, error)
}

// Aser gives access to the network's raw client: As(&target) sets target
// and returns true when target's type is one the driver documents.
type Aser interface {
	As(target any) bool
}

// ErrorAser exposes the network's raw error values behind an error the
// driver returned.
type ErrorAser interface {
	ErrorAs(err error, target any) bool
}

// Description is what a driver says of its account and network.
type Description struct {
	// Network is the registry name ("mastodon").
	Network string
	// DisplayName is the network's name for people ("Mastodon").
	DisplayName string
	// AccountID is the network's ID of the account; Handle its @-name; URL
	// its profile or page address.
	AccountID string
	Handle    string
	URL       string
	// Limits are the content limits publishing is validated against.
	Limits Limits
	// Idempotent reports that the network honours
	// PublishOptions.IdempotencyKey, so a publish can be retried safely.
	Idempotent bool
	// Declined lists capabilities whose interface the driver implements but
	// this account cannot use (a personal Instagram account has no
	// insights); calling them returns ErrUnsupported.
	Declined Capabilities
}

// TextRule is how a network counts the length of text.
type TextRule int

// The text counting rules.
const (
	// CountCodePoints counts Unicode code points (LinkedIn, Instagram,
	// Telegram, Discord, Slack).
	CountCodePoints TextRule = iota
	// CountWeighted is X's twitter-text v3 weighted count: most Latin text
	// weighs 1, CJK and emoji 2, every URL 23, limit 280.
	CountWeighted
	// CountGraphemes counts grapheme clusters (Bluesky: 300), with a byte
	// limit as well (Limits.MaxTextBytes).
	CountGraphemes
	// CountURLsFixed counts code points but every URL as Limits.URLLength
	// (Mastodon: 23) and a mention as its local part only.
	CountURLsFixed
)

// String names the rule.
func (r TextRule) String() string {
	switch r {
	case CountCodePoints:
		return "characters"
	case CountWeighted:
		return "weighted characters"
	case CountGraphemes:
		return "graphemes"
	case CountURLsFixed:
		return "characters (URLs fixed)"
	}
	return "unknown"
}

// Limits are a network's content limits. Zero means no limit, except where
// a field says otherwise.
type Limits struct {
	TextRule TextRule
	// MaxText is the text limit in TextRule units.
	MaxText int
	// MaxTextBytes is a limit on the UTF-8 length (Bluesky: 3000).
	MaxTextBytes int
	// URLLength is the length every URL counts for under CountURLsFixed.
	URLLength int
	MaxTitle  int
	// MaxHashtags and MaxMentions cap #tags and @mentions (Instagram: 30
	// hashtags, 20 mentions).
	MaxHashtags int
	MaxMentions int
	// MaxImages and MaxVideos cap attachments per post; NoMedia says the
	// network takes no attachments at all.
	MaxImages int
	MaxVideos int
	NoMedia   bool
	// MixedMedia allows images and videos in the same post.
	MixedMedia bool
	// MediaRequired: a post needs at least one attachment (Instagram).
	MediaRequired bool
	// MaxImageBytes, MaxVideoBytes and MaxVideoDuration bound attachments.
	MaxImageBytes    int64
	MaxVideoBytes    int64
	MaxVideoDuration time.Duration
	// MaxAltText is the alt-text limit in code points.
	MaxAltText int
	// ImageTypes and VideoTypes are the accepted MIME types; nil accepts
	// any of the kind.
	ImageTypes []string
	VideoTypes []string
	// Threads allows Post.Thread; FirstComment allows Post.FirstComment.
	Threads      bool
	FirstComment bool
	// MaxThread caps the number of posts in a thread, the head included.
	MaxThread int
}

// Capability is one thing an Account can do.
type Capability uint32

// Capabilities is a set of Capability.
type Capabilities = Capability

// The capabilities.
const (
	CapPublish Capability = 1 << iota
	CapDelete
	CapEdit
	CapComments
	CapMentions
	CapReply
	CapHideComment
	CapDeleteComment
	CapLike
	CapPostMetrics
	CapAccountMetrics
	CapReadMessages
	CapSendMessages
	CapPending
	CapFindPost
	CapThreads
	CapFirstComment
	CapMedia
	CapIdempotencyKey
	capEnd
)

var capNames = [...]string{
	"publish", "delete", "edit", "comments", "mentions", "reply", "hide-comment",
	"delete-comment", "like", "post-metrics", "account-metrics", "read-messages",
	"send-messages", "pending", "find-post", "threads", "first-comment", "media",
	"idempotency-key",
}

// Has reports whether every capability in c is in the set.
func (s Capability) Has(c Capability) bool { return s&c == c }

// String lists the capabilities in the set, e.g. "publish,delete,like".
func (s Capability) String() string {
	var b strings.Builder
	for i, name := range capNames {
		if s&(1<<i) != 0 {
			if b.Len() > 0 {
				b.WriteByte(',')
			}
			b.WriteString(name)
		}
	}
	return b.String()
}

// TokenStore persists OAuth2 tokens (and session tokens such as Bluesky's
// JWTs, stored as an oauth2.Token) so a refreshed or rotated token survives
// a restart. Implementations are safe for concurrent use.
type TokenStore interface {
	// LoadToken returns the token saved under key, or an error matching
	// ErrNotFound.
	LoadToken(ctx context.Context, key string) (*oauth2.Token, error)
	// SaveToken saves tok under key, replacing any previous one. It must
	// be durable when it returns.
	SaveToken(ctx context.Context, key string, tok *oauth2.Token) error
}

// Config is what connectors.Open passes to a driver's OpenFunc.
type Config struct {
	// Server is the base URL of the network's API, instance, PDS or
	// homeserver; empty means the network's public default.
	Server string
	// Account selects the account: a handle, page ID, channel, room or
	// blog, as each driver documents.
	Account string
	// Tokens supplies credentials (an OAuth2 access token, refreshed as
	// needed). Drivers that log in with a password (Bluesky app passwords,
	// Matrix) use Username and Password instead and keep their session
	// tokens in TokenStore.
	Tokens oauth2.TokenSource
	// TokenStore, when set, persists tokens under TokenKey.
	TokenStore TokenStore
	TokenKey   string
	// Username and Password are for networks that log in with them.
	Username string
	Password string
	// ClientID and ClientSecret identify the OAuth2 application, for
	// drivers that refresh tokens themselves.
	ClientID     string
	ClientSecret string
	// Options holds network-specific settings, documented by each driver
	// (from the query of a connection URL).
	Options map[string]string
	// HTTPClient is used for every request; nil means a client with
	// sensible timeouts.
	HTTPClient *http.Client
	// Logger receives debug logs with secrets scrubbed; nil discards.
	Logger *slog.Logger
	// Now is the clock; nil means time.Now.
	Now func() time.Time
	// UserAgent is sent on every request; empty means "cmkit".
	UserAgent string
}

// OpenFunc opens a driver for one account. It is what a connector package
// registers with connectors.Register.
type OpenFunc func(ctx context.Context, cfg Config) (Driver, error)
