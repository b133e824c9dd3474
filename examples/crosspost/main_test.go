package main

import (
	"bytes"
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/connectors"
)

func TestCrosspostDemo(t *testing.T) {
	m, err := image("", "alt")
	require.NoError(t, err)
	var out bytes.Buffer
	post := &connectors.Post{Text: "Bonjour Lyon ! https://maison-brioche.fr", Media: []connectors.Media{m}}
	require.NoError(t, run(context.Background(), &out, demoAccounts, post, false))
	require.Equal(t, 5, strings.Count(out.String(), "  posted   "), out.String())
}

func TestCrosspostRefusesBeforePublishing(t *testing.T) {
	var out bytes.Buffer
	post := &connectors.Post{Text: strings.Repeat("é", 301)}
	err := run(context.Background(), &out, demoAccounts[:3], post, false)
	require.ErrorContains(t, err, "2 of 3 accounts refuse this post")
	require.Contains(t, out.String(), "text is 301 characters, Mem (x limits) allows 280")
	require.Contains(t, out.String(), "text is 301 characters, Mem (bluesky limits) allows 300")
	require.NotContains(t, out.String(), "posted")

	out.Reset()
	require.NoError(t, run(context.Background(), &out, demoAccounts[:3], post, true))
	require.Equal(t, 1, strings.Count(out.String(), "  posted   "), out.String())
	require.Equal(t, 2, strings.Count(out.String(), "  skipped  "), out.String())
}

func TestLoadConfigAndSecrets(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "accounts.json")
	require.NoError(t, os.WriteFile(path, []byte(`[{"url":"mem://brand?profile=x","token_env":"CROSSPOST_TEST_TOKEN"}]`), 0o600))
	accounts, err := loadConfig(path)
	require.NoError(t, err)
	require.Len(t, accounts, 1)

	_, err = open(context.Background(), accounts[0])
	require.ErrorContains(t, err, "CROSSPOST_TEST_TOKEN is empty")
	t.Setenv("CROSSPOST_TEST_TOKEN", "secret")
	acct, err := open(context.Background(), accounts[0])
	require.NoError(t, err)
	require.Equal(t, "mem", acct.Network())

	require.NoError(t, os.WriteFile(path, []byte(`[]`), 0o600))
	_, err = loadConfig(path)
	require.ErrorContains(t, err, "no accounts")
	_, err = open(context.Background(), AccountConfig{URL: "mastodon://x/brand?access_token=abc"})
	require.Error(t, err, "secrets in URLs are refused")
}
