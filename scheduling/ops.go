package scheduling

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strconv"
	"time"

	"github.com/cmkit/cmkit/connectors"
)

// Errors of the Scheduler's operations, matched with errors.Is.
var (
	// ErrInvalid: bad input (no targets, a time in the past, an unknown
	// zone, media that cannot be stored...).
	ErrInvalid = errors.New("scheduling: invalid request")
	// ErrNotAllowed: the actor may not do this (approve without being an
	// approver).
	ErrNotAllowed = errors.New("scheduling: not allowed")
	// ErrState: the target's state forbids the operation (editing while it
	// is being published, approving what awaits no approval).
	ErrState = errors.New("scheduling: not allowed in this state")
	// ErrNoSlot: the account has no free posting slot (no slots set).
	ErrNoSlot = errors.New("scheduling: no free slot")
)

// maxQueueTries bounds the attempts to take a queue slot when the Store
// refuses the one chosen because another scheduler sharing it took it
// first (ErrSlotTaken). Each refusal means another post was queued; after
// a refusal the next choice skips a random number of free slots (fewer
// than the attempt number), so that schedulers racing for one account
// spread out instead of colliding again.
const maxQueueTries = 16

// slotErr is the error of a queue assignment that lost every race.
func slotErr(accountID string, err error) error {
	return fmt.Errorf("scheduling: account %s: the queue slot chosen was taken first by another scheduler sharing the store, %d times in a row: %w",
		accountID, maxQueueTries, err)
}

// slotSkip is how many free slots to skip on the given attempt (0 for the
// first): a random number below it.
func slotSkip(try int) int {
	if try <= 1 {
		return 0
	}
	return rand.IntN(try)
}

// TargetError is a problem with one target's account, typically content
// the network would refuse; it unwraps to the cause, so errors.As finds
// the *connectors.ValidationError.
type TargetError struct {
	AccountID string
	// Network is the account's network, when it could be resolved.
	Network string
	// Variant is the index in Post.Variants of the content at fault, or -1
	// for Post.Content.
	Variant int
	Err     error
}

// Error names the account, the content and the rule.
func (e *TargetError) Error() string {
	s := "scheduling: account " + strconv.Quote(e.AccountID)
	if e.Network != "" {
		s += " (" + e.Network + ")"
	}
	if e.Variant >= 0 {
		s += ": variant " + strconv.Itoa(e.Variant)
	}
	return s + ": " + e.Err.Error()
}

// Unwrap returns the cause.
func (e *TargetError) Unwrap() error { return e.Err }

func invalid(format string, args ...any) error {
	return fmt.Errorf("scheduling: "+format+": %w", append(args, ErrInvalid)...)
}

func stateErr(format string, args ...any) error {
	return fmt.Errorf("scheduling: "+format+": %w", append(args, ErrState)...)
}

// Actor is who acts: a person's ID and the roles they hold.
type Actor struct {
	ID    string
	Roles []string
}

// NewPost is a post to create.
type NewPost struct {
	Content  connectors.Post
	Variants []connectors.Post
	// Targets are the accounts and times; at least one.
	Targets    []TargetSpec
	Approval   Approval
	Recurrence Recurrence
	// Draft saves without scheduling: no validation, nothing published
	// until Submit.
	Draft bool
}

// TargetSpec is one account of a post and when to publish to it: exactly
// one of At, Local, Queue and Now.
type TargetSpec struct {
	AccountID string
	// At is an instant; its wall time in the account's zone is kept.
	At time.Time
	// Local is a wall-clock time in Zone, or the account's zone.
	Local Civil
	// Queue takes the account's next free slot.
	Queue bool
	// Now publishes as soon as possible (share now).
	Now bool
	// Zone overrides the account's zone for Local (an IANA name).
	Zone string
}

// accountSettings returns an account's settings (nil if none), cached
// for SettingsTTL.
func (s *Scheduler) accountSettings(ctx context.Context, id string) (*AccountSettings, error) {
	now := s.clock.Now()
	s.settingsMu.Lock()
	c, ok := s.settings[id]
	s.settingsMu.Unlock()
	if ok && now.Sub(c.read) < s.cfg.SettingsTTL && !now.Before(c.read) {
		return c.s, nil
	}
	st, err := s.store.GetAccount(ctx, id)
	if errors.Is(err, ErrNotFound) {
		st, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	s.settingsMu.Lock()
	s.settings[id] = cachedSettings{s: st, read: now}
	s.settingsMu.Unlock()
	return st, nil
}

// updateSettings applies fn to an account's settings (created if none),
// retrying on conflicts.
func (s *Scheduler) updateSettings(ctx context.Context, id string, fn func(*AccountSettings) error) (*AccountSettings, error) {
	if id == "" {
		return nil, invalid("empty account ID")
	}
	for range 5 {
		st, err := s.store.GetAccount(ctx, id)
		if errors.Is(err, ErrNotFound) {
			st, err = &AccountSettings{AccountID: id}, nil
		}
		if err != nil {
			return nil, err
		}
		if err := fn(st); err != nil {
			return nil, err
		}
		err = s.store.PutAccount(ctx, st)
		if errors.Is(err, ErrConflict) {
			continue
		}
		if err != nil {
			return nil, err
		}
		s.settingsMu.Lock()
		c := *st
		s.settings[id] = cachedSettings{s: &c, read: s.clock.Now()}
		s.settingsMu.Unlock()
		return st, nil
	}
	return nil, fmt.Errorf("scheduling: account %s changed concurrently too often: %w", id, ErrConflict)
}

// Account returns an account's settings: zero settings (UTC, no slots)
// if none were stored.
func (s *Scheduler) Account(ctx context.Context, accountID string) (*AccountSettings, error) {
	st, err := s.store.GetAccount(ctx, accountID)
	if errors.Is(err, ErrNotFound) {
		return &AccountSettings{AccountID: accountID}, nil
	}
	return st, err
}

// SetSchedule sets an account's weekly slots and zone (ParseSlots reads
// them from text). Changing the zone recomputes the instants of the
// account's pending targets, as Rezone does.
func (s *Scheduler) SetSchedule(ctx context.Context, actor Actor, accountID string, sched Schedule) error {
	zone := "UTC"
	if sched.Zone != nil {
		zone = sched.Zone.String()
	}
	if _, err := s.location(zone); err != nil {
		return err
	}
	var old string
	_, err := s.updateSettings(ctx, accountID, func(st *AccountSettings) error {
		old = st.Zone
		st.Slots = slices.Clone(sched.Slots)
		slices.SortFunc(st.Slots, compareSlots)
		st.Zone = zone
		return nil
	})
	if err != nil {
		return err
	}
	if old != zone && !(old == "" && zone == "UTC") {
		return s.rezoneTargets(ctx, actor, accountID, zone)
	}
	return nil
}

// SetPolicy sets what happens to an account's targets whose time passes
// while it is paused or blacked out, and its cap of posts per 24 hours
// (0: none).
func (s *Scheduler) SetPolicy(ctx context.Context, accountID string, onMissed MissedPolicy, maxPer24h int) error {
	if maxPer24h < 0 {
		return invalid("maximum posts per 24 hours is %d: want 0 (no cap) or more", maxPer24h)
	}
	_, err := s.updateSettings(ctx, accountID, func(st *AccountSettings) error {
		st.OnMissed, st.MaxPer24h = onMissed, maxPer24h
		return nil
	})
	return err
}

// Pause stops publishing to an account until Resume. Targets already
// being published finish.
func (s *Scheduler) Pause(ctx context.Context, actor Actor, accountID, reason string) error {
	_, err := s.updateSettings(ctx, accountID, func(st *AccountSettings) error {
		if !st.Paused {
			st.Paused, st.PausedAt = true, s.clock.Now()
		}
		return nil
	})
	if err == nil {
		s.log.Info("account paused", "account", accountID, "by", actor.ID, "reason", reason)
	}
	return err
}

// Resume publishes to a paused account again. Its targets whose time
// passed during the pause are never dropped: they follow the account's
// MissedPolicy (NeedsRescheduling, or the next free slots).
func (s *Scheduler) Resume(ctx context.Context, actor Actor, accountID string) error {
	st, err := s.Account(ctx, accountID)
	if err != nil {
		return err
	}
	if !st.Paused {
		return nil
	}
	now := s.clock.Now()
	missed, err := s.store.ListTargets(ctx, TargetFilter{AccountID: accountID, States: []State{Scheduled}, RunBefore: now})
	if err != nil {
		return err
	}
	if err := s.handleMissed(ctx, actor.ID, missed, now, "its time passed while the account was paused"); err != nil {
		return err
	}
	_, err = s.updateSettings(ctx, accountID, func(st *AccountSettings) error {
		st.Paused, st.PausedAt = false, time.Time{}
		return nil
	})
	if err == nil {
		s.log.Info("account resumed", "account", accountID, "by", actor.ID, "missed", len(missed))
		s.notify()
	}
	return err
}

// handleMissed applies each target's account MissedPolicy to targets
// whose time passed while they could not be published.
func (s *Scheduler) handleMissed(ctx context.Context, by string, ts []*Target, now time.Time, reason string) error {
	taken := map[string]map[int64]bool{}
	var errs []error
	for _, t := range ts {
		st, err := s.Account(ctx, t.AccountID)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if taken[t.AccountID] == nil {
			taken[t.AccountID] = map[int64]bool{}
		}
		// A conflict means someone else changed the target meanwhile; a
		// queue slot that could not be taken is an error.
		if err := s.moveMissed(ctx, by, t, st, now, reason, taken[t.AccountID]); err != nil &&
			(!errors.Is(err, ErrConflict) || errors.Is(err, ErrSlotTaken)) {
			errs = append(errs, err)
		}
	}
	return errors.Join(errs...)
}

// moveMissed applies st.OnMissed to one target (in state Scheduled or
// AwaitingApproval) and stores it. A queue slot taken meanwhile by another
// scheduler is chosen again, up to maxQueueTries times.
func (s *Scheduler) moveMissed(ctx context.Context, by string, t *Target, st *AccountSettings, now time.Time, reason string, taken map[int64]bool) error {
	if st.OnMissed == MoveToNextSlot {
		s.queueMu.Lock()
		defer s.queueMu.Unlock()
	}
	from := t.State
	for try := 1; ; try++ {
		ch, ev, err := s.missedChange(ctx, by, t, from, st, now, reason, taken, slotSkip(try))
		if err != nil {
			return err
		}
		err = s.store.Apply(ctx, ch)
		if errors.Is(err, ErrSlotTaken) {
			if try == maxQueueTries {
				return slotErr(t.AccountID, err)
			}
			// Start again from the stored target: missedChange changed t.
			if t, err = s.store.GetTarget(ctx, t.ID); err != nil {
				return err
			}
			if t.State != from {
				return nil // someone else moved it
			}
			continue
		}
		if err != nil {
			return err
		}
		s.emitAll(ev)
		return nil
	}
}

// missedChange moves t (whose state was from) per the account's policy
// and returns the change to store.
// skip is passed to nextFree.
func (s *Scheduler) missedChange(ctx context.Context, by string, t *Target, from State, st *AccountSettings, now time.Time, reason string, taken map[int64]bool, skip int) (*Change, []Event, error) {
	ch := &Change{Targets: []*Target{t}}
	t.UpdatedAt = now
	t.NotBefore = time.Time{}
	if st.OnMissed == MoveToNextSlot {
		loc, err := s.location(st.Zone)
		if err != nil {
			return nil, nil, err
		}
		at, local, ok := s.nextFree(ctx, st, loc, now, taken, skip)
		t.State = Scheduled
		if ok {
			t.Due, t.Local, t.Zone, t.Queued = at, local, loc.String(), true
		} else {
			// No slots: publish at once.
			t.Due, t.Local, t.Queued = now, Civil{}, false
		}
		ch.Audit = []AuditEntry{{PostID: t.PostID, TargetID: t.ID, At: now, Actor: by, Action: "moved",
			From: from, To: Scheduled, Reason: reason + "; moved to " + t.Due.In(loc).Format("Mon 2006-01-02 15:04 MST")}}
		return ch, nil, nil
	}
	t.State = NeedsRescheduling
	ch.Audit = []AuditEntry{{PostID: t.PostID, TargetID: t.ID, At: now, Actor: by, Action: "needs-rescheduling",
		From: from, To: NeedsRescheduling, Reason: reason}}
	ev := Event{Kind: EventNeedsRescheduling, PostID: t.PostID, TargetID: t.ID, AccountID: t.AccountID, At: now, Reason: reason}
	return ch, []Event{ev}, nil
}

func (s *Scheduler) emitAll(evs []Event) {
	for _, e := range evs {
		s.cfg.Hooks.emit(e)
	}
}

// nextFree returns the account's first slot after `after` that no queued
// target holds (Target.HoldsQueueSlot), no other pending target occupies,
// and is not in taken (which it updates), skipping the first skip such
// slots.
func (s *Scheduler) nextFree(ctx context.Context, st *AccountSettings, loc *time.Location, after time.Time, taken map[int64]bool, skip int) (time.Time, Civil, bool) {
	if st == nil || len(st.Slots) == 0 {
		return time.Time{}, Civil{}, false
	}
	ts, err := s.store.ListTargets(ctx, TargetFilter{AccountID: st.AccountID,
		States: []State{Draft, AwaitingApproval, Scheduled, Publishing}, RunFrom: after})
	if err != nil {
		s.log.Error("listing the queue failed", "account", st.AccountID, "error", err)
		return time.Time{}, Civil{}, false
	}
	busy := make(map[int64]bool, len(ts))
	for _, t := range ts {
		if t.State != Draft || t.Queued {
			busy[t.Due.UnixNano()] = true
		}
	}
	sched := Schedule{Zone: loc, Slots: st.Slots}
	at := after
	for range 100000 {
		next, local, ok := sched.Next(at)
		if !ok {
			return time.Time{}, Civil{}, false
		}
		k := next.UnixNano()
		if !busy[k] && !taken[k] && skip > 0 {
			skip--
		} else if !busy[k] && !taken[k] {
			if taken != nil {
				taken[k] = true
			}
			return next, local, true
		}
		at = next
	}
	return time.Time{}, Civil{}, false
}

// NextFreeSlot returns the account's next slot after `after` that no
// pending target occupies nor queued draft holds, and its wall time. ErrNoSlot if the account
// has no slots.
func (s *Scheduler) NextFreeSlot(ctx context.Context, accountID string, after time.Time) (time.Time, Civil, error) {
	st, err := s.Account(ctx, accountID)
	if err != nil {
		return time.Time{}, Civil{}, err
	}
	loc, err := s.location(st.Zone)
	if err != nil {
		return time.Time{}, Civil{}, err
	}
	at, local, ok := s.nextFree(ctx, st, loc, after, nil, 0)
	if !ok {
		return time.Time{}, Civil{}, fmt.Errorf("scheduling: account %s has no posting slots: %w", accountID, ErrNoSlot)
	}
	return at, local, nil
}

// place computes a target's time from its spec.
//
// A queued target takes the account's next free slot, skipping skip free
// slots (see slotSkip).
func (s *Scheduler) place(ctx context.Context, t *Target, spec TargetSpec, now time.Time, taken map[int64]bool, skip int) error {
	n := 0
	for _, set := range []bool{!spec.At.IsZero(), !spec.Local.IsZero(), spec.Queue, spec.Now} {
		if set {
			n++
		}
	}
	if n != 1 {
		return invalid("target %s: give exactly one of At, Local, Queue and Now", spec.AccountID)
	}
	st, err := s.accountSettings(ctx, spec.AccountID)
	if err != nil {
		return err
	}
	zone := spec.Zone
	if zone == "" && st != nil {
		zone = st.Zone
	}
	loc, err := s.location(zone)
	if err != nil {
		return err
	}
	t.Zone, t.Queued, t.NotBefore = loc.String(), false, time.Time{}
	switch {
	case !spec.At.IsZero():
		t.Due, t.Local = spec.At, CivilOf(spec.At.In(loc))
	case !spec.Local.IsZero():
		if _, err := time.Parse("2006-01-02T15:04:05", spec.Local.String()); err != nil {
			return invalid("target %s: local time %s does not exist", spec.AccountID, spec.Local)
		}
		t.Due, _ = Resolve(spec.Local, loc)
		t.Local = spec.Local
	case spec.Now:
		t.Due, t.Local = now, Civil{}
	case spec.Queue:
		st, err := s.Account(ctx, spec.AccountID)
		if err != nil {
			return err
		}
		at, local, ok := s.nextFree(ctx, st, loc, now, taken, skip)
		if !ok {
			return fmt.Errorf("scheduling: account %s has no posting slots to queue to (SetSchedule first): %w", spec.AccountID, ErrNoSlot)
		}
		t.Due, t.Local, t.Queued = at, local, true
	}
	if t.Due.Before(now.Add(-time.Minute)) {
		return invalid("target %s: %s is in the past", spec.AccountID, t.Due.In(loc).Format("2006-01-02 15:04 MST"))
	}
	return nil
}

// storable checks that content can be stored.
func storable(ps ...connectors.Post) error {
	for _, p := range ps {
		for i, m := range p.Media {
			if m.Data == nil && m.URL == "" {
				return invalid("media[%d]: give Data or URL (a reader from Open cannot be stored)", i)
			}
		}
		if err := storable(p.Thread...); err != nil {
			return err
		}
	}
	return nil
}

// validate checks the post's content and variants against every
// account's limits; errors are *TargetError, joined.
func (s *Scheduler) validate(ctx context.Context, p *Post, accounts []string) error {
	var errs []error
	for _, id := range accounts {
		acct, err := s.cfg.Accounts(ctx, id)
		if err != nil {
			errs = append(errs, &TargetError{AccountID: id, Variant: -1, Err: err})
			continue
		}
		if err := acct.Validate(&p.Content); err != nil {
			errs = append(errs, &TargetError{AccountID: id, Network: acct.Network(), Variant: -1, Err: err})
		}
		for i := range p.Variants {
			if err := acct.Validate(&p.Variants[i]); err != nil {
				errs = append(errs, &TargetError{AccountID: id, Network: acct.Network(), Variant: i, Err: err})
			}
		}
	}
	return errors.Join(errs...)
}

func (a Approval) allows(actor Actor) (role string, ok bool) {
	if actor.ID != "" && slices.Contains(a.Approvers, actor.ID) {
		return "", true
	}
	for _, r := range actor.Roles {
		if slices.Contains(a.Roles, r) {
			return r, true
		}
	}
	return "", false
}

// Create creates a post for its targets: validated against every target
// network's limits (unless Draft), placed in time, and scheduled, or
// awaiting approval when np.Approval requires one. Validation errors are
// *TargetError naming the account, joined; errors.As finds the
// *connectors.ValidationError.
func (s *Scheduler) Create(ctx context.Context, actor Actor, np NewPost) (*Post, []*Target, error) {
	if len(np.Targets) == 0 {
		return nil, nil, invalid("a post needs at least one target account")
	}
	if err := storable(append([]connectors.Post{np.Content}, np.Variants...)...); err != nil {
		return nil, nil, err
	}
	if np.Recurrence.EveryDays < 0 || np.Recurrence.MaxRuns < 0 {
		return nil, nil, invalid("recurrence: EveryDays and MaxRuns must not be negative")
	}
	now := s.clock.Now()
	p := &Post{ID: s.newID("p"), Content: np.Content, Variants: np.Variants, Approval: np.Approval,
		Recurrence: np.Recurrence, CreatedBy: actor.ID, CreatedAt: now, UpdatedAt: now}
	accounts := make([]string, 0, len(np.Targets))
	for _, spec := range np.Targets {
		if spec.AccountID == "" {
			return nil, nil, invalid("a target has an empty account ID")
		}
		if slices.Contains(accounts, spec.AccountID) {
			return nil, nil, invalid("account %s is targeted twice", spec.AccountID)
		}
		accounts = append(accounts, spec.AccountID)
	}
	state := Scheduled
	switch {
	case np.Draft:
		state = Draft
	case np.Approval.Required():
		state = AwaitingApproval
	}
	if !np.Draft {
		if err := s.validate(ctx, p, accounts); err != nil {
			return nil, nil, err
		}
	}
	// Each target's "created" entry records the creation: no post-level
	// entry is needed.
	ch := &Change{Post: p, Audit: make([]AuditEntry, 0, len(np.Targets))}
	var queued bool
	for _, spec := range np.Targets {
		queued = queued || spec.Queue
	}
	if queued {
		// The fast path: this scheduler's queue assignments take turns.
		// The Store refuses a slot another scheduler took meanwhile
		// (ErrSlotTaken); then the queued targets are placed again.
		s.queueMu.Lock()
		defer s.queueMu.Unlock()
	}
	for _, spec := range np.Targets {
		id := s.newID("t")
		t := &Target{ID: id, PostID: p.ID, AccountID: spec.AccountID, State: state, Key: "cmkit-" + id, UpdatedAt: now}
		if err := s.place(ctx, t, spec, now, map[int64]bool{}, 0); err != nil {
			return nil, nil, err
		}
		ch.Targets = append(ch.Targets, t)
		ch.Audit = append(ch.Audit, AuditEntry{PostID: p.ID, TargetID: id, At: now, Actor: actor.ID,
			Action: "created", To: state, Reason: whenReason(t)})
	}
	for try := 1; ; try++ {
		err := s.store.Apply(ctx, ch)
		if err == nil {
			break
		}
		var st *SlotTakenError
		if !queued || !errors.As(err, &st) {
			return nil, nil, err
		}
		if try == maxQueueTries {
			return nil, nil, slotErr(st.AccountID, err)
		}
		for i, spec := range np.Targets {
			if !spec.Queue {
				continue
			}
			t := ch.Targets[i]
			if err := s.place(ctx, t, spec, now, map[int64]bool{}, slotSkip(try+1)); err != nil {
				return nil, nil, err
			}
			ch.Audit[i].Reason = whenReason(t)
		}
	}
	if state == Scheduled {
		s.notify()
	}
	if state == AwaitingApproval {
		for _, t := range ch.Targets {
			s.cfg.Hooks.emit(Event{Kind: EventNeedsApproval, PostID: p.ID, TargetID: t.ID, AccountID: t.AccountID, At: now})
		}
	}
	return p, ch.Targets, nil
}

func whenReason(t *Target) string {
	if t.Local.IsZero() {
		return "as soon as possible"
	}
	r := "for " + t.Local.String() + " " + t.Zone
	if t.Queued {
		r += " (queue slot)"
	}
	return r
}

// modify reads a post, lets fn build a change and applies it, retrying
// on version conflicts. Events returned by fn are emitted once stored.
func (s *Scheduler) modify(ctx context.Context, postID string, fn func(p *Post, ts []*Target, now time.Time) (*Change, []Event, error)) error {
	return s.modifyQueue(ctx, postID, func(p *Post, ts []*Target, now time.Time, _ int) (*Change, []Event, error) {
		return fn(p, ts, now)
	})
}

// modifyQueue is modify for changes that may take queue slots: fn is
// given the number of free slots to skip (see slotSkip), and a slot taken
// by another scheduler (ErrSlotTaken) is retried up to maxQueueTries
// times.
func (s *Scheduler) modifyQueue(ctx context.Context, postID string, fn func(p *Post, ts []*Target, now time.Time, skip int) (*Change, []Event, error)) error {
	conflicts, slots := 0, 0
	for {
		p, ts, err := s.store.GetPost(ctx, postID)
		if err != nil {
			return err
		}
		ch, evs, err := fn(p, ts, s.clock.Now(), slotSkip(slots+1))
		if err != nil || ch == nil {
			return err
		}
		err = s.store.Apply(ctx, ch)
		var st *SlotTakenError
		switch {
		case errors.As(err, &st):
			if slots++; slots == maxQueueTries {
				return slotErr(st.AccountID, err)
			}
			continue
		case errors.Is(err, ErrConflict):
			if conflicts++; conflicts == 5 {
				return fmt.Errorf("scheduling: post %s changed concurrently too often: %w", postID, ErrConflict)
			}
			continue
		case err != nil:
			return err
		}
		s.notify()
		s.emitAll(evs)
		return nil
	}
}

func accountsOf(ts []*Target, states ...State) []string {
	var out []string
	for _, t := range ts {
		if slices.Contains(states, t.State) {
			out = append(out, t.AccountID)
		}
	}
	return out
}

// Submit schedules a draft: its content is validated for every target
// account, and its targets become Scheduled, or AwaitingApproval when the
// post requires approval.
func (s *Scheduler) Submit(ctx context.Context, actor Actor, postID string) error {
	return s.modify(ctx, postID, func(p *Post, ts []*Target, now time.Time) (*Change, []Event, error) {
		drafts := accountsOf(ts, Draft)
		if len(drafts) == 0 {
			return nil, nil, stateErr("post %s has no draft target to submit", postID)
		}
		if err := s.validate(ctx, p, drafts); err != nil {
			return nil, nil, err
		}
		to := Scheduled
		if p.Approval.Required() {
			to = AwaitingApproval
		}
		ch := &Change{}
		var evs []Event
		for _, t := range ts {
			if t.State != Draft {
				continue
			}
			t.State, t.UpdatedAt = to, now
			ch.Targets = append(ch.Targets, t)
			ch.Audit = append(ch.Audit, AuditEntry{PostID: p.ID, TargetID: t.ID, At: now, Actor: actor.ID, Action: "submitted", From: Draft, To: to, Reason: whenReason(t)})
			if to == AwaitingApproval {
				evs = append(evs, Event{Kind: EventNeedsApproval, PostID: p.ID, TargetID: t.ID, AccountID: t.AccountID, At: now})
			}
		}
		return ch, evs, nil
	})
}

// Approve approves a post awaiting approval: the actor must be one of
// its named approvers or hold one of its roles (ErrNotAllowed
// otherwise). Its targets become Scheduled; a target whose time passed
// while it waited follows its account's MissedPolicy.
func (s *Scheduler) Approve(ctx context.Context, actor Actor, postID, reason string) error {
	// Targets approved after their time may move to the next free slots.
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	return s.modifyQueue(ctx, postID, func(p *Post, ts []*Target, now time.Time, skip int) (*Change, []Event, error) {
		if !p.Approval.Required() {
			return nil, nil, stateErr("post %s needs no approval", postID)
		}
		role, ok := p.Approval.allows(actor)
		if !ok {
			return nil, nil, fmt.Errorf("scheduling: %s may not approve post %s (approvers %v, roles %v): %w",
				strconv.Quote(actor.ID), postID, p.Approval.Approvers, p.Approval.Roles, ErrNotAllowed)
		}
		ch := &Change{Post: p}
		var evs []Event
		taken := map[string]map[int64]bool{}
		for _, t := range ts {
			if t.State != AwaitingApproval {
				continue
			}
			if t.RunAt().Before(now.Add(-time.Minute)) {
				st, err := s.Account(ctx, t.AccountID)
				if err != nil {
					return nil, nil, err
				}
				if taken[t.AccountID] == nil {
					taken[t.AccountID] = map[int64]bool{}
				}
				mc, mev, err := s.missedChange(ctx, actor.ID, t, AwaitingApproval, st, now, "approved after its time", taken[t.AccountID], skip)
				if err != nil {
					return nil, nil, err
				}
				ch.Targets = append(ch.Targets, mc.Targets...)
				ch.Audit = append(ch.Audit, mc.Audit...)
				evs = append(evs, mev...)
				continue
			}
			t.State, t.UpdatedAt = Scheduled, now
			ch.Targets = append(ch.Targets, t)
			ch.Audit = append(ch.Audit, AuditEntry{PostID: p.ID, TargetID: t.ID, At: now, Actor: actor.ID,
				Action: "approved", From: AwaitingApproval, To: Scheduled, Reason: reason})
		}
		if len(ch.Targets) == 0 {
			return nil, nil, stateErr("post %s has no target awaiting approval", postID)
		}
		p.Approvals = append(p.Approvals, Approved{By: actor.ID, Role: role, At: now})
		p.UpdatedAt = now
		return ch, evs, nil
	})
}

// Reject sends a post awaiting approval back to Draft, with the reason;
// only an approver may reject.
func (s *Scheduler) Reject(ctx context.Context, actor Actor, postID, reason string) error {
	return s.modify(ctx, postID, func(p *Post, ts []*Target, now time.Time) (*Change, []Event, error) {
		if _, ok := p.Approval.allows(actor); !ok {
			return nil, nil, fmt.Errorf("scheduling: %s may not reject post %s: %w", strconv.Quote(actor.ID), postID, ErrNotAllowed)
		}
		ch := &Change{}
		for _, t := range ts {
			if t.State == AwaitingApproval {
				t.State, t.UpdatedAt = Draft, now
				ch.Targets = append(ch.Targets, t)
				ch.Audit = append(ch.Audit, AuditEntry{PostID: p.ID, TargetID: t.ID, At: now, Actor: actor.ID,
					Action: "rejected", From: AwaitingApproval, To: Draft, Reason: reason})
			}
		}
		if len(ch.Targets) == 0 {
			return nil, nil, stateErr("post %s has no target awaiting approval", postID)
		}
		return ch, nil, nil
	})
}

// Edit replaces the content of a post's targets not yet published; the
// new content is validated for their accounts. When the post requires
// approval, the approvals are cleared and its scheduled targets go back
// to AwaitingApproval. Published, failed and cancelled targets are left
// as they are. ErrState while a target is being published.
func (s *Scheduler) Edit(ctx context.Context, actor Actor, postID string, content connectors.Post, reason string) error {
	if err := storable(content); err != nil {
		return err
	}
	return s.modify(ctx, postID, func(p *Post, ts []*Target, now time.Time) (*Change, []Event, error) {
		var live []string
		for _, t := range ts {
			if t.State == Publishing {
				return nil, nil, stateErr("post %s is being published to %s right now: edit again once it is done", postID, t.AccountID)
			}
		}
		live = accountsOf(ts, AwaitingApproval, Scheduled, NeedsRescheduling)
		if len(live)+len(accountsOf(ts, Draft)) == 0 {
			return nil, nil, stateErr("post %s has no target left to edit", postID)
		}
		p.Content, p.UpdatedAt = content, now
		if err := s.validate(ctx, p, live); err != nil {
			return nil, nil, err
		}
		ch := &Change{Post: p, Audit: []AuditEntry{{PostID: p.ID, At: now, Actor: actor.ID, Action: "edited", Reason: reason}}}
		var evs []Event
		if p.Approval.Required() {
			p.Approvals = nil
			for _, t := range ts {
				if t.State != Scheduled {
					continue
				}
				t.State, t.UpdatedAt = AwaitingApproval, now
				ch.Targets = append(ch.Targets, t)
				ch.Audit = append(ch.Audit, AuditEntry{PostID: p.ID, TargetID: t.ID, At: now, Actor: actor.ID,
					Action: "edited", From: Scheduled, To: AwaitingApproval, Reason: "edited after approval: needs approval again"})
				evs = append(evs, Event{Kind: EventNeedsApproval, PostID: p.ID, TargetID: t.ID, AccountID: t.AccountID, At: now})
			}
		}
		return ch, evs, nil
	})
}

// Cancel cancels a post's targets that are not yet published (all, or
// those of the given accounts). ErrState while one of them is being
// published.
func (s *Scheduler) Cancel(ctx context.Context, actor Actor, postID, reason string, accountIDs ...string) error {
	return s.modify(ctx, postID, func(p *Post, ts []*Target, now time.Time) (*Change, []Event, error) {
		ch := &Change{}
		for _, t := range ts {
			if len(accountIDs) > 0 && !slices.Contains(accountIDs, t.AccountID) {
				continue
			}
			switch t.State {
			case Publishing:
				return nil, nil, stateErr("post %s is being published to %s right now", postID, t.AccountID)
			case Draft, AwaitingApproval, Scheduled, NeedsRescheduling:
				from := t.State
				t.State, t.UpdatedAt = Cancelled, now
				ch.Targets = append(ch.Targets, t)
				ch.Audit = append(ch.Audit, AuditEntry{PostID: p.ID, TargetID: t.ID, At: now, Actor: actor.ID,
					Action: "cancelled", From: from, To: Cancelled, Reason: reason})
			}
		}
		if len(ch.Targets) == 0 {
			return nil, nil, stateErr("post %s has nothing left to cancel", postID)
		}
		return ch, nil, nil
	})
}

// Reschedule gives a target a new time. It applies to targets scheduled,
// awaiting approval, needing rescheduling, failed or cancelled (a failed
// "outcome unknown" target is rescheduled once a person has checked the
// account); the target is scheduled again (or awaits approval when the
// post requires one and has none), with its attempts reset and the same
// idempotency key.
func (s *Scheduler) Reschedule(ctx context.Context, actor Actor, targetID string, spec TargetSpec, reason string) error {
	t0, err := s.store.GetTarget(ctx, targetID)
	if err != nil {
		return err
	}
	spec.AccountID = t0.AccountID
	if spec.Queue {
		// Held across the choice of the slot and its write.
		s.queueMu.Lock()
		defer s.queueMu.Unlock()
	}
	return s.modifyQueue(ctx, t0.PostID, func(p *Post, ts []*Target, now time.Time, skip int) (*Change, []Event, error) {
		i := slices.IndexFunc(ts, func(t *Target) bool { return t.ID == targetID })
		t := ts[i]
		from := t.State
		switch from {
		case Scheduled, AwaitingApproval, NeedsRescheduling, Failed, Cancelled, Draft:
		default:
			return nil, nil, stateErr("target %s is %s and cannot be rescheduled", targetID, from)
		}
		if err := s.place(ctx, t, spec, now, map[int64]bool{}, skip); err != nil {
			return nil, nil, err
		}
		to := from
		var evs []Event
		switch from {
		case NeedsRescheduling, Failed, Cancelled, Scheduled:
			to = Scheduled
			if p.Approval.Required() && len(p.Approvals) == 0 {
				to = AwaitingApproval
				evs = append(evs, Event{Kind: EventNeedsApproval, PostID: p.ID, TargetID: t.ID, AccountID: t.AccountID, At: now})
			}
			if to != Draft {
				if err := s.validate(ctx, p, []string{t.AccountID}); err != nil {
					return nil, nil, err
				}
			}
		}
		if from != Scheduled && from != AwaitingApproval && from != Draft {
			t.Attempt, t.Unknown, t.Failure, t.Pending = 0, false, Failure{}, nil
		}
		t.State, t.UpdatedAt = to, now
		ch := &Change{Targets: []*Target{t}, Audit: []AuditEntry{{PostID: p.ID, TargetID: t.ID, At: now, Actor: actor.ID,
			Action: "rescheduled", From: from, To: to, Reason: joinReason(reason, whenReason(t))}}}
		return ch, evs, nil
	})
}

func joinReason(a, b string) string {
	if a == "" {
		return b
	}
	return a + " (" + b + ")"
}

// ShareNow publishes a target as soon as possible (see Reschedule).
func (s *Scheduler) ShareNow(ctx context.Context, actor Actor, targetID string) error {
	return s.Reschedule(ctx, actor, targetID, TargetSpec{Now: true}, "share now")
}

// Swap exchanges the times of two targets of the same account (reorder
// a queue). Both must be scheduled or awaiting approval.
func (s *Scheduler) Swap(ctx context.Context, actor Actor, targetA, targetB string) error {
	for range 5 {
		a, err := s.store.GetTarget(ctx, targetA)
		if err != nil {
			return err
		}
		b, err := s.store.GetTarget(ctx, targetB)
		if err != nil {
			return err
		}
		if a.AccountID != b.AccountID {
			return invalid("targets %s and %s are on different accounts", targetA, targetB)
		}
		for _, t := range []*Target{a, b} {
			if t.State != Scheduled && t.State != AwaitingApproval {
				return stateErr("target %s is %s: only scheduled targets can be swapped", t.ID, t.State)
			}
		}
		now := s.clock.Now()
		a.Local, b.Local = b.Local, a.Local
		a.Zone, b.Zone = b.Zone, a.Zone
		a.Due, b.Due = b.Due, a.Due
		a.Queued, b.Queued = b.Queued, a.Queued
		a.NotBefore, b.NotBefore = time.Time{}, time.Time{}
		a.UpdatedAt, b.UpdatedAt = now, now
		ch := &Change{Targets: []*Target{a, b}}
		for _, t := range []*Target{a, b} {
			ch.Audit = append(ch.Audit, AuditEntry{PostID: t.PostID, TargetID: t.ID, At: now, Actor: actor.ID,
				Action: "swapped", From: t.State, To: t.State, Reason: whenReason(t)})
		}
		// The swap keeps each queue slot with its instant (Queued moves
		// with Due), so ErrSlotTaken is not a race to retry.
		err = s.store.Apply(ctx, ch)
		if errors.Is(err, ErrConflict) && !errors.Is(err, ErrSlotTaken) {
			continue
		}
		if err == nil {
			s.notify()
		}
		return err
	}
	return fmt.Errorf("scheduling: targets changed concurrently too often: %w", ErrConflict)
}

// Blackout stops all publishing from `from` until `until` (a crisis):
// nothing is claimed meanwhile, and when it ends the targets whose time
// fell inside it follow their account's MissedPolicy, as after a pause.
func (s *Scheduler) Blackout(ctx context.Context, from, until time.Time, reason string) (Blackout, error) {
	now := s.clock.Now()
	if from.IsZero() {
		from = now
	}
	if !until.After(from) || !until.After(now) {
		return Blackout{}, invalid("blackout until %v must be after its start %v and after now", until, from)
	}
	b := Blackout{ID: s.newID("b"), From: from, Until: until, Reason: reason}
	if err := s.store.PutBlackout(ctx, b); err != nil {
		return Blackout{}, err
	}
	s.log.Warn("blackout declared", "from", from, "until", until, "reason", reason)
	s.notify()
	return b, nil
}

// EndBlackout ends a blackout now (or deletes it if it has not begun).
func (s *Scheduler) EndBlackout(ctx context.Context, id string) error {
	bs, err := s.store.ListBlackouts(ctx, time.Time{})
	if err != nil {
		return err
	}
	now := s.clock.Now()
	for _, b := range bs {
		if b.ID != id {
			continue
		}
		if b.From.After(now) {
			err = s.store.DeleteBlackout(ctx, id)
		} else {
			b.Until = now
			err = s.store.PutBlackout(ctx, b)
		}
		s.notify()
		return err
	}
	return fmt.Errorf("scheduling: blackout %q: %w", id, ErrNotFound)
}

// endBlackouts handles the targets of blackouts that have ended, then
// deletes them.
func (s *Scheduler) endBlackouts(ctx context.Context, now time.Time) error {
	bs, err := s.store.ListBlackouts(ctx, time.Time{})
	if err != nil {
		return err
	}
	for _, b := range bs {
		if b.Until.After(now) {
			continue
		}
		missed, err := s.store.ListTargets(ctx, TargetFilter{States: []State{Scheduled}, RunFrom: b.From, RunBefore: b.Until})
		if err != nil {
			return err
		}
		var keep []*Target
		for _, t := range missed {
			if st, err := s.accountSettings(ctx, t.AccountID); err == nil && st != nil && st.Paused {
				continue // handled when the account resumes
			}
			keep = append(keep, t)
		}
		if err := s.handleMissed(ctx, s.actor, keep, now, "its time fell in the blackout "+strconv.Quote(b.Reason)); err != nil {
			return err
		}
		if err := s.store.DeleteBlackout(ctx, b.ID); err != nil && !errors.Is(err, ErrNotFound) {
			return err
		}
		s.log.Info("blackout ended", "id", b.ID, "missed", len(keep))
	}
	return nil
}

// Rezone changes an account's time zone and recomputes the instants of
// its pending targets from their wall-clock times: a post planned for
// 09:30 stays at 09:30 in the new zone. With the account's current zone
// it recomputes instants after a change of the zone's rules (a tzdata
// update). Targets being published are left alone.
func (s *Scheduler) Rezone(ctx context.Context, actor Actor, accountID, zone string) error {
	loc, err := s.location(zone)
	if err != nil {
		return err
	}
	if _, err := s.updateSettings(ctx, accountID, func(st *AccountSettings) error {
		st.Zone = loc.String()
		return nil
	}); err != nil {
		return err
	}
	return s.rezoneTargets(ctx, actor, accountID, loc.String())
}

func (s *Scheduler) rezoneTargets(ctx context.Context, actor Actor, accountID, zone string) error {
	loc, err := s.location(zone)
	if err != nil {
		return err
	}
	ts, err := s.store.ListTargets(ctx, TargetFilter{AccountID: accountID, States: []State{Draft, AwaitingApproval, Scheduled, NeedsRescheduling}})
	if err != nil {
		return err
	}
	var errs []error
	if err := s.rezoneQueued(ctx, actor, accountID, zone, loc, ts); err != nil {
		errs = append(errs, err)
	}
	for _, t := range ts {
		if t.HoldsQueueSlot() {
			continue // done by rezoneQueued
		}
		for try := 0; ; try++ {
			if !rezonable(t) {
				break
			}
			ch := &Change{Targets: []*Target{t}, Audit: []AuditEntry{rezone(t, zone, loc, s.clock.Now(), actor)}}
			err := s.store.Apply(ctx, ch)
			if errors.Is(err, ErrConflict) && try < 3 {
				if t, err = s.store.GetTarget(ctx, t.ID); err != nil {
					errs = append(errs, err)
					break
				}
				continue
			}
			if err != nil {
				errs = append(errs, err)
			}
			break
		}
	}
	s.notify()
	return errors.Join(errs...)
}

func rezonable(t *Target) bool {
	return !t.Local.IsZero() && (t.State == Draft || t.State == AwaitingApproval || t.State == Scheduled || t.State == NeedsRescheduling)
}

// rezone recomputes t's instant in zone and returns the audit entry.
func rezone(t *Target, zone string, loc *time.Location, now time.Time, actor Actor) AuditEntry {
	old := t.Due
	t.Zone = zone
	t.Due, _ = Resolve(t.Local, loc)
	t.UpdatedAt = now
	return AuditEntry{PostID: t.PostID, TargetID: t.ID, At: now, Actor: actor.ID, Action: "rezoned", From: t.State, To: t.State,
		Reason: fmt.Sprintf("%s in %s: %s -> %s", t.Local, zone, old.UTC().Format(time.RFC3339), t.Due.UTC().Format(time.RFC3339))}
}

// rezoneQueued rezones the account's targets that hold queue slots in one
// Apply, since one may move to the instant another one leaves. A target
// whose new instant is held by another (two wall times resolved to one
// instant in a spring-forward gap) takes the next free slot.
func (s *Scheduler) rezoneQueued(ctx context.Context, actor Actor, accountID, zone string, loc *time.Location, ts []*Target) error {
	s.queueMu.Lock()
	defer s.queueMu.Unlock()
	moved := map[string]bool{} // targets moved to another slot
	for conflicts, slots := 0, 0; ; {
		ch := &Change{}
		now := s.clock.Now()
		taken := map[int64]bool{}
		for _, t := range ts {
			if t.HoldsQueueSlot() && rezonable(t) && !moved[t.ID] {
				ch.Targets = append(ch.Targets, t)
				ch.Audit = append(ch.Audit, rezone(t, zone, loc, now, actor))
				taken[t.Due.UnixNano()] = true
			}
		}
		for _, t := range ts {
			if moved[t.ID] && t.HoldsQueueSlot() && rezonable(t) {
				ch.Targets = append(ch.Targets, t)
				ch.Audit = append(ch.Audit, rezone(t, zone, loc, now, actor))
				st, err := s.accountSettings(ctx, accountID)
				if err != nil {
					return err
				}
				sched := &AccountSettings{AccountID: accountID}
				if st != nil {
					sched.Slots = st.Slots
				}
				at, local, ok := s.nextFree(ctx, sched, loc, t.Due, taken, 0)
				if !ok {
					return fmt.Errorf("scheduling: target %s: no free queue slot after %s: %w", t.ID, t.Due, ErrNoSlot)
				}
				t.Due, t.Local = at, local
				ch.Audit[len(ch.Audit)-1].Reason += "; slot taken, moved to " + local.String()
			}
		}
		if len(ch.Targets) == 0 {
			return nil
		}
		err := s.store.Apply(ctx, ch)
		var st *SlotTakenError
		switch {
		case err == nil:
			return nil
		case errors.As(err, &st) && slots < maxQueueTries && st.TargetID != "" && !moved[st.TargetID]:
			slots++
			moved[st.TargetID] = true
		case errors.Is(err, ErrConflict) && !errors.Is(err, ErrSlotTaken) && conflicts < 3:
			conflicts++
		default:
			return err
		}
		// Start again from the stored targets.
		fresh := ts[:0:0]
		for _, t := range ts {
			if t.HoldsQueueSlot() {
				f, err := s.store.GetTarget(ctx, t.ID)
				if err != nil {
					return err
				}
				fresh = append(fresh, f)
			}
		}
		ts = fresh
	}
}

// Post returns a post and its targets.
func (s *Scheduler) Post(ctx context.Context, postID string) (*Post, []*Target, error) {
	return s.store.GetPost(ctx, postID)
}

// Targets lists targets (see TargetFilter).
func (s *Scheduler) Targets(ctx context.Context, f TargetFilter) ([]*Target, error) {
	return s.store.ListTargets(ctx, f)
}

// NeedsRescheduling lists the targets waiting for a person to choose a
// new time (all accounts when accountID is empty).
func (s *Scheduler) NeedsRescheduling(ctx context.Context, accountID string) ([]*Target, error) {
	return s.store.ListTargets(ctx, TargetFilter{AccountID: accountID, States: []State{NeedsRescheduling}})
}

// Audit lists a post's audit trail, oldest first.
func (s *Scheduler) Audit(ctx context.Context, postID string) ([]AuditEntry, error) {
	return s.store.ListAudit(ctx, AuditFilter{PostID: postID})
}
