package scheduling

import (
	"fmt"
	"strconv"
	"time"

	"github.com/cmkit/cmkit/connectors"
)

// State is where one target of a post stands.
type State uint8

// The states of a target. See the package documentation for the diagram.
const (
	// Draft: saved, not scheduled; nothing will be published.
	Draft State = iota + 1
	// AwaitingApproval: scheduled by its author but waiting for an
	// approver; it is not published until approved.
	AwaitingApproval
	// Scheduled: approved (or needing no approval) and waiting for its
	// instant (Target.RunAt).
	Scheduled
	// Publishing: claimed by a worker that holds a lease on it.
	Publishing
	// Published: the network accepted it (Target.Result holds its ID and
	// permalink). Final.
	Published
	// Failed: a permanent failure (Target.Failure says why). Final until
	// rescheduled by hand.
	Failed
	// Cancelled: cancelled by a person. Final.
	Cancelled
	// NeedsRescheduling: its instant passed while the account was paused or
	// during a blackout; a person must choose a new time.
	NeedsRescheduling
	numStates
)

var stateNames = [...]string{"", "draft", "awaiting-approval", "scheduled", "publishing",
	"published", "failed", "cancelled", "needs-rescheduling"}

// String returns the state's name, e.g. "awaiting-approval"; the zero
// State (the "from" of a creation, the states of post-level audit
// entries) is "none".
func (s State) String() string {
	if s == 0 {
		return "none"
	}
	if s >= numStates {
		return "State(" + strconv.Itoa(int(s)) + ")"
	}
	return stateNames[s]
}

// ParseState parses the name String returns.
func ParseState(name string) (State, error) {
	for i := Draft; i < numStates; i++ {
		if stateNames[i] == name {
			return i, nil
		}
	}
	return 0, fmt.Errorf("scheduling: unknown state %q", name)
}

// Final reports whether nothing more happens to a target in this state
// without a person acting: Published, Failed, Cancelled.
func (s State) Final() bool { return s == Published || s == Failed || s == Cancelled }

// Pending reports whether a target in this state still waits to be
// published: AwaitingApproval, Scheduled or Publishing.
func (s State) Pending() bool { return s == AwaitingApproval || s == Scheduled || s == Publishing }

// Civil is a wall-clock date and time without a zone, as a community
// manager writes it: "2026-03-29 09:30". A target keeps the Civil time it
// was planned for together with the account's zone, so its instant can be
// recomputed when the zone or the zone's rules change.
type Civil struct {
	Year   int
	Month  time.Month
	Day    int
	Hour   int
	Minute int
	Second int
}

// CivilOf returns the wall-clock reading of t in t's location.
func CivilOf(t time.Time) Civil {
	y, m, d := t.Date()
	h, mi, s := t.Clock()
	return Civil{y, m, d, h, mi, s}
}

// IsZero reports whether c is the zero Civil.
func (c Civil) IsZero() bool { return c == Civil{} }

// String formats c as "2006-01-02T15:04:05".
func (c Civil) String() string {
	if c.Year < 0 || c.Year > 9999 || c.Month < 0 || c.Month > 99 || c.Day < 0 || c.Day > 99 ||
		c.Hour < 0 || c.Hour > 99 || c.Minute < 0 || c.Minute > 99 || c.Second < 0 || c.Second > 99 {
		return fmt.Sprintf("%04d-%02d-%02dT%02d:%02d:%02d", c.Year, int(c.Month), c.Day, c.Hour, c.Minute, c.Second)
	}
	var b [19]byte
	put := func(i, v, n int) {
		for j := i + n - 1; j >= i; j-- {
			b[j] = byte('0' + v%10)
			v /= 10
		}
	}
	two := func(i, v int) { put(i, v, 2) }
	put(0, c.Year, 4)
	b[4], b[7], b[10], b[13], b[16] = '-', '-', 'T', ':', ':'
	two(5, int(c.Month))
	two(8, c.Day)
	two(11, c.Hour)
	two(14, c.Minute)
	two(17, c.Second)
	return string(b[:])
}

// ParseCivil parses "2006-01-02T15:04:05", "2006-01-02T15:04" or the same
// with a space instead of 'T'.
func ParseCivil(s string) (Civil, error) {
	for _, layout := range []string{"2006-01-02T15:04:05", "2006-01-02T15:04", "2006-01-02 15:04:05", "2006-01-02 15:04"} {
		if t, err := time.Parse(layout, s); err == nil {
			return CivilOf(t), nil
		}
	}
	return Civil{}, fmt.Errorf("scheduling: invalid local time %q: want 2006-01-02T15:04[:05]", s)
}

// Before reports whether c is earlier than d on the wall clock.
func (c Civil) Before(d Civil) bool { return c.String() < d.String() }

// Approval is who may approve a post before it is scheduled. A post with
// neither roles nor approvers needs no approval.
type Approval struct {
	// Roles: any actor holding one of these roles may approve.
	Roles []string
	// Approvers: these named actors (Actor.ID) may approve.
	Approvers []string
}

// Required reports whether the policy asks for an approval.
func (a Approval) Required() bool { return len(a.Roles) > 0 || len(a.Approvers) > 0 }

// Recurrence re-queues a post after it was published.
type Recurrence struct {
	// EveryDays re-publishes the post this many days after each
	// publication, at the same local time (recurring) or in the first free
	// slot from then (Evergreen). Zero means no recurrence.
	EveryDays int
	// Evergreen takes the account's next free slot on or after the day
	// instead of the same local time.
	Evergreen bool
	// MaxRuns stops after this many publications per target; zero means
	// no limit.
	MaxRuns int
	// Until stops recurrences planned after this instant; zero means never.
	Until time.Time
}

// Post is a post scheduled to one or more accounts (its targets). It is
// stored with the targets; Content is validated against every target's
// network when it is scheduled.
type Post struct {
	// ID is set by the scheduler when the post is created.
	ID string
	// Version is the store's optimistic-concurrency counter: 1 when
	// created, incremented by each update. Stores set it.
	Version int64
	// Content is what is published. Media must carry Data or URL (Open
	// cannot be stored).
	Content connectors.Post
	// Variants are alternative texts for recurrences: the runs of a
	// target publish Content, Variants[0], Variants[1]... and then Content
	// again, so an evergreen post is not repeated verbatim until every
	// variant has been used. They are validated like Content.
	Variants []connectors.Post
	// Approval is who must approve the post; empty needs none.
	Approval Approval
	// Approvals are the approvals given for the current content; an edit
	// clears them.
	Approvals []Approved
	// Recurrence re-queues the post after each publication.
	Recurrence Recurrence
	// CreatedBy is the actor who created the post.
	CreatedBy string
	CreatedAt time.Time
	UpdatedAt time.Time
}

// Approved records one approval.
type Approved struct {
	By   string
	Role string // the role it was given under, or "" for a named approver
	At   time.Time
}

// ContentFor returns what run number run (0 for the first publication) of
// a target publishes: Content, then each of Variants in turn, cycling.
func (p *Post) ContentFor(run int) connectors.Post {
	n := len(p.Variants) + 1
	if run < 0 || run%n == 0 {
		return p.Content
	}
	return p.Variants[run%n-1]
}

// Target is one account a post is published to, with its own state,
// time and history.
type Target struct {
	// ID identifies the target; set by the scheduler.
	ID string
	// PostID is the post it belongs to; AccountID the account (as the
	// AccountResolver knows it).
	PostID    string
	AccountID string
	// State is where the target stands.
	State State
	// Version is the store's optimistic-concurrency counter (see Post).
	Version int64
	// Local is the wall-clock time the target is planned for, in Zone (an
	// IANA name such as "Europe/Paris"); Due is the instant computed from
	// them (see the package documentation on DST). Zero Local means "as
	// soon as possible" (share now): Due alone counts.
	Local Civil
	Zone  string
	Due   time.Time
	// NotBefore defers the target (rate limits, quotas, retries): it is
	// not claimed before max(Due, NotBefore).
	NotBefore time.Time
	// Queued says the time was taken from the account's queue of slots;
	// such a target holds its slot (see HoldsQueueSlot), and no other
	// target may hold it.
	Queued bool
	// Key is the idempotency key sent with every attempt: fixed when the
	// target is created, stable across attempts, restarts and workers.
	Key string
	// Run counts the publications of a recurring post before this one
	// (0 for the first); it picks the variant.
	Run int
	// Attempt counts the claims of this target (1 for the first).
	Attempt int
	// LeaseOwner and LeaseUntil: the worker that claimed the target and
	// until when its claim holds. Set only in state Publishing.
	LeaseOwner string
	LeaseUntil time.Time
	// Unknown says an earlier attempt may have reached the network (a
	// lease expired, an Indeterminate error): the scheduler reconciles
	// with FindPost before publishing again.
	Unknown bool
	// Pending holds the resume state of an asynchronous publish
	// (PublishResult.Pending); the next claim checks it instead of
	// publishing.
	Pending []byte
	// Result is the network's post, once Published.
	Result Result
	// Failure says why the target failed, in state Failed (and why it
	// was last deferred, in state Scheduled).
	Failure Failure
	// UpdatedAt is the time of the last change.
	UpdatedAt time.Time
}

// HoldsQueueSlot reports whether t holds its account's queue slot at Due:
// it is Queued and in a state that is still to be published or may yet
// be (Draft, AwaitingApproval, Scheduled, Publishing). A Store keeps at
// most one such target per account and Due. A queued draft keeps its slot,
// so submitting it never collides. Published, Failed and Cancelled targets
// free their slot, and so does NeedsRescheduling: its time has passed, and
// a person gives it a new one.
func (t *Target) HoldsQueueSlot() bool { return t.Queued && t.State.holdsSlot() }

func (s State) holdsSlot() bool {
	return s == Draft || s == AwaitingApproval || s == Scheduled || s == Publishing
}

// RunAt is when the target may be claimed: the later of Due and
// NotBefore.
func (t *Target) RunAt() time.Time {
	if t.NotBefore.After(t.Due) {
		return t.NotBefore
	}
	return t.Due
}

// Result is a published post on its network.
type Result struct {
	// PostID is the network's ID of the post; URL its permalink.
	PostID      string
	URL         string
	PublishedAt time.Time
}

// Failure is a typed reason: the connectors error code and a message.
type Failure struct {
	// Code is the connectors code of the error (connectors.Code), or
	// connectors.Indeterminate for an outcome that could not be
	// reconciled.
	Code connectors.ErrorCode
	// Message is the error's text, for people.
	Message string
}

// IsZero reports whether f holds no failure.
func (f Failure) IsZero() bool { return f == Failure{} }

// Error returns the message, so a Failure can be returned as an error.
func (f Failure) Error() string { return f.Message }

// Is matches the sentinel of f's code, e.g. connectors.ErrInvalidContent.
func (f Failure) Is(target error) bool {
	s := f.Code.Sentinel()
	return s != nil && s == target
}

// AuditEntry records one transition: who, when, from which state to which
// and why. Post-level entries (created, edited, approved) have an empty
// TargetID.
type AuditEntry struct {
	// Seq orders entries; stores assign it, increasing with every entry
	// appended to the store.
	Seq      int64
	PostID   string
	TargetID string
	At       time.Time
	// Actor is who acted: a person's ID, or "scheduler:<owner>" for the
	// scheduler itself.
	Actor string
	// Action names the change: "created", "approved", "claimed",
	// "published", "deferred"...
	Action string
	From   State
	To     State
	// Reason says why, for people.
	Reason string
}

// MissedPolicy is what happens to a target whose instant passed while its
// account was paused or a blackout was on.
type MissedPolicy uint8

// The missed-slot policies.
const (
	// MoveToNeedsRescheduling puts it in state NeedsRescheduling for a
	// person to choose (the default).
	MoveToNeedsRescheduling MissedPolicy = iota
	// MoveToNextSlot moves it to the account's next free slot (or, without
	// slots, publishes it at once).
	MoveToNextSlot
)

// String names the policy.
func (p MissedPolicy) String() string {
	if p == MoveToNextSlot {
		return "next-slot"
	}
	return "needs-rescheduling"
}

// AccountSettings are an account's posting schedule and state, kept in the
// Store.
type AccountSettings struct {
	AccountID string
	// Zone is the account's IANA time zone ("Europe/Paris"); empty is UTC.
	Zone string
	// Slots are the weekly posting times, in Zone.
	Slots []Slot
	// Paused stops publishing for the account; PausedAt is when.
	Paused   bool
	PausedAt time.Time
	// OnMissed is what happens to targets whose time passed while paused
	// or blacked out.
	OnMissed MissedPolicy
	// MaxPer24h caps publications in any 24 hours (0: no cap of cmkit's;
	// the network's quotas are honoured anyway).
	MaxPer24h int
	// Version is the store's optimistic-concurrency counter.
	Version int64
}

// Slot is one weekly posting time: a weekday and a wall-clock time.
type Slot struct {
	Weekday time.Weekday
	Hour    int
	Minute  int
}

// String formats the slot as "Mon 09:30".
func (s Slot) String() string {
	return fmt.Sprintf("%s %02d:%02d", s.Weekday.String()[:3], s.Hour, s.Minute)
}

// Blackout stops all publishing between From (inclusive) and Until
// (exclusive).
type Blackout struct {
	ID     string
	From   time.Time
	Until  time.Time
	Reason string
	// By is who declared it.
	By string
}

// Active reports whether the blackout covers t.
func (b Blackout) Active(t time.Time) bool { return !t.Before(b.From) && t.Before(b.Until) }
