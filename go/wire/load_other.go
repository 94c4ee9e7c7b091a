//go:build !wasm

package wire

import "encoding/binary"

// See load_wasm.go; elsewhere the bytes are read portably. The callers check the bounds.

func le32(b []byte, off int) uint32 { return binary.LittleEndian.Uint32(b[off:]) }

func le64(b []byte, off int) uint64 { return binary.LittleEndian.Uint64(b[off:]) }
