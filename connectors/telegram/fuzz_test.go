package telegram

import (
	"encoding/json"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// FuzzCursor checks cursors parse into positions that format back to
// the same text, or are refused as InvalidContent.
func FuzzCursor(f *testing.F) {
	for _, s := range []string{"", "0", "900000005", "900000005.2", "1.0", "01", "-1", "1.", ".1", "+1", "1.+2"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := parseCursor(s)
		if err != nil {
			if driver.CodeOf(err) != driver.InvalidContent {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if s != "" && p.String() != s {
			t.Fatalf("%q formats back as %q", s, p.String())
		}
	})
}

// FuzzParseID checks "chat:message" IDs round-trip.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"-1001234567890:42", "123:1", "0:1", "1:0", "a:b", ":", "1:2:3"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		c, m, err := parseID(s)
		if err != nil {
			return
		}
		if c == 0 || m <= 0 {
			t.Fatalf("%q parsed into %d %d", s, c, m)
		}
		_ = ID(c, m)
	})
}

// FuzzMapError feeds error bodies (seeds: testdata/error_*.json) to the
// error mapping: never a panic, always a connectors error or nil.
func FuzzMapError(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "error_*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(400, b)
		}
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		if status < 400 || status > 599 {
			status = 400
		}
		err := mapError(&http.Response{StatusCode: status}, body)
		if err != nil && !strings.HasPrefix(err.Error(), "connectors: ") {
			t.Fatalf("%q", err)
		}
	})
}

// FuzzIngest feeds getUpdates results (seed: testdata/getUpdates.json)
// to the update log and the listings' classification.
func FuzzIngest(f *testing.F) {
	if b, err := os.ReadFile(filepath.Join("testdata", "getUpdates.json")); err == nil {
		var r struct {
			Result []json.RawMessage `json:"result"`
		}
		if json.Unmarshal(b, &r) == nil {
			for _, u := range r.Result {
				f.Add([]byte(u))
			}
		}
	}
	f.Add([]byte(`{"update_id":1,"message":{"message_id":1,"chat":{"id":1,"type":"private"},"text":"x"}}`))
	f.Fuzz(func(t *testing.T, raw []byte) {
		d := &Driver{now: func() time.Time { return time.Unix(1773489900, 0) }}
		d.ingestLocked(raw)
		d.ingestLocked(raw) // the same update twice is kept once
		if len(d.log.entries) > 1 {
			t.Fatalf("one update gave %d entries", len(d.log.entries))
		}
		for _, e := range d.log.entries {
			parsed(e, d.bot)
		}
	})
}
