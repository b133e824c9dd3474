// Package storetest is the conformance suite every scheduling.Store must
// pass:
//
//	func TestConformance(t *testing.T) {
//		storetest.Run(t, func(t *testing.T) scheduling.Store { return memstore.New() })
//	}
//
// newStore must return an empty store for each subtest (a fresh database
// schema, a new temporary file...), closed by t.Cleanup if needed. The
// suite checks inserts and round trips of every field (time zones and
// wall-clock times included), optimistic concurrency (ErrConflict), claims
// and their order, lease expiry and reclaim, completions guarded by the
// lease owner and attempt, releases and renewals, pauses and blackouts,
// audit ordering, concurrent claimers (a target is never handed to two of
// them), batches of thousands of targets, and queue slots held by one
// target at most (ErrSlotTaken). Times in the suite are whole
// microseconds, so a store may keep microsecond precision.
//
// Dispatch is the benchmark every store reports the same way: a Scheduler
// on the store, dispatching from a backlog and at 2,000 due posts a
// second.
package storetest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/scheduling"
)

// Run runs the conformance suite, one subtest per property, each on a
// fresh store from newStore.
func Run(t *testing.T, newStore func(t *testing.T) scheduling.Store) {
	tests := []struct {
		name string
		fn   func(t *testing.T, s scheduling.Store)
	}{
		{"RoundTrip", testRoundTrip},
		{"Conflicts", testConflicts},
		{"InvalidChange", testInvalidChange},
		{"ApplyIsAtomic", testApplyAtomic},
		{"ClaimOrderAndFields", testClaimOrder},
		{"ClaimSkipsPausedAccounts", testClaimPaused},
		{"Blackouts", testBlackouts},
		{"LeaseExpiryReclaim", testLeaseExpiry},
		{"CompleteGuardedByOwner", testComplete},
		{"Release", testRelease},
		{"Renew", testRenew},
		{"NextDue", testNextDue},
		{"ListTargets", testListTargets},
		{"CountPublished", testCountPublished},
		{"AuditOrder", testAuditOrder},
		{"Accounts", testAccounts},
		{"ConcurrentClaimers", testConcurrentClaimers},
		{"BigBatch", testBigBatch},
		{"QueueSlotTakenOnce", testSlotTakenOnce},
		{"QueueSlotOnlyQueued", testSlotOnlyQueued},
		{"QueueSlotFreedByFinalStates", testSlotFreed},
		{"QueueSlotSwapInOneApply", testSlotSwap},
		{"QueueSlotOfNext", testSlotOfNext},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(t, newStore(t))
		})
	}
}

// base is a fixed instant in whole microseconds.
var base = time.Date(2026, 3, 27, 8, 0, 0, 0, time.UTC)

func at(d time.Duration) time.Time { return base.Add(d) }

func newPost(id string) *scheduling.Post {
	return &scheduling.Post{
		ID:        id,
		Content:   connectors.Post{Text: "Bonjour " + id, Tags: []string{"promo"}},
		CreatedBy: "camille",
		CreatedAt: base,
		UpdatedAt: base,
	}
}

func newTarget(postID, id, account string, due time.Time) *scheduling.Target {
	return &scheduling.Target{ID: id, PostID: postID, AccountID: account, State: scheduling.Scheduled,
		Due: due, Zone: "UTC", Local: scheduling.CivilOf(due.UTC()), Key: "key-" + id, UpdatedAt: base}
}

// insert stores one post with scheduled targets due at the given offsets.
func insert(t *testing.T, s scheduling.Store, postID, account string, dues ...time.Duration) []*scheduling.Target {
	t.Helper()
	c := &scheduling.Change{Post: newPost(postID)}
	for i, d := range dues {
		c.Targets = append(c.Targets, newTarget(postID, fmt.Sprintf("%s-t%02d", postID, i), account, at(d)))
	}
	c.Audit = []scheduling.AuditEntry{{PostID: postID, At: base, Actor: "camille", Action: "created", To: scheduling.Scheduled}}
	require.NoError(t, s.Apply(context.Background(), c))
	return c.Targets
}

func ids(cs []scheduling.Claim) []string {
	out := make([]string, len(cs))
	for i, c := range cs {
		out[i] = c.Target.ID
	}
	return out
}

func requireTime(t *testing.T, want, got time.Time, field string) {
	t.Helper()
	require.Truef(t, want.Equal(got), "%s: want %v, got %v", field, want, got)
}

func testRoundTrip(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	paris, err := time.LoadLocation("Europe/Paris")
	require.NoError(t, err)
	p := newPost("p1")
	p.Content.Media = []connectors.Media{{Kind: connectors.MediaImage, MIMEType: "image/png", Data: []byte{1, 2, 3}, AltText: "logo"}}
	p.Content.Thread = []connectors.Post{{Text: "suite"}}
	p.Variants = []connectors.Post{{Text: "v1"}, {Text: "v2"}}
	p.Approval = scheduling.Approval{Roles: []string{"lead"}, Approvers: []string{"alice"}}
	p.Approvals = []scheduling.Approved{{By: "alice", At: base}}
	p.Recurrence = scheduling.Recurrence{EveryDays: 7, Evergreen: true, MaxRuns: 3, Until: at(90 * 24 * time.Hour)}
	local := scheduling.Civil{Year: 2026, Month: time.March, Day: 29, Hour: 3, Minute: 30}
	tg := &scheduling.Target{
		ID: "p1-a", PostID: "p1", AccountID: "acct-a", State: scheduling.AwaitingApproval,
		Local: local, Zone: "Europe/Paris", Due: time.Date(2026, 3, 29, 3, 30, 0, 0, paris),
		NotBefore: at(time.Hour), Queued: true, Key: "idem-1", Run: 2, Attempt: 0,
		Pending: []byte("container-9"), Result: scheduling.Result{PostID: "n1", URL: "https://x/n1", PublishedAt: at(2 * time.Hour)},
		Failure:   scheduling.Failure{Code: connectors.RateLimited, Message: "slow down"},
		UpdatedAt: at(time.Minute),
	}
	tg2 := newTarget("p1", "p1-b", "acct-b", at(0))
	c := &scheduling.Change{Post: p, Targets: []*scheduling.Target{tg, tg2},
		Audit: []scheduling.AuditEntry{{PostID: "p1", At: base, Actor: "camille", Action: "created", To: scheduling.AwaitingApproval, Reason: "new"}}}
	require.NoError(t, s.Apply(ctx, c))
	require.Equal(t, int64(1), p.Version)
	require.Equal(t, int64(1), tg.Version)
	require.Positive(t, c.Audit[0].Seq)

	gp, gts, err := s.GetPost(ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, int64(1), gp.Version)
	require.Equal(t, p.Content.Text, gp.Content.Text)
	require.Equal(t, []byte{1, 2, 3}, gp.Content.Media[0].Data)
	require.Equal(t, "logo", gp.Content.Media[0].AltText)
	require.Equal(t, "suite", gp.Content.Thread[0].Text)
	require.Equal(t, []string{"promo"}, gp.Content.Tags)
	require.Len(t, gp.Variants, 2)
	require.Equal(t, "v2", gp.Variants[1].Text)
	require.Equal(t, p.Approval, gp.Approval)
	require.Len(t, gp.Approvals, 1)
	require.Equal(t, "alice", gp.Approvals[0].By)
	require.Equal(t, 7, gp.Recurrence.EveryDays)
	require.True(t, gp.Recurrence.Evergreen)
	require.Equal(t, 3, gp.Recurrence.MaxRuns)
	requireTime(t, p.Recurrence.Until, gp.Recurrence.Until, "Recurrence.Until")
	require.Equal(t, "camille", gp.CreatedBy)
	requireTime(t, base, gp.CreatedAt, "CreatedAt")

	require.Len(t, gts, 2)
	require.Equal(t, "p1-a", gts[0].ID, "targets ordered by ID")
	g := gts[0]
	require.Equal(t, scheduling.AwaitingApproval, g.State)
	require.Equal(t, local, g.Local)
	require.Equal(t, "Europe/Paris", g.Zone)
	requireTime(t, tg.Due, g.Due, "Due")
	requireTime(t, tg.NotBefore, g.NotBefore, "NotBefore")
	require.True(t, g.Queued)
	require.Equal(t, "idem-1", g.Key)
	require.Equal(t, 2, g.Run)
	require.Equal(t, []byte("container-9"), g.Pending)
	require.Equal(t, "n1", g.Result.PostID)
	require.Equal(t, "https://x/n1", g.Result.URL)
	requireTime(t, tg.Result.PublishedAt, g.Result.PublishedAt, "Result.PublishedAt")
	require.Equal(t, tg.Failure, g.Failure)
	requireTime(t, tg.UpdatedAt, g.UpdatedAt, "UpdatedAt")

	one, err := s.GetTarget(ctx, "p1-b")
	require.NoError(t, err)
	require.Equal(t, "acct-b", one.AccountID)
	// Returned values are copies: changing them changes nothing stored.
	one.State = scheduling.Cancelled
	gp.Content.Text = "changed"
	again, err := s.GetTarget(ctx, "p1-b")
	require.NoError(t, err)
	require.Equal(t, scheduling.Scheduled, again.State)
	gp2, _, err := s.GetPost(ctx, "p1")
	require.NoError(t, err)
	require.Equal(t, p.Content.Text, gp2.Content.Text)

	_, _, err = s.GetPost(ctx, "nope")
	require.ErrorIs(t, err, scheduling.ErrNotFound)
	_, err = s.GetTarget(ctx, "nope")
	require.ErrorIs(t, err, scheduling.ErrNotFound)
}

func testInvalidChange(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	p := newPost("p1")
	noID := newPost("")
	require.ErrorIs(t, s.Apply(ctx, &scheduling.Change{Post: noID}), scheduling.ErrInvalid)
	require.ErrorIs(t, s.Apply(ctx, &scheduling.Change{Post: p, Targets: []*scheduling.Target{nil}}), scheduling.ErrInvalid)
	require.ErrorIs(t, s.Apply(ctx, &scheduling.Change{Post: p,
		Targets: []*scheduling.Target{newTarget("p1", "", "a", base)}}), scheduling.ErrInvalid)
	require.ErrorIs(t, s.Apply(ctx, &scheduling.Change{Post: p,
		Targets: []*scheduling.Target{newTarget("p1", "t1", "a", base), newTarget("p1", "t1", "a", at(time.Hour))}}),
		scheduling.ErrConflict)
	_, _, err := s.GetPost(ctx, "p1")
	require.ErrorIs(t, err, scheduling.ErrNotFound, "a refused change writes nothing")
	require.Zero(t, p.Version)
}

func testConflicts(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	ts := insert(t, s, "p1", "a", 0)
	// Inserting again conflicts.
	err := s.Apply(ctx, &scheduling.Change{Post: newPost("p1")})
	require.ErrorIs(t, err, scheduling.ErrConflict)
	err = s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{newTarget("p1", ts[0].ID, "a", base)}})
	require.ErrorIs(t, err, scheduling.ErrConflict)

	// Two writers read version 1; the first wins, the second conflicts.
	w1, err := s.GetTarget(ctx, ts[0].ID)
	require.NoError(t, err)
	w2, err := s.GetTarget(ctx, ts[0].ID)
	require.NoError(t, err)
	w1.State = scheduling.Cancelled
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{w1}}))
	require.Equal(t, int64(2), w1.Version)
	w2.Due = at(time.Hour)
	err = s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{w2}})
	require.ErrorIs(t, err, scheduling.ErrConflict)
	require.Equal(t, int64(1), w2.Version, "a failed Apply leaves versions alone")

	p, _, err := s.GetPost(ctx, "p1")
	require.NoError(t, err)
	stale := *p
	p.Content.Text = "edited"
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: p}))
	require.Equal(t, int64(2), p.Version)
	stale.Content.Text = "lost update"
	require.ErrorIs(t, s.Apply(ctx, &scheduling.Change{Post: &stale}), scheduling.ErrConflict)

	// Updating what does not exist.
	missing := newTarget("p1", "ghost", "a", base)
	missing.Version = 3
	require.ErrorIs(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{missing}}), scheduling.ErrNotFound)
	ghost := newPost("ghost")
	ghost.Version = 1
	require.ErrorIs(t, s.Apply(ctx, &scheduling.Change{Post: ghost}), scheduling.ErrNotFound)
}

func testApplyAtomic(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	ts := insert(t, s, "p1", "a", 0)
	good, err := s.GetTarget(ctx, ts[0].ID)
	require.NoError(t, err)
	good.State = scheduling.Cancelled
	bad := newTarget("p1", "new", "a", base)
	bad.Version = 9 // does not exist
	p2 := newPost("p2")
	c := &scheduling.Change{Post: p2, Targets: []*scheduling.Target{good, newTarget("p2", "p2-t", "a", base), bad},
		Audit: []scheduling.AuditEntry{{PostID: "p2", At: base, Actor: "x", Action: "created"}}}
	require.Error(t, s.Apply(ctx, c))
	_, _, err = s.GetPost(ctx, "p2")
	require.ErrorIs(t, err, scheduling.ErrNotFound)
	got, err := s.GetTarget(ctx, ts[0].ID)
	require.NoError(t, err)
	require.Equal(t, scheduling.Scheduled, got.State)
	require.Equal(t, int64(1), got.Version)
	_, err = s.GetTarget(ctx, "p2-t")
	require.ErrorIs(t, err, scheduling.ErrNotFound)
	audit, err := s.ListAudit(ctx, scheduling.AuditFilter{PostID: "p2"})
	require.NoError(t, err)
	require.Empty(t, audit)
}

func testClaimOrder(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	insert(t, s, "p1", "a", 3*time.Minute, time.Minute, 2*time.Hour)
	insert(t, s, "p2", "b", time.Minute, 0)
	// A deferral: due earlier but not before +5 min.
	tg, err := s.GetTarget(ctx, "p2-t01")
	require.NoError(t, err)
	tg.NotBefore = at(5 * time.Minute)
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{tg}}))
	// Not scheduled targets are never claimed.
	d := newTarget("p2", "p2-draft", "b", at(-time.Hour))
	d.State = scheduling.AwaitingApproval
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{d}}))

	now := at(10 * time.Minute)
	cs, err := s.ClaimDue(ctx, now, "w1", time.Minute, 2)
	require.NoError(t, err)
	require.ElementsMatch(t, []string{"p1-t01", "p2-t00"}, ids(cs), "earliest RunAt first (ties in any order)")
	cs2, err := s.ClaimDue(ctx, now, "w1", time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"p1-t00", "p2-t01"}, ids(cs2))
	cs3, err := s.ClaimDue(ctx, now, "w1", time.Minute, 10)
	require.NoError(t, err)
	require.Empty(t, cs3)

	c := cs[0]
	if c.Target.ID != "p1-t01" {
		c = cs[1]
	}
	require.Equal(t, scheduling.Publishing, c.Target.State)
	require.Equal(t, 1, c.Target.Attempt)
	require.Equal(t, "w1", c.Target.LeaseOwner)
	requireTime(t, now.Add(time.Minute), c.Target.LeaseUntil, "LeaseUntil")
	require.Equal(t, int64(2), c.Target.Version)
	require.False(t, c.Reclaimed)
	require.False(t, c.Target.Unknown)
	require.NotNil(t, c.Post)
	require.Equal(t, "p1", c.Post.ID)
	require.Equal(t, "Bonjour p1", c.Post.Content.Text)
	stored, err := s.GetTarget(ctx, c.Target.ID)
	require.NoError(t, err)
	require.Equal(t, scheduling.Publishing, stored.State)
	require.Equal(t, "w1", stored.LeaseOwner)

	audit, err := s.ListAudit(ctx, scheduling.AuditFilter{TargetID: "p1-t01"})
	require.NoError(t, err)
	require.Len(t, audit, 1)
	require.Equal(t, "claimed", audit[0].Action)
	require.Equal(t, "scheduler:w1", audit[0].Actor)
	require.Equal(t, scheduling.Scheduled, audit[0].From)
	require.Equal(t, scheduling.Publishing, audit[0].To)
	requireTime(t, now, audit[0].At, "audit At")

	// A claimed target cannot be updated with the version read before.
	stale := *tg
	stale.State = scheduling.Cancelled
	require.ErrorIs(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{&stale}}), scheduling.ErrConflict)

	none, err := s.ClaimDue(ctx, now, "w1", time.Minute, 0)
	require.NoError(t, err)
	require.Empty(t, none)
}

func testClaimPaused(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	insert(t, s, "p1", "a", 0, time.Minute)
	insert(t, s, "p2", "b", 0)
	acc := &scheduling.AccountSettings{AccountID: "a", Zone: "Europe/Paris", Paused: true, PausedAt: base}
	require.NoError(t, s.PutAccount(ctx, acc))
	next, ok, err := s.NextDue(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	requireTime(t, base, next, "NextDue")

	cs, err := s.ClaimDue(ctx, at(time.Hour), "w", time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"p2-t00"}, ids(cs))
	_, ok, err = s.NextDue(ctx)
	require.NoError(t, err)
	require.True(t, ok, "the claimed target's lease expiry is due")

	acc.Paused = false
	require.NoError(t, s.PutAccount(ctx, acc))
	cs, err = s.ClaimDue(ctx, at(time.Hour), "w", time.Hour, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"p1-t00", "p1-t01"}, ids(cs))
}

func testBlackouts(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	insert(t, s, "p1", "a", 0, 30*time.Minute)
	b := scheduling.Blackout{ID: "crisis", From: at(-time.Minute), Until: at(time.Hour), Reason: "crise", By: "lead"}
	require.NoError(t, s.PutBlackout(ctx, b))
	require.NoError(t, s.PutBlackout(ctx, scheduling.Blackout{ID: "old", From: at(-48 * time.Hour), Until: at(-24 * time.Hour)}))
	cs, err := s.ClaimDue(ctx, at(59*time.Minute), "w", time.Minute, 10)
	require.NoError(t, err)
	require.Empty(t, cs, "nothing is claimed during a blackout")

	list, err := s.ListBlackouts(ctx, base)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "crisis", list[0].ID)
	require.Equal(t, "crise", list[0].Reason)
	require.Equal(t, "lead", list[0].By)
	requireTime(t, b.From, list[0].From, "From")
	requireTime(t, b.Until, list[0].Until, "Until")
	all, err := s.ListBlackouts(ctx, time.Time{})
	require.NoError(t, err)
	require.Len(t, all, 2)
	require.Equal(t, "old", all[0].ID, "ordered by From")

	cs, err = s.ClaimDue(ctx, at(time.Hour), "w", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, cs, 2, "Until is exclusive")

	require.NoError(t, s.DeleteBlackout(ctx, "crisis"))
	require.ErrorIs(t, s.DeleteBlackout(ctx, "crisis"), scheduling.ErrNotFound)
	// PutBlackout replaces by ID.
	b.Reason = "fin"
	require.NoError(t, s.PutBlackout(ctx, b))
	require.NoError(t, s.PutBlackout(ctx, b))
	list, err = s.ListBlackouts(ctx, base)
	require.NoError(t, err)
	require.Len(t, list, 1)
	require.Equal(t, "fin", list[0].Reason)
}

func testLeaseExpiry(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	insert(t, s, "p1", "a", 0)
	cs, err := s.ClaimDue(ctx, base, "w1", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	first := cs[0].Target

	again, err := s.ClaimDue(ctx, at(59*time.Second), "w2", time.Minute, 10)
	require.NoError(t, err)
	require.Empty(t, again, "a live lease is not reclaimed")
	next, ok, err := s.NextDue(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	requireTime(t, at(time.Minute), next, "NextDue is the lease expiry")

	re, err := s.ClaimDue(ctx, at(time.Minute), "w2", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, re, 1)
	r := re[0]
	require.True(t, r.Reclaimed)
	require.True(t, r.Target.Unknown)
	require.Equal(t, 2, r.Target.Attempt)
	require.Equal(t, "w2", r.Target.LeaseOwner)
	require.Equal(t, first.Key, r.Target.Key, "the idempotency key is stable across attempts")

	// The first worker comes back: its completion is refused.
	errs, err := s.Complete(ctx, "w1", []scheduling.Completion{{TargetID: first.ID, Attempt: first.Attempt, State: scheduling.Published}})
	require.NoError(t, err)
	require.ErrorIs(t, errs[0], scheduling.ErrLeaseLost)
	audit, err := s.ListAudit(ctx, scheduling.AuditFilter{TargetID: first.ID})
	require.NoError(t, err)
	require.Len(t, audit, 2)
	require.Equal(t, scheduling.Publishing, audit[1].From)
	require.Equal(t, "scheduler:w2", audit[1].Actor)
}

func testComplete(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	insert(t, s, "p1", "a", 0, 0, 0, 0)
	cs, err := s.ClaimDue(ctx, base, "w", 2*time.Hour, 10)
	require.NoError(t, err)
	require.Len(t, cs, 4)
	done := at(time.Second)
	next := newTarget("p1", "p1-next", "a", at(7*24*time.Hour))
	next.Run = 1
	comps := []scheduling.Completion{
		{TargetID: cs[0].Target.ID, Attempt: 1, State: scheduling.Published,
			Result: scheduling.Result{PostID: "n1", URL: "https://n/1", PublishedAt: done}, Next: next,
			Audit: []scheduling.AuditEntry{{PostID: "p1", TargetID: cs[0].Target.ID, At: done, Actor: "scheduler:w", Action: "published", From: scheduling.Publishing, To: scheduling.Published}}},
		{TargetID: cs[1].Target.ID, Attempt: 1, State: scheduling.Failed,
			Failure: scheduling.Failure{Code: connectors.InvalidContent, Message: "too long"}},
		{TargetID: cs[2].Target.ID, Attempt: 1, State: scheduling.Scheduled, NotBefore: at(time.Hour),
			Failure: scheduling.Failure{Code: connectors.RateLimited, Message: "429"}, Pending: []byte("resume")},
		{TargetID: cs[3].Target.ID, Attempt: 1, State: scheduling.Published},
	}
	errs, err := s.Complete(ctx, "intruder", comps[3:])
	require.NoError(t, err)
	require.ErrorIs(t, errs[0], scheduling.ErrLeaseLost, "completion by another owner")
	wrong := comps[3]
	wrong.Attempt = 2
	errs, err = s.Complete(ctx, "w", []scheduling.Completion{wrong})
	require.NoError(t, err)
	require.ErrorIs(t, errs[0], scheduling.ErrLeaseLost, "completion of another attempt")

	errs, err = s.Complete(ctx, "w", comps[:3])
	require.NoError(t, err)
	require.Equal(t, []error{nil, nil, nil}, errs)
	require.Equal(t, int64(1), next.Version)
	require.Positive(t, comps[0].Audit[0].Seq)

	g, err := s.GetTarget(ctx, cs[0].Target.ID)
	require.NoError(t, err)
	require.Equal(t, scheduling.Published, g.State)
	require.Equal(t, "n1", g.Result.PostID)
	require.Equal(t, "https://n/1", g.Result.URL)
	requireTime(t, done, g.Result.PublishedAt, "PublishedAt")
	require.Empty(t, g.LeaseOwner)
	require.True(t, g.LeaseUntil.IsZero())
	require.Equal(t, int64(3), g.Version)
	g, err = s.GetTarget(ctx, cs[1].Target.ID)
	require.NoError(t, err)
	require.Equal(t, scheduling.Failed, g.State)
	require.Equal(t, connectors.InvalidContent, g.Failure.Code)
	g, err = s.GetTarget(ctx, cs[2].Target.ID)
	require.NoError(t, err)
	require.Equal(t, scheduling.Scheduled, g.State)
	requireTime(t, at(time.Hour), g.NotBefore, "NotBefore")
	require.Equal(t, []byte("resume"), g.Pending)
	n, err := s.GetTarget(ctx, "p1-next")
	require.NoError(t, err)
	require.Equal(t, 1, n.Run)
	require.Equal(t, scheduling.Scheduled, n.State)

	// Completing twice is refused.
	errs, err = s.Complete(ctx, "w", comps[:1])
	require.NoError(t, err)
	require.ErrorIs(t, errs[0], scheduling.ErrLeaseLost)

	// The deferred one is claimable at NotBefore, with its Pending state.
	cl, err := s.ClaimDue(ctx, at(time.Hour), "w", time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{cs[2].Target.ID}, ids(cl))
	require.Equal(t, 2, cl[0].Target.Attempt)
	require.Equal(t, []byte("resume"), cl[0].Target.Pending)
}

func testRelease(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	insert(t, s, "p1", "a", 0, 0)
	cs, err := s.ClaimDue(ctx, base, "w", time.Hour, 10)
	require.NoError(t, err)
	require.Len(t, cs, 2)
	refs := []scheduling.LeaseRef{{TargetID: cs[0].Target.ID, Attempt: 1}, {TargetID: cs[1].Target.ID, Attempt: 7}}
	require.NoError(t, s.Release(ctx, at(time.Second), "other", refs))
	require.NoError(t, s.Release(ctx, at(time.Second), "w", refs))
	g, err := s.GetTarget(ctx, cs[0].Target.ID)
	require.NoError(t, err)
	require.Equal(t, scheduling.Scheduled, g.State)
	require.Equal(t, 0, g.Attempt)
	require.Empty(t, g.LeaseOwner)
	require.False(t, g.Unknown)
	g, err = s.GetTarget(ctx, cs[1].Target.ID)
	require.NoError(t, err)
	require.Equal(t, scheduling.Publishing, g.State, "wrong attempt: not released")

	// Another worker claims it at once, not as an unknown outcome.
	re, err := s.ClaimDue(ctx, at(time.Second), "w2", time.Hour, 10)
	require.NoError(t, err)
	require.Equal(t, []string{cs[0].Target.ID}, ids(re))
	require.False(t, re[0].Reclaimed)
	require.False(t, re[0].Target.Unknown)
	require.Equal(t, 1, re[0].Target.Attempt)
	audit, err := s.ListAudit(ctx, scheduling.AuditFilter{TargetID: cs[0].Target.ID})
	require.NoError(t, err)
	require.Len(t, audit, 3)
	require.Equal(t, "released", audit[1].Action)
	requireTime(t, at(time.Second), audit[1].At, "released At")
}

func testRenew(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	insert(t, s, "p1", "a", 0, 0)
	cs, err := s.ClaimDue(ctx, base, "w", time.Minute, 10)
	require.NoError(t, err)
	refs := []scheduling.LeaseRef{{TargetID: cs[0].Target.ID, Attempt: 1}, {TargetID: cs[1].Target.ID, Attempt: 3}}
	lost, err := s.Renew(ctx, "w", refs, at(10*time.Minute))
	require.NoError(t, err)
	require.Equal(t, refs[1:], lost)
	g, err := s.GetTarget(ctx, cs[0].Target.ID)
	require.NoError(t, err)
	requireTime(t, at(10*time.Minute), g.LeaseUntil, "renewed LeaseUntil")
	require.Equal(t, cs[0].Target.Version, g.Version, "renewal keeps the version")
	re, err := s.ClaimDue(ctx, at(5*time.Minute), "w2", time.Hour, 10)
	require.NoError(t, err)
	require.Equal(t, []string{cs[1].Target.ID}, ids(re), "only the lease not renewed expired")
	re, err = s.ClaimDue(ctx, at(10*time.Minute), "w2", time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{cs[0].Target.ID}, ids(re))
}

func testNextDue(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	_, ok, err := s.NextDue(ctx)
	require.NoError(t, err)
	require.False(t, ok)
	insert(t, s, "p1", "a", 2*time.Hour, time.Hour)
	next, ok, err := s.NextDue(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	requireTime(t, at(time.Hour), next, "NextDue")
	// A deferral moves it.
	tg, err := s.GetTarget(ctx, "p1-t01")
	require.NoError(t, err)
	tg.NotBefore = at(3 * time.Hour)
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{tg}}))
	next, _, err = s.NextDue(ctx)
	require.NoError(t, err)
	requireTime(t, at(2*time.Hour), next, "NextDue after deferral")
	// A cancelled target is not due.
	tg2, err := s.GetTarget(ctx, "p1-t00")
	require.NoError(t, err)
	tg2.State = scheduling.Cancelled
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{tg2}}))
	next, _, err = s.NextDue(ctx)
	require.NoError(t, err)
	requireTime(t, at(3*time.Hour), next, "NextDue after cancel")
}

func testListTargets(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	insert(t, s, "p1", "a", 3*time.Hour, time.Hour)
	insert(t, s, "p2", "b", 2*time.Hour)
	insert(t, s, "p3", "a", 2*time.Hour, 4*time.Hour)
	tg, err := s.GetTarget(ctx, "p3-t01")
	require.NoError(t, err)
	tg.State = scheduling.Cancelled
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{tg}}))

	list := func(f scheduling.TargetFilter) []string {
		ts, err := s.ListTargets(ctx, f)
		require.NoError(t, err)
		out := make([]string, len(ts))
		for i, t := range ts {
			out[i] = t.ID
		}
		return out
	}
	require.Equal(t, []string{"p1-t01", "p2-t00", "p3-t00", "p1-t00", "p3-t01"}, list(scheduling.TargetFilter{}))
	require.Equal(t, []string{"p1-t01", "p3-t00", "p1-t00", "p3-t01"}, list(scheduling.TargetFilter{AccountID: "a"}))
	require.Equal(t, []string{"p1-t01", "p1-t00"}, list(scheduling.TargetFilter{PostID: "p1"}))
	require.Equal(t, []string{"p3-t01"}, list(scheduling.TargetFilter{States: []scheduling.State{scheduling.Cancelled}}))
	require.Equal(t, []string{"p2-t00", "p3-t00", "p1-t00"}, list(scheduling.TargetFilter{RunFrom: at(2 * time.Hour), RunBefore: at(4 * time.Hour)}))
	require.Equal(t, []string{"p1-t01", "p3-t00"}, list(scheduling.TargetFilter{AccountID: "a", States: []scheduling.State{scheduling.Scheduled}, Limit: 2}))
	// Keyset paging.
	var pages []string
	f := scheduling.TargetFilter{Limit: 2}
	for {
		ts, err := s.ListTargets(ctx, f)
		require.NoError(t, err)
		if len(ts) == 0 {
			break
		}
		for _, t := range ts {
			pages = append(pages, t.ID)
		}
		last := ts[len(ts)-1]
		f.AfterRunAt, f.AfterID = last.RunAt(), last.ID
	}
	require.Equal(t, list(scheduling.TargetFilter{}), pages)
}

func testCountPublished(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	insert(t, s, "p1", "a", 0, 0, 0)
	insert(t, s, "p2", "b", 0)
	cs, err := s.ClaimDue(ctx, base, "w", time.Minute, 10)
	require.NoError(t, err)
	var comps []scheduling.Completion
	for i, c := range cs {
		comps = append(comps, scheduling.Completion{TargetID: c.Target.ID, Attempt: 1, State: scheduling.Published,
			Result: scheduling.Result{PostID: fmt.Sprint(i), PublishedAt: at(time.Duration(i) * time.Hour)}})
	}
	_, err = s.Complete(ctx, "w", comps)
	require.NoError(t, err)
	n, err := s.CountPublished(ctx, "a", at(time.Hour))
	require.NoError(t, err)
	// cs order: p1-t00 (0h), p1-t01 (1h), p1-t02 (2h), p2-t00 (3h).
	require.Equal(t, 2, n)
	n, err = s.CountPublished(ctx, "b", base)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	n, err = s.CountPublished(ctx, "zzz", base)
	require.NoError(t, err)
	require.Zero(t, n)
}

func testAuditOrder(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	insert(t, s, "p1", "a", 0)
	insert(t, s, "p2", "a", 0)
	for i := range 5 {
		for _, p := range []string{"p1", "p2"} {
			require.NoError(t, s.Apply(ctx, &scheduling.Change{Audit: []scheduling.AuditEntry{
				{PostID: p, TargetID: p + "-t00", At: at(time.Duration(i) * time.Second), Actor: "camille", Action: fmt.Sprint("note", i), Reason: "r"},
			}}))
		}
	}
	es, err := s.ListAudit(ctx, scheduling.AuditFilter{PostID: "p1"})
	require.NoError(t, err)
	require.Len(t, es, 6)
	require.Equal(t, "created", es[0].Action)
	for i := 1; i < len(es); i++ {
		require.Greater(t, es[i].Seq, es[i-1].Seq)
		require.Equal(t, fmt.Sprint("note", i-1), es[i].Action)
		require.Equal(t, "p1", es[i].PostID)
	}
	require.Equal(t, "camille", es[1].Actor)
	require.Equal(t, "r", es[1].Reason)
	requireTime(t, at(0), es[1].At, "At")
	all, err := s.ListAudit(ctx, scheduling.AuditFilter{})
	require.NoError(t, err)
	require.Len(t, all, 12)
	for i := 1; i < len(all); i++ {
		require.Greater(t, all[i].Seq, all[i-1].Seq)
	}
	page, err := s.ListAudit(ctx, scheduling.AuditFilter{PostID: "p1", AfterSeq: es[2].Seq, Limit: 2})
	require.NoError(t, err)
	require.Equal(t, es[3:5], page)
	byTarget, err := s.ListAudit(ctx, scheduling.AuditFilter{TargetID: "p2-t00"})
	require.NoError(t, err)
	require.Len(t, byTarget, 5)
}

func testAccounts(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	_, err := s.GetAccount(ctx, "a")
	require.ErrorIs(t, err, scheduling.ErrNotFound)
	a := &scheduling.AccountSettings{AccountID: "a", Zone: "America/New_York",
		Slots:    []scheduling.Slot{{Weekday: time.Monday, Hour: 9, Minute: 30}, {Weekday: time.Sunday, Hour: 18}},
		OnMissed: scheduling.MoveToNextSlot, MaxPer24h: 25}
	require.NoError(t, s.PutAccount(ctx, a))
	require.Equal(t, int64(1), a.Version)
	require.NoError(t, s.PutAccount(ctx, &scheduling.AccountSettings{AccountID: "0first", Zone: "UTC"}))
	g, err := s.GetAccount(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, a, g)

	stale := *g
	g.Paused, g.PausedAt = true, base
	require.NoError(t, s.PutAccount(ctx, g))
	require.Equal(t, int64(2), g.Version)
	stale.Zone = "Europe/Paris"
	require.ErrorIs(t, s.PutAccount(ctx, &stale), scheduling.ErrConflict)
	require.ErrorIs(t, s.PutAccount(ctx, &scheduling.AccountSettings{AccountID: "a"}), scheduling.ErrConflict)
	require.ErrorIs(t, s.PutAccount(ctx, &scheduling.AccountSettings{AccountID: "new", Version: 4}), scheduling.ErrNotFound)

	list, err := s.ListAccounts(ctx)
	require.NoError(t, err)
	require.Len(t, list, 2)
	require.Equal(t, "0first", list[0].AccountID)
	require.True(t, list[1].Paused)
	requireTime(t, base, list[1].PausedAt, "PausedAt")
	require.Equal(t, "America/New_York", list[1].Zone)
	require.Equal(t, a.Slots, list[1].Slots)
}

func testConcurrentClaimers(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	const posts, perPost, workers = 200, 3, 8
	for i := range posts {
		insert(t, s, fmt.Sprintf("p%03d", i), fmt.Sprint("acct", i%5), 0, time.Second, 2*time.Second)
	}
	var mu sync.Mutex
	seen := make(map[string]string)
	var wg sync.WaitGroup
	errc := make(chan error, workers)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			owner := fmt.Sprint("w", w)
			for {
				cs, err := s.ClaimDue(ctx, at(time.Minute), owner, time.Hour, 7)
				if err != nil {
					errc <- err
					return
				}
				if len(cs) == 0 {
					return
				}
				comps := make([]scheduling.Completion, 0, len(cs))
				mu.Lock()
				for _, c := range cs {
					if prev, dup := seen[c.Target.ID]; dup {
						mu.Unlock()
						errc <- fmt.Errorf("target %s claimed by %s and %s", c.Target.ID, prev, owner)
						return
					}
					seen[c.Target.ID] = owner
					comps = append(comps, scheduling.Completion{TargetID: c.Target.ID, Attempt: c.Target.Attempt, State: scheduling.Published})
				}
				mu.Unlock()
				errs, err := s.Complete(ctx, owner, comps)
				if err == nil {
					err = errors.Join(errs...)
				}
				if err != nil {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		require.NoError(t, err)
	}
	require.Len(t, seen, posts*perPost)
	ts, err := s.ListTargets(ctx, scheduling.TargetFilter{States: []scheduling.State{scheduling.Published}})
	require.NoError(t, err)
	require.Len(t, ts, posts*perPost)
}

func testBigBatch(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	const n = 5000
	c := &scheduling.Change{Post: newPost("big")}
	for i := range n {
		c.Targets = append(c.Targets, newTarget("big", fmt.Sprintf("t%05d", i), fmt.Sprint("acct", i%10), at(time.Duration(n-i)*time.Millisecond)))
	}
	require.NoError(t, s.Apply(ctx, c))
	got := 0
	last := time.Time{}
	for {
		cs, err := s.ClaimDue(ctx, at(time.Hour), "w", time.Hour, 500)
		require.NoError(t, err)
		if len(cs) == 0 {
			break
		}
		require.LessOrEqual(t, len(cs), 500)
		comps := make([]scheduling.Completion, len(cs))
		for i, c := range cs {
			require.False(t, c.Target.RunAt().Before(last), "claims in RunAt order")
			last = c.Target.RunAt()
			comps[i] = scheduling.Completion{TargetID: c.Target.ID, Attempt: 1, State: scheduling.Published}
		}
		errs, err := s.Complete(ctx, "w", comps)
		require.NoError(t, err)
		require.NoError(t, errors.Join(errs...))
		got += len(cs)
	}
	require.Equal(t, n, got)
	_, ok, err := s.NextDue(ctx)
	require.NoError(t, err)
	require.False(t, ok)
}

// queued returns a new queued target in state st.
func queued(postID, id, account string, due time.Time, st scheduling.State) *scheduling.Target {
	t := newTarget(postID, id, account, due)
	t.Queued, t.State = true, st
	return t
}

// requireSlotTaken checks err is the refusal of target id on the slot.
func requireSlotTaken(t *testing.T, err error, account string, due time.Time, id string) {
	t.Helper()
	require.ErrorIs(t, err, scheduling.ErrSlotTaken)
	require.ErrorIs(t, err, scheduling.ErrConflict)
	var st *scheduling.SlotTakenError
	require.True(t, errors.As(err, &st), "want a *SlotTakenError, got %v", err)
	require.Equal(t, account, st.AccountID)
	requireTime(t, due, st.Due, "SlotTakenError.Due")
	require.Equal(t, id, st.TargetID)
}

func testSlotTakenOnce(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	slot := at(time.Hour)
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p1"),
		Targets: []*scheduling.Target{queued("p1", "t1", "a", slot, scheduling.Scheduled)}}))

	// Every state that holds a slot refuses a second queued target, and
	// nothing of the change is written.
	for _, st := range []scheduling.State{scheduling.Draft, scheduling.AwaitingApproval, scheduling.Scheduled, scheduling.Publishing} {
		c := &scheduling.Change{Post: newPost("p2"), Targets: []*scheduling.Target{queued("p2", "t2", "a", slot, st)},
			Audit: []scheduling.AuditEntry{{PostID: "p2", At: base, Actor: "x", Action: "created"}}}
		requireSlotTaken(t, s.Apply(ctx, c), "a", slot, "t2")
		require.Zero(t, c.Post.Version, st.String())
		_, _, err := s.GetPost(ctx, "p2")
		require.ErrorIs(t, err, scheduling.ErrNotFound, st.String())
	}
	audit, err := s.ListAudit(ctx, scheduling.AuditFilter{PostID: "p2"})
	require.NoError(t, err)
	require.Empty(t, audit)

	// Two new targets on one slot in one change.
	c := &scheduling.Change{Post: newPost("p3"), Targets: []*scheduling.Target{
		queued("p3", "t3a", "b", slot, scheduling.Scheduled), queued("p3", "t3b", "b", slot, scheduling.AwaitingApproval)}}
	err = s.Apply(ctx, c)
	require.ErrorIs(t, err, scheduling.ErrSlotTaken)
	_, err = s.GetTarget(ctx, "t3a")
	require.ErrorIs(t, err, scheduling.ErrNotFound)

	// Moving a queued target onto a held slot is refused too, and leaves
	// it as it was.
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p4"),
		Targets: []*scheduling.Target{queued("p4", "t4", "a", at(2*time.Hour), scheduling.Scheduled)}}))
	t4, err := s.GetTarget(ctx, "t4")
	require.NoError(t, err)
	t4.Due = slot
	requireSlotTaken(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{t4}}), "a", slot, "t4")
	require.Equal(t, int64(1), t4.Version)
	g, err := s.GetTarget(ctx, "t4")
	require.NoError(t, err)
	requireTime(t, at(2*time.Hour), g.Due, "Due")
	require.Equal(t, int64(1), g.Version)

	// Claiming, releasing and deferring the holder keep its slot.
	cs, err := s.ClaimDue(ctx, slot, "w", time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"t1"}, ids(cs))
	require.NoError(t, s.Release(ctx, slot, "w", []scheduling.LeaseRef{{TargetID: "t1", Attempt: 1}}))
	requireSlotTaken(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p5"),
		Targets: []*scheduling.Target{queued("p5", "t5", "a", slot, scheduling.Scheduled)}}), "a", slot, "t5")
}

func testSlotOnlyQueued(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	slot := at(time.Hour)
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p1"),
		Targets: []*scheduling.Target{queued("p1", "t1", "a", slot, scheduling.Scheduled)}}))
	// Targets not queued share the instant with anything, the slot of
	// another account is another slot, and the instant next to it too.
	c := &scheduling.Change{Post: newPost("p2"), Targets: []*scheduling.Target{
		newTarget("p2", "t2a", "a", slot), newTarget("p2", "t2b", "a", slot),
		queued("p2", "t2c", "b", slot, scheduling.Scheduled), queued("p2", "t2d", "a", slot.Add(time.Microsecond), scheduling.Scheduled)}}
	require.NoError(t, s.Apply(ctx, c))
	ts, err := s.ListTargets(ctx, scheduling.TargetFilter{AccountID: "a"})
	require.NoError(t, err)
	require.Len(t, ts, 4)
	// A target that is not queued may move to a held slot; one that stops
	// being queued frees its slot.
	t2a, err := s.GetTarget(ctx, "t2a")
	require.NoError(t, err)
	t2a.Due = slot.Add(time.Microsecond)
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{t2a}}))
	t1, err := s.GetTarget(ctx, "t1")
	require.NoError(t, err)
	t1.Queued = false
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{t1}}))
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p3"),
		Targets: []*scheduling.Target{queued("p3", "t3", "a", slot, scheduling.Scheduled)}}))
}

func testSlotFreed(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	slot := at(0)
	// Published (by a completion), Failed, Cancelled and NeedsRescheduling
	// free their slot; the next queued target takes it.
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p0"),
		Targets: []*scheduling.Target{queued("p0", "t0", "a", slot, scheduling.Scheduled)}}))
	cs, err := s.ClaimDue(ctx, slot, "w", time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"t0"}, ids(cs))
	errs, err := s.Complete(ctx, "w", []scheduling.Completion{{TargetID: "t0", Attempt: 1, State: scheduling.Published,
		Result: scheduling.Result{PostID: "n0", PublishedAt: slot}}})
	require.NoError(t, err)
	require.NoError(t, errs[0])
	prev := "t0"
	for i, st := range []scheduling.State{scheduling.Failed, scheduling.Cancelled, scheduling.NeedsRescheduling} {
		post, id := fmt.Sprintf("p%d", i+1), fmt.Sprintf("t%d", i+1)
		require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost(post),
			Targets: []*scheduling.Target{queued(post, id, "a", slot, scheduling.Scheduled)}}), "after %s", prev)
		g, err := s.GetTarget(ctx, id)
		require.NoError(t, err)
		g.State = st
		require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{g}}))
		prev = id
	}
	// Freeing a slot and taking it in one change works whatever the order.
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p4"),
		Targets: []*scheduling.Target{queued("p4", "t4", "a", slot, scheduling.Scheduled)}}))
	t4, err := s.GetTarget(ctx, "t4")
	require.NoError(t, err)
	t4.State = scheduling.Cancelled
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p5"), Targets: []*scheduling.Target{
		queued("p5", "t5", "a", slot, scheduling.Scheduled), t4}}))
	// A final target taken back into the queue needs its slot free.
	t4.State = scheduling.Scheduled
	requireSlotTaken(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{t4}}), "a", slot, "t4")
}

func testSlotSwap(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p1"), Targets: []*scheduling.Target{
		queued("p1", "ta", "a", at(time.Hour), scheduling.Scheduled)}}))
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p2"), Targets: []*scheduling.Target{
		queued("p2", "tb", "a", at(2*time.Hour), scheduling.AwaitingApproval),
		queued("p2", "tc", "a", at(3*time.Hour), scheduling.Scheduled)}}))
	ta, err := s.GetTarget(ctx, "ta")
	require.NoError(t, err)
	tb, err := s.GetTarget(ctx, "tb")
	require.NoError(t, err)
	tc, err := s.GetTarget(ctx, "tc")
	require.NoError(t, err)
	// Two targets exchange their slots, and three rotate theirs.
	ta.Due, tb.Due = tb.Due, ta.Due
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{ta, tb},
		Audit: []scheduling.AuditEntry{{PostID: "p1", TargetID: "ta", At: base, Actor: "x", Action: "swapped"}}}))
	ta.Due, tb.Due, tc.Due = tb.Due, tc.Due, ta.Due
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{tc, ta, tb}}))
	for id, want := range map[string]time.Duration{"ta": time.Hour, "tb": 3 * time.Hour, "tc": 2 * time.Hour} {
		g, err := s.GetTarget(ctx, id)
		require.NoError(t, err)
		requireTime(t, at(want), g.Due, id+".Due")
	}
	// A swap that would leave two targets on one slot is refused whole.
	ta.Due = tb.Due
	err = s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{tb, ta}})
	require.ErrorIs(t, err, scheduling.ErrSlotTaken)
	g, err := s.GetTarget(ctx, "ta")
	require.NoError(t, err)
	requireTime(t, at(time.Hour), g.Due, "ta.Due")
	require.Equal(t, ta.Version, g.Version)
}

func testSlotOfNext(t *testing.T, s scheduling.Store) {
	ctx := context.Background()
	slot := at(7 * 24 * time.Hour)
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: newPost("p1"), Targets: []*scheduling.Target{
		queued("p1", "t1", "a", at(0), scheduling.Scheduled), queued("p1", "held", "a", slot, scheduling.Scheduled)}}))
	cs, err := s.ClaimDue(ctx, at(0), "w", time.Minute, 10)
	require.NoError(t, err)
	require.Equal(t, []string{"t1"}, ids(cs))
	done := scheduling.Completion{TargetID: "t1", Attempt: 1, State: scheduling.Published,
		Result: scheduling.Result{PostID: "n1", PublishedAt: at(0)}, Next: queued("p1", "next", "a", slot, scheduling.Scheduled),
		Audit: []scheduling.AuditEntry{{PostID: "p1", TargetID: "t1", At: at(0), Actor: "scheduler:w", Action: "published"}}}
	errs, err := s.Complete(ctx, "w", []scheduling.Completion{done})
	require.NoError(t, err)
	requireSlotTaken(t, errs[0], "a", slot, "next")
	g, err := s.GetTarget(ctx, "t1")
	require.NoError(t, err)
	require.Equal(t, scheduling.Publishing, g.State, "nothing of the completion is written")
	_, err = s.GetTarget(ctx, "next")
	require.ErrorIs(t, err, scheduling.ErrNotFound)

	done.Next.Due = slot.Add(24 * time.Hour)
	errs, err = s.Complete(ctx, "w", []scheduling.Completion{done})
	require.NoError(t, err)
	require.NoError(t, errs[0])
	g, err = s.GetTarget(ctx, "next")
	require.NoError(t, err)
	require.True(t, g.Queued)
}
