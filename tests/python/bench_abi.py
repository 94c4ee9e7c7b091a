"""Cost of isthmus-ABI calls from Python (not a test): a string round trip (Greet("ada")) and a
struct round trip (EchoUser(User(...))) against the hand-made wat guest of abi_guest.py.

    build/venv/bin/python tests/python/bench_abi.py [--go example.wasm]

With --go, also the Go example (tests/go/example built with go/cmd/isthmus-build):
Greet("ada") and Oldest([person]) (a struct round trip), through the real Go guest SDK.
"""

import shutil
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import isthmus  # noqa: E402
from abi_guest import build, with_custom_section  # noqa: E402


def main() -> None:
    text, schema, _ = build()
    exe = shutil.which("wat2wasm")
    if not exe:
        sys.exit("wat2wasm not found")
    with tempfile.TemporaryDirectory() as d:
        src, out = Path(d) / "g.wat", Path(d) / "g.wasm"
        src.write_text(text)
        subprocess.run([exe, str(src), "-o", str(out)], check=True)
        wasm = with_custom_section(out.read_bytes(), "isthmus.schema", schema)
    lib = isthmus.load(wasm, imports={"lookup": len})
    user = lib.User(name="ada", age=36, nick=None, tags=["x", "y"])
    cases = [
        ("Greet('ada')  (string round trip)", lambda: lib.Greet("ada")),
        ("EchoUser(User) (struct round trip)", lambda: lib.EchoUser(user)),
        ("EchoU8(7)     (scalar)", lambda: lib.EchoU8(7)),
        ("CallLookup('k') (Go -> Python -> Go)", lambda: lib.CallLookup("k")),
        ("plain export isthmus_abi_version()", lambda: lib.isthmus_abi_version()),
    ]
    if len(sys.argv) > 2 and sys.argv[1] == "--go":
        import datetime
        go = isthmus.load(sys.argv[2], imports={"lookup": str.upper, "progress": lambda d, t: None})
        born = datetime.datetime(1815, 12, 10, tzinfo=datetime.timezone.utc)
        person = go.Person(name="Ada", age=36, email=None, tags=["x"], born=born)
        cases += [
            ("Go Greet('ada')", lambda: go.Greet("ada")),
            ("Go Oldest([Person]) (struct round trip)", lambda: go.Oldest([person])),
            ("Go Add(2, 3)  (ints through the ABI)", lambda: go.Add(2, 3)),
            ("Go Lookup('k') (Go -> Python -> Go)", lambda: go.Lookup("k")),
        ]
    for name, fn in cases:
        n = 20_000 if name.startswith("Go") else 200_000
        best = min(timeit.repeat(fn, number=n, repeat=5)) / n
        print(f"{name:42s} {best * 1e9:8.0f} ns/call")


if __name__ == "__main__":
    main()
