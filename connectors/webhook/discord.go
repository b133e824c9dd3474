package webhook

import (
	"encoding/json"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// Discord interaction types (interactions/receiving-and-responding).
const (
	discordPing               = 1
	discordApplicationCommand = 2
	discordMessageComponent   = 3
	discordAutocomplete       = 4
	discordModalSubmit        = 5
)

type discordUser struct {
	ID         flexString `json:"id"`
	Username   string     `json:"username"`
	GlobalName string     `json:"global_name"`
	Bot        bool       `json:"bot"`
}

type discordInteraction struct {
	ID        flexString `json:"id"`
	Type      int        `json:"type"`
	GuildID   flexString `json:"guild_id"`
	ChannelID flexString `json:"channel_id"`
	Channel   *struct {
		ID flexString `json:"id"`
	} `json:"channel"`
	Member *struct {
		User *discordUser `json:"user"`
		Nick string       `json:"nick"`
	} `json:"member"`
	User    *discordUser `json:"user"`
	Locale  string       `json:"locale"`
	Message *struct {
		ID flexString `json:"id"`
	} `json:"message"`
	Data *discordData `json:"data"`
}

type discordData struct {
	Name       string             `json:"name"`
	Type       int                `json:"type"`
	Options    []discordOption    `json:"options"`
	TargetID   flexString         `json:"target_id"`
	Components []discordComponent `json:"components"`
	Resolved   *struct {
		Messages map[string]struct {
			Content string `json:"content"`
		} `json:"messages"`
	} `json:"resolved"`
}

type discordOption struct {
	Name    string          `json:"name"`
	Type    int             `json:"type"`
	Value   json.RawMessage `json:"value"`
	Options []discordOption `json:"options"`
}

type discordComponent struct {
	Type       int                `json:"type"`
	Value      *string            `json:"value"`
	Component  *discordComponent  `json:"component"`
	Components []discordComponent `json:"components"`
}

// ParseDiscord turns a Discord interaction (the body POSTed to an
// application's Interactions Endpoint URL) into interactions.
//
// An application command (type 2) or a modal submission (type 5) is a
// Mention in a server, a DirectMessage outside one (no guild_id). A slash
// command's Text is rendered as typed, "/name sub option:value"; a message
// context-menu command carries the target message's content and its ID as
// ParentID; a modal submission's Text is its text inputs' values, one per
// line. PING (type 1), component clicks (3) and autocomplete (4) return no
// interaction. ID is the interaction ID, ConversationID the channel,
// CreatedAt comes from the snowflake ID and Language from the user's
// client locale.
//
// A malformed body returns a *driver.Error matching
// driver.ErrInvalidContent.
func ParseDiscord(body []byte) ([]driver.Interaction, error) {
	p, _, err := parseDiscord(body)
	return p.items, err
}

func parseDiscord(body []byte) (parsed, int, error) {
	var p parsed
	var di discordInteraction
	if err := decode(body, &di); err != nil {
		return p, 0, parseErr(discordNetwork, "ParseDiscord", err)
	}
	if di.Type != discordApplicationCommand && di.Type != discordModalSubmit {
		return p, di.Type, nil
	}
	u := di.User
	if di.Member != nil && di.Member.User != nil {
		u = di.Member.User
	}
	if di.ID == "" || u == nil || u.Bot {
		return p, di.Type, nil
	}
	in := driver.Interaction{
		Kind:           driver.Mention,
		ID:             string(di.ID),
		Network:        discordNetwork,
		ConversationID: string(di.ChannelID),
		Author:         unknownAuthor(),
		Language:       di.Locale,
		CreatedAt:      snowflakeTime(string(di.ID)),
	}
	if in.ConversationID == "" && di.Channel != nil {
		in.ConversationID = string(di.Channel.ID)
	}
	if di.GuildID == "" {
		in.Kind = driver.DirectMessage
	}
	in.Author.ID, in.Author.Handle, in.Author.Name = string(u.ID), u.Username, u.GlobalName
	if di.Member != nil && di.Member.Nick != "" {
		in.Author.Name = di.Member.Nick
	}
	if d := di.Data; d != nil {
		if di.Type == discordModalSubmit {
			var vals []string
			collectDiscordValues(d.Components, &vals, 0)
			in.Text = strings.Join(vals, "\n")
			if di.Message != nil {
				in.ParentID = string(di.Message.ID)
			}
		} else {
			switch d.Type {
			case 3: // MESSAGE context-menu command
				in.ParentID = string(d.TargetID)
				if d.Resolved != nil {
					in.Text = d.Resolved.Messages[string(d.TargetID)].Content
				}
			default: // CHAT_INPUT (1) and USER (2) commands
				var b strings.Builder
				b.WriteString("/")
				b.WriteString(d.Name)
				writeDiscordOptions(&b, d.Options, 0)
				in.Text = b.String()
			}
		}
	}
	p.add(in, in.ID)
	return p, di.Type, nil
}

const maxDiscordDepth = 8

func writeDiscordOptions(b *strings.Builder, opts []discordOption, depth int) {
	if depth > maxDiscordDepth {
		return
	}
	for _, o := range opts {
		b.WriteByte(' ')
		if len(o.Value) == 0 { // a subcommand or subcommand group
			b.WriteString(o.Name)
			writeDiscordOptions(b, o.Options, depth+1)
			continue
		}
		b.WriteString(o.Name)
		b.WriteByte(':')
		var s string
		if json.Unmarshal(o.Value, &s) == nil {
			b.WriteString(s)
		} else {
			b.Write(o.Value)
		}
	}
}

func collectDiscordValues(cs []discordComponent, out *[]string, depth int) {
	if depth > maxDiscordDepth {
		return
	}
	for _, c := range cs {
		if c.Value != nil && *c.Value != "" {
			*out = append(*out, *c.Value)
		}
		if c.Component != nil {
			collectDiscordValues([]discordComponent{*c.Component}, out, depth+1)
		}
		collectDiscordValues(c.Components, out, depth+1)
	}
}

// discordEpochMs is the Discord epoch, 2015-01-01T00:00:00Z, in Unix ms.
const discordEpochMs = 1420070400000

// snowflakeTime reads the creation time encoded in a Discord snowflake.
func snowflakeTime(id string) time.Time {
	n, err := strconv.ParseUint(id, 10, 64)
	if err != nil || n == 0 {
		return time.Time{}
	}
	return time.UnixMilli(int64(n>>22) + discordEpochMs).UTC()
}
