package moderation

import (
	"context"
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
// implementation; a durable store implements the same interface.
type ReviewQueue interface {
	// Add queues an item with the decision that held it and returns its
	// queue ID. Adding an ID again replaces a pending entry.
	Add(ctx context.Context, it *Item, d Decision) (string, error)
	// Pending lists waiting items, oldest first, at most limit (all when
	// limit <= 0).
	Pending(ctx context.Context, limit int) ([]ReviewItem, error)
	// Get returns one entry, pending or resolved; ErrNotFound otherwise.
	Get(ctx context.Context, id string) (ReviewItem, error)
	// Resolve records a reviewer's verdict; ErrNotFound or
	// ErrAlreadyResolved otherwise.
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
	if id == "" {
		q.seq++
		id = "review-" + strconv.Itoa(q.seq)
	}
	if e, ok := q.entries[id]; ok && !e.Resolved.IsZero() {
		return "", fmt.Errorf("%w: %s", ErrAlreadyResolved, id)
	} else if !ok {
		q.order = append(q.order, id)
	}
	c := *it
	c.Links = slices.Clone(it.Links)
	c.Thread = slices.Clone(it.Thread)
	d.Labels = slices.Clone(d.Labels)
	q.entries[id] = &ReviewItem{ID: id, Item: c, Decision: d, Added: q.now()}
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
			out = append(out, *e)
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
	return *e, nil
}

// Resolve implements ReviewQueue.
func (q *MemoryQueue) Resolve(ctx context.Context, id, reviewer string, verdict ReviewVerdict, note string) (ReviewItem, error) {
	if err := ctx.Err(); err != nil {
		return ReviewItem{}, err
	}
	if verdict != Approve && verdict != Remove {
		return ReviewItem{}, fmt.Errorf("moderation: invalid verdict %d", verdict)
	}
	if reviewer == "" {
		return ReviewItem{}, fmt.Errorf("moderation: a reviewer is required")
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
	after := Allow
	if verdict == Remove {
		after = Hide
		if e.Decision.Action > Hide {
			after = e.Decision.Action
		}
	}
	q.audit = append(q.audit, AuditEntry{ID: id, Reviewer: reviewer, At: e.Resolved, Verdict: verdict, Note: note,
		Before: e.Decision, After: after, Language: e.Decision.Language, Text: e.Item.Text})
	return *e, nil
}

// Audit implements ReviewQueue.
func (q *MemoryQueue) Audit(ctx context.Context) ([]AuditEntry, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	q.mu.Lock()
	defer q.mu.Unlock()
	return slices.Clone(q.audit), nil
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
