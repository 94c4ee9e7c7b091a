// regexp: four regular expressions (compiled in the timed part) run over SIZE KiB of text
// (default 1 MiB); counts and positions of the matches.
package main

import (
	"regexp"

	"isthmus.dev/bench/internal/kit"
)

var patterns = []string{
	`[A-Z][a-z]+`,                     // capitalised words
	`\b\d{4}-\d{2}-\d{2}\b`,           // dates
	`[a-z]+@[a-z]+\.org`,              // e-mail-like tokens
	`(?i)(kalo|terri|zenba)[a-z]*\d+`, // case-insensitive prefix with trailing digits
}

func main() {
	kit.Run("regexp", 1024, func(kib int) func() uint64 {
		text := kit.Text(kib*1024, 11)
		return func() uint64 {
			h := uint64(0)
			for _, p := range patterns {
				re := regexp.MustCompile(p)
				locs := re.FindAllIndex(text, -1)
				h = kit.Mix(h, uint64(len(locs)))
				for _, l := range locs {
					h += uint64(l[0])
				}
			}
			return h
		}
	})
}
