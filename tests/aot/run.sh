#!/usr/bin/env bash
# tests/aot/run.sh BUILD_DIR [PART...] — the AOT tier (ISTHMUS_TIER=aot) against the same tests
# the interpreter passes. PARTs (default: all): seams wast modules wasi go.
#   seams    build/aot_tiers: cross-tier calls, host re-entry, traps, stack exhaustion, interrupts;
#            build/aot_tierup: the AUTO tier's background tier-up of hot functions
#   wast     the conformance scripts (fresh cache directory: every module is compiled)
#   modules  tests/scripts/real_modules.sh (Go c-shared and command modules, clang modules)
#   wasi     tests/wasi/run.sh (C and Go programs compared with native runs)
#   go       the Go seed `sum` and bench Go workloads: same output as the interpreter
# Go modules are large (~2 MB of wasm, ~15 MB of C): compiling one takes minutes on 2 cores,
# so parts other than wast keep their objects in $ISTHMUS_CACHE_DIR (default BUILD/aot-cache)
# between runs. Known failures are listed in tests/aot/README.md.
set -u
build=$(cd "${1:?usage: tests/aot/run.sh BUILD_DIR [PART...]}" && pwd)
shift
root=$(cd "$(dirname "$0")/../.." && pwd)
parts=("$@")
[ ${#parts[@]} -eq 0 ] && parts=(seams wast modules wasi go)
export ISTHMUS_TIER=aot
export ISTHMUS_CACHE_DIR=${ISTHMUS_CACHE_DIR:-$build/aot-cache}
# a first run compiles each Go program inside the timed run: allow for it
export WASI_TEST_TIMEOUT=${WASI_TEST_TIMEOUT:-1800}
mkdir -p "$ISTHMUS_CACHE_DIR"
status=0
run() { # name command...
  echo "== aot: $1"
  shift
  if ! "$@"; then
    echo "FAIL aot: $*"
    status=1
  fi
}

go_same() { # compare interpreter and AOT outputs of the bench Go workloads and the seed
  local out=$build/aot-go fail=0
  mkdir -p "$out"
  command -v go >/dev/null || { echo "go not found"; return 1; }
  (cd "$root/bench/go" && for w in fib sha256 json; do
     GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local go build -o "$out/$w.wasm" "./$w" || exit 1
   done) || return 1
  (cd "$root/examples/seed" && GOOS=wasip1 GOARCH=wasm GOTOOLCHAIN=local go build -buildmode=c-shared -o "$out/seed_sum.wasm" .) || return 1
  for w in "fib 27" "sha256 64" "json 32"; do
    set -- $w
    # the guest prints its own timing (ns=...): everything else must match
    want=$(ISTHMUS_TIER=interp "$build/isthmus" run "$out/$1.wasm" "$2" 2>&1 | sed 's/ ns=[0-9]*//'; echo "exit ${PIPESTATUS[0]}")
    got=$("$build/isthmus" run "$out/$1.wasm" "$2" 2>&1 | sed 's/ ns=[0-9]*//'; echo "exit ${PIPESTATUS[0]}")
    if [ "$want" = "$got" ]; then echo "  ok   $w"; else echo "  FAIL $w: interp [$want] aot [$got]"; fail=1; fi
  done
  got=$("$build/isthmus" call "$out/seed_sum.wasm" sum 12 12 2>&1)
  if [ "$got" = 24 ]; then echo "  ok   seed sum 12 12"; else echo "  FAIL seed sum: [$got]"; fail=1; fi
  return $fail
}

for p in "${parts[@]}"; do
  case $p in
    seams)
      run seams "$build/aot_tiers"
      run "tier-up (AUTO tier)" "$build/aot_tierup"
      ;;
    wast)
      fresh=$(mktemp -d)
      run "conformance scripts (fresh cache $fresh)" env ISTHMUS_CACHE_DIR="$fresh" "$root/tests/scripts/run_wast.sh" "$build"
      rm -rf "$fresh"
      ;;
    modules) run "real toolchain modules" "$root/tests/scripts/real_modules.sh" "$build" ;;
    wasi) run "WASI programs" "$root/tests/wasi/run.sh" "$build" ;;
    go) run "Go workloads, interpreter vs AOT" go_same ;;
    *) echo "unknown part $p"; exit 2 ;;
  esac
done
[ $status -eq 0 ] && echo "aot: all passed" || echo "aot: FAILED"
exit $status
