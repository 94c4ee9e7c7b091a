// Package util is exported only through --export; the app declares a variable named util.
package util

import "strings"

// Trim trims spaces.
func Trim(s string) string { return strings.TrimSpace(s) }
