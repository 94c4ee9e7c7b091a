#!/usr/bin/env python3
"""Go workloads on the interpreter, the AOT tier and wasmtime, side by side in one run.

    bench/aot_compare.py BUILD [WORKLOAD:SIZE ...] [--rounds N] [--python VENV_PYTHON]

Each round runs every engine once per workload, in turns, so machine load hits all of them
alike; the table gives the median of the work's own timing (the `ns=` the guest prints, start-up
excluded) and checks that every engine prints the checksum of the native build. Expects the
workloads built as bench/run.sh builds them (BUILD/bench/go/NAME.wasm and native/NAME). The AOT
objects must already be in the cache ($ISTHMUS_CACHE_DIR): a first untimed run compiles them.
wasmtime runs through bench/runners/py_runner.py with the given Python (one that has PyPI
wasmtime), its compiled code cached as in the benchmark.
"""

import argparse
import os
import re
import statistics
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def run(cmd, env=None):
    p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=1800)
    m = re.search(r"ns=(\d+) check=([0-9a-f]+)", p.stdout)
    if p.returncode != 0 or not m:
        raise SystemExit(f"{' '.join(map(str, cmd))} failed ({p.returncode}): {p.stdout[-300:]} {p.stderr[-600:]}")
    return int(m.group(1)), m.group(2)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build", type=Path)
    ap.add_argument("workloads", nargs="*", default=["fib:34", "sha256:4096", "json:1024"])
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--python", default=None, help="a Python with PyPI wasmtime (default: BUILD/bench/venv)")
    a = ap.parse_args()
    build = a.build.resolve()
    go = build / "bench" / "go"
    py = a.python or str(build / "bench" / "venv" / "bin" / "python")
    wt_cache = build / "bench" / "wasmtime-cache.toml"
    if not wt_cache.exists():
        (build / "bench" / "wasmtime-cache").mkdir(parents=True, exist_ok=True)
        wt_cache.write_text(f'[cache]\ndirectory = "{build / "bench" / "wasmtime-cache"}"\n')
    env = dict(os.environ)
    engines = {
        "native": lambda w, s: ([str(go / "native" / w), s], env),
        "interp": lambda w, s: ([str(build / "isthmus"), "run", "--tier", "interp", str(go / f"{w}.wasm"), s], env),
        "aot": lambda w, s: ([str(build / "isthmus"), "run", "--tier", "aot", str(go / f"{w}.wasm"), s], env),
        "wasmtime": lambda w, s: ([py, str(ROOT / "bench" / "runners" / "py_runner.py"), "wasi", "wasmtime",
                                   str(go / f"{w}.wasm"), s], dict(env, BENCH_WASMTIME_CACHE=str(wt_cache))),
    }
    samples = {}
    for wl in a.workloads:
        w, s = wl.split(":")
        for eng, mk in engines.items():  # warm-up: compiles (AOT, wasmtime) land in their caches
            if eng in ("aot", "wasmtime"):
                run(*mk(w, s))
    for r in range(a.rounds):
        for wl in a.workloads:
            w, s = wl.split(":")
            for eng, mk in engines.items():
                ns, check = run(*mk(w, s))
                samples.setdefault((w, s), {}).setdefault(eng, []).append((ns, check))
    cols = list(engines)
    print("| workload | " + " | ".join(f"{c} ms" for c in cols) + " | interp ÷ wasmtime | aot ÷ wasmtime | interp ÷ aot |")
    print("|---|" + "---|" * (len(cols) + 3))
    for (w, s), by in samples.items():
        checks = {c for e in by.values() for _, c in e}
        if len(checks) != 1:
            raise SystemExit(f"{w}: checksums differ between engines: {by}")
        med = {e: statistics.median(ns for ns, _ in v) / 1e6 for e, v in by.items()}
        print(f"| {w} {s} | " + " | ".join(f"{med[c]:.1f}" for c in cols) +
              f" | {med['interp'] / med['wasmtime']:.2f}× | {med['aot'] / med['wasmtime']:.2f}× | {med['interp'] / med['aot']:.2f}× |")


if __name__ == "__main__":
    sys.exit(main())
