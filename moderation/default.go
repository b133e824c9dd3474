package moderation

import (
	"time"
)

// DefaultOptions configure NewDefaultPipeline. Zero fields take the
// defaults.
type DefaultOptions struct {
	// Classifier is the trained model. Defaults to classifier.Default(),
	// the embedded model.
	Classifier TextClassifier
	// ClassifierThresholds are the probabilities from which the model's
	// heads record labels. Default to DefaultClassifierOptions().
	ClassifierThresholds *ClassifierOptions
	// NoClassifier leaves the model out (lexicons and patterns only).
	NoClassifier bool
	// Rules are declarative rules run before the built-in stages.
	// Defaults to none.
	Rules *RuleSet
	// Spam configures the spam stage (brands, shorteners, flood and
	// duplicate limits). Defaults to NewSpamStage(nil).
	Spam *SpamOptions
	// Policy decides. Defaults to DefaultPolicy().
	Policy *Policy
	// Shadow, Applier and Review are as in PipelineConfig.
	Shadow  bool
	Applier Applier
	Review  ReviewQueue
	// Extra stages run last (an ExternalStage, for example).
	Extra []StageConfig
}

// NewDefaultPipeline returns the built-in French and English pipeline
// (nil opts means defaults). The text is normalised and its language
// detected once; then the stages run in order:
//
//	rules       the RuleSet, if any
//	lexicon     LexiconStage: insults, profanity, sexual terms, slurs
//	patterns    PatternStage: hate and threat constructions
//	spam        SpamStage: lures, links, personal data, duplicates, flood
//	criticism   CriticismStage: complaints, annotated with sentiment
//	classifier  ClassifierStage: the trained model
//
// All built-in stages fail open (they are in-process and cannot time
// out); the policy is DefaultPolicy's.
func NewDefaultPipeline(opts *DefaultOptions) (*Pipeline, error) {
	var o DefaultOptions
	if opts != nil {
		o = *opts
	}
	var stages []StageConfig
	if o.Rules != nil {
		stages = append(stages, StageConfig{Name: "rules", Stage: o.Rules})
	}
	stages = append(stages,
		StageConfig{Name: "lexicon", Stage: LexiconStage()},
		StageConfig{Name: "patterns", Stage: PatternStage()},
		StageConfig{Name: "spam", Stage: NewSpamStage(o.Spam)},
		StageConfig{Name: "criticism", Stage: CriticismStage()},
	)
	if !o.NoClassifier {
		stages = append(stages, StageConfig{Name: "classifier", Stage: ClassifierStage(o.Classifier, o.ClassifierThresholds)})
	}
	stages = append(stages, o.Extra...)
	return NewPipeline(PipelineConfig{Stages: stages, Policy: o.Policy, Shadow: o.Shadow, Applier: o.Applier, Review: o.Review})
}

// WithClock returns a copy of rs whose time-based conditions (account
// age) use now for items without CreatedAt.
func (rs *RuleSet) WithClock(now func() time.Time) *RuleSet {
	c := *rs
	if now != nil {
		c.now = now
	}
	return &c
}
