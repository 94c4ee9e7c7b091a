//go:build wasip1

// A Go library module (c-shared) for the Python tests: plain numbers, a host import that
// Python implements and that calls back into Go (re-entry), stdout/stderr, a panic, a long
// loop (Ctrl-C), guest memory shared with Python, and memory growth.
package main

import (
	"fmt"
	"os"
	"unsafe"
)

//go:wasmimport env callback
func callback(x int32) int32

//go:wasmexport sum
func sum(x, y int32) int32 { return x + y }

//go:wasmexport add64
func add64(x, y int64) int64 { return x + y }

//go:wasmexport scale
func scale(x float64, k float32) float64 { return x * float64(k) }

//go:wasmexport double
func double(x int32) int32 { return 2 * x }

// callBack asks the host, which may call double (Go -> Python -> Go).
//
//go:wasmexport call_back
func callBack(x int32) int32 { return callback(x) + 1 }

//go:wasmexport hello
func hello() {
	fmt.Println("hello from Go")
	fmt.Fprintln(os.Stderr, "to stderr")
}

//go:wasmexport boom
func boom() { panic("boom from Go") }

// divide panics (integer divide by zero) when y is 0: a trap that code which tiered up can hit.
//
//go:wasmexport divide
func divide(x, y int32) int32 { return x / y }

//go:wasmexport spin
func spin(n int64) int64 {
	var acc int64
	for i := int64(0); i < n; i++ {
		acc += i ^ (acc >> 3)
	}
	return acc
}

var buffers = map[uintptr][]byte{}

// alloc gives the host n bytes of guest memory (kept alive until release).
//
//go:wasmexport alloc
func alloc(n int32) unsafe.Pointer {
	b := make([]byte, n)
	p := unsafe.Pointer(&b[0])
	buffers[uintptr(p)] = b
	return p
}

//go:wasmexport release
func release(p unsafe.Pointer) { delete(buffers, uintptr(p)) }

// upper upper-cases the string in place and returns its length.
//
//go:wasmexport upper
func upper(s string) int32 {
	b := unsafe.Slice(unsafe.StringData(s), len(s))
	for i, c := range b {
		if c >= 'a' && c <= 'z' {
			b[i] = c - 32
		}
	}
	return int32(len(s))
}

var hoard [][]byte

// grow allocates n MiB so that the heap (and the wasm memory) grows.
//
//go:wasmexport grow
func grow(n int32) int32 {
	for i := int32(0); i < n; i++ {
		hoard = append(hoard, make([]byte, 1<<20))
	}
	return int32(len(hoard))
}

//go:wasmexport getenv
func getenv(p unsafe.Pointer, n int32) int32 {
	v := os.Getenv("GREETING")
	copy(unsafe.Slice((*byte)(p), n), v)
	return int32(len(v))
}

//go:wasmexport readfile
func readfile(p unsafe.Pointer, n int32) int32 {
	data, err := os.ReadFile("/data/in.txt")
	if err != nil {
		return -1
	}
	copy(unsafe.Slice((*byte)(p), n), data)
	return int32(len(data))
}

func main() {}
