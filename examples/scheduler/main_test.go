package main

import (
	"bytes"
	"context"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestRun runs the tool on a temporary database and checks the story it
// tells: the plan in Paris time, the refusal, the publications before and
// after the restart, one post per network and target, and the audit trail.
func TestRun(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, run(context.Background(), &buf, filepath.Join(t.TempDir(), "calendar.db")))
	out := buf.String()
	for _, want := range []string{
		"refused (\"Notre histoire commence en 1962,…\"): text is 376 characters, Bluesky allows 300",
		"sophie approved \"Jeu concours : gagnez un…\"",
		// The queue takes the next free slots: Monday 09:30 is taken on
		// Instagram by the launch post.
		"Mon 02 Jun 18:00  instagram:maisonbrioche  Coulisses : nos boulangers façonnent…",
		"Mon 02 Jun 12:30  bluesky:maisonbrioche.fr Coulisses : nos boulangers façonnent…",
		"Tue 03 Jun 09:30  instagram:maisonbrioche  Jeu concours : gagnez un…",
		"Restarted: reopened calendar.db, 3 targets still scheduled",
		"On the networks: instagram:maisonbrioche 3 posts, bluesky:maisonbrioche.fr 3 posts",
		"sophie    bluesky:maisonbrioche.fr approved -> scheduled",
	} {
		require.Contains(t, out, want)
	}
	require.Equal(t, 6, strings.Count(out, "published on "), out)
	require.NotContains(t, out, "FAILED")
	// Publications before the restart come before it in the output.
	restart := strings.Index(out, "Restarted:")
	require.Less(t, strings.Index(out, "Mon 02 Jun 12:30  published on bluesky"), restart)
	require.Greater(t, strings.Index(out, "Tue 03 Jun 12:30  published on bluesky"), restart)
}
