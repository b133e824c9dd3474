package discord_test

import (
	"context"
	"fmt"
	"net/http/httptest"

	"github.com/cmkit/cmkit/connectors"
	_ "github.com/cmkit/cmkit/connectors/discord"
)

// A bot posts to a channel, in a thread, and reads the replies. The fake
// server stands in for https://discord.com/api/v10.
func Example() {
	f := newFakeDiscord()
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()

	acct, err := connectors.Open(ctx, "discord", connectors.Config{
		Server:   srv.URL + "/api/v10", // omit for https://discord.com/api/v10
		Account:  f.channel,            // the channel ID
		Password: f.token,              // the bot token, sent as "Authorization: Bot <token>"
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acct.Capabilities())
	res, err := acct.Publish(ctx, &connectors.Post{
		Text:   "Nouvelle version disponible !",
		Thread: []connectors.Post{{Text: "Les détails dans ce fil."}},
	}, &connectors.PublishOptions{IdempotencyKey: "release-2026-03"})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, len(res.ThreadIDs))

	f.userSays(f.channel, res.ID, "Génial, merci !", false)
	page, err := acct.Comments(ctx, res.ID, connectors.PageRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range page.Items {
		fmt.Println(c.Kind, c.Author.Handle, c.Text)
	}
	// Output:
	// publish,delete,edit,comments,mentions,reply,delete-comment,like,post-metrics,account-metrics,send-messages,threads,media,idempotency-key
	// published 1
	// comment nelly Génial, merci !
}

// An incoming webhook publishes, edits and deletes without a bot token.
func Example_webhook() {
	f := newFakeDiscord()
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()

	acct, err := connectors.Open(ctx, "discord", connectors.Config{
		Server: srv.URL + "/api/v10",
		// The webhook URL is a secret: pass it in Config.Options, never in
		// a connection URL.
		Options: map[string]string{"webhook": srv.URL + "/api/webhooks/" + f.webhook + "/" + f.webhookToken},
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acct.Capabilities())
	res, err := acct.Publish(ctx, &connectors.Post{Text: "Maintenance ce soir à 22 h."}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(res.Status, acct.Delete(ctx, res.ID))
	// Output:
	// publish,delete,edit,media
	// published <nil>
}
