#!/usr/bin/env bash
# bench/callgrind.sh — the deterministic instruction counts of bench.py's callgrind section,
# without the rest of the benchmark (no peers, no venv), plus the cost of one host -> wasm
# call of the Go seed `sum`. For before/after comparisons of interpreter changes.
#
#   bench/callgrind.sh                 every case
#   bench/callgrind.sh fib sum         some cases: fib coremark nbody sha256 parse hello
#                                      go-fib go-sha256 go-json sum
#
# Needs the engine built in $BUILD (default build/, `make build`), clang with wasm-ld, gcc,
# Go 1.24+ and valgrind. Inputs go to $BUILD/bench (the same paths as bench/run.sh), the
# profiles to $BUILD/bench/callgrind/NAME.out (`callgrind_annotate` opens them).
#
# Engine rows and hello count only the driver's measured function, exactly as bench.py does;
# Go rows count the whole `isthmus run` process (Go's runtime reads the clock, so these move
# by ~0.05% from run to run). `sum` calls the Go seed's sum(12, 12) N=20000 times after a
# warm-up call, through isthmus_func_call_unchecked (the Python binding's path), and prints
# the count per call.
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=${BUILD:-$root/build}
[[ "$build" = /* ]] || build="$root/$build"
out=$build/bench
mkdir -p "$out/go" "$out/c" "$out/callgrind"
[[ -x "$build/isthmus" && -f "$build/libisthmus.a" ]] || { echo "build the engine first: make build" >&2; exit 1; }

cases=("$@")
[[ ${#cases[@]} -gt 0 ]] || cases=(fib coremark nbody sha256 parse hello go-fib go-sha256 go-json sum)
want() { local c; for c in "${cases[@]}"; do [[ "$c" == "$1" ]] && return 0; done; return 1; }

c=$root/bench/c
work=("$c/fib.c" "$c/coremark.c" "$c/nbody.c" "$c/sha256.c" "$c/parse.c")
[[ -f "$out/c/engine.wasm" ]] ||
  clang --target=wasm32 -O2 -nostdlib -Wl,--no-entry -Wl,--export-all -Wall -o "$out/c/engine.wasm" "${work[@]}" "$c/mem.c"
# the driver links the engine statically: rebuild it every time
gcc -O2 -g -Wall -I"$root/include" -o "$out/c/isthmus_driver" "$c/isthmus_driver.c" "$build/libisthmus.a" -lm
gobuild() { # name dir [flags]
  [[ -f "$out/go/$1.wasm" ]] || (cd "$2" && GOOS=wasip1 GOARCH=wasm go build "${@:3}" -o "$out/go/$1.wasm" .)
}
for w in fib sha256 json; do want "go-$w" && gobuild "$w" "$root/bench/go/$w"; done
want hello && gobuild hello "$root/bench/go/hello" -buildmode=c-shared
want sum && gobuild seed_sum "$root/examples/seed" -buildmode=c-shared

driver=$out/c/isthmus_driver
count() { # tag toggle-fn cmd...
  local tag=$1 fn=$2
  shift 2
  local collect=()
  [[ "$fn" == - ]] || collect=(--collect-atstart=no "--toggle-collect=$fn")
  valgrind --tool=callgrind "${collect[@]}" --callgrind-out-file="$out/callgrind/$tag.out" "$@" \
    2>"$out/callgrind/$tag.log" >/dev/null || { echo "$tag: failed, see $out/callgrind/$tag.log" >&2; return 1; }
  sed -n 's/.*Collected : *\([0-9]*\).*/\1/p' "$out/callgrind/$tag.log"
}
row() { printf '| %s | %s |\n' "$1" "$(echo "$2" | sed ':a;s/\B[0-9]\{3\}\>/,&/;ta')"; }

echo "| workload | instructions |"
echo "|---|---:|"
engine() { # name func arg
  want "$1" || return 0
  row "engine $1($3)" "$(count "$1" measured_call "$driver" call "$out/c/engine.wasm" "$2" "$3" 1)"
}
engine fib bench_fib 25
engine coremark bench_coremark 20
engine nbody bench_nbody 20000
engine sha256 bench_sha256 256
engine parse bench_parse 5
want hello && row "Go hello: load + WASI + instantiate + _initialize" \
  "$(count hello-init measured_init "$driver" init "$out/go/hello.wasm")"
gorun() { # name size
  want "go-$1" || return 0
  row "Go $1 $2: whole \`isthmus run\` (start-up included)" \
    "$(count "go-$1" - "$build/isthmus" run "$out/go/$1.wasm" "$2")"
}
gorun fib 25
gorun sha256 256
gorun json 64
if want sum; then
  n=20000
  total=$(count seed-sum measured_sum "$driver" sum "$out/go/seed_sum.wasm" sum 12 12 "$n")
  row "Go seed sum(12, 12), $n calls" "$total"
  printf '| Go seed sum(12, 12), one call | %s |\n' "$(awk -v t="$total" -v n="$n" 'BEGIN { printf "%.1f", t / n }')"
fi
