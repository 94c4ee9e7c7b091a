// Command isthmus-build builds a Go package into a WebAssembly module whose functions a
// host calls through the isthmus ABI (docs/abi.md). The isthmus command runs it for
// `isthmus build`; it also runs on its own:
//
//	go run github.com/isthmus-dev/isthmus/go/cmd/isthmus-build [flags] [PKG...] [-- GOFLAGS...]
//
// It exports the functions marked with //isthmus:export in the packages being built and
// in the packages of the same module they import, and those named with --export. It
// generates the glue without writing into the source tree (go build -overlay), runs
// GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared and appends the schema to the
// module as the custom section "isthmus.schema".
//
// Exit status: 0 on success, 1 when the build fails, 2 for a usage error.
package main

import (
	"errors"
	"fmt"
	"io"
	"os"
	"strings"

	"github.com/isthmus-dev/isthmus/go/internal/gen"
	"github.com/isthmus-dev/isthmus/go/wire"
)

const usage = `usage: isthmus build [options] [PKG...] [-- GO_BUILD_FLAGS...]
       isthmus build --schema FILE.wasm

Build Go packages (default: the one in the current directory) into FILE.wasm for
GOOS=wasip1 GOARCH=wasm with -buildmode=c-shared, exporting the functions marked
//isthmus:export (or //isthmus:export NAME) through the isthmus ABI. PKG is a main
package, or one or more library packages (isthmus build then makes the main package).

options:
  --out FILE.wasm        the output file (default: the package directory's name + .wasm)
  --export PKG.Func      export PKG.Func as well, e.g. strings.ToUpper or ./text.Title;
                         PKG.Func=NAME exports it as NAME (repeatable)
  --tags TAGS            build tags, as go build -tags
  --sdk DIR              the go/ directory of isthmus, for modules that do not require
                         github.com/isthmus-dev/isthmus/go (default: $ISTHMUS_GO_SDK, or the
                         sources this program was built from)
  --print-glue           print the generated Go code instead of building
  --schema FILE.wasm     print the schema of a built module as JSON
  --work                 keep the work directory (generated code, overlay) and print its name
  -v                     print the go commands
  -h, --help             show this help

The go command is $ISTHMUS_GO, or go on PATH; Go 1.24 or newer is needed.
`

func main() {
	os.Exit(run(os.Args[1:], os.Stdout, os.Stderr))
}

type usageError string

func (e usageError) Error() string { return string(e) }

func run(args []string, stdout, stderr io.Writer) int {
	opts := gen.Options{Stderr: stderr}
	var schemaFile string
	printGlue := false
	err := parseArgs(args, &opts, &schemaFile, &printGlue)
	var ue usageError
	switch {
	case errors.Is(err, errHelp):
		fmt.Fprint(stdout, usage)
		return 0
	case errors.As(err, &ue):
		fmt.Fprintf(stderr, "isthmus build: %v\n%s", err, usage)
		return 2
	}
	if schemaFile != "" {
		return printSchema(schemaFile, stdout, stderr)
	}
	if printGlue {
		r, err := gen.Generate(opts)
		if err != nil {
			return fail(stderr, err)
		}
		defer r.Close()
		stdout.Write(r.Glue)
		return 0
	}
	if err := gen.Build(opts); err != nil {
		return fail(stderr, err)
	}
	return 0
}

func fail(stderr io.Writer, err error) int {
	var problems gen.Problems
	if errors.As(err, &problems) {
		for _, p := range problems {
			fmt.Fprintln(stderr, p)
		}
		fmt.Fprintf(stderr, "isthmus build: %d problem(s) in the exported functions\n", len(problems))
		return 1
	}
	fmt.Fprintf(stderr, "isthmus build: %v\n", err)
	return 1
}

var errHelp = errors.New("help")

// parseArgs reads options anywhere before "--"; options take their value as the next
// argument or after "=".
func parseArgs(args []string, opts *gen.Options, schemaFile *string, printGlue *bool) error {
	for i := 0; i < len(args); i++ {
		a := args[i]
		if a == "--" {
			opts.GoFlags = append(opts.GoFlags, args[i+1:]...)
			break
		}
		if !strings.HasPrefix(a, "-") || a == "-" {
			opts.Packages = append(opts.Packages, a)
			continue
		}
		name, value, hasValue := strings.Cut(strings.TrimLeft(a, "-"), "=")
		takeValue := func() (string, error) {
			if hasValue {
				return value, nil
			}
			if i+1 >= len(args) {
				return "", usageError("option " + a + " needs a value")
			}
			i++
			return args[i], nil
		}
		var err error
		switch name {
		case "h", "help":
			return errHelp
		case "v":
			opts.Verbose = opts.Stderr
		case "work":
			opts.KeepWork = true
		case "print-glue":
			*printGlue = true
		case "out", "o":
			opts.Out, err = takeValue()
		case "export":
			var v string
			v, err = takeValue()
			opts.Exports = append(opts.Exports, v)
		case "tags":
			opts.Tags, err = takeValue()
		case "sdk":
			opts.SDK, err = takeValue()
		case "schema":
			*schemaFile, err = takeValue()
		default:
			return usageError("unknown option " + a)
		}
		if err != nil {
			return err
		}
	}
	return nil
}

func printSchema(path string, stdout, stderr io.Writer) int {
	b, err := os.ReadFile(path)
	if err != nil {
		return fail(stderr, err)
	}
	sections, err := gen.CustomSections(b)
	if err != nil {
		return fail(stderr, fmt.Errorf("%s: %v", path, err))
	}
	for _, s := range sections {
		if s.Name != wire.SectionName {
			continue
		}
		schema, err := wire.UnmarshalSchema(s.Payload)
		if err != nil {
			return fail(stderr, fmt.Errorf("%s: custom section %s: %v", path, wire.SectionName, err))
		}
		out, err := gen.SchemaJSON(schema)
		if err != nil {
			return fail(stderr, err)
		}
		fmt.Fprintf(stdout, "%s\n", out)
		return 0
	}
	return fail(stderr, fmt.Errorf("%s has no custom section %s (was it built with isthmus build?)", path, wire.SectionName))
}
