// Package moderation screens comments and messages in French and English:
// a Pipeline of Stages records labels, scores and reasons about an Item and
// decides whether to allow it, hold it for review, hide it or delete it,
// with an explanation a community manager can read.
//
// Its aim is to remove spam, scams, abuse, hate and threats without hiding
// legitimate criticism. It depends on no other cmkit package.
//
// # Pipeline
//
// NewDefaultPipeline(nil) is the built-in French and English pipeline:
//
//	p, err := moderation.NewDefaultPipeline(nil)
//	d, err := p.Moderate(ctx, &moderation.Item{Text: "Ferme-la connard"})
//	// d.Action == moderation.Hide, d.Category == moderation.Toxic
//	// d.Explanation: hide toxic 0.92: lexicon/fr:connard matched "connard" (insult)
//
// NewPipeline assembles any stages. Each StageConfig names its stage,
// bounds it with a Timeout (enforced through its context: a stage that
// overruns counts as failed, whatever it returns) and says whether it
// fails open (the default: the failure is recorded and the pipeline
// decides without it) or closed (FailClosed: the item is held for
// review). A panicking stage counts as failed. Shadow mode records
// decisions without acting: Decision.Shadow is set and neither the
// Applier nor the ReviewQueue is called. A Pipeline is safe for
// concurrent use.
//
// # Stages
//
// A Stage examines an Item and returns a Verdict: Labels with a Category,
// a Score from 0 to 1 and the stage, rule, matched text and reason. The
// built-in stages, in the order of NewDefaultPipeline:
//
//   - a RuleSet (declarative rules, see Rules), if given;
//   - LexiconStage: embedded lexicons of insults, profanity, sexual terms
//     and slurs, scored by severity and by whom they are aimed at;
//   - PatternStage: hate (a protected group with derogation, violence or
//     denial of worth; not when negated, quoted or condemned) and threats
//     ("je vais te tuer", "you're dead", "on sait où tu habites");
//   - SpamStage: lures (WhatsApp, crypto, easy money, prizes, "sub for
//     sub"), shorteners, lookalike and punycode domains of your brands,
//     phone numbers (not counts: "2.124.821.694 views", "1,000,000",
//     "1000000000 views") and e-mail addresses, near-duplicates from
//     several authors, flooding;
//   - CriticismStage: complaints about the brand or its service, with the
//     sentiment of package sentiment as annotation (never to remove);
//   - ClassifierStage: the trained model of package classifier.
//
// ExternalStage wraps an ExternalClassifier (a hosted toxicity API, an
// LLM) with a timeout and a failure policy; none is used by default.
//
// # Normalisation
//
// The text is normalised once per item and shared by the stages. Normalize
// shows the result: NFKC; lower case; Cyrillic and Greek lookalikes folded
// to Latin ("cоnnard" with a Cyrillic о); diacritics removed; leetspeak
// inside words (0→o, 1→i, 3→e, 4→a, 5→s, 7→t, @→a, $→s, !→i: "c0nn4rd",
// "s@lope"); three or more repeated letters cut to two ("connnnard", and
// "fuuuck" matched as "fuck"); letters written apart joined ("c o n n a r
// d", "c.o.n.n.a.r.d"). URLs, @mentions, e-mail addresses and emoji stay
// whole tokens and are never matched against lexicons. Tokenize returns
// the tokens with their kind and position. DetectLanguage tells French
// from English (or "und") so that each language's lexicon does not
// misfire on the other (French "bite" and "con", English "retard").
//
// Lexicon entries are whole words, prefixes (stems) or phrases; an
// allow-list keeps prefixes off innocent words (the Scunthorpe problem:
// "assassin", "cocktail", "concombre", "Pakistan"), and words with an
// innocent meaning ("bitch" for a dog, "chatte" for a cat) count only when
// aimed at someone and outside their innocent context.
//
// # Rules
//
// ParseRules reads declarative rules a community manager can edit, in YAML
// or JSON, in the spirit of Reddit's AutoModerator and Discord's AutoMod.
// Errors name the file and line: "rules.yaml:12: unknown field 'acton'
// (did you mean 'action'?)". A RuleSet is a Stage. The format:
//
//	version: 1                  # optional
//	rules:
//	  - name: crypto-from-new-accounts   # required, unique
//	    description: free text
//	    priority: 10             # -1000..1000; the highest forced action wins
//	    action: delete           # allow | hold | hide | delete; without it the
//	                             # rule only adds a score for the policy
//	    category: scam           # spam | scam | toxic | hate | threat | sexual |
//	                             # personal_data | none
//	    score: 0.9               # 0..1; default 1 with an action, 0.8 without
//	    reason: crypto lure from a new account
//	    enabled: true
//	    # Conditions: all must hold; a list holds when any element does.
//	    words: [bitcoin, crypto*]        # normalised words or phrases; * = prefix
//	    phrases: ["invest with me"]      # same as words
//	    not_words: [arnaque]             # none of these
//	    regex: ['(?i)whats\s*app']        # RE2, on the text as written
//	    link_domains: [bit.ly, t.me]     # the domain or a subdomain
//	    networks: [instagram, x]
//	    languages: [fr, en]              # fr | en | und
//	    author:
//	      account_age_under: 7d          # 90s, 48h, 7d, 2w
//	      account_age_over: 1h
//	      followers_under: 10
//	      followers_at_least: 1000
//	      trust: [unknown, low]          # unknown | low | normal | high
//	      prior_removals_at_least: 2
//	    counts:
//	      links_at_least: 2
//	      mentions_at_least: 5
//	      hashtags_at_least: 10
//	      emojis_at_least: 10
//	      caps_ratio_at_least: 0.8       # share of upper-case letters
//	      length_at_least: 20            # characters
//	      length_under: 500
//
// # Decisions
//
// The Policy adds up the labels of each category (1 − Π(1 − score)) and
// compares the result with the category's Thresholds. DefaultPolicy holds
// from 0.5 and hides from 0.8; it deletes only spam and scams, from 0.95:
// threats and hate are hidden, never deleted automatically unless a
// Delete threshold is set. A forced label (a rule with an action) imposes
// its action; of several, the highest priority wins. A fail-closed stage
// that failed holds the item. The criticism guard allows an item that
// CriticismStage labels a complaint when its only evidence is the
// classifier's hate head, mild toxicity or weak spam signals (score under
// 0.8) (Decision.Complaint marks it for routing to customer care), and
// holds rather than hides a complaint that the classifier finds toxic,
// that also insults or carries abusive words (profanity, sexual terms,
// slurs scored over 0.5: then the classifier's hate head counts again,
// since "bad" and "your" are as common in abuse as in complaints) or that
// the classifier finds confidently spam (self-promotion is not a
// complaint). Decision.Explanation names the stage, the rule and the text
// that matched.
//
// # Review
//
// ReviewQueue holds items for people: PipelineConfig.Review receives held
// items, a reviewer approves or removes them with Resolve, and every
// resolution is audited (who, when, what, the decision before and the
// action after). ExportTSV writes audit entries as training data in the
// lang, label, text format that modeval -input reads (labels clean,
// complaint, spam, scam, toxic, hate, threat). MemoryQueue is the
// in-memory implementation, lost when the program stops; package
// moderation/sqlitequeue keeps the queue and its audit in a SQLite file,
// across restarts and shared by several processes. Package
// moderation/reviewtest is the conformance suite of both, for any other
// implementation. Package moderation/pgqueue, one such implementation,
// keeps the queue and its audit in PostgreSQL, shared by moderation
// workers and reviewers on several machines. An item added again replaces
// its pending entry, which keeps its place in line; of two reviewers
// resolving an item at once, one wins and the other gets
// ErrAlreadyResolved. Resolve returns ErrInvalidReview without a reviewer
// or with a verdict other than Approve or Remove.
//
// # Errors
//
// NewPipeline returns errors matching ErrInvalidConfig; Moderate returns
// ErrInvalidItem for a nil item and the context's error when it ends;
// stage failures are labels, not errors. ParseRules returns *RuleError
// values (errors.As), joined when there are several. Review queues return
// ErrNotFound, ErrAlreadyResolved and ErrInvalidReview.
//
// # Data and licences
//
// The lexicons embed curated entries from LDNOOBW ("List of Dirty,
// Naughty, Obscene, and Otherwise Bad Words", CC BY 4.0) and
// french-badwords-list (MIT); see lexicon/ATTRIBUTION.md. The classifier
// of package classifier is trained on Davidson et al.'s hate speech and
// offensive language data (MIT), MLMA French and English (MIT), HateCheck
// and Multilingual HateCheck (CC BY 4.0), the SMS Spam Collection and the
// UCI YouTube Spam Collection (Alberto, Lochter & Almeida 2015); package
// sentiment builds on VADER (MIT). HateCheck's functionalities guided the
// hate and threat patterns: counter-speech, quotes, negation and
// non-protected targets must pass.
package moderation
