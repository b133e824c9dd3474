package connectors

import (
	"context"
	"strconv"
	"sync"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// fake is a driver implementing every optional interface. Each call is
// counted by operation; fail queues errors returned, in order, by the next
// calls of an operation.
type fake struct {
	mu    sync.Mutex
	desc  Description
	calls map[string]int
	fail  map[string][]error
	next  int
	posts map[string]bool
	// closed records Close.
	closed bool
}

func newFake(desc Description) *fake {
	if desc.Network == "" {
		desc.Network = "fakenet"
		desc.DisplayName = "Fakenet"
	}
	return &fake{desc: desc, calls: map[string]int{}, fail: map[string][]error{}, posts: map[string]bool{}}
}

func (f *fake) failNext(op string, errs ...error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.fail[op] = append(f.fail[op], errs...)
}

func (f *fake) count(op string) int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.calls[op]
}

func (f *fake) total() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	n := 0
	for _, c := range f.calls {
		n += c
	}
	return n
}

func (f *fake) hit(op string) error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls[op]++
	if q := f.fail[op]; len(q) > 0 {
		f.fail[op] = q[1:]
		return q[0]
	}
	return nil
}

func (f *fake) Describe(ctx context.Context) (Description, error) {
	if err := f.hit("Describe"); err != nil {
		return Description{}, err
	}
	return f.desc, nil
}

func (f *fake) Publish(ctx context.Context, p *Post, o PublishOptions) (PublishResult, error) {
	if err := f.hit("Publish"); err != nil {
		return PublishResult{}, err
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.next++
	id := "p" + strconv.Itoa(f.next)
	f.posts[id] = true
	return PublishResult{Status: Published, ID: id}, nil
}

func (f *fake) DeletePost(ctx context.Context, id string) error { return f.hit("Delete") }
func (f *fake) EditPost(ctx context.Context, id string, p *Post) (PublishResult, error) {
	return f.result(id, f.hit("Edit"))
}
func (f *fake) ListComments(ctx context.Context, id string, r PageRequest) (InteractionPage, error) {
	if err := f.hit("Comments"); err != nil {
		return InteractionPage{}, err
	}
	return InteractionPage{Items: []Interaction{{Kind: Comment, ID: "c1", PostID: id}}, Next: "c1"}, nil
}
func (f *fake) ListMentions(ctx context.Context, r PageRequest) (InteractionPage, error) {
	return InteractionPage{Next: r.Cursor}, f.hit("Mentions")
}
func (f *fake) Reply(ctx context.Context, parent string, p *Post, o PublishOptions) (PublishResult, error) {
	return f.result("r1", f.hit("Reply"))
}
func (f *fake) SetCommentHidden(ctx context.Context, id string, hidden bool) error {
	return f.hit("SetCommentHidden")
}
func (f *fake) DeleteComment(ctx context.Context, id string) error { return f.hit("DeleteComment") }
func (f *fake) SetLiked(ctx context.Context, id string, liked bool) error {
	return f.hit("SetLiked")
}
func (f *fake) PostMetrics(ctx context.Context, id string) (PostMetrics, error) {
	return PostMetrics{Likes: driver.M(3)}, f.hit("PostMetrics")
}
func (f *fake) AccountMetrics(ctx context.Context) (AccountMetrics, error) {
	return AccountMetrics{Followers: driver.M(10)}, f.hit("AccountMetrics")
}
func (f *fake) ListMessages(ctx context.Context, r PageRequest) (InteractionPage, error) {
	return InteractionPage{Next: r.Cursor}, f.hit("Messages")
}
func (f *fake) SendMessage(ctx context.Context, conv string, p *Post, o PublishOptions) (PublishResult, error) {
	return f.result("m1", f.hit("SendMessage"))
}
func (f *fake) CheckPending(ctx context.Context, pending []byte) (PublishResult, error) {
	return f.result("p1", f.hit("CheckPending"))
}
func (f *fake) FindPost(ctx context.Context, key string, p *Post) (PublishResult, error) {
	return f.result("p1", f.hit("FindPost"))
}

func (f *fake) result(id string, err error) (PublishResult, error) {
	if err != nil {
		return PublishResult{}, err
	}
	return PublishResult{Status: Published, ID: id}, nil
}

type rawClient struct{ name string }

func (f *fake) As(target any) bool {
	if p, ok := target.(**rawClient); ok {
		*p = &rawClient{name: "raw"}
		return true
	}
	return false
}

type rawError struct{ code int }

func (e *rawError) Error() string { return "raw " + strconv.Itoa(e.code) }

func (f *fake) ErrorAs(err error, target any) bool {
	if p, ok := target.(**rawError); ok {
		*p = &rawError{code: 190}
		return true
	}
	return false
}

func (f *fake) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.closed = true
	return nil
}

// coreOnly implements only driver.Driver.
type coreOnly struct{ f *fake }

func (c coreOnly) Describe(ctx context.Context) (Description, error) { return c.f.Describe(ctx) }
func (c coreOnly) Publish(ctx context.Context, p *Post, o PublishOptions) (PublishResult, error) {
	return c.f.Publish(ctx, p, o)
}

// sleeper records the delays the Account asked to sleep, never sleeping.
type sleeper struct {
	mu     sync.Mutex
	delays []time.Duration
	// cancel, when set, is called on the first sleep (to test ctx).
	cancel context.CancelFunc
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.delays = append(s.delays, d)
	c := s.cancel
	s.mu.Unlock()
	if c != nil {
		c()
	}
	return ctx.Err()
}

func (s *sleeper) got() []time.Duration {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]time.Duration(nil), s.delays...)
}

func init() {
	Register("fakenet", func(ctx context.Context, cfg Config) (driver.Driver, error) {
		d := newFake(Description{})
		d.desc.AccountID = cfg.Account
		d.desc.URL = cfg.Server
		return d, nil
	})
}
