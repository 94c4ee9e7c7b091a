"""The isthmus ABI host side (docs/abi.md) against a hand-made wat guest (abi_guest.py)."""

import datetime
import inspect
from typing import Dict, List, Optional

import pytest

import isthmus
from abi_guest import build, with_custom_section

TEXT, SCHEMA, NAMES = build()


@pytest.fixture(scope="module")
def guest_bytes(wat):
    return wat(TEXT)


def load(guest_bytes, custom=True, **kw):
    data = with_custom_section(guest_bytes, "isthmus.schema", SCHEMA) if custom else guest_bytes
    kw.setdefault("imports", {"lookup": lambda key: len(key)})
    return isthmus.load(data, **kw)


@pytest.fixture
def lib(guest_bytes):
    return load(guest_bytes)


def test_schema_functions_and_signatures(lib):
    assert lib.schema.version == 1
    assert [f[0] for f in lib.schema.funcs] == NAMES
    sig = inspect.signature(lib.Greet)
    assert list(sig.parameters) == ["name"]
    assert sig.parameters["name"].annotation is str
    assert sig.return_annotation is str
    assert lib.Greet.__doc__ == "Greet returns a greeting for name."
    assert lib.Greet.__name__ == "Greet"
    u = inspect.signature(lib.EchoUser)
    assert u.parameters["u"].annotation is lib.User is lib.types.User
    assert inspect.signature(lib.EchoMap).parameters["m"].annotation == Dict[str, int]
    assert inspect.signature(lib.EchoOpt).return_annotation == Optional[str]
    assert inspect.signature(lib.Pair).return_annotation.__args__ == (int, str)
    assert inspect.signature(lib.Sum).parameters["xs"].kind is inspect.Parameter.VAR_POSITIONAL
    assert inspect.signature(lib.EchoUsers).parameters["us"].annotation == List[lib.User]


def test_repr_lists_the_go_functions(lib, sum_lib):
    r = repr(lib)
    assert r.startswith("<isthmus.Library functions=") and "'Greet'" in r and "'User'" in r
    assert str(NAMES) in r
    assert "isthmus_call" not in r and "isthmus_scratch" not in r  # the ABI's raw exports stay in lib.exports
    assert "isthmus_call" in lib.exports
    assert repr(sum_lib).startswith("<isthmus.Library exports=") and "'sum'" in repr(sum_lib)


def test_abi_module_without_its_exports_is_refused(wat):
    text = TEXT.replace('(func (export "isthmus_schema")', "(func")
    assert text != TEXT
    with pytest.raises(isthmus.Error, match="must export the functions isthmus_schema"):
        isthmus.load(with_custom_section(wat(text), "isthmus.schema", SCHEMA), imports={"lookup": lambda key: len(key)})


def test_schema_from_export_without_custom_section(guest_bytes):
    lib = load(guest_bytes, custom=False)
    assert lib.Greet("ada") == "Hello, ada"


def test_plain_module_unchanged(sum_lib):
    assert sum_lib.sum(2, 3) == 5
    assert sum_lib.schema is None


def test_greet(lib):
    assert lib.Greet("ada") == "Hello, ada"
    assert lib.Greet(name="é∑") == "Hello, é∑"
    assert lib.Greet("") == "Hello, "
    big = "x" * 20000
    assert lib.Greet(big) == "Hello, " + big


def test_scratch_is_cached_at_depth_0(lib):
    lib.Greet("a")
    before = lib.scratch_calls.value
    for _ in range(10):
        lib.Greet("abc")
    assert lib.scratch_calls.value == before


def test_scalars(lib):
    assert lib.EchoU8(255) == 255
    assert lib.EchoI16(-32768) == -32768
    assert lib.EchoU64(2**64 - 1) == 2**64 - 1
    assert lib.EchoBool(True) is True and lib.EchoBool(False) is False
    assert lib.EchoF32(1.5) == 1.5
    assert lib.EchoF64(3) == 3.0
    assert lib.Pair(7, "x") == (7, "x")
    assert lib.EchoBytes(b"\x00\xff") == b"\x00\xff"
    assert lib.EchoBytes(bytearray(b"ab")) == b"ab"
    assert lib.EchoBytes(memoryview(b"xyz")[1:]) == b"yz"
    assert lib.EchoArr(b"abcd") == b"abcd"
    assert lib.EchoArr([1, 2, 3, 4]) == b"\x01\x02\x03\x04"
    assert lib.EchoArrI((5, -6)) == [5, -6]


def test_range_and_type_errors(lib):
    with pytest.raises(OverflowError, match=r"EchoU8\(\) parameter x: 256 is out of range for uint8"):
        lib.EchoU8(256)
    with pytest.raises(OverflowError, match="x: -1 is out of range for uint64"):
        lib.EchoU64(-1)
    with pytest.raises(OverflowError, match="int16"):
        lib.EchoI16(40000)
    with pytest.raises(TypeError, match=r"Greet\(\) parameter name must be string, not int"):
        lib.Greet(5)
    with pytest.raises(TypeError, match="parameter x must be bool, not int"):
        lib.EchoBool(1)
    with pytest.raises(TypeError, match=r"parameter xs must be \[\]int64, not str"):
        lib.EchoInts("abc")
    with pytest.raises(TypeError, match="parameter xs must be int64, not str"):
        lib.EchoInts([1, "2"])
    with pytest.raises(TypeError, match="takes 1 argument"):
        lib.Greet("a", "b")
    with pytest.raises(TypeError, match="missing argument"):
        lib.Greet()
    with pytest.raises(TypeError, match="unexpected keyword"):
        lib.Greet(nom="a")
    with pytest.raises(ValueError, match="4 bytes"):
        lib.EchoArr(b"abc")
    calls = lib.scratch_calls.value
    with pytest.raises(TypeError):
        lib.EchoUser("not a user")
    assert lib.scratch_calls.value == calls  # nothing entered the guest


def test_containers(lib):
    assert lib.EchoInts([1, -2, 3]) == [1, -2, 3]
    assert lib.EchoInts((4,)) == [4]
    assert lib.EchoInts([]) == []
    assert lib.EchoMap({"a": 1, "b": -2}) == {"a": 1, "b": -2}
    assert lib.EchoOpt(None) is None
    assert lib.EchoOpt("x") == "x"
    assert lib.Sum(1, 2, 3) == [1, 2, 3]
    assert lib.Sum() == []


def test_structs(lib):
    User = lib.User
    u = User(name="ada", age=36, nick=None, tags=["a", "b"])
    back = lib.EchoUser(u)
    assert isinstance(back, User) and back == u
    assert lib.EchoUser({"name": "bob", "age": 1, "nick": "b", "tags": []}) == User("bob", 1, "b", [])
    assert lib.EchoUsers([u, u]) == [u, u]
    with pytest.raises(TypeError, match="missing field 'tags'"):
        lib.EchoUser({"name": "x", "age": 1, "nick": None})
    with pytest.raises(OverflowError, match="uint8"):
        lib.EchoUser(User("x", 300, None, []))
    assert "A test struct." in User.__doc__


def test_time_and_duration(lib):
    utc = datetime.datetime(2024, 5, 6, 7, 8, 9, 123456, tzinfo=datetime.timezone.utc)
    assert lib.EchoTime(utc) == utc
    assert lib.EchoTime(utc).tzinfo == datetime.timezone.utc
    tz = datetime.timezone(datetime.timedelta(hours=-5, minutes=-30))
    local = datetime.datetime(1969, 12, 31, 23, 0, 0, tzinfo=tz)
    back = lib.EchoTime(local)
    assert back == local and back.utcoffset() == tz.utcoffset(None)
    with pytest.raises(TypeError, match="must be an aware datetime"):  # naive: which instant is meant?
        lib.EchoTime(datetime.datetime(2000, 1, 1))
    d = datetime.timedelta(days=-3, seconds=5, microseconds=7)
    assert lib.EchoDur(d) == d
    assert lib.EchoDur(1500) == datetime.timedelta(microseconds=2)  # 1.5 µs: to the nearest, ties to even
    assert lib.EchoDur(2500) == datetime.timedelta(microseconds=2)


def test_any(lib):
    v = {"a": [1, None, True, 2.5, "s", b"b"], "n": -(2**63), 3: {"x": 2**64 - 1}}
    assert lib.EchoAny(v) == v
    t = datetime.datetime(2020, 1, 1, tzinfo=datetime.timezone.utc)
    assert lib.EchoAny([t, datetime.timedelta(seconds=1)]) == [t, datetime.timedelta(seconds=1)]
    assert lib.EchoAny((1, 2)) == [1, 2]
    with pytest.raises(TypeError, match="must be any, not object"):
        lib.EchoAny(object())


def test_error_panic_callerror(lib):
    with pytest.raises(isthmus.GoError) as ei:
        lib.Fail()
    assert ei.value.message == "n must be positive"
    assert ei.value.go_type == "*errors.errorString"
    with pytest.raises(isthmus.GoPanic) as ei:
        lib.Boom()
    assert ei.value.go_type == "runtime.boundsError"
    assert "index out of range" in ei.value.message
    assert ei.value.stack.startswith("goroutine 1 [running]:")
    assert "main.Boom()" in str(ei.value)
    with pytest.raises(isthmus.CallError, match="unknown function id"):
        lib.Bad()
    assert lib.Greet("still usable") == "Hello, still usable"
    assert issubclass(isthmus.GoError, isthmus.Error)


def test_host_import(guest_bytes):
    seen = []

    def lookup(key):
        seen.append(key)
        if key == "missing":
            raise KeyError(key)
        return len(key) * 10

    lib = load(guest_bytes, imports={"lookup": lookup})
    assert lib.CallLookup("abc") == 30
    assert lib.CallLookup("abcd") == 40
    assert seen == ["abc", "abcd"]
    with pytest.raises(KeyError) as ei:
        lib.CallLookup("missing")
    # the Go error that carried it is the context
    assert isinstance(ei.value.__context__, isthmus.GoError)


def test_host_import_wrong_result_type(guest_bytes):
    lib = load(guest_bytes, imports={"lookup": lambda key: "not an int"})
    with pytest.raises(TypeError, match="must be int64"):
        lib.CallLookup("a")


def test_host_import_missing(guest_bytes):
    lib = load(guest_bytes, imports={})
    with pytest.raises(isthmus.GoError, match="no host function 'lookup'"):
        lib.CallLookup("a")


def test_host_import_reentry(guest_bytes):
    holder = {}

    def lookup(key):
        return len(holder["lib"].Greet(key))  # back into the guest from a host function

    lib = load(guest_bytes, imports={"lookup": lookup})
    holder["lib"] = lib
    assert lib.CallLookup("abc") == len("Hello, abc")


def test_bad_schema_version(guest_bytes):
    bad = bytearray(SCHEMA)
    bad[0] = 2
    data = with_custom_section(guest_bytes, "isthmus.schema", bytes(bad))
    with pytest.raises(isthmus.Error, match="isthmus ABI 2; this host supports 1"):
        isthmus.load(data, imports={})


def test_stubs_cli(guest_bytes, tmp_path):
    """`isthmus stubs FILE.wasm` writes a .pyi that Python parses, with the schema's names."""
    import ast
    import shutil
    import subprocess
    import sys
    from pathlib import Path

    exe = Path(sys.executable).parent / "isthmus"
    if not exe.exists():
        exe = shutil.which("isthmus")
        if not exe:
            pytest.skip("the isthmus command is not installed")
    wasm = tmp_path / "guest.wasm"
    wasm.write_bytes(with_custom_section(guest_bytes, "isthmus.schema", SCHEMA))
    r = subprocess.run([str(exe), "stubs", str(wasm)], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr
    ast.parse(r.stdout)
    assert "def Greet(name: str) -> str:" in r.stdout
    assert '"""Greet returns a greeting for name."""' in r.stdout
    assert "class User:" in r.stdout and "nick: Optional[str]" in r.stdout and "tags: List[str]" in r.stdout
    assert "def EchoUser(u: User) -> User:" in r.stdout
    assert "def Pair(a: int, b: str) -> Tuple[int, str]:" in r.stdout
    assert "def Sum(*xs: int) -> List[int]:" in r.stdout
    assert "def EchoMap(m: Mapping[str, int]) -> Dict[str, int]:" in r.stdout  # parameters: what is accepted
    plain = tmp_path / "plain.wasm"
    plain.write_bytes(guest_bytes)
    r = subprocess.run([str(exe), "stubs", str(plain)], capture_output=True, text=True)
    assert r.returncode == 1 and "no isthmus.schema" in r.stderr


def test_cyclic_value_is_refused(lib):
    a = []
    a.append(a)
    with pytest.raises(ValueError, match="nested too deeply"):
        lib.EchoAny(a)
    assert lib.Greet("ok") == "Hello, ok"


def test_error_payload_without_host_error_token(lib):
    """Guests built before the host_error field existed end a status 1 payload after the type."""
    with pytest.raises(isthmus.GoError, match="from a guest built before host_error") as ei:
        lib.FailOld()
    assert ei.value.go_type == "*errors.errorString"
