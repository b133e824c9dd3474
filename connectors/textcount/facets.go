package textcount

import (
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"
)

// FacetKind is the feature type of a Bluesky rich-text facet.
type FacetKind int

// The feature types of app.bsky.richtext.facet.
const (
	// FacetLink is app.bsky.richtext.facet#link; Value is the uri.
	FacetLink FacetKind = iota + 1
	// FacetMention is app.bsky.richtext.facet#mention; Value is the handle,
	// which the caller resolves to the did the record needs.
	FacetMention
	// FacetTag is app.bsky.richtext.facet#tag; Value is the tag without '#'.
	FacetTag
)

// String returns the lexicon name of the feature type, such as
// "app.bsky.richtext.facet#link".
func (k FacetKind) String() string {
	switch k {
	case FacetLink:
		return "app.bsky.richtext.facet#link"
	case FacetMention:
		return "app.bsky.richtext.facet#mention"
	case FacetTag:
		return "app.bsky.richtext.facet#tag"
	}
	return "FacetKind(" + itoa(int(k)) + ")"
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	neg := n < 0
	if neg {
		n = -n
	}
	var b [20]byte
	i := len(b)
	for n > 0 {
		i--
		b[i] = byte('0' + n%10)
		n /= 10
	}
	if neg {
		i--
		b[i] = '-'
	}
	return string(b[i:])
}

// Facet is a Bluesky rich-text facet: the byte range [Start, End) of the
// post text (byteStart, byteEnd of app.bsky.richtext.facet#byteSlice) and
// one feature.
type Facet struct {
	Start, End int
	Kind       FacetKind
	Value      string
}

// Facets detects the links, mentions and hashtags of a Bluesky post text the
// way the official client does (@atproto/api RichText.detectFacets), with
// UTF-8 byte offsets. The result is sorted by Start and has no overlapping
// facets (of two, the earlier one is kept).
//
//   - Links: after start of text, whitespace or '(': http(s):// followed by
//     non-space characters, or a bare domain (letters and digits, dot
//     separated, ending in a known top-level domain) with an optional path;
//     Value is the URI, "https://" prefixed for a bare domain. One trailing
//     '.', ',', ';', ':', '!' or '?' is left out, then a ')' when the URI has
//     no '('. Beyond the official client, closing quotes and guillemets
//     ('"', '\”, '’', '”', '»') and repeated trailing punctuation are left
//     out too.
//   - Mentions: after start of text, whitespace or '(': '@' and a handle of
//     letters, digits, '.' and '-' ending in a known top-level domain (or
//     .test); Value is the handle, to resolve to a DID.
//   - Tags: after start of text or whitespace: '#' or '＃' and non-space
//     characters holding one that is neither a digit nor punctuation,
//     trailing punctuation left out, at most 64 graphemes and 640 bytes;
//     Value is the tag without '#'. Cashtags ($AAPL, one letter then up to 4
//     letters or digits) are tags too, with Value "$AAPL" (upper case), as
//     the official client produces them.
func Facets(s string) []Facet {
	var out []Facet
	out = appendMentionFacets(out, s)
	out = appendLinkFacets(out, s)
	out = appendTagFacets(out, s)
	out = appendCashtagFacets(out, s)
	if len(out) == 0 {
		return nil
	}
	slices.SortStableFunc(out, func(a, b Facet) int { return a.Start - b.Start })
	kept := out[:1]
	for _, f := range out[1:] {
		if f.Start >= kept[len(kept)-1].End {
			kept = append(kept, f)
		}
	}
	return kept
}

// isJSSpace is JavaScript's \s.
func isJSSpace(r rune) bool {
	switch r {
	case '\t', '\n', '\v', '\f', '\r', ' ', 0xA0, 0x1680, 0x2028, 0x2029, 0x202F, 0x205F, 0x3000, 0xFEFF:
		return true
	}
	return r >= 0x2000 && r <= 0x200A
}

// afterSpace reports whether position i is at the start of s or after a
// JavaScript whitespace, or, when paren is true, after '('.
func afterSpace(s string, i int, paren bool) bool {
	if i == 0 {
		return true
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	return isJSSpace(r) || paren && r == '('
}

func isJSWordByte(c byte) bool { return isASCIIAlnum(c) || c == '_' }

// validHandleDomain is the official client's isValidDomain: the string ends
// in "." and a known top-level domain (any ASCII case here).
func validHandleDomain(h string) bool {
	dot := strings.LastIndexByte(h, '.')
	return dot > 0 && isTLD(h[dot+1:])
}

func appendMentionFacets(out []Facet, s string) []Facet {
	for i := 0; i < len(s); i++ {
		if s[i] != '@' || !afterSpace(s, i, true) {
			continue
		}
		p := i + 1
		for p < len(s) && (isASCIIAlnum(s[p]) || s[p] == '.' || s[p] == '-') {
			p++
		}
		// Back off to a word boundary (the regex's \b).
		e := -1
		for q := p; q > i+1; q-- {
			nextWord := q < len(s) && isJSWordByte(s[q])
			if isJSWordByte(s[q-1]) != nextWord {
				e = q
				break
			}
		}
		if e < 0 {
			continue
		}
		h := s[i+1 : e]
		if validHandleDomain(h) || len(h) > 5 && strings.EqualFold(h[len(h)-5:], ".test") {
			out = append(out, Facet{Start: i, End: e, Kind: FacetMention, Value: h})
		}
		i = e - 1
	}
	return out
}

func appendLinkFacets(out []Facet, s string) []Facet {
	for i := 0; i < len(s); {
		if !afterSpace(s, i, true) {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		end, uri, ok := matchBskyLink(s, i)
		if !ok {
			_, n := utf8.DecodeRuneInString(s[i:])
			i += n
			continue
		}
		if end > i {
			out = append(out, Facet{Start: i, End: end, Kind: FacetLink, Value: uri})
		}
		i = nonSpaceEnd(s, i)
	}
	return out
}

// nonSpaceEnd returns the end of the run of non-JavaScript-space characters
// at s[i:].
func nonSpaceEnd(s string, i int) int {
	for i < len(s) {
		r, n := utf8.DecodeRuneInString(s[i:])
		if isJSSpace(r) {
			break
		}
		i += n
	}
	return i
}

// matchBskyLink matches the official client's URL_REGEX at s[i:] and returns
// the end of the link after trailing punctuation is left out, and its URI.
func matchBskyLink(s string, i int) (end int, uri string, ok bool) {
	if scheme := schemeLen(s[i:]); scheme > 0 {
		run := nonSpaceEnd(s, i+scheme)
		if run == i+scheme {
			return 0, "", false
		}
		end = trimLinkEnd(s, i, run)
		return end, s[i:end], true
	}
	// Bare domain: [a-z][a-z0-9]*(\.[a-z0-9]+)+ then anything non-space.
	p := i
	if p >= len(s) || !isASCIILetter(s[p]) {
		return 0, "", false
	}
	for p < len(s) && isASCIIAlnum(s[p]) {
		p++
	}
	lastDot := -1
	for p+1 < len(s) && s[p] == '.' && isASCIIAlnum(s[p+1]) {
		lastDot = p
		p++
		for p < len(s) && isASCIIAlnum(s[p]) {
			p++
		}
	}
	if lastDot < 0 || !isTLD(s[lastDot+1:p]) {
		return 0, "", false
	}
	end = trimLinkEnd(s, i, nonSpaceEnd(s, p))
	if end <= i {
		return 0, "", false
	}
	return end, "https://" + s[i:end], true
}

func isASCIILetter(c byte) bool { return (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// trimLinkEnd leaves trailing punctuation out of the link s[start:end].
func trimLinkEnd(s string, start, end int) int {
	for end > start {
		r, n := utf8.DecodeLastRuneInString(s[start:end])
		switch r {
		case '.', ',', ';', ':', '!', '?', '"', '\'', '’', '”', '»':
			end -= n
			continue
		case ')':
			if strings.IndexByte(s[start:end], '(') < 0 {
				end -= n
				continue
			}
		}
		break
	}
	return end
}

// isTagStop reports the characters that end a tag: whitespace and the
// zero-width characters of the official client's TAG_REGEX.
func isTagStop(r rune) bool {
	switch r {
	case 0xAD, 0x2060, 0x200A, 0x200B, 0x200C, 0x200D, 0x20E2:
		return true
	}
	return isJSSpace(r)
}

func appendTagFacets(out []Facet, s string) []Facet {
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if (r != '#' && r != '＃') || !afterSpace(s, i, false) {
			i += n
			continue
		}
		start := i
		i += n
		if r2, _ := utf8.DecodeRuneInString(s[i:]); r2 == 0xFE0F {
			continue
		}
		end, qualifies := i, false
		for end < len(s) {
			c, m := utf8.DecodeRuneInString(s[end:])
			if isTagStop(c) {
				break
			}
			if !(c >= '0' && c <= '9') && !unicode.IsPunct(c) {
				qualifies = true
			}
			end += m
		}
		if !qualifies {
			continue
		}
		// Strip trailing punctuation.
		for end > i {
			c, m := utf8.DecodeLastRuneInString(s[i:end])
			if !unicode.IsPunct(c) {
				break
			}
			end -= m
		}
		tag := s[i:end]
		if len(tag) == 0 || len(tag) > BlueskyMaxTagBytes || Graphemes(tag) > BlueskyMaxTagGraphemes {
			i = end
			continue
		}
		out = append(out, Facet{Start: start, End: end, Kind: FacetTag, Value: tag})
		i = end
	}
	return out
}

func appendCashtagFacets(out []Facet, s string) []Facet {
	for i := 0; i < len(s); i++ {
		if s[i] != '$' || !afterSpace(s, i, true) {
			continue
		}
		p := i + 1
		if p >= len(s) || !isASCIILetter(s[p]) {
			continue
		}
		p++
		for p < len(s) && p-i-1 < 5 && isASCIIAlnum(s[p]) {
			p++
		}
		if p < len(s) {
			r, _ := utf8.DecodeRuneInString(s[p:])
			if !isJSSpace(r) && !strings.ContainsRune(".,;:!?)\"'’", r) {
				continue
			}
		}
		out = append(out, Facet{Start: i, End: p, Kind: FacetTag, Value: "$" + strings.ToUpper(s[i+1:p])})
		i = p - 1
	}
	return out
}
