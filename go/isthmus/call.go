package isthmus

import (
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/isthmus-dev/isthmus/go/wire"
)

// A frame holds the decoder and the encoder of one call. frames[i] serves the calls at
// nesting depth i (a call made by the host from inside a host function is one level
// deeper); calls nest strictly, so a depth counter finds a frame that no call uses. A
// frame's encoder keeps its buffer, which holds the frame's last result payload: it
// stays reachable, and unmodified until the next call at that depth (docs/abi.md §5.3).
type frame struct {
	d wire.Decoder
	e wire.Encoder
}

var (
	frames []*frame
	depth  int
)

// callExport implements isthmus_call (the export itself on wasm; the directive is
// ignored elsewhere): it runs function fid with the arguments at p[0:n] and returns the
// result payload's address and length packed as ptr<<32 | len (docs/abi.md §6; see
// packResult).
//
// The Go code runs in an interpreter, where a function call costs as much as a few
// dozen statements: the common path (arguments in the scratch buffer or none, a known
// function that returns) makes only the calls it must, the glue's and the deferred
// recover's; everything else is out of line.
//
//go:wasmexport isthmus_call
func callExport(fid uint32, p uintptr, n uint32) (packed uint64) {
	if depth == len(frames) {
		addFrame()
	}
	f := frames[depth]
	depth++
	e := &f.e
	e.Restart(wire.StatusOK)
	var args []byte
	fromScratch := false
	switch {
	case p == 0 && n == 0:
	case p == addr(scratch) && uint64(n) <= uint64(len(scratch)): // (a nil scratch has address 0)
		args, fromScratch, scratch = scratch[:n], true, nil
	default:
		var ok bool
		if args, ok = takeAllocation(e, p, n); !ok {
			return f.leave(nil, false)
		}
	}
	if uint64(fid) >= uint64(len(exports)) {
		unknown(e, fid)
		return f.leave(args, fromScratch)
	}
	x := &exports[fid]
	f.d.Reset(args)
	done := false
	defer func() {
		if !done { // the glue panicked
			f.panicked(recover())
			packed = f.leave(args, fromScratch)
		}
	}()
	err := x.Call(&f.d, e)
	done = true
	if err != nil || e.Err() != nil {
		f.failed(x, err)
	}
	return f.leave(args, fromScratch)
}

// addFrame adds the frame for calls one level deeper than any before.
//
//go:noinline
func addFrame() {
	f := new(frame)
	f.e.Reset(make([]byte, 0, minBuffer))
	frames = append(frames, f)
}

// leave ends the call that f serves, whose arguments were args, and returns its result
// payload packed. (It is small enough to be inlined. An allocation with the arguments
// stays reachable from f.d until the next call at this depth, like the result.)
func (f *frame) leave(args []byte, fromScratch bool) uint64 {
	depth--
	if fromScratch && scratch == nil { // else a nested call installed another one meanwhile
		scratch = args[:cap(args)]
	}
	out := f.e.Bytes()
	if cap(out) > maxSpare {
		f.shrink()
	}
	return packResult(out)
}

// shrink replaces a large result buffer by a small one for the next call. (The old one
// holds the result the host is about to read; the host's next call makes it garbage.)
func (f *frame) shrink() { f.e.Reset(make([]byte, 0, minBuffer)) }

// fail replaces what e holds with a status 3 payload.
func fail(e *wire.Encoder, msg string) {
	e.Truncate(0)
	e.PutUint8(wire.StatusFail)
	e.PutString(msg)
}

// unknown answers a call of a function id that the module does not have.
func unknown(e *wire.Encoder, fid uint32) {
	fail(e, "isthmus: no function with id "+strconv.FormatUint(uint64(fid), 10)+
		" (the module exports "+strconv.Itoa(len(exports))+")")
}

// failed replaces the result payload with the status of a call whose glue returned
// err, or whose results could not be encoded.
func (f *frame) failed(x *Export, err error) {
	e := &f.e
	switch {
	case f.d.Err() != nil:
		fail(e, "isthmus: "+x.Name+": arguments: "+f.d.Err().Error()+" (the function did not run)")
	case err != nil:
		e.Truncate(0)
		e.PutUint8(wire.StatusError)
		e.PutString(text(err))
		e.PutString(typeName(err))
		e.PutUint32(hostToken(err))
	default:
		fail(e, "isthmus: "+x.Name+": results: "+e.Err().Error()+" (the function ran)")
	}
}

// panicked replaces the result payload with a status 2 payload for the recovered
// panic value r.
func (f *frame) panicked(r any) {
	e := &f.e
	e.Truncate(0)
	e.PutUint8(wire.StatusPanic)
	e.PutString(text(r))
	e.PutString(typeName(r))
	e.PutString(trimStack(string(debug.Stack())))
	e.PutUint32(hostToken(r))
}

// text formats an error or a panic value much as Go's runtime prints it, without
// letting a faulty Error or String method escape. (It avoids fmt, which would add about
// 300 KB to every module.)
func text(v any) (s string) {
	defer func() {
		if r := recover(); r != nil {
			s = "(" + typeName(v) + ") <formatting the value panicked>"
		}
	}()
	switch x := v.(type) {
	case error:
		return x.Error()
	case interface{ String() string }:
		return x.String()
	case string:
		return x
	}
	rv := reflect.ValueOf(v)
	if isBasic(rv.Kind()) {
		if rv.Type().PkgPath() != "" { // a named basic type: main.Code(3)
			return rv.Type().String() + "(" + valueText(rv, 0) + ")"
		}
		return valueText(rv, 0)
	}
	return "(" + typeName(v) + ") " + valueText(rv, 0)
}

func isBasic(k reflect.Kind) bool {
	return k >= reflect.Bool && k <= reflect.Complex128 || k == reflect.String
}

// valueText renders v as fmt's %v would, briefly.
func valueText(v reflect.Value, depth int) string {
	if depth > 3 {
		return "..."
	}
	switch v.Kind() {
	case reflect.Invalid:
		return "<nil>"
	case reflect.Bool:
		return strconv.FormatBool(v.Bool())
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		return strconv.FormatInt(v.Int(), 10)
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Uintptr:
		return strconv.FormatUint(v.Uint(), 10)
	case reflect.Float32, reflect.Float64:
		return strconv.FormatFloat(v.Float(), 'g', -1, v.Type().Bits())
	case reflect.Complex64, reflect.Complex128:
		c := v.Complex()
		return "(" + strconv.FormatFloat(real(c), 'g', -1, 64) + "+" + strconv.FormatFloat(imag(c), 'g', -1, 64) + "i)"
	case reflect.String:
		return v.String()
	case reflect.Pointer:
		if v.IsNil() {
			return "<nil>"
		}
		if e := v.Elem(); e.Kind() == reflect.Struct || e.Kind() == reflect.Slice || e.Kind() == reflect.Map {
			return "&" + valueText(e, depth+1)
		}
		return "0x" + strconv.FormatUint(uint64(v.Pointer()), 16)
	case reflect.Interface:
		return valueText(v.Elem(), depth)
	case reflect.Struct:
		parts := make([]string, v.NumField())
		for i := range parts {
			parts[i] = valueText(v.Field(i), depth+1)
		}
		return "{" + strings.Join(parts, " ") + "}"
	case reflect.Slice, reflect.Array:
		n := min(v.Len(), 20)
		parts := make([]string, n, n+1)
		for i := range parts {
			parts[i] = valueText(v.Index(i), depth+1)
		}
		if v.Len() > n {
			parts = append(parts, "...")
		}
		return "[" + strings.Join(parts, " ") + "]"
	case reflect.Map:
		var parts []string
		for it := v.MapRange(); it.Next() && len(parts) < 20; {
			parts = append(parts, valueText(it.Key(), depth+1)+":"+valueText(it.Value(), depth+1))
		}
		return "map[" + strings.Join(parts, " ") + "]"
	}
	return "0x" + strconv.FormatUint(uint64(v.Pointer()), 16)
}

func typeName(v any) string {
	if v == nil {
		return "nil"
	}
	return reflect.TypeOf(v).String()
}

// trimStack keeps the goroutine header and the frames from the panic call on, and
// drops the frames of this package's dispatcher below the user's code.
func trimStack(s string) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) == 0 {
		return s
	}
	out := lines[:1]
	start := 1
	for i := 1; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "panic(") {
			start = i
			break
		}
	}
	for i := start; i < len(lines); i++ {
		if strings.HasPrefix(lines[i], "github.com/isthmus-dev/isthmus/go/isthmus.callExport(") {
			break
		}
		out = append(out, lines[i])
	}
	return strings.Join(out, "\n") + "\n"
}
