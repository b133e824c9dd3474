//go:build integration

package mastodon_test

import (
	"bytes"
	"context"
	"errors"
	"image"
	"image/color"
	"image/png"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/mastodon"
	"github.com/cmkit/cmkit/connectors/transport"
)

// gtsEnv reads the GoToSocial instance that .ci/servers/gotosocial.sh
// starts. Without it the test fails under CI and is skipped otherwise.
func gtsEnv(t *testing.T) map[string]string {
	t.Helper()
	keys := []string{"CMKIT_GTS_URL", "CMKIT_GTS_TOKEN", "CMKIT_GTS_HANDLE", "CMKIT_GTS_EMAIL",
		"CMKIT_GTS_PASSWORD", "CMKIT_GTS_OTHER_TOKEN", "CMKIT_GTS_OTHER_HANDLE"}
	env := map[string]string{}
	missing := func(why string) {
		msg := "GoToSocial is not available (" + why + "); start it with: .ci/servers/gotosocial.sh install && " +
			".ci/servers/gotosocial.sh start && . ${CMKIT_SERVERS_HOME:-$HOME/.cache/cmkit-servers}/gotosocial/env"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg)
	}
	for _, k := range keys {
		if env[k] = os.Getenv(k); env[k] == "" {
			missing(k + " is not set")
		}
	}
	resp, err := http.Get(env["CMKIT_GTS_URL"] + "/api/v1/instance")
	if err != nil {
		missing(err.Error())
	}
	resp.Body.Close()
	return env
}

// authorize runs the OAuth2 authorization-code flow of app for the user,
// as a browser would: GoToSocial has no password grant, so the test signs
// in on its web pages and reads the code from the out-of-band redirect.
func authorize(t *testing.T, ctx context.Context, server string, cfg *oauth2.Config, email, password string) *oauth2.Token {
	t.Helper()
	jar, err := cookiejar.New(nil)
	require.NoError(t, err)
	var last *url.URL
	browser := &http.Client{Jar: jar, Timeout: 30 * time.Second, CheckRedirect: func(req *http.Request, via []*http.Request) error {
		last = req.URL
		if req.URL.Query().Get("code") != "" {
			return http.ErrUseLastResponse
		}
		return nil
	}}
	do := func(method, u string, form url.Values) *http.Response {
		t.Helper()
		var body *strings.Reader
		if form != nil {
			body = strings.NewReader(form.Encode())
		} else {
			body = strings.NewReader("")
		}
		req, err := http.NewRequestWithContext(ctx, method, u, body)
		require.NoError(t, err)
		if form != nil {
			req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
		}
		resp, err := browser.Do(req)
		require.NoError(t, err)
		resp.Body.Close()
		return resp
	}
	// GoToSocial 0.17 drops PKCE parameters in its sign-in session, so the
	// plain code flow is used (see mastodon.PKCESupported).
	do(http.MethodGet, cfg.AuthCodeURL("state-1"), nil) // redirects to the sign-in page
	do(http.MethodPost, server+"/auth/sign_in", url.Values{"username": {email}, "password": {password}})
	do(http.MethodPost, server+"/oauth/authorize", url.Values{})
	require.NotNil(t, last, "no redirect after authorizing")
	code := last.Query().Get("code")
	require.NotEmpty(t, code, "no code in %s", last.Redacted())
	tok, err := cfg.Exchange(ctx, code)
	require.NoError(t, err)
	return tok
}

func redPNG(t *testing.T) []byte {
	t.Helper()
	img := image.NewRGBA(image.Rect(0, 0, 16, 16))
	for x := range 16 {
		for y := range 16 {
			img.Set(x, y, color.RGBA{R: 255, A: 255})
		}
	}
	var b bytes.Buffer
	require.NoError(t, png.Encode(&b, img))
	return b.Bytes()
}

// eventually polls f until it returns true: a real server processes
// notifications asynchronously.
func eventually(t *testing.T, what string, f func() bool) {
	t.Helper()
	require.Eventually(t, f, 15*time.Second, 100*time.Millisecond, what)
}

func TestIntegrationGoToSocial(t *testing.T) {
	env := gtsEnv(t)
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	server := env["CMKIT_GTS_URL"]

	// Register an app and obtain a token with the package's helpers.
	app, err := mastodon.RegisterApp(ctx, server, &mastodon.AppOptions{Name: "cmkit integration", Website: "https://example.org"})
	require.NoError(t, err)
	require.NotEmpty(t, app.ClientID)
	require.Equal(t, []string{mastodon.OOB}, app.RedirectURIs)
	pkce, err := mastodon.PKCESupported(ctx, server, nil)
	require.NoError(t, err)
	t.Logf("PKCE supported: %v", pkce)
	tok := authorize(t, ctx, server, mastodon.OAuthConfig(server, app), env["CMKIT_GTS_EMAIL"], env["CMKIT_GTS_PASSWORD"])

	brand, err := connectors.Open(ctx, "mastodon", driver.Config{
		Server: server, Account: env["CMKIT_GTS_HANDLE"], Tokens: oauth2.StaticTokenSource(tok),
	}, nil)
	require.NoError(t, err)
	fan, err := connectors.Open(ctx, "mastodon", driver.Config{
		Server: server, Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: env["CMKIT_GTS_OTHER_TOKEN"]}),
	}, nil)
	require.NoError(t, err)
	desc := brand.Description()
	require.False(t, desc.Idempotent, "GoToSocial ignores Idempotency-Key")
	require.Greater(t, desc.Limits.MaxText, 0)
	require.Contains(t, desc.Limits.ImageTypes, "image/png")
	t.Logf("brand %s, limits: %d characters, URLs %d, %d images", desc.Handle, desc.Limits.MaxText, desc.Limits.URLLength, desc.Limits.MaxImages)
	brandHandle, fanHandle := env["CMKIT_GTS_HANDLE"], env["CMKIT_GTS_OTHER_HANDLE"]

	// Publish with an image and its alt text, a content warning, a language.
	post := &connectors.Post{
		Text:     "Nouvelle collection d'hiver #cmkit",
		Media:    []connectors.Media{{Kind: connectors.MediaImage, MIMEType: "image/png", Data: redPNG(t), AltText: "Un carré rouge", Filename: "red.png"}},
		Language: "fr", SpoilerText: "Soldes", Link: "https://example.org/hiver",
	}
	res, err := brand.Publish(ctx, post, &connectors.PublishOptions{IdempotencyKey: "it-" + time.Now().Format("150405.000")})
	require.NoError(t, err)
	require.Equal(t, connectors.Published, res.Status)
	var c *transport.Client
	var raw struct {
		Content     string `json:"content"`
		SpoilerText string `json:"spoiler_text"`
		Language    string `json:"language"`
		Media       []struct {
			URL         string `json:"url"`
			Description string `json:"description"`
		} `json:"media_attachments"`
	}
	require.True(t, brand.As(&c))
	require.NoError(t, c.GetJSON(ctx, "", "/api/v1/statuses/"+res.ID, nil, &raw))
	require.Equal(t, "Soldes", raw.SpoilerText)
	require.Equal(t, "fr", raw.Language)
	require.Len(t, raw.Media, 1)
	require.Equal(t, "Un carré rouge", raw.Media[0].Description)
	require.NotEmpty(t, raw.Media[0].URL)
	require.Contains(t, mastodon.PlainText(raw.Content), "https://example.org/hiver")

	found, err := brand.FindPost(ctx, "", post)
	require.NoError(t, err)
	require.Equal(t, res.ID, found.ID)

	// A mention from the second local account.
	mention, err := fan.Publish(ctx, &connectors.Post{Text: "@" + brandHandle + " vous livrez à Lyon ?"}, nil)
	require.NoError(t, err)
	var mentions []connectors.Interaction
	eventually(t, "the mention is listed", func() bool {
		pg, err := brand.Mentions(ctx, connectors.PageRequest{})
		if err != nil {
			t.Logf("Mentions: %v", err)
			return false
		}
		mentions = pg.Items
		return slices.ContainsFunc(mentions, func(it connectors.Interaction) bool { return it.ID == mention.ID })
	})
	i := slices.IndexFunc(mentions, func(it connectors.Interaction) bool { return it.ID == mention.ID })
	require.Equal(t, fanHandle, mentions[i].Author.Handle)
	require.Equal(t, "@"+brandHandle+" vous livrez à Lyon ?", mentions[i].Text)

	// Reply to the mention: the reply mentions the fan, who is notified.
	reply, err := brand.Reply(ctx, mention.ID, &connectors.Post{Text: "Oui, partout en France !"}, nil)
	require.NoError(t, err)
	eventually(t, "the fan is notified of the reply", func() bool {
		pg, err := fan.Mentions(ctx, connectors.PageRequest{})
		if err != nil {
			t.Logf("Mentions: %v", err)
			return false
		}
		return slices.ContainsFunc(pg.Items, func(it connectors.Interaction) bool {
			return it.ID == reply.ID && it.ParentID == mention.ID
		})
	})

	// A comment under the brand's post, listed, liked and answered.
	comment, err := fan.Reply(ctx, res.ID, &connectors.Post{Text: "Magnifique !"}, nil)
	require.NoError(t, err)
	pg, err := brand.Comments(ctx, res.ID, connectors.PageRequest{})
	require.NoError(t, err)
	require.Len(t, pg.Items, 1)
	require.Equal(t, comment.ID, pg.Items[0].ID)
	require.Equal(t, connectors.Comment, pg.Items[0].Kind)
	require.Equal(t, "@"+brandHandle+" Magnifique !", pg.Items[0].Text)
	require.NoError(t, brand.Like(ctx, comment.ID))
	require.NoError(t, brand.Like(ctx, comment.ID))
	answer, err := brand.Reply(ctx, comment.ID, &connectors.Post{Text: "Merci !"}, nil)
	require.NoError(t, err)
	pg2, err := brand.Comments(ctx, res.ID, connectors.PageRequest{Cursor: pg.Next})
	require.NoError(t, err)
	require.Len(t, pg2.Items, 1)
	require.Equal(t, answer.ID, pg2.Items[0].ID)
	require.Equal(t, connectors.Reply, pg2.Items[0].Kind)
	m, err := fan.PostMetrics(ctx, comment.ID)
	require.NoError(t, err)
	require.Equal(t, driver.M(1), m.Likes)
	require.NoError(t, brand.Unlike(ctx, comment.ID))

	// Direct messages through conversations.
	dm, err := fan.SendMessage(ctx, "@"+brandHandle, &connectors.Post{Text: "Ma commande n'est pas arrivée"}, nil)
	require.NoError(t, err)
	var conv string
	eventually(t, "the direct message is listed", func() bool {
		pg, err := brand.Messages(ctx, connectors.PageRequest{})
		if err != nil {
			t.Logf("Messages: %v", err)
			return false
		}
		for _, it := range pg.Items {
			if it.ID == dm.ID {
				conv = it.ConversationID
				return true
			}
		}
		return false
	})
	dmReply, err := brand.SendMessage(ctx, conv, &connectors.Post{Text: "Désolés, on regarde tout de suite."}, nil)
	require.NoError(t, err)
	require.NoError(t, c.GetJSON(ctx, "", "/api/v1/statuses/"+dmReply.ID, nil, &raw))
	require.Contains(t, mastodon.PlainText(raw.Content), "@"+fanHandle)

	am, err := brand.AccountMetrics(ctx)
	require.NoError(t, err)
	require.True(t, am.Posts.Valid)
	require.GreaterOrEqual(t, am.Posts.Value, int64(3))

	// GoToSocial ignores Idempotency-Key, as Description says: the same key
	// gives two statuses.
	o := &connectors.PublishOptions{IdempotencyKey: "same-key"}
	a1, err := brand.Publish(ctx, &connectors.Post{Text: "idempotency check"}, o)
	require.NoError(t, err)
	a2, err := brand.Publish(ctx, &connectors.Post{Text: "idempotency check"}, o)
	require.NoError(t, err)
	require.NotEqual(t, a1.ID, a2.ID)

	// Delete.
	for _, id := range []string{res.ID, reply.ID, answer.ID, dmReply.ID, a1.ID, a2.ID} {
		require.NoError(t, brand.Delete(ctx, id), id)
	}
	// GoToSocial deletes in the background: wait until the post is gone.
	eventually(t, "the deleted post is gone", func() bool {
		_, err := brand.PostMetrics(ctx, res.ID)
		return errors.Is(err, connectors.ErrNotFound)
	})
	err = brand.Delete(ctx, res.ID)
	require.True(t, errors.Is(err, connectors.ErrNotFound), "deleting twice: %v", err)
	_, err = brand.Comments(ctx, res.ID, connectors.PageRequest{})
	require.ErrorIs(t, err, connectors.ErrNotFound)
	for _, id := range []string{mention.ID, comment.ID, dm.ID} {
		require.NoError(t, fan.Delete(ctx, id), id)
	}
}
