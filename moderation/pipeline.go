package moderation

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// Errors returned by the package.
var (
	// ErrInvalidConfig reports a pipeline configuration that cannot work.
	ErrInvalidConfig = errors.New("moderation: invalid configuration")
	// ErrInvalidItem reports a nil item.
	ErrInvalidItem = errors.New("moderation: invalid item")
	// ErrNotFound reports an unknown review item.
	ErrNotFound = errors.New("moderation: not found")
	// ErrAlreadyResolved reports a review item resolved before.
	ErrAlreadyResolved = errors.New("moderation: already resolved")
)

// StageError reports a stage that failed or overran its timeout; it is
// recorded in the decision's labels, and returned by Stage errors only
// through errors.As on a Moderate error when the context itself ended.
type StageError struct {
	Stage string
	Err   error
}

// Error returns "moderation: stage NAME: ERR".
func (e *StageError) Error() string { return "moderation: stage " + e.Stage + ": " + e.Err.Error() }

// Unwrap returns the stage's error.
func (e *StageError) Unwrap() error { return e.Err }

// StageConfig is one stage of a pipeline.
type StageConfig struct {
	// Name identifies the stage in labels and explanations. Required and
	// unique.
	Name string
	// Stage does the work. Required.
	Stage Stage
	// Timeout bounds the stage: its context is cancelled after Timeout,
	// and a stage still running then counts as failed even if it returns
	// a verdict. Zero means no timeout of its own (the built-in stages
	// are CPU-bound and take microseconds).
	Timeout time.Duration
	// FailClosed makes a failing stage hold the item for review. The
	// default, fail-open, records the failure and decides without the
	// stage.
	FailClosed bool
}

// Thresholds are the scores from which the policy holds, hides or
// deletes an item of one category. A threshold above 1 disables the
// action.
type Thresholds struct {
	Hold, Hide, Delete float64
}

// Policy turns labels into a decision.
type Policy struct {
	// Thresholds per category. Missing categories take the defaults of
	// DefaultPolicy.
	Thresholds map[Category]Thresholds
	// NoCriticismGuard disables the criticism guard: by default, an item
	// labelled as a complaint about the brand or its service whose only
	// harm is mild toxicity or spam (score under 0.8), or the
	// classifier's hate score, is allowed (and marked
	// Decision.Complaint); one with strong insults, with abusive words
	// (profanity, insults, sexual terms, slurs) that the lexicon finds
	// toxic enough to hold, that the classifier finds toxic, or that the
	// classifier finds confidently spam, is held, never hidden.
	NoCriticismGuard bool
}

// DefaultPolicy returns the built-in policy: every category is held from
// 0.5 and hidden from 0.8; spam and scams are deleted from 0.95; nothing
// else is ever deleted automatically (set Delete to enable it).
func DefaultPolicy() *Policy {
	p := &Policy{Thresholds: map[Category]Thresholds{}}
	for c := Spam; c < numCategories; c++ {
		p.Thresholds[c] = Thresholds{Hold: 0.5, Hide: 0.8, Delete: 2}
	}
	p.Thresholds[Spam] = Thresholds{Hold: 0.5, Hide: 0.8, Delete: 0.95}
	p.Thresholds[Scam] = Thresholds{Hold: 0.5, Hide: 0.8, Delete: 0.95}
	p.Thresholds[PersonalData] = Thresholds{Hold: 0.5, Hide: 2, Delete: 2}
	return p
}

func (p *Policy) thresholds(c Category) Thresholds {
	if t, ok := p.Thresholds[c]; ok {
		return t
	}
	return DefaultPolicy().Thresholds[c]
}

// Applier carries out a decision: hide or delete on the network, hold in
// a queue. It is not called in shadow mode, nor for Allow.
type Applier interface {
	Apply(ctx context.Context, it *Item, d Decision) error
}

// ApplierFunc adapts a function to Applier.
type ApplierFunc func(ctx context.Context, it *Item, d Decision) error

// Apply calls f(ctx, it, d).
func (f ApplierFunc) Apply(ctx context.Context, it *Item, d Decision) error { return f(ctx, it, d) }

// PipelineConfig configures NewPipeline.
type PipelineConfig struct {
	// Stages run in order. At least one.
	Stages []StageConfig
	// Policy decides from the labels. Nil means DefaultPolicy().
	Policy *Policy
	// Shadow records decisions without acting: Decision.Shadow is set and
	// neither Applier nor Review is called.
	Shadow bool
	// Applier carries out decisions other than Allow. Optional.
	Applier Applier
	// Review receives held items. Optional. An item a reviewer already
	// resolved is not queued again when it is moderated again (edited,
	// fetched twice, after a restart with a durable queue): the
	// reviewer's verdict stands, Allow if approved, the removal if
	// removed, and the explanation says who decided.
	Review ReviewQueue
}

// Pipeline runs stages over items and decides. It is safe for concurrent
// use.
type Pipeline struct {
	stages  []StageConfig
	policy  *Policy
	shadow  bool
	applier Applier
	review  ReviewQueue
}

// NewPipeline validates cfg and returns a pipeline.
func NewPipeline(cfg PipelineConfig) (*Pipeline, error) {
	if len(cfg.Stages) == 0 {
		return nil, fmt.Errorf("%w: no stages", ErrInvalidConfig)
	}
	seen := map[string]bool{}
	for i, s := range cfg.Stages {
		switch {
		case s.Name == "":
			return nil, fmt.Errorf("%w: stage %d has no name", ErrInvalidConfig, i)
		case s.Stage == nil:
			return nil, fmt.Errorf("%w: stage %q has no Stage", ErrInvalidConfig, s.Name)
		case seen[s.Name]:
			return nil, fmt.Errorf("%w: two stages named %q", ErrInvalidConfig, s.Name)
		case s.Timeout < 0:
			return nil, fmt.Errorf("%w: stage %q has a negative timeout", ErrInvalidConfig, s.Name)
		}
		seen[s.Name] = true
	}
	p := &Pipeline{stages: append([]StageConfig(nil), cfg.Stages...), policy: cfg.Policy, shadow: cfg.Shadow, applier: cfg.Applier, review: cfg.Review}
	if p.policy == nil {
		p.policy = DefaultPolicy()
	}
	for c, t := range p.policy.Thresholds {
		if c <= None || c >= numCategories {
			return nil, fmt.Errorf("%w: thresholds for unknown category %d", ErrInvalidConfig, c)
		}
		if t.Hold < 0 || t.Hide < t.Hold || t.Delete < t.Hide {
			return nil, fmt.Errorf("%w: %s thresholds must grow from hold to hide to delete", ErrInvalidConfig, c)
		}
	}
	return p, nil
}

// Moderate runs every stage over it and decides. A stage error does not
// fail Moderate: it is recorded as a label, and a fail-closed stage holds
// the item. Moderate returns an error when ctx ends, when it is nil, or
// when the Applier or the review queue fails (the decision is returned
// too).
func (p *Pipeline) Moderate(ctx context.Context, it *Item) (Decision, error) {
	if it == nil {
		return Decision{}, ErrInvalidItem
	}
	a := analysisPool.Get().(*analysis)
	defer analysisPool.Put(a)
	a.run(it)
	var actx context.Context // made on first use by a stage that is not built in
	labels := make([]Label, 0, 8)
	failedClosed := ""
	for i := range p.stages {
		sc := &p.stages[i]
		n := len(labels)
		var err error
		if b, ok := sc.Stage.(builtin); ok && sc.Timeout <= 0 {
			labels, err = runBuiltin(b, a, it, labels)
		} else {
			if actx == nil {
				actx = context.WithValue(ctx, analysisKey{}, a)
			}
			var v Verdict
			v, err = runStage(actx, sc, it)
			if err == nil {
				labels = append(labels, v.Labels...)
			}
		}
		if cerr := ctx.Err(); cerr != nil {
			return Decision{}, cerr
		}
		if err != nil {
			labels = labels[:n]
			mode := "fail-open"
			if sc.FailClosed {
				mode = "fail-closed"
				if failedClosed == "" {
					failedClosed = sc.Name
				}
			}
			labels = append(labels, Label{Stage: sc.Name, Rule: "stage-error", Reason: mode + ": " + err.Error()})
			continue
		}
		for k := n; k < len(labels); k++ {
			l := &labels[k]
			if l.Stage == "" {
				l.Stage = sc.Name
			}
			if l.Score < 0 {
				l.Score = 0
			} else if l.Score > 1 {
				l.Score = 1
			}
		}
	}
	d := p.policy.decide(labels, failedClosed)
	d.Language = a.lang
	d.Shadow = p.shadow
	if p.shadow || d.Action == Allow {
		return d, nil
	}
	if d.Action == Hold && p.review != nil {
		if _, err := p.review.Add(ctx, it, d); err != nil {
			if !errors.Is(err, ErrAlreadyResolved) {
				return d, fmt.Errorf("moderation: review queue: %w", err)
			}
			// A reviewer already decided on this item (it is moderated
			// again: edited, re-fetched, a restart): their verdict stands.
			if d, err = p.reviewed(ctx, it, d); err != nil {
				return d, fmt.Errorf("moderation: review queue: %w", err)
			}
			if d.Action == Allow {
				return d, nil
			}
		}
	}
	if p.applier != nil {
		if err := p.applier.Apply(ctx, it, d); err != nil {
			return d, fmt.Errorf("moderation: apply %s: %w", d.Action, err)
		}
	}
	return d, nil
}

// reviewed turns the pipeline's Hold of an item that a reviewer already
// resolved into the reviewer's action: Allow when approved, the removal
// when removed (ReviewItem.AuditEntry), explained.
func (p *Pipeline) reviewed(ctx context.Context, it *Item, d Decision) (Decision, error) {
	e, err := p.review.Get(ctx, it.ID)
	if err != nil {
		return d, err
	}
	d.Action = e.AuditEntry().After
	d.Explanation = fmt.Sprintf("%s: %sd by reviewer %s on %s (the pipeline would hold it: %s)",
		d.Action, e.Verdict, e.Reviewer, e.Resolved.UTC().Format(time.DateOnly), d.Explanation)
	return d, nil
}

// runBuiltin runs a built-in stage, turning a panic into an error.
func runBuiltin(b builtin, a *analysis, it *Item, labels []Label) (out []Label, err error) {
	defer func() {
		if r := recover(); r != nil {
			out, err = labels, fmt.Errorf("panic: %v", r)
		}
	}()
	return b.evaluate(a, it, labels), nil
}

// runStage runs one stage with its timeout, turning a panic or an overrun
// into an error.
func runStage(ctx context.Context, sc *StageConfig, it *Item) (v Verdict, err error) {
	defer func() {
		if r := recover(); r != nil {
			v, err = Verdict{}, fmt.Errorf("panic: %v", r)
		}
	}()
	if sc.Timeout <= 0 {
		return sc.Stage.Evaluate(ctx, it)
	}
	sctx, cancel := context.WithTimeout(ctx, sc.Timeout)
	defer cancel()
	v, err = sc.Stage.Evaluate(sctx, it)
	if err == nil && sctx.Err() != nil {
		err = fmt.Errorf("overran its %s timeout: %w", sc.Timeout, sctx.Err())
	}
	if err != nil && errors.Is(sctx.Err(), context.DeadlineExceeded) && ctx.Err() == nil {
		if !errors.Is(err, context.DeadlineExceeded) {
			err = fmt.Errorf("%w (timeout %s)", err, sc.Timeout)
		}
	}
	return v, err
}

// decide applies the policy to the labels.
func (p *Policy) decide(labels []Label, failedClosed string) Decision {
	d := Decision{Labels: labels}
	var complaint *Label
	for i := range labels {
		if labels[i].Rule == "complaint" && labels[i].Category == None {
			complaint = &labels[i]
		}
	}
	guard := complaint != nil && !p.NoCriticismGuard
	abusive := guard && abusiveWords(labels)
	var score [numCategories]float64
	var top [numCategories]int
	var forced *Label
	for i := range labels {
		l := &labels[i]
		if l.Forced {
			if forced == nil || l.Priority > forced.Priority || l.Priority == forced.Priority && l.Action > forced.Action {
				forced = l
			}
			continue
		}
		if l.Category <= None || l.Category >= numCategories {
			continue
		}
		if guard && guarded(l, abusive) {
			continue
		}
		if score[l.Category] == 0 || l.Score > labels[top[l.Category]].Score {
			top[l.Category] = i
		}
		score[l.Category] = 1 - (1-score[l.Category])*(1-l.Score)
	}
	// The most likely category; ties go to the more severe.
	best := None
	for c := Spam; c < numCategories; c++ {
		if score[c] > score[best] || score[c] == score[best] && score[c] > 0 && severity[c] > severity[best] {
			best = c
		}
	}
	// The action: the strongest any category reaches.
	act := Allow
	actCat := None
	for c := Spam; c < numCategories; c++ {
		if score[c] == 0 {
			continue
		}
		t := p.thresholds(c)
		a := Allow
		switch {
		case score[c] >= t.Delete:
			a = Delete
		case score[c] >= t.Hide:
			a = Hide
		case score[c] >= t.Hold:
			a = Hold
		}
		if a > act || a == act && a != Allow && severity[c] > severity[actCat] {
			act, actCat = a, c
		}
	}
	if actCat != None {
		best = actCat
	}
	d.Action, d.Category, d.Score = act, best, score[best]
	var why strings.Builder
	why.Grow(192)
	switch {
	case forced != nil:
		d.Action = forced.Action
		if forced.Category != None {
			d.Category, d.Score = forced.Category, forced.Score
		}
		why.WriteString(d.Action.String())
		if d.Category != None {
			why.WriteByte(' ')
			why.WriteString(d.Category.String())
		}
		why.WriteString(": ")
		describe(&why, forced)
	case guard && (d.Action == Allow || d.Category == Toxic || d.Category == Spam && labels[top[Spam]].Stage == "classifier"):
		d.Complaint = true
		if d.Action > Hold {
			d.Action = Hold
		}
		if d.Action == Allow {
			d.Category, d.Score = None, 0
			why.WriteString("allow: complaint, routed to care: ")
			describe(&why, complaint)
		} else {
			what := "abuse"
			if d.Category == Spam {
				what = "spam"
			}
			why.WriteString("hold " + d.Category.String() + " " + strconv.FormatFloat(d.Score, 'f', 2, 64) + ": complaint with " + what + ", held rather than hidden: ")
			describe(&why, &labels[top[d.Category]])
		}
	case d.Category != None && d.Score > 0:
		why.WriteString(d.Action.String())
		why.WriteByte(' ')
		why.WriteString(d.Category.String())
		why.WriteByte(' ')
		var num [24]byte
		why.Write(strconv.AppendFloat(num[:0], d.Score, 'f', 2, 64))
		if d.Action == Allow {
			why.WriteString(" (below the hold threshold)")
		}
		why.WriteString(": ")
		describe(&why, &labels[top[d.Category]])
		n := 0
		for i := range labels {
			if i != top[d.Category] && labels[i].Category == d.Category && !labels[i].Forced {
				n++
			}
		}
		if n > 0 {
			why.WriteString("; " + strconv.Itoa(n) + " more " + d.Category.String() + " signal")
			if n > 1 {
				why.WriteString("s")
			}
		}
	default:
		why.WriteString("allow: no signal")
		if complaint != nil {
			d.Complaint = true
			why.WriteString("; complaint: ")
			describe(&why, complaint)
		}
	}
	if failedClosed != "" && d.Action < Hold && (forced == nil || forced.Action != Allow) {
		d.Action = Hold
		why.WriteString("; held: stage " + failedClosed + " failed (fail-closed)")
	}
	for i := range labels {
		if labels[i].Rule == "stage-error" && labels[i].Stage != failedClosed {
			why.WriteString("; stage " + labels[i].Stage + " failed (" + labels[i].Reason + ")")
		}
	}
	d.Explanation = why.String()
	return d
}

// guarded reports a label the criticism guard sets aside for a complaint:
// the classifier's hate head, and mild toxicity or spam (score under 0.8:
// complaints mention money, refunds and accounts). A confident spam
// label, the classifier's included, still counts: self-promotion is not a
// complaint. The classifier's toxic label counts too: the model, trained
// with complaints as clean examples, scores them low (0.03 to 0.22 on 16
// French and English complaints written for the test, none of them in its
// training data), while the complaint vocabulary ("bad", "your", "days")
// is everywhere in abuse ("bad bitches"): setting that label aside let
// 174 of Davidson's held-out offensive tweets through. When the
// text also carries abusive words (abusive: a lexicon or pattern label
// of toxicity, sexual terms, hate or threats), no toxic or hate label is
// set aside: the complaint is then held for review, never hidden, rather
// than allowed.
func guarded(l *Label, abusive bool) bool {
	switch {
	case l.Category == Spam || l.Category == Scam:
		return l.Score < 0.8
	case abusive && (l.Category == Toxic || l.Category == Hate):
		return false
	case l.Stage == "classifier":
		return l.Category != Toxic
	}
	return l.Category == Toxic && l.Score < 0.8
}

// describe writes "stage/rule matched "text" (reason)".
func describe(b *strings.Builder, l *Label) {
	b.WriteString(l.Stage)
	if l.Rule != "" {
		b.WriteByte('/')
		b.WriteString(l.Rule)
	}
	if l.Match != "" {
		b.WriteString(" matched ")
		quote(b, l.Match)
	}
	if l.Reason != "" {
		b.WriteString(" (")
		b.WriteString(l.Reason)
		b.WriteByte(')')
	}
}

// quote writes s as strconv.Quote would, without its per-rune work when s
// is printable ASCII with nothing to escape (matched words usually are).
func quote(b *strings.Builder, s string) {
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < ' ' || c >= 0x7f || c == '"' || c == '\\' {
			var buf [128]byte
			b.Write(strconv.AppendQuote(buf[:0], s))
			return
		}
	}
	b.WriteByte('"')
	b.WriteString(s)
	b.WriteByte('"')
}

// abusiveWords reports a label of abusive words (insults, profanity,
// sexual terms, slurs, hate or threat constructions) from a stage other
// than the classifier, scored over abusiveMin. The complaint vocabulary
// ("bad", "your", "worst") is common in abuse ("bad bitches", "your
// bitch"), so a complaint that also carries such words is not let through
// on the complaint alone.
func abusiveWords(labels []Label) bool {
	for i := range labels {
		l := &labels[i]
		if l.Forced || l.Stage == "classifier" || l.Score <= abusiveMin {
			continue
		}
		switch l.Category {
		case Toxic, Sexual, Hate, Threat:
			return true
		}
	}
	return false
}

// abusiveMin is the score a lexicon or pattern label must exceed to make
// a complaint abusive: mild words aimed at nothing ("pathetic" 0.50,
// "shit" 0.45 in "your service is shit") leave the complaint allowed
// (held-out: Davidson unchanged, HateCheck fr 0.589 -> 0.596, counting
// every label).
const abusiveMin = 0.5
