package crashtest

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"

	"github.com/cmkit/cmkit/connectors/driver"
)

// httpDriver is a minimal connector for fakeNet: Publish (sending the
// idempotency key as an Idempotency-Key header) and FindPost (by exact
// text, through the search endpoint). Like a real driver it never retries
// after sending, and reports a lost reply as Indeterminate.
type httpDriver struct {
	base, account string
	client        *http.Client
}

var _ driver.PostFinder = (*httpDriver)(nil)

// keyDriver is the driver of an account that honours idempotency keys: it
// has no FindPost, so the scheduler's only way to recover a publish of
// unknown outcome is to send it again with the same key.
type keyDriver struct{ d *httpDriver }

func (k keyDriver) Describe(ctx context.Context) (driver.Description, error) {
	return k.d.Describe(ctx)
}

func (k keyDriver) Publish(ctx context.Context, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	return k.d.Publish(ctx, p, opts)
}

// newDriver returns a keyDriver for accounts that honour keys, else an
// httpDriver (with FindPost).
func newDriver(base, account string, client *http.Client) driver.Driver {
	d := &httpDriver{base: base, account: account, client: client}
	if idempotentAccount(account) {
		return keyDriver{d}
	}
	return d
}

func (d *httpDriver) url(suffix string) string {
	return d.base + "/accounts/" + url.PathEscape(d.account) + suffix
}

func (d *httpDriver) Describe(ctx context.Context) (driver.Description, error) {
	var v struct {
		Handle     string `json:"handle"`
		Idempotent bool   `json:"idempotent"`
	}
	if err := d.do(ctx, http.MethodGet, d.url(""), nil, nil, &v); err != nil {
		return driver.Description{}, err
	}
	return driver.Description{
		Network: "fake", DisplayName: "Fake", AccountID: v.Handle, Handle: v.Handle,
		Limits:     driver.Limits{TextRule: driver.CountCodePoints, MaxText: 500, NoMedia: true},
		Idempotent: v.Idempotent,
	}, nil
}

func (d *httpDriver) Publish(ctx context.Context, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	body, err := json.Marshal(map[string]string{"text": p.Text})
	if err != nil {
		return driver.PublishResult{}, err
	}
	h := http.Header{"Content-Type": {"application/json"}}
	if opts.IdempotencyKey != "" {
		h.Set("Idempotency-Key", opts.IdempotencyKey)
	}
	var v postJSON
	if err := d.do(ctx, http.MethodPost, d.url("/statuses"), h, body, &v); err != nil {
		return driver.PublishResult{}, err
	}
	return driver.PublishResult{Status: driver.Published, ID: v.ID, URL: v.URL, PublishedAt: v.CreatedAt}, nil
}

func (d *httpDriver) FindPost(ctx context.Context, key string, p *driver.Post) (driver.PublishResult, error) {
	if p == nil {
		return driver.PublishResult{}, &driver.Error{Code: driver.NotFound, Message: "no post to look for"}
	}
	var found []postJSON
	if err := d.do(ctx, http.MethodGet, d.url("/statuses?text="+url.QueryEscape(p.Text)), nil, nil, &found); err != nil {
		return driver.PublishResult{}, err
	}
	if len(found) == 0 {
		return driver.PublishResult{}, &driver.Error{Code: driver.NotFound, Message: "no post with this text"}
	}
	v := found[len(found)-1] // the oldest: search lists newest first
	return driver.PublishResult{Status: driver.Published, ID: v.ID, URL: v.URL, PublishedAt: v.CreatedAt}, nil
}

func (d *httpDriver) do(ctx context.Context, method, u string, h http.Header, body []byte, out any) error {
	req, err := http.NewRequestWithContext(ctx, method, u, bytes.NewReader(body))
	if err != nil {
		return &driver.Error{Code: driver.Unknown, Message: "build request", Err: err}
	}
	for k, v := range h {
		req.Header[k] = v
	}
	resp, err := d.client.Do(req)
	if err != nil {
		if ctx.Err() != nil {
			return &driver.Error{Code: driver.Canceled, Err: ctx.Err()}
		}
		if method == http.MethodPost {
			return &driver.Error{Code: driver.Indeterminate, Message: "no reply after sending", Err: err}
		}
		return &driver.Error{Code: driver.Unavailable, Err: err}
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		code := driver.Unavailable
		if method == http.MethodPost {
			code = driver.Indeterminate
		}
		return &driver.Error{Code: code, Status: resp.StatusCode, Message: "reading the reply", Err: err}
	}
	switch {
	case resp.StatusCode == http.StatusUnprocessableEntity:
		return &driver.Error{Code: driver.InvalidContent, Status: resp.StatusCode, Message: string(data)}
	case resp.StatusCode == http.StatusNotFound:
		return &driver.Error{Code: driver.NotFound, Status: resp.StatusCode, Message: string(data)}
	case resp.StatusCode >= 500:
		return &driver.Error{Code: driver.Unavailable, Status: resp.StatusCode, Message: string(data)}
	case resp.StatusCode != http.StatusOK:
		return &driver.Error{Code: driver.Unknown, Status: resp.StatusCode, Message: string(data)}
	}
	if err := json.Unmarshal(data, out); err != nil {
		return &driver.Error{Code: driver.Unknown, Message: fmt.Sprintf("decode reply: %v", err), Err: errors.Unwrap(err)}
	}
	return nil
}
