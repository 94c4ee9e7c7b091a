//go:build wasip1

// hello: the start-up module, a Go library (-buildmode=c-shared) with one export. The
// benchmark measures load + validate + instantiate + _initialize, then one call.
package main

import "fmt"

var greeting string

func init() { greeting = fmt.Sprintf("hello, %s", "isthmus") }

//go:wasmexport hello
func hello() int32 { return int32(len(greeting)) }

func main() {}
