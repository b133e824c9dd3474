package webhook

import (
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

type xPayload struct {
	ForUserID           flexString         `json:"for_user_id"`
	TweetCreateEvents   []xTweet           `json:"tweet_create_events"`
	DirectMessageEvents []xDMEvent         `json:"direct_message_events"`
	Users               map[string]xDMUser `json:"users"`
}

type xUser struct {
	ID             flexString `json:"id_str"`
	ScreenName     string     `json:"screen_name"`
	Name           string     `json:"name"`
	CreatedAt      string     `json:"created_at"`
	FollowersCount *int64     `json:"followers_count"`
	Verified       bool       `json:"verified"`
}

type xTweet struct {
	ID                flexString `json:"id_str"`
	CreatedAt         string     `json:"created_at"`
	Text              string     `json:"text"`
	FullText          string     `json:"full_text"`
	Truncated         bool       `json:"truncated"`
	Lang              string     `json:"lang"`
	InReplyToStatusID flexString `json:"in_reply_to_status_id_str"`
	InReplyToUserID   flexString `json:"in_reply_to_user_id_str"`
	User              xUser      `json:"user"`
	RetweetedStatus   *struct{}  `json:"retweeted_status"`
	ExtendedTweet     *struct {
		FullText string `json:"full_text"`
	} `json:"extended_tweet"`
	Entities struct {
		UserMentions []struct {
			ID flexString `json:"id_str"`
		} `json:"user_mentions"`
	} `json:"entities"`
}

type xDMEvent struct {
	Type             string `json:"type"`
	ID               string `json:"id"`
	CreatedTimestamp string `json:"created_timestamp"`
	MessageCreate    *struct {
		Target struct {
			RecipientID string `json:"recipient_id"`
		} `json:"target"`
		SenderID    string `json:"sender_id"`
		MessageData struct {
			Text string `json:"text"`
		} `json:"message_data"`
	} `json:"message_create"`
}

type xDMUser struct {
	ID               string `json:"id"`
	CreatedTimestamp string `json:"created_timestamp"`
	Name             string `json:"name"`
	ScreenName       string `json:"screen_name"`
	FollowersCount   *int64 `json:"followers_count"`
	Verified         bool   `json:"verified"`
}

// ParseX turns an X Account Activity API delivery into interactions for
// the subscribed user named by its for_user_id.
//
// tweet_create_events: a post answering one of the user's posts
// (in_reply_to_user_id_str = for_user_id) is a Reply with ParentID and
// PostID set to the answered post; another post mentioning the user
// (entities.user_mentions) is a Mention. The user's own posts and reposts
// are ignored. Text is extended_tweet.full_text when the post is
// truncated. direct_message_events: each message_create received (not
// sent) by the user is a DirectMessage whose ConversationID is the X API
// v2 one-to-one dm_conversation_id, "<smaller id>-<larger id>". Other
// events (likes, follows, typing, revocations) return none.
//
// A malformed body returns a *driver.Error matching
// driver.ErrInvalidContent.
func ParseX(body []byte) ([]driver.Interaction, error) {
	p, err := parseX(body)
	return p.items, err
}

func parseX(body []byte) (parsed, error) {
	var p parsed
	var pl xPayload
	if err := decode(body, &pl); err != nil {
		return p, parseErr(xNetwork, "ParseX", err)
	}
	me := string(pl.ForUserID)
	if me == "" {
		return p, nil
	}
	for _, t := range pl.TweetCreateEvents {
		if t.ID == "" || t.RetweetedStatus != nil || t.User.ID == pl.ForUserID {
			continue
		}
		in := driver.Interaction{
			ID:        string(t.ID),
			Network:   xNetwork,
			Author:    xAuthor(t.User),
			Text:      t.Text,
			Language:  t.Lang,
			CreatedAt: xTime(t.CreatedAt),
		}
		if t.FullText != "" {
			in.Text = t.FullText
		}
		if t.ExtendedTweet != nil && t.ExtendedTweet.FullText != "" {
			in.Text = t.ExtendedTweet.FullText
		}
		if in.Language == "und" {
			in.Language = ""
		}
		if t.User.ScreenName != "" {
			in.URL = "https://x.com/" + t.User.ScreenName + "/status/" + in.ID
		}
		in.ParentID = string(t.InReplyToStatusID)
		switch {
		case t.InReplyToUserID == pl.ForUserID && t.InReplyToStatusID != "":
			in.Kind = driver.Reply
			in.PostID = in.ParentID
		case xMentions(t, me):
			in.Kind = driver.Mention
		default:
			continue
		}
		p.add(in, "tweet:"+in.ID)
	}
	for _, ev := range pl.DirectMessageEvents {
		mc := ev.MessageCreate
		if ev.Type != "message_create" || mc == nil || ev.ID == "" || mc.SenderID == "" || mc.SenderID == me {
			continue
		}
		in := driver.Interaction{
			Kind:           driver.DirectMessage,
			ID:             ev.ID,
			Network:        xNetwork,
			ConversationID: xConversationID(mc.SenderID, mc.Target.RecipientID),
			Author:         unknownAuthor(),
			Text:           mc.MessageData.Text,
			CreatedAt:      unixMilli(ev.CreatedTimestamp),
		}
		in.Author.ID = mc.SenderID
		if u, ok := pl.Users[mc.SenderID]; ok {
			in.Author.Handle, in.Author.Name, in.Author.Verified = u.ScreenName, u.Name, u.Verified
			in.Author.CreatedAt = unixMilli(u.CreatedTimestamp)
			if u.FollowersCount != nil {
				in.Author.Followers = *u.FollowersCount
			}
			if u.ScreenName != "" {
				in.Author.URL = "https://x.com/" + u.ScreenName
			}
		}
		p.add(in, "dm:"+in.ID)
	}
	return p, nil
}

func xMentions(t xTweet, me string) bool {
	for _, m := range t.Entities.UserMentions {
		if string(m.ID) == me {
			return true
		}
	}
	return false
}

func xAuthor(u xUser) driver.Author {
	a := unknownAuthor()
	a.ID, a.Handle, a.Name, a.Verified = string(u.ID), u.ScreenName, u.Name, u.Verified
	a.CreatedAt = xTime(u.CreatedAt)
	if u.FollowersCount != nil {
		a.Followers = *u.FollowersCount
	}
	if u.ScreenName != "" {
		a.URL = "https://x.com/" + u.ScreenName
	}
	return a
}

// xTime reads v1.1's "Wed Oct 10 20:19:24 +0000 2018".
func xTime(s string) time.Time {
	t, err := time.Parse(time.RubyDate, s)
	if err != nil {
		return time.Time{}
	}
	return t.UTC()
}

// xConversationID builds X API v2's one-to-one dm_conversation_id: both
// user IDs in ascending numeric order, joined by '-'.
func xConversationID(a, b string) string {
	if b == "" {
		return a
	}
	if len(a) > len(b) || (len(a) == len(b) && a > b) {
		a, b = b, a
	}
	return a + "-" + b
}
