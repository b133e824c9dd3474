package connectors

import (
	"errors"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/textcount"
)

// ValidatePost checks p against a network's limits without calling it and
// returns nil, or every violation found as *ValidationError values joined
// with errors.Join: errors.Is(err, ErrInvalidContent) holds, and errors.As
// finds the first; range over err.(interface{ Unwrap() []error }).Unwrap()
// to list them all. networkName is the network's name for people ("X"),
// used in the messages, which a community manager can act on:
//
//	text is 312 characters, X allows 280
//	hashtags: the post has 31 hashtags, Instagram allows 30
//	media[0]: the image is 6 MB, Bluesky allows 1 MB
//
// It checks, for the post and each post of its thread ("thread[2].text"):
// text length under l.TextRule and l.MaxTextBytes; title length; hashtag
// and mention counts; the number of images and videos (a GIF counts as a
// video), mixing them, media required or refused; each attachment's bytes
// source (exactly one of Data, Open or URL), MIME type and kind, size,
// video duration and alt text; thread length and support; and the first
// comment. Lengths are counted with package textcount.
func ValidatePost(p *Post, l Limits, networkName string) error {
	if networkName == "" {
		networkName = "the network"
	}
	v := validator{l: l, net: networkName}
	if p == nil {
		v.reason("post", "no post given (nil *Post)")
		return v.err()
	}
	v.post(p, "", true)
	return v.err()
}

type validator struct {
	l    Limits
	net  string
	errs []error
}

func (v *validator) err() error {
	if len(v.errs) == 0 {
		return nil
	}
	return errors.Join(v.errs...)
}

// count records a count violation with the generated sentence.
func (v *validator) count(field string, got, limit int64, unit string) {
	v.errs = append(v.errs, &ValidationError{Network: v.net, Field: field, Limit: limit, Got: got, Unit: unit})
}

// reason records a violation described by a sentence.
func (v *validator) reason(field, reason string) {
	v.errs = append(v.errs, &ValidationError{Network: v.net, Field: field, Reason: reason})
}

// countReason records a count violation with a custom sentence.
func (v *validator) countReason(field string, got, limit int64, unit, reason string) {
	v.errs = append(v.errs, &ValidationError{Network: v.net, Field: field, Limit: limit, Got: got, Unit: unit, Reason: reason})
}

// textLen counts s under the network's rule.
func (v *validator) textLen(s string) int {
	switch v.l.TextRule {
	case CountWeighted:
		return textcount.Weighted(s)
	case CountGraphemes:
		return textcount.Graphemes(s)
	case CountURLsFixed:
		n := v.l.URLLength
		if n <= 0 {
			n = 23
		}
		return textcount.Mastodon(s, n)
	default:
		return textcount.CodePoints(s)
	}
}

func (v *validator) text(field, s string) {
	if v.l.MaxText > 0 {
		if n := v.textLen(s); n > v.l.MaxText {
			v.count(field, int64(n), int64(v.l.MaxText), "characters")
		}
	}
	if v.l.MaxTextBytes > 0 && len(s) > v.l.MaxTextBytes {
		v.count(field, int64(len(s)), int64(v.l.MaxTextBytes), "bytes")
	}
}

func (v *validator) post(p *Post, prefix string, head bool) {
	l := v.l
	if p.Text == "" && len(p.Media) == 0 && p.Title == "" && p.Link == "" {
		v.reason(prefix+"text", "the post is empty: add text or media")
	}
	v.text(prefix+"text", p.Text)
	if l.MaxTitle > 0 {
		if n := textcount.CodePoints(p.Title); n > l.MaxTitle {
			v.count(prefix+"title", int64(n), int64(l.MaxTitle), "characters")
		}
	}
	if l.MaxHashtags > 0 {
		if n := len(textcount.Hashtags(p.Text)); n > l.MaxHashtags {
			v.countReason(prefix+"hashtags", int64(n), int64(l.MaxHashtags), "hashtags",
				fmt.Sprintf("the post has %d hashtags, %s allows %d", n, v.net, l.MaxHashtags))
		}
	}
	if l.MaxMentions > 0 {
		if n := len(textcount.Mentions(p.Text)); n > l.MaxMentions {
			v.countReason(prefix+"mentions", int64(n), int64(l.MaxMentions), "mentions",
				fmt.Sprintf("the post has %d mentions, %s allows %d", n, v.net, l.MaxMentions))
		}
	}
	v.media(p.Media, prefix)

	if p.FirstComment != "" {
		switch {
		case !head:
			v.reason(prefix+"first_comment", "only the first post of a thread can have a first comment")
		case !l.FirstComment:
			v.reason(prefix+"first_comment", v.net+" does not support a first comment")
		default:
			v.text(prefix+"first_comment", p.FirstComment)
		}
	}

	if len(p.Thread) == 0 {
		return
	}
	if !head {
		v.reason(prefix+"thread", "nested threads are not supported: put every follow-up post in the first post's Thread")
		return
	}
	if !l.Threads {
		v.reason("thread", v.net+" does not support threads: publish the posts separately")
		return
	}
	if n := 1 + len(p.Thread); l.MaxThread > 0 && n > l.MaxThread {
		v.countReason("thread", int64(n), int64(l.MaxThread), "posts",
			fmt.Sprintf("the thread has %d posts, %s allows %d", n, v.net, l.MaxThread))
	}
	for i := range p.Thread {
		v.post(&p.Thread[i], "thread["+strconv.Itoa(i)+"].", false)
	}
}

func (v *validator) media(media []Media, prefix string) {
	l := v.l
	if len(media) == 0 {
		if l.MediaRequired {
			v.reason(prefix+"media", v.net+" needs at least one image or video")
		}
		return
	}
	if l.NoMedia {
		v.reason(prefix+"media", v.net+" does not take attachments: remove the media")
		return
	}
	images, videos := 0, 0
	for i := range media {
		m := &media[i]
		f := prefix + "media[" + strconv.Itoa(i) + "]"
		switch m.Kind {
		case MediaImage:
			images++
		case MediaVideo, MediaGIF:
			videos++
		default:
			v.reason(f+".kind", "unknown media kind: set MediaImage, MediaVideo or MediaGIF")
		}
		v.source(f, m)
		v.mime(f, m)
		v.size(f, m)
		if m.Kind == MediaVideo && l.MaxVideoDuration > 0 && m.Duration > l.MaxVideoDuration {
			v.countReason(f, int64(m.Duration/time.Second), int64(l.MaxVideoDuration/time.Second), "seconds",
				fmt.Sprintf("the video lasts %v, %s allows %v", m.Duration.Round(time.Second), v.net, l.MaxVideoDuration))
		}
		if l.MaxAltText > 0 {
			if n := textcount.CodePoints(m.AltText); n > l.MaxAltText {
				v.count(f+".alt_text", int64(n), int64(l.MaxAltText), "characters")
			}
		}
	}
	if l.MaxImages > 0 && images > l.MaxImages {
		v.countReason(prefix+"media", int64(images), int64(l.MaxImages), "images",
			fmt.Sprintf("the post has %d images, %s allows %d", images, v.net, l.MaxImages))
	}
	if l.MaxVideos > 0 && videos > l.MaxVideos {
		v.countReason(prefix+"media", int64(videos), int64(l.MaxVideos), "videos",
			fmt.Sprintf("the post has %d videos or GIFs, %s allows %d", videos, v.net, l.MaxVideos))
	}
	if images > 0 && videos > 0 {
		if !l.MixedMedia {
			v.reason(prefix+"media", v.net+" cannot mix images with videos or GIFs in one post")
		} else if most := max(l.MaxImages, l.MaxVideos); most > 0 && images+videos > most {
			// A mixed post is a carousel: its size is the larger limit.
			n := images + videos
			v.countReason(prefix+"media", int64(n), int64(most), "attachments",
				fmt.Sprintf("the post has %d attachments, %s allows %d", n, v.net, most))
		}
	}
}

func (v *validator) source(f string, m *Media) {
	n := 0
	if m.Data != nil {
		n++
	}
	if m.Open != nil {
		n++
	}
	if m.URL != "" {
		n++
	}
	switch {
	case n == 0:
		v.reason(f, "has no bytes: set one of Data, Open or URL")
	case n > 1:
		v.reason(f, "has more than one source of bytes: set only one of Data, Open or URL")
	case m.Open != nil && m.Size <= 0:
		v.reason(f+".size", "is required with Open: set Size to the length in bytes")
	case m.Data != nil && len(m.Data) == 0:
		v.reason(f, "has no bytes: Data is empty")
	}
}

func (v *validator) mime(f string, m *Media) {
	mt := strings.ToLower(strings.TrimSpace(m.MIMEType))
	if i := strings.IndexByte(mt, ';'); i >= 0 {
		mt = strings.TrimSpace(mt[:i])
	}
	if mt == "" {
		v.reason(f+".mime_type", "is missing: set the MIME type, e.g. image/jpeg or video/mp4")
		return
	}
	var allowed []string
	switch m.Kind {
	case MediaImage:
		if !strings.HasPrefix(mt, "image/") {
			v.reason(f+".mime_type", mt+" is not an image type, but Kind is MediaImage")
			return
		}
		allowed = v.l.ImageTypes
	case MediaVideo:
		if !strings.HasPrefix(mt, "video/") {
			v.reason(f+".mime_type", mt+" is not a video type, but Kind is MediaVideo")
			return
		}
		allowed = v.l.VideoTypes
	case MediaGIF:
		if mt != "image/gif" {
			v.reason(f+".mime_type", mt+" is not image/gif, but Kind is MediaGIF")
			return
		}
		if v.l.ImageTypes != nil && !slices.Contains(v.l.ImageTypes, mt) && !slices.Contains(v.l.VideoTypes, mt) {
			v.reason(f+".mime_type", v.net+" does not accept GIFs")
		}
		return
	default:
		return
	}
	if allowed != nil && len(allowed) == 0 {
		v.reason(f+".mime_type", fmt.Sprintf("%s does not accept %ss", v.net, m.Kind))
		return
	}
	if allowed != nil && !slices.Contains(allowed, mt) {
		v.reason(f+".mime_type", fmt.Sprintf("%s does not accept %s (accepted: %s)", v.net, mt, strings.Join(allowed, ", ")))
	}
}

func (v *validator) size(f string, m *Media) {
	size := m.Size
	if m.Data != nil {
		size = int64(len(m.Data))
	}
	if size <= 0 {
		return // unknown (a URL the network fetches)
	}
	var limit int64
	kind := "image"
	switch m.Kind {
	case MediaImage:
		limit = v.l.MaxImageBytes
	case MediaVideo:
		limit, kind = v.l.MaxVideoBytes, "video"
	case MediaGIF:
		limit, kind = v.l.MaxVideoBytes, "GIF"
	}
	if limit > 0 && size > limit {
		got, lim := humanPair(size, limit)
		v.countReason(f, size, limit, "bytes", fmt.Sprintf("the %s is %s, %s allows %s", kind, got, v.net, lim))
	}
}

// humanPair formats two byte counts in decimal units (1 MB = 1,000,000
// bytes), falling back to exact bytes when rounding would make them look
// equal.
func humanPair(got, limit int64) (string, string) {
	g, l := humanBytes(got), humanBytes(limit)
	if g == l {
		return strconv.FormatInt(got, 10) + " bytes", strconv.FormatInt(limit, 10) + " bytes"
	}
	return g, l
}

func humanBytes(n int64) string {
	units := []struct {
		size int64
		name string
	}{{1_000_000_000, "GB"}, {1_000_000, "MB"}, {1_000, "kB"}}
	for _, u := range units {
		if n >= u.size {
			s := strconv.FormatFloat(float64(n)/float64(u.size), 'f', 1, 64)
			s = strings.TrimSuffix(s, ".0")
			return s + " " + u.name
		}
	}
	return strconv.FormatInt(n, 10) + " bytes"
}
