#!/usr/bin/env bash
# The Go guest SDK (go/) and isthmus build:
#   1. go vet and go test in go/ (encoder/decoder round trips, runtime, generator goldens);
#   2. isthmus-build on the example module (tests/go/example) and on the generator's test app;
#   3. the built modules through the isthmus CLI (inspect, raw exports with call);
#   4. the ABI end to end through the pure-Python reference host (tests/go/abi_host.py), when
#      a Python with the isthmus package and pytest is available.
#
#   tests/go/run.sh [BUILD_DIR]        (default build/; needs BUILD_DIR/isthmus: make build)
#   PYTHON=/path/to/python tests/go/run.sh   (default BUILD_DIR/venv/bin/python, if present)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
isthmus=$build/isthmus
out=$build/go
mkdir -p "$out"
fail() { echo "FAIL: $*" >&2; exit 1; }

echo "== go vet, go test (go/)"
(cd "$root/go" && go vet ./... && go test ./...)

echo "== isthmus-build"
(cd "$root/go" && go build -o "$out/isthmus-build" ./cmd/isthmus-build)
build_go() { "$out/isthmus-build" "$@" || fail "isthmus-build $*"; }
(cd "$root/tests/go/example" &&
  build_go --export strings.ToUpper --export strings.Repeat=repeat --out "$out/example.wasm" . &&
  build_go --out "$out/text.wasm" ./text)
(cd "$root/go/internal/gen/testdata/mod" && build_go --export ./lib.Shout=shout --export ./util.Trim --out "$out/gentest.wasm" ./app)

# the source tree is untouched: the glue lives only in the overlay
stray=$(find "$root/tests/go/example" "$root/go/internal/gen/testdata" \( -name isthmus_exports_gen.go -o -name _isthmus_main \) -print)
[[ -z "$stray" ]] || fail "isthmus build wrote into the source tree: $stray"

# the schema, as JSON, against the golden file (the Go version in the producer varies)
"$out/isthmus-build" --schema "$out/example.wasm" | sed 's/"producer": "isthmus build [^"]*"/"producer": "isthmus build GOVERSION"/' >"$out/example.schema.json"
diff -u "$root/tests/go/example.schema.golden" "$out/example.schema.json" ||
  fail "the example's schema differs from tests/go/example.schema.golden"

echo "== isthmus inspect / call"
[[ -x "$isthmus" ]] || fail "$isthmus not found (make build)"

# `isthmus build` (the C command) forwards to the same generator: same schema
(cd "$root/tests/go/example" && XDG_CACHE_HOME="$out/cache" "$isthmus" build \
  --export strings.ToUpper --export strings.Repeat=repeat --out "$out/example-cli.wasm" .) ||
  fail "isthmus build failed"
"$out/isthmus-build" --schema "$out/example-cli.wasm" | sed 's/"producer": "isthmus build [^"]*"/"producer": "isthmus build GOVERSION"/' |
  diff -u "$out/example.schema.json" - || fail "isthmus build gave another schema than isthmus-build"
"$isthmus" build --help | grep -q "usage: isthmus build" || fail "isthmus build --help"
inspect=$("$isthmus" inspect "$out/example.wasm")
for want in '"isthmus_abi_version"  (result i32)' '"isthmus_schema"       (result i64)' \
  '"isthmus_scratch"      (param i32) (result i32)' '"isthmus_alloc"        (param i32) (result i32)' \
  '"isthmus_free"         (param i32 i32)' '"isthmus_call"         (param i32 i32 i32) (result i64)' \
  '"isthmus"."host_call"' '"isthmus.schema"'; do
  grep -qF -- "$want" <<<"$inspect" || fail "inspect example.wasm: no $want"
done
inspect=$("$isthmus" inspect "$out/text.wasm")
grep -qF '"isthmus"."host_call"' <<<"$inspect" && fail "text.wasm imports host_call although it calls no host function"
section=$(grep -F '"isthmus.schema"' <<<"$inspect" | awk '{print $2}')

# text.wasm has no host imports, so the CLI can call its raw exports.
call() { "$isthmus" call "$out/text.wasm" "$@"; }
low32() { python3 -c "import sys; print(int(sys.argv[1]) & 0xffffffff)" "$1"; }
[[ $(call isthmus_abi_version) == 1 ]] || fail "isthmus_abi_version"
[[ $(low32 "$(call isthmus_schema)") == "$section" ]] || fail "isthmus_schema length differs from the section ($section)"
msg="isthmus: no function with id 9 (the module exports 2)"
[[ $(low32 "$(call isthmus_call 9 0 0)") == $((1 + 4 + ${#msg})) ]] || fail "isthmus_call of an unknown id"
[[ $(call isthmus_alloc 0) == 0 ]] || fail "isthmus_alloc 0"
[[ $(call isthmus_scratch 100) != 0 ]] || fail "isthmus_scratch"
echo "  raw exports ok"

python=${PYTHON:-$build/venv/bin/python}
if [[ -x "$python" ]] && "$python" -c 'import isthmus, pytest' 2>/dev/null; then
  echo "== the ABI through the reference host ($python)"
  (cd "$root/tests/go" && EXAMPLE_WASM="$out/example.wasm" GENTEST_WASM="$out/gentest.wasm" \
    "$python" -m pytest -q -p no:cacheprovider test_abi.py)
else
  echo "== skipped the reference host: no Python with isthmus and pytest (make test-python builds build/venv)"
fi
echo "Go SDK tests passed"
