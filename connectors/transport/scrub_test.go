package transport_test

import (
	"bytes"
	"errors"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors/transport"
)

func TestScrub(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		secrets []string
		want    string
	}{
		{"bearer", "sent Authorization Bearer abc123.DEF-456~x", nil, "sent Authorization Bearer [REDACTED]"},
		{"authorization header", "Authorization: OAuth oauth_token=\"x\", oauth_signature=\"y\"", nil, "Authorization: [REDACTED]"},
		{"query", "GET /me?fields=id&access_token=EAAB12&x=1", nil, "GET /me?fields=id&access_token=[REDACTED]&x=1"},
		{"form", "grant_type=refresh_token&refresh_token=r-123&client_secret=s3cr3t", nil, "grant_type=refresh_token&refresh_token=[REDACTED]&client_secret=[REDACTED]"},
		{"password", "login failed for password=hunter2 user=bob", nil, "login failed for password=[REDACTED] user=bob"},
		{"json", `{"access_token":"at-1","token_type":"bearer","refresh_token" : "rt\"2"}`, nil, `{"access_token":"[REDACTED]","token_type":"bearer","refresh_token" : "[REDACTED]"}`},
		{"bluesky jwt fields", `{"accessJwt":"a","refreshJwt":"b","handle":"x.bsky.social"}`, nil, `{"accessJwt":"[REDACTED]","refreshJwt":"[REDACTED]","handle":"x.bsky.social"}`},
		{"jwt", "token eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl expired", nil, "token [REDACTED] expired"},
		{"slack", "posting with xoxb-1234-5678-AbCdEf failed", nil, "posting with [REDACTED] failed"},
		{"slack webhook", "POST https://hooks.slack.com/services/T000/B000/XXXXXXXX: 404", nil, "POST https://hooks.slack.com/services/[REDACTED]: 404"},
		{"telegram path", `Post "https://api.telegram.org/bot123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw/sendMessage": EOF`, nil, `Post "https://api.telegram.org/bot[REDACTED]/sendMessage": EOF`},
		{"discord webhook", "https://discord.com/api/webhooks/112233/abcdefghijklmnopqrstuvwxyz_012345", nil, "https://discord.com/api/webhooks/112233/[REDACTED]"},
		{"discord bot", "Authorization=Bot MTk4NjIyNDgzNDcxOTI1MjQ4.Cl2FMQ.ZnCjm1XVW7vRze4b7Cq4se7kKWs", nil, "Authorization=Bot [REDACTED]"},
		{"meta token", "invalid token EAAGm0PX4ZCpsBAKZBvZBxyzxyzxyzxyz123", nil, "invalid token [REDACTED]"},
		{"given secret", "my app secret is s3cr3t-value!", []string{"s3cr3t-value"}, "my app secret is [REDACTED]!"},
		{"given secret url-escaped", "https://x.test/?k=a+b%2Fc", []string{"a b/c"}, "https://x.test/?k=[REDACTED]"},
		{"secret inside marker", "E and E", []string{"E"}, "*** and ***"},
		{"secret joined by removal", "aabb", []string{"ab"}, "a[REDACTED]b"},
		{"empty secret ignored", "nothing to hide", []string{""}, "nothing to hide"},
		{"plain text kept", "Record not found (code=404)", nil, "Record not found (code=404)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got := transport.Scrub(tt.in, tt.secrets...)
			require.Equal(t, tt.want, got)
			for _, s := range tt.secrets {
				if s != "" {
					require.NotContains(t, got, s)
				}
			}
		})
	}
}

func TestReadBody(t *testing.T) {
	tests := []struct {
		name    string
		in      string
		max     int64
		want    string
		tooLong bool
	}{
		{"under", "hello", 10, "hello", false},
		{"exact", "hello", 5, "hello", false},
		{"over", "hello world", 5, "hello", true},
		{"empty", "", 5, "", false},
		{"default cap", "hello", 0, "hello", false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := transport.ReadBody(strings.NewReader(tt.in), tt.max)
			require.Equal(t, tt.want, string(got))
			if tt.tooLong {
				var e *transport.BodyTooLargeError
				require.ErrorAs(t, err, &e)
				require.Equal(t, tt.max, e.Limit)
				return
			}
			require.NoError(t, err)
		})
	}
	t.Run("read error", func(t *testing.T) {
		boom := errors.New("boom")
		_, err := transport.ReadBody(&failingReader{err: boom}, 10)
		require.ErrorIs(t, err, boom)
	})
}

type failingReader struct{ err error }

func (r *failingReader) Read([]byte) (int, error) { return 0, r.err }

func TestExtractError(t *testing.T) {
	tests := []struct {
		name, body, code, msg string
	}{
		{"mastodon message", `{"error":"Record not found"}`, "", "Record not found"},
		{"mastodon with description", `{"error":"Validation failed","error_description":"Text can't be blank"}`, "Validation failed", "Text can't be blank"},
		{"oauth", `{"error":"invalid_grant","error_description":"The refresh token is invalid."}`, "invalid_grant", "The refresh token is invalid."},
		{"bluesky", `{"error":"ExpiredToken","message":"Token has expired"}`, "ExpiredToken", "Token has expired"},
		{"graph", `{"error":{"message":"Error validating access token","type":"OAuthException","code":190,"error_subcode":463,"fbtrace_id":"A"}}`, "190/463", "Error validating access token"},
		{"google", `{"error":{"code":403,"message":"Quota exceeded","status":"PERMISSION_DENIED","errors":[{"reason":"quotaExceeded"}]}}`, "quotaExceeded", "Quota exceeded"},
		{"google status", `{"error":{"code":401,"message":"Invalid Credentials","status":"UNAUTHENTICATED"}}`, "UNAUTHENTICATED", "Invalid Credentials"},
		{"x problem", `{"title":"Usage cap exceeded","detail":"Monthly product cap","type":"https://api.x.com/2/problems/usage-capped"}`, "usage-capped", "Monthly product cap"},
		{"x legacy", `{"errors":[{"code":88,"message":"Rate limit exceeded"}]}`, "88", "Rate limit exceeded"},
		{"discord", `{"code":50035,"message":"Invalid Form Body","errors":{"content":{}}}`, "50035", "Invalid Form Body"},
		{"wordpress", `{"code":"rest_forbidden","message":"Sorry, you are not allowed to do that.","data":{"status":403}}`, "rest_forbidden", "Sorry, you are not allowed to do that."},
		{"linkedin", `{"status":401,"serviceErrorCode":65600,"code":"INVALID_ACCESS_TOKEN","message":"Invalid access token"}`, "INVALID_ACCESS_TOKEN", "Invalid access token"},
		{"telegram", `{"ok":false,"error_code":400,"description":"Bad Request: chat not found"}`, "400", "Bad Request: chat not found"},
		{"slack", `{"ok":false,"error":"channel_not_found"}`, "channel_not_found", ""},
		{"reddit", `{"json":{"errors":[["RATELIMIT","You are doing that too much. Please try again in 9 minutes.","ratelimit"]]}}`, "RATELIMIT", "You are doing that too much. Please try again in 9 minutes."},
		{"html", "<html>\n<body>Bad   Gateway</body>\n</html>", "", "<html> <body>Bad Gateway</body> </html>"},
		{"empty", "  ", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			code, msg := transport.ExtractError([]byte(tt.body))
			require.Equal(t, tt.code, code)
			require.Equal(t, tt.msg, msg)
		})
	}
	t.Run("long body truncated", func(t *testing.T) {
		_, msg := transport.ExtractError(bytes.Repeat([]byte("é"), 1000))
		require.LessOrEqual(t, len(msg), 520)
		require.True(t, strings.HasSuffix(msg, "…"))
	})
}

func BenchmarkScrub(b *testing.B) {
	msg := `connectors: mastodon: Publish: unauthenticated (HTTP 401): The access token is invalid; POST https://mastodon.social/api/v1/statuses?access_token=abc123`
	b.ReportAllocs()
	for b.Loop() {
		transport.Scrub(msg, "client-secret-value")
	}
}
