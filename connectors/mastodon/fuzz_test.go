package mastodon

import (
	"strings"
	"testing"
	"unicode/utf8"
)

// FuzzPlainText checks the HTML-to-text conversion of status content never
// panics, keeps valid UTF-8 valid, and leaves text without markup alone.
func FuzzPlainText(f *testing.F) {
	for _, s := range []string{
		`<p>Bonjour <span class="h-card"><a href="https://m.example/@brand" class="u-url mention">@<span>brand</span></a></span> &amp; merci&nbsp;!<br />Voir <a href="https://example.org/x"><span class="invisible">https://</span><span class="ellipsis">example.org/</span><span class="invisible">x</span></a></p><p>#cmkit &lt;3</p>`,
		`<p>a</p><p>b</p>`, `<ul><li>un</li><li>deux</li></ul>`, `<script>alert(1)</script>ok`,
		`a < b > c`, `<a href="x>y">lien</a>`, `<p`, `&#x1F600; &bogus; &`, `<br/><br/>`, "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		out := PlainText(s)
		if utf8.ValidString(s) && !utf8.ValidString(out) {
			t.Fatalf("PlainText(%q) = %q: invalid UTF-8", s, out)
		}
		if !strings.ContainsAny(s, "<&") && out != strings.TrimSpace(s) {
			t.Fatalf("PlainText(%q) = %q, want the text unchanged", s, out)
		}
		if strings.Contains(out, "\n\n\n") && !strings.Contains(s, "\n\n\n") && !strings.Contains(s, "&") {
			t.Fatalf("PlainText(%q) = %q: more than one blank line between blocks", s, out)
		}
	})
}

// FuzzIDs checks the ordering of IDs and cursors: antisymmetric,
// consistent with numbers for decimal IDs, and the validation of a
// caller's cursor.
func FuzzIDs(f *testing.F) {
	f.Add("109", "1000")
	f.Add("103270115826048975", "103270115826048976")
	f.Add("01HXYZ0000000000000000000A", "01HXYZ0000000000000000000B")
	f.Add("0", "")
	f.Add("../x", "1?a")
	f.Fuzz(func(t *testing.T, a, b string) {
		if c, d := compareIDs(a, b), compareIDs(b, a); c != -d || (c == 0) != (a == b) {
			t.Fatalf("compareIDs(%q, %q) = %d, reverse %d", a, b, c, d)
		}
		if isDecimal(a) && isDecimal(b) {
			want := 0
			switch {
			case len(a) != len(b):
				want = map[bool]int{true: -1, false: 1}[len(a) < len(b)]
			default:
				want = strings.Compare(a, b)
			}
			if compareIDs(a, b) != want {
				t.Fatalf("compareIDs(%q, %q) disagrees with numeric order", a, b)
			}
		}
		c, err := cursorOf(a)
		if err == nil {
			if a != "" && c != a || !validID(c) {
				t.Fatalf("cursorOf(%q) = %q", a, c)
			}
			if strings.ContainsAny(c, "/?#%&. ") {
				t.Fatalf("cursor %q would change a URL", c)
			}
		}
	})
}

func isDecimal(s string) bool {
	if s == "" || s[0] == '0' {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// FuzzLinkNext checks the Link header parser on arbitrary headers: it
// never panics and only returns http(s) URLs.
func FuzzLinkNext(f *testing.F) {
	f.Add(`<https://m.example/api/v1/notifications?max_id=1>; rel="next", <https://m.example/api/v1/notifications?min_id=9>; rel="prev"`)
	f.Add(`<https://m.example/a?x=1,2>; rel="next"`)
	f.Add(`<javascript:x>; rel=next`)
	f.Add(`<<,>>;rel="next"`)
	f.Fuzz(func(t *testing.T, h string) {
		next := linkNext(h)
		if next != "" && !strings.HasPrefix(strings.ToLower(next), "http") {
			t.Fatalf("linkNext(%q) = %q: not an http(s) URL", h, next)
		}
		if q, ok := nextQuery(h); ok && len(q) == 0 {
			t.Fatalf("nextQuery(%q) reports an empty query", h)
		}
	})
}
