package sentiment

import (
	"fmt"
	"math"
	"strings"
	"testing"
	"unicode"

	"github.com/stretchr/testify/require"
)

func TestScoreLabels(t *testing.T) {
	tests := []struct {
		name, lang, text, label string
	}{
		{"en positive", "en", "VADER is smart, handsome, and funny.", LabelPositive},
		{"en negative", "en", "The plot was dull and the acting was terrible.", LabelNegative},
		{"en neutral", "en", "The store opens at nine on Monday.", LabelNeutral},
		{"en negation", "en", "The food was not good.", LabelNegative},
		{"en contraction negation", "en", "I don't love this update.", LabelNegative},
		{"en negated negative", "en", "At least it isn't a horrible book.", LabelPositive},
		{"en but", "en", "The staff were nice but the room was filthy and awful.", LabelNegative},
		{"en emoticon", "en", "see you tomorrow :)", LabelPositive},
		{"en emoji", "en", "new phone 😡😡", LabelNegative},
		{"en complaint", "en", "Three weeks waiting for my refund, this is unacceptable and your support is useless", LabelNegative},
		{"fr positif", "fr", "Super service, merci beaucoup !", LabelPositive},
		{"fr génial", "fr", "Le nouveau menu est génial", LabelPositive},
		{"fr négatif", "fr", "Service client nul, très déçu", LabelNegative},
		{"fr neutre", "fr", "Le magasin ouvre à neuf heures lundi.", LabelNeutral},
		{"fr ne pas", "fr", "Je ne suis pas content du tout", LabelNegative},
		{"fr n'est pas", "fr", "Ce n'est pas génial", LabelNegative},
		{"fr jamais", "fr", "Jamais satisfait de vos livraisons", LabelNegative},
		{"fr pas mal", "fr", "C'est pas mal du tout", LabelPositive},
		{"fr pas terrible", "fr", "Le film est pas terrible", LabelNegative},
		{"fr pas de souci", "fr", "Pas de souci, merci", LabelPositive},
		{"fr mais", "fr", "Le produit est joli mais la livraison était catastrophique", LabelNegative},
		{"fr mais positif", "fr", "Livraison un peu lente mais produit excellent", LabelPositive},
		{"fr arnaque", "fr", "C'est une arnaque, je veux mon remboursement", LabelNegative},
		{"fr inadmissible", "fr", "Trois semaines de retard, c'est inadmissible", LabelNegative},
		{"fr féminin pluriel", "fr", "Nous sommes très déçues", LabelNegative},
		{"fr sans accents", "fr", "tres decu, service nul", LabelNegative},
		{"fr emoji", "fr", "Merci 😍", LabelPositive},
		{"guess fr", "", "Je suis vraiment déçu par votre service", LabelNegative},
		{"guess en", "", "I am really happy with the service", LabelPositive},
		{"empty", "en", "", LabelNeutral},
		{"punctuation only", "fr", "?!...", LabelNeutral},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			r := Score(tt.text, tt.lang)
			require.Equal(t, tt.label, r.Label, "Score(%q) = %+v", tt.text, r)
		})
	}
}

func TestScoreRules(t *testing.T) {
	c := func(text, lang string) float64 { return Score(text, lang).Compound }
	tests := []struct {
		name            string
		stronger, plain string
		lang            string
	}{
		{"en booster", "The book was very good.", "The book was good.", "en"},
		{"en exclamation", "The book was good!!!", "The book was good.", "en"},
		{"en capitals", "The book was GOOD.", "The book was good.", "en"},
		{"fr très", "Le service est très bien", "Le service est bien", "fr"},
		{"fr vraiment", "C'est vraiment génial", "C'est génial", "fr"},
		{"fr exclamation", "Merci !!!", "Merci.", "fr"},
		{"fr capitals negative", "Service NUL", "Service nul", "fr"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s, p := math.Abs(c(tt.stronger, tt.lang)), math.Abs(c(tt.plain, tt.lang))
			require.Greater(t, s, p, "%q (%v) vs %q (%v)", tt.stronger, s, tt.plain, p)
		})
	}
	// Damping: "un peu" / "slightly" weaken.
	require.Less(t, math.Abs(c("C'est un peu lent", "fr")), math.Abs(c("C'est lent", "fr")))
	require.Less(t, math.Abs(c("It is slightly bad", "en")), math.Abs(c("It is bad", "en")))
}

func TestScoreShares(t *testing.T) {
	r := Score("The food was great but the service was slow and rude.", "en")
	require.InDelta(t, 1, r.Positive+r.Negative+r.Neutral, 1e-9)
	require.Greater(t, r.Positive, 0.0)
	require.Greater(t, r.Negative, 0.0)
	require.Equal(t, Result{Label: LabelNeutral}, Score("   ", "fr"))
}

func TestLexiconsLoaded(t *testing.T) {
	l := lex()
	require.Greater(t, len(l.en), 7000)
	require.Greater(t, len(l.fr), 300)
	require.Contains(t, l.fr, "decu")
	require.Contains(t, l.fr, "inadmissible")
	require.InDelta(t, 1.9, l.en["good"], 1e-9)
}

func FuzzScore(f *testing.F) {
	for _, s := range []string{"", "merci !", "NOT GOOD!!!", "n'est pas", "😡😍", "\xff", "' ' '", "mais but mais", strings.Repeat("no ", 50)} {
		f.Add(s, "fr")
		f.Add(s, "en")
	}
	f.Fuzz(func(t *testing.T, text, lang string) {
		if got, want := trimPunct(text), strings.TrimFunc(text, isPunctOrSymbol); got != want {
			t.Fatalf("trimPunct(%q) = %q, want %q", text, got, want)
		}
		r := Score(text, lang)
		for _, v := range []float64{r.Compound, r.Positive, r.Negative, r.Neutral} {
			if math.IsNaN(v) || math.IsInf(v, 0) {
				t.Fatalf("Score(%q) = %+v", text, r)
			}
		}
		if r.Compound < -1 || r.Compound > 1 || r.Positive < 0 || r.Negative < 0 || r.Neutral < 0 {
			t.Fatalf("Score(%q) out of range: %+v", text, r)
		}
		switch r.Label {
		case LabelPositive, LabelNegative, LabelNeutral:
		default:
			t.Fatalf("label %q", r.Label)
		}
	})
}

func isPunctOrSymbol(r rune) bool { return unicode.IsPunct(r) || unicode.IsSymbol(r) }

func TestTrimPunct(t *testing.T) {
	for _, s := range []string{"", "!!", "«bonjour»", "(great)", ":)", "¡hola!", "\xffok\xfe", "a-b", "€100€", "\x00x\x7f", "…déçu…"} {
		t.Run(s, func(t *testing.T) {
			require.Equal(t, strings.TrimFunc(s, isPunctOrSymbol), trimPunct(s))
		})
	}
}

func TestEmojiTableAboveMinEmoji(t *testing.T) {
	for r := range emoji {
		require.GreaterOrEqual(t, r, minEmoji, string(r))
	}
}

func TestElision(t *testing.T) {
	tests := []struct {
		w    string
		want int
	}{{"n'est", 1}, {"l’arnaque", 1}, {"jusqu'au", 5}, {"aujourd'hui", -1}, {"bonjour", -1}, {"'a", 0}}
	for _, tt := range tests {
		t.Run(tt.w, func(t *testing.T) {
			require.Equal(t, tt.want, elision(tt.w))
		})
	}
}

func BenchmarkScore(b *testing.B) {
	for _, bc := range []struct{ name, text, lang string }{
		{"fr", "Encore 45 minutes de retard ce matin, c'est vraiment inadmissible !!! Remboursez-nous 😡", "fr"},
		{"en", "Lost my bag AGAIN, third time this year. Absolutely useless customer service, never flying with you again", "en"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				Score(bc.text, bc.lang)
			}
		})
	}
}

func ExampleScore() {
	for _, text := range []string{
		"Merci, service impeccable !",
		"Ce n'est pas génial, je suis très déçu.",
		"Le magasin ouvre à 9 h.",
	} {
		r := Score(text, "fr")
		fmt.Printf("%s %.2f\n", r.Label, r.Compound)
	}
	// Output:
	// positive 0.78
	// negative -0.78
	// neutral 0.00
}
