"""Type descriptions (FuncType, MemoryType, ...), value-type markers and trap codes."""

from __future__ import annotations

import enum
import inspect
import typing
from typing import Any, Callable, NamedTuple, Optional, Tuple, Union

__all__ = [
    "i32", "i64", "f32", "f64", "FuncType", "MemoryType", "TableType", "GlobalType",
    "ImportType", "ExportType", "Frame", "TrapCode", "ExternType", "host", "functype_of",
]


class i32(int):
    """Marks a parameter or result as wasm ``i32`` in a host function's annotations."""


class i64(int):
    """Marks a parameter or result as wasm ``i64`` (plain ``int`` means i64 too)."""


class f32(float):
    """Marks a parameter or result as wasm ``f32``."""


class f64(float):
    """Marks a parameter or result as wasm ``f64`` (plain ``float`` means f64 too)."""


class FuncType(NamedTuple):
    """A function type: parameter and result value types as names ('i32', 'i64', 'f32', 'f64',
    'funcref', 'externref')."""

    params: Tuple[str, ...]
    results: Tuple[str, ...]

    def __str__(self) -> str:
        res = self.results
        r = "None" if not res else res[0] if len(res) == 1 else "(" + ", ".join(res) + ")"
        return "(" + ", ".join(self.params) + ") -> " + r


class MemoryType(NamedTuple):
    """A memory type in 64 KiB pages (``maximum`` is None when unbounded)."""

    minimum: int
    maximum: Optional[int]

    def __str__(self) -> str:
        return f"memory {self.minimum}" + ("" if self.maximum is None else f" {self.maximum}")


class TableType(NamedTuple):
    """A table type: element type ('funcref' or 'externref') and limits in entries."""

    element: str
    minimum: int
    maximum: Optional[int]

    def __str__(self) -> str:
        m = "" if self.maximum is None else f" {self.maximum}"
        return f"table {self.minimum}{m} {self.element}"


class GlobalType(NamedTuple):
    """A global type: its value type and whether it is mutable."""

    content: str
    mutable: bool

    def __str__(self) -> str:
        return f"global {'mut ' if self.mutable else ''}{self.content}"


ExternType = Union[FuncType, MemoryType, TableType, GlobalType]


class ImportType(NamedTuple):
    """One import of a module."""

    module: str
    name: str
    type: ExternType


class ExportType(NamedTuple):
    """One export of a module."""

    name: str
    type: ExternType


class Frame(NamedTuple):
    """One wasm frame of a trap's backtrace (innermost first)."""

    func_index: int
    func_name: Optional[str]
    code_offset: int
    module_name: Optional[str]


class TrapCode(enum.IntEnum):
    """Why wasm code trapped (``Trap.code``)."""

    UNREACHABLE = 1
    MEMORY_OUT_OF_BOUNDS = 2
    TABLE_OUT_OF_BOUNDS = 3
    UNDEFINED_ELEMENT = 4
    UNINITIALIZED_ELEMENT = 5
    INDIRECT_CALL_TYPE = 6
    INTEGER_DIVIDE_BY_ZERO = 7
    INTEGER_OVERFLOW = 8
    INVALID_CONVERSION = 9
    STACK_EXHAUSTED = 10
    INTERRUPTED = 11
    HOST = 12
    EXIT = 13
    OUT_OF_MEMORY = 14


# ---------------------------------------------------------------- annotations <-> wasm types

_MARKERS = {i32: "i32", i64: "i64", f32: "f32", f64: "f64", int: "i64", float: "f64", bool: "i32"}
_NAMES = {"i32": i32, "i64": i64, "f32": f32, "f64": f64}


def _valtype_of(ann: Any, where: str) -> str:
    if isinstance(ann, str) and ann in ("i32", "i64", "f32", "f64", "funcref", "externref"):
        return ann
    t = _MARKERS.get(ann)
    if t is None:
        raise TypeError(f"{where}: annotation {ann!r} has no wasm type; use int, float, bool or "
                        "isthmus.i32/i64/f32/f64")
    return t


def functype_of(fn: Callable[..., Any]) -> FuncType:
    """The wasm type of a host function: ``fn.__wasm_type__`` when set (see :func:`host`),
    else its annotations (``int`` → i64, ``float`` → f64, ``bool`` → i32, ``isthmus.i32`` …;
    ``-> None`` or no return annotation means no result). Every parameter needs one."""
    explicit = getattr(fn, "__wasm_type__", None)
    if explicit is not None:
        return FuncType(tuple(explicit[0]), tuple(explicit[1]))
    try:
        hints = typing.get_type_hints(fn)
    except Exception:
        hints = dict(getattr(fn, "__annotations__", {}) or {})
    name = getattr(fn, "__qualname__", repr(fn))
    sig = inspect.signature(fn)
    params = []
    for p in sig.parameters.values():
        if p.kind in (p.VAR_POSITIONAL, p.VAR_KEYWORD, p.KEYWORD_ONLY):
            raise TypeError(f"host function {name}: parameter {p.name!r} must be positional")
        if p.name not in hints:
            raise TypeError(f"host function {name}: parameter {p.name!r} has no annotation; annotate it "
                            "(int, float, isthmus.i32, ...) or give the type explicitly")
        params.append(_valtype_of(hints[p.name], f"host function {name} parameter {p.name!r}"))
    ret = hints.get("return", None)
    if ret is None or ret is type(None):
        results: Tuple[str, ...] = ()
    elif getattr(ret, "__origin__", None) in (tuple, Tuple):
        results = tuple(_valtype_of(a, f"host function {name} result") for a in ret.__args__)
    else:
        results = (_valtype_of(ret, f"host function {name} result"),)
    return FuncType(tuple(params), results)


def host(fn: Optional[Callable[..., Any]] = None, *, params: Optional[typing.Sequence[str]] = None,
         results: Optional[typing.Sequence[str]] = None) -> Any:
    """Decorator giving a Python function an explicit wasm type::

        @isthmus.host(params=["i32", "i32"], results=["i32"])
        def add(x, y): return x + y

    Without ``params``/``results`` the type comes from the annotations (checked now)."""

    def wrap(f: Callable[..., Any]) -> Callable[..., Any]:
        if params is None and results is None:
            t = functype_of(f)
        else:
            t = FuncType(tuple(params or ()), tuple(results or ()))
        f.__wasm_type__ = t  # type: ignore[attr-defined]
        return f

    return wrap(fn) if fn is not None else wrap


def _compatible(declared: str, wanted: str) -> bool:
    if declared == wanted:
        return True
    return {declared, wanted} <= {"i32", "i64"} or {declared, wanted} <= {"f32", "f64"}


def _python_type(t: str) -> Any:
    return _NAMES.get(t, object)


def _signature(func: Any) -> inspect.Signature:
    t = func.type
    params = [inspect.Parameter(f"p{i}", inspect.Parameter.POSITIONAL_ONLY, annotation=_python_type(v))
              for i, v in enumerate(t.params)]
    if not t.results:
        ret: Any = None
    elif len(t.results) == 1:
        ret = _python_type(t.results[0])
    else:
        ret = Tuple[tuple(_python_type(r) for r in t.results)]  # type: ignore[misc]
    return inspect.Signature(params, return_annotation=ret)


def _doc(func: Any) -> str:
    t = func.type
    args = ", ".join(f"p{i}: {v}" for i, v in enumerate(t.params))
    res = "None" if not t.results else t.results[0] if len(t.results) == 1 else "(" + ", ".join(t.results) + ")"
    kind = "host function" if func.host is not None else "WebAssembly function"
    return (f"{func.__name__}({args}) -> {res}\n\n{kind} {func.__name__!r} of type {t}. i32/i64 arguments "
            "accept the signed and unsigned ranges; results are signed.")


for _cls in (i32, i64, f32, f64, FuncType, MemoryType, TableType, GlobalType, ImportType, ExportType, Frame, TrapCode):
    _cls.__module__ = "isthmus"
del _cls
