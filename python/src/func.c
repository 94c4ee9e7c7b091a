/* func.c — Func: a wasm or host function as a Python callable.
 *
 * Calls from Python use vectorcall: arity is checked once, each argument is converted by a
 * switch on its wasm type (with an inline fast path for exact ints), and the call goes
 * through isthmus_func_call_unchecked with the cells on the C stack. The GIL stays held for
 * short calls (releasing it costs more than the call): it is released during a function's
 * first IST_PROBE_CALLS calls, which are timed, and afterwards only if a call was long
 * (>= IST_LONG_NS; one call in 256 is timed after the probe). Host functions made from Python callables take the GIL back if the call had
 * released it, and a Python exception they raise leaves the wasm call as the same object. */
#include <time.h>

#include "ist.h"

#define IST_LONG_NS 100000   /* a call this long releases the GIL on later calls */
#define IST_PROBE_CALLS 64   /* calls timed one by one before sampling */
#define IST_SAMPLE_MASK 255  /* then one call in 256 is timed */
#define IST_SMALL_CELLS 16
#define IST_INT_PARAMS 8 /* func_vectorcall's short path: at most this many integer params */

struct HostEnv {
  StoreObject *store; /* borrowed: the store owns this env */
  PyObject *callable;
  PyObject *name;
  const isthmus_functype *type;
};

int ist_host_traverse(HostEnv *h, visitproc visit, void *arg) {
  Py_VISIT(h->callable);
  return 0;
}

void ist_host_clear(HostEnv *h) { Py_CLEAR(h->callable); }

static void host_finalize(void *env) {
  HostEnv *h = env;
  Py_CLEAR(h->callable);
  Py_CLEAR(h->name);
  PyMem_RawFree(h);
}

/* ---------------------------------------------------------------- host functions */

static void stash_host_exception(StoreObject *s, isthmus_trap **trap) {
  PyObject *exc = ist_fetch_exception();
  const char *tn = exc ? Py_TYPE(exc)->tp_name : "an exception";
  char msg[160];
  snprintf(msg, sizeof msg, "Python host function raised %.100s", tn);
  Py_XSETREF(s->host_exc, exc);
  *trap = isthmus_trap_new(msg);
  s->host_trap = *trap;
}

static isthmus_trap *host_call(void *env, isthmus_caller *caller, uint64_t *cells) {
  HostEnv *h = env;
  StoreObject *s = h->store;
  const isthmus_functype *t = h->type;
  isthmus_trap *trap = NULL;
  ist_gil_token tok;
  ist_host_gil_enter(s, &tok);
  s->host_depth++;

  PyObject *small[8];
  PyObject **argv = t->num_params <= 8 ? small : PyMem_Malloc(t->num_params * sizeof(PyObject *));
  uint32_t made = 0;
  PyObject *r = NULL;
  if (!argv) {
    PyErr_NoMemory();
    goto fail;
  }
  for (; made < t->num_params; made++) {
    argv[made] = ist_val_to_py(s, t->params[made], cells[made]);
    if (!argv[made]) goto fail;
  }
  if (!h->callable) {
    PyErr_Format(s->ms->Error, "host function %R was cleared by the garbage collector", h->name);
    goto fail;
  }
  r = PyObject_Vectorcall(h->callable, argv, t->num_params, NULL);
  if (!r) goto fail;
  if (t->num_results == 0) {
    if (r != Py_None) {
      PyErr_Format(PyExc_TypeError, "host function %U has no results but returned %.100s", h->name,
                   Py_TYPE(r)->tp_name);
      goto fail;
    }
  } else if (t->num_results == 1) {
    char what[200];
    snprintf(what, sizeof what, "host function %s result", PyUnicode_AsUTF8(h->name));
    if (ist_val_from_py(s, t->results[0], r, &cells[0], what) < 0) goto fail;
  } else {
    PyObject *seq = PySequence_Fast(r, "host function with several results must return a tuple");
    if (!seq) goto fail;
    if ((uint32_t)PySequence_Fast_GET_SIZE(seq) != t->num_results) {
      PyErr_Format(PyExc_TypeError, "host function %U must return %u results, got %zd", h->name,
                   (unsigned)t->num_results, PySequence_Fast_GET_SIZE(seq));
      Py_DECREF(seq);
      goto fail;
    }
    for (uint32_t i = 0; i < t->num_results; i++) {
      char what[200];
      snprintf(what, sizeof what, "host function %s result %u", PyUnicode_AsUTF8(h->name), (unsigned)i);
      if (ist_val_from_py(s, t->results[i], PySequence_Fast_GET_ITEM(seq, i), &cells[i], what) < 0) {
        Py_DECREF(seq);
        goto fail;
      }
    }
    Py_DECREF(seq);
  }
  goto done;
fail:
  stash_host_exception(s, &trap);
done:
  Py_XDECREF(r);
  for (uint32_t i = 0; i < made; i++) Py_DECREF(argv[i]);
  if (argv && argv != small) PyMem_Free(argv);
  s->host_depth--;
  ist_host_gil_leave(s, &tok);
  return trap;
}

PyObject *ist_func_new_host(StoreObject *s, const isthmus_functype *type, PyObject *callable, PyObject *name) {
  if (s->num_hosts == s->cap_hosts) {
    size_t cap = s->cap_hosts ? s->cap_hosts * 2 : 8;
    HostEnv **hosts = PyMem_Realloc(s->hosts, cap * sizeof *hosts);
    if (!hosts) return PyErr_NoMemory();
    s->hosts = hosts;
    s->cap_hosts = cap;
  }
  HostEnv *h = PyMem_RawCalloc(1, sizeof *h);
  if (!h) return PyErr_NoMemory();
  h->store = s;
  h->callable = Py_NewRef(callable);
  if (name && name != Py_None) {
    h->name = Py_NewRef(name);
  } else {
    h->name = PyObject_GetAttrString(callable, "__qualname__");
    if (!h->name || !PyUnicode_Check(h->name)) {
      PyErr_Clear();
      Py_XSETREF(h->name, PyUnicode_FromString("<host>"));
    }
  }
  isthmus_func *f = isthmus_func_new(s->store, type, host_call, h, host_finalize);
  if (!f) {
    host_finalize(h);
    return PyErr_NoMemory();
  }
  s->hosts[s->num_hosts++] = h;
  h->type = isthmus_func_type(f);
  PyObject *r = ist_func_wrap(s, f, h->name);
  if (r) ((FuncObject *)r)->host = Py_NewRef(callable);
  return r;
}

/* ---------------------------------------------------------------- calls into wasm */

/* The value of an exact int that fits in one internal digit (|v| < 2**30), read inline;
 * false for anything else (the caller then takes the general path). */
static inline bool ist_small_int(PyObject *o, int64_t *v) {
#if PY_VERSION_HEX >= 0x030C0000
  if (!PyUnstable_Long_IsCompact((PyLongObject *)o)) return false;
  *v = (int64_t)PyUnstable_Long_CompactValue((PyLongObject *)o);
  return true;
#else
  Py_ssize_t size = Py_SIZE(o);
  if (size < -1 || size > 1) return false;
  *v = size * (int64_t)((PyLongObject *)o)->ob_digit[0];
  return true;
#endif
}

static int64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000000000 + ts.tv_nsec;
}

/* Calls left before the policy path must run again (see ist_func_invoke): every call while
 * calls are timed one by one, released or known to be long; else one in IST_SAMPLE_MASK+1. */
static void policy_rearm(FuncObject *self) {
  if (self->release_gil == 0) self->countdown = UINT32_MAX;
  else if (self->release_gil > 0 || self->probe || self->long_calls) self->countdown = 1;
  else self->countdown = IST_SAMPLE_MASK + 1;
}

/* What follows a call either way: a trap or a stdio callback's exception becomes the Python
 * exception; 0 when there was neither. */
static int call_outcome(StoreObject *s, isthmus_trap *trap) {
  if (CMN_UNLIKELY_PY(trap != NULL)) {
    ist_err_trap(s, trap);
    if (s->pending_exc && s->depth == 0) {
      /* A stdio callback failed before the trap: keep its exception as the context. */
      PyObject *exc = ist_fetch_exception(), *pending = s->pending_exc;
      s->pending_exc = NULL;
      if (exc) PyException_SetContext(exc, pending);
      else Py_DECREF(pending);
      ist_restore_exception(exc);
    }
    return -1;
  }
  if (CMN_UNLIKELY_PY(s->pending_exc != NULL) && s->depth == 0) {
    PyObject *exc = s->pending_exc;
    s->pending_exc = NULL;
    ist_restore_exception(exc);
    return -1;
  }
  return 0;
}

/* The general path: re-entry from a host function, another thread's store, a poisoned store,
 * and the calls the GIL policy times or releases. */
static CMN_NOINLINE_PY int invoke_policy(FuncObject *self, uint64_t *cells) {
  StoreObject *s = self->store;
  if (s->poisoned && ist_store_check_usable(s) < 0) return -1;
  if (ist_store_enter(s) < 0) return -1;
  const bool on_main = s->owner == s->main_thread;
  isthmus_store *main_prev = on_main ? ist_main_swap(s->store) : NULL;
  /* Automatic mode releases the GIL during the first calls of a function (while they are
   * timed one by one: a first call may never end, and other threads must run meanwhile) and
   * whenever its calls have proved long; a function whose calls are short keeps the GIL. */
  const int mode = self->release_gil;
  bool release = mode > 0 || (mode < 0 && (self->long_calls || self->probe));
  bool timed = false;
  int64_t t0 = 0;
  if (mode < 0) {
    if (self->probe) {
      self->probe--;
      timed = true;
    } else {
      /* a released call, or the sampled one (re-entrant calls count down here) */
      timed = release || self->countdown == 0 || --self->countdown == 0;
    }
    if (timed) t0 = now_ns();
  }
  isthmus_trap *trap;
  if (release) {
    if (on_main) ist_sigint_ensure();
    PyThreadState *outer = s->released;
    s->released = PyEval_SaveThread();
    trap = isthmus_func_call_unchecked(s->store, self->func, cells);
    PyEval_RestoreThread(s->released);
    s->released = outer;
  } else {
    trap = isthmus_func_call_unchecked(s->store, self->func, cells);
  }
  if (timed) {
    int64_t dt = now_ns() - t0;
    if (dt >= IST_LONG_NS) {
      self->long_calls = 1;
      self->short_streak = 0;
    } else if (self->long_calls && dt < IST_LONG_NS / 8 && ++self->short_streak >= 64) {
      self->long_calls = 0;
      self->short_streak = 0;
      self->probe = IST_PROBE_CALLS;
    }
  }
  if (timed || self->countdown == 0) policy_rearm(self);
  if (on_main) ist_main_swap(main_prev);
  ist_store_leave(s);
  return call_outcome(s, trap);
}

/* Runs self with the cells; 0 on success, -1 with an exception set. The common call (store
 * idle, GIL kept, not sampled) takes the short path; everything else invoke_policy. Inlined
 * into func_vectorcall: a call from Python counts every instruction. */
static inline __attribute__((always_inline)) int invoke(FuncObject *self, uint64_t *cells) {
  StoreObject *s = self->store;
  if (CMN_UNLIKELY_PY(s->poisoned != NULL || s->owner != 0 || --self->countdown == 0))
    return invoke_policy(self, cells);
  ist_store_enter(s); /* the store is free: its fast path, which cannot fail */
  /* Ctrl-C interrupts the store running on the main thread, even on this path */
  const bool on_main = s->owner == s->main_thread;
  isthmus_store *main_prev = on_main ? ist_main_swap(s->store) : NULL;
  isthmus_trap *trap = isthmus_func_call_unchecked(s->store, self->func, cells);
  if (on_main) ist_main_swap(main_prev);
  ist_store_leave(s);
  if (CMN_LIKELY_PY(trap == NULL && s->pending_exc == NULL)) return 0;
  return call_outcome(s, trap);
}

int ist_func_invoke(FuncObject *self, uint64_t *cells) { return invoke(self, cells); }

static PyObject *param_error(FuncObject *self, uint32_t i, PyObject *o, uint64_t *cell) {
  char what[200];
  snprintf(what, sizeof what, "%s() parameter p%u", PyUnicode_AsUTF8(self->name), (unsigned)i);
  ist_val_from_py(self->store, self->type->params[i], o, cell, what);
  return NULL;
}

static PyObject *results_of(FuncObject *self, const uint64_t *cells) {
  const isthmus_functype *t = self->type;
  if (t->num_results == 1) {
    if (t->results[0] == ISTHMUS_I32) return PyLong_FromLong((int32_t)cells[0]);
    return ist_val_to_py(self->store, t->results[0], cells[0]);
  }
  if (t->num_results == 0) Py_RETURN_NONE;
  PyObject *tup = PyTuple_New(t->num_results);
  if (!tup) return NULL;
  for (uint32_t i = 0; i < t->num_results; i++) {
    PyObject *v = ist_val_to_py(self->store, t->results[i], cells[i]);
    if (!v) {
      Py_DECREF(tup);
      return NULL;
    }
    PyTuple_SET_ITEM(tup, i, v);
  }
  return tup;
}

static PyObject *func_call_general(FuncObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames);

/* The ints -5..256, which PyLong_FromLong hands out from CPython's own cache: read here
 * without a call. Filled once (ist_small_ints_init); since 3.11 these objects are shared by
 * every interpreter of the process and never freed, so one table serves them all. */
#if PY_VERSION_HEX >= 0x030B0000
#define IST_SMALL_MIN (-5)
#define IST_SMALL_COUNT 262
static PyObject *small_ints[IST_SMALL_COUNT];
#endif

int ist_small_ints_init(void) {
#if PY_VERSION_HEX >= 0x030B0000
  for (int i = 0; i < IST_SMALL_COUNT; i++) {
    if (small_ints[i]) continue;
    small_ints[i] = PyLong_FromLong(i + IST_SMALL_MIN);
    if (!small_ints[i]) return -1;
  }
#endif
  return 0;
}

static inline PyObject *int_result(int64_t v) {
#if PY_VERSION_HEX >= 0x030B0000
  const uint64_t i = (uint64_t)v - (uint64_t)IST_SMALL_MIN; /* unsigned: no overflow at INT64_MAX */
  if (i < IST_SMALL_COUNT) return Py_NewRef(small_ints[i]);
#endif
  return PyLong_FromLongLong(v);
}

/* The end of a call with integer cells: invoke, then the result as a Python object. */
static inline __attribute__((always_inline)) PyObject *int_call(FuncObject *self, uint64_t *cells) {
  if (invoke(self, cells) < 0) return NULL;
  if (self->result_kind == 1) return int_result((int32_t)cells[0]);
  if (self->result_kind == 2) return int_result((int64_t)cells[0]);
  Py_RETURN_NONE;
}

/* Integer-only signatures (the usual exports: up to IST_INT_PARAMS i32/i64 parameters, at
 * most one i32/i64 result) called with small exact ints: no general conversion, cells on
 * the stack. Anything else takes func_call_general. */
static PyObject *func_vectorcall(FuncObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
  const isthmus_functype *t = self->type;
  if (CMN_LIKELY_PY(self->int_sig && kwnames == NULL && PyVectorcall_NARGS(nargsf) == t->num_params)) {
    uint64_t cells[IST_INT_PARAMS];
    const uint32_t np = t->num_params;
    for (uint32_t i = 0; i < np; i++) {
      int64_t v;
      if (CMN_UNLIKELY_PY(!PyLong_CheckExact(args[i]) || !ist_small_int(args[i], &v)))
        return func_call_general(self, args, nargsf, kwnames);
      cells[i] = (self->wide_params >> i) & 1 ? (uint64_t)v : (uint64_t)(uint32_t)v;
    }
    return int_call(self, cells);
  }
  return func_call_general(self, args, nargsf, kwnames);
}

/* The same for N i32 parameters, N known when compiled: the commonest exports (Go's
 * wasmexport functions take i32s) skip the per-parameter width test and the loop bound. */
#define IST_VC_I32(N)                                                                                   \
  static PyObject *func_vectorcall_i32x##N(FuncObject *self, PyObject *const *args, size_t nargsf,      \
                                           PyObject *kwnames) {                                         \
    if (CMN_UNLIKELY_PY(kwnames != NULL || PyVectorcall_NARGS(nargsf) != N))                            \
      return func_call_general(self, args, nargsf, kwnames);                                            \
    uint64_t cells[N > 0 ? N : 1];                                                                      \
    for (int i = 0; i < N; i++) {                                                                       \
      int64_t v;                                                                                        \
      if (CMN_UNLIKELY_PY(!PyLong_CheckExact(args[i]) || !ist_small_int(args[i], &v)))                  \
        return func_call_general(self, args, nargsf, kwnames);                                          \
      cells[i] = (uint32_t)v;                                                                           \
    }                                                                                                   \
    return int_call(self, cells);                                                                       \
  }
IST_VC_I32(0)
IST_VC_I32(1)
IST_VC_I32(2)
IST_VC_I32(3)
IST_VC_I32(4)
static PyObject *(*const vectorcall_i32[])(FuncObject *, PyObject *const *, size_t, PyObject *) = {
    func_vectorcall_i32x0, func_vectorcall_i32x1, func_vectorcall_i32x2, func_vectorcall_i32x3,
    func_vectorcall_i32x4,
};

static CMN_NOINLINE_PY PyObject *func_call_general(FuncObject *self, PyObject *const *args, size_t nargsf,
                                                   PyObject *kwnames) {
  const isthmus_functype *t = self->type;
  Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  if (CMN_UNLIKELY_PY(kwnames != NULL && PyTuple_GET_SIZE(kwnames))) {
    PyErr_Format(PyExc_TypeError, "%U() takes no keyword arguments", self->name);
    return NULL;
  }
  if (CMN_UNLIKELY_PY((size_t)nargs != t->num_params)) {
    PyErr_Format(PyExc_TypeError, "%U() takes %u argument%s (%zd given)", self->name, (unsigned)t->num_params,
                 t->num_params == 1 ? "" : "s", nargs);
    return NULL;
  }
  uint64_t small[IST_SMALL_CELLS];
  size_t ncells = t->num_params > t->num_results ? t->num_params : t->num_results;
  uint64_t *cells = ncells <= IST_SMALL_CELLS ? small : PyMem_Malloc(ncells * sizeof(uint64_t));
  if (!cells) return PyErr_NoMemory();
  PyObject *result = NULL;
  const isthmus_valtype *pt = t->params;
  const uint32_t np = t->num_params;
  for (uint32_t i = 0; i < np; i++) {
    PyObject *o = args[i];
    const isthmus_valtype k = pt[i];
    int64_t v;
    /* A compact int has |v| < 2**30, inside both i32 ranges (signed and unsigned) and i64:
     * no range check needed on this path. */
    if ((k == ISTHMUS_I32 || k == ISTHMUS_I64) && PyLong_CheckExact(o) && ist_small_int(o, &v)) {
      cells[i] = k == ISTHMUS_I32 ? (uint64_t)(uint32_t)v : (uint64_t)v;
      continue;
    }
    if (ist_val_from_py(self->store, t->params[i], o, &cells[i], NULL) < 0) {
      PyErr_Clear();
      param_error(self, i, o, &cells[i]);
      goto out;
    }
  }
  if (ist_func_invoke(self, cells) == 0) result = results_of(self, cells);
out:
  if (cells != small) PyMem_Free(cells);
  return result;
}

/* ---------------------------------------------------------------- the Func type */

PyObject *ist_func_wrap(StoreObject *s, isthmus_func *f, PyObject *name) {
  FuncObject *self = PyObject_GC_New(FuncObject, s->ms->Func);
  if (!self) return NULL;
  self->vectorcall = (vectorcallfunc)func_vectorcall;
  self->store = (StoreObject *)Py_NewRef(s);
  self->func = f;
  self->type = isthmus_func_type(f);
  self->int_sig = self->type->num_params <= IST_INT_PARAMS && self->type->num_results <= 1;
  self->wide_params = 0;
  for (uint32_t i = 0; self->int_sig && i < self->type->num_params; i++) {
    isthmus_valtype k = self->type->params[i];
    self->int_sig = k == ISTHMUS_I32 || k == ISTHMUS_I64;
    if (k == ISTHMUS_I64) self->wide_params |= (uint8_t)(1u << i);
  }
  self->result_kind = 0;
  if (self->type->num_results == 1) {
    isthmus_valtype k = self->type->results[0];
    self->int_sig = self->int_sig && (k == ISTHMUS_I32 || k == ISTHMUS_I64);
    self->result_kind = k == ISTHMUS_I32 ? 1 : k == ISTHMUS_I64 ? 2 : 0;
  }
  if (self->int_sig && self->wide_params == 0 && self->type->num_params < sizeof vectorcall_i32 / sizeof vectorcall_i32[0])
    self->vectorcall = (vectorcallfunc)vectorcall_i32[self->type->num_params];
  self->name = (name && name != Py_None) ? Py_NewRef(name) : PyUnicode_FromString("<funcref>");
  self->host = NULL;
  self->release_gil = -1;
  self->long_calls = 0;
  self->short_streak = 0;
  self->probe = IST_PROBE_CALLS;
  self->countdown = 1;
  self->weakreflist = NULL;
  if (!self->name) {
    Py_DECREF(self);
    return NULL;
  }
  PyObject_GC_Track(self);
  return (PyObject *)self;
}

int ist_functype_parse(PyObject *params, PyObject *results, isthmus_valtype *buf, size_t cap,
                       isthmus_functype *out) {
  PyObject *p = PySequence_Fast(params, "params must be a sequence of type names");
  if (!p) return -1;
  PyObject *r = PySequence_Fast(results, "results must be a sequence of type names");
  if (!r) {
    Py_DECREF(p);
    return -1;
  }
  size_t np = (size_t)PySequence_Fast_GET_SIZE(p), nr = (size_t)PySequence_Fast_GET_SIZE(r);
  int rc = -1;
  if (np + nr > cap) {
    PyErr_Format(PyExc_ValueError, "too many parameters and results (%zu, at most %zu)", np + nr, cap);
    goto out;
  }
  for (size_t i = 0; i < np; i++)
    if (ist_valtype_parse(PySequence_Fast_GET_ITEM(p, i), &buf[i]) < 0) goto out;
  for (size_t i = 0; i < nr; i++)
    if (ist_valtype_parse(PySequence_Fast_GET_ITEM(r, i), &buf[np + i]) < 0) goto out;
  out->num_params = (uint32_t)np;
  out->num_results = (uint32_t)nr;
  out->params = np ? buf : NULL;
  out->results = nr ? buf + np : NULL;
  rc = 0;
out:
  Py_DECREF(p);
  Py_DECREF(r);
  return rc;
}

/* Func(store, callable, type): a host function. `type` is a FuncType or (params, results). */
static PyObject *func_new(PyTypeObject *tp, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"store", "callable", "type", "name", NULL};
  PyObject *store, *callable, *type, *name = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|$O:Func", kwlist, &store, &callable, &type, &name)) return NULL;
  ist_state *st = ist_state_of_type(tp);
  if (!st) return NULL;
  if (!PyObject_TypeCheck(store, st->Store)) {
    PyErr_Format(PyExc_TypeError, "Func() argument 'store' must be isthmus.Store, not %.100s",
                 Py_TYPE(store)->tp_name);
    return NULL;
  }
  if (!PyCallable_Check(callable)) {
    PyErr_Format(PyExc_TypeError, "Func() argument 'callable' must be callable, not %.100s",
                 Py_TYPE(callable)->tp_name);
    return NULL;
  }
  if (name != Py_None && !PyUnicode_Check(name)) {
    PyErr_SetString(PyExc_TypeError, "Func() argument 'name' must be str or None");
    return NULL;
  }
  PyObject *pair = PySequence_Fast(type, "Func() argument 'type' must be a FuncType or a (params, results) pair");
  if (!pair) return NULL;
  if (PySequence_Fast_GET_SIZE(pair) != 2) {
    Py_DECREF(pair);
    PyErr_SetString(PyExc_TypeError, "Func() argument 'type' must be a FuncType or a (params, results) pair");
    return NULL;
  }
  isthmus_valtype buf[256];
  isthmus_functype ft;
  int r = ist_functype_parse(PySequence_Fast_GET_ITEM(pair, 0), PySequence_Fast_GET_ITEM(pair, 1), buf, 256, &ft);
  Py_DECREF(pair);
  if (r < 0) return NULL;
  return ist_func_new_host((StoreObject *)store, &ft, callable, name);
}

static int func_traverse(FuncObject *self, visitproc visit, void *arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(self->store);
  Py_VISIT(self->host);
  return 0;
}

static int func_clear(FuncObject *self) {
  Py_CLEAR(self->host);
  return 0;
}

static void func_dealloc(FuncObject *self) {
  PyTypeObject *tp = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
  Py_CLEAR(self->host);
  Py_CLEAR(self->name);
  Py_CLEAR(self->store);
  PyObject_GC_Del(self);
  Py_DECREF(tp);
}

static PyObject *func_repr(FuncObject *self) {
  PyObject *t = ist_functype_py(self->store->ms, self->type);
  if (!t) return NULL;
  PyObject *r = PyUnicode_FromFormat("<isthmus.Func %U %S>", self->name, t);
  Py_DECREF(t);
  return r;
}

static PyObject *func_get_type(FuncObject *self, void *c) { return ist_functype_py(self->store->ms, self->type); }
static PyObject *func_get_name(FuncObject *self, void *c) { return Py_NewRef(self->name); }
static PyObject *func_get_store(FuncObject *self, void *c) { return Py_NewRef(self->store); }
static PyObject *func_get_host(FuncObject *self, void *c) { return Py_NewRef(self->host ? self->host : Py_None); }

static PyObject *func_get_doc(FuncObject *self, void *c) {
  PyObject *h = PyDict_GetItemString(self->store->ms->helpers, "doc");
  if (h) return PyObject_CallOneArg(h, (PyObject *)self);
  Py_RETURN_NONE;
}

static PyObject *func_get_signature(FuncObject *self, void *c) {
  PyObject *h = PyDict_GetItemString(self->store->ms->helpers, "signature");
  if (h) return PyObject_CallOneArg(h, (PyObject *)self);
  PyErr_SetString(PyExc_AttributeError, "__signature__ needs the isthmus package");
  return NULL;
}

static PyObject *func_get_release_gil(FuncObject *self, void *c) {
  if (self->release_gil < 0) Py_RETURN_NONE;
  return PyBool_FromLong(self->release_gil);
}

static int func_set_release_gil(FuncObject *self, PyObject *v, void *c) {
  if (!v || v == Py_None) {
    self->release_gil = -1;
    self->long_calls = 0;
    self->probe = IST_PROBE_CALLS;
    policy_rearm(self);
    return 0;
  }
  if (!PyBool_Check(v)) {
    PyErr_SetString(PyExc_TypeError, "release_gil must be True, False or None (automatic)");
    return -1;
  }
  self->release_gil = v == Py_True;
  policy_rearm(self);
  return 0;
}

static PyObject *func_get_long_calls(FuncObject *self, void *c) { return PyBool_FromLong(self->long_calls); }

static PyObject *func_get_tier(FuncObject *self, void *c) {
  switch (isthmus_func_tier(self->func)) {
    case ISTHMUS_TIER_INTERP: return PyUnicode_FromString("interp");
    case ISTHMUS_TIER_AOT: return PyUnicode_FromString("aot");
    default: Py_RETURN_NONE; /* a host function */
  }
}

static PyGetSetDef func_getset[] = {
    {"type", (getter)func_get_type, NULL, "The function's FuncType(params, results).", NULL},
    {"__name__", (getter)func_get_name, NULL, "Export name (or host function name).", NULL},
    {"__qualname__", (getter)func_get_name, NULL, "Export name (or host function name).", NULL},
    {"__doc__", (getter)func_get_doc, NULL, NULL, NULL},
    {"__signature__", (getter)func_get_signature, NULL, "inspect.Signature with the wasm types.", NULL},
    {"store", (getter)func_get_store, NULL, "The Store the function lives in.", NULL},
    {"host", (getter)func_get_host, NULL, "The Python callable of a host function, else None.", NULL},
    {"release_gil", (getter)func_get_release_gil, (setter)func_set_release_gil,
     "None (default): release the GIL during calls once they prove long; True: always; False: never.", NULL},
    {"long_calls", (getter)func_get_long_calls, NULL, "Whether automatic mode found the calls long.", NULL},
    {"tier", (getter)func_get_tier, NULL,
     "The tier this wasm function runs on now: \"interp\" or \"aot\" (None for host functions).\n"
     "With tier=\"auto\" it changes from \"interp\" to \"aot\" once the function has been hot and\n"
     "its background compile is in use (see Instance.wait_compiled).",
     NULL},
    {NULL},
};

static PyMemberDef func_members[] = {
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(FuncObject, vectorcall), READONLY, NULL},
    {"__weaklistoffset__", T_PYSSIZET, offsetof(FuncObject, weakreflist), READONLY, NULL},
    {NULL},
};

static PyType_Slot func_slots[] = {
    {Py_tp_new, func_new},
    {Py_tp_dealloc, func_dealloc},
    {Py_tp_traverse, func_traverse},
    {Py_tp_clear, func_clear},
    {Py_tp_call, PyVectorcall_Call},
    {Py_tp_repr, func_repr},
    {Py_tp_getset, func_getset},
    {Py_tp_members, func_members},
    {0, NULL},
};

PyType_Spec ist_func_spec = {
    .name = "isthmus.Func",
    .basicsize = sizeof(FuncObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL | Py_TPFLAGS_IMMUTABLETYPE_COMPAT,
    .slots = func_slots,
};
