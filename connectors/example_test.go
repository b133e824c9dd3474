package connectors_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/driver"
)

// demo is a tiny in-memory network for the examples: it publishes, deletes
// and lists comments.
type demo struct {
	mu    sync.Mutex
	posts map[string]string
	next  int
}

func (d *demo) Describe(ctx context.Context) (driver.Description, error) {
	return driver.Description{
		Network:     "demo",
		DisplayName: "Demo",
		Handle:      "brand",
		Limits:      driver.Limits{MaxText: 100, MaxImages: 2},
	}, nil
}

func (d *demo) Publish(ctx context.Context, p *driver.Post, o driver.PublishOptions) (driver.PublishResult, error) {
	d.mu.Lock()
	defer d.mu.Unlock()
	d.next++
	id := "demo-" + strconv.Itoa(d.next)
	d.posts[id] = p.Text
	return driver.PublishResult{Status: driver.Published, ID: id}, nil
}

func (d *demo) DeletePost(ctx context.Context, id string) error {
	d.mu.Lock()
	defer d.mu.Unlock()
	if _, ok := d.posts[id]; !ok {
		return &driver.Error{Code: driver.NotFound, Status: 404, Message: "no post " + id}
	}
	delete(d.posts, id)
	return nil
}

func (d *demo) ListComments(ctx context.Context, postID string, req driver.PageRequest) (driver.InteractionPage, error) {
	return driver.InteractionPage{Next: req.Cursor}, nil
}

func init() {
	connectors.Register("demo", func(ctx context.Context, cfg connectors.Config) (driver.Driver, error) {
		return &demo{posts: map[string]string{}}, nil
	})
}

func Example_publish() {
	ctx := context.Background()
	acct, err := connectors.Open(ctx, "demo", connectors.Config{Account: "brand"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	defer acct.Close()

	res, err := acct.Publish(ctx, &connectors.Post{Text: "Bonjour à tous !"},
		&connectors.PublishOptions{IdempotencyKey: "campaign-42"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, res.ID)

	_, err = acct.Publish(ctx, &connectors.Post{Text: strings.Repeat("très long ", 12)}, nil)
	fmt.Println(err)
	// Output:
	// published demo-1
	// connectors: demo: Publish: invalid content: text is 120 characters, Demo allows 100
}

func ExampleValidatePost() {
	limits, _ := connectors.PresetLimits("x")
	image := connectors.Media{Kind: connectors.MediaImage, MIMEType: "image/jpeg", URL: "https://example.com/photo.jpg"}
	post := &connectors.Post{
		Text:  strings.Repeat("Notre nouvelle collection arrive ! ", 9),
		Media: []connectors.Media{image, image, image, image, image},
	}
	err := connectors.ValidatePost(post, limits, "X")
	fmt.Println(errors.Is(err, connectors.ErrInvalidContent))
	for _, e := range err.(interface{ Unwrap() []error }).Unwrap() {
		fmt.Println(e)
	}
	// Output:
	// true
	// text is 315 characters, X allows 280
	// media: the post has 5 images, X allows 4
}

func ExampleCode() {
	ctx := context.Background()
	acct, _ := connectors.Open(ctx, "demo", connectors.Config{}, nil)
	err := acct.Delete(ctx, "demo-404")
	switch connectors.Code(err) {
	case connectors.NotFound:
		fmt.Println("already gone:", err)
	case connectors.Unauthenticated:
		fmt.Println("reconnect the account")
	}
	fmt.Println(errors.Is(err, connectors.ErrNotFound))
	// Output:
	// already gone: connectors: demo: Delete: not found (HTTP 404): no post demo-404
	// true
}

func ExampleAccount_Capabilities() {
	ctx := context.Background()
	acct, _ := connectors.Open(ctx, "demo", connectors.Config{}, nil)
	fmt.Println(acct.Capabilities())
	fmt.Println(acct.Supports(connectors.CapComments))
	err := acct.HideComment(ctx, "c1")
	fmt.Println(err)
	fmt.Println(errors.Is(err, connectors.ErrUnsupported))
	// Output:
	// publish,delete,comments,media
	// true
	// connectors: demo: HideComment: unsupported: Demo does not support hiding comments
	// true
}
