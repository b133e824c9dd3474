package textcount

import (
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

const (
	family   = "👨\u200d👩\u200d👧\u200d👦" // 7 code points
	flagFR   = "🇫🇷"                     // 2 regional indicators
	thumbs   = "👍🏽"                     // base + skin tone
	keycap1  = "1\ufe0f\u20e3"          // 1️⃣
	eAcute   = "e\u0301"                // e + combining acute
	nbsp     = "\u00a0"
	narrowSp = "\u202f"
)

func TestCodePoints(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"ascii", "hello", 5},
		{"french accents", "église Noël", 11},
		{"guillemets and nbsp", "«" + nbsp + "génial" + nbsp + "»", 10},
		{"typographic apostrophe", "l’été", 5},
		{"combining mark counts twice", eAcute, 2},
		{"zwj family", family, 7},
		{"flag", flagFR, 2},
		{"skin tone", thumbs, 2},
		{"keycap", keycap1, 3},
		{"cjk", "漢字", 2},
		{"invalid utf8 byte counts one", "a\xffb\xc3", 4},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, CodePoints(tc.in))
		})
	}
}

func TestGraphemes(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"ascii", "hello", 5},
		{"crlf is one", "a\r\nb", 3},
		{"french", "C’est l’été" + nbsp + "!", 13},
		{"combining mark", eAcute + "t" + eAcute, 3},
		{"zwj family", family, 1},
		{"flag", flagFR, 1},
		{"two flags", flagFR + flagFR, 2},
		{"skin tone", thumbs, 1},
		{"keycap", keycap1, 1},
		{"cjk", "漢字", 2},
		{"hangul jamo", "\u1100\u1161\u11a8", 1},
		{"invalid utf8", "a\xff\xfeb", 4},
		{"ascii then combining", "ae\u0301", 2},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Graphemes(tc.in))
		})
	}
}

func TestWeighted(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want int
	}{
		{"empty", "", 0},
		{"ascii", "Hello world", 11},
		{"french accents", "Noël à l’église", 15},
		{"guillemets nbsp", "«" + nbsp + "Génial" + nbsp + "»" + nbsp + "!", 12},
		{"narrow nbsp weighs 2", "Oui" + narrowSp + "!", 6},
		{"ellipsis weighs 2", "Et…", 4},
		{"euro weighs 2", "10" + nbsp + "€", 5},
		{"combining mark normalised", eAcute, 1},
		{"zwj family", family, 2},
		{"flag", flagFR, 2},
		{"skin tone", thumbs, 2},
		{"keycap", keycap1, 2},
		{"text copyright", "©", 1},
		{"emoji copyright", "©\ufe0f", 2},
		{"red heart", "❤\ufe0f", 2},
		{"cjk", "漢字", 4},
		{"hangul", "한국", 4},
		{"url counts 23", "Voir https://cmkit.dev/docs/guide/tres/long/chemin.", 5 + 23 + 1},
		{"bare domain counts 23", "Rendez-vous sur cmkit.fr !", 16 + 23 + 2},
		{"two urls", "https://a.io/x http://b.fr", 23 + 1 + 23},
		{"invalid utf8 weighs 2", "a\xff", 3},
		{"not a url", "fichier.txt e.g. 3.14", 21},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Weighted(tc.in))
		})
	}
}

func TestMastodon(t *testing.T) {
	cases := []struct {
		name   string
		in     string
		urlLen int
		want   int
	}{
		{"empty", "", 23, 0},
		{"plain french", "Bonjour à tous" + nbsp + "!", 23, 16},
		{"url counts urlLength", "Lire https://exemple.fr/un/article/tres/long/sur/les/reseaux", 23, 5 + 23},
		{"custom url length", "https://exemple.fr/a", 10, 10},
		{"short url counts 23 too", "https://a.fr", 23, 23},
		{"bare domain counts in full", "exemple.fr", 23, 10},
		{"remote mention counts the user only", "Merci @alice@mastodon.social !", 23, 6 + 6 + 2},
		{"local mention", "Merci @alice !", 23, 14},
		{"emoji sequence counts 1", family + " " + flagFR, 23, 3},
		{"combining mark counts 1", eAcute, 23, 1},
		{"mention in url is part of url", "https://exemple.fr/@alice@x.social", 23, 23},
		{"email is not a mention", "bob@exemple.fr", 23, 14},
		{"negative url length is zero", "https://a.fr", -1, 0},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Mastodon(tc.in, tc.urlLen))
		})
	}
}

func TestWeightedLongFrenchTweet(t *testing.T) {
	// 280 weighted: 257 Latin characters and one URL.
	s := strings.Repeat("é", 257) + "https://exemple.fr/x"
	require.Equal(t, 280, Weighted(s))
	require.Equal(t, 281, Weighted(s+"!"))
}

func TestPunycodeLen(t *testing.T) {
	cases := []struct {
		name, label string
		want        int // len of "xn--" + encoding
	}{
		{"bücher", "bücher", len("xn--bcher-kva")},
		{"münchen", "münchen", len("xn--mnchen-3ya")},
		{"upper case folded", "MÜNCHEN", len("xn--mnchen-3ya")},
		{"japanese", "日本語", len("xn--wgv71a119e")},
		{"snowman", "☃", len("xn--n3h")},
		{"ascii unchanged", "example", len("example")},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			n, ok := asciiLabelLen(tc.label)
			require.True(t, ok)
			require.Equal(t, tc.want, n)
		})
	}
	_, ok := asciiLabelLen("xn--はじめ")
	require.False(t, ok)
}
