// fib: naive recursive Fibonacci. Calls and integer arithmetic; for Go on wasm every call
// goes through the resume-point dispatch loop of the callee, so this measures call cost.
package main

import "isthmus.dev/bench/internal/kit"

func fib(n int) int {
	if n < 2 {
		return n
	}
	return fib(n-1) + fib(n-2)
}

func main() {
	kit.Run("fib", 32, func(n int) func() uint64 {
		return func() uint64 { return uint64(fib(n)) }
	})
}
