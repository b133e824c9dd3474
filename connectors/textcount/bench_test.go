package textcount

import "testing"

// benchTweet is a ~280-weighted French tweet with a URL, hashtags, a mention
// and emoji.
const benchTweet = "🎄 Noël approche\u00a0! Notre équipe vous a préparé «\u00a0le calendrier de l’Avent\u00a0» " +
	"des community managers\u00a0: 24 conseils, 24 jours, zéro jargon. Découvrez le premier dès " +
	"aujourd’hui sur https://exemple.fr/blog/calendrier-avent-2024?utm_source=x 👉 " +
	"#Noël #CommunityManagement #Réseaux merci @marie.bsky.social 👨\u200d👩\u200d👧\u200d👦🇫🇷👍🏽"

func BenchmarkWeighted(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchTweet)))
	for b.Loop() {
		if Weighted(benchTweet) == 0 {
			b.Fatal("zero")
		}
	}
}

func BenchmarkGraphemes(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchTweet)))
	for b.Loop() {
		if Graphemes(benchTweet) == 0 {
			b.Fatal("zero")
		}
	}
}

func BenchmarkMastodon(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchTweet)))
	for b.Loop() {
		if Mastodon(benchTweet, MastodonURLLength) == 0 {
			b.Fatal("zero")
		}
	}
}

func BenchmarkFacets(b *testing.B) {
	b.ReportAllocs()
	b.SetBytes(int64(len(benchTweet)))
	for b.Loop() {
		if len(Facets(benchTweet)) == 0 {
			b.Fatal("none")
		}
	}
}

func TestBenchTweetShape(t *testing.T) {
	w := Weighted(benchTweet)
	if w < 250 || w > 280 {
		t.Fatalf("benchTweet weighs %d, want about 280", w)
	}
}
