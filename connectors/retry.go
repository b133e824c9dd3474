package connectors

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/cenkalti/backoff/v4"
	"github.com/cmkit/cmkit/connectors/driver"
)

// Defaults of AccountOptions.
const (
	defaultMaxRetries      = 3
	defaultMaxWait         = time.Minute
	defaultInitialInterval = 500 * time.Millisecond
	defaultMaxInterval     = 30 * time.Second
)

// retryPolicy is the Account's resolved AccountOptions.
type retryPolicy struct {
	maxRetries  int
	maxWait     time.Duration
	initial     time.Duration
	maxInterval time.Duration
	log         *slog.Logger
	now         func() time.Time
	sleep       func(ctx context.Context, d time.Duration) error
}

func newRetryPolicy(o *AccountOptions) retryPolicy {
	var opts AccountOptions
	if o != nil {
		opts = *o
	}
	p := retryPolicy{
		maxRetries:  opts.MaxRetries,
		maxWait:     opts.MaxWait,
		initial:     opts.InitialInterval,
		maxInterval: opts.MaxInterval,
		log:         opts.Logger,
		now:         opts.Now,
		sleep:       opts.Sleep,
	}
	switch {
	case p.maxRetries == 0:
		p.maxRetries = defaultMaxRetries
	case p.maxRetries < 0:
		p.maxRetries = 0
	}
	if p.maxWait <= 0 {
		p.maxWait = defaultMaxWait
	}
	if p.initial <= 0 {
		p.initial = defaultInitialInterval
	}
	if p.maxInterval <= 0 {
		p.maxInterval = defaultMaxInterval
	}
	if p.maxInterval < p.initial {
		p.maxInterval = p.initial
	}
	if p.log == nil {
		p.log = slog.New(slog.DiscardHandler)
	}
	if p.now == nil {
		p.now = time.Now
	}
	if p.sleep == nil {
		p.sleep = sleepCtx
	}
	return p
}

// sleepCtx waits d or until ctx is done.
func sleepCtx(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

type clockFunc func() time.Time

func (f clockFunc) Now() time.Time { return f() }

func (p *retryPolicy) backoff() *backoff.ExponentialBackOff {
	b := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(p.initial),
		backoff.WithMaxInterval(p.maxInterval),
		backoff.WithMaxElapsedTime(0), // bounded by MaxRetries and ctx instead
		backoff.WithClockProvider(clockFunc(p.now)),
	)
	return b
}

// retryable reports whether an error with code c may be retried. The same
// codes apply to reads and to publishes: RateLimited and Unavailable mean,
// by the driver contract, that the network did not process the request.
// QuotaExceeded (resets on a calendar), Unauthenticated, Indeterminate and
// Unknown are never retried.
func retryable(c ErrorCode) bool { return c == RateLimited || c == Unavailable }

// run calls call until it succeeds, fails with an error that cannot be
// retried, or MaxRetries retries are spent. Every error it returns is
// wrapped once with op and network.
func (p *retryPolicy) run(ctx context.Context, op, network string, call func(context.Context) error) error {
	var b *backoff.ExponentialBackOff
	for attempt := 0; ; attempt++ {
		if err := ctx.Err(); err != nil {
			return &Error{Code: Canceled, Op: op, Network: network, Err: err}
		}
		err := call(ctx)
		if err == nil {
			return nil
		}
		final := false
		if f, ok := err.(finalError); ok {
			err, final = f.err, true
		}
		err = wrapErr(op, network, err)
		code := driver.CodeOf(err)
		if final || !retryable(code) || attempt >= p.maxRetries {
			return err
		}
		if b == nil {
			b = p.backoff()
		}
		delay := b.NextBackOff()
		if delay == backoff.Stop {
			return err
		}
		var rl *RateLimitError
		if errors.As(err, &rl) {
			wait := rl.Wait(p.now())
			if wait > p.maxWait {
				return err
			}
			delay = max(delay, wait)
		}
		p.log.LogAttrs(ctx, slog.LevelWarn, "connectors: retrying",
			slog.String("network", network),
			slog.String("op", op),
			slog.String("code", code.String()),
			slog.Duration("delay", delay),
			slog.Int("attempt", attempt+1),
			slog.Int("max_retries", p.maxRetries))
		if serr := p.sleep(ctx, delay); serr != nil {
			return &Error{
				Code:    Canceled,
				Op:      op,
				Network: network,
				Message: fmt.Sprintf("gave up waiting %v to retry after: %s", delay, message(err)),
				Err:     errors.Join(serr, err),
			}
		}
	}
}

// finalError marks an error that must not be retried whatever its code:
// a publish that failed after part of it (a thread's head) was published.
type finalError struct{ err error }

func (f finalError) Error() string { return f.err.Error() }

// wrapErr returns err as an *Error with Op and Network set, wrapping it
// exactly once: a driver's *Error is copied and completed (never nested in
// another), anything else becomes the cause of a new *Error with the code
// driver.CodeOf finds in it.
func wrapErr(op, network string, err error) error {
	if err == nil {
		return nil
	}
	if e, ok := err.(*Error); ok {
		if e.Op != "" && e.Network != "" {
			return e
		}
		c := *e
		if c.Op == "" {
			c.Op = op
		}
		if c.Network == "" {
			c.Network = network
		}
		return &c
	}
	code := driver.CodeOf(err)
	w := &Error{Code: code, Op: op, Network: network, Err: err}
	if s := code.Sentinel(); s != nil && err == s {
		// A bare sentinel: the code says it all, and errors.Is still
		// matches through Error.Is.
		w.Err = nil
		return w
	}
	w.Message = message(err)
	return w
}

// message is err's text without the "connectors: " prefix, and for an
// *Error its own message, so that wrapping never repeats a prefix.
func message(err error) string {
	switch e := err.(type) {
	case *Error:
		if e.Message != "" {
			return e.Message
		}
		if e.Err != nil {
			return message(e.Err)
		}
		return e.Code.String()
	case *RateLimitError:
		return rateLimitDetail(e)
	}
	return strings.TrimPrefix(err.Error(), "connectors: ")
}

// rateLimitDetail describes a rate limit without repeating its code.
func rateLimitDetail(e *RateLimitError) string {
	var parts []string
	if e.Scope != "" {
		parts = append(parts, "scope "+e.Scope)
	}
	if e.RetryAfter > 0 {
		parts = append(parts, "retry after "+e.RetryAfter.String())
	}
	if !e.Reset.IsZero() {
		parts = append(parts, "resets at "+e.Reset.UTC().Format(time.RFC3339))
	}
	s := strings.Join(parts, "; ")
	if e.Err != nil {
		inner := message(e.Err)
		if s == "" {
			return inner
		}
		return s + ": " + inner
	}
	if s == "" {
		if e.Code == QuotaExceeded {
			return "quota exceeded"
		}
		return "rate limited"
	}
	return s
}
