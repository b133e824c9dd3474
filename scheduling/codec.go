package scheduling

import (
	"encoding/json"
	"errors"
	"time"

	"github.com/cmkit/cmkit/connectors"
)

// The JSON form of a Post, for stores that keep it as a document. It
// mirrors connectors.Post without Media.Open, which cannot be stored (the
// scheduler refuses media without Data or URL when a post is scheduled).
type jsonPost struct {
	ID         string        `json:"id"`
	Version    int64         `json:"version"`
	Content    jsonContent   `json:"content"`
	Variants   []jsonContent `json:"variants,omitempty"`
	Approval   Approval      `json:"approval"`
	Approvals  []Approved    `json:"approvals,omitempty"`
	Recurrence Recurrence    `json:"recurrence"`
	CreatedBy  string        `json:"created_by,omitempty"`
	CreatedAt  time.Time     `json:"created_at"`
	UpdatedAt  time.Time     `json:"updated_at"`
}

type jsonContent struct {
	Text         string        `json:"text,omitempty"`
	Title        string        `json:"title,omitempty"`
	Link         string        `json:"link,omitempty"`
	Media        []jsonMedia   `json:"media,omitempty"`
	ReplyTo      string        `json:"reply_to,omitempty"`
	Thread       []jsonContent `json:"thread,omitempty"`
	FirstComment string        `json:"first_comment,omitempty"`
	Language     string        `json:"language,omitempty"`
	Tags         []string      `json:"tags,omitempty"`
	Sensitive    bool          `json:"sensitive,omitempty"`
	SpoilerText  string        `json:"spoiler_text,omitempty"`
}

type jsonMedia struct {
	Kind     connectors.MediaKind `json:"kind"`
	MIMEType string               `json:"mime_type"`
	AltText  string               `json:"alt_text,omitempty"`
	Filename string               `json:"filename,omitempty"`
	Size     int64                `json:"size,omitempty"`
	Width    int                  `json:"width,omitempty"`
	Height   int                  `json:"height,omitempty"`
	Duration time.Duration        `json:"duration,omitempty"`
	Data     []byte               `json:"data,omitempty"`
	URL      string               `json:"url,omitempty"`
}

var errOpenMedia = errors.New("scheduling: media with Open cannot be stored: give Data or URL")

func toJSONContent(p *connectors.Post) (jsonContent, error) {
	c := jsonContent{Text: p.Text, Title: p.Title, Link: p.Link, ReplyTo: p.ReplyTo,
		FirstComment: p.FirstComment, Language: p.Language, Tags: p.Tags,
		Sensitive: p.Sensitive, SpoilerText: p.SpoilerText}
	for _, m := range p.Media {
		if m.Open != nil && m.Data == nil && m.URL == "" {
			return c, errOpenMedia
		}
		c.Media = append(c.Media, jsonMedia{m.Kind, m.MIMEType, m.AltText, m.Filename, m.Size,
			m.Width, m.Height, m.Duration, m.Data, m.URL})
	}
	for i := range p.Thread {
		t, err := toJSONContent(&p.Thread[i])
		if err != nil {
			return c, err
		}
		c.Thread = append(c.Thread, t)
	}
	return c, nil
}

func (c *jsonContent) post() connectors.Post {
	p := connectors.Post{Text: c.Text, Title: c.Title, Link: c.Link, ReplyTo: c.ReplyTo,
		FirstComment: c.FirstComment, Language: c.Language, Tags: c.Tags,
		Sensitive: c.Sensitive, SpoilerText: c.SpoilerText}
	for _, m := range c.Media {
		p.Media = append(p.Media, connectors.Media{Kind: m.Kind, MIMEType: m.MIMEType, AltText: m.AltText,
			Filename: m.Filename, Size: m.Size, Width: m.Width, Height: m.Height, Duration: m.Duration,
			Data: m.Data, URL: m.URL})
	}
	for i := range c.Thread {
		p.Thread = append(p.Thread, c.Thread[i].post())
	}
	return p
}

// MarshalJSON encodes the post for a store that keeps documents. Media
// given only through Open cannot be encoded and return an error.
func (p *Post) MarshalJSON() ([]byte, error) {
	j := jsonPost{ID: p.ID, Version: p.Version, Approval: p.Approval, Approvals: p.Approvals,
		Recurrence: p.Recurrence, CreatedBy: p.CreatedBy, CreatedAt: p.CreatedAt, UpdatedAt: p.UpdatedAt}
	var err error
	if j.Content, err = toJSONContent(&p.Content); err != nil {
		return nil, err
	}
	for i := range p.Variants {
		c, err := toJSONContent(&p.Variants[i])
		if err != nil {
			return nil, err
		}
		j.Variants = append(j.Variants, c)
	}
	return json.Marshal(j)
}

// UnmarshalJSON decodes what MarshalJSON encoded.
func (p *Post) UnmarshalJSON(b []byte) error {
	var j jsonPost
	if err := json.Unmarshal(b, &j); err != nil {
		return err
	}
	*p = Post{ID: j.ID, Version: j.Version, Content: j.Content.post(), Approval: j.Approval,
		Approvals: j.Approvals, Recurrence: j.Recurrence, CreatedBy: j.CreatedBy,
		CreatedAt: j.CreatedAt, UpdatedAt: j.UpdatedAt}
	for i := range j.Variants {
		p.Variants = append(p.Variants, j.Variants[i].post())
	}
	return nil
}
