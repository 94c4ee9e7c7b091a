#!/usr/bin/env bash
# tests/wasi/testsuite/rebuild.sh CHECKOUT OUT [c] [rust] [assemblyscript]
#
# Builds the official WASI test suite's wasm32-wasip1 programs from the sources of a local
# checkout of github.com/WebAssembly/wasi-testsuite (its main branch, which has sources but
# no binaries) into OUT, laid out as the suite lays out its binaries:
#   OUT/tests/{c,rust,assemblyscript}/testsuite/wasm32-wasip1/{manifest.json,NAME.wasm,NAME.json,DIRS}
# so that `tests/wasi/testsuite/run.sh BUILD_DIR OUT` runs them. Nothing is written into
# CHECKOUT (each language is built in OUT/.build). Nothing of it is ever committed here.
# With no language named, all three are built; a language whose sources are missing is skipped.
#
# Each language is built the way the suite's own build script does it:
#   c               tests/c/build.py: `$CC --target=TARGET src/NAME.c -o NAME.wasm` for every
#                   src/*.c, copying src/NAME.json and the folders in its "dirs".
#   rust            tests/rust/build.py: `cargo build --target=TARGET` in wasm32-wasip1/ (a
#                   debug build, as build.py without --release), copying each src/bin/NAME.rs's
#                   target/TARGET/debug/NAME.wasm and src/bin/NAME.json (and its "dirs").
#   assemblyscript  tests/assemblyscript/build.py: in wasm32-wasip1/, `npm run asc -- src/NAME.ts
#                   -o src/NAME.wasm` with the folder's asconfig.json (which extends
#                   @assemblyscript/wasi-shim's), copying src/NAME.json (and its "dirs").
#
# Toolchains (environment):
#   CC            C compiler (default clang). TARGET is C_TARGET, else the first of
#                 wasm32-wasip1, wasm32-wasi that compiles and links a hello world (clang < 18
#                 and Debian's wasi-libc know only wasm32-wasi). CFLAGS are added.
#   CARGO, RUSTC  default: `cargo` and its rustc; when that rustc has no wasm32-wasip1 /
#                 wasm32-wasi standard library and Debian's /usr/bin/rustc does (packages
#                 rustc, cargo, libstd-rust-dev-wasm32), Debian's cargo and rustc.
#                 RUST_TARGET overrides the target. RUST_RELEASE=1 builds with --release.
#                 Without a Cargo.lock in the checkout, one is made; when the build cargo is
#                 not the `cargo` on PATH and that one is 1.84 or newer, with it, choosing
#                 crate releases the build rustc can compile (CARGO_RESOLVER_INCOMPATIBLE_RUST_
#                 VERSIONS=fallback). A cargo older than 1.68 is run with its sparse registry
#                 (-Z sparse-registry), as crates.io's git index is on GitHub.
#   RUST_PRECISE  "crate@version ..." pins applied with `cargo update --precise` afterwards.
#   ASC_VERSION, WASI_SHIM_VERSION
#                 npm versions of assemblyscript and @assemblyscript/wasi-shim; default: the
#                 ones the checkout's package-lock.json pins, else 0.22.0 and 0.1.0. Installed
#                 with npm into OUT/.build/assemblyscript (needs node >= 16 and the npm registry).
set -u
usage="usage: tests/wasi/testsuite/rebuild.sh CHECKOUT OUT [c] [rust] [assemblyscript]"
src=$(cd "${1:?$usage}" && pwd) || exit 2
mkdir -p "${2:?$usage}" && out=$(cd "$2" && pwd) || exit 2
shift 2
langs=${*:-c rust assemblyscript}
[ -d "$src/tests" ] || { echo "rebuild.sh: $src has no tests/ folder (not a wasi-testsuite checkout)" >&2; exit 2; }
build=$out/.build
mkdir -p "$build"
status=0
summary=()

note() { echo "rebuild.sh: $*"; }

# layout SRC_DIR DST_DIR NAME: copies SRC_DIR/NAME.json to DST_DIR and the folders its
# "dirs" (and "root") name, as the suite's build scripts do.
layout() {
  local json=$1/$3.json
  [ -f "$json" ] || return 0
  cp "$json" "$2/$3.json"
  python3 - "$json" "$1" "$2" <<'PY'
import json, shutil, sys, os
spec = json.load(open(sys.argv[1]))
names = list(spec.get("dirs", []))
if spec.get("root"):
    names.append(spec["root"])
for op in spec.get("operations", []):
    names += op.get("dirs", [])
    if op.get("root"):
        names.append(op["root"])
for d in names:
    s = os.path.join(sys.argv[2], d)
    if os.path.isdir(s):
        shutil.copytree(s, os.path.join(sys.argv[3], d), dirs_exist_ok=True, symlinks=True)
PY
}

manifest() { printf '{"name": "%s"}\n' "$2" >"$1/manifest.json"; }

build_c() {
  local s=$src/tests/c/src d=$out/tests/c/testsuite/wasm32-wasip1
  ls "$s"/*.c >/dev/null 2>&1 || { note "c: no tests/c/src/*.c, skipped"; return; }
  local cc=${CC:-clang} target=${C_TARGET:-} t
  if [ -z "$target" ]; then
    printf '#include <stdio.h>\nint main(void) { puts("hi"); return 0; }\n' >"$build/hello.c"
    for t in wasm32-wasip1 wasm32-wasi; do
      # shellcheck disable=SC2086
      if $cc --target=$t ${CFLAGS:-} "$build/hello.c" -o "$build/hello.wasm" 2>/dev/null; then target=$t; break; fi
    done
    [ -n "$target" ] || { note "c: $cc builds no wasm32-wasip1 / wasm32-wasi program (wasi-libc missing?)"; status=1; return; }
  fi
  mkdir -p "$d" && manifest "$d" "WASI C tests [wasm32-wasip1]"
  local f n ok=0 bad=0
  for f in "$s"/*.c "$s"/wasm32-wasip1/*.c; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .c)
    layout "$(dirname "$f")" "$d" "$n"
    # shellcheck disable=SC2086
    if $cc --target=$target ${CFLAGS:-} "$f" -o "$d/$n.wasm"; then ok=$((ok + 1)); else note "c: $n failed to build"; bad=$((bad + 1)); fi
  done
  [ $bad -eq 0 ] || status=1
  summary+=("c: $ok built, $bad failed ($cc --target=$target)")
}

cargo_minor() { # CARGO -> its minor version (cargo 0.66 of Debian's rustc 1.63 counts as 66)
  "$1" --version 2>/dev/null | sed -n 's/^cargo [01]\.\([0-9]*\).*/\1/p' | grep . || echo 0
}

rust_target_of() { # RUSTC -> the first wasm32 WASI target whose standard library it has
  local root t
  root=$("$1" --print sysroot 2>/dev/null) || return 1
  for t in wasm32-wasip1 wasm32-wasi; do
    [ -d "$root/lib/rustlib/$t/lib" ] && { echo "$t"; return 0; }
  done
  return 1
}

build_rust() {
  local s=$src/tests/rust/wasm32-wasip1 d=$out/tests/rust/testsuite/wasm32-wasip1
  [ -f "$s/Cargo.toml" ] || { note "rust: no tests/rust/wasm32-wasip1/Cargo.toml, skipped"; return; }
  local cargo=${CARGO:-} rustc=${RUSTC:-} target=${RUST_TARGET:-}
  if [ -z "$cargo" ]; then
    cargo=cargo
    rustc=${rustc:-$(dirname "$(command -v cargo 2>/dev/null || echo /nonexistent/cargo)")/rustc}
    [ -x "$rustc" ] || rustc=rustc
    if ! rust_target_of "$rustc" >/dev/null && [ -x /usr/bin/cargo ] && rust_target_of /usr/bin/rustc >/dev/null; then
      cargo=/usr/bin/cargo rustc=/usr/bin/rustc
    fi
  fi
  rustc=${rustc:-rustc}
  [ -n "$target" ] || target=$(rust_target_of "$rustc") || {
    note "rust: $rustc has no wasm32-wasip1 or wasm32-wasi standard library (rustup target add wasm32-wasip1, or Debian's rustc + cargo + libstd-rust-dev-wasm32)"
    status=1; return; }
  local w=$build/rust/wasm32-wasip1
  rm -rf "$w" && mkdir -p "$w" && (cd "$s" && tar --exclude=./target -cf - .) | (cd "$w" && tar -xf -)
  local mode=debug flags=()
  [ "${RUST_RELEASE:-}" = 1 ] && mode=release flags=(--release)
  export RUSTC=$rustc
  local cv
  cv=$(cargo_minor "$cargo")
  # Cargo older than 1.68 reads crates.io only through its git index (on GitHub); its sparse
  # index (the registry's own host) is there behind -Z sparse-registry.
  local ce=(env)
  [ "$cv" -lt 68 ] && ce=(env RUSTC_BOOTSTRAP=1 CARGO_UNSTABLE_SPARSE_REGISTRY=true)
  if [ ! -f "$w/Cargo.lock" ]; then
    # A lock file for this rustc: a newer cargo on PATH picks the newest crate releases
    # whose rust-version this rustc meets (the build cargo may be too old to do that).
    if [ "$cargo" != cargo ] && [ "$(cargo_minor cargo)" -ge 84 ]; then
      (cd "$w" && CARGO_RESOLVER_INCOMPATIBLE_RUST_VERSIONS=fallback cargo generate-lockfile -q)
    else
      (cd "$w" && "${ce[@]}" "$cargo" generate-lockfile -q)
    fi || { note "rust: cargo generate-lockfile failed"; status=1; return; }
  fi
  # Lock file format 4 is read from cargo 1.78 on; for registry crates 3 is the same.
  [ "$cv" -lt 78 ] && sed -i 's/^version = 4$/version = 3/' "$w/Cargo.lock"
  local p
  for p in ${RUST_PRECISE:-}; do
    (cd "$w" && "${ce[@]}" "$cargo" update -q -p "${p%@*}" --precise "${p#*@}") || note "rust: could not pin $p"
  done
  if ! (cd "$w" && "${ce[@]}" "$cargo" build -q --target="$target" "${flags[@]}"); then
    note "rust: cargo build failed"; status=1
  fi
  mkdir -p "$d" && manifest "$d" "WASI Rust tests [wasm32-wasip1]"
  local f n ok=0 bad=0
  for f in "$w"/src/bin/*.rs; do
    [ -f "$f" ] || continue
    n=$(basename "$f" .rs)
    if [ -f "$w/target/$target/$mode/$n.wasm" ]; then
      cp "$w/target/$target/$mode/$n.wasm" "$d/$n.wasm" && layout "$w/src/bin" "$d" "$n"
      ok=$((ok + 1))
    else note "rust: no $n.wasm was built"; bad=$((bad + 1)); fi
  done
  [ $bad -eq 0 ] || status=1
  summary+=("rust: $ok built, $bad failed ($("$rustc" --version | cut -d' ' -f1-2), $target, $mode)")
}

build_assemblyscript() {
  local s=$src/tests/assemblyscript/wasm32-wasip1 d=$out/tests/assemblyscript/testsuite/wasm32-wasip1
  ls "$s"/src/*.ts >/dev/null 2>&1 || { note "assemblyscript: no tests/assemblyscript/wasm32-wasip1/src/*.ts, skipped"; return; }
  command -v npm >/dev/null || { note "assemblyscript: npm not found"; status=1; return; }
  local asc=${ASC_VERSION:-} shim=${WASI_SHIM_VERSION:-}
  if [ -f "$s/package-lock.json" ]; then
    [ -n "$asc" ] || asc=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packages"]["node_modules/assemblyscript"]["version"])' "$s/package-lock.json" 2>/dev/null)
    [ -n "$shim" ] || shim=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["packages"]["node_modules/@assemblyscript/wasi-shim"]["version"])' "$s/package-lock.json" 2>/dev/null)
  fi
  asc=${asc:-0.22.0} shim=${shim:-0.1.0}
  local w=$build/assemblyscript/wasm32-wasip1
  rm -rf "$w/src" && mkdir -p "$w" && cp -R "$s/src" "$w/src"
  if [ -f "$s/asconfig.json" ]; then cp "$s/asconfig.json" "$w/"
  else printf '{"extends": "./node_modules/@assemblyscript/wasi-shim/asconfig.json"}\n' >"$w/asconfig.json"; fi
  # Only the compiler and the shim: the suite's package.json also brings its linters.
  printf '{"name": "wasi-testsuite-assemblyscript-rebuild", "private": true, "scripts": {"asc": "asc"}}\n' >"$w/package.json"
  if ! [ -f "$w/node_modules/assemblyscript/package.json" ] ||
     [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$w/node_modules/assemblyscript/package.json")" != "$asc" ] ||
     [ "$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["version"])' "$w/node_modules/@assemblyscript/wasi-shim/package.json" 2>/dev/null)" != "$shim" ]; then
    (cd "$w" && npm install --no-audit --no-fund --no-save --loglevel=error "assemblyscript@$asc" "@assemblyscript/wasi-shim@$shim") ||
      { note "assemblyscript: npm install assemblyscript@$asc @assemblyscript/wasi-shim@$shim failed"; status=1; return; }
  fi
  mkdir -p "$d" && manifest "$d" "WASI Assemblyscript  tests [wasm32-wasip1]"
  local f n ok=0 bad=0
  for f in "$w"/src/*.ts; do
    n=$(basename "$f" .ts)
    if (cd "$w" && npm run asc --silent -- "src/$n.ts" -o "src/$n.wasm"); then
      cp "$w/src/$n.wasm" "$d/$n.wasm" && layout "$w/src" "$d" "$n"
      ok=$((ok + 1))
    else note "assemblyscript: $n failed to build"; bad=$((bad + 1)); fi
  done
  [ $bad -eq 0 ] || status=1
  summary+=("assemblyscript: $ok built, $bad failed (assemblyscript $asc, wasi-shim $shim)")
}

for l in $langs; do
  case $l in
  c) build_c ;;
  rust) build_rust ;;
  assemblyscript | as) build_assemblyscript ;;
  *) echo "rebuild.sh: unknown language $l (c, rust, assemblyscript)" >&2; exit 2 ;;
  esac
done
for line in "${summary[@]}"; do note "$line"; done
exit $status
