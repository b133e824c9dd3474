package bluesky

import (
	"context"
	"errors"
	"net/http"
	"slices"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors/driver"
)

// drainMessages lists every page from cursor with limit, failing on a
// repeated item, and returns the items and the last Next.
func drainMessages(t *testing.T, d *Driver, cursor string, limit int) ([]driver.Interaction, string) {
	t.Helper()
	var all []driver.Interaction
	seen := map[string]bool{}
	for range 1000 {
		pg, err := d.ListMessages(context.Background(), driver.PageRequest{Cursor: cursor, Limit: limit})
		require.NoError(t, err)
		require.NotEmpty(t, pg.Next, "Next must always resume")
		require.LessOrEqual(t, len(pg.Items), limit)
		for _, it := range pg.Items {
			require.False(t, seen[it.ID], "message %s listed twice", it.ID)
			seen[it.ID] = true
		}
		all = append(all, pg.Items...)
		if len(pg.Items) == 0 {
			require.False(t, pg.More, "an empty page reports More")
			require.Equal(t, cursor, pg.Next, "an empty page must return its cursor")
			return all, pg.Next
		}
		cursor = pg.Next
	}
	t.Fatal("listing did not end")
	return nil, ""
}

func messageIDs(items []driver.Interaction) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.ID
	}
	return out
}

func TestListMessagesOff(t *testing.T) {
	f, d, _ := setup(t, nil)
	before := f.requests.Load()
	_, err := d.ListMessages(context.Background(), driver.PageRequest{})
	require.ErrorIs(t, err, driver.ErrUnsupported)
	require.Equal(t, before, f.requests.Load(), "a declined call must make no request")
}

func TestListMessagesRequestShapes(t *testing.T) {
	f, d, brand := setup(t, map[string]string{"chat": "true"})
	ctx := context.Background()
	fan := f.addAccount("fan.test", "x")
	id, err := f.dm(fan, brand, "bonjour")
	require.NoError(t, err)
	pg, err := d.ListMessages(ctx, driver.PageRequest{})
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	it := pg.Items[0]
	require.Equal(t, driver.DirectMessage, it.Kind)
	require.Equal(t, id, it.ID)
	require.Equal(t, network, it.Network)
	require.Equal(t, "bonjour", it.Text)
	require.Equal(t, fan, it.Author.ID)
	require.Equal(t, "fan.test", it.Author.Handle)
	require.Equal(t, "Fan.test", it.Author.Name)
	require.Equal(t, "https://bsky.app/profile/fan.test", it.Author.URL)
	require.False(t, it.CreatedAt.IsZero())
	require.NotEmpty(t, it.ConversationID)

	convos := f.callsTo("chat.bsky.convo.listConvos")
	msgs := f.callsTo("chat.bsky.convo.getMessages")
	require.Len(t, convos, 1)
	require.Len(t, msgs, 1)
	for _, c := range append(convos, msgs...) {
		require.Equal(t, http.MethodGet, c.Method)
		require.Equal(t, DefaultChatProxy, c.Header.Get("atproto-proxy"))
		require.Regexp(t, `^Bearer \S+\.\S+\.\S+$`, c.Header.Get("Authorization"))
		require.Equal(t, []string{"100"}, c.Query["limit"])
		require.Empty(t, c.Body)
	}
	require.NotContains(t, convos[0].Query, "status", "message requests are listed too")
	require.NotContains(t, convos[0].Query, "readState", "read messages are listed too")
	require.Equal(t, []string{it.ConversationID}, msgs[0].Query["convoId"])

	// The conversation ID answers with SendMessage.
	res, err := d.SendMessage(ctx, it.ConversationID, &driver.Post{Text: "merci !"}, driver.PublishOptions{})
	require.NoError(t, err)
	send := f.callsTo("chat.bsky.convo.sendMessage")
	require.Len(t, send, 1)
	require.Equal(t, DefaultChatProxy, send[0].Header.Get("atproto-proxy"))
	require.Equal(t, it.ConversationID, body(t, send[0])["convoId"])
	// The account's own message is not listed.
	pg2, err := d.ListMessages(ctx, driver.PageRequest{Cursor: pg.Next})
	require.NoError(t, err)
	require.Empty(t, pg2.Items, "own message %s listed", res.ID)
	require.Equal(t, pg.Next, pg2.Next)
}

// TestListMessagesPaging lists messages of several conversations, one of
// them longer than a getMessages page, with the account's own answers, a
// deleted message and messages sharing a millisecond, in small pages;
// then resumes from the saved cursor after new messages arrive.
func TestListMessagesPaging(t *testing.T) {
	f, d, brand := setup(t, map[string]string{"chat": "true"})
	var fans []string
	for i := range 3 {
		fans = append(fans, f.addAccount("fan"+strconv.Itoa(i)+".test", "x"))
	}
	var want []string
	// Quiet conversations: one message each, and no news after the cursor.
	quiet := map[string]bool{}
	for i := range 4 {
		id, err := f.dm(f.addAccount("quiet"+strconv.Itoa(i)+".test", "x"), brand, "hello")
		require.NoError(t, err)
		want = append(want, id)
	}
	f.mu.Lock()
	for _, c := range f.convos {
		quiet[c.id] = true
	}
	f.mu.Unlock()
	var deleted string
	for i := range 160 {
		fan := fans[0]
		if i%4 == 1 {
			fan = fans[1+(i/4)%2]
		}
		id, err := f.dm(fan, brand, "message "+strconv.Itoa(i))
		require.NoError(t, err)
		want = append(want, id)
		if i%10 == 3 {
			// The account answers: its own messages are not listed.
			_, err := f.dm(brand, fan, "answer "+strconv.Itoa(i))
			require.NoError(t, err)
		}
		if i == 50 {
			deleted = id
		}
	}
	f.deleteDM(deleted)
	want = slices.DeleteFunc(want, func(id string) bool { return id == deleted })
	// Several messages in different conversations share a millisecond.
	f.mu.Lock()
	var tie []*fakeChatMsg
	for _, c := range f.convos {
		for _, m := range c.msgs {
			if m.text == "message 20" || m.text == "message 21" || m.text == "message 22" || m.text == "message 23" {
				tie = append(tie, m)
			}
		}
	}
	require.Len(t, tie, 4)
	for _, m := range tie {
		m.sentAt = tie[0].sentAt
	}
	f.mu.Unlock()

	items, next := drainMessages(t, d, "", 7)
	got := messageIDs(items)
	// Messages sharing a millisecond sort by ID, which here is their
	// order of sending too.
	require.Equal(t, want, got)
	for i, it := range items {
		require.Equal(t, driver.DirectMessage, it.Kind)
		require.NotEqual(t, brand, it.Author.ID)
		require.NotEmpty(t, it.Author.Handle)
		require.NotEmpty(t, it.ConversationID)
		if i > 0 {
			require.False(t, it.CreatedAt.Before(items[i-1].CreatedAt), "not oldest first at %d", i)
		}
	}
	// The first conversation holds more messages than a getMessages page.
	require.Greater(t, len(f.callsTo("chat.bsky.convo.getMessages")), 3*len(fans))

	// New messages in two conversations, and an answer, after the cursor
	// was saved.
	var late []string
	for i := range 5 {
		id, err := f.dm(fans[i%3], brand, "late "+strconv.Itoa(i))
		require.NoError(t, err)
		late = append(late, id)
		_, err = f.dm(brand, fans[2], "late answer "+strconv.Itoa(i))
		require.NoError(t, err)
	}
	before := len(f.callsTo("chat.bsky.convo.getMessages"))
	items, _ = drainMessages(t, d, next, 2)
	require.Equal(t, late, messageIDs(items))
	// Only conversations with messages after the cursor are read back.
	for _, c := range f.callsTo("chat.bsky.convo.getMessages")[before:] {
		require.False(t, quiet[c.Query["convoId"][0]], "quiet conversation %s read", c.Query["convoId"])
	}
}

func TestListMessagesSince(t *testing.T) {
	f, d, brand := setup(t, map[string]string{"chat": "true"})
	fan := f.addAccount("fan.test", "x")
	_, err := f.dm(fan, brand, "old")
	require.NoError(t, err)
	other := f.addAccount("other.test", "x")
	_, err = f.dm(other, brand, "old too")
	require.NoError(t, err)
	// The old messages were sent an hour ago.
	f.mu.Lock()
	for _, c := range f.convos {
		for _, m := range c.msgs {
			m.sentAt = m.sentAt.Add(-time.Hour)
		}
	}
	f.mu.Unlock()
	since := time.Now().Add(-time.Minute)
	id, err := f.dm(fan, brand, "new")
	require.NoError(t, err)
	pg, err := d.ListMessages(context.Background(), driver.PageRequest{Since: since})
	require.NoError(t, err)
	require.Equal(t, []string{id}, messageIDs(pg.Items))
	// The other conversation's last message is before Since: not read.
	require.Len(t, f.callsTo("chat.bsky.convo.getMessages"), 1)
}

func TestListMessagesErrors(t *testing.T) {
	ctx := context.Background()
	t.Run("malformed cursor", func(t *testing.T) {
		f, d, _ := setup(t, map[string]string{"chat": "true"})
		before := f.requests.Load()
		for _, c := range []string{"nope", "b1.!!!", "b1." + jsonB64("not-a-time id"), "b1." + jsonB64("2026-01-01T00:00:00Z")} {
			_, err := d.ListMessages(ctx, driver.PageRequest{Cursor: c})
			require.ErrorIs(t, err, driver.ErrInvalidContent, c)
			require.Contains(t, err.Error(), "malformed cursor")
		}
		require.Equal(t, before, f.requests.Load())
	})
	t.Run("rate limited", func(t *testing.T) {
		f, d, brand := setup(t, map[string]string{"chat": "true"})
		_, err := f.dm(f.addAccount("fan.test", "x"), brand, "hi")
		require.NoError(t, err)
		h := http.Header{}
		h.Set("RateLimit-Limit", "3000")
		h.Set("RateLimit-Remaining", "0")
		h.Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(2*time.Minute).Unix(), 10))
		h.Set("RateLimit-Policy", "3000;w=300")
		f.fail(1, fakeFault{path: "/xrpc/chat.bsky.convo.getMessages", status: 429, name: "RateLimitExceeded", header: h})
		_, err = d.ListMessages(ctx, driver.PageRequest{})
		require.ErrorIs(t, err, driver.ErrRateLimited)
		var rl *driver.RateLimitError
		require.True(t, errors.As(err, &rl))
		require.False(t, rl.Reset.IsZero())
		var xe *XRPCError
		require.True(t, d.ErrorAs(err, &xe))
		require.Equal(t, "RateLimitExceeded", xe.Name)
	})
	t.Run("unauthenticated", func(t *testing.T) {
		f, d, _ := setup(t, map[string]string{"chat": "true"})
		f.fail(1, fakeFault{path: "/xrpc/chat.bsky.convo.listConvos", status: 401, name: "AuthenticationRequired"})
		_, err := d.ListMessages(ctx, driver.PageRequest{})
		require.ErrorIs(t, err, driver.ErrUnauthenticated)
	})
	t.Run("invalid convo", func(t *testing.T) {
		f, d, brand := setup(t, map[string]string{"chat": "true"})
		_, err := f.dm(f.addAccount("fan.test", "x"), brand, "hi")
		require.NoError(t, err)
		f.fail(1, fakeFault{path: "/xrpc/chat.bsky.convo.getMessages", status: 400, name: "InvalidConvo"})
		_, err = d.ListMessages(ctx, driver.PageRequest{})
		require.ErrorIs(t, err, driver.ErrNotFound)
		_, err = d.SendMessage(ctx, "3lnosuchconvo", &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrNotFound)
	})
	t.Run("unavailable", func(t *testing.T) {
		f, d, _ := setup(t, map[string]string{"chat": "true"})
		f.fail(1, fakeFault{path: "/xrpc/chat.bsky.convo.listConvos", status: 502, name: "UpstreamFailure"})
		_, err := d.ListMessages(ctx, driver.PageRequest{})
		require.ErrorIs(t, err, driver.ErrUnavailable)
	})
}
