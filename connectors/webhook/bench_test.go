package webhook

import (
	"bytes"
	"context"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/cmkit/cmkit/connectors/driver"
)

func BenchmarkVerifyMeta(b *testing.B) {
	body := readTestdata(b, "meta_page_feed.json")
	secret := []byte(metaSecret)
	sig := metaSignature(secret, string(body))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if err := VerifyMeta(secret, sig, body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseMeta(b *testing.B) {
	body := readTestdata(b, "meta_page_feed.json")
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		if _, err := ParseMeta(body); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkSlackHandler(b *testing.B) {
	body := readTestdata(b, "slack_app_mention.json")
	opts := testOptions(nil)
	opts.DedupSize = -1
	h := Slack(slackSecret, SinkFunc(func(context.Context, string, []driver.Interaction) error { return nil }), opts)
	sig := slackSignature([]byte(slackSecret), signedTSUnix, string(body))
	b.SetBytes(int64(len(body)))
	b.ReportAllocs()
	for b.Loop() {
		r := httptest.NewRequest(http.MethodPost, "/slack", bytes.NewReader(body))
		r.Header.Set(HeaderSlackTimestamp, signedTSUnix)
		r.Header.Set(HeaderSlackSignature, sig)
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		if w.Code != http.StatusOK {
			b.Fatal(w.Code)
		}
	}
}
