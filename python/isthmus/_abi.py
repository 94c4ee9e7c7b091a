"""The Python side of the isthmus ABI (docs/abi.md): schema → dataclasses, signatures and
GoFunc callables. Encoding and decoding of values happen in C (``_isthmus.AbiLib``)."""

from __future__ import annotations

import dataclasses
import datetime
import inspect
import keyword
import types as _pytypes
from typing import Any, Callable, Dict, List, Mapping, Optional, Tuple

from . import _isthmus
from ._isthmus import Error

SCHEMA_SECTION = "isthmus.schema"
SUPPORTED_VERSIONS = (1,)

(K_BOOL, K_I8, K_I16, K_I32, K_I64, K_U8, K_U16, K_U32, K_U64, K_F32, K_F64, K_STRING, K_BYTES, K_TIME,
 K_DURATION, K_ANY, K_LIST, K_ARRAY, K_MAP, K_STRUCT, K_OPTIONAL) = range(1, 22)

_SCALAR_GO = {K_BOOL: "bool", K_I8: "int8", K_I16: "int16", K_I32: "int32", K_I64: "int64", K_U8: "uint8",
              K_U16: "uint16", K_U32: "uint32", K_U64: "uint64", K_F32: "float32", K_F64: "float64",
              K_STRING: "string", K_BYTES: "[]byte", K_TIME: "time.Time", K_DURATION: "time.Duration",
              K_ANY: "any"}
_SCALAR_PY: Dict[int, Any] = {K_BOOL: bool, K_STRING: str, K_BYTES: bytes, K_TIME: datetime.datetime,
                              K_DURATION: datetime.timedelta, K_ANY: Any, K_F32: float, K_F64: float}
for _k in range(K_I8, K_U64 + 1):
    _SCALAR_PY[_k] = int


class GoError(Error):
    """A Go function returned a non-nil error. ``.message`` is ``err.Error()``, ``.go_type``
    the error's dynamic Go type (e.g. ``*errors.errorString``)."""

    def __init__(self, message: str, go_type: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.go_type = go_type


class GoPanic(Error):
    """A Go function panicked; the guest recovered and the instance stays usable.
    ``.message`` is the panic value as text, ``.go_type`` its Go type, ``.stack`` the Go stack."""

    def __init__(self, message: str, go_type: str = "", stack: str = "") -> None:
        super().__init__(message)
        self.message = message
        self.go_type = go_type
        self.stack = stack

    def __str__(self) -> str:
        s = f"panic: {self.message} [{self.go_type}]"
        return f"{s}\n\n{self.stack.rstrip()}" if self.stack else s


class CallError(Error):
    """The guest could not make the call (unknown function, malformed arguments) or could not
    encode its results (ABI status 3), or the result payload was malformed."""


for _cls in (GoError, GoPanic, CallError):
    _cls.__module__ = "isthmus"


def short_name(qualified: str) -> str:
    """``example.com/shop.Pair[int,string]`` → ``Pair_int_string``; a valid identifier."""
    base = qualified.split("[", 1)
    name = base[0].rsplit("/", 1)[-1].rsplit(".", 1)[-1]
    if len(base) > 1:
        name += "_" + "".join(c if c.isalnum() else "_" for c in base[1]).strip("_")
    if not name.isidentifier() or keyword.iskeyword(name):
        name = "T_" + "".join(c if c.isalnum() else "_" for c in name)
    return name


class Schema:
    """A parsed isthmus schema: ``types``, ``funcs``, ``imports`` as tuples (see abi.c)."""

    def __init__(self, data: bytes) -> None:
        self.data = bytes(data)
        self.version, self.producer, self.types, self.funcs, self.imports = _isthmus._abi_schema(self.data)

    def go_type(self, t: int, depth: int = 0) -> str:
        e = self.types[t]
        k = e[0]
        if depth > 8:
            return "..."
        if k in _SCALAR_GO:
            return _SCALAR_GO[k]
        if k == K_LIST:
            return "[]" + self.go_type(e[1], depth + 1)
        if k == K_ARRAY:
            return f"[{e[1]}]" + self.go_type(e[2], depth + 1)
        if k == K_MAP:
            return f"map[{self.go_type(e[1], depth + 1)}]{self.go_type(e[2], depth + 1)}"
        if k == K_OPTIONAL:
            return "*" + self.go_type(e[1], depth + 1)
        return e[1] or "struct{...}"

    def py_type(self, t: int, classes: List[Any], as_text: bool = False, depth: int = 0) -> Any:
        """The Python annotation for type t (objects, or source text for stubs)."""
        e = self.types[t]
        k = e[0]
        rec = lambda x: self.py_type(x, classes, as_text, depth + 1)  # noqa: E731
        if depth > 8:
            return "Any" if as_text else Any
        if k in _SCALAR_PY:
            if as_text:
                v = _SCALAR_PY[k]
                return {Any: "Any", datetime.datetime: "datetime.datetime",
                        datetime.timedelta: "datetime.timedelta"}.get(v, getattr(v, "__name__", "Any"))
            return _SCALAR_PY[k]
        if k == K_LIST:
            return f"List[{rec(e[1])}]" if as_text else List[rec(e[1])]  # type: ignore[misc]
        if k == K_ARRAY:
            if self.types[e[2]][0] == K_U8:
                return "bytes" if as_text else bytes
            return f"List[{rec(e[2])}]" if as_text else List[rec(e[2])]  # type: ignore[misc]
        if k == K_MAP:
            return f"Dict[{rec(e[1])}, {rec(e[2])}]" if as_text else Dict[rec(e[1]), rec(e[2])]  # type: ignore[misc]
        if k == K_OPTIONAL:
            return f"Optional[{rec(e[1])}]" if as_text else Optional[rec(e[1])]  # type: ignore[misc]
        c = classes[t] if t < len(classes) else None
        if as_text:
            return short_name(e[1]) if e[1] else "Dict[str, Any]"
        if c is not None:
            return c
        if has_class(e):  # not made yet (make_classes is at an earlier type): a forward reference
            return short_name(e[1]) if e[1] else f"Struct{t}"
        return Dict[str, Any]  # a field name is not an identifier: values travel as dicts


def has_class(entry: tuple) -> bool:
    """Whether a struct entry of the type table gets a dataclass: all field names are identifiers."""
    return all(f.isidentifier() and not keyword.iskeyword(f) for f, _, _ in entry[3])


def make_classes(schema: Schema) -> List[Any]:
    """One dataclass per named struct type (None for other entries), in type-table order."""
    classes: List[Any] = [None] * len(schema.types)
    for t, e in enumerate(schema.types):
        if e[0] != K_STRUCT:
            continue
        name, doc, fields = e[1], e[2], e[3]
        specs = []
        for fname, ftype, _fdoc in fields:
            ann = schema.py_type(ftype, classes)
            specs.append((fname, ann))
        if not has_class(e):
            continue  # field names that are not identifiers: values travel as dicts
        cls = dataclasses.make_dataclass(short_name(name) if name else f"Struct{t}", specs)
        cls.__doc__ = doc.strip() or f"Go struct {name or 'struct{...}'}."
        cls.__module__ = "isthmus.types"
        cls.__go_type__ = name  # type: ignore[attr-defined]
        classes[t] = cls
    return classes


def signature(schema: Schema, fn: tuple, classes: List[Any]) -> inspect.Signature:
    name, _go_name, _doc, params, results, flags = fn
    ps = []
    for i, (pname, ptype) in enumerate(params):
        n = pname if pname.isidentifier() and not keyword.iskeyword(pname) else f"p{i}"
        ann = schema.py_type(ptype, classes)
        variadic = bool(flags & 2) and i == len(params) - 1
        kind = inspect.Parameter.VAR_POSITIONAL if variadic else inspect.Parameter.POSITIONAL_OR_KEYWORD
        if variadic and schema.types[ptype][0] == K_LIST:
            ann = schema.py_type(schema.types[ptype][1], classes)
        ps.append(inspect.Parameter(n, kind, annotation=ann))
    rs = [schema.py_type(t, classes) for _, t in results]
    ret: Any = None if not rs else rs[0] if len(rs) == 1 else Tuple[tuple(rs)]  # type: ignore[misc]
    return inspect.Signature(ps, return_annotation=ret)


class AbiBinding:
    """What ``load`` keeps for an ABI module: the schema, the classes, the C AbiLib, and the
    ``isthmus.host_call`` import (a closure filled in once the instance exists)."""

    def __init__(self, schema: Optional[Schema], host_imports: Mapping[str, Callable[..., Any]]) -> None:
        self.host_imports = dict(host_imports)
        self.lib: Any = None
        self.schema: Any = None
        self.classes: List[Any] = []
        self.types = _pytypes.SimpleNamespace()
        if schema is not None:
            self.set_schema(schema)

    def set_schema(self, schema: Schema) -> None:
        self.schema = schema
        self.classes = make_classes(schema)
        self.types = _pytypes.SimpleNamespace(**{c.__name__: c for c in self.classes if c is not None})

    def host_call(self, id, ptr, length, cap):  # type: ignore[no-untyped-def]  # untyped: the import's type is used
        lib = self.lib
        if lib is None:
            raise Error("isthmus.host_call before the ABI binding was set up")
        return lib.host_call(id, ptr, length, cap)

    def bind(self, exports: Mapping[str, Any]) -> Dict[str, Any]:
        """Makes the AbiLib over the instance's exports; returns {name: GoFunc}."""
        self.lib = _isthmus.AbiLib(
            self.schema.data, exports["memory"], exports["isthmus_scratch"], exports["isthmus_call"],
            exports.get("isthmus_alloc"), (GoError, GoPanic, CallError), self.classes, self.host_imports,
            _isthmus.GoFunc)
        out: Dict[str, Any] = {}
        for fid, fn in enumerate(self.schema.funcs):
            f = self.lib.func(fid)
            name, go_name, doc = fn[0], fn[1], fn[2]
            sig = signature(self.schema, fn, self.classes)
            f.__signature__ = sig
            f.__name__ = f.__qualname__ = name
            f.__go_name__ = go_name
            f.__doc__ = doc.strip() or f"{name}{sig}"
            f.__module__ = "isthmus.go"
            out[name] = f
        return out


def check_version(v: int) -> None:
    if v not in SUPPORTED_VERSIONS:
        raise Error(f"module uses isthmus ABI {v}; this host supports "
                    + ", ".join(str(x) for x in SUPPORTED_VERSIONS))


def schema_bytes(module: Any) -> Optional[bytes]:
    for name, data in module.custom_sections:
        if name == SCHEMA_SECTION:
            return bytes(data)
    return None
