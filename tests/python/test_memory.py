"""Memory (buffer protocol, read/write, grow, views valid after growth), Global, Table."""

import pytest

import isthmus

MEM_WAT = """
(module
  (memory (export "memory") 1 4)
  (global (export "counter") (mut i32) (i32.const 7))
  (global (export "const") f64 (f64.const 2.5))
  (table (export "table") 2 8 funcref)
  (elem (i32.const 0) $get)
  (func $get (export "get") (param i32) (result i32) local.get 0 i32.load8_u)
  (func (export "put") (param i32 i32) local.get 0 local.get 1 i32.store8)
  (func (export "grow") (param i32) (result i32) local.get 0 memory.grow)
  (func (export "size") (result i32) memory.size)
  (func (export "bump") (result i32) global.get 0 i32.const 1 i32.add global.set 0 global.get 0))
"""


@pytest.fixture
def mem_lib(wat):
    return isthmus.load(wat(MEM_WAT))


def test_read_write(mem_lib):
    mem = mem_lib.memory
    assert isinstance(mem, isthmus.Memory)
    assert mem.size == 65536 and len(mem) == 65536 and mem.pages == 1
    assert mem.type == isthmus.MemoryType(1, 4)
    assert mem.write(100, b"hello") == 5
    assert mem.read(100, 5) == b"hello"
    assert mem_lib.get(101) == ord("e")
    mem_lib.put(200, 0x41)
    assert mem.read(200, 1) == b"A"
    assert mem.write(0, bytearray(b"xy")) == 2 and mem.write(2, memoryview(b"z")) == 1
    assert mem.read(0, 3) == b"xyz"
    assert mem.read(65536, 0) == b""


def test_bounds_and_types(mem_lib):
    mem = mem_lib.memory
    with pytest.raises(IndexError, match="outside the memory"):
        mem.read(65530, 10)
    with pytest.raises(IndexError):
        mem.write(65535, b"ab")
    with pytest.raises(OverflowError, match="ptr"):
        mem.read(-1, 1)
    with pytest.raises(ValueError, match="non-negative"):
        mem.read(0, -1)
    with pytest.raises(TypeError, match="'ptr' must be int"):
        mem.read("0", 1)
    with pytest.raises(TypeError, match="bytes-like"):
        mem.write(0, "text")
    with pytest.raises(TypeError, match="2 arguments"):
        mem.read(0)


def test_memoryview_zero_copy(mem_lib):
    mem = mem_lib.memory
    view = memoryview(mem)
    assert len(view) == 65536 and not view.readonly
    view[10:13] = b"abc"
    assert mem_lib.get(11) == ord("b")
    mem_lib.put(12, ord("Z"))
    assert bytes(view[10:13]) == b"abZ"


def test_grow_keeps_views_valid(mem_lib):
    mem = mem_lib.memory
    view = memoryview(mem)
    addr = mem.address
    assert mem.grow(1) == 1
    assert mem_lib.grow(1) == 2                 # grown from inside wasm
    assert mem_lib.size() == 3 and mem.pages == 3
    assert mem.address == addr                  # the base never moves
    view[0] = 99                                # the old view is still valid
    assert mem_lib.get(0) == 99
    big = memoryview(mem)
    assert len(big) == 3 * 65536
    big[3 * 65536 - 1] = 7
    assert mem_lib.get(3 * 65536 - 1) == 7
    with pytest.raises(isthmus.Error, match="beyond its maximum"):
        mem.grow(2)
    assert mem_lib.grow(5) == -1
    with pytest.raises(TypeError):
        mem.grow(-1)


def test_standalone_memory_import(wat):
    store = isthmus.Store()
    mem = isthmus.Memory(store, 1, 2)
    mem.write(0, b"\x05")
    m = isthmus.Module(wat('(module (import "env" "mem" (memory 1)) '
                           '(func (export "first") (result i32) i32.const 0 i32.load8_u))'))
    inst = isthmus.Instance(m, {"env": {"mem": mem}}, store=store)
    assert inst.exports["first"]() == 5
    with pytest.raises(isthmus.LinkError, match="another store"):
        isthmus.Instance(m, {"env": {"mem": mem}})
    with pytest.raises(ValueError):
        isthmus.Memory(store, 3, 2)
    with pytest.raises(OverflowError):
        isthmus.Memory(store, 70000)


def test_globals(mem_lib, wat):
    g = mem_lib.counter
    assert isinstance(g, isthmus.Global)
    assert g.value == 7 and g.type == isthmus.GlobalType("i32", True)
    assert mem_lib.bump() == 8 and g.value == 8
    g.value = 41
    assert mem_lib.bump() == 42
    with pytest.raises(OverflowError, match="Global.value"):
        g.value = 2**40
    with pytest.raises(TypeError, match="Global.value must be int"):
        g.value = "x"
    c = mem_lib["const"]
    assert c.value == 2.5
    with pytest.raises(AttributeError, match="immutable"):
        c.value = 1.0
    store = isthmus.Store()
    g2 = isthmus.Global(store, "i64", 2**40, mutable=True)
    assert g2.value == 2**40
    m = isthmus.Module(wat('(module (import "env" "g" (global (mut i64))) '
                           '(func (export "get") (result i64) global.get 0))'))
    inst = isthmus.Instance(m, {"env": {"g": g2}}, store=store)
    g2.value = 5
    assert inst.exports["get"]() == 5
    with pytest.raises(ValueError):
        isthmus.Global(store, "i128", 0)


def test_tables(mem_lib):
    t = mem_lib.table
    assert isinstance(t, isthmus.Table)
    assert len(t) == 2 and t.type == isthmus.TableType("funcref", 2, 8)
    f = t.get(0)
    assert isinstance(f, isthmus.Func) and f(0) == mem_lib.get(0)
    assert t.get(1) is None
    t.set(1, mem_lib.size)
    assert t.get(1)() == 1
    assert t.grow(2) == 2 and len(t) == 4
    with pytest.raises(IndexError):
        t.get(4)
    with pytest.raises(TypeError):
        t.set(0, 5)
    with pytest.raises(isthmus.Error):
        t.grow(100)
    store = isthmus.Store()
    ext = isthmus.Table(store, "externref", 1, init="x")
    assert ext.get(0) == "x"
    obj = object()
    ext.set(0, obj)
    assert ext.get(0) is obj
