package moderation_test

import (
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/moderation"
)

func TestNormalize(t *testing.T) {
	tests := []struct{ in, want string }{
		{"Ferme-la CONNARD !", "ferme la connard"},
		{"c o n n a r d", "connard"},
		{"c.o.n.n.a.r.d", "connard"},
		{"c0nn4rd", "connard"},
		{"connnnard", "connard"},
		{"fuuuck", "fuuck"},
		{"c\u043ennard", "connard"},              // Cyrillic о
		{"ρaypal", "paypal"},                     // Greek rho
		{"ＣＯＮＮＡＲＤ", "connard"},                   // fullwidth, NFKC
		{"Dégoûté, l'œuvre", "degoute l'oeuvre"}, // diacritics, ligature
		{"s@lope b!te $alope", "salope bite salope"},
		{"Il y a 3 semaines, 24h et 1er", "il y a 3 semaines 24h et 1er"},
		{"@Brand #Fail https://Ex.com/A?b=1.", "@brand #fail https://Ex.com/A?b=1"},
		{"écrivez à Jo@Example.com", "ecrivez a jo@example.com"},
		{"bit.ly/abc et paypal.com", "bit.ly/abc et paypal.com"},
		{"super 😡😡🏻 !!!", "super 😡 😡🏻"},
		{"1,5 € ou 1.000", "1,5 ou 1.000"},
		{"", ""},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			require.Equal(t, tt.want, moderation.Normalize(tt.in))
		})
	}
}

func TestTokenize(t *testing.T) {
	toks := moderation.Tokenize("Salut @cm, c 0 n n a r d! Voir bit.ly/x 👍")
	kinds := []moderation.TokenKind{}
	texts := []string{}
	for _, k := range toks {
		kinds = append(kinds, k.Kind)
		texts = append(texts, k.Text)
	}
	require.Equal(t, []string{"salut", "@cm", "connard", "voir", "bit.ly/x", "👍"}, texts)
	require.Equal(t, []moderation.TokenKind{moderation.Word, moderation.Mention, moderation.Word, moderation.Word, moderation.URL, moderation.Emoji}, kinds)
	require.True(t, toks[2].Spaced)
	require.True(t, toks[2].Leet)
	require.Equal(t, 0, toks[2].Sentence)
	require.Equal(t, 1, toks[3].Sentence)
	require.Equal(t, "c 0 n n a r d", "Salut @cm, c 0 n n a r d! Voir bit.ly/x 👍"[toks[2].Start:toks[2].End])
}

func FuzzNormalize(f *testing.F) {
	for _, s := range []string{"c o n n a r d", "c0nn4rd", "fuuuck", "c\u043ennard", "Dégoûté œ ß", "a b c d", "y a 3 x",
		"http://x.com/a. @b #c d@e.fr", "👨‍👩‍👧 🇫🇷🇺🇸 1️⃣", "\xff\xfe", "ｈｔｔｐ://ｘ.ｃｏｍ", "l'a'b ''", "#1 #a1", "a\u0301\u0301b",
		"İstanbul ǅ ﬁ", "c.0.n.n", "1 2 3 a b", "x@y", "4 5 7 a b c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n := moderation.Normalize(s)
		if !utf8.ValidString(n) {
			t.Fatalf("invalid UTF-8 from %q: %q", s, n)
		}
		if n2 := moderation.Normalize(n); n2 != n {
			t.Fatalf("not idempotent: %q -> %q -> %q", s, n, n2)
		}
		moderation.Tokenize(s)
		moderation.DetectLanguage(s)
	})
}
