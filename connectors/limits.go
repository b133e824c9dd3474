package connectors

// Byte sizes used by the presets.
const (
	mb  = 1_000_000
	mib = 1 << 20
)

// PresetLimits returns the published content limits of a network, by
// registry name: "x", "bluesky", "mastodon", "threads", "linkedin",
// "instagram", "facebook", "youtube", "tiktok", "pinterest", "reddit",
// "discord", "slack", "telegram" or "tumblr". It reports false for other
// names.
//
// Connectors describe their account's own limits (a Mastodon instance
// configures its own); presets are for validating a draft before an
// account is connected, or for connectors to start from. Zero fields are
// limits the networks do not publish, which are then not checked. Each
// call returns a fresh copy the caller may modify.
//
// The numbers come from the networks' documentation as collected in
// cmkit's research notes (network-apis.md "Content limits" sections and
// the per-network table of peer-products.md); the source of each is
// cited next to it. Where sources disagree, the choice is explained.
func PresetLimits(network string) (Limits, bool) {
	switch network {
	case "x":
		return Limits{
			// network-apis.md §3 "Content limits": 280 weighted
			// characters (twitter-text v3), every URL counts 23.
			TextRule:  CountWeighted,
			MaxText:   280,
			URLLength: 23,
			// §3 "Media upload v2" Limits: at most 4 photos, or 1 GIF, or
			// 1 video per post (a GIF counts as a video here, so the
			// no-mixing rule covers "or 1 GIF").
			MaxImages:  4,
			MaxVideos:  1,
			MixedMedia: false,
			// §3 "Media upload v2": image ≤5 MB, video ≤512 MB. The GIF
			// limit (15 MB) has no field: GIFs are checked as videos.
			MaxImageBytes: 5 * mb,
			MaxVideoBytes: 512 * mb,
			// peer-products.md per-network table (Ayrshare): alt text
			// 1,000. Video duration: only Postiz's mapped error ("≤2 min")
			// is on record, not X's docs, so it is left unchecked.
			MaxAltText: 1000,
			// peer-products.md table: "thread (replies)".
			Threads: true,
		}, true
	case "bluesky":
		return Limits{
			// network-apis.md §2 "Content limits": maxGraphemes 300 and
			// maxLength 3000 UTF-8 bytes.
			TextRule:     CountGraphemes,
			MaxText:      300,
			MaxTextBytes: 3000,
			// peer-products.md table and network-apis.md §20: ≤4 pictures
			// or 1 video.
			MaxImages:  4,
			MaxVideos:  1,
			MixedMedia: false,
			// §2 flags 1,000,000 bytes (docs, posts.md) against 2 MB (the
			// 2026 lexicon, "formerly limited to 1 MB"). The preset keeps
			// 1 MB: an image under it is accepted by every PDS and
			// AppView, old or new; a connector that knows its PDS takes
			// the new lexicon may raise it in Describe.
			MaxImageBytes: 1 * mb,
			// §2: video maxSize 100000000 in the lexicon; mp4.
			MaxVideoBytes: 100 * mb,
			VideoTypes:    []string{"video/mp4"},
			// peer-products.md table: "thread".
			Threads: true,
		}, true
	case "mastodon":
		return Limits{
			// network-apis.md §1 "Content limits": 500 characters by
			// default, URLs count 23, a mention counts its username only.
			TextRule:  CountURLsFixed,
			MaxText:   500,
			URLLength: 23,
			// §1: images up to 4 per post, video 1 per post; the
			// instance example's image_size_limit 16777216 and
			// video_size_limit 103809024 (99 MiB).
			MaxImages:     4,
			MaxVideos:     1,
			MixedMedia:    false,
			MaxImageBytes: 16 * mib,
			MaxVideoBytes: 103809024,
			// peer-products.md table: "thread".
			Threads: true,
		}, true
	case "threads":
		return Limits{
			// network-apis.md §6 "Content limits": text ≤500 characters.
			// Threads counts an emoji as its UTF-8 length, which no
			// TextRule expresses: emoji-heavy text may pass here and be
			// refused by the network.
			TextRule: CountCodePoints,
			MaxText:  500,
			// peer-products.md table (Ayrshare): 20 images / 1 video,
			// "mixed carousel".
			MaxImages:  20,
			MaxVideos:  1,
			MixedMedia: true,
			// peer-products.md table: "thread".
			Threads: true,
		}, true
	case "linkedin":
		return Limits{
			// network-apis.md §7 "Content limits": 3,000 characters.
			TextRule: CountCodePoints,
			MaxText:  3000,
			// peer-products.md table: Ayrshare 9 images / 1 video, title
			// 400; Postiz "video ⇒ only 1 media", carousel has no video.
			MaxImages:  9,
			MaxVideos:  1,
			MixedMedia: false,
			MaxTitle:   400,
			// peer-products.md table: comments (Postiz posts a first
			// comment).
			FirstComment: true,
		}, true
	case "instagram":
		return Limits{
			// network-apis.md §5 "Content limits": caption 2,200
			// characters, 30 hashtags; 20 @-mentions as stated by Meta
			// and recorded in driver.Limits.
			TextRule:    CountCodePoints,
			MaxText:     2200,
			MaxHashtags: 30,
			MaxMentions: 20,
			// §5: carousel 2–10 items; peer-products.md table: ≥1 media
			// required, carousel ≤10, which may mix images and videos.
			MediaRequired: true,
			MaxImages:     10,
			MaxVideos:     10,
			MixedMedia:    true,
			// peer-products.md table (Ayrshare): alt text 1,000.
			MaxAltText: 1000,
			// peer-products.md table: comments.
			FirstComment: true,
		}, true
	case "facebook":
		return Limits{
			// network-apis.md §4 "Content limits": 63,206 characters
			// (Postiz; Ayrshare agrees, Mixpost says 5,000).
			TextRule: CountCodePoints,
			MaxText:  63206,
			// peer-products.md table (Ayrshare): 10 images / 1 video.
			MaxImages:    10,
			MaxVideos:    1,
			MixedMedia:   false,
			FirstComment: true,
		}, true
	case "youtube":
		// YouTube posts are videos; cmkit's YouTube connector is about
		// their comments, answered with Reply.
		return Limits{
			// network-apis.md §8 "Content limits": description 5,000;
			// peer-products.md table: title 100, exactly 1 video.
			TextRule:      CountCodePoints,
			MaxText:       5000,
			MaxTitle:      100,
			MaxVideos:     1,
			MaxImages:     0,
			MediaRequired: true,
			// An image is not a YouTube post: only video types.
			ImageTypes: []string{},
		}, true
	case "tiktok":
		return Limits{
			// network-apis.md §17 "Content limits": title and caption
			// 2,000 (Postiz; Ayrshare says 2,200: the lower is kept).
			TextRule: CountCodePoints,
			MaxText:  2000,
			// peer-products.md table: 1 video or ≥1 pictures, no mixing,
			// never text-only; Ayrshare: up to 35 images.
			MediaRequired: true,
			MaxImages:     35,
			MaxVideos:     1,
			MixedMedia:    false,
		}, true
	case "pinterest":
		return Limits{
			// network-apis.md §16 "Endpoints" (openapi 5.23.0): title
			// ≤100, description ≤800, alt_text ≤500, multiple images
			// 2–5. (Postiz's 500 for the description predates it.)
			TextRule:   CountCodePoints,
			MaxText:    800,
			MaxTitle:   100,
			MaxAltText: 500,
			// peer-products.md table: ≥1 media; ≤5 images; 1 video.
			MediaRequired: true,
			MaxImages:     5,
			MaxVideos:     1,
			MixedMedia:    false,
		}, true
	case "reddit":
		return Limits{
			// network-apis.md §9 "Content limits": 10,000 (Postiz;
			// Ayrshare says 5,000); peer-products.md table: title 300.
			TextRule: CountCodePoints,
			MaxText:  10000,
			MaxTitle: 300,
			// peer-products.md table: a media post is exactly 1 file.
			MaxImages:    1,
			MaxVideos:    1,
			MixedMedia:   false,
			FirstComment: true,
		}, true
	case "discord":
		return Limits{
			// network-apis.md §10 "Endpoints": content ≤2000 characters;
			// the whole request (files included) ≤25 MiB.
			TextRule:      CountCodePoints,
			MaxText:       2000,
			MaxImageBytes: 25 * mib,
			MaxVideoBytes: 25 * mib,
			MixedMedia:    true,
		}, true
	case "slack":
		return Limits{
			// network-apis.md §11 "Content limits": messages over 40,000
			// characters are truncated.
			TextRule:   CountCodePoints,
			MaxText:    40000,
			MixedMedia: true,
		}, true
	case "telegram":
		return Limits{
			// network-apis.md §12 "Endpoints": text 0–4096 characters.
			// A caption under media is limited to 1,024, which Limits
			// cannot express: the telegram connector checks it.
			TextRule: CountCodePoints,
			MaxText:  4096,
			// peer-products.md table (Ayrshare): 1 image / 1 video.
			MaxImages:  1,
			MaxVideos:  1,
			MixedMedia: false,
		}, true
	case "tumblr":
		return Limits{
			// network-apis.md §14 "Content limits": 32,768 (Postiz).
			TextRule: CountCodePoints,
			MaxText:  32768,
			// peer-products.md table: ≤30 images, ≤1 video; no mixing
			// rule is published (NPF posts are blocks).
			MaxImages:  30,
			MaxVideos:  1,
			MixedMedia: true,
		}, true
	}
	return Limits{}, false
}
