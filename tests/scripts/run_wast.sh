#!/usr/bin/env bash
# Converts every tests/wast/*.wast with wast2json and runs it with BUILD/isthmus spectest.
# Usage: tests/scripts/run_wast.sh BUILD_DIR
# RUNNER, when set, prefixes the command (e.g. RUNNER="valgrind --error-exitcode=9 -q").
set -u
build=${1:?usage: run_wast.sh BUILD_DIR}
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$build/wast"
rm -rf "$out" && mkdir -p "$out"
pass=0 fail=0 skip=0 bad=0
for w in "$root"/tests/wast/*.wast; do
  name=$(basename "$w" .wast)
  if ! wast2json --no-check "$w" -o "$out/$name.json" 2>"$out/$name.conv"; then
    echo "FAIL $name: wast2json could not convert it:"; cat "$out/$name.conv"; bad=$((bad + 1)); continue
  fi
  res=$(${RUNNER:-} "$build/isthmus" spectest "$out/$name.json" 2>&1)
  status=$?
  last=$(printf '%s\n' "$res" | tail -n 1)
  if [[ $last =~ ^([0-9]+)\ passed,\ ([0-9]+)\ failed,\ ([0-9]+)\ skipped$ ]]; then
    pass=$((pass + BASH_REMATCH[1])); fail=$((fail + BASH_REMATCH[2])); skip=$((skip + BASH_REMATCH[3]))
  else
    bad=$((bad + 1))
  fi
  if [[ $status -ne 0 ]]; then
    echo "FAIL $name (exit $status):"; printf '%s\n' "$res" | head -n 40
    [[ $status -ne 1 ]] && bad=$((bad + 1))
  else
    printf '  %-32s %s\n' "$name" "$last"
  fi
done
echo "wast total: $pass passed, $fail failed, $skip skipped, $bad scripts broken"
[[ $fail -eq 0 && $bad -eq 0 ]]
