package main

import (
	"bytes"
	"context"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// TestReport runs the quickstart and checks its key lines against values
// worked out by hand from data/ (the derivations are in the comments), so
// the first program users run cannot silently break.
func TestReport(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, report(&buf))
	out := buf.String()
	for _, want := range []string{
		"Maison Brioche: weekly community report, 2025-W23 (Mon 2 Jun to Sun 8 Jun 2025, Europe/Paris)",
		// Instagram: 9200 + 7400 + 5100 = 21700 impressions; engagements
		// 561 + 379 + 231 = 1171; 1171 / 21700 = 5.40 %; 1171 / 12705 =
		// 9.22 %; (12705 - 12480) / 12480 = +1.80 %; 71 / 12480 = 0.57 %.
		"instagram        21700   5.40 %    9.22 %      12705  +1.80 %  0.57 %",
		// LinkedIn: 6400 impressions, 198 engagements (clicks excluded).
		"linkedin          6400   3.09 %    6.00 %       3302  +2.87 %  0.37 %",
		// 561 / 9200 = 6.10 %, the best of the nine posts.
		"Top post: ig-croissant-reel on instagram, 6.10 % of impressions",
		"NPS: +48 (25 responses)", // 16 promoters, 5 passives, 4 detractors: 100 × 12 / 25
		// Thursday's 19 negative mentions against a quiet week before.
		"ALERT negative mentions on Thu 5 Jun: 19",
		"Response rate: 90.00 % (18 of 20 messages)",
		// Sorted reply times: median (33 + 36) / 2 = 34.5 min; p90 95 +
		// 0.3 × (140 - 95) = 108.5 min; 14 of 20 within 60 min.
		"First response: median 35 min, p90 1 h 49 min; within the 1 h SLA: 70.00 %",
		// 22500 × 1.45 / 1607 × 10 = 203.02; + 120 + 29 = 352.02.
		"Labour: junior CM, 10 h = 203.02 EUR; media 120.00, tools 29.00; total 352.02 EUR",
		// (551 - 352.02) / 352.02 = 0.565.
		"Attributed revenue 551.00 EUR: ROI +0.57",
		"A/B: Instagram 5.40 % vs LinkedIn 3.09 % engagement per impression",
		"significant at 5 %",
	} {
		require.Contains(t, out, want)
	}
	require.NotContains(t, out, "n/a")
	require.Equal(t, 1, strings.Count(out, "ALERT"), "only Thursday is anomalous")
}

type failingWriter struct{}

func (failingWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestReportWriteError(t *testing.T) {
	require.EqualError(t, report(failingWriter{}), "disk full")
}

// TestWeekPlan checks the content calendar part: the week's plan in Paris
// time, sorted, the entry Bluesky would refuse (325 characters against
// 300), and the publication of every planned post once.
func TestWeekPlan(t *testing.T) {
	var buf bytes.Buffer
	require.NoError(t, weekPlan(context.Background(), &buf, planOptions{}))
	out := buf.String()
	want := []string{
		"Maison Brioche: content calendar 2025-W24 (Mon 9 Jun to Sun 15 Jun 2025, Europe/Paris)",
		"Mon 9 Jun 08:30   bluesky    La brioche tressée est de retour…",
		"Mon 9 Jun 08:30   instagram  La brioche tressée est de retour…",
		"Mon 9 Jun 12:00   linkedin   Maison Brioche recrute 6 boulangers et…",
		"Tue 10 Jun 09:00  bluesky    Les fournées du jour sortent à…",
		"Tue 10 Jun 09:00  mastodon   Les fournées du jour sortent à…",
		"Wed 11 Jun 08:30  instagram  Mercredi, c'est kouign-amann : la recette…",
		"Thu 12 Jun 18:00  instagram  Coulisses : 400 brioches façonnées chaque…",
		"Thu 12 Jun 18:00  linkedin   Coulisses : 400 brioches façonnées chaque…",
		"Fri 13 Jun 17:00  mastodon   Ce week-end, dégustation gratuite de brioche…",
		"Sat 14 Jun 10:00  bluesky    Dégustation place des Terreaux jusqu'à 13…",
		"Sat 14 Jun 10:00  instagram  Dégustation place des Terreaux jusqu'à 13…",
		"Sun 15 Jun 11:00  linkedin   Bilan de la semaine : merci…",
		// The whole post is refused, Mastodon included: it is one post.
		"REJECTED Thu 12 Jun 12:30 on bluesky: text is 325 characters, Bluesky allows 300 (\"Notre histoire commence en…\")",
		"Published 12 of 12 planned posts, 12 at their planned minute (instagram 4, linkedin 3, mastodon 2, bluesky 3)",
	}
	// The plan lines, in this order.
	last := -1
	for _, w := range want {
		i := strings.Index(out, w)
		require.GreaterOrEqual(t, i, 0, "missing %q in\n%s", w, out)
		require.Greater(t, i, last, "%q out of order", w)
		last = i
	}
	require.Equal(t, 1, strings.Count(out, "REJECTED"))
}

func TestWeekPlanWriteError(t *testing.T) {
	require.EqualError(t, weekPlan(context.Background(), failingWriter{}, planOptions{}), "disk full")
}

// With an -accounts file the calendar goes to the configured accounts only
// (here in-memory ones opened by URL), as a dry run unless -publish.
func TestWeekPlanConfiguredAccounts(t *testing.T) {
	path := filepath.Join(t.TempDir(), "accounts.json")
	require.NoError(t, os.WriteFile(path, []byte(`{
		"mastodon": {"url": "mem://maisonbrioche?profile=mastodon", "token_env": "QUICKSTART_TEST_TOKEN"},
		"bluesky":  {"url": "mem://maisonbrioche?profile=bluesky"}
	}`), 0o600))
	_, err := loadAccounts(path)
	require.ErrorContains(t, err, "environment variable QUICKSTART_TEST_TOKEN is empty")
	t.Setenv("QUICKSTART_TEST_TOKEN", "not-a-real-token")
	accounts, err := loadAccounts(path)
	require.NoError(t, err)

	var buf bytes.Buffer
	require.NoError(t, weekPlan(context.Background(), &buf, planOptions{accounts: accounts}))
	out := buf.String()
	require.Contains(t, out, "Tue 10 Jun 09:00  mastodon   Les fournées du jour sortent à…")
	require.Contains(t, out, "REJECTED Thu 12 Jun 12:30 on bluesky: text is 325 characters")
	require.NotContains(t, out, "instagram")
	require.NotContains(t, out, "linkedin")
	require.Contains(t, out, "Dry run: nothing published")

	buf.Reset()
	require.NoError(t, weekPlan(context.Background(), &buf, planOptions{accounts: accounts, publish: true}))
	require.Regexp(t, `Published (\d+) of (\d+) planned posts, \d+ at their planned minute`, buf.String())
	require.NotContains(t, buf.String(), "Dry run")
}
