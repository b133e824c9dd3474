package webhook

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors/driver"
)

func readTestdata(t testing.TB, name string) []byte {
	t.Helper()
	b, err := os.ReadFile(filepath.Join("testdata", name))
	require.NoError(t, err)
	return b
}

func author(id, handle, name string) driver.Author {
	return driver.Author{ID: id, Handle: handle, Name: name, Followers: -1}
}

var testBot = TelegramBot{ID: 777000111, Username: "@BrandHelpBot"}

func TestParseGolden(t *testing.T) {
	tests := []struct {
		file  string
		parse func([]byte) ([]driver.Interaction, error)
		want  []driver.Interaction
	}{
		{
			file:  "meta_page_feed.json",
			parse: ParseMeta,
			want: []driver.Interaction{
				{
					Kind: driver.Comment, ID: "1164870100259578_990011", Network: "facebook",
					PostID: "1142469655832956_1164870100259578", ParentID: "1142469655832956_1164870100259578",
					Author:    author("6120187654321", "", "Camille Martin"),
					Text:      "Super nouvelle collection ! Disponible en magasin ?",
					CreatedAt: time.Unix(1700000000, 0).UTC(),
					URL:       "https://www.facebook.com/brandpage/posts/pfbid02abc?comment_id=990011",
				},
				{
					Kind: driver.Reply, ID: "1164870100259578_990012", Network: "facebook",
					PostID: "1142469655832956_1164870100259578", ParentID: "1164870100259578_990011",
					Author:    author("6120100000002", "", "Sam Lee"),
					Text:      "Same question!",
					CreatedAt: time.Unix(1700000050, 0).UTC(),
					URL:       "https://www.facebook.com/brandpage/posts/pfbid02abc?comment_id=990012",
				},
				{
					Kind: driver.DirectMessage, ID: "m_AbCdEf123", Network: "facebook",
					ConversationID: "7012345678901234",
					Author:         author("7012345678901234", "", ""),
					Text:           "Bonjour, ma commande n'est pas arrivée",
					CreatedAt:      time.UnixMilli(1700000199000).UTC(),
				},
			},
		},
		{
			file:  "meta_instagram.json",
			parse: ParseMeta,
			want: []driver.Interaction{
				{
					Kind: driver.Comment, ID: "17865799348089039", Network: "instagram",
					PostID: "18172143295349192", ParentID: "18172143295349192",
					Author:    driver.Author{ID: "232323232", Handle: "camille.m", URL: "https://www.instagram.com/camille.m/", Followers: -1},
					Text:      "J'adore 😍 @brand",
					CreatedAt: time.Unix(1700000300, 0).UTC(),
				},
				{
					Kind: driver.Reply, ID: "17865799348089040", Network: "instagram",
					PostID: "18172143295349192", ParentID: "17865799348089039",
					Author:    driver.Author{ID: "454545454", Handle: "sam.lee", URL: "https://www.instagram.com/sam.lee/", Followers: -1},
					Text:      "me too",
					CreatedAt: time.Unix(1700000300, 0).UTC(),
				},
				{
					Kind: driver.Mention, ID: "17871122340089876", Network: "instagram",
					PostID: "17887498072083520", ParentID: "17887498072083520",
					Author: author("", "", ""), CreatedAt: time.Unix(1700000300, 0).UTC(),
				},
				{
					Kind: driver.Mention, ID: "17887498072083521", Network: "instagram",
					PostID: "17887498072083521",
					Author: author("", "", ""), CreatedAt: time.Unix(1700000300, 0).UTC(),
				},
			},
		},
		{
			file:  "slack_message_im.json",
			parse: ParseSlack,
			want: []driver.Interaction{{
				Kind: driver.DirectMessage, ID: "D024BE91L:1355517523.000005", Network: "slack",
				ConversationID: "D024BE91L", Author: author("U2147483697", "", ""),
				Text: "Hello hello can you hear me?", CreatedAt: time.Unix(1355517523, 5000).UTC(),
			}},
		},
		{
			file:  "slack_app_mention.json",
			parse: ParseSlack,
			want: []driver.Interaction{{
				Kind: driver.Mention, ID: "C123ABC456:1515449522.000016", Network: "slack",
				ConversationID: "C123ABC456", Author: author("U123ABC456", "", ""),
				Text: "What is the hour of the pearl, <@U0LAN0Z89>?", CreatedAt: time.Unix(1515449522, 16000).UTC(),
			}},
		},
		{
			file:  "slack_thread_reply.json",
			parse: ParseSlack,
			want: []driver.Interaction{{
				Kind: driver.Reply, ID: "C123ABC456:1700000400.000200", Network: "slack",
				ParentID: "C123ABC456:1700000300.000100", ConversationID: "C123ABC456",
				Author: author("U999USER01", "lea.dupont", "Léa"),
				Text:   "Merci, ça marche !", CreatedAt: time.Unix(1700000400, 200000).UTC(),
			}},
		},
		{file: "slack_url_verification.json", parse: ParseSlack},
		{
			file:  "discord_command.json",
			parse: ParseDiscord,
			want: []driver.Interaction{{
				Kind: driver.Mention, ID: "786008729715212338", Network: "discord",
				ConversationID: "645027906669510667", Author: author("53908232506183680", "mason", "Mason"),
				Text: "/cardsearch cardname:The Gitrog Monster", Language: "fr",
				CreatedAt: snowflakeTime("786008729715212338"),
			}},
		},
		{file: "discord_ping.json", parse: ParseDiscord},
		{
			file:  "discord_dm_modal.json",
			parse: ParseDiscord,
			want: []driver.Interaction{{
				Kind: driver.DirectMessage, ID: "1187654321098765432", Network: "discord",
				ConversationID: "1100000000000000001", Author: author("80351110224678912", "nelly", "Nelly"),
				Text: "Delivery\nMy parcel is late.", Language: "en-GB",
				CreatedAt: snowflakeTime("1187654321098765432"),
			}},
		},
		{
			file:  "telegram_private.json",
			parse: func(b []byte) ([]driver.Interaction, error) { return ParseTelegram(b, testBot) },
			want: []driver.Interaction{{
				Kind: driver.DirectMessage, ID: "1111111:1365", Network: "telegram", ConversationID: "1111111",
				Author: driver.Author{ID: "1111111", Handle: "Testusername", Name: "Test Lastname", URL: "https://t.me/Testusername", Followers: -1},
				Text:   "Bonjour, avez-vous ce modèle en 38 ?", CreatedAt: time.Unix(1441645532, 0).UTC(),
			}},
		},
		{
			file:  "telegram_group_mention.json",
			parse: func(b []byte) ([]driver.Interaction, error) { return ParseTelegram(b, testBot) },
			want: []driver.Interaction{{
				Kind: driver.Mention, ID: "-1001234567890:42", Network: "telegram", ConversationID: "-1001234567890",
				Author: driver.Author{ID: "2222222", Handle: "lea_d", Name: "Léa", URL: "https://t.me/lea_d", Followers: -1},
				Text:   "👋 @BrandHelpBot quand ouvre la boutique ?", CreatedAt: time.Unix(1700000500, 0).UTC(),
				URL: "https://t.me/brandcommunity/42",
			}},
		},
		{
			file:  "telegram_group_reply.json",
			parse: func(b []byte) ([]driver.Interaction, error) { return ParseTelegram(b, testBot) },
			want: []driver.Interaction{{
				Kind: driver.Reply, ID: "-1001234567890:44", Network: "telegram", ConversationID: "-1001234567890",
				ParentID: "-1001234567890:43",
				Author:   driver.Author{ID: "3333333", Name: "Sam", Followers: -1},
				Text:     "Merci !", CreatedAt: time.Unix(1700000600, 0).UTC(),
				URL: "https://t.me/brandcommunity/44",
			}},
		},
		{
			file:  "telegram_group_chatter.json",
			parse: func(b []byte) ([]driver.Interaction, error) { return ParseTelegram(b, testBot) },
		},
		{
			file:  "x_tweet_create_events.json",
			parse: ParseX,
			want: []driver.Interaction{
				{
					Kind: driver.Mention, ID: "1050118621198921728", Network: "x",
					Author: driver.Author{
						ID: "6253282", Handle: "TwitterAPI", Name: "Twitter API", URL: "https://x.com/TwitterAPI",
						CreatedAt: time.Date(2007, 5, 23, 6, 1, 13, 0, time.UTC), Followers: 6133636, Verified: true,
					},
					Text: "@TwitterDev To make room for more expression, we will now count all emojis as equal", Language: "en",
					CreatedAt: time.Date(2018, 10, 10, 20, 19, 24, 0, time.UTC),
					URL:       "https://x.com/TwitterAPI/status/1050118621198921728",
				},
				{
					Kind: driver.Reply, ID: "1050295000000000001", Network: "x",
					PostID: "1050200000000000000", ParentID: "1050200000000000000",
					Author: driver.Author{
						ID: "99887766", Handle: "camille_fr", Name: "Camille", URL: "https://x.com/camille_fr",
						CreatedAt: time.Date(2017, 1, 2, 10, 0, 0, 0, time.UTC), Followers: -1,
					},
					Text:      "@TwitterDev Merci pour la réponse, mais le lien ne marche pas… pouvez-vous le renvoyer ?",
					Language:  "fr",
					CreatedAt: time.Date(2018, 10, 11, 8, 0, 0, 0, time.UTC),
					URL:       "https://x.com/camille_fr/status/1050295000000000001",
				},
			},
		},
		{
			file:  "x_direct_message_events.json",
			parse: ParseX,
			want: []driver.Interaction{{
				Kind: driver.DirectMessage, ID: "954491830116155396", Network: "x",
				ConversationID: "3001969357-4337869213",
				Author: driver.Author{
					ID: "3001969357", Handle: "furiouscamper", Name: "Jordan Brinks", URL: "https://x.com/furiouscamper",
					CreatedAt: time.UnixMilli(1422556069340).UTC(), Followers: 22,
				},
				Text: "Hello World!", CreatedAt: time.UnixMilli(1516403560557).UTC(),
			}},
		},
	}
	for _, tt := range tests {
		t.Run(tt.file, func(t *testing.T) {
			got, err := tt.parse(readTestdata(t, tt.file))
			require.NoError(t, err)
			require.Equal(t, tt.want, got)
		})
	}
}

func TestParseMalformed(t *testing.T) {
	parsers := map[string]func([]byte) ([]driver.Interaction, error){
		"meta":     ParseMeta,
		"slack":    ParseSlack,
		"discord":  ParseDiscord,
		"telegram": func(b []byte) ([]driver.Interaction, error) { return ParseTelegram(b, testBot) },
		"x":        ParseX,
	}
	bodies := map[string]string{
		"empty":         "",
		"truncated":     `{"object":"page","entry":[`,
		"not an object": `[1,2,3]`,
		"trailing data": `{} {}`,
		"wrong id type": `{"update_id":"x","message_id":true,"type":"x","entry":{},"tweet_create_events":{},"event":5}`,
	}
	for name, parse := range parsers {
		for bname, body := range bodies {
			t.Run(name+"/"+bname, func(t *testing.T) {
				_, err := parse([]byte(body))
				require.Error(t, err)
				require.ErrorIs(t, err, driver.ErrInvalidContent)
				require.Equal(t, driver.InvalidContent, driver.CodeOf(err))
			})
		}
	}
}

func TestParseIgnoresUnknownEvents(t *testing.T) {
	tests := []struct {
		name  string
		parse func([]byte) ([]driver.Interaction, error)
		body  string
	}{
		{"meta whatsapp object", ParseMeta, `{"object":"whatsapp_business_account","entry":[{"id":"1","changes":[{"field":"messages","value":{}}]}]}`},
		{"meta page like", ParseMeta, `{"object":"page","entry":[{"id":"1","time":1,"changes":[{"field":"feed","value":{"item":"like","verb":"add","user_id":2}}]}]}`},
		{"slack reaction", ParseSlack, `{"type":"event_callback","event_id":"E1","event":{"type":"reaction_added","user":"U1","reaction":"thumbsup"}}`},
		{"slack edit", ParseSlack, `{"type":"event_callback","event_id":"E2","event":{"type":"message","subtype":"message_changed","channel":"D1","channel_type":"im","user":"U1","ts":"1.000001"}}`},
		{"slack bot message", ParseSlack, `{"type":"event_callback","event_id":"E3","event":{"type":"message","channel":"D1","channel_type":"im","user":"U1","bot_id":"B1","ts":"1.000001"}}`},
		{"slack channel chatter", ParseSlack, `{"type":"event_callback","event_id":"E4","authorizations":[{"user_id":"UBOT","is_bot":true}],"event":{"type":"message","channel":"C1","channel_type":"channel","user":"U1","ts":"2.000001","thread_ts":"1.000001","parent_user_id":"USOMEONE"}}`},
		{"discord component", ParseDiscord, `{"type":3,"id":"1","guild_id":"2","member":{"user":{"id":"3","username":"u"}},"data":{"custom_id":"b"}}`},
		{"telegram callback query", func(b []byte) ([]driver.Interaction, error) { return ParseTelegram(b, testBot) }, `{"update_id":5,"callback_query":{"id":"1"}}`},
		{"x favorite", ParseX, `{"for_user_id":"1","favorite_events":[{"id":"a"}]}`},
		{"x no user", ParseX, `{"tweet_create_events":[{"id_str":"1","user":{"id_str":"2"}}]}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.parse([]byte(tt.body))
			require.NoError(t, err)
			require.Empty(t, got)
		})
	}
}

func TestTelegramMentionForms(t *testing.T) {
	group := func(text, entities string) string {
		return `{"update_id":1,"message":{"message_id":9,"from":{"id":5,"first_name":"A"},"chat":{"id":-100,"type":"group"},"date":1700000000,"text":` +
			text + `,"entities":` + entities + `}}`
	}
	tests := []struct {
		name string
		bot  TelegramBot
		body string
		kind driver.InteractionKind
	}{
		{"mention case-insensitive", TelegramBot{Username: "BrandHelpBot"}, group(`"hi @brandhelpbot"`, `[{"type":"mention","offset":3,"length":13}]`), driver.Mention},
		{"text_mention by id", TelegramBot{ID: 42}, group(`"hi Bot"`, `[{"type":"text_mention","offset":3,"length":3,"user":{"id":42,"is_bot":true,"first_name":"Bot"}}]`), driver.Mention},
		{"command addressed to bot", TelegramBot{Username: "BrandHelpBot"}, group(`"/start@BrandHelpBot"`, `[{"type":"bot_command","offset":0,"length":19}]`), driver.Mention},
		{"command for another bot", TelegramBot{Username: "BrandHelpBot"}, group(`"/start@OtherBot"`, `[{"type":"bot_command","offset":0,"length":15}]`), 0},
		{"entity out of range", TelegramBot{Username: "BrandHelpBot"}, group(`"hi"`, `[{"type":"mention","offset":1,"length":99}]`), 0},
		{"negative offset", TelegramBot{Username: "BrandHelpBot"}, group(`"hi"`, `[{"type":"mention","offset":-1,"length":1}]`), 0},
		{"reply by username when id unknown", TelegramBot{Username: "BrandHelpBot"},
			`{"update_id":1,"message":{"message_id":9,"from":{"id":5,"first_name":"A"},"chat":{"id":-100,"type":"group"},"date":1,"text":"ok","reply_to_message":{"message_id":8,"from":{"id":7,"is_bot":true,"first_name":"B","username":"brandhelpbot"}}}}`,
			driver.Reply},
		{"message from a bot", TelegramBot{Username: "BrandHelpBot"},
			`{"update_id":1,"message":{"message_id":9,"from":{"id":5,"is_bot":true,"first_name":"A"},"chat":{"id":5,"type":"private"},"date":1,"text":"ok"}}`, 0},
		{"channel post mentioning the bot", TelegramBot{Username: "BrandHelpBot"},
			`{"update_id":1,"channel_post":{"message_id":3,"sender_chat":{"id":-1009,"title":"News","username":"brandnews","type":"channel"},"chat":{"id":-1009,"title":"News","username":"brandnews","type":"channel"},"date":1,"caption":"@BrandHelpBot photo","caption_entities":[{"type":"mention","offset":0,"length":13}]}}`,
			driver.Mention},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := ParseTelegram([]byte(tt.body), tt.bot)
			require.NoError(t, err)
			if tt.kind == 0 {
				require.Empty(t, got)
				return
			}
			require.Len(t, got, 1)
			require.Equal(t, tt.kind, got[0].Kind)
		})
	}
}

func TestTelegramEditedMessageKeyedByUpdate(t *testing.T) {
	orig := `{"update_id":1,"message":{"message_id":9,"from":{"id":5,"first_name":"A"},"chat":{"id":5,"type":"private"},"date":1,"text":"hi"}}`
	edit := `{"update_id":2,"edited_message":{"message_id":9,"from":{"id":5,"first_name":"A"},"chat":{"id":5,"type":"private"},"date":1,"edit_date":2,"text":"hi!"}}`
	p1, err := parseTelegram([]byte(orig), testBot)
	require.NoError(t, err)
	p2, err := parseTelegram([]byte(edit), testBot)
	require.NoError(t, err)
	require.Equal(t, p1.items[0].ID, p2.items[0].ID)
	require.NotEqual(t, p1.keys[0], p2.keys[0])
	require.Equal(t, "hi!", p2.items[0].Text)
}

func TestDiscordCommandRendering(t *testing.T) {
	body := `{"type":2,"id":"786008729715212338","guild_id":"1","channel_id":"2","member":{"user":{"id":"3","username":"u"},"nick":"Boss"},
	"data":{"type":1,"name":"ticket","options":[{"type":1,"name":"open","options":[{"type":3,"name":"topic","value":"refund"},{"type":4,"name":"order","value":1234},{"type":5,"name":"urgent","value":true}]}]}}`
	got, err := ParseDiscord([]byte(body))
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "/ticket open topic:refund order:1234 urgent:true", got[0].Text)
	require.Equal(t, "Boss", got[0].Author.Name)

	msgCmd := `{"type":2,"id":"786008729715212339","guild_id":"1","channel_id":"2","member":{"user":{"id":"3","username":"u"}},
	"data":{"type":3,"name":"Report","target_id":"99","resolved":{"messages":{"99":{"id":"99","content":"spam spam"}}}}}`
	got, err = ParseDiscord([]byte(msgCmd))
	require.NoError(t, err)
	require.Len(t, got, 1)
	require.Equal(t, "spam spam", got[0].Text)
	require.Equal(t, "99", got[0].ParentID)
}

func TestSnowflakeTime(t *testing.T) {
	// Discord's documented example: 175928847299117063 was created at
	// 2016-04-30 11:18:25.796 UTC.
	require.Equal(t, time.Date(2016, 4, 30, 11, 18, 25, 796000000, time.UTC), snowflakeTime("175928847299117063"))
	require.True(t, snowflakeTime("nope").IsZero())
}

func TestXConversationID(t *testing.T) {
	require.Equal(t, "9-10", xConversationID("10", "9"))
	require.Equal(t, "9-10", xConversationID("9", "10"))
	require.Equal(t, "5-7", xConversationID("7", "5"))
	require.Equal(t, "7", xConversationID("7", ""))
}
