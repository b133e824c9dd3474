package bluesky

import (
	"net/http"
	"strings"
	"testing"
	"time"
	"unicode/utf8"
)

func FuzzParseCursor(f *testing.F) {
	f.Add("")
	f.Add(cursor{At: time.Unix(1_800_000_000, 0), Keys: []string{"at://did:plc:a/app.bsky.feed.post/3k"}}.encode())
	f.Add("b1.MjAyNi0xMS0yNVQwMDo0MTowNFogYQ")
	f.Add("b1.!!!")
	f.Fuzz(func(t *testing.T, s string) {
		c, err := parseCursor(s)
		if err != nil {
			return
		}
		if s == "" {
			return
		}
		again, err := parseCursor(c.encode())
		if err != nil || !again.At.Equal(c.At) || strings.Join(again.Keys, " ") != strings.Join(c.Keys, " ") {
			t.Fatalf("cursor %q does not round-trip: %v %v", s, again, err)
		}
	})
}

func FuzzParseATURI(f *testing.F) {
	f.Add("at://did:plc:6qavlfoujdqwci5o6tyocubc/app.bsky.feed.post/3n33wek4ixk2q")
	f.Add("at://brand.test/app.bsky.feed.like/3k")
	f.Add("at://did:web:example.com%3A8080/app.bsky.feed.post/self")
	f.Add("at:///a/b")
	f.Fuzz(func(t *testing.T, s string) {
		u, ok := parseATURI(s)
		if !ok {
			return
		}
		if u.String() != s {
			t.Fatalf("parseATURI(%q).String() = %q", s, u.String())
		}
	})
}

func FuzzDecodeJWT(f *testing.F) {
	f.Add("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiJkaWQ6cGxjOmEiLCJleHAiOjE3OTU1NzQyMTl9.c2ln")
	f.Add("a.b.c")
	f.Add("...")
	f.Fuzz(func(t *testing.T, s string) {
		c, ok := decodeJWT(s)
		if !ok && c != (jwtClaims{}) {
			t.Fatalf("failed decode returned claims %v", c)
		}
		_ = jwtExpiry(s)
	})
}

func FuzzParseDIDDocument(f *testing.F) {
	f.Add([]byte(`{"id":"did:plc:a","service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"https://pds.example.com"}]}`), "did:plc:a")
	f.Add([]byte(`{"id":"did:web:x","service":[{"id":"did:web:x#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":{"a":1}}]}`), "did:web:x")
	f.Add([]byte(`null`), "did:plc:a")
	f.Fuzz(func(t *testing.T, body []byte, did string) {
		pds, err := parseDIDDocument(body, did)
		if err == nil && !strings.HasPrefix(pds, "http://") && !strings.HasPrefix(pds, "https://") {
			t.Fatalf("PDS %q is not an http(s) URL", pds)
		}
	})
}

func FuzzParseLinkCard(f *testing.F) {
	f.Add([]byte(`<html><head><meta property="og:title" content="Titre &amp; co"><meta name=description content=x></head>`))
	f.Add([]byte(`<title>Plain</title>`))
	f.Add([]byte(`<meta property="og:title" content="`))
	f.Fuzz(func(t *testing.T, page []byte) {
		c := parseLinkCard(page)
		if len(c.Title) > 300 || len(c.Description) > 1000 {
			t.Fatalf("card too long: %d/%d", len(c.Title), len(c.Description))
		}
		if utf8.Valid(page) && (!utf8.ValidString(c.Title) || !utf8.ValidString(c.Description)) {
			t.Fatalf("card cut inside a character: %q", c)
		}
	})
}

func FuzzErrorMapper(f *testing.F) {
	f.Add(400, []byte(`{"error":"ExpiredToken","message":"Token has expired"}`), "")
	f.Add(429, []byte(`{"error":"RateLimitExceeded"}`), "1800000000")
	f.Add(500, []byte(`garbage`), "x")
	mapper := errorMapper(func() time.Time { return time.Unix(1_800_000_000, 0) })
	f.Fuzz(func(t *testing.T, status int, body []byte, reset string) {
		if status < 400 || status > 599 {
			return
		}
		h := http.Header{}
		h.Set("RateLimit-Reset", reset)
		_ = mapper(&http.Response{StatusCode: status, Header: h}, body)
	})
}

func FuzzKeyTID(f *testing.F) {
	f.Add("job-42")
	f.Add("")
	f.Fuzz(func(t *testing.T, key string) {
		if tid := keyTID(key); !validTID(tid) {
			t.Fatalf("keyTID(%q) = %q is not a TID", key, tid)
		}
	})
}
