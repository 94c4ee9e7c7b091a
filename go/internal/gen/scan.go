package gen

import (
	"go/ast"
	"go/constant"
	"go/token"
	"go/types"
	"strings"
)

// Directive is the comment that marks a function for export.
const Directive = "//isthmus:export"

// sourcePackage is a package of the user's module, parsed and type-checked from source.
type sourcePackage struct {
	listed *listedPackage
	files  []*ast.File
	types  *types.Package
	info   *types.Info
}

// marked is a function with an //isthmus:export directive.
type marked struct {
	decl *ast.FuncDecl
	name string // the export name: the directive's NAME or the function's name
	pos  token.Pos
}

// isIdentifier reports whether s is an identifier of ASCII letters, digits and
// underscores that does not start with a digit: the export names a host can offer as
// attributes.
func isIdentifier(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		switch {
		case c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'):
		case c >= '0' && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}

// scanDirectives finds the functions of p marked for export, and reports misplaced or
// malformed directives through report.
func scanDirectives(p *sourcePackage, fset *token.FileSet, report func(pos token.Pos, msg string)) []marked {
	var out []marked
	for _, f := range p.files {
		used := map[*ast.Comment]bool{}
		for _, decl := range f.Decls {
			fd, ok := decl.(*ast.FuncDecl)
			if !ok || fd.Doc == nil {
				continue
			}
			for _, c := range fd.Doc.List {
				if !strings.HasPrefix(c.Text, "//isthmus:") {
					continue
				}
				used[c] = true
				fields := strings.Fields(c.Text[2:])
				switch {
				case fields[0] != Directive[2:]:
					report(c.Pos(), "unknown directive //"+fields[0]+" (did you mean "+Directive+"?)")
					continue
				case len(fields) > 2:
					report(c.Pos(), "malformed directive: use "+Directive+" or "+Directive+" NAME")
					continue
				case fd.Recv != nil:
					report(c.Pos(), "cannot export the method "+fd.Name.Name+": only functions can be exported")
					continue
				case fd.Type.TypeParams != nil && len(fd.Type.TypeParams.List) > 0:
					report(c.Pos(), "cannot export the generic function "+fd.Name.Name)
					continue
				}
				name := fd.Name.Name
				if len(fields) == 2 {
					name = fields[1]
				}
				if !isIdentifier(name) {
					report(c.Pos(), "export name "+name+" is not an identifier (letters, digits and _, not starting with a digit)")
					continue
				}
				out = append(out, marked{decl: fd, name: name, pos: c.Pos()})
			}
		}
		for _, g := range f.Comments {
			for _, c := range g.List {
				if strings.HasPrefix(c.Text, "//isthmus:") && !used[c] {
					report(c.Pos(), "misplaced "+strings.Fields(c.Text)[0]+" directive: it belongs in the doc comment of a function, right above func")
				}
			}
		}
	}
	return out
}

// typeDocs holds the doc comments of a named type and of its fields.
type typeDocs struct {
	doc    string
	fields map[string]string
}

// collectTypeDocs indexes the doc comments of the package's struct types.
func collectTypeDocs(files []*ast.File) map[string]*typeDocs {
	out := map[string]*typeDocs{}
	for _, f := range files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.TYPE {
				continue
			}
			for _, spec := range gd.Specs {
				ts := spec.(*ast.TypeSpec)
				td := &typeDocs{fields: map[string]string{}}
				switch {
				case ts.Doc != nil:
					td.doc = ts.Doc.Text()
				case gd.Doc != nil && len(gd.Specs) == 1:
					td.doc = gd.Doc.Text()
				}
				if st, ok := ts.Type.(*ast.StructType); ok {
					for _, field := range st.Fields.List {
						doc := field.Doc
						if doc == nil {
							doc = field.Comment
						}
						if doc == nil {
							continue
						}
						for _, n := range field.Names {
							td.fields[n.Name] = doc.Text()
						}
						if len(field.Names) == 0 { // embedded: named after its type
							td.fields[embeddedName(field.Type)] = doc.Text()
						}
					}
				}
				out[ts.Name.Name] = td
			}
		}
	}
	return out
}

func embeddedName(e ast.Expr) string {
	switch t := e.(type) {
	case *ast.StarExpr:
		return embeddedName(t.X)
	case *ast.SelectorExpr:
		return t.Sel.Name
	case *ast.IndexExpr:
		return embeddedName(t.X)
	case *ast.IndexListExpr:
		return embeddedName(t.X)
	case *ast.Ident:
		return t.Name
	}
	return ""
}

// funcDoc returns the doc comment of the function name among files, "" when none.
func funcDoc(files []*ast.File, name string) string {
	for _, f := range files {
		for _, decl := range f.Decls {
			if fd, ok := decl.(*ast.FuncDecl); ok && fd.Recv == nil && fd.Name.Name == name && fd.Doc != nil {
				return fd.Doc.Text()
			}
		}
	}
	return ""
}

// importCall is a call isthmus.Import[F]("name") with a constant name.
type importCall struct {
	name string
	sig  *types.Signature
	typ  types.Type // F
	doc  string
	pos  token.Pos
}

// scanImports finds the calls of isthmus.Import in p.
func scanImports(p *sourcePackage, report func(pos token.Pos, msg string)) []importCall {
	// Doc comments of package-level variables, by the calls they hold.
	docs := map[*ast.CallExpr]string{}
	for _, f := range p.files {
		for _, decl := range f.Decls {
			gd, ok := decl.(*ast.GenDecl)
			if !ok || gd.Tok != token.VAR {
				continue
			}
			for _, spec := range gd.Specs {
				vs := spec.(*ast.ValueSpec)
				doc := vs.Doc
				if doc == nil && len(gd.Specs) == 1 {
					doc = gd.Doc
				}
				if doc == nil {
					continue
				}
				for _, v := range vs.Values {
					if c, ok := ast.Unparen(v).(*ast.CallExpr); ok {
						docs[c] = doc.Text()
					}
				}
			}
		}
	}
	var out []importCall
	for _, f := range p.files {
		ast.Inspect(f, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok || len(call.Args) != 1 {
				return true
			}
			var id *ast.Ident
			switch fun := ast.Unparen(call.Fun).(type) {
			case *ast.IndexExpr:
				switch x := fun.X.(type) {
				case *ast.SelectorExpr:
					id = x.Sel
				case *ast.Ident:
					id = x
				}
			}
			if id == nil {
				return true
			}
			fn, ok := p.info.Uses[id].(*types.Func)
			if !ok || fn.Pkg() == nil || fn.Pkg().Path() != runtimePkg || fn.Name() != "Import" {
				return true
			}
			inst, ok := p.info.Instances[id]
			if !ok || inst.TypeArgs.Len() != 1 {
				return true
			}
			tv := p.info.Types[call.Args[0]]
			if tv.Value == nil || tv.Value.Kind() != constant.String {
				return true // a name known only at run time: not in the schema
			}
			typ := inst.TypeArgs.At(0)
			sig, ok := typ.Underlying().(*types.Signature)
			if !ok {
				report(call.Pos(), "isthmus.Import needs a function type, not "+types.TypeString(typ, shortQualifier))
				return true
			}
			out = append(out, importCall{name: constant.StringVal(tv.Value), sig: sig, typ: typ, doc: docs[call], pos: call.Pos()})
			return true
		})
	}
	return out
}
