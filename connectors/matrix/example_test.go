package matrix_test

import (
	"context"
	"fmt"
	"log"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/matrix"
	"github.com/cmkit/cmkit/connectors/oauth"
)

// Open an account on a room of a homeserver, logging in with a password
// and keeping the session in a token store.
func Example() {
	ctx := context.Background()
	store, err := oauth.NewFileTokenStore("/var/lib/cm/tokens")
	if err != nil {
		log.Fatal(err)
	}
	acct, err := connectors.OpenURL(ctx, "matrix://matrix.example.org/%23communaute:example.org",
		connectors.Config{Username: "brand", Password: "app-password", TokenStore: store, TokenKey: "matrix-brand"}, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer acct.Close()
	res, err := acct.Publish(ctx, &connectors.Post{Text: "Bonjour à toutes et à tous ! Programme : https://example.org/agenda"},
		&connectors.PublishOptions{IdempotencyKey: "agenda-2025-03"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(res.ID)
}

// Render shows the message content the driver sends for a post's text.
func ExampleRender() {
	body, html := matrix.Render("", "Merci @camille:example.org ! Détails sur cmkit.dev", false, "")
	fmt.Println(body)
	fmt.Println(html)
	// Output:
	// Merci @camille:example.org ! Détails sur cmkit.dev
	// Merci <a href="https://matrix.to/#/@camille:example.org">@camille:example.org</a> ! Détails sur <a href="https://cmkit.dev">cmkit.dev</a>
}

// TxnID is deterministic: publishing again with the same idempotency key
// reuses the transaction ID, and the homeserver returns the first event.
func ExampleTxnID() {
	first, again := matrix.TxnID("agenda-2025-03", 0), matrix.TxnID("agenda-2025-03", 0)
	fmt.Println(first == again)
	fmt.Println(first == matrix.TxnID("agenda-2025-03", 1))
	// Output:
	// true
	// false
}

// A listing cursor is opaque; ParseCursor shows where it resumes.
func ExampleParseCursor() {
	c := matrix.Cursor{Rooms: map[string]matrix.Position{"!abc:example.org": {Token: "t42_7", Skip: 3}}}
	back, _ := matrix.ParseCursor(c.Encode())
	fmt.Println(back.Rooms["!abc:example.org"].Token, back.Rooms["!abc:example.org"].Skip)
	// Output: t42_7 3
}
