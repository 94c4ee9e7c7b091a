package wire

import (
	"encoding/binary"
	"errors"
	"math"
	"strconv"
	"time"
)

// An Encoder appends values in the isthmus encoding to a byte slice.
// The zero value is ready to use. An Encoder keeps the first error it meets
// (a count that does not fit a u32, a value in an any that cannot be encoded,
// nesting beyond MaxDepth); it keeps appending, and Err reports the error.
type Encoder struct {
	buf   []byte
	depth int
	err   error
}

// Reset makes e append to buf[:0] and clears its error.
func (e *Encoder) Reset(buf []byte) {
	e.buf = buf[:0]
	e.depth = 0
	e.err = nil
}

// Restart drops what e holds, clears its error and appends b: the first byte of a new
// payload, written in place in e's buffer when it has room (cheaper than Truncate(0)
// and PutUint8(b)).
func (e *Encoder) Restart(b byte) {
	if cap(e.buf) == 0 {
		e.buf = make([]byte, 1, 64)
	} else {
		e.buf = e.buf[:1]
	}
	e.buf[0] = b
	e.depth = 0
	if e.err != nil {
		e.err = nil
	}
}

// Bytes returns the encoded bytes. They alias the Encoder's buffer.
func (e *Encoder) Bytes() []byte { return e.buf }

// Len returns the number of bytes encoded so far.
func (e *Encoder) Len() int { return len(e.buf) }

// Truncate drops everything after the first n bytes and clears the error.
func (e *Encoder) Truncate(n int) {
	e.buf = e.buf[:n]
	e.depth = 0
	e.err = nil
}

// Err returns the first error met, or nil.
func (e *Encoder) Err() error { return e.err }

// Fail records err unless an error is already recorded.
func (e *Encoder) Fail(err error) {
	if e.err == nil {
		e.err = err
	}
}

// Enter is called before encoding a level of a recursive type; it reports false (and
// records an error) when the nesting would exceed MaxDepth. Each successful Enter is
// paired with a Leave.
func (e *Encoder) Enter() bool {
	if e.depth >= MaxDepth {
		e.Fail(errTooDeep)
		return false
	}
	e.depth++
	return true
}

// Leave ends a level started with Enter.
func (e *Encoder) Leave() { e.depth-- }

var errTooDeep = errors.New("value nested deeper than " + strconv.Itoa(MaxDepth) + " levels (a cycle?)")

// PutBool appends a bool.
func (e *Encoder) PutBool(v bool) {
	var b byte
	if v {
		b = 1
	}
	e.buf = append(e.buf, b)
}

// PutInt8 appends an i8.
func (e *Encoder) PutInt8(v int8) { e.buf = append(e.buf, byte(v)) }

// PutInt16 appends an i16.
func (e *Encoder) PutInt16(v int16) { e.buf = binary.LittleEndian.AppendUint16(e.buf, uint16(v)) }

// PutInt32 appends an i32.
func (e *Encoder) PutInt32(v int32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(v)) }

// PutInt64 appends an i64.
func (e *Encoder) PutInt64(v int64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(v)) }

// PutUint8 appends a u8.
func (e *Encoder) PutUint8(v uint8) { e.buf = append(e.buf, v) }

// PutUint16 appends a u16.
func (e *Encoder) PutUint16(v uint16) { e.buf = binary.LittleEndian.AppendUint16(e.buf, v) }

// PutUint32 appends a u32.
func (e *Encoder) PutUint32(v uint32) { e.buf = binary.LittleEndian.AppendUint32(e.buf, v) }

// PutUint64 appends a u64.
func (e *Encoder) PutUint64(v uint64) { e.buf = binary.LittleEndian.AppendUint64(e.buf, v) }

// PutFloat32 appends an f32.
func (e *Encoder) PutFloat32(v float32) {
	e.buf = binary.LittleEndian.AppendUint32(e.buf, math.Float32bits(v))
}

// PutFloat64 appends an f64.
func (e *Encoder) PutFloat64(v float64) {
	e.buf = binary.LittleEndian.AppendUint64(e.buf, math.Float64bits(v))
}

// PutLen appends the u32 count of a list, map, string or bytes value.
func (e *Encoder) PutLen(n int) {
	if uint64(n) > math.MaxUint32 { // (only on 64-bit hosts: wasm32 cannot hold that much)
		if e.err == nil {
			e.err = errTooLong
		}
		n = 0
	}
	e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(n))
}

// errTooLong is static so that PutLen, and PutString and PutBytes with it, inline.
var errTooLong = errors.New("a length does not fit in a u32 (more than 4294967295 elements or bytes)")

// PutString appends a string.
func (e *Encoder) PutString(s string) {
	e.PutLen(len(s))
	e.buf = append(e.buf, s...)
}

// PutBytes appends a bytes value.
func (e *Encoder) PutBytes(b []byte) {
	e.PutLen(len(b))
	e.buf = append(e.buf, b...)
}

// PutRaw appends b as it is, with no length (an array of u8).
func (e *Encoder) PutRaw(b []byte) { e.buf = append(e.buf, b...) }

// PutPresent appends the presence byte of an optional value.
func (e *Encoder) PutPresent(present bool) { e.PutBool(present) }

// PutTime appends a time: seconds since the Unix epoch, nanoseconds, and the offset
// of t's zone in seconds east of UTC.
func (e *Encoder) PutTime(t time.Time) {
	_, offset := t.Zone()
	e.buf = binary.LittleEndian.AppendUint64(e.buf, uint64(t.Unix()))
	e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(t.Nanosecond()))
	e.buf = binary.LittleEndian.AppendUint32(e.buf, uint32(int32(offset)))
}

// PutDuration appends a duration in nanoseconds.
func (e *Encoder) PutDuration(d time.Duration) { e.PutInt64(int64(d)) }
