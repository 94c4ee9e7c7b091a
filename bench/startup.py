#!/usr/bin/env python3
"""Start-up of a Go c-shared module, in one Python process: isthmus against wasmtime-py
without a compilation cache, with its on-disk cache, and from precompiled bytes. Prints a
JSON list of {engine, what, median_ns, n}; bench/bench.py runs it.

    startup.py HELLO.wasm [--reps N] [--nocache-reps N] [--cache-config TOML]

Each sample builds everything anew from the module's bytes (read once, before timing) and
ends after `_initialize` returned and one export was called.
"""

import argparse
import gc
import json
import statistics
import sys
import time


def sample(fn, reps):
    ns = []
    for _ in range(reps):
        gc.collect()
        t0 = time.perf_counter_ns()
        fn()
        ns.append(time.perf_counter_ns() - t0)
    return ns


def row(engine, what, ns):
    return {"engine": engine, "what": what, "median_ns": statistics.median(ns) if ns else None, "n": len(ns)}


def isthmus_rows(data, reps):
    import isthmus

    def decode_validate():
        isthmus.Module(data)

    def full():
        lib = isthmus.load(data, stdout=isthmus.DEVNULL)
        assert lib.hello() > 0

    module = isthmus.Module(data)

    def from_module():
        lib = isthmus.load(module, stdout=isthmus.DEVNULL)
        assert lib.hello() > 0

    full()  # first use of the extension is not start-up of a module
    return [
        row("isthmus", "Python: decode + validate (isthmus.Module)", sample(decode_validate, reps)),
        row("isthmus", "Python: isthmus.load(bytes) — all of it", sample(full, reps)),
        row("isthmus", "Python: WASI + instantiate + _initialize from a Module", sample(from_module, reps)),
    ]


def wasmtime_rows(data, reps, nocache_reps, cache_config):
    import wasmtime

    def instantiate(engine, module):
        linker = wasmtime.Linker(engine)
        linker.define_wasi()
        store = wasmtime.Store(engine)
        store.set_wasi(wasmtime.WasiConfig())
        inst = linker.instantiate(store, module)
        ex = inst.exports(store)
        ex["_initialize"](store)
        assert ex["hello"](store) > 0

    def nocache():
        engine = wasmtime.Engine()
        instantiate(engine, wasmtime.Module(engine, data))

    def cached():
        cfg = wasmtime.Config()
        cfg.cache = cache_config
        engine = wasmtime.Engine(cfg)
        instantiate(engine, wasmtime.Module(engine, data))

    engine = wasmtime.Engine()
    pre = wasmtime.Module(engine, data).serialize()

    def precompiled():
        eng = wasmtime.Engine()
        instantiate(eng, wasmtime.Module.deserialize(eng, pre))

    rows = [row("wasmtime", "compile (Cranelift, no cache) + WASI + instantiate + _initialize",
                sample(nocache, nocache_reps))]
    if cache_config:
        cached()  # fill the cache
        rows.append(row("wasmtime", "same with its on-disk cache (warm)", sample(cached, reps)))
    rows.append(row("wasmtime", "Module.deserialize(precompiled) + WASI + instantiate + _initialize",
                    sample(precompiled, reps)))
    return rows


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("module")
    ap.add_argument("--reps", type=int, default=15)
    ap.add_argument("--nocache-reps", type=int, default=3)
    ap.add_argument("--cache-config", help="a wasmtime cache TOML (directory = ...)")
    args = ap.parse_args()
    with open(args.module, "rb") as f:
        data = f.read()
    rows = isthmus_rows(data, args.reps)
    try:
        rows += wasmtime_rows(data, args.reps, args.nocache_reps, args.cache_config)
    except ImportError:
        print("wasmtime-py is not installed: its rows are left out", file=sys.stderr)
    print(json.dumps(rows))


if __name__ == "__main__":
    main()
