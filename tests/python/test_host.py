"""Host functions: Python callables as wasm imports (typed by the import, explicitly or by
annotations), link errors, exceptions that propagate unchanged, and re-entry."""

import gc
import sys

import pytest

import isthmus

CALLER_WAT = """
(module
  (import "env" "cb" (func $cb (param i32) (result i32)))
  (func (export "double") (param i32) (result i32) local.get 0 i32.const 2 i32.mul)
  (func (export "call") (param i32) (result i32) local.get 0 call $cb i32.const 1 i32.add))
"""

FLOAT_WAT = """
(module
  (import "env" "f" (func $f (param f64 i64) (result f64)))
  (func (export "go") (param f64 i64) (result f64) local.get 0 local.get 1 call $f))
"""

MULTI_WAT = """
(module
  (import "env" "two" (func $two (result i32 i64)))
  (import "env" "log" (func $log (param i32)))
  (func (export "go") call $two drop drop i32.const 5 call $log))
"""


def test_untyped_callable_takes_import_type(wat):
    lib = isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": lambda x: x * 10}})
    assert lib.call(4) == 41


def test_annotated_callable(wat):
    def cb(x: isthmus.i32) -> isthmus.i32:
        return x + 100
    lib = isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": cb}})
    assert lib.call(1) == 102

    def loose(x: int) -> int:       # int matches i32 as well
        return x
    assert isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": loose}}).call(1) == 2


def test_explicit_type_decorator(wat):
    @isthmus.host(params=["i32"], results=["i32"])
    def cb(x):
        return -x
    assert isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": cb}}).call(5) == -4
    assert cb.__wasm_type__ == isthmus.FuncType(("i32",), ("i32",))


def test_mistyped_host_is_link_error(wat):
    def cb(x: float) -> float:
        return x
    with pytest.raises(isthmus.LinkError, match=r"env\.cb has type \(i32\) -> i32 but .* \(f64\) -> f64") as ei:
        isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": cb}})
    assert ei.value.module == "env" and ei.value.name == "cb"

    @isthmus.host(params=["i32", "i32"], results=["i32"])
    def two(x, y):
        return x
    with pytest.raises(isthmus.LinkError, match="env.cb"):
        isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": two}})

    def unannotated_param(x) -> int:
        return x
    with pytest.raises(isthmus.LinkError, match="no annotation"):
        isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": unannotated_param}})


def test_missing_import_is_link_error(wat):
    with pytest.raises(isthmus.LinkError, match=r"missing import env\.cb \(\(i32\) -> i32\)") as ei:
        isthmus.load(wat(CALLER_WAT))
    assert (ei.value.module, ei.value.name) == ("env", "cb")
    with pytest.raises(isthmus.LinkError, match="missing import env.cb"):
        isthmus.load(wat(CALLER_WAT), imports={"env": {"other": print}})


def test_wrong_kind_is_link_error(wat):
    with pytest.raises(isthmus.LinkError, match=r"import env\.cb expects"):
        isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": 42}})
    m = isthmus.Module(wat('(module (import "env" "m" (memory 1)))'))
    with pytest.raises(isthmus.LinkError, match="env.m"):
        isthmus.Instance(m, {"env": {"m": print}})


def test_engine_link_error_for_wrong_func_type(wat):
    store = isthmus.Store()
    f = isthmus.Func(store, lambda: None, ([], []))
    m = isthmus.Module(wat(CALLER_WAT))
    with pytest.raises(isthmus.LinkError) as ei:
        isthmus.Instance(m, [f], store=store)
    assert ei.value.module == "env" and ei.value.name == "cb"


def test_exception_propagates_unchanged(wat):
    class Oops(Exception):
        pass
    raised = Oops("from the host")

    def cb(x):
        raise raised
    lib = isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": cb}})
    with pytest.raises(Oops) as ei:
        lib.call(1)
    assert ei.value is raised
    # the traceback still shows the host function's frame
    tb = ei.traceback
    assert any(entry.name == "cb" for entry in tb)
    # the instance is now unusable: its state is undefined
    with pytest.raises(isthmus.Error, match="can no longer be called.*Oops"):
        lib.double(1)
    assert lib.instance.store.poisoned


def test_bad_host_results(wat):
    lib = isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": lambda x: "nope"}})
    with pytest.raises(TypeError, match=r"host function env\.cb result must be int \(i32\), not str"):
        lib.call(1)
    lib = isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": lambda x: 2**40}})
    with pytest.raises(OverflowError, match=r"env\.cb result"):
        lib.call(1)
    lib = isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": lambda: 1}})
    with pytest.raises(TypeError):  # wrong arity in the Python function
        lib.call(1)


def test_multi_value_and_no_result(wat):
    seen = []
    lib = isthmus.load(wat(MULTI_WAT), imports={"env": {"two": lambda: (1, 2**40), "log": seen.append}})
    assert lib.go() is None
    assert seen == [5]
    lib = isthmus.load(wat(MULTI_WAT), imports={"env": {"two": lambda: (1,), "log": seen.append}})
    with pytest.raises(TypeError, match="must return 2 results"):
        lib.go()
    lib = isthmus.load(wat(MULTI_WAT), imports={"env": {"two": lambda: (1, 2), "log": lambda x: 5}})
    with pytest.raises(TypeError, match="has no results but returned int"):
        lib.go()


def test_float_host(wat):
    lib = isthmus.load(wat(FLOAT_WAT), imports={"env": {"f": lambda x, n: x * n}})
    assert lib.go(1.5, 4) == 6.0


def test_reentry(wat):
    """wasm -> Python -> the same instance -> Python -> ... (nested calls on one thread)."""
    depth = []

    def cb(x):
        depth.append(x)
        if x <= 0:
            return lib.double(21)
        return lib.call(x - 1)
    lib = isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": cb}})
    assert lib.call(5) == 42 + 6
    assert depth == [5, 4, 3, 2, 1, 0]
    assert lib.call(0) == 43  # still usable


def test_func_object_as_import_across_stores(wat):
    a = isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": lambda x: x}})
    # a's `double` (another store) becomes b's import through a host trampoline
    b = isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": a.double}})
    assert b.call(10) == 21


def test_host_func_object_same_store(wat):
    store = isthmus.Store()
    f = isthmus.Func(store, lambda x: x + 1, isthmus.FuncType(("i32",), ("i32",)), name="inc")
    assert f(1) == 2                  # a host Func is callable from Python too
    assert f.host is not None and f.__name__ == "inc"
    inst = isthmus.Instance(isthmus.Module(wat(CALLER_WAT)), {"env": {"cb": f}}, store=store)
    assert inst.exports["call"](1) == 3
    inst2 = isthmus.Instance(isthmus.Module(wat(CALLER_WAT)), [f], store=store)
    assert inst2.exports["call"](2) == 4


def test_func_constructor_errors():
    store = isthmus.Store()
    with pytest.raises(TypeError, match="store"):
        isthmus.Func(None, print, ([], []))
    with pytest.raises(TypeError, match="callable"):
        isthmus.Func(store, 5, ([], []))
    with pytest.raises(ValueError, match="unknown wasm value type 'i33'"):
        isthmus.Func(store, print, (["i33"], []))
    with pytest.raises(TypeError):
        isthmus.Func(store, print, "i32")


def test_imports_as_sequence_and_instance_namespace(wat):
    inst = isthmus.Instance(isthmus.Module(wat(CALLER_WAT)), [lambda x: x])
    assert inst.exports["call"](3) == 4
    with pytest.raises(isthmus.LinkError, match="1 imports given"):
        isthmus.Instance(isthmus.Module(wat("(module)")), [print])
    provider = isthmus.Instance(isthmus.Module(wat('(module (func (export "cb") (param i32) (result i32) local.get 0))')))
    inst = isthmus.Instance(isthmus.Module(wat(CALLER_WAT)), {"env": provider})
    assert inst.exports["call"](7) == 8


def test_cycle_through_host_is_collected(wat):
    import weakref

    class Holder:
        pass
    h = Holder()
    h.lib = isthmus.load(wat(CALLER_WAT), imports={"env": {"cb": lambda x: h.lib.double(x)}})
    assert h.lib.call(2) == 5
    ref = weakref.ref(h.lib.instance.store)
    del h
    gc.collect()
    assert ref() is None
