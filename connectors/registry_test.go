package connectors

import (
	"context"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/stretchr/testify/require"
)

func TestRegister(t *testing.T) {
	open := func(ctx context.Context, cfg Config) (driver.Driver, error) { return nil, nil }
	tests := []struct {
		name, network, panics string
		open                  driver.OpenFunc
	}{
		{"duplicate", "fakenet", "connectors: Register called twice for network fakenet", open},
		{"empty", "", `connectors: Register: invalid network name ""`, open},
		{"upper case", "Mastodon", `connectors: Register: invalid network name "Mastodon"`, open},
		{"plus", "a+http", `connectors: Register: invalid network name "a+http"`, open},
		{"leading digit", "9gag", `connectors: Register: invalid network name "9gag"`, open},
		{"nil func", "nilfunc", "connectors: Register: nil OpenFunc for nilfunc", nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			defer func() {
				r := recover()
				require.NotNil(t, r)
				require.True(t, strings.HasPrefix(r.(string), tt.panics), r)
			}()
			Register(tt.network, tt.open)
		})
	}
	names := Networks()
	require.True(t, slices.IsSorted(names))
	require.Contains(t, names, "fakenet")
	require.NotContains(t, names, "nilfunc")
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	a, err := Open(ctx, "fakenet", Config{Account: "brand"}, nil)
	require.NoError(t, err)
	require.Equal(t, "fakenet", a.Network())
	require.Equal(t, "brand", a.Description().AccountID)

	_, err = Open(ctx, "nosuch", Config{}, nil)
	require.ErrorIs(t, err, ErrUnsupported)
	require.Contains(t, err.Error(), `connectors: Open: unsupported: unknown network "nosuch" (registered: `)
	require.Contains(t, err.Error(), "fakenet")
}

func TestParseURL(t *testing.T) {
	tests := []struct {
		name, url string
		cfg       Config
		network   string
		want      Config
		err       string
	}{
		{name: "server and account", url: "fakenet://mastodon.social/brand", network: "fakenet",
			want: Config{Server: "https://mastodon.social", Account: "brand"}},
		{name: "account only", url: "fakenet://brand.bsky.social", network: "fakenet",
			want: Config{Account: "brand.bsky.social"}},
		{name: "plain http with port", url: "fakenet+http://127.0.0.1:3000/brand", network: "fakenet",
			want: Config{Server: "http://127.0.0.1:3000", Account: "brand"}},
		{name: "nested account path", url: "fakenet://example.org/r/golang/", network: "fakenet",
			want: Config{Server: "https://example.org", Account: "r/golang"}},
		{name: "options merged", url: "fakenet://brand?seed=42&lang=fr", network: "fakenet",
			cfg:  Config{Options: map[string]string{"lang": "en", "keep": "1"}, Password: "p"},
			want: Config{Account: "brand", Password: "p", Options: map[string]string{"seed": "42", "lang": "fr", "keep": "1"}}},
		{name: "user name", url: "fakenet://brand@pds.example/brand", network: "fakenet",
			want: Config{Server: "https://pds.example", Account: "brand", Username: "brand"}},
		{name: "upper-case scheme", url: "FakeNet://brand", network: "fakenet", want: Config{Account: "brand"}},
		{name: "no scheme", url: "mastodon.social/brand", err: "connection URL has no network scheme"},
		{name: "unknown network", url: "nosuch://host/brand", err: `unknown network "nosuch" (registered: `},
		{name: "password", url: "fakenet://brand:hunter2@host/brand", err: "connection URL holds a password: never put secrets in a URL"},
		{name: "token option", url: "fakenet://host/brand?access_token=abc", err: `connection URL option "access_token" looks like a secret`},
		{name: "secret option", url: "fakenet://host/brand?client-secret=abc", err: `option "client-secret" looks like a secret`},
		{name: "duplicate option", url: "fakenet://brand?a=1&a=2", err: `connection URL option "a" is given 2 times`},
		{name: "opaque", url: "fakenet:brand", err: "has no '//' after the scheme"},
		{name: "fragment", url: "fakenet://brand#x", err: "has a fragment"},
		{name: "bad escape", url: "fakenet://host/%zz", err: "malformed connection URL"},
		{name: "bad query", url: "fakenet://brand?a=%zz", err: "malformed query"},
		{name: "http without server", url: "fakenet+http://brand", err: "uses +http but names no server"},
		{name: "path without host", url: "fakenet:///brand", err: "has a path but no host"},
		{name: "bad scheme", url: "fake_net://brand", err: "malformed connection URL"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			network, cfg, err := parseURL(tt.url, tt.cfg)
			if tt.err != "" {
				require.Error(t, err)
				require.Contains(t, err.Error(), tt.err)
				require.NotContains(t, err.Error(), "hunter2")
				require.NotContains(t, err.Error(), "abc")
				require.True(t, Code(err) == InvalidContent || Code(err) == Unsupported, Code(err))
				return
			}
			require.NoError(t, err)
			require.Equal(t, tt.network, network)
			require.Equal(t, tt.want, cfg)
		})
	}
	t.Run("caller's options not modified", func(t *testing.T) {
		opts := map[string]string{"a": "1"}
		_, _, err := parseURL("fakenet://brand?a=2", Config{Options: opts})
		require.NoError(t, err)
		require.Equal(t, "1", opts["a"])
	})
}

func TestOpenURL(t *testing.T) {
	a, err := OpenURL(context.Background(), "fakenet://social.example/brand", Config{}, nil)
	require.NoError(t, err)
	require.Equal(t, "brand", a.Description().AccountID)
	require.Equal(t, "https://social.example", a.Description().URL)
	_, err = OpenURL(context.Background(), "fakenet://u:pw@social.example/brand", Config{}, nil)
	require.ErrorIs(t, err, ErrInvalidContent)
}

func FuzzParseURL(f *testing.F) {
	for _, s := range []string{
		"fakenet://mastodon.social/brand", "fakenet://brand?seed=42", "fakenet+http://127.0.0.1:1/b",
		"fakenet://u:p@h/b", "fakenet:opaque", "://", "fakenet://h/%zz", "fakenet://b?token=x", "",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		network, cfg, err := parseURL(raw, Config{})
		if err != nil {
			if c := Code(err); c != InvalidContent && c != Unsupported {
				t.Fatalf("code %v for %q", c, raw)
			}
			return
		}
		if network != "fakenet" {
			t.Fatalf("network %q from %q", network, raw)
		}
		if cfg.Password != "" {
			t.Fatalf("password taken from %q", raw)
		}
		for k := range cfg.Options {
			if secretKey(k) {
				t.Fatalf("secret option %q accepted from %q", k, raw)
			}
		}
	})
}

// registerURLForms registers TestDocumentedURLForms's networks once, so
// that the test can run again (go test -count).
var registerURLForms sync.Once

// The connection URL forms the connectors document select the server and
// account they say.
func TestDocumentedURLForms(t *testing.T) {
	registerURLForms.Do(func() {
		for _, name := range []string{"urlform-mastodon", "urlform-bluesky", "urlform-matrix", "urlform-discord", "urlform-slack", "urlform-telegram"} {
			Register(name, func(context.Context, Config) (driver.Driver, error) { return newFake(Description{}), nil })
		}
	})
	for _, tc := range []struct{ url, server, account string }{
		{"urlform-mastodon://mastodon.social/brand", "https://mastodon.social", "brand"},
		{"urlform-bluesky://brand.bsky.social", "", "brand.bsky.social"},
		{"urlform-matrix://matrix.example.org/%23community:example.org", "https://matrix.example.org", "#community:example.org"},
		{"urlform-matrix://matrix.example.org/!abc:example.org", "https://matrix.example.org", "!abc:example.org"},
		{"urlform-matrix+http://127.0.0.1:8008/%23cmkit:localhost", "http://127.0.0.1:8008", "#cmkit:localhost"},
		{"urlform-discord://123456789012345678", "", "123456789012345678"},
		{"urlform-slack://C0123ABCDEF", "", "C0123ABCDEF"},
		{"urlform-telegram://-1001234567890", "", "-1001234567890"},
	} {
		t.Run(tc.url, func(t *testing.T) {
			network, cfg, err := parseURL(tc.url, Config{})
			require.NoError(t, err)
			require.Equal(t, strings.SplitN(strings.SplitN(tc.url, ":", 2)[0], "+", 2)[0], network)
			require.Equal(t, tc.server, cfg.Server)
			require.Equal(t, tc.account, cfg.Account)
		})
	}
}
