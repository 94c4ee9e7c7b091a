#!/usr/bin/env bash
# tests/wasi/run.sh BUILD_DIR [NAME...] — WASI preview 1 tested with programs from real
# toolchains, run through `BUILD_DIR/isthmus run`.
#
#   c/NAME.c       C programs (clang --target=wasm32-wasi -O2, wasi-libc). Each runs with a
#                  fresh temporary directory mounted at /sandbox; its stdout and exit status
#                  must equal c/NAME.expected and its `//wasitest:exit` (default 0).
#   c/exit.c       run once per case of the table below (proc_exit, exit, return, traps).
#   go/NAME/       Go programs, built twice: GOOS=wasip1 GOARCH=wasm, and for the host. The
#                  wasm one runs with a fresh directory mounted at / (its working directory),
#                  the native one in a fresh directory of its own; stdout, exit status and the
#                  files left behind must be the same.
#   cli            checks of `isthmus run` itself (options, exit statuses, messages).
#
# Directives in a program's source, one per line:
#   //wasitest:args WORDS...    the guest's arguments (shell quoting: "two words", "")
#   //wasitest:env NAME=VALUE   one environment variable (the rest of the line)
#   //wasitest:stdin TEXT       standard input (printf %b escapes: \n); otherwise /dev/null
#   //wasitest:exit N           the expected exit status
#
# NAME selects tests (c/NAME, go/NAME, exit, cli). Environment:
#   WASI_TEST_RUNNER   a command taking wasmtime's run options (--dir H::G, --env K=V, FILE,
#                      ARGS) to use instead of "BUILD_DIR/isthmus run", e.g. to check the
#                      .expected files against another engine
#   WASI_TEST_UPDATE=1 rewrite c/*.expected from what the runner printed (review the diff!)
#   KEEP=1             keep the temporary directory
# Exits non-zero when any test fails.
set -u

usage() {
  echo "usage: tests/wasi/run.sh BUILD_DIR [NAME...]" >&2
  exit 2
}
[ $# -ge 1 ] || usage
build=$(cd "$1" && pwd) || usage
shift
here=$(cd "$(dirname "$0")" && pwd)
ISTHMUS=$build/isthmus
if [ -n "${WASI_TEST_RUNNER:-}" ]; then
  read -r -a RUNNER <<<"$WASI_TEST_RUNNER"
else
  RUNNER=("$ISTHMUS" run)
  [ -x "$ISTHMUS" ] || { echo "run.sh: no isthmus binary at $ISTHMUS" >&2; exit 2; }
fi
TIMEOUT=${WASI_TEST_TIMEOUT:-300}
out=$build/wasi-tests
mkdir -p "$out"
T=$(mktemp -d "${TMPDIR:-/tmp}/isthmus-wasi.XXXXXX")
if [ -z "${KEEP:-}" ]; then trap 'rm -rf "$T"' EXIT; else echo "keeping $T"; fi
export GOTOOLCHAIN=local GOFLAGS=

passed=0
failed=0
failures=()
pass() {
  passed=$((passed + 1))
  echo "ok   $1"
}
fail() {
  failed=$((failed + 1))
  failures+=("$1")
  echo "FAIL $1: $2"
}

selected() { # NAME: true when no names were given or NAME is one of them
  [ ${#SELECT[@]} -eq 0 ] && return 0
  local s
  for s in "${SELECT[@]}"; do [ "$s" = "$1" ] && return 0; done
  return 1
}
SELECT=("$@")

directive() { # FILE KEY: the values of //wasitest:KEY lines
  sed -n "s|^//wasitest:$2 ||p" "$1"
}

# read_directives FILE: sets ARGS (array), ENVS (array of NAME=VALUE), STDIN, WANT_EXIT
read_directives() {
  local line
  eval "ARGS=($(directive "$1" args))"
  ENVS=()
  while IFS= read -r line; do ENVS+=("$line"); done < <(directive "$1" env)
  STDIN=$(directive "$1" stdin)
  WANT_EXIT=$(directive "$1" exit)
  WANT_EXIT=${WANT_EXIT:-0}
}

# guest DIR_MAPPING WASM: runs the wasm file (named relative to $out) through the runner
# with ARGS, ENVS and STDIN; sets STATUS, and leaves stdout/stderr in $T/stdout, $T/stderr.
guest() {
  local map=$1 wasm=$2 e
  local cmd=("${RUNNER[@]}" --dir "$map")
  for e in "${ENVS[@]+"${ENVS[@]}"}"; do cmd+=(--env "$e"); done
  cmd+=("$wasm" "${ARGS[@]+"${ARGS[@]}"}")
  if [ -n "$STDIN" ]; then
    (cd "$out" && printf '%b' "$STDIN" | timeout "$TIMEOUT" "${cmd[@]}") >"$T/stdout" 2>"$T/stderr"
  else
    (cd "$out" && timeout "$TIMEOUT" "${cmd[@]}" </dev/null) >"$T/stdout" 2>"$T/stderr"
  fi
  STATUS=$?
}

# tree DIR: the files under DIR with their types and sizes (directories without a size).
tree() {
  (cd "$1" && find . -mindepth 1 \( -type d -printf '%p/\n' \) -o \( -type l -printf '%p -> %l\n' \) -o -printf '%p %s\n' | LC_ALL=C sort)
}

# ---------------------------------------------------------------- C programs

c_test() { # SRC
  local src=$1 name
  name=$(basename "$src" .c)
  if ! clang --target=wasm32-wasi -O2 -Wall -Wno-unused-function -I"$here/c" "$src" -o "$out/$name.wasm" 2>"$T/cc.err"; then
    fail "c/$name" "does not compile: $(head -5 "$T/cc.err")"
    return
  fi
  read_directives "$src"
  local sb=$T/c-$name
  mkdir -p "$sb"
  guest "$sb::/sandbox" "$name.wasm"
  if [ -n "${WASI_TEST_UPDATE:-}" ]; then
    cp "$T/stdout" "$here/c/$name.expected"
  fi
  if [ ! -f "$here/c/$name.expected" ]; then
    fail "c/$name" "no c/$name.expected"
    return
  fi
  local why=""
  if [ "$STATUS" -ne "$WANT_EXIT" ]; then why="exit status $STATUS, want $WANT_EXIT; stderr: $(head -c 600 "$T/stderr")"; fi
  if ! diff -u "$here/c/$name.expected" "$T/stdout" >"$T/diff"; then
    why="${why:+$why; }stdout differs (- expected, + got):
$(tail -n +3 "$T/diff" | grep '^[-+]' | head -40)"
  fi
  if [ -z "$why" ]; then pass "c/$name"; else fail "c/$name" "$why"; fi
}

# ---------------------------------------------------------------- exit statuses

# name | args | expected status | expected stdout
exit_cases=(
  "exit 0|exit 0|0|exit 0"
  "exit 1|exit 1|1|exit 1"
  "exit 42|exit 42|42|exit 42"
  "exit 113|exit 113|113|exit 113"
  "return 5 from main|return 5|5|return 5"
  "proc_exit 9 (buffered output lost)|raw 9|9|"
  "proc_exit 0|raw 0|0|"
  "trap|trap|134|trap 0"
  "abort|abort|134|abort 0"
)

exit_tests() {
  if ! clang --target=wasm32-wasi -O2 -I"$here/c" "$here/c/exit.c" -o "$out/exit.wasm" 2>"$T/cc.err"; then
    fail "exit" "does not compile: $(head -5 "$T/cc.err")"
    return
  fi
  local c label args want want_out
  for c in "${exit_cases[@]}"; do
    IFS='|' read -r label args want want_out <<<"$c"
    read -r -a ARGS <<<"$args"
    ENVS=()
    STDIN=""
    mkdir -p "$T/exit"
    guest "$T/exit::/sandbox" exit.wasm
    local got_out
    got_out=$(cat "$T/stdout")
    if [ "$STATUS" -ne "$want" ]; then
      fail "exit: $label" "exit status $STATUS, want $want; stderr: $(head -c 400 "$T/stderr")"
    elif [ "$got_out" != "$want_out" ]; then
      fail "exit: $label" "stdout [$got_out], want [$want_out]"
    elif [ "$want" -eq 134 ] && ! grep -q . "$T/stderr"; then
      fail "exit: $label" "a trap must print its message on stderr"
    else
      pass "exit: $label"
    fi
  done
}

# ---------------------------------------------------------------- Go programs

go_test() { # DIR
  local dir=$1 name
  name=$(basename "$dir")
  if ! (cd "$here/go" && GOOS=wasip1 GOARCH=wasm go build -o "$out/go-$name.wasm" "./$name") 2>"$T/go.err"; then
    fail "go/$name" "wasip1 build failed: $(head -5 "$T/go.err")"
    return
  fi
  if ! (cd "$here/go" && go build -o "$out/go-$name-native" "./$name") 2>"$T/go.err"; then
    fail "go/$name" "native build failed: $(head -5 "$T/go.err")"
    return
  fi
  read_directives "$dir/main.go"
  local wd=$T/go-$name-wasm nd=$T/go-$name-native
  mkdir -p "$wd" "$nd"

  # Native: the same arguments, only the given environment, in a directory of its own.
  local nstatus
  if [ -n "$STDIN" ]; then
    (cd "$nd" && printf '%b' "$STDIN" | timeout "$TIMEOUT" env -i "${ENVS[@]+"${ENVS[@]}"}" "$out/go-$name-native" "${ARGS[@]+"${ARGS[@]}"}") \
      >"$T/native.out" 2>"$T/native.err"
  else
    (cd "$nd" && timeout "$TIMEOUT" env -i "${ENVS[@]+"${ENVS[@]}"}" "$out/go-$name-native" "${ARGS[@]+"${ARGS[@]}"}" </dev/null) \
      >"$T/native.out" 2>"$T/native.err"
  fi
  nstatus=$?

  guest "$wd::/" "go-$name.wasm"
  local why=""
  if [ "$STATUS" -ne "$nstatus" ]; then
    why="exit status $STATUS, native $nstatus; stderr: $(head -c 600 "$T/stderr")"
  fi
  if ! diff -u "$T/native.out" "$T/stdout" >"$T/diff"; then
    why="${why:+$why; }stdout differs (- native, + wasm):
$(tail -n +3 "$T/diff" | grep '^[-+]' | head -40)"
  fi
  tree "$nd" >"$T/native.tree"
  tree "$wd" >"$T/wasm.tree"
  if ! diff -u "$T/native.tree" "$T/wasm.tree" >"$T/diff"; then
    why="${why:+$why; }files left differ (- native, + wasm):
$(tail -n +3 "$T/diff" | grep '^[-+]' | head -20)"
  fi
  if [ -z "$why" ]; then pass "go/$name"; else fail "go/$name" "$why"; fi
}

# ---------------------------------------------------------------- the command itself

# expect LABEL WANT_STATUS STDERR_PATTERN CMD...: runs CMD, checks its status and that
# stderr matches the pattern (grep -E; empty: anything).
expect() {
  local label=$1 want=$2 pat=$3
  shift 3
  (cd "$out" && timeout "$TIMEOUT" "$@" </dev/null) >"$T/stdout" 2>"$T/stderr"
  local st=$?
  if [ "$st" -ne "$want" ]; then
    fail "cli: $label" "exit status $st, want $want; stderr: $(head -c 400 "$T/stderr")"
  elif [ -n "$pat" ] && ! grep -qE -- "$pat" "$T/stderr"; then
    fail "cli: $label" "stderr lacks /$pat/: $(head -c 400 "$T/stderr")"
  else
    pass "cli: $label"
  fi
}

cli_tests() {
  if [ -n "${WASI_TEST_RUNNER:-}" ]; then return; fi
  local I=$ISTHMUS
  [ -f "$out/args_env.wasm" ] || clang --target=wasm32-wasi -O2 -I"$here/c" "$here/c/args_env.c" -o "$out/args_env.wasm"
  [ -f "$out/exit.wasm" ] || clang --target=wasm32-wasi -O2 -I"$here/c" "$here/c/exit.c" -o "$out/exit.wasm"
  mkdir -p "$T/cli/data"
  echo "from the host" >"$T/cli/data/hello.txt"

  expect "--help" 0 "" "$I" run --help
  grep -q "usage: isthmus run" "$T/stdout" && pass "cli: --help prints the usage" || fail "cli: --help" "no usage on stdout"
  expect "help run" 0 "" "$I" help run
  expect "no file" 2 "missing FILE" "$I" run
  expect "unknown option" 2 "unknown option '--frobnicate'" "$I" run --frobnicate exit.wasm
  expect "--dir without a value" 2 "--dir" "$I" run --dir
  expect "--env without a value" 2 "--env" "$I" run --env
  expect "--env with an empty name" 2 "--env" "$I" run --env =x exit.wasm
  expect "missing file" 1 "no-such.wasm" "$I" run no-such.wasm
  expect "a missing --dir" 1 "does-not-exist" "$I" run --dir "$T/does-not-exist" exit.wasm
  printf 'not wasm' >"$out/garbage.wasm"
  expect "a file that is not wasm" 1 "garbage.wasm" "$I" run garbage.wasm
  expect "options after FILE belong to the guest" 7 "" "$I" run exit.wasm exit 7 --dir nonsense
  grep -qx "exit 7" "$T/stdout" && pass "cli: the guest got its options" || fail "cli: guest options" "stdout: $(cat "$T/stdout")"
  expect "-- ends the options" 3 "" "$I" run -- exit.wasm exit 3
  expect "a trap exits 134" 134 "^Error: " "$I" run exit.wasm trap
  grep -q "wasm backtrace" "$T/stderr" && pass "cli: a trap prints a wasm backtrace" ||
    fail "cli: trap backtrace" "stderr: $(head -c 400 "$T/stderr")"

  # --dir HOST (same guest path), --dir HOST::GUEST, --env NAME (inherited), --env NAME=VALUE.
  cat >"$T/cli/cat.c" <<'EOF'
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  for (int i = 1; i < argc; i++) {
    FILE *f = fopen(argv[i], "r");
    char line[200];
    if (!f) { printf("%s: cannot open\n", argv[i]); continue; }
    while (fgets(line, sizeof line, f)) printf("%s: %s", argv[i], line);
    fclose(f);
  }
  const char *v = getenv("FROM_HOST");
  printf("FROM_HOST=%s\n", v ? v : "(unset)");
  return 0;
}
EOF
  clang --target=wasm32-wasi -O2 "$T/cli/cat.c" -o "$out/cat.wasm"
  expect "--dir HOST" 0 "" "$I" run --dir "$T/cli/data" cat.wasm "$T/cli/data/hello.txt"
  grep -qF "$T/cli/data/hello.txt: from the host" "$T/stdout" && pass "cli: --dir HOST keeps the host path" ||
    fail "cli: --dir HOST" "stdout: $(cat "$T/stdout")"
  expect "--dir HOST::GUEST" 0 "" "$I" run --dir "$T/cli/data::/mnt/d" cat.wasm /mnt/d/hello.txt "$T/cli/data/hello.txt"
  if grep -qF "/mnt/d/hello.txt: from the host" "$T/stdout" && grep -qF "$T/cli/data/hello.txt: cannot open" "$T/stdout"; then
    pass "cli: --dir HOST::GUEST renames, and hides the host path"
  else
    fail "cli: --dir HOST::GUEST" "stdout: $(cat "$T/stdout")"
  fi
  expect "--dir=HOST::GUEST" 0 "" "$I" run --dir="$T/cli/data::data" cat.wasm data/hello.txt
  grep -qF "data/hello.txt: from the host" "$T/stdout" && pass "cli: --dir=HOST::GUEST with a relative guest path" ||
    fail "cli: --dir=HOST::GUEST" "stdout: $(cat "$T/stdout")"
  expect "no --dir, no files" 0 "" "$I" run cat.wasm /etc/passwd
  grep -qF "/etc/passwd: cannot open" "$T/stdout" && pass "cli: nothing is visible without --dir" ||
    fail "cli: sandbox" "stdout: $(cat "$T/stdout")"
  FROM_HOST=yes expect "--env NAME" 0 "" "$I" run --env FROM_HOST cat.wasm
  grep -qx "FROM_HOST=yes" "$T/stdout" && pass "cli: --env NAME passes the host's value" || fail "cli: --env NAME" "stdout: $(cat "$T/stdout")"
  FROM_HOST=yes expect "no --env" 0 "" "$I" run cat.wasm
  grep -qx "FROM_HOST=(unset)" "$T/stdout" && pass "cli: the host environment is not inherited" ||
    fail "cli: env isolation" "stdout: $(cat "$T/stdout")"
  expect "--env=NAME=VALUE" 0 "" "$I" run --env=FROM_HOST=a=b cat.wasm
  grep -qx "FROM_HOST=a=b" "$T/stdout" && pass "cli: --env=NAME=VALUE" || fail "cli: --env=NAME=VALUE" "stdout: $(cat "$T/stdout")"

  # A guest writing into a closed pipe gets EPIPE (and may report it), as under wasmtime: the
  # host process is not killed by SIGPIPE.
  cat >"$T/cli/flood.c" <<'EOF'
#include <errno.h>
#include <string.h>
#include <unistd.h>
int main(void) {
  static char buf[65536];
  memset(buf, 'x', sizeof buf);
  for (int i = 0; i < 1000; i++)
    if (write(1, buf, sizeof buf) < 0) return errno == EPIPE ? 32 : 1;
  return 0;
}
EOF
  clang --target=wasm32-wasi -O2 "$T/cli/flood.c" -o "$out/flood.wasm"
  (cd "$out" && timeout "$TIMEOUT" "$I" run flood.wasm | head -c 10 >/dev/null; exit "${PIPESTATUS[0]}")
  local st=$?
  if [ "$st" -eq 32 ]; then pass "cli: writing to a closed pipe gives the guest EPIPE"
  else fail "cli: closed pipe" "exit status $st, want 32 (the guest saw EPIPE)"; fi

  # --invoke: _initialize first, then the export with typed arguments; results printed.
  cat >"$T/cli/lib.c" <<'EOF'
#include <stdio.h>
static int base = 0;
__attribute__((constructor)) static void init(void) { base = 1000; } /* run by _initialize */
__attribute__((export_name("add"))) long long add(int a, long long b) { return base + a + b; }
__attribute__((export_name("half"))) double half(double x) { return x / 2; }
__attribute__((export_name("hello"))) void hello(void) { printf("hello from an export\n"); fflush(stdout); }
EOF
  clang --target=wasm32-wasi -O2 -mexec-model=reactor "$T/cli/lib.c" -o "$out/lib.wasm"
  expect "--invoke with arguments" 0 "" "$I" run --invoke add lib.wasm 5 -7
  [ "$(cat "$T/stdout")" = "998" ] && pass "cli: --invoke runs _initialize and prints the result" ||
    fail "cli: --invoke add" "stdout: $(cat "$T/stdout")"
  expect "--invoke=NAME float" 0 "" "$I" run --invoke=half lib.wasm 5
  [ "$(cat "$T/stdout")" = "2.5" ] && pass "cli: --invoke=NAME" || fail "cli: --invoke=half" "stdout: $(cat "$T/stdout")"
  expect "--invoke a WASI-using export" 0 "" "$I" run --invoke hello lib.wasm
  [ "$(cat "$T/stdout")" = "hello from an export" ] && pass "cli: an invoked export writes to stdout" ||
    fail "cli: --invoke hello" "stdout: $(cat "$T/stdout")"
  expect "--invoke a missing export" 2 "nope" "$I" run --invoke nope lib.wasm
  expect "--invoke with too few arguments" 2 "argument" "$I" run --invoke add lib.wasm 1
  expect "--invoke with a bad argument" 2 "argument" "$I" run --invoke add lib.wasm x 1
  expect "a reactor without --invoke" 0 "" "$I" run lib.wasm
  expect "call on a WASI reactor" 0 "" "$I" call lib.wasm hello
  [ "$(cat "$T/stdout")" = "hello from an export" ] && pass "cli: call supplies WASI" || fail "cli: call hello" "stdout: $(cat "$T/stdout")"

  # Imports that WASI does not supply, and WASI imports with a wrong type.
  if command -v wat2wasm >/dev/null; then
    cat >"$T/cli/env.wat" <<'EOF'
(module
  (import "wasi_snapshot_preview1" "proc_exit" (func (param i32)))
  (import "env" "host_thing" (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
EOF
    wat2wasm "$T/cli/env.wat" -o "$out/env.wasm"
    expect "an import that is not WASI" 1 "env.host_thing" "$I" run env.wasm
    cat >"$T/cli/badsig.wat" <<'EOF'
(module
  (import "wasi_snapshot_preview1" "fd_write" (func (param i32) (result i32)))
  (memory (export "memory") 1)
  (func (export "_start")))
EOF
    wat2wasm "$T/cli/badsig.wat" -o "$out/badsig.wasm"
    expect "a WASI import with the wrong type" 1 "fd_write" "$I" run badsig.wasm
    cat >"$T/cli/unknown.wat" <<'EOF'
(module
  (import "wasi_snapshot_preview1" "no_such_call" (func))
  (memory (export "memory") 1)
  (func (export "_start")))
EOF
    wat2wasm "$T/cli/unknown.wat" -o "$out/unknown.wasm"
    expect "an unknown WASI function" 1 "no_such_call" "$I" run unknown.wasm
    cat >"$T/cli/start.wat" <<'EOF'
(module
  (func $s unreachable)
  (start $s))
EOF
    wat2wasm "$T/cli/start.wat" -o "$out/start.wasm"
    expect "a trap in the start function" 134 "^Error: " "$I" run start.wasm
  fi
}

# ---------------------------------------------------------------- main

for src in "$here"/c/*.c; do
  name=$(basename "$src" .c)
  [ "$name" = exit ] && continue
  selected "$name" || selected "c/$name" || continue
  c_test "$src"
done
if selected exit; then exit_tests; fi
if command -v go >/dev/null; then
  for dir in "$here"/go/*/; do
    dir=${dir%/}
    name=$(basename "$dir")
    selected "$name" || selected "go/$name" || continue
    go_test "$dir"
  done
else
  echo "go not found: skipping the Go programs"
fi
if selected cli; then cli_tests; fi

echo
echo "wasi tests: $passed passed, $failed failed"
for f in "${failures[@]+"${failures[@]}"}"; do echo "  failed: $f"; done
[ "$failed" -eq 0 ]
