package moderation

import (
	"bufio"
	"embed"
	"fmt"
	"hash/maphash"
	"strconv"
	"strings"
	"sync"
)

//go:embed lexicon/*.tsv
var lexiconFS embed.FS

// tag says what a vocabulary phrase is.
type tag uint8

const (
	tagLex        tag = iota + 1 // lexicon entry: idx into vocab.entries
	tagIdentity                  // protected group
	tagNeg                       // derogation: hate, disgust, dehumanising, negative attribute
	tagViolence                  // violence verb or phrase
	tagPositive                  // worth, humanity, rights: hateful when negated
	tagNegation                  // not, never, ne, sans
	tagCounter                   // counter-speech and reporting: "saying", "dire que"
	tagComplaint                 // complaint vocabulary
	tagService                   // the brand's service: order, delivery, refund
	tagHomonymCtx                // innocent context of homonyms: dog, garden, cigarette
	tagGroupCue                  // generalisation: "too many", "typical", "bunch of"
	tagThreat                    // a threat phrase on its own: "you're dead"
	tagIntent                    // first-person intent: "i will", "je vais"
	tagLure                      // spam or scam lure: idx into lures
	tagOpinion                   // "scam", "arnaque": an opinion when about the service
	numTags
)

// phrase is one vocabulary entry: words to match in order.
type phrase struct {
	words []pword
	tag   tag
	idx   int32
	lang  string // "" for both
	amb   bool   // only when the text is in lang
	// weight is 1 for a strong lure ("!" in the list), 0.5 otherwise.
	weight float64
}

type pword struct {
	w    string
	stem bool // prefix match
	any  bool // "_": any one word
}

// entry is one lexicon line.
type entry struct {
	term     string
	kind     entryKind
	severity int
	stem     bool
	amb      bool
	homonym  bool
	lang     string
	source   string
}

type entryKind uint8

const (
	kindProfanity entryKind = iota + 1
	kindInsult
	kindSexual
	kindSlur
)

// vocab is every phrase the built-in stages look for, matched in one pass.
type vocab struct {
	exact    map[string][]int32 // first word -> phrases
	stems    map[string][]int32 // first-word prefix -> phrases
	squeezed map[string][]int32 // first word with doubled letters squeezed -> phrases
	filter   [1 << 10]uint64    // bitset over a hash of the first 3 bytes of stems
	stemLens uint64
	seed     maphash.Seed
	phrases  []phrase
	entries  []entry
	allow    map[string]bool
	allowPre []string
	lures    []lure
}

// defaultVocab is built once, on first use, and never modified.
var defaultVocab = sync.OnceValue(func() *vocab {
	v, err := buildVocab()
	if err != nil {
		// The embedded files are part of the source: a test covers them.
		panic("moderation: embedded vocabulary: " + err.Error())
	}
	return v
})

func buildVocab() (*vocab, error) {
	v := &vocab{
		exact: map[string][]int32{}, stems: map[string][]int32{}, squeezed: map[string][]int32{},
		allow: map[string]bool{}, seed: maphash.MakeSeed(),
	}
	for _, lang := range []string{"fr", "en"} {
		if err := v.loadLexicon(lang); err != nil {
			return nil, err
		}
	}
	if err := v.loadAllow(); err != nil {
		return nil, err
	}
	for _, l := range builtinLists {
		for _, p := range l.phrases {
			v.add(p, l.tag, -1, l.lang, false)
		}
	}
	for i, l := range builtinLures {
		v.lures = append(v.lures, l)
		for _, p := range l.phrases {
			v.add(p, tagLure, int32(i), l.lang, false)
		}
	}
	return v, nil
}

func (v *vocab) loadLexicon(lang string) error {
	name := "lexicon/" + lang + ".tsv"
	f, err := lexiconFS.Open(name)
	if err != nil {
		return err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || text[0] == '#' {
			continue
		}
		cols := strings.Split(text, "\t")
		if len(cols) < 3 {
			return fmt.Errorf("%s:%d: want term, kind, severity", name, line)
		}
		e := entry{term: cols[0], lang: lang}
		switch cols[1] {
		case "profanity":
			e.kind = kindProfanity
		case "insult":
			e.kind = kindInsult
		case "sexual":
			e.kind = kindSexual
		case "slur":
			e.kind = kindSlur
		default:
			return fmt.Errorf("%s:%d: unknown kind %q", name, line, cols[1])
		}
		if e.severity, err = strconv.Atoi(cols[2]); err != nil || e.severity < 1 || e.severity > 4 {
			return fmt.Errorf("%s:%d: severity must be 1 to 4", name, line)
		}
		if len(cols) > 3 {
			for _, fl := range strings.Split(cols[3], ",") {
				switch {
				case fl == "stem":
					e.stem = true
				case fl == "amb":
					e.amb = true
				case fl == "homonym":
					e.homonym = true
				case strings.HasPrefix(fl, "src:"):
					e.source = fl[4:]
				case fl == "":
				default:
					return fmt.Errorf("%s:%d: unknown flag %q", name, line, fl)
				}
			}
		}
		p := e.term
		if e.stem {
			p += "*"
		}
		v.entries = append(v.entries, e)
		v.add(p, tagLex, int32(len(v.entries)-1), lang, e.amb)
	}
	return sc.Err()
}

func (v *vocab) loadAllow() error {
	b, err := lexiconFS.ReadFile("lexicon/allow.tsv")
	if err != nil {
		return err
	}
	for _, l := range strings.Split(string(b), "\n") {
		l = strings.TrimSpace(l)
		if l == "" || l[0] == '#' {
			continue
		}
		if strings.HasSuffix(l, "*") {
			v.allowPre = append(v.allowPre, Normalize(strings.TrimSuffix(l, "*")))
		} else {
			v.allow[Normalize(l)] = true
		}
	}
	return nil
}

// parsePhrase folds a phrase written in plain words; "*" ends a prefix and
// "_" stands for any one word.
func parsePhrase(p string) []pword {
	var out []pword
	for _, f := range strings.Fields(strings.ReplaceAll(p, "-", " ")) {
		switch {
		case f == "_":
			out = append(out, pword{any: true})
			continue
		case strings.HasSuffix(f, "*"):
			w := Normalize(strings.TrimSuffix(f, "*"))
			if w != "" && !strings.Contains(w, " ") {
				out = append(out, pword{w: w, stem: true})
				continue
			}
			f = strings.TrimSuffix(f, "*")
		}
		for _, w := range strings.Fields(Normalize(f)) {
			out = append(out, pword{w: w})
		}
	}
	return out
}

func (v *vocab) add(p string, t tag, idx int32, lang string, amb bool) {
	weight := 0.5
	if strings.HasPrefix(p, "!") {
		p, weight = p[1:], 1
	}
	words := parsePhrase(p)
	if len(words) == 0 || words[0].any {
		return
	}
	id := int32(len(v.phrases))
	v.phrases = append(v.phrases, phrase{words: words, tag: t, idx: idx, lang: lang, amb: amb, weight: weight})
	w := words[0]
	if w.stem {
		v.stems[w.w] = append(v.stems[w.w], id)
		if len(w.w) < 64 {
			v.stemLens |= 1 << len(w.w)
		}
		h := v.hash3(w.w)
		v.filter[h>>6] |= 1 << (h & 63)
		return
	}
	v.exact[w.w] = append(v.exact[w.w], id)
	if len(words) == 1 {
		if sq := squeeze(w.w); sq != w.w {
			v.squeezed[sq] = append(v.squeezed[sq], id)
		}
	}
}

func (v *vocab) hash3(w string) uint32 {
	if len(w) > 3 {
		w = w[:3]
	}
	return uint32(maphash.String(v.seed, w)) & (1<<16 - 1)
}

func (v *vocab) hash3b(w []byte) uint32 {
	if len(w) > 3 {
		w = w[:3]
	}
	return uint32(maphash.Bytes(v.seed, w)) & (1<<16 - 1)
}

// squeeze collapses doubled letters: "fuuck" -> "fuck".
func squeeze(w string) string {
	b := []byte(w)
	n := 0
	for i := range b {
		if n > 0 && b[n-1] == b[i] {
			continue
		}
		b[n] = b[i]
		n++
	}
	return string(b[:n])
}

func (v *vocab) allowed(w []byte) bool {
	if v.allow[string(w)] {
		return true
	}
	for _, p := range v.allowPre {
		if len(w) >= len(p) && string(w[:len(p)]) == p {
			return true
		}
	}
	return false
}

// hit is one vocabulary phrase found in the text, over tokens [i, j).
type hit struct {
	phrase int32
	i, j   int32
}

// match finds every phrase in the tokens. lang filters ambiguous entries.
func (v *vocab) match(t *tokenizer, lang string, out []hit) []hit {
	var sq [64]byte
	for i := range t.toks {
		k := &t.toks[i]
		if k.kind != Word && k.kind != Hashtag {
			continue
		}
		w := t.buf[k.ns:k.ne]
		if k.kind == Hashtag {
			w = w[1:]
		}
		out = v.matchWord(t, i, w, lang, out)
		if k.flags&flagApos != 0 {
			for p := len(w) - 1; p > 0; p-- {
				if w[p] == '\'' {
					if p+1 < len(w) {
						out = v.matchWord(t, i, w[p+1:], lang, out)
					}
					break
				}
			}
		}
		if k.flags&flagStretched != 0 && len(w) <= len(sq) {
			n := 0
			for _, c := range w {
				if n > 0 && sq[n-1] == c {
					continue
				}
				sq[n] = c
				n++
			}
			for _, id := range v.squeezed[string(sq[:n])] {
				out = v.tryPhrase(t, id, i, lang, out)
			}
			out = v.matchWord(t, i, sq[:n], lang, out)
		}
	}
	return out
}

func (v *vocab) matchWord(t *tokenizer, i int, w []byte, lang string, out []hit) []hit {
	for _, id := range v.exact[string(w)] {
		out = v.tryPhrase(t, id, i, lang, out)
	}
	if len(w) < 3 {
		return out
	}
	h := v.hash3b(w)
	if v.filter[h>>6]&(1<<(h&63)) == 0 {
		return out
	}
	checked := false
	for n := 3; n <= len(w) && n < 64; n++ {
		if v.stemLens&(1<<n) == 0 {
			continue
		}
		ids, ok := v.stems[string(w[:n])]
		if !ok {
			continue
		}
		if n < len(w) && !checked {
			if v.allowed(w) {
				return out
			}
			checked = true
		}
		for _, id := range ids {
			out = v.tryPhrase(t, id, i, lang, out)
		}
	}
	return out
}

// tryPhrase checks phrase id against the tokens from i and records a hit.
func (v *vocab) tryPhrase(t *tokenizer, id int32, i int, lang string, out []hit) []hit {
	p := &v.phrases[id]
	if p.amb && p.lang != lang {
		return out
	}
	j := i + 1
	sent := t.toks[i].sent
	for _, pw := range p.words[1:] {
		if j >= len(t.toks) || t.toks[j].sent != sent {
			return out
		}
		k := t.toks[j]
		if !pw.any {
			w := t.buf[k.ns:k.ne]
			if pw.stem {
				if len(w) < len(pw.w) || string(w[:len(pw.w)]) != pw.w {
					return out
				}
			} else if string(w) != pw.w {
				return out
			}
		}
		j++
	}
	// One hit per phrase and start token.
	for _, h := range out {
		if h.phrase == id && h.i == int32(i) {
			return out
		}
	}
	return append(out, hit{phrase: id, i: int32(i), j: int32(j)})
}
