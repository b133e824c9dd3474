// Package guestbook is an example third-party connector for a small
// guestbook website (see ../guestbookserver for its API). It shows what a
// connector needs and nothing more: a driver implementing Publish plus the
// optional Deleter and CommentLister, registered under "guestbook", errors
// mapped to cmkit's codes, and the conformance suite in its test.
//
// # Opening
//
//	import _ "github.com/cmkit/cmkit/examples/connector/guestbook"
//
//	acct, err := connectors.OpenURL(ctx, "guestbook+http://127.0.0.1:8080/brand",
//		connectors.Config{Tokens: oauth2.StaticTokenSource(&oauth2.Token{AccessToken: token})}, nil)
//
// Config.Server (the guestbook's base URL) and Config.Tokens are required.
//
// # Capabilities
//
// Publish, Delete, Comments (oldest first, paged by comment sequence).
// Entries are text only (no media), 500 characters.
//
// # Errors and rate limits
//
// 400 and 422 are InvalidContent, 401 Unauthenticated, 403
// PermissionDenied, 404 NotFound, 429 RateLimited with Retry-After, 503
// Unavailable. Another 5xx, or a connection lost after a POST was sent, is
// Indeterminate (the entry may exist); on a read it is Unavailable. The
// driver never retries: connectors.Account does.
package guestbook

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
	"golang.org/x/oauth2"
)

func init() { connectors.Register("guestbook", Open) }

// Open opens a driver on the guestbook at cfg.Server.
func Open(ctx context.Context, cfg driver.Config) (driver.Driver, error) {
	if cfg.Server == "" {
		return nil, driver.Errorf(driver.InvalidContent, "guestbook: Config.Server (the guestbook's URL) is required")
	}
	if _, err := url.Parse(cfg.Server); err != nil {
		return nil, driver.Errorf(driver.InvalidContent, "guestbook: bad Config.Server: %v", err)
	}
	if cfg.Tokens == nil {
		return nil, driver.Errorf(driver.Unauthenticated, "guestbook: Config.Tokens is required")
	}
	hc := cfg.HTTPClient
	if hc == nil {
		hc = &http.Client{Timeout: 30 * time.Second}
	}
	ua := cfg.UserAgent
	if ua == "" {
		ua = "cmkit"
	}
	return &Driver{base: strings.TrimRight(cfg.Server, "/"), tokens: cfg.Tokens, hc: hc, ua: ua}, nil
}

// Driver is the guestbook driver. It is safe for concurrent use.
type Driver struct {
	base   string
	tokens oauth2.TokenSource
	hc     *http.Client
	ua     string
}

var (
	_ driver.Driver        = (*Driver)(nil)
	_ driver.Deleter       = (*Driver)(nil)
	_ driver.CommentLister = (*Driver)(nil)
)

// Describe reads the account from /api/me and returns the guestbook's
// limits.
func (d *Driver) Describe(ctx context.Context) (driver.Description, error) {
	var me struct{ ID, Handle string }
	if err := d.call(ctx, http.MethodGet, "/api/me", nil, &me); err != nil {
		return driver.Description{}, err
	}
	return driver.Description{
		Network:     "guestbook",
		DisplayName: "Guestbook",
		AccountID:   me.ID,
		Handle:      me.Handle,
		URL:         d.base + "/" + me.Handle,
		Limits:      driver.Limits{TextRule: driver.CountCodePoints, MaxText: 500, NoMedia: true},
	}, nil
}

// Publish creates an entry.
func (d *Driver) Publish(ctx context.Context, p *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	var e struct {
		ID        string    `json:"id"`
		CreatedAt time.Time `json:"created_at"`
	}
	if err := d.call(ctx, http.MethodPost, "/api/entries", map[string]string{"text": p.Text}, &e); err != nil {
		return driver.PublishResult{}, err
	}
	return driver.PublishResult{Status: driver.Published, ID: e.ID, PublishedAt: e.CreatedAt,
		URL: d.base + "/entries/" + url.PathEscape(e.ID)}, nil
}

// DeletePost deletes an entry.
func (d *Driver) DeletePost(ctx context.Context, id string) error {
	return d.call(ctx, http.MethodDelete, "/api/entries/"+url.PathEscape(id), nil, nil)
}

// ListComments lists an entry's comments after the cursor (a comment
// sequence number).
func (d *Driver) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	q := url.Values{}
	after := req.Cursor
	if after == "" {
		after = "0"
	}
	q.Set("after", after)
	if req.Limit > 0 {
		q.Set("limit", strconv.Itoa(min(req.Limit, 100)))
	}
	var out struct {
		Comments []struct {
			ID        string    `json:"id"`
			Seq       int       `json:"seq"`
			Author    string    `json:"author"`
			Text      string    `json:"text"`
			CreatedAt time.Time `json:"created_at"`
		} `json:"comments"`
		HasMore bool `json:"has_more"`
	}
	path := "/api/entries/" + url.PathEscape(postID) + "/comments?" + q.Encode()
	if err := d.call(ctx, http.MethodGet, path, nil, &out); err != nil {
		return driver.InteractionPage{}, err
	}
	pg := driver.InteractionPage{Next: after, More: out.HasMore}
	for _, c := range out.Comments {
		if !req.Since.IsZero() && c.CreatedAt.Before(req.Since) {
			pg.Next = strconv.Itoa(c.Seq)
			continue
		}
		pg.Items = append(pg.Items, driver.Interaction{
			Kind: driver.Comment, ID: c.ID, Network: "guestbook", PostID: postID, ParentID: postID,
			Author: driver.Author{ID: c.Author, Handle: c.Author, Followers: -1}, Text: c.Text, CreatedAt: c.CreatedAt,
		})
		pg.Next = strconv.Itoa(c.Seq)
	}
	return pg, nil
}

// call sends one request and decodes the JSON answer into out.
func (d *Driver) call(ctx context.Context, method, path string, in, out any) error {
	var body io.Reader
	if in != nil {
		b, err := json.Marshal(in)
		if err != nil {
			return &driver.Error{Code: driver.InvalidContent, Err: err}
		}
		body = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, d.base+path, body)
	if err != nil {
		return &driver.Error{Code: driver.Unknown, Message: "building request", Err: err}
	}
	tok, err := d.tokens.Token()
	if err != nil {
		return &driver.Error{Code: driver.Unauthenticated, Message: "no token", Err: err}
	}
	req.Header.Set("Authorization", "Bearer "+tok.AccessToken)
	req.Header.Set("User-Agent", d.ua)
	req.Header.Set("Accept", "application/json")
	if in != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := d.hc.Do(req)
	if err != nil {
		if ctx.Err() != nil && method == http.MethodGet {
			return &driver.Error{Code: driver.Canceled, Err: err}
		}
		if method == http.MethodPost {
			// The request may have reached the server: do not guess.
			return &driver.Error{Code: driver.Indeterminate, Message: "connection lost", Err: err}
		}
		return &driver.Error{Code: driver.Unavailable, Message: "connection failed", Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		code := driver.Unavailable
		if method == http.MethodPost {
			code = driver.Indeterminate
		}
		return &driver.Error{Code: code, Status: resp.StatusCode, Message: "reading the response", Err: err}
	}
	if resp.StatusCode >= 300 {
		return mapError(method, resp, data)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &driver.Error{Code: driver.Unknown, Status: resp.StatusCode, Message: "bad JSON from the guestbook", Err: err}
	}
	return nil
}

// mapError turns an error response into a *driver.Error.
func mapError(method string, resp *http.Response, body []byte) error {
	var eb struct {
		Error string `json:"error"`
	}
	_ = json.Unmarshal(body, &eb)
	e := &driver.Error{Status: resp.StatusCode, Message: eb.Error}
	switch s := resp.StatusCode; {
	case s == http.StatusBadRequest || s == http.StatusUnprocessableEntity:
		e.Code = driver.InvalidContent
	case s == http.StatusUnauthorized:
		e.Code = driver.Unauthenticated
	case s == http.StatusForbidden:
		e.Code = driver.PermissionDenied
	case s == http.StatusNotFound:
		e.Code = driver.NotFound
	case s == http.StatusConflict:
		e.Code = driver.Conflict
	case s == http.StatusTooManyRequests:
		e.Code = driver.RateLimited
		rl := &driver.RateLimitError{Code: driver.RateLimited, Limit: -1, Remaining: -1}
		if secs, err := strconv.Atoi(strings.TrimSpace(resp.Header.Get("Retry-After"))); err == nil && secs >= 0 {
			rl.RetryAfter = time.Duration(secs) * time.Second
		}
		e.Err = rl
	case s == http.StatusServiceUnavailable:
		e.Code = driver.Unavailable
	case s >= 500 && method == http.MethodPost:
		e.Code = driver.Indeterminate
	case s >= 500:
		e.Code = driver.Unavailable
	default:
		e.Code = driver.Unknown
	}
	return e
}
