package classifier

import (
	"math/bits"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// featureVersion identifies the feature extractor below. It is written into
// model files so that a model trained with another extractor is refused.
const featureVersion = 5

// Feature kinds, hashed as the first byte so that a word, a bigram and a
// character n-gram with the same bytes land in different buckets.
const (
	kindWord     = 1
	kindFolded   = 2
	kindBigram   = 3
	kindChar     = 4
	kindLang     = 5
	kindMeta     = 6
	kindLangWord = 7
	kindJoined   = 8
	kindURL      = 9
	kindSkip     = 10
	kindSpamMeta = 11
)

// spamOnly marks, in extractor.feats, a feature that only the spam head
// reads (see emitSpam).
const spamOnly = 1 << 31

// docLevel marks, with spamOnly, a document-level indicator whose weight
// is added as is, not divided by the square root of the number of
// features (see emitSpamDoc).
const docLevel = 1 << 30

// Special tokens. They start with a control byte so no text token equals them.
var (
	tokURL   = []byte("\x01url")
	tokUser  = []byte("\x01user")
	tokNumS  = []byte("\x01num1")
	tokNumM  = []byte("\x01num3")
	tokNumL  = []byte("\x01num5")
	tokStart = []byte("\x01^")
	tokEnd   = []byte("\x01$")
)

// maxTextBytes bounds the work per call: longer texts are truncated (on a
// rune boundary) before feature extraction.
const maxTextBytes = 8 << 10

// maxTokenRunes bounds the character n-grams taken from one token.
const maxTokenRunes = 32

// span is a token: its bytes are arena[start:end].
type span struct {
	start, end int32
	special    bool // URL, mention or number token: no character n-grams
	single     bool // a single letter, candidate for re-joining spaced-out words
}

// extractor holds the scratch buffers of one feature extraction. It is
// reused through a sync.Pool; nothing in it outlives a call.
type extractor struct {
	low   []byte // NFKC, lower-cased text
	nfkc  []byte
	arena []byte // normalised tokens
	toks  []span
	farea []byte // diacritics-folded tokens
	ftoks []span
	runes []int32 // rune offsets of the token being n-grammed
	feats []uint32
	mask  uint32
}

func newExtractor(bits uint) *extractor {
	return &extractor{
		low:   make([]byte, 0, 512),
		nfkc:  make([]byte, 0, 512),
		arena: make([]byte, 0, 512),
		toks:  make([]span, 0, 96),
		farea: make([]byte, 0, 512),
		ftoks: make([]span, 0, 96),
		runes: make([]int32, 0, maxTokenRunes+3),
		feats: make([]uint32, 0, 1024),
		mask:  1<<bits - 1,
	}
}

// FNV-1a, 64 bits, written out so that hashing needs no allocation.
const (
	fnvOffset = 14695981039346656037
	fnvPrime  = 1099511628211
)

func fnvByte(h uint64, b byte) uint64 { return (h ^ uint64(b)) * fnvPrime }

func fnvBytes(h uint64, p []byte) uint64 {
	for _, b := range p {
		h = (h ^ uint64(b)) * fnvPrime
	}
	return h
}

// bucket finalises a hash (a murmur3-style mixer, since the low bits of
// FNV-1a alone are weakly mixed) and reduces it to a bucket index.
func (x *extractor) bucket(h uint64) uint32 {
	h ^= h >> 33
	h *= 0xff51afd7ed558ccd
	h ^= h >> 33
	h *= 0xc4ceb9fe1a85ec53
	h ^= h >> 33
	return uint32(h) & x.mask
}

func (x *extractor) emit(h uint64) { x.feats = append(x.feats, x.bucket(h)) }

// emitSpam emits a feature that only the spam head reads: the toxic and
// hate heads neither train on it nor count it, so spam cues can be added
// without moving them.
func (x *extractor) emitSpam(h uint64) { x.feats = append(x.feats, x.bucket(h)|spamOnly) }

// emitSpamDoc emits a spam-only document-level indicator ("links to
// another site"): its weight counts whatever the length of the text,
// where the other features' weights are divided by the square root of
// their number, so that one strong cue is not drowned in a long text.
func (x *extractor) emitSpamDoc(h uint64) { x.feats = append(x.feats, x.bucket(h)|spamOnly|docLevel) }

// sum adds up the weights of x.feats: acc per head over the ordinary and
// (spam head) spam-only features, n and ns their numbers, doc the spam
// weights of the document-level indicators. It runs after extraction, in
// a loop of independent table loads that the processor overlaps.
func (x *extractor) sum(w []int16) (acc [numHeads]int64, n, ns int, doc int64) {
	for _, f := range x.feats {
		if f&spamOnly == 0 {
			k := int(f) * numHeads
			t := w[k : k+numHeads : k+numHeads]
			acc[0] += int64(t[0])
			acc[1] += int64(t[1])
			acc[2] += int64(t[2])
			n++
			continue
		}
		k := int(f&^(spamOnly|docLevel))*numHeads + headSpam
		if f&docLevel != 0 {
			doc += int64(w[k])
		} else {
			acc[headSpam] += int64(w[k])
			ns++
		}
	}
	return acc, n, ns, doc
}

// extract fills x.feats with the hashed features of text in lang.
func (x *extractor) extract(text, lang string) {
	x.feats = x.feats[:0]
	if len(text) > maxTextBytes {
		cut := maxTextBytes
		for cut > 0 && !utf8.RuneStart(text[cut]) {
			cut--
		}
		text = text[:cut]
	}
	lang = canonicalLang(lang, text)
	x.lower(text)
	x.tokenize()
	x.fold()

	// Language and bias-like features.
	x.emit(fnvBytes(fnvByte(fnvOffset, kindLang), []byte(lang)))
	var langByte byte = 'u'
	if lang != "" {
		langByte = lang[0]
	}

	prev, prev2 := tokStart, []byte(nil)
	promo, promoted := -1, false
	n := len(x.toks)
	for i := 0; i < n; i++ {
		t := x.toks[i]
		word := x.arena[t.start:t.end]
		ft := x.ftoks[i]
		fword := x.farea[ft.start:ft.end]
		x.emit(fnvBytes(fnvByte(fnvOffset, kindWord), word))
		x.emit(fnvBytes(fnvByte(fnvByte(fnvOffset, kindLangWord), langByte), fword))
		if !t.special && string(fword) != string(word) {
			x.emit(fnvBytes(fnvByte(fnvOffset, kindFolded), fword))
		}
		h := fnvBytes(fnvByte(fnvOffset, kindBigram), prev)
		x.emit(fnvBytes(fnvByte(h, ' '), fword))
		if prev2 != nil {
			// Spam only: word pairs one word apart ("check _ my",
			// "subscribe _ channel").
			h := fnvBytes(fnvByte(fnvOffset, kindSkip), prev2)
			x.emitSpam(fnvBytes(fnvByte(h, ' '), fword))
		}
		// Spam only, once per text: self-promotion, a call to action
		// followed within three words by the author ("check out my",
		// "watch my new video", "subscribe to me", "abonnez-vous à ma").
		switch {
		case promoVerb(fword):
			promo = i
		case !promoted && promo >= 0 && i-promo <= 3 && selfWord(fword):
			promoted = true
			x.emitSpamDoc(fnvByte(fnvByte(fnvOffset, kindSpamMeta), 'P'))
		}
		prev2, prev = prev, fword
		if !t.special {
			x.charGrams(fword)
		}
	}
	if n > 0 {
		h := fnvBytes(fnvByte(fnvOffset, kindBigram), prev)
		x.emit(fnvBytes(fnvByte(h, ' '), tokEnd))
	}
	x.joinSingles()
}

// charGrams emits the character 3- to 5-grams of "<word>".
func (x *extractor) charGrams(word []byte) {
	r := x.runes[:0]
	r = append(r, -1) // position of '<'
	for i := range word {
		if utf8.RuneStart(word[i]) {
			if len(r) > maxTokenRunes {
				break
			}
			r = append(r, int32(i))
		}
	}
	r = append(r, int32(len(word))) // position of '>'
	x.runes = r
	// Symbols: index 0 is '<', 1..len(r)-2 are runes, len(r)-1 is '>'.
	// The n-grams starting at symbol i share their prefix: hash it once
	// and extend it symbol by symbol, emitting the 3-, 4- and 5-grams.
	nsym := len(r)
	base := fnvByte(fnvOffset, kindChar)
	for i := 0; i+3 <= nsym; i++ {
		h := base
		for k := i; k < i+5 && k < nsym; k++ {
			switch {
			case k == 0:
				h = fnvByte(h, '<')
			case k == nsym-1:
				h = fnvByte(h, '>')
			default:
				h = fnvBytes(h, word[r[k]:r[k+1]])
			}
			if k-i >= 2 {
				x.emit(h)
			}
		}
	}
}

// joinSingles re-joins words spelt out letter by letter ("h a t e") and
// emits the joined word as an extra word feature with its n-grams.
func (x *extractor) joinSingles() {
	n := len(x.ftoks)
	for i := 0; i < n; {
		if !x.ftoks[i].single {
			i++
			continue
		}
		j := i
		for j < n && x.ftoks[j].single {
			j++
		}
		if j-i >= 3 {
			start := len(x.farea)
			for k := i; k < j; k++ {
				t := x.ftoks[k]
				x.farea = append(x.farea, x.farea[t.start:t.end]...)
			}
			w := x.farea[start:]
			x.emit(fnvBytes(fnvByte(fnvOffset, kindJoined), w))
			x.emit(fnvBytes(fnvByte(fnvOffset, kindWord), w))
			x.charGrams(w)
		}
		i = j
	}
}

func isASCIIBytes(s []byte) bool {
	for _, c := range s {
		if c >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// lower writes NFKC(text), lower-cased, to x.low and emits shape features
// (shouting, exclamation marks) computed on the original text.
func (x *extractor) lower(text string) {
	var c counts
	out := x.low[:0]
	if isASCII(text) {
		n := len(out)
		out = append(out, text...)
		for i, b := range out[n:] {
			out[n+i] = c.lowerASCII(b)
		}
	} else {
		x.nfkc = norm.NFKC.AppendString(x.nfkc[:0], text)
		for k := 0; k < len(x.nfkc); {
			r, size := utf8.DecodeRune(x.nfkc[k:])
			out = c.lowerRune(out, r)
			k += size
		}
	}
	upper, letters, bangs, money := c.upper, c.letters, c.bangs, c.money
	x.low = out
	meta := x.meta
	if letters >= 8 {
		meta('C', upper*4/letters) // 0..4: share of capitals
	}
	meta('!', min(bangs, 3))
	if money > 0 {
		meta('$', 1)
	}
	meta('L', min(bits.Len(uint(len(text))), 12)) // length, log scale
}

type counts struct{ upper, letters, bangs, money int }

// lowerASCII counts and lower-cases one ASCII byte.
func (c *counts) lowerASCII(b byte) byte {
	switch {
	case 'A' <= b && b <= 'Z':
		c.upper++
		c.letters++
		b += 'a' - 'A'
	case 'a' <= b && b <= 'z':
		c.letters++
	case b == '!':
		c.bangs++
	case b == '$':
		c.money++
	}
	return b
}

func (c *counts) lowerRune(out []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return append(out, c.lowerASCII(byte(r)))
	}
	if unicode.IsUpper(r) {
		c.upper++
		c.letters++
	} else if unicode.IsLetter(r) {
		c.letters++
	}
	if r == '£' || r == '€' {
		c.money++
	}
	return utf8.AppendRune(out, unicode.ToLower(r))
}

// tokenize splits x.low into normalised tokens in x.arena/x.toks.
func (x *extractor) tokenize() {
	x.arena = x.arena[:0]
	x.toks = x.toks[:0]
	s := x.low
	urls, users, ext := 0, 0, 0
	for i := 0; i < len(s); {
		// Skip white space (the ASCII test inlined: spaceAt is too big
		// for the inliner).
		if c := s[i]; c < utf8.RuneSelf {
			if asciiClass[c] == classSpace {
				i++
				continue
			}
		} else if sp, size := spaceAtRune(s, i); sp {
			i += size
			continue
		}
		j := i
		for j < len(s) {
			if c := s[j]; c < utf8.RuneSelf {
				if asciiClass[c] == classSpace {
					break
				}
				j++
				continue
			}
			sp, size := spaceAtRune(s, j)
			if sp {
				break
			}
			j += size
		}
		chunk := s[i:j]
		i = j
		switch {
		case isURL(chunk):
			x.special(tokURL)
			x.urlParts(chunk)
			urls++
			if !wrapperLink(chunk) {
				ext++
			}
			continue
		case len(chunk) > 1 && chunk[0] == '@' && isWordByte(chunk[1]):
			x.special(tokUser)
			users++
			continue
		}
		x.words(chunk)
	}
	meta := x.meta
	meta('U', min(urls, 3))
	meta('@', min(users, 3))
	meta('T', min(bits.Len(uint(len(x.toks))), 8))
	// Spam only: links other than Twitter's t.co wrapper, which every
	// link of a tweet goes through (tweets are negatives for the spam
	// head, so their links say nothing about spam).
	x.emitSpamDoc(fnvByte(fnvByte(fnvByte(fnvOffset, kindSpamMeta), 'E'), byte(min(ext, 2))))
}

// meta emits a shape feature (name, value) for every head, and again as
// a document-level indicator for the spam head alone.
func (x *extractor) meta(name byte, v int) {
	x.emit(fnvByte(fnvByte(fnvByte(fnvOffset, kindMeta), name), byte(v)))
	x.emitSpamDoc(fnvByte(fnvByte(fnvByte(fnvOffset, kindSpamMeta), name), byte(v)))
}

// promoVerb reports a call to action of self-promotion, English or
// French (diacritics folded).
func promoVerb(w []byte) bool {
	switch string(w) {
	case "check", "watch", "visit", "see", "subscribe", "sub", "follow", "listen", "look", "hear", "support", "share",
		"like", "click", "join", "go", "come", "view", "add", "download", "buy", "search", "help", "give", "take",
		"regardez", "regarde", "abonnez", "abonne", "suivez", "allez", "venez", "viens", "ecoutez",
		"ecoute", "partagez", "partage", "aidez", "visitez", "decouvrez", "cliquez":
		return true
	}
	return false
}

// selfWord reports a word by which authors point to themselves: "my",
// "our", "me", "us", "mon", "ma", "mes", "notre", "nos", "moi".
func selfWord(w []byte) bool {
	switch string(w) {
	case "my", "our", "me", "us", "mon", "ma", "mes", "notre", "nos", "moi":
		return true
	}
	return false
}

// wrapperLink reports a link through Twitter's t.co, which wraps every
// link of a tweet: it says nothing about what the author links to.
func wrapperLink(u []byte) bool {
	for _, p := range [...]string{"https://", "http://"} {
		if hasPrefix(u, p) {
			u = u[len(p):]
			break
		}
	}
	return hasPrefix(u, "t.co/")
}

// spaceAtRune reports whether the non-ASCII rune at s[i:] is white space,
// and its size (tokenize tests ASCII bytes with asciiClass itself).
func spaceAtRune(s []byte, i int) (bool, int) {
	r, size := utf8.DecodeRune(s[i:])
	return unicode.IsSpace(r), size
}

// Classes of runes for words.
const (
	classOther = iota
	classLetter
	classDigit
	// classSpace is only in asciiClass (spaceAt's table); a bit of its
	// own, so that classAt clears it to classOther.
	classSpace = 4
)

// asciiClass is the class of each ASCII byte.
var asciiClass = func() (t [utf8.RuneSelf]uint8) {
	for c := range t {
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
			t[c] = classLetter
		case '0' <= c && c <= '9':
			t[c] = classDigit
		case c == ' ' || '\t' <= c && c <= '\r':
			t[c] = classSpace
		}
	}
	return t
}()

// classAt returns the class of the rune at chunk[i:], the rune and its
// size. The ASCII case is inlined at the call sites; other runes take
// classAtRune.
func classAt(chunk []byte, i int) (int, rune, int) {
	if c := chunk[i]; c < utf8.RuneSelf {
		return int(asciiClass[c]) &^ classSpace, rune(c), 1
	}
	return classAtRune(chunk, i)
}

func classAtRune(chunk []byte, i int) (int, rune, int) {
	r, size := utf8.DecodeRune(chunk[i:])
	switch {
	case isLetterRune(r):
		return classLetter, r, size
	case unicode.IsDigit(r):
		return classDigit, r, size
	}
	return classOther, r, size
}

// maxURLWords bounds the path words taken from one link.
const maxURLWords = 8

// urlParts emits the parts of a link: its host (without "www."), its
// domain (the last two labels), its top-level domain and the words of its
// path and query ("watch", "ref", "channel"), so that the model can learn
// which sites and link shapes spam uses.
func (x *extractor) urlParts(u []byte) {
	for _, p := range [...]string{"https://", "http://", "www."} {
		if hasPrefix(u, p) {
			u = u[len(p):]
		}
	}
	end := 0
	for end < len(u) && u[end] != '/' && u[end] != '?' && u[end] != '#' && u[end] != ':' {
		end++
	}
	host, rest := u[:end], u[end:]
	part := func(tag byte, p []byte) {
		x.emit(fnvBytes(fnvByte(fnvByte(fnvOffset, kindURL), tag), p))
	}
	part('h', host)
	dots := 0
	for k := len(host) - 1; k >= 0; k-- {
		if host[k] != '.' {
			continue
		}
		dots++
		if dots == 1 {
			part('t', host[k+1:])
		} else {
			part('d', host[k+1:])
			break
		}
	}
	if len(rest) > 1 {
		part('p', nil)
	}
	words := 0
	for k := 0; k < len(rest) && words < maxURLWords; {
		for k < len(rest) && !isLowerASCII(rest[k]) {
			k++
		}
		j := k
		for j < len(rest) && isLowerASCII(rest[j]) {
			j++
		}
		if j-k >= 2 && j-k <= 20 {
			part('w', rest[k:j])
			words++
		}
		k = j
	}
}

func isLowerASCII(c byte) bool { return 'a' <= c && c <= 'z' }

func isWordByte(c byte) bool {
	return c >= utf8.RuneSelf || ('a' <= c && c <= 'z') || ('0' <= c && c <= '9')
}

var tlds = [...]string{
	"com", "net", "org", "fr", "io", "ly", "co", "me", "info", "biz", "xyz", "tk", "gl", "ru",
	"uk", "de", "be", "ca", "us", "tv", "gg", "app", "link", "site", "online", "shop", "club", "ws",
}

// isURL reports whether a white-space separated chunk looks like a link.
func isURL(c []byte) bool {
	if hasPrefix(c, "http://") || hasPrefix(c, "https://") || hasPrefix(c, "www.") {
		return true
	}
	// host.tld or host.tld/path
	for k := 1; k < len(c)-1; k++ {
		if c[k] != '.' || !isWordByte(c[k-1]) {
			continue
		}
		rest := c[k+1:]
		end := 0
		for end < len(rest) && 'a' <= rest[end] && rest[end] <= 'z' {
			end++
		}
		if end == 0 || (end < len(rest) && rest[end] != '/') {
			continue
		}
		for _, t := range tlds {
			if string(rest[:end]) == t {
				return true
			}
		}
	}
	return false
}

func hasPrefix(b []byte, p string) bool { return len(b) >= len(p) && string(b[:len(p)]) == p }

func (x *extractor) special(tok []byte) {
	start := int32(len(x.arena))
	x.arena = append(x.arena, tok...)
	x.toks = append(x.toks, span{start: start, end: int32(len(x.arena)), special: true})
}

// isInnerLeet reports whether c, between letters, stands for a letter.
func isInnerLeet(c byte) bool { return c == '@' || c == '$' || c == '*' }

// leet maps digits and symbols used for letters in words like "h4t3".
func leet(c byte) byte {
	switch c {
	case '0':
		return 'o'
	case '1', '!', '|':
		return 'i'
	case '3':
		return 'e'
	case '4', '@':
		return 'a'
	case '5', '$':
		return 's'
	case '7', '+':
		return 't'
	case '8':
		return 'b'
	case '9':
		return 'g'
	}
	return c
}

func isLetterRune(r rune) bool { return unicode.IsLetter(r) || unicode.Is(unicode.Mn, r) }

// words splits a chunk into word tokens: runs of letters and digits, with
// leet symbols inside words kept, apostrophes and other punctuation split.
func (x *extractor) words(chunk []byte) {
	i := 0
	for i < len(chunk) {
		cl, _, size := classAt(chunk, i)
		if cl == classOther {
			i += size
			continue
		}
		j := i
		letters, digits := 0, 0
		for j < len(chunk) {
			var cl int
			var r rune
			size := 1
			if c := chunk[j]; c < utf8.RuneSelf { // classAt's ASCII case, inlined
				cl, r = int(asciiClass[c])&^classSpace, rune(c)
			} else {
				cl, r, size = classAtRune(chunk, j)
			}
			switch {
			case cl == classLetter:
				letters++
			case cl == classDigit:
				digits++
			case r < utf8.RuneSelf && isInnerLeet(byte(r)) && j+size < len(chunk) && letters > 0:
				// '@', '$', '*' inside a word: "b@stard", "f*ck".
				ncl, nr, _ := classAt(chunk, j+size)
				if ncl == classOther && !isInnerLeet(byte(nr)) {
					goto done
				}
			default:
				goto done
			}
			j += size
		}
	done:
		x.word(chunk[i:j], letters, digits)
		i = j
	}
}

// word appends one normalised token.
func (x *extractor) word(w []byte, letters, digits int) {
	start := int32(len(x.arena))
	switch {
	case letters == 0 && digits > 0:
		switch {
		case digits <= 2:
			x.special(tokNumS)
		case digits <= 4:
			x.special(tokNumM)
		default:
			x.special(tokNumL)
		}
		return
	case digits > 0 && isDigitByte(w[0]):
		// "150p", "2day": digit runs collapse to '0'.
		inDigits := false
		for _, c := range w {
			if isDigitByte(c) {
				if !inDigits {
					x.arena = append(x.arena, '0')
				}
				inDigits = true
				continue
			}
			inDigits = false
			x.arena = append(x.arena, c)
		}
	default:
		// Letters first: fold leet, squeeze runs of 3+ equal bytes to 2. A
		// trailing run of 2+ digits ("promo2024") is a number, kept as '0'.
		tail := len(w)
		for tail > 0 && isDigitByte(w[tail-1]) {
			tail--
		}
		if len(w)-tail < 2 {
			tail = len(w)
		}
		var p1, p2 byte
		for k, c := range w[:tail] {
			if c < utf8.RuneSelf {
				c = leet(c)
			}
			if k >= 2 && c == p1 && c == p2 && c < utf8.RuneSelf {
				continue
			}
			p2, p1 = p1, c
			x.arena = append(x.arena, c)
		}
		if tail < len(w) {
			x.arena = append(x.arena, '0')
		}
	}
	end := int32(len(x.arena))
	single := letters == 1 && digits == 0 && utf8.RuneCount(x.arena[start:end]) == 1
	x.toks = append(x.toks, span{start: start, end: end, single: single})
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }

// fold writes a diacritics-free copy of every token to x.farea/x.ftoks.
func (x *extractor) fold() {
	x.farea = x.farea[:0]
	x.ftoks = x.ftoks[:0]
	for _, t := range x.toks {
		start := int32(len(x.farea))
		w := x.arena[t.start:t.end]
		if t.special || isASCIIBytes(w) {
			x.farea = append(x.farea, w...)
		} else {
			for _, r := range string(w) {
				x.farea = appendFolded(x.farea, r)
			}
		}
		x.ftoks = append(x.ftoks, span{start: start, end: int32(len(x.farea)), special: t.special, single: t.single})
	}
}

// appendFolded appends r without its diacritics (é → e, œ → oe).
func appendFolded(b []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		return append(b, byte(r))
	}
	switch r {
	case 'à', 'á', 'â', 'ã', 'ä', 'å', 'ā', 'ă', 'ą':
		return append(b, 'a')
	case 'ç', 'ć', 'č':
		return append(b, 'c')
	case 'è', 'é', 'ê', 'ë', 'ē', 'ė', 'ę', 'ě':
		return append(b, 'e')
	case 'ì', 'í', 'î', 'ï', 'ī', 'ı':
		return append(b, 'i')
	case 'ñ', 'ń':
		return append(b, 'n')
	case 'ò', 'ó', 'ô', 'õ', 'ö', 'ø', 'ō':
		return append(b, 'o')
	case 'ù', 'ú', 'û', 'ü', 'ū', 'ů':
		return append(b, 'u')
	case 'ý', 'ÿ':
		return append(b, 'y')
	case 'š', 'ś':
		return append(b, 's')
	case 'ž', 'ź', 'ż':
		return append(b, 'z')
	case 'œ':
		return append(b, 'o', 'e')
	case 'æ':
		return append(b, 'a', 'e')
	case 'ß':
		return append(b, 's', 's')
	}
	if unicode.Is(unicode.Mn, r) { // stray combining mark
		return b
	}
	return utf8.AppendRune(b, r)
}
