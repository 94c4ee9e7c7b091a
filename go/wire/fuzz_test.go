package wire

import (
	"reflect"
	"testing"
)

// The decoders must reject malformed input with an error, never panic or hang.

func FuzzGetAny(f *testing.F) {
	var e Encoder
	e.PutAny(map[string]any{"a": []any{int64(1), "x", nil, 2.5, []byte{1}}, "b": map[any]any{int64(1): true}})
	f.Add(e.Bytes())
	f.Add([]byte{byte(List), 0xff, 0xff, 0xff, 0xff})
	f.Add([]byte{byte(Map), 1, 0, 0, 0, byte(Int64)})
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		v := d.GetAny()
		if d.Finish() != nil {
			return
		}
		var e Encoder // what decodes must encode again
		e.PutAny(v)
		if e.Err() != nil {
			t.Fatalf("%#v: %v", v, e.Err())
		}
	})
}

func FuzzUnmarshalSchema(f *testing.F) {
	f.Add(greetSchema().Marshal())
	f.Fuzz(func(t *testing.T, b []byte) {
		s, err := UnmarshalSchema(b)
		if err != nil {
			return
		}
		for i := range s.Types {
			s.TypeString(uint32(i))
		}
		again, err := UnmarshalSchema(s.Marshal())
		if err != nil || !reflect.DeepEqual(again, s) {
			t.Fatalf("round trip: %v", err)
		}
	})
}

func FuzzCodec(f *testing.F) {
	c, err := CodecOf(reflect.TypeFor[node]())
	if err != nil {
		f.Fatal(err)
	}
	var e Encoder
	c.Encode(&e, reflect.ValueOf(node{Value: 1, Children: []*node{{Value: 2}}, Tags: [2]string{"a", "b"}}))
	f.Add(e.Bytes())
	f.Fuzz(func(t *testing.T, b []byte) {
		d := NewDecoder(b)
		v := reflect.New(reflect.TypeFor[node]()).Elem()
		c.Decode(d, v)
		_ = d.Finish()
	})
}
