package transport

import (
	"encoding/json"
	"math"
	"net/http"
	"strconv"
	"strings"
	"time"
)

// MaxRetryAfter caps every wait parsed from a response: Retry-After values,
// Reset times and Meta's estimated time to regain access. A server asking
// for longer is treated as asking for MaxRetryAfter, so a bogus header
// cannot park a caller for years.
const MaxRetryAfter = 24 * time.Hour

// RateLimit is what a response said about the caller's rate limit. Fields
// the response did not carry are unknown: -1 for Limit and Remaining, zero
// for the others.
type RateLimit struct {
	// Limit is the number of requests allowed per window; Remaining is what
	// is left in the current window.
	Limit, Remaining int
	// Reset is when the window resets (Remaining is refilled).
	Reset time.Time
	// RetryAfter is how long the server asked the caller to wait
	// (Retry-After, Discord's X-RateLimit-Reset-After on a 429).
	RetryAfter time.Duration
	// Window is the length of the window Limit applies to, when the server
	// announces it (RateLimit-Policy "w=").
	Window time.Duration
	// Bucket and Scope name the limit (Discord's X-RateLimit-Bucket and
	// X-RateLimit-Scope, the IETF policy name, Meta's usage type).
	Bucket, Scope string
	// Global reports a limit shared by every endpoint (Discord's
	// X-RateLimit-Global): it blocks the whole Client, not one class.
	Global bool
	// Usage is the largest usage percentage Meta's Graph API reported
	// (X-App-Usage, X-Business-Use-Case-Usage...), or -1 when unknown.
	Usage float64
}

// UnknownRateLimit returns a RateLimit with every field unknown.
func UnknownRateLimit() RateLimit { return RateLimit{Limit: -1, Remaining: -1, Usage: -1} }

// Exhausted reports whether the response said the window is used up:
// Remaining is 0.
func (rl RateLimit) Exhausted() bool { return rl.Remaining == 0 }

// Wait returns how long to wait before the next request, measured from now:
// the larger of RetryAfter and, when the window is exhausted, Reset-now;
// never negative and at most MaxRetryAfter.
func (rl RateLimit) Wait(now time.Time) time.Duration {
	d := rl.RetryAfter
	if rl.Exhausted() && !rl.Reset.IsZero() {
		if r := rl.Reset.Sub(now); r > d {
			d = r
		}
	}
	return clampWait(d)
}

func clampWait(d time.Duration) time.Duration {
	if d < 0 {
		return 0
	}
	if d > MaxRetryAfter {
		return MaxRetryAfter
	}
	return d
}

// Dialect reads a network's rate-limit headers. It is a pure function of the
// headers and the current time; it reports false when the headers carry none
// of its fields. The Dialect* functions of this package are Dialects.
type Dialect func(h http.Header, now time.Time) (RateLimit, bool)

// ParseRetryAfter parses a Retry-After value: delta seconds ("120"), decimal
// seconds as Discord and some proxies send ("1.5"), or an HTTP-date. A date
// in the past yields 0. Negative, non-finite and unparsable values are
// rejected; longer waits are capped at MaxRetryAfter.
func ParseRetryAfter(value string, now time.Time) (time.Duration, bool) {
	v := strings.TrimSpace(value)
	if v == "" {
		return 0, false
	}
	if isNumeric(v) {
		return parseSeconds(v)
	}
	t, err := http.ParseTime(v)
	if err != nil {
		return 0, false
	}
	return clampWait(t.Sub(now)), true
}

// isNumeric reports whether v looks like an unsigned decimal number.
func isNumeric(v string) bool {
	dot := false
	for i := 0; i < len(v); i++ {
		switch c := v[i]; {
		case c >= '0' && c <= '9':
		case c == '.' && !dot && i > 0:
			dot = true
		default:
			return false
		}
	}
	return v[len(v)-1] != '.'
}

// parseSeconds parses a non-negative decimal number of seconds, capped at
// MaxRetryAfter.
func parseSeconds(v string) (time.Duration, bool) {
	v = strings.TrimSpace(v)
	if v == "" || !isNumeric(v) {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil && !isRangeErr(err) {
		return 0, false
	}
	return secondsToDuration(f)
}

func isRangeErr(err error) bool {
	ne, ok := err.(*strconv.NumError)
	return ok && ne.Err == strconv.ErrRange
}

func secondsToDuration(f float64) (time.Duration, bool) {
	if math.IsNaN(f) || f < 0 {
		return 0, false
	}
	if f >= MaxRetryAfter.Seconds() || math.IsInf(f, 1) {
		return MaxRetryAfter, true
	}
	return time.Duration(math.Round(f * float64(time.Second))), true
}

// epochThreshold separates delta seconds from Unix times in reset headers:
// a value of at least 10^8 (March 1973, or a delay of over three years) is
// a Unix time.
const epochThreshold = 1e8

// parseResetNumber reads a reset header that is either delta seconds or a
// Unix time in (possibly fractional) seconds, and returns the reset time.
func parseResetNumber(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	if v == "" || !isNumeric(v) {
		return time.Time{}, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil && !isRangeErr(err) {
		return time.Time{}, false
	}
	if f >= epochThreshold {
		return epochToTime(f, now)
	}
	d, ok := secondsToDuration(f)
	if !ok {
		return time.Time{}, false
	}
	return now.Add(d), true
}

// epochToTime converts Unix seconds to a time, clamped to now+MaxRetryAfter.
func epochToTime(f float64, now time.Time) (time.Time, bool) {
	if math.IsNaN(f) || f < 0 {
		return time.Time{}, false
	}
	limit := now.Add(MaxRetryAfter)
	if math.IsInf(f, 1) || f > float64(limit.Unix()+1) {
		return limit, true
	}
	sec, frac := math.Modf(f)
	return time.Unix(int64(sec), int64(math.Round(frac*1e9))), true
}

// parseResetTime reads an RFC 3339 / ISO 8601 timestamp, clamped to
// now+MaxRetryAfter.
func parseResetTime(v string, now time.Time) (time.Time, bool) {
	v = strings.TrimSpace(v)
	t, err := time.Parse(time.RFC3339Nano, v)
	if err != nil {
		// Mastodon has sent "2024-01-01T00:00:00.000000Z"-style values, and
		// some servers omit the zone; accept the common ISO 8601 forms.
		var ok bool
		for _, layout := range []string{"2006-01-02T15:04:05.999999999Z0700", "2006-01-02T15:04:05.999999999", "2006-01-02 15:04:05Z07:00"} {
			if t, err = time.Parse(layout, v); err == nil {
				ok = true
				break
			}
		}
		if !ok {
			return time.Time{}, false
		}
	}
	if limit := now.Add(MaxRetryAfter); t.After(limit) {
		return limit, true
	}
	return t, true
}

// parseCount reads a non-negative integer header; "12.0" (Reddit) is
// accepted and truncated.
func parseCount(v string) (int, bool) {
	v = strings.TrimSpace(v)
	if v == "" {
		return 0, false
	}
	if n, err := strconv.Atoi(v); err == nil {
		if n < 0 {
			return 0, false
		}
		return n, true
	}
	if !isNumeric(v) {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if err != nil || f < 0 || f > math.MaxInt32 {
		return 0, false
	}
	return int(f), true
}

// withRetryAfter fills rl.RetryAfter from a Retry-After header.
func withRetryAfter(rl *RateLimit, h http.Header, now time.Time) bool {
	if d, ok := ParseRetryAfter(h.Get("Retry-After"), now); ok {
		if d > rl.RetryAfter {
			rl.RetryAfter = d
		}
		return true
	}
	return false
}

// DialectRetryAfter reads only the Retry-After header: Slack's 429s, and
// any HTTP 429 or 503.
func DialectRetryAfter(h http.Header, now time.Time) (RateLimit, bool) {
	rl := UnknownRateLimit()
	ok := withRetryAfter(&rl, h, now)
	return rl, ok
}

// DialectX reads X's x-rate-limit-limit, -remaining and -reset (Unix
// seconds), and Retry-After.
func DialectX(h http.Header, now time.Time) (RateLimit, bool) {
	rl := UnknownRateLimit()
	found := false
	if n, ok := parseCount(h.Get("X-Rate-Limit-Limit")); ok {
		rl.Limit, found = n, true
	}
	if n, ok := parseCount(h.Get("X-Rate-Limit-Remaining")); ok {
		rl.Remaining, found = n, true
	}
	if t, ok := parseResetNumber(h.Get("X-Rate-Limit-Reset"), now); ok {
		rl.Reset, found = t, true
	}
	if withRetryAfter(&rl, h, now) {
		found = true
	}
	return rl, found
}

// xRateLimit reads the X-RateLimit-Limit and -Remaining pair shared by
// Mastodon, GitHub-style APIs and Discord.
func xRateLimit(rl *RateLimit, h http.Header) bool {
	found := false
	if n, ok := parseCount(h.Get("X-RateLimit-Limit")); ok {
		rl.Limit, found = n, true
	}
	if n, ok := parseCount(h.Get("X-RateLimit-Remaining")); ok {
		rl.Remaining, found = n, true
	}
	return found
}

// DialectMastodon reads Mastodon's X-RateLimit-Limit, -Remaining and -Reset
// (an ISO 8601 timestamp), and Retry-After. When several limits apply,
// Mastodon reports the one closest to being exceeded.
func DialectMastodon(h http.Header, now time.Time) (RateLimit, bool) {
	rl := UnknownRateLimit()
	found := xRateLimit(&rl, h)
	if t, ok := parseResetTime(h.Get("X-RateLimit-Reset"), now); ok {
		rl.Reset, found = t, true
	}
	if withRetryAfter(&rl, h, now) {
		found = true
	}
	return rl, found
}

// DialectGitHub reads the common X-RateLimit-Limit, -Remaining, -Reset
// (Unix seconds; small values are taken as delta seconds), X-RateLimit-Used
// and X-RateLimit-Resource (as Scope), and Retry-After. It also accepts an
// ISO 8601 reset, so it reads Mastodon's headers too.
func DialectGitHub(h http.Header, now time.Time) (RateLimit, bool) {
	rl := UnknownRateLimit()
	found := xRateLimit(&rl, h)
	reset := h.Get("X-RateLimit-Reset")
	if t, ok := parseResetNumber(reset, now); ok {
		rl.Reset, found = t, true
	} else if t, ok := parseResetTime(reset, now); ok {
		rl.Reset, found = t, true
	}
	if rl.Limit < 0 {
		if used, ok := parseCount(h.Get("X-RateLimit-Used")); ok && rl.Remaining >= 0 {
			rl.Limit = used + rl.Remaining
		}
	}
	if s := h.Get("X-RateLimit-Resource"); s != "" {
		rl.Scope = s
	}
	if withRetryAfter(&rl, h, now) {
		found = true
	}
	return rl, found
}

// DialectReddit reads Reddit's X-Ratelimit-Used, -Remaining (a decimal
// number) and -Reset (seconds until the window ends), and Retry-After.
// Limit is Used+Remaining.
func DialectReddit(h http.Header, now time.Time) (RateLimit, bool) {
	rl := UnknownRateLimit()
	found := false
	used, usedOK := parseCount(h.Get("X-Ratelimit-Used"))
	if n, ok := parseCount(h.Get("X-Ratelimit-Remaining")); ok {
		rl.Remaining, found = n, true
		if usedOK {
			rl.Limit = used + n
		}
	}
	if usedOK {
		found = true
	}
	if d, ok := parseSeconds(h.Get("X-Ratelimit-Reset")); ok {
		rl.Reset, found = now.Add(d), true
	}
	if withRetryAfter(&rl, h, now) {
		found = true
	}
	return rl, found
}

// DialectDiscord reads Discord's X-RateLimit-Limit, -Remaining, -Reset
// (Unix seconds with a fraction), -Reset-After (decimal seconds, preferred
// over -Reset because it does not depend on clock skew), -Bucket, -Scope
// ("user", "global", "shared") and -Global, and Retry-After. On a 429,
// Reset-After is also the RetryAfter.
func DialectDiscord(h http.Header, now time.Time) (RateLimit, bool) {
	rl := UnknownRateLimit()
	found := xRateLimit(&rl, h)
	if d, ok := parseSeconds(h.Get("X-RateLimit-Reset-After")); ok {
		rl.Reset, found = now.Add(d), true
	} else if v := h.Get("X-RateLimit-Reset"); v != "" {
		if f, err := strconv.ParseFloat(strings.TrimSpace(v), 64); err == nil && isNumeric(strings.TrimSpace(v)) {
			if t, ok := epochToTime(f, now); ok {
				rl.Reset, found = t, true
			}
		}
	}
	if b := h.Get("X-RateLimit-Bucket"); b != "" {
		rl.Bucket, found = b, true
	}
	if s := h.Get("X-RateLimit-Scope"); s != "" {
		rl.Scope, found = s, true
	}
	if strings.EqualFold(strings.TrimSpace(h.Get("X-RateLimit-Global")), "true") {
		rl.Global, found = true, true
	}
	if withRetryAfter(&rl, h, now) {
		found = true
	}
	return rl, found
}

// DialectIETF reads the IETF httpapi rate-limit headers in their three
// published shapes, and Retry-After:
//
//   - separate fields (draft-polli, draft-ietf-httpapi-ratelimit-headers up
//     to -02): RateLimit-Limit, RateLimit-Remaining, RateLimit-Reset and
//     RateLimit-Policy ("100;w=60");
//   - one RateLimit field with parameters (drafts -03 to -06):
//     "limit=100, remaining=50, reset=30";
//   - structured fields (drafts -07 and later): RateLimit
//     `"default";r=50;t=30` and RateLimit-Policy `"default";q=100;w=60`.
//
// The drafts define reset as delta seconds, but Bluesky's PDS sends a Unix
// time in ratelimit-reset: a reset of at least 10^8 is read as a Unix time.
// When several policies are listed, the one with the fewest remaining
// requests wins.
func DialectIETF(h http.Header, now time.Time) (RateLimit, bool) {
	rl := UnknownRateLimit()
	found := false
	if n, ok := parseCount(firstItem(h.Get("RateLimit-Limit"))); ok {
		rl.Limit, found = n, true
	}
	if n, ok := parseCount(h.Get("RateLimit-Remaining")); ok {
		rl.Remaining, found = n, true
	}
	if t, ok := parseResetNumber(h.Get("RateLimit-Reset"), now); ok {
		rl.Reset, found = t, true
	}
	policies := parseStructuredList(h.Values("RateLimit-Policy"))
	if v := h.Values("RateLimit"); len(v) > 0 {
		if parseRateLimitField(&rl, parseStructuredList(v), policies, now) {
			found = true
		}
	}
	if rl.Window == 0 {
		// A policy names the window; pick the one matching the limit, or the
		// first one.
		for _, p := range policies {
			q, qok := p.intParam("q")
			if !qok {
				q, qok = parseCount(p.value)
			}
			w, wok := p.windowParam("w")
			if !wok {
				continue
			}
			if rl.Limit < 0 && qok {
				rl.Limit = q
			}
			if !qok || q == rl.Limit {
				rl.Window, found = w, true
				if rl.Scope == "" && p.name != "" {
					rl.Scope = p.name
				}
				break
			}
		}
	}
	if withRetryAfter(&rl, h, now) {
		found = true
	}
	return rl, found
}

// firstItem returns the first comma-separated item of v with its
// parameters removed ("100, 100;w=60" → "100").
func firstItem(v string) string {
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	if i := strings.IndexByte(v, ';'); i >= 0 {
		v = v[:i]
	}
	return strings.TrimSpace(v)
}

// sfItem is one member of a structured-field list or dictionary: a bare
// value or "name", or key=value, followed by ;key=value parameters.
type sfItem struct {
	name   string // quoted string or token of the item ("default")
	key    string // dictionary key, when the item is key=value
	value  string // dictionary value or bare item
	params map[string]string
}

func (it sfItem) intParam(k string) (int, bool) {
	v, ok := it.params[k]
	if !ok {
		return 0, false
	}
	return parseCount(v)
}

// windowParam reads a window length in seconds. Windows are not waits:
// they are capped at maxWindow, not MaxRetryAfter.
func (it sfItem) windowParam(k string) (time.Duration, bool) {
	v, ok := it.params[k]
	if !ok {
		return 0, false
	}
	v = strings.TrimSpace(v)
	if !isNumeric(v) {
		return 0, false
	}
	f, err := strconv.ParseFloat(v, 64)
	if (err != nil && !isRangeErr(err)) || f <= 0 {
		return 0, false
	}
	if f >= maxWindow.Seconds() {
		return maxWindow, true
	}
	return time.Duration(math.Round(f * float64(time.Second))), true
}

// maxWindow caps announced window lengths.
const maxWindow = 400 * 24 * time.Hour

// parseStructuredList splits header values into items. It is a lenient
// reader of RFC 8941 lists and dictionaries, enough for rate-limit fields:
// quoted strings may not contain commas or semicolons.
func parseStructuredList(values []string) []sfItem {
	var items []sfItem
	for _, v := range values {
		for _, member := range strings.Split(v, ",") {
			member = strings.TrimSpace(member)
			if member == "" {
				continue
			}
			parts := strings.Split(member, ";")
			it := sfItem{params: map[string]string{}}
			head := strings.TrimSpace(parts[0])
			if k, val, ok := strings.Cut(head, "="); ok {
				it.key = strings.ToLower(strings.TrimSpace(k))
				it.value = strings.Trim(strings.TrimSpace(val), `"`)
			} else if strings.HasPrefix(head, `"`) {
				it.name = strings.Trim(head, `"`)
			} else {
				it.value = head
			}
			for _, p := range parts[1:] {
				k, val, _ := strings.Cut(p, "=")
				k = strings.ToLower(strings.TrimSpace(k))
				if k == "" {
					continue
				}
				it.params[k] = strings.Trim(strings.TrimSpace(val), `"`)
			}
			items = append(items, it)
		}
	}
	return items
}

// parseRateLimitField reads the combined RateLimit field, either as a
// dictionary (limit=, remaining=, reset=) or as a list of named items with
// r= (remaining) and t= (seconds to reset) parameters.
func parseRateLimitField(rl *RateLimit, items, policies []sfItem, now time.Time) bool {
	found := false
	best := -1
	for _, it := range items {
		switch it.key {
		case "limit":
			if n, ok := parseCount(it.value); ok {
				rl.Limit, found = n, true
			}
			continue
		case "remaining":
			if n, ok := parseCount(it.value); ok {
				rl.Remaining, found = n, true
			}
			continue
		case "reset":
			if t, ok := parseResetNumber(it.value, now); ok {
				rl.Reset, found = t, true
			}
			continue
		case "":
		default:
			continue
		}
		r, ok := it.intParam("r")
		if !ok {
			continue
		}
		if best >= 0 && r >= best {
			continue
		}
		best, found = r, true
		rl.Remaining = r
		rl.Scope = it.name
		if t, ok := it.params["t"]; ok {
			if tt, ok := parseResetNumber(t, now); ok {
				rl.Reset = tt
			}
		}
		for _, p := range policies {
			if p.name != it.name {
				continue
			}
			if q, ok := p.intParam("q"); ok {
				rl.Limit = q
			}
			if w, ok := p.windowParam("w"); ok {
				rl.Window = w
			}
		}
	}
	return found
}

// graphUsage is one usage object of Meta's Graph API headers. Percentages
// are numbers from 0 to 100 (or more).
type graphUsage struct {
	Type          string   `json:"type"`
	CallCount     *float64 `json:"call_count"`
	TotalCPUTime  *float64 `json:"total_cputime"`
	TotalTime     *float64 `json:"total_time"`
	AccIDUtilPct  *float64 `json:"acc_id_util_pct"`
	RegainMinutes *float64 `json:"estimated_time_to_regain_access"`
	ResetSeconds  *float64 `json:"reset_time_duration"`
}

// DialectGraph reads Meta's Graph API usage headers (Facebook, Instagram,
// Threads): X-App-Usage, X-Page-Usage, X-Ad-Account-Usage and
// X-Business-Use-Case-Usage (a map of business ID to a list of usage
// objects). They carry percentages (call_count, total_cputime, total_time,
// acc_id_util_pct), not counts: Usage is the largest percentage; when it
// reaches 100, Remaining is 0 and Reset is now plus
// estimated_time_to_regain_access (minutes) or reset_time_duration
// (seconds); below 100, Limit and Remaining stay unknown. Scope is the
// usage type of the business use case closest to its limit.
func DialectGraph(h http.Header, now time.Time) (RateLimit, bool) {
	rl := UnknownRateLimit()
	found := false
	var regain time.Duration
	consider := func(u graphUsage) {
		for _, p := range []*float64{u.CallCount, u.TotalCPUTime, u.TotalTime, u.AccIDUtilPct} {
			if p == nil || math.IsNaN(*p) || math.IsInf(*p, 0) || *p < 0 {
				continue
			}
			found = true
			if *p > rl.Usage {
				rl.Usage = *p
				if u.Type != "" {
					rl.Scope = u.Type
				}
			}
		}
		if u.RegainMinutes != nil {
			if d, ok := secondsToDuration(*u.RegainMinutes * 60); ok && d > regain {
				regain = d
			}
		}
		if u.ResetSeconds != nil {
			if d, ok := secondsToDuration(*u.ResetSeconds); ok && d > regain {
				regain = d
			}
		}
	}
	for _, name := range []string{"X-App-Usage", "X-Page-Usage", "X-Ad-Account-Usage"} {
		v := h.Get(name)
		if v == "" {
			continue
		}
		var u graphUsage
		if json.Unmarshal([]byte(v), &u) == nil {
			consider(u)
		}
	}
	if v := h.Get("X-Business-Use-Case-Usage"); v != "" {
		var m map[string][]graphUsage
		if json.Unmarshal([]byte(v), &m) == nil {
			for _, list := range m {
				for _, u := range list {
					consider(u)
				}
			}
		}
	}
	if rl.Usage >= 100 {
		rl.Remaining = 0
		if regain > 0 {
			rl.Reset = now.Add(regain)
		}
	}
	if withRetryAfter(&rl, h, now) {
		found = true
	}
	return rl, found
}

// Auto tries each dialect by the headers present: Discord (a bucket, scope
// or Reset-After), X (x-rate-limit-*), Reddit (X-Ratelimit-Used without a
// limit), IETF (RateLimit*), Meta's Graph usage headers, then the common
// X-RateLimit-* (GitHub and Mastodon, epoch or ISO 8601 reset), and finally
// Retry-After alone.
func Auto(h http.Header, now time.Time) (RateLimit, bool) {
	switch {
	case h.Get("X-RateLimit-Bucket") != "" || h.Get("X-RateLimit-Reset-After") != "" || h.Get("X-RateLimit-Scope") != "" || h.Get("X-RateLimit-Global") != "":
		return DialectDiscord(h, now)
	case h.Get("X-Rate-Limit-Limit") != "" || h.Get("X-Rate-Limit-Remaining") != "":
		return DialectX(h, now)
	case h.Get("X-Ratelimit-Used") != "" && h.Get("X-RateLimit-Limit") == "":
		return DialectReddit(h, now)
	case h.Get("RateLimit") != "" || h.Get("RateLimit-Remaining") != "" || h.Get("RateLimit-Limit") != "":
		return DialectIETF(h, now)
	case h.Get("X-App-Usage") != "" || h.Get("X-Business-Use-Case-Usage") != "" || h.Get("X-Page-Usage") != "" || h.Get("X-Ad-Account-Usage") != "":
		return DialectGraph(h, now)
	case h.Get("X-RateLimit-Remaining") != "" || h.Get("X-RateLimit-Limit") != "":
		return DialectGitHub(h, now)
	}
	return DialectRetryAfter(h, now)
}

// ParseTelegramRetryAfter reads the flood-control wait of a Telegram Bot API
// error body: {"ok":false,"error_code":429,"parameters":{"retry_after":N}}.
func ParseTelegramRetryAfter(body []byte) (time.Duration, bool) {
	var env struct {
		Parameters struct {
			RetryAfter *float64 `json:"retry_after"`
		} `json:"parameters"`
	}
	if json.Unmarshal(body, &env) != nil || env.Parameters.RetryAfter == nil {
		return 0, false
	}
	return secondsToDuration(*env.Parameters.RetryAfter)
}

// ParseDiscordRetryAfter reads the retry_after (decimal seconds) and global
// fields of a Discord 429 body: {"message":"...","retry_after":1.5,"global":false}.
func ParseDiscordRetryAfter(body []byte) (d time.Duration, global, ok bool) {
	var b struct {
		RetryAfter *float64 `json:"retry_after"`
		Global     bool     `json:"global"`
	}
	if json.Unmarshal(body, &b) != nil || b.RetryAfter == nil {
		return 0, false, false
	}
	d, ok = secondsToDuration(*b.RetryAfter)
	return d, b.Global, ok
}
