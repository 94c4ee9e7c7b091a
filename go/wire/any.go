package wire

import (
	"errors"
	"reflect"
	"strconv"
	"sync"
	"time"
)

var (
	timeType     = reflect.TypeFor[time.Time]()
	durationType = reflect.TypeFor[time.Duration]()
)

// PutAny appends v as an any value: a tag, then the value (docs/abi.md §8.3, §12.3).
// Signed integers become i64, unsigned ones u64, floats f64; []byte and byte arrays
// become bytes, other slices and arrays lists, maps maps (keys as any), structs maps
// from field name to value, pointers nil or the value they point to. Channels,
// functions and complex numbers cannot be encoded: PutAny records an error.
func (e *Encoder) PutAny(v any) {
	switch x := v.(type) {
	case nil:
		e.buf = append(e.buf, byte(Nil))
	case bool:
		e.buf = append(e.buf, byte(Bool))
		e.PutBool(x)
	case int:
		e.putTaggedInt(int64(x))
	case int64:
		e.putTaggedInt(x)
	case int32:
		e.putTaggedInt(int64(x))
	case uint64:
		e.putTaggedUint(x)
	case uint:
		e.putTaggedUint(uint64(x))
	case float64:
		e.buf = append(e.buf, byte(Float64))
		e.PutFloat64(x)
	case string:
		e.buf = append(e.buf, byte(String))
		e.PutString(x)
	case []byte:
		e.buf = append(e.buf, byte(Bytes))
		e.PutBytes(x)
	case time.Time:
		e.buf = append(e.buf, byte(Time))
		e.PutTime(x)
	case time.Duration:
		e.buf = append(e.buf, byte(Duration))
		e.PutDuration(x)
	case []any:
		if !e.Enter() {
			e.buf = append(e.buf, byte(Nil))
			return
		}
		e.buf = append(e.buf, byte(List))
		e.PutLen(len(x))
		for _, y := range x {
			e.PutAny(y)
		}
		e.Leave()
	case map[string]any:
		if !e.Enter() {
			e.buf = append(e.buf, byte(Nil))
			return
		}
		e.buf = append(e.buf, byte(Map))
		e.PutLen(len(x))
		for k, y := range x {
			e.buf = append(e.buf, byte(String))
			e.PutString(k)
			e.PutAny(y)
		}
		e.Leave()
	default:
		e.putAnyValue(reflect.ValueOf(v))
	}
}

func (e *Encoder) putTaggedInt(v int64) {
	e.buf = append(e.buf, byte(Int64))
	e.PutInt64(v)
}

func (e *Encoder) putTaggedUint(v uint64) {
	e.buf = append(e.buf, byte(Uint64))
	e.PutUint64(v)
}

// putAnyValue is PutAny for the types without a fast path.
func (e *Encoder) putAnyValue(v reflect.Value) {
	switch v.Kind() {
	case reflect.Invalid:
		e.buf = append(e.buf, byte(Nil))
	case reflect.Bool:
		e.buf = append(e.buf, byte(Bool))
		e.PutBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		if v.Type() == durationType {
			e.buf = append(e.buf, byte(Duration))
			e.PutInt64(v.Int())
			return
		}
		e.putTaggedInt(v.Int())
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		e.putTaggedUint(v.Uint())
	case reflect.Float32, reflect.Float64:
		e.buf = append(e.buf, byte(Float64))
		e.PutFloat64(v.Float())
	case reflect.String:
		e.buf = append(e.buf, byte(String))
		e.PutString(v.String())
	case reflect.Slice, reflect.Array:
		if v.Type().Elem().Kind() == reflect.Uint8 {
			e.buf = append(e.buf, byte(Bytes))
			if v.Kind() == reflect.Slice {
				e.PutBytes(v.Bytes())
				return
			}
			e.PutLen(v.Len())
			for i := 0; i < v.Len(); i++ {
				e.buf = append(e.buf, byte(v.Index(i).Uint()))
			}
			return
		}
		if !e.Enter() {
			e.buf = append(e.buf, byte(Nil))
			return
		}
		e.buf = append(e.buf, byte(List))
		e.PutLen(v.Len())
		for i := 0; i < v.Len(); i++ {
			e.putAnyValue(v.Index(i))
		}
		e.Leave()
	case reflect.Map:
		if !e.Enter() {
			e.buf = append(e.buf, byte(Nil))
			return
		}
		e.buf = append(e.buf, byte(Map))
		e.PutLen(v.Len())
		for it := v.MapRange(); it.Next(); {
			e.putAnyValue(it.Key())
			e.putAnyValue(it.Value())
		}
		e.Leave()
	case reflect.Struct:
		if v.Type() == timeType {
			e.buf = append(e.buf, byte(Time))
			e.PutTime(v.Interface().(time.Time))
			return
		}
		if !e.Enter() {
			e.buf = append(e.buf, byte(Nil))
			return
		}
		fields := structFields(v.Type())
		e.buf = append(e.buf, byte(Map))
		e.PutLen(len(fields))
		for _, f := range fields {
			e.buf = append(e.buf, byte(String))
			e.PutString(f.name)
			e.putAnyValue(v.Field(f.index))
		}
		e.Leave()
	case reflect.Pointer, reflect.Interface:
		if v.IsNil() {
			e.buf = append(e.buf, byte(Nil))
			return
		}
		if !e.Enter() {
			e.buf = append(e.buf, byte(Nil))
			return
		}
		e.putAnyValue(v.Elem())
		e.Leave()
	default:
		e.Fail(errors.New("cannot encode a value of type " + v.Type().String() + " in an any"))
		e.buf = append(e.buf, byte(Nil))
	}
}

// fieldInfo is a struct field that crosses the ABI.
type fieldInfo struct {
	name  string
	index int
}

var fieldCache sync.Map // reflect.Type → []fieldInfo

// structFields returns the fields of struct type t that cross the ABI, in order.
func structFields(t reflect.Type) []fieldInfo {
	if f, ok := fieldCache.Load(t); ok {
		return f.([]fieldInfo)
	}
	var fields []fieldInfo
	for i := 0; i < t.NumField(); i++ {
		sf := t.Field(i)
		if !sf.IsExported() {
			continue
		}
		name, skip := FieldName(sf.Name, string(sf.Tag))
		if skip {
			continue
		}
		fields = append(fields, fieldInfo{name, i})
	}
	fieldCache.Store(t, fields)
	return fields
}

// GetAny reads an any value (docs/abi.md §12.3): nil, a bool, an integer or float of
// the tag's size, a string, []byte, time.Time, time.Duration, []any, or a map —
// map[string]any when every key is a string, otherwise map[any]any.
func (d *Decoder) GetAny() any {
	tag := Kind(d.GetUint8())
	if d.err != nil {
		return nil
	}
	switch tag {
	case Nil:
		return nil
	case Bool:
		return d.GetBool()
	case Int8:
		return d.GetInt8()
	case Int16:
		return d.GetInt16()
	case Int32:
		return d.GetInt32()
	case Int64:
		return d.GetInt64()
	case Uint8:
		return d.GetUint8()
	case Uint16:
		return d.GetUint16()
	case Uint32:
		return d.GetUint32()
	case Uint64:
		return d.GetUint64()
	case Float32:
		return d.GetFloat32()
	case Float64:
		return d.GetFloat64()
	case String:
		return d.GetString()
	case Bytes:
		return d.GetBytes()
	case Time:
		return d.GetTime()
	case Duration:
		return d.GetDuration()
	case List:
		if !d.Enter() {
			return nil
		}
		s := make([]any, d.GetLen(1))
		for i := range s {
			s[i] = d.GetAny()
		}
		d.Leave()
		return s
	case Map:
		if !d.Enter() {
			return nil
		}
		v := d.getAnyMap()
		d.Leave()
		return v
	}
	d.off--
	d.Fail("unknown any tag 0x" + strconv.FormatUint(uint64(tag), 16))
	return nil
}

func (d *Decoder) getAnyMap() any {
	n := d.GetLen(2)
	m := make(map[string]any, n)
	var mm map[any]any // once a key is not a string
	for i := 0; i < n && d.err == nil; i++ {
		if d.off < len(d.buf) {
			switch Kind(d.buf[d.off]) {
			case List, Map, Bytes:
				d.Fail("a map key cannot be of kind " + Kind(d.buf[d.off]).String())
				return nil
			}
		}
		k := d.GetAny()
		v := d.GetAny()
		if mm == nil {
			if s, ok := k.(string); ok {
				m[s] = v
				continue
			}
			mm = make(map[any]any, n)
			for ks, vs := range m {
				mm[ks] = vs
			}
		}
		mm[k] = v
	}
	if mm != nil {
		return mm
	}
	return m
}
