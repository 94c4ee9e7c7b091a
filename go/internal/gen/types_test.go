package gen

import (
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/isthmus-dev/isthmus/go/internal/fixtures"
	"github.com/isthmus-dev/isthmus/go/wire"
)

// render writes type ref of a table in full, expanding structs once.
func render(tab []wire.Type, ref uint32, seen map[uint32]bool) string {
	t := tab[ref]
	if t.Kind != wire.Struct && !t.Kind.IsScalar() {
		if seen[ref] {
			return "<cycle>"
		}
		seen[ref] = true
		defer delete(seen, ref)
	}
	switch t.Kind {
	case wire.List, wire.Optional:
		return fmt.Sprintf("%s<%s>", t.Kind, render(tab, t.Elem, seen))
	case wire.Array:
		return fmt.Sprintf("array<%d,%s>", t.Len, render(tab, t.Elem, seen))
	case wire.Map:
		return fmt.Sprintf("map<%s,%s>", render(tab, t.Key, seen), render(tab, t.Elem, seen))
	case wire.Struct:
		if seen[ref] {
			return t.Name
		}
		seen[ref] = true
		var fields []string
		for _, f := range t.Fields {
			fields = append(fields, f.Name+" "+render(tab, f.Type, seen))
		}
		return t.Name + "{" + strings.Join(fields, "; ") + "}"
	}
	return t.Kind.String()
}

// checkFixtures type-checks package fixtures from source.
func checkFixtures(t *testing.T) *types.Package {
	t.Helper()
	fset := token.NewFileSet()
	dir := filepath.Join("..", "fixtures")
	f, err := parser.ParseFile(fset, filepath.Join(dir, "fixtures.go"), nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	conf := types.Config{Importer: importer.ForCompiler(fset, "source", nil)}
	pkg, err := conf.Check("github.com/isthmus-dev/isthmus/go/internal/fixtures", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	return pkg
}

// TestMappingsAgree: the generator (go/types) and the runtime (reflect) map Go types to
// the same schema types.
func TestMappingsAgree(t *testing.T) {
	pkg := checkFixtures(t)
	for _, tc := range []struct {
		name string
		rt   reflect.Type
	}{
		{"Scalars", reflect.TypeFor[fixtures.Scalars]()},
		{"Tagged", reflect.TypeFor[fixtures.Tagged]()},
		{"Node", reflect.TypeFor[fixtures.Node]()},
		{"List", reflect.TypeFor[fixtures.List]()},
		{"Collections", reflect.TypeFor[fixtures.Collections]()},
		{"Raw", reflect.TypeFor[fixtures.Raw]()},
		{"Timeout", reflect.TypeFor[fixtures.Timeout]()},
	} {
		var b wire.TypeBuilder
		rref, err := b.Add(tc.rt)
		if err != nil {
			t.Fatalf("%s: reflect: %v", tc.name, err)
		}
		m := newTypeMapper()
		ti, err := m.mapType(pkg.Scope().Lookup(tc.name).Type(), "")
		if err != nil {
			t.Fatalf("%s: go/types: %v", tc.name, err)
		}
		got, want := render(m.table, ti.ref, map[uint32]bool{}), render(b.Types, rref, map[uint32]bool{})
		if got != want {
			t.Errorf("%s:\ngo/types %s\n reflect %s", tc.name, got, want)
		}
	}
	// one spot check of the rules themselves
	m := newTypeMapper()
	ti, _ := m.mapType(pkg.Scope().Lookup("Tagged").Type(), "")
	want := "github.com/isthmus-dev/isthmus/go/internal/fixtures.Tagged{name string; - i64; Plain bool; " +
		"Inner github.com/isthmus-dev/isthmus/go/internal/fixtures.Inner{X i16}; " +
		"Celsius2 optional<github.com/isthmus-dev/isthmus/go/internal/fixtures.Celsius2{Deg f64}>}"
	if got := render(m.table, ti.ref, map[uint32]bool{}); got != want {
		t.Errorf("Tagged:\n got %s\nwant %s", got, want)
	}
}

func TestUnsupportedTypes(t *testing.T) {
	src := `package p
import "unsafe"
type I interface{ M() }
type Gen[T any] struct{ X T }
type S struct {
	OK  int
	Ch  chan int
}
var (
	a chan int
	b func()
	c complex64
	d uintptr
	e map[float64]int
	f I
	g S
	h unsafe.Pointer
	i []struct{ F func() }
	j map[[2]int]bool
	k error
)`
	fset := token.NewFileSet()
	f, err := parser.ParseFile(fset, "p.go", src, 0)
	if err != nil {
		t.Fatal(err)
	}
	pkg, err := (&types.Config{Importer: importer.Default()}).Check("p", fset, []*ast.File{f}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"a": "unsupported type chan int",
		"b": "unsupported type func()",
		"c": "unsupported type complex64",
		"d": "unsupported type uintptr",
		"e": "unsupported type map[float64]int: map keys must be strings or integers",
		"f": "unsupported type p.I: only the empty interface (any) is supported",
		"g": "unsupported type chan int (field Ch of p.S)",
		"h": "unsupported type unsafe.Pointer",
		"i": "unsupported type func() (field F of struct{F func()})",
		"j": "unsupported type map[[2]int]bool: map keys must be strings or integers",
		"k": "unsupported type error: only the empty interface (any) is supported",
	} {
		_, err := newTypeMapper().mapType(pkg.Scope().Lookup(name).Type(), "")
		if err == nil || err.Error() != want {
			t.Errorf("%s: %v, want %s", name, err, want)
		}
	}
}
