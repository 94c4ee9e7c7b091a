#!/usr/bin/env bash
# Builds and installs the Python package (PEP 517, scikit-build-core over the project's CMake)
# into a virtual environment and runs its tests.
#   tests/python/run.sh            venv under build/venv made with $PYTHON (default python3)
#   ISTHMUS_VENV=none tests/python/run.sh    install into the current python instead
# Extra arguments go to pytest (e.g. -k memory -x).
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
cd "$root"
py=${PYTHON:-python3}
if [[ "${ISTHMUS_VENV:-}" != "none" ]]; then
  venv=${ISTHMUS_VENV:-$root/build/venv}
  [[ "$venv" = /* ]] || venv="$root/$venv"
  if [[ ! -x "$venv/bin/python" ]]; then
    "$py" -m venv "$venv"
  fi
  py="$venv/bin/python"
fi
"$py" -m pip install -q --upgrade pip >/dev/null 2>&1 || true
# Not editable: the tests exercise the installed wheel (extension, stubs, `isthmus` command).
"$py" -m pip install -q "$root[test]"
# mypy checks the output of `isthmus stubs` (test_abi_stubs.py); without it those tests skip.
"$py" -m pip install -q mypy >/dev/null 2>&1 ||
  echo "warning: mypy could not be installed: test_abi_stubs.py will be skipped" >&2
cd "$root/tests/python"
exec "$py" -m pytest -q -p no:cacheprovider "$@"
