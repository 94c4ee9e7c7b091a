"""No reference leaks and no memory growth over repeated calls."""

import gc
import sys
import tracemalloc

import pytest

import isthmus
from conftest import SUM_WAT, TYPES_WAT


def _growth(fn, n):
    for _ in range(1000):
        fn()
    gc.collect()
    tracemalloc.start()
    before = tracemalloc.get_traced_memory()[0]
    for _ in range(n):
        fn()
    gc.collect()
    after = tracemalloc.get_traced_memory()[0]
    tracemalloc.stop()
    return after - before


def test_refcounts_stable(wat):
    lib = isthmus.load(wat(TYPES_WAT))
    big = 2**40
    f = 1.5
    obj = object()
    counts = [sys.getrefcount(x) for x in (big, f, obj, lib.i64, lib.ext)]
    for _ in range(10000):
        lib.i64(big)
        lib.f64(f)
        lib.pair(1, big)
    r = [lib.ext(obj) for _ in range(1000)]
    del r
    counts_after = [sys.getrefcount(x) for x in (big, f, obj, lib.i64, lib.ext)]
    # externrefs handed to wasm are held by the store once (keyed by identity)
    assert counts_after[:2] == counts[:2]
    assert counts_after[2] == counts[2] + 1
    assert counts_after[3:] == counts[3:]


def test_refcounts_small_and_large_results(wat):
    """The short call path hands out small results from a table of CPython's cached ints
    (a new reference each time) and makes large ones: neither may leak nor over-release."""
    lib = isthmus.load(wat(SUM_WAT))
    s = lib.sum
    small, large = 24, 2**20 + 2**20
    for _ in range(3000):  # past the GIL probe, onto the short path
        s(12, 12)
    before = (sys.getrefcount(small), sys.getrefcount(-6), sys.getrefcount(s))
    for _ in range(20000):
        s(12, 12)
        s(-3, -3)
        assert s(2**20, 2**20) == large
    assert (sys.getrefcount(small), sys.getrefcount(-6), sys.getrefcount(s)) == before


def test_refcounts_on_errors(wat):
    lib = isthmus.load(wat(SUM_WAT))
    # a string of its own: a shared one like "x" is referenced from everywhere, and garbage
    # of earlier tests freed during the loop would move its count
    s = "".join(["not ", "an ", "int"])
    big = 2**100
    gc.collect()
    before = (sys.getrefcount(s), sys.getrefcount(big))
    for _ in range(1000):
        with pytest.raises(TypeError):
            lib.sum(s, 1)
        with pytest.raises(OverflowError):
            lib.sum(1, big)
    assert (sys.getrefcount(s), sys.getrefcount(big)) == before


def test_no_memory_growth_million_calls(wat):
    lib = isthmus.load(wat(SUM_WAT))
    s = lib.sum
    assert _growth(lambda: s(12, 12), 1_000_000) < 64 * 1024


def test_no_growth_host_and_traps(wat):
    lib = isthmus.load(wat("""
      (module (import "env" "cb" (func $cb (param i64) (result i64)))
        (func (export "f") (param i64) (result i64) local.get 0 call $cb))"""),
        imports={"env": {"cb": lambda x: x + 1}})
    assert _growth(lambda: lib.f(2**40), 100_000) < 64 * 1024

    def trap_once():
        bad = isthmus.load(wat(SUM_WAT.replace("i32.add", "i32.add unreachable")))
        try:
            bad.sum(1, 2)
        except isthmus.Trap:
            pass
    assert _growth(trap_once, 300) < 256 * 1024


def test_instances_are_freed(wat):
    import weakref
    data = wat(SUM_WAT)
    refs = []
    for _ in range(100):
        lib = isthmus.load(data)
        refs.append(weakref.ref(lib.instance.store))
        lib.sum(1, 2)
    del lib
    gc.collect()
    assert all(r() is None for r in refs)
