package transport

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"math"
	"net/http"
	"net/http/httptrace"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"golang.org/x/oauth2"
	"golang.org/x/time/rate"

	"github.com/cmkit/cmkit/connectors/driver"
)

// Limit is a published rate limit of one endpoint class, as a token bucket:
// Rate requests per second on average, and bursts of up to Burst requests.
// Rate may be rate.Inf for no pacing. Per builds one from "n requests per
// window".
type Limit struct {
	Rate  rate.Limit
	Burst int
}

// Per returns a Limit that never sends more than n requests in any window
// of length d, however the calls arrive: a burst of a tenth of n (at least
// one) and a steady rate of the rest per window. A documented limit such as
// X's "100 posts per 15 minutes" is Per(100, 15*time.Minute): bursts of 10,
// then one post every 10 seconds.
func Per(n int, d time.Duration) Limit {
	if n <= 0 || d <= 0 {
		return Limit{Rate: 0, Burst: 0}
	}
	b := max(1, n/10)
	steady := n - b
	if steady <= 0 {
		steady = n
	}
	return Limit{Rate: rate.Limit(float64(steady) / d.Seconds()), Burst: b}
}

// Options configure a Client. The zero value (or nil) is valid: every field
// documents its default.
type Options struct {
	// BaseURL is the API root relative paths are resolved against, e.g.
	// "https://mastodon.social" or "https://graph.facebook.com/v21.0".
	// Defaults to none: every Request must then carry an absolute URL.
	BaseURL string
	// HTTPClient sends the requests. Defaults to a client whose transport
	// is a clone of http.DefaultTransport (30 s dial timeout, 10 s TLS
	// handshake timeout, keep-alives) that also gives up when response
	// headers take more than 60 s. It has no overall timeout, so large
	// uploads are not cut: bound each call with its context.
	HTTPClient *http.Client
	// UserAgent is sent on every request. Defaults to "cmkit".
	UserAgent string
	// Header holds headers sent on every request (API versions such as
	// LinkedIn-Version, Accept). Request.Header overrides them.
	Header http.Header
	// Tokens, when set, authorizes every request sent to BaseURL's host or
	// to a host in TokenHosts: the token's SetAuthHeader sets
	// "Authorization: Bearer <token>" (or its TokenType's scheme, such as
	// Discord's "Bot"). A token source that also has a
	// TokenContext(ctx) (*oauth2.Token, error) method (oauth.TokenSource
	// has one) gets the request's context. Defaults to none.
	Tokens oauth2.TokenSource
	// TokenHosts lists other hosts (host or host:port) that may receive the
	// token, such as an upload host. Defaults to none.
	TokenHosts []string
	// ErrorMapper classifies non-2xx responses. Defaults to the mapping of
	// CodeForStatus with messages from ExtractError.
	ErrorMapper ErrorMapper
	// Dialect reads rate-limit headers. Defaults to Auto.
	Dialect Dialect
	// Limits are the published limits of endpoint classes, keyed by the
	// class name requests give in Request.Class ("statuses:post"). The
	// class "" is that of requests without a class. Classes without a limit
	// are not paced until the network announces one (see "Rate limits" in
	// the package documentation). Defaults to none.
	Limits map[string]Limit
	// IdempotencyHeader is the header that carries Request.IdempotencyKey
	// (Mastodon: "Idempotency-Key"). Defaults to none: the key is not sent
	// and does not make a request idempotent.
	IdempotencyHeader string
	// MaxWait is the longest the Client waits for a class to be allowed to
	// send; when the wait would be longer (or would outlast the context's
	// deadline) Do returns a *driver.RateLimitError at once, without
	// sending, so the caller can reschedule. Defaults to 1 minute.
	MaxWait time.Duration
	// MaxBodyBytes caps the response bodies read into memory, success and
	// error alike. Defaults to DefaultMaxBodyBytes (4 MiB).
	MaxBodyBytes int64
	// Logger receives one Debug record per request (method, URL, status,
	// duration, remaining quota), scrubbed of secrets. Defaults to
	// discarding.
	Logger *slog.Logger
	// Now is the clock used for pacing, cooldowns and rate-limit headers.
	// Defaults to time.Now. Waiting itself uses timers.
	Now func() time.Time
	// Secrets are removed from every error message and log line, in
	// addition to the current token and the shapes Scrub recognises.
	Secrets []string
}

// Client sends HTTP requests for one connector: it paces them per endpoint
// class, authorizes them, reads rate-limit headers, and classifies failures
// into driver errors. It never retries. A Client is safe for concurrent
// use; create one per account.
type Client struct {
	network    string
	base       *url.URL
	hc         *http.Client
	ua         string
	header     http.Header
	tokens     oauth2.TokenSource
	tokenHosts map[string]bool
	mapper     ErrorMapper
	dialect    Dialect
	idemHeader string
	maxWait    time.Duration
	maxBody    int64
	log        *slog.Logger
	now        func() time.Time
	secrets    []string

	mu          sync.Mutex
	classes     map[string]*class
	globalUntil time.Time
}

// class is the pacing state of one endpoint class.
type class struct {
	lim   *rate.Limiter // nil until a limit is configured or learned
	until time.Time     // blocked until then (429, exhausted window)
}

// New returns a Client for the named network (used in errors and logs,
// e.g. "mastodon"). It fails when BaseURL is not an absolute http(s) URL or
// a Limit has a non-positive Rate or Burst.
func New(network string, opts *Options) (*Client, error) {
	var o Options
	if opts != nil {
		o = *opts
	}
	c := &Client{
		network:    network,
		hc:         o.HTTPClient,
		ua:         o.UserAgent,
		header:     o.Header.Clone(),
		tokens:     o.Tokens,
		tokenHosts: map[string]bool{},
		mapper:     o.ErrorMapper,
		dialect:    o.Dialect,
		idemHeader: o.IdempotencyHeader,
		maxWait:    o.MaxWait,
		maxBody:    o.MaxBodyBytes,
		log:        o.Logger,
		now:        o.Now,
		secrets:    append([]string(nil), o.Secrets...),
		classes:    map[string]*class{},
	}
	if o.BaseURL != "" {
		u, err := url.Parse(o.BaseURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("transport: %s: BaseURL %q is not an absolute http(s) URL", network, Scrub(o.BaseURL, o.Secrets...))
		}
		u.RawQuery, u.Fragment = "", ""
		c.base = u
		c.tokenHosts[strings.ToLower(u.Host)] = true
	}
	for _, h := range o.TokenHosts {
		c.tokenHosts[strings.ToLower(h)] = true
	}
	for name, l := range o.Limits {
		if l.Rate != rate.Inf && (!(l.Rate > 0) || math.IsNaN(float64(l.Rate)) || l.Burst < 1) {
			return nil, fmt.Errorf("transport: %s: limit of class %q needs a positive Rate and Burst (got %v, %d)", network, name, l.Rate, l.Burst)
		}
		c.classes[name] = &class{lim: rate.NewLimiter(l.Rate, max(l.Burst, 1))}
	}
	if c.hc == nil {
		t := http.DefaultTransport.(*http.Transport).Clone()
		t.ResponseHeaderTimeout = 60 * time.Second
		c.hc = &http.Client{Transport: t}
	}
	if c.ua == "" {
		c.ua = "cmkit"
	}
	if c.mapper == nil {
		c.mapper = func(*http.Response, []byte) error { return nil }
	}
	if c.dialect == nil {
		c.dialect = Auto
	}
	if c.maxWait <= 0 {
		c.maxWait = time.Minute
	}
	if c.maxBody <= 0 {
		c.maxBody = DefaultMaxBodyBytes
	}
	if c.log == nil {
		c.log = slog.New(slog.DiscardHandler)
	}
	if c.now == nil {
		c.now = time.Now
	}
	return c, nil
}

// Network returns the network name given to New.
func (c *Client) Network() string { return c.network }

// Request is one HTTP request to send with Client.Do.
type Request struct {
	// Method defaults to GET.
	Method string
	// Path is resolved against Options.BaseURL ("/api/v1/statuses"), or is
	// an absolute http(s) URL (a pagination link, an upload URL). It may
	// carry a query.
	Path string
	// Query values are added to the URL's query.
	Query url.Values
	// Header values are set on the request, over Options.Header.
	Header http.Header
	// The body is the first set of Body (sent as ContentType, defaulting to
	// application/octet-stream), JSON (encoded, application/json) and Form
	// (application/x-www-form-urlencoded). Use Multipart to build a
	// multipart body.
	Body        []byte
	ContentType string
	JSON        any
	Form        url.Values
	// Class is the endpoint class the request is paced under (a key of
	// Options.Limits, e.g. "statuses:post"); "" is the default class.
	Class string
	// Idempotent marks a request as safe to repeat although its method is
	// not (a POST that only reads, such as a search). GET, HEAD, PUT,
	// DELETE and OPTIONS requests are idempotent whatever it says.
	Idempotent bool
	// IdempotencyKey is sent in Options.IdempotencyHeader. When both are
	// set, the network deduplicates the request, so it counts as
	// idempotent.
	IdempotencyKey string
	// NoAuth sends the request without the token.
	NoAuth bool
}

// Response is a response the Client read. Its body is read in full (up to
// Options.MaxBodyBytes) and closed.
type Response struct {
	StatusCode int
	Header     http.Header
	Body       []byte
	// RateLimit is what the response said about the rate limit.
	RateLimit RateLimit
	// HTTP is the underlying response, with its body already consumed;
	// it gives access to the request, TLS state and trailers.
	HTTP *http.Response
}

// DecodeJSON decodes the body into v. An empty body leaves v unchanged.
func (r *Response) DecodeJSON(v any) error {
	if v == nil || len(bytes.TrimSpace(r.Body)) == 0 {
		return nil
	}
	return json.Unmarshal(r.Body, v)
}

func methodIdempotent(m string) bool {
	switch m {
	case http.MethodGet, http.MethodHead, http.MethodPut, http.MethodDelete, http.MethodOptions:
		return true
	}
	return false
}

// idempotent reports whether req can be repeated safely.
func (c *Client) idempotent(req *Request, method string) bool {
	return req.Idempotent || methodIdempotent(method) || (req.IdempotencyKey != "" && c.idemHeader != "")
}

// contextTokenSource is a token source that honours the request's context.
type contextTokenSource interface {
	TokenContext(ctx context.Context) (*oauth2.Token, error)
}

// Do sends req and returns the response. Before sending it waits for the
// request's class to be allowed to send (published limits, cooldowns after
// an exhausted window or a 429). It then reads the whole body (up to
// Options.MaxBodyBytes) and the rate-limit headers.
//
// A non-2xx response returns an error classified by the ErrorMapper, along
// with the Response. Errors are *driver.Error values (and
// *driver.RateLimitError for 429s and pacing) with these codes:
//
//   - Canceled: ctx ended before the request was sent;
//   - RateLimited: a 429, or the class is blocked for longer than MaxWait
//     or the context's deadline (nothing was sent);
//   - Unauthenticated: the token source failed with invalid_grant, or a
//     400 or 401 from the token endpoint;
//   - Unavailable: the request was not sent (dial, DNS or TLS failure, a
//     failure before the request was written), or an idempotent request
//     failed after it was written, or a 5xx answered an idempotent request
//     or was a 503 with Retry-After;
//   - Indeterminate: a non-idempotent request failed after it was written
//     (timeout, connection lost before the response), or was answered by
//     a 5xx: the network may have processed it;
//   - the ErrorMapper's codes for other statuses.
//
// Do never retries: the caller (connectors.Account) decides, since only it
// knows whether a post was published and how long it may wait.
func (c *Client) Do(ctx context.Context, req *Request) (*Response, error) {
	if err := ctx.Err(); err != nil {
		return nil, c.canceled(err)
	}
	method := req.Method
	if method == "" {
		method = http.MethodGet
	}
	u, err := c.resolve(req.Path, req.Query)
	if err != nil {
		return nil, &driver.Error{Code: driver.Unknown, Network: c.network, Message: Scrub(err.Error(), c.secrets...), Err: err}
	}
	body, ctype, err := encodeBody(req)
	if err != nil {
		return nil, &driver.Error{Code: driver.Unknown, Network: c.network, Message: "encoding request body: " + Scrub(err.Error(), c.secrets...), Err: err}
	}
	idempotent := c.idempotent(req, method)

	if err := c.wait(ctx, req.Class); err != nil {
		return nil, err
	}

	secrets := c.secrets
	var tok *oauth2.Token
	if c.tokens != nil && !req.NoAuth && c.tokenHosts[strings.ToLower(u.Host)] {
		tok, err = c.token(ctx)
		if err != nil {
			return nil, err
		}
		secrets = append(secrets[:len(secrets):len(secrets)], tok.AccessToken, tok.RefreshToken)
	}

	var wrote atomic.Bool
	trace := &httptrace.ClientTrace{
		WroteRequest: func(info httptrace.WroteRequestInfo) {
			if info.Err == nil {
				wrote.Store(true)
			}
		},
	}
	hreq, err := http.NewRequestWithContext(httptrace.WithClientTrace(ctx, trace), method, u.String(), bytes.NewReader(body))
	if err != nil {
		return nil, &driver.Error{Code: driver.Unknown, Network: c.network, Message: Scrub(err.Error(), secrets...), Err: err}
	}
	for k, vs := range c.header {
		hreq.Header[k] = append([]string(nil), vs...)
	}
	for k, vs := range req.Header {
		hreq.Header[http.CanonicalHeaderKey(k)] = append([]string(nil), vs...)
	}
	hreq.Header.Set("User-Agent", c.ua)
	if hreq.Header.Get("Accept") == "" {
		hreq.Header.Set("Accept", "application/json")
	}
	if ctype != "" && hreq.Header.Get("Content-Type") == "" {
		hreq.Header.Set("Content-Type", ctype)
	}
	if req.IdempotencyKey != "" && c.idemHeader != "" {
		hreq.Header.Set(c.idemHeader, req.IdempotencyKey)
	}
	if tok != nil {
		tok.SetAuthHeader(hreq)
	}

	start := c.now()
	hresp, err := c.hc.Do(hreq)
	if err != nil {
		derr := c.sendError(ctx, err, wrote.Load(), idempotent, secrets)
		c.logRequest(ctx, req.Class, method, u, 0, c.now().Sub(start), UnknownRateLimit(), derr, secrets)
		return nil, derr
	}
	data, rerr := ReadBody(hresp.Body, c.maxBody)
	hresp.Body.Close()
	now := c.now()
	rl, ok := c.dialect(hresp.Header, now)
	if !ok {
		rl = UnknownRateLimit()
	}
	resp := &Response{StatusCode: hresp.StatusCode, Header: hresp.Header, Body: data, RateLimit: rl, HTTP: hresp}

	success := hresp.StatusCode >= 200 && hresp.StatusCode <= 299
	switch {
	case success && rerr != nil:
		err = c.readError(rerr, hresp.StatusCode, idempotent, secrets)
	case !success:
		err = c.mapper(hresp, data)
		if err == nil {
			err = c.defaultError(hresp, data, rl)
		}
		err = c.completeError(err, hresp, rl, idempotent)
		if len(secrets) > len(c.secrets) {
			scrubDriverError(err, secrets)
		}
	}
	c.observe(req.Class, rl, err, now)
	c.logRequest(ctx, req.Class, method, u, hresp.StatusCode, now.Sub(start), rl, err, secrets)
	return resp, err
}

// scrubDriverError scrubs the messages of the *driver.Error in err's chain.
func scrubDriverError(err error, secrets []string) {
	var de *driver.Error
	if errors.As(err, &de) {
		de.Message = Scrub(de.Message, secrets...)
		de.NetworkCode = Scrub(de.NetworkCode, secrets...)
	}
}

// GetJSON sends a GET to path with query, paced under class, and decodes
// the JSON response into out (which may be nil).
func (c *Client) GetJSON(ctx context.Context, class, path string, query url.Values, out any) error {
	return c.DoJSON(ctx, &Request{Method: http.MethodGet, Path: path, Query: query, Class: class}, out)
}

// PostJSON sends a POST of in, encoded as JSON, to path, paced under class,
// and decodes the JSON response into out (which may be nil).
func (c *Client) PostJSON(ctx context.Context, class, path string, in, out any) error {
	return c.DoJSON(ctx, &Request{Method: http.MethodPost, Path: path, JSON: in, Class: class}, out)
}

// DoJSON sends req and decodes the JSON response into out (which may be
// nil). A success whose body cannot be decoded is an error with code
// Unknown, or Indeterminate when req is not idempotent (the network acted,
// but its answer was lost).
func (c *Client) DoJSON(ctx context.Context, req *Request, out any) error {
	resp, err := c.Do(ctx, req)
	if err != nil {
		return err
	}
	if err := resp.DecodeJSON(out); err != nil {
		method := req.Method
		if method == "" {
			method = http.MethodGet
		}
		code := driver.Unknown
		if !c.idempotent(req, method) {
			code = driver.Indeterminate
		}
		return &driver.Error{Code: code, Network: c.network, Status: resp.StatusCode, Message: "decoding response: " + Scrub(err.Error(), c.secrets...), Err: err}
	}
	return nil
}

// resolve builds the request URL from path (relative or absolute) and
// query.
func (c *Client) resolve(path string, query url.Values) (*url.URL, error) {
	var u *url.URL
	lower := strings.ToLower(path)
	if strings.HasPrefix(lower, "http://") || strings.HasPrefix(lower, "https://") {
		p, err := url.Parse(path)
		if err != nil {
			return nil, fmt.Errorf("transport: invalid URL %q", path)
		}
		if p.Host == "" {
			return nil, fmt.Errorf("transport: URL %q has no host", path)
		}
		u = p
	} else {
		if c.base == nil {
			return nil, fmt.Errorf("transport: relative path %q and no BaseURL", path)
		}
		p, err := url.Parse(strings.TrimRight(c.base.String(), "/") + "/" + strings.TrimLeft(path, "/"))
		if err != nil {
			return nil, fmt.Errorf("transport: invalid path %q", path)
		}
		u = p
	}
	u.Fragment = ""
	if len(query) > 0 {
		q := u.Query()
		for k, vs := range query {
			for _, v := range vs {
				q.Add(k, v)
			}
		}
		u.RawQuery = q.Encode()
	}
	return u, nil
}

// encodeBody returns the body bytes and content type of req.
func encodeBody(req *Request) ([]byte, string, error) {
	switch {
	case req.Body != nil:
		ct := req.ContentType
		if ct == "" {
			ct = "application/octet-stream"
		}
		return req.Body, ct, nil
	case req.JSON != nil:
		b, err := json.Marshal(req.JSON)
		if err != nil {
			return nil, "", err
		}
		return b, "application/json", nil
	case req.Form != nil:
		return []byte(req.Form.Encode()), "application/x-www-form-urlencoded", nil
	}
	return nil, req.ContentType, nil
}

// token gets the current token and classifies token-source failures.
func (c *Client) token(ctx context.Context) (*oauth2.Token, error) {
	var tok *oauth2.Token
	var err error
	if cts, ok := c.tokens.(contextTokenSource); ok {
		tok, err = cts.TokenContext(ctx)
	} else {
		tok, err = c.tokens.Token()
	}
	if err == nil && (tok == nil || tok.AccessToken == "") {
		return nil, &driver.Error{Code: driver.Unauthenticated, Network: c.network, Message: "the token source returned no access token; reconnect the account"}
	}
	if err == nil {
		return tok, nil
	}
	return nil, c.tokenError(ctx, err)
}

// tokenError classifies an error of the token source. The request was not
// sent, so nothing is Indeterminate.
func (c *Client) tokenError(ctx context.Context, err error) error {
	var re *oauth2.RetrieveError
	if errors.As(err, &re) {
		status := 0
		if re.Response != nil {
			status = re.Response.StatusCode
		}
		code := driver.Unauthenticated
		switch {
		case re.ErrorCode == "invalid_grant" || re.ErrorCode == "unauthorized_client" || re.ErrorCode == "invalid_client" || re.ErrorCode == "invalid_token":
		case status == 400 || status == 401:
		case status == 429 || status >= 500:
			code = driver.Unavailable
		}
		msg := "refreshing the token failed"
		if code == driver.Unauthenticated {
			msg = "the account's authorization was revoked or has expired; reconnect the account"
		}
		if detail := strings.TrimSpace(re.ErrorCode + " " + re.ErrorDescription); detail != "" {
			msg += " (" + detail + ")"
		}
		return &driver.Error{Code: code, Network: c.network, Status: status, NetworkCode: Scrub(re.ErrorCode, c.secrets...), Message: Scrub(msg, c.secrets...), Err: err}
	}
	var de *driver.Error
	if errors.As(err, &de) {
		cp := *de
		if cp.Network == "" {
			cp.Network = c.network
		}
		cp.Message = Scrub(cp.Message, c.secrets...)
		if cp.Message == "" {
			cp.Message = Scrub(err.Error(), c.secrets...)
		}
		cp.Err = err
		return &cp
	}
	if code := driver.CodeOf(err); code != driver.Unknown && code != driver.Canceled {
		return &driver.Error{Code: code, Network: c.network, Message: Scrub(err.Error(), c.secrets...), Err: err}
	}
	if ctx.Err() != nil {
		return c.canceled(ctx.Err())
	}
	return &driver.Error{Code: driver.Unavailable, Network: c.network, Message: "getting a token: " + Scrub(err.Error(), c.secrets...), Err: err}
}

func (c *Client) canceled(err error) error {
	return &driver.Error{Code: driver.Canceled, Network: c.network, Message: "canceled before sending: " + err.Error(), Err: err}
}

// sendError classifies an error of http.Client.Do.
func (c *Client) sendError(ctx context.Context, err error, written, idempotent bool, secrets []string) error {
	var code driver.ErrorCode
	switch {
	case !written && ctx.Err() != nil:
		return c.canceled(ctx.Err())
	case !written:
		code = driver.Unavailable
	case !idempotent:
		code = driver.Indeterminate
	case ctx.Err() != nil:
		code = driver.Canceled
	default:
		code = driver.Unavailable
	}
	msg := Scrub(err.Error(), secrets...)
	if code == driver.Indeterminate {
		msg = "the request was sent but no response came back, it may have been applied: " + msg
	}
	return &driver.Error{Code: code, Network: c.network, Message: msg, Err: err}
}

// readError classifies a failure to read a 2xx response's body.
func (c *Client) readError(err error, status int, idempotent bool, secrets []string) error {
	code := driver.Unavailable
	msg := "reading the response: "
	if errBodyTooLarge(err) {
		code = driver.Unknown
	}
	if !idempotent {
		code = driver.Indeterminate
		msg = "the request succeeded but its response could not be read: "
	}
	return &driver.Error{Code: code, Network: c.network, Status: status, Message: msg + Scrub(err.Error(), secrets...), Err: err}
}

func (c *Client) logRequest(ctx context.Context, class, method string, u *url.URL, status int, d time.Duration, rl RateLimit, err error, secrets []string) {
	if !c.log.Enabled(ctx, slog.LevelDebug) {
		return
	}
	attrs := []slog.Attr{
		slog.String("network", c.network),
		slog.String("class", class),
		slog.String("method", method),
		slog.String("url", scrubURL(u, secrets)),
		slog.Int("status", status),
		slog.Duration("duration", d),
	}
	if rl.Remaining >= 0 {
		attrs = append(attrs, slog.Int("remaining", rl.Remaining))
	}
	if rl.Limit >= 0 {
		attrs = append(attrs, slog.Int("limit", rl.Limit))
	}
	if !rl.Reset.IsZero() {
		attrs = append(attrs, slog.Time("reset", rl.Reset))
	}
	if rl.Usage >= 0 {
		attrs = append(attrs, slog.Float64("usage_percent", rl.Usage))
	}
	if err != nil {
		attrs = append(attrs, slog.String("error", Scrub(err.Error(), secrets...)))
	}
	c.log.LogAttrs(ctx, slog.LevelDebug, "transport: request", attrs...)
}
