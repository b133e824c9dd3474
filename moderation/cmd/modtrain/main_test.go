package main

import (
	"bytes"
	"os"
	"path/filepath"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/cmkit/cmkit/moderation/classifier"
)

func TestRunDeterministic(t *testing.T) {
	dir := t.TempDir()
	in := filepath.Join(dir, "in.tsv")
	require.NoError(t, os.WriteFile(in, []byte("lang\tlabel\ttext\nen\ttoxic\tyou idiot\nen\tclean\tnice day\nfr\tspam\tabonne toi à ma chaîne\nfr\tcomplaint\tservice nul\n"), 0o644))
	var files [2][]byte
	for i := range files {
		out := filepath.Join(dir, "m.bin.gz")
		var log bytes.Buffer
		require.NoError(t, run([]string{"-input", in, "-synthetic", "", "-out", out, "-bits", "16", "-epochs", "3"}, &log))
		require.Contains(t, log.String(), "epoch  3  log loss")
		require.Contains(t, log.String(), "in                   4")
		b, err := os.ReadFile(out)
		require.NoError(t, err)
		files[i] = b
	}
	require.Equal(t, files[0], files[1])
	m, err := classifier.Load(bytes.NewReader(files[0]))
	require.NoError(t, err)
	require.Equal(t, 1<<16, m.Buckets())
}

func TestRunErrors(t *testing.T) {
	require.Error(t, run([]string{"-synthetic", ""}, &bytes.Buffer{}))
	require.Error(t, run([]string{"-input", "nope.tsv", "-synthetic", ""}, &bytes.Buffer{}))
	require.Error(t, run([]string{"-data", "nope"}, &bytes.Buffer{}))
}
