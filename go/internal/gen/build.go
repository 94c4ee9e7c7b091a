// Package gen implements isthmus build: it finds the functions to export in a Go
// module, checks their types, generates the glue of the isthmus ABI (docs/abi.md) and
// builds a wasip1 module with the schema in a custom section. The user's source tree is
// never written: the glue reaches the compiler through go build -overlay.
package gen

import (
	"encoding/json"
	"errors"
	"fmt"
	"go/ast"
	"go/importer"
	"go/parser"
	"go/token"
	"go/types"
	"io"
	"os"
	"path/filepath"
	"runtime"
	"sort"
	"strings"

	"github.com/isthmus-dev/isthmus/go/wire"
)

// GlueFile is the name of the generated file in the user's main package (it exists only
// in the overlay), and SynthDir the directory of the main package isthmus build makes
// when the packages to build are libraries.
const (
	GlueFile = "isthmus_exports_gen.go"
	SynthDir = "_isthmus_main"
)

// Options configure a build.
type Options struct {
	Dir      string    // the working directory; "" for the current one
	Packages []string  // the packages to build (patterns); none means "."
	Exports  []string  // functions to export besides the marked ones: PKG.Func or PKG.Func=NAME
	Out      string    // the output file; "" for NAME.wasm after the package
	Tags     string    // build tags, for go list and go build
	GoFlags  []string  // more flags for go build
	SDK      string    // the directory of the SDK module, for modules that do not require it
	Producer string    // the schema's producer; "" for "isthmus build GOVERSION"
	KeepWork bool      // keep the work directory and print its name
	Verbose  io.Writer // where to echo go commands; nil for silence
	Stderr   io.Writer // where go build's messages go
}

// Problems is a list of errors found in the user's code, one per line, each starting
// with a position when there is one.
type Problems []string

func (p Problems) Error() string { return strings.Join(p, "\n") }

// exportSpec is one --export flag.
type exportSpec struct {
	flag   string // as given
	pkg    string // the package pattern
	fn     string // the function
	name   string // the export name
	listed *listedPackage
}

func parseExportSpec(s string) (*exportSpec, error) {
	spec := &exportSpec{flag: s}
	ref, name, renamed := strings.Cut(s, "=")
	slash := strings.LastIndex(ref, "/")
	dot := strings.LastIndex(ref, ".")
	if dot <= slash || dot == len(ref)-1 || dot == 0 || strings.HasSuffix(ref[:dot], "/") {
		return nil, fmt.Errorf("--export %s: want PKG.Func or PKG.Func=NAME, where PKG is an import path or a "+
			"directory starting with ./ or ../ (e.g. strings.ToUpper, example.com/lib.Parse, ./pkg.Func, "+
			"./text.Title=title)", s)
	}
	spec.pkg, spec.fn = ref[:dot], ref[dot+1:]
	spec.name = spec.fn
	if renamed {
		spec.name = name
	}
	if !isIdentifier(spec.fn) || !isIdentifier(spec.name) {
		return nil, fmt.Errorf("--export %s: function and export names must be identifiers", s)
	}
	return spec, nil
}

// Result is what Generate produces.
type Result struct {
	Glue     []byte        // the generated Go file
	GluePath string        // where it appears to the compiler
	Package  string        // the directory go build builds
	Schema   *wire.Schema  // the schema
	Out      string        // the output file
	tool     *goTool       // for Build
	work     string        // the work directory
	exports  []*exportFunc // in id order
	pkgs     []*sourcePackage
}

// Generate loads the packages, finds and checks the exports and generates the glue,
// without building. On success the caller removes r's work directory with r.Close.
func Generate(opts Options) (r *Result, err error) {
	dir := opts.Dir
	if dir == "" {
		dir = "."
	}
	if dir, err = filepath.Abs(dir); err != nil {
		return nil, err
	}
	tool, env, err := newGoTool(dir, opts.Verbose)
	if err != nil {
		return nil, err
	}
	tool.tags = opts.Tags
	gomod := env["GOMOD"]
	if gomod == "" || gomod == os.DevNull {
		return nil, errors.New("isthmus build works in a Go module: no go.mod found in " + dir +
			" or its parents (create one with go mod init)")
	}
	r = &Result{tool: tool}
	if r.work, err = os.MkdirTemp("", "isthmus-build-"); err != nil {
		return nil, err
	}
	defer func() {
		if err != nil {
			r.Close()
			r = nil
		}
	}()
	if err = ensureSDK(tool, gomod, env["GOWORK"], opts.SDK, r.work); err != nil {
		return r, err
	}

	var specs []*exportSpec
	patterns := append([]string(nil), opts.Packages...)
	if len(patterns) == 0 {
		patterns = []string{"."}
	}
	listArgs := append([]string(nil), patterns...)
	for _, s := range opts.Exports {
		spec, err := parseExportSpec(s)
		if err != nil {
			return r, err
		}
		specs = append(specs, spec)
		listArgs = append(listArgs, spec.pkg)
	}
	listArgs = append(listArgs, runtimePkg)
	listed, err := tool.list(listArgs)
	if err != nil {
		return r, err
	}

	// The targets, and the packages of the --export flags.
	var targets []*listedPackage
	for _, p := range listed {
		for _, m := range p.Match {
			if contains(patterns, m) && !containsPkg(targets, p) {
				targets = append(targets, p)
			}
			for _, spec := range specs {
				if spec.pkg == m {
					if spec.listed != nil && spec.listed != p {
						return r, fmt.Errorf("--export %s: %s matches more than one package", spec.flag, spec.pkg)
					}
					spec.listed = p
				}
			}
		}
	}
	if len(targets) == 0 {
		return r, fmt.Errorf("no packages to build in %s", strings.Join(patterns, " "))
	}
	var mainPkg *listedPackage
	for _, p := range targets {
		if p.Name == "main" {
			if len(targets) > 1 {
				return r, fmt.Errorf("%s is a main package: build it alone, or build library packages only", p.ImportPath)
			}
			mainPkg = p
		}
	}
	for _, spec := range specs {
		if spec.listed == nil {
			return r, fmt.Errorf("--export %s: no package %s (PKG is an import path, e.g. example.com/lib, or a "+
				"directory relative to the current one, e.g. ./pkg)", spec.flag, spec.pkg)
		}
	}

	// Type-check the packages of the user's module from source, the others from export data.
	fset := token.NewFileSet()
	if err = r.loadSources(fset, listed, mainPkg); err != nil {
		return r, err
	}
	var problems []problem
	report := func(pos token.Pos, msg string) { problems = append(problems, problem{fset.Position(pos), msg}) }
	noPos := func(msg string) { problems = append(problems, problem{msg: msg}) }

	var gluePkg *types.Package
	if mainPkg != nil {
		for _, sp := range r.pkgs {
			if sp.listed == mainPkg {
				gluePkg = sp.types
			}
		}
	}

	// The functions to export: marked ones, then --export ones.
	type candidate struct {
		name, doc string
		fn        *types.Func
		pos       token.Pos // of the directive; NoPos for --export
		flag      string    // the --export flag
	}
	var cands []candidate
	docIndex := map[string]map[string]*typeDocs{}
	var imports []importCall
	for _, sp := range r.pkgs {
		docIndex[sp.listed.ImportPath] = collectTypeDocs(sp.files)
		for _, m := range scanDirectives(sp, fset, report) {
			obj, _ := sp.info.Defs[m.decl.Name].(*types.Func)
			if obj == nil {
				continue
			}
			if sp.types != gluePkg && !obj.Exported() {
				report(m.pos, "cannot export "+obj.Name()+": functions of package "+sp.types.Name()+
					" must be exported (capitalized) to be called from the generated main package")
				continue
			}
			doc := ""
			if m.decl.Doc != nil {
				doc = m.decl.Doc.Text()
			}
			cands = append(cands, candidate{m.name, doc, obj, m.pos, ""})
		}
		imports = append(imports, scanImports(sp, report)...)
	}
	for _, spec := range specs {
		var pkg *types.Package
		var files []*ast.File
		for _, sp := range r.pkgs {
			if sp.listed == spec.listed {
				pkg, files = sp.types, sp.files
			}
		}
		if pkg == nil {
			if pkg, err = r.importer(fset, listed).Import(spec.listed.ImportPath); err != nil {
				return r, fmt.Errorf("--export %s: %v", spec.flag, err)
			}
			files = parseForDocs(fset, spec.listed)
		}
		fn, ok := pkg.Scope().Lookup(spec.fn).(*types.Func)
		switch {
		case !ok:
			noPos(fmt.Sprintf("--export %s: package %s has no function %s", spec.flag, spec.listed.ImportPath, spec.fn))
			continue
		case pkg != gluePkg && !fn.Exported():
			noPos(fmt.Sprintf("--export %s: %s is not exported", spec.flag, spec.fn))
			continue
		case spec.listed.Name == "main" && spec.listed != mainPkg:
			noPos(fmt.Sprintf("--export %s: cannot export from another main package", spec.flag))
			continue
		}
		cands = append(cands, candidate{spec.name, funcDoc(files, spec.fn), fn, token.NoPos, spec.flag})
	}

	// Ids follow the names; a function marked twice under one name counts once.
	sort.SliceStable(cands, func(i, j int) bool { return cands[i].name < cands[j].name })
	mapper := newTypeMapper()
	mapper.docs = func(obj *types.TypeName) (string, map[string]string) {
		if obj.Pkg() == nil {
			return "", nil
		}
		if td := docIndex[obj.Pkg().Path()][obj.Name()]; td != nil {
			return td.doc, td.fields
		}
		return "", nil
	}
	schema := &wire.Schema{Version: wire.ABIVersion, Producer: opts.Producer}
	if schema.Producer == "" {
		schema.Producer = "isthmus build " + tool.version
	}
	where := func(c candidate) string {
		if c.flag != "" {
			return "--export " + c.flag
		}
		return position(fset, c.pos, dir)
	}
	for i, c := range cands {
		if i > 0 && cands[i-1].name == c.name {
			if cands[i-1].fn != c.fn {
				msg := fmt.Sprintf("export name %s is also used by %s", c.name, where(cands[i-1]))
				if c.flag != "" {
					noPos("--export " + c.flag + ": " + msg)
				} else {
					report(c.pos, msg)
				}
			}
			continue
		}
		f, errs := checkFunc(mapper, c.fn, gluePkg)
		for _, e := range errs {
			if c.flag != "" {
				noPos("--export " + c.flag + ": " + c.fn.Name() + ": " + e)
			} else {
				report(c.pos, c.fn.Name()+": "+e)
			}
		}
		if f == nil {
			continue
		}
		f.name, f.doc = c.name, c.doc
		r.exports = append(r.exports, f)
		schema.Funcs = append(schema.Funcs, schemaFunc(f.name, f.goName(), f.doc, c.fn.Type().(*types.Signature), f))
	}
	sort.SliceStable(imports, func(i, j int) bool { return imports[i].name < imports[j].name })
	for i, imp := range imports {
		if i > 0 && imports[i-1].name == imp.name {
			if !types.Identical(imports[i-1].typ, imp.typ) {
				report(imp.pos, fmt.Sprintf("host function %q is imported with two types: %s and %s", imp.name,
					types.TypeString(imports[i-1].typ, shortQualifier), types.TypeString(imp.typ, shortQualifier)))
			}
			continue
		}
		f, errs := checkSignature(mapper, imp.sig)
		for _, e := range errs {
			report(imp.pos, fmt.Sprintf("isthmus.Import(%q): %s", imp.name, e))
		}
		if f != nil {
			schema.Imports = append(schema.Imports, schemaFunc(imp.name, "", imp.doc, imp.sig, f))
		}
	}
	if len(problems) > 0 {
		return r, sortProblems(problems, dir)
	}
	if len(r.exports) == 0 {
		return r, errors.New("nothing to export: mark functions with " + Directive + " or name them with --export PKG.Func")
	}
	mapper.finish()
	schema.Types = mapper.table
	if err := schema.Check(); err != nil {
		return r, fmt.Errorf("the schema is inconsistent (a bug in isthmus build): %v", err)
	}
	r.Schema = schema

	// The glue: a file of the main package, or a new main package.
	emitter := newEmitter(gluePkg)
	if mainPkg != nil {
		r.GluePath = filepath.Join(mainPkg.Dir, GlueFile)
		r.Package = mainPkg.Dir
		r.Glue, err = emitter.emit("main", r.exports, mapper.composites, schema.Marshal(), false)
	} else {
		root := targets[0].Module
		if root == nil || !root.Main {
			root = nil
			for _, p := range listed {
				if p.Module != nil && p.Module.Main {
					root = p.Module
					break
				}
			}
		}
		if root == nil {
			return r, errors.New("cannot find the directory of the main module")
		}
		r.Package = filepath.Join(root.Dir, SynthDir)
		if _, err := os.Stat(r.Package); err == nil {
			return r, fmt.Errorf("%s exists; isthmus build needs that name for the main package it generates", r.Package)
		}
		r.GluePath = filepath.Join(r.Package, "main.go")
		r.Glue, err = emitter.emit("main", r.exports, mapper.composites, schema.Marshal(), true)
	}
	if err != nil {
		return r, err
	}

	r.Out = opts.Out
	if r.Out == "" {
		r.Out = filepath.Base(targets[0].Dir) + ".wasm"
	}
	if !filepath.IsAbs(r.Out) {
		r.Out = filepath.Join(dir, r.Out)
	}
	return r, nil
}

// Close removes the work directory.
func (r *Result) Close() {
	if r != nil && r.work != "" {
		os.RemoveAll(r.work)
	}
}

// Build generates the glue and builds the module, then appends the schema section.
func Build(opts Options) error {
	r, err := Generate(opts)
	if err != nil {
		return err
	}
	if opts.KeepWork {
		fmt.Fprintf(stderrOf(opts), "isthmus build: work directory %s\n", r.work)
	} else {
		defer r.Close()
	}
	glue := filepath.Join(r.work, filepath.Base(r.GluePath))
	if err := os.WriteFile(glue, r.Glue, 0o644); err != nil {
		return err
	}
	overlay, _ := json.Marshal(map[string]map[string]string{"Replace": {r.GluePath: glue}})
	overlayFile := filepath.Join(r.work, "overlay.json")
	if err := os.WriteFile(overlayFile, overlay, 0o644); err != nil {
		return err
	}
	// Build into the work directory (go build skips writing an output it deems up to
	// date, which the appended section would fool), then move into place.
	built := filepath.Join(r.work, "module.wasm")
	args := []string{"build", "-buildmode=c-shared", "-overlay=" + overlayFile, "-o", built}
	args = append(append(args, opts.GoFlags...), r.Package)
	cmd := r.tool.command(args...)
	cmd.Stdout = stderrOf(opts)
	cmd.Stderr = stderrOf(opts)
	if err := cmd.Run(); err != nil {
		return fmt.Errorf("go build failed (%v)", err)
	}
	if err := AppendCustomSection(built, wire.SectionName, r.Schema.Marshal()); err != nil {
		return err
	}
	return install(built, r.Out)
}

// install copies the file src to dst through a temporary file next to dst.
func install(src, dst string) error {
	b, err := os.ReadFile(src)
	if err != nil {
		return err
	}
	tmp, err := os.CreateTemp(filepath.Dir(dst), "."+filepath.Base(dst)+".*")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), 0o644); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), dst)
}

func stderrOf(opts Options) io.Writer {
	if opts.Stderr != nil {
		return opts.Stderr
	}
	return os.Stderr
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

func containsPkg(list []*listedPackage, p *listedPackage) bool {
	for _, x := range list {
		if x == p {
			return true
		}
	}
	return false
}

// problem is a problem found in the user's code, at a position when it has one.
type problem struct {
	pos token.Position
	msg string
}

// sortProblems orders problems: those without a position first, then by file and line;
// files are written relative to dir when inside it.
func sortProblems(ps []problem, dir string) Problems {
	sort.SliceStable(ps, func(i, j int) bool {
		a, b := ps[i].pos, ps[j].pos
		if a.Filename != b.Filename {
			return a.Filename < b.Filename
		}
		if a.Line != b.Line {
			return a.Line < b.Line
		}
		return a.Column < b.Column
	})
	out := make(Problems, len(ps))
	for i, p := range ps {
		out[i] = p.msg
		if p.pos.IsValid() {
			out[i] = relPosition(p.pos, dir) + ": " + p.msg
		}
	}
	return out
}

// relPosition writes p with its file relative to dir when inside it.
func relPosition(p token.Position, dir string) string {
	if rel, err := filepath.Rel(dir, p.Filename); err == nil && !strings.HasPrefix(rel, "..") {
		p.Filename = rel
	}
	return p.String()
}

// position writes pos as relPosition does.
func position(fset *token.FileSet, pos token.Pos, dir string) string {
	return relPosition(fset.Position(pos), dir)
}

// importer returns the importer of packages from their export data.
func (r *Result) importer(fset *token.FileSet, listed []*listedPackage) types.Importer {
	byPath := map[string]*listedPackage{}
	for _, p := range listed {
		byPath[p.ImportPath] = p
	}
	return importer.ForCompiler(fset, "gc", func(path string) (io.ReadCloser, error) {
		p := byPath[path]
		if p == nil || p.Export == "" {
			return nil, fmt.Errorf("no export data for %s", path)
		}
		return os.Open(p.Export)
	})
}

// sourceImporter resolves imports of the user's packages: the module's own packages from
// source (already checked: go list orders dependencies first), others from export data.
type sourceImporter struct {
	importMap map[string]string
	checked   map[string]*types.Package
	gc        types.Importer
}

func (s *sourceImporter) Import(path string) (*types.Package, error) {
	if mapped, ok := s.importMap[path]; ok {
		path = mapped
	}
	if path == "unsafe" {
		return types.Unsafe, nil
	}
	if p, ok := s.checked[path]; ok {
		return p, nil
	}
	return s.gc.Import(path)
}

// loadSources parses and type-checks the packages of the main module.
func (r *Result) loadSources(fset *token.FileSet, listed []*listedPackage, mainPkg *listedPackage) error {
	gc := r.importer(fset, listed)
	checked := map[string]*types.Package{}
	for _, lp := range listed {
		if lp.Module == nil || !lp.Module.Main || lp.Standard {
			continue
		}
		sp := &sourcePackage{listed: lp}
		for _, name := range lp.GoFiles {
			if lp == mainPkg && name == GlueFile {
				continue // a stale copy of the glue: the overlay replaces it
			}
			f, err := parser.ParseFile(fset, filepath.Join(lp.Dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
			if err != nil {
				return err
			}
			sp.files = append(sp.files, f)
		}
		sp.info = &types.Info{
			Types:     map[ast.Expr]types.TypeAndValue{},
			Defs:      map[*ast.Ident]types.Object{},
			Uses:      map[*ast.Ident]types.Object{},
			Instances: map[*ast.Ident]types.Instance{},
		}
		var errs Problems
		conf := types.Config{
			Importer: &sourceImporter{importMap: lp.ImportMap, checked: checked, gc: gc},
			Sizes:    types.SizesFor("gc", "wasm"),
			Error: func(err error) {
				if len(errs) < 10 {
					errs = append(errs, err.Error())
				}
			},
		}
		if lp.Module.GoVersion != "" {
			conf.GoVersion = "go" + lp.Module.GoVersion
		}
		sp.types, _ = conf.Check(lp.ImportPath, fset, sp.files, sp.info)
		if len(errs) > 0 {
			return errs
		}
		checked[lp.ImportPath] = sp.types
		r.pkgs = append(r.pkgs, sp)
	}
	return nil
}

// parseForDocs parses the files of a package outside the module, for doc comments only.
func parseForDocs(fset *token.FileSet, lp *listedPackage) []*ast.File {
	var files []*ast.File
	for _, name := range lp.GoFiles {
		f, err := parser.ParseFile(fset, filepath.Join(lp.Dir, name), nil, parser.ParseComments|parser.SkipObjectResolution)
		if err == nil {
			files = append(files, f)
		}
	}
	return files
}

var errorType = types.Universe.Lookup("error").Type()

// checkSignature maps the parameter and result types of sig; errs describes every
// unsupported type.
func checkSignature(m *typeMapper, sig *types.Signature) (f *exportFunc, errs []string) {
	f = &exportFunc{variadic: sig.Variadic()}
	if sig.TypeParams().Len() > 0 {
		return nil, []string{"generic functions cannot be exported"}
	}
	for i := 0; i < sig.Params().Len(); i++ {
		p := sig.Params().At(i)
		where := "parameter " + paramName(p.Name(), i)
		if types.Identical(p.Type(), errorType) {
			errs = append(errs, where+": error is supported only as the last result")
			continue
		}
		ti, err := m.mapType(p.Type(), "")
		if err != nil {
			errs = append(errs, where+": "+err.Error())
			continue
		}
		f.params = append(f.params, ti)
	}
	n := sig.Results().Len()
	if n > 0 && types.Identical(sig.Results().At(n-1).Type(), errorType) {
		f.hasErr = true
		n--
	}
	for i := 0; i < n; i++ {
		r := sig.Results().At(i)
		where := "result " + paramName(r.Name(), i)
		if types.Identical(r.Type(), errorType) {
			errs = append(errs, where+": error is supported only as the last result")
			continue
		}
		ti, err := m.mapType(r.Type(), "")
		if err != nil {
			errs = append(errs, where+": "+err.Error())
			continue
		}
		f.results = append(f.results, ti)
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return f, nil
}

func paramName(name string, i int) string {
	if name == "" || name == "_" {
		return fmt.Sprint(i + 1)
	}
	return name
}

// checkFunc checks an exported function: its types, and that the generated code can name
// them from the glue's package.
func checkFunc(m *typeMapper, fn *types.Func, glue *types.Package) (*exportFunc, []string) {
	f, errs := checkSignature(m, fn.Type().(*types.Signature))
	if f == nil {
		return nil, errs
	}
	f.fn = fn
	seen := map[*typeInfo]bool{}
	var walk func(ti *typeInfo, where string)
	walk = func(ti *typeInfo, where string) {
		if seen[ti] {
			return
		}
		seen[ti] = true
		if err := nameable(ti.t, glue); err != "" {
			errs = append(errs, where+": "+err)
			return
		}
		for _, c := range children(ti) {
			walk(c, where)
		}
	}
	sig := fn.Type().(*types.Signature)
	for i, p := range f.params {
		walk(p, "parameter "+paramName(sig.Params().At(i).Name(), i))
	}
	for i, r := range f.results {
		walk(r, "result "+paramName(sig.Results().At(i).Name(), i))
	}
	if len(errs) > 0 {
		return nil, errs
	}
	return f, nil
}

// nameable returns why code in package glue (nil: a new package) cannot write type t,
// or "".
func nameable(t types.Type, glue *types.Package) string {
	switch t := types.Unalias(t).(type) {
	case *types.Named:
		obj := t.Obj()
		if obj.Pkg() != nil && obj.Parent() != obj.Pkg().Scope() {
			return "type " + obj.Name() + " is declared inside a function, so the generated code cannot name it"
		}
		if obj.Pkg() != nil && obj.Pkg() != glue && !obj.Exported() {
			return "type " + types.TypeString(t, shortQualifier) + " is not exported, so the generated code cannot name it"
		}
		for i := 0; i < t.TypeArgs().Len(); i++ {
			if why := nameable(t.TypeArgs().At(i), glue); why != "" {
				return why
			}
		}
	case *types.Slice:
		return nameable(t.Elem(), glue)
	case *types.Array:
		return nameable(t.Elem(), glue)
	case *types.Pointer:
		return nameable(t.Elem(), glue)
	case *types.Map:
		if why := nameable(t.Key(), glue); why != "" {
			return why
		}
		return nameable(t.Elem(), glue)
	case *types.Struct:
		for i := 0; i < t.NumFields(); i++ {
			f := t.Field(i)
			if !f.Exported() && f.Pkg() != glue {
				return "the struct type has the unexported field " + f.Name() + " of package " + f.Pkg().Name() +
					", so the generated code cannot write it; give the struct a name"
			}
			if why := nameable(f.Type(), glue); why != "" {
				return why
			}
		}
	}
	return ""
}

// schemaFunc builds a schema entry; f holds the mapped types of sig.
func schemaFunc(name, goName, doc string, sig *types.Signature, f *exportFunc) wire.Func {
	sf := wire.Func{Name: name, GoName: goName, Doc: doc}
	for i, p := range f.params {
		sf.Params = append(sf.Params, wire.Param{Name: cleanName(sig.Params().At(i).Name()), Type: p.ref})
	}
	for i, r := range f.results {
		sf.Results = append(sf.Results, wire.Param{Name: cleanName(sig.Results().At(i).Name()), Type: r.ref})
	}
	if f.hasErr {
		sf.Flags |= wire.FlagError
	}
	if f.variadic {
		sf.Flags |= wire.FlagVariadic
	}
	return sf
}

func cleanName(n string) string {
	if n == "_" {
		return ""
	}
	return n
}

// ensureSDK makes the SDK module available to the build: when the user's module does not
// require it, a temporary go.mod (go build -modfile) adds a require and a replace
// directive pointing at the SDK's directory.
func ensureSDK(tool *goTool, gomod, gowork, sdkDir, work string) error {
	out, err := tool.output("list", "-m", "-e", "-json", SDKModule)
	if err == nil {
		var m struct {
			Path  string
			Error *struct{ Err string }
		}
		if json.Unmarshal(out, &m) == nil && m.Error == nil && m.Path == SDKModule {
			return nil // required (or the main module itself)
		}
	}
	if gowork != "" && gowork != "off" {
		return errors.New("the workspace " + gowork + " does not require " + SDKModule +
			": add it to a module of the workspace (require and replace), or build with GOWORK=off")
	}
	if sdkDir == "" {
		sdkDir = os.Getenv("ISTHMUS_GO_SDK")
	}
	if sdkDir == "" {
		sdkDir = sourceSDKDir()
	}
	if sdkDir == "" {
		return errors.New("the module does not require " + SDKModule + " and its directory is unknown: " +
			"add the requirement to go.mod, or pass --sdk DIR (or set ISTHMUS_GO_SDK) to the go/ directory of isthmus")
	}
	sdkDir, _ = filepath.Abs(sdkDir)
	if b, err := os.ReadFile(filepath.Join(sdkDir, "go.mod")); err != nil || !strings.Contains(string(b), "module "+SDKModule+"\n") {
		return errors.New(sdkDir + " is not the directory of the module " + SDKModule)
	}
	src, err := os.ReadFile(gomod)
	if err != nil {
		return err
	}
	mod := bumpGoLine(string(src), MinGoMinor)
	mod += "\nrequire " + SDKModule + " v0.0.0\n\nreplace " + SDKModule + " => " + sdkDir + "\n"
	modfile := filepath.Join(work, "go.mod")
	if err := os.WriteFile(modfile, []byte(mod), 0o644); err != nil {
		return err
	}
	if sum, err := os.ReadFile(strings.TrimSuffix(gomod, ".mod") + ".sum"); err == nil {
		if err := os.WriteFile(filepath.Join(work, "go.sum"), sum, 0o644); err != nil {
			return err
		}
	}
	tool.modfile = modfile
	return nil
}

// bumpGoLine raises the go directive of a go.mod to 1.minor when it is older.
func bumpGoLine(mod string, minor int) string {
	lines := strings.Split(mod, "\n")
	for i, l := range lines {
		f := strings.Fields(l)
		if len(f) == 2 && f[0] == "go" {
			if m, ok := parseGoVersion("go" + f[1]); ok && m < minor {
				lines[i] = fmt.Sprintf("go 1.%d", minor)
			}
		}
	}
	return strings.Join(lines, "\n")
}

// sourceSDKDir is the directory of the SDK this program was built from, when its
// sources are still there.
func sourceSDKDir() string {
	_, file, _, ok := runtime.Caller(0)
	if !ok || !filepath.IsAbs(file) {
		return ""
	}
	dir := filepath.Dir(filepath.Dir(filepath.Dir(file))) // go/internal/gen → go
	if _, err := os.Stat(filepath.Join(dir, "go.mod")); err != nil {
		return ""
	}
	return dir
}
