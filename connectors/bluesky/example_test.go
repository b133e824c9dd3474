package bluesky_test

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/cmkit/cmkit/connectors"
	_ "github.com/cmkit/cmkit/connectors/bluesky"
)

// miniPDS answers the three calls of a text post: createSession,
// resolveHandle (no such handle) and createRecord.
func miniPDS() *httptest.Server {
	claims := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"did:plc:brand","exp":4102444800}`))
	jwt := "eyJhbGciOiJIUzI1NiJ9." + claims + ".c2ln"
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/xrpc/com.atproto.server.createSession":
			json.NewEncoder(w).Encode(map[string]string{"did": "did:plc:brand", "handle": "brand.example.com", "accessJwt": jwt, "refreshJwt": jwt})
		case "/xrpc/com.atproto.repo.createRecord":
			var in struct {
				Record struct {
					Facets []json.RawMessage `json:"facets"`
				} `json:"record"`
			}
			json.NewDecoder(r.Body).Decode(&in)
			fmt.Printf("facets: %d\n", len(in.Record.Facets))
			json.NewEncoder(w).Encode(map[string]string{"uri": "at://did:plc:brand/app.bsky.feed.post/3kabc", "cid": "bafyrei"})
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"HandleNotFound","message":"Unable to resolve handle"}`)
		}
	}))
}

func Example() {
	pds := miniPDS()
	defer pds.Close()
	ctx := context.Background()
	acct, err := connectors.Open(ctx, "bluesky", connectors.Config{
		Server: pds.URL, Username: "brand.example.com", Password: "app-password",
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer acct.Close()
	fmt.Println(acct.Description().Handle, acct.Supports(connectors.CapIdempotencyKey))
	// The link and the tag become facets; the unknown handle stays text.
	res, err := acct.Publish(ctx, &connectors.Post{Text: "Bonjour @nobody.example.com ! https://cmkit.dev #cm"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.ID)
	fmt.Println(res.URL)
	// Output:
	// brand.example.com true
	// facets: 2
	// at://did:plc:brand/app.bsky.feed.post/3kabc
	// https://bsky.app/profile/brand.example.com/post/3kabc
}

// miniChat answers createSession and the two chat calls of a listing:
// one conversation holding a fan's message and the brand's answer.
func miniChat() *httptest.Server {
	claims := base64.RawURLEncoding.EncodeToString([]byte(`{"sub":"did:plc:brand","exp":4102444800}`))
	jwt := "eyJhbGciOiJIUzI1NiJ9." + claims + ".c2ln"
	fan := map[string]any{"did": "did:plc:fan", "handle": "lea.example.com", "displayName": "Léa"}
	msg := func(id, sender, text, at string) map[string]any {
		return map[string]any{"$type": "chat.bsky.convo.defs#messageView", "id": id, "rev": id,
			"sender": map[string]string{"did": sender}, "text": text, "sentAt": at}
	}
	answer := msg("m2", "did:plc:brand", "Bonjour Léa, c'est en cours !", "2026-04-06T09:05:00.000Z")
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		switch r.URL.Path {
		case "/xrpc/com.atproto.server.createSession":
			json.NewEncoder(w).Encode(map[string]string{"did": "did:plc:brand", "handle": "brand.example.com", "accessJwt": jwt, "refreshJwt": jwt})
		case "/xrpc/chat.bsky.convo.listConvos":
			json.NewEncoder(w).Encode(map[string]any{"convos": []any{map[string]any{
				"id": "convo1", "rev": "m2", "members": []any{fan}, "lastMessage": answer, "status": "accepted"}}})
		case "/xrpc/chat.bsky.convo.getMessages": // newest first
			json.NewEncoder(w).Encode(map[string]any{"messages": []any{answer,
				msg("m1", "did:plc:fan", "Où en est ma commande ?", "2026-04-06T09:00:00.000Z")}})
		default:
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"InvalidRequest","message":"not in this example"}`)
		}
	}))
}

// Direct messages need option chat=true (and an app password allowed to
// use them). The listing leaves out the account's own answers.
func ExampleDriver_ListMessages() {
	pds := miniChat()
	defer pds.Close()
	ctx := context.Background()
	acct, err := connectors.Open(ctx, "bluesky", connectors.Config{
		Server: pds.URL, Username: "brand.example.com", Password: "app-password",
		Options: map[string]string{"chat": "true"},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer acct.Close()
	page, err := acct.Messages(ctx, connectors.PageRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, m := range page.Items {
		fmt.Println(m.ConversationID, m.Author.Handle, m.Text)
	}
	// Output:
	// convo1 lea.example.com Où en est ma commande ?
}
