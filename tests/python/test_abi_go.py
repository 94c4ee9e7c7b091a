"""The isthmus ABI end to end: tests/go/example built with the colleague's generator
(go/cmd/isthmus-build), loaded with isthmus.load and called through the C marshalling."""

import datetime
import inspect
import shutil
import subprocess
from typing import Dict, List, Optional

import pytest

import isthmus
from conftest import ROOT


@pytest.fixture(scope="module")
def example_wasm(tmp_path_factory):
    go = shutil.which("go")
    if not go or not isthmus.HAVE_WASI:
        pytest.skip("go or WASI not available")
    if not (ROOT / "go" / "cmd" / "isthmus-build").is_dir():
        pytest.skip("go/cmd/isthmus-build not present")
    d = tmp_path_factory.mktemp("abi_go")
    tool = d / "isthmus-build"
    subprocess.run([go, "build", "-o", str(tool), "./cmd/isthmus-build"], cwd=ROOT / "go", check=True)
    out = d / "example.wasm"
    subprocess.run([str(tool), "--export", "strings.ToUpper", "--export", "strings.Repeat=repeat",
                    "--out", str(out), "."], cwd=ROOT / "tests" / "go" / "example", check=True)
    return out


@pytest.fixture
def progress():
    return []


@pytest.fixture
def lib(example_wasm, progress):
    def lookup(key):
        if key == "missing":
            raise KeyError(key)
        return key.upper()

    return isthmus.load(example_wasm, imports={"lookup": lookup, "progress": lambda d, t: progress.append((d, t))})


def test_plain_and_strings(lib):
    assert lib.Greet("ada") == "Hello, ada!"
    assert lib.Add(2, 3) == 5
    assert lib.Answer() == 42
    assert lib.ToUpper("abc") == "ABC" and lib.repeat("ab", 3) == "ababab"
    assert isinstance(lib.memory, isthmus.Memory)  # plain exports stay reachable


def test_signatures_and_docs(lib):
    sig = inspect.signature(lib.Describe)
    assert sig.parameters["p"].annotation is lib.types.Person is lib.Person
    assert sig.return_annotation is str
    assert lib.Describe.__doc__ == "Describe says who p is."
    assert inspect.signature(lib.Oldest).return_annotation == Optional[lib.Person]
    assert inspect.signature(lib.WordCount).return_annotation == Dict[str, int]
    assert inspect.signature(lib.Matrix).return_annotation == List[List[float]]
    assert inspect.signature(lib.Sum).parameters["xs"].kind is inspect.Parameter.VAR_POSITIONAL


def test_structs_maps_lists(lib):
    born = datetime.datetime(1815, 12, 10, tzinfo=datetime.timezone.utc)
    p = lib.Person(name="Ada", age=36, email=None, tags=["math"], born=born)
    assert lib.Describe(p) == "Ada (36, no email, born 1815-12-10) [math]"
    assert lib.Describe({"name": "Bob", "age": 1, "email": "b@x", "tags": [], "born": born}).startswith("Bob (1, b@x")
    assert lib.Oldest([p]) == p
    assert lib.WordCount("a b a") == {"a": 2, "b": 1}
    assert lib.SortedKeys({"b": 1, "a": 2}) == (["a", "b"], 2)
    assert lib.Sum(1, 2, 3.5) == 6.5
    tree = lib.Tree(2)
    assert tree.value == 2 and len(tree.children) == 2 and tree.children[0].children[0].children == []
    assert lib.Matrix(2) == [[1.0, 0.0], [0.0, 1.0]]
    assert lib.Reverse(bytearray(b"abc")) == b"cba"
    assert lib.Digest(b"abcdefgh") == b"\x04\x04\x04\x0c"
    assert lib.Later(born, datetime.timedelta(days=1)) == born + datetime.timedelta(days=1)
    v = {"a": [1, 2.5, None, "s", b"b", True]}
    assert lib.Echo(v) == v


def test_errors_and_panics(lib):
    with pytest.raises(isthmus.GoError, match="zero") as ei:
        lib.Divide(1, 0)
    assert ei.value.go_type
    with pytest.raises(isthmus.GoError, match="nobody|no"):
        lib.Oldest([])
    with pytest.raises(isthmus.GoPanic) as ei:
        lib.Boom("bad")
    assert ei.value.message == "bad" and ei.value.go_type == "string"
    assert ei.value.stack.startswith("goroutine")
    with pytest.raises(isthmus.GoPanic, match="index out of range"):
        lib.At([1], 5)
    assert lib.Greet("again") == "Hello, again!"  # the instance stays usable
    with pytest.raises(TypeError, match=r"Describe\(\) parameter p must be example"):
        lib.Describe("x")
    with pytest.raises(OverflowError, match="parameter a"):
        lib.Divide(2**63, 1)


def test_host_functions(lib, progress):
    assert lib.Lookup("k") == "<K>"
    assert lib.CountTo(3) == 3
    assert progress == [(1, 3), (2, 3), (3, 3)]
    with pytest.raises(KeyError) as ei:  # Go wrapped the host error with %w: the KeyError comes back
        lib.Lookup("missing")
    assert isinstance(ei.value.__context__, isthmus.GoError)
    assert ei.value.__context__.message.startswith('lookup "missing": isthmus: host function "lookup": KeyError')
