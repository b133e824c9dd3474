package telegram_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"strconv"
	"strings"

	"github.com/cmkit/cmkit/connectors"
	_ "github.com/cmkit/cmkit/connectors/telegram"
)

// A bot posts to a channel and answers the comments left in the
// channel's discussion group. The fake server stands in for
// https://api.telegram.org.
func Example() {
	f := newFakeTelegram()
	srv := httptest.NewServer(f)
	defer srv.Close()
	ctx := context.Background()

	acct, err := connectors.Open(ctx, "telegram", connectors.Config{
		Server:   srv.URL,         // omit for https://api.telegram.org
		Account:  "@brandchannel", // or the chat ID, -1001234567890
		Password: f.token,         // the bot token from @BotFather
	}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(acct.Capabilities())
	res, err := acct.Publish(ctx, &connectors.Post{Text: "Les inscriptions sont ouvertes !"}, nil)
	if err != nil {
		fmt.Println(err)
		return
	}
	_, msg, _ := strings.Cut(res.ID, ":")
	n, _ := strconv.ParseInt(msg, 10, 64)
	f.userSays(groupID, f.copyOf(n), "Jusqu'à quand ?", false)

	page, err := acct.Comments(ctx, res.ID, connectors.PageRequest{})
	if err != nil {
		fmt.Println(err)
		return
	}
	for _, c := range page.Items {
		fmt.Println(c.Kind, c.Author.Handle, c.Text)
		if _, err := acct.Reply(ctx, c.ID, &connectors.Post{Text: "Jusqu'au 30 juin."}, nil); err != nil {
			fmt.Println(err)
		}
	}
	m, err := acct.AccountMetrics(ctx)
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println("subscribers:", m.Followers.Value)
	// Output:
	// publish,delete,edit,comments,mentions,reply,delete-comment,like,account-metrics,read-messages,send-messages,threads,media
	// comment nelly Jusqu'à quand ?
	// subscribers: 1523
}
