package mastodon

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// OOB is the redirect URI that makes the instance show the authorization
// code to the user instead of redirecting, for apps without a web server.
const OOB = "urn:ietf:wg:oauth:2.0:oob"

// DefaultScopes are the scopes RegisterApp asks for when AppOptions.Scopes
// is empty: "read write", everything the driver does. The granular scopes
// it needs are read:accounts, read:statuses, read:notifications,
// write:statuses, write:media and write:favourites.
const DefaultScopes = "read write"

// App is an OAuth2 application registered on one instance (POST
// /api/v1/apps). Keep ClientSecret secret; register once per instance and
// store the App.
type App struct {
	ID           string   `json:"id,omitempty"`
	Name         string   `json:"name"`
	Website      string   `json:"website,omitempty"`
	ClientID     string   `json:"client_id"`
	ClientSecret string   `json:"client_secret"`
	RedirectURIs []string `json:"redirect_uris"`
	Scopes       []string `json:"scopes"`
}

// AppOptions describe the application RegisterApp registers. The zero value
// (or nil) is valid.
type AppOptions struct {
	// Name is shown to users on the authorization page. Defaults to
	// "cmkit".
	Name string
	// RedirectURIs are the URLs the instance may send the user back to
	// with the code (several since Mastodon 4.3.0). Defaults to [OOB].
	RedirectURIs []string
	// Scopes, space separated. Defaults to DefaultScopes.
	Scopes string
	// Website is the app's home page. Defaults to none.
	Website string
	// HTTPClient sends the request. Defaults to a client with sensible
	// timeouts.
	HTTPClient *http.Client
	// UserAgent is sent with the request. Defaults to "cmkit".
	UserAgent string
}

// RegisterApp registers an OAuth2 application on the instance at server
// (POST /api/v1/apps, no authentication) and returns its credentials. Run
// the authorization-code flow with OAuthConfig and package connectors/oauth
// (PKCE with S256 on Mastodon 4.3.0 and later: see PKCESupported), then
// pass the token as driver.Config.Tokens.
//
// Errors are *driver.Error values: InvalidContent when the instance refuses
// the parameters (422, such as a malformed redirect URI), Unavailable when
// it cannot be reached, RateLimited on 429.
func RegisterApp(ctx context.Context, server string, opts *AppOptions) (*App, error) {
	var o AppOptions
	if opts != nil {
		o = *opts
	}
	base, err := normalizeServer(server)
	if err != nil {
		return nil, err
	}
	if o.Name == "" {
		o.Name = "cmkit"
	}
	if len(o.RedirectURIs) == 0 {
		o.RedirectURIs = []string{OOB}
	}
	if o.Scopes == "" {
		o.Scopes = DefaultScopes
	}
	c, err := transport.New(network, &transport.Options{
		BaseURL: base, HTTPClient: o.HTTPClient, UserAgent: o.UserAgent,
		ErrorMapper: mapError, Dialect: transport.DialectMastodon,
	})
	if err != nil {
		return nil, err
	}
	body := map[string]any{
		"client_name":   o.Name,
		"redirect_uris": strings.Join(o.RedirectURIs, "\n"),
		"scopes":        o.Scopes,
	}
	if o.Website != "" {
		body["website"] = o.Website
	}
	var resp struct {
		ID           string   `json:"id"`
		Name         string   `json:"name"`
		Website      *string  `json:"website"`
		ClientID     string   `json:"client_id"`
		ClientSecret string   `json:"client_secret"`
		RedirectURI  string   `json:"redirect_uri"`
		RedirectURIs []string `json:"redirect_uris"`
		Scopes       []string `json:"scopes"`
	}
	// Registering twice only leaves an unused app behind: safe to retry.
	err = c.DoJSON(ctx, &transport.Request{Method: http.MethodPost, Path: "/api/v1/apps", JSON: body, Idempotent: true}, &resp)
	if err != nil {
		return nil, err
	}
	if resp.ClientID == "" || resp.ClientSecret == "" {
		return nil, &driver.Error{Code: driver.Unknown, Network: network, Op: "RegisterApp", Message: "the instance returned no client_id or client_secret"}
	}
	app := &App{ID: resp.ID, Name: resp.Name, ClientID: resp.ClientID, ClientSecret: resp.ClientSecret,
		RedirectURIs: resp.RedirectURIs, Scopes: resp.Scopes}
	if resp.Website != nil {
		app.Website = *resp.Website
	}
	if len(app.RedirectURIs) == 0 {
		// Before 4.3.0 (and on GoToSocial) only redirect_uri, one URI per line.
		app.RedirectURIs = strings.Fields(resp.RedirectURI)
	}
	if len(app.RedirectURIs) == 0 {
		app.RedirectURIs = o.RedirectURIs
	}
	if len(app.Scopes) == 0 {
		app.Scopes = strings.Fields(o.Scopes)
	}
	return app, nil
}

// OAuthConfig returns the OAuth2 configuration of app on the instance at
// server: the /oauth/authorize and /oauth/token endpoints (client
// credentials sent in the request body), the app's first redirect URI and
// its scopes. Use it with connectors/oauth.Config to connect an account:
//
//	flow := &oauth.Config{OAuth2: mastodon.OAuthConfig(server, app), Network: "mastodon"}
//
// or, on an instance without PKCE (Mastodon before 4.3.0, GoToSocial
// 0.17), directly with its AuthCodeURL and Exchange. A server that is not
// a valid URL gives endpoints that fail on use.
func OAuthConfig(server string, app *App) *oauth2.Config {
	base, err := normalizeServer(server)
	if err != nil {
		base = server
	}
	cfg := &oauth2.Config{Endpoint: endpoint(base)}
	if app != nil {
		cfg.ClientID, cfg.ClientSecret = app.ClientID, app.ClientSecret
		cfg.Scopes = append([]string(nil), app.Scopes...)
		if len(app.RedirectURIs) > 0 {
			cfg.RedirectURL = app.RedirectURIs[0]
		}
	}
	return cfg
}

// PKCESupported reports whether the instance at server accepts PKCE with
// S256, from its OAuth authorization server metadata
// (/.well-known/oauth-authorization-server, Mastodon 4.3.0 and later). An
// instance without the metadata (older Mastodon, GoToSocial 0.17) gives
// false and no error. hc may be nil.
func PKCESupported(ctx context.Context, server string, hc *http.Client) (bool, error) {
	base, err := normalizeServer(server)
	if err != nil {
		return false, err
	}
	c, err := transport.New(network, &transport.Options{BaseURL: base, HTTPClient: hc, ErrorMapper: mapError, Dialect: transport.DialectMastodon})
	if err != nil {
		return false, err
	}
	var meta struct {
		Methods []string `json:"code_challenge_methods_supported"`
	}
	err = c.DoJSON(ctx, &transport.Request{Path: "/.well-known/oauth-authorization-server"}, &meta)
	if errors.Is(err, driver.ErrNotFound) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	for _, m := range meta.Methods {
		if m == "S256" {
			return true, nil
		}
	}
	return false, nil
}
