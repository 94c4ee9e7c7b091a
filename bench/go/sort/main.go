// sort: slices.Sort of SIZE pseudo-random ints (default 1M). Compares, swaps, memory traffic.
package main

import (
	"slices"

	"isthmus.dev/bench/internal/kit"
)

func main() {
	kit.Run("sort", 1<<20, func(n int) func() uint64 {
		r := kit.NewRand(3)
		xs := make([]int, n)
		for i := range xs {
			xs[i] = int(r.Uint64() >> 1)
		}
		return func() uint64 {
			slices.Sort(xs)
			h := uint64(0)
			for i := 0; i < len(xs); i += 1 + len(xs)/1000 {
				h = kit.Mix(h, uint64(xs[i]))
			}
			return h
		}
	})
}
