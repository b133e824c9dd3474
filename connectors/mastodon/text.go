package mastodon

import (
	"html"
	"net/url"
	"strings"
)

// PlainText converts the HTML of a Mastodon status (Status.content) to
// plain text: tags are removed and their text kept (a link keeps its text,
// so a mention stays "@user" and a URL its full address), entities are
// decoded, <br> becomes a line break and paragraphs are separated by a
// blank line. Scripts and styles are dropped. It never fails: malformed
// HTML gives its best reading.
func PlainText(s string) string {
	var b strings.Builder
	b.Grow(len(s))
	paragraphs := 0 // paragraphs opened so far
	skip := ""      // the element whose content is dropped (script, style)
	for i := 0; i < len(s); {
		lt := strings.IndexByte(s[i:], '<')
		if lt < 0 {
			if skip == "" {
				b.WriteString(html.UnescapeString(s[i:]))
			}
			break
		}
		if skip == "" {
			b.WriteString(html.UnescapeString(s[i : i+lt]))
		}
		i += lt
		end := tagEnd(s, i)
		if end < 0 {
			// A '<' that starts no tag is text.
			if skip == "" {
				b.WriteString(html.UnescapeString(s[i:]))
			}
			break
		}
		name, closing := tagName(s[i+1 : end])
		i = end + 1
		if skip != "" {
			if closing && name == skip {
				skip = ""
			}
			continue
		}
		switch name {
		case "br":
			b.WriteByte('\n')
		case "p", "div", "blockquote", "pre", "ul", "ol", "h1", "h2", "h3", "h4", "h5", "h6":
			if !closing {
				if paragraphs > 0 {
					trimTrailingNewlines(&b)
					b.WriteString("\n\n")
				}
				paragraphs++
			}
		case "li":
			if !closing {
				trimTrailingNewlines(&b)
				if b.Len() > 0 {
					b.WriteByte('\n')
				}
			}
		case "script", "style":
			if !closing {
				skip = name
			}
		}
	}
	return strings.TrimSpace(b.String())
}

// trimTrailingNewlines removes the line breaks that end b, so that block
// boundaries never stack up more than one blank line.
func trimTrailingNewlines(b *strings.Builder) {
	s := b.String()
	t := strings.TrimRight(s, "\n")
	if len(t) != len(s) {
		b.Reset()
		b.WriteString(t)
	}
}

// tagEnd returns the index of the '>' that ends the tag starting at s[i]
// == '<', skipping quoted attribute values, or -1 when s[i] starts no tag.
func tagEnd(s string, i int) int {
	if i+1 >= len(s) {
		return -1
	}
	c := s[i+1]
	if !(c == '/' || c == '!' || c == '?' || (c|0x20 >= 'a' && c|0x20 <= 'z')) {
		return -1
	}
	var quote byte
	for j := i + 1; j < len(s); j++ {
		switch {
		case quote != 0:
			if s[j] == quote {
				quote = 0
			}
		case s[j] == '"' || s[j] == '\'':
			quote = s[j]
		case s[j] == '>':
			return j
		}
	}
	return -1
}

// tagName returns the lower-case name of the tag whose inside (between '<'
// and '>') is t, and whether it is a closing tag.
func tagName(t string) (name string, closing bool) {
	if strings.HasPrefix(t, "/") {
		closing, t = true, t[1:]
	}
	n := 0
	for n < len(t) {
		c := t[n]
		if c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '/' || c == '\f' {
			break
		}
		n++
	}
	return strings.ToLower(t[:n]), closing
}

// compareIDs orders Mastodon IDs. Mastodon's are decimal numbers (64-bit
// snowflakes) sent as strings, GoToSocial's are ULIDs (26 characters of
// Crockford base 32): both sort by length, then byte by byte. It returns
// -1, 0 or +1.
func compareIDs(a, b string) int {
	switch {
	case len(a) < len(b):
		return -1
	case len(a) > len(b):
		return 1
	}
	return strings.Compare(a, b)
}

// maxIDLen bounds the IDs accepted from callers (cursors, post IDs).
const maxIDLen = 64

// validID reports whether s looks like a Mastodon or GoToSocial ID: 1 to
// 64 ASCII letters and digits. Anything else is refused before any request,
// so a caller's value never lands in a URL path unescaped.
func validID(s string) bool {
	if s == "" || len(s) > maxIDLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

// startCursor is the cursor of a listing's beginning: lower than every ID,
// since IDs compare by length first.
const startCursor = "0"

// nextQuery returns the query of the rel="next" link of a Link header, to
// request the next page from the same path. Only the query is kept: the
// link's host is the instance's configured host, which may differ from the
// address the driver talks to (a proxy, a loopback address), and the token
// is sent only to the latter.
func nextQuery(header string) (url.Values, bool) {
	next := linkNext(header)
	if next == "" {
		return nil, false
	}
	u, err := url.Parse(next)
	if err != nil {
		return nil, false
	}
	q := u.Query()
	return q, len(q) > 0
}

// linkNext returns the URL of the rel="next" link of a Link header
// (RFC 8288), as Mastodon sends for pagination, or "".
func linkNext(header string) string {
	for _, part := range splitLinks(header) {
		part = strings.TrimSpace(part)
		if !strings.HasPrefix(part, "<") {
			continue
		}
		end := strings.IndexByte(part, '>')
		if end < 0 {
			continue
		}
		target := part[1:end]
		for _, param := range strings.Split(part[end+1:], ";") {
			k, v, ok := strings.Cut(strings.TrimSpace(param), "=")
			if !ok || !strings.EqualFold(strings.TrimSpace(k), "rel") {
				continue
			}
			for _, rel := range strings.Fields(strings.Trim(strings.TrimSpace(v), `"`)) {
				if strings.EqualFold(rel, "next") {
					if u, err := url.Parse(target); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
						return target
					}
				}
			}
		}
	}
	return ""
}

// splitLinks splits a Link header on the commas between links, not those
// inside <...> or quotes.
func splitLinks(h string) []string {
	var parts []string
	start, inURL, inQuote := 0, false, false
	for i := 0; i < len(h); i++ {
		switch c := h[i]; {
		case inQuote:
			if c == '"' {
				inQuote = false
			}
		case inURL:
			if c == '>' {
				inURL = false
			}
		case c == '<':
			inURL = true
		case c == '"':
			inQuote = true
		case c == ',':
			parts = append(parts, h[start:i])
			start = i + 1
		}
	}
	return append(parts, h[start:])
}
