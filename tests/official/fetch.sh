#!/usr/bin/env bash
# Fetch the official WebAssembly 2.0 core test suite (*.wast) into DEST for local checks.
#
#   tests/official/fetch.sh DEST
#
# Nothing of the suite is committed to this repository.  This machine reaches only package
# registries, so the suite is taken from a Go module that carries a pinned, unmodified copy of it:
# github.com/tetratelabs/wazero keeps the spec repository's test/core/*.wast (and test/core/simd)
# at commit 1c5e5d178bd75c79b7a12881c529098beaee2a05 (spec main, 2024-03-12: WebAssembly 2.0,
# before the function-references/GC merges) in internal/integration_test/spectest/v2/testdata,
# next to the .json/.wasm files that a newer wast2json made from them.  `go mod download`
# verifies the module against the Go checksum database; we check the hash once more below.
#
# Result:
#   DEST/*.wast                 the suite (SIMD files included; run.sh skips them by default)
#   DEST/prebuilt/NAME/         wazero's converted NAME.json + modules, used by run.sh only for
#                               files that the local wast2json cannot parse (wabt 1.0.32 fails
#                               on comments, if, table_fill, table_get, table_grow, table_set,
#                               table_size)
#   DEST/SOURCE                 where the files came from
set -euo pipefail

MODULE=github.com/tetratelabs/wazero
VERSION=v1.7.3
SUM='h1:PBH5KVahrt3S2AHgEjKu4u+LlDbbk+nsGE3KLucy6Rw='
SPEC_COMMIT=1c5e5d178bd75c79b7a12881c529098beaee2a05
TESTDATA=internal/integration_test/spectest/v2/testdata

if [ $# -ne 1 ]; then
    echo "usage: $0 DEST" >&2
    exit 2
fi
dest=$1
command -v go >/dev/null || { echo "fetch.sh: the go command is needed" >&2; exit 1; }

work=$(mktemp -d)
cleanup() {
    chmod -R u+w "$work" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# A throw-away module cache and an empty working directory (no go.mod), so nothing of the
# user's Go setup is touched.
info=$(cd "$work" && GOPATH="$work/gopath" GOMODCACHE="$work/modcache" GOFLAGS=-mod=mod \
       go mod download -json "$MODULE@$VERSION")
dir=$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",\{0,1\}$/\1/p')
sum=$(printf '%s\n' "$info" | sed -n 's/^[[:space:]]*"Sum": "\(.*\)",\{0,1\}$/\1/p')
if [ "$sum" != "$SUM" ]; then
    echo "fetch.sh: $MODULE@$VERSION has hash '$sum', expected '$SUM'" >&2
    exit 1
fi
src=$dir/$TESTDATA
[ -d "$src" ] || { echo "fetch.sh: $src is missing" >&2; exit 1; }

mkdir -p "$dest/prebuilt"
n=0
for w in "$src"/*.wast; do
    name=$(basename "$w" .wast)
    cp "$w" "$dest/"
    chmod u+w "$dest/$name.wast"
    if [ -f "$src/$name.json" ]; then
        rm -rf "${dest:?}/prebuilt/$name"
        mkdir -p "$dest/prebuilt/$name"
        cp "$src/$name.json" "$dest/prebuilt/$name/"
        # the modules that the .json names: NAME.N.wasm and NAME.N.wat
        find "$src" -maxdepth 1 -name "$name.[0-9]*.wa[st]*" -exec cp {} "$dest/prebuilt/$name/" \;
        chmod -R u+w "$dest/prebuilt/$name"
    fi
    n=$((n + 1))
done

cat > "$dest/SOURCE" <<EOF
WebAssembly spec repository, test/core at commit $SPEC_COMMIT (2024-03-12),
as carried unmodified by the Go module $MODULE@$VERSION ($SUM),
directory $TESTDATA.  Fetched by tests/official/fetch.sh on $(date -u +%Y-%m-%d).
EOF
echo "fetch.sh: $n .wast files in $dest (spec test/core @ ${SPEC_COMMIT:0:12})"
