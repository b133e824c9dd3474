package memconnector_test

import (
	"context"
	"errors"
	"io"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/memconnector"
)

var t0 = time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)

// tick returns a clock that advances one second per reading.
func tick() func() time.Time {
	var n atomic.Int64
	return func() time.Time { return t0.Add(time.Duration(n.Add(1)) * time.Second) }
}

// drv is every driver interface at once.
type drv interface {
	driver.Driver
	driver.Deleter
	driver.Editor
	driver.CommentLister
	driver.MentionLister
	driver.Replier
	driver.CommentHider
	driver.CommentDeleter
	driver.Liker
	driver.PostMetricsReader
	driver.AccountMetricsReader
	driver.MessageLister
	driver.MessageSender
	driver.PendingResolver
	driver.PostFinder
	driver.Aser
	driver.ErrorAser
	io.Closer
}

func newNet(t testing.TB, opts *memconnector.NetworkOptions) *memconnector.Network {
	t.Helper()
	if opts == nil {
		opts = &memconnector.NetworkOptions{}
	}
	if opts.Now == nil {
		opts.Now = tick()
	}
	return memconnector.NewNetwork(opts)
}

func open(t testing.TB, n *memconnector.Network, handle string) drv {
	t.Helper()
	d, err := n.Driver(handle)
	require.NoError(t, err)
	dd, ok := d.(drv)
	require.True(t, ok, "the driver implements every interface")
	return dd
}

func publish(t testing.TB, d drv, text string) string {
	t.Helper()
	res, err := d.Publish(context.Background(), &driver.Post{Text: text}, driver.PublishOptions{})
	require.NoError(t, err)
	require.Equal(t, driver.Published, res.Status)
	return res.ID
}

func listAll(t testing.TB, list func(driver.PageRequest) (driver.InteractionPage, error)) []driver.Interaction {
	t.Helper()
	var all []driver.Interaction
	cursor := ""
	for range 1000 {
		pg, err := list(driver.PageRequest{Cursor: cursor, Limit: 2})
		require.NoError(t, err)
		require.NotEmpty(t, pg.Next)
		all = append(all, pg.Items...)
		if len(pg.Items) == 0 {
			require.False(t, pg.More)
			return all
		}
		cursor = pg.Next
	}
	t.Fatal("listing does not end")
	return nil
}

func idsOf(items []driver.Interaction) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func TestDescribe(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name     string
		opts     memconnector.NetworkOptions
		network  string
		display  string
		maxText  int
		threads  bool
		declined driver.Capabilities
	}{
		{name: "default", network: "mem", display: "Mem", maxText: 10000, threads: true},
		{name: "named", opts: memconnector.NetworkOptions{Name: "fake", DisplayName: "Fake"}, network: "fake", display: "Fake", maxText: 10000, threads: true},
		{name: "x profile", opts: memconnector.NetworkOptions{Profile: "x"}, network: "mem", display: "Mem (x limits)", maxText: 280, threads: true},
		{name: "instagram profile", opts: memconnector.NetworkOptions{Profile: "instagram"}, network: "mem", display: "Mem (instagram limits)", maxText: 2200},
		{name: "explicit limits", opts: memconnector.NetworkOptions{Limits: &driver.Limits{MaxText: 42}}, network: "mem", display: "Mem", maxText: 42},
		{name: "declined", opts: memconnector.NetworkOptions{Declined: driver.CapPostMetrics}, network: "mem", display: "Mem", maxText: 10000, threads: true, declined: driver.CapPostMetrics},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNet(t, &tt.opts)
			d := open(t, n, "@Brand")
			desc, err := d.Describe(ctx)
			require.NoError(t, err)
			require.Equal(t, tt.network, desc.Network)
			require.Equal(t, tt.display, desc.DisplayName)
			require.Equal(t, "Brand", desc.Handle)
			require.NotEmpty(t, desc.AccountID)
			require.Equal(t, "https://"+tt.network+".invalid/@Brand", desc.URL)
			require.Equal(t, tt.maxText, desc.Limits.MaxText)
			require.Equal(t, tt.threads, desc.Limits.Threads)
			require.True(t, desc.Idempotent)
			require.Equal(t, tt.declined, desc.Declined)
		})
	}
	t.Run("unknown profile", func(t *testing.T) {
		n := newNet(t, &memconnector.NetworkOptions{Profile: "myspace"})
		_, err := n.Driver("brand")
		require.ErrorContains(t, err, "myspace")
		_, err = n.Account(ctx, "brand", nil)
		require.Error(t, err)
	})
	t.Run("bad handle", func(t *testing.T) {
		n := newNet(t, nil)
		for _, h := range []string{"", "@", "a b", strings.Repeat("a", 65), "é"} {
			_, err := n.Driver(h)
			require.ErrorIs(t, err, driver.ErrInvalidContent, h)
		}
	})
	t.Run("handles are case-insensitive", func(t *testing.T) {
		n := newNet(t, nil)
		a, b := open(t, n, "Brand"), open(t, n, "brand")
		da, _ := a.Describe(ctx)
		db, _ := b.Describe(ctx)
		require.Equal(t, da.AccountID, db.AccountID)
	})
}

func TestPublish(t *testing.T) {
	ctx := context.Background()
	n := newNet(t, nil)
	d := open(t, n, "brand")
	var prev int
	for i := range 5 {
		res, err := d.Publish(ctx, &driver.Post{Text: "post", Title: "T", Link: "https://example.com",
			Tags: []string{"a"}, Language: "fr"}, driver.PublishOptions{})
		require.NoError(t, err)
		require.Equal(t, driver.Published, res.Status)
		require.True(t, strings.HasPrefix(res.ID, "p"))
		num := 0
		for _, c := range res.ID[1:] {
			num = num*10 + int(c-'0')
		}
		require.Greater(t, num, prev, "IDs grow: %d", i)
		prev = num
		require.Equal(t, "https://mem.invalid/@brand/"+res.ID, res.URL)
		require.False(t, res.PublishedAt.IsZero())
	}
	posts := n.Posts("brand")
	require.Len(t, posts, 5)
	require.Equal(t, "post", posts[0].Text)
	require.Equal(t, "T", posts[0].Title)
	require.Equal(t, []string{"a"}, posts[0].Tags)
	require.EqualValues(t, 5, n.PublishCount("brand"))
	require.EqualValues(t, 5, n.Calls(memconnector.OpPublish))
	require.Nil(t, n.Posts("nobody"))
	require.Zero(t, n.PublishCount("nobody"))

	t.Run("media is read", func(t *testing.T) {
		opened := 0
		res, err := d.Publish(ctx, &driver.Post{Text: "m", Media: []driver.Media{
			{Kind: driver.MediaImage, MIMEType: "image/png", Data: []byte("png"), AltText: "alt"},
			{Kind: driver.MediaVideo, MIMEType: "video/mp4", Open: func() (io.ReadCloser, error) {
				opened++
				return io.NopCloser(strings.NewReader("12345")), nil
			}},
			{Kind: driver.MediaImage, MIMEType: "image/jpeg", URL: "https://example.com/a.jpg", Size: 7},
		}}, driver.PublishOptions{})
		require.NoError(t, err)
		require.Equal(t, 1, opened)
		posts := n.Posts("brand")
		last := posts[len(posts)-1]
		require.Equal(t, res.ID, last.ID)
		require.Len(t, last.Media, 3)
		require.EqualValues(t, 3, last.Media[0].Size)
		require.EqualValues(t, 5, last.Media[1].Size)
		require.EqualValues(t, 7, last.Media[2].Size)
		require.Nil(t, last.Media[0].Data)
	})

	t.Run("thread and first comment", func(t *testing.T) {
		res, err := d.Publish(ctx, &driver.Post{Text: "1/3", FirstComment: "link in here",
			Thread: []driver.Post{{Text: "2/3"}, {Text: "3/3"}}}, driver.PublishOptions{})
		require.NoError(t, err)
		require.Len(t, res.ThreadIDs, 2)
		require.NotEmpty(t, res.FirstCommentID)
		posts := n.Posts("brand")
		byID := map[string]memconnector.StoredPost{}
		for _, p := range posts {
			byID[p.ID] = p
		}
		require.Empty(t, byID[res.ID].ParentID)
		require.Equal(t, res.ID, byID[res.ThreadIDs[0]].ParentID)
		require.Equal(t, res.ThreadIDs[0], byID[res.ThreadIDs[1]].ParentID)
		items := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListComments(ctx, res.ID, r) })
		require.Len(t, items, 1)
		require.Equal(t, res.FirstCommentID, items[0].ID)
		require.Equal(t, "brand", items[0].Author.Handle)
		require.Equal(t, driver.Comment, items[0].Kind)
	})

	t.Run("publish with ReplyTo is a reply", func(t *testing.T) {
		p := publish(t, d, "parent")
		res, err := d.Publish(ctx, &driver.Post{Text: "answer", ReplyTo: p}, driver.PublishOptions{})
		require.NoError(t, err)
		require.True(t, strings.HasPrefix(res.ID, "c"))
		items := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListComments(ctx, p, r) })
		require.Equal(t, []string{res.ID}, idsOf(items))
		require.Equal(t, p, items[0].ParentID)
	})
}

func TestStructuralErrors(t *testing.T) {
	ctx := context.Background()
	n := newNet(t, nil)
	d := open(t, n, "brand")
	img := driver.Media{Kind: driver.MediaImage, MIMEType: "image/png", Data: []byte{1}}
	tests := []struct {
		name string
		post *driver.Post
		want error
	}{
		{"nil", nil, driver.ErrInvalidContent},
		{"empty", &driver.Post{}, driver.ErrInvalidContent},
		{"media without bytes", &driver.Post{Text: "x", Media: []driver.Media{{Kind: driver.MediaImage, MIMEType: "image/png"}}}, driver.ErrInvalidContent},
		{"media with two sources", &driver.Post{Text: "x", Media: []driver.Media{{Kind: driver.MediaImage, MIMEType: "image/png", Data: []byte{1}, URL: "https://e.com/a"}}}, driver.ErrInvalidContent},
		{"media kind", &driver.Post{Text: "x", Media: []driver.Media{{Kind: 9, MIMEType: "image/png", Data: []byte{1}}}}, driver.ErrInvalidContent},
		{"media MIME", &driver.Post{Text: "x", Media: []driver.Media{{Kind: driver.MediaImage, Data: []byte{1}}}}, driver.ErrInvalidContent},
		{"media open fails", &driver.Post{Text: "x", Media: []driver.Media{{Kind: driver.MediaImage, MIMEType: "image/png",
			Open: func() (io.ReadCloser, error) { return nil, errors.New("gone") }}}}, driver.ErrInvalidContent},
		{"invalid UTF-8", &driver.Post{Text: "\xff"}, driver.ErrInvalidContent},
		{"nested thread", &driver.Post{Text: "x", Thread: []driver.Post{{Text: "y", Thread: []driver.Post{{Text: "z"}}}}}, driver.ErrInvalidContent},
		{"empty thread post", &driver.Post{Text: "x", Thread: []driver.Post{{}}}, driver.ErrInvalidContent},
		{"thread post replying", &driver.Post{Text: "x", Thread: []driver.Post{{Text: "y", ReplyTo: "p1"}}}, driver.ErrInvalidContent},
		{"thread post with first comment", &driver.Post{Text: "x", Thread: []driver.Post{{Text: "y", FirstComment: "z"}}}, driver.ErrInvalidContent},
		{"reply with first comment", &driver.Post{Text: "x", ReplyTo: "p1", FirstComment: "z"}, driver.ErrInvalidContent},
		{"reply to unknown", &driver.Post{Text: "x", ReplyTo: "nope"}, driver.ErrNotFound},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := d.Publish(ctx, tt.post, driver.PublishOptions{})
			require.ErrorIs(t, err, tt.want)
			if errors.Is(tt.want, driver.ErrInvalidContent) {
				require.Equal(t, driver.InvalidContent, driver.CodeOf(err))
			}
		})
	}
	require.Empty(t, n.Posts("brand"), "nothing was published")

	t.Run("limits without threads, first comments or media", func(t *testing.T) {
		n := newNet(t, &memconnector.NetworkOptions{Limits: &driver.Limits{NoMedia: true}})
		d := open(t, n, "brand")
		for _, p := range []*driver.Post{
			{Text: "x", Thread: []driver.Post{{Text: "y"}}},
			{Text: "x", FirstComment: "y"},
			{Text: "x", Media: []driver.Media{img}},
		} {
			_, err := d.Publish(ctx, p, driver.PublishOptions{})
			require.ErrorIs(t, err, driver.ErrUnsupported)
		}
	})
	t.Run("listing arguments", func(t *testing.T) {
		p := publish(t, d, "p")
		_, err := d.ListComments(ctx, p, driver.PageRequest{Limit: -1})
		require.ErrorIs(t, err, driver.ErrInvalidContent)
		for _, c := range []string{"garbage", "mc", "mc!!", "p1"} {
			_, err = d.ListComments(ctx, p, driver.PageRequest{Cursor: c})
			require.ErrorIs(t, err, driver.ErrInvalidContent, c)
		}
		_, err = d.ListMentions(ctx, driver.PageRequest{Cursor: "x"})
		require.ErrorIs(t, err, driver.ErrInvalidContent)
	})
	t.Run("other calls", func(t *testing.T) {
		_, err := d.Reply(ctx, "", &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrInvalidContent)
		_, err = d.CheckPending(ctx, nil)
		require.ErrorIs(t, err, driver.ErrInvalidContent)
		_, err = d.CheckPending(ctx, []byte("x999"))
		require.ErrorIs(t, err, driver.ErrNotFound)
		_, err = d.FindPost(ctx, "", nil)
		require.ErrorIs(t, err, driver.ErrInvalidContent)
		_, err = d.SendMessage(ctx, "", &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrInvalidContent)
		_, err = d.SendMessage(ctx, "someone", &driver.Post{Text: "x", Thread: []driver.Post{{Text: "y"}}}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrInvalidContent)
		_, err = d.EditPost(ctx, "p1", nil)
		require.ErrorIs(t, err, driver.ErrInvalidContent)
		//lint:ignore SA1012 a nil context is outside input the driver must survive
		_, err = d.Publish(nil, &driver.Post{Text: "x"}, driver.PublishOptions{}) //nolint:staticcheck
		require.ErrorIs(t, err, driver.ErrInvalidContent)
	})
}

func TestDeleteAndEdit(t *testing.T) {
	ctx := context.Background()
	n := newNet(t, nil)
	d, other := open(t, n, "brand"), open(t, n, "rival")
	p := publish(t, d, "hello")
	c, err := n.Comment(ctx, "camille", p, "nice")
	require.NoError(t, err)

	t.Run("edit", func(t *testing.T) {
		res, err := d.EditPost(ctx, p, &driver.Post{Text: "hello, edited"})
		require.NoError(t, err)
		require.Equal(t, p, res.ID)
		require.Equal(t, "hello, edited", n.Posts("brand")[0].Text)
		require.False(t, n.Posts("brand")[0].EditedAt.IsZero())
		_, err = other.EditPost(ctx, p, &driver.Post{Text: "hacked"})
		require.ErrorIs(t, err, driver.ErrPermissionDenied)
		_, err = d.EditPost(ctx, p, &driver.Post{Text: "x", Thread: []driver.Post{{Text: "y"}}})
		require.ErrorIs(t, err, driver.ErrInvalidContent)
		_, err = d.EditPost(ctx, "nope", &driver.Post{Text: "x"})
		require.ErrorIs(t, err, driver.ErrNotFound)
	})
	t.Run("delete", func(t *testing.T) {
		require.ErrorIs(t, other.DeletePost(ctx, p), driver.ErrPermissionDenied)
		require.NoError(t, d.DeletePost(ctx, p))
		require.ErrorIs(t, d.DeletePost(ctx, p), driver.ErrNotFound)
		_, err := d.EditPost(ctx, p, &driver.Post{Text: "x"})
		require.ErrorIs(t, err, driver.ErrNotFound)
		_, err = d.ListComments(ctx, p, driver.PageRequest{})
		require.ErrorIs(t, err, driver.ErrNotFound)
		require.ErrorIs(t, d.SetCommentHidden(ctx, c, true), driver.ErrNotFound, "comments of a deleted post are gone")
		_, err = d.PostMetrics(ctx, p)
		require.ErrorIs(t, err, driver.ErrNotFound)
		require.Empty(t, n.Posts("brand"))
		require.EqualValues(t, 1, n.PublishCount("brand"), "deleted posts stay counted")
		m, err := d.AccountMetrics(ctx)
		require.NoError(t, err)
		require.Equal(t, driver.M(0), m.Posts)
	})
	t.Run("delete own reply", func(t *testing.T) {
		p := publish(t, d, "again")
		res, err := d.Reply(ctx, p, &driver.Post{Text: "self answer"}, driver.PublishOptions{})
		require.NoError(t, err)
		require.NoError(t, d.DeletePost(ctx, res.ID))
		items := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListComments(ctx, p, r) })
		require.Empty(t, items)
	})
}

func TestComments(t *testing.T) {
	ctx := context.Background()
	n := newNet(t, nil)
	d, rival := open(t, n, "brand"), open(t, n, "rival")
	p := publish(t, d, "post")
	c1, err := n.Comment(ctx, "camille", p, "Vous livrez à Lyon ?")
	require.NoError(t, err)
	r1, err := n.ReplyTo(ctx, "liam", c1, "Same question")
	require.NoError(t, err)
	res, err := d.Reply(ctx, c1, &driver.Post{Text: "Oui !"}, driver.PublishOptions{})
	require.NoError(t, err)
	c2, err := n.Comment(ctx, "spammer", p, "free followers")
	require.NoError(t, err)

	items := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListComments(ctx, p, r) })
	require.Equal(t, []string{c1, r1, res.ID, c2}, idsOf(items))
	require.Equal(t, driver.Comment, items[0].Kind)
	require.Equal(t, driver.Reply, items[1].Kind)
	require.Equal(t, c1, items[1].ParentID)
	require.Equal(t, p, items[0].ParentID)
	for _, it := range items {
		require.Equal(t, p, it.PostID)
		require.Equal(t, "mem", it.Network)
		require.Contains(t, it.URL, "?comment="+it.ID)
	}
	require.Equal(t, "camille", items[0].Author.Handle)
	require.EqualValues(t, 0, items[0].Author.Followers)

	t.Run("hide", func(t *testing.T) {
		require.NoError(t, d.SetCommentHidden(ctx, c2, true))
		require.NoError(t, d.SetCommentHidden(ctx, c2, true))
		items := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListComments(ctx, p, r) })
		require.True(t, items[3].Hidden)
		require.NoError(t, d.SetCommentHidden(ctx, c2, false))
		require.ErrorIs(t, rival.SetCommentHidden(ctx, c2, true), driver.ErrPermissionDenied)
		require.ErrorIs(t, d.SetCommentHidden(ctx, p, true), driver.ErrNotFound, "a post is not a comment")
		require.ErrorIs(t, d.SetCommentHidden(ctx, "nope", true), driver.ErrNotFound)
	})
	t.Run("delete cascades to replies", func(t *testing.T) {
		require.ErrorIs(t, rival.DeleteComment(ctx, c1), driver.ErrPermissionDenied)
		require.NoError(t, d.DeleteComment(ctx, c1))
		require.ErrorIs(t, d.DeleteComment(ctx, c1), driver.ErrNotFound)
		require.ErrorIs(t, d.DeleteComment(ctx, r1), driver.ErrNotFound)
		items := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListComments(ctx, p, r) })
		require.Equal(t, []string{c2}, idsOf(items))
		m, err := d.PostMetrics(ctx, p)
		require.NoError(t, err)
		require.Equal(t, driver.M(1), m.Comments)
	})
	t.Run("an author deletes its own comment elsewhere", func(t *testing.T) {
		rp := publish(t, rival, "rival post")
		res, err := d.Reply(ctx, rp, &driver.Post{Text: "hi rival"}, driver.PublishOptions{})
		require.NoError(t, err)
		require.NoError(t, d.DeleteComment(ctx, res.ID))
	})
	t.Run("since and limit", func(t *testing.T) {
		p := publish(t, d, "busy")
		var ids []string
		for range 120 {
			id, err := n.Comment(ctx, "fan", p, "hi")
			require.NoError(t, err)
			ids = append(ids, id)
		}
		pg, err := d.ListComments(ctx, p, driver.PageRequest{})
		require.NoError(t, err)
		require.Len(t, pg.Items, 50)
		require.True(t, pg.More)
		pg, err = d.ListComments(ctx, p, driver.PageRequest{Limit: 1000})
		require.NoError(t, err)
		require.Len(t, pg.Items, 100)
		pg, err = d.ListComments(ctx, p, driver.PageRequest{Limit: 1000, Cursor: pg.Next})
		require.NoError(t, err)
		require.Len(t, pg.Items, 20)
		require.False(t, pg.More)
		// Since excludes older items.
		all, err := d.ListComments(ctx, p, driver.PageRequest{Limit: 100})
		require.NoError(t, err)
		since := all.Items[99].CreatedAt
		pg, err = d.ListComments(ctx, p, driver.PageRequest{Since: since, Limit: 100})
		require.NoError(t, err)
		require.Equal(t, ids[99:], idsOf(pg.Items))
	})
	t.Run("pagination under concurrent deletes", func(t *testing.T) {
		p := publish(t, d, "deletes")
		var ids []string
		for range 10 {
			id, _ := n.Comment(ctx, "fan", p, "x")
			ids = append(ids, id)
		}
		pg, err := d.ListComments(ctx, p, driver.PageRequest{Limit: 3})
		require.NoError(t, err)
		require.Equal(t, ids[:3], idsOf(pg.Items))
		// Delete items already seen and the next one.
		require.NoError(t, d.DeleteComment(ctx, ids[0]))
		require.NoError(t, d.DeleteComment(ctx, ids[1]))
		require.NoError(t, d.DeleteComment(ctx, ids[3]))
		pg, err = d.ListComments(ctx, p, driver.PageRequest{Limit: 3, Cursor: pg.Next})
		require.NoError(t, err)
		require.Equal(t, []string{ids[4], ids[5], ids[6]}, idsOf(pg.Items), "no repeat, no skip")
		id, _ := n.Comment(ctx, "fan", p, "late")
		rest := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) {
			if r.Cursor == "" {
				r.Cursor = pg.Next
			}
			return d.ListComments(ctx, p, r)
		})
		require.Equal(t, []string{ids[7], ids[8], ids[9], id}, idsOf(rest))
	})
	t.Run("empty listing keeps a cursor", func(t *testing.T) {
		p := publish(t, d, "quiet")
		pg, err := d.ListComments(ctx, p, driver.PageRequest{})
		require.NoError(t, err)
		require.Empty(t, pg.Items)
		require.NotEmpty(t, pg.Next)
		id, _ := n.Comment(ctx, "fan", p, "first")
		pg, err = d.ListComments(ctx, p, driver.PageRequest{Cursor: pg.Next})
		require.NoError(t, err)
		require.Equal(t, []string{id}, idsOf(pg.Items))
	})
	t.Run("errors", func(t *testing.T) {
		_, err := d.ListComments(ctx, "nope", driver.PageRequest{})
		require.ErrorIs(t, err, driver.ErrNotFound)
		_, err = d.ListComments(ctx, c2, driver.PageRequest{})
		require.ErrorIs(t, err, driver.ErrNotFound, "a comment has no comments listing")
		_, err = n.Comment(ctx, "fan", "nope", "x")
		require.ErrorIs(t, err, driver.ErrNotFound)
		_, err = n.Comment(ctx, "fan", p, "")
		require.ErrorIs(t, err, driver.ErrInvalidContent)
		_, err = n.Comment(ctx, "bad handle", p, "x")
		require.ErrorIs(t, err, driver.ErrInvalidContent)
	})
}

func TestMentionsAndMessages(t *testing.T) {
	ctx := context.Background()
	n := newNet(t, nil)
	d, rival := open(t, n, "brand"), open(t, n, "rival")
	m1, err := n.Mention(ctx, "camille", "brand", "merci pour la livraison")
	require.NoError(t, err)
	rp := publish(t, rival, "hey @brand, and @nobody, email a@brand.com")
	own := publish(t, d, "own post")
	_, err = n.Comment(ctx, "fan", own, "@brand on your own post: a comment, not a mention")
	require.NoError(t, err)
	c, err := n.Comment(ctx, "fan", rp, "@Brand. what do you think?")
	require.NoError(t, err)
	_, err = d.Publish(ctx, &driver.Post{Text: "I mention @brand myself"}, driver.PublishOptions{})
	require.NoError(t, err)

	items := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListMentions(ctx, r) })
	require.Equal(t, []string{m1, rp, c}, idsOf(items))
	for _, it := range items {
		require.Equal(t, driver.Mention, it.Kind)
	}
	require.Equal(t, "merci pour la livraison", items[0].Text)
	require.Equal(t, rp, items[2].PostID)
	_, err = n.Mention(ctx, "brand", "brand", "me")
	require.ErrorIs(t, err, driver.ErrInvalidContent)

	// A deleted mention disappears.
	require.NoError(t, rival.DeletePost(ctx, rp))
	items = listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListMentions(ctx, r) })
	require.Equal(t, []string{m1}, idsOf(items))

	t.Run("messages", func(t *testing.T) {
		dm1, err := n.SendDM(ctx, "camille", "brand", "Bonjour, ma commande ?")
		require.NoError(t, err)
		items := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListMessages(ctx, r) })
		require.Equal(t, []string{dm1}, idsOf(items))
		conv := items[0].ConversationID
		require.NotEmpty(t, conv)
		require.Equal(t, driver.DirectMessage, items[0].Kind)
		who, err := n.Participants(conv)
		require.NoError(t, err)
		require.ElementsMatch(t, []string{"camille", "brand"}, who)

		res, err := d.SendMessage(ctx, conv, &driver.Post{Text: "Elle est partie !"}, driver.PublishOptions{})
		require.NoError(t, err)
		require.Equal(t, driver.Published, res.Status)
		cam := open(t, n, "camille")
		got := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return cam.ListMessages(ctx, r) })
		require.Equal(t, []string{res.ID}, idsOf(got))
		require.Equal(t, conv, got[0].ConversationID)

		// Same conversation by handle or by user ID; a new one with rival.
		res2, err := d.SendMessage(ctx, "@Camille", &driver.Post{Text: "Autre chose ?"}, driver.PublishOptions{})
		require.NoError(t, err)
		got = listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return cam.ListMessages(ctx, r) })
		require.Equal(t, conv, got[1].ConversationID)
		require.Equal(t, res2.ID, got[1].ID)
		rdesc, _ := rival.Describe(ctx)
		_, err = d.SendMessage(ctx, rdesc.AccountID, &driver.Post{Text: "hello rival"}, driver.PublishOptions{})
		require.NoError(t, err)

		dm2, err := n.SendDM(ctx, "camille", conv, "Merci")
		require.NoError(t, err)
		items = listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListMessages(ctx, r) })
		require.Equal(t, []string{dm1, dm2}, idsOf(items))

		_, err = d.SendMessage(ctx, "ghost", &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrNotFound)
		_, err = d.SendMessage(ctx, "brand", &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrInvalidContent)
		_, err = rival.SendMessage(ctx, conv, &driver.Post{Text: "intrusion"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrNotFound)
		_, err = n.SendDM(ctx, "liam", conv, "intrusion")
		require.ErrorIs(t, err, driver.ErrNotFound)
		_, err = n.Participants("nope")
		require.ErrorIs(t, err, driver.ErrNotFound)
		_, err = d.Reply(ctx, dm1, &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrNotFound)
		require.ErrorIs(t, d.SetLiked(ctx, dm1, true), driver.ErrNotFound)
		require.ErrorIs(t, d.DeletePost(ctx, dm1), driver.ErrNotFound)

		// Idempotent messages.
		o := driver.PublishOptions{IdempotencyKey: "dm-1"}
		a, err := d.SendMessage(ctx, conv, &driver.Post{Text: "once"}, o)
		require.NoError(t, err)
		b, err := d.SendMessage(ctx, conv, &driver.Post{Text: "once"}, o)
		require.NoError(t, err)
		require.Equal(t, a.ID, b.ID)
		_, err = d.Publish(ctx, &driver.Post{Text: "x"}, o)
		require.ErrorIs(t, err, driver.ErrDuplicate)
	})
}

func TestLikesAndMetrics(t *testing.T) {
	ctx := context.Background()
	n := newNet(t, nil)
	d, rival := open(t, n, "brand"), open(t, n, "rival")
	p := publish(t, d, "post")
	for range 2 {
		require.NoError(t, d.SetLiked(ctx, p, true))
	}
	require.NoError(t, n.LikeAs(ctx, "camille", p))
	require.NoError(t, n.LikeAs(ctx, "camille", p))
	c, _ := n.Comment(ctx, "camille", p, "hi")
	require.NoError(t, d.SetLiked(ctx, c, true))
	require.NoError(t, n.AddImpressions(p, 100))
	require.NoError(t, n.AddEngagement(p, memconnector.Engagement{Likes: 5, Shares: 2, Saves: 3, Clicks: 4, VideoViews: 9}))
	require.ErrorIs(t, n.AddEngagement(p, memconnector.Engagement{Likes: -1}), driver.ErrInvalidContent)
	require.ErrorIs(t, n.AddImpressions("nope", 1), driver.ErrNotFound)
	require.ErrorIs(t, n.AddImpressions(c, 1), driver.ErrNotFound)

	m, err := d.PostMetrics(ctx, p)
	require.NoError(t, err)
	require.Equal(t, p, m.PostID)
	require.Equal(t, driver.M(100), m.Impressions)
	require.Equal(t, driver.M(100), m.Reach)
	require.Equal(t, driver.M(7), m.Likes, "brand, camille and 5 anonymous")
	require.Equal(t, driver.M(1), m.Comments)
	require.Equal(t, driver.M(2), m.Shares)
	require.Equal(t, driver.M(3), m.Saves)
	require.Equal(t, driver.M(4), m.Clicks)
	require.Equal(t, driver.Metric{}, m.VideoViews, "no video: not reported")
	require.False(t, m.FetchedAt.IsZero())

	require.NoError(t, d.SetLiked(ctx, p, false))
	require.NoError(t, d.SetLiked(ctx, p, false))
	require.NoError(t, n.UnlikeAs(ctx, "camille", p))
	m, _ = d.PostMetrics(ctx, p)
	require.Equal(t, driver.M(5), m.Likes)

	_, err = rival.PostMetrics(ctx, p)
	require.ErrorIs(t, err, driver.ErrPermissionDenied)
	_, err = d.PostMetrics(ctx, c)
	require.ErrorIs(t, err, driver.ErrNotFound)
	require.ErrorIs(t, d.SetLiked(ctx, "nope", true), driver.ErrNotFound)

	v, err := d.Publish(ctx, &driver.Post{Text: "video", Media: []driver.Media{{Kind: driver.MediaVideo, MIMEType: "video/mp4", URL: "https://e.com/v.mp4"}}}, driver.PublishOptions{})
	require.NoError(t, err)
	require.NoError(t, n.AddEngagement(v.ID, memconnector.Engagement{VideoViews: 12}))
	m, _ = d.PostMetrics(ctx, v.ID)
	require.Equal(t, driver.M(12), m.VideoViews)

	t.Run("account metrics", func(t *testing.T) {
		require.NoError(t, n.Follow("camille", "brand"))
		require.NoError(t, n.Follow("camille", "brand"))
		require.NoError(t, n.Follow("liam", "brand"))
		require.NoError(t, n.Follow("brand", "rival"))
		require.NoError(t, n.Unfollow("liam", "brand"))
		require.NoError(t, n.Unfollow("liam", "brand"))
		require.ErrorIs(t, n.Follow("brand", "brand"), driver.ErrInvalidContent)
		am, err := d.AccountMetrics(ctx)
		require.NoError(t, err)
		require.Equal(t, driver.M(1), am.Followers)
		require.Equal(t, driver.M(1), am.Following)
		require.Equal(t, driver.M(2), am.Posts)
		a, ok := n.Author("camille")
		require.True(t, ok)
		require.Equal(t, "camille", a.Handle)
		_, ok = n.Author("ghost")
		require.False(t, ok)
	})
	t.Run("labels", func(t *testing.T) {
		require.NoError(t, n.SetLabel(c, memconnector.Praise))
		got, ok := n.Label(c)
		require.True(t, ok)
		require.Equal(t, memconnector.Praise, got)
		require.ErrorIs(t, n.SetLabel("nope", memconnector.Spam), driver.ErrNotFound)
		require.ErrorIs(t, n.SetLabel(c, 0), driver.ErrInvalidContent)
		_, ok = n.Label(p)
		require.False(t, ok)
	})
}

func TestIdempotencyAndFindPost(t *testing.T) {
	ctx := context.Background()
	n := newNet(t, nil)
	d := open(t, n, "brand")
	o := driver.PublishOptions{IdempotencyKey: "k1"}
	p := &driver.Post{Text: "once", FirstComment: "fc", Thread: []driver.Post{{Text: "two"}}}
	a, err := d.Publish(ctx, p, o)
	require.NoError(t, err)
	b, err := d.Publish(ctx, p, o)
	require.NoError(t, err)
	require.Equal(t, a, b)
	require.EqualValues(t, 1, n.PublishCount("brand"))
	require.Len(t, n.Posts("brand"), 2, "head and thread post, once")

	f, err := d.FindPost(ctx, "k1", nil)
	require.NoError(t, err)
	require.Equal(t, a, f)
	_, err = d.FindPost(ctx, "k2", p)
	require.ErrorIs(t, err, driver.ErrNotFound)

	t.Run("by text", func(t *testing.T) {
		f, err := d.FindPost(ctx, "", &driver.Post{Text: "once", FirstComment: "fc"})
		require.NoError(t, err)
		require.Equal(t, a.ID, f.ID)
		require.Equal(t, a.ThreadIDs, f.ThreadIDs)
		require.Equal(t, a.FirstCommentID, f.FirstCommentID)
		_, err = d.FindPost(ctx, "", &driver.Post{Text: "never"})
		require.ErrorIs(t, err, driver.ErrNotFound)
		q := publish(t, d, "question")
		r, err := d.Reply(ctx, q, &driver.Post{Text: "answer"}, driver.PublishOptions{})
		require.NoError(t, err)
		f, err = d.FindPost(ctx, "", &driver.Post{Text: "answer", ReplyTo: q})
		require.NoError(t, err)
		require.Equal(t, r.ID, f.ID)
		_, err = d.FindPost(ctx, "", &driver.Post{Text: "other", ReplyTo: q})
		require.ErrorIs(t, err, driver.ErrNotFound)
	})
	t.Run("a deleted post is still found by key", func(t *testing.T) {
		res, err := d.Publish(ctx, &driver.Post{Text: "gone"}, driver.PublishOptions{IdempotencyKey: "gone"})
		require.NoError(t, err)
		require.NoError(t, d.DeletePost(ctx, res.ID))
		f, err := d.FindPost(ctx, "gone", nil)
		require.NoError(t, err)
		require.Equal(t, res.ID, f.ID)
		_, err = d.FindPost(ctx, "", &driver.Post{Text: "gone"})
		require.ErrorIs(t, err, driver.ErrNotFound, "but not by text")
	})
	t.Run("keys are per account", func(t *testing.T) {
		other := open(t, n, "other")
		res, err := other.Publish(ctx, &driver.Post{Text: "mine"}, o)
		require.NoError(t, err)
		require.NotEqual(t, a.ID, res.ID)
	})
	t.Run("thread failing half-way resumes with the key", func(t *testing.T) {
		n := newNet(t, nil)
		d := open(t, n, "brand")
		n.FailNext(memconnector.OpThreadPost, 1, memconnector.Unavailable())
		p := &driver.Post{Text: "1", Thread: []driver.Post{{Text: "2"}, {Text: "3"}}, FirstComment: "fc"}
		o := driver.PublishOptions{IdempotencyKey: "t"}
		res, err := d.Publish(ctx, p, o)
		require.ErrorIs(t, err, driver.ErrUnavailable)
		require.NotEmpty(t, res.ID, "the head is reported")
		require.Empty(t, res.ThreadIDs)
		n.FailNext(memconnector.OpThreadPost, 1, memconnector.IndeterminateAfterCommit())
		res2, err := d.Publish(ctx, p, o)
		require.ErrorIs(t, err, driver.ErrIndeterminate)
		require.Equal(t, res.ID, res2.ID)
		require.Len(t, res2.ThreadIDs, 1, "the second post was stored")
		n.FailNext(memconnector.OpFirstComment, 1, memconnector.Unavailable())
		_, err = d.Publish(ctx, p, o)
		require.ErrorIs(t, err, driver.ErrUnavailable)
		res3, err := d.Publish(ctx, p, o)
		require.NoError(t, err)
		require.Equal(t, res.ID, res3.ID)
		require.Len(t, res3.ThreadIDs, 2)
		require.Equal(t, res2.ThreadIDs[0], res3.ThreadIDs[0])
		require.NotEmpty(t, res3.FirstCommentID)
		require.Len(t, n.Posts("brand"), 3, "no duplicate")
		require.EqualValues(t, 1, n.PublishCount("brand"))
		f, err := d.FindPost(ctx, "t", nil)
		require.NoError(t, err)
		require.Equal(t, res3, f)
	})
}

func TestFaults(t *testing.T) {
	ctx := context.Background()
	reset := t0.Add(time.Hour)
	tests := []struct {
		name  string
		err   error
		want  error
		check func(t *testing.T, err error)
	}{
		{"rate limited", memconnector.RateLimit(3 * time.Second), driver.ErrRateLimited, func(t *testing.T, err error) {
			var rl *driver.RateLimitError
			require.ErrorAs(t, err, &rl)
			require.Equal(t, 3*time.Second, rl.RetryAfter)
			var api *memconnector.APIError
			require.ErrorAs(t, err, &api)
			require.Equal(t, 429, api.Status)
		}},
		{"quota", memconnector.Quota(reset), driver.ErrQuotaExceeded, func(t *testing.T, err error) {
			var rl *driver.RateLimitError
			require.ErrorAs(t, err, &rl)
			require.Equal(t, reset, rl.Reset)
		}},
		{"unauthenticated", memconnector.Unauthenticated(), driver.ErrUnauthenticated, nil},
		{"unavailable", memconnector.Unavailable(), driver.ErrUnavailable, nil},
		{"custom", errors.New("boom"), nil, func(t *testing.T, err error) { require.EqualError(t, err, "boom") }},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n := newNet(t, nil)
			d := open(t, n, "brand")
			n.FailNext(memconnector.OpPublish, 2, tt.err)
			for range 2 {
				_, err := d.Publish(ctx, &driver.Post{Text: "x"}, driver.PublishOptions{})
				require.Error(t, err)
				if tt.want != nil {
					require.ErrorIs(t, err, tt.want)
				}
				if tt.check != nil {
					tt.check(t, err)
				}
			}
			publish(t, d, "third time lucky")
			require.Len(t, n.Posts("brand"), 1, "failed publishes stored nothing")
			require.EqualValues(t, 3, n.Calls(memconnector.OpPublish))
		})
	}
	t.Run("indeterminate after commit", func(t *testing.T) {
		n := newNet(t, nil)
		d := open(t, n, "brand")
		n.FailNext(memconnector.OpPublish, 1, memconnector.IndeterminateAfterCommit())
		p := &driver.Post{Text: "sent before the crash"}
		_, err := d.Publish(ctx, p, driver.PublishOptions{IdempotencyKey: "job-1"})
		require.ErrorIs(t, err, driver.ErrIndeterminate)
		require.Equal(t, driver.Indeterminate, driver.CodeOf(err))
		require.Len(t, n.Posts("brand"), 1, "the post IS stored")
		f, err := d.FindPost(ctx, "job-1", p)
		require.NoError(t, err)
		require.Equal(t, n.Posts("brand")[0].ID, f.ID)
		require.Equal(t, "job-1", n.Posts("brand")[0].IdempotencyKey)
	})
	t.Run("after commit on other operations", func(t *testing.T) {
		n := newNet(t, nil)
		d := open(t, n, "brand")
		p := publish(t, d, "p")
		c, _ := n.Comment(ctx, "spammer", p, "spam")
		n.FailNext("HideComment", 1, memconnector.AfterCommit(memconnector.Unavailable()))
		require.ErrorIs(t, d.SetCommentHidden(ctx, c, true), driver.ErrUnavailable)
		pg, err := d.ListComments(ctx, p, driver.PageRequest{})
		require.NoError(t, err)
		require.True(t, pg.Items[0].Hidden, "applied before failing")
		n.FailNext(memconnector.OpListComments, 1, memconnector.AfterCommit(memconnector.Unavailable()))
		_, err = d.ListComments(ctx, p, driver.PageRequest{})
		require.ErrorIs(t, err, driver.ErrUnavailable)
	})
	t.Run("any operation and aliases", func(t *testing.T) {
		n := newNet(t, nil)
		d := open(t, n, "brand")
		n.FailNext(memconnector.OpAny, 2, memconnector.Unavailable())
		_, err := d.Describe(ctx)
		require.ErrorIs(t, err, driver.ErrUnavailable)
		_, err = d.AccountMetrics(ctx)
		require.ErrorIs(t, err, driver.ErrUnavailable)
		_, err = d.AccountMetrics(ctx)
		require.NoError(t, err)
		n.FailNext("Like", 1, memconnector.Unauthenticated())
		p := publish(t, d, "p")
		require.ErrorIs(t, d.SetLiked(ctx, p, true), driver.ErrUnauthenticated)
		n.FailNext("Delete", 1, memconnector.Unavailable())
		n.ClearFaults()
		require.NoError(t, d.DeletePost(ctx, p))
		require.Panics(t, func() { n.FailNext("Frobnicate", 1, memconnector.Unavailable()) })
		require.Panics(t, func() { n.FailNext(memconnector.OpPublish, 1, nil) })
		require.EqualValues(t, 1, n.Calls("Like"))
		require.EqualValues(t, 1, n.Calls(memconnector.OpDeletePost))
		require.EqualValues(t, 2, n.Calls(memconnector.OpAccountMetrics))
		require.EqualValues(t, 6, n.Calls(memconnector.OpAny))
		require.EqualValues(t, 6, n.Calls(""))
		require.Zero(t, n.Calls("Frobnicate"))
	})
	t.Run("errors are fresh copies", func(t *testing.T) {
		n := newNet(t, nil)
		d := open(t, n, "brand")
		n.FailNext(memconnector.OpDescribe, 2, memconnector.Unauthenticated())
		_, err1 := d.Describe(ctx)
		var e1 *driver.Error
		require.ErrorAs(t, err1, &e1)
		e1.Op = "mutated"
		_, err2 := d.Describe(ctx)
		var e2 *driver.Error
		require.ErrorAs(t, err2, &e2)
		require.Empty(t, e2.Op)
		require.Equal(t, "mem", e2.Network)
	})
	t.Run("hook", func(t *testing.T) {
		var seen []string
		n := newNet(t, &memconnector.NetworkOptions{Faults: func(op, account string) error {
			seen = append(seen, op+"@"+account)
			if op == memconnector.OpPublish && account == "rival" {
				return memconnector.Quota(reset)
			}
			return nil
		}})
		d, rival := open(t, n, "brand"), open(t, n, "rival")
		publish(t, d, "fine")
		_, err := rival.Publish(ctx, &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrQuotaExceeded)
		require.Equal(t, []string{"Publish@brand", "Publish@rival"}, seen)
	})
	t.Run("canceled context and closed driver", func(t *testing.T) {
		n := newNet(t, nil)
		d := open(t, n, "brand")
		cctx, cancel := context.WithCancel(ctx)
		cancel()
		_, err := d.Publish(cctx, &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrCanceled)
		require.ErrorIs(t, err, context.Canceled)
		_, err = n.Comment(cctx, "a", "p1", "x")
		require.ErrorIs(t, err, context.Canceled)
		require.ErrorIs(t, n.LikeAs(cctx, "a", "p1"), context.Canceled)
		_, err = n.Simulate(cctx, memconnector.SimOptions{Days: 1, Start: t0})
		require.ErrorIs(t, err, context.Canceled)
		require.NoError(t, d.Close())
		_, err = d.Describe(ctx)
		require.Error(t, err)
		require.Zero(t, n.Calls(memconnector.OpAny), "rejected calls are not counted")
		d2 := open(t, n, "brand")
		_, err = d2.Describe(ctx)
		require.NoError(t, err, "closing one driver leaves the others")
	})
	t.Run("declined", func(t *testing.T) {
		n := newNet(t, &memconnector.NetworkOptions{Declined: driver.CapPostMetrics | driver.CapIdempotencyKey})
		d := open(t, n, "brand")
		p := publish(t, d, "p")
		_, err := d.PostMetrics(ctx, p)
		require.ErrorIs(t, err, driver.ErrUnsupported)
		a, err := d.Publish(ctx, &driver.Post{Text: "k"}, driver.PublishOptions{IdempotencyKey: "k"})
		require.NoError(t, err)
		b, err := d.Publish(ctx, &driver.Post{Text: "k"}, driver.PublishOptions{IdempotencyKey: "k"})
		require.NoError(t, err)
		require.NotEqual(t, a.ID, b.ID, "keys are ignored when declined")
		acct, err := n.Account(ctx, "brand", nil)
		require.NoError(t, err)
		require.False(t, acct.Supports(driver.CapPostMetrics))
		require.False(t, acct.Supports(driver.CapIdempotencyKey))
		require.True(t, acct.Supports(driver.CapComments))
	})
}

func TestPending(t *testing.T) {
	ctx := context.Background()
	n := newNet(t, &memconnector.NetworkOptions{PendingChecks: 3})
	d, rival := open(t, n, "brand"), open(t, n, "rival")
	img := driver.Media{Kind: driver.MediaImage, MIMEType: "image/jpeg", URL: "https://e.com/a.jpg"}
	p := &driver.Post{Text: "photo", Media: []driver.Media{img}, FirstComment: "#tags"}
	o := driver.PublishOptions{IdempotencyKey: "ig-1"}
	res, err := d.Publish(ctx, p, o)
	require.NoError(t, err)
	require.Equal(t, driver.Pending, res.Status)
	require.NotEmpty(t, res.Pending)
	require.Empty(t, res.ID)
	require.Empty(t, n.Posts("brand"), "not live yet")

	again, err := d.Publish(ctx, p, o)
	require.NoError(t, err)
	require.Equal(t, res, again, "same key, same container")
	f, err := d.FindPost(ctx, "ig-1", nil)
	require.NoError(t, err)
	require.Equal(t, driver.Pending, f.Status)

	_, err = rival.CheckPending(ctx, res.Pending)
	require.ErrorIs(t, err, driver.ErrNotFound)
	for i := range 2 {
		r, err := d.CheckPending(ctx, res.Pending)
		require.NoError(t, err)
		require.Equal(t, driver.Pending, r.Status, "check %d", i+1)
	}
	done, err := d.CheckPending(ctx, res.Pending)
	require.NoError(t, err)
	require.Equal(t, driver.Published, done.Status)
	require.NotEmpty(t, done.ID)
	require.NotEmpty(t, done.FirstCommentID)
	for range 2 {
		r, err := d.CheckPending(ctx, res.Pending)
		require.NoError(t, err)
		require.Equal(t, done, r, "stays published")
	}
	r, err := d.Publish(ctx, p, o)
	require.NoError(t, err)
	require.Equal(t, done.ID, r.ID)
	f, err = d.FindPost(ctx, "ig-1", nil)
	require.NoError(t, err)
	require.Equal(t, done, f)
	require.Len(t, n.Posts("brand"), 1)
	require.EqualValues(t, 1, n.PublishCount("brand"))

	t.Run("text posts publish at once", func(t *testing.T) {
		publish(t, d, "text only")
	})
	t.Run("without key", func(t *testing.T) {
		res, err := d.Publish(ctx, &driver.Post{Text: "x", Media: []driver.Media{img}}, driver.PublishOptions{})
		require.NoError(t, err)
		require.Equal(t, driver.Pending, res.Status)
		n.FailNext(memconnector.OpFirstComment, 1, memconnector.Unavailable())
		var last driver.PublishResult
		for range 3 {
			last, err = d.CheckPending(ctx, res.Pending)
			require.NoError(t, err)
		}
		require.Equal(t, driver.Published, last.Status)
	})
	t.Run("resolution failing half-way resumes", func(t *testing.T) {
		n := newNet(t, &memconnector.NetworkOptions{PendingChecks: 1})
		d := open(t, n, "brand")
		res, err := d.Publish(ctx, p, driver.PublishOptions{})
		require.NoError(t, err)
		n.FailNext(memconnector.OpFirstComment, 1, memconnector.Unavailable())
		_, err = d.CheckPending(ctx, res.Pending)
		require.ErrorIs(t, err, driver.ErrUnavailable)
		done, err := d.CheckPending(ctx, res.Pending)
		require.NoError(t, err)
		require.NotEmpty(t, done.FirstCommentID)
		require.Len(t, n.Posts("brand"), 1)
		require.Empty(t, n.Posts("brand")[0].IdempotencyKey)
	})
}

func TestAsAndErrorAs(t *testing.T) {
	ctx := context.Background()
	n := newNet(t, nil)
	d := open(t, n, "brand")
	var got *memconnector.Network
	require.True(t, d.As(&got))
	require.Same(t, n, got)
	var s string
	require.False(t, d.As(&s))
	require.False(t, d.As((**memconnector.Network)(nil)))

	err := d.DeletePost(ctx, "nope")
	var api *memconnector.APIError
	require.True(t, d.ErrorAs(err, &api))
	require.Equal(t, 404, api.Status)
	require.Equal(t, "not_found", api.Code)
	require.Contains(t, api.Error(), "404 not_found")
	require.False(t, d.ErrorAs(err, &s))
	require.False(t, d.ErrorAs(errors.New("other"), &api))

	acct, err := n.Account(ctx, "brand", nil)
	require.NoError(t, err)
	var viaAccount *memconnector.Network
	require.True(t, acct.As(&viaAccount))
	require.Same(t, n, viaAccount)
	require.Equal(t, "mem", n.Name())
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name    string
		cfg     driver.Config
		handle  string
		wantErr string
		check   func(t *testing.T, n *memconnector.Network)
	}{
		{name: "defaults", handle: "brand"},
		{name: "account", cfg: driver.Config{Account: "shop"}, handle: "shop"},
		{name: "server as handle", cfg: driver.Config{Server: "shop"}, handle: "shop"},
		{name: "simulate", cfg: driver.Config{Options: map[string]string{"seed": "7", "simulate": "2",
			"start": "2025-03-01T00:00:00Z", "followers": "50", "profile": "x", "pending": "1"}}, handle: "brand",
			check: func(t *testing.T, n *memconnector.Network) {
				require.NotEmpty(t, n.Posts("brand"), "calendar posts")
				a, _ := n.Author("brand")
				require.GreaterOrEqual(t, a.Followers, int64(45))
			}},
		{name: "unknown option", cfg: driver.Config{Options: map[string]string{"colour": "red"}}, wantErr: "unknown option"},
		{name: "bad seed", cfg: driver.Config{Options: map[string]string{"seed": "x"}}, wantErr: "seed"},
		{name: "bad simulate", cfg: driver.Config{Options: map[string]string{"simulate": "-1"}}, wantErr: "simulate"},
		{name: "too long", cfg: driver.Config{Options: map[string]string{"simulate": "1000"}}, wantErr: "simulate"},
		{name: "bad start", cfg: driver.Config{Options: map[string]string{"start": "yesterday"}}, wantErr: "start"},
		{name: "bad pending", cfg: driver.Config{Options: map[string]string{"pending": "-2"}}, wantErr: "pending"},
		{name: "bad followers", cfg: driver.Config{Options: map[string]string{"followers": "-2"}}, wantErr: "followers"},
		{name: "bad profile", cfg: driver.Config{Options: map[string]string{"profile": "myspace"}}, wantErr: "myspace"},
		{name: "bad handle", cfg: driver.Config{Account: "a b"}, wantErr: "handle"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.cfg.Now = tick()
			d, err := memconnector.Open(ctx, tt.cfg)
			if tt.wantErr != "" {
				require.ErrorContains(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			desc, err := d.Describe(ctx)
			require.NoError(t, err)
			require.Equal(t, tt.handle, desc.Handle)
			var n *memconnector.Network
			require.True(t, d.(driver.Aser).As(&n))
			if tt.check != nil {
				tt.check(t, n)
			}
		})
	}
	t.Run("each open is a fresh network", func(t *testing.T) {
		a, err := memconnector.Open(ctx, driver.Config{})
		require.NoError(t, err)
		b, err := memconnector.Open(ctx, driver.Config{})
		require.NoError(t, err)
		var na, nb *memconnector.Network
		a.(driver.Aser).As(&na)
		b.(driver.Aser).As(&nb)
		require.NotSame(t, na, nb)
	})
	t.Run("registered", func(t *testing.T) {
		require.Contains(t, connectors.Networks(), "mem")
		acct, err := connectors.OpenURL(ctx, "mem://shop?seed=42&profile=bluesky", connectors.Config{Now: tick()}, nil)
		require.NoError(t, err)
		require.Equal(t, "shop", acct.Description().Handle)
		require.Equal(t, 300, acct.Description().Limits.MaxText)
		require.NoError(t, acct.Close())
	})
}
