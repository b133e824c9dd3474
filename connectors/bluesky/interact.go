package bluesky

import (
	"context"
	"encoding/json"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// Page sizes.
const (
	defaultPage = 50
	maxPage     = 100
	// maxScan bounds how many notifications one ListMentions call reads
	// back from the newest to find those after its cursor.
	maxScan = 2000
)

// profileView is app.bsky.actor.defs#profileViewBasic and friends.
type profileView struct {
	DID            string `json:"did"`
	Handle         string `json:"handle"`
	DisplayName    string `json:"displayName"`
	CreatedAt      string `json:"createdAt"`
	FollowersCount *int64 `json:"followersCount"`
	FollowsCount   *int64 `json:"followsCount"`
	PostsCount     *int64 `json:"postsCount"`
	Verification   *struct {
		VerifiedStatus string `json:"verifiedStatus"`
	} `json:"verification"`
}

func (p *profileView) author() driver.Author {
	a := driver.Author{ID: p.DID, Handle: p.Handle, Name: p.DisplayName, URL: "https://bsky.app/profile/" + profileName(p.DID, p.Handle),
		CreatedAt: parseTime(p.CreatedAt), Followers: -1}
	if p.FollowersCount != nil {
		a.Followers = *p.FollowersCount
	}
	a.Verified = p.Verification != nil && p.Verification.VerifiedStatus == "valid"
	return a
}

// postView is app.bsky.feed.defs#postView.
type postView struct {
	URI           string          `json:"uri"`
	CID           string          `json:"cid"`
	Author        profileView     `json:"author"`
	Record        json.RawMessage `json:"record"`
	ReplyCount    *int64          `json:"replyCount"`
	RepostCount   *int64          `json:"repostCount"`
	LikeCount     *int64          `json:"likeCount"`
	QuoteCount    *int64          `json:"quoteCount"`
	BookmarkCount *int64          `json:"bookmarkCount"`
	IndexedAt     string          `json:"indexedAt"`
	Viewer        *struct {
		Like string `json:"like"`
	} `json:"viewer"`
	Threadgate *threadgateView `json:"threadgate"`
}

// threadgateView is app.bsky.feed.defs#threadgateView.
type threadgateView struct {
	URI    string `json:"uri"`
	Record struct {
		HiddenReplies []string `json:"hiddenReplies"`
	} `json:"record"`
}

// threadView is app.bsky.feed.defs#threadViewPost (or a notFoundPost or
// blockedPost, which have no post).
type threadView struct {
	Type    string        `json:"$type"`
	Post    *postView     `json:"post"`
	Replies []*threadView `json:"replies"`
}

// interaction converts a post in a thread or notification.
func interaction(kind driver.InteractionKind, pv *postView, postID string) (driver.Interaction, time.Time) {
	var rec postRecord
	_ = json.Unmarshal(pv.Record, &rec)
	indexed := parseTime(pv.IndexedAt)
	it := driver.Interaction{
		Kind: kind, ID: pv.URI, Network: network, PostID: postID,
		Author: pv.Author.author(), Text: rec.Text,
		CreatedAt: parseTime(rec.CreatedAt), URL: postURL(pv.URI, pv.Author.Handle),
	}
	if it.CreatedAt.IsZero() {
		it.CreatedAt = indexed
	}
	if len(rec.Langs) > 0 {
		it.Language = rec.Langs[0]
	}
	if rec.Reply != nil {
		it.ParentID = rec.Reply.Parent.URI
	}
	return it, indexed
}

// keyed is an interaction with the position it sorts at.
type keyed struct {
	it driver.Interaction
	at time.Time
}

// page sorts items oldest first (by the time the network indexed them,
// then URI), keeps those after cur and since, and cuts a page of limit.
func page(items []keyed, cur cursor, req driver.PageRequest) driver.InteractionPage {
	slices.SortFunc(items, func(a, b keyed) int {
		if c := a.at.Compare(b.at); c != 0 {
			return c
		}
		return strings.Compare(a.it.ID, b.it.ID)
	})
	limit := req.Limit
	if limit <= 0 {
		limit = defaultPage
	}
	out := driver.InteractionPage{Next: req.Cursor}
	for _, k := range items {
		if !cur.after(k.at, k.it.ID) || !req.Since.IsZero() && k.it.CreatedAt.Before(req.Since) {
			continue
		}
		if len(out.Items) == limit {
			out.More = true
			break
		}
		out.Items = append(out.Items, k.it)
		cur = cur.advance(k.at, k.it.ID)
	}
	if len(out.Items) > 0 {
		out.Next = cur.encode()
	}
	return out
}

// ListComments lists the replies under a post, at any depth, oldest first
// (app.bsky.feed.getPostThread). Direct replies are Comments, deeper ones
// Replies; Hidden reports replies the root's threadgate hides.
func (d *Driver) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	if _, err := postURI(postID); err != nil {
		return driver.InteractionPage{}, err
	}
	cur, err := parseCursor(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	var out struct {
		Thread     threadView      `json:"thread"`
		Threadgate *threadgateView `json:"threadgate"`
	}
	if err := d.get(ctx, classRead, "app.bsky.feed.getPostThread", url.Values{
		"uri": {postID}, "depth": {"1000"}, "parentHeight": {"0"},
	}, &out); err != nil {
		return driver.InteractionPage{}, err
	}
	if out.Thread.Post == nil {
		return driver.InteractionPage{}, &driver.Error{Code: driver.NotFound, Network: network, Message: "post " + postID + " is not found or blocked"}
	}
	gate := out.Threadgate
	if gate == nil {
		gate = out.Thread.Post.Threadgate
	}
	var hidden []string
	if gate != nil {
		hidden = gate.Record.HiddenReplies
	}
	var items []keyed
	var walk func(t *threadView, depth int)
	walk = func(t *threadView, depth int) {
		for _, r := range t.Replies {
			if r == nil || r.Post == nil {
				continue
			}
			kind := driver.Reply
			if depth == 0 {
				kind = driver.Comment
			}
			it, at := interaction(kind, r.Post, postID)
			it.Hidden = slices.Contains(hidden, it.ID)
			items = append(items, keyed{it, at})
			walk(r, depth+1)
		}
	}
	walk(&out.Thread, 0)
	return page(items, cur, req), nil
}

// notification is app.bsky.notification.listNotifications#notification.
type notification struct {
	URI           string          `json:"uri"`
	CID           string          `json:"cid"`
	Author        profileView     `json:"author"`
	Reason        string          `json:"reason"`
	ReasonSubject string          `json:"reasonSubject"`
	Record        json.RawMessage `json:"record"`
	IndexedAt     string          `json:"indexedAt"`
}

// ListMentions lists mentions, replies and quotes of the account, oldest
// first, from app.bsky.notification.listNotifications. The network pages
// newest first: the driver reads back from the newest notification to the
// cursor (at most 2,000 notifications per call) and returns the oldest
// ones after it. A mention is a Mention, a quote of one of the account's
// posts a Mention with PostID, a reply to one of its posts a Comment (a
// Reply when it answers a reply).
func (d *Driver) ListMentions(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	cur, err := parseCursor(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	var items []keyed
	seen := map[string]bool{}
	netCursor := ""
scan:
	for scanned := 0; scanned < maxScan; {
		q := url.Values{"limit": {strconv.Itoa(maxPage)}, "reasons": {"mention", "reply", "quote"}}
		if netCursor != "" {
			q.Set("cursor", netCursor)
		}
		var out struct {
			Cursor        string         `json:"cursor"`
			Notifications []notification `json:"notifications"`
		}
		if err := d.get(ctx, classRead, "app.bsky.notification.listNotifications", q, &out); err != nil {
			return driver.InteractionPage{}, err
		}
		for i := range out.Notifications {
			n := &out.Notifications[i]
			scanned++
			at := parseTime(n.IndexedAt)
			if at.Before(cur.At) || !req.Since.IsZero() && at.Before(req.Since) {
				break scan
			}
			// Several notifications may share a (second-precision)
			// indexedAt: at the cursor's time, skip those already listed
			// and keep reading.
			if !cur.after(at, n.URI) || seen[n.URI] {
				continue
			}
			it, ok := mentionOf(n)
			if !ok {
				continue
			}
			seen[n.URI] = true
			items = append(items, keyed{it, at})
		}
		if out.Cursor == "" || out.Cursor == netCursor || len(out.Notifications) == 0 {
			break
		}
		netCursor = out.Cursor
	}
	return page(items, cur, req), nil
}

// mentionOf converts a notification, or reports false for reasons that
// are not mentions, replies or quotes.
func mentionOf(n *notification) (driver.Interaction, bool) {
	pv := &postView{URI: n.URI, CID: n.CID, Author: n.Author, Record: n.Record, IndexedAt: n.IndexedAt}
	var rec postRecord
	_ = json.Unmarshal(n.Record, &rec)
	switch n.Reason {
	case "mention":
		it, _ := interaction(driver.Mention, pv, "")
		return it, true
	case "quote":
		it, _ := interaction(driver.Mention, pv, n.ReasonSubject)
		return it, true
	case "reply":
		kind, root := driver.Comment, ""
		if rec.Reply != nil {
			root = rec.Reply.Root.URI
			if rec.Reply.Parent.URI != root {
				kind = driver.Reply
			}
		}
		it, _ := interaction(kind, pv, root)
		return it, true
	}
	return driver.Interaction{}, false
}

// SetLiked likes a post or reply (an app.bsky.feed.like record), or
// deletes the account's like records of it. Liking twice does not write a
// second like: the account's recent likes (com.atproto.repo.listRecords)
// are checked first, and the PDS replaces an older like of the same
// subject. Unliking finds the like records among the recent ones and in
// the AppView's viewer state.
func (d *Driver) SetLiked(ctx context.Context, id string, liked bool) error {
	u, err := postURI(id)
	if err != nil {
		return err
	}
	did, err := d.did(ctx)
	if err != nil {
		return err
	}
	mine, err := d.likesOf(ctx, did, id)
	if err != nil {
		return err
	}
	if liked {
		if len(mine) > 0 {
			return nil
		}
		subject, err := d.getRecord(ctx, u.Repo, u.Collection, u.RKey)
		if err != nil {
			return err
		}
		return d.procedure(ctx, classCreate, "com.atproto.repo.createRecord", map[string]any{
			"repo": did, "collection": collLike, "record": map[string]any{
				"$type": collLike, "subject": strongRef{URI: subject.URI, CID: subject.CID}, "createdAt": formatTime(d.now()),
			},
		}, nil, false)
	}
	var posts struct {
		Posts []postView `json:"posts"`
	}
	if err := d.get(ctx, classRead, "app.bsky.feed.getPosts", url.Values{"uris": {id}}, &posts); err != nil {
		return err
	}
	for _, p := range posts.Posts {
		if p.Viewer != nil && p.Viewer.Like != "" && !slices.Contains(mine, p.Viewer.Like) {
			mine = append(mine, p.Viewer.Like)
		}
	}
	for _, like := range mine {
		lu, ok := parseATURI(like)
		if !ok || lu.Repo != did || lu.Collection != collLike {
			continue
		}
		// deleteRecord succeeds when the record is already gone.
		if err := d.procedure(ctx, classDelete, "com.atproto.repo.deleteRecord", map[string]any{
			"repo": did, "collection": collLike, "rkey": lu.RKey,
		}, nil, true); err != nil {
			return err
		}
	}
	return nil
}

// likesOf returns the URIs of the account's like records of subject among
// its 100 most recent likes.
func (d *Driver) likesOf(ctx context.Context, did, subject string) ([]string, error) {
	var out struct {
		Records []recordOutput `json:"records"`
	}
	if err := d.get(ctx, classRead, "com.atproto.repo.listRecords", url.Values{
		"repo": {did}, "collection": {collLike}, "limit": {"100"},
	}, &out); err != nil {
		return nil, err
	}
	var uris []string
	for _, r := range out.Records {
		var like struct {
			Subject strongRef `json:"subject"`
		}
		if json.Unmarshal(r.Value, &like) == nil && like.Subject.URI == subject {
			uris = append(uris, r.URI)
		}
	}
	return uris, nil
}

// maxHidden is the lexicon's cap on threadgate hiddenReplies.
const maxHidden = 300

// SetCommentHidden hides a reply in one of the account's threads, or shows
// it again, through the hiddenReplies list of the thread root's
// app.bsky.feed.threadgate record (created when missing, its other rules
// kept). Only the author of the thread's root post can hide replies: a
// reply in another account's thread is PermissionDenied. A concurrent
// change of the threadgate is Conflict.
func (d *Driver) SetCommentHidden(ctx context.Context, commentID string, hidden bool) error {
	u, err := postURI(commentID)
	if err != nil {
		return err
	}
	did, err := d.did(ctx)
	if err != nil {
		return err
	}
	c, err := d.getRecord(ctx, u.Repo, u.Collection, u.RKey)
	if err != nil {
		return err
	}
	var rec postRecord
	_ = json.Unmarshal(c.Value, &rec)
	if rec.Reply == nil {
		return &driver.Error{Code: driver.InvalidContent, Network: network, Message: commentID + " is not a reply: only replies can be hidden"}
	}
	root, ok := parseATURI(rec.Reply.Root.URI)
	if !ok || root.Repo != did {
		return &driver.Error{Code: driver.PermissionDenied, Network: network, Message: "only the author of the thread's root post can hide its replies"}
	}
	gate := map[string]json.RawMessage{}
	var swap any // nil: the threadgate must not exist yet
	g, err := d.getRecord(ctx, did, collThreadgate, root.RKey)
	switch driver.CodeOf(err) {
	case driver.Unknown:
		if err != nil {
			return err
		}
		if json.Unmarshal(g.Value, &gate) != nil {
			gate = map[string]json.RawMessage{}
		}
		swap = g.CID
	case driver.NotFound:
	default:
		return err
	}
	var list []string
	if raw, ok := gate["hiddenReplies"]; ok {
		_ = json.Unmarshal(raw, &list)
	}
	has := slices.Contains(list, commentID)
	switch {
	case hidden == has:
		return nil
	case hidden:
		if len(list) >= maxHidden {
			return &driver.Error{Code: driver.InvalidContent, Network: network, Message: "the thread already hides " + strconv.Itoa(maxHidden) + " replies, the most Bluesky allows"}
		}
		list = append(list, commentID)
	default:
		list = slices.DeleteFunc(list, func(s string) bool { return s == commentID })
	}
	gate["hiddenReplies"], _ = json.Marshal(list)
	gate["$type"], _ = json.Marshal(collThreadgate)
	gate["post"], _ = json.Marshal(root.String())
	if _, ok := gate["createdAt"]; !ok {
		gate["createdAt"], _ = json.Marshal(formatTime(d.now()))
	}
	err = d.procedure(ctx, classUpdate, "com.atproto.repo.putRecord", map[string]any{
		"repo": did, "collection": collThreadgate, "rkey": root.RKey, "record": gate, "swapRecord": swap,
	}, nil, true)
	return err
}

// PostMetrics reads a post's counters (app.bsky.feed.getPosts): likes,
// replies as Comments, reposts and quotes as Shares, bookmarks as Saves
// when the AppView reports them. Bluesky reports no impressions, reach,
// clicks or views.
func (d *Driver) PostMetrics(ctx context.Context, postID string) (driver.PostMetrics, error) {
	if _, err := postURI(postID); err != nil {
		return driver.PostMetrics{}, err
	}
	var out struct {
		Posts []postView `json:"posts"`
	}
	if err := d.get(ctx, classRead, "app.bsky.feed.getPosts", url.Values{"uris": {postID}}, &out); err != nil {
		return driver.PostMetrics{}, err
	}
	i := slices.IndexFunc(out.Posts, func(p postView) bool { return p.URI == postID })
	if i < 0 {
		return driver.PostMetrics{}, &driver.Error{Code: driver.NotFound, Network: network, Message: "post " + postID + " is not found (deleted, or not yet indexed)"}
	}
	p := out.Posts[i]
	m := driver.PostMetrics{PostID: postID, FetchedAt: d.now(), Likes: metric(p.LikeCount), Comments: metric(p.ReplyCount), Saves: metric(p.BookmarkCount)}
	if p.RepostCount != nil || p.QuoteCount != nil {
		m.Shares = driver.M(deref(p.RepostCount) + deref(p.QuoteCount))
	}
	return m, nil
}

func metric(v *int64) driver.Metric {
	if v == nil || *v < 0 {
		return driver.Metric{}
	}
	return driver.M(*v)
}

func deref(v *int64) int64 {
	if v == nil || *v < 0 {
		return 0
	}
	return *v
}

// AccountMetrics reads the account's followers, follows and posts
// (app.bsky.actor.getProfile).
func (d *Driver) AccountMetrics(ctx context.Context) (driver.AccountMetrics, error) {
	did, err := d.did(ctx)
	if err != nil {
		return driver.AccountMetrics{}, err
	}
	var p profileView
	if err := d.get(ctx, classRead, "app.bsky.actor.getProfile", url.Values{"actor": {did}}, &p); err != nil {
		return driver.AccountMetrics{}, err
	}
	return driver.AccountMetrics{Followers: metric(p.FollowersCount), Following: metric(p.FollowsCount), Posts: metric(p.PostsCount), FetchedAt: d.now()}, nil
}
