"""`isthmus stubs` output through mypy: the stubs of tests/python/go/abitypes type-check a usage
file that also runs for real against the module, and mypy flags wrong calls."""

import importlib.util
import subprocess
import sys

import pytest

from conftest import isthmus_command

GOOD = '''
import datetime
from typing import TYPE_CHECKING, Any, Dict, List, Optional, Tuple

import isthmus

if TYPE_CHECKING:
    import abitypes as lib
else:
    lib = isthmus.load("abitypes.wasm")

UTC = datetime.timezone.utc
n: int = lib.EchoInt8(5)
s: str = lib.EchoString("x")
b: bytes = lib.EchoBytes(b"x") + lib.EchoBytes(bytearray(b"x")) + lib.EchoBytes(memoryview(b"x"))
xs: List[int] = lib.EchoInts([1, 2]) + lib.EchoInts((1, 2))
nested: List[List[str]] = lib.EchoNested([["a"], []])
m: Dict[str, int] = lib.EchoMapString({"a": 1})
o = lib.EchoOuter(lib.Outer("n", lib.Inner(1, []), None, 1.0, [], {}, None))
name: str = o.name
inner: lib.Inner = lib.types.Inner(2, ["t"])
p: Optional[int] = lib.EchoPtr(None)
t: datetime.datetime = lib.EchoTime(datetime.datetime.now(UTC))
d: datetime.timedelta = lib.EchoDuration(datetime.timedelta(seconds=1))
ns: int = lib.DurationNanos(1500)
total: int = lib.Sum(1, 2, 3) + lib.Sum(*[4, 5])
joined: str = lib.Join(", ", "a", "b")
cnt, typ = lib.CountAny(1, "a", None)
f: float = lib.EchoF64(3)
info: Tuple[int, bool, int] = lib.BytesInfo(b"")
arr: bytes = lib.EchoByteArray(b"abcd")
kw: Dict[str, Any] = lib.EchoKeywords({"from": 1, "class": "c"})
a: Any = lib.EchoAny({"k": [1, None]})
lib.EchoBool(True)
print("ran", n, s, total, kw)
'''

# each line is one mistake that mypy must report on that line
BAD = '''
from typing import TYPE_CHECKING

import isthmus

if TYPE_CHECKING:
    import abitypes as lib
else:
    lib = isthmus.load("abitypes.wasm")

lib.EchoInt8("x")
lib.EchoString(b"x")
lib.Sum([1, 2])
lib.EchoOuter(lib.Inner(1, []))
wrong: str = lib.EchoInt(1)
lib.NoSuchFunction()
lib.Join(", ", 1)
lib.Inner(x="a", tags=[])
lib.EchoBool(True, False)
lib.EchoTime("2024-01-01")
'''


@pytest.fixture(scope="module")
def stubs_dir(abitypes_wasm, tmp_path_factory):
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (tests/python/run.sh installs it into the test venv)")
    d = tmp_path_factory.mktemp("stubs")
    r = subprocess.run([isthmus_command(), "stubs", str(abitypes_wasm)], capture_output=True, text=True, check=True)
    (d / "abitypes.pyi").write_text(r.stdout)
    (d / "abitypes.wasm").write_bytes(abitypes_wasm.read_bytes())
    return d


def mypy(d, text):
    (d / "use.py").write_text(text)
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-incremental", "--show-error-codes",
                           "use.py"], cwd=d, capture_output=True, text=True)


def test_stubs_type_check_a_usage_file_that_runs(stubs_dir):
    r = mypy(stubs_dir, GOOD)
    assert r.returncode == 0, r.stdout + r.stderr
    run = subprocess.run([sys.executable, "use.py"], cwd=stubs_dir, capture_output=True, text=True)
    assert run.returncode == 0, run.stderr  # what the stubs allow, the library accepts
    assert run.stdout.startswith("ran 5 x 15 {'from': 1, 'class': 'c'}")


def test_stubs_make_mypy_flag_wrong_calls(stubs_dir):
    r = mypy(stubs_dir, BAD)
    assert r.returncode == 1, r.stdout
    lines = BAD.split("\n")
    first = next(i for i, line in enumerate(lines) if line.startswith("lib.EchoInt8")) + 1
    flagged = {int(line.split(":")[1]) for line in r.stdout.splitlines() if line.startswith("use.py:")}
    for n in range(first, len(lines)):
        if lines[n - 1]:
            assert n in flagged, f"mypy did not flag line {n}: {lines[n - 1]}\n{r.stdout}"


def test_regression_stub_parameter_named_like_a_python_keyword(stubs_dir):
    """A Go parameter named `in` made `def Tally(..., in: ...)`: a .pyi that does not parse."""
    text = (stubs_dir / "abitypes.pyi").read_text()
    assert "def Tally(" in text and ", p10: Optional[Inner])" in text
    compile(text, "abitypes.pyi", "exec")


def test_stub_types(stubs_dir):
    text = (stubs_dir / "abitypes.pyi").read_text()
    assert "Keywords = Dict[str, Any]" in text  # field names that are keywords: a dict, as at run time
    assert "def EchoBytes(b: Union[bytes, bytearray, memoryview]) -> bytes:" in text
    assert "def EchoInts(v: Sequence[int]) -> List[int]:" in text
    compile(text, "abitypes.pyi", "exec")
