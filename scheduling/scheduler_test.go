package scheduling_test

import (
	"context"
	"errors"
	"log/slog"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/connectors/memconnector"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/memstore"
)

func TestConfigValidate(t *testing.T) {
	_, err := scheduling.New(scheduling.Config{})
	require.Error(t, err)
	require.Contains(t, err.Error(), "Store is nil")
	require.Contains(t, err.Error(), "Accounts is nil")
	cfg := scheduling.Config{Store: memstore.New(), Accounts: scheduling.AccountMap(nil), Workers: -1, Lease: time.Millisecond}.WithDefaults()
	err = cfg.Validate()
	require.ErrorContains(t, err, "Workers is -1")
	require.ErrorContains(t, err, "Lease is 1ms")
	cfg = scheduling.Config{Store: memstore.New(), Accounts: scheduling.AccountMap(nil)}.WithDefaults()
	require.NoError(t, cfg.Validate())
	require.Equal(t, 8, cfg.Workers)
	require.Equal(t, 256, cfg.BatchSize)
	require.True(t, strings.HasPrefix(cfg.Owner, "sched-"))
}

func TestPublishLifecycleAndAudit(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	p, ts := h.create("Bonjour !", on("brand", at(time.Hour)))
	require.Equal(t, scheduling.Scheduled, ts[0].State)
	require.Equal(t, "cmkit-"+ts[0].ID, ts[0].Key)
	require.Zero(t, h.runDue(), "not due yet")
	h.clock.Advance(time.Hour)
	require.Equal(t, 1, h.runDue())
	got := h.target(ts[0].ID)
	require.Equal(t, scheduling.Published, got.State)
	require.NotEmpty(t, got.Result.PostID)
	require.NotEmpty(t, got.Result.URL)
	require.Equal(t, monday.Add(time.Hour), got.Result.PublishedAt)
	posts := h.net.Posts("brand")
	require.Len(t, posts, 1)
	require.Equal(t, "Bonjour !", posts[0].Text)
	require.Equal(t, ts[0].Key, posts[0].IdempotencyKey)
	require.Equal(t, []string{"created:none>scheduled", "claimed:scheduled>publishing", "published:publishing>published"}, h.actions(p.ID))
	audit, err := h.sched.Audit(h.ctx, p.ID)
	require.NoError(t, err)
	require.Equal(t, "camille", audit[0].Actor)
	require.Equal(t, "scheduler:w1", audit[1].Actor)
	require.Equal(t, monday.Add(time.Hour), audit[2].At)
	require.Equal(t, []scheduling.EventKind{scheduling.EventPublished}, h.eventKinds())
	require.Zero(t, h.runDue(), "published once")
	require.EqualValues(t, 1, h.net.PublishCount("brand"))
}

func TestCreateRejectsBadRequests(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	tests := []struct {
		name string
		np   scheduling.NewPost
		want error
	}{
		{"no targets", scheduling.NewPost{Content: connectors.Post{Text: "x"}}, scheduling.ErrInvalid},
		{"two times", scheduling.NewPost{Content: connectors.Post{Text: "x"}, Targets: []scheduling.TargetSpec{{AccountID: "brand", Now: true, Queue: true}}}, scheduling.ErrInvalid},
		{"past", scheduling.NewPost{Content: connectors.Post{Text: "x"}, Targets: []scheduling.TargetSpec{on("brand", at(-time.Hour))}}, scheduling.ErrInvalid},
		{"twice the same account", scheduling.NewPost{Content: connectors.Post{Text: "x"}, Targets: []scheduling.TargetSpec{on("brand", at(time.Hour)), on("brand", at(2*time.Hour))}}, scheduling.ErrInvalid},
		{"bad zone", scheduling.NewPost{Content: connectors.Post{Text: "x"}, Targets: []scheduling.TargetSpec{{AccountID: "brand", Local: scheduling.Civil{Year: 2026, Month: 4, Day: 1, Hour: 9}, Zone: "Mars/Olympus"}}}, scheduling.ErrInvalid},
		{"queue without slots", scheduling.NewPost{Content: connectors.Post{Text: "x"}, Targets: []scheduling.TargetSpec{{AccountID: "brand", Queue: true}}}, scheduling.ErrNoSlot},
		{"unstorable media", scheduling.NewPost{Content: connectors.Post{Text: "x", Media: []connectors.Media{{Kind: connectors.MediaImage, MIMEType: "image/png", Size: 3}}}, Targets: []scheduling.TargetSpec{on("brand", at(time.Hour))}}, scheduling.ErrInvalid},
		{"unknown account", scheduling.NewPost{Content: connectors.Post{Text: "x"}, Targets: []scheduling.TargetSpec{on("ghost", at(time.Hour))}}, connectors.ErrNotFound},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			_, _, err := h.sched.Create(h.ctx, cm, tc.np)
			require.ErrorIs(t, err, tc.want)
		})
	}
	ts, err := h.sched.Targets(h.ctx, scheduling.TargetFilter{})
	require.NoError(t, err)
	require.Empty(t, ts, "nothing stored")
}

func TestValidationAtScheduleTimeNamesTheTarget(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	other := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: h.clock.Now, Name: "mem", Profile: "mastodon"})
	h.addAccount("toot", other)
	long := strings.Repeat("a", 300) // over X's 280, under Mastodon's 500
	_, _, err := h.sched.Create(h.ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: long},
		Targets: []scheduling.TargetSpec{on("toot", at(time.Hour)), on("brand", at(time.Hour))}})
	require.Error(t, err)
	var te *scheduling.TargetError
	require.ErrorAs(t, err, &te)
	require.Equal(t, "brand", te.AccountID)
	require.Equal(t, -1, te.Variant)
	var ve *connectors.ValidationError
	require.ErrorAs(t, err, &ve)
	require.Equal(t, "text", ve.Field)
	require.EqualValues(t, 280, ve.Limit)
	require.ErrorIs(t, err, connectors.ErrInvalidContent)
	require.Contains(t, err.Error(), `account "brand"`)
	require.NotContains(t, err.Error(), `"toot"`)

	// A variant is validated too.
	_, _, err = h.sched.Create(h.ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "ok"}, Variants: []connectors.Post{{Text: "fine"}, {Text: long}},
		Targets: []scheduling.TargetSpec{on("brand", at(time.Hour))}})
	require.ErrorAs(t, err, &te)
	require.Equal(t, 1, te.Variant)

	// A draft is not validated until it is submitted.
	p, ts, err := h.sched.Create(h.ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: long}, Draft: true,
		Targets: []scheduling.TargetSpec{on("brand", at(time.Hour))}})
	require.NoError(t, err)
	require.Equal(t, scheduling.Draft, ts[0].State)
	require.ErrorAs(t, h.sched.Submit(h.ctx, cm, p.ID), &ve)
	require.NoError(t, h.sched.Edit(h.ctx, cm, p.ID, connectors.Post{Text: "short"}, "trim"))
	require.NoError(t, h.sched.Submit(h.ctx, cm, p.ID))
	require.Equal(t, scheduling.Scheduled, h.target(ts[0].ID).State)
}

func TestApprovals(t *testing.T) {
	lead := scheduling.Actor{ID: "lea", Roles: []string{"lead"}}
	named := scheduling.Actor{ID: "nadia"}
	intern := scheduling.Actor{ID: "ivan", Roles: []string{"intern"}}
	policy := scheduling.Approval{Roles: []string{"lead"}, Approvers: []string{"nadia"}}
	tests := []struct {
		name     string
		approver scheduling.Actor
		wantRole string
	}{
		{"by role", lead, "lead"},
		{"by named approver", named, ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, []string{"brand"})
			p, ts, err := h.sched.Create(h.ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "Soldes"}, Approval: policy,
				Targets: []scheduling.TargetSpec{on("brand", at(time.Hour))}})
			require.NoError(t, err)
			require.Equal(t, scheduling.AwaitingApproval, ts[0].State)
			require.Equal(t, []scheduling.EventKind{scheduling.EventNeedsApproval}, h.eventKinds())
			h.clock.Advance(time.Hour)
			require.Zero(t, h.runDue(), "not published before approval")

			require.ErrorIs(t, h.sched.Approve(h.ctx, intern, p.ID, "lgtm"), scheduling.ErrNotAllowed)
			require.ErrorIs(t, h.sched.Approve(h.ctx, cm, p.ID, "lgtm"), scheduling.ErrNotAllowed)
			h.clock.Set(monday.Add(30 * time.Minute)) // no-op: the clock never goes back
			require.NoError(t, h.sched.Approve(h.ctx, tc.approver, p.ID, "lgtm"))
			post, _, err := h.sched.Post(h.ctx, p.ID)
			require.NoError(t, err)
			require.Len(t, post.Approvals, 1)
			require.Equal(t, tc.approver.ID, post.Approvals[0].By)
			require.Equal(t, tc.wantRole, post.Approvals[0].Role)
			require.Equal(t, 1, h.runDue())
			require.Equal(t, scheduling.Published, h.target(ts[0].ID).State)
			audit, err := h.sched.Audit(h.ctx, p.ID)
			require.NoError(t, err)
			require.Equal(t, "approved", audit[1].Action)
			require.Equal(t, tc.approver.ID, audit[1].Actor)
			require.Equal(t, "lgtm", audit[1].Reason)
			require.Equal(t, scheduling.AwaitingApproval, audit[1].From)
			require.Equal(t, scheduling.Scheduled, audit[1].To)
		})
	}

	t.Run("edit after approval needs approval again", func(t *testing.T) {
		h := newHarness(t, []string{"brand", "brand2"})
		p, ts, err := h.sched.Create(h.ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "v1"}, Approval: policy,
			Targets: []scheduling.TargetSpec{on("brand", at(time.Hour)), on("brand2", at(2*time.Hour))}})
		require.NoError(t, err)
		require.NoError(t, h.sched.Approve(h.ctx, lead, p.ID, ""))
		require.ErrorIs(t, h.sched.Approve(h.ctx, lead, p.ID, ""), scheduling.ErrState, "nothing awaits approval")
		h.clock.Advance(time.Hour)
		require.Equal(t, 1, h.runDue())
		require.NoError(t, h.sched.Edit(h.ctx, cm, p.ID, connectors.Post{Text: "v2"}, "typo"))
		post, got, err := h.sched.Post(h.ctx, p.ID)
		require.NoError(t, err)
		require.Empty(t, post.Approvals)
		require.Equal(t, "v2", post.Content.Text)
		byID := map[string]scheduling.State{got[0].ID: got[0].State, got[1].ID: got[1].State}
		require.Equal(t, scheduling.Published, byID[ts[0].ID], "published target untouched")
		require.Equal(t, scheduling.AwaitingApproval, byID[ts[1].ID])
		h.clock.Advance(time.Hour)
		require.Zero(t, h.runDue())
		require.NoError(t, h.sched.Approve(h.ctx, named, p.ID, "ok v2"))
		require.Equal(t, 1, h.runDue())
		require.Equal(t, "v2", h.net.Posts("brand2")[0].Text)
		require.Equal(t, "v1", h.net.Posts("brand")[0].Text)
	})

	t.Run("reject back to draft", func(t *testing.T) {
		h := newHarness(t, []string{"brand"})
		p, ts, err := h.sched.Create(h.ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "v1"}, Approval: policy,
			Targets: []scheduling.TargetSpec{on("brand", at(time.Hour))}})
		require.NoError(t, err)
		require.ErrorIs(t, h.sched.Reject(h.ctx, intern, p.ID, "no"), scheduling.ErrNotAllowed)
		require.NoError(t, h.sched.Reject(h.ctx, lead, p.ID, "off-brand tone"))
		require.Equal(t, scheduling.Draft, h.target(ts[0].ID).State)
		require.NoError(t, h.sched.Submit(h.ctx, cm, p.ID))
		require.Equal(t, scheduling.AwaitingApproval, h.target(ts[0].ID).State)
	})
}

func TestCancelRescheduleShareNowSwap(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	p1, t1 := h.create("un", on("brand", at(time.Hour)))
	_, t2 := h.create("deux", on("brand", at(2*time.Hour)))
	require.NoError(t, h.sched.Swap(h.ctx, cm, t1[0].ID, t2[0].ID))
	require.Equal(t, monday.Add(2*time.Hour), h.target(t1[0].ID).Due)
	require.Equal(t, monday.Add(time.Hour), h.target(t2[0].ID).Due)
	h.clock.Advance(time.Hour)
	require.Equal(t, 1, h.runDue())
	require.Equal(t, "deux", h.net.Posts("brand")[0].Text)

	require.NoError(t, h.sched.Cancel(h.ctx, cm, p1.ID, "postponed"))
	require.Equal(t, scheduling.Cancelled, h.target(t1[0].ID).State)
	require.ErrorIs(t, h.sched.Cancel(h.ctx, cm, p1.ID, "again"), scheduling.ErrState)
	h.clock.Advance(time.Hour)
	require.Zero(t, h.runDue())

	require.NoError(t, h.sched.ShareNow(h.ctx, cm, t1[0].ID))
	require.Equal(t, scheduling.Scheduled, h.target(t1[0].ID).State)
	require.Equal(t, 1, h.runDue())
	require.Len(t, h.net.Posts("brand"), 2)
	require.Equal(t, []string{"created:none>scheduled", "swapped:scheduled>scheduled", "cancelled:scheduled>cancelled",
		"rescheduled:cancelled>scheduled", "claimed:scheduled>publishing", "published:publishing>published"}, h.actions(p1.ID))
	require.ErrorIs(t, h.sched.Reschedule(h.ctx, cm, t1[0].ID, at(5*time.Hour), ""), scheduling.ErrState, "published")
}

func TestFanOutIsolation(t *testing.T) {
	h := newHarness(t, []string{"good"})
	bad := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: h.clock.Now, Name: "mem",
		Faults: func(op, account string) error {
			if op == memconnector.OpPublish {
				return &connectors.Error{Code: connectors.PermissionDenied, Message: "page role revoked"}
			}
			return nil
		}})
	h.addAccount("bad", bad)
	p, ts := h.create("Nouveau !", on("good", at(0)), on("bad", at(0)))
	require.Equal(t, 2, h.runDue())
	var good, failed *scheduling.Target
	for _, tg := range ts {
		g := h.target(tg.ID)
		if g.AccountID == "good" {
			good = g
		} else {
			failed = g
		}
	}
	require.Equal(t, scheduling.Published, good.State)
	require.Equal(t, scheduling.Failed, failed.State)
	require.Equal(t, connectors.PermissionDenied, failed.Failure.Code)
	require.Contains(t, failed.Failure.Message, "page role revoked")
	require.ErrorIs(t, failed.Failure, connectors.ErrPermissionDenied)
	h.clock.Advance(24 * time.Hour)
	require.Zero(t, h.runDue())
	require.EqualValues(t, 1, h.net.PublishCount("good"))
	require.EqualValues(t, 1, bad.Calls(memconnector.OpPublish), "a permanent failure is not retried")
	require.ElementsMatch(t, []scheduling.EventKind{scheduling.EventPublished, scheduling.EventFailed}, h.eventKinds())
	_ = p
}

func TestRateLimitHonoursRetryAfter(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	h.net.FailNext(memconnector.OpPublish, 1, memconnector.RateLimit(10*time.Minute))
	_, ts := h.create("x", on("brand", at(0)))
	require.Equal(t, 1, h.runDue())
	g := h.target(ts[0].ID)
	require.Equal(t, scheduling.Scheduled, g.State)
	require.Equal(t, monday.Add(10*time.Minute), g.NotBefore)
	require.Equal(t, connectors.RateLimited, g.Failure.Code)
	ev := h.lastEvent()
	require.Equal(t, scheduling.EventDeferred, ev.Kind)
	require.Equal(t, monday.Add(10*time.Minute), ev.NotBefore)
	h.clock.Advance(10*time.Minute - time.Second)
	require.Zero(t, h.runDue())
	h.clock.Advance(time.Second)
	require.Equal(t, 1, h.runDue())
	require.Equal(t, scheduling.Published, h.target(ts[0].ID).State)
	require.EqualValues(t, 1, h.net.PublishCount("brand"))
}

func TestQuotaDeferral(t *testing.T) {
	t.Run("network quota", func(t *testing.T) {
		h := newHarness(t, []string{"insta"})
		reset := monday.Add(5 * time.Hour)
		h.net.FailNext(memconnector.OpPublish, 1, memconnector.Quota(reset))
		_, ts := h.create("x", on("insta", at(0)))
		require.Equal(t, 1, h.runDue())
		g := h.target(ts[0].ID)
		require.Equal(t, scheduling.Scheduled, g.State, "deferred, not failed")
		require.Equal(t, reset, g.NotBefore)
		require.Equal(t, connectors.QuotaExceeded, g.Failure.Code)
		h.clock.Set(reset)
		require.Equal(t, 1, h.runDue())
		require.Equal(t, scheduling.Published, h.target(ts[0].ID).State)
	})
	t.Run("configured max per 24h", func(t *testing.T) {
		h := newHarness(t, []string{"insta"})
		require.NoError(t, h.sched.SetPolicy(h.ctx, "insta", scheduling.MoveToNeedsRescheduling, 2))
		_, a := h.create("a", on("insta", at(0)))
		_, b := h.create("b", on("insta", at(time.Hour)))
		_, c := h.create("c", on("insta", at(2*time.Hour)))
		require.Equal(t, 1, h.runDue())
		h.clock.Advance(time.Hour)
		require.Equal(t, 1, h.runDue())
		h.clock.Advance(time.Hour)
		require.Equal(t, 1, h.runDue())
		g := h.target(c[0].ID)
		require.Equal(t, scheduling.Scheduled, g.State)
		require.Equal(t, monday.Add(24*time.Hour), g.NotBefore, "when the first of the window expires")
		require.Equal(t, connectors.QuotaExceeded, g.Failure.Code)
		h.clock.Set(monday.Add(24 * time.Hour))
		require.Equal(t, 1, h.runDue())
		require.Equal(t, scheduling.Published, h.target(c[0].ID).State)
		require.EqualValues(t, 3, h.net.PublishCount("insta"))
		_, _ = a, b
	})
}

func TestTransientFailuresRetryThenFail(t *testing.T) {
	h := newHarness(t, []string{"brand"}, func(c *scheduling.Config) { c.MaxAttempts = 3 })
	// The Account retries Unavailable 3 times itself: 4 calls per attempt.
	h.net.FailNext(memconnector.OpPublish, 100, memconnector.Unavailable())
	_, ts := h.create("x", on("brand", at(0)))
	for i := 1; i <= 3; i++ {
		require.Equal(t, 1, h.runDue())
		g := h.target(ts[0].ID)
		if i < 3 {
			require.Equal(t, scheduling.Scheduled, g.State)
			require.True(t, g.NotBefore.After(h.clock.Now()), "backoff")
			h.clock.Set(g.NotBefore)
		} else {
			require.Equal(t, scheduling.Failed, g.State)
			require.Equal(t, connectors.Unavailable, g.Failure.Code)
			require.Contains(t, g.Failure.Message, "gave up after 3 attempts")
		}
	}
	require.Zero(t, h.net.PublishCount("brand"))
}

func TestReconciliation(t *testing.T) {
	t.Run("indeterminate after commit is found, published once", func(t *testing.T) {
		h := newHarness(t, []string{"brand"})
		h.net.FailNext(memconnector.OpPublish, 1, memconnector.IndeterminateAfterCommit())
		_, ts := h.create("Lancement", on("brand", at(0)))
		require.Equal(t, 1, h.runDue())
		g := h.target(ts[0].ID)
		require.Equal(t, scheduling.Scheduled, g.State)
		require.True(t, g.Unknown)
		h.clock.Set(g.NotBefore)
		require.Equal(t, 1, h.runDue())
		g = h.target(ts[0].ID)
		require.Equal(t, scheduling.Published, g.State)
		require.False(t, g.Unknown)
		require.EqualValues(t, 1, h.net.PublishCount("brand"))
		require.EqualValues(t, 1, h.net.Calls(memconnector.OpPublish), "found by FindPost, not re-published")
		require.EqualValues(t, 1, h.net.Calls(memconnector.OpFindPost))
		require.Equal(t, h.net.Posts("brand")[0].ID, g.Result.PostID)
	})
	t.Run("indeterminate before commit is not found, published once", func(t *testing.T) {
		h := newHarness(t, []string{"brand"})
		h.net.FailNext(memconnector.OpPublish, 1, &connectors.Error{Code: connectors.Indeterminate, Message: "timeout"})
		_, ts := h.create("Lancement", on("brand", at(0)))
		require.Equal(t, 1, h.runDue())
		h.clock.Set(h.target(ts[0].ID).NotBefore)
		require.Equal(t, 1, h.runDue())
		require.Equal(t, scheduling.Published, h.target(ts[0].ID).State)
		require.EqualValues(t, 1, h.net.PublishCount("brand"))
		require.EqualValues(t, 2, h.net.Calls(memconnector.OpPublish))
	})
	t.Run("no FindPost and not idempotent: failed, never guessed", func(t *testing.T) {
		h := newHarness(t, nil)
		d := &fakeDriver{failAfter: 1}
		h.addDriver("fake", d)
		p, ts := h.create("Lancement", on("fake", at(0)))
		require.Equal(t, 1, h.runDue())
		h.clock.Advance(time.Hour)
		require.Equal(t, 1, h.runDue())
		g := h.target(ts[0].ID)
		require.Equal(t, scheduling.Failed, g.State)
		require.Equal(t, connectors.Indeterminate, g.Failure.Code)
		require.Equal(t, "outcome unknown: check the account manually", g.Failure.Message)
		require.Equal(t, []string{"Lancement"}, d.published(), "not duplicated")
		ev := h.lastEvent()
		require.Equal(t, scheduling.EventFailed, ev.Kind)
		h.clock.Advance(24 * time.Hour)
		require.Zero(t, h.runDue())
		require.Contains(t, h.actions(p.ID), "failed:publishing>failed")
	})
	t.Run("idempotent network without FindPost: re-sent with the same key", func(t *testing.T) {
		h := newHarness(t, nil)
		d := &fakeDriver{failAfter: 1, idempotent: true}
		h.addDriver("fake", d)
		_, ts := h.create("Lancement", on("fake", at(0)))
		require.Equal(t, 1, h.runDue())
		h.clock.Advance(time.Hour)
		require.Equal(t, 1, h.runDue())
		g := h.target(ts[0].ID)
		require.Equal(t, scheduling.Published, g.State)
		require.Equal(t, []string{"Lancement"}, d.published())
		require.Equal(t, 2, d.calls)
	})
}

func TestLeaseExpiryReclaimBySecondScheduler(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	_, ts := h.create("Crash", on("brand", at(0)))
	// Scheduler w1 claims, publishes, and dies before recording it.
	cs, err := h.store.ClaimDue(h.ctx, h.clock.Now(), "w1", 2*time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	_, err = h.accounts["brand"].Publish(h.ctx, &connectors.Post{Text: "Crash"}, &connectors.PublishOptions{IdempotencyKey: cs[0].Target.Key})
	require.NoError(t, err)

	s2, err := scheduling.New(scheduling.Config{Store: h.store, Accounts: scheduling.AccountMap(h.accounts), Clock: h.clock, Owner: "w2"})
	require.NoError(t, err)
	n, err := s2.RunDue(h.ctx)
	require.NoError(t, err)
	require.Zero(t, n, "the lease still holds")
	h.clock.Advance(2 * time.Minute)
	n, err = s2.RunDue(h.ctx)
	require.NoError(t, err)
	require.Equal(t, 1, n)
	g := h.target(ts[0].ID)
	require.Equal(t, scheduling.Published, g.State)
	require.Equal(t, 2, g.Attempt)
	require.EqualValues(t, 1, h.net.PublishCount("brand"))
	audit, err := h.store.ListAudit(h.ctx, scheduling.AuditFilter{TargetID: ts[0].ID})
	require.NoError(t, err)
	require.Equal(t, "scheduler:w2", audit[len(audit)-1].Actor)
	require.Contains(t, audit[len(audit)-1].Reason, "reconciled")
}

func TestPendingPublish(t *testing.T) {
	h := newHarness(t, nil)
	n := memconnector.NewNetwork(&memconnector.NetworkOptions{Now: h.clock.Now, PendingChecks: 2})
	h.addAccount("insta", n)
	_, ts, err := h.sched.Create(h.ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "photo",
		Media: []connectors.Media{{Kind: connectors.MediaImage, MIMEType: "image/png", Data: []byte{1, 2, 3}}}},
		Targets: []scheduling.TargetSpec{on("insta", at(0))}})
	require.NoError(t, err)
	require.Equal(t, 1, h.runDue())
	g := h.target(ts[0].ID)
	require.Equal(t, scheduling.Scheduled, g.State)
	require.NotEmpty(t, g.Pending)
	for range 2 {
		h.clock.Advance(20 * time.Second)
		require.Equal(t, 1, h.runDue())
	}
	g = h.target(ts[0].ID)
	require.Equal(t, scheduling.Published, g.State)
	require.Empty(t, g.Pending)
	require.EqualValues(t, 1, n.Calls(memconnector.OpPublish))
	require.EqualValues(t, 1, n.PublishCount("insta"))
}

func TestRecurringWithVariants(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	p, ts, err := h.sched.Create(h.ctx, cm, scheduling.NewPost{
		Content:    connectors.Post{Text: "Astuce du lundi"},
		Variants:   []connectors.Post{{Text: "Astuce du lundi (bis)"}, {Text: "Monday tip"}},
		Recurrence: scheduling.Recurrence{EveryDays: 7, MaxRuns: 4},
		Targets:    []scheduling.TargetSpec{on("brand", at(time.Hour))},
	})
	require.NoError(t, err)
	for i := range 4 {
		h.clock.Set(monday.Add(time.Hour).AddDate(0, 0, 7*i))
		require.Equal(t, 1, h.runDue(), "run %d", i)
	}
	h.clock.Advance(30 * 24 * time.Hour)
	require.Zero(t, h.runDue(), "MaxRuns reached")
	var texts []string
	for _, sp := range h.net.Posts("brand") {
		texts = append(texts, sp.Text)
		require.Equal(t, 9, sp.CreatedAt.Hour())
	}
	require.Equal(t, []string{"Astuce du lundi", "Astuce du lundi (bis)", "Monday tip", "Astuce du lundi"}, texts)
	_, all, err := h.sched.Post(h.ctx, p.ID)
	require.NoError(t, err)
	require.Len(t, all, 4)
	keys := map[string]bool{}
	for _, tg := range all {
		keys[tg.Key] = true
		require.Equal(t, scheduling.Published, tg.State)
	}
	require.Len(t, keys, 4, "each run has its own idempotency key")
	_ = ts
}

func TestEvergreenTakesNextFreeSlot(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	sched, err := scheduling.ParseSlots("Mon-Fri 09:30 Europe/Paris")
	require.NoError(t, err)
	require.NoError(t, h.sched.SetSchedule(h.ctx, cm, "brand", sched))
	_, ts, err := h.sched.Create(h.ctx, cm, scheduling.NewPost{Content: connectors.Post{Text: "evergreen"},
		Recurrence: scheduling.Recurrence{EveryDays: 3, Evergreen: true, MaxRuns: 2},
		Targets:    []scheduling.TargetSpec{{AccountID: "brand", Queue: true}}})
	require.NoError(t, err)
	paris, _ := time.LoadLocation("Europe/Paris")
	require.Equal(t, time.Date(2026, 3, 2, 9, 30, 0, 0, paris), ts[0].Due.In(paris), "Monday's slot")
	// Thursday's slot is taken by another post: the evergreen run takes Friday's.
	_, other := h.create("busy", scheduling.TargetSpec{AccountID: "brand", Local: scheduling.Civil{Year: 2026, Month: 3, Day: 5, Hour: 9, Minute: 30}})
	require.Equal(t, time.Date(2026, 3, 5, 9, 30, 0, 0, paris), other[0].Due.In(paris))
	h.clock.Set(ts[0].Due)
	require.Equal(t, 1, h.runDue())
	next, err := h.sched.Targets(h.ctx, scheduling.TargetFilter{PostID: ts[0].PostID, States: []scheduling.State{scheduling.Scheduled}})
	require.NoError(t, err)
	require.Len(t, next, 1)
	require.Equal(t, time.Date(2026, 3, 6, 9, 30, 0, 0, paris), next[0].Due.In(paris))
	require.True(t, next[0].Queued)
	require.Equal(t, 1, next[0].Run)
}

func TestRezoneRecomputesPendingTargets(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	paris, _ := time.LoadLocation("Europe/Paris")
	ny, _ := time.LoadLocation("America/New_York")
	sched, err := scheduling.ParseSlots("Mon 09:30 Europe/Paris")
	require.NoError(t, err)
	require.NoError(t, h.sched.SetSchedule(h.ctx, cm, "brand", sched))
	local := scheduling.Civil{Year: 2026, Month: 3, Day: 20, Hour: 9, Minute: 30}
	_, ts := h.create("x", scheduling.TargetSpec{AccountID: "brand", Local: local})
	_, now := h.create("y", scheduling.TargetSpec{AccountID: "brand", Now: true})
	require.Equal(t, "Europe/Paris", ts[0].Zone)
	require.Equal(t, time.Date(2026, 3, 20, 9, 30, 0, 0, paris).UTC(), ts[0].Due.UTC())

	require.NoError(t, h.sched.Rezone(h.ctx, cm, "brand", "America/New_York"))
	g := h.target(ts[0].ID)
	require.Equal(t, local, g.Local)
	require.Equal(t, "America/New_York", g.Zone)
	require.Equal(t, time.Date(2026, 3, 20, 9, 30, 0, 0, ny).UTC(), g.Due.UTC())
	require.Equal(t, monday, h.target(now[0].ID).Due, "share-now targets have no wall time to keep")
	st, err := h.sched.Account(h.ctx, "brand")
	require.NoError(t, err)
	require.Equal(t, "America/New_York", st.Zone)
	require.Contains(t, h.actions(ts[0].PostID), "rezoned:scheduled>scheduled")
}

func TestPauseResume(t *testing.T) {
	tests := []struct {
		name   string
		policy scheduling.MissedPolicy
	}{
		{"needs rescheduling", scheduling.MoveToNeedsRescheduling},
		{"next slot", scheduling.MoveToNextSlot},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			h := newHarness(t, []string{"brand", "other"})
			sched, err := scheduling.ParseSlots("daily 09:00 and 18:00 UTC")
			require.NoError(t, err)
			require.NoError(t, h.sched.SetSchedule(h.ctx, cm, "brand", sched))
			require.NoError(t, h.sched.SetPolicy(h.ctx, "brand", tc.policy, 0))
			q := scheduling.TargetSpec{AccountID: "brand", Queue: true}
			_, a := h.create("a", q) // Mon 09:00
			_, b := h.create("b", q) // Mon 18:00
			_, c := h.create("c", q) // Tue 09:00
			_, o := h.create("o", on("other", at(2*time.Hour)))
			require.Equal(t, monday.Add(time.Hour), a[0].Due)
			require.Equal(t, monday.Add(10*time.Hour), b[0].Due)
			require.Equal(t, monday.Add(25*time.Hour), c[0].Due)

			require.NoError(t, h.sched.Pause(h.ctx, cm, "brand", "rebranding"))
			h.clock.Set(monday.Add(20 * time.Hour)) // Tue 04:00
			require.Equal(t, 1, h.runDue(), "only the other account publishes")
			require.Equal(t, scheduling.Published, h.target(o[0].ID).State)
			require.Zero(t, h.net.PublishCount("brand"))

			require.NoError(t, h.sched.Resume(h.ctx, cm, "brand"))
			ga, gb, gc := h.target(a[0].ID), h.target(b[0].ID), h.target(c[0].ID)
			require.Equal(t, scheduling.Scheduled, gc.State)
			require.Equal(t, monday.Add(25*time.Hour), gc.Due, "future slot untouched")
			switch tc.policy {
			case scheduling.MoveToNeedsRescheduling:
				require.Equal(t, scheduling.NeedsRescheduling, ga.State)
				require.Equal(t, scheduling.NeedsRescheduling, gb.State)
				list, err := h.sched.NeedsRescheduling(h.ctx, "brand")
				require.NoError(t, err)
				require.Len(t, list, 2)
				require.Contains(t, h.eventKinds(), scheduling.EventNeedsRescheduling)
				require.Zero(t, h.runDue())
			case scheduling.MoveToNextSlot:
				require.Equal(t, scheduling.Scheduled, ga.State)
				require.Equal(t, monday.Add(34*time.Hour), ga.Due, "Tue 18:00: Tue 09:00 is taken")
				require.Equal(t, monday.Add(49*time.Hour), gb.Due, "Wed 09:00")
				require.Contains(t, h.actions(a[0].PostID), "moved:scheduled>scheduled")
			}
			h.clock.Set(monday.Add(25 * time.Hour))
			require.Equal(t, 1, h.runDue())
			require.Equal(t, scheduling.Published, h.target(c[0].ID).State)
		})
	}
}

func TestBlackout(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	_, a := h.create("a", on("brand", at(10*time.Minute)))
	_, b := h.create("b", on("brand", at(20*time.Minute)))
	_, c := h.create("c", on("brand", at(40*time.Minute)))
	bo, err := h.sched.Blackout(h.ctx, time.Time{}, monday.Add(30*time.Minute), "crise")
	require.NoError(t, err)
	require.Equal(t, monday, bo.From)
	h.clock.Advance(25 * time.Minute)
	require.Zero(t, h.runDue(), "nothing during the blackout")
	h.clock.Advance(15 * time.Minute)
	require.Equal(t, 1, h.runDue())
	require.Equal(t, scheduling.NeedsRescheduling, h.target(a[0].ID).State)
	require.Equal(t, scheduling.NeedsRescheduling, h.target(b[0].ID).State)
	require.Equal(t, scheduling.Published, h.target(c[0].ID).State)
	require.Equal(t, []string{"c"}, texts(h.net.Posts("brand")))
	list, err := h.store.ListBlackouts(h.ctx, time.Time{})
	require.NoError(t, err)
	require.Empty(t, list, "an ended blackout is handled once and removed")

	_, err = h.sched.Blackout(h.ctx, monday, monday, "bad")
	require.ErrorIs(t, err, scheduling.ErrInvalid)
	bo, err = h.sched.Blackout(h.ctx, time.Time{}, h.clock.Now().Add(24*time.Hour), "deuil")
	require.NoError(t, err)
	_, d := h.create("d", on("brand", scheduling.TargetSpec{Now: true}))
	require.Zero(t, h.runDue())
	h.clock.Advance(time.Minute)
	require.NoError(t, h.sched.EndBlackout(h.ctx, bo.ID))
	require.Equal(t, 0, h.runDue())
	require.Equal(t, scheduling.NeedsRescheduling, h.target(d[0].ID).State)
	require.ErrorIs(t, h.sched.EndBlackout(h.ctx, "nope"), scheduling.ErrNotFound)

	// A person picks a new time for a target that needs rescheduling.
	require.NoError(t, h.sched.Reschedule(h.ctx, cm, a[0].ID, scheduling.TargetSpec{At: h.clock.Now().Add(time.Hour)}, "after the crisis"))
	require.Equal(t, scheduling.Scheduled, h.target(a[0].ID).State)
	h.clock.Advance(time.Hour)
	require.Equal(t, 1, h.runDue())
	require.Equal(t, []string{"created:none>scheduled", "needs-rescheduling:scheduled>needs-rescheduling",
		"rescheduled:needs-rescheduling>scheduled", "claimed:scheduled>publishing", "published:publishing>published"}, h.actions(a[0].PostID))
}

func texts(ps []memconnector.StoredPost) []string {
	var out []string
	for _, p := range ps {
		out = append(out, p.Text)
	}
	return out
}

func TestErrorsAreTyped(t *testing.T) {
	h := newHarness(t, []string{"brand"})
	_, _, err := h.sched.Post(h.ctx, "nope")
	require.ErrorIs(t, err, scheduling.ErrNotFound)
	require.ErrorIs(t, h.sched.Approve(context.Background(), cm, "nope", ""), scheduling.ErrNotFound)
	require.True(t, errors.Is(scheduling.Failure{Code: connectors.RateLimited}, connectors.ErrRateLimited))
}

func TestLogsNameTheTarget(t *testing.T) {
	var buf strings.Builder
	var mu sync.Mutex
	logger := slog.New(slog.NewTextHandler(writerFunc(func(p []byte) (int, error) {
		mu.Lock()
		defer mu.Unlock()
		return buf.Write(p)
	}), nil))
	h := newHarness(t, []string{"brand"}, func(c *scheduling.Config) { c.Logger = logger })
	h.net.FailNext(memconnector.OpPublish, 1, &connectors.Error{Code: connectors.PermissionDenied, Message: "scope missing"})
	_, ts := h.create("x", on("brand", at(0)))
	require.Equal(t, 1, h.runDue())
	mu.Lock()
	out := buf.String()
	mu.Unlock()
	require.Contains(t, out, "level=ERROR msg=\"publish failed\"")
	require.Contains(t, out, "target="+ts[0].ID)
	require.Contains(t, out, "account=brand")
	require.Contains(t, out, "owner=w1")
}

type writerFunc func([]byte) (int, error)

func (f writerFunc) Write(p []byte) (int, error) { return f(p) }
