"""The execution tier keyword of Engine (the AOT tier is experimental; see docs/c-api.md)."""

import shutil

import pytest

import isthmus

# (func (export "sum") (param i32 i32) (result i32) local.get 0 local.get 1 i32.add)
SUM_WASM = bytes.fromhex(
    "0061736d0100000001070160027f7f017f030201000707010373756d00000a09010700200020016a0b")


def test_tier_argument_is_checked():
    with pytest.raises(ValueError, match="tier"):
        isthmus.Engine(tier="jit")
    with pytest.raises(TypeError, match="tier"):
        isthmus.Engine(tier=2)


@pytest.mark.parametrize("tier", ["interp", "auto"])
def test_tiers_give_the_same_answers(tier, tmp_path, monkeypatch):
    monkeypatch.setenv("ISTHMUS_CACHE_DIR", str(tmp_path))
    lib = isthmus.load(SUM_WASM, engine=isthmus.Engine(tier=tier))
    assert lib.sum(12, 12) == 24
    assert lib.sum(-1, 1) == 0


@pytest.mark.skipif(not shutil.which("cc"), reason="no C compiler")
def test_aot_tier_compiles_traps_and_reenters(tmp_path, monkeypatch, wat):
    monkeypatch.setenv("ISTHMUS_CACHE_DIR", str(tmp_path))
    engine = isthmus.Engine(tier="aot")
    lib = isthmus.load(SUM_WASM, engine=engine)
    assert lib.sum(40, 2) == 42
    assert list(tmp_path.glob("*.so")), "the compiled object is cached"
    text = """(module
      (import "host" "twice" (func $twice (param i32) (result i32)))
      (func $inner (export "inner") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))
      (func $boom (param i32) (result i32) (i32.div_s (i32.const 1) (local.get 0)))
      (func $outer (export "outer") (param i32) (result i32) (call $boom (local.get 0)))
      (func (export "via_host") (param i32) (result i32) (call $twice (local.get 0))))"""
    holder = {}

    def twice(x: int) -> int:  # re-enters the compiled module
        return holder["lib"]["inner"](x) * 2

    store = isthmus.Store(engine)
    inst = isthmus.Instance(isthmus.Module(wat(text, "--debug-names"), engine=engine),
                            {"host": {"twice": twice}}, store=store)
    holder["lib"] = inst.exports
    assert inst.exports["via_host"](20) == 42
    with pytest.raises(isthmus.Trap) as ei:
        inst.exports["outer"](0)
    assert ei.value.message == "integer divide by zero"
    assert [f.func_name for f in ei.value.frames] == ["boom", "outer"]


@pytest.mark.skipif(not shutil.which("cc"), reason="no C compiler")
def test_default_tier_is_auto_unless_isthmus_tier_says(tmp_path, monkeypatch):
    """Engine() without a tier tiers up hot functions (Python's default); ISTHMUS_TIER=interp
    keeps everything interpreted."""
    monkeypatch.setenv("ISTHMUS_CACHE_DIR", str(tmp_path))
    monkeypatch.setenv("ISTHMUS_TIERUP_CALLS", "20")
    monkeypatch.delenv("ISTHMUS_TIER", raising=False)
    lib = isthmus.load(SUM_WASM, engine=isthmus.Engine())
    assert lib.sum.tier == "interp"
    assert all(lib.sum(i, 1) == i + 1 for i in range(50))
    assert lib.wait_compiled(timeout=120) == 0
    assert lib.sum(2, 3) == 5 and lib.sum.tier == "aot"
    monkeypatch.setenv("ISTHMUS_TIER", "interp")
    lib = isthmus.load(SUM_WASM, engine=isthmus.Engine())
    assert all(lib.sum(i, 1) == i + 1 for i in range(50))
    assert lib.wait_compiled(timeout=120) == 0
    assert lib.sum(2, 3) == 5 and lib.sum.tier == "interp"
