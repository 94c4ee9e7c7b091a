// Command extism exposes the shared functions as an Extism plug-in through Extism's Go PDK
// (github.com/extism/go-pdk): input and output are byte strings that the PDK moves through
// the Extism kernel's memory; the struct travels as JSON. Built with the standard toolchain:
// GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared (no TinyGo).
package main

import (
	"github.com/extism/go-pdk"

	"isthmus.dev/bench/abi/shared"
)

//go:wasmexport greet
func greet() int32 {
	pdk.OutputString(shared.Greet(pdk.InputString()))
	return 0
}

//go:wasmexport reorder
func reorder() int32 {
	var o shared.Order
	if err := pdk.InputJSON(&o); err != nil {
		pdk.SetError(err)
		return 1
	}
	if err := pdk.OutputJSON(shared.Reorder(o)); err != nil {
		pdk.SetError(err)
		return 1
	}
	return 0
}

func main() {}
