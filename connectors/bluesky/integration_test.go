//go:build integration

package bluesky

import (
	"context"
	"encoding/json"
	"errors"
	"net"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/oauth"
)

// realServer reads the dev-env network started by .ci/servers/atproto.sh.
// It fails under CI when the server is missing, and skips otherwise.
func realServer(t *testing.T) (pds, handle, password, otherHandle, otherPassword string) {
	t.Helper()
	get := func(k string) string { return os.Getenv(k) }
	pds, handle, password = get("CMKIT_ATPROTO_PDS_URL"), get("CMKIT_ATPROTO_HANDLE"), get("CMKIT_ATPROTO_PASSWORD")
	otherHandle, otherPassword = get("CMKIT_ATPROTO_OTHER_HANDLE"), get("CMKIT_ATPROTO_OTHER_PASSWORD")
	msg := ""
	if pds == "" || handle == "" || password == "" || otherHandle == "" || otherPassword == "" {
		msg = "CMKIT_ATPROTO_* are not set"
	} else if u, err := url.Parse(pds); err != nil {
		msg = "CMKIT_ATPROTO_PDS_URL is malformed"
	} else if c, err := net.DialTimeout("tcp", u.Host, 2*time.Second); err != nil {
		msg = "the PDS at " + pds + " is not reachable: " + err.Error()
	} else {
		c.Close()
	}
	if msg != "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("%s: CI must run .ci/servers/atproto.sh start and source its env file", msg)
		}
		t.Skipf("%s: run .ci/servers/atproto.sh install && .ci/servers/atproto.sh start, then source ${CMKIT_SERVERS_HOME:-~/.cache/cmkit-servers}/atproto/env", msg)
	}
	return
}

// eventually polls check until it returns true (the AppView indexes the
// PDS's firehose asynchronously).
func eventually(t *testing.T, ctx context.Context, what string, check func() bool) {
	t.Helper()
	tick := time.NewTicker(200 * time.Millisecond)
	defer tick.Stop()
	for !check() {
		select {
		case <-ctx.Done():
			t.Fatalf("%s: not seen before the deadline", what)
		case <-tick.C:
		}
	}
}

// notIndexedYet reports an AppView read of a record the PDS has but the
// AppView has not indexed yet: it answers "not found" for a moment.
func notIndexedYet(err error) bool { return errors.Is(err, connectors.ErrNotFound) }

func TestIntegrationPDS(t *testing.T) {
	pds, handle, password, otherHandle, otherPassword := realServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	store := &oauth.MemoryTokenStore{}
	acct, err := connectors.Open(ctx, "bluesky", connectors.Config{
		Server: pds, Username: handle, Password: password, TokenStore: store, TokenKey: "brand",
		Options: map[string]string{"link_cards": "false"},
	}, nil)
	require.NoError(t, err)
	defer acct.Close()
	desc := acct.Description()
	require.Equal(t, handle, desc.Handle)
	require.True(t, strings.HasPrefix(desc.AccountID, "did:plc:"))

	other, err := connectors.Open(ctx, "bluesky", connectors.Config{Server: pds, Username: otherHandle, Password: otherPassword}, nil)
	require.NoError(t, err)
	defer other.Close()

	// A post with an image, a link facet, a mention facet and a language.
	text := "Bonjour @" + otherHandle + " ! Le programme : https://example.com/programme #cmkit"
	key := "integration-" + time.Now().Format(time.RFC3339Nano)
	res, err := acct.Publish(ctx, &connectors.Post{
		Text: text, Language: "fr",
		Media: []connectors.Media{{Kind: connectors.MediaImage, MIMEType: "image/png", Data: pixelPNG, AltText: "un pixel", Width: 1, Height: 1}},
	}, &connectors.PublishOptions{IdempotencyKey: key})
	require.NoError(t, err)
	require.Equal(t, connectors.Published, res.Status)
	require.True(t, strings.HasPrefix(res.ID, "at://"+desc.AccountID+"/app.bsky.feed.post/"))

	// Read it back from the PDS: the record has the facets and the image.
	var raw *recordOutput
	d := acct.Unwrap().(*Driver)
	u, _ := parseATURI(res.ID)
	rec, err := d.getRecord(ctx, u.Repo, u.Collection, u.RKey)
	require.NoError(t, err)
	raw = &rec
	var post postRecord
	require.NoError(t, json.Unmarshal(raw.Value, &post))
	require.Equal(t, text, post.Text)
	require.Equal(t, []string{"fr"}, post.Langs)
	var kinds []string
	for _, f := range post.Facets {
		kinds = append(kinds, f.Features[0]["$type"])
		if f.Features[0]["$type"] == "app.bsky.richtext.facet#link" {
			require.Equal(t, "https://example.com/programme", text[f.Index.ByteStart:f.Index.ByteEnd])
		}
	}
	require.ElementsMatch(t, []string{"app.bsky.richtext.facet#mention", "app.bsky.richtext.facet#link", "app.bsky.richtext.facet#tag"}, kinds)
	require.Contains(t, string(post.Embed), `"app.bsky.embed.images"`)

	// The same idempotency key finds the same post.
	again, err := acct.Publish(ctx, &connectors.Post{Text: text}, &connectors.PublishOptions{IdempotencyKey: key})
	require.NoError(t, err)
	require.Equal(t, res.ID, again.ID)
	found, err := acct.FindPost(ctx, key, nil)
	require.NoError(t, err)
	require.Equal(t, res.ID, found.ID)

	// A reply with a link card.
	rep, err := acct.Reply(ctx, res.ID, &connectors.Post{Text: "Les détails", Link: "https://example.com/details"}, nil)
	require.NoError(t, err)

	// Token refresh by forced expiry: the stored access JWT is replaced by
	// an expired one; the next call refreshes through refreshSession and
	// saves the new pair before using it.
	before, err := store.LoadToken(ctx, "brand")
	require.NoError(t, err)
	d.sess.markExpired(d.sess.current())
	_, err = acct.AccountMetrics(ctx)
	require.NoError(t, err)
	after, err := store.LoadToken(ctx, "brand")
	require.NoError(t, err)
	// (The access JWT may be byte-identical when refreshed within the same
	// second: same claims, same key. The refresh JWT always rotates.)
	require.NotEqual(t, before.RefreshToken, after.RefreshToken, "the rotated refresh JWT is saved")
	require.True(t, after.Expiry.After(time.Now()), "the saved session expires later")
	require.Equal(t, after.AccessToken, d.sess.current())

	// A second driver loads the stored session instead of logging in.
	reopened, err := Open(ctx, driver.Config{Server: pds, Username: handle, TokenStore: store, TokenKey: "brand"})
	require.NoError(t, err)
	desc2, err := reopened.Describe(ctx)
	require.NoError(t, err)
	require.Equal(t, desc.AccountID, desc2.AccountID)
	require.Equal(t, handle, desc2.Handle)

	// The other account comments; the comment is listed, hidden, liked.
	c, err := other.Reply(ctx, res.ID, &connectors.Post{Text: "Super !"}, nil)
	require.NoError(t, err)
	eventually(t, ctx, "the comment in getPostThread", func() bool {
		pg, err := acct.Comments(ctx, res.ID, connectors.PageRequest{})
		if notIndexedYet(err) {
			return false
		}
		require.NoError(t, err)
		return slices.ContainsFunc(pg.Items, func(it connectors.Interaction) bool { return it.ID == c.ID })
	})
	require.NoError(t, acct.HideComment(ctx, c.ID))
	eventually(t, ctx, "the hidden comment", func() bool {
		pg, err := acct.Comments(ctx, res.ID, connectors.PageRequest{})
		if notIndexedYet(err) {
			return false
		}
		require.NoError(t, err)
		return slices.ContainsFunc(pg.Items, func(it connectors.Interaction) bool { return it.ID == c.ID && it.Hidden })
	})
	require.NoError(t, acct.UnhideComment(ctx, c.ID))
	require.NoError(t, acct.Like(ctx, c.ID))
	require.NoError(t, acct.Like(ctx, c.ID))
	eventually(t, ctx, "one like on the comment", func() bool {
		m, err := acct.PostMetrics(ctx, c.ID)
		return err == nil && m.Likes.Valid && m.Likes.Value == 1
	})
	require.NoError(t, acct.Unlike(ctx, c.ID))
	eventually(t, ctx, "no like on the comment", func() bool {
		m, err := acct.PostMetrics(ctx, c.ID)
		return err == nil && m.Likes.Valid && m.Likes.Value == 0
	})

	// Delete: the reply, then the post; a second delete is NotFound.
	require.NoError(t, acct.Delete(ctx, rep.ID))
	require.NoError(t, acct.Delete(ctx, res.ID))
	err = acct.Delete(ctx, res.ID)
	require.True(t, errors.Is(err, connectors.ErrNotFound), "second delete: %v", err)
	_, err = acct.FindPost(ctx, key, nil)
	require.True(t, errors.Is(err, connectors.ErrNotFound), "FindPost after delete: %v", err)
}

func TestIntegrationAppViewMentions(t *testing.T) {
	pds, handle, password, otherHandle, otherPassword := realServer(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	acct, err := connectors.Open(ctx, "bluesky", connectors.Config{Server: pds, Username: handle, Password: password}, nil)
	require.NoError(t, err)
	other, err := connectors.Open(ctx, "bluesky", connectors.Config{Server: pds, Username: otherHandle, Password: otherPassword}, nil)
	require.NoError(t, err)

	// Poll to the end first, to get a cursor after everything seen so far.
	var next string
	for {
		pg, err := acct.Mentions(ctx, connectors.PageRequest{Cursor: next})
		require.NoError(t, err)
		if len(pg.Items) == 0 {
			break
		}
		next = pg.Next
	}
	m, err := other.Publish(ctx, &connectors.Post{Text: "Coucou @" + handle + " ça marche ?"}, nil)
	require.NoError(t, err)
	var got []connectors.Interaction
	eventually(t, ctx, "the mention in listNotifications", func() bool {
		pg, err := acct.Mentions(ctx, connectors.PageRequest{Cursor: next})
		require.NoError(t, err)
		got = pg.Items
		return len(got) > 0
	})
	require.Len(t, got, 1)
	require.Equal(t, m.ID, got[0].ID)
	require.Equal(t, connectors.Mention, got[0].Kind)
	require.Equal(t, otherHandle, got[0].Author.Handle)
	require.Contains(t, got[0].Text, "ça marche")

	metrics, err := acct.AccountMetrics(ctx)
	require.NoError(t, err)
	require.True(t, metrics.Followers.Valid)
}
