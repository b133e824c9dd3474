package scheduling

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"log/slog"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/cmkit/cmkit/connectors"
)

// AccountResolver returns the Account a target publishes to, from the
// account ID the target names. An unknown ID should return an error
// matching connectors.ErrNotFound.
type AccountResolver func(ctx context.Context, accountID string) (*connectors.Account, error)

// AccountMap returns a resolver over a fixed map of accounts.
func AccountMap(m map[string]*connectors.Account) AccountResolver {
	return func(_ context.Context, id string) (*connectors.Account, error) {
		if a, ok := m[id]; ok && a != nil {
			return a, nil
		}
		return nil, &connectors.Error{Code: connectors.NotFound, Op: "ResolveAccount",
			Message: "no account " + strconv.Quote(id)}
	}
}

// EventKind says what happened to a target.
type EventKind uint8

// The event kinds.
const (
	EventPublished EventKind = iota + 1
	EventFailed
	EventNeedsApproval
	EventNeedsRescheduling
	EventDeferred
)

// String names the kind.
func (k EventKind) String() string {
	switch k {
	case EventPublished:
		return "published"
	case EventFailed:
		return "failed"
	case EventNeedsApproval:
		return "needs-approval"
	case EventNeedsRescheduling:
		return "needs-rescheduling"
	case EventDeferred:
		return "deferred"
	}
	return "EventKind(" + strconv.Itoa(int(k)) + ")"
}

// Event tells the embedding tool what happened to a target, once it is
// stored.
type Event struct {
	Kind      EventKind
	PostID    string
	TargetID  string
	AccountID string
	At        time.Time
	// Result is the published post (EventPublished).
	Result Result
	// Failure is why it failed or was deferred.
	Failure Failure
	// NotBefore is when a deferred target is retried (EventDeferred).
	NotBefore time.Time
	// Reason is the audit reason, for people.
	Reason string
}

// Hooks are called after a change is stored, from the scheduler's
// goroutines: they must return quickly (send to a channel, enqueue a
// notification). Nil hooks are skipped.
type Hooks struct {
	Published         func(Event)
	Failed            func(Event)
	NeedsApproval     func(Event)
	NeedsRescheduling func(Event)
	Deferred          func(Event)
}

func (h *Hooks) emit(e Event) {
	var f func(Event)
	switch e.Kind {
	case EventPublished:
		f = h.Published
	case EventFailed:
		f = h.Failed
	case EventNeedsApproval:
		f = h.NeedsApproval
	case EventNeedsRescheduling:
		f = h.NeedsRescheduling
	case EventDeferred:
		f = h.Deferred
	}
	if f != nil {
		f(e)
	}
}

// Config configures a Scheduler. Store and Accounts are required; call
// WithDefaults for the rest.
type Config struct {
	// Store keeps everything; several schedulers may share one.
	Store Store
	// Accounts resolves the accounts targets publish to.
	Accounts AccountResolver
	// Clock defaults to RealClock.
	Clock Clock
	// Workers is how many publishes run at once. Defaults to 8.
	Workers int
	// Lease is how long a claim holds before another scheduler may
	// reclaim it (renewed every Lease/3 while a publish runs). Defaults
	// to 2 minutes.
	Lease time.Duration
	// BatchSize is how many due targets one claim takes. Defaults to 256.
	BatchSize int
	// PollInterval bounds the wait between two looks at the store when no
	// timer is due (other schedulers may have added posts). Defaults to
	// one minute.
	PollInterval time.Duration
	// Logger receives the scheduler's logs; nil discards them.
	Logger *slog.Logger
	// Hooks are told of publications, failures, approvals needed,
	// reschedulings needed and deferrals.
	Hooks Hooks
	// Owner names this scheduler in leases and audit entries ("scheduler:"
	// + Owner). Defaults to "sched-" and 8 random hex digits; give each
	// process its own.
	Owner string
	// MaxAttempts is how many claims a target gets before a transient
	// failure (Unavailable, an unresolvable account, a failed
	// reconciliation) becomes permanent. Rate limits and quotas only defer.
	// Defaults to 10.
	MaxAttempts int
	// RetryInitial and RetryMax bound the exponential backoff (with
	// jitter) between attempts after a transient failure. Default to 30
	// seconds and 1 hour.
	RetryInitial time.Duration
	RetryMax     time.Duration
	// PendingInterval is how long to wait before checking an asynchronous
	// publish again (Instagram containers). Defaults to 20 seconds.
	PendingInterval time.Duration
	// SettingsTTL is how long account settings (pauses, caps) read from
	// the store are cached; changes made through this scheduler apply at
	// once. Defaults to 15 seconds.
	SettingsTTL time.Duration
}

// WithDefaults returns c with every zero field set to its default.
func (c Config) WithDefaults() Config {
	if c.Clock == nil {
		c.Clock = RealClock{}
	}
	if c.Workers == 0 {
		c.Workers = 8
	}
	if c.Lease == 0 {
		c.Lease = 2 * time.Minute
	}
	if c.BatchSize == 0 {
		c.BatchSize = 256
	}
	if c.PollInterval == 0 {
		c.PollInterval = time.Minute
	}
	if c.Logger == nil {
		c.Logger = slog.New(slog.DiscardHandler)
	}
	if c.Owner == "" {
		var b [4]byte
		_, _ = rand.Read(b[:])
		c.Owner = "sched-" + hex.EncodeToString(b[:])
	}
	if c.MaxAttempts == 0 {
		c.MaxAttempts = 10
	}
	if c.RetryInitial == 0 {
		c.RetryInitial = 30 * time.Second
	}
	if c.RetryMax == 0 {
		c.RetryMax = time.Hour
	}
	if c.PendingInterval == 0 {
		c.PendingInterval = 20 * time.Second
	}
	if c.SettingsTTL == 0 {
		c.SettingsTTL = 15 * time.Second
	}
	return c
}

// Validate reports every problem of c (after WithDefaults), joined, in
// words a developer can act on.
func (c Config) Validate() error {
	var errs []error
	bad := func(format string, args ...any) {
		errs = append(errs, fmt.Errorf("scheduling: Config."+format, args...))
	}
	if c.Store == nil {
		bad("Store is nil: give a Store (memstore.New() for tests, a durable store in production)")
	}
	if c.Accounts == nil {
		bad("Accounts is nil: give an AccountResolver (AccountMap(map[string]*connectors.Account{...}))")
	}
	if c.Clock == nil {
		bad("Clock is nil: call WithDefaults or give RealClock{}")
	}
	if c.Workers < 1 || c.Workers > 10000 {
		bad("Workers is %d: want 1 to 10000", c.Workers)
	}
	if c.Lease < time.Second {
		bad("Lease is %v: want at least 1s (a publish must finish, or renew, within it)", c.Lease)
	}
	if c.BatchSize < 1 || c.BatchSize > 100000 {
		bad("BatchSize is %d: want 1 to 100000", c.BatchSize)
	}
	if c.PollInterval < 10*time.Millisecond {
		bad("PollInterval is %v: want at least 10ms", c.PollInterval)
	}
	if c.Logger == nil {
		bad("Logger is nil: call WithDefaults")
	}
	if c.Owner == "" || strings.ContainsAny(c.Owner, " \t\n") {
		bad("Owner is %q: want a non-empty name without spaces", c.Owner)
	}
	if c.MaxAttempts < 1 {
		bad("MaxAttempts is %d: want at least 1", c.MaxAttempts)
	}
	if c.RetryInitial <= 0 || c.RetryMax < c.RetryInitial {
		bad("RetryInitial (%v) and RetryMax (%v): want 0 < RetryInitial <= RetryMax", c.RetryInitial, c.RetryMax)
	}
	if c.PendingInterval <= 0 {
		bad("PendingInterval is %v: want a positive duration", c.PendingInterval)
	}
	if c.SettingsTTL < 0 {
		bad("SettingsTTL is %v: want 0 or more", c.SettingsTTL)
	}
	return errors.Join(errs...)
}

// Scheduler publishes scheduled posts when they are due and manages their
// life: approvals, edits, queues, pauses, blackouts and recurrences. It is
// safe for concurrent use. Several Schedulers (in one process or many) may
// share a Store: claims and leases keep them from publishing the same
// target twice.
type Scheduler struct {
	cfg    Config
	store  Store
	clock  Clock
	log    *slog.Logger
	actor  string
	idBase string
	idSeq  atomic.Uint64

	locs    sync.Map // zone name -> *time.Location
	queueMu sync.Mutex

	settingsMu sync.Mutex
	settings   map[string]cachedSettings

	wake chan struct{}
	// sleepUntil is the instant (Unix nanoseconds) the dispatch loop
	// sleeps until, 0 when it is not sleeping on one; see wakeIfDue.
	sleepUntil atomic.Int64

	lifeMu  sync.Mutex
	running *run

	inflightMu sync.Mutex
	inflight   map[string]LeaseRef

	locksMu sync.Mutex
	locks   map[string]*sync.Mutex
}

type cachedSettings struct {
	s    *AccountSettings // nil: none stored
	read time.Time
}

// run is one Start..Stop cycle.
type run struct {
	stop       chan struct{}
	stopOnce   sync.Once
	cancelWork context.CancelFunc
	done       chan struct{} // closed when every goroutine has exited
}

// New returns a Scheduler for cfg (WithDefaults is applied first). It
// returns cfg.Validate's errors.
func New(cfg Config) (*Scheduler, error) {
	cfg = cfg.WithDefaults()
	if err := cfg.Validate(); err != nil {
		return nil, err
	}
	var b [4]byte
	_, _ = rand.Read(b[:])
	return &Scheduler{
		cfg:      cfg,
		store:    cfg.Store,
		clock:    cfg.Clock,
		log:      cfg.Logger.With("owner", cfg.Owner),
		actor:    "scheduler:" + cfg.Owner,
		idBase:   hex.EncodeToString(b[:]),
		settings: make(map[string]cachedSettings),
		wake:     make(chan struct{}, 1),
		inflight: make(map[string]LeaseRef),
		locks:    make(map[string]*sync.Mutex),
	}, nil
}

// Owner returns the scheduler's owner name.
func (s *Scheduler) Owner() string { return s.cfg.Owner }

// newID returns a unique ID: the scheduler's random base and a counter.
func (s *Scheduler) newID(prefix string) string {
	n := s.idSeq.Add(1)
	return prefix + s.idBase + "-" + strconv.FormatUint(n, 36)
}

// location loads and caches an IANA zone; "" is UTC.
func (s *Scheduler) location(name string) (*time.Location, error) {
	if name == "" || name == "UTC" {
		return time.UTC, nil
	}
	if l, ok := s.locs.Load(name); ok {
		return l.(*time.Location), nil
	}
	loc, err := time.LoadLocation(name)
	if err != nil || name == "Local" {
		return nil, fmt.Errorf("scheduling: unknown time zone %q (want an IANA name such as Europe/Paris): %w", name, ErrInvalid)
	}
	s.locs.Store(name, loc)
	return loc, nil
}

// notify wakes the dispatch loop, for a new or moved target.
func (s *Scheduler) notify() {
	select {
	case s.wake <- struct{}{}:
	default:
	}
}

// Start starts dispatching in background goroutines: a loop that sleeps
// until the earliest due instant (a timer, woken early by new schedules),
// claims due targets in batches and hands them to Workers publishers, a
// committer that writes their outcomes in batches, and a lease renewer.
// Canceling ctx stops everything abruptly (in-flight publishes are
// canceled); Stop stops gracefully. Start returns an error if the
// scheduler is running.
func (s *Scheduler) Start(ctx context.Context) error {
	s.lifeMu.Lock()
	defer s.lifeMu.Unlock()
	if s.running != nil {
		return errors.New("scheduling: Start: already running")
	}
	workCtx, cancel := context.WithCancel(ctx)
	r := &run{stop: make(chan struct{}), cancelWork: cancel, done: make(chan struct{})}
	s.running = r
	// Claims travel in chunks, so that a batch costs a few channel
	// operations rather than one per post.
	work := make(chan []Claim, s.cfg.Workers*2)
	results := make(chan []outcome, s.cfg.Workers*2)
	// Outcome buffers go back from the committer to the workers, so that
	// steady dispatch allocates none.
	free := make(chan []outcome, s.cfg.Workers*3)
	var workers, all sync.WaitGroup
	all.Add(3)
	go func() { defer all.Done(); s.loop(workCtx, r, work) }()
	for range s.cfg.Workers {
		workers.Add(1)
		go func() {
			defer workers.Done()
			for chunk := range work {
				var outs []outcome
				select {
				case outs = <-free:
				default:
				}
				for i := range chunk {
					select {
					case <-r.stop:
						// Stopping: what has not started is released.
						s.releaseClaims(context.WithoutCancel(workCtx), chunk[i:])
					default:
						outs = append(outs, s.process(workCtx, &chunk[i]))
						continue
					}
					break
				}
				if len(outs) > 0 {
					results <- outs
				}
				s.wakeIfDue()
			}
		}()
	}
	go func() { defer all.Done(); workers.Wait(); close(results) }()
	go func() { defer all.Done(); s.committer(context.WithoutCancel(workCtx), results, free) }()
	pipelineDone, renewDone := make(chan struct{}), make(chan struct{})
	go func() { defer close(renewDone); s.renewer(workCtx, pipelineDone) }()
	go func() { all.Wait(); close(pipelineDone); <-renewDone; cancel(); close(r.done) }()
	s.log.Info("scheduler started", "workers", s.cfg.Workers, "batch", s.cfg.BatchSize, "lease", s.cfg.Lease)
	return nil
}

// Stop stops the scheduler gracefully: it stops claiming, releases the
// claims no worker has started (another scheduler may claim them at once),
// and waits for the publishes in flight to finish and be recorded, until
// ctx is done. Then it cancels what is still in flight (those targets are
// recorded with an unknown outcome, or their leases expire, and are
// reconciled before any new attempt) and returns ctx.Err(). Stop on a
// scheduler that is not running returns nil.
func (s *Scheduler) Stop(ctx context.Context) error {
	s.lifeMu.Lock()
	r := s.running
	s.lifeMu.Unlock()
	if r == nil {
		return nil
	}
	r.stopOnce.Do(func() { close(r.stop) })
	var err error
	select {
	case <-r.done:
	case <-ctx.Done():
		err = ctx.Err()
		r.cancelWork()
		<-r.done
	}
	s.lifeMu.Lock()
	if s.running == r {
		s.running = nil
	}
	s.lifeMu.Unlock()
	s.log.Info("scheduler stopped", "error", err)
	return err
}

// loop claims due targets and feeds the workers until stopped.
func (s *Scheduler) loop(ctx context.Context, r *run, work chan<- []Claim) {
	defer close(work)
	for {
		select {
		case <-r.stop:
			return
		case <-ctx.Done():
			return
		default:
		}
		claims, err := s.claim(ctx)
		if err != nil && ctx.Err() == nil {
			s.log.Error("claiming due posts failed", "error", err)
		}
		chunk := max(1, min(64, (len(claims)+s.cfg.Workers-1)/s.cfg.Workers))
		for i := 0; i < len(claims); i += chunk {
			select {
			case work <- claims[i:min(i+chunk, len(claims))]:
			case <-r.stop:
				s.releaseClaims(context.WithoutCancel(ctx), claims[i:])
				return
			case <-ctx.Done():
				s.releaseClaims(context.WithoutCancel(ctx), claims[i:])
				return
			}
		}
		if len(claims) == s.cfg.BatchSize {
			continue
		}
		wait := s.cfg.PollInterval
		if err == nil {
			if next, ok := s.nextWake(ctx); ok {
				if d := next.Sub(s.clock.Now()); d < wait {
					wait = d
				}
			}
		}
		if wait <= 0 {
			continue
		}
		if wait <= spinWait && s.spin(wait) {
			continue
		}
		fired := make(chan struct{})
		t := s.clock.AfterFunc(wait, func() { close(fired) })
		s.sleepUntil.Store(s.clock.Now().Add(wait).UnixNano())
		select {
		case <-fired:
		case <-s.wake:
		case <-r.stop:
		case <-ctx.Done():
		}
		s.sleepUntil.Store(0)
		t.Stop()
	}
}

// spinWait is the longest wait the loop spends yielding rather than on a
// timer.
const spinWait = 100 * time.Microsecond

// spin yields the processor until wait has passed on the clock, a bounded
// number of times (a fake clock does not move), and reports whether it
// has. A yielding goroutine stays runnable, so the garbage collector's
// idle workers give way to it at once, which they do not for a timer.
func (s *Scheduler) spin(wait time.Duration) bool {
	until := s.clock.Now().Add(wait)
	for range 2000 {
		runtime.Gosched()
		if !s.clock.Now().Before(until) {
			return true
		}
	}
	return false
}

// wakeIfDue wakes the dispatch loop if the instant it sleeps until has
// passed. Workers and the committer call it as they finish, so that under
// a steady flow of due posts the loop does not depend on its timer alone:
// while the garbage collector's idle workers hold every P, timers can fire
// up to 10 ms late (golang/go#37116), but a woken goroutine runs at once.
func (s *Scheduler) wakeIfDue() {
	if u := s.sleepUntil.Load(); u != 0 && s.clock.Now().UnixNano() >= u {
		s.notify()
	}
}

// nextWake is the next instant worth a look: the store's next due
// instant, moved to the end of a blackout that covers it.
func (s *Scheduler) nextWake(ctx context.Context) (time.Time, bool) {
	next, ok, err := s.store.NextDue(ctx)
	if err != nil {
		s.log.Error("reading the next due instant failed", "error", err)
		return time.Time{}, false
	}
	bs, err := s.store.ListBlackouts(ctx, s.clock.Now())
	if err != nil {
		s.log.Error("listing blackouts failed", "error", err)
		return next, ok
	}
	now := s.clock.Now()
	// A due target inside a blackout waits for its end (blackouts may
	// chain), and every blackout's end is a wake-up, to handle the
	// targets it held back.
	for changed := true; ok && changed; {
		changed = false
		for _, b := range bs {
			eff := next
			if eff.Before(now) {
				eff = now
			}
			if b.Active(eff) {
				next, changed = b.Until, true
			}
		}
	}
	for _, b := range bs {
		if b.Until.After(now) && (!ok || b.Until.Before(next)) {
			next, ok = b.Until, true
		}
	}
	return next, ok
}

// claim handles ended blackouts, then claims a batch and records it as in
// flight.
func (s *Scheduler) claim(ctx context.Context) ([]Claim, error) {
	now := s.clock.Now()
	if err := s.endBlackouts(ctx, now); err != nil {
		return nil, err
	}
	claims, err := s.store.ClaimDue(ctx, now, s.cfg.Owner, s.cfg.Lease, s.cfg.BatchSize)
	if err != nil {
		return nil, err
	}
	if len(claims) > 0 {
		s.inflightMu.Lock()
		for _, c := range claims {
			s.inflight[c.Target.ID] = LeaseRef{c.Target.ID, c.Target.Attempt}
		}
		s.inflightMu.Unlock()
	}
	return claims, nil
}

func (s *Scheduler) done(ids ...string) {
	s.inflightMu.Lock()
	for _, id := range ids {
		delete(s.inflight, id)
	}
	s.inflightMu.Unlock()
}

// releaseClaims gives back claims that never reached the network.
func (s *Scheduler) releaseClaims(ctx context.Context, cs []Claim) {
	if len(cs) == 0 {
		return
	}
	refs := make([]LeaseRef, len(cs))
	ids := make([]string, len(cs))
	for i, c := range cs {
		refs[i] = LeaseRef{c.Target.ID, c.Target.Attempt}
		ids[i] = c.Target.ID
	}
	if err := s.store.Release(ctx, s.clock.Now(), s.cfg.Owner, refs); err != nil {
		s.log.Error("releasing unstarted claims failed; their leases will expire", "error", err, "count", len(refs))
	}
	s.done(ids...)
}

// renewer extends the leases of publishes in flight every Lease/3, until
// the pipeline is done.
func (s *Scheduler) renewer(ctx context.Context, pipelineDone <-chan struct{}) {
	for {
		fired := make(chan struct{})
		t := s.clock.AfterFunc(s.cfg.Lease/3, func() { close(fired) })
		select {
		case <-fired:
		case <-pipelineDone:
			t.Stop()
			return
		case <-ctx.Done():
			t.Stop()
			return
		}
		s.inflightMu.Lock()
		refs := make([]LeaseRef, 0, len(s.inflight))
		for _, ref := range s.inflight {
			refs = append(refs, ref)
		}
		s.inflightMu.Unlock()
		if len(refs) == 0 {
			continue
		}
		lost, err := s.store.Renew(ctx, s.cfg.Owner, refs, s.clock.Now().Add(s.cfg.Lease))
		if err != nil {
			s.log.Error("renewing leases failed", "error", err)
		}
		for _, l := range lost {
			s.log.Warn("lease lost while publishing; another scheduler will reconcile the target", "target", l.TargetID, "attempt", l.Attempt)
		}
	}
}

// RunDue publishes, in the calling goroutine, every target due now, and
// returns how many claims it processed. It is the synchronous form of
// Start, for tests, command-line tools and cron-style embedding; it may
// run while other schedulers share the store.
func (s *Scheduler) RunDue(ctx context.Context) (int, error) {
	total := 0
	var outs []outcome
	var scratch []Completion
	for {
		claims, err := s.claim(ctx)
		if err != nil {
			return total, err
		}
		if len(claims) == 0 {
			return total, nil
		}
		outs = outs[:0]
		for i := range claims {
			outs = append(outs, s.process(ctx, &claims[i]))
		}
		s.commit(context.WithoutCancel(ctx), outs, &scratch)
		clear(outs)
		total += len(claims)
	}
}
