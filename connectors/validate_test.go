package connectors

import (
	"errors"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

// messages lists the violations in err, in order.
func messages(err error) []string {
	if err == nil {
		return nil
	}
	j, ok := err.(interface{ Unwrap() []error })
	if !ok {
		return []string{err.Error()}
	}
	var out []string
	for _, e := range j.Unwrap() {
		out = append(out, e.Error())
	}
	return out
}

func preset(t testing.TB, network string) Limits {
	l, ok := PresetLimits(network)
	require.True(t, ok, network)
	return l
}

func img(n int) []Media {
	m := make([]Media, n)
	for i := range m {
		m[i] = Media{Kind: MediaImage, MIMEType: "image/jpeg", Data: []byte{0xff, 0xd8}}
	}
	return m
}

func hashtags(n int) string {
	var b strings.Builder
	for i := range n {
		b.WriteString("#tag")
		b.WriteByte(byte('a' + i%26))
		b.WriteByte(byte('a' + i/26))
		b.WriteByte(' ')
	}
	return b.String()
}

func TestValidatePost(t *testing.T) {
	url := "https://example.com/a/very/long/path/that/is/longer/than/twenty-three/characters"
	family := "\U0001F468\u200D\U0001F469\u200D\U0001F467\u200D\U0001F466" // 25 bytes, 1 grapheme
	tests := []struct {
		name, network, display string
		limits                 *Limits // overrides the preset
		post                   *Post
		want                   []string
	}{
		{name: "x 280 passes", network: "x", display: "X", post: &Post{Text: strings.Repeat("a", 280)}},
		{name: "x 281 fails", network: "x", display: "X", post: &Post{Text: strings.Repeat("a", 281)},
			want: []string{"text is 281 characters, X allows 280"}},
		{name: "x URL counts 23", network: "x", display: "X", post: &Post{Text: strings.Repeat("a", 256) + " " + url}},
		{name: "x URL counts 23 over", network: "x", display: "X", post: &Post{Text: strings.Repeat("a", 257) + " " + url},
			want: []string{"text is 281 characters, X allows 280"}},
		{name: "x CJK weighs 2", network: "x", display: "X", post: &Post{Text: strings.Repeat("日", 141)},
			want: []string{"text is 282 characters, X allows 280"}},
		{name: "x too long and too many images", network: "x", display: "X",
			post: &Post{Text: strings.Repeat("a", 300), Media: img(5)},
			want: []string{"text is 300 characters, X allows 280", "media: the post has 5 images, X allows 4"}},
		{name: "x image and video", network: "x", display: "X",
			post: &Post{Text: "a", Media: append(img(1), Media{Kind: MediaVideo, MIMEType: "video/mp4", URL: "https://e.com/v.mp4"})},
			want: []string{"media: X cannot mix images with videos or GIFs in one post"}},
		{name: "x two GIFs", network: "x", display: "X",
			post: &Post{Text: "a", Media: []Media{
				{Kind: MediaGIF, MIMEType: "image/gif", URL: "https://e.com/1.gif"},
				{Kind: MediaGIF, MIMEType: "image/gif", URL: "https://e.com/2.gif"}}},
			want: []string{"media: the post has 2 videos or GIFs, X allows 1"}},
		{name: "x alt text", network: "x", display: "X",
			post: &Post{Text: "a", Media: []Media{{Kind: MediaImage, MIMEType: "image/png", URL: "https://e.com/a.png", AltText: strings.Repeat("é", 1001)}}},
			want: []string{"media[0].alt_text is 1001 characters, X allows 1000"}},
		{name: "x first comment", network: "x", display: "X", post: &Post{Text: "a", FirstComment: "b"},
			want: []string{"first_comment: X does not support a first comment"}},
		{name: "x thread", network: "x", display: "X",
			post: &Post{Text: "1/3", Thread: []Post{{Text: "2/3"}, {Text: strings.Repeat("a", 281)}}},
			want: []string{"thread[1].text is 281 characters, X allows 280"}},
		{name: "x nested thread", network: "x", display: "X",
			post: &Post{Text: "1", Thread: []Post{{Text: "2", Thread: []Post{{Text: "3"}}, FirstComment: "c"}}},
			want: []string{
				"thread[0].first_comment: only the first post of a thread can have a first comment",
				"thread[0].thread: nested threads are not supported: put every follow-up post in the first post's Thread",
			}},
		{name: "bluesky 300 graphemes", network: "bluesky", display: "Bluesky", post: &Post{Text: strings.Repeat("e\u0301", 300)}},
		{name: "bluesky 301 graphemes", network: "bluesky", display: "Bluesky", post: &Post{Text: strings.Repeat("e\u0301", 301)},
			want: []string{"text is 301 characters, Bluesky allows 300"}},
		{name: "bluesky bytes", network: "bluesky", display: "Bluesky", post: &Post{Text: strings.Repeat(family, 121)},
			want: []string{"text is 3025 bytes, Bluesky allows 3000"}},
		{name: "bluesky image size", network: "bluesky", display: "Bluesky",
			post: &Post{Text: "a", Media: []Media{{Kind: MediaImage, MIMEType: "image/jpeg", Data: make([]byte, 6_000_000)}}},
			want: []string{"media[0]: the image is 6 MB, Bluesky allows 1 MB"}},
		{name: "bluesky image just over", network: "bluesky", display: "Bluesky",
			post: &Post{Text: "a", Media: []Media{{Kind: MediaImage, MIMEType: "image/jpeg", Data: make([]byte, 1_000_001)}}},
			want: []string{"media[0]: the image is 1000001 bytes, Bluesky allows 1000000 bytes"}},
		{name: "bluesky video type", network: "bluesky", display: "Bluesky",
			post: &Post{Text: "a", Media: []Media{{Kind: MediaVideo, MIMEType: "video/quicktime", URL: "https://e.com/v.mov"}}},
			want: []string{"media[0].mime_type: Bluesky does not accept video/quicktime (accepted: video/mp4)"}},
		{name: "mastodon 500 with URL", network: "mastodon", display: "Mastodon", post: &Post{Text: strings.Repeat("a", 476) + " " + url}},
		{name: "mastodon 501", network: "mastodon", display: "Mastodon", post: &Post{Text: strings.Repeat("a", 477) + " " + url},
			want: []string{"text is 501 characters, Mastodon allows 500"}},
		{name: "instagram 30 hashtags", network: "instagram", display: "Instagram", post: &Post{Text: hashtags(30), Media: img(1)}},
		{name: "instagram 31 hashtags", network: "instagram", display: "Instagram", post: &Post{Text: hashtags(31), Media: img(1)},
			want: []string{"hashtags: the post has 31 hashtags, Instagram allows 30"}},
		{name: "instagram 21 mentions", network: "instagram", display: "Instagram",
			post: &Post{Text: strings.Repeat("@someone ", 21), Media: img(1)},
			want: []string{"mentions: the post has 21 mentions, Instagram allows 20"}},
		{name: "instagram media required", network: "instagram", display: "Instagram", post: &Post{Text: "Bonjour"},
			want: []string{"media: Instagram needs at least one image or video"}},
		{name: "instagram carousel", network: "instagram", display: "Instagram",
			post: &Post{Text: "a", Media: append(img(10), Media{Kind: MediaVideo, MIMEType: "video/mp4", URL: "https://e.com/v.mp4"})},
			want: []string{"media: the post has 11 attachments, Instagram allows 10"}},
		{name: "linkedin thread", network: "linkedin", display: "LinkedIn",
			post: &Post{Text: "a", Thread: []Post{{Text: "b"}}, FirstComment: "first!"},
			want: []string{"thread: LinkedIn does not support threads: publish the posts separately"}},
		{name: "linkedin title", network: "linkedin", display: "LinkedIn", post: &Post{Text: "a", Title: strings.Repeat("t", 401)},
			want: []string{"title is 401 characters, LinkedIn allows 400"}},
		{name: "youtube image", network: "youtube", display: "YouTube", post: &Post{Text: "a", Media: img(1)},
			want: []string{"media[0].mime_type: YouTube does not accept images"}},
		{name: "no media network", display: "Slack", limits: &Limits{NoMedia: true}, post: &Post{Text: "a", Media: img(1)},
			want: []string{"media: Slack does not take attachments: remove the media"}},
		{name: "thread length", display: "Net", limits: &Limits{Threads: true, MaxThread: 2},
			post: &Post{Text: "a", Thread: []Post{{Text: "b"}, {Text: "c"}}},
			want: []string{"thread: the thread has 3 posts, Net allows 2"}},
		{name: "video duration", display: "Net", limits: &Limits{MaxVideoDuration: 140 * time.Second},
			post: &Post{Text: "a", Media: []Media{{Kind: MediaVideo, MIMEType: "video/mp4", URL: "https://e.com/v", Duration: 3 * time.Minute}}},
			want: []string{"media[0]: the video lasts 3m0s, Net allows 2m20s"}},
		{name: "media structure", display: "Net", limits: &Limits{MixedMedia: true},
			post: &Post{Text: "a", Media: []Media{
				{Kind: MediaImage, MIMEType: "image/png"},
				{Kind: MediaImage, MIMEType: "image/png", Data: []byte{1}, URL: "https://e.com/x.png"},
				{Kind: MediaImage, Data: []byte{1}},
				{Kind: MediaImage, MIMEType: "image/png", Open: func() (io.ReadCloser, error) { return nil, nil }},
				{MIMEType: "image/png", Data: []byte{1}},
				{Kind: MediaVideo, MIMEType: "image/png", Data: []byte{1}},
				{Kind: MediaImage, MIMEType: "image/png", Data: []byte{}},
			}},
			want: []string{
				"media[0]: has no bytes: set one of Data, Open or URL",
				"media[1]: has more than one source of bytes: set only one of Data, Open or URL",
				"media[2].mime_type: is missing: set the MIME type, e.g. image/jpeg or video/mp4",
				"media[3].size: is required with Open: set Size to the length in bytes",
				"media[4].kind: unknown media kind: set MediaImage, MediaVideo or MediaGIF",
				"media[5].mime_type: image/png is not a video type, but Kind is MediaVideo",
				"media[6]: has no bytes: Data is empty",
			}},
		{name: "empty post", network: "x", display: "X", post: &Post{},
			want: []string{"text: the post is empty: add text or media"}},
		{name: "nil post", network: "x", display: "X", post: nil,
			want: []string{"post: no post given (nil *Post)"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var l Limits
			if tt.limits != nil {
				l = *tt.limits
			} else {
				l = preset(t, tt.network)
			}
			err := ValidatePost(tt.post, l, tt.display)
			if tt.want == nil {
				require.NoError(t, err)
				return
			}
			require.Equal(t, tt.want, messages(err))
			require.ErrorIs(t, err, ErrInvalidContent)
			require.Equal(t, InvalidContent, Code(err))
			var ve *ValidationError
			require.ErrorAs(t, err, &ve)
			require.Equal(t, tt.display, ve.Network)
		})
	}
}

func TestValidationErrorFields(t *testing.T) {
	err := ValidatePost(&Post{Text: strings.Repeat("a", 312)}, preset(t, "x"), "X")
	var ve *ValidationError
	require.True(t, errors.As(err, &ve))
	require.Equal(t, ValidationError{Network: "X", Field: "text", Limit: 280, Got: 312, Unit: "characters"}, *ve)
	require.Equal(t, "text is 312 characters, X allows 280", err.Error())

	err = ValidatePost(&Post{Text: "a", Media: []Media{{Kind: MediaImage, MIMEType: "image/jpeg", Size: 2_500_000,
		Open: func() (io.ReadCloser, error) { return nil, nil }}}}, preset(t, "bluesky"), "Bluesky")
	require.True(t, errors.As(err, &ve))
	require.Equal(t, "media[0]", ve.Field)
	require.Equal(t, int64(2_500_000), ve.Got)
	require.Equal(t, int64(1_000_000), ve.Limit)
	require.Equal(t, "bytes", ve.Unit)
	require.Equal(t, "media[0]: the image is 2.5 MB, Bluesky allows 1 MB", err.Error())
}

func TestPresetLimits(t *testing.T) {
	networks := []string{"x", "bluesky", "mastodon", "threads", "linkedin", "instagram", "facebook", "youtube",
		"tiktok", "pinterest", "reddit", "discord", "slack", "telegram", "tumblr"}
	for _, n := range networks {
		t.Run(n, func(t *testing.T) {
			l := preset(t, n)
			require.Positive(t, l.MaxText)
			require.GreaterOrEqual(t, l.MaxImages, 0)
			require.GreaterOrEqual(t, l.MaxVideos, 0)
			require.NoError(t, ValidatePost(&Post{Text: "Bonjour", Media: []Media{
				{Kind: MediaVideo, MIMEType: "video/mp4", URL: "https://e.com/v.mp4"}}}, l, n))
		})
	}
	_, ok := PresetLimits("myspace")
	require.False(t, ok)

	t.Run("fresh copy", func(t *testing.T) {
		l := preset(t, "bluesky")
		l.VideoTypes[0] = "video/evil"
		l.MaxText = 1
		again := preset(t, "bluesky")
		require.Equal(t, []string{"video/mp4"}, again.VideoTypes)
		require.Equal(t, 300, again.MaxText)
	})
	t.Run("spot checks", func(t *testing.T) {
		require.Equal(t, Limits{TextRule: CountWeighted, MaxText: 280, URLLength: 23, MaxImages: 4, MaxVideos: 1,
			MaxImageBytes: 5_000_000, MaxVideoBytes: 512_000_000, MaxAltText: 1000, Threads: true}, preset(t, "x"))
		l := preset(t, "instagram")
		require.Equal(t, 2200, l.MaxText)
		require.Equal(t, 30, l.MaxHashtags)
		require.True(t, l.MediaRequired)
		require.Equal(t, 3000, preset(t, "linkedin").MaxText)
		m := preset(t, "mastodon")
		require.Equal(t, CountURLsFixed, m.TextRule)
		require.Equal(t, 23, m.URLLength)
	})
}

func BenchmarkValidatePost(b *testing.B) {
	l := preset(b, "x")
	p := &Post{Text: strings.Repeat("Bonjour à tous https://example.com #cm ", 6), Media: img(4)}
	b.ReportAllocs()
	for b.Loop() {
		if err := ValidatePost(p, l, "X"); err != nil {
			b.Fatal(err)
		}
	}
}
