package transport

import (
	"context"
	"errors"
	"fmt"
	"time"

	"golang.org/x/time/rate"

	"github.com/cmkit/cmkit/connectors/driver"
)

// classLocked returns the state of the named class, creating it. c.mu must
// be held.
func (c *Client) classLocked(name string) *class {
	cl := c.classes[name]
	if cl == nil {
		cl = &class{}
		c.classes[name] = cl
	}
	return cl
}

// blockedUntil returns until when the class may not send.
func (c *Client) blockedUntil(name string) time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	until := c.classLocked(name).until
	if c.globalUntil.After(until) {
		until = c.globalUntil
	}
	return until
}

// wait blocks until the class may send: it waits out any cooldown, takes a
// token from the class's limiter, then waits out a cooldown set meanwhile.
func (c *Client) wait(ctx context.Context, name string) error {
	if err := c.waitCooldown(ctx, name); err != nil {
		return err
	}
	c.mu.Lock()
	lim := c.classLocked(name).lim
	c.mu.Unlock()
	if lim != nil {
		now := c.now()
		r := lim.ReserveN(now, 1)
		if !r.OK() {
			return c.pacedError(name, 0, time.Time{}, "the class's limit allows no request")
		}
		if d := r.DelayFrom(now); d > 0 {
			if err := c.sleep(ctx, name, d, time.Time{}); err != nil {
				r.CancelAt(c.now())
				return err
			}
		}
	}
	return c.waitCooldown(ctx, name)
}

// waitCooldown waits until the class and the Client are no longer blocked.
func (c *Client) waitCooldown(ctx context.Context, name string) error {
	for {
		until := c.blockedUntil(name)
		d := until.Sub(c.now())
		if d <= 0 {
			return nil
		}
		if err := c.sleep(ctx, name, d, until); err != nil {
			return err
		}
	}
}

// sleep waits d, or fails at once with a RateLimitError when d is longer
// than MaxWait or than the context's deadline allows.
func (c *Client) sleep(ctx context.Context, name string, d time.Duration, until time.Time) error {
	if d > c.maxWait {
		return c.pacedError(name, d, until, fmt.Sprintf("the class is paced for %s, longer than the %s the client waits", d.Round(time.Millisecond), c.maxWait))
	}
	if dl, ok := ctx.Deadline(); ok && time.Until(dl) < d {
		return c.pacedError(name, d, until, fmt.Sprintf("the class is paced for %s, past the context's deadline", d.Round(time.Millisecond)))
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return c.canceled(ctx.Err())
	case <-t.C:
		return nil
	}
}

// pacedError is the error of a request the Client would not send yet.
func (c *Client) pacedError(name string, d time.Duration, until time.Time, why string) error {
	msg := "not sent: " + why
	if name != "" {
		msg = fmt.Sprintf("not sent (class %q): %s", name, why)
	}
	return &driver.RateLimitError{
		Code:       driver.RateLimited,
		RetryAfter: d,
		Reset:      until,
		Limit:      -1,
		Remaining:  -1,
		Err:        &driver.Error{Code: driver.RateLimited, Network: c.network, Message: msg},
	}
}

// observe adjusts the class after a response: cooldown until the window
// resets when it is exhausted or the network said to wait, and learned
// limits when the network announced its window.
func (c *Client) observe(name string, rl RateLimit, err error, now time.Time) {
	var until time.Time
	var rle *driver.RateLimitError
	if errors.As(err, &rle) {
		until = now.Add(clampWait(rle.Wait(now)))
	} else if err != nil && driver.CodeOf(err) == driver.Unavailable && rl.RetryAfter > 0 {
		// 503 with Retry-After.
		until = now.Add(rl.RetryAfter)
	} else if w := rl.Wait(now); w > 0 {
		until = now.Add(w)
	}

	c.mu.Lock()
	defer c.mu.Unlock()
	cl := c.classLocked(name)
	if until.After(now) {
		if rl.Global || (rle != nil && rle.Scope == "global") {
			if until.After(c.globalUntil) {
				c.globalUntil = until
			}
		} else if until.After(cl.until) {
			cl.until = until
		}
	}
	if rl.Limit > 0 && rl.Window > 0 {
		r := rate.Limit(float64(rl.Limit) / rl.Window.Seconds())
		switch {
		case cl.lim == nil:
			cl.lim = rate.NewLimiter(r, rl.Limit)
			if used := rl.Limit - rl.Remaining; rl.Remaining >= 0 && used > 0 {
				// Start from what the network says is left.
				cl.lim.AllowN(now, used)
			}
		case cl.lim.Limit() != r:
			cl.lim.SetLimitAt(now, r)
		}
	}
}
