package transport_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"net/http/httptrace"
	"strconv"
	"sync"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// handlerTransport serves requests with an http.Handler in memory, so that
// the Client runs inside a synctest bubble, where time is virtual: pacing
// tests are exact and never sleep. It reports WroteRequest like
// http.Transport does once the request is handed over.
type handlerTransport struct{ h http.Handler }

func (t handlerTransport) RoundTrip(r *http.Request) (*http.Response, error) {
	if trace := httptrace.ContextClientTrace(r.Context()); trace != nil && trace.WroteRequest != nil {
		trace.WroteRequest(httptrace.WroteRequestInfo{})
	}
	rec := httptest.NewRecorder()
	t.h.ServeHTTP(rec, r)
	resp := rec.Result()
	resp.Request = r
	return resp, nil
}

func memClient(t *testing.T, h http.Handler, opts *transport.Options) *transport.Client {
	t.Helper()
	if opts == nil {
		opts = &transport.Options{}
	}
	opts.HTTPClient = &http.Client{Transport: handlerTransport{h}}
	return newClient(t, "https://api.example.test", opts)
}

// limitedServer enforces a token bucket of rate requests per second with
// the given burst, as a network does: over the limit it answers 429 with
// Retry-After: 1. It counts successes and 429s, and records arrival times.
type limitedServer struct {
	rate, burst float64

	mu       sync.Mutex
	tokens   float64
	last     time.Time
	ok, hits int
	limited  int
	arrivals []time.Time
}

func newLimitedServer(rate, burst float64) *limitedServer {
	return &limitedServer{rate: rate, burst: burst, tokens: burst}
}

func (s *limitedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	now := time.Now()
	if !s.last.IsZero() {
		s.tokens = min(s.burst, s.tokens+now.Sub(s.last).Seconds()*s.rate)
	}
	s.last = now
	s.hits++
	s.arrivals = append(s.arrivals, now)
	// A nanosecond of rounding in timers must not count as a violation.
	if s.tokens < 1-1e-6 {
		s.limited++
		w.Header().Set("Retry-After", "1")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write([]byte(`{"error":"Too many requests"}`))
		return
	}
	s.tokens--
	s.ok++
	w.Write([]byte(`{"id":"1"}`))
}

func (s *limitedServer) counts() (ok, limited int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ok, s.limited
}

// TestKnownLimitAvoids429s is the acceptance test of pacing: a network that
// allows 5 requests per second (bursts of 5) and a Client configured with
// that limit; a burst of 100 concurrent calls gets no 429 at all.
func TestKnownLimitAvoids429s(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newLimitedServer(5, 5)
		c := memClient(t, srv, &transport.Options{
			Limits:  map[string]transport.Limit{"statuses:post": {Rate: 5, Burst: 5}},
			MaxWait: time.Hour,
		})
		start := time.Now()
		var wg sync.WaitGroup
		errs := make(chan error, 100)
		for range 100 {
			wg.Go(func() {
				_, err := c.Do(context.Background(), &transport.Request{Method: "POST", Path: "/api/v1/statuses", Class: "statuses:post"})
				errs <- err
			})
		}
		wg.Wait()
		close(errs)
		for err := range errs {
			require.NoError(t, err)
		}
		ok, limited := srv.counts()
		require.Zero(t, limited, "the fake server counted 429s")
		require.Equal(t, 100, ok)
		// Virtual time: 5 at once, then 95 more at 5 per second.
		require.Equal(t, 19*time.Second, time.Since(start))
	})
}

// TestUnpacedBurstHits429 shows the fake server does enforce its limit:
// without the Limit, the same burst gets 429s.
func TestUnpacedBurstHits429(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newLimitedServer(5, 5)
		c := memClient(t, srv, nil)
		var wg sync.WaitGroup
		for range 20 {
			wg.Go(func() {
				c.Do(context.Background(), &transport.Request{Method: "POST", Path: "/api/v1/statuses", Class: "statuses:post"})
			})
		}
		wg.Wait()
		ok, limited := srv.counts()
		require.Positive(t, limited)
		require.GreaterOrEqual(t, ok, 5)
	})
}

func TestPacingSpacesRequests(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newLimitedServer(1000, 1000)
		c := memClient(t, srv, &transport.Options{Limits: map[string]transport.Limit{"slow": {Rate: 2, Burst: 1}}})
		for range 5 {
			_, err := c.Do(context.Background(), &transport.Request{Path: "/x", Class: "slow"})
			require.NoError(t, err)
		}
		_, err := c.Do(context.Background(), &transport.Request{Path: "/x", Class: "other"})
		require.NoError(t, err)
		for i := 1; i < 5; i++ {
			require.Equal(t, 500*time.Millisecond, srv.arrivals[i].Sub(srv.arrivals[i-1]), "request %d", i)
		}
		require.Equal(t, srv.arrivals[4], srv.arrivals[5], "another class is not paced")
	})
}

// TestBlockedAfter429 checks that, without a configured limit, a 429 blocks
// the class until Retry-After: the next call waits instead of hitting the
// server again.
func TestBlockedAfter429(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var mu sync.Mutex
		var arrivals []time.Time
		limited := 0
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			mu.Lock()
			defer mu.Unlock()
			arrivals = append(arrivals, time.Now())
			if len(arrivals) == 1 {
				limited++
				w.Header().Set("Retry-After", "2")
				w.WriteHeader(http.StatusTooManyRequests)
				return
			}
			w.Write([]byte(`{}`))
		})
		c := memClient(t, h, nil)
		start := time.Now()
		_, err := c.Do(context.Background(), &transport.Request{Method: "POST", Path: "/p", Class: "post"})
		var rle *driver.RateLimitError
		require.ErrorAs(t, err, &rle)
		require.Equal(t, 2*time.Second, rle.RetryAfter)

		var wg sync.WaitGroup
		for range 3 {
			wg.Go(func() {
				_, err := c.Do(context.Background(), &transport.Request{Method: "POST", Path: "/p", Class: "post"})
				require.NoError(t, err)
			})
		}
		wg.Wait()
		require.Equal(t, 1, limited, "the fake counted exactly one 429")
		require.Len(t, arrivals, 4)
		for _, a := range arrivals[1:] {
			require.Equal(t, 2*time.Second, a.Sub(start))
		}
	})
}

func TestCooldownWhenExhausted(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var arrivals []time.Time
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrivals = append(arrivals, time.Now())
			if len(arrivals) == 1 {
				// X: the window is used up and resets in 3 seconds.
				w.Header().Set("x-rate-limit-limit", "50")
				w.Header().Set("x-rate-limit-remaining", "0")
				w.Header().Set("x-rate-limit-reset", strconv.FormatInt(time.Now().Add(3*time.Second).Unix(), 10))
			}
			w.Write([]byte(`{}`))
		})
		c := memClient(t, h, &transport.Options{Dialect: transport.DialectX})
		start := time.Now()
		_, err := c.Do(context.Background(), &transport.Request{Method: "DELETE", Path: "/2/tweets/1", Class: "tweets:delete"})
		require.NoError(t, err)
		_, err = c.Do(context.Background(), &transport.Request{Path: "/2/users/me", Class: "users:read"})
		require.NoError(t, err)
		require.Equal(t, start, arrivals[1], "other classes are not blocked")
		_, err = c.Do(context.Background(), &transport.Request{Method: "DELETE", Path: "/2/tweets/2", Class: "tweets:delete"})
		require.NoError(t, err)
		require.Equal(t, 3*time.Second, arrivals[2].Sub(start))
	})
}

func TestLongBlockFailsFast(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hits := 0
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			hits++
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", time.Now().Add(10*time.Minute).UTC().Format(time.RFC3339))
			w.Write([]byte(`{}`))
		})
		c := memClient(t, h, &transport.Options{Dialect: transport.DialectMastodon})
		_, err := c.Do(context.Background(), &transport.Request{Path: "/api/v1/notifications"})
		require.NoError(t, err)
		start := time.Now()
		_, err = c.Do(context.Background(), &transport.Request{Path: "/api/v1/notifications"})
		require.ErrorIs(t, err, driver.ErrRateLimited)
		var rle *driver.RateLimitError
		require.ErrorAs(t, err, &rle)
		require.Equal(t, 10*time.Minute, rle.Wait(time.Now()))
		require.Equal(t, start, time.Now(), "failed without waiting")
		require.Equal(t, 1, hits, "nothing was sent")

		// A deadline shorter than the wait fails fast as well.
		c2 := memClient(t, newLimitedServer(10, 10), &transport.Options{Limits: map[string]transport.Limit{"": {Rate: rate.Every(30 * time.Second), Burst: 1}}})
		_, err = c2.Do(context.Background(), &transport.Request{Path: "/x"})
		require.NoError(t, err)
		ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		defer cancel()
		_, err = c2.Do(ctx, &transport.Request{Path: "/x"})
		require.ErrorIs(t, err, driver.ErrRateLimited)
		require.Equal(t, start, time.Now())
	})
}

func TestCanceledWhilePaced(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		srv := newLimitedServer(10, 10)
		c := memClient(t, srv, &transport.Options{Limits: map[string]transport.Limit{"": {Rate: 0.1, Burst: 1}}})
		_, err := c.Do(context.Background(), &transport.Request{Path: "/x"})
		require.NoError(t, err)
		ctx, cancel := context.WithCancel(context.Background())
		done := make(chan error)
		go func() {
			_, err := c.Do(ctx, &transport.Request{Path: "/x"})
			done <- err
		}()
		synctest.Wait()
		cancel()
		require.ErrorIs(t, <-done, driver.ErrCanceled)
		require.Equal(t, 1, srv.hits)
		// The canceled reservation was given back: the next call waits the
		// 10 s period from the first call, no more.
		start := time.Now()
		_, err = c.Do(context.Background(), &transport.Request{Path: "/x"})
		require.NoError(t, err)
		require.Equal(t, 10*time.Second, time.Since(start))
	})
}

func TestDiscordGlobalLimitBlocksEveryClass(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var arrivals []time.Time
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrivals = append(arrivals, time.Now())
			if len(arrivals) == 1 {
				w.Header().Set("X-RateLimit-Global", "true")
				w.Header().Set("X-RateLimit-Scope", "global")
				w.Header().Set("Retry-After", "4")
				w.WriteHeader(http.StatusTooManyRequests)
				w.Write([]byte(`{"message":"You are being rate limited.","retry_after":3.5,"global":true}`))
				return
			}
			w.Write([]byte(`{}`))
		})
		c := memClient(t, h, &transport.Options{Dialect: transport.DialectDiscord})
		start := time.Now()
		_, err := c.Do(context.Background(), &transport.Request{Method: "POST", Path: "/channels/1/messages", Class: "channel:1"})
		var rle *driver.RateLimitError
		require.ErrorAs(t, err, &rle)
		require.Equal(t, "global", rle.Scope)
		_, err = c.Do(context.Background(), &transport.Request{Method: "POST", Path: "/channels/2/messages", Class: "channel:2"})
		require.NoError(t, err)
		require.Equal(t, 4*time.Second, arrivals[1].Sub(start))
	})
}

func TestLearnedLimit(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		var arrivals []time.Time
		h := http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			arrivals = append(arrivals, time.Now())
			// The network announces 2 requests per 10-second window.
			w.Header().Set("RateLimit-Policy", "2;w=10")
			w.Header().Set("RateLimit-Limit", "2")
			w.Header().Set("RateLimit-Remaining", "1")
			w.Write([]byte(`{}`))
		})
		c := memClient(t, h, &transport.Options{Dialect: transport.DialectIETF})
		start := time.Now()
		for range 4 {
			_, err := c.Do(context.Background(), &transport.Request{Path: "/x"})
			require.NoError(t, err)
		}
		// The first response teaches the limit and that one request is
		// left: the second goes at once, then one every 5 s.
		require.Equal(t, []time.Duration{0, 0, 5 * time.Second, 10 * time.Second}, []time.Duration{
			arrivals[0].Sub(start), arrivals[1].Sub(start), arrivals[2].Sub(start), arrivals[3].Sub(start),
		})
	})
}
