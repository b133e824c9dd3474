package scheduling_test

import (
	"context"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/memconnector"
	"github.com/cmkit/cmkit/scheduling"
)

func TestAccountURLs(t *testing.T) {
	ctx := context.Background()
	now := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	var asked []string
	var mu sync.Mutex
	urls := map[string]string{
		"x":       "mem://brand?profile=x",
		"bluesky": "mem://brand?profile=bluesky",
		"broken":  "nosuchnetwork://brand",
	}
	resolve := scheduling.AccountURLs(urls, func(id string) connectors.Config {
		mu.Lock()
		defer mu.Unlock()
		asked = append(asked, id)
		return connectors.Config{Now: func() time.Time { return now }}
	}, nil)
	urls["x"] = "mem://changed" // the resolver keeps its own copy

	x, err := resolve(ctx, "x")
	require.NoError(t, err)
	require.Equal(t, "brand", x.Description().Handle)
	lim, _ := connectors.PresetLimits("x")
	require.Equal(t, lim.MaxText, x.Description().Limits.MaxText, "the URL's profile applies")
	var net *memconnector.Network
	require.True(t, x.As(&net), "the account is opened by the mem connector")

	again, err := resolve(ctx, "x")
	require.NoError(t, err)
	require.Same(t, x, again, "an account is opened once")

	_, err = resolve(ctx, "linkedin")
	require.ErrorIs(t, err, connectors.ErrNotFound)

	_, err = resolve(ctx, "broken")
	require.ErrorIs(t, err, connectors.ErrUnsupported)
	_, err = resolve(ctx, "broken")
	require.ErrorIs(t, err, connectors.ErrUnsupported)
	require.Equal(t, []string{"x", "broken", "broken"}, asked, "failures are not cached")

	// Concurrent first uses end with one account.
	var wg sync.WaitGroup
	got := make([]*connectors.Account, 8)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			got[i], _ = resolve(ctx, "bluesky")
		}()
	}
	wg.Wait()
	for _, a := range got {
		require.NotNil(t, a)
		require.Same(t, got[0], a)
	}
}
