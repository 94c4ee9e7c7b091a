#!/usr/bin/env python3
"""The isthmus benchmark: runs the workloads that bench/run.sh built on every engine, in
turns, and prints one report (medians and ratios measured side by side in this run).

    bench/run.sh                 (make bench) builds everything, then runs this script
    BENCH_QUICK=1 bench/run.sh   a ~2-minute subset: fewer workloads and rounds

Sections, each with its own engines:
  go        Go programs (GOOS=wasip1 GOARCH=wasm) on isthmus (CLI and Python), wasmtime-py,
            Node (node:wasi) and natively. Each process run is one sample; the time is the one
            the program measures around its work, so compilation and start-up are left out.
  engine    C workloads (clang --target=wasm32, no imports) called on one instance: isthmus
            (C API driver and Python), wasm3 (pywasm3), wasmtime-py, Node, native gcc -O2.
  call      Python calling sum(i32, i32): tests/python/bench_call.py.
  startup   load + validate + instantiate + _initialize of a Go c-shared hello module.
  callgrind instructions executed by the interpreter on small fixed workloads (no timing
            noise): compare them before and after a change.
  abi       rich-value calls (a string and a five-field struct) to the same Go code through
            isthmus, wasmtime-py with hand-written glue and Extism's Go PDK:
            bench/abi/bench_abi_peers.py.

Every sample must reproduce the native checksum; a wrong one is reported, never timed.
Writes OUT/results.md (the report) and OUT/results.json (every sample).
"""

import argparse
import json
import math
import os
import platform
import re
import resource
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

QUICK = os.environ.get("BENCH_QUICK", "") not in ("", "0")

# (name, size argument, what the size means). Sizes make isthmus run each for ~0.5-3 s.
GO_WORKLOADS = [
    ("fib", 34, "fib(34)"),
    ("sha256", 4096, "4 MiB"),
    ("json", 1024, "1 MiB doc"),
    ("sort", 1 << 20, "1M ints"),
    ("regexp", 256, "256 KiB text"),
    ("wordcount", 1024, "1 MiB text"),
    ("bigint", 8000, "pi 8000 digits"),
    ("builder", 200000, "200k lines"),
    ("gzip", 1024, "1 MiB text"),
]
GO_QUICK = ("fib", "json", "sha256")

# (name, exported function, argument, what the argument means)
C_WORKLOADS = [
    ("fib", "bench_fib", 36, "fib(36)"),
    ("coremark", "bench_coremark", 1000, "1000 iterations"),
    ("nbody", "bench_nbody", 500000, "500k steps"),
    ("sha256", "bench_sha256", 4096, "4 MiB"),
    ("parse", "bench_parse", 250, "250 x 64 KiB"),
]
C_QUICK = ("fib", "coremark", "sha256")

# Small fixed workloads counted under callgrind (isthmus_driver call ... ARG 1).
CALLGRIND_CASES = [
    ("fib", "bench_fib", 25),
    ("coremark", "bench_coremark", 20),
    ("nbody", "bench_nbody", 20000),
    ("sha256", "bench_sha256", 256),
    ("parse", "bench_parse", 5),
]
CALLGRIND_QUICK = ("fib",)
# Go programs counted whole (`isthmus run`, Go's runtime start-up included; it reads the
# clock, so counts move by ~0.05% from run to run).
CALLGRIND_GO = [("fib", 25), ("sha256", 256), ("json", 64)]

GO_LINE = re.compile(r"^(\S+) size=(\d+) ns=(\d+) check=([0-9a-f]+)$", re.M)
CALL_LINE = re.compile(r"^ns=(\d+) result=(-?\d+)$", re.M)
NS_LINE = re.compile(r"^ns=(\d+)$", re.M)


# ----------------------------------------------------------------------------- helpers

class LoadMeter:
    """CPU time used on this machine by processes other than the benchmark, as an average
    number of busy cores, from /proc/stat minus this process's and its children's usage."""

    def __init__(self):
        self.t0 = time.monotonic()
        self.busy0 = self._busy()
        self.ours0 = self._ours()

    @staticmethod
    def _busy():
        try:
            with open("/proc/stat") as f:
                v = [int(x) for x in f.readline().split()[1:]]
        except OSError:
            return None
        # user nice system idle iowait irq softirq steal
        return (v[0] + v[1] + v[2] + v[5] + v[6] + (v[7] if len(v) > 7 else 0)) / os.sysconf("SC_CLK_TCK")

    @staticmethod
    def _ours():
        s, c = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
        return s.ru_utime + s.ru_stime + c.ru_utime + c.ru_stime

    def others(self):
        busy = self._busy()
        wall = time.monotonic() - self.t0
        if busy is None or self.busy0 is None or wall <= 0:
            return None
        return max(0.0, ((busy - self.busy0) - (self._ours() - self.ours0)) / wall)


def loadavg():
    try:
        return open("/proc/loadavg").read().split()[:3]
    except OSError:
        return ["?"] * 3


def run(cmd, env=None, timeout=300):
    """Runs cmd; returns (stdout, stderr, exit status, wall seconds)."""
    t0 = time.perf_counter()
    try:
        p = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=timeout)
    except subprocess.TimeoutExpired as e:
        return (e.stdout or "", f"timed out after {timeout}s", -1, time.perf_counter() - t0)
    except OSError as e:
        return ("", str(e), -1, time.perf_counter() - t0)
    return p.stdout, p.stderr, p.returncode, time.perf_counter() - t0


def first_line(text):
    lines = [l for l in (text or "").strip().splitlines() if l.strip()]
    return lines[-1][:160] if lines else ""


def fmt_ms(ns):
    if ns is None:
        return "—"
    ms = ns / 1e6
    return f"{ms:.0f}" if ms >= 100 else f"{ms:.1f}" if ms >= 1 else f"{ms:.2f}"


def fmt_ratio(a, b):
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:.0f}×" if r >= 100 else f"{r:.1f}×" if r >= 0.95 else f"{r:.2f}×"


def geomean(xs):
    xs = [x for x in xs if x and x > 0]
    return math.exp(sum(math.log(x) for x in xs) / len(xs)) if xs else None


def median(xs):
    return statistics.median(xs) if xs else None


def spread(xs):
    """Median absolute deviation over the median, in percent: how noisy a cell is (one
    outlier, such as a run hit by another process, hardly moves it)."""
    if len(xs) < 2:
        return None
    m = statistics.median(xs)
    return statistics.median(abs(x - m) for x in xs) / m * 100


def log(msg):
    print(msg, file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- sections

class Bench:
    def __init__(self, root, build, out, py):
        self.root, self.build, self.out, self.py = root, build, out, py
        self.runners = root / "bench" / "runners"
        self.results = {"quick": QUICK, "sections": {}}
        self.notes = []
        self.node = shutil.which("node")
        self.wasm3_error = self._probe_wasm3()
        self.wasmtime_cache = self._wasmtime_cache_config()
        # The AOT tier's objects: compiled once per module by an untimed warm-up run
        self.aot_env = dict(os.environ, ISTHMUS_TIER="aot", ISTHMUS_CACHE_DIR=str(out / "aot-cache"))

    def _probe_wasm3(self):
        _, err, rc, _ = run([self.py, "-c", "import wasm3"])
        if rc == 0:
            return None
        why = (self.out / "pywasm3-build.log")
        reason = first_line(why.read_text()) if why.exists() else first_line(err)
        return reason or "pywasm3 is not installed"

    def _wasmtime_cache_config(self):
        d = self.out / "wasmtime-cache"
        d.mkdir(parents=True, exist_ok=True)
        cfg = self.out / "wasmtime-cache.toml"
        cfg.write_text(f'[cache]\ndirectory = "{d}"\n')
        return cfg

    def py_runner(self, *args):
        return [self.py, str(self.runners / "py_runner.py"), *args]

    def node_runner(self, *args):
        return [self.node, "--no-warnings", str(self.runners / "node_run.mjs"), *args]

    # ------------------------------------------------------------------ Go workloads
    def go_engines(self, wasm, native, size):
        s = str(size)
        engines = [
            ("native", [str(native), s], None),
            ("isthmus", [str(self.build / "isthmus"), "run", "--tier", "interp", str(wasm), s], None),
            ("isthmus-py", self.py_runner("wasi", "isthmus", str(wasm), s), None),
            ("isthmus-aot", [str(self.build / "isthmus"), "run", "--tier", "aot", str(wasm), s], self.aot_env),
            ("wasmtime", self.py_runner("wasi", "wasmtime", str(wasm), s),
             dict(os.environ, BENCH_WASMTIME_CACHE=str(self.wasmtime_cache))),
        ]
        if self.node:
            engines.append(("node", self.node_runner("wasi", str(wasm), s), None))
        return engines

    def section_go(self):
        rounds = 3 if QUICK else 7
        rows = []
        for name, size, label in GO_WORKLOADS:
            if QUICK and name not in GO_QUICK:
                continue
            wasm, native = self.out / "go" / f"{name}.wasm", self.out / "go" / "native" / name
            engines = self.go_engines(wasm, native, size)
            # compile once into wasmtime's on-disk cache, so that its timed processes load
            # the compiled module instead of spending seconds in Cranelift each
            # (and the AOT tier's cache: a Go module's first compile takes minutes)
            for eng, cmd, env in engines:
                if eng in ("wasmtime", "isthmus-aot"):
                    if eng == "isthmus-aot":
                        log(f"  compiling {name}.wasm for the AOT tier (cached in {self.out / 'aot-cache'})")
                    run(cmd, env=env, timeout=3600)
            samples = {e[0]: [] for e in engines}
            walls = {e[0]: [] for e in engines}
            errors, checks = {}, {}
            log(f"go {name} ({label}): {rounds} rounds x {len(engines)} engines")

            def take(eng, out, wall):
                m = GO_LINE.search(out)
                if not m:
                    return False
                samples[eng].append(int(m.group(3)))
                walls[eng].append(wall)
                checks.setdefault(eng, m.group(4))
                return True
            self._in_turns(engines, rounds, take, errors)
            ref = checks.get("native")
            for eng, c in checks.items():
                if ref is not None and c != ref:
                    errors[eng] = f"checksum {c} differs from native {ref}"
                    samples[eng] = []
            rows.append(self._row("go", name, label, samples, errors, walls=walls))
        self.results["sections"]["go"] = rows
        return rows

    # ------------------------------------------------------------------ C engine workloads
    def c_engines(self, func, arg, calls):
        wasm = str(self.out / "c" / "engine.wasm")
        a, n = str(arg), str(calls)
        driver = [str(self.out / "c" / "isthmus_driver"), "call", wasm, func, a, n]
        engines = [
            ("native", [str(self.out / "c" / "native_call"), func, a, n], None),
            ("isthmus", driver, dict(os.environ, ISTHMUS_TIER="interp")),
            ("isthmus-py", self.py_runner("call", "isthmus", wasm, func, a, n), None),
            ("isthmus-aot", driver, self.aot_env),
            ("wasmtime", self.py_runner("call", "wasmtime", wasm, func, a, n), None),
        ]
        if self.node:
            engines.append(("node", self.node_runner("call", wasm, func, a, n), None))
        if not self.wasm3_error:
            engines.append(("wasm3", self.py_runner("call", "wasm3", wasm, func, a, n), None))
        return engines

    def section_engine(self):
        # processes differ more than calls within one (code and data placement): many
        # processes, few calls each
        rounds, calls = (1, 3) if QUICK else (5, 2)
        rows = []
        for name, func, arg, label in C_WORKLOADS:
            if QUICK and name not in C_QUICK:
                continue
            engines = self.c_engines(func, arg, calls)
            for eng, cmd, env in engines:
                if eng == "isthmus-aot":
                    run(cmd, env=env, timeout=3600)  # the AOT object into its cache
            samples = {e[0]: [] for e in engines}
            errors, results = {}, {}
            log(f"engine {name} ({label}): {rounds} rounds x {calls} calls x {len(engines)} engines")

            def take(eng, out, _wall):
                got = CALL_LINE.findall(out)
                if not got:
                    return False
                # the first call on an instance also lowers (isthmus) or tiers up (node);
                # keep every call: the median takes the steady state
                samples[eng] += [int(ns) for ns, _ in got]
                results.setdefault(eng, {res for _, res in got})
                return True
            self._in_turns(engines, rounds, take, errors)
            ref = results.get("native")
            for eng, res in results.items():
                if ref is not None and res != ref:
                    errors[eng] = f"result {sorted(res)} differs from native {sorted(ref)}"
                    samples[eng] = []
            if self.wasm3_error:
                errors["wasm3"] = f"not available: {self.wasm3_error}"
            rows.append(self._row("engine", name, label, samples, errors))
        self.results["sections"]["engine"] = rows
        return rows

    @staticmethod
    def _in_turns(engines, rounds, take, errors):
        """Runs every (name, cmd, env) of engines once per round, starting one engine later each
        round, so machine load hits all alike. take(name, stdout, wall seconds) records a sample
        and returns False when the output has none; an engine that fails once is dropped, its
        reason in errors."""
        for r in range(rounds):
            order = engines[r % len(engines):] + engines[:r % len(engines)]
            for eng, cmd, env in order:
                if eng in errors:
                    continue
                out, err, rc, wall = run(cmd, env=env)
                if rc != 0 or not take(eng, out, wall):
                    errors[eng] = f"exit {rc}: {first_line(err) or first_line(out)}"

    def _row(self, section, name, label, samples, errors, walls=None):
        med = {e: median(v) for e, v in samples.items()}
        row = {
            "section": section, "workload": name, "size": label,
            "median_ns": med, "samples_ns": samples, "errors": errors,
            "spread_pct": {e: spread(v) for e, v in samples.items()},
        }
        if walls:
            row["wall_s"] = walls
        for e, msg in errors.items():
            self.notes.append(f"{section}/{name} on {e}: {msg}")
        return row

    # ------------------------------------------------------------------ call overhead
    def section_call(self):
        calls, repeat, runs = (200_000, 3, 1) if QUICK else (1_000_000, 7, 3)
        cmd = [self.py, str(self.root / "tests" / "python" / "bench_call.py"), "--calls", str(calls),
               "--repeat", str(repeat), "--go", str(self.out / "go" / "seed_sum.wasm")]
        log(f"call overhead: {runs} x {' '.join(cmd[1:])}")
        values, outputs = {}, []
        for _ in range(runs):  # its best-of-N still catches a bad moment now and then
            out, err, rc, _ = run(cmd)
            outputs.append(out)
            if rc != 0:
                self.notes.append(f"call: bench_call.py failed: {first_line(err)}")
                continue
            for m in re.finditer(r"^\s+(.+?)\s+([\d.]+) ns/call$", out, re.M):
                values.setdefault(" ".join(m.group(1).split()), []).append(float(m.group(2)))
        # The Go sum on both tiers, in turns with operator.add (the AOT object compiles at load,
        # before anything is timed, into the benchmark's AOT cache)
        tiers = {}
        log("call overhead: Go sum on the interpreter, AOT and AUTO tiers (bench_call.py --tiers)")
        for _ in range(runs):
            out, err, rc, _ = run(cmd + ["--tiers"], env=self.aot_env, timeout=3600)
            outputs.append(out)
            if rc != 0:
                self.notes.append(f"call: bench_call.py --tiers failed: {first_line(err)}")
                break
            for m in re.finditer(r"^\s+(.+?)\s+([\d.]+) ns/call", out, re.M):
                tiers.setdefault(" ".join(m.group(1).split()) + " [tiers run]", []).append(float(m.group(2)))
        rows = [{"what": k, "ns": median(v), "runs": v} for k, v in {**values, **tiers}.items()]
        self.results["sections"]["call"] = {"rows": rows, "output": outputs}
        return rows

    # ------------------------------------------------------------------ start-up
    def section_startup(self):
        hello = self.out / "go" / "hello.wasm"
        n = 5 if QUICK else 15
        rows = []
        log("startup: in-process (Python), C driver, Node, CLI")
        out, err, rc, _ = run([self.py, str(self.root / "bench" / "startup.py"), str(hello),
                               "--reps", str(n), "--nocache-reps", "1" if QUICK else "3",
                               "--cache-config", str(self.wasmtime_cache)], timeout=600)
        if rc == 0:
            rows += json.loads(out)
        else:
            self.notes.append(f"startup.py failed: {first_line(err)}")
        # the C API alone (no Python), one process per sample
        ns = []
        for _ in range(n):
            o, e, rc, _ = run([str(self.out / "c" / "isthmus_driver"), "init", str(hello)])
            m = NS_LINE.search(o)
            if rc == 0 and m:
                ns.append(int(m.group(1)))
        rows.append({"engine": "isthmus", "what": "C API: load + WASI + instantiate + _initialize",
                     "median_ns": median(ns), "n": len(ns)})
        if self.node:
            ns = []
            for _ in range(max(3, n // 3)):  # V8 caches a module within a process: one per process
                o, e, rc, _ = run(self.node_runner("startup", str(hello)))
                m = NS_LINE.search(o)
                if rc == 0 and m:
                    ns.append(int(m.group(1)))
            rows.append({"engine": "node", "what": "compile + instantiate + _initialize (first in process)",
                         "median_ns": median(ns), "n": len(ns)})
        # whole CLI processes: hyperfine when installed, else our own loop
        cli = [str(self.build / "isthmus"), "run", str(hello)]
        rows.append(self._process_time("isthmus", "CLI process: `isthmus run hello.wasm`", cli, n * 2))
        self.results["sections"]["startup"] = rows
        sizes = {p.name: p.stat().st_size for p in sorted((self.out / "go").glob("*.wasm"))}
        sizes["engine.wasm"] = (self.out / "c" / "engine.wasm").stat().st_size
        self.results["sections"]["sizes"] = sizes
        return rows, sizes

    def _process_time(self, engine, what, cmd, runs):
        hf = shutil.which("hyperfine")
        if hf:
            js = self.out / "hyperfine-startup.json"
            _, err, rc, _ = run([hf, "-N", "--warmup", "2", "--runs", str(runs), "--export-json", str(js),
                                 "--style", "none", " ".join(cmd)])
            if rc == 0:
                times = json.loads(js.read_text())["results"][0]["times"]
                return {"engine": engine, "what": what + " (hyperfine)", "median_ns": median(times) * 1e9,
                        "n": len(times)}
            self.notes.append(f"hyperfine failed ({first_line(err)}); timed by the runner instead")
        walls = []
        for _ in range(runs):
            _, _, rc, wall = run(cmd)
            if rc == 0:
                walls.append(wall)
        return {"engine": engine, "what": what, "median_ns": median(walls) * 1e9 if walls else None,
                "n": len(walls)}

    # ------------------------------------------------------------------ rich-value calls
    def section_abi(self):
        js = self.out / "abi" / "results.json"
        js.parent.mkdir(parents=True, exist_ok=True)
        js.unlink(missing_ok=True)
        cmd = [self.py, str(self.root / "bench" / "abi" / "bench_abi_peers.py"), "--build", str(self.build),
               "--out", str(js.parent), "--json", str(js), "--rounds", "3" if QUICK else "9"]
        if shutil.which("valgrind") and not QUICK:
            cmd.append("--instructions")  # the breakdown's instruction counts (~1 minute)
        log(f"abi: {' '.join(cmd[1:])}")
        out, err, rc, _ = run(cmd, timeout=900)
        if not js.exists():
            self.notes.append(f"abi: bench_abi_peers.py failed (exit {rc}): {first_line(err) or first_line(out)}")
            self.results["sections"]["abi"] = None
            return None
        res = json.loads(js.read_text())
        if rc != 0:
            self.notes.append(f"abi: bench_abi_peers.py exit {rc}: a variant failed its checks or its build")
        for name, msg in res["errors"].items():
            self.notes.append(f"abi/{name}: {msg}")
        for case, name in res.get("fastest", {}).items():
            if name != "isthmus":
                self.notes.append(f"abi/{case}: {name} is faster than isthmus")
        self.results["sections"]["abi"] = res
        return res

    # ------------------------------------------------------------------ callgrind
    def section_callgrind(self):
        vg = shutil.which("valgrind")
        rows = []
        if not vg:
            self.notes.append("callgrind: valgrind is not installed (apt-get install valgrind)")
            self.results["sections"]["callgrind"] = rows
            return rows
        cg = self.out / "callgrind"
        cg.mkdir(exist_ok=True)
        driver = str(self.out / "c" / "isthmus_driver")
        wasm = str(self.out / "c" / "engine.wasm")
        cases = [(f"engine {n}({a})", [driver, "call", wasm, f, str(a), "1"], "measured_call", n)
                 for n, f, a in CALLGRIND_CASES if not QUICK or n in CALLGRIND_QUICK]
        cases.append(("Go hello: load + WASI + instantiate + _initialize",
                      [driver, "init", str(self.out / "go" / "hello.wasm")], "measured_init", "hello-init"))
        for name, size in CALLGRIND_GO:
            if QUICK and name not in CALLGRIND_QUICK:
                continue
            cases.append((f"Go {name} {size}: whole `isthmus run` (start-up included)",
                          [str(self.build / "isthmus"), "run", str(self.out / "go" / f"{name}.wasm"), str(size)],
                          None, f"go-{name}"))
        for label, cmd, fn, tag in cases:
            log(f"callgrind: {label}")
            outf = cg / f"{tag}.out"
            collect = ["--collect-atstart=no", f"--toggle-collect={fn}"] if fn else []
            _, err, rc, wall = run([vg, "--tool=callgrind", *collect, f"--callgrind-out-file={outf}", *cmd],
                                   timeout=900)
            m = re.search(r"Collected\s*:\s*(\d+)", err)
            if rc != 0 or not m:
                self.notes.append(f"callgrind {label}: exit {rc}: {first_line(err)}")
                continue
            rows.append({"what": label, "instructions": int(m.group(1)), "file": str(outf)})
        self.results["sections"]["callgrind"] = rows
        return rows


# ----------------------------------------------------------------------------- report

def machine_info():
    def cmd(*c):
        try:
            return subprocess.run(c, capture_output=True, text=True, timeout=30).stdout.strip()
        except (OSError, subprocess.TimeoutExpired):
            return ""
    lscpu = cmd("lscpu")
    keep = ("Model name", "CPU family", "Model", "CPU(s)", "Thread(s) per core", "CPU max MHz",
            "L1d cache", "L2 cache", "L3 cache", "Hypervisor vendor")
    cpu = {}
    for line in lscpu.splitlines():
        k, _, v = line.partition(":")
        if k.strip() in keep and k.strip() not in cpu:
            cpu[k.strip()] = v.strip()

    def first(text):
        return text.splitlines()[0] if text else "not installed"

    try:
        import importlib.metadata as md
        wt = md.version("wasmtime")
    except Exception:  # noqa: BLE001 - any failure means "unknown"
        wt = "?"
    try:
        w3 = md.version("pywasm3")
    except Exception:  # noqa: BLE001
        w3 = "not installed"
    mem = ""
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemTotal"):
                mem = f"{int(line.split()[1]) / 1024 / 1024:.0f} GiB"
    except OSError:
        pass
    commit = cmd("git", "-C", str(Path(__file__).resolve().parent.parent), "rev-parse", "--short", "HEAD")
    dirty = cmd("git", "-C", str(Path(__file__).resolve().parent.parent), "status", "--porcelain", "--",
                "src", "include", "python", "CMakeLists.txt")
    return {
        "commit": (commit or "?") + (" with uncommitted engine changes" if dirty else ""),
        "cpu": cpu, "memory": mem, "kernel": platform.release(), "os": first(cmd("sh", "-c", ". /etc/os-release; echo $PRETTY_NAME")),
        "gcc": first(cmd("gcc", "--version")), "clang": first(cmd("clang", "--version")),
        "go": first(cmd("go", "version")), "node": first(cmd("node", "--version")),
        "python": sys.version.split()[0], "wasmtime-py": wt, "pywasm3": w3,
        "valgrind": first(cmd("valgrind", "--version")), "hyperfine": first(cmd("hyperfine", "--version")),
    }


ENGINE_COLS = ["native", "isthmus", "isthmus-py", "isthmus-aot", "wasmtime", "node", "wasm3"]


def report(bench, info, meters):
    L = []
    s = bench.results["sections"]
    L.append(f"# isthmus benchmark{' (BENCH_QUICK subset)' if QUICK else ''}")
    L.append("")
    cpu = info["cpu"]
    guest = f", {cpu['Hypervisor vendor']} guest" if "Hypervisor vendor" in cpu else ""
    L.append(f"Machine: {cpu.get('Model name', '?')} (family {cpu.get('CPU family', '?')} model "
             f"{cpu.get('Model', '?')}{guest}), {cpu.get('CPU(s)', '?')} CPUs "
             f"({cpu.get('Thread(s) per core', '?')} thread(s) per core), L2 {cpu.get('L2 cache', '?')}, "
             f"L3 {cpu.get('L3 cache', '?')}, {info['memory']}, kernel {info['kernel']}, {info['os']}.")
    L.append(f"Source: commit {info['commit']}.")
    L.append(f"Tools: {info['gcc']}; {info['clang']}; {info['go']}; node {info['node']}; python {info['python']}; "
             f"wasmtime-py {info['wasmtime-py']}; pywasm3 {info['pywasm3']}.")
    L.append(f"Load: load average {' '.join(meters['load_start'])} at the start, {' '.join(meters['load_end'])} "
             f"at the end; other processes used {meters['others_text']} during the run.")
    L.append("")

    if s.get("go") or s.get("engine"):
        L.append("## Workloads: median milliseconds of the work, and isthmus's ratios")
        L.append("")
        L.append("isthmus = the CLI (`isthmus run`, Go) or the C API driver (engine) on the interpreter; "
                 "isthmus-py = the Python package (interpreter); isthmus-aot = the CLI or driver on the "
                 "experimental AOT tier (`--tier aot`: compiled with the C compiler, from its cache). Ratios "
                 "use the isthmus column (aot ratios the isthmus-aot column): how many times slower than the "
                 "other engine.")
        L.append("")
        L.append("| set | workload | size | " + " | ".join(ENGINE_COLS) + " | ÷native | ÷wasmtime | ÷node | ÷wasm3 | aot ÷native | aot ÷wasmtime | spread |")
        L.append("|---|---|---|" + "---:|" * (len(ENGINE_COLS) + 7))
        for row in s.get("go", []) + s.get("engine", []):
            med = row["median_ns"]
            cells = []
            for e in ENGINE_COLS:
                if e in med and med[e] is not None:
                    cells.append(fmt_ms(med[e]))
                elif e in row["errors"]:
                    cells.append("fail" if not row["errors"][e].startswith("not available") else "n/a")
                else:
                    cells.append("—")
            i = med.get("isthmus")
            sp = row["spread_pct"].get("isthmus")
            L.append(f"| {row['section']} | {row['workload']} | {row['size']} | " + " | ".join(cells) +
                     f" | {fmt_ratio(i, med.get('native'))} | {fmt_ratio(i, med.get('wasmtime'))} | "
                     f"{fmt_ratio(i, med.get('node'))} | {fmt_ratio(i, med.get('wasm3'))} | "
                     f"{fmt_ratio(med.get('isthmus-aot'), med.get('native'))} | "
                     f"{fmt_ratio(med.get('isthmus-aot'), med.get('wasmtime'))} | "
                     f"{f'{sp:.0f}%' if sp is not None else '—'} |")
        L.append("")
        L.append("spread = median absolute deviation / median of the isthmus samples. Go: one sample per process, "
                 "the program's own clock around its work (start-up and compilation excluded). "
                 "Engine: every call on one instance (the first call includes lazy lowering).")
        L.append("")

        for sec, other in (("go", "wasmtime"), ("go", "native"), ("engine", "wasmtime"), ("engine", "wasm3")):
            for col in ("isthmus", "isthmus-aot"):
                g = geomean([r["median_ns"][col] / r["median_ns"][other] for r in s.get(sec, [])
                             if r["median_ns"].get(col) and r["median_ns"].get(other)])
                if g is not None:
                    L.append(f"- geometric mean, {sec} workloads, {col} ÷ {other}: {g:.2f}×")
        L.append("")
        rows = [r for r in s.get("go", []) + s.get("engine", [])
                if r["median_ns"].get("isthmus") and r["median_ns"].get("wasmtime")]
        if rows:
            rows.sort(key=lambda r: r["median_ns"]["isthmus"] / r["median_ns"]["wasmtime"], reverse=True)
            L.append("isthmus ÷ wasmtime, worst first: " + ", ".join(
                f"{r['section']}/{r['workload']} {fmt_ratio(r['median_ns']['isthmus'], r['median_ns']['wasmtime'])}"
                for r in rows) + ".")
            L.append("")

    call = s.get("call", {}).get("rows", [])
    if call:
        L.append("## Call overhead from Python (tests/python/bench_call.py, median of its runs)")
        L.append("")
        L.append("| call | ns/call |")
        L.append("|---|---:|")
        for r in call:
            L.append(f"| {r['what']} | {r['ns']:.1f} |")
        byname = {r["what"]: r["ns"] for r in call}
        add = byname.get("operator.add(12, 12)")
        ist = byname.get("isthmus sum(12, 12)")
        wt = next((v for k, v in byname.items() if k.startswith("wasmtime-py")), None)
        extra = []
        if add and ist:
            extra.append(f"isthmus ÷ operator.add = {ist / add:.2f}×")
        if wt and ist:
            extra.append(f"wasmtime-py ÷ isthmus = {wt / ist:.1f}×")
        t_add = byname.get("operator.add(12, 12) [tiers run]")
        for k in [k for k in byname if k.startswith("Go sum, ") and k.endswith(" [tiers run]")]:
            if t_add and byname.get(k):
                extra.append(f"{k.replace(' [tiers run]', '')} ÷ operator.add = {byname[k] / t_add:.2f}×")
        if extra:
            L.append("")
            L.append("; ".join(extra) + ". Rows marked [tiers run] come from `bench_call.py --tiers`, "
                     "measured in turns with operator.add in their own run.")
        L.append("")

    st = s.get("startup")
    if st:
        L.append("## Start-up: Go c-shared hello (load + validate + instantiate + `_initialize`)")
        L.append("")
        L.append("| engine | what | median ms | n |")
        L.append("|---|---|---:|---:|")
        for r in st:
            L.append(f"| {r['engine']} | {r['what']} | {fmt_ms(r['median_ns'])} | {r['n']} |")
        L.append("")
        sizes = s.get("sizes", {})
        if sizes:
            L.append("Module sizes: " + ", ".join(f"{k} {v / 1e6:.2f} MB" if v > 1e5 else f"{k} {v / 1e3:.1f} kB"
                                                   for k, v in sizes.items()) + ".")
            L.append("")

    cg = s.get("callgrind")
    if cg:
        L.append("## Deterministic counts: instructions under `valgrind --tool=callgrind`")
        L.append("")
        L.append("Engine rows and the hello row count only the driver's measured function (the call, or "
                 "the whole start-up); Go rows count the whole process. build/bench/callgrind/*.out open "
                 "with `callgrind_annotate`.")
        L.append("")
        L.append("| workload | instructions |")
        L.append("|---|---:|")
        for r in cg:
            L.append(f"| {r['what']} | {r['instructions']:,} |")
        L.append("")

    abi = s.get("abi")
    if abi:
        v = abi["versions"]
        L.append("## Rich-value calls against the peers (bench/abi/bench_abi_peers.py)")
        L.append("")
        L.append("The same Go bodies (bench/abi/shared) called from Python: isthmus (`isthmus build` + "
                 "`isthmus.load`), wasmtime-py with hand-written glue (alloc export, ptr|len in an i64, JSON "
                 "for the struct), Extism's Python SDK with its Go PDK; pure Python for scale. "
                 f"{abi['rounds']} rounds, interleaved. wasmtime-py {v['wasmtime']}, extism {v['extism']} "
                 f"(extism-sys {v['extism-sys']}), Extism Go PDK {v.get('go-pdk', '?')}.")
        L.append("")
        L.append(abi["markdown"])
        L.append("")
        if abi.get("breakdown_markdown"):
            L.append("Where an isthmus call's time goes (bench/abi/probe):")
            L.append("")
            L.append(abi["breakdown_markdown"])
            L.append("")

    if bench.notes:
        L.append("## Notes from this run")
        L.append("")
        for n in bench.notes:
            L.append(f"- {n}")
        L.append("")
    return "\n".join(L)


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--root", type=Path, required=True)
    ap.add_argument("--build", type=Path, required=True)
    ap.add_argument("--out", type=Path, required=True)
    ap.add_argument("--only", help="comma-separated sections: go,engine,call,startup,callgrind,abi")
    args = ap.parse_args()
    sections = {"go", "engine", "call", "startup", "callgrind", "abi"}
    only = set(args.only.split(",")) if args.only else sections
    if only - sections:
        ap.error(f"unknown section(s) {sorted(only - sections)}; choose from {sorted(sections)}")

    bench = Bench(args.root.resolve(), args.build.resolve(), args.out.resolve(), sys.executable)
    info = machine_info()
    meters = {"load_start": loadavg()}
    meter = LoadMeter()
    t0 = time.monotonic()
    per_section = []
    for name, fn in (("go", bench.section_go), ("engine", bench.section_engine), ("call", bench.section_call),
                     ("startup", bench.section_startup), ("abi", bench.section_abi),
                     ("callgrind", bench.section_callgrind)):
        if name in only:
            m = LoadMeter()
            fn()
            o = m.others()
            if o is not None:
                per_section.append(f"{name} {o:.2f}")
                if o > 0.3 and name != "callgrind":  # instruction counts do not move with load
                    bench.notes.append(f"{name}: other processes used {o:.2f} cores on average meanwhile; "
                                       "its numbers are suspect (rerun on a quiet machine)")
    others = meter.others()
    meters["load_end"] = loadavg()
    meters["others_text"] = (f"{others:.2f} of {os.cpu_count()} cores on average (by section: "
                             f"{', '.join(per_section)})" if others is not None else "an unknown share of the CPUs")
    bench.results.update(machine=info, load=meters, seconds=time.monotonic() - t0)
    text = report(bench, info, meters)
    (bench.out / "results.md").write_text(text + "\n")
    (bench.out / "results.json").write_text(json.dumps(bench.results, indent=1, default=str) + "\n")
    print(text)
    print(f"\n(took {time.monotonic() - t0:.0f} s; report in {bench.out / 'results.md'}, "
          f"samples in {bench.out / 'results.json'})")


if __name__ == "__main__":
    main()
