package telegram

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
	"github.com/cmkit/cmkit/connectors/webhook"
)

func init() { connectors.Register(Network, Open) }

// Network is the registry name of the connector.
const Network = "telegram"

// DefaultServer is the Bot API root used when driver.Config.Server is
// empty.
const DefaultServer = "https://api.telegram.org"

// MaxCaption is the limit of a media caption: "0-1024 characters after
// entities parsing" (core.telegram.org/bots/api#sendphoto). Limits cannot
// express it; Publish checks it.
const MaxCaption = 1024

// Endpoint classes (core.telegram.org/bots/faq "My bot is hitting
// limits"): about one message per second in a chat, 20 messages per
// minute in a group, 30 messages per second overall.
const (
	classSend      = "send"       // the account's chat
	classSendGroup = "send:group" // other groups (discussion groups)
	classSendDM    = "send:dm"    // private chats
	classRead      = "read"
)

// Driver is the Telegram driver: one chat (a channel, a group or a
// private chat) written to by a bot. It is safe for concurrent use.
type Driver struct {
	c     *transport.Client
	token string
	parse string // Options["parse_mode"]
	now   func() time.Time

	mu      sync.Mutex
	chat    string // the chat as configured: an ID or @username
	chatID  int64  // resolved by Describe (getChat)
	chatUsr string // the chat's public username, if any
	bot     webhook.TelegramBot
	log     updateLog
}

// Open opens a Telegram chat. See the package documentation for the
// meaning of each driver.Config field.
func Open(ctx context.Context, cfg driver.Config) (driver.Driver, error) {
	token := cfg.Password
	if token == "" && cfg.Tokens != nil {
		tok, err := cfg.Tokens.Token()
		if err != nil {
			return nil, &driver.Error{Code: driver.Unauthenticated, Network: Network, Message: "reading the bot token: " + transport.Scrub(err.Error()), Err: err}
		}
		if tok != nil {
			token = tok.AccessToken
		}
	}
	if token == "" || strings.ContainsAny(token, "/?#% ") {
		return nil, driver.Errorf(driver.Unauthenticated, "telegram: set the bot token from @BotFather in Config.Password or Config.Tokens")
	}
	chat := strings.TrimSpace(cfg.Account)
	d := &Driver{token: token, chat: chat, now: cfg.Now}
	if d.now == nil {
		d.now = time.Now
	}
	switch {
	case strings.HasPrefix(chat, "@") && len(chat) > 1:
	default:
		id, err := strconv.ParseInt(chat, 10, 64)
		if err != nil || id == 0 {
			return nil, driver.Errorf(driver.InvalidContent, "telegram: Config.Account %q is not a chat ID (-1001234567890) or a @channelusername", chat)
		}
		d.chatID = id
	}
	server := strings.TrimRight(cfg.Server, "/")
	if server == "" {
		server = DefaultServer
	}
	limits := map[string]transport.Limit{
		classSend:      transport.Per(20, time.Minute),
		classSendGroup: transport.Per(20, time.Minute),
		classSendDM:    {Rate: 1, Burst: 1},
	}
	if d.chatID > 0 {
		limits[classSend] = transport.Limit{Rate: 1, Burst: 1}
	}
	switch pm := cfg.Options["parse_mode"]; pm {
	case "", "HTML", "MarkdownV2", "Markdown":
		d.parse = pm
	default:
		return nil, driver.Errorf(driver.InvalidContent, "telegram: Options[\"parse_mode\"] %q: want HTML, MarkdownV2 or Markdown", pm)
	}
	switch cfg.Options["pacing"] {
	case "", "on":
	case "off":
		limits = nil
	default:
		return nil, driver.Errorf(driver.InvalidContent, "telegram: Options[\"pacing\"] %q: want on or off", cfg.Options["pacing"])
	}
	c, err := transport.New(Network, &transport.Options{
		BaseURL:     server,
		HTTPClient:  cfg.HTTPClient,
		UserAgent:   cfg.UserAgent,
		ErrorMapper: mapError,
		Dialect:     transport.DialectRetryAfter,
		Limits:      limits,
		Logger:      cfg.Logger,
		Now:         cfg.Now,
		Secrets:     []string{token},
	})
	if err != nil {
		return nil, driver.Errorf(driver.InvalidContent, "telegram: %s", transport.Scrub(err.Error(), token))
	}
	d.c = c
	return d, nil
}

// response is the Bot API envelope.
type response struct {
	OK          bool            `json:"ok"`
	Result      json.RawMessage `json:"result"`
	ErrorCode   int             `json:"error_code"`
	Description string          `json:"description"`
	Parameters  *struct {
		RetryAfter      int   `json:"retry_after"`
		MigrateToChatID int64 `json:"migrate_to_chat_id"`
	} `json:"parameters"`
}

// call invokes a Bot API method with a JSON body (or req's multipart
// body when set) and decodes "result" into out. write marks a call whose
// repetition would act twice (sending a message).
func (d *Driver) call(ctx context.Context, method, class string, args any, write bool, out any) error {
	req := &transport.Request{Method: http.MethodPost, Path: "/bot" + d.token + "/" + method, Class: class, Idempotent: !write, JSON: args}
	if mp, ok := args.(multipartBody); ok {
		req.JSON, req.Body, req.ContentType = nil, mp.body, mp.contentType
	}
	resp, err := d.c.Do(ctx, req)
	if err != nil {
		return err
	}
	var r response
	if err := json.Unmarshal(resp.Body, &r); err != nil || !r.OK {
		code := driver.Unknown
		if write {
			code = driver.Indeterminate
		}
		if err == nil {
			// ok:false with a 2xx status: classify as an error body.
			if e := classify(resp.StatusCode, &r); e != nil {
				return e
			}
		}
		return &driver.Error{Code: code, Network: Network, Status: resp.StatusCode, Message: method + ": unexpected response"}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(r.Result, out); err != nil {
		code := driver.Unknown
		if write {
			code = driver.Indeterminate
		}
		return &driver.Error{Code: code, Network: Network, Status: resp.StatusCode, Message: method + ": decoding the result: " + err.Error(), Err: err}
	}
	return nil
}

type multipartBody struct {
	body        []byte
	contentType string
}

// chatInfo is a Chat object.
type chatInfo struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	Title    string `json:"title"`
	Username string `json:"username"`
}

type userInfo struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
}

// Describe reads the bot (getMe) and the chat (getChat), resolving a
// @username to the chat's ID.
func (d *Driver) Describe(ctx context.Context) (driver.Description, error) {
	var me userInfo
	if err := d.call(ctx, "getMe", classRead, map[string]any{}, false, &me); err != nil {
		return driver.Description{}, err
	}
	var ch chatInfo
	if err := d.call(ctx, "getChat", classRead, map[string]any{"chat_id": d.chat}, false, &ch); err != nil {
		return driver.Description{}, err
	}
	d.mu.Lock()
	d.bot = webhook.TelegramBot{ID: me.ID, Username: me.Username}
	d.chatID, d.chatUsr = ch.ID, ch.Username
	d.mu.Unlock()
	desc := driver.Description{
		Network:     Network,
		DisplayName: "Telegram",
		AccountID:   strconv.FormatInt(ch.ID, 10),
		Handle:      ch.Username,
		Limits:      Limits(),
	}
	if ch.Username != "" {
		desc.URL = "https://t.me/" + ch.Username
	}
	if ch.Type == "private" {
		desc.Declined |= driver.CapAccountMetrics
	}
	return desc, nil
}

// Limits are Telegram's content limits for a bot message.
func Limits() driver.Limits {
	l, _ := connectors.PresetLimits(Network)
	// core.telegram.org/bots/api#sendmessage: text 1-4096 characters;
	// #sendmediagroup: 2-10 photos and videos in an album; #sendphoto:
	// photos up to 10 MB; bots upload files up to 50 MB. Captions are
	// limited to MaxCaption, checked by Publish. Telegram has no alt text.
	l.MaxImages, l.MaxVideos = 10, 10
	l.MixedMedia = true
	l.MaxImageBytes = 10_000_000
	l.MaxVideoBytes = 50_000_000
	// Post.Thread follow-ups reply to the previous message.
	l.Threads = true
	return l
}

func (d *Driver) chatKey() (int64, webhook.TelegramBot) {
	d.mu.Lock()
	defer d.mu.Unlock()
	return d.chatID, d.bot
}

// ID returns the portable ID of a Telegram message, "chat:message", the
// form webhook.TelegramID gives.
func ID(chat, message int64) string { return webhook.TelegramID(chat, message) }

// parseID reads "chat:message".
func parseID(id string) (chat, msg int64, err error) {
	c, m, ok := strings.Cut(id, ":")
	chat, err1 := strconv.ParseInt(c, 10, 64)
	msg, err2 := strconv.ParseInt(m, 10, 64)
	if !ok || err1 != nil || err2 != nil || chat == 0 || msg <= 0 {
		return 0, 0, &driver.Error{Code: driver.NotFound, Network: Network, Message: "not a Telegram message ID (chat:message, e.g. -1001234567890:42): " + strconv.Quote(truncate(id))}
	}
	return chat, msg, nil
}

func truncate(s string) string {
	if len(s) > 64 {
		return s[:64] + "…"
	}
	return s
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
	_ driver.CommentDeleter       = (*Driver)(nil)
	_ driver.Liker                = (*Driver)(nil)
	_ driver.AccountMetricsReader = (*Driver)(nil)
	_ driver.MessageLister        = (*Driver)(nil)
	_ driver.MessageSender        = (*Driver)(nil)
	_ driver.Aser                 = (*Driver)(nil)
)

func unix(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
