"""Module: decoding, validation (errors with byte offsets), imports, exports, custom sections."""

import pytest

import isthmus
from conftest import SUM_WAT


def test_from_bytes_and_file(wat, tmp_path):
    data = wat(SUM_WAT)
    m = isthmus.Module(data)
    p = tmp_path / "sum.wasm"
    p.write_bytes(data)
    for mod in (m, isthmus.Module.from_file(p), isthmus.Module.from_file(str(p)),
                isthmus.Module(bytearray(data)), isthmus.Module(memoryview(data))):
        assert mod.exports == [isthmus.ExportType("sum", isthmus.FuncType(("i32", "i32"), ("i32",)))]
        assert mod.imports == []
        assert mod.start is None


def test_engine_shared(wat):
    e = isthmus.Engine(max_call_depth=1000)
    m = isthmus.Module(wat(SUM_WAT), engine=e)
    assert m.engine is e
    inst = isthmus.Instance(m)
    assert inst.store.engine is e
    with pytest.raises(TypeError, match="engine"):
        isthmus.Module(wat(SUM_WAT), engine="no")
    with pytest.raises(OverflowError):
        isthmus.Engine(max_call_depth=-1)
    with pytest.raises(ValueError):
        isthmus.Engine(value_stack_bytes=10)


def test_types_of_imports_and_exports(wat):
    m = isthmus.Module(wat("""
      (module
        (import "env" "f" (func (param i64 f32) (result f64)))
        (import "env" "mem" (memory 1 4))
        (import "env" "tab" (table 2 funcref))
        (import "env" "g" (global (mut i32)))
        (func (export "run"))
        (table (export "table") 3 10 externref)
        (global (export "answer") i64 (i64.const 42)))
    """))
    imps = m.imports
    assert imps[0] == isthmus.ImportType("env", "f", isthmus.FuncType(("i64", "f32"), ("f64",)))
    assert imps[1].type == isthmus.MemoryType(1, 4)
    assert imps[2].type == isthmus.TableType("funcref", 2, None)
    assert imps[3].type == isthmus.GlobalType("i32", True)
    ex = dict(m.exports)
    assert ex["table"] == isthmus.TableType("externref", 3, 10)
    assert ex["answer"] == isthmus.GlobalType("i64", False)
    assert str(ex["run"]) == "() -> None"
    assert str(imps[0].type) == "(i64, f32) -> f64"


def test_custom_sections_and_names(wat):
    data = wat("(module (func $adder (export \"a\")))", "--debug-names")
    m = isthmus.Module(data)
    names = [n for n, _ in m.custom_sections]
    assert "name" in names
    assert m.func_name(0) == "adder"
    with pytest.raises(IndexError):
        m.func_name(5)
    # a hand-made custom section
    custom = b"\x00" + bytes([9]) + b"\x04meta" + b"abcd"
    m2 = isthmus.Module(b"\x00asm\x01\x00\x00\x00" + custom)
    assert m2.custom_sections == [("meta", b"abcd")]


@pytest.mark.parametrize("data,offset", [
    (b"", 0),
    (b"\x00asx\x01\x00\x00\x00", 0),
    (b"\x00asm\x02\x00\x00\x00", 4),
    (b"\x00asm\x01\x00\x00\x00\x01\x05\x01\x60", None),   # truncated type section
    (b"\x00asm\x01\x00\x00\x00\x0e\x00", 8),              # unknown section id
])
def test_decode_errors(data, offset):
    with pytest.raises(isthmus.DecodeError) as ei:
        isthmus.Module(data)
    e = ei.value
    assert isinstance(e, isthmus.Error)
    assert e.message
    assert e.offset is None or isinstance(e.offset, int)
    if offset is not None:
        assert e.offset == offset
        assert f"offset {offset}" in str(e)


def test_validation_error_has_offset_and_function(wat):
    data = wat("(module (func (result i32) i64.const 1))", "--no-check")
    with pytest.raises(isthmus.ValidationError) as ei:
        isthmus.Module(data)
    e = ei.value
    assert "type mismatch" in e.message
    assert isinstance(e.offset, int) and 0 < e.offset < len(data)
    assert e.func == 0
    assert "byte offset" in str(e)


def test_bad_argument_types(tmp_path):
    with pytest.raises(TypeError):
        isthmus.Module("not bytes")  # a str is not a module (use Module.from_file)
    with pytest.raises(TypeError):
        isthmus.Module(123)
    with pytest.raises(FileNotFoundError):
        isthmus.Module.from_file(tmp_path / "missing.wasm")
    with pytest.raises(TypeError):
        isthmus.load(3.5)
