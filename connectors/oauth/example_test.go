package oauth_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"net/url"
	"time"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/oauth"
)

func ExampleConfig_AuthCodeURL() {
	cfg := &oauth.Config{
		Network: "x",
		OAuth2: &oauth2.Config{
			ClientID:    "my-client-id",
			RedirectURL: "https://app.example.com/callback",
			Scopes:      []string{"tweet.read", "tweet.write", "offline.access"},
			Endpoint: oauth2.Endpoint{
				AuthURL:   "https://x.com/i/oauth2/authorize",
				TokenURL:  "https://api.x.com/2/oauth2/token",
				AuthStyle: oauth2.AuthStyleInHeader,
			},
		},
	}
	authURL, flow, err := cfg.AuthCodeURL()
	if err != nil {
		panic(err)
	}
	// Redirect the user to authURL and keep flow in the session; the
	// callback handler then calls cfg.Exchange(ctx, flow, r.URL.Query()).
	u, _ := url.Parse(authURL)
	q := u.Query()
	fmt.Println(u.Host + u.Path)
	fmt.Println(q.Get("client_id"), q.Get("scope"), q.Get("code_challenge_method"))
	fmt.Println(q.Get("state") == flow.State, q.Get("code_challenge") == oauth2.S256ChallengeFromVerifier(flow.Verifier))
	// Output:
	// x.com/i/oauth2/authorize
	// my-client-id tweet.read tweet.write offline.access S256
	// true true
}

func ExampleTokenSource() {
	// A token endpoint that rotates refresh tokens.
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		if r.PostForm.Get("refresh_token") != "rt-1" {
			w.WriteHeader(http.StatusBadRequest)
			fmt.Fprint(w, `{"error":"invalid_grant"}`)
			return
		}
		fmt.Fprint(w, `{"access_token":"at-2","refresh_token":"rt-2","token_type":"bearer","expires_in":7200}`)
	}))
	defer srv.Close()

	ctx := context.Background()
	store := &oauth.MemoryTokenStore{}
	store.SaveToken(ctx, "acme/x", &oauth2.Token{AccessToken: "at-1", RefreshToken: "rt-1", Expiry: time.Now().Add(-time.Minute)})

	cfg := &oauth2.Config{ClientID: "id", Endpoint: oauth2.Endpoint{TokenURL: srv.URL, AuthStyle: oauth2.AuthStyleInParams}}
	ts := oauth.NewTokenSource(cfg, store, "acme/x", nil)
	tok, err := ts.TokenContext(ctx)
	if err != nil {
		panic(err)
	}
	saved, _ := store.LoadToken(ctx, "acme/x")
	fmt.Println(tok.AccessToken, saved.AccessToken, saved.RefreshToken)
	// Output: at-2 at-2 rt-2
}
