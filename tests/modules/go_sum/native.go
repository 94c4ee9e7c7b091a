//go:build !wasip1

// The same computations natively: the expected answers for tests/scripts/real_modules.sh.
package main

import "fmt"

func main() {
	fmt.Println(fibImpl(25))
	fmt.Println(workImpl(1000))
}
