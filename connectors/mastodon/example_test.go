package mastodon_test

import (
	"context"
	"fmt"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/mastodon"
	"github.com/cmkit/cmkit/connectors/oauth"
)

func ExamplePlainText() {
	content := `<p>Merci <span class="h-card"><a href="https://mastodon.social/@brand" class="u-url mention">@<span>brand</span></a></span> &amp; bravo !<br />` +
		`<a href="https://example.org/soldes"><span class="invisible">https://</span><span class="">example.org/soldes</span></a></p><p>À bientôt</p>`
	fmt.Println(mastodon.PlainText(content))
	// Output:
	// Merci @brand & bravo !
	// https://example.org/soldes
	//
	// À bientôt
}

// Example publishes a post with an image and a content warning, then reads
// the comments under it, on an instance (here a local fake).
func Example() {
	ctx := context.Background()
	f := newFake(exampleTB{}) // stands for https://mastodon.social
	defer f.close()

	acct, err := connectors.Open(ctx, "mastodon", connectors.Config{
		Server:  f.srv.URL,
		Tokens:  oauth2.StaticTokenSource(&oauth2.Token{AccessToken: brandToken}),
		Options: map[string]string{"visibility": "public"},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	res, err := acct.Publish(ctx, &connectors.Post{
		Text:        "Nouvelle collection !",
		SpoilerText: "Soldes",
		Language:    "fr",
		Media: []connectors.Media{{Kind: connectors.MediaImage, MIMEType: "image/png",
			Data: []byte("\x89PNG..."), AltText: "Un pull rouge"}},
	}, &connectors.PublishOptions{IdempotencyKey: "campaign-42/post-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.ID)

	_, _ = f.fanPost("@brand Magnifique !", "public", res.ID) // a fan answers
	page, err := acct.Comments(ctx, res.ID, connectors.PageRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range page.Items {
		fmt.Printf("%s @%s: %s\n", c.Kind, c.Author.Handle, c.Text)
	}
	fmt.Println("next poll from", page.Next)
	// Output:
	// published 97
	// comment @fan: @brand Magnifique !
	// next poll from 98
}

// ExampleRegisterApp registers an app on an instance and prepares the
// authorization-code flow with PKCE (Mastodon 4.3.0 and later).
func ExampleRegisterApp() {
	ctx := context.Background()
	f := newFake(exampleTB{}) // stands for https://mastodon.social
	defer f.close()
	server := f.srv.URL

	app, err := mastodon.RegisterApp(ctx, server, &mastodon.AppOptions{
		Name:         "Agence Durand",
		RedirectURIs: []string{"https://agence.example/oauth/mastodon"},
		Scopes:       "read write",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	// Store app (its ClientSecret is secret), then send the user to the
	// authorization page.
	flow := &oauth.Config{OAuth2: mastodon.OAuthConfig(server, app), Network: "mastodon"}
	_, state, err := flow.AuthCodeURL()
	if err != nil {
		fmt.Println(err)
		return
	}
	// In the callback handler: tok, err := flow.Exchange(ctx, state, r.URL.Query())
	fmt.Println(app.ClientID, flow.OAuth2.RedirectURL, state.Verifier != "")
	// Output:
	// client-Agence Durand https://agence.example/oauth/mastodon true
}
