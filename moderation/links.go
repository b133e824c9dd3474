package moderation

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// chunk recognises a URL, an e-mail address or an @mention starting at i
// and returns its end and kind, or i when there is none.
func (t *tokenizer) chunk(s string, i int) (int, TokenKind) {
	c := s[i]
	// The run of non-space, valid runes.
	j := i
	dotOrAt := false // a '.' or '@': without one, no e-mail or bare domain
	for j < len(s) {
		if b := s[j]; b < utf8.RuneSelf {
			if b == ' ' || '\t' <= b && b <= '\r' || b == '"' || b == '<' || b == '>' {
				break
			}
			dotOrAt = dotOrAt || b == '.' || b == '@'
			j++
			continue
		}
		r, w := utf8.DecodeRuneInString(s[j:])
		if r == utf8.RuneError && w <= 1 || unicode.IsSpace(r) || r == '«' || r == '»' || isEmoji(r) {
			break
		}
		j += w
	}
	if j == i {
		return i, 0
	}
	run := s[i:j]
	if hasPrefixFold(run, "http://") || hasPrefixFold(run, "https://") || hasPrefixFold(run, "www.") {
		return i + len(trimURL(run)), URL
	}
	if !dotOrAt {
		return i, 0
	}
	if c == '@' {
		// A mention: @ then handle characters.
		k := i + 1
		for k < len(s) {
			r, w := utf8.DecodeRuneInString(s[k:])
			if !(r == '_' || r == '.' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
				break
			}
			k += w
		}
		for k > i+1 && s[k-1] == '.' {
			k--
		}
		if k > i+1 {
			return k, Mention
		}
		return i, 0
	}
	if !(unicode.IsLetter(rune(c)) || c >= '0' && c <= '9' || c >= utf8.RuneSelf) {
		return i, 0
	}
	u := trimURL(run)
	if at := strings.IndexByte(u, '@'); at > 0 {
		if isEmail(u, at) {
			return i + len(u), Email
		}
		return i, 0
	}
	if looksLikeDomain(u) {
		return i + len(u), URL
	}
	return i, 0
}

func hasPrefixFold(s, prefix string) bool {
	return len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix)
}

// trimURL drops trailing punctuation that ends a sentence rather than a
// URL.
func trimURL(u string) string {
	for len(u) > 0 {
		switch u[len(u)-1] {
		case '.', ',', '!', '?', ')', ']', ':', ';', '\'':
			u = u[:len(u)-1]
			continue
		}
		break
	}
	return u
}

func isEmail(u string, at int) bool {
	local, dom := u[:at], u[at+1:]
	if local == "" || strings.ContainsAny(local, "/@") {
		return false
	}
	return hostOK(dom) && strings.Contains(dom, ".") && tldOf(dom) != ""
}

// looksLikeDomain reports a bare link such as "bit.ly/x" or "paypal.com":
// labels, a known top-level domain, maybe a path.
func looksLikeDomain(u string) bool {
	host, path := u, ""
	if k := strings.IndexAny(u, "/?#"); k >= 0 {
		host, path = u[:k], u[k:]
	}
	if !strings.Contains(host, ".") || !hostOK(host) {
		return false
	}
	tld := tldOf(host)
	if tld == "" {
		return false
	}
	if commonTLD(tld) {
		return true
	}
	return ambiguousTLD(tld) && len(path) > 1
}

func hostOK(h string) bool {
	if h == "" || h[0] == '.' || h[0] == '-' || h[len(h)-1] == '.' || strings.Contains(h, "..") {
		return false
	}
	first := true
	for _, r := range h {
		if !(r == '.' || r == '-' || unicode.IsLetter(r) || unicode.IsDigit(r)) {
			return false
		}
		if first && r == '.' {
			return false
		}
		first = false
	}
	// The label before the top-level domain must have two characters.
	labels := strings.Split(h, ".")
	return len(labels) >= 2 && utf8.RuneCountInString(labels[len(labels)-2]) >= 2
}

func tldOf(host string) string {
	k := strings.LastIndexByte(host, '.')
	if k < 0 {
		return ""
	}
	t := strings.ToLower(host[k+1:])
	if strings.HasPrefix(t, "xn--") {
		return t
	}
	if commonTLD(t) || ambiguousTLD(t) {
		return t
	}
	return ""
}

// commonTLD lists top-level domains that are not also words or common
// abbreviations, so "paypal.com" is a link without a scheme.
func commonTLD(t string) bool {
	switch t {
	case "com", "net", "org", "info", "biz", "io", "ly", "gl", "gd", "fr", "de", "uk", "eu", "ru", "cn",
		"tk", "ml", "ga", "cf", "gq", "xyz", "top", "click", "link", "site", "online", "shop", "store",
		"club", "live", "app", "dev", "ai", "gg", "tv", "cc", "ws", "sh", "fm", "ch", "ca", "nl", "pw",
		"icu", "vip", "win", "bid", "loan", "work", "buzz", "rest", "cam", "quest", "sbs", "cfd", "mx",
		"br", "au", "jp", "pl", "cz", "es", "pt", "se", "fi", "dk", "nz", "ie", "lu", "mc", "ma", "sn",
		"ci", "cm", "tn", "dz", "re", "tf", "gp", "mq", "nc", "pf", "yt", "xn", "money", "finance", "bet",
		"casino", "crypto", "tech", "website", "space", "fun", "today", "news", "blog", "media":
		return true
	}
	return strings.HasPrefix(t, "xn--")
}

// ambiguousTLD lists top-level domains that are also words ("to", "me",
// "it"...): they make a link only with a path.
func ambiguousTLD(t string) bool {
	switch t {
	case "to", "me", "it", "is", "in", "co", "us", "be", "at", "am", "no", "la", "do", "so", "id", "im", "st", "tt", "vc", "ly":
		return true
	}
	return false
}

// hostOfURL returns the lower-case host of a URL or bare link, without
// "www.".
func hostOfURL(u string) string {
	if k := strings.Index(u, "://"); k >= 0 {
		u = u[k+3:]
	}
	if k := strings.IndexAny(u, "/?#"); k >= 0 {
		u = u[:k]
	}
	if k := strings.LastIndexByte(u, '@'); k >= 0 {
		u = u[k+1:]
	}
	if k := strings.LastIndexByte(u, ':'); k >= 0 && !strings.Contains(u[k:], "]") {
		u = u[:k]
	}
	u = strings.ToLower(strings.TrimSuffix(u, "."))
	return strings.TrimPrefix(u, "www.")
}
