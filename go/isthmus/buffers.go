package isthmus

import (
	"strconv"
	"unsafe"

	"github.com/isthmus-dev/isthmus/go/wire"
)

// Buffers shared with the host (docs/abi.md §5). Addresses are uintptr here; on wasm
// they fit in 32 bits and the exports in abi_wasip1.go narrow them.

const (
	minBuffer  = 256     // the smallest request/result buffer, so small responses fit in place
	maxSpare   = 1 << 20 // a spare buffer larger than this is dropped rather than reused
	minScratch = 1024
)

var (
	// live holds the isthmus_alloc allocations the host owns, keeping them from the GC.
	live = map[uintptr][]byte{}

	// scratch is the scratch buffer (len == cap). It is nil while a call reads it, so
	// that isthmus_scratch hands out another buffer to nested calls.
	scratch []byte

	// spare is a buffer for the next host_call request. (Results of isthmus_call are
	// kept in the frames of call.go.)
	spare []byte
)

func addr(b []byte) uintptr { return uintptr(unsafe.Pointer(unsafe.SliceData(b))) }

func hexAddr(p uintptr) string { return "0x" + strconv.FormatUint(uint64(p), 16) }

// allocate implements isthmus_alloc.
func allocate(size uint32) uintptr {
	if size == 0 {
		return 0
	}
	b := make([]byte, size)
	p := addr(b)
	live[p] = b
	return p
}

// release implements isthmus_free; unknown addresses are ignored.
func release(p uintptr) { delete(live, p) }

// scratchBuffer implements isthmus_scratch: a buffer of at least size bytes that no
// call in progress reads.
func scratchBuffer(size uint32) uintptr {
	if scratch == nil || uint64(len(scratch)) < uint64(size) {
		n := max(int(size), minScratch, 2*len(scratch))
		scratch = make([]byte, n)
	}
	return addr(scratch)
}

// takeAllocation returns the argument bytes of a call at p[0:n] that are not in the
// scratch buffer: an allocation, whose ownership passes to the call. When there are none,
// it writes a status 3 payload saying why into e and reports false.
func takeAllocation(e *wire.Encoder, p uintptr, n uint32) ([]byte, bool) {
	if scratch != nil && p == addr(scratch) {
		fail(e, "isthmus: "+strconv.FormatUint(uint64(n), 10)+
			" argument bytes exceed the scratch buffer of "+strconv.Itoa(len(scratch)))
		return nil, false
	}
	b, ok := live[p]
	if !ok {
		fail(e, "isthmus: the argument buffer "+hexAddr(p)+
			" is neither the scratch buffer nor a live isthmus_alloc allocation")
		return nil, false
	}
	delete(live, p)
	if uint64(n) > uint64(len(b)) {
		fail(e, "isthmus: "+strconv.FormatUint(uint64(n), 10)+
			" argument bytes exceed the allocation of "+strconv.Itoa(len(b)))
		return nil, false
	}
	return b[:n], true
}

// takeBuffer returns an empty buffer with capacity for at least minBuffer bytes.
func takeBuffer() []byte {
	b := spare
	spare = nil
	if cap(b) < minBuffer || cap(b) > maxSpare {
		return make([]byte, 0, minBuffer)
	}
	return b[:0]
}

// keepBuffer makes b the spare buffer. It stays reachable, and unmodified until the
// guest runs again.
func keepBuffer(b []byte) { spare = b }

// response resolves the response of a host_call whose request buffer was buf: either
// buf itself (written in place) or an allocation (whose ownership passes back to us).
func response(buf []byte, p uintptr, n uint32) ([]byte, string) {
	switch {
	case n == 0:
		return nil, "empty response"
	case p == addr(buf):
		if uint64(n) > uint64(cap(buf)) {
			return nil, "response of " + strconv.FormatUint(uint64(n), 10) +
				" bytes exceeds the request buffer's capacity of " + strconv.Itoa(cap(buf))
		}
		return buf[:n], ""
	}
	if b, ok := live[p]; ok {
		delete(live, p)
		if uint64(n) > uint64(len(b)) {
			return nil, "response of " + strconv.FormatUint(uint64(n), 10) +
				" bytes exceeds its allocation of " + strconv.Itoa(len(b))
		}
		return b[:n], ""
	}
	return nil, "response at " + hexAddr(p) + " is neither the request buffer nor a live isthmus_alloc allocation"
}
