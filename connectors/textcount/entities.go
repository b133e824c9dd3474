package textcount

import (
	"unicode"
	"unicode/utf8"
)

// Span is an entity found in a text. Start and End are UTF-8 byte offsets
// into the text, End exclusive, so text[Start:End] is the entity as written,
// sigil included ("@alice", "#Noël"); Text is the entity without its sigil
// ("alice", "Noël"), or the whole URL for URLs.
type Span struct {
	Start, End int
	Text       string
}

// URLs returns the URLs of s as X (twitter-text) detects them, in order:
// http:// and https:// URLs, and bare domains with an optional path such as
// example.com/path or cmkit.fr. The domain must end in a known top-level
// domain (IANA list), so "e.g." or "fichier.txt" are not URLs. Trailing
// punctuation ('.', ',', '!', '?', ':', ';', quotes, an unbalanced ')') is
// left out; balanced parentheses, as in Wikipedia URLs, are kept. URLs
// preceded by a letter, a digit, '@', '$' or '#' are not URLs.
func URLs(s string) []Span {
	var out []Span
	for pos := 0; pos < len(s); {
		start, end, ok := nextURL(s, pos, true)
		if !ok {
			break
		}
		out = append(out, Span{Start: start, End: end, Text: s[start:end]})
		pos = end
	}
	return out
}

// Mentions returns the @mentions of s, in order: @handle (X, Instagram),
// @handle.bsky.social (Bluesky) and @user@instance.social (Mastodon, the
// fediverse). Text is the handle without the leading '@'
// ("user@instance.social"). A handle is ASCII letters, digits and '_',
// with inner '.' or '-'; a trailing '.' is not part of it. An '@' preceded
// by a letter, a digit, '_', '=' or '/' (e-mail addresses, URLs) does not
// start a mention.
func Mentions(s string) []Span {
	var out []Span
	for pos := 0; pos < len(s); {
		start, end, _, ok := nextMention(s, pos)
		if !ok {
			break
		}
		out = append(out, Span{Start: start, End: end, Text: s[start+1 : end]})
		pos = end
	}
	return out
}

// isWordRune is Ruby's [[:word:]]: letters, marks, decimal digits and
// connector punctuation.
func isWordRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r) || unicode.Is(unicode.Pc, r)
}

func isHandleByte(c byte) bool { return isASCIIAlnum(c) || c == '_' }

// nextMention finds the first mention at or after pos, following Mastodon's
// Account::MENTION_RE and twitter-text's end-of-mention rule. userEnd is the
// end of "@user", without the "@domain" part.
func nextMention(s string, pos int) (start, end, userEnd int, ok bool) {
	for i := pos; i < len(s); i++ {
		if s[i] != '@' {
			continue
		}
		if i > 0 {
			r, _ := utf8.DecodeLastRuneInString(s[:i])
			if r == '=' || r == '/' || isWordRune(r) {
				continue
			}
		}
		ue := matchDotted(s, i+1, func(p int) int {
			if isHandleByte(s[p]) {
				return 1
			}
			return 0
		})
		if ue < 0 {
			continue
		}
		e := ue
		if ue+1 < len(s) && s[ue] == '@' {
			if de := matchDotted(s, ue+1, func(p int) int {
				r, size := utf8.DecodeRuneInString(s[p:])
				if isWordRune(r) {
					return size
				}
				return 0
			}); de > 0 {
				e = de
			}
		}
		// twitter-text's end_mention_match: not followed by '@', a Latin
		// accent or "://".
		if e < len(s) {
			r, _ := utf8.DecodeRuneInString(s[e:])
			if r == '@' || r == '＠' || isLatinAccent(r) || len(s)-e >= 3 && s[e:e+3] == "://" {
				continue
			}
		}
		return i, e, ue, true
	}
	return 0, 0, 0, false
}

// matchDotted matches word+ ([.-]+ word+)* at s[p:], where word(p) returns
// the size of the word rune at p or 0, and returns the end, or -1.
func matchDotted(s string, p int, word func(int) int) int {
	end := -1
	for p < len(s) {
		n := word(p)
		if n == 0 {
			break
		}
		for n > 0 {
			p += n
			if p >= len(s) {
				break
			}
			n = word(p)
		}
		end = p
		// separators
		q := p
		for q < len(s) && (s[q] == '.' || s[q] == '-') {
			q++
		}
		if q == p || q >= len(s) || word(q) == 0 {
			break
		}
		p = q
	}
	return end
}

// Hashtags returns the hashtags of s, in order: '#' (or the full-width '＃')
// followed by Unicode letters, combining marks, digits and '_', with at
// least one letter or mark ("#2024" is not a hashtag, "#Noël", "#église" and
// "#jour_2" are). Mastodon's inner separators '·', '・' and U+200C are kept
// between hashtag characters. Text is the tag without '#'. A '#' preceded by
// a letter, digit, '_', '&', '/' or ')' ("c#", "&#38;", URL fragments) does
// not start a hashtag, nor does a '#' followed by a keycap (#️⃣); a tag
// followed by another '#' or "://" is rejected; tags inside URLs are skipped.
func Hashtags(s string) []Span {
	var out []Span
	var urls []Span
	urlsDone := false
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		if r != '#' && r != '＃' {
			i += size
			continue
		}
		start := i
		i += size
		if start > 0 {
			p, _ := utf8.DecodeLastRuneInString(s[:start])
			if p == '&' || p == '/' || p == ')' || isWordRune(p) {
				continue
			}
		}
		if r, _ := utf8.DecodeRuneInString(s[i:]); r == 0xFE0F || r == 0x20E3 {
			continue
		}
		end, alpha := hashtagBody(s, i)
		if !alpha || end == start+size {
			continue
		}
		if end < len(s) {
			c, _ := utf8.DecodeRuneInString(s[end:])
			if c == '#' || c == '＃' || len(s)-end >= 3 && s[end:end+3] == "://" {
				i = end
				continue
			}
		}
		if !urlsDone {
			urls, urlsDone = URLs(s), true
		}
		if overlapsAny(urls, start, end) {
			i = end
			continue
		}
		out = append(out, Span{Start: start, End: end, Text: s[start+size : end]})
		i = end
	}
	return out
}

// hashtagBody returns the end of the hashtag characters starting at p and
// whether they hold a letter or mark.
func hashtagBody(s string, p int) (end int, alpha bool) {
	begin := p
	end = p
	for p < len(s) {
		c, n := utf8.DecodeRuneInString(s[p:])
		switch {
		case unicode.IsLetter(c) || unicode.IsMark(c):
			alpha = true
		case c == '_' || unicode.IsDigit(c):
		case c == 0xB7 || c == 0x30FB || c == 0x200C:
			// An inner separator: kept only between hashtag characters.
			if p == begin || p+n >= len(s) {
				return end, alpha
			}
			if nc, _ := utf8.DecodeRuneInString(s[p+n:]); !isHashtagRune(nc) {
				return end, alpha
			}
			p += n
			continue
		default:
			return end, alpha
		}
		p += n
		end = p
	}
	return end, alpha
}

func isHashtagRune(r rune) bool {
	return r == '_' || unicode.IsLetter(r) || unicode.IsMark(r) || unicode.IsDigit(r)
}

func overlapsAny(spans []Span, start, end int) bool {
	for _, sp := range spans {
		if sp.Start < end && start < sp.End {
			return true
		}
	}
	return false
}
