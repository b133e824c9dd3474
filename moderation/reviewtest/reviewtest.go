// Package reviewtest is the conformance suite every moderation.ReviewQueue
// must pass:
//
//	func TestConformance(t *testing.T) {
//		reviewtest.Run(t, func(t *testing.T) moderation.ReviewQueue {
//			return moderation.NewMemoryQueue(nil)
//		})
//	}
//
// newQueue must return an empty queue for each subtest (a new temporary
// file, a fresh schema...), closed by t.Cleanup if needed. Its clock must
// not go backwards (time.Now will do): the suite checks that Pending lists
// items oldest first, and that an item is never resolved before it was
// added, but not which clock the queue reads.
//
// The suite checks the contract documented on moderation.ReviewQueue:
// queue IDs (the item's ID, else a generated one, unique); Add of a
// pending ID replacing the entry in place and keeping its Added time; Add
// of a resolved ID failing with moderation.ErrAlreadyResolved; Pending
// order and limit; Get of pending and resolved entries and
// moderation.ErrNotFound; Resolve recording reviewer, verdict, note and
// time, once; the audit (in order, each entry as ReviewItem.AuditEntry
// builds it: decision before, action after, language and text); the
// round trip of every field of Item and Decision (times compared as
// instants, so a store may return them in UTC; nil and empty slices kept
// apart), with no aliasing between the caller's values and the queue's;
// invalid input (nil item, unknown verdict, no reviewer) refused with
// moderation.ErrInvalidItem or moderation.ErrInvalidReview; an ended
// context; and concurrency: many goroutines adding and resolving, and
// reviewers racing on the same items, each item resolved exactly once.
package reviewtest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/moderation"
)

// Run runs the conformance suite, one subtest per property, each on a
// fresh queue from newQueue.
func Run(t *testing.T, newQueue func(t *testing.T) moderation.ReviewQueue) {
	tests := []struct {
		name string
		fn   func(t *testing.T, q moderation.ReviewQueue)
	}{
		{"RoundTrip", testRoundTrip},
		{"ZeroValues", testZeroValues},
		{"NoAliasing", testNoAliasing},
		{"GeneratedIDs", testGeneratedIDs},
		{"AddReplacesPending", testReplacePending},
		{"AddResolvedFails", testAddResolved},
		{"PendingOrderAndLimit", testPendingOrder},
		{"GetNotFound", testGetNotFound},
		{"Resolve", testResolve},
		{"ResolveOnce", testResolveOnce},
		{"Audit", testAudit},
		{"InvalidInput", testInvalidInput},
		{"ContextCanceled", testCanceled},
		{"ConcurrentAddResolve", testConcurrent},
		{"RacingReviewers", testRacingReviewers},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.fn(t, newQueue(t))
		})
	}
}

var ctx = context.Background()

// paris is a fixed zone, so that the suite needs no time zone database.
var paris = time.FixedZone("CET", 3600)

// fullItem returns an Item with every field set (checked by
// requireAllSet), with nanoseconds and a non-UTC zone in its times and
// text that needs escaping.
func fullItem(id string) *moderation.Item {
	return &moderation.Item{
		ID:       id,
		Text:     "Arnaque !!! écrivez-moi sur WhatsApp 😡\t\"quoted\"\n\\ ligne 2 \x00 fin",
		Language: "fr",
		Network:  "instagram",
		Author: moderation.Author{
			ID: "u-42", Handle: "@brioche_fan",
			CreatedAt:     time.Date(2019, 7, 14, 22, 5, 1, 123456789, paris),
			Followers:     1<<53 + 1, // not exact as a float64
			Trust:         moderation.TrustLow,
			PriorRemovals: 3, PriorApprovals: 7,
		},
		Links:     []string{"https://bit.ly/x", "https://t.me/y"},
		Thread:    []string{"parent", "grand-parent"},
		CreatedAt: time.Date(2026, 3, 27, 9, 30, 15, 987654321, paris),
	}
}

// fullDecision returns a Decision with every field set.
func fullDecision() moderation.Decision {
	return moderation.Decision{
		Action:   moderation.Hold,
		Category: moderation.Scam,
		Score:    0.7312345678901234,
		Labels: []moderation.Label{
			{Category: moderation.Scam, Score: 0.1 + 0.2, Stage: "spam", Rule: "lure/whatsapp", Match: "WhatsApp",
				Reason: "contact off-platform", Forced: true, Action: moderation.Hold, Priority: -3},
			{Category: moderation.Toxic, Score: 1e-9, Stage: "criticism", Rule: "complaint", Match: "Arnaque",
				Reason: "complaint", Forced: true, Action: moderation.Delete, Priority: 1000},
		},
		Language:    "fr",
		Shadow:      true,
		Complaint:   true,
		Explanation: "hold scam 0.73: spam/lure/whatsapp matched \"WhatsApp\"",
	}
}

// requireAllSet fails when a field of v (recursively, slices included) has
// its zero value: a field added to Item or Decision must be added to the
// fixtures above, so that its round trip is checked.
func requireAllSet(t *testing.T, v any) {
	t.Helper()
	var walk func(v reflect.Value, path string)
	walk = func(v reflect.Value, path string) {
		if v.IsZero() {
			t.Fatalf("reviewtest: fixture field %s is not set: set it so that its round trip is checked", path)
		}
		if _, ok := v.Interface().(time.Time); ok {
			return
		}
		switch v.Kind() {
		case reflect.Pointer:
			walk(v.Elem(), path)
		case reflect.Struct:
			for i := range v.NumField() {
				walk(v.Field(i), path+"."+v.Type().Field(i).Name)
			}
		case reflect.Slice:
			for i := range v.Len() {
				walk(v.Index(i), fmt.Sprintf("%s[%d]", path, i))
			}
		}
	}
	walk(reflect.ValueOf(v), reflect.TypeOf(v).String())
}

// utc returns r with every time in UTC and without monotonic reading, for
// comparison as instants.
func utc(r moderation.ReviewItem) moderation.ReviewItem {
	r.Added, r.Resolved = r.Added.UTC(), r.Resolved.UTC()
	r.Item.CreatedAt, r.Item.Author.CreatedAt = r.Item.CreatedAt.UTC(), r.Item.Author.CreatedAt.UTC()
	return r
}

func utcItem(it moderation.Item) moderation.Item {
	return utc(moderation.ReviewItem{Item: it}).Item
}

func utcAudit(es []moderation.AuditEntry) []moderation.AuditEntry {
	out := make([]moderation.AuditEntry, len(es))
	for i, e := range es {
		e.At = e.At.UTC()
		out[i] = e
	}
	return out
}

func add(t *testing.T, q moderation.ReviewQueue, it *moderation.Item, d moderation.Decision) string {
	t.Helper()
	id, err := q.Add(ctx, it, d)
	require.NoError(t, err)
	return id
}

func pendingIDs(t *testing.T, q moderation.ReviewQueue, limit int) []string {
	t.Helper()
	ps, err := q.Pending(ctx, limit)
	require.NoError(t, err)
	ids := make([]string, len(ps))
	for i, p := range ps {
		ids[i] = p.ID
	}
	return ids
}

func testRoundTrip(t *testing.T, q moderation.ReviewQueue) {
	it, d := fullItem("c1"), fullDecision()
	requireAllSet(t, *it)
	requireAllSet(t, d)
	id := add(t, q, it, d)
	require.Equal(t, "c1", id, "the queue ID is the item's ID")

	got, err := q.Get(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, "c1", got.ID)
	require.Equal(t, utcItem(*fullItem("c1")), utcItem(got.Item))
	require.Equal(t, fullDecision(), got.Decision)
	require.False(t, got.Added.IsZero(), "Added is set")
	require.True(t, got.Resolved.IsZero(), "a pending item has no Resolved time")
	require.Empty(t, got.Reviewer)
	require.Zero(t, got.Verdict)
	require.Empty(t, got.Note)

	ps, err := q.Pending(ctx, 0)
	require.NoError(t, err)
	require.Len(t, ps, 1)
	require.Equal(t, utc(got), utc(ps[0]))

	r, err := q.Resolve(ctx, "c1", "camille", moderation.Remove, "scam, reported twice\tsee #42")
	require.NoError(t, err)
	got, err = q.Get(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, utc(r), utc(got))
	require.Equal(t, utcItem(*fullItem("c1")), utcItem(got.Item))
	require.Equal(t, fullDecision(), got.Decision)
	require.Equal(t, "scam, reported twice\tsee #42", got.Note)

	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, 1)
	require.Equal(t, fullDecision(), audit[0].Before)
	require.Equal(t, fullItem("").Text, audit[0].Text)
}

func testZeroValues(t *testing.T, q moderation.ReviewQueue) {
	// Nil slices stay nil, empty ones empty; zero times stay zero.
	add(t, q, &moderation.Item{ID: "z"}, moderation.Decision{})
	add(t, q, &moderation.Item{ID: "e", Links: []string{}, Thread: []string{}, Author: moderation.Author{Followers: -1}},
		moderation.Decision{Labels: []moderation.Label{}})

	got, err := q.Get(ctx, "z")
	require.NoError(t, err)
	require.Equal(t, moderation.Item{ID: "z"}, got.Item)
	require.Equal(t, moderation.Decision{}, got.Decision)
	require.True(t, got.Item.CreatedAt.IsZero())

	got, err = q.Get(ctx, "e")
	require.NoError(t, err)
	require.Equal(t, moderation.Item{ID: "e", Links: []string{}, Thread: []string{}, Author: moderation.Author{Followers: -1}}, got.Item)
	require.Equal(t, moderation.Decision{Labels: []moderation.Label{}}, got.Decision)

	_, err = q.Resolve(ctx, "z", "r", moderation.Approve, "")
	require.NoError(t, err)
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, 1)
	require.Equal(t, moderation.Decision{}, audit[0].Before)
	require.Empty(t, audit[0].Note)
	require.Empty(t, audit[0].Language)
	require.Empty(t, audit[0].Text)
}

func testNoAliasing(t *testing.T, q moderation.ReviewQueue) {
	it, d := fullItem("a"), fullDecision()
	add(t, q, it, d)
	// Changing what was added changes nothing in the queue.
	it.Text, it.Links[0], it.Thread[0] = "changed", "changed", "changed"
	d.Labels[0].Match = "changed"
	got, err := q.Get(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, utcItem(*fullItem("a")), utcItem(got.Item))
	require.Equal(t, fullDecision(), got.Decision)

	// Nor does changing what the queue returned.
	got.Item.Links[0], got.Item.Thread[0], got.Decision.Labels[0].Match = "changed", "changed", "changed"
	ps, err := q.Pending(ctx, 0)
	require.NoError(t, err)
	ps[0].Item.Links[0], ps[0].Decision.Labels[0].Reason = "changed", "changed"
	got, err = q.Get(ctx, "a")
	require.NoError(t, err)
	require.Equal(t, utcItem(*fullItem("a")), utcItem(got.Item))
	require.Equal(t, fullDecision(), got.Decision)

	_, err = q.Resolve(ctx, "a", "r", moderation.Remove, "")
	require.NoError(t, err)
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	audit[0].Before.Labels[0].Match = "changed"
	audit, err = q.Audit(ctx)
	require.NoError(t, err)
	require.Equal(t, fullDecision(), audit[0].Before)
}

func testGeneratedIDs(t *testing.T, q moderation.ReviewQueue) {
	seen := map[string]bool{}
	for i := range 5 {
		it := fullItem("")
		it.Text = fmt.Sprintf("text %d", i)
		id := add(t, q, it, fullDecision())
		require.NotEmpty(t, id, "an item without ID gets a generated one")
		require.False(t, seen[id], "generated ID %q returned twice", id)
		seen[id] = true
		got, err := q.Get(ctx, id)
		require.NoError(t, err)
		require.Equal(t, id, got.ID)
		require.Equal(t, it.Text, got.Item.Text)
		require.Empty(t, got.Item.ID, "the item itself is stored as given")
	}
	// Items with IDs do not collide with generated ones.
	add(t, q, &moderation.Item{ID: "x1", Text: "with an ID"}, moderation.Decision{})
	id := add(t, q, &moderation.Item{Text: "without"}, moderation.Decision{})
	require.False(t, seen[id])
	require.NotEqual(t, "x1", id)
	require.Len(t, pendingIDs(t, q, 0), 7)
}

func testReplacePending(t *testing.T, q moderation.ReviewQueue) {
	add(t, q, &moderation.Item{ID: "c1", Text: "first"}, moderation.Decision{Action: moderation.Hold, Explanation: "one"})
	add(t, q, &moderation.Item{ID: "c2", Text: "second"}, moderation.Decision{Action: moderation.Hold})
	before, err := q.Get(ctx, "c1")
	require.NoError(t, err)

	id := add(t, q, &moderation.Item{ID: "c1", Text: "first, edited"}, moderation.Decision{Action: moderation.Hold, Explanation: "two"})
	require.Equal(t, "c1", id)
	require.Equal(t, []string{"c1", "c2"}, pendingIDs(t, q, 0), "a replaced entry keeps its place")
	got, err := q.Get(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, "first, edited", got.Item.Text)
	require.Equal(t, "two", got.Decision.Explanation)
	require.True(t, got.Added.Equal(before.Added), "a replaced entry keeps its Added time: %v, was %v", got.Added, before.Added)
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Empty(t, audit, "replacing is not a resolution")
}

func testAddResolved(t *testing.T, q moderation.ReviewQueue) {
	add(t, q, &moderation.Item{ID: "c1", Text: "first"}, moderation.Decision{Action: moderation.Hold})
	r, err := q.Resolve(ctx, "c1", "alice", moderation.Approve, "fine")
	require.NoError(t, err)

	_, err = q.Add(ctx, &moderation.Item{ID: "c1", Text: "again"}, moderation.Decision{Action: moderation.Hide})
	require.ErrorIs(t, err, moderation.ErrAlreadyResolved)
	got, err := q.Get(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, utc(r), utc(got), "the resolved entry is unchanged")
	require.Empty(t, pendingIDs(t, q, 0))
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, 1)
}

func testPendingOrder(t *testing.T, q moderation.ReviewQueue) {
	ps, err := q.Pending(ctx, 0)
	require.NoError(t, err)
	require.Empty(t, ps, "an empty queue has nothing pending")

	// IDs in reverse alphabetical order: the queue orders by age, not ID.
	ids := []string{"e", "d", "c", "b", "a"}
	for _, id := range ids {
		add(t, q, &moderation.Item{ID: id, Text: "text " + id}, moderation.Decision{Action: moderation.Hold})
	}
	require.Equal(t, ids, pendingIDs(t, q, 0))
	require.Equal(t, ids, pendingIDs(t, q, -1), "a negative limit means all")
	require.Equal(t, ids[:2], pendingIDs(t, q, 2))
	require.Equal(t, ids[:1], pendingIDs(t, q, 1))
	require.Equal(t, ids, pendingIDs(t, q, 100))

	ps, err = q.Pending(ctx, 0)
	require.NoError(t, err)
	for i := 1; i < len(ps); i++ {
		require.False(t, ps[i].Added.Before(ps[i-1].Added), "oldest first")
	}
	for _, p := range ps {
		require.Equal(t, "text "+p.ID, p.Item.Text)
		require.True(t, p.Resolved.IsZero())
	}

	for _, id := range []string{"e", "c"} {
		_, err := q.Resolve(ctx, id, "r", moderation.Approve, "")
		require.NoError(t, err)
	}
	require.Equal(t, []string{"d", "b", "a"}, pendingIDs(t, q, 0))
	require.Equal(t, []string{"d", "b"}, pendingIDs(t, q, 2))
	add(t, q, &moderation.Item{ID: "f"}, moderation.Decision{})
	require.Equal(t, []string{"d", "b", "a", "f"}, pendingIDs(t, q, 0))
}

func testGetNotFound(t *testing.T, q moderation.ReviewQueue) {
	_, err := q.Get(ctx, "c1")
	require.ErrorIs(t, err, moderation.ErrNotFound, "empty queue")
	add(t, q, &moderation.Item{ID: "c1"}, moderation.Decision{})
	for _, id := range []string{"nope", "", "c1 ", "C1", "c"} {
		_, err := q.Get(ctx, id)
		require.ErrorIs(t, err, moderation.ErrNotFound, "Get(%q)", id)
	}
}

func testResolve(t *testing.T, q moderation.ReviewQueue) {
	add(t, q, &moderation.Item{ID: "c1", Text: "hello"}, moderation.Decision{Action: moderation.Hold})
	add(t, q, &moderation.Item{ID: "c2"}, moderation.Decision{Action: moderation.Hold})

	r, err := q.Resolve(ctx, "c1", "alice", moderation.Approve, "customer asked for a call back")
	require.NoError(t, err)
	require.Equal(t, "c1", r.ID)
	require.Equal(t, "alice", r.Reviewer)
	require.Equal(t, moderation.Approve, r.Verdict)
	require.Equal(t, "customer asked for a call back", r.Note)
	require.Equal(t, "hello", r.Item.Text)
	require.Equal(t, moderation.Hold, r.Decision.Action)
	require.False(t, r.Resolved.IsZero(), "Resolved is set")
	require.False(t, r.Resolved.Before(r.Added), "resolved (%v) before added (%v)", r.Resolved, r.Added)

	got, err := q.Get(ctx, "c1")
	require.NoError(t, err, "a resolved entry can still be read")
	require.Equal(t, utc(r), utc(got))
	require.Equal(t, []string{"c2"}, pendingIDs(t, q, 0))

	_, err = q.Resolve(ctx, "nope", "alice", moderation.Approve, "")
	require.ErrorIs(t, err, moderation.ErrNotFound)
	require.NotErrorIs(t, err, moderation.ErrAlreadyResolved)
}

func testResolveOnce(t *testing.T, q moderation.ReviewQueue) {
	add(t, q, &moderation.Item{ID: "c1"}, moderation.Decision{Action: moderation.Hold})
	r, err := q.Resolve(ctx, "c1", "alice", moderation.Approve, "ok")
	require.NoError(t, err)
	for _, v := range []moderation.ReviewVerdict{moderation.Remove, moderation.Approve} {
		_, err = q.Resolve(ctx, "c1", "bob", v, "no")
		require.ErrorIs(t, err, moderation.ErrAlreadyResolved)
		require.NotErrorIs(t, err, moderation.ErrNotFound)
	}
	got, err := q.Get(ctx, "c1")
	require.NoError(t, err)
	require.Equal(t, utc(r), utc(got), "the first resolution stands")
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, 1)
	require.Equal(t, "alice", audit[0].Reviewer)
}

func testAudit(t *testing.T, q moderation.ReviewQueue) {
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Empty(t, audit)

	cases := []struct {
		id      string
		action  moderation.Action
		verdict moderation.ReviewVerdict
		after   moderation.Action
	}{
		{"held-approved", moderation.Hold, moderation.Approve, moderation.Allow},
		{"held-removed", moderation.Hold, moderation.Remove, moderation.Hide},
		{"hidden-removed", moderation.Hide, moderation.Remove, moderation.Hide},
		{"deleted-removed", moderation.Delete, moderation.Remove, moderation.Delete},
		{"deleted-approved", moderation.Delete, moderation.Approve, moderation.Allow},
	}
	// Added in one order, resolved in the reverse: the audit follows the
	// resolutions.
	for _, c := range cases {
		d := fullDecision()
		d.Action = c.action
		d.Language = "en"
		it := fullItem(c.id)
		it.Text = "text of " + c.id
		add(t, q, it, d)
	}
	var resolved []moderation.ReviewItem
	for i := len(cases) - 1; i >= 0; i-- {
		c := cases[i]
		r, err := q.Resolve(ctx, c.id, "reviewer-"+c.id, c.verdict, "note "+c.id)
		require.NoError(t, err)
		resolved = append(resolved, r)
	}
	audit, err = q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, len(cases))
	for i, e := range audit {
		c, r := cases[len(cases)-1-i], resolved[i]
		require.Equal(t, c.id, e.ID, "audit entry %d", i)
		require.Equal(t, "reviewer-"+c.id, e.Reviewer)
		require.True(t, e.At.Equal(r.Resolved), "At %v, Resolved %v", e.At, r.Resolved)
		require.Equal(t, c.verdict, e.Verdict)
		require.Equal(t, "note "+c.id, e.Note)
		want := fullDecision()
		want.Action, want.Language = c.action, "en"
		require.Equal(t, want, e.Before)
		require.Equal(t, c.after, e.After, "%s: action after", c.id)
		require.Equal(t, "en", e.Language)
		require.Equal(t, "text of "+c.id, e.Text)
		require.Equal(t, utcAudit([]moderation.AuditEntry{r.AuditEntry()}), utcAudit([]moderation.AuditEntry{e}))
		if i > 0 {
			require.False(t, e.At.Before(audit[i-1].At), "in order")
		}
	}

	// Failed resolutions leave no trace.
	_, _ = q.Resolve(ctx, cases[0].id, "late", moderation.Remove, "")
	_, _ = q.Resolve(ctx, "nope", "late", moderation.Remove, "")
	again, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Equal(t, utcAudit(audit), utcAudit(again))
}

func testInvalidInput(t *testing.T, q moderation.ReviewQueue) {
	_, err := q.Add(ctx, nil, moderation.Decision{Action: moderation.Hold})
	require.ErrorIs(t, err, moderation.ErrInvalidItem)

	add(t, q, &moderation.Item{ID: "c1"}, moderation.Decision{Action: moderation.Hold})
	for _, v := range []moderation.ReviewVerdict{0, -1, moderation.Remove + 1, 1000} {
		_, err := q.Resolve(ctx, "c1", "alice", v, "")
		require.ErrorIs(t, err, moderation.ErrInvalidReview, "verdict %d", int(v))
	}
	_, err = q.Resolve(ctx, "c1", "", moderation.Approve, "")
	require.ErrorIs(t, err, moderation.ErrInvalidReview, "no reviewer")

	require.Equal(t, []string{"c1"}, pendingIDs(t, q, 0), "still pending")
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Empty(t, audit)
}

func testCanceled(t *testing.T, q moderation.ReviewQueue) {
	add(t, q, &moderation.Item{ID: "c1"}, moderation.Decision{Action: moderation.Hold})
	cctx, cancel := context.WithCancel(ctx)
	cancel()
	_, err := q.Add(cctx, &moderation.Item{ID: "c2"}, moderation.Decision{})
	require.ErrorIs(t, err, context.Canceled, "Add")
	_, err = q.Pending(cctx, 0)
	require.ErrorIs(t, err, context.Canceled, "Pending")
	_, err = q.Get(cctx, "c1")
	require.ErrorIs(t, err, context.Canceled, "Get")
	_, err = q.Resolve(cctx, "c1", "alice", moderation.Approve, "")
	require.ErrorIs(t, err, context.Canceled, "Resolve")
	_, err = q.Audit(cctx)
	require.ErrorIs(t, err, context.Canceled, "Audit")

	require.Equal(t, []string{"c1"}, pendingIDs(t, q, 0), "nothing changed")
	_, err = q.Get(ctx, "c2")
	require.ErrorIs(t, err, moderation.ErrNotFound)
}

// testConcurrent adds from many goroutines, half with their own IDs and
// half without, and resolves every other item as it goes.
func testConcurrent(t *testing.T, q moderation.ReviewQueue) {
	const workers, each = 8, 25
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		errs []error
		kept = map[string]bool{}
		gone = map[string]bool{}
	)
	for w := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range each {
				it := &moderation.Item{Text: fmt.Sprintf("w%d-%d", w, i)}
				if i%2 == 0 {
					it.ID = fmt.Sprintf("w%d-%d", w, i)
				}
				id, err := q.Add(ctx, it, moderation.Decision{Action: moderation.Hold})
				if err == nil && i%3 == 0 {
					_, err = q.Resolve(ctx, id, fmt.Sprintf("r%d", w), moderation.Remove, "")
				}
				mu.Lock()
				if err != nil {
					errs = append(errs, err)
				} else if i%3 == 0 {
					gone[id] = true
				} else {
					kept[id] = true
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	require.NoError(t, errors.Join(errs...))
	require.Len(t, kept, workers*(each-(each+2)/3), "IDs are unique")
	ids := pendingIDs(t, q, 0)
	require.Len(t, ids, len(kept))
	for _, id := range ids {
		require.True(t, kept[id], "pending %s", id)
	}
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, len(gone))
	for _, e := range audit {
		require.True(t, gone[e.ID], "audited %s", e.ID)
		delete(gone, e.ID)
	}
}

// testRacingReviewers has two reviewers resolve each item at the same
// time: one wins, the other gets ErrAlreadyResolved, and the audit holds
// one entry per item, the winner's.
func testRacingReviewers(t *testing.T, q moderation.ReviewQueue) {
	const n = 40
	for i := range n {
		add(t, q, &moderation.Item{ID: fmt.Sprintf("c%02d", i)}, moderation.Decision{Action: moderation.Hold})
	}
	type result struct {
		id, reviewer string
		err          error
	}
	results := make(chan result, 2*n)
	start := make(chan struct{})
	var wg sync.WaitGroup
	for _, reviewer := range []string{"alice", "bob"} {
		wg.Add(1)
		go func() {
			defer wg.Done()
			<-start
			for i := range n {
				id := fmt.Sprintf("c%02d", i)
				if reviewer == "bob" {
					id = fmt.Sprintf("c%02d", n-1-i) // meet in the middle, and race on every item
				}
				_, err := q.Resolve(ctx, id, reviewer, moderation.Remove, reviewer)
				results <- result{id, reviewer, err}
			}
		}()
	}
	close(start)
	wg.Wait()
	close(results)
	winner := map[string]string{}
	for r := range results {
		switch {
		case r.err == nil:
			require.Empty(t, winner[r.id], "%s resolved twice: by %s and %s", r.id, winner[r.id], r.reviewer)
			winner[r.id] = r.reviewer
		case errors.Is(r.err, moderation.ErrAlreadyResolved):
		default:
			t.Fatalf("Resolve(%s) by %s: %v", r.id, r.reviewer, r.err)
		}
	}
	require.Len(t, winner, n, "every item resolved")
	require.Empty(t, pendingIDs(t, q, 0))
	audit, err := q.Audit(ctx)
	require.NoError(t, err)
	require.Len(t, audit, n, "one audit entry per item")
	for _, e := range audit {
		require.Equal(t, winner[e.ID], e.Reviewer, "%s: the audit names the winner", e.ID)
		require.Equal(t, e.Reviewer, e.Note)
		got, err := q.Get(ctx, e.ID)
		require.NoError(t, err)
		require.Equal(t, winner[e.ID], got.Reviewer)
	}
}
