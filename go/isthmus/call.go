package isthmus

import (
	"reflect"
	"runtime/debug"
	"strconv"
	"strings"

	"github.com/isthmus-dev/isthmus/go/wire"
)

// frame is the encoder and decoder of one call; frames are reused.
type frame struct {
	e wire.Encoder
	d wire.Decoder
}

var frames []*frame

func takeFrame() *frame {
	if n := len(frames); n > 0 {
		f := frames[n-1]
		frames = frames[:n-1]
		return f
	}
	return new(frame)
}

func putFrame(f *frame) {
	f.e.Reset(nil)
	f.d.Reset(nil)
	frames = append(frames, f)
}

// callExport implements isthmus_call: it runs function fid with the arguments at
// p[0:n] and returns the address and length of the result payload (docs/abi.md §6).
func callExport(fid uint32, p uintptr, n uint32) (uintptr, uint32) {
	f := takeFrame()
	f.e.Reset(takeBuffer())
	args, fromScratch, msg := takeArgs(p, n)
	switch {
	case msg != "":
		fail(&f.e, msg)
	case uint64(fid) >= uint64(len(exports)):
		fail(&f.e, "isthmus: no function with id "+strconv.FormatUint(uint64(fid), 10)+
			" (the module exports "+strconv.Itoa(len(exports))+")")
	default:
		f.d.Reset(args)
		run(&exports[fid], f)
	}
	if fromScratch {
		releaseScratch(args)
	}
	out := f.e.Bytes()
	keepBuffer(out)
	putFrame(f)
	return addr(out), uint32(len(out))
}

// fail replaces what e holds with a status 3 payload.
func fail(e *wire.Encoder, msg string) {
	e.Truncate(0)
	e.PutUint8(wire.StatusFail)
	e.PutString(msg)
}

// run calls one export and leaves the result payload in f.e.
func run(x *Export, f *frame) {
	e := &f.e
	e.PutUint8(wire.StatusOK)
	p, err := invoke(x.Call, &f.d, e)
	switch {
	case p != nil:
		e.Truncate(0)
		e.PutUint8(wire.StatusPanic)
		e.PutString(p.message)
		e.PutString(p.typ)
		e.PutString(p.stack)
		e.PutUint32(p.token)
	case f.d.Err() != nil:
		fail(e, "isthmus: "+x.Name+": arguments: "+f.d.Err().Error()+" (the function did not run)")
	case err != nil:
		e.Truncate(0)
		e.PutUint8(wire.StatusError)
		e.PutString(text(err))
		e.PutString(typeName(err))
		e.PutUint32(hostToken(err))
	case e.Err() != nil:
		fail(e, "isthmus: "+x.Name+": results: "+e.Err().Error()+" (the function ran)")
	}
}

// panicInfo is a recovered panic.
type panicInfo struct {
	message, typ, stack string
	token               uint32 // of a *HostError in the panic value's chain
}

// invoke calls the glue, recovering a panic.
func invoke(call func(*wire.Decoder, *wire.Encoder) error, d *wire.Decoder, e *wire.Encoder) (p *panicInfo, err error) {
	panicking := true
	defer func() {
		if !panicking {
			return
		}
		r := recover()
		p = &panicInfo{message: text(r), typ: typeName(r), stack: trimStack(string(debug.Stack())), token: hostToken(r)}
	}()
	err = call(d, e)
	panicking = false
	return nil, err
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
		if strings.HasPrefix(lines[i], "github.com/isthmus-dev/isthmus/go/isthmus.invoke(") {
			break
		}
		out = append(out, lines[i])
	}
	return strings.Join(out, "\n") + "\n"
}
