package bluesky

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// network is the registry name.
const network = "bluesky"

// The defaults of Open.
const (
	// DefaultPLC is the PLC directory did:plc documents are read from.
	DefaultPLC = "https://plc.directory"
	// DefaultChatProxy is the atproto-proxy value of chat.bsky.* calls.
	DefaultChatProxy = "did:web:api.bsky.chat#bsky_chat"
	// DefaultSensitiveLabel is the self-label of a Post marked Sensitive.
	DefaultSensitiveLabel = "graphic-media"
)

// The endpoint classes requests are paced under.
const (
	classSession  = "session:create"
	classRefresh  = "session:refresh"
	classIdentity = "identity"
	classRead     = "read"
	classBlob     = "blob"
	classCreate   = "write:create"
	classUpdate   = "write:update"
	classDelete   = "write:delete"
	classFetch    = "fetch"
	classChat     = "chat"
)

// limits are the published rate limits (docs.bsky.app, "Rate Limits"):
// createSession 30 per 5 minutes per account; write points per account
// 5,000 an hour and 35,000 a day, a create costing 3, an update 2, a
// delete 1. Each write class gets the daily budget as its own steady rate,
// with a burst that keeps any hour under the hourly budget.
func limits() map[string]transport.Limit {
	return map[string]transport.Limit{
		classSession: transport.Per(30, 5*time.Minute),
		classCreate:  transport.Per(35000/3, 24*time.Hour),
		classUpdate:  transport.Per(35000/2, 24*time.Hour),
		classDelete:  transport.Per(35000, 24*time.Hour),
	}
}

func init() { connectors.Register(network, Open) }

// hooks are the parts of the outside world tests replace.
type hooks struct {
	lookupTXT func(ctx context.Context, name string) ([]string, error)
	scheme    string // of handle and did:web URLs: "https"
}

func defaultHooks() hooks {
	return hooks{lookupTXT: net.DefaultResolver.LookupTXT, scheme: "https"}
}

// Driver is the Bluesky driver. It is safe for concurrent use.
type Driver struct {
	c     *transport.Client // the PDS, authorized by sess
	pub   *transport.Client // other hosts, no token
	sess  *session
	hooks hooks
	now   func() time.Time

	pds            string
	plc            string
	chat           bool
	chatProxy      string
	sensitiveLabel string
	linkCards      bool
	maxImageBytes  int64
}

// Open opens the Bluesky account of cfg. See the package documentation for
// the meaning of each Config field and option. It resolves the PDS (unless
// cfg.Server names it) but does not log in: the session is created, or
// loaded from cfg.TokenStore, on the first call.
func Open(ctx context.Context, cfg driver.Config) (driver.Driver, error) {
	d, err := open(ctx, cfg, defaultHooks())
	if err != nil {
		return nil, err
	}
	return d, nil
}

func open(ctx context.Context, cfg driver.Config, h hooks) (*Driver, error) {
	bad := func(format string, args ...any) (*Driver, error) {
		return nil, driver.Errorf(driver.InvalidContent, format, args...)
	}
	id := strings.TrimPrefix(strings.TrimSpace(cfg.Username), "@")
	if id == "" {
		id = strings.TrimPrefix(strings.TrimSpace(cfg.Account), "@")
	}
	if id == "" {
		return bad("bluesky: set Config.Username (or Account) to the handle or DID")
	}
	if cfg.Password == "" && cfg.TokenStore == nil {
		return bad("bluesky: set Config.Password to an app password, or a TokenStore holding a session")
	}
	if cfg.Tokens != nil {
		return bad("bluesky: Config.Tokens is not used: log in with Username and an app Password")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	d := &Driver{
		hooks: h, now: now,
		plc:            DefaultPLC,
		chatProxy:      DefaultChatProxy,
		sensitiveLabel: DefaultSensitiveLabel,
		linkCards:      true,
	}
	for k, v := range cfg.Options {
		switch k {
		case "plc":
			u, err := url.Parse(v)
			if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
				return bad("bluesky: option plc=%q is not an http(s) URL", v)
			}
			d.plc = strings.TrimSuffix(v, "/")
		case "chat":
			d.chat = v == "true"
			if v != "true" && v != "false" {
				return bad("bluesky: option chat=%q: want true or false", v)
			}
		case "chat_proxy":
			d.chatProxy = v
		case "sensitive_label":
			switch v {
			case "sexual", "nudity", "porn", "graphic-media":
			default:
				return bad("bluesky: option sensitive_label=%q: want sexual, nudity, porn or graphic-media", v)
			}
			d.sensitiveLabel = v
		case "link_cards":
			if v != "true" && v != "false" {
				return bad("bluesky: option link_cards=%q: want true or false", v)
			}
			d.linkCards = v == "true"
		case "image_bytes":
			switch v {
			case "1000000":
				d.maxImageBytes = 1_000_000
			case "2000000":
				d.maxImageBytes = 2_000_000
			default:
				return bad("bluesky: option image_bytes=%q: want 1000000 or 2000000", v)
			}
		default:
			return bad("bluesky: unknown option %q (known: plc, chat, chat_proxy, sensitive_label, link_cards, image_bytes)", k)
		}
	}
	var secrets []string
	if cfg.Password != "" {
		secrets = append(secrets, cfg.Password)
	}
	mapper := errorMapper(now)
	pub, err := transport.New(network, &transport.Options{
		HTTPClient: cfg.HTTPClient, UserAgent: cfg.UserAgent, ErrorMapper: mapper,
		Dialect: transport.DialectIETF, Logger: cfg.Logger, Now: now, Secrets: secrets,
		MaxBodyBytes: 2 << 20,
	})
	if err != nil {
		return nil, err
	}
	d.pub = pub
	d.pds = strings.TrimSuffix(cfg.Server, "/")
	if d.pds == "" {
		if d.pds, err = d.discoverPDS(ctx, id); err != nil {
			var de *driver.Error
			if errors.As(err, &de) {
				de.Message = "finding the PDS of " + id + " (set Config.Server to skip discovery): " + de.Message
			}
			return nil, err
		}
	}
	sess := &session{identifier: id, password: cfg.Password, store: cfg.TokenStore, key: cfg.TokenKey, now: now, sem: make(chan struct{}, 1)}
	if sess.key == "" {
		sess.key = "bluesky:" + id
	}
	d.sess = sess
	d.c, err = transport.New(network, &transport.Options{
		BaseURL: d.pds, HTTPClient: cfg.HTTPClient, UserAgent: cfg.UserAgent, Tokens: sess,
		ErrorMapper: mapper, Dialect: transport.DialectIETF, Limits: limits(),
		Logger: cfg.Logger, Now: now, Secrets: secrets,
	})
	if err != nil {
		return bad("bluesky: Config.Server %q is not an http(s) URL", cfg.Server)
	}
	sess.c = d.c
	return d, nil
}

// PDS returns the base URL of the account's PDS, as given or discovered.
func (d *Driver) PDS() string { return d.pds }

// As sets *target to the driver's *transport.Client for the PDS (to call
// other XRPC methods with the session's token, pacing and error mapping).
func (d *Driver) As(target any) bool {
	switch t := target.(type) {
	case **transport.Client:
		*t = d.c
		return true
	}
	return false
}

// ErrorAs sets *target (a **XRPCError) to the XRPC error body behind err.
func (d *Driver) ErrorAs(err error, target any) bool {
	if t, ok := target.(**XRPCError); ok {
		return errors.As(err, t)
	}
	return false
}

// Describe returns the account (DID, handle, profile URL) and Bluesky's
// limits. It logs in if needed.
func (d *Driver) Describe(ctx context.Context) (driver.Description, error) {
	did, handle, err := d.sess.identity(ctx)
	if err != nil {
		return driver.Description{}, err
	}
	if handle == "" {
		var s struct {
			Handle string `json:"handle"`
		}
		if err := d.get(ctx, classRead, "com.atproto.server.getSession", nil, &s); err != nil {
			return driver.Description{}, err
		}
		handle = s.Handle
		d.sess.setHandle(handle)
	}
	desc := driver.Description{
		Network: network, DisplayName: "Bluesky",
		AccountID: did, Handle: handle, URL: "https://bsky.app/profile/" + profileName(did, handle),
		Limits: describeLimits(d.maxImageBytes), Idempotent: true,
	}
	if !d.chat {
		desc.Declined = driver.CapSendMessages | driver.CapReadMessages
	}
	return desc, nil
}

// describeLimits are the preset's limits, with image bytes per the
// image_bytes option, alt text, and no videos (the driver uploads images
// only).
func describeLimits(imageBytes int64) driver.Limits {
	l, _ := connectors.PresetLimits(network)
	if imageBytes > 0 {
		l.MaxImageBytes = imageBytes
	}
	// The Bluesky app's alt-text limit (social-app MAX_ALT_TEXT); the
	// lexicon sets none.
	l.MaxAltText = 2000
	// Videos need the video service (app.bsky.video.uploadVideo), which
	// this driver does not implement; GIFs are uploaded as images.
	l.VideoTypes = []string{}
	l.MaxVideoBytes = 0
	return l
}

func profileName(did, handle string) string {
	if handle != "" && handle != "handle.invalid" {
		return handle
	}
	return did
}

// did returns the account's DID, logging in if needed.
func (d *Driver) did(ctx context.Context) (string, error) {
	did, _, err := d.sess.identity(ctx)
	return did, err
}

// call sends an authorized XRPC request. When the PDS answers
// ExpiredToken (the access JWT expired before its exp claim said, or the
// clock is off), it refreshes the session once and sends the request
// again: the first one was refused before being processed.
func (d *Driver) call(ctx context.Context, req *transport.Request, out any) error {
	used := d.sess.current()
	err := d.c.DoJSON(ctx, req, out)
	if err != nil && isName(err, "ExpiredToken") {
		d.sess.markExpired(used)
		err = d.c.DoJSON(ctx, req, out)
	}
	return err
}

// get calls a query (GET /xrpc/<nsid>).
func (d *Driver) get(ctx context.Context, class, nsid string, q url.Values, out any) error {
	return d.call(ctx, &transport.Request{Method: http.MethodGet, Path: "/xrpc/" + nsid, Query: q, Class: class}, out)
}

// procedure calls a procedure (POST /xrpc/<nsid> with a JSON body).
// idempotent marks a procedure that is safe to repeat.
func (d *Driver) procedure(ctx context.Context, class, nsid string, in, out any, idempotent bool) error {
	return d.call(ctx, &transport.Request{Method: http.MethodPost, Path: "/xrpc/" + nsid, JSON: in, Class: class, Idempotent: idempotent}, out)
}
