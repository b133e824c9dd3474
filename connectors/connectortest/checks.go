package connectortest

import (
	"context"
	"errors"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
)

func (s *suite) describe(t testing.TB, ctx context.Context) {
	d := s.open(t, ctx)
	desc, err := d.Describe(ctx)
	if err != nil {
		t.Fatalf("Describe: %v", err)
	}
	if desc.Network == "" {
		t.Errorf("Description.Network is empty")
	}
	if desc.DisplayName == "" {
		t.Errorf("Description.DisplayName is empty: validation messages name the network with it")
	}
	l := desc.Limits
	for name, v := range map[string]int64{
		"MaxText": int64(l.MaxText), "MaxTextBytes": int64(l.MaxTextBytes), "URLLength": int64(l.URLLength),
		"MaxTitle": int64(l.MaxTitle), "MaxHashtags": int64(l.MaxHashtags), "MaxMentions": int64(l.MaxMentions),
		"MaxImages": int64(l.MaxImages), "MaxVideos": int64(l.MaxVideos), "MaxImageBytes": l.MaxImageBytes,
		"MaxVideoBytes": l.MaxVideoBytes, "MaxVideoDuration": int64(l.MaxVideoDuration),
		"MaxAltText": int64(l.MaxAltText), "MaxThread": int64(l.MaxThread),
	} {
		if v < 0 {
			t.Errorf("Limits.%s is negative (%d)", name, v)
		}
	}
	if l.TextRule < driver.CountCodePoints || l.TextRule > driver.CountURLsFixed {
		t.Errorf("Limits.TextRule %d is not a known rule", l.TextRule)
	}
	if l.MaxThread > 0 && !l.Threads {
		t.Errorf("Limits.MaxThread is set but Limits.Threads is false")
	}
	if l.NoMedia && (l.MediaRequired || l.MaxImages > 0 || l.MaxVideos > 0) {
		t.Errorf("Limits.NoMedia contradicts MediaRequired, MaxImages or MaxVideos")
	}
	if desc.Declined.Has(driver.CapPublish) {
		t.Errorf("Description.Declined lists publish: every account can publish")
	}
}

func (s *suite) capabilities(t testing.TB, ctx context.Context) {
	a, _ := s.account(t, ctx)
	if got := a.Capabilities(); got != s.caps {
		t.Errorf("Account.Capabilities() = %v\nHarness declares     %v\nmissing: %v\nextra: %v",
			got, s.caps, s.caps&^got, got&^s.caps)
	}
}

func (s *suite) publish(t testing.TB, ctx context.Context) {
	a, d := s.account(t, ctx)
	// The raw driver.
	p := post(a, "raw publish")
	res, err := d.Publish(ctx, p, driver.PublishOptions{})
	if err != nil {
		t.Fatalf("driver Publish: %v", err)
	}
	res = s.resolve(t, ctx, a, res)
	// Through the Account.
	res2 := s.publish1(t, ctx, a, post(a, "publish"), nil)
	if res2.ID == res.ID {
		t.Errorf("two publishes returned the same ID %s", res.ID)
	}
}

func (s *suite) delete(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapDelete)
	a, d := s.account(t, ctx)
	res := s.publish1(t, ctx, a, post(a, "delete"), nil)
	if err := a.Delete(ctx, res.ID); err != nil {
		t.Fatalf("Delete(%s): %v", res.ID, err)
	}
	wantCode(t, "deleting a deleted post (Account)", a.Delete(ctx, res.ID), driver.ErrNotFound)
	wantCode(t, "deleting a deleted post (driver)", d.(driver.Deleter).DeletePost(ctx, res.ID), driver.ErrNotFound)
}

func (s *suite) media(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapMedia)
	a, _ := s.account(t, ctx)
	p := &driver.Post{Text: text("media"), Media: []driver.Media{image(a.Description().Limits)}}
	if err := a.Validate(p); err != nil {
		t.Fatalf("a post with one small image is invalid for the driver's own limits: %v", err)
	}
	s.publish1(t, ctx, a, p, nil)
}

func (s *suite) thread(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapThreads)
	a, _ := s.account(t, ctx)
	p := post(a, "thread 1/3")
	p.Thread = []driver.Post{{Text: text("thread 2/3")}, {Text: text("thread 3/3")}}
	res := s.publish1(t, ctx, a, p, nil)
	if len(res.ThreadIDs) != 2 {
		t.Fatalf("thread of 3 posts returned ThreadIDs %v, want 2 IDs", res.ThreadIDs)
	}
	all := append([]string{res.ID}, res.ThreadIDs...)
	for i, id := range all {
		if id == "" || slices.Index(all, id) != i {
			t.Errorf("thread IDs %v are not distinct and non-empty", all)
			break
		}
	}
}

func (s *suite) firstComment(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapFirstComment)
	a, _ := s.account(t, ctx)
	p := post(a, "first comment")
	p.FirstComment = text("the link is in the first comment")
	res := s.publish1(t, ctx, a, p, nil)
	if res.FirstCommentID == "" {
		t.Fatalf("publish with a first comment returned no FirstCommentID")
	}
	if s.has(driver.CapComments) {
		items, _ := drain(t, ctx, func(ctx context.Context, r driver.PageRequest) (driver.InteractionPage, error) {
			return a.Comments(ctx, res.ID, r)
		}, "", 0)
		if !slices.Contains(ids(items), res.FirstCommentID) {
			t.Errorf("first comment %s is not listed under post %s (got %v)", res.FirstCommentID, res.ID, ids(items))
		}
	}
}

func (s *suite) validation(t testing.TB, ctx context.Context) {
	a, _ := s.account(t, ctx)
	l := a.Description().Limits
	bad := []*driver.Post{
		{}, // empty
		{Text: "x", Media: []driver.Media{{Kind: driver.MediaImage, MIMEType: "image/png"}}}, // no bytes
	}
	if l.MaxText > 0 {
		bad = append(bad, &driver.Post{Text: strings.Repeat("a", l.MaxText+1)})
	}
	if l.MaxTextBytes > 0 {
		bad = append(bad, &driver.Post{Text: strings.Repeat("a", l.MaxTextBytes+1)})
	}
	before := s.h.Requests()
	for _, p := range bad {
		_, err := a.Publish(ctx, p, nil)
		wantCode(t, "publishing invalid content", err, driver.ErrInvalidContent)
		var ve *driver.ValidationError
		if !errors.As(err, &ve) {
			t.Errorf("invalid content error %v has no *ValidationError", err)
		}
		if s.has(driver.CapReply) {
			_, err := a.Reply(ctx, "any", p, nil)
			wantCode(t, "replying with invalid content", err, driver.ErrInvalidContent)
		}
	}
	if after := s.h.Requests(); after != before {
		t.Errorf("invalid content made %d requests; validation must happen before any request", after-before)
	}
}

// capCalls calls the Account method behind each capability.
var capCalls = []struct {
	cap  driver.Capability
	call func(ctx context.Context, a *connectors.Account) error
}{
	{driver.CapDelete, func(ctx context.Context, a *connectors.Account) error { return a.Delete(ctx, "x") }},
	{driver.CapEdit, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.Edit(ctx, "x", &driver.Post{Text: "x"})
		return err
	}},
	{driver.CapComments, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.Comments(ctx, "x", driver.PageRequest{})
		return err
	}},
	{driver.CapMentions, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.Mentions(ctx, driver.PageRequest{})
		return err
	}},
	{driver.CapReply, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.Reply(ctx, "x", &driver.Post{Text: "x"}, nil)
		return err
	}},
	{driver.CapHideComment, func(ctx context.Context, a *connectors.Account) error { return a.HideComment(ctx, "x") }},
	{driver.CapDeleteComment, func(ctx context.Context, a *connectors.Account) error { return a.DeleteComment(ctx, "x") }},
	{driver.CapLike, func(ctx context.Context, a *connectors.Account) error { return a.Like(ctx, "x") }},
	{driver.CapPostMetrics, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.PostMetrics(ctx, "x")
		return err
	}},
	{driver.CapAccountMetrics, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.AccountMetrics(ctx)
		return err
	}},
	{driver.CapReadMessages, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.Messages(ctx, driver.PageRequest{})
		return err
	}},
	{driver.CapSendMessages, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.SendMessage(ctx, "x", &driver.Post{Text: "x"}, nil)
		return err
	}},
	{driver.CapPending, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.CheckPending(ctx, []byte("x"))
		return err
	}},
	{driver.CapFindPost, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.FindPost(ctx, "x", nil)
		return err
	}},
	{driver.CapThreads, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.Publish(ctx, &driver.Post{Text: "x", Thread: []driver.Post{{Text: "y"}}}, nil)
		if errors.Is(err, driver.ErrInvalidContent) {
			return driver.ErrUnsupported // refused before any request, as it must be
		}
		return err
	}},
	{driver.CapFirstComment, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.Publish(ctx, &driver.Post{Text: "x", FirstComment: "y"}, nil)
		if errors.Is(err, driver.ErrInvalidContent) {
			return driver.ErrUnsupported
		}
		return err
	}},
	{driver.CapMedia, func(ctx context.Context, a *connectors.Account) error {
		_, err := a.Publish(ctx, &driver.Post{Text: "x", Media: []driver.Media{image(driver.Limits{})}}, nil)
		if errors.Is(err, driver.ErrInvalidContent) {
			return driver.ErrUnsupported
		}
		return err
	}},
}

func (s *suite) unsupported(t testing.TB, ctx context.Context) {
	a, _ := s.account(t, ctx)
	tested := 0
	for _, c := range capCalls {
		if s.has(c.cap) {
			continue
		}
		tested++
		before := s.h.Requests()
		err := c.call(ctx, a)
		if !errors.Is(err, driver.ErrUnsupported) {
			t.Errorf("%v is not declared, but the call returned %v, want an error matching ErrUnsupported", c.cap, err)
		}
		if after := s.h.Requests(); after != before {
			t.Errorf("unsupported %v made %d requests", c.cap, after-before)
		}
	}
	if tested == 0 {
		t.Logf("every capability is declared: nothing unsupported to check")
	}
}

func (s *suite) comments(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapComments)
	a, d := s.account(t, ctx)
	res := s.publish1(t, ctx, a, post(a, "comments"), nil)
	var want []string
	for i := range 5 {
		want = append(want, s.interact(t, ctx, driver.Comment, res.ID, text("comment "+string(rune('A'+i)))))
	}
	cl := d.(driver.CommentLister)
	list := func(ctx context.Context, r driver.PageRequest) (driver.InteractionPage, error) {
		return cl.ListComments(ctx, res.ID, r)
	}
	s.checkListing(t, ctx, list, want, driver.Comment, func() string {
		return s.interact(t, ctx, driver.Comment, res.ID, text("late comment"))
	})
	// The Account lists the same, with PostID set.
	items, _ := drain(t, ctx, func(ctx context.Context, r driver.PageRequest) (driver.InteractionPage, error) {
		return a.Comments(ctx, res.ID, r)
	}, "", 0)
	if len(items) != 6 {
		t.Fatalf("Account.Comments listed %d comments, want 6", len(items))
	}
	for _, it := range items {
		if it.PostID != res.ID {
			t.Errorf("comment %s has PostID %q, want %q", it.ID, it.PostID, res.ID)
		}
		if it.Network != a.Network() {
			t.Errorf("comment %s has Network %q, want %q", it.ID, it.Network, a.Network())
		}
	}
}

func (s *suite) commentsUnknownPost(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapComments)
	a, d := s.account(t, ctx)
	_, err := d.(driver.CommentLister).ListComments(ctx, "connectortest-no-such-post", driver.PageRequest{})
	wantCode(t, "listing comments of an unknown post (driver)", err, driver.ErrNotFound)
	_, err = a.Comments(ctx, "connectortest-no-such-post", driver.PageRequest{})
	wantCode(t, "listing comments of an unknown post (Account)", err, driver.ErrNotFound)
}

func (s *suite) mentions(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapMentions)
	_, d := s.account(t, ctx)
	var want []string
	for i := range 3 {
		want = append(want, s.interact(t, ctx, driver.Mention, "", text("mention "+string(rune('A'+i)))))
	}
	ml := d.(driver.MentionLister)
	s.checkListing(t, ctx, ml.ListMentions, want, driver.Mention, func() string {
		return s.interact(t, ctx, driver.Mention, "", text("late mention"))
	})
}

func (s *suite) messages(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapReadMessages)
	_, d := s.account(t, ctx)
	var want []string
	for i := range 3 {
		want = append(want, s.interact(t, ctx, driver.DirectMessage, "", text("dm "+string(rune('A'+i)))))
	}
	ml := d.(driver.MessageLister)
	s.checkListing(t, ctx, ml.ListMessages, want, driver.DirectMessage, func() string {
		return s.interact(t, ctx, driver.DirectMessage, "", text("late dm"))
	})
}

func (s *suite) sendMessage(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapSendMessages)
	a, _ := s.account(t, ctx)
	conv := "connectortest-conversation"
	if s.has(driver.CapReadMessages) {
		id := s.interact(t, ctx, driver.DirectMessage, "", text("hello brand"))
		items, _ := drain(t, ctx, a.Messages, "", 0)
		for _, it := range items {
			if it.ID == id {
				conv = it.ConversationID
			}
		}
		if conv == "" {
			t.Fatalf("direct message %s has no ConversationID", id)
		}
	}
	res, err := a.SendMessage(ctx, conv, &driver.Post{Text: text("merci !")}, nil)
	if err != nil {
		t.Fatalf("SendMessage(%s): %v", conv, err)
	}
	s.resolve(t, ctx, a, res)
}

func (s *suite) reply(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapReply)
	a, _ := s.account(t, ctx)
	parent := s.publish1(t, ctx, a, post(a, "reply parent"), nil).ID
	target := parent
	if s.has(driver.CapComments) {
		target = s.interact(t, ctx, driver.Comment, parent, text("a question"))
	}
	res, err := a.Reply(ctx, target, &driver.Post{Text: text("an answer")}, nil)
	if err != nil {
		t.Fatalf("Reply(%s): %v", target, err)
	}
	res = s.resolve(t, ctx, a, res)
	if !s.has(driver.CapComments) {
		return
	}
	items, _ := drain(t, ctx, func(ctx context.Context, r driver.PageRequest) (driver.InteractionPage, error) {
		return a.Comments(ctx, parent, r)
	}, "", 0)
	for _, it := range items {
		if it.ID == res.ID {
			if it.ParentID != target {
				t.Errorf("reply %s has ParentID %q, want %q", it.ID, it.ParentID, target)
			}
			return
		}
	}
	t.Errorf("reply %s is not listed under post %s (got %v)", res.ID, parent, ids(items))
}

// findComment lists the comments of post from the start and returns the
// one with id, if listed.
func findComment(t testing.TB, ctx context.Context, a *connectors.Account, post, id string) (driver.Interaction, bool) {
	t.Helper()
	items, _ := drain(t, ctx, func(ctx context.Context, r driver.PageRequest) (driver.InteractionPage, error) {
		return a.Comments(ctx, post, r)
	}, "", 0)
	for _, it := range items {
		if it.ID == id {
			return it, true
		}
	}
	return driver.Interaction{}, false
}

func (s *suite) hideComment(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapHideComment)
	a, _ := s.account(t, ctx)
	p := s.publish1(t, ctx, a, post(a, "hide"), nil).ID
	c := s.interact(t, ctx, driver.Comment, p, text("spam spam spam"))
	for range 2 {
		if err := a.HideComment(ctx, c); err != nil {
			t.Fatalf("HideComment(%s): %v", c, err)
		}
	}
	if s.has(driver.CapComments) {
		if it, ok := findComment(t, ctx, a, p, c); ok && !it.Hidden {
			t.Errorf("hidden comment %s is listed with Hidden false", c)
		}
	}
	if err := a.UnhideComment(ctx, c); err != nil {
		t.Fatalf("UnhideComment(%s): %v", c, err)
	}
	if s.has(driver.CapComments) {
		it, ok := findComment(t, ctx, a, p, c)
		if !ok {
			t.Errorf("unhidden comment %s is not listed", c)
		} else if it.Hidden {
			t.Errorf("unhidden comment %s is listed with Hidden true", c)
		}
	}
}

func (s *suite) deleteComment(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapDeleteComment)
	a, _ := s.account(t, ctx)
	p := s.publish1(t, ctx, a, post(a, "delete comment"), nil).ID
	c := s.interact(t, ctx, driver.Comment, p, text("rude words"))
	if err := a.DeleteComment(ctx, c); err != nil {
		t.Fatalf("DeleteComment(%s): %v", c, err)
	}
	if s.has(driver.CapComments) {
		if _, ok := findComment(t, ctx, a, p, c); ok {
			t.Errorf("deleted comment %s is still listed", c)
		}
	}
}

func (s *suite) like(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapLike)
	a, _ := s.account(t, ctx)
	p := s.publish1(t, ctx, a, post(a, "like"), nil).ID
	likes := func() driver.Metric {
		if !s.has(driver.CapPostMetrics) {
			return driver.Metric{}
		}
		m, err := a.PostMetrics(ctx, p)
		if err != nil {
			t.Fatalf("PostMetrics(%s): %v", p, err)
		}
		return m.Likes
	}
	before := likes()
	for range 2 {
		if err := a.Like(ctx, p); err != nil {
			t.Fatalf("Like(%s): liking twice must not fail: %v", p, err)
		}
	}
	if after := likes(); before.Valid && after.Valid && after.Value != before.Value+1 {
		t.Errorf("likes went from %d to %d after liking (twice), want +1", before.Value, after.Value)
	}
	for range 2 {
		if err := a.Unlike(ctx, p); err != nil {
			t.Fatalf("Unlike(%s): unliking twice must not fail: %v", p, err)
		}
	}
	if after := likes(); before.Valid && after.Valid && after.Value != before.Value {
		t.Errorf("likes went from %d to %d after liking and unliking", before.Value, after.Value)
	}
	if s.has(driver.CapComments) {
		c := s.interact(t, ctx, driver.Comment, p, text("love it"))
		if err := a.Like(ctx, c); err != nil {
			t.Errorf("Like(comment %s): %v", c, err)
		}
	}
}

func checkMetric(t testing.TB, name string, m driver.Metric) {
	t.Helper()
	if m.Valid && m.Value < 0 {
		t.Errorf("%s is negative (%d)", name, m.Value)
	}
	if !m.Valid && m.Value != 0 {
		t.Errorf("%s is invalid but holds %d: an unreported counter is Metric{}", name, m.Value)
	}
}

func (s *suite) postMetrics(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapPostMetrics)
	a, d := s.account(t, ctx)
	p := s.publish1(t, ctx, a, post(a, "metrics"), nil).ID
	m, err := a.PostMetrics(ctx, p)
	if err != nil {
		t.Fatalf("PostMetrics(%s): %v", p, err)
	}
	if m.PostID != p {
		t.Errorf("PostMetrics.PostID = %q, want %q", m.PostID, p)
	}
	for name, v := range map[string]driver.Metric{
		"Impressions": m.Impressions, "Reach": m.Reach, "Likes": m.Likes, "Comments": m.Comments,
		"Shares": m.Shares, "Saves": m.Saves, "Clicks": m.Clicks, "VideoViews": m.VideoViews,
	} {
		checkMetric(t, name, v)
	}
	raw, err := d.(driver.PostMetricsReader).PostMetrics(ctx, p)
	if err != nil {
		t.Fatalf("driver PostMetrics(%s): %v", p, err)
	}
	checkMetric(t, "Likes (driver)", raw.Likes)
	_, err = a.PostMetrics(ctx, "connectortest-no-such-post")
	wantCode(t, "metrics of an unknown post", err, driver.ErrNotFound)
}

func (s *suite) accountMetrics(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapAccountMetrics)
	a, _ := s.account(t, ctx)
	m, err := a.AccountMetrics(ctx)
	if err != nil {
		t.Fatalf("AccountMetrics: %v", err)
	}
	checkMetric(t, "Followers", m.Followers)
	checkMetric(t, "Following", m.Following)
	checkMetric(t, "Posts", m.Posts)
	if !m.Followers.Valid && !m.Following.Valid && !m.Posts.Valid {
		t.Errorf("AccountMetrics reports no counter at all: do not implement AccountMetricsReader")
	}
}

func (s *suite) idempotency(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapIdempotencyKey)
	a, d := s.account(t, ctx)
	p := post(a, "idempotent")
	o := &driver.PublishOptions{IdempotencyKey: strings.ReplaceAll(text("key"), " ", "-")}
	first := s.publish1(t, ctx, a, p, o)
	second := s.publish1(t, ctx, a, p, o)
	if first.ID != second.ID {
		t.Errorf("publishing twice with idempotency key %q gave posts %s and %s, want one", o.IdempotencyKey, first.ID, second.ID)
	}
	raw, err := d.Publish(ctx, p, *o)
	if err != nil {
		t.Fatalf("driver Publish with the same key: %v", err)
	}
	if raw = s.resolve(t, ctx, a, raw); raw.ID != first.ID {
		t.Errorf("driver Publish with the same key gave %s, want %s", raw.ID, first.ID)
	}
}

func (s *suite) findPost(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapFindPost)
	a, _ := s.account(t, ctx)
	p := post(a, "find me")
	key := strings.ReplaceAll(text("find key"), " ", "-")
	res := s.publish1(t, ctx, a, p, &driver.PublishOptions{IdempotencyKey: key})
	found, err := a.FindPost(ctx, key, p)
	if err != nil {
		t.Fatalf("FindPost(%q): %v", key, err)
	}
	if found.ID != res.ID || found.Status != driver.Published {
		t.Errorf("FindPost(%q) = %s (%v), want %s (published)", key, found.ID, found.Status, res.ID)
	}
	_, err = a.FindPost(ctx, key+"-never-used", &driver.Post{Text: text("never published")})
	wantCode(t, "FindPost with an unknown key", err, driver.ErrNotFound)
}

func (s *suite) pending(t testing.TB, ctx context.Context) {
	s.need(t, driver.CapPending)
	a, _ := s.account(t, ctx)
	p := post(a, "pending")
	if l := a.Description().Limits; !l.NoMedia && len(p.Media) == 0 {
		p.Media = []driver.Media{image(l)} // media is what networks process asynchronously
	}
	res, err := a.Publish(ctx, p, nil)
	if err != nil {
		t.Fatalf("Publish: %v", err)
	}
	if res.Status != driver.Pending {
		t.Skipf("the publish completed at once (%v): nothing pending to resolve", res.Status)
	}
	state := res.Pending
	done := s.resolve(t, ctx, a, res)
	again, err := a.CheckPending(ctx, state)
	if err != nil {
		t.Fatalf("CheckPending after publication: %v", err)
	}
	if again.Status != driver.Published || again.ID != done.ID {
		t.Errorf("CheckPending after publication = %v %s, want published %s again", again.Status, again.ID, done.ID)
	}
}

func (s *suite) rateLimited(t testing.TB, ctx context.Context) {
	a, d := s.account(t, ctx)
	s.fail(t, FaultRateLimited, 1)
	_, err := d.Publish(ctx, post(a, "rate limited"), driver.PublishOptions{})
	wantCode(t, "driver Publish on a 429", err, driver.ErrRateLimited)
	var rl *driver.RateLimitError
	if !errors.As(err, &rl) {
		t.Fatalf("rate-limit error %v has no *RateLimitError", err)
	}
	if rl.RetryAfter <= 0 && rl.Reset.IsZero() {
		t.Errorf("*RateLimitError has neither RetryAfter nor Reset: read them from the response")
	}
	// The Account retries and recovers.
	s.fail(t, FaultRateLimited, 1)
	before := s.h.Requests()
	s.publish1(t, ctx, a, post(a, "after rate limit"), nil)
	if n := s.h.Requests() - before; n < 2 {
		t.Errorf("recovering from a 429 took %d requests, want the refused one and a retry", n)
	}
}

func (s *suite) unauthenticated(t testing.TB, ctx context.Context) {
	a, d := s.account(t, ctx)
	s.fail(t, FaultUnauthenticated, 1)
	_, err := d.Publish(ctx, post(a, "unauthenticated"), driver.PublishOptions{})
	wantCode(t, "driver Publish on a 401", err, driver.ErrUnauthenticated)

	s.fail(t, FaultUnauthenticated, 1)
	before := s.h.Requests()
	_, err = a.Publish(ctx, post(a, "unauthenticated"), nil)
	wantCode(t, "Account Publish on a 401", err, driver.ErrUnauthenticated)
	if n := s.h.Requests() - before; n != 1 {
		t.Errorf("a 401 made %d requests, want exactly 1: Unauthenticated is never retried", n)
	}
}

func (s *suite) unavailable(t testing.TB, ctx context.Context) {
	a, d := s.account(t, ctx)
	var read, raw func() error
	switch {
	case s.has(driver.CapAccountMetrics):
		read = func() error { _, err := a.AccountMetrics(ctx); return err }
		raw = func() error { _, err := d.(driver.AccountMetricsReader).AccountMetrics(ctx); return err }
	case s.has(driver.CapMentions):
		read = func() error { _, err := a.Mentions(ctx, driver.PageRequest{}); return err }
		raw = func() error { _, err := d.(driver.MentionLister).ListMentions(ctx, driver.PageRequest{}); return err }
	case s.has(driver.CapComments):
		p := s.publish1(t, ctx, a, post(a, "unavailable"), nil).ID
		read = func() error { _, err := a.Comments(ctx, p, driver.PageRequest{}); return err }
		raw = func() error {
			_, err := d.(driver.CommentLister).ListComments(ctx, p, driver.PageRequest{})
			return err
		}
	case s.has(driver.CapPostMetrics):
		p := s.publish1(t, ctx, a, post(a, "unavailable"), nil).ID
		read = func() error { _, err := a.PostMetrics(ctx, p); return err }
		raw = func() error { _, err := d.(driver.PostMetricsReader).PostMetrics(ctx, p); return err }
	default:
		read = func() error { _, err := a.Publish(ctx, post(a, "unavailable"), nil); return err }
		raw = func() error { _, err := d.Publish(ctx, post(a, "unavailable"), driver.PublishOptions{}); return err }
	}
	s.fail(t, FaultUnavailable, 1)
	wantCode(t, "driver call on a 503", raw(), driver.ErrUnavailable)
	s.fail(t, FaultUnavailable, 2)
	if err := read(); err != nil {
		t.Errorf("the Account did not recover from two 503s: %v", err)
	}
}

func (s *suite) concurrentPublish(t testing.TB, ctx context.Context) {
	a, _ := s.account(t, ctx)
	const n = 20
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		got  []string
		errs []error
	)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			p := post(a, "concurrent "+string(rune('a'+i)))
			res, err := a.Publish(ctx, p, nil)
			for err == nil && res.Status == driver.Pending {
				res, err = a.CheckPending(ctx, res.Pending)
			}
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				errs = append(errs, err)
				return
			}
			got = append(got, res.ID)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		t.Errorf("concurrent Publish: %v", err)
	}
	slices.Sort(got)
	if len(slices.Compact(slices.Clone(got))) != n || len(got) != n {
		t.Errorf("%d concurrent publishes returned %d distinct IDs: %v", n, len(slices.Compact(got)), got)
	}
}
