package pgqueue_test

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/pgqueue"
)

// fullItem and fullDecision are a held comment as the pipeline queues it.
func fullItem(id string) *moderation.Item {
	return &moderation.Item{ID: id, Text: "Gagnez 500 € par jour, écrivez-moi sur WhatsApp +33 6 12 34 56 78",
		Language: "fr", Network: "instagram",
		Author:    moderation.Author{ID: "u-" + id, Handle: "@promo_" + id, CreatedAt: t0.Add(-48 * time.Hour), Followers: 3},
		Links:     []string{"https://bit.ly/x"},
		CreatedAt: t0}
}

func fullDecision() moderation.Decision {
	return moderation.Decision{Action: moderation.Hold, Category: moderation.Scam, Score: 0.74, Language: "fr",
		Labels: []moderation.Label{
			{Category: moderation.Scam, Score: 0.6, Stage: "spam", Rule: "lure/whatsapp", Match: "WhatsApp", Reason: "contact off-platform"},
			{Category: moderation.PersonalData, Score: 0.4, Stage: "spam", Rule: "phone", Match: "+33 6 12 34 56 78", Reason: "phone number"},
		},
		Explanation: `hold scam 0.74: spam/lure/whatsapp matched "WhatsApp"`}
}

// BenchmarkAddResolve measures the durable path of one held comment: Add
// with a realistic item and decision (one statement), then Resolve (one
// transaction: the conditional update and the audit entry). One op is one
// item; items/s is reported. Workers runs that many Add+Resolve loops at
// once, on one Queue each (like processes).
func BenchmarkAddResolve(b *testing.B) {
	for _, workers := range []int{1, 4} {
		b.Run(fmt.Sprint("Workers", workers), func(b *testing.B) {
			schema := freshSchema(b)
			queues := []*pgqueue.Queue{open(b, schema, nil)}
			for len(queues) < workers {
				queues = append(queues, open(b, schema, nil))
			}
			d := fullDecision()
			var next atomic.Int64
			var wg sync.WaitGroup
			errs := make([]error, workers)
			b.ReportAllocs()
			b.ResetTimer()
			for w, q := range queues {
				wg.Add(1)
				go func() {
					defer wg.Done()
					for {
						i := next.Add(1)
						if i > int64(b.N) {
							return
						}
						it := fullItem(fmt.Sprintf("c%09d", i))
						if _, err := q.Add(ctx, it, d); err != nil {
							errs[w] = err
							return
						}
						if _, err := q.Resolve(ctx, it.ID, "camille", moderation.Remove, "scam"); err != nil {
							errs[w] = err
							return
						}
					}
				}()
			}
			wg.Wait()
			if err := errors.Join(errs...); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// BenchmarkPending reads the 50 oldest of 5,000 pending items, behind
// 5,000 resolved ones: the partial index keeps it independent of the
// history's size.
func BenchmarkPending(b *testing.B) {
	schema := freshSchema(b)
	q := open(b, schema, nil)
	d := fullDecision()
	// Filled by 8 goroutines, to keep the set-up short.
	var wg sync.WaitGroup
	errs := make([]error, 8)
	for w := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := w; i < 10000; i += 8 {
				it := fullItem(fmt.Sprintf("c%09d", i))
				_, err := q.Add(ctx, it, d)
				if err == nil && i%2 == 0 {
					_, err = q.Resolve(ctx, it.ID, "camille", moderation.Remove, "")
				}
				if err != nil {
					errs[w] = err
					return
				}
			}
		}()
	}
	wg.Wait()
	require.NoError(b, errors.Join(errs...))
	_, err := adminPool(b).Exec(ctx, `ANALYZE `+table(schema, "review_items"))
	require.NoError(b, err)
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ps, err := q.Pending(ctx, 50)
		if err != nil || len(ps) != 50 {
			b.Fatal(len(ps), err)
		}
	}
}
