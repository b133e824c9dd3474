package discord

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cmkit/cmkit/connectors/driver"
)

// FuzzCommentCursor checks that any cursor either parses into snowflakes
// that format back to the same cursor, or is refused as InvalidContent.
func FuzzCommentCursor(f *testing.F) {
	for _, s := range []string{"", "c0", "c334385199974967042", "c334385199974967042.t334385199974967043", "c1.t", "t1", "c-1", "c18446744073709551616"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, th, err := parseCommentCursor(s)
		if err != nil {
			if driver.CodeOf(err) != driver.InvalidContent {
				t.Fatalf("cursor %q: error %v is not InvalidContent", s, err)
			}
			return
		}
		if s == "" {
			return
		}
		if !isSnowflake(c) || (th != "" && !isSnowflake(th)) {
			t.Fatalf("cursor %q parsed into %q, %q", s, c, th)
		}
		if got := formatCommentCursor(c, th); got != s {
			t.Fatalf("cursor %q formats back as %q", s, got)
		}
	})
}

// FuzzParseID checks message IDs: a snowflake or channel:message, never
// a panic, and IDs of the account's channel round-trip.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"334385199974967042", "290926798999357250:334385199974967042", ":", "a:b", "1:2:3", ""} {
		f.Add(s)
	}
	d := &Driver{channel: "290926798999357250"}
	f.Fuzz(func(t *testing.T, s string) {
		r, err := d.parseID(s)
		if err != nil {
			if driver.CodeOf(err) != driver.NotFound {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if got := d.formatID(r.channel, r.id); got != s && got != r.id {
			t.Fatalf("%q formats back as %q", s, got)
		}
	})
}

// FuzzMapError feeds error bodies (seeds: the documented ones in
// testdata/) to the error mapping: it never panics and always classifies.
func FuzzMapError(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err == nil {
			f.Add(400, b)
		}
	}
	f.Add(400, []byte(`{"code":50035,"errors":{"a":{"b":{"_errors":[{"code":"X","message":"y"}]}}},"message":"m"}`))
	f.Add(500, []byte(`<html>oops</html>`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			status = 400
		}
		err := mapError(&http.Response{StatusCode: status, Header: http.Header{}}, body)
		if err == nil {
			return
		}
		if driver.CodeOf(err) == driver.Unknown && status != 400 {
			return
		}
		if msg := err.Error(); !strings.HasPrefix(msg, "connectors: ") {
			t.Fatalf("error %q is not a connectors error", msg)
		}
	})
}

// FuzzWebhookURL checks webhook URL parsing never panics and only accepts
// /webhooks/{snowflake}/{token}.
func FuzzWebhookURL(f *testing.F) {
	f.Add("https://discord.com/api/webhooks/1234567890/abcdef-token")
	f.Add("https://discord.com/api/webhooks/x/y")
	f.Add("http://127.0.0.1:8080/api/webhooks/1/t?wait=true")
	f.Fuzz(func(t *testing.T, s string) {
		wh, err := parseWebhookURL(s)
		if err != nil {
			return
		}
		if !isSnowflake(wh.id) || wh.token == "" || strings.Contains(wh.token, "/") {
			t.Fatalf("%q parsed into %+v", s, wh)
		}
	})
}

func TestMerge(t *testing.T) {
	it := func(id string) driver.Interaction { return driver.Interaction{ID: id} }
	a := scanResult{items: []driver.Interaction{it("1"), it("10")}, ids: []string{"1", "10"}, next: "10"}
	b := scanResult{items: []driver.Interaction{it("2"), it("3")}, ids: []string{"2", "3"}, next: "3", more: true}
	items, an, bn, more := merge(a, b, 2)
	if len(items) != 2 || items[0].ID != "1" || items[1].ID != "2" || an != "1" || bn != "2" || !more {
		t.Fatalf("merge = %v %s %s %v", items, an, bn, more)
	}
	// A scan stopped early bounds what the other may give.
	a = scanResult{next: "5", bound: "5"}
	b = scanResult{items: []driver.Interaction{it("4"), it("6")}, ids: []string{"4", "6"}, next: "6"}
	items, _, bn, more = merge(a, b, 10)
	if len(items) != 1 || items[0].ID != "4" || bn != "4" || !more {
		t.Fatalf("bounded merge = %v %s %v", items, bn, more)
	}
}
