// Command moderation moderates the simulated comment stream of an in-memory
// network with cmkit's default French and English pipeline, hides and
// deletes what it must on the network, and prints a summary against the
// simulation's ground truth with a few decisions and their explanations.
// Held comments wait in a review queue, in memory or, with -queue, in a
// SQLite file that keeps them (and the reviewers' decisions) across runs;
// a reviewer then resolves the oldest one, and its audit entry is printed
// as the training-data line modtrain -input reads.
//
//	go run ./examples/moderation [-days 7] [-seed 42] [-shadow] [-queue review.db]
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"
	"sort"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/memconnector"
	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/sqlitequeue"
)

func main() {
	days := flag.Int("days", 7, "days of simulated audience")
	seed := flag.Int64("seed", 42, "simulation seed")
	shadow := flag.Bool("shadow", false, "decide without hiding or deleting anything")
	queueFile := flag.String("queue", "", "SQLite file of the review queue (default: in memory)")
	flag.Parse()
	if err := run(context.Background(), os.Stdout, *days, *seed, *shadow, *queueFile); err != nil {
		fmt.Fprintln(os.Stderr, "moderation:", err)
		os.Exit(1)
	}
}

func run(ctx context.Context, w io.Writer, days int, seed int64, shadow bool, queueFile string) error {
	start := time.Date(2025, 3, 3, 0, 0, 0, 0, time.UTC)
	clock := start.AddDate(0, 0, days)
	net := memconnector.NewNetwork(&memconnector.NetworkOptions{Seed: seed, Now: func() time.Time { return clock }})
	if _, err := net.Simulate(ctx, memconnector.SimOptions{Account: "brand", Start: start, Days: days}); err != nil {
		return err
	}
	acct, err := net.Account(ctx, "brand", nil)
	if err != nil {
		return err
	}
	var queue moderation.ReviewQueue = moderation.NewMemoryQueue(func() time.Time { return clock })
	if queueFile != "" {
		q, err := sqlitequeue.Open(ctx, queueFile, &sqlitequeue.Options{Now: func() time.Time { return clock }})
		if err != nil {
			return err
		}
		defer q.Close()
		queue = q
	}
	// The applier acts on the network: hide or delete the comment.
	applier := moderation.ApplierFunc(func(ctx context.Context, it *moderation.Item, d moderation.Decision) error {
		switch d.Action {
		case moderation.Hide:
			return acct.HideComment(ctx, it.ID)
		case moderation.Delete:
			return acct.DeleteComment(ctx, it.ID)
		}
		return nil
	})
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{
		Shadow: shadow, Applier: applier, Review: queue,
		Spam: &moderation.SpamOptions{Brands: []string{"brand.example"}, Now: func() time.Time { return clock }},
	})
	if err != nil {
		return err
	}

	type row struct {
		truth memconnector.Category
		d     moderation.Decision
		text  string
	}
	var rows []row
	for _, post := range net.Posts("brand") {
		req := connectors.PageRequest{Limit: 100}
		for {
			page, err := acct.Comments(ctx, post.ID, req)
			if err != nil {
				return err
			}
			for _, c := range page.Items {
				it := &moderation.Item{
					ID: c.ID, Text: c.Text, Language: c.Language, Network: c.Network, CreatedAt: c.CreatedAt,
					Author: moderation.Author{ID: c.Author.ID, Handle: c.Author.Handle, CreatedAt: c.Author.CreatedAt, Followers: c.Author.Followers},
				}
				d, err := p.Moderate(ctx, it)
				if err != nil {
					return err
				}
				truth, _ := net.Label(c.ID)
				rows = append(rows, row{truth, d, c.Text})
			}
			if !page.More {
				break
			}
			req.Cursor = page.Next
		}
	}

	// Summary: ground truth against actions.
	fmt.Fprintf(w, "moderated %d comments over %d days (shadow %v)\n\n", len(rows), days, shadow)
	fmt.Fprintf(w, "%-10s %6s %6s %6s %6s\n", "truth", "allow", "hold", "hide", "delete")
	counts := map[memconnector.Category]*[4]int{}
	byCat := map[moderation.Category]int{}
	for _, r := range rows {
		if counts[r.truth] == nil {
			counts[r.truth] = &[4]int{}
		}
		counts[r.truth][r.d.Action]++
		if r.d.Action != moderation.Allow {
			byCat[r.d.Category]++
		}
	}
	var truths []memconnector.Category
	for c := range counts {
		truths = append(truths, c)
	}
	sort.Slice(truths, func(i, j int) bool { return truths[i] < truths[j] })
	caught, unwanted, wrongly, wanted := 0, 0, 0, 0
	for _, c := range truths {
		n := counts[c]
		fmt.Fprintf(w, "%-10s %6d %6d %6d %6d\n", c, n[0], n[1], n[2], n[3])
		if c.Unwanted() {
			unwanted += n[0] + n[1] + n[2] + n[3]
			caught += n[1] + n[2] + n[3]
		} else {
			wanted += n[0] + n[1] + n[2] + n[3]
			wrongly += n[2] + n[3]
		}
	}
	fmt.Fprintf(w, "\nunwanted caught (held, hidden or deleted): %d of %d\n", caught, unwanted)
	fmt.Fprintf(w, "wanted comments hidden or deleted: %d of %d\n", wrongly, wanted)
	var cats []string
	for c, n := range byCat {
		cats = append(cats, fmt.Sprintf("%s %d", c, n))
	}
	sort.Strings(cats)
	fmt.Fprintf(w, "flagged by category: %s\n", strings.Join(cats, ", "))
	pending, err := queue.Pending(ctx, 0)
	if err != nil {
		return err
	}
	fmt.Fprintf(w, "waiting for review: %d\n", len(pending))
	if len(pending) > 0 && !shadow {
		// A reviewer takes the oldest held comment: abuse is removed, the
		// rest approved. The audit entry is training data for modtrain.
		first := pending[0]
		verdict := moderation.Approve
		if truth, _ := net.Label(first.ID); truth.Unwanted() {
			verdict = moderation.Remove
		}
		if _, err := queue.Resolve(ctx, first.ID, "camille", verdict, "checked by hand"); err != nil {
			return err
		}
		audit, err := queue.Audit(ctx)
		if err != nil {
			return err
		}
		fmt.Fprintf(w, "reviewer camille: %s %q; as training data for modtrain -input:\n", verdict, truncate(first.Item.Text, 50))
		if err := moderation.ExportTSV(w, audit[len(audit)-1:]); err != nil {
			return err
		}
	}
	fmt.Fprintln(w)

	// A few decisions of each action, with their explanations.
	shown := map[moderation.Action]int{}
	complaints := 0
	for _, r := range rows {
		show := shown[r.d.Action] < 2 && r.d.Action != moderation.Allow
		if r.d.Complaint && r.d.Action == moderation.Allow && complaints < 2 {
			show = true
			complaints++
		}
		if !show {
			continue
		}
		shown[r.d.Action]++
		fmt.Fprintf(w, "[%s] %q\n    truth %s; %s\n", r.d.Action, truncate(r.text, 70), r.truth, r.d.Explanation)
	}
	return nil
}

func truncate(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n]) + "…"
}
