// builder: builds a text of SIZE lines (default 200000) with strings.Builder, strconv and
// small string functions (Repeat, ToUpper, Replace), as report and template code does.
package main

import (
	"hash/fnv"
	"strconv"
	"strings"

	"isthmus.dev/bench/internal/kit"
)

func main() {
	kit.Run("builder", 200000, func(lines int) func() uint64 {
		r := kit.NewRand(9)
		words := make([]string, 256)
		for i := range words {
			words[i] = r.Word()
		}
		return func() uint64 {
			var b strings.Builder
			for i := 0; i < lines; i++ {
				w := words[i&255]
				b.WriteString("row ")
				b.WriteString(strconv.Itoa(i))
				b.WriteByte('\t')
				b.WriteString(strings.ToUpper(w[:1]))
				b.WriteString(w[1:])
				b.WriteString(" = ")
				b.WriteString(strconv.FormatFloat(float64(i)*1.25, 'f', 2, 64))
				if i%7 == 0 {
					b.WriteString(strings.Repeat("-", i%13))
					b.WriteString(strings.ReplaceAll(words[(i>>3)&255], "a", "4"))
				}
				b.WriteByte('\n')
			}
			s := b.String()
			h := fnv.New64a()
			h.Write([]byte(s))
			return kit.Mix(h.Sum64(), uint64(len(s)))
		}
	})
}
