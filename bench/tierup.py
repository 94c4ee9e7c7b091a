"""Tier-up of a hot function on the AUTO tier (docs/performance.md, "Tier-up"): calls an
export in a loop from Python and reports when it crossed the threshold, when it switched to
compiled code, and the call cost before and after.

    python bench/tierup.py build/examples/seed_sum.wasm [--func sum] [--args 12 12]

Uses a fresh cache directory unless ISTHMUS_CACHE_DIR is set (a warm cache measures loading
instead of compiling); ISTHMUS_TIERUP_LOG=1 is set so the worker reports the batch."""

import argparse
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
    o = ap.parse_args()
    os.environ.setdefault("ISTHMUS_CACHE_DIR", tempfile.mkdtemp(prefix="isthmus-tierup-"))
    os.environ.setdefault("ISTHMUS_TIERUP_LOG", "1")
    import isthmus

    threshold = int(os.environ.get("ISTHMUS_TIERUP_CALLS", "1000"))
    t0 = time.perf_counter()
    lib = isthmus.load(o.wasm, engine=isthmus.Engine(tier="auto"))
    f = getattr(lib, o.func)
    t_load = time.perf_counter() - t0

    def per_call(n: int = 20000) -> float:
        t = time.perf_counter()
        for _ in range(n):
            f(*o.args)
        return (time.perf_counter() - t) / n * 1e9

    for _ in range(threshold - 1):
        f(*o.args)
    before = per_call(2000) if threshold > 2000 else None
    t_hot = time.perf_counter()
    f(*o.args)                      # the call that reaches the threshold (if not before)
    calls = 0
    while f.tier != "aot" and time.perf_counter() - t_hot < o.timeout:
        f(*o.args)
        calls += 1
    t_switch = time.perf_counter() - t_hot
    print(f"load {t_load * 1e3:.1f} ms; threshold {threshold} calls")
    print(f"threshold -> compiled code: {t_switch:.2f} s ({calls} interpreted calls meanwhile), tier {f.tier}")
    first = per_call()
    # later batches: interpreted functions that compiled code keeps calling get their own
    t = time.perf_counter()
    rounds = 0
    while time.perf_counter() - t < o.timeout:
        for _ in range(100000):
            f(*o.args)
        rounds += 1
        if lib.wait_compiled(0) == 0 and rounds >= 3:
            break
    print(f"later batches settled after {time.perf_counter() - t:.2f} s more")
    interp = isthmus.load(o.wasm, engine=isthmus.Engine(tier="interp"))
    g = getattr(interp, o.func)
    t = time.perf_counter()
    for _ in range(20000):
        g(*o.args)
    print(f"ns/call: interpreter {(time.perf_counter() - t) / 20000 * 1e9:.1f}, after the first batch {first:.1f}, "
          f"at the end {per_call():.1f}"
          + (f" (before: {before:.1f})" if before else ""))
    return 0 if f.tier == "aot" else 1


if __name__ == "__main__":
    sys.exit(main())
