// Package pgtest gives the PostgreSQL stores' tests their database. As the
// house style says, those tests run when TEST_DATABASE_URL is set (.ci/run
// sets it to the PostgreSQL CI starts) and skip otherwise; a set URL that
// does not answer is a failure, and so is a missing URL when CI is set.
// Each test works in a schema of its own, dropped when it ends.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"sync"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
)

// URL returns TEST_DATABASE_URL, skipping the test when it is not set
// (failing it when CI is set).
func URL(t testing.TB) string {
	t.Helper()
	url := os.Getenv("TEST_DATABASE_URL")
	if url == "" {
		const msg = "TEST_DATABASE_URL is not set (e.g. postgres://postgres@127.0.0.1:5432/test?sslmode=disable)"
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg + "; skipping the PostgreSQL tests")
	}
	return url
}

var admin struct {
	once sync.Once
	pool *pgxpool.Pool
	err  error
}

// Admin returns a pool for the tests' own statements (creating and
// dropping schemas, reading tables), opened once per test binary.
func Admin(t testing.TB) *pgxpool.Pool {
	t.Helper()
	url := URL(t)
	admin.once.Do(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		admin.pool, admin.err = pgxpool.New(ctx, url)
		if admin.err == nil {
			admin.err = admin.pool.Ping(ctx)
		}
	})
	if admin.err != nil {
		t.Fatalf("PostgreSQL at TEST_DATABASE_URL unreachable: %v", admin.err)
	}
	return admin.pool
}

// Schema returns the name of a schema that does not exist yet, and drops
// it (with everything in it) when the test ends.
func Schema(t testing.TB) string {
	t.Helper()
	pool := Admin(t)
	var b [6]byte
	_, _ = rand.Read(b[:])
	name := "cmkit_test_" + hex.EncodeToString(b[:])
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if _, err := pool.Exec(ctx, `DROP SCHEMA IF EXISTS `+pgx.Identifier{name}.Sanitize()+` CASCADE`); err != nil {
			t.Errorf("drop schema %s: %v", name, err)
		}
	})
	return name
}
