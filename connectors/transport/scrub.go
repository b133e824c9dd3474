package transport

import (
	"net/url"
	"regexp"
	"strings"
)

// Redacted replaces every secret Scrub removes.
const Redacted = "[REDACTED]"

// scrubRule is one token shape Scrub recognises; repl may refer to the
// groups of re.
type scrubRule struct {
	// hints: the rule can only match text whose lower-case form contains
	// one of them; it lets Scrub skip most regexps.
	hints []string
	re    *regexp.Regexp
	repl  string
}

// scrubRules are compiled once; regexp values are safe for concurrent use
// and never modified.
var scrubRules = []scrubRule{
	// Authorization header values, whatever the scheme.
	{[]string{"authorization"}, regexp.MustCompile(`(?i)\b((?:proxy-)?authorization\s*:\s*)[^\r\n]+`), "${1}" + Redacted},
	// Bearer tokens anywhere ("Bearer abc...").
	{[]string{"bearer"}, regexp.MustCompile(`(?i)\b(bearer\s+)[A-Za-z0-9\-._~+/]+=*`), "${1}" + Redacted},
	// Discord bot tokens and HTTP Basic credentials.
	{[]string{"bot"}, regexp.MustCompile(`\b(Bot\s+)[A-Za-z0-9\-._~+/]{20,}=*`), "${1}" + Redacted},
	{[]string{"basic"}, regexp.MustCompile(`\b(Basic\s+)[A-Za-z0-9+/]{12,}=*`), "${1}" + Redacted},
	// JSON fields holding credentials.
	{[]string{"token", "secret", "passw", "key", "verifier", "jwt", "authorization"}, regexp.MustCompile(`(?i)("(?:access_?token|refresh_?token|id_token|client_secret|password|passwd|token|secret|api_?key|code_verifier|accessJwt|refreshJwt|authorization)"\s*:\s*)"(?:[^"\\]|\\.)*"`), `${1}"` + Redacted + `"`},
	// Query-string and form credentials (key=value up to & or whitespace).
	{[]string{"="}, regexp.MustCompile(`(?i)\b(access_token|refresh_token|id_token|client_secret|client_assertion|assertion|password|passwd|api_key|apikey|api_secret|token|secret|code_verifier|oauth_token|oauth_signature|verify_token|key|sig|signature)(=)("?)[^&\s"'<>]+`), "${1}${2}${3}" + Redacted},
	// JSON Web Tokens (Bluesky session JWTs, OpenID ID tokens).
	{[]string{"eyj"}, regexp.MustCompile(`\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}(?:\.[A-Za-z0-9_-]*)?`), Redacted},
	// Slack tokens and webhook URLs.
	{[]string{"xox"}, regexp.MustCompile(`\bxox[a-z]-[A-Za-z0-9-]{6,}`), Redacted},
	{[]string{"xapp-"}, regexp.MustCompile(`\bxapp-[A-Za-z0-9-]{6,}`), Redacted},
	{[]string{"hooks.slack.com"}, regexp.MustCompile(`(hooks\.slack\.com/(?:services|workflows|triggers)/)[A-Za-z0-9/_-]+`), "${1}" + Redacted},
	// Telegram bot tokens, in URL paths (/bot123:ABC/sendMessage) or bare.
	{[]string{"bot"}, regexp.MustCompile(`\b(bot)\d{3,}:[A-Za-z0-9_-]{20,}`), "${1}" + Redacted},
	{[]string{":"}, regexp.MustCompile(`\b\d{6,}:[A-Za-z0-9_-]{30,}`), Redacted},
	// Discord webhook tokens (/api/webhooks/{id}/{token}).
	{[]string{"/webhooks/"}, regexp.MustCompile(`(/webhooks/\d+/)[A-Za-z0-9_.-]{20,}`), "${1}" + Redacted},
	// Meta (EAA...), Google (ya29.) and GitHub access tokens.
	{[]string{"eaa"}, regexp.MustCompile(`\bEAA[A-Za-z0-9]{20,}`), Redacted},
	{[]string{"ya29."}, regexp.MustCompile(`\bya29\.[A-Za-z0-9_-]{10,}`), Redacted},
	{[]string{"_"}, regexp.MustCompile(`\bgh[pousr]_[A-Za-z0-9]{20,}`), Redacted},
}

// Scrub returns s with the given secrets and common credential shapes
// replaced by Redacted: Authorization header values, "Bearer xxx",
// access_token=, refresh_token=, client_secret=, password= and similar
// query or form fields, the same fields in JSON ("access_token":"..."),
// JWTs (eyJ...), Slack tokens (xoxb-..., xoxp-...) and webhook URLs,
// Telegram bot tokens (bot123456:ABC... in URL paths), Discord webhook
// tokens, and Meta, Google and GitHub access tokens.
//
// Every given secret is removed, also in its URL-escaped forms; the result
// never contains a non-empty secret, even when removing one would otherwise
// bring another together. Every error message and log line of this package
// goes through Scrub.
func Scrub(s string, secrets ...string) string {
	if s == "" {
		return s
	}
	s = removeSecrets(s, secrets)
	lower := strings.ToLower(s)
	for _, r := range scrubRules {
		for _, h := range r.hints {
			if strings.Contains(lower, h) {
				s = r.re.ReplaceAllString(s, r.repl)
				lower = strings.ToLower(s)
				break
			}
		}
	}
	return removeSecrets(s, secrets)
}

// removeSecrets replaces every secret (and its escaped forms) with
// Redacted, then deletes whatever occurrence remains until none does.
func removeSecrets(s string, secrets []string) string {
	if len(secrets) == 0 {
		return s
	}
	for _, sec := range secrets {
		if sec == "" {
			continue
		}
		repl := Redacted
		if strings.Contains(repl, sec) {
			repl = "***"
			if strings.Contains(repl, sec) {
				repl = ""
			}
		}
		for _, form := range []string{sec, url.QueryEscape(sec), url.PathEscape(sec)} {
			if form != "" && strings.Contains(s, form) {
				s = strings.ReplaceAll(s, form, repl)
			}
		}
	}
	// A replacement can join the text around it into another occurrence of
	// a secret. Deleting occurrences shortens s at every step, so this ends.
	for changed := true; changed; {
		changed = false
		for _, sec := range secrets {
			if sec != "" && strings.Contains(s, sec) {
				s = strings.ReplaceAll(s, sec, "")
				changed = true
			}
		}
	}
	return s
}

// scrubURL returns u as text with its credentials removed: user
// information, query values of credential-looking keys, and any secret.
func scrubURL(u *url.URL, secrets []string) string {
	if u == nil {
		return ""
	}
	c := *u
	c.User = nil
	return Scrub(c.String(), secrets...)
}
