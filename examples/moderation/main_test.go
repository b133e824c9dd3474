package main

import (
	"bytes"
	"context"
	"path/filepath"
	"testing"

	"github.com/cmkit/cmkit/moderation/sqlitequeue"
	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, 2, 7, false, ""))
	s := out.String()
	require.Contains(t, s, "moderated ")
	require.Contains(t, s, "unwanted caught")
	require.Contains(t, s, "flagged by category")
	require.Contains(t, s, "[hide]")

	var shadow bytes.Buffer
	require.NoError(t, run(context.Background(), &shadow, 2, 7, true, ""))
	require.Contains(t, shadow.String(), "shadow true")
}

func TestDurableQueue(t *testing.T) {
	file := filepath.Join(t.TempDir(), "review.db")
	var first, second bytes.Buffer
	require.NoError(t, run(context.Background(), &first, 7, 42, false, file))
	require.Contains(t, first.String(), "reviewer camille: ")
	// The second run finds the first run's queue: the comment resolved
	// then is not pending again, and its resolution is still audited.
	require.NoError(t, run(context.Background(), &second, 7, 42, false, file))
	q, err := sqlitequeue.Open(context.Background(), file, nil)
	require.NoError(t, err)
	defer q.Close()
	audit, err := q.Audit(context.Background())
	require.NoError(t, err)
	require.Len(t, audit, 2, "one resolution per run, both kept")
	require.NotEqual(t, audit[0].ID, audit[1].ID)
}
