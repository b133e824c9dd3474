package moderation_test

import (
	"context"
	"slices"
	"testing"
	"time"

	"github.com/cmkit/cmkit/moderation"
)

// tweets is a French and English mix of tweet-length comments.
var tweets = []string{
	"Votre service client est nul, trois semaines sans réponse et toujours pas de remboursement. Inadmissible !",
	"Worst customer service ever, still no refund after 3 weeks. @brand can you fix this?",
	"Ferme-la connard, personne ne t'a demandé ton avis",
	"Merci pour la livraison rapide, le produit est top 😍 je recommande !",
	"Contactez-moi sur WhatsApp +33 6 12 34 56 78 pour gagner 500€ par jour 💰💰",
	"Love the new collection! When does it ship to Canada? #fashion #newin",
	"you stupid idiot, nobody cares about your opinion",
	"Les immigrés sont des rats, il faudrait tous les virer",
	"sub for sub? check my channel bit.ly/3xYz 🔥",
	"Est-ce que vous livrez à Lyon le samedi ? J'aimerais commander pour un anniversaire.",
	"I don't hate women, I just think this ad campaign missed the point.",
	"c 0 n n a r d va",
}

func BenchmarkDefaultPipeline(b *testing.B) {
	p, err := moderation.NewDefaultPipeline(nil)
	if err != nil {
		b.Fatal(err)
	}
	ctx := context.Background()
	items := make([]moderation.Item, len(tweets))
	for i, t := range tweets {
		items[i] = moderation.Item{ID: "c", Text: t, Author: moderation.Author{ID: "a"}}
	}
	// Warm up lazily built tables.
	for i := range items {
		p.Moderate(ctx, &items[i])
	}
	durs := make([]time.Duration, 0, b.N)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		it := &items[i%len(items)]
		it.Author.ID = authors[i%len(authors)]
		start := time.Now()
		if _, err := p.Moderate(ctx, it); err != nil {
			b.Fatal(err)
		}
		durs = append(durs, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(durs)
	if len(durs) > 0 {
		b.ReportMetric(float64(durs[len(durs)*99/100].Nanoseconds()), "p99-ns")
		b.ReportMetric(float64(durs[len(durs)/2].Nanoseconds()), "p50-ns")
	}
}

var authors = []string{"a1", "a2", "a3", "a4", "a5", "a6", "a7", "a8", "a9", "a10", "a11", "a12", "a13"}

func BenchmarkNormalize(b *testing.B) {
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		moderation.Normalize(tweets[i%len(tweets)])
	}
}
