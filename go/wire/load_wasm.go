//go:build wasm

package wire

import "unsafe"

// On wasm (little-endian, unaligned loads allowed) a fixed-size read is one load instead
// of binary.LittleEndian's bytes and shifts, which also keeps the readers small enough to
// be inlined. The callers check the bounds.

func le32(b []byte, off int) uint32 { return *(*uint32)(unsafe.Pointer(unsafe.SliceData(b[off:]))) }

func le64(b []byte, off int) uint64 { return *(*uint64)(unsafe.Pointer(unsafe.SliceData(b[off:]))) }
