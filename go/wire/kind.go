package wire

import (
	"strconv"
	"strings"
)

// ABIVersion is the version of the isthmus ABI this package implements.
const ABIVersion = 1

// Kind is the one-byte code of a type in the schema and of a tag in an any value.
type Kind uint8

// The kinds of the isthmus ABI. The scalars Bool … Any have no further data in a type
// table entry; the composites List … Optional refer to other entries.
const (
	Nil      Kind = 0x00 // only as an any tag: no value
	Bool     Kind = 0x01 // 1 byte, 0 or 1
	Int8     Kind = 0x02 // 1 byte
	Int16    Kind = 0x03 // 2 bytes little-endian
	Int32    Kind = 0x04 // 4 bytes little-endian
	Int64    Kind = 0x05 // 8 bytes little-endian
	Uint8    Kind = 0x06 // 1 byte
	Uint16   Kind = 0x07 // 2 bytes little-endian
	Uint32   Kind = 0x08 // 4 bytes little-endian
	Uint64   Kind = 0x09 // 8 bytes little-endian
	Float32  Kind = 0x0A // IEEE 754 binary32, little-endian
	Float64  Kind = 0x0B // IEEE 754 binary64, little-endian
	String   Kind = 0x0C // u32 length, UTF-8 bytes
	Bytes    Kind = 0x0D // u32 length, bytes
	Time     Kind = 0x0E // i64 seconds since the Unix epoch, u32 nanoseconds, i32 UTC offset in seconds
	Duration Kind = 0x0F // i64 nanoseconds
	Any      Kind = 0x10 // a tag (a Kind), then a value of that kind
	List     Kind = 0x11 // u32 count, elements
	Array    Kind = 0x12 // a fixed number of elements, no count
	Map      Kind = 0x13 // u32 count, key/value pairs
	Struct   Kind = 0x14 // the fields in schema order
	Optional Kind = 0x15 // 1 byte presence (0 or 1), then the element when present
)

var kindNames = [...]string{
	Nil: "nil", Bool: "bool", Int8: "i8", Int16: "i16", Int32: "i32", Int64: "i64",
	Uint8: "u8", Uint16: "u16", Uint32: "u32", Uint64: "u64", Float32: "f32", Float64: "f64",
	String: "string", Bytes: "bytes", Time: "time", Duration: "duration", Any: "any",
	List: "list", Array: "array", Map: "map", Struct: "struct", Optional: "optional",
}

// String returns the kind's name as docs/abi.md writes it ("i32", "list", ...).
func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "kind(0x" + strconv.FormatUint(uint64(k), 16) + ")"
}

// IsScalar reports whether k is a kind without type-table data (Bool … Any).
func (k Kind) IsScalar() bool { return k >= Bool && k <= Any }

// IsInteger reports whether k is one of the integer kinds Int8 … Uint64.
func (k Kind) IsInteger() bool { return k >= Int8 && k <= Uint64 }

// Statuses: the first byte of a result payload (docs/abi.md §6.2, §7.2).
const (
	StatusOK    = 0 // results follow
	StatusError = 1 // str message, str type, u32 host error token
	StatusPanic = 2 // str message, str type, str stack, u32 host error token
	StatusFail  = 3 // str message: the call could not be made or its results not encoded
)

// Function flags in the schema (docs/abi.md §9.4).
const (
	FlagError    = 0x01 // the last result is an error, not listed among the results
	FlagVariadic = 0x02 // the last parameter is a list that may be given as separate arguments
)

// ResolveID is the host_call id of the resolve operation (docs/abi.md §7.1).
const ResolveID = -1

// MaxDepth is the nesting limit of recursive types and any values (docs/abi.md §8.6).
const MaxDepth = 10000

// FieldName returns the name under which a struct field with Go name goName and struct
// tag tag crosses the ABI, following encoding/json's use of the "json" tag: the tag's
// name when it has one, else the Go name. skip is true for `json:"-"`. Callers skip
// unexported fields themselves.
func FieldName(goName, tag string) (name string, skip bool) {
	v, ok := lookupTag(tag, "json")
	if !ok {
		return goName, false
	}
	if v == "-" {
		return "", true
	}
	if i := strings.IndexByte(v, ','); i >= 0 {
		v = v[:i]
	}
	if v == "" {
		return goName, false
	}
	return v, false
}

// lookupTag is reflect.StructTag.Get without reflect (the generator has tags as strings).
func lookupTag(tag, key string) (string, bool) {
	for tag != "" {
		i := 0
		for i < len(tag) && tag[i] == ' ' {
			i++
		}
		tag = tag[i:]
		if tag == "" {
			break
		}
		i = 0
		for i < len(tag) && tag[i] > ' ' && tag[i] != ':' && tag[i] != '"' && tag[i] != 0x7f {
			i++
		}
		if i == 0 || i+1 >= len(tag) || tag[i] != ':' || tag[i+1] != '"' {
			break
		}
		name := tag[:i]
		tag = tag[i+1:]
		i = 1
		for i < len(tag) && tag[i] != '"' {
			if tag[i] == '\\' {
				i++
			}
			i++
		}
		if i >= len(tag) {
			break
		}
		qvalue := tag[:i+1]
		tag = tag[i+1:]
		if name == key {
			v, err := strconv.Unquote(qvalue)
			if err != nil {
				break
			}
			return v, true
		}
	}
	return "", false
}
