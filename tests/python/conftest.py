"""Fixtures for the isthmus Python tests: modules from WebAssembly text (wat2wasm) and Go
modules built with the installed Go toolchain (GOOS=wasip1 GOARCH=wasm)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import isthmus

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent


@pytest.fixture(scope="session")
def wat(tmp_path_factory):
    """wat(text) -> bytes of the module (cached per text)."""
    exe = shutil.which("wat2wasm")
    if not exe:
        pytest.skip("wat2wasm not found")
    d = tmp_path_factory.mktemp("wat")
    cache = {}

    def build(text: str, *extra: str) -> bytes:
        key = (text, extra)
        if key not in cache:
            src = d / f"m{len(cache)}.wat"
            out = d / f"m{len(cache)}.wasm"
            src.write_text(text)
            subprocess.run([exe, *extra, str(src), "-o", str(out)], check=True)
            cache[key] = out.read_bytes()
        return cache[key]

    return build


def _go_build(tmp_path_factory, name, src, *flags):
    go = shutil.which("go")
    if not go:
        pytest.skip("go not found")
    if not isthmus.HAVE_WASI:
        pytest.skip("this build has no WASI")
    out = tmp_path_factory.mktemp("go") / f"{name}.wasm"
    env = dict(os.environ, GOOS="wasip1", GOARCH="wasm")
    subprocess.run([go, "build", *flags, "-o", str(out), "."], cwd=src, env=env, check=True)
    return out


@pytest.fixture(scope="session")
def go_reactor(tmp_path_factory):
    """Path of tests/python/go/reactor built as a c-shared library module."""
    return _go_build(tmp_path_factory, "reactor", HERE / "go" / "reactor", "-buildmode=c-shared")


@pytest.fixture(scope="session")
def go_command(tmp_path_factory):
    """Path of tests/python/go/command built as a command module (_start)."""
    return _go_build(tmp_path_factory, "command", HERE / "go" / "command")


@pytest.fixture(scope="session")
def go_seed(tmp_path_factory):
    """Path of examples/seed (the Go `sum`) built as a c-shared library module."""
    return _go_build(tmp_path_factory, "seed", ROOT / "examples" / "seed", "-buildmode=c-shared")


SUM_WAT = """
(module
  (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add))
"""

TYPES_WAT = """
(module
  (func (export "i32") (param i32) (result i32) local.get 0)
  (func (export "i64") (param i64) (result i64) local.get 0)
  (func (export "f32") (param f32) (result f32) local.get 0)
  (func (export "f64") (param f64) (result f64) local.get 0)
  (func (export "none"))
  (func (export "pair") (param i32 i64) (result i64 i32) local.get 1 local.get 0)
  (func (export "mixed") (param i32 i64 f32 f64) (result f64)
    local.get 0 f64.convert_i32_s local.get 1 f64.convert_i64_s f64.add
    local.get 2 f64.promote_f32 f64.add local.get 3 f64.add)
  (func (export "ext") (param externref) (result externref) local.get 0)
  (func (export "fref") (param funcref) (result funcref) local.get 0)
  (func (export "many") (param i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32 i32)
        (result i32)
    local.get 0 local.get 19 i32.add))
"""


@pytest.fixture
def sum_lib(wat):
    return isthmus.load(wat(SUM_WAT))


@pytest.fixture
def types_lib(wat):
    return isthmus.load(wat(TYPES_WAT))


def isthmus_command():
    """The `isthmus` command installed with the package, or None."""
    exe = Path(sys.executable).parent / "isthmus"
    return str(exe) if exe.exists() else shutil.which("isthmus")


@pytest.fixture(scope="session")
def abitypes_wasm(tmp_path_factory):
    """tests/python/go/abitypes built with the `isthmus build` command of the installed package."""
    if not shutil.which("go") or not isthmus.HAVE_WASI:
        pytest.skip("go or WASI not available")
    exe = isthmus_command()
    if not exe:
        pytest.skip("the isthmus command is not installed")
    d = tmp_path_factory.mktemp("abitypes")
    out = d / "abitypes.wasm"
    # the generator is cached under XDG_CACHE_HOME (kept out of the user's cache); Go's own build
    # cache would move with it, and a cold one costs half a minute: keep it where it is
    gocache = subprocess.run(["go", "env", "GOCACHE"], capture_output=True, text=True, check=True).stdout.strip()
    env = dict(os.environ, ISTHMUS_GO_SDK=str(ROOT / "go"), XDG_CACHE_HOME=str(d / "cache"), GOCACHE=gocache)
    subprocess.run([exe, "build", "--out", str(out), "."], cwd=HERE / "go" / "abitypes", env=env, check=True)
    return out
