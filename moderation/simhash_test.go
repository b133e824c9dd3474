package moderation

import (
	"strconv"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"
)

// simhashReference is the plain SimHash: one signed counter per bit.
func simhashReference(a *analysis) uint64 {
	var v [64]int32
	var prev uint64
	n := 0
	for i, k := range a.tk.toks {
		if k.kind != Word && k.kind != URL && k.kind != Number {
			continue
		}
		x := uint64(14695981039346656037)
		for _, c := range a.word(i) {
			x = (x ^ uint64(c)) * 1099511628211
		}
		fs := []uint64{x}
		if n > 0 {
			fs = append(fs, x*31^prev)
		}
		for _, f := range fs {
			for b := range 64 {
				if f&(1<<b) != 0 {
					v[b]++
				} else {
					v[b]--
				}
			}
		}
		prev = x
		n++
	}
	var out uint64
	for b := range 64 {
		if v[b] > 0 {
			out |= 1 << b
		}
	}
	return out
}

func TestSimhashMatchesReference(t *testing.T) {
	long := ""
	for i := range 400 { // more than 255 features: the lanes are flushed
		long += string(rune('a'+i%26)) + string(rune('a'+i%7)) + " "
	}
	for name, text := range map[string]string{
		"empty":   "",
		"one":     "hello",
		"tweet":   "Contactez-moi sur WhatsApp +33 6 12 34 56 78 pour gagner 500€ par jour",
		"link":    "sub for sub? check my channel bit.ly/3xYz",
		"long":    long,
		"symbols": "!!! ??? ...",
	} {
		t.Run(name, func(t *testing.T) {
			a := new(analysis)
			a.run(&Item{Text: text})
			require.Equal(t, simhashReference(a), simhash(a))
		})
	}
}

func TestQuoteMatchesStrconv(t *testing.T) {
	for _, s := range []string{"", "connard", "c 0 n n a r d", `say "hi"`, `a\b`, "tab\there", "immigrés", "😡 fuck", "\x00", "\xff"} {
		var b strings.Builder
		quote(&b, s)
		if got, want := b.String(), strconv.Quote(s); got != want {
			t.Errorf("quote(%q) = %s, want %s", s, got, want)
		}
	}
}
