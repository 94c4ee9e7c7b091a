"""A reference host of the isthmus ABI in pure Python, written from docs/abi.md alone.

It runs on the low-level layer of the `isthmus` package (Instance: plain wasm calls and memory) and does in
Python loops what the real host will do in C. It exists to check the Go guest SDK against
the document: tests/go/test_abi.py drives it.

    host = AbiHost("example.wasm", {"lookup": lambda key: key.upper()})
    host.call("Greet", "Ada")
"""

from __future__ import annotations

import datetime as _dt
import struct
from typing import Any, Callable, Dict, List, Optional, Tuple

import isthmus

ABI_VERSION = 1
SECTION = "isthmus.schema"

# kinds (docs/abi.md §8)
NIL, BOOL, I8, I16, I32, I64, U8, U16, U32, U64, F32, F64 = range(0x00, 0x0C)
STRING, BYTES, TIME, DURATION, ANY, LIST, ARRAY, MAP, STRUCT, OPTIONAL = range(0x0C, 0x16)
SCALARS = {BOOL: "<?", I8: "<b", I16: "<h", I32: "<i", I64: "<q", U8: "<B", U16: "<H", U32: "<I",
           U64: "<Q", F32: "<f", F64: "<d"}
MAX_DEPTH = 10000
EPOCH = _dt.datetime(1970, 1, 1, tzinfo=_dt.timezone.utc)


class GoError(Exception):
    """Status 1: the Go function returned an error."""

    def __init__(self, message: str, type_: str, host_exception: Optional[BaseException] = None):
        super().__init__(message)
        self.message, self.type = message, type_
        self.host_exception = host_exception  # the host function's exception the error wraps (§6.2)


class GoPanic(Exception):
    """Status 2: the Go function panicked (the guest recovered)."""

    def __init__(self, message: str, type_: str, stack: str, host_exception: Optional[BaseException] = None):
        super().__init__(message)
        self.message, self.type, self.stack = message, type_, stack
        self.host_exception = host_exception


class CallError(Exception):
    """Status 3: the call could not be made or its results not encoded."""


class Reader:
    def __init__(self, buf: bytes):
        self.buf, self.off = buf, 0

    def take(self, n: int) -> bytes:
        if self.off + n > len(self.buf):
            raise ValueError("truncated payload at byte %d" % self.off)
        b = self.buf[self.off:self.off + n]
        self.off += n
        return b

    def scalar(self, kind: int) -> Any:
        fmt = SCALARS[kind]
        v = struct.unpack(fmt, self.take(struct.calcsize(fmt)))[0]
        return v

    def u8(self) -> int:
        return self.scalar(U8)

    def u32(self) -> int:
        return self.scalar(U32)

    def str(self) -> str:
        return self.take(self.u32()).decode("utf-8", "replace")

    def done(self) -> None:
        if self.off != len(self.buf):
            raise ValueError("%d trailing bytes" % (len(self.buf) - self.off))


class Schema:
    """The schema (docs/abi.md §9.2)."""

    def __init__(self, data: bytes):
        r = Reader(data)
        self.version = r.u32()
        if self.version != ABI_VERSION:
            raise ValueError("module uses isthmus ABI %d; this host supports %d" % (self.version, ABI_VERSION))
        self.producer = r.str()
        self.types: List[dict] = []
        for _ in range(r.u32()):
            kind = r.u8()
            t: Dict[str, Any] = {"kind": kind}
            if kind in (LIST, OPTIONAL):
                t["elem"] = r.u32()
            elif kind == ARRAY:
                t["len"], t["elem"] = r.u32(), r.u32()
            elif kind == MAP:
                t["key"], t["elem"] = r.u32(), r.u32()
            elif kind == STRUCT:
                t["name"], t["doc"] = r.str(), r.str()
                t["fields"] = [(r.str(), r.u32(), r.str()) for _ in range(r.u32())]
            elif not BOOL <= kind <= ANY:
                raise ValueError("unknown kind 0x%x" % kind)
            self.types.append(t)
        self.funcs = [self._func(r) for _ in range(r.u32())]
        self.imports = [self._func(r) for _ in range(r.u32())]
        r.done()

    @staticmethod
    def _func(r: Reader) -> dict:
        f = {"name": r.str(), "go_name": r.str(), "doc": r.str()}
        f["params"] = [(r.str(), r.u32()) for _ in range(r.u32())]
        f["results"] = [(r.str(), r.u32()) for _ in range(r.u32())]
        flags = r.u8()
        if flags & ~3:
            raise ValueError("unknown flags 0x%x" % flags)
        f["error"], f["variadic"] = bool(flags & 1), bool(flags & 2)
        return f


class Codec:
    """Values of a type table ↔ Python (the mapping of docs/abi.md §13)."""

    def __init__(self, types: List[dict]):
        self.types = types

    # -- encoding -------------------------------------------------------------------------
    def encode(self, ref: int, v: Any, out: bytearray, depth: int = 0) -> None:
        if depth > MAX_DEPTH:
            raise ValueError("value nested too deeply")
        t = self.types[ref]
        k = t["kind"]
        if k == BOOL:
            if not isinstance(v, bool):
                raise TypeError("expected bool, got %r" % (v,))
            out += struct.pack("<?", v)
        elif k in SCALARS:
            out += struct.pack(SCALARS[k], v)  # struct.error on out-of-range values
        elif k == STRING:
            b = v.encode("utf-8")
            out += struct.pack("<I", len(b)) + b
        elif k == BYTES:
            b = bytes(v)
            out += struct.pack("<I", len(b)) + b
        elif k == TIME:
            if v.tzinfo is None:
                v = v.replace(tzinfo=_dt.timezone.utc)
            delta = v - EPOCH
            secs = delta.days * 86400 + delta.seconds
            off = int(v.utcoffset().total_seconds())
            out += struct.pack("<qIi", secs, delta.microseconds * 1000, off)
        elif k == DURATION:
            us = (v.days * 86400 + v.seconds) * 10**6 + v.microseconds
            out += struct.pack("<q", us * 1000)
        elif k == ANY:
            self.encode_any(v, out, depth + 1)
        elif k == LIST:
            out += struct.pack("<I", len(v))
            for x in v:
                self.encode(t["elem"], x, out, depth + 1)
        elif k == ARRAY:
            if len(v) != t["len"]:
                raise ValueError("array of %d elements, got %d" % (t["len"], len(v)))
            for x in v:
                self.encode(t["elem"], x, out, depth + 1)
        elif k == MAP:
            out += struct.pack("<I", len(v))
            for key, x in v.items():
                self.encode(t["key"], key, out, depth + 1)
                self.encode(t["elem"], x, out, depth + 1)
        elif k == STRUCT:
            for name, fref, _doc in t["fields"]:
                self.encode(fref, v[name], out, depth + 1)
        elif k == OPTIONAL:
            if v is None:
                out.append(0)
            else:
                out.append(1)
                self.encode(t["elem"], v, out, depth + 1)
        else:
            raise ValueError("kind 0x%x" % k)

    def encode_any(self, v: Any, out: bytearray, depth: int) -> None:
        if depth > MAX_DEPTH:
            raise ValueError("value nested too deeply")
        if v is None:
            out.append(NIL)
        elif isinstance(v, bool):
            out += bytes([BOOL, int(v)])
        elif isinstance(v, int):
            if -2**63 <= v < 2**63:
                out += bytes([I64]) + struct.pack("<q", v)
            else:
                out += bytes([U64]) + struct.pack("<Q", v)
        elif isinstance(v, float):
            out += bytes([F64]) + struct.pack("<d", v)
        elif isinstance(v, str):
            b = v.encode("utf-8")
            out += bytes([STRING]) + struct.pack("<I", len(b)) + b
        elif isinstance(v, (bytes, bytearray, memoryview)):
            b = bytes(v)
            out += bytes([BYTES]) + struct.pack("<I", len(b)) + b
        elif isinstance(v, _dt.datetime):
            out.append(TIME)
            self.encode(self._kind_ref(TIME), v, out, depth)
        elif isinstance(v, _dt.timedelta):
            out.append(DURATION)
            self.encode(self._kind_ref(DURATION), v, out, depth)
        elif isinstance(v, (list, tuple)):
            out += bytes([LIST]) + struct.pack("<I", len(v))
            for x in v:
                self.encode_any(x, out, depth + 1)
        elif isinstance(v, dict):
            out += bytes([MAP]) + struct.pack("<I", len(v))
            for key, x in v.items():
                self.encode_any(key, out, depth + 1)
                self.encode_any(x, out, depth + 1)
        else:
            raise TypeError("cannot send %s in an any" % type(v).__name__)

    def _kind_ref(self, kind: int) -> int:
        for i, t in enumerate(self.types):
            if t["kind"] == kind:
                return i
        self.types.append({"kind": kind})
        return len(self.types) - 1

    # -- decoding -------------------------------------------------------------------------
    def decode(self, ref: int, r: Reader, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise ValueError("value nested too deeply")
        t = self.types[ref]
        k = t["kind"]
        if k == BOOL:
            b = r.u8()
            if b > 1:
                raise ValueError("bool byte %d" % b)
            return b == 1
        if k in SCALARS:
            return r.scalar(k)
        if k == STRING:
            return r.str()
        if k == BYTES:
            return r.take(r.u32())
        if k == TIME:
            secs, nsec, off = struct.unpack("<qIi", r.take(16))
            tz = _dt.timezone(_dt.timedelta(seconds=off)) if off else _dt.timezone.utc
            return (EPOCH + _dt.timedelta(seconds=secs, microseconds=nsec // 1000)).astimezone(tz)
        if k == DURATION:
            return _dt.timedelta(microseconds=r.scalar(I64) // 1000)
        if k == ANY:
            return self.decode_any(r, depth + 1)
        if k == LIST:
            return [self.decode(t["elem"], r, depth + 1) for _ in range(r.u32())]
        if k == ARRAY:
            if self.types[t["elem"]]["kind"] == U8:
                return r.take(t["len"])
            return [self.decode(t["elem"], r, depth + 1) for _ in range(t["len"])]
        if k == MAP:
            out = {}
            for _ in range(r.u32()):
                key = self.decode(t["key"], r, depth + 1)
                out[key] = self.decode(t["elem"], r, depth + 1)
            return out
        if k == STRUCT:
            return {name: self.decode(fref, r, depth + 1) for name, fref, _doc in t["fields"]}
        if k == OPTIONAL:
            p = r.u8()
            if p > 1:
                raise ValueError("presence byte %d" % p)
            return self.decode(t["elem"], r, depth + 1) if p else None
        raise ValueError("kind 0x%x" % k)

    def decode_any(self, r: Reader, depth: int) -> Any:
        tag = r.u8()
        if tag == NIL:
            return None
        if tag == LIST:
            return [self.decode_any(r, depth + 1) for _ in range(r.u32())]
        if tag == MAP:
            out = {}
            for _ in range(r.u32()):
                key = self.decode_any(r, depth + 1)
                out[key] = self.decode_any(r, depth + 1)
            return out
        if BOOL <= tag <= DURATION:
            return self.decode(self._kind_ref(tag), r, depth)
        raise ValueError("unknown any tag 0x%x" % tag)


class AbiHost:
    """Loads a module built with isthmus build and calls its functions by name."""

    def __init__(self, path: str, host_functions: Optional[Dict[str, Callable[..., Any]]] = None,
                 scratch_cache: bool = True, **wasi_args: Any):
        module = isthmus.Module.from_file(path)
        sections = [data for name, data in module.custom_sections if name == SECTION]
        if len(sections) != 1:
            raise ValueError("%s: %d %s sections" % (path, len(sections), SECTION))
        self.schema = Schema(sections[0])
        self.codec = Codec(list(self.schema.types))
        self.by_name = {f["name"]: (i, f) for i, f in enumerate(self.schema.funcs)}
        self.host_functions = dict(host_functions or {})
        self.handles: List[Tuple[Callable[..., Any], dict, Codec]] = []
        self.host_exceptions: Dict[int, BaseException] = {}  # token → exception (§7.2)
        self.last_token = 0
        self.depth = 0
        self.scratch: Optional[Tuple[int, int]] = None  # (ptr, size) from the last isthmus_scratch
        self.scratch_cache = scratch_cache
        self.stats = {"scratch": 0, "alloc": 0, "in_place": 0, "resolve": 0, "host_calls": 0}
        # The low-level layer only: plain wasm calls and memory, no ABI support of the package.
        wasi = isthmus.WasiConfig(**wasi_args)
        self.instance = isthmus.Instance(module, {"isthmus": {"host_call": self._host_call}}, wasi=wasi)
        x = self.exports = self.instance.exports
        self.mem = x["memory"]
        x["_initialize"]()
        self._call, self._alloc, self._scratch = x["isthmus_call"], x["isthmus_alloc"], x["isthmus_scratch"]
        if x["isthmus_abi_version"]() != ABI_VERSION:
            raise ValueError("isthmus_abi_version disagrees")
        ptr, n = self._unpack(x["isthmus_schema"]())
        if self.mem.read(ptr, n) != sections[0]:
            raise ValueError("isthmus_schema and the custom section differ")

    @staticmethod
    def _unpack(packed: int) -> Tuple[int, int]:
        packed &= 0xFFFFFFFFFFFFFFFF
        return packed >> 32, packed & 0xFFFFFFFF

    def _args_buffer(self, n: int) -> int:
        """Where to write n bytes of arguments (docs/abi.md §5.1)."""
        if self.scratch_cache and self.depth == 0 and self.scratch and n <= self.scratch[1]:
            return self.scratch[0]
        self.stats["scratch"] += 1
        size = max(n, 4096)  # ask for more than needed, so that the next calls fit too
        ptr = self._scratch(size) & 0xFFFFFFFF
        self.scratch = (ptr, size)
        return ptr

    def call_raw(self, fid: int, args: bytes, use_alloc: bool = False) -> bytes:
        """Calls function fid with encoded arguments; returns the result payload."""
        if not args:
            ptr = 0
        elif use_alloc:
            ptr = self._alloc(len(args)) & 0xFFFFFFFF
        else:
            ptr = self._args_buffer(len(args))
        if args:
            self.mem.write(ptr, args)
        self.depth += 1
        try:
            packed = self._call(fid, ptr, len(args))
        finally:
            self.depth -= 1
        rptr, rlen = self._unpack(packed)
        return self.mem.read(rptr, rlen)  # before any other call into the guest

    def call(self, name: str, *args: Any, use_alloc: bool = False) -> Any:
        fid, f = self.by_name[name]
        params = f["params"]
        if f["variadic"]:
            args = tuple(args[:len(params) - 1]) + (list(args[len(params) - 1:]),)
        if len(args) != len(params):
            raise TypeError("%s() takes %d arguments, got %d" % (name, len(params), len(args)))
        out = bytearray()
        for (_, ref), a in zip(params, args):
            self.codec.encode(ref, a, out)
        return self.result(f, self.call_raw(fid, bytes(out), use_alloc))

    def result(self, f: dict, payload: bytes) -> Any:
        r = Reader(payload)
        status = r.u8()
        if status == 1:
            e = GoError(r.str(), r.str())
            e.host_exception = self.host_exceptions.pop(r.u32(), None)
            r.done()
            raise e
        if status == 2:
            p = GoPanic(r.str(), r.str(), r.str())
            p.host_exception = self.host_exceptions.pop(r.u32(), None)
            r.done()
            raise p
        if status == 3:
            msg = r.str()
            r.done()
            raise CallError(msg)
        if status != 0:
            raise ValueError("unknown status %d" % status)
        values = [self.codec.decode(ref, r) for _, ref in f["results"]]
        r.done()
        if not values:
            return None
        return values[0] if len(values) == 1 else tuple(values)

    # -- host functions (docs/abi.md §7) -----------------------------------------------
    def _host_call(self, id_: int, ptr: int, n: int, cap: int) -> int:
        ptr &= 0xFFFFFFFF
        request = self.mem.read(ptr, n & 0xFFFFFFFF)
        out = bytearray()
        if id_ == -1:
            self.stats["resolve"] += 1
            try:
                sig_schema = Schema(request)
                (imp,) = sig_schema.imports
                fn = self.host_functions[imp["name"]]
                self.handles.append((fn, imp, Codec(sig_schema.types)))
                out += bytes([0]) + struct.pack("<I", len(self.handles) - 1)
            except KeyError as e:
                self._error(out, "no host function %s" % e, "LookupError")
        else:
            self.stats["host_calls"] += 1
            fn, imp, codec = self.handles[id_]
            r = Reader(request)
            args = [codec.decode(ref, r) for _, ref in imp["params"]]
            r.done()
            if imp["variadic"]:
                args = args[:-1] + list(args[-1])
            try:
                value = fn(*args)  # may call back into the guest
                results = imp["results"]
                values = [] if not results else ([value] if len(results) == 1 else list(value))
                out.append(0)
                for (_, ref), v in zip(results, values):
                    codec.encode(ref, v, out)
            except Exception as e:  # answered as status 1, never unwound through the guest
                out.clear()
                self.last_token += 1
                self.host_exceptions[self.last_token] = e
                self._error(out, str(e), type(e).__name__, self.last_token)
        if len(out) <= cap:
            self.stats["in_place"] += 1
            self.mem.write(ptr, bytes(out))
            return (ptr << 32) | len(out)
        self.stats["alloc"] += 1
        a = self._alloc(len(out)) & 0xFFFFFFFF
        self.mem.write(a, bytes(out))
        return (a << 32) | len(out)

    @staticmethod
    def _error(out: bytearray, message: str, type_: str, token: int = 0) -> None:
        m, t = message.encode(), type_.encode()
        out += bytes([1]) + struct.pack("<I", len(m)) + m + struct.pack("<I", len(t)) + t + struct.pack("<I", token)
