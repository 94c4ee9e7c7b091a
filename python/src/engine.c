/* engine.c — Engine (configuration) and Module (decoded + validated, immutable, shareable
 * between instances and threads). Decoding and validation run with the GIL released. */
#include "ist.h"

/* ---------------------------------------------------------------- Engine */

static PyObject *engine_new(PyTypeObject *tp, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"value_stack_bytes", "max_call_depth", "max_memory_pages", "tier", NULL};
  PyObject *stack = Py_None, *depth = Py_None, *pages = Py_None, *tier = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "|$OOOO:Engine", kwlist, &stack, &depth, &pages, &tier))
    return NULL;
  isthmus_config cfg;
  isthmus_config_init(&cfg);
  if (stack != Py_None) {
    size_t v = PyLong_AsSize_t(stack);
    if (v == (size_t)-1 && PyErr_Occurred()) return NULL;
    if (v < 4096) {
      PyErr_SetString(PyExc_ValueError, "Engine() value_stack_bytes must be at least 4096");
      return NULL;
    }
    cfg.value_stack_bytes = v;
  }
  if (depth != Py_None) {
    unsigned long v = PyLong_AsUnsignedLong(depth);
    if (v == (unsigned long)-1 && PyErr_Occurred()) return NULL;
    if (v == 0 || v > UINT32_MAX) {
      PyErr_SetString(PyExc_OverflowError, "Engine() max_call_depth must be in 1..4294967295");
      return NULL;
    }
    cfg.max_call_depth = (uint32_t)v;
  }
  if (pages != Py_None) {
    unsigned long v = PyLong_AsUnsignedLong(pages);
    if (v == (unsigned long)-1 && PyErr_Occurred()) return NULL;
    if (v > 65536) {
      PyErr_SetString(PyExc_OverflowError, "Engine() max_memory_pages must be in 0..65536");
      return NULL;
    }
    cfg.max_memory_pages = (uint32_t)v;
  }
  if (tier == Py_None) {
    /* Python's default is the AUTO tier (the C API's is the interpreter): interpreted at
     * once, hot functions compiled in the background. ISTHMUS_TIER, when set, decides. */
    const char *e = getenv("ISTHMUS_TIER");
    if (!e || !*e) isthmus_config_tier(&cfg, ISTHMUS_TIER_AUTO);
  } else {
    const char *t = PyUnicode_Check(tier) ? PyUnicode_AsUTF8(tier) : NULL;
    if (!t) {
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_TypeError, "Engine() tier must be a str");
      return NULL;
    }
    if (!strcmp(t, "interp")) isthmus_config_tier(&cfg, ISTHMUS_TIER_INTERP);
    else if (!strcmp(t, "aot")) isthmus_config_tier(&cfg, ISTHMUS_TIER_AOT);
    else if (!strcmp(t, "auto")) isthmus_config_tier(&cfg, ISTHMUS_TIER_AUTO);
    else {
      PyErr_Format(PyExc_ValueError, "Engine() tier must be 'interp', 'aot' or 'auto', not %R", tier);
      return NULL;
    }
  }
  EngineObject *self = (EngineObject *)tp->tp_alloc(tp, 0);
  if (!self) return NULL;
  self->engine = isthmus_engine_new(&cfg);
  if (!self->engine) {
    Py_DECREF(self);
    return PyErr_NoMemory();
  }
  return (PyObject *)self;
}

static void engine_dealloc(EngineObject *self) {
  PyTypeObject *tp = Py_TYPE(self);
  if (self->engine) isthmus_engine_delete(self->engine);
  tp->tp_free(self);
  Py_DECREF(tp);
}

static PyType_Slot engine_slots[] = {
    {Py_tp_new, engine_new},
    {Py_tp_dealloc, engine_dealloc},
    {Py_tp_doc, "Engine(*, value_stack_bytes=None, max_call_depth=None, max_memory_pages=None, tier=None)\n\n"
                "Configuration shared by modules and stores: the value stack per store (default 16 MiB),\n"
                "the maximum call depth (default 100000), a cap on memory sizes in 64 KiB pages, and the\n"
                "execution tier: 'interp', 'aot' (compile each module with the system C compiler first)\n"
                "or 'auto' (start interpreted, compile hot functions in the background; see Func.tier);\n"
                "None follows $ISTHMUS_TIER when it is set, else 'auto'."},
    {0, NULL},
};

PyType_Spec ist_engine_spec = {
    .name = "isthmus.Engine",
    .basicsize = sizeof(EngineObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_IMMUTABLETYPE_COMPAT,
    .slots = engine_slots,
};

/* ---------------------------------------------------------------- Module */

static PyObject *module_from_bytes(PyTypeObject *tp, const uint8_t *data, size_t len, PyObject *engine_arg) {
  ist_state *st = ist_state_of_type(tp);
  if (!st) return NULL;
  PyObject *engine;
  if (engine_arg == NULL || engine_arg == Py_None) {
    engine = ist_default_engine(st);
    if (!engine) return NULL;
  } else if (PyObject_TypeCheck(engine_arg, st->Engine)) {
    engine = Py_NewRef(engine_arg);
  } else {
    PyErr_Format(PyExc_TypeError, "Module() argument 'engine' must be isthmus.Engine or None, not %.100s",
                 Py_TYPE(engine_arg)->tp_name);
    return NULL;
  }
  isthmus_module *m = NULL;
  isthmus_error *err;
  isthmus_engine *e = ((EngineObject *)engine)->engine;
  if (len > 65536) {
    Py_BEGIN_ALLOW_THREADS
    err = isthmus_module_new(e, data, len, &m);
    Py_END_ALLOW_THREADS
  } else {
    err = isthmus_module_new(e, data, len, &m);
  }
  if (err) {
    Py_DECREF(engine);
    return ist_err_raise(st, err);
  }
  ModuleObject *self = (ModuleObject *)tp->tp_alloc(tp, 0);
  if (!self) {
    isthmus_module_delete(m);
    Py_DECREF(engine);
    return NULL;
  }
  self->engine = (EngineObject *)engine;
  self->module = m;
  return (PyObject *)self;
}

static PyObject *module_new(PyTypeObject *tp, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"source", "engine", NULL};
  Py_buffer buf;
  PyObject *engine = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "y*|$O:Module", kwlist, &buf, &engine)) return NULL;
  /* The engine copies the bytes; keep the buffer only for the duration of the call. */
  PyObject *r = module_from_bytes(tp, buf.buf, (size_t)buf.len, engine);
  PyBuffer_Release(&buf);
  return r;
}

static PyObject *module_from_file(PyTypeObject *tp, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"path", "engine", NULL};
  PyObject *path, *engine = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "O&|$O:from_file", kwlist, PyUnicode_FSConverter, &path, &engine))
    return NULL;
  PyObject *io = PyImport_ImportModule("io");
  PyObject *data = NULL;
  if (io) {
    PyObject *f = PyObject_CallMethod(io, "open", "Os", path, "rb");
    if (f) {
      data = PyObject_CallMethod(f, "read", NULL);
      PyObject *r = PyObject_CallMethod(f, "close", NULL);
      Py_XDECREF(r);
      Py_DECREF(f);
    }
    Py_DECREF(io);
  }
  Py_DECREF(path);
  if (!data) return NULL;
  PyObject *r = module_from_bytes(tp, (const uint8_t *)PyBytes_AS_STRING(data), (size_t)PyBytes_GET_SIZE(data),
                                  engine);
  Py_DECREF(data);
  return r;
}

static void module_dealloc(ModuleObject *self) {
  PyTypeObject *tp = Py_TYPE(self);
  if (self->weakreflist) PyObject_ClearWeakRefs((PyObject *)self);
  if (self->module) isthmus_module_delete(self->module);
  Py_XDECREF(self->engine);
  tp->tp_free(self);
  Py_DECREF(tp);
}

static PyObject *name_str(const char *s, size_t n) { return PyUnicode_DecodeUTF8(s, (Py_ssize_t)n, "surrogateescape"); }

/* Calls helper `name` with args when the Python layer registered it, else packs a tuple. */
static PyObject *make_record(ist_state *st, const char *name, PyObject *a, PyObject *b, PyObject *c) {
  PyObject *h = PyDict_GetItemString(st->helpers, name);
  if (h) return c ? PyObject_CallFunctionObjArgs(h, a, b, c, NULL) : PyObject_CallFunctionObjArgs(h, a, b, NULL);
  return c ? PyTuple_Pack(3, a, b, c) : PyTuple_Pack(2, a, b);
}

/* The list of a module's n imports, exports or custom sections: item i made by item(). */
typedef PyObject *(*item_fn)(ModuleObject *self, ist_state *st, size_t i);
static PyObject *list_of(ModuleObject *self, size_t n, item_fn item) {
  ist_state *st = ist_state_of_type(Py_TYPE(self));
  if (!st) return NULL;
  PyObject *list = PyList_New((Py_ssize_t)n);
  if (!list) return NULL;
  for (size_t i = 0; i < n; i++) {
    PyObject *it = item(self, st, i);
    if (!it) {
      Py_DECREF(list);
      return NULL;
    }
    PyList_SET_ITEM(list, (Py_ssize_t)i, it);
  }
  return list;
}

static PyObject *import_item(ModuleObject *self, ist_state *st, size_t i) {
  const char *mod, *name;
  size_t ml, nl;
  isthmus_externtype t;
  isthmus_module_import(self->module, i, &mod, &ml, &name, &nl, &t);
  PyObject *a = name_str(mod, ml), *b = name_str(name, nl), *c = ist_externtype_py(st, &t);
  PyObject *item = (a && b && c) ? make_record(st, "importtype", a, b, c) : NULL;
  Py_XDECREF(a);
  Py_XDECREF(b);
  Py_XDECREF(c);
  return item;
}

static PyObject *export_item(ModuleObject *self, ist_state *st, size_t i) {
  const char *name;
  size_t nl;
  isthmus_externtype t;
  isthmus_module_export(self->module, i, &name, &nl, &t);
  PyObject *b = name_str(name, nl), *c = ist_externtype_py(st, &t);
  PyObject *item = (b && c) ? make_record(st, "exporttype", b, c, NULL) : NULL;
  Py_XDECREF(b);
  Py_XDECREF(c);
  return item;
}

static PyObject *custom_item(ModuleObject *self, ist_state *st, size_t i) {
  const char *name;
  size_t nl, dl;
  const uint8_t *data;
  isthmus_module_custom(self->module, i, &name, &nl, &data, &dl);
  PyObject *b = name_str(name, nl), *c = PyBytes_FromStringAndSize((const char *)data, (Py_ssize_t)dl);
  PyObject *item = (b && c) ? PyTuple_Pack(2, b, c) : NULL;
  Py_XDECREF(b);
  Py_XDECREF(c);
  return item;
}

static PyObject *module_imports(ModuleObject *self, void *closure) {
  return list_of(self, isthmus_module_import_count(self->module), import_item);
}
static PyObject *module_exports(ModuleObject *self, void *closure) {
  return list_of(self, isthmus_module_export_count(self->module), export_item);
}
static PyObject *module_customs(ModuleObject *self, void *closure) {
  return list_of(self, isthmus_module_custom_count(self->module), custom_item);
}

static PyObject *module_start(ModuleObject *self, void *closure) {
  int64_t s = isthmus_module_start(self->module);
  if (s < 0) Py_RETURN_NONE;
  return PyLong_FromLongLong(s);
}

static PyObject *module_engine(ModuleObject *self, void *closure) { return Py_NewRef(self->engine); }

static PyObject *module_func_name(ModuleObject *self, PyObject *arg) {
  unsigned long idx = PyLong_AsUnsignedLong(arg);
  if (idx == (unsigned long)-1 && PyErr_Occurred()) return NULL;
  if (idx >= isthmus_module_func_count(self->module)) {
    PyErr_Format(PyExc_IndexError, "function index %lu out of range (the module has %u functions)", idx,
                 isthmus_module_func_count(self->module));
    return NULL;
  }
  const char *n = isthmus_module_func_name(self->module, (uint32_t)idx);
  if (!n) Py_RETURN_NONE;
  return PyUnicode_DecodeUTF8(n, (Py_ssize_t)strlen(n), "replace");
}

static PyObject *module_func_count(ModuleObject *self, void *closure) {
  return PyLong_FromUnsignedLong(isthmus_module_func_count(self->module));
}

static PyGetSetDef module_getset[] = {
    {"imports", (getter)module_imports, NULL, "Imports: a list of ImportType(module, name, type).", NULL},
    {"exports", (getter)module_exports, NULL, "Exports: a list of ExportType(name, type).", NULL},
    {"custom_sections", (getter)module_customs, NULL, "Custom sections: a list of (name, bytes) in module order.",
     NULL},
    {"start", (getter)module_start, NULL, "Index of the start function, or None.", NULL},
    {"engine", (getter)module_engine, NULL, "The Engine the module was made with.", NULL},
    {"func_count", (getter)module_func_count, NULL, "Functions in the module (imported and defined).", NULL},
    {NULL},
};

static PyMethodDef module_methods[] = {
    {"from_file", (PyCFunction)(void (*)(void))module_from_file, METH_VARARGS | METH_KEYWORDS | METH_CLASS,
     "from_file(path, *, engine=None) -> Module\n\nReads, decodes and validates a .wasm file."},
    {"func_name", (PyCFunction)module_func_name, METH_O,
     "func_name(index) -> str | None\n\nThe name of function `index` from the name section."},
    {NULL},
};

static PyMemberDef module_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(ModuleObject, weakreflist), READONLY, NULL},
    {NULL},
};

static PyType_Slot module_slots[] = {
    {Py_tp_new, module_new},
    {Py_tp_dealloc, module_dealloc},
    {Py_tp_getset, module_getset},
    {Py_tp_methods, module_methods},
    {Py_tp_members, module_members},
    {Py_tp_doc, "Module(source, *, engine=None)\n\n"
                "A decoded and validated WebAssembly module made from bytes (or Module.from_file(path)).\n"
                "Immutable; instantiate it any number of times. Raises DecodeError or ValidationError."},
    {0, NULL},
};

PyType_Spec ist_module_spec = {
    .name = "isthmus.Module",
    .basicsize = sizeof(ModuleObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_BASETYPE,
    .slots = module_slots,
};
