package webhook

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/require"
)

func hmacSHA256(key []byte, parts ...string) []byte {
	m := hmac.New(sha256.New, key)
	for _, p := range parts {
		m.Write([]byte(p))
	}
	return m.Sum(nil)
}

func metaSignature(secret []byte, body string) string {
	return "sha256=" + hex.EncodeToString(hmacSHA256(secret, body))
}

func xSignature(secret []byte, body string) string {
	return "sha256=" + base64.StdEncoding.EncodeToString(hmacSHA256(secret, body))
}

func slackSignature(secret []byte, ts, body string) string {
	return "v0=" + hex.EncodeToString(hmacSHA256(secret, "v0:", ts, ":", body))
}

// want is the expected outcome of a verifier: nil, ErrInvalidSignature or
// ErrStale.
type want int

const (
	ok want = iota
	invalid
	stale
)

func requireOutcome(t *testing.T, w want, network string, err error) {
	t.Helper()
	switch w {
	case ok:
		require.NoError(t, err)
		return
	case invalid:
		require.ErrorIs(t, err, ErrInvalidSignature)
		require.NotErrorIs(t, err, ErrStale)
	case stale:
		require.ErrorIs(t, err, ErrStale)
		require.NotErrorIs(t, err, ErrInvalidSignature)
	}
	var ve *VerificationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, network, ve.Network)
	require.NotEmpty(t, ve.Reason)
}

func TestVerifyMeta(t *testing.T) {
	secret := []byte("app-secret")
	body := `{"object":"page","entry":[]}`
	good := metaSignature(secret, body)
	tests := []struct {
		name   string
		secret []byte
		header string
		body   string
		want   want
	}{
		{"good", secret, good, body, ok},
		{"upper-case hex", secret, "sha256=" + strings.ToUpper(strings.TrimPrefix(good, "sha256=")), body, ok},
		{"tampered body", secret, good, body + " ", invalid},
		{"wrong secret", []byte("other"), good, body, invalid},
		{"wrong prefix", secret, "sha1=" + strings.TrimPrefix(good, "sha256="), body, invalid},
		{"no prefix", secret, strings.TrimPrefix(good, "sha256="), body, invalid},
		{"not hex", secret, "sha256=" + strings.Repeat("zz", 32), body, invalid},
		{"short", secret, good[:len(good)-2], body, invalid},
		{"empty header", secret, "", body, invalid},
		{"huge header", secret, "sha256=" + strings.Repeat("a", 10000), body, invalid},
		{"no secret", nil, good, body, invalid},
		{"base64 instead of hex", secret, xSignature(secret, body), body, invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireOutcome(t, tt.want, "facebook", VerifyMeta(tt.secret, tt.header, []byte(tt.body)))
		})
	}
}

func TestVerifyX(t *testing.T) {
	secret := []byte("consumer-secret")
	body := `{"for_user_id":"1"}`
	good := xSignature(secret, body)
	tests := []struct {
		name   string
		secret []byte
		header string
		body   string
		want   want
	}{
		{"good", secret, good, body, ok},
		{"tampered body", secret, good, `{"for_user_id":"2"}`, invalid},
		{"wrong secret", []byte("x"), good, body, invalid},
		{"wrong prefix", secret, "sha1=" + strings.TrimPrefix(good, "sha256="), body, invalid},
		{"hex instead of base64", secret, metaSignature(secret, body), body, invalid},
		{"not base64", secret, "sha256=!!!!", body, invalid},
		{"empty", secret, "", body, invalid},
		{"no secret", nil, good, body, invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireOutcome(t, tt.want, "x", VerifyX(tt.secret, tt.header, []byte(tt.body)))
		})
	}
}

func TestXCRCResponse(t *testing.T) {
	secret := []byte("consumer-secret")
	got := XCRCResponse(secret, "challenge-token")
	require.Equal(t, "sha256="+base64.StdEncoding.EncodeToString(hmacSHA256(secret, "challenge-token")), got)
	// The same construction signs deliveries: a CRC response is a valid
	// signature of the token.
	require.NoError(t, VerifyX(secret, got, []byte("challenge-token")))
}

func TestVerifySlack(t *testing.T) {
	// Slack's worked example ("Verifying requests from Slack").
	docSecret := []byte("8f742231b10e8888abcd99yyyzzz85a5")
	docTS := "1531420618"
	docBody := "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
	docSig := "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	docNow := time.Unix(1531420618, 0)

	secret := []byte("signing-secret")
	now := time.Unix(1700000000, 0)
	ts := strconv.FormatInt(now.Unix(), 10)
	body := `{"type":"event_callback"}`
	good := slackSignature(secret, ts, body)
	tests := []struct {
		name      string
		secret    []byte
		ts, sig   string
		body      string
		now       time.Time
		window    time.Duration
		wantValue want
	}{
		{"documented example", docSecret, docTS, docSig, docBody, docNow, 0, ok},
		{"documented example 4m59s later", docSecret, docTS, docSig, docBody, docNow.Add(299 * time.Second), 0, ok},
		{"documented example 6 minutes later", docSecret, docTS, docSig, docBody, docNow.Add(6 * time.Minute), 0, stale},
		{"good", secret, ts, good, body, now, 0, ok},
		{"edge of window", secret, ts, good, body, now.Add(5 * time.Minute), 0, ok},
		{"stale", secret, ts, good, body, now.Add(5*time.Minute + time.Second), 0, stale},
		{"future", secret, ts, good, body, now.Add(-6 * time.Minute), 0, stale},
		{"custom window", secret, ts, good, body, now.Add(2 * time.Minute), time.Minute, stale},
		{"bad signature", secret, ts, slackSignature([]byte("other"), ts, body), body, now, 0, invalid},
		{"timestamp not signed", secret, strconv.FormatInt(now.Unix()+1, 10), good, body, now, 0, invalid},
		{"tampered body", secret, ts, good, body + "x", now, 0, invalid},
		{"wrong prefix", secret, ts, "v1=" + strings.TrimPrefix(good, "v0="), body, now, 0, invalid},
		{"malformed hex", secret, ts, "v0=xyz", body, now, 0, invalid},
		{"empty signature", secret, ts, "", body, now, 0, invalid},
		{"malformed timestamp", secret, "17e8", good, body, now, 0, invalid},
		{"negative timestamp", secret, "-1", good, body, now, 0, invalid},
		{"huge timestamp", secret, "99999999999999999999999", good, body, now, 0, invalid},
		{"empty timestamp", secret, "", good, body, now, 0, invalid},
		{"no secret", nil, ts, good, body, now, 0, invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := VerifySlack(tt.secret, tt.ts, tt.sig, []byte(tt.body), tt.now, tt.window)
			requireOutcome(t, tt.wantValue, "slack", err)
		})
	}
}

func TestVerifyDiscord(t *testing.T) {
	// RFC 8032 section 7.1, test 2: the message is the single byte 0x72,
	// here split as timestamp "r" and an empty body.
	rfcPub, _ := hex.DecodeString("3d4017c3e843895a92b70aa74d1b7ebc9c982ccf2ec4968cc0cd55f12af4660c")
	rfcSig := "92a009a9f0d4cab8720e820b5f642540a2b27b5416503f8fb3762223ebdb69da085ac1e43e15996e458f3613d0f11d8c387b2eaeb4302aeeb00d291612bb0c00"

	pub, priv := testDiscordKey()
	ts := "1700000000"
	body := `{"type":1}`
	good := hex.EncodeToString(ed25519.Sign(priv, []byte(ts+body)))
	otherPub, _, _ := ed25519.GenerateKey(zeroReader{})
	tests := []struct {
		name    string
		key     ed25519.PublicKey
		ts, sig string
		body    string
		want    want
	}{
		{"RFC 8032 vector", rfcPub, "r", rfcSig, "", ok},
		{"good", pub, ts, good, body, ok},
		{"upper-case hex", pub, ts, strings.ToUpper(good), body, ok},
		{"other key", otherPub, ts, good, body, invalid},
		{"tampered body", pub, ts, good, `{"type":2}`, invalid},
		{"tampered timestamp", pub, "1700000001", good, body, invalid},
		{"not hex", pub, ts, strings.Repeat("zz", 64), body, invalid},
		{"short", pub, ts, good[:126], body, invalid},
		{"empty signature", pub, ts, "", body, invalid},
		{"empty timestamp", pub, "", good, body, invalid},
		{"short key", pub[:31], ts, good, body, invalid},
		{"nil key", nil, ts, good, body, invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireOutcome(t, tt.want, "discord", VerifyDiscord(tt.key, tt.ts, tt.sig, []byte(tt.body)))
		})
	}
}

func TestVerifyTelegram(t *testing.T) {
	tests := []struct {
		name          string
		expected, got string
		want          want
	}{
		{"good", "s3cr3t-Token_1", "s3cr3t-Token_1", ok},
		{"different", "s3cr3t-Token_1", "s3cr3t-Token_2", invalid},
		{"prefix", "s3cr3t-Token_1", "s3cr3t", invalid},
		{"case", "s3cr3t-Token_1", "S3CR3T-TOKEN_1", invalid},
		{"missing header", "s3cr3t-Token_1", "", invalid},
		{"no secret configured", "", "", invalid},
		{"no secret configured, header sent", "", "anything", invalid},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			requireOutcome(t, tt.want, "telegram", VerifyTelegram(tt.expected, tt.got))
		})
	}
}

func TestVerificationErrorMessage(t *testing.T) {
	err := VerifySlack([]byte("k"), "1", "v0=00", nil, time.Unix(1000, 0), 0)
	require.Equal(t, "webhook: slack: stale request: timestamp 999s in the past", err.Error())
	err = VerifyMeta([]byte("k"), "sha1=00", nil)
	require.Equal(t, "webhook: facebook: invalid signature: missing sha256= prefix", err.Error())
}

// zeroReader is a deterministic entropy source for test keys.
type zeroReader struct{}

func (zeroReader) Read(p []byte) (int, error) {
	for i := range p {
		p[i] = 0
	}
	return len(p), nil
}

func testDiscordKey() (ed25519.PublicKey, ed25519.PrivateKey) {
	priv := ed25519.NewKeyFromSeed([]byte("cmkit-webhook-test-seed-32-bytes"))
	return priv.Public().(ed25519.PublicKey), priv
}
