package pgstore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/memconnector"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/pgstore"
)

// A scheduler on PostgreSQL: a post scheduled before a restart is
// published after it, once. Several schedulers may run on the same schema
// at the same time, in any number of processes.
//
// This example needs a server (DATABASE_URL), so it is compiled but not
// run by go test; TestConformance runs the same store against one.
func ExampleOpen() {
	ctx := context.Background()
	url := os.Getenv("DATABASE_URL") // e.g. postgres://cmkit@db.internal:5432/cmkit?sslmode=verify-full

	paris, _ := time.LoadLocation("Europe/Paris")
	clock := scheduling.NewFakeClock(time.Date(2026, time.March, 27, 8, 0, 0, 0, paris))
	network := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: clock.Now})
	brand, err := network.Account(ctx, "maisonbrioche", nil)
	if err != nil {
		log.Fatal(err)
	}
	accounts := scheduling.AccountMap(map[string]*connectors.Account{"brand": brand})

	// Schedule for 09:30, Paris time, then stop.
	store, err := pgstore.Open(ctx, url, &pgstore.Options{Schema: "calendar"})
	if err != nil {
		log.Fatal(err)
	}
	sched, err := scheduling.New(scheduling.Config{Store: store, Accounts: accounts, Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	_, _, err = sched.Create(ctx, scheduling.Actor{ID: "camille"}, scheduling.NewPost{
		Content: connectors.Post{Text: "La brioche du vendredi est sortie du four !"},
		Targets: []scheduling.TargetSpec{{AccountID: "brand", Local: scheduling.Civil{Year: 2026, Month: time.March, Day: 27, Hour: 9, Minute: 30}, Zone: "Europe/Paris"}},
	})
	if err != nil {
		log.Fatal(err)
	}
	store.Close()

	// Restart at 09:30 and publish what is due.
	clock.Set(time.Date(2026, time.March, 27, 9, 30, 0, 0, paris))
	store, err = pgstore.Open(ctx, url, &pgstore.Options{Schema: "calendar"})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()
	sched, err = scheduling.New(scheduling.Config{Store: store, Accounts: accounts, Clock: clock})
	if err != nil {
		log.Fatal(err)
	}
	n, err := sched.RunDue(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("published:", n)
	fmt.Println("posts on the network:", network.PublishCount("maisonbrioche"))
}
