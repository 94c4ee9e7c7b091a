// Package kit is the frame every Go workload of the benchmark shares: it reads the size
// argument, prepares the input (not timed), times the work alone and prints one line that
// bench/bench.py parses:
//
//	<name> size=<size> ns=<nanoseconds of the work> check=<checksum in hex>
//
// The checksum depends only on the input, so every engine must print the one the native
// build prints; the harness refuses a run whose checksum differs.
package kit

import (
	"fmt"
	"os"
	"strconv"
	"time"
)

// Run reads the size from os.Args[1] (defaultSize when absent), calls setup(size) untimed and
// then the work closure it returns, timed.
func Run(name string, defaultSize int, setup func(size int) func() uint64) {
	size := defaultSize
	if len(os.Args) > 1 {
		n, err := strconv.Atoi(os.Args[1])
		if err != nil || n <= 0 {
			fmt.Fprintf(os.Stderr, "%s: size must be a positive integer, not %q\n", name, os.Args[1])
			os.Exit(2)
		}
		size = n
	}
	work := setup(size)
	start := time.Now()
	check := work()
	ns := time.Since(start).Nanoseconds()
	fmt.Printf("%s size=%d ns=%d check=%016x\n", name, size, ns, check)
}

// Rand is a small deterministic generator (xorshift64*), so every engine sees the same input.
type Rand struct{ s uint64 }

// NewRand seeds a generator; a zero seed is replaced by a fixed constant.
func NewRand(seed uint64) *Rand {
	if seed == 0 {
		seed = 0x9E3779B97F4A7C15
	}
	return &Rand{seed}
}

// Uint64 returns the next value.
func (r *Rand) Uint64() uint64 {
	r.s ^= r.s >> 12
	r.s ^= r.s << 25
	r.s ^= r.s >> 27
	return r.s * 2685821657736338717
}

// Intn returns a value in [0, n).
func (r *Rand) Intn(n int) int { return int(r.Uint64() % uint64(n)) }

var syllables = []string{
	"ka", "lo", "mi", "ter", "an", "sul", "vo", "ri", "den", "pa", "qu", "is", "on", "el",
	"mar", "to", "zen", "ba", "fi", "ux", "or", "gal", "ne", "st",
}

// Word returns a pseudo-word of one to four syllables; about 1 in 40 is capitalised and
// some carry digits, so that regular expressions find a mix of matches.
func (r *Rand) Word() string {
	n := 1 + r.Intn(4)
	b := make([]byte, 0, 16)
	for i := 0; i < n; i++ {
		b = append(b, syllables[r.Intn(len(syllables))]...)
	}
	switch r.Intn(40) {
	case 0:
		b[0] -= 'a' - 'A'
	case 1:
		b = strconv.AppendInt(b, int64(r.Intn(10000)), 10)
	}
	return string(b)
}

// Text returns about n bytes of words separated by spaces and punctuation, in lines of
// under 80 bytes. Some lines carry a date or an e-mail-like token.
func Text(n int, seed uint64) []byte {
	r := NewRand(seed)
	out := make([]byte, 0, n+100)
	line := 0
	for len(out) < n {
		w := r.Word()
		switch r.Intn(200) {
		case 0:
			w = fmt.Sprintf("%04d-%02d-%02d", 1990+r.Intn(40), 1+r.Intn(12), 1+r.Intn(28))
		case 1:
			w = r.Word() + "@" + r.Word() + ".org"
		}
		out = append(out, w...)
		line += len(w) + 1
		switch {
		case line > 72:
			out = append(out, '.', '\n')
			line = 0
		case r.Intn(12) == 0:
			out = append(out, ',', ' ')
		default:
			out = append(out, ' ')
		}
	}
	return out
}

// Mix folds v into the running checksum h (FNV-1a style over 64-bit words).
func Mix(h, v uint64) uint64 {
	if h == 0 {
		h = 14695981039346656037
	}
	return (h ^ v) * 1099511628211
}
