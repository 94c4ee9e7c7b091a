#!/usr/bin/env bash
# tests/wasi/gostd.sh BUILD_DIR [PKG...] — runs Go's standard-library tests for wasip1 under
# isthmus: `GOOS=wasip1 GOARCH=wasm go test -exec tests/wasi/go_wasip1_exec PKG`, one package
# at a time, and prints per package the counts of top-level tests that passed, failed and
# were skipped, plus the package's verdict. Failures are listed at the end (and kept, with
# their output, in BUILD_DIR/gostd/PKG.log). Known failures and their reasons:
# tests/wasi/KNOWN_FAILURES.md.
#
# Environment: GOSTD_FLAGS (default "-short"): more `go test` flags, e.g. "-run TestX";
# GOSTD_TIMEOUT (default 30m): the per-package timeout. Exits non-zero when a package fails.
set -u
build=$(cd "${1:?usage: tests/wasi/gostd.sh BUILD_DIR [PKG...]}" && pwd) || exit 2
shift
here=$(cd "$(dirname "$0")" && pwd)
export ISTHMUS=$build/isthmus
[ -x "$ISTHMUS" ] || { echo "gostd.sh: no isthmus binary at $ISTHMUS" >&2; exit 2; }
pkgs=("$@")
if [ ${#pkgs[@]} -eq 0 ]; then
  pkgs=(os io/fs path/filepath time strings bytes strconv sort math encoding/json encoding/binary
        regexp crypto/sha256 compress/gzip fmt sync context)
fi
logs=$build/gostd
mkdir -p "$logs"
export GOTOOLCHAIN=local GOFLAGS=
read -r -a flags <<<"${GOSTD_FLAGS--short}"

printf '%-16s %6s %6s %6s  %s\n' package passed failed skipped verdict
bad_pkgs=()
total_p=0 total_f=0 total_s=0
for pkg in "${pkgs[@]}"; do
  log=$logs/${pkg//\//_}.log
  start=$(date +%s)
  # -count=1: Go caches test results, and the isthmus binary is not part of its cache key.
  GOOS=wasip1 GOARCH=wasm go test -exec "$here/go_wasip1_exec" -count=1 -v -timeout "${GOSTD_TIMEOUT:-30m}" \
    "${flags[@]+"${flags[@]}"}" "$pkg" >"$log" 2>&1
  status=$?
  secs=$(($(date +%s) - start))
  p=$(grep -c '^--- PASS' "$log")
  f=$(grep -c '^--- FAIL' "$log")
  s=$(grep -c '^--- SKIP' "$log")
  total_p=$((total_p + p)) total_f=$((total_f + f)) total_s=$((total_s + s))
  if [ $status -eq 0 ]; then verdict="ok (${secs}s)"; else verdict="FAIL (status $status, ${secs}s)"; bad_pkgs+=("$pkg"); fi
  printf '%-16s %6d %6d %6d  %s\n' "$pkg" "$p" "$f" "$s" "$verdict"
done
printf '%-16s %6d %6d %6d\n' total "$total_p" "$total_f" "$total_s"

for pkg in "${bad_pkgs[@]+"${bad_pkgs[@]}"}"; do
  log=$logs/${pkg//\//_}.log
  echo
  echo "== $pkg ($log)"
  if grep -q '^--- FAIL' "$log"; then
    grep -A4 '^--- FAIL' "$log" | head -60
  else
    tail -25 "$log"
  fi
done
[ ${#bad_pkgs[@]} -eq 0 ]
