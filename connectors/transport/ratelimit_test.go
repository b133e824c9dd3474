package transport_test

import (
	"net/http"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors/transport"
)

var now = time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)

func hdr(kv ...string) http.Header {
	h := http.Header{}
	for i := 0; i+1 < len(kv); i += 2 {
		h.Add(kv[i], kv[i+1])
	}
	return h
}

func TestParseRetryAfter(t *testing.T) {
	tests := []struct {
		name  string
		value string
		want  time.Duration
		ok    bool
	}{
		{"delta seconds", "120", 120 * time.Second, true},
		{"zero", "0", 0, true},
		{"padded", "  7 ", 7 * time.Second, true},
		{"discord float", "1.337", 1337 * time.Millisecond, true},
		{"http date", now.Add(90 * time.Second).Format(http.TimeFormat), 90 * time.Second, true},
		{"rfc850 date", now.Add(time.Minute).Format("Monday, 02-Jan-06 15:04:05 GMT"), time.Minute, true},
		{"date in the past", now.Add(-time.Hour).Format(http.TimeFormat), 0, true},
		{"huge capped", "99999999999999999999999", transport.MaxRetryAfter, true},
		{"two days capped", "172800", transport.MaxRetryAfter, true},
		{"negative", "-5", 0, false},
		{"empty", "", 0, false},
		{"garbage", "soon", 0, false},
		{"exponent", "1e3", 0, false},
		{"trailing dot", "5.", 0, false},
		{"leading dot", ".5", 0, false},
		{"NaN", "NaN", 0, false},
		{"Inf", "Inf", 0, false},
		{"hex", "0x10", 0, false},
		{"two dots", "1.2.3", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := transport.ParseRetryAfter(tt.value, now)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestDialects(t *testing.T) {
	unknown := transport.UnknownRateLimit()
	with := func(f func(*transport.RateLimit)) transport.RateLimit {
		rl := unknown
		f(&rl)
		return rl
	}
	tests := []struct {
		name    string
		dialect transport.Dialect
		h       http.Header
		want    transport.RateLimit
		ok      bool
	}{
		{
			name: "X", dialect: transport.DialectX,
			h: hdr("x-rate-limit-limit", "100", "x-rate-limit-remaining", "0", "x-rate-limit-reset", "1773500966"),
			want: with(func(r *transport.RateLimit) {
				r.Limit, r.Remaining, r.Reset = 100, 0, time.Unix(1773500966, 0)
			}), ok: true,
		},
		{
			name: "X none", dialect: transport.DialectX, h: hdr("Content-Type", "application/json"),
			want: unknown, ok: false,
		},
		{
			name: "Mastodon", dialect: transport.DialectMastodon,
			h: hdr("X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "12", "X-RateLimit-Reset", "2026-03-14T15:10:00.000Z"),
			want: with(func(r *transport.RateLimit) {
				r.Limit, r.Remaining, r.Reset = 300, 12, time.Date(2026, 3, 14, 15, 10, 0, 0, time.UTC)
			}), ok: true,
		},
		{
			name: "Mastodon microseconds", dialect: transport.DialectMastodon,
			h: hdr("X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "2026-03-14T15:10:00.123456Z"),
			want: with(func(r *transport.RateLimit) {
				r.Remaining, r.Reset = 0, time.Date(2026, 3, 14, 15, 10, 0, 123456000, time.UTC)
			}), ok: true,
		},
		{
			name: "Mastodon reset far away is capped", dialect: transport.DialectMastodon,
			h:    hdr("X-RateLimit-Reset", "2099-01-01T00:00:00Z"),
			want: with(func(r *transport.RateLimit) { r.Reset = now.Add(transport.MaxRetryAfter) }), ok: true,
		},
		{
			name: "GitHub epoch and used", dialect: transport.DialectGitHub,
			h: hdr("X-RateLimit-Remaining", "4990", "X-RateLimit-Used", "10", "X-RateLimit-Reset", "1773500966", "X-RateLimit-Resource", "core"),
			want: with(func(r *transport.RateLimit) {
				r.Limit, r.Remaining, r.Reset, r.Scope = 5000, 4990, time.Unix(1773500966, 0), "core"
			}), ok: true,
		},
		{
			name: "Reddit float remaining", dialect: transport.DialectReddit,
			h: hdr("X-Ratelimit-Used", "598", "X-Ratelimit-Remaining", "2.0", "X-Ratelimit-Reset", "42"),
			want: with(func(r *transport.RateLimit) {
				r.Limit, r.Remaining, r.Reset = 600, 2, now.Add(42*time.Second)
			}), ok: true,
		},
		{
			name: "Discord 429", dialect: transport.DialectDiscord,
			h: hdr("X-RateLimit-Limit", "5", "X-RateLimit-Remaining", "0", "X-RateLimit-Reset", "1773500967.5",
				"X-RateLimit-Reset-After", "1.5", "X-RateLimit-Bucket", "abcd1234", "X-RateLimit-Scope", "user", "Retry-After", "2"),
			want: with(func(r *transport.RateLimit) {
				r.Limit, r.Remaining, r.Reset = 5, 0, now.Add(1500*time.Millisecond)
				r.Bucket, r.Scope, r.RetryAfter = "abcd1234", "user", 2*time.Second
			}), ok: true,
		},
		{
			name: "Discord epoch reset without reset-after", dialect: transport.DialectDiscord,
			h: hdr("X-RateLimit-Remaining", "3", "X-RateLimit-Reset", "1773500967.25"),
			want: with(func(r *transport.RateLimit) {
				r.Remaining, r.Reset = 3, time.Unix(1773500967, 250000000)
			}), ok: true,
		},
		{
			name: "Discord global", dialect: transport.DialectDiscord,
			h: hdr("X-RateLimit-Global", "true", "X-RateLimit-Scope", "global", "Retry-After", "65"),
			want: with(func(r *transport.RateLimit) {
				r.Global, r.Scope, r.RetryAfter = true, "global", 65*time.Second
			}), ok: true,
		},
		{
			name: "IETF separate fields delta reset", dialect: transport.DialectIETF,
			h: hdr("RateLimit-Limit", "100", "RateLimit-Remaining", "50", "RateLimit-Reset", "30", "RateLimit-Policy", "100;w=60"),
			want: with(func(r *transport.RateLimit) {
				r.Limit, r.Remaining, r.Reset, r.Window = 100, 50, now.Add(30*time.Second), time.Minute
			}), ok: true,
		},
		{
			name: "Bluesky epoch reset", dialect: transport.DialectIETF,
			h: hdr("ratelimit-limit", "3000", "ratelimit-remaining", "2999", "ratelimit-reset", "1773500966", "ratelimit-policy", "3000;w=300"),
			want: with(func(r *transport.RateLimit) {
				r.Limit, r.Remaining, r.Reset, r.Window = 3000, 2999, time.Unix(1773500966, 0), 5*time.Minute
			}), ok: true,
		},
		{
			name: "IETF combined field", dialect: transport.DialectIETF,
			h: hdr("RateLimit", "limit=10, remaining=0, reset=5"),
			want: with(func(r *transport.RateLimit) {
				r.Limit, r.Remaining, r.Reset = 10, 0, now.Add(5*time.Second)
			}), ok: true,
		},
		{
			name: "IETF structured fields", dialect: transport.DialectIETF,
			h: hdr("RateLimit-Policy", `"burst";q=100;w=60, "daily";q=1000;w=86400`, "RateLimit", `"burst";r=40;t=20, "daily";r=7;t=3600`),
			want: with(func(r *transport.RateLimit) {
				r.Limit, r.Remaining, r.Reset, r.Window, r.Scope = 1000, 7, now.Add(time.Hour), 24*time.Hour, "daily"
			}), ok: true,
		},
		{
			name: "Graph app usage under 100", dialect: transport.DialectGraph,
			h:    hdr("X-App-Usage", `{"call_count":28,"total_time":25,"total_cputime":25}`),
			want: with(func(r *transport.RateLimit) { r.Usage = 28 }), ok: true,
		},
		{
			name: "Graph business use case exhausted", dialect: transport.DialectGraph,
			h: hdr("X-Business-Use-Case-Usage", `{"112233":[{"type":"pages","call_count":100,"total_cputime":20,"total_time":30,"estimated_time_to_regain_access":19}]}`),
			want: with(func(r *transport.RateLimit) {
				r.Usage, r.Remaining, r.Reset, r.Scope = 100, 0, now.Add(19*time.Minute), "pages"
			}), ok: true,
		},
		{
			name: "Graph ad account usage", dialect: transport.DialectGraph,
			h: hdr("X-Ad-Account-Usage", `{"acc_id_util_pct":100,"reset_time_duration":90,"ads_api_access_tier":"standard_access"}`),
			want: with(func(r *transport.RateLimit) {
				r.Usage, r.Remaining, r.Reset = 100, 0, now.Add(90*time.Second)
			}), ok: true,
		},
		{
			name: "Graph malformed JSON", dialect: transport.DialectGraph,
			h: hdr("X-App-Usage", `{"call_count":`), want: unknown, ok: false,
		},
		{
			name: "Slack Retry-After", dialect: transport.DialectRetryAfter,
			h: hdr("Retry-After", "30"), want: with(func(r *transport.RateLimit) { r.RetryAfter = 30 * time.Second }), ok: true,
		},
		{
			name: "negative counts rejected", dialect: transport.DialectX,
			h: hdr("x-rate-limit-limit", "-1", "x-rate-limit-remaining", "-3"), want: unknown, ok: false,
		},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, ok := tt.dialect(tt.h, now)
			require.Equal(t, tt.ok, ok)
			require.Equal(t, tt.want.Limit, got.Limit, "Limit")
			require.Equal(t, tt.want.Remaining, got.Remaining, "Remaining")
			require.True(t, tt.want.Reset.Equal(got.Reset), "Reset: want %v, got %v", tt.want.Reset, got.Reset)
			got.Reset = tt.want.Reset
			require.Equal(t, tt.want, got)
		})
	}
}

func TestAutoPicksDialect(t *testing.T) {
	tests := []struct {
		name string
		h    http.Header
		want transport.Dialect
	}{
		{"X", hdr("x-rate-limit-remaining", "3", "x-rate-limit-reset", "1773500966"), transport.DialectX},
		{"Mastodon", hdr("X-RateLimit-Remaining", "3", "X-RateLimit-Reset", "2026-03-14T15:10:00Z"), transport.DialectMastodon},
		{"GitHub", hdr("X-RateLimit-Limit", "60", "X-RateLimit-Remaining", "3", "X-RateLimit-Used", "57", "X-RateLimit-Reset", "1773500966"), transport.DialectGitHub},
		{"Reddit", hdr("X-Ratelimit-Used", "3", "X-Ratelimit-Remaining", "597.0", "X-Ratelimit-Reset", "100"), transport.DialectReddit},
		{"Discord", hdr("X-RateLimit-Remaining", "0", "X-RateLimit-Reset-After", "0.25", "X-RateLimit-Bucket", "b"), transport.DialectDiscord},
		{"Bluesky", hdr("ratelimit-remaining", "10", "ratelimit-reset", "1773500966"), transport.DialectIETF},
		{"Graph", hdr("X-App-Usage", `{"call_count":100}`), transport.DialectGraph},
		{"Slack", hdr("Retry-After", "3"), transport.DialectRetryAfter},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			want, wantOK := tt.want(tt.h, now)
			got, ok := transport.Auto(tt.h, now)
			require.Equal(t, wantOK, ok)
			require.Equal(t, want, got)
		})
	}
}

func TestRateLimitWait(t *testing.T) {
	rl := transport.UnknownRateLimit()
	require.Zero(t, rl.Wait(now))
	rl.Remaining, rl.Reset = 0, now.Add(10*time.Second)
	require.Equal(t, 10*time.Second, rl.Wait(now))
	rl.RetryAfter = 20 * time.Second
	require.Equal(t, 20*time.Second, rl.Wait(now))
	rl.Remaining = 5
	rl.RetryAfter = 0
	require.Zero(t, rl.Wait(now), "a reset does not matter while requests remain")
	rl.Remaining, rl.Reset = 0, now.Add(-time.Minute)
	require.Zero(t, rl.Wait(now), "never negative")
}

func TestBodyRetryAfter(t *testing.T) {
	d, ok := transport.ParseTelegramRetryAfter([]byte(`{"ok":false,"error_code":429,"description":"Too Many Requests: retry after 35","parameters":{"retry_after":35}}`))
	require.True(t, ok)
	require.Equal(t, 35*time.Second, d)
	_, ok = transport.ParseTelegramRetryAfter([]byte(`{"ok":false,"error_code":400}`))
	require.False(t, ok)
	_, ok = transport.ParseTelegramRetryAfter([]byte(`{"parameters":{"retry_after":-3}}`))
	require.False(t, ok)

	d, global, ok := transport.ParseDiscordRetryAfter([]byte(`{"message":"You are being rate limited.","retry_after":64.57,"global":true}`))
	require.True(t, ok)
	require.True(t, global)
	require.Equal(t, 64570*time.Millisecond, d)
	_, _, ok = transport.ParseDiscordRetryAfter([]byte(`not json`))
	require.False(t, ok)
}

func BenchmarkAuto(b *testing.B) {
	h := hdr("X-RateLimit-Limit", "300", "X-RateLimit-Remaining", "12", "X-RateLimit-Reset", "2026-03-14T15:10:00.000Z")
	b.ReportAllocs()
	for b.Loop() {
		transport.Auto(h, now)
	}
}
