package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/oauth"
)

const testPassword = "abcd-efgh-ijkl-mnop"

// setup returns a fake with an account and a driver logged in to it.
func setup(t *testing.T, opts map[string]string) (*fake, *Driver, string) {
	t.Helper()
	f := newFake(t)
	did := f.addAccount("brand.test", testPassword)
	d, err := open(context.Background(), driver.Config{Server: f.srv.URL, Username: "brand.test", Password: testPassword, Options: opts}, defaultHooks())
	require.NoError(t, err)
	return f, d, did
}

func body(t *testing.T, c fakeCall) map[string]any {
	t.Helper()
	var m map[string]any
	require.NoError(t, json.Unmarshal(c.Body, &m))
	return m
}

func TestErrorMapping(t *testing.T) {
	tests := []struct {
		name   string
		status int
		file   string
		code   driver.ErrorCode
	}{
		{"expired token", 400, "ExpiredToken", driver.Unauthenticated},
		{"invalid token", 400, "InvalidToken", driver.Unauthenticated},
		{"wrong password", 401, "AuthenticationRequired", driver.Unauthenticated},
		{"no token", 401, "AuthMissing", driver.Unauthenticated},
		{"takedown", 400, "AccountTakedown", driver.PermissionDenied},
		{"record not found", 400, "RecordNotFound", driver.NotFound},
		{"post not found", 400, "NotFound", driver.NotFound},
		{"handle not found", 400, "HandleNotFound", driver.NotFound},
		{"invalid swap", 400, "InvalidSwap", driver.Conflict},
		{"invalid record", 400, "InvalidRequest", driver.InvalidContent},
		{"not implemented", 501, "MethodNotImplemented", driver.Unsupported},
		{"server error", 500, "InternalServerError", driver.Unavailable},
		{"rate limited", 429, "RateLimitExceeded", driver.RateLimited},
	}
	now := time.Unix(1_800_000_000, 0)
	mapper := errorMapper(func() time.Time { return now })
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			resp := &http.Response{StatusCode: tt.status, Header: http.Header{}}
			err := mapper(resp, golden(t, "errors/"+tt.file+".json"))
			require.Error(t, err)
			require.Equal(t, tt.code, driver.CodeOf(err))
			var xe *XRPCError
			require.True(t, errors.As(err, &xe))
			require.Equal(t, tt.file, xe.Name)
			require.NotEmpty(t, xe.Message)
		})
	}
	t.Run("daily budget", func(t *testing.T) {
		h := http.Header{}
		h.Set("RateLimit-Limit", "35000")
		h.Set("RateLimit-Remaining", "0")
		h.Set("RateLimit-Reset", "1800030000")
		h.Set("RateLimit-Policy", "35000;w=86400")
		err := mapper(&http.Response{StatusCode: 429, Header: h}, golden(t, "errors/RateLimitExceeded.json"))
		require.Equal(t, driver.QuotaExceeded, driver.CodeOf(err))
		require.ErrorIs(t, err, driver.ErrQuotaExceeded)
	})
	t.Run("unknown name falls back to the status", func(t *testing.T) {
		err := mapper(&http.Response{StatusCode: 404, Header: http.Header{}}, []byte(`{"error":"Whatever"}`))
		require.Equal(t, driver.NotFound, driver.CodeOf(err))
	})
	t.Run("no body", func(t *testing.T) {
		require.NoError(t, mapper(&http.Response{StatusCode: 502, Header: http.Header{}}, []byte("<html>")))
	})
}

func TestPublishRequestShapes(t *testing.T) {
	f, d, did := setup(t, nil)
	ctx := context.Background()
	fan := f.addAccount("fan.test", "x")
	res, err := d.Publish(ctx, &driver.Post{
		Text:     "Merci @fan.test et @nobody.test ! Programme : https://example.com/p #été",
		Language: "fr", Sensitive: true,
		Media: []driver.Media{{Kind: driver.MediaImage, MIMEType: "image/png", Data: pixelPNG, AltText: "un pixel", Width: 3, Height: 2}},
	}, driver.PublishOptions{})
	require.NoError(t, err)
	require.Equal(t, driver.Published, res.Status)
	require.Equal(t, "https://bsky.app/profile/brand.test/post/"+res.ID[strings.LastIndexByte(res.ID, '/')+1:], res.URL)

	sess := f.callsTo("com.atproto.server.createSession")
	require.Len(t, sess, 1)
	require.Equal(t, map[string]any{"identifier": "brand.test", "password": testPassword}, body(t, sess[0]))

	up := f.callsTo("com.atproto.repo.uploadBlob")
	require.Len(t, up, 1)
	require.Equal(t, "image/png", up[0].Header.Get("Content-Type"))
	require.Equal(t, pixelPNG, up[0].Body)
	require.True(t, strings.HasPrefix(up[0].Header.Get("Authorization"), "Bearer "))

	cr := f.callsTo("com.atproto.repo.createRecord")
	require.Len(t, cr, 1)
	b := body(t, cr[0])
	require.Equal(t, did, b["repo"])
	require.Equal(t, collPost, b["collection"])
	rec := b["record"].(map[string]any)
	text := rec["text"].(string)
	require.Equal(t, []any{"fr"}, rec["langs"])
	require.Equal(t, map[string]any{"$type": "com.atproto.label.defs#selfLabels", "values": []any{map[string]any{"val": "graphic-media"}}}, rec["labels"])
	facets := rec["facets"].([]any)
	require.Len(t, facets, 3, "the unresolvable mention is dropped")
	want := []struct{ span, typ, key, val string }{
		{"@fan.test", "app.bsky.richtext.facet#mention", "did", fan},
		{"https://example.com/p", "app.bsky.richtext.facet#link", "uri", "https://example.com/p"},
		{"#été", "app.bsky.richtext.facet#tag", "tag", "été"},
	}
	for i, w := range want {
		fc := facets[i].(map[string]any)
		idx := fc["index"].(map[string]any)
		require.Equal(t, w.span, text[int(idx["byteStart"].(float64)):int(idx["byteEnd"].(float64))])
		feat := fc["features"].([]any)[0].(map[string]any)
		require.Equal(t, w.typ, feat["$type"])
		require.Equal(t, w.val, feat[w.key])
	}
	embed := rec["embed"].(map[string]any)
	img := embed["images"].([]any)[0].(map[string]any)
	require.Equal(t, "un pixel", img["alt"])
	require.Equal(t, map[string]any{"width": 3.0, "height": 2.0}, img["aspectRatio"])
	require.Equal(t, "image/png", img["image"].(map[string]any)["mimeType"])
}

func TestLinkCard(t *testing.T) {
	tests := []struct {
		name, opt, title, desc string
	}{
		{"fetched", "true", "Le programme & les horaires", "Tout le festival"},
		{"off", "false", "", ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			f, d, _ := setup(t, map[string]string{"link_cards": tt.opt})
			link := f.srv.URL + "/page"
			if tt.title == "" {
				tt.title = link
			}
			_, err := d.Publish(context.Background(), &driver.Post{Text: "Le programme", Link: link}, driver.PublishOptions{})
			require.NoError(t, err)
			rec := body(t, f.callsTo("com.atproto.repo.createRecord")[0])["record"].(map[string]any)
			ext := rec["embed"].(map[string]any)["external"].(map[string]any)
			require.Equal(t, map[string]any{"uri": link, "title": tt.title, "description": tt.desc}, ext)
			var fetched int
			f.mu.Lock()
			for _, c := range f.calls {
				if c.Path == "/page" {
					fetched++
					require.Empty(t, c.Header.Get("Authorization"), "the session token never leaves the PDS")
				}
			}
			f.mu.Unlock()
			require.Equal(t, tt.opt == "true", fetched == 1)
		})
	}
	t.Run("link kept in the text when images take the embed", func(t *testing.T) {
		f, d, _ := setup(t, nil)
		_, err := d.Publish(context.Background(), &driver.Post{Text: "Photos", Link: "https://example.com/album",
			Media: []driver.Media{{Kind: driver.MediaImage, MIMEType: "image/png", Data: pixelPNG}}}, driver.PublishOptions{})
		require.NoError(t, err)
		rec := body(t, f.callsTo("com.atproto.repo.createRecord")[0])["record"].(map[string]any)
		require.Equal(t, "Photos\nhttps://example.com/album", rec["text"])
	})
}

func TestIdempotentPublish(t *testing.T) {
	f, d, did := setup(t, nil)
	ctx := context.Background()
	p := &driver.Post{Text: "Une fois", Thread: []driver.Post{{Text: "deux"}}}
	first, err := d.Publish(ctx, p, driver.PublishOptions{IdempotencyKey: "job-42"})
	require.NoError(t, err)
	require.Equal(t, "at://"+did+"/app.bsky.feed.post/"+keyTID("job-42"), first.ID)
	puts := f.callsTo("com.atproto.repo.putRecord")
	require.Len(t, puts, 2)
	b := body(t, puts[0])
	require.Contains(t, b, "swapRecord")
	require.Nil(t, b["swapRecord"], "swapRecord null: create only if absent")
	require.Equal(t, keyTID("job-42"), b["rkey"])
	require.Equal(t, rkeyFor("job-42", 1), body(t, puts[1])["rkey"])

	again, err := d.Publish(ctx, p, driver.PublishOptions{IdempotencyKey: "job-42"})
	require.NoError(t, err)
	require.Equal(t, first, again)
	require.Len(t, f.callsTo("com.atproto.repo.putRecord"), 2, "nothing written again")
	require.Empty(t, f.callsTo("com.atproto.repo.createRecord"))

	t.Run("lost answer then InvalidSwap", func(t *testing.T) {
		// The record appears between the check and the write (another
		// attempt won): the driver returns it.
		rkey := keyTID("job-43")
		_, err := f.post(did, "x", "", "")
		require.NoError(t, err)
		f.mu.Lock()
		f.records["at://"+did+"/"+collPost+"/"+rkey] = &fakeRecord{uri: "at://" + did + "/" + collPost + "/" + rkey, cid: "bafyreiother", raw: json.RawMessage(`{"text":"x","createdAt":"2026-01-01T00:00:00.000Z"}`), value: map[string]any{"text": "x"}}
		f.mu.Unlock()
		res, err := d.Publish(ctx, &driver.Post{Text: "x"}, driver.PublishOptions{IdempotencyKey: "job-43"})
		require.NoError(t, err)
		require.Equal(t, "at://"+did+"/"+collPost+"/"+rkey, res.ID)
	})
}

func TestThreadFailsHalfWay(t *testing.T) {
	_, d, _ := setup(t, nil)
	ctx := context.Background()
	// The head is published; the PDS refuses the second post (the driver
	// does not validate: the Account does).
	p := &driver.Post{Text: "A", Thread: []driver.Post{{Text: "B"}, {Text: strings.Repeat("é", 301)}}}
	res, err := d.Publish(ctx, p, driver.PublishOptions{})
	require.Error(t, err)
	require.Equal(t, driver.InvalidContent, driver.CodeOf(err))
	require.NotEmpty(t, res.ID, "the published head is reported")
	require.Len(t, res.ThreadIDs, 1, "so is the published follow-up")
}

func TestReplyRefs(t *testing.T) {
	f, d, _ := setup(t, nil)
	ctx := context.Background()
	fan := f.addAccount("fan.test", "x")
	root, err := d.Publish(ctx, &driver.Post{Text: "root"}, driver.PublishOptions{})
	require.NoError(t, err)
	c, err := f.post(fan, "comment", root.ID, "")
	require.NoError(t, err)
	_, err = d.Reply(ctx, c, &driver.Post{Text: "answer"}, driver.PublishOptions{})
	require.NoError(t, err)
	calls := f.callsTo("com.atproto.repo.createRecord")
	reply := body(t, calls[len(calls)-1])["record"].(map[string]any)["reply"].(map[string]any)
	require.Equal(t, root.ID, reply["root"].(map[string]any)["uri"])
	require.Equal(t, c, reply["parent"].(map[string]any)["uri"])
	require.NotEmpty(t, reply["root"].(map[string]any)["cid"])

	_, err = d.Reply(ctx, "not-an-id", &driver.Post{Text: "x"}, driver.PublishOptions{})
	require.ErrorIs(t, err, driver.ErrNotFound)
}

// recordingStore records the order of saves among the fake's requests.
type recordingStore struct {
	oauth.MemoryTokenStore
	f     *fake
	saves []int // number of requests the fake had seen at each save
}

func (s *recordingStore) SaveToken(ctx context.Context, key string, tok *oauth2.Token) error {
	s.saves = append(s.saves, int(s.f.requests.Load()))
	return s.MemoryTokenStore.SaveToken(ctx, key, tok)
}

func TestSessionRefresh(t *testing.T) {
	ctx := context.Background()
	t.Run("expired in the store: refreshed and saved before use", func(t *testing.T) {
		f := newFake(t)
		did := f.addAccount("brand.test", testPassword)
		f.mu.Lock()
		old := f.sessionLocked(did)
		f.mu.Unlock()
		store := &recordingStore{f: f}
		require.NoError(t, store.MemoryTokenStore.SaveToken(ctx, "k", &oauth2.Token{
			AccessToken: old["accessJwt"].(string), RefreshToken: old["refreshJwt"].(string), Expiry: time.Now().Add(-time.Minute),
		}))
		d, err := open(ctx, driver.Config{Server: f.srv.URL, Username: "brand.test", TokenStore: store, TokenKey: "k"}, defaultHooks())
		require.NoError(t, err)
		m, err := d.AccountMetrics(ctx)
		require.NoError(t, err)
		require.Equal(t, int64(42), m.Followers.Value)
		require.Len(t, f.callsTo("com.atproto.server.refreshSession"), 1)
		require.Empty(t, f.callsTo("com.atproto.server.createSession"), "no password needed")
		ref := f.callsTo("com.atproto.server.refreshSession")[0]
		require.Equal(t, "Bearer "+old["refreshJwt"].(string), ref.Header.Get("Authorization"))
		require.Equal(t, []int{1}, store.saves, "saved after the refresh (request 1), before the profile read (request 2)")
		saved, err := store.LoadToken(ctx, "k")
		require.NoError(t, err)
		require.NotEqual(t, old["refreshJwt"], saved.RefreshToken)
		prof := f.callsTo("app.bsky.actor.getProfile")[0]
		require.Equal(t, "Bearer "+saved.AccessToken, prof.Header.Get("Authorization"))
	})
	t.Run("400 ExpiredToken: one refresh and one retry", func(t *testing.T) {
		f, d, _ := setup(t, nil)
		_, err := d.AccountMetrics(ctx)
		require.NoError(t, err)
		f.expireAll()
		_, err = d.AccountMetrics(ctx)
		require.NoError(t, err)
		require.Len(t, f.callsTo("com.atproto.server.refreshSession"), 1)
		require.Len(t, f.callsTo("app.bsky.actor.getProfile"), 3)
	})
	t.Run("ExpiredToken again after the refresh: returned, no loop", func(t *testing.T) {
		f, d, _ := setup(t, nil)
		_, err := d.Describe(ctx)
		require.NoError(t, err)
		f.fail(2, fakeFault{path: "/xrpc/app.bsky.actor.getProfile", status: 400, name: "ExpiredToken"})
		_, err = d.AccountMetrics(ctx)
		require.ErrorIs(t, err, driver.ErrUnauthenticated)
		require.Len(t, f.callsTo("app.bsky.actor.getProfile"), 2)
		require.Len(t, f.callsTo("com.atproto.server.refreshSession"), 1)
	})
	t.Run("dead refresh token: log in again with the app password", func(t *testing.T) {
		f, d, _ := setup(t, nil)
		_, err := d.Describe(ctx)
		require.NoError(t, err)
		f.mu.Lock()
		clear(f.refresh)
		f.mu.Unlock()
		d.sess.markExpired(d.sess.current())
		_, err = d.AccountMetrics(ctx)
		require.NoError(t, err)
		require.Equal(t, 2, f.sessionCreates)
	})
	t.Run("wrong password", func(t *testing.T) {
		f := newFake(t)
		f.addAccount("brand.test", testPassword)
		d, err := open(ctx, driver.Config{Server: f.srv.URL, Username: "brand.test", Password: "wrong"}, defaultHooks())
		require.NoError(t, err)
		_, err = d.Describe(ctx)
		require.ErrorIs(t, err, driver.ErrUnauthenticated)
		require.NotContains(t, err.Error(), "wrong")
	})
}

func TestDiscovery(t *testing.T) {
	ctx := context.Background()
	f := newFake(t)
	did := f.addAccount("brand.example.com", testPassword)
	h := defaultHooks()
	h.scheme = "http"
	h.lookupTXT = func(ctx context.Context, name string) ([]string, error) {
		require.Equal(t, "_atproto.brand.example.com", name)
		return []string{"did=" + did}, nil
	}
	d, err := open(ctx, driver.Config{Username: "brand.example.com", Password: testPassword, Options: map[string]string{"plc": f.srv.URL}}, h)
	require.NoError(t, err)
	require.Equal(t, f.srv.URL, d.PDS())
	desc, err := d.Describe(ctx)
	require.NoError(t, err)
	require.Equal(t, did, desc.AccountID)

	t.Run("did:web", func(t *testing.T) {
		host := strings.TrimPrefix(f.srv.URL, "http://")
		web := "did:web:" + strings.ReplaceAll(host, ":", "%3A")
		d, err := open(ctx, driver.Config{Username: web, Password: testPassword}, h)
		require.NoError(t, err)
		require.Equal(t, f.srv.URL, d.PDS())
	})
	t.Run("unknown DID", func(t *testing.T) {
		_, err := open(ctx, driver.Config{Username: "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa", Password: "x", Options: map[string]string{"plc": f.srv.URL}}, h)
		require.ErrorIs(t, err, driver.ErrNotFound)
	})
}

func TestOpenConfig(t *testing.T) {
	tests := []struct {
		name string
		cfg  driver.Config
	}{
		{"no identifier", driver.Config{Server: "http://x", Password: "p"}},
		{"no password", driver.Config{Server: "http://x", Username: "a.test"}},
		{"tokens", driver.Config{Server: "http://x", Username: "a.test", Password: "p", Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "t"})}},
		{"unknown option", driver.Config{Server: "http://x", Username: "a.test", Password: "p", Options: map[string]string{"nope": "1"}}},
		{"bad chat", driver.Config{Server: "http://x", Username: "a.test", Password: "p", Options: map[string]string{"chat": "yes"}}},
		{"bad label", driver.Config{Server: "http://x", Username: "a.test", Password: "p", Options: map[string]string{"sensitive_label": "spoiler"}}},
		{"bad image bytes", driver.Config{Server: "http://x", Username: "a.test", Password: "p", Options: map[string]string{"image_bytes": "5"}}},
		{"bad server", driver.Config{Server: "ftp://x", Username: "a.test", Password: "p"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d, err := Open(context.Background(), tt.cfg)
			require.ErrorIs(t, err, driver.ErrInvalidContent)
			require.Nil(t, d)
		})
	}
	t.Run("image bytes", func(t *testing.T) {
		_, d, _ := setup(t, map[string]string{"image_bytes": "2000000"})
		desc, err := d.Describe(context.Background())
		require.NoError(t, err)
		require.Equal(t, int64(2_000_000), desc.Limits.MaxImageBytes)
		require.Equal(t, driver.CapSendMessages|driver.CapReadMessages, desc.Declined)
		require.Equal(t, 300, desc.Limits.MaxText)
		require.Equal(t, 3000, desc.Limits.MaxTextBytes)
		require.Equal(t, 4, desc.Limits.MaxImages)
	})
}

func TestMentionsPaging(t *testing.T) {
	f, d, _ := setup(t, nil)
	ctx := context.Background()
	fan := f.addAccount("fan.test", "x")
	var want []string
	for i := range 130 { // more than one network page (100)
		id, err := f.post(fan, "hello "+strings.Repeat("!", i%3), "", "brand.test")
		require.NoError(t, err)
		want = append(want, id)
	}
	// All at the same indexedAt second, as the reference AppView reports.
	f.mu.Lock()
	same := f.notifs[0].at.Truncate(time.Second)
	for i := range f.notifs {
		f.notifs[i].at = same
	}
	f.mu.Unlock()
	var got []string
	cur := ""
	for range 100 {
		pg, err := d.ListMentions(ctx, driver.PageRequest{Cursor: cur, Limit: 7})
		require.NoError(t, err)
		if len(pg.Items) == 0 {
			require.False(t, pg.More)
			require.Equal(t, cur, pg.Next, "an empty page resumes at the same place")
			break
		}
		for _, it := range pg.Items {
			require.Equal(t, driver.Mention, it.Kind)
			require.Equal(t, "fan.test", it.Author.Handle)
			got = append(got, it.ID)
		}
		cur = pg.Next
	}
	require.ElementsMatch(t, want, got)
	require.Len(t, got, len(want), "no duplicate")
	// A late mention in the same second is still listed.
	late, err := f.post(fan, "late", "", "brand.test")
	require.NoError(t, err)
	f.mu.Lock()
	f.notifs[len(f.notifs)-1].at = same
	f.mu.Unlock()
	pg, err := d.ListMentions(ctx, driver.PageRequest{Cursor: cur})
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	require.Equal(t, late, pg.Items[0].ID)
	q := f.callsTo("app.bsky.notification.listNotifications")[0].Query
	require.Equal(t, []string{"mention", "reply", "quote"}, q["reasons"])
	require.Equal(t, []string{"100"}, q["limit"])

	_, err = d.ListMentions(ctx, driver.PageRequest{Cursor: "garbage"})
	require.ErrorIs(t, err, driver.ErrInvalidContent)
}

// goldenServer answers each XRPC method with a recorded body.
func goldenServer(t *testing.T) *Driver {
	t.Helper()
	files := map[string]string{
		"/xrpc/com.atproto.server.createSession":        "createSession.json",
		"/xrpc/app.bsky.feed.getPostThread":             "getPostThread.json",
		"/xrpc/app.bsky.feed.getPosts":                  "getPosts.json",
		"/xrpc/app.bsky.actor.getProfile":               "getProfile.json",
		"/xrpc/app.bsky.notification.listNotifications": "listNotifications.json",
	}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name, ok := files[r.URL.Path]
		if !ok {
			w.WriteHeader(501)
			return
		}
		b := golden(t, name)
		if name == "createSession.json" {
			var s map[string]any
			require.NoError(t, json.Unmarshal(b, &s))
			s["accessJwt"] = "eyJhbGciOiJIUzI1NiJ9." + b64(`{"sub":"did:plc:6qavlfoujdqwci5o6tyocubc","exp":4102444800}`) + ".c2ln"
			b, _ = json.Marshal(s)
		}
		w.Header().Set("Content-Type", "application/json")
		_, _ = w.Write(b)
	}))
	t.Cleanup(srv.Close)
	d, err := open(context.Background(), driver.Config{Server: srv.URL, Username: "brand567009.test", Password: "p"}, defaultHooks())
	require.NoError(t, err)
	return d
}

func TestRecordedBodies(t *testing.T) {
	d := goldenServer(t)
	ctx := context.Background()
	const post = "at://did:plc:6qavlfoujdqwci5o6tyocubc/app.bsky.feed.post/3n33wek4ixk2q"
	t.Run("getPostThread", func(t *testing.T) {
		pg, err := d.ListComments(ctx, post, driver.PageRequest{})
		require.NoError(t, err)
		require.Len(t, pg.Items, 1)
		it := pg.Items[0]
		require.Equal(t, driver.Comment, it.Kind)
		require.Equal(t, "Merci !", it.Text)
		require.Equal(t, post, it.ParentID)
		require.Equal(t, "other567009.test", it.Author.Handle)
		require.NotEmpty(t, pg.Next)
	})
	t.Run("getPosts", func(t *testing.T) {
		m, err := d.PostMetrics(ctx, post)
		require.NoError(t, err)
		require.Equal(t, driver.M(1), m.Likes)
		require.Equal(t, driver.M(1), m.Comments)
		require.Equal(t, driver.M(0), m.Shares)
		require.Equal(t, driver.M(0), m.Saves)
		require.False(t, m.Impressions.Valid)
		require.False(t, m.Reach.Valid)
	})
	t.Run("getProfile", func(t *testing.T) {
		m, err := d.AccountMetrics(ctx)
		require.NoError(t, err)
		require.Equal(t, driver.M(0), m.Followers)
		require.True(t, m.Posts.Valid)
	})
	t.Run("listNotifications", func(t *testing.T) {
		pg, err := d.ListMentions(ctx, driver.PageRequest{})
		require.NoError(t, err)
		require.Len(t, pg.Items, 1)
		require.Equal(t, driver.Mention, pg.Items[0].Kind)
		require.Contains(t, pg.Items[0].Text, "Hello @brand567009.test")
	})
}

func b64(s string) string {
	return strings.TrimRight(jsonB64(s), "=")
}
