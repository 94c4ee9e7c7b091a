#!/usr/bin/env python3
"""Rich-value calls from Python against the peers: the same Go function bodies
(bench/abi/shared: ``Greet(name string) string`` and ``Reorder(Order) Order``, a five-field
struct) called through

  isthmus           ``isthmus build --export`` + ``isthmus.load`` (the isthmus ABI, docs/abi.md)
  wasmtime-py       PyPI ``wasmtime`` with the usual hand-written glue (bench/abi/plain: an alloc
                    export, ptr|len packed in an i64, JSON for the struct), one buffer per call
  wasmtime-py, reused buffer
                    the same module, the input written into one buffer kept across calls (one
                    wasm call per round trip instead of two: the best that glue can do)
  extism            PyPI ``extism`` with Extism's Go PDK (bench/abi/extism), standard Go toolchain
  python            the same functions in pure Python, for scale
  isthmus, hand glue  (diagnostic) bench/abi/plain on isthmus's low-level API with the
                    wasmtime-py glue: separates the engine's cost from the ABI's

Builds the modules into BUILD/bench/abi, checks every variant's answers (a wrong answer is
reported and never timed), then times the variants in turns for several rounds and prints
a table of median ns/call with the ratios isthmus ÷ each peer.

    build/bench/venv/bin/python bench/abi/bench_abi_peers.py [--build build] [--rounds 7]
    bench/run.sh --only abi          (make bench runs it as its "abi" section)

Needs the isthmus package (and, for their columns, wasmtime and extism) in the Python that
runs it; bench/run.sh installs all three into build/bench/venv. Exit status 1 when a variant
gave a wrong answer or an isthmus or plain module failed to build; a missing wasmtime or
extism package, or an Extism plug-in that does not build, leaves its row "n/a" with the reason.
"""

from __future__ import annotations

import argparse
import dataclasses
import gc
import json
import os
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import timeit
from pathlib import Path
from typing import Any, Callable, Dict, List, Optional, Tuple

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent

# The two calls and the arguments they are timed with.
NAME = "ada"
ORDER = {"id": 41, "customer": "ada lovelace", "qty": 3, "price": 4.5, "paid": False}
FIELDS = ("id", "customer", "qty", "price", "paid")
CASES = ("greet", "struct")
CASE_TITLES = {"greet": 'Greet("ada")', "struct": "Reorder(Order) (5 fields)"}

# Extra inputs checked (not timed): empty, non-ASCII, NUL bytes; zero and negative numbers.
CHECK_NAMES = ("", "Zoë 🌍", "a\x00b")
CHECK_ORDERS = (
    {"id": -7, "customer": "zoë", "qty": 0, "price": 0.0, "paid": True},
    {"id": 9_007_199_254_740_000, "customer": "", "qty": 1_000_000, "price": 1e300, "paid": False},
)

VARIANTS = ("isthmus", "wasmtime-py", "wasmtime-py, reused buffer", "extism", "python", "isthmus, hand glue")
PEERS = ("wasmtime-py", "wasmtime-py, reused buffer", "extism")  # the other ways to call Go


def log(msg: str) -> None:
    print(f"bench abi: {msg}", file=sys.stderr, flush=True)


# ----------------------------------------------------------------------------- the reference

@dataclasses.dataclass
class PyOrder:
    id: int
    customer: str
    qty: int
    price: float
    paid: bool


def py_greet(name: str) -> str:
    return f"Hello, {name}!"


def py_reorder(o: PyOrder) -> PyOrder:
    unit = o.price / o.qty if o.qty else 0.0
    return PyOrder(o.id + 1, o.customer.upper(), o.qty * 2, unit * (o.qty * 2), not o.paid)


def expected_order(d: Dict[str, Any]) -> Dict[str, Any]:
    return dataclasses.asdict(py_reorder(PyOrder(**d)))


def as_dict(r: Any) -> Dict[str, Any]:
    return dict(r) if isinstance(r, dict) else {f: getattr(r, f) for f in FIELDS}


# ----------------------------------------------------------------------------- building

def run_tool(cmd: List[str], cwd: Path, **env: str) -> Optional[str]:
    """Runs a build command; returns None, or the end of its output when it failed."""
    p = subprocess.run(cmd, cwd=cwd, env=dict(os.environ, GOWORK="off", **env), capture_output=True, text=True)
    if p.returncode == 0:
        return None
    lines = (p.stderr or p.stdout).strip().splitlines()
    return " / ".join(lines[-6:]) or f"exit status {p.returncode}"


def build_all(build: Path, out: Path) -> Tuple[Dict[str, Path], Dict[str, str]]:
    """Builds the modules; returns {what: file} and {what: why it did not build}."""
    out.mkdir(parents=True, exist_ok=True)
    files, errors = {}, {}
    cli = build / "isthmus"
    wasip1 = {"GOOS": "wasip1", "GOARCH": "wasm"}
    isthmus_builds = {  # isthmus build --export: the shared package stays free of any directive
        "isthmus": (["./shared.Greet", "./shared.Reorder"], "./shared"),
        "probe": (["./probe.Nop", "./probe.Add", "./probe.Echo", "./shared.Greet"], "./probe"),
    }
    for what, (exports, pkg) in isthmus_builds.items():
        wasm = out / f"{what}.wasm"
        if not cli.exists():
            errors[what] = f"{cli} not found (make build)"
            continue
        log(f"isthmus build → {wasm}")
        cmd = [str(cli), "build", "--out", str(wasm)] + [a for e in exports for a in ("--export", e)] + [pkg]
        err = run_tool(cmd, HERE)
        if err:
            errors[what] = f"isthmus build failed: {err}"
        else:
            files[what] = wasm
    log(f"go build -buildmode=c-shared ./plain → {out / 'plain.wasm'}")
    err = run_tool(["go", "build", "-buildmode=c-shared", "-o", str(out / "plain.wasm"), "./plain"], HERE, **wasip1)
    if err:
        errors["plain"] = f"go build failed: {err}"
    else:
        files["plain"] = out / "plain.wasm"
    log(f"go build -buildmode=c-shared (Extism Go PDK) → {out / 'extism.wasm'}")
    ext = HERE / "extism"
    err = run_tool(["go", "mod", "download", "github.com/extism/go-pdk"], ext)
    if err:
        errors["extism"] = f"could not download the Extism Go PDK from the Go module proxy: {err}"
    else:
        err = run_tool(["go", "build", "-buildmode=c-shared", "-o", str(out / "extism.wasm"), "."], ext, **wasip1)
        if err:
            errors["extism"] = f"the Extism Go PDK did not build with the standard Go toolchain: {err}"
        else:
            files["extism"] = out / "extism.wasm"
    return files, errors


# ----------------------------------------------------------------------------- the variants
# Each maker returns {"greet": f(name) -> str, "struct": f(arg) -> result, "arg": the struct
# argument in the variant's natural Python form}.

def make_python(files: Dict[str, Path]) -> Dict[str, Any]:
    return {"greet": py_greet, "struct": py_reorder, "arg": PyOrder(**ORDER),
            "to_arg": lambda d: PyOrder(**d)}


def make_isthmus(files: Dict[str, Path]) -> Dict[str, Any]:
    import isthmus
    lib = isthmus.load(str(files["isthmus"]))
    order_cls = lib.Order

    def check_type(r: Any) -> Any:
        if not isinstance(r, order_cls):
            raise AssertionError(f"Reorder returned {type(r).__name__}, not the generated Order class")
        return r
    return {"greet": lib.Greet, "struct": lib.Reorder, "arg": order_cls(**ORDER),
            "to_arg": lambda d: order_cls(**d), "check": check_type}


class PlainGlue:
    """The hand-written host side of bench/abi/plain: write the input into guest memory, call,
    unpack ptr|len, read the output. ``reuse`` writes into one scratch buffer kept across calls
    instead of alloc'ing one per call. The engine-specific part is in the four callables."""

    def __init__(self, call: Callable[..., int], write: Callable[[int, bytes], Any],
                 read: Callable[[int, int], Any], reuse: bool) -> None:
        self.call, self.write, self.read, self.reuse = call, write, read, reuse
        self.cap = 4096
        self.buf = call("scratch", self.cap) if reuse else 0

    def roundtrip(self, fn: str, data: bytes) -> Any:
        n = len(data)
        if self.reuse:
            if n > self.cap:
                self.cap = n
                self.buf = self.call("scratch", n)
            ptr = self.buf
        else:
            ptr = self.call("alloc", n)
        self.write(ptr, data)
        packed = self.call(fn, ptr, n)
        if packed == 0:
            raise RuntimeError(f"{fn} failed in the guest")
        p, size = packed >> 32, packed & 0xFFFFFFFF
        return self.read(p, size)

    def greet(self, name: str) -> str:
        return self.roundtrip("greet", name.encode()).decode()

    def reorder(self, order: Dict[str, Any]) -> Dict[str, Any]:
        return json.loads(self.roundtrip("reorder", json.dumps(order).encode()))


def wasmtime_glue(files: Dict[str, Path], reuse: bool) -> PlainGlue:
    import wasmtime
    engine = wasmtime.Engine()
    store = wasmtime.Store(engine)
    store.set_wasi(wasmtime.WasiConfig())
    linker = wasmtime.Linker(engine)
    linker.define_wasi()
    inst = linker.instantiate(store, wasmtime.Module.from_file(engine, str(files["plain"])))
    ex = inst.exports(store)
    ex["_initialize"](store)
    mem = ex["memory"]
    funcs = {n: ex[n] for n in ("alloc", "scratch", "greet", "reorder")}
    glue = PlainGlue(lambda fn, *a: funcs[fn](store, *a),
                     lambda ptr, data: mem.write(store, data, ptr),
                     lambda ptr, n: mem.read(store, ptr, ptr + n), reuse)  # a bytearray: decodes as is
    glue.keep = (engine, store, linker, inst)  # type: ignore[attr-defined]
    return glue


def make_wasmtime(files: Dict[str, Path], reuse: bool = False) -> Dict[str, Any]:
    glue = wasmtime_glue(files, reuse)
    return {"greet": glue.greet, "struct": glue.reorder, "arg": dict(ORDER), "to_arg": dict}


def make_isthmus_glue(files: Dict[str, Path]) -> Dict[str, Any]:
    import isthmus
    lib = isthmus.load(str(files["plain"]))
    mem = lib.memory
    funcs = {n: lib[n] for n in ("alloc", "scratch", "greet", "reorder")}
    glue = PlainGlue(lambda fn, *a: funcs[fn](*a), mem.write, mem.read, reuse=False)
    glue.keep = lib  # type: ignore[attr-defined]
    return {"greet": glue.greet, "struct": glue.reorder, "arg": dict(ORDER), "to_arg": dict}


def make_extism(files: Dict[str, Path]) -> Dict[str, Any]:
    import extism
    plugin = extism.Plugin(files["extism"].read_bytes(), wasi=True)

    def greet(name: str) -> str:
        return plugin.call("greet", name).decode()

    def reorder(order: Dict[str, Any]) -> Dict[str, Any]:
        return json.loads(plugin.call("reorder", json.dumps(order)))
    return {"greet": greet, "struct": reorder, "arg": dict(ORDER), "to_arg": dict, "keep": plugin}


MAKERS: Dict[str, Tuple[Tuple[str, ...], Callable[[Dict[str, Path]], Dict[str, Any]]]] = {
    # variant: (module files it needs, maker)
    "python": ((), make_python),
    "isthmus": (("isthmus",), make_isthmus),
    "wasmtime-py": (("plain",), make_wasmtime),
    "wasmtime-py, reused buffer": (("plain",), lambda f: make_wasmtime(f, reuse=True)),
    "extism": (("extism",), make_extism),
    "isthmus, hand glue": (("plain",), make_isthmus_glue),
}


def check(name: str, v: Dict[str, Any]) -> None:
    """Raises AssertionError unless the variant answers every check input correctly."""
    got = v["greet"](NAME)
    assert got == "Hello, ada!", f"Greet({NAME!r}) = {got!r}"
    for n in CHECK_NAMES:
        got = v["greet"](n)
        assert got == py_greet(n), f"Greet({n!r}) = {got!r}, want {py_greet(n)!r}"
    for d in (ORDER, *CHECK_ORDERS):
        r = v["struct"](v["to_arg"](d))
        if "check" in v:
            v["check"](r)
        got, want = as_dict(r), expected_order(d)
        assert got == want and all(type(got[k]) is type(want[k]) or k == "price" for k in FIELDS), \
            f"Reorder({d}) = {got}, want {want}"
        assert isinstance(got["price"], (int, float)), f"Reorder({d}).price is {type(got['price']).__name__}"


# ----------------------------------------------------------------------------- timing

def calibrate(fn: Callable[[], Any], target_s: float) -> int:
    for _ in range(3):
        fn()
    n = 10
    while True:
        t = timeit.Timer(fn).timeit(n)
        if t >= 0.02 or n >= 1_000_000:
            return max(10, min(1_000_000, int(n * target_s / max(t, 1e-9))))
        n *= 4


def measure(jobs: List[Tuple[Any, Callable[[], Any]]], rounds: int, target_s: float, what: str) -> Dict[Any, List[float]]:
    """ns/call of every job once per round, in an order rotated from round to round."""
    counts = [calibrate(fn, target_s) for _, fn in jobs]
    samples: Dict[Any, List[float]] = {key: [] for key, _ in jobs}
    order = list(range(len(jobs)))
    for r in range(rounds):
        k = (r * 2) % len(jobs)
        for i in order[k:] + order[:k]:
            key, fn = jobs[i]
            gc.collect()
            t = timeit.Timer(fn).timeit(counts[i])  # timeit turns the collector off while it times
            samples[key].append(t / counts[i] * 1e9)
        log(f"{what}: round {r + 1}/{rounds} done")
    return samples


def measure_variants(variants: Dict[str, Dict[str, Any]], rounds: int, target_s: float) -> Dict[str, Dict[str, List[float]]]:
    jobs: List[Tuple[Any, Callable[[], Any]]] = []
    for name, v in variants.items():
        jobs.append(((name, "greet"), (lambda f=v["greet"]: f(NAME))))
        jobs.append(((name, "struct"), (lambda f=v["struct"], a=v["arg"]: f(a))))
    flat = measure(jobs, rounds, target_s, "variants")
    return {n: {c: flat[(n, c)] for c in CASES} for n in variants}


# The breakdown: the steps from a plain wasm export to Greet through the ABI, all on one
# isthmus instance of probe.wasm (bench/abi/probe + shared.Greet).
STEPS = (
    ("raw", "`isthmus_abi_version()`: a plain Go wasmexport, no ABI"),
    ("nop", "`Nop()` through the ABI: its fixed per-call cost"),
    ("add", "`Add(2, 3)`: + two int64 arguments and an int64 result"),
    ("echo", '`Echo("ada")`: + a string argument and a string result'),
    ("greet", '`Greet("ada")`: + the body (a string concatenation)'),
)


def probe_calls(path: Path) -> Dict[str, Callable[[], Any]]:
    import isthmus
    lib = isthmus.load(str(path))
    raw = lib["isthmus_abi_version"]
    return {"raw": lambda: raw(), "nop": lambda: lib.Nop(), "add": lambda: lib.Add(2, 3),
            "echo": lambda: lib.Echo(NAME), "greet": lambda: lib.Greet(NAME)}


# Counted under callgrind from the C entry of the call (the raw export's, or the ABI's) to its
# return: the interpreter running Go, the host's marshalling, the conversions to Python values.
COUNT_ENTRY = {"raw": "func_vectorcall"}
COUNT_ENTRY_ABI = "abifunc_vectorcall"


def count_child(path: Path, step: str, n: int) -> None:
    """The process that callgrind watches: 200 warm-up calls, then n more."""
    f = probe_calls(path)[step]
    for _ in range(200 + n):
        f()


def count_instructions(path: Path, steps: List[str], n: int = 2000) -> Tuple[Dict[str, int], Optional[str]]:
    """Instructions per call of each step: the difference between runs of 3n and n calls
    (which cancels the warm-up) over 2n; spans shorter than ~4,000 calls vary by a few hundred
    instructions per call with periodic work outside the call path. Returns the counts and an
    error text, if any."""
    vg = shutil.which("valgrind")
    if not vg:
        return {}, "valgrind is not installed: no instruction counts"
    counts: Dict[str, int] = {}
    with tempfile.TemporaryDirectory() as d:
        for step in steps:
            got = []
            for calls in (n, 3 * n):
                fn = COUNT_ENTRY.get(step, COUNT_ENTRY_ABI)
                p = subprocess.run([vg, "--tool=callgrind", "--collect-atstart=no", f"--toggle-collect={fn}",
                                    f"--callgrind-out-file={d}/cg.out", sys.executable, __file__, "--count-child",
                                    str(path), step, str(calls)], capture_output=True, text=True)
                m = re.search(r"Collected\s*:\s*(\d+)", p.stderr)
                if p.returncode != 0 or not m or int(m.group(1)) == 0:
                    return counts, (f"callgrind on {step} failed (exit {p.returncode}, nothing collected in {fn}?): "
                                    + (p.stderr.strip().splitlines() or [""])[-1])
                got.append(int(m.group(1)))
            counts[step] = round((got[1] - got[0]) / (2 * n))
            log(f"instructions: {step} {counts[step]}/call")
    return counts, None


def breakdown(files: Dict[str, Path], rounds: int, target_s: float, instructions: bool) -> Dict[str, Any]:
    import isthmus
    lib = isthmus.load(str(files["probe"]))
    lib.Nop()
    assert lib.Add(2, 3) == 5 and lib.Add(-(2**63), -1) == 2**63 - 1, "Add gave a wrong answer"
    assert lib.Echo("Zoë\x00") == "Zoë\x00" and lib.Greet(NAME) == "Hello, ada!", "Echo/Greet gave a wrong answer"
    assert lib["isthmus_abi_version"]() == 1
    fns = probe_calls(files["probe"])
    samples = measure([(k, fns[k]) for k, _ in STEPS], rounds, target_s, "breakdown")
    res = {"median_ns": {k: statistics.median(v) for k, v in samples.items()}, "samples_ns": samples}
    if instructions:
        res["instructions"], err = count_instructions(files["probe"], [k for k, _ in STEPS])
        if err:
            res["instructions_error"] = err
    return res


def breakdown_markdown(b: Dict[str, Any]) -> str:
    med, ins = b["median_ns"], b.get("instructions", {})
    cols = "| isthmus call (probe.wasm) | ns/call | step |" + (" instructions/call | step |" if ins else "")
    L = [cols, "|---|" + "---:|" * (4 if ins else 2)]
    prev = prev_i = None
    for k, label in STEPS:
        row = f"| {label} | {fmt_ns(med[k])} | {'' if prev is None else f'{med[k] - prev:+,.0f}'} |"
        if ins:
            i = ins.get(k)
            row += f" {'—' if i is None else f'{i:,}'} | {'' if prev_i is None or i is None else f'{i - prev_i:+,}'} |"
            prev_i = i
        L.append(row)
        prev = med[k]
    if ins:
        L.append("")
        L.append("Instructions: `valgrind --tool=callgrind`, counted from the C entry of the call to its return "
                 "(engine, Go code, host marshalling), per call (the difference of 6,000 and 2,000 calls, over 4,000).")
    if b.get("instructions_error"):
        L.append("")
        L.append(f"No instruction counts: {b['instructions_error']}")
    return "\n".join(L)


# ----------------------------------------------------------------------------- report

def fmt_ns(ns: Optional[float]) -> str:
    if ns is None:
        return "—"
    return f"{ns:,.0f}" if ns >= 100 else f"{ns:.1f}"


def fmt_ratio(a: Optional[float], b: Optional[float]) -> str:
    if a is None or b is None or b == 0:
        return "—"
    r = a / b
    return f"{r:.2f}×" if r < 10 else f"{r:.1f}×"


def spread(xs: List[float]) -> Optional[float]:
    if len(xs) < 2:
        return None
    m = statistics.median(xs)
    return statistics.median(abs(x - m) for x in xs) / m * 100


def markdown(res: Dict[str, Any]) -> str:
    med = res["median_ns"]
    ist = med.get("isthmus", {})
    L = ["| variant | " + " | ".join(f"{CASE_TITLES[c]} ns/call" for c in CASES) + " | " +
         " | ".join(f"isthmus ÷ variant, {c}" for c in CASES) + " | spread |",
         "|---|" + "---:|" * (2 * len(CASES) + 1)]
    for name in VARIANTS:
        if name in med:
            cells = [fmt_ns(med[name].get(c)) for c in CASES]
            ratios = ["1" if name == "isthmus" else fmt_ratio(ist.get(c), med[name].get(c)) for c in CASES]
            sp = [s for s in (res["spread_pct"][name].get(c) for c in CASES) if s is not None]
            L.append(f"| {name} | " + " | ".join(cells + ratios) + (f" | {max(sp):.0f}% |" if sp else " | — |"))
        elif name in res["errors"]:
            word = "n/a" if res["unavailable"].get(name) else "fail"
            L.append(f"| {name} | " + " | ".join([word] * (2 * len(CASES))) + " | — |")
    L.append("")
    L.append("Median of the rounds; a ratio below 1 means isthmus takes less time than the variant. "
             "spread = the larger median absolute deviation / median of the two cells.")
    if res["errors"]:
        L.append("")
    for name, msg in res["errors"].items():
        L.append(f"- {name}: {msg}")
    return "\n".join(L)


def versions() -> Dict[str, str]:
    import importlib.metadata as md
    v = {"python": sys.version.split()[0]}
    for pkg in ("isthmus", "wasmtime", "extism", "extism-sys"):
        try:
            v[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            v[pkg] = "not installed"
    p = subprocess.run(["go", "version"], capture_output=True, text=True)
    v["go"] = p.stdout.strip()
    for line in (HERE / "extism" / "go.mod").read_text().splitlines():
        if "github.com/extism/go-pdk" in line:
            v["go-pdk"] = line.split()[-1]
    return v


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build", type=Path, default=ROOT / "build", help="the engine's build directory (BUILD/isthmus)")
    ap.add_argument("--out", type=Path, help="where the modules go (default BUILD/bench/abi)")
    ap.add_argument("--rounds", type=int, default=7)
    ap.add_argument("--sample-ms", type=float, default=150, help="time per sample (calls are batched to fill it)")
    ap.add_argument("--only", help="comma-separated variants (default: all)")
    ap.add_argument("--json", type=Path, help="also write the results here")
    ap.add_argument("--instructions", action="store_true",
                    help="also count instructions per call of the breakdown under callgrind (~1 minute)")
    ap.add_argument("--count-child", nargs=3, metavar=("WASM", "STEP", "N"), help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.count_child:
        count_child(Path(args.count_child[0]), args.count_child[1], int(args.count_child[2]))
        return 0
    build = args.build.resolve()
    out = (args.out or build / "bench" / "abi").resolve()
    wanted = args.only.split(",") if args.only else list(VARIANTS)
    unknown = [w for w in wanted if w not in MAKERS]
    if unknown:
        ap.error(f"unknown variant(s) {unknown}; choose from {list(VARIANTS)}")
    if args.rounds < 1:
        ap.error("--rounds must be at least 1")

    files, build_errors = build_all(build, out)
    errors: Dict[str, str] = {}
    unavailable: Dict[str, bool] = {}
    failed = False
    variants: Dict[str, Dict[str, Any]] = {}
    for name in VARIANTS:
        if name not in wanted:
            continue
        needs, maker = MAKERS[name]
        missing = [f for f in needs if f not in files]
        if missing:
            errors[name] = build_errors[missing[0]]
            if missing[0] == "extism":  # a finding about the PDK (or no network), not a failure here
                unavailable[name] = True
            else:
                failed = True
            continue
        try:
            v = maker(files)
        except ImportError as e:
            errors[name], unavailable[name] = f"not available: {e} (pip install it into this Python)", True
            continue
        try:
            check(name, v)
        except Exception as e:  # noqa: BLE001 - any failure of a variant is reported as its result
            errors[name] = f"wrong or failed answer, not timed: {type(e).__name__}: {e}"
            failed = True
            continue
        log(f"{name}: answers checked")
        variants[name] = v
    if not variants:
        log("nothing to time")
        return 1
    log(f"timing {len(variants)} variants x {len(CASES)} calls, {args.rounds} rounds of ~{args.sample_ms:.0f} ms samples")
    samples = measure_variants(variants, args.rounds, args.sample_ms / 1000)
    res = {
        "median_ns": {n: {c: statistics.median(s[c]) for c in CASES} for n, s in samples.items()},
        "spread_pct": {n: {c: spread(s[c]) for c in CASES} for n, s in samples.items()},
        "samples_ns": samples, "errors": errors, "unavailable": unavailable, "versions": versions(),
        "rounds": args.rounds,
    }
    if "probe" in files and "isthmus" in variants:
        try:
            res["breakdown"] = breakdown(files, args.rounds, args.sample_ms / 1000, args.instructions)
            res["breakdown_markdown"] = breakdown_markdown(res["breakdown"])
        except AssertionError as e:
            errors["breakdown"] = f"wrong answer, not timed: {e}"
            failed = True
    elif "probe" in build_errors:
        errors["breakdown"] = build_errors["probe"]
        failed = True
    res["markdown"] = markdown(res)
    ist = res["median_ns"].get("isthmus")
    if ist:
        res["fastest"] = {c: min((n for n in res["median_ns"] if n in PEERS or n == "isthmus"),
                                 key=lambda n: res["median_ns"][n][c]) for c in CASES}
        for c, n in res["fastest"].items():
            log(f"{CASE_TITLES[c]}: the fastest way to call the Go code is {n}")
    if args.json:
        args.json.write_text(json.dumps(res, indent=1) + "\n")
    print(res["markdown"])
    if "breakdown_markdown" in res:
        print()
        print(res["breakdown_markdown"])
    v = res["versions"]
    print(f"\n{v['go']}; python {v['python']}; isthmus {v['isthmus']}; wasmtime-py {v['wasmtime']}; "
          f"extism {v['extism']} (extism-sys {v['extism-sys']}); Extism Go PDK {v.get('go-pdk', '?')}.")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
