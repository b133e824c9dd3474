package sentiment

import (
	_ "embed"
	"math"
	"strconv"
	"strings"
	"sync"
	"unicode"
	"unicode/utf8"
)

// Result is the sentiment of a text.
type Result struct {
	// Compound is the overall valence, from -1 (most negative) to +1 (most
	// positive): the sum of the word valences, adjusted by the rules and
	// normalised by x/sqrt(x²+15).
	Compound float64
	// Positive, Negative and Neutral are the shares of the text's
	// sentiment-bearing weight that are positive, negative and neutral;
	// they sum to 1 (or are all 0 for an empty text).
	Positive, Negative, Neutral float64
	// Label is "positive" (Compound >= 0.05), "negative" (Compound <= -0.05)
	// or "neutral".
	Label string
}

// Labels of Result.Label.
const (
	LabelPositive = "positive"
	LabelNegative = "negative"
	LabelNeutral  = "neutral"
)

// Constants of the VADER rules (Hutto & Gilbert 2014), empirically derived
// by its authors.
const (
	boostIncr   = 0.293 // booster word ("very", "très")
	capsIncr    = 0.733 // word in capitals among lower-case words
	negScalar   = -0.74 // negated valence
	bangIncr    = 0.292 // per '!', up to 4
	alpha       = 15.0  // compound normalisation
	butBefore   = 0.5
	butAfter    = 1.5
	maxInputLen = 16 << 10 // longer texts are truncated
)

//go:embed lexicon/vader_en.tsv
var vaderEN string

//go:embed lexicon/fr.tsv
var lexFR string

type lexicons struct {
	en, fr map[string]float64
}

var lex = sync.OnceValue(func() *lexicons {
	return &lexicons{en: parseLexicon(vaderEN, false), fr: parseLexicon(lexFR, true)}
})

// parseLexicon reads word<TAB>valence lines; with fold, keys lose their
// diacritics. The files are embedded and checked by the tests.
func parseLexicon(s string, fold bool) map[string]float64 {
	m := make(map[string]float64, 8000)
	for _, line := range strings.Split(s, "\n") {
		if line == "" || line[0] == '#' {
			continue
		}
		w, v, ok := strings.Cut(line, "\t")
		if !ok {
			continue
		}
		if i := strings.IndexByte(v, '\t'); i >= 0 {
			v = v[:i]
		}
		f, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
		if err != nil {
			continue
		}
		if fold {
			w = foldWord(w)
		}
		m[w] = f
	}
	return m
}

var boostersEN = map[string]float64{
	"absolutely": boostIncr, "amazingly": boostIncr, "awfully": boostIncr, "completely": boostIncr,
	"considerably": boostIncr, "decidedly": boostIncr, "deeply": boostIncr, "enormously": boostIncr,
	"entirely": boostIncr, "especially": boostIncr, "exceptionally": boostIncr, "extremely": boostIncr,
	"fabulously": boostIncr, "freaking": boostIncr, "fucking": boostIncr, "fuckin": boostIncr,
	"fully": boostIncr, "greatly": boostIncr, "hella": boostIncr, "highly": boostIncr, "hugely": boostIncr,
	"incredibly": boostIncr, "intensely": boostIncr, "majorly": boostIncr, "more": boostIncr,
	"most": boostIncr, "particularly": boostIncr, "purely": boostIncr, "quite": boostIncr,
	"really": boostIncr, "remarkably": boostIncr, "so": boostIncr, "substantially": boostIncr,
	"thoroughly": boostIncr, "totally": boostIncr, "tremendously": boostIncr, "uber": boostIncr,
	"unbelievably": boostIncr, "unusually": boostIncr, "utterly": boostIncr, "very": boostIncr,
	"super": boostIncr, "too": boostIncr,
	"almost": -boostIncr, "barely": -boostIncr, "hardly": -boostIncr, "kinda": -boostIncr,
	"less": -boostIncr, "little": -boostIncr, "marginally": -boostIncr, "occasionally": -boostIncr,
	"partly": -boostIncr, "scarcely": -boostIncr, "slightly": -boostIncr, "somewhat": -boostIncr,
	"sorta": -boostIncr,
}

var boostersFR = map[string]float64{
	"tres": boostIncr, "vraiment": boostIncr, "trop": boostIncr, "tellement": boostIncr,
	"super": boostIncr, "hyper": boostIncr, "ultra": boostIncr, "extremement": boostIncr,
	"totalement": boostIncr, "completement": boostIncr, "absolument": boostIncr,
	"particulierement": boostIncr, "profondement": boostIncr, "terriblement": boostIncr,
	"incroyablement": boostIncr, "si": boostIncr, "grave": boostIncr, "carrement": boostIncr,
	"vachement": boostIncr, "franchement": boostIncr, "tout": boostIncr, "plus": boostIncr,
	"assez": -boostIncr, "plutot": -boostIncr, "peu": -boostIncr, "legerement": -boostIncr,
	"presque": -boostIncr, "moyennement": -boostIncr, "relativement": -boostIncr,
}

var negatorsEN = map[string]bool{
	"aint": true, "arent": true, "cannot": true, "cant": true, "couldnt": true, "didnt": true,
	"doesnt": true, "dont": true, "hadnt": true, "hasnt": true, "havent": true, "isnt": true,
	"mightnt": true, "mustnt": true, "neither": true, "neednt": true, "never": true, "none": true,
	"nope": true, "nor": true, "not": true, "nothing": true, "nowhere": true, "shouldnt": true,
	"wasnt": true, "werent": true, "without": true, "wont": true, "wouldnt": true, "rarely": true,
	"seldom": true, "despite": true, "uh-uh": true, "uhuh": true,
}

var negatorsFR = map[string]bool{
	"ne": true, "n": true, "pas": true, "jamais": true, "rien": true, "aucun": true,
	"aucune": true, "ni": true, "sans": true, "guere": true, "nullement": true,
}

// butWords shift weight to the clause that follows them.
var butWords = map[string]bool{"but": true, "mais": true, "pourtant": true, "cependant": true, "however": true}

// emoji valences (VADER scale), for both languages.
var emoji = map[rune]float64{
	'😀': 2.2, '😃': 2.3, '😄': 2.4, '😁': 2.2, '😆': 2.2, '😅': 1.2, '🤣': 2.4, '😂': 1.8,
	'🙂': 1.5, '😉': 1.5, '😊': 2.5, '😇': 2.2, '🥰': 3.0, '😍': 3.0, '🤩': 3.0, '😘': 2.5,
	'😋': 2.0, '😎': 1.9, '🤗': 2.2, '👍': 2.0, '👏': 2.2, '🙌': 2.3, '💪': 1.8, '🎉': 2.6,
	'🥳': 2.8, '❤': 3.0, '💕': 2.9, '💖': 3.0, '💯': 2.2, '✨': 1.4, '🔥': 1.5, '⭐': 1.8,
	'🌟': 2.0, '😌': 1.4, '🙏': 1.5, '💙': 2.6, '💚': 2.6, '💜': 2.6, '🧡': 2.6, '💛': 2.6,
	'😐': -0.3, '😑': -0.6, '🙄': -1.5, '😒': -1.8, '😞': -2.0, '😔': -1.8, '😟': -1.8,
	'😕': -1.3, '🙁': -1.6, '☹': -1.8, '😣': -1.9, '😖': -2.1, '😫': -2.1, '😩': -2.0,
	'😢': -2.2, '😭': -2.4, '😤': -2.0, '😠': -2.6, '😡': -2.9, '🤬': -3.2, '🤮': -2.8,
	'🤢': -2.4, '💩': -2.2, '👎': -2.0, '💔': -2.9, '😱': -2.0, '😨': -2.0, '😰': -1.9,
	'😓': -1.5, '😬': -1.2, '🤡': -1.8, '🖕': -3.0,
}

// minEmoji is the smallest key of emoji: lower runes need no lookup.
const minEmoji = '☹'

// Score rates the sentiment of text written in lang: "fr", "en", or "" to
// guess between the two from function words. It never fails; text with no
// sentiment-bearing word is neutral with all shares 0.
//
// Scoring follows VADER (Hutto & Gilbert 2014): lexicon valences, boosted
// or damped by degree words ("very", "très", "un peu"), flipped by a
// negation among the three preceding words ("not", "never", "ne ... pas",
// "jamais"), raised by capitals among lower-case text and by exclamation
// marks, and weighted towards the clause after "but"/"mais".
func Score(text, lang string) Result {
	if len(text) > maxInputLen {
		cut := maxInputLen
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	fr := isFrench(lang, text)
	sc := scratchPool.Get().(*scratch)
	defer scratchPool.Put(sc)
	toks := tokenize(sc.toks[:0], text, fr)
	sc.toks = toks
	if len(toks) == 0 {
		return Result{Label: LabelNeutral}
	}
	l := lex()
	words, boosters, negators := l.en, boostersEN, negatorsEN
	if fr {
		words, boosters, negators = l.fr, boostersFR, negatorsFR
	}
	capDiff := capsDifferential(toks)
	if cap(sc.vals) < len(toks) {
		sc.vals = make([]float64, len(toks))
	}
	vals := sc.vals[:len(toks)]
	clear(vals)
	for i, t := range toks {
		if t.emoji != 0 {
			vals[i] = t.emoji
			continue
		}
		if _, ok := boosters[t.lower]; ok {
			continue
		}
		v, ok := lookup(words, t.lower, fr)
		if !ok {
			// Emoticons (":)", "<3") come from the English lexicon in
			// both languages.
			if !t.word {
				v, ok = l.en[t.lower]
			}
			if !ok {
				continue
			}
		}
		if !fr && t.lower == "no" && i+1 < len(toks) {
			if _, next := words[toks[i+1].lower]; next {
				continue // "no" negates the next word instead
			}
		}
		if capDiff && t.upper {
			if v > 0 {
				v += capsIncr
			} else {
				v -= capsIncr
			}
		}
		negated := false
		for k := 1; k <= 3 && i-k >= 0; k++ {
			p := toks[i-k]
			if p.stop {
				break
			}
			if _, isWord := words[p.lower]; isWord && !negators[p.lower] {
				continue
			}
			if s, ok := boosters[p.lower]; ok {
				if v < 0 {
					s = -s
				}
				if capDiff && p.upper {
					if v > 0 {
						s += capsIncr
					} else {
						s -= capsIncr
					}
				}
				s *= [...]float64{1, 0.95, 0.9}[k-1]
				v += s
			}
			if negators[p.lower] || (!fr && (strings.HasSuffix(p.lower, "n't") || p.lower == "no")) {
				if !negated && !neverSo(toks, i, k) {
					v *= negScalar
					negated = true // "ne ... pas" negates once
				}
			}
		}
		v = idioms(toks, i, v, fr)
		vals[i] = v
	}
	// "but"/"mais": the first occurrence splits the weight.
	for i, t := range toks {
		if butWords[t.lower] {
			for j := range vals {
				switch {
				case j < i:
					vals[j] *= butBefore
				case j > i:
					vals[j] *= butAfter
				}
			}
			break
		}
	}
	return combine(vals, text)
}

// neverSo reports "never so good" / "never this good", intensifying rather
// than negating (VADER's rule), when the negator sits k words before i.
func neverSo(toks []token, i, k int) bool {
	if k < 2 || toks[i-k].lower != "never" {
		return false
	}
	n := toks[i-k+1].lower
	return n == "so" || n == "this"
}

// idioms overrides the valence of a few fixed phrases.
func idioms(toks []token, i int, v float64, fr bool) float64 {
	prev := func(k int) string {
		if i-k < 0 {
			return ""
		}
		return toks[i-k].lower
	}
	cur := toks[i].lower
	if fr {
		switch {
		case cur == "mal" && prev(1) == "pas":
			return 1.5 // "pas mal": rather good
		case cur == "terrible" && prev(1) == "pas":
			return -1.5 // "pas terrible": mediocre
		case cur == "probleme" || cur == "souci" || cur == "soucis":
			if prev(1) == "sans" || (prev(1) == "de" && prev(2) == "pas") {
				return 0.8 // "pas de souci", "sans problème"
			}
		}
		return v
	}
	switch prev(1) + " " + cur {
	case "the shit", "the bomb":
		return 3
	case "bad ass":
		return 1.5
	case "yeah right":
		return -2
	case "broken heart":
		return -2.9
	}
	return v
}

// combine turns word valences into a Result, with VADER's punctuation
// emphasis and normalisation.
func combine(vals []float64, text string) Result {
	var sum float64
	for _, v := range vals {
		sum += v
	}
	bangs := min(strings.Count(text, "!"), 4)
	emph := float64(bangs) * bangIncr
	if q := strings.Count(text, "?"); q > 1 {
		if q <= 3 {
			emph += float64(q) * 0.18
		} else {
			emph += 0.96
		}
	}
	switch {
	case sum > 0:
		sum += emph
	case sum < 0:
		sum -= emph
	}
	compound := sum / math.Sqrt(sum*sum+alpha)
	compound = max(-1, min(1, compound))

	var pos, neg, neu float64
	for _, v := range vals {
		switch {
		case v > 0:
			pos += v + 1
		case v < 0:
			neg += v - 1
		default:
			neu++
		}
	}
	if pos > -neg {
		pos += emph
	} else if pos < -neg {
		neg -= emph
	}
	r := Result{Compound: compound, Label: LabelNeutral}
	if total := pos - neg + neu; total > 0 {
		r.Positive, r.Negative, r.Neutral = pos/total, -neg/total, neu/total
	}
	if pos == 0 && neg == 0 {
		r.Positive, r.Negative, r.Neutral = 0, 0, 0
		if len(vals) > 0 {
			r.Neutral = 1
		}
	}
	switch {
	case compound >= 0.05:
		r.Label = LabelPositive
	case compound <= -0.05:
		r.Label = LabelNegative
	}
	return r
}

// lookup finds a word, trying French plural and feminine endings.
func lookup(m map[string]float64, w string, fr bool) (float64, bool) {
	if v, ok := m[w]; ok {
		return v, true
	}
	if !fr || len(w) < 4 {
		return 0, false
	}
	for _, suf := range [...]string{"s", "x", "e", "es"} {
		if base, ok := strings.CutSuffix(w, suf); ok {
			if v, ok := m[base]; ok {
				return v, true
			}
		}
	}
	return 0, false
}

// token is one word, emoticon or emoji of the text.
type token struct {
	lower string  // lower-cased (and, in French, diacritics-folded) form
	upper bool    // written in capitals (at least two letters)
	word  bool    // contains a letter
	emoji float64 // valence when the token is an emoji
	stop  bool    // ends a clause (followed by , ; : . ! ?): modifiers do not cross it
}

// scratch holds the buffers of one Score call, reused through scratchPool.
type scratch struct {
	toks []token
	vals []float64
}

var scratchPool = sync.Pool{New: func() any { return &scratch{toks: make([]token, 0, 64), vals: make([]float64, 0, 64)} }}

// tokenize splits on white space, strips punctuation around words (keeping
// short emoticons), splits emojis off and, in French, elisions ("n'est").
// It appends to toks.
func tokenize(toks []token, text string, fr bool) []token {
	for rest := text; ; {
		var f string
		if f, rest = nextField(rest); f == "" {
			break
		}
		// Emojis become tokens of their own.
		start := 0
		for i, r := range f {
			if r < minEmoji {
				continue
			}
			if v, ok := emoji[r]; ok {
				toks = appendWord(toks, f[start:i], fr)
				toks = append(toks, token{lower: string(r), emoji: v})
				start = i + utf8.RuneLen(r)
			}
		}
		toks = appendWord(toks, f[start:], fr)
	}
	return toks
}

func appendWord(toks []token, w string, fr bool) []token {
	if w == "" {
		return toks
	}
	stripped := trimPunct(w)
	if len(stripped) <= 2 || utf8.RuneCountInString(stripped) <= 2 {
		// Emoticons such as ":)", ":D" or "<3" keep their punctuation.
		lw := strings.ToLower(w)
		if _, ok := lex().en[lw]; ok && lw != strings.ToLower(stripped) {
			return append(toks, token{lower: lw})
		}
		if stripped == "" {
			return toks
		}
	}
	n := len(toks)
	toks = appendStripped(toks, stripped, fr)
	if len(toks) > n && strings.ContainsAny(w[len(w)-1:], ",;:.!?") {
		toks[len(toks)-1].stop = true
	}
	return toks
}

// appendStripped appends a word stripped of surrounding punctuation.
func appendStripped(toks []token, w string, fr bool) []token {
	if fr {
		// Elisions: "n'est" -> "n", "est"; "l'arnaque" -> "l", "arnaque".
		for {
			i := elision(w)
			if i <= 0 || i > 5 {
				break
			}
			toks = append(toks, makeToken(w[:i], fr))
			_, size := utf8.DecodeRuneInString(w[i:])
			w = w[i+size:]
		}
		if w == "" {
			return toks
		}
	} else {
		if strings.IndexByte(w, 0xE2) >= 0 { // maybe '’'
			w = strings.ReplaceAll(w, "’", "'")
		}
	}
	return append(toks, makeToken(w, fr))
}

// elision returns the index of the first apostrophe, ASCII or typographic, of w if it
// starts within its first 6 bytes, and -1 otherwise: an apostrophe further
// on is no elision.
func elision(w string) int {
	for i := 0; i < len(w) && i <= 5; i++ {
		switch w[i] {
		case '\'':
			return i
		case 0xE2:
			if strings.HasPrefix(w[i:], "’") {
				return i
			}
		}
	}
	return -1
}

func makeToken(w string, fr bool) token {
	var t token
	letters, upper := 0, 0
	plain := true // ASCII without capitals: already lower case
	apos := false
	for i := 0; i < len(w); i++ {
		c := w[i]
		if c >= utf8.RuneSelf {
			plain = false
			break
		}
		switch {
		case 'a' <= c && c <= 'z':
			letters++
		case 'A' <= c && c <= 'Z':
			letters++
			upper++
			plain = false
		case c == '\'':
			apos = true
		}
	}
	if !plain && !isASCII(w) {
		letters, upper = 0, 0
		for _, r := range w {
			if unicode.IsLetter(r) {
				letters++
				if unicode.IsUpper(r) {
					upper++
				}
			}
		}
	}
	t.word = letters > 0
	t.upper = letters >= 2 && upper == letters
	lw := w
	if !plain {
		lw = strings.ToLower(w)
	}
	if fr {
		t.lower = foldWord(lw)
		return t
	}
	t.lower = lw
	if apos || !plain && strings.Contains(lw, "'") {
		t.lower = strings.ReplaceAll(lw, "'", "")
		if _, ok := lex().en[lw]; ok {
			t.lower = lw // lexicon entries with apostrophes
		}
	}
	return t
}

// trimPunct strips leading and trailing punctuation and symbols, as
// strings.TrimFunc with unicode.IsPunct or unicode.IsSymbol.
func trimPunct(w string) string {
	for len(w) > 0 {
		c := w[0]
		if c < utf8.RuneSelf {
			if !isASCIIPunct(c) {
				break
			}
			w = w[1:]
			continue
		}
		r, size := utf8.DecodeRuneInString(w)
		if !unicode.IsPunct(r) && !unicode.IsSymbol(r) {
			break
		}
		w = w[size:]
	}
	for len(w) > 0 {
		c := w[len(w)-1]
		if c < utf8.RuneSelf {
			if !isASCIIPunct(c) {
				break
			}
			w = w[:len(w)-1]
			continue
		}
		r, size := utf8.DecodeLastRuneInString(w)
		if !unicode.IsPunct(r) && !unicode.IsSymbol(r) {
			break
		}
		w = w[:len(w)-size]
	}
	return w
}

// isASCIIPunct reports an ASCII punctuation mark or symbol: every printable
// ASCII character other than letters, digits and space.
func isASCIIPunct(c byte) bool {
	return c > ' ' && c < 0x7f && !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9')
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// capsDifferential reports whether some, but not all, words are in capitals.
func capsDifferential(toks []token) bool {
	words, upper := 0, 0
	for _, t := range toks {
		if t.word {
			words++
			if t.upper {
				upper++
			}
		}
	}
	return upper > 0 && upper < words
}

// nextField returns the first white-space separated field of s and what
// follows it, as strings.Fields would split s, without allocating.
func nextField(s string) (field, rest string) {
	i := 0
	for i < len(s) {
		c := s[i]
		if c < utf8.RuneSelf {
			if asciiSpace[c] == 0 {
				break
			}
			i++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[i:])
		if !unicode.IsSpace(r) {
			break
		}
		i += size
	}
	j := i
	for j < len(s) {
		c := s[j]
		if c < utf8.RuneSelf {
			if asciiSpace[c] != 0 {
				break
			}
			j++
			continue
		}
		r, size := utf8.DecodeRuneInString(s[j:])
		if unicode.IsSpace(r) {
			break
		}
		j += size
	}
	return s[i:j], s[j:]
}

// asciiSpace marks the ASCII white space of unicode.IsSpace.
var asciiSpace = [utf8.RuneSelf]uint8{'\t': 1, '\n': 1, '\v': 1, '\f': 1, '\r': 1, ' ': 1}

// foldWord lower-cases and removes French diacritics.
func foldWord(s string) string {
	plain := true
	for i := 0; i < len(s); i++ {
		if c := s[i]; c >= utf8.RuneSelf || 'A' <= c && c <= 'Z' {
			plain = false
			break
		}
	}
	if plain {
		return s
	}
	var b strings.Builder
	b.Grow(len(s))
	for _, r := range strings.ToLower(s) {
		switch r {
		case 'à', 'â', 'ä', 'á':
			r = 'a'
		case 'ç':
			r = 'c'
		case 'é', 'è', 'ê', 'ë':
			r = 'e'
		case 'î', 'ï', 'í':
			r = 'i'
		case 'ô', 'ö', 'ó':
			r = 'o'
		case 'ù', 'û', 'ü', 'ú':
			r = 'u'
		case 'ÿ':
			r = 'y'
		case '’':
			r = '\''
		case 'œ':
			b.WriteString("oe")
			continue
		case 'æ':
			b.WriteString("ae")
			continue
		}
		b.WriteRune(r)
	}
	return b.String()
}

var frHints = map[string]bool{
	"le": true, "la": true, "les": true, "des": true, "est": true, "et": true, "je": true,
	"tu": true, "il": true, "vous": true, "nous": true, "une": true, "un": true, "pas": true,
	"que": true, "qui": true, "pour": true, "dans": true, "sur": true, "avec": true, "ce": true,
	"mais": true, "du": true, "au": true, "ne": true, "mon": true, "ma": true, "c'est": true,
	"très": true, "merci": true, "suis": true, "votre": true, "j'ai": true, "n'est": true,
}

var enHints = map[string]bool{
	"the": true, "and": true, "is": true, "are": true, "you": true, "i": true, "it": true,
	"to": true, "of": true, "in": true, "that": true, "this": true, "for": true, "with": true,
	"not": true, "was": true, "my": true, "me": true, "your": true, "be": true, "have": true,
	"so": true, "but": true, "i'm": true, "don't": true, "it's": true, "very": true, "thanks": true,
}

// isFrench decides between the French and the English rules.
func isFrench(lang, text string) bool {
	if len(lang) >= 2 {
		switch strings.ToLower(lang[:2]) {
		case "fr":
			return true
		case "en":
			return false
		}
	}
	fr, en := 0, 0
	for i, w := range strings.Fields(strings.ToLower(text)) {
		if i >= 64 {
			break
		}
		w = strings.TrimFunc(w, func(r rune) bool { return unicode.IsPunct(r) && r != '\'' })
		w = strings.ReplaceAll(w, "’", "'")
		if frHints[w] {
			fr++
		}
		if enHints[w] {
			en++
		}
	}
	return fr > en
}
