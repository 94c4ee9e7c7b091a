// gzip: compress/gzip at the default level of SIZE KiB of text (default 1 MiB), then
// decompression and a byte-for-byte comparison. Hashing, matching, Huffman coding, CRC-32.
package main

import (
	"bytes"
	"compress/gzip"
	"hash/crc32"
	"io"

	"isthmus.dev/bench/internal/kit"
)

func main() {
	kit.Run("gzip", 1024, func(kib int) func() uint64 {
		text := kit.Text(kib*1024, 13)
		return func() uint64 {
			var z bytes.Buffer
			w := gzip.NewWriter(&z)
			w.Write(text)
			w.Close()
			n := z.Len()
			rd, err := gzip.NewReader(&z)
			if err != nil {
				panic(err)
			}
			back, err := io.ReadAll(rd)
			if err != nil || !bytes.Equal(back, text) {
				panic("gzip round trip differs")
			}
			return kit.Mix(uint64(n), uint64(crc32.ChecksumIEEE(back)))
		}
	})
}
