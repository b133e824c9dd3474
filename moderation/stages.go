package moderation

// LexiconStage returns the stage that matches the embedded French and
// English lexicons (insults, profanity, sexual terms, slurs) on the
// normalised text. Scores depend on severity and on whom the words are
// aimed at: an insult aimed at "you" scores higher than one about
// oneself; a word with an innocent meaning (homonym: "bitch" for a dog,
// "chatte" for a cat) counts only when aimed at someone and outside its
// innocent context; words in quotes or counter-speech score half.
func LexiconStage() Stage { return builtinFunc(lexiconEval) }

func lexiconEval(a *analysis, _ *Item, out []Label) []Label {
	for hi, h := range a.hits {
		p := &a.v.phrases[h.phrase]
		if p.tag != tagLex || containedLex(a, hi) {
			continue
		}
		e := &a.v.entries[p.idx]
		sent := a.tk.toks[h.i].sent
		directed := a.second[sent]
		group := a.sentenceHas(sent, tagGroupCue)
		if e.homonym && (!(directed || group) || a.sentenceHas(sent, tagHomonymCtx)) {
			continue
		}
		self := !directed && (a.first[sent] || a.third[sent])
		var cat Category
		var score float64
		reason := ""
		switch e.kind {
		case kindProfanity:
			cat, score, reason = Toxic, 0.15, "profanity"
			if directed {
				score = 0.45
			}
		case kindInsult:
			cat, reason = Toxic, "insult"
			switch {
			case e.severity >= 3 && directed:
				score = 0.92
			case e.severity >= 3 && !self:
				score = 0.82
			case e.severity >= 3:
				score = 0.3
			case e.severity == 2 && directed:
				score = 0.8
			case e.severity == 2 && !self:
				score = 0.55
			case e.severity == 2:
				score = 0.2
			case directed:
				score = 0.5
			default:
				score = 0.12
			}
		case kindSexual:
			cat, reason = Sexual, "sexual term"
			score = 0.55
			if e.severity >= 3 {
				score = 0.85
			} else if directed {
				score = 0.7
			}
		case kindSlur:
			cat, reason = Hate, "slur"
			switch {
			case e.severity >= 4 && (directed || group):
				score = 0.93
			case e.severity >= 4:
				score = 0.85
			case directed || group:
				score = 0.8
			default:
				score = 0.55
			}
		}
		if a.quotedOrReported(h.i, h.j) {
			score *= 0.5
			reason += ", quoted or reported"
		}
		out = append(out, Label{Category: cat, Score: score, Rule: e.lang + ":" + e.term, Match: truncate(a.raw(h.i, h.j), 60), Reason: reason})
	}
	return out
}

// containedLex reports whether lexicon hit hi lies inside a longer one.
func containedLex(a *analysis, hi int) bool {
	h := a.hits[hi]
	for oi, o := range a.hits {
		if oi == hi || a.v.phrases[o.phrase].tag != tagLex {
			continue
		}
		if o.i <= h.i && o.j >= h.j && (o.j-o.i > h.j-h.i || o.j-o.i == h.j-h.i && preferred(a, oi, hi)) {
			return true
		}
	}
	return false
}

// PatternStage returns the stage that recognises hate and threats by
// construction rather than by single words, in French and English:
//
//   - hate: a protected group (women, trans, gay, black, Muslim, Jewish,
//     immigrant, refugee, disabled people...) in the same sentence as a
//     derogation (hatred, disgust, dehumanising nouns: "rats",
//     "parasites", "vermine"), a call to violence ("should be
//     exterminated", "il faudrait les éradiquer"), or a denial of worth
//     ("are not human", "n'ont pas leur place", "do not deserve to
//     live"); a pronoun in the next sentence carries the group over;
//   - threat: a threat phrase ("you're dead", "on sait où tu habites"),
//     or a first-person intent with a violent verb aimed at someone ("I
//     will kill you", "je vais te tuer").
//
// What must pass is modelled too: negated hate ("I don't hate women",
// "je ne déteste pas les femmes"), counter-speech and quotes ("saying
// that X are scum shows...", "si vous dites « ... »"), positive and
// neutral statements about a group, and abuse of groups that are not
// protected (bakers, referees).
func PatternStage() Stage { return builtinFunc(patternEval) }

func patternEval(a *analysis, _ *Item, out []Label) []Label {
	nsent := len(a.second)
	// Protected groups per sentence (first hit).
	type span struct{ i, j int32 }
	ident := make([]span, nsent)
	for s := range ident {
		ident[s] = span{-1, -1}
	}
	for _, h := range a.hits {
		if a.v.phrases[h.phrase].tag == tagIdentity {
			s := a.tk.toks[h.i].sent
			if ident[s].i < 0 {
				ident[s] = span{h.i, h.j}
			}
		}
	}
	bestHate := -1
	bestThreat := -1
	record := func(best *int, l Label) {
		if *best >= 0 {
			if out[*best].Score >= l.Score {
				return
			}
			out[*best] = l
			return
		}
		*best = len(out)
		out = append(out, l)
	}
	for _, h := range a.hits {
		p := &a.v.phrases[h.phrase]
		s := a.tk.toks[h.i].sent
		switch p.tag {
		case tagThreat:
			if a.quotedOrReported(h.i, h.j) || a.negated(h.i, h.j) {
				continue
			}
			record(&bestThreat, Label{Category: Threat, Score: 0.92, Rule: "threat-phrase", Match: truncate(a.raw(h.i, h.j), 60), Reason: "threat"})
		case tagNeg, tagViolence, tagPositive:
			neg := a.negated(h.i, h.j)
			hateful := neg == (p.tag == tagPositive)
			if !hateful || a.quotedOrReported(h.i, h.j) {
				continue
			}
			target := ident[s]
			carried := false
			if target.i < 0 && s > 0 && ident[s-1].i >= 0 && (a.third[s] || a.second[s]) {
				target, carried = ident[s-1], true
			}
			if target.i < 0 && s+1 < int32(nsent) && ident[s+1].i >= 0 && (a.third[s] || a.second[s]) {
				target, carried = ident[s+1], true
			}
			if target.i >= 0 {
				score, rule := 0.85, "hate-derogation"
				switch {
				case p.tag == tagViolence:
					score, rule = 0.92, "hate-violence"
				case p.tag == tagPositive:
					score, rule = 0.8, "hate-denied-worth"
				}
				if carried {
					score -= 0.07
				}
				lo, hi := target.i, h.j
				if h.i < lo {
					lo = h.i
				}
				if target.j > hi {
					hi = target.j
				}
				record(&bestHate, Label{Category: Hate, Score: score, Rule: rule, Match: truncate(a.raw(lo, hi), 80),
					Reason: "protected group \"" + a.raw(target.i, target.j) + "\" with \"" + a.raw(h.i, h.j) + "\""})
				continue
			}
			if p.tag != tagViolence {
				continue
			}
			// Violence aimed at someone after a first-person intent.
			if !(a.second[s] || a.third[s]) {
				continue
			}
			for _, g := range a.hits {
				if a.v.phrases[g.phrase].tag == tagIntent && a.tk.toks[g.i].sent == s && g.i < h.i && h.i-g.j <= 4 && !negatedBetween(a, g.i, h.i) {
					record(&bestThreat, Label{Category: Threat, Score: 0.88, Rule: "threat-intent", Match: truncate(a.raw(g.i, h.j), 60),
						Reason: "intent \"" + a.raw(g.i, g.j) + "\" with \"" + a.raw(h.i, h.j) + "\""})
					break
				}
			}
		}
	}
	return out
}

// negatedBetween reports a negation in [i, j) or before i in its clause.
func negatedBetween(a *analysis, i, j int32) bool {
	for k := i; k < j; k++ {
		if a.has(k, tagNegation) || isNegWord(a.word(int(k))) {
			return true
		}
	}
	return a.negated(i, i+1)
}

// preferred breaks a tie between two lexicon hits over the same words:
// the entry in the text's language, then the first.
func preferred(a *analysis, oi, hi int) bool {
	ol := a.v.entries[a.v.phrases[a.hits[oi].phrase].idx].lang == a.lang
	hl := a.v.entries[a.v.phrases[a.hits[hi].phrase].idx].lang == a.lang
	if ol != hl {
		return ol
	}
	return oi < hi
}
