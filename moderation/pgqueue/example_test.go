package pgqueue_test

import (
	"context"
	"fmt"
	"log"
	"os"

	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/pgqueue"
)

// A review queue on PostgreSQL shared by a moderation worker and a
// reviewer on another machine: the worker holds a comment, the reviewer
// removes it, and the audit is exported as training data.
//
// This example needs a server (DATABASE_URL), so it is compiled but not
// run by go test; TestConformance runs the same queue against one.
func ExampleOpen() {
	ctx := context.Background()
	url := os.Getenv("DATABASE_URL") // e.g. postgres://cmkit@db.internal:5432/cmkit?sslmode=verify-full

	// The moderation worker holds a comment for review.
	worker, err := pgqueue.Open(ctx, url, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer worker.Close()
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{Review: worker})
	if err != nil {
		log.Fatal(err)
	}
	d, err := p.Moderate(ctx, &moderation.Item{ID: "c1", Text: "Your service is a joke, you idiots"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("decision:", d.Action)

	// A reviewer, in another process on another machine, removes it. Of
	// two reviewers resolving it at once, one gets ErrAlreadyResolved.
	review, err := pgqueue.Open(ctx, url, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer review.Close()
	pending, err := review.Pending(ctx, 10)
	if err != nil {
		log.Fatal(err)
	}
	for _, e := range pending {
		if _, err := review.Resolve(ctx, e.ID, "camille", moderation.Remove, "insults staff"); err != nil {
			log.Fatal(err)
		}
	}
	audit, err := review.Audit(ctx)
	if err != nil {
		log.Fatal(err)
	}
	if err := moderation.ExportTSV(os.Stdout, audit); err != nil {
		log.Fatal(err)
	}
}
