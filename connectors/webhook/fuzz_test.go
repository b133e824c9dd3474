package webhook

import (
	"crypto/ed25519"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// seedFiles adds every testdata file whose name starts with prefix.
func seedFiles(f *testing.F, prefix string) {
	f.Helper()
	paths, err := filepath.Glob(filepath.Join("testdata", prefix+"*.json"))
	if err != nil || len(paths) == 0 {
		f.Fatalf("no seeds for %q: %v", prefix, err)
	}
	for _, p := range paths {
		b, err := os.ReadFile(p)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(b)
	}
	f.Add([]byte(`{}`))
	f.Add([]byte(`null`))
	f.Add([]byte(``))
}

func checkParsed(t *testing.T, network string, items []driver.Interaction, err error) {
	t.Helper()
	if err != nil {
		if !errors.Is(err, driver.ErrInvalidContent) {
			t.Fatalf("error %v does not match ErrInvalidContent", err)
		}
		if items != nil {
			t.Fatalf("items returned with an error")
		}
		return
	}
	for _, in := range items {
		if in.ID == "" {
			t.Fatalf("interaction without ID: %+v", in)
		}
		if in.Kind < driver.Comment || in.Kind > driver.DirectMessage {
			t.Fatalf("invalid kind %d", in.Kind)
		}
		if network != "" && in.Network != network {
			t.Fatalf("network %q, want %q", in.Network, network)
		}
		if in.Network == "" {
			t.Fatalf("interaction without network")
		}
	}
}

func FuzzParseMeta(f *testing.F) {
	seedFiles(f, "meta_")
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := ParseMeta(body)
		checkParsed(t, "", items, err)
	})
}

func FuzzParseSlack(f *testing.F) {
	seedFiles(f, "slack_")
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := ParseSlack(body)
		checkParsed(t, "slack", items, err)
	})
}

func FuzzParseDiscord(f *testing.F) {
	seedFiles(f, "discord_")
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := ParseDiscord(body)
		checkParsed(t, "discord", items, err)
	})
}

func FuzzParseTelegram(f *testing.F) {
	seedFiles(f, "telegram_")
	f.Fuzz(func(t *testing.T, body []byte) {
		for _, bot := range []TelegramBot{testBot, {Username: "BrandHelpBot"}, {}} {
			items, err := ParseTelegram(body, bot)
			checkParsed(t, "telegram", items, err)
		}
	})
}

func FuzzParseX(f *testing.F) {
	seedFiles(f, "x_")
	f.Fuzz(func(t *testing.T, body []byte) {
		items, err := ParseX(body)
		checkParsed(t, "x", items, err)
	})
}

// checkVerified fails when a verifier accepted a header other than the one
// computed by the test (ignoring hex case).
func checkVerified(t *testing.T, err error, header, want string, foldCase bool) {
	t.Helper()
	if err == nil {
		same := header == want || (foldCase && strings.EqualFold(header, want))
		if !same {
			t.Fatalf("forged header %q accepted", header)
		}
		return
	}
	if !errors.Is(err, ErrInvalidSignature) && !errors.Is(err, ErrStale) {
		t.Fatalf("untyped error %v", err)
	}
}

func FuzzVerifyMeta(f *testing.F) {
	body := readTestdata(f, "meta_page_feed.json")
	f.Add([]byte("secret"), metaSignature([]byte("secret"), string(body)), body)
	f.Add([]byte("secret"), "sha256=", []byte{})
	f.Add([]byte{}, "sha1=abc", []byte("x"))
	f.Fuzz(func(t *testing.T, secret []byte, header string, body []byte) {
		err := VerifyMeta(secret, header, body)
		checkVerified(t, err, header, metaSignature(secret, string(body)), true)
		if len(secret) > 0 {
			if err := VerifyMeta(secret, metaSignature(secret, string(body)), body); err != nil {
				t.Fatalf("genuine signature refused: %v", err)
			}
		}
	})
}

func FuzzVerifyX(f *testing.F) {
	body := readTestdata(f, "x_tweet_create_events.json")
	f.Add([]byte("secret"), xSignature([]byte("secret"), string(body)), body)
	f.Add([]byte("secret"), "sha256=====", []byte{})
	f.Fuzz(func(t *testing.T, secret []byte, header string, body []byte) {
		err := VerifyX(secret, header, body)
		checkVerified(t, err, header, xSignature(secret, string(body)), false)
		if len(secret) > 0 {
			if err := VerifyX(secret, xSignature(secret, string(body)), body); err != nil {
				t.Fatalf("genuine signature refused: %v", err)
			}
		}
		_ = XCRCResponse(secret, string(body))
	})
}

func FuzzVerifySlack(f *testing.F) {
	body := readTestdata(f, "slack_app_mention.json")
	f.Add([]byte("secret"), signedTSUnix, slackSignature([]byte("secret"), signedTSUnix, string(body)), body, int64(0))
	f.Add([]byte("secret"), "-5", "v0=", []byte{}, int64(-1<<62))
	f.Add([]byte("secret"), "9223372036854775807", "v0=zz", []byte("{}"), int64(1<<62))
	f.Fuzz(func(t *testing.T, secret []byte, ts, sig string, body []byte, skew int64) {
		now := testNow.Add(time.Duration(skew))
		err := VerifySlack(secret, ts, sig, body, now, 0)
		checkVerified(t, err, sig, slackSignature(secret, ts, string(body)), true)
		if len(secret) > 0 {
			err := VerifySlack(secret, signedTSUnix, slackSignature(secret, signedTSUnix, string(body)), body, testNow, 0)
			if err != nil {
				t.Fatalf("genuine signature refused: %v", err)
			}
		}
	})
}

func FuzzVerifyDiscord(f *testing.F) {
	pub, priv := testDiscordKey()
	body := readTestdata(f, "discord_command.json")
	f.Add(signedTSUnix, hex.EncodeToString(ed25519.Sign(priv, append([]byte(signedTSUnix), body...))), body, []byte(pub))
	f.Add("", "", []byte{}, []byte{1, 2, 3})
	f.Fuzz(func(t *testing.T, ts, sig string, body, key []byte) {
		_ = VerifyDiscord(key, ts, sig, body) // any key: must not panic
		err := VerifyDiscord(pub, ts, sig, body)
		genuine := hex.EncodeToString(ed25519.Sign(priv, append([]byte(ts), body...)))
		if ts != "" {
			checkVerified(t, err, sig, genuine, true)
			if err := VerifyDiscord(pub, ts, genuine, body); err != nil {
				t.Fatalf("genuine signature refused: %v", err)
			}
		} else if err == nil {
			t.Fatal("empty timestamp accepted")
		}
	})
}

func FuzzVerifyTelegram(f *testing.F) {
	f.Add("secret", "secret")
	f.Add("secret", "")
	f.Add("", "")
	f.Fuzz(func(t *testing.T, expected, got string) {
		err := VerifyTelegram(expected, got)
		if (err == nil) != (expected != "" && expected == got) {
			t.Fatalf("VerifyTelegram(%q, %q) = %v", expected, got, err)
		}
		if err != nil && !errors.Is(err, ErrInvalidSignature) {
			t.Fatalf("untyped error %v", err)
		}
	})
}
