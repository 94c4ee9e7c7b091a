#!/usr/bin/env python3
"""Runs a benchmark module on one engine reached from Python; bench/bench.py starts it.

    py_runner.py wasi ENGINE MODULE [ARGS...]         run a WASI command (_start) once; the
                                                      guest prints its own timing line
    py_runner.py call ENGINE MODULE FUNC ARG REPS     call FUNC(ARG) REPS times on one
                                                      instance; prints ns=<ns> result=<i32>

ENGINE is isthmus (the package), wasmtime (PyPI wasmtime) or wasm3 (PyPI pywasm3, `call`
only). Compilation and instantiation are outside the timed calls; a `wasi` run's time is
the one the guest measures around its work.
"""

import os
import sys
import time



def wasi_isthmus(path, args):
    import isthmus
    # the column measures the interpreter: pinned, whatever Python's default tier is
    return isthmus.run(path, args=args, engine=isthmus.Engine(tier="interp"))


def wasmtime_engine(cache=False):
    import wasmtime
    cfg = wasmtime.Config()  # default stack limit: wasmtime-py cannot raise it past its async stack
    if cache:
        cfg.cache = cache
    return wasmtime.Engine(cfg)


def wasi_wasmtime(path, args):
    import wasmtime
    cache = os.environ.get("BENCH_WASMTIME_CACHE")  # a cache config file: compile once per module
    engine = wasmtime_engine(cache or False)
    module = wasmtime.Module.from_file(engine, path)
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    store = wasmtime.Store(engine)
    cfg = wasmtime.WasiConfig()
    cfg.argv = [path] + list(args)
    cfg.inherit_stdout()
    cfg.inherit_stderr()
    store.set_wasi(cfg)
    inst = linker.instantiate(store, module)
    try:
        inst.exports(store)["_start"](store)
    except wasmtime.ExitTrap as e:
        return e.code
    return 0


def call_isthmus(path, name):
    import isthmus
    f = isthmus.load(path, engine=isthmus.Engine(tier="interp"))[name]
    return lambda arg: f(arg)


def call_wasmtime(path, name):
    import wasmtime
    engine = wasmtime_engine()
    store = wasmtime.Store(engine)
    inst = wasmtime.Instance(store, wasmtime.Module.from_file(engine, path), [])
    f = inst.exports(store)[name]
    return lambda arg: f(store, arg)


def call_wasm3(path, name):
    import wasm3
    env = wasm3.Environment()
    rt = env.new_runtime(1 << 20)  # bytes of wasm3's value stack
    with open(path, "rb") as fh:
        rt.load(env.parse_module(fh.read()))
    f = rt.find_function(name)
    return lambda arg: f(arg)


def main(argv):
    if len(argv) >= 3 and argv[0] == "wasi":
        run = {"isthmus": wasi_isthmus, "wasmtime": wasi_wasmtime}[argv[1]]
        sys.stdout.flush()
        code = run(argv[2], argv[3:])
        return code
    if len(argv) == 6 and argv[0] == "call":
        engine, path, name, arg, reps = argv[1], argv[2], argv[3], int(argv[4]), int(argv[5])
        f = {"isthmus": call_isthmus, "wasmtime": call_wasmtime, "wasm3": call_wasm3}[engine](path, name)
        for _ in range(reps):
            t0 = time.perf_counter_ns()
            r = f(arg)
            t1 = time.perf_counter_ns()
            print(f"ns={t1 - t0} result={r}", flush=True)
        return 0
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
