package sqlitestore_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/memconnector"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/sqlitestore"
)

// A scheduler on a SQLite file: a post scheduled before a restart is
// published after it, once.
func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "calendar")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "calendar.db")

	paris, _ := time.LoadLocation("Europe/Paris")
	clock := scheduling.NewFakeClock(time.Date(2026, time.March, 27, 8, 0, 0, 0, paris))
	network := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: clock.Now})
	brand, err := network.Account(ctx, "maisonbrioche", nil)
	if err != nil {
		log.Fatal(err)
	}
	accounts := scheduling.AccountMap(map[string]*connectors.Account{"brand": brand})

	// Schedule for 09:30, Paris time, then stop.
	store, err := sqlitestore.Open(ctx, path, nil)
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
	store, err = sqlitestore.Open(ctx, path, nil)
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
	published, _ := store.ListTargets(ctx, scheduling.TargetFilter{States: []scheduling.State{scheduling.Published}})
	fmt.Println("published:", n, "at", published[0].Result.PublishedAt.In(paris).Format("15:04 MST"))
	fmt.Println("posts on the network:", network.PublishCount("maisonbrioche"))
	// Output:
	// published: 1 at 09:30 CET
	// posts on the network: 1
}
