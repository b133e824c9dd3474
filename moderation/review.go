package moderation

import (
	"context"
	"errors"
	"fmt"
	"io"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

// ReviewVerdict is a reviewer's answer about a held item.
type ReviewVerdict int

// The review verdicts.
const (
	// Approve publishes the item: the pipeline was wrong to hold it.
	Approve ReviewVerdict = iota + 1
	// Remove confirms the item must go.
	Remove
)

// String returns "approve" or "remove".
func (v ReviewVerdict) String() string {
	switch v {
	case Approve:
		return "approve"
	case Remove:
		return "remove"
	}
	return "ReviewVerdict(" + strconv.Itoa(int(v)) + ")"
}

// ErrInvalidReview reports a Resolve that cannot be recorded: a verdict
// other than Approve or Remove, or no reviewer. A store that cannot hold
// some value of an Add (a durable queue refusing a score that is not a
// finite number) also returns an error matching it.
var ErrInvalidReview = errors.New("moderation: invalid review")

// ReviewItem is an item waiting for, or having had, a human decision.
type ReviewItem struct {
	// ID identifies the entry in the queue (the item's ID when it has one).
	ID       string
	Item     Item
	Decision Decision
	Added    time.Time
	// Resolved is zero while the item waits.
	Resolved time.Time
	Reviewer string
	Verdict  ReviewVerdict
	Note     string
}

// AuditEntry returns the audit entry of a resolved item: its reviewer,
// time, verdict and note; the pipeline's decision before; the action
// after (Allow for Approve; for Remove, Hide, or Delete when the pipeline
// had decided Delete); and the item's language and text. Every
// ReviewQueue records resolutions this way.
func (e ReviewItem) AuditEntry() AuditEntry {
	after := Allow
	if e.Verdict == Remove {
		after = Hide
		if e.Decision.Action > Hide {
			after = e.Decision.Action
		}
	}
	return AuditEntry{ID: e.ID, Reviewer: e.Reviewer, At: e.Resolved, Verdict: e.Verdict, Note: e.Note,
		Before: e.Decision.clone(), After: after, Language: e.Decision.Language, Text: e.Item.Text}
}

// clone returns a copy of e sharing no slice with it.
func (e ReviewItem) clone() ReviewItem {
	e.Item.Links = slices.Clone(e.Item.Links)
	e.Item.Thread = slices.Clone(e.Item.Thread)
	e.Decision = e.Decision.clone()
	return e
}

func (d Decision) clone() Decision {
	d.Labels = slices.Clone(d.Labels)
	return d
}

// AuditEntry records one human decision: who, when, what, before and
// after.
type AuditEntry struct {
	ID       string
	Reviewer string
	At       time.Time
	Verdict  ReviewVerdict
	Note     string
	// Before is the pipeline's decision; After the action taken.
	Before Decision
	After  Action
	// Language and Text of the item, for export as training data.
	Language, Text string
}

// ReviewQueue holds items for human review. MemoryQueue is the in-memory
// implementation; packages moderation/sqlitequeue (one SQLite file) and
// moderation/pgqueue (PostgreSQL, for several machines) are durable ones, and
// package moderation/reviewtest the conformance suite every
// implementation passes. Implementations are safe for concurrent use.
type ReviewQueue interface {
	// Add queues an item with the decision that held it and returns its
	// queue ID: the item's ID, or a generated one when it has none. Adding
	// an ID again replaces a pending entry (item and decision; it keeps
	// its place and its Added time) and fails with ErrAlreadyResolved for
	// a resolved one. A nil item is ErrInvalidItem.
	Add(ctx context.Context, it *Item, d Decision) (string, error)
	// Pending lists waiting items, oldest first, at most limit (all when
	// limit <= 0).
	Pending(ctx context.Context, limit int) ([]ReviewItem, error)
	// Get returns one entry, pending or resolved; ErrNotFound otherwise.
	Get(ctx context.Context, id string) (ReviewItem, error)
	// Resolve records a reviewer's verdict and appends its audit entry
	// (ReviewItem.AuditEntry); ErrNotFound or ErrAlreadyResolved
	// otherwise, and ErrInvalidReview without a reviewer or with a
	// verdict other than Approve or Remove. Of two reviewers resolving an
	// item at once, one wins; the other gets ErrAlreadyResolved.
	Resolve(ctx context.Context, id, reviewer string, verdict ReviewVerdict, note string) (ReviewItem, error)
	// Audit returns every resolution, in order.
	Audit(ctx context.Context) ([]AuditEntry, error)
}

// MemoryQueue is an in-memory ReviewQueue, safe for concurrent use.
type MemoryQueue struct {
	now func() time.Time

	mu      sync.Mutex
	seq     int
	entries map[string]*ReviewItem
	order   []string
	audit   []AuditEntry
}

// NewMemoryQueue returns an empty queue. now is the clock (nil means
// time.Now).
func NewMemoryQueue(now func() time.Time) *MemoryQueue {
	if now == nil {
		now = time.Now
	}
	return &MemoryQueue{now: now, entries: map[string]*ReviewItem{}}
}

// Add implements ReviewQueue.
func (q *MemoryQueue) Add(ctx context.Context, it *Item, d Decision) (string, error) {
	if it == nil {
		return "", ErrInvalidItem
	}
	if err := ctx.Err(); err != nil {
		return "", err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	id := it.ID
	for id == "" {
		q.seq++
		id = "review-" + strconv.Itoa(q.seq)
		if _, taken := q.entries[id]; taken { // an item's own ID
			id = ""
		}
	}
	added := q.now()
	if e, ok := q.entries[id]; ok && !e.Resolved.IsZero() {
		return "", fmt.Errorf("%w: %s", ErrAlreadyResolved, id)
	} else if ok {
		added = e.Added // a replaced entry keeps its place in line
	} else {
		q.order = append(q.order, id)
	}
	e := ReviewItem{ID: id, Item: *it, Decision: d, Added: added}.clone()
	q.entries[id] = &e
	return id, nil
}

// Pending implements ReviewQueue.
func (q *MemoryQueue) Pending(ctx context.Context, limit int) ([]ReviewItem, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	var out []ReviewItem
	for _, id := range q.order {
		if e := q.entries[id]; e.Resolved.IsZero() {
			out = append(out, e.clone())
			if limit > 0 && len(out) == limit {
				break
			}
		}
	}
	return out, nil
}

// Get implements ReviewQueue.
func (q *MemoryQueue) Get(ctx context.Context, id string) (ReviewItem, error) {
	if err := ctx.Err(); err != nil {
		return ReviewItem{}, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.entries[id]
	if !ok {
		return ReviewItem{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	return e.clone(), nil
}

// Resolve implements ReviewQueue.
func (q *MemoryQueue) Resolve(ctx context.Context, id, reviewer string, verdict ReviewVerdict, note string) (ReviewItem, error) {
	if err := ctx.Err(); err != nil {
		return ReviewItem{}, err
	}
	if verdict != Approve && verdict != Remove {
		return ReviewItem{}, fmt.Errorf("%w: verdict %v: want Approve or Remove", ErrInvalidReview, verdict)
	}
	if reviewer == "" {
		return ReviewItem{}, fmt.Errorf("%w: a reviewer is required", ErrInvalidReview)
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	e, ok := q.entries[id]
	if !ok {
		return ReviewItem{}, fmt.Errorf("%w: %s", ErrNotFound, id)
	}
	if !e.Resolved.IsZero() {
		return ReviewItem{}, fmt.Errorf("%w: %s by %s", ErrAlreadyResolved, id, e.Reviewer)
	}
	e.Resolved, e.Reviewer, e.Verdict, e.Note = q.now(), reviewer, verdict, note
	q.audit = append(q.audit, e.AuditEntry())
	return e.clone(), nil
}

// Audit implements ReviewQueue.
func (q *MemoryQueue) Audit(ctx context.Context) ([]AuditEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	out := make([]AuditEntry, len(q.audit))
	for i, a := range q.audit {
		a.Before = a.Before.clone()
		out[i] = a
	}
	return out, nil
}

// TrainingLabel is the label an audit entry teaches: "clean" or
// "complaint" for approved items; "spam", "scam", "toxic", "hate" or
// "threat" for removed ones (sexual content counts as toxic). It returns
// "" for removals that teach nothing to a text classifier (personal
// data, or no category).
func (e AuditEntry) TrainingLabel() string {
	if e.Verdict == Approve {
		if e.Before.Complaint {
			return "complaint"
		}
		return "clean"
	}
	switch e.Before.Category {
	case Spam, Scam, Toxic, Hate, Threat:
		return e.Before.Category.String()
	case Sexual:
		return "toxic"
	}
	return ""
}

// ExportTSV writes the audit entries as training data: a header line
// "lang\tlabel\ttext" then one line per entry with a label, the format
// modeval -input reads. Tabs and line breaks in texts become spaces;
// an unknown language is written "und".
func ExportTSV(w io.Writer, entries []AuditEntry) error {
	var b strings.Builder
	b.WriteString("lang\tlabel\ttext\n")
	for _, e := range entries {
		label := e.TrainingLabel()
		if label == "" {
			continue
		}
		lang := e.Language
		if lang == "" {
			lang = "und"
		}
		text := strings.Map(func(r rune) rune {
			if r == '\t' || r == '\n' || r == '\r' {
				return ' '
			}
			return r
		}, e.Text)
		b.WriteString(lang + "\t" + label + "\t" + text + "\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}
