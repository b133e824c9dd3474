package textcount

import (
	"unicode/utf8"

	"github.com/rivo/uniseg"
	"golang.org/x/text/unicode/norm"
)

// X's counting configuration, twitter-text config/v3.json.
const (
	// XMaxWeightedLength is X's limit on Weighted (maxWeightedTweetLength).
	XMaxWeightedLength = 280
	// XURLLength is what every URL counts on X (transformedURLLength).
	XURLLength = 23
	// MastodonURLLength is what every URL counts on a default Mastodon server
	// (characters_reserved_per_url).
	MastodonURLLength = 23
	// BlueskyMaxGraphemes is the app.bsky.feed.post text limit in grapheme clusters.
	BlueskyMaxGraphemes = 300
	// BlueskyMaxBytes is the app.bsky.feed.post text limit in UTF-8 bytes.
	BlueskyMaxBytes = 3000
	// BlueskyMaxTagGraphemes is the app.bsky.richtext.facet#tag limit in grapheme clusters.
	BlueskyMaxTagGraphemes = 64
	// BlueskyMaxTagBytes is the app.bsky.richtext.facet#tag limit in UTF-8 bytes.
	BlueskyMaxTagBytes = 640

	xScale         = 100
	xDefaultWeight = 200
)

// CodePoints returns the number of Unicode code points in s: the unit of
// LinkedIn, Instagram, Telegram and Discord limits. Invalid UTF-8 bytes count
// one each.
func CodePoints(s string) int {
	return utf8.RuneCountInString(s)
}

// Graphemes returns the number of extended grapheme clusters in s (Unicode
// UAX #29, as implemented by github.com/rivo/uniseg): the unit of Bluesky's
// 300 limit, counted exactly as Bluesky's Go validator (indigo) counts it.
// A family emoji, a flag or "e" followed by a combining accent count 1.
func Graphemes(s string) int {
	n := 0
	for len(s) > 0 {
		// Two ASCII bytes in a row are always a boundary, except CR LF.
		if len(s) >= 2 && s[0] < utf8.RuneSelf && s[1] < utf8.RuneSelf && (s[0] != '\r' || s[1] != '\n') {
			s = s[1:]
			n++
			continue
		}
		_, s, _, _ = uniseg.FirstGraphemeClusterInString(s, -1)
		n++
	}
	return n
}

// Weighted returns the length of s as X counts it (twitter-text v3,
// config/v3.json): code points in U+0000–U+10FF, U+2000–U+200D,
// U+2010–U+201F and U+2032–U+2037 weigh 1, every other code point 2 (CJK,
// emoji, most symbols); every emoji sequence (ZWJ family, flag, keycap, skin
// tone) weighs 2 as a whole; every URL, with or without scheme, weighs 23
// whatever its length. The text is NFC-normalised first, as X does. Compare
// the result with [XMaxWeightedLength].
//
// An invalid UTF-8 byte weighs 2 (as U+FFFD would). The leading @mentions X
// adds automatically to a reply are not part of the text and must not be
// passed.
func Weighted(s string) int {
	if norm.NFC.QuickSpanString(s) != len(s) {
		s = norm.NFC.String(s)
	}
	total := 0
	pos := 0
	for pos < len(s) {
		start, end, ok := nextURL(s, pos, true)
		if !ok {
			break
		}
		total += weightOf(s[pos:start]) + XURLLength*xScale
		pos = end
	}
	total += weightOf(s[pos:])
	return total / xScale
}

// weightOf returns the scaled (×100) weight of URL-free text.
func weightOf(s string) int {
	w := 0
	for len(s) > 0 {
		c := s[0]
		if c < utf8.RuneSelf && (len(s) == 1 || s[1] < utf8.RuneSelf) {
			// An ASCII byte followed by ASCII (or nothing) is a cluster of its own,
			// and CR LF weighs 1+1 either way.
			w += xScale
			s = s[1:]
			continue
		}
		var cluster string
		cluster, s, _, _ = uniseg.FirstGraphemeClusterInString(s, -1)
		if isEmojiCluster(cluster) {
			w += xDefaultWeight
			continue
		}
		for i := 0; i < len(cluster); {
			r, size := utf8.DecodeRuneInString(cluster[i:])
			w += runeWeight(r)
			i += size
		}
	}
	return w
}

// runeWeight is getCharacterWeight of twitter-text with the v3 ranges.
func runeWeight(r rune) int {
	switch {
	case r >= 0 && r <= 4351,
		r >= 8192 && r <= 8205,
		r >= 8208 && r <= 8223,
		r >= 8242 && r <= 8247:
		return 100
	}
	return xDefaultWeight
}

// isEmojiCluster reports whether a grapheme cluster is an emoji (presentation)
// sequence that X counts as one emoji: a pictographic base followed by
// anything (ZWJ, modifiers, VS16, tags), a regional-indicator flag pair, a
// keycap, or a text-default character forced to emoji by U+FE0F. A lone
// text-default character such as © stays text.
func isEmojiCluster(c string) bool {
	r, size := utf8.DecodeRuneInString(c)
	if size == len(c) { // one code point: its own weight is what X counts
		return false
	}
	if isRegionalIndicator(r) || isExtPict(r) {
		return true
	}
	for _, x := range c[size:] {
		if x == 0xFE0F || x == 0x20E3 || (x >= 0x1F3FB && x <= 0x1F3FF) {
			return true
		}
	}
	return false
}

func isRegionalIndicator(r rune) bool { return r >= 0x1F1E6 && r <= 0x1F1FF }

// isExtPict reports whether r has the Extended_Pictographic property.
func isExtPict(r rune) bool {
	if r < 0xA9 {
		return false
	}
	lo, hi := 0, len(extPict)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch {
		case r < extPict[m][0]:
			hi = m
		case r > extPict[m][1]:
			lo = m + 1
		default:
			return true
		}
	}
	return false
}

// Mastodon returns the length of s as a Mastodon server validates it
// (StatusLengthValidator): every http(s) URL counts urlLength (the instance's
// configuration.statuses.characters_reserved_per_url, 23 by default, see
// [MastodonURLLength]), a mention @user@domain counts as @user, and the rest
// counts in grapheme clusters (Ruby's each_grapheme_cluster), so an emoji
// sequence counts 1. Bare domains without a scheme count in full. A content
// warning (spoiler_text) is added to the same limit: count it with
// [Graphemes] and add it.
func Mastodon(s string, urlLength int) int {
	if urlLength < 0 {
		urlLength = 0
	}
	total := 0
	pos := 0
	for pos < len(s) {
		kind, start, end, userEnd, ok := nextMastodonEntity(s, pos)
		if !ok {
			break
		}
		total += Graphemes(s[pos:start])
		if kind == entityURL {
			total += urlLength
		} else {
			total += Graphemes(s[start:userEnd])
		}
		pos = end
	}
	return total + Graphemes(s[pos:])
}

type entityKind int

const (
	entityURL entityKind = iota
	entityMention
)

// nextMastodonEntity returns the first URL (scheme required) or mention at or
// after pos; for a mention userEnd is where "@user" ends. Of two overlapping
// entities the earlier one wins (twitter-text's remove_overlapping_entities):
// the caller resumes after it, which skips the other.
func nextMastodonEntity(s string, pos int) (kind entityKind, start, end, userEnd int, ok bool) {
	us, ue, uok := nextURL(s, pos, false)
	ms, me, mu, mok := nextMention(s, pos)
	switch {
	case uok && (!mok || us <= ms):
		return entityURL, us, ue, ue, true
	case mok:
		return entityMention, ms, me, mu, true
	}
	return 0, 0, 0, 0, false
}
