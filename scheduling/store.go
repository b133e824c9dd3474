package scheduling

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"
)

// Store errors. Stores return them (possibly wrapped) so that the
// scheduler and users can match them with errors.Is.
var (
	// ErrNotFound: no post, target, account or blackout with that ID.
	ErrNotFound = errors.New("scheduling: not found")
	// ErrConflict: the stored version differs from the one given (someone
	// else changed the record since it was read), or the record already
	// exists. Read it again and retry the change.
	ErrConflict = errors.New("scheduling: version conflict")
	// ErrLeaseLost: a completion, release or renewal names a target that
	// is no longer leased by this owner for this attempt (the lease expired
	// and another worker reclaimed it, or it was completed already).
	ErrLeaseLost = errors.New("scheduling: lease lost")
	// ErrSlotTaken: the change would put two targets on one queue slot
	// (see Target.HoldsQueueSlot). Stores return it as a *SlotTakenError,
	// which also matches ErrConflict: read the queue again and take another
	// slot.
	ErrSlotTaken = errors.New("scheduling: queue slot taken")
)

// SlotTakenError is the error of a write refused because another target
// already holds the queue slot (account and instant) it would take. It
// matches ErrSlotTaken and ErrConflict with errors.Is.
type SlotTakenError struct {
	// AccountID and Due are the slot.
	AccountID string
	Due       time.Time
	// TargetID is the target whose write was refused.
	TargetID string
	// Holder is the target holding the slot, when the store knows it
	// (memstore does; the SQL stores leave it empty).
	Holder string
}

// Error names the slot and the targets.
func (e *SlotTakenError) Error() string {
	s := "scheduling: queue slot " + e.Due.UTC().Format(time.RFC3339Nano) + " of account " + strconv.Quote(e.AccountID) +
		" is taken"
	if e.Holder != "" {
		s += " by target " + e.Holder
	}
	if e.TargetID != "" {
		s += ": target " + e.TargetID + " cannot take it"
	}
	return s
}

// Is makes errors.Is(err, ErrSlotTaken) and errors.Is(err, ErrConflict)
// true.
func (e *SlotTakenError) Is(target error) bool {
	return target == ErrSlotTaken || target == ErrConflict
}

// Change is one atomic write: a post and some of its targets, with the
// audit entries that record it. It all applies or nothing does.
type Change struct {
	// Post, when not nil, is inserted (Version 0) or updated (Version must
	// equal the stored version).
	Post *Post
	// Targets are inserted (Version 0) or updated (Version must equal the
	// stored version). A target's PostID must name an existing post or
	// Post.
	Targets []*Target
	// Audit entries are appended; the store sets their Seq.
	Audit []AuditEntry
}

// Check reports what makes c unwritable whatever a store holds: a post or
// a target without an ID (ErrInvalid), or a target given twice
// (ErrConflict). Stores call it before writing anything, so every store
// refuses the same changes with the same errors.
func (c *Change) Check() error {
	if c.Post != nil && c.Post.ID == "" {
		return invalid("change: post with an empty ID")
	}
	for i, t := range c.Targets {
		if t == nil || t.ID == "" {
			return invalid("change: target %d has no ID", i)
		}
		for _, u := range c.Targets[:i] {
			if u.ID == t.ID {
				return fmt.Errorf("scheduling: change: target %s given twice: %w", t.ID, ErrConflict)
			}
		}
	}
	return nil
}

// Claim is one target claimed by ClaimDue, with its post.
type Claim struct {
	// Target is the claimed target, in state Publishing, leased to the
	// owner, with Attempt incremented.
	Target Target
	// Post is the target's post. It may be shared between the claims of
	// one batch and with the store: treat it as read-only.
	Post *Post
	// Reclaimed says the target was taken from a worker whose lease
	// expired: its outcome is unknown (Target.Unknown is set).
	Reclaimed bool
}

// Completion ends one attempt of a claimed target.
type Completion struct {
	// TargetID and Attempt name the attempt; the store checks that the
	// target is Publishing, leased to the owner, with this Attempt.
	TargetID string
	Attempt  int
	// State is the new state: Published, Failed, Scheduled (deferred
	// until NotBefore, or a pending publish to check again),
	// NeedsRescheduling or Cancelled.
	State State
	// Result is stored for Published; Failure for Failed (and, for
	// Scheduled, as the reason of the deferral).
	Result  Result
	Failure Failure
	// NotBefore is the new NotBefore for State Scheduled.
	NotBefore time.Time
	// Unknown is the new value of Target.Unknown (false once reconciled).
	Unknown bool
	// Pending is the new Target.Pending (nil clears it).
	Pending []byte
	// Next, when not nil, is a new target inserted in the same write (the
	// next run of a recurring post). Its Version must be 0.
	Next *Target
	// Audit is appended with the completion; the store fills Seq.
	Audit []AuditEntry
}

// TargetFilter selects targets for ListTargets. Zero fields do not
// filter.
type TargetFilter struct {
	PostID    string
	AccountID string
	// States keeps targets in any of these states.
	States []State
	// RunFrom and RunBefore keep targets with From <= RunAt() < Before.
	RunFrom   time.Time
	RunBefore time.Time
	// Limit caps the number of targets returned (0: no cap).
	Limit int
	// After resumes a listing after the target with this RunAt and ID
	// (the last one of the previous page); used when AfterID is not empty.
	AfterRunAt time.Time
	AfterID    string
}

// AuditFilter selects audit entries for ListAudit.
type AuditFilter struct {
	PostID   string
	TargetID string
	// AfterSeq keeps entries with Seq > AfterSeq.
	AfterSeq int64
	// Limit caps the number of entries (0: no cap).
	Limit int
}

// Store keeps posts, targets, audit entries, account settings and
// blackouts, and hands out due targets to workers under leases. The
// scheduler relies on it for every guarantee: a Store must be safe for
// concurrent use, by several goroutines and, for a shared database, by
// several processes. Package storetest checks these semantics; every
// implementation must pass storetest.Run.
//
// Times are compared as instants; a store may truncate them to the
// microsecond. Every method returns an error wrapping ErrNotFound,
// ErrConflict or ErrLeaseLost where it says so.
//
// Queue slots are unique: at most one target holding a queue slot
// (Target.HoldsQueueSlot: Queued, in state Draft, AwaitingApproval,
// Scheduled or Publishing) per account and Due instant. The store
// enforces it atomically, for every process sharing it: a write that
// would break it (Apply, or the Next of a Complete) fails whole with a
// *SlotTakenError (matching ErrSlotTaken and ErrConflict) and writes
// nothing. The check is on the state after the write, so one Apply may
// exchange the slots of its targets (Swap). Targets that are not queued
// may share an instant with anything.
type Store interface {
	// Apply writes c atomically: inserts what has Version 0 (Version
	// becomes 1; ErrConflict if the ID exists), updates the rest if their
	// Version equals the stored one (Version becomes stored+1; ErrConflict
	// otherwise, ErrNotFound if missing), and appends c.Audit. On success
	// it sets the new Version on c's posts and targets and Seq on c.Audit.
	// A *SlotTakenError if, once written, two targets would hold one queue
	// slot. On error nothing is written.
	Apply(ctx context.Context, c *Change) error

	// GetPost returns the post and its targets (ordered by ID).
	// ErrNotFound if there is no such post.
	GetPost(ctx context.Context, id string) (*Post, []*Target, error)
	// GetTarget returns one target. ErrNotFound if missing.
	GetTarget(ctx context.Context, id string) (*Target, error)
	// ListTargets returns the targets matching f, ordered by RunAt then ID.
	ListTargets(ctx context.Context, f TargetFilter) ([]*Target, error)
	// CountPublished counts the account's targets in state Published with
	// Result.PublishedAt >= since.
	CountPublished(ctx context.Context, accountID string, since time.Time) (int, error)

	// ClaimDue atomically claims at most limit targets, earliest RunAt
	// first (the order among equal instants is the store's choice), and
	// returns them. It claims:
	//   - targets in state Scheduled with RunAt() <= now, and
	//   - targets in state Publishing whose LeaseUntil <= now (their worker
	//     died): these are returned with Reclaimed and Target.Unknown set;
	// except targets of a paused account (AccountSettings.Paused) and
	// anything at all while a blackout is active at now. Each claimed
	// target moves to Publishing with Attempt+1, LeaseOwner = owner,
	// LeaseUntil = now+lease, Version+1, and an audit entry (Action
	// "claimed", Actor "scheduler:"+owner, At now) is appended. No target
	// is ever returned to two concurrent callers.
	ClaimDue(ctx context.Context, now time.Time, owner string, lease time.Duration, limit int) ([]Claim, error)
	// NextDue returns the earliest instant at which ClaimDue could return
	// something, ignoring blackouts: the earliest RunAt of Scheduled
	// targets and LeaseUntil of Publishing targets, of accounts not
	// paused. ok is false when there is none.
	NextDue(ctx context.Context) (t time.Time, ok bool, err error)
	// Complete applies completions of attempts leased to owner, each
	// atomically and independently (a batch is a group commit): the target
	// must be Publishing with LeaseOwner == owner and Attempt ==
	// c.Attempt, else that completion fails with ErrLeaseLost. The target
	// takes c's State, Result, Failure, NotBefore, Unknown and Pending;
	// its lease is cleared and Version incremented; c.Next is inserted and
	// c.Audit appended. A Next whose queue slot is held fails that
	// completion with a *SlotTakenError, writing nothing of it. errs has
	// one entry per completion (nil on success); err reports a failure of
	// the whole call. The scheduler
	// reuses cs and the entries it points to (Audit, Next) once Complete
	// returns: a Store copies what it keeps and never retains them.
	Complete(ctx context.Context, owner string, cs []Completion) (errs []error, err error)
	// Release gives back claims that never reached the network (a
	// stopping worker): each target leased to owner with that attempt
	// returns to Scheduled with Attempt-1, its lease cleared, Version+1,
	// UpdatedAt now and an audit entry (Action "released", At now);
	// others are skipped.
	Release(ctx context.Context, now time.Time, owner string, refs []LeaseRef) error
	// Renew extends the leases of targets still leased to owner for the
	// given attempts to until (Version unchanged). It returns the refs
	// whose lease was lost.
	Renew(ctx context.Context, owner string, refs []LeaseRef, until time.Time) (lost []LeaseRef, err error)

	// ListAudit returns audit entries matching f in Seq order.
	ListAudit(ctx context.Context, f AuditFilter) ([]AuditEntry, error)

	// PutAccount inserts (Version 0) or updates (Version equal to the
	// stored one, else ErrConflict) an account's settings and sets the
	// new Version on s. Pausing takes effect on the next ClaimDue.
	PutAccount(ctx context.Context, s *AccountSettings) error
	// GetAccount returns an account's settings, ErrNotFound if none.
	GetAccount(ctx context.Context, accountID string) (*AccountSettings, error)
	// ListAccounts returns every account's settings, ordered by ID.
	ListAccounts(ctx context.Context) ([]*AccountSettings, error)

	// PutBlackout inserts or replaces a blackout (by ID).
	PutBlackout(ctx context.Context, b Blackout) error
	// DeleteBlackout removes one; ErrNotFound if missing.
	DeleteBlackout(ctx context.Context, id string) error
	// ListBlackouts returns the blackouts ending after since (all with a
	// zero since), ordered by From then ID.
	ListBlackouts(ctx context.Context, since time.Time) ([]Blackout, error)
}

// LeaseRef names one attempt of a target.
type LeaseRef struct {
	TargetID string
	Attempt  int
}
