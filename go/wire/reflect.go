package wire

import (
	"errors"
	"reflect"
	"sync"
	"time"
)

// TypeBuilder builds a schema type table from Go types known through reflection,
// following the Go mapping of docs/abi.md §12.1. The code generator applies the same
// rules to go/types types; the two must agree (the generator's tests check it).
// The zero value is ready to use.
type TypeBuilder struct {
	Types  []Type
	byType map[reflect.Type]uint32
	byKind map[Kind]uint32
}

// An UnsupportedError says which type cannot cross the ABI and where it was met.
type UnsupportedError struct {
	Type  string // the unsupported type, e.g. "chan int"
	Where string // e.g. "field Ch of example.com/m.T", "" at the top level
}

func (e *UnsupportedError) Error() string {
	msg := "unsupported type " + e.Type
	if e.Where != "" {
		msg += " (" + e.Where + ")"
	}
	return msg
}

// Add adds t (and the types it refers to) to the table and returns its index.
func (b *TypeBuilder) Add(t reflect.Type) (uint32, error) {
	return b.add(t, "")
}

func (b *TypeBuilder) scalar(k Kind) uint32 {
	if b.byKind == nil {
		b.byKind = map[Kind]uint32{}
	}
	if r, ok := b.byKind[k]; ok {
		return r
	}
	r := uint32(len(b.Types))
	b.Types = append(b.Types, Type{Kind: k})
	b.byKind[k] = r
	return r
}

var reflectKinds = [...]Kind{
	reflect.Bool: Bool, reflect.Int: Int64, reflect.Int8: Int8, reflect.Int16: Int16,
	reflect.Int32: Int32, reflect.Int64: Int64, reflect.Uint: Uint64, reflect.Uint8: Uint8,
	reflect.Uint16: Uint16, reflect.Uint32: Uint32, reflect.Uint64: Uint64,
	reflect.Float32: Float32, reflect.Float64: Float64, reflect.String: String,
}

func (b *TypeBuilder) add(t reflect.Type, where string) (uint32, error) {
	switch {
	case t == timeType:
		return b.scalar(Time), nil
	case t == durationType:
		return b.scalar(Duration), nil
	case int(t.Kind()) < len(reflectKinds) && reflectKinds[t.Kind()] != 0:
		return b.scalar(reflectKinds[t.Kind()]), nil
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		return b.scalar(Bytes), nil
	case t.Kind() == reflect.Interface:
		if t.NumMethod() != 0 {
			return 0, &UnsupportedError{t.String(), where}
		}
		return b.scalar(Any), nil
	}
	if b.byType == nil {
		b.byType = map[reflect.Type]uint32{}
	}
	if r, ok := b.byType[t]; ok {
		return r, nil
	}
	r := uint32(len(b.Types))
	var err error
	switch t.Kind() {
	case reflect.Slice, reflect.Array, reflect.Pointer:
		b.Types = append(b.Types, Type{})
		b.byType[t] = r
		k := map[reflect.Kind]Kind{reflect.Slice: List, reflect.Array: Array, reflect.Pointer: Optional}[t.Kind()]
		var elem uint32
		elem, err = b.add(t.Elem(), "element of "+t.String())
		b.Types[r] = Type{Kind: k, Elem: elem}
		if k == Array {
			b.Types[r].Len = uint32(t.Len())
		}
	case reflect.Map:
		switch t.Key().Kind() {
		case reflect.String, reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		default:
			return 0, &UnsupportedError{t.String(), joinWhere("map keys must be strings or integers", where)}
		}
		b.Types = append(b.Types, Type{})
		b.byType[t] = r
		var k, v uint32
		if k, err = b.add(t.Key(), "key of "+t.String()); err == nil {
			v, err = b.add(t.Elem(), "value of "+t.String())
		}
		b.Types[r] = Type{Kind: Map, Key: k, Elem: v}
	case reflect.Struct:
		b.Types = append(b.Types, Type{})
		b.byType[t] = r
		st := Type{Kind: Struct}
		if t.Name() != "" {
			st.Name = t.PkgPath() + "." + t.Name()
		}
		for _, fi := range structFields(t) {
			sf := t.Field(fi.index)
			var ft uint32
			ft, err = b.add(sf.Type, "field "+sf.Name+" of "+t.String())
			if err != nil {
				break
			}
			st.Fields = append(st.Fields, Field{Name: fi.name, Type: ft})
		}
		b.Types[r] = st
	default:
		return 0, &UnsupportedError{t.String(), where}
	}
	if err != nil {
		return 0, err
	}
	return r, nil
}

func joinWhere(a, b string) string {
	if b == "" {
		return a
	}
	return a + "; " + b
}

// A ValueCodec encodes and decodes values of one Go type through reflection. Generated
// code does not need it; the guest runtime uses it for host functions.
type ValueCodec struct {
	enc     func(e *Encoder, v reflect.Value)
	dec     func(d *Decoder, v reflect.Value) // v is settable
	minSize int                               // the fewest bytes a value takes on the wire
}

// Encode appends v, a value of the codec's type.
func (c *ValueCodec) Encode(e *Encoder, v reflect.Value) { c.enc(e, v) }

// Decode reads a value into v, a settable value of the codec's type.
func (c *ValueCodec) Decode(d *Decoder, v reflect.Value) { c.dec(d, v) }

var codecCache sync.Map // reflect.Type → *ValueCodec

// CodecOf returns the codec of t, or an UnsupportedError.
func CodecOf(t reflect.Type) (*ValueCodec, error) {
	if c, ok := codecCache.Load(t); ok {
		return c.(*ValueCodec), nil
	}
	var b TypeBuilder
	if _, err := b.Add(t); err != nil {
		return nil, err
	}
	c := buildCodec(t, map[reflect.Type]*ValueCodec{})
	codecCache.Store(t, c)
	return c, nil
}

var errNotSupported = errors.New("wire: type not supported")

// buildCodec builds the codec of a type that TypeBuilder accepted. building holds the
// codecs under construction, for recursive types.
func buildCodec(t reflect.Type, building map[reflect.Type]*ValueCodec) *ValueCodec {
	if c, ok := building[t]; ok {
		return c
	}
	c := &ValueCodec{}
	building[t] = c
	switch {
	case t == timeType:
		c.minSize = 16
		c.enc = func(e *Encoder, v reflect.Value) { e.PutTime(v.Interface().(time.Time)) }
		c.dec = func(d *Decoder, v reflect.Value) { v.Set(reflect.ValueOf(d.GetTime())) }
		return c
	case t.Kind() == reflect.Slice && t.Elem().Kind() == reflect.Uint8:
		c.minSize = 4
		c.enc = func(e *Encoder, v reflect.Value) { e.PutBytes(v.Bytes()) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetBytes(d.GetBytes()) }
		return c
	}
	switch t.Kind() {
	case reflect.Bool:
		c.minSize = 1
		c.enc = func(e *Encoder, v reflect.Value) { e.PutBool(v.Bool()) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetBool(d.GetBool()) }
	case reflect.Int8:
		c.minSize = 1
		c.enc = func(e *Encoder, v reflect.Value) { e.PutInt8(int8(v.Int())) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetInt(int64(d.GetInt8())) }
	case reflect.Int16:
		c.minSize = 2
		c.enc = func(e *Encoder, v reflect.Value) { e.PutInt16(int16(v.Int())) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetInt(int64(d.GetInt16())) }
	case reflect.Int32:
		c.minSize = 4
		c.enc = func(e *Encoder, v reflect.Value) { e.PutInt32(int32(v.Int())) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetInt(int64(d.GetInt32())) }
	case reflect.Int, reflect.Int64:
		c.minSize = 8
		c.enc = func(e *Encoder, v reflect.Value) { e.PutInt64(v.Int()) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetInt(d.GetInt64()) }
	case reflect.Uint8:
		c.minSize = 1
		c.enc = func(e *Encoder, v reflect.Value) { e.PutUint8(uint8(v.Uint())) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetUint(uint64(d.GetUint8())) }
	case reflect.Uint16:
		c.minSize = 2
		c.enc = func(e *Encoder, v reflect.Value) { e.PutUint16(uint16(v.Uint())) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetUint(uint64(d.GetUint16())) }
	case reflect.Uint32:
		c.minSize = 4
		c.enc = func(e *Encoder, v reflect.Value) { e.PutUint32(uint32(v.Uint())) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetUint(uint64(d.GetUint32())) }
	case reflect.Uint, reflect.Uint64:
		c.minSize = 8
		c.enc = func(e *Encoder, v reflect.Value) { e.PutUint64(v.Uint()) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetUint(d.GetUint64()) }
	case reflect.Float32:
		c.minSize = 4
		c.enc = func(e *Encoder, v reflect.Value) { e.PutFloat32(float32(v.Float())) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetFloat(float64(d.GetFloat32())) }
	case reflect.Float64:
		c.minSize = 8
		c.enc = func(e *Encoder, v reflect.Value) { e.PutFloat64(v.Float()) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetFloat(d.GetFloat64()) }
	case reflect.String:
		c.minSize = 4
		c.enc = func(e *Encoder, v reflect.Value) { e.PutString(v.String()) }
		c.dec = func(d *Decoder, v reflect.Value) { v.SetString(d.GetString()) }
	case reflect.Interface:
		c.minSize = 1
		c.enc = func(e *Encoder, v reflect.Value) { e.PutAny(v.Interface()) }
		c.dec = func(d *Decoder, v reflect.Value) {
			if x := d.GetAny(); x != nil {
				v.Set(reflect.ValueOf(x))
			} else {
				v.SetZero()
			}
		}
	case reflect.Slice:
		c.minSize = 4
		elem := buildCodec(t.Elem(), building)
		c.enc = func(e *Encoder, v reflect.Value) {
			if !e.Enter() {
				return
			}
			e.PutLen(v.Len())
			for i := 0; i < v.Len(); i++ {
				elem.enc(e, v.Index(i))
			}
			e.Leave()
		}
		c.dec = func(d *Decoder, v reflect.Value) {
			if !d.Enter() {
				return
			}
			n := d.GetLen(elem.minSize)
			s := reflect.MakeSlice(t, n, n)
			for i := 0; i < n; i++ {
				elem.dec(d, s.Index(i))
			}
			v.Set(s)
			d.Leave()
		}
	case reflect.Array:
		elem := buildCodec(t.Elem(), building)
		c.minSize = t.Len() * elem.minSize
		c.enc = func(e *Encoder, v reflect.Value) {
			if !e.Enter() {
				return
			}
			for i := 0; i < v.Len(); i++ {
				elem.enc(e, v.Index(i))
			}
			e.Leave()
		}
		c.dec = func(d *Decoder, v reflect.Value) {
			if !d.Enter() {
				return
			}
			for i := 0; i < v.Len(); i++ {
				elem.dec(d, v.Index(i))
			}
			d.Leave()
		}
	case reflect.Map:
		c.minSize = 4
		key, val := buildCodec(t.Key(), building), buildCodec(t.Elem(), building)
		c.enc = func(e *Encoder, v reflect.Value) {
			if !e.Enter() {
				return
			}
			e.PutLen(v.Len())
			for it := v.MapRange(); it.Next(); {
				key.enc(e, it.Key())
				val.enc(e, it.Value())
			}
			e.Leave()
		}
		c.dec = func(d *Decoder, v reflect.Value) {
			if !d.Enter() {
				return
			}
			n := d.GetLen(key.minSize + val.minSize)
			m := reflect.MakeMapWithSize(t, n)
			k, x := reflect.New(t.Key()).Elem(), reflect.New(t.Elem()).Elem()
			for i := 0; i < n && d.err == nil; i++ {
				k.SetZero()
				x.SetZero()
				key.dec(d, k)
				val.dec(d, x)
				m.SetMapIndex(k, x)
			}
			v.Set(m)
			d.Leave()
		}
	case reflect.Pointer:
		c.minSize = 1
		elem := buildCodec(t.Elem(), building)
		c.enc = func(e *Encoder, v reflect.Value) {
			if v.IsNil() {
				e.PutPresent(false)
				return
			}
			if !e.Enter() {
				return
			}
			e.PutPresent(true)
			elem.enc(e, v.Elem())
			e.Leave()
		}
		c.dec = func(d *Decoder, v reflect.Value) {
			if !d.GetPresent() {
				v.SetZero()
				return
			}
			if !d.Enter() {
				return
			}
			p := reflect.New(t.Elem())
			elem.dec(d, p.Elem())
			v.Set(p)
			d.Leave()
		}
	case reflect.Struct:
		fields := structFields(t)
		codecs := make([]*ValueCodec, len(fields))
		for i, f := range fields {
			codecs[i] = buildCodec(t.Field(f.index).Type, building)
		}
		for _, fc := range codecs {
			c.minSize += fc.minSize // 0 for a codec still being built: a lower bound
		}
		c.enc = func(e *Encoder, v reflect.Value) {
			if !e.Enter() {
				return
			}
			for i, f := range fields {
				codecs[i].enc(e, v.Field(f.index))
			}
			e.Leave()
		}
		c.dec = func(d *Decoder, v reflect.Value) {
			if !d.Enter() {
				return
			}
			for i, f := range fields {
				codecs[i].dec(d, v.Field(f.index))
			}
			d.Leave()
		}
	default:
		panic(errNotSupported)
	}
	return c
}
