package wire

import (
	"bytes"
	"encoding/hex"
	"math"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestScalarRoundTrip(t *testing.T) {
	var e Encoder
	e.PutBool(true)
	e.PutBool(false)
	e.PutInt8(-128)
	e.PutInt16(-2)
	e.PutInt32(math.MinInt32)
	e.PutInt64(math.MinInt64)
	e.PutUint8(255)
	e.PutUint16(65535)
	e.PutUint32(math.MaxUint32)
	e.PutUint64(math.MaxUint64)
	e.PutFloat32(1.5)
	e.PutFloat64(math.Inf(-1))
	e.PutString("héllo")
	e.PutBytes([]byte{0, 1, 2})
	e.PutRaw([]byte{9, 8})
	e.PutPresent(true)
	e.PutDuration(-3 * time.Second)
	if e.Err() != nil {
		t.Fatal(e.Err())
	}
	d := NewDecoder(e.Bytes())
	check := func(name string, got, want any) {
		t.Helper()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %#v, want %#v", name, got, want)
		}
	}
	check("bool", d.GetBool(), true)
	check("bool", d.GetBool(), false)
	check("i8", d.GetInt8(), int8(-128))
	check("i16", d.GetInt16(), int16(-2))
	check("i32", d.GetInt32(), int32(math.MinInt32))
	check("i64", d.GetInt64(), int64(math.MinInt64))
	check("u8", d.GetUint8(), uint8(255))
	check("u16", d.GetUint16(), uint16(65535))
	check("u32", d.GetUint32(), uint32(math.MaxUint32))
	check("u64", d.GetUint64(), uint64(math.MaxUint64))
	check("f32", d.GetFloat32(), float32(1.5))
	check("f64", d.GetFloat64(), math.Inf(-1))
	check("string", d.GetString(), "héllo")
	check("bytes", d.GetBytes(), []byte{0, 1, 2})
	var raw [2]byte
	d.GetRaw(raw[:])
	check("raw", raw, [2]byte{9, 8})
	check("present", d.GetPresent(), true)
	check("duration", d.GetDuration(), -3*time.Second)
	if err := d.Finish(); err != nil {
		t.Fatal(err)
	}
}

func TestWireForm(t *testing.T) {
	var e Encoder
	e.PutInt32(-2)
	e.PutString("ab")
	e.PutUint16(0x0102)
	e.PutFloat64(1)
	want := "feffffff" + "02000000" + "6162" + "0201" + "000000000000f03f"
	if got := hex.EncodeToString(e.Bytes()); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestTime(t *testing.T) {
	zone := time.FixedZone("X", -5*3600-30*60)
	for _, tm := range []time.Time{
		time.Date(2024, 2, 29, 12, 34, 56, 789, time.UTC),
		time.Date(1969, 12, 31, 23, 59, 59, 999999999, zone),
		{}, // Go's zero time, year 1
		time.Unix(0, 0).UTC(),
	} {
		var e Encoder
		e.PutTime(tm)
		if e.Len() != 16 {
			t.Fatalf("time takes %d bytes", e.Len())
		}
		d := NewDecoder(e.Bytes())
		got := d.GetTime()
		if d.Finish() != nil || !got.Equal(tm) {
			t.Errorf("%v: got %v (%v)", tm, got, d.Err())
		}
		_, o1 := tm.Zone()
		_, o2 := got.Zone()
		if o1 != o2 {
			t.Errorf("%v: offset %d, want %d", tm, o2, o1)
		}
	}
	var e Encoder
	e.PutTime(time.Unix(1, 0).In(time.FixedZone("", 3600)))
	if want := "0100000000000000" + "00000000" + "100e0000"; hex.EncodeToString(e.Bytes()) != want {
		t.Errorf("wire form %x, want %s", e.Bytes(), want)
	}
	b := e.Bytes()
	b[8], b[9], b[10], b[11] = 0x00, 0xca, 0x9a, 0x3b // 1e9 nanoseconds
	d := NewDecoder(b)
	if d.GetTime(); d.Err() == nil {
		t.Error("1e9 nanoseconds accepted")
	}
}

func TestMalformed(t *testing.T) {
	for _, tc := range []struct {
		name string
		in   string
		read func(d *Decoder)
		want string
	}{
		{"truncated i32", "0102", func(d *Decoder) { d.GetInt32() }, "byte 0: truncated 4-byte value"},
		{"bool 2", "02", func(d *Decoder) { d.GetBool() }, "byte 0: bool byte 2"},
		{"presence 7", "07", func(d *Decoder) { d.GetPresent() }, "presence byte 7"},
		{"string too long", "0500000061", func(d *Decoder) { d.GetString() }, "count 5 exceeds the remaining 1 bytes"},
		{"huge list", "ffffffff", func(d *Decoder) { d.GetLen(4) }, "count 4294967295 exceeds"},
		{"trailing", "0100", func(d *Decoder) { d.GetBool() }, "byte 1: 1 trailing bytes"},
		{"any tag", "ee", func(d *Decoder) { d.GetAny() }, "unknown any tag 0xee"},
		{"any list key", "13" + "01000000" + "1100000000" + "00", func(d *Decoder) { d.GetAny() }, "map key cannot be of kind list"},
		{"any bytes key", "13" + "01000000" + "0d00000000" + "00", func(d *Decoder) { d.GetAny() }, "map key cannot be of kind bytes"},
	} {
		b, _ := hex.DecodeString(tc.in)
		d := NewDecoder(b)
		tc.read(d)
		err := d.Finish()
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want %q", tc.name, err, tc.want)
		}
		// every read after an error is a no-op returning zero
		if d.GetInt64() != 0 || d.GetString() != "" || d.Remaining() != 0 {
			t.Errorf("%s: reads after an error", tc.name)
		}
	}
}

type point struct {
	X, Y int32
}

type tagged struct {
	Name    string `json:"name,omitempty"`
	Skipped int    `json:"-"`
	Dash    int    `json:"-,"`
	Plain   bool
	hidden  int
	P       *point
}

func TestAnyRoundTrip(t *testing.T) {
	when := time.Date(2020, 1, 2, 3, 4, 5, 6, time.UTC)
	for _, tc := range []struct{ in, want any }{
		{nil, nil},
		{true, true},
		{int8(-3), int64(-3)},
		{42, int64(42)},
		{uint16(7), uint64(7)},
		{uint64(math.MaxUint64), uint64(math.MaxUint64)},
		{float32(0.5), 0.5},
		{"s", "s"},
		{[]byte("b"), []byte("b")},
		{[3]byte{1, 2, 3}, []byte{1, 2, 3}},
		{when, when},
		{time.Minute, time.Minute},
		{[]any{1, "x", nil}, []any{int64(1), "x", nil}},
		{[]string{"a"}, []any{"a"}},
		{map[string]any{"k": []any{}}, map[string]any{"k": []any{}}},
		{map[string]int{}, map[string]any{}},
		{map[int]string{1: "one"}, map[any]any{int64(1): "one"}},
		{(*point)(nil), nil},
		{&point{1, 2}, map[string]any{"X": int64(1), "Y": int64(2)}},
		{tagged{Name: "n", Skipped: 1, Dash: 2, Plain: true, hidden: 3},
			map[string]any{"name": "n", "-": int64(2), "Plain": true, "P": nil}},
		{[]any{map[string]any{"a": []any{[]any{}}}}, []any{map[string]any{"a": []any{[]any{}}}}},
	} {
		var e Encoder
		e.PutAny(tc.in)
		if e.Err() != nil {
			t.Errorf("%#v: %v", tc.in, e.Err())
			continue
		}
		d := NewDecoder(e.Bytes())
		got := d.GetAny()
		if err := d.Finish(); err != nil {
			t.Errorf("%#v: %v", tc.in, err)
		} else if !reflect.DeepEqual(got, tc.want) {
			t.Errorf("%#v: got %#v, want %#v", tc.in, got, tc.want)
		}
	}
}

func TestAnyWireForm(t *testing.T) {
	var e Encoder
	e.PutAny(map[string]any{"a": []any{true, nil}})
	want := "13" + "01000000" + "0c" + "01000000" + "61" + "11" + "02000000" + "0101" + "00"
	if got := hex.EncodeToString(e.Bytes()); got != want {
		t.Fatalf("got %s, want %s", got, want)
	}
}

func TestAnyUnsupportedAndCycles(t *testing.T) {
	var e Encoder
	e.PutAny([]any{make(chan int)})
	if e.Err() == nil || !strings.Contains(e.Err().Error(), "chan int") {
		t.Errorf("chan: %v", e.Err())
	}
	cyc := []any{nil}
	cyc[0] = cyc
	e.Reset(nil)
	e.PutAny(cyc)
	if e.Err() == nil || !strings.Contains(e.Err().Error(), "nested deeper") {
		t.Errorf("cycle: %v", e.Err())
	}
	// a deep but finite value decodes up to the limit
	deep := bytes.Repeat([]byte{byte(List), 1, 0, 0, 0}, MaxDepth+1)
	d := NewDecoder(append(deep, 0))
	d.GetAny()
	if d.Err() == nil || !strings.Contains(d.Err().Error(), "nested deeper") {
		t.Errorf("deep: %v", d.Err())
	}
}

func TestFieldName(t *testing.T) {
	for _, tc := range []struct {
		tag, name string
		skip      bool
	}{
		{``, "F", false},
		{`json:"x"`, "x", false},
		{`json:"x,omitempty"`, "x", false},
		{`json:",omitempty"`, "F", false},
		{`json:"-"`, "", true},
		{`json:"-,"`, "-", false},
		{`xml:"y" json:"z"`, "z", false},
		{`xml:"y"`, "F", false},
	} {
		name, skip := FieldName("F", tc.tag)
		if name != tc.name || skip != tc.skip {
			t.Errorf("%s: got %q %v", tc.tag, name, skip)
		}
	}
}
