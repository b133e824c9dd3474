package transport_test

import (
	"net/http"
	"strings"
	"testing"

	"github.com/cmkit/cmkit/connectors/transport"
)

// checkRateLimit asserts the invariants every dialect keeps, whatever the
// input.
func checkRateLimit(t *testing.T, rl transport.RateLimit) {
	t.Helper()
	if rl.RetryAfter < 0 || rl.RetryAfter > transport.MaxRetryAfter {
		t.Fatalf("RetryAfter %v out of [0, %v]", rl.RetryAfter, transport.MaxRetryAfter)
	}
	if rl.Window < 0 {
		t.Fatalf("negative Window %v", rl.Window)
	}
	if rl.Limit < -1 || rl.Remaining < -1 {
		t.Fatalf("Limit %d or Remaining %d below -1", rl.Limit, rl.Remaining)
	}
	if rl.Reset.After(now.Add(transport.MaxRetryAfter)) {
		t.Fatalf("Reset %v beyond the cap", rl.Reset)
	}
	if w := rl.Wait(now); w < 0 || w > transport.MaxRetryAfter {
		t.Fatalf("Wait %v out of range", w)
	}
}

func FuzzParseRetryAfter(f *testing.F) {
	for _, s := range []string{"0", "120", "1.5", "0.001", "-1", "", " 3 ", "1e9", "Inf", "NaN",
		"Wed, 21 Oct 2015 07:28:00 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"99999999999999999999999999", "9223372036854775807", "18446744073709551616.5", "1..2", "."} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, ok := transport.ParseRetryAfter(s, now)
		if d < 0 || d > transport.MaxRetryAfter {
			t.Fatalf("ParseRetryAfter(%q) = %v", s, d)
		}
		if !ok && d != 0 {
			t.Fatalf("ParseRetryAfter(%q) = %v, false", s, d)
		}
	})
}

// fuzzDialect fuzzes a dialect with three header values at the given names.
func fuzzDialect(f *testing.F, d transport.Dialect, names [3]string, seeds [][3]string) {
	for _, s := range seeds {
		f.Add(s[0], s[1], s[2])
	}
	f.Fuzz(func(t *testing.T, a, b, c string) {
		h := http.Header{}
		for i, v := range []string{a, b, c} {
			h.Set(names[i], v)
		}
		h.Set("Retry-After", a)
		rl, _ := d(h, now)
		checkRateLimit(t, rl)
		rl, _ = transport.Auto(h, now)
		checkRateLimit(t, rl)
	})
}

func FuzzDialectX(f *testing.F) {
	fuzzDialect(f, transport.DialectX, [3]string{"X-Rate-Limit-Limit", "X-Rate-Limit-Remaining", "X-Rate-Limit-Reset"},
		[][3]string{{"100", "0", "1773500966"}, {"-1", "x", "1e99"}, {"1.5", "2.5", "99999999999999999999"}, {"", "", "-5"}})
}

func FuzzDialectMastodon(f *testing.F) {
	fuzzDialect(f, transport.DialectMastodon, [3]string{"X-RateLimit-Limit", "X-RateLimit-Remaining", "X-RateLimit-Reset"},
		[][3]string{{"300", "0", "2026-03-14T15:10:00.000Z"}, {"300", "1", "9999-12-31T23:59:59Z"}, {"a", "b", "2026-03-14T15:10:00"}, {"", "", "0001-01-01T00:00:00Z"}})
}

func FuzzDialectGitHub(f *testing.F) {
	fuzzDialect(f, transport.DialectGitHub, [3]string{"X-RateLimit-Used", "X-RateLimit-Remaining", "X-RateLimit-Reset"},
		[][3]string{{"10", "4990", "1773500966"}, {"2147483647", "2147483647", "2"}, {"", "0", "2026-03-14T15:10:00Z"}})
}

func FuzzDialectReddit(f *testing.F) {
	fuzzDialect(f, transport.DialectReddit, [3]string{"X-Ratelimit-Used", "X-Ratelimit-Remaining", "X-Ratelimit-Reset"},
		[][3]string{{"598", "2.0", "42"}, {"1", "1e308", "1e308"}, {"x", "-0.5", "-1"}, {"3", "3000000000.0", "600"}})
}

func FuzzDialectDiscord(f *testing.F) {
	fuzzDialect(f, transport.DialectDiscord, [3]string{"X-RateLimit-Reset", "X-RateLimit-Reset-After", "X-RateLimit-Global"},
		[][3]string{{"1773500967.5", "1.5", "true"}, {"-1", "-1", "false"}, {"1e400", "1e400", "TRUE"}, {"NaN", "Inf", ""}})
}

func FuzzDialectIETF(f *testing.F) {
	fuzzDialect(f, transport.DialectIETF, [3]string{"RateLimit", "RateLimit-Policy", "RateLimit-Reset"},
		[][3]string{
			{"limit=10, remaining=0, reset=5", "10;w=1", "5"},
			{`"burst";r=40;t=20, "daily";r=7;t=3600`, `"burst";q=100;w=60, "daily";q=1000;w=86400`, ""},
			{`;;;,,,=`, `"";q=;w=-1`, "1773500966"},
			{`"x";r=1;t=99999999999999`, `"x";q=1;w=99999999999999999`, "-1"},
		})
}

func FuzzDialectGraph(f *testing.F) {
	fuzzDialect(f, transport.DialectGraph, [3]string{"X-App-Usage", "X-Business-Use-Case-Usage", "X-Ad-Account-Usage"},
		[][3]string{
			{`{"call_count":28,"total_time":25,"total_cputime":25}`, `{"1":[{"type":"pages","call_count":100,"estimated_time_to_regain_access":19}]}`, `{"acc_id_util_pct":9.67,"reset_time_duration":0}`},
			{`{"call_count":1e308}`, `{"1":[{"estimated_time_to_regain_access":1e308}]}`, `{"reset_time_duration":-5}`},
			{`{"call_count":-1}`, `{"1":null}`, `[]`},
			{`{`, `{"1":[{"call_count":"100"}]}`, `null`},
		})
}

func FuzzBodyRetryAfter(f *testing.F) {
	for _, s := range []string{`{"parameters":{"retry_after":35}}`, `{"retry_after":1.5,"global":true}`,
		`{"retry_after":-1}`, `{"retry_after":1e309}`, `{"parameters":{"retry_after":"5"}}`, `[]`, ``} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		if d, _ := transport.ParseTelegramRetryAfter(b); d < 0 || d > transport.MaxRetryAfter {
			t.Fatalf("telegram %v", d)
		}
		if d, _, _ := transport.ParseDiscordRetryAfter(b); d < 0 || d > transport.MaxRetryAfter {
			t.Fatalf("discord %v", d)
		}
	})
}

func FuzzScrub(f *testing.F) {
	seeds := [][2]string{
		{"Authorization: Bearer abc.def-ghi", "abc"},
		{"https://api.telegram.org/bot123456:ABCdefGHIjklMNOpqrSTUvwxYZ012345678/sendMessage", "ABCdef"},
		{`{"access_token":"tok\"en","refresh_token":"r1"}`, "r1"},
		{"aabb", "ab"},
		{"[REDACTED]", "E"},
		{"***", "*"},
		{"x%20y x y", "x y"},
		{"eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sig xoxb-123-456-abc", "sig"},
	}
	for _, s := range seeds {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, s, secret string) {
		out := transport.Scrub(s, secret)
		if secret != "" && strings.Contains(out, secret) {
			t.Fatalf("Scrub(%q, %q) = %q still holds the secret", s, secret, out)
		}
	})
}

func FuzzExtractError(f *testing.F) {
	for _, s := range []string{`{"error":"invalid_grant","error_description":"bad"}`,
		`{"error":{"message":"m","code":190,"error_subcode":463}}`, `{"errors":[{"code":88,"message":"x"}]}`,
		`{"json":{"errors":[["RATELIMIT","later","ratelimit"]]}}`, `{"json":{"errors":[[]]}}`, `<html>oops</html>`,
		`{"error":{"errors":[null]}}`, "\xff\xfe"} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, b []byte) {
		code, msg := transport.ExtractError(b)
		if len(code) > 200 || len(msg) > 600 {
			t.Fatalf("ExtractError too long: %d, %d", len(code), len(msg))
		}
	})
}
