package bluesky

import (
	"bytes"
	"context"
	"encoding/json"
	"html"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/textcount"
	"github.com/cmkit/cmkit/connectors/transport"
)

// strongRef is com.atproto.repo.strongRef.
type strongRef struct {
	URI string `json:"uri"`
	CID string `json:"cid"`
}

// replyRef is app.bsky.feed.post#replyRef.
type replyRef struct {
	Root   strongRef `json:"root"`
	Parent strongRef `json:"parent"`
}

// facetJSON is app.bsky.richtext.facet.
type facetJSON struct {
	Index struct {
		ByteStart int `json:"byteStart"`
		ByteEnd   int `json:"byteEnd"`
	} `json:"index"`
	Features []map[string]string `json:"features"`
}

// selfLabels is com.atproto.label.defs#selfLabels.
type selfLabels struct {
	Type   string              `json:"$type"`
	Values []map[string]string `json:"values"`
}

// postRecord is app.bsky.feed.post.
type postRecord struct {
	Type      string          `json:"$type"`
	Text      string          `json:"text"`
	CreatedAt string          `json:"createdAt"`
	Langs     []string        `json:"langs,omitempty"`
	Facets    []facetJSON     `json:"facets,omitempty"`
	Reply     *replyRef       `json:"reply,omitempty"`
	Embed     json.RawMessage `json:"embed,omitempty"`
	Labels    *selfLabels     `json:"labels,omitempty"`
}

// recordOutput is the output of createRecord, putRecord and getRecord.
type recordOutput struct {
	URI   string          `json:"uri"`
	CID   string          `json:"cid"`
	Value json.RawMessage `json:"value"`
}

// published is one post written (or found) by a publish.
type published struct {
	ref       strongRef
	createdAt time.Time
}

// Publish publishes p, its images or link card and its thread; p.ReplyTo
// makes it a reply. With PublishOptions.IdempotencyKey, each post's record
// key is derived from the key, so a repeated publish returns the posts
// already written instead of writing them again.
func (d *Driver) Publish(ctx context.Context, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	var reply *replyRef
	if p.ReplyTo != "" {
		var err error
		if reply, err = d.replyTo(ctx, p.ReplyTo); err != nil {
			return driver.PublishResult{}, err
		}
	}
	return d.publishChain(ctx, p, reply, opts.IdempotencyKey)
}

// Reply publishes p as a reply to the post or reply parentID.
func (d *Driver) Reply(ctx context.Context, parentID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	reply, err := d.replyTo(ctx, parentID)
	if err != nil {
		return driver.PublishResult{}, err
	}
	return d.publishChain(ctx, p, reply, opts.IdempotencyKey)
}

// rkeyFor returns the record key of post i of a publish (0 the head, then
// the thread), or "" to let the PDS choose one.
func rkeyFor(key string, i int) string {
	if key == "" {
		return ""
	}
	if i == 0 {
		return keyTID(key)
	}
	return keyTID(key + "\x00thread\x00" + strconv.Itoa(i))
}

func (d *Driver) publishChain(ctx context.Context, p *driver.Post, reply *replyRef, key string) (driver.PublishResult, error) {
	did, handle, err := d.sess.identity(ctx)
	if err != nil {
		return driver.PublishResult{}, err
	}
	head, err := d.publishOne(ctx, did, p, reply, rkeyFor(key, 0))
	if err != nil {
		return driver.PublishResult{}, err
	}
	res := driver.PublishResult{Status: driver.Published, ID: head.ref.URI, URL: postURL(head.ref.URI, handle), PublishedAt: head.createdAt}
	root := head.ref
	if reply != nil {
		root = reply.Root
	}
	parent := head.ref
	for i := range p.Thread {
		next, err := d.publishOne(ctx, did, &p.Thread[i], &replyRef{Root: root, Parent: parent}, rkeyFor(key, i+1))
		if err != nil {
			return res, err
		}
		res.ThreadIDs = append(res.ThreadIDs, next.ref.URI)
		parent = next.ref
	}
	return res, nil
}

// postURL is the bsky.app permalink of a post URI.
func postURL(uri, handle string) string {
	u, ok := parseATURI(uri)
	if !ok {
		return ""
	}
	return "https://bsky.app/profile/" + profileName(u.Repo, handle) + "/post/" + u.RKey
}

// publishOne writes one post. With an rkey it first looks for the record,
// then writes it with putRecord and swapRecord null (create only if
// absent), so it never writes twice.
func (d *Driver) publishOne(ctx context.Context, did string, p *driver.Post, reply *replyRef, rkey string) (published, error) {
	if rkey != "" {
		got, err := d.getPost(ctx, did, rkey)
		if err == nil {
			return got, nil
		}
		if driver.CodeOf(err) != driver.NotFound {
			return published{}, err
		}
	}
	rec, err := d.buildRecord(ctx, p, reply)
	if err != nil {
		return published{}, err
	}
	var out recordOutput
	if rkey == "" {
		err = d.procedure(ctx, classCreate, "com.atproto.repo.createRecord", map[string]any{
			"repo": did, "collection": collPost, "record": rec,
		}, &out, false)
	} else {
		err = d.procedure(ctx, classCreate, "com.atproto.repo.putRecord", map[string]any{
			"repo": did, "collection": collPost, "rkey": rkey, "record": rec, "swapRecord": nil,
		}, &out, true)
		if isName(err, "InvalidSwap") {
			// Written concurrently, or by an attempt whose answer was lost.
			return d.getPost(ctx, did, rkey)
		}
	}
	if err != nil {
		return published{}, err
	}
	return published{ref: strongRef{URI: out.URI, CID: out.CID}, createdAt: parseTime(rec.CreatedAt)}, nil
}

// getRecord reads a record (com.atproto.repo.getRecord).
func (d *Driver) getRecord(ctx context.Context, repo, collection, rkey string) (recordOutput, error) {
	var out recordOutput
	err := d.get(ctx, classRead, "com.atproto.repo.getRecord", url.Values{
		"repo": {repo}, "collection": {collection}, "rkey": {rkey},
	}, &out)
	return out, err
}

func (d *Driver) getPost(ctx context.Context, did, rkey string) (published, error) {
	out, err := d.getRecord(ctx, did, collPost, rkey)
	if err != nil {
		return published{}, err
	}
	var rec postRecord
	_ = json.Unmarshal(out.Value, &rec)
	return published{ref: strongRef{URI: out.URI, CID: out.CID}, createdAt: parseTime(rec.CreatedAt)}, nil
}

// replyTo builds the reply refs of an answer to the post parentID: the
// parent's own root, or the parent when it is a root.
func (d *Driver) replyTo(ctx context.Context, parentID string) (*replyRef, error) {
	u, err := postURI(parentID)
	if err != nil {
		return nil, err
	}
	out, err := d.getRecord(ctx, u.Repo, u.Collection, u.RKey)
	if err != nil {
		return nil, err
	}
	parent := strongRef{URI: out.URI, CID: out.CID}
	if parent.URI == "" {
		parent.URI = parentID
	}
	var rec postRecord
	_ = json.Unmarshal(out.Value, &rec)
	ref := &replyRef{Root: parent, Parent: parent}
	if rec.Reply != nil && rec.Reply.Root.URI != "" && rec.Reply.Root.CID != "" {
		ref.Root = rec.Reply.Root
	}
	return ref, nil
}

// buildRecord makes the post record: text and facets, languages, images
// or link card, self-label, reply refs.
func (d *Driver) buildRecord(ctx context.Context, p *driver.Post, reply *replyRef) (*postRecord, error) {
	text := p.Text
	if p.Link != "" && len(p.Media) > 0 && !strings.Contains(text, p.Link) {
		// The images take the embed: keep the link in the text.
		if text != "" {
			text += "\n"
		}
		text += p.Link
	}
	rec := &postRecord{Type: collPost, Text: text, CreatedAt: formatTime(d.now()), Reply: reply}
	if p.Language != "" {
		rec.Langs = []string{p.Language}
	}
	var err error
	if rec.Facets, err = d.facets(ctx, text); err != nil {
		return nil, err
	}
	switch {
	case len(p.Media) > 0:
		if rec.Embed, err = d.imagesEmbed(ctx, p.Media); err != nil {
			return nil, err
		}
	case p.Link != "":
		rec.Embed = d.externalEmbed(ctx, p.Link)
	}
	if p.Sensitive {
		rec.Labels = &selfLabels{Type: "com.atproto.label.defs#selfLabels", Values: []map[string]string{{"val": d.sensitiveLabel}}}
	}
	return rec, nil
}

// facets computes the rich-text facets of text with UTF-8 byte ranges.
// Mentions are resolved to DIDs; a handle that does not resolve is left
// as plain text.
func (d *Driver) facets(ctx context.Context, text string) ([]facetJSON, error) {
	found := textcount.Facets(text)
	if len(found) == 0 {
		return nil, nil
	}
	dids := map[string]string{}
	out := make([]facetJSON, 0, len(found))
	for _, f := range found {
		var feature map[string]string
		switch f.Kind {
		case textcount.FacetLink:
			feature = map[string]string{"$type": "app.bsky.richtext.facet#link", "uri": f.Value}
		case textcount.FacetTag:
			feature = map[string]string{"$type": "app.bsky.richtext.facet#tag", "tag": f.Value}
		case textcount.FacetMention:
			h := strings.ToLower(f.Value)
			did, seen := dids[h]
			if !seen {
				var err error
				if did, err = d.resolveHandle(ctx, h); err != nil {
					return nil, err
				}
				dids[h] = did
			}
			if did == "" {
				continue
			}
			feature = map[string]string{"$type": "app.bsky.richtext.facet#mention", "did": did}
		default:
			continue
		}
		var fj facetJSON
		fj.Index.ByteStart, fj.Index.ByteEnd = f.Start, f.End
		fj.Features = []map[string]string{feature}
		out = append(out, fj)
	}
	return out, nil
}

// resolveHandle returns the DID of a mentioned handle, or "" when the
// handle does not resolve (not found, malformed). Other failures (rate
// limit, outage) are returned: nothing was published yet.
func (d *Driver) resolveHandle(ctx context.Context, handle string) (string, error) {
	if !validHandle(handle) {
		return "", nil
	}
	var out struct {
		DID string `json:"did"`
	}
	err := d.get(ctx, classRead, "com.atproto.identity.resolveHandle", url.Values{"handle": {handle}}, &out)
	switch driver.CodeOf(err) {
	case driver.Unknown:
		if err != nil {
			return "", err
		}
	case driver.NotFound, driver.InvalidContent:
		return "", nil
	default:
		return "", err
	}
	if !validDID(out.DID) {
		return "", nil
	}
	return out.DID, nil
}

// imagesEmbed uploads the images and returns app.bsky.embed.images.
func (d *Driver) imagesEmbed(ctx context.Context, media []driver.Media) (json.RawMessage, error) {
	type aspect struct {
		Width  int `json:"width"`
		Height int `json:"height"`
	}
	type image struct {
		Alt         string          `json:"alt"`
		Image       json.RawMessage `json:"image"`
		AspectRatio *aspect         `json:"aspectRatio,omitempty"`
	}
	images := make([]image, 0, len(media))
	for i := range media {
		m := &media[i]
		if m.Kind != driver.MediaImage && m.Kind != driver.MediaGIF {
			return nil, &driver.Error{Code: driver.Unsupported, Network: network, Message: "the bluesky driver uploads images only, not " + m.Kind.String() + "s"}
		}
		blob, err := d.uploadBlob(ctx, m)
		if err != nil {
			return nil, err
		}
		img := image{Alt: m.AltText, Image: blob}
		if m.Width > 0 && m.Height > 0 {
			img.AspectRatio = &aspect{Width: m.Width, Height: m.Height}
		}
		images = append(images, img)
	}
	return json.Marshal(map[string]any{"$type": "app.bsky.embed.images", "images": images})
}

// mediaBytes reads the bytes of an attachment: Data, Open, or a GET of URL
// (without the session's token), capped at max bytes.
func (d *Driver) mediaBytes(ctx context.Context, m *driver.Media, max int64) ([]byte, error) {
	switch {
	case m.Data != nil:
		return m.Data, nil
	case m.Open != nil:
		r, err := m.Open()
		if err != nil {
			return nil, &driver.Error{Code: driver.InvalidContent, Network: network, Message: "opening the media: " + err.Error(), Err: err}
		}
		defer r.Close()
		b, err := transport.ReadBody(r, max)
		if err != nil {
			return nil, &driver.Error{Code: driver.InvalidContent, Network: network, Message: "reading the media: " + err.Error(), Err: err}
		}
		return b, nil
	case m.URL != "":
		resp, err := d.pub.Do(ctx, &transport.Request{Path: m.URL, Class: classFetch, NoAuth: true, Header: http.Header{"Accept": {"*/*"}}})
		if err != nil {
			return nil, err
		}
		return resp.Body, nil
	}
	return nil, &driver.Error{Code: driver.InvalidContent, Network: network, Message: "the media has no bytes"}
}

// uploadBlob uploads an attachment and returns the blob object to embed.
// The upload is content-addressed, so repeating it is harmless.
func (d *Driver) uploadBlob(ctx context.Context, m *driver.Media) (json.RawMessage, error) {
	max := d.maxImageBytes
	if max <= 0 {
		max = describeLimits(0).MaxImageBytes
	}
	data, err := d.mediaBytes(ctx, m, max)
	if err != nil {
		return nil, err
	}
	var out struct {
		Blob json.RawMessage `json:"blob"`
	}
	err = d.call(ctx, &transport.Request{
		Method: http.MethodPost, Path: "/xrpc/com.atproto.repo.uploadBlob", Class: classBlob,
		Body: data, ContentType: m.MIMEType, Idempotent: true,
	}, &out)
	if err != nil {
		return nil, err
	}
	if len(bytes.TrimSpace(out.Blob)) == 0 || out.Blob[0] != '{' {
		return nil, &driver.Error{Code: driver.Unknown, Network: network, Message: "uploadBlob returned no blob"}
	}
	return out.Blob, nil
}

// externalEmbed returns app.bsky.embed.external for link, with the title
// and description of the page's Open Graph (or <title>) tags when
// link_cards is on and the page can be read; otherwise the link itself is
// the title.
func (d *Driver) externalEmbed(ctx context.Context, link string) json.RawMessage {
	card := linkCard{Title: link}
	if d.linkCards {
		if u, err := url.Parse(link); err == nil && (u.Scheme == "http" || u.Scheme == "https") {
			resp, err := d.pub.Do(ctx, &transport.Request{Path: link, Class: classFetch, NoAuth: true, Header: http.Header{"Accept": {"text/html"}}})
			if err == nil {
				if c := parseLinkCard(resp.Body); c.Title != "" {
					card.Title, card.Description = c.Title, c.Description
				}
			}
		}
	}
	b, _ := json.Marshal(map[string]any{"$type": "app.bsky.embed.external", "external": map[string]string{
		"uri": link, "title": card.Title, "description": card.Description,
	}})
	return b
}

// linkCard is what a page says about itself.
type linkCard struct {
	Title, Description string
}

// parseLinkCard reads og:title and og:description (or <title> and the
// description meta tag) from the head of an HTML page.
func parseLinkCard(page []byte) linkCard {
	if len(page) > 256<<10 {
		page = page[:256<<10]
	}
	s := string(page)
	lower := asciiLower(s)
	var c linkCard
	meta := map[string]string{}
	for i := 0; ; {
		j := strings.Index(lower[i:], "<meta")
		if j < 0 {
			break
		}
		start := i + j
		end := strings.IndexByte(lower[start:], '>')
		if end < 0 {
			break
		}
		tag := s[start : start+end]
		key := attr(tag, "property")
		if key == "" {
			key = attr(tag, "name")
		}
		key = asciiLower(key)
		if _, dup := meta[key]; key != "" && !dup {
			meta[key] = attr(tag, "content")
		}
		i = start + end
	}
	c.Title = meta["og:title"]
	if c.Title == "" {
		if i := strings.Index(lower, "<title"); i >= 0 {
			if j := strings.IndexByte(lower[i:], '>'); j >= 0 {
				rest := s[i+j+1:]
				if k := strings.Index(asciiLower(rest), "</title"); k >= 0 {
					c.Title = rest[:k]
				}
			}
		}
	}
	c.Description = meta["og:description"]
	if c.Description == "" {
		c.Description = meta["description"]
	}
	c.Title = clean(c.Title, 300)
	c.Description = clean(c.Description, 1000)
	return c
}

// attr returns the value of a quoted attribute in an HTML tag.
func attr(tag, name string) string {
	lower := asciiLower(tag)
	for i := 0; ; {
		j := strings.Index(lower[i:], name)
		if j < 0 {
			return ""
		}
		k := i + j + len(name)
		i = k
		if j := i - len(name) - 1; j >= 0 && lower[j] != ' ' && lower[j] != '\t' && lower[j] != '\n' {
			continue
		}
		rest := strings.TrimLeft(tag[k:], " \t\n")
		if !strings.HasPrefix(rest, "=") {
			continue
		}
		rest = strings.TrimLeft(rest[1:], " \t\n")
		if rest == "" {
			return ""
		}
		q := rest[0]
		if q != '"' && q != '\'' {
			end := strings.IndexAny(rest, " \t\n/")
			if end < 0 {
				end = len(rest)
			}
			return html.UnescapeString(rest[:end])
		}
		end := strings.IndexByte(rest[1:], q)
		if end < 0 {
			return ""
		}
		return html.UnescapeString(rest[1 : 1+end])
	}
}

// asciiLower lower-cases ASCII letters only, so that byte offsets in the
// result are offsets in s (strings.ToLower may change lengths).
func asciiLower(s string) string {
	b := []byte(s)
	for i, c := range b {
		if c >= 'A' && c <= 'Z' {
			b[i] = c + 'a' - 'A'
		}
	}
	return string(b)
}

// clean unescapes entities, collapses white space and caps the length in
// bytes at a character boundary.
func clean(s string, max int) string {
	s = strings.Join(strings.Fields(html.UnescapeString(s)), " ")
	if len(s) > max {
		cut := max
		for cut > 0 && !utf8RuneStart(s[cut]) {
			cut--
		}
		s = s[:cut]
	}
	return s
}

func utf8RuneStart(b byte) bool { return b&0xC0 != 0x80 }

// DeletePost deletes one of the account's posts. A post that does not
// exist (or no longer does) is NotFound.
func (d *Driver) DeletePost(ctx context.Context, postID string) error {
	u, err := postURI(postID)
	if err != nil {
		return err
	}
	did, err := d.did(ctx)
	if err != nil {
		return err
	}
	if u.Repo != did {
		return &driver.Error{Code: driver.PermissionDenied, Network: network, Message: "post " + postID + " is not the account's: Bluesky deletes only one's own records"}
	}
	rec, err := d.getRecord(ctx, did, collPost, u.RKey)
	if err != nil {
		return err
	}
	// swapRecord: delete the record read, and learn (InvalidSwap) when it
	// is already gone; deleteRecord alone succeeds on a missing record.
	err = d.procedure(ctx, classDelete, "com.atproto.repo.deleteRecord", map[string]any{
		"repo": did, "collection": collPost, "rkey": u.RKey, "swapRecord": rec.CID,
	}, nil, true)
	if isName(err, "InvalidSwap") {
		return &driver.Error{Code: driver.NotFound, Network: network, Message: "post " + postID + " was deleted meanwhile", Err: err}
	}
	return err
}

// FindPost finds the post published with idempotencyKey (its record key
// is derived from the key). Without a key it looks for p's text among
// the account's 50 most recent posts.
func (d *Driver) FindPost(ctx context.Context, idempotencyKey string, p *driver.Post) (driver.PublishResult, error) {
	did, handle, err := d.sess.identity(ctx)
	if err != nil {
		return driver.PublishResult{}, err
	}
	if idempotencyKey != "" {
		got, err := d.getPost(ctx, did, keyTID(idempotencyKey))
		if err != nil {
			return driver.PublishResult{}, err
		}
		return driver.PublishResult{Status: driver.Published, ID: got.ref.URI, URL: postURL(got.ref.URI, handle), PublishedAt: got.createdAt}, nil
	}
	if p == nil || p.Text == "" {
		return driver.PublishResult{}, &driver.Error{Code: driver.InvalidContent, Network: network, Message: "FindPost needs an idempotency key or a post text"}
	}
	var out struct {
		Records []recordOutput `json:"records"`
	}
	if err := d.get(ctx, classRead, "com.atproto.repo.listRecords", url.Values{
		"repo": {did}, "collection": {collPost}, "limit": {"50"},
	}, &out); err != nil {
		return driver.PublishResult{}, err
	}
	for _, r := range out.Records {
		var rec postRecord
		if json.Unmarshal(r.Value, &rec) == nil && (rec.Text == p.Text || p.Link != "" && rec.Text == p.Text+"\n"+p.Link) {
			return driver.PublishResult{Status: driver.Published, ID: r.URI, URL: postURL(r.URI, handle), PublishedAt: parseTime(rec.CreatedAt)}, nil
		}
	}
	return driver.PublishResult{}, &driver.Error{Code: driver.NotFound, Network: network, Message: "no recent post has this text"}
}
