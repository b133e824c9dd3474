package textcount

import (
	"testing"

	"github.com/stretchr/testify/require"
)

func TestFacetsDocsExample(t *testing.T) {
	// docs/advanced-guides/posts.md of bluesky-social/bsky-docs: mention at
	// bytes 23–35, link at 74–108, the final '.' left out.
	text := "✨ example mentioning @atproto.com to share the URL 👨‍❤️‍👨 https://en.wikipedia.org/wiki/CBOR."
	require.Equal(t, []Facet{
		{Start: 23, End: 35, Kind: FacetMention, Value: "atproto.com"},
		{Start: 74, End: 108, Kind: FacetLink, Value: "https://en.wikipedia.org/wiki/CBOR"},
	}, Facets(text))
}

func TestFacets(t *testing.T) {
	link := func(a, b int, v string) Facet { return Facet{a, b, FacetLink, v} }
	mention := func(a, b int, v string) Facet { return Facet{a, b, FacetMention, v} }
	tag := func(a, b int, v string) Facet { return Facet{a, b, FacetTag, v} }
	// Most inputs are from @atproto/api tests/rich-text-detection.test.ts.
	cases := []struct {
		name string
		in   string
		want []Facet
	}{
		{"no facet", "no mention", nil},
		{"mention start", "@handle.com middle end", []Facet{mention(0, 11, "handle.com")}},
		{"mention .test", "@full123-chars.test", []Facet{mention(0, 19, "full123-chars.test")}},
		{"not a mention", "not@right", nil},
		{"mention then punctuation", "@handle.com!@#$chars", []Facet{mention(0, 11, "handle.com")}},
		{"parenthetical mention", "parenthetical (@handle.com)", []Facet{mention(15, 26, "handle.com")}},
		{"mention between emoji", "👨‍👩‍👧‍👧 @handle.com 👨‍👩‍👧‍👧", []Facet{mention(26, 37, "handle.com")}},
		{"link", "start https://middle.com/foo/bar?baz=bux#hash end", []Facet{link(6, 45, "https://middle.com/foo/bar?baz=bux#hash")}},
		{"bare link", "start middle.com/foo/bar end", []Facet{link(6, 24, "https://middle.com/foo/bar")}},
		{"trailing colon", "a trailing bsky.app: colon", []Facet{link(11, 19, "https://bsky.app")}},
		{"not links", "not.. a..url ..here e.g. something-cool.jpg website.com.jpg e.g./foo", nil},
		{"punctuation", "punctuation https://foo.com, https://bar.com/whatever; https://baz.com.", []Facet{
			link(12, 27, "https://foo.com"), link(29, 53, "https://bar.com/whatever"), link(55, 70, "https://baz.com")}},
		{"parenthetical link", "parenthentical (https://foo.com)", []Facet{link(16, 31, "https://foo.com")}},
		{"balanced parens", "except for https://foo.com/thing_(cool)", []Facet{link(11, 39, "https://foo.com/thing_(cool)")}},
		{"tag", "body #tag body", []Facet{tag(5, 9, "tag")}},
		{"numeric tag", "#1 body #1", nil},
		{"tag 1a", "#1a", []Facet{tag(0, 3, "1a")}},
		{"64 chars", "body #thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa!", []Facet{tag(5, 70, "thisisa64characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa")}},
		{"65 chars", "body #thisisa65characterstring_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaab", nil},
		{"double tag", "its a #double#rainbow", []Facet{tag(6, 21, "double#rainbow")}},
		{"hash hash", "##hashash", []Facet{tag(0, 9, "#hashash")}},
		{"strips trailing", "strips trailing #punctuation, #like. #this!", []Facet{tag(16, 28, "punctuation"), tag(30, 35, "like"), tag(37, 42, "this")}},
		{"multi trailing", "strips #multi_trailing___...", []Facet{tag(7, 22, "multi_trailing")}},
		{"emoji tags", "works with #🦋 emoji, and #butter🦋fly", []Facet{tag(11, 16, "🦋"), tag(28, 42, "butter🦋fly")}},
		{"keycap not a tag", "this #️⃣tag should not be a tag", nil},
		{"keycap inside tag", "this ##️⃣tag should be a tag", []Facet{tag(5, 16, "#️⃣tag")}},
		{"zero width space", "match (a\\u200Bb): #a\u200bb", []Facet{tag(18, 20, "a")}},
		{"full width sign", "match full width number sign (tag): ＃tag", []Facet{tag(36, 42, "tag")}},
		{"no match 1?", "no match 1?: #1?", nil},
		{"cashtag", "($GOOG) $aapl.", []Facet{tag(1, 6, "$GOOG"), tag(8, 13, "$AAPL")}},
		{"cashtag too long", "$TOOLONG $100", nil},
		{"french", "Bravo" + nbsp + "! #Noël à l’église, voir exemple.fr" + nbsp + "; merci @marie.bsky.social" + nbsp + "!", []Facet{
			tag(9, 15, "Noël"), link(37, 47, "https://exemple.fr"), mention(57, 75, "marie.bsky.social")}},
		{"guillemets", "«" + nbsp + "https://exemple.fr/été" + nbsp + "»", []Facet{link(4, 28, "https://exemple.fr/été")}},
		{"closing quote stripped", "lire https://exemple.fr/a”", []Facet{link(5, 25, "https://exemple.fr/a")}},
		{"invalid utf8", "\xff #tag \xfe https://a.fr", []Facet{tag(2, 6, "tag"), link(9, 21, "https://a.fr")}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			got := Facets(tc.in)
			require.Equal(t, tc.want, got)
		})
	}
}

func TestFacetKindString(t *testing.T) {
	cases := []struct {
		kind FacetKind
		want string
	}{
		{FacetLink, "app.bsky.richtext.facet#link"},
		{FacetMention, "app.bsky.richtext.facet#mention"},
		{FacetTag, "app.bsky.richtext.facet#tag"},
		{FacetKind(0), "FacetKind(0)"},
		{FacetKind(-7), "FacetKind(-7)"},
	}
	for _, tc := range cases {
		t.Run(tc.want, func(t *testing.T) {
			require.Equal(t, tc.want, tc.kind.String())
		})
	}
}
