package driver

import (
	"io"
	"time"
)

// Post is what a community manager publishes: text, links, media, and where
// it goes (a reply, a thread).
type Post struct {
	// Text is the body, as the author wrote it. Links and hashtags stay in
	// the text; drivers compute what the network needs (Bluesky facets,
	// LinkedIn escaping).
	Text string
	// Title is used by networks that have one (blogs, Reddit, YouTube).
	Title string
	// Link is an explicit link attachment (a link card), when the network
	// distinguishes it from links in the text.
	Link string
	// Media are attached images or videos, in display order.
	Media []Media
	// ReplyTo is the network ID of the post or comment this one answers,
	// or empty.
	ReplyTo string
	// Thread holds follow-up posts published as a thread under this one,
	// each replying to the previous. Networks without threads reject it.
	Thread []Post
	// FirstComment is published as the first comment under the post where
	// the network has comments (Instagram, LinkedIn, Facebook).
	FirstComment string
	// Language is the BCP 47 tag of the text ("fr", "en"), when known.
	Language string
	// Tags are hashtags or categories for networks that keep them apart
	// from the text (Tumblr, blogs, YouTube).
	Tags []string
	// Sensitive marks content behind a warning (Mastodon's spoiler text,
	// Bluesky's self-labels); SpoilerText is the warning.
	Sensitive   bool
	SpoilerText string
}

// MediaKind is the kind of a media attachment.
type MediaKind int

// The media kinds.
const (
	MediaImage MediaKind = iota + 1
	MediaVideo
	MediaGIF
)

// String returns "image", "video" or "gif".
func (k MediaKind) String() string {
	switch k {
	case MediaImage:
		return "image"
	case MediaVideo:
		return "video"
	case MediaGIF:
		return "gif"
	}
	return "unknown"
}

// Media is an image or video to attach. Exactly one of Data, Open or URL
// provides the bytes.
type Media struct {
	Kind MediaKind
	// MIMEType, e.g. "image/jpeg". Required.
	MIMEType string
	// AltText describes the image for people who cannot see it. Most
	// networks limit its length; it is validated like Text.
	AltText string
	// Filename is a hint for networks that want one.
	Filename string
	// Size is the length in bytes (required with Open; len(Data) otherwise).
	Size int64
	// Width and Height in pixels, and Duration for videos, when known;
	// validated against the network's limits.
	Width, Height int
	Duration      time.Duration
	// Data holds the bytes in memory.
	Data []byte
	// Open returns a new reader of the bytes each time it is called (a
	// publish may be retried).
	Open func() (io.ReadCloser, error)
	// URL is a public URL the network fetches itself (Instagram, Threads).
	URL string
}

// PublishStatus is the outcome of a publish call that returned no error.
type PublishStatus int

// The publish outcomes.
const (
	// Published: the post is live; PublishResult.ID is set.
	Published PublishStatus = iota + 1
	// Pending: the network accepted the post and processes it
	// asynchronously (Instagram containers, video processing). Call
	// driver.PendingResolver.CheckPending with PublishResult.Pending.
	Pending
)

// String returns "published" or "pending".
func (s PublishStatus) String() string {
	switch s {
	case Published:
		return "published"
	case Pending:
		return "pending"
	}
	return "unknown"
}

// PublishOptions are per-call options of a publish.
type PublishOptions struct {
	// IdempotencyKey identifies this publish across retries and restarts.
	// Drivers of networks that honour one send it (Mastodon's
	// Idempotency-Key, Discord's nonce with enforce_nonce, a Bluesky record
	// key derived from it); others use it to find the post again
	// (driver.PostFinder). The scheduler always sets it.
	IdempotencyKey string
}

// PublishResult is what a publish returns.
type PublishResult struct {
	Status PublishStatus
	// ID is the network's ID of the post (for a thread, of its first post).
	ID string
	// URL is the permalink, when the network gives one.
	URL string
	// ThreadIDs holds the IDs of the thread's follow-up posts, in order.
	ThreadIDs []string
	// FirstCommentID is the ID of the first comment, if one was published.
	FirstCommentID string
	// Pending is opaque resume state for driver.PendingResolver when Status
	// is Pending (a container ID, an upload session).
	Pending []byte
	// PublishedAt is the network's timestamp, when it gives one.
	PublishedAt time.Time
}

// InteractionKind is what kind of interaction arrived.
type InteractionKind int

// The interaction kinds.
const (
	// Comment on one of the account's posts.
	Comment InteractionKind = iota + 1
	// Reply to a comment (a nested comment).
	Reply
	// Mention of the account outside its own posts.
	Mention
	// DirectMessage received in a private conversation.
	DirectMessage
)

// String returns "comment", "reply", "mention" or "dm".
func (k InteractionKind) String() string {
	switch k {
	case Comment:
		return "comment"
	case Reply:
		return "reply"
	case Mention:
		return "mention"
	case DirectMessage:
		return "dm"
	}
	return "unknown"
}

// Author identifies a person or account on a network.
type Author struct {
	// ID is the network's stable identifier (a DID, a numeric ID).
	ID string
	// Handle is the @-name, without the '@' ("brand.bsky.social").
	Handle string
	// Name is the display name.
	Name string
	// URL is the profile's address.
	URL string
	// CreatedAt is when the account was created, when the network says
	// (moderation uses account age).
	CreatedAt time.Time
	// Followers is the author's follower count, or -1 when unknown.
	Followers int64
	// Verified reports a network's verification badge.
	Verified bool
}

// Interaction is a comment, reply, mention or direct message.
type Interaction struct {
	Kind InteractionKind
	// ID is the network's ID of this comment or message.
	ID string
	// Network is the registry name of the network it came from.
	Network string
	// PostID is the ID of the account's post it belongs to (for comments
	// and replies), or empty.
	PostID string
	// ParentID is the ID of the comment or post it answers, or empty.
	ParentID string
	// ConversationID groups direct messages.
	ConversationID string
	Author         Author
	Text           string
	Language       string
	CreatedAt      time.Time
	// URL is the permalink, when there is one.
	URL string
	// Hidden reports whether the comment is hidden from the public.
	Hidden bool
}

// PageRequest asks for one page of a listing.
type PageRequest struct {
	// Cursor resumes after the last item of a previous page; empty starts
	// from the oldest item the network still returns (bounded by Since).
	Cursor string
	// Since, when not zero, excludes items created before it.
	Since time.Time
	// Limit caps the page size; 0 means the driver's default. Drivers may
	// return fewer.
	Limit int
}

// InteractionPage is one page of interactions, oldest first.
type InteractionPage struct {
	Items []Interaction
	// Next resumes after the last item of Items. It is always set: when a
	// page is empty it is the cursor that was passed in (or a cursor that
	// resumes at the same place), so a caller can poll with it later.
	Next string
	// More reports that more items are available now.
	More bool
}

// Metric is a count that a network may not report: Valid is false when
// the network does not give it (Bluesky has no impressions).
type Metric struct {
	Value int64
	Valid bool
}

// M returns a valid Metric holding v.
func M(v int64) Metric { return Metric{Value: v, Valid: true} }

// PostMetrics are the counters of one post, as the network reports them.
type PostMetrics struct {
	PostID      string
	Impressions Metric
	Reach       Metric
	Likes       Metric
	Comments    Metric
	Shares      Metric
	Saves       Metric
	Clicks      Metric
	VideoViews  Metric
	// FetchedAt is when the counters were read.
	FetchedAt time.Time
}

// AccountMetrics are the account's audience counters.
type AccountMetrics struct {
	Followers Metric
	Following Metric
	Posts     Metric
	FetchedAt time.Time
}
