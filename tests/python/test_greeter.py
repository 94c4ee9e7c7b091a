"""The greeter example (examples/greeter, the second half of `make demo`): built with the
installed `isthmus build`, its demo.py run and its output compared line by line; its stubs;
and its Go tests run natively."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import isthmus
from conftest import ROOT

GREETER = ROOT / "examples" / "greeter"

# What demo.py prints: every line is a call into Go and what came back.
EXPECTED = """\
Greet('Ada')                         -> 'Hello, Ada!'
GreetAll(['Ada', 'Grace'])           -> ['Hello, Ada!', 'Hello, Grace!']
Words(' to  be or ')                 -> ['to', 'be', 'or']   # strings.Fields, via --export
inspect.signature(lib.Introduce)     -> (p: isthmus.types.Person, now: datetime.datetime) -> isthmus.types.Card
Introduce(ada, NOW).text             -> 'Ada Lovelace (210) from London, UK, speaks en/fr <ada@example.org>'
  .age, .next_birthday, .until       -> 210, 2026-12-10, 13 days, 12:00:00
Introduce(grace, NOW).text           -> 'Grace Hopper (119) from New York, USA, speaks en/de'
Introduce(margaret, NOW).until       -> 263 days, 12:00:00
Speakers([grace, ada, margaret])     -> {'de': 1, 'en': 3, 'fr': 1}
Remind(NOW, timedelta(hours=8), 3)   -> ['Thu 12:00', 'Thu 20:00', 'Fri 04:00']
GreetIn('ja', 'Ada')                 -> 'こんにちは, Ada!'
GreetIn('xx', 'Ada')                 -> GoError: no greeting for language "xx" (*errors.errorString)
Pick(['ada', 'grace'], 5)            -> GoPanic: runtime error: index out of range [5] with length 2 (runtime.boundsError)
  .stack: first Go frame             -> main.Pick
Pick(['ada', 'grace'], 1)            -> 'GRACE'   # still usable after the panic
Greet(42)                            -> TypeError: Greet() parameter name must be string, not int
GreetFriend('Grace Hopper')          -> 'Hello, Amazing Grace!'   # NICKNAMES lookup in Python
GreetFriend('Alan Mathison Turing')  -> 'Hello, A.M.T.!'   # Python called Go's Initials
GreetFriend('Bob')                   -> KeyError('Bob')   # the Python exception itself
  .__context__                       -> GoError: greet Bob: isthmus: host function "nickname": KeyError: 'Bob'   # the Go error that carried it
"""


def _tools():
    go = shutil.which("go")
    if not go or not isthmus.HAVE_WASI:
        pytest.skip("go or WASI not available")
    exe = Path(sys.executable).parent / "isthmus"
    if not exe.exists():
        pytest.skip("the isthmus command is not installed next to this Python (pip install .)")
    return go, exe


@pytest.fixture(scope="module")
def greeter_wasm(tmp_path_factory):
    _, exe = _tools()
    d = tmp_path_factory.mktemp("greeter")
    out = d / "greeter.wasm"
    env = dict(os.environ, XDG_CACHE_HOME=str(d / "cache"))  # the generator is built there
    subprocess.run([str(exe), "build", "--export", "strings.Fields=Words", "--out", str(out)],
                   cwd=GREETER, env=env, check=True)
    return out


def test_demo_output(greeter_wasm):
    r = subprocess.run([sys.executable, str(GREETER / "demo.py"), str(greeter_wasm)],
                       capture_output=True, text=True, encoding="utf-8", timeout=120)
    assert r.returncode == 0, r.stderr
    assert r.stderr == ""  # the Go guest prints nothing for errors and recovered panics
    got, want = r.stdout.splitlines(), EXPECTED.splitlines()
    for i, (g, w) in enumerate(zip(got, want)):
        assert g == w, f"demo.py line {i + 1}"
    assert len(got) == len(want), r.stdout


def test_source_tree_untouched(greeter_wasm):
    stray = [p for p in GREETER.rglob("*") if p.name in ("isthmus_exports_gen.go", "_isthmus_main")]
    assert stray == []


def test_stubs(greeter_wasm):
    _, exe = _tools()
    r = subprocess.run([str(exe), "stubs", str(greeter_wasm)], capture_output=True, text=True, check=True)
    compile(r.stdout, "greeter.pyi", "exec")  # valid Python syntax
    for line in ("def Introduce(p: Person, now: datetime.datetime) -> Card:",
                 "def Speakers(people: Sequence[Person]) -> Dict[str, int]:",
                 "def Remind(start: datetime.datetime, every: Union[datetime.timedelta, int], n: int) -> List[datetime.datetime]:",
                 "def Words(s: str) -> List[str]:",
                 "    home: Address", "    email: Optional[str]", "    until: datetime.timedelta"):
        assert line in r.stdout.splitlines(), line


def test_go_side():
    go, _ = _tools()
    subprocess.run([go, "vet", "./..."], cwd=GREETER, check=True)
    r = subprocess.run([go, "test", "-count=1", "-v", "./..."], cwd=GREETER, capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr
    for name in ("TestGreetIn", "TestIntroduce", "TestInitials", "TestPickPanics", "TestGreetFriendWithoutHost"):
        assert f"--- PASS: {name}" in r.stdout
