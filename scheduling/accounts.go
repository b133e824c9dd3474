package scheduling

import (
	"context"
	"maps"
	"strconv"
	"sync"

	"github.com/cmkit/cmkit/connectors"
)

// AccountURLs returns a resolver that opens each account from its
// connection URL (connectors.OpenURL) the first time a target needs it and
// keeps it open for the resolver's life, so a scheduler can be pointed at
// real networks by configuration:
//
//	accounts := scheduling.AccountURLs(map[string]string{
//		"mastodon": "mastodon://mastodon.social/maisonbrioche",
//		"bluesky":  "bluesky://maisonbrioche.fr",
//	}, func(id string) connectors.Config {
//		return connectors.Config{Tokens: tokens[id]} // or Username/Password
//	}, nil)
//
// credentials, when not nil, returns the Config of an account: its tokens,
// password and token store, which never go in URLs. opts are passed to
// every OpenURL. The program imports the connector packages of the
// networks it names, for their registration.
//
// An account ID missing from urls returns an error matching
// connectors.ErrNotFound. An account that fails to open is opened again on
// its next use. The resolver is safe for concurrent use; it copies urls.
func AccountURLs(urls map[string]string, credentials func(accountID string) connectors.Config, opts *connectors.AccountOptions) AccountResolver {
	r := &urlResolver{urls: maps.Clone(urls), creds: credentials, opts: opts, open: make(map[string]*connectors.Account)}
	return r.resolve
}

type urlResolver struct {
	urls  map[string]string
	creds func(string) connectors.Config
	opts  *connectors.AccountOptions

	mu   sync.Mutex
	open map[string]*connectors.Account
}

func (r *urlResolver) resolve(ctx context.Context, id string) (*connectors.Account, error) {
	r.mu.Lock()
	a, ok := r.open[id]
	r.mu.Unlock()
	if ok {
		return a, nil
	}
	u, ok := r.urls[id]
	if !ok {
		return nil, &connectors.Error{Code: connectors.NotFound, Op: "ResolveAccount",
			Message: "no account " + strconv.Quote(id) + " is configured"}
	}
	var cfg connectors.Config
	if r.creds != nil {
		cfg = r.creds(id)
	}
	// Opening may do I/O (a login, the network's limits): it runs without
	// the lock, and the first account opened for an ID wins.
	a, err := connectors.OpenURL(ctx, u, cfg, r.opts)
	if err != nil {
		return nil, err
	}
	r.mu.Lock()
	defer r.mu.Unlock()
	if prev, ok := r.open[id]; ok {
		_ = a.Close()
		return prev, nil
	}
	r.open[id] = a
	return a, nil
}
