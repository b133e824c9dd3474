package metrics

// ConversationRate returns comments / posts: Avinash Kaushik's
// conversation rate, "the number of audience comments (or replies) per
// post" ("Best Social Media Metrics: Conversation, Amplification,
// Applause, Economic Value", 2011). Kaushik divides by the number of
// posts; for the per-follower variant use ConversationRateByFollowers.
// Zero posts returns ErrUndefined.
func ConversationRate(comments, posts int64) (float64, error) {
	return ratio("ConversationRate", "comments", comments, "posts", posts)
}

// AmplificationRate returns shares / posts: Kaushik's amplification rate,
// the number of shares (retweets, reposts, boosts) per post (Kaushik, 2011).
// Zero posts returns ErrUndefined.
func AmplificationRate(shares, posts int64) (float64, error) {
	return ratio("AmplificationRate", "shares", shares, "posts", posts)
}

// ApplauseRate returns likes / posts: Kaushik's applause rate, the number
// of likes (favourites, +1s, reactions) per post (Kaushik, 2011).
// Zero posts returns ErrUndefined.
func ApplauseRate(likes, posts int64) (float64, error) {
	return ratio("ApplauseRate", "likes", likes, "posts", posts)
}

// ConversationRateByFollowers returns comments / followers for one post,
// the follower-normalised conversation rate of Hootsuite's metric guide.
// Zero followers returns ErrUndefined.
func ConversationRateByFollowers(comments, followers int64) (float64, error) {
	return ratio("ConversationRateByFollowers", "comments", comments, "followers", followers)
}

// AmplificationRateByFollowers returns shares / followers for one post,
// Hootsuite's amplification rate ("post shares / total followers").
// Zero followers returns ErrUndefined.
func AmplificationRateByFollowers(shares, followers int64) (float64, error) {
	return ratio("AmplificationRateByFollowers", "shares", shares, "followers", followers)
}

// ApplauseRateByFollowers returns likes / followers for one post,
// Hootsuite's applause rate ("total approval actions / total followers").
// Zero followers returns ErrUndefined.
func ApplauseRateByFollowers(likes, followers int64) (float64, error) {
	return ratio("ApplauseRateByFollowers", "likes", likes, "followers", followers)
}

// ViralityRate returns shares / impressions, Hootsuite's virality rate:
// the share of displays that led to a share. Zero impressions returns
// ErrUndefined.
func ViralityRate(shares, impressions int64) (float64, error) {
	return ratio("ViralityRate", "shares", shares, "impressions", impressions)
}

// ReachRate returns reach / followers (Hootsuite's post reach rate): how
// much of the audience a post reached. It exceeds 1 when a post travels
// beyond the followers. Zero followers returns ErrUndefined.
func ReachRate(reach, followers int64) (float64, error) {
	return ratio("ReachRate", "reach", reach, "followers", followers)
}

// ClickThroughRate returns clicks / impressions, the click-through rate
// (CTR) of Meta Ads, Google Ads and Hootsuite. Zero impressions returns
// ErrUndefined.
func ClickThroughRate(clicks, impressions int64) (float64, error) {
	return ratio("ClickThroughRate", "clicks", clicks, "impressions", impressions)
}

// ConversionRate returns conversions / visits, the conversion rate of web
// analytics (Kaushik; Google Analytics): pass link clicks or landing-page
// sessions as visits, consistently. Conversions cannot exceed visits.
// Zero visits returns ErrUndefined.
func ConversionRate(conversions, visits int64) (float64, error) {
	return partRatio("ConversionRate", "conversions", conversions, "visits", visits)
}
