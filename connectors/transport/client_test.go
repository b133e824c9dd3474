package transport_test

import (
	"bytes"
	"context"
	"errors"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// recorded is what a fake server received.
type recorded struct {
	Method, Path, RawQuery string
	Header                 http.Header
	Body                   []byte
}

// recorder is an http.Handler that records requests and answers with a
// fixed status, headers and body.
type recorder struct {
	mu     sync.Mutex
	reqs   []recorded
	status int
	header http.Header
	body   string
}

func (rec *recorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b, _ := io.ReadAll(r.Body)
	rec.mu.Lock()
	rec.reqs = append(rec.reqs, recorded{r.Method, r.URL.Path, r.URL.RawQuery, r.Header.Clone(), b})
	status, header, body := rec.status, rec.header, rec.body
	rec.mu.Unlock()
	for k, vs := range header {
		w.Header()[k] = vs
	}
	if status == 0 {
		status = http.StatusOK
	}
	w.WriteHeader(status)
	io.WriteString(w, body)
}

func (rec *recorder) requests() []recorded {
	rec.mu.Lock()
	defer rec.mu.Unlock()
	return append([]recorded(nil), rec.reqs...)
}

func newClient(t *testing.T, base string, opts *transport.Options) *transport.Client {
	t.Helper()
	if opts == nil {
		opts = &transport.Options{}
	}
	opts.BaseURL = base
	c, err := transport.New("testnet", opts)
	require.NoError(t, err)
	return c
}

func TestDoSendsRequest(t *testing.T) {
	rec := &recorder{body: `{"id":"109"}`}
	srv := httptest.NewServer(rec)
	defer srv.Close()
	c := newClient(t, srv.URL+"/api/", &transport.Options{
		UserAgent:         "cmkit-test/1.0",
		Tokens:            oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "at-123"}),
		IdempotencyHeader: "Idempotency-Key",
		Header:            http.Header{"Linkedin-Version": {"202601"}},
	})

	t.Run("json post", func(t *testing.T) {
		var out struct{ ID string }
		err := c.DoJSON(context.Background(), &transport.Request{
			Method: http.MethodPost, Path: "/v1/statuses", Query: url.Values{"q": {"a b"}},
			JSON: map[string]string{"status": "Bonjour !"}, IdempotencyKey: "key-1", Class: "statuses:post",
		}, &out)
		require.NoError(t, err)
		require.Equal(t, "109", out.ID)
		got := rec.requests()[len(rec.requests())-1]
		require.Equal(t, http.MethodPost, got.Method)
		require.Equal(t, "/api/v1/statuses", got.Path)
		require.Equal(t, "q=a+b", got.RawQuery)
		require.Equal(t, "Bearer at-123", got.Header.Get("Authorization"))
		require.Equal(t, "cmkit-test/1.0", got.Header.Get("User-Agent"))
		require.Equal(t, "application/json", got.Header.Get("Content-Type"))
		require.Equal(t, "application/json", got.Header.Get("Accept"))
		require.Equal(t, "key-1", got.Header.Get("Idempotency-Key"))
		require.Equal(t, "202601", got.Header.Get("Linkedin-Version"))
		require.JSONEq(t, `{"status":"Bonjour !"}`, string(got.Body))
	})

	t.Run("get json with query", func(t *testing.T) {
		err := c.GetJSON(context.Background(), "", "v1/timelines/home?limit=5", url.Values{"max_id": {"7"}}, nil)
		require.NoError(t, err)
		got := rec.requests()[len(rec.requests())-1]
		require.Equal(t, http.MethodGet, got.Method)
		require.Equal(t, "/api/v1/timelines/home", got.Path)
		require.Equal(t, "limit=5&max_id=7", got.RawQuery)
		require.Empty(t, got.Body)
	})

	t.Run("form", func(t *testing.T) {
		_, err := c.Do(context.Background(), &transport.Request{Method: http.MethodPost, Path: "oauth/token", Form: url.Values{"grant_type": {"client_credentials"}}})
		require.NoError(t, err)
		got := rec.requests()[len(rec.requests())-1]
		require.Equal(t, "application/x-www-form-urlencoded", got.Header.Get("Content-Type"))
		require.Equal(t, "grant_type=client_credentials", string(got.Body))
	})

	t.Run("multipart", func(t *testing.T) {
		body, ct, err := transport.Multipart(
			transport.Part{Name: "description", Data: []byte("Un chat")},
			transport.Part{Name: "file", Filename: `cat "1".png`, ContentType: "image/png", Reader: bytes.NewReader([]byte{0x89, 'P', 'N', 'G'})},
		)
		require.NoError(t, err)
		_, err = c.Do(context.Background(), &transport.Request{Method: http.MethodPost, Path: "v2/media", Body: body, ContentType: ct, Class: "media:post"})
		require.NoError(t, err)
		got := rec.requests()[len(rec.requests())-1]
		mt, params, err := mime.ParseMediaType(got.Header.Get("Content-Type"))
		require.NoError(t, err)
		require.Equal(t, "multipart/form-data", mt)
		mr := multipart.NewReader(bytes.NewReader(got.Body), params["boundary"])
		p, err := mr.NextPart()
		require.NoError(t, err)
		require.Equal(t, "description", p.FormName())
		b, _ := io.ReadAll(p)
		require.Equal(t, "Un chat", string(b))
		p, err = mr.NextPart()
		require.NoError(t, err)
		require.Equal(t, "file", p.FormName())
		require.Equal(t, `cat "1".png`, p.FileName())
		require.Equal(t, "image/png", p.Header.Get("Content-Type"))
		b, _ = io.ReadAll(p)
		require.Equal(t, []byte{0x89, 'P', 'N', 'G'}, b)
	})

	t.Run("token not sent to other hosts", func(t *testing.T) {
		other := &recorder{}
		osrv := httptest.NewServer(other)
		defer osrv.Close()
		_, err := c.Do(context.Background(), &transport.Request{Path: osrv.URL + "/page2"})
		require.NoError(t, err)
		require.Empty(t, other.requests()[0].Header.Get("Authorization"))
	})

	t.Run("no auth", func(t *testing.T) {
		_, err := c.Do(context.Background(), &transport.Request{Path: "public", NoAuth: true})
		require.NoError(t, err)
		require.Empty(t, rec.requests()[len(rec.requests())-1].Header.Get("Authorization"))
	})
}

func TestNewValidates(t *testing.T) {
	tests := []struct {
		name string
		opts transport.Options
	}{
		{"relative base", transport.Options{BaseURL: "/api"}},
		{"ftp base", transport.Options{BaseURL: "ftp://x.test"}},
		{"zero burst", transport.Options{Limits: map[string]transport.Limit{"a": {Rate: 1}}}},
		{"zero rate", transport.Options{Limits: map[string]transport.Limit{"a": {Burst: 1}}}},
		{"negative rate", transport.Options{Limits: map[string]transport.Limit{"a": {Rate: -1, Burst: 1}}}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := transport.New("testnet", &tt.opts)
			require.Error(t, err)
		})
	}
	c, err := transport.New("testnet", nil)
	require.NoError(t, err)
	_, err = c.Do(context.Background(), &transport.Request{Path: "relative"})
	require.Error(t, err, "a relative path needs a BaseURL")
}

func TestPer(t *testing.T) {
	l := transport.Per(100, 15*time.Minute)
	require.Equal(t, 10, l.Burst)
	require.InDelta(t, 0.1, float64(l.Rate), 1e-9)
	// At most n in any window: Burst + Rate*window <= n.
	one := transport.Per(1, time.Minute)
	require.Equal(t, 1, one.Burst)
	require.InDelta(t, 1.0/60, float64(one.Rate), 1e-12)
	for _, n := range []int{2, 5, 30, 300, 10000} {
		l := transport.Per(n, time.Minute)
		require.LessOrEqual(t, float64(l.Burst)+float64(l.Rate)*60, float64(n)+1e-9, "n=%d", n)
		require.Positive(t, float64(l.Rate))
		require.GreaterOrEqual(t, l.Burst, 1)
	}
}

func TestErrorMapping(t *testing.T) {
	type want struct {
		code        driver.ErrorCode
		networkCode string
		message     string
	}
	tests := []struct {
		name   string
		method string
		status int
		header http.Header
		body   string
		want   want
	}{
		{"400", "POST", 400, nil, `{"error":"InvalidRequest","message":"Record/text must not be longer than 300 graphemes"}`, want{driver.InvalidContent, "InvalidRequest", "Record/text must not be longer than 300 graphemes"}},
		{"422", "POST", 422, nil, `{"error":"Validation failed: Text character limit of 500 exceeded"}`, want{driver.InvalidContent, "", "Validation failed: Text character limit of 500 exceeded"}},
		{"401", "GET", 401, nil, `{"error":"The access token is invalid"}`, want{driver.Unauthenticated, "", "The access token is invalid"}},
		{"403", "POST", 403, nil, `{"error":{"message":"(#200) Permissions error","type":"OAuthException","code":200}}`, want{driver.PermissionDenied, "200", "(#200) Permissions error"}},
		{"404", "GET", 404, nil, `{"error":"Record not found"}`, want{driver.NotFound, "", "Record not found"}},
		{"410", "DELETE", 410, nil, ``, want{driver.NotFound, "", "Gone"}},
		{"409", "POST", 409, nil, `{"code":"conflict","message":"Being processed"}`, want{driver.Conflict, "conflict", "Being processed"}},
		{"500 get", "GET", 500, nil, `oops`, want{driver.Unavailable, "", "oops"}},
		{"500 post", "POST", 500, nil, `oops`, want{driver.Indeterminate, "", "oops"}},
		{"502 post", "POST", 502, nil, `<html>Bad Gateway</html>`, want{driver.Indeterminate, "", "<html>Bad Gateway</html>"}},
		{"503 post with retry-after", "POST", 503, http.Header{"Retry-After": {"5"}}, `{"error":"Service Unavailable"}`, want{driver.Unavailable, "", "Service Unavailable"}},
		{"503 post without retry-after", "POST", 503, nil, `{"error":"Service Unavailable"}`, want{driver.Indeterminate, "", "Service Unavailable"}},
		{"504 put", "PUT", 504, nil, ``, want{driver.Unavailable, "", "Gateway Timeout"}},
		{"501", "GET", 501, nil, ``, want{driver.Unsupported, "", "Not Implemented"}},
		{"418", "GET", 418, nil, `teapot`, want{driver.Unknown, "", "teapot"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(&recorder{status: tt.status, header: tt.header, body: tt.body})
			defer srv.Close()
			c := newClient(t, srv.URL, nil)
			resp, err := c.Do(context.Background(), &transport.Request{Method: tt.method, Path: "/x"})
			require.Error(t, err)
			require.NotNil(t, resp, "the response comes with the error")
			require.Equal(t, tt.status, resp.StatusCode)
			require.Equal(t, tt.want.code, driver.CodeOf(err))
			if s := tt.want.code.Sentinel(); s != nil {
				require.ErrorIs(t, err, s)
			}
			var de *driver.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, "testnet", de.Network)
			require.Equal(t, tt.status, de.Status)
			require.Equal(t, tt.want.networkCode, de.NetworkCode)
			require.Equal(t, tt.want.message, de.Message)
		})
	}
}

func TestRateLimitErrors(t *testing.T) {
	reset := time.Now().Add(time.Hour).Truncate(time.Second)
	tests := []struct {
		name       string
		dialect    transport.Dialect
		header     http.Header
		body       string
		retryAfter time.Duration
		reset      time.Time
		limit      int
		remaining  int
		scope      string
		bucket     string
	}{
		{"x", transport.DialectX, hdr("x-rate-limit-limit", "100", "x-rate-limit-remaining", "0", "x-rate-limit-reset", itoa(reset.Unix())),
			`{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`, 0, reset, 100, 0, "", ""},
		{"mastodon", transport.DialectMastodon, hdr("X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", reset.UTC().Format(time.RFC3339)),
			`{"error":"Too many requests"}`, 0, reset, 300, 0, "", ""},
		{"bluesky", transport.DialectIETF, hdr("ratelimit-limit", "3000", "ratelimit-remaining", "0", "ratelimit-reset", itoa(reset.Unix()), "ratelimit-policy", "3000;w=300"),
			`{"error":"RateLimitExceeded","message":"Rate Limit Exceeded"}`, 0, reset, 3000, 0, "", ""},
		{"discord", transport.DialectDiscord, hdr("X-RateLimit-Limit", "5", "X-RateLimit-Remaining", "0", "X-RateLimit-Bucket", "abc", "X-RateLimit-Scope", "shared", "Retry-After", "3"),
			`{"message":"You are being rate limited.","retry_after":2.5,"global":false}`, 3 * time.Second, time.Time{}, 5, 0, "shared", "abc"},
		{"discord body only", transport.DialectDiscord, nil,
			`{"message":"You are being rate limited.","retry_after":2.5,"global":false}`, 2500 * time.Millisecond, time.Time{}, -1, -1, "", ""},
		{"reddit", transport.DialectReddit, hdr("X-Ratelimit-Used", "600", "X-Ratelimit-Remaining", "0.0", "X-Ratelimit-Reset", "3600"),
			``, 0, reset, 600, 0, "", ""},
		{"slack", transport.DialectRetryAfter, hdr("Retry-After", "30"), `{"ok":false,"error":"ratelimited"}`, 30 * time.Second, time.Time{}, -1, -1, "", ""},
		{"telegram", transport.Auto, nil, `{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 7","parameters":{"retry_after":7}}`, 7 * time.Second, time.Time{}, -1, -1, "", ""},
		{"graph", transport.DialectGraph, hdr("X-App-Usage", `{"call_count":100,"total_time":10,"total_cputime":10}`), `{"error":{"message":"(#4) Application request limit reached","code":4}}`, 0, time.Time{}, -1, 0, "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			rec := &recorder{status: 429, header: tt.header, body: tt.body}
			srv := httptest.NewServer(rec)
			defer srv.Close()
			fixed := reset.Add(-time.Hour)
			c := newClient(t, srv.URL, &transport.Options{Dialect: tt.dialect, Now: func() time.Time { return fixed }})
			_, err := c.Do(context.Background(), &transport.Request{Method: "POST", Path: "/post"})
			require.ErrorIs(t, err, driver.ErrRateLimited)
			require.Equal(t, driver.RateLimited, driver.CodeOf(err))
			var rle *driver.RateLimitError
			require.ErrorAs(t, err, &rle)
			require.Equal(t, tt.retryAfter, rle.RetryAfter)
			require.True(t, tt.reset.Equal(rle.Reset), "reset %v, want %v", rle.Reset, tt.reset)
			require.Equal(t, tt.limit, rle.Limit)
			require.Equal(t, tt.remaining, rle.Remaining)
			require.Equal(t, tt.scope, rle.Scope)
			require.Equal(t, tt.bucket, rle.Bucket)
			var de *driver.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, 429, de.Status)
		})
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func TestCustomErrorMapper(t *testing.T) {
	srv := httptest.NewServer(&recorder{status: 400, body: `{"error":"ExpiredToken","message":"Token has expired"}`})
	defer srv.Close()
	mapper := func(resp *http.Response, body []byte) error {
		if code, _ := transport.ExtractError(body); code == "ExpiredToken" {
			return &driver.Error{Code: driver.Unauthenticated, NetworkCode: code, Message: "session expired for Bearer abcdefghijkl"}
		}
		return nil
	}
	c := newClient(t, srv.URL, &transport.Options{ErrorMapper: mapper})
	_, err := c.Do(context.Background(), &transport.Request{Path: "/xrpc/app.bsky.feed.getTimeline"})
	require.ErrorIs(t, err, driver.ErrUnauthenticated)
	var de *driver.Error
	require.ErrorAs(t, err, &de)
	require.Equal(t, "testnet", de.Network, "filled by the client")
	require.Equal(t, 400, de.Status, "filled by the client")
	require.NotContains(t, err.Error(), "abcdefghijkl", "scrubbed by the client")

	t.Run("plain error wrapped", func(t *testing.T) {
		c := newClient(t, srv.URL, &transport.Options{ErrorMapper: func(*http.Response, []byte) error { return errors.New("weird") }})
		_, err := c.Do(context.Background(), &transport.Request{Path: "/x"})
		require.Equal(t, driver.InvalidContent, driver.CodeOf(err))
		require.Contains(t, err.Error(), "weird")
	})
}

func TestScrubbedErrors(t *testing.T) {
	body := `{"error":"invalid token at-SECRET-123 for client s3cr3t-app, Bearer at-SECRET-123, access_token=zzz999"}`
	srv := httptest.NewServer(&recorder{status: 401, body: body})
	defer srv.Close()
	var logs bytes.Buffer
	c := newClient(t, srv.URL, &transport.Options{
		Tokens:  oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "at-SECRET-123"}),
		Secrets: []string{"s3cr3t-app"},
		Logger:  slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug})),
	})
	_, err := c.Do(context.Background(), &transport.Request{Path: "/me", Query: url.Values{"access_token": {"qqq777"}}})
	require.ErrorIs(t, err, driver.ErrUnauthenticated)
	for _, secret := range []string{"at-SECRET-123", "s3cr3t-app", "zzz999", "qqq777"} {
		require.NotContains(t, err.Error(), secret)
		require.NotContains(t, logs.String(), secret)
	}
	require.Contains(t, err.Error(), "invalid token")
	require.Contains(t, logs.String(), "status=401")
	require.Contains(t, logs.String(), "method=GET")
}

func TestLogsRequests(t *testing.T) {
	srv := httptest.NewServer(&recorder{header: hdr("X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "299", "X-RateLimit-Reset", "2099-01-01T00:00:00Z")})
	defer srv.Close()
	var logs bytes.Buffer
	c := newClient(t, srv.URL, &transport.Options{Logger: slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))})
	_, err := c.Do(context.Background(), &transport.Request{Path: "/api/v1/accounts/verify_credentials", Class: "read"})
	require.NoError(t, err)
	line := logs.String()
	require.Contains(t, line, "level=DEBUG")
	require.Contains(t, line, "class=read")
	require.Contains(t, line, "url="+srv.URL+"/api/v1/accounts/verify_credentials")
	require.Contains(t, line, "status=200")
	require.Contains(t, line, "remaining=299")
	require.Contains(t, line, "duration=")
}

// hangUp is a handler that reads the whole request, then closes the
// connection without answering.
func hangUp(received chan<- struct{}) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		io.Copy(io.Discard, r.Body)
		if received != nil {
			received <- struct{}{}
		}
		conn, _, err := w.(http.Hijacker).Hijack()
		if err != nil {
			panic(err)
		}
		conn.Close()
	}
}

func TestTransportFailures(t *testing.T) {
	t.Run("connection closed after the request was read", func(t *testing.T) {
		srv := httptest.NewServer(hangUp(nil))
		defer srv.Close()
		c := newClient(t, srv.URL, &transport.Options{IdempotencyHeader: "Idempotency-Key"})
		tests := []struct {
			name string
			req  transport.Request
			want driver.ErrorCode
		}{
			{"post", transport.Request{Method: "POST", Path: "/statuses", JSON: map[string]string{"status": "hi"}}, driver.Indeterminate},
			{"patch", transport.Request{Method: "PATCH", Path: "/statuses/1", JSON: map[string]string{"status": "hi"}}, driver.Indeterminate},
			{"get", transport.Request{Method: "GET", Path: "/statuses/1"}, driver.Unavailable},
			{"delete", transport.Request{Method: "DELETE", Path: "/statuses/1"}, driver.Unavailable},
			{"post with idempotency key", transport.Request{Method: "POST", Path: "/statuses", IdempotencyKey: "k1"}, driver.Unavailable},
			{"post marked idempotent", transport.Request{Method: "POST", Path: "/search", Idempotent: true}, driver.Unavailable},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, err := c.Do(context.Background(), &tt.req)
				require.Equal(t, tt.want, driver.CodeOf(err), "%v", err)
				require.ErrorIs(t, err, tt.want.Sentinel())
			})
		}
	})

	t.Run("dial failure", func(t *testing.T) {
		l, err := net.Listen("tcp", "127.0.0.1:0")
		require.NoError(t, err)
		addr := l.Addr().String()
		l.Close()
		c := newClient(t, "http://"+addr, nil)
		for _, m := range []string{"POST", "GET"} {
			_, err := c.Do(context.Background(), &transport.Request{Method: m, Path: "/statuses"})
			require.Equal(t, driver.Unavailable, driver.CodeOf(err), "%s: %v", m, err)
		}
	})

	t.Run("canceled after sending", func(t *testing.T) {
		received := make(chan struct{})
		release := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			io.Copy(io.Discard, r.Body)
			received <- struct{}{}
			<-release
		}))
		defer srv.Close()
		defer close(release)
		c := newClient(t, srv.URL, nil)
		for _, tt := range []struct {
			method string
			want   driver.ErrorCode
		}{{"POST", driver.Indeterminate}, {"GET", driver.Canceled}} {
			ctx, cancel := context.WithCancel(context.Background())
			go func() { <-received; cancel() }()
			_, err := c.Do(ctx, &transport.Request{Method: tt.method, Path: "/statuses"})
			require.Equal(t, tt.want, driver.CodeOf(err), "%s: %v", tt.method, err)
		}
	})

	t.Run("canceled before sending", func(t *testing.T) {
		rec := &recorder{}
		srv := httptest.NewServer(rec)
		defer srv.Close()
		c := newClient(t, srv.URL, nil)
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Do(ctx, &transport.Request{Method: "POST", Path: "/statuses"})
		require.ErrorIs(t, err, driver.ErrCanceled)
		require.Empty(t, rec.requests())
	})

	t.Run("body too large", func(t *testing.T) {
		srv := httptest.NewServer(&recorder{body: strings.Repeat("x", 100)})
		defer srv.Close()
		c := newClient(t, srv.URL, &transport.Options{MaxBodyBytes: 10})
		_, err := c.Do(context.Background(), &transport.Request{Method: "POST", Path: "/statuses"})
		require.Equal(t, driver.Indeterminate, driver.CodeOf(err))
		var tooLarge *transport.BodyTooLargeError
		require.ErrorAs(t, err, &tooLarge)
		_, err = c.Do(context.Background(), &transport.Request{Path: "/statuses"})
		require.Equal(t, driver.Unknown, driver.CodeOf(err))
	})

	t.Run("undecodable success", func(t *testing.T) {
		srv := httptest.NewServer(&recorder{body: `not json`})
		defer srv.Close()
		c := newClient(t, srv.URL, nil)
		var out map[string]any
		err := c.PostJSON(context.Background(), "", "/statuses", map[string]string{}, &out)
		require.Equal(t, driver.Indeterminate, driver.CodeOf(err))
		err = c.GetJSON(context.Background(), "", "/statuses", nil, &out)
		require.Equal(t, driver.Unknown, driver.CodeOf(err))
	})
}

// countingHandler counts requests.
type countingHandler struct{ n atomic.Int32 }

func (h *countingHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.n.Add(1)
	w.Write([]byte(`{}`))
}

// errTokenSource fails with err.
type errTokenSource struct{ err error }

func (s errTokenSource) Token() (*oauth2.Token, error) { return nil, s.err }

func TestTokenSourceErrors(t *testing.T) {
	tests := []struct {
		name string
		err  error
		want driver.ErrorCode
	}{
		{"invalid_grant", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 400}, ErrorCode: "invalid_grant"}, driver.Unauthenticated},
		{"401 without code", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 401}, Body: []byte("no")}, driver.Unauthenticated},
		{"invalid_grant with 200", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 200}, ErrorCode: "invalid_grant"}, driver.Unauthenticated},
		{"token endpoint 503", &oauth2.RetrieveError{Response: &http.Response{StatusCode: 503}}, driver.Unavailable},
		{"network", &net.OpError{Op: "dial", Err: errors.New("connection refused")}, driver.Unavailable},
		{"classified", driver.Errorf(driver.PermissionDenied, "scope missing"), driver.PermissionDenied},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			api := &countingHandler{}
			srv := httptest.NewServer(api)
			defer srv.Close()
			c := newClient(t, srv.URL, &transport.Options{Tokens: errTokenSource{tt.err}})
			_, err := c.Do(context.Background(), &transport.Request{Method: "POST", Path: "/x"})
			require.Equal(t, tt.want, driver.CodeOf(err), "%v", err)
			require.ErrorIs(t, err, tt.want.Sentinel())
			require.Zero(t, api.n.Load(), "the API is not called without a token")
			if tt.want == driver.Unauthenticated {
				require.Contains(t, err.Error(), "reconnect")
			}
		})
	}
}

func TestRevokedRefreshTokenNotRetried(t *testing.T) {
	var tokenHits atomic.Int32
	tokenSrv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		tokenHits.Add(1)
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(400)
		io.WriteString(w, `{"error":"invalid_grant","error_description":"refresh token revoked"}`)
	}))
	defer tokenSrv.Close()
	api := &countingHandler{}
	apiSrv := httptest.NewServer(api)
	defer apiSrv.Close()

	cfg := &oauth2.Config{ClientID: "id", ClientSecret: "secret", Endpoint: oauth2.Endpoint{TokenURL: tokenSrv.URL, AuthStyle: oauth2.AuthStyleInParams}}
	ts := cfg.TokenSource(context.Background(), &oauth2.Token{AccessToken: "old", RefreshToken: "rt-revoked", Expiry: time.Now().Add(-time.Hour)})
	c := newClient(t, apiSrv.URL, &transport.Options{Tokens: ts})
	_, err := c.Do(context.Background(), &transport.Request{Path: "/me"})
	require.ErrorIs(t, err, driver.ErrUnauthenticated)
	require.False(t, driver.CodeOf(err).Retryable())
	require.EqualValues(t, 1, tokenHits.Load())
	require.Zero(t, api.n.Load())
	require.NotContains(t, err.Error(), "rt-revoked")
}
