package isthmus

import (
	"reflect"
	"strconv"

	"github.com/isthmus-dev/isthmus/go/wire"
)

var errorType = reflect.TypeFor[error]()

// Import returns a function that calls the host function name (docs/abi.md §7).
// F is a function type whose parameters and results are supported types
// (docs/abi.md §12.1), optionally with a final error result:
//
//	var lookup = isthmus.Import[func(key string) (int, error)]("lookup")
//
// Import panics when F is not such a type. The host resolves the name on the first
// call. When the host does not provide the function, or the call fails on the host's
// side, the returned function returns a *HostError as its error result, or panics with
// it when F has no error result.
func Import[F any](name string) F {
	t := reflect.TypeFor[F]()
	h, err := newHostFunc(name, t)
	if err != nil {
		panic("isthmus.Import(" + strconv.Quote(name) + "): " + err.Error())
	}
	return reflect.MakeFunc(t, h.call).Interface().(F)
}

// hostFunc is an imported host function.
type hostFunc struct {
	name    string
	typ     reflect.Type
	params  []*wire.ValueCodec
	results []*wire.ValueCodec // without the error
	hasErr  bool
	resolve []byte // the resolve request: a schema with this one import
	handle  int32  // -1 until resolved
}

type importError string

func (e importError) Error() string { return string(e) }

func newHostFunc(name string, t reflect.Type) (*hostFunc, error) {
	if t.Kind() != reflect.Func {
		return nil, importError("the type argument must be a function type, not " + t.String())
	}
	if name == "" {
		return nil, importError("empty name")
	}
	h := &hostFunc{name: name, typ: t, handle: -1}
	var b wire.TypeBuilder
	sig := wire.Func{Name: name}
	for i := 0; i < t.NumIn(); i++ {
		r, err := b.Add(t.In(i))
		if err != nil {
			return nil, importError("parameter " + strconv.Itoa(i+1) + ": " + err.Error())
		}
		c, _ := wire.CodecOf(t.In(i))
		h.params = append(h.params, c)
		sig.Params = append(sig.Params, wire.Param{Type: r})
	}
	nout := t.NumOut()
	if nout > 0 && t.Out(nout-1) == errorType {
		h.hasErr = true
		sig.Flags |= wire.FlagError
		nout--
	}
	for i := 0; i < nout; i++ {
		r, err := b.Add(t.Out(i))
		if err != nil {
			return nil, importError("result " + strconv.Itoa(i+1) + ": " + err.Error())
		}
		c, _ := wire.CodecOf(t.Out(i))
		h.results = append(h.results, c)
		sig.Results = append(sig.Results, wire.Param{Type: r})
	}
	if t.IsVariadic() {
		sig.Flags |= wire.FlagVariadic
	}
	s := wire.Schema{Version: wire.ABIVersion, Producer: "isthmus-go", Types: b.Types, Imports: []wire.Func{sig}}
	h.resolve = s.Marshal()
	return h, nil
}

// call is the body of the function Import returns.
func (h *hostFunc) call(args []reflect.Value) []reflect.Value {
	outs := make([]reflect.Value, h.typ.NumOut())
	for i := range outs {
		outs[i] = reflect.New(h.typ.Out(i)).Elem()
	}
	if err := h.invoke(args, outs); err != nil {
		if !h.hasErr {
			panic(err)
		}
		for i := range outs {
			outs[i] = reflect.Zero(h.typ.Out(i))
		}
		var e error = err
		outs[len(outs)-1] = reflect.ValueOf(&e).Elem()
	}
	return outs
}

func (h *hostFunc) abiError(msg string) *HostError {
	return &HostError{Function: h.name, Type: "isthmus.ABIError", Message: msg}
}

// invoke calls the host function, decoding its results into outs.
func (h *hostFunc) invoke(args, outs []reflect.Value) *HostError {
	if h.handle < 0 {
		if err := h.doResolve(); err != nil {
			return err
		}
	}
	var e wire.Encoder
	e.Reset(takeBuffer())
	for i, a := range args {
		h.params[i].Encode(&e, a)
	}
	if e.Err() != nil {
		keepBuffer(e.Bytes())
		return h.abiError("arguments: " + e.Err().Error())
	}
	return h.exchange(h.handle, e.Bytes(), func(d *wire.Decoder) {
		for i, c := range h.results {
			c.Decode(d, outs[i])
		}
	})
}

// doResolve asks the host for the function's handle.
func (h *hostFunc) doResolve() *HostError {
	buf := append(takeBuffer(), h.resolve...)
	var handle uint32
	err := h.exchange(wire.ResolveID, buf, func(d *wire.Decoder) { handle = d.GetUint32() })
	if err != nil {
		return err
	}
	if handle > 1<<31-1 {
		return h.abiError("resolve: handle " + strconv.FormatUint(uint64(handle), 10) + " out of range")
	}
	h.handle = int32(handle)
	return nil
}

// exchange sends the request req (which owns its buffer up to cap(req)) with host_call
// id and decodes the response: status 0 with decodeOK, status 1 as a HostError.
func (h *hostFunc) exchange(id int32, req []byte, decodeOK func(d *wire.Decoder)) *HostError {
	if !hostAvailable() {
		keepBuffer(req)
		return &HostError{Function: h.name, Type: "isthmus.Unavailable",
			Message: "host functions are only available in a wasip1 module run by an isthmus host"}
	}
	buf := req[:cap(req)]
	p, n := doHostCall(id, buf, len(req))
	resp, msg := response(buf, p, n)
	defer keepBuffer(buf[:0])
	if msg != "" {
		return h.abiError(msg)
	}
	d := wire.NewDecoder(resp)
	switch status := d.GetUint8(); status {
	case wire.StatusOK:
		decodeOK(d)
	case wire.StatusError:
		msg := d.GetString()
		he := &HostError{Function: h.name, Message: msg, Type: d.GetString()}
		if d.Remaining() > 0 { // hosts written before the token existed end the payload here (§7.2)
			he.token = d.GetUint32()
		}
		if d.Finish() == nil {
			return he
		}
	default:
		return h.abiError("unknown response status " + strconv.Itoa(int(status)))
	}
	if err := d.Finish(); err != nil {
		return h.abiError("response: " + err.Error())
	}
	return nil
}
