package classifier

import (
	"errors"
	"fmt"
	"math"
	"math/rand/v2"
)

// Example is one labelled text for Train.
type Example struct {
	// Text is the message, as written.
	Text string
	// Lang is "fr", "en" or "" (guessed).
	Lang string
	// Toxic, Hate and Spam are the labels. Hate should imply Toxic.
	Toxic, Hate, Spam bool
	// Weight scales the example's loss. Zero means 1.
	Weight float64
	// Unlabelled lists the heads the example says nothing about: they
	// are not trained on it. A hate-speech test set's "non-hateful"
	// cases, for instance, include abuse of individuals ("you are
	// scum"), so they are negatives for Hate but unlabelled for Toxic.
	Unlabelled Heads
}

// Heads is a set of the model's heads.
type Heads uint8

// The heads, to combine with |.
const (
	ToxicHead Heads = 1 << iota
	HateHead
	SpamHead
)

// TrainOptions tune Train. The zero value gives the settings used for the
// embedded model.
type TrainOptions struct {
	// Bits is the base-2 logarithm of the number of hash buckets, between 16
	// and 22. Defaults to 19 (524,288 buckets).
	Bits int
	// Epochs is the number of passes over the examples. Defaults to 16.
	Epochs int
	// LearningRate is the AdaGrad step size. Defaults to 0.1.
	LearningRate float64
	// L2 is the L2 regularisation strength. Defaults to 1e-6.
	L2 float64
	// Seed fixes the shuffling order. Defaults to 1.
	Seed uint64
	// NB sets, per head (toxic, hate, spam), how much each feature is
	// scaled by its naive-Bayes log-count ratio r before the regression
	// (NBSVM, Wang & Manning 2012): the feature counts (1-m) + m·|r|
	// times, m between 0 (unscaled) and 1 (r alone: features as common in
	// both classes fade out). The scale is folded into the stored weights,
	// so Predict costs the same. Nil means {1, 0, 1.0/3}, the embedded
	// model's setting; &[3]float64{} turns the scaling off.
	NB *[3]float64
	// NBSmoothing is the pseudo-count added to each bucket's positive and
	// negative document counts when computing r. Defaults to 4.
	NBSmoothing float64
	// Progress, if set, is called after each epoch with the mean log loss
	// (per head: toxic, hate, spam) over that epoch.
	Progress func(epoch int, loss [3]float64)
}

func (o *TrainOptions) withDefaults() (TrainOptions, error) {
	var r TrainOptions
	if o != nil {
		r = *o
	}
	if r.Bits == 0 {
		r.Bits = 19
	}
	if r.Epochs == 0 {
		r.Epochs = 16
	}
	if r.LearningRate == 0 {
		r.LearningRate = 0.1
	}
	if r.L2 == 0 {
		r.L2 = 1e-6
	}
	if r.Seed == 0 {
		r.Seed = 1
	}
	if r.NB == nil {
		nb := defaultNB()
		r.NB = &nb
	}
	if r.NBSmoothing == 0 {
		r.NBSmoothing = 4
	}
	for h, m := range r.NB {
		if !(m >= 0 && m <= 1) {
			return r, fmt.Errorf("classifier: NB[%d] is %v, want 0 to 1", h, m)
		}
	}
	switch {
	case r.Bits < minBits || r.Bits > maxBits:
		return r, fmt.Errorf("classifier: Bits is %d, want %d to %d", r.Bits, minBits, maxBits)
	case r.Epochs < 0 || r.Epochs > 1000:
		return r, fmt.Errorf("classifier: Epochs is %d, want 1 to 1000", r.Epochs)
	case !(r.LearningRate > 0) || math.IsInf(r.LearningRate, 0):
		return r, fmt.Errorf("classifier: LearningRate is %v, want > 0", r.LearningRate)
	case !(r.L2 >= 0) || math.IsInf(r.L2, 0):
		return r, fmt.Errorf("classifier: L2 is %v, want >= 0", r.L2)
	case !(r.NBSmoothing > 0) || math.IsInf(r.NBSmoothing, 0):
		return r, fmt.Errorf("classifier: NBSmoothing is %v, want > 0", r.NBSmoothing)
	}
	return r, nil
}

// defaultNB is the naive-Bayes scaling of the embedded model's heads
// (toxic, hate, spam), chosen on modeval's held-out folds: full scaling
// lifts the toxic head on Davidson (MCC 0.78 to 0.81) and SMS spam, but
// costs the hate head on HateCheck, so the hate head is left unscaled and
// the spam head takes a third (see TRAINING.md).
func defaultNB() [3]float64 { return [3]float64{1, 0, 1.0 / 3} }

// ErrNoExamples is returned by Train when it is given no usable example.
var ErrNoExamples = errors.New("classifier: no training examples")

// Train fits a model to examples: one logistic regression per head over the
// shared hashed features, trained with AdaGrad in a deterministic order
// (the same examples and options always give the same model, byte for
// byte). Weights are then quantised to 16 bits per head, exactly as Save
// stores them.
func Train(examples []Example, opts *TrainOptions) (*Model, error) {
	o, err := opts.withDefaults()
	if err != nil {
		return nil, err
	}
	if len(examples) == 0 {
		return nil, ErrNoExamples
	}
	bits := uint(o.Bits)
	x := newExtractor(bits)

	// Extract the features once.
	offs := make([]int, 0, len(examples)+1)
	var feats []uint32
	labels := make([][numHeads]float64, 0, len(examples))
	skip := make([]Heads, 0, len(examples))
	weights := make([]float64, 0, len(examples))
	offs = append(offs, 0)
	for i, e := range examples {
		wt := e.Weight
		if wt == 0 {
			wt = 1
		}
		if !(wt > 0) || math.IsInf(wt, 0) {
			return nil, fmt.Errorf("classifier: example %d has weight %v, want > 0", i, e.Weight)
		}
		x.extract(e.Text, e.Lang)
		feats = append(feats, x.feats...)
		offs = append(offs, len(feats))
		labels = append(labels, [numHeads]float64{b2f(e.Toxic || e.Hate), b2f(e.Hate), b2f(e.Spam)})
		weights = append(weights, wt)
		skip = append(skip, e.Unlabelled)
	}

	nb := 1 << bits
	sc := nbScales(nb, feats, offs, labels, skip, weights, o.NB, o.NBSmoothing)
	w, bias := fit(o, nb, feats, offs, labels, skip, weights, sc)
	return quantize(bits, w, bias), nil
}

// nbScales returns the feature scale of each bucket and head,
// (1-m) + m·|r| with r the log-ratio of the bucket's smoothed document
// frequencies in the head's positive and negative examples (each
// example counted once per bucket, with its weight).
func nbScales(nb int, feats []uint32, offs []int, labels [][numHeads]float64, skip []Heads, weights []float64, mix *[3]float64, alpha float64) []float64 {
	sc := make([]float64, nb*numHeads)
	if *mix == [3]float64{} {
		for k := range sc {
			sc[k] = 1
		}
		return sc
	}
	pc := make([]float64, nb*numHeads)
	qc := make([]float64, nb*numHeads)
	// seen[k] is the last example that counted bucket and head k.
	seen := make([]int32, nb*numHeads)
	for i := range seen {
		seen[i] = -1
	}
	for i := range labels {
		for _, f := range feats[offs[i]:offs[i+1]] {
			k := int(f&^(spamOnly|docLevel)) * numHeads
			for h := range numHeads {
				if f&spamOnly != 0 && h != headSpam || seen[k+h] == int32(i) {
					continue
				}
				seen[k+h] = int32(i)
				switch {
				case skip[i]&(1<<h) != 0:
				case labels[i][h] > 0.5:
					pc[k+h] += weights[i]
				default:
					qc[k+h] += weights[i]
				}
			}
		}
	}
	var pn, qn [numHeads]float64
	for k := range pc {
		pn[k%numHeads] += pc[k] + alpha
		qn[k%numHeads] += qc[k] + alpha
	}
	for k := range sc {
		h := k % numHeads
		r := math.Log((pc[k] + alpha) / pn[h] / ((qc[k] + alpha) / qn[h]))
		sc[k] = (1 - mix[h]) + mix[h]*math.Abs(r)
	}
	return sc
}

func b2f(b bool) float64 {
	if b {
		return 1
	}
	return 0
}

func logLoss(p, y float64) float64 {
	const tiny = 1e-12
	if y > 0.5 {
		return -math.Log(max(p, tiny))
	}
	return -math.Log(max(1-p, tiny))
}

// quantize maps float weights to int16 with one scale per head.
func quantize(bits uint, w []float64, bias [numHeads]float64) *Model {
	var maxAbs [numHeads]float64
	for i, v := range w {
		h := i % numHeads
		maxAbs[h] = max(maxAbs[h], math.Abs(v))
	}
	var scale, b32 [numHeads]float32
	for h := range numHeads {
		s := maxAbs[h] / math.MaxInt16
		if s == 0 {
			s = 1
		}
		scale[h] = float32(s)
		b32[h] = float32(bias[h])
	}
	q := make([]int16, len(w))
	for i, v := range w {
		s := float64(scale[i%numHeads])
		r := math.Round(v / s)
		q[i] = int16(max(min(r, math.MaxInt16), -math.MaxInt16))
	}
	return newModel(bits, q, scale, b32)
}

// fit runs AdaGrad on the extracted features, each multiplied by its scale
// sc[bucket*numHeads+head], and returns the weights with the scales folded
// in, and the biases.
func fit(o TrainOptions, nb int, feats []uint32, offs []int, labels [][numHeads]float64, skip []Heads, weights []float64, sc []float64) ([]float64, [numHeads]float64) {
	w := make([]float64, nb*numHeads)
	g2 := make([]float64, nb*numHeads)
	var bias, biasG2 [numHeads]float64
	// Start the biases at the log-odds of the base rates.
	for h := range numHeads {
		var pos, tot float64
		for i := range labels {
			if skip[i]&(1<<h) != 0 {
				continue
			}
			pos += labels[i][h] * weights[i]
			tot += weights[i]
		}
		p := (pos + 1) / (tot + 2)
		bias[h] = math.Log(p / (1 - p))
	}

	order := make([]int, len(labels))
	for i := range order {
		order[i] = i
	}
	rng := rand.New(rand.NewPCG(o.Seed, 0x636d6b6974))
	lr, l2 := o.LearningRate, o.L2
	const eps = 1e-8
	for epoch := 1; epoch <= o.Epochs; epoch++ {
		rng.Shuffle(len(order), func(i, j int) { order[i], order[j] = order[j], order[i] })
		var loss [numHeads]float64
		var wsum [numHeads]float64
		for _, i := range order {
			fs := feats[offs[i]:offs[i+1]]
			// The toxic and hate heads read the shared features, the
			// spam head also the spam-only ones (see emitSpam).
			var z [numHeads]float64
			var zdoc float64
			shared, docs := 0, 0
			for _, f := range fs {
				if f&spamOnly != 0 {
					k := int(f&^(spamOnly|docLevel))*numHeads + headSpam
					if f&docLevel != 0 {
						zdoc += w[k] * sc[k]
						docs++
						continue
					}
					z[headSpam] += w[k] * sc[k]
					continue
				}
				shared++
				k := int(f) * numHeads
				z[0] += w[k] * sc[k]
				z[1] += w[k+1] * sc[k+1]
				z[2] += w[k+2] * sc[k+2]
			}
			var inv [numHeads]float64
			inv[headToxic] = 1 / math.Sqrt(float64(max(shared, 1)))
			inv[headHate] = inv[headToxic]
			inv[headSpam] = 1 / math.Sqrt(float64(max(len(fs)-docs, 1)))
			var g [numHeads]float64
			for h := range numHeads {
				if skip[i]&(1<<h) != 0 {
					continue // g[h] stays 0: no update for this head
				}
				zz := bias[h] + z[h]*inv[h]
				if h == headSpam {
					zz += zdoc
				}
				p := sigmoid(zz)
				y := labels[i][h]
				loss[h] += weights[i] * logLoss(p, y)
				wsum[h] += weights[i]
				g[h] = (p - y) * weights[i]
				biasG2[h] += g[h] * g[h]
				bias[h] -= lr * g[h] / math.Sqrt(biasG2[h]+eps)
			}
			for _, f := range fs {
				if f&spamOnly != 0 {
					if g[headSpam] != 0 {
						k := int(f&^(spamOnly|docLevel))*numHeads + headSpam
						in := inv[headSpam]
						if f&docLevel != 0 {
							in = 1
						}
						gh := g[headSpam]*in*sc[k] + l2*w[k]
						g2[k] += gh * gh
						w[k] -= lr * gh / math.Sqrt(g2[k]+eps)
					}
					continue
				}
				k := int(f) * numHeads
				for h := range numHeads {
					if g[h] == 0 {
						continue
					}
					gh := g[h]*inv[h]*sc[k+h] + l2*w[k+h]
					g2[k+h] += gh * gh
					w[k+h] -= lr * gh / math.Sqrt(g2[k+h]+eps)
				}
			}
		}
		if o.Progress != nil {
			for h := range loss {
				loss[h] /= max(wsum[h], 1e-12)
			}
			o.Progress(epoch, loss)
		}
	}
	for k := range w {
		w[k] *= sc[k]
	}
	return w, bias
}
