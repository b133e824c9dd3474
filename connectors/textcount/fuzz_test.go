package textcount

import (
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/rivo/uniseg"
)

var fuzzSeeds = []string{
	"",
	"Hello world",
	"Noël à l’église «\u00a0génial\u00a0»\u00a0! Voir https://exemple.fr/été_(2024). #Noël @alice.bsky.social",
	"👨\u200d👩\u200d👧\u200d👦🇫🇷👍🏽1\ufe0f\u20e3 漢字 한국 e\u0301",
	"http://t.co/abc https://a.b.cd/x?y=z#w example.com/p mail@exemple.fr @u@i.social",
	"#1 #a#b ##x ＃タグ $AAPL ($GOOG) (https://x.io/a_(b))",
	"\xff\xfe\xc3 https://\xffexample.com \xe2\x80",
	"http://exampleこれは日本語です.com/path twitter.みんな",
	"a\r\nb\u200d\u200c\ufe0f",
}

func addSeeds(f *testing.F) {
	for _, s := range fuzzSeeds {
		f.Add(s)
	}
}

func isASCIIWithoutURL(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return len(URLs(s)) == 0
}

func FuzzWeighted(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		w := Weighted(s)
		if w < 0 {
			t.Fatalf("Weighted(%q) = %d < 0", s, w)
		}
		if isASCIIWithoutURL(s) && w != len(s) {
			t.Fatalf("Weighted(%q) = %d, want len %d", s, w, len(s))
		}
		if utf8.ValidString(s) && len(URLs(s)) == 0 && w > 2*CodePoints(s) {
			t.Fatalf("Weighted(%q) = %d > 2×%d code points", s, w, CodePoints(s))
		}
	})
}

func FuzzGraphemes(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		g, c := Graphemes(s), CodePoints(s)
		if g < 0 || g > c {
			t.Fatalf("Graphemes(%q) = %d, CodePoints = %d", s, g, c)
		}
		if want := uniseg.GraphemeClusterCount(s); g != want {
			t.Fatalf("Graphemes(%q) = %d, uniseg says %d", s, g, want)
		}
		if (len(s) > 0) != (g > 0) {
			t.Fatalf("Graphemes(%q) = %d", s, g)
		}
	})
}

func FuzzMastodon(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		m := Mastodon(s, 23)
		if m < 0 {
			t.Fatalf("Mastodon(%q) = %d < 0", s, m)
		}
		if z := Mastodon(s, 0); z > Graphemes(s) {
			t.Fatalf("Mastodon(%q, 0) = %d > Graphemes %d", s, z, Graphemes(s))
		}
	})
}

func checkSpans(t *testing.T, s string, spans []Span, sigil bool) {
	t.Helper()
	prev := 0
	for _, sp := range spans {
		if sp.Start < prev || sp.End <= sp.Start || sp.End > len(s) {
			t.Fatalf("bad span %+v in %q (previous end %d)", sp, s, prev)
		}
		got := s[sp.Start:sp.End]
		if sigil {
			if !strings.HasSuffix(got, sp.Text) || len(got) <= len(sp.Text) {
				t.Fatalf("span %+v: text %q is not %q without its sigil", sp, sp.Text, got)
			}
		} else if got != sp.Text {
			t.Fatalf("span %+v: text %q != %q", sp, sp.Text, got)
		}
		prev = sp.End
	}
}

func FuzzURLs(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) { checkSpans(t, s, URLs(s), false) })
}

func FuzzMentions(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		spans := Mentions(s)
		checkSpans(t, s, spans, true)
		for _, sp := range spans {
			if s[sp.Start] != '@' {
				t.Fatalf("mention %+v does not start with @", sp)
			}
		}
	})
}

func FuzzHashtags(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		spans := Hashtags(s)
		checkSpans(t, s, spans, true)
		for _, sp := range spans {
			if strings.TrimLeft(sp.Text, "0123456789_") == "" {
				t.Fatalf("hashtag %+v has no letter", sp)
			}
		}
	})
}

func FuzzFacets(f *testing.F) {
	addSeeds(f)
	f.Fuzz(func(t *testing.T, s string) {
		prev := 0
		for _, fc := range Facets(s) {
			if fc.Start < prev || fc.End <= fc.Start || fc.End > len(s) {
				t.Fatalf("bad facet %+v in %q (previous end %d)", fc, s, prev)
			}
			prev = fc.End
			src := s[fc.Start:fc.End]
			switch fc.Kind {
			case FacetLink:
				if fc.Value != src && fc.Value != "https://"+src {
					t.Fatalf("link %+v: source %q", fc, src)
				}
			case FacetMention:
				if "@"+fc.Value != src {
					t.Fatalf("mention %+v: source %q", fc, src)
				}
			case FacetTag:
				if !strings.EqualFold(strings.TrimPrefix(strings.TrimPrefix(src, "#"), "＃"), fc.Value) && !strings.EqualFold(src, fc.Value) {
					t.Fatalf("tag %+v: source %q", fc, src)
				}
				if len(fc.Value) > BlueskyMaxTagBytes || Graphemes(fc.Value) > BlueskyMaxTagGraphemes {
					t.Fatalf("tag %+v too long", fc)
				}
			default:
				t.Fatalf("facet %+v has no kind", fc)
			}
		}
	})
}
