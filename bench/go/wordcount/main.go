// wordcount: counts the words of SIZE KiB of text (default 1 MiB) in a map[string]int, then
// ranks the 20 most frequent. Map hashing, lookups, growth, string handling.
package main

import (
	"bytes"
	"sort"

	"isthmus.dev/bench/internal/kit"
)

func main() {
	kit.Run("wordcount", 1024, func(kib int) func() uint64 {
		text := kit.Text(kib*1024, 5)
		return func() uint64 {
			counts := map[string]int{}
			for _, line := range bytes.Split(text, []byte{'\n'}) {
				for _, w := range bytes.FieldsFunc(line, func(c rune) bool { return c == ' ' || c == ',' || c == '.' }) {
					counts[string(bytes.ToLower(w))]++
				}
			}
			type wc struct {
				w string
				n int
			}
			all := make([]wc, 0, len(counts))
			for w, n := range counts {
				all = append(all, wc{w, n})
			}
			sort.Slice(all, func(i, j int) bool {
				if all[i].n != all[j].n {
					return all[i].n > all[j].n
				}
				return all[i].w < all[j].w
			})
			h := kit.Mix(0, uint64(len(counts)))
			for _, e := range all[:min(20, len(all))] {
				h = kit.Mix(h, uint64(e.n))
				for _, c := range []byte(e.w) {
					h = kit.Mix(h, uint64(c))
				}
			}
			return h
		}
	})
}
