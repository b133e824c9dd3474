package webhook_test

import (
	"context"
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/webhook"
)

// printSink prints what it receives.
var printSink = webhook.SinkFunc(func(_ context.Context, network string, items []driver.Interaction) error {
	for _, in := range items {
		fmt.Printf("%s %s %s by %q: %s\n", network, in.Kind, in.ID, in.Author.Handle+in.Author.Name, in.Text)
	}
	return nil
})

func hmacSHA256(key, msg string) []byte {
	m := hmac.New(sha256.New, []byte(key))
	m.Write([]byte(msg))
	return m.Sum(nil)
}

func ExampleMeta() {
	const appSecret = "app-secret"
	h := webhook.Meta(appSecret, "my-verify-token", printSink, nil)

	// The subscription handshake.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet,
		"/hooks/meta?hub.mode=subscribe&hub.verify_token=my-verify-token&hub.challenge=1158201444", nil))
	fmt.Println(w.Code, w.Body.String())

	// A signed delivery: a comment on the Page's post.
	body := `{"object":"page","entry":[{"id":"111","time":1700000000,"changes":[{"field":"feed","value":{
		"from":{"id":"222","name":"Camille"},"item":"comment","verb":"add","post_id":"111_333",
		"comment_id":"333_444","parent_id":"111_333","message":"Disponible en 38 ?","created_time":1700000000}}]}]}`
	r := httptest.NewRequest(http.MethodPost, "/hooks/meta", strings.NewReader(body))
	r.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(hmacSHA256(appSecret, body)))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code)

	// The same body with a forged signature never reaches the sink.
	r = httptest.NewRequest(http.MethodPost, "/hooks/meta", strings.NewReader(body))
	r.Header.Set("X-Hub-Signature-256", "sha256="+hex.EncodeToString(hmacSHA256("guess", body)))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code)
	// Output:
	// 200 1158201444
	// facebook comment 333_444 by "Camille": Disponible en 38 ?
	// 200
	// 401
}

func ExampleSlack() {
	const secret = "8f742231b10e8888abcd99yyyzzz85a5"
	now := time.Unix(1700000000, 0)
	h := webhook.Slack(secret, printSink, &webhook.Options{Now: func() time.Time { return now }})

	body := `{"type":"event_callback","event_id":"Ev1","authorizations":[{"user_id":"UBOT","is_bot":true}],
		"event":{"type":"app_mention","user":"U123","text":"<@UBOT> where is my order?","ts":"1700000000.000100","channel":"C1"}}`
	ts := "1700000000"
	r := httptest.NewRequest(http.MethodPost, "/hooks/slack", strings.NewReader(body))
	r.Header.Set("X-Slack-Request-Timestamp", ts)
	r.Header.Set("X-Slack-Signature", "v0="+hex.EncodeToString(hmacSHA256(secret, "v0:"+ts+":"+body)))
	w := httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code)

	// The pure verifier, with Slack's documented worked example.
	err := webhook.VerifySlack([]byte(secret), "1531420618",
		"v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503",
		[]byte("token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"),
		now, 0)
	fmt.Println(errors.Is(err, webhook.ErrStale)) // genuine, but from 2018
	// Output:
	// slack mention C1:1700000000.000100 by "": <@UBOT> where is my order?
	// 200
	// true
}

func ExampleDiscord() {
	priv := ed25519.NewKeyFromSeed([]byte("an example seed of thirty-two b."))
	pub := priv.Public().(ed25519.PublicKey) // in production: hex.DecodeString(portal's Public Key)
	now := time.Unix(1700000000, 0)
	h := webhook.Discord(pub, printSink, &webhook.Options{Now: func() time.Time { return now }})

	send := func(body string) {
		ts := "1700000000"
		r := httptest.NewRequest(http.MethodPost, "/hooks/discord", strings.NewReader(body))
		r.Header.Set("X-Signature-Timestamp", ts)
		r.Header.Set("X-Signature-Ed25519", hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body))))
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code, w.Body.String())
	}
	send(`{"type":1,"id":"1","application_id":"2","token":"t","version":1}`)
	send(`{"type":2,"id":"786008729715212338","guild_id":"3","channel_id":"4","member":{"user":{"id":"5","username":"mason"}},
		"data":{"type":1,"name":"support","options":[{"type":3,"name":"topic","value":"refund"}]}}`)
	// Output:
	// 200 {"type":1}
	// discord mention 786008729715212338 by "mason": /support topic:refund
	// 200 {"data":{"content":"✅","flags":64},"type":4}
}

func ExampleTelegram() {
	bot := webhook.TelegramBot{ID: 777000111, Username: "BrandHelpBot"}
	h := webhook.Telegram("secret-token-from-setWebhook", bot, printSink, nil)

	body := `{"update_id":10001,"message":{"message_id":42,"from":{"id":2222222,"is_bot":false,"first_name":"Léa","username":"lea_d"},
		"chat":{"id":-1001234567890,"title":"Brand","type":"supergroup"},"date":1700000500,
		"text":"@BrandHelpBot quand ouvre la boutique ?","entities":[{"offset":0,"length":13,"type":"mention"}]}}`
	for _, token := range []string{"secret-token-from-setWebhook", "wrong"} {
		r := httptest.NewRequest(http.MethodPost, "/hooks/telegram", strings.NewReader(body))
		r.Header.Set("X-Telegram-Bot-Api-Secret-Token", token)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		fmt.Println(w.Code)
	}
	// Output:
	// telegram mention -1001234567890:42 by "lea_dLéa": @BrandHelpBot quand ouvre la boutique ?
	// 200
	// 401
}

func ExampleX() {
	const consumerSecret = "consumer-secret"
	h := webhook.X(consumerSecret, printSink, nil)

	// The challenge-response check.
	w := httptest.NewRecorder()
	h.ServeHTTP(w, httptest.NewRequest(http.MethodGet, "/hooks/x?crc_token=abc", nil))
	fmt.Println(w.Code, w.Body.String() == `{"response_token":"`+webhook.XCRCResponse([]byte(consumerSecret), "abc")+`"}`)

	body := `{"for_user_id":"4337869213","direct_message_events":[{"type":"message_create","id":"954491830116155396",
		"created_timestamp":"1516403560557","message_create":{"target":{"recipient_id":"4337869213"},"sender_id":"3001969357",
		"message_data":{"text":"Hello World!"}}}],"users":{"3001969357":{"id":"3001969357","name":"Jordan","screen_name":"furiouscamper"}}}`
	r := httptest.NewRequest(http.MethodPost, "/hooks/x", strings.NewReader(body))
	r.Header.Set("X-Twitter-Webhooks-Signature", "sha256="+base64.StdEncoding.EncodeToString(hmacSHA256(consumerSecret, body)))
	w = httptest.NewRecorder()
	h.ServeHTTP(w, r)
	fmt.Println(w.Code)
	// Output:
	// 200 true
	// x dm 954491830116155396 by "furiouscamperJordan": Hello World!
	// 200
}

func ExampleVerifyMeta() {
	secret := []byte("app-secret")
	body := []byte(`{"object":"instagram","entry":[]}`)
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	header := "sha256=" + hex.EncodeToString(m.Sum(nil))

	fmt.Println(webhook.VerifyMeta(secret, header, body))
	err := webhook.VerifyMeta(secret, header, []byte(`{"object":"page","entry":[]}`))
	fmt.Println(errors.Is(err, webhook.ErrInvalidSignature), err)
	// Output:
	// <nil>
	// true webhook: facebook: invalid signature: signature mismatch
}

func ExampleParseTelegram() {
	items, err := webhook.ParseTelegram([]byte(`{"update_id":1,"message":{"message_id":7,
		"from":{"id":5,"first_name":"Ana"},"chat":{"id":5,"type":"private"},"date":1700000000,"text":"Bonjour !"}}`),
		webhook.TelegramBot{Username: "BrandHelpBot"})
	fmt.Println(err)
	for _, in := range items {
		fmt.Println(in.Kind, in.ID, in.ConversationID, in.Author.Name, in.CreatedAt.Format(time.RFC3339), in.Text)
	}
	// Output:
	// <nil>
	// dm 5:7 5 Ana 2023-11-14T22:13:20Z Bonjour !
}
