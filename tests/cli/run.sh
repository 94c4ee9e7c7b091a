#!/usr/bin/env bash
# tests/cli/run.sh [PATH/TO/isthmus] — end-to-end tests of the `isthmus` command.
#
# Builds small modules with wat2wasm / wast2json (wabt) at test time, runs the binary
# (default: build/isthmus under the repository root) and checks outputs and exit statuses.
# Exits non-zero when any check fails.
set -u

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
ISTHMUS=${1:-${ISTHMUS:-$root/build/isthmus}}
WAT2WASM=${WAT2WASM:-wat2wasm}
WAST2JSON=${WAST2JSON:-wast2json}

if [ ! -x "$ISTHMUS" ]; then
  echo "run.sh: no isthmus binary at $ISTHMUS (give its path as the first argument)" >&2
  exit 2
fi
for tool in "$WAT2WASM" "$WAST2JSON"; do
  command -v "$tool" >/dev/null 2>&1 || { echo "run.sh: $tool (wabt) is needed" >&2; exit 2; }
done

T=$(mktemp -d "${TMPDIR:-/tmp}/isthmus-cli.XXXXXX")
trap 'rm -rf "$T"' EXIT

passed=0
failed=0
ok() { passed=$((passed + 1)); }
bad() {
  failed=$((failed + 1))
  echo "FAIL: $*" >&2
}

# run CMD... — runs a command, keeping its stdout, stderr and exit status.
run() {
  "$@" >"$T/out" 2>"$T/err"
  STATUS=$?
  OUT=$(cat "$T/out")
  ERR=$(cat "$T/err")
}
# A crash (signal) is never acceptable, whatever the expected status.
no_crash() {
  if [ "$STATUS" -ge 128 ] && [ "$STATUS" -ne 134 ]; then bad "$1: crashed with status $STATUS"; return 1; fi
  return 0
}
expect_status() {
  no_crash "$1" || return
  if [ "$STATUS" -eq "$2" ]; then ok; else bad "$1: exit status $STATUS, want $2; stderr: $ERR"; fi
}
expect_out() {
  if [ "$OUT" = "$2" ]; then ok; else bad "$1: stdout was [$OUT], want [$2]"; fi
}
expect_out_has() {
  if printf '%s\n' "$OUT" | grep -qF -- "$2"; then ok; else bad "$1: stdout lacks [$2]: [$OUT]"; fi
}
expect_err_has() {
  if printf '%s\n' "$ERR" | grep -qF -- "$2"; then ok; else bad "$1: stderr lacks [$2]: [$ERR]"; fi
}
expect_out_lacks() {
  if printf '%s\n' "$OUT" | grep -qF -- "$2"; then bad "$1: stdout has [$2]: [$OUT]"; else ok; fi
}

wat() { # wat NAME <<EOF ... — writes $T/NAME.wasm from text on stdin
  cat >"$T/$1.wat"
  "$WAT2WASM" --enable-all "$T/$1.wat" -o "$T/$1.wasm" || { echo "run.sh: wat2wasm failed on $1" >&2; exit 2; }
}

# ---------------------------------------------------------------- top level

run "$ISTHMUS" --version
expect_status "--version" 0
expect_out "--version" "isthmus 0.1.0"

run "$ISTHMUS" --help
expect_status "--help" 0
for c in call inspect spectest; do expect_out_has "--help lists $c" "  $c "; done

run "$ISTHMUS"
expect_status "no arguments" 2
expect_err_has "no arguments" "usage: isthmus"

run "$ISTHMUS" --bogus
expect_status "unknown top-level option" 2
expect_err_has "unknown top-level option" "unknown option '--bogus'"

run "$ISTHMUS" frobnicate
expect_status "unknown command" 2
expect_err_has "unknown command" "unknown command 'frobnicate'"

for c in call inspect spectest; do
  run "$ISTHMUS" "$c" --help
  expect_status "$c --help" 0
  expect_out_has "$c --help" "usage: isthmus $c"
  run "$ISTHMUS" help "$c"
  expect_status "help $c" 0
  expect_out_has "help $c" "usage: isthmus $c"
  run "$ISTHMUS" "$c" --no-such-flag x
  expect_status "$c unknown flag" 2
  expect_err_has "$c unknown flag" "unknown option '--no-such-flag'"
  run "$ISTHMUS" "$c"
  expect_status "$c without arguments" 2
  expect_err_has "$c without arguments" "missing"
done

# ---------------------------------------------------------------- call

wat calc <<'EOF'
(module
  (global $ready (mut i32) (i32.const 0))
  (func (export "_initialize") (global.set $ready (i32.const 1)))
  (func (export "ready") (result i32) (global.get $ready))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func (export "add64") (param i64 i64) (result i64) (i64.add (local.get 0) (local.get 1)))
  (func (export "f32") (param f32) (result f32) (local.get 0))
  (func (export "f64") (param f64) (result f64) (local.get 0))
  (func (export "div") (param f64 f64) (result f64) (f64.div (local.get 0) (local.get 1)))
  (func (export "multi") (result i32 i64 f64) (i32.const -7) (i64.const 1099511627776) (f64.const 0.5))
  (func (export "none"))
  (func $deep (export "deep") (call $deep))
  (func $boom (export "boom") (unreachable))
  (func (export "divz") (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))
  (memory (export "memory") 1))
EOF

run "$ISTHMUS" call "$T/calc.wasm" add 1 2
expect_status "call add" 0
expect_out "call add" "3"
run "$ISTHMUS" call "$T/calc.wasm" add -1 -2
expect_out "call add negative" "-3"
run "$ISTHMUS" call "$T/calc.wasm" add 0xffffffff 1
expect_out "call add hex wraps" "0"
run "$ISTHMUS" call "$T/calc.wasm" add 2147483647 1
expect_out "call add prints signed" "-2147483648"
run "$ISTHMUS" call --invoke add "$T/calc.wasm" 20 22
expect_status "call --invoke" 0
expect_out "call --invoke" "42"
run "$ISTHMUS" call "$T/calc.wasm" add64 9223372036854775807 1
expect_out "call add64 wraps" "-9223372036854775808"
run "$ISTHMUS" call "$T/calc.wasm" add64 -0x10 0
expect_out "call add64 negative hex" "-16"
run "$ISTHMUS" call "$T/calc.wasm" f32 1.1
expect_out "call f32 round-trips" "1.1"
run "$ISTHMUS" call "$T/calc.wasm" f32 -inf
expect_out "call f32 -inf" "-inf"
run "$ISTHMUS" call "$T/calc.wasm" f64 0.1
expect_out "call f64 0.1" "0.1"
run "$ISTHMUS" call "$T/calc.wasm" f64 1e300
expect_out "call f64 1e300" "1e+300"
run "$ISTHMUS" call "$T/calc.wasm" f64 nan
expect_out "call f64 nan" "nan"
run "$ISTHMUS" call "$T/calc.wasm" f64 -0
expect_out "call f64 -0" "-0"
run "$ISTHMUS" call "$T/calc.wasm" div 1 3
expect_out "call div" "0.3333333333333333"
run "$ISTHMUS" call "$T/calc.wasm" multi
expect_status "call multi" 0
expect_out "call multi" "$(printf '%s\n' -7 1099511627776 0.5)"
run "$ISTHMUS" call "$T/calc.wasm" none
expect_status "call none" 0
expect_out "call none" ""
run "$ISTHMUS" call "$T/calc.wasm" ready
expect_out "call runs _initialize first" "1"

run "$ISTHMUS" call "$T/calc.wasm" boom
expect_status "call trap" 134
expect_err_has "call trap" "error: "
expect_err_has "call trap" "unreachable"
run "$ISTHMUS" call "$T/calc.wasm" divz 0
expect_status "call divide by zero" 134
expect_err_has "call divide by zero" "integer divide by zero"
run "$ISTHMUS" call "$T/calc.wasm" deep
expect_status "call stack exhaustion" 134
expect_err_has "call stack exhaustion" "call stack exhausted"

run "$ISTHMUS" call "$T/calc.wasm" add 1
expect_status "call too few args" 2
expect_err_has "call too few args" "takes 2 arguments, got 1"
run "$ISTHMUS" call "$T/calc.wasm" add 1 2 3
expect_status "call too many args" 2
run "$ISTHMUS" call "$T/calc.wasm" add 1 abc
expect_status "call bad int" 2
expect_err_has "call bad int" "argument 2"
run "$ISTHMUS" call "$T/calc.wasm" add 4294967296 0
expect_status "call i32 out of range" 2
expect_err_has "call i32 out of range" "out of range for i32"
run "$ISTHMUS" call "$T/calc.wasm" add -2147483649 0
expect_status "call i32 below range" 2
run "$ISTHMUS" call "$T/calc.wasm" f32 1.5x
expect_status "call bad float" 2
expect_err_has "call bad float" "not a number"
run "$ISTHMUS" call "$T/calc.wasm" f32 1e50
expect_status "call f32 overflow" 2
run "$ISTHMUS" call "$T/calc.wasm" nosuch
expect_status "call unknown function" 2
expect_err_has "call unknown function" "no export named 'nosuch'"
expect_err_has "call unknown function lists exports" "add (param i32 i32) (result i32)"
run "$ISTHMUS" call "$T/calc.wasm" memory
expect_status "call a memory" 2
expect_err_has "call a memory" "not a function"
run "$ISTHMUS" call "$T/calc.wasm"
expect_status "call without name" 2
run "$ISTHMUS" call "$T/nonexistent.wasm" f
expect_status "call missing file" 1
expect_err_has "call missing file" "nonexistent.wasm"

wat imports <<'EOF'
(module
  (import "env" "log" (func (param i32)))
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32 i32 i32 i32) (result i32)))
  (func (export "f")))
EOF
run "$ISTHMUS" call "$T/imports.wasm" f
expect_status "call with imports" 1
# WASI imports are supplied; only env.log is left unresolved
expect_err_has "call with imports" "1 unresolved import"
expect_err_has "call with imports" "env.log: func (param i32)"

wat starttrap <<'EOF'
(module (func $s (unreachable)) (start $s) (func (export "f")))
EOF
run "$ISTHMUS" call "$T/starttrap.wasm" f
expect_status "call start traps" 134
expect_err_has "call start traps" "unreachable"

# ---------------------------------------------------------------- inspect

wat shape <<'EOF'
(module
  (import "env" "log" (func $log (param i32)))
  (import "env" "mem" (memory 1 2))
  (import "env" "g" (global $g (mut i64)))
  (func $init (export "_initialize"))
  (func (export "add") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))
  (func $main)
  (table (export "tab") 3 10 funcref)
  (global (export "counter") (mut i32) (i32.const 0))
  (global f64 (f64.const 1))
  (start $main))
EOF
# wat2wasm 1.0.32 cannot write custom sections: append one by hand (id 0, size 20,
# name length 14, "isthmus.schema", payload "hello").
printf '\0\24\16isthmus.schemahello' >>"$T/shape.wasm"
run "$ISTHMUS" inspect "$T/shape.wasm"
expect_status "inspect" 0
expect_out_has "inspect kind" "reactor (exports _initialize)"
expect_out_has "inspect functions" "4 (1 imported, 3 defined)"
expect_out_has "inspect start" "start:      func 3"
expect_out_has "inspect imports" "imports (3):"
expect_out_has "inspect import func" 'func    "env"."log"  (param i32)'
expect_out_has "inspect import memory" '"env"."mem"  min 1 page, max 2'
expect_out_has "inspect import global" '"env"."g"    mut i64'
expect_out_has "inspect exports" "exports (4):"
expect_out_has "inspect export func" '"add"          (param i32 i32) (result i32)'
expect_out_has "inspect export table" 'table   "tab"          funcref min 3, max 10'
expect_out_has "inspect export global" 'global  "counter"      mut i32'
expect_out_has "inspect memories" "memories (1):"
expect_out_has "inspect imported memory" 'imported from "env"."mem"'
expect_out_has "inspect globals" "globals (3):"
expect_out_has "inspect const global" "2  const f64  defined"
expect_out_has "inspect custom" '"isthmus.schema"  5 bytes'

run "$ISTHMUS" inspect "$T/calc.wasm"
expect_out_has "inspect library" "reactor (exports _initialize)"
wat cmd <<'EOF'
(module (func (export "_start")))
EOF
run "$ISTHMUS" inspect "$T/cmd.wasm"
expect_out_has "inspect command" "command (exports _start)"
expect_out_has "inspect no start" "start:      none"

printf '\0asm\1\0\0\0\1\5\1\140\0' >"$T/trunc.wasm"
run "$ISTHMUS" inspect "$T/trunc.wasm"
expect_status "inspect malformed" 1
expect_err_has "inspect malformed" "at offset 0x"
printf 'not wasm at all' >"$T/junk.wasm"
run "$ISTHMUS" inspect "$T/junk.wasm"
expect_status "inspect junk" 1
# wat2wasm refuses invalid modules, so build this one without validation.
echo '(module (func (result i32) (i64.const 0)))' >"$T/invalid.wat"
"$WAT2WASM" --no-check "$T/invalid.wat" -o "$T/invalid.wasm"
run "$ISTHMUS" inspect "$T/invalid.wasm"
expect_status "inspect invalid" 1
expect_err_has "inspect invalid" "type mismatch"
run "$ISTHMUS" inspect "$T/a.wasm" "$T/b.wasm"
expect_status "inspect two files" 2

# ---------------------------------------------------------------- spectest

# The self-test script: every command type, some assertions meant to fail.
cp "$here/runner-selftest.wast" "$T/selftest.wast"
(cd "$T" && "$WAST2JSON" --no-check selftest.wast -o selftest.json) || { echo "run.sh: wast2json failed" >&2; exit 2; }
want=$(sed -n 's/^;; Expected summary: //p' "$here/runner-selftest.wast")
n_pass=$(grep -c ';; PASS' "$here/runner-selftest.wast")
n_fail=$(grep -c ';; FAIL' "$here/runner-selftest.wast")
n_skip=$(grep -c ';; SKIP' "$here/runner-selftest.wast")
if [ "$want" = "$n_pass passed, $n_fail failed, $n_skip skipped" ]; then ok; else
  bad "runner-selftest.wast: header says [$want], markers count $n_pass/$n_fail/$n_skip"; fi

run "$ISTHMUS" spectest "$T/selftest.json"
expect_status "spectest selftest" 1
last=$(printf '%s\n' "$OUT" | tail -n 1)
if [ "$last" = "$want" ]; then ok; else bad "spectest selftest summary: [$last], want [$want]"; fi
got_lines=$(printf '%s\n' "$OUT" | sed -n 's/^selftest\.wast:\([0-9]*\): .*/\1/p' | sort -n | uniq | tr '\n' ' ')
want_lines=$(grep -n ';; FAIL' "$here/runner-selftest.wast" | cut -d: -f1 | sort -n | tr '\n' ' ')
if [ "$got_lines" = "$want_lines" ]; then ok; else
  bad "spectest selftest: failures reported at lines [$got_lines], marked at [$want_lines]"; fi
expect_out_has "spectest print_i32" "42 : i32"
expect_out_has "spectest failure format" "assert_return: expected (i32.const 4), got (i32.const 3)"
expect_out_has "spectest nan format" "expected (f32.const nan:canonical), got (f32.const nan:0x600001)"
expect_out_has "spectest ref format" "expected (ref.extern 2), got (ref.extern 1)"
expect_out_has "spectest unlinkable" "assert_unlinkable: expected link error"
expect_out_has "spectest named failed module" "the module command of line"

run "$ISTHMUS" spectest -v "$T/selftest.json"
expect_status "spectest -v" 1
last=$(printf '%s\n' "$OUT" | tail -n 1)
if [ "$last" = "$want" ]; then ok; else bad "spectest -v summary: [$last], want [$want]"; fi

# A script where everything passes exits 0.
cat >"$T/good.wast" <<'EOF'
(module
  (func (export "sub") (param i64 i64) (result i64) (i64.sub (local.get 0) (local.get 1)))
  (func (export "neg") (param f64) (result f64) (f64.neg (local.get 0))))
(assert_return (invoke "sub" (i64.const 1) (i64.const 2)) (i64.const -1))
(assert_return (invoke "neg" (f64.const 1.5)) (f64.const -1.5))
(assert_return (invoke "neg" (f64.const nan)) (f64.const -nan))
(assert_malformed (module quote "(module") "unexpected")
EOF
(cd "$T" && mkdir -p sub && "$WAST2JSON" good.wast -o sub/good.json)
run env -C / "$ISTHMUS" spectest "$T/sub/good.json"
expect_status "spectest good (modules found next to the JSON)" 0
expect_out "spectest good" "3 passed, 0 failed, 1 skipped"

# Several scripts add up.
run "$ISTHMUS" spectest "$T/sub/good.json" "$T/sub/good.json"
expect_out "spectest two scripts" "6 passed, 0 failed, 2 skipped"

# Bad input: a clear message, a failure count, never a crash.
badjson() { # NAME CONTENT MESSAGE
  printf '%s' "$2" >"$T/$1.json"
  run "$ISTHMUS" spectest "$T/$1.json"
  expect_status "spectest bad json $1" 1
  expect_out_has "spectest bad json $1" "$3"
}
badjson empty '' "unexpected end of input"
badjson open '{"commands": [' "unexpected end of input"
badjson trailing '{"commands": []} x' "trailing characters"
badjson escape '{"commands": ["\q"]}' "bad escape"
badjson surrogate '{"commands": ["\ud800"]}' "unpaired surrogate"
badjson notscript '{"x": 1}' 'no "commands" array'
badjson nocmdtype '{"commands": [{"line": 3}]}' 'command without a "type"'
badjson nofile '{"commands": [{"type": "module", "line": 1}]}' 'without a "filename"'
badjson missingfile '{"commands": [{"type": "module", "line": 1, "filename": "gone.wasm"}]}' "cannot read"
badjson badvalue '{"commands": [{"type": "action", "line": 1, "action": {"type": "invoke", "field": "f", "args": []}}]}' "no module defined"
python3 -c 'print("[" * 100000)' >"$T/deep.json" 2>/dev/null || printf '%*s' 100000 '' | tr ' ' '[' >"$T/deep.json"
run "$ISTHMUS" spectest "$T/deep.json"
expect_status "spectest deeply nested json" 1
expect_out_has "spectest deeply nested json" "nesting deeper than"
head -c 4096 /dev/urandom >"$T/random.json"
run "$ISTHMUS" spectest "$T/random.json"
expect_status "spectest random bytes" 1
run "$ISTHMUS" spectest "$T/none.json"
expect_status "spectest missing file" 1
expect_out "spectest missing file" "0 passed, 1 failed, 0 skipped"

# isthmus build finds Go through $ISTHMUS_GO first, as the generator does (gocmd.go).
run env ISTHMUS_GO="$T/no-such-go" "$ISTHMUS" build --help
expect_status "build --help without Go" 0
run env ISTHMUS_GO="$T/no-such-go" "$ISTHMUS" build --out "$T/x.wasm" .
expect_status "build with a bad ISTHMUS_GO" 1
expect_err_has "build with a bad ISTHMUS_GO" "ISTHMUS_GO=$T/no-such-go is not an executable go command"
if gocmd=$(command -v go); then
  # a PATH without go: ISTHMUS_GO alone finds it, and the generator runs (and answers: no go.mod in $T)
  here=$PWD
  cd "$T"
  run env PATH=/nonexistent ISTHMUS_GO="$gocmd" HOME="$T" XDG_CACHE_HOME="$T/cache" "$ISTHMUS" build
  cd "$here"
  expect_status "build with ISTHMUS_GO and no go on PATH" 1
  expect_err_has "build with ISTHMUS_GO and no go on PATH" "isthmus build works in a Go module"
fi

echo "cli tests: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
