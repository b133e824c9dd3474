package memconnector_test

import (
	"context"
	"fmt"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/memconnector"
)

// A brand publishes, two people comment, and the brand lists the comments
// and answers one.
func ExampleNetwork() {
	ctx := context.Background()
	clock := func() time.Time { return time.Date(2025, 3, 1, 9, 0, 0, 0, time.UTC) }
	net := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: clock})
	acct, err := net.Account(ctx, "brand", nil)
	if err != nil {
		panic(err)
	}
	res, err := acct.Publish(ctx, &connectors.Post{Text: "Nouvelle collection 🌸"}, nil)
	if err != nil {
		panic(err)
	}
	q, _ := net.Comment(ctx, "camille", res.ID, "Vous livrez à Lyon ?")
	_, _ = net.Comment(ctx, "liam", res.ID, "Love it!")
	_, _ = acct.Reply(ctx, q, &connectors.Post{Text: "Oui, en 48 h !"}, nil)

	page, err := acct.Comments(ctx, res.ID, connectors.PageRequest{})
	if err != nil {
		panic(err)
	}
	for _, c := range page.Items {
		fmt.Printf("%s %-7s @%s: %s\n", c.ID, c.Kind, c.Author.Handle, c.Text)
	}
	// Output:
	// c4 comment @camille: Vous livrez à Lyon ?
	// c6 comment @liam: Love it!
	// c7 reply   @brand: Oui, en 48 h !
}

// A week of simulated audience with a fixed seed and start is always the
// same.
func ExampleNetwork_Simulate() {
	ctx := context.Background()
	net := memconnector.NewNetwork(&memconnector.NetworkOptions{Seed: 42})
	rep, err := net.Simulate(ctx, memconnector.SimOptions{
		Account:   "brand",
		Start:     time.Date(2025, 3, 1, 0, 0, 0, 0, time.UTC),
		Days:      7,
		Followers: 1000,
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(rep)
	unwanted := 0
	for _, l := range rep.Labels {
		if l.Category.Unwanted() {
			unwanted++
		}
	}
	fmt.Printf("%d of %d interactions to moderate\n", unwanted, len(rep.Labels))
	// Output:
	// @brand, 2025-03-01 to 2025-03-08
	// followers 0 -> 1048 (+66 -18), 1073 users created
	// 7 posts engaged (7 created): 4319 impressions, 3217 reach, 119 likes, 15 shares, 12 saves, 49 clicks
	// 65 comments, 6 replies, 18 mentions, 4 messages: praise 34 question 19 complaint 6 spam 10 abuse 6 neutral 18
	// 16 of 93 interactions to moderate
}

// Open a mem account by URL, as the quickstart does, and reach its
// Network to act as someone else.
func Example_openURL() {
	ctx := context.Background()
	acct, err := connectors.OpenURL(ctx, "mem://brand?seed=42", connectors.Config{}, nil)
	if err != nil {
		panic(err)
	}
	var net *memconnector.Network
	if !acct.As(&net) {
		panic("not a mem account")
	}
	res, _ := acct.Publish(ctx, &connectors.Post{Text: "Hello"}, nil)
	_, _ = net.Comment(ctx, "camille", res.ID, "Bonjour !")
	m, _ := acct.PostMetrics(ctx, res.ID)
	fmt.Println(acct.Network(), acct.Description().Handle, m.Comments.Value)
	// Output:
	// mem brand 1
}
