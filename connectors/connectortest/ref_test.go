package connectortest

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// refnet is a minimal in-memory network implementing the whole driver
// contract, to test the suite itself.

type refItem struct {
	driver.Interaction
	seq     int
	deleted bool
}

type refPost struct {
	id, text, key string
	seq           int
	likes         int
	deleted       bool
}

type refNet struct {
	mu       sync.Mutex
	seq      int
	posts    map[string]*refPost
	keys     map[string]string
	items    []*refItem // comments, replies, mentions and DMs, in order
	liked    map[string]bool
	pending  map[string]int // post ID -> checks left
	requests *atomic.Int64
	faults   *faults
}

type faults struct {
	mu sync.Mutex
	f  Fault
	n  int
}

func (f *faults) next() Fault {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.n == 0 {
		return 0
	}
	f.n--
	return f.f
}

// request counts a request and returns the fault to answer it with.
func (n *refNet) request() error {
	n.requests.Add(1)
	switch n.faults.next() {
	case FaultRateLimited:
		return &driver.Error{Code: driver.RateLimited, Status: 429, Message: "slow down",
			Err: &driver.RateLimitError{Code: driver.RateLimited, RetryAfter: 3 * time.Second, Limit: 300, Remaining: 0}}
	case FaultUnauthenticated:
		return &driver.Error{Code: driver.Unauthenticated, Status: 401, Message: "token expired"}
	case FaultUnavailable:
		return &driver.Error{Code: driver.Unavailable, Status: 503, Message: "try later"}
	}
	return nil
}

func (n *refNet) nextID(prefix string) (string, int) {
	n.seq++
	return prefix + strconv.Itoa(n.seq), n.seq
}

type refDriver struct{ n *refNet }

func (d *refDriver) Describe(ctx context.Context) (driver.Description, error) {
	return driver.Description{
		Network: "refnet", DisplayName: "Refnet", AccountID: "brand", Handle: "brand",
		Limits: driver.Limits{MaxText: 100, MaxImages: 4, MaxAltText: 50, Threads: true, MaxThread: 5,
			FirstComment: true, ImageTypes: []string{"image/png", "image/jpeg"}},
		Idempotent: true,
	}, nil
}

func (d *refDriver) publishOne(text, key string) *refPost {
	id, seq := d.n.nextID("post-")
	p := &refPost{id: id, text: text, key: key, seq: seq}
	d.n.posts[id] = p
	if key != "" {
		d.n.keys[key] = id
	}
	return p
}

func (d *refDriver) Publish(ctx context.Context, p *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	if err := d.n.request(); err != nil {
		return driver.PublishResult{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	if id, ok := d.n.keys[o.IdempotencyKey]; ok && o.IdempotencyKey != "" {
		return driver.PublishResult{Status: driver.Published, ID: id}, nil
	}
	head := d.publishOne(p.Text, o.IdempotencyKey)
	res := driver.PublishResult{Status: driver.Published, ID: head.id}
	for _, t := range p.Thread {
		res.ThreadIDs = append(res.ThreadIDs, d.publishOne(t.Text, "").id)
	}
	if p.FirstComment != "" {
		res.FirstCommentID = d.addItem(driver.Comment, head.id, head.id, "", p.FirstComment, "brand")
	}
	if len(p.Media) > 0 {
		d.n.pending[head.id] = 2
		return driver.PublishResult{Status: driver.Pending, Pending: []byte("pending:" + head.id)}, nil
	}
	return res, nil
}

func (d *refDriver) CheckPending(ctx context.Context, state []byte) (driver.PublishResult, error) {
	if err := d.n.request(); err != nil {
		return driver.PublishResult{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	id, ok := strings.CutPrefix(string(state), "pending:")
	if _, exists := d.n.posts[id]; !ok || !exists {
		return driver.PublishResult{}, driver.Errorf(driver.NotFound, "no pending publish %q", state)
	}
	if d.n.pending[id] > 0 {
		d.n.pending[id]--
		return driver.PublishResult{Status: driver.Pending, Pending: state}, nil
	}
	return driver.PublishResult{Status: driver.Published, ID: id}, nil
}

func (d *refDriver) FindPost(ctx context.Context, key string, p *driver.Post) (driver.PublishResult, error) {
	if err := d.n.request(); err != nil {
		return driver.PublishResult{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	if id, ok := d.n.keys[key]; ok {
		return driver.PublishResult{Status: driver.Published, ID: id}, nil
	}
	return driver.PublishResult{}, driver.Errorf(driver.NotFound, "no post with key %q", key)
}

func (d *refDriver) post(id string) (*refPost, error) {
	p, ok := d.n.posts[id]
	if !ok || p.deleted {
		return nil, driver.Errorf(driver.NotFound, "no post %q", id)
	}
	return p, nil
}

func (d *refDriver) DeletePost(ctx context.Context, id string) error {
	if err := d.n.request(); err != nil {
		return err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	p, err := d.post(id)
	if err != nil {
		return err
	}
	p.deleted = true
	return nil
}

func (d *refDriver) EditPost(ctx context.Context, id string, np *driver.Post) (driver.PublishResult, error) {
	if err := d.n.request(); err != nil {
		return driver.PublishResult{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	p, err := d.post(id)
	if err != nil {
		return driver.PublishResult{}, err
	}
	p.text = np.Text
	return driver.PublishResult{Status: driver.Published, ID: id}, nil
}

// addItem records an interaction; the caller holds the lock.
func (d *refDriver) addItem(kind driver.InteractionKind, postID, parentID, conv, text, author string) string {
	id, seq := d.n.nextID("i-")
	d.n.items = append(d.n.items, &refItem{seq: seq, Interaction: driver.Interaction{
		Kind: kind, ID: id, Network: "refnet", PostID: postID, ParentID: parentID, ConversationID: conv,
		Author: driver.Author{ID: author, Handle: author, Followers: -1}, Text: text,
		CreatedAt: time.Unix(int64(seq), 0),
	}})
	return id
}

// list pages the items matching keep, strictly after cursor.
func (d *refDriver) list(req driver.PageRequest, keep func(*refItem) bool) (driver.InteractionPage, error) {
	after := 0
	if req.Cursor != "" {
		var err error
		if after, err = strconv.Atoi(req.Cursor); err != nil {
			return driver.InteractionPage{}, driver.Errorf(driver.InvalidContent, "bad cursor %q", req.Cursor)
		}
	}
	limit := req.Limit
	if limit <= 0 {
		limit = 50
	}
	pg := driver.InteractionPage{Next: strconv.Itoa(after)}
	for _, it := range d.n.items {
		if it.seq <= after || it.deleted || !keep(it) {
			continue
		}
		if len(pg.Items) == limit {
			pg.More = true
			break
		}
		pg.Items = append(pg.Items, it.Interaction)
		pg.Next = strconv.Itoa(it.seq)
	}
	return pg, nil
}

func (d *refDriver) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	if err := d.n.request(); err != nil {
		return driver.InteractionPage{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	if _, err := d.post(postID); err != nil {
		return driver.InteractionPage{}, err
	}
	return d.list(req, func(it *refItem) bool {
		return it.PostID == postID && (it.Kind == driver.Comment || it.Kind == driver.Reply)
	})
}

func (d *refDriver) ListMentions(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	if err := d.n.request(); err != nil {
		return driver.InteractionPage{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	return d.list(req, func(it *refItem) bool { return it.Kind == driver.Mention })
}

func (d *refDriver) ListMessages(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	if err := d.n.request(); err != nil {
		return driver.InteractionPage{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	return d.list(req, func(it *refItem) bool { return it.Kind == driver.DirectMessage && it.Author.ID != "brand" })
}

func (d *refDriver) item(id string) (*refItem, error) {
	for _, it := range d.n.items {
		if it.ID == id && !it.deleted {
			return it, nil
		}
	}
	return nil, driver.Errorf(driver.NotFound, "no comment %q", id)
}

func (d *refDriver) Reply(ctx context.Context, parentID string, p *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	if err := d.n.request(); err != nil {
		return driver.PublishResult{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	postID := parentID
	if it, err := d.item(parentID); err == nil {
		postID = it.PostID
	} else if _, err := d.post(parentID); err != nil {
		return driver.PublishResult{}, err
	}
	return driver.PublishResult{Status: driver.Published, ID: d.addItem(driver.Reply, postID, parentID, "", p.Text, "brand")}, nil
}

func (d *refDriver) SendMessage(ctx context.Context, conv string, p *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	if err := d.n.request(); err != nil {
		return driver.PublishResult{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	return driver.PublishResult{Status: driver.Published, ID: d.addItem(driver.DirectMessage, "", "", conv, p.Text, "brand")}, nil
}

func (d *refDriver) SetCommentHidden(ctx context.Context, id string, hidden bool) error {
	if err := d.n.request(); err != nil {
		return err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	it, err := d.item(id)
	if err != nil {
		return err
	}
	it.Hidden = hidden
	return nil
}

func (d *refDriver) DeleteComment(ctx context.Context, id string) error {
	if err := d.n.request(); err != nil {
		return err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	it, err := d.item(id)
	if err != nil {
		return err
	}
	it.deleted = true
	return nil
}

func (d *refDriver) SetLiked(ctx context.Context, id string, liked bool) error {
	if err := d.n.request(); err != nil {
		return err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	p, perr := d.post(id)
	if _, ierr := d.item(id); perr != nil && ierr != nil {
		return perr
	}
	if d.n.liked[id] == liked {
		return nil
	}
	d.n.liked[id] = liked
	if p != nil {
		if liked {
			p.likes++
		} else {
			p.likes--
		}
	}
	return nil
}

func (d *refDriver) PostMetrics(ctx context.Context, id string) (driver.PostMetrics, error) {
	if err := d.n.request(); err != nil {
		return driver.PostMetrics{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	p, err := d.post(id)
	if err != nil {
		return driver.PostMetrics{}, err
	}
	comments := 0
	for _, it := range d.n.items {
		if it.PostID == id && !it.deleted {
			comments++
		}
	}
	return driver.PostMetrics{PostID: id, Likes: driver.M(int64(p.likes)), Comments: driver.M(int64(comments))}, nil
}

func (d *refDriver) AccountMetrics(ctx context.Context) (driver.AccountMetrics, error) {
	if err := d.n.request(); err != nil {
		return driver.AccountMetrics{}, err
	}
	d.n.mu.Lock()
	defer d.n.mu.Unlock()
	return driver.AccountMetrics{Followers: driver.M(0), Posts: driver.M(int64(len(d.n.posts)))}, nil
}

// refHarness drives refnet. wrap, when set, wraps each driver it opens.
type refHarness struct {
	mu       sync.Mutex
	cur      *refNet
	requests atomic.Int64
	faults   faults
	caps     driver.Capabilities
	wrap     func(*refDriver) driver.Driver
}

const refCaps = driver.CapPublish | driver.CapDelete | driver.CapEdit | driver.CapComments | driver.CapMentions |
	driver.CapReply | driver.CapHideComment | driver.CapDeleteComment | driver.CapLike | driver.CapPostMetrics |
	driver.CapAccountMetrics | driver.CapReadMessages | driver.CapSendMessages | driver.CapPending |
	driver.CapFindPost | driver.CapThreads | driver.CapFirstComment | driver.CapMedia | driver.CapIdempotencyKey

func newRefHarness() *refHarness { return &refHarness{caps: refCaps} }

func (h *refHarness) Open(ctx context.Context) (driver.Driver, error) {
	n := &refNet{posts: map[string]*refPost{}, keys: map[string]string{}, liked: map[string]bool{},
		pending: map[string]int{}, requests: &h.requests, faults: &h.faults}
	h.mu.Lock()
	h.cur = n
	h.mu.Unlock()
	d := &refDriver{n: n}
	if h.wrap != nil {
		return h.wrap(d), nil
	}
	return d, nil
}

func (h *refHarness) Capabilities() driver.Capabilities { return h.caps }

func (h *refHarness) Interact(ctx context.Context, kind driver.InteractionKind, target, text string) (string, error) {
	h.mu.Lock()
	n := h.cur
	h.mu.Unlock()
	if n == nil {
		return "", errors.New("no network opened")
	}
	d := &refDriver{n: n}
	n.mu.Lock()
	defer n.mu.Unlock()
	switch kind {
	case driver.Comment:
		if _, err := d.post(target); err != nil {
			return "", err
		}
		return d.addItem(driver.Comment, target, target, "", text, "fan"), nil
	case driver.Reply:
		it, err := d.item(target)
		if err != nil {
			return "", err
		}
		return d.addItem(driver.Reply, it.PostID, target, "", text, "fan"), nil
	case driver.Mention:
		return d.addItem(driver.Mention, "", "", "", "@brand "+text, "fan"), nil
	case driver.DirectMessage:
		conv := target
		if conv == "" {
			conv = "conv-fan"
		}
		return d.addItem(driver.DirectMessage, "", "", conv, text, "fan"), nil
	}
	return "", driver.ErrUnsupported
}

func (h *refHarness) Fail(f Fault, n int) bool {
	h.faults.mu.Lock()
	defer h.faults.mu.Unlock()
	h.faults.f, h.faults.n = f, n
	return true
}

func (h *refHarness) Requests() int64 { return h.requests.Load() }

func (h *refHarness) Close() error { return nil }
