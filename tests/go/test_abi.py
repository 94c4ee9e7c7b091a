"""The Go guest SDK against docs/abi.md, through the reference host abi_host.py.

Run by tests/go/run.sh (EXAMPLE_WASM is the example module it built):
    EXAMPLE_WASM=build/go/example.wasm python -m pytest tests/go/test_abi.py
"""

from __future__ import annotations

import datetime as dt
import os
import struct

import pytest

from abi_host import AbiHost, CallError, GoError, GoPanic

WASM = os.environ.get("EXAMPLE_WASM", "")
pytestmark = pytest.mark.skipif(not WASM, reason="EXAMPLE_WASM not set")

LOOKUPS = {"a": "alpha"}


@pytest.fixture(scope="module")
def host() -> AbiHost:
    progress_calls = []

    def lookup(key: str) -> str:
        return LOOKUPS[key]

    def progress(done: int, total: int) -> None:
        progress_calls.append((done, total))
        if done == 2:  # re-entry: back into Go while Go waits for us
            assert h.call("Greet", "nested") == "Hello, nested!"
            assert h.call("Title", "inner call") == "Inner Call"

    h = AbiHost(WASM, {"lookup": lookup, "progress": progress})
    h.progress_calls = progress_calls
    return h


def test_schema(host: AbiHost) -> None:
    s = host.schema
    names = [f["name"] for f in s.funcs]
    assert names == sorted(names)
    assert {"Add", "Answer", "Title", "count", "ToUpper", "repeat"} <= set(names)
    greet = host.by_name["Greet"][1]
    assert greet["doc"] == "Greet returns a greeting.\n"
    assert greet["params"][0][0] == "name"
    assert host.by_name["Sum"][1]["variadic"]
    assert host.by_name["Divide"][1]["error"]
    imports = {f["name"]: f for f in s.imports}
    assert set(imports) == {"lookup", "progress"}
    assert imports["lookup"]["doc"] == "lookup asks the host for the value of a key.\n"
    assert [p[0] for p in imports["progress"]["params"]] == ["done", "total"]
    person = next(t for t in s.types if t.get("name") == "example.com/isthmus-example.Person")
    assert [f[0] for f in person["fields"]] == ["name", "age", "email", "tags", "born"]
    assert person["doc"] == "Person is someone.\n"
    assert person["fields"][2][2] == "nil when unknown\n"


def test_scalars_and_strings(host: AbiHost) -> None:
    assert host.call("Add", 40, 2) == 42
    assert host.call("Add", 2**31 - 1, 1) == -2**31  # Go's int32 wraps
    assert host.call("Answer") == 42
    assert host.call("Greet", "Ada") == "Hello, Ada!"
    assert host.call("Greet", "żółw ☃") == "Hello, żółw ☃!"
    assert host.call("ToUpper", "abc") == "ABC"
    assert host.call("repeat", "ab", 3) == "ababab"
    assert host.call("Title", "hello wide world") == "Hello Wide World"
    assert host.call("Reverse", b"\x00\x01\xff") == b"\xff\x01\x00"
    assert host.call("Reverse", b"") == b""
    assert host.call("Digest", b"abcdefgh") == bytes([ord("a") ^ ord("e"), ord("b") ^ ord("f"),
                                                      ord("c") ^ ord("g"), ord("d") ^ ord("h")])
    big = "x" * 200000  # grows the scratch buffer and the result buffer
    assert host.call("Greet", big) == "Hello, " + big + "!"


def test_structs_slices_maps(host: AbiHost) -> None:
    born = dt.datetime(1815, 12, 10, tzinfo=dt.timezone.utc)
    ada = {"name": "Ada", "age": 36, "email": "ada@example.com", "tags": ["math", "poetry"], "born": born}
    assert host.call("Describe", ada) == "Ada (36, ada@example.com, born 1815-12-10) [math,poetry]"
    assert host.call("Describe", dict(ada, email=None, tags=[])) == "Ada (36, no email, born 1815-12-10) []"
    bob = dict(ada, name="Bob", age=70, email=None)
    assert host.call("Oldest", [ada, bob, ada]) == bob
    assert host.call("count", "ab 12\tc") == {"letters": 3, "digits": 2, "spaces": 2}
    assert host.call("WordCount", "a b A c") == {"a": 2, "b": 1, "c": 1}
    assert host.call("SortedKeys", {"b": 1, "a": 2, "c": 3}) == (["a", "b", "c"], 3)
    assert host.call("Sum", 1.5, 2.5, 3.0) == 7.0
    assert host.call("Sum") == 0.0
    assert host.call("At", [10, 20, 30], 1) == 20
    assert host.call("Matrix", 2) == [[1.0, 0.0], [0.0, 1.0]]
    tree = host.call("Tree", 3)
    assert tree["value"] == 3 and len(tree["children"]) == 2
    assert tree["children"][1]["children"][0]["children"][0] == {"value": 0, "children": []}


def test_time_and_any(host: AbiHost) -> None:
    t = dt.datetime(2024, 2, 29, 23, 0, 0, 250000, tzinfo=dt.timezone(dt.timedelta(hours=-5)))
    later = host.call("Later", t, dt.timedelta(hours=2))
    assert later == t + dt.timedelta(hours=2)
    assert later.utcoffset() == dt.timedelta(hours=-5)
    epoch = dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)
    assert host.call("Later", epoch, dt.timedelta(0)) == epoch
    value = {"k": [1, "two", 3.5, None, True, b"\x01", {"nested": -2**63}, 2**64 - 1], 7: "int key"}
    assert host.call("Echo", value) == value
    assert host.call("Echo", None) is None
    assert host.call("Echo", t) == t


def test_errors(host: AbiHost) -> None:
    assert host.call("Divide", 7, 2) == 3
    with pytest.raises(GoError) as e:
        host.call("Divide", 7, 0)
    assert e.value.message == "divide 7 by zero: unsupported operation"
    assert e.value.type == "*fmt.wrapError"
    with pytest.raises(GoError) as e:
        host.call("Oldest", [])
    assert e.value.type == "*errors.errorString"


def test_panics(host: AbiHost) -> None:
    with pytest.raises(GoPanic) as e:
        host.call("Boom", "kaboom")
    assert e.value.message == "kaboom" and e.value.type == "string"
    assert e.value.stack.startswith("goroutine ")
    assert "main.Boom(" in e.value.stack and "panic(" in e.value.stack
    with pytest.raises(GoPanic) as e:
        host.call("At", [1], 5)
    assert e.value.message == "runtime error: index out of range [5] with length 1"
    assert e.value.type == "runtime.boundsError"
    assert host.call("Add", 1, 1) == 2  # still usable


def test_call_failures(host: AbiHost) -> None:
    with pytest.raises(CallError, match="no function with id 999"):
        host.result({"results": []}, host.call_raw(999, b""))
    fid = host.by_name["Add"][0]
    with pytest.raises(CallError, match=r"Add: arguments: .*truncated.*did not run"):
        host.result({"results": []}, host.call_raw(fid, b"\x01\x00"))
    with pytest.raises(CallError, match="trailing bytes"):
        host.result({"results": []}, host.call_raw(fid, struct.pack("<iib", 1, 2, 3)))
    fid = host.by_name["Describe"][0]
    with pytest.raises(CallError, match="presence byte 7"):
        host.result({"results": []}, host.call_raw(fid, struct.pack("<I", 0) + struct.pack("<q", 1) + b"\x07"))
    with pytest.raises(CallError, match="count 1000000 exceeds"):
        host.result({"results": []}, host.call_raw(host.by_name["Sum"][0], struct.pack("<I", 1000000)))
    with pytest.raises(CallError, match="neither the scratch buffer nor a live isthmus_alloc"):
        packed = host._call(0, 8, 4)
        p, n = host._unpack(packed)
        host.result({"results": []}, host.mem.read(p, n))
    assert host.call("Add", 1, 2) == 3


def test_allocations(host: AbiHost) -> None:
    assert host.call("Greet", "via alloc", use_alloc=True) == "Hello, via alloc!"
    p = host._alloc(100) & 0xFFFFFFFF
    host.exports["isthmus_free"](p, 100)
    assert host.exports["isthmus_alloc"](0) == 0


def test_host_functions(host: AbiHost) -> None:
    assert host.call("Lookup", "a") == "<alpha>"
    with pytest.raises(GoError) as e:
        host.call("Lookup", "zz")
    assert e.value.message == "lookup \"zz\": isthmus: host function \"lookup\": KeyError: 'zz'"
    # Go wrapped the host error with %w: the token in the payload names the host's exception
    assert isinstance(e.value.host_exception, KeyError) and e.value.host_exception.args == ("zz",)
    before = host.stats["resolve"]
    assert host.call("Lookup", "a") == "<alpha>"
    assert host.stats["resolve"] == before  # resolved once
    assert host.call("CountTo", 4) == 4
    assert host.progress_calls[-4:] == [(1, 4), (2, 4), (3, 4), (4, 4)]
    assert host.stats["in_place"] > 0


def test_host_function_missing_and_big_response(tmp_path) -> None:
    h = AbiHost(WASM, {"lookup": lambda key: "v" * 5000})  # larger than the request buffer
    assert h.call("Lookup", "k") == "<" + "v" * 5000 + ">"
    assert h.stats["alloc"] == 1
    with pytest.raises(GoPanic) as e:  # progress has no error result: the guest panics
        h.call("CountTo", 1)
    assert e.value.type == "*isthmus.HostError"
    assert "LookupError: no host function 'progress'" in e.value.message
    assert h.call("Add", 1, 2) == 3


def test_nested_calls_without_scratch_cache() -> None:
    calls = []

    def progress(done: int, total: int) -> None:
        calls.append(h.call("Add", done, total))

    h = AbiHost(WASM, {"lookup": str, "progress": progress}, scratch_cache=False)
    assert h.call("CountTo", 3) == 3
    assert calls == [4, 5, 6]


# -- the generator's test app (go/internal/gen/testdata/mod/app): every shape of type ------

APP = os.environ.get("GENTEST_WASM", "")


@pytest.fixture(scope="module")
def app() -> AbiHost:
    if not APP:
        pytest.skip("GENTEST_WASM not set")
    events = []
    h = AbiHost(APP, {"notify": lambda event, data: events.append((event, data)), "log": print})
    h.events = events
    return h


def test_app_shapes_round_trip(app: AbiHost) -> None:
    shapes = {
        "Bytes": b"ab", "Raw": b"", "Mine": b"\x01\x02", "Arr": [1, -2, 3], "Hash": b"abcd", "MyArr": b"\x05\x06",
        "ByInt": {-1: "neg", 5: "five"}, "ByU8": {255: ["x"], 0: []},
        "Nested": [[{"a": 1.5, "b": None}], []],
        "Pairs": [{"Key": "k", "Val": 36.6}, {"Key": "", "Val": -0.0}],
        "Anon": {"A": 1, "B": -2},
        "Lists": [[], [[], [[]]]],
        "Any": {"x": [1, None, "y"]},
        "When": dt.datetime(2001, 2, 3, 4, 5, 6, 7000, tzinfo=dt.timezone(dt.timedelta(hours=9))),
        "Wait": dt.timedelta(seconds=3, microseconds=1),
        "Limit": 500, "Temp": -40.0,
    }
    assert app.call("Everything", shapes) == shapes
    assert app.call("Everything", dict(shapes, Limit=None, Any=None))["Limit"] is None
    tree = {"Value": 1.0, "Children": [None, {"Value": 2.0, "Children": [], "next": None}],
            "next": {"Value": 3.0, "Children": [], "next": None}}
    assert app.call("Tree", tree) == tree
    assert app.call("Tree", None) is None
    assert app.call("Lists", [[[[]]], []]) == [[[[]]], []]
    person = {"name": "Ada", "age": 36, "Inner": {"Level": 3}}
    when = dt.datetime(2020, 1, 1, tzinfo=dt.timezone.utc)
    assert app.call("Visible", person, when, {"X": 1}) == (person, dt.timedelta(0))
    assert app.call("Visible", None, when, {"X": 1}) == (None, dt.timedelta(0))
    assert app.call("Older", person) == dict(person, age=37)
    assert app.call("Keys", {1: [b"a", b""]}) == {}
    assert app.call("shout", "hi") == "HI"
    assert app.call("Trim", "  x ") == "x"
    assert app.call("Nothing") is None
    assert app.call("OnlyError", True) is None
    with pytest.raises(GoError, match="^x$"):
        app.call("Many", 1, "s", 1.0, 2.0)
    assert app.call("Notify", "started") is None
    assert app.events == [("started", {})]


def test_app_deep_recursion_is_refused(app: AbiHost) -> None:
    # a list nested deeper than the limit: the guest refuses it with status 3
    deep: list = []
    for _ in range(10001):
        deep = [deep]
    out = bytearray()
    for _ in range(10001):
        out += struct.pack("<I", 1)
    out += struct.pack("<I", 0)
    fid = app.by_name["Lists"][0]
    with pytest.raises(CallError, match="nested deeper than 10000"):
        app.result(app.by_name["Lists"][1], app.call_raw(fid, bytes(out)))
