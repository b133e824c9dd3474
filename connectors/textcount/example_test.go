package textcount_test

import (
	"fmt"

	"github.com/cmkit/cmkit/connectors/textcount"
)

func ExampleWeighted() {
	fmt.Println(textcount.Weighted("Noël à l’église 🎄 https://exemple.fr/un/tres/long/chemin"))
	fmt.Println(textcount.Weighted("漢字"))
	fmt.Println(textcount.Weighted("👨\u200d👩\u200d👧\u200d👦"))
	// Output:
	// 42
	// 4
	// 2
}

func ExampleGraphemes() {
	family := "👨\u200d👩\u200d👧\u200d👦"
	fmt.Println(textcount.Graphemes(family), textcount.CodePoints(family), len(family))
	fmt.Println(textcount.Graphemes("e\u0301glise 🇫🇷"))
	// Output:
	// 1 7 25
	// 8
}

func ExampleMastodon() {
	s := "Merci @alice@mastodon.social ! https://exemple.fr/un/article/tres/long"
	fmt.Println(textcount.Mastodon(s, textcount.MastodonURLLength))
	// Output:
	// 38
}

func ExampleFacets() {
	s := "✨ Bravo @alice.bsky.social ! #Noël sur exemple.fr/blog."
	for _, f := range textcount.Facets(s) {
		fmt.Printf("%d-%d %s %s (%q)\n", f.Start, f.End, f.Kind, f.Value, s[f.Start:f.End])
	}
	// Output:
	// 10-28 app.bsky.richtext.facet#mention alice.bsky.social ("@alice.bsky.social")
	// 31-37 app.bsky.richtext.facet#tag Noël ("#Noël")
	// 42-57 app.bsky.richtext.facet#link https://exemple.fr/blog ("exemple.fr/blog")
}

func ExampleHashtags() {
	for _, h := range textcount.Hashtags("#Noël, #2024 et c# : #église_2024 !") {
		fmt.Println(h.Text)
	}
	// Output:
	// Noël
	// église_2024
}
