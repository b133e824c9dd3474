package connectors

import (
	"context"
	"io"
	"log/slog"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// AccountOptions tune an Account. The zero value, or nil, gives the
// defaults documented on each field.
type AccountOptions struct {
	// MaxRetries is how many times a failed call is retried after the first
	// attempt, when its error can be retried (see the package
	// documentation). Defaults to 3; a negative value disables retries.
	MaxRetries int
	// MaxWait is the longest the Account waits for a rate limit to pass:
	// when the network asks to wait longer, the *RateLimitError is returned
	// at once so the caller (a scheduler) can defer the work. Defaults to
	// one minute.
	MaxWait time.Duration
	// InitialInterval is the first backoff delay between retries; it grows
	// exponentially with jitter up to MaxInterval. Defaults to 500ms and
	// 30s.
	InitialInterval time.Duration
	MaxInterval     time.Duration
	// Logger receives a Warn record for each retry. Nil discards.
	Logger *slog.Logger
	// Now is the clock used to read rate-limit resets. Defaults to
	// time.Now.
	Now func() time.Time
	// Sleep waits d or until ctx is done, returning ctx.Err() then.
	// Defaults to a timer; tests inject one that records the delay and
	// returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Account is one authenticated presence on one network: the type users
// hold. It wraps a driver.Driver and adds, once for every network,
// capability checks, content validation against the network's limits,
// retries with backoff that honour rate limits, and errors wrapped with the
// operation and network.
//
// An Account is safe for concurrent use by multiple goroutines.
type Account struct {
	d     driver.Driver
	desc  Description
	caps  Capabilities
	lim   Limits // desc.Limits adjusted to caps, for validation
	retry retryPolicy
}

// NewAccount wraps d. It calls d.Describe once (retrying transient
// failures) and caches the Description; the capabilities are the optional
// driver interfaces d implements, plus those implied by its limits, minus
// Description.Declined. opts may be nil.
func NewAccount(ctx context.Context, d driver.Driver, opts *AccountOptions) (*Account, error) {
	if d == nil {
		return nil, &Error{Code: InvalidContent, Op: "NewAccount", Message: "nil driver"}
	}
	a := &Account{d: d, retry: newRetryPolicy(opts)}
	var desc Description
	err := a.do(ctx, "Describe", func(ctx context.Context) error {
		var err error
		desc, err = d.Describe(ctx)
		return err
	})
	if err != nil {
		return nil, err
	}
	if desc.Network == "" {
		return nil, &Error{Code: Unknown, Op: "Describe", Message: "the driver described no network name"}
	}
	a.desc = desc
	a.desc.Limits = copyLimits(desc.Limits)
	a.caps = capabilitiesOf(d, desc)
	a.lim = a.desc.Limits
	if !a.caps.Has(CapThreads) {
		a.lim.Threads = false
	}
	if !a.caps.Has(CapFirstComment) {
		a.lim.FirstComment = false
	}
	if !a.caps.Has(CapMedia) {
		a.lim.NoMedia = true
	}
	return a, nil
}

// capabilitiesOf derives the capabilities of d from the optional
// interfaces it implements and from desc.
func capabilitiesOf(d driver.Driver, desc Description) Capabilities {
	c := CapPublish
	add := func(ok bool, cap Capability) {
		if ok {
			c |= cap
		}
	}
	_, ok := d.(driver.Deleter)
	add(ok, CapDelete)
	_, ok = d.(driver.Editor)
	add(ok, CapEdit)
	_, ok = d.(driver.CommentLister)
	add(ok, CapComments)
	_, ok = d.(driver.MentionLister)
	add(ok, CapMentions)
	_, ok = d.(driver.Replier)
	add(ok, CapReply)
	_, ok = d.(driver.CommentHider)
	add(ok, CapHideComment)
	_, ok = d.(driver.CommentDeleter)
	add(ok, CapDeleteComment)
	_, ok = d.(driver.Liker)
	add(ok, CapLike)
	_, ok = d.(driver.PostMetricsReader)
	add(ok, CapPostMetrics)
	_, ok = d.(driver.AccountMetricsReader)
	add(ok, CapAccountMetrics)
	_, ok = d.(driver.MessageLister)
	add(ok, CapReadMessages)
	_, ok = d.(driver.MessageSender)
	add(ok, CapSendMessages)
	_, ok = d.(driver.PendingResolver)
	add(ok, CapPending)
	_, ok = d.(driver.PostFinder)
	add(ok, CapFindPost)
	add(desc.Limits.Threads, CapThreads)
	add(desc.Limits.FirstComment, CapFirstComment)
	add(!desc.Limits.NoMedia, CapMedia)
	add(desc.Idempotent, CapIdempotencyKey)
	// Publishing is the core of a driver: it cannot be declined.
	return c &^ (desc.Declined &^ CapPublish)
}

// Description returns what the driver said of the account when it was
// opened. Its Limits are the network's; its slices are copies.
func (a *Account) Description() Description {
	d := a.desc
	d.Limits = copyLimits(d.Limits)
	return d
}

// Network returns the network's registry name ("mastodon").
func (a *Account) Network() string { return a.desc.Network }

// Capabilities returns what the account can do.
func (a *Account) Capabilities() Capabilities { return a.caps }

// Supports reports whether the account can do every capability in c.
func (a *Account) Supports(c Capability) bool { return a.caps.Has(c) }

// Validate checks p against the account's limits without calling the
// network: nil, or every violation joined (see ValidatePost).
func (a *Account) Validate(p *Post) error {
	return ValidatePost(p, a.lim, a.displayName())
}

func (a *Account) displayName() string {
	if a.desc.DisplayName != "" {
		return a.desc.DisplayName
	}
	return a.desc.Network
}

// capNoun is how an unsupported-capability error names what was asked.
var capNoun = map[Capability]string{
	CapPublish:        "publishing",
	CapDelete:         "deleting posts",
	CapEdit:           "editing posts",
	CapComments:       "listing comments",
	CapMentions:       "listing mentions",
	CapReply:          "replying",
	CapHideComment:    "hiding comments",
	CapDeleteComment:  "deleting comments",
	CapLike:           "likes",
	CapPostMetrics:    "post metrics",
	CapAccountMetrics: "account metrics",
	CapReadMessages:   "reading direct messages",
	CapSendMessages:   "sending direct messages",
	CapPending:        "pending publishes",
	CapFindPost:       "finding posts",
}

// check returns an Unsupported error if the account lacks c.
func (a *Account) check(op string, c Capability) error {
	if a.caps.Has(c) {
		return nil
	}
	what := capNoun[c]
	if what == "" {
		what = c.String()
	}
	return &Error{Code: Unsupported, Op: op, Network: a.desc.Network,
		Message: a.displayName() + " does not support " + what}
}

// invalid returns an InvalidContent error for a bad argument.
func (a *Account) invalid(op, msg string) error {
	return &Error{Code: InvalidContent, Op: op, Network: a.desc.Network, Message: msg}
}

// content validates p before a publish-like call. A top-level post (Publish,
// Edit) is held to every limit; a reply or a direct message is not a feed
// post, so rules that only apply to feed posts (Limits.MediaRequired, as on
// Instagram) are lifted for it.
func (a *Account) content(op string, p *Post, topLevel bool) error {
	if p == nil {
		return a.invalid(op, "no post given (nil *Post)")
	}
	l := a.lim
	if !topLevel {
		l.MediaRequired = false
	}
	if err := ValidatePost(p, l, a.displayName()); err != nil {
		return &Error{Code: InvalidContent, Op: op, Network: a.desc.Network, Message: err.Error(), Err: err}
	}
	return nil
}

func pubOpts(o *PublishOptions) PublishOptions {
	if o == nil {
		return PublishOptions{}
	}
	return *o
}

// Publish validates p against the network's limits, then publishes it. On
// success the result is Published with the post's ID, or Pending (see
// CheckPending). When a thread fails half-way, the error comes with the
// result holding the IDs already published, and it is not retried. A publish is retried only when the network provably did
// not process it (RateLimited, Unavailable); an error with code
// Indeterminate means it may have been published: reconcile with FindPost
// before publishing again.
func (a *Account) Publish(ctx context.Context, p *Post, opts *PublishOptions) (PublishResult, error) {
	const op = "Publish"
	if err := a.content(op, p, true); err != nil {
		return PublishResult{}, err
	}
	o := pubOpts(opts)
	var res PublishResult
	err := a.do(ctx, op, func(ctx context.Context) error {
		var err error
		res, err = a.d.Publish(ctx, p, o)
		return partial(res, err)
	})
	return res, err
}

// partial keeps a publish that failed half-way (some posts of a thread
// already published, their IDs in res) from being retried, which would
// publish them twice.
func partial(res PublishResult, err error) error {
	if err != nil && (res.ID != "" || len(res.ThreadIDs) > 0 || res.FirstCommentID != "") {
		return finalError{err}
	}
	return err
}

// Delete deletes one of the account's posts. A post that does not exist
// returns an error matching ErrNotFound.
func (a *Account) Delete(ctx context.Context, postID string) error {
	const op = "Delete"
	if err := a.check(op, CapDelete); err != nil {
		return err
	}
	if postID == "" {
		return a.invalid(op, "empty post ID")
	}
	d := a.d.(driver.Deleter)
	return a.do(ctx, op, func(ctx context.Context) error { return d.DeletePost(ctx, postID) })
}

// Edit replaces the content of one of the account's posts, after
// validating p.
func (a *Account) Edit(ctx context.Context, postID string, p *Post) (PublishResult, error) {
	const op = "Edit"
	if err := a.check(op, CapEdit); err != nil {
		return PublishResult{}, err
	}
	if postID == "" {
		return PublishResult{}, a.invalid(op, "empty post ID")
	}
	if err := a.content(op, p, true); err != nil {
		return PublishResult{}, err
	}
	d := a.d.(driver.Editor)
	var res PublishResult
	err := a.do(ctx, op, func(ctx context.Context) error {
		var err error
		res, err = d.EditPost(ctx, postID, p)
		return err
	})
	return res, err
}

func (a *Account) page(ctx context.Context, op string, req PageRequest, list func(context.Context) (InteractionPage, error)) (InteractionPage, error) {
	if req.Limit < 0 {
		return InteractionPage{}, a.invalid(op, "negative page limit")
	}
	var pg InteractionPage
	err := a.do(ctx, op, func(ctx context.Context) error {
		var err error
		pg, err = list(ctx)
		return err
	})
	if err != nil {
		return InteractionPage{}, err
	}
	for i := range pg.Items {
		if pg.Items[i].Network == "" {
			pg.Items[i].Network = a.desc.Network
		}
	}
	return pg, nil
}

// Comments lists the comments and replies under one of the account's
// posts, oldest first, resuming after req.Cursor. Poll again later with
// the returned Next to get only new comments. An unknown post returns an
// error matching ErrNotFound.
func (a *Account) Comments(ctx context.Context, postID string, req PageRequest) (InteractionPage, error) {
	const op = "Comments"
	if err := a.check(op, CapComments); err != nil {
		return InteractionPage{}, err
	}
	if postID == "" {
		return InteractionPage{}, a.invalid(op, "empty post ID")
	}
	d := a.d.(driver.CommentLister)
	return a.page(ctx, op, req, func(ctx context.Context) (InteractionPage, error) {
		return d.ListComments(ctx, postID, req)
	})
}

// Mentions lists mentions of the account, oldest first, resuming after
// req.Cursor.
func (a *Account) Mentions(ctx context.Context, req PageRequest) (InteractionPage, error) {
	const op = "Mentions"
	if err := a.check(op, CapMentions); err != nil {
		return InteractionPage{}, err
	}
	d := a.d.(driver.MentionLister)
	return a.page(ctx, op, req, func(ctx context.Context) (InteractionPage, error) {
		return d.ListMentions(ctx, req)
	})
}

// Messages lists direct messages received, oldest first, resuming after
// req.Cursor.
func (a *Account) Messages(ctx context.Context, req PageRequest) (InteractionPage, error) {
	const op = "Messages"
	if err := a.check(op, CapReadMessages); err != nil {
		return InteractionPage{}, err
	}
	d := a.d.(driver.MessageLister)
	return a.page(ctx, op, req, func(ctx context.Context) (InteractionPage, error) {
		return d.ListMessages(ctx, req)
	})
}

// Reply answers the post or comment parentID with p, after validating p.
// Retries follow Publish's rules.
func (a *Account) Reply(ctx context.Context, parentID string, p *Post, opts *PublishOptions) (PublishResult, error) {
	const op = "Reply"
	if err := a.check(op, CapReply); err != nil {
		return PublishResult{}, err
	}
	if parentID == "" {
		return PublishResult{}, a.invalid(op, "empty parent ID")
	}
	if err := a.content(op, p, false); err != nil {
		return PublishResult{}, err
	}
	d := a.d.(driver.Replier)
	o := pubOpts(opts)
	var res PublishResult
	err := a.do(ctx, op, func(ctx context.Context) error {
		var err error
		res, err = d.Reply(ctx, parentID, p, o)
		return partial(res, err)
	})
	return res, err
}

// SendMessage sends p as a direct message in a conversation (or to a user,
// where the network addresses messages to users), after validating p.
// Retries follow Publish's rules.
func (a *Account) SendMessage(ctx context.Context, conversationID string, p *Post, opts *PublishOptions) (PublishResult, error) {
	const op = "SendMessage"
	if err := a.check(op, CapSendMessages); err != nil {
		return PublishResult{}, err
	}
	if conversationID == "" {
		return PublishResult{}, a.invalid(op, "empty conversation ID")
	}
	if err := a.content(op, p, false); err != nil {
		return PublishResult{}, err
	}
	d := a.d.(driver.MessageSender)
	o := pubOpts(opts)
	var res PublishResult
	err := a.do(ctx, op, func(ctx context.Context) error {
		var err error
		res, err = d.SendMessage(ctx, conversationID, p, o)
		return err
	})
	return res, err
}

func (a *Account) setHidden(ctx context.Context, op, id string, hidden bool) error {
	if err := a.check(op, CapHideComment); err != nil {
		return err
	}
	if id == "" {
		return a.invalid(op, "empty comment ID")
	}
	d := a.d.(driver.CommentHider)
	return a.do(ctx, op, func(ctx context.Context) error { return d.SetCommentHidden(ctx, id, hidden) })
}

// HideComment hides a comment from the public without deleting it.
func (a *Account) HideComment(ctx context.Context, id string) error {
	return a.setHidden(ctx, "HideComment", id, true)
}

// UnhideComment shows a hidden comment again.
func (a *Account) UnhideComment(ctx context.Context, id string) error {
	return a.setHidden(ctx, "UnhideComment", id, false)
}

// DeleteComment deletes a comment on one of the account's posts.
func (a *Account) DeleteComment(ctx context.Context, id string) error {
	const op = "DeleteComment"
	if err := a.check(op, CapDeleteComment); err != nil {
		return err
	}
	if id == "" {
		return a.invalid(op, "empty comment ID")
	}
	d := a.d.(driver.CommentDeleter)
	return a.do(ctx, op, func(ctx context.Context) error { return d.DeleteComment(ctx, id) })
}

func (a *Account) setLiked(ctx context.Context, op, id string, liked bool) error {
	if err := a.check(op, CapLike); err != nil {
		return err
	}
	if id == "" {
		return a.invalid(op, "empty post or comment ID")
	}
	d := a.d.(driver.Liker)
	return a.do(ctx, op, func(ctx context.Context) error { return d.SetLiked(ctx, id, liked) })
}

// Like likes a post or comment. Liking twice is not an error.
func (a *Account) Like(ctx context.Context, id string) error {
	return a.setLiked(ctx, "Like", id, true)
}

// Unlike takes a like back. Unliking what is not liked is not an error.
func (a *Account) Unlike(ctx context.Context, id string) error {
	return a.setLiked(ctx, "Unlike", id, false)
}

// PostMetrics reads a post's counters. Counters the network does not
// report are invalid Metrics, never zero.
func (a *Account) PostMetrics(ctx context.Context, postID string) (PostMetrics, error) {
	const op = "PostMetrics"
	if err := a.check(op, CapPostMetrics); err != nil {
		return PostMetrics{}, err
	}
	if postID == "" {
		return PostMetrics{}, a.invalid(op, "empty post ID")
	}
	d := a.d.(driver.PostMetricsReader)
	var m PostMetrics
	err := a.do(ctx, op, func(ctx context.Context) error {
		var err error
		m, err = d.PostMetrics(ctx, postID)
		return err
	})
	if err != nil {
		return PostMetrics{}, err
	}
	if m.PostID == "" {
		m.PostID = postID
	}
	if m.FetchedAt.IsZero() {
		m.FetchedAt = a.retry.now()
	}
	return m, nil
}

// AccountMetrics reads the account's audience counters.
func (a *Account) AccountMetrics(ctx context.Context) (AccountMetrics, error) {
	const op = "AccountMetrics"
	if err := a.check(op, CapAccountMetrics); err != nil {
		return AccountMetrics{}, err
	}
	d := a.d.(driver.AccountMetricsReader)
	var m AccountMetrics
	err := a.do(ctx, op, func(ctx context.Context) error {
		var err error
		m, err = d.AccountMetrics(ctx)
		return err
	})
	if err != nil {
		return AccountMetrics{}, err
	}
	if m.FetchedAt.IsZero() {
		m.FetchedAt = a.retry.now()
	}
	return m, nil
}

// CheckPending checks once on a publish that returned Pending, passing its
// PublishResult.Pending. It returns Pending while the network processes
// the post and Published once it is live (and from then on).
func (a *Account) CheckPending(ctx context.Context, pending []byte) (PublishResult, error) {
	const op = "CheckPending"
	if err := a.check(op, CapPending); err != nil {
		return PublishResult{}, err
	}
	if len(pending) == 0 {
		return PublishResult{}, a.invalid(op, "empty pending state")
	}
	d := a.d.(driver.PendingResolver)
	var res PublishResult
	err := a.do(ctx, op, func(ctx context.Context) error {
		var err error
		res, err = d.CheckPending(ctx, pending)
		return err
	})
	return res, err
}

// FindPost looks for a post published earlier with idempotencyKey (or, when
// the network keeps no key, with p's content), to reconcile a publish whose
// outcome was Indeterminate. It returns the post, or an error matching
// ErrNotFound when the post was surely not published. p may be nil when a
// key is given.
func (a *Account) FindPost(ctx context.Context, idempotencyKey string, p *Post) (PublishResult, error) {
	const op = "FindPost"
	if err := a.check(op, CapFindPost); err != nil {
		return PublishResult{}, err
	}
	if idempotencyKey == "" && p == nil {
		return PublishResult{}, a.invalid(op, "neither an idempotency key nor a post given")
	}
	d := a.d.(driver.PostFinder)
	var res PublishResult
	err := a.do(ctx, op, func(ctx context.Context) error {
		var err error
		res, err = d.FindPost(ctx, idempotencyKey, p)
		return err
	})
	return res, err
}

// As gives access to the network's raw client: it sets target and returns
// true when the driver documents target's type (see each connector's
// documentation). It returns false when the driver offers no raw access.
func (a *Account) As(target any) bool {
	if x, ok := a.d.(driver.Aser); ok {
		return x.As(target)
	}
	return false
}

// ErrorAs sets target to the network's raw error value behind err, when
// the driver exposes one of target's type.
func (a *Account) ErrorAs(err error, target any) bool {
	if err == nil {
		return false
	}
	if x, ok := a.d.(driver.ErrorAser); ok {
		return x.ErrorAs(err, target)
	}
	return false
}

// Close releases the driver's resources, if it holds any.
func (a *Account) Close() error {
	if c, ok := a.d.(io.Closer); ok {
		return wrapErr("Close", a.desc.Network, c.Close())
	}
	return nil
}

// Unwrap returns the driver, for wrappers and tests.
func (a *Account) Unwrap() driver.Driver { return a.d }

// do runs call with the retry policy, wrapping its error once.
func (a *Account) do(ctx context.Context, op string, call func(context.Context) error) error {
	return a.retry.run(ctx, op, a.desc.Network, call)
}

// copyLimits returns l with its slices copied.
func copyLimits(l Limits) Limits {
	l.ImageTypes = cloneStrings(l.ImageTypes)
	l.VideoTypes = cloneStrings(l.VideoTypes)
	return l
}

func cloneStrings(s []string) []string {
	if s == nil {
		return nil
	}
	return append([]string(nil), s...)
}
