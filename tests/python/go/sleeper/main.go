// A Go library whose export sleeps: interrupting the store must end the sleep promptly
// (WASI's poll_oneoff sleeps in slices and checks for an interrupt).
package main

import "time"

//go:wasmexport nap
func nap(ms int32) int32 {
	time.Sleep(time.Duration(ms) * time.Millisecond)
	return ms
}

func main() {}
