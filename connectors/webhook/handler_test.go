package webhook

import (
	"bytes"
	"context"
	"crypto/ed25519"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors/driver"
)

type delivery struct {
	network string
	items   []driver.Interaction
}

// recorder is a Sink that records deliveries and fails while err is set.
type recorder struct {
	mu    sync.Mutex
	got   []delivery
	err   error
	calls int
}

func (r *recorder) Deliver(_ context.Context, network string, items []driver.Interaction) error {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.calls++
	if r.err != nil {
		return r.err
	}
	r.got = append(r.got, delivery{network, items})
	return nil
}

func (r *recorder) deliveries() []delivery {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]delivery(nil), r.got...)
}

var testNow = time.Unix(1700000000, 0)

func testOptions(log io.Writer) *Options {
	o := &Options{Now: func() time.Time { return testNow }}
	if log != nil {
		o.Logger = slog.New(slog.NewTextHandler(log, &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return o
}

func serve(h http.Handler, r *http.Request) *httptest.ResponseRecorder {
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	return w
}

const (
	metaSecret   = "meta-app-secret"
	metaVerify   = "verify-me"
	slackSecret  = "slack-signing-secret"
	xSecret      = "x-consumer-secret"
	telegramTok  = "telegram-secret-token"
	signedTSUnix = "1700000000"
)

func metaPost(body []byte, sig string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/meta", bytes.NewReader(body))
	if sig != "" {
		r.Header.Set(HeaderMetaSignature, sig)
	}
	return r
}

func slackPost(body []byte, ts string, secret string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/slack", bytes.NewReader(body))
	r.Header.Set(HeaderSlackTimestamp, ts)
	r.Header.Set(HeaderSlackSignature, slackSignature([]byte(secret), ts, string(body)))
	return r
}

func discordPost(priv ed25519.PrivateKey, ts string, body []byte) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/discord", bytes.NewReader(body))
	r.Header.Set(HeaderDiscordTimestamp, ts)
	r.Header.Set(HeaderDiscordSignature, hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...))))
	return r
}

func telegramPost(body []byte, token string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/telegram", bytes.NewReader(body))
	if token != "" {
		r.Header.Set(HeaderTelegramSecret, token)
	}
	return r
}

func xPost(body []byte, secret string) *http.Request {
	r := httptest.NewRequest(http.MethodPost, "/x", bytes.NewReader(body))
	r.Header.Set(HeaderXSignature, xSignature([]byte(secret), string(body)))
	return r
}

func TestMetaHandshake(t *testing.T) {
	h := Meta(metaSecret, metaVerify, &recorder{}, testOptions(nil))
	q := func(mode, token, challenge string) *http.Request {
		v := url.Values{"hub.mode": {mode}, "hub.verify_token": {token}, "hub.challenge": {challenge}}
		return httptest.NewRequest(http.MethodGet, "/meta?"+v.Encode(), nil)
	}
	tests := []struct {
		name   string
		req    *http.Request
		status int
		body   string
	}{
		{"echoes the challenge", q("subscribe", metaVerify, "1158201444"), http.StatusOK, "1158201444"},
		{"wrong token", q("subscribe", "nope", "1158201444"), http.StatusForbidden, ""},
		{"wrong mode", q("unsubscribe", metaVerify, "1158201444"), http.StatusForbidden, ""},
		{"no challenge", q("subscribe", metaVerify, ""), http.StatusBadRequest, ""},
		{"oversized challenge", q("subscribe", metaVerify, strings.Repeat("9", 2000)), http.StatusBadRequest, ""},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(h, tt.req)
			require.Equal(t, tt.status, w.Code)
			if tt.body != "" {
				require.Equal(t, tt.body, w.Body.String())
				require.Equal(t, "text/plain; charset=utf-8", w.Header().Get("Content-Type"))
			}
		})
	}
	t.Run("empty verify token refuses", func(t *testing.T) {
		h := Meta(metaSecret, "", &recorder{}, nil)
		require.Equal(t, http.StatusForbidden, serve(h, q("subscribe", "", "1")).Code)
	})
}

func TestMetaDeliveryAndDedup(t *testing.T) {
	var logs bytes.Buffer
	sink := &recorder{}
	h := Meta(metaSecret, metaVerify, sink, testOptions(&logs))
	body := readTestdata(t, "meta_page_feed.json")
	sig := metaSignature([]byte(metaSecret), string(body))

	w := serve(h, metaPost(body, sig))
	require.Equal(t, http.StatusOK, w.Code)
	got := sink.deliveries()
	require.Len(t, got, 1)
	require.Equal(t, "facebook", got[0].network)
	require.Len(t, got[0].items, 3)

	// Meta redelivers the same payload: acknowledged, not emitted again.
	w = serve(h, metaPost(body, sig))
	require.Equal(t, http.StatusOK, w.Code)
	require.Len(t, sink.deliveries(), 1)
	require.Equal(t, 1, sink.calls)

	// Instagram deliveries come through the same endpoint.
	ig := readTestdata(t, "meta_instagram.json")
	w = serve(h, metaPost(ig, metaSignature([]byte(metaSecret), string(ig))))
	require.Equal(t, http.StatusOK, w.Code)
	got = sink.deliveries()
	require.Len(t, got, 2)
	require.Equal(t, "instagram", got[1].network)

	require.NotContains(t, logs.String(), metaSecret)
	require.NotContains(t, logs.String(), "Camille")
}

func TestBadSignatureNeverReachesSink(t *testing.T) {
	pub, priv := testDiscordKey()
	_, otherPriv := func() (ed25519.PublicKey, ed25519.PrivateKey) {
		p := ed25519.NewKeyFromSeed(bytes.Repeat([]byte{7}, 32))
		return p.Public().(ed25519.PublicKey), p
	}()
	meta := readTestdata(t, "meta_page_feed.json")
	slack := readTestdata(t, "slack_message_im.json")
	discord := readTestdata(t, "discord_command.json")
	tg := readTestdata(t, "telegram_private.json")
	x := readTestdata(t, "x_direct_message_events.json")
	staleTS := strconv.FormatInt(testNow.Add(-10*time.Minute).Unix(), 10)
	futureTS := strconv.FormatInt(testNow.Add(10*time.Minute).Unix(), 10)
	tests := []struct {
		name    string
		handler func(Sink) http.Handler
		req     *http.Request
	}{
		{"meta wrong secret", func(s Sink) http.Handler { return Meta(metaSecret, metaVerify, s, testOptions(nil)) },
			metaPost(meta, metaSignature([]byte("wrong"), string(meta)))},
		{"meta missing header", func(s Sink) http.Handler { return Meta(metaSecret, metaVerify, s, testOptions(nil)) },
			metaPost(meta, "")},
		{"slack wrong secret", func(s Sink) http.Handler { return Slack(slackSecret, s, testOptions(nil)) },
			slackPost(slack, signedTSUnix, "wrong")},
		{"slack stale", func(s Sink) http.Handler { return Slack(slackSecret, s, testOptions(nil)) },
			slackPost(slack, staleTS, slackSecret)},
		{"slack future", func(s Sink) http.Handler { return Slack(slackSecret, s, testOptions(nil)) },
			slackPost(slack, futureTS, slackSecret)},
		{"discord wrong key", func(s Sink) http.Handler { return Discord(pub, s, testOptions(nil)) },
			discordPost(otherPriv, signedTSUnix, discord)},
		{"discord stale", func(s Sink) http.Handler { return Discord(pub, s, testOptions(nil)) },
			discordPost(priv, staleTS, discord)},
		{"telegram wrong token", func(s Sink) http.Handler { return Telegram(telegramTok, testBot, s, testOptions(nil)) },
			telegramPost(tg, "wrong")},
		{"telegram no token", func(s Sink) http.Handler { return Telegram(telegramTok, testBot, s, testOptions(nil)) },
			telegramPost(tg, "")},
		{"telegram unconfigured", func(s Sink) http.Handler { return Telegram("", testBot, s, testOptions(nil)) },
			telegramPost(tg, "")},
		{"x wrong secret", func(s Sink) http.Handler { return X(xSecret, s, testOptions(nil)) },
			xPost(x, "wrong")},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			sink := &recorder{}
			w := serve(tt.handler(sink), tt.req)
			require.Equal(t, http.StatusUnauthorized, w.Code)
			require.Zero(t, sink.calls)
		})
	}
}

func TestMethodNotAllowed(t *testing.T) {
	pub, _ := testDiscordKey()
	handlers := map[string]struct {
		h     http.Handler
		allow string
	}{
		"meta":     {Meta(metaSecret, metaVerify, &recorder{}, nil), "GET, POST"},
		"slack":    {Slack(slackSecret, &recorder{}, nil), "POST"},
		"discord":  {Discord(pub, &recorder{}, nil), "POST"},
		"telegram": {Telegram(telegramTok, testBot, &recorder{}, nil), "POST"},
		"x":        {X(xSecret, &recorder{}, nil), "GET, POST"},
	}
	for name, tt := range handlers {
		for _, method := range []string{http.MethodPut, http.MethodDelete, http.MethodPatch} {
			t.Run(name+"/"+method, func(t *testing.T) {
				w := serve(tt.h, httptest.NewRequest(method, "/", nil))
				require.Equal(t, http.StatusMethodNotAllowed, w.Code)
				require.Equal(t, tt.allow, w.Header().Get("Allow"))
			})
		}
	}
	for _, name := range []string{"slack", "discord", "telegram"} {
		t.Run(name+"/GET", func(t *testing.T) {
			w := serve(handlers[name].h, httptest.NewRequest(http.MethodGet, "/", nil))
			require.Equal(t, http.StatusMethodNotAllowed, w.Code)
		})
	}
}

func TestBodyTooLarge(t *testing.T) {
	sink := &recorder{}
	opts := testOptions(nil)
	opts.MaxBodyBytes = 64
	big := bytes.Repeat([]byte("a"), 65)
	pub, priv := testDiscordKey()
	tests := []struct {
		name string
		h    http.Handler
		req  *http.Request
	}{
		{"meta", Meta(metaSecret, metaVerify, sink, opts), metaPost(big, metaSignature([]byte(metaSecret), string(big)))},
		{"slack", Slack(slackSecret, sink, opts), slackPost(big, signedTSUnix, slackSecret)},
		{"discord", Discord(pub, sink, opts), discordPost(priv, signedTSUnix, big)},
		{"telegram", Telegram(telegramTok, testBot, sink, opts), telegramPost(big, telegramTok)},
		{"x", X(xSecret, sink, opts), xPost(big, xSecret)},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w := serve(tt.h, tt.req)
			require.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
		})
		t.Run(tt.name+"/unknown length", func(t *testing.T) {
			r := tt.req.Clone(context.Background())
			r.Body = io.NopCloser(bytes.NewReader(big))
			r.ContentLength = -1
			w := serve(tt.h, r)
			require.Equal(t, http.StatusRequestEntityTooLarge, w.Code)
		})
	}
	require.Zero(t, sink.calls)

	t.Run("default is 1 MiB", func(t *testing.T) {
		h := X(xSecret, sink, testOptions(nil))
		body := bytes.Repeat([]byte(" "), DefaultMaxBodyBytes+1)
		require.Equal(t, http.StatusRequestEntityTooLarge, serve(h, xPost(body, xSecret)).Code)
	})
}

func TestSlackHandler(t *testing.T) {
	sink := &recorder{}
	h := Slack(slackSecret, sink, testOptions(nil))

	t.Run("url_verification", func(t *testing.T) {
		body := readTestdata(t, "slack_url_verification.json")
		w := serve(h, slackPost(body, signedTSUnix, slackSecret))
		require.Equal(t, http.StatusOK, w.Code)
		require.Equal(t, "application/json", w.Header().Get("Content-Type"))
		require.JSONEq(t, `{"challenge":"3eZbrw1aBm2rZgRNFdxV2595E9CY3gmdALWMmHkvFXO7tYXAYM8P"}`, w.Body.String())
		require.Zero(t, sink.calls)
	})
	t.Run("url_verification must be signed", func(t *testing.T) {
		body := readTestdata(t, "slack_url_verification.json")
		w := serve(h, slackPost(body, signedTSUnix, "wrong"))
		require.Equal(t, http.StatusUnauthorized, w.Code)
	})
	t.Run("event and retry", func(t *testing.T) {
		body := readTestdata(t, "slack_app_mention.json")
		require.Equal(t, http.StatusOK, serve(h, slackPost(body, signedTSUnix, slackSecret)).Code)
		retry := slackPost(body, signedTSUnix, slackSecret)
		retry.Header.Set(HeaderSlackRetryNum, "1")
		retry.Header.Set("X-Slack-Retry-Reason", "http_timeout")
		require.Equal(t, http.StatusOK, serve(h, retry).Code)
		got := sink.deliveries()
		require.Len(t, got, 1)
		require.Equal(t, "slack", got[0].network)
		require.Equal(t, driver.Mention, got[0].items[0].Kind)
	})
	t.Run("malformed payload", func(t *testing.T) {
		body := []byte(`{"type":`)
		require.Equal(t, http.StatusBadRequest, serve(h, slackPost(body, signedTSUnix, slackSecret)).Code)
	})
}

func TestSinkErrorThenRedelivery(t *testing.T) {
	sink := &recorder{err: errors.New("queue full")}
	h := Telegram(telegramTok, testBot, sink, testOptions(nil))
	body := readTestdata(t, "telegram_private.json")

	w := serve(h, telegramPost(body, telegramTok))
	require.Equal(t, http.StatusInternalServerError, w.Code)
	require.Empty(t, sink.deliveries())

	// The network redelivers; the failed attempt was not remembered.
	sink.mu.Lock()
	sink.err = nil
	sink.mu.Unlock()
	w = serve(h, telegramPost(body, telegramTok))
	require.Equal(t, http.StatusOK, w.Code)
	require.Len(t, sink.deliveries(), 1)

	// A second redelivery of the same update_id is dropped.
	w = serve(h, telegramPost(body, telegramTok))
	require.Equal(t, http.StatusOK, w.Code)
	require.Len(t, sink.deliveries(), 1)
	require.Equal(t, 2, sink.calls)
}

func TestDedupDisabledAndExpiry(t *testing.T) {
	body := readTestdata(t, "x_direct_message_events.json")
	t.Run("disabled", func(t *testing.T) {
		sink := &recorder{}
		opts := testOptions(nil)
		opts.DedupSize = -1
		h := X(xSecret, sink, opts)
		serve(h, xPost(body, xSecret))
		serve(h, xPost(body, xSecret))
		require.Len(t, sink.deliveries(), 2)
	})
	t.Run("expires after TTL", func(t *testing.T) {
		sink := &recorder{}
		now := testNow
		opts := &Options{Now: func() time.Time { return now }, DedupTTL: time.Hour}
		h := X(xSecret, sink, opts)
		serve(h, xPost(body, xSecret))
		now = now.Add(59 * time.Minute)
		serve(h, xPost(body, xSecret))
		require.Len(t, sink.deliveries(), 1)
		now = now.Add(2 * time.Hour)
		serve(h, xPost(body, xSecret))
		require.Len(t, sink.deliveries(), 2)
	})
	t.Run("bounded", func(t *testing.T) {
		d := newDedup(2, time.Hour)
		for _, k := range []string{"a", "b", "c"} {
			d.commit(testNow, []string{k})
			require.Equal(t, []int{0}, d.reserve(testNow, []string{k}))
			d.commit(testNow, []string{k})
		}
		require.Equal(t, 2, d.ll.Len())
		// "a" was evicted, so it is new again; "c" is remembered.
		require.Equal(t, []int{0}, d.reserve(testNow, []string{"a", "c"}))
	})
}

func TestDedupConcurrentDuplicate(t *testing.T) {
	d := newDedup(10, time.Hour)
	require.Equal(t, []int{0, 1}, d.reserve(testNow, []string{"a", "b"}))
	// In flight: a concurrent duplicate is dropped, and a duplicate within
	// one batch is kept once.
	require.Empty(t, d.reserve(testNow, []string{"a"}))
	require.Equal(t, []int{0}, d.reserve(testNow, []string{"c", "c"}))
	d.release([]string{"a", "b"})
	require.Equal(t, []int{0}, d.reserve(testNow, []string{"a"}))
}

func TestDiscordHandler(t *testing.T) {
	pub, priv := testDiscordKey()
	sink := &recorder{}
	opts := testOptions(nil)
	opts.DiscordAck = "Merci, on revient vers vous !"
	h := Discord(pub, sink, opts)

	t.Run("ping", func(t *testing.T) {
		w := serve(h, discordPost(priv, signedTSUnix, readTestdata(t, "discord_ping.json")))
		require.Equal(t, http.StatusOK, w.Code)
		require.Equal(t, "application/json", w.Header().Get("Content-Type"))
		require.JSONEq(t, `{"type":1}`, w.Body.String())
		require.Zero(t, sink.calls)
	})
	t.Run("command", func(t *testing.T) {
		w := serve(h, discordPost(priv, signedTSUnix, readTestdata(t, "discord_command.json")))
		require.Equal(t, http.StatusOK, w.Code)
		require.JSONEq(t, `{"type":4,"data":{"content":"Merci, on revient vers vous !","flags":64}}`, w.Body.String())
		got := sink.deliveries()
		require.Len(t, got, 1)
		require.Equal(t, "discord", got[0].network)
	})
	t.Run("component", func(t *testing.T) {
		body := []byte(`{"type":3,"id":"1","guild_id":"2","member":{"user":{"id":"3","username":"u"}},"data":{"custom_id":"b","component_type":2}}`)
		w := serve(h, discordPost(priv, signedTSUnix, body))
		require.JSONEq(t, `{"type":6}`, w.Body.String())
	})
	t.Run("autocomplete", func(t *testing.T) {
		body := []byte(`{"type":4,"id":"1","guild_id":"2","member":{"user":{"id":"3","username":"u"}},"data":{"name":"x"}}`)
		w := serve(h, discordPost(priv, signedTSUnix, body))
		require.JSONEq(t, `{"type":8,"data":{"choices":[]}}`, w.Body.String())
	})
	t.Run("unknown type", func(t *testing.T) {
		w := serve(h, discordPost(priv, signedTSUnix, []byte(`{"type":99}`)))
		require.Equal(t, http.StatusBadRequest, w.Code)
	})
	t.Run("sink error", func(t *testing.T) {
		failing := &recorder{err: errors.New("down")}
		w := serve(Discord(pub, failing, testOptions(nil)), discordPost(priv, signedTSUnix, readTestdata(t, "discord_dm_modal.json")))
		require.Equal(t, http.StatusInternalServerError, w.Code)
	})
}

func TestXHandler(t *testing.T) {
	sink := &recorder{}
	h := X(xSecret, sink, testOptions(nil))
	t.Run("crc", func(t *testing.T) {
		w := serve(h, httptest.NewRequest(http.MethodGet, "/x?crc_token=abc123", nil))
		require.Equal(t, http.StatusOK, w.Code)
		var resp map[string]string
		require.NoError(t, json.Unmarshal(w.Body.Bytes(), &resp))
		require.Equal(t, XCRCResponse([]byte(xSecret), "abc123"), resp["response_token"])
	})
	t.Run("crc without token", func(t *testing.T) {
		require.Equal(t, http.StatusBadRequest, serve(h, httptest.NewRequest(http.MethodGet, "/x", nil)).Code)
	})
	t.Run("delivery", func(t *testing.T) {
		body := readTestdata(t, "x_tweet_create_events.json")
		require.Equal(t, http.StatusOK, serve(h, xPost(body, xSecret)).Code)
		got := sink.deliveries()
		require.Len(t, got, 1)
		require.Len(t, got[0].items, 2)
	})
	t.Run("sink error", func(t *testing.T) {
		failing := &recorder{err: errors.New("down")}
		body := readTestdata(t, "x_direct_message_events.json")
		require.Equal(t, http.StatusInternalServerError, serve(X(xSecret, failing, nil), xPost(body, xSecret)).Code)
	})
}

func TestSinkFunc(t *testing.T) {
	var got string
	s := SinkFunc(func(_ context.Context, network string, _ []driver.Interaction) error {
		got = network
		return nil
	})
	require.NoError(t, s.Deliver(context.Background(), "slack", nil))
	require.Equal(t, "slack", got)
}
