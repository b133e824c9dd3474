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
