//go:build wasip1

package isthmus

import (
	"unsafe"

	"github.com/isthmus-dev/isthmus/go/wire"
)

// The exports of docs/abi.md §3. Pointers and sizes are i32 (unsigned); the packed
// results are ptr<<32 | len.

//go:wasmexport isthmus_abi_version
func exportABIVersion() int32 { return wire.ABIVersion }

//go:wasmexport isthmus_schema
func exportSchema() uint64 {
	if schema == "" {
		return 0
	}
	return uint64(uintptr(unsafe.Pointer(unsafe.StringData(schema))))<<32 | uint64(len(schema))
}

//go:wasmexport isthmus_scratch
func exportScratch(size uint32) uint32 { return uint32(scratchBuffer(size)) }

//go:wasmexport isthmus_alloc
func exportAlloc(size uint32) uint32 { return uint32(allocate(size)) }

//go:wasmexport isthmus_free
func exportFree(ptr, size uint32) { release(uintptr(ptr)) }

// isthmus_call is callExport (call.go), exported from there: a wrapper would cost a
// call, which the interpreters that run these modules make expensive.

// packResult packs the result payload of isthmus_call: ptr<<32 | len.
func packResult(out []byte) uint64 { return uint64(addr(out))<<32 | uint64(len(out)) }

// hostCall is the one host import (docs/abi.md §4). The linker keeps it only in
// modules that call a host function.
//
//go:wasmimport isthmus host_call
func hostCall(id int32, ptr unsafe.Pointer, n, c uint32) uint64

func hostAvailable() bool { return true }

// doHostCall sends buf[:n] (the guest owns buf up to its capacity) and returns the
// response's address and length.
func doHostCall(id int32, buf []byte, n int) (uintptr, uint32) {
	packed := hostCall(id, unsafe.Pointer(unsafe.SliceData(buf)), uint32(n), uint32(cap(buf)))
	return uintptr(packed >> 32), uint32(packed)
}
