// Package classifier is a compact trained text classifier for moderation in
// French and English: three logistic-regression heads over hashed features
// give the probability that a text is toxic (offensive or abusive, hate
// included), hateful (attacks a group for a protected characteristic) and
// spam (advertising, scams, follower and link lures).
//
// Default returns the model embedded in the package (go:embed, about 1.6 MB
// gzip-compressed, decoded once on first use); Predict is safe for
// concurrent use, allocates nothing and takes about 4-5 µs for a tweet
// (features are hashed and their weights added in one pass, without
// storing them). Train fits a new model to your own examples (for
// instance reviewed moderation decisions; Example.Unlabelled leaves out
// the heads an example says nothing about), Save and Load store it.
//
// A classifier is one signal: package moderation combines it with
// lexicons, patterns and rules, and decides. Its scores are not verdicts on
// people.
//
// # Features
//
// The text is truncated to 8 KiB, NFKC-normalised and lower-cased. URLs
// become one token, @mentions another, digit runs a number token by
// length; leetspeak inside words is folded ("h4t3" → "hate", "b@stard"),
// runs of three or more equal letters are squeezed to two, words spelt
// letter by letter ("h a t e") are re-joined. Features are word unigrams
// (as written and without diacritics, and per language), word bigrams,
// character 3- to 5-grams of each word within word boundaries, the
// language, the parts of each link (host, domain, top-level domain, words
// of the path and query: "watch", "ref", "channel"), and shape features
// (share of capitals, exclamation marks, currency signs, number of links
// and mentions, length). Each feature is
// hashed with FNV-1a (64 bits, then mixed) into 2^19 buckets. The score of
// a head is the sigmoid of its bias plus the sum of the feature weights
// divided by the square root of the number of features. Weights are stored
// as int16 with one scale per head.
//
// The spam head alone also reads spam-only features, which the toxic and
// hate heads neither train on nor count (so adding them leaves those heads
// exactly as they were): word pairs one word apart ("check _ my"), counted
// with the others under the square root, and document-level indicators
// whose weights are added undivided, so that one strong cue is not drowned
// in a long text: the number of links to other sites than Twitter's t.co
// wrapper (0, 1, 2 or more), self-promotion (a call to action followed
// within three words by "my", "me", "our", "ma", "mes"...: "check out my
// channel", "watch my new video", "abonnez-vous à ma chaîne") and a copy of
// the shape features.
//
// Train first scales each feature, per head, by its naive-Bayes log-count
// ratio (NBSVM, Wang and Manning 2012): how much more often the bucket
// appears in the head's positive than in its negative examples
// (TrainOptions.NB, TrainOptions.NBSmoothing). Buckets as common in both
// classes then weigh little. The scale is folded into the stored weights,
// so Predict does the same work whatever the scaling.
//
// # Language
//
// lang is "fr" or "en" (any tag starting with them). With "" the model
// guesses from common function words; texts it cannot place get a neutral
// language feature.
//
// # Training and evaluation
//
// The embedded model is trained by cmd/modtrain (deterministic: fixed
// seed and order) on the development halves of public data sets plus a
// small synthetic set written for the project; TRAINING.md gives the
// recipe, the label mapping, the data attribution and held-out
// (cross-validated) results measured by cmd/modeval.
//
// # Limits
//
// Like most models trained on hate-speech data, it over-associates
// identity words ("muslims", "immigrants", "les juifs") with hate: a
// neutral sentence about a group can score near 0.5 on Hate; the pipeline
// should not act on the classifier alone for such scores. MLMA's labels
// are too noisy to learn from reliably (see TRAINING.md), so French
// toxicity outside HateCheck-like sentences rests on little data. Spam in
// French is learned from synthetic examples only. Nearly every comment
// with a link in the YouTube spam data is spam, so a short comment that
// is mostly a link (to a video, to lyrics) scores high on Spam.
//
// # Errors
//
// Load returns errors wrapping ErrInvalidModel for data that is not a
// compatible model file; Train returns ErrNoExamples for an empty set and
// descriptive errors for out-of-range options or weights. Predict never
// fails: invalid UTF-8 and empty texts score like any other text.
package classifier
