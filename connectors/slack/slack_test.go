package slack_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/slack"
)

func open(t *testing.T) (*fakeSlack, *slack.Driver) {
	t.Helper()
	f := newFakeSlack()
	srv := serve(f)
	t.Cleanup(func() {
		srv.Close()
		require.Empty(t, f.Problems(), "request shapes the fake refused")
	})
	d, err := openDriver(context.Background(), f, srv)
	require.NoError(t, err)
	_, err = d.Describe(context.Background())
	require.NoError(t, err)
	return f, d.(*slack.Driver)
}

func lastCall(f *fakeSlack, method string) fakeCall {
	calls := f.Calls()
	for i := len(calls) - 1; i >= 0; i-- {
		if calls[i].Method == method {
			return calls[i]
		}
	}
	return fakeCall{}
}

func TestOpenConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  driver.Config
		code driver.ErrorCode
	}{
		{"no token", driver.Config{Account: "C0123"}, driver.Unauthenticated},
		{"channel name", driver.Config{Password: "xoxb-1", Account: "#general"}, driver.InvalidContent},
		{"bad unfurl", driver.Config{Password: "xoxb-1", Account: "C0123", Options: map[string]string{"unfurl_links": "maybe"}}, driver.InvalidContent},
		{"bad pacing", driver.Config{Password: "xoxb-1", Account: "C0123", Options: map[string]string{"pacing": "fast"}}, driver.InvalidContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := slack.Open(context.Background(), tt.cfg)
			require.Equal(t, tt.code, driver.CodeOf(err), "%v", err)
		})
	}
}

func TestPublishThreadAndMetadata(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	res, err := d.Publish(ctx, &driver.Post{Text: "Bonjour *à tous*", Thread: []driver.Post{{Text: "suite"}}}, driver.PublishOptions{IdempotencyKey: "k-1"})
	require.NoError(t, err)
	ch, ts, _ := strings.Cut(res.ID, ":")
	require.Equal(t, f.channel, ch)
	require.Equal(t, "https://brand.slack.com/archives/"+ch+"/p"+strings.Replace(ts, ".", "", 1), res.URL)
	require.Len(t, res.ThreadIDs, 1)
	calls := f.Calls()
	var posts []map[string]any
	for _, c := range calls {
		if c.Method == "chat.postMessage" {
			posts = append(posts, c.Args)
		}
	}
	require.Equal(t, map[string]any{"channel": f.channel, "text": "Bonjour *à tous*",
		"metadata": map[string]any{"event_type": "cmkit_post", "event_payload": map[string]any{"idempotency_key": "k-1"}}}, posts[0])
	require.Equal(t, map[string]any{"channel": f.channel, "text": "suite", "thread_ts": ts,
		"metadata": map[string]any{"event_type": "cmkit_post", "event_payload": map[string]any{"idempotency_key": "k-1", "part": float64(1)}}}, posts[1])

	// The key finds the post again; the thread follow-up is not mistaken for it.
	found, err := d.FindPost(ctx, "k-1", nil)
	require.NoError(t, err)
	require.Equal(t, res.ID, found.ID)
	// Without a key, the exact text of a bot message.
	found, err = d.FindPost(ctx, "", &driver.Post{Text: "Bonjour *à tous*"})
	require.NoError(t, err)
	require.Equal(t, res.ID, found.ID)
	_, err = d.FindPost(ctx, "", &driver.Post{Text: "jamais publié"})
	require.ErrorIs(t, err, driver.ErrNotFound)
}

func TestReplyGoesToTheThreadRoot(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	post, err := d.Publish(ctx, &driver.Post{Text: "question ?"}, driver.PublishOptions{})
	require.NoError(t, err)
	_, rootTS, _ := strings.Cut(post.ID, ":")
	comment, err := f.userSays(f.channel, rootTS, "moi !")
	require.NoError(t, err)
	res, err := d.Reply(ctx, comment, &driver.Post{Text: "merci"}, driver.PublishOptions{})
	require.NoError(t, err)
	args := lastCall(f, "chat.postMessage").Args
	require.Equal(t, rootTS, args["thread_ts"], "replies go to the parent's ts, never a reply's")
	pg, err := d.ListComments(ctx, post.ID, driver.PageRequest{})
	require.NoError(t, err)
	require.Len(t, pg.Items, 2)
	require.Equal(t, driver.Comment, pg.Items[0].Kind)
	require.Equal(t, post.ID, pg.Items[0].ParentID)
	require.Equal(t, res.ID, pg.Items[1].ID)
	require.Equal(t, driver.Reply, pg.Items[1].Kind)
	require.Equal(t, comment, pg.Items[1].ParentID)
	require.Equal(t, "U0NELLY", pg.Items[0].Author.ID)
}

func TestPublishImageUpload(t *testing.T) {
	f, d := open(t)
	_, err := d.Publish(context.Background(), &driver.Post{Text: "photo", Media: []driver.Media{
		{Kind: driver.MediaImage, MIMEType: "image/png", Data: []byte("png"), AltText: "Le logo", Filename: "logo.png"},
	}}, driver.PublishOptions{})
	require.NoError(t, err)
	up := lastCall(f, "files.getUploadURLExternal").Args
	require.Equal(t, map[string]any{"filename": "logo.png", "length": "3", "alt_txt": "Le logo"}, up)
	require.Contains(t, lastCall(f, "files.completeUploadExternal").Args["files"], `"title":"logo.png"`)
	blocks := lastCall(f, "chat.postMessage").Args["blocks"]
	require.Equal(t, []any{
		map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": "photo"}},
		map[string]any{"type": "image", "alt_text": "Le logo", "slack_file": map[string]any{"id": "F0000001"}},
	}, blocks)
}

func TestListingsPageOldestFirst(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	var want []string
	for i := range 5 {
		id, err := f.userSays(f.channel, "", "<@"+botUser+"> n°"+string(rune('1'+i)))
		require.NoError(t, err)
		want = append(want, id)
		_, err = f.userSays(f.channel, "", "bavardage")
		require.NoError(t, err)
	}
	var got []string
	cursor := ""
	for range 10 {
		pg, err := d.ListMentions(ctx, driver.PageRequest{Cursor: cursor, Limit: 2})
		require.NoError(t, err)
		for _, it := range pg.Items {
			got = append(got, it.ID)
		}
		cursor = pg.Next
		if !pg.More {
			break
		}
	}
	require.Equal(t, want, got)

	// Direct messages across two DM channels.
	a := f.userDMs("un")
	f.mu.Lock()
	other := f.im("U0OTHER")
	f.mu.Unlock()
	b, err := f.userSays(other.id, "", "deux")
	require.NoError(t, err)
	c := f.userDMs("trois")
	pg, err := d.ListMessages(ctx, driver.PageRequest{Limit: 2})
	require.NoError(t, err)
	require.Equal(t, []string{a, b}, []string{pg.Items[0].ID, pg.Items[1].ID})
	require.True(t, pg.More)
	pg, err = d.ListMessages(ctx, driver.PageRequest{Cursor: pg.Next, Limit: 2})
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	require.Equal(t, c, pg.Items[0].ID)
	require.Equal(t, driver.DirectMessage, pg.Items[0].Kind)

	_, err = d.ListMessages(ctx, driver.PageRequest{Cursor: "yesterday"})
	require.ErrorIs(t, err, driver.ErrInvalidContent)
}

func TestSendMessageToUserOpensDM(t *testing.T) {
	f, d := open(t)
	res, err := d.SendMessage(context.Background(), "U0NELLY", &driver.Post{Text: "Bonjour"}, driver.PublishOptions{})
	require.NoError(t, err)
	require.Equal(t, map[string]any{"users": "U0NELLY"}, lastCall(f, "conversations.open").Args)
	require.True(t, strings.HasPrefix(res.ID, "D"))
}

func TestMetricsAndLike(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	res, err := d.Publish(ctx, &driver.Post{Text: "x"}, driver.PublishOptions{})
	require.NoError(t, err)
	require.NoError(t, d.SetLiked(ctx, res.ID, true))
	require.NoError(t, d.SetLiked(ctx, res.ID, true), "already_reacted is not an error")
	_, ts, _ := strings.Cut(res.ID, ":")
	_, err = f.userSays(f.channel, ts, "réponse")
	require.NoError(t, err)
	m, err := d.PostMetrics(ctx, res.ID)
	require.NoError(t, err)
	require.Equal(t, driver.M(1), m.Likes)
	require.Equal(t, driver.M(1), m.Comments)
	require.False(t, m.Impressions.Valid)
	require.NoError(t, d.SetLiked(ctx, res.ID, false))
	require.NoError(t, d.SetLiked(ctx, res.ID, false), "no_reaction is not an error")
	am, err := d.AccountMetrics(ctx)
	require.NoError(t, err)
	require.Equal(t, driver.M(23), am.Followers)
}

// TestErrorMapping answers a write and a read with each documented error
// body (testdata/error_*.json, HTTP 200 as Slack does).
func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name        string
		write, read driver.ErrorCode
	}{
		{"not_authed", driver.Unauthenticated, driver.Unauthenticated},
		{"invalid_auth", driver.Unauthenticated, driver.Unauthenticated},
		{"account_inactive", driver.Unauthenticated, driver.Unauthenticated},
		{"token_revoked", driver.Unauthenticated, driver.Unauthenticated},
		{"token_expired", driver.Unauthenticated, driver.Unauthenticated},
		{"missing_scope", driver.PermissionDenied, driver.PermissionDenied},
		{"not_in_channel", driver.PermissionDenied, driver.PermissionDenied},
		{"restricted_action", driver.PermissionDenied, driver.PermissionDenied},
		{"no_permission", driver.PermissionDenied, driver.PermissionDenied},
		{"cant_delete_message", driver.PermissionDenied, driver.PermissionDenied},
		{"channel_not_found", driver.NotFound, driver.NotFound},
		{"message_not_found", driver.NotFound, driver.NotFound},
		{"thread_not_found", driver.NotFound, driver.NotFound},
		{"msg_too_long", driver.InvalidContent, driver.InvalidContent},
		{"no_text", driver.InvalidContent, driver.InvalidContent},
		{"invalid_blocks", driver.InvalidContent, driver.InvalidContent},
		{"too_many_attachments", driver.InvalidContent, driver.InvalidContent},
		{"invalid_arguments", driver.InvalidContent, driver.InvalidContent},
		{"invalid_cursor", driver.InvalidContent, driver.InvalidContent},
		{"is_archived", driver.Conflict, driver.Conflict},
		{"edit_window_closed", driver.Conflict, driver.Conflict},
		{"rate_limited", driver.RateLimited, driver.RateLimited},
		{"ratelimited", driver.RateLimited, driver.RateLimited},
		{"fatal_error", driver.Indeterminate, driver.Unavailable},
		{"internal_error", driver.Indeterminate, driver.Unavailable},
		{"service_unavailable", driver.Unavailable, driver.Unavailable},
		{"request_timeout", driver.Unavailable, driver.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", "error_"+tt.name+".json"))
			require.NoError(t, err)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json; charset=utf-8")
				w.Write(body)
			}))
			defer srv.Close()
			d, err := slack.Open(context.Background(), driver.Config{Server: srv.URL, Account: "C0123", Password: "xoxb-test"})
			require.NoError(t, err)
			_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
			require.Equal(t, tt.write, driver.CodeOf(err), "write: %v", err)
			var de *driver.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, tt.name, de.NetworkCode)
			_, err = d.(driver.AccountMetricsReader).AccountMetrics(context.Background())
			require.Equal(t, tt.read, driver.CodeOf(err), "read: %v", err)
			require.Equal(t, tt.write, slack.CodeOf(tt.name, true))
		})
	}
	require.Equal(t, driver.Unknown, slack.CodeOf("something_new", true))
}

func TestMissingScopeNamesTheScope(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Write(golden("error_missing_scope.json"))
	}))
	defer srv.Close()
	d, err := slack.Open(context.Background(), driver.Config{Server: srv.URL, Account: "C0123", Password: "xoxb-1-abcdefghij"})
	require.NoError(t, err)
	_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
	require.ErrorIs(t, err, driver.ErrPermissionDenied)
	require.Contains(t, err.Error(), "needed scope: chat:write")
}

func TestRateLimited429(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Retry-After", "30")
		w.WriteHeader(http.StatusTooManyRequests)
		w.Write(golden("error_ratelimited.json"))
	}))
	defer srv.Close()
	d, err := slack.Open(context.Background(), driver.Config{Server: srv.URL, Account: "C0123", Password: "xoxb-1-abcdefghij"})
	require.NoError(t, err)
	_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
	var rl *driver.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 30*time.Second, rl.RetryAfter)
	require.NotContains(t, err.Error(), "xoxb-1-abcdefghij")
}

func TestGoldenResponses(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch strings.TrimPrefix(r.URL.Path, "/") {
		case "chat.postMessage":
			w.Write(golden("chat.postMessage.json"))
		case "conversations.info":
			w.Write(golden("conversations.info.json"))
		case "reactions.get":
			w.Write(golden("reactions.get.json"))
		case "auth.test":
			w.Write(golden("auth.test.json"))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	a, err := connectors.Open(ctx, "slack", driver.Config{Server: srv.URL, Account: "C012AB3CD", Password: "xoxb-1"}, nil)
	require.NoError(t, err)
	require.Equal(t, "general", a.Description().Handle)
	require.Equal(t, "https://subarachnoid.slack.com/archives/C012AB3CD", a.Description().URL)
	res, err := a.Publish(ctx, &driver.Post{Text: "x"}, nil)
	require.NoError(t, err)
	require.Equal(t, "C1H9RESGL:1503435956.000247", res.ID)
	m, err := a.PostMetrics(ctx, "C123ABC456:1648602352.215969")
	require.NoError(t, err)
	require.Equal(t, driver.M(2), m.Likes)
	am, err := a.AccountMetrics(ctx)
	require.NoError(t, err)
	require.Equal(t, driver.M(23), am.Followers)
}
