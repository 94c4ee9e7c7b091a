"""Every type of the isthmus ABI's Go mapping (docs/abi.md §12–13), both ways, with boundary
values: Python → Go arguments and Go → Python results, through tests/python/go/abitypes built
with `isthmus build` and called through the C marshalling (python/src/abi.c).

Where Go prints what it received (Show*, *Info, *Bits), a test can tell an encoding fault from
a decoding one; echoes alone could hide two faults that cancel out."""

import array
import datetime
import math
import struct
import sys

import pytest

import isthmus

UTC = datetime.timezone.utc


class Host:
    """The host functions the Go package imports, recording what they receive."""

    def __init__(self):
        self.seen = []
        self.lib = None
        self.fail_exc = {}

    def everything(self, e):
        self.seen.append(e)
        self.lib.MakeBytes(20 << 20)  # the guest's memory grows while Go waits for this answer
        e.s = e.s + " (host)"
        e.i64 = e.i64 - 1
        return e

    def scalars(self, *args):
        self.seen.append(args)
        return args

    def fail(self, what):
        if what == "ok":
            return "fine"
        exc = self.fail_exc.get(what) or KeyError(what)
        self.fail_exc[what] = exc
        raise exc

    def noerror(self, what):
        raise RuntimeError("no error result: " + what)

    def reenter(self, n):
        return self.lib.Reenter(n)

    def variadic(self, prefix, *xs):
        return prefix + ",".join(str(x) for x in xs)

    def imports(self):
        return {"everything": self.everything, "scalars": self.scalars, "fail": self.fail,
                "noerror": self.noerror, "reenter": self.reenter, "variadic": self.variadic}


@pytest.fixture
def host():
    return Host()


@pytest.fixture
def lib(abitypes_wasm, host):
    lib = isthmus.load(abitypes_wasm, imports=host.imports())
    host.lib = lib
    return lib


def f32(x):
    return struct.unpack("<f", struct.pack("<f", x))[0]


# ---------------------------------------------------------------- bool and integers

def test_bool(lib):
    assert lib.EchoBool(True) is True
    assert lib.EchoBool(False) is False
    for bad in (1, 0, None, "true", 1.0):
        with pytest.raises(TypeError, match=r"EchoBool\(\) parameter v must be bool, not "):
            lib.EchoBool(bad)


INT_LIMITS = {
    "Int8": (-(2**7), 2**7 - 1, "int8"), "Int16": (-(2**15), 2**15 - 1, "int16"),
    "Int32": (-(2**31), 2**31 - 1, "int32"), "Int64": (-(2**63), 2**63 - 1, "int64"),
    "Int": (-(2**63), 2**63 - 1, "int64"),  # Go's int is 64-bit on wasm
    "Uint8": (0, 2**8 - 1, "uint8"), "Uint16": (0, 2**16 - 1, "uint16"), "Uint32": (0, 2**32 - 1, "uint32"),
    "Uint64": (0, 2**64 - 1, "uint64"), "Uint": (0, 2**64 - 1, "uint64"),
}


@pytest.mark.parametrize("name", sorted(INT_LIMITS))
def test_integer_limits_round_trip(lib, name):
    lo, hi, _ = INT_LIMITS[name]
    f = getattr(lib, "Echo" + name)
    for v in (lo, lo + 1, 0, 1, hi - 1, hi):
        back = f(v)
        assert back == v and type(back) is int


@pytest.mark.parametrize("name", sorted(INT_LIMITS))
def test_integer_one_past_the_limits_is_refused(lib, name):
    lo, hi, go = INT_LIMITS[name]
    f = getattr(lib, "Echo" + name)
    for v in (lo - 1, hi + 1, 2**200, -(2**200)):
        with pytest.raises(OverflowError, match=rf"Echo{name}\(\) parameter v: {v} is out of range for {go}$"):
            f(v)
    for bad in (1.0, "1", True, None, b"\x01"):
        with pytest.raises(TypeError, match=rf"Echo{name}\(\) parameter v must be {go}, not "):
            f(bad)


def test_integers_as_go_sees_them(lib):
    args = (-128, -32768, -(2**31), -(2**63), 2**63 - 1, 255, 65535, 2**32 - 1, 2**64 - 1, 2**64 - 1)
    assert lib.ShowInts(*args) == " ".join(str(a) for a in args)


def test_integer_limits_made_in_go(lib):
    lim = lib.IntLimits()
    assert (lim.I8Min, lim.I8Max, lim.I16Min, lim.I16Max) == (-128, 127, -32768, 32767)
    assert (lim.I32Min, lim.I32Max) == (-(2**31), 2**31 - 1)
    assert (lim.I64Min, lim.I64Max, lim.IntMin, lim.IntMax) == (-(2**63), 2**63 - 1, -(2**63), 2**63 - 1)
    assert (lim.U8Max, lim.U16Max, lim.U32Max, lim.U64Max, lim.UintMax) == (255, 65535, 2**32 - 1, 2**64 - 1, 2**64 - 1)


def test_integer_accepts_index_objects(lib):
    class Idx:
        def __index__(self):
            return 7

    assert lib.EchoInt8(Idx()) == 7


# ---------------------------------------------------------------- floats

def test_float64_specials_both_ways(lib):
    assert math.isnan(lib.EchoF64(math.nan))
    assert lib.EchoF64(math.inf) == math.inf and lib.EchoF64(-math.inf) == -math.inf
    z = lib.EchoF64(-0.0)
    assert z == 0.0 and math.copysign(1.0, z) == -1.0
    assert lib.F64Bits(-0.0) == 1 << 63
    assert lib.F64Bits(1.0) == 0x3FF0000000000000
    assert lib.EchoF64(sys.float_info.max) == sys.float_info.max
    assert lib.EchoF64(5e-324) == 5e-324
    assert lib.EchoF64(3) == 3.0 and type(lib.EchoF64(3)) is float  # an int is accepted
    with pytest.raises(OverflowError, match=r"EchoF64\(\) parameter v: .* is out of range for float64"):
        lib.EchoF64(10**400)
    for bad in ("1.0", None, True):
        with pytest.raises(TypeError, match=r"parameter v must be float64, not "):
            lib.EchoF64(bad)


def test_float32_rounding_and_specials(lib):
    assert lib.EchoF32(0.1) == f32(0.1) != 0.1
    assert lib.F32Bits(0.1) == 0x3DCCCCCD  # round to nearest, as Go's float32(x)
    assert lib.F32Bits(-0.0) == 0x80000000
    assert math.isnan(lib.EchoF32(math.nan))
    assert lib.EchoF32(math.inf) == math.inf and lib.EchoF32(-math.inf) == -math.inf
    assert lib.F32Bits(1e-46) == 0  # below the smallest denormal: rounds to zero, as in Go
    fmax = f32(3.4028234663852886e38)
    assert lib.EchoF32(fmax) == fmax
    assert lib.EchoF32(3.4028235e38) == fmax  # rounds down to the largest float32


def test_float32_overflow_is_refused(lib):
    """A finite value that float32 cannot hold is an OverflowError (as struct.pack('<f')), not inf."""
    for v in (1e39, -1e39, sys.float_info.max):
        with pytest.raises(OverflowError, match=r"EchoF32\(\) parameter v: .* is out of range for float32"):
            lib.EchoF32(v)


def test_float_specials_made_in_go(lib):
    d, s = lib.Specials()
    for vals in (d, s):
        assert math.isnan(vals[0])
        assert vals[1] == math.inf and vals[2] == -math.inf
        assert vals[3] == 0.0 and math.copysign(1.0, vals[3]) == -1.0
    assert d[4] == sys.float_info.max and d[5] == 5e-324
    assert s[4] == f32(3.4028234663852886e38) and s[5] == f32(1.401298464324817e-45)


# ---------------------------------------------------------------- strings and bytes

@pytest.mark.parametrize("s", ["", "a", "é∑", "a\x00b", "\x00", "😀𝄞", "日本語" * 1000, "x" * (1 << 20)])
def test_string_round_trip(lib, s):
    assert lib.EchoString(s) == s
    n = len(s.encode())
    assert lib.StringInfo(s) == (n, len(s), True)


def test_string_with_lone_surrogate_is_refused(lib):
    for s in ("\ud800", "a\udfffb", "😀\ud83d"):
        with pytest.raises(ValueError, match=r"EchoString\(\) parameter s: the str is not valid UTF-8.*surrogates not allowed"):
            lib.EchoString(s)
    assert lib.Tallied() == 0


def test_invalid_utf8_from_go_is_replaced(lib):
    assert lib.BytesToString(b"a\xffb") == "a\ufffdb"
    assert lib.BytesToString(b"\xed\xa0\x80") == "\ufffd\ufffd\ufffd"  # an encoded surrogate
    assert lib.BytesToString(b"\x00") == "\x00"


def test_string_refuses_bytes_and_bytes_refuses_str(lib):
    with pytest.raises(TypeError, match=r"parameter s must be string, not bytes"):
        lib.EchoString(b"x")
    with pytest.raises(TypeError, match=r"parameter b must be \[\]byte, not str"):
        lib.EchoBytes("x")
    with pytest.raises(TypeError, match=r"parameter b must be \[\]byte, not NoneType"):
        lib.EchoBytes(None)


@pytest.mark.parametrize("b", [b"", b"\x00", b"\x00\xff\x00", bytes(range(256)) * 3])
def test_bytes_round_trip(lib, b):
    assert lib.EchoBytes(b) == b
    assert lib.BytesInfo(b) == (len(b), False, sum(b))


def test_bytes_like_inputs(lib):
    assert lib.EchoBytes(bytearray(b"ab\x00")) == b"ab\x00"
    assert lib.EchoBytes(memoryview(b"xyzw")[1:3]) == b"yz"
    assert lib.EchoBytes(memoryview(b"abcdef")[::2]) == b"ace"  # not contiguous
    a = array.array("H", [1, 0x0201])
    assert lib.EchoBytes(a) == a.tobytes()  # raw bytes of any buffer
    assert lib.BytesInfo(bytearray()) == (0, False, 0)


def test_bytes_16_mib_both_ways(lib):
    n = 16 << 20
    data = bytes(i % 251 for i in range(251)) * (n // 251) + bytes(n % 251)
    assert len(data) == n
    assert lib.EchoBytes(data) == data
    assert lib.EchoBytes(bytearray(data)) == data
    assert lib.BytesInfo(memoryview(data)) == (n, False, sum(data[: n - n % 251]))
    made = lib.MakeBytes(n)
    assert len(made) == n and made[:300] == bytes(i % 251 for i in range(300)) and made[-1] == (n - 1) % 251


def test_nil_bytes_is_empty(lib):
    assert lib.NilBytes() == b""


# ---------------------------------------------------------------- slices, arrays, maps

def test_slices(lib):
    assert lib.EchoInts([]) == []
    assert lib.EchoInts([2**63 - 1, -(2**63), 0]) == [2**63 - 1, -(2**63), 0]
    assert lib.EchoInts((1, 2)) == [1, 2]
    assert lib.EchoInts(range(5)) == [0, 1, 2, 3, 4]
    assert lib.EchoNested([["a"], [], ["", "😀"]]) == [["a"], [], ["", "😀"]]
    assert lib.EchoFloats([0.1, -0.0]) == [f32(0.1), -0.0]
    assert lib.SliceInfo([]) == (False, 0)  # an empty list is an empty, non-nil slice
    assert lib.NilSlice() == []  # a nil slice comes back as an empty list, not None
    assert lib.NilNested() == [[], [], [1]]
    with pytest.raises(TypeError, match=r"parameter v must be \[\]int64, not NoneType"):
        lib.EchoInts(None)
    with pytest.raises(TypeError, match=r"parameter v must be \[\]int64, not str"):
        lib.EchoInts("12")
    with pytest.raises(TypeError, match=r"parameter v must be int64, not str"):
        lib.EchoInts([1, "2"])
    with pytest.raises(OverflowError, match=r"parameter v: 18446744073709551616 is out of range for int64"):
        lib.EchoInts([1, 2**64])


def test_arrays(lib):
    assert lib.EchoArray([1, -2, 32767]) == [1, -2, 32767]
    assert lib.EchoArray((0, 0, 0)) == [0, 0, 0]
    for bad in ([1, 2], [1, 2, 3, 4], []):
        with pytest.raises(ValueError, match=rf"EchoArray\(\) parameter a must have 3 elements for \[3\]int16, not {len(bad)}"):
            lib.EchoArray(bad)
    with pytest.raises(OverflowError, match="int16"):
        lib.EchoArray([1, 2, 40000])
    assert lib.EchoByteArray(b"ab\x00d") == b"ab\x00d"
    assert lib.EchoByteArray([1, 2, 3, 255]) == b"\x01\x02\x03\xff"
    assert lib.EchoByteArray(bytearray(b"wxyz")) == b"wxyz"
    for bad in (b"abc", b"abcde", b""):
        with pytest.raises(ValueError, match=r"EchoByteArray\(\) parameter a must have 4 bytes"):
            lib.EchoByteArray(bad)


def test_maps(lib):
    m = {"a": 1, "": -1, "é": 2**63 - 1, "a\x00": 0}
    assert lib.EchoMapString(m) == m
    assert lib.EchoMapString({}) == {}
    im = {-(2**63): "min", 2**63 - 1: "max", 0: ""}
    assert lib.EchoMapInt(im) == im
    assert lib.EchoMapUint8({0: True, 255: False}) == {0: True, 255: False}
    nested = {"x": [{1: 0.5, -1: math.inf}, {}], "y": []}
    assert lib.EchoMapNested(nested) == nested
    assert lib.MapInfo({}) == (False, 0)  # an empty dict is an empty, non-nil map
    assert lib.NilMap() == {}  # a nil map comes back as an empty dict, not None
    with pytest.raises(TypeError, match=r"EchoMapString\(\) parameter m must be map\[string\]int64, not NoneType"):
        lib.EchoMapString(None)
    with pytest.raises(TypeError, match=r"parameter m must be string, not int"):
        lib.EchoMapString({1: 1})
    with pytest.raises(OverflowError, match=r"parameter m: 256 is out of range for uint8"):
        lib.EchoMapUint8({256: True})
    with pytest.raises(TypeError, match=r"parameter m must be map\[string\]int64, not list"):
        lib.EchoMapString([("a", 1)])


def test_maps_from_go_come_sorted_by_key(lib):
    """Go iterates maps in random order; the host makes dicts in key order (docs/abi.md §13)."""
    m = lib.CountMap(300)
    assert list(m) == sorted(m) and len(m) == 300
    assert all(m[f"k{i}"] == i for i in range(300))
    k = lib.IntKeys(50)
    assert list(k) == sorted(k) and len(k) == 100 and k[50] == 0 and k[-49] == 49
    assert list(lib.EchoMapString({"b": 1, "a": 2, "c": 3})) == ["a", "b", "c"]
    assert list(lib.EchoMapString({"é": 1, "z": 2, "": 3, "Z": 4, "😀": 5})) == ["", "Z", "z", "é", "😀"]
    assert list(lib.EchoMapInt({5: "", -(2**63): "", 2**63 - 1: "", 0: ""})) == [-(2**63), 0, 5, 2**63 - 1]
    assert list(lib.BigMap()) == sorted(lib.BigMap())
    for _ in range(3):  # the same map, the same order, every time
        assert list(lib.BigMap()) == list(lib.BigMap())


def test_any_maps_come_sorted_by_class_then_value(lib):
    t0 = datetime.datetime(2000, 1, 1, tzinfo=UTC)
    v = {"s": 0, 2.5: 0, 3: 0, -4: 0, True: 0, None: 0, 2**63: 0, "a": 0, math.nan: 0, t0: 0,
         datetime.timedelta(1): 0, -0.5: 0}
    assert list(lib.EchoAny(v).keys())[:2] == [None, True]
    keys = list(lib.EchoAny(v))
    assert keys[2:7] == [-4, -0.5, 2.5, 3, 2**63] and math.isnan(keys[7])
    assert keys[8:] == ["a", "s", t0, datetime.timedelta(1)]
    assert list(lib.EchoAny({"b": {"y": 1, "x": 2}, "a": []})["b"]) == ["x", "y"]


# ---------------------------------------------------------------- structs and pointers

def test_struct_classes_follow_json_tags(lib):
    import dataclasses

    names = [f.name for f in dataclasses.fields(lib.Outer)]
    assert names == ["name", "inner", "ptr", "Plain", "items", "by_key", "when"]  # no Skip, no hide
    assert [f.name for f in dataclasses.fields(lib.Inner)] == ["x", "tags"]
    assert lib.types.Outer is lib.Outer


def test_nested_structs_round_trip(lib):
    Inner, Outer = lib.Inner, lib.Outer
    when = datetime.datetime(2024, 2, 29, 12, 0, tzinfo=UTC)
    o = Outer(name="n", inner=Inner(x=-1, tags=["t"]), ptr=Inner(x=2, tags=[]), Plain=1.5,
              items=[Inner(1, []), Inner(2, ["a", "b"])], by_key={"k": Inner(3, [])}, when=when)
    back = lib.EchoOuter(o)
    assert back == o and isinstance(back, Outer) and isinstance(back.inner, Inner)
    assert lib.ShowOuter(o) == "name=n inner={X:-1 Tags:[t]} ptr={X:2 Tags:[]} skip=0 plain=1.5 items=2 bykey=1"
    empty = Outer("", Inner(0, []), None, 0.0, [], {}, None)
    assert lib.EchoOuter(empty) == empty
    assert lib.ShowOuter(empty).startswith("name= inner={X:0 Tags:[]} ptr=nil")
    as_dict = {"name": "d", "inner": {"x": 5, "tags": []}, "ptr": None, "Plain": 0, "items": [], "by_key": {},
               "when": None}
    assert lib.EchoOuter(as_dict) == Outer("d", Inner(5, []), None, 0.0, [], {}, None)


def test_struct_errors(lib):
    Inner = lib.Inner
    with pytest.raises(TypeError, match=r"EchoOuter\(\) parameter o must be example.com/isthmustest/abitypes.Outer, not Inner"):
        lib.EchoOuter(Inner(1, []))
    with pytest.raises(TypeError, match=r"parameter o: missing field 'inner'"):
        lib.EchoOuter({"name": "x"})
    with pytest.raises(TypeError, match=r"must be int64, not str"):
        lib.EchoPtrInner(Inner("x", []))


def test_pointers(lib):
    assert lib.EchoPtr(None) is None
    assert lib.EchoPtr(0) == 0 and lib.EchoPtr(-(2**63)) == -(2**63)
    assert lib.EchoPtrInner(None) is None
    assert lib.EchoPtrInner(lib.Inner(1, ["a"])) == lib.Inner(1, ["a"])
    assert lib.EchoPtrs(["a", None, ""]) == ["a", None, ""]
    with pytest.raises(OverflowError, match="int64"):
        lib.EchoPtr(2**63)


# ---------------------------------------------------------------- time.Time and time.Duration

def test_time_round_trip(lib):
    for tz in (UTC, datetime.timezone(datetime.timedelta(hours=5, minutes=30)),
               datetime.timezone(datetime.timedelta(hours=-8)), datetime.timezone(datetime.timedelta(seconds=-30))):
        for t in (datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=tz),
                  datetime.datetime(1, 1, 1, tzinfo=UTC).astimezone(tz) if tz.utcoffset(None) >= datetime.timedelta(0)
                  else datetime.datetime(1, 1, 2, tzinfo=tz),
                  datetime.datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC).astimezone(tz)
                  if tz.utcoffset(None) <= datetime.timedelta(0) else datetime.datetime(9999, 12, 30, tzinfo=tz),
                  datetime.datetime(1969, 12, 31, 23, 59, 59, 999999, tzinfo=tz)):
            back = lib.EchoTime(t)
            assert back == t and back.utcoffset() == t.utcoffset() and back.tzinfo == tz
    assert lib.ShowTime(datetime.datetime(2024, 1, 2, 3, 4, 5, 6, tzinfo=UTC)) == "2024-01-02T03:04:05.000006Z"
    ist = datetime.timezone(datetime.timedelta(hours=5, minutes=30))
    assert lib.ShowTime(datetime.datetime(2024, 1, 2, 3, 4, 5, tzinfo=ist)) == "2024-01-02T03:04:05+05:30"
    # any tzinfo with a fixed utcoffset, e.g. zoneinfo
    zoneinfo = pytest.importorskip("zoneinfo")
    try:
        paris = zoneinfo.ZoneInfo("Europe/Paris")
    except zoneinfo.ZoneInfoNotFoundError:
        return
    t = datetime.datetime(2024, 7, 1, 12, 0, tzinfo=paris)
    back = lib.EchoTime(t)
    assert back == t and back.utcoffset() == datetime.timedelta(hours=2)


def test_naive_datetime_is_refused(lib):
    with pytest.raises(TypeError, match=r"EchoTime\(\) parameter t must be an aware datetime"):
        lib.EchoTime(datetime.datetime(2000, 1, 1))
    with pytest.raises(TypeError, match=r"parameter t must be time.Time, not date"):
        lib.EchoTime(datetime.date(2000, 1, 1))
    with pytest.raises(TypeError, match=r"parameter v must be an aware datetime"):
        lib.EchoAny([datetime.datetime(2000, 1, 1)])


def test_offset_with_microseconds_is_refused(lib):
    tz = datetime.timezone(datetime.timedelta(seconds=1, microseconds=5))
    with pytest.raises(ValueError, match=r"EchoTime\(\) parameter t: UTC offset 0:00:01.000005 is not a whole number of seconds"):
        lib.EchoTime(datetime.datetime(2000, 1, 1, tzinfo=tz))


def test_go_nanoseconds_round_to_the_nearest_microsecond(lib):
    """Go times carry nanoseconds, datetime microseconds: round half to even (docs/abi.md §13)."""
    base = 1_700_000_000
    cases = {0: 0, 499: 0, 500: 0, 501: 1, 1499: 1, 1500: 2, 2500: 2, 999_999_499: 999_999,
             123_456_789: 123_457}
    for ns, us in cases.items():
        t = lib.MakeTime(base, ns, 0)
        assert t == datetime.datetime.fromtimestamp(base, UTC) + datetime.timedelta(microseconds=us), ns
    # carries into the next second
    assert lib.MakeTime(base, 999_999_500, 0) == datetime.datetime.fromtimestamp(base + 1, UTC)
    assert lib.MakeTime(-1, 999_999_999, 0) == datetime.datetime(1970, 1, 1, tzinfo=UTC)
    # Go's zero time is datetime.min
    assert lib.MakeTime(-62135596800, 0, 0) == datetime.datetime(1, 1, 1, tzinfo=UTC)
    with pytest.raises(OverflowError, match="time year 0 is out of range for datetime"):
        lib.MakeTime(-62135596801, 0, 0)
    assert lib.MakeTime(0, 0, 86399).utcoffset() == datetime.timedelta(seconds=86399)
    for off in (86400, -86400):  # Go allows them, Python's timezone does not
        with pytest.raises(OverflowError, match=rf"time zone offset {off} s is out of range for datetime"):
            lib.MakeTime(0, 0, off)
    east = lib.MakeTime(0, 0, 3600)
    assert east.utcoffset() == datetime.timedelta(hours=1) and east.hour == 1


def test_duration_round_trip(lib):
    for d in (datetime.timedelta(0), datetime.timedelta(microseconds=1), datetime.timedelta(microseconds=-1),
              datetime.timedelta(days=-3, seconds=5, microseconds=7), datetime.timedelta(days=106751)):
        assert lib.EchoDuration(d) == d
    assert lib.DurationNanos(datetime.timedelta(microseconds=1)) == 1000
    assert lib.DurationNanos(datetime.timedelta(days=-1)) == -86400 * 10**9
    assert lib.DurationNanos(123) == 123  # int nanoseconds pass exactly
    assert lib.DurationNanos(2**63 - 1) == 2**63 - 1
    with pytest.raises(OverflowError, match=r"DurationNanos\(\) parameter d: .* is out of range for time.Duration"):
        lib.DurationNanos(datetime.timedelta(days=106752))
    with pytest.raises(OverflowError, match="time.Duration"):
        lib.DurationNanos(2**63)
    for bad in (1.5, "1s", None, True):
        with pytest.raises(TypeError, match=r"parameter d must be time.Duration, not "):
            lib.DurationNanos(bad)


def test_duration_nanoseconds_round_to_the_nearest_microsecond(lib):
    cases = {1: 0, 499: 0, 500: 0, 501: 1, 1500: 2, 2500: 2, -1: 0, -500: 0, -501: -1, -1500: -2, -2500: -2,
             -(2**63): -9223372036854776, 2**63 - 1: 9223372036854776}
    for ns, us in cases.items():
        assert lib.Nanos(ns) == datetime.timedelta(microseconds=us), ns


# ---------------------------------------------------------------- any

def test_any_round_trip(lib):
    t = datetime.datetime(2020, 1, 1, tzinfo=UTC)
    values = [None, True, False, 0, -(2**63), 2**63, 2**64 - 1, 1.5, math.inf, "", "😀", b"", b"\x00",
              [], [1, [2, [3]]], {}, {"a": None, "b": [1.0]}, {1: "x", -2: "y"}, t, datetime.timedelta(seconds=-1)]
    for v in values:
        back = lib.EchoAny(v)
        assert back == v and type(back) is type(v), v
    assert math.isnan(lib.EchoAny(math.nan))
    assert lib.EchoAny((1, "a")) == [1, "a"]
    assert lib.EchoAny(bytearray(b"x")) == b"x"


def test_any_as_go_sees_it(lib):
    assert lib.AnyType(1) == "int64"
    assert lib.AnyType(2**63) == "uint64"
    assert lib.AnyType(1.0) == "float64"
    assert lib.AnyType("s") == "string"
    assert lib.AnyType(b"s") == "[]uint8"
    assert lib.AnyType(None) == "<nil>"
    assert lib.AnyType({"a": 1}) == "map[string]interface {}"
    assert lib.AnyType({}) == "map[string]interface {}"
    assert lib.AnyType({1: 1}) == "map[interface {}]interface {}"
    assert lib.AnyType([1, "a", None, True]) == "[int64 string <nil> bool]"
    assert lib.AnyType(datetime.datetime(2000, 1, 1, tzinfo=UTC)) == "time.Time"
    assert lib.AnyType(datetime.timedelta(1)) == "time.Duration"


def test_any_values_made_in_go(lib):
    vals = lib.AnyValues()
    assert vals == [None, True, -8, 2**64 - 1, 1.5, 7, "s", b"\x00\x01", b"\x02\x03", [1, 2], {"a": 1}, {2: "b"},
                    {"x": 1, "tags": []}, "pointed", None, datetime.timedelta(microseconds=2),
                    datetime.datetime(1970, 1, 1, tzinfo=UTC)]


def test_any_refuses_what_go_cannot_hold(lib):
    for bad in (object(), {1, 2}, 1j, Ellipsis):
        with pytest.raises(TypeError, match=r"EchoAny\(\) parameter v must be any, not "):
            lib.EchoAny(bad)
    with pytest.raises(OverflowError, match=r"out of range for any"):
        lib.EchoAny(2**64)
    with pytest.raises(OverflowError, match=r"out of range for any"):
        lib.EchoAny(-(2**63) - 1)
    for key in ((1,), frozenset(), b"x"):  # keys Go cannot use in a map[any]any
        with pytest.raises(TypeError, match=r"EchoAny\(\) parameter v: a map key in any must be None, bool, int, "
                                            r"float, str, datetime or timedelta \(a Go map key\), not "):
            lib.EchoAny({"ok": 1, key: 1})
    a = []
    a.append(a)
    with pytest.raises(ValueError, match="nested too deeply"):
        lib.EchoAny(a)


def test_refused_arguments_never_reach_go(lib):
    """Every conversion happens before the call: a bad last argument leaves Go untouched."""
    good = [1, 2, 1.0, "s", b"b", True, datetime.datetime(2000, 1, 1, tzinfo=UTC), 5, {1: 1}, [1, 2], None]
    assert lib.Tally(*good) == 1
    bad = {0: 128, 1: -1, 2: 1e39, 3: "\ud800", 4: "str", 5: 1, 6: datetime.datetime(2000, 1, 1), 7: 2**63,
           8: {256: 1}, 9: [1], 10: lib.Outer}
    for i, v in bad.items():
        args = list(good)
        args[i] = v
        with pytest.raises((TypeError, ValueError, OverflowError)):
            lib.Tally(*args)
    assert lib.Tallied() == 1


# ---------------------------------------------------------------- errors and panics

def test_error_results(lib):
    with pytest.raises(isthmus.GoError) as ei:
        lib.Fail("it broke")
    assert ei.value.message == "it broke" and str(ei.value) == "it broke"
    assert ei.value.go_type == "*errors.errorString"
    assert ei.value.__cause__ is None and ei.value.__context__ is None
    assert lib.FailOrValue(3) == 3
    with pytest.raises(isthmus.GoError, match="n is -1: unsupported operation") as ei:
        lib.FailOrValue(-1)
    assert ei.value.go_type == "*fmt.wrapError"
    with pytest.raises(isthmus.GoError, match="^$"):
        lib.Fail("")


@pytest.mark.parametrize("value,message,go_type", [
    ("text", "text", "string"), (42, "42", "int64"), (None, "panic called with nil argument", "*runtime.PanicNilError"),
    ([1, "a"], "([]interface {}) [1 a]", "[]interface {}"),
])
def test_panics_and_the_instance_stays_usable(lib, value, message, go_type):
    with pytest.raises(isthmus.GoPanic) as ei:
        lib.Panic(value)
    assert ei.value.message == message and ei.value.go_type == go_type
    assert ei.value.stack.startswith("goroutine ") and "main.Panic(" in ei.value.stack
    assert lib.EchoString("after") == "after"


def test_runtime_panics(lib):
    with pytest.raises(isthmus.GoPanic, match="index out of range") as ei:
        lib.Index([1, 2], 5)
    assert ei.value.go_type == "runtime.boundsError"
    with pytest.raises(isthmus.GoPanic, match="oops") as ei:
        lib.PanicError("oops")
    assert ei.value.go_type == "*errors.errorString"
    for _ in range(3):  # repeated panics leave nothing behind
        with pytest.raises(isthmus.GoPanic):
            lib.Index([], 0)
    assert lib.Sum(1, 2) == 3


# ---------------------------------------------------------------- variadic parameters

def test_variadic(lib):
    assert lib.Sum() == 0
    assert lib.Sum(1, 2, 3) == 6
    assert lib.Sum(*range(1000)) == sum(range(1000))
    assert lib.Join(", ", "a", "b") == "a, b"
    assert lib.Join("-") == ""
    assert lib.Join(sep="+") == ""
    assert lib.CountAny() == (0, "")
    assert lib.CountAny([1, 2]) == (1, "[]interface {}")  # one list is one element
    assert lib.CountAny(1, "a") == (2, "int64")


def test_variadic_does_not_take_one_list(lib):
    """A Go ...T parameter is a Python *args: its elements are separate arguments (docs/abi.md §13)."""
    with pytest.raises(TypeError, match=r"Sum\(\) parameter xs must be int64, not list \(pass the elements "
                                        r"as separate arguments: Sum\(\*xs\)\)"):
        lib.Sum([1, 2])
    with pytest.raises(TypeError, match=r"Sum\(\) got an unexpected keyword argument 'xs'"):
        lib.Sum(xs=[1, 2])
    with pytest.raises(TypeError, match=r"Join\(\) got an unexpected keyword argument 'parts'"):
        lib.Join("-", parts=["a"])


# ---------------------------------------------------------------- callbacks (isthmus.Import)

def everything(lib, **kw):
    e = lib.Everything(
        b=True, i8=-128, i16=32767, i32=-(2**31), i64=2**63 - 1, i=-(2**63), u8=255, u16=65535, u32=2**32 - 1,
        u64=2**64 - 1, u=2**64 - 1, f32=f32(0.1), f64=-0.0, s="é\x00😀", bs=b"\x00\xff", arr=[0, 65535],
        l=[1, -1], m={"a": 1, "": 0}, mi={-(2**31): "min", 7: ""}, inner=lib.Inner(1, ["t"]),
        p=None, t=datetime.datetime(2001, 2, 3, 4, 5, 6, 7, tzinfo=datetime.timezone(datetime.timedelta(hours=-3))),
        d=datetime.timedelta(days=-1, microseconds=3), a={"k": [1, None, b"x"]}, lists=[[], ["x"]], opt="o")
    for k, v in kw.items():
        setattr(e, k, v)
    return e


def test_everything_round_trip(lib):
    e = everything(lib)
    assert lib.EchoEverything(e) == e
    e2 = everything(lib, p=lib.Inner(0, []), opt=None, a=None, mi={})
    assert lib.EchoEverything(e2) == e2


def test_callback_with_every_type(lib, host):
    e = everything(lib)
    back = lib.CallEverything(e)
    (seen,) = host.seen
    assert isinstance(seen, lib.Everything) and seen == everything(lib, s=seen.s, i64=seen.i64)
    assert back == everything(lib, s="é\x00😀 (host)", i64=2**63 - 2)


def test_callback_scalars_both_ways(lib, host):
    t = datetime.datetime(2024, 1, 1, 0, 0, 0, 1, tzinfo=UTC)
    args = (True, -128, 2**64 - 1, f32(1.1), "😀\x00", b"\x00", t, datetime.timedelta(microseconds=-5), [1, {"a": 2.5}])
    r = lib.CallScalars(*args)
    assert host.seen == [args]
    assert (r.b, r.i8, r.u64, r.f32, r.s, r.bs, r.t, r.d, r.a) == args


def test_callback_result_of_the_wrong_type_raises_in_python(abitypes_wasm, host):
    t = datetime.datetime(2000, 1, 1, tzinfo=UTC)
    bad = isthmus.load(abitypes_wasm, imports=dict(host.imports(), scalars=lambda *a: (1,) * 9))
    with pytest.raises(TypeError, match=r"scalars\(\) parameter result must be bool, not int"):
        bad.CallScalars(True, 0, 0, 0.0, "", b"", t, 0, None)
    bad = isthmus.load(abitypes_wasm, imports=dict(host.imports(), scalars=lambda *a: 5))
    with pytest.raises(TypeError, match=r"host function scalars must return a tuple of 9 values"):
        bad.CallScalars(True, 0, 0, 0.0, "", b"", t, 0, None)


def test_python_exception_in_callback_is_reraised(lib, host):
    with pytest.raises(KeyError) as ei:
        lib.CallFail("k")
    assert ei.value is host.fail_exc["k"]  # the very exception object
    ctx = ei.value.__context__
    assert isinstance(ctx, isthmus.GoError) and ctx.go_type == "*isthmus.HostError"
    assert ctx.message == "isthmus: host function \"fail\": KeyError: 'k'"
    assert lib.CallFail("ok") == "fine"


def test_wrapped_host_error_still_reraises_the_original(lib, host):
    """fmt.Errorf("...: %w", err) around a *isthmus.HostError (open question (c), docs/abi.md §6.2)."""
    host.fail_exc["w"] = ValueError("bad w")
    with pytest.raises(ValueError, match="bad w") as ei:
        lib.CallFailWrapped("w")
    assert ei.value is host.fail_exc["w"]
    ctx = ei.value.__context__
    assert isinstance(ctx, isthmus.GoError) and ctx.go_type == "*fmt.wrapError"
    assert ctx.message.startswith('CallFailWrapped("w"): isthmus: host function "fail": ValueError: bad w')


def test_the_host_error_that_go_returns_is_the_one_reraised(lib, host):
    host.fail_exc["first"] = LookupError("first")
    host.fail_exc["second"] = ArithmeticError("second")
    with pytest.raises(LookupError, match="first") as ei:
        lib.CallFailTwice("first", "second")
    assert ei.value is host.fail_exc["first"]


def test_host_error_not_returned_by_go_is_not_attached(lib, host):
    with pytest.raises(isthmus.GoError, match="a Go error of its own") as ei:
        lib.CallFailIgnored("x")
    assert ei.value.__cause__ is None and ei.value.__context__ is None
    assert lib.CallFailRecovered("y").startswith('recovered: isthmus: host function "fail": KeyError')
    with pytest.raises(isthmus.GoError) as ei:  # nothing stale from the calls before
        lib.Fail("plain")
    assert ei.value.__cause__ is None and ei.value.__context__ is None


def test_host_error_without_error_result_panics_and_reraises(lib):
    with pytest.raises(RuntimeError, match="no error result: z") as ei:
        lib.CallNoError("z")
    ctx = ei.value.__context__
    assert isinstance(ctx, isthmus.GoPanic) and ctx.go_type == "*isthmus.HostError"
    assert lib.EchoBool(True) is True


def test_host_error_fields_in_go(lib):
    assert lib.HostErrorFields("q") == ("fail", "KeyError", "'q'")


def test_missing_host_function(lib):
    with pytest.raises(isthmus.GoError, match=r"no host function 'missing' was given to isthmus.load") as ei:
        lib.CallMissing()
    assert ei.value.go_type == "*isthmus.HostError"


def test_reentry(lib):
    assert lib.Reenter(0) == 0
    assert lib.Reenter(1) == 1
    assert lib.Reenter(30) == 30
    assert lib.EchoString("x" * 10000) == "x" * 10000  # the scratch cache is sound after nesting


def test_reentry_with_an_exception_deep_inside(abitypes_wasm, host):
    def reenter(n):
        if n == 3:
            raise ZeroDivisionError("at 3")
        return lib.Reenter(n)

    lib = isthmus.load(abitypes_wasm, imports=dict(host.imports(), reenter=reenter))
    with pytest.raises(ZeroDivisionError, match="at 3"):
        lib.Reenter(8)
    assert lib.Reenter(2) == 2


def test_large_bytearray_is_released_before_go_runs(abitypes_wasm, host):
    """Regression: a large bytes-like argument is written from its own memory (no copy); its
    buffer export must end before Go runs, or a host function could not resize it."""
    big = bytearray(b"x" * (64 << 10))
    grown = []

    def scalars(*args):
        big.extend(b"yz")  # BufferError if the argument's buffer were still exported
        grown.append(len(big))
        return args

    lib = isthmus.load(abitypes_wasm, imports=dict(host.imports(), scalars=scalars))
    t = datetime.datetime(2000, 1, 1, tzinfo=UTC)
    r = lib.CallScalars(True, 0, 0, 0.0, "s" * 5000, big, t, 0, None)
    assert grown == [(64 << 10) + 2] and r.bs == b"x" * (64 << 10) and r.s == "s" * 5000
    big.extend(b"!")  # and after the call
    assert lib.EchoBytes(big) == bytes(big)


def test_large_strings_and_buffers_mixed_with_small_values(lib):
    """Spans (large values written straight into guest memory) interleave with inline bytes."""
    a, b = "α" * 3000, bytes(range(256)) * 40
    o = lib.Outer(a, lib.Inner(1, ["t" * 5000, "u"]), None, 2.0, [lib.Inner(2, [a])], {a: lib.Inner(3, [])}, None)
    assert lib.EchoOuter(o) == o
    assert lib.EchoNested([[a, "x"], [], [a * 2]]) == [[a, "x"], [], [a * 2]]
    assert lib.EchoAny([b, a, {a: b}]) == [b, a, {a: b}]
    e = everything(lib, s=a, bs=b, lists=[[a], [a]])
    assert lib.EchoEverything(e) == e


def test_regression_duration_out_of_range_inside_any_does_not_crash(lib):
    """The range error of a timedelta inside an any named its type by reading type UINT32_MAX."""
    with pytest.raises(OverflowError, match=r"EchoAny\(\) parameter v: .* is out of range for any"):
        lib.EchoAny([datetime.timedelta(days=200000)])


def test_struct_with_keyword_field_names_travels_as_a_dict(lib):
    import inspect
    from typing import Any, Dict

    assert not hasattr(lib.types, "Keywords")
    assert lib.EchoKeywords({"from": 1, "class": "c"}) == {"from": 1, "class": "c"}
    assert inspect.signature(lib.EchoKeywords).return_annotation == Dict[str, Any]


def test_no_reference_or_memory_leaks_on_abi_paths(abitypes_wasm, host):
    """Spans hold references to large arguments only during a call; kept host exceptions are
    dropped when the outermost call ends; a host result of the wrong type frees its buffer."""
    import gc
    import tracemalloc

    big_s, big_b = "s" * 10000, bytearray(20000)
    def fail(what):
        raise KeyError(what)  # a new exception each time (re-raising one object grows its traceback)

    bad_result = (True, 0, 0, 0.0, "x" * 9000, b"", "not a time", 0, None)
    lib = isthmus.load(abitypes_wasm, imports=dict(host.imports(), fail=fail, scalars=lambda *a: bad_result))
    t = datetime.datetime(2000, 1, 1, tzinfo=UTC)

    def once():
        lib.EchoString(big_s)
        lib.EchoBytes(big_b)
        with pytest.raises(KeyError):
            lib.CallFailWrapped("k")
        with pytest.raises(TypeError):
            lib.CallScalars(True, 0, 0, 0.0, "", b"", t, 0, None)

    refs = sys.getrefcount(big_s), sys.getrefcount(big_b)
    for _ in range(50):
        once()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(600):
        once()
    gc.collect()
    grown = tracemalloc.get_traced_memory()[0] - before
    tracemalloc.stop()
    assert (sys.getrefcount(big_s), sys.getrefcount(big_b)) == refs
    assert grown < 64 << 10, grown  # a leak of 110 bytes a call would show; a 9 KB buffer by far


def test_variadic_host_function_takes_separate_arguments(lib):
    """A Go ...T parameter of an imported function is a Python *args too (docs/abi.md §13.1 (a))."""
    assert lib.CallVariadic("n:", 1, 2, 3) == "n:1,2,3"
    assert lib.CallVariadic("n:") == "n:"


def test_struct_field_annotations(lib):
    import dataclasses
    from typing import Dict, List, Optional

    f = {x.name: x.type for x in dataclasses.fields(lib.Outer)}
    assert f["name"] is str and f["Plain"] is float
    assert f["inner"] in (lib.Inner, "Inner")  # a forward reference when Inner comes later
    assert f["by_key"] in (Dict[str, lib.Inner], Dict[str, "Inner"])
    assert {x.name: x.type for x in dataclasses.fields(lib.Inner)} == {"x": int, "tags": List[str]}
    assert {x.name: x.type for x in dataclasses.fields(lib.Everything)}["opt"] == Optional[str]
