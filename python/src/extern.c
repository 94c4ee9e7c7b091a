/* extern.c — Memory (buffer protocol), Global and Table objects, and conversions between
 * Python values and wasm values/types. */
#include <math.h>

#include "ist.h"

/* ---------------------------------------------------------------- value types */

PyObject *ist_valtype_str(isthmus_valtype t) { return PyUnicode_FromString(isthmus_valtype_name(t)); }

int ist_valtype_parse(PyObject *name, isthmus_valtype *out) {
  static const struct {
    const char *name;
    isthmus_valtype t;
  } table[] = {{"i32", ISTHMUS_I32},         {"i64", ISTHMUS_I64},      {"f32", ISTHMUS_F32},
               {"f64", ISTHMUS_F64},         {"v128", ISTHMUS_V128},    {"funcref", ISTHMUS_FUNCREF},
               {"externref", ISTHMUS_EXTERNREF}};
  if (PyUnicode_Check(name)) {
    const char *s = PyUnicode_AsUTF8(name);
    if (!s) return -1;
    for (size_t i = 0; i < sizeof table / sizeof *table; i++)
      if (strcmp(s, table[i].name) == 0) {
        *out = table[i].t;
        return 0;
      }
    PyErr_Format(PyExc_ValueError, "unknown wasm value type %R (expected i32, i64, f32, f64, funcref or externref)",
                 name);
    return -1;
  }
  PyErr_Format(PyExc_TypeError, "a wasm value type must be a str such as 'i32', not %.100s", Py_TYPE(name)->tp_name);
  return -1;
}

static PyObject *valtypes_tuple(const isthmus_valtype *v, uint32_t n) {
  PyObject *t = PyTuple_New(n);
  if (!t) return NULL;
  for (uint32_t i = 0; i < n; i++) {
    PyObject *s = ist_valtype_str(v[i]);
    if (!s) {
      Py_DECREF(t);
      return NULL;
    }
    PyTuple_SET_ITEM(t, i, s);
  }
  return t;
}

static PyObject *call_helper(ist_state *st, const char *name, PyObject *args) {
  if (!args) return NULL;
  PyObject *h = PyDict_GetItemString(st->helpers, name);
  if (!h) return args;
  PyObject *r = PyObject_CallObject(h, args);
  Py_DECREF(args);
  return r;
}

static PyObject *opt_u64(bool has, uint64_t v) { return has ? PyLong_FromUnsignedLongLong(v) : Py_NewRef(Py_None); }

PyObject *ist_functype_py(ist_state *st, const isthmus_functype *t) {
  PyObject *p = valtypes_tuple(t->params, t->num_params), *r = valtypes_tuple(t->results, t->num_results);
  PyObject *args = (p && r) ? PyTuple_Pack(2, p, r) : NULL;
  Py_XDECREF(p);
  Py_XDECREF(r);
  return call_helper(st, "functype", args);
}

static PyObject *memtype_py(ist_state *st, const isthmus_memtype *m) {
  return call_helper(st, "memorytype",
                     Py_BuildValue("(KN)", (unsigned long long)m->limits.min, opt_u64(m->limits.has_max, m->limits.max)));
}

static PyObject *tabletype_py(ist_state *st, const isthmus_tabletype *t) {
  return call_helper(st, "tabletype",
                     Py_BuildValue("(NKN)", ist_valtype_str(t->elem), (unsigned long long)t->limits.min,
                                   opt_u64(t->limits.has_max, t->limits.max)));
}

static PyObject *globaltype_py(ist_state *st, const isthmus_globaltype *g) {
  return call_helper(st, "globaltype", Py_BuildValue("(NO)", ist_valtype_str(g->type), g->mutable_ ? Py_True : Py_False));
}

PyObject *ist_externtype_py(ist_state *st, const isthmus_externtype *t) {
  switch (t->kind) {
    case ISTHMUS_EXTERN_FUNC: return ist_functype_py(st, t->of.func);
    case ISTHMUS_EXTERN_MEMORY: return memtype_py(st, &t->of.memory);
    case ISTHMUS_EXTERN_TABLE: return tabletype_py(st, &t->of.table);
    case ISTHMUS_EXTERN_GLOBAL: return globaltype_py(st, &t->of.global);
  }
  Py_RETURN_NONE;
}

/* ---------------------------------------------------------------- values */

static int range_error(const char *what, PyObject *o, const char *type, const char *range) {
  if (what)
    PyErr_Format(PyExc_OverflowError, "%s: %R is out of range for %s (%s)", what, o, type, range);
  else
    PyErr_SetString(PyExc_OverflowError, "out of range");
  return -1;
}

static int type_error(const char *what, PyObject *o, const char *expected, isthmus_valtype t) {
  if (what)
    PyErr_Format(PyExc_TypeError, "%s must be %s (%s), not %.100s", what, expected, isthmus_valtype_name(t),
                 Py_TYPE(o)->tp_name);
  else
    PyErr_SetString(PyExc_TypeError, "wrong type");
  return -1;
}

/* An int (or an object with __index__) as a Python int; NULL with TypeError otherwise. */
static PyObject *as_index(PyObject *o, const char *what, isthmus_valtype t) {
  if (PyLong_Check(o)) return Py_NewRef(o);
  if (PyFloat_Check(o) || !Py_TYPE(o)->tp_as_number || !Py_TYPE(o)->tp_as_number->nb_index) {
    type_error(what, o, "int", t);
    return NULL;
  }
  return PyNumber_Index(o);
}

int ist_val_from_py(StoreObject *s, isthmus_valtype t, PyObject *o, uint64_t *cell, const char *what) {
  switch (t) {
    case ISTHMUS_I32: {
      PyObject *i = as_index(o, what, t);
      if (!i) return -1;
      int overflow;
      long long v = PyLong_AsLongLongAndOverflow(i, &overflow);
      Py_DECREF(i);
      if (v == -1 && PyErr_Occurred()) return -1;
      if (overflow || v < INT32_MIN || v > (long long)UINT32_MAX)
        return range_error(what, o, "i32", "-2147483648..4294967295");
      *cell = (uint32_t)v;
      return 0;
    }
    case ISTHMUS_I64: {
      PyObject *i = as_index(o, what, t);
      if (!i) return -1;
      int overflow;
      long long v = PyLong_AsLongLongAndOverflow(i, &overflow);
      if (v == -1 && PyErr_Occurred()) {
        Py_DECREF(i);
        return -1;
      }
      if (overflow > 0) {
        unsigned long long u = PyLong_AsUnsignedLongLong(i);
        Py_DECREF(i);
        if (u == (unsigned long long)-1 && PyErr_Occurred()) {
          PyErr_Clear();
          return range_error(what, o, "i64", "-9223372036854775808..18446744073709551615");
        }
        *cell = u;
        return 0;
      }
      Py_DECREF(i);
      if (overflow) return range_error(what, o, "i64", "-9223372036854775808..18446744073709551615");
      *cell = (uint64_t)v;
      return 0;
    }
    case ISTHMUS_F32:
    case ISTHMUS_F64: {
      double d;
      if (PyFloat_Check(o)) {
        d = PyFloat_AS_DOUBLE(o);
      } else if (PyLong_Check(o) ||
                 (Py_TYPE(o)->tp_as_number && (Py_TYPE(o)->tp_as_number->nb_float || Py_TYPE(o)->tp_as_number->nb_index))) {
        d = PyFloat_AsDouble(o);
        if (d == -1.0 && PyErr_Occurred()) {
          if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
            PyErr_Clear();
            return range_error(what, o, isthmus_valtype_name(t), "too large for a float");
          }
          return -1;
        }
      } else {
        return type_error(what, o, "float", t);
      }
      if (t == ISTHMUS_F32) {
        float f = (float)d;
        uint32_t bits;
        memcpy(&bits, &f, 4);
        *cell = bits;
      } else {
        memcpy(cell, &d, 8);
      }
      return 0;
    }
    case ISTHMUS_FUNCREF:
      if (o == Py_None) {
        *cell = 0;
        return 0;
      }
      if (PyObject_TypeCheck(o, s->ms->Func)) {
        if (((FuncObject *)o)->store != s) {
          if (what) PyErr_Format(PyExc_ValueError, "%s: the function belongs to another store", what);
          else PyErr_SetString(PyExc_ValueError, "another store");
          return -1;
        }
        *cell = (uint64_t)(uintptr_t)((FuncObject *)o)->func;
        return 0;
      }
      return type_error(what, o, "isthmus.Func or None", t);
    case ISTHMUS_EXTERNREF:
      if (o == Py_None) {
        *cell = 0;
        return 0;
      }
      *cell = ist_store_externref(s, o);
      return *cell ? 0 : -1;
    default:
      if (what) PyErr_Format(PyExc_TypeError, "%s: %s values are not supported from Python", what, isthmus_valtype_name(t));
      else PyErr_SetString(PyExc_TypeError, "unsupported type");
      return -1;
  }
}

PyObject *ist_val_to_py(StoreObject *s, isthmus_valtype t, uint64_t cell) {
  switch (t) {
    case ISTHMUS_I32: return PyLong_FromLong((int32_t)(uint32_t)cell);
    case ISTHMUS_I64: return PyLong_FromLongLong((int64_t)cell);
    case ISTHMUS_F32: {
      uint32_t bits = (uint32_t)cell;
      float f;
      memcpy(&f, &bits, 4);
      return PyFloat_FromDouble(f);
    }
    case ISTHMUS_F64: {
      double d;
      memcpy(&d, &cell, 8);
      return PyFloat_FromDouble(d);
    }
    case ISTHMUS_FUNCREF:
      if (!cell) Py_RETURN_NONE;
      return ist_func_wrap(s, (isthmus_func *)(uintptr_t)cell, NULL);
    case ISTHMUS_EXTERNREF:
      if (!cell) Py_RETURN_NONE;
      return Py_NewRef((PyObject *)(uintptr_t)cell);
    default: PyErr_Format(PyExc_TypeError, "%s values are not supported from Python", isthmus_valtype_name(t)); return NULL;
  }
}

/* ---------------------------------------------------------------- externs */

PyObject *ist_extern_wrap(StoreObject *s, const isthmus_extern *x, PyObject *name) {
  switch (x->kind) {
    case ISTHMUS_EXTERN_FUNC: return ist_func_wrap(s, x->of.func, name);
    case ISTHMUS_EXTERN_MEMORY: return ist_memory_wrap(s, x->of.memory);
    case ISTHMUS_EXTERN_GLOBAL: return ist_global_wrap(s, x->of.global);
    case ISTHMUS_EXTERN_TABLE: return ist_table_wrap(s, x->of.table);
  }
  Py_RETURN_NONE;
}

int ist_extern_unwrap(StoreObject *s, PyObject *o, isthmus_extern *out) {
  ist_state *st = s->ms;
  if (PyObject_TypeCheck(o, st->Func)) {
    out->kind = ISTHMUS_EXTERN_FUNC;
    out->of.func = ((FuncObject *)o)->func;
  } else if (PyObject_TypeCheck(o, st->Memory)) {
    out->kind = ISTHMUS_EXTERN_MEMORY;
    out->of.memory = ((MemoryObject *)o)->mem;
  } else if (PyObject_TypeCheck(o, st->Global)) {
    out->kind = ISTHMUS_EXTERN_GLOBAL;
    out->of.global = ((GlobalObject *)o)->glob;
  } else if (PyObject_TypeCheck(o, st->Table)) {
    out->kind = ISTHMUS_EXTERN_TABLE;
    out->of.table = ((TableObject *)o)->table;
  } else {
    PyErr_Format(PyExc_TypeError, "expected Func, Memory, Global or Table, not %.100s", Py_TYPE(o)->tp_name);
    return -1;
  }
  return 0;
}

static StoreObject *store_arg(ist_state *st, PyObject *o, const char *fn) {
  if (!PyObject_TypeCheck(o, st->Store)) {
    PyErr_Format(PyExc_TypeError, "%s() argument 'store' must be isthmus.Store, not %.100s", fn, Py_TYPE(o)->tp_name);
    return NULL;
  }
  return (StoreObject *)o;
}

static int limits_arg(PyObject *minimum, PyObject *maximum, uint64_t cap, isthmus_limits *l, const char *fn) {
  unsigned long long mn = PyLong_AsUnsignedLongLong(minimum);
  if (mn == (unsigned long long)-1 && PyErr_Occurred()) return -1;
  l->min = mn;
  l->has_max = maximum != Py_None;
  l->max = 0;
  if (l->has_max) {
    unsigned long long mx = PyLong_AsUnsignedLongLong(maximum);
    if (mx == (unsigned long long)-1 && PyErr_Occurred()) return -1;
    l->max = mx;
    if (mx < mn) {
      PyErr_Format(PyExc_ValueError, "%s(): maximum %llu is below minimum %llu", fn, mx, mn);
      return -1;
    }
  }
  if (mn > cap || (l->has_max && l->max > cap)) {
    PyErr_Format(PyExc_OverflowError, "%s(): limits must be at most %llu", fn, (unsigned long long)cap);
    return -1;
  }
  return 0;
}

/* Runs mutations of a store's objects under its lock (they may race with a running call). */
#define WITH_STORE_LOCK(s, stmt)                \
  do {                                          \
    if (ist_store_enter(s) < 0) return NULL;    \
    stmt;                                       \
    ist_store_leave(s);                         \
  } while (0)

static int generic_traverse(PyObject *self, visitproc visit, void *arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(((MemoryObject *)self)->store);
  return 0;
}

static int generic_clear(PyObject *self) { return 0; }

static void generic_dealloc(PyObject *self) {
  PyTypeObject *tp = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  if (tp->tp_weaklistoffset && *(PyObject **)((char *)self + tp->tp_weaklistoffset))
    PyObject_ClearWeakRefs(self);
  Py_CLEAR(((MemoryObject *)self)->store);
  PyObject_GC_Del(self);
  Py_DECREF(tp);
}

/* ---------------------------------------------------------------- Memory */

PyObject *ist_memory_wrap(StoreObject *s, isthmus_memory *m) {
  MemoryObject *self = PyObject_GC_New(MemoryObject, s->ms->Memory);
  if (!self) return NULL;
  self->store = (StoreObject *)Py_NewRef(s);
  self->mem = m;
  self->weakreflist = NULL;
  PyObject_GC_Track(self);
  return (PyObject *)self;
}

static PyObject *memory_new(PyTypeObject *tp, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"store", "minimum", "maximum", NULL};
  PyObject *store, *minimum, *maximum = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OO|O:Memory", kwlist, &store, &minimum, &maximum)) return NULL;
  ist_state *st = ist_state_of_type(tp);
  StoreObject *s = st ? store_arg(st, store, "Memory") : NULL;
  if (!s) return NULL;
  isthmus_memtype mt;
  if (limits_arg(minimum, maximum, 65536, &mt.limits, "Memory") < 0) return NULL;
  isthmus_memory *m;
  isthmus_error *e = isthmus_memory_new(s->store, &mt, &m);
  if (e) return ist_err_raise(st, e);
  return ist_memory_wrap(s, m);
}

static int mem_range(MemoryObject *self, PyObject *ptr_o, Py_ssize_t n, size_t *ptr, const char *fn) {
  unsigned long long p = PyLong_AsUnsignedLongLong(ptr_o);
  if (p == (unsigned long long)-1 && PyErr_Occurred()) {
    if (PyErr_ExceptionMatches(PyExc_OverflowError)) {
      PyErr_Clear();
      PyErr_Format(PyExc_OverflowError, "Memory.%s() parameter 'ptr' must be a non-negative address, not %R", fn,
                   ptr_o);
    } else if (PyErr_ExceptionMatches(PyExc_TypeError)) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError, "Memory.%s() parameter 'ptr' must be int, not %.100s", fn, Py_TYPE(ptr_o)->tp_name);
    }
    return -1;
  }
  size_t size = isthmus_memory_size(self->mem);
  if (n < 0) {
    PyErr_Format(PyExc_ValueError, "Memory.%s(): length must be non-negative, not %zd", fn, n);
    return -1;
  }
  if (p > size || (size_t)n > size - p) {
    PyErr_Format(PyExc_IndexError, "Memory.%s(): bytes %llu..%llu are outside the memory (%zu bytes)", fn, p,
                 p + (unsigned long long)n, size);
    return -1;
  }
  *ptr = (size_t)p;
  return 0;
}

static PyObject *memory_read(MemoryObject *self, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 2) {
    PyErr_Format(PyExc_TypeError, "Memory.read() takes 2 arguments (ptr, n), %zd given", nargs);
    return NULL;
  }
  Py_ssize_t n = PyLong_AsSsize_t(args[1]);
  if (n == -1 && PyErr_Occurred()) {
    if (PyErr_ExceptionMatches(PyExc_TypeError)) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError, "Memory.read() parameter 'n' must be int, not %.100s", Py_TYPE(args[1])->tp_name);
    }
    return NULL;
  }
  size_t p;
  if (mem_range(self, args[0], n, &p, "read") < 0) return NULL;
  return PyBytes_FromStringAndSize((const char *)isthmus_memory_data(self->mem) + p, n);
}

static PyObject *memory_write(MemoryObject *self, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 2) {
    PyErr_Format(PyExc_TypeError, "Memory.write() takes 2 arguments (ptr, data), %zd given", nargs);
    return NULL;
  }
  Py_buffer view;
  if (PyObject_GetBuffer(args[1], &view, PyBUF_SIMPLE) < 0) {
    if (PyErr_ExceptionMatches(PyExc_TypeError)) {
      PyErr_Clear();
      PyErr_Format(PyExc_TypeError, "Memory.write() parameter 'data' must be a bytes-like object, not %.100s",
                   Py_TYPE(args[1])->tp_name);
    }
    return NULL;
  }
  size_t p;
  int r = mem_range(self, args[0], view.len, &p, "write");
  if (r == 0) memmove(isthmus_memory_data(self->mem) + p, view.buf, (size_t)view.len);
  PyBuffer_Release(&view);
  if (r < 0) return NULL;
  return PyLong_FromSsize_t(view.len);
}

static PyObject *memory_grow(MemoryObject *self, PyObject *arg) {
  unsigned long long d = PyLong_AsUnsignedLongLong(arg);
  if (d == (unsigned long long)-1 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "Memory.grow() parameter 'delta' must be a non-negative int of pages, not %R", arg);
    return NULL;
  }
  int64_t old;
  WITH_STORE_LOCK(self->store, old = isthmus_memory_grow(self->mem, d));
  if (old < 0) {
    PyErr_Format(self->store->ms->Error, "Memory.grow(%llu) failed: the memory cannot grow beyond its maximum", d);
    return NULL;
  }
  return PyLong_FromLongLong(old);
}

static PyObject *memory_get_size(MemoryObject *self, void *c) { return PyLong_FromSize_t(isthmus_memory_size(self->mem)); }
static PyObject *memory_get_pages(MemoryObject *self, void *c) {
  return PyLong_FromSize_t(isthmus_memory_size(self->mem) / 65536);
}
static PyObject *memory_get_type(MemoryObject *self, void *c) {
  isthmus_memtype t = isthmus_memory_type(self->mem);
  t.limits.min = isthmus_memory_size(self->mem) / 65536;
  return memtype_py(self->store->ms, &t);
}
static PyObject *memory_get_address(MemoryObject *self, void *c) {
  return PyLong_FromVoidPtr(isthmus_memory_data(self->mem));
}
static Py_ssize_t memory_len(MemoryObject *self) { return (Py_ssize_t)isthmus_memory_size(self->mem); }

static int memory_getbuffer(MemoryObject *self, Py_buffer *view, int flags) {
  static char empty[1];
  size_t size = isthmus_memory_size(self->mem);
  void *data = size ? (void *)isthmus_memory_data(self->mem) : empty;
  return PyBuffer_FillInfo(view, (PyObject *)self, data, (Py_ssize_t)size, 0, flags);
}

static PyMethodDef memory_methods[] = {
    {"read", (PyCFunction)(void (*)(void))memory_read, METH_FASTCALL,
     "read(ptr, n) -> bytes\n\nCopies n bytes at address ptr. IndexError when out of bounds."},
    {"write", (PyCFunction)(void (*)(void))memory_write, METH_FASTCALL,
     "write(ptr, data) -> int\n\nCopies a bytes-like object to address ptr; returns its length."},
    {"grow", (PyCFunction)memory_grow, METH_O,
     "grow(delta) -> int\n\nGrows by delta 64 KiB pages; returns the previous size in pages."},
    {NULL},
};

static PyGetSetDef memory_getset[] = {
    {"size", (getter)memory_get_size, NULL, "Current size in bytes.", NULL},
    {"pages", (getter)memory_get_pages, NULL, "Current size in 64 KiB pages.", NULL},
    {"type", (getter)memory_get_type, NULL, "MemoryType(minimum=current pages, maximum).", NULL},
    {"address", (getter)memory_get_address, NULL, "Address of byte 0 in this process (never moves).", NULL},
    {NULL},
};

static PyMemberDef memory_members[] = {
    {"__weaklistoffset__", T_PYSSIZET, offsetof(MemoryObject, weakreflist), READONLY, NULL},
    {NULL},
};

static PyType_Slot memory_slots[] = {
    {Py_tp_new, memory_new},
    {Py_tp_dealloc, generic_dealloc},
    {Py_tp_traverse, generic_traverse},
    {Py_tp_clear, generic_clear},
    {Py_tp_methods, memory_methods},
    {Py_tp_getset, memory_getset},
    {Py_tp_members, memory_members},
    {Py_sq_length, memory_len},
    {Py_mp_length, memory_len},
    {Py_bf_getbuffer, memory_getbuffer},
    {Py_tp_doc, "Memory(store, minimum, maximum=None)\n\n"
                "A linear memory (sizes in 64 KiB pages). memoryview(memory) is a zero-copy, writable view\n"
                "of the current size; the base address never moves, so views stay valid after grow()\n"
                "(they keep the length they were made with)."},
    {0, NULL},
};

PyType_Spec ist_memory_spec = {
    .name = "isthmus.Memory",
    .basicsize = sizeof(MemoryObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE_COMPAT,
    .slots = memory_slots,
};

/* ---------------------------------------------------------------- Global */

PyObject *ist_global_wrap(StoreObject *s, isthmus_global *g) {
  GlobalObject *self = PyObject_GC_New(GlobalObject, s->ms->Global);
  if (!self) return NULL;
  self->store = (StoreObject *)Py_NewRef(s);
  self->glob = g;
  PyObject_GC_Track(self);
  return (PyObject *)self;
}

static isthmus_val val_of_cell(isthmus_valtype t, uint64_t cell) {
  isthmus_val v;
  memset(&v, 0, sizeof v);
  v.kind = t;
  switch (t) {
    case ISTHMUS_I32: v.of.i32 = (int32_t)(uint32_t)cell; break;
    case ISTHMUS_F32: v.of.f32_bits = (uint32_t)cell; break;
    case ISTHMUS_I64: v.of.i64 = (int64_t)cell; break;
    case ISTHMUS_F64: v.of.f64_bits = cell; break;
    case ISTHMUS_FUNCREF: v.of.funcref = (isthmus_func *)(uintptr_t)cell; break;
    case ISTHMUS_EXTERNREF: v.of.externref = (void *)(uintptr_t)cell; break;
    default: break;
  }
  return v;
}

static uint64_t cell_of_val(const isthmus_val *v) {
  switch (v->kind) {
    case ISTHMUS_I32: return (uint32_t)v->of.i32;
    case ISTHMUS_F32: return v->of.f32_bits;
    case ISTHMUS_I64: return (uint64_t)v->of.i64;
    case ISTHMUS_F64: return v->of.f64_bits;
    case ISTHMUS_FUNCREF: return (uint64_t)(uintptr_t)v->of.funcref;
    case ISTHMUS_EXTERNREF: return (uint64_t)(uintptr_t)v->of.externref;
    default: return 0;
  }
}

static PyObject *global_new(PyTypeObject *tp, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"store", "type", "value", "mutable", NULL};
  PyObject *store, *type, *value;
  int mutable_ = 0;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|p:Global", kwlist, &store, &type, &value, &mutable_)) return NULL;
  ist_state *st = ist_state_of_type(tp);
  StoreObject *s = st ? store_arg(st, store, "Global") : NULL;
  if (!s) return NULL;
  isthmus_globaltype gt;
  if (ist_valtype_parse(type, &gt.type) < 0) return NULL;
  gt.mutable_ = mutable_;
  uint64_t cell;
  if (ist_val_from_py(s, gt.type, value, &cell, "Global() parameter 'value'") < 0) return NULL;
  isthmus_global *g;
  isthmus_error *e = isthmus_global_new(s->store, &gt, val_of_cell(gt.type, cell), &g);
  if (e) return ist_err_raise(st, e);
  return ist_global_wrap(s, g);
}

static PyObject *global_get_value(GlobalObject *self, void *c) {
  isthmus_val v = isthmus_global_get(self->glob);
  return ist_val_to_py(self->store, v.kind, cell_of_val(&v));
}

static int global_set_value(GlobalObject *self, PyObject *value, void *c) {
  if (!value) {
    PyErr_SetString(PyExc_AttributeError, "a global's value cannot be deleted");
    return -1;
  }
  isthmus_globaltype gt = isthmus_global_type(self->glob);
  if (!gt.mutable_) {
    PyErr_SetString(PyExc_AttributeError, "the global is immutable");
    return -1;
  }
  uint64_t cell;
  if (ist_val_from_py(self->store, gt.type, value, &cell, "Global.value") < 0) return -1;
  isthmus_error *e = isthmus_global_set(self->glob, val_of_cell(gt.type, cell));
  if (e) {
    ist_err_raise(self->store->ms, e);
    return -1;
  }
  return 0;
}

static PyObject *global_get_type(GlobalObject *self, void *c) {
  isthmus_globaltype gt = isthmus_global_type(self->glob);
  return globaltype_py(self->store->ms, &gt);
}

static PyGetSetDef global_getset[] = {
    {"value", (getter)global_get_value, (setter)global_set_value, "The current value (settable when mutable).", NULL},
    {"type", (getter)global_get_type, NULL, "GlobalType(content, mutable).", NULL},
    {NULL},
};

static PyType_Slot global_slots[] = {
    {Py_tp_new, global_new},
    {Py_tp_dealloc, generic_dealloc},
    {Py_tp_traverse, generic_traverse},
    {Py_tp_clear, generic_clear},
    {Py_tp_getset, global_getset},
    {Py_tp_doc, "Global(store, type, value, mutable=False)\n\nA wasm global of value type `type` ('i32', ...)."},
    {0, NULL},
};

PyType_Spec ist_global_spec = {
    .name = "isthmus.Global",
    .basicsize = sizeof(GlobalObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE_COMPAT,
    .slots = global_slots,
};

/* ---------------------------------------------------------------- Table */

PyObject *ist_table_wrap(StoreObject *s, isthmus_table *t) {
  TableObject *self = PyObject_GC_New(TableObject, s->ms->Table);
  if (!self) return NULL;
  self->store = (StoreObject *)Py_NewRef(s);
  self->table = t;
  PyObject_GC_Track(self);
  return (PyObject *)self;
}

static PyObject *table_new(PyTypeObject *tp, PyObject *args, PyObject *kwargs) {
  static char *kwlist[] = {"store", "element", "minimum", "maximum", "init", NULL};
  PyObject *store, *element, *minimum, *maximum = Py_None, *init = Py_None;
  if (!PyArg_ParseTupleAndKeywords(args, kwargs, "OOO|OO:Table", kwlist, &store, &element, &minimum, &maximum, &init))
    return NULL;
  ist_state *st = ist_state_of_type(tp);
  StoreObject *s = st ? store_arg(st, store, "Table") : NULL;
  if (!s) return NULL;
  isthmus_tabletype tt;
  if (ist_valtype_parse(element, &tt.elem) < 0) return NULL;
  if (tt.elem != ISTHMUS_FUNCREF && tt.elem != ISTHMUS_EXTERNREF) {
    PyErr_SetString(PyExc_ValueError, "Table() element must be 'funcref' or 'externref'");
    return NULL;
  }
  if (limits_arg(minimum, maximum, UINT32_MAX, &tt.limits, "Table") < 0) return NULL;
  uint64_t cell;
  if (ist_val_from_py(s, tt.elem, init, &cell, "Table() parameter 'init'") < 0) return NULL;
  isthmus_table *t;
  isthmus_error *e = isthmus_table_new(s->store, &tt, val_of_cell(tt.elem, cell), &t);
  if (e) return ist_err_raise(st, e);
  return ist_table_wrap(s, t);
}

static int table_index(TableObject *self, PyObject *o, uint32_t *idx, const char *fn) {
  unsigned long long i = PyLong_AsUnsignedLongLong(o);
  if (i == (unsigned long long)-1 && PyErr_Occurred()) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "Table.%s() parameter 'index' must be a non-negative int, not %R", fn, o);
    return -1;
  }
  uint32_t size = isthmus_table_size(self->table);
  if (i >= size) {
    PyErr_Format(PyExc_IndexError, "Table.%s(): index %llu out of range (size %u)", fn, i, size);
    return -1;
  }
  *idx = (uint32_t)i;
  return 0;
}

static PyObject *table_get(TableObject *self, PyObject *arg) {
  uint32_t i;
  if (table_index(self, arg, &i, "get") < 0) return NULL;
  isthmus_val v;
  if (!isthmus_table_get(self->table, i, &v)) {
    PyErr_SetString(PyExc_IndexError, "Table.get(): index out of range");
    return NULL;
  }
  return ist_val_to_py(self->store, v.kind, cell_of_val(&v));
}

static PyObject *table_set(TableObject *self, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 2) {
    PyErr_Format(PyExc_TypeError, "Table.set() takes 2 arguments (index, value), %zd given", nargs);
    return NULL;
  }
  uint32_t i;
  if (table_index(self, args[0], &i, "set") < 0) return NULL;
  isthmus_tabletype tt = isthmus_table_type(self->table);
  uint64_t cell;
  if (ist_val_from_py(self->store, tt.elem, args[1], &cell, "Table.set() parameter 'value'") < 0) return NULL;
  bool ok;
  WITH_STORE_LOCK(self->store, ok = isthmus_table_set(self->table, i, val_of_cell(tt.elem, cell)));
  if (!ok) {
    PyErr_SetString(PyExc_IndexError, "Table.set(): index out of range");
    return NULL;
  }
  Py_RETURN_NONE;
}

static PyObject *table_grow(TableObject *self, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs < 1 || nargs > 2) {
    PyErr_Format(PyExc_TypeError, "Table.grow() takes 1 or 2 arguments (delta, init=None), %zd given", nargs);
    return NULL;
  }
  unsigned long d = PyLong_AsUnsignedLong(args[0]);
  if ((d == (unsigned long)-1 && PyErr_Occurred()) || d > UINT32_MAX) {
    PyErr_Clear();
    PyErr_Format(PyExc_TypeError, "Table.grow() parameter 'delta' must be an int in 0..4294967295, not %R", args[0]);
    return NULL;
  }
  isthmus_tabletype tt = isthmus_table_type(self->table);
  uint64_t cell = 0;
  if (nargs == 2 && ist_val_from_py(self->store, tt.elem, args[1], &cell, "Table.grow() parameter 'init'") < 0)
    return NULL;
  int64_t old;
  WITH_STORE_LOCK(self->store, old = isthmus_table_grow(self->table, (uint32_t)d, val_of_cell(tt.elem, cell)));
  if (old < 0) {
    PyErr_Format(self->store->ms->Error, "Table.grow(%lu) failed: the table cannot grow beyond its maximum", d);
    return NULL;
  }
  return PyLong_FromLongLong(old);
}

static Py_ssize_t table_len(TableObject *self) { return isthmus_table_size(self->table); }

static PyObject *table_get_type(TableObject *self, void *c) {
  isthmus_tabletype tt = isthmus_table_type(self->table);
  tt.limits.min = isthmus_table_size(self->table);
  return tabletype_py(self->store->ms, &tt);
}

static PyMethodDef table_methods[] = {
    {"get", (PyCFunction)table_get, METH_O, "get(index) -> Func | object | None"},
    {"set", (PyCFunction)(void (*)(void))table_set, METH_FASTCALL, "set(index, value) -> None"},
    {"grow", (PyCFunction)(void (*)(void))table_grow, METH_FASTCALL,
     "grow(delta, init=None) -> int\n\nGrows by delta entries; returns the previous size."},
    {NULL},
};

static PyGetSetDef table_getset[] = {
    {"type", (getter)table_get_type, NULL, "TableType(element, minimum=current size, maximum).", NULL},
    {NULL},
};

static PyType_Slot table_slots[] = {
    {Py_tp_new, table_new},
    {Py_tp_dealloc, generic_dealloc},
    {Py_tp_traverse, generic_traverse},
    {Py_tp_clear, generic_clear},
    {Py_tp_methods, table_methods},
    {Py_tp_getset, table_getset},
    {Py_sq_length, table_len},
    {Py_mp_length, table_len},
    {Py_tp_doc, "Table(store, element, minimum, maximum=None, init=None)\n\nA table of 'funcref' or 'externref'."},
    {0, NULL},
};

PyType_Spec ist_table_spec = {
    .name = "isthmus.Table",
    .basicsize = sizeof(TableObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_IMMUTABLETYPE_COMPAT,
    .slots = table_slots,
};
