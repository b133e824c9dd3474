// Package memconnector is a complete social network in memory: many
// accounts that publish, comment, reply, mention, like and message each
// other, with metrics, idempotent publishing, asynchronous (pending)
// publishing, fault injection and a seeded audience simulation. It needs
// no account anywhere, so the quickstart, the examples and the tests of
// other packages (the scheduler's crash test, moderation) run on it.
//
// It registers the network name "mem":
//
//	acct, err := connectors.OpenURL(ctx, "mem://brand?seed=42&simulate=7&profile=instagram", connectors.Config{}, nil)
//
// opens the account @brand on a fresh network, with Instagram's content
// limits and seven days of simulated audience (see Open for the options).
// The Network behind an Account is reached with As:
//
//	var net *memconnector.Network
//	acct.As(&net)
//	net.Comment(ctx, "camille", postID, "Vous livrez à Lyon ?")
//
// In Go code, NewNetwork gives full control: Driver or Account open any
// number of accounts on it, and the Network's own methods act as other
// users (Comment, ReplyTo, Mention, SendDM, Follow, LikeAs,
// AddEngagement).
//
// # Capabilities
//
// Every driver implements all the optional interfaces of package driver:
// publish (with media, threads and first comments), delete, edit,
// comments, mentions, reply, hide and delete comments, like, post and
// account metrics, read and send direct messages, pending publishes,
// FindPost, idempotency keys, As (a **Network) and ErrorAs (a
// **APIError). NetworkOptions.Declined makes an account decline some, and
// NetworkOptions.Limits or Profile (connectors.PresetLimits) emulate a real
// network's limits: without Threads, FirstComment or media in the limits,
// such posts are refused with ErrUnsupported.
//
// The network behaves as a real one:
//   - IDs are unique and never reused: an optional prefix, a letter for the
//     kind (u user, p post, c comment, m message, k conversation, x pending
//     container) and a sequence number that grows with every object.
//   - Listings are in arrival order, oldest first, 50 items a page by
//     default and at most 100. Cursors carry the sequence number of the
//     last item, so deleting items never makes a page repeat or skip one;
//     Next is always set.
//   - Comments on a post are of kind Comment, answers to a comment of kind
//     Reply, with PostID and ParentID set. Hidden comments are listed with
//     Hidden true. Deleting a comment deletes its replies; deleting a post
//     makes its comments unreachable (ErrNotFound).
//   - Mentions are posts or comments by others that mention @handle (or
//     were made with Network.Mention), outside the account's own posts.
//     Messages lists the direct messages received; SendMessage takes a
//     conversation ID or a user's ID or handle.
//   - Replies (Reply, or Publish with Post.ReplyTo) are comments: answering
//     a post comments on it, answering a comment replies to it. A thread is
//     a chain of posts, each with the previous one as parent; a first
//     comment is a comment by the account.
//   - Likes are idempotent. PostMetrics counts likes, live comments and
//     the simulated impressions, reach, shares, saves and clicks;
//     VideoViews is valid only for a post with a video. AccountMetrics
//     counts followers, following and live posts.
//   - Publishing with an idempotency key returns the same post again
//     (Description.Idempotent is true), and completes a thread or first
//     comment that failed half-way without duplicating what was published.
//     FindPost finds a publish by key (even if the post was deleted since),
//     or by exact text among the account's last 100 live posts when the key
//     is empty; ErrNotFound otherwise. A publish still pending is found with
//     Status Pending.
//   - With NetworkOptions.PendingChecks, publishes with media return
//     Pending and go live on the PendingChecks-th CheckPending, which keeps
//     returning the same Published result afterwards.
//
// The driver does not validate content against the limits (the Account
// does) but refuses what is structurally impossible with typed errors: a
// nil or empty post, media without bytes or MIME type, invalid UTF-8, a
// thread inside a thread, a negative page size, a malformed cursor or
// pending state.
//
// # Faults
//
// FailNext queues failures for the next calls of an operation (Op
// constants, or OpAny): RateLimit (a 429 with Retry-After), Quota,
// Unauthenticated, Unavailable, or any error. AfterCommit(err) applies the
// operation first, then fails; IndeterminateAfterCommit is what a crash
// after sending looks like: the post IS stored, the call returns code
// Indeterminate, and FindPost finds it. OpThreadPost and OpFirstComment
// fail a publish half-way. NetworkOptions.Faults is a hook called before
// every operation. Calls counts driver calls by operation, PublishCount
// counts the posts an account created, and Posts lists them, so a test can
// prove exactly-once publication.
//
// # Simulation
//
// Simulate creates an audience around an account and makes it act over
// days: users with French and English names, account ages and follower
// counts (spammers are days-old accounts with a handful of followers)
// follow and unfollow; each post gets impressions, reach, likes, shares,
// saves, clicks and comments spread over time (the account's own posts,
// or posts from a built-in editorial calendar when it has none), and the
// account receives mentions and direct messages. Comments, replies,
// mentions and messages are drawn from French and English banks of
// praise, questions ("Vous livrez à Lyon ?"), legitimate complaints
// ("Still waiting for my refund after 3 weeks"), spam (money and crypto
// lures, WhatsApp, link shorteners), mild insults and neutral chatter.
// Each records its ground-truth Category (Label, SimReport.Labels), so a
// moderation pipeline can be scored. A 30-day simulation of 1,000
// followers takes a few milliseconds.
//
// # Determinism
//
// Nothing is random except Simulate, which draws from a PCG generator
// seeded with NetworkOptions.Seed (or SimOptions.Seed) and the number of
// earlier Simulate calls; no global random source is used. With an
// injected clock (NetworkOptions.Now) and a fixed SimOptions.Start, the
// same seed and the same calls give the same IDs, texts, timestamps and
// counters; different seeds give different networks. The network never
// sleeps.
package memconnector
