package gen

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
)

var wasmHeader = []byte{0x00, 'a', 's', 'm', 0x01, 0x00, 0x00, 0x00}

// appendULEB128 appends v in unsigned LEB128.
func appendULEB128(b []byte, v uint32) []byte {
	for {
		c := byte(v & 0x7f)
		v >>= 7
		if v != 0 {
			c |= 0x80
		}
		b = append(b, c)
		if v == 0 {
			return b
		}
	}
}

func readULEB128(b []byte) (v uint32, n int, err error) {
	var shift uint
	for n < len(b) && n < 5 {
		c := b[n]
		n++
		v |= uint32(c&0x7f) << shift
		if c&0x80 == 0 {
			return v, n, nil
		}
		shift += 7
	}
	return 0, 0, errors.New("malformed LEB128")
}

// CustomSection encodes a custom section (id 0) with the given name and payload.
func CustomSection(name string, payload []byte) []byte {
	content := appendULEB128(nil, uint32(len(name)))
	content = append(content, name...)
	content = append(content, payload...)
	out := []byte{0}
	out = appendULEB128(out, uint32(len(content)))
	return append(out, content...)
}

// AppendCustomSection appends a custom section to the module in path. A custom section
// may follow the last section of a module, so this never changes what the module does.
func AppendCustomSection(path, name string, payload []byte) error {
	b, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	sections, err := CustomSections(b)
	if err != nil {
		return fmt.Errorf("%s: %v", path, err)
	}
	for _, s := range sections {
		if s.Name == name {
			return fmt.Errorf("%s already has a custom section %q", path, name)
		}
	}
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND, 0)
	if err != nil {
		return err
	}
	if _, err := f.Write(CustomSection(name, payload)); err != nil {
		f.Close()
		return err
	}
	return f.Close()
}

// Section is a custom section of a module.
type Section struct {
	Name    string
	Payload []byte
}

// CustomSections returns the custom sections of a module, checking the section framing
// (not the contents of other sections).
func CustomSections(b []byte) ([]Section, error) {
	if len(b) < 8 || !bytes.Equal(b[:4], wasmHeader[:4]) {
		return nil, errors.New("not a WebAssembly module")
	}
	if v := binary.LittleEndian.Uint32(b[4:8]); v != 1 {
		return nil, fmt.Errorf("unsupported WebAssembly binary version %d", v)
	}
	var out []Section
	for off := 8; off < len(b); {
		id := b[off]
		size, n, err := readULEB128(b[off+1:])
		if err != nil || uint64(off+1+n)+uint64(size) > uint64(len(b)) {
			return nil, fmt.Errorf("malformed section at byte %d", off)
		}
		content := b[off+1+n : off+1+n+int(size)]
		if id == 0 {
			nameLen, m, err := readULEB128(content)
			if err != nil || uint64(m)+uint64(nameLen) > uint64(len(content)) {
				return nil, fmt.Errorf("malformed custom section name at byte %d", off)
			}
			out = append(out, Section{string(content[m : m+int(nameLen)]), content[m+int(nameLen):]})
		}
		off += 1 + n + int(size)
	}
	return out, nil
}
