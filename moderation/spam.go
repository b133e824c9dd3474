package moderation

import (
	"container/list"
	"context"
	"math/bits"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	"golang.org/x/time/rate"
)

// SpamOptions configure NewSpamStage. Zero fields take the defaults.
type SpamOptions struct {
	// Brands are the domains of the brand and of those scammers imitate
	// ("mybrand.com", "paypal.com"). A link to a different domain within
	// two edits of one, or equal to one after folding lookalike letters,
	// is a phishing lure. Defaults to none.
	Brands []string
	// Shorteners are URL-shortening domains. Defaults to
	// DefaultShorteners().
	Shorteners []string
	// DuplicateAuthors is how many different authors posting
	// near-identical text make it spam. Defaults to 3.
	DuplicateAuthors int
	// DuplicateWindow is how many recent items are remembered for
	// near-duplicate detection. Defaults to 2048.
	DuplicateWindow int
	// DuplicateMaxAge bounds how old a remembered item may be. Defaults to
	// 24 hours.
	DuplicateMaxAge time.Duration
	// FloodRate and FloodBurst bound how fast one author may post.
	// Default to one item every 10 seconds with a burst of 6.
	FloodRate  rate.Limit
	FloodBurst int
	// FloodAuthors bounds how many authors are tracked (least recently
	// seen first out). Defaults to 10000.
	FloodAuthors int
	// Now is the clock for items without CreatedAt. Defaults to
	// time.Now.
	Now func() time.Time
}

// DefaultShorteners returns the URL shorteners the spam stage flags.
func DefaultShorteners() []string {
	return []string{"bit.ly", "bitly.com", "tinyurl.com", "goo.gl", "ow.ly", "is.gd", "buff.ly", "rebrand.ly", "cutt.ly",
		"shorturl.at", "tiny.cc", "rb.gy", "s.id", "t.ly", "bl.ink", "shorte.st", "adf.ly", "bit.do", "v.gd", "qr.ae",
		"tr.im", "cli.gs", "lnkd.in", "t.me", "wa.me", "linktr.ee", "ouo.io", "exe.io", "short.io", "tinu.be"}
}

// SpamStage recognises spam and scams: lures (WhatsApp and Telegram
// contacts, crypto and easy-money schemes, prizes, "sub for sub"), link
// policy (shorteners, lookalike and punycode domains), counts (mentions,
// hashtags, links), personal data (phone numbers, e-mail addresses),
// near-duplicates posted by several authors (64-bit SimHash over word
// shingles in a bounded window) and per-author flooding. Author signals
// (new account, few followers, prior removals) raise scores; trusted
// authors' scores are halved. It is safe for concurrent use.
type SpamStage struct {
	brands     []string
	shorteners map[string]bool
	now        func() time.Time

	dupAuthors int
	dupMaxAge  time.Duration
	mu         sync.Mutex
	ring       []dupEntry
	next       int
	bands      [4]map[uint16][]int32

	floodRate  rate.Limit
	floodBurst int
	floodMax   int
	fmu        sync.Mutex
	lru        *list.List
	limiters   map[string]*list.Element
}

type dupEntry struct {
	hash   uint64
	author string
	at     time.Time
	used   bool
}

type floodEntry struct {
	author string
	lim    *rate.Limiter
}

// NewSpamStage returns a spam stage.
func NewSpamStage(opts *SpamOptions) *SpamStage {
	var o SpamOptions
	if opts != nil {
		o = *opts
	}
	if o.Shorteners == nil {
		o.Shorteners = DefaultShorteners()
	}
	if o.DuplicateAuthors <= 0 {
		o.DuplicateAuthors = 3
	}
	if o.DuplicateWindow <= 0 {
		o.DuplicateWindow = 2048
	}
	if o.DuplicateMaxAge <= 0 {
		o.DuplicateMaxAge = 24 * time.Hour
	}
	if o.FloodRate <= 0 {
		o.FloodRate = rate.Every(10 * time.Second)
	}
	if o.FloodBurst <= 0 {
		o.FloodBurst = 6
	}
	if o.FloodAuthors <= 0 {
		o.FloodAuthors = 10000
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	s := &SpamStage{
		shorteners: map[string]bool{}, now: o.Now,
		dupAuthors: o.DuplicateAuthors, dupMaxAge: o.DuplicateMaxAge, ring: make([]dupEntry, o.DuplicateWindow),
		floodRate: o.FloodRate, floodBurst: o.FloodBurst, floodMax: o.FloodAuthors, lru: list.New(), limiters: map[string]*list.Element{},
	}
	for b := range s.bands {
		s.bands[b] = map[uint16][]int32{}
	}
	for _, b := range o.Brands {
		if h := hostOfURL(b); h != "" {
			s.brands = append(s.brands, h)
		}
	}
	for _, d := range o.Shorteners {
		s.shorteners[hostOfURL(d)] = true
	}
	return s
}

// Evaluate implements Stage.
func (s *SpamStage) Evaluate(ctx context.Context, it *Item) (Verdict, error) {
	return Verdict{Labels: s.evaluate(analyze(ctx, it), it, nil)}, nil
}

func (s *SpamStage) evaluate(a *analysis, it *Item, out []Label) []Label {
	at := it.CreatedAt
	if at.IsZero() {
		at = s.now()
	}
	boost := authorBoost(it, at)
	damp := 1.0
	if it.Author.Trust == TrustHigh {
		damp = 0.5
	}
	add := func(c Category, score float64, rule, match, reason string) {
		score *= damp
		if score > 0.99 {
			score = 0.99
		}
		out = append(out, Label{Category: c, Score: score, Rule: rule, Match: truncate(match, 60), Reason: reason})
	}
	phone, phoneText := findPhone(a.tk.raw)
	c := a.counts()
	links := c.links + len(it.Links)

	// Lures: the weights of the distinct phrases of each kind.
	var weight [8]float64
	var first [8]int32
	for i := range first {
		first[i] = -1
	}
	for hi, h := range a.hits {
		p := &a.v.phrases[h.phrase]
		if p.tag != tagLure {
			continue
		}
		dup := false
		for _, g := range a.hits[:hi] {
			if g.phrase == h.phrase {
				dup = true
				break
			}
		}
		if dup {
			continue
		}
		weight[p.idx] += p.weight
		if first[p.idx] < 0 {
			first[p.idx] = int32(hi)
		}
	}
	for li, w := range weight {
		if w == 0 {
			continue
		}
		l := &a.v.lures[li]
		score := l.score * min(1, w)
		reason := "lure"
		if phone && l.category == Scam {
			score += 0.15
			reason += " with a phone number"
		}
		if links > 0 {
			score += 0.1
			reason += " with a link"
		}
		score += boost
		h := a.hits[first[li]]
		add(l.category, score, l.name, a.raw(h.i, h.j), reason)
	}

	// Links.
	check := func(u string) {
		host := hostOfURL(u)
		if host == "" {
			return
		}
		switch {
		case s.shorteners[host]:
			add(Spam, 0.45+boost, "shortener", u, "link through a URL shortener hides where it goes")
		case strings.HasPrefix(host, "xn--") || strings.Contains(host, ".xn--"):
			add(Scam, 0.6+boost, "punycode", u, "internationalised domain (punycode) can imitate a brand")
		}
		if b, ok := s.lookalike(host); ok {
			add(Scam, 0.92, "lookalike-domain", u, "domain imitates "+b)
		} else if suspiciousTLD(host) {
			add(Spam, 0.3+boost, "suspicious-tld", u, "top-level domain favoured by spammers")
		}
	}
	for _, k := range a.tk.toks {
		if k.kind == URL {
			check(a.tk.raw[k.start:k.end])
		}
	}
	for _, u := range it.Links {
		check(u)
	}
	if links >= 3 {
		add(Spam, 0.5+boost, "many-links", "", "three links or more")
	}
	if c.mentions >= 5 {
		// Tagging friends is how contests are entered and how threads
		// reply to several people: on their own, many mentions only hold
		// from an author with spam signals; with a link they are the
		// mass-tagging of link spam.
		if links > 0 {
			add(Spam, 0.6+boost, "many-mentions", "", "five mentions or more, with a link")
		} else {
			add(Spam, 0.35+boost, "many-mentions", "", "five mentions or more")
		}
	}
	if c.hashtags >= 10 {
		add(Spam, 0.5+boost, "many-hashtags", "", "ten hashtags or more")
	}

	// Personal data.
	if phone {
		add(PersonalData, 0.55, "phone-number", phoneText, "phone number in a public comment")
	}
	for _, k := range a.tk.toks {
		if k.kind == Email {
			add(PersonalData, 0.55, "email-address", a.tk.raw[k.start:k.end], "e-mail address in a public comment")
			break
		}
	}

	// Near-duplicates from several authors.
	if c.words >= 5 || links > 0 && c.words >= 2 {
		if n := s.duplicates(a, it.Author.ID, at); n+1 >= s.dupAuthors {
			add(Spam, 0.85, "near-duplicate", truncate(it.Text, 40), "near-identical text from several authors")
		}
	}
	// Flooding.
	if it.Author.ID != "" && !s.allow(it.Author.ID, at) {
		add(Spam, 0.6, "flood", "", "author posts faster than the flood limit")
	}
	return out
}

// authorBoost raises spam scores for new, unknown or often-removed
// authors.
func authorBoost(it *Item, at time.Time) float64 {
	b := 0.0
	au := it.Author
	if !au.CreatedAt.IsZero() && at.Sub(au.CreatedAt) < 7*24*time.Hour {
		b += 0.1
	}
	if au.Followers >= 0 && au.Followers < 10 && !au.CreatedAt.IsZero() {
		b += 0.05
	}
	if au.PriorRemovals >= 2 && au.PriorRemovals > au.PriorApprovals {
		b += 0.1
	}
	if au.Trust == TrustLow {
		b += 0.1
	}
	return b
}

func suspiciousTLD(host string) bool {
	switch tldOf(host) {
	case "tk", "ml", "ga", "cf", "gq", "xyz", "top", "click", "icu", "buzz", "rest", "cam", "quest", "sbs", "cfd", "bid", "loan", "win":
		return true
	}
	return false
}

// lookalike reports a host that imitates a brand domain without being it
// or one of its subdomains.
func (s *SpamStage) lookalike(host string) (string, bool) {
	for _, b := range s.brands {
		if host == b || strings.HasSuffix(host, "."+b) {
			return "", false
		}
	}
	hl := registrable(host)
	name := label(hl)
	for _, b := range s.brands {
		bl := registrable(b)
		bname := label(bl)
		if hl == bl || len(bname) < 4 {
			continue
		}
		if strings.Contains(name, bname) {
			// "paypal-secure.com", "securepaypal.net", "paypal.com.evil.io".
			return b, true
		}
		for _, part := range strings.Split(name, "-") {
			for _, v := range [...]string{part, Normalize(part), strings.NewReplacer("1", "l", "0", "o", "3", "e", "5", "s").Replace(Normalize(part))} {
				if v == bname || len(v) >= 5 && editDistance(v, bname) <= 1 || len(v) >= 8 && editDistance(v, bname) <= 2 {
					return b, true
				}
			}
		}
		if strings.Contains(host, bname+".") {
			return b, true
		}
	}
	return "", false
}

// registrable is the last two labels of a host (three for co.uk-style
// suffixes).
func registrable(h string) string {
	parts := strings.Split(h, ".")
	if len(parts) <= 2 {
		return h
	}
	n := 2
	if l := parts[len(parts)-2]; len(l) <= 3 && (l == "co" || l == "com" || l == "org" || l == "gouv" || l == "ac") {
		n = 3
	}
	return strings.Join(parts[len(parts)-n:], ".")
}

// label is the name before the top-level domain: "paypal" in "paypal.com".
func label(h string) string {
	if k := strings.IndexByte(h, '.'); k >= 0 {
		return h[:k]
	}
	return h
}

// editDistance is the Levenshtein distance over runes.
func editDistance(a, b string) int {
	ra, rb := []rune(a), []rune(b)
	prev := make([]int, len(rb)+1)
	cur := make([]int, len(rb)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(ra); i++ {
		cur[0] = i
		for j := 1; j <= len(rb); j++ {
			cost := 1
			if ra[i-1] == rb[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(rb)]
}

// findPhone finds a phone number: 9 to 15 digits, maybe after "+", with
// spaces, dots or dashes between groups. Counts are not phone numbers: a
// number grouped by thousands ("2.124.821.694", "1,000,000,000"), the
// digits after a decimal or thousands separator ("2,124923004"), or a
// number followed by what it counts ("1000000000 views").
func findPhone(s string) (bool, string) {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= '0' && c <= '9' || c == '+') || i > 0 && isAlnumByte(s[i-1]) {
			continue
		}
		if i > 1 && (s[i-1] == ',' || s[i-1] == '.') && isDigitByte(s[i-2]) {
			continue // the rest of a number: "2,124923004"
		}
		digits, j, last := 0, i, i
		if c == '+' {
			j++
		}
		for j < len(s) {
			d := s[j]
			if d >= '0' && d <= '9' {
				digits++
				j++
				last = j
				continue
			}
			if (d == ' ' || d == '.' || d == '-' || d == '(' || d == ')') && j+1 < len(s) && (s[j+1] >= '0' && s[j+1] <= '9' || s[j+1] == '(') {
				j++
				continue
			}
			break
		}
		if digits >= 9 && digits <= 15 && (last >= len(s) || !isAlnumByte(s[last])) &&
			!thousands(s[i:last]) && !countNounAfter(s[last:]) {
			return true, s[i:last]
		}
		if last > i {
			i = last - 1
		}
	}
	return false, ""
}

func isDigitByte(c byte) bool { return '0' <= c && c <= '9' }

// thousands reports a number grouped by thousands with one separator, ','
// or '.': one to three digits, then groups of exactly three.
func thousands(n string) bool {
	var sep byte
	group := 0
	groups := 0
	for k := 0; k < len(n); k++ {
		c := n[k]
		switch {
		case isDigitByte(c):
			group++
			if group > 3 {
				return false
			}
		case (c == ',' || c == '.') && (sep == 0 || c == sep) && group > 0 && (groups == 0 || group == 3):
			sep = c
			groups++
			group = 0
		default:
			return false
		}
	}
	return sep != 0 && group == 3
}

// countNounAfter reports a word that a number counts ("views", "likes",
// "abonnés") at the start of s, after spaces.
func countNounAfter(s string) bool {
	s = strings.TrimLeft(s, " ")
	end := 0
	for end < len(s) && (isAlnumByte(s[end]) || s[end] == '\'') {
		end++
	}
	switch strings.ToLower(s[:end]) {
	case "views", "view", "vues", "vue", "likes", "like", "dislikes", "subscribers", "subs", "abonnés", "abonnes",
		"followers", "comments", "commentaires", "plays", "streams", "écoutes", "ecoutes", "times", "fois",
		"people", "personnes", "j'aime", "shares", "partages", "downloads", "téléchargements":
		return true
	}
	return false
}

func isAlnumByte(c byte) bool {
	return c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= utf8.RuneSelf
}

// simhash is a 64-bit SimHash over the normalised words and word pairs.
// Its 64 bit counters are kept eight to a word: spread[b] has bit k of
// byte b in byte k, so adding spread[f>>(8j)&0xff] to lanes[j] counts
// the ones of bits 8j..8j+7 of f at once (flushed before a byte can
// overflow).
func simhash(a *analysis) uint64 {
	var ones [64]int32
	var lanes [8]uint64
	pending := 0
	add := func(f uint64) {
		for j := range lanes {
			lanes[j] += spreadBits[byte(f>>(8*j))]
		}
		if pending++; pending == 255 {
			flushLanes(&ones, &lanes)
			pending = 0
		}
	}
	var prev uint64
	n := int32(0)
	for i, k := range a.tk.toks {
		if k.kind != Word && k.kind != URL && k.kind != Number {
			continue
		}
		x := uint64(14695981039346656037)
		for _, c := range a.word(i) {
			x = (x ^ uint64(c)) * 1099511628211
		}
		add(x)
		n++
		if n > 1 {
			add(x*31 ^ prev)
			n++
		}
		prev = x
	}
	flushLanes(&ones, &lanes)
	var out uint64
	for b := range 64 {
		if 2*ones[b] > n { // more ones than zeros
			out |= 1 << b
		}
	}
	return out
}

func flushLanes(ones *[64]int32, lanes *[8]uint64) {
	for j, l := range lanes {
		for k := range 8 {
			ones[8*j+k] += int32(byte(l >> (8 * k)))
		}
		lanes[j] = 0
	}
}

// spreadBits maps a byte to a word holding its bit k in byte k.
var spreadBits = func() (t [256]uint64) {
	for b := range t {
		for k := range 8 {
			if b&(1<<k) != 0 {
				t[b] |= 1 << (8 * k)
			}
		}
	}
	return t
}()

// duplicates counts other authors who recently posted near-identical
// text (Hamming distance of the SimHashes at most 3), then remembers this
// item. The hash is cut in four 16-bit bands: two hashes within 3 bits
// agree on at least one band, so only items sharing a band are compared.
func (s *SpamStage) duplicates(a *analysis, author string, at time.Time) int {
	h := simhash(a)
	s.mu.Lock()
	defer s.mu.Unlock()
	var seen [8]string
	n := 0
scan:
	for b := range 4 {
		for _, i := range s.bands[b][uint16(h>>(16*b))] {
			if n+1 >= s.dupAuthors {
				break scan
			}
			e := &s.ring[i]
			if !e.used || e.author == author || at.Sub(e.at) > s.dupMaxAge || e.at.Sub(at) > s.dupMaxAge {
				continue
			}
			if bits.OnesCount64(e.hash^h) > 3 {
				continue
			}
			dup := false
			for _, x := range seen[:min(n, len(seen))] {
				if x == e.author {
					dup = true
					break
				}
			}
			if !dup {
				if n < len(seen) {
					seen[n] = e.author
				}
				n++
			}
		}
	}
	// Evict the oldest entry from the band index, then store.
	if old := &s.ring[s.next]; old.used {
		for b := range 4 {
			key := uint16(old.hash >> (16 * b))
			list := s.bands[b][key]
			for k, i := range list {
				if i == int32(s.next) {
					list = append(list[:k], list[k+1:]...)
					break
				}
			}
			if len(list) == 0 {
				delete(s.bands[b], key)
			} else {
				s.bands[b][key] = list
			}
		}
	}
	s.ring[s.next] = dupEntry{hash: h, author: author, at: at, used: true}
	for b := range 4 {
		key := uint16(h >> (16 * b))
		s.bands[b][key] = append(s.bands[b][key], int32(s.next))
	}
	s.next = (s.next + 1) % len(s.ring)
	return n
}

// allow reports whether author may post at time at under the flood limit.
func (s *SpamStage) allow(author string, at time.Time) bool {
	s.fmu.Lock()
	defer s.fmu.Unlock()
	var lim *rate.Limiter
	if el, ok := s.limiters[author]; ok {
		s.lru.MoveToFront(el)
		lim = el.Value.(*floodEntry).lim
	} else {
		lim = rate.NewLimiter(s.floodRate, s.floodBurst)
		s.limiters[author] = s.lru.PushFront(&floodEntry{author: author, lim: lim})
		if s.lru.Len() > s.floodMax {
			old := s.lru.Back()
			s.lru.Remove(old)
			delete(s.limiters, old.Value.(*floodEntry).author)
		}
	}
	return lim.AllowN(at, 1)
}
