package moderation_test

import (
	"context"
	"errors"
	"strings"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/moderation"
	"github.com/cmkit/cmkit/moderation/classifier"
)

func defaultPipeline(t testing.TB) *moderation.Pipeline {
	t.Helper()
	p, err := moderation.NewDefaultPipeline(nil)
	require.NoError(t, err)
	return p
}

func moderate(t testing.TB, p *moderation.Pipeline, text string) moderation.Decision {
	t.Helper()
	d, err := p.Moderate(context.Background(), &moderation.Item{Text: text})
	require.NoError(t, err)
	return d
}

func TestComplaintsPassInsultsDoNot(t *testing.T) {
	p := defaultPipeline(t)
	tests := []struct {
		name, text string
		action     moderation.Action
		category   moderation.Category
		complaint  bool
	}{
		{"fr complaint", "Votre service client est nul, trois semaines sans réponse", moderation.Allow, moderation.None, true},
		{"en complaint", "Worst customer service ever, still no refund after 3 weeks", moderation.Allow, moderation.None, true},
		{"fr scam as opinion", "C'est une arnaque votre abonnement, remboursez-moi", moderation.Allow, moderation.None, true},
		{"fr insult", "Ferme-la connard", moderation.Hide, moderation.Toxic, false},
		{"en insult", "you stupid idiot", moderation.Hide, moderation.Toxic, false},
		{"complaint with abuse is held, not hidden", "Your customer service is a joke, you fucking idiots", moderation.Hold, moderation.Toxic, true},
		{"praise", "Merci beaucoup pour la livraison rapide !", moderation.Allow, moderation.None, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := moderate(t, p, tt.text)
			require.Equal(t, tt.action, d.Action, d.Explanation)
			require.Equal(t, tt.category, d.Category, d.Explanation)
			require.Equal(t, tt.complaint, d.Complaint, d.Explanation)
			require.NotEmpty(t, d.Explanation)
		})
	}
}

func TestEvasion(t *testing.T) {
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{NoClassifier: true})
	require.NoError(t, err)
	for _, text := range []string{"c o n n a r d", "c.o.n.n.a.r.d", "c0nn4rd", "connnnard", "c\u043ennard", "fuuuck you", "s@lope", "ＣＯＮＮＡＲＤ"} {
		t.Run(text, func(t *testing.T) {
			d := moderate(t, p, text)
			require.Equal(t, moderation.Toxic, d.Category, d.Explanation)
			require.GreaterOrEqual(t, d.Action, moderation.Hold, d.Explanation)
			require.Contains(t, d.Explanation, "lexicon/")
		})
	}
}

func TestScunthorpe(t *testing.T) {
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{NoClassifier: true})
	require.NoError(t, err)
	for _, text := range []string{"Scunthorpe United", "The assassin took a class", "Un cocktail avec le bassiste",
		"Une salade de concombre", "Je pars à Conakry", "Il va raconter sa vie", "Pass the bass", "Les Misérables",
		"Dickens wrote it", "A shiitake risotto", "Le retard de livraison", "The Pakistan team won", "Un negroni svp",
		"We need a new pedestrian bridge", "I had this queer feeling", "My bitch had puppies at the vet"} {
		t.Run(text, func(t *testing.T) {
			d := moderate(t, p, text)
			require.Equal(t, moderation.Allow, d.Action, d.Explanation)
			for _, l := range d.Labels {
				require.NotEqual(t, "lexicon", l.Stage, "%+v", l)
			}
		})
	}
}

func TestThreatsAndHate(t *testing.T) {
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{NoClassifier: true})
	require.NoError(t, err)
	tests := []struct {
		text     string
		category moderation.Category
	}{
		{"je vais te tuer", moderation.Threat},
		{"I will kill you", moderation.Threat},
		{"On sait où tu habites.", moderation.Threat},
		{"you're dead", moderation.Threat},
		{"I'm going to find you and stab you", moderation.Threat},
		{"Les immigrés sont des rats", moderation.Hate},
		{"Les musulmans sont des parasites", moderation.Hate},
		{"Muslims should be exterminated", moderation.Hate},
		{"All women are vermin", moderation.Hate},
		{"Les femmes ne sont pas humaines", moderation.Hate},
		{"Refugees do not deserve to live.", moderation.Hate},
		// What must pass.
		{"I don't hate women", moderation.None},
		{"Je ne déteste pas les femmes.", moderation.None},
		{"Saying that women are scum shows how misguided you are.", moderation.None},
		{"Si vous dites \"Je déteste les musulmans\", vous êtes sectaire !", moderation.None},
		{"I love Muslims.", moderation.None},
		{"Les boulangers sont les pires.", moderation.None},
		{"I would never hurt you", moderation.None},
		{"No refugee deserves to die.", moderation.None},
		{"Fucking hell, what a day.", moderation.None},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			d := moderate(t, p, tt.text)
			if tt.category == moderation.None {
				require.Equal(t, moderation.Allow, d.Action, d.Explanation)
				return
			}
			require.Equal(t, tt.category, d.Category, d.Explanation)
			require.Equal(t, moderation.Hide, d.Action, d.Explanation)
		})
	}
}

func TestSpamAndScams(t *testing.T) {
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{NoClassifier: true,
		Spam: &moderation.SpamOptions{Brands: []string{"paypal.com", "mybrand.fr"}}})
	require.NoError(t, err)
	tests := []struct {
		name, text string
		category   moderation.Category
		min        moderation.Action
	}{
		{"whatsapp", "Contactez-moi sur WhatsApp +33 6 12 34 56 78", moderation.Scam, moderation.Hide},
		{"crypto", "invest in bitcoin with me", moderation.Scam, moderation.Hide},
		{"easy money", "Gagnez 500€ par jour depuis chez vous", moderation.Scam, moderation.Hide},
		{"sub4sub", "sub for sub anyone?", moderation.Spam, moderation.Hold},
		{"lookalike", "Verify at https://paypa1-secure.com/login", moderation.Scam, moderation.Hide},
		{"lookalike cyrillic", "Offre sur http://mybrаnd.fr/promo", moderation.Scam, moderation.Hide},
		{"shortener", "look bit.ly/3xYz", moderation.None, moderation.Allow},
		{"phone", "Appelez-moi au 06 12 34 56 78", moderation.PersonalData, moderation.Hold},
		{"phone dotted", "call me 555.123.4567 tonight", moderation.PersonalData, moderation.Hold},
		{"phone international", "text +44 7911 123456", moderation.PersonalData, moderation.Hold},
		{"view count grouped", "2.124.821.694 views!!!", moderation.None, moderation.Allow},
		{"view count commas", "Almost 1,000,000,000 already", moderation.None, moderation.Allow},
		{"view count noun", "1000000000 views.", moderation.None, moderation.Allow},
		{"decimal tail", "2,124923004 wow", moderation.None, moderation.Allow},
		{"brand link", "Voir https://www.mybrand.fr/aide", moderation.None, moderation.Allow},
		{"whatsapp complaint", "I messaged you on WhatsApp and still no answer", moderation.None, moderation.Allow},
		{"contest tags", "Je participe ! @lea @tom @ines @max @sarah", moderation.None, moderation.Allow},
		{"mass tagging with a link", "@lea @tom @ines @max @sarah free gift cards https://gifts-now.example/x", moderation.Spam, moderation.Hold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			d := moderate(t, p, tt.text)
			require.GreaterOrEqual(t, d.Action, tt.min, d.Explanation)
			if tt.category != moderation.None {
				require.Equal(t, tt.category, d.Category, d.Explanation)
			} else {
				require.Equal(t, moderation.Allow, d.Action, d.Explanation)
			}
		})
	}
}

func TestCommentSpamWithClassifier(t *testing.T) {
	// Comment spam that no lure list names, recognised by the embedded
	// model's spam-only features (links to other sites, self-promotion),
	// and fan comments that must pass.
	p, err := moderation.NewDefaultPipeline(nil)
	require.NoError(t, err)
	for _, text := range []string{
		"Love this song so much! Also I made a site for free traffic, have a look http://www.leads-on-autopilot.example/traffic",
		"Great video, great artist! Check out our channel for honest phone reviews and comparisons",
		"Nice song. Come and watch my new video, it is called the zombie movie part 1",
	} {
		d := moderate(t, p, text)
		require.GreaterOrEqual(t, d.Action, moderation.Hold, d.Explanation)
		require.Equal(t, moderation.Spam, d.Category, d.Explanation)
	}
	for _, text := range []string{
		"Love this song so much, she has an amazing voice",
		"I watched my brother play this song on guitar",
		"Her voice in the second verse gives me chills every time",
	} {
		d := moderate(t, p, text)
		require.Equal(t, moderation.Allow, d.Action, d.Explanation)
	}
}

func TestNearDuplicatesAndFlood(t *testing.T) {
	start := time.Date(2025, 3, 1, 12, 0, 0, 0, time.UTC)
	spam := moderation.NewSpamStage(nil)
	p, err := moderation.NewPipeline(moderation.PipelineConfig{Stages: []moderation.StageConfig{{Name: "spam", Stage: spam}}})
	require.NoError(t, err)
	ctx := context.Background()
	text := "Amazing giveaway today, everyone come and see the offer on my page now"
	for i, author := range []string{"a", "b", "c"} {
		d, err := p.Moderate(ctx, &moderation.Item{Text: text + strings.Repeat("!", i), Author: moderation.Author{ID: author}, CreatedAt: start.Add(time.Duration(i) * time.Minute)})
		require.NoError(t, err)
		if i < 2 {
			require.Equal(t, moderation.Allow, d.Action, d.Explanation)
		} else {
			require.Equal(t, moderation.Spam, d.Category, d.Explanation)
			require.Contains(t, d.Explanation, "near-duplicate")
		}
	}
	t.Run("one author repeating is not a duplicate", func(t *testing.T) {
		s := moderation.NewSpamStage(nil)
		for i := range 3 {
			v, err := s.Evaluate(ctx, &moderation.Item{Text: text, Author: moderation.Author{ID: "same"}, CreatedAt: start.Add(time.Duration(i) * time.Hour)})
			require.NoError(t, err)
			for _, l := range v.Labels {
				require.NotEqual(t, "near-duplicate", l.Rule)
			}
		}
	})
	t.Run("flood", func(t *testing.T) {
		s := moderation.NewSpamStage(&moderation.SpamOptions{FloodBurst: 3})
		flooded := 0
		for i := range 6 {
			v, err := s.Evaluate(ctx, &moderation.Item{Text: "hi " + strings.Repeat("x", i), Author: moderation.Author{ID: "fast"}, CreatedAt: start.Add(time.Duration(i) * time.Second)})
			require.NoError(t, err)
			for _, l := range v.Labels {
				if l.Rule == "flood" {
					flooded++
				}
			}
		}
		require.Equal(t, 3, flooded)
		v, err := s.Evaluate(ctx, &moderation.Item{Text: "later", Author: moderation.Author{ID: "fast"}, CreatedAt: start.Add(time.Hour)})
		require.NoError(t, err)
		require.Empty(t, v.Labels)
	})
}

var errBoom = errors.New("boom")

func TestFailOpenFailClosedAndTimeouts(t *testing.T) {
	failing := moderation.StageFunc(func(context.Context, *moderation.Item) (moderation.Verdict, error) {
		return moderation.Verdict{}, errBoom
	})
	// slow blocks until its context is done: no real sleep.
	slow := moderation.StageFunc(func(ctx context.Context, _ *moderation.Item) (moderation.Verdict, error) {
		<-ctx.Done()
		return moderation.Verdict{Labels: []moderation.Label{{Category: moderation.Toxic, Score: 1}}}, nil
	})
	panicky := moderation.StageFunc(func(context.Context, *moderation.Item) (moderation.Verdict, error) { panic("oops") })
	tests := []struct {
		name   string
		stage  moderation.StageConfig
		action moderation.Action
		reason string
	}{
		{"fail open", moderation.StageConfig{Name: "x", Stage: failing}, moderation.Allow, "boom"},
		{"fail closed", moderation.StageConfig{Name: "x", Stage: failing, FailClosed: true}, moderation.Hold, "fail-closed"},
		{"timeout fail closed", moderation.StageConfig{Name: "x", Stage: slow, Timeout: time.Second, FailClosed: true}, moderation.Hold, "fail-closed"},
		{"timeout fail open ignores the late verdict", moderation.StageConfig{Name: "x", Stage: slow, Timeout: time.Second}, moderation.Allow, "timeout"},
		{"panic fails", moderation.StageConfig{Name: "x", Stage: panicky, FailClosed: true}, moderation.Hold, "fail-closed"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			synctest.Test(t, func(t *testing.T) {
				p, err := moderation.NewPipeline(moderation.PipelineConfig{Stages: []moderation.StageConfig{tt.stage}})
				require.NoError(t, err)
				d, err := p.Moderate(context.Background(), &moderation.Item{Text: "hello"})
				require.NoError(t, err)
				require.Equal(t, tt.action, d.Action, d.Explanation)
				require.Contains(t, d.Explanation, tt.reason)
			})
		})
	}
	t.Run("cancelled context", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		p, err := moderation.NewPipeline(moderation.PipelineConfig{Stages: []moderation.StageConfig{{Name: "slow", Stage: slow}}})
		require.NoError(t, err)
		_, err = p.Moderate(ctx, &moderation.Item{Text: "x"})
		require.ErrorIs(t, err, context.Canceled)
	})
}

func TestShadowNeverApplies(t *testing.T) {
	var applied, queued atomic.Int32
	applier := moderation.ApplierFunc(func(context.Context, *moderation.Item, moderation.Decision) error {
		applied.Add(1)
		return nil
	})
	q := moderation.NewMemoryQueue(nil)
	for _, shadow := range []bool{true, false} {
		p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{NoClassifier: true, Shadow: shadow, Applier: applier, Review: q})
		require.NoError(t, err)
		d := moderate(t, p, "Ferme-la connard")
		require.Equal(t, shadow, d.Shadow)
		require.Equal(t, moderation.Hide, d.Action)
		d = moderate(t, p, "Appelez-moi au 06 12 34 56 78")
		require.Equal(t, moderation.Hold, d.Action)
		pending, err := q.Pending(context.Background(), 0)
		require.NoError(t, err)
		queued.Store(int32(len(pending)))
		if shadow {
			require.Zero(t, applied.Load())
			require.Zero(t, queued.Load())
		}
	}
	require.Equal(t, int32(2), applied.Load())
	require.Equal(t, int32(1), queued.Load())
}

func TestNewPipelineValidates(t *testing.T) {
	st := moderation.StageFunc(func(context.Context, *moderation.Item) (moderation.Verdict, error) { return moderation.Verdict{}, nil })
	for name, cfg := range map[string]moderation.PipelineConfig{
		"no stages":  {},
		"no name":    {Stages: []moderation.StageConfig{{Stage: st}}},
		"nil stage":  {Stages: []moderation.StageConfig{{Name: "a"}}},
		"duplicate":  {Stages: []moderation.StageConfig{{Name: "a", Stage: st}, {Name: "a", Stage: st}}},
		"thresholds": {Stages: []moderation.StageConfig{{Name: "a", Stage: st}}, Policy: &moderation.Policy{Thresholds: map[moderation.Category]moderation.Thresholds{moderation.Spam: {Hold: 0.9, Hide: 0.5}}}},
	} {
		t.Run(name, func(t *testing.T) {
			_, err := moderation.NewPipeline(cfg)
			require.ErrorIs(t, err, moderation.ErrInvalidConfig)
		})
	}
	_, err := defaultPipeline(t).Moderate(context.Background(), nil)
	require.ErrorIs(t, err, moderation.ErrInvalidItem)
}

func TestDetectLanguage(t *testing.T) {
	tests := []struct{ text, lang string }{
		{"Votre service client est nul", "fr"},
		{"Je déteste attendre", "fr"},
		{"c'est nul", "fr"},
		{"Merci beaucoup !", "fr"},
		{"Worst customer service ever", "en"},
		{"I hate waiting", "en"},
		{"this is bad", "en"},
		{"Thank you so much!", "en"},
		{"ok", "und"},
		{"😡😡", "und"},
		{"", "und"},
	}
	for _, tt := range tests {
		t.Run(tt.text, func(t *testing.T) {
			lang, conf := moderation.DetectLanguage(tt.text)
			require.Equal(t, tt.lang, lang)
			require.GreaterOrEqual(t, conf, 0.0)
			require.LessOrEqual(t, conf, 1.0)
		})
	}
}

func TestLanguageKeepsLexiconsApart(t *testing.T) {
	p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{NoClassifier: true})
	require.NoError(t, err)
	for _, text := range []string{"The dog may bite the postman", "I have a con artist story for the conference", "Le retard est de trois jours"} {
		t.Run(text, func(t *testing.T) {
			d := moderate(t, p, text)
			require.Equal(t, moderation.Allow, d.Action, d.Explanation)
		})
	}
	d, err := p.Moderate(context.Background(), &moderation.Item{Text: "t'es qu'un gros con", Language: "fr"})
	require.NoError(t, err)
	require.Equal(t, moderation.Toxic, d.Category, d.Explanation)
}

// fixedScores is a TextClassifier that returns the same scores for every text.
type fixedScores classifier.Scores

func (f fixedScores) Predict(string, string) classifier.Scores { return classifier.Scores(f) }

func TestCriticismGuardAndClassifier(t *testing.T) {
	complaint := "Worst customer service ever, still no refund after 3 weeks"
	tests := []struct {
		name      string
		scores    classifier.Scores
		action    moderation.Action
		category  moderation.Category
		complaint bool
	}{
		{"weak classifier toxic is under its threshold", classifier.Scores{Toxic: 0.6}, moderation.Allow, moderation.None, true},
		{"classifier toxic is held, not hidden", classifier.Scores{Toxic: 0.99}, moderation.Hold, moderation.Toxic, true},
		{"classifier hate is set aside", classifier.Scores{Hate: 0.99}, moderation.Allow, moderation.None, true},
		{"weak classifier spam is set aside", classifier.Scores{Spam: 0.5}, moderation.Allow, moderation.None, true},
		{"confident classifier spam is held, not hidden", classifier.Scores{Spam: 0.99}, moderation.Hold, moderation.Spam, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{Classifier: fixedScores(tt.scores)})
			require.NoError(t, err)
			d := moderate(t, p, complaint)
			require.Equal(t, tt.action, d.Action, d.Explanation)
			require.Equal(t, tt.category, d.Category, d.Explanation)
			require.Equal(t, tt.complaint, d.Complaint, d.Explanation)
		})
	}
}

func TestCriticismGuardWithAbusiveWords(t *testing.T) {
	// The complaint vocabulary ("worst", "bad", "your") is common in
	// abuse: with abusive words in the text, the classifier's toxic score
	// is no longer set aside, and the complaint is held, not allowed.
	text := "Worst customer service ever, this shit is useless"
	tests := []struct {
		name   string
		scores classifier.Scores
		action moderation.Action
	}{
		{"profanity alone stays allowed", classifier.Scores{}, moderation.Allow},
		{"profanity the classifier finds toxic is held", classifier.Scores{Toxic: 0.99}, moderation.Hold},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			p, err := moderation.NewDefaultPipeline(&moderation.DefaultOptions{Classifier: fixedScores(tt.scores)})
			require.NoError(t, err)
			d := moderate(t, p, text)
			require.Equal(t, tt.action, d.Action, d.Explanation)
			require.True(t, d.Complaint, d.Explanation)
		})
	}
}

// TestComplaintsScoreLowOnTheModel checks the premise of the criticism
// guard's handling of the classifier's toxic label: complaints, in French
// and English, none of them in the training data, stay far under the
// toxic threshold, so they are allowed, not held.
func TestComplaintsScoreLowOnTheModel(t *testing.T) {
	p, err := moderation.NewDefaultPipeline(nil)
	require.NoError(t, err)
	for _, text := range []string{
		"This is the worst airline ever, 6 hours delay and nobody tells us anything",
		"Your app crashes every time I open it. Useless. Fix it!",
		"Honestly your customer support is a joke, I've been waiting 3 weeks for a refund",
		"What a terrible product, broke after two days. Never buying from you again",
		"Seriously @brand this is unacceptable, my order never arrived and you keep ignoring me",
		"Your prices are a rip off and the quality is garbage",
		"I'm so angry right now, you charged me twice and nobody answers the phone",
		"Service client lamentable, ça fait un mois que j'attends mon colis",
		"C'est une honte, vous m'avez débité deux fois et personne ne répond",
		"Franchement votre appli est nulle, elle plante tout le temps",
		"Produit de merde, cassé au bout de deux jours",
		"Vous vous foutez de la gueule des clients, trois semaines sans réponse",
		"Arnaque totale, je ne commanderai plus jamais chez vous",
		"Your delivery guy threw my package over the fence and broke it, pathetic",
		"Worst customer service ever, you people are clueless",
		"This update is trash, bring back the old version",
	} {
		require.Less(t, classifier.Default().Predict(text, "").Toxic, 0.5, text)
		d := moderate(t, p, text)
		require.Equal(t, moderation.Allow, d.Action, "%s: %s", text, d.Explanation)
	}
}
