package bluesky

import (
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// The record collections the driver reads and writes.
const (
	collPost       = "app.bsky.feed.post"
	collLike       = "app.bsky.feed.like"
	collThreadgate = "app.bsky.feed.threadgate"
)

// atURI is a parsed AT URI of a record: at://<repo>/<collection>/<rkey>.
type atURI struct {
	Repo, Collection, RKey string
}

// String returns the at:// form.
func (u atURI) String() string {
	return "at://" + u.Repo + "/" + u.Collection + "/" + u.RKey
}

// parseATURI parses the AT URI of a record. It accepts only the three-part
// form with a DID or handle authority: a post ID is always such a URI.
func parseATURI(s string) (atURI, bool) {
	rest, ok := strings.CutPrefix(s, "at://")
	if !ok {
		return atURI{}, false
	}
	if i := strings.IndexAny(rest, "?#"); i >= 0 {
		return atURI{}, false
	}
	parts := strings.Split(rest, "/")
	if len(parts) != 3 || parts[0] == "" || parts[1] == "" || parts[2] == "" {
		return atURI{}, false
	}
	if !validRepo(parts[0]) || !validNSID(parts[1]) || !validRKey(parts[2]) {
		return atURI{}, false
	}
	return atURI{Repo: parts[0], Collection: parts[1], RKey: parts[2]}, true
}

// postURI parses id as the AT URI of a post and returns an InvalidContent
// or NotFound error naming what for a malformed ID.
func postURI(id string) (atURI, error) {
	u, ok := parseATURI(id)
	if !ok {
		return atURI{}, &driver.Error{Code: driver.NotFound, Network: network,
			Message: "not a Bluesky post ID (want at://<did>/app.bsky.feed.post/<rkey>): " + quoteShort(id)}
	}
	if u.Collection != collPost {
		return atURI{}, &driver.Error{Code: driver.NotFound, Network: network,
			Message: "not a post: " + quoteShort(id)}
	}
	return u, nil
}

func quoteShort(s string) string {
	if len(s) > 120 {
		s = s[:120] + "..."
	}
	b, _ := json.Marshal(s)
	return string(b)
}

func validRepo(s string) bool {
	if strings.HasPrefix(s, "did:") {
		return validDID(s)
	}
	return validHandle(s)
}

// validDID checks the DID syntax: did:<method>:<id> with the allowed
// characters.
func validDID(s string) bool {
	if len(s) > 2048 || !strings.HasPrefix(s, "did:") {
		return false
	}
	rest := s[4:]
	i := strings.IndexByte(rest, ':')
	if i <= 0 {
		return false
	}
	for _, c := range rest[:i] {
		if c < 'a' || c > 'z' {
			return false
		}
	}
	id := rest[i+1:]
	if id == "" || strings.HasSuffix(id, ":") {
		return false
	}
	for j := 0; j < len(id); j++ {
		c := id[j]
		if !isAlnum(c) && !strings.ContainsRune("._:%-", rune(c)) {
			return false
		}
	}
	return true
}

// validHandle checks the handle syntax: dot-separated labels of letters,
// digits and '-', at least two labels, at most 253 characters.
func validHandle(s string) bool {
	if len(s) == 0 || len(s) > 253 {
		return false
	}
	labels := strings.Split(s, ".")
	if len(labels) < 2 {
		return false
	}
	for _, l := range labels {
		if len(l) == 0 || len(l) > 63 || l[0] == '-' || l[len(l)-1] == '-' {
			return false
		}
		for i := 0; i < len(l); i++ {
			if !isAlnum(l[i]) && l[i] != '-' {
				return false
			}
		}
	}
	last := labels[len(labels)-1]
	return last[0] < '0' || last[0] > '9'
}

func validNSID(s string) bool {
	if len(s) > 317 || strings.Count(s, ".") < 2 {
		return false
	}
	for _, seg := range strings.Split(s, ".") {
		if seg == "" {
			return false
		}
		for i := 0; i < len(seg); i++ {
			if !isAlnum(seg[i]) && seg[i] != '-' {
				return false
			}
		}
	}
	return true
}

// validRKey checks the record-key syntax: 1-512 characters of letters,
// digits and ._:~-, not "." or "..".
func validRKey(s string) bool {
	if s == "" || len(s) > 512 || s == "." || s == ".." {
		return false
	}
	for i := 0; i < len(s); i++ {
		if !isAlnum(s[i]) && !strings.ContainsRune("._:~-", rune(s[i])) {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z'
}

// tidAlphabet is base32-sortable, the alphabet of TIDs.
const tidAlphabet = "234567abcdefghijklmnopqrstuvwxyz"

// tidEpoch bounds the timestamps of derived TIDs: they fall between
// 2023-01-01 and about 1.1 years later, so that they look like real,
// past TIDs to every service.
var tidEpoch = time.Date(2023, 1, 1, 0, 0, 0, 0, time.UTC).UnixMicro()

// encodeTID encodes a 64-bit value whose top bit is zero as a 13-character
// TID.
func encodeTID(v uint64) string {
	var b [13]byte
	for i := 12; i >= 0; i-- {
		b[i] = tidAlphabet[v&31]
		v >>= 5
	}
	return string(b[:])
}

// validTID checks the TID syntax.
func validTID(s string) bool {
	if len(s) != 13 || !strings.ContainsRune("234567abcdefghij", rune(s[0])) {
		return false
	}
	for i := 1; i < 13; i++ {
		if !strings.ContainsRune(tidAlphabet, rune(s[i])) {
			return false
		}
	}
	return true
}

// keyTID derives the record key of a publish from its idempotency key: a
// valid TID (53-bit microsecond timestamp, 10-bit clock ID) whose bits come
// from SHA-256(key), so the same key always names the same record and a
// retried publish finds the post instead of duplicating it. The timestamp
// is bounded to 2^45 µs (about 1.1 years) after 2023-01-01, leaving 55
// bits of the hash to tell keys apart.
func keyTID(key string) string {
	sum := sha256.Sum256([]byte("cmkit/bluesky/rkey\x00" + key))
	h := binary.BigEndian.Uint64(sum[:8])
	ts := uint64(tidEpoch) + (h>>19)&(1<<45-1)
	clock := h & 1023
	return encodeTID(ts<<10 | clock)
}

// jwtClaims are the claims of a session JWT the driver reads. The JWT is
// not verified: the PDS verifies it; the driver only schedules refreshes.
type jwtClaims struct {
	Sub   string `json:"sub"`
	Exp   int64  `json:"exp"`
	Scope string `json:"scope"`
}

// decodeJWT reads the claims of a JWT without verifying its signature.
func decodeJWT(tok string) (jwtClaims, bool) {
	parts := strings.Split(tok, ".")
	if len(parts) != 3 || len(parts[1]) > 8192 {
		return jwtClaims{}, false
	}
	raw, err := base64.RawURLEncoding.DecodeString(strings.TrimRight(parts[1], "="))
	if err != nil {
		return jwtClaims{}, false
	}
	var c jwtClaims
	if json.Unmarshal(raw, &c) != nil {
		return jwtClaims{}, false
	}
	return c, true
}

// jwtExpiry returns the exp claim of tok as a time, or the zero time.
func jwtExpiry(tok string) time.Time {
	c, ok := decodeJWT(tok)
	if !ok || c.Exp <= 0 || c.Exp > 1<<40 {
		return time.Time{}
	}
	return time.Unix(c.Exp, 0)
}

// cursor is a position in a listing: the time the network indexed the
// last item listed, and the URIs of the items listed that were indexed at
// that same time. The network's times have a precision of a second or a
// millisecond, so several items can share one: an item indexed at the
// cursor's time that the cursor does not name is still to be listed,
// whatever order it arrived in. Listings resume strictly after it.
type cursor struct {
	At   time.Time
	Keys []string
}

// cursorPrefix versions the cursor encoding.
const cursorPrefix = "b1."

// maxCursorKeys bounds the URIs a cursor carries.
const maxCursorKeys = 1000

// encode returns the opaque cursor string.
func (c cursor) encode() string {
	raw := c.At.UTC().Format(time.RFC3339Nano) + " " + strings.Join(c.Keys, " ")
	return cursorPrefix + base64.RawURLEncoding.EncodeToString([]byte(raw))
}

// after reports whether the item (at, key) is still to be listed.
func (c cursor) after(at time.Time, key string) bool {
	if !at.Equal(c.At) {
		return at.After(c.At)
	}
	return !slices.Contains(c.Keys, key)
}

// advance returns the cursor after the item (at, key) was listed.
func (c cursor) advance(at time.Time, key string) cursor {
	if !at.Equal(c.At) {
		return cursor{At: at, Keys: []string{key}}
	}
	keys := append(slices.Clip(c.Keys), key)
	if len(keys) > maxCursorKeys {
		keys = keys[len(keys)-maxCursorKeys:]
	}
	return cursor{At: at, Keys: keys}
}

// parseCursor decodes a cursor made by encode. An empty string is the
// zero cursor (from the start).
func parseCursor(s string) (cursor, error) {
	if s == "" {
		return cursor{}, nil
	}
	bad := &driver.Error{Code: driver.InvalidContent, Network: network, Message: "malformed cursor " + quoteShort(s) + ": pass back a Next value unchanged"}
	rest, ok := strings.CutPrefix(s, cursorPrefix)
	if !ok || len(rest) > 1<<20 {
		return cursor{}, bad
	}
	raw, err := base64.RawURLEncoding.DecodeString(rest)
	if err != nil {
		return cursor{}, bad
	}
	fields := strings.Split(string(raw), " ")
	if len(fields) < 2 || len(fields)-1 > maxCursorKeys {
		return cursor{}, bad
	}
	at, err := time.Parse(time.RFC3339Nano, fields[0])
	if err != nil {
		return cursor{}, bad
	}
	for _, k := range fields[1:] {
		if k == "" {
			return cursor{}, bad
		}
	}
	return cursor{At: at, Keys: fields[1:]}, nil
}

// parseTime parses an atproto datetime (RFC 3339), or returns the zero
// time.
func parseTime(s string) time.Time {
	t, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return time.Time{}
	}
	return t
}

// formatTime formats t as atproto datetimes are written: UTC with
// milliseconds.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000Z")
}
