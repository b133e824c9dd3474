package webhook

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"time"
)

// DefaultReplayWindow is how far a signed timestamp may be from the
// current time, in either direction, before a request is refused as stale.
// It is Slack's documented five minutes.
const DefaultReplayWindow = 5 * time.Minute

// Header names, as the networks send them (net/http canonicalises them).
const (
	HeaderMetaSignature    = "X-Hub-Signature-256"
	HeaderSlackSignature   = "X-Slack-Signature"
	HeaderSlackTimestamp   = "X-Slack-Request-Timestamp"
	HeaderSlackRetryNum    = "X-Slack-Retry-Num"
	HeaderDiscordSignature = "X-Signature-Ed25519"
	HeaderDiscordTimestamp = "X-Signature-Timestamp"
	HeaderTelegramSecret   = "X-Telegram-Bot-Api-Secret-Token"
	HeaderXSignature       = "X-Twitter-Webhooks-Signature"
)

const (
	metaNetwork      = "facebook"
	instagramNetwork = "instagram"
	slackNetwork     = "slack"
	discordNetwork   = "discord"
	telegramNetwork  = "telegram"
	xNetwork         = "x"
	// maxSignatureHeaderBytes bounds the work done on a hostile header.
	maxSignatureHeaderBytes = 512
)

// VerifyMeta checks a Meta (Facebook Pages, Instagram, Messenger) delivery:
// header is the X-Hub-Signature-256 value, "sha256=" followed by the
// lower-case hex HMAC-SHA256 of the raw body keyed with the app secret.
// It returns nil or a *VerificationError matching ErrInvalidSignature.
func VerifyMeta(appSecret []byte, header string, body []byte) error {
	return verifyHMAC(metaNetwork, appSecret, header, body, hex.DecodeString)
}

// VerifyX checks an X Account Activity API delivery: header is the
// x-twitter-webhooks-signature value, "sha256=" followed by the standard
// base64 HMAC-SHA256 of the raw body keyed with the app's consumer secret.
// It returns nil or a *VerificationError matching ErrInvalidSignature.
func VerifyX(consumerSecret []byte, header string, body []byte) error {
	return verifyHMAC(xNetwork, consumerSecret, header, body, base64.StdEncoding.DecodeString)
}

func verifyHMAC(network string, secret []byte, header string, body []byte, decode func(string) ([]byte, error)) error {
	if len(secret) == 0 {
		return verr(network, "no secret configured")
	}
	if header == "" {
		return verr(network, "missing signature header")
	}
	if len(header) > maxSignatureHeaderBytes {
		return verr(network, "signature header too long")
	}
	sig, ok := strings.CutPrefix(header, "sha256=")
	if !ok {
		return verr(network, "missing sha256= prefix")
	}
	got, err := decode(sig)
	if err != nil || len(got) != sha256.Size {
		return verr(network, "malformed signature")
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return verr(network, "signature mismatch")
	}
	return nil
}

// XCRCResponse returns the response_token that answers an X challenge-
// response check (GET ?crc_token=...): "sha256=" followed by the standard
// base64 HMAC-SHA256 of crcToken keyed with the consumer secret. Serve it
// as {"response_token": XCRCResponse(secret, token)}.
func XCRCResponse(consumerSecret []byte, crcToken string) string {
	m := hmac.New(sha256.New, consumerSecret)
	m.Write([]byte(crcToken))
	return "sha256=" + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// VerifySlack checks a Slack request (Events API, slash commands,
// interactivity): signature is the X-Slack-Signature value, "v0=" followed
// by the hex HMAC-SHA256 of "v0:" + timestamp + ":" + body keyed with the
// signing secret; timestamp is X-Slack-Request-Timestamp in Unix seconds.
// A timestamp more than window away from now, past or future, returns an
// error matching ErrStale; window <= 0 means DefaultReplayWindow. Other
// failures match ErrInvalidSignature.
func VerifySlack(signingSecret []byte, timestamp, signature string, body []byte, now time.Time, window time.Duration) error {
	if len(signingSecret) == 0 {
		return verr(slackNetwork, "no secret configured")
	}
	if err := checkTimestamp(slackNetwork, timestamp, now, window); err != nil {
		return err
	}
	if signature == "" {
		return verr(slackNetwork, "missing signature header")
	}
	if len(signature) > maxSignatureHeaderBytes {
		return verr(slackNetwork, "signature header too long")
	}
	sig, ok := strings.CutPrefix(signature, "v0=")
	if !ok {
		return verr(slackNetwork, "missing v0= prefix")
	}
	got, err := hex.DecodeString(sig)
	if err != nil || len(got) != sha256.Size {
		return verr(slackNetwork, "malformed signature")
	}
	m := hmac.New(sha256.New, signingSecret)
	m.Write([]byte("v0:"))
	m.Write([]byte(timestamp))
	m.Write([]byte(":"))
	m.Write(body)
	if !hmac.Equal(got, m.Sum(nil)) {
		return verr(slackNetwork, "signature mismatch")
	}
	return nil
}

// checkTimestamp parses Unix seconds and applies the replay window.
func checkTimestamp(network, timestamp string, now time.Time, window time.Duration) error {
	if window <= 0 {
		window = DefaultReplayWindow
	}
	if timestamp == "" {
		return verr(network, "missing timestamp header")
	}
	if len(timestamp) > 20 {
		return verr(network, "malformed timestamp")
	}
	secs, err := strconv.ParseInt(timestamp, 10, 64)
	if err != nil || secs < 0 {
		return verr(network, "malformed timestamp")
	}
	nowSecs := now.Unix()
	// Compare in seconds, without time.Duration overflow for absurd values.
	diff := nowSecs - secs
	limit := int64(window / time.Second)
	if diff > limit {
		return &VerificationError{Network: network, Stale: true, Reason: "timestamp " + strconv.FormatInt(diff, 10) + "s in the past"}
	}
	if diff < -limit {
		return &VerificationError{Network: network, Stale: true, Reason: "timestamp " + strconv.FormatInt(-diff, 10) + "s in the future"}
	}
	return nil
}

// VerifyDiscord checks a Discord interaction: signature is the
// X-Signature-Ed25519 value (hex), timestamp the X-Signature-Timestamp
// value, and the signed message is timestamp followed by the raw body. The
// public key is the application's ("Public Key" in the developer portal;
// decode its hex with hex.DecodeString). It returns nil or a
// *VerificationError matching ErrInvalidSignature. It does not judge the
// timestamp's age; the Discord handler applies Options.ReplayWindow.
func VerifyDiscord(publicKey ed25519.PublicKey, timestamp, signature string, body []byte) error {
	if len(publicKey) != ed25519.PublicKeySize {
		return verr(discordNetwork, "public key is not 32 bytes")
	}
	if timestamp == "" {
		return verr(discordNetwork, "missing timestamp header")
	}
	if signature == "" {
		return verr(discordNetwork, "missing signature header")
	}
	if len(signature) != 2*ed25519.SignatureSize {
		return verr(discordNetwork, "malformed signature")
	}
	sig, err := hex.DecodeString(signature)
	if err != nil {
		return verr(discordNetwork, "malformed signature")
	}
	msg := make([]byte, 0, len(timestamp)+len(body))
	msg = append(msg, timestamp...)
	msg = append(msg, body...)
	if !ed25519.Verify(publicKey, msg, sig) {
		return verr(discordNetwork, "signature mismatch")
	}
	return nil
}

// VerifyTelegram checks the X-Telegram-Bot-Api-Secret-Token header (got)
// against the secret_token given to setWebhook (expected), in constant time
// (both sides are hashed first, so not even the length leaks). An empty
// expected secret rejects every request. It returns nil or a
// *VerificationError matching ErrInvalidSignature.
func VerifyTelegram(expected, got string) error {
	if expected == "" {
		return verr(telegramNetwork, "no secret configured")
	}
	if got == "" {
		return verr(telegramNetwork, "missing secret token header")
	}
	e := sha256.Sum256([]byte(expected))
	g := sha256.Sum256([]byte(got))
	if subtle.ConstantTimeCompare(e[:], g[:]) != 1 {
		return verr(telegramNetwork, "secret token mismatch")
	}
	return nil
}
