// Package textcount implements the text length rules of social networks and
// the detection of links, mentions and hashtags in post text. Everything is
// a pure function of a string: no I/O, no state, no cmkit import, so that
// connectors and drivers can all use it. Invalid UTF-8 never panics: each
// invalid byte counts as one code point.
//
// # Length rules
//
// Each network counts in its own unit; compare the result with the network's
// limit (the connectors know the limits, some are per account or instance).
//
//   - [CodePoints]: Unicode code points. LinkedIn (3,000 for a post),
//     Instagram (2,200 for a caption), Telegram (4,096 for a message, 1,024
//     for a caption) and Discord (2,000) count this way.
//   - [Graphemes]: extended grapheme clusters (Unicode UAX #29, via
//     github.com/rivo/uniseg, as Bluesky's Go validator indigo does): what a
//     reader sees as one character. Bluesky limits a post to
//     [BlueskyMaxGraphemes] (300) graphemes and [BlueskyMaxBytes] (3,000)
//     UTF-8 bytes; check both (len(s) for the bytes).
//   - [Weighted]: X's weighted length (twitter-text v3 configuration,
//     maxWeightedTweetLength 280, see [XMaxWeightedLength]). The text is
//     NFC-normalised; Latin, Greek, Cyrillic, Hebrew, Arabic and the common
//     punctuation of U+2000–U+200D, U+2010–U+201F (’ “ ” – —) and
//     U+2032–U+2037 weigh 1; every other code point weighs 2 (CJK, Hangul,
//     €, …, and the narrow no-break space U+202F of French typography); an
//     emoji weighs 2 however many code points it has (ZWJ families, flags,
//     keycaps, skin tones); every URL weighs 23 ([XURLLength]), bare domains
//     like cmkit.fr included.
//   - [Mastodon]: a Mastodon server's count (StatusLengthValidator): grapheme
//     clusters, with every http(s) URL counting the instance's
//     characters_reserved_per_url (23 by default, [MastodonURLLength]) and a
//     mention @user@domain counting as @user. The default limit is 500
//     characters; an instance reports its own in max_characters. A content
//     warning counts towards the same limit.
//
// # Entities
//
// [URLs], [Mentions] and [Hashtags] return [Span] values with UTF-8 byte
// offsets into the text. URLs follow twitter-text's extractor (http(s) URLs
// and bare domains ending in a known top-level domain, trailing punctuation
// left out, balanced parentheses kept). Mentions cover X handles, Bluesky
// handles (@alice.bsky.social) and fediverse addresses (@user@instance).
// Hashtags need a letter, so #2024 is not one but #Noël and #église are.
//
// [Facets] produces Bluesky rich-text facets (app.bsky.richtext.facet) the
// way the official client detects them: links, mentions (the caller resolves
// each handle to a DID with com.atproto.identity.resolveHandle, and drops the
// facet when it does not resolve) and tags, sorted and non-overlapping, with
// byte offsets ready for byteStart and byteEnd.
//
// # Performance
//
// The counters scan the text once without regular expressions and do not
// allocate on NFC text; see the benchmarks (BenchmarkWeighted,
// BenchmarkGraphemes, BenchmarkMastodon, BenchmarkFacets).
//
// # Sources
//
//   - X: https://docs.x.com/fundamentals/counting-characters and
//     https://github.com/twitter/twitter-text (config/v3.json,
//     conformance/validate.yml and extract.yml, whose vectors the tests run).
//   - Bluesky: https://docs.bsky.app/docs/advanced-guides/post-richtext,
//     https://docs.bsky.app/docs/advanced-guides/posts, the lexicons
//     app.bsky.feed.post and app.bsky.richtext.facet, and
//     packages/api/src/rich-text of https://github.com/bluesky-social/atproto.
//   - Mastodon: https://docs.joinmastodon.org/user/posting/ ("URLs count as
//     23 characters", remote mentions count the username only) and
//     app/validators/status_length_validator.rb of
//     https://github.com/mastodon/mastodon.
//   - Top-level domains: the IANA root zone, as listed in twitter-text's
//     conformance/tld_lib.yml. Extended_Pictographic: Unicode emoji-data.txt.
package textcount
