package mastodon

import (
	"context"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// Page sizes: the default, and Mastodon's maxima for notifications (80)
// and other lists (40).
const (
	defaultLimit      = 40
	maxNotifications  = 80
	maxConversations  = 40
	maxConversationsN = 20 // pages of conversations read per ListMessages call
)

// cursorOf checks a caller's cursor: empty (the start) or an ID.
func cursorOf(c string) (string, error) {
	if c == "" {
		return startCursor, nil
	}
	if !validID(c) {
		return "", invalidf("cursor %q is not a Mastodon cursor", truncate(c, maxIDLen))
	}
	return c, nil
}

func limitOf(n, max int) int {
	if n <= 0 {
		return min(defaultLimit, max)
	}
	return min(n, max)
}

// interaction converts a status to an Interaction of kind k.
func interaction(st *status, k driver.InteractionKind) driver.Interaction {
	text := PlainText(st.Content)
	if st.SpoilerText != "" {
		// Moderation must read the warning too.
		text = strings.TrimSpace(st.SpoilerText + "\n\n" + text)
	}
	u := st.URL
	if u == "" {
		u = st.URI
	}
	return driver.Interaction{
		Kind:     k,
		ID:       st.ID,
		Network:  network,
		ParentID: st.InReplyToID,
		Author: driver.Author{
			ID: st.Account.ID, Handle: st.Account.Acct, Name: st.Account.DisplayName, URL: st.Account.URL,
			CreatedAt: st.Account.CreatedAt, Followers: st.Account.FollowersCount,
		},
		Text:      text,
		Language:  st.Language,
		CreatedAt: st.CreatedAt,
		URL:       u,
	}
}

// page sorts items by ID, keeps those after cursor (and not before since),
// and cuts the page at limit.
func page(items []driver.Interaction, cursor string, since time.Time, limit int) driver.InteractionPage {
	slices.SortFunc(items, func(a, b driver.Interaction) int { return compareIDs(a.ID, b.ID) })
	items = slices.CompactFunc(items, func(a, b driver.Interaction) bool { return a.ID == b.ID })
	var out []driver.Interaction
	next, more := cursor, false
	for _, it := range items {
		if compareIDs(it.ID, cursor) <= 0 {
			continue
		}
		if len(out) == limit {
			more = true
			break
		}
		next = it.ID
		if !since.IsZero() && it.CreatedAt.Before(since) {
			continue
		}
		out = append(out, it)
	}
	return driver.InteractionPage{Items: out, Next: next, More: more}
}

// ListComments lists the replies under one of the account's statuses (the
// descendants of GET /api/v1/statuses/:id/context), the account's own
// included, oldest first. A direct reply to the post is a Comment, a reply
// to a reply a Reply. Mastodon returns the whole thread at once (up to
// 4,096 descendants); the cursor is the last ID listed, and IDs are
// compared as Mastodon orders them (length, then digits).
func (d *Driver) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	if !validID(postID) {
		return driver.InteractionPage{}, notFoundID("status", postID)
	}
	cursor, err := cursorOf(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	var sc statusContext
	if err := d.c.GetJSON(ctx, classAPI, "/api/v1/statuses/"+postID+"/context", nil, &sc); err != nil {
		return driver.InteractionPage{}, err
	}
	items := make([]driver.Interaction, 0, len(sc.Descendants))
	for i := range sc.Descendants {
		st := &sc.Descendants[i]
		k := driver.Reply
		if st.InReplyToID == postID {
			k = driver.Comment
		}
		it := interaction(st, k)
		it.PostID = postID
		items = append(items, it)
	}
	return page(items, cursor, req.Since, limitOf(req.Limit, 1<<30)), nil
}

// ListMentions lists the statuses that mention the account (GET
// /api/v1/notifications?types[]=mention, paged with min_id), oldest first;
// replies to the account's statuses mention it, so they are listed too,
// with ParentID set. Direct messages are left to ListMessages.
func (d *Driver) ListMentions(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	cursor, err := cursorOf(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	limit := limitOf(req.Limit, maxNotifications)
	pg := driver.InteractionPage{Next: cursor}
	// A page may hold only direct messages, which are skipped: read on
	// (a few pages at most) rather than return an empty page that says
	// More.
	for range maxSkipPages {
		q := url.Values{"types[]": {"mention"}, "min_id": {pg.Next}, "limit": {itoa(limit)}}
		var ns []notification
		if err := d.c.GetJSON(ctx, classAPI, "/api/v1/notifications", q, &ns); err != nil {
			return driver.InteractionPage{}, err
		}
		// Notifications are paged by notification ID; the cursor is the
		// last notification's, the items are their statuses.
		slices.SortFunc(ns, func(a, b notification) int { return compareIDs(a.ID, b.ID) })
		from := pg.Next
		for _, n := range ns {
			if compareIDs(n.ID, from) <= 0 {
				continue
			}
			pg.Next = n.ID
			if n.Type != "mention" || n.Status == nil || n.Status.Visibility == Direct {
				continue
			}
			if !req.Since.IsZero() && n.Status.CreatedAt.Before(req.Since) {
				continue
			}
			pg.Items = append(pg.Items, interaction(n.Status, driver.Mention))
		}
		pg.More = len(ns) >= limit && pg.Next != from
		if len(pg.Items) > 0 || !pg.More {
			break
		}
	}
	if len(pg.Items) == 0 {
		pg.More = false
	}
	return pg, nil
}

// maxSkipPages bounds the pages ListMentions reads in one call when every
// notification is skipped.
const maxSkipPages = 5

// ListMessages lists the direct messages the account received, oldest
// first: the last status of each conversation (GET /api/v1/conversations,
// newest first, read until the cursor), and, when resuming from a cursor,
// the earlier new messages of each conversation that moved (its thread,
// GET /api/v1/statuses/:id/context), so that several messages arriving in
// one conversation between two polls are all listed. ConversationID is the
// conversation's ID, which SendMessage answers. The account's own messages
// are not listed. A first listing (empty cursor) gives the last message of
// each conversation; one call reads at most 800 conversations.
func (d *Driver) ListMessages(ctx context.Context, req driver.PageRequest) (driver.InteractionPage, error) {
	cursor, err := cursorOf(req.Cursor)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	me, err := d.self(ctx)
	if err != nil {
		return driver.InteractionPage{}, err
	}
	var moved []conversation
	const path = "/api/v1/conversations"
	query := url.Values{"limit": {itoa(maxConversations)}}
	done := false
	for n := 0; !done && n < maxConversationsN; n++ {
		resp, err := d.c.Do(ctx, &transport.Request{Path: path, Query: query, Class: classAPI})
		if err != nil {
			return driver.InteractionPage{}, err
		}
		var convs []conversation
		if err := resp.DecodeJSON(&convs); err != nil {
			return driver.InteractionPage{}, decodeErr(resp, err)
		}
		for _, c := range convs {
			if c.LastStatus == nil {
				continue
			}
			// Conversations come newest first: stop at the cursor, or
			// before Since.
			if compareIDs(c.LastStatus.ID, cursor) <= 0 ||
				(!req.Since.IsZero() && c.LastStatus.CreatedAt.Before(req.Since)) {
				done = true
				break
			}
			moved = append(moved, c)
		}
		next, ok := nextQuery(resp.Header.Get("Link"))
		if len(convs) == 0 || !ok {
			break
		}
		query = next
	}
	var items []driver.Interaction
	add := func(st *status, conv string) {
		if st.Account.ID == me.ID || st.Visibility != Direct {
			return
		}
		it := interaction(st, driver.DirectMessage)
		it.ConversationID = conv
		items = append(items, it)
	}
	for i := range moved {
		c := &moved[i]
		add(c.LastStatus, c.ID)
		if cursor == startCursor {
			continue
		}
		var sc statusContext
		err := d.c.GetJSON(ctx, classAPI, "/api/v1/statuses/"+c.LastStatus.ID+"/context", nil, &sc)
		if err != nil && !errorsIsNotFound(err) {
			return driver.InteractionPage{}, err
		}
		for j := range sc.Ancestors {
			add(&sc.Ancestors[j], c.ID)
		}
		for j := range sc.Descendants {
			add(&sc.Descendants[j], c.ID)
		}
	}
	return page(items, cursor, req.Since, limitOf(req.Limit, 1<<30)), nil
}

// PostMetrics reads a status's counters (GET /api/v1/statuses/:id):
// favourites_count as Likes, reblogs_count as Shares, replies_count as
// Comments. Mastodon reports no impressions, reach, saves, clicks or views:
// those are invalid.
func (d *Driver) PostMetrics(ctx context.Context, postID string) (driver.PostMetrics, error) {
	st, err := d.parent(ctx, postID)
	if err != nil {
		return driver.PostMetrics{}, err
	}
	return driver.PostMetrics{
		PostID:    st.ID,
		Likes:     driver.M(st.FavouritesCount),
		Shares:    driver.M(st.ReblogsCount),
		Comments:  driver.M(st.RepliesCount),
		FetchedAt: d.now(),
	}, nil
}

// AccountMetrics reads the account's counters (GET
// /api/v1/accounts/verify_credentials): followers, following, statuses.
func (d *Driver) AccountMetrics(ctx context.Context) (driver.AccountMetrics, error) {
	var a account
	if err := d.c.GetJSON(ctx, classAPI, "/api/v1/accounts/verify_credentials", nil, &a); err != nil {
		return driver.AccountMetrics{}, err
	}
	return driver.AccountMetrics{
		Followers: driver.M(a.FollowersCount),
		Following: driver.M(a.FollowingCount),
		Posts:     driver.M(a.StatusesCount),
		FetchedAt: d.now(),
	}, nil
}

// SetLiked favourites a status, or takes the favourite back (POST
// /api/v1/statuses/:id/favourite or /unfavourite). Both are idempotent on
// Mastodon: favouriting twice is not an error.
func (d *Driver) SetLiked(ctx context.Context, id string, liked bool) error {
	if !validID(id) {
		return notFoundID("status", id)
	}
	action := "/unfavourite"
	if liked {
		action = "/favourite"
	}
	_, err := d.c.Do(ctx, &transport.Request{Method: http.MethodPost, Path: "/api/v1/statuses/" + id + action, Class: classAPI, Idempotent: true})
	return err
}

func errorsIsNotFound(err error) bool { return driver.CodeOf(err) == driver.NotFound }
