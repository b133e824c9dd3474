package memconnector

import (
	"context"
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/cmkit/cmkit/connectors/driver"
)

// Category is the ground truth of a simulated interaction, for scoring a
// moderation pipeline.
type Category int

// The categories.
const (
	// Praise is a happy customer or fan.
	Praise Category = iota + 1
	// Question asks something a community manager should answer.
	Question
	// Complaint is legitimate criticism: it must be answered, not removed.
	Complaint
	// Spam is promotion, scams and lures (links to shorteners, WhatsApp,
	// crypto, "free followers").
	Spam
	// Abuse is insults aimed at the brand or others.
	Abuse
	// Neutral is chatter that needs nothing.
	Neutral
	numCategories
)

var categoryNames = [numCategories]string{"", "praise", "question", "complaint", "spam", "abuse", "neutral"}

// String returns "praise", "question", "complaint", "spam", "abuse" or
// "neutral".
func (c Category) String() string {
	if c < Praise || c >= numCategories {
		return "Category(" + strconv.Itoa(int(c)) + ")"
	}
	return categoryNames[c]
}

// Unwanted reports whether a moderator should remove or hide an
// interaction of this category: Spam and Abuse.
func (c Category) Unwanted() bool { return c == Spam || c == Abuse }

// maxSimDays bounds SimOptions.Days.
const maxSimDays = 366

// SimOptions configure Simulate. Zero fields take their defaults; for the
// rates and counts, a negative value means none.
type SimOptions struct {
	// Account is the handle of the account whose audience is simulated.
	// Defaults to "brand"; it is created if needed.
	Account string
	// Start is the first instant simulated. Defaults to Days days before
	// the start of the current UTC day (by the network's clock).
	Start time.Time
	// Days is the length of the simulation, 1 to 366. Defaults to 7.
	Days int
	// Followers is the number of followers the account should have at
	// Start; followers are created to reach it. Defaults to 500 when the
	// account has no followers, else to none.
	Followers int
	// DailyGrowth and DailyChurn are the fractions of followers gained and
	// lost per day. Default to 0.01 and 0.003.
	DailyGrowth, DailyChurn float64
	// Languages weighs the languages of simulated users: keys "fr" and
	// "en". Defaults to 50/50.
	Languages map[string]float64
	// PostsPerDay is the rate of posts taken from the built-in editorial
	// calendar when the account has no post before the end of the
	// simulation. Defaults to 1.
	PostsPerDay float64
	// CommentsPerPost is the mean number of comments a post receives.
	// Defaults to 8.
	CommentsPerPost float64
	// ReplyRate is the share of comments answered by another user.
	// Defaults to 0.15.
	ReplyRate float64
	// SpamRate, AbuseRate, ComplaintRate, QuestionRate and NeutralRate are
	// the shares of comments, mentions and messages of each category;
	// Praise is the rest. They default to 0.08, 0.04, 0.10, 0.18 and 0.15
	// and must sum to at most 1.
	SpamRate, AbuseRate, ComplaintRate, QuestionRate, NeutralRate float64
	// MentionsPerDay and MessagesPerDay are the mean numbers of mentions
	// of the account and of direct messages to it per day. Default to 2
	// and 1.
	MentionsPerDay, MessagesPerDay float64
	// Seed, when not zero, replaces NetworkOptions.Seed for this call.
	Seed int64
}

func rate(v, def float64) float64 {
	switch {
	case v < 0:
		return 0
	case v == 0:
		return def
	}
	return v
}

func (o *SimOptions) withDefaults(now time.Time) error {
	if o.Account == "" {
		o.Account = "brand"
	}
	if o.Days == 0 {
		o.Days = 7
	}
	if o.Days < 0 || o.Days > maxSimDays {
		return fmt.Errorf("memconnector: Simulate: Days is %d, want 1 to %d", o.Days, maxSimDays)
	}
	if o.Start.IsZero() {
		o.Start = now.UTC().Truncate(24*time.Hour).AddDate(0, 0, -o.Days)
	}
	if o.Followers < 0 {
		o.Followers = 0
	}
	o.DailyGrowth = rate(o.DailyGrowth, 0.01)
	o.DailyChurn = rate(o.DailyChurn, 0.003)
	o.PostsPerDay = rate(o.PostsPerDay, 1)
	o.CommentsPerPost = rate(o.CommentsPerPost, 8)
	o.ReplyRate = rate(o.ReplyRate, 0.15)
	o.SpamRate = rate(o.SpamRate, 0.08)
	o.AbuseRate = rate(o.AbuseRate, 0.04)
	o.ComplaintRate = rate(o.ComplaintRate, 0.10)
	o.QuestionRate = rate(o.QuestionRate, 0.18)
	o.NeutralRate = rate(o.NeutralRate, 0.15)
	o.MentionsPerDay = rate(o.MentionsPerDay, 2)
	o.MessagesPerDay = rate(o.MessagesPerDay, 1)
	if sum := o.SpamRate + o.AbuseRate + o.ComplaintRate + o.QuestionRate + o.NeutralRate; sum > 1 {
		return fmt.Errorf("memconnector: Simulate: category rates sum to %.2f, more than 1", sum)
	}
	for k, v := range o.Languages {
		if k != "fr" && k != "en" {
			return fmt.Errorf("memconnector: Simulate: language %q has no built-in texts (want fr or en)", k)
		}
		if v < 0 || math.IsNaN(v) {
			return fmt.Errorf("memconnector: Simulate: language %q has weight %v", k, v)
		}
	}
	return nil
}

// Labeled is one interaction created by Simulate, with its ground truth.
type Labeled struct {
	ID       string
	Kind     driver.InteractionKind
	Category Category
	// Author is the handle of the user who wrote it; Language "fr" or "en".
	Author   string
	Language string
	// PostID is the post a comment or reply is on.
	PostID    string
	CreatedAt time.Time
}

// SimReport summarises what Simulate did.
type SimReport struct {
	Account    string
	Start, End time.Time
	// FollowersStart and FollowersEnd are the account's followers before
	// and after; NewFollowers and LostFollowers what happened in between.
	FollowersStart, FollowersEnd int64
	NewFollowers, LostFollowers  int
	// UsersCreated counts the simulated users created.
	UsersCreated int
	// PostsCreated counts calendar posts; PostsEngaged every post that
	// received simulated engagement.
	PostsCreated, PostsEngaged            int
	Comments, Replies, Mentions, Messages int
	Impressions, Reach, Likes, Shares     int64
	Saves, Clicks                         int64
	Categories                            map[Category]int
	Labels                                []Labeled
}

// String summarises the report on a few lines.
func (r SimReport) String() string {
	var b strings.Builder
	fmt.Fprintf(&b, "@%s, %s to %s\n", r.Account, r.Start.UTC().Format("2006-01-02"), r.End.UTC().Format("2006-01-02"))
	fmt.Fprintf(&b, "followers %d -> %d (+%d -%d), %d users created\n",
		r.FollowersStart, r.FollowersEnd, r.NewFollowers, r.LostFollowers, r.UsersCreated)
	fmt.Fprintf(&b, "%d posts engaged (%d created): %d impressions, %d reach, %d likes, %d shares, %d saves, %d clicks\n",
		r.PostsEngaged, r.PostsCreated, r.Impressions, r.Reach, r.Likes, r.Shares, r.Saves, r.Clicks)
	fmt.Fprintf(&b, "%d comments, %d replies, %d mentions, %d messages:", r.Comments, r.Replies, r.Mentions, r.Messages)
	for c := Praise; c < numCategories; c++ {
		fmt.Fprintf(&b, " %s %d", c, r.Categories[c])
	}
	return b.String()
}

type simEvent struct {
	at    time.Time
	apply func()
}

type ref struct{ it *item }

// sim is one run of Simulate. It runs with the network locked.
type sim struct {
	n        *Network
	o        SimOptions
	rng      *rand.Rand
	acc      *user
	end      time.Time
	french   float64
	spammers []*user
	crowd    []*user
	events   []simEvent
	rep      *SimReport
}

// Simulate creates an audience for an account and makes it act over
// o.Days days from o.Start: users (French and English names, account ages
// and follower counts; spammers are young accounts with few followers)
// follow and unfollow, and for each of the account's posts published
// before the end (or, if it has none, posts from a built-in editorial
// calendar) it generates impressions, reach, likes, shares, saves, clicks
// and comments spread over time, plus mentions and direct messages. Every
// comment, reply, mention and message gets a ground-truth Category, in
// the report and through Label.
//
// Interactions carry their simulated timestamps and are created in time
// order. Simulate is deterministic: the same seed, options and prior calls
// give the same network. It is not a driver call (not counted, no faults).
func (n *Network) Simulate(ctx context.Context, o SimOptions) (SimReport, error) {
	if ctx == nil {
		return SimReport{}, n.invalid("context", "nil context")
	}
	if err := o.withDefaults(n.now()); err != nil {
		return SimReport{}, err
	}
	n.mu.Lock()
	defer n.mu.Unlock()
	acc, err := n.userLocked(o.Account)
	if err != nil {
		return SimReport{}, err
	}
	n.sims++
	seed := o.Seed
	if seed == 0 {
		seed = n.seed
	}
	s := &sim{
		n: n, o: o, acc: acc,
		rng: rand.New(rand.NewPCG(uint64(seed), n.sims)),
		end: o.Start.AddDate(0, 0, o.Days),
		rep: &SimReport{Account: acc.handle, Start: o.Start, Categories: make(map[Category]int)},
	}
	s.rep.End = s.end
	s.french = 0.5
	if len(o.Languages) > 0 {
		fr, en := o.Languages["fr"], o.Languages["en"]
		if fr+en > 0 {
			s.french = fr / (fr + en)
		}
	}
	if err := s.run(ctx); err != nil {
		return SimReport{}, err
	}
	return *s.rep, nil
}

func (s *sim) run(ctx context.Context) error {
	acc, o := s.acc, s.o
	s.rep.FollowersStart = acc.followerCount()
	target := o.Followers
	if target == 0 && len(acc.followers) == 0 && acc.baseFollowers == 0 {
		target = 500
	}
	for i := len(acc.followers); i < target; i++ {
		follow(s.person(o.Start), acc)
	}
	// Existing posts published before the end get engagement from when
	// they were published (or from Start).
	var existing []*item
	for _, it := range acc.posts {
		if !it.deleted && it.createdAt.Before(s.end) {
			existing = append(existing, it)
		}
	}
	calendarMode := len(existing) == 0 && o.PostsPerDay > 0
	calendarIdx := s.rng.IntN(len(calendar[0]))
	for d := range o.Days {
		if err := ctx.Err(); err != nil {
			return &driver.Error{Code: driver.Canceled, Network: s.n.name, Err: err}
		}
		day := o.Start.AddDate(0, 0, d)
		next := day.AddDate(0, 0, 1)
		if d > 0 {
			s.grow(day)
		}
		for _, it := range existing {
			t0 := it.createdAt
			if t0.Before(o.Start) {
				t0 = o.Start
			}
			if !t0.Before(day) && t0.Before(next) {
				r := &ref{it: it}
				s.engage(r, t0, it.hasVideo())
			}
		}
		if calendarMode {
			for range s.count(o.PostsPerDay) {
				t := day.Add(9*time.Hour + time.Duration(s.rng.Int64N(int64(10*time.Hour))))
				s.calendarPost(t, calendarIdx)
				calendarIdx++
			}
		}
		for range s.poisson(o.MentionsPerDay) {
			s.mention(day.Add(time.Duration(s.rng.Int64N(int64(24 * time.Hour)))))
		}
		for range s.poisson(o.MessagesPerDay) {
			s.message(day.Add(time.Duration(s.rng.Int64N(int64(24 * time.Hour)))))
		}
	}
	slices.SortStableFunc(s.events, func(a, b simEvent) int { return a.at.Compare(b.at) })
	for _, e := range s.events {
		e.apply()
	}
	s.rep.FollowersEnd = acc.followerCount()
	return nil
}

// grow adds and removes followers for one day.
func (s *sim) grow(day time.Time) {
	acc := s.acc
	f := float64(len(acc.followers))
	for range s.count(f * s.o.DailyGrowth * (0.5 + s.rng.Float64())) {
		if follow(s.person(day), acc) {
			s.rep.NewFollowers++
		}
	}
	for range s.count(f * s.o.DailyChurn * (0.5 + s.rng.Float64())) {
		if len(acc.followers) == 0 {
			break
		}
		u := acc.followers[s.rng.IntN(len(acc.followers))]
		if u.simulated && unfollow(u, acc) {
			s.rep.LostFollowers++
		}
	}
}

// count rounds x randomly (floor, plus one with the fractional part's
// probability).
func (s *sim) count(x float64) int {
	if x <= 0 || math.IsNaN(x) {
		return 0
	}
	fl := math.Floor(x)
	k := int(fl)
	if s.rng.Float64() < x-fl {
		k++
	}
	return k
}

func (s *sim) poisson(mean float64) int {
	if mean <= 0 {
		return 0
	}
	if mean > 30 {
		return max(0, int(math.Round(mean+math.Sqrt(mean)*s.rng.NormFloat64())))
	}
	l, k, p := math.Exp(-mean), 0, 1.0
	for {
		p *= s.rng.Float64()
		if p <= l {
			return k
		}
		k++
	}
}

func (s *sim) lang() int {
	if s.rng.Float64() < s.french {
		return 0
	}
	return 1
}

var asciiFold = strings.NewReplacer("é", "e", "è", "e", "ê", "e", "ë", "e", "à", "a", "â", "a",
	"ç", "c", "î", "i", "ï", "i", "ô", "o", "ù", "u", "û", "u", "ü", "u", "É", "e", "œ", "oe")

// uniqueHandle returns h, or h with digits appended, unused on the network.
func (s *sim) uniqueHandle(h string) string {
	if len(h) > 50 {
		h = h[:50]
	}
	c := h
	for {
		if _, taken := s.n.users[strings.ToLower(c)]; !taken {
			return c
		}
		c = h + strconv.Itoa(s.rng.IntN(9000)+100)
	}
}

// person creates a regular simulated user, around t.
func (s *sim) person(t time.Time) *user {
	li := s.lang()
	first := firstNames[li][s.rng.IntN(len(firstNames[li]))]
	last := lastNames[li][s.rng.IntN(len(lastNames[li]))]
	f, l := strings.ToLower(asciiFold.Replace(first)), strings.ToLower(asciiFold.Replace(last))
	var h string
	switch s.rng.IntN(4) {
	case 0:
		h = f + "." + l
	case 1:
		h = f + l + strconv.Itoa(s.rng.IntN(99)+1)
	case 2:
		h = f[:1] + "_" + l
	default:
		h = f + "_" + l + strconv.Itoa(s.rng.IntN(30)+70)
	}
	u := s.newUser(s.uniqueHandle(h), first+" "+last, li)
	u.createdAt = t.Add(-time.Duration(200+s.rng.IntN(12*365)) * 24 * time.Hour)
	u.baseFollowers = int64(math.Exp(4.5 + 1.2*s.rng.NormFloat64()))
	if s.rng.Float64() < 0.01 {
		u.baseFollowers = 10000 + s.rng.Int64N(190000)
		u.verified = true
	}
	return u
}

func (s *sim) newUser(handle, name string, li int) *user {
	n := s.n
	u := &user{id: n.nextID('u'), handle: handle, name: name, simulated: true, lang: [2]string{"fr", "en"}[li]}
	n.users[strings.ToLower(handle)] = u
	n.userIDs[u.id] = u
	s.rep.UsersCreated++
	return u
}

// spammer returns a spam account: a new one half of the time.
func (s *sim) spammer(t time.Time) *user {
	if len(s.spammers) > 0 && s.rng.IntN(2) == 0 {
		return s.spammers[s.rng.IntN(len(s.spammers))]
	}
	sn := spamNames[s.rng.IntN(len(spamNames))]
	u := s.newUser(s.uniqueHandle(sn.handle+strconv.Itoa(s.rng.IntN(9000)+1000)), sn.name, s.lang())
	u.createdAt = t.Add(-time.Duration(1+s.rng.IntN(30))*24*time.Hour - time.Duration(s.rng.IntN(24))*time.Hour)
	u.baseFollowers = int64(s.rng.IntN(25))
	s.spammers = append(s.spammers, u)
	return u
}

// follower returns a random follower of the account, or a new person.
func (s *sim) follower(t time.Time) *user {
	if len(s.acc.followers) == 0 {
		return s.stranger(t)
	}
	return s.acc.followers[s.rng.IntN(len(s.acc.followers))]
}

// stranger returns a user who does not follow the account.
func (s *sim) stranger(t time.Time) *user {
	if len(s.crowd) > 0 && s.rng.IntN(3) > 0 {
		return s.crowd[s.rng.IntN(len(s.crowd))]
	}
	u := s.person(t)
	s.crowd = append(s.crowd, u)
	return u
}

func (s *sim) category() Category {
	o := s.o
	x := s.rng.Float64()
	for _, c := range [...]struct {
		c Category
		r float64
	}{{Spam, o.SpamRate}, {Abuse, o.AbuseRate}, {Complaint, o.ComplaintRate}, {Question, o.QuestionRate}, {Neutral, o.NeutralRate}} {
		if x < c.r {
			return c.c
		}
		x -= c.r
	}
	return Praise
}

func (s *sim) author(c Category, t time.Time) *user {
	switch c {
	case Spam:
		return s.spammer(t)
	case Abuse:
		if s.rng.IntN(2) == 0 {
			return s.stranger(t)
		}
	}
	return s.follower(t)
}

func langIndex(u *user) int {
	if u.lang == "en" {
		return 1
	}
	return 0
}

// fill replaces the placeholders of a template.
func (s *sim) fill(t string, li int) string {
	for _, p := range [...]struct {
		name string
		val  func() string
	}{
		{"{city}", func() string { return cities[li][s.rng.IntN(len(cities[li]))] }},
		{"{product}", func() string { return products[li][s.rng.IntN(len(products[li]))] }},
		{"{n}", func() string { return strconv.Itoa(s.rng.IntN(20) + 5) }},
		{"{link}", func() string { return spamLinks[s.rng.IntN(len(spamLinks))] }},
		{"{brand}", func() string { return s.acc.handle }},
		{"{friend}", func() string { return s.follower(s.o.Start).handle }},
	} {
		if strings.Contains(t, p.name) {
			t = strings.ReplaceAll(t, p.name, p.val())
		}
	}
	return t
}

func (s *sim) pick(bank []string, li int) string {
	return s.fill(bank[s.rng.IntN(len(bank))], li)
}

func (s *sim) label(it *item, kind driver.InteractionKind, c Category) {
	s.n.labels[it.id] = c
	s.rep.Categories[c]++
	l := Labeled{ID: it.id, Kind: kind, Category: c, Author: it.author.handle, Language: it.lang, CreatedAt: it.createdAt}
	if it.post != nil {
		l.PostID = it.post.id
	}
	s.rep.Labels = append(s.rep.Labels, l)
}

func (s *sim) schedule(at time.Time, apply func()) {
	s.events = append(s.events, simEvent{at: at, apply: apply})
}

// calendarPost schedules a post of the editorial calendar at t.
func (s *sim) calendarPost(t time.Time, idx int) {
	li := s.lang()
	text := s.fill(calendar[li][idx%len(calendar[li])], li)
	d := draft{text: text, lang: [2]string{"fr", "en"}[li]}
	video := s.rng.IntN(4) == 0
	m := mediaInfo{kind: driver.MediaImage, mime: "image/jpeg", alt: "Photo", size: 350_000 + s.rng.Int64N(500_000),
		width: 1080, height: 1350, url: "https://" + s.n.name + ".invalid/media/" + strconv.Itoa(idx) + ".jpg"}
	if video {
		m = mediaInfo{kind: driver.MediaVideo, mime: "video/mp4", alt: "Video", size: 8_000_000 + s.rng.Int64N(20_000_000),
			width: 1080, height: 1920, duration: time.Duration(15+s.rng.IntN(45)) * time.Second,
			url: "https://" + s.n.name + ".invalid/media/" + strconv.Itoa(idx) + ".mp4"}
	}
	d.media = []mediaInfo{m}
	r := &ref{}
	s.rep.PostsCreated++
	s.schedule(t, func() {
		r.it = s.n.newPostLocked(s.acc, d, nil, t)
	})
	s.engage(r, t, video)
}

// engage generates the audience's reaction to the post r from t0.
func (s *sim) engage(r *ref, t0 time.Time, video bool) {
	rng, acc := s.rng, s.acc
	s.rep.PostsEngaged++
	aud := float64(acc.followerCount())
	impressions := int64(aud*(0.3+0.6*rng.Float64())) + rng.Int64N(50)
	if rng.Float64() < 0.05 {
		impressions *= int64(2 + rng.IntN(4)) // a post that travels
	}
	reach := int64(float64(impressions) * (0.6 + 0.25*rng.Float64()))
	likes := int64(float64(reach) * (0.02 + 0.06*rng.Float64()))
	e := Engagement{
		Impressions: impressions,
		Reach:       reach,
		Shares:      int64(float64(likes) * (0.05 + 0.15*rng.Float64())),
		Saves:       int64(float64(likes) * (0.05 + 0.2*rng.Float64())),
		Clicks:      int64(float64(impressions) * (0.005 + 0.015*rng.Float64())),
	}
	if video {
		e.VideoViews = int64(float64(impressions) * (0.3 + 0.3*rng.Float64()))
	}
	var likers []*user
	if fl := len(acc.followers); fl > 0 && likes > 0 {
		k := int(min(likes, int64(fl)))
		for _, i := range rng.Perm(fl)[:k] {
			likers = append(likers, acc.followers[i])
		}
	}
	e.Likes = likes - int64(len(likers))
	s.rep.Impressions += e.Impressions
	s.rep.Reach += e.Reach
	s.rep.Likes += likes
	s.rep.Shares += e.Shares
	s.rep.Saves += e.Saves
	s.rep.Clicks += e.Clicks
	s.schedule(t0, func() {
		it := r.it
		it.eng.add(e)
		if it.likers == nil && len(likers) > 0 {
			it.likers = make(map[*user]struct{}, len(likers))
		}
		for _, u := range likers {
			it.likers[u] = struct{}{}
		}
	})
	for range s.poisson(s.o.CommentsPerPost) {
		t := t0.Add(time.Minute + time.Duration(rng.ExpFloat64()*float64(5*time.Hour)))
		if !t.Before(s.end) {
			continue
		}
		c := s.category()
		u := s.author(c, t)
		li := langIndex(u)
		bank := texts[c][li]
		text := s.pick(bank, li)
		cr := &ref{}
		s.schedule(t, func() {
			cr.it = s.n.newCommentLocked(u, r.it, draft{text: text, lang: u.lang}, t)
			s.rep.Comments++
			s.label(cr.it, driver.Comment, c)
		})
		if rng.Float64() >= s.o.ReplyRate {
			continue
		}
		t2 := t.Add(time.Minute + time.Duration(rng.ExpFloat64()*float64(2*time.Hour)))
		if !t2.Before(s.end) {
			continue
		}
		rc := Neutral
		var ru *user
		var rtext string
		if rng.IntN(4) == 0 {
			rc = Spam
			ru = s.spammer(t2)
			rtext = s.pick(texts[Spam][langIndex(ru)], langIndex(ru))
		} else {
			ru = s.follower(t2)
			rtext = s.pick(replyTexts[langIndex(ru)], langIndex(ru))
		}
		s.schedule(t2, func() {
			it := s.n.newCommentLocked(ru, cr.it, draft{text: rtext, lang: ru.lang}, t2)
			s.rep.Replies++
			s.label(it, driver.Reply, rc)
		})
	}
}

// mention schedules a post of another user mentioning the account at t.
func (s *sim) mention(t time.Time) {
	c := s.category()
	u := s.author(c, t)
	li := langIndex(u)
	text := "@" + s.acc.handle + " " + s.pick(texts[c][li], li)
	s.schedule(t, func() {
		it := s.n.newPostLocked(u, draft{text: text, lang: u.lang}, nil, t)
		s.rep.Mentions++
		s.label(it, driver.Mention, c)
	})
}

// message schedules a direct message to the account at t, sometimes
// followed by a second one.
func (s *sim) message(t time.Time) {
	c := s.category()
	if c == Neutral && s.rng.IntN(2) == 0 {
		c = Question
	}
	u := s.author(c, t)
	li := langIndex(u)
	texts := []string{s.pick(dmTexts[c][li], li)}
	if s.rng.IntN(3) == 0 {
		texts = append(texts, s.pick(dmTexts[c][li], li))
	}
	for i, text := range texts {
		at := t.Add(time.Duration(i) * (10*time.Minute + time.Duration(s.rng.Int64N(int64(2*time.Hour)))))
		if !at.Before(s.end) {
			break
		}
		s.schedule(at, func() {
			conv, err := s.n.conversationLocked(u, s.acc.id, false)
			if err != nil {
				return // cannot happen: u and the account exist and differ
			}
			it := s.n.sendLocked(u, conv, draft{text: text, lang: u.lang}, at)
			s.rep.Messages++
			s.label(it, driver.DirectMessage, c)
		})
	}
}
