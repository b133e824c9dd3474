package discord_test

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/discord"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// open starts a fake and opens a bot driver on its channel.
func open(t *testing.T) (*fakeDiscord, *discord.Driver) {
	t.Helper()
	f := newFakeDiscord()
	srv := httptest.NewServer(f)
	t.Cleanup(func() {
		srv.Close()
		require.Empty(t, f.Problems(), "request shapes the fake refused")
	})
	d, err := discord.Open(context.Background(), driver.Config{Server: srv.URL + "/api/v10", Account: f.channel, Password: f.token})
	require.NoError(t, err)
	_, err = d.Describe(context.Background())
	require.NoError(t, err)
	return f, d.(*discord.Driver)
}

func lastJSON(t *testing.T, f *fakeDiscord) map[string]any {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	var m map[string]any
	require.NoError(t, json.Unmarshal(f.lastBody, &m), "body %s", f.lastBody)
	return m
}

func TestOpenConfig(t *testing.T) {
	ctx := context.Background()
	tests := []struct {
		name string
		cfg  driver.Config
		code driver.ErrorCode
	}{
		{"no credentials", driver.Config{Account: "290926798999357250"}, driver.Unauthenticated},
		{"bot without channel", driver.Config{Password: "tok"}, driver.InvalidContent},
		{"channel not a snowflake", driver.Config{Password: "tok", Account: "#general"}, driver.InvalidContent},
		{"bad webhook", driver.Config{Options: map[string]string{"webhook": "https://discord.com/api/hooks/1/x"}}, driver.InvalidContent},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := discord.Open(ctx, tt.cfg)
			require.Equal(t, tt.code, driver.CodeOf(err), "%v", err)
		})
	}
}

func TestPublishRequest(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	res, err := d.Publish(ctx, &driver.Post{Text: "Bonjour à tous !"}, driver.PublishOptions{IdempotencyKey: "post-42"})
	require.NoError(t, err)
	require.Equal(t, driver.Published, res.Status)
	require.NotContains(t, res.ID, ":", "a message of the account's channel has a bare snowflake ID")
	require.Equal(t, "https://discord.com/channels/"+f.guildID+"/"+f.channel+"/"+res.ID, res.URL)
	body := lastJSON(t, f)
	require.Equal(t, "Bonjour à tous !", body["content"])
	require.Equal(t, true, body["enforce_nonce"])
	nonce, _ := body["nonce"].(string)
	require.Len(t, nonce, 25)
	require.Equal(t, map[string]any{"parse": []any{"users"}, "replied_user": true}, body["allowed_mentions"])
	require.Equal(t, "POST", f.last.Method)
	require.Equal(t, "/api/v10/channels/"+f.channel+"/messages", f.last.URL.Path)
	require.Equal(t, "Bot "+f.token, f.last.Header.Get("Authorization"))

	// The same key gives the same nonce, and Discord the same message.
	again, err := d.Publish(ctx, &driver.Post{Text: "Bonjour à tous !"}, driver.PublishOptions{IdempotencyKey: "post-42"})
	require.NoError(t, err)
	require.Equal(t, res.ID, again.ID)
	require.Equal(t, nonce, lastJSON(t, f)["nonce"])

	// Without a key, no nonce.
	_, err = d.Publish(ctx, &driver.Post{Text: "sans clé"}, driver.PublishOptions{})
	require.NoError(t, err)
	require.NotContains(t, lastJSON(t, f), "nonce")
}

func TestPublishMediaMultipart(t *testing.T) {
	f, d := open(t)
	png := []byte("\x89PNG\r\n\x1a\nfake")
	_, err := d.Publish(context.Background(), &driver.Post{Text: "photo", Media: []driver.Media{
		{Kind: driver.MediaImage, MIMEType: "image/png", Data: png, AltText: "Le logo", Filename: "logo.png"},
		{Kind: driver.MediaImage, MIMEType: "image/jpeg", URL: "https://cdn.example/a.jpg"},
	}}, driver.PublishOptions{})
	require.NoError(t, err)
	f.mu.Lock()
	r := f.last
	f.mu.Unlock()
	require.True(t, strings.HasPrefix(r.Header.Get("Content-Type"), "multipart/form-data; boundary="))
	var payload map[string]any
	require.NoError(t, json.Unmarshal([]byte(r.FormValue("payload_json")), &payload))
	require.Equal(t, []any{map[string]any{"id": float64(0), "filename": "logo.png", "description": "Le logo"}}, payload["attachments"])
	require.Equal(t, []any{map[string]any{"image": map[string]any{"url": "https://cdn.example/a.jpg"}}}, payload["embeds"])
	fh := r.MultipartForm.File["files[0]"]
	require.Len(t, fh, 1)
	require.Equal(t, "image/png", fh[0].Header.Get("Content-Type"))

	_, err = d.Publish(context.Background(), &driver.Post{Text: "v", Media: []driver.Media{{Kind: driver.MediaVideo, MIMEType: "video/mp4", URL: "https://cdn.example/v.mp4"}}}, driver.PublishOptions{})
	var ve *driver.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "media[0]", ve.Field)
}

func TestThreadAndComments(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	res, err := d.Publish(ctx, &driver.Post{Text: "Annonce\nsuite", Thread: []driver.Post{{Text: "2/3"}, {Text: "3/3"}}}, driver.PublishOptions{IdempotencyKey: "k"})
	require.NoError(t, err)
	require.Equal(t, []string{res.ID + ":" + strings.Split(res.ThreadIDs[0], ":")[1], res.ID + ":" + strings.Split(res.ThreadIDs[1], ":")[1]}, res.ThreadIDs,
		"follow-ups live in the thread, whose channel ID is the post's")
	require.Equal(t, "Annonce", f.channels[res.ID].name, "the thread is named after the first line")

	// Publishing again with the same key finds the thread (160004) and the
	// follow-ups (nonces): nothing is duplicated.
	again, err := d.Publish(ctx, &driver.Post{Text: "Annonce\nsuite", Thread: []driver.Post{{Text: "2/3"}, {Text: "3/3"}}}, driver.PublishOptions{IdempotencyKey: "k"})
	require.NoError(t, err)
	require.Equal(t, res, again)

	// Comments: a reply in the channel, one in the thread, and a reply to
	// the channel comment, interleaved in time.
	c1, err := f.userSays(f.channel, res.ID, "canal", false)
	require.NoError(t, err)
	t1, err := f.userSays(res.ID, "", "fil", false)
	require.NoError(t, err)
	r1, err := f.userSays(f.channel, c1, "réponse", false)
	require.NoError(t, err)
	_, err = f.userSays(f.channel, "", "bavardage", false)
	require.NoError(t, err)
	t2, err := f.userSays(res.ID, strings.Split(res.ThreadIDs[0], ":")[1], "réponse au fil", false)
	require.NoError(t, err)

	var got []driver.Interaction
	cursor := ""
	for range 10 {
		pg, err := d.ListComments(ctx, res.ID, driver.PageRequest{Cursor: cursor, Limit: 2})
		require.NoError(t, err)
		got = append(got, pg.Items...)
		require.NotEmpty(t, pg.Next)
		cursor = pg.Next
		if len(pg.Items) == 0 {
			break
		}
	}
	type row struct {
		ID, Parent string
		Kind       driver.InteractionKind
	}
	var rows []row
	for _, it := range got {
		rows = append(rows, row{it.ID, it.ParentID, it.Kind})
	}
	require.Equal(t, []row{
		{c1, res.ID, driver.Comment},
		{res.ID + ":" + t1, res.ID, driver.Comment},
		{r1, c1, driver.Reply},
		{res.ID + ":" + t2, res.ThreadIDs[0], driver.Reply},
	}, rows)
	require.Equal(t, "Nelly", got[0].Author.Name)
	require.Equal(t, "nelly", got[0].Author.Handle)
}

func TestReplyToUnknownMessageIsNotFound(t *testing.T) {
	_, d := open(t)
	_, err := d.Reply(context.Background(), "334385199974967042", &driver.Post{Text: "?"}, driver.PublishOptions{})
	require.ErrorIs(t, err, driver.ErrNotFound)
	var ae *discord.APIError
	require.True(t, d.ErrorAs(err, &ae))
	require.Equal(t, 50035, ae.Code)
	require.Equal(t, []string{"message_reference: MESSAGE_REFERENCE_UNKNOWN_MESSAGE Unknown message"}, ae.FieldErrors())
}

func TestSendMessageOpensDM(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	res, err := d.SendMessage(ctx, "80351110224678912", &driver.Post{Text: "Merci !"}, driver.PublishOptions{})
	require.NoError(t, err)
	dm := f.dms["80351110224678912"]
	require.NotEmpty(t, dm)
	require.True(t, strings.HasPrefix(res.ID, dm+":"))
	// A DM channel ID is used as is.
	before := f.requests.Load()
	_, err = d.SendMessage(ctx, dm, &driver.Post{Text: "Encore merci"}, driver.PublishOptions{})
	require.NoError(t, err)
	require.Equal(t, int64(1), f.requests.Load()-before)
}

func TestLikeAndMetrics(t *testing.T) {
	f, d := open(t)
	ctx := context.Background()
	res, err := d.Publish(ctx, &driver.Post{Text: "like me"}, driver.PublishOptions{})
	require.NoError(t, err)
	require.NoError(t, d.SetLiked(ctx, res.ID, true))
	require.Equal(t, "PUT", f.last.Method)
	require.Equal(t, "/api/v10/channels/"+f.channel+"/messages/"+res.ID+"/reactions/%F0%9F%91%8D/@me", f.last.URL.EscapedPath())
	m, err := d.PostMetrics(ctx, res.ID)
	require.NoError(t, err)
	require.Equal(t, driver.M(1), m.Likes)
	require.False(t, m.Impressions.Valid)
	require.False(t, m.Comments.Valid)
	am, err := d.AccountMetrics(ctx)
	require.NoError(t, err)
	require.Equal(t, driver.M(60814), am.Followers)
	require.Equal(t, "true", f.last.URL.Query().Get("with_counts"))
}

func TestWebhookOnly(t *testing.T) {
	f := newFakeDiscord()
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()
	hook := srv.URL + "/api/webhooks/" + f.webhook + "/" + f.webhookToken
	a, err := connectors.Open(ctx, "discord", driver.Config{Server: srv.URL + "/api/v10", Options: map[string]string{"webhook": hook}}, nil)
	require.NoError(t, err)
	require.Equal(t, driver.CapPublish|driver.CapDelete|driver.CapEdit|driver.CapMedia, a.Capabilities())
	require.False(t, a.Description().Idempotent)
	require.Equal(t, f.channel, a.Description().AccountID)
	res, err := a.Publish(ctx, &driver.Post{Text: "via webhook"}, nil)
	require.NoError(t, err)
	require.Equal(t, "true", f.last.URL.Query().Get("wait"))
	_, err = a.Edit(ctx, res.ID, &driver.Post{Text: "modifié"})
	require.NoError(t, err)
	require.Equal(t, "modifié", f.msgs[res.ID].content)
	require.NoError(t, a.Delete(ctx, res.ID))
	require.ErrorIs(t, a.Delete(ctx, res.ID), driver.ErrNotFound)
	_, err = a.Comments(ctx, res.ID, driver.PageRequest{})
	require.ErrorIs(t, err, driver.ErrUnsupported)
	require.Empty(t, f.Problems())

	// A deleted webhook means the credentials are gone.
	f.webhookToken = "another-token-abcdefghijklmnopqrstu"
	_, err = a.Publish(ctx, &driver.Post{Text: "x"}, nil)
	require.ErrorIs(t, err, driver.ErrUnauthenticated)
	require.NotContains(t, err.Error(), strings.Split(hook, "/")[len(strings.Split(hook, "/"))-1], "the webhook token never shows")
}

// TestErrorMapping feeds the documented error bodies (testdata/) through
// the driver's error mapping.
func TestErrorMapping(t *testing.T) {
	tests := []struct {
		file   string
		status int
		want   driver.ErrorCode
	}{
		{"error_10008.json", 404, driver.NotFound},
		{"error_10003.json", 404, driver.NotFound},
		{"error_50013.json", 403, driver.PermissionDenied},
		{"error_50001.json", 403, driver.PermissionDenied},
		{"error_50014.json", 401, driver.Unauthenticated},
		{"error_401.json", 401, driver.Unauthenticated},
		{"error_40005.json", 413, driver.InvalidContent},
		{"error_10015.json", 404, driver.Unauthenticated},
		{"error_160004.json", 400, driver.Conflict},
		{"error_50007.json", 403, driver.PermissionDenied},
		{"error_20028.json", 429, driver.RateLimited},
		{"error_130000.json", 503, driver.Unavailable},
		{"error_50035_content.json", 400, driver.InvalidContent},
		{"error_50035_reference.json", 400, driver.NotFound},
		{"ratelimit_user.json", 429, driver.RateLimited},
		{"ratelimit_global.json", 429, driver.RateLimited},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			body, err := os.ReadFile(filepath.Join("testdata", tt.file))
			require.NoError(t, err)
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.WriteHeader(tt.status)
				w.Write(body)
			}))
			defer srv.Close()
			d, err := discord.Open(context.Background(), driver.Config{Server: srv.URL, Account: "290926798999357250", Password: "tok"})
			require.NoError(t, err)
			_, err = d.(driver.PostMetricsReader).PostMetrics(context.Background(), "334385199974967042")
			require.Equal(t, tt.want, driver.CodeOf(err), "%v", err)
			var de *driver.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, tt.status, de.Status)
		})
	}
}

func TestRateLimitHeaders(t *testing.T) {
	// The documented "Exceeded User Rate Limit Response".
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		h := w.Header()
		h.Set("Content-Type", "application/json")
		h.Set("Retry-After", "65")
		h.Set("X-RateLimit-Limit", "10")
		h.Set("X-RateLimit-Remaining", "0")
		h.Set("X-RateLimit-Reset", "1470173023.123")
		h.Set("X-RateLimit-Reset-After", "64.57")
		h.Set("X-RateLimit-Bucket", "abcd1234")
		h.Set("X-RateLimit-Scope", "user")
		w.WriteHeader(429)
		w.Write(golden("ratelimit_user.json"))
	}))
	defer srv.Close()
	d, err := discord.Open(context.Background(), driver.Config{Server: srv.URL, Account: "290926798999357250", Password: "tok"})
	require.NoError(t, err)
	_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
	var rl *driver.RateLimitError
	require.ErrorAs(t, err, &rl)
	require.Equal(t, 65*time.Second, rl.RetryAfter)
	require.Equal(t, "abcd1234", rl.Bucket)
	require.Equal(t, "user", rl.Scope)
	require.Equal(t, 10, rl.Limit)
}

func TestGoldenMessageDecodes(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(golden("message.json"))
	}))
	defer srv.Close()
	d, err := discord.Open(context.Background(), driver.Config{Server: srv.URL, Account: "290926798999357250", Password: "tok"})
	require.NoError(t, err)
	m, err := d.(driver.PostMetricsReader).PostMetrics(context.Background(), "334385199974967042")
	require.NoError(t, err)
	require.Equal(t, driver.M(1), m.Likes, "the documented message has one 🔥 reaction")
}

func TestTokenNeverLogged(t *testing.T) {
	f, _ := open(t)
	var c *transport.Client
	srv := httptest.NewServer(f)
	defer srv.Close()
	d, err := discord.Open(context.Background(), driver.Config{Server: srv.URL + "/api/v10", Account: f.channel, Password: f.token})
	require.NoError(t, err)
	require.True(t, d.(driver.Aser).As(&c))
	f.Fail(401, 1)
	_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
	require.Error(t, err)
	require.False(t, strings.Contains(err.Error(), f.token))
	require.True(t, errors.Is(err, driver.ErrUnauthenticated))
}
