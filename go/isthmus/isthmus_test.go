//go:build !wasip1

package isthmus

import (
	"errors"
	"reflect"
	"strings"
	"testing"

	"github.com/isthmus-dev/isthmus/go/wire"
)

// The tests play the host: they write arguments into guest buffers, call callExport
// and read result payloads, as docs/abi.md describes, with native addresses.

// mem returns guest memory at p[0:n]; p is the start of one of the guest's buffers.
func mem(p uintptr, n uint32) []byte {
	if n == 0 {
		return nil
	}
	for _, b := range [][]byte{scratch, spare, live[p]} {
		if cap(b) > 0 && addr(b) == p {
			return b[:n]
		}
	}
	for _, f := range frames { // results
		if b := f.e.Bytes(); cap(b) > 0 && addr(b) == p {
			return b[:n]
		}
	}
	panic("test: no guest buffer at " + hexAddr(p))
}

// result decodes a result payload into its status and the decoder positioned after it.
func result(p uintptr, n uint32) (int, *wire.Decoder) {
	d := wire.NewDecoder(append([]byte(nil), mem(p, n)...))
	return int(d.GetUint8()), d
}

// call plays the host's isthmus_call; the payload's address is native.
func call(fid uint32, p uintptr, n uint32) (uintptr, uint32) {
	callExport(fid, p, n)
	return addr(lastResult), uint32(len(lastResult))
}

func callScratch(args []byte, fid uint32) (uintptr, uint32) {
	p := scratchBuffer(uint32(len(args)))
	copy(mem(p, uint32(len(args))), args)
	return call(fid, p, uint32(len(args)))
}

// Glue as isthmus build would generate it.
var testExports = []Export{
	{"Add", func(d *wire.Decoder, e *wire.Encoder) error {
		a, b := d.GetInt32(), d.GetInt32()
		if err := d.Finish(); err != nil {
			return err
		}
		e.PutInt32(a + b)
		return nil
	}},
	{"Fail", func(d *wire.Decoder, e *wire.Encoder) error {
		msg := d.GetString()
		if err := d.Finish(); err != nil {
			return err
		}
		return errors.New(msg)
	}},
	{"Boom", func(d *wire.Decoder, e *wire.Encoder) error {
		if err := d.Finish(); err != nil {
			return err
		}
		var s []int
		_ = s[3]
		return nil
	}},
	{"BadResult", func(d *wire.Decoder, e *wire.Encoder) error {
		e.PutAny(make(chan int))
		return nil
	}},
	{"Echo", func(d *wire.Decoder, e *wire.Encoder) error {
		s := d.GetString()
		if err := d.Finish(); err != nil {
			return err
		}
		e.PutString(s)
		return nil
	}},
}

func setExports(t *testing.T, x []Export) {
	old := exports
	exports = x
	t.Cleanup(func() { exports = old })
}

func encode(f func(e *wire.Encoder)) []byte {
	var e wire.Encoder
	f(&e)
	return e.Bytes()
}

func TestCallStatuses(t *testing.T) {
	setExports(t, testExports)

	st, d := result(callScratch(encode(func(e *wire.Encoder) { e.PutInt32(40); e.PutInt32(2) }), 0))
	if v := d.GetInt32(); st != wire.StatusOK || v != 42 || d.Finish() != nil {
		t.Errorf("Add: status %d, %d, %v", st, v, d.Err())
	}

	st, d = result(callScratch(encode(func(e *wire.Encoder) { e.PutString("no") }), 1))
	if msg, typ, tok := d.GetString(), d.GetString(), d.GetUint32(); st != wire.StatusError || msg != "no" ||
		typ != "*errors.errorString" || tok != 0 || d.Finish() != nil {
		t.Errorf("Fail: status %d, %q, %q, token %d, %v", st, msg, typ, tok, d.Err())
	}

	st, d = result(call(2, 0, 0))
	msg, typ, stack, tok := d.GetString(), d.GetString(), d.GetString(), d.GetUint32()
	if st != wire.StatusPanic || !strings.Contains(msg, "index out of range [3] with length 0") ||
		typ != "runtime.boundsError" || tok != 0 || d.Finish() != nil {
		t.Errorf("Boom: status %d, %q, %q", st, msg, typ)
	}
	if !strings.HasPrefix(stack, "goroutine ") || !strings.Contains(stack, "\npanic(") ||
		!strings.Contains(stack, "isthmus_test.go") || strings.Contains(stack, "isthmus.callExport(") ||
		strings.Contains(stack, "runtime/debug.Stack") {
		t.Errorf("Boom stack:\n%s", stack)
	}

	st, d = result(call(3, 0, 0))
	if msg := d.GetString(); st != wire.StatusFail || !strings.Contains(msg, "BadResult: results: cannot encode a value of type chan int") ||
		!strings.Contains(msg, "the function ran") {
		t.Errorf("BadResult: status %d, %q", st, msg)
	}

	for _, tc := range []struct {
		name string
		call func() (uintptr, uint32)
		want string
	}{
		{"unknown id", func() (uintptr, uint32) { return call(99, 0, 0) }, "no function with id 99 (the module exports 5)"},
		{"trailing", func() (uintptr, uint32) { return callScratch([]byte{1, 0, 0, 0, 2, 0, 0, 0, 9}, 0) },
			"Add: arguments: malformed payload at byte 8: 1 trailing bytes (the function did not run)"},
		{"truncated", func() (uintptr, uint32) { return callScratch([]byte{1, 0}, 0) }, "truncated"},
		{"bad buffer", func() (uintptr, uint32) { return call(0, 12345, 8) }, "argument buffer 0x3039 is neither"},
		{"too long", func() (uintptr, uint32) { return call(0, scratchBuffer(8), 1<<30) }, "exceed the scratch buffer"},
	} {
		st, d := result(tc.call())
		if msg := d.GetString(); st != wire.StatusFail || !strings.Contains(msg, tc.want) {
			t.Errorf("%s: status %d, %q, want %q", tc.name, st, msg, tc.want)
		}
	}

	// The instance stays usable.
	st, d = result(callScratch(encode(func(e *wire.Encoder) { e.PutInt32(1); e.PutInt32(2) }), 0))
	if v := d.GetInt32(); st != 0 || v != 3 {
		t.Errorf("Add after failures: %d %d", st, v)
	}
}

func TestBuffers(t *testing.T) {
	setExports(t, testExports)
	// scratch is reused while it is large enough, and grows on demand
	p1 := scratchBuffer(10)
	if p2 := scratchBuffer(20); p2 != p1 {
		t.Error("scratch moved although it was large enough")
	}
	big := scratchBuffer(100000)
	if big == p1 || scratchBuffer(5) != big {
		t.Error("scratch did not grow, or moved again")
	}
	// an allocation passed to a call belongs to the call
	args := encode(func(e *wire.Encoder) { e.PutString("hi") })
	a := allocate(uint32(len(args)) + 3)
	copy(mem(a, uint32(len(args))), args)
	st, d := result(call(4, a, uint32(len(args))))
	if s := d.GetString(); st != 0 || s != "hi" {
		t.Errorf("Echo via allocation: %d %q", st, s)
	}
	if _, ok := live[a]; ok {
		t.Error("the call did not take the allocation")
	}
	if st, _ = result(call(4, a, uint32(len(args)))); st != wire.StatusFail {
		t.Error("a used allocation was accepted again")
	}
	// free
	a = allocate(8)
	release(a)
	if _, ok := live[a]; ok || allocate(0) != 0 {
		t.Error("free or alloc(0)")
	}
	release(12345) // ignored
}

// TestNestedScratch: a call made while another reads the scratch buffer gets another one.
func TestNestedScratch(t *testing.T) {
	var inner uintptr
	setExports(t, []Export{
		{"Outer", func(d *wire.Decoder, e *wire.Encoder) error {
			// the host, inside a host function, calls the guest again
			args := encode(func(e *wire.Encoder) { e.PutString("inner") })
			inner = scratchBuffer(uint32(len(args)))
			copy(mem(inner, uint32(len(args))), args)
			p, n := call(1, inner, uint32(len(args)))
			r := wire.NewDecoder(mem(p, n))
			if r.GetUint8() != 0 || r.GetString() != "inner" {
				return errors.New("nested call failed")
			}
			s := d.GetString() // the outer arguments are intact
			if err := d.Finish(); err != nil {
				return err
			}
			e.PutString(s)
			return nil
		}},
		testExports[4],
	})
	args := encode(func(e *wire.Encoder) { e.PutString("outer") })
	outer := scratchBuffer(uint32(len(args)))
	copy(mem(outer, uint32(len(args))), args)
	st, d := result(call(0, outer, uint32(len(args))))
	if s := d.GetString(); st != 0 || s != "outer" {
		t.Fatalf("outer: status %d %q", st, s)
	}
	if inner == outer {
		t.Error("the nested call got the scratch buffer that the outer call was reading")
	}
	if scratchBuffer(1) != inner {
		t.Error("the nested call's scratch buffer is not the current one")
	}
}

// fakeHost implements the host side of host_call for tests.
type fakeHost struct {
	funcs    map[string]func(d *wire.Decoder, e *wire.Encoder) error
	names    []string
	inPlace  bool
	resolves int
	requests [][]byte
	failures uint32
}

func (h *fakeHost) install(t *testing.T) {
	testHost = h.hostCall
	t.Cleanup(func() { testHost = nil })
}

func (h *fakeHost) hostCall(id int32, buf []byte, n int) (uintptr, uint32) {
	req := append([]byte(nil), buf[:n]...)
	h.requests = append(h.requests, req)
	var e wire.Encoder
	if id == wire.ResolveID {
		h.resolves++
		s, err := wire.UnmarshalSchema(req)
		switch {
		case err != nil:
			e.PutUint8(wire.StatusError)
			e.PutString(err.Error())
			e.PutString("SchemaError")
			e.PutUint32(0)
		case h.funcs[s.Imports[0].Name] == nil:
			e.PutUint8(wire.StatusError)
			e.PutString("no host function " + s.Imports[0].Name)
			e.PutString("LookupError")
			e.PutUint32(0)
		default:
			h.names = append(h.names, s.Imports[0].Name)
			e.PutUint8(wire.StatusOK)
			e.PutUint32(uint32(len(h.names) - 1))
		}
	} else {
		d := wire.NewDecoder(req)
		var out wire.Encoder
		if err := h.funcs[h.names[id]](d, &out); err != nil {
			e.PutUint8(wire.StatusError)
			h.failures++
			e.PutString(err.Error())
			e.PutString("ValueError")
			e.PutUint32(h.failures) // the host's token for this failure
		} else {
			e.PutUint8(wire.StatusOK)
			e.PutRaw(out.Bytes())
		}
	}
	resp := e.Bytes()
	if h.inPlace && len(resp) <= cap(buf) {
		copy(buf[:cap(buf)], resp)
		return addr(buf), uint32(len(resp))
	}
	p := allocate(uint32(len(resp)))
	copy(mem(p, uint32(len(resp))), resp)
	return p, uint32(len(resp))
}

type entry struct {
	Key   string `json:"key"`
	Count int
}

func TestImport(t *testing.T) {
	for _, inPlace := range []bool{true, false} {
		h := &fakeHost{inPlace: inPlace, funcs: map[string]func(d *wire.Decoder, e *wire.Encoder) error{
			"lookup": func(d *wire.Decoder, e *wire.Encoder) error {
				k := d.GetString()
				if k == "missing" {
					return errors.New("no such key")
				}
				e.PutInt64(int64(len(k)))
				return nil
			},
			"entries": func(d *wire.Decoder, e *wire.Encoder) error {
				n := d.GetLen(8)
				e.PutLen(n)
				for i := 0; i < n; i++ {
					e.PutString(strings.Repeat("k", 300)) // larger than the request buffer
					e.PutInt64(d.GetInt64())
				}
				return nil
			},
		}}
		h.install(t)

		lookup := Import[func(string) (int, error)]("lookup")
		if n, err := lookup("abc"); n != 3 || err != nil {
			t.Errorf("lookup: %d %v", n, err)
		}
		if n, err := lookup("missing"); n != 0 || err == nil ||
			err.Error() != `isthmus: host function "lookup": ValueError: no such key` {
			t.Errorf("lookup missing: %d %v", n, err)
		}
		var he *HostError
		if _, err := lookup("missing"); !errors.As(err, &he) || he.Type != "ValueError" {
			t.Errorf("error type: %#v", err)
		}
		if h.resolves != 1 {
			t.Errorf("%d resolves", h.resolves)
		}
		entries := Import[func(...int) []entry]("entries")
		got := entries(1, 2)
		want := []entry{{strings.Repeat("k", 300), 1}, {strings.Repeat("k", 300), 2}}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("entries: %v", got)
		}
		s, err := wire.UnmarshalSchema(h.requests[len(h.requests)-2])
		if err != nil || s.Imports[0].Flags != wire.FlagVariadic || s.TypeString(s.Imports[0].Params[0].Type) != "list<i64>" ||
			s.TypeString(s.Imports[0].Results[0].Type) != "list<github.com/isthmus-dev/isthmus/go/isthmus.entry>" {
			t.Errorf("resolve request: %v %+v", err, s)
		}

		missing := Import[func() error]("nope")
		if err := missing(); err == nil || !strings.Contains(err.Error(), "LookupError: no host function nope") {
			t.Errorf("missing function: %v", err)
		}
		panics := Import[func()]("nope")
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(error).Error(), "no host function nope") {
					t.Errorf("no panic without an error result: %v", r)
				}
			}()
			panics()
		}()
		if len(live) != 0 {
			t.Errorf("%d allocations leaked", len(live))
		}
	}
}

func TestImportUnavailableAndBadTypes(t *testing.T) {
	f := Import[func(int) (string, error)]("x")
	if _, err := f(1); err == nil || !strings.Contains(err.Error(), "isthmus.Unavailable") {
		t.Errorf("no host: %v", err)
	}
	for _, tc := range []struct {
		f    func()
		want string
	}{
		{func() { Import[int]("x") }, "must be a function type, not int"},
		{func() { Import[func(chan int)]("x") }, `isthmus.Import("x"): parameter 1: unsupported type chan int`},
		{func() { Import[func() (error, int)]("x") }, "result 1: unsupported type error"},
	} {
		func() {
			defer func() {
				if r := recover(); r == nil || !strings.Contains(r.(string), tc.want) {
					t.Errorf("got %v, want %q", r, tc.want)
				}
			}()
			tc.f()
		}()
	}
}

func TestBadResponses(t *testing.T) {
	h := &fakeHost{inPlace: true, funcs: map[string]func(d *wire.Decoder, e *wire.Encoder) error{
		"f": func(d *wire.Decoder, e *wire.Encoder) error { return nil },
	}}
	h.install(t)
	f := Import[func() (int32, error)]("f")
	if _, err := f(); err == nil || !strings.Contains(err.Error(), "isthmus.ABIError: response: malformed payload at byte 1: truncated") {
		t.Errorf("short response: %v", err)
	}
	testHost = func(id int32, buf []byte, n int) (uintptr, uint32) { return 4096, 3 }
	g := Import[func() error]("g")
	if err := g(); err == nil || !strings.Contains(err.Error(), "response at 0x1000 is neither") {
		t.Errorf("stray response: %v", err)
	}
	testHost = func(id int32, buf []byte, n int) (uintptr, uint32) { buf[0] = 7; return addr(buf), 1 }
	if err := g(); err == nil || !strings.Contains(err.Error(), "unknown response status 7") {
		t.Errorf("bad status: %v", err)
	}
}

func TestTrimStack(t *testing.T) {
	in := "goroutine 1 [running]:\nruntime/debug.Stack()\n\t/go/debug.go:1\n" +
		"github.com/isthmus-dev/isthmus/go/isthmus.callExport.func1()\n\t/x.go:2\n" +
		"panic({0x1, 0x2})\n\t/go/panic.go:3\nmain.boom(...)\n\t/m.go:4\n" +
		"github.com/isthmus-dev/isthmus/go/isthmus.callExport(0x1)\n\t/x.go:5\nmain.main()\n"
	want := "goroutine 1 [running]:\npanic({0x1, 0x2})\n\t/go/panic.go:3\nmain.boom(...)\n\t/m.go:4\n"
	if got := trimStack(in); got != want {
		t.Errorf("got\n%s", got)
	}
}

type code int

type badStringer struct{}

func (badStringer) String() string { panic("oops") }

func TestText(t *testing.T) {
	for _, tc := range []struct {
		v    any
		want string
	}{
		{errors.New("e"), "e"}, {"s", "s"}, {42, "42"}, {code(3), "isthmus.code(3)"}, {1.5, "1.5"},
		{entry{"k", 1}, "(isthmus.entry) {k 1}"}, {&entry{"k", 1}, "(*isthmus.entry) &{k 1}"},
		{[]any{1, "a", nil}, "([]interface {}) [1 a <nil>]"}, {map[string]int{"a": 1}, "(map[string]int) map[a:1]"},
		{badStringer{}, "(isthmus.badStringer) <formatting the value panicked>"},
	} {
		if got := text(tc.v); got != tc.want {
			t.Errorf("text(%#v) = %q, want %q", tc.v, got, tc.want)
		}
	}
}

func TestRegister(t *testing.T) {
	oldSchema, oldExports := schema, exports
	t.Cleanup(func() { schema, exports = oldSchema, oldExports })
	schema, exports = "", nil
	Register("s", nil)
	if schema != "s" || exports == nil || len(exports) != 0 {
		t.Errorf("Register: %q %v", schema, exports)
	}
	defer func() {
		if recover() == nil {
			t.Error("a second Register did not panic")
		}
	}()
	Register("t", nil)
}

func TestCallDoesNotAllocate(t *testing.T) {
	setExports(t, testExports)
	args := encode(func(e *wire.Encoder) { e.PutInt32(40); e.PutInt32(2) })
	p := scratchBuffer(uint32(len(args)))
	call(0, p, uint32(len(args))) // warm the pools
	if n := testing.AllocsPerRun(100, func() {
		copy(mem(p, uint32(len(args))), args)
		call(0, p, uint32(len(args)))
	}); n != 0 {
		t.Errorf("%v allocations per call", n)
	}
}

// BenchmarkCall measures the guest's side of a call of Add(int32, int32) int32 with the
// arguments in the scratch buffer: it should not allocate.
func BenchmarkCall(b *testing.B) {
	old := exports
	exports = testExports
	defer func() { exports = old }()
	args := encode(func(e *wire.Encoder) { e.PutInt32(40); e.PutInt32(2) })
	p := scratchBuffer(uint32(len(args)))
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		copy(mem(p, uint32(len(args))), args)
		call(0, p, uint32(len(args)))
	}
}

// TestWrappedHostErrorCarriesItsToken: an error result or a panic value whose chain holds a
// *HostError carries the host's token back (docs/abi.md §6.2), so that the host can re-raise
// its own exception even when Go wrapped the error with fmt.Errorf("...: %w", err).
func TestWrappedHostErrorCarriesItsToken(t *testing.T) {
	h := &fakeHost{funcs: map[string]func(d *wire.Decoder, e *wire.Encoder) error{
		"fail": func(d *wire.Decoder, e *wire.Encoder) error { return errors.New("failed: " + d.GetString()) },
	}}
	h.install(t)
	fail := Import[func(string) error]("fail")
	failNoErr := Import[func(string)]("fail")
	setExports(t, []Export{
		{"Wrapped", func(d *wire.Decoder, e *wire.Encoder) error {
			first, second := fail("a"), fail("b") // tokens 1 and 2
			_ = second
			return wrapped{"context", first}
		}},
		{"Panics", func(d *wire.Decoder, e *wire.Encoder) error {
			failNoErr("c") // token 3; panics with the *HostError
			return nil
		}},
		{"Own", func(d *wire.Decoder, e *wire.Encoder) error {
			_ = fail("d")
			return errors.New("not the host's")
		}},
	})
	st, d := result(call(0, 0, 0))
	if msg, typ, tok := d.GetString(), d.GetString(), d.GetUint32(); st != wire.StatusError || tok != 1 ||
		typ != "isthmus.wrapped" || msg != `context: isthmus: host function "fail": ValueError: failed: a` {
		t.Errorf("Wrapped: status %d %q %q token %d", st, msg, typ, tok)
	}
	st, d = result(call(1, 0, 0))
	if _, typ, _, tok := d.GetString(), d.GetString(), d.GetString(), d.GetUint32(); st != wire.StatusPanic ||
		typ != "*isthmus.HostError" || tok != 3 || d.Finish() != nil {
		t.Errorf("Panics: status %d %q token %d", st, typ, tok)
	}
	st, d = result(call(2, 0, 0))
	if _, _, tok := d.GetString(), d.GetString(), d.GetUint32(); st != wire.StatusError || tok != 0 {
		t.Errorf("Own: status %d token %d", st, tok)
	}
}

type wrapped struct {
	msg string
	err error
}

func (w wrapped) Error() string { return w.msg + ": " + w.err.Error() }
func (w wrapped) Unwrap() error { return w.err }

// TestHostErrorWithoutToken: a host that answers status 1 without the token (written before
// it existed) still gives a *HostError, with token 0.
func TestHostErrorWithoutToken(t *testing.T) {
	testHost = func(id int32, buf []byte, n int) (uintptr, uint32) {
		var e wire.Encoder
		if id == wire.ResolveID {
			e.PutUint8(wire.StatusOK)
			e.PutUint32(0)
		} else {
			e.PutUint8(wire.StatusError)
			e.PutString("old host")
			e.PutString("ValueError")
		}
		resp := e.Bytes()
		copy(buf[:cap(buf)], resp)
		return addr(buf), uint32(len(resp))
	}
	t.Cleanup(func() { testHost = nil })
	_, err := Import[func() (int, error)]("old")()
	var he *HostError
	if !errors.As(err, &he) || he.Type != "ValueError" || he.Message != "old host" || he.token != 0 {
		t.Errorf("got %#v", err)
	}
}
