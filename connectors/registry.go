package connectors

import (
	"context"
	"errors"
	"io"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/cmkit/cmkit/connectors/driver"
)

// registry maps network names to their OpenFunc. Registration is the only
// package-level state: it is filled by connector packages' init functions
// and read by Open.
var registry struct {
	mu    sync.RWMutex
	funcs map[string]driver.OpenFunc
}

// Register makes a connector available to Open and OpenURL under network,
// a lower-case name such as "mastodon" made of letters, digits, '-' and '.'.
// Connector packages call it from an init function.
//
// Register panics if network is empty or malformed, if open is nil, or if
// network is already registered: those are programming errors found when
// the program starts, as with database/sql.Register.
func Register(network string, open driver.OpenFunc) {
	if !validNetworkName(network) {
		panic("connectors: Register: invalid network name " + strconv.Quote(network) +
			" (want lower-case letters, digits, '-' or '.', starting with a letter)")
	}
	if open == nil {
		panic("connectors: Register: nil OpenFunc for " + network)
	}
	registry.mu.Lock()
	defer registry.mu.Unlock()
	if registry.funcs == nil {
		registry.funcs = make(map[string]driver.OpenFunc)
	}
	if _, dup := registry.funcs[network]; dup {
		panic("connectors: Register called twice for network " + network)
	}
	registry.funcs[network] = open
}

// Networks returns the names of the registered networks, sorted.
func Networks() []string {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	names := make([]string, 0, len(registry.funcs))
	for name := range registry.funcs {
		names = append(names, name)
	}
	slices.Sort(names)
	return names
}

func lookup(network string) (driver.OpenFunc, bool) {
	registry.mu.RLock()
	defer registry.mu.RUnlock()
	open, ok := registry.funcs[network]
	return open, ok
}

// Open opens an Account on the registered network: it calls the network's
// OpenFunc with cfg, then NewAccount with opts. opts may be nil for the
// defaults; its Logger and Now, when unset, are taken from cfg. An unknown
// network returns an error with code Unsupported that lists the registered
// networks.
func Open(ctx context.Context, network string, cfg Config, opts *AccountOptions) (*Account, error) {
	open, ok := lookup(network)
	if !ok {
		return nil, unknownNetwork("Open", network)
	}
	d, err := open(ctx, cfg)
	if err != nil {
		return nil, wrapErr("Open", network, err)
	}
	if d == nil {
		return nil, &Error{Code: Unknown, Op: "Open", Network: network, Message: "the connector returned no driver"}
	}
	var o AccountOptions
	if opts != nil {
		o = *opts
	}
	if o.Logger == nil {
		o.Logger = cfg.Logger
	}
	if o.Now == nil {
		o.Now = cfg.Now
	}
	a, err := NewAccount(ctx, d, &o)
	if err != nil {
		if c, ok := d.(io.Closer); ok {
			_ = c.Close()
		}
		return nil, err
	}
	return a, nil
}

// OpenURL opens an Account described by a connection URL:
//
//	network[+http]://[user@]host[:port][/account][?option=value&...]
//
// The scheme names the registered network. With a path, the host is the
// server (cfg.Server becomes "https://host", or "http://host" with the
// "+http" scheme suffix, for a local or test server) and the path, without
// its leading '/', is the account (cfg.Account). Without a path, the host
// is the account and the network's default server is used:
//
//	mastodon://mastodon.social/brand           Server https://mastodon.social, Account brand
//	bluesky://brand.bsky.social                Account brand.bsky.social
//	mastodon+http://127.0.0.1:3000/brand       a local instance over plain HTTP
//	mem://brand?seed=42                        Account brand, Options {"seed": "42"}
//
// The query becomes cfg.Options (merged over any given; the URL wins) and a
// user name becomes cfg.Username. Secrets never go in a URL, where they end
// up in logs and process lists: a password in the user information, or a
// query option named like a secret (password, token, access_token, secret,
// client_secret, api_key...), is rejected. Pass them in cfg (Tokens,
// Password, ClientSecret) instead.
//
// Malformed URLs return an error with code InvalidContent; an unknown
// network returns code Unsupported with the list of registered networks.
// opts is passed to Open.
func OpenURL(ctx context.Context, rawURL string, cfg Config, opts *AccountOptions) (*Account, error) {
	network, cfg, err := parseURL(rawURL, cfg)
	if err != nil {
		return nil, err
	}
	return Open(ctx, network, cfg, opts)
}

// parseURL applies a connection URL to cfg and returns the network name.
func parseURL(rawURL string, cfg Config) (string, Config, error) {
	bad := func(format string, args ...any) (string, Config, error) {
		e := driver.Errorf(InvalidContent, format, args...)
		e.Op = "OpenURL"
		return "", cfg, e
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		// url.Error quotes the whole URL, which may hold a secret: report
		// only the reason.
		var ue *url.Error
		reason := err.Error()
		if errors.As(err, &ue) {
			reason = ue.Err.Error()
		}
		return bad("malformed connection URL: %s", reason)
	}
	if u.Scheme == "" {
		return bad("connection URL has no network scheme; want network://host/account, e.g. mastodon://mastodon.social/brand")
	}
	if u.User != nil {
		if _, has := u.User.Password(); has {
			return bad("connection URL holds a password: never put secrets in a URL; set Config.Password or Config.Tokens instead")
		}
	}
	if u.Opaque != "" {
		return bad("connection URL %q has no '//' after the scheme; want %s://host/account", redact(u), u.Scheme)
	}
	if u.Fragment != "" {
		return bad("connection URL %q has a fragment (#...), which has no meaning", redact(u))
	}
	network, httpOnly := u.Scheme, false
	if n, ok := strings.CutSuffix(network, "+http"); ok {
		network, httpOnly = n, true
	}
	if !validNetworkName(network) {
		return bad("connection URL scheme %q is not a network name", u.Scheme)
	}
	if _, ok := lookup(network); !ok {
		e := unknownNetwork("OpenURL", network)
		return "", cfg, e
	}
	q, err := url.ParseQuery(u.RawQuery)
	if err != nil {
		return bad("malformed query in connection URL: %v", err)
	}
	if u.Host == "" && u.Path != "" && u.Path != "/" {
		return bad("connection URL %q has a path but no host; want %s://host/account", redact(u), network)
	}
	if u.User != nil {
		cfg.Username = u.User.Username()
	}
	path := strings.Trim(u.Path, "/")
	switch {
	case path != "":
		scheme := "https://"
		if httpOnly {
			scheme = "http://"
		}
		cfg.Server = scheme + u.Host
		cfg.Account = path
	case u.Host != "":
		if httpOnly {
			return bad("connection URL %q uses +http but names no server; want %s+http://host/account", redact(u), network)
		}
		cfg.Account = u.Host
	}
	if len(q) > 0 {
		opts := make(map[string]string, len(cfg.Options)+len(q))
		for k, v := range cfg.Options {
			opts[k] = v
		}
		for k, vs := range q {
			if secretKey(k) {
				return bad("connection URL option %q looks like a secret: never put secrets in a URL; pass them in Config", k)
			}
			if len(vs) > 1 {
				return bad("connection URL option %q is given %d times", k, len(vs))
			}
			opts[k] = vs[0]
		}
		cfg.Options = opts
	}
	return network, cfg, nil
}

// secretKey reports whether a query key names a credential.
func secretKey(k string) bool {
	k = strings.ToLower(k)
	k = strings.NewReplacer("-", "_", ".", "_").Replace(k)
	if strings.Contains(k, "password") || strings.Contains(k, "secret") || strings.Contains(k, "passwd") {
		return true
	}
	switch k {
	case "token", "access_token", "refresh_token", "id_token", "bearer", "api_key", "apikey", "key",
		"auth", "authorization", "session", "app_password", "jwt", "pass", "pwd", "credentials":
		return true
	}
	return strings.HasSuffix(k, "_token")
}

// redact returns the URL without its query and user information, which is
// safe to print.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.ForceQuery = false
	return c.String()
}

func unknownNetwork(op, network string) *Error {
	names := Networks()
	list := "none registered; import a connector package, e.g. _ \"github.com/cmkit/cmkit/connectors/mastodon\""
	if len(names) > 0 {
		list = "registered: " + strings.Join(names, ", ")
	}
	return &Error{Code: Unsupported, Op: op, Message: "unknown network " + strconv.Quote(network) + " (" + list + ")"}
}

func validNetworkName(s string) bool {
	if s == "" || len(s) > 64 || s[0] < 'a' || s[0] > 'z' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') && c != '-' && c != '.' {
			return false
		}
	}
	return true
}
