package wire

import (
	"encoding/binary"
	"math"
	"strconv"
	"time"
)

// A Decoder reads values in the isthmus encoding from a byte slice. Strings and bytes
// are copied out, so the input may be reused once decoding is done.
//
// A Decoder keeps the first error it meets (truncated input, a bool or presence byte
// other than 0 or 1, a count larger than the remaining input allows, nesting beyond
// MaxDepth); every later read returns a zero value. Finish checks that the input was
// consumed exactly.
type Decoder struct {
	buf   []byte
	off   int
	depth int
	err   error
}

// A DecodeError describes malformed input.
type DecodeError struct {
	Offset int    // byte offset in the input
	Reason string // what was wrong
}

func (e *DecodeError) Error() string {
	return "malformed payload at byte " + strconv.Itoa(e.Offset) + ": " + e.Reason
}

// NewDecoder returns a Decoder reading b.
func NewDecoder(b []byte) *Decoder { return &Decoder{buf: b} }

// Reset makes d read b from its start and clears its error.
func (d *Decoder) Reset(b []byte) {
	d.buf = b
	d.off = 0
	d.depth = 0
	d.err = nil
}

// Err returns the first error met, or nil.
func (d *Decoder) Err() error { return d.err }

// Remaining returns the number of bytes not read yet.
func (d *Decoder) Remaining() int { return len(d.buf) - d.off }

// Offset returns the number of bytes read so far.
func (d *Decoder) Offset() int { return d.off }

// Finish returns the first error met, or an error when input remains unread.
func (d *Decoder) Finish() error {
	if d.err == nil && d.off != len(d.buf) {
		d.trailing()
	}
	return d.err
}

// trailing records the error of unread input; out of Finish, so that Finish inlines.
func (d *Decoder) trailing() { d.Fail(strconv.Itoa(len(d.buf)-d.off) + " trailing bytes") }

// Fail records a DecodeError at the current offset (unless one is recorded) and
// makes every later read return a zero value.
func (d *Decoder) Fail(reason string) {
	if d.err == nil {
		d.err = &DecodeError{Offset: d.off, Reason: reason}
	}
	d.off = len(d.buf)
}

// Enter is called before decoding a level of a recursive type; it reports false (and
// records an error) when the nesting would exceed MaxDepth. Each successful Enter is
// paired with a Leave.
func (d *Decoder) Enter() bool {
	if d.depth >= MaxDepth {
		d.Fail("value nested deeper than " + strconv.Itoa(MaxDepth) + " levels")
		return false
	}
	d.depth++
	return true
}

// Leave ends a level started with Enter.
func (d *Decoder) Leave() { d.depth-- }

// take returns the next n bytes, or nil (recording an error) when fewer remain.
func (d *Decoder) take(n int, what string) []byte {
	if len(d.buf)-d.off < n {
		d.Fail("truncated " + what)
		return nil
	}
	b := d.buf[d.off : d.off+n : d.off+n]
	d.off += n
	return b
}

// GetBool reads a bool.
func (d *Decoder) GetBool() bool {
	b := d.take(1, "bool")
	if b == nil {
		return false
	}
	if b[0] > 1 {
		d.off--
		d.Fail("bool byte " + strconv.Itoa(int(b[0])) + " is neither 0 nor 1")
		return false
	}
	return b[0] == 1
}

// GetPresent reads the presence byte of an optional value.
func (d *Decoder) GetPresent() bool {
	b := d.take(1, "presence byte")
	if b == nil {
		return false
	}
	if b[0] > 1 {
		d.off--
		d.Fail("presence byte " + strconv.Itoa(int(b[0])) + " is neither 0 nor 1")
		return false
	}
	return b[0] == 1
}

// GetInt8 reads an i8.
func (d *Decoder) GetInt8() int8 { return int8(d.GetUint8()) }

// GetInt16 reads an i16.
func (d *Decoder) GetInt16() int16 { return int16(d.GetUint16()) }

// GetInt32 reads an i32.
func (d *Decoder) GetInt32() int32 { return int32(d.GetUint32()) }

// GetInt64 reads an i64.
func (d *Decoder) GetInt64() int64 { return int64(d.GetUint64()) }

// GetUint8 reads a u8.
func (d *Decoder) GetUint8() uint8 {
	if d.off < len(d.buf) {
		v := d.buf[d.off]
		d.off++
		return v
	}
	d.Fail("truncated 1-byte value")
	return 0
}

// GetUint16 reads a u16.
func (d *Decoder) GetUint16() uint16 {
	if b := d.take(2, "2-byte value"); b != nil {
		return binary.LittleEndian.Uint16(b)
	}
	return 0
}

// The fixed-size reads below are small enough to be inlined into the generated glue (a call
// costs much in the interpreters that run it); truncated input takes the call to short.

// GetUint32 reads a u32.
func (d *Decoder) GetUint32() uint32 {
	if off := d.off; off <= len(d.buf)-4 {
		d.off = off + 4
		return le32(d.buf, off)
	}
	d.short("4-byte value")
	return 0
}

// GetUint64 reads a u64.
func (d *Decoder) GetUint64() uint64 {
	if off := d.off; off <= len(d.buf)-8 {
		d.off = off + 8
		return le64(d.buf, off)
	}
	d.short("8-byte value")
	return 0
}

// short records the error of a truncated value.
func (d *Decoder) short(what string) { d.Fail("truncated " + what) }

// GetFloat32 reads an f32.
func (d *Decoder) GetFloat32() float32 { return math.Float32frombits(d.GetUint32()) }

// GetFloat64 reads an f64.
func (d *Decoder) GetFloat64() float64 { return math.Float64frombits(d.GetUint64()) }

// GetLen reads the u32 count of a list or map whose elements take at least minSize
// bytes each, and checks that the remaining input can hold that many.
func (d *Decoder) GetLen(minSize int) int {
	n := d.GetUint32()
	if minSize > 0 && uint64(n)*uint64(minSize) > uint64(len(d.buf)-d.off) {
		d.off -= 4
		d.Fail("count " + strconv.FormatUint(uint64(n), 10) + " exceeds the remaining " +
			strconv.Itoa(len(d.buf)-d.off-4) + " bytes")
		return 0
	}
	return int(n)
}

// GetString reads a string (a copy).
func (d *Decoder) GetString() string {
	if off := d.off; off <= len(d.buf)-4 { // the common case, without the calls of GetLen and take
		if n := le32(d.buf, off); uint64(n) <= uint64(len(d.buf)-off-4) {
			d.off = off + 4 + int(n)
			return string(d.buf[off+4 : d.off])
		}
	}
	return d.getString()
}

// getString is GetString's general path, which reports truncated input.
func (d *Decoder) getString() string {
	n := d.GetLen(1)
	if n == 0 {
		return ""
	}
	return string(d.take(n, "string"))
}

// GetBytes reads a bytes value (a copy; never nil).
func (d *Decoder) GetBytes() []byte {
	n := d.GetLen(1)
	b := d.take(n, "bytes")
	out := make([]byte, len(b))
	copy(out, b)
	return out
}

// GetRaw fills dst with the next len(dst) bytes (an array of u8).
func (d *Decoder) GetRaw(dst []byte) {
	if b := d.take(len(dst), "byte array"); b != nil {
		copy(dst, b)
	}
}

// GetTime reads a time. An offset of 0 gives a UTC time, any other a time in a fixed
// zone with that offset.
func (d *Decoder) GetTime() time.Time {
	b := d.take(16, "time")
	if b == nil {
		return time.Time{}
	}
	sec := int64(binary.LittleEndian.Uint64(b))
	nsec := binary.LittleEndian.Uint32(b[8:])
	offset := int32(binary.LittleEndian.Uint32(b[12:]))
	if nsec >= 1e9 {
		d.off -= 8
		d.Fail("time nanoseconds " + strconv.FormatUint(uint64(nsec), 10) + " out of range")
		return time.Time{}
	}
	t := time.Unix(sec, int64(nsec))
	if offset == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", int(offset)))
}

// GetDuration reads a duration.
func (d *Decoder) GetDuration() time.Duration { return time.Duration(d.GetInt64()) }
