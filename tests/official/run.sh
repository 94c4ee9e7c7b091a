#!/usr/bin/env bash
# Run the official WebAssembly core test suite against a build of isthmus.
#
#   tests/official/run.sh BUILD_DIR [SUITE_DIR] [NAME...]
#
# SUITE_DIR is the folder filled by tests/official/fetch.sh; without it: $ISTHMUS_SPEC_DIR, then
# BUILD_DIR/spec-official, then /work/spec-official.  NAMEs (e.g. i32 br_table) limit the run to
# those files.  Each .wast is converted with wast2json into a temporary folder (when the local
# wast2json cannot parse a file, the prebuilt .json from fetch.sh is used and the line says so),
# then `BUILD_DIR/isthmus spectest NAME.json` runs in that folder.  The runner's closing line
# `N passed, M failed, K skipped` is read for each file, and the sums close the output.
#
# Environment:
#   ISTHMUS_SPEC_SIMD=1      also run simd_*.wast (skipped by default)
#   ISTHMUS_SPEC_TIMEOUT=S   seconds allowed per file (default 300)
#   ISTHMUS_SPEC_OUT=DIR     keep the converted files and each runner's output in DIR
#                            (DIR/NAME/out.txt); without it a temporary folder is removed
#
# Exit status: 0 when nothing failed, crashed or failed to convert, 1 otherwise, 2 on misuse.
set -uo pipefail

if [ $# -lt 1 ]; then
    echo "usage: $0 BUILD_DIR [SUITE_DIR] [NAME...]" >&2
    exit 2
fi
build=$(cd "$1" && pwd) || exit 2
shift
isthmus=$build/isthmus
if [ ! -x "$isthmus" ]; then
    echo "run.sh: $isthmus not found (build the isthmus target first)" >&2
    exit 2
fi

suite=
if [ $# -ge 1 ] && [ -d "$1" ]; then
    suite=$1
    shift
else
    for d in "${ISTHMUS_SPEC_DIR:-}" "$build/spec-official" /work/spec-official; do
        if [ -n "$d" ] && [ -d "$d" ]; then suite=$d; break; fi
    done
fi
if [ -z "$suite" ] || ! ls "$suite"/*.wast >/dev/null 2>&1; then
    echo "run.sh: no suite found; run tests/official/fetch.sh DIR and pass DIR" >&2
    exit 2
fi
suite=$(cd "$suite" && pwd)

command -v wast2json >/dev/null || { echo "run.sh: wast2json (wabt) is needed" >&2; exit 2; }
timeout_s=${ISTHMUS_SPEC_TIMEOUT:-300}

if [ -n "${ISTHMUS_SPEC_OUT:-}" ]; then
    out=$ISTHMUS_SPEC_OUT
    mkdir -p "$out"
    out=$(cd "$out" && pwd)
else
    out=$(mktemp -d)
    trap 'rm -rf "$out"' EXIT
fi

# The files to run, sorted by name.
names=()
if [ $# -gt 0 ]; then
    for n in "$@"; do
        n=${n%.wast}
        if [ -f "$suite/$n.wast" ]; then names+=("$n"); else echo "run.sh: no $suite/$n.wast" >&2; exit 2; fi
    done
else
    for w in "$suite"/*.wast; do
        n=$(basename "$w" .wast)
        case $n in simd_*) [ "${ISTHMUS_SPEC_SIMD:-0}" = 1 ] || continue ;; esac
        names+=("$n")
    done
fi

tp=0 tf=0 ts=0
files_failed=() files_crashed=() files_unconverted=() files_prebuilt=()

printf '%-28s %8s %8s %8s\n' file passed failed skipped
for n in "${names[@]}"; do
    d=$out/$n
    rm -rf "$d"
    mkdir -p "$d"
    note=
    if ! (wast2json "$suite/$n.wast" -o "$d/$n.json"; exit $?) >"$d/wast2json.txt" 2>&1; then
        if [ -f "$suite/prebuilt/$n/$n.json" ]; then
            rm -f "$d"/*.wasm "$d"/*.wat "$d/$n.json"
            cp "$suite/prebuilt/$n"/* "$d/"
            note="(prebuilt json: local wast2json failed)"
            files_prebuilt+=("$n")
        else
            printf '%-28s %8s %8s %8s  %s\n' "$n" - - - "wast2json failed: $(head -n1 "$d/wast2json.txt")"
            files_unconverted+=("$n")
            continue
        fi
    fi

    (cd "$d" && timeout "$timeout_s" "$isthmus" spectest "$n.json") >"$d/out.txt" 2>&1
    rc=$?
    summary=$(grep -Eo '[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?' "$d/out.txt" | tail -n1)
    if [ -z "$summary" ]; then
        why="exit $rc"
        [ $rc -eq 124 ] && why="timeout after ${timeout_s}s"
        [ $rc -gt 128 ] && [ $rc -ne 124 ] && why="killed by signal $((rc - 128))"
        printf '%-28s %8s %8s %8s  %s\n' "$n" - - - "CRASH: $why, no summary line $note"
        files_crashed+=("$n")
        continue
    fi
    p=$(sed -E 's/^([0-9]+) passed.*/\1/' <<<"$summary")
    f=$(sed -E 's/^[0-9]+ passed, ([0-9]+) failed.*/\1/' <<<"$summary")
    s=0
    case $summary in *skipped) s=$(sed -E 's/.*, ([0-9]+) skipped$/\1/' <<<"$summary") ;; esac
    tp=$((tp + p)) tf=$((tf + f)) ts=$((ts + s))
    [ "$f" -gt 0 ] && files_failed+=("$n")
    if [ $rc -ne 0 ] && [ "$f" -eq 0 ]; then
        note="$note (exit $rc)"
    fi
    printf '%-28s %8d %8d %8d  %s\n' "$n" "$p" "$f" "$s" "$note"
done

echo
echo "files: ${#names[@]} run; ${#files_failed[@]} with failures; ${#files_crashed[@]} crashed;" \
     "${#files_unconverted[@]} not converted; ${#files_prebuilt[@]} from prebuilt json"
[ ${#files_failed[@]} -gt 0 ] && echo "with failures: ${files_failed[*]}"
[ ${#files_crashed[@]} -gt 0 ] && echo "crashed: ${files_crashed[*]}"
[ ${#files_unconverted[@]} -gt 0 ] && echo "not converted: ${files_unconverted[*]}"
[ ${#files_prebuilt[@]} -gt 0 ] && echo "prebuilt json: ${files_prebuilt[*]}"
[ -n "${ISTHMUS_SPEC_OUT:-}" ] && echo "outputs kept in $out/NAME/out.txt"
echo "official: $tp passed, $tf failed, $ts skipped"

if [ "$tf" -gt 0 ] || [ ${#files_crashed[@]} -gt 0 ] || [ ${#files_unconverted[@]} -gt 0 ]; then
    exit 1
fi
exit 0
