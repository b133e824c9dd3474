package memconnector

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
)

// NetworkOptions configure a Network. A nil *NetworkOptions, like the zero
// value, gives a network named "mem" with DefaultLimits and the real clock.
type NetworkOptions struct {
	// Name is the registry name reported by Describe and set on errors and
	// interactions. Defaults to "mem".
	Name string
	// DisplayName is the network's name for people, used in messages.
	// Defaults to "Mem", or "Mem (<profile> limits)" with Profile.
	DisplayName string
	// Limits are the content limits Describe reports. Nil means the limits
	// of Profile, or DefaultLimits when Profile is empty.
	Limits *driver.Limits
	// Profile copies connectors.PresetLimits(Profile) ("x", "bluesky",
	// "instagram"...) so that a test can emulate a real network's limits.
	// An unknown profile makes Driver and Account return an error.
	Profile string
	// Now is the clock that timestamps everything. Defaults to time.Now.
	Now func() time.Time
	// Seed seeds Simulate. The same seed and the same calls give the same
	// network.
	Seed int64
	// IDPrefix is prepended to every ID the network issues, so that two
	// networks in one test cannot be confused. Defaults to "".
	IDPrefix string
	// PendingChecks, when positive, makes every publish with media return
	// Status Pending (as Instagram containers do); the post goes live on
	// the PendingChecks-th CheckPending call. Defaults to 0: published at
	// once.
	PendingChecks int
	// Declined lists capabilities that Describe reports as declined: the
	// driver still implements them but returns ErrUnsupported, as for a
	// personal account without insights.
	Declined driver.Capabilities
	// Faults, when set, is called before every driver operation (after the
	// queue of FailNext) with the operation's name (an Op constant) and the
	// account's handle. A non-nil error fails the operation; wrap it with
	// AfterCommit to apply the operation first. It is called with the
	// network locked and must not call the Network's methods.
	Faults func(op, account string) error
}

// DefaultLimits are the limits of a network created without Limits or
// Profile: generous, code-point counted, with media, threads and first
// comments allowed.
func DefaultLimits() driver.Limits {
	return driver.Limits{
		TextRule:         driver.CountCodePoints,
		MaxText:          10000,
		MaxTitle:         300,
		MaxHashtags:      100,
		MaxMentions:      100,
		MaxImages:        20,
		MaxVideos:        4,
		MixedMedia:       true,
		MaxImageBytes:    50 << 20,
		MaxVideoBytes:    4 << 30,
		MaxVideoDuration: 2 * time.Hour,
		MaxAltText:       1500,
		Threads:          true,
		FirstComment:     true,
		MaxThread:        50,
	}
}

// Network is an in-memory social network holding many accounts, so that
// accounts on it can interact: publish, comment, mention each other and
// exchange direct messages. Every account's driver implements every
// optional interface of package driver.
//
// A Network is safe for concurrent use. Its methods other than Driver and
// Account act as other users (Comment, Mention, SendDM...) or control the
// simulation (FailNext, Simulate...); they are not driver calls, so they
// are neither counted by Calls nor subject to faults.
type Network struct {
	name, display, prefix string
	limits                driver.Limits
	limitsErr             error
	clock                 func() time.Time
	seed                  int64
	pendingChecks         int
	declined              driver.Capabilities
	hook                  func(op, account string) error

	calls [numOps]atomic.Int64

	mu         sync.Mutex
	seq        uint64
	sims       uint64
	users      map[string]*user // by lower-case handle
	userIDs    map[string]*user
	items      map[string]*item
	convs      map[string]*conversation
	pairs      map[[2]string]*conversation
	containers map[string]*container
	labels     map[string]Category
	faults     []*queuedFault
}

// NewNetwork returns an empty network. opts may be nil.
func NewNetwork(opts *NetworkOptions) *Network {
	var o NetworkOptions
	if opts != nil {
		o = *opts
	}
	n := &Network{
		name:          o.Name,
		display:       o.DisplayName,
		prefix:        o.IDPrefix,
		clock:         o.Now,
		seed:          o.Seed,
		pendingChecks: o.PendingChecks,
		declined:      o.Declined,
		hook:          o.Faults,
		users:         make(map[string]*user),
		userIDs:       make(map[string]*user),
		items:         make(map[string]*item),
		convs:         make(map[string]*conversation),
		pairs:         make(map[[2]string]*conversation),
		containers:    make(map[string]*container),
		labels:        make(map[string]Category),
	}
	if n.name == "" {
		n.name = "mem"
	}
	if n.clock == nil {
		n.clock = time.Now
	}
	switch {
	case o.Limits != nil:
		n.limits = *o.Limits
	case o.Profile != "":
		l, ok := connectors.PresetLimits(o.Profile)
		if !ok {
			n.limitsErr = fmt.Errorf("memconnector: unknown profile %q", o.Profile)
		}
		n.limits = l
	default:
		n.limits = DefaultLimits()
	}
	if n.display == "" {
		n.display = "Mem"
		if o.Profile != "" && o.Limits == nil {
			n.display = "Mem (" + o.Profile + " limits)"
		}
	}
	return n
}

// Name returns the network's registry name ("mem" unless configured).
func (n *Network) Name() string { return n.name }

func (n *Network) now() time.Time { return n.clock().Round(0) }

// Driver returns a driver for the account with the given handle, creating
// the account if it does not exist. Each call returns a new driver value;
// closing it closes only that value. A leading '@' is ignored; handles are
// 1 to 64 letters, digits, '_', '.' or '-' and are case-insensitive.
func (n *Network) Driver(handle string) (driver.Driver, error) {
	if n.limitsErr != nil {
		return nil, n.limitsErr
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	u, err := n.userLocked(handle)
	if err != nil {
		return nil, err
	}
	return &accountDriver{n: n, u: u}, nil
}

// Account opens a *connectors.Account on the account with the given handle
// (see Driver). opts may be nil.
func (n *Network) Account(ctx context.Context, handle string, opts *connectors.AccountOptions) (*connectors.Account, error) {
	d, err := n.Driver(handle)
	if err != nil {
		return nil, err
	}
	return connectors.NewAccount(ctx, d, opts)
}

// user is an account on the network, whether driven by a test or
// simulated.
type user struct {
	id, handle, name string
	createdAt        time.Time
	verified         bool
	simulated        bool
	lang             string
	// baseFollowers are followers not represented as users (a simulated
	// user's audience elsewhere on the network).
	baseFollowers int64
	followers     []*user
	followerIdx   map[*user]int
	following     int64

	posts        []*item // top-level posts, in creation order
	comments     []*item // comments and replies written by the user
	mentions     []*item // posts and comments mentioning the user
	inbox        []*item // direct messages received
	livePosts    int64
	publishCount int64
	idem         map[string]*item
	pending      map[string]*container
}

func (u *user) followerCount() int64 { return u.baseFollowers + int64(len(u.followers)) }

func validHandle(h string) bool {
	if h == "" || len(h) > 64 {
		return false
	}
	for i := 0; i < len(h); i++ {
		c := h[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
			return false
		}
	}
	return true
}

// userLocked returns the user with handle, creating it. n.mu is held.
func (n *Network) userLocked(handle string) (*user, error) {
	h := strings.TrimPrefix(handle, "@")
	if !validHandle(h) {
		return nil, &driver.ValidationError{Network: n.display, Field: "handle",
			Reason: fmt.Sprintf("%q is not a valid handle: use 1 to 64 letters, digits, '_', '.' or '-'", handle)}
	}
	key := strings.ToLower(h)
	if u, ok := n.users[key]; ok {
		return u, nil
	}
	u := &user{id: n.nextID('u'), handle: h, name: h, createdAt: n.now(), lang: ""}
	n.users[key] = u
	n.userIDs[u.id] = u
	return u, nil
}

// lookupUserLocked finds an existing user by handle or user ID.
func (n *Network) lookupUserLocked(ref string) (*user, bool) {
	if u, ok := n.userIDs[ref]; ok {
		return u, true
	}
	u, ok := n.users[strings.ToLower(strings.TrimPrefix(ref, "@"))]
	return u, ok
}

func (n *Network) nextID(kind byte) string {
	n.seq++
	b := make([]byte, 0, len(n.prefix)+12)
	b = append(b, n.prefix...)
	b = append(b, kind)
	b = strconv.AppendUint(b, n.seq, 10)
	return string(b)
}

func (n *Network) profileURL(u *user) string {
	return "https://" + n.name + ".invalid/@" + u.handle
}

func (n *Network) authorOf(u *user) driver.Author {
	return driver.Author{
		ID:        u.id,
		Handle:    u.handle,
		Name:      u.name,
		URL:       n.profileURL(u),
		CreatedAt: u.createdAt,
		Followers: u.followerCount(),
		Verified:  u.verified,
	}
}

// Author returns the public profile of the user with the given handle or
// user ID.
func (n *Network) Author(handle string) (driver.Author, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	u, ok := n.lookupUserLocked(handle)
	if !ok {
		return driver.Author{}, false
	}
	return n.authorOf(u), true
}

// follow makes a follow b; it reports whether that changed anything.
func follow(a, b *user) bool {
	if a == b {
		return false
	}
	if b.followerIdx == nil {
		b.followerIdx = make(map[*user]int)
	}
	if _, ok := b.followerIdx[a]; ok {
		return false
	}
	b.followerIdx[a] = len(b.followers)
	b.followers = append(b.followers, a)
	a.following++
	return true
}

// unfollow removes a from b's followers, swapping the last follower into
// its place (deterministic, O(1)).
func unfollow(a, b *user) bool {
	i, ok := b.followerIdx[a]
	if !ok {
		return false
	}
	last := len(b.followers) - 1
	b.followers[i] = b.followers[last]
	b.followerIdx[b.followers[i]] = i
	b.followers[last] = nil
	b.followers = b.followers[:last]
	delete(b.followerIdx, a)
	a.following--
	return true
}

// Follow makes the user from follow the user to, creating either as
// needed. Following twice is not an error.
func (n *Network) Follow(from, to string) error {
	return n.follow(from, to, true)
}

// Unfollow makes the user from stop following the user to. Unfollowing a
// user not followed is not an error.
func (n *Network) Unfollow(from, to string) error {
	return n.follow(from, to, false)
}

func (n *Network) follow(from, to string, on bool) error {
	n.mu.Lock()
	defer n.mu.Unlock()
	a, err := n.userLocked(from)
	if err != nil {
		return err
	}
	b, err := n.userLocked(to)
	if err != nil {
		return err
	}
	if a == b {
		return &driver.ValidationError{Network: n.display, Field: "handle", Reason: "an account cannot follow itself"}
	}
	if on {
		follow(a, b)
	} else {
		unfollow(a, b)
	}
	return nil
}

// StoredPost is a top-level post as the network stores it, for tests that
// check what was published.
type StoredPost struct {
	ID      string
	Account string // handle of the author
	Text    string
	Title   string
	Link    string
	// ParentID is the previous post of a thread, or empty for a head.
	ParentID       string
	IdempotencyKey string
	Media          []driver.Media // without their bytes
	Language       string
	Tags           []string
	URL            string
	CreatedAt      time.Time
	EditedAt       time.Time
}

// Posts returns the live top-level posts of the account (thread follow-ups
// included, comments and replies excluded), oldest first.
func (n *Network) Posts(account string) []StoredPost {
	n.mu.Lock()
	defer n.mu.Unlock()
	u, ok := n.lookupUserLocked(account)
	if !ok {
		return nil
	}
	out := make([]StoredPost, 0, u.livePosts)
	for _, it := range u.posts {
		if it.deleted {
			continue
		}
		sp := StoredPost{
			ID: it.id, Account: u.handle, Text: it.text, Title: it.title, Link: it.link,
			IdempotencyKey: it.idemKey, Language: it.lang, URL: n.itemURL(it),
			CreatedAt: it.createdAt, EditedAt: it.editedAt,
			Tags: append([]string(nil), it.tags...),
		}
		if it.parent != nil {
			sp.ParentID = it.parent.id
		}
		for _, m := range it.media {
			sp.Media = append(sp.Media, m.public())
		}
		out = append(out, sp)
	}
	return out
}

// PublishCount returns how many posts and replies the account's drivers
// have created with Publish, Reply or a CheckPending that completed a
// pending publish, deleted ones included. Idempotent replays, thread
// follow-ups, first comments and posts created by Simulate are not counted:
// a test of exactly-once publication compares it with the number of posts
// it scheduled.
func (n *Network) PublishCount(account string) int64 {
	n.mu.Lock()
	defer n.mu.Unlock()
	u, ok := n.lookupUserLocked(account)
	if !ok {
		return 0
	}
	return u.publishCount
}

// Engagement are counters added to a post by AddEngagement: what the
// audience did that produced no interaction to list.
type Engagement struct {
	Impressions, Reach, Likes, Shares, Saves, Clicks, VideoViews int64
}

// AddEngagement adds e to the counters of the post postID. Likes are
// anonymous likes, added to those of users (LikeAs). Negative values are
// rejected.
func (n *Network) AddEngagement(postID string, e Engagement) error {
	if e.Impressions < 0 || e.Reach < 0 || e.Likes < 0 || e.Shares < 0 || e.Saves < 0 || e.Clicks < 0 || e.VideoViews < 0 {
		return &driver.ValidationError{Network: n.display, Field: "engagement", Reason: "counters cannot decrease"}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	it, err := n.liveLocked(postID)
	if err != nil {
		return err
	}
	if it.kind != kindPost {
		return n.errf(driver.NotFound, "%s is not a post", postID)
	}
	it.eng.add(e)
	return nil
}

// AddImpressions adds k impressions and k reach to the post postID.
func (n *Network) AddImpressions(postID string, k int64) error {
	return n.AddEngagement(postID, Engagement{Impressions: k, Reach: k})
}

// Label returns the ground-truth category of an interaction generated by
// Simulate or labelled with SetLabel.
func (n *Network) Label(id string) (Category, bool) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c, ok := n.labels[id]
	return c, ok
}

// SetLabel records the ground-truth category of the interaction id, for a
// test that writes its own comments and scores a moderation pipeline.
func (n *Network) SetLabel(id string, c Category) error {
	if c < Praise || c > Neutral {
		return &driver.ValidationError{Network: n.display, Field: "category", Reason: "unknown category " + strconv.Itoa(int(c))}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	if _, ok := n.items[id]; !ok {
		return n.errf(driver.NotFound, "no interaction %s", id)
	}
	n.labels[id] = c
	return nil
}

// APIError is the mem network's raw error, what a real network would send
// as its error body. Every error the network produces carries one:
// read it with the driver's ErrorAs or errors.As.
type APIError struct {
	// Status is the HTTP status a real network would answer.
	Status int
	// Code is the network's error code, e.g. "not_found".
	Code string
	// Message is the human-readable message.
	Message string
}

// Error formats "mem: 404 not_found: message".
func (e *APIError) Error() string {
	return "mem: " + strconv.Itoa(e.Status) + " " + e.Code + ": " + e.Message
}

var codeWire = map[driver.ErrorCode]struct {
	status int
	code   string
}{
	driver.InvalidContent:   {400, "invalid_request"},
	driver.NotFound:         {404, "not_found"},
	driver.PermissionDenied: {403, "forbidden"},
	driver.Unauthenticated:  {401, "invalid_token"},
	driver.RateLimited:      {429, "rate_limited"},
	driver.QuotaExceeded:    {429, "quota_exceeded"},
	driver.Unavailable:      {503, "unavailable"},
	driver.Unsupported:      {400, "unsupported"},
	driver.Duplicate:        {409, "duplicate"},
	driver.Conflict:         {409, "conflict"},
}

// errf builds the network's *driver.Error for code, with its APIError.
func (n *Network) errf(code driver.ErrorCode, format string, args ...any) *driver.Error {
	msg := fmt.Sprintf(format, args...)
	w := codeWire[code]
	return &driver.Error{
		Code:        code,
		Network:     n.name,
		Status:      w.status,
		NetworkCode: w.code,
		Message:     msg,
		Err:         &APIError{Status: w.status, Code: w.code, Message: msg},
	}
}

// invalid builds a *driver.ValidationError for structurally impossible
// input.
func (n *Network) invalid(field, reason string) error {
	return &driver.ValidationError{Network: n.display, Field: field, Reason: reason}
}
