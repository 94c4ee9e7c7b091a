/* instance.c — Instance: links imports (WASI, Python callables, objects of the same store)
 * and instantiates a Module in a Store; exposes the exports as Python objects. */
#include "ist.h"

static PyObject *type_text(ist_state *st, const isthmus_externtype *t) {
  PyObject *o = ist_externtype_py(st, t);
  if (!o) return NULL;
  PyObject *r = PyObject_Str(o);
  Py_DECREF(o);
  return r;
}

/* Resolves import i from `item`. Returns -1 with an exception set. */
static int resolve_import(StoreObject *s, isthmus_module *m, size_t i, PyObject *item, bool wasi_done,
                          isthmus_extern *out) {
  ist_state *st = s->ms;
  const char *mod, *name;
  size_t ml, nl;
  isthmus_externtype t;
  isthmus_module_import(m, i, &mod, &ml, &name, &nl, &t);
  if (item == Py_None) {
    if (wasi_done) return 0;
    PyObject *tt = type_text(st, &t);
    if (!tt) return -1;
    bool is_wasi = strcmp(mod, "wasi_snapshot_preview1") == 0 || strcmp(mod, "wasi_unstable") == 0;
    ist_err_link(st, mod, name, "missing import %s.%s (%U)%s", mod, name, tt,
                 is_wasi ? (s->wasi ? ": not provided by this WASI implementation"
                                    : ": the module needs WASI; pass wasi=WasiConfig() or use isthmus.load()")
                         : "");
    Py_DECREF(tt);
    return -1;
  }
  if (PyObject_TypeCheck(item, st->Func)) {
    FuncObject *f = (FuncObject *)item;
    if (f->store == s) {
      out->kind = ISTHMUS_EXTERN_FUNC;
      out->of.func = f->func;
      return 0;
    }
    /* A function of another store: call it through a host function of this one. */
    if (t.kind != ISTHMUS_EXTERN_FUNC) goto wrong_kind;
    PyObject *proxy = ist_func_new_host(s, t.of.func, item, f->name);
    if (!proxy) return -1;
    out->kind = ISTHMUS_EXTERN_FUNC;
    out->of.func = ((FuncObject *)proxy)->func;
    Py_DECREF(proxy);
    return 0;
  }
  if (PyObject_TypeCheck(item, st->Memory) || PyObject_TypeCheck(item, st->Global) ||
      PyObject_TypeCheck(item, st->Table)) {
    StoreObject *owner = ((MemoryObject *)item)->store; /* same layout for the three */
    if (owner != s) {
      ist_err_link(st, mod, name,
                   "import %s.%s: a %.50s of another store cannot be shared; create both instances in one "
                   "isthmus.Store",
                   mod, name, Py_TYPE(item)->tp_name);
      return -1;
    }
    return ist_extern_unwrap(s, item, out);
  }
  if (PyCallable_Check(item)) {
    if (t.kind != ISTHMUS_EXTERN_FUNC) goto wrong_kind;
    PyObject *pyname = PyUnicode_FromFormat("%s.%s", mod, name);
    if (!pyname) return -1;
    PyObject *f = ist_func_new_host(s, t.of.func, item, pyname);
    Py_DECREF(pyname);
    if (!f) return -1;
    out->kind = ISTHMUS_EXTERN_FUNC;
    out->of.func = ((FuncObject *)f)->func;
    Py_DECREF(f);
    return 0;
  }
wrong_kind : {
  PyObject *tt = type_text(st, &t);
  if (!tt) return -1;
  ist_err_link(st, mod, name, "import %s.%s expects %U, got %.100s", mod, name, tt, Py_TYPE(item)->tp_name);
  Py_DECREF(tt);
  return -1;
}
}

static PyObject *instance_new(PyTypeObject *tp, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"module", "imports", "store", NULL};
  PyObject *module, *imports = Py_None, *store = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O|O$O:Instance", kwlist, &module, &imports, &store)) return NULL;
  ist_state *st = ist_state_of_type(tp);
  if (!st) return NULL;
  if (!PyObject_TypeCheck(module, st->Module)) {
    PyErr_Format(PyExc_TypeError, "Instance() argument 'module' must be isthmus.Module, not %.100s",
                 Py_TYPE(module)->tp_name);
    return NULL;
  }
  isthmus_module *m = ((ModuleObject *)module)->module;
  StoreObject *s;
  if (store == Py_None) {
    s = ist_store_new(st, (PyObject *)((ModuleObject *)module)->engine);
    if (!s) return NULL;
  } else if (PyObject_TypeCheck(store, st->Store)) {
    s = (StoreObject *)Py_NewRef(store);
    if (s->engine != ((ModuleObject *)module)->engine) {
      Py_DECREF(s);
      PyErr_SetString(PyExc_ValueError, "Instance(): the module and the store were made with different engines");
      return NULL;
    }
  } else {
    PyErr_Format(PyExc_TypeError, "Instance() argument 'store' must be isthmus.Store or None, not %.100s",
                 Py_TYPE(store)->tp_name);
    return NULL;
  }
  size_t n = isthmus_module_import_count(m);
  PyObject *seq = NULL;
  isthmus_extern *ext = NULL;
  bool *resolved = NULL;
  InstanceObject *self = NULL;
  if (imports == Py_None) {
    seq = PyTuple_New(0);
  } else {
    seq = PySequence_Fast(imports, "Instance() argument 'imports' must be a sequence in the module's import order");
  }
  if (!seq) goto fail;
  if ((size_t)PySequence_Fast_GET_SIZE(seq) != n && !(imports == Py_None)) {
    PyErr_Format(PyExc_TypeError, "Instance() argument 'imports' has %zd items but the module has %zu imports",
                 PySequence_Fast_GET_SIZE(seq), n);
    goto fail;
  }
  ext = PyMem_Calloc(n ? n : 1, sizeof *ext);
  resolved = PyMem_Calloc(n ? n : 1, sizeof *resolved);
  if (!ext || !resolved) {
    PyErr_NoMemory();
    goto fail;
  }
  if (s->wasi && n) {
    isthmus_error *err = isthmus_wasi_link(s->wasi, m, ext, resolved);
    if (err) {
      ist_err_raise(st, err);
      goto fail;
    }
  }
  for (size_t i = 0; i < n; i++) {
    PyObject *item = imports == Py_None ? Py_None : PySequence_Fast_GET_ITEM(seq, (Py_ssize_t)i);
    if (resolve_import(s, m, i, item, resolved[i], &ext[i]) < 0) goto fail;
  }
  if (ist_store_check_usable(s) < 0 || ist_store_enter(s) < 0) goto fail;
  isthmus_instance *inst = NULL;
  isthmus_trap *trap = NULL;
  isthmus_error *err = isthmus_instantiate(s->store, m, ext, n, &inst, &trap);
  ist_store_leave(s);
  if (s->depth == 0) Py_CLEAR(s->pending_exc); /* start functions rarely print; keep it simple */
  if (err) {
    ist_err_raise(st, err);
    goto fail;
  }
  if (trap) {
    ist_err_trap(s, trap);
    goto fail;
  }
  self = (InstanceObject *)tp->tp_alloc(tp, 0);
  if (!self) goto fail;
  self->store = s;
  s = NULL;
  self->module = (ModuleObject *)Py_NewRef(module);
  self->inst = inst;
  self->exports = PyDict_New();
  if (!self->exports) goto fail;
  size_t ne = isthmus_instance_export_count(inst);
  for (size_t i = 0; i < ne; i++) {
    const char *name;
    size_t nl;
    isthmus_extern x;
    isthmus_instance_export_nth(inst, i, &name, &nl, &x);
    PyObject *key = PyUnicode_DecodeUTF8(name, (Py_ssize_t)nl, "surrogateescape");
    PyObject *val = key ? ist_extern_wrap(self->store, &x, key) : NULL;
    int r = val ? PyDict_SetItem(self->exports, key, val) : -1;
    Py_XDECREF(key);
    Py_XDECREF(val);
    if (r < 0) goto fail;
  }
  Py_DECREF(seq);
  PyMem_Free(ext);
  PyMem_Free(resolved);
  return (PyObject *)self;
fail:
  Py_XDECREF(seq);
  PyMem_Free(ext);
  PyMem_Free(resolved);
  Py_XDECREF(s);
  Py_XDECREF(self);
  return NULL;
}

static int instance_traverse(InstanceObject *self, visitproc visit, void *arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(self->store);
  Py_VISIT(self->module);
  Py_VISIT(self->exports);
  return 0;
}

static int instance_clear(InstanceObject *self) {
  Py_CLEAR(self->exports);
  return 0;
}

static void instance_dealloc(InstanceObject *self) {
  PyTypeObject *tp = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
  instance_clear(self);
  Py_CLEAR(self->module);
  Py_CLEAR(self->store);
  tp->tp_free(self);
  Py_DECREF(tp);
}

static PyObject *instance_get_exports(InstanceObject *self, void *c) {
  if (!self->exports) return PyDict_New();
  return PyDictProxy_New(self->exports);
}
static PyObject *instance_get_store(InstanceObject *self, void *c) { return Py_NewRef(self->store); }
static PyObject *instance_get_module(InstanceObject *self, void *c) { return Py_NewRef(self->module); }

static PyObject *instance_getitem(InstanceObject *self, PyObject *key) {
  PyObject *v = self->exports ? PyDict_GetItemWithError(self->exports, key) : NULL;
  if (v) return Py_NewRef(v);
  if (!PyErr_Occurred()) PyErr_Format(PyExc_KeyError, "the instance has no export named %R", key);
  return NULL;
}

/* Waits in slices so Ctrl-C stays responsive, with the GIL released and the store's lock held
 * (the switch to compiled code must not race with a call on another thread). */
static PyObject *instance_wait_compiled(InstanceObject *self, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"timeout", NULL};
  PyObject *timeout = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|O:wait_compiled", kwlist, &timeout)) return NULL;
  double limit = -1;
  if (timeout != Py_None) {
    limit = PyFloat_AsDouble(timeout);
    if (limit == -1 && PyErr_Occurred()) return NULL;
    if (!(limit >= 0)) {
      PyErr_SetString(PyExc_ValueError, "wait_compiled() timeout must be None or a number >= 0");
      return NULL;
    }
  }
  StoreObject *s = self->store;
  if (ist_store_enter(s) < 0) return NULL;
  uint32_t left;
  int64_t waited_ms = 0, total_ms = limit < 0 ? -1 : (int64_t)(limit * 1000.0);
  for (;;) {
    int64_t slice = total_ms < 0 ? 100 : total_ms - waited_ms < 100 ? total_ms - waited_ms : 100;
    Py_BEGIN_ALLOW_THREADS
    left = isthmus_store_wait_compiled(s->store, slice);
    Py_END_ALLOW_THREADS
    waited_ms += slice;
    if (left == 0 || (total_ms >= 0 && waited_ms >= total_ms)) break;
    if (PyErr_CheckSignals() < 0) {
      ist_store_leave(s);
      return NULL;
    }
  }
  ist_store_leave(s);
  return PyLong_FromUnsignedLong(left);
}

static PyMethodDef instance_methods[] = {
    {"wait_compiled", (PyCFunction)(void (*)(void))instance_wait_compiled, METH_VARARGS | METH_KEYWORDS,
     "wait_compiled(timeout=None) -> int\n\n"
     "On the AUTO tier (Python's default): waits up to `timeout` seconds (None: until done) for the background\n"
     "compiles of hot functions in this instance's store, then switches the finished ones to\n"
     "native code (unless called from inside a host function, while wasm code runs; they\n"
     "switch at the next call from Python then). Returns how many compiles are still running\n"
     "(0: all finished). Returns 0 at once on the other tiers."},
    {NULL, NULL, 0, NULL},
};

static PyGetSetDef instance_getset[] = {
    {"exports", (getter)instance_get_exports, NULL, "Read-only mapping: export name -> Func/Memory/Global/Table.",
     NULL},
    {"store", (getter)instance_get_store, NULL, "The Store the instance lives in.", NULL},
    {"module", (getter)instance_get_module, NULL, "The Module it was made from.", NULL},
    {NULL},
};

static PyMemberDef instance_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(InstanceObject, weakreflist), READONLY, NULL},
    {NULL},
};

static PyType_Slot instance_slots[] = {
    {Py_tp_new, instance_new},
    {Py_tp_dealloc, instance_dealloc},
    {Py_tp_traverse, instance_traverse},
    {Py_tp_clear, instance_clear},
    {Py_tp_getset, instance_getset},
    {Py_tp_methods, instance_methods},
    {Py_tp_members, instance_members},
    {Py_mp_subscript, instance_getitem},
    {Py_tp_doc, "Instance(module, imports=None, *, store=None)\n\n"
                "Instantiates `module`. `imports` lists one item per module import, in order: a Func,\n"
                "Memory, Global or Table, a Python callable (it becomes a host function with the import's\n"
                "type), or None for an import that the store's WASI provides. isthmus.Instance accepts a\n"
                "{module: {name: value}} mapping as well."},
    {0, NULL},
};

PyType_Spec ist_instance_spec = {
    .name = "isthmus._isthmus.Instance",
    .basicsize = sizeof(InstanceObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_BASETYPE,
    .slots = instance_slots,
};
