package connectors

import "github.com/cmkit/cmkit/connectors/driver"

// The portable types, re-exported from package driver so that users write
// connectors.Post and never import driver. See driver for their fields.
type (
	// Post is what a community manager publishes.
	Post = driver.Post
	// Media is an image or video to attach to a Post.
	Media = driver.Media
	// MediaKind is the kind of a Media.
	MediaKind = driver.MediaKind
	// PublishOptions are per-call options of a publish.
	PublishOptions = driver.PublishOptions
	// PublishResult is what a publish returns.
	PublishResult = driver.PublishResult
	// PublishStatus is the outcome of a successful publish call.
	PublishStatus = driver.PublishStatus
	// Interaction is a comment, reply, mention or direct message.
	Interaction = driver.Interaction
	// InteractionKind is what kind of interaction arrived.
	InteractionKind = driver.InteractionKind
	// Author identifies a person or account on a network.
	Author = driver.Author
	// PageRequest asks for one page of a listing.
	PageRequest = driver.PageRequest
	// InteractionPage is one page of interactions, oldest first.
	InteractionPage = driver.InteractionPage
	// Metric is a count a network may not report (Valid false).
	Metric = driver.Metric
	// PostMetrics are the counters of one post.
	PostMetrics = driver.PostMetrics
	// AccountMetrics are the account's audience counters.
	AccountMetrics = driver.AccountMetrics
	// Description is what a driver says of its account and network.
	Description = driver.Description
	// Limits are a network's content limits.
	Limits = driver.Limits
	// TextRule is how a network counts the length of text.
	TextRule = driver.TextRule
	// Capability is one thing an Account can do.
	Capability = driver.Capability
	// Capabilities is a set of Capability.
	Capabilities = driver.Capabilities
	// Config is what Open passes to a connector.
	Config = driver.Config
	// TokenStore persists OAuth2 and session tokens.
	TokenStore = driver.TokenStore
	// ErrorCode classifies an error into what a caller can act on.
	ErrorCode = driver.ErrorCode
	// Error is an error with a code, the network's message and the cause.
	Error = driver.Error
	// RateLimitError is the detail of a RateLimited or QuotaExceeded error.
	RateLimitError = driver.RateLimitError
	// ValidationError says why content cannot be published on a network.
	ValidationError = driver.ValidationError
)

// The media kinds.
const (
	MediaImage = driver.MediaImage
	MediaVideo = driver.MediaVideo
	MediaGIF   = driver.MediaGIF
)

// The publish outcomes.
const (
	Published = driver.Published
	Pending   = driver.Pending
)

// The interaction kinds.
const (
	Comment       = driver.Comment
	Reply         = driver.Reply
	Mention       = driver.Mention
	DirectMessage = driver.DirectMessage
)

// The text counting rules.
const (
	CountCodePoints = driver.CountCodePoints
	CountWeighted   = driver.CountWeighted
	CountGraphemes  = driver.CountGraphemes
	CountURLsFixed  = driver.CountURLsFixed
)

// The capabilities. The table in the package documentation names the driver
// interface behind each.
const (
	CapPublish        = driver.CapPublish
	CapDelete         = driver.CapDelete
	CapEdit           = driver.CapEdit
	CapComments       = driver.CapComments
	CapMentions       = driver.CapMentions
	CapReply          = driver.CapReply
	CapHideComment    = driver.CapHideComment
	CapDeleteComment  = driver.CapDeleteComment
	CapLike           = driver.CapLike
	CapPostMetrics    = driver.CapPostMetrics
	CapAccountMetrics = driver.CapAccountMetrics
	CapReadMessages   = driver.CapReadMessages
	CapSendMessages   = driver.CapSendMessages
	CapPending        = driver.CapPending
	CapFindPost       = driver.CapFindPost
	CapThreads        = driver.CapThreads
	CapFirstComment   = driver.CapFirstComment
	CapMedia          = driver.CapMedia
	CapIdempotencyKey = driver.CapIdempotencyKey
)

// The error codes; see driver.ErrorCode for what each means.
const (
	Unknown          = driver.Unknown
	InvalidContent   = driver.InvalidContent
	NotFound         = driver.NotFound
	PermissionDenied = driver.PermissionDenied
	Unauthenticated  = driver.Unauthenticated
	RateLimited      = driver.RateLimited
	QuotaExceeded    = driver.QuotaExceeded
	Unavailable      = driver.Unavailable
	Unsupported      = driver.Unsupported
	Duplicate        = driver.Duplicate
	Indeterminate    = driver.Indeterminate
	Canceled         = driver.Canceled
	Conflict         = driver.Conflict
)

// The sentinels, one per code, the same values as driver's. Errors returned
// by an Account match them with errors.Is.
var (
	ErrInvalidContent   = driver.ErrInvalidContent
	ErrNotFound         = driver.ErrNotFound
	ErrPermissionDenied = driver.ErrPermissionDenied
	ErrUnauthenticated  = driver.ErrUnauthenticated
	ErrRateLimited      = driver.ErrRateLimited
	ErrQuotaExceeded    = driver.ErrQuotaExceeded
	ErrUnavailable      = driver.ErrUnavailable
	ErrUnsupported      = driver.ErrUnsupported
	ErrDuplicate        = driver.ErrDuplicate
	ErrIndeterminate    = driver.ErrIndeterminate
	ErrCanceled         = driver.ErrCanceled
	ErrConflict         = driver.ErrConflict
)

// Code returns the code of err: that of the first *Error, *RateLimitError,
// *ValidationError or sentinel in its chain; Canceled for a context error;
// Unknown otherwise (and for nil).
func Code(err error) ErrorCode { return driver.CodeOf(err) }
