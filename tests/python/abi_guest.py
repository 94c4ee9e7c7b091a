"""A hand-made isthmus-ABI guest in WebAssembly text (docs/abi.md), for the Python host tests.

It proves the ABI document is language-neutral: the schema bytes are written here from §9, the
guest functions in wat. Most functions *echo*: their results have the same types as their
parameters, so the result payload is status 0 followed by the argument bytes (§8.5)."""

import struct

KINDS = dict(bool=1, i8=2, i16=3, i32=4, i64=5, u8=6, u16=7, u32=8, u64=9, f32=10, f64=11, string=12,
             bytes=13, time=14, duration=15, any=16, list=17, array=18, map=19, struct=20, optional=21)


def u32(n):
    return struct.pack("<I", n)


def s(text):
    b = text.encode()
    return u32(len(b)) + b


class SchemaBuilder:
    def __init__(self):
        self.types = []  # encoded entries
        self.index = {}
        self.funcs = []
        self.imports = []

    def t(self, kind, *args):
        """Type index of (kind, args...); args are type indices/lengths, or for struct
        (name, [(field, type)])."""
        key = (kind, repr(args))
        if key in self.index:
            return self.index[key]
        if kind == "struct":
            name, fields = args
            body = s(name) + s("A test struct.") + u32(len(fields))
            body += b"".join(s(f) + u32(ft) + s("") for f, ft in fields)
        else:
            body = b"".join(u32(a) for a in args)
        self.index[key] = len(self.types)
        self.types.append(bytes([KINDS[kind]]) + body)
        return self.index[key]

    @staticmethod
    def fn(name, params, results, flags=0, doc=""):
        b = s(name) + s("example.com/demo." + name) + s(doc)
        b += u32(len(params)) + b"".join(s(n) + u32(t) for n, t in params)
        b += u32(len(results)) + b"".join(s(n) + u32(t) for n, t in results)
        return b + bytes([flags])

    def bytes(self, funcs, imports):
        out = u32(1) + s("abi_guest.py") + u32(len(self.types)) + b"".join(self.types)
        out += u32(len(funcs)) + b"".join(funcs) + u32(len(imports)) + b"".join(imports)
        return out


def wat_bytes(b):
    return "".join(f"\\{c:02x}" for c in b)


def build():
    """Returns (wat text, schema bytes, names) where names are the function names in id order."""
    sb = SchemaBuilder()
    string, i64, i32, u8 = sb.t("string"), sb.t("i64"), sb.t("i32"), sb.t("u8")
    opt_str = sb.t("optional", string)
    user = sb.t("struct", "example.com/demo.User", [("name", string), ("age", u8), ("nick", opt_str),
                                                     ("tags", sb.t("list", string))])
    echo = [
        ("EchoUser", [("u", user)]),
        ("EchoUsers", [("us", sb.t("list", user))]),
        ("EchoInts", [("xs", sb.t("list", i64))]),
        ("EchoMap", [("m", sb.t("map", string, i32))]),
        ("EchoBytes", [("b", sb.t("bytes"))]),
        ("EchoTime", [("t", sb.t("time"))]),
        ("EchoDur", [("d", sb.t("duration"))]),
        ("EchoOpt", [("p", opt_str)]),
        ("EchoAny", [("a", sb.t("any"))]),
        ("EchoU8", [("x", u8)]),
        ("EchoI16", [("x", sb.t("i16"))]),
        ("EchoU64", [("x", sb.t("u64"))]),
        ("EchoBool", [("x", sb.t("bool"))]),
        ("EchoF32", [("x", sb.t("f32"))]),
        ("EchoF64", [("x", sb.t("f64"))]),
        ("EchoArr", [("a", sb.t("array", 4, u8))]),
        ("EchoArrI", [("a", sb.t("array", 2, i32))]),
        ("Pair", [("a", i32), ("b", string)]),
        ("Sum", [("xs", sb.t("list", i64))]),
    ]
    funcs = [sb.fn("Greet", [("name", string)], [("", string)], doc="Greet returns a greeting for name.\n")]
    for name, params in echo:
        flags = 2 if name == "Sum" else 0
        funcs.append(sb.fn(name, params, [("", t) for _, t in params], flags))
    funcs.append(sb.fn("Fail", [], [], flags=1))
    funcs.append(sb.fn("Boom", [], []))
    funcs.append(sb.fn("Bad", [], []))
    funcs.append(sb.fn("CallLookup", [("key", string)], [("", i64)], flags=1))
    funcs.append(sb.fn("CallLookupNoErr", [("key", string)], [("", i64)], flags=1))
    funcs.append(sb.fn("FailOld", [], [], flags=1))
    imports = [sb.fn("lookup", [("key", string)], [("", i64)], flags=1)]
    names = ["Greet"] + [n for n, _ in echo] + ["Fail", "Boom", "Bad", "CallLookup", "CallLookupNoErr", "FailOld"]
    schema = sb.bytes(funcs, imports)

    # resolve requests are built with their own type table: string #0, i64 #1
    req = SchemaBuilder()
    rs, ri = req.t("string"), req.t("i64")
    resolve = req.bytes([], [SchemaBuilder.fn("lookup", [("key", rs)], [("", ri)], flags=1)])
    resolve_noerr = req.bytes([], [SchemaBuilder.fn("lookup", [("key", rs)], [("", ri)], flags=0)])

    n_echo = len(echo)
    fail = s("n must be positive") + s("*errors.errorString") + b"\0\0\0\0"  # host error token 0
    boom = s("runtime error: index out of range [5] with length 3") + s("runtime.boundsError") + \
        s("goroutine 1 [running]:\nmain.Boom()\n\t/src/main.go:12 +0x1d\n") + b"\0\0\0\0"
    bad = s("unknown function id")
    fail_old = s("from a guest built before host_error") + s("*errors.errorString")  # no token
    hosterr = s("*isthmus.HostError")
    # memory: 0x0100 "Hello, ", 0x0200 fail, 0x0300 boom, 0x0400 bad, 0x0600 resolve, 0x0800 resolve_noerr,
    # 0x1000 schema, 0x8000 scratch (32 KiB), 0x10000 results, 0x20000 allocations, 0x30000 requests
    layout = {0x100: b"Hello, ", 0x200: fail, 0x300: boom, 0x400: bad, 0x600: resolve, 0x800: resolve_noerr, 0xA00: hosterr, 0xC00: fail_old,
              0x1000: schema}
    assert len(schema) < 0x7000
    data = "\n".join(f'  (data (i32.const {off}) "{wat_bytes(b)}")' for off, b in layout.items())
    fid_fail = 1 + n_echo
    text = f"""
(module
  (import "isthmus" "host_call" (func $host_call (param i32 i32 i32 i32) (result i64)))
  (memory (export "memory") 5)
  (global $heap (mut i32) (i32.const 0x20000))
  (global $scratch_calls (export "scratch_calls") (mut i32) (i32.const 0))
  (global $alloc_calls (export "alloc_calls") (mut i32) (i32.const 0))
{data}
  (func (export "isthmus_abi_version") (result i32) i32.const 1)
  (func (export "isthmus_schema") (result i64) i64.const {(0x1000 << 32) | len(schema)})
  (func (export "isthmus_scratch") (param $n i32) (result i32)
    global.get $scratch_calls i32.const 1 i32.add global.set $scratch_calls
    local.get $n i32.const 0x8000 i32.gt_u if unreachable end
    i32.const 0x8000)
  (func $alloc (export "isthmus_alloc") (param $n i32) (result i32) (local $p i32)
    global.get $alloc_calls i32.const 1 i32.add global.set $alloc_calls
    local.get $n i32.eqz if i32.const 0 return end
    global.get $heap local.set $p
    global.get $heap local.get $n i32.add global.set $heap
    local.get $p)
  (func (export "isthmus_free") (param i32 i32))
  (func $packed (param $p i32) (param $n i32) (result i64)
    local.get $p i64.extend_i32_u i64.const 32 i64.shl local.get $n i64.extend_i32_u i64.or)
  (func $fixed (param $status i32) (param $src i32) (param $n i32) (result i64)
    (i32.store8 (i32.const 0x10000) (local.get $status))
    (memory.copy (i32.const 0x10001) (local.get $src) (local.get $n))
    (call $packed (i32.const 0x10000) (i32.add (local.get $n) (i32.const 1))))
  (func $lookup (param $ptr i32) (param $len i32) (param $req i32) (param $reqlen i32) (result i64)
    (local $r i64) (local $h i32) (local $rp i32) (local $n i32)
    ;; the request buffer is ours (the host may answer in place): copy the resolve request there
    (memory.copy (i32.const 0x30000) (local.get $req) (local.get $reqlen))
    (local.set $r (call $host_call (i32.const -1) (i32.const 0x30000) (local.get $reqlen) (i32.const 256)))
    (if (i32.load8_u (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32))))
      (then (return (local.get $r))))
    (local.set $h (i32.load (i32.add (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32))) (i32.const 1))))
    (memory.copy (i32.const 0x30000) (local.get $ptr) (local.get $len))
    (local.set $r (call $host_call (local.get $h) (i32.const 0x30000) (local.get $len) (i32.const 256)))
    (local.set $rp (i32.wrap_i64 (i64.shr_u (local.get $r) (i64.const 32))))
    (if (i32.eqz (i32.load8_u (local.get $rp))) (then (return (local.get $r))))
    ;; a host error: status 1, its message, the type *isthmus.HostError and the host's token
    ;; (which follows the host's own type string), like the Go SDK
    (local.set $n (i32.add (i32.load (i32.add (local.get $rp) (i32.const 1))) (i32.const 5)))
    (memory.copy (i32.const 0x10000) (local.get $rp) (local.get $n))
    (memory.copy (i32.add (i32.const 0x10000) (local.get $n)) (i32.const 0xA00) (i32.const {len(hosterr)}))
    (i32.store (i32.add (i32.const 0x10000) (i32.add (local.get $n) (i32.const {len(hosterr)})))
      (i32.load (i32.add (i32.add (local.get $rp) (local.get $n))
                         (i32.add (i32.const 4) (i32.load (i32.add (local.get $rp) (local.get $n)))))))
    (call $packed (i32.const 0x10000) (i32.add (local.get $n) (i32.const {len(hosterr) + 4}))))
  (func (export "isthmus_call") (param $fid i32) (param $ptr i32) (param $len i32) (result i64) (local $n i32)
    (if (i32.eqz (local.get $fid)) (then
      (local.set $n (i32.load (local.get $ptr)))
      (i32.store8 (i32.const 0x10000) (i32.const 0))
      (i32.store (i32.const 0x10001) (i32.add (local.get $n) (i32.const 7)))
      (memory.copy (i32.const 0x10005) (i32.const 0x100) (i32.const 7))
      (memory.copy (i32.const 0x1000c) (i32.add (local.get $ptr) (i32.const 4)) (local.get $n))
      (return (call $packed (i32.const 0x10000) (i32.add (local.get $n) (i32.const 12))))))
    (if (i32.le_u (local.get $fid) (i32.const {n_echo})) (then
      (return (call $fixed (i32.const 0) (local.get $ptr) (local.get $len)))))
    (if (i32.eq (local.get $fid) (i32.const {fid_fail})) (then
      (return (call $fixed (i32.const 1) (i32.const 0x200) (i32.const {len(fail)})))))
    (if (i32.eq (local.get $fid) (i32.const {fid_fail + 1})) (then
      (return (call $fixed (i32.const 2) (i32.const 0x300) (i32.const {len(boom)})))))
    (if (i32.eq (local.get $fid) (i32.const {fid_fail + 3})) (then
      (return (call $lookup (local.get $ptr) (local.get $len) (i32.const 0x600) (i32.const {len(resolve)})))))
    (if (i32.eq (local.get $fid) (i32.const {fid_fail + 4})) (then
      (return (call $lookup (local.get $ptr) (local.get $len) (i32.const 0x800) (i32.const {len(resolve_noerr)})))))
    (if (i32.eq (local.get $fid) (i32.const {fid_fail + 5})) (then
      (return (call $fixed (i32.const 1) (i32.const 0xC00) (i32.const {len(fail_old)})))))
    (call $fixed (i32.const 3) (i32.const 0x400) (i32.const {len(bad)}))))
"""
    return text, schema, names


def leb(n):
    out = bytearray()
    while True:
        b = n & 0x7F
        n >>= 7
        out.append(b | (0x80 if n else 0))
        if not n:
            return bytes(out)


def with_custom_section(wasm, name, payload):
    nb = name.encode()
    body = leb(len(nb)) + nb + payload
    return wasm + b"\x00" + leb(len(body)) + body
