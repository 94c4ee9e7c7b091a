"""The AUTO tier's background tier-up (docs/design.md): functions start on the interpreter,
hot ones (ISTHMUS_TIERUP_CALLS host calls) are compiled with their direct callees by a worker
thread and switch to native code at the next call from Python; results, traps and
backtraces stay the same; a missing compiler costs one warning and nothing else."""

import os
import signal
import shutil
import subprocess
import sys
import textwrap
import time

import pytest

import isthmus

THRESHOLD = 40

pytestmark = pytest.mark.skipif(not shutil.which("cc"), reason="no C compiler")

WAT = """(module
  (func $helper (param i32) (result i32) (i32.div_s (i32.const 1000) (local.get 0)))
  (func $hot (export "hot") (param i32) (result i32) (i32.add (call $helper (local.get 0)) (i32.const 1)))
  (func $cold (export "cold") (param i32) (result i32) (local.get 0)))"""


@pytest.fixture
def auto(tmp_path, monkeypatch):
    """An AUTO-tier engine with a low threshold and a private cache directory."""
    monkeypatch.setenv("ISTHMUS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("ISTHMUS_TIERUP_CALLS", str(THRESHOLD))
    return isthmus.Engine(tier="auto")


def test_hot_function_switches_to_compiled_code(auto, wat, tmp_path):
    lib = isthmus.load(wat(WAT, "--debug-names"), engine=auto)
    assert lib.hot.tier == "interp" and lib.cold.tier == "interp"
    args = range(1, 3 * THRESHOLD)
    assert [lib.hot(i) for i in args] == [int(1000 / i) + 1 for i in args]
    assert lib.wait_compiled(timeout=120) == 0
    assert lib.hot.tier == "aot"
    assert lib.cold.tier == "interp"          # never hot
    assert [lib.hot(i) for i in range(-50, 0)] == [int(1000 / i) + 1 for i in range(-50, 0)]
    assert list((tmp_path / "cache").glob("s-*.so")), "the subset's object is cached"


def test_trap_in_compiled_code_after_tier_up(auto, wat):
    lib = isthmus.load(wat(WAT, "--debug-names"), engine=auto)
    for i in range(THRESHOLD + 1):
        lib.hot(7)
    assert lib.instance.wait_compiled(120) == 0
    assert lib.hot.tier == "aot"
    with pytest.raises(isthmus.Trap) as ei:
        lib.hot(0)
    assert ei.value.message == "integer divide by zero"
    assert [f.func_name for f in ei.value.frames] == ["helper", "hot"]


def test_host_functions_and_other_tiers(auto, wat, tmp_path, monkeypatch):
    text = """(module (import "h" "f" (func $f (param i32) (result i32)))
      (func (export "g") (param i32) (result i32) (call $f (local.get 0))))"""
    inst = isthmus.Instance(isthmus.Module(wat(text), engine=auto), {"h": {"f": lambda x: x + 1}},
                            store=isthmus.Store(auto))
    g = inst.exports["g"]
    for i in range(THRESHOLD + 1):
        assert g(i) == i + 1                  # compiled code calling a Python host function
    assert inst.wait_compiled(120) == 0 and g.tier == "aot"
    assert g(41) == 42
    host = isthmus.Func(inst.store, lambda: None, isthmus.FuncType([], []))
    assert host.tier is None
    interp = isthmus.load(wat(WAT), engine=isthmus.Engine(tier="interp"))
    for i in range(THRESHOLD + 1):
        interp.hot(3)
    assert interp.wait_compiled(0) == 0 and interp.hot.tier == "interp"
    with pytest.raises(ValueError, match="timeout"):
        interp.wait_compiled(-1)


def test_wait_inside_a_host_function_switches_nothing(auto, wat):
    text = """(module (import "h" "f" (func $f (param i32) (result i32)))
      (func (export "inc") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func (export "via") (param i32) (result i32) (call $f (local.get 0))))"""
    seen = []

    def f(x):
        r = holder["inc"](x)                   # re-entry: counted, but not a safe point
        if len(seen) == 0 and holder["inc"].tier == "interp" and x == THRESHOLD:
            seen.append((holder.wait_compiled(120), holder["inc"].tier))
        return r

    holder = isthmus.Instance(isthmus.Module(wat(text), engine=auto), {"h": {"f": f}}, store=isthmus.Store(auto))
    for i in range(THRESHOLD + 5):
        assert holder.exports["via"](i) == i + 1
    assert seen == [(0, "interp")]
    assert holder.wait_compiled(120) == 0 and holder.exports["inc"].tier == "aot"
    assert holder.exports["via"](9) == 10


def test_go_seed_sum_tiers_up(auto, go_seed):
    lib = isthmus.load(go_seed, engine=auto)
    assert lib.sum.tier == "interp"
    for i in range(THRESHOLD * 3):
        assert lib.sum(i, 12) == i + 12
    assert lib.wait_compiled(timeout=600) == 0
    assert lib.sum.tier == "aot"
    assert [lib.sum(i, -i) for i in range(100)] == [0] * 100
    assert lib.sum(2**31 - 1, 1) == -2**31


def test_go_panic_after_tier_up_has_go_names(auto, go_reactor):
    """Go -> Python -> Go re-entry on compiled code, then a Go panic raised in compiled code."""
    err = bytearray()
    lib = isthmus.load(go_reactor, engine=auto, stderr=err, imports={"env": {"callback": lambda x: x}})
    for i in range(THRESHOLD * 2):
        assert lib.double(i) == 2 * i
        assert lib.call_back(i) == i + 1      # Go -> Python -> (return) on compiled code
    assert lib.wait_compiled(timeout=600) == 0
    assert lib.double.tier == "aot" and lib.call_back.tier == "aot"
    for i in range(THRESHOLD * 2):
        assert lib.divide(i, 3) == i // 3
    assert lib.wait_compiled(timeout=600) == 0 and lib.divide.tier == "aot"
    with pytest.raises(isthmus.Trap) as ei:
        lib.divide(1, 0)                      # the panic starts in compiled code
    names = [f.func_name for f in ei.value.frames]
    assert "main.divide" in names, names
    assert b"panic: runtime error: integer divide by zero" in bytes(err)


def module_file(tmp_path, wat):
    """The test module (WAT) written to a file, for a child process to load."""
    path = tmp_path / "m.wasm"
    path.write_bytes(wat(WAT))
    return path


def run_python(code, **env):
    """Runs code in a new Python process with env added to the environment."""
    return subprocess.run([sys.executable, "-c", code], env=dict(os.environ, **env), capture_output=True,
                          text=True, timeout=300)


def test_missing_compiler_warns_once_and_stays_interpreted(tmp_path, wat):
    path = module_file(tmp_path, wat)
    code = textwrap.dedent(f"""
        import isthmus
        lib = isthmus.load({str(path)!r}, engine=isthmus.Engine(tier="auto"))
        for i in range(1, 400):
            assert lib.hot(i) == int(1000 / i) + 1
            assert lib.cold(i) == i
        assert lib.wait_compiled(120) == 0
        for i in range(1, 100):
            assert lib.hot(i) == int(1000 / i) + 1
        print(lib.hot.tier, lib.cold.tier)
    """)
    r = run_python(code, CC="/nonexistent/cc", ISTHMUS_CACHE_DIR=str(tmp_path / "cache"), ISTHMUS_TIERUP_CALLS="10")
    assert r.returncode == 0, r.stderr
    assert r.stdout.split() == ["interp", "interp"]
    warnings = [line for line in r.stderr.splitlines() if "warning" in line]
    assert len(warnings) == 1 and "no working C compiler" in warnings[0], r.stderr


def test_exit_with_a_compile_in_flight(tmp_path, wat):
    path = module_file(tmp_path, wat)
    code = textwrap.dedent(f"""
        import isthmus
        lib = isthmus.load({str(path)!r}, engine=isthmus.Engine(tier="auto"))
        for i in range(1, 50):
            lib.hot(i)
        print("done")
    """)
    r = run_python(code, ISTHMUS_CACHE_DIR=str(tmp_path / "cache"), ISTHMUS_TIERUP_CALLS="5")
    assert r.returncode == 0 and r.stdout == "done\n", r.stderr


def test_ctrl_c_stops_go_code_that_tiered_up(tmp_path, go_reactor):
    script = tmp_path / "spin.py"
    script.write_text(textwrap.dedent("""
        import sys, isthmus
        lib = isthmus.load(sys.argv[1], engine=isthmus.Engine(tier="auto"),
                           imports={"env": {"callback": lambda x: x}})
        for i in range(100):
            assert lib.spin(1000) == lib.spin(1000)
        assert lib.wait_compiled(600) == 0
        print(lib.spin.tier, flush=True)
        try:
            lib.spin(2**62)
        except KeyboardInterrupt:
            print("KeyboardInterrupt", flush=True)
        print(lib.spin.tier, flush=True)
    """))
    env = dict(os.environ, ISTHMUS_CACHE_DIR=str(tmp_path / "cache"), ISTHMUS_TIERUP_CALLS="50")
    p = subprocess.Popen([sys.executable, str(script), str(go_reactor)], stdout=subprocess.PIPE, text=True, env=env)
    try:
        assert p.stdout.readline().strip() == "aot"
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        assert p.stdout.readline().strip() == "KeyboardInterrupt"
        assert p.stdout.readline().strip() == "aot"
        assert p.wait(timeout=30) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
