// sha256: SHA-256 of SIZE KiB (default 4 MiB) of pseudo-random bytes, in 64 KiB writes.
// Natively Go uses its assembly (SHA-NI/AVX2); on wasm the portable Go code runs.
package main

import (
	"crypto/sha256"
	"encoding/binary"

	"isthmus.dev/bench/internal/kit"
)

func main() {
	kit.Run("sha256", 4096, func(kib int) func() uint64 {
		buf := make([]byte, kib*1024)
		r := kit.NewRand(1)
		for i := 0; i+8 <= len(buf); i += 8 {
			binary.LittleEndian.PutUint64(buf[i:], r.Uint64())
		}
		return func() uint64 {
			h := sha256.New()
			for off := 0; off < len(buf); off += 64 << 10 {
				end := min(off+64<<10, len(buf))
				h.Write(buf[off:end])
			}
			sum := h.Sum(nil)
			return binary.LittleEndian.Uint64(sum)
		}
	})
}
