package oauth_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/oauth"
)

func TestTokenStores(t *testing.T) {
	stores := map[string]func(t *testing.T) driver.TokenStore{
		"memory": func(*testing.T) driver.TokenStore { return &oauth.MemoryTokenStore{} },
		"file": func(t *testing.T) driver.TokenStore {
			s, err := oauth.NewFileTokenStore(filepath.Join(t.TempDir(), "tokens"))
			require.NoError(t, err)
			return s
		},
	}
	expiry := time.Date(2026, 3, 14, 15, 9, 26, 0, time.UTC)
	for name, newStore := range stores {
		t.Run(name, func(t *testing.T) {
			ctx := context.Background()
			t.Run("missing key", func(t *testing.T) {
				_, err := newStore(t).LoadToken(ctx, "nobody")
				require.ErrorIs(t, err, driver.ErrNotFound)
			})
			t.Run("round trip and overwrite", func(t *testing.T) {
				s := newStore(t)
				for _, key := range []string{"acme/x", "../../etc/passwd", "", "é/ü?*"} {
					tok := &oauth2.Token{AccessToken: "a-" + key, RefreshToken: "r-" + key, TokenType: "Bearer", Expiry: expiry}
					require.NoError(t, s.SaveToken(ctx, key, tok))
					got, err := s.LoadToken(ctx, key)
					require.NoError(t, err)
					require.Equal(t, tok.AccessToken, got.AccessToken)
					require.Equal(t, tok.RefreshToken, got.RefreshToken)
					require.Equal(t, tok.TokenType, got.TokenType)
					require.True(t, tok.Expiry.Equal(got.Expiry))
				}
				require.NoError(t, s.SaveToken(ctx, "acme/x", &oauth2.Token{AccessToken: "new"}))
				got, err := s.LoadToken(ctx, "acme/x")
				require.NoError(t, err)
				require.Equal(t, "new", got.AccessToken)
				require.Empty(t, got.RefreshToken)
			})
			t.Run("returns copies", func(t *testing.T) {
				s := newStore(t)
				tok := &oauth2.Token{AccessToken: "a"}
				require.NoError(t, s.SaveToken(ctx, "k", tok))
				tok.AccessToken = "changed"
				got, _ := s.LoadToken(ctx, "k")
				got.RefreshToken = "changed"
				again, _ := s.LoadToken(ctx, "k")
				require.Equal(t, "a", again.AccessToken)
				require.Empty(t, again.RefreshToken)
			})
			t.Run("concurrent", func(t *testing.T) {
				s := newStore(t)
				var wg sync.WaitGroup
				for i := range 20 {
					wg.Go(func() {
						key := fmt.Sprint("k", i%3)
						require.NoError(t, s.SaveToken(ctx, key, &oauth2.Token{AccessToken: fmt.Sprint(i)}))
						_, err := s.LoadToken(ctx, key)
						require.NoError(t, err)
					})
				}
				wg.Wait()
			})
			t.Run("canceled", func(t *testing.T) {
				cctx, cancel := context.WithCancel(ctx)
				cancel()
				require.Error(t, newStore(t).SaveToken(cctx, "k", &oauth2.Token{AccessToken: "a"}))
			})
		})
	}
}

func TestFileTokenStoreFiles(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "tokens")
	s, err := oauth.NewFileTokenStore(dir)
	require.NoError(t, err)
	require.NoError(t, s.SaveToken(context.Background(), "acme/x", &oauth2.Token{AccessToken: "a"}))
	require.NoError(t, s.SaveToken(context.Background(), "acme/x", &oauth2.Token{AccessToken: "b"}))
	st, err := os.Stat(dir)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o700), st.Mode().Perm())
	entries, err := os.ReadDir(dir)
	require.NoError(t, err)
	require.Len(t, entries, 1, "no temporary file left behind")
	info, err := entries[0].Info()
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	// A corrupt file is an error, not a missing token.
	require.NoError(t, os.WriteFile(filepath.Join(dir, entries[0].Name()), []byte("{"), 0o600))
	_, err = s.LoadToken(context.Background(), "acme/x")
	require.Error(t, err)
	require.NotErrorIs(t, err, driver.ErrNotFound)

	// Another store on the same directory sees the tokens.
	require.NoError(t, s.SaveToken(context.Background(), "acme/x", &oauth2.Token{AccessToken: "c"}))
	s2, err := oauth.NewFileTokenStore(dir)
	require.NoError(t, err)
	got, err := s2.LoadToken(context.Background(), "acme/x")
	require.NoError(t, err)
	require.Equal(t, "c", got.AccessToken)
}
