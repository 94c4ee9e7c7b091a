"""Traps: code, message, wasm backtrace with names, the instance refusing calls afterwards,
traps during instantiation, and interruption from another thread."""

import threading
import time
import traceback

import pytest

import isthmus

TRAP_WAT = """
(module
  (memory 1)
  (func $inner (export "unreachable") unreachable)
  (func $middle (export "nested") call $inner)
  (func (export "div") (param i32 i32) (result i32) local.get 0 local.get 1 i32.div_s)
  (func (export "oob") (result i32) i32.const 70000 i32.load)
  (func $rec (export "recurse") (param i32) (result i32) local.get 0 call $rec)
  (func (export "loop") (param i64) (result i64) (local i64)
    (loop $l
      local.get 1 i64.const 1 i64.add local.set 1
      local.get 1 local.get 0 i64.lt_u br_if $l)
    local.get 1))
"""


@pytest.fixture
def trap_lib(wat):
    return isthmus.load(wat(TRAP_WAT, "--debug-names"))


def test_unreachable_with_backtrace(trap_lib):
    with pytest.raises(isthmus.Trap) as ei:
        trap_lib.nested()
    e = ei.value
    assert e.code == isthmus.TrapCode.UNREACHABLE
    assert e.message == "unreachable"
    assert [f.func_name for f in e.frames] == ["inner", "middle"]
    assert all(isinstance(f, isthmus.Frame) for f in e.frames)
    assert e.frames[0].code_offset > 0
    assert "wasm backtrace:" in str(e) and "inner" in e.wasm_backtrace and "middle" in e.wasm_backtrace
    # the backtrace text is part of the Python traceback output
    text = "".join(traceback.format_exception(type(e), e, e.__traceback__))
    assert "inner (func 0)" in text
    assert e.exit_code is None


@pytest.mark.parametrize("call,code,msg", [
    (lambda lib: lib.div(1, 0), isthmus.TrapCode.INTEGER_DIVIDE_BY_ZERO, "integer divide by zero"),
    (lambda lib: lib.div(-(2**31), -1), isthmus.TrapCode.INTEGER_OVERFLOW, "integer overflow"),
    (lambda lib: lib.oob(), isthmus.TrapCode.MEMORY_OUT_OF_BOUNDS, "out of bounds memory access"),
    (lambda lib: lib.recurse(1), isthmus.TrapCode.STACK_EXHAUSTED, "call stack exhausted"),
])
def test_trap_codes(trap_lib, call, code, msg):
    with pytest.raises(isthmus.Trap) as ei:
        call(trap_lib)
    assert ei.value.code == code
    assert ei.value.message == msg


def test_instance_refuses_calls_after_trap(trap_lib, wat):
    with pytest.raises(isthmus.Trap):
        trap_lib.unreachable()
    with pytest.raises(isthmus.Error, match=r"can no longer be called: the guest trapped \(unreachable\).*new instance"):
        trap_lib.div(4, 2)
    assert "unreachable" in trap_lib.instance.store.poisoned
    fresh = isthmus.load(wat(TRAP_WAT, "--debug-names"))
    assert fresh.div(4, 2) == 2


def test_trap_in_start_function(wat):
    with pytest.raises(isthmus.Trap) as ei:
        isthmus.load(wat("(module (func $s unreachable) (start $s))"))
    assert ei.value.code == isthmus.TrapCode.UNREACHABLE


def test_interrupt_from_another_thread(trap_lib):
    store = trap_lib.instance.store
    timer = threading.Timer(0.05, store.interrupt)
    timer.start()
    t0 = time.monotonic()
    with pytest.raises(isthmus.Trap) as ei:
        trap_lib.loop(2**62)
    assert ei.value.code == isthmus.TrapCode.INTERRUPTED
    assert time.monotonic() - t0 < 5
    timer.join()


def test_trap_repr_and_hierarchy():
    assert issubclass(isthmus.ExitError, isthmus.Trap)
    for cls in (isthmus.DecodeError, isthmus.ValidationError, isthmus.LinkError, isthmus.Trap):
        assert issubclass(cls, isthmus.Error)
    assert isthmus.Error.__module__ == "isthmus"
