package memconnector

import (
	"context"
	"errors"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync/atomic"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// accountDriver is one account's driver on a Network.
type accountDriver struct {
	n      *Network
	u      *user
	closed atomic.Bool
}

var (
	_ driver.Driver               = (*accountDriver)(nil)
	_ driver.Deleter              = (*accountDriver)(nil)
	_ driver.Editor               = (*accountDriver)(nil)
	_ driver.CommentLister        = (*accountDriver)(nil)
	_ driver.MentionLister        = (*accountDriver)(nil)
	_ driver.Replier              = (*accountDriver)(nil)
	_ driver.CommentHider         = (*accountDriver)(nil)
	_ driver.CommentDeleter       = (*accountDriver)(nil)
	_ driver.Liker                = (*accountDriver)(nil)
	_ driver.PostMetricsReader    = (*accountDriver)(nil)
	_ driver.AccountMetricsReader = (*accountDriver)(nil)
	_ driver.MessageLister        = (*accountDriver)(nil)
	_ driver.MessageSender        = (*accountDriver)(nil)
	_ driver.PendingResolver      = (*accountDriver)(nil)
	_ driver.PostFinder           = (*accountDriver)(nil)
	_ driver.Aser                 = (*accountDriver)(nil)
	_ driver.ErrorAser            = (*accountDriver)(nil)
	_ io.Closer                   = (*accountDriver)(nil)
)

// opCap is the capability each operation needs, for Declined.
var opCap = [numMethods]driver.Capability{
	opDescribe: 0, opPublish: driver.CapPublish, opDeletePost: driver.CapDelete,
	opEditPost: driver.CapEdit, opListComments: driver.CapComments,
	opListMentions: driver.CapMentions, opReply: driver.CapReply,
	opSetCommentHidden: driver.CapHideComment, opDeleteComment: driver.CapDeleteComment,
	opSetLiked: driver.CapLike, opPostMetrics: driver.CapPostMetrics,
	opAccountMetrics: driver.CapAccountMetrics, opListMessages: driver.CapReadMessages,
	opSendMessage: driver.CapSendMessages, opCheckPending: driver.CapPending,
	opFindPost: driver.CapFindPost,
}

// begin starts a driver call: it rejects a closed driver or a done
// context, counts the call and applies faults. A non-nil after is to be
// returned once the operation has been applied.
func (d *accountDriver) begin(ctx context.Context, o op) (after error, err error) {
	n := d.n
	if d.closed.Load() {
		return nil, &driver.Error{Code: driver.Unknown, Network: n.name, Message: "memconnector: driver is closed"}
	}
	if ctx == nil {
		return nil, n.invalid("context", "nil context")
	}
	if err := ctx.Err(); err != nil {
		return nil, &driver.Error{Code: driver.Canceled, Network: n.name, Err: err}
	}
	n.calls[o].Add(1)
	n.mu.Lock()
	before, after := n.faultLocked(o, d.u.handle)
	n.mu.Unlock()
	if before != nil {
		return nil, before
	}
	if c := opCap[o]; c != 0 && n.declined.Has(c) {
		return nil, n.errf(driver.Unsupported, "%s is declined for this account", opNames[o])
	}
	return after, nil
}

// Describe reports the account, the network's limits and Idempotent.
func (d *accountDriver) Describe(ctx context.Context) (driver.Description, error) {
	after, err := d.begin(ctx, opDescribe)
	if err != nil {
		return driver.Description{}, err
	}
	n := d.n
	l := n.limits
	l.ImageTypes = slices.Clone(l.ImageTypes)
	l.VideoTypes = slices.Clone(l.VideoTypes)
	desc := driver.Description{
		Network:     n.name,
		DisplayName: n.display,
		AccountID:   d.u.id,
		Handle:      d.u.handle,
		URL:         n.profileURL(d.u),
		Limits:      l,
		Idempotent:  !n.declined.Has(driver.CapIdempotencyKey),
		Declined:    n.declined,
	}
	if after != nil {
		return driver.Description{}, after
	}
	return desc, nil
}

// Publish publishes p, its thread and first comment, or a reply when
// p.ReplyTo is set.
func (d *accountDriver) Publish(ctx context.Context, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	return d.publish(ctx, opPublish, p, "", opts)
}

// Reply answers the post or comment parentID.
func (d *accountDriver) Reply(ctx context.Context, parentID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	return d.publish(ctx, opReply, p, parentID, opts)
}

func (d *accountDriver) publish(ctx context.Context, o op, p *driver.Post, replyTo string, opts driver.PublishOptions) (driver.PublishResult, error) {
	after, err := d.begin(ctx, o)
	if err != nil {
		return driver.PublishResult{}, err
	}
	n := d.n
	if o == opReply && replyTo == "" {
		return driver.PublishResult{}, n.invalid("reply_to", "the ID of the post or comment to answer is empty")
	}
	dr, err := n.receive(p, "", true)
	if err != nil {
		return driver.PublishResult{}, err
	}
	if replyTo != "" {
		dr.replyTo = replyTo
	}
	if dr.replyTo != "" && dr.firstComment != "" {
		return driver.PublishResult{}, n.invalid("first_comment", "a reply has no first comment")
	}
	key := opts.IdempotencyKey
	if n.declined.Has(driver.CapIdempotencyKey) {
		key = ""
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	res, err := n.publishLocked(d.u, &dr, key)
	if err != nil {
		return res, err
	}
	if after != nil {
		return driver.PublishResult{}, after
	}
	return res, nil
}

func partKey(key, part string, i int) string {
	if key == "" {
		return ""
	}
	return key + "\x00" + part + strconv.Itoa(i)
}

func (n *Network) publishLocked(u *user, dr *draft, key string) (driver.PublishResult, error) {
	if key != "" {
		if head, ok := u.idem[key]; ok {
			if head.kind == kindMessage {
				return driver.PublishResult{}, n.errf(driver.Duplicate, "idempotency key %q was used for a direct message", key)
			}
			// A replay: the head exists; complete what is missing.
			return n.createLocked(u, dr, key, nil)
		}
		if c, ok := u.pending[key]; ok {
			if c.result != nil {
				return cloneResult(*c.result), nil
			}
			return driver.PublishResult{Status: driver.Pending, Pending: []byte(c.id)}, nil
		}
	}
	var parent *item
	if dr.replyTo != "" {
		var err error
		parent, err = n.liveLocked(dr.replyTo)
		if err != nil {
			return driver.PublishResult{}, err
		}
		if parent.kind == kindMessage {
			return driver.PublishResult{}, n.errf(driver.NotFound, "%s is a direct message, not a post or comment: use SendMessage", dr.replyTo)
		}
	}
	if n.pendingChecks > 0 && parent == nil && dr.hasMedia() {
		c := &container{id: n.nextID('x'), owner: u, draft: dr, key: key}
		n.containers[c.id] = c
		if key != "" {
			if u.pending == nil {
				u.pending = make(map[string]*container)
			}
			u.pending[key] = c
		}
		return driver.PublishResult{Status: driver.Pending, Pending: []byte(c.id)}, nil
	}
	return n.createLocked(u, dr, key, parent)
}

// createLocked creates the post (or reply to parent), its thread and first
// comment, skipping the parts already created under key, so that a replay
// completes a publish that failed half-way without duplicating anything.
func (n *Network) createLocked(u *user, dr *draft, key string, parent *item) (driver.PublishResult, error) {
	now := n.now()
	if u.idem == nil && key != "" {
		u.idem = make(map[string]*item)
	}
	userKey := key
	if strings.HasPrefix(key, "\x00") {
		userKey = "" // a container's internal key
	}
	var head *item
	if key != "" {
		head = u.idem[key]
	}
	if head == nil {
		if parent != nil {
			head = n.newCommentLocked(u, parent, *dr, now)
		} else {
			head = n.newPostLocked(u, *dr, nil, now)
		}
		head.idemKey = userKey
		u.publishCount++
		if key != "" {
			u.idem[key] = head
		}
	}
	res := n.resultLocked(head)
	prev := head
	for i := range dr.thread {
		pk := partKey(key, "thread", i)
		t := u.idem[pk]
		if t == nil {
			before, after := n.faultLocked(opThreadPost, u.handle)
			if before != nil {
				return res, before
			}
			if prev.kind == kindComment {
				t = n.newCommentLocked(u, prev, dr.thread[i], now)
			} else {
				t = n.newPostLocked(u, dr.thread[i], prev, now)
			}
			if pk != "" {
				u.idem[pk] = t
			}
			if after != nil {
				res.ThreadIDs = append(res.ThreadIDs, t.id)
				return res, after
			}
		}
		res.ThreadIDs = append(res.ThreadIDs, t.id)
		prev = t
	}
	if dr.firstComment != "" {
		pk := partKey(key, "first", 0)
		fc := u.idem[pk]
		if fc == nil {
			before, after := n.faultLocked(opFirstComment, u.handle)
			if before != nil {
				return res, before
			}
			fc = n.newCommentLocked(u, head, draft{text: dr.firstComment, lang: dr.lang}, now)
			if pk != "" {
				u.idem[pk] = fc
			}
			if after != nil {
				res.FirstCommentID = fc.id
				return res, after
			}
		}
		res.FirstCommentID = fc.id
	}
	return res, nil
}

func (n *Network) resultLocked(it *item) driver.PublishResult {
	return driver.PublishResult{Status: driver.Published, ID: it.id, URL: n.itemURL(it), PublishedAt: it.createdAt}
}

// keyResultLocked rebuilds the result of the publish made with key.
func (n *Network) keyResultLocked(u *user, key string, head *item) driver.PublishResult {
	res := n.resultLocked(head)
	for i := 0; ; i++ {
		t, ok := u.idem[partKey(key, "thread", i)]
		if !ok {
			break
		}
		res.ThreadIDs = append(res.ThreadIDs, t.id)
	}
	if fc, ok := u.idem[partKey(key, "first", 0)]; ok {
		res.FirstCommentID = fc.id
	}
	return res
}

func cloneResult(r driver.PublishResult) driver.PublishResult {
	r.ThreadIDs = slices.Clone(r.ThreadIDs)
	r.Pending = slices.Clone(r.Pending)
	return r
}

// CheckPending advances a pending publish; see NetworkOptions.PendingChecks.
func (d *accountDriver) CheckPending(ctx context.Context, pending []byte) (driver.PublishResult, error) {
	after, err := d.begin(ctx, opCheckPending)
	if err != nil {
		return driver.PublishResult{}, err
	}
	n := d.n
	if len(pending) == 0 {
		return driver.PublishResult{}, n.invalid("pending", "empty pending state")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	c, ok := n.containers[string(pending)]
	if !ok || c.owner != d.u {
		return driver.PublishResult{}, n.errf(driver.NotFound, "no pending publish %q for this account", pending)
	}
	var res driver.PublishResult
	switch {
	case c.result != nil:
		res = cloneResult(*c.result)
	case c.checks+1 < n.pendingChecks:
		c.checks++
		res = driver.PublishResult{Status: driver.Pending, Pending: []byte(c.id)}
	default:
		c.checks++
		key := c.key
		if key == "" {
			key = "\x00" + c.id
		}
		r, err := n.createLocked(d.u, c.draft, key, nil)
		if err != nil {
			return r, err
		}
		c.result = &r
		if c.key != "" {
			delete(d.u.pending, c.key)
		}
		res = cloneResult(r)
	}
	if after != nil {
		return driver.PublishResult{}, after
	}
	return res, nil
}

// FindPost finds a publish by idempotency key, or by exact text among the
// account's recent live posts (its replies when p.ReplyTo is set).
func (d *accountDriver) FindPost(ctx context.Context, idempotencyKey string, p *driver.Post) (driver.PublishResult, error) {
	after, err := d.begin(ctx, opFindPost)
	if err != nil {
		return driver.PublishResult{}, err
	}
	n := d.n
	if idempotencyKey == "" && (p == nil || (p.Text == "" && p.Title == "")) {
		return driver.PublishResult{}, n.invalid("text", "FindPost needs an idempotency key or a post with text")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	res, err := n.findLocked(d.u, idempotencyKey, p)
	if err != nil {
		return driver.PublishResult{}, err
	}
	if after != nil {
		return driver.PublishResult{}, after
	}
	return res, nil
}

// recentSearch is how many recent posts FindPost searches by text.
const recentSearch = 100

func (n *Network) findLocked(u *user, key string, p *driver.Post) (driver.PublishResult, error) {
	if key != "" {
		if head, ok := u.idem[key]; ok && head.kind != kindMessage {
			return n.keyResultLocked(u, key, head), nil
		}
		if c, ok := u.pending[key]; ok && c.result == nil {
			return driver.PublishResult{Status: driver.Pending, Pending: []byte(c.id)}, nil
		}
		return driver.PublishResult{}, n.errf(driver.NotFound, "no post published with idempotency key %q", key)
	}
	if p.ReplyTo != "" {
		seen := 0
		for i := len(u.comments) - 1; i >= 0 && seen < recentSearch; i-- {
			c := u.comments[i]
			if !n.isLive(c) {
				continue
			}
			seen++
			if c.parent.id == p.ReplyTo && c.text == p.Text {
				return n.resultLocked(c), nil
			}
		}
		return driver.PublishResult{}, n.errf(driver.NotFound, "no recent reply to %s with this text", p.ReplyTo)
	}
	seen := 0
	for i := len(u.posts) - 1; i >= 0 && seen < recentSearch; i-- {
		it := u.posts[i]
		if it.deleted {
			continue
		}
		seen++
		if it.parent != nil || it.text != p.Text || it.title != p.Title {
			continue
		}
		res := n.resultLocked(it)
		prev := it
		for _, t := range u.posts[i+1:] {
			if t.parent == prev && !t.deleted {
				res.ThreadIDs = append(res.ThreadIDs, t.id)
				prev = t
			}
		}
		if p.FirstComment != "" {
			for _, c := range it.comments {
				if c.author == u && c.parent == it && c.text == p.FirstComment && !c.deleted {
					res.FirstCommentID = c.id
					break
				}
			}
		}
		return res, nil
	}
	return driver.PublishResult{}, n.errf(driver.NotFound, "no recent post with this text")
}

// DeletePost deletes one of the account's posts, or one of its replies.
func (d *accountDriver) DeletePost(ctx context.Context, postID string) error {
	after, err := d.begin(ctx, opDeletePost)
	if err != nil {
		return err
	}
	n := d.n
	n.mu.Lock()
	defer n.mu.Unlock()
	it, err := n.liveLocked(postID)
	if err != nil {
		return err
	}
	switch {
	case it.kind == kindMessage:
		return n.errf(driver.NotFound, "%s is a direct message, not a post", postID)
	case it.author != d.u:
		return n.errf(driver.PermissionDenied, "%s was not published by @%s", postID, d.u.handle)
	case it.kind == kindPost:
		it.deleted = true
		d.u.livePosts--
	default:
		deleteCommentLocked(it)
	}
	return after
}

// EditPost replaces the content of one of the account's posts or replies.
func (d *accountDriver) EditPost(ctx context.Context, postID string, p *driver.Post) (driver.PublishResult, error) {
	after, err := d.begin(ctx, opEditPost)
	if err != nil {
		return driver.PublishResult{}, err
	}
	n := d.n
	dr, err := n.receive(p, "", true)
	if err != nil {
		return driver.PublishResult{}, err
	}
	switch {
	case len(dr.thread) > 0:
		return driver.PublishResult{}, n.invalid("thread", "an edit cannot add a thread")
	case dr.firstComment != "":
		return driver.PublishResult{}, n.invalid("first_comment", "an edit cannot add a first comment")
	case dr.replyTo != "":
		return driver.PublishResult{}, n.invalid("reply_to", "an edit cannot change what a post answers")
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	it, err := n.liveLocked(postID)
	if err != nil {
		return driver.PublishResult{}, err
	}
	switch {
	case it.kind == kindMessage:
		return driver.PublishResult{}, n.errf(driver.NotFound, "%s is a direct message, not a post", postID)
	case it.author != d.u:
		return driver.PublishResult{}, n.errf(driver.PermissionDenied, "%s was not published by @%s", postID, d.u.handle)
	}
	it.draft = dr
	it.editedAt = n.now()
	res := n.resultLocked(it)
	if after != nil {
		return driver.PublishResult{}, after
	}
	return res, nil
}

// ListComments lists the comments and replies under a post, hidden ones
// included (Hidden set).
func (d *accountDriver) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	after, err := d.begin(ctx, opListComments)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	n := d.n
	n.mu.Lock()
	defer n.mu.Unlock()
	it, err := n.liveLocked(postID)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	if it.kind != kindPost {
		return driver.InteractionPage{}, n.errf(driver.NotFound, "%s is not a post", postID)
	}
	page, err := n.pageLocked(it.comments, req, n.commentView)
	if err == nil && after != nil {
		return driver.InteractionPage{}, after
	}
	return page, err
}

// ListMentions lists the posts and comments of others that mention the
// account (outside its own posts' comments).
func (d *accountDriver) ListMentions(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	return d.list(ctx, opListMentions, req, func() []*item { return d.u.mentions }, d.n.mentionView)
}

// ListMessages lists the direct messages the account received.
func (d *accountDriver) ListMessages(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	return d.list(ctx, opListMessages, req, func() []*item { return d.u.inbox }, d.n.messageView)
}

func (d *accountDriver) list(ctx context.Context, o op, req driver.PageRequest, list func() []*item, view func(*item) driver.Interaction) (driver.InteractionPage, error) {
	after, err := d.begin(ctx, o)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	n := d.n
	n.mu.Lock()
	defer n.mu.Unlock()
	page, err := n.pageLocked(list(), req, view)
	if err == nil && after != nil {
		return driver.InteractionPage{}, after
	}
	return page, err
}

// commentLocked returns the live comment id on one of u's posts.
func (n *Network) commentLocked(id string) (*item, error) {
	it, err := n.liveLocked(id)
	if err != nil {
		return nil, err
	}
	if it.kind != kindComment {
		return nil, n.errf(driver.NotFound, "%s is not a comment", id)
	}
	return it, nil
}

// SetCommentHidden hides or shows a comment on one of the account's posts.
func (d *accountDriver) SetCommentHidden(ctx context.Context, commentID string, hidden bool) error {
	after, err := d.begin(ctx, opSetCommentHidden)
	if err != nil {
		return err
	}
	n := d.n
	n.mu.Lock()
	defer n.mu.Unlock()
	c, err := n.commentLocked(commentID)
	if err != nil {
		return err
	}
	if c.post.author != d.u {
		return n.errf(driver.PermissionDenied, "%s is not on a post of @%s", commentID, d.u.handle)
	}
	c.hidden = hidden
	return after
}

// DeleteComment deletes a comment on one of the account's posts, or one
// the account wrote, with its replies.
func (d *accountDriver) DeleteComment(ctx context.Context, commentID string) error {
	after, err := d.begin(ctx, opDeleteComment)
	if err != nil {
		return err
	}
	n := d.n
	n.mu.Lock()
	defer n.mu.Unlock()
	c, err := n.commentLocked(commentID)
	if err != nil {
		return err
	}
	if c.post.author != d.u && c.author != d.u {
		return n.errf(driver.PermissionDenied, "%s is neither on a post of @%s nor written by it", commentID, d.u.handle)
	}
	deleteCommentLocked(c)
	return after
}

// SetLiked likes a post or comment, or takes the like back; both are
// idempotent.
func (d *accountDriver) SetLiked(ctx context.Context, id string, liked bool) error {
	after, err := d.begin(ctx, opSetLiked)
	if err != nil {
		return err
	}
	n := d.n
	n.mu.Lock()
	defer n.mu.Unlock()
	if err := n.likeLocked(d.u, id, liked); err != nil {
		return err
	}
	return after
}

func (n *Network) likeLocked(u *user, id string, liked bool) error {
	it, err := n.liveLocked(id)
	if err != nil {
		return err
	}
	if it.kind == kindMessage {
		return n.errf(driver.NotFound, "%s is a direct message, not a post or comment", id)
	}
	if liked {
		if it.likers == nil {
			it.likers = make(map[*user]struct{})
		}
		it.likers[u] = struct{}{}
	} else {
		delete(it.likers, u)
	}
	return nil
}

// PostMetrics reads the counters of one of the account's posts. VideoViews
// is valid only for a post with a video.
func (d *accountDriver) PostMetrics(ctx context.Context, postID string) (driver.PostMetrics, error) {
	after, err := d.begin(ctx, opPostMetrics)
	if err != nil {
		return driver.PostMetrics{}, err
	}
	n := d.n
	n.mu.Lock()
	defer n.mu.Unlock()
	it, err := n.liveLocked(postID)
	if err != nil {
		return driver.PostMetrics{}, err
	}
	switch {
	case it.kind != kindPost:
		return driver.PostMetrics{}, n.errf(driver.NotFound, "%s is not a post", postID)
	case it.author != d.u:
		return driver.PostMetrics{}, n.errf(driver.PermissionDenied, "%s was not published by @%s", postID, d.u.handle)
	}
	m := driver.PostMetrics{
		PostID:      it.id,
		Impressions: driver.M(it.eng.Impressions),
		Reach:       driver.M(it.eng.Reach),
		Likes:       driver.M(int64(len(it.likers)) + it.eng.Likes),
		Comments:    driver.M(it.liveComments),
		Shares:      driver.M(it.eng.Shares),
		Saves:       driver.M(it.eng.Saves),
		Clicks:      driver.M(it.eng.Clicks),
		FetchedAt:   n.now(),
	}
	if it.hasVideo() {
		m.VideoViews = driver.M(it.eng.VideoViews)
	}
	if after != nil {
		return driver.PostMetrics{}, after
	}
	return m, nil
}

// AccountMetrics reads the account's followers, following and live posts.
func (d *accountDriver) AccountMetrics(ctx context.Context) (driver.AccountMetrics, error) {
	after, err := d.begin(ctx, opAccountMetrics)
	if err != nil {
		return driver.AccountMetrics{}, err
	}
	n := d.n
	n.mu.Lock()
	defer n.mu.Unlock()
	m := driver.AccountMetrics{
		Followers: driver.M(d.u.followerCount()),
		Following: driver.M(d.u.following),
		Posts:     driver.M(d.u.livePosts),
		FetchedAt: n.now(),
	}
	if after != nil {
		return driver.AccountMetrics{}, after
	}
	return m, nil
}

// SendMessage sends a direct message in a conversation of the account, or
// to a user given by ID or handle (opening the conversation).
func (d *accountDriver) SendMessage(ctx context.Context, conversationID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	after, err := d.begin(ctx, opSendMessage)
	if err != nil {
		return driver.PublishResult{}, err
	}
	n := d.n
	dr, err := n.receive(p, "", true)
	if err != nil {
		return driver.PublishResult{}, err
	}
	if len(dr.thread) > 0 || dr.firstComment != "" || dr.replyTo != "" {
		return driver.PublishResult{}, n.invalid("thread", "a direct message has no thread, first comment or reply_to")
	}
	key := opts.IdempotencyKey
	if n.declined.Has(driver.CapIdempotencyKey) {
		key = ""
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if key != "" {
		if it, ok := d.u.idem[key]; ok {
			if it.kind != kindMessage {
				return driver.PublishResult{}, n.errf(driver.Duplicate, "idempotency key %q was used for a post", key)
			}
			if after != nil {
				return driver.PublishResult{}, after
			}
			return n.resultLocked(it), nil
		}
	}
	c, err := n.conversationLocked(d.u, conversationID, false)
	if err != nil {
		return driver.PublishResult{}, err
	}
	it := n.sendLocked(d.u, c, dr, n.now())
	if key != "" {
		if d.u.idem == nil {
			d.u.idem = make(map[string]*item)
		}
		d.u.idem[key] = it
		it.idemKey = key
	}
	if after != nil {
		return driver.PublishResult{}, after
	}
	return n.resultLocked(it), nil
}

// conversationLocked resolves ref, a conversation ID of u or a user's ID
// or handle, to a conversation. create allows creating the user.
func (n *Network) conversationLocked(u *user, ref string, create bool) (*conversation, error) {
	if ref == "" {
		return nil, n.invalid("conversation", "empty conversation ID")
	}
	if c, ok := n.convs[ref]; ok {
		if c.a != u && c.b != u {
			return nil, n.errf(driver.NotFound, "@%s has no conversation %s", u.handle, ref)
		}
		return c, nil
	}
	other, ok := n.lookupUserLocked(ref)
	if !ok {
		if !create {
			return nil, n.errf(driver.NotFound, "no conversation or user %q", ref)
		}
		var err error
		if other, err = n.userLocked(ref); err != nil {
			return nil, err
		}
	}
	if other == u {
		return nil, n.invalid("conversation", "an account cannot message itself")
	}
	pair := [2]string{u.id, other.id}
	if pair[1] < pair[0] {
		pair[0], pair[1] = pair[1], pair[0]
	}
	c, ok := n.pairs[pair]
	if !ok {
		c = &conversation{id: n.nextID('k'), a: u, b: other}
		n.pairs[pair] = c
		n.convs[c.id] = c
	}
	return c, nil
}

func (n *Network) sendLocked(from *user, c *conversation, d draft, at time.Time) *item {
	it := n.newItem(kindMessage, from, d, at)
	it.conv = c
	to := c.other(from)
	to.inbox = append(to.inbox, it)
	return it
}

// As sets *target to the account's *Network when target is a **Network.
func (d *accountDriver) As(target any) bool {
	if t, ok := target.(**Network); ok && t != nil {
		*t = d.n
		return true
	}
	return false
}

// ErrorAs finds the network's raw *APIError behind err when target is a
// **APIError.
func (d *accountDriver) ErrorAs(err error, target any) bool {
	if t, ok := target.(**APIError); ok && t != nil {
		return errors.As(err, t)
	}
	return false
}

// Close closes this driver value: later calls fail. The network and other
// drivers of the account are unaffected.
func (d *accountDriver) Close() error {
	d.closed.Store(true)
	return nil
}
