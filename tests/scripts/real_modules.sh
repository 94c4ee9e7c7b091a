#!/usr/bin/env bash
# Modules from real toolchains: Go 1.24+ (GOOS=wasip1 GOARCH=wasm; a c-shared library and a
# command) and clang (--target=wasm32-wasi; freestanding and against wasi-libc). Each must
# decode, validate, instantiate (with the project's WASI, through tests/c/realmod.c), run
# with the answers the same code gives natively, and be listed correctly by `inspect`.
# Usage: tests/scripts/real_modules.sh BUILD_DIR
set -euo pipefail
build=$(cd "${1:?usage: real_modules.sh BUILD_DIR}" && pwd)
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$build/modules"
mkdir -p "$out"
fail=0
check() { # name expected actual
  if [[ "$2" == "$3" ]]; then echo "  ok   $1"; else echo "  FAIL $1: expected [$2], got [$3]"; fail=1; fi
}

# --- Go
if command -v go >/dev/null; then
  (cd "$root/tests/modules/go_sum" && GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o "$out/gosum.wasm" .)
  (cd "$root/tests/modules/go_hello" && GOOS=wasip1 GOARCH=wasm go build -o "$out/gohello.wasm" .)
  native=$(cd "$root/tests/modules/go_sum" && go run .)
  check "go c-shared sum(12,12)" 24 "$("$build/realmod" "$out/gosum.wasm" call sum 12 12)"
  check "go c-shared fib(25)" "$(sed -n 1p <<<"$native")" "$("$build/realmod" "$out/gosum.wasm" call fib 25)"
  check "go c-shared work(1000)" "$(sed -n 2p <<<"$native")" "$("$build/realmod" "$out/gosum.wasm" call work 1000)"
  check "go command _start" "hello from Go
exit 7" "$("$build/realmod" "$out/gohello.wasm" start)"
  inspect=$("$build/isthmus" inspect "$out/gosum.wasm")
  check "inspect go: reactor" 1 "$(grep -c 'reactor' <<<"$inspect")"
  check "inspect go: sum export" 1 "$(grep -c '"sum" *(param i32 i32) (result i32)' <<<"$inspect")"
  check "inspect go: fd_write import" 1 "$(grep -m1 -c '"wasi_snapshot_preview1"."fd_write" *(param i32 i32 i32 i32) (result i32)' <<<"$inspect")"
  echo "  $("$build/realmod" "$out/gosum.wasm" time 10)"
else
  echo "  FAIL: go not found"; fail=1
fi

# --- clang
if command -v clang >/dev/null; then
  clang --target=wasm32-wasi -O2 -nostdlib -Wl,--no-entry "$root/tests/modules/c_compute/compute.c" -o "$out/compute.wasm"
  clang --target=wasm32-wasi -O2 "$root/tests/modules/c_hello/hello.c" -o "$out/chello.wasm"
  cc -O2 -o "$out/compute-native" -DNATIVE "$root/tests/modules/c_compute/compute.c" "$root/tests/modules/c_compute/native_main.c"
  native=$("$out/compute-native")
  got=$(for a in "fib 25" "checksum 60000" "fsum 1000" "sort 4000"; do "$build/isthmus" call "$out/compute.wasm" $a; done)
  check "clang freestanding kernels" "$native" "$got"
  check "clang wasi-libc _start" "hello from C, argc=0
exit 3" "$("$build/realmod" "$out/chello.wasm" start)"
  inspect=$("$build/isthmus" inspect "$out/compute.wasm")
  check "inspect clang: fib export" 1 "$(grep -c '"fib" *(param i32) (result i32)' <<<"$inspect")"
else
  echo "  FAIL: clang not found"; fail=1
fi
exit $fail
