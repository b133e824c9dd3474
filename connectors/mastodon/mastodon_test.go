package mastodon_test

import (
	"context"
	"encoding/json"
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/mastodon"
	"github.com/cmkit/cmkit/connectors/oauth"
	"github.com/cmkit/cmkit/connectors/transport"
)

// open returns a driver on a new fake, as the brand.
func open(t *testing.T, opts *mastodon.Options) (*fake, *mastodon.Driver) {
	t.Helper()
	f := newFake(t)
	t.Cleanup(f.close)
	if opts == nil {
		opts = &mastodon.Options{}
	}
	if opts.Sleep == nil {
		opts.Sleep = noSleep
	}
	d, err := mastodon.New(context.Background(), driver.Config{
		Server: f.srv.URL,
		Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: brandToken}),
	}, opts)
	require.NoError(t, err)
	return f, d
}

func jsonBody(t *testing.T, r recorded) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(r.Body, &m))
	return m
}

func pngMedia() driver.Media {
	return driver.Media{Kind: driver.MediaImage, MIMEType: "image/png", Data: []byte("\x89PNG fake"), AltText: "Un carré rouge", Filename: "red.png"}
}

func TestPublishRequestShape(t *testing.T) {
	ctx := context.Background()
	f, d := open(t, &mastodon.Options{Visibility: mastodon.Unlisted})
	res, err := d.Publish(ctx, &driver.Post{
		Text: "Nouvelle collection", Link: "https://example.org/collection", Tags: []string{"mode"},
		Media: []driver.Media{pngMedia()}, Language: "fr", Sensitive: true, SpoilerText: "Soldes",
	}, driver.PublishOptions{IdempotencyKey: "sched-42"})
	require.NoError(t, err)
	require.Equal(t, driver.Published, res.Status)
	require.NotEmpty(t, res.ID)
	require.Contains(t, res.URL, "/@brand/"+res.ID)

	uploads := f.requestsTo(http.MethodPost, "/api/v2/media")
	require.Len(t, uploads, 1)
	up := uploads[0]
	require.Equal(t, "Bearer "+brandToken, up.Header.Get("Authorization"))
	mt, params, err := mime.ParseMediaType(up.Header.Get("Content-Type"))
	require.NoError(t, err)
	require.Equal(t, "multipart/form-data", mt)
	form, err := multipart.NewReader(strings.NewReader(string(up.Body)), params["boundary"]).ReadForm(1 << 20)
	require.NoError(t, err)
	require.Equal(t, []string{"Un carré rouge"}, form.Value["description"])
	require.Equal(t, "red.png", form.File["file"][0].Filename)
	require.Equal(t, "image/png", form.File["file"][0].Header.Get("Content-Type"))

	posts := f.requestsTo(http.MethodPost, "/api/v1/statuses")
	require.Len(t, posts, 1)
	require.Equal(t, "sched-42", posts[0].Header.Get("Idempotency-Key"))
	require.Equal(t, "application/json", posts[0].Header.Get("Content-Type"))
	body := jsonBody(t, posts[0])
	require.Equal(t, "Nouvelle collection\n\nhttps://example.org/collection\n\n#mode", body["status"])
	require.Equal(t, []any{uploadID(t, f)}, body["media_ids"])
	require.Equal(t, "unlisted", body["visibility"])
	require.Equal(t, "fr", body["language"])
	require.Equal(t, true, body["sensitive"])
	require.Equal(t, "Soldes", body["spoiler_text"])
	require.NotContains(t, body, "in_reply_to_id")
}

func uploadID(t *testing.T, f *fake) string {
	t.Helper()
	f.mu.Lock()
	defer f.mu.Unlock()
	require.Len(t, f.media, 1)
	for id := range f.media {
		return id
	}
	return ""
}

// TestIdempotencyKeyHonoured: the fake implements Mastodon's semantics
// (the same key within an hour returns the same status): a retried
// publish creates no duplicate.
func TestIdempotencyKeyHonoured(t *testing.T) {
	ctx := context.Background()
	f, d := open(t, nil)
	p := &driver.Post{Text: "Une seule fois", Thread: []driver.Post{{Text: "suite"}}}
	first, err := d.Publish(ctx, p, driver.PublishOptions{IdempotencyKey: "k1"})
	require.NoError(t, err)
	again, err := d.Publish(ctx, p, driver.PublishOptions{IdempotencyKey: "k1"})
	require.NoError(t, err)
	require.Equal(t, first, again)
	var keys []string
	for _, r := range f.requestsTo(http.MethodPost, "/api/v1/statuses") {
		keys = append(keys, r.Header.Get("Idempotency-Key"))
	}
	require.Equal(t, []string{"k1", "k1/1", "k1", "k1/1"}, keys)
	f.mu.Lock()
	require.Len(t, f.statuses, 2)
	f.mu.Unlock()

	// Without a key, no header and a new status each time.
	_, err = d.Publish(ctx, &driver.Post{Text: "sans clé"}, driver.PublishOptions{})
	require.NoError(t, err)
	posts := f.requestsTo(http.MethodPost, "/api/v1/statuses")
	require.NotContains(t, posts[len(posts)-1].Header, "Idempotency-Key")
}

func TestThreadChainsReplies(t *testing.T) {
	ctx := context.Background()
	f, d := open(t, nil)
	res, err := d.Publish(ctx, &driver.Post{Text: "1/3", Language: "fr", Thread: []driver.Post{{Text: "2/3"}, {Text: "3/3", Language: "en"}}}, driver.PublishOptions{})
	require.NoError(t, err)
	require.Len(t, res.ThreadIDs, 2)
	posts := f.requestsTo(http.MethodPost, "/api/v1/statuses")
	require.Len(t, posts, 3)
	require.NotContains(t, jsonBody(t, posts[0]), "in_reply_to_id")
	require.Equal(t, res.ID, jsonBody(t, posts[1])["in_reply_to_id"])
	require.Equal(t, "fr", jsonBody(t, posts[1])["language"], "a thread post inherits the head's language")
	require.Equal(t, res.ThreadIDs[0], jsonBody(t, posts[2])["in_reply_to_id"])
	require.Equal(t, "en", jsonBody(t, posts[2])["language"])
}

func TestThreadFailsHalfWay(t *testing.T) {
	ctx := context.Background()
	f, d := open(t, nil)
	p := &driver.Post{Text: "1/3", Thread: []driver.Post{{Text: "2/3"}, {Text: strings.Repeat("x", 501)}}}
	res, err := d.Publish(ctx, p, driver.PublishOptions{})
	require.ErrorIs(t, err, driver.ErrInvalidContent)
	require.NotEmpty(t, res.ID)
	require.Len(t, res.ThreadIDs, 1)
	require.Len(t, f.requestsTo(http.MethodPost, "/api/v1/statuses"), 3)
}

func TestMediaProcessing(t *testing.T) {
	ctx := context.Background()
	t.Run("202 then 206 until ready", func(t *testing.T) {
		var slept []time.Duration
		f, d := open(t, &mastodon.Options{MediaPoll: 2 * time.Second, Sleep: func(ctx context.Context, d time.Duration) error {
			slept = append(slept, d)
			return nil
		}})
		f.processing = 3
		_, err := d.Publish(ctx, &driver.Post{Text: "vidéo", Media: []driver.Media{pngMedia()}}, driver.PublishOptions{})
		require.NoError(t, err)
		id := uploadID(t, f)
		require.Len(t, f.requestsTo(http.MethodGet, "/api/v1/media/"+id), 4) // 206, 206, 206, 200
		require.Equal(t, []time.Duration{2 * time.Second, 2 * time.Second, 2 * time.Second, 2 * time.Second}, slept)
	})
	t.Run("gives up after MediaWait without posting", func(t *testing.T) {
		now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
		f := newFake(t)
		t.Cleanup(f.close)
		f.processing = 1000
		d, err := mastodon.New(ctx, driver.Config{
			Server: f.srv.URL, Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: brandToken}),
			Now: func() time.Time { return now },
		}, &mastodon.Options{MediaWait: 10 * time.Second, MediaPoll: time.Second, Sleep: func(ctx context.Context, d time.Duration) error {
			now = now.Add(d)
			return nil
		}})
		require.NoError(t, err)
		_, err = d.Publish(ctx, &driver.Post{Text: "vidéo", Media: []driver.Media{pngMedia()}}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrUnavailable)
		require.Contains(t, err.Error(), "still processing")
		require.Empty(t, f.requestsTo(http.MethodPost, "/api/v1/statuses"))
		require.Len(t, f.requestsTo(http.MethodGet, "/api/v1/media/"+uploadID(t, f)), 10)
	})
	t.Run("canceled while waiting", func(t *testing.T) {
		f, d := open(t, &mastodon.Options{Sleep: func(ctx context.Context, d time.Duration) error { return context.Canceled }})
		f.processing = 1
		_, err := d.Publish(ctx, &driver.Post{Text: "vidéo", Media: []driver.Media{pngMedia()}}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrCanceled)
	})
	t.Run("media from Open and URL", func(t *testing.T) {
		img := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			require.Empty(t, r.Header.Get("Authorization"), "the token must not go to a media host")
			_, _ = w.Write([]byte("GIF89a"))
		}))
		defer img.Close()
		f, d := open(t, nil)
		m1 := pngMedia()
		m1.Data = nil
		m1.Open = func() (ioReadCloser, error) { return nopCloser{strings.NewReader("png bytes")}, nil }
		m2 := driver.Media{Kind: driver.MediaGIF, MIMEType: "image/gif", URL: img.URL + "/a.gif"}
		_, err := d.Publish(ctx, &driver.Post{Text: "deux", Media: []driver.Media{m1, m2}}, driver.PublishOptions{})
		require.NoError(t, err)
		require.Len(t, f.requestsTo(http.MethodPost, "/api/v2/media"), 2)
	})
}

func TestReply(t *testing.T) {
	ctx := context.Background()
	t.Run("mentions the author and keeps a direct parent direct", func(t *testing.T) {
		f, d := open(t, nil)
		parent, err := f.fanPost("@brand une question privée", "direct", "")
		require.NoError(t, err)
		res, err := d.Reply(ctx, parent, &driver.Post{Text: "Merci, on regarde !"}, driver.PublishOptions{IdempotencyKey: "r1"})
		require.NoError(t, err)
		posts := f.requestsTo(http.MethodPost, "/api/v1/statuses")
		body := jsonBody(t, posts[0])
		require.Equal(t, "@fan Merci, on regarde !", body["status"])
		require.Equal(t, parent, body["in_reply_to_id"])
		require.Equal(t, "direct", body["visibility"])
		require.Equal(t, "r1", posts[0].Header.Get("Idempotency-Key"))
		require.NotEmpty(t, res.ID)
	})
	t.Run("no double mention, no self mention", func(t *testing.T) {
		f, d := open(t, nil)
		parent, err := f.fanPost("une question", "public", "")
		require.NoError(t, err)
		_, err = d.Reply(ctx, parent, &driver.Post{Text: "@Fan voilà"}, driver.PublishOptions{})
		require.NoError(t, err)
		own, err := d.Publish(ctx, &driver.Post{Text: "notre post"}, driver.PublishOptions{})
		require.NoError(t, err)
		_, err = d.Reply(ctx, own.ID, &driver.Post{Text: "précision"}, driver.PublishOptions{})
		require.NoError(t, err)
		posts := f.requestsTo(http.MethodPost, "/api/v1/statuses")
		require.Equal(t, "@Fan voilà", jsonBody(t, posts[0])["status"])
		require.Equal(t, "précision", jsonBody(t, posts[2])["status"])
		require.Equal(t, "public", jsonBody(t, posts[2])["visibility"])
	})
	t.Run("unknown parent", func(t *testing.T) {
		f, d := open(t, nil)
		_, err := d.Reply(ctx, "4242", &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrNotFound)
		_, err = d.Reply(ctx, "../../admin", &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrNotFound)
		require.Empty(t, f.requestsTo(http.MethodPost, "/api/v1/statuses"))
	})
}

func TestEditAndDelete(t *testing.T) {
	ctx := context.Background()
	f, d := open(t, nil)
	res, err := d.Publish(ctx, &driver.Post{Text: "Typo"}, driver.PublishOptions{})
	require.NoError(t, err)
	_, err = d.EditPost(ctx, res.ID, &driver.Post{Text: "Corrigé", SpoilerText: "CW"})
	require.NoError(t, err)
	puts := f.requestsTo(http.MethodPut, "/api/v1/statuses/"+res.ID)
	require.Len(t, puts, 1)
	body := jsonBody(t, puts[0])
	require.Equal(t, "Corrigé", body["status"])
	require.Equal(t, "CW", body["spoiler_text"])
	require.NotContains(t, body, "visibility")
	require.NoError(t, d.DeletePost(ctx, res.ID))
	require.ErrorIs(t, d.DeletePost(ctx, res.ID), driver.ErrNotFound)
	_, err = d.EditPost(ctx, res.ID, &driver.Post{Text: "trop tard"})
	require.ErrorIs(t, err, driver.ErrNotFound)
}

// TestErrorMapping answers the documented error bodies (entities/Error.md,
// methods/*.md) and checks the codes.
func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name    string
		status  int
		body    string
		header  map[string]string
		want    error
		message string
	}{
		{"invalid token", 401, `{"error":"The access token is invalid"}`, nil, driver.ErrUnauthenticated, "reconnect"},
		{"revoked token", 401, `{"error":"The access token was revoked"}`, nil, driver.ErrUnauthenticated, "revoked"},
		{"outside scopes", 403, `{"error":"This action is outside the authorized scopes"}`, nil, driver.ErrPermissionDenied, "lacks a scope"},
		{"suspended", 403, `{"error":"Your login is currently disabled"}`, nil, driver.ErrPermissionDenied, "disabled"},
		{"not found", 404, `{"error":"Record not found"}`, nil, driver.ErrNotFound, "Record not found"},
		{"gone", 410, ``, nil, driver.ErrNotFound, ""},
		{"validation", 422, `{"error":"Validation failed: Text character limit of 500 exceeded"}`, nil, driver.ErrInvalidContent, "character limit"},
		{"media processing", 422, `{"error":"Cannot attach files that have not finished processing. Try again in a moment!"}`, nil, driver.ErrInvalidContent, "processing"},
		{"gotosocial", 400, `{"error":"Bad Request: status too long"}`, nil, driver.ErrInvalidContent, "too long"},
		{"rate limited", 429, `{"error":"Too many requests"}`, map[string]string{"X-RateLimit-Limit": "300", "X-RateLimit-Remaining": "0", "X-RateLimit-Reset": "2099-01-01T00:00:00.000000Z"}, driver.ErrRateLimited, "Too many requests"},
		{"try again", 503, `{"error":"Remote data could not be fetched, please try again"}`, nil, driver.ErrUnavailable, "try again"},
		{"server error", 500, `<html>oops</html>`, nil, driver.ErrUnavailable, "oops"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				for k, v := range tt.header {
					w.Header().Set(k, v)
				}
				w.WriteHeader(tt.status)
				_, _ = w.Write([]byte(tt.body))
			}))
			defer srv.Close()
			d, err := mastodon.New(context.Background(), driver.Config{Server: srv.URL,
				Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "test-token-abcdef"})}, nil)
			require.NoError(t, err)
			_, err = d.PostMetrics(context.Background(), "1")
			require.ErrorIs(t, err, tt.want)
			require.Contains(t, err.Error(), tt.message)
			var de *driver.Error
			require.ErrorAs(t, err, &de)
			require.Equal(t, tt.status, de.Status)
			if tt.status == 429 {
				var rl *driver.RateLimitError
				require.ErrorAs(t, err, &rl)
				require.True(t, rl.Reset.After(time.Now()), "reset read from X-RateLimit-Reset")
				require.Equal(t, 300, rl.Limit)
			}
		})
	}
}

func TestPublishServerErrorIsIndeterminate(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.WriteHeader(http.StatusBadGateway)
	}))
	defer srv.Close()
	d, err := mastodon.New(context.Background(), driver.Config{Server: srv.URL,
		Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "test-token-abcdef"})}, nil)
	require.NoError(t, err)
	_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
	require.ErrorIs(t, err, driver.ErrIndeterminate, "a post may have been created")
	_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{IdempotencyKey: "k"})
	require.ErrorIs(t, err, driver.ErrUnavailable, "with an Idempotency-Key the retry is safe")
}

func TestDescribe(t *testing.T) {
	ctx := context.Background()
	t.Run("instance limits", func(t *testing.T) {
		_, d := open(t, nil)
		desc, err := d.Describe(ctx)
		require.NoError(t, err)
		require.Equal(t, "mastodon", desc.Network)
		require.Equal(t, "1", desc.AccountID)
		require.Equal(t, "brand@mastodon.social", desc.Handle, "the domain of the instance document")
		require.True(t, desc.Idempotent)
		l := desc.Limits
		require.Equal(t, driver.CountURLsFixed, l.TextRule)
		require.Equal(t, 500, l.MaxText)
		require.Equal(t, 23, l.URLLength)
		require.Equal(t, 4, l.MaxImages)
		require.Equal(t, 1, l.MaxVideos)
		require.Equal(t, int64(10485760), l.MaxImageBytes)
		require.Equal(t, int64(41943040), l.MaxVideoBytes)
		require.Equal(t, 1500, l.MaxAltText)
		require.Contains(t, l.ImageTypes, "image/heic")
		require.Contains(t, l.VideoTypes, "video/quicktime")
		require.True(t, l.Threads)
		require.False(t, l.FirstComment)
	})
	t.Run("gotosocial ignores Idempotency-Key", func(t *testing.T) {
		f, d := open(t, nil)
		f.instance = mustRead(t, "testdata/instance_v2_gotosocial.json")
		desc, err := d.Describe(ctx)
		require.NoError(t, err)
		require.False(t, desc.Idempotent)
		require.Equal(t, 5000, desc.Limits.MaxText)
		require.Equal(t, 25, desc.Limits.URLLength)
		require.Equal(t, 6, desc.Limits.MaxImages)
	})
	t.Run("no v2 instance: preset limits", func(t *testing.T) {
		f, _ := open(t, nil)
		f.instance = nil
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if r.URL.Path == "/api/v2/instance" {
				w.WriteHeader(http.StatusNotFound)
				_, _ = w.Write([]byte(`{"error":"Record not found"}`))
				return
			}
			f.ServeHTTP(w, r)
		}))
		defer srv.Close()
		d, err := mastodon.New(ctx, driver.Config{Server: srv.URL, Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: brandToken})}, nil)
		require.NoError(t, err)
		desc, err := d.Describe(ctx)
		require.NoError(t, err)
		preset, _ := connectors.PresetLimits("mastodon")
		require.Equal(t, preset, desc.Limits)
	})
	t.Run("account mismatch", func(t *testing.T) {
		f := newFake(t)
		defer f.close()
		for _, tt := range []struct {
			account string
			ok      bool
		}{{"brand", true}, {"@Brand", true}, {"brand@" + strings.TrimPrefix(f.srv.URL, "http://"), false}, {"brand@127.0.0.1", true}, {"fan", false}, {"brand@other.example", false}} {
			d, err := mastodon.New(ctx, driver.Config{Server: f.srv.URL, Account: tt.account,
				Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: brandToken})}, nil)
			require.NoError(t, err)
			_, err = d.Describe(ctx)
			if tt.ok {
				require.NoError(t, err, tt.account)
			} else {
				require.ErrorIs(t, err, driver.ErrPermissionDenied, tt.account)
			}
		}
	})
}

func mustRead(t *testing.T, name string) []byte {
	t.Helper()
	b, err := readFile(name)
	require.NoError(t, err)
	return b
}

func TestCommentsPaging(t *testing.T) {
	ctx := context.Background()
	f, d := open(t, nil)
	post, err := d.Publish(ctx, &driver.Post{Text: "Question du jour"}, driver.PublishOptions{})
	require.NoError(t, err)
	var want []string
	for i := range 6 {
		id, err := f.fanPost("réponse "+itoa(i), "public", post.ID)
		require.NoError(t, err)
		want = append(want, id)
	}
	nested, err := f.fanPost("sous-réponse", "public", want[0])
	require.NoError(t, err)
	want = append(want, nested)
	// IDs cross from 2 to 3 digits: 99 < 100 only when compared by length.
	require.Len(t, post.ID, 2)
	require.Len(t, nested, 3)

	var got []driver.Interaction
	cursor := ""
	for {
		pg, err := d.ListComments(ctx, post.ID, driver.PageRequest{Cursor: cursor, Limit: 3})
		require.NoError(t, err)
		require.NotEmpty(t, pg.Next)
		got = append(got, pg.Items...)
		if len(pg.Items) == 0 {
			break
		}
		cursor = pg.Next
	}
	var ids []string
	for _, it := range got {
		ids = append(ids, it.ID)
		require.Equal(t, post.ID, it.PostID)
		require.Equal(t, "mastodon", it.Network)
		require.Equal(t, "fan", it.Author.Handle)
	}
	require.Equal(t, want, ids)
	require.Equal(t, driver.Comment, got[0].Kind)
	require.Equal(t, driver.Reply, got[len(got)-1].Kind)
	require.Equal(t, want[0], got[len(got)-1].ParentID)
	require.Equal(t, "sous-réponse", got[len(got)-1].Text)

	_, err = d.ListComments(ctx, post.ID, driver.PageRequest{Cursor: "not a cursor!"})
	require.ErrorIs(t, err, driver.ErrInvalidContent)

	pg, err := d.ListComments(ctx, post.ID, driver.PageRequest{Since: time.Now().Add(time.Hour)})
	require.NoError(t, err)
	require.Empty(t, pg.Items)
	require.Equal(t, nested, pg.Next, "items before Since are skipped for good")
}

func TestMentionsSkipDirectMessages(t *testing.T) {
	ctx := context.Background()
	f, d := open(t, nil)
	var want []string
	for i := range 3 {
		_, err := f.fanPost("@brand psst "+itoa(i), "direct", "")
		require.NoError(t, err)
	}
	id, err := f.fanPost("@brand bravo", "public", "")
	require.NoError(t, err)
	want = append(want, id)
	pg, err := d.ListMentions(ctx, driver.PageRequest{Limit: 2})
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	require.Equal(t, want[0], pg.Items[0].ID)
	require.Equal(t, "@brand bravo", pg.Items[0].Text)
	require.Equal(t, driver.Mention, pg.Items[0].Kind)
	reqs := f.requestsTo(http.MethodGet, "/api/v1/notifications")
	require.Equal(t, []string{"mention"}, reqs[0].Query["types[]"])
	require.Equal(t, "0", reqs[0].Query.Get("min_id"))
	require.Equal(t, "2", reqs[0].Query.Get("limit"))

	pg, err = d.ListMentions(ctx, driver.PageRequest{Cursor: pg.Next})
	require.NoError(t, err)
	require.Empty(t, pg.Items)
	require.False(t, pg.More)
}

func TestMessages(t *testing.T) {
	ctx := context.Background()
	f, d := open(t, nil)
	first, err := f.fanPost("@brand bonjour", "direct", "")
	require.NoError(t, err)
	pg, err := d.ListMessages(ctx, driver.PageRequest{})
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	conv := pg.Items[0].ConversationID
	require.Equal(t, first, conv)
	require.Equal(t, driver.DirectMessage, pg.Items[0].Kind)

	// Two messages in the same conversation between polls: both listed.
	m2, err := f.fanPost("@brand vous êtes là ?", "direct", first)
	require.NoError(t, err)
	m3, err := f.fanPost("@brand allô ?", "direct", m2)
	require.NoError(t, err)
	pg, err = d.ListMessages(ctx, driver.PageRequest{Cursor: pg.Next})
	require.NoError(t, err)
	require.Equal(t, []string{m2, m3}, []string{pg.Items[0].ID, pg.Items[1].ID})

	res, err := d.SendMessage(ctx, conv, &driver.Post{Text: "Oui, bonjour !"}, driver.PublishOptions{IdempotencyKey: "dm1"})
	require.NoError(t, err)
	posts := f.requestsTo(http.MethodPost, "/api/v1/statuses")
	body := jsonBody(t, posts[0])
	require.Equal(t, "@fan Oui, bonjour !", body["status"])
	require.Equal(t, "direct", body["visibility"])
	require.Equal(t, m3, body["in_reply_to_id"])
	require.Equal(t, "dm1", posts[0].Header.Get("Idempotency-Key"))

	// The brand's own messages are not listed.
	pg, err = d.ListMessages(ctx, driver.PageRequest{Cursor: pg.Next})
	require.NoError(t, err)
	require.Empty(t, pg.Items, "own message %s must not be listed", res.ID)

	// A new conversation by handle.
	_, err = d.SendMessage(ctx, "@fan", &driver.Post{Text: "Nouveau sujet"}, driver.PublishOptions{})
	require.NoError(t, err)
	posts = f.requestsTo(http.MethodPost, "/api/v1/statuses")
	body = jsonBody(t, posts[1])
	require.Equal(t, "@fan Nouveau sujet", body["status"])
	require.NotContains(t, body, "in_reply_to_id")

	_, err = d.SendMessage(ctx, "999999", &driver.Post{Text: "x"}, driver.PublishOptions{})
	require.ErrorIs(t, err, driver.ErrNotFound)
}

func TestFindPost(t *testing.T) {
	ctx := context.Background()
	_, d := open(t, nil)
	p := &driver.Post{Text: "Soldes d'hiver & cadeaux", Link: "https://example.org/a-very-long-path/that-is-cut/in-the-html", Tags: []string{"soldes"}}
	res, err := d.Publish(ctx, p, driver.PublishOptions{})
	require.NoError(t, err)
	found, err := d.FindPost(ctx, "", p)
	require.NoError(t, err)
	require.Equal(t, res.ID, found.ID)
	_, err = d.FindPost(ctx, "", &driver.Post{Text: "jamais publié"})
	require.ErrorIs(t, err, driver.ErrNotFound)
	_, err = d.FindPost(ctx, "key", nil)
	require.ErrorIs(t, err, driver.ErrNotFound)
}

func TestLikeAndMetrics(t *testing.T) {
	ctx := context.Background()
	f, d := open(t, nil)
	res, err := d.Publish(ctx, &driver.Post{Text: "Aimez-moi"}, driver.PublishOptions{})
	require.NoError(t, err)
	_, err = f.fanPost("super", "public", res.ID)
	require.NoError(t, err)
	require.NoError(t, d.SetLiked(ctx, res.ID, true))
	require.Len(t, f.requestsTo(http.MethodPost, "/api/v1/statuses/"+res.ID+"/favourite"), 1)
	m, err := d.PostMetrics(ctx, res.ID)
	require.NoError(t, err)
	require.Equal(t, driver.M(1), m.Likes)
	require.Equal(t, driver.M(1), m.Comments)
	require.Equal(t, driver.M(0), m.Shares)
	require.False(t, m.Impressions.Valid)
	require.False(t, m.Reach.Valid)
	require.NoError(t, d.SetLiked(ctx, res.ID, false))
	require.Len(t, f.requestsTo(http.MethodPost, "/api/v1/statuses/"+res.ID+"/unfavourite"), 1)

	am, err := d.AccountMetrics(ctx)
	require.NoError(t, err)
	require.Equal(t, driver.M(1200), am.Followers)
	require.Equal(t, driver.M(3), am.Following)
	require.Equal(t, driver.M(1), am.Posts)
}

func TestOpenOptions(t *testing.T) {
	ctx := context.Background()
	tok := oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "test-token-abcdef"})
	tests := []struct {
		name string
		cfg  driver.Config
		ok   bool
	}{
		{"defaults", driver.Config{Tokens: tok}, true},
		{"bare host", driver.Config{Server: "mastodon.example", Tokens: tok}, true},
		{"visibility", driver.Config{Tokens: tok, Options: map[string]string{"visibility": "private", "media_wait": "2m", "media_poll": "500ms"}}, true},
		{"bad visibility", driver.Config{Tokens: tok, Options: map[string]string{"visibility": "secret"}}, false},
		{"bad duration", driver.Config{Tokens: tok, Options: map[string]string{"media_wait": "soon"}}, false},
		{"unknown option", driver.Config{Tokens: tok, Options: map[string]string{"colour": "red"}}, false},
		{"no token", driver.Config{}, false},
		{"store without key", driver.Config{TokenStore: &oauth.MemoryTokenStore{}}, false},
		{"store", driver.Config{TokenStore: &oauth.MemoryTokenStore{}, TokenKey: "brand"}, true},
		{"bad server", driver.Config{Server: "ftp://x", Tokens: tok}, false},
		{"server with query", driver.Config{Server: "https://x.example/?a=b", Tokens: tok}, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := mastodon.Open(ctx, tt.cfg)
			if tt.ok {
				require.NoError(t, err)
			} else {
				require.ErrorIs(t, err, driver.ErrInvalidContent)
			}
		})
	}
}

func TestTokenStore(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	defer f.close()
	store := &oauth.MemoryTokenStore{}
	require.NoError(t, store.SaveToken(ctx, "acme/mastodon", &oauth2.Token{AccessToken: brandToken, TokenType: "Bearer"}))
	a, err := connectors.Open(ctx, "mastodon", driver.Config{Server: f.srv.URL, TokenStore: store, TokenKey: "acme/mastodon"}, nil)
	require.NoError(t, err)
	require.Equal(t, "1", a.Description().AccountID)
}

func TestRegisterAppAndOAuth(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	defer f.close()
	app, err := mastodon.RegisterApp(ctx, f.srv.URL, &mastodon.AppOptions{Name: "Agence", RedirectURIs: []string{"https://agence.example/cb", mastodon.OOB}, Scopes: "read write:statuses"})
	require.NoError(t, err)
	require.Equal(t, "client-Agence", app.ClientID)
	require.Equal(t, []string{"https://agence.example/cb", mastodon.OOB}, app.RedirectURIs)
	require.Equal(t, []string{"read", "write:statuses"}, app.Scopes)
	reqs := f.requestsTo(http.MethodPost, "/api/v1/apps")
	require.Empty(t, reqs[0].Header.Get("Authorization"))
	body := jsonBody(t, reqs[0])
	require.Equal(t, "https://agence.example/cb\n"+mastodon.OOB, body["redirect_uris"])
	require.Equal(t, "read write:statuses", body["scopes"])

	cfg := mastodon.OAuthConfig(f.srv.URL+"/", app)
	require.Equal(t, f.srv.URL+"/oauth/authorize", cfg.Endpoint.AuthURL)
	require.Equal(t, f.srv.URL+"/oauth/token", cfg.Endpoint.TokenURL)
	require.Equal(t, "https://agence.example/cb", cfg.RedirectURL)

	ok, err := mastodon.PKCESupported(ctx, f.srv.URL, nil)
	require.NoError(t, err)
	require.True(t, ok)

	// The whole flow with connectors/oauth (PKCE, state).
	flow := &oauth.Config{OAuth2: cfg, Network: "mastodon"}
	u, fl, err := flow.AuthCodeURL()
	require.NoError(t, err)
	require.Contains(t, u, "code_challenge_method=S256")
	require.Contains(t, u, "scope=read+write%3Astatuses")
	tok, err := flow.Exchange(ctx, fl, map[string][]string{"code": {"good-code"}, "state": {fl.State}})
	require.NoError(t, err)
	require.Equal(t, brandToken, tok.AccessToken)
	_, err = flow.Exchange(ctx, fl, map[string][]string{"code": {"bad-code"}, "state": {fl.State}})
	require.ErrorIs(t, err, driver.ErrUnauthenticated)

	_, err = mastodon.RegisterApp(ctx, f.srv.URL, &mastodon.AppOptions{RedirectURIs: []string{""}})
	require.ErrorIs(t, err, driver.ErrInvalidContent)
}

func TestPKCEUnsupported(t *testing.T) {
	srv := httptest.NewServer(http.NotFoundHandler())
	defer srv.Close()
	ok, err := mastodon.PKCESupported(context.Background(), srv.URL, nil)
	require.NoError(t, err)
	require.False(t, ok)
}

func TestAs(t *testing.T) {
	f, d := open(t, nil)
	var c *transport.Client
	require.True(t, d.As(&c))
	var me struct {
		ID string `json:"id"`
	}
	require.NoError(t, c.GetJSON(context.Background(), "", "/api/v1/accounts/verify_credentials", nil, &me))
	require.Equal(t, "1", me.ID)
	var server string
	require.True(t, d.As(&server))
	require.Equal(t, f.srv.URL, server)
	require.False(t, d.As(new(int)))
}

func TestRateLimitedPublishIsNotRetriedByDriver(t *testing.T) {
	f, d := open(t, nil)
	f.failNext(http.StatusTooManyRequests, 1)
	_, err := d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
	var rl *driver.RateLimitError
	require.True(t, errors.As(err, &rl))
	require.Equal(t, 300, rl.Limit)
	require.Equal(t, 0, rl.Remaining)
	require.False(t, rl.Reset.IsZero())
	require.Len(t, f.requestsTo(http.MethodPost, "/api/v1/statuses"), 1)
}
