package pgstore_test

import (
	"context"
	"errors"
	"fmt"
	"os"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
	"github.com/cmkit/cmkit/internal/pgtest"
	"github.com/cmkit/cmkit/scheduling"
	"github.com/cmkit/cmkit/scheduling/pgstore"
	"github.com/cmkit/cmkit/scheduling/storetest"
)

// adminPool and freshSchema: see package internal/pgtest.
var adminPool, freshSchema = pgtest.Admin, pgtest.Schema

// open opens a Store (its own pool, like another process) on schema.
func open(t testing.TB, schema string) *pgstore.Store {
	t.Helper()
	s, err := pgstore.Open(context.Background(), os.Getenv("TEST_DATABASE_URL"), &pgstore.Options{Schema: schema})
	require.NoError(t, err)
	t.Cleanup(func() { _ = s.Close() })
	return s
}

func TestConformance(t *testing.T) {
	adminPool(t)
	storetest.Run(t, func(t *testing.T) scheduling.Store {
		return open(t, freshSchema(t))
	})
}

var t0 = time.Date(2026, 3, 27, 9, 30, 0, 0, time.UTC)

func schedule(t testing.TB, s scheduling.Store, id string) {
	t.Helper()
	p := &scheduling.Post{ID: id, Content: connectors.Post{Text: "Nouvelle brioche " + id}, CreatedAt: t0, UpdatedAt: t0}
	tg := &scheduling.Target{ID: id + "-t", PostID: id, AccountID: "maison-brioche", State: scheduling.Scheduled,
		Local: scheduling.Civil{Year: 2026, Month: 3, Day: 27, Hour: 10, Minute: 30}, Zone: "Europe/Paris",
		Due: t0, Key: "key-" + id}
	require.NoError(t, s.Apply(context.Background(), &scheduling.Change{Post: p, Targets: []*scheduling.Target{tg},
		Audit: []scheduling.AuditEntry{{PostID: id, TargetID: tg.ID, At: t0, Actor: "camille", Action: "scheduled",
			To: scheduling.Scheduled}}}))
}

func migrationCount(t *testing.T, schema string) (n, maxV int) {
	t.Helper()
	err := adminPool(t).QueryRow(context.Background(), `SELECT COUNT(*), COALESCE(MAX(version), 0) FROM `+
		pgx.Identifier{schema, "schema_migrations"}.Sanitize()).Scan(&n, &maxV)
	require.NoError(t, err)
	return n, maxV
}

func TestMigrations(t *testing.T) {
	ctx := context.Background()
	t.Run("FromEmptyDatabase", func(t *testing.T) {
		schema := freshSchema(t)
		s := open(t, schema)
		require.Equal(t, schema, s.Schema())
		n, maxV := migrationCount(t, schema)
		require.Equal(t, pgstore.SchemaVersion(), n)
		require.Equal(t, pgstore.SchemaVersion(), maxV)
		schedule(t, s, "p1")
		require.NoError(t, s.Close())

		// Reopening keeps the data and records nothing new.
		s = open(t, schema)
		p, ts, err := s.GetPost(ctx, "p1")
		require.NoError(t, err)
		require.Equal(t, "Nouvelle brioche p1", p.Content.Text)
		require.Len(t, ts, 1)
		require.Equal(t, "2026-03-27T10:30:00", ts[0].Local.String())
		n, _ = migrationCount(t, schema)
		require.Equal(t, pgstore.SchemaVersion(), n)
	})
	t.Run("ConcurrentOpenersMigrateOnce", func(t *testing.T) {
		schema := freshSchema(t)
		const openers = 6
		errs := make(chan error, openers)
		start := make(chan struct{})
		for range openers {
			go func() {
				<-start
				s, err := pgstore.Open(ctx, os.Getenv("TEST_DATABASE_URL"), &pgstore.Options{Schema: schema})
				if err == nil {
					err = s.Close()
				}
				errs <- err
			}()
		}
		close(start)
		for range openers {
			require.NoError(t, <-errs)
		}
		n, maxV := migrationCount(t, schema)
		require.Equal(t, pgstore.SchemaVersion(), n, "each migration recorded once")
		require.Equal(t, pgstore.SchemaVersion(), maxV)
		schedule(t, open(t, schema), "p1")
	})
	t.Run("NewerSchemaRefused", func(t *testing.T) {
		schema := freshSchema(t)
		s := open(t, schema)
		schedule(t, s, "p1")
		require.NoError(t, s.Close())
		future := pgstore.SchemaVersion() + 1
		_, err := adminPool(t).Exec(ctx, `INSERT INTO `+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+
			` (version, name) VALUES ($1, 'from the future')`, future)
		require.NoError(t, err)

		_, err = pgstore.Open(ctx, os.Getenv("TEST_DATABASE_URL"), &pgstore.Options{Schema: schema})
		require.ErrorIs(t, err, pgstore.ErrSchemaTooNew)
		var sv *pgstore.SchemaVersionError
		require.True(t, errors.As(err, &sv))
		require.Equal(t, future, sv.Found)
		require.Equal(t, pgstore.SchemaVersion(), sv.Known)
		require.Equal(t, schema, sv.Schema)
		require.Contains(t, err.Error(), "newer cmkit")
		// Nothing was touched.
		n, maxV := migrationCount(t, schema)
		require.Equal(t, pgstore.SchemaVersion()+1, n)
		require.Equal(t, future, maxV)
	})
	t.Run("PartialSchemaResumes", func(t *testing.T) {
		// A schema_migrations table without rows (a crash before the
		// first commit cannot leave one, but a person can): Open
		// migrates.
		schema := freshSchema(t)
		_, err := adminPool(t).Exec(ctx, `CREATE SCHEMA `+pgx.Identifier{schema}.Sanitize()+`;
			CREATE TABLE `+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+
			` (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`)
		require.NoError(t, err)
		schedule(t, open(t, schema), "p1")
	})
}

func TestOptions(t *testing.T) {
	ctx := context.Background()
	pool := adminPool(t)
	t.Run("SchemaTooLong", func(t *testing.T) {
		_, err := pgstore.New(ctx, pool, &pgstore.Options{Schema: string(make([]byte, 64))})
		require.Error(t, err)
	})
	t.Run("NilPool", func(t *testing.T) {
		_, err := pgstore.New(ctx, nil, nil)
		require.Error(t, err)
	})
	t.Run("BadConnString", func(t *testing.T) {
		_, err := pgstore.Open(ctx, "postgres://%zz", nil)
		require.Error(t, err)
	})
	t.Run("NewOnCallersPool", func(t *testing.T) {
		// A schema name that needs quoting; Close leaves the pool open.
		schema := freshSchema(t) + ` "Calendrier"`
		t.Cleanup(func() {
			_, _ = pool.Exec(context.Background(), `DROP SCHEMA IF EXISTS `+pgx.Identifier{schema}.Sanitize()+` CASCADE`)
		})
		s, err := pgstore.New(ctx, pool, &pgstore.Options{Schema: schema})
		require.NoError(t, err)
		schedule(t, s, "p1")
		require.NoError(t, s.Close())
		require.NoError(t, pool.Ping(ctx))
		require.Same(t, pool, s.Pool())
	})
}

func TestContextCancelled(t *testing.T) {
	s := open(t, freshSchema(t))
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	_, err := s.ClaimDue(ctx, t0, "w", time.Minute, 10)
	require.ErrorIs(t, err, context.Canceled)
	err = s.Apply(ctx, &scheduling.Change{Post: &scheduling.Post{ID: "p"}})
	require.ErrorIs(t, err, context.Canceled)
	_, _, err = s.GetPost(ctx, "p")
	require.ErrorIs(t, err, context.Canceled)
}

func TestFreeTextIsStorable(t *testing.T) {
	// NUL and invalid UTF-8 (from a network's error body) cannot be in a
	// PostgreSQL text value; they are replaced rather than failing the
	// completion.
	ctx := context.Background()
	s := open(t, freshSchema(t))
	schedule(t, s, "p1")
	cs, err := s.ClaimDue(ctx, t0, "w", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	errs, err := s.Complete(ctx, "w", []scheduling.Completion{{TargetID: cs[0].Target.ID, Attempt: 1, State: scheduling.Failed,
		Failure: scheduling.Failure{Code: connectors.InvalidContent, Message: "bad\x00byte \xff"},
		Audit: []scheduling.AuditEntry{{PostID: "p1", TargetID: cs[0].Target.ID, At: t0, Actor: "scheduler:w",
			Action: "failed", Reason: "bad\x00byte"}}}})
	require.NoError(t, err)
	require.NoError(t, errs[0])
	g, err := s.GetTarget(ctx, cs[0].Target.ID)
	require.NoError(t, err)
	require.Equal(t, "bad\uFFFDbyte \uFFFD", g.Failure.Message)
}

func TestCompleteConstraintFallsBackPerCompletion(t *testing.T) {
	// One completion's Next names an existing target: only it fails, the
	// others of the batch are applied.
	ctx := context.Background()
	s := open(t, freshSchema(t))
	for _, id := range []string{"p1", "p2", "p3"} {
		schedule(t, s, id)
	}
	cs, err := s.ClaimDue(ctx, t0, "w", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, cs, 3)
	comps := make([]scheduling.Completion, len(cs))
	for i, c := range cs {
		comps[i] = scheduling.Completion{TargetID: c.Target.ID, Attempt: 1, State: scheduling.Published,
			Audit: []scheduling.AuditEntry{{PostID: c.Target.PostID, TargetID: c.Target.ID, At: t0, Actor: "scheduler:w", Action: "published"}}}
	}
	dup := cs[0].Target
	dup.ID, dup.Version, dup.State = cs[2].Target.ID, 0, scheduling.Scheduled // the ID exists
	comps[1].Next = &dup
	errs, err := s.Complete(ctx, "w", comps)
	require.NoError(t, err)
	require.NoError(t, errs[0])
	require.ErrorIs(t, errs[1], scheduling.ErrConflict)
	require.NoError(t, errs[2])
	require.Positive(t, comps[0].Audit[0].Seq)
	for i, want := range []scheduling.State{scheduling.Published, scheduling.Publishing, scheduling.Published} {
		g, err := s.GetTarget(ctx, cs[i].Target.ID)
		require.NoError(t, err)
		require.Equal(t, want, g.State, cs[i].Target.ID)
	}
}

// claimAll claims with limit 7 until nothing is left, sending each batch.
func claimAll(ctx context.Context, s *pgstore.Store, owner string, now time.Time, lease time.Duration, out chan<- []scheduling.Claim) error {
	for {
		cs, err := s.ClaimDue(ctx, now, owner, lease, 7)
		if err != nil || len(cs) == 0 {
			return err
		}
		out <- cs
	}
}

func TestTwoStoresNeverClaimTwice(t *testing.T) {
	// Two Stores on two pools stand for two processes: a target is never
	// claimed by both.
	ctx := context.Background()
	schema := freshSchema(t)
	a, b := open(t, schema), open(t, schema)
	const n = 300
	for i := range n {
		schedule(t, a, fmt.Sprintf("p%03d", i))
	}
	seen := make(map[string]string)
	results := make(chan []scheduling.Claim)
	errc := make(chan error, 4)
	for i, s := range []*pgstore.Store{a, b, a, b} {
		go func() { errc <- claimAll(ctx, s, fmt.Sprint("w", i), t0, time.Hour, results) }()
	}
	for done := 0; done < 4; {
		select {
		case cs := <-results:
			for _, c := range cs {
				prev, dup := seen[c.Target.ID]
				require.False(t, dup, "target %s claimed by %s and %s", c.Target.ID, prev, c.Target.LeaseOwner)
				seen[c.Target.ID] = c.Target.LeaseOwner
			}
		case err := <-errc:
			require.NoError(t, err)
			done++
		}
	}
	require.Len(t, seen, n)
	owners := make(map[string]int)
	for _, o := range seen {
		owners[o]++
	}
	t.Logf("claims per owner: %v", owners)
}

func TestExpiredLeaseClaimedByOtherStore(t *testing.T) {
	ctx := context.Background()
	schema := freshSchema(t)
	a, b := open(t, schema), open(t, schema)
	schedule(t, a, "p1")
	cs, err := a.ClaimDue(ctx, t0, "a", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, cs, 1)

	// Before expiry: b gets nothing.
	none, err := b.ClaimDue(ctx, t0.Add(59*time.Second), "b", time.Minute, 10)
	require.NoError(t, err)
	require.Empty(t, none)
	next, ok, err := b.NextDue(ctx)
	require.NoError(t, err)
	require.True(t, ok)
	require.True(t, next.Equal(t0.Add(time.Minute)), "NextDue is the lease expiry, got %v", next)

	// At expiry: b reclaims it as an unknown outcome; a's lease is lost.
	re, err := b.ClaimDue(ctx, t0.Add(time.Minute), "b", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, re, 1)
	require.True(t, re[0].Reclaimed)
	require.True(t, re[0].Target.Unknown)
	require.Equal(t, 2, re[0].Target.Attempt)
	require.Equal(t, "b", re[0].Target.LeaseOwner)
	require.Equal(t, "Nouvelle brioche p1", re[0].Post.Content.Text)

	errs, err := a.Complete(ctx, "a", []scheduling.Completion{{TargetID: "p1-t", Attempt: 1, State: scheduling.Published}})
	require.NoError(t, err)
	require.ErrorIs(t, errs[0], scheduling.ErrLeaseLost)
	lost, err := a.Renew(ctx, "a", []scheduling.LeaseRef{{TargetID: "p1-t", Attempt: 1}}, t0.Add(time.Hour))
	require.NoError(t, err)
	require.Len(t, lost, 1)

	errs, err = b.Complete(ctx, "b", []scheduling.Completion{{TargetID: "p1-t", Attempt: 2, State: scheduling.Published}})
	require.NoError(t, err)
	require.NoError(t, errs[0])
	audit, err := a.ListAudit(ctx, scheduling.AuditFilter{TargetID: "p1-t"})
	require.NoError(t, err)
	require.Len(t, audit, 3)
	require.Equal(t, "scheduler:b", audit[2].Actor)
	require.Contains(t, audit[2].Reason, "lease of a expired")
}

func TestPostEditedBetweenClaims(t *testing.T) {
	// The cache of decoded posts follows the post's version.
	ctx := context.Background()
	s := open(t, freshSchema(t))
	schedule(t, s, "p1")
	cs, err := s.ClaimDue(ctx, t0, "w", time.Minute, 10)
	require.NoError(t, err)
	require.NoError(t, s.Release(ctx, t0, "w", []scheduling.LeaseRef{{TargetID: cs[0].Target.ID, Attempt: 1}}))
	p, _, err := s.GetPost(ctx, "p1")
	require.NoError(t, err)
	p.Content.Text = "Brioche modifiée"
	require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: p}))
	cs, err = s.ClaimDue(ctx, t0, "w", time.Minute, 10)
	require.NoError(t, err)
	require.Len(t, cs, 1)
	require.Equal(t, "Brioche modifiée", cs[0].Post.Content.Text)
	require.Equal(t, int64(2), cs[0].Post.Version)
}

// TestMigrationResolvesDoubleBookedSlots opens a schema of version 1
// whose queue slot is held by two targets (two processes queued at once):
// the migration to the unique slot index keeps the slot with the target
// furthest along and unqueues the others, with an audit entry.
func TestMigrationResolvesDoubleBookedSlots(t *testing.T) {
	ctx := context.Background()
	schema := freshSchema(t)
	s := open(t, schema)
	// Back to version 1, as an older cmkit left it.
	_, err := adminPool(t).Exec(ctx, `DROP INDEX `+pgx.Identifier{schema, "targets_queue_slot"}.Sanitize())
	require.NoError(t, err)
	_, err = adminPool(t).Exec(ctx, `DELETE FROM `+pgx.Identifier{schema, "schema_migrations"}.Sanitize()+` WHERE version = 2`)
	require.NoError(t, err)
	for i, st := range []scheduling.State{scheduling.Scheduled, scheduling.AwaitingApproval, scheduling.Publishing} {
		id := fmt.Sprintf("p%d", i)
		p := &scheduling.Post{ID: id, Content: connectors.Post{Text: id}}
		tg := &scheduling.Target{ID: id + "-t", PostID: id, AccountID: "maison-brioche", State: st, Due: t0,
			Zone: "UTC", Queued: true, Key: "key-" + id}
		require.NoError(t, s.Apply(ctx, &scheduling.Change{Post: p, Targets: []*scheduling.Target{tg}}))
	}

	s = open(t, schema)
	n, maxV := migrationCount(t, schema)
	require.Equal(t, pgstore.SchemaVersion(), n)
	require.Equal(t, pgstore.SchemaVersion(), maxV)
	for id, holds := range map[string]bool{"p0-t": false, "p1-t": false, "p2-t": true} {
		g, err := s.GetTarget(ctx, id)
		require.NoError(t, err)
		require.Equal(t, holds, g.Queued, id)
		require.True(t, g.Due.Equal(t0), "keeps its time")
		audit, err := s.ListAudit(ctx, scheduling.AuditFilter{TargetID: id})
		require.NoError(t, err)
		if holds {
			require.Empty(t, audit)
			require.Equal(t, int64(1), g.Version)
			continue
		}
		require.Len(t, audit, 1)
		require.Equal(t, "unqueued", audit[0].Action)
		require.Equal(t, "cmkit:migration", audit[0].Actor)
		require.Equal(t, int64(2), g.Version)
	}
	g, err := s.GetTarget(ctx, "p0-t")
	require.NoError(t, err)
	g.Queued = true
	require.ErrorIs(t, s.Apply(ctx, &scheduling.Change{Targets: []*scheduling.Target{g}}), scheduling.ErrSlotTaken)
}
