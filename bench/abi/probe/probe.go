// Package probe holds functions that do (almost) nothing, exported through the isthmus ABI
// next to the shared ones: timing them splits the cost of an isthmus call into the ABI's
// per-call work, argument and result coding, and the function body
// (bench_abi_peers.py's breakdown table).
package probe

// Nop takes and returns nothing: the fixed cost of one call through the ABI.
func Nop() {}

// Add adds two integers: the coding of three fixed-size values.
func Add(a, b int64) int64 { return a + b }

// Echo returns s: a string decoded into a Go string and encoded back, with no other work.
func Echo(s string) string { return s }
