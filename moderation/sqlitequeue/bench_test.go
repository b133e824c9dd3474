package sqlitequeue_test

import (
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/sqlitequeue"
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
// with a realistic item and decision, then Resolve (which also appends
// the audit entry), two write transactions. One op is one item; items/s
// is reported.
func BenchmarkAddResolve(b *testing.B) {
	for _, sync := range []string{"NORMAL", "FULL"} {
		b.Run(sync, func(b *testing.B) {
			q, err := sqlitequeue.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), &sqlitequeue.Options{Synchronous: sync})
			require.NoError(b, err)
			defer q.Close()
			d := fullDecision()
			b.ReportAllocs()
			b.ResetTimer()
			for i := range b.N {
				it := fullItem(fmt.Sprintf("c%09d", i))
				if _, err := q.Add(ctx, it, d); err != nil {
					b.Fatal(err)
				}
				if _, err := q.Resolve(ctx, it.ID, "camille", moderation.Remove, "scam"); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "items/s")
		})
	}
}

// BenchmarkPending reads the 50 oldest of 5,000 pending items, behind
// 5,000 resolved ones: the partial index keeps it independent of the
// history's size.
func BenchmarkPending(b *testing.B) {
	q, err := sqlitequeue.Open(ctx, filepath.Join(b.TempDir(), "bench.db"), nil)
	require.NoError(b, err)
	defer q.Close()
	d := fullDecision()
	for i := range 10000 {
		it := fullItem(fmt.Sprintf("c%09d", i))
		_, err := q.Add(ctx, it, d)
		require.NoError(b, err)
		if i%2 == 0 {
			_, err = q.Resolve(ctx, it.ID, "camille", moderation.Remove, "")
			require.NoError(b, err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	for range b.N {
		ps, err := q.Pending(ctx, 50)
		if err != nil || len(ps) != 50 {
			b.Fatal(len(ps), err)
		}
	}
}
