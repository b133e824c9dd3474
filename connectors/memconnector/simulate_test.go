package memconnector_test

import (
	"context"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/memconnector"
)

var simStart = time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC)

// snapshot renders everything an account can read, to compare networks.
func snapshot(t *testing.T, n *memconnector.Network, rep memconnector.SimReport) string {
	t.Helper()
	ctx := context.Background()
	d := open(t, n, rep.Account)
	s := fmt.Sprintf("%+v\n", rep)
	for _, p := range n.Posts(rep.Account) {
		m, err := d.PostMetrics(ctx, p.ID)
		require.NoError(t, err)
		m.FetchedAt = time.Time{}
		s += fmt.Sprintf("%s %q %+v\n", p.ID, p.Text, m)
		for _, c := range listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListComments(ctx, p.ID, r) }) {
			s += fmt.Sprintf("  %s %v %s %q %v %+v\n", c.ID, c.Kind, c.Author.Handle, c.Text, c.CreatedAt, c.Author)
		}
	}
	for _, c := range listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListMentions(ctx, r) }) {
		s += fmt.Sprintf("mention %s %s %q\n", c.ID, c.Author.Handle, c.Text)
	}
	for _, c := range listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListMessages(ctx, r) }) {
		s += fmt.Sprintf("dm %s %s %s %q\n", c.ID, c.ConversationID, c.Author.Handle, c.Text)
	}
	am, err := d.AccountMetrics(ctx)
	require.NoError(t, err)
	return s + fmt.Sprintf("%+v %+v %+v\n", am.Followers, am.Following, am.Posts)
}

func simulate(t *testing.T, seed int64, o memconnector.SimOptions) (*memconnector.Network, memconnector.SimReport) {
	t.Helper()
	n := newNet(t, &memconnector.NetworkOptions{Seed: seed})
	if o.Start.IsZero() {
		o.Start = simStart
	}
	rep, err := n.Simulate(context.Background(), o)
	require.NoError(t, err)
	return n, rep
}

func TestSimulateDeterminism(t *testing.T) {
	o := memconnector.SimOptions{Days: 10, Followers: 300}
	n1, r1 := simulate(t, 42, o)
	n2, r2 := simulate(t, 42, o)
	s1, s2 := snapshot(t, n1, r1), snapshot(t, n2, r2)
	require.Equal(t, s1, s2, "same seed, same network")
	n3, r3 := simulate(t, 43, o)
	require.NotEqual(t, s1, snapshot(t, n3, r3), "different seeds differ")

	// A second call on the same network continues differently.
	rep, err := n1.Simulate(context.Background(), memconnector.SimOptions{Start: simStart.AddDate(0, 0, 10), Days: 2})
	require.NoError(t, err)
	require.NotEqual(t, r1.Labels[0].ID, rep.Labels[0].ID)
	rep2, err := n2.Simulate(context.Background(), memconnector.SimOptions{Start: simStart.AddDate(0, 0, 10), Days: 2})
	require.NoError(t, err)
	require.Equal(t, rep, rep2)
}

func TestSimulate(t *testing.T) {
	ctx := context.Background()
	n, rep := simulate(t, 1, memconnector.SimOptions{Days: 30, Followers: 1000})
	d := open(t, n, "brand")
	require.Equal(t, "brand", rep.Account)
	require.Equal(t, simStart, rep.Start)
	require.Equal(t, simStart.AddDate(0, 0, 30), rep.End)
	require.Zero(t, rep.FollowersStart)
	require.Greater(t, rep.FollowersEnd, int64(1000), "growth beats churn")
	require.Positive(t, rep.LostFollowers)
	require.Equal(t, int64(1000+rep.NewFollowers-rep.LostFollowers), rep.FollowersEnd)
	require.Equal(t, len(n.Posts("brand")), rep.PostsCreated)
	require.InDelta(t, 30, rep.PostsCreated, 12)
	require.Equal(t, rep.PostsCreated, rep.PostsEngaged)
	require.Positive(t, rep.Comments)
	require.Positive(t, rep.Replies)
	require.Positive(t, rep.Mentions)
	require.Positive(t, rep.Messages)
	require.Len(t, rep.Labels, rep.Comments+rep.Replies+rep.Mentions+rep.Messages)
	total := 0
	for c := memconnector.Praise; c <= memconnector.Neutral; c++ {
		require.Positive(t, rep.Categories[c], "category %v occurs", c)
		total += rep.Categories[c]
	}
	require.Equal(t, len(rep.Labels), total)
	require.Contains(t, rep.String(), "followers 0 -> ")

	// Labels match Label, timestamps are in the window and in order, and
	// spammers are young accounts with few followers.
	var prev time.Time
	langs := map[string]int{}
	for _, l := range rep.Labels {
		c, ok := n.Label(l.ID)
		require.True(t, ok)
		require.Equal(t, l.Category, c)
		require.False(t, l.CreatedAt.Before(rep.Start))
		require.True(t, l.CreatedAt.Before(rep.End))
		require.False(t, l.CreatedAt.Before(prev), "created in time order")
		prev = l.CreatedAt
		langs[l.Language]++
		if l.Category == memconnector.Spam {
			a, ok := n.Author(l.Author)
			require.True(t, ok)
			require.Less(t, a.Followers, int64(25))
			require.True(t, a.CreatedAt.After(rep.Start.AddDate(0, 0, -32)), "spam accounts are young")
		} else if l.Kind == driver.Comment && l.Category != memconnector.Abuse {
			a, _ := n.Author(l.Author)
			require.True(t, a.CreatedAt.Before(rep.Start.AddDate(0, 0, -150)), "regular accounts are older")
		}
	}
	require.Positive(t, langs["fr"])
	require.Positive(t, langs["en"])

	// What the account reads agrees with the report.
	var comments, likes int64
	for _, p := range n.Posts("brand") {
		m, err := d.PostMetrics(ctx, p.ID)
		require.NoError(t, err)
		require.Positive(t, m.Impressions.Value)
		require.LessOrEqual(t, m.Reach.Value, m.Impressions.Value)
		comments += m.Comments.Value
		likes += m.Likes.Value
		require.Len(t, p.Media, 1)
		require.Equal(t, p.Media[0].Kind == driver.MediaVideo, m.VideoViews.Valid)
	}
	require.EqualValues(t, rep.Comments+rep.Replies, comments)
	require.Equal(t, rep.Likes, likes)
	am, err := d.AccountMetrics(ctx)
	require.NoError(t, err)
	require.Equal(t, rep.FollowersEnd, am.Followers.Value)
	mentions := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListMentions(ctx, r) })
	require.Len(t, mentions, rep.Mentions)
	msgs := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListMessages(ctx, r) })
	require.Len(t, msgs, rep.Messages)
	// Since works on simulated timestamps.
	pg, err := d.ListMessages(ctx, driver.PageRequest{Since: simStart.AddDate(0, 0, 29), Limit: 100})
	require.NoError(t, err)
	for _, m := range pg.Items {
		require.False(t, m.CreatedAt.Before(simStart.AddDate(0, 0, 29)))
	}
}

func TestSimulateExistingPosts(t *testing.T) {
	ctx := context.Background()
	clock := func() time.Time { return simStart.Add(36 * time.Hour) }
	n := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: clock, Seed: 5})
	d := open(t, n, "brand")
	p := publish(t, d, "our own post")
	rep, err := n.Simulate(ctx, memconnector.SimOptions{Start: simStart, Days: 3, Followers: 200, CommentsPerPost: 20, PostsPerDay: 5})
	require.NoError(t, err)
	require.Zero(t, rep.PostsCreated, "the account has a post: no calendar")
	require.Equal(t, 1, rep.PostsEngaged)
	items := listAll(t, func(r driver.PageRequest) (driver.InteractionPage, error) { return d.ListComments(ctx, p, r) })
	require.NotEmpty(t, items)
	for _, c := range items {
		require.True(t, c.CreatedAt.After(clock()), "comments come after the post")
	}

	// Nothing at all when every rate is negative.
	n2 := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: clock})
	rep, err = n2.Simulate(ctx, memconnector.SimOptions{Start: simStart, Days: 3, Followers: 10,
		PostsPerDay: -1, MentionsPerDay: -1, MessagesPerDay: -1, DailyGrowth: -1, DailyChurn: -1,
		Languages: map[string]float64{"en": 1}})
	require.NoError(t, err)
	require.Equal(t, int64(10), rep.FollowersEnd)
	require.Empty(t, rep.Labels)
	require.Zero(t, rep.PostsCreated)
}

func TestSimulateOptions(t *testing.T) {
	n := newNet(t, nil)
	for name, o := range map[string]memconnector.SimOptions{
		"days":     {Days: 400},
		"negative": {Days: -1},
		"rates":    {SpamRate: 0.6, AbuseRate: 0.6},
		"language": {Languages: map[string]float64{"de": 1}},
		"weight":   {Languages: map[string]float64{"fr": -1}},
		"handle":   {Account: "not a handle"},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := n.Simulate(context.Background(), o)
			require.Error(t, err)
		})
	}
	t.Run("default start", func(t *testing.T) {
		rep, err := n.Simulate(context.Background(), memconnector.SimOptions{Days: 1, Followers: 5})
		require.NoError(t, err)
		require.Equal(t, t0.Truncate(24*time.Hour).AddDate(0, 0, -1), rep.Start)
	})
	require.Equal(t, "spam", memconnector.Spam.String())
	require.Equal(t, "Category(0)", memconnector.Category(0).String())
	require.True(t, memconnector.Abuse.Unwanted())
	require.False(t, memconnector.Complaint.Unwanted())
}

func BenchmarkSimulate30Days(b *testing.B) {
	for b.Loop() {
		n := memconnector.NewNetwork(&memconnector.NetworkOptions{Seed: 1})
		if _, err := n.Simulate(context.Background(), memconnector.SimOptions{Start: simStart, Days: 30, Followers: 1000}); err != nil {
			b.Fatal(err)
		}
	}
}
