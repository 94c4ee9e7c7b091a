package gen

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
)

// MinGoMinor is the oldest Go 1.x release that can build isthmus modules
// (go:wasmexport and -buildmode=c-shared for wasip1 arrived in Go 1.24).
const MinGoMinor = 24

// goTool runs the go command for one build.
type goTool struct {
	path    string   // the go binary
	version string   // e.g. "go1.26.0"
	env     []string // the environment of every go command (GOOS/GOARCH set)
	dir     string   // the working directory
	modfile string   // -modfile, when the SDK is supplied through a temporary go.mod
	tags    string   // -tags
	verbose io.Writer
}

// findGo locates the go command: $ISTHMUS_GO, else go on $PATH, else $GOROOT/bin/go.
func findGo() (string, error) {
	if p := os.Getenv("ISTHMUS_GO"); p != "" {
		return p, nil
	}
	if p, err := exec.LookPath("go"); err == nil {
		return p, nil
	}
	if root := os.Getenv("GOROOT"); root != "" {
		p := filepath.Join(root, "bin", "go")
		if _, err := os.Stat(p); err == nil {
			return p, nil
		}
	}
	return "", errors.New("cannot find the go command: install Go 1." + strconv.Itoa(MinGoMinor) +
		" or newer (https://go.dev/dl/), put it on PATH or set ISTHMUS_GO")
}

// parseGoVersion returns the minor version of a GOVERSION value ("go1.24.3" → 24,
// "go1.26rc1" → 26); devel versions count as new enough.
func parseGoVersion(v string) (minor int, ok bool) {
	if strings.HasPrefix(v, "devel") {
		return 1 << 30, true
	}
	rest, found := strings.CutPrefix(v, "go1.")
	if !found {
		return 0, false
	}
	end := 0
	for end < len(rest) && rest[end] >= '0' && rest[end] <= '9' {
		end++
	}
	minor, err := strconv.Atoi(rest[:end])
	return minor, err == nil
}

// newGoTool finds go, checks its version and reads the environment of dir.
func newGoTool(dir string, verbose io.Writer) (*goTool, map[string]string, error) {
	path, err := findGo()
	if err != nil {
		return nil, nil, err
	}
	g := &goTool{path: path, dir: dir, verbose: verbose}
	g.env = append(os.Environ(), "GOOS=wasip1", "GOARCH=wasm", "CGO_ENABLED=0")
	out, err := g.output("env", "-json", "GOVERSION", "GOMOD", "GOWORK", "GOROOT", "GOFLAGS")
	if err != nil {
		return nil, nil, err
	}
	env := map[string]string{}
	if err := json.Unmarshal(out, &env); err != nil {
		return nil, nil, fmt.Errorf("go env: %v", err)
	}
	g.version = env["GOVERSION"]
	if minor, ok := parseGoVersion(g.version); !ok || minor < MinGoMinor {
		return nil, nil, fmt.Errorf("isthmus build needs Go 1.%d or newer, but %s is %s; "+
			"install a newer Go from https://go.dev/dl/ (or set ISTHMUS_GO to its go command)",
			MinGoMinor, path, g.version)
	}
	return g, env, nil
}

// command returns a go command with the build's environment and flags. Flags that only
// some subcommands take (-modfile, -tags) are added for list and build.
func (g *goTool) command(args ...string) *exec.Cmd {
	if len(args) > 0 && (args[0] == "list" || args[0] == "build") {
		var extra []string
		if g.modfile != "" {
			extra = append(extra, "-modfile="+g.modfile)
		}
		if g.tags != "" {
			extra = append(extra, "-tags="+g.tags)
		}
		args = append(append([]string{args[0]}, extra...), args[1:]...)
	}
	cmd := exec.Command(g.path, args...)
	cmd.Dir = g.dir
	cmd.Env = g.env
	if g.verbose != nil {
		fmt.Fprintf(g.verbose, "GOOS=wasip1 GOARCH=wasm %s %s\n", g.path, strings.Join(args, " "))
	}
	return cmd
}

// output runs a go command and returns its standard output; on failure the error
// carries its standard error.
func (g *goTool) output(args ...string) ([]byte, error) {
	cmd := g.command(args...)
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		msg := strings.TrimSpace(stderr.String())
		if msg == "" {
			msg = err.Error()
		}
		return nil, fmt.Errorf("go %s: %s", args[0], msg)
	}
	return out, nil
}

// listedPackage is the part of `go list -json` output the generator uses.
type listedPackage struct {
	ImportPath string
	Name       string
	Dir        string
	GoFiles    []string
	Export     string
	Standard   bool
	DepOnly    bool
	Match      []string
	ImportMap  map[string]string
	Module     *struct {
		Path      string
		Main      bool
		Dir       string
		GoVersion string
	}
	Error *struct {
		Err string
	}
	DepsErrors []*struct {
		Err string
	}
}

// list runs go list -deps -export on the patterns and returns the packages in
// dependency order (dependencies first).
func (g *goTool) list(patterns []string) ([]*listedPackage, error) {
	args := []string{"list", "-e", "-deps", "-export",
		"-json=ImportPath,Name,Dir,GoFiles,Export,Standard,DepOnly,Match,ImportMap,Module,Error,DepsErrors", "--"}
	out, err := g.output(append(args, patterns...)...)
	if err != nil {
		return nil, err
	}
	var pkgs []*listedPackage
	var errs []string
	dec := json.NewDecoder(bytes.NewReader(out))
	for dec.More() {
		p := new(listedPackage)
		if err := dec.Decode(p); err != nil {
			return nil, fmt.Errorf("go list: %v", err)
		}
		if p.Error != nil {
			errs = append(errs, strings.TrimSpace(p.Error.Err))
		}
		pkgs = append(pkgs, p)
	}
	if len(errs) > 0 {
		return nil, errors.New(strings.Join(dedupe(errs), "\n"))
	}
	return pkgs, nil
}

func dedupe(s []string) []string {
	seen := map[string]bool{}
	var out []string
	for _, x := range s {
		if !seen[x] {
			seen[x] = true
			out = append(out, x)
		}
	}
	return out
}
