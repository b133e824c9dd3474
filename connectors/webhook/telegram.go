package webhook

import (
	"strconv"
	"strings"
	"unicode/utf16"

	"github.com/cmkit/cmkit/connectors/driver"
)

// TelegramBot identifies the bot receiving updates, so that mentions of it
// and replies to it can be told from other group chatter. Give at least
// one field; both come from getMe.
type TelegramBot struct {
	// ID is the bot's user ID.
	ID int64
	// Username is the bot's @-name, with or without the '@'.
	Username string
}

type telegramUpdate struct {
	UpdateID      int64            `json:"update_id"`
	Message       *telegramMessage `json:"message"`
	EditedMessage *telegramMessage `json:"edited_message"`
	ChannelPost   *telegramMessage `json:"channel_post"`
}

type telegramUser struct {
	ID        int64  `json:"id"`
	IsBot     bool   `json:"is_bot"`
	FirstName string `json:"first_name"`
	LastName  string `json:"last_name"`
	Username  string `json:"username"`
}

type telegramChat struct {
	ID       int64  `json:"id"`
	Type     string `json:"type"`
	Title    string `json:"title"`
	Username string `json:"username"`
}

type telegramEntity struct {
	Type   string        `json:"type"`
	Offset int           `json:"offset"`
	Length int           `json:"length"`
	User   *telegramUser `json:"user"`
}

type telegramMessage struct {
	MessageID       int64            `json:"message_id"`
	From            *telegramUser    `json:"from"`
	SenderChat      *telegramChat    `json:"sender_chat"`
	Chat            telegramChat     `json:"chat"`
	Date            int64            `json:"date"`
	Text            string           `json:"text"`
	Caption         string           `json:"caption"`
	Entities        []telegramEntity `json:"entities"`
	CaptionEntities []telegramEntity `json:"caption_entities"`
	ReplyToMessage  *struct {
		MessageID int64         `json:"message_id"`
		From      *telegramUser `json:"from"`
	} `json:"reply_to_message"`
}

// TelegramID returns the portable ID cmkit gives a Telegram message: its
// chat ID and message ID, "-1001234567890:42". A message_id is unique only
// within its chat, and answering a message needs both.
func TelegramID(chatID, messageID int64) string {
	return strconv.FormatInt(chatID, 10) + ":" + strconv.FormatInt(messageID, 10)
}

// ParseTelegram turns a Telegram Update into interactions for bot. It
// reads message, edited_message and channel_post; other update kinds
// (callback queries, reactions, member changes) return none.
//
// In a private chat every message from a person is a DirectMessage. In a
// group, supergroup or channel a message is a Reply when it answers one of
// the bot's messages and a Mention when it mentions the bot (a "mention"
// entity "@username", a "text_mention" of its ID, or a "/command@username");
// other messages are ignored. Messages from bots are ignored.
//
// IDs are TelegramID(chat, message_id); ParentID is the replied message's
// TelegramID; ConversationID is the chat ID. An edited message keeps the
// ID of the original. Text is the text or the media caption. URL is
// https://t.me/<chat username>/<message_id> for public groups and channels.
//
// A malformed body returns a *driver.Error matching
// driver.ErrInvalidContent.
func ParseTelegram(body []byte, bot TelegramBot) ([]driver.Interaction, error) {
	p, err := parseTelegram(body, bot)
	return p.items, err
}

func parseTelegram(body []byte, bot TelegramBot) (parsed, error) {
	var p parsed
	var u telegramUpdate
	if err := decode(body, &u); err != nil {
		return p, parseErr(telegramNetwork, "ParseTelegram", err)
	}
	m := u.Message
	if m == nil {
		m = u.EditedMessage
	}
	if m == nil {
		m = u.ChannelPost
	}
	if m == nil || m.MessageID == 0 || m.Chat.ID == 0 {
		return p, nil
	}
	in, ok := telegramInteraction(m, telegramBot{TelegramBot: bot, username: strings.TrimPrefix(bot.Username, "@")})
	if !ok {
		return p, nil
	}
	// The update_id, not the message: an edit keeps the message's ID but
	// comes in a new update; a redelivery repeats the update_id.
	p.add(in, "update:"+strconv.FormatInt(u.UpdateID, 10))
	return p, nil
}

type telegramBot struct {
	TelegramBot
	username string
}

func (b telegramBot) is(u *telegramUser) bool {
	if u == nil {
		return false
	}
	if b.ID != 0 {
		return u.ID == b.ID
	}
	return u.IsBot && b.username != "" && strings.EqualFold(u.Username, b.username)
}

func telegramInteraction(m *telegramMessage, bot telegramBot) (driver.Interaction, bool) {
	in := driver.Interaction{
		ID:             TelegramID(m.Chat.ID, m.MessageID),
		Network:        telegramNetwork,
		ConversationID: strconv.FormatInt(m.Chat.ID, 10),
		Author:         unknownAuthor(),
		Text:           m.Text,
		CreatedAt:      unixAuto(flexString(strconv.FormatInt(m.Date, 10))),
	}
	entities := m.Entities
	if in.Text == "" {
		in.Text, entities = m.Caption, m.CaptionEntities
	}
	switch {
	case m.From != nil:
		if m.From.IsBot {
			return in, false
		}
		in.Author.ID = strconv.FormatInt(m.From.ID, 10)
		in.Author.Handle = m.From.Username
		in.Author.Name = strings.TrimSpace(m.From.FirstName + " " + m.From.LastName)
		if m.From.Username != "" {
			in.Author.URL = "https://t.me/" + m.From.Username
		}
	case m.SenderChat != nil:
		in.Author.ID = strconv.FormatInt(m.SenderChat.ID, 10)
		in.Author.Handle = m.SenderChat.Username
		in.Author.Name = m.SenderChat.Title
		if m.SenderChat.Username != "" {
			in.Author.URL = "https://t.me/" + m.SenderChat.Username
		}
	}
	if m.ReplyToMessage != nil && m.ReplyToMessage.MessageID != 0 {
		in.ParentID = TelegramID(m.Chat.ID, m.ReplyToMessage.MessageID)
	}
	switch m.Chat.Type {
	case "private":
		in.Kind = driver.DirectMessage
		return in, true
	case "group", "supergroup", "channel":
	default:
		return in, false
	}
	if m.Chat.Username != "" && m.Chat.Type != "group" {
		in.URL = "https://t.me/" + m.Chat.Username + "/" + strconv.FormatInt(m.MessageID, 10)
	}
	switch {
	case m.ReplyToMessage != nil && bot.is(m.ReplyToMessage.From):
		in.Kind = driver.Reply
	case mentionsBot(in.Text, entities, bot):
		in.Kind = driver.Mention
	default:
		return in, false
	}
	return in, true
}

// mentionsBot reports whether the entities mention the bot. Entity offsets
// and lengths count UTF-16 code units.
func mentionsBot(text string, entities []telegramEntity, bot telegramBot) bool {
	if len(entities) == 0 {
		return false
	}
	var u16 []uint16
	for _, e := range entities {
		switch e.Type {
		case "text_mention":
			if bot.ID != 0 && e.User != nil && e.User.ID == bot.ID {
				return true
			}
		case "mention", "bot_command":
			if bot.username == "" {
				continue
			}
			if u16 == nil {
				u16 = utf16.Encode([]rune(text))
			}
			if e.Offset < 0 || e.Length <= 0 || e.Offset > len(u16) || e.Length > len(u16)-e.Offset {
				continue
			}
			s := string(utf16.Decode(u16[e.Offset : e.Offset+e.Length]))
			if e.Type == "mention" {
				if strings.EqualFold(s, "@"+bot.username) {
					return true
				}
			} else if _, at, ok := strings.Cut(s, "@"); ok && strings.EqualFold(at, bot.username) {
				return true
			}
		}
	}
	return false
}
