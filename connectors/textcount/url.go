package textcount

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// maxURLLength is twitter-text's MAX_URL_LENGTH.
const maxURLLength = 4096

// maxTcoSlugLength is twitter-text's MAX_TCO_SLUG_LENGTH.
const maxTcoSlugLength = 40

// nextURL returns the first URL that starts at or after from, following
// twitter-text's extractor: an http(s) URL, or, when bare is true, a domain
// without scheme (example.com/path). The domain must end in a known top-level
// domain, labels are at most 63 bytes once punycode-encoded, and trailing
// punctuation that rarely ends a URL is left out.
func nextURL(s string, from int, bare bool) (start, end int, ok bool) {
	if bare {
		if strings.IndexByte(s[from:], '.') < 0 {
			return 0, 0, false
		}
	} else if !strings.Contains(s[from:], "://") {
		return 0, 0, false
	}
	i := from
	for i < len(s) {
		c := s[i]
		// Only an ASCII letter or digit, or (bare) a Latin accent, starts a URL.
		if (isASCIIAlnum(c) || bare && c >= utf8.RuneSelf) && validURLPreceding(s, i) {
			scheme := schemeLen(s[i:])
			switch {
			case scheme > 0:
				if e, matched, valid := matchURL(s, i, scheme); matched {
					if valid {
						return i, e, true
					}
					i = e
					continue
				}
			case bare && !invalidBarePreceding(s, i):
				if e, matched, valid := matchURL(s, i, 0); matched {
					if valid {
						return i, e, true
					}
					i = e
					continue
				}
			}
		}
		if c < utf8.RuneSelf {
			i++
		} else {
			_, size := utf8.DecodeRuneInString(s[i:])
			i += size
		}
	}
	return 0, 0, false
}

// schemeLen returns 7 or 8 when s starts with http:// or https:// in any case.
func schemeLen(s string) int {
	if len(s) < 7 || (s[0]|0x20) != 'h' || (s[1]|0x20) != 't' || (s[2]|0x20) != 't' || (s[3]|0x20) != 'p' {
		return 0
	}
	n := 4
	if (s[n] | 0x20) == 's' {
		n++
	}
	if len(s) >= n+3 && s[n] == ':' && s[n+1] == '/' && s[n+2] == '/' {
		return n + 3
	}
	return 0
}

// validURLPreceding is twitter-text's validUrlPrecedingChars: start of text,
// or not a letter/digit of ASCII, '@', '$', '#' (or their full-width forms).
func validURLPreceding(s string, i int) bool {
	if i == 0 {
		return true
	}
	if c := s[i-1]; c < utf8.RuneSelf {
		return !isASCIIAlnum(c) && c != '@' && c != '$' && c != '#'
	}
	r, _ := utf8.DecodeLastRuneInString(s[:i])
	switch {
	case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
		return false
	}
	switch r {
	case '@', '$', '#', '＠', '＃', 0xFFFE, 0xFEFF, 0xFFFF:
		return false
	}
	return true
}

// invalidBarePreceding is twitter-text's invalidUrlWithoutProtocolPrecedingChars.
func invalidBarePreceding(s string, i int) bool {
	if i == 0 {
		return false
	}
	switch s[i-1] {
	case '-', '_', '.', '/':
		return true
	}
	return false
}

// isDomainRune reports whether r may appear in a domain label (twitter-text's
// validDomainChars, plus: no Unicode punctuation, controls or zero-width
// characters, and no invalid UTF-8).
func isDomainRune(r rune) bool {
	if r < utf8.RuneSelf {
		return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
	}
	switch {
	case r == utf8.RuneError, r == 0x85, r == 0xA0, r == 0x1680, r == 0x180E,
		r >= 0x2000 && r <= 0x200F, r >= 0x2028 && r <= 0x202F, r == 0x205F, r == 0x3000,
		r == 0x061C, r >= 0x2066 && r <= 0x2069, r == 0xFEFF, r == 0xFFFE, r == 0xFFFF:
		return false
	}
	return !unicode.IsSpace(r) && !unicode.IsPunct(r) && !unicode.IsControl(r)
}

// isLatinAccent is twitter-text's latinAccentChars.
func isLatinAccent(r rune) bool {
	switch {
	case r >= 0xC0 && r <= 0xD6, r >= 0xD8 && r <= 0xF6, r >= 0xF8 && r <= 0x24F,
		r >= 0x300 && r <= 0x36F, r >= 0x1E00 && r <= 0x1EFF:
		return true
	}
	switch r {
	case 0x253, 0x254, 0x256, 0x257, 0x259, 0x25B, 0x263, 0x268, 0x26F, 0x272, 0x289, 0x28B, 0x2BB:
		return true
	}
	return false
}

// isASCIIDomainRune is the label alphabet of a URL without scheme
// (twitter-text's validAsciiDomain, without '-').
func isASCIIDomainRune(r rune) bool {
	return r < utf8.RuneSelf && isDomainRune(r) || isLatinAccent(r)
}

type label struct{ a, b int }

// matchURL matches a URL at s[i:], scheme being the length of its http(s)://
// prefix or 0. matched reports whether the text has the shape of a URL (the
// scan resumes at end when it is not valid); valid whether it passes the
// punycode and length checks.
func matchURL(s string, i, scheme int) (end int, matched, valid bool) {
	inLabel := isDomainRune
	if scheme == 0 {
		inLabel = isASCIIDomainRune
	}
	// Split the candidate domain into labels: runs of label runes with inner
	// '-' or '_', separated by single dots.
	var buf [16]label
	labels := buf[:0]
	p := i + scheme
	for {
		a := p
		for p < len(s) {
			r, size := utf8.DecodeRuneInString(s[p:])
			if !inLabel(r) && r != '-' && r != '_' {
				break
			}
			p += size
		}
		if p == a {
			break
		}
		labels = append(labels, label{a, p})
		if p+1 < len(s) && s[p] == '.' {
			p++
			if r, _ := utf8.DecodeRuneInString(s[p:]); scheme == 0 && !inLabel(r) && isDomainRune(r) {
				// A non-ASCII top-level domain after an ASCII domain
				// ("twitter.みんな"): tldPrefix reads it.
				labels = append(labels, label{p, p + utf8.RuneLen(r)})
				break
			}
			continue
		}
		break
	}
	if len(labels) < 2 {
		return 0, false, false
	}
	// Find the rightmost label that starts with a top-level domain followed by
	// a character that cannot continue it; labels before it must be well formed.
	domEnd := -1
	var last int
	for k := len(labels) - 1; k >= 1 && domEnd < 0; k-- {
		if e := tldPrefix(s, labels[k].a); e > 0 && labelsWellFormed(s, labels[:k]) {
			domEnd, last = e, k
		}
	}
	if domEnd < 0 {
		return 0, false, false
	}
	q := domEnd
	// Port.
	if q+1 < len(s) && s[q] == ':' && isDigit(s[q+1]) {
		q++
		for q < len(s) && isDigit(s[q]) {
			q++
		}
	}
	tco := scheme > 0 && q-(i+scheme) == 4 && strings.EqualFold(s[i+scheme:q], "t.co")
	if q < len(s) && s[q] == '/' {
		if tco {
			e := q + 1
			for e < len(s) && isASCIIAlnum(s[e]) {
				e++
			}
			if e-(q+1) > maxTcoSlugLength {
				return e, true, false
			}
			q = e
		} else {
			q = matchPath(s, q)
		}
	}
	if q < len(s) && s[q] == '?' {
		q = matchQuery(s, q)
	}
	// Validity: every label of the domain at most 63 bytes in ASCII/punycode,
	// and the whole URL at most 4096 characters with the domain in punycode.
	domLen := 0
	for k := 0; k <= last; k++ {
		a, b := labels[k].a, labels[k].b
		if k == last {
			b = domEnd
		}
		n, ok := asciiLabelLen(s[a:b])
		if !ok || n > 63 {
			return q, true, false
		}
		domLen += n + 1
	}
	prefix := scheme
	if prefix == 0 {
		prefix = len("https://")
	}
	if prefix+utf8.RuneCountInString(s[i+scheme:q])-utf8.RuneCountInString(s[i+scheme:domEnd])+domLen-1 > maxURLLength {
		return q, true, false
	}
	return q, true, true
}

// labelsWellFormed checks the subdomain and domain-name labels before the
// top-level domain: no leading or trailing '-' or '_', and no '_' in the
// last one (twitter-text's validSubdomain and validDomainName).
func labelsWellFormed(s string, labels []label) bool {
	for k, l := range labels {
		first, last := s[l.a], s[l.b-1]
		if first == '-' || first == '_' || last == '-' || last == '_' {
			return false
		}
		if k == len(labels)-1 && strings.IndexByte(s[l.a:l.b], '_') >= 0 {
			return false
		}
	}
	return true
}

// tldPrefix returns the end of the longest top-level domain that starts at
// s[a:] and is followed by end of text or a character other than an ASCII
// letter, digit, '@', '+' or '-' (twitter-text's TLD look-ahead), or -1.
func tldPrefix(s string, a int) int {
	best := -1
	p := a
	for n := 0; p < len(s) && n < 30; n++ {
		r, size := utf8.DecodeRuneInString(s[p:])
		if !isDomainRune(r) {
			break
		}
		p += size
		if p < len(s) {
			switch c := s[p]; {
			case isASCIIAlnum(c), c == '@', c == '+', c == '-':
				continue
			}
		}
		if isTLD(s[a:p]) || isPunycodeTLD(s[a:p]) {
			best = p
		}
	}
	return best
}

// isPunycodeTLD matches twitter-text's validPunycode: xn--[-0-9a-z]+.
func isPunycodeTLD(t string) bool {
	if len(t) < 5 || !strings.EqualFold(t[:4], "xn--") {
		return false
	}
	for i := 4; i < len(t); i++ {
		if !isASCIIAlnum(t[i]) && t[i] != '-' {
			return false
		}
	}
	return true
}

// isTLD reports whether t, in any ASCII case, is a top-level domain.
func isTLD(t string) bool {
	lo, hi := 0, len(tldList)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		switch c := compareFold(t, tldList[m]); {
		case c == 0:
			return true
		case c < 0:
			hi = m
		default:
			lo = m + 1
		}
	}
	return false
}

// compareFold compares a (any ASCII case) with lower-case b, byte-wise.
func compareFold(a, b string) int {
	n := min(len(a), len(b))
	for i := 0; i < n; i++ {
		c := a[i]
		if c >= 'A' && c <= 'Z' {
			c += 'a' - 'A'
		}
		if c != b[i] {
			if c < b[i] {
				return -1
			}
			return 1
		}
	}
	return len(a) - len(b)
}

func isDigit(c byte) bool      { return c >= '0' && c <= '9' }
func isASCIIAlnum(c byte) bool { return isDigit(c) || (c|0x20) >= 'a' && (c|0x20) <= 'z' }

// isPathRune is twitter-text's validGeneralUrlPathChars.
func isPathRune(r rune) bool {
	if r < utf8.RuneSelf {
		if isASCIIAlnum(byte(r)) {
			return true
		}
		return strings.IndexByte("!*';:=+,.$/%#[]-_~@|&", byte(r)) >= 0
	}
	return r == 0x2013 || r >= 0x400 && r <= 0x4FF || isLatinAccent(r)
}

// isPathEndRune is twitter-text's validUrlPathEndingChars (without parentheses).
func isPathEndRune(r rune) bool {
	if r < utf8.RuneSelf {
		return isASCIIAlnum(byte(r)) || strings.IndexByte("+-=_#/", byte(r)) >= 0
	}
	return r >= 0x400 && r <= 0x4FF || isLatinAccent(r)
}

// matchPath matches a path starting with '/' at s[q] and returns its end:
// path characters and balanced parentheses (one nesting level), cut back to
// the last character that may end a URL.
func matchPath(s string, q int) int {
	lastEnd := q + 1 // "/" is a valid ending
	p := q + 1
	for p < len(s) {
		if s[p] == '(' {
			e := balancedParens(s, p)
			if e < 0 {
				break
			}
			p = e
			lastEnd = p
			continue
		}
		r, size := utf8.DecodeRuneInString(s[p:])
		if !isPathRune(r) {
			break
		}
		p += size
		if isPathEndRune(r) {
			lastEnd = p
		}
	}
	return lastEnd
}

// balancedParens matches "(" path+ ")" or "(" path* "(" path+ ")" path* ")"
// at s[p] and returns its end, or -1.
func balancedParens(s string, p int) int {
	depth := 0
	inner := 0 // path runes since the last parenthesis
	for i := p; i < len(s); {
		switch s[i] {
		case '(':
			if depth == 2 {
				return -1
			}
			depth++
			inner = 0
			i++
			continue
		case ')':
			if inner == 0 && s[i-1] == '(' {
				return -1
			}
			depth--
			i++
			if depth == 0 {
				return i
			}
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !isPathRune(r) {
			return -1
		}
		inner++
		i += size
	}
	return -1
}

// matchQuery matches a query starting with '?' at s[q]: query characters cut
// back to the last valid ending character; without one the query is not
// part of the URL.
func matchQuery(s string, q int) int {
	lastEnd := q
	for p := q + 1; p < len(s); p++ {
		c := s[p]
		if isASCIIAlnum(c) || strings.IndexByte("-_&=#/", c) >= 0 {
			lastEnd = p + 1
			continue
		}
		if strings.IndexByte("!?*'@();:+$%[].,~|", c) < 0 {
			break
		}
	}
	return lastEnd
}
