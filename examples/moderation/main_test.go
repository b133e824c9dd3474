package main

import (
	"bytes"
	"context"
	"testing"

	"github.com/stretchr/testify/require"
)

func TestRun(t *testing.T) {
	var out bytes.Buffer
	require.NoError(t, run(context.Background(), &out, 2, 7, false))
	s := out.String()
	require.Contains(t, s, "moderated ")
	require.Contains(t, s, "unwanted caught")
	require.Contains(t, s, "flagged by category")
	require.Contains(t, s, "[hide]")

	var shadow bytes.Buffer
	require.NoError(t, run(context.Background(), &shadow, 2, 7, true))
	require.Contains(t, shadow.String(), "shadow true")
}
