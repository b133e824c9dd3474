package mastodon

import "time"

// The Mastodon entities the driver reads, with only the fields it uses.
// Field names follow https://docs.joinmastodon.org/entities/.

// account is a Mastodon Account.
type account struct {
	ID             string    `json:"id"`
	Username       string    `json:"username"`
	Acct           string    `json:"acct"`
	DisplayName    string    `json:"display_name"`
	URL            string    `json:"url"`
	CreatedAt      time.Time `json:"created_at"`
	FollowersCount int64     `json:"followers_count"`
	FollowingCount int64     `json:"following_count"`
	StatusesCount  int64     `json:"statuses_count"`
	Bot            bool      `json:"bot"`
}

// status is a Mastodon Status.
type status struct {
	ID                 string       `json:"id"`
	URI                string       `json:"uri"`
	URL                string       `json:"url"`
	CreatedAt          time.Time    `json:"created_at"`
	Account            account      `json:"account"`
	Content            string       `json:"content"`
	Visibility         string       `json:"visibility"`
	Sensitive          bool         `json:"sensitive"`
	SpoilerText        string       `json:"spoiler_text"`
	Language           string       `json:"language"`
	InReplyToID        string       `json:"in_reply_to_id"`
	InReplyToAccountID string       `json:"in_reply_to_account_id"`
	RepliesCount       int64        `json:"replies_count"`
	ReblogsCount       int64        `json:"reblogs_count"`
	FavouritesCount    int64        `json:"favourites_count"`
	Favourited         bool         `json:"favourited"`
	Mentions           []mention    `json:"mentions"`
	MediaAttachments   []attachment `json:"media_attachments"`
}

// mention is a Status's Mention.
type mention struct {
	ID       string `json:"id"`
	Username string `json:"username"`
	Acct     string `json:"acct"`
	URL      string `json:"url"`
}

// attachment is a MediaAttachment. URL is null while the server processes
// the file.
type attachment struct {
	ID          string  `json:"id"`
	Type        string  `json:"type"`
	URL         *string `json:"url"`
	PreviewURL  *string `json:"preview_url"`
	Description *string `json:"description"`
}

// context is a Status's Context: what it answers and what answers it.
type statusContext struct {
	Ancestors   []status `json:"ancestors"`
	Descendants []status `json:"descendants"`
}

// notification is a Mastodon Notification.
type notification struct {
	ID        string    `json:"id"`
	Type      string    `json:"type"`
	CreatedAt time.Time `json:"created_at"`
	Account   account   `json:"account"`
	Status    *status   `json:"status"`
}

// conversation is a Conversation: a thread of direct statuses.
type conversation struct {
	ID         string    `json:"id"`
	Unread     bool      `json:"unread"`
	Accounts   []account `json:"accounts"`
	LastStatus *status   `json:"last_status"`
}

// instance is the part of the v2 Instance the driver reads.
type instance struct {
	Domain        string `json:"domain"`
	AccountDomain string `json:"account_domain"` // GoToSocial: the domain of handles, when it differs

	Title         string `json:"title"`
	Version       string `json:"version"`
	SourceURL     string `json:"source_url"`
	Configuration struct {
		Statuses struct {
			MaxCharacters            int `json:"max_characters"`
			MaxMediaAttachments      int `json:"max_media_attachments"`
			CharactersReservedPerURL int `json:"characters_reserved_per_url"`
		} `json:"statuses"`
		MediaAttachments struct {
			SupportedMIMETypes []string `json:"supported_mime_types"`
			ImageSizeLimit     int64    `json:"image_size_limit"`
			VideoSizeLimit     int64    `json:"video_size_limit"`
			DescriptionLimit   int      `json:"description_limit"`
		} `json:"media_attachments"`
	} `json:"configuration"`
}
