package sqlitequeue_test

import (
	"context"
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/sqlitequeue"
)

// A review queue on a SQLite file: an item held before a restart is still
// waiting after it, and its resolution is exported as training data.
func ExampleOpen() {
	ctx := context.Background()
	dir, err := os.MkdirTemp("", "review")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "review.db")

	// The pipeline holds a comment for review, then the program stops.
	q, err := sqlitequeue.Open(ctx, path, nil)
	if err != nil {
		log.Fatal(err)
	}
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{NoClassifier: true, Review: q})
	if err != nil {
		log.Fatal(err)
	}
	d, err := p.Moderate(ctx, &moderation.Item{ID: "c1", Text: "Your service is a joke, you idiots"})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("decision:", d.Action)
	q.Close()

	// After a restart, a reviewer removes it.
	q, err = sqlitequeue.Open(ctx, path, nil)
	if err != nil {
		log.Fatal(err)
	}
	defer q.Close()
	pending, err := q.Pending(ctx, 10)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("pending:", len(pending), pending[0].ID, pending[0].Item.Text)
	if _, err := q.Resolve(ctx, "c1", "camille", moderation.Remove, "insults staff"); err != nil {
		log.Fatal(err)
	}
	audit, err := q.Audit(ctx)
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println("audit:", audit[0].Reviewer, audit[0].Verdict, audit[0].Before.Action, "->", audit[0].After)
	if err := moderation.ExportTSV(os.Stdout, audit); err != nil {
		log.Fatal(err)
	}
	// Output:
	// decision: hold
	// pending: 1 c1 Your service is a joke, you idiots
	// audit: camille remove hold -> hide
	// lang	label	text
	// en	toxic	Your service is a joke, you idiots
}
