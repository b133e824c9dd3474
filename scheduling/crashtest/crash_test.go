package crashtest

import (
	"bytes"
	"context"
	"fmt"
	"math/rand/v2"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/sqlitestore"
)

// The child process reads its settings from the environment.
const (
	envDB     = "CMKIT_CRASHTEST_DB"
	envServer = "CMKIT_CRASHTEST_SERVER"
	envSeed   = "CMKIT_CRASHTEST_SEED" // set by a person to replay a run
)

const (
	numPosts    = 1000
	numAccounts = 10
	// childLease is short so that the leases of a killed child expire
	// while its successor runs: the successor reclaims those targets with
	// an unknown outcome and must reconcile them before publishing.
	childLease = 2 * time.Second
)

func accountName(i int) string { return "acct-" + strconv.Itoa(i%numAccounts) }

func postText(i int) string {
	return fmt.Sprintf("Post %04d de Maison Brioche : la fournée du jour sort du four à %02dh%02d", i, 6+i%12, i%60)
}

// resolver opens connectors.Accounts over httpDriver on demand.
func resolver(base string) scheduling.AccountResolver {
	client := &http.Client{Timeout: 10 * time.Second}
	var mu sync.Mutex
	accts := make(map[string]*connectors.Account)
	return func(ctx context.Context, id string) (*connectors.Account, error) {
		mu.Lock()
		defer mu.Unlock()
		if a := accts[id]; a != nil {
			return a, nil
		}
		a, err := connectors.NewAccount(ctx, newDriver(base, id, client),
			&connectors.AccountOptions{InitialInterval: 20 * time.Millisecond, MaxInterval: 200 * time.Millisecond})
		if err != nil {
			return nil, err
		}
		accts[id] = a
		return a, nil
	}
}

// TestCrashChild is the scheduler process the crash test kills: it runs a
// Scheduler on the shared database until no target is pending. It only
// runs when started by TestCrashExactlyOnce.
func TestCrashChild(t *testing.T) {
	path, base := os.Getenv(envDB), os.Getenv(envServer)
	if path == "" || base == "" {
		t.Skip("started by TestCrashExactlyOnce as a child process")
	}
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, path, nil)
	require.NoError(t, err)
	defer store.Close()

	progress := make(chan struct{}, 1)
	signal := func(scheduling.Event) {
		select {
		case progress <- struct{}{}:
		default:
		}
	}
	sched, err := scheduling.New(scheduling.Config{
		Store: store, Accounts: resolver(base),
		Owner:   "child-" + strconv.Itoa(os.Getpid()),
		Workers: 4, BatchSize: 32, Lease: childLease, PollInterval: 250 * time.Millisecond,
		RetryInitial: 50 * time.Millisecond, RetryMax: 500 * time.Millisecond,
		Hooks: scheduling.Hooks{Published: signal, Failed: signal, Deferred: signal},
	})
	require.NoError(t, err)
	require.NoError(t, sched.Start(ctx))
	pending := []scheduling.State{scheduling.Scheduled, scheduling.Publishing, scheduling.AwaitingApproval}
	for {
		ts, err := store.ListTargets(ctx, scheduling.TargetFilter{States: pending, Limit: 1})
		require.NoError(t, err)
		if len(ts) == 0 {
			break
		}
		// A published target signals; the timeout covers leases of a
		// killed predecessor that expire without any event here.
		select {
		case <-progress:
		case <-time.After(250 * time.Millisecond):
		}
	}
	require.NoError(t, sched.Stop(ctx))
}

// TestCrashExactlyOnce publishes 1,000 posts to a fake network through a
// scheduler process that is killed with SIGKILL at random points and
// restarted, then checks that every post was created exactly once and is
// recorded as Published with the network's ID. Half the accounts honour
// idempotency keys (a reclaimed post is simply sent again with its key);
// the other half do not, and a reclaimed post is reconciled with FindPost.
// The seed is logged; set CMKIT_CRASHTEST_SEED to replay a run's timings.
func TestCrashExactlyOnce(t *testing.T) {
	if testing.Short() {
		t.Skip("kills and restarts processes for several seconds")
	}
	if os.Getenv(envDB) != "" {
		t.Skip("inside a child")
	}
	started := time.Now()
	seed := uint64(time.Now().UnixNano())
	if s := os.Getenv(envSeed); s != "" {
		var err error
		seed, err = strconv.ParseUint(s, 10, 64)
		require.NoError(t, err)
	}
	t.Logf("seed %d (replay with %s=%d)", seed, envSeed, seed)
	rng := rand.New(rand.NewPCG(seed, 0xc4a5))

	fake := newFakeNet(seed, 15*time.Millisecond)
	srv := httptest.NewServer(fake)
	defer srv.Close()
	path := filepath.Join(t.TempDir(), "crash.db")
	keys := schedulePosts(t, path, srv.URL)

	// Kill children at random points, 5 to 10 times.
	kills := 5 + rng.IntN(6)
	killed := 0
	var logs []*bytes.Buffer
	for k := 0; k < kills; k++ {
		cmd, out := startChild(t, path, srv.URL)
		logs = append(logs, out)
		exited := make(chan error, 1)
		go func() { exited <- cmd.Wait() }()
		// Wait until this child publishes, then let it run a random while
		// (at most a few hundred ms, so most kills land mid-run).
		n0, changed := fake.progress()
		published := false
		deadline := time.After(30 * time.Second)
		for !published {
			select {
			case <-changed:
				var n int
				n, changed = fake.progress()
				published = n > n0
			case err := <-exited:
				// Nothing was left to publish.
				require.NoError(t, err, "child exited early:\n%s", out)
				goto final
			case <-deadline:
				_ = cmd.Process.Kill()
				t.Fatalf("child %d published nothing in 30 s:\n%s", k, out)
			}
		}
		select {
		case <-time.After(time.Duration(rng.Int64N(int64(250 * time.Millisecond)))):
			require.NoError(t, cmd.Process.Signal(syscall.SIGKILL))
			<-exited
			killed++
		case err := <-exited:
			require.NoError(t, err, "child exited early:\n%s", out)
			goto final
		}
	}
final:
	// The last child runs to completion.
	cmd, out := startChild(t, path, srv.URL)
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	select {
	case err := <-exited:
		require.NoError(t, err, "last child:\n%s", out)
	case <-time.After(90 * time.Second):
		_ = cmd.Process.Kill()
		t.Fatalf("last child did not finish in 90 s:\n%s", out)
	}

	checkExactlyOnce(t, fake, path, keys)
	calls, posts, lost := fake.snapshot()
	var posts0, searches int
	for _, c := range calls {
		switch c.Method {
		case "POST":
			posts0++
		case "SEARCH":
			searches++
		}
	}
	t.Logf("%d kills, %d publish requests for %d posts created, %d replies lost to a kill, %d searches, %.1f s",
		killed, posts0, len(posts), lost, searches, time.Since(started).Seconds())
	if t.Failed() {
		for i, l := range logs {
			t.Logf("child %d:\n%s", i, l)
		}
	}
}

// schedulePosts creates the 1,000 posts, due now, with a scheduler that is
// never started, and returns each post's text by idempotency key.
func schedulePosts(t *testing.T, path, base string) map[string]string {
	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, path, nil)
	require.NoError(t, err)
	defer store.Close()
	sched, err := scheduling.New(scheduling.Config{Store: store, Accounts: resolver(base), Owner: "planner"})
	require.NoError(t, err)
	keys := make(map[string]string, numPosts)
	for i := range numPosts {
		_, ts, err := sched.Create(ctx, scheduling.Actor{ID: "camille"}, scheduling.NewPost{
			Content: connectors.Post{Text: postText(i)},
			Targets: []scheduling.TargetSpec{{AccountID: accountName(i), Now: true}},
		})
		require.NoError(t, err)
		keys[ts[0].Key] = postText(i)
	}
	return keys
}

func startChild(t *testing.T, path, base string) (*exec.Cmd, *bytes.Buffer) {
	cmd := exec.Command(os.Args[0], "-test.run=^TestCrashChild$", "-test.count=1")
	cmd.Env = append(os.Environ(), envDB+"="+path, envServer+"="+base)
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	require.NoError(t, cmd.Start())
	return cmd, &out
}

// checkExactlyOnce compares the fake network's record with the store.
func checkExactlyOnce(t *testing.T, fake *fakeNet, path string, keys map[string]string) {
	calls, posts, _ := fake.snapshot()
	created := make(map[string][]fakePost) // by account + text
	for _, p := range posts {
		created[p.Account+"\x00"+p.Text] = append(created[p.Account+"\x00"+p.Text], p)
	}
	for i := range numPosts {
		got := created[accountName(i)+"\x00"+postText(i)]
		require.Len(t, got, 1, "post %d on %s was created %d times", i, accountName(i), len(got))
	}
	require.Len(t, posts, numPosts)

	// On key-honouring accounts, a key may be sent again but creates one
	// post; on the others, a key must never reach the network twice
	// without a reconciliation in between (checked by the count above).
	postsByKey := make(map[string]int)
	for _, c := range calls {
		if c.Method == "POST" {
			postsByKey[c.Key]++
		}
	}
	for key := range keys {
		require.Positive(t, postsByKey[key], "key %s was never sent", key)
	}

	ctx := context.Background()
	store, err := sqlitestore.Open(ctx, path, nil)
	require.NoError(t, err)
	defer store.Close()
	ts, err := store.ListTargets(ctx, scheduling.TargetFilter{})
	require.NoError(t, err)
	require.Len(t, ts, numPosts)
	reclaimed := 0
	for _, tg := range ts {
		require.Equal(t, scheduling.Published, tg.State, "target %s (%s): %s", tg.ID, tg.AccountID, tg.Failure.Message)
		text, ok := keys[tg.Key]
		require.True(t, ok, "unknown key %s", tg.Key)
		want := created[tg.AccountID+"\x00"+text][0]
		require.Equal(t, want.ID, tg.Result.PostID, "target %s records the network's post", tg.ID)
		require.False(t, tg.Unknown)
		require.Empty(t, tg.LeaseOwner)
		if tg.Attempt > 1 {
			reclaimed++
		}
	}
	audit, err := store.ListAudit(ctx, scheduling.AuditFilter{})
	require.NoError(t, err)
	expired := 0
	for _, e := range audit {
		if e.Action == "claimed" && strings.Contains(e.Reason, "expired") {
			expired++
		}
	}
	t.Logf("%d targets needed more than one attempt; %d claims took over an expired lease", reclaimed, expired)
}
