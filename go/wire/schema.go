package wire

import (
	"errors"
	"strconv"
)

// SectionName is the name of the custom section that holds a module's schema.
const SectionName = "isthmus.schema"

// Schema describes a module's exported functions, the host functions it imports and
// the types they use (docs/abi.md §9).
type Schema struct {
	Version  uint32 // ABIVersion
	Producer string // informative: what built the module
	Types    []Type // the type table; Type references are indices into it
	Funcs    []Func // exported functions; a function's id is its index
	Imports  []Func // host functions the module is known to import
}

// Type is one entry of the type table.
type Type struct {
	Kind   Kind
	Elem   uint32  // List, Array, Optional: the element type; Map: the value type
	Key    uint32  // Map: the key type
	Len    uint32  // Array: the number of elements
	Name   string  // Struct: the qualified type name, "" when anonymous
	Doc    string  // Struct: the type's doc comment
	Fields []Field // Struct: the fields in wire order
}

// Field is a struct field.
type Field struct {
	Name string
	Type uint32
	Doc  string
}

// Func describes an exported function or an imported host function.
type Func struct {
	Name    string  // the name the host uses
	GoName  string  // informative: the Go function, e.g. "example.com/lib.Greet"
	Doc     string  // the doc comment
	Params  []Param // parameters in order
	Results []Param // results in order, without a final error
	Flags   uint8   // FlagError, FlagVariadic
}

// Param is a parameter or a result.
type Param struct {
	Name string // "" when unnamed
	Type uint32
}

// Marshal returns the schema's encoding.
func (s *Schema) Marshal() []byte {
	var e Encoder
	e.PutUint32(s.Version)
	e.PutString(s.Producer)
	e.PutLen(len(s.Types))
	for _, t := range s.Types {
		e.PutUint8(uint8(t.Kind))
		switch t.Kind {
		case List, Optional:
			e.PutUint32(t.Elem)
		case Array:
			e.PutUint32(t.Len)
			e.PutUint32(t.Elem)
		case Map:
			e.PutUint32(t.Key)
			e.PutUint32(t.Elem)
		case Struct:
			e.PutString(t.Name)
			e.PutString(t.Doc)
			e.PutLen(len(t.Fields))
			for _, f := range t.Fields {
				e.PutString(f.Name)
				e.PutUint32(f.Type)
				e.PutString(f.Doc)
			}
		}
	}
	for _, list := range [][]Func{s.Funcs, s.Imports} {
		e.PutLen(len(list))
		for _, f := range list {
			e.PutString(f.Name)
			e.PutString(f.GoName)
			e.PutString(f.Doc)
			for _, ps := range [][]Param{f.Params, f.Results} {
				e.PutLen(len(ps))
				for _, p := range ps {
					e.PutString(p.Name)
					e.PutUint32(p.Type)
				}
			}
			e.PutUint8(f.Flags)
		}
	}
	return e.Bytes()
}

// UnmarshalSchema decodes and checks a schema: the version must be ABIVersion, kinds
// and flags known, type references in range, names unique, and nothing may follow.
func UnmarshalSchema(b []byte) (*Schema, error) {
	d := NewDecoder(b)
	s := &Schema{Version: d.GetUint32()}
	if d.err == nil && s.Version != ABIVersion {
		return nil, errors.New("schema of isthmus ABI version " + strconv.FormatUint(uint64(s.Version), 10) +
			"; this package supports version " + strconv.Itoa(ABIVersion))
	}
	s.Producer = d.GetString()
	s.Types = make([]Type, d.GetLen(1))
	for i := range s.Types {
		t := &s.Types[i]
		t.Kind = Kind(d.GetUint8())
		switch {
		case t.Kind.IsScalar():
		case t.Kind == List || t.Kind == Optional:
			t.Elem = d.GetUint32()
		case t.Kind == Array:
			t.Len = d.GetUint32()
			t.Elem = d.GetUint32()
		case t.Kind == Map:
			t.Key = d.GetUint32()
			t.Elem = d.GetUint32()
		case t.Kind == Struct:
			t.Name = d.GetString()
			t.Doc = d.GetString()
			t.Fields = make([]Field, d.GetLen(12))
			for j := range t.Fields {
				t.Fields[j] = Field{Name: d.GetString(), Type: d.GetUint32(), Doc: d.GetString()}
			}
		default:
			if d.err == nil {
				d.off--
				d.Fail("type " + strconv.Itoa(i) + ": unknown kind 0x" + strconv.FormatUint(uint64(t.Kind), 16))
			}
		}
	}
	s.Funcs = getFuncs(d)
	s.Imports = getFuncs(d)
	if err := d.Finish(); err != nil {
		return nil, err
	}
	if err := s.Check(); err != nil {
		return nil, err
	}
	return s, nil
}

func getFuncs(d *Decoder) []Func {
	funcs := make([]Func, d.GetLen(25))
	for i := range funcs {
		f := &funcs[i]
		f.Name = d.GetString()
		f.GoName = d.GetString()
		f.Doc = d.GetString()
		for _, ps := range []*[]Param{&f.Params, &f.Results} {
			*ps = make([]Param, d.GetLen(8))
			for j := range *ps {
				(*ps)[j] = Param{Name: d.GetString(), Type: d.GetUint32()}
			}
		}
		f.Flags = d.GetUint8()
	}
	return funcs
}

// Check reports the first inconsistency of s: a type reference out of range, an
// unknown kind or flag, a map key that is neither a string nor an integer, a variadic
// function whose last parameter is not a list, or a duplicate name.
func (s *Schema) Check() error {
	n := uint32(len(s.Types))
	ref := func(where string, r uint32) error {
		if r >= n {
			return errors.New(where + ": type reference " + strconv.FormatUint(uint64(r), 10) +
				" out of range (" + strconv.Itoa(len(s.Types)) + " types)")
		}
		return nil
	}
	for i, t := range s.Types {
		where := "type " + strconv.Itoa(i)
		var err error
		switch {
		case t.Kind.IsScalar():
		case t.Kind == List || t.Kind == Optional || t.Kind == Array:
			err = ref(where, t.Elem)
		case t.Kind == Map:
			if err = ref(where, t.Key); err == nil {
				if err = ref(where, t.Elem); err == nil {
					if k := s.Types[t.Key].Kind; k != String && !k.IsInteger() {
						err = errors.New(where + ": map key of kind " + k.String())
					}
				}
			}
		case t.Kind == Struct:
			seen := map[string]bool{}
			for _, f := range t.Fields {
				if err = ref(where+" field "+f.Name, f.Type); err != nil {
					break
				}
				if seen[f.Name] {
					err = errors.New(where + ": duplicate field " + strconv.Quote(f.Name))
					break
				}
				seen[f.Name] = true
			}
		default:
			err = errors.New(where + ": unknown kind " + t.Kind.String())
		}
		if err != nil {
			return err
		}
	}
	for _, list := range []struct {
		what  string
		funcs []Func
	}{{"function", s.Funcs}, {"import", s.Imports}} {
		seen := map[string]bool{}
		for _, f := range list.funcs {
			where := list.what + " " + strconv.Quote(f.Name)
			if f.Name == "" {
				return errors.New(list.what + " with an empty name")
			}
			if seen[f.Name] {
				return errors.New("duplicate " + where)
			}
			seen[f.Name] = true
			if f.Flags&^(FlagError|FlagVariadic) != 0 {
				return errors.New(where + ": unknown flags 0x" + strconv.FormatUint(uint64(f.Flags), 16))
			}
			for _, p := range append(append([]Param(nil), f.Params...), f.Results...) {
				if err := ref(where, p.Type); err != nil {
					return err
				}
			}
			if f.Flags&FlagVariadic != 0 &&
				(len(f.Params) == 0 || s.Types[f.Params[len(f.Params)-1].Type].Kind != List) {
				return errors.New(where + ": variadic, but the last parameter is not a list")
			}
		}
	}
	return nil
}

// TypeString renders type reference r as text: "i64", "list<string>",
// "map<string,f64>", "array<4,u8>", "optional<example.com/shop.Order>"; an anonymous
// struct is "struct#N" with N its index, and a type that contains itself other than
// through a struct is "#N=list<#N>".
func (s *Schema) TypeString(r uint32) string {
	return s.typeString(r, map[uint32]bool{}, map[uint32]bool{})
}

// typeString renders r; path holds the types being rendered, cyclic those met again.
func (s *Schema) typeString(r uint32, path, cyclic map[uint32]bool) string {
	if int(r) >= len(s.Types) {
		return "?"
	}
	t := s.Types[r]
	ref := strconv.FormatUint(uint64(r), 10)
	switch {
	case t.Kind == Struct && t.Name != "":
		return t.Name
	case t.Kind == Struct:
		return "struct#" + ref
	case t.Kind.IsScalar():
		return t.Kind.String()
	case path[r]:
		cyclic[r] = true
		return "#" + ref
	}
	path[r] = true
	var out string
	switch t.Kind {
	case List, Optional:
		out = t.Kind.String() + "<" + s.typeString(t.Elem, path, cyclic) + ">"
	case Array:
		out = "array<" + strconv.FormatUint(uint64(t.Len), 10) + "," + s.typeString(t.Elem, path, cyclic) + ">"
	case Map:
		out = "map<" + s.typeString(t.Key, path, cyclic) + "," + s.typeString(t.Elem, path, cyclic) + ">"
	default:
		out = t.Kind.String()
	}
	if cyclic[r] {
		out = "#" + ref + "=" + out
	}
	delete(path, r)
	return out
}
