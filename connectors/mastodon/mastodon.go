package mastodon

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/oauth"
	"github.com/cmkit/cmkit/connectors/transport"
)

const network = "mastodon"

// DefaultServer is the instance used when driver.Config.Server is empty.
const DefaultServer = "https://mastodon.social"

func init() { connectors.Register(network, Open) }

// The visibilities of a status (Options.Visibility).
const (
	Public   = "public"
	Unlisted = "unlisted"
	Private  = "private"
	Direct   = "direct"
)

// The endpoint classes the driver paces requests under, with Mastodon's
// default limits (api/rate-limits.md): 300 requests per 5 minutes per
// account for the API as a whole, 30 media uploads and 30 deletions per 30
// minutes. Each class may send its whole window at once; after that the
// server's X-RateLimit-Remaining and X-RateLimit-Reset take over (the
// transport blocks a class whose Remaining reaches 0 until the reset).
const (
	classAPI    = ""
	classMedia  = "media"
	classDelete = "delete"
)

// window returns a Limit allowing n requests at once, refilled at n per d.
func window(n int, d time.Duration) transport.Limit {
	return transport.Limit{Rate: rate.Limit(float64(n) / d.Seconds()), Burst: n}
}

// Options tune a Driver. The zero value (or nil) gives the defaults
// documented on each field. Open reads them from driver.Config.Options.
type Options struct {
	// Visibility of published statuses: Public, Unlisted, Private (followers
	// only) or Direct. Config.Options key "visibility". Defaults to Public.
	// A reply is never more visible than what it answers.
	Visibility string
	// MediaWait is how long Publish waits for the server to process an
	// uploaded video or GIF (POST /api/v2/media answering 202) before
	// giving up with code Unavailable; no status is created then.
	// Config.Options key "media_wait" (a Go duration, "2m"). Defaults to
	// 1 minute.
	MediaWait time.Duration
	// MediaPoll is the delay between two checks of a processing upload
	// (GET /api/v1/media/:id). Config.Options key "media_poll". Defaults to
	// 1 second.
	MediaPoll time.Duration
	// Sleep waits d or until ctx is done, returning ctx.Err() then. It is
	// used between media checks. Defaults to a timer; tests inject one that
	// returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
}

// Driver is the Mastodon driver. It implements driver.Driver and the
// optional interfaces listed in the package documentation, and is safe
// for concurrent use. Users normally hold a *connectors.Account opened
// with connectors.Open("mastodon", ...) rather than a Driver.
type Driver struct {
	c       *transport.Client
	server  string
	account string // Config.Account, without a leading '@'
	vis     string
	wait    time.Duration
	poll    time.Duration
	sleep   func(ctx context.Context, d time.Duration) error
	now     func() time.Time
	hc      *http.Client

	mu sync.Mutex
	me *account // the token's account, once read
}

var (
	_ driver.Driver               = (*Driver)(nil)
	_ driver.Deleter              = (*Driver)(nil)
	_ driver.Editor               = (*Driver)(nil)
	_ driver.CommentLister        = (*Driver)(nil)
	_ driver.MentionLister        = (*Driver)(nil)
	_ driver.Replier              = (*Driver)(nil)
	_ driver.Liker                = (*Driver)(nil)
	_ driver.PostMetricsReader    = (*Driver)(nil)
	_ driver.AccountMetricsReader = (*Driver)(nil)
	_ driver.MessageLister        = (*Driver)(nil)
	_ driver.MessageSender        = (*Driver)(nil)
	_ driver.PostFinder           = (*Driver)(nil)
	_ driver.Aser                 = (*Driver)(nil)
)

// Open is the driver.OpenFunc registered as "mastodon". It reads
// Options from cfg.Options ("visibility", "media_wait", "media_poll") and
// calls New. It does no I/O.
func Open(ctx context.Context, cfg driver.Config) (driver.Driver, error) {
	var o Options
	for k, v := range cfg.Options {
		switch k {
		case "visibility":
			o.Visibility = v
		case "media_wait", "media_poll":
			d, err := time.ParseDuration(v)
			if err != nil || d <= 0 {
				return nil, invalidf("option %s=%q is not a positive duration such as \"30s\"", k, v)
			}
			if k == "media_wait" {
				o.MediaWait = d
			} else {
				o.MediaPoll = d
			}
		default:
			return nil, invalidf("unknown option %q (known: visibility, media_wait, media_poll)", k)
		}
	}
	return New(ctx, cfg, &o)
}

// New returns a Driver for the account whose token cfg holds:
//
//   - cfg.Server is the instance ("https://mastodon.social"); empty means
//     DefaultServer. A bare host name is taken as https://host.
//   - cfg.Tokens supplies the OAuth2 access token (see RegisterApp and
//     OAuthConfig to obtain one). Without Tokens, cfg.TokenStore and
//     cfg.TokenKey give a token saved earlier (with cfg.ClientID and
//     cfg.ClientSecret, the app's credentials). Mastodon tokens do not
//     expire and have no refresh token.
//   - cfg.Account, when set, is the account's handle ("brand" or
//     "brand@mastodon.social", with or without '@'): Describe checks that
//     the token belongs to it.
//   - cfg.Username and cfg.Password are not used: Mastodon has no password
//     login for apps.
//   - cfg.HTTPClient, cfg.Logger, cfg.Now and cfg.UserAgent are passed to
//     the transport.
//
// It does no I/O; opts may be nil.
func New(ctx context.Context, cfg driver.Config, opts *Options) (*Driver, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	server, err := normalizeServer(cfg.Server)
	if err != nil {
		return nil, err
	}
	switch o.Visibility {
	case "":
		o.Visibility = Public
	case Public, Unlisted, Private, Direct:
	default:
		return nil, invalidf("visibility %q is not one of public, unlisted, private, direct", o.Visibility)
	}
	if o.MediaWait <= 0 {
		o.MediaWait = time.Minute
	}
	if o.MediaPoll <= 0 {
		o.MediaPoll = time.Second
	}
	if o.Sleep == nil {
		o.Sleep = sleep
	}
	tokens := cfg.Tokens
	if tokens == nil && cfg.TokenStore != nil {
		if cfg.TokenKey == "" {
			return nil, invalidf("Config.TokenStore is set without Config.TokenKey")
		}
		tokens = oauth.NewTokenSource(&oauth2.Config{
			ClientID: cfg.ClientID, ClientSecret: cfg.ClientSecret, Endpoint: endpoint(server),
		}, cfg.TokenStore, cfg.TokenKey, &oauth.TokenSourceOptions{HTTPClient: cfg.HTTPClient, Network: network, Now: cfg.Now})
	}
	if tokens == nil {
		return nil, invalidf("Mastodon needs an access token: set Config.Tokens (see mastodon.RegisterApp and mastodon.OAuthConfig)")
	}
	now := cfg.Now
	if now == nil {
		now = time.Now
	}
	c, err := transport.New(network, &transport.Options{
		BaseURL:           server,
		HTTPClient:        cfg.HTTPClient,
		UserAgent:         cfg.UserAgent,
		Tokens:            tokens,
		ErrorMapper:       mapError,
		Dialect:           transport.DialectMastodon,
		IdempotencyHeader: "Idempotency-Key",
		Limits: map[string]transport.Limit{
			classAPI:    window(300, 5*time.Minute),
			classMedia:  window(30, 30*time.Minute),
			classDelete: window(30, 30*time.Minute),
		},
		Logger: cfg.Logger,
		Now:    now,
	})
	if err != nil {
		return nil, err
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 5 * time.Minute}
	}
	return &Driver{
		c: c, server: server, account: strings.TrimPrefix(cfg.Account, "@"),
		vis: o.Visibility, wait: o.MediaWait, poll: o.MediaPoll, sleep: o.Sleep, now: now, hc: hc,
	}, nil
}

func sleep(ctx context.Context, d time.Duration) error {
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return ctx.Err()
	}
}

// normalizeServer returns the instance's base URL without a trailing '/'.
func normalizeServer(s string) (string, error) {
	if s == "" {
		return DefaultServer, nil
	}
	if !strings.Contains(s, "://") {
		s = "https://" + s
	}
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return "", invalidf("Config.Server %q is not an http(s) URL of a Mastodon instance", s)
	}
	if u.RawQuery != "" || u.Fragment != "" || u.User != nil {
		return "", invalidf("Config.Server must be the instance's base URL, without query, fragment or credentials")
	}
	return strings.TrimRight(u.Scheme+"://"+u.Host+u.Path, "/"), nil
}

func invalidf(format string, args ...any) *driver.Error {
	e := driver.Errorf(driver.InvalidContent, format, args...)
	e.Network = network
	return e
}

// As sets target to the driver's raw client: **transport.Client (to call
// any Mastodon endpoint with the driver's token, pacing and error mapping)
// or *string (the instance's base URL).
func (d *Driver) As(target any) bool {
	switch t := target.(type) {
	case **transport.Client:
		*t = d.c
		return true
	case *string:
		*t = d.server
		return true
	}
	return false
}

// self returns the token's account (GET /api/v1/accounts/verify_credentials),
// read once.
func (d *Driver) self(ctx context.Context) (*account, error) {
	d.mu.Lock()
	me := d.me
	d.mu.Unlock()
	if me != nil {
		return me, nil
	}
	var a account
	if err := d.c.GetJSON(ctx, classAPI, "/api/v1/accounts/verify_credentials", nil, &a); err != nil {
		return nil, err
	}
	if a.ID == "" {
		return nil, &driver.Error{Code: driver.Unknown, Network: network, Message: "verify_credentials returned no account ID"}
	}
	d.mu.Lock()
	d.me = &a
	d.mu.Unlock()
	return &a, nil
}

// Describe reads the token's account (GET
// /api/v1/accounts/verify_credentials) and the instance's limits (GET
// /api/v2/instance). An instance without the v2 endpoint (Mastodon before
// 4.0) gets connectors.PresetLimits("mastodon"). Description.Idempotent is
// true unless the instance runs GoToSocial, which ignores Idempotency-Key.
func (d *Driver) Describe(ctx context.Context) (driver.Description, error) {
	me, err := d.self(ctx)
	if err != nil {
		return driver.Description{}, err
	}
	if d.account != "" && !sameAccount(d.account, me, d.server) {
		return driver.Description{}, &driver.Error{Code: driver.PermissionDenied, Network: network, Op: "Describe",
			Message: "the token belongs to @" + me.Acct + ", not @" + d.account + " (Config.Account)"}
	}
	limits, _ := connectors.PresetLimits(network)
	idempotent := true
	var in instance
	err = d.c.DoJSON(ctx, &transport.Request{Path: "/api/v2/instance", Class: classAPI}, &in)
	switch {
	case err == nil:
		limits = instanceLimits(limits, &in)
		idempotent = !isGoToSocial(&in)
	case errors.Is(err, driver.ErrNotFound):
		// Mastodon < 4.0: keep the preset.
	default:
		return driver.Description{}, err
	}
	handle := me.Acct
	if !strings.Contains(handle, "@") {
		domain := in.AccountDomain
		if domain == "" {
			domain = in.Domain
		}
		if domain == "" {
			if u, err := url.Parse(d.server); err == nil {
				domain = u.Hostname()
			}
		}
		handle += "@" + domain
	}
	return driver.Description{
		Network:     network,
		DisplayName: "Mastodon",
		AccountID:   me.ID,
		Handle:      handle,
		URL:         me.URL,
		Limits:      limits,
		Idempotent:  idempotent,
	}, nil
}

// sameAccount reports whether want ("brand" or "brand@host") names me.
func sameAccount(want string, me *account, server string) bool {
	user, host, _ := strings.Cut(want, "@")
	if !strings.EqualFold(user, me.Username) {
		return false
	}
	if host == "" {
		return true
	}
	if _, h, ok := strings.Cut(me.Acct, "@"); ok {
		return strings.EqualFold(host, h)
	}
	u, err := url.Parse(server)
	return err == nil && strings.EqualFold(host, u.Hostname())
}

// isGoToSocial reports whether the instance runs GoToSocial.
func isGoToSocial(in *instance) bool {
	s := strings.ToLower(in.SourceURL + " " + in.Version)
	return strings.Contains(s, "gotosocial")
}

// defaultAltText is Mastodon's limit on a media description
// (MediaAttachment::MAX_DESCRIPTION_LENGTH), used when the instance does
// not publish configuration.media_attachments.description_limit.
const defaultAltText = 1500

// instanceLimits overrides the preset with what the instance publishes
// (entities/Instance.md, configuration.statuses and
// configuration.media_attachments).
func instanceLimits(l driver.Limits, in *instance) driver.Limits {
	st, ma := in.Configuration.Statuses, in.Configuration.MediaAttachments
	if st.MaxCharacters > 0 {
		l.MaxText = st.MaxCharacters
	}
	if st.CharactersReservedPerURL > 0 {
		l.URLLength = st.CharactersReservedPerURL
	}
	if st.MaxMediaAttachments > 0 {
		l.MaxImages = st.MaxMediaAttachments
	}
	if ma.ImageSizeLimit > 0 {
		l.MaxImageBytes = ma.ImageSizeLimit
	}
	if ma.VideoSizeLimit > 0 {
		l.MaxVideoBytes = ma.VideoSizeLimit
	}
	l.MaxAltText = defaultAltText
	if ma.DescriptionLimit > 0 {
		l.MaxAltText = ma.DescriptionLimit
	}
	var images, videos []string
	for _, t := range ma.SupportedMIMETypes {
		switch {
		case strings.HasPrefix(t, "image/"):
			images = append(images, t)
		case strings.HasPrefix(t, "video/"):
			videos = append(videos, t)
		}
	}
	if len(images) > 0 {
		l.ImageTypes = images
	}
	if len(videos) > 0 {
		l.VideoTypes = videos
	}
	return l
}

// endpoint returns the OAuth2 endpoints of an instance.
func endpoint(server string) oauth2.Endpoint {
	return oauth2.Endpoint{
		AuthURL:   server + "/oauth/authorize",
		TokenURL:  server + "/oauth/token",
		AuthStyle: oauth2.AuthStyleInParams,
	}
}

// itoa is strconv.Itoa, shortened.
func itoa(n int) string { return strconv.Itoa(n) }
