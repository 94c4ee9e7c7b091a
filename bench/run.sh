#!/usr/bin/env bash
# bench/run.sh — `make bench`: builds the benchmark's workloads and peers, then runs
# bench/bench.py, which prints the report (also written to build/bench/results.md).
#
#   bench/run.sh                  everything (~10 minutes on 2 cores)
#   BENCH_QUICK=1 bench/run.sh    a ~2-minute subset (fewer workloads, rounds and counts)
#   bench/run.sh --only go,call   some sections: go, engine, call, startup, callgrind, abi
#   bench/run.sh --only abi       rich-value calls against wasmtime-py glue and Extism (bench/abi)
#
# Needs: the engine built in $BUILD (make build), Go 1.24+, clang with wasm-ld, gcc, node
# (optional), valgrind (optional), hyperfine (optional). The peers (PyPI wasmtime, pywasm3
# and extism) go into a venv of the benchmark's own, $BUILD/bench/venv, together with the
# isthmus package built from this checkout; they are never dependencies of isthmus.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
[[ "$build" = /* ]] || build="$root/$build"
out=$build/bench
mkdir -p "$out/go/native" "$out/c"

say() { echo "bench: $*" >&2; }
need() { command -v "$1" >/dev/null || { say "$1 is required ($2)"; exit 1; }; }
# `--only abi` needs none of the workloads below: bench/abi builds its own modules.
abi_only=false
for ((i = 1; i <= $#; i++)); do
  case "${!i}" in
    --only) j=$((i + 1)); [[ "${!j:-}" == abi ]] && abi_only=true ;;
    --only=abi) abi_only=true ;;
  esac
done
need go "Go 1.24+"
[[ -x "$build/isthmus" && -f "$build/libisthmus.a" ]] || { say "build the engine first: make build"; exit 1; }
if ! $abi_only; then
  need clang "clang with the wasm32 target"
  need wasm-ld "lld (apt-get install lld)"
  need gcc "the native builds"
  command -v node >/dev/null || say "node not found: its columns stay empty"
  command -v valgrind >/dev/null || say "valgrind not found: no instruction counts (apt-get install valgrind)"
  command -v hyperfine >/dev/null || say "hyperfine not found: process times measured by the runner"
fi

# ---------------------------------------------------------------- the Python side
venv=$out/venv
py=$venv/bin/python
if [[ ! -x "$py" ]]; then
  say "creating $venv"
  "${PYTHON:-python3}" -m venv "$venv"
  "$py" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
fi
"$py" -c 'import wasmtime' 2>/dev/null || { say "installing wasmtime (PyPI)"; "$py" -m pip install -q wasmtime; }
# pywasm3 is built from source by pip; when that fails, the reason is kept for the report.
if ! $abi_only && ! "$py" -c 'import wasm3' 2>/dev/null; then
  say "installing pywasm3 (PyPI, built from source)"
  if "$py" -m pip install pywasm3 >"$out/pywasm3-build.log" 2>&1; then
    rm -f "$out/pywasm3-build.log"
  else
    say "pywasm3 did not build: see $out/pywasm3-build.log"
  fi
fi
# Extism's Python SDK (its runtime ships in the extism-sys wheel); without it the abi
# section reports its column as n/a.
"$py" -c 'import extism' 2>/dev/null || { say "installing extism (PyPI)"; "$py" -m pip install -q extism || say "extism did not install"; }
# A build directory of the benchmark's own and an explicit build type, so that other venvs'
# builds (tests, other build types) neither rebuild it nor change its flags.
say "installing isthmus from this checkout into $venv (Release)"
"$py" -m pip install -q "$root" -C cmake.build-type=Release -C build-dir="$out/skbuild"

if $abi_only; then
  exec "$py" "$root/bench/bench.py" --root "$root" --build "$build" --out "$out" "$@"
fi

# ---------------------------------------------------------------- Go workloads
say "building the Go workloads (wasip1 and native)"
workloads=(fib sha256 json sort regexp wordcount bigint builder gzip)
(
  cd "$root/bench/go"
  for w in "${workloads[@]}"; do
    GOOS=wasip1 GOARCH=wasm go build -o "$out/go/$w.wasm" "./$w"
    go build -o "$out/go/native/$w" "./$w"
  done
  GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o "$out/go/hello.wasm" ./hello
)
(cd "$root/examples/seed" && GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o "$out/go/seed_sum.wasm" .)

# ---------------------------------------------------------------- C engine workloads
say "building the engine workloads (wasm32, native) and the isthmus C driver"
c=$root/bench/c
work=("$c/fib.c" "$c/coremark.c" "$c/nbody.c" "$c/sha256.c" "$c/parse.c")
clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-all -Wall \
  -o "$out/c/engine.wasm" "${work[@]}" "$c/mem.c"
# -fno-math-errno: wasm's f64.sqrt sets no errno either; with errno gcc -O2 runs nbody 2x slower.
gcc -O2 -fno-math-errno -Wall -o "$out/c/native_call" "$c/native_call.c" "${work[@]}" -lm
gcc -O2 -g -Wall -I"$root/include" -o "$out/c/isthmus_driver" "$c/isthmus_driver.c" "$build/libisthmus.a" -lm

exec "$py" "$root/bench/bench.py" --root "$root" --build "$build" --out "$out" "$@"
