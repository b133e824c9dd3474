package moderation

import (
	"context"
	"strconv"

	"github.com/cmkit/cmkit/moderation/classifier"
	"github.com/cmkit/cmkit/moderation/sentiment"
)

// CriticismStage returns the stage that recognises complaints: criticism
// of the brand or its service ("votre service client est nul", "worst
// customer service ever", "remboursez-moi", "c'est une arnaque" about an
// order). It records a label with Category None and Rule "complaint",
// annotated with the sentiment of package sentiment; the policy's
// criticism guard then allows the item unless it carries real abuse,
// threats, hate or scams. Sentiment never removes anything.
func CriticismStage() Stage { return StageFunc(criticismEval) }

func criticismEval(ctx context.Context, it *Item) (Verdict, error) {
	a := analyze(ctx, it)
	complaint, service := -1, -1
	n := 0
	for hi, h := range a.hits {
		switch a.v.phrases[h.phrase].tag {
		case tagComplaint, tagOpinion:
			n++
			if complaint < 0 {
				complaint = hi
			}
		case tagService:
			if service < 0 {
				service = hi
			}
		}
	}
	if complaint < 0 && service < 0 {
		return Verdict{}, nil
	}
	lang := a.lang
	if lang == "und" {
		lang = ""
	}
	s := sentiment.Score(it.Text, lang)
	var h hit
	switch {
	case complaint >= 0 && (service >= 0 || n >= 2 || s.Compound <= -0.3):
		h = a.hits[complaint]
	case service >= 0 && s.Compound <= -0.4:
		h = a.hits[service]
	default:
		return Verdict{}, nil
	}
	score := 0.6
	if s.Compound < 0 {
		score += -s.Compound * 0.4
	}
	return Verdict{Labels: []Label{{Category: None, Score: min(score, 1), Rule: "complaint", Match: truncate(a.raw(h.i, h.j), 60),
		Reason: "criticism of the brand or its service; sentiment " + strconv.FormatFloat(s.Compound, 'f', 2, 64) + " (" + s.Label + ")"}}}, nil
}

// TextClassifier scores a text; *classifier.Model implements it.
type TextClassifier interface {
	Predict(text, lang string) classifier.Scores
}

// ClassifierOptions configure ClassifierStage: the probability from which
// each head of the model records a label. Zero fields take the defaults
// of DefaultClassifierOptions.
type ClassifierOptions struct {
	Toxic, Hate, Spam float64
}

// DefaultClassifierOptions returns thresholds tuned on the development
// data so that complaints pass: toxic 0.75, hate 0.8, spam 0.75.
func DefaultClassifierOptions() ClassifierOptions {
	return ClassifierOptions{Toxic: 0.75, Hate: 0.8, Spam: 0.75}
}

// ClassifierStage wraps a trained classifier (nil means
// classifier.Default()). A head at or above its threshold t records a
// label scored from 0.5 (held) at t up to 0.95 at probability 1, so the
// classifier alone hides only items it is very sure of.
func ClassifierStage(m TextClassifier, opts *ClassifierOptions) Stage {
	o := DefaultClassifierOptions()
	if opts != nil {
		if opts.Toxic > 0 {
			o.Toxic = opts.Toxic
		}
		if opts.Hate > 0 {
			o.Hate = opts.Hate
		}
		if opts.Spam > 0 {
			o.Spam = opts.Spam
		}
	}
	return StageFunc(func(ctx context.Context, it *Item) (Verdict, error) {
		model := m
		if model == nil {
			model = classifier.Default()
		}
		a := analyze(ctx, it)
		lang := a.lang
		if lang == "und" {
			lang = ""
		}
		s := model.Predict(it.Text, lang)
		var out []Label
		add := func(c Category, p, t float64, head string) {
			if p < t || t >= 1 {
				return
			}
			score := 0.5 + 0.45*(p-t)/(1-t)
			out = append(out, Label{Category: c, Score: score, Rule: head, Reason: "model probability " + strconv.FormatFloat(p, 'f', 2, 64)})
		}
		add(Toxic, s.Toxic, o.Toxic, "toxic")
		add(Hate, s.Hate, o.Hate, "hate")
		add(Spam, s.Spam, o.Spam, "spam")
		return Verdict{Labels: out}, nil
	})
}
