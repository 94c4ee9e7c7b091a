package wire

import (
	"math"
	"reflect"
	"testing"
	"time"
)

// TestCodecLimits: every scalar kind at its limits, floats' special values, and empty or nil
// composites, through the reflect codec both ways.
func TestCodecLimits(t *testing.T) {
	type limits struct {
		I8   [2]int8
		I16  [2]int16
		I32  [2]int32
		I64  [2]int64
		I    [2]int
		U8   uint8
		U16  uint16
		U32  uint32
		U64  uint64
		U    uint
		F32  []float32
		F64  []float64
		S    []string
		B    []byte
		Nil  []int
		Map  map[string]int
		Ptr  *string
		Dur  [2]time.Duration
		When time.Time
	}
	v := limits{
		[2]int8{math.MinInt8, math.MaxInt8}, [2]int16{math.MinInt16, math.MaxInt16},
		[2]int32{math.MinInt32, math.MaxInt32}, [2]int64{math.MinInt64, math.MaxInt64}, [2]int{math.MinInt, math.MaxInt},
		math.MaxUint8, math.MaxUint16, math.MaxUint32, math.MaxUint64, math.MaxUint,
		[]float32{float32(math.Inf(1)), float32(math.Inf(-1)), float32(math.Copysign(0, -1)), math.MaxFloat32,
			math.SmallestNonzeroFloat32},
		[]float64{math.Inf(1), math.Copysign(0, -1), math.MaxFloat64, math.SmallestNonzeroFloat64},
		[]string{"", "a\x00b", "😀", "\xff"}, nil, nil, nil, nil,
		[2]time.Duration{math.MinInt64, math.MaxInt64}, time.Date(-5, 1, 1, 0, 0, 0, 1, time.UTC),
	}
	c, err := CodecOf(reflect.TypeFor[limits]())
	if err != nil {
		t.Fatal(err)
	}
	var e Encoder
	c.Encode(&e, reflect.ValueOf(v))
	var got limits
	d := NewDecoder(e.Bytes())
	c.Decode(d, reflect.ValueOf(&got).Elem())
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
	// nil slices and maps come back empty and non-nil (docs/abi.md §12.1)
	if got.B == nil || got.Nil == nil || got.Map == nil || got.Ptr != nil || len(got.B)+len(got.Nil)+len(got.Map) != 0 {
		t.Errorf("nil composites: %#v %#v %#v %v", got.B, got.Nil, got.Map, got.Ptr)
	}
	got.B, got.Nil, got.Map = nil, nil, nil
	if !reflect.DeepEqual(got, v) {
		t.Errorf("got %+v\nwant %+v", got, v)
	}
	if math.Signbit(float64(got.F32[2])) != true || math.Signbit(got.F64[1]) != true {
		t.Error("-0 lost its sign")
	}
	// NaN keeps being NaN (payloads are not significant)
	e.Reset(nil)
	e.PutFloat32(float32(math.NaN()))
	e.PutFloat64(math.NaN())
	d = NewDecoder(e.Bytes())
	if f32, f64 := d.GetFloat32(), d.GetFloat64(); f32 == f32 || f64 == f64 {
		t.Errorf("NaN: %v %v", f32, f64)
	}
}

// TestAnyNonCanonicalTags: a receiver accepts every scalar tag of docs/abi.md §8.3, not only
// the canonical ones a Go sender uses, and gives the Go type of that size.
func TestAnyNonCanonicalTags(t *testing.T) {
	for _, tc := range []struct {
		wire []byte
		want any
	}{
		{[]byte{byte(Int8), 0xff}, int8(-1)},
		{[]byte{byte(Int16), 0x00, 0x80}, int16(math.MinInt16)},
		{[]byte{byte(Int32), 0xff, 0xff, 0xff, 0x7f}, int32(math.MaxInt32)},
		{[]byte{byte(Uint8), 0xff}, uint8(255)},
		{[]byte{byte(Uint16), 0xff, 0xff}, uint16(65535)},
		{[]byte{byte(Uint32), 0xff, 0xff, 0xff, 0xff}, uint32(math.MaxUint32)},
		{[]byte{byte(Float32), 0x00, 0x00, 0xc0, 0x3f}, float32(1.5)},
	} {
		d := NewDecoder(tc.wire)
		got := d.GetAny()
		if err := d.Finish(); err != nil || !reflect.DeepEqual(got, tc.want) {
			t.Errorf("% x: got %#v (%v), want %#v", tc.wire, got, err, tc.want)
		}
	}
}
