package matrix

import (
	"context"
	"fmt"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

func init() { connectors.Register("matrix", Open) }

// Network is the registry name of the connector.
const Network = "matrix"

// DefaultServer is the homeserver used when Config.Server is empty.
const DefaultServer = "https://matrix-client.matrix.org"

// The endpoint classes requests are paced under (transport.Request.Class).
// Homeservers configure their own rate limits and publish none, so no class
// is paced before the server answers 429; the classes keep one endpoint's
// cooldown from blocking the others.
const (
	classLogin = "login"
	classSend  = "send"
	classRead  = "read"
	classMedia = "media"
)

// Limits of the Matrix specification.
const (
	// maxEventBytes: "The complete event MUST NOT be larger than 65536
	// bytes, when formatted with the federation event format" (spec,
	// Client-Server API, "Size limits").
	maxEventBytes = 65536
	// MaxTextBytes is the limit Describe reports for a message's text:
	// the event limit less room for the envelope (IDs, signatures, hashes,
	// keys) and for the HTML rendering, which repeats the text in
	// formatted_body: half the event, less 4 KiB of envelope.
	MaxTextBytes = (maxEventBytes - 4096) / 2
)

// Driver is the Matrix driver: one user in one room. It is safe for
// concurrent use. Use Open, or connectors.Open("matrix", ...).
type Driver struct {
	c        *transport.Client
	server   string
	account  string
	deviceID string
	now      func() time.Time
	sess     *session

	mu          sync.Mutex
	roomID      string
	userID      string
	displayName string
	described   *driver.Description
	parents     map[string]string // event ID -> the event it answers ("" for none), bounded
	// likes records the reactions this driver sent (liked event ID ->
	// reaction event ID) and unliked the reactions it redacted, so that a
	// like, an unlike and the metrics read just after them are consistent
	// even while the homeserver has not yet indexed the relation or the
	// redaction (Dendrite indexes both asynchronously). Both are bounded.
	likes   map[string]string
	unliked map[string]bool
}

// Open opens a driver for cfg. It does no I/O: the room alias is resolved
// and the session opened on the first call that needs them.
//
// Config fields:
//
//   - Server: the homeserver's client API base URL, e.g.
//     "https://matrix.example.org"; defaults to DefaultServer. Server
//     discovery (.well-known) is not done: give the client API URL.
//   - Account: the room the account speaks in, as a room ID
//     ("!abc:example.org") or an alias ("#brand:example.org", resolved with
//     GET /_matrix/client/v3/directory/room/{alias}). Required.
//   - Tokens: an access token source (used as is, never refreshed by the
//     driver); or else
//   - Username and Password: logged in with m.login.password (the user's
//     localpart or full ID), asking for a refresh token.
//   - TokenStore and TokenKey: where the session (access token, refresh
//     token and expiry) is kept; a stored session is used before logging
//     in, and every refreshed or new session is saved before it is used.
//   - Options["device_id"]: the device ID to log in as. Reusing a device
//     across logins keeps transaction IDs deduplicated across them (see
//     the package documentation); default: a new device per login.
//   - Options["device_name"]: the display name of a new device; default
//     "cmkit".
//   - HTTPClient, Logger, Now, UserAgent: as documented by driver.Config.
func Open(ctx context.Context, cfg driver.Config) (driver.Driver, error) {
	return New(ctx, cfg)
}

// New is Open returning the concrete type.
func New(_ context.Context, cfg driver.Config) (*Driver, error) {
	server := strings.TrimRight(cfg.Server, "/")
	if server == "" {
		server = DefaultServer
	}
	room := strings.TrimSpace(cfg.Account)
	if room == "" {
		return nil, driver.Errorf(driver.InvalidContent, "matrix: Config.Account must name the room: a room ID (!id:server) or an alias (#name:server)")
	}
	if !strings.HasPrefix(room, "!") && !strings.HasPrefix(room, "#") {
		return nil, driver.Errorf(driver.InvalidContent, "matrix: Config.Account %q is neither a room ID (!id:server) nor an alias (#name:server)", room)
	}
	if cfg.Tokens == nil && (cfg.Username == "" || cfg.Password == "") && cfg.TokenStore == nil {
		return nil, driver.Errorf(driver.Unauthenticated, "matrix: set Config.Tokens (an access token) or Config.Username and Config.Password")
	}
	for k := range cfg.Options {
		switch k {
		case "device_id", "device_name":
		default:
			return nil, driver.Errorf(driver.InvalidContent, "matrix: unknown option %q (known: device_id, device_name)", k)
		}
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	d := &Driver{
		server:   server,
		account:  room,
		deviceID: cfg.Options["device_id"],
		now:      now,
		parents:  map[string]string{},
	}
	if strings.HasPrefix(room, "!") {
		d.roomID = room
	}
	d.sess = &session{
		d:          d,
		external:   cfg.Tokens,
		store:      cfg.TokenStore,
		key:        cfg.TokenKey,
		username:   cfg.Username,
		password:   cfg.Password,
		deviceID:   cfg.Options["device_id"],
		deviceName: cfg.Options["device_name"],
	}
	if d.sess.deviceName == "" {
		d.sess.deviceName = "cmkit"
	}
	var secrets []string
	if cfg.Password != "" {
		secrets = append(secrets, cfg.Password)
	}
	c, err := transport.New(Network, &transport.Options{
		BaseURL:     server,
		HTTPClient:  cfg.HTTPClient,
		UserAgent:   cfg.UserAgent,
		Tokens:      d.sess,
		ErrorMapper: MapError,
		Dialect:     transport.DialectRetryAfter,
		Logger:      cfg.Logger,
		Now:         now,
		Secrets:     secrets,
	})
	if err != nil {
		return nil, driver.Errorf(driver.InvalidContent, "matrix: %v", err)
	}
	d.c = c
	return d, nil
}

// As sets target to the driver's *transport.Client (the authorized HTTP
// client, for endpoints the driver does not cover) or to the *Driver.
func (d *Driver) As(target any) bool {
	switch t := target.(type) {
	case **transport.Client:
		*t = d.c
		return true
	case **Driver:
		*t = d
		return true
	}
	return false
}

// ErrorAs sets target to the *APIError behind err, when the homeserver
// sent a Matrix error body.
func (d *Driver) ErrorAs(err error, target any) bool {
	t, ok := target.(**APIError)
	if !ok {
		return false
	}
	return asAPIError(err, t)
}

// RoomID returns the room's ID, resolving the alias of Config.Account on
// first use.
func (d *Driver) RoomID(ctx context.Context) (string, error) {
	d.mu.Lock()
	id := d.roomID
	d.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var out struct {
		RoomID string `json:"room_id"`
	}
	if err := d.get(ctx, classRead, "/_matrix/client/v3/directory/room/"+pathEscape(d.account), nil, &out); err != nil {
		return "", err
	}
	if out.RoomID == "" {
		return "", &driver.Error{Code: driver.NotFound, Network: Network, Message: "room alias " + d.account + " resolved to no room"}
	}
	d.mu.Lock()
	d.roomID = out.RoomID
	d.mu.Unlock()
	return out.RoomID, nil
}

// UserID returns the account's Matrix user ID (@name:server), from the
// login or GET /_matrix/client/v3/account/whoami.
func (d *Driver) UserID(ctx context.Context) (string, error) {
	d.mu.Lock()
	id := d.userID
	d.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var out struct {
		UserID   string `json:"user_id"`
		DeviceID string `json:"device_id"`
	}
	if err := d.get(ctx, classRead, "/_matrix/client/v3/account/whoami", nil, &out); err != nil {
		return "", err
	}
	if out.UserID == "" {
		return "", &driver.Error{Code: driver.Unknown, Network: Network, Message: "whoami returned no user_id"}
	}
	d.mu.Lock()
	d.userID = out.UserID
	d.mu.Unlock()
	return out.UserID, nil
}

func (d *Driver) setUserID(id string) {
	if id == "" {
		return
	}
	d.mu.Lock()
	d.userID = id
	d.mu.Unlock()
}

// Describe resolves the room, identifies the user, reads the homeserver's
// upload limit (GET /_matrix/client/v1/media/config, falling back to the
// deprecated /_matrix/media/v3/config) and returns the account's
// description. The result is cached.
func (d *Driver) Describe(ctx context.Context) (driver.Description, error) {
	d.mu.Lock()
	if d.described != nil {
		desc := *d.described
		d.mu.Unlock()
		return desc, nil
	}
	d.mu.Unlock()
	room, err := d.RoomID(ctx)
	if err != nil {
		return driver.Description{}, err
	}
	user, err := d.UserID(ctx)
	if err != nil {
		return driver.Description{}, err
	}
	name := d.profileName(ctx, user)
	desc := driver.Description{
		Network:     Network,
		DisplayName: "Matrix",
		AccountID:   user,
		Handle:      strings.TrimPrefix(user, "@"),
		URL:         "https://matrix.to/#/" + room,
		Limits:      limits(d.uploadLimit(ctx)),
		Idempotent:  true,
	}
	d.mu.Lock()
	d.displayName = name
	d.described = &desc
	d.mu.Unlock()
	return desc, nil
}

// limits returns the content limits of a Matrix room.
func limits(maxUpload int64) driver.Limits {
	return driver.Limits{
		// No character limit in the spec: only the 65536-byte event.
		TextRule:     driver.CountCodePoints,
		MaxTextBytes: MaxTextBytes,
		// One attachment per message: an m.image or m.video event with
		// the text as its caption (spec v1.10 media captions), so a post
		// is one event that Delete removes whole.
		MaxImages: 1,
		MaxVideos: 1,
		// The homeserver's m.upload.size, when it says.
		MaxImageBytes: maxUpload,
		MaxVideoBytes: maxUpload,
		// A thread is a Matrix thread (rel_type m.thread) under the head.
		Threads:   true,
		MaxThread: maxThread,
	}
}

// maxThread caps a thread: not a Matrix limit, a bound on one call.
const maxThread = 50

// uploadLimit reads the homeserver's media upload size; 0 when unknown.
func (d *Driver) uploadLimit(ctx context.Context) int64 {
	var cfg struct {
		Size int64 `json:"m.upload.size"`
	}
	if err := d.get(ctx, classMedia, "/_matrix/client/v1/media/config", nil, &cfg); err != nil {
		if d.get(ctx, classMedia, "/_matrix/media/v3/config", nil, &cfg) != nil {
			return 0
		}
	}
	if cfg.Size < 0 {
		return 0
	}
	return cfg.Size
}

// profileName reads the user's display name ("" when unset or unknown).
func (d *Driver) profileName(ctx context.Context, user string) string {
	var p struct {
		DisplayName string `json:"displayname"`
	}
	if d.get(ctx, classRead, "/_matrix/client/v3/profile/"+pathEscape(user)+"/displayname", nil, &p) != nil {
		return ""
	}
	return p.DisplayName
}

// get sends an authorized GET and decodes the JSON answer.
func (d *Driver) get(ctx context.Context, class, path string, q url.Values, out any) error {
	return d.do(ctx, &transport.Request{Method: http.MethodGet, Path: path, Query: q, Class: class}, out)
}

// do sends req, decodes the answer into out and lets the session react to
// an unknown token (the next call logs in again or refreshes).
func (d *Driver) do(ctx context.Context, req *transport.Request, out any) error {
	err := d.c.DoJSON(ctx, req, out)
	if err != nil && !req.NoAuth {
		var ae *APIError
		if asAPIError(err, &ae) && ae.ErrCode == "M_UNKNOWN_TOKEN" {
			d.sess.invalidate(ae.SoftLogout)
		}
	}
	return err
}

// pathEscape escapes one path segment (room IDs, aliases, event IDs).
func pathEscape(s string) string { return url.PathEscape(s) }

// fail returns an *driver.Error of the given code.
func fail(code driver.ErrorCode, format string, args ...any) error {
	return &driver.Error{Code: code, Network: Network, Message: fmt.Sprintf(format, args...)}
}
