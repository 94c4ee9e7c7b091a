#!/usr/bin/env bash
# tests/wasi/testsuite/run.sh BUILD_DIR DIR [NAME...] — runs the official WASI test suite
# (fetched into DIR by fetch.sh, or built into DIR from its sources by rebuild.sh) through
# BUILD_DIR/isthmus, the way the suite's wasmtime adapter runs wasmtime:
# `isthmus run --env K=V... --dir HOST::GUEST... TEST.wasm ARGS...`, where a spec's "dirs"
# entry D is HOST = the test's folder/D, GUEST = D, and a "root" R is mounted at /
# (--dir folder/R::/). Every test*.wasm next to a manifest.json under DIR is run
# (wasm32-wasip1 suites only). A test passes when its exit status and its stdout/stderr
# (each must start with the expected text, as the suite's runner reads it) match its .json
# spec, in either of the spec's formats (legacy keys args/env/dirs/root/exit_code/stdout/
# stderr, or "operations"). Tests that need sockets, HTTP or other proposals are skipped.
# NAME selects tests by name. Prints a line per failure and a summary per suite; exits
# non-zero when a test fails. Environment: WASI_TESTSUITE_TIMEOUT (seconds, default 60);
# WASI_TESTSUITE_RUNNER, a command taking wasmtime's run options to use instead of
# "BUILD_DIR/isthmus run" (e.g. another engine, to check the suite itself).
set -u
build=$(cd "${1:?usage: run.sh BUILD_DIR DIR [NAME...]}" && pwd) || exit 2
dir=$(cd "${2:?usage: run.sh BUILD_DIR DIR [NAME...]}" && pwd) || exit 2
shift 2
isthmus=$build/isthmus
[ -x "$isthmus" ] || { echo "run.sh: no isthmus binary at $isthmus" >&2; exit 2; }
exec python3 - "$isthmus" "$dir" "${WASI_TESTSUITE_TIMEOUT:-60}" "$@" <<'PY'
import glob, json, os, shlex, shutil, subprocess, sys

isthmus, root_dir, timeout = sys.argv[1], sys.argv[2], float(sys.argv[3])
selected = set(sys.argv[4:])


def cleanup(dirs):
    for host, _ in dirs:
        for f in glob.glob(os.path.join(host, "**", "*.cleanup"), recursive=True):
            if os.path.isdir(f) and not os.path.islink(f):
                shutil.rmtree(f, ignore_errors=True)
            else:
                try:
                    os.remove(f)
                except OSError:
                    pass


def run_spec(folder, spec):
    """The spec as (args, env, dirs, stdin, reads, exit_code), or a reason to skip."""
    def mounts(c):
        dirs = [(os.path.join(folder, d), d) for d in c.get("dirs", [])]
        if c.get("root"):
            dirs.append((os.path.join(folder, c["root"]), "/"))
        return dirs

    if "operations" in spec or "proposals" in spec:
        if spec.get("proposals"):
            return "needs proposals %s" % spec["proposals"]
        args, env, dirs, stdin, reads, code, runs = [], {}, [], "", [], 0, 0
        for op in spec.get("operations", []):
            t = op.get("type")
            if t == "run":
                runs += 1
                args, env, dirs = op.get("args", []), op.get("env", {}), mounts(op)
            elif t == "write" and op.get("id", "stdin") == "stdin":
                stdin += op.get("payload", "")
            elif t == "read" and op.get("id", "stdout") in ("stdout", "stderr"):
                reads.append((op.get("id", "stdout"), op.get("payload", "")))
            elif t == "wait":
                code = op.get("exit_code", 0)
            else:
                return "operation %r is not supported here" % t
        if runs != 1:
            return "%d run operations" % runs
        return args, env, dirs, stdin, reads, code
    reads = [(k, spec[k]) for k in ("stdout", "stderr") if spec.get(k) is not None]
    return spec.get("args", []), spec.get("env", {}), mounts(spec), "", reads, spec.get("exit_code", 0)


def run_test(wasm):
    folder = os.path.dirname(wasm)
    spec_path = wasm[:-5] + ".json"
    spec = {}
    if os.path.exists(spec_path):
        with open(spec_path, encoding="utf-8") as f:
            spec = json.load(f)
    parsed = run_spec(folder, spec)
    if isinstance(parsed, str):
        return "skip", parsed
    args, env, dirs, stdin, reads, want = parsed
    argv = shlex.split(os.environ["WASI_TESTSUITE_RUNNER"]) if os.environ.get("WASI_TESTSUITE_RUNNER") else [isthmus, "run"]
    for k, v in env.items():
        argv += ["--env", "%s=%s" % (k, v)]
    for host, guest in dirs:
        argv += ["--dir", "%s::%s" % (host, guest)]
    argv += [wasm] + list(args)
    cleanup(dirs)
    try:
        p = subprocess.run(argv, input=stdin.encode(), capture_output=True, timeout=timeout)
    except subprocess.TimeoutExpired:
        cleanup(dirs)
        return "fail", "timed out after %gs" % timeout
    cleanup(dirs)
    out = {"stdout": p.stdout.decode("utf-8", "replace"), "stderr": p.stderr.decode("utf-8", "replace")}
    why = []
    for stream, payload in reads:
        if not out[stream].startswith(payload):
            why.append("%s %r, want it to start with %r" % (stream, out[stream][:300], payload[:300]))
        out[stream] = out[stream][len(payload):]
    if p.returncode != want:
        why.append("exit status %d, want %d" % (p.returncode, want))
    if why:
        err = out["stderr"].strip()
        if err and not any(s == "stderr" for s, _ in reads):
            why.append("stderr: " + err[:600])
        return "fail", "; ".join(why)
    return "pass", ""


manifests = sorted(glob.glob(os.path.join(root_dir, "**", "manifest.json"), recursive=True))
suites = []
for m in manifests:
    folder = os.path.dirname(m)
    if "wasm32-wasip2" in folder or "wasm32-wasip3" in folder:
        continue
    if not glob.glob(os.path.join(folder, "*.wasm")):
        continue
    with open(m, encoding="utf-8") as f:
        name = json.load(f).get("name", folder)
    suites.append((name, folder))
if not suites:
    print("run.sh: no test suite under %s (see fetch.sh)" % root_dir, file=sys.stderr)
    sys.exit(2)

totals = {"pass": 0, "fail": 0, "skip": 0}
lines = []
for name, folder in suites:
    counts = {"pass": 0, "fail": 0, "skip": 0}
    for wasm in sorted(glob.glob(os.path.join(folder, "*.wasm"))):
        test = os.path.basename(wasm)[:-5]
        if selected and test not in selected:
            continue
        verdict, why = run_test(wasm)
        counts[verdict] += 1
        if verdict == "fail":
            print("FAIL %s / %s: %s" % (name, test, why))
        elif verdict == "skip":
            print("skip %s / %s: %s" % (name, test, why))
    lines.append("%-50s %4d passed, %4d failed, %4d skipped" % (name, counts["pass"], counts["fail"], counts["skip"]))
    for k in totals:
        totals[k] += counts[k]
print()
for line in lines:
    print(line)
print("wasi-testsuite: %d passed, %d failed, %d skipped" % (totals["pass"], totals["fail"], totals["skip"]))
sys.exit(1 if totals["fail"] else 0)
PY
