package webhook

import (
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

type slackEnvelope struct {
	Type           string `json:"type"`
	Challenge      string `json:"challenge"`
	TeamID         string `json:"team_id"`
	EventID        string `json:"event_id"`
	EventTime      int64  `json:"event_time"`
	Authorizations []struct {
		UserID string `json:"user_id"`
		IsBot  bool   `json:"is_bot"`
	} `json:"authorizations"`
	AuthedUsers []string    `json:"authed_users"`
	Event       *slackEvent `json:"event"`
}

type slackEvent struct {
	Type         string `json:"type"`
	Subtype      string `json:"subtype"`
	Channel      string `json:"channel"`
	ChannelType  string `json:"channel_type"`
	User         string `json:"user"`
	BotID        string `json:"bot_id"`
	Text         string `json:"text"`
	TS           string `json:"ts"`
	ThreadTS     string `json:"thread_ts"`
	ParentUserID string `json:"parent_user_id"`
	UserProfile  *struct {
		Name        string `json:"name"`
		RealName    string `json:"real_name"`
		DisplayName string `json:"display_name"`
	} `json:"user_profile"`
}

// SlackID returns the portable ID cmkit gives a Slack message: its channel
// and its ts, "C0LAN2Q65:1355517523.000005". A Slack ts is unique only
// within its channel, and answering a message needs both.
func SlackID(channel, ts string) string {
	if channel == "" || ts == "" {
		return ""
	}
	return channel + ":" + ts
}

// ParseSlack turns a Slack Events API request body into interactions.
// Only "event_callback" envelopes carry interactions; url_verification and
// app_rate_limited return none.
//
// An "app_mention" event is a Mention. A "message" event in a direct
// message ("im", "mpim") is a DirectMessage; a channel message is a Reply
// when it answers, in a thread, a message of the app's bot user and does
// not mention it (a mention also arrives as app_mention); other channel
// messages are ignored. Messages from bots (bot_id set, or the app's own
// user) and message subtypes other than file_share and thread_broadcast
// (edits, deletions, joins...) are ignored. The bot user is read from
// authorizations (is_bot) or authed_users.
//
// IDs are SlackID(channel, ts); ParentID is SlackID(channel, thread_ts) in
// a thread; ConversationID is the channel. Author carries the user ID and,
// when the event includes user_profile, the name. Slack events include no
// permalink (it needs the workspace domain), so URL is empty.
//
// A malformed body returns a *driver.Error matching
// driver.ErrInvalidContent.
func ParseSlack(body []byte) ([]driver.Interaction, error) {
	p, _, err := parseSlack(body)
	return p.items, err
}

func parseSlack(body []byte) (parsed, *slackEnvelope, error) {
	var p parsed
	var env slackEnvelope
	if err := decode(body, &env); err != nil {
		return p, nil, parseErr(slackNetwork, "ParseSlack", err)
	}
	if env.Type != "event_callback" || env.Event == nil {
		return p, &env, nil
	}
	bot := ""
	for _, a := range env.Authorizations {
		if a.IsBot && a.UserID != "" {
			bot = a.UserID
			break
		}
	}
	if bot == "" && len(env.AuthedUsers) == 1 {
		bot = env.AuthedUsers[0]
	}
	ev := env.Event
	if ev.BotID != "" || ev.User == "" || (bot != "" && ev.User == bot) {
		return p, &env, nil
	}
	switch ev.Subtype {
	case "", "file_share", "thread_broadcast":
	default:
		return p, &env, nil
	}
	in := driver.Interaction{
		ID:             SlackID(ev.Channel, ev.TS),
		Network:        slackNetwork,
		ConversationID: ev.Channel,
		Author:         unknownAuthor(),
		Text:           ev.Text,
		CreatedAt:      slackTime(ev.TS),
	}
	in.Author.ID = ev.User
	if up := ev.UserProfile; up != nil {
		in.Author.Handle = up.Name
		in.Author.Name = up.DisplayName
		if in.Author.Name == "" {
			in.Author.Name = up.RealName
		}
	}
	inThread := ev.ThreadTS != "" && ev.ThreadTS != ev.TS
	if inThread {
		in.ParentID = SlackID(ev.Channel, ev.ThreadTS)
	}
	switch ev.Type {
	case "app_mention":
		in.Kind = driver.Mention
	case "message":
		switch ev.ChannelType {
		case "im", "mpim":
			in.Kind = driver.DirectMessage
		case "channel", "group":
			if !inThread || bot == "" || ev.ParentUserID != bot || strings.Contains(ev.Text, "<@"+bot+">") {
				return p, &env, nil
			}
			in.Kind = driver.Reply
		default:
			return p, &env, nil
		}
	default:
		return p, &env, nil
	}
	if in.ID == "" {
		return p, &env, nil
	}
	// The key is the message, not the event_id: a retry repeats both, and
	// a message that mentions the app in a group DM arrives twice, as
	// message and app_mention, under two event_ids.
	p.add(in, in.ID)
	return p, &env, nil
}

// slackTime reads a Slack ts ("1355517523.000005": seconds and a
// per-channel sequence that is, in practice, microseconds).
func slackTime(ts string) time.Time {
	sec, frac, _ := strings.Cut(ts, ".")
	s, err := strconv.ParseInt(sec, 10, 64)
	if err != nil || s <= 0 {
		return time.Time{}
	}
	var us int64
	if len(frac) == 6 {
		if v, err := strconv.ParseInt(frac, 10, 64); err == nil && v >= 0 {
			us = v
		}
	}
	return time.Unix(s, us*1000).UTC()
}
