/* store.c — Store: owns the engine's isthmus_store (instances, functions, memories, ...),
 * serializes calls (one thread at a time; the owner may re-enter from a host function),
 * hands the GIL back to host functions when a call released it, and sets up WASI. */
#include "ist.h"

/* ---------------------------------------------------------------- the lock */

int ist_store_enter_slow(StoreObject *s) {
  unsigned long me = PyThread_get_thread_ident();
  if (s->owner == me) {
    if (s->host_depth > 0) {
      s->depth++;
      return 0;
    }
    PyErr_SetString(s->ms->Error,
                    "re-entrant call into an instance that is already running on this thread: calling "
                    "back into the guest is allowed only from inside a host function");
    return -1;
  }
  /* Another thread runs the store: wait with the GIL released. `wake` is released by the
   * leaving owner; the timeout covers wake-ups that went to another waiter. */
  s->waiters++;
  while (s->owner != 0) {
    PyLockStatus r;
    Py_BEGIN_ALLOW_THREADS
    r = PyThread_acquire_lock_timed(s->wake, 20000, 1);
    Py_END_ALLOW_THREADS
    if (r != PY_LOCK_ACQUIRED && PyErr_CheckSignals() < 0) {
      s->waiters--;
      return -1;
    }
  }
  s->waiters--;
  s->owner = me;
  s->depth = 1;
  return 0;
}

void ist_store_leave_slow(StoreObject *s) { PyThread_release_lock(s->wake); }

int ist_store_check_usable(StoreObject *s) {
  if (!s->poisoned) return 0;
  PyErr_Format(s->ms->Error,
               "this instance can no longer be called: %U; its state is undefined after a trap, "
               "so create a new instance (for example isthmus.load() again)",
               s->poisoned);
  return -1;
}

/* ---------------------------------------------------------------- the GIL for host code */

void ist_host_gil_enter(StoreObject *s, ist_gil_token *tok) {
  tok->ts = s->released;
  if (tok->ts) {
    s->released = NULL;
    PyEval_RestoreThread(tok->ts);
  }
  /* Ctrl-C while Python host code runs is Python's own business (KeyboardInterrupt there). */
  tok->on_main = PyThread_get_thread_ident() == s->main_thread;
  if (tok->on_main) tok->main_prev = ist_main_swap(NULL);
}

void ist_host_gil_leave(StoreObject *s, ist_gil_token *tok) {
  if (tok->on_main) ist_main_swap(tok->main_prev);
  if (tok->ts) s->released = PyEval_SaveThread();
}

uint64_t ist_store_externref(StoreObject *s, PyObject *o) {
  PyObject *key = PyLong_FromVoidPtr(o);
  if (!key) return 0;
  int r = PyDict_SetItem(s->externrefs, key, o);
  Py_DECREF(key);
  return r < 0 ? 0 : (uint64_t)(uintptr_t)o;
}

/* ---------------------------------------------------------------- Store type */

static PyObject *store_new(PyTypeObject *tp, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"engine", NULL};
  PyObject *engine = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:Store", kwlist, &engine)) return NULL;
  PyObject *module = PyType_GetModule(tp);
  if (!module) return NULL;
  ist_state *ms = ist_state_of_module(module);
  if (engine == Py_None) {
    engine = ist_default_engine(ms);
    if (!engine) return NULL;
  } else if (PyObject_TypeCheck(engine, ms->Engine)) {
    Py_INCREF(engine);
  } else {
    PyErr_Format(PyExc_TypeError, "Store() argument 'engine' must be isthmus.Engine or None, not %.100s",
                 Py_TYPE(engine)->tp_name);
    return NULL;
  }
  StoreObject *self = (StoreObject *)tp->tp_alloc(tp, 0);
  if (!self) {
    Py_DECREF(engine);
    return NULL;
  }
  self->ms = ms;
  self->main_thread = ms->main_thread;
  self->modref = Py_NewRef(module);
  self->engine = (EngineObject *)engine;
  self->externrefs = PyDict_New();
  self->wake = PyThread_allocate_lock();
  self->store = isthmus_store_new(self->engine->engine);
  if (!self->externrefs || !self->wake || !self->store) {
    Py_DECREF(self);
    return PyErr_Occurred() ? NULL : PyErr_NoMemory();
  }
  PyThread_acquire_lock(self->wake, 1); /* starts taken: release = wake a waiter */
  isthmus_store_set_data(self->store, self);
  for (int i = 0; i < 3; i++) self->stdio_env[i] = (struct ist_stdio_env){self, i};
  if (PyThread_get_thread_ident() == ms->main_thread) ist_sigint_ensure();
  return (PyObject *)self;
}

StoreObject *ist_store_new(ist_state *ms, PyObject *engine) {
  PyObject *args = engine ? PyTuple_Pack(1, engine) : PyTuple_New(0);
  if (!args) return NULL;
  PyObject *r = store_new(ms->Store, args, NULL);
  Py_DECREF(args);
  return (StoreObject *)r;
}

static int store_traverse(StoreObject *self, visitproc visit, void *arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(self->modref);
  Py_VISIT(self->engine);
  Py_VISIT(self->externrefs);
  Py_VISIT(self->host_exc);
  Py_VISIT(self->pending_exc);
  for (int i = 0; i < 3; i++) Py_VISIT(self->stdio[i]);
  for (size_t i = 0; i < self->num_hosts; i++) {
    int r = ist_host_traverse(self->hosts[i], visit, arg);
    if (r) return r;
  }
  return 0;
}

static int store_clear(StoreObject *self) {
  /* Only reached for unreachable cycles: nothing can call into the store any more. */
  Py_CLEAR(self->host_exc);
  Py_CLEAR(self->pending_exc);
  for (int i = 0; i < 3; i++) Py_CLEAR(self->stdio[i]);
  for (size_t i = 0; i < self->num_hosts; i++) ist_host_clear(self->hosts[i]);
  return 0;
}

static void store_dealloc(StoreObject *self) {
  PyTypeObject *tp = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
  /* Deleting the store runs the host functions' finalizers (they drop their callables). */
  if (self->store) isthmus_store_delete(self->store);
  if (self->wasi) isthmus_wasi_delete(self->wasi);
  PyMem_Free(self->hosts); /* the envs themselves went with the store's finalizers */
  self->hosts = NULL;
  self->num_hosts = 0;
  if (self->wake) PyThread_free_lock(self->wake);
  store_clear(self);
  Py_CLEAR(self->poisoned);
  Py_CLEAR(self->externrefs); /* after the store: wasm held raw pointers to these */
  Py_CLEAR(self->engine);
  Py_CLEAR(self->modref);
  tp->tp_free(self);
  Py_DECREF(tp);
}

static PyObject *store_interrupt(StoreObject *self, PyObject *unused) {
  isthmus_store_interrupt(self->store);
  Py_RETURN_NONE;
}

static PyObject *store_get_engine(StoreObject *self, void *c) { return Py_NewRef(self->engine); }
static PyObject *store_get_poisoned(StoreObject *self, void *c) {
  return Py_NewRef(self->poisoned ? self->poisoned : Py_None);
}
static PyObject *store_get_has_wasi(StoreObject *self, void *c) { return PyBool_FromLong(self->wasi != NULL); }

/* ---------------------------------------------------------------- WASI */

static int stdio_write(void *env, const uint8_t *data, size_t len) {
  struct ist_stdio_env *e = env;
  StoreObject *s = e->s;
  ist_gil_token tok;
  ist_host_gil_enter(s, &tok);
  s->host_depth++;
  int rc = 0;
  PyObject *fn = s->stdio[e->fd];
  PyObject *b = PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)len);
  PyObject *r = (b && fn) ? PyObject_CallOneArg(fn, b) : NULL;
  Py_XDECREF(b);
  if (r) {
    Py_DECREF(r);
  } else {
    rc = -1;
    PyObject *exc = ist_fetch_exception();
    if (exc && !s->pending_exc) s->pending_exc = exc;
    else Py_XDECREF(exc);
  }
  s->host_depth--;
  ist_host_gil_leave(s, &tok);
  return rc;
}

static int64_t stdio_read(void *env, uint8_t *buf, size_t cap) {
  struct ist_stdio_env *e = env;
  StoreObject *s = e->s;
  ist_gil_token tok;
  ist_host_gil_enter(s, &tok);
  s->host_depth++;
  int64_t rc = -1;
  PyObject *fn = s->stdio[0];
  PyObject *r = fn ? PyObject_CallFunction(fn, "n", (Py_ssize_t)cap) : NULL;
  if (r) {
    Py_buffer view;
    if (PyObject_GetBuffer(r, &view, PyBUF_SIMPLE) == 0) {
      if ((size_t)view.len <= cap) {
        memcpy(buf, view.buf, (size_t)view.len);
        rc = view.len;
      } else {
        PyErr_Format(PyExc_ValueError, "stdin reader returned %zd bytes, more than the %zu asked for", view.len,
                     cap);
      }
      PyBuffer_Release(&view);
    }
    Py_DECREF(r);
  }
  if (rc < 0) {
    PyObject *exc = ist_fetch_exception();
    if (exc && !s->pending_exc) s->pending_exc = exc;
    else Py_XDECREF(exc);
  }
  s->host_depth--;
  ist_host_gil_leave(s, &tok);
  return rc;
}

static const char *utf8_of(PyObject *o, const char *what) {
  if (!PyUnicode_Check(o)) {
    PyErr_Format(PyExc_TypeError, "%s must be str, not %.100s", what, Py_TYPE(o)->tp_name);
    return NULL;
  }
  return PyUnicode_AsUTF8(o);
}

/* stdio spec: None (inherit), "null", ("file", path) or a callable. */
static int wasi_stdio(StoreObject *self, isthmus_wasi_config *c, int fd, PyObject *spec) {
  static const char *names[] = {"stdin", "stdout", "stderr"};
  if (spec == Py_None) {
    isthmus_wasi_config_stdio_inherit(c, fd);
    return 0;
  }
  if (PyUnicode_Check(spec) && PyUnicode_CompareWithASCIIString(spec, "null") == 0) {
    isthmus_wasi_config_stdio_null(c, fd);
    return 0;
  }
  if (PyTuple_Check(spec) && PyTuple_GET_SIZE(spec) == 2) {
    PyObject *path = NULL;
    if (!PyUnicode_FSConverter(PyTuple_GET_ITEM(spec, 1), &path)) return -1;
    isthmus_wasi_config_stdio_file(c, fd, PyBytes_AS_STRING(path));
    Py_DECREF(path);
    return 0;
  }
  if (PyCallable_Check(spec)) {
    Py_XSETREF(self->stdio[fd], Py_NewRef(spec));
    if (fd == 0) isthmus_wasi_config_stdin_callback(c, stdio_read, &self->stdio_env[0]);
    else isthmus_wasi_config_stdout_callback(c, fd, stdio_write, &self->stdio_env[fd]);
    return 0;
  }
  PyErr_Format(PyExc_TypeError, "%s must be None, 'null', ('file', path) or a callable, not %.100s", names[fd],
               Py_TYPE(spec)->tp_name);
  return -1;
}

static PyObject *store_set_wasi(StoreObject *self, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"args", "env", "inherit_env", "preopens", "stdin", "stdout", "stderr", NULL};
  PyObject *argv, *env, *preopens, *io[3] = {Py_None, Py_None, Py_None};
  int inherit_env = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O!O!pO!|OOO:_set_wasi", kwlist, &PyList_Type, &argv, &PyList_Type,
                                   &env, &inherit_env, &PyList_Type, &preopens, &io[0], &io[1], &io[2]))
    return NULL;
  if (!isthmus_wasi_new) {
    PyErr_SetString(self->ms->Error, "WASI is not available in this build of isthmus");
    return NULL;
  }
  if (self->wasi) {
    PyErr_SetString(self->ms->Error, "WASI is already set up for this store");
    return NULL;
  }
  isthmus_wasi_config *c = isthmus_wasi_config_new();
  if (!c) return PyErr_NoMemory();
  Py_ssize_t argc = PyList_GET_SIZE(argv);
  const char **av = PyMem_Calloc((size_t)argc + 1, sizeof *av);
  if (!av) goto fail;
  for (Py_ssize_t i = 0; i < argc; i++)
    if (!(av[i] = utf8_of(PyList_GET_ITEM(argv, i), "args item"))) goto fail;
  isthmus_wasi_config_set_args(c, (size_t)argc, av);
  if (inherit_env) isthmus_wasi_config_inherit_env(c);
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(env); i++) {
    PyObject *kv = PyList_GET_ITEM(env, i);
    if (!PyTuple_Check(kv) || PyTuple_GET_SIZE(kv) != 2) {
      PyErr_SetString(PyExc_TypeError, "env items must be (name, value) pairs");
      goto fail;
    }
    const char *k = utf8_of(PyTuple_GET_ITEM(kv, 0), "env name"), *v = k ? utf8_of(PyTuple_GET_ITEM(kv, 1), "env value") : NULL;
    if (!v) goto fail;
    isthmus_wasi_config_set_env(c, k, v);
  }
  for (Py_ssize_t i = 0; i < PyList_GET_SIZE(preopens); i++) {
    PyObject *p = PyList_GET_ITEM(preopens, i), *host = NULL;
    if (!PyTuple_Check(p) || PyTuple_GET_SIZE(p) != 3) {
      PyErr_SetString(PyExc_TypeError, "preopens items must be (host_path, guest_path, readonly) triples");
      goto fail;
    }
    const char *guest = utf8_of(PyTuple_GET_ITEM(p, 1), "guest path");
    if (!guest || !PyUnicode_FSConverter(PyTuple_GET_ITEM(p, 0), &host)) goto fail;
    int ro = PyObject_IsTrue(PyTuple_GET_ITEM(p, 2));
    if (ro >= 0) isthmus_wasi_config_preopen_dir(c, PyBytes_AS_STRING(host), guest, ro);
    Py_DECREF(host);
    if (ro < 0) goto fail;
  }
  for (int fd = 0; fd < 3; fd++)
    if (wasi_stdio(self, c, fd, io[fd]) < 0) goto fail;
  isthmus_wasi *w = NULL;
  isthmus_error *err = isthmus_wasi_new(self->store, c, &w);
  isthmus_wasi_config_delete(c);
  PyMem_Free(av);
  if (err) return ist_err_raise(self->ms, err);
  self->wasi = w;
  Py_RETURN_NONE;
fail:
  isthmus_wasi_config_delete(c);
  PyMem_Free(av);
  return NULL;
}

static PyMethodDef store_methods[] = {
    {"interrupt", (PyCFunction)store_interrupt, METH_NOARGS,
     "interrupt()\n\nStops the call running in this store (from any thread): it raises Trap with code\n"
     "INTERRUPTED at the next loop header or function entry."},
    {"_set_wasi", (PyCFunction)(void (*)(void))store_set_wasi, METH_VARARGS | METH_KEYWORDS,
     "_set_wasi(args, env, inherit_env, preopens, stdin=None, stdout=None, stderr=None)\n\n"
     "Low-level WASI set-up; use WasiConfig."},
    {NULL},
};

static PyGetSetDef store_getset[] = {
    {"engine", (getter)store_get_engine, NULL, "The Engine of this store.", NULL},
    {"poisoned", (getter)store_get_poisoned, NULL, "Why calls are refused (after a trap), or None.", NULL},
    {"has_wasi", (getter)store_get_has_wasi, NULL, "Whether WASI is set up.", NULL},
    {NULL},
};

static PyMemberDef store_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(StoreObject, weakreflist), READONLY, NULL},
    {NULL},
};

static PyType_Slot store_slots[] = {
    {Py_tp_new, store_new},
    {Py_tp_dealloc, store_dealloc},
    {Py_tp_traverse, store_traverse},
    {Py_tp_clear, store_clear},
    {Py_tp_methods, store_methods},
    {Py_tp_getset, store_getset},
    {Py_tp_members, store_members},
    {Py_tp_doc, "Store(engine=None)\n\n"
                "Owns instances and everything they make (functions, memories, tables, globals) and runs\n"
                "them one thread at a time. Instances linked to each other share a store; by default each\n"
                "Instance gets its own."},
    {0, NULL},
};

PyType_Spec ist_store_spec = {
    .name = "isthmus.Store",
    .basicsize = sizeof(StoreObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE_COMPAT,
    .slots = store_slots,
};
