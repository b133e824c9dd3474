package webhook

import (
	"context"
	"crypto/ed25519"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strconv"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// Sink receives the interactions of verified deliveries.
//
// Deliver is called once per delivery that yields new interactions, with
// the network's registry name ("facebook", "instagram", "slack",
// "discord", "telegram", "x") and the interactions in payload order. It
// should be quick (enqueue, then return): networks give up after a few
// seconds (Slack and Discord after 3) and redeliver. A non-nil error makes
// the handler answer 500 so that the network redelivers, and forgets the
// interactions so that the redelivery is not taken for a duplicate.
// Deliver may be called concurrently.
type Sink interface {
	Deliver(ctx context.Context, network string, items []driver.Interaction) error
}

// SinkFunc adapts a function to Sink.
type SinkFunc func(ctx context.Context, network string, items []driver.Interaction) error

// Deliver calls f.
func (f SinkFunc) Deliver(ctx context.Context, network string, items []driver.Interaction) error {
	return f(ctx, network, items)
}

// Options configure a handler. A nil *Options means all defaults.
type Options struct {
	// MaxBodyBytes caps the request body; a larger body is answered 413
	// without being read further. Defaults to 1 MiB.
	MaxBodyBytes int64
	// ReplayWindow is how far a signed timestamp (Slack, Discord) may be
	// from Now, in either direction. Defaults to DefaultReplayWindow (5
	// minutes).
	ReplayWindow time.Duration
	// DedupSize is how many delivered interaction keys are remembered to
	// drop redeliveries. Defaults to 10000; a negative value disables
	// deduplication.
	DedupSize int
	// DedupTTL is how long a delivered key is remembered. Defaults to 24
	// hours.
	DedupTTL time.Duration
	// Now returns the current time. Defaults to time.Now.
	Now func() time.Time
	// Logger receives one record per rejected or failed request (Warn) and
	// per delivery (Debug). Records carry the network, status and reason,
	// never secrets, signatures or bodies. Nil discards.
	Logger *slog.Logger
	// DiscordAck is the content of the ephemeral message Discord shows the
	// user once the sink accepted a command or modal submission. Defaults
	// to "✅".
	DiscordAck string
}

// DefaultMaxBodyBytes is the default Options.MaxBodyBytes.
const DefaultMaxBodyBytes = 1 << 20

type config struct {
	maxBody int64
	window  time.Duration
	now     func() time.Time
	log     *slog.Logger
	dedup   *dedup
	ack     string
}

func (o *Options) config() config {
	var c config
	var opt Options
	if o != nil {
		opt = *o
	}
	c.maxBody = opt.MaxBodyBytes
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	c.window = opt.ReplayWindow
	if c.window <= 0 {
		c.window = DefaultReplayWindow
	}
	c.now = opt.Now
	if c.now == nil {
		c.now = time.Now
	}
	c.log = opt.Logger
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if opt.DedupSize >= 0 {
		size, ttl := opt.DedupSize, opt.DedupTTL
		if size == 0 {
			size = 10000
		}
		if ttl <= 0 {
			ttl = 24 * time.Hour
		}
		c.dedup = newDedup(size, ttl)
	}
	c.ack = opt.DiscordAck
	if c.ack == "" {
		c.ack = "✅"
	}
	return c
}

// endpoint is what every network's handler shares.
type endpoint struct {
	network string // for logs and for Sink when the payload does not say
	sink    Sink
	config
}

func newEndpoint(network string, sink Sink, opts *Options) endpoint {
	return endpoint{network: network, sink: sink, config: opts.config()}
}

func (e *endpoint) fail(w http.ResponseWriter, r *http.Request, status int, reason string) {
	e.log.LogAttrs(r.Context(), slog.LevelWarn, "webhook request rejected",
		slog.String("network", e.network), slog.Int("status", status), slog.String("reason", reason))
	http.Error(w, http.StatusText(status), status)
}

func (e *endpoint) methodNotAllowed(w http.ResponseWriter, r *http.Request, allow string) {
	w.Header().Set("Allow", allow)
	e.fail(w, r, http.StatusMethodNotAllowed, "method "+r.Method+" not allowed")
}

// readBody reads the capped body; on failure it has answered and returns
// false.
func (e *endpoint) readBody(w http.ResponseWriter, r *http.Request) ([]byte, bool) {
	if r.ContentLength > e.maxBody {
		e.fail(w, r, http.StatusRequestEntityTooLarge, "body of "+strconv.FormatInt(r.ContentLength, 10)+" bytes over the limit")
		return nil, false
	}
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, e.maxBody))
	if err != nil {
		var tooBig *http.MaxBytesError
		if errors.As(err, &tooBig) {
			e.fail(w, r, http.StatusRequestEntityTooLarge, "body over the limit")
		} else {
			e.fail(w, r, http.StatusBadRequest, "reading body failed")
		}
		return nil, false
	}
	return body, true
}

func (e *endpoint) rejectSignature(w http.ResponseWriter, r *http.Request, err error) {
	e.fail(w, r, http.StatusUnauthorized, err.Error())
}

func (e *endpoint) rejectPayload(w http.ResponseWriter, r *http.Request, err error) {
	e.fail(w, r, http.StatusBadRequest, err.Error())
}

// deliver hands new interactions to the sink. It reports whether the
// request succeeded; on failure it has answered 500.
func (e *endpoint) deliver(w http.ResponseWriter, r *http.Request, network string, p parsed) bool {
	items, keys := p.items, p.keys
	if len(items) == 0 {
		return true
	}
	var reserved []string
	if e.dedup != nil {
		full := make([]string, len(keys))
		for i, k := range keys {
			full[i] = network + "\x00" + k
		}
		fresh := e.dedup.reserve(e.now(), full)
		if len(fresh) < len(items) {
			e.log.LogAttrs(r.Context(), slog.LevelDebug, "webhook redelivery dropped",
				slog.String("network", network), slog.Int("duplicates", len(items)-len(fresh)))
		}
		if len(fresh) == 0 {
			return true
		}
		kept := make([]driver.Interaction, len(fresh))
		reserved = make([]string, len(fresh))
		for j, i := range fresh {
			kept[j], reserved[j] = items[i], full[i]
		}
		items = kept
	}
	committed := false
	defer func() {
		if !committed && reserved != nil {
			e.dedup.release(reserved)
		}
	}()
	if err := e.sink.Deliver(r.Context(), network, items); err != nil {
		e.log.LogAttrs(r.Context(), slog.LevelWarn, "webhook sink failed",
			slog.String("network", network), slog.Int("status", http.StatusInternalServerError),
			slog.Int("items", len(items)), slog.String("error", err.Error()))
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return false
	}
	if reserved != nil {
		e.dedup.commit(e.now(), reserved)
	}
	committed = true
	e.log.LogAttrs(r.Context(), slog.LevelDebug, "webhook delivered",
		slog.String("network", network), slog.Int("items", len(items)))
	return true
}

func writeJSON(w http.ResponseWriter, v any) {
	b, err := json.Marshal(v)
	if err != nil {
		http.Error(w, http.StatusText(http.StatusInternalServerError), http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(http.StatusOK)
	_, _ = w.Write(b)
}

func equalConstantTime(a, b string) bool {
	x, y := sha256.Sum256([]byte(a)), sha256.Sum256([]byte(b))
	return subtle.ConstantTimeCompare(x[:], y[:]) == 1
}

// maxChallengeBytes bounds the challenges echoed back (Meta's hub.challenge
// is a short number).
const maxChallengeBytes = 1024

// Meta returns the handler of a Meta webhook (Facebook Pages, Instagram,
// Messenger) for an app. GET answers the subscription handshake: with
// hub.mode=subscribe and hub.verify_token equal to verifyToken (compared in
// constant time) it echoes hub.challenge, otherwise 403. POST verifies
// X-Hub-Signature-256 with appSecret (401 when wrong), parses the body with
// ParseMeta (400 when malformed) and delivers under "facebook" or
// "instagram". Other methods get 405.
func Meta(appSecret, verifyToken string, sink Sink, opts *Options) http.Handler {
	return &metaHandler{endpoint: newEndpoint(metaNetwork, sink, opts), secret: []byte(appSecret), verifyToken: verifyToken}
}

type metaHandler struct {
	endpoint
	secret      []byte
	verifyToken string
}

func (h *metaHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		q := r.URL.Query()
		challenge := q.Get("hub.challenge")
		if q.Get("hub.mode") != "subscribe" || h.verifyToken == "" || !equalConstantTime(q.Get("hub.verify_token"), h.verifyToken) {
			h.fail(w, r, http.StatusForbidden, "verification handshake refused")
			return
		}
		if challenge == "" || len(challenge) > maxChallengeBytes {
			h.fail(w, r, http.StatusBadRequest, "missing or oversized hub.challenge")
			return
		}
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, _ = io.WriteString(w, challenge)
	case http.MethodPost:
		body, ok := h.readBody(w, r)
		if !ok {
			return
		}
		if err := VerifyMeta(h.secret, r.Header.Get(HeaderMetaSignature), body); err != nil {
			h.rejectSignature(w, r, err)
			return
		}
		network, p, err := parseMeta(body)
		if err != nil {
			h.rejectPayload(w, r, err)
			return
		}
		if h.deliver(w, r, network, p) {
			w.WriteHeader(http.StatusOK)
		}
	default:
		h.methodNotAllowed(w, r, "GET, POST")
	}
}

// Slack returns the handler of a Slack Events API Request URL. It accepts
// POST only (405 otherwise), verifies X-Slack-Signature and
// X-Slack-Request-Timestamp with signingSecret within Options.ReplayWindow
// (401 when wrong or stale), answers url_verification with its challenge,
// parses event_callback bodies with ParseSlack and delivers under "slack".
// Retries (X-Slack-Retry-Num) of delivered events are acknowledged without
// reaching the sink.
func Slack(signingSecret string, sink Sink, opts *Options) http.Handler {
	return &slackHandler{endpoint: newEndpoint(slackNetwork, sink, opts), secret: []byte(signingSecret)}
}

type slackHandler struct {
	endpoint
	secret []byte
}

func (h *slackHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		h.methodNotAllowed(w, r, "POST")
		return
	}
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	if err := VerifySlack(h.secret, r.Header.Get(HeaderSlackTimestamp), r.Header.Get(HeaderSlackSignature), body, h.now(), h.window); err != nil {
		h.rejectSignature(w, r, err)
		return
	}
	p, env, err := parseSlack(body)
	if err != nil {
		h.rejectPayload(w, r, err)
		return
	}
	if env.Type == "url_verification" {
		if env.Challenge == "" || len(env.Challenge) > maxChallengeBytes {
			h.fail(w, r, http.StatusBadRequest, "missing or oversized challenge")
			return
		}
		writeJSON(w, map[string]string{"challenge": env.Challenge})
		return
	}
	if n := r.Header.Get(HeaderSlackRetryNum); n != "" {
		h.log.LogAttrs(r.Context(), slog.LevelDebug, "webhook retry", slog.String("network", slackNetwork), slog.String("retry", n))
	}
	if h.deliver(w, r, slackNetwork, p) {
		w.WriteHeader(http.StatusOK)
	}
}

// Discord returns the handler of a Discord application's Interactions
// Endpoint URL. It accepts POST only (405 otherwise), verifies
// X-Signature-Ed25519 over X-Signature-Timestamp and the body with
// publicKey, and refuses a timestamp outside Options.ReplayWindow (401
// either way, as Discord requires). It answers PING with {"type":1}. An
// application command or modal submission is parsed with ParseDiscord,
// delivered under "discord", and answered with an ephemeral message
// (Options.DiscordAck); a component click is acknowledged with a deferred
// update (type 6) and an autocomplete with no choices. When the sink fails
// the answer is 500 and Discord shows the user that the interaction
// failed: Discord does not redeliver interactions.
func Discord(publicKey ed25519.PublicKey, sink Sink, opts *Options) http.Handler {
	return &discordHandler{endpoint: newEndpoint(discordNetwork, sink, opts), key: publicKey}
}

type discordHandler struct {
	endpoint
	key ed25519.PublicKey
}

func (h *discordHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		h.methodNotAllowed(w, r, "POST")
		return
	}
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	ts := r.Header.Get(HeaderDiscordTimestamp)
	if err := VerifyDiscord(h.key, ts, r.Header.Get(HeaderDiscordSignature), body); err != nil {
		h.rejectSignature(w, r, err)
		return
	}
	if err := checkTimestamp(discordNetwork, ts, h.now(), h.window); err != nil {
		h.rejectSignature(w, r, err)
		return
	}
	p, typ, err := parseDiscord(body)
	if err != nil {
		h.rejectPayload(w, r, err)
		return
	}
	switch typ {
	case discordPing:
		writeJSON(w, map[string]int{"type": 1})
	case discordApplicationCommand, discordModalSubmit:
		if !h.deliver(w, r, discordNetwork, p) {
			return
		}
		writeJSON(w, map[string]any{"type": 4, "data": map[string]any{"content": h.ack, "flags": 64}})
	case discordMessageComponent:
		writeJSON(w, map[string]int{"type": 6})
	case discordAutocomplete:
		writeJSON(w, map[string]any{"type": 8, "data": map[string]any{"choices": []any{}}})
	default:
		h.fail(w, r, http.StatusBadRequest, "unknown interaction type "+strconv.Itoa(typ))
	}
}

// Telegram returns the handler of a Telegram bot webhook set with
// setWebhook(url, secret_token=secretToken). It accepts POST only (405
// otherwise), checks X-Telegram-Bot-Api-Secret-Token against secretToken
// in constant time (401 when wrong; an empty secretToken refuses every
// request), parses the Update with ParseTelegram for bot and delivers
// under "telegram". A redelivered update_id does not reach the sink twice.
func Telegram(secretToken string, bot TelegramBot, sink Sink, opts *Options) http.Handler {
	return &telegramHandler{endpoint: newEndpoint(telegramNetwork, sink, opts), secret: secretToken, bot: bot}
}

type telegramHandler struct {
	endpoint
	secret string
	bot    TelegramBot
}

func (h *telegramHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost {
		h.methodNotAllowed(w, r, "POST")
		return
	}
	// The secret is a header: check it before reading the body.
	if err := VerifyTelegram(h.secret, r.Header.Get(HeaderTelegramSecret)); err != nil {
		h.rejectSignature(w, r, err)
		return
	}
	body, ok := h.readBody(w, r)
	if !ok {
		return
	}
	p, err := parseTelegram(body, h.bot)
	if err != nil {
		h.rejectPayload(w, r, err)
		return
	}
	if h.deliver(w, r, telegramNetwork, p) {
		w.WriteHeader(http.StatusOK)
	}
}

// X returns the handler of an X Account Activity API webhook. GET answers
// the challenge-response check: ?crc_token=... gets
// {"response_token": XCRCResponse(consumerSecret, crc_token)} (400 without
// a token). POST verifies x-twitter-webhooks-signature with consumerSecret
// (401 when wrong), parses the body with ParseX and delivers under "x".
// Other methods get 405.
func X(consumerSecret string, sink Sink, opts *Options) http.Handler {
	return &xHandler{endpoint: newEndpoint(xNetwork, sink, opts), secret: []byte(consumerSecret)}
}

type xHandler struct {
	endpoint
	secret []byte
}

func (h *xHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	switch r.Method {
	case http.MethodGet:
		token := r.URL.Query().Get("crc_token")
		if token == "" || len(token) > maxChallengeBytes {
			h.fail(w, r, http.StatusBadRequest, "missing or oversized crc_token")
			return
		}
		if len(h.secret) == 0 {
			h.fail(w, r, http.StatusInternalServerError, "no consumer secret configured")
			return
		}
		writeJSON(w, map[string]string{"response_token": XCRCResponse(h.secret, token)})
	case http.MethodPost:
		body, ok := h.readBody(w, r)
		if !ok {
			return
		}
		if err := VerifyX(h.secret, r.Header.Get(HeaderXSignature), body); err != nil {
			h.rejectSignature(w, r, err)
			return
		}
		p, err := parseX(body)
		if err != nil {
			h.rejectPayload(w, r, err)
			return
		}
		if h.deliver(w, r, xNetwork, p) {
			w.WriteHeader(http.StatusOK)
		}
	default:
		h.methodNotAllowed(w, r, "GET, POST")
	}
}
