package classifier

// canonicalLang maps a language tag to "fr", "en" or "" and, when the tag
// is empty or another language, guesses French or English from common
// function words. The guess only chooses a language feature; it never fails.
func canonicalLang(lang, text string) string {
	if len(lang) >= 2 {
		switch {
		case (lang[0] == 'f' || lang[0] == 'F') && (lang[1] == 'r' || lang[1] == 'R'):
			return "fr"
		case (lang[0] == 'e' || lang[0] == 'E') && (lang[1] == 'n' || lang[1] == 'N'):
			return "en"
		}
	}
	return guessLang(text)
}

var frWords = [...]string{
	"le", "la", "les", "des", "est", "et", "je", "tu", "il", "vous", "nous", "une", "un", "pas",
	"que", "qui", "pour", "dans", "sur", "avec", "ce", "mais", "du", "au", "ne", "mon", "ma",
	"c'est", "j'ai", "suis", "merci", "bonjour", "très", "votre", "vos", "sont", "aux",
}

var enWords = [...]string{
	"the", "and", "is", "are", "you", "i", "it", "to", "of", "in", "that", "this", "for", "with",
	"not", "was", "my", "me", "your", "be", "have", "what", "just", "so", "on", "at", "but", "do",
	"i'm", "don't", "it's", "thanks", "please", "they", "he", "she", "we",
}

// guessLang counts French and English function words among the first words
// of text (ASCII case folding only, no allocation).
func guessLang(text string) string {
	fr, en := 0, 0
	var buf [16]byte
	words := 0
	for i := 0; i < len(text) && words < 64; {
		for i < len(text) && !wordChar(text[i]) {
			i++
		}
		j := i
		for j < len(text) && wordChar(text[j]) {
			j++
		}
		if j > i {
			words++
			if j-i <= len(buf) {
				w := buf[:j-i]
				for k := range w {
					c := text[i+k]
					if 'A' <= c && c <= 'Z' {
						c += 'a' - 'A'
					}
					w[k] = c
				}
				for _, f := range frWords {
					if string(w) == f {
						fr++
					}
				}
				for _, e := range enWords {
					if string(w) == e {
						en++
					}
				}
			}
		}
		i = j
	}
	switch {
	case fr > en:
		return "fr"
	case en > fr:
		return "en"
	}
	return ""
}

func wordChar(c byte) bool {
	return c >= 0x80 || c == '\'' || ('a' <= c && c <= 'z') || ('A' <= c && c <= 'Z') || ('0' <= c && c <= '9')
}
