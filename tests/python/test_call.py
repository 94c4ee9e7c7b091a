"""Calls into wasm: argument conversion, range and type errors naming the parameter,
arity, results of every type, multi-value, signatures, docs and the Library surface."""

import inspect
import math
import sys

import pytest

import isthmus


def test_sum(sum_lib):
    assert sum_lib.sum(12, 12) == 24
    assert sum_lib.sum(-5, 3) == -2
    assert sum_lib.sum(2**31 - 1, 1) == -(2**31)       # wraps; results are signed
    assert sum_lib.sum(2**32 - 1, 0) == -1             # unsigned inputs accepted
    assert sum_lib.sum(True, False) == 1               # bool is an int
    assert sum_lib.sum(2**30, 2**30) == -(2**31)       # beyond the inline fast path


def test_dir_signature_doc(sum_lib):
    assert "sum" in dir(sum_lib)
    f = sum_lib.sum
    assert isinstance(f, isthmus.Func)
    sig = inspect.signature(f)
    assert list(sig.parameters) == ["p0", "p1"]
    assert sig.parameters["p0"].annotation is isthmus.i32
    assert sig.return_annotation is isthmus.i32
    assert str(sig) == "(p0: isthmus.i32, p1: isthmus.i32, /) -> isthmus.i32"
    assert f.__doc__.startswith("sum(p0: i32, p1: i32) -> i32")
    assert f.__name__ == "sum"
    assert f.type == isthmus.FuncType(("i32", "i32"), ("i32",))
    assert "sum" in repr(f) and "i32" in repr(f)
    assert sum_lib["sum"] is f
    assert sum_lib.exports["sum"] is f


def test_library_is_read_only(sum_lib):
    with pytest.raises(AttributeError):
        sum_lib.sum = None
    with pytest.raises(KeyError):
        sum_lib["nope"]
    with pytest.raises(AttributeError):
        sum_lib.nope


@pytest.mark.parametrize("args,match", [((), r"sum\(\) takes 2 arguments \(0 given\)"),
                                        ((1,), r"takes 2 arguments \(1 given\)"),
                                        ((1, 2, 3), r"takes 2 arguments \(3 given\)")])
def test_arity(sum_lib, args, match):
    with pytest.raises(TypeError, match=match):
        sum_lib.sum(*args)


def test_keywords_refused(sum_lib):
    with pytest.raises(TypeError, match="keyword"):
        sum_lib.sum(p0=1, p1=2)


@pytest.mark.parametrize("bad,param", [("1", "p0"), (1.5, "p0"), (None, "p0"), (b"x", "p0"), ([], "p0")])
def test_wrong_type_names_parameter(sum_lib, bad, param):
    with pytest.raises(TypeError, match=rf"sum\(\) parameter {param} must be int \(i32\), not "):
        sum_lib.sum(bad, 1)
    with pytest.raises(TypeError, match=r"parameter p1 must be int"):
        sum_lib.sum(1, bad)


@pytest.mark.parametrize("value", [2**32, -(2**31) - 1, 2**100, -(2**70)])
def test_i32_overflow_names_parameter(sum_lib, value):
    with pytest.raises(OverflowError, match=r"sum\(\) parameter p1: .* out of range for i32"):
        sum_lib.sum(1, value)


def test_index_protocol(sum_lib):
    class Idx:
        def __index__(self):
            return 7
    assert sum_lib.sum(Idx(), 1) == 8

    class Bad:
        def __index__(self):
            raise ValueError("no index")
    with pytest.raises(ValueError, match="no index"):
        sum_lib.sum(Bad(), 1)


def test_i64(types_lib):
    f = types_lib.i64
    assert f(2**63 - 1) == 2**63 - 1
    assert f(-(2**63)) == -(2**63)
    assert f(2**64 - 1) == -1
    assert f(5) == 5
    with pytest.raises(OverflowError, match="parameter p0.*i64"):
        f(2**64)
    with pytest.raises(OverflowError, match="parameter p0.*i64"):
        f(-(2**63) - 1)
    with pytest.raises(TypeError, match=r"p0 must be int \(i64\)"):
        f(1.0)


def test_floats(types_lib):
    assert types_lib.f64(1.25) == 1.25
    assert types_lib.f64(3) == 3.0           # ints are accepted for floats
    assert math.isnan(types_lib.f64(float("nan")))
    assert types_lib.f64(float("inf")) == float("inf")
    assert types_lib.f32(0.1) == pytest.approx(0.1, rel=1e-7)
    assert types_lib.f32(1e300) == float("inf")   # f32 rounding, as wasm would
    with pytest.raises(TypeError, match=r"p0 must be float \(f64\), not str"):
        types_lib.f64("1.0")
    with pytest.raises(OverflowError, match="p0"):
        types_lib.f64(10**400)


def test_results(types_lib):
    assert types_lib.none() is None
    assert types_lib.pair(7, 2**40) == (2**40, 7)
    assert types_lib.mixed(1, 2, 0.5, 0.25) == 3.75
    assert types_lib.many(*range(20)) == 19
    with pytest.raises(TypeError, match="takes 20 arguments"):
        types_lib.many(*range(19))


def test_references(types_lib):
    obj = object()
    assert types_lib.ext(obj) is obj
    assert types_lib.ext(None) is None
    f = types_lib.fref(types_lib.i32)
    assert isinstance(f, isthmus.Func) and f(9) == 9
    assert types_lib.fref(None) is None
    with pytest.raises(TypeError, match=r"p0 must be isthmus.Func or None \(funcref\)"):
        types_lib.fref(len)


def test_funcref_from_another_store(types_lib, sum_lib):
    with pytest.raises(ValueError, match="another store"):
        types_lib.fref(sum_lib.sum)


def test_release_gil_setting(sum_lib):
    f = sum_lib.sum
    assert f.release_gil is None
    f.release_gil = True
    assert f(1, 2) == 3
    f.release_gil = False
    assert f(1, 2) == 3
    f.release_gil = None
    with pytest.raises(TypeError):
        f.release_gil = 1


ARITY_WAT = """(module
  (func (export "c0") (result i32) i32.const -6)
  (func (export "a1") (param i32) (result i32) local.get 0)
  (func (export "a2") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
  (func (export "a3") (param i32 i32 i32) (result i32) local.get 0 local.get 1 i32.add local.get 2 i32.add)
  (func (export "a4") (param i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 i32.add local.get 2 i32.add local.get 3 i32.add)
  (func (export "a5") (param i32 i32 i32 i32 i32) (result i32)
    local.get 0 local.get 1 i32.add local.get 2 i32.add local.get 3 i32.add local.get 4 i32.add)
  (func (export "w2") (param i32 i32) (result i64) local.get 0 i64.extend_i32_s local.get 1 i64.extend_i32_s i64.mul)
  (func (export "n2") (param i32 i32)))"""


@pytest.mark.parametrize("n", [1, 2, 3, 4, 5])
def test_integer_fast_paths_by_arity(wat, n):
    """Exports with 0-4 i32 parameters have a call path of their own (and 5+ the general
    integer one): results at the edges of CPython's small-int cache, and every refusal."""
    lib = isthmus.load(wat(ARITY_WAT))
    f = lib[f"a{n}"]
    for first in (-6, -5, -1, 0, 1, 255, 256, 257, 2**31 - 1, -(2**31), 2**32 - 1, 2**30, -(2**30) - 5):
        expect = (first + (n - 1) + 2**31) % 2**32 - 2**31
        assert f(first, *([1] * (n - 1))) == expect, (n, first)
    with pytest.raises(TypeError, match=rf"a{n}\(\) takes {n} argument"):
        f(*([1] * (n + 1)))
    with pytest.raises(TypeError, match="keyword"):
        f(*([1] * (n - 1)), p0=1)
    with pytest.raises(TypeError, match=rf"parameter p{n - 1} must be int \(i32\), not str"):
        f(*([1] * (n - 1)), "1")
    with pytest.raises(OverflowError, match=rf"parameter p{n - 1}: .* out of range for i32"):
        f(*([1] * (n - 1)), 2**32)
    assert lib.c0() == -6
    with pytest.raises(TypeError, match=r"c0\(\) takes 0 arguments \(1 given\)"):
        lib.c0(1)


def test_integer_fast_path_results(wat):
    lib = isthmus.load(wat(ARITY_WAT))
    for a, b in ((0, 0), (-1, 5), (16, 16), (2**31 - 1, 2**31 - 1), (-(2**31), 2**31 - 1), (-1, -(2**31))):
        assert lib.w2(a, b) == a * b
    assert lib.n2(1, 2) is None
    for _ in range(3000):  # past the GIL probe: the short path, where the small-int table is read
        assert lib.a2(-3, -3) == -6 and lib.a2(128, 128) == 256 and lib.a2(128, 129) == 257
    five = int("5")
    assert lib.a1(five) is five  # small results are CPython's own cached ints
