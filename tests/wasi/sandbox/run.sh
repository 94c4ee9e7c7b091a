#!/usr/bin/env bash
# run.sh BUILD_DIR — the WASI sandbox tests: escapes from preopened directories (plain `..`,
# absolute paths, symlinks absolute/relative/chained/looping in every position, hard links,
# renames, /proc magic links, races between check and use), read-only preopens, and fd/memory
# leaks over 10,000 open/close and readdir cycles.
#
# Builds the guest programs (clang --target=wasm32-wasi, wasi-libc) and a small native host
# (sbrun.c, against BUILD_DIR/libisthmus.a), makes a fresh tree per run with a secret outside
# the preopen, runs each program with BUILD_DIR/isthmus run (or sbrun where the CLI has no
# option for it), and checks that the tree outside the preopen is byte-for-byte unchanged.
# Everything runs twice: with openat2(RESOLVE_BENEATH) and with the component walk forced by
# ISTHMUS_WASI_NO_OPENAT2=1.
set -u
BUILD=${1:?usage: run.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
HERE=$(cd "$(dirname "$0")" && pwd)
ROOT=$(cd "$HERE/../../.." && pwd)
ISTHMUS=$BUILD/isthmus
CLANG=${CLANG:-clang}
CC=${CC:-cc}

WORK=$(mktemp -d "${TMPDIR:-/tmp}/isthmus-sandbox.XXXXXX")
RACER_PID=
cleanup() {
  [ -n "$RACER_PID" ] && kill "$RACER_PID" 2>/dev/null
  chmod -R u+w "$WORK" 2>/dev/null
  rm -rf "$WORK"
}
trap cleanup EXIT

fail=0
note() { printf '%s\n' "$*"; }
bad() { printf 'FAIL: %s\n' "$*"; fail=1; }

# ---- build
OUT=$WORK/bin
mkdir -p "$OUT"
for src in escape ro magic race leak; do
  "$CLANG" --target=wasm32-wasi -O2 -Wall -Wno-unused-function -o "$OUT/$src.wasm" "$HERE/$src.c" ||
    { bad "cannot build $src.wasm"; exit 1; }
done
SAN= LEAK_ARGS=
if nm "$BUILD/libisthmus.a" 2>/dev/null | grep -q __asan_; then
  SAN="-fsanitize=address,undefined"
  LEAK_ARGS=--no-rss # ASan's quarantine keeps freed memory: LeakSanitizer judges at exit
fi
"$CC" -O1 -g $SAN -I"$ROOT/include" -o "$OUT/sbrun" "$HERE/sbrun.c" "$BUILD/libisthmus.a" -lm ||
  { bad "cannot build sbrun"; exit 1; }
"$CC" -O2 -o "$OUT/racer" "$HERE/racer.c" || { bad "cannot build racer"; exit 1; }

# ---- the tree: T/w is the workspace; T/w/root the preopen; everything else is outside.
# Escapes of one level land in T/w, of two in T: all of T is checksummed.
make_tree() {
  local t=$1 w=$1/w
  rm -rf "$t"
  mkdir -p "$w/outside" "$w/root/sub/deeper" "$w/ro/rosub"
  printf 'SECRET' >"$w/secret.txt"
  printf 'SECRET-DIR' >"$w/outside/file.txt"
  printf 'SECRET-TOP' >"$t/top-secret.txt"
  printf 'inside' >"$w/root/file.txt"
  printf 'inner' >"$w/root/sub/inner.txt"
  printf 'ro' >"$w/ro/rofile.txt"
  (
    cd "$w/root" || exit 1
    ln -s "$w/secret.txt" abs_link
    ln -s "$w/outside" abs_dir
    ln -s / abs_root
    ln -s ../secret.txt rel_out
    ln -s ../outside rel_out_dir
    ln -s .. dotdot
    ln -s ../../secret.txt sub/rel_up2
    ln -s ../file.txt sub/ok_up
    ln -s .. sub/up
    ln -s ../.. sub/upup
    ln -s chain2 chain1
    ln -s sub/rel_up2 chain2
    ln -s chain_ok2 chain_ok1
    ln -s sub/ok_up chain_ok2
    ln -s loop2 loop1
    ln -s loop1 loop2
    ln -s self self
    ln -s sub dir_in
    ln -s sub/deeper/../../.. deep_esc
    # race: a real directory and, beside it, a symlink out that the racer keeps swapping in
    mkdir race
    printf 'inside' >race/f
    ln -s "$w/outside" race_alt
    printf 'SECRET-DIR' >"$w/outside/f"
  )
}

# A listing of T (types, names, link targets, modes, sizes, contents) that ignores times.
snapshot() {
  (
    cd "$1" || exit 1
    find . -path ./w/root/race -prune -o -path ./w/root/race_alt -prune -o -printf '%y %p %l %m %s\n' | LC_ALL=C sort
    find . -type f -not -path './w/root/race*' -print0 | LC_ALL=C sort -z | xargs -0 -r sha256sum
  )
}
outside_snapshot() { snapshot "$1" | grep -v ' \./w/root' ; }

# run_prog NAME MODE CMD... — runs, shows failing lines, checks the summary line.
run_prog() {
  local name=$1 mode=$2
  shift 2
  local log=$WORK/$name.$mode.log
  "$@" >"$log" 2>&1
  local rc=$?
  if [ $rc -ne 0 ] || ! grep -q "^$name: [0-9]* checks, 0 failed" "$log"; then
    bad "$name ($mode): exit $rc"
    sed 's/^/    /' "$log" | head -60
  else
    note "ok   $name ($mode): $(grep "^$name: " "$log")"
    grep '^note: ' "$log" | sed 's/^/       /'
    grep '^sbrun: host fds' "$log" | sed 's/^/       /'
  fi
}

for mode in openat2 walk; do
  if [ $mode = walk ]; then export ISTHMUS_WASI_NO_OPENAT2=1; else unset ISTHMUS_WASI_NO_OPENAT2; fi
  T=$WORK/tree-$mode
  make_tree "$T"
  W=$T/w
  before=$(snapshot "$T")
  outside_before=$(outside_snapshot "$T")

  run_prog escape $mode "$ISTHMUS" run --dir "$W/root::/" "$OUT/escape.wasm"
  run_prog ro $mode "$OUT/sbrun" --ro "$W/ro::/ro" "$OUT/ro.wasm"
  run_prog magic $mode "$ISTHMUS" run --dir "$W/root::/" --dir "/proc/self::/proc" "$OUT/magic.wasm"

  # the race: the racer swaps root/race (a directory) with root/race_alt (a symlink out of the
  # sandbox) with renameat2(RENAME_EXCHANGE) as fast as it can while the guest opens through it
  "$OUT/racer" "$W/root/race" "$W/root/race_alt" &
  RACER_PID=$!
  run_prog race $mode "$ISTHMUS" run --dir "$W/root::/" "$OUT/race.wasm"
  kill "$RACER_PID" 2>/dev/null
  wait "$RACER_PID" 2>/dev/null
  RACER_PID=

  # leaks: the guest counts host fds (readdir of /proc/self/fd) and watches VmRSS itself;
  # sbrun --fds also compares the host's fds before the engine and after everything is gone
  run_prog leak $mode "$ISTHMUS" run --dir "$W/root::/" --dir "/proc/self::/proc" "$OUT/leak.wasm" $LEAK_ARGS
  run_prog leak $mode-host "$OUT/sbrun" --fds --dir "$W/root::/" --dir "/proc/self::/proc" "$OUT/leak.wasm" $LEAK_ARGS

  after=$(snapshot "$T")
  outside_after=$(outside_snapshot "$T")
  if [ "$outside_before" != "$outside_after" ]; then
    bad "($mode) the tree outside the preopen changed:"
    diff <(printf '%s\n' "$outside_before") <(printf '%s\n' "$outside_after") | sed 's/^/    /' | head -20
  else
    note "ok   outside tree unchanged ($mode)"
  fi
  if [ "$before" != "$after" ]; then
    bad "($mode) the preopen was left changed (a test did not clean up):"
    diff <(printf '%s\n' "$before") <(printf '%s\n' "$after") | sed 's/^/    /' | head -20
  fi
done

if [ $fail -ne 0 ]; then
  echo "sandbox tests: FAILED"
  exit 1
fi
echo "sandbox tests: all passed"
