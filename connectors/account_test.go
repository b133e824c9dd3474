package connectors

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/stretchr/testify/require"
)

func newTestAccount(t *testing.T, d driver.Driver, s *sleeper, opts *AccountOptions) *Account {
	t.Helper()
	if opts == nil {
		opts = &AccountOptions{}
	}
	if s != nil {
		opts.Sleep = s.sleep
	}
	a, err := NewAccount(context.Background(), d, opts)
	require.NoError(t, err)
	return a
}

const allDriverCaps = CapPublish | CapDelete | CapEdit | CapComments | CapMentions | CapReply |
	CapHideComment | CapDeleteComment | CapLike | CapPostMetrics | CapAccountMetrics |
	CapReadMessages | CapSendMessages | CapPending | CapFindPost

func TestCapabilities(t *testing.T) {
	tests := []struct {
		name string
		d    func() driver.Driver
		want Capabilities
	}{
		{"core only, no media", func() driver.Driver {
			return coreOnly{newFake(Description{Limits: Limits{NoMedia: true}})}
		}, CapPublish},
		{"core only with media", func() driver.Driver {
			return coreOnly{newFake(Description{})}
		}, CapPublish | CapMedia},
		{"every interface", func() driver.Driver {
			return newFake(Description{Limits: Limits{NoMedia: true}})
		}, allDriverCaps},
		{"limits and idempotency", func() driver.Driver {
			return newFake(Description{Idempotent: true, Limits: Limits{Threads: true, FirstComment: true}})
		}, allDriverCaps | CapThreads | CapFirstComment | CapMedia | CapIdempotencyKey},
		{"declined", func() driver.Driver {
			return newFake(Description{Declined: CapLike | CapAccountMetrics | CapPublish | CapThreads,
				Limits: Limits{Threads: true}})
		}, (allDriverCaps | CapMedia) &^ (CapLike | CapAccountMetrics)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			a := newTestAccount(t, tt.d(), nil, nil)
			require.Equal(t, tt.want.String(), a.Capabilities().String())
			require.Equal(t, tt.want, a.Capabilities())
			require.True(t, a.Supports(CapPublish))
		})
	}
}

func TestDeclinedThreadsAreValidated(t *testing.T) {
	f := newFake(Description{Declined: CapThreads | CapMedia, Limits: Limits{Threads: true}})
	a := newTestAccount(t, f, nil, nil)
	_, err := a.Publish(context.Background(), &Post{Text: "a", Thread: []Post{{Text: "b"}},
		Media: []Media{{Kind: MediaImage, MIMEType: "image/png", Data: []byte{1}}}}, nil)
	require.ErrorIs(t, err, ErrInvalidContent)
	require.Contains(t, err.Error(), "thread: Fakenet does not support threads")
	require.Contains(t, err.Error(), "media: Fakenet does not take attachments")
	require.Zero(t, f.count("Publish"))
}

// unsupportedCalls exercises every method but Publish.
var unsupportedCalls = []struct {
	name, noun string
	call       func(a *Account) error
}{
	{"Delete", "deleting posts", func(a *Account) error { return a.Delete(context.Background(), "p1") }},
	{"Edit", "editing posts", func(a *Account) error {
		_, err := a.Edit(context.Background(), "p1", &Post{Text: "x"})
		return err
	}},
	{"Comments", "listing comments", func(a *Account) error {
		_, err := a.Comments(context.Background(), "p1", PageRequest{})
		return err
	}},
	{"Mentions", "listing mentions", func(a *Account) error {
		_, err := a.Mentions(context.Background(), PageRequest{})
		return err
	}},
	{"Reply", "replying", func(a *Account) error {
		_, err := a.Reply(context.Background(), "c1", &Post{Text: "x"}, nil)
		return err
	}},
	{"HideComment", "hiding comments", func(a *Account) error { return a.HideComment(context.Background(), "c1") }},
	{"UnhideComment", "hiding comments", func(a *Account) error { return a.UnhideComment(context.Background(), "c1") }},
	{"DeleteComment", "deleting comments", func(a *Account) error { return a.DeleteComment(context.Background(), "c1") }},
	{"Like", "likes", func(a *Account) error { return a.Like(context.Background(), "p1") }},
	{"Unlike", "likes", func(a *Account) error { return a.Unlike(context.Background(), "p1") }},
	{"PostMetrics", "post metrics", func(a *Account) error {
		_, err := a.PostMetrics(context.Background(), "p1")
		return err
	}},
	{"AccountMetrics", "account metrics", func(a *Account) error {
		_, err := a.AccountMetrics(context.Background())
		return err
	}},
	{"Messages", "reading direct messages", func(a *Account) error {
		_, err := a.Messages(context.Background(), PageRequest{})
		return err
	}},
	{"SendMessage", "sending direct messages", func(a *Account) error {
		_, err := a.SendMessage(context.Background(), "conv", &Post{Text: "x"}, nil)
		return err
	}},
	{"CheckPending", "pending publishes", func(a *Account) error {
		_, err := a.CheckPending(context.Background(), []byte("x"))
		return err
	}},
	{"FindPost", "finding posts", func(a *Account) error {
		_, err := a.FindPost(context.Background(), "key", nil)
		return err
	}},
}

func TestUnsupportedMakesNoDriverCall(t *testing.T) {
	f := newFake(Description{Network: "mastodon", DisplayName: "Mastodon"})
	a := newTestAccount(t, coreOnly{f}, nil, nil)
	for _, tt := range unsupportedCalls {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.call(a)
			require.ErrorIs(t, err, ErrUnsupported)
			require.Equal(t, Unsupported, Code(err))
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.name, e.Op)
			require.Equal(t, "mastodon", e.Network)
			require.Equal(t, "connectors: mastodon: "+tt.name+": unsupported: Mastodon does not support "+tt.noun, err.Error())
			require.Equal(t, 1, f.total(), "only Describe reached the driver")
		})
	}
}

func TestDeclinedIsUnsupported(t *testing.T) {
	f := newFake(Description{Declined: CapLike})
	a := newTestAccount(t, f, nil, nil)
	require.ErrorIs(t, a.Like(context.Background(), "p1"), ErrUnsupported)
	require.Zero(t, f.count("SetLiked"))
}

func TestInvalidArguments(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name, msg string
		call      func(a *Account) error
	}{
		{"Publish nil", "no post given (nil *Post)", func(a *Account) error { _, err := a.Publish(ctx, nil, nil); return err }},
		{"Publish empty", "text: the post is empty: add text or media", func(a *Account) error {
			_, err := a.Publish(ctx, &Post{}, nil)
			return err
		}},
		{"Delete", "empty post ID", func(a *Account) error { return a.Delete(ctx, "") }},
		{"Edit ID", "empty post ID", func(a *Account) error { _, err := a.Edit(ctx, "", &Post{Text: "x"}); return err }},
		{"Edit nil", "no post given (nil *Post)", func(a *Account) error { _, err := a.Edit(ctx, "p1", nil); return err }},
		{"Comments", "empty post ID", func(a *Account) error { _, err := a.Comments(ctx, "", PageRequest{}); return err }},
		{"Comments limit", "negative page limit", func(a *Account) error {
			_, err := a.Comments(ctx, "p1", PageRequest{Limit: -1})
			return err
		}},
		{"Reply parent", "empty parent ID", func(a *Account) error { _, err := a.Reply(ctx, "", &Post{Text: "x"}, nil); return err }},
		{"Reply nil", "no post given (nil *Post)", func(a *Account) error { _, err := a.Reply(ctx, "c1", nil, nil); return err }},
		{"HideComment", "empty comment ID", func(a *Account) error { return a.HideComment(ctx, "") }},
		{"DeleteComment", "empty comment ID", func(a *Account) error { return a.DeleteComment(ctx, "") }},
		{"Like", "empty post or comment ID", func(a *Account) error { return a.Like(ctx, "") }},
		{"PostMetrics", "empty post ID", func(a *Account) error { _, err := a.PostMetrics(ctx, ""); return err }},
		{"SendMessage", "empty conversation ID", func(a *Account) error {
			_, err := a.SendMessage(ctx, "", &Post{Text: "x"}, nil)
			return err
		}},
		{"CheckPending", "empty pending state", func(a *Account) error { _, err := a.CheckPending(ctx, nil); return err }},
		{"FindPost", "neither an idempotency key nor a post given", func(a *Account) error {
			_, err := a.FindPost(ctx, "", nil)
			return err
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(Description{})
			a := newTestAccount(t, f, nil, nil)
			err := tt.call(a)
			require.ErrorIs(t, err, ErrInvalidContent)
			var e *Error
			require.ErrorAs(t, err, &e)
			require.Equal(t, tt.msg, e.Message)
			require.Equal(t, "fakenet", e.Network)
			require.Equal(t, 1, f.total(), "only Describe reached the driver")
		})
	}
}

func TestValidationBeforePublish(t *testing.T) {
	x, _ := PresetLimits("x")
	f := newFake(Description{Network: "x", DisplayName: "X", Limits: x})
	a := newTestAccount(t, f, nil, nil)
	long := &Post{Text: strings.Repeat("a", 281)}
	for name, call := range map[string]func() error{
		"Publish":     func() error { _, err := a.Publish(context.Background(), long, nil); return err },
		"Reply":       func() error { _, err := a.Reply(context.Background(), "c1", long, nil); return err },
		"Edit":        func() error { _, err := a.Edit(context.Background(), "p1", long); return err },
		"SendMessage": func() error { _, err := a.SendMessage(context.Background(), "c", long, nil); return err },
	} {
		t.Run(name, func(t *testing.T) {
			err := call()
			require.ErrorIs(t, err, ErrInvalidContent)
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, "text", ve.Field)
			require.Equal(t, "connectors: x: "+name+": invalid content: text is 281 characters, X allows 280", err.Error())
			require.Equal(t, 1, f.total())
		})
	}
	require.NoError(t, a.Validate(&Post{Text: strings.Repeat("a", 280)}))
	res, err := a.Publish(context.Background(), &Post{Text: strings.Repeat("a", 280)}, nil)
	require.NoError(t, err)
	require.Equal(t, Published, res.Status)
}

func TestSuccessfulCalls(t *testing.T) {
	ctx := context.Background()
	f := newFake(Description{Network: "fakenet"})
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	a := newTestAccount(t, f, nil, &AccountOptions{Now: func() time.Time { return now }})
	pg, err := a.Comments(ctx, "p9", PageRequest{Limit: 2})
	require.NoError(t, err)
	require.Equal(t, "fakenet", pg.Items[0].Network, "Network filled in")
	m, err := a.PostMetrics(ctx, "p9")
	require.NoError(t, err)
	require.Equal(t, "p9", m.PostID)
	require.Equal(t, now, m.FetchedAt)
	am, err := a.AccountMetrics(ctx)
	require.NoError(t, err)
	require.Equal(t, driver.M(10), am.Followers)
	require.NoError(t, a.HideComment(ctx, "c1"))
	require.NoError(t, a.UnhideComment(ctx, "c1"))
	require.NoError(t, a.Like(ctx, "c1"))
	require.NoError(t, a.Unlike(ctx, "c1"))
	require.Equal(t, 2, f.count("SetCommentHidden"))
	require.Equal(t, 2, f.count("SetLiked"))

	var raw *rawClient
	require.True(t, a.As(&raw))
	require.Equal(t, "raw", raw.name)
	var s string
	require.False(t, a.As(&s))
	var re *rawError
	require.True(t, a.ErrorAs(errors.New("x"), &re))
	require.False(t, a.ErrorAs(nil, &re))
	require.Same(t, f, a.Unwrap())
	desc := a.Description()
	require.Equal(t, "fakenet", desc.Network)
	require.Equal(t, "fakenet", a.Network())
	require.NoError(t, a.Close())
	require.True(t, f.closed)

	core := newTestAccount(t, coreOnly{newFake(Description{})}, nil, nil)
	require.False(t, core.As(&raw))
	require.False(t, core.ErrorAs(errors.New("x"), &re))
	require.NoError(t, core.Close())
}

func TestDescriptionIsACopy(t *testing.T) {
	f := newFake(Description{Limits: Limits{ImageTypes: []string{"image/png"}}})
	a := newTestAccount(t, f, nil, nil)
	f.desc.Limits.ImageTypes[0] = "image/evil"
	d := a.Description()
	require.Equal(t, []string{"image/png"}, d.Limits.ImageTypes)
	d.Limits.ImageTypes[0] = "image/evil"
	require.Equal(t, []string{"image/png"}, a.Description().Limits.ImageTypes)
}

func TestNewAccount(t *testing.T) {
	t.Run("nil driver", func(t *testing.T) {
		_, err := NewAccount(context.Background(), nil, nil)
		require.ErrorIs(t, err, ErrInvalidContent)
	})
	t.Run("describe retried", func(t *testing.T) {
		f := newFake(Description{})
		f.failNext("Describe", &Error{Code: Unavailable, Status: 503})
		s := &sleeper{}
		a := newTestAccount(t, f, s, nil)
		require.Equal(t, 2, f.count("Describe"))
		require.Len(t, s.got(), 1)
		require.Equal(t, "fakenet", a.Network())
	})
	t.Run("describe fails", func(t *testing.T) {
		f := newFake(Description{})
		f.failNext("Describe", &Error{Code: Unauthenticated, Message: "token revoked"})
		_, err := NewAccount(context.Background(), f, &AccountOptions{Sleep: (&sleeper{}).sleep})
		require.ErrorIs(t, err, ErrUnauthenticated)
		require.Equal(t, "connectors: Describe: unauthenticated: token revoked", err.Error())
		require.Equal(t, 1, f.count("Describe"))
	})
	t.Run("no network name", func(t *testing.T) {
		f := newFake(Description{})
		f.desc.Network = ""
		_, err := NewAccount(context.Background(), f, nil)
		require.Error(t, err)
		require.Contains(t, err.Error(), "no network name")
	})
}

func TestRetryPolicy(t *testing.T) {
	unavailable := &Error{Code: Unavailable, Status: 503}
	limited := &RateLimitError{Code: RateLimited, RetryAfter: 2 * time.Second}
	quota := &RateLimitError{Code: QuotaExceeded, RetryAfter: 2 * time.Second}
	ops := []struct {
		name string
		op   string // the fake's counter
		call func(a *Account) error
	}{
		{"Publish", "Publish", func(a *Account) error {
			_, err := a.Publish(context.Background(), &Post{Text: "x"}, nil)
			return err
		}},
		{"Reply", "Reply", func(a *Account) error {
			_, err := a.Reply(context.Background(), "c", &Post{Text: "x"}, nil)
			return err
		}},
		{"SendMessage", "SendMessage", func(a *Account) error {
			_, err := a.SendMessage(context.Background(), "c", &Post{Text: "x"}, nil)
			return err
		}},
		{"Edit", "Edit", func(a *Account) error { _, err := a.Edit(context.Background(), "p", &Post{Text: "x"}); return err }},
		{"Delete", "Delete", func(a *Account) error { return a.Delete(context.Background(), "p") }},
		{"Comments", "Comments", func(a *Account) error { _, err := a.Comments(context.Background(), "p", PageRequest{}); return err }},
		{"Mentions", "Mentions", func(a *Account) error { _, err := a.Mentions(context.Background(), PageRequest{}); return err }},
		{"Messages", "Messages", func(a *Account) error { _, err := a.Messages(context.Background(), PageRequest{}); return err }},
		{"HideComment", "SetCommentHidden", func(a *Account) error { return a.HideComment(context.Background(), "c") }},
		{"DeleteComment", "DeleteComment", func(a *Account) error { return a.DeleteComment(context.Background(), "c") }},
		{"Like", "SetLiked", func(a *Account) error { return a.Like(context.Background(), "c") }},
		{"PostMetrics", "PostMetrics", func(a *Account) error { _, err := a.PostMetrics(context.Background(), "p"); return err }},
		{"AccountMetrics", "AccountMetrics", func(a *Account) error { _, err := a.AccountMetrics(context.Background()); return err }},
		{"CheckPending", "CheckPending", func(a *Account) error { _, err := a.CheckPending(context.Background(), []byte("x")); return err }},
		{"FindPost", "FindPost", func(a *Account) error { _, err := a.FindPost(context.Background(), "k", nil); return err }},
	}
	errs := []struct {
		name      string
		err       error
		retried   bool
		wantCode  ErrorCode
		wantDelay time.Duration // minimum first delay when retried
	}{
		{"unavailable", unavailable, true, Unavailable, 0},
		{"rate limited", limited, true, RateLimited, 2 * time.Second},
		{"rate limited *Error", &Error{Code: RateLimited, Err: limited}, true, RateLimited, 2 * time.Second},
		{"quota exceeded", quota, false, QuotaExceeded, 0},
		{"unauthenticated", &Error{Code: Unauthenticated, Status: 401}, false, Unauthenticated, 0},
		{"indeterminate", &Error{Code: Indeterminate}, false, Indeterminate, 0},
		{"unknown", errors.New("boom"), false, Unknown, 0},
		{"not found", ErrNotFound, false, NotFound, 0},
		{"invalid content", &ValidationError{Field: "text", Reason: "spam"}, false, InvalidContent, 0},
		{"canceled", context.Canceled, false, Canceled, 0},
	}
	for _, op := range ops {
		for _, e := range errs {
			t.Run(op.name+"/"+e.name, func(t *testing.T) {
				f := newFake(Description{})
				s := &sleeper{}
				a := newTestAccount(t, f, s, nil)
				f.failNext(op.op, e.err)
				err := op.call(a)
				if e.retried {
					require.NoError(t, err)
					require.Equal(t, 2, f.count(op.op))
					require.Len(t, s.got(), 1)
					require.GreaterOrEqual(t, s.got()[0], e.wantDelay)
					return
				}
				require.Error(t, err)
				require.Equal(t, e.wantCode, Code(err))
				require.Equal(t, 1, f.count(op.op), "not retried")
				require.Empty(t, s.got())
			})
		}
	}
}

func TestRetryHonoursRateLimit(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	tests := []struct {
		name  string
		err   error
		delay time.Duration
	}{
		{"retry after", &RateLimitError{Code: RateLimited, RetryAfter: 10 * time.Second}, 10 * time.Second},
		{"reset", &RateLimitError{Code: RateLimited, Reset: now.Add(20 * time.Second)}, 20 * time.Second},
		{"max of both", &RateLimitError{Code: RateLimited, RetryAfter: 5 * time.Second, Reset: now.Add(30 * time.Second)}, 30 * time.Second},
		{"exactly max wait", &RateLimitError{Code: RateLimited, RetryAfter: time.Minute}, time.Minute},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(Description{})
			s := &sleeper{}
			a := newTestAccount(t, f, s, &AccountOptions{Now: func() time.Time { return now }})
			f.failNext("Publish", tt.err)
			_, err := a.Publish(context.Background(), &Post{Text: "x"}, nil)
			require.NoError(t, err)
			require.Equal(t, []time.Duration{tt.delay}, s.got())
		})
	}
}

func TestRetryMaxWaitExceeded(t *testing.T) {
	f := newFake(Description{})
	s := &sleeper{}
	a := newTestAccount(t, f, s, &AccountOptions{MaxWait: 30 * time.Second})
	f.failNext("Comments", &RateLimitError{Code: RateLimited, RetryAfter: 31 * time.Second})
	_, err := a.Comments(context.Background(), "p", PageRequest{})
	require.ErrorIs(t, err, ErrRateLimited)
	var rl *RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 31*time.Second, rl.RetryAfter)
	require.Equal(t, "connectors: fakenet: Comments: rate limited: retry after 31s", err.Error())
	require.Empty(t, s.got(), "returned at once")
	require.Equal(t, 1, f.count("Comments"))
}

func TestRetryBounded(t *testing.T) {
	tests := []struct {
		name       string
		maxRetries int
		calls      int
	}{
		{"default 3", 0, 4},
		{"one", 1, 2},
		{"five", 5, 6},
		{"disabled", -1, 1},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(Description{})
			s := &sleeper{}
			a := newTestAccount(t, f, s, &AccountOptions{MaxRetries: tt.maxRetries, InitialInterval: time.Second, MaxInterval: 4 * time.Second})
			for range 10 {
				f.failNext("Delete", &Error{Code: Unavailable, Status: 502})
			}
			err := a.Delete(context.Background(), "p")
			require.ErrorIs(t, err, ErrUnavailable)
			require.Equal(t, "connectors: fakenet: Delete: unavailable (HTTP 502)", err.Error())
			require.Equal(t, tt.calls, f.count("Delete"))
			delays := s.got()
			require.Len(t, delays, tt.calls-1)
			for _, d := range delays {
				require.Greater(t, d, time.Duration(0))
				require.LessOrEqual(t, d, 6*time.Second, "max interval 4s plus 50%% jitter")
			}
		})
	}
}

func TestRetryStopsOnCancel(t *testing.T) {
	f := newFake(Description{})
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	s := &sleeper{cancel: cancel}
	a := newTestAccount(t, f, s, nil)
	for range 5 {
		f.failNext("Publish", &Error{Code: Unavailable, Message: "bad gateway"})
	}
	_, err := a.Publish(ctx, &Post{Text: "x"}, nil)
	require.Equal(t, Canceled, Code(err))
	require.ErrorIs(t, err, context.Canceled)
	require.ErrorIs(t, err, ErrUnavailable, "the last network error is kept")
	require.Contains(t, err.Error(), "connectors: fakenet: Publish: canceled: gave up waiting")
	require.Contains(t, err.Error(), "to retry after: bad gateway")
	require.Equal(t, 1, f.count("Publish"))

	// An already canceled context makes no call at all.
	_, err = a.Publish(ctx, &Post{Text: "x"}, nil)
	require.ErrorIs(t, err, ErrCanceled)
	require.Equal(t, 1, f.count("Publish"))
}

func TestRetryLogs(t *testing.T) {
	var buf bytes.Buffer
	log := slog.New(slog.NewTextHandler(&buf, &slog.HandlerOptions{ReplaceAttr: func(_ []string, a slog.Attr) slog.Attr {
		if a.Key == slog.TimeKey {
			return slog.Attr{}
		}
		return a
	}}))
	f := newFake(Description{})
	a := newTestAccount(t, f, &sleeper{}, &AccountOptions{Logger: log})
	f.failNext("Publish", &RateLimitError{Code: RateLimited, RetryAfter: 7 * time.Second})
	_, err := a.Publish(context.Background(), &Post{Text: "x"}, nil)
	require.NoError(t, err)
	require.Equal(t, `level=WARN msg="connectors: retrying" network=fakenet op=Publish code="rate limited" delay=7s attempt=1 max_retries=3`+"\n", buf.String())
}

func TestErrorWrapping(t *testing.T) {
	boom := errors.New("boom")
	tests := []struct {
		name string
		err  error
		want string
		code ErrorCode
		is   []error
	}{
		{"driver *Error gets op and network", &Error{Code: NotFound, Status: 404, Message: "no such post"},
			"connectors: fakenet: Delete: not found (HTTP 404): no such post", NotFound, []error{ErrNotFound}},
		{"driver's own op and network kept", &Error{Code: NotFound, Op: "DeletePost", Network: "other", Message: "gone"},
			"connectors: other: DeletePost: not found: gone", NotFound, []error{ErrNotFound}},
		{"bare error", boom, "connectors: fakenet: Delete: unknown: boom", Unknown, []error{boom}},
		{"bare sentinel", ErrNotFound, "connectors: fakenet: Delete: not found", NotFound, []error{ErrNotFound}},
		{"wrapped sentinel", fmt.Errorf("post p1: %w", ErrPermissionDenied),
			"connectors: fakenet: Delete: permission denied: post p1: connectors: permission denied", PermissionDenied, []error{ErrPermissionDenied}},
		{"quota", &RateLimitError{Code: QuotaExceeded, Reset: time.Date(2026, 3, 2, 0, 0, 0, 0, time.UTC)},
			"connectors: fakenet: Delete: quota exceeded: resets at 2026-03-02T00:00:00Z", QuotaExceeded, []error{ErrQuotaExceeded}},
		{"validation", &ValidationError{Network: "X", Field: "text", Got: 300, Limit: 280, Unit: "characters"},
			"connectors: fakenet: Delete: invalid content: text is 300 characters, X allows 280", InvalidContent, []error{ErrInvalidContent}},
		{"wrapped *Error", fmt.Errorf("upload: %w", &Error{Code: Conflict, Message: "processing"}),
			"connectors: fakenet: Delete: conflict: upload: connectors: conflict: processing", Conflict, []error{ErrConflict}},
		{"context", context.DeadlineExceeded, "connectors: fakenet: Delete: canceled: context deadline exceeded", Canceled,
			[]error{ErrCanceled, context.DeadlineExceeded}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f := newFake(Description{})
			a := newTestAccount(t, f, &sleeper{}, nil)
			f.failNext("Delete", tt.err)
			err := a.Delete(context.Background(), "p1")
			require.Equal(t, tt.want, err.Error())
			require.Equal(t, tt.code, Code(err))
			for _, target := range tt.is {
				require.ErrorIs(t, err, target)
			}
			var e *Error
			require.ErrorAs(t, err, &e)
			require.NotEmpty(t, e.Op)
			require.NotEmpty(t, e.Network)
			require.Equal(t, 1, strings.Count(err.Error(), "fakenet: Delete:")+strings.Count(err.Error(), "other: DeletePost:"),
				"wrapped exactly once")
		})
	}
	t.Run("driver error value not mutated", func(t *testing.T) {
		shared := &Error{Code: NotFound}
		f := newFake(Description{})
		a := newTestAccount(t, f, nil, nil)
		f.failNext("Delete", shared)
		err := a.Delete(context.Background(), "p1")
		require.Error(t, err)
		require.Empty(t, shared.Op)
		require.Empty(t, shared.Network)
	})
}

func TestAccountConcurrent(t *testing.T) {
	f := newFake(Description{})
	a := newTestAccount(t, f, &sleeper{}, nil)
	ctx := context.Background()
	var wg sync.WaitGroup
	ids := make(chan string, 200)
	for i := range 50 {
		wg.Go(func() {
			if i%5 == 0 {
				f.failNext("Comments", &Error{Code: Unavailable})
			}
			res, err := a.Publish(ctx, &Post{Text: fmt.Sprintf("post %d", i)}, nil)
			if err != nil {
				t.Error(err)
				return
			}
			ids <- res.ID
			if _, err := a.Comments(ctx, res.ID, PageRequest{Limit: 2}); err != nil {
				t.Error(err)
			}
			_ = a.Capabilities().String()
			_ = a.Description()
			_ = a.Validate(&Post{Text: "x"})
			if err := a.Like(ctx, res.ID); err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	close(ids)
	seen := map[string]bool{}
	for id := range ids {
		require.False(t, seen[id], "duplicate ID %s", id)
		seen[id] = true
	}
	require.Len(t, seen, 50)
}

// halfThread publishes the head of a thread, then fails.
type halfThread struct{ *fake }

func (h halfThread) Publish(ctx context.Context, p *Post, o PublishOptions) (PublishResult, error) {
	h.hit("Publish")
	return PublishResult{ID: "head", ThreadIDs: []string{"t1"}}, &Error{Code: Unavailable, Status: 503}
}

func TestHalfPublishedThreadNotRetried(t *testing.T) {
	f := newFake(Description{Limits: Limits{Threads: true}})
	s := &sleeper{}
	a := newTestAccount(t, halfThread{f}, s, nil)
	res, err := a.Publish(context.Background(), &Post{Text: "1", Thread: []Post{{Text: "2"}, {Text: "3"}}}, nil)
	require.ErrorIs(t, err, ErrUnavailable)
	require.Equal(t, "head", res.ID)
	require.Equal(t, []string{"t1"}, res.ThreadIDs)
	require.Equal(t, 1, f.count("Publish"))
	require.Empty(t, s.got())
	require.Equal(t, "connectors: fakenet: Publish: unavailable (HTTP 503)", err.Error())
}

// Instagram needs media on feed posts, not on replies or direct messages.
func TestMediaRequiredOnlyForFeedPosts(t *testing.T) {
	ig, ok := PresetLimits("instagram")
	require.True(t, ok)
	require.True(t, ig.MediaRequired)
	f := newFake(Description{Network: "instagram", DisplayName: "Instagram", Limits: ig})
	a := newTestAccount(t, f, nil, nil)
	ctx := context.Background()
	text := &Post{Text: "Merci pour votre message !"}

	_, err := a.Publish(ctx, text, nil)
	require.ErrorIs(t, err, ErrInvalidContent)
	_, err = a.Edit(ctx, "p1", text)
	require.ErrorIs(t, err, ErrInvalidContent)

	_, err = a.Reply(ctx, "c1", text, nil)
	require.NoError(t, err)
	_, err = a.SendMessage(ctx, "conv1", text, nil)
	require.NoError(t, err)
}
