// Package isthmus is the guest side of the isthmus ABI for Go modules built for
// GOOS=wasip1 GOARCH=wasm (docs/abi.md in the isthmus repository).
//
// Mark the functions a host may call with a directive and build with isthmus build:
//
//	// Greet returns a greeting.
//	//isthmus:export
//	func Greet(name string) (string, error) { ... }
//
// isthmus build generates the glue (argument decoding, result encoding, panic recovery
// and the schema) and registers it with this package through Register; user code never
// calls Register. A function can be exported under another name with
// //isthmus:export NAME, and functions of packages you do not want to edit with
// isthmus build --export PKG.Func.
//
// Host functions are imported with Import:
//
//	var lookup = isthmus.Import[func(key string) (int, error)]("lookup")
//
// The package exports the ABI's entry points (isthmus_abi_version, isthmus_schema,
// isthmus_scratch, isthmus_alloc, isthmus_free and isthmus_call) from every wasip1
// module that imports it. On other platforms it compiles too, so code that uses it can be
// tested natively; host functions then fail with a *HostError.
package isthmus

import (
	"errors"
	"strconv"

	"github.com/isthmus-dev/isthmus/go/wire"
)

// ABIVersion is the version of the isthmus ABI this package implements.
const ABIVersion = wire.ABIVersion

// Export is the glue of one exported function. Call decodes the arguments from d; when
// d has no error it calls the function and encodes its results into e. It returns the
// function's error result, or nil.
type Export struct {
	Name string
	Call func(d *wire.Decoder, e *wire.Encoder) error
}

var (
	schema  string   // the encoded schema, "" until Register
	exports []Export // indexed by function id
)

// Register installs the schema and the exported functions of the module: the function
// id of exports[i] is i. It is called once, from the init function that isthmus build
// generates; calling it again panics.
func Register(schemaBytes string, funcs []Export) {
	if exports != nil {
		panic("isthmus: Register called twice")
	}
	schema, exports = schemaBytes, funcs
	if exports == nil {
		exports = []Export{}
	}
}

// A HostError reports the failure of a host function: the host answered with an error
// (for example, the Python function raised an exception), the host does not provide the
// function, or the exchange with the host broke the ABI.
type HostError struct {
	Function string // the host function's name
	Type     string // the host's name for the failure, e.g. "KeyError"; "isthmus.ABIError" for a broken exchange
	Message  string // the host's message

	// token is the host's number for the failure (docs/abi.md §7.2), 0 when it has none.
	// A result or panic that wraps this error carries it back, so that the host can
	// re-raise its original exception (§6.2).
	token uint32
}

// hostToken returns the token of the first *HostError in v's error chain, or 0.
func hostToken(v any) uint32 {
	err, ok := v.(error)
	if !ok {
		return 0
	}
	var he *HostError
	if errors.As(err, &he) && he != nil {
		return he.token
	}
	return 0
}

func (e *HostError) Error() string {
	s := "isthmus: host function " + strconv.Quote(e.Function)
	if e.Type != "" {
		s += ": " + e.Type
	}
	if e.Message != "" {
		s += ": " + e.Message
	}
	return s
}
