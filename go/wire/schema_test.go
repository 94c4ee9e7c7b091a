package wire

import (
	"encoding/hex"
	"reflect"
	"strings"
	"testing"
	"time"
)

// greetSchema is the schema of the worked example in docs/abi.md §14.
func greetSchema() *Schema {
	return &Schema{
		Version:  ABIVersion,
		Producer: "p",
		Types: []Type{
			{Kind: Struct, Name: "example.com/demo.Person", Fields: []Field{
				{Name: "name", Type: 1}, {Name: "Age", Type: 2}, {Name: "Nick", Type: 3}}},
			{Kind: String},
			{Kind: Uint8},
			{Kind: Optional, Elem: 1},
			{Kind: Int64},
		},
		Funcs: []Func{{
			Name:    "Greet",
			GoName:  "example.com/demo.Greet",
			Doc:     "Greet returns a greeting for p, repeated n times.\n",
			Params:  []Param{{"p", 0}, {"n", 4}},
			Results: []Param{{"", 1}},
			Flags:   FlagError,
		}},
	}
}

// TestWorkedExample checks the bytes that docs/abi.md §14 shows.
func TestWorkedExample(t *testing.T) {
	hexs := func(parts ...string) string { return strings.ReplaceAll(strings.Join(parts, ""), " ", "") }
	str := func(s string) string {
		var e Encoder
		e.PutString(s)
		return hex.EncodeToString(e.Bytes())
	}
	want := hexs("01000000", "01000000 70", "05000000",
		"14", str("example.com/demo.Person"), "00000000", "03000000",
		str("name"), "01000000", "00000000",
		str("Age"), "02000000", "00000000",
		str("Nick"), "03000000", "00000000",
		"0c", "06", "15 01000000", "05",
		"01000000", str("Greet"), str("example.com/demo.Greet"),
		str("Greet returns a greeting for p, repeated n times.\n"),
		"02000000", str("p"), "00000000", str("n"), "04000000",
		"01000000", "00000000", "01000000",
		"01",
		"00000000")
	got := hex.EncodeToString(greetSchema().Marshal())
	if got != want {
		t.Fatalf("schema\n got %s\nwant %s", got, want)
	}
	if !strings.HasPrefix(str("example.com/demo.Person"), "17000000") ||
		!strings.HasPrefix(str("Greet returns a greeting for p, repeated n times.\n"), "32000000") {
		t.Fatal("lengths in the document")
	}

	// The arguments and results of the example.
	var e Encoder
	e.PutString("Ada")
	e.PutUint8(36)
	e.PutPresent(false)
	e.PutInt64(2)
	if got, want := hex.EncodeToString(e.Bytes()), hexs("03000000 416461", "24", "00", "0200000000000000"); got != want {
		t.Errorf("arguments %s, want %s", got, want)
	}
	e.Reset(nil)
	e.PutUint8(StatusError)
	e.PutString("n must be positive")
	e.PutString("*errors.errorString")
	e.PutUint32(0) // host_error
	if got := hex.EncodeToString(e.Bytes()); !strings.HasPrefix(got, "0112000000"+hex.EncodeToString([]byte("n m"))) ||
		!strings.Contains(got, "13000000"+hex.EncodeToString([]byte("*er"))) || !strings.HasSuffix(got, hex.EncodeToString([]byte("ing"))+"00000000") {
		t.Errorf("error payload %s", got)
	}
}

func TestSchemaRoundTrip(t *testing.T) {
	s := greetSchema()
	s.Types = append(s.Types,
		Type{Kind: Map, Key: 1, Elem: 7},
		Type{Kind: Array, Len: 4, Elem: 2},
		Type{Kind: List, Elem: 7}, // recursive: a list of itself
		Type{Kind: Struct, Doc: "anon", Fields: []Field{{Name: "a", Type: 5, Doc: "field a"}}},
	)
	s.Imports = []Func{{Name: "lookup", Params: []Param{{"k", 1}}, Results: []Param{{"", 8}}, Flags: FlagError | FlagVariadic}}
	s.Imports[0].Params = []Param{{"k", 7}}
	got, err := UnmarshalSchema(s.Marshal())
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, s) {
		t.Fatalf("round trip:\n got %#v\nwant %#v", got, s)
	}
	for ref, want := range map[uint32]string{
		0: "example.com/demo.Person", 3: "optional<string>", 5: "map<string,#7=list<#7>>", 7: "#7=list<#7>",
		6: "array<4,u8>", 8: "struct#8",
	} {
		if s := got.TypeString(ref); s != want {
			t.Errorf("TypeString(%d) = %s, want %s", ref, s, want)
		}
	}
}

func TestSchemaErrors(t *testing.T) {
	for _, tc := range []struct {
		name   string
		mutate func(s *Schema)
		want   string
	}{
		{"version", func(s *Schema) { s.Version = 2 }, "ABI version 2"},
		{"ref", func(s *Schema) { s.Funcs[0].Params[0].Type = 99 }, "type reference 99 out of range"},
		{"kind", func(s *Schema) { s.Types[4].Kind = 0x33 }, "unknown kind 0x33"},
		{"flags", func(s *Schema) { s.Funcs[0].Flags = 0x80 }, "unknown flags 0x80"},
		{"dup", func(s *Schema) { s.Funcs = append(s.Funcs, s.Funcs[0]) }, `duplicate function "Greet"`},
		{"field", func(s *Schema) { s.Types[0].Fields[1].Name = "name" }, `duplicate field "name"`},
		{"key", func(s *Schema) { s.Types = append(s.Types, Type{Kind: Map, Key: 3, Elem: 1}) }, "map key of kind optional"},
		{"variadic", func(s *Schema) { s.Funcs[0].Flags |= FlagVariadic }, "last parameter is not a list"},
	} {
		s := greetSchema()
		tc.mutate(s)
		_, err := UnmarshalSchema(s.Marshal())
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: %v, want %q", tc.name, err, tc.want)
		}
	}
	b := greetSchema().Marshal()
	if _, err := UnmarshalSchema(append(b, 0)); err == nil || !strings.Contains(err.Error(), "trailing") {
		t.Errorf("trailing: %v", err)
	}
	if _, err := UnmarshalSchema(b[:len(b)-3]); err == nil || !strings.Contains(err.Error(), "truncated") {
		t.Errorf("truncated: %v", err)
	}
}

type node struct {
	Value    int     `json:"value"`
	Children []*node `json:"children"`
	Meta     map[string]any
	When     time.Time
	Every    time.Duration
	Tags     [2]string
	Raw      []byte
	private  int //lint:ignore U1000 an unexported field, which does not cross
}

type badKey struct {
	M map[float64]int
}

func TestTypeBuilder(t *testing.T) {
	var b TypeBuilder
	r, err := b.Add(reflect.TypeFor[node]())
	if err != nil {
		t.Fatal(err)
	}
	s := &Schema{Version: ABIVersion, Types: b.Types}
	if err := s.Check(); err != nil {
		t.Fatal(err)
	}
	var fields []string
	for _, f := range s.Types[r].Fields {
		fields = append(fields, f.Name+" "+s.TypeString(f.Type))
	}
	want := "value i64, children list<optional<github.com/isthmus-dev/isthmus/go/wire.node>>, Meta map<string,any>, " +
		"When time, Every duration, Tags array<2,string>, Raw bytes"
	if got := strings.Join(fields, ", "); got != want {
		t.Errorf("fields\n got %s\nwant %s", got, want)
	}
	for _, tc := range []struct {
		typ  reflect.Type
		want string
	}{
		{reflect.TypeFor[chan int](), "unsupported type chan int"},
		{reflect.TypeFor[[]func()](), "unsupported type func() (element of []func())"},
		{reflect.TypeFor[badKey](), "unsupported type map[float64]int (map keys must be strings or integers; field M of wire.badKey)"},
		{reflect.TypeFor[uintptr](), "unsupported type uintptr"},
		{reflect.TypeFor[error](), "unsupported type error"},
		{reflect.TypeFor[complex128](), "unsupported type complex128"},
	} {
		if _, err := b.Add(tc.typ); err == nil || err.Error() != tc.want {
			t.Errorf("%v: %v, want %s", tc.typ, err, tc.want)
		}
	}
}

func TestCodecRoundTrip(t *testing.T) {
	leaf := &node{Value: 2, Children: []*node{}, Meta: map[string]any{}, Raw: []byte{}, When: time.Unix(5, 0).UTC()}
	for _, v := range []any{
		int16(-5), uint(7), "x", []byte("abc"), [3]int8{1, -1, 0},
		map[uint16]string{1: "a", 2: "b"}, []string{"a", "b"}, (*int)(nil),
		&node{Value: 1, Children: []*node{leaf, nil}, Meta: map[string]any{"k": int64(1)},
			When: time.Unix(1, 2).UTC(), Every: time.Hour, Tags: [2]string{"a", "b"}, Raw: []byte{}},
		[]any{int64(1), "x"},
	} {
		rt := reflect.TypeOf(v)
		c, err := CodecOf(rt)
		if err != nil {
			t.Fatalf("%v: %v", rt, err)
		}
		var e Encoder
		c.Encode(&e, reflect.ValueOf(v))
		d := NewDecoder(e.Bytes())
		got := reflect.New(rt).Elem()
		c.Decode(d, got)
		if err := d.Finish(); err != nil {
			t.Errorf("%v: %v", rt, err)
		} else if !reflect.DeepEqual(got.Interface(), v) {
			t.Errorf("%v: got %#v, want %#v", rt, got.Interface(), v)
		}
	}
	if _, err := CodecOf(reflect.TypeFor[chan int]()); err == nil {
		t.Error("chan accepted")
	}
}
