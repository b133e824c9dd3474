package slack

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"unicode/utf8"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// message is the part of a Slack message object the driver reads.
type message struct {
	Type       string     `json:"type"`
	Subtype    string     `json:"subtype"`
	User       string     `json:"user"`
	BotID      string     `json:"bot_id"`
	Text       string     `json:"text"`
	TS         string     `json:"ts"`
	ThreadTS   string     `json:"thread_ts"`
	ReplyCount *int64     `json:"reply_count"`
	Reactions  []reaction `json:"reactions"`
	Metadata   *metadata  `json:"metadata"`
}

type reaction struct {
	Name  string   `json:"name"`
	Count int64    `json:"count"`
	Users []string `json:"users"`
}

// metadata is message metadata (reference/metadata): cmkit's payload.
type metadata struct {
	EventType    string  `json:"event_type"`
	EventPayload payload `json:"event_payload"`
}

type payload struct {
	IdempotencyKey string `json:"idempotency_key,omitempty"`
	ReplyTo        string `json:"reply_to,omitempty"`
	Part           int    `json:"part,omitempty"`
}

// post sends chat.postMessage to channel, in the thread threadTS when
// set, with cmkit's metadata.
func (d *Driver) post(ctx context.Context, channel string, p *driver.Post, threadTS string, pl payload) (ch, ts string, err error) {
	body := map[string]any{"channel": channel, "text": p.Text}
	if threadTS != "" {
		body["thread_ts"] = threadTS
	}
	if d.unfurl != nil {
		body["unfurl_links"] = *d.unfurl
	}
	if pl != (payload{}) {
		body["metadata"] = metadata{EventType: MetadataEventType, EventPayload: pl}
	}
	if len(p.Media) > 0 {
		blocks, err := d.mediaBlocks(ctx, p)
		if err != nil {
			return "", "", err
		}
		body["blocks"] = blocks
	}
	var out struct {
		Channel string `json:"channel"`
		TS      string `json:"ts"`
	}
	if err := d.call(ctx, "chat.postMessage", body, true, &out); err != nil {
		return "", "", err
	}
	if out.TS == "" {
		return "", "", &driver.Error{Code: driver.Indeterminate, Network: Network, Message: "chat.postMessage: ok without a ts"}
	}
	if out.Channel == "" {
		out.Channel = channel
	}
	return out.Channel, out.TS, nil
}

// maxSection is the text limit of a section block.
const maxSection = 3000

// mediaBlocks uploads p's images and returns the blocks showing the text
// (in sections of at most 3000 characters: with blocks, "text" is only
// the notification fallback) and the images.
func (d *Driver) mediaBlocks(ctx context.Context, p *driver.Post) ([]any, error) {
	var blocks []any
	for rest := p.Text; rest != ""; {
		cut := len(rest)
		if utf8.RuneCountInString(rest) > maxSection {
			cut = 0
			for i := 0; i < maxSection; i++ {
				_, n := utf8.DecodeRuneInString(rest[cut:])
				cut += n
			}
		}
		blocks = append(blocks, map[string]any{"type": "section", "text": map[string]string{"type": "mrkdwn", "text": rest[:cut]}})
		rest = rest[cut:]
	}
	for i, m := range p.Media {
		if m.Kind != driver.MediaImage && m.Kind != driver.MediaGIF {
			return nil, &driver.ValidationError{Network: "Slack", Field: fmt.Sprintf("media[%d]", i), Reason: "the Slack connector attaches images only"}
		}
		alt := m.AltText
		if alt == "" {
			alt = "image"
		}
		img := map[string]any{"type": "image", "alt_text": alt}
		if m.Data == nil && m.Open == nil {
			img["image_url"] = m.URL
		} else {
			id, err := d.upload(ctx, m, i)
			if err != nil {
				return nil, err
			}
			img["slack_file"] = map[string]string{"id": id}
		}
		blocks = append(blocks, img)
	}
	return blocks, nil
}

// upload sends one file with files.getUploadURLExternal, a POST of the
// bytes to the returned URL, and files.completeUploadExternal without a
// channel (the file is shown by the message's image block).
func (d *Driver) upload(ctx context.Context, m driver.Media, i int) (string, error) {
	data := m.Data
	if data == nil {
		rc, err := m.Open()
		if err != nil {
			return "", &driver.Error{Code: driver.InvalidContent, Network: Network, Message: fmt.Sprintf("media[%d]: %v", i, err), Err: err}
		}
		data, err = io.ReadAll(rc)
		rc.Close()
		if err != nil {
			return "", &driver.Error{Code: driver.InvalidContent, Network: Network, Message: fmt.Sprintf("media[%d]: %v", i, err), Err: err}
		}
	}
	name := m.Filename
	if name == "" {
		name = "image-" + strconv.Itoa(i+1)
	}
	form := url.Values{"filename": {name}, "length": {strconv.Itoa(len(data))}}
	if m.AltText != "" {
		form.Set("alt_txt", m.AltText)
	}
	var up struct {
		UploadURL string `json:"upload_url"`
		FileID    string `json:"file_id"`
	}
	if err := d.call(ctx, "files.getUploadURLExternal", form, false, &up); err != nil {
		return "", err
	}
	if up.UploadURL == "" || up.FileID == "" {
		return "", &driver.Error{Code: driver.Unknown, Network: Network, Message: "files.getUploadURLExternal: no upload_url or file_id"}
	}
	// The upload URL is pre-signed: no token goes with it.
	if _, err := d.c.Do(ctx, &transport.Request{Method: http.MethodPost, Path: up.UploadURL, Body: data, ContentType: m.MIMEType, Class: "files.upload", NoAuth: true, Idempotent: true}); err != nil {
		return "", err
	}
	files := `[{"id":` + strconv.Quote(up.FileID) + `,"title":` + strconv.Quote(name) + `}]`
	if err := d.call(ctx, "files.completeUploadExternal", url.Values{"files": {files}}, false, nil); err != nil {
		return "", err
	}
	return up.FileID, nil
}

// Publish posts p with chat.postMessage; p.Thread follow-ups are replies
// in the post's thread, and p.ReplyTo makes the post a reply in that
// message's thread. The idempotency key goes in the message metadata,
// where FindPost looks for it.
func (d *Driver) Publish(ctx context.Context, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	channel, thread := d.channel, ""
	pl := payload{IdempotencyKey: opts.IdempotencyKey}
	if p.ReplyTo != "" {
		ch, root, err := d.root(ctx, p.ReplyTo)
		if err != nil {
			return driver.PublishResult{}, err
		}
		channel, thread, pl.ReplyTo = ch, root, p.ReplyTo
	}
	channel, ts, err := d.post(ctx, channel, p, thread, pl)
	if err != nil {
		return driver.PublishResult{}, err
	}
	res := d.result(channel, ts)
	if thread == "" {
		thread = ts
	}
	for i := range p.Thread {
		_, tts, err := d.post(ctx, channel, &p.Thread[i], thread, payload{IdempotencyKey: opts.IdempotencyKey, Part: i + 1})
		if err != nil {
			return res, err
		}
		res.ThreadIDs = append(res.ThreadIDs, ID(channel, tts))
	}
	return res, nil
}

func (d *Driver) result(channel, ts string) driver.PublishResult {
	return driver.PublishResult{Status: driver.Published, ID: ID(channel, ts), URL: d.permalink(channel, ts), PublishedAt: tsTime(ts)}
}

// permalink builds https://team.slack.com/archives/C123/p1503435956000247
// once auth.test gave the workspace URL.
func (d *Driver) permalink(channel, ts string) string {
	d.mu.Lock()
	team := d.team
	d.mu.Unlock()
	if team == "" {
		return ""
	}
	return strings.TrimRight(team, "/") + "/archives/" + channel + "/p" + strings.Replace(ts, ".", "", 1)
}

// root finds the thread a message belongs to (conversations.replies with
// the message's ts returns the thread's parent first): replies go to the
// parent's ts, as chat.postMessage asks.
func (d *Driver) root(ctx context.Context, id string) (channel, root string, err error) {
	ch, ts, err := parseID(id)
	if err != nil {
		return "", "", err
	}
	var out struct {
		Messages []message `json:"messages"`
	}
	if err := d.call(ctx, "conversations.replies", url.Values{"channel": {ch}, "ts": {ts}, "limit": {"1"}}, false, &out); err != nil {
		return "", "", err
	}
	if len(out.Messages) == 0 {
		return "", "", &driver.Error{Code: driver.NotFound, Network: Network, Message: "conversations.replies: no message " + id}
	}
	m := out.Messages[0]
	if m.ThreadTS != "" {
		return ch, m.ThreadTS, nil
	}
	return ch, m.TS, nil
}

// Reply answers a message in its thread. The answered message's ID goes
// in the metadata (reply_to), so that ListComments reports which comment
// was answered: Slack threads are flat.
func (d *Driver) Reply(ctx context.Context, parentID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	ch, root, err := d.root(ctx, parentID)
	if err != nil {
		return driver.PublishResult{}, err
	}
	ch, ts, err := d.post(ctx, ch, p, root, payload{IdempotencyKey: opts.IdempotencyKey, ReplyTo: parentID})
	if err != nil {
		return driver.PublishResult{}, err
	}
	return d.result(ch, ts), nil
}

// SendMessage sends a direct message. conversationID is a DM channel
// (D...), or a user ID (U... or W...) whose DM channel is opened first
// with conversations.open.
func (d *Driver) SendMessage(ctx context.Context, conversationID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	ch := conversationID
	if strings.HasPrefix(ch, "U") || strings.HasPrefix(ch, "W") {
		var out struct {
			Channel struct {
				ID string `json:"id"`
			} `json:"channel"`
		}
		if err := d.call(ctx, "conversations.open", map[string]any{"users": conversationID}, false, &out); err != nil {
			return driver.PublishResult{}, err
		}
		ch = out.Channel.ID
	}
	if !validChannel(ch) {
		return driver.PublishResult{}, &driver.Error{Code: driver.NotFound, Network: Network, Message: "not a Slack conversation or user ID: " + strconv.Quote(truncate(conversationID))}
	}
	ch, ts, err := d.post(ctx, ch, p, "", payload{IdempotencyKey: opts.IdempotencyKey})
	if err != nil {
		return driver.PublishResult{}, err
	}
	return d.result(ch, ts), nil
}

// EditPost replaces the message's text with chat.update. Slack cannot
// replace attachments: a post with media is refused.
func (d *Driver) EditPost(ctx context.Context, postID string, p *driver.Post) (driver.PublishResult, error) {
	ch, ts, err := parseID(postID)
	if err != nil {
		return driver.PublishResult{}, err
	}
	if len(p.Media) > 0 {
		return driver.PublishResult{}, &driver.ValidationError{Network: "Slack", Field: "media", Reason: "the Slack connector cannot change a message's images"}
	}
	if err := d.call(ctx, "chat.update", map[string]any{"channel": ch, "ts": ts, "text": p.Text}, false, nil); err != nil {
		return driver.PublishResult{}, err
	}
	return d.result(ch, ts), nil
}

// DeletePost deletes one of the bot's messages with chat.delete.
func (d *Driver) DeletePost(ctx context.Context, postID string) error {
	ch, ts, err := parseID(postID)
	if err != nil {
		return err
	}
	return d.call(ctx, "chat.delete", map[string]any{"channel": ch, "ts": ts}, false, nil)
}
