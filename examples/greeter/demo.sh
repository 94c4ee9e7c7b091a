#!/usr/bin/env bash
# The greeter end to end: build the Go package with `isthmus build` (the command pip installs
# next to the Python package), write its type stubs, and call every function from Python.
#   examples/greeter/demo.sh         (venv under build/venv, made if missing; PYTHON=python3.X)
# `make demo` runs it after examples/seed/demo.sh, which (re)installs the package first.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/build/examples"
mkdir -p "$out"
venv=${ISTHMUS_VENV:-$root/build/venv}
if [[ ! -x "$venv/bin/isthmus" ]]; then
  [[ -x "$venv/bin/python" ]] || "${PYTHON:-python3}" -m venv "$venv"
  "$venv/bin/python" -m pip install -q "$root" >/dev/null
fi
echo "\$ cd examples/greeter && isthmus build --export strings.Fields=Words --out ../../build/examples/greeter.wasm"
(cd "$root/examples/greeter" && "$venv/bin/isthmus" build --export strings.Fields=Words --out "$out/greeter.wasm")
echo "\$ isthmus stubs build/examples/greeter.wasm > build/examples/greeter.pyi"
"$venv/bin/isthmus" stubs "$out/greeter.wasm" >"$out/greeter.pyi"
echo "\$ python examples/greeter/demo.py build/examples/greeter.wasm"
"$venv/bin/python" "$root/examples/greeter/demo.py" "$out/greeter.wasm"
