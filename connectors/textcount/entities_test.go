package textcount

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func spanTexts(spans []Span) []string {
	out := []string{}
	for _, s := range spans {
		out = append(out, s.Text)
	}
	return out
}

func TestURLs(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []string
	}{
		{"none", "Bonjour à tous", []string{}},
		{"https", "Voir https://exemple.fr/page.", []string{"https://exemple.fr/page"}},
		{"trailing punctuation", "https://a.fr/x, https://b.fr/y! https://c.fr/z? https://d.fr/w: https://e.fr/v;", []string{"https://a.fr/x", "https://b.fr/y", "https://c.fr/z", "https://d.fr/w", "https://e.fr/v"}},
		{"parenthesised", "(voir https://exemple.fr/page)", []string{"https://exemple.fr/page"}},
		{"balanced parens kept", "https://fr.wikipedia.org/wiki/Mercure_(planète)", []string{"https://fr.wikipedia.org/wiki/Mercure_(planète)"}},
		{"guillemets", "«" + nbsp + "https://exemple.fr/été" + nbsp + "»", []string{"https://exemple.fr/été"}},
		{"guillemets without space", "«https://exemple.fr»", []string{"https://exemple.fr"}},
		{"quotes", `"https://exemple.fr/a" 'https://exemple.fr/b'`, []string{"https://exemple.fr/a", "https://exemple.fr/b"}},
		{"nbsp before exclamation", "https://exemple.fr" + nbsp + "!", []string{"https://exemple.fr"}},
		{"bare domain", "Rendez-vous sur cmkit.fr/docs.", []string{"cmkit.fr/docs"}},
		{"not a url", "e.g. fichier.txt 3.14 v1.2.3", []string{}},
		{"email is not a url", "écrivez à contact@exemple.fr", []string{}},
		{"query", "https://exemple.fr/?utm_source=x&lang=fr.", []string{"https://exemple.fr/?utm_source=x&lang=fr"}},
		{"port", "http://localhost.dev:8080/x", []string{"http://localhost.dev:8080/x"}},
		{"upper case", "HTTPS://EXEMPLE.FR", []string{"HTTPS://EXEMPLE.FR"}},
		{"invalid utf8 around", "\xffhttps://exemple.fr\xfe", []string{"https://exemple.fr"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := URLs(tc.in)
			for _, u := range got {
				require.Equal(t, tc.in[u.Start:u.End], u.Text)
			}
			require.Equal(t, tc.want, spanTexts(got))
		})
	}
}

func TestMentions(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []Span
	}{
		{"x handle", "Merci @jack !", []Span{{6, 11, "jack"}}},
		{"bluesky handle", "cc @alice.bsky.social.", []Span{{3, 21, "alice.bsky.social"}}},
		{"fediverse", "@user@instance.social salut", []Span{{0, 21, "user@instance.social"}}},
		{"underscore", "(@jean_dupont)", []Span{{1, 13, "jean_dupont"}}},
		{"email is not a mention", "bob@exemple.fr", nil},
		{"url path is not a mention", "https://exemple.fr/@alice", nil},
		{"after accent letter", "é@alice", nil},
		{"followed by accent", "@alicé", nil},
		{"lone at", "@ rien", nil},
		{"two", "@a @b", []Span{{0, 2, "a"}, {3, 5, "b"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Mentions(tc.in))
		})
	}
}

func TestHashtags(t *testing.T) {
	cases := []struct {
		name string
		in   string
		want []Span
	}{
		{"simple", "Vive le #CM !", []Span{{8, 11, "CM"}}},
		{"french accents", "#église #Noël", []Span{{0, 8, "église"}, {9, 15, "Noël"}}},
		{"combining accent", "#No" + eAcute + "l", []Span{{0, 7, "No" + eAcute + "l"}}},
		{"digits and letters", "#2024JO #jour_2", []Span{{0, 7, "2024JO"}, {8, 15, "jour_2"}}},
		{"all digits", "#2024 #1", nil},
		{"after letter", "c# et C#", nil},
		{"html entity", "&#38;", nil},
		{"url fragment", "https://exemple.fr/page#section", nil},
		{"trailing punctuation", "#CM, #RS. #IA!", []Span{{0, 3, "CM"}, {5, 8, "RS"}, {10, 13, "IA"}}},
		{"fullwidth sign", "＃タグ", []Span{{0, 9, "タグ"}}},
		{"keycap", "#\ufe0f\u20e3", nil},
		{"middle dot inside", "#l·a", []Span{{0, 5, "l·a"}}},
		{"middle dot trailing", "#la·", []Span{{0, 3, "la"}}},
		{"followed by hash", "#a#b", nil},
		{"guillemets", "«" + nbsp + "#Noël" + nbsp + "»", []Span{{4, 10, "Noël"}}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, Hashtags(tc.in))
		})
	}
}
