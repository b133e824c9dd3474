package memconnector

import (
	"io"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/cmkit/cmkit/connectors/driver"
)

type itemKind uint8

const (
	kindPost itemKind = iota + 1
	kindComment
	kindMessage
)

// item is a post, a comment (or reply) or a direct message.
type item struct {
	seq    uint64
	id     string
	kind   itemKind
	author *user
	draft
	createdAt, editedAt time.Time
	deleted, hidden     bool
	idemKey             string

	// parent is the previous post of a thread (posts), or what a comment
	// answers (a post or a comment).
	parent *item
	// post is the post a comment belongs to.
	post *item
	// comments are a post's comments and replies, in creation order.
	comments     []*item
	liveComments int64
	// mentioned are users mentioned explicitly (Network.Mention).
	mentioned []*user
	likers    map[*user]struct{}
	eng       Engagement
	conv      *conversation
}

// conversation is a private conversation between two users.
type conversation struct {
	id   string
	a, b *user
}

func (c *conversation) other(u *user) *user {
	if c.a == u {
		return c.b
	}
	return c.a
}

// container is a publish waiting to go live (PendingChecks).
type container struct {
	id     string
	owner  *user
	draft  *draft
	key    string
	checks int
	result *driver.PublishResult
}

// mediaInfo is what the network keeps of an attachment.
type mediaInfo struct {
	kind          driver.MediaKind
	mime, alt     string
	filename, url string
	size          int64
	width, height int
	duration      time.Duration
}

func (m mediaInfo) public() driver.Media {
	return driver.Media{Kind: m.kind, MIMEType: m.mime, AltText: m.alt, Filename: m.filename,
		Size: m.size, Width: m.width, Height: m.height, Duration: m.duration, URL: m.url}
}

// draft is the content of a post, comment or message once received.
type draft struct {
	text, title, link, lang string
	media                   []mediaInfo
	tags                    []string
	sensitive               bool
	spoiler                 string
	replyTo                 string
	thread                  []draft
	firstComment            string
}

func (d *draft) hasMedia() bool {
	if len(d.media) > 0 {
		return true
	}
	for i := range d.thread {
		if len(d.thread[i].media) > 0 {
			return true
		}
	}
	return false
}

func (d *draft) hasVideo() bool {
	for _, m := range d.media {
		if m.kind == driver.MediaVideo {
			return true
		}
	}
	return false
}

// receive checks that p is structurally possible on the network and reads
// its media, as the network's upload would. field prefixes error fields
// ("thread[1]."). It never holds the lock: Media.Open may be slow.
func (n *Network) receive(p *driver.Post, field string, top bool) (draft, error) {
	if p == nil {
		return draft{}, n.invalid(strings.TrimSuffix(field, "."), "post is nil")
	}
	if p.Text == "" && p.Title == "" && p.Link == "" && len(p.Media) == 0 {
		return draft{}, n.invalid(field+"text", "post is empty: it needs text, a title, a link or media")
	}
	for _, f := range [...]struct{ name, s string }{{"text", p.Text}, {"title", p.Title}, {"link", p.Link},
		{"first_comment", p.FirstComment}, {"spoiler_text", p.SpoilerText}} {
		if !utf8.ValidString(f.s) {
			return draft{}, n.invalid(field+f.name, "not valid UTF-8")
		}
	}
	if len(p.Media) > 0 && n.limits.NoMedia {
		return draft{}, n.errf(driver.Unsupported, "%s takes no media", n.display)
	}
	if p.FirstComment != "" {
		if !top {
			return draft{}, n.invalid(field+"first_comment", "only the head of a thread has a first comment")
		}
		if !n.limits.FirstComment {
			return draft{}, n.errf(driver.Unsupported, "%s has no first comments", n.display)
		}
	}
	if len(p.Thread) > 0 {
		if !top {
			return draft{}, n.invalid(field+"thread", "a thread post cannot have its own thread")
		}
		if !n.limits.Threads {
			return draft{}, n.errf(driver.Unsupported, "%s has no threads", n.display)
		}
	}
	if !top && p.ReplyTo != "" {
		return draft{}, n.invalid(field+"reply_to", "a thread post replies to the previous one")
	}
	d := draft{
		text: p.Text, title: p.Title, link: p.Link, lang: p.Language,
		tags: append([]string(nil), p.Tags...), sensitive: p.Sensitive, spoiler: p.SpoilerText,
		replyTo: p.ReplyTo, firstComment: p.FirstComment,
	}
	for i := range p.Media {
		m, err := n.receiveMedia(&p.Media[i], field+"media["+strconv.Itoa(i)+"]")
		if err != nil {
			return draft{}, err
		}
		d.media = append(d.media, m)
	}
	for i := range p.Thread {
		t, err := n.receive(&p.Thread[i], field+"thread["+strconv.Itoa(i)+"].", false)
		if err != nil {
			return draft{}, err
		}
		d.thread = append(d.thread, t)
	}
	return d, nil
}

func (n *Network) receiveMedia(m *driver.Media, field string) (mediaInfo, error) {
	if m.Kind < driver.MediaImage || m.Kind > driver.MediaGIF {
		return mediaInfo{}, n.invalid(field+".kind", "unknown media kind "+strconv.Itoa(int(m.Kind)))
	}
	if m.MIMEType == "" {
		return mediaInfo{}, n.invalid(field+".mime_type", "MIME type is required")
	}
	sources := 0
	if m.Data != nil {
		sources++
	}
	if m.Open != nil {
		sources++
	}
	if m.URL != "" {
		sources++
	}
	if sources != 1 {
		return mediaInfo{}, n.invalid(field, "exactly one of Data, Open or URL must provide the bytes")
	}
	mi := mediaInfo{kind: m.Kind, mime: m.MIMEType, alt: m.AltText, filename: m.Filename,
		url: m.URL, size: m.Size, width: m.Width, height: m.Height, duration: m.Duration}
	switch {
	case m.Data != nil:
		mi.size = int64(len(m.Data))
	case m.Open != nil:
		rc, err := m.Open()
		if err != nil {
			e := n.errf(driver.InvalidContent, "%s: cannot open: %v", field, err)
			e.Err = err
			return mediaInfo{}, e
		}
		size, err := io.Copy(io.Discard, rc)
		cerr := rc.Close()
		if err == nil {
			err = cerr
		}
		if err != nil {
			e := n.errf(driver.InvalidContent, "%s: cannot read: %v", field, err)
			e.Err = err
			return mediaInfo{}, e
		}
		mi.size = size
	}
	return mi, nil
}

// liveLocked returns the item id if it exists and is not deleted (nor is
// the post it belongs to).
func (n *Network) liveLocked(id string) (*item, error) {
	it, ok := n.items[id]
	if !ok || it.deleted || (it.post != nil && it.post.deleted) {
		return nil, n.errf(driver.NotFound, "no post, comment or message %q", id)
	}
	return it, nil
}

func (n *Network) itemURL(it *item) string {
	switch it.kind {
	case kindPost:
		return n.profileURL(it.author) + "/" + it.id
	case kindComment:
		return n.profileURL(it.post.author) + "/" + it.post.id + "?comment=" + it.id
	}
	return ""
}

func (n *Network) newItem(kind itemKind, author *user, d draft, at time.Time) *item {
	letter := byte('p')
	switch kind {
	case kindComment:
		letter = 'c'
	case kindMessage:
		letter = 'm'
	}
	it := &item{id: n.nextID(letter), kind: kind, author: author, draft: d, createdAt: at}
	it.seq = n.seq
	it.draft.thread = nil
	it.draft.firstComment = ""
	it.draft.replyTo = ""
	n.items[it.id] = it
	return it
}

// newPostLocked creates a top-level post (parent: previous thread post).
func (n *Network) newPostLocked(author *user, d draft, parent *item, at time.Time, mentioned ...*user) *item {
	it := n.newItem(kindPost, author, d, at)
	it.parent = parent
	it.mentioned = mentioned
	author.posts = append(author.posts, it)
	author.livePosts++
	n.indexMentionsLocked(it)
	return it
}

// newCommentLocked creates a comment on a post, or a reply to a comment.
func (n *Network) newCommentLocked(author *user, parent *item, d draft, at time.Time) *item {
	it := n.newItem(kindComment, author, d, at)
	it.parent = parent
	it.post = parent
	if parent.kind == kindComment {
		it.post = parent.post
	}
	it.post.comments = append(it.post.comments, it)
	it.post.liveComments++
	author.comments = append(author.comments, it)
	n.indexMentionsLocked(it)
	return it
}

// indexMentionsLocked adds it to the mentions of every user it mentions,
// except its author and, for a comment, the author of the post (who sees
// it among the post's comments).
func (n *Network) indexMentionsLocked(it *item) {
	var seen []*user
	add := func(u *user) {
		if u == it.author || (it.post != nil && it.post.author == u) {
			return
		}
		for _, s := range seen {
			if s == u {
				return
			}
		}
		seen = append(seen, u)
		u.mentions = append(u.mentions, it)
	}
	for _, u := range it.mentioned {
		add(u)
	}
	text := it.text
	for i := 0; i < len(text); i++ {
		if text[i] != '@' {
			continue
		}
		if i > 0 {
			c := text[i-1]
			if c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' {
				continue
			}
		}
		j := i + 1
		for j < len(text) {
			c := text[j]
			if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.' || c == '-') {
				break
			}
			j++
		}
		h := strings.TrimRight(text[i+1:j], ".-")
		if h == "" {
			continue
		}
		if u, ok := n.users[strings.ToLower(h)]; ok {
			add(u)
		}
		i = j - 1
	}
}

// deleteCommentLocked deletes c and the replies under it.
func deleteCommentLocked(c *item) {
	c.deleted = true
	c.post.liveComments--
	for _, r := range c.post.comments {
		if r.seq <= c.seq || r.deleted {
			continue
		}
		for p := r.parent; p != nil && p.kind == kindComment; p = p.parent {
			if p == c {
				r.deleted = true
				c.post.liveComments--
				break
			}
		}
	}
}

func (n *Network) interactionLocked(it *item, kind driver.InteractionKind) driver.Interaction {
	in := driver.Interaction{
		Kind:      kind,
		ID:        it.id,
		Network:   n.name,
		Author:    n.authorOf(it.author),
		Text:      it.text,
		Language:  it.lang,
		CreatedAt: it.createdAt,
		URL:       n.itemURL(it),
		Hidden:    it.hidden,
	}
	switch it.kind {
	case kindComment:
		in.PostID = it.post.id
		in.ParentID = it.parent.id
	case kindPost:
		if it.parent != nil {
			in.ParentID = it.parent.id
		}
	case kindMessage:
		in.ConversationID = it.conv.id
	}
	return in
}

func (n *Network) commentView(it *item) driver.Interaction {
	kind := driver.Comment
	if it.parent.kind == kindComment {
		kind = driver.Reply
	}
	return n.interactionLocked(it, kind)
}

func (n *Network) mentionView(it *item) driver.Interaction {
	return n.interactionLocked(it, driver.Mention)
}

func (n *Network) messageView(it *item) driver.Interaction {
	return n.interactionLocked(it, driver.DirectMessage)
}

func (n *Network) isLive(it *item) bool {
	return !it.deleted && (it.post == nil || !it.post.deleted)
}

// Page sizes.
const (
	defaultPageSize = 50
	maxPageSize     = 100
)

const cursorPrefix = "mc"

func encodeCursor(seq uint64) string {
	return cursorPrefix + strconv.FormatUint(seq, 36)
}

func (n *Network) decodeCursor(c string) (uint64, error) {
	if c == "" {
		return 0, nil
	}
	if !strings.HasPrefix(c, cursorPrefix) {
		return 0, n.invalid("cursor", "malformed cursor "+strconv.Quote(c))
	}
	seq, err := strconv.ParseUint(c[len(cursorPrefix):], 36, 64)
	if err != nil {
		return 0, n.invalid("cursor", "malformed cursor "+strconv.Quote(c))
	}
	return seq, nil
}

// pageLocked returns the page of list (sorted by seq) after req.Cursor.
// Items are identified by their sequence number, which never shifts when
// items are deleted, so pages neither repeat nor skip.
func (n *Network) pageLocked(list []*item, req driver.PageRequest, view func(*item) driver.Interaction) (driver.InteractionPage, error) {
	after, err := n.decodeCursor(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	limit := req.Limit
	switch {
	case limit < 0:
		return driver.InteractionPage{}, n.invalid("limit", "negative page size "+strconv.Itoa(limit))
	case limit == 0:
		limit = defaultPageSize
	case limit > maxPageSize:
		limit = maxPageSize
	}
	// Binary search for the first item after the cursor.
	lo, hi := 0, len(list)
	for lo < hi {
		m := int(uint(lo+hi) >> 1)
		if list[m].seq <= after {
			lo = m + 1
		} else {
			hi = m
		}
	}
	var page driver.InteractionPage
	last := after
	for _, it := range list[lo:] {
		if !n.isLive(it) || (!req.Since.IsZero() && it.createdAt.Before(req.Since)) {
			last = it.seq
			continue
		}
		if len(page.Items) == limit {
			page.More = true
			break
		}
		page.Items = append(page.Items, view(it))
		last = it.seq
	}
	page.Next = encodeCursor(last)
	return page, nil
}

func (e *Engagement) add(o Engagement) {
	e.Impressions += o.Impressions
	e.Reach += o.Reach
	e.Likes += o.Likes
	e.Shares += o.Shares
	e.Saves += o.Saves
	e.Clicks += o.Clicks
	e.VideoViews += o.VideoViews
}
