"""Go modules (GOOS=wasip1 GOARCH=wasm, Go 1.24+): the seed example, re-entry
Go -> Python -> Go, stdio capture, panics, commands with exit codes, args, env, stdin and
preopened directories."""

import io
import signal
import subprocess
import sys
import textwrap
import time

import pytest

import isthmus


def test_seed_sum(go_seed):
    lib = isthmus.load(go_seed)
    assert lib.sum(12, 12) == 24
    assert "sum" in dir(lib)
    assert str(lib.sum.type) == "(i32, i32) -> i32"


def _lib(go_reactor, **kw):
    kw.setdefault("imports", {"env": {"callback": lambda x: x}})
    return isthmus.load(go_reactor, **kw)


def test_numbers(go_reactor):
    lib = _lib(go_reactor)
    assert lib.sum(2, 3) == 5
    assert lib.add64(2**40, 2**41) == 3 * 2**40
    assert lib.scale(1.5, 2.0) == 3.0


def test_reentry_go_python_go(go_reactor):
    calls = []

    def callback(x):
        calls.append(x)
        return lib.double(x) + 1          # Go export called from inside a Go import

    lib = _lib(go_reactor, imports={"env": {"callback": callback}})
    assert lib.call_back(20) == 2 * 20 + 1 + 1
    assert calls == [20]
    for i in range(200):                  # over and over (Go's stack switching stays sound)
        assert lib.call_back(i) == 2 * i + 2


def test_reentry_exception_propagates(go_reactor):
    err = LookupError("not here")

    def callback(x):
        raise err
    lib = _lib(go_reactor, imports={"env": {"callback": callback}})
    with pytest.raises(LookupError) as ei:
        lib.call_back(1)
    assert ei.value is err


def test_stdout_capture_kinds(go_reactor, tmp_path):
    buf = bytearray()
    _lib(go_reactor, stdout=buf, stderr=isthmus.DEVNULL).hello()
    assert bytes(buf) == b"hello from Go\n"

    chunks = []
    _lib(go_reactor, stdout=chunks.append, stderr=chunks.append).hello()
    assert b"".join(chunks) == b"hello from Go\nto stderr\n"

    text = io.StringIO()
    _lib(go_reactor, stdout=text).hello()
    assert text.getvalue() == "hello from Go\n"

    binary = io.BytesIO()
    _lib(go_reactor, stderr=binary, stdout=isthmus.DEVNULL).hello()
    assert binary.getvalue() == b"to stderr\n"

    path = tmp_path / "out.txt"
    _lib(go_reactor, stdout=path).hello()
    assert path.read_bytes() == b"hello from Go\n"


def test_stdout_callback_exception_is_reported(go_reactor):
    def bad(data):
        raise RuntimeError("sink failed")
    lib = _lib(go_reactor, stdout=bad)
    with pytest.raises(RuntimeError, match="sink failed"):
        lib.hello()


def test_bad_stdio_arguments(go_reactor):
    with pytest.raises(TypeError, match="stdout"):
        _lib(go_reactor, stdout=42)
    with pytest.raises(TypeError, match="stdin"):
        _lib(go_reactor, stdin=42)
    with pytest.raises(TypeError, match="args"):
        _lib(go_reactor, args="one string")
    with pytest.raises(TypeError, match="env"):
        _lib(go_reactor, env={"A": 1})
    with pytest.raises(FileNotFoundError):
        _lib(go_reactor, dirs={"/data": "/no/such/dir"})


def test_panic_is_a_trap_with_go_names(go_reactor):
    err = bytearray()
    lib = _lib(go_reactor, stderr=err)
    with pytest.raises(isthmus.Trap) as ei:
        lib.boom()
    names = [f.func_name for f in ei.value.frames]
    assert "main.boom" in names
    assert b"panic: boom from Go" in bytes(err)
    with pytest.raises(isthmus.Error, match="can no longer be called"):
        lib.sum(1, 2)


def test_memory_strings_and_growth(go_reactor):
    lib = _lib(go_reactor)
    mem = lib.memory
    view = memoryview(mem)
    p = lib.alloc(64)
    mem.write(p, b"hello, gopher")
    assert lib.upper(p, 13) == 13
    assert mem.read(p, 13) == b"HELLO, GOPHER"
    pages = mem.pages
    assert lib.grow(8) == 8                   # Go grows its heap: memory.grow inside the call
    assert mem.pages > pages
    view[p] = ord("J")                        # a view taken before the growth is still valid
    assert mem.read(p, 5) == b"JELLO"
    assert len(memoryview(mem)) == mem.size
    lib.release(p)


def test_env_and_preopened_dirs(go_reactor, tmp_path):
    lib = _lib(go_reactor, env={"GREETING": "hi there"})
    p = lib.alloc(64)
    n = lib.getenv(p, 64)
    assert lib.memory.read(p, n) == b"hi there"
    (tmp_path / "in.txt").write_bytes(b"file contents")
    lib = _lib(go_reactor, dirs={"/data": tmp_path})
    p = lib.alloc(64)
    n = lib.readfile(p, 64)
    assert lib.memory.read(p, n) == b"file contents"
    lib = _lib(go_reactor)                    # nothing preopened: no file system
    p = lib.alloc(64)
    assert lib.readfile(p, 64) == -1


def test_command_module(go_command):
    out = bytearray()
    assert isthmus.run(go_command, args=["x", "7"], env={"WHO": "ada"}, stdout=out) == 7
    assert bytes(out) == b"args: [x 7]\nenv: ada\n"
    out.clear()
    lib = isthmus.load(go_command, stdout=out)
    assert lib.run() == 0
    assert bytes(out) == b"args: []\nenv: \n"
    with pytest.raises(isthmus.Error, match="no longer be called"):
        lib.run()


def test_command_stdin(go_command):
    out = bytearray()
    assert isthmus.run(go_command, args=["echo"], stdin=b"one\ntwo\n", stdout=out) == 0
    assert bytes(out).endswith(b"got: one\ngot: two\n")
    out.clear()
    assert isthmus.run(go_command, args=["echo"], stdin=io.StringIO("three\n"), stdout=out) == 0
    assert bytes(out).endswith(b"got: three\n")


def test_run_on_reactor_and_exit_error(go_reactor, go_command):
    with pytest.raises(isthmus.Error, match="not a command"):
        _lib(go_reactor).run()
    lib = isthmus.load(go_command, args=["x", "3"], stdout=isthmus.DEVNULL)
    with pytest.raises(isthmus.ExitError) as ei:
        lib.instance.exports["_start"]()
    assert ei.value.exit_code == 3
    assert ei.value.code == isthmus.TrapCode.EXIT


def test_lower_layer_with_wasi(go_seed):
    m = isthmus.Module.from_file(go_seed)
    assert any(i.module == "wasi_snapshot_preview1" for i in m.imports)
    with pytest.raises(isthmus.LinkError, match="needs WASI"):
        isthmus.Instance(m)
    inst = isthmus.Instance(m, wasi=isthmus.WasiConfig())
    inst.exports["_initialize"]()
    assert inst.exports["sum"](1, 2) == 3


def test_ctrl_c_in_go(go_reactor, tmp_path):
    script = tmp_path / "go_ctrlc.py"
    script.write_text(textwrap.dedent("""
        import sys, isthmus
        lib = isthmus.load(sys.argv[1], imports={"env": {"callback": lambda x: x}})
        print("ready", flush=True)
        try:
            lib.spin(2**62)
        except KeyboardInterrupt:
            print("stopped", flush=True)
    """))
    p = subprocess.Popen([sys.executable, str(script), str(go_reactor)], stdout=subprocess.PIPE, text=True)
    try:
        assert p.stdout.readline().strip() == "ready"
        time.sleep(0.3)
        p.send_signal(signal.SIGINT)
        assert p.stdout.readline().strip() == "stopped"
        assert p.wait(timeout=10) == 0
    finally:
        if p.poll() is None:
            p.kill()
            p.wait()
