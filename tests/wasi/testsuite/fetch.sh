#!/usr/bin/env bash
# tests/wasi/testsuite/fetch.sh DIR — puts the official WASI test suite
# (github.com/WebAssembly/wasi-testsuite, branch prod/testsuite-base: prebuilt wasm32-wasip1
# binaries for C, Rust and AssemblyScript with their .json specs) into DIR, for
# tests/wasi/testsuite/run.sh. Nothing of it is ever committed here.
#
# Sources, tried in order:
#   1. $WASI_TESTSUITE_SRC: a local checkout, or a .tar.gz / .zip of one
#   2. git clone --depth 1 --branch ${WASI_TESTSUITE_BRANCH:-prod/testsuite-base} of
#      ${WASI_TESTSUITE_URL:-https://github.com/WebAssembly/wasi-testsuite}
# Exits 1 with a message when none is reachable (e.g. on a machine that reaches only
# package registries: then build a copy elsewhere and point WASI_TESTSUITE_SRC at it).
set -u
dir=${1:?usage: tests/wasi/testsuite/fetch.sh DIR}
branch=${WASI_TESTSUITE_BRANCH:-prod/testsuite-base}
url=${WASI_TESTSUITE_URL:-https://github.com/WebAssembly/wasi-testsuite}

have_suite() { [ -n "$(find "$1" -path '*/testsuite/*' -name manifest.json 2>/dev/null | head -1)" ]; }

if have_suite "$dir"; then
  echo "fetch.sh: $dir already holds a test suite"
  exit 0
fi
mkdir -p "$dir"

if [ -n "${WASI_TESTSUITE_SRC:-}" ]; then
  src=$WASI_TESTSUITE_SRC
  case $src in
  *.tar.gz | *.tgz) tar -xzf "$src" -C "$dir" --strip-components=1 ;;
  *.zip)
    tmp=$(mktemp -d)
    unzip -q "$src" -d "$tmp" && cp -R "$tmp"/*/. "$dir"/
    rm -rf "$tmp"
    ;;
  *) cp -R "$src"/. "$dir"/ ;;
  esac
  if have_suite "$dir"; then echo "fetch.sh: copied from $src"; exit 0; fi
  echo "fetch.sh: $src holds no testsuite/*/manifest.json" >&2
  exit 1
fi

if command -v git >/dev/null &&
  GIT_TERMINAL_PROMPT=0 timeout 120 git clone -q --depth 1 --branch "$branch" "$url" "$dir/.clone" 2>/dev/null; then
  cp -R "$dir/.clone"/. "$dir"/ && rm -rf "$dir/.clone" "$dir/.git"
  if have_suite "$dir"; then echo "fetch.sh: cloned $url ($branch)"; exit 0; fi
fi
rm -rf "$dir/.clone"
cat >&2 <<MSG
fetch.sh: could not obtain the WASI test suite: $url ($branch) is not reachable from here.
Clone it on a machine that can reach it (git clone --depth 1 -b $branch $url) and run
  WASI_TESTSUITE_SRC=/path/to/wasi-testsuite tests/wasi/testsuite/fetch.sh $dir
MSG
exit 1
