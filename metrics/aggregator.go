package metrics

import (
	"cmp"
	"math"
	"slices"
	"strings"
	"time"
)

// Granularity is the length of an Aggregator's time buckets.
type Granularity uint8

// The bucket lengths. Buckets are computed in the aggregator's location,
// so they follow its calendar and daylight saving time.
const (
	// Day buckets run from local midnight to the next local midnight:
	// 23 hours on a spring-forward day, 25 on a fall-back day.
	Day Granularity = iota + 1
	// ISOWeek buckets run from Monday 00:00 local time for 7 calendar days;
	// label them with Start.ISOWeek(), the ISO 8601 year and week number.
	ISOWeek
	// Month buckets run from the 1st of the month, 00:00 local time, to
	// the 1st of the next.
	Month
)

// String returns "day", "isoweek" or "month".
func (g Granularity) String() string {
	switch g {
	case Day:
		return "day"
	case ISOWeek:
		return "isoweek"
	case Month:
		return "month"
	}
	return "Granularity(" + itoa(int64(g)) + ")"
}

// AggregatorConfig configures an Aggregator.
type AggregatorConfig struct {
	// Location is the time zone buckets are computed in, an IANA zone
	// from time.LoadLocation such as "Europe/Paris". Defaults to UTC.
	Location *time.Location
	// Granularity is the bucket length. Defaults to Day.
	Granularity Granularity
	// Kinds selects the interactions that count as engagements in the
	// rates of the summaries. Defaults to DefaultEngagementKinds.
	Kinds Kinds
}

// Event is one observation of a count: Count likes, impressions, follows...
// of kind Kind, at Time, on Network, for Post. Post is empty for events
// about the account rather than a post (follows, unfollows, profile-level
// impressions); they count in network and bucket totals only.
type Event struct {
	Time    time.Time
	Network string
	Post    string
	Kind    Kind
	Count   int64
}

type counters [numKinds]int64

func (c *counters) add(o *counters) {
	for k := range c {
		c[k] += o[k]
	}
}

func (c *counters) totals() Totals {
	t := Totals{Impressions: c[KindImpression], Follows: c[KindFollow], Unfollows: c[KindUnfollow]}
	for k := KindLike; k <= KindVideoView; k++ {
		t.add(k, c[k])
	}
	return t
}

// gauge keeps the earliest and the latest observation of a level.
type gauge struct {
	firstT, lastT time.Time
	first, last   int64
	ok            bool
}

// observe records n at t. On equal times the first observation stays the
// earliest and the newest one becomes the latest.
func (g *gauge) observe(t time.Time, n int64) {
	if !g.ok {
		*g = gauge{firstT: t, lastT: t, first: n, last: n, ok: true}
		return
	}
	if t.Before(g.firstT) {
		g.firstT, g.first = t, n
	}
	if !t.Before(g.lastT) {
		g.lastT, g.last = t, n
	}
}

// merge folds o into g; on equal times g's values are kept.
func (g *gauge) merge(o gauge) {
	switch {
	case !o.ok:
	case !g.ok:
		*g = o
	default:
		if o.firstT.Before(g.firstT) {
			g.firstT, g.first = o.firstT, o.first
		}
		if o.lastT.After(g.lastT) {
			g.lastT, g.last = o.lastT, o.last
		}
	}
}

func (g gauge) followers() Followers {
	return Followers{Start: g.first, End: g.last, Observed: g.ok}
}

type network struct {
	name        string
	c           counters
	fol         gauge
	lastBucket  int32 // cache: bucket index of the last event, -1 if none
	lastNB      int32 // cache: network×bucket index for lastBucket
	lastPost    int32 // cache: post index of the last event, -1 if none
	lastPostKey string
}

type post struct {
	net   int32
	name  string
	c     counters
	reach int64
}

type bucket struct {
	start, end int64 // Unix seconds, [start, end)
	c          counters
}

type netBucket struct {
	net, bucket int32
	c           counters
	fol         gauge
}

type postKey struct {
	net  int32
	name string
}

type nbKey struct{ net, bucket int32 }

// Aggregator totals a stream of events per network, per post, per time
// bucket and per network and bucket, and answers with Summary values that
// compute the rates of this package. Its memory grows with the number of
// distinct networks, posts and buckets, never with the number of events.
//
// Impressions, interactions, follows and unfollows are additive and are
// summed. Reach is not additive (the same person reached twice is one
// person): record it per post with ObserveReach, which keeps the largest
// value. Follower counts are levels, not flows: record them with
// ObserveFollowers, which keeps per network and per network and bucket the
// earliest and the latest observation.
//
// An Aggregator is not safe for concurrent use: give each goroutine its own
// and combine them with Merge, or guard one with a mutex. The zero value
// is not usable; call NewAggregator.
type Aggregator struct {
	loc   *time.Location
	gran  Granularity
	kinds Kinds
	total counters

	nets   []network
	netIdx map[string]int32
	posts  []post
	postIx map[postKey]int32

	buckets []bucket
	starts  []int64 // bucket starts, sorted
	order   []int32 // bucket indices in the order of starts
	nbs     []netBucket
	nbIdx   map[nbKey]int32

	// The bucket of the last event, reused while events stay inside it.
	curStart, curEnd int64
	cur              int32
	lastNet          int32
}

// NewAggregator returns an empty Aggregator. An unknown Granularity or an
// invalid Kinds set returns an *InputError.
func NewAggregator(cfg AggregatorConfig) (*Aggregator, error) {
	const fn = "NewAggregator"
	if cfg.Location == nil {
		cfg.Location = time.UTC
	}
	if cfg.Granularity == 0 {
		cfg.Granularity = Day
	}
	if cfg.Granularity > Month {
		return nil, invalid(fn, "cfg.Granularity", float64(cfg.Granularity), "unknown Granularity")
	}
	if cfg.Kinds == 0 {
		cfg.Kinds = DefaultEngagementKinds
	}
	if err := cfg.Kinds.check(fn); err != nil {
		return nil, err
	}
	return &Aggregator{
		loc:      cfg.Location,
		gran:     cfg.Granularity,
		kinds:    cfg.Kinds,
		netIdx:   make(map[string]int32),
		postIx:   make(map[postKey]int32),
		nbIdx:    make(map[nbKey]int32),
		curStart: math.MaxInt64,
		curEnd:   math.MinInt64,
		cur:      -1,
		lastNet:  -1,
	}, nil
}

func checkEventFields(fn string, t time.Time, network string) error {
	if t.IsZero() {
		return invalid(fn, "Time", 0, "zero time")
	}
	if network == "" {
		return invalid(fn, "Network", 0, "empty network name")
	}
	return nil
}

// Add counts one event. An event with a negative Count, an unknown Kind,
// an empty Network or a zero Time, or one that would overflow the int64
// total of its kind, returns an *InputError and is not counted.
//
// Add does not allocate once the event's network, post and bucket have
// been seen, and does no time-zone arithmetic while events stay in the
// current bucket.
func (a *Aggregator) Add(e Event) error {
	const fn = "Aggregator.Add"
	if e.Count < 0 {
		return invalid(fn, "Count", float64(e.Count), reasonNegative)
	}
	if !e.Kind.Valid() {
		return invalid(fn, "Kind", float64(e.Kind), "unknown Kind")
	}
	if err := checkEventFields(fn, e.Time, e.Network); err != nil {
		return err
	}
	k := e.Kind
	if a.total[k] > math.MaxInt64-e.Count {
		// Every other counter of this kind is at most the total.
		return invalid(fn, "Count", float64(e.Count), "the total for "+k.String()+" would overflow int64")
	}
	b := a.bucketOf(e.Time)
	n := a.network(e.Network)
	nb := a.netBucket(n, b)
	a.total[k] += e.Count
	a.nets[n].c[k] += e.Count
	a.buckets[b].c[k] += e.Count
	a.nbs[nb].c[k] += e.Count
	if e.Post != "" {
		a.posts[a.post(n, e.Post)].c[k] += e.Count
	}
	return nil
}

// ObserveFollowers records that network had n followers at t. A negative
// n, an empty network or a zero t returns an *InputError.
func (a *Aggregator) ObserveFollowers(t time.Time, network string, n int64) error {
	const fn = "Aggregator.ObserveFollowers"
	if err := count(fn, "n", n); err != nil {
		return err
	}
	if err := checkEventFields(fn, t, network); err != nil {
		return err
	}
	b := a.bucketOf(t)
	ni := a.network(network)
	a.nets[ni].fol.observe(t, n)
	a.nbs[a.netBucket(ni, b)].fol.observe(t, n)
	return nil
}

// ObserveReach records the reach of a post as its network reports it; the
// post keeps the largest value observed, since a post's reach only grows.
// A negative reach, an empty network or an empty post returns an
// *InputError.
func (a *Aggregator) ObserveReach(network, postID string, reach int64) error {
	const fn = "Aggregator.ObserveReach"
	if err := count(fn, "reach", reach); err != nil {
		return err
	}
	if network == "" {
		return invalid(fn, "network", 0, "empty network name")
	}
	if postID == "" {
		return invalid(fn, "postID", 0, "empty post ID")
	}
	p := &a.posts[a.post(a.network(network), postID)]
	p.reach = max(p.reach, reach)
	return nil
}

// bucketOf returns the index of t's bucket, creating it if needed.
func (a *Aggregator) bucketOf(t time.Time) int32 {
	s := t.Unix() // floor; bucket bounds are whole seconds
	if s >= a.curStart && s < a.curEnd {
		return a.cur
	}
	// Buckets partition the timeline: the candidate is the last one
	// starting at or before s.
	i, j := 0, len(a.starts) // find i, the number of starts ≤ s
	for i < j {
		h := int(uint(i+j) >> 1)
		if a.starts[h] <= s {
			i = h + 1
		} else {
			j = h
		}
	}
	if i > 0 {
		if b := a.order[i-1]; s < a.buckets[b].end {
			a.cur, a.curStart, a.curEnd = b, a.buckets[b].start, a.buckets[b].end
			return b
		}
	}
	start, end := a.bounds(t)
	b := a.bucketAt(start, end)
	a.cur, a.curStart, a.curEnd = b, start, end
	return b
}

// bounds computes t's bucket in the aggregator's location.
func (a *Aggregator) bounds(t time.Time) (start, end int64) {
	lt := t.In(a.loc)
	y, m, d := lt.Date()
	var s, e time.Time
	switch a.gran {
	case ISOWeek:
		d -= (int(lt.Weekday()) + 6) % 7 // back to Monday
		s = time.Date(y, m, d, 0, 0, 0, 0, a.loc)
		e = time.Date(y, m, d+7, 0, 0, 0, 0, a.loc)
	case Month:
		s = time.Date(y, m, 1, 0, 0, 0, 0, a.loc)
		e = time.Date(y, m+1, 1, 0, 0, 0, 0, a.loc)
	default:
		s = time.Date(y, m, d, 0, 0, 0, 0, a.loc)
		e = time.Date(y, m, d+1, 0, 0, 0, 0, a.loc)
	}
	return s.Unix(), e.Unix()
}

// bucketAt returns the bucket starting at start, creating it if needed.
func (a *Aggregator) bucketAt(start, end int64) int32 {
	i, found := slices.BinarySearch(a.starts, start)
	if found {
		return a.order[i]
	}
	b := int32(len(a.buckets))
	a.buckets = append(a.buckets, bucket{start: start, end: end})
	a.starts = slices.Insert(a.starts, i, start)
	a.order = slices.Insert(a.order, i, b)
	return b
}

// network returns the index of a network, creating it if needed.
func (a *Aggregator) network(name string) int32 {
	if a.lastNet >= 0 && a.nets[a.lastNet].name == name {
		return a.lastNet
	}
	if len(a.nets) <= 8 { // a few networks: comparing names beats hashing
		for i := range a.nets {
			if a.nets[i].name == name {
				a.lastNet = int32(i)
				return int32(i)
			}
		}
	}
	n, ok := a.netIdx[name]
	if !ok {
		n = int32(len(a.nets))
		name = strings.Clone(name) // do not retain the caller's buffer
		a.nets = append(a.nets, network{name: name, lastBucket: -1, lastNB: -1, lastPost: -1})
		a.netIdx[name] = n
	}
	a.lastNet = n
	return n
}

func (a *Aggregator) netBucket(n, b int32) int32 {
	nr := &a.nets[n]
	if nr.lastBucket == b {
		return nr.lastNB
	}
	key := nbKey{n, b}
	nb, ok := a.nbIdx[key]
	if !ok {
		nb = int32(len(a.nbs))
		a.nbs = append(a.nbs, netBucket{net: n, bucket: b})
		a.nbIdx[key] = nb
	}
	nr.lastBucket, nr.lastNB = b, nb
	return nb
}

func (a *Aggregator) post(n int32, name string) int32 {
	nr := &a.nets[n]
	if nr.lastPost >= 0 && nr.lastPostKey == name {
		return nr.lastPost
	}
	p, ok := a.postIx[postKey{n, name}]
	if !ok {
		p = int32(len(a.posts))
		name = strings.Clone(name)
		a.posts = append(a.posts, post{net: n, name: name})
		a.postIx[postKey{n, name}] = p
	}
	nr.lastPost, nr.lastPostKey = p, a.posts[p].name
	return p
}

// Merge adds other's counts and observations into a, so that aggregators
// filled by different goroutines can be combined. other is not modified.
// Both must have the same configuration (location name, granularity,
// kinds). Follower gauges keep the earliest and latest observations of
// either (a's on equal times) and reach the larger value. If other is nil
// or a itself, the configurations differ, or a total would overflow
// int64, Merge returns an *InputError and leaves a unchanged.
func (a *Aggregator) Merge(other *Aggregator) error {
	const fn = "Aggregator.Merge"
	switch {
	case other == nil:
		return invalid(fn, "other", 0, "nil Aggregator")
	case other == a:
		return invalid(fn, "other", 0, "cannot merge an Aggregator into itself")
	case other.loc.String() != a.loc.String():
		return invalid(fn, "other", 0, "different Location: "+other.loc.String()+" vs "+a.loc.String())
	case other.gran != a.gran:
		return invalid(fn, "other", float64(other.gran), "different Granularity")
	case other.kinds != a.kinds:
		return invalid(fn, "other", float64(other.kinds), "different Kinds")
	}
	for k := range a.total {
		if a.total[k] > math.MaxInt64-other.total[k] {
			return invalid(fn, "other", float64(other.total[k]), "the total for "+Kind(k).String()+" would overflow int64")
		}
	}
	a.total.add(&other.total)
	bmap := make([]int32, len(other.buckets))
	for i, b := range other.buckets {
		bmap[i] = a.bucketAt(b.start, b.end)
		a.buckets[bmap[i]].c.add(&b.c)
	}
	nmap := make([]int32, len(other.nets))
	for i := range other.nets {
		o := &other.nets[i]
		nmap[i] = a.network(o.name)
		n := &a.nets[nmap[i]]
		n.c.add(&o.c)
		n.fol.merge(o.fol)
	}
	for i := range other.nbs {
		o := &other.nbs[i]
		nb := &a.nbs[a.netBucket(nmap[o.net], bmap[o.bucket])]
		nb.c.add(&o.c)
		nb.fol.merge(o.fol)
	}
	for i := range other.posts {
		o := &other.posts[i]
		p := &a.posts[a.post(nmap[o.net], o.name)]
		p.c.add(&o.c)
		p.reach = max(p.reach, o.reach)
	}
	return nil
}

// Totals holds summed counts: interactions, impressions, follows and
// unfollows.
type Totals struct {
	Interactions
	Impressions int64
	Follows     int64
	Unfollows   int64
}

// Followers holds the earliest (Start) and latest (End) follower counts
// observed in a summary's span. Observed is false when there were none.
type Followers struct {
	Start, End int64
	Observed   bool
}

// Summary is what an Aggregator knows about one network, post, bucket,
// network and bucket, or everything. Its methods compute this package's
// rates from it, with the aggregator's Kinds as engagements.
type Summary struct {
	// Network is the network, or "" for a summary across networks.
	Network string
	// Post is the post ID for a post summary, else "".
	Post string
	// Start and End bound the summary's time span [Start, End) in the
	// aggregator's location: one bucket, or for network and overall
	// summaries from the first bucket's start to the last bucket's end.
	// Both are zero for post summaries and when nothing was added.
	Start, End time.Time
	Totals
	// Reach is the largest reach observed for a post (ObserveReach), and
	// zero for other summaries: reach does not add up across posts.
	Reach int64
	// Followers holds the network's follower observations in the span.
	// Summaries across networks (buckets, the overall total) and post
	// summaries have none: audiences overlap across networks.
	Followers Followers
	// Kinds is the set of interactions counted as engagements.
	Kinds Kinds
}

// Engagements returns the summary's engagements, the sum of the counts in
// s.Kinds (see Interactions.Engagements).
func (s Summary) Engagements() (int64, error) {
	return s.Interactions.Engagements(s.Kinds)
}

// EngagementRate returns engagements / impressions, / reach (post
// summaries) or / followers (the latest observation, Followers.End, in
// network summaries), per EngagementRate. A summary without the
// denominator returns ErrUndefined.
func (s Summary) EngagementRate(by Basis) (float64, error) {
	var d int64
	switch by {
	case ByImpressions:
		d = s.Impressions
	case ByReach:
		d = s.Reach
	case ByFollowers:
		d = s.Followers.End
	default:
		return 0, invalid("Summary.EngagementRate", "by", float64(by), "unknown Basis")
	}
	return EngagementRate(s.Interactions, s.Kinds, d)
}

// ViralityRate returns Shares / Impressions (see ViralityRate).
func (s Summary) ViralityRate() (float64, error) { return ViralityRate(s.Shares, s.Impressions) }

// ClickThroughRate returns Clicks / Impressions (see ClickThroughRate).
func (s Summary) ClickThroughRate() (float64, error) {
	return ClickThroughRate(s.Clicks, s.Impressions)
}

// GrowthRate returns (Followers.End - Followers.Start) / Followers.Start
// (see GrowthRate); ErrUndefined without follower observations.
func (s Summary) GrowthRate() (float64, error) {
	if !s.Followers.Observed {
		return 0, ErrUndefined
	}
	return GrowthRate(s.Followers.Start, s.Followers.End)
}

// ChurnRate returns Unfollows / Followers.Start (see ChurnRate);
// ErrUndefined without follower observations.
func (s Summary) ChurnRate() (float64, error) {
	if !s.Followers.Observed {
		return 0, ErrUndefined
	}
	return ChurnRate(s.Unfollows, s.Followers.Start)
}

func (a *Aggregator) timeOf(unix int64) time.Time { return time.Unix(unix, 0).In(a.loc) }

// span returns the time span of a set of buckets, zero if empty.
func (a *Aggregator) span(lo, hi int64) (time.Time, time.Time) {
	if lo > hi {
		return time.Time{}, time.Time{}
	}
	return a.timeOf(lo), a.timeOf(hi)
}

// Total returns the summary of every event added.
func (a *Aggregator) Total() Summary {
	s := Summary{Totals: a.total.totals(), Kinds: a.kinds}
	if n := len(a.order); n > 0 {
		s.Start, s.End = a.span(a.buckets[a.order[0]].start, a.buckets[a.order[n-1]].end)
	}
	return s
}

// Networks returns one summary per network, sorted by network name.
func (a *Aggregator) Networks() []Summary {
	lo := make([]int64, len(a.nets))
	hi := make([]int64, len(a.nets))
	for i := range lo {
		lo[i], hi[i] = math.MaxInt64, math.MinInt64
	}
	for _, nb := range a.nbs {
		b := &a.buckets[nb.bucket]
		lo[nb.net], hi[nb.net] = min(lo[nb.net], b.start), max(hi[nb.net], b.end)
	}
	out := make([]Summary, len(a.nets))
	for i := range a.nets {
		n := &a.nets[i]
		out[i] = Summary{Network: n.name, Totals: n.c.totals(), Followers: n.fol.followers(), Kinds: a.kinds}
		out[i].Start, out[i].End = a.span(lo[i], hi[i])
	}
	slices.SortFunc(out, func(x, y Summary) int { return strings.Compare(x.Network, y.Network) })
	return out
}

// Network returns the summary of one network, and false if the
// aggregator has seen nothing of it.
func (a *Aggregator) Network(name string) (Summary, bool) {
	if _, ok := a.netIdx[name]; !ok {
		return Summary{}, false
	}
	for _, s := range a.Networks() {
		if s.Network == name {
			return s, true
		}
	}
	return Summary{}, false
}

// Posts returns one summary per post, sorted by network then post ID.
func (a *Aggregator) Posts() []Summary {
	out := make([]Summary, len(a.posts))
	for i := range a.posts {
		p := &a.posts[i]
		out[i] = Summary{Network: a.nets[p.net].name, Post: p.name, Totals: p.c.totals(), Reach: p.reach, Kinds: a.kinds}
	}
	slices.SortFunc(out, func(x, y Summary) int {
		return cmp.Or(strings.Compare(x.Network, y.Network), strings.Compare(x.Post, y.Post))
	})
	return out
}

// Buckets returns one summary per time bucket across networks, sorted by
// start time. Only buckets that received an event or an observation are
// present.
func (a *Aggregator) Buckets() []Summary {
	out := make([]Summary, len(a.order))
	for i, b := range a.order {
		bk := &a.buckets[b]
		out[i] = Summary{Totals: bk.c.totals(), Kinds: a.kinds}
		out[i].Start, out[i].End = a.span(bk.start, bk.end)
	}
	return out
}

// NetworkBuckets returns one summary per network and time bucket, sorted
// by network name then start time, with the network's follower
// observations within the bucket.
func (a *Aggregator) NetworkBuckets() []Summary {
	out := make([]Summary, len(a.nbs))
	for i := range a.nbs {
		nb := &a.nbs[i]
		bk := &a.buckets[nb.bucket]
		out[i] = Summary{Network: a.nets[nb.net].name, Totals: nb.c.totals(), Followers: nb.fol.followers(), Kinds: a.kinds}
		out[i].Start, out[i].End = a.span(bk.start, bk.end)
	}
	slices.SortFunc(out, func(x, y Summary) int {
		return cmp.Or(strings.Compare(x.Network, y.Network), x.Start.Compare(y.Start))
	})
	return out
}
