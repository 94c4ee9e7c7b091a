package main

import (
	"bytes"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/isthmus-dev/isthmus/go/internal/gen"
	"github.com/isthmus-dev/isthmus/go/wire"
)

func runCmd(args ...string) (int, string, string) {
	var stdout, stderr bytes.Buffer
	code := run(args, &stdout, &stderr)
	return code, stdout.String(), stderr.String()
}

func TestUsage(t *testing.T) {
	if code, out, _ := runCmd("--help"); code != 0 || !strings.HasPrefix(out, "usage: isthmus build") {
		t.Errorf("--help: %d %q", code, out)
	}
	for _, args := range [][]string{{"--bogus"}, {"--out"}, {"--export"}} {
		if code, _, errs := runCmd(args...); code != 2 || !strings.HasPrefix(errs, "isthmus build: ") {
			t.Errorf("%v: %d %q", args, code, errs)
		}
	}
}

func TestParseArgs(t *testing.T) {
	var opts gen.Options
	var schema string
	var glue bool
	err := parseArgs([]string{"./a", "--out=x.wasm", "--export", "strings.ToUpper", "-v", "./b", "--tags", "t1,t2",
		"--print-glue", "--", "-trimpath", "--out"}, &opts, &schema, &glue)
	if err != nil || opts.Out != "x.wasm" || len(opts.Exports) != 1 || opts.Tags != "t1,t2" || !glue ||
		strings.Join(opts.Packages, " ") != "./a ./b" || strings.Join(opts.GoFlags, " ") != "-trimpath --out" {
		t.Errorf("%v %+v", err, opts)
	}
}

func TestSchemaFlag(t *testing.T) {
	dir := t.TempDir()
	mod := filepath.Join(dir, "m.wasm")
	os.WriteFile(mod, []byte("\x00asm\x01\x00\x00\x00"), 0o644)
	if code, _, errs := runCmd("--schema", mod); code != 1 || !strings.Contains(errs, "has no custom section isthmus.schema") {
		t.Errorf("no section: %d %q", code, errs)
	}
	s := wire.Schema{Version: wire.ABIVersion, Producer: "test", Types: []wire.Type{{Kind: wire.String}},
		Funcs: []wire.Func{{Name: "Hi", Params: []wire.Param{{Name: "s", Type: 0}}}}}
	if err := gen.AppendCustomSection(mod, wire.SectionName, s.Marshal()); err != nil {
		t.Fatal(err)
	}
	code, out, errs := runCmd("--schema", mod)
	if code != 0 || !strings.Contains(out, `"name": "Hi"`) || !strings.Contains(out, `"type": "string"`) {
		t.Errorf("%d %s %s", code, out, errs)
	}
}
