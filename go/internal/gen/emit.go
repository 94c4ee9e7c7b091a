package gen

import (
	"bytes"
	"fmt"
	"go/format"
	"go/types"
	"sort"
	"strconv"
	"strings"

	"github.com/isthmus-dev/isthmus/go/wire"
)

// Import paths of the SDK packages the glue uses.
const (
	SDKModule  = "github.com/isthmus-dev/isthmus/go"
	runtimePkg = SDKModule + "/isthmus"
	wirePkg    = SDKModule + "/wire"
)

// exportFunc is a function to export.
type exportFunc struct {
	name     string      // the export name
	fn       *types.Func // the Go function
	doc      string
	params   []*typeInfo
	results  []*typeInfo // without the error
	hasErr   bool
	variadic bool
}

// goName is the function's qualified Go name, e.g. "example.com/lib.Greet".
func (f *exportFunc) goName() string { return f.fn.Pkg().Path() + "." + f.fn.Name() }

// emitter writes the glue: one Go file of the package the module's main package is.
type emitter struct {
	pkg     *types.Package    // the package of the glue (types of it are written unqualified); nil for a new package
	scope   *types.Scope      // its scope, whose names the glue must not shadow; nil for a new package
	imports map[string]string // path → the name the glue uses
	pkgName map[string]string // path → the package's own name
	taken   map[string]bool   // import names in use
	locals  map[string]string
	buf     bytes.Buffer
}

// localNames are the identifiers generated functions declare; each is renamed when the
// package declares it too (a function body would shadow the package's name).
var localNames = []string{"d", "e", "v", "n", "s", "m", "k", "x", "p", "i", "b", "err", "wire", "isthmus"}

func newEmitter(pkg *types.Package) *emitter {
	g := &emitter{pkg: pkg, imports: map[string]string{}, pkgName: map[string]string{}, taken: map[string]bool{},
		locals: map[string]string{}}
	if pkg != nil {
		g.scope = pkg.Scope()
	}
	for _, n := range localNames {
		name := g.fresh(n)
		g.locals[n] = name
		g.taken[name] = true
	}
	g.imports[wirePkg], g.pkgName[wirePkg] = g.locals["wire"], "wire"
	g.imports[runtimePkg], g.pkgName[runtimePkg] = g.locals["isthmus"], "isthmus"
	return g
}

// fresh returns name, renamed when the glue's package declares it.
func (g *emitter) fresh(name string) string {
	for g.scope != nil && g.scope.Lookup(name) != nil {
		name += "_"
	}
	return name
}

// l returns the name of a generated local identifier.
func (g *emitter) l(name string) string { return g.locals[name] }

// qualifier names packages in type expressions, adding imports as needed.
func (g *emitter) qualifier(p *types.Package) string {
	if p == g.pkg {
		return ""
	}
	if name, ok := g.imports[p.Path()]; ok {
		return name
	}
	name := p.Name()
	for i := 2; g.taken[name] || (g.scope != nil && g.scope.Lookup(name) != nil) || strings.HasPrefix(name, "isthmus"); i++ {
		name = p.Name() + strconv.Itoa(i)
	}
	g.taken[name] = true
	g.imports[p.Path()], g.pkgName[p.Path()] = name, p.Name()
	return name
}

func (g *emitter) typ(t types.Type) string { return types.TypeString(t, g.qualifier) }

func (g *emitter) printf(format string, args ...any) { fmt.Fprintf(&g.buf, format, args...) }

var scalarMethods = map[wire.Kind]string{
	wire.Bool: "Bool", wire.Int8: "Int8", wire.Int16: "Int16", wire.Int32: "Int32", wire.Int64: "Int64",
	wire.Uint8: "Uint8", wire.Uint16: "Uint16", wire.Uint32: "Uint32", wire.Uint64: "Uint64",
	wire.Float32: "Float32", wire.Float64: "Float64", wire.String: "String", wire.Time: "Time",
	wire.Duration: "Duration", wire.Any: "Any",
}

// hasFuncs reports whether ti is encoded by functions of its own.
func hasFuncs(ti *typeInfo) bool { return ti.id >= 0 }

// byPointer reports whether ti's functions take a pointer (structs and arrays).
func byPointer(ti *typeInfo) bool { return ti.kind == wire.Struct || ti.kind == wire.Array }

// enc returns a statement appending the value val (whose address is ptr) of type ti.
func (g *emitter) enc(ti *typeInfo, val, ptr string) string {
	e := g.l("e")
	switch {
	case hasFuncs(ti) && byPointer(ti):
		return fmt.Sprintf("isthmusEnc%d(%s, %s)", ti.id, e, ptr)
	case hasFuncs(ti):
		return fmt.Sprintf("isthmusEnc%d(%s, %s)", ti.id, e, val)
	case ti.kind == wire.Bytes:
		return fmt.Sprintf("%s.PutBytes(%s)", e, val)
	case ti.exact:
		return fmt.Sprintf("%s.Put%s(%s)", e, scalarMethods[ti.kind], val)
	}
	return fmt.Sprintf("%s.Put%s(%s(%s))", e, scalarMethods[ti.kind], types.Typ[exactBasic[ti.kind]].Name(), val)
}

// dec returns a statement decoding a value of type ti into the variable lv, whose
// address is ptr ("" for &lv).
func (g *emitter) dec(ti *typeInfo, lv, ptr string) string {
	d := g.l("d")
	if ptr == "" {
		ptr = "&" + lv
	}
	switch {
	case hasFuncs(ti):
		return fmt.Sprintf("isthmusDec%d(%s, %s)", ti.id, d, ptr)
	case ti.kind == wire.Bytes:
		return fmt.Sprintf("%s = %s.GetBytes()", lv, d)
	case ti.exact:
		return fmt.Sprintf("%s = %s.Get%s()", lv, d, scalarMethods[ti.kind])
	}
	return fmt.Sprintf("%s = %s(%s.Get%s())", lv, g.typ(ti.t), d, scalarMethods[ti.kind])
}

// need marks the functions of ti and of the types it contains as needed.
func need(ti *typeInfo, enc bool, encs, decs map[*typeInfo]bool) {
	set := decs
	if enc {
		set = encs
	}
	if !hasFuncs(ti) || set[ti] {
		return
	}
	set[ti] = true
	for _, c := range children(ti) {
		need(c, enc, encs, decs)
	}
}

// emit writes the glue file and returns it gofmt-ed. pkgName is the glue's package name.
func (g *emitter) emit(pkgName string, funcs []*exportFunc, composites []*typeInfo, schema []byte, withMain bool) ([]byte, error) {
	encs, decs := map[*typeInfo]bool{}, map[*typeInfo]bool{}
	for _, f := range funcs {
		for _, p := range f.params {
			need(p, false, encs, decs)
		}
		for _, r := range f.results {
			need(r, true, encs, decs)
		}
	}

	var body bytes.Buffer
	g.buf = bytes.Buffer{}
	d, e, err := g.l("d"), g.l("e"), g.l("err")
	wireName, rtName := g.imports[wirePkg], g.imports[runtimePkg]

	g.printf("func init() {\n%s.Register(isthmusSchema, []%s.Export{\n", rtName, rtName)
	for i, f := range funcs {
		g.printf("{Name: %q, Call: isthmusCall%d}, // %s\n", f.name, i, f.goName())
	}
	g.printf("})\n}\n\n")
	if withMain {
		g.printf("func main() {}\n\n")
	}

	for i, f := range funcs {
		sig := f.fn.Type().(*types.Signature)
		g.printf("// isthmusCall%d calls %s (export %q, function id %d).\n", i, f.goName(), f.name, i)
		g.printf("func isthmusCall%d(%s *%s.Decoder, %s *%s.Encoder) error {\n", i, d, wireName, e, wireName)
		var args []string
		for j, p := range f.params {
			a := g.fresh("arg" + strconv.Itoa(j))
			args = append(args, a)
			comment := sig.Params().At(j).Name()
			if comment != "" && comment != "_" {
				comment = " // " + comment
			} else {
				comment = ""
			}
			g.printf("var %s %s%s\n", a, g.typ(p.t), comment)
		}
		for j, p := range f.params {
			g.printf("%s\n", g.dec(p, args[j], ""))
		}
		g.printf("if %s := %s.Finish(); %s != nil {\nreturn %s\n}\n", err, d, err, err)
		call := f.fn.Name()
		if q := g.qualifier(f.fn.Pkg()); q != "" {
			call = q + "." + call
		}
		argList := strings.Join(args, ", ")
		if f.variadic {
			argList += "..."
		}
		call += "(" + argList + ")"
		var res []string
		for j := range f.results {
			res = append(res, g.fresh("res"+strconv.Itoa(j)))
		}
		switch {
		case len(res) == 0 && !f.hasErr:
			g.printf("%s\n", call)
		case len(res) == 0:
			g.printf("if %s := %s; %s != nil {\nreturn %s\n}\n", err, call, err, err)
		case !f.hasErr:
			g.printf("%s := %s\n", strings.Join(res, ", "), call)
		default:
			g.printf("%s, %s := %s\nif %s != nil {\nreturn %s\n}\n", strings.Join(res, ", "), err, call, err, err)
		}
		for j, r := range f.results {
			g.printf("%s\n", g.enc(r, res[j], "&"+res[j]))
		}
		g.printf("return nil\n}\n\n")
	}

	for _, ti := range composites {
		if encs[ti] {
			g.emitEnc(ti)
		}
		if decs[ti] {
			g.emitDec(ti)
		}
	}

	g.printf("// isthmusSchema is the module's schema (docs/abi.md §9), also appended to the module\n")
	g.printf("// as the custom section %q; isthmus-build --schema FILE.wasm prints it.\n", wire.SectionName)
	g.printf("const isthmusSchema = %s\n", quoteBytes(schema))

	// The header and the imports come last: writing the code added the imports.
	body.WriteString("// Code generated by isthmus build. DO NOT EDIT.\n\n")
	body.WriteString("// This file exports functions to hosts through the isthmus ABI (docs/abi.md in the\n")
	body.WriteString("// isthmus repository). Function ids:\n//\n")
	for i, f := range funcs {
		fmt.Fprintf(&body, "//\t%d\t%s\t%s\n", i, f.name, f.goName())
	}
	fmt.Fprintf(&body, "\npackage %s\n\nimport (\n", pkgName)
	paths := make([]string, 0, len(g.imports))
	for p := range g.imports {
		paths = append(paths, p)
	}
	sort.Strings(paths)
	for _, p := range paths {
		if g.imports[p] == g.pkgName[p] {
			fmt.Fprintf(&body, "%q\n", p)
		} else {
			fmt.Fprintf(&body, "%s %q\n", g.imports[p], p)
		}
	}
	body.WriteString(")\n\n")
	body.Write(g.buf.Bytes())
	src, ferr := format.Source(body.Bytes())
	if ferr != nil {
		return body.Bytes(), fmt.Errorf("generated code does not parse (a bug in isthmus build): %v", ferr)
	}
	return src, nil
}

func (g *emitter) header(ti *typeInfo, what string) {
	g.printf("// isthmus%s%d %s %s.\n", map[string]string{"encodes": "Enc", "decodes": "Dec"}[what], ti.id, what,
		types.TypeString(ti.t, pathQualifier))
}

// emitEnc writes the function that encodes values of a composite type.
func (g *emitter) emitEnc(ti *typeInfo) {
	e, v, k, x, i, b := g.l("e"), g.l("v"), g.l("k"), g.l("x"), g.l("i"), g.l("b")
	g.header(ti, "encodes")
	param := g.typ(ti.t)
	if byPointer(ti) {
		param = "*" + param
	}
	g.printf("func isthmusEnc%d(%s *%s.Encoder, %s %s) {\n", ti.id, e, g.imports[wirePkg], v, param)
	if ti.kind == wire.Optional {
		g.printf("if %s == nil {\n%s.PutPresent(false)\nreturn\n}\n", v, e)
	}
	if ti.recursive {
		g.printf("if !%s.Enter() {\nreturn\n}\n", e)
	}
	switch ti.kind {
	case wire.Bytes:
		g.printf("%s.PutLen(len(%s))\nfor _, %s := range %s {\n%s.PutUint8(uint8(%s))\n}\n", e, v, b, v, e, b)
	case wire.List:
		g.printf("%s.PutLen(len(%s))\nfor %s := range %s {\n%s\n}\n", e, v, i, v,
			g.enc(ti.elem, v+"["+i+"]", "&"+v+"["+i+"]"))
	case wire.Array:
		if ti.elem.kind == wire.Uint8 && ti.elem.exact {
			g.printf("%s.PutRaw(%s[:])\n", e, v)
		} else {
			g.printf("for %s := range %s {\n%s\n}\n", i, v, g.enc(ti.elem, v+"["+i+"]", "&"+v+"["+i+"]"))
		}
	case wire.Map:
		g.printf("%s.PutLen(len(%s))\nfor %s, %s := range %s {\n%s\n%s\n}\n", e, v, k, x, v,
			g.enc(ti.mapKey, k, "&"+k), g.enc(ti.elem, x, "&"+x))
	case wire.Struct:
		for _, f := range ti.fields {
			g.printf("%s\n", g.enc(f.typ, v+"."+f.goName, "&"+v+"."+f.goName))
		}
	case wire.Optional:
		g.printf("%s.PutPresent(true)\n%s\n", e, g.enc(ti.elem, "*"+v, v))
	}
	if ti.recursive {
		g.printf("%s.Leave()\n", e)
	}
	g.printf("}\n\n")
}

// emitDec writes the function that decodes values of a composite type.
func (g *emitter) emitDec(ti *typeInfo) {
	d, v, n, s, m, k, x, p, i := g.l("d"), g.l("v"), g.l("n"), g.l("s"), g.l("m"), g.l("k"), g.l("x"), g.l("p"), g.l("i")
	g.header(ti, "decodes")
	g.printf("func isthmusDec%d(%s *%s.Decoder, %s *%s) {\n", ti.id, d, g.imports[wirePkg], v, g.typ(ti.t))
	if ti.kind == wire.Optional {
		g.printf("if !%s.GetPresent() {\n*%s = nil\nreturn\n}\n", d, v)
	}
	if ti.recursive {
		g.printf("if !%s.Enter() {\nreturn\n}\n", d)
	}
	switch ti.kind {
	case wire.Bytes:
		g.printf("%s := %s.GetLen(1)\n%s := make(%s, %s)\nfor %s := range %s {\n%s[%s] = %s(%s.GetUint8())\n}\n*%s = %s\n",
			n, d, s, g.typ(ti.t), n, i, s, s, i, g.typ(ti.elem.t), d, v, s)
	case wire.List:
		g.printf("%s := %s.GetLen(%d)\n%s := make(%s, %s)\nfor %s := range %s {\n%s\n}\n*%s = %s\n",
			n, d, minSize(ti.elem), s, g.typ(ti.t), n, i, s, g.dec(ti.elem, s+"["+i+"]", ""), v, s)
	case wire.Array:
		if ti.elem.kind == wire.Uint8 && ti.elem.exact {
			g.printf("%s.GetRaw(%s[:])\n", d, v)
		} else {
			g.printf("for %s := range %s {\n%s\n}\n", i, v, g.dec(ti.elem, v+"["+i+"]", ""))
		}
	case wire.Map:
		g.printf("%s := %s.GetLen(%d)\n%s := make(%s, %s)\nfor %s := 0; %s < %s; %s++ {\n",
			n, d, minSize(ti.mapKey)+minSize(ti.elem), m, g.typ(ti.t), n, i, i, n, i)
		g.printf("var %s %s\nvar %s %s\n%s\n%s\n%s[%s] = %s\n}\n*%s = %s\n",
			k, g.typ(ti.mapKey.t), x, g.typ(ti.elem.t), g.dec(ti.mapKey, k, ""), g.dec(ti.elem, x, ""), m, k, x, v, m)
	case wire.Struct:
		for _, f := range ti.fields {
			g.printf("%s\n", g.dec(f.typ, v+"."+f.goName, ""))
		}
	case wire.Optional:
		g.printf("%s := new(%s)\n%s\n*%s = %s\n", p, g.typ(ti.elem.t), g.dec(ti.elem, "*"+p, p), v, p)
	}
	if ti.recursive {
		g.printf("%s.Leave()\n", d)
	}
	g.printf("}\n\n")
}

// quoteBytes writes b as a Go string expression of short lines, printable ASCII as is.
func quoteBytes(b []byte) string {
	if len(b) == 0 {
		return `""`
	}
	var out strings.Builder
	out.WriteString("\"\" +\n\t\"")
	col := 0
	for i, c := range b {
		switch {
		case c == '"' || c == '\\':
			out.WriteByte('\\')
			out.WriteByte(c)
			col += 2
		case c == '\n':
			out.WriteString(`\n`)
			col += 2
		case c >= 0x20 && c < 0x7f:
			out.WriteByte(c)
			col++
		default:
			fmt.Fprintf(&out, `\x%02x`, c)
			col += 4
		}
		if col >= 72 && i != len(b)-1 {
			out.WriteString("\" +\n\t\"")
			col = 0
		}
	}
	out.WriteString(`"`)
	return out.String()
}
