"""Threads, the GIL and Ctrl-C: one thread at a time per instance, other Python threads run
during long calls, KeyboardInterrupt stops a long call within milliseconds."""

import os
import signal
import subprocess
import sys
import textwrap
import threading
import time

import pytest

import isthmus

LOOP_WAT = """
(module
  (import "env" "tick" (func $tick (param i64)))
  (func (export "spin") (param i64) (result i64) (local i64)
    (loop $l
      local.get 1 i64.const 1 i64.add local.set 1
      local.get 1 local.get 0 i64.lt_u br_if $l)
    local.get 1)
  (func (export "spin_tick") (param i64) (result i64) (local i64)
    (loop $l
      local.get 1 i64.const 1 i64.add local.set 1
      local.get 1 call $tick
      local.get 1 local.get 0 i64.lt_u br_if $l)
    local.get 1))
"""


@pytest.fixture
def loop_lib(wat):
    return isthmus.load(wat(LOOP_WAT), imports={"env": {"tick": lambda i: None}})


def test_other_threads_run_during_long_calls(loop_lib):
    """A long call releases the GIL: a Python thread keeps counting meanwhile."""
    n = 30_000_000
    loop_lib.spin(n)  # first call: timed; it is long, so later calls release the GIL too
    assert loop_lib.spin.long_calls
    stop = threading.Event()
    count = [0]

    def counter():
        while not stop.is_set():
            count[0] += 1
    t = threading.Thread(target=counter)
    t.start()
    time.sleep(0.01)
    before = count[0]
    assert loop_lib.spin(n) == n
    during = count[0] - before
    stop.set()
    t.join()
    assert during > 1000


def test_short_calls_keep_the_gil(wat):
    lib = isthmus.load(wat("(module (func (export \"f\") (result i32) i32.const 1))"))
    for _ in range(2000):
        lib.f()
    assert not lib.f.long_calls


def test_two_threads_one_instance(loop_lib):
    """The second caller waits for the first; both get their results."""
    loop_lib.spin.release_gil = True
    results = []
    errors = []

    def work():
        try:
            for _ in range(5):
                results.append(loop_lib.spin(200_000))
        except BaseException as e:  # pragma: no cover
            errors.append(e)
    threads = [threading.Thread(target=work) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert results == [200_000] * 20


def test_host_calls_from_gil_released_call(wat):
    """Host functions take the GIL back when the call released it."""
    seen = []
    lib = isthmus.load(wat(LOOP_WAT), imports={"env": {"tick": seen.append}})
    lib.spin_tick.release_gil = True
    assert lib.spin_tick(1000) == 1000
    assert seen == list(range(1, 1001))


def test_threads_with_host_functions(wat):
    """Several threads drive the same instance whose host function releases the GIL."""
    def tick(i):
        if i % 100 == 0:
            time.sleep(0)
    lib = isthmus.load(wat(LOOP_WAT), imports={"env": {"tick": tick}})
    out = []
    ts = [threading.Thread(target=lambda: out.append(lib.spin_tick(3000))) for _ in range(3)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    assert out == [3000] * 3


CTRL_C = textwrap.dedent("""
    import sys, time, isthmus
    lib = isthmus.load(open(sys.argv[1], "rb").read(), imports={"env": {"tick": lambda i: None}})
    lib.spin.release_gil = {mode}
    print("ready", flush=True)
    t0 = time.monotonic()
    try:
        lib.spin(2**62)
    except KeyboardInterrupt:
        print("interrupted after %.3f s" % (time.monotonic() - t0), flush=True)
    # the process is healthy: a new instance works
    lib2 = isthmus.load(open(sys.argv[1], "rb").read(), imports={"env": {"tick": lambda i: None}})
    print("after", lib2.spin(10), flush=True)
""")


@pytest.mark.parametrize("mode", ["None", "True", "False"])
def test_ctrl_c_stops_long_call(wat, tmp_path, mode):
    path = tmp_path / "loop.wasm"
    path.write_bytes(wat(LOOP_WAT))
    script = tmp_path / "ctrlc.py"
    script.write_text(CTRL_C.replace("{mode}", mode))
    p = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        sent = time.monotonic()
        p.send_signal(signal.SIGINT)
        line = p.stdout.readline()
        latency = time.monotonic() - sent
        assert line.startswith("interrupted after"), line
        assert latency < 1.0
        assert p.stdout.readline().strip() == "after 10"
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()


def test_ctrl_c_respects_custom_handler(wat, tmp_path):
    """A Python SIGINT handler that does not raise: the call still stops, as a Trap."""
    path = tmp_path / "loop.wasm"
    path.write_bytes(wat(LOOP_WAT))
    script = tmp_path / "handler.py"
    script.write_text(textwrap.dedent("""
        import signal, sys, isthmus
        hits = []
        signal.signal(signal.SIGINT, lambda *a: hits.append(1))
        lib = isthmus.load(open(sys.argv[1], "rb").read(), imports={"env": {"tick": lambda i: None}})
        print("ready", flush=True)
        try:
            lib.spin(2**62)
        except isthmus.Trap as e:
            print(e.code.name, len(hits), flush=True)
    """))
    p = subprocess.Popen([sys.executable, str(script), str(path)], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        assert p.stdout.readline().strip() == "INTERRUPTED 1"
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
