//go:build integration

package matrix_test

import (
	"context"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/matrix"
	"github.com/cmkit/cmkit/connectors/transport"
)

// integrationEnv reads the server the script .ci/servers/dendrite.sh
// started. Under CI a missing or unreachable server fails the test.
func integrationEnv(t *testing.T) (server, room, user, password, other, otherPassword string) {
	t.Helper()
	server = os.Getenv("CMKIT_MATRIX_URL")
	room = os.Getenv("CMKIT_MATRIX_ROOM_ALIAS")
	if room == "" {
		room = os.Getenv("CMKIT_MATRIX_ROOM")
	}
	user, password = os.Getenv("CMKIT_MATRIX_USER"), os.Getenv("CMKIT_MATRIX_PASSWORD")
	other, otherPassword = os.Getenv("CMKIT_MATRIX_OTHER_USER"), os.Getenv("CMKIT_MATRIX_OTHER_PASSWORD")
	const how = "start a homeserver with `.ci/servers/dendrite.sh install && .ci/servers/dendrite.sh start` and source ${CMKIT_SERVERS_HOME:-$HOME/.cache/cmkit-servers}/dendrite/env"
	if server == "" || room == "" || user == "" || other == "" {
		if os.Getenv("CI") != "" {
			t.Fatalf("CMKIT_MATRIX_URL, CMKIT_MATRIX_ROOM, CMKIT_MATRIX_USER and CMKIT_MATRIX_OTHER_USER are not set: %s", how)
		}
		t.Skipf("no Matrix homeserver configured: %s", how)
	}
	resp, err := http.Get(server + "/_matrix/client/versions")
	if err == nil {
		resp.Body.Close()
	}
	if err != nil || resp.StatusCode != http.StatusOK {
		if os.Getenv("CI") != "" {
			t.Fatalf("the Matrix homeserver at %s is not reachable (%v): %s", server, err, how)
		}
		t.Skipf("the Matrix homeserver at %s is not reachable (%v): %s", server, err, how)
	}
	return
}

func TestIntegrationDendrite(t *testing.T) {
	server, room, user, password, otherUser, otherPassword := integrationEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 2*time.Minute)
	defer cancel()
	// Listings are scoped to this run, so the test passes again on a
	// server that kept earlier runs' messages.
	since := time.Now().Truncate(time.Millisecond) // the server shares this clock on loopback

	acct, err := connectors.Open(ctx, "matrix", connectors.Config{Server: server, Account: room, Username: user, Password: password}, nil)
	require.NoError(t, err)
	defer acct.Close()
	desc := acct.Description()
	require.Equal(t, "matrix", desc.Network)
	require.Contains(t, desc.AccountID, "@"+user+":")
	require.True(t, desc.Idempotent)
	require.Positive(t, desc.Limits.MaxImageBytes, "m.upload.size read from the server")
	var brand *matrix.Driver
	require.True(t, acct.As(&brand))

	other, err := matrix.New(ctx, driver.Config{Server: server, Account: room, Username: otherUser, Password: otherPassword})
	require.NoError(t, err)
	otherID, err := other.UserID(ctx)
	require.NoError(t, err)
	brandID := desc.AccountID

	// Log in, send to the room; a repeated transaction ID does not duplicate.
	key := "integration-" + strconv.FormatInt(time.Now().UnixNano(), 36)
	p := &connectors.Post{Text: "Bonjour la communauté ! https://cmkit.dev " + key}
	first, err := acct.Publish(ctx, p, &connectors.PublishOptions{IdempotencyKey: key})
	require.NoError(t, err)
	again, err := acct.Publish(ctx, p, &connectors.PublishOptions{IdempotencyKey: key})
	require.NoError(t, err)
	require.Equal(t, first.ID, again.ID, "same transaction ID, same event")
	found, err := acct.FindPost(ctx, key, p)
	require.NoError(t, err)
	require.Equal(t, first.ID, found.ID)
	_, err = acct.FindPost(ctx, key+"-never", &connectors.Post{Text: "never sent " + key})
	require.ErrorIs(t, err, connectors.ErrNotFound)

	// A second user answers and mentions the brand; the brand reads both.
	comment, err := other.Reply(ctx, first.ID, &driver.Post{Text: "Merci " + brandID + " ! Vous livrez à Lyon ?"}, driver.PublishOptions{})
	require.NoError(t, err)
	comments, err := acct.Comments(ctx, first.ID, connectors.PageRequest{})
	require.NoError(t, err)
	require.Len(t, comments.Items, 1)
	require.Equal(t, comment.ID, comments.Items[0].ID)
	require.Equal(t, connectors.Comment, comments.Items[0].Kind)
	require.Equal(t, otherID, comments.Items[0].Author.ID)

	mentions, err := acct.Mentions(ctx, connectors.PageRequest{Since: since})
	require.NoError(t, err)
	var mentionIDs []string
	for _, it := range mentions.Items {
		mentionIDs = append(mentionIDs, it.ID)
	}
	require.Contains(t, mentionIDs, comment.ID)

	// The brand replies; the reply is listed after the cursor, nothing repeated.
	reply, err := acct.Reply(ctx, comment.ID, &connectors.Post{Text: "Oui, dès demain !"}, nil)
	require.NoError(t, err)
	more, err := acct.Comments(ctx, first.ID, connectors.PageRequest{Cursor: comments.Next})
	require.NoError(t, err)
	require.Len(t, more.Items, 1)
	require.Equal(t, reply.ID, more.Items[0].ID)
	require.Equal(t, connectors.Reply, more.Items[0].Kind)
	require.Equal(t, comment.ID, more.Items[0].ParentID)
	empty, err := acct.Comments(ctx, first.ID, connectors.PageRequest{Cursor: more.Next})
	require.NoError(t, err)
	require.Empty(t, empty.Items)

	// Likes, metrics, edit.
	require.NoError(t, acct.Like(ctx, first.ID))
	require.NoError(t, acct.Like(ctx, first.ID))
	m, err := acct.PostMetrics(ctx, first.ID)
	require.NoError(t, err)
	require.Equal(t, driver.M(1), m.Likes)
	require.Equal(t, driver.M(2), m.Comments)
	require.NoError(t, acct.Unlike(ctx, first.ID))
	m, err = acct.PostMetrics(ctx, first.ID)
	require.NoError(t, err)
	require.Equal(t, driver.M(0), m.Likes)
	_, err = acct.Edit(ctx, first.ID, &connectors.Post{Text: "Bonjour à toutes et à tous ! " + key})
	require.NoError(t, err)
	am, err := acct.AccountMetrics(ctx)
	require.NoError(t, err)
	require.GreaterOrEqual(t, am.Followers.Value, int64(1))

	// An image.
	img, err := acct.Publish(ctx, &connectors.Post{Text: "Notre nouveau logo", Media: []connectors.Media{{
		Kind: connectors.MediaImage, MIMEType: "image/png", Data: pixelPNG, Filename: "logo.png", AltText: "a red pixel", Width: 1, Height: 1,
	}}}, nil)
	require.NoError(t, err)

	// Redact: the other's comment (the brand created the room: moderator), then the posts.
	require.NoError(t, acct.DeleteComment(ctx, comment.ID))
	require.NoError(t, acct.Delete(ctx, img.ID))
	require.NoError(t, acct.Delete(ctx, first.ID))
	require.ErrorIs(t, acct.Delete(ctx, first.ID), connectors.ErrNotFound)
	left, err := acct.Comments(ctx, first.ID, connectors.PageRequest{})
	require.NoError(t, err)
	for _, it := range left.Items {
		require.NotEqual(t, comment.ID, it.ID, "a redacted comment is not listed")
	}

	// Direct messages: the brand opens a DM, the other user joins and answers.
	dm, err := acct.SendMessage(ctx, otherID, &connectors.Post{Text: "Bonjour, pouvons-nous vous aider ?"}, nil)
	require.NoError(t, err)
	var dmRoom string
	msgs, err := acct.Messages(ctx, connectors.PageRequest{Since: since})
	require.NoError(t, err)
	require.Empty(t, msgs.Items, "the brand's own messages are not listed")
	direct := map[string][]string{}
	var brandClient *transport.Client
	require.True(t, brand.As(&brandClient))
	require.NoError(t, brandClient.GetJSON(ctx, "read", "/_matrix/client/v3/user/"+url.PathEscape(brandID)+"/account_data/m.direct", nil, &direct))
	require.NotEmpty(t, direct[otherID])
	dmRoom = direct[otherID][len(direct[otherID])-1]
	var otherTC *transport.Client
	require.True(t, other.As(&otherTC))
	require.NoError(t, otherTC.PostJSON(ctx, "send", "/_matrix/client/v3/rooms/"+url.PathEscape(dmRoom)+"/join", map[string]any{}, nil))
	answer, err := other.SendMessage(ctx, dmRoom, &driver.Post{Text: "Oui, ma commande n'est pas arrivée"}, driver.PublishOptions{})
	require.NoError(t, err)
	msgs, err = acct.Messages(ctx, connectors.PageRequest{Cursor: msgs.Next})
	require.NoError(t, err)
	require.Len(t, msgs.Items, 1)
	require.Equal(t, answer.ID, msgs.Items[0].ID)
	require.Equal(t, dmRoom, msgs.Items[0].ConversationID)
	require.NotEqual(t, dm.ID, answer.ID)
}

// pixelPNG is a 1×1 PNG.
var pixelPNG = []byte{
	0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0x00, 0x00, 0x00, 0x0d, 0x49, 0x48, 0x44, 0x52,
	0x00, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x01, 0x08, 0x02, 0x00, 0x00, 0x00, 0x90, 0x77, 0x53,
	0xde, 0x00, 0x00, 0x00, 0x0c, 0x49, 0x44, 0x41, 0x54, 0x08, 0xd7, 0x63, 0xf8, 0xcf, 0xc0, 0x00,
	0x00, 0x03, 0x01, 0x01, 0x00, 0x18, 0xdd, 0x8d, 0xb0, 0x00, 0x00, 0x00, 0x00, 0x49, 0x45, 0x4e,
	0x44, 0xae, 0x42, 0x60, 0x82,
}
