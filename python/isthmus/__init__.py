"""isthmus — call Go (and any WebAssembly/WASI module) from Python, in-process.

The common case is one call::

    import isthmus
    lib = isthmus.load("sum.wasm")      # Go: GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared
    lib.sum(12, 12)                     # 24

The lower layer (:class:`Engine`, :class:`Module`, :class:`Store`, :class:`Instance`,
:class:`Func`, :class:`Memory`, :class:`Global`, :class:`Table`, :class:`WasiConfig`) covers
the rest. See docs/python.md.
"""

from __future__ import annotations

import io
import os
from typing import Any, Callable, Dict, Iterable, List, Mapping, Optional, Sequence, Union, cast

from . import _abi, _isthmus
from ._abi import CallError, GoError, GoPanic
from ._isthmus import (
    ENGINE_VERSION,
    HAVE_WASI,
    DecodeError,
    Engine,
    Error,
    ExitError,
    Func,
    Global,
    LinkError,
    Memory,
    Module,
    Store,
    Table,
    Trap,
    ValidationError,
)
from ._types import (
    ExportType,
    ExternType,
    Frame,
    FuncType,
    GlobalType,
    ImportType,
    MemoryType,
    TableType,
    TrapCode,
    _compatible,
    _doc,
    _signature,
    f32,
    f64,
    functype_of,
    host,
    i32,
    i64,
)

__version__ = "0.1.0"

__all__ = [
    "load", "run", "Library", "WasiConfig", "Engine", "Module", "Store", "Instance", "Func", "Memory",
    "Global", "Table", "Error", "DecodeError", "ValidationError", "LinkError", "Trap", "ExitError",
    "FuncType", "MemoryType", "TableType", "GlobalType", "ImportType", "ExportType", "ExternType", "Frame",
    "TrapCode", "host", "functype_of", "i32", "i64", "f32", "f64", "DEVNULL", "INHERIT", "HAVE_WASI",
    "ENGINE_VERSION", "GoError", "GoPanic", "CallError",
]

_isthmus._set_helpers(
    functype=FuncType, memorytype=MemoryType, tabletype=TableType, globaltype=GlobalType,
    importtype=ImportType, exporttype=ExportType, frame=Frame, trap_code=TrapCode,
    signature=_signature, doc=_doc,
)

#: Pass as stdin/stdout/stderr to discard output (or read end-of-file).
DEVNULL = "null"
#: Pass as stdin/stdout/stderr to use the process's own stream (the default).
INHERIT = "inherit"

_WASI_MODULES = ("wasi_snapshot_preview1", "wasi_unstable")

ImportValue = Union[Func, Memory, Global, Table, Callable[..., Any], None]
Imports = Union[Mapping[str, Any], Sequence[ImportValue], None]


# ---------------------------------------------------------------- Instance

def _lookup(imports: Mapping[str, Any], module: str, name: str) -> Any:
    ns = imports.get(module)
    if ns is None:
        return None
    if isinstance(ns, Instance) or hasattr(ns, "exports") and not isinstance(ns, Mapping):
        ns = ns.exports
    if isinstance(ns, Mapping):
        return ns.get(name)
    return getattr(ns, name, None)


def _order_imports(module: Module, imports: Imports) -> List[Any]:
    """The imports in the module's order, with Python callables checked against the
    declared types (a mistyped one is a LinkError naming the import)."""
    wanted = module.imports
    if imports is None:
        return [None] * len(wanted)
    if not isinstance(imports, Mapping):
        items = list(imports)
        if len(items) != len(wanted):
            raise LinkError(f"{len(items)} imports given, the module has {len(wanted)}: "
                            + ", ".join(f"{i.module}.{i.name}" for i in wanted))
        return items
    out: List[Any] = []
    for imp in wanted:
        v = _lookup(imports, imp.module, imp.name)
        if v is not None and not isinstance(v, (Func, Memory, Global, Table)) and callable(v):
            _check_host_type(imp, v)
        out.append(v)
    return out


def _check_host_type(imp: ImportType, fn: Callable[..., Any]) -> None:
    where = f"{imp.module}.{imp.name}"
    if not isinstance(imp.type, FuncType):
        err = LinkError(f"import {where} is a {type(imp.type).__name__}, not a function; got {fn!r}")
        err.module, err.name = imp.module, imp.name
        raise err
    has_type = getattr(fn, "__wasm_type__", None) is not None
    annotated = bool(getattr(fn, "__annotations__", None))
    if not has_type and not annotated:
        return  # untyped: the declared type is used as is
    try:
        t = functype_of(fn)
    except TypeError as e:
        err = LinkError(f"import {where}: {e}")
        err.module, err.name = imp.module, imp.name
        raise err from None
    ok = (len(t.params) == len(imp.type.params) and len(t.results) == len(imp.type.results)
          and all(_compatible(a, b) for a, b in zip(t.params, imp.type.params))
          and all(_compatible(a, b) for a, b in zip(t.results, imp.type.results)))
    if not ok:
        err = LinkError(f"import {where} has type {imp.type} but the host function "
                        f"{getattr(fn, '__qualname__', fn)!r} has type {t}")
        err.module, err.name = imp.module, imp.name
        raise err


class Instance(_isthmus.Instance):
    """Instance(module, imports=None, *, store=None, wasi=None)

    Instantiates ``module``. ``imports`` is ``{module_name: {name: value}}`` (a value may be a
    Func, Memory, Global, Table, or a Python callable, which becomes a host function of the
    import's type; a namespace may also be another Instance) or a sequence in the module's
    import order. ``wasi`` (a :class:`WasiConfig`) provides the WASI imports. ``store``
    defaults to a new :class:`Store`; instances that share memories must share a store."""

    def __new__(cls, module: Module, imports: Imports = None, *, store: Optional[Store] = None,
                wasi: Optional["WasiConfig"] = None) -> "Instance":
        if not isinstance(module, Module):
            raise TypeError(f"Instance() argument 'module' must be isthmus.Module, not {type(module).__name__}")
        if store is None:
            store = Store(module.engine)
        if wasi is not None:
            if not isinstance(wasi, WasiConfig):
                raise TypeError(f"Instance() argument 'wasi' must be WasiConfig or None, not {type(wasi).__name__}")
            wasi._apply(store)
        return cast("Instance", super().__new__(cls, module, _order_imports(module, imports), store=store))


# ---------------------------------------------------------------- WASI

def _writer(target: Any, what: str) -> Any:
    """Normalizes a stdout/stderr target to what the extension takes."""
    if target is None or target == INHERIT:
        return None
    if target == DEVNULL:
        return "null"
    if isinstance(target, (str, os.PathLike)):
        return ("file", os.fspath(target))
    if isinstance(target, bytearray):
        return target.extend
    if isinstance(target, io.TextIOBase):
        import codecs
        decoder = codecs.getincrementaldecoder("utf-8")("replace")

        def write_text(data: bytes, _w: Any = target.write, _d: Any = decoder) -> None:
            text = _d.decode(data)
            if text:
                _w(text)
        return write_text
    write = getattr(target, "write", None)
    if callable(write):
        return lambda data, _w=write: (_w(data), None)[1]
    if callable(target):
        return lambda data, _f=target: (_f(data), None)[1]
    raise TypeError(f"{what} must be None, 'inherit', 'null', a path, a bytearray, a file object or a callable, "
                    f"not {type(target).__name__}")


def _reader(source: Any) -> Any:
    if source is None or source == INHERIT:
        return None
    if source == DEVNULL:
        return "null"
    if isinstance(source, (str, os.PathLike)):
        return ("file", os.fspath(source))
    if isinstance(source, (bytes, bytearray, memoryview)):
        source = io.BytesIO(bytes(source))
    read = getattr(source, "read", None)
    if callable(read):
        if isinstance(source, io.TextIOBase):
            return lambda n, _r=read: _r(n).encode()
        return lambda n, _r=read: _r(n) or b""
    if callable(source):
        return source
    raise TypeError(f"stdin must be None, 'inherit', 'null', a path, bytes, a file object or a callable, "
                    f"not {type(source).__name__}")


class WasiConfig:
    """WASI preview 1 settings for one instance.

    ``args``: arguments after the program name (``program``, argv[0]); ``env``: variables
    (``inherit_env=True`` copies the host's first); ``dirs``: ``{GUEST_PATH: HOST_PATH}``
    preopened directories (nothing else of the file system is reachable; ``readonly_dirs``
    likewise but read-only); ``stdin``/``stdout``/``stderr``: None or ``isthmus.INHERIT`` (the
    process's own), ``isthmus.DEVNULL``, a path, a bytearray (output appended), a file object
    (text files get decoded UTF-8), a callable taking bytes (output) or taking a size and
    returning bytes (input), or bytes (input)."""

    def __init__(self, *, args: Iterable[str] = (), env: Optional[Mapping[str, str]] = None,
                 inherit_env: bool = False, dirs: Optional[Mapping[str, Union[str, os.PathLike]]] = None,
                 readonly_dirs: Optional[Mapping[str, Union[str, os.PathLike]]] = None,
                 stdin: Any = None, stdout: Any = None, stderr: Any = None, program: str = "main.wasm") -> None:
        if isinstance(args, (str, bytes)):
            raise TypeError("WasiConfig() argument 'args' must be a sequence of str, not a single string")
        self.program = program
        self.args = [str(a) if isinstance(a, os.PathLike) else a for a in args]
        for a in self.args:
            if not isinstance(a, str):
                raise TypeError(f"WasiConfig() argument 'args' items must be str, not {type(a).__name__}")
        self.env = dict(env or {})
        for k, v in self.env.items():
            if not isinstance(k, str) or not isinstance(v, str):
                raise TypeError("WasiConfig() argument 'env' must map str to str")
            if "=" in k:
                raise ValueError(f"environment variable name {k!r} contains '='")
        self.inherit_env = bool(inherit_env)
        self.dirs = {str(g): os.fspath(h) for g, h in (dirs or {}).items()}
        self.readonly_dirs = {str(g): os.fspath(h) for g, h in (readonly_dirs or {}).items()}
        for host_path in list(self.dirs.values()) + list(self.readonly_dirs.values()):
            if not os.path.isdir(host_path):
                raise FileNotFoundError(f"preopened directory {host_path!r} does not exist or is not a directory")
        self.stdin, self.stdout, self.stderr = stdin, stdout, stderr
        # Validate now: errors belong to the caller's line.
        _reader(stdin)
        _writer(stdout, "stdout")
        _writer(stderr, "stderr")

    def _apply(self, store: Store) -> None:
        if not HAVE_WASI:
            raise Error("WASI is not available in this build of isthmus")
        preopens = [(h, g, False) for g, h in self.dirs.items()]
        preopens += [(h, g, True) for g, h in self.readonly_dirs.items()]
        store._set_wasi(
            [self.program] + list(self.args), list(self.env.items()), self.inherit_env, preopens,
            _reader(self.stdin), _writer(self.stdout, "stdout"), _writer(self.stderr, "stderr"),
        )


# ---------------------------------------------------------------- the high layer

class Library:
    """A loaded module: each exported function is an attribute (``lib.sum(12, 12)``), other
    exports too (``lib.memory``). Made by :func:`load`. ``lib.instance`` is the Instance;
    ``lib.exports`` maps every export name (also ones that are not identifiers)."""

    def __init__(self, instance: Instance, abi: Optional[_abi.AbiBinding] = None,
                 funcs: Optional[Mapping[str, Any]] = None) -> None:
        self.__dict__["_instance"] = instance
        self.__dict__["_abi"] = abi
        for name, value in instance.exports.items():
            if name not in ("_initialize", "_start"):
                self.__dict__[name] = value
        if abi is not None:
            # ABI modules: the schema's functions (GoFunc callables) and struct classes.
            for name, value in vars(abi.types).items():
                self.__dict__.setdefault(name, value)
            self.__dict__.update(funcs or {})

    @property
    def types(self) -> Any:
        """ABI modules: a namespace of the generated struct classes (``lib.types.User``)."""
        abi = self.__dict__["_abi"]
        if abi is None:
            raise AttributeError("types: the module does not use the isthmus ABI")
        return abi.types

    @property
    def schema(self) -> Optional[_abi.Schema]:
        """ABI modules: the parsed isthmus schema; None for plain modules."""
        abi = self.__dict__["_abi"]
        return abi.schema if abi is not None else None

    @property
    def instance(self) -> Instance:
        """The underlying Instance."""
        return self.__dict__["_instance"]

    @property
    def exports(self) -> Mapping[str, Any]:
        """Every export by name."""
        return self.__dict__["_instance"].exports

    def __getitem__(self, name: str) -> Any:
        return self.__dict__["_instance"].exports[name]

    def wait_compiled(self, timeout: Optional[float] = None) -> int:
        """On the AUTO tier (the default unless ``ISTHMUS_TIER`` says otherwise): waits up to ``timeout`` seconds (None: until done) for
        the background compiles of hot functions, then switches them to native code. Returns
        how many are still compiling (0: all finished). See :meth:`Instance.wait_compiled`;
        an export named ``wait_compiled`` takes precedence (use ``lib.instance``)."""
        return cast(int, self.__dict__["_instance"].wait_compiled(timeout))

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("Library attributes are the module's exports and cannot be set")

    def run(self) -> int:
        """Runs a command module's ``_start`` and returns its exit code (0 when it returns,
        the proc_exit code otherwise). Runs at most once: the guest's state is spent after."""
        start = self.__dict__["_instance"].exports.get("_start")
        if start is None:
            raise Error("the module is not a command (it exports no _start); call its exported functions instead")
        try:
            start()
        except ExitError as e:
            return e.exit_code
        return 0

    def __repr__(self) -> str:
        abi = self.__dict__["_abi"]
        if abi is not None and abi.schema is not None:  # the Go functions, not the ABI's raw exports
            funcs = [fn[0] for fn in abi.schema.funcs]
            return f"<isthmus.Library functions={funcs} types={sorted(vars(abi.types))}>"
        names = [n for n in self.exports if n not in ("_initialize", "_start")]
        return f"<isthmus.Library exports={names}>"


def _module_of(source: Union[str, os.PathLike, bytes, bytearray, memoryview, Module], engine: Optional[Engine]) -> Module:
    if isinstance(source, Module):
        return source
    if isinstance(source, (bytes, bytearray, memoryview)):
        return Module(source, engine=engine)
    if isinstance(source, (str, os.PathLike)):
        return Module.from_file(source, engine=engine)
    raise TypeError(f"load() argument 'source' must be a path, bytes or a Module, not {type(source).__name__}")


def load(source: Union[str, os.PathLike, bytes, bytearray, memoryview, Module], *, args: Iterable[str] = (),
         env: Optional[Mapping[str, str]] = None, inherit_env: bool = False,
         dirs: Optional[Mapping[str, Union[str, os.PathLike]]] = None,
         readonly_dirs: Optional[Mapping[str, Union[str, os.PathLike]]] = None,
         stdin: Any = None, stdout: Any = None, stderr: Any = None, imports: Imports = None,
         engine: Optional[Engine] = None, store: Optional[Store] = None) -> Library:
    """Loads a WebAssembly module (a path, bytes or a Module) and returns a :class:`Library`.

    Decodes, validates, sets up WASI when the module imports it (``args``, ``env``,
    ``dirs={GUEST: HOST}``, stdio as in :class:`WasiConfig`), links ``imports``
    (``{"env": {"callback": fn}}``), instantiates, and runs ``_initialize`` once for reactors
    (Go ``-buildmode=c-shared``). A command module (``_start``) is run with ``lib.run()``."""
    module = _module_of(source, engine)
    wasi = None
    if any(i.module in _WASI_MODULES for i in module.imports):
        program = os.path.basename(os.fspath(source)) if isinstance(source, (str, os.PathLike)) else "main.wasm"
        wasi = WasiConfig(args=args, env=env, inherit_env=inherit_env, dirs=dirs, readonly_dirs=readonly_dirs,
                          stdin=stdin, stdout=stdout, stderr=stderr, program=program)
    abi = None
    if any(e.name == "isthmus_abi_version" for e in module.exports):
        abi, imports = _abi_prepare(module, imports)
    inst = Instance(module, imports, store=store, wasi=wasi)
    funcs = abi.bind(inst.exports) if abi is not None and abi.schema is not None else None
    init = inst.exports.get("_initialize")
    if isinstance(init, Func):
        init()
    if abi is not None:
        schema_fn, memory, version_fn = (inst.exports.get(n) for n in ("isthmus_schema", "memory", "isthmus_abi_version"))
        if not (isinstance(schema_fn, Func) and isinstance(memory, Memory) and isinstance(version_fn, Func)):
            raise Error("an isthmus ABI module must export the functions isthmus_schema and isthmus_abi_version "
                        "and a memory named memory (docs/abi.md §3)")
        if abi.schema is None:  # no custom section: ask the instance (after _initialize)
            packed = schema_fn() & 0xFFFFFFFFFFFFFFFF
            data = memory.read(packed >> 32, packed & 0xFFFFFFFF)
            abi.set_schema(_abi.Schema(data))
            funcs = abi.bind(inst.exports)
        version = version_fn()
        _abi.check_version(version)
        if version != abi.schema.version:
            raise Error(f"isthmus_abi_version() is {version} but the schema says {abi.schema.version}")
    return Library(inst, abi, funcs)


def _abi_prepare(module: Module, imports: Imports) -> Any:
    """Splits `imports` into ABI host functions ({name: callable}) and wasm namespaces, and
    adds the `isthmus.host_call` import when the module has it."""
    host: Dict[str, Any] = {}
    rest: Dict[str, Any] = {}
    if isinstance(imports, Mapping):
        for k, v in imports.items():
            if callable(v) and not isinstance(v, (Mapping, Instance, Library, Func)):
                host[k] = v
            else:
                rest[k] = v
    elif imports is not None:
        raise TypeError("imports for an isthmus ABI module must be a dict")
    data = _abi.schema_bytes(module)
    schema = None
    if data is not None:
        try:
            schema = _abi.Schema(data)
        except ValueError as e:
            raise Error(str(e)) from None
        _abi.check_version(schema.version)
    binding = _abi.AbiBinding(schema, host)
    if any(i.module == "isthmus" and i.name == "host_call" for i in module.imports):
        ns = dict(rest.get("isthmus") or {})
        ns["host_call"] = binding.host_call
        rest["isthmus"] = ns
    return binding, rest


def run(source: Union[str, os.PathLike, bytes, bytearray, memoryview, Module], **kwargs: Any) -> int:
    """Loads a command module (``_start``; a plain ``go build``) and runs it; returns its exit
    code. Takes the keyword arguments of :func:`load`."""
    return load(source, **kwargs).run()
