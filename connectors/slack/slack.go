package slack

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"time"

	"golang.org/x/oauth2"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

func init() { connectors.Register(Network, Open) }

// Network is the registry name of the connector.
const Network = "slack"

// DefaultServer is the Web API root used when driver.Config.Server is
// empty.
const DefaultServer = "https://slack.com/api"

// MetadataEventType is the event_type of the message metadata the driver
// attaches to what it posts: its payload carries the idempotency key
// ("idempotency_key"), the answered message ("reply_to") and a thread
// follow-up's position ("part").
const MetadataEventType = "cmkit_post"

// The Web API rate-limit tiers (docs.slack.dev/apis/web-api/rate-limits):
// requests per minute per method per workspace.
var (
	tier2 = transport.Per(20, time.Minute)
	tier3 = transport.Per(50, time.Minute)
	tier4 = transport.Per(100, time.Minute)
	// chat.postMessage is "special": about one message per second per
	// channel.
	postMessage = transport.Limit{Rate: 1, Burst: 1}
)

// methodLimits is the tier of each method the driver calls; the class of
// a request is its method name.
var methodLimits = map[string]transport.Limit{
	"auth.test":                    tier4, // "Special": treated as Tier 4
	"chat.postMessage":             postMessage,
	"chat.update":                  tier3,
	"chat.delete":                  tier3,
	"conversations.history":        tier3,
	"conversations.replies":        tier3,
	"conversations.info":           tier3,
	"conversations.open":           tier3,
	"conversations.list":           tier2,
	"reactions.add":                tier3,
	"reactions.remove":             tier2,
	"reactions.get":                tier3,
	"files.getUploadURLExternal":   tier4,
	"files.completeUploadExternal": tier4,
}

// Driver is the Slack driver: one channel, posted to by a bot user. It is
// safe for concurrent use.
type Driver struct {
	c       *transport.Client
	channel string
	unfurl  *bool
	now     func() time.Time

	mu      sync.Mutex
	botUser string // the bot's user ID (auth.test user_id)
	team    string // the workspace URL, https://team.slack.com/
}

// Open opens a Slack channel. See the package documentation for the
// meaning of each driver.Config field.
func Open(ctx context.Context, cfg driver.Config) (driver.Driver, error) {
	server := strings.TrimRight(cfg.Server, "/")
	if server == "" {
		server = DefaultServer
	}
	tokens := cfg.Tokens
	if tokens == nil && cfg.Password != "" {
		tokens = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: cfg.Password, TokenType: "Bearer"})
	}
	if tokens == nil {
		return nil, driver.Errorf(driver.Unauthenticated, "slack: no credentials: set Config.Tokens (a bot token, xoxb-...) or Config.Password")
	}
	ch := strings.TrimSpace(cfg.Account)
	if !validChannel(ch) {
		return nil, driver.Errorf(driver.InvalidContent, "slack: Config.Account %q is not a channel ID (such as C0123456789)", ch)
	}
	d := &Driver{channel: ch, now: cfg.Now}
	if d.now == nil {
		d.now = time.Now
	}
	if v, ok := cfg.Options["unfurl_links"]; ok {
		b, err := strconv.ParseBool(v)
		if err != nil {
			return nil, driver.Errorf(driver.InvalidContent, "slack: Options[\"unfurl_links\"] %q is not a boolean", v)
		}
		d.unfurl = &b
	}
	limits := methodLimits
	if p := cfg.Options["pacing"]; p != "" {
		switch p {
		case "off":
			limits = nil
		case "on":
		default:
			return nil, driver.Errorf(driver.InvalidContent, "slack: Options[\"pacing\"] %q: want on or off", p)
		}
	}
	var secrets []string
	if cfg.Password != "" {
		secrets = append(secrets, cfg.Password)
	}
	c, err := transport.New(Network, &transport.Options{
		BaseURL:    server,
		HTTPClient: cfg.HTTPClient,
		UserAgent:  cfg.UserAgent,
		Tokens:     tokens,
		Dialect:    transport.DialectRetryAfter,
		Limits:     limits,
		Logger:     cfg.Logger,
		Now:        cfg.Now,
		Secrets:    secrets,
	})
	if err != nil {
		return nil, driver.Errorf(driver.InvalidContent, "slack: %v", err)
	}
	d.c = c
	return d, nil
}

// validChannel reports whether s looks like a Slack conversation ID:
// upper-case letters and digits, starting with C, G or D.
func validChannel(s string) bool {
	if len(s) < 2 || len(s) > 32 || !strings.ContainsRune("CGD", rune(s[0])) {
		return false
	}
	for i := 0; i < len(s); i++ {
		if (s[i] < 'A' || s[i] > 'Z') && (s[i] < '0' || s[i] > '9') {
			return false
		}
	}
	return true
}

// ID returns the portable ID of a Slack message, "channel:ts", the form
// webhook.SlackID gives.
func ID(channel, ts string) string { return channel + ":" + ts }

// parseID reads "channel:ts".
func parseID(id string) (channel, ts string, err error) {
	ch, ts, ok := strings.Cut(id, ":")
	if !ok || !validChannel(ch) || !validTS(ts) {
		return "", "", &driver.Error{Code: driver.NotFound, Network: Network, Message: "not a Slack message ID (channel:ts, e.g. C0123456789:1503435956.000247): " + strconv.Quote(truncate(id))}
	}
	return ch, ts, nil
}

// validTS reports whether s is a message timestamp, "1503435956.000247".
func validTS(s string) bool {
	sec, frac, ok := strings.Cut(s, ".")
	if !ok || sec == "" || frac == "" || len(s) > 32 {
		return false
	}
	for _, part := range []string{sec, frac} {
		for i := 0; i < len(part); i++ {
			if part[i] < '0' || part[i] > '9' {
				return false
			}
		}
	}
	return true
}

// tsLess compares two message timestamps numerically.
func tsLess(a, b string) bool {
	as, af, _ := strings.Cut(a, ".")
	bs, bf, _ := strings.Cut(b, ".")
	as, bs = strings.TrimLeft(as, "0"), strings.TrimLeft(bs, "0")
	if len(as) != len(bs) {
		return len(as) < len(bs)
	}
	if as != bs {
		return as < bs
	}
	for len(af) < len(bf) {
		af += "0"
	}
	for len(bf) < len(af) {
		bf += "0"
	}
	return af < bf
}

// tsTime reads a message timestamp as a time.
func tsTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}
	}
	var us int64
	if len(frac) == 6 {
		us, _ = strconv.ParseInt(frac, 10, 64)
	}
	return time.Unix(s, us*1000).UTC()
}

// timeTS is the message timestamp of t, for oldest= bounds.
func timeTS(t time.Time) string {
	return strconv.FormatInt(t.Unix(), 10) + "." + strconv.FormatInt(int64(t.Nanosecond()/1000)+1000000, 10)[1:]
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
}

// envelope is the part of every Web API response the driver checks.
type envelope struct {
	OK               bool   `json:"ok"`
	Error            string `json:"error"`
	Needed           string `json:"needed"`
	Warning          string `json:"warning"`
	ResponseMetadata struct {
		NextCursor string   `json:"next_cursor"`
		Messages   []string `json:"messages"`
	} `json:"response_metadata"`
}

// call invokes a Web API method: args of type url.Values are sent as a
// form, anything else as JSON (application/json; charset=utf-8). write
// says the call creates something whose outcome matters when lost
// (chat.postMessage): it is then not idempotent, and fatal_error is
// Indeterminate. out receives the whole response; an "ok": false answer
// is classified by its error name.
func (d *Driver) call(ctx context.Context, method string, args any, write bool, out any) error {
	req := &transport.Request{Method: http.MethodPost, Path: "/" + method, Class: method, Idempotent: !write}
	if form, ok := args.(url.Values); ok {
		req.Form = form
	} else {
		b, err := json.Marshal(args)
		if err != nil {
			return err
		}
		req.Body, req.ContentType = b, "application/json; charset=utf-8"
	}
	resp, err := d.c.Do(ctx, req)
	if err != nil {
		return err
	}
	return decode(method, write, resp.StatusCode, resp.Body, out)
}

// decode checks a Web API response body and decodes it into out.
func decode(method string, write bool, status int, body []byte, out any) error {
	var env envelope
	if err := json.Unmarshal(body, &env); err != nil {
		code := driver.Unknown
		if write {
			code = driver.Indeterminate
		}
		return &driver.Error{Code: code, Network: Network, Status: status, Message: method + ": the response is not JSON: " + err.Error(), Err: err}
	}
	if !env.OK {
		return apiError(method, write, status, &env)
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(body, out); err != nil {
		code := driver.Unknown
		if write {
			code = driver.Indeterminate
		}
		return &driver.Error{Code: code, Network: Network, Status: status, Message: method + ": decoding the response: " + err.Error(), Err: err}
	}
	return nil
}

// Describe checks the token (auth.test) and reads the channel
// (conversations.info).
func (d *Driver) Describe(ctx context.Context) (driver.Description, error) {
	if _, err := d.bot(ctx); err != nil {
		return driver.Description{}, err
	}
	info, err := d.info(ctx)
	if err != nil {
		return driver.Description{}, err
	}
	d.mu.Lock()
	team := d.team
	d.mu.Unlock()
	desc := driver.Description{
		Network:     Network,
		DisplayName: "Slack",
		AccountID:   d.channel,
		Handle:      info.Channel.Name,
		Limits:      Limits(),
	}
	if team != "" {
		desc.URL = strings.TrimRight(team, "/") + "/archives/" + d.channel
	}
	if info.Channel.IsIM {
		desc.Declined |= driver.CapAccountMetrics
	}
	return desc, nil
}

// bot returns the bot's user ID, read once with auth.test.
func (d *Driver) bot(ctx context.Context) (string, error) {
	d.mu.Lock()
	id := d.botUser
	d.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var at struct {
		URL    string `json:"url"`
		UserID string `json:"user_id"`
		BotID  string `json:"bot_id"`
	}
	if err := d.call(ctx, "auth.test", url.Values{}, false, &at); err != nil {
		return "", err
	}
	d.mu.Lock()
	d.botUser, d.team = at.UserID, at.URL
	d.mu.Unlock()
	return at.UserID, nil
}

type channelInfo struct {
	Channel struct {
		ID         string `json:"id"`
		Name       string `json:"name"`
		IsIM       bool   `json:"is_im"`
		NumMembers *int64 `json:"num_members"`
	} `json:"channel"`
}

func (d *Driver) info(ctx context.Context) (channelInfo, error) {
	var info channelInfo
	err := d.call(ctx, "conversations.info", url.Values{"channel": {d.channel}, "include_num_members": {"true"}}, false, &info)
	return info, err
}

// Limits are Slack's content limits for a bot message.
func Limits() driver.Limits {
	l, _ := connectors.PresetLimits(Network)
	// chat.postMessage: "Provide no more than 40,000 characters or risk
	// truncation." Images are attached as image blocks over uploaded
	// files (files.getUploadURLExternal); an image block's alt_text is
	// limited to 2000 characters (reference/block-kit/blocks/image-block).
	// cmkit attaches at most 10 images per message.
	l.MaxImages = 10
	l.MaxAltText = 2000
	l.ImageTypes = []string{"image/png", "image/jpeg", "image/gif"}
	l.VideoTypes = []string{}
	l.MixedMedia = false
	// Post.Thread follow-ups are replies in the post's thread.
	l.Threads = true
	return l
}

// As sets target to the driver's *transport.Client.
func (d *Driver) As(target any) bool {
	if p, ok := target.(**transport.Client); ok {
		*p = d.c
		return true
	}
	return false
}

// Compile-time checks of the interfaces the driver implements.
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
