// Command connector runs the example third-party connector end to end: it
// starts the guestbook "network" on loopback, opens it by name with
// connectors.Open, publishes an entry, lets a visitor comment, and lists
// the comments.
//
//	go run ./examples/connector
package main

import (
	"context"
	"fmt"
	"log"
	"net/http/httptest"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/examples/connector/guestbookserver"
	"golang.org/x/oauth2"

	_ "github.com/cmkit/cmkit/examples/connector/guestbook" // registers "guestbook"
)

func main() {
	ctx := context.Background()
	gb := guestbookserver.New("secret-token")
	srv := httptest.NewServer(gb)
	defer srv.Close()

	acct, err := connectors.Open(ctx, "guestbook", connectors.Config{
		Server: srv.URL,
		Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: "secret-token"}),
	}, nil)

	if err != nil {
		log.Fatal(err)
	}
	defer acct.Close()
	fmt.Printf("opened %s as @%s: %v\n", acct.Network(), acct.Description().Handle, acct.Capabilities())

	res, err := acct.Publish(ctx, &connectors.Post{Text: "Bienvenue dans notre livre d'or !"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("published", res.ID)

	gb.AddComment(res.ID, "camille", "Merci, superbe boutique !")
	gb.AddComment(res.ID, "sam", "See you on Saturday")

	page, err := acct.Comments(ctx, res.ID, connectors.PageRequest{})
	if err != nil {
		log.Fatal(err)
	}
	for _, c := range page.Items {
		fmt.Printf("  %s @%s: %s\n", c.ID, c.Author.Handle, c.Text)
	}

	err = acct.HideComment(ctx, page.Items[0].ID)
	fmt.Println("hide:", err)
	if err := acct.Delete(ctx, res.ID); err != nil {
		log.Fatal(err)
	}
	fmt.Println("deleted", res.ID)
}
