"""Cost of large []byte arguments and results through the isthmus ABI (not a test):
16 MiB through tests/python/go/abitypes (built with `isthmus build`).

    build/venv/bin/python tests/python/bench_abi_bytes.py [abitypes.wasm] [--mib N]

Cases: EchoBytes(b) (a round trip: Python → Go → Python), BytesLen(b) (in only: Go returns
len(b)), Zeros(n) (out only: Go returns make([]byte, n)), and bytes(b) (one host memcpy of the
same size, the floor). Best of 7 runs, in milliseconds per call.
"""

import os
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path

import isthmus

HERE = Path(__file__).resolve().parent


def build() -> Path:
    out = Path(tempfile.mkdtemp()) / "abitypes.wasm"
    exe = Path(sys.executable).parent / "isthmus"
    env = dict(os.environ, ISTHMUS_GO_SDK=str(HERE.parent.parent / "go"))
    subprocess.run([str(exe), "build", "--out", str(out), "."], cwd=HERE / "go" / "abitypes", env=env, check=True)
    return out


def main() -> None:
    args = sys.argv[1:]
    mib = 16
    if "--mib" in args:
        i = args.index("--mib")
        mib = int(args[i + 1])
        del args[i:i + 2]
    wasm = Path(args[0]) if args else build()
    lib = isthmus.load(wasm, imports={})
    n = mib << 20
    data = bytes(range(256)) * (n // 256)
    ba = bytearray(data)
    assert lib.EchoBytes(data) == data  # warm up: the guest's buffers grow once
    cases = [
        (f"EchoBytes(bytes {mib} MiB)  round trip", lambda: lib.EchoBytes(data)),
        (f"EchoBytes(bytearray {mib} MiB)", lambda: lib.EchoBytes(ba)),
        (f"BytesLen(bytes {mib} MiB)   in only", lambda: lib.BytesLen(data)),
        (f"Zeros({mib} MiB)            out only", lambda: lib.Zeros(n)),
        (f"bytes(b) {mib} MiB          host memcpy", lambda: bytes(ba)),
    ]
    for name, fn in cases:
        best = min(timeit.repeat(fn, number=3, repeat=7)) / 3
        print(f"{name:40s} {best * 1e3:8.2f} ms/call")


if __name__ == "__main__":
    main()
