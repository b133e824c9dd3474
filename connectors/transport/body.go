package transport

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime/multipart"
	"net/textproto"
	"strconv"
	"strings"
	"unicode/utf8"
)

// DefaultMaxBodyBytes is the default cap on response bodies the Client
// reads: 4 MiB, far above any JSON answer of the supported networks.
const DefaultMaxBodyBytes = 4 << 20

// BodyTooLargeError is returned by ReadBody when the body is longer than the
// cap. It is a local condition, not a network error: the data read so far
// is returned with it.
type BodyTooLargeError struct {
	// Limit is the cap that was exceeded, in bytes.
	Limit int64
}

// Error says which cap was exceeded.
func (e *BodyTooLargeError) Error() string {
	return "transport: response body exceeds " + strconv.FormatInt(e.Limit, 10) + " bytes"
}

// ReadBody reads r to the end or to max bytes, whichever comes first. When r
// holds more than max bytes it returns the first max bytes and a
// *BodyTooLargeError. A negative or zero max means DefaultMaxBodyBytes.
func ReadBody(r io.Reader, max int64) ([]byte, error) {
	if max <= 0 {
		max = DefaultMaxBodyBytes
	}
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, max+1))
	if err != nil {
		return buf.Bytes(), err
	}
	if n > max {
		return buf.Bytes()[:max], &BodyTooLargeError{Limit: max}
	}
	return buf.Bytes(), nil
}

// maxMessage caps the length of a network message copied into an error.
const maxMessage = 512

// ExtractError finds the network's error code and message in an error body.
// It knows the shapes of the supported networks:
//
//   - OAuth 2.0 and Mastodon: {"error":"invalid_grant","error_description":"..."}
//     (an "error" with spaces, such as Mastodon's "Too many requests", is a
//     message, not a code);
//   - Bluesky XRPC: {"error":"ExpiredToken","message":"..."};
//   - Meta Graph: {"error":{"message","type","code":190,"error_subcode":463}}
//     gives code "190/463";
//   - Google: {"error":{"code":403,"message","status","errors":[{"reason"}]}}
//     gives the first reason, else the status;
//   - X problems {"title","detail","type":".../problems/usage-capped"} give
//     "usage-capped", and legacy {"errors":[{"code":88,"message"}]} give "88";
//   - Discord, Pinterest, WordPress, LinkedIn: {"code":...,"message":...};
//   - Telegram: {"ok":false,"error_code":429,"description":"..."};
//   - Slack: {"ok":false,"error":"channel_not_found"};
//   - Reddit: {"json":{"errors":[["RATELIMIT","message","field"]]}}.
//
// A body that is not JSON gives its first 512 bytes, with white space
// collapsed, as the message. The result is not scrubbed.
func ExtractError(body []byte) (code, message string) {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return "", ""
	}
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	if body[0] != '{' || dec.Decode(&v) != nil {
		return "", truncate(collapseSpace(string(body)), maxMessage)
	}
	code, message = extractFromMap(v)
	return truncate(code, 128), truncate(message, maxMessage)
}

func extractFromMap(v map[string]any) (code, message string) {
	message = firstString(v, "error_description", "message", "detail", "description", "error_message", "title")
	switch e := v["error"].(type) {
	case string:
		if message == "" && strings.ContainsRune(e, ' ') {
			return "", e
		}
		return e, message
	case map[string]any:
		msg := firstString(e, "message", "error_user_msg", "error_description")
		if msg == "" {
			msg = message
		}
		c := scalar(e["code"])
		if sub := scalar(e["error_subcode"]); sub != "" {
			c += "/" + sub
		}
		if errs, ok := e["errors"].([]any); ok && len(errs) > 0 {
			if m, ok := errs[0].(map[string]any); ok {
				if r := scalar(m["reason"]); r != "" {
					c = r
				}
			}
		} else if s := scalar(e["status"]); s != "" && c != "" && isDigits(c) {
			c = s
		}
		if c == "" {
			c = scalar(e["type"])
		}
		return c, msg
	}
	if t := scalar(v["type"]); strings.Contains(t, "/problems/") {
		return t[strings.LastIndexByte(t, '/')+1:], message
	}
	if errs, ok := v["errors"].([]any); ok && len(errs) > 0 {
		if m, ok := errs[0].(map[string]any); ok {
			c := scalar(m["code"])
			msg := firstString(m, "message", "detail", "title")
			if msg == "" {
				msg = message
			}
			return c, msg
		}
	}
	if j, ok := v["json"].(map[string]any); ok {
		if errs, ok := j["errors"].([]any); ok && len(errs) > 0 {
			if triple, ok := errs[0].([]any); ok && len(triple) > 0 {
				c := scalar(triple[0])
				msg := ""
				if len(triple) > 1 {
					msg = scalar(triple[1])
				}
				return c, msg
			}
		}
	}
	if c := scalar(v["code"]); c != "" {
		return c, message
	}
	if c := scalar(v["error_code"]); c != "" {
		return c, message
	}
	return "", message
}

func firstString(m map[string]any, keys ...string) string {
	for _, k := range keys {
		if s, ok := m[k].(string); ok && s != "" {
			return s
		}
	}
	return ""
}

// scalar formats a JSON string, number or boolean; other values give "".
func scalar(v any) string {
	switch x := v.(type) {
	case string:
		return x
	case json.Number:
		return x.String()
	case bool:
		return strconv.FormatBool(x)
	}
	return ""
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

func collapseSpace(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// truncate cuts s to at most n bytes on a rune boundary, marking the cut
// with an ellipsis, and replaces invalid UTF-8.
func truncate(s string, n int) string {
	s = strings.ToValidUTF8(s, "\uFFFD")
	if len(s) <= n {
		return s
	}
	cut := n
	for cut > 0 && !utf8.RuneStart(s[cut]) {
		cut--
	}
	return s[:cut] + "…"
}

// Part is one part of a multipart/form-data body: a form field, or a file
// when Filename is set.
type Part struct {
	// Name is the form field name.
	Name string
	// Filename, when set, makes the part a file upload.
	Filename string
	// ContentType of a file part. Defaults to application/octet-stream.
	ContentType string
	// Data is the content; Reader, when non-nil, is read instead.
	Data   []byte
	Reader io.Reader
}

// Multipart encodes parts as a multipart/form-data body (media uploads:
// Mastodon /api/v2/media, Discord attachments, Telegram sendPhoto) and
// returns the body and its Content-Type with the boundary. The body is built
// in memory; pass it as Request.Body with Request.ContentType.
func Multipart(parts ...Part) (body []byte, contentType string, err error) {
	var buf bytes.Buffer
	w := multipart.NewWriter(&buf)
	for i, p := range parts {
		if p.Name == "" {
			return nil, "", fmt.Errorf("transport: multipart part %d has no name", i)
		}
		h := make(textproto.MIMEHeader)
		disp := `form-data; name="` + escapeQuotes(p.Name) + `"`
		if p.Filename != "" {
			disp += `; filename="` + escapeQuotes(p.Filename) + `"`
			ct := p.ContentType
			if ct == "" {
				ct = "application/octet-stream"
			}
			h.Set("Content-Type", ct)
		} else if p.ContentType != "" {
			h.Set("Content-Type", p.ContentType)
		}
		h.Set("Content-Disposition", disp)
		pw, err := w.CreatePart(h)
		if err != nil {
			return nil, "", err
		}
		if p.Reader != nil {
			if _, err := io.Copy(pw, p.Reader); err != nil {
				return nil, "", fmt.Errorf("transport: multipart part %q: %w", p.Name, err)
			}
		} else if _, err := pw.Write(p.Data); err != nil {
			return nil, "", err
		}
	}
	if err := w.Close(); err != nil {
		return nil, "", err
	}
	return buf.Bytes(), w.FormDataContentType(), nil
}

var quoteEscaper = strings.NewReplacer("\\", "\\\\", `"`, "\\\"", "\r", "", "\n", "")

func escapeQuotes(s string) string { return quoteEscaper.Replace(s) }

// errBodyTooLarge reports whether err is a *BodyTooLargeError.
func errBodyTooLarge(err error) bool {
	var e *BodyTooLargeError
	return errors.As(err, &e)
}
