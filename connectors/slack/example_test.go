package slack_test

import (
	"context"
	"fmt"
	"strings"

	"github.com/cmkit/cmkit/connectors"
	_ "github.com/cmkit/cmkit/connectors/slack"
)

// A bot posts an announcement with a thread, then answers the first
// question asked in it. The fake server stands in for
// https://slack.com/api.
func Example() {
	f := newFakeSlack()
	srv := serve(f)
	defer srv.Close()
	ctx := context.Background()

	acct, err := connectors.Open(ctx, "slack", connectors.Config{
		Server:   srv.URL + "/api", // omit for https://slack.com/api
		Account:  f.channel,        // the channel ID
		Password: f.token,          // the bot token (xoxb-...), or Tokens
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acct.Capabilities())
	res, err := acct.Publish(ctx, &connectors.Post{
		Text:   "Le *webinaire* commence à 14 h.",
		Thread: []connectors.Post{{Text: "Lien : https://example.com/webinaire"}},
	}, &connectors.PublishOptions{IdempotencyKey: "webinaire-1"})
	if err != nil {
		fmt.Println(err)
		return
	}
	_, ts, _ := strings.Cut(res.ID, ":")
	f.userSays(f.channel, ts, "Sera-t-il enregistré ?")

	page, err := acct.Comments(ctx, res.ID, connectors.PageRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range page.Items {
		fmt.Println(c.Kind, c.Text)
		if _, err := acct.Reply(ctx, c.ID, &connectors.Post{Text: "Oui, le lien suivra."}, nil); err != nil {
			fmt.Println(err)
		}
	}
	// Output:
	// publish,delete,edit,comments,mentions,reply,like,post-metrics,account-metrics,read-messages,send-messages,find-post,threads,media
	// comment Sera-t-il enregistré ?
}
