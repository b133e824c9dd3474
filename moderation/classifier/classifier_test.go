package classifier

import (
	"bytes"
	"fmt"
	"math"
	"sync"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestPredictOrdering(t *testing.T) {
	m := Default()
	tests := []struct {
		name        string
		lang        string
		worse, mild string
		head        func(Scores) float64
		// identityBias marks a neutral mention of a group that the model,
		// like most trained on hate data, may still score near 0.5.
		identityBias bool
	}{
		{"en toxic", "en", "shut up you worthless stupid bitch", "thank you for the help, have a nice day", func(s Scores) float64 { return s.Toxic }, false},
		{"fr toxic", "fr", "ta gueule sale connard de merde", "merci pour la réponse, bonne soirée", func(s Scores) float64 { return s.Toxic }, false},
		{"en hate", "en", "all immigrants are vermin and should be deported", "my neighbours are immigrants and they are lovely", func(s Scores) float64 { return s.Hate }, true},
		{"fr hate", "fr", "les musulmans sont des parasites", "les musulmans de mon quartier organisent une fête", func(s Scores) float64 { return s.Hate }, true},
		{"en spam", "en", "FREE entry!! text WIN to 80086 to claim your £500 cash prize", "are we still meeting for lunch tomorrow?", func(s Scores) float64 { return s.Spam }, false},
		{"fr spam", "fr", "Gagne 800€ par semaine depuis chez toi, écris-moi vite sur WhatsApp", "est-ce que le magasin est ouvert lundi ?", func(s Scores) float64 { return s.Spam }, false},
		{"fr complaint is not toxic", "fr", "espèce de grosse merde, va crever", "livraison en retard et service client injoignable, je suis très déçu", func(s Scores) float64 { return s.Toxic }, false},
		{"en complaint is not toxic", "en", "fuck you, you retarded piece of shit", "the app is slow and support never answers, really disappointing", func(s Scores) float64 { return s.Toxic }, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			w, ok := tt.head(m.Predict(tt.worse, tt.lang)), tt.head(m.Predict(tt.mild, tt.lang))
			require.Greater(t, w, ok, "%q should score above %q", tt.worse, tt.mild)
			require.Greater(t, w, 0.5)
			if !tt.identityBias {
				require.Less(t, ok, 0.5)
			}
		})
	}
}

func TestPredictLanguageGuess(t *testing.T) {
	m := Default()
	text := "je ne suis pas content du service"
	require.Equal(t, m.Predict(text, "fr"), m.Predict(text, ""))
	require.Equal(t, m.Predict(text, "fr"), m.Predict(text, "fr-FR"))
}

func TestPredictZeroModel(t *testing.T) {
	var m *Model
	require.Equal(t, Scores{}, m.Predict("hello", "en"))
	require.Equal(t, Scores{}, (&Model{}).Predict("hello", "en"))
}

func TestPredictAllocations(t *testing.T) {
	if raceEnabled {
		t.Skip("sync.Pool drops items at random under the race detector")
	}
	m := Default()
	for _, text := range []string{"Merci pour votre réponse rapide, très sympa ! 👍 @marie https://ex.fr/x", "you are SOOO stupid lol 123"} {
		m.Predict(text, "")
		allocs := testing.AllocsPerRun(100, func() { m.Predict(text, "") })
		require.Zero(t, allocs, "Predict(%q) allocates", text)
	}
}

func TestSaveLoadRoundTrip(t *testing.T) {
	m := Default()
	var buf bytes.Buffer
	require.NoError(t, m.Save(&buf))
	again, err := Load(bytes.NewReader(buf.Bytes()))
	require.NoError(t, err)
	require.Equal(t, m.bits, again.bits)
	require.Equal(t, m.scale, again.scale)
	require.Equal(t, m.bias, again.bias)
	require.Equal(t, m.w, again.w)
	require.Equal(t, m.Predict("c'est une arnaque", "fr"), again.Predict("c'est une arnaque", "fr"))
	var buf2 bytes.Buffer
	require.NoError(t, again.Save(&buf2))
	require.Equal(t, buf.Bytes(), buf2.Bytes())
	require.Equal(t, embedded, buf.Bytes(), "embedded model is not in Save's canonical form")
}

func TestLoadErrors(t *testing.T) {
	small, err := Train(tinySet(), &TrainOptions{Bits: 16, Epochs: 1})
	require.NoError(t, err)
	var good bytes.Buffer
	require.NoError(t, small.Save(&good))
	raw := gunzip(t, good.Bytes())
	tests := []struct {
		name string
		data []byte
	}{
		{"empty", nil},
		{"not gzip", []byte("hello world")},
		{"bad magic", gz(t, append([]byte("NOTMODEL"), raw[8:]...))},
		{"truncated", gz(t, raw[:len(raw)/2])},
		{"trailing", gz(t, append(append([]byte{}, raw...), 1))},
		{"bad version", gz(t, patch(raw, 8, 99))},
		{"bad feature version", gz(t, patch(raw, 12, 99))},
		{"bad bits", gz(t, patch(raw, 16, 40))},
		{"bad heads", gz(t, patch(raw, 20, 2))},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Load(bytes.NewReader(tt.data))
			require.ErrorIs(t, err, ErrInvalidModel)
		})
	}
}

func TestTrainDeterministic(t *testing.T) {
	opts := &TrainOptions{Bits: 16, Epochs: 3, Seed: 7}
	a, err := Train(tinySet(), opts)
	require.NoError(t, err)
	b, err := Train(tinySet(), opts)
	require.NoError(t, err)
	var ba, bb bytes.Buffer
	require.NoError(t, a.Save(&ba))
	require.NoError(t, b.Save(&bb))
	require.Equal(t, ba.Bytes(), bb.Bytes())

	c, err := Train(tinySet(), &TrainOptions{Bits: 16, Epochs: 3, Seed: 8})
	require.NoError(t, err)
	var bc bytes.Buffer
	require.NoError(t, c.Save(&bc))
	require.NotEqual(t, ba.Bytes(), bc.Bytes(), "the seed should change the order")
}

func TestTrainLearns(t *testing.T) {
	var losses [][3]float64
	m, err := Train(tinySet(), &TrainOptions{Bits: 16, Epochs: 30, LearningRate: 0.5,
		Progress: func(_ int, l [3]float64) { losses = append(losses, l) }})
	require.NoError(t, err)
	require.Len(t, losses, 30)
	require.Less(t, losses[29][0], losses[0][0])
	require.Greater(t, m.Predict("you idiot moron", "en").Toxic, 0.5)
	require.Less(t, m.Predict("lovely day thanks", "en").Toxic, 0.5)
	require.Greater(t, m.Predict("win cash now call", "en").Spam, 0.5)
	require.Equal(t, 1<<16, m.Buckets())
}

func TestTrainNBScaling(t *testing.T) {
	save := func(opts *TrainOptions) []byte {
		t.Helper()
		m, err := Train(tinySet(), opts)
		require.NoError(t, err)
		var b bytes.Buffer
		require.NoError(t, m.Save(&b))
		return b.Bytes()
	}
	def := save(&TrainOptions{Bits: 16, Epochs: 3})
	require.Equal(t, def, save(&TrainOptions{Bits: 16, Epochs: 3, NB: &[3]float64{1, 0, 1.0 / 3}, NBSmoothing: 4}),
		"nil NB and zero smoothing are the documented defaults")
	off := save(&TrainOptions{Bits: 16, Epochs: 3, NB: &[3]float64{}})
	require.NotEqual(t, def, off)
	require.NotEqual(t, def, save(&TrainOptions{Bits: 16, Epochs: 3, NBSmoothing: 1}))

	// Fully scaled heads still learn the tiny set.
	m, err := Train(tinySet(), &TrainOptions{Bits: 16, Epochs: 30, LearningRate: 0.5, NB: &[3]float64{1, 1, 1}})
	require.NoError(t, err)
	require.Greater(t, m.Predict("you idiot moron", "en").Toxic, 0.5)
	require.Less(t, m.Predict("lovely day thanks", "en").Toxic, 0.5)
	require.Greater(t, m.Predict("win cash now call", "en").Spam, 0.5)
}

func TestTrainErrors(t *testing.T) {
	tests := []struct {
		name string
		ex   []Example
		opts *TrainOptions
		is   error
	}{
		{"no examples", nil, nil, ErrNoExamples},
		{"bits too small", tinySet(), &TrainOptions{Bits: 8}, nil},
		{"bits too large", tinySet(), &TrainOptions{Bits: 30}, nil},
		{"negative epochs", tinySet(), &TrainOptions{Epochs: -1}, nil},
		{"negative rate", tinySet(), &TrainOptions{LearningRate: -1}, nil},
		{"NaN L2", tinySet(), &TrainOptions{L2: math.NaN()}, nil},
		{"negative weight", []Example{{Text: "x", Weight: -1}}, nil, nil},
		{"NB above 1", tinySet(), &TrainOptions{NB: &[3]float64{1.5, 0, 0}}, nil},
		{"NaN NB", tinySet(), &TrainOptions{NB: &[3]float64{0, math.NaN(), 0}}, nil},
		{"negative NB smoothing", tinySet(), &TrainOptions{NBSmoothing: -1}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			_, err := Train(tt.ex, tt.opts)
			require.Error(t, err)
			if tt.is != nil {
				require.ErrorIs(t, err, tt.is)
			}
		})
	}
}

func TestPredictConcurrent(t *testing.T) {
	m := Default()
	texts := []string{"sale con", "merci beaucoup", "win a free iphone now http://x.co", "I hate you", "👍👍", ""}
	want := make([]Scores, len(texts))
	for i, s := range texts {
		want[i] = m.Predict(s, "")
	}
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for k := range 200 {
				i := (g + k) % len(texts)
				if got := m.Predict(texts[i], ""); got != want[i] {
					t.Errorf("Predict(%q) = %v concurrently, %v alone", texts[i], got, want[i])
					return
				}
			}
		}()
	}
	wg.Wait()
}

func ExampleModel_Predict() {
	m := Default()
	for _, text := range []string{
		"Livraison en retard et aucune réponse du service client, je suis déçu.",
		"Gagnez 500€ par jour, contactez-moi sur WhatsApp !",
	} {
		s := m.Predict(text, "fr")
		fmt.Printf("toxic=%t spam=%t\n", s.Toxic >= 0.5, s.Spam >= 0.5)
	}
	// Output:
	// toxic=false spam=false
	// toxic=false spam=true
}

func ExampleTrain() {
	examples := []Example{
		{Text: "you absolute idiot", Lang: "en", Toxic: true},
		{Text: "what a lovely photo", Lang: "en"},
		{Text: "claim your free prize now", Lang: "en", Spam: true},
	}
	m, err := Train(examples, &TrainOptions{Bits: 16, Epochs: 20})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(m.Predict("you idiot", "en").Toxic > m.Predict("lovely photo", "en").Toxic)
	// Output: true
}

func tinySet() []Example {
	var ex []Example
	for i := range 5 {
		n := fmt.Sprint(i)
		ex = append(ex,
			Example{Text: "you idiot moron " + n, Lang: "en", Toxic: true},
			Example{Text: "stupid idiot loser " + n, Lang: "en", Toxic: true, Hate: i%2 == 0},
			Example{Text: "lovely day thanks " + n, Lang: "en"},
			Example{Text: "see you at lunch " + n, Lang: "en"},
			Example{Text: "win cash now call " + n, Lang: "en", Spam: true, Weight: 2},
		)
	}
	return ex
}

func TestTrainUnlabelledHeads(t *testing.T) {
	// The same texts, labelled toxic; in the second set the Toxic head is
	// unlabelled for them, so it learns nothing from them and keeps the
	// base rate of the other (clean) examples.
	mk := func(skip Heads) []Example {
		var ex []Example
		for i := range 40 {
			n := string(rune('a' + i%26))
			ex = append(ex,
				Example{Text: "grumpy walrus " + n, Lang: "en", Toxic: true, Unlabelled: skip},
				Example{Text: "lovely day " + n, Lang: "en"})
		}
		return ex
	}
	opts := &TrainOptions{Bits: 16, Epochs: 20, LearningRate: 0.5}
	labelled, err := Train(mk(0), opts)
	require.NoError(t, err)
	masked, err := Train(mk(ToxicHead), opts)
	require.NoError(t, err)
	require.Greater(t, labelled.Predict("grumpy walrus", "en").Toxic, 0.5)
	require.Less(t, masked.Predict("grumpy walrus", "en").Toxic, 0.5)
	// The other heads still train on every example.
	require.InDelta(t, labelled.Predict("grumpy walrus", "en").Spam, masked.Predict("grumpy walrus", "en").Spam, 1e-9)
}

func TestPredictMatchesTrainingFormula(t *testing.T) {
	// A model with arbitrary weights: Predict must give what Train
	// optimises. The toxic and hate heads read the shared features
	// divided by the square root of their number; the spam head also
	// reads the spam-only features (the root is over both) and adds the
	// document-level indicators undivided.
	const bits = 16
	w := make([]int16, numHeads<<bits)
	for i := range w {
		w[i] = int16(i*7919%2001 - 1000)
	}
	scale := [numHeads]float32{0.003, 0.002, 0.004}
	bias := [numHeads]float32{-1, -2, -0.5}
	m := newModel(bits, w, scale, bias)
	for _, text := range []string{"check out my channel http://example.com/x", "tu es nul", "", "great song https://t.co/abc"} {
		x := newExtractor(bits)
		x.extract(text, "en")
		var z [numHeads]float64
		var doc float64
		shared, spam := 0, 0
		for _, f := range x.feats {
			k := int(f&^(spamOnly|docLevel)) * numHeads
			switch {
			case f&docLevel != 0:
				doc += float64(scale[headSpam]) * float64(w[k+headSpam])
			case f&spamOnly != 0:
				spam++
				z[headSpam] += float64(scale[headSpam]) * float64(w[k+headSpam])
			default:
				shared++
				for h := range numHeads {
					z[h] += float64(scale[h]) * float64(w[k+h])
				}
			}
		}
		got := m.Predict(text, "en")
		inv := 1 / math.Sqrt(float64(max(shared, 1)))
		require.InDelta(t, sigmoid(float64(bias[headToxic])+z[headToxic]*inv), got.Toxic, 1e-9, text)
		require.InDelta(t, sigmoid(float64(bias[headHate])+z[headHate]*inv), got.Hate, 1e-9, text)
		invSpam := 1 / math.Sqrt(float64(max(shared+spam, 1)))
		require.InDelta(t, sigmoid(float64(bias[headSpam])+z[headSpam]*invSpam+doc), got.Spam, 1e-9, text)
	}
}

func TestTrainSpamOnlyFeaturesLeaveOtherHeads(t *testing.T) {
	// The same examples fitted with and without their spam-only
	// features: the toxic and hate heads must come out identical.
	o, err := (&TrainOptions{Bits: 16, Epochs: 5}).withDefaults()
	require.NoError(t, err)
	x := newExtractor(16)
	var all, shared []uint32
	offAll, offShared := []int{0}, []int{0}
	var labels [][numHeads]float64
	var skip []Heads
	var weights []float64
	for i := range 30 {
		n := string(rune('a' + i%26))
		for _, e := range []Example{
			{Text: "check out my channel http://example.com/" + n, Spam: true},
			{Text: "you stupid walrus, watch my back " + n, Toxic: true},
			{Text: "lovely day " + n},
		} {
			x.extract(e.Text, "en")
			for _, f := range x.feats {
				all = append(all, f)
				if f&spamOnly == 0 {
					shared = append(shared, f)
				}
			}
			offAll, offShared = append(offAll, len(all)), append(offShared, len(shared))
			labels = append(labels, [numHeads]float64{b2f(e.Toxic), 0, b2f(e.Spam)})
			skip = append(skip, 0)
			weights = append(weights, 1)
		}
	}
	require.Less(t, len(shared), len(all))
	nb := 1 << 16
	wa, ba := fit(o, nb, all, offAll, labels, skip, weights, nbScales(nb, all, offAll, labels, skip, weights, o.NB, o.NBSmoothing))
	ws, bs := fit(o, nb, shared, offShared, labels, skip, weights, nbScales(nb, shared, offShared, labels, skip, weights, o.NB, o.NBSmoothing))
	require.Equal(t, bs[headToxic], ba[headToxic])
	require.Equal(t, bs[headHate], ba[headHate])
	for k := range wa {
		if k%numHeads != headSpam && wa[k] != ws[k] {
			t.Fatalf("weight %d of head %d moved: %v != %v", k/numHeads, k%numHeads, wa[k], ws[k])
		}
	}
}
