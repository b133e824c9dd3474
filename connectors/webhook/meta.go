package webhook

import (
	"encoding/json"
	"strings"

	"github.com/cmkit/cmkit/connectors/driver"
)

type metaPayload struct {
	Object string      `json:"object"`
	Entry  []metaEntry `json:"entry"`
}

type metaEntry struct {
	ID        flexString      `json:"id"`
	Time      flexString      `json:"time"`
	Changes   []metaChange    `json:"changes"`
	Messaging []metaMessaging `json:"messaging"`
	// Some documented Instagram examples put one change directly in the
	// entry instead of in changes.
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type metaChange struct {
	Field string          `json:"field"`
	Value json.RawMessage `json:"value"`
}

type metaFrom struct {
	ID       flexString `json:"id"`
	Name     string     `json:"name"`
	Username string     `json:"username"`
}

// metaFeed is a Page "feed" or "mention" change value.
type metaFeed struct {
	From        metaFrom   `json:"from"`
	Item        string     `json:"item"`
	Verb        string     `json:"verb"`
	PostID      flexString `json:"post_id"`
	CommentID   flexString `json:"comment_id"`
	ParentID    flexString `json:"parent_id"`
	Message     string     `json:"message"`
	CreatedTime flexString `json:"created_time"`
	SenderID    flexString `json:"sender_id"`
	SenderName  string     `json:"sender_name"`
	Post        struct {
		PermalinkURL string `json:"permalink_url"`
	} `json:"post"`
}

// metaIGComment is an Instagram "comments" or "live_comments" value.
type metaIGComment struct {
	ID       flexString `json:"id"`
	From     metaFrom   `json:"from"`
	Text     string     `json:"text"`
	ParentID flexString `json:"parent_id"`
	Media    struct {
		ID flexString `json:"id"`
	} `json:"media"`
}

// metaIGMention is an Instagram "mentions" value.
type metaIGMention struct {
	MediaID   flexString `json:"media_id"`
	CommentID flexString `json:"comment_id"`
}

type metaMessaging struct {
	Sender struct {
		ID flexString `json:"id"`
	} `json:"sender"`
	Recipient struct {
		ID flexString `json:"id"`
	} `json:"recipient"`
	Timestamp flexString `json:"timestamp"`
	Message   *struct {
		MID    string `json:"mid"`
		Text   string `json:"text"`
		IsEcho bool   `json:"is_echo"`
	} `json:"message"`
}

// ParseMeta turns a Meta webhook delivery into interactions. It reads
// object "page" (network "facebook") and "instagram" (network "instagram")
// and ignores other objects.
//
// Facebook: "feed" changes with item "comment" and verb "add" become
// Comments (a parent_id other than the post is a Reply); posts added to
// the Page's feed by visitors and "mention" changes become Mentions;
// Messenger "messaging" messages become DirectMessages. Instagram:
// "comments" and "live_comments" become Comments or Replies (parent_id),
// "mentions" become Mentions (Meta sends only media_id and comment_id: the
// text must be read with the API), "messaging" messages become
// DirectMessages. Changes made by the Page or account itself (from.id or
// sender equal to the entry id), echoes, edits and removals are skipped.
//
// A malformed body returns a *driver.Error matching
// driver.ErrInvalidContent.
func ParseMeta(body []byte) ([]driver.Interaction, error) {
	_, p, err := parseMeta(body)
	return p.items, err
}

func parseMeta(body []byte) (string, parsed, error) {
	var p parsed
	var pl metaPayload
	if err := decode(body, &pl); err != nil {
		return "", p, parseErr(metaNetwork, "ParseMeta", err)
	}
	var network string
	switch pl.Object {
	case "page":
		network = metaNetwork
	case "instagram":
		network = instagramNetwork
	default:
		return "", p, nil
	}
	for _, e := range pl.Entry {
		changes := e.Changes
		if e.Field != "" && len(e.Value) > 0 {
			changes = append(changes, metaChange{Field: e.Field, Value: e.Value})
		}
		for _, c := range changes {
			var err error
			if network == metaNetwork {
				err = parseFacebookChange(&p, e, c)
			} else {
				err = parseInstagramChange(&p, e, c)
			}
			if err != nil {
				return network, parsed{}, parseErr(network, "ParseMeta", err)
			}
		}
		for _, m := range e.Messaging {
			if m.Message == nil || m.Message.IsEcho || m.Message.MID == "" || m.Sender.ID == e.ID {
				continue
			}
			in := driver.Interaction{
				Kind:           driver.DirectMessage,
				ID:             m.Message.MID,
				Network:        network,
				ConversationID: string(m.Sender.ID),
				Author:         unknownAuthor(),
				Text:           m.Message.Text,
				CreatedAt:      unixAuto(m.Timestamp),
			}
			in.Author.ID = string(m.Sender.ID)
			p.add(in, in.ID)
		}
	}
	return network, p, nil
}

func parseFacebookChange(p *parsed, e metaEntry, c metaChange) error {
	if c.Field != "feed" && c.Field != "mention" {
		return nil
	}
	var v metaFeed
	if err := json.Unmarshal(c.Value, &v); err != nil {
		return err
	}
	if v.Verb != "add" {
		return nil
	}
	author := unknownAuthor()
	author.ID, author.Name = string(v.From.ID), v.From.Name
	if author.ID == "" {
		author.ID, author.Name = string(v.SenderID), v.SenderName
	}
	if author.ID != "" && author.ID == string(e.ID) {
		return nil // the Page itself
	}
	created := unixAuto(v.CreatedTime)
	if created.IsZero() {
		created = unixAuto(e.Time)
	}
	in := driver.Interaction{
		Network:   metaNetwork,
		PostID:    string(v.PostID),
		Author:    author,
		Text:      v.Message,
		CreatedAt: created,
	}
	switch {
	case c.Field == "mention":
		in.Kind = driver.Mention
		in.ID = string(v.PostID)
		if v.Item == "comment" && v.CommentID != "" {
			in.ID = string(v.CommentID)
		}
	case v.Item == "comment":
		in.Kind = driver.Comment
		in.ID = string(v.CommentID)
		if v.ParentID != "" && v.ParentID != v.PostID {
			in.Kind = driver.Reply
			in.ParentID = string(v.ParentID)
		} else {
			in.ParentID = string(v.PostID)
		}
		in.URL = facebookCommentURL(v.Post.PermalinkURL, in.ID)
	case v.Item == "post" || v.Item == "status" || v.Item == "photo" || v.Item == "video":
		// A visitor's post on the Page's feed.
		if author.ID == "" {
			return nil
		}
		in.Kind = driver.Mention
		in.ID = string(v.PostID)
		in.URL = v.Post.PermalinkURL
	default:
		return nil
	}
	if in.ID == "" {
		return nil
	}
	p.add(in, in.ID)
	return nil
}

// facebookCommentURL derives a comment's permalink from its post's:
// Facebook shows a comment at <post permalink>?comment_id=<comment part>.
func facebookCommentURL(postURL, commentID string) string {
	if postURL == "" || commentID == "" || strings.Contains(postURL, "?") {
		return ""
	}
	c := commentID
	if i := strings.LastIndexByte(c, '_'); i >= 0 {
		c = c[i+1:]
	}
	if c == "" {
		return ""
	}
	return postURL + "?comment_id=" + c
}

func parseInstagramChange(p *parsed, e metaEntry, c metaChange) error {
	switch c.Field {
	case "comments", "live_comments":
		var v metaIGComment
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return err
		}
		if v.ID == "" || (v.From.ID != "" && v.From.ID == e.ID) {
			return nil
		}
		in := driver.Interaction{
			Kind:      driver.Comment,
			ID:        string(v.ID),
			Network:   instagramNetwork,
			PostID:    string(v.Media.ID),
			ParentID:  string(v.Media.ID),
			Author:    unknownAuthor(),
			Text:      v.Text,
			CreatedAt: unixAuto(e.Time),
		}
		in.Author.ID, in.Author.Handle = string(v.From.ID), v.From.Username
		if in.Author.Handle != "" {
			in.Author.URL = "https://www.instagram.com/" + in.Author.Handle + "/"
		}
		if v.ParentID != "" {
			in.Kind = driver.Reply
			in.ParentID = string(v.ParentID)
		}
		p.add(in, in.ID)
	case "mentions":
		var v metaIGMention
		if err := json.Unmarshal(c.Value, &v); err != nil {
			return err
		}
		in := driver.Interaction{
			Kind:      driver.Mention,
			ID:        string(v.CommentID),
			Network:   instagramNetwork,
			PostID:    string(v.MediaID),
			Author:    unknownAuthor(),
			CreatedAt: unixAuto(e.Time),
		}
		if in.ID == "" {
			in.ID = in.PostID // a mention in a caption
		} else {
			in.ParentID = in.PostID
		}
		if in.ID == "" {
			return nil
		}
		p.add(in, in.ID)
	}
	return nil
}
