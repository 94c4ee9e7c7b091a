package main

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"
	"strings"
)

func fibImpl(n int64) int64 {
	if n < 2 {
		return n
	}
	return fibImpl(n-1) + fibImpl(n-2)
}

// workImpl exercises maps, slices, sorting, strings and hashing; returns a checksum.
func workImpl(n int32) int32 {
	m := map[string]int{}
	var words []string
	for i := 0; i < int(n); i++ {
		w := strings.Repeat(string(rune('a'+i%26)), 1+i%7)
		m[w]++
		words = append(words, w)
	}
	sort.Strings(words)
	h := sha256.Sum256([]byte(strings.Join(words, ",")))
	s := hex.EncodeToString(h[:])
	return int32(len(m))*1000 + int32(s[0])
}
