"""The installed package: stubs, py.typed, the `isthmus` command next to the interpreter,
the public surface, and WasiConfig validation."""

import inspect
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import isthmus

PKG = Path(isthmus.__file__).parent


def test_typing_files():
    assert (PKG / "py.typed").exists()
    assert (PKG / "_isthmus.pyi").exists()


def test_public_surface():
    for name in isthmus.__all__:
        assert hasattr(isthmus, name), name
        obj = getattr(isthmus, name)
        if isinstance(obj, type) or inspect.isfunction(obj):
            assert getattr(obj, "__doc__", None), f"{name} has no docstring"
    assert isthmus.HAVE_WASI in (True, False)
    assert isthmus.ENGINE_VERSION


def test_cli_installed():
    """pip install . puts the `isthmus` command beside the interpreter."""
    exe = Path(sys.executable).parent / "isthmus"
    if not exe.exists():
        if "site-packages" not in isthmus.__file__:
            pytest.skip("running from a development tree, not an installed wheel")
        exe = shutil.which("isthmus")
        assert exe, "the isthmus command is not installed"
    r = subprocess.run([str(exe), "--version"], capture_output=True, text=True)
    assert r.returncode == 0
    assert isthmus.ENGINE_VERSION in r.stdout + r.stderr


def test_wasi_config_validation(tmp_path):
    c = isthmus.WasiConfig(args=["a", "b"], env={"X": "1"}, dirs={"/d": tmp_path}, stdout=bytearray())
    assert c.args == ["a", "b"] and c.env == {"X": "1"} and c.dirs == {"/d": str(tmp_path)}
    with pytest.raises(ValueError, match="contains '='"):
        isthmus.WasiConfig(env={"A=B": "1"})
    with pytest.raises(TypeError, match="args"):
        isthmus.WasiConfig(args=[1])
    with pytest.raises(FileNotFoundError):
        isthmus.WasiConfig(readonly_dirs={"/x": tmp_path / "nope"})
    with pytest.raises(TypeError, match="stderr"):
        isthmus.WasiConfig(stderr=3.5)


def test_wasi_once_per_store(wat):
    if not isthmus.HAVE_WASI:
        pytest.skip("no WASI in this build")
    store = isthmus.Store()
    isthmus.WasiConfig()._apply(store)
    assert store.has_wasi
    with pytest.raises(isthmus.Error, match="already"):
        isthmus.WasiConfig()._apply(store)
    with pytest.raises(TypeError, match="wasi"):
        isthmus.Instance(isthmus.Module(wat("(module)")), wasi=True)
