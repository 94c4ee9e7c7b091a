// Package text is a library package of the example: its marked functions are exported
// by the main package that imports it.
package text

import "strings"

// Title capitalizes the first letter of every word.
//
//isthmus:export
func Title(s string) string {
	words := strings.Fields(s)
	for i, w := range words {
		words[i] = strings.ToUpper(w[:1]) + w[1:]
	}
	return strings.Join(words, " ")
}

// Stats counts the letters, digits and spaces of a text.
type Stats struct {
	Letters int `json:"letters"`
	Digits  int `json:"digits"`
	Spaces  int `json:"spaces"` // blanks of any kind
}

// Count returns the Stats of s.
//
//isthmus:export count
func Count(s string) Stats {
	var st Stats
	for _, r := range s {
		switch {
		case r >= '0' && r <= '9':
			st.Digits++
		case r == ' ' || r == '\t' || r == '\n':
			st.Spaces++
		default:
			st.Letters++
		}
	}
	return st
}
