package memconnector

import (
	"context"
	"unicode/utf8"

	"github.com/cmkit/cmkit/connectors/driver"
)

// The methods below act as other users of the network, for tests, demos
// and simulations. Users named by handle are created as needed. They are
// not driver calls: Calls does not count them and faults do not apply.

func (n *Network) checkText(ctx context.Context, text string) error {
	if ctx == nil {
		return n.invalid("context", "nil context")
	}
	if err := ctx.Err(); err != nil {
		return &driver.Error{Code: driver.Canceled, Network: n.name, Err: err}
	}
	if text == "" {
		return n.invalid("text", "text is empty")
	}
	if !utf8.ValidString(text) {
		return n.invalid("text", "not valid UTF-8")
	}
	return nil
}

// Comment makes the user as comment on the post postID, or reply to it if
// postID is a comment, and returns the new comment's ID.
func (n *Network) Comment(ctx context.Context, as, postID, text string) (string, error) {
	if err := n.checkText(ctx, text); err != nil {
		return "", err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	u, err := n.userLocked(as)
	if err != nil {
		return "", err
	}
	target, err := n.liveLocked(postID)
	if err != nil {
		return "", err
	}
	if target.kind == kindMessage {
		return "", n.errf(driver.NotFound, "%s is a direct message, not a post or comment", postID)
	}
	return n.newCommentLocked(u, target, draft{text: text}, n.now()).id, nil
}

// ReplyTo makes the user as reply to the comment commentID (or comment on
// it if it is a post) and returns the reply's ID.
func (n *Network) ReplyTo(ctx context.Context, as, commentID, text string) (string, error) {
	return n.Comment(ctx, as, commentID, text)
}

// Mention makes the user as publish a post mentioning the user target and
// returns the post's ID. text is kept as given: the mention is recorded
// even if text does not contain "@target". Any other @handle in text of an
// existing user mentions that user too.
func (n *Network) Mention(ctx context.Context, as, target, text string) (string, error) {
	if err := n.checkText(ctx, text); err != nil {
		return "", err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	u, err := n.userLocked(as)
	if err != nil {
		return "", err
	}
	t, err := n.userLocked(target)
	if err != nil {
		return "", err
	}
	if t == u {
		return "", n.invalid("target", "a user cannot mention itself")
	}
	return n.newPostLocked(u, draft{text: text}, nil, n.now(), t).id, nil
}

// SendDM makes the user from send a direct message and returns its ID. to
// is a conversation ID of from, or the handle or ID of the recipient
// (creating the conversation).
func (n *Network) SendDM(ctx context.Context, from, to, text string) (string, error) {
	if err := n.checkText(ctx, text); err != nil {
		return "", err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	u, err := n.userLocked(from)
	if err != nil {
		return "", err
	}
	c, err := n.conversationLocked(u, to, true)
	if err != nil {
		return "", err
	}
	return n.sendLocked(u, c, draft{text: text}, n.now()).id, nil
}

// Participants returns the handles of the two users of a conversation.
func (n *Network) Participants(conversationID string) ([]string, error) {
	n.mu.Lock()
	defer n.mu.Unlock()
	c, ok := n.convs[conversationID]
	if !ok {
		return nil, n.errf(driver.NotFound, "no conversation %q", conversationID)
	}
	return []string{c.a.handle, c.b.handle}, nil
}

// LikeAs makes the user as like the post or comment id. Liking twice is
// not an error.
func (n *Network) LikeAs(ctx context.Context, as, id string) error {
	return n.likeAs(ctx, as, id, true)
}

// UnlikeAs takes back the like of the user as on id.
func (n *Network) UnlikeAs(ctx context.Context, as, id string) error {
	return n.likeAs(ctx, as, id, false)
}

func (n *Network) likeAs(ctx context.Context, as, id string, liked bool) error {
	if ctx == nil {
		return n.invalid("context", "nil context")
	}
	if err := ctx.Err(); err != nil {
		return &driver.Error{Code: driver.Canceled, Network: n.name, Err: err}
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	u, err := n.userLocked(as)
	if err != nil {
		return err
	}
	return n.likeLocked(u, id, liked)
}
