package discord

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"time"
	"unicode/utf8"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// message is the part of a Discord message object the driver reads
// (resources/message.mdx "Message Object").
type message struct {
	ID               string     `json:"id"`
	ChannelID        string     `json:"channel_id"`
	Author           user       `json:"author"`
	Content          string     `json:"content"`
	Timestamp        time.Time  `json:"timestamp"`
	Type             int        `json:"type"`
	Mentions         []user     `json:"mentions"`
	MessageReference *msgRef    `json:"message_reference"`
	ReferencedMsg    *message   `json:"referenced_message"`
	Reactions        []reaction `json:"reactions"`
	Thread           *struct {
		ID           string `json:"id"`
		MessageCount int64  `json:"message_count"`
	} `json:"thread"`
	WebhookID string `json:"webhook_id"`
}

type msgRef struct {
	MessageID       string `json:"message_id,omitempty"`
	ChannelID       string `json:"channel_id,omitempty"`
	FailIfNotExists *bool  `json:"fail_if_not_exists,omitempty"`
}

type reaction struct {
	Count int64 `json:"count"`
	Me    bool  `json:"me"`
	Emoji struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	} `json:"emoji"`
}

// createBody is the JSON of Create Message and Execute Webhook.
type createBody struct {
	Content          string           `json:"content,omitempty"`
	Embeds           []embed          `json:"embeds,omitempty"`
	Attachments      []attachment     `json:"attachments,omitempty"`
	MessageReference *msgRef          `json:"message_reference,omitempty"`
	Nonce            string           `json:"nonce,omitempty"`
	EnforceNonce     bool             `json:"enforce_nonce,omitempty"`
	AllowedMentions  *allowedMentions `json:"allowed_mentions,omitempty"`
}

type embed struct {
	Image *struct {
		URL string `json:"url"`
	} `json:"image,omitempty"`
}

type attachment struct {
	ID          int    `json:"id"`
	Filename    string `json:"filename"`
	Description string `json:"description,omitempty"`
}

// allowedMentions keeps a community manager's text from pinging
// @everyone or roles by accident: only users are parsed.
type allowedMentions struct {
	Parse       []string `json:"parse"`
	RepliedUser bool     `json:"replied_user"`
}

func defaultMentions() *allowedMentions {
	return &allowedMentions{Parse: []string{"users"}, RepliedUser: true}
}

// buildRequest encodes p as a JSON body, or a multipart body with
// payload_json and files[n] when p carries media bytes
// (reference.mdx "Uploading Files").
func buildRequest(p *driver.Post, body createBody) (*transport.Request, error) {
	body.Content = p.Text
	var files []transport.Part
	for i, m := range p.Media {
		if m.Data == nil && m.Open == nil {
			if m.URL == "" || m.Kind == driver.MediaVideo {
				return nil, &driver.ValidationError{Network: "Discord", Field: fmt.Sprintf("media[%d]", i), Reason: "Discord needs the file's bytes (Data or Open); only an image may be given by URL, as an embed"}
			}
			e := embed{Image: &struct {
				URL string `json:"url"`
			}{m.URL}}
			body.Embeds = append(body.Embeds, e)
			continue
		}
		data, err := readMedia(m)
		if err != nil {
			return nil, &driver.Error{Code: driver.InvalidContent, Network: Network, Message: fmt.Sprintf("media[%d]: reading the file: %v", i, err), Err: err}
		}
		n := len(files)
		name := m.Filename
		if name == "" {
			name = "file" + strconv.Itoa(n) + extension(m.MIMEType)
		}
		body.Attachments = append(body.Attachments, attachment{ID: n, Filename: name, Description: m.AltText})
		files = append(files, transport.Part{Name: "files[" + strconv.Itoa(n) + "]", Filename: name, ContentType: m.MIMEType, Data: data})
	}
	if len(files) == 0 {
		return &transport.Request{JSON: body}, nil
	}
	js, err := json.Marshal(body)
	if err != nil {
		return nil, err
	}
	parts := append([]transport.Part{{Name: "payload_json", ContentType: "application/json", Data: js}}, files...)
	b, ct, err := transport.Multipart(parts...)
	if err != nil {
		return nil, err
	}
	return &transport.Request{Body: b, ContentType: ct}, nil
}

func readMedia(m driver.Media) ([]byte, error) {
	if m.Data != nil {
		return m.Data, nil
	}
	rc, err := m.Open()
	if err != nil {
		return nil, err
	}
	defer rc.Close()
	return io.ReadAll(rc)
}

func extension(mime string) string {
	switch mime {
	case "image/png":
		return ".png"
	case "image/jpeg":
		return ".jpg"
	case "image/gif":
		return ".gif"
	case "image/webp":
		return ".webp"
	case "video/mp4":
		return ".mp4"
	case "video/quicktime":
		return ".mov"
	}
	return ""
}

// send creates a message in channel (POST /channels/{id}/messages), with
// a nonce enforced when key is set.
func (d *Driver) send(ctx context.Context, channel string, p *driver.Post, reply *msgRef, key string) (message, error) {
	body := createBody{MessageReference: reply, AllowedMentions: defaultMentions()}
	if key != "" {
		body.Nonce, body.EnforceNonce = key, true
	}
	req, err := buildRequest(p, body)
	if err != nil {
		return message{}, err
	}
	req.Method, req.Path, req.Class = http.MethodPost, "/channels/"+channel+"/messages", classMessagePost
	// With enforce_nonce, Discord returns the message created earlier with
	// the same nonce instead of creating another: resending is safe.
	req.Idempotent = key != ""
	var m message
	err = d.c.DoJSON(ctx, req, &m)
	return m, err
}

// sendWebhook executes the incoming webhook with wait=true, so that the
// created message is returned (resources/webhook.mdx "Execute Webhook").
func (d *Driver) sendWebhook(ctx context.Context, p *driver.Post, threadID string) (message, error) {
	req, err := buildRequest(p, createBody{AllowedMentions: &allowedMentions{Parse: []string{"users"}}})
	if err != nil {
		return message{}, err
	}
	q := url.Values{"wait": {"true"}}
	if threadID != "" {
		q.Set("thread_id", threadID)
	}
	req.Method, req.Path, req.Query, req.Class, req.NoAuth = http.MethodPost, d.webhook.url, q, classWebhook, true
	var m message
	err = d.c.DoJSON(ctx, req, &m)
	return m, err
}

func (d *Driver) result(m message) driver.PublishResult {
	return driver.PublishResult{Status: driver.Published, ID: d.formatID(m.ChannelID, m.ID), URL: d.messageURL(m.ChannelID, m.ID), PublishedAt: m.Timestamp}
}

// messageURL is the message's permalink, or "" before Describe has read
// the channel's server.
func (d *Driver) messageURL(channel, id string) string {
	d.mu.Lock()
	g, known := d.guild, d.known
	d.mu.Unlock()
	if !known {
		return ""
	}
	if g == "" {
		g = "@me"
	}
	return "https://discord.com/channels/" + g + "/" + channel + "/" + id
}

// dmURL is the permalink of a message in a DM channel.
func dmURL(channel, id string) string {
	return "https://discord.com/channels/@me/" + channel + "/" + id
}

// Publish posts p to the channel. With a bot token it sends Create
// Message, with nonce and enforce_nonce derived from
// opts.IdempotencyKey; follow-ups in p.Thread go into a thread started
// from the post. With only a webhook it executes the webhook.
func (d *Driver) Publish(ctx context.Context, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	var reply *msgRef
	if p.ReplyTo != "" {
		r, err := d.parseID(p.ReplyTo)
		if err != nil {
			return driver.PublishResult{}, err
		}
		t := true
		reply = &msgRef{MessageID: r.id, ChannelID: r.channel, FailIfNotExists: &t}
	}
	if !d.hasBot {
		if reply != nil || len(p.Thread) > 0 {
			return driver.PublishResult{}, d.unsupported("replying and threads")
		}
		m, err := d.sendWebhook(ctx, p, "")
		if err != nil {
			return driver.PublishResult{}, err
		}
		return d.result(m), nil
	}
	m, err := d.send(ctx, d.ch(), p, reply, nonce(opts.IdempotencyKey, 0))
	if err != nil {
		return driver.PublishResult{}, err
	}
	res := d.result(m)
	if len(p.Thread) == 0 {
		return res, nil
	}
	thread, err := d.startThread(ctx, m)
	if err != nil {
		return res, err
	}
	for i := range p.Thread {
		tm, err := d.send(ctx, thread, &p.Thread[i], nil, nonce(opts.IdempotencyKey, i+1))
		if err != nil {
			return res, err
		}
		res.ThreadIDs = append(res.ThreadIDs, d.formatID(tm.ChannelID, tm.ID))
	}
	return res, nil
}

// startThread starts a thread from m (POST
// /channels/{id}/messages/{id}/threads) and returns its channel ID. When
// the message already has one (160004, a publish resumed with the same
// idempotency key), it reads the existing thread.
func (d *Driver) startThread(ctx context.Context, m message) (string, error) {
	name := threadName(m.Content)
	var ch channelInfo
	err := d.c.DoJSON(ctx, &transport.Request{
		Method: http.MethodPost, Path: "/channels/" + d.ch() + "/messages/" + m.ID + "/threads",
		JSON: map[string]any{"name": name, "auto_archive_duration": 10080}, Class: classThread,
	}, &ch)
	if isCode(err, 160004) {
		var cur message
		if gerr := d.c.GetJSON(ctx, classMessageGet, "/channels/"+d.ch()+"/messages/"+m.ID, nil, &cur); gerr != nil {
			return "", gerr
		}
		if cur.Thread != nil && cur.Thread.ID != "" {
			return cur.Thread.ID, nil
		}
		return "", err
	}
	if err != nil {
		return "", err
	}
	return ch.ID, nil
}

// threadName is the post's first line, cut to Discord's 100 characters.
func threadName(text string) string {
	name := text
	for i, r := range text {
		if r == '\n' {
			name = text[:i]
			break
		}
	}
	if utf8.RuneCountInString(name) > 100 {
		r := []rune(name)
		name = string(r[:99]) + "…"
	}
	if name == "" {
		name = "Thread"
	}
	return name
}

// Reply answers the message parentID with a reply (message_reference) in
// the parent's channel or thread.
func (d *Driver) Reply(ctx context.Context, parentID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	if !d.hasBot {
		return driver.PublishResult{}, d.unsupported("replying")
	}
	r, err := d.parseID(parentID)
	if err != nil {
		return driver.PublishResult{}, err
	}
	t := true
	m, err := d.send(ctx, r.channel, p, &msgRef{MessageID: r.id, ChannelID: r.channel, FailIfNotExists: &t}, nonce(opts.IdempotencyKey, 0))
	if err != nil {
		return driver.PublishResult{}, err
	}
	return d.result(m), nil
}

// SendMessage sends a direct message. conversationID is a DM channel (the
// ConversationID of a direct message) or a user ID: when Discord answers
// Unknown Channel (10003), the driver opens the DM channel with the user
// (POST /users/@me/channels) and sends there.
func (d *Driver) SendMessage(ctx context.Context, conversationID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	if !d.hasBot {
		return driver.PublishResult{}, d.unsupported("direct messages")
	}
	key := nonce(opts.IdempotencyKey, 0)
	m, err := d.send(ctx, conversationID, p, nil, key)
	if isCode(err, 10003) {
		var ch channelInfo
		if err = d.c.DoJSON(ctx, &transport.Request{
			Method: http.MethodPost, Path: "/users/@me/channels", Class: classUser,
			JSON: map[string]string{"recipient_id": conversationID}, Idempotent: true,
		}, &ch); err != nil {
			return driver.PublishResult{}, err
		}
		m, err = d.send(ctx, ch.ID, p, nil, key)
	}
	if err != nil {
		return driver.PublishResult{}, err
	}
	res := d.result(m)
	res.ID, res.URL = m.ChannelID+":"+m.ID, dmURL(m.ChannelID, m.ID)
	return res, nil
}

// EditPost replaces the message's content (PATCH
// /channels/{id}/messages/{id}, or the webhook's message). Attachments
// are replaced when p has media and kept otherwise.
func (d *Driver) EditPost(ctx context.Context, postID string, p *driver.Post) (driver.PublishResult, error) {
	r, err := d.parseID(postID)
	if err != nil {
		return driver.PublishResult{}, err
	}
	req, err := buildRequest(p, createBody{AllowedMentions: &allowedMentions{Parse: []string{"users"}}})
	if err != nil {
		return driver.PublishResult{}, err
	}
	req.Method = http.MethodPatch
	if d.hasBot {
		req.Path, req.Class = "/channels/"+r.channel+"/messages/"+r.id, classMessagePatch
	} else {
		req.Path, req.Class, req.NoAuth = d.webhook.url+"/messages/"+r.id, classWebhook, true
		if r.channel != d.ch() {
			req.Query = url.Values{"thread_id": {r.channel}}
		}
	}
	req.Idempotent = true // the same edit twice leaves the same message
	var m message
	if err := d.c.DoJSON(ctx, req, &m); err != nil {
		return driver.PublishResult{}, err
	}
	res := d.result(m)
	res.ID = postID
	return res, nil
}

// DeletePost deletes one of the account's messages.
func (d *Driver) DeletePost(ctx context.Context, postID string) error {
	r, err := d.parseID(postID)
	if err != nil {
		return err
	}
	if !d.hasBot {
		req := &transport.Request{Method: http.MethodDelete, Path: d.webhook.url + "/messages/" + r.id, Class: classWebhook, NoAuth: true}
		if r.channel != d.ch() {
			req.Query = url.Values{"thread_id": {r.channel}}
		}
		_, err := d.c.Do(ctx, req)
		return err
	}
	_, err = d.c.Do(ctx, &transport.Request{Method: http.MethodDelete, Path: "/channels/" + r.channel + "/messages/" + r.id, Class: classMessageDelete})
	return err
}

// DeleteComment deletes a message in the channel or a thread; deleting
// other people's messages needs the Manage Messages permission.
func (d *Driver) DeleteComment(ctx context.Context, commentID string) error {
	if !d.hasBot {
		return d.unsupported("deleting comments")
	}
	return d.DeletePost(ctx, commentID)
}
