package metrics

import (
	"math"
	"math/bits"
)

// Kind identifies one kind of counted event: an interaction (like, comment,
// share, save, click, video view), an impression, or a follow or unfollow.
// The zero Kind is not a valid kind.
type Kind uint8

// The kinds of events the package counts. KindLike..KindVideoView are
// interactions and may count towards engagements (see Kinds); KindImpression,
// KindFollow and KindUnfollow are additive counters used as denominators and
// for audience churn.
const (
	KindLike       Kind = iota + 1 // a like or any other reaction (love, haha, ...)
	KindComment                    // a comment or reply
	KindShare                      // a share, repost, retweet, boost
	KindSave                       // a save or bookmark
	KindClick                      // a link click
	KindVideoView                  // a video view, as the network counts it
	KindImpression                 // one display of a post
	KindFollow                     // a new follower
	KindUnfollow                   // a lost follower
	numKinds                       // one past the last kind; index 0 is unused
)

var kindNames = [numKinds]string{"invalid", "like", "comment", "share", "save", "click", "video_view", "impression", "follow", "unfollow"}

// String returns the kind's lower-case name, such as "like" or "video_view".
func (k Kind) String() string {
	if !k.Valid() {
		return "Kind(" + itoa(int64(k)) + ")"
	}
	return kindNames[k]
}

// Valid reports whether k is one of the declared kinds.
func (k Kind) Valid() bool { return k >= KindLike && k < numKinds }

// Interaction reports whether k is an interaction kind, one that can count
// towards engagements: KindLike through KindVideoView.
func (k Kind) Interaction() bool { return k >= KindLike && k <= KindVideoView }

func itoa(n int64) string {
	var b [20]byte
	i := len(b)
	u := uint64(n)
	for {
		i--
		b[i] = byte('0' + u%10)
		u /= 10
		if u == 0 {
			break
		}
	}
	return string(b[i:])
}

// Kinds is a set of interaction kinds: the ones that count towards
// "engagements". Build one with KindsOf or by or-ing sets together.
type Kinds uint16

// DefaultEngagementKinds is likes + comments + shares + saves, the
// convention of Hootsuite's and Sprout Social's engagement rate formulas.
// Clicks and video views are opt-in: add them with
// DefaultEngagementKinds | KindsOf(KindClick).
const DefaultEngagementKinds = Kinds(1<<KindLike | 1<<KindComment | 1<<KindShare | 1<<KindSave)

const interactionKinds = Kinds(1<<KindLike | 1<<KindComment | 1<<KindShare | 1<<KindSave | 1<<KindClick | 1<<KindVideoView)

// KindsOf returns the set holding the given kinds. Non-interaction kinds
// make the set invalid: functions taking it return an *InputError.
func KindsOf(kinds ...Kind) Kinds {
	var s Kinds
	for _, k := range kinds {
		if k < 16 {
			s |= 1 << k
		}
	}
	return s
}

// Has reports whether k is in the set.
func (s Kinds) Has(k Kind) bool { return k < 16 && s&(1<<k) != 0 }

func (s Kinds) check(fn string) error {
	if s == 0 {
		return invalid(fn, "kinds", 0, "empty set: no interaction counts towards engagements")
	}
	if s&^interactionKinds != 0 {
		return invalid(fn, "kinds", float64(s), "only interaction kinds (KindLike..KindVideoView) can count towards engagements")
	}
	return nil
}

// Interactions holds a post's (or a period's) interaction counts. Likes
// holds every kind of reaction.
type Interactions struct {
	Likes      int64
	Comments   int64
	Shares     int64
	Saves      int64
	Clicks     int64
	VideoViews int64
}

// Count returns the count for an interaction kind, 0 for other kinds.
func (in Interactions) Count(k Kind) int64 {
	switch k {
	case KindLike:
		return in.Likes
	case KindComment:
		return in.Comments
	case KindShare:
		return in.Shares
	case KindSave:
		return in.Saves
	case KindClick:
		return in.Clicks
	case KindVideoView:
		return in.VideoViews
	}
	return 0
}

func (in *Interactions) add(k Kind, n int64) {
	switch k {
	case KindLike:
		in.Likes += n
	case KindComment:
		in.Comments += n
	case KindShare:
		in.Shares += n
	case KindSave:
		in.Saves += n
	case KindClick:
		in.Clicks += n
	case KindVideoView:
		in.VideoViews += n
	}
}

var interactionFields = [numKinds]string{KindLike: "Likes", KindComment: "Comments", KindShare: "Shares", KindSave: "Saves", KindClick: "Clicks", KindVideoView: "VideoViews"}

// engagements returns the sum of the selected counts as a float64 (which
// cannot overflow) after validating every count and the set.
func (in Interactions) engagements(fn string, kinds Kinds) (float64, error) {
	if err := kinds.check(fn); err != nil {
		return 0, err
	}
	var sum float64
	for k := KindLike; k <= KindVideoView; k++ {
		n := in.Count(k)
		if err := count(fn, interactionFields[k], n); err != nil {
			return 0, err
		}
		if kinds.Has(k) {
			sum += float64(n)
		}
	}
	return sum, nil
}

// Engagements returns the number of engagements: the sum of the counts
// whose kind is in kinds (DefaultEngagementKinds: likes + comments + shares
// + saves, per Hootsuite and Sprout Social). It returns an *InputError for
// a negative count, an empty or invalid set, or a sum that does not fit in
// an int64.
func (in Interactions) Engagements(kinds Kinds) (int64, error) {
	const fn = "Interactions.Engagements"
	if _, err := in.engagements(fn, kinds); err != nil {
		return 0, err
	}
	var sum uint64
	for k := KindLike; k <= KindVideoView; k++ {
		if !kinds.Has(k) {
			continue
		}
		var carry uint64
		sum, carry = bits.Add64(sum, uint64(in.Count(k)), 0)
		if carry != 0 || sum > math.MaxInt64 {
			return 0, invalid(fn, interactionFields[k], float64(in.Count(k)), "sum of counts overflows int64")
		}
	}
	return int64(sum), nil
}

// EngagementRate returns engagements / denominator, where engagements is
// the sum of the counts in kinds (see Interactions.Engagements) and the
// denominator is the audience the rate is relative to: followers, reach
// or impressions. This is the engagement rate of Hootsuite and Sprout
// Social, returned as a fraction (0.034, not 3.4). It can exceed 1.
// A zero denominator returns ErrUndefined.
func EngagementRate(in Interactions, kinds Kinds, denominator int64) (float64, error) {
	const fn = "EngagementRate"
	e, err := in.engagements(fn, kinds)
	if err != nil {
		return 0, err
	}
	if err := count(fn, "denominator", denominator); err != nil {
		return 0, err
	}
	if denominator == 0 {
		return 0, ErrUndefined
	}
	return e / float64(denominator), nil
}

// Basis selects the denominator of an engagement rate.
type Basis uint8

// The denominators of an engagement rate.
const (
	// ByImpressions divides by impressions: Hootsuite's "engagement rate by
	// impressions", the rate per display.
	ByImpressions Basis = iota + 1
	// ByReach divides by reach, the unique accounts that saw the post:
	// Hootsuite's "ERR", the default of Meta Insights-based reports.
	ByReach
	// ByFollowers divides by the account's followers when the post was
	// published: Hootsuite's "ER post", Sprout Social's "engagement rate
	// (per follower)".
	ByFollowers
)

// String returns "impressions", "reach" or "followers".
func (b Basis) String() string {
	switch b {
	case ByImpressions:
		return "impressions"
	case ByReach:
		return "reach"
	case ByFollowers:
		return "followers"
	}
	return "Basis(" + itoa(int64(b)) + ")"
}

// PostStats holds what a network reports about one post.
type PostStats struct {
	Interactions
	// Impressions counts displays of the post, repeated views included.
	Impressions int64
	// Reach counts unique accounts that saw the post.
	Reach int64
	// FollowersAtPost is the account's follower count when the post was
	// published.
	FollowersAtPost int64
}

func (p PostStats) denominator(fn string, by Basis) (int64, error) {
	var n int64
	var field string
	switch by {
	case ByImpressions:
		n, field = p.Impressions, "Impressions"
	case ByReach:
		n, field = p.Reach, "Reach"
	case ByFollowers:
		n, field = p.FollowersAtPost, "FollowersAtPost"
	default:
		return 0, invalid(fn, "by", float64(by), "unknown Basis")
	}
	if err := count(fn, field, n); err != nil {
		return 0, err
	}
	return n, nil
}

// PostEngagementRate returns one post's engagement rate on the given
// basis: engagements / impressions, / reach or / followers at post time
// (see EngagementRate and Basis). A zero denominator returns ErrUndefined.
func PostEngagementRate(p PostStats, kinds Kinds, by Basis) (float64, error) {
	const fn = "PostEngagementRate"
	e, err := p.engagements(fn, kinds)
	if err != nil {
		return 0, err
	}
	d, err := p.denominator(fn, by)
	if err != nil {
		return 0, err
	}
	if d == 0 {
		return 0, ErrUndefined
	}
	return e / float64(d), nil
}

// MeanEngagementRate returns the mean of the per-post engagement rates,
// Σ(engagementsᵢ / denominatorᵢ) / n, Hootsuite's "average engagement rate
// per post": every post weighs the same, however many people saw it.
// Posts whose denominator is zero have no rate and are skipped (n counts
// only the others); if no post has a rate, it returns ErrUndefined.
// Compare PooledEngagementRate.
func MeanEngagementRate(posts []PostStats, kinds Kinds, by Basis) (float64, error) {
	const fn = "MeanEngagementRate"
	var sum float64
	var n int
	for i, p := range posts {
		e, err := p.engagements(fn, kinds)
		if err != nil {
			return 0, inPost(err, i)
		}
		d, err := p.denominator(fn, by)
		if err != nil {
			return 0, inPost(err, i)
		}
		if d == 0 {
			continue
		}
		sum += e / float64(d)
		n++
	}
	if n == 0 {
		return 0, ErrUndefined
	}
	return sum / float64(n), nil
}

// PooledEngagementRate returns the rate of the sums,
// Σ engagementsᵢ / Σ denominatorᵢ: total engagements over total
// impressions, reach or followers. Posts seen by more people weigh more;
// this is the rate of the period as a whole. Sums are accumulated in
// float64 and cannot overflow. A zero total denominator (including no
// posts) returns ErrUndefined. Compare MeanEngagementRate.
func PooledEngagementRate(posts []PostStats, kinds Kinds, by Basis) (float64, error) {
	const fn = "PooledEngagementRate"
	var num, den float64
	for i, p := range posts {
		e, err := p.engagements(fn, kinds)
		if err != nil {
			return 0, inPost(err, i)
		}
		d, err := p.denominator(fn, by)
		if err != nil {
			return 0, inPost(err, i)
		}
		num += e
		den += float64(d)
	}
	if den == 0 {
		return 0, ErrUndefined
	}
	return num / den, nil
}

// inPost qualifies the field of an *InputError about one post's field with
// the post's index, e.g. "posts[3].Impressions".
func inPost(err error, i int) error {
	if ie, ok := err.(*InputError); ok && ie.Field != "kinds" && ie.Field != "by" {
		ie.Field = indexed("posts", i) + "." + ie.Field
	}
	return err
}
