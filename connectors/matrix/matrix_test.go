package matrix_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/matrix"
	"github.com/cmkit/cmkit/connectors/oauth"
	"github.com/cmkit/cmkit/connectors/transport"
)

func openBrand(t *testing.T, f *fake, cfg driver.Config) *matrix.Driver {
	t.Helper()
	if cfg.Server == "" {
		cfg.Server = f.srv.URL
	}
	if cfg.Account == "" {
		cfg.Account = "#community:" + fakeServer
	}
	if cfg.Tokens == nil && cfg.Username == "" && cfg.TokenStore == nil {
		cfg.Username, cfg.Password = "brand", "brand-pass"
	}
	d, err := matrix.New(context.Background(), cfg)
	require.NoError(t, err)
	return d
}

func TestOpenConfig(t *testing.T) {
	for _, tc := range []struct {
		name string
		cfg  driver.Config
		code driver.ErrorCode
	}{
		{"no room", driver.Config{Username: "u", Password: "p"}, driver.InvalidContent},
		{"not a room", driver.Config{Account: "community", Username: "u", Password: "p"}, driver.InvalidContent},
		{"no credentials", driver.Config{Account: "!r:x"}, driver.Unauthenticated},
		{"unknown option", driver.Config{Account: "!r:x", Username: "u", Password: "p", Options: map[string]string{"colour": "red"}}, driver.InvalidContent},
		{"bad server", driver.Config{Server: "ftp://x", Account: "!r:x", Username: "u", Password: "p"}, driver.InvalidContent},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, err := matrix.Open(context.Background(), tc.cfg)
			require.Error(t, err)
			require.Equal(t, tc.code, driver.CodeOf(err))
		})
	}
	t.Run("registered", func(t *testing.T) {
		require.Contains(t, connectors.Networks(), "matrix")
	})
}

func TestErrorMapping(t *testing.T) {
	for _, tc := range []struct {
		file    string
		status  int
		code    driver.ErrorCode
		errcode string
	}{
		{"rate_limited.json", 429, driver.RateLimited, "M_LIMIT_EXCEEDED"},
		{"soft_logout.json", 401, driver.Unauthenticated, "M_UNKNOWN_TOKEN"},
		{"unknown_token.json", 401, driver.Unauthenticated, "M_UNKNOWN_TOKEN"},
		{"missing_token.json", 401, driver.Unauthenticated, "M_MISSING_TOKEN"},
		{"forbidden.json", 403, driver.PermissionDenied, "M_FORBIDDEN"},
		{"not_found.json", 404, driver.NotFound, "M_NOT_FOUND"},
		{"not_found.json", 400, driver.NotFound, "M_NOT_FOUND"}, // the errcode wins over the status
		{"too_large.json", 413, driver.InvalidContent, "M_TOO_LARGE"},
		{"bad_json.json", 400, driver.InvalidContent, "M_BAD_JSON"},
		{"unrecognized.json", 404, driver.Unsupported, "M_UNRECOGNIZED"},
		{"resource_limit.json", 403, driver.QuotaExceeded, "M_RESOURCE_LIMIT_EXCEEDED"},
		{"user_deactivated.json", 403, driver.PermissionDenied, "M_USER_DEACTIVATED"},
		{"room_in_use.json", 400, driver.Conflict, "M_ROOM_IN_USE"},
		{"unknown_500.json", 500, driver.Unavailable, "M_UNKNOWN"},
		{"duplicate_annotation.json", 400, driver.Duplicate, "M_DUPLICATE_ANNOTATION"},
	} {
		t.Run(fmt.Sprintf("%s %d", tc.file, tc.status), func(t *testing.T) {
			body := golden(t, "errors/"+tc.file)
			err := matrix.MapError(&http.Response{StatusCode: tc.status, Header: http.Header{}}, body)
			require.Error(t, err)
			require.Equal(t, tc.code, driver.CodeOf(err))
			var ae *matrix.APIError
			require.True(t, errors.As(err, &ae))
			require.Equal(t, tc.errcode, ae.ErrCode)
			var de *driver.Error
			require.True(t, errors.As(err, &de))
			require.Equal(t, tc.errcode, de.NetworkCode)
		})
	}
	t.Run("retry_after_ms", func(t *testing.T) {
		err := matrix.MapError(&http.Response{StatusCode: 429}, golden(t, "errors/rate_limited.json"))
		var rle *driver.RateLimitError
		require.True(t, errors.As(err, &rle))
		require.Equal(t, 2*time.Second, rle.RetryAfter)
	})
	t.Run("not a Matrix body", func(t *testing.T) {
		require.NoError(t, matrix.MapError(&http.Response{StatusCode: 502}, []byte("<html>Bad gateway</html>")))
	})
}

// TestRateLimitHeaders: the Retry-After header of newer homeservers and the
// body's retry_after_ms, whichever is longer.
func TestRateLimitHeaders(t *testing.T) {
	for _, tc := range []struct {
		name   string
		header string
		body   string
		want   time.Duration
	}{
		{"body only", "", `{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":1500}`, 1500 * time.Millisecond},
		{"header only", "3", `{"errcode":"M_LIMIT_EXCEEDED","error":"slow down"}`, 3 * time.Second},
		{"header longer", "4", `{"errcode":"M_LIMIT_EXCEEDED","error":"slow down","retry_after_ms":1000}`, 4 * time.Second},
		{"huge body", "", `{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":9223372036854775807}`, transport.MaxRetryAfter},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				if tc.header != "" {
					w.Header().Set("Retry-After", tc.header)
				}
				w.WriteHeader(429)
				w.Write([]byte(tc.body))
			}))
			defer srv.Close()
			d, err := matrix.New(context.Background(), driver.Config{Server: srv.URL, Account: "!r:x", Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})})
			require.NoError(t, err)
			_, err = d.AccountMetrics(context.Background())
			var rle *driver.RateLimitError
			require.True(t, errors.As(err, &rle), "%v", err)
			require.Equal(t, tc.want, rle.RetryAfter)
		})
	}
}

func TestRequestShapes(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	d := openBrand(t, f, driver.Config{Options: map[string]string{"device_id": "CMKITDEV"}})
	desc, err := d.Describe(ctx)
	require.NoError(t, err)
	require.Equal(t, "@brand:"+fakeServer, desc.AccountID)
	require.Equal(t, int64(50<<20), desc.Limits.MaxImageBytes)
	require.Equal(t, matrix.MaxTextBytes, desc.Limits.MaxTextBytes)

	t.Run("login", func(t *testing.T) {
		reqs := f.requestsTo(http.MethodPost, "/_matrix/client/v3/login")
		require.Len(t, reqs, 1)
		var body map[string]any
		require.NoError(t, json.Unmarshal(reqs[0].Body, &body))
		require.Equal(t, "m.login.password", body["type"])
		require.Equal(t, map[string]any{"type": "m.id.user", "user": "brand"}, body["identifier"])
		require.Equal(t, true, body["refresh_token"])
		require.Equal(t, "CMKITDEV", body["device_id"])
		require.Empty(t, reqs[0].Auth)
	})
	t.Run("alias", func(t *testing.T) {
		reqs := f.requestsTo(http.MethodGet, "/directory/room/")
		require.Len(t, reqs, 1)
		require.Equal(t, "/_matrix/client/v3/directory/room/%23community:example.org", reqs[0].Path)
	})
	var post driver.PublishResult
	t.Run("send", func(t *testing.T) {
		post, err = d.Publish(ctx, &driver.Post{Text: "Bonjour @other:example.org, voir https://cmkit.dev\nÀ bientôt <3"}, driver.PublishOptions{IdempotencyKey: "k1"})
		require.NoError(t, err)
		reqs := f.requestsTo(http.MethodPut, "/send/m.room.message/")
		require.Len(t, reqs, 1)
		require.Equal(t, "/_matrix/client/v3/rooms/%21room1:example.org/send/m.room.message/"+matrix.TxnID("k1", 0), reqs[0].Path)
		require.True(t, strings.HasPrefix(reqs[0].Auth, "Bearer syt_access_"))
		require.Equal(t, "application/json", reqs[0].ContentType)
		var c map[string]any
		require.NoError(t, json.Unmarshal(reqs[0].Body, &c))
		require.Equal(t, "m.text", c["msgtype"])
		require.Equal(t, "Bonjour @other:example.org, voir https://cmkit.dev\nÀ bientôt <3", c["body"])
		require.Equal(t, "org.matrix.custom.html", c["format"])
		require.Equal(t, `Bonjour <a href="https://matrix.to/#/@other:example.org">@other:example.org</a>, voir <a href="https://cmkit.dev">https://cmkit.dev</a><br>À bientôt &lt;3`, c["formatted_body"])
		require.Equal(t, map[string]any{"user_ids": []any{"@other:example.org"}}, c["m.mentions"])
		require.Equal(t, matrix.TxnID("k1", 0), c["com.github.cmkit.txn"])
	})
	t.Run("same key, same event", func(t *testing.T) {
		again, err := d.Publish(ctx, &driver.Post{Text: "Bonjour @other:example.org, voir https://cmkit.dev\nÀ bientôt <3"}, driver.PublishOptions{IdempotencyKey: "k1"})
		require.NoError(t, err)
		require.Equal(t, post.ID, again.ID)
	})
	t.Run("reply", func(t *testing.T) {
		c := f.post(f.roomID(), "@other:"+fakeServer, map[string]any{"msgtype": "m.text", "body": "Question ?"})
		_, err := d.Reply(ctx, c, &driver.Post{Text: "Réponse"}, driver.PublishOptions{})
		require.NoError(t, err)
		reqs := f.requestsTo(http.MethodPut, "/send/m.room.message/")
		var body map[string]any
		require.NoError(t, json.Unmarshal(reqs[len(reqs)-1].Body, &body))
		require.Equal(t, map[string]any{"m.in_reply_to": map[string]any{"event_id": c}}, body["m.relates_to"])
		require.Equal(t, map[string]any{"user_ids": []any{"@other:example.org"}}, body["m.mentions"])
		require.NotContains(t, body, "format", "plain text needs no HTML")
	})
	t.Run("reply to unknown", func(t *testing.T) {
		_, err := d.Reply(ctx, "$nope", &driver.Post{Text: "x"}, driver.PublishOptions{})
		require.ErrorIs(t, err, driver.ErrNotFound)
	})
	t.Run("thread", func(t *testing.T) {
		res, err := d.Publish(ctx, &driver.Post{Text: "1/3", Thread: []driver.Post{{Text: "2/3"}, {Text: "3/3"}}}, driver.PublishOptions{IdempotencyKey: "th"})
		require.NoError(t, err)
		require.Len(t, res.ThreadIDs, 2)
		reqs := f.requestsTo(http.MethodPut, "/send/m.room.message/")
		last := reqs[len(reqs)-1]
		require.True(t, strings.HasSuffix(last.Path, "/"+matrix.TxnID("th", 2)))
		var body map[string]any
		require.NoError(t, json.Unmarshal(last.Body, &body))
		require.Equal(t, map[string]any{"rel_type": "m.thread", "event_id": res.ID, "is_falling_back": true,
			"m.in_reply_to": map[string]any{"event_id": res.ThreadIDs[0]}}, body["m.relates_to"])
	})
	t.Run("image", func(t *testing.T) {
		_, err := d.Publish(ctx, &driver.Post{Media: []driver.Media{{Kind: driver.MediaImage, MIMEType: "image/png", Data: []byte("png"), Filename: "a.png", AltText: "Un chat", Width: 2, Height: 3}}}, driver.PublishOptions{})
		require.NoError(t, err)
		up := f.requestsTo(http.MethodPost, "/_matrix/media/v3/upload")
		require.Len(t, up, 1)
		require.Equal(t, "filename=a.png", up[0].Query)
		require.Equal(t, "image/png", up[0].ContentType)
		require.Equal(t, []byte("png"), up[0].Body)
		reqs := f.requestsTo(http.MethodPut, "/send/m.room.message/")
		var body map[string]any
		require.NoError(t, json.Unmarshal(reqs[len(reqs)-1].Body, &body))
		require.Equal(t, "m.image", body["msgtype"])
		require.Equal(t, "Un chat", body["body"])
		require.Equal(t, "a.png", body["filename"])
		require.True(t, strings.HasPrefix(body["url"].(string), "mxc://example.org/"))
		require.Equal(t, map[string]any{"mimetype": "image/png", "size": float64(3), "w": float64(2), "h": float64(3)}, body["info"])
	})
	t.Run("edit", func(t *testing.T) {
		_, err := d.EditPost(ctx, post.ID, &driver.Post{Text: "Corrigé"})
		require.NoError(t, err)
		reqs := f.requestsTo(http.MethodPut, "/send/m.room.message/")
		var body map[string]any
		require.NoError(t, json.Unmarshal(reqs[len(reqs)-1].Body, &body))
		require.Equal(t, "* Corrigé", body["body"])
		require.Equal(t, map[string]any{"rel_type": "m.replace", "event_id": post.ID}, body["m.relates_to"])
		require.Equal(t, map[string]any{"msgtype": "m.text", "body": "Corrigé", "m.mentions": map[string]any{}}, body["m.new_content"])
	})
	t.Run("like", func(t *testing.T) {
		require.NoError(t, d.SetLiked(ctx, post.ID, true))
		require.NoError(t, d.SetLiked(ctx, post.ID, true))
		reqs := f.requestsTo(http.MethodPut, "/send/m.reaction/")
		require.Len(t, reqs, 1, "liking twice sends one reaction")
		var body map[string]any
		require.NoError(t, json.Unmarshal(reqs[0].Body, &body))
		require.Equal(t, map[string]any{"m.relates_to": map[string]any{"rel_type": "m.annotation", "event_id": post.ID, "key": "👍"}}, body)
		require.NoError(t, d.SetLiked(ctx, post.ID, false))
		require.Len(t, f.requestsTo(http.MethodPut, "/redact/"), 1)
	})
	t.Run("redact", func(t *testing.T) {
		require.NoError(t, d.DeletePost(ctx, post.ID))
		reqs := f.requestsTo(http.MethodPut, "/redact/"+post.ID+"/")
		require.Len(t, reqs, 1)
		require.ErrorIs(t, d.DeletePost(ctx, post.ID), driver.ErrNotFound)
	})
}

func TestKeylessSendIndeterminate(t *testing.T) {
	for _, tc := range []struct {
		status int
		code   driver.ErrorCode
	}{
		{500, driver.Indeterminate},
		{502, driver.Indeterminate},
		{504, driver.Indeterminate},
		{503, driver.Unavailable},
	} {
		t.Run(fmt.Sprint(tc.status), func(t *testing.T) {
			srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				w.WriteHeader(tc.status)
				w.Write([]byte(`{"errcode":"M_UNKNOWN","error":"boom"}`))
			}))
			defer srv.Close()
			d, err := matrix.New(context.Background(), driver.Config{Server: srv.URL, Account: "!r:x", Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "tok"})})
			require.NoError(t, err)
			_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{})
			require.Equal(t, tc.code, driver.CodeOf(err), "%v", err)
			// With a key the homeserver deduplicates the retry: Unavailable.
			_, err = d.Publish(context.Background(), &driver.Post{Text: "x"}, driver.PublishOptions{IdempotencyKey: "k"})
			require.Equal(t, driver.Unavailable, driver.CodeOf(err), "%v", err)
		})
	}
}

// TestPaging lists through pages of 2 on a server whose end tokens
// repeat the boundary event (Dendrite) and on one whose do not (the spec).
func TestPaging(t *testing.T) {
	for _, inclusive := range []bool{false, true} {
		t.Run(fmt.Sprintf("inclusive end %v", inclusive), func(t *testing.T) {
			ctx := context.Background()
			f := newFake(t)
			f.inclusiveEnd = inclusive
			d := openBrand(t, f, driver.Config{})
			post, err := d.Publish(ctx, &driver.Post{Text: "post"}, driver.PublishOptions{})
			require.NoError(t, err)
			room := f.roomID()
			var want []string
			for i := range 7 {
				// Noise between comments: others' chatter and reactions.
				f.post(room, "@other:"+fakeServer, map[string]any{"msgtype": "m.text", "body": "chatter"})
				c := f.post(room, "@other:"+fakeServer, map[string]any{"msgtype": "m.text", "body": fmt.Sprint("c", i),
					"m.relates_to": map[string]any{"m.in_reply_to": map[string]any{"event_id": post.ID}}})
				want = append(want, c)
			}
			// A reply to a comment, and an edit (not listed).
			r := f.post(room, "@other:"+fakeServer, map[string]any{"msgtype": "m.text", "body": "re",
				"m.relates_to": map[string]any{"m.in_reply_to": map[string]any{"event_id": want[0]}}})
			f.post(room, "@other:"+fakeServer, map[string]any{"msgtype": "m.text", "body": "* c0!",
				"m.relates_to": map[string]any{"rel_type": "m.replace", "event_id": want[0]}})
			want = append(want, r)
			var got []string
			cursor := ""
			for range 20 {
				pg, err := d.ListComments(ctx, post.ID, driver.PageRequest{Cursor: cursor, Limit: 2})
				require.NoError(t, err)
				require.LessOrEqual(t, len(pg.Items), 2)
				require.NotEmpty(t, pg.Next)
				for _, it := range pg.Items {
					got = append(got, it.ID)
				}
				cursor = pg.Next
				if len(pg.Items) == 0 {
					break
				}
			}
			require.Equal(t, want, got)
			// Polling later finds exactly the new one.
			late := f.post(room, "@other:"+fakeServer, map[string]any{"msgtype": "m.text", "body": "late",
				"m.relates_to": map[string]any{"m.in_reply_to": map[string]any{"event_id": r}}})
			pg, err := d.ListComments(ctx, post.ID, driver.PageRequest{Cursor: cursor})
			require.NoError(t, err)
			require.Len(t, pg.Items, 1)
			require.Equal(t, late, pg.Items[0].ID)
			require.Equal(t, driver.Reply, pg.Items[0].Kind)
			require.Equal(t, r, pg.Items[0].ParentID)
			require.Equal(t, post.ID, pg.Items[0].PostID)
		})
	}
}

func TestListMentionsSince(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	d := openBrand(t, f, driver.Config{})
	room := f.roomID()
	mention := func(body string) string {
		return f.post(room, "@other:"+fakeServer, map[string]any{"msgtype": "m.text", "body": body})
	}
	mention("old: brand, are you there?") // display-name mention, no m.mentions
	f.mu.Lock()
	cut := time.UnixMilli(f.now + 500)
	f.mu.Unlock()
	a := mention("hello @brand:example.org")
	mention("branding is hard") // not a whole word
	_ = f.post(room, "@other:"+fakeServer, map[string]any{"msgtype": "m.text", "body": "brand", "m.mentions": map[string]any{}})
	pg, err := d.ListMentions(ctx, driver.PageRequest{Since: cut})
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	require.Equal(t, a, pg.Items[0].ID)
	require.Equal(t, driver.Mention, pg.Items[0].Kind)
	require.Equal(t, "@other:"+fakeServer, pg.Items[0].Author.ID)
}

func TestSession(t *testing.T) {
	ctx := context.Background()
	t.Run("stored session is used, refreshed and saved before use", func(t *testing.T) {
		f := newFake(t)
		f.expiryMS = 60_000
		store := &oauth.MemoryTokenStore{}
		now := time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC)
		var mu sync.Mutex
		clock := func() time.Time { mu.Lock(); defer mu.Unlock(); return now }
		d := openBrand(t, f, driver.Config{TokenStore: store, TokenKey: "brand", Now: clock, Username: "brand", Password: "brand-pass"})
		_, err := d.AccountMetrics(ctx)
		require.NoError(t, err)
		saved, err := store.LoadToken(ctx, "brand")
		require.NoError(t, err)
		require.NotEmpty(t, saved.RefreshToken)
		require.Equal(t, now.Add(time.Minute), saved.Expiry)
		mu.Lock()
		now = now.Add(45 * time.Second) // within the refresh margin
		mu.Unlock()
		_, err = d.AccountMetrics(ctx)
		require.NoError(t, err)
		require.Len(t, f.requestsTo(http.MethodPost, "/refresh"), 1)
		rotated, err := store.LoadToken(ctx, "brand")
		require.NoError(t, err)
		require.NotEqual(t, saved.AccessToken, rotated.AccessToken)
		reqs := f.requestsTo(http.MethodGet, "/joined_members")
		require.Equal(t, "Bearer "+rotated.AccessToken, reqs[len(reqs)-1].Auth, "the saved token is the one used")
		// A new driver on the same store logs in no more.
		d2 := openBrand(t, f, driver.Config{TokenStore: store, TokenKey: "brand", Now: clock})
		_, err = d2.AccountMetrics(ctx)
		require.NoError(t, err)
		require.Equal(t, 1, f.logins)
	})
	t.Run("revoked token: next call logs in again", func(t *testing.T) {
		f := newFake(t)
		d := openBrand(t, f, driver.Config{})
		_, err := d.AccountMetrics(ctx)
		require.NoError(t, err)
		f.mu.Lock()
		clear(f.tokens)
		f.mu.Unlock()
		_, err = d.AccountMetrics(ctx)
		require.ErrorIs(t, err, driver.ErrUnauthenticated)
		_, err = d.AccountMetrics(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, f.logins)
	})
	t.Run("wrong password", func(t *testing.T) {
		f := newFake(t)
		d := openBrand(t, f, driver.Config{Username: "brand", Password: "nope"})
		_, err := d.Describe(ctx)
		require.ErrorIs(t, err, driver.ErrUnauthenticated)
		require.NotContains(t, err.Error(), "nope")
	})
	t.Run("access token", func(t *testing.T) {
		f := newFake(t)
		f.mu.Lock()
		f.tokens["given"] = &fakeSession{user: "@brand:" + fakeServer, device: "D"}
		f.mu.Unlock()
		d := openBrand(t, f, driver.Config{Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "given"})})
		desc, err := d.Describe(ctx)
		require.NoError(t, err)
		require.Equal(t, "@brand:"+fakeServer, desc.AccountID)
		require.Zero(t, f.logins)
	})
}

func TestMentions(t *testing.T) {
	const me = "@brand:example.org"
	for _, tc := range []struct {
		name        string
		hasMentions bool
		ids         []string
		text        string
		want        bool
	}{
		{"intentional", true, []string{me}, "hi", true},
		{"intentional other", true, []string{"@x:example.org"}, "hi @brand:example.org", false},
		{"user ID in text", false, nil, "hi @brand:example.org", true},
		{"display name", false, nil, "Merci Brand !", true},
		{"display name inside word", false, nil, "branding", false},
		{"display name accented neighbour", false, nil, "brandé", false},
		{"nothing", false, nil, "bonjour", false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.Equal(t, tc.want, matrix.Mentions(tc.hasMentions, tc.ids, tc.text, me, "brand"))
		})
	}
}

func TestRender(t *testing.T) {
	for _, tc := range []struct {
		name                  string
		title, text           string
		sensitive             bool
		spoiler               string
		wantBody, wantFormats string
	}{
		{"plain", "", "Bonjour", false, "", "Bonjour", ""},
		{"escape only when needed", "", "a < b", false, "", "a < b", ""},
		{"link", "", "voir cmkit.dev.", false, "", "voir cmkit.dev.", `voir <a href="https://cmkit.dev">cmkit.dev</a>.`},
		{"user", "", "merci @a.b:ex.org!", false, "", "merci @a.b:ex.org!", `merci <a href="https://matrix.to/#/@a.b:ex.org">@a.b:ex.org</a>!`},
		{"user with port", "", "@a:ex.org:8448 ok", false, "", "@a:ex.org:8448 ok", `<a href="https://matrix.to/#/@a:ex.org:8448">@a:ex.org:8448</a> ok`},
		{"email is not a user", "", "a@b:c", false, "", "a@b:c", ""},
		{"lines", "", "a\nb", false, "", "a\nb", "a<br>b"},
		{"title", "Soldes", "-50%", false, "", "Soldes\n\n-50%", "<strong>Soldes</strong><br><br>-50%"},
		{"spoiler", "", "fin du film", true, "spoiler", "fin du film", `<span data-mx-spoiler="spoiler">fin du film</span>`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			body, formatted := matrix.Render(tc.title, tc.text, tc.sensitive, tc.spoiler)
			require.Equal(t, tc.wantBody, body)
			require.Equal(t, tc.wantFormats, formatted)
		})
	}
	require.Equal(t, []string{"@a:x.org", "@b:y.org"}, matrix.MentionedUsers("@a:x.org et @b:y.org et @a:x.org"))
}

func TestCursor(t *testing.T) {
	c := matrix.Cursor{Rooms: map[string]matrix.Position{"!r:x": {Token: "t12_34", Skip: 3}}}
	got, err := matrix.ParseCursor(c.Encode())
	require.NoError(t, err)
	require.Equal(t, c, got)
	empty, err := matrix.ParseCursor("")
	require.NoError(t, err)
	require.Empty(t, empty.Rooms)
	for _, bad := range []string{"x", "mx1.!!!", "mx1." + "e30", "mx1.eyJyIjp7InJvb20iOnt9fX0", "mx1.eyJyIjp7IiFyIjp7InMiOi0xfX19"} {
		t.Run(bad, func(t *testing.T) {
			_, err := matrix.ParseCursor(bad)
			if bad == "mx1.e30" { // {} is a valid empty cursor
				require.NoError(t, err)
				return
			}
			require.ErrorIs(t, err, driver.ErrInvalidContent)
		})
	}
}

func TestDirectMessages(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	d := openBrand(t, f, driver.Config{})
	// Sending to a user with no DM room creates one and records it in m.direct.
	res, err := d.SendMessage(ctx, "@other:"+fakeServer, &driver.Post{Text: "Bonjour !"}, driver.PublishOptions{})
	require.NoError(t, err)
	require.NotEmpty(t, res.ID)
	create := f.requestsTo(http.MethodPost, "/createRoom")
	require.Len(t, create, 1)
	var body map[string]any
	require.NoError(t, json.Unmarshal(create[0].Body, &body))
	require.Equal(t, true, body["is_direct"])
	require.Equal(t, []any{"@other:" + fakeServer}, body["invite"])
	require.Len(t, f.requestsTo(http.MethodPut, "/account_data/m.direct"), 1)
	// The second message reuses the room.
	_, err = d.SendMessage(ctx, "@other:"+fakeServer, &driver.Post{Text: "Encore"}, driver.PublishOptions{})
	require.NoError(t, err)
	require.Len(t, f.requestsTo(http.MethodPost, "/createRoom"), 1)
	_, err = d.SendMessage(ctx, "other", &driver.Post{Text: "x"}, driver.PublishOptions{})
	require.ErrorIs(t, err, driver.ErrInvalidContent)

	// Messages from two rooms are merged oldest first.
	room1 := f.dmRoom()
	f.mu.Lock()
	f.users["@third:"+fakeServer] = "p"
	r2 := f.newRoomLocked("@third:"+fakeServer, "@brand:"+fakeServer)
	f.direct["@brand:"+fakeServer]["@third:"+fakeServer] = []string{r2.id}
	f.mu.Unlock()
	a := f.post(room1, "@other:"+fakeServer, map[string]any{"msgtype": "m.text", "body": "a"})
	b := f.post(r2.id, "@third:"+fakeServer, map[string]any{"msgtype": "m.text", "body": "b"})
	c := f.post(room1, "@other:"+fakeServer, map[string]any{"msgtype": "m.text", "body": "c"})
	pg, err := d.ListMessages(ctx, driver.PageRequest{Limit: 2})
	require.NoError(t, err)
	require.Len(t, pg.Items, 2)
	require.Equal(t, a, pg.Items[0].ID)
	require.Equal(t, room1, pg.Items[0].ConversationID)
	require.Equal(t, b, pg.Items[1].ID)
	require.Equal(t, r2.id, pg.Items[1].ConversationID)
	pg, err = d.ListMessages(ctx, driver.PageRequest{Cursor: pg.Next, Limit: 2})
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	require.Equal(t, c, pg.Items[0].ID)
}

// Dendrite lists a new reaction in the relations endpoint only a moment
// after sending it: liking twice must still send one reaction, the metrics
// read just after must count it, and unliking must redact it.
func TestLikeWhileRelationsLag(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	d := openBrand(t, f, driver.Config{})
	post, err := d.Publish(ctx, &driver.Post{Text: "Bonjour"}, driver.PublishOptions{})
	require.NoError(t, err)
	f.lagRelations("#community:" + fakeServer)

	require.NoError(t, d.SetLiked(ctx, post.ID, true))
	require.NoError(t, d.SetLiked(ctx, post.ID, true))
	require.Len(t, f.requestsTo(http.MethodPut, "/send/m.reaction/"), 1, "liking twice sends one reaction")
	m, err := d.PostMetrics(ctx, post.ID)
	require.NoError(t, err)
	require.Equal(t, driver.M(1), m.Likes)

	require.NoError(t, d.SetLiked(ctx, post.ID, false))
	require.Len(t, f.requestsTo(http.MethodPut, "/redact/"), 1, "the unindexed reaction is redacted")
	m, err = d.PostMetrics(ctx, post.ID)
	require.NoError(t, err)
	require.Equal(t, driver.M(0), m.Likes)

	require.NoError(t, d.SetLiked(ctx, post.ID, true))
	require.Len(t, f.requestsTo(http.MethodPut, "/send/m.reaction/"), 2, "liking again after unliking sends a new reaction")
}
