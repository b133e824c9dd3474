package telegram

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"unicode/utf8"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/transport"
)

// target is a chat to send to: its ID, or the configured @username
// before Describe resolved it.
func (d *Driver) target(chat int64) (any, string) {
	own, _ := d.chatKey()
	switch {
	case chat == 0 && own == 0:
		return d.chat, classSend
	case chat == 0 || chat == own:
		return own, classSend
	case chat > 0:
		return chat, classSendDM
	}
	return chat, classSendGroup
}

func replyParams(msg int64) map[string]any {
	// Without allow_sending_without_reply, a reply to a deleted message
	// fails instead of posting out of context.
	return map[string]any{"message_id": msg}
}

// send sends p to chat (0: the account's chat), replying to replyTo when
// it is not 0: sendMessage, sendPhoto or sendVideo for one attachment,
// sendMediaGroup for several. It returns the messages sent; the first is
// the post.
func (d *Driver) send(ctx context.Context, chat int64, p *driver.Post, replyTo int64) ([]message, error) {
	if n := utf8.RuneCountInString(p.Text); len(p.Media) > 0 && n > MaxCaption {
		return nil, &driver.ValidationError{Network: "Telegram", Field: "text", Limit: MaxCaption, Got: int64(n), Unit: "characters (caption under media)"}
	}
	chatID, class := d.target(chat)
	switch len(p.Media) {
	case 0:
		args := map[string]any{"chat_id": chatID, "text": p.Text}
		if d.parse != "" {
			args["parse_mode"] = d.parse
		}
		if replyTo != 0 {
			args["reply_parameters"] = replyParams(replyTo)
		}
		var m message
		if err := d.call(ctx, "sendMessage", class, args, true, &m); err != nil {
			return nil, err
		}
		return []message{m}, nil
	case 1:
		return d.sendOne(ctx, chatID, class, p, replyTo)
	}
	return d.sendGroup(ctx, chatID, class, p, replyTo)
}

func mediaType(m driver.Media) string {
	if m.Kind == driver.MediaVideo {
		return "video"
	}
	if m.Kind == driver.MediaGIF {
		return "animation"
	}
	return "photo"
}

func readMedia(m driver.Media, i int) ([]byte, error) {
	if m.Data != nil {
		return m.Data, nil
	}
	rc, err := m.Open()
	if err == nil {
		var b []byte
		b, err = io.ReadAll(rc)
		rc.Close()
		if err == nil {
			return b, nil
		}
	}
	return nil, &driver.Error{Code: driver.InvalidContent, Network: Network, Message: fmt.Sprintf("media[%d]: %v", i, err), Err: err}
}

func filename(m driver.Media, i int) string {
	if m.Filename != "" {
		return m.Filename
	}
	return "file" + strconv.Itoa(i)
}

// sendOne sends sendPhoto, sendVideo or sendAnimation: multipart with the
// file, or JSON with its URL.
func (d *Driver) sendOne(ctx context.Context, chatID any, class string, p *driver.Post, replyTo int64) ([]message, error) {
	m := p.Media[0]
	kind := mediaType(m)
	method := map[string]string{"photo": "sendPhoto", "video": "sendVideo", "animation": "sendAnimation"}[kind]
	var args any
	if m.Data == nil && m.Open == nil {
		a := map[string]any{"chat_id": chatID, kind: m.URL}
		if p.Text != "" {
			a["caption"] = p.Text
			if d.parse != "" {
				a["parse_mode"] = d.parse
			}
		}
		if replyTo != 0 {
			a["reply_parameters"] = replyParams(replyTo)
		}
		args = a
	} else {
		data, err := readMedia(m, 0)
		if err != nil {
			return nil, err
		}
		parts := []transport.Part{{Name: "chat_id", Data: []byte(fmt.Sprint(chatID))}}
		if p.Text != "" {
			parts = append(parts, transport.Part{Name: "caption", Data: []byte(p.Text)})
			if d.parse != "" {
				parts = append(parts, transport.Part{Name: "parse_mode", Data: []byte(d.parse)})
			}
		}
		if replyTo != 0 {
			rp, _ := json.Marshal(replyParams(replyTo))
			parts = append(parts, transport.Part{Name: "reply_parameters", Data: rp})
		}
		parts = append(parts, transport.Part{Name: kind, Filename: filename(m, 0), ContentType: m.MIMEType, Data: data})
		body, ct, err := transport.Multipart(parts...)
		if err != nil {
			return nil, err
		}
		args = multipartBody{body, ct}
	}
	var msg message
	if err := d.call(ctx, method, class, args, true, &msg); err != nil {
		return nil, err
	}
	return []message{msg}, nil
}

// sendGroup sends an album with sendMediaGroup: the caption goes on the
// first item; files are attached as attach://fileN.
func (d *Driver) sendGroup(ctx context.Context, chatID any, class string, p *driver.Post, replyTo int64) ([]message, error) {
	var media []map[string]any
	var files []transport.Part
	for i, m := range p.Media {
		kind := mediaType(m)
		if kind == "animation" {
			return nil, &driver.ValidationError{Network: "Telegram", Field: fmt.Sprintf("media[%d]", i), Reason: "an album holds photos and videos, not GIF animations"}
		}
		item := map[string]any{"type": kind}
		if m.Data == nil && m.Open == nil {
			item["media"] = m.URL
		} else {
			data, err := readMedia(m, i)
			if err != nil {
				return nil, err
			}
			name := "file" + strconv.Itoa(i)
			item["media"] = "attach://" + name
			files = append(files, transport.Part{Name: name, Filename: filename(m, i), ContentType: m.MIMEType, Data: data})
		}
		if i == 0 && p.Text != "" {
			item["caption"] = p.Text
			if d.parse != "" {
				item["parse_mode"] = d.parse
			}
		}
		media = append(media, item)
	}
	mj, err := json.Marshal(media)
	if err != nil {
		return nil, err
	}
	parts := []transport.Part{{Name: "chat_id", Data: []byte(fmt.Sprint(chatID))}, {Name: "media", Data: mj}}
	if replyTo != 0 {
		rp, _ := json.Marshal(replyParams(replyTo))
		parts = append(parts, transport.Part{Name: "reply_parameters", Data: rp})
	}
	body, ct, err := transport.Multipart(append(parts, files...)...)
	if err != nil {
		return nil, err
	}
	var msgs []message
	if err := d.call(ctx, "sendMediaGroup", class, multipartBody{body, ct}, true, &msgs); err != nil {
		return nil, err
	}
	if len(msgs) == 0 {
		return nil, &driver.Error{Code: driver.Indeterminate, Network: Network, Message: "sendMediaGroup returned no message"}
	}
	return msgs, nil
}

func result(m message) driver.PublishResult {
	return driver.PublishResult{Status: driver.Published, ID: ID(m.Chat.ID, m.MessageID), URL: messageURL(m.Chat, m.MessageID), PublishedAt: unix(m.Date)}
}

// Publish sends p to the chat; p.Thread follow-ups reply to the message
// before them, and p.ReplyTo makes the post a reply. An album's ID is
// that of its first message.
func (d *Driver) Publish(ctx context.Context, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	var chat, reply int64
	if p.ReplyTo != "" {
		c, m, err := parseID(p.ReplyTo)
		if err != nil {
			return driver.PublishResult{}, err
		}
		chat, reply = c, m
	}
	msgs, err := d.send(ctx, chat, p, reply)
	if err != nil {
		return driver.PublishResult{}, err
	}
	res := result(msgs[0])
	prev := msgs[len(msgs)-1]
	for i := range p.Thread {
		tm, err := d.send(ctx, prev.Chat.ID, &p.Thread[i], prev.MessageID)
		if err != nil {
			return res, err
		}
		res.ThreadIDs = append(res.ThreadIDs, ID(tm[0].Chat.ID, tm[0].MessageID))
		prev = tm[len(tm)-1]
	}
	return res, nil
}

// Reply answers a message in its chat (reply_parameters). The reply is
// kept in the driver's log so that Comments lists it.
func (d *Driver) Reply(ctx context.Context, parentID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	chat, msg, err := parseID(parentID)
	if err != nil {
		return driver.PublishResult{}, err
	}
	msgs, err := d.send(ctx, chat, p, msg)
	if err != nil {
		return driver.PublishResult{}, err
	}
	d.record(ctx, &msgs[0])
	return result(msgs[0]), nil
}

// SendMessage sends a message to a private chat: conversationID is the
// chat ID (a user's ID), as Messages report it. The user must have
// started a conversation with the bot.
func (d *Driver) SendMessage(ctx context.Context, conversationID string, p *driver.Post, opts driver.PublishOptions) (driver.PublishResult, error) {
	chat, err := strconv.ParseInt(conversationID, 10, 64)
	if err != nil || chat == 0 {
		return driver.PublishResult{}, &driver.Error{Code: driver.NotFound, Network: Network, Message: "not a Telegram chat ID: " + strconv.Quote(truncate(conversationID))}
	}
	msgs, err := d.send(ctx, chat, p, 0)
	if err != nil {
		return driver.PublishResult{}, err
	}
	return result(msgs[0]), nil
}

// EditPost replaces a message's text (editMessageText), or its caption
// when it carries media (editMessageCaption). Media cannot be replaced.
func (d *Driver) EditPost(ctx context.Context, postID string, p *driver.Post) (driver.PublishResult, error) {
	chat, msg, err := parseID(postID)
	if err != nil {
		return driver.PublishResult{}, err
	}
	if len(p.Media) > 0 {
		return driver.PublishResult{}, &driver.ValidationError{Network: "Telegram", Field: "media", Reason: "the Telegram connector cannot replace a message's media"}
	}
	var m message
	args := map[string]any{"chat_id": chat, "message_id": msg, "text": p.Text}
	if d.parse != "" {
		args["parse_mode"] = d.parse
	}
	err = d.call(ctx, "editMessageText", classSend, args, false, &m)
	if de, ok := asDriverError(err); ok && containsFold(de.Message, "no text in the message to edit") {
		if n := utf8.RuneCountInString(p.Text); n > MaxCaption {
			return driver.PublishResult{}, &driver.ValidationError{Network: "Telegram", Field: "text", Limit: MaxCaption, Got: int64(n), Unit: "characters (caption under media)"}
		}
		delete(args, "text")
		args["caption"] = p.Text
		err = d.call(ctx, "editMessageCaption", classSend, args, false, &m)
	}
	if de, ok := asDriverError(err); ok && containsFold(de.Message, "message is not modified") {
		err = nil // the same text again: nothing to do
		m.Chat.ID, m.MessageID = chat, msg
	}
	if err != nil {
		return driver.PublishResult{}, err
	}
	res := result(m)
	res.ID = postID
	return res, nil
}

// DeletePost deletes a message (deleteMessage). Bots delete their own
// messages within 48 hours, and others' in groups where they may.
func (d *Driver) DeletePost(ctx context.Context, postID string) error {
	chat, msg, err := parseID(postID)
	if err != nil {
		return err
	}
	err = d.call(ctx, "deleteMessage", classRead, map[string]any{"chat_id": chat, "message_id": msg}, false, nil)
	if err == nil || driver.CodeOf(err) == driver.NotFound {
		d.forget(chat, msg)
	}
	return err
}

// DeleteComment deletes a comment in the discussion group or the group;
// the bot needs the can_delete_messages administrator right.
func (d *Driver) DeleteComment(ctx context.Context, commentID string) error {
	return d.DeletePost(ctx, commentID)
}

// SetLiked sets or removes the bot's 👍 reaction (setMessageReaction).
func (d *Driver) SetLiked(ctx context.Context, id string, liked bool) error {
	chat, msg, err := parseID(id)
	if err != nil {
		return err
	}
	reaction := []map[string]string{}
	if liked {
		reaction = append(reaction, map[string]string{"type": "emoji", "emoji": "👍"})
	}
	return d.call(ctx, "setMessageReaction", classRead, map[string]any{"chat_id": chat, "message_id": msg, "reaction": reaction}, false, nil)
}

// AccountMetrics reads the chat's member count (getChatMemberCount) as
// Followers: a channel's subscribers.
func (d *Driver) AccountMetrics(ctx context.Context) (driver.AccountMetrics, error) {
	chatID, _ := d.target(0)
	var n int64
	if err := d.call(ctx, "getChatMemberCount", classRead, map[string]any{"chat_id": chatID}, false, &n); err != nil {
		return driver.AccountMetrics{}, err
	}
	return driver.AccountMetrics{Followers: driver.M(max(n, 0)), FetchedAt: d.now()}, nil
}
