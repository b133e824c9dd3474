package memstore_test

import (
	"context"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/memstore"
	"github.com/cmkit/cmkit/scheduling/storetest"
)

func TestConformance(t *testing.T) {
	storetest.Run(t, func(t *testing.T) scheduling.Store { return memstore.New() })
}

// TestManyPosts spans several chunks of every slab and of the audit log:
// each post keeps its own targets and audit trail, in order.
func TestManyPosts(t *testing.T) {
	ctx := context.Background()
	s := memstore.New()
	base := time.Date(2026, 3, 2, 9, 0, 0, 0, time.UTC)
	const n = 3000
	for i := range n {
		pid := fmt.Sprintf("p%04d", i)
		tid := fmt.Sprintf("t%04d", i)
		c := &scheduling.Change{
			Post:    &scheduling.Post{ID: pid, Content: connectors.Post{Text: pid}},
			Targets: []*scheduling.Target{{ID: tid, PostID: pid, AccountID: "a", State: scheduling.Scheduled, Due: base.Add(time.Duration(i) * time.Second), Key: "k" + tid}},
			Audit:   []scheduling.AuditEntry{{PostID: pid, At: base, Actor: "cm", Action: "created", To: scheduling.Scheduled}},
		}
		require.NoError(t, s.Apply(ctx, c))
	}
	claimed := 0
	for {
		cs, err := s.ClaimDue(ctx, base.Add(time.Hour), "w", time.Minute, 700)
		require.NoError(t, err)
		if len(cs) == 0 {
			break
		}
		comps := make([]scheduling.Completion, len(cs))
		for i, c := range cs {
			require.Equal(t, c.Target.PostID, c.Post.Content.Text)
			comps[i] = scheduling.Completion{TargetID: c.Target.ID, Attempt: 1, State: scheduling.Published,
				Audit: []scheduling.AuditEntry{{PostID: c.Target.PostID, TargetID: c.Target.ID, At: base.Add(time.Hour),
					Actor: "scheduler:w", Action: "published", From: scheduling.Publishing, To: scheduling.Published}}}
		}
		errs, err := s.Complete(ctx, "w", comps)
		require.NoError(t, err)
		require.NoError(t, errors.Join(errs...))
		claimed += len(cs)
	}
	require.Equal(t, n, claimed)
	for _, i := range []int{0, 15, 16, 511, 1024, n - 1} {
		pid, tid := fmt.Sprintf("p%04d", i), fmt.Sprintf("t%04d", i)
		p, ts, err := s.GetPost(ctx, pid)
		require.NoError(t, err)
		require.Equal(t, pid, p.Content.Text)
		require.Len(t, ts, 1)
		require.Equal(t, tid, ts[0].ID)
		require.Equal(t, "k"+tid, ts[0].Key)
		require.Equal(t, scheduling.Published, ts[0].State)
		es, err := s.ListAudit(ctx, scheduling.AuditFilter{PostID: pid})
		require.NoError(t, err)
		var got []string
		for _, e := range es {
			require.Equal(t, pid, e.PostID)
			got = append(got, e.Action+" "+e.TargetID+" "+e.Actor)
		}
		require.Equal(t, []string{"created  cm", "claimed " + tid + " scheduler:w", "published " + tid + " scheduler:w"}, got)
	}
	all, err := s.ListAudit(ctx, scheduling.AuditFilter{})
	require.NoError(t, err)
	require.Len(t, all, 3*n)
	for i := 1; i < len(all); i++ {
		require.Less(t, all[i-1].Seq, all[i].Seq)
	}
}
