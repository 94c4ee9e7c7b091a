package gen

import (
	"bytes"
	"errors"
	"flag"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isthmus-dev/isthmus/go/wire"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata")

func needGo(t *testing.T) {
	t.Helper()
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("no go command")
	}
}

// golden compares got with testdata/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the output (go test -update rewrites it); got:\n%s", path, got)
	}
}

func normalizedJSON(t *testing.T, s *wire.Schema) []byte {
	t.Helper()
	out, err := SchemaJSON(s)
	if err != nil {
		t.Fatal(err)
	}
	return append(out, '\n')
}

func appOptions() Options {
	return Options{
		Dir:      filepath.Join("testdata", "mod"),
		Packages: []string{"./app"},
		Exports:  []string{"./lib.Shout=shout", "./util.Trim"},
		Producer: "isthmus build (test)",
	}
}

func TestGolden(t *testing.T) {
	needGo(t)
	r, err := Generate(appOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	golden(t, "app.glue.golden", r.Glue)
	golden(t, "app.schema.golden", normalizedJSON(t, r.Schema))
	if !strings.HasSuffix(r.GluePath, filepath.Join("app", GlueFile)) {
		t.Errorf("glue path %s", r.GluePath)
	}
	// deterministic
	r2, err := Generate(appOptions())
	if err != nil {
		t.Fatal(err)
	}
	defer r2.Close()
	if !bytes.Equal(r.Glue, r2.Glue) || !bytes.Equal(r.Schema.Marshal(), r2.Schema.Marshal()) {
		t.Error("a second run differs")
	}
}

func TestProblems(t *testing.T) {
	needGo(t)
	opts := Options{Dir: filepath.Join("testdata", "mod"), Packages: []string{"./bad"},
		Exports: []string{"./badlib.Missing", "./badlib.small"}}
	_, err := Generate(opts)
	var p Problems
	if !errors.As(err, &p) {
		t.Fatalf("want problems, got %v", err)
	}
	golden(t, "bad.golden", []byte(p.Error()+"\n"))
}

func checkModule(t *testing.T, path string, schema *wire.Schema) {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	sections, err := CustomSections(b)
	if err != nil {
		t.Fatal(err)
	}
	var found int
	for _, s := range sections {
		if s.Name == wire.SectionName {
			found++
			if !bytes.Equal(s.Payload, schema.Marshal()) {
				t.Error("the custom section is not the schema")
			}
		}
	}
	if found != 1 {
		t.Errorf("%d %s sections", found, wire.SectionName)
	}
}

// TestBuild builds the app for real: the glue compiles and the section is appended.
func TestBuild(t *testing.T) {
	needGo(t)
	if testing.Short() {
		t.Skip("builds a module")
	}
	opts := appOptions()
	opts.Exports = append(opts.Exports, "strings.ToUpper") // from export data, with its doc from source
	opts.Out = filepath.Join(t.TempDir(), "app.wasm")
	var stderr bytes.Buffer
	opts.Stderr = &stderr
	if err := Build(opts); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	out := opts.Out
	r, err := Generate(opts)
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	var upper *wire.Func
	for i := range r.Schema.Funcs {
		if r.Schema.Funcs[i].Name == "ToUpper" {
			upper = &r.Schema.Funcs[i]
		}
	}
	if upper == nil || upper.GoName != "strings.ToUpper" || !strings.HasPrefix(upper.Doc, "ToUpper returns s with all Unicode letters") {
		t.Errorf("strings.ToUpper: %+v", upper)
	}
	checkModule(t, out, r.Schema)
	if err := AppendCustomSection(out, wire.SectionName, nil); err == nil {
		t.Error("a second schema section was appended")
	}
}

// TestLibraryWithoutSDK builds a library package of a module that does not require the
// SDK: a temporary go.mod supplies it, and a main package is generated.
func TestLibraryWithoutSDK(t *testing.T) {
	needGo(t)
	if testing.Short() {
		t.Skip("builds a module")
	}
	dir := filepath.Join("testdata", "nosdk")
	before, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	opts := Options{Dir: dir, Out: filepath.Join(t.TempDir(), "nosdk.wasm")}
	var stderr bytes.Buffer
	opts.Stderr = &stderr
	if err := Build(opts); err != nil {
		t.Fatalf("%v\n%s", err, stderr.String())
	}
	after, _ := os.ReadFile(filepath.Join(dir, "go.mod"))
	if !bytes.Equal(before, after) {
		t.Error("go.mod was modified")
	}
	if _, err := os.Stat(filepath.Join(dir, SynthDir)); err == nil {
		t.Errorf("%s was created in the source tree", SynthDir)
	}
	r, err := Generate(Options{Dir: dir})
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if !strings.Contains(string(r.Glue), "func main() {}") || r.Schema.Funcs[0].Name != "Double" {
		t.Errorf("glue:\n%s", r.Glue)
	}
	checkModule(t, opts.Out, r.Schema)
}

func TestOldGo(t *testing.T) {
	fake := filepath.Join(t.TempDir(), "go")
	script := "#!/bin/sh\necho '{\"GOVERSION\": \"go1.22.5\", \"GOMOD\": \"/x/go.mod\"}'\n"
	if err := os.WriteFile(fake, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	t.Setenv("ISTHMUS_GO", fake)
	_, err := Generate(Options{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "needs Go 1.24 or newer, but "+fake+" is go1.22.5") {
		t.Errorf("got %v", err)
	}
}

func TestNoModule(t *testing.T) {
	needGo(t)
	t.Setenv("GOFLAGS", "")
	t.Setenv("GO111MODULE", "")
	_, err := Generate(Options{Dir: t.TempDir()})
	if err == nil || !strings.Contains(err.Error(), "works in a Go module") {
		t.Errorf("got %v", err)
	}
}

func TestParseGoVersion(t *testing.T) {
	for v, want := range map[string]int{"go1.24.0": 24, "go1.26rc1": 26, "go1.9": 9, "go1.30.1 X:foo": 30} {
		if got, ok := parseGoVersion(v); !ok || got != want {
			t.Errorf("%s: %d %v", v, got, ok)
		}
	}
	if _, ok := parseGoVersion("weird"); ok {
		t.Error("weird accepted")
	}
}

func TestParseExportSpec(t *testing.T) {
	for in, want := range map[string][3]string{
		"strings.ToUpper":             {"strings", "ToUpper", "ToUpper"},
		"./text.Title=title":          {"./text", "Title", "title"},
		"example.com/a/b.C":           {"example.com/a/b", "C", "C"},
		"github.com/x/y.v2/z.Func=Fn": {"github.com/x/y.v2/z", "Func", "Fn"},
	} {
		s, err := parseExportSpec(in)
		if err != nil || [3]string{s.pkg, s.fn, s.name} != want {
			t.Errorf("%s: %+v %v", in, s, err)
		}
	}
	for _, bad := range []string{"strings", "example.com/a", "x.", "x.F=1a", "x.F=", ".Nop", "./.Nop"} {
		if _, err := parseExportSpec(bad); err == nil {
			t.Errorf("%s accepted", bad)
		} else if strings.Contains(bad, "Nop") && !strings.Contains(err.Error(), "./pkg.Func") {
			t.Errorf("%s: %v does not say what is accepted", bad, err)
		}
	}
}

func TestBumpGoLine(t *testing.T) {
	in := "module m\n\ngo 1.21\n\nrequire x v1\n"
	if got := bumpGoLine(in, 24); got != "module m\n\ngo 1.24\n\nrequire x v1\n" {
		t.Errorf("got %q", got)
	}
	if got := bumpGoLine("module m\ngo 1.25.1\n", 24); got != "module m\ngo 1.25.1\n" {
		t.Errorf("got %q", got)
	}
}

func TestCustomSections(t *testing.T) {
	mod := append([]byte(nil), wasmHeader...)
	mod = append(mod, 1, 4, 1, 0x60, 0, 0) // a type section
	path := filepath.Join(t.TempDir(), "m.wasm")
	if err := os.WriteFile(path, mod, 0o644); err != nil {
		t.Fatal(err)
	}
	payload := bytes.Repeat([]byte{7}, 200) // a size that needs two LEB128 bytes
	if err := AppendCustomSection(path, "isthmus.schema", payload); err != nil {
		t.Fatal(err)
	}
	b, _ := os.ReadFile(path)
	s, err := CustomSections(b)
	if err != nil || len(s) != 1 || s[0].Name != "isthmus.schema" || !bytes.Equal(s[0].Payload, payload) {
		t.Fatalf("%v %v", s, err)
	}
	if !bytes.Equal(b[len(mod):len(mod)+3], []byte{0, 0xd7, 0x01}) { // 1 + 14 + 200 = 215
		t.Errorf("section header % x", b[len(mod):len(mod)+3])
	}
	if _, err := CustomSections(append(b, 0, 5)); err == nil {
		t.Error("truncated section accepted")
	}
}

func TestQuoteBytes(t *testing.T) {
	got := quoteBytes([]byte("a\"\\\n\x00\xff" + strings.Repeat("z", 80)))
	if !strings.HasPrefix(got, "\"\" +\n\t\"a\\\"\\\\\\n\\x00\\xff") || !strings.Contains(got, "\" +\n\t\"") {
		t.Errorf("got %s", got)
	}
}
