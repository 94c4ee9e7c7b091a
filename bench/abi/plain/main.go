// Command plain exposes the shared functions the way hand-written glue usually does for a host
// that speaks plain WebAssembly (here wasmtime-py): an alloc export for the host to write
// inputs into, functions that take (ptr, len) and return ptr<<32|len in an i64, and JSON for
// the struct. Built with GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared.
package main

import (
	"encoding/json"
	"unsafe"

	"isthmus.dev/bench/abi/shared"
)

// pinned keeps the buffers handed out by alloc reachable (Go's collector would free them
// otherwise) until the call that reads them.
var pinned = map[uintptr][]byte{}

// result keeps the last result alive until the next call, so the host can read it.
var result []byte

// alloc returns size bytes for the host to write a call's input into; the next call taking
// that pointer releases them.
//
//go:wasmexport alloc
func alloc(size uint32) unsafe.Pointer {
	if size == 0 {
		return nil
	}
	buf := make([]byte, size)
	p := unsafe.Pointer(unsafe.SliceData(buf))
	pinned[uintptr(p)] = buf
	return p
}

// scratchBuf is a buffer the host may write every call's input into instead of allocating
// one per call (the "reused buffer" glue): one wasm call per round trip instead of two.
var scratchBuf []byte

// scratch returns a buffer of at least size bytes that stays the host's to reuse until it
// asks for a larger one.
//
//go:wasmexport scratch
func scratch(size uint32) unsafe.Pointer {
	if uint32(len(scratchBuf)) < size || scratchBuf == nil {
		scratchBuf = make([]byte, max(size, 4096))
	}
	return unsafe.Pointer(unsafe.SliceData(scratchBuf))
}

// take returns the input at ptr[0:n]: the scratch buffer's bytes, or an alloc buffer's, which
// it releases.
func take(ptr unsafe.Pointer, n uint32) []byte {
	if scratchBuf != nil && ptr == unsafe.Pointer(unsafe.SliceData(scratchBuf)) && n <= uint32(len(scratchBuf)) {
		return scratchBuf[:n]
	}
	buf, ok := pinned[uintptr(ptr)]
	if !ok || uint32(len(buf)) < n {
		return nil
	}
	delete(pinned, uintptr(ptr))
	return buf[:n]
}

// pack returns b to the host as ptr<<32 | len, or 0 (failure) for an empty b: no result of
// these functions is empty.
func pack(b []byte) uint64 {
	result = b
	if len(b) == 0 {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(unsafe.SliceData(b))))<<32 | uint64(len(b))
}

//go:wasmexport greet
func greet(ptr unsafe.Pointer, n uint32) uint64 {
	return pack([]byte(shared.Greet(string(take(ptr, n)))))
}

//go:wasmexport reorder
func reorder(ptr unsafe.Pointer, n uint32) uint64 {
	var o shared.Order
	if err := json.Unmarshal(take(ptr, n), &o); err != nil {
		return 0
	}
	out, err := json.Marshal(shared.Reorder(o))
	if err != nil {
		return 0
	}
	return pack(out)
}

func main() {}
