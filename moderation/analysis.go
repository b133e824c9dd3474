package moderation

import (
	"context"
	"sync"
	"unicode/utf8"
)

// analysis is the normalised view of an item shared by the built-in
// stages of one Moderate call: tokens, vocabulary hits, language, counts.
type analysis struct {
	text     string
	tk       tokenizer
	hits     []hit
	tags     []uint32 // per token: tags of the hits covering it
	lang     string
	langConf float64
	v        *vocab
	// Per sentence: who is spoken about.
	second, first, third []bool
}

type analysisKey struct{}

// builtin is implemented by the package's stages: they read the analysis
// the pipeline computed once and append their labels to out, so that the
// pipeline runs them without a context value or a Verdict per stage.
type builtin interface {
	evaluate(a *analysis, it *Item, out []Label) []Label
}

// builtinFunc adapts a function to Stage and builtin.
type builtinFunc func(a *analysis, it *Item, out []Label) []Label

// Evaluate implements Stage for a built-in stage used on its own.
func (f builtinFunc) Evaluate(ctx context.Context, it *Item) (Verdict, error) {
	return Verdict{Labels: f(analyze(ctx, it), it, nil)}, nil
}

func (f builtinFunc) evaluate(a *analysis, it *Item, out []Label) []Label { return f(a, it, out) }

var analysisPool = sync.Pool{New: func() any { return new(analysis) }}

// analyze returns the analysis of it: the one the pipeline stored in ctx,
// or a fresh one for a stage used on its own.
func analyze(ctx context.Context, it *Item) *analysis {
	if a, ok := ctx.Value(analysisKey{}).(*analysis); ok && a.text == it.Text {
		return a
	}
	a := new(analysis)
	a.run(it)
	return a
}

func (a *analysis) run(it *Item) {
	a.v = defaultVocab()
	a.text = it.Text
	a.tk.run(it.Text)
	switch it.Language {
	case "fr", "en":
		a.lang, a.langConf = it.Language, 1
	default:
		a.lang, a.langConf = a.tk.detectLanguage()
	}
	a.hits = a.v.match(&a.tk, a.lang, a.hits[:0])
	n := len(a.tk.toks)
	if cap(a.tags) < n {
		a.tags = make([]uint32, n)
	}
	a.tags = a.tags[:n]
	clear(a.tags)
	for _, h := range a.hits {
		bit := uint32(1) << a.v.phrases[h.phrase].tag
		for k := h.i; k < h.j; k++ {
			a.tags[k] |= bit
		}
	}
	ns := 0
	if n > 0 {
		ns = int(a.tk.toks[n-1].sent) + 1
	}
	a.second = resetBools(a.second, ns)
	a.first = resetBools(a.first, ns)
	a.third = resetBools(a.third, ns)
	for _, k := range a.tk.toks {
		switch k.kind {
		case Mention:
			a.second[k.sent] = true
			continue
		case Word:
		default:
			continue
		}
		switch person(a.tk.buf[k.ns:k.ne]) {
		case 1:
			a.first[k.sent] = true
		case 2:
			a.second[k.sent] = true
		case 3:
			a.third[k.sent] = true
		}
	}
}

func resetBools(b []bool, n int) []bool {
	if cap(b) < n {
		return make([]bool, n)
	}
	b = b[:n]
	clear(b)
	return b
}

// person classifies a pronoun: 1, 2 or 3, or 0.
func person(w []byte) int {
	for k := len(w) - 2; k > 1; k-- {
		if w[k] == '\'' {
			if p := person(w[k+1:]); p != 0 {
				return p
			}
			break
		}
	}
	if len(w) > 2 && w[1] == '\'' {
		switch w[0] {
		case 't':
			return 2
		case 'j', 'm':
			return 1
		}
	}
	switch string(w) {
	case "tu", "te", "toi", "ta", "ton", "tes", "vous", "you", "u", "ya", "your", "ur", "you're", "youre", "yourself",
		"yourselves", "y'all", "ye", "toi-meme", "yours":
		return 2
	case "je", "me", "moi", "mon", "ma", "mes", "i", "i'm", "im", "i've", "i'd", "i'll", "my", "myself", "we", "us", "our", "nous":
		return 1
	case "il", "elle", "ils", "elles", "lui", "he", "she", "him", "her", "they", "them", "his", "their", "he's", "she's", "eux", "leur", "leurs":
		return 3
	}
	return 0
}

// word returns the normalised text of token k.
func (a *analysis) word(k int) []byte {
	t := a.tk.toks[k]
	return a.tk.buf[t.ns:t.ne]
}

// raw returns the text of tokens [i, j) as written.
func (a *analysis) raw(i, j int32) string {
	return a.tk.raw[a.tk.toks[i].start:a.tk.toks[j-1].end]
}

func (a *analysis) has(k int32, t tag) bool { return a.tags[k]&(1<<t) != 0 }

// sentenceHas reports a hit of tag t in sentence s.
func (a *analysis) sentenceHas(s int32, t tag) bool {
	for _, h := range a.hits {
		if a.v.phrases[h.phrase].tag == t && a.tk.toks[h.i].sent == s {
			return true
		}
	}
	return false
}

// negated reports a negation before token i in its clause, outside the
// span [i, j) itself.
func (a *analysis) negated(i, j int32) bool {
	// A cue that contains its own negation ("can't stand", "sans valeur")
	// is not negated again.
	for k := i; k < j; k++ {
		if a.has(k, tagNegation) || isNegWord(a.word(int(k))) {
			return false
		}
	}
	cl := a.tk.toks[i].clause
	sent := a.tk.toks[i].sent
	for k := i - 1; k >= 0; k-- {
		t := a.tk.toks[k]
		if t.sent != sent || t.clause != cl {
			break
		}
		w := a.word(int(k))
		if string(w) == "but" || string(w) == "mais" || string(w) == "yet" || string(w) == "pourtant" {
			break
		}
		if (a.has(k, tagNegation) || isNegWord(w)) && !rhetorical(a, k) {
			return true
		}
	}
	return false
}

// rhetorical reports a negation that asks for agreement rather than
// denies: "is it not obvious that", "n'est-il pas évident que".
func rhetorical(a *analysis, k int32) bool {
	for n := k + 1; n < k+3 && int(n) < len(a.tk.toks); n++ {
		switch string(a.word(int(n))) {
		case "obvious", "clear", "apparent", "evident", "realise", "realize", "agree", "clair", "clairement",
			"logique", "normal", "vrai":
			return true
		}
	}
	return false
}

// isNegWord catches contractions: "don't", "n'ai", "can't".
func isNegWord(w []byte) bool {
	n := len(w)
	if n > 3 && string(w[n-3:]) == "n't" {
		return true
	}
	return n > 2 && w[0] == 'n' && w[1] == '\''
}

// quotedOrReported reports whether the span [i, j) is quoted, or its
// sentence reports or condemns what others say (counter-speech).
func (a *analysis) quotedOrReported(i, j int32) bool {
	if a.tk.toks[i].flags&flagQuoted != 0 {
		return true
	}
	return a.sentenceHas(a.tk.toks[i].sent, tagCounter)
}

// counts of things rules and heuristics look at.
type counts struct {
	links, mentions, hashtags, emojis, words, letters, uppers int
}

func (a *analysis) counts() counts {
	var c counts
	for _, k := range a.tk.toks {
		switch k.kind {
		case URL:
			c.links++
		case Mention:
			c.mentions++
		case Hashtag:
			c.hashtags++
		case Emoji:
			c.emojis++
		case Word:
			c.words++
		}
	}
	c.letters, c.uppers = a.tk.letters, a.tk.uppers
	return c
}

// capsRatio is the share of upper-case letters, 0 under 10 letters.
func (c counts) capsRatio() float64 {
	if c.letters < 10 {
		return 0
	}
	return float64(c.uppers) / float64(c.letters)
}

// truncate shortens a match for an explanation.
func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n] + "…"
}
