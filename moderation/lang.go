package moderation

import "sync"

// langWords maps frequent function words to +1 (French) or -1 (English).
// Words common to both ("a", "on", "me", "son") are left out.
var langWords = sync.OnceValue(func() map[string]int8 {
	m := map[string]int8{}
	fr := `le la les de des du un une et est je tu il elle nous vous ils elles pas ne que qui quoi dans pour sur avec
	ce cette ces c'est mais ou au aux sa ses mon ma mes ton ta tes votre vos notre nos tres plus rien sans etre avoir
	fait suis es sont ca qu'il j'ai j'en n'est n'ai d'un d'une l'on c'etait toujours jamais depuis encore merci bonjour
	salut oui non cest chez tout tous toute toutes aussi comme quand alors donc car parce faut peut veux vais va avez
	ont etait sera leur leurs lui y deja apres avant moi toi rien trop bien tres nul vraiment quel quelle pourquoi
	comment semaines jours mois reponse commande livraison aucune aucun ici voila j'aime j'adore bravo super genial
	t'es t'as j'suis qu'on d'accord ceux celui cela ceci votre vos m'a m'en s'il est-ce n'importe personne gens
	deteste hais femmes`
	en := `the an and is are was were i you he she it we they not no to of in for with this that what my your our
	their be have has do does don't can will just so but or at by from him her them am i'm it's you're don't can't
	won't didn't doesn't isn't aren't there here been being would could should about after again still ever never
	very really thanks thank please hello hi yes get got love like worst customer service refund weeks days
	who why how when where which because any some all only also than then its into out up down over again
	i've i'll i'd we're they're that's what's let's gonna wanna hate women people idiot stupid`
	for _, w := range splitWords(fr) {
		m[Normalize(w)] = 1
	}
	for _, w := range splitWords(en) {
		m[Normalize(w)] = -1
	}
	return m
})

func splitWords(s string) []string {
	var out []string
	start := -1
	for i := 0; i <= len(s); i++ {
		if i == len(s) || s[i] == ' ' || s[i] == '\n' || s[i] == '\t' {
			if start >= 0 {
				out = append(out, s[start:i])
				start = -1
			}
		} else if start < 0 {
			start = i
		}
	}
	return out
}

// DetectLanguage guesses whether s is French or English from function
// words, elisions, letters with diacritics and word endings. It returns
// "fr", "en" or "und" (too short or too mixed) and a confidence from 0 to
// 1.
func DetectLanguage(s string) (lang string, confidence float64) {
	var t tokenizer
	t.run(s)
	return t.detectLanguage()
}

func (t *tokenizer) detectLanguage() (string, float64) {
	words := langWords()
	var fr, en float64
	for _, k := range t.toks {
		if k.kind != Word && k.kind != Hashtag {
			continue
		}
		w := t.buf[k.ns:k.ne]
		if k.kind == Hashtag {
			w = w[1:]
		}
		switch words[string(w)] {
		case 1:
			fr++
		case -1:
			en++
		default:
			if k.flags&flagApos != 0 && len(w) > 2 && w[1] == '\'' {
				// French elision: l', d', j', qu'... ; English rarely has a
				// one-letter word before an apostrophe (except I'm, I'd).
				if w[0] != 'i' && w[0] != 'y' {
					fr += 0.7
				}
			}
			if n := len(w); n > 4 {
				switch {
				case string(w[n-3:]) == "ing" || string(w[n-2:]) == "ly" || string(w[n-2:]) == "ed":
					en += 0.3
				case string(w[n-3:]) == "eux" || string(w[n-3:]) == "eau" || string(w[n-4:]) == "ment" || string(w[n-2:]) == "ez":
					fr += 0.3
				}
			}
		}
	}
	// Letters with French diacritics in the text as written.
	raw := t.raw
	for i := 0; i+1 < len(raw); i++ {
		if raw[i] == 0xC3 {
			switch raw[i+1] {
			case 0xA9, 0xA8, 0xAA, 0xA0, 0xA7, 0xB9, 0xAE, 0xB4, 0xA2, 0xBB, 0x89: // é è ê à ç ù î ô â û É
				fr += 0.5
			}
		}
	}
	total := fr + en
	if total < 1 {
		return "und", 0
	}
	diff := fr - en
	conf := diff / (total + 1)
	if conf < 0 {
		conf = -conf
	}
	switch {
	case diff >= 1 && conf >= 0.2:
		return "fr", conf
	case diff <= -1 && conf >= 0.2:
		return "en", conf
	}
	return "und", conf
}
