package textcount

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// Punycode parameters, RFC 3492 section 5.
const (
	pcBase        = 36
	pcTMin        = 1
	pcTMax        = 26
	pcSkew        = 38
	pcDamp        = 700
	pcInitialBias = 72
	pcInitialN    = 128
)

// asciiLabelLen returns the length in bytes of a domain label once converted
// to ASCII for the DNS: the label itself when it is ASCII, else "xn--" and
// its punycode encoding (RFC 3492) after lower-casing. ok is false for a
// label that cannot be converted (an "xn--" label holding non-ASCII).
func asciiLabelLen(l string) (n int, ok bool) {
	ascii := true
	for i := 0; i < len(l); i++ {
		if l[i] >= utf8.RuneSelf {
			ascii = false
			break
		}
	}
	if ascii {
		return len(l), true
	}
	if len(l) >= 4 && strings.EqualFold(l[:4], "xn--") {
		return 0, false
	}
	return 4 + punycodeLen(l), true
}

// punycodeLen returns the length of the punycode encoding of the lower-cased
// code points of l (RFC 3492 section 6.3, counting instead of writing).
func punycodeLen(l string) int {
	var buf [64]rune
	cps := buf[:0]
	for _, r := range l {
		cps = append(cps, unicode.ToLower(r))
	}
	basic := 0
	for _, r := range cps {
		if r < 0x80 {
			basic++
		}
	}
	out := basic
	if basic > 0 {
		out++ // delimiter
	}
	n, delta, bias := rune(pcInitialN), 0, pcInitialBias
	h := basic
	for h < len(cps) {
		m := rune(0x7FFFFFFF)
		for _, r := range cps {
			if r >= n && r < m {
				m = r
			}
		}
		delta += int(m-n) * (h + 1)
		if delta < 0 { // overflow: cannot be encoded
			return 1 << 20
		}
		n = m
		for _, r := range cps {
			if r < n {
				delta++
			}
			if r == n {
				q := delta
				for k := pcBase; ; k += pcBase {
					t := k - bias
					if t < pcTMin {
						t = pcTMin
					} else if t > pcTMax {
						t = pcTMax
					}
					if q < t {
						break
					}
					out++ // digit t + (q-t) mod (base-t)
					q = (q - t) / (pcBase - t)
				}
				out++
				bias = pcAdapt(delta, h+1, h == basic)
				delta = 0
				h++
			}
		}
		delta++
		n++
	}
	return out
}

func pcAdapt(delta, numPoints int, first bool) int {
	if first {
		delta /= pcDamp
	} else {
		delta /= 2
	}
	delta += delta / numPoints
	k := 0
	for delta > ((pcBase-pcTMin)*pcTMax)/2 {
		delta /= pcBase - pcTMin
		k += pcBase
	}
	return k + (pcBase-pcTMin+1)*delta/(delta+pcSkew)
}
