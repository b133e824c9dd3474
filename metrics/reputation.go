package metrics

// ShareOfVoice returns own / (own + Σ competitors): the brand's share of
// the mentions of every tracked brand, own included (the share of voice of
// social listening tools such as Sprout Social, Brandwatch, Talkwalker).
// Sums are accumulated in float64 and cannot overflow. No mentions at all
// returns ErrUndefined.
func ShareOfVoice(own int64, competitors ...int64) (float64, error) {
	const fn = "ShareOfVoice"
	if err := count(fn, "own", own); err != nil {
		return 0, err
	}
	total := float64(own)
	for i, c := range competitors {
		if err := count(fn, indexed("competitors", i), c); err != nil {
			return 0, err
		}
		total += float64(c)
	}
	if total == 0 {
		return 0, ErrUndefined
	}
	return float64(own) / total, nil
}

// NetSentiment returns the net sentiment score,
// (positive - negative) / (positive + negative + neutral), in [-1, 1]
// (Sprout Social's and Brandwatch's net sentiment, neutral mentions in the
// total). No mentions returns ErrUndefined.
func NetSentiment(positive, negative, neutral int64) (float64, error) {
	const fn = "NetSentiment"
	for _, c := range [...]struct {
		field string
		n     int64
	}{{"positive", positive}, {"negative", negative}, {"neutral", neutral}} {
		if err := count(fn, c.field, c.n); err != nil {
			return 0, err
		}
	}
	total := float64(positive) + float64(negative) + float64(neutral)
	if total == 0 {
		return 0, ErrUndefined
	}
	return float64(positive-negative) / total, nil // cannot overflow: both non-negative
}

// NPS returns the Net Promoter Score of answers to "how likely are you to
// recommend us?" on the 0-10 scale: the percentage of promoters (9-10)
// minus the percentage of detractors (0-6), passives (7-8) counting only
// in the total (Reichheld, "The One Number You Need to Grow", HBR 2003;
// Bain & Company). Following Bain, and unlike the rates of this package,
// the score is on the [-100, 100] scale: 100 × (promoters - detractors) /
// responses. A score outside 0..10 returns an *InputError; no scores
// returns ErrUndefined.
func NPS(scores []int) (float64, error) {
	const fn = "NPS"
	var promoters, passives, detractors int64
	for i, s := range scores {
		switch {
		case s < 0 || s > 10:
			return 0, invalid(fn, indexed("scores", i), float64(s), "must be in 0..10")
		case s >= 9:
			promoters++
		case s >= 7:
			passives++
		default:
			detractors++
		}
	}
	r, err := NPSFromCounts(promoters, passives, detractors)
	if ie, ok := err.(*InputError); ok {
		ie.Func = fn
	}
	return r, err
}

// NPSFromCounts returns the Net Promoter Score from the number of
// promoters (9-10), passives (7-8) and detractors (0-6):
// 100 × (promoters - detractors) / (promoters + passives + detractors),
// in [-100, 100] (see NPS). No responses returns ErrUndefined.
func NPSFromCounts(promoters, passives, detractors int64) (float64, error) {
	const fn = "NPSFromCounts"
	for _, c := range [...]struct {
		field string
		n     int64
	}{{"promoters", promoters}, {"passives", passives}, {"detractors", detractors}} {
		if err := count(fn, c.field, c.n); err != nil {
			return 0, err
		}
	}
	total := float64(promoters) + float64(passives) + float64(detractors)
	if total == 0 {
		return 0, ErrUndefined
	}
	return 100 * float64(promoters-detractors) / total, nil
}

// CSATScale describes a customer satisfaction survey scale: answers run
// from Min to Max and those at or above SatisfiedFrom are satisfied. The
// zero CSATScale means the usual 1-5 scale with 4 and 5 satisfied.
type CSATScale struct {
	Min, Max, SatisfiedFrom int
}

// CSAT returns the customer satisfaction score, satisfied / responses,
// the share of answers at or above scale.SatisfiedFrom (the "top-two-box"
// convention of CSAT surveys and of the ACSI-style 1-5 scale: 4 and 5 are
// satisfied). The zero scale is 1-5 with SatisfiedFrom 4. A score outside
// the scale, or a scale with Min ≥ Max or SatisfiedFrom outside
// (Min, Max], returns an *InputError; no scores returns ErrUndefined.
func CSAT(scores []int, scale CSATScale) (float64, error) {
	const fn = "CSAT"
	if scale == (CSATScale{}) {
		scale = CSATScale{Min: 1, Max: 5, SatisfiedFrom: 4}
	}
	if scale.Min >= scale.Max {
		return 0, invalid(fn, "scale.Max", float64(scale.Max), "must be greater than scale.Min")
	}
	if scale.SatisfiedFrom <= scale.Min || scale.SatisfiedFrom > scale.Max {
		return 0, invalid(fn, "scale.SatisfiedFrom", float64(scale.SatisfiedFrom), "must be in (Min, Max]")
	}
	var satisfied int64
	for i, s := range scores {
		if s < scale.Min || s > scale.Max {
			return 0, invalid(fn, indexed("scores", i), float64(s), "outside the scale")
		}
		if s >= scale.SatisfiedFrom {
			satisfied++
		}
	}
	if len(scores) == 0 {
		return 0, ErrUndefined
	}
	return float64(satisfied) / float64(len(scores)), nil
}
