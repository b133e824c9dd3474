package memconnector_test

import (
	"context"
	"strconv"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors/driver"
	"github.com/cmkit/cmkit/connectors/memconnector"
)

// TestConcurrency runs publishers, commenters, listers, deleters and a
// simulation at once; run it with -race.
func TestConcurrency(t *testing.T) {
	ctx := context.Background()
	n := newNet(t, &memconnector.NetworkOptions{PendingChecks: 1})
	d := open(t, n, "brand")
	root := publish(t, d, "root")
	const workers, each = 8, 25
	var wg sync.WaitGroup
	errs := make(chan error, 1000)
	report := func(err error) {
		if err != nil {
			errs <- err
		}
	}
	for w := range workers {
		wg.Add(4)
		go func() { // publisher, through its own driver value
			defer wg.Done()
			d, err := n.Driver("brand")
			report(err)
			dd := d.(drv)
			for i := range each {
				key := "w" + strconv.Itoa(w) + "-" + strconv.Itoa(i%5) // keys repeat: idempotent
				p := &driver.Post{Text: key}
				if i%3 == 0 {
					p.Media = []driver.Media{{Kind: driver.MediaImage, MIMEType: "image/png", Data: []byte{1}}}
				}
				res, err := dd.Publish(ctx, p, driver.PublishOptions{IdempotencyKey: key})
				for err == nil && res.Status == driver.Pending {
					res, err = dd.CheckPending(ctx, res.Pending)
				}
				report(err)
			}
		}()
		go func() { // commenter and deleter
			defer wg.Done()
			for i := range each {
				id, err := n.Comment(ctx, "fan"+strconv.Itoa(w), root, "hello")
				report(err)
				if i%2 == 0 {
					report(d.DeleteComment(ctx, id))
				} else {
					report(d.SetCommentHidden(ctx, id, true))
					report(d.SetLiked(ctx, id, true))
				}
				_, err = n.SendDM(ctx, "fan"+strconv.Itoa(w), "brand", "dm")
				report(err)
				_, err = n.Mention(ctx, "fan"+strconv.Itoa(w), "brand", "hey")
				report(err)
			}
		}()
		go func() { // lister: pages never repeat an item
			defer wg.Done()
			seen := map[string]bool{}
			cursor := ""
			for range each * 2 {
				pg, err := d.ListComments(ctx, root, driver.PageRequest{Cursor: cursor, Limit: 3})
				if err != nil {
					report(err)
					return
				}
				for _, it := range pg.Items {
					if seen[it.ID] {
						report(driver.Errorf(driver.Unknown, "item %s listed twice", it.ID))
					}
					seen[it.ID] = true
				}
				cursor = pg.Next
				_, err = d.ListMessages(ctx, driver.PageRequest{})
				report(err)
				_, err = d.PostMetrics(ctx, root)
				report(err)
				_, err = d.AccountMetrics(ctx)
				report(err)
			}
		}()
		go func() { // readers of the network's own state
			defer wg.Done()
			for range each {
				_ = n.Posts("brand")
				_ = n.PublishCount("brand")
				_ = n.Calls(memconnector.OpAny)
				_, _ = n.Author("brand")
				report(n.Follow("fan"+strconv.Itoa(w), "brand"))
			}
		}()
	}
	wg.Add(1)
	go func() {
		defer wg.Done()
		_, err := n.Simulate(ctx, memconnector.SimOptions{Account: "brand", Start: t0, Days: 3, Followers: 100})
		report(err)
	}()
	wg.Wait()
	close(errs)
	for err := range errs {
		require.NoError(t, err)
	}
	require.EqualValues(t, workers*5+1, n.PublishCount("brand"), "one post per distinct key, plus root")
}

func BenchmarkPublish(b *testing.B) {
	ctx := context.Background()
	n := memconnector.NewNetwork(nil)
	d, err := n.Driver("brand")
	if err != nil {
		b.Fatal(err)
	}
	p := &driver.Post{Text: "Nouvelle collection printemps disponible dès aujourd'hui 🌸"}
	b.ReportAllocs()
	for b.Loop() {
		if _, err := d.Publish(ctx, p, driver.PublishOptions{}); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkPublishParallel(b *testing.B) {
	ctx := context.Background()
	n := memconnector.NewNetwork(nil)
	d, err := n.Driver("brand")
	if err != nil {
		b.Fatal(err)
	}
	p := &driver.Post{Text: "hello"}
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			if _, err := d.Publish(ctx, p, driver.PublishOptions{}); err != nil {
				b.Error(err)
				return
			}
		}
	})
}

func BenchmarkListComments(b *testing.B) {
	ctx := context.Background()
	n := memconnector.NewNetwork(nil)
	d, _ := n.Driver("brand")
	res, _ := d.Publish(ctx, &driver.Post{Text: "p"}, driver.PublishOptions{})
	for range 1000 {
		_, _ = n.Comment(ctx, "fan", res.ID, "hello")
	}
	l := d.(driver.CommentLister)
	b.ReportAllocs()
	for b.Loop() {
		if _, err := l.ListComments(ctx, res.ID, driver.PageRequest{Cursor: "mc" + strconv.FormatInt(500, 36), Limit: 50}); err != nil {
			b.Fatal(err)
		}
	}
}

// FuzzPageRequest feeds arbitrary cursors and limits (outside input) to
// the listings: they return a page or a typed error, never panic.
func FuzzPageRequest(f *testing.F) {
	for _, s := range []string{"", "mc0", "mc1z", "mc", "garbage", "mc-1", "mczzzzzzzzzzzzzzz", "\xff"} {
		f.Add(s, 2)
	}
	ctx := context.Background()
	n := memconnector.NewNetwork(nil)
	d, _ := n.Driver("brand")
	dd := d.(drv)
	res, _ := d.Publish(ctx, &driver.Post{Text: "p"}, driver.PublishOptions{})
	for range 5 {
		_, _ = n.Comment(ctx, "fan", res.ID, "hello")
	}
	f.Fuzz(func(t *testing.T, cursor string, limit int) {
		pg, err := dd.ListComments(ctx, res.ID, driver.PageRequest{Cursor: cursor, Limit: limit})
		if err != nil {
			if driver.CodeOf(err) != driver.InvalidContent {
				t.Fatalf("cursor %q limit %d: %v", cursor, limit, err)
			}
			return
		}
		if pg.Next == "" {
			t.Fatalf("cursor %q: empty Next", cursor)
		}
		if _, err := dd.CheckPending(ctx, []byte(cursor)); err == nil {
			t.Fatalf("pending state %q accepted", cursor)
		}
	})
}
