/* ist.h — internals of the CPython extension `isthmus._isthmus`, shared by its files.
 *
 * The extension uses only the public C API (include/isthmus.h). Files and prefixes:
 *   module.c  module definition, state, exceptions, signal hook       ist_mod_*, ist_state_*
 *   errors.c  engine errors and traps → Python exceptions              ist_err_*
 *   engine.c  Engine and Module types                                  ist_engine_*, ist_module_*
 *   store.c   Store type: the lock, the GIL hand-off, WASI set-up      ist_store_*
 *   instance.c Instance type: linking and instantiation                ist_instance_*
 *   func.c    Func type: vectorcall into wasm, host functions          ist_func_*, ist_host_*
 *   extern.c  Memory, Global and Table types; value conversion         ist_memory_*, ist_val_*
 *   abi.c     the isthmus ABI: schema, value encoding, GoFunc, host_call ist_abi_*
 *
 * Objects and references: every runtime object (Func, Memory, Global, Table, Instance)
 * holds a strong reference to its Store, which owns the engine's isthmus_store; the C
 * objects they point at live until the Store is deallocated. */
#ifndef IST_H
#define IST_H

#define PY_SSIZE_T_CLEAN
#include <Python.h>
#include <pthread.h>
#include <pythread.h>
#include <structmember.h>
#if PY_VERSION_HEX < 0x030B0000 /* 3.11 includes it from Python.h */
#include <longintrepr.h> /* ob_digit: small ints are read inline on the call path (3.12+: PyUnstable_Long_*) */

#endif
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>

#include "isthmus.h"

/* ---------------------------------------------------------------- compatibility (3.9+) */

#if PY_VERSION_HEX < 0x030A0000
static inline PyObject *ist_newref(PyObject *o) { Py_INCREF(o); return o; }
#define Py_NewRef(o) ist_newref((PyObject *)(o))
static inline PyObject *ist_xnewref(PyObject *o) { Py_XINCREF(o); return o; }
#define Py_XNewRef(o) ist_xnewref((PyObject *)(o))
#define Py_IsNone(o) ((o) == Py_None)
static inline int PyModule_AddObjectRef(PyObject *m, const char *name, PyObject *v) {
  Py_INCREF(v);
  if (PyModule_AddObject(m, name, v) < 0) {
    Py_DECREF(v);
    return -1;
  }
  return 0;
}

#endif

/* The WASI part of the engine may be absent from a build (it is optional for a C embedder):
 * its entry points are weak, and the binding reports "WASI is not available" when they are
 * NULL. The extension links the engine's object files directly, so they resolve when built. */
#pragma weak isthmus_wasi_config_new
#pragma weak isthmus_wasi_config_delete
#pragma weak isthmus_wasi_config_set_args
#pragma weak isthmus_wasi_config_set_env
#pragma weak isthmus_wasi_config_inherit_env
#pragma weak isthmus_wasi_config_preopen_dir
#pragma weak isthmus_wasi_config_stdio_inherit
#pragma weak isthmus_wasi_config_stdio_file
#pragma weak isthmus_wasi_config_stdio_null
#pragma weak isthmus_wasi_config_stdout_callback
#pragma weak isthmus_wasi_config_stdin_callback
#pragma weak isthmus_wasi_new
#pragma weak isthmus_wasi_delete
#pragma weak isthmus_wasi_link

#if PY_VERSION_HEX >= 0x030A0000
#define Py_TPFLAGS_IMMUTABLETYPE_COMPAT Py_TPFLAGS_IMMUTABLETYPE
#else
#define Py_TPFLAGS_IMMUTABLETYPE_COMPAT 0

#endif

#define CMN_UNLIKELY_PY(x) __builtin_expect(!!(x), 0)
#define CMN_LIKELY_PY(x) __builtin_expect(!!(x), 1)
#define CMN_NOINLINE_PY __attribute__((noinline))

/* The calling thread's identity, equal to PyThread_get_thread_ident() (pthread_self()).
 * On x86-64 glibc that is the thread pointer, read with one instruction instead of a call
 * through the PLT: calls from Python count every instruction. */
static inline unsigned long ist_thread_ident(void) {
#if defined(__x86_64__) && defined(__GLIBC__) && (defined(__clang__) || __GNUC__ >= 11)
  return (unsigned long)__builtin_thread_pointer();
#else
  return (unsigned long)pthread_self();
#endif
}

/* The exception being raised, as one object (NULL if none); clears it. */
PyObject *ist_fetch_exception(void);
/* Raises exc (a normalized exception object); steals the reference. */
void ist_restore_exception(PyObject *exc);

/* ---------------------------------------------------------------- module state */

typedef struct ist_state {
  PyObject *Error, *DecodeError, *ValidationError, *LinkError, *Trap, *ExitError;
  PyTypeObject *Engine, *Module, *Store, *Instance, *Func, *Memory, *Global, *Table;
  PyObject *default_engine; /* created on first use */
  PyObject *helpers;        /* dict set by the Python layer: "signature", "trap_code" */
  unsigned long main_thread; /* ident of the main thread (Ctrl-C goes there) */
} ist_state;

extern PyModuleDef ist_moduledef;

ist_state *ist_state_of_module(PyObject *module);
/* State for an object whose type is ours or a subclass of ours. */
ist_state *ist_state_of_type(PyTypeObject *tp);
/* The default Engine (a new reference), made on first use. */
PyObject *ist_default_engine(ist_state *st);
/* Ctrl-C: makes SIGINT interrupt the store running on the main thread. Call on the main
 * thread; cheap enough for set-up paths (one sigaction query), not for every call. */
void ist_sigint_ensure(void);
/* The store the SIGINT hook interrupts (the one running on the main thread), or NULL. */
extern _Atomic(isthmus_store *) ist_main_running;
/* Makes `now` the store SIGINT interrupts; returns the previous one, to put back after. */
static inline isthmus_store *ist_main_swap(isthmus_store *now) {
  isthmus_store *prev = atomic_load_explicit(&ist_main_running, memory_order_relaxed);
  atomic_store_explicit(&ist_main_running, now, memory_order_relaxed);
  return prev;
}

/* ---------------------------------------------------------------- errors */

/* Raises the Python exception for an engine error and frees it. Returns NULL. */
PyObject *ist_err_raise(ist_state *st, isthmus_error *e);
struct StoreObject;
/* Raises the Python exception for a trap returned by a call into s and frees it. Marks
 * the store as unusable (poisoned). Returns NULL. */
PyObject *ist_err_trap(struct StoreObject *s, isthmus_trap *t);
/* Raises isthmus.LinkError with attributes module/name. Returns NULL. */
PyObject *ist_err_link(ist_state *st, const char *module, const char *name, const char *fmt, ...);

/* ---------------------------------------------------------------- Engine, Module */

typedef struct EngineObject {
  PyObject_HEAD
  isthmus_engine *engine;
} EngineObject;

typedef struct ModuleObject {
  PyObject_HEAD
  EngineObject *engine;
  isthmus_module *module;
  PyObject *weakreflist;
} ModuleObject;

extern PyType_Spec ist_engine_spec, ist_module_spec;

/* ---------------------------------------------------------------- Store */

typedef struct HostEnv HostEnv;

typedef struct StoreObject {
  PyObject_HEAD
  ist_state *ms;         /* module state, kept alive by `modref` */
  PyObject *modref;      /* the extension module */
  EngineObject *engine;
  isthmus_store *store;
  isthmus_wasi *wasi;    /* NULL when WASI was not set up */

  /* The lock. Changed only with the GIL held, so plain fields suffice; `wake` is a
   * semaphore-like lock that a leaving owner releases when someone waits. */
  unsigned long owner;   /* thread ident of the running thread, 0 when free */
  unsigned long main_thread; /* ms->main_thread, next to owner for the call path */
  int depth;             /* nested (re-entrant) calls by the owner */
  int host_depth;        /* >0 while the owner is inside a host function */
  int waiters;
  PyThread_type_lock wake;

  PyThreadState *released; /* set while a call runs with the GIL released */
  isthmus_trap *host_trap; /* the trap a failing host function returned ... */
  PyObject *host_exc;      /* ... and the exception it raised */
  PyObject *pending_exc;   /* raised by a stdout/stdin callback; reported after the call */
  PyObject *poisoned;      /* str: why the store refuses calls (after a trap), or NULL */

  HostEnv **hosts;         /* host functions made from Python callables */
  size_t num_hosts, cap_hosts;
  PyObject *externrefs;    /* dict id -> object: externrefs handed to wasm stay alive */
  PyObject *stdio[3];      /* WASI stdio callables (stdin reader, stdout, stderr writers) */
  struct ist_stdio_env {
    struct StoreObject *s;
    int fd;
  } stdio_env[3];
  PyObject *weakreflist;
} StoreObject;

extern PyType_Spec ist_store_spec;

/* Makes a new Store with `engine` (NULL: the default engine). */
StoreObject *ist_store_new(ist_state *ms, PyObject *engine);
/* Takes the store's lock for a call (waits with the GIL released when another thread
 * runs it). Same-thread re-entry is allowed only from a host function. Returns -1 with
 * an exception set. */
int ist_store_enter_slow(StoreObject *s);
static inline int ist_store_enter(StoreObject *s) {
  if (s->owner == 0) {
    s->owner = ist_thread_ident();
    s->depth = 1;
    return 0;
  }
  return ist_store_enter_slow(s);
}
void ist_store_leave_slow(StoreObject *s);
static inline void ist_store_leave(StoreObject *s) {
  if (--s->depth == 0) {
    s->owner = 0;
    if (s->waiters) ist_store_leave_slow(s);
  }
}
/* Raises isthmus.Error when the store is poisoned. */
int ist_store_check_usable(StoreObject *s);
/* Keeps an externref's object alive for the store's lifetime; returns its cell. */
uint64_t ist_store_externref(StoreObject *s, PyObject *o);
/* GIL hand-off around Python code run from inside wasm (host functions, stdio). */
typedef struct ist_gil_token {
  PyThreadState *ts;
  isthmus_store *main_prev;
  bool on_main;
} ist_gil_token;
void ist_host_gil_enter(StoreObject *s, ist_gil_token *tok);
void ist_host_gil_leave(StoreObject *s, ist_gil_token *tok);

/* ---------------------------------------------------------------- Instance */

typedef struct InstanceObject {
  PyObject_HEAD
  StoreObject *store;
  ModuleObject *module;
  isthmus_instance *inst;
  PyObject *exports;  /* dict name -> Func/Memory/Global/Table */
  PyObject *weakreflist;
} InstanceObject;

extern PyType_Spec ist_instance_spec;

/* ---------------------------------------------------------------- Func */

typedef struct FuncObject {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  StoreObject *store;
  isthmus_func *func;
  const isthmus_functype *type; /* owned by the store */
  PyObject *name;               /* str: export name, or the host callable's name */
  PyObject *host;               /* the Python callable of a host function, or NULL */
  bool int_sig;                 /* integer params (at most 8) and at most one integer result */
  uint8_t wide_params;          /* bit i: parameter i is an i64 */
  uint8_t result_kind;          /* with int_sig: 0 no result, 1 an i32, 2 an i64 */
  int8_t release_gil;           /* -1 auto, 0 never, 1 always */
  uint8_t long_calls;           /* auto mode: calls have been long, release the GIL */
  uint16_t short_streak;        /* auto mode: short calls since the GIL was last needed */
  uint32_t probe;               /* auto mode: calls still timed one by one */
  uint32_t countdown;           /* calls left on the short path before the policy runs again */
  PyObject *weakreflist;
} FuncObject;

extern PyType_Spec ist_func_spec;
/* Fills the table of small ints that calls return without a call into CPython. */
int ist_small_ints_init(void);

/* Wraps an engine function of store s (a new reference). */
PyObject *ist_func_wrap(StoreObject *s, isthmus_func *f, PyObject *name);
/* Calls self with its arguments in cells (as isthmus_func_call_unchecked: max(params,
 * results) cells; results replace the arguments), with everything a call from Python
 * does around it (the store's lock and depth, the GIL policy, traps to exceptions).
 * Returns 0, or -1 with an exception set. For C callers that have checked self's type. */
int ist_func_invoke(FuncObject *self, uint64_t *cells);
/* Makes a host function in s that calls `callable` with `type`. */
PyObject *ist_func_new_host(StoreObject *s, const isthmus_functype *type, PyObject *callable, PyObject *name);
/* Parses a FuncType-like (params, results) pair of sequences of type names. The arrays
 * are written to `buf` (capacity cap); returns -1 with an exception set. */
int ist_functype_parse(PyObject *params, PyObject *results, isthmus_valtype *buf, size_t cap,
                       isthmus_functype *out);
/* HostEnv bookkeeping for GC. */
int ist_host_traverse(HostEnv *h, visitproc visit, void *arg);
void ist_host_clear(HostEnv *h);

/* ---------------------------------------------------------------- Memory, Global, Table */

typedef struct MemoryObject {
  PyObject_HEAD
  StoreObject *store;
  isthmus_memory *mem;
  PyObject *weakreflist;
} MemoryObject;

typedef struct GlobalObject {
  PyObject_HEAD
  StoreObject *store;
  isthmus_global *glob;
} GlobalObject;

typedef struct TableObject {
  PyObject_HEAD
  StoreObject *store;
  isthmus_table *table;
} TableObject;

extern PyType_Spec ist_memory_spec, ist_global_spec, ist_table_spec;

PyObject *ist_memory_wrap(StoreObject *s, isthmus_memory *m);
PyObject *ist_global_wrap(StoreObject *s, isthmus_global *g);
PyObject *ist_table_wrap(StoreObject *s, isthmus_table *t);
/* Wraps an extern of store s as the matching Python object. */
PyObject *ist_extern_wrap(StoreObject *s, const isthmus_extern *x, PyObject *name);
/* The extern a Python object stands for, or -1 with TypeError. */
int ist_extern_unwrap(StoreObject *s, PyObject *o, isthmus_extern *out);

/* Value conversion. `what` names the value in error messages ("sum() parameter p0"). */
int ist_val_from_py(StoreObject *s, isthmus_valtype t, PyObject *o, uint64_t *cell, const char *what);
PyObject *ist_val_to_py(StoreObject *s, isthmus_valtype t, uint64_t cell);
/* Type names and descriptions for Python. */
PyObject *ist_valtype_str(isthmus_valtype t);
int ist_valtype_parse(PyObject *name, isthmus_valtype *out);
/* FuncType/MemoryType/TableType/GlobalType objects (helpers registered by the Python layer;
 * plain tuples without them). */
PyObject *ist_functype_py(ist_state *st, const isthmus_functype *t);
PyObject *ist_externtype_py(ist_state *st, const isthmus_externtype *t);

/* ---------------------------------------------------------------- isthmus ABI (abi.c) */

/* Adds AbiLib, GoFunc and _abi_schema to the extension module. */
int ist_abi_exec(PyObject *m);

#endif
