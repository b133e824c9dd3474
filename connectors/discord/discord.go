package discord

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
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
	"github.com/cmkit/cmkit/connectors/transport"
)

func init() { connectors.Register(Network, Open) }

// Network is the registry name of the connector.
const Network = "discord"

// DefaultServer is the API root used when driver.Config.Server is empty.
const DefaultServer = "https://discord.com/api/v10"

// GlobalRate is Discord's global limit: 50 requests per second per bot
// (topics/rate-limits.mdx "Global Rate Limit").
const GlobalRate = 50

// Endpoint classes requests are paced under. Discord announces each
// route's bucket in its headers; the transport follows them per class.
const (
	classMessagePost   = "messages:post"
	classMessageGet    = "messages:get"
	classMessagePatch  = "messages:patch"
	classMessageDelete = "messages:delete"
	classReaction      = "reactions"
	classThread        = "threads:post"
	classChannel       = "channels:get"
	classGuild         = "guilds:get"
	classUser          = "users"
	classWebhook       = "webhook"
)

// Driver is the Discord driver: one text channel, written to by a bot
// (Authorization: Bot) or through an incoming webhook. It is safe for
// concurrent use.
type Driver struct {
	c       *transport.Client
	channel string // the account's channel ID
	hasBot  bool   // a bot token is configured
	webhook *webhookRef
	now     func() time.Time

	mu    sync.Mutex
	botID string // the bot's user ID, read once
	guild string // the channel's guild, read once
	known bool   // guild was read
	name  string // the channel's name
}

// ch returns the account's channel ID (learned from the webhook by
// Describe when Config.Account is empty).
func (d *Driver) ch() string {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.channel
}

// webhookRef is an incoming webhook: its ID and token, and the URL of
// its execute endpoint.
type webhookRef struct {
	id, token, url string
}

// Open opens a Discord channel. See the package documentation for the
// meaning of each driver.Config field.
func Open(ctx context.Context, cfg driver.Config) (driver.Driver, error) {
	server := strings.TrimRight(cfg.Server, "/")
	if server == "" {
		server = DefaultServer
	}
	d := &Driver{channel: strings.TrimSpace(cfg.Account), now: cfg.Now}
	if d.now == nil {
		d.now = time.Now
	}
	tokens := cfg.Tokens
	if tokens == nil && cfg.Password != "" {
		tokens = oauth2.StaticTokenSource(&oauth2.Token{AccessToken: cfg.Password, TokenType: "Bot"})
	}
	d.hasBot = tokens != nil
	var secrets []string
	if cfg.Password != "" {
		secrets = append(secrets, cfg.Password)
	}
	if raw := cfg.Options["webhook"]; raw != "" {
		wh, err := parseWebhookURL(raw)
		if err != nil {
			return nil, err
		}
		d.webhook = wh
		secrets = append(secrets, wh.token)
	}
	if !d.hasBot && d.webhook == nil {
		return nil, driver.Errorf(driver.Unauthenticated, "discord: no credentials: set Config.Tokens (token type \"Bot\"), Config.Password (the bot token) or Options[\"webhook\"] (an incoming webhook URL)")
	}
	if d.hasBot && d.channel == "" {
		return nil, driver.Errorf(driver.InvalidContent, "discord: Config.Account must be the channel ID the bot posts to")
	}
	if d.channel != "" && !isSnowflake(d.channel) {
		return nil, driver.Errorf(driver.InvalidContent, "discord: Config.Account %q is not a channel ID (a snowflake such as 1229876543210987654)", d.channel)
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{}
	}
	paced := *hc
	paced.Transport = &globalPacer{next: hc.Transport, lim: rate.NewLimiter(GlobalRate, GlobalRate)}
	c, err := transport.New(Network, &transport.Options{
		BaseURL:     server,
		HTTPClient:  &paced,
		UserAgent:   userAgent(cfg.UserAgent),
		Tokens:      tokens,
		ErrorMapper: mapError,
		Dialect:     transport.DialectDiscord,
		Logger:      cfg.Logger,
		Now:         cfg.Now,
		Secrets:     secrets,
	})
	if err != nil {
		return nil, driver.Errorf(driver.InvalidContent, "discord: %v", err)
	}
	d.c = c
	return d, nil
}

// userAgent follows Discord's required format, "DiscordBot ($url,
// $versionNumber)" (reference.mdx "User Agent").
func userAgent(ua string) string {
	if ua == "" {
		ua = "cmkit"
	}
	return "DiscordBot (https://github.com/cmkit/cmkit, 1) " + ua
}

// parseWebhookURL reads https://discord.com/api/webhooks/{id}/{token}.
func parseWebhookURL(raw string) (*webhookRef, error) {
	bad := func(why string) error {
		return driver.Errorf(driver.InvalidContent, "discord: Options[\"webhook\"] is not an incoming webhook URL (%s); want https://discord.com/api/webhooks/{id}/{token}", why)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, bad("not an absolute URL")
	}
	i := strings.Index(u.Path, "/webhooks/")
	if i < 0 {
		return nil, bad("no /webhooks/ in its path")
	}
	parts := strings.Split(strings.Trim(u.Path[i+len("/webhooks/"):], "/"), "/")
	if len(parts) != 2 || !isSnowflake(parts[0]) || parts[1] == "" {
		return nil, bad("want /webhooks/{id}/{token}")
	}
	u.RawQuery, u.Fragment = "", ""
	return &webhookRef{id: parts[0], token: parts[1], url: u.String()}, nil
}

// globalPacer keeps a driver under Discord's global limit of 50 requests
// per second. It only waits; it never resends.
type globalPacer struct {
	next http.RoundTripper
	lim  *rate.Limiter
}

func (p *globalPacer) RoundTrip(r *http.Request) (*http.Response, error) {
	if err := p.lim.Wait(r.Context()); err != nil {
		return nil, err
	}
	next := p.next
	if next == nil {
		next = http.DefaultTransport
	}
	return next.RoundTrip(r)
}

// isSnowflake reports whether s is a Discord ID: a decimal uint64.
func isSnowflake(s string) bool {
	if s == "" || len(s) > 20 {
		return false
	}
	_, err := strconv.ParseUint(s, 10, 64)
	return err == nil
}

// discordEpochMs is the Discord epoch, 2015-01-01T00:00:00Z, in Unix ms.
const discordEpochMs = 1420070400000

// snowflakeTime reads the creation time of a snowflake.
func snowflakeTime(id string) time.Time {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(n>>22) + discordEpochMs).UTC()
}

// snowflakeAt returns the smallest snowflake created at t, for after=
// cursors derived from PageRequest.Since.
func snowflakeAt(t time.Time) string {
	ms := t.UnixMilli() - discordEpochMs
	if ms <= 0 {
		return "0"
	}
	return strconv.FormatUint(uint64(ms)<<22-1, 10)
}

// less compares two snowflakes numerically.
func less(a, b string) bool {
	if len(a) != len(b) {
		return len(a) < len(b)
	}
	return a < b
}

// ref is a message: its channel and ID.
type ref struct{ channel, id string }

// parseID reads a message ID: a snowflake in the account's channel, or
// "channel:message" in another channel (a thread, a DM).
func (d *Driver) parseID(id string) (ref, error) {
	ch, msg, ok := strings.Cut(id, ":")
	if !ok {
		ch, msg = d.ch(), id
	}
	if !isSnowflake(ch) || !isSnowflake(msg) {
		return ref{}, &driver.Error{Code: driver.NotFound, Network: Network, Message: fmt.Sprintf("%q is not a Discord message ID (a snowflake, or channel:message)", id)}
	}
	return ref{ch, msg}, nil
}

// formatID is the portable ID of a message: its snowflake in the
// account's channel, "channel:message" elsewhere.
func (d *Driver) formatID(channel, id string) string {
	if channel == "" || channel == d.ch() {
		return id
	}
	return channel + ":" + id
}

// nonce derives a Discord nonce (at most 25 characters) from an
// idempotency key and the position of the message in a thread.
func nonce(key string, i int) string {
	if key == "" {
		return ""
	}
	h := sha256.Sum256([]byte(key + "\x00" + strconv.Itoa(i)))
	return hex.EncodeToString(h[:])[:25]
}

func (d *Driver) unsupported(what string) error {
	return &driver.Error{Code: driver.Unsupported, Network: Network, Message: what + " needs a bot token (Config.Tokens or Config.Password); this account only has an incoming webhook"}
}

// channelInfo is the part of a channel object the driver reads.
type channelInfo struct {
	ID      string `json:"id"`
	Type    int    `json:"type"`
	Name    string `json:"name"`
	GuildID string `json:"guild_id"`
}

// user is a Discord user object.
type user struct {
	ID         string `json:"id"`
	Username   string `json:"username"`
	GlobalName string `json:"global_name"`
	Bot        bool   `json:"bot"`
}

// Describe reads the channel (and the bot user) once: GET
// /channels/{id} and GET /users/@me, or GET /webhooks/{id}/{token} for
// an account with only a webhook.
func (d *Driver) Describe(ctx context.Context) (driver.Description, error) {
	desc := driver.Description{
		Network:     Network,
		DisplayName: "Discord",
		Limits:      Limits(),
		Idempotent:  d.hasBot,
	}
	if !d.hasBot {
		var wh struct {
			ChannelID string `json:"channel_id"`
			GuildID   string `json:"guild_id"`
			Name      string `json:"name"`
		}
		if err := d.c.DoJSON(ctx, &transport.Request{Path: d.webhook.url, Class: classWebhook, NoAuth: true}, &wh); err != nil {
			return driver.Description{}, err
		}
		d.mu.Lock()
		if d.channel == "" {
			d.channel = wh.ChannelID
		}
		d.guild, d.name, d.known = wh.GuildID, wh.Name, true
		d.mu.Unlock()
		desc.AccountID, desc.Handle = wh.ChannelID, wh.Name
		desc.URL = channelURL(wh.GuildID, wh.ChannelID)
		desc.Declined = driver.CapComments | driver.CapMentions | driver.CapReply | driver.CapDeleteComment |
			driver.CapLike | driver.CapPostMetrics | driver.CapAccountMetrics | driver.CapSendMessages | driver.CapThreads
		desc.Limits.Threads = false
		return desc, nil
	}
	ch, err := d.channelInfo(ctx)
	if err != nil {
		return driver.Description{}, err
	}
	if _, err := d.bot(ctx); err != nil {
		return driver.Description{}, err
	}
	desc.AccountID, desc.Handle, desc.URL = ch.ID, ch.Name, channelURL(ch.GuildID, ch.ID)
	if ch.GuildID == "" {
		desc.Declined |= driver.CapAccountMetrics
	}
	return desc, nil
}

func channelURL(guild, channel string) string {
	if guild == "" {
		guild = "@me"
	}
	return "https://discord.com/channels/" + guild + "/" + channel
}

// channelInfo reads the account's channel.
func (d *Driver) channelInfo(ctx context.Context) (channelInfo, error) {
	var ch channelInfo
	if err := d.c.GetJSON(ctx, classChannel, "/channels/"+d.ch(), nil, &ch); err != nil {
		return ch, err
	}
	d.mu.Lock()
	d.guild, d.name, d.known = ch.GuildID, ch.Name, true
	d.mu.Unlock()
	return ch, nil
}

// bot returns the bot's user ID, read once with GET /users/@me.
func (d *Driver) bot(ctx context.Context) (string, error) {
	d.mu.Lock()
	id := d.botID
	d.mu.Unlock()
	if id != "" {
		return id, nil
	}
	var u user
	if err := d.c.GetJSON(ctx, classUser, "/users/@me", nil, &u); err != nil {
		return "", err
	}
	if u.ID == "" {
		return "", &driver.Error{Code: driver.Unknown, Network: Network, Message: "GET /users/@me returned no user ID"}
	}
	d.mu.Lock()
	d.botID = u.ID
	d.mu.Unlock()
	return u.ID, nil
}

// Limits are Discord's content limits for a bot message.
func Limits() driver.Limits {
	l, _ := connectors.PresetLimits(Network)
	// resources/message.mdx "Create Message": content up to 2000
	// characters; up to 10 attachments (files[n]) in a request of at most
	// 25 MiB; an attachment's description (alt text) up to 1024.
	l.MaxImages, l.MaxVideos = 10, 10
	l.MixedMedia = true
	l.MaxAltText = 1024
	// A thread started from the post (channel.mdx "Start Thread from
	// Message") holds the follow-ups.
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

// ErrorAs sets target to the *APIError behind err, when Discord sent one.
func (d *Driver) ErrorAs(err error, target any) bool {
	p, ok := target.(**APIError)
	if !ok {
		return false
	}
	de, ok := asDriverError(err)
	if !ok {
		return false
	}
	ae, ok := de.Err.(*APIError)
	if ok {
		*p = ae
	}
	return ok
}

// Compile-time checks of the interfaces the driver implements.
var (
	_ driver.Driver               = (*Driver)(nil)
	_ driver.Deleter              = (*Driver)(nil)
	_ driver.Editor               = (*Driver)(nil)
	_ driver.CommentLister        = (*Driver)(nil)
	_ driver.MentionLister        = (*Driver)(nil)
	_ driver.Replier              = (*Driver)(nil)
	_ driver.CommentDeleter       = (*Driver)(nil)
	_ driver.Liker                = (*Driver)(nil)
	_ driver.PostMetricsReader    = (*Driver)(nil)
	_ driver.AccountMetricsReader = (*Driver)(nil)
	_ driver.MessageSender        = (*Driver)(nil)
	_ driver.Aser                 = (*Driver)(nil)
	_ driver.ErrorAser            = (*Driver)(nil)
)
