//go:build wasip1

// A Go library module (c-shared): _initialize first, then the exported functions.
package main

//go:wasmexport sum
func sum(x, y int32) int32 { return x + y }

//go:wasmexport fib
func fib(n int64) int64 { return fibImpl(n) }

//go:wasmexport work
func work(n int32) int32 { return workImpl(n) }

func main() {}
