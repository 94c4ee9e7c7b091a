// Command abitypes exports one Go function per case of the isthmus ABI's type mapping
// (docs/abi.md §12), for tests/python/test_abi_types.py: echoes that carry values both ways,
// and "show" functions that print what Go received, so that a test can tell an encoding
// fault from a decoding one.
package main

import (
	"errors"
	"fmt"
	"math"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/isthmus-dev/isthmus/go/isthmus"
)

func main() {}

//isthmus:export
func EchoBool(v bool) bool { return v }

//isthmus:export
func EchoInt8(v int8) int8 { return v }

//isthmus:export
func EchoInt16(v int16) int16 { return v }

//isthmus:export
func EchoInt32(v int32) int32 { return v }

//isthmus:export
func EchoInt64(v int64) int64 { return v }

//isthmus:export
func EchoInt(v int) int { return v }

//isthmus:export
func EchoUint8(v uint8) uint8 { return v }

//isthmus:export
func EchoUint16(v uint16) uint16 { return v }

//isthmus:export
func EchoUint32(v uint32) uint32 { return v }

//isthmus:export
func EchoUint64(v uint64) uint64 { return v }

//isthmus:export
func EchoUint(v uint) uint { return v }

// ShowInts prints what Go received, with Go's formatting.
//
//isthmus:export
func ShowInts(a int8, b int16, c int32, d int64, e int, f uint8, g uint16, h uint32, i uint64, j uint) string {
	return fmt.Sprint(a, b, c, d, e, f, g, h, i, j)
}

// Limits holds every integer type's limits, made on the Go side.
type Limits struct {
	I8Min, I8Max   int8
	I16Min, I16Max int16
	I32Min, I32Max int32
	I64Min, I64Max int64
	IntMin, IntMax int
	U8Max          uint8
	U16Max         uint16
	U32Max         uint32
	U64Max         uint64
	UintMax        uint
}

//isthmus:export
func IntLimits() Limits {
	return Limits{math.MinInt8, math.MaxInt8, math.MinInt16, math.MaxInt16, math.MinInt32, math.MaxInt32,
		math.MinInt64, math.MaxInt64, math.MinInt, math.MaxInt, math.MaxUint8, math.MaxUint16, math.MaxUint32,
		math.MaxUint64, math.MaxUint}
}

//isthmus:export
func EchoF32(v float32) float32 { return v }

//isthmus:export
func EchoF64(v float64) float64 { return v }

// F32Bits returns the IEEE 754 bits of the float32 Go received.
//
//isthmus:export
func F32Bits(v float32) uint32 { return math.Float32bits(v) }

// F64Bits returns the IEEE 754 bits of the float64 Go received.
//
//isthmus:export
func F64Bits(v float64) uint64 { return math.Float64bits(v) }

// Specials returns NaN, +Inf, -Inf, -0.0 and the smallest float32 denormal, made in Go.
//
//isthmus:export
func Specials() ([]float64, []float32) {
	return []float64{math.NaN(), math.Inf(1), math.Inf(-1), math.Copysign(0, -1), math.MaxFloat64,
			math.SmallestNonzeroFloat64},
		[]float32{float32(math.NaN()), float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)),
			math.MaxFloat32, math.SmallestNonzeroFloat32}
}

//isthmus:export
func EchoString(s string) string { return s }

// StringInfo returns the byte length, the rune count and whether s is valid UTF-8, as Go sees s.
//
//isthmus:export
func StringInfo(s string) (bytes int, runes int, valid bool) {
	return len(s), utf8.RuneCountInString(s), utf8.ValidString(s)
}

// BytesToString returns b as a Go string, valid UTF-8 or not.
//
//isthmus:export
func BytesToString(b []byte) string { return string(b) }

//isthmus:export
func EchoBytes(b []byte) []byte { return b }

// BytesInfo returns the length of b, whether it is nil, and the sum of its bytes.
//
//isthmus:export
func BytesInfo(b []byte) (n int, isNil bool, sum uint64) {
	for _, c := range b {
		sum += uint64(c)
	}
	return len(b), b == nil, sum
}

// MakeBytes returns n bytes, byte i being i % 251.
//
//isthmus:export
func MakeBytes(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i % 251)
	}
	return b
}

//isthmus:export
func NilBytes() []byte { return nil }

//isthmus:export
func EchoArray(a [3]int16) [3]int16 { return a }

//isthmus:export
func EchoByteArray(a [4]byte) [4]byte { return a }

//isthmus:export
func EchoInts(v []int) []int { return v }

//isthmus:export
func EchoNested(v [][]string) [][]string { return v }

//isthmus:export
func EchoFloats(v []float32) []float32 { return v }

// SliceInfo says whether Go received a nil slice, and its length.
//
//isthmus:export
func SliceInfo(v []int) (isNil bool, n int) { return v == nil, len(v) }

//isthmus:export
func NilSlice() []int { return nil }

//isthmus:export
func NilNested() [][]int { return [][]int{nil, {}, {1}} }

//isthmus:export
func EchoMapString(m map[string]int) map[string]int { return m }

//isthmus:export
func EchoMapInt(m map[int64]string) map[int64]string { return m }

//isthmus:export
func EchoMapUint8(m map[uint8]bool) map[uint8]bool { return m }

//isthmus:export
func EchoMapNested(m map[string][]map[int32]float64) map[string][]map[int32]float64 { return m }

// MapInfo says whether Go received a nil map, and its length.
//
//isthmus:export
func MapInfo(m map[string]int) (isNil bool, n int) { return m == nil, len(m) }

//isthmus:export
func NilMap() map[string]int { return nil }

// CountMap returns a map of n keys k0 … k(n-1), each to its index.
//
//isthmus:export
func CountMap(n int) map[string]int {
	m := make(map[string]int, n)
	for i := 0; i < n; i++ {
		m[fmt.Sprint("k", i)] = i
	}
	return m
}

// IntKeys returns a map of n integer keys counting down from n, and negative ones.
//
//isthmus:export
func IntKeys(n int) map[int]int {
	m := make(map[int]int, n)
	for i := 0; i < n; i++ {
		m[n-i] = i
		m[-i] = i
	}
	return m
}

// Inner is a struct inside Outer.
type Inner struct {
	X    int      `json:"x"`
	Tags []string `json:"tags,omitempty"`
}

// Outer has fields of every shape: tagged, untagged, skipped, nested, pointers, lists, maps.
type Outer struct {
	Name  string           `json:"name"`
	In    Inner            `json:"inner"`
	Ptr   *Inner           `json:"ptr"`
	Skip  int              `json:"-"`
	Plain float64          // no tag: the Go name
	Items []Inner          `json:"items"`
	ByKey map[string]Inner `json:"by_key"`
	When  *time.Time       `json:"when"`
	hide  int
}

//isthmus:export
func EchoOuter(o Outer) Outer { return o }

// ShowOuter prints what Go received, with %+v.
//
//isthmus:export
func ShowOuter(o Outer) string {
	ptr := "nil"
	if o.Ptr != nil {
		ptr = fmt.Sprintf("%+v", *o.Ptr)
	}
	return fmt.Sprintf("name=%s inner=%+v ptr=%s skip=%d plain=%v items=%d bykey=%d", o.Name, o.In, ptr,
		o.Skip, o.Plain, len(o.Items), len(o.ByKey))
}

//isthmus:export
func EchoPtr(p *int) *int { return p }

//isthmus:export
func EchoPtrInner(p *Inner) *Inner { return p }

//isthmus:export
func EchoPtrs(p []*string) []*string { return p }

//isthmus:export
func EchoTime(t time.Time) time.Time { return t }

// ShowTime prints the time Go received (RFC 3339 with nanoseconds and the offset).
//
//isthmus:export
func ShowTime(t time.Time) string { return t.Format(time.RFC3339Nano) }

// MakeTime returns the time sec, nsec (Unix) in a fixed zone offset seconds east of UTC.
//
//isthmus:export
func MakeTime(sec, nsec int64, offset int) time.Time {
	t := time.Unix(sec, nsec)
	if offset == 0 {
		return t.UTC()
	}
	return t.In(time.FixedZone("", offset))
}

//isthmus:export
func EchoDuration(d time.Duration) time.Duration { return d }

// Nanos returns n nanoseconds as a Duration.
//
//isthmus:export
func Nanos(n int64) time.Duration { return time.Duration(n) }

// DurationNanos returns the nanoseconds Go received.
//
//isthmus:export
func DurationNanos(d time.Duration) int64 { return int64(d) }

//isthmus:export
func EchoAny(v any) any { return v }

// AnyType returns the Go type (%T) of what Go received in an any, and of the elements of
// a []any or the values of a map[string]any.
//
//isthmus:export
func AnyType(v any) string {
	switch x := v.(type) {
	case []any:
		parts := make([]string, len(x))
		for i, y := range x {
			parts[i] = fmt.Sprintf("%T", y)
		}
		return "[" + strings.Join(parts, " ") + "]"
	}
	return fmt.Sprintf("%T", v)
}

// Code is a named integer type.
type Code uint16

// AnyValues returns Go values of many types in an any, as the host sees them.
//
//isthmus:export
func AnyValues() []any {
	s := "pointed"
	return []any{nil, true, int8(-8), uint64(math.MaxUint64), float32(1.5), Code(7), "s", []byte{0, 1},
		[2]byte{2, 3}, []int{1, 2}, map[string]int{"a": 1}, map[int]string{2: "b"}, Inner{X: 1},
		&s, (*int)(nil), time.Duration(1500), time.Unix(0, 0).UTC()}
}

// Fail returns an error with the message msg.
//
//isthmus:export
func Fail(msg string) error { return errors.New(msg) }

// FailOrValue returns n, or a wrapped error when n is negative.
//
//isthmus:export
func FailOrValue(n int) (int, error) {
	if n < 0 {
		return 0, fmt.Errorf("n is %d: %w", n, errors.ErrUnsupported)
	}
	return n, nil
}

// Panic panics with v.
//
//isthmus:export
func Panic(v any) { panic(v) }

// PanicError panics with an error value.
//
//isthmus:export
func PanicError(msg string) { panic(errors.New(msg)) }

// Index indexes xs: a runtime panic when i is out of range.
//
//isthmus:export
func Index(xs []int, i int) int { return xs[i] }

// Sum adds its arguments.
//
//isthmus:export
func Sum(xs ...int) int {
	total := 0
	for _, x := range xs {
		total += x
	}
	return total
}

// Join joins parts with sep.
//
//isthmus:export
func Join(sep string, parts ...string) string { return strings.Join(parts, sep) }

// CountAny returns how many arguments Go received, and the type of the first.
//
//isthmus:export
func CountAny(xs ...any) (int, string) {
	if len(xs) == 0 {
		return 0, ""
	}
	return len(xs), fmt.Sprintf("%T", xs[0])
}

// Everything has a field of each supported kind; callbacks carry it both ways.
type Everything struct {
	B     bool             `json:"b"`
	I8    int8             `json:"i8"`
	I16   int16            `json:"i16"`
	I32   int32            `json:"i32"`
	I64   int64            `json:"i64"`
	I     int              `json:"i"`
	U8    uint8            `json:"u8"`
	U16   uint16           `json:"u16"`
	U32   uint32           `json:"u32"`
	U64   uint64           `json:"u64"`
	U     uint             `json:"u"`
	F32   float32          `json:"f32"`
	F64   float64          `json:"f64"`
	S     string           `json:"s"`
	Bs    []byte           `json:"bs"`
	Arr   [2]uint16        `json:"arr"`
	L     []int            `json:"l"`
	M     map[string]int   `json:"m"`
	MI    map[int32]string `json:"mi"`
	In    Inner            `json:"inner"`
	P     *Inner           `json:"p"`
	T     time.Time        `json:"t"`
	D     time.Duration    `json:"d"`
	A     any              `json:"a"`
	Lists [][]string       `json:"lists"`
	Opt   *string          `json:"opt"`
}

//isthmus:export
func EchoEverything(e Everything) Everything { return e }

var (
	// hostEverything is the host's function over Everything.
	hostEverything = isthmus.Import[func(e Everything) (Everything, error)]("everything")
	// hostScalars takes and returns scalars as separate values.
	hostScalars = isthmus.Import[func(b bool, i8 int8, u64 uint64, f32 float32, s string, bs []byte, t time.Time,
		d time.Duration, a any) (bool, int8, uint64, float32, string, []byte, time.Time, time.Duration, any, error)]("scalars")
	hostFail    = isthmus.Import[func(what string) (string, error)]("fail")
	hostNoError = isthmus.Import[func(what string) string]("noerror")
	hostReenter = isthmus.Import[func(n int) (int, error)]("reenter")
	hostMissing = isthmus.Import[func() error]("missing")
)

// CallEverything hands e to the host and returns what the host returns.
//
//isthmus:export
func CallEverything(e Everything) (Everything, error) { return hostEverything(e) }

// Scalars is what CallScalars returns: the host's results as Go received them.
type Scalars struct {
	B   bool          `json:"b"`
	I8  int8          `json:"i8"`
	U64 uint64        `json:"u64"`
	F32 float32       `json:"f32"`
	S   string        `json:"s"`
	Bs  []byte        `json:"bs"`
	T   time.Time     `json:"t"`
	D   time.Duration `json:"d"`
	A   any           `json:"a"`
}

// CallScalars hands its arguments to the host's "scalars" and returns the results.
//
//isthmus:export
func CallScalars(b bool, i8 int8, u64 uint64, f32 float32, s string, bs []byte, t time.Time, d time.Duration,
	a any) (Scalars, error) {
	var r Scalars
	var err error
	r.B, r.I8, r.U64, r.F32, r.S, r.Bs, r.T, r.D, r.A, err = hostScalars(b, i8, u64, f32, s, bs, t, d, a)
	return r, err
}

// CallFail returns the host's error as it is.
//
//isthmus:export
func CallFail(what string) (string, error) { return hostFail(what) }

// CallFailWrapped wraps the host's error with fmt.Errorf and %w.
//
//isthmus:export
func CallFailWrapped(what string) (string, error) {
	s, err := hostFail(what)
	if err != nil {
		return "", fmt.Errorf("CallFailWrapped(%q): %w", what, err)
	}
	return s, nil
}

// CallFailTwice calls the host twice and returns the first error, wrapped.
//
//isthmus:export
func CallFailTwice(first, second string) error {
	_, err1 := hostFail(first)
	_, err2 := hostFail(second)
	if err1 == nil {
		return err2
	}
	return fmt.Errorf("first: %w", err1)
}

// CallFailIgnored calls the host, ignores its error and returns a Go error of its own.
//
//isthmus:export
func CallFailIgnored(what string) error {
	_, _ = hostFail(what)
	return errors.New("a Go error of its own")
}

// CallFailRecovered calls the host, ignores its error and succeeds.
//
//isthmus:export
func CallFailRecovered(what string) string {
	if _, err := hostFail(what); err != nil {
		return "recovered: " + err.Error()
	}
	return "no error"
}

// CallNoError calls a host function without an error result: a host failure panics.
//
//isthmus:export
func CallNoError(what string) string { return hostNoError(what) }

// HostErrorFields returns the fields of the *isthmus.HostError the host's "fail" gives.
//
//isthmus:export
func HostErrorFields(what string) (function, typ, message string) {
	_, err := hostFail(what)
	var he *isthmus.HostError
	if errors.As(err, &he) {
		return he.Function, he.Type, he.Message
	}
	return "", "", ""
}

// CallMissing calls a host function that the host was not given.
//
//isthmus:export
func CallMissing() error { return hostMissing() }

// Reenter counts down through the host: Go → host → Go … until n is 0; returns the depth.
//
//isthmus:export
func Reenter(n int) (int, error) {
	if n == 0 {
		return 0, nil
	}
	d, err := hostReenter(n - 1)
	return d + 1, err
}

var tally int

// Tally counts its calls; a test checks that arguments refused by the host never reach Go.
//
//isthmus:export
func Tally(i8 int8, u uint, f float32, s string, b []byte, bo bool, t time.Time, d time.Duration, m map[uint8]int,
	arr [2]int, in *Inner) int {
	tally++
	return tally
}

// Tallied returns how many times Tally ran.
//
//isthmus:export
func Tallied() int { return tally }

// BytesLen returns len(b): a call whose cost is the argument's way in (no loop in Go).
//
//isthmus:export
func BytesLen(b []byte) int { return len(b) }

// Zeros returns n zero bytes: a result's way out (make fills with memory.fill, no loop in Go).
//
//isthmus:export
func Zeros(n int) []byte { return make([]byte, n) }

// Keywords has fields whose names are Python keywords: it travels as a dict.
type Keywords struct {
	From  int    `json:"from"`
	Class string `json:"class"`
}

// EchoKeywords returns k.
//
//isthmus:export
func EchoKeywords(k Keywords) Keywords { return k }

var bigMap = func() map[string]int {
	m := make(map[string]int, 1000)
	for i := 0; i < 1000; i++ {
		m[fmt.Sprint("key", i)] = i
	}
	return m
}()

// BigMap returns the same map of 1000 keys every time: the cost of encoding a map.
//
//isthmus:export
func BigMap() map[string]int { return bigMap }

var hostVariadic = isthmus.Import[func(prefix string, xs ...int) (string, error)]("variadic")

// CallVariadic hands prefix and xs to the host's variadic function.
//
//isthmus:export
func CallVariadic(prefix string, xs ...int) (string, error) { return hostVariadic(prefix, xs...) }
