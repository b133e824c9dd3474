package telegram_test

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/telegram"
)

func open(t *testing.T) (*fakeTelegram, *telegram.Driver) {
	t.Helper()
	f := newFakeTelegram()
	srv := httptest.NewServer(f)
	t.Cleanup(func() {
		srv.Close()
		require.Empty(t, f.Problems(), "request shapes the fake refused")
	})
	d, err := openDriver(context.Background(), f, srv)
	require.NoError(t, err)
	_, err = d.Describe(context.Background())
	require.NoError(t, err)
	return f, d.(*telegram.Driver)
}

func lastCall(f *fakeTelegram, method string) fakeCall {
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
		{"no token", driver.Config{Account: "@brand"}, driver.Unauthenticated},
		{"token with a slash", driver.Config{Account: "@brand", Password: "1:a/b"}, driver.Unauthenticated},
		{"no chat", driver.Config{Password: "1:abc"}, driver.InvalidContent},
		{"chat name", driver.Config{Password: "1:abc", Account: "brand"}, driver.InvalidContent},
		{"bad parse mode", driver.Config{Password: "1:abc", Account: "@brand", Options: map[string]string{"parse_mode": "rtf"}}, driver.InvalidContent},
		{"bad pacing", driver.Config{Password: "1:abc", Account: "@brand", Options: map[string]string{"pacing": "slow"}}, driver.InvalidContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := telegram.Open(context.Background(), tt.cfg)
			require.Equal(t, tt.code, driver.CodeOf(err), "%v", err)
		})
	}
	// A token source works too.
	_, err := telegram.Open(context.Background(), driver.Config{Account: "-1001234567890",
		Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "1:abc"})})
	require.NoError(t, err)
}

func TestDescribeResolvesUsername(t *testing.T) {
	f, d := open(t)
	desc, err := d.Describe(context.Background())
	require.NoError(t, err)
	require.Equal(t, "-1001234567890", desc.AccountID)
	require.Equal(t, "https://t.me/brandchannel", desc.URL)
	require.Equal(t, map[string]any{"chat_id": "@brandchannel"}, lastCall(f, "getChat").Args)
	res, err := d.Publish(context.Background(), &driver.Post{Text: "Bonjour !"}, driver.PublishOptions{})
	require.NoError(t, err)
	require.Equal(t, "-1001234567890:1", res.ID)
	require.Equal(t, "https://t.me/brandchannel/1", res.URL)
	require.Equal(t, map[string]any{"chat_id": float64(-1001234567890), "text": "Bonjour !"}, lastCall(f, "sendMessage").Args)
}

func TestPublishMedia(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	img := driver.Media{Kind: driver.MediaImage, MIMEType: "image/png", Data: []byte("png"), Filename: "a.png"}
	_, err := d.Publish(ctx, &driver.Post{Text: "une photo", Media: []driver.Media{img}}, driver.PublishOptions{})
	require.NoError(t, err)
	require.Equal(t, map[string]any{"chat_id": "-1001234567890", "caption": "une photo"}, lastCall(f, "sendPhoto").Args)

	res, err := d.Publish(ctx, &driver.Post{Text: "un album", Media: []driver.Media{img, img, {Kind: driver.MediaImage, MIMEType: "image/jpeg", URL: "https://cdn.example/c.jpg"}}}, driver.PublishOptions{})
	require.NoError(t, err)
	require.Equal(t, []any{
		map[string]any{"type": "photo", "media": "attach://file0", "caption": "un album"},
		map[string]any{"type": "photo", "media": "attach://file1"},
		map[string]any{"type": "photo", "media": "https://cdn.example/c.jpg"},
	}, lastCall(f, "sendMediaGroup").Args["media"])
	require.Equal(t, "-1001234567890:2", res.ID, "an album's ID is its first message")

	// A caption over 1024 characters is refused before any request.
	before := f.requests.Load()
	_, err = d.Publish(ctx, &driver.Post{Text: strings.Repeat("é", 1025), Media: []driver.Media{img}}, driver.PublishOptions{})
	var ve *driver.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, int64(1024), ve.Limit)
	require.Equal(t, before, f.requests.Load())
}

func TestThreadRepliesToThePrevious(t *testing.T) {
	f, d := open(t)
	res, err := d.Publish(context.Background(), &driver.Post{Text: "1/2", Thread: []driver.Post{{Text: "2/2"}}}, driver.PublishOptions{})
	require.NoError(t, err)
	require.Equal(t, []string{"-1001234567890:2"}, res.ThreadIDs)
	require.Equal(t, map[string]any{"message_id": float64(1)}, lastCall(f, "sendMessage").Args["reply_parameters"])
}

func TestCommentsFromTheDiscussionGroup(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	post, err := d.Publish(ctx, &driver.Post{Text: "Nouveau produit"}, driver.PublishOptions{})
	require.NoError(t, err)
	copyID := f.copyOf(1)
	c1, err := f.userSays(groupID, copyID, "Génial", false)
	require.NoError(t, err)
	_, err = f.userSays(groupID, 0, "hors sujet", false)
	require.NoError(t, err)
	r1, err := f.userSays(groupID, 2, "d'accord", false) // replies to c1 (message 2 of the group)
	require.NoError(t, err)
	mine, err := d.Reply(ctx, c1, &driver.Post{Text: "Merci !"}, driver.PublishOptions{})
	require.NoError(t, err)

	pg, err := d.ListComments(ctx, post.ID, driver.PageRequest{Limit: 2})
	require.NoError(t, err)
	require.True(t, pg.More)
	pg2, err := d.ListComments(ctx, post.ID, driver.PageRequest{Cursor: pg.Next, Limit: 2})
	require.NoError(t, err)
	items := append(pg.Items, pg2.Items...)
	type row struct {
		ID, Parent string
		Kind       driver.InteractionKind
	}
	var rows []row
	for _, it := range items {
		rows = append(rows, row{it.ID, it.ParentID, it.Kind})
	}
	require.Equal(t, []row{{c1, post.ID, driver.Comment}, {r1, c1, driver.Reply}, {mine.ID, c1, driver.Reply}}, rows)
	require.Equal(t, "nelly", items[0].Author.Handle)
	require.Equal(t, "Nelly", items[0].Author.Name)

	// getUpdates confirmed what was read: the next poll asks for more only.
	require.Equal(t, float64(900000005), lastCall(f, "getUpdates").Args["offset"])
	pg3, err := d.ListComments(ctx, post.ID, driver.PageRequest{Cursor: pg2.Next})
	require.NoError(t, err)
	require.Empty(t, pg3.Items)
	require.Equal(t, pg2.Next, pg3.Next)
}

// TestGoldenUpdates lists the documented updates of testdata/getUpdates.json:
// an automatic forward, a comment, a mention, a DM and its edit.
func TestGoldenUpdates(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		switch {
		case strings.HasSuffix(r.URL.Path, "/getUpdates"):
			if strings.Contains(readAll(r), `"offset":900000006`) {
				w.Write([]byte(`{"ok":true,"result":[]}`))
				return
			}
			w.Write(golden("getUpdates.json"))
		case strings.HasSuffix(r.URL.Path, "/getMe"):
			w.Write([]byte(`{"ok":true,"result":{"id":7000000001,"is_bot":true,"first_name":"Brand","username":"brand_bot"}}`))
		case strings.HasSuffix(r.URL.Path, "/getChat"):
			w.Write([]byte(`{"ok":true,"result":{"id":-1001234567890,"title":"Brand","username":"brandchannel","type":"channel"}}`))
		}
	}))
	defer srv.Close()
	ctx := context.Background()
	// The log keeps a day of updates: the clock is that of the recording.
	now := func() time.Time { return time.Unix(1773489900, 0) }
	a, err := connectors.Open(ctx, "telegram", driver.Config{Server: srv.URL, Account: "@brandchannel", Password: "1:abc", Now: now}, nil)
	require.NoError(t, err)
	comments, err := a.Comments(ctx, "-1001234567890:42", driver.PageRequest{})
	require.NoError(t, err)
	require.Len(t, comments.Items, 1)
	require.Equal(t, "-1009876543210:11", comments.Items[0].ID)
	require.Equal(t, "Super nouvelle !", comments.Items[0].Text)
	mentions, err := a.Mentions(ctx, driver.PageRequest{})
	require.NoError(t, err)
	require.Len(t, mentions.Items, 1)
	require.Equal(t, "-1009876543210:12", mentions.Items[0].ID)
	dms, err := a.Messages(ctx, driver.PageRequest{})
	require.NoError(t, err)
	require.Len(t, dms.Items, 1, "the edit does not list the message twice")
	require.Equal(t, "123456789", dms.Items[0].ConversationID)
	require.Equal(t, "900000005", dms.Next)
}

func readAll(r *http.Request) string {
	var b bytes.Buffer
	b.ReadFrom(r.Body)
	return b.String()
}

// TestErrorMapping answers with each documented error body.
func TestErrorMapping(t *testing.T) {
	tests := []struct {
		file string
		want driver.ErrorCode
	}{
		{"error_delete_not_found.json", driver.NotFound},
		{"error_edit_not_found.json", driver.NotFound},
		{"error_chat_not_found.json", driver.NotFound},
		{"error_text_empty.json", driver.InvalidContent},
		{"error_too_long.json", driver.InvalidContent},
		{"error_parse_entities.json", driver.InvalidContent},
		{"error_cant_delete.json", driver.PermissionDenied},
		{"error_blocked.json", driver.PermissionDenied},
		{"error_not_member.json", driver.PermissionDenied},
		{"error_unauthorized.json", driver.Unauthenticated},
		{"error_not_found.json", driver.Unauthenticated},
		{"error_webhook_active.json", driver.Conflict},
		{"error_not_modified.json", driver.Conflict},
		{"error_migrated.json", driver.Conflict},
		{"error_flood.json", driver.RateLimited},
		{"error_bad_gateway.json", driver.Unavailable},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fail(w, tt.file) }))
			defer srv.Close()
			d, err := telegram.Open(context.Background(), driver.Config{Server: srv.URL, Account: "-1001234567890", Password: "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"})
			require.NoError(t, err)
			_, err = d.(driver.AccountMetricsReader).AccountMetrics(context.Background())
			require.Equal(t, tt.want, driver.CodeOf(err), "%v", err)
			require.NotContains(t, err.Error(), "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
		})
	}
}

func TestFloodControl(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fail(w, "error_flood.json") }))
	defer srv.Close()
	d, err := telegram.Open(context.Background(), driver.Config{Server: srv.URL, Account: "-1001234567890", Password: "1:abc"})
	require.NoError(t, err)
	_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
	var rl *driver.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 35*time.Second, rl.RetryAfter)
}

func TestMigratedGroupNamesTheSupergroup(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fail(w, "error_migrated.json") }))
	defer srv.Close()
	d, err := telegram.Open(context.Background(), driver.Config{Server: srv.URL, Account: "-4001", Password: "1:abc"})
	require.NoError(t, err)
	_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
	require.Contains(t, err.Error(), "-1001234567890")
	var de *driver.Error
	require.ErrorAs(t, err, &de)
	ae, ok := de.Err.(*telegram.APIError)
	require.True(t, ok)
	require.Equal(t, int64(-1001234567890), ae.MigrateToChatID)
}

// TestTokenNeverShows checks the token, which is in every URL path, is
// absent from errors and debug logs, including transport failures.
func TestTokenNeverShows(t *testing.T) {
	const token = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
	var logs bytes.Buffer
	logger := slog.New(slog.NewTextHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { fail(w, "error_unauthorized.json") }))
	d, err := telegram.Open(context.Background(), driver.Config{Server: srv.URL, Account: "-1001234567890", Password: token, Logger: logger})
	require.NoError(t, err)
	_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
	require.ErrorIs(t, err, driver.ErrUnauthenticated)
	require.NotContains(t, err.Error(), token)
	srv.Close() // now the connection fails: the error quotes the URL
	_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
	require.Error(t, err)
	require.NotContains(t, err.Error(), token)
	require.NotContains(t, err.Error(), "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
	require.Contains(t, logs.String(), "sendMessage")
	require.NotContains(t, logs.String(), "AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw")
}

func TestEditFallsBackToCaption(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	res, err := d.Publish(ctx, &driver.Post{Text: "légende", Media: []driver.Media{{Kind: driver.MediaImage, MIMEType: "image/png", Data: []byte("p")}}}, driver.PublishOptions{})
	require.NoError(t, err)
	_, err = d.EditPost(ctx, res.ID, &driver.Post{Text: "nouvelle légende"})
	require.NoError(t, err)
	require.Equal(t, "nouvelle légende", lastCall(f, "editMessageCaption").Args["caption"])
	_, err = d.EditPost(ctx, res.ID, &driver.Post{Text: "nouvelle légende"})
	require.NoError(t, err, "an unchanged edit is not an error")
}
