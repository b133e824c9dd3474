package moderation

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// TokenKind classifies a Token.
type TokenKind uint8

// The token kinds. Only Word and Hashtag tokens are matched against
// lexicons; URLs, mentions and e-mail addresses are kept whole.
const (
	Word TokenKind = iota + 1
	Number
	URL
	Mention
	Hashtag
	Emoji
	Email
)

var tokenKindNames = [...]string{"", "word", "number", "url", "mention", "hashtag", "emoji", "email"}

// String returns "word", "number", "url", "mention", "hashtag", "emoji" or
// "email".
func (k TokenKind) String() string {
	if int(k) < len(tokenKindNames) && k > 0 {
		return tokenKindNames[k]
	}
	return "TokenKind(?)"
}

// Token is one unit of text after normalisation.
type Token struct {
	Kind TokenKind
	// Text is the normalised form: for words, lower case without
	// diacritics, with confusables and leetspeak folded and runs of three
	// or more letters cut to two; URLs and emoji as written.
	Text string
	// Start and End are byte offsets of the token as written, in the NFKC
	// form of the input (the input itself when it is already NFKC, the
	// usual case).
	Start, End int
	// Sentence numbers the sentence the token is in, from 0.
	Sentence int
	// Stretched reports repeated letters ("fuuuck"); Leet digits or
	// symbols standing for letters ("c0nn4rd"); Spaced letters written
	// apart ("c o n n a r d").
	Stretched, Leet, Spaced bool
}

const (
	flagStretched uint8 = 1 << iota
	flagLeet
	flagSpaced
	flagApos
	flagQuoted
)

// tok is the allocation-free form of Token used inside the pipeline.
type tok struct {
	kind       TokenKind
	flags      uint8
	sent       int32
	clause     int32
	start, end int32 // raw offsets
	ns, ne     int32 // normalised bytes in buf
}

// tokenizer holds reusable buffers.
type tokenizer struct {
	raw  string
	buf  []byte
	toks []tok
	// counts for rules and spam heuristics
	letters, uppers int
	// state while scanning
	clause int32
	quoted bool
}

// Tokenize splits s into normalised tokens (see Normalize).
func Tokenize(s string) []Token {
	var t tokenizer
	t.run(s)
	out := make([]Token, len(t.toks))
	for i, k := range t.toks {
		out[i] = Token{
			Kind: k.kind, Text: string(t.buf[k.ns:k.ne]),
			Start: int(k.start), End: int(k.end), Sentence: int(k.sent),
			Stretched: k.flags&flagStretched != 0, Leet: k.flags&flagLeet != 0, Spaced: k.flags&flagSpaced != 0,
		}
	}
	return out
}

// Normalize folds the evasions used to slip words past filters, for
// matching: Unicode NFKC; lower case; Cyrillic and Greek lookalikes to
// Latin letters; diacritics removed; leetspeak inside words (0→o, 1→i,
// 3→e, 4→a, 5→s, 7→t, @→a, $→s, !→i); runs of three or more identical
// letters cut to two ("fuuuck" → "fuuck", matched as "fuck"); letters
// written apart joined ("c o n n a r d", "c.o.n.n.a.r.d" → "connard").
// URLs, @mentions, e-mail addresses and emoji are kept as tokens;
// punctuation goes. The result is the tokens' texts joined by single
// spaces. Normalize is idempotent and always returns valid UTF-8.
func Normalize(s string) string {
	var t tokenizer
	t.run(s)
	n := 0
	for _, k := range t.toks {
		n += int(k.ne-k.ns) + 1
	}
	var b strings.Builder
	b.Grow(n)
	for i, k := range t.toks {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.Write(t.buf[k.ns:k.ne])
	}
	return b.String()
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// nfkc returns the NFKC form of s, without allocating when s is ASCII or
// already normal.
func nfkc(s string) string {
	if isASCII(s) || norm.NFKC.IsNormalString(s) {
		return s
	}
	return norm.NFKC.String(s)
}

func (t *tokenizer) reset() {
	t.buf = t.buf[:0]
	t.toks = t.toks[:0]
	t.letters, t.uppers = 0, 0
}

// run tokenises s into t.
func (t *tokenizer) run(s string) {
	t.reset()
	s = nfkc(s)
	t.raw = s
	sent := int32(0)
	emitted := false // a token since the last sentence boundary
	t.clause, t.quoted = 0, false
	for i := 0; i < len(s); {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == utf8.RuneError && w <= 1:
			i++
			continue
		case r == '.' || r == '!' || r == '?' || r == '\n' || r == ';' || r == '…' || r == '¿' || r == '¡':
			if emitted {
				sent++
				t.clause++
				emitted = false
			}
			i += w
			continue
		case r == ',' || r == ':' || r == '(' || r == ')' || r == '—' || r == '–':
			t.clause++
			i += w
			continue
		case r == '"' || r == '“' || r == '”' || r == '«' || r == '»':
			switch r {
			case '"':
				t.quoted = !t.quoted
			case '“', '«':
				t.quoted = true
			default:
				t.quoted = false
			}
			t.clause++
			i += w
			continue
		case unicode.IsSpace(r):
			i += w
			continue
		}
		// A chunk: URL, e-mail, mention, hashtag?
		if j, kind := t.chunk(s, i); j > i {
			t.emitRaw(kind, s, i, j, sent)
			emitted = true
			i = j
			continue
		}
		if isEmoji(r) {
			j := emojiEnd(s, i+w)
			t.emitRaw(Emoji, s, i, j, sent)
			emitted = true
			i = j
			continue
		}
		if r == '#' {
			if j := t.word(s, i+w, sent, Hashtag, i); j > i+w {
				emitted = true
				i = j
				continue
			}
			i += w
			continue
		}
		if isWordStart(r) {
			j := t.word(s, i, sent, Word, i)
			if j > i {
				emitted = true
				i = j
				continue
			}
		}
		i += w
	}
	t.joinSpaced()
}

func (t *tokenizer) emitRaw(kind TokenKind, s string, i, j int, sent int32) {
	ns := len(t.buf)
	switch kind {
	case Mention, Email:
		for _, r := range s[i:j] {
			t.buf = utf8.AppendRune(t.buf, unicode.ToLower(r))
		}
	default:
		t.buf = append(t.buf, s[i:j]...)
	}
	t.toks = append(t.toks, t.mark(tok{kind: kind, sent: sent, start: int32(i), end: int32(j), ns: int32(ns), ne: int32(len(t.buf))}))
}

func isWordStart(r rune) bool {
	return unicode.IsLetter(r) || unicode.IsDigit(r) || r == '$' || r == '@'
}

// leetOf returns the letter a leet character stands for, or 0.
func leetOf(r rune) byte {
	switch r {
	case '0':
		return 'o'
	case '1', '!':
		return 'i'
	case '3':
		return 'e'
	case '4', '@':
		return 'a'
	case '5', '$':
		return 's'
	case '7':
		return 't'
	}
	return 0
}

func isApos(r rune) bool {
	return r == '\'' || r == '’' || r == 'ʼ' || r == '‘' || r == '`' || r == '´'
}

// ignorable runes vanish inside words: joiners, variation selectors,
// combining marks left after NFKC, soft hyphens, keycaps.
func ignorable(r rune) bool {
	switch r {
	case 0x200B, 0x200C, 0x200D, 0x2060, 0xFEFF, 0x00AD, 0xFE0F, 0xFE0E, 0x20E3:
		return true
	}
	return unicode.Is(unicode.Mn, r)
}

// word scans a word (or hashtag body) starting at i and appends it; it
// returns the end offset, or i if nothing was emitted.
func (t *tokenizer) word(s string, i int, sent int32, kind TokenKind, start int) int {
	ns := len(t.buf)
	if kind == Hashtag {
		t.buf = append(t.buf, '#')
	}
	body := len(t.buf)
	letters, digits, leets, apos := 0, 0, 0, false
	lastLetter := false
	j := i
	end := i
	for j < len(s) {
		// ASCII letters, the common case, without the rune machinery.
		if c := s[j]; 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' {
			if c <= 'Z' {
				t.uppers++
				c += 'a' - 'A'
			}
			t.letters++
			t.buf = append(t.buf, c)
			letters++
			lastLetter = true
			j++
			end = j
			continue
		}
		r, w := utf8.DecodeRuneInString(s[j:])
		if r == utf8.RuneError && w <= 1 {
			break
		}
		switch {
		case unicode.IsLetter(r):
			if unicode.IsUpper(r) {
				t.uppers++
			}
			t.letters++
			t.buf = appendFolded(t.buf, r)
			letters++
			lastLetter = true
			j += w
			end = j
			continue
		case r >= '0' && r <= '9':
			t.buf = append(t.buf, byte(r))
			digits++
			if leetOf(r) != 0 {
				leets++
			}
			lastLetter = true
			j += w
			end = j
			continue
		case r == '@' || r == '$' || r == '!':
			// Leet symbol inside a word: needs a letter or digit after it.
			nr, _ := utf8.DecodeRuneInString(s[j+w:])
			if (unicode.IsLetter(nr) || unicode.IsDigit(nr)) && (r != '!' || lastLetter) {
				t.buf = append(t.buf, byte(r))
				leets++
				j += w
				continue
			}
		case isApos(r):
			nr, _ := utf8.DecodeRuneInString(s[j+w:])
			if lastLetter && unicode.IsLetter(nr) && len(t.buf) > body {
				t.buf = append(t.buf, '\'')
				apos = true
				lastLetter = false
				j += w
				continue
			}
		case ignorable(r):
			j += w
			continue
		}
		break
	}
	if len(t.buf) == body || (letters == 0 && digits == 0) {
		t.buf = t.buf[:ns]
		if kind == Hashtag {
			return start
		}
		return i
	}
	k := tok{kind: kind, sent: sent, start: int32(start), end: int32(end)}
	if kind == Hashtag && letters == 0 {
		t.buf = t.buf[:ns]
		return start
	}
	if letters == 0 {
		k.kind = Number
		// A number may go on with decimal separators: 1.5, 1,000.
		for end < len(s)-1 && (s[end] == '.' || s[end] == ',') && s[end+1] >= '0' && s[end+1] <= '9' {
			t.buf = append(t.buf, s[end])
			end++
			for end < len(s) && s[end] >= '0' && s[end] <= '9' {
				t.buf = append(t.buf, s[end])
				end++
			}
		}
		k.end = int32(end)
	} else if leets > 0 && shouldFoldLeet(t.buf[body:], letters) {
		for p := body; p < len(t.buf); p++ {
			if c := t.buf[p]; c < utf8.RuneSelf {
				if l := leetOf(rune(c)); l != 0 {
					t.buf[p] = l
				}
			}
		}
		k.flags |= flagLeet
	} else if leets > 0 {
		// Symbols that were not folded are dropped.
		t.buf = dropSymbols(t.buf, body)
	}
	if apos {
		k.flags |= flagApos
	}
	if letters > 0 {
		if n, stretched := collapseRuns(t.buf[body:]); stretched {
			t.buf = t.buf[:body+n]
			k.flags |= flagStretched
		}
	}
	k.ns, k.ne = int32(ns), int32(len(t.buf))
	t.toks = append(t.toks, t.mark(k))
	return end
}

func (t *tokenizer) mark(k tok) tok {
	k.clause = t.clause
	if t.quoted {
		k.flags |= flagQuoted
	}
	return k
}

func dropSymbols(b []byte, from int) []byte {
	w := from
	for r := from; r < len(b); r++ {
		if c := b[r]; c != '@' && c != '$' && c != '!' {
			b[w] = c
			w++
		}
	}
	return b[:w]
}

// shouldFoldLeet decides whether digits and symbols in a word stand for
// letters: "c0nn4rd", "0rdures", "b0l" yes; "24h", "1er", "mp3" no.
func shouldFoldLeet(w []byte, _ int) bool {
	// Count letters in the folded form, so that the decision is the same
	// when the output is normalised again ("ß" became "ss").
	letters := 0
	for _, c := range w {
		if isLetterByte(c) && (c < utf8.RuneSelf || utf8.RuneStart(c)) {
			letters++
		}
	}
	if letters >= 2 && len(w) >= 4 {
		return true
	}
	// A leet character strictly between letters.
	for i := 1; i+1 < len(w); i++ {
		if leetOf(rune(w[i])) != 0 && isLetterByte(w[i-1]) && isLetterByte(w[i+1]) {
			return true
		}
	}
	return false
}

func isLetterByte(c byte) bool { return c >= 'a' && c <= 'z' || c >= utf8.RuneSelf }

// collapseRuns cuts runs of three or more identical runes to two, in
// place; it returns the new length and whether anything was cut.
func collapseRuns(b []byte) (int, bool) {
	w, run, cut := 0, 0, false
	var last rune = -1
	for r := 0; r < len(b); {
		c, n := utf8.DecodeRune(b[r:])
		if c == last {
			run++
		} else {
			last, run = c, 1
		}
		if run <= 2 || c >= '0' && c <= '9' {
			copy(b[w:], b[r:r+n])
			w += n
		} else {
			cut = true
		}
		r += n
	}
	return w, cut
}

// joinSpaced joins runs of three or more single-character tokens holding
// at least three letters: "c o n n a r d", "c.0.n.n.a.r.d".
func (t *tokenizer) joinSpaced() {
	single := func(k tok) bool {
		if k.ne-k.ns > 4 || k.flags&flagApos != 0 {
			return false
		}
		r, n := utf8.DecodeRune(t.buf[k.ns:k.ne])
		if int32(n) != k.ne-k.ns {
			return false
		}
		return k.kind == Word || k.kind == Number && leetOf(r) != 0
	}
	out := t.toks[:0]
	for i := 0; i < len(t.toks); {
		j := i
		letters := 0
		for j < len(t.toks) && single(t.toks[j]) {
			if t.toks[j].kind == Word {
				letters++
			}
			j++
		}
		if j-i < 3 || letters < 3 {
			if j == i {
				j = i + 1
			}
			out = append(out, t.toks[i:j]...)
			i = j
			continue
		}
		k := t.toks[i]
		ns := len(t.buf)
		for _, x := range t.toks[i:j] {
			t.buf = append(t.buf, t.buf[x.ns:x.ne]...)
		}
		for p := ns; p < len(t.buf); p++ {
			if c := t.buf[p]; c < utf8.RuneSelf {
				if l := leetOf(rune(c)); l != 0 {
					t.buf[p] = l
					k.flags |= flagLeet
				}
			}
		}
		if n, stretched := collapseRuns(t.buf[ns:]); stretched {
			t.buf = t.buf[:ns+n]
			k.flags |= flagStretched
		}
		k.kind = Word
		k.flags |= flagSpaced
		k.ns, k.ne = int32(ns), int32(len(t.buf))
		k.end = t.toks[j-1].end
		out = append(out, k)
		i = j
	}
	t.toks = out
}

// appendFolded appends the folded form of letter r: lower case, Latin
// lookalikes for Cyrillic and Greek letters, no diacritics.
func appendFolded(b []byte, r rune) []byte {
	if r < utf8.RuneSelf {
		if r >= 'A' && r <= 'Z' {
			r += 'a' - 'A'
		}
		return append(b, byte(r))
	}
	r = unicode.ToLower(r)
	if c, ok := confusable(r); ok {
		return append(b, c)
	}
	switch r {
	case 'œ':
		return append(b, 'o', 'e')
	case 'æ':
		return append(b, 'a', 'e')
	case 'ß':
		return append(b, 's', 's')
	case 'ø':
		return append(b, 'o')
	case 'ł':
		return append(b, 'l')
	case 'đ', 'ð':
		return append(b, 'd')
	case 'ı':
		return append(b, 'i')
	}
	// Strip diacritics: keep the base letter of a canonical decomposition
	// made of one letter and combining marks.
	var tmp [utf8.UTFMax]byte
	n := utf8.EncodeRune(tmp[:], r)
	p := norm.NFD.Properties(tmp[:n])
	if d := p.Decomposition(); len(d) > 0 {
		base, bn := utf8.DecodeRune(d)
		allMarks := true
		for rest := d[bn:]; len(rest) > 0; {
			m, mn := utf8.DecodeRune(rest)
			if !unicode.Is(unicode.Mn, m) {
				allMarks = false
				break
			}
			rest = rest[mn:]
		}
		if allMarks && unicode.IsLetter(base) {
			return appendFolded(b, base)
		}
	}
	return utf8.AppendRune(b, r)
}

// confusable maps Cyrillic and Greek lower-case letters that look like
// Latin ones (Unicode confusables, the common subset used for evasion).
func confusable(r rune) (byte, bool) {
	switch r {
	case 'а', 'α':
		return 'a', true
	case 'в', 'β':
		return 'b', true
	case 'с', 'ϲ':
		return 'c', true
	case 'ԁ':
		return 'd', true
	case 'е', 'ё', 'ε', 'є':
		return 'e', true
	case 'һ':
		return 'h', true
	case 'і', 'ї', 'ι', 'ί':
		return 'i', true
	case 'ј':
		return 'j', true
	case 'к', 'κ':
		return 'k', true
	case 'м':
		return 'm', true
	case 'н', 'η':
		return 'n', true
	case 'о', 'ο', 'ό', 'σ':
		return 'o', true
	case 'р', 'ρ':
		return 'p', true
	case 'ԛ':
		return 'q', true
	case 'ѕ':
		return 's', true
	case 'т', 'τ':
		return 't', true
	case 'υ', 'ц':
		return 'u', true
	case 'ν':
		return 'v', true
	case 'ѡ', 'ω':
		return 'w', true
	case 'х', 'χ':
		return 'x', true
	case 'у', 'γ':
		return 'y', true
	case 'ᴢ':
		return 'z', true
	}
	return 0, false
}

// isEmoji reports pictographs and symbols kept as emoji tokens.
func isEmoji(r rune) bool {
	switch {
	case r >= 0x1F000 && r <= 0x1FAFF, r >= 0x2600 && r <= 0x27BF, r >= 0x2B00 && r <= 0x2BFF,
		r >= 0x2190 && r <= 0x21FF, r >= 0x2300 && r <= 0x23FF, r == 0x3030, r == 0x303D, r == 0x3297, r == 0x3299:
		return true
	}
	return false
}

// emojiEnd extends an emoji over modifiers, variation selectors, tags and
// zero-width-joined sequences.
func emojiEnd(s string, i int) int {
	for i < len(s) {
		r, w := utf8.DecodeRuneInString(s[i:])
		switch {
		case r == 0xFE0F || r == 0xFE0E || r == 0x20E3 || r >= 0x1F3FB && r <= 0x1F3FF || r >= 0xE0020 && r <= 0xE007F:
			i += w
		case r == 0x200D:
			nr, nw := utf8.DecodeRuneInString(s[i+w:])
			if !isEmoji(nr) {
				return i
			}
			i += w + nw
		case r >= 0x1F1E6 && r <= 0x1F1FF: // second regional indicator
			i += w
		default:
			return i
		}
	}
	return i
}
