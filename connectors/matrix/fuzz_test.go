package matrix_test

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/matrix"
)

// FuzzParseCursor: cursors come back from callers; any string is either
// refused with InvalidContent or round-trips.
func FuzzParseCursor(f *testing.F) {
	f.Add("")
	f.Add(matrix.Cursor{Rooms: map[string]matrix.Position{"!r:x": {Token: "t1_1", Skip: 2}}}.Encode())
	f.Add("mx1.e30")
	f.Add("mx1.eyJyIjp7IiFyIjp7InMiOi0xfX19")
	f.Add("mx1.%%%")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := matrix.ParseCursor(s)
		if err != nil {
			if driver.CodeOf(err) != driver.InvalidContent {
				t.Fatalf("ParseCursor(%q): code %v, want InvalidContent", s, driver.CodeOf(err))
			}
			return
		}
		again, err := matrix.ParseCursor(c.Encode())
		if err != nil {
			t.Fatalf("re-parsing the encoding of %q: %v", s, err)
		}
		if len(again.Rooms) != len(c.Rooms) {
			t.Fatalf("round trip changed the cursor: %v vs %v", c, again)
		}
	})
}

// FuzzMapError: error bodies come from the homeserver.
func FuzzMapError(f *testing.F) {
	files, _ := filepath.Glob(filepath.Join("testdata", "errors", "*.json"))
	for _, name := range files {
		b, err := os.ReadFile(name)
		if err == nil {
			f.Add(429, b)
			f.Add(400, b)
		}
	}
	f.Add(500, []byte(`{"errcode":5}`))
	f.Add(429, []byte(`{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":-5}`))
	f.Add(429, []byte(`{"errcode":"M_LIMIT_EXCEEDED","retry_after_ms":1e300}`))
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		err := matrix.MapError(&http.Response{StatusCode: status, Header: http.Header{}}, body)
		if err == nil {
			return
		}
		var rle *driver.RateLimitError
		if driver.CodeOf(err) == driver.RateLimited {
			if !matchRateLimit(err, &rle) {
				t.Fatalf("a RateLimited error without *RateLimitError: %v", err)
			}
			if rle.RetryAfter < 0 {
				t.Fatalf("negative RetryAfter %v", rle.RetryAfter)
			}
		}
		_ = err.Error()
	})
}

func matchRateLimit(err error, target **driver.RateLimitError) bool {
	for e := err; e != nil; {
		if r, ok := e.(*driver.RateLimitError); ok {
			*target = r
			return true
		}
		u, ok := e.(interface{ Unwrap() error })
		if !ok {
			return false
		}
		e = u.Unwrap()
	}
	return false
}

// FuzzRender: post text is user input; rendering never panics, keeps the
// body as written and never lets the text's own markup through.
func FuzzRender(f *testing.F) {
	for _, s := range []string{"Bonjour", "<b>x</b> & @a:b.c https://x.org/?a=<1>", "@@:", "a@b:c.d", "@x:y.z:99999999", "\n\n", "👍 @é:ü.de"} {
		f.Add("", s, false)
		f.Add("Titre", s, true)
	}
	f.Fuzz(func(t *testing.T, title, text string, sensitive bool) {
		body, formatted := matrix.Render(title, text, sensitive, "")
		if title == "" && body != text {
			t.Fatalf("body %q differs from the text %q", body, text)
		}
		if utf8.ValidString(text) && utf8.ValidString(title) && formatted != "" {
			stripped := formatted
			for _, tag := range []string{"<a href=", "</a>", "<br>", "<strong>", "</strong>", "<span data-mx-spoiler=", "</span>"} {
				stripped = strings.ReplaceAll(stripped, tag, "")
			}
			if strings.Contains(stripped, "<") {
				t.Fatalf("unescaped '<' in %q", formatted)
			}
		}
		for _, u := range matrix.MentionedUsers(text) {
			if !strings.HasPrefix(u, "@") || !strings.Contains(u, ":") || !strings.Contains(text, u) {
				t.Fatalf("MentionedUsers(%q) returned %q", text, u)
			}
		}
	})
}

// FuzzMentions: message text and display names come from other users.
func FuzzMentions(f *testing.F) {
	f.Add("Merci Brand !", "brand")
	f.Add("brandé", "brand")
	f.Add("", "")
	f.Add("ÉÉÉ", "é")
	f.Fuzz(func(t *testing.T, text, name string) {
		got := matrix.Mentions(false, nil, text, "@brand:example.org", name)
		if strings.TrimSpace(name) == "" && got && !strings.Contains(text, "@brand:example.org") {
			t.Fatalf("an empty display name matched %q", text)
		}
	})
}
