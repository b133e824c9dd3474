package connectors_test

import (
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/time/rate"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// limitedServer is a fake network that enforces a token bucket per client
// and answers 429 with Retry-After when it is exceeded, as most networks do.
// It records every 429 it sends and every request that arrives while a
// cooldown it announced is running.
type limitedServer struct {
	lim        *rate.Limiter
	retryAfter time.Duration
	// grace is how long after a 429 requests already in flight may still
	// arrive without counting as ignoring the Retry-After.
	grace time.Duration

	mu            sync.Mutex
	cooldownFrom  time.Time // when the last 429 was sent
	cooldownUntil time.Time
	ok, limited   int
	ignored       int // requests that arrived inside an announced cooldown
}

func (s *limitedServer) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/posts" {
		http.Error(w, `{"error":"not found"}`, http.StatusNotFound)
		return
	}
	now := time.Now()
	s.mu.Lock()
	if now.After(s.cooldownFrom.Add(s.grace)) && now.Before(s.cooldownUntil) {
		s.ignored++
	}
	if !s.lim.AllowN(now, 1) {
		s.limited++
		if !now.Before(s.cooldownUntil) {
			// A cooldown runs from the first 429; later ones inside it do
			// not move it, so a client retrying too early is counted.
			s.cooldownFrom = now
			s.cooldownUntil = now.Add(s.retryAfter)
		}
		s.mu.Unlock()
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Retry-After", strconv.Itoa(int(s.retryAfter/time.Second)))
		w.WriteHeader(http.StatusTooManyRequests)
		_, _ = w.Write([]byte(`{"error":"Too many requests"}`))
		return
	}
	s.ok++
	id := s.ok
	s.mu.Unlock()
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(map[string]string{"id": strconv.Itoa(id)})
}

func (s *limitedServer) counts() (ok, limited, ignored int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.ok, s.limited, s.ignored
}

// httpDriver is the smallest connector built on transport.Client: it
// publishes with one POST and leaves pacing and error mapping to the
// transport and retries to the Account.
type httpDriver struct{ c *transport.Client }

func (d *httpDriver) Describe(context.Context) (driver.Description, error) {
	return driver.Description{Network: "limited", DisplayName: "Limited",
		Limits: driver.Limits{MaxText: 500}}, nil
}

func (d *httpDriver) Publish(ctx context.Context, p *driver.Post, _ driver.PublishOptions) (driver.PublishResult, error) {
	var out struct {
		ID string `json:"id"`
	}
	if err := d.c.PostJSON(ctx, "posts", "/api/posts", map[string]string{"text": p.Text}, &out); err != nil {
		return driver.PublishResult{}, err
	}
	return driver.PublishResult{Status: driver.Published, ID: out.ID}, nil
}

func newLimitedAccount(t *testing.T, srv *httptest.Server, limits map[string]transport.Limit, maxRetries int) *connectors.Account {
	t.Helper()
	c, err := transport.New("limited", &transport.Options{BaseURL: srv.URL, Limits: limits})
	require.NoError(t, err)
	acct, err := connectors.NewAccount(context.Background(), &httpDriver{c: c},
		&connectors.AccountOptions{MaxRetries: maxRetries, InitialInterval: 10 * time.Millisecond})
	require.NoError(t, err)
	return acct
}

// burst publishes n posts from n goroutines at once and returns the errors.
func burst(acct *connectors.Account, n int) []error {
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, errs[i] = acct.Publish(context.Background(), &connectors.Post{Text: "post " + strconv.Itoa(i)}, nil)
		}()
	}
	wg.Wait()
	return errs
}

// When the network's limit is known, the client paces itself: a burst of
// 100 calls never receives a 429.
func TestRateLimitKnownNeverReceives429(t *testing.T) {
	if testing.Short() {
		t.Skip("takes about 2 seconds of real time")
	}
	// The network allows 50 requests per second (a token bucket of one
	// second's worth); the connector declares the published "50 per
	// second", which transport.Per turns into 45/s with bursts of 5. The
	// margin absorbs up to a second of scheduling delay between the
	// client's pacing and the server's clock on a loaded machine; 100
	// unpaced calls would still overrun it.
	fake := &limitedServer{lim: rate.NewLimiter(50, 50), retryAfter: time.Second}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	acct := newLimitedAccount(t, srv, map[string]transport.Limit{"posts": transport.Per(50, time.Second)}, -1)

	errs := burst(acct, 100)
	for i, err := range errs {
		require.NoError(t, err, "call %d", i)
	}
	ok, limited, _ := fake.counts()
	require.Equal(t, 100, ok)
	require.Zero(t, limited, "the client must be paced before the network says 429")
}

// The same burst without the published limit is refused by that server:
// the test above would catch a client that does not pace.
func TestRateLimitKnownControl(t *testing.T) {
	fake := &limitedServer{lim: rate.NewLimiter(50, 50), retryAfter: time.Second}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	acct := newLimitedAccount(t, srv, nil, -1)
	burst(acct, 100)
	_, limited, _ := fake.counts()
	require.Positive(t, limited)
}

// When the limit is not known, the first 429 teaches the client: it stops
// sending for the Retry-After the network gave, and the Account's retries
// bring every call through.
func TestRateLimitUnknownRecoversWithRetryAfter(t *testing.T) {
	if testing.Short() {
		t.Skip("takes a few seconds of real time")
	}
	// 20 requests per second, 20 at once; 40 calls from 5 workers.
	fake := &limitedServer{lim: rate.NewLimiter(20, 20), retryAfter: time.Second, grace: 400 * time.Millisecond}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	acct := newLimitedAccount(t, srv, nil, 10)

	const workers, calls = 5, 8
	var wg sync.WaitGroup
	var failed atomic.Int64
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range calls {
				_, err := acct.Publish(context.Background(), &connectors.Post{Text: strconv.Itoa(w*calls + i)}, nil)
				if err != nil {
					t.Errorf("worker %d post %d: %v", w, i, err)
					failed.Add(1)
				}
			}
		}()
	}
	wg.Wait()
	require.Zero(t, failed.Load())
	ok, limited, ignored := fake.counts()
	require.Equal(t, workers*calls, ok, "every post published exactly once")
	require.Positive(t, limited, "the burst must have hit the unknown limit")
	// Honouring Retry-After, each worker meets about one 429 per cooldown
	// (two cooldowns here); retrying sooner would meet one every few
	// milliseconds until the bucket refills.
	require.LessOrEqual(t, limited, 3*workers, "429s received")
	require.Zero(t, ignored, "no request may arrive during an announced Retry-After")
}

// A 429 seen through the Account carries the network's Retry-After as a
// typed detail when retries are off.
func TestRateLimitErrorDetail(t *testing.T) {
	fake := &limitedServer{lim: rate.NewLimiter(rate.Every(time.Hour), 1), retryAfter: 7 * time.Second}
	srv := httptest.NewServer(fake)
	defer srv.Close()
	acct := newLimitedAccount(t, srv, nil, -1)

	_, err := acct.Publish(context.Background(), &connectors.Post{Text: "first"}, nil)
	require.NoError(t, err)
	_, err = acct.Publish(context.Background(), &connectors.Post{Text: "second"}, nil)
	require.ErrorIs(t, err, connectors.ErrRateLimited)
	var rl *connectors.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 7*time.Second, rl.RetryAfter)
	require.Equal(t, connectors.RateLimited, connectors.Code(err))
	_, limited, _ := fake.counts()
	require.Equal(t, 1, limited, "retries are off: one request, one 429")
}
