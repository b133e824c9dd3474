package transport_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

func ExampleScrub() {
	msg := `POST https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage: {"access_token":"abc"} client_secret=xyz`
	fmt.Println(transport.Scrub(msg))
	fmt.Println(transport.Scrub("app secret is s3cr3t", "s3cr3t"))
	// Output:
	// POST https://api.telegram.org/bot[REDACTED]/sendMessage: {"access_token":"[REDACTED]"} client_secret=[REDACTED]
	// app secret is [REDACTED]
}

func ExampleParseRetryAfter() {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	for _, v := range []string{"120", "1.5", "Sat, 14 Mar 2026 12:05:00 GMT", "-1", "later"} {
		d, ok := transport.ParseRetryAfter(v, now)
		fmt.Println(d, ok)
	}
	// Output:
	// 2m0s true
	// 1.5s true
	// 5m0s true
	// 0s false
	// 0s false
}

func ExampleDialectX() {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	h := http.Header{}
	h.Set("x-rate-limit-limit", "100")
	h.Set("x-rate-limit-remaining", "0")
	h.Set("x-rate-limit-reset", fmt.Sprint(now.Add(7*time.Minute).Unix()))
	rl, _ := transport.DialectX(h, now)
	fmt.Println(rl.Limit, rl.Remaining, rl.Wait(now))
	// Output: 100 0 7m0s
}

func ExampleDialectGraph() {
	now := time.Date(2026, 3, 14, 12, 0, 0, 0, time.UTC)
	h := http.Header{}
	h.Set("X-Business-Use-Case-Usage", `{"1234":[{"type":"pages","call_count":100,"total_cputime":12,"total_time":9,"estimated_time_to_regain_access":15}]}`)
	rl, _ := transport.DialectGraph(h, now)
	fmt.Println(rl.Usage, rl.Scope, rl.Remaining, rl.Wait(now))
	// Output: 100 pages 0 15m0s
}

func ExampleClient_Do() {
	// A fake Mastodon instance that is rate limiting us.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("X-RateLimit-Limit", "300")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", "2099-01-01T00:00:00Z")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":"Too many requests"}`)
	}))
	defer srv.Close()

	c, err := transport.New("mastodon", &transport.Options{
		BaseURL: srv.URL,
		Dialect: transport.DialectMastodon,
		Now:     func() time.Time { return time.Date(2098, 12, 31, 23, 45, 0, 0, time.UTC) },
	})
	if err != nil {
		panic(err)
	}
	_, err = c.Do(context.Background(), &transport.Request{
		Method: "POST", Path: "/api/v1/statuses", Class: "statuses:post",
		JSON: map[string]string{"status": "Bonjour !"},
	})
	fmt.Println(errors.Is(err, driver.ErrRateLimited))
	var rle *driver.RateLimitError
	if errors.As(err, &rle) {
		fmt.Println(rle.Limit, rle.Remaining, rle.Reset.Format(time.RFC3339))
	}
	fmt.Println(err)
	// Output:
	// true
	// 300 0 2099-01-01T00:00:00Z
	// connectors: rate limited; resets at 2099-01-01T00:00:00Z: connectors: mastodon: rate limited (HTTP 429): Too many requests
}
