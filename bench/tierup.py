"""Tier-up of a hot function on the AUTO tier (docs/performance.md, "Tier-up"): calls an
export in a loop from Python and reports when it crossed the threshold, when it switched to
compiled code, and the call cost on each tier, measured in turns in one process.

    python bench/tierup.py build/examples/seed_sum.wasm [--func sum] [--args 12 12]
                           [--aot-cache DIR]

Uses a fresh cache directory for the AUTO tier (so the batch is compiled, not loaded);
ISTHMUS_TIERUP_LOG=1 is set so the worker reports each batch on stderr. --aot-cache names a
cache directory holding the whole module's object (from `isthmus call --tier aot` with
ISTHMUS_CACHE_DIR=DIR) to add the whole-module AOT tier to the comparison."""

import argparse
import operator
import os
import sys
import tempfile
import time


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("wasm")
    ap.add_argument("--func", default="sum")
    ap.add_argument("--args", type=int, nargs="*", default=[12, 12])
    ap.add_argument("--timeout", type=float, default=900.0)
    ap.add_argument("--aot-cache")
    ap.add_argument("--calls", type=int, default=300000)
    ap.add_argument("--repeat", type=int, default=7)
    o = ap.parse_args()
    os.environ["ISTHMUS_CACHE_DIR"] = tempfile.mkdtemp(prefix="isthmus-tierup-")
    os.environ.setdefault("ISTHMUS_TIERUP_LOG", "1")
    import isthmus

    threshold = int(os.environ.get("ISTHMUS_TIERUP_CALLS", "1000"))
    t0 = time.perf_counter()
    lib = isthmus.load(o.wasm, engine=isthmus.Engine(tier="auto"))
    f = getattr(lib, o.func)
    t_load = time.perf_counter() - t0
    for _ in range(threshold - 1):
        f(*o.args)
    t_hot = time.perf_counter()
    f(*o.args)  # the call that reaches the threshold
    calls = 0
    while f.tier != "aot" and time.perf_counter() - t_hot < o.timeout:
        f(*o.args)
        calls += 1
    t_switch = time.perf_counter() - t_hot
    print(f"load {t_load * 1e3:.1f} ms; threshold {threshold} calls")
    print(f"threshold -> compiled code: {t_switch:.2f} s ({calls} interpreted calls meanwhile), tier {f.tier}")
    # later batches, if compiled code keeps calling interpreted functions
    t = time.perf_counter()
    for _ in range(3):
        for _ in range(100000):
            f(*o.args)
    left = lib.wait_compiled(o.timeout)
    print(f"later batches: settled {time.perf_counter() - t:.2f} s later ({left} still compiling)")

    funcs = {"operator.add": operator.add, "interp": getattr(isthmus.load(o.wasm, engine=isthmus.Engine(tier="interp")), o.func),
             "auto (tiered up)": f}
    if o.aot_cache:
        os.environ["ISTHMUS_CACHE_DIR"] = o.aot_cache
        funcs["aot (whole module)"] = getattr(isthmus.load(o.wasm, engine=isthmus.Engine(tier="aot")), o.func)
    best = {k: float("inf") for k in funcs}
    args = tuple(o.args) if o.args else ()
    for _ in range(o.repeat):
        for k, g in funcs.items():
            a = args if k != "operator.add" else (12, 12)
            t = time.perf_counter()
            for _ in range(o.calls):
                g(*a)
            best[k] = min(best[k], (time.perf_counter() - t) / o.calls * 1e9)
    for k, v in best.items():
        print(f"  {k:20s} {v:7.1f} ns/call  ({v / best['operator.add']:.2f}x operator.add)")
    return 0 if f.tier == "aot" else 1


if __name__ == "__main__":
    sys.exit(main())
