#!/usr/bin/env bash
# The seed scenario end to end: build the Go `sum` (c-shared, wasip1) with the installed Go,
# install the Python package (PEP 517 build of the same C sources as the CLI) into a venv,
# and call sum(12, 12) from Python. Prints 24.
#   examples/seed/demo.sh            (venv under build/venv; PYTHON=python3.X to choose)
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out="$root/build/examples"
mkdir -p "$out"
(cd "$root/examples/seed" && GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared -o "$out/seed_sum.wasm" .)
venv=${ISTHMUS_VENV:-$root/build/venv}
[[ -x "$venv/bin/python" ]] || "${PYTHON:-python3}" -m venv "$venv"
"$venv/bin/python" -m pip install -q "$root" >/dev/null
echo "\$ python examples/seed/call_sum.py build/examples/seed_sum.wasm"
"$venv/bin/python" "$root/examples/seed/call_sum.py" "$out/seed_sum.wasm"
