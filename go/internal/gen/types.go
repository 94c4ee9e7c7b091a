package gen

import (
	"go/types"
	"strconv"
	"strings"

	"github.com/isthmus-dev/isthmus/go/wire"
)

// typeInfo is a Go type that crosses the ABI (docs/abi.md §12.1).
type typeInfo struct {
	t      types.Type // with aliases resolved
	key    string     // identity: the type written with full package paths
	kind   wire.Kind
	ref    uint32       // index in the schema's type table
	elem   *typeInfo    // List, Array, Optional: the element; Map: the value; Bytes: the element
	mapKey *typeInfo    // Map: the key
	length int64        // Array: the number of elements
	fields []*fieldInfo // Struct: the fields that cross, in order
	// exact: for scalar kinds, t is the very type the Encoder and Decoder methods use,
	// so no conversion is written.
	exact     bool
	id        int  // composite types: the number in the names of their functions
	recursive bool // the type contains itself
	min       int  // the fewest bytes a value takes on the wire; -1 while computed
}

// fieldInfo is a struct field that crosses the ABI.
type fieldInfo struct {
	goName string // for access in generated code
	name   string // on the wire and in the schema
	typ    *typeInfo
}

// typeMapper maps go/types types to schema types and keeps the schema's type table.
type typeMapper struct {
	table      []wire.Type
	infos      map[string]*typeInfo
	scalars    map[wire.Kind]*typeInfo // by kind, for the shared table entries
	composites []*typeInfo             // by id
	// docs returns the doc comment of a named type and of its fields (by Go name).
	docs func(obj *types.TypeName) (string, map[string]string)
}

func newTypeMapper() *typeMapper {
	return &typeMapper{infos: map[string]*typeInfo{}, scalars: map[wire.Kind]*typeInfo{}}
}

// unsupportedError reports a type that cannot cross the ABI.
type unsupportedError struct {
	typ    string
	reason string // why, when not obvious
	where  string // the path from the function to the type, e.g. "field X of lib.T"
}

func (e *unsupportedError) Error() string {
	s := "unsupported type " + e.typ
	if e.reason != "" {
		s += ": " + e.reason
	}
	if e.where != "" {
		s += " (" + e.where + ")"
	}
	return s
}

// shortQualifier writes types with package names, for messages.
func shortQualifier(p *types.Package) string { return p.Name() }

// pathQualifier writes types with full package paths, for identity and the schema.
func pathQualifier(p *types.Package) string { return p.Path() }

var basicKinds = map[types.BasicKind]wire.Kind{
	types.Bool: wire.Bool, types.Int8: wire.Int8, types.Int16: wire.Int16, types.Int32: wire.Int32,
	types.Int64: wire.Int64, types.Int: wire.Int64, types.Uint8: wire.Uint8, types.Uint16: wire.Uint16,
	types.Uint32: wire.Uint32, types.Uint64: wire.Uint64, types.Uint: wire.Uint64,
	types.Float32: wire.Float32, types.Float64: wire.Float64, types.String: wire.String,
}

// exactBasic is the basic type each scalar kind's Encoder method takes.
var exactBasic = map[wire.Kind]types.BasicKind{
	wire.Bool: types.Bool, wire.Int8: types.Int8, wire.Int16: types.Int16, wire.Int32: types.Int32,
	wire.Int64: types.Int64, wire.Uint8: types.Uint8, wire.Uint16: types.Uint16, wire.Uint32: types.Uint32,
	wire.Uint64: types.Uint64, wire.Float32: types.Float32, wire.Float64: types.Float64, wire.String: types.String,
}

func isNamed(t types.Type, pkg, name string) bool {
	n, ok := t.(*types.Named)
	return ok && n.Obj().Pkg() != nil && n.Obj().Pkg().Path() == pkg && n.Obj().Name() == name
}

// isByte reports whether t's underlying type is byte.
func isByte(t types.Type) bool {
	b, ok := t.Underlying().(*types.Basic)
	return ok && b.Kind() == types.Uint8
}

// mapType returns the typeInfo of t, adding it and the types it contains to the table.
func (m *typeMapper) mapType(t types.Type, where string) (*typeInfo, error) {
	t = types.Unalias(t)
	key := types.TypeString(t, pathQualifier)
	if ti, ok := m.infos[key]; ok {
		return ti, nil
	}
	unsupported := func(reason string) error {
		return &unsupportedError{types.TypeString(t, shortQualifier), reason, where}
	}
	switch {
	case isNamed(t, "time", "Time"):
		return m.scalar(t, key, wire.Time, true), nil
	case isNamed(t, "time", "Duration"):
		return m.scalar(t, key, wire.Duration, true), nil
	}
	switch u := t.Underlying().(type) {
	case *types.Basic:
		k, ok := basicKinds[u.Kind()]
		if !ok {
			return nil, unsupported("")
		}
		b, isBasic := t.(*types.Basic)
		return m.scalar(t, key, k, isBasic && b.Kind() == exactBasic[k]), nil
	case *types.Interface:
		if !u.Empty() {
			return nil, unsupported("only the empty interface (any) is supported")
		}
		return m.scalar(t, key, wire.Any, true), nil
	case *types.Slice:
		if isByte(u.Elem()) {
			byteElem := types.Identical(u.Elem(), types.Typ[types.Uint8])
			ti := m.scalar(t, key, wire.Bytes, byteElem)
			ti.elem = &typeInfo{t: u.Elem(), kind: wire.Uint8, exact: byteElem, id: -1}
			if !byteElem {
				// a slice of a named byte type: encoded byte by byte, by functions of its own
				ti.id = len(m.composites)
				m.composites = append(m.composites, ti)
			}
			return ti, nil
		}
		ti := m.composite(t, key, wire.List)
		elem, err := m.mapType(u.Elem(), "element of "+types.TypeString(t, shortQualifier))
		if err != nil {
			return nil, err
		}
		ti.elem = elem
		m.table[ti.ref].Elem = elem.ref
		return ti, nil
	case *types.Array:
		ti := m.composite(t, key, wire.Array)
		ti.length = u.Len()
		elem, err := m.mapType(u.Elem(), "element of "+types.TypeString(t, shortQualifier))
		if err != nil {
			return nil, err
		}
		ti.elem = elem
		m.table[ti.ref].Elem = elem.ref
		m.table[ti.ref].Len = uint32(u.Len())
		return ti, nil
	case *types.Pointer:
		ti := m.composite(t, key, wire.Optional)
		elem, err := m.mapType(u.Elem(), "element of "+types.TypeString(t, shortQualifier))
		if err != nil {
			return nil, err
		}
		ti.elem = elem
		m.table[ti.ref].Elem = elem.ref
		return ti, nil
	case *types.Map:
		kb, ok := u.Key().Underlying().(*types.Basic)
		if !ok || (kb.Kind() != types.String && !(basicKinds[kb.Kind()].IsInteger())) {
			return nil, unsupported("map keys must be strings or integers")
		}
		ti := m.composite(t, key, wire.Map)
		k, err := m.mapType(u.Key(), "key of "+types.TypeString(t, shortQualifier))
		if err != nil {
			return nil, err
		}
		v, err := m.mapType(u.Elem(), "value of "+types.TypeString(t, shortQualifier))
		if err != nil {
			return nil, err
		}
		ti.mapKey, ti.elem = k, v
		m.table[ti.ref].Key, m.table[ti.ref].Elem = k.ref, v.ref
		return ti, nil
	case *types.Struct:
		ti := m.composite(t, key, wire.Struct)
		entry := wire.Type{Kind: wire.Struct}
		var fieldDocs map[string]string
		if n, ok := t.(*types.Named); ok {
			entry.Name = strings.ReplaceAll(key, ", ", ",") // type arguments as reflect writes them
			if m.docs != nil {
				entry.Doc, fieldDocs = m.docs(n.Obj())
			}
		}
		seen := map[string]string{}
		for i := 0; i < u.NumFields(); i++ {
			f := u.Field(i)
			if !f.Exported() {
				continue
			}
			name, skip := wire.FieldName(f.Name(), u.Tag(i))
			if skip {
				continue
			}
			if other, dup := seen[name]; dup {
				return nil, unsupported("fields " + other + " and " + f.Name() + " both cross as " + strconv.Quote(name))
			}
			seen[name] = f.Name()
			ft, err := m.mapType(f.Type(), "field "+f.Name()+" of "+types.TypeString(t, shortQualifier))
			if err != nil {
				return nil, err
			}
			ti.fields = append(ti.fields, &fieldInfo{goName: f.Name(), name: name, typ: ft})
			entry.Fields = append(entry.Fields, wire.Field{Name: name, Type: ft.ref, Doc: fieldDocs[f.Name()]})
		}
		m.table[ti.ref] = entry
		return ti, nil
	case *types.TypeParam:
		return nil, unsupported("type parameters (generic functions) are not supported")
	}
	return nil, unsupported("")
}

// scalar returns the typeInfo of a scalar type, sharing the table entry of its kind.
func (m *typeMapper) scalar(t types.Type, key string, k wire.Kind, exact bool) *typeInfo {
	shared, ok := m.scalars[k]
	if !ok {
		shared = &typeInfo{ref: uint32(len(m.table))}
		m.table = append(m.table, wire.Type{Kind: k})
		m.scalars[k] = shared
	}
	ti := &typeInfo{t: t, key: key, kind: k, ref: shared.ref, exact: exact, id: -1}
	m.infos[key] = ti
	return ti
}

// composite registers a composite type before its parts, so that recursive types
// find themselves.
func (m *typeMapper) composite(t types.Type, key string, k wire.Kind) *typeInfo {
	ti := &typeInfo{t: t, key: key, kind: k, ref: uint32(len(m.table)), id: len(m.composites), min: -1}
	m.table = append(m.table, wire.Type{Kind: k})
	m.infos[key] = ti
	m.composites = append(m.composites, ti)
	return ti
}

// finish computes what code generation needs once all types are known: which
// composite types are recursive, and minimum wire sizes.
func (m *typeMapper) finish() {
	for _, ti := range m.composites {
		ti.recursive = reaches(ti, ti, map[*typeInfo]bool{})
	}
	for _, ti := range m.composites {
		minSize(ti)
	}
}

func children(ti *typeInfo) []*typeInfo {
	var out []*typeInfo
	if ti.kind == wire.Bytes {
		return nil
	}
	if ti.elem != nil {
		out = append(out, ti.elem)
	}
	if ti.mapKey != nil {
		out = append(out, ti.mapKey)
	}
	for _, f := range ti.fields {
		out = append(out, f.typ)
	}
	return out
}

// reaches reports whether target can be reached from the parts of from.
func reaches(from, target *typeInfo, seen map[*typeInfo]bool) bool {
	for _, c := range children(from) {
		if c == target {
			return true
		}
		if !seen[c] {
			seen[c] = true
			if reaches(c, target, seen) {
				return true
			}
		}
	}
	return false
}

var fixedSizes = map[wire.Kind]int{
	wire.Bool: 1, wire.Int8: 1, wire.Int16: 2, wire.Int32: 4, wire.Int64: 8, wire.Uint8: 1,
	wire.Uint16: 2, wire.Uint32: 4, wire.Uint64: 8, wire.Float32: 4, wire.Float64: 8,
	wire.String: 4, wire.Bytes: 4, wire.Time: 16, wire.Duration: 8, wire.Any: 1,
	wire.List: 4, wire.Map: 4, wire.Optional: 1,
}

// minSize is the fewest bytes a value of ti takes (a lower bound for recursive types).
func minSize(ti *typeInfo) int {
	if n, ok := fixedSizes[ti.kind]; ok {
		return n
	}
	if ti.min >= 0 {
		return ti.min
	}
	ti.min = 0 // a lower bound while recursing
	n := 0
	switch ti.kind {
	case wire.Array:
		n = int(min(ti.length*int64(minSize(ti.elem)), 1<<30))
	case wire.Struct:
		for _, f := range ti.fields {
			n += minSize(f.typ)
		}
	}
	ti.min = n
	return n
}
