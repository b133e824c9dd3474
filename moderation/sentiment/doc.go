// Package sentiment scores the sentiment of short French and English texts
// (comments, replies, reviews) with a lexicon and rules, following VADER
// (Hutto & Gilbert 2014): no model to load, no network, deterministic.
//
// Score returns a Compound valence in [-1, 1], the positive, negative and
// neutral shares and a label. Sentiment is not moderation: a complaint
// ("Service client nul, je veux être remboursé") is negative, and should
// be answered, not hidden; the moderation classifier is what detects abuse.
//
// # Rules
//
// Words carry a valence from a lexicon; a degree word among the three
// preceding words boosts or damps it ("very", "so", "très", "vraiment",
// "trop"; "un peu", "plutôt"); a negation among them flips and shrinks it
// (by -0.74: "not", "never", "no", "ne ... pas", "n'", "jamais", "rien",
// "sans"), but neither crosses a comma or a full stop ("Pas de souci,
// merci" keeps "merci" positive); a word in capitals among lower-case words, and up to four
// exclamation marks, add emphasis; "but", "mais", "pourtant", "cependant"
// halve the weight of what precedes and raise what follows by half; a few
// idioms are fixed ("pas mal" is positive, "pas terrible" negative,
// "pas de souci" positive). Emojis and emoticons carry their own valence in
// both languages. The sum is normalised by x/sqrt(x²+15).
//
// # Lexicons
//
// English: VADER's vader_lexicon.txt (cjhutto/vaderSentiment @ 44fc044c,
// MIT licence, Copyright (c) 2016 C.J. Hutto; see lexicon/VADER-LICENSE.txt),
// embedded as word and mean valence. French: lexicon/fr.tsv, about 330
// words written for cmkit on the same scale, with customer-service
// vocabulary ("nul", "déçu", "arnaque", "remboursement", "inadmissible",
// "génial", "merci", "bravo"); plural and feminine endings are matched and
// diacritics ignored.
//
// # Accuracy
//
// On the 2,121 development tweets of VADER's ground truth
// (vader_sentiment_en.tsv), the Pearson correlation of Compound with the
// mean human rating is 0.873 (VADER's authors report 0.881), and the sign
// agrees with the raters' in 92.5 % of the tweets; cmd/modeval prints both.
// French is covered by hand-written table tests only.
//
// Languages: lang "fr" or "en" (any tag starting with them); "" guesses
// between the two from function words; other languages get the English
// rules.
package sentiment
