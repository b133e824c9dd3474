package scheduling_test

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/memconnector"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/memstore"
)

// Weekly slots in Paris, and the next slots after a Friday evening: the
// clocks go forward on Sunday 29 March 2026, and Monday's 09:30 is 07:30
// UTC instead of 08:30.
func ExampleParseSlots() {
	s, err := scheduling.ParseSlots("Mon-Fri 09:30 and 18:00 Europe/Paris")
	if err != nil {
		fmt.Println(err)
		return
	}
	t := time.Date(2026, 3, 27, 16, 0, 0, 0, time.UTC) // Friday 17:00 in Paris
	for range 3 {
		next, local, _ := s.Next(t)
		fmt.Println(local, "=", next.UTC().Format("Mon 15:04 MST"))
		t = next
	}
	// Output:
	// 2026-03-27T18:00:00 = Fri 17:00 UTC
	// 2026-03-30T09:30:00 = Mon 07:30 UTC
	// 2026-03-30T18:00:00 = Mon 16:00 UTC
}

// A post planned for 09:30 in Paris, published through an in-memory
// network when a fake clock reaches it.
func Example() {
	ctx := context.Background()
	paris, _ := time.LoadLocation("Europe/Paris")
	clock := scheduling.NewFakeClock(time.Date(2026, 4, 1, 8, 0, 0, 0, paris))
	network := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: clock.Now})
	brand, _ := network.Account(ctx, "brand", nil)

	s, err := scheduling.New(scheduling.Config{
		Store:    memstore.New(),
		Accounts: scheduling.AccountMap(map[string]*connectors.Account{"brand": brand}),
		Clock:    clock,
		Owner:    "demo",
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	camille := scheduling.Actor{ID: "camille"}
	_ = s.Rezone(ctx, camille, "brand", "Europe/Paris")
	post, _, err := s.Create(ctx, camille, scheduling.NewPost{
		Content: connectors.Post{Text: "Nos nouveautés de printemps sont en ligne !"},
		Targets: []scheduling.TargetSpec{{AccountID: "brand", Local: scheduling.Civil{Year: 2026, Month: 4, Day: 1, Hour: 9, Minute: 30}}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	n, _ := s.RunDue(ctx)
	fmt.Println("due at 08:00:", n)
	clock.Advance(90 * time.Minute)
	n, _ = s.RunDue(ctx)
	fmt.Println("due at 09:30:", n)

	_, targets, _ := s.Post(ctx, post.ID)
	fmt.Println(targets[0].State, targets[0].Result.PublishedAt.In(paris).Format("15:04 MST"))
	fmt.Println(network.Posts("brand")[0].Text)
	audit, _ := s.Audit(ctx, post.ID)
	for _, e := range audit {
		fmt.Println(e.At.In(paris).Format("15:04"), e.Actor, e.Action, e.To)
	}
	// Output:
	// due at 08:00: 0
	// due at 09:30: 1
	// published 09:30 CEST
	// Nos nouveautés de printemps sont en ligne !
	// 08:00 camille created scheduled
	// 09:30 scheduler:demo claimed publishing
	// 09:30 scheduler:demo published published
}

// Two schedulers, in two processes in real life, share one store and
// queue a post each on the same account at the same moment: the store
// gives each queue slot to one of them, and the other takes the next free
// slot.
func ExampleScheduler_Create_sharedQueue() {
	ctx := context.Background()
	clock := scheduling.NewFakeClock(time.Date(2026, 4, 6, 8, 0, 0, 0, time.UTC))
	network := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: clock.Now})
	brand, _ := network.Account(ctx, "brand", nil)
	accounts := scheduling.AccountMap(map[string]*connectors.Account{"brand": brand})
	store := memstore.New() // a sqlitestore file or a pgstore schema across processes
	var scheds []*scheduling.Scheduler
	for _, owner := range []string{"paris", "lyon"} {
		s, err := scheduling.New(scheduling.Config{Store: store, Accounts: accounts, Clock: clock, Owner: owner})
		if err != nil {
			fmt.Println(err)
			return
		}
		scheds = append(scheds, s)
	}
	camille := scheduling.Actor{ID: "camille"}
	slots, _ := scheduling.ParseSlots("daily 09:00 and 18:00 UTC")
	_ = scheds[0].SetSchedule(ctx, camille, "brand", slots)
	for i, s := range scheds {
		_, targets, err := s.Create(ctx, camille, scheduling.NewPost{
			Content: connectors.Post{Text: fmt.Sprintf("Post %d", i+1)},
			Targets: []scheduling.TargetSpec{{AccountID: "brand", Queue: true}},
		})
		if err != nil {
			fmt.Println(err)
			return
		}
		fmt.Println(targets[0].Due.Format("Mon 15:04"), targets[0].Queued)
	}
	// Output:
	// Mon 09:00 true
	// Mon 18:00 true
}

// Change.Check is the validation every Store runs before writing: a
// Store of your own refuses the same changes with the same errors.
func ExampleChange_Check() {
	post := &scheduling.Post{ID: "p1"}
	t := &scheduling.Target{ID: "t1", PostID: "p1", AccountID: "brand"}
	fmt.Println((&scheduling.Change{Post: post, Targets: []*scheduling.Target{t}}).Check())
	err := (&scheduling.Change{Post: post, Targets: []*scheduling.Target{t, t}}).Check()
	fmt.Println(errors.Is(err, scheduling.ErrConflict), err)
	err = (&scheduling.Change{Post: &scheduling.Post{}}).Check()
	fmt.Println(errors.Is(err, scheduling.ErrInvalid))
	// Output:
	// <nil>
	// true scheduling: change: target t1 given twice: scheduling: version conflict
	// true
}
