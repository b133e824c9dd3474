// Package memstore is an in-memory scheduling.Store, for tests, demos and
// programs that can afford to lose their calendar when they stop.
//
// It passes the storetest conformance suite. Claims are served from a
// min-heap of due instants and a heap of lease expiries, so claiming a
// batch costs O(batch × log n) however many posts are scheduled; listing
// by account scans only that account's targets. Targets, posts and audit
// entries are kept in chunks (a few thousand objects for a million posts)
// and audit entries are compact, so that the garbage collector marks a
// large store quickly.
//
// Posts returned by ClaimDue are shared with the store and must not be
// modified; everything else is returned as a copy.
package memstore

import (
	"cmp"
	"context"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/cmkit/cmkit/scheduling"
)

// Store is an in-memory scheduling.Store, safe for concurrent use. The
// zero value is not usable: call New.
type Store struct {
	mu        sync.Mutex
	posts     map[string]*postRec
	targets   map[string]uint32 // ID -> index in all
	byAccount map[string][]*scheduling.Target
	accounts  map[string]*scheduling.AccountSettings
	blackouts map[string]scheduling.Blackout
	// all holds every target by index; heap entries refer to targets by
	// index, so the heaps hold no pointers (no GC scanning, no write
	// barriers on swaps).
	all    []*scheduling.Target
	recs   []*postRec // recs[i] is the post of all[i]
	due    heap       // Scheduled targets by RunAt
	leases heap       // Publishing targets by LeaseUntil
	// parked holds heap entries of paused accounts until they resume.
	parked map[string][]entry
	// slots maps each held queue slot to its target's index in all.
	slots  map[slotKey]uint32
	seq    int64
	log    auditLog
	popped []entry // ClaimDue's scratch
	// Targets, new posts and their records live in slabs (see slab).
	targetSlab slab[scheduling.Target]
	postSlab   slab[scheduling.Post]
	recSlab    slab[postRec]
}

type postRec struct {
	post    *scheduling.Post // immutable once stored
	targets []*scheduling.Target
	// first and last index the post's audit entries in Store.log (-1:
	// none); entries chain through auditRec.next.
	first, last int32
}

var _ scheduling.Store = (*Store)(nil)

// New returns an empty store.
func New() *Store {
	s := &Store{
		posts:     make(map[string]*postRec),
		targets:   make(map[string]uint32),
		byAccount: make(map[string][]*scheduling.Target),
		accounts:  make(map[string]*scheduling.AccountSettings),
		blackouts: make(map[string]scheduling.Blackout),
		parked:    make(map[string][]entry),
		slots:     make(map[slotKey]uint32),
	}
	return s
}

func cloneTarget(t *scheduling.Target) *scheduling.Target {
	c := *t
	if t.Pending != nil {
		c.Pending = slices.Clone(t.Pending)
	}
	return &c
}

func clonePost(p *scheduling.Post) *scheduling.Post {
	c := new(scheduling.Post)
	copyPost(c, p)
	return c
}

// copyPost sets *dst to a deep copy of *p.
func copyPost(dst, p *scheduling.Post) {
	*dst = *p
	dst.Variants = slices.Clone(p.Variants)
	dst.Approvals = slices.Clone(p.Approvals)
	dst.Approval.Roles = slices.Clone(p.Approval.Roles)
	dst.Approval.Approvers = slices.Clone(p.Approval.Approvers)
}

func cloneAccount(a *scheduling.AccountSettings) *scheduling.AccountSettings {
	c := *a
	c.Slots = slices.Clone(a.Slots)
	return &c
}

func ctxErr(ctx context.Context) error {
	if err := ctx.Err(); err != nil {
		return fmt.Errorf("memstore: %w", err)
	}
	return nil
}

// Apply implements scheduling.Store.
func (s *Store) Apply(ctx context.Context, c *scheduling.Change) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if c == nil {
		return nil
	}
	if err := c.Check(); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	// Check everything first: the change applies whole or not at all.
	if p := c.Post; p != nil {
		rec, ok := s.posts[p.ID]
		switch {
		case p.Version == 0 && ok:
			return fmt.Errorf("memstore: post %s exists: %w", p.ID, scheduling.ErrConflict)
		case p.Version != 0 && !ok:
			return fmt.Errorf("memstore: post %s: %w", p.ID, scheduling.ErrNotFound)
		case p.Version != 0 && rec.post.Version != p.Version:
			return fmt.Errorf("memstore: post %s is at version %d, not %d: %w", p.ID, rec.post.Version, p.Version, scheduling.ErrConflict)
		}
	}
	for _, t := range c.Targets {
		if err := s.checkTargetLocked(t, c.Post); err != nil {
			return err
		}
	}
	if err := s.checkSlotsLocked(c.Targets); err != nil {
		return err
	}
	for _, e := range c.Audit {
		if e.PostID == "" || (s.posts[e.PostID] == nil && (c.Post == nil || c.Post.ID != e.PostID)) {
			return fmt.Errorf("memstore: audit entry for unknown post %q: %w", e.PostID, scheduling.ErrNotFound)
		}
		if e.TargetID != "" {
			if _, ok := s.targets[e.TargetID]; !ok && !slices.ContainsFunc(c.Targets, func(t *scheduling.Target) bool { return t.ID == e.TargetID }) {
				return fmt.Errorf("memstore: audit entry for unknown target %q: %w", e.TargetID, scheduling.ErrNotFound)
			}
		}
	}
	if p := c.Post; p != nil {
		p.Version++
		rec := s.posts[p.ID]
		if rec == nil {
			// A new post goes to the slab; an edited one gets an object
			// of its own, as claims in flight may share the previous one.
			rec = s.recSlab.alloc()
			*rec = postRec{first: -1, last: -1, post: s.postSlab.alloc()}
			s.posts[p.ID] = rec
			copyPost(rec.post, p)
		} else {
			rec.post = clonePost(p)
		}
	}
	for _, t := range c.Targets {
		t.Version++
		s.putTargetLocked(t)
	}
	s.auditLocked(c.Audit)
	return nil
}

func (s *Store) checkTargetLocked(t *scheduling.Target, p *scheduling.Post) error {
	if t == nil || t.ID == "" {
		return fmt.Errorf("memstore: target with an empty ID")
	}
	old, ok := s.target(t.ID)
	switch {
	case t.Version == 0 && ok:
		return fmt.Errorf("memstore: target %s exists: %w", t.ID, scheduling.ErrConflict)
	case t.Version != 0 && !ok:
		return fmt.Errorf("memstore: target %s: %w", t.ID, scheduling.ErrNotFound)
	case t.Version != 0 && old.Version != t.Version:
		return fmt.Errorf("memstore: target %s is at version %d, not %d: %w", t.ID, old.Version, t.Version, scheduling.ErrConflict)
	case ok && (old.PostID != t.PostID || old.AccountID != t.AccountID):
		return fmt.Errorf("memstore: target %s cannot change post or account: %w", t.ID, scheduling.ErrConflict)
	}
	if s.posts[t.PostID] == nil && (p == nil || p.ID != t.PostID) {
		return fmt.Errorf("memstore: target %s names unknown post %q: %w", t.ID, t.PostID, scheduling.ErrNotFound)
	}
	return nil
}

// slotKey is a queue slot: an account and an instant.
type slotKey struct {
	account string
	due     int64
}

func keyOf(t *scheduling.Target) slotKey { return slotKey{t.AccountID, t.Due.UnixNano()} }

// checkSlotsLocked checks that once ts are written no two targets hold
// one queue slot. Targets of ts may take each other's slots (a swap).
func (s *Store) checkSlotsLocked(ts []*scheduling.Target) error {
	for i, t := range ts {
		if !t.HoldsQueueSlot() {
			continue
		}
		k := keyOf(t)
		holder := ""
		for _, u := range ts[:i] {
			if u.HoldsQueueSlot() && keyOf(u) == k {
				holder = u.ID
			}
		}
		if idx, ok := s.slots[k]; ok && holder == "" {
			if h := s.all[idx]; h.ID != t.ID && !slices.ContainsFunc(ts, func(u *scheduling.Target) bool { return u.ID == h.ID }) {
				holder = h.ID
			}
		}
		if holder != "" {
			return fmt.Errorf("memstore: %w", &scheduling.SlotTakenError{AccountID: t.AccountID, Due: t.Due, TargetID: t.ID, Holder: holder})
		}
	}
	return nil
}

// unslotLocked frees the slot t holds, before t changes.
func (s *Store) unslotLocked(t *scheduling.Target, idx uint32) {
	if !t.HoldsQueueSlot() {
		return
	}
	// A target of the same write may have taken the slot already.
	if k := keyOf(t); s.slots[k] == idx {
		delete(s.slots, k)
	}
}

// slotLocked records the slot t holds, once t changed.
func (s *Store) slotLocked(t *scheduling.Target, idx uint32) {
	if t.HoldsQueueSlot() {
		s.slots[keyOf(t)] = idx
	}
}

// putTargetLocked stores a copy of t and indexes it. An existing target
// is updated in place, so the indexes keep pointing at it.
func (s *Store) putTargetLocked(src *scheduling.Target) *scheduling.Target {
	if i, ok := s.targets[src.ID]; ok {
		old := s.all[i]
		s.unslotLocked(old, i)
		*old = *src
		old.Pending = slices.Clone(src.Pending)
		s.indexLocked(old, i)
		s.slotLocked(old, i)
		return old
	}
	t := s.targetSlab.alloc()
	*t = *src
	t.Pending = slices.Clone(src.Pending)
	i := uint32(len(s.all))
	rec := s.posts[t.PostID]
	s.all = append(s.all, t)
	s.recs = append(s.recs, rec)
	s.targets[t.ID] = i
	j, _ := slices.BinarySearchFunc(rec.targets, t.ID, func(x *scheduling.Target, id string) int { return cmp.Compare(x.ID, id) })
	rec.targets = slices.Insert(rec.targets, j, t)
	s.byAccount[t.AccountID] = append(s.byAccount[t.AccountID], t)
	s.indexLocked(t, i)
	s.slotLocked(t, i)
	return t
}

// target returns the stored target with this ID.
func (s *Store) target(id string) (*scheduling.Target, bool) {
	i, ok := s.targets[id]
	if !ok {
		return nil, false
	}
	return s.all[i], true
}

// indexLocked pushes the heap entry t needs in its current state.
func (s *Store) indexLocked(t *scheduling.Target, idx uint32) {
	switch t.State {
	case scheduling.Scheduled:
		s.due.push(entry{at: t.RunAt().UnixNano(), ver: t.Version, idx: idx})
	case scheduling.Publishing:
		s.leases.push(entry{at: t.LeaseUntil.UnixNano(), ver: t.Version, idx: idx})
	}
}

func (s *Store) auditLocked(es []scheduling.AuditEntry) {
	var rec *postRec
	for i := range es {
		s.seq++
		es[i].Seq = s.seq
		if rec == nil || es[i].PostID != es[i-1].PostID {
			rec = s.posts[es[i].PostID]
		}
		s.log.add(rec, s.compact(s.seq, &es[i]))
	}
}

// GetPost implements scheduling.Store.
func (s *Store) GetPost(ctx context.Context, id string) (*scheduling.Post, []*scheduling.Target, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	rec := s.posts[id]
	if rec == nil {
		return nil, nil, fmt.Errorf("memstore: post %q: %w", id, scheduling.ErrNotFound)
	}
	ts := make([]*scheduling.Target, len(rec.targets))
	for i, t := range rec.targets {
		ts[i] = cloneTarget(t)
	}
	return clonePost(rec.post), ts, nil
}

// GetTarget implements scheduling.Store.
func (s *Store) GetTarget(ctx context.Context, id string) (*scheduling.Target, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	t, ok := s.target(id)
	if !ok {
		return nil, fmt.Errorf("memstore: target %q: %w", id, scheduling.ErrNotFound)
	}
	return cloneTarget(t), nil
}

func compareRun(a, b *scheduling.Target) int {
	if c := a.RunAt().Compare(b.RunAt()); c != 0 {
		return c
	}
	return cmp.Compare(a.ID, b.ID)
}

// ListTargets implements scheduling.Store.
func (s *Store) ListTargets(ctx context.Context, f scheduling.TargetFilter) ([]*scheduling.Target, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var src []*scheduling.Target
	switch {
	case f.PostID != "":
		if rec := s.posts[f.PostID]; rec != nil {
			src = rec.targets
		}
	case f.AccountID != "":
		src = s.byAccount[f.AccountID]
	default:
		src = s.all
	}
	after := &scheduling.Target{ID: f.AfterID, Due: f.AfterRunAt}
	var out []*scheduling.Target
	for _, t := range src {
		if f.PostID != "" && t.PostID != f.PostID || f.AccountID != "" && t.AccountID != f.AccountID {
			continue
		}
		if len(f.States) > 0 && !slices.Contains(f.States, t.State) {
			continue
		}
		at := t.RunAt()
		if !f.RunFrom.IsZero() && at.Before(f.RunFrom) || !f.RunBefore.IsZero() && !at.Before(f.RunBefore) {
			continue
		}
		if f.AfterID != "" && compareRun(t, after) <= 0 {
			continue
		}
		out = append(out, t)
	}
	slices.SortFunc(out, compareRun)
	if f.Limit > 0 && len(out) > f.Limit {
		out = out[:f.Limit]
	}
	for i, t := range out {
		out[i] = cloneTarget(t)
	}
	return out, nil
}

// CountPublished implements scheduling.Store.
func (s *Store) CountPublished(ctx context.Context, accountID string, since time.Time) (int, error) {
	if err := ctxErr(ctx); err != nil {
		return 0, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	n := 0
	for _, t := range s.byAccount[accountID] {
		if t.State == scheduling.Published && !t.Result.PublishedAt.Before(since) {
			n++
		}
	}
	return n, nil
}

func (s *Store) pausedLocked(account string) bool {
	a := s.accounts[account]
	return a != nil && a.Paused
}

func (s *Store) blackedOutLocked(now time.Time) bool {
	for _, b := range s.blackouts {
		if b.Active(now) {
			return true
		}
	}
	return false
}

// topLocked returns the heap's first live entry of an account that is not
// paused, dropping stale entries and parking those of paused accounts.
func (s *Store) topLocked(h *heap, state scheduling.State) (entry, bool) {
	for h.len() > 0 {
		e := h.top()
		t := s.all[e.idx]
		// Targets are updated in place and never removed, so the pointer
		// is the stored target; the version says whether the entry is
		// current.
		live := t.State == state && t.Version == e.ver
		if live && state == scheduling.Publishing && t.LeaseUntil.UnixNano() != e.at {
			live = false
		}
		if !live {
			h.pop()
			continue
		}
		if s.pausedLocked(t.AccountID) {
			h.pop()
			s.parked[t.AccountID] = append(s.parked[t.AccountID], e)
			continue
		}
		return e, true
	}
	return entry{}, false
}

// ClaimDue implements scheduling.Store.
func (s *Store) ClaimDue(ctx context.Context, now time.Time, owner string, lease time.Duration, limit int) ([]scheduling.Claim, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	if limit <= 0 {
		return nil, nil
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.blackedOutLocked(now) {
		return nil, nil
	}
	nowN := now.UnixNano()
	until := now.Add(lease)
	actor := s.log.intern("scheduler:" + owner)
	claimed := s.log.intern("claimed")
	// Pop the due entries first (small, pointer-free), then build the
	// claims in a slice of the right size.
	popped := s.popped[:0]
	defer func() { s.popped = popped[:0] }()
	for len(popped) < limit {
		d, dok := s.topLocked(&s.due, scheduling.Scheduled)
		l, lok := s.topLocked(&s.leases, scheduling.Publishing)
		dok = dok && d.at <= nowN
		lok = lok && l.at <= nowN
		switch {
		case dok && (!lok || s.due.less(d, l)):
			popped = append(popped, s.due.pop())
		case lok:
			popped = append(popped, s.leases.pop())
		default:
			limit = len(popped)
		}
	}
	out := make([]scheduling.Claim, 0, len(popped))
	for _, e := range popped {
		stored := s.all[e.idx]
		if stored.Version != e.ver {
			continue // a duplicate entry, already claimed in this batch
		}
		from, prevOwner := stored.State, stored.LeaseOwner
		reclaimed := from == scheduling.Publishing
		t := *stored
		t.State = scheduling.Publishing
		t.Attempt++
		t.LeaseOwner = owner
		t.LeaseUntil = until
		t.Version++
		t.UpdatedAt = now
		reason := ""
		if reclaimed {
			t.Unknown = true
			reason = "lease of " + prevOwner + " expired: outcome unknown"
		}
		*stored = t
		s.indexLocked(stored, e.idx)
		rec := s.recs[e.idx]
		s.seq++
		s.log.add(rec, auditRec{seq: s.seq, at: now.UnixNano(), target: int32(e.idx), actor: actor,
			action: claimed, from: from, to: scheduling.Publishing, reason: reason})
		if t.Pending != nil {
			t.Pending = slices.Clone(t.Pending)
		}
		out = append(out, scheduling.Claim{Target: t, Post: rec.post, Reclaimed: reclaimed})
	}
	return out, nil
}

// NextDue implements scheduling.Store.
func (s *Store) NextDue(ctx context.Context) (time.Time, bool, error) {
	if err := ctxErr(ctx); err != nil {
		return time.Time{}, false, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	d, dok := s.topLocked(&s.due, scheduling.Scheduled)
	l, lok := s.topLocked(&s.leases, scheduling.Publishing)
	switch {
	case dok && (!lok || d.at <= l.at):
		return s.all[d.idx].RunAt(), true, nil
	case lok:
		return s.all[l.idx].LeaseUntil, true, nil
	}
	return time.Time{}, false, nil
}

func (s *Store) leasedLocked(owner string, id string, attempt int) (*scheduling.Target, error) {
	t, ok := s.target(id)
	if !ok {
		return nil, fmt.Errorf("memstore: target %q: %w", id, scheduling.ErrNotFound)
	}
	if t.State != scheduling.Publishing || t.LeaseOwner != owner || t.Attempt != attempt {
		return nil, fmt.Errorf("memstore: target %s attempt %d is not leased to %s: %w", id, attempt, owner, scheduling.ErrLeaseLost)
	}
	return t, nil
}

// Complete implements scheduling.Store.
func (s *Store) Complete(ctx context.Context, owner string, cs []scheduling.Completion) ([]error, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	errs := make([]error, len(cs))
	s.mu.Lock()
	defer s.mu.Unlock()
	for i := range cs {
		c := &cs[i]
		old, err := s.leasedLocked(owner, c.TargetID, c.Attempt)
		if err != nil {
			errs[i] = err
			continue
		}
		if c.Next != nil {
			if err := s.checkTargetLocked(c.Next, nil); err != nil {
				errs[i] = err
				continue
			}
			if c.Next.Version != 0 {
				errs[i] = fmt.Errorf("memstore: next target %s must be new: %w", c.Next.ID, scheduling.ErrConflict)
				continue
			}
			if err := s.checkNextSlotLocked(c.Next, old, c.State); err != nil {
				errs[i] = err
				continue
			}
		}
		t := *old
		t.State = c.State
		t.Result = c.Result
		t.Failure = c.Failure
		t.NotBefore = c.NotBefore
		t.Unknown = c.Unknown
		t.Pending = slices.Clone(c.Pending)
		t.LeaseOwner = ""
		t.LeaseUntil = time.Time{}
		t.Version++
		if n := len(c.Audit); n > 0 {
			t.UpdatedAt = c.Audit[n-1].At
		}
		idx := s.targets[old.ID]
		s.unslotLocked(old, idx)
		*old = t
		s.indexLocked(old, idx)
		s.slotLocked(old, idx)
		if c.Next != nil {
			c.Next.Version = 1
			s.putTargetLocked(c.Next)
		}
		rec := s.recs[idx]
		for j := range c.Audit {
			e := &c.Audit[j]
			r := rec
			if e.PostID != old.PostID {
				if r = s.posts[e.PostID]; r == nil {
					continue
				}
			}
			s.seq++
			e.Seq = s.seq
			if e.TargetID != "" {
				if _, ok := s.targets[e.TargetID]; !ok {
					continue
				}
			}
			s.log.add(r, s.compact(s.seq, e))
		}
	}
	return errs, nil
}

// checkNextSlotLocked checks the slot of a completion's Next, given that
// the completed target old moves to state to.
func (s *Store) checkNextSlotLocked(next, old *scheduling.Target, to scheduling.State) error {
	if !next.HoldsQueueSlot() {
		return nil
	}
	idx, ok := s.slots[keyOf(next)]
	if !ok {
		return nil
	}
	if h := s.all[idx]; h.ID != old.ID || (&scheduling.Target{Queued: old.Queued, State: to}).HoldsQueueSlot() {
		return fmt.Errorf("memstore: %w", &scheduling.SlotTakenError{AccountID: next.AccountID, Due: next.Due, TargetID: next.ID, Holder: h.ID})
	}
	return nil
}

// Release implements scheduling.Store.
func (s *Store) Release(ctx context.Context, now time.Time, owner string, refs []scheduling.LeaseRef) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, r := range refs {
		old, err := s.leasedLocked(owner, r.TargetID, r.Attempt)
		if err != nil {
			continue
		}
		t := cloneTarget(old)
		t.State = scheduling.Scheduled
		t.Attempt--
		t.LeaseOwner = ""
		t.LeaseUntil = time.Time{}
		t.Version++
		t.UpdatedAt = now
		s.putTargetLocked(t)
		s.auditLocked([]scheduling.AuditEntry{{PostID: t.PostID, TargetID: t.ID, At: now,
			Actor: "scheduler:" + owner, Action: "released", From: scheduling.Publishing, To: scheduling.Scheduled,
			Reason: "released unstarted by a stopping worker"}})
	}
	return nil
}

// Renew implements scheduling.Store.
func (s *Store) Renew(ctx context.Context, owner string, refs []scheduling.LeaseRef, until time.Time) ([]scheduling.LeaseRef, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var lost []scheduling.LeaseRef
	for _, r := range refs {
		t, err := s.leasedLocked(owner, r.TargetID, r.Attempt)
		if err != nil {
			lost = append(lost, r)
			continue
		}
		t.LeaseUntil = until
		s.indexLocked(t, s.targets[t.ID])
	}
	return lost, nil
}

// ListAudit implements scheduling.Store.
func (s *Store) ListAudit(ctx context.Context, f scheduling.AuditFilter) ([]scheduling.AuditEntry, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []scheduling.AuditEntry
	add := func(postID string, rec *postRec) {
		for i := rec.first; i >= 0; {
			a := s.log.at(i)
			i = a.next
			if a.seq <= f.AfterSeq || f.TargetID != "" && (a.target < 0 || s.all[a.target].ID != f.TargetID) {
				continue
			}
			if f.Limit > 0 && len(out) == f.Limit {
				return
			}
			out = append(out, s.expand(postID, a))
		}
	}
	switch {
	case f.PostID != "":
		if rec := s.posts[f.PostID]; rec != nil {
			add(f.PostID, rec)
		}
	case f.TargetID != "":
		if t, ok := s.target(f.TargetID); ok {
			add(t.PostID, s.posts[t.PostID])
		}
	default:
		limit := f.Limit
		f.Limit = 0
		for id, rec := range s.posts {
			add(id, rec)
		}
		slices.SortFunc(out, func(a, b scheduling.AuditEntry) int { return cmp.Compare(a.Seq, b.Seq) })
		if limit > 0 && len(out) > limit {
			out = out[:limit]
		}
	}
	return out, nil
}

// PutAccount implements scheduling.Store.
func (s *Store) PutAccount(ctx context.Context, a *scheduling.AccountSettings) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if a == nil || a.AccountID == "" {
		return fmt.Errorf("memstore: account settings without an account ID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	old, ok := s.accounts[a.AccountID]
	switch {
	case a.Version == 0 && ok:
		return fmt.Errorf("memstore: account %s exists: %w", a.AccountID, scheduling.ErrConflict)
	case a.Version != 0 && !ok:
		return fmt.Errorf("memstore: account %s: %w", a.AccountID, scheduling.ErrNotFound)
	case ok && old.Version != a.Version:
		return fmt.Errorf("memstore: account %s is at version %d, not %d: %w", a.AccountID, old.Version, a.Version, scheduling.ErrConflict)
	}
	a.Version++
	s.accounts[a.AccountID] = cloneAccount(a)
	if !a.Paused {
		for _, e := range s.parked[a.AccountID] {
			if s.all[e.idx].State == scheduling.Publishing {
				s.leases.push(e)
			} else {
				s.due.push(e)
			}
		}
		delete(s.parked, a.AccountID)
	}
	return nil
}

// GetAccount implements scheduling.Store.
func (s *Store) GetAccount(ctx context.Context, accountID string) (*scheduling.AccountSettings, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	a := s.accounts[accountID]
	if a == nil {
		return nil, fmt.Errorf("memstore: account %q: %w", accountID, scheduling.ErrNotFound)
	}
	return cloneAccount(a), nil
}

// ListAccounts implements scheduling.Store.
func (s *Store) ListAccounts(ctx context.Context) ([]*scheduling.AccountSettings, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]*scheduling.AccountSettings, 0, len(s.accounts))
	for _, a := range s.accounts {
		out = append(out, cloneAccount(a))
	}
	slices.SortFunc(out, func(a, b *scheduling.AccountSettings) int { return cmp.Compare(a.AccountID, b.AccountID) })
	return out, nil
}

// PutBlackout implements scheduling.Store.
func (s *Store) PutBlackout(ctx context.Context, b scheduling.Blackout) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	if b.ID == "" {
		return fmt.Errorf("memstore: blackout without an ID")
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.blackouts[b.ID] = b
	return nil
}

// DeleteBlackout implements scheduling.Store.
func (s *Store) DeleteBlackout(ctx context.Context, id string) error {
	if err := ctxErr(ctx); err != nil {
		return err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if _, ok := s.blackouts[id]; !ok {
		return fmt.Errorf("memstore: blackout %q: %w", id, scheduling.ErrNotFound)
	}
	delete(s.blackouts, id)
	return nil
}

// ListBlackouts implements scheduling.Store.
func (s *Store) ListBlackouts(ctx context.Context, since time.Time) ([]scheduling.Blackout, error) {
	if err := ctxErr(ctx); err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []scheduling.Blackout
	for _, b := range s.blackouts {
		if since.IsZero() || b.Until.After(since) {
			out = append(out, b)
		}
	}
	slices.SortFunc(out, func(a, b scheduling.Blackout) int {
		if c := a.From.Compare(b.From); c != 0 {
			return c
		}
		return cmp.Compare(a.ID, b.ID)
	})
	return out, nil
}
