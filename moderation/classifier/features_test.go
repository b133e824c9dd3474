package classifier

import (
	"math"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/stretchr/testify/require"
)

// tokens returns the normalised and the folded tokens of text.
func tokens(text string) (norm, folded []string) {
	x := newExtractor(16)
	x.extract(text, "en")
	for i, t := range x.toks {
		norm = append(norm, strings.ReplaceAll(string(x.arena[t.start:t.end]), "\x01", "#"))
		f := x.ftoks[i]
		folded = append(folded, strings.ReplaceAll(string(x.farea[f.start:f.end]), "\x01", "#"))
	}
	return norm, folded
}

func TestTokenize(t *testing.T) {
	tests := []struct {
		name         string
		text         string
		norm, folded []string
	}{
		{"lower and split", "Hello, World!", []string{"hello", "world"}, []string{"hello", "world"}},
		{"urls", "see https://x.co/a and www.example.org or shop.example.com/buy", []string{"see", "#url", "and", "#url", "or", "#url"}, nil},
		{"mention", "@marie merci", []string{"#user", "merci"}, nil},
		{"email is not a mention", "a@b", []string{"aab"}, nil},
		{"numbers", "call 09061701461 or 12 or 2024", []string{"call", "#num5", "or", "#num1", "or", "#num3"}, nil},
		{"digits first", "150p 2day", []string{"0p", "0day"}, nil},
		{"leet", "h4t3 n1gg3r sh1t b@stard f*ck", []string{"hate", "nigger", "shit", "bastard", "f*ck"}, nil},
		{"squeeze", "sooooo gooood", []string{"soo", "good"}, nil},
		{"diacritics", "Déçu, très déçu", []string{"déçu", "très", "déçu"}, []string{"decu", "tres", "decu"}},
		{"nfkc", "ｆｕｌｌ　ｗｉｄｔｈ ﬁn", []string{"full", "width", "fin"}, nil},
		{"elision", "c'est l’arnaque", []string{"c", "est", "l", "arnaque"}, nil},
		{"hashtag", "#Promo2024 #arnaque", []string{"promo0", "arnaque"}, nil},
		{"ligature", "œuvre", []string{"œuvre"}, []string{"oeuvre"}},
		{"trailing symbols", "fuck!!! $$$", []string{"fuck"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, f := tokens(tt.text)
			require.Equal(t, tt.norm, n)
			if tt.folded != nil {
				require.Equal(t, tt.folded, f)
			}
		})
	}
}

func TestFeaturesJoinSpacedLetters(t *testing.T) {
	x := newExtractor(20)
	x.extract("i hate", "en")
	hate := append([]uint32{}, x.feats...)
	x.extract("i h a t e", "en")
	spaced := map[uint32]bool{}
	for _, f := range x.feats {
		spaced[f] = true
	}
	// The joined "ihate" is a word feature; "hate"'s n-grams are in it.
	shared := 0
	for _, f := range hate {
		if spaced[f] {
			shared++
		}
	}
	require.Greater(t, shared, 5)
}

func TestFeaturesDeterministicAndBounded(t *testing.T) {
	x := newExtractor(18)
	x.extract("Le service client est nul !!! https://x.fr", "fr")
	a := append([]uint32{}, x.feats...)
	x.extract("Le service client est nul !!! https://x.fr", "fr")
	require.Equal(t, a, x.feats)
	for _, f := range a {
		require.Less(t, f&^(spamOnly|docLevel), uint32(1<<18))
		require.False(t, f&docLevel != 0 && f&spamOnly == 0, "document-level feature %x not marked spam-only", f)
	}
	long := strings.Repeat("é", maxTextBytes)
	x.extract(long, "fr")
	require.NotEmpty(t, x.feats)
}

func TestFeaturesSpamOnly(t *testing.T) {
	x := newExtractor(20)
	doc := func(name byte, v int) uint32 {
		return x.bucket(fnvByte(fnvByte(fnvByte(fnvOffset, kindSpamMeta), name), byte(v))) | spamOnly | docLevel
	}
	promo := x.bucket(fnvByte(fnvByte(fnvOffset, kindSpamMeta), 'P')) | spamOnly | docLevel
	has := func(text string, f uint32) bool {
		x.extract(text, "en")
		for _, g := range x.feats {
			if g == f {
				return true
			}
		}
		return false
	}
	// External links are counted; Twitter's t.co wrapper is not.
	require.True(t, has("great song http://example.com/x", doc('E', 1)))
	require.True(t, has("great song https://t.co/abc", doc('E', 0)))
	require.True(t, has("great song", doc('E', 0)))
	// Self-promotion: a call to action, then the author within three words.
	for _, s := range []string{"check out my channel", "Please watch my new video", "subscribe to me", "abonnez-vous à ma chaîne"} {
		require.True(t, has(s, promo), s)
	}
	for _, s := range []string{"my favourite song", "watch this, it is great", "they all like it and want more of me"} {
		require.False(t, has(s, promo), s)
	}
	// Once per text.
	x.extract("check my channel and visit my blog", "en")
	n := 0
	for _, g := range x.feats {
		if g == promo {
			n++
		}
	}
	require.Equal(t, 1, n)
	// The shared features (those every head reads) do not depend on the
	// spam-only ones: the word pairs one word apart are spam-only.
	x.extract("check out my channel", "en")
	skip := x.bucket(fnvBytes(fnvByte(fnvBytes(fnvByte(fnvOffset, kindSkip), []byte("check")), ' '), []byte("my"))) | spamOnly
	require.Contains(t, x.feats, skip)
}

func TestIsURL(t *testing.T) {
	for _, s := range []string{"http://a", "https://x.y", "www.a.b", "bit.ly/x", "example.com", "a.fr/"} {
		require.True(t, isURL([]byte(s)), s)
	}
	for _, s := range []string{"e.g.", "hello", "3.14", "fin.", "a.b.c"} {
		require.False(t, isURL([]byte(s)), s)
	}
}

func FuzzFeatures(f *testing.F) {
	for _, s := range []string{"", "hello", "h4t3 @user https://x.co", "D É Ç U", "\xff\xfe", "ﬁ ｆ", "a@b$c*d", "1 2 3 4 5", strings.Repeat("a ", 200)} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		x := newExtractor(16)
		x.extract(s, "")
		for _, h := range x.feats {
			if h&^(spamOnly|docLevel) >= 1<<16 {
				t.Fatalf("feature %d out of range", h)
			}
		}
		for i, tk := range x.toks {
			if tk.start > tk.end || int(tk.end) > len(x.arena) {
				t.Fatalf("token %d span %v out of arena %d", i, tk, len(x.arena))
			}
			if utf8.ValidString(s) && !utf8.Valid(x.arena[tk.start:tk.end]) {
				t.Fatalf("token %q is not UTF-8", x.arena[tk.start:tk.end])
			}
		}
	})
}

func FuzzPredict(f *testing.F) {
	for _, s := range []string{"", "merci !", "sale con", "WIN £500 call 0906", "\x00\xff", "😡😡😡", "i h a t e u"} {
		f.Add(s, "fr")
		f.Add(s, "")
	}
	m := Default()
	f.Fuzz(func(t *testing.T, text, lang string) {
		s := m.Predict(text, lang)
		for _, p := range []float64{s.Toxic, s.Hate, s.Spam} {
			if math.IsNaN(p) || p < 0 || p > 1 {
				t.Fatalf("Predict(%q, %q) = %+v", text, lang, s)
			}
		}
	})
}

var (
	tweetFR = "@SNCF encore 45 min de retard sur le TER ce matin, c'est vraiment inadmissible !!! Remboursez-nous 😡 #grève"
	tweetEN = "@united lost my bag AGAIN, third time this year. Absolutely useless customer service, never flying with you again"
)

func BenchmarkPredict(b *testing.B) {
	m := Default()
	for _, bc := range []struct{ name, text, lang string }{{"fr", tweetFR, "fr"}, {"en", tweetEN, "en"}} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			b.SetBytes(int64(len(bc.text)))
			for b.Loop() {
				m.Predict(bc.text, bc.lang)
			}
		})
	}
}

func BenchmarkDefaultLoad(b *testing.B) {
	b.ReportAllocs()
	for b.Loop() {
		if _, err := Load(strings.NewReader(string(embedded))); err != nil {
			b.Fatal(err)
		}
	}
}

func TestFeaturesURLParts(t *testing.T) {
	part := func(tag byte, p string) uint32 {
		x := newExtractor(20)
		return x.bucket(fnvBytes(fnvByte(fnvByte(fnvOffset, kindURL), tag), []byte(p)))
	}
	tests := []struct {
		name, url string
		want      []uint32
	}{
		{"host, domain, tld, path words", "https://www.shop.example.com/watch?ref=ab1",
			[]uint32{part('h', "shop.example.com"), part('t', "com"), part('d', "example.com"), part('p', ""), part('w', "watch"), part('w', "ref"), part('w', "ab")}},
		{"bare domain", "example.fr", []uint32{part('h', "example.fr"), part('t', "fr")}},
		{"root path only", "http://bit.ly/", []uint32{part('h', "bit.ly"), part('t', "ly")}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			x := newExtractor(20)
			x.urlParts([]byte(tt.url))
			require.Equal(t, tt.want, x.feats)
		})
	}
}

// refCharGrams is the direct form of charGrams: every n-gram hashed from
// its first symbol.
func refCharGrams(word []byte, emit func(uint64)) {
	r := []int32{-1}
	for i := range word {
		if utf8.RuneStart(word[i]) {
			if len(r) > maxTokenRunes {
				break
			}
			r = append(r, int32(i))
		}
	}
	r = append(r, int32(len(word)))
	nsym := len(r)
	for i := 0; i < nsym; i++ {
		for n := 3; n <= 5 && i+n <= nsym; n++ {
			h := fnvByte(fnvOffset, kindChar)
			from, to := i, i+n
			if from == 0 {
				h = fnvByte(h, '<')
				from = 1
			}
			end, closing := to, false
			if to == nsym {
				end, closing = nsym-1, true
			}
			if from < end {
				h = fnvBytes(h, word[r[from]:r[end]])
			}
			if closing {
				h = fnvByte(h, '>')
			}
			emit(h)
		}
	}
}

func TestCharGramsMatchReference(t *testing.T) {
	for _, w := range []string{"a", "ab", "abc", "hate", "déçu", "œuvre", strings.Repeat("x", 40), strings.Repeat("é", 40), "\xff\xfeab"} {
		t.Run(w, func(t *testing.T) {
			x := newExtractor(20)
			x.charGrams([]byte(w))
			var want []uint32
			refCharGrams([]byte(w), func(h uint64) { want = append(want, x.bucket(h)) })
			require.Equal(t, want, x.feats)
		})
	}
}
