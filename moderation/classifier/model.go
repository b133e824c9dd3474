package classifier

import (
	"bufio"
	"bytes"
	"compress/gzip"
	_ "embed"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"math"
	"sync"
)

// Heads, in the order their weights are interleaved in a model.
const (
	headToxic = iota
	headHate
	headSpam
	numHeads
)

// Bounds on the number of hash buckets (as a power of two).
const (
	minBits = 16
	maxBits = 22
)

var magic = [8]byte{'C', 'M', 'K', 'T', 'C', 'L', 'F', 0}

const formatVersion = 1

// ErrInvalidModel is returned (wrapped) by Load when the data is not a model
// file written by Save, or was written by an incompatible version.
var ErrInvalidModel = errors.New("classifier: invalid model file")

// Scores are the probabilities, between 0 and 1, that a text belongs to each
// category.
type Scores struct {
	// Toxic is the probability that the text is offensive or abusive,
	// hate included.
	Toxic float64
	// Hate is the probability that the text attacks people for a protected
	// characteristic (origin, religion, gender, sexuality, disability...).
	Hate float64
	// Spam is the probability that the text is spam: advertising, scams,
	// link and follower lures.
	Spam float64
}

// Model is a trained linear classifier over hashed features. A Model is
// immutable and safe for concurrent use; the zero value is not usable, get
// one from Default, Load or Train.
type Model struct {
	bits  uint
	scale [numHeads]float32 // weight = scale * int16
	bias  [numHeads]float32
	w     []int16 // bucket*numHeads + head
	pool  sync.Pool
}

//go:embed weights/model.bin.gz
var embedded []byte

var defaultModel = sync.OnceValue(func() *Model {
	m, err := Load(bytes.NewReader(embedded))
	if err != nil {
		// The embedded file is produced by modtrain and checked by the
		// tests; a corrupt build is a programming error.
		panic("classifier: embedded model: " + err.Error())
	}
	return m
})

// Default returns the model embedded in the package, trained by
// cmd/modtrain on the data listed in TRAINING.md. It is decoded on first use
// (about 10 ms) and shared afterwards.
func Default() *Model { return defaultModel() }

func newModel(bits uint, w []int16, scale, bias [numHeads]float32) *Model {
	m := &Model{bits: bits, w: w, scale: scale, bias: bias}
	m.pool.New = func() any { return newExtractor(bits) }
	return m
}

// Predict scores text written in lang ("fr", "en", or "" to let the model
// guess from function words). It allocates nothing in the steady state and
// is safe for concurrent use.
func (m *Model) Predict(text, lang string) Scores {
	if m == nil || len(m.w) == 0 {
		return Scores{}
	}
	x := m.pool.Get().(*extractor)
	x.extract(text, lang)
	acc, n, ns, doc := x.sum(m.w)
	m.pool.Put(x)
	inv := 1 / math.Sqrt(float64(max(n, 1)))
	var p [numHeads]float64
	for h := range p {
		z := float64(m.bias[h]) + float64(m.scale[h])*float64(acc[h])*inv
		if h == headSpam {
			// The spam head also reads the spam-only features, and its
			// document-level indicators count undivided.
			z = float64(m.bias[h]) + float64(m.scale[h])*(float64(acc[h])/math.Sqrt(float64(max(n+ns, 1)))+float64(doc))
		}
		p[h] = sigmoid(z)
	}
	return Scores{Toxic: p[headToxic], Hate: p[headHate], Spam: p[headSpam]}
}

func sigmoid(z float64) float64 {
	switch {
	case z > 40:
		return 1
	case z < -40:
		return 0
	}
	return 1 / (1 + math.Exp(-z))
}

// Buckets returns the number of hash buckets of the model.
func (m *Model) Buckets() int { return 1 << m.bits }

// Save writes the model in its gzip-compressed binary format. The output is
// deterministic: the same model always gives the same bytes.
func (m *Model) Save(w io.Writer) error {
	zw, err := gzip.NewWriterLevel(w, gzip.DefaultCompression)
	if err != nil {
		return err
	}
	bw := bufio.NewWriter(zw)
	var hdr [4]uint32
	hdr[0], hdr[1], hdr[2], hdr[3] = formatVersion, featureVersion, uint32(m.bits), numHeads
	if _, err := bw.Write(magic[:]); err != nil {
		return err
	}
	for _, v := range []any{hdr, m.scale, m.bias} {
		if err := binary.Write(bw, binary.LittleEndian, v); err != nil {
			return err
		}
	}
	raw := make([]byte, 2*len(m.w))
	for i, v := range m.w {
		binary.LittleEndian.PutUint16(raw[2*i:], uint16(v))
	}
	if _, err := bw.Write(raw); err != nil {
		return err
	}
	if err := bw.Flush(); err != nil {
		return err
	}
	return zw.Close()
}

// Load reads a model written by Save. Errors wrap ErrInvalidModel when the
// data is not a compatible model file.
func Load(r io.Reader) (*Model, error) {
	zr, err := gzip.NewReader(r)
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalidModel, err)
	}
	defer zr.Close()
	br := bufio.NewReader(zr)
	var mg [8]byte
	var hdr [4]uint32
	var scale, bias [numHeads]float32
	if _, err := io.ReadFull(br, mg[:]); err != nil || mg != magic {
		return nil, fmt.Errorf("%w: bad magic", ErrInvalidModel)
	}
	if err := binary.Read(br, binary.LittleEndian, &hdr); err != nil {
		return nil, fmt.Errorf("%w: header: %v", ErrInvalidModel, err)
	}
	switch {
	case hdr[0] != formatVersion:
		return nil, fmt.Errorf("%w: format version %d, want %d", ErrInvalidModel, hdr[0], formatVersion)
	case hdr[1] != featureVersion:
		return nil, fmt.Errorf("%w: feature version %d, want %d (retrain with modtrain)", ErrInvalidModel, hdr[1], featureVersion)
	case hdr[2] < minBits || hdr[2] > maxBits:
		return nil, fmt.Errorf("%w: %d bucket bits out of range", ErrInvalidModel, hdr[2])
	case hdr[3] != numHeads:
		return nil, fmt.Errorf("%w: %d heads, want %d", ErrInvalidModel, hdr[3], numHeads)
	}
	if err := binary.Read(br, binary.LittleEndian, &scale); err != nil {
		return nil, fmt.Errorf("%w: scales: %v", ErrInvalidModel, err)
	}
	if err := binary.Read(br, binary.LittleEndian, &bias); err != nil {
		return nil, fmt.Errorf("%w: biases: %v", ErrInvalidModel, err)
	}
	for h := range numHeads {
		if !finite(float64(scale[h])) || !finite(float64(bias[h])) {
			return nil, fmt.Errorf("%w: non-finite scale or bias", ErrInvalidModel)
		}
	}
	bits := uint(hdr[2])
	w := make([]int16, (1<<bits)*numHeads)
	raw := make([]byte, 64<<10)
	for i := 0; i < len(w); {
		n := min(len(raw), 2*(len(w)-i))
		if _, err := io.ReadFull(br, raw[:n]); err != nil {
			return nil, fmt.Errorf("%w: weights: %v", ErrInvalidModel, err)
		}
		for k := 0; k < n; k += 2 {
			w[i] = int16(binary.LittleEndian.Uint16(raw[k:]))
			i++
		}
	}
	if _, err := br.ReadByte(); err != io.EOF {
		return nil, fmt.Errorf("%w: trailing data", ErrInvalidModel)
	}
	return newModel(bits, w, scale, bias), nil
}

func finite(f float64) bool { return !math.IsNaN(f) && !math.IsInf(f, 0) }
