package scheduling

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strconv"
	"sync"
	"time"

	"github.com/cenkalti/backoff/v4"

	"github.com/cmkit/cmkit/connectors"
)

// outcome is the result of processing one claim: the completion to store
// and the event to emit once it is stored.
type outcome struct {
	// comp.Audit is nil: commit points it at audit, so that an outcome
	// costs no allocation of its own.
	comp  Completion
	audit [1]AuditEntry
	// kind is the event to emit (0: none); the event is built from the
	// completion and these fields once stored.
	kind              EventKind
	postID, accountID string
}

// event builds the outcome's event.
func (o *outcome) event() Event {
	c := &o.comp
	e := Event{Kind: o.kind, PostID: o.postID, TargetID: c.TargetID, AccountID: o.accountID,
		Result: c.Result, Failure: c.Failure, At: o.audit[0].At, Reason: o.audit[0].Reason}
	if o.kind == EventDeferred {
		e.NotBefore = c.NotBefore
	}
	return e
}

// unknownOutcome is the failure of a target whose publish may have gone
// through on a network that can neither find it nor deduplicate it.
const unknownOutcome = "outcome unknown: check the account manually"

func (s *Scheduler) audit(t *Target, at time.Time, action string, to State, reason string) [1]AuditEntry {
	return [1]AuditEntry{{PostID: t.PostID, TargetID: t.ID, At: at, Actor: s.actor, Action: action,
		From: Publishing, To: to, Reason: reason}}
}

func (s *Scheduler) published(ctx context.Context, c *Claim, res connectors.PublishResult, now time.Time, reason string, note Failure) outcome {
	t := &c.Target
	r := Result{PostID: res.ID, URL: res.URL, PublishedAt: res.PublishedAt}
	if r.PublishedAt.IsZero() {
		r.PublishedAt = now
	}
	o := outcome{comp: Completion{TargetID: t.ID, Attempt: t.Attempt, State: Published, Result: r, Failure: note},
		audit: s.audit(t, now, "published", Published, reason)}
	o.comp.Next = s.nextRun(ctx, c, r.PublishedAt)
	o.kind, o.postID, o.accountID = EventPublished, t.PostID, t.AccountID
	return o
}

func (s *Scheduler) failed(t *Target, now time.Time, f Failure) outcome {
	return outcome{
		comp:  Completion{TargetID: t.ID, Attempt: t.Attempt, State: Failed, Failure: f},
		audit: s.audit(t, now, "failed", Failed, f.Message),
		kind:  EventFailed, postID: t.PostID, accountID: t.AccountID,
	}
}

// deferred puts the target back to Scheduled until notBefore.
func (s *Scheduler) deferred(t *Target, now, notBefore time.Time, f Failure, unknown bool, pending []byte, action string) outcome {
	reason := f.Message + "; retry at " + notBefore.UTC().Format(time.RFC3339)
	o := outcome{comp: Completion{TargetID: t.ID, Attempt: t.Attempt, State: Scheduled, NotBefore: notBefore, Failure: f,
		Unknown: unknown, Pending: pending}, audit: s.audit(t, now, action, Scheduled, reason)}
	if action != "pending" {
		o.kind, o.postID, o.accountID = EventDeferred, t.PostID, t.AccountID
	}
	return o
}

// backoffDelay is the delay before attempt+1 after a transient failure:
// exponential from RetryInitial, capped at RetryMax, with ±20 % jitter.
func (s *Scheduler) backoffDelay(attempt int) time.Duration {
	b := backoff.NewExponentialBackOff(
		backoff.WithInitialInterval(s.cfg.RetryInitial),
		backoff.WithMaxInterval(s.cfg.RetryMax),
		backoff.WithMultiplier(2),
		backoff.WithRandomizationFactor(0.2),
		backoff.WithMaxElapsedTime(0),
	)
	d := b.NextBackOff()
	for i := 1; i < attempt && i < 64; i++ {
		d = b.NextBackOff()
	}
	return d
}

// transient retries later with backoff, or fails once MaxAttempts is
// reached.
func (s *Scheduler) transient(t *Target, now time.Time, f Failure, unknown bool) outcome {
	if t.Attempt >= s.cfg.MaxAttempts {
		if unknown {
			f = Failure{Code: connectors.Indeterminate, Message: unknownOutcome + " (" + f.Message + ")"}
		}
		f.Message += " (gave up after " + itoa(t.Attempt) + " attempts)"
		return s.failed(t, now, f)
	}
	return s.deferred(t, now, now.Add(s.backoffDelay(t.Attempt)), f, unknown, nil, "retry")
}

func itoa(n int) string { return strconv.Itoa(n) }

func failureOf(err error) Failure {
	return Failure{Code: connectors.Code(err), Message: err.Error()}
}

// process publishes one claimed target, reconciling first when an earlier
// attempt's outcome is unknown. It never returns without an outcome.
func (s *Scheduler) process(ctx context.Context, c *Claim) outcome {
	t := &c.Target
	now := s.clock.Now()
	log := tlogger{ctx, s, t}
	acct, err := s.cfg.Accounts(ctx, t.AccountID)
	if err != nil {
		f := failureOf(err)
		log.warn("account unavailable", "error", err)
		switch f.Code {
		case connectors.NotFound, connectors.Unauthenticated, connectors.PermissionDenied, connectors.InvalidContent:
			return s.failed(t, now, f)
		}
		return s.transient(t, now, f, t.Unknown)
	}
	content := c.Post.ContentFor(t.Run)

	if len(t.Pending) > 0 {
		res, err := acct.CheckPending(ctx, t.Pending)
		return s.afterPublish(ctx, c, acct, &content, res, err, log)
	}
	if t.Unknown {
		switch {
		case acct.Supports(connectors.CapFindPost):
			res, err := acct.FindPost(ctx, t.Key, &content)
			switch {
			case err == nil && res.Status == connectors.Pending:
				return s.deferred(t, now, now.Add(s.cfg.PendingInterval), Failure{Message: "publish in progress on the network"}, false, res.Pending, "pending")
			case err == nil:
				log.info("reconciled: the earlier attempt was published", "post_id", res.ID)
				return s.published(ctx, c, res, now, "reconciled: an earlier attempt was published", Failure{})
			case !errors.Is(err, connectors.ErrNotFound):
				log.warn("reconciliation failed; will retry", "error", err)
				return s.transient(t, now, failureOf(err), true)
			}
			log.info("reconciled: the earlier attempt was not published; publishing again")
		case acct.Supports(connectors.CapIdempotencyKey):
			log.info("outcome unknown; re-sending with the same idempotency key")
		default:
			log.error("outcome unknown and the network can neither find posts nor deduplicate; not retrying")
			return s.failed(t, now, Failure{Code: connectors.Indeterminate, Message: unknownOutcome})
		}
	}
	unlock, until, capped, err := s.capCheck(ctx, t.AccountID, now)
	if err != nil {
		return s.transient(t, now, failureOf(err), t.Unknown)
	}
	if capped {
		return s.deferred(t, now, until, Failure{Code: connectors.QuotaExceeded, Message: "account reached its configured maximum of posts per 24 hours"}, false, nil, "deferred")
	}
	defer unlock()
	res, err := acct.Publish(ctx, &content, &connectors.PublishOptions{IdempotencyKey: t.Key})
	return s.afterPublish(ctx, c, acct, &content, res, err, log)
}

// tlogger logs about a target, building its attributes only when the
// level is enabled (a dispatch must not allocate for a discarded log).
type tlogger struct {
	ctx context.Context
	s   *Scheduler
	t   *Target
}

func (l tlogger) log(level slog.Level, msg string, args ...any) {
	if !l.s.log.Enabled(l.ctx, level) {
		return
	}
	args = append(args, "post", l.t.PostID, "target", l.t.ID, "account", l.t.AccountID, "attempt", l.t.Attempt)
	l.s.log.Log(l.ctx, level, msg, args...)
}

func (l tlogger) info(msg string, args ...any)  { l.log(slog.LevelInfo, msg, args...) }
func (l tlogger) warn(msg string, args ...any)  { l.log(slog.LevelWarn, msg, args...) }
func (l tlogger) error(msg string, args ...any) { l.log(slog.LevelError, msg, args...) }

// afterPublish turns the result of Publish or CheckPending into an
// outcome.
func (s *Scheduler) afterPublish(ctx context.Context, c *Claim, acct *connectors.Account, content *connectors.Post,
	res connectors.PublishResult, err error, log tlogger) outcome {
	t := &c.Target
	now := s.clock.Now()
	if err == nil {
		if res.Status == connectors.Pending {
			return s.deferred(t, now, now.Add(s.cfg.PendingInterval), Failure{Message: "publish in progress on the network"}, false, res.Pending, "pending")
		}
		log.info("published", "post_id", res.ID)
		return s.published(ctx, c, res, now, "", Failure{})
	}
	f := failureOf(err)
	if res.ID != "" {
		// A thread or first comment failed half-way: the post is live.
		log.warn("published, but the thread or first comment failed", "post_id", res.ID, "error", err)
		return s.published(ctx, c, res, now, "published incompletely: "+f.Message, f)
	}
	switch f.Code {
	case connectors.RateLimited, connectors.QuotaExceeded:
		var rl *connectors.RateLimitError
		var wait time.Duration
		if errors.As(err, &rl) {
			wait = rl.Wait(now)
		}
		if wait <= 0 {
			if f.Code == connectors.QuotaExceeded {
				wait = time.Hour
			} else {
				wait = s.backoffDelay(t.Attempt)
			}
		}
		log.warn("deferred by the network's limits", "error", err, "wait", wait)
		return s.deferred(t, now, now.Add(wait), f, false, t.Pending, "deferred")
	case connectors.Unavailable:
		log.warn("network unavailable; will retry", "error", err)
		return s.transient(t, now, f, false)
	case connectors.Canceled:
		// Not sent (the driver contract): claimable again at once.
		return s.deferred(t, now, now, f, t.Unknown, t.Pending, "retry")
	case connectors.Indeterminate, connectors.Unknown:
		if len(t.Pending) > 0 {
			// CheckPending is a read: retrying it is safe.
			o := s.transient(t, now, f, t.Unknown)
			o.comp.Pending = t.Pending
			return o
		}
		log.warn("publish outcome unknown; will reconcile before any retry", "error", err)
		return s.transient(t, now, f, true)
	case connectors.Duplicate:
		if acct.Supports(connectors.CapFindPost) {
			if found, ferr := acct.FindPost(ctx, t.Key, content); ferr == nil && found.Status == connectors.Published {
				return s.published(ctx, c, found, now, "the network already had it: "+f.Message, Failure{})
			}
		}
	}
	log.error("publish failed", "error", err)
	return s.failed(t, now, f)
}

// capCheck enforces AccountSettings.MaxPer24h. For a capped account it
// serialises this scheduler's publishes to the account (unlock releases),
// so that concurrent workers cannot overshoot.
func (s *Scheduler) capCheck(ctx context.Context, account string, now time.Time) (unlock func(), until time.Time, capped bool, err error) {
	st, err := s.accountSettings(ctx, account)
	if err != nil {
		return nil, time.Time{}, false, err
	}
	if st == nil || st.MaxPer24h <= 0 {
		return func() {}, time.Time{}, false, nil
	}
	mu := s.accountLock(account)
	mu.Lock()
	// The window is (now-24h, now]: a post published exactly 24 hours ago
	// no longer counts (stores keep microseconds).
	since := now.Add(-24*time.Hour + time.Microsecond)
	n, err := s.store.CountPublished(ctx, account, since)
	if err != nil {
		mu.Unlock()
		return nil, time.Time{}, false, err
	}
	if n < st.MaxPer24h {
		return mu.Unlock, time.Time{}, false, nil
	}
	defer mu.Unlock()
	ts, err := s.store.ListTargets(ctx, TargetFilter{AccountID: account, States: []State{Published}, RunFrom: now.Add(-72 * time.Hour)})
	if err != nil {
		return nil, time.Time{}, false, err
	}
	var times []time.Time
	for _, t := range ts {
		if !t.Result.PublishedAt.Before(since) {
			times = append(times, t.Result.PublishedAt)
		}
	}
	slices.SortFunc(times, time.Time.Compare)
	until = now.Add(time.Hour)
	if i := len(times) - st.MaxPer24h; i >= 0 && i < len(times) {
		until = times[i].Add(24 * time.Hour)
	}
	if !until.After(now) {
		until = now.Add(time.Minute)
	}
	return nil, until, true, nil
}

// accountLock returns the mutex that serialises publishes to a capped
// account in this scheduler.
func (s *Scheduler) accountLock(account string) *sync.Mutex {
	s.locksMu.Lock()
	defer s.locksMu.Unlock()
	mu := s.locks[account]
	if mu == nil {
		mu = new(sync.Mutex)
		s.locks[account] = mu
	}
	return mu
}

// nextRun returns the next target of a recurring post, or nil.
func (s *Scheduler) nextRun(ctx context.Context, c *Claim, publishedAt time.Time) *Target {
	r := c.Post.Recurrence
	t := &c.Target
	if r.EveryDays <= 0 || (r.MaxRuns > 0 && t.Run+1 >= r.MaxRuns) {
		return nil
	}
	loc, err := s.location(t.Zone)
	if err != nil {
		loc = time.UTC
	}
	base := t.Local
	if base.IsZero() {
		base = CivilOf(publishedAt.In(loc))
	}
	day := time.Date(base.Year, base.Month, base.Day+r.EveryDays, base.Hour, base.Minute, base.Second, 0, time.UTC)
	local := CivilOf(day)
	due, _ := Resolve(local, loc)
	queued := false
	if r.Evergreen {
		if st, err := s.accountSettings(ctx, t.AccountID); err == nil && st != nil && len(st.Slots) > 0 {
			if sl, err := s.location(st.Zone); err == nil {
				start, _ := Resolve(Civil{local.Year, local.Month, local.Day, 0, 0, 0}, sl)
				if at, lc, ok := s.nextFree(ctx, st, sl, start.Add(-time.Nanosecond), nil, 0); ok {
					due, local, queued, loc = at, lc, true, sl
				}
			}
		}
	}
	if !r.Until.IsZero() && due.After(r.Until) {
		return nil
	}
	id := s.newID("t")
	return &Target{ID: id, PostID: t.PostID, AccountID: t.AccountID, State: Scheduled, Local: local, Zone: loc.String(),
		Due: due, Queued: queued, Key: "cmkit-" + id, Run: t.Run + 1, UpdatedAt: publishedAt}
}

// completeRequeued stores a completion whose Next (an evergreen run) was
// refused because another scheduler took its queue slot first: Next takes
// the following free slot, up to maxQueueTries times. If it still finds
// none, Next is stored as NeedsRescheduling (a person chooses its time),
// so that neither the outcome nor the next run is lost.
func (s *Scheduler) completeRequeued(ctx context.Context, c *Completion) error {
	n := c.Next
	var err error
	for try := 1; try <= maxQueueTries; try++ {
		st, serr := s.accountSettings(ctx, n.AccountID)
		if serr != nil || st == nil {
			break
		}
		loc, lerr := s.location(st.Zone)
		if lerr != nil {
			break
		}
		at, local, ok := s.nextFree(ctx, st, loc, n.Due, nil, slotSkip(try))
		if !ok {
			break
		}
		n.Due, n.Local, n.Zone = at, local, loc.String()
		var errs []error
		errs, err = s.store.Complete(ctx, s.cfg.Owner, []Completion{*c})
		if err == nil {
			err = errs[0]
		}
		if !errors.Is(err, ErrSlotTaken) {
			return err
		}
	}
	s.log.Warn("no free queue slot for the next run of an evergreen post: it needs rescheduling",
		"target", n.ID, "account", n.AccountID, "error", err)
	n.State = NeedsRescheduling
	errs, err := s.store.Complete(ctx, s.cfg.Owner, []Completion{*c})
	if err == nil {
		err = errs[0]
	}
	if err == nil {
		s.cfg.Hooks.emit(Event{Kind: EventNeedsRescheduling, PostID: n.PostID, TargetID: n.ID, AccountID: n.AccountID,
			At: n.UpdatedAt, Reason: "no free queue slot for the next run"})
	}
	return err
}

// committer writes outcomes in batches (group commit) until results is
// closed, and hands the emptied buffers back to the workers on free.
func (s *Scheduler) committer(ctx context.Context, results <-chan []outcome, free chan<- []outcome) {
	batch := make([]outcome, 0, s.cfg.BatchSize)
	var scratch []Completion
	recycle := func(outs []outcome) {
		clear(outs) // drop references for the GC
		select {
		case free <- outs[:0]:
		default:
		}
	}
	for outs := range results {
		batch = append(batch[:0], outs...)
		recycle(outs)
	drain:
		for len(batch) < s.cfg.BatchSize {
			select {
			case more, ok := <-results:
				if !ok {
					break drain
				}
				batch = append(batch, more...)
				recycle(more)
			default:
				break drain
			}
		}
		s.commit(ctx, batch, &scratch)
		clear(batch)
		s.wakeIfDue()
	}
}

// commit stores outcomes and emits their events.
func (s *Scheduler) commit(ctx context.Context, outs []outcome, scratch *[]Completion) {
	cs := (*scratch)[:0]
	for i := range outs {
		cs = append(cs, outs[i].comp)
		cs[i].Audit = outs[i].audit[:]
	}
	*scratch = cs
	defer func() {
		s.inflightMu.Lock()
		for i := range cs {
			delete(s.inflight, cs[i].TargetID)
		}
		s.inflightMu.Unlock()
		clear(cs) // drop references for the GC
	}()
	errs, err := s.store.Complete(ctx, s.cfg.Owner, cs)
	if err != nil {
		// One retry; then the leases expire and the targets are
		// reconciled by whoever reclaims them.
		errs, err = s.store.Complete(ctx, s.cfg.Owner, cs)
	}
	if err != nil {
		s.log.Error("recording publish outcomes failed; the targets will be reconciled when their leases expire", "error", err, "count", len(cs))
		return
	}
	for i := range outs {
		if errors.Is(errs[i], ErrSlotTaken) && cs[i].Next != nil {
			errs[i] = s.completeRequeued(ctx, &cs[i])
		}
		if errs[i] != nil {
			s.log.Warn("outcome not recorded: lease lost; the target will be reconciled", "target", cs[i].TargetID, "error", errs[i])
			continue
		}
		if n := cs[i].Next; n != nil {
			s.notify()
		}
		if cs[i].State == Scheduled {
			s.notify()
		}
		if outs[i].kind != 0 {
			s.cfg.Hooks.emit(outs[i].event())
		}
	}
}
