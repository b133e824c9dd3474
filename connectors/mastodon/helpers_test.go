package mastodon_test

import (
	"io"
	"os"
	"strconv"
)

type ioReadCloser = io.ReadCloser

type nopCloser struct{ io.Reader }

func (nopCloser) Close() error { return nil }

func readFile(name string) ([]byte, error) { return os.ReadFile(name) }

func itoa(n int) string { return strconv.Itoa(n) }
