package sqlitedb

import (
	"context"
	"errors"
	"path/filepath"
	"testing"
	"time"
)

var steps = []Migration{
	{Version: 1, Name: "t", SQL: "CREATE TABLE t (x INTEGER) STRICT;\nINSERT INTO t VALUES (1);\n"},
	{Version: 2, Name: "u", SQL: "CREATE TABLE u (y TEXT) STRICT;\n"},
}

func TestOpenAndMigrate(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "x.db")
	db, err := Open(ctx, path, Options{Synchronous: "full", ForeignKeys: true})
	if err != nil {
		t.Fatal(err)
	}
	if db.Memory || db.R == db.W || db.Path != path {
		t.Fatalf("file database opened as %+v", db)
	}
	for range 2 { // a second run finds nothing to do
		if err := Migrate(ctx, db.W, "m", steps, time.Now); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	if err := db.R.QueryRowContext(ctx, "SELECT COUNT(*) FROM m").Scan(&n); err != nil || n != 2 {
		t.Fatalf("%d migrations recorded (%v), want 2", n, err)
	}
	if _, err := db.R.ExecContext(ctx, "INSERT INTO t VALUES (2)"); err == nil {
		t.Error("the read pool accepted a write")
	}
	// An older build knows only the first step.
	var newer *NewerError
	if err := Migrate(ctx, db.W, "m", steps[:1], time.Now); !errors.As(err, &newer) || newer.Found != 2 || newer.Known != 1 {
		t.Errorf("older build: %v, want *NewerError{2, 1}", err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
}

func TestMemoryAndOptions(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, ":memory:", Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if !db.Memory || db.R != db.W {
		t.Fatalf("memory database opened as %+v", db)
	}
	if err := Migrate(ctx, db.W, "m", steps, time.Now); err != nil {
		t.Fatal(err)
	}
	for _, o := range []Options{{Synchronous: "OFF"}, {BusyTimeout: -1}, {ReadConns: -1}} {
		if _, err := Open(ctx, ":memory:", o); !errors.Is(err, ErrOptions) {
			t.Errorf("Open(%+v) = %v, want ErrOptions", o, err)
		}
	}
	bad := []Migration{{Version: 2, Name: "gap", SQL: "SELECT 1;\n"}}
	if err := Migrate(ctx, db.W, "m2", bad, time.Now); err == nil {
		t.Error("a misnumbered migration ran")
	}
}

// TestConcurrentFirstOpens opens a new file from several goroutines at
// once, as several processes starting together do: turning the file to WAL
// mode makes all but one of them meet SQLITE_BUSY, which Open waits out.
func TestConcurrentFirstOpens(t *testing.T) {
	ctx := context.Background()
	for round := range 10 {
		path := filepath.Join(t.TempDir(), "x.db")
		errs := make(chan error, 6)
		for range 6 {
			go func() {
				db, err := Open(ctx, path, Options{})
				if err == nil {
					err = Migrate(ctx, db.W, "m", steps, time.Now)
					err = errors.Join(err, db.Close())
				}
				errs <- err
			}()
		}
		for range 6 {
			if err := <-errs; err != nil {
				t.Fatalf("round %d: %v", round, err)
			}
		}
	}
}
