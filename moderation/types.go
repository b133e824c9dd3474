package moderation

import (
	"context"
	"strconv"
	"time"
)

// Item is one comment, reply, mention or message to moderate.
type Item struct {
	// ID identifies the item on its network; the review queue keys on it.
	ID string
	// Text is the raw text as received.
	Text string
	// Language is "fr", "en" or "" when unknown: the pipeline then
	// detects it.
	Language string
	// Network names where the item was posted ("instagram", "x", ...).
	Network string
	// Author is who wrote it.
	Author Author
	// Links holds links attached besides those written in Text.
	Links []string
	// Thread holds the parent texts, nearest first, as context.
	Thread []string
	// CreatedAt is when the item was posted; flood control uses it. The
	// zero time means "now" (PipelineConfig.Now).
	CreatedAt time.Time
}

// Author describes who wrote an Item.
type Author struct {
	ID, Handle string
	// CreatedAt is when the account was created; zero if unknown.
	CreatedAt time.Time
	// Followers counts the author's followers; negative if unknown.
	Followers int64
	// Trust is what the brand knows of the author.
	Trust Trust
	// PriorRemovals and PriorApprovals count the author's earlier items
	// that moderators removed or approved.
	PriorRemovals, PriorApprovals int
}

// Trust is how far the brand trusts an author.
type Trust int

// The trust levels.
const (
	// TrustUnknown is the default: nothing is known.
	TrustUnknown Trust = iota
	// TrustLow marks an author with a history of removals or a report.
	TrustLow
	// TrustNormal marks a known member of the community.
	TrustNormal
	// TrustHigh marks staff, partners and long-standing members: their
	// spam scores are halved.
	TrustHigh
)

var trustNames = [...]string{"unknown", "low", "normal", "high"}

// String returns "unknown", "low", "normal" or "high".
func (t Trust) String() string {
	if t < 0 || int(t) >= len(trustNames) {
		return "Trust(" + strconv.Itoa(int(t)) + ")"
	}
	return trustNames[t]
}

// Category is the kind of harm a label or decision is about.
type Category int

// The categories, None first.
const (
	None Category = iota
	Spam
	Scam
	Toxic
	Hate
	Threat
	Sexual
	PersonalData
	numCategories
)

var categoryNames = [numCategories]string{"none", "spam", "scam", "toxic", "hate", "threat", "sexual", "personal_data"}

// String returns "none", "spam", "scam", "toxic", "hate", "threat",
// "sexual" or "personal_data".
func (c Category) String() string {
	if c < 0 || c >= numCategories {
		return "Category(" + strconv.Itoa(int(c)) + ")"
	}
	return categoryNames[c]
}

// ParseCategory is the inverse of Category.String; it also accepts
// "phishing" for Scam, "insult" and "abuse" for Toxic and "" for None.
func ParseCategory(s string) (Category, bool) {
	switch s {
	case "", "none":
		return None, true
	case "phishing":
		return Scam, true
	case "insult", "abuse":
		return Toxic, true
	case "personal-data", "pii":
		return PersonalData, true
	}
	for i, n := range categoryNames {
		if n == s {
			return Category(i), true
		}
	}
	return None, false
}

// severity orders categories when two are equally likely: the more
// dangerous one names the decision.
var severity = [numCategories]int{None: 0, PersonalData: 1, Spam: 2, Toxic: 3, Sexual: 4, Scam: 5, Hate: 6, Threat: 7}

// Action is what the pipeline does with an item, from the mildest.
type Action int

// The actions.
const (
	// Allow leaves the item published.
	Allow Action = iota
	// Hold keeps the item for a human in the review queue.
	Hold
	// Hide hides the item from everyone but its author (where the network
	// allows it), reversibly.
	Hide
	// Delete removes the item.
	Delete
	numActions
)

var actionNames = [numActions]string{"allow", "hold", "hide", "delete"}

// String returns "allow", "hold", "hide" or "delete".
func (a Action) String() string {
	if a < 0 || a >= numActions {
		return "Action(" + strconv.Itoa(int(a)) + ")"
	}
	return actionNames[a]
}

// ParseAction is the inverse of Action.String.
func ParseAction(s string) (Action, bool) {
	for i, n := range actionNames {
		if n == s {
			return Action(i), true
		}
	}
	return Allow, false
}

// Label is one piece of evidence a stage records.
type Label struct {
	// Category is the harm the evidence is about; None for annotations
	// such as "complaint" or "stage failed".
	Category Category
	// Score is the stage's confidence, 0 to 1.
	Score float64
	// Stage names the stage that recorded the label (the pipeline fills
	// it in from StageConfig.Name when empty); Rule the rule, lexicon
	// entry or model head; Match the text that matched, as written.
	Stage, Rule, Match, Reason string
	// Forced makes the label impose Action instead of being weighed by
	// the Policy (a declarative rule with an action, an allow-list). Of
	// several forced labels the one with the highest Priority wins, then
	// the strongest action.
	Forced   bool
	Action   Action
	Priority int
}

// Verdict is what one stage records about an item.
type Verdict struct {
	Labels []Label
}

// Stage examines an item and records labels. Stages do not act: the
// pipeline decides and applies. A stage must be safe for concurrent use
// and must return promptly once ctx is done.
type Stage interface {
	Evaluate(ctx context.Context, it *Item) (Verdict, error)
}

// StageFunc adapts a function to Stage.
type StageFunc func(ctx context.Context, it *Item) (Verdict, error)

// Evaluate calls f(ctx, it).
func (f StageFunc) Evaluate(ctx context.Context, it *Item) (Verdict, error) { return f(ctx, it) }

// Decision is what the pipeline decided about an item.
type Decision struct {
	Action   Action
	Category Category
	// Score is the confidence behind Category (0 when allowed without
	// evidence).
	Score float64
	// Labels holds every label recorded, in stage order.
	Labels []Label
	// Language is the item's language, given or detected: "fr", "en" or
	// "und".
	Language string
	// Shadow reports a dry run: the decision was recorded, not applied.
	Shadow bool
	// Complaint marks criticism of the brand or its service: allowed, and
	// worth routing to customer care.
	Complaint bool
	// Explanation says in one line why, naming the stage, the rule and
	// the matched text.
	Explanation string
}
