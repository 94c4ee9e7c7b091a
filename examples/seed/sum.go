//go:build wasip1

// The oldest scenario people tried with Python and WebAssembly: a sum of two integers,
// written in Go and called from Python through isthmus (see demo.sh and call_sum.py).
package main

//go:wasmexport sum
func sum(x, y int32) int32 { return x + y }

func main() {}
