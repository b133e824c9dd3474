package slack

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/cmkit/cmkit/connectors/driver"
)

// FuzzParseID checks "channel:ts" IDs round-trip and never panic.
func FuzzParseID(f *testing.F) {
	for _, s := range []string{"C0LAN2Q65:1355517523.000005", "D123:1.2", "C1:", ":1.2", "c1:1.2", "C1:1.2.3", "C1:1e9.5"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ch, ts, err := parseID(s)
		if err != nil {
			if driver.CodeOf(err) != driver.NotFound {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if ID(ch, ts) != s {
			t.Fatalf("%q formats back as %q", s, ID(ch, ts))
		}
	})
}

// FuzzDMCursor checks the direct-message cursor parser.
func FuzzDMCursor(f *testing.F) {
	for _, s := range []string{"", "1355517523.000005", "1355517523.000005/D0123", "1/D", "x/y", "1.2/"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, ch, err := parseDMCursor(s)
		if err != nil {
			if driver.CodeOf(err) != driver.InvalidContent {
				t.Fatalf("%q: %v", s, err)
			}
			return
		}
		if s != "" && (!validTS(ts) || (ch != "" && !validChannel(ch))) {
			t.Fatalf("%q parsed into %q %q", s, ts, ch)
		}
	})
}

// FuzzDecode feeds response bodies (seeds: the documented ones in
// testdata/) to the envelope check: ok:true decodes, anything else is a
// classified error, never a panic.
func FuzzDecode(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "*.json"))
	for _, name := range files {
		if b, err := os.ReadFile(name); err == nil {
			f.Add(b, strings.Contains(name, "error_fatal"))
		}
	}
	f.Add([]byte(`{"ok":false}`), true)
	f.Add([]byte(`<html>`), false)
	f.Fuzz(func(t *testing.T, body []byte, write bool) {
		var out struct {
			TS string `json:"ts"`
		}
		err := decode("chat.postMessage", write, 200, body, &out)
		if err == nil {
			return
		}
		if !strings.HasPrefix(err.Error(), "connectors: ") {
			t.Fatalf("error %q is not a connectors error", err)
		}
	})
}

// FuzzTSLess checks the ts order is a strict order consistent with
// equality of normalised values.
func FuzzTSLess(f *testing.F) {
	f.Add("1355517523.000005", "1355517523.000050")
	f.Add("9.1", "10.0")
	f.Fuzz(func(t *testing.T, a, b string) {
		if !validTS(a) || !validTS(b) {
			return
		}
		if tsLess(a, b) && tsLess(b, a) {
			t.Fatalf("%q and %q are each less than the other", a, b)
		}
		if tsLess(a, a) {
			t.Fatalf("%q is less than itself", a)
		}
	})
}
