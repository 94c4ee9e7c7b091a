/* abi.c — the host side of the isthmus ABI (docs/abi.md): schema parsing, value encoding and
 * decoding between Python objects and the wire form, calls into the guest (isthmus_call) and
 * calls from the guest (isthmus.host_call).                                   ist_abi_*, abi_*
 *
 * Types:
 *   _isthmus._abi_schema(data) -> tuple       the schema as plain tuples, for the Python layer
 *   _isthmus.AbiLib(...)                      one per ABI instance: type table, guest exports
 *   AbiLib.func(fid) -> AbiFunc               a vectorcall callable for schema function fid
 *   AbiLib.host_call(id, ptr, len, cap)       the `isthmus.host_call` import
 *
 * Arguments are encoded into a host buffer, then copied into the guest's scratch buffer (one
 * memcpy); results are decoded straight from guest memory. All loops over elements are here. */
#include "ist.h"

#include <datetime.h>
#include <string.h>

enum {
  K_BOOL = 1, K_I8, K_I16, K_I32, K_I64, K_U8, K_U16, K_U32, K_U64, K_F32, K_F64, K_STRING, K_BYTES,
  K_TIME, K_DURATION, K_ANY, K_LIST, K_ARRAY, K_MAP, K_STRUCT, K_OPTIONAL
};
#define ABI_VERSION 1
#define ABI_MAX_DEPTH 10000

/* ---------------------------------------------------------------- the schema in C */

typedef struct AbiField {
  PyObject *name; /* str */
  uint32_t type;
} AbiField;

typedef struct AbiType {
  uint8_t kind;
  uint32_t a, b; /* list/optional: a = elem; array: a = length, b = elem; map: a = key, b = value */
  uint32_t nfields;
  AbiField *fields;
  PyObject *name;  /* struct: qualified name (str) */
  PyObject *cls;   /* struct: the Python class made by the Python layer, or NULL */
  uint32_t minsize; /* bytes the smallest value of this type takes on the wire */
} AbiType;

typedef struct AbiFn {
  PyObject *name;
  uint32_t nparams, nresults;
  uint32_t *ptypes, *rtypes;
  PyObject **pnames;
  uint8_t flags;
} AbiFn;

typedef struct AbiSchema {
  uint32_t ntypes, nfuncs, nimports;
  AbiType *types;
  AbiFn *funcs, *imports;
} AbiSchema;

typedef struct Rd {
  const uint8_t *p, *end;
} Rd;

static int rd_need(Rd *r, size_t n) { return (size_t)(r->end - r->p) >= n ? 0 : -1; }
static int rd_u8(Rd *r, uint8_t *v) {
  if (rd_need(r, 1)) return -1;
  *v = *r->p++;
  return 0;
}
static int rd_u32(Rd *r, uint32_t *v) {
  if (rd_need(r, 4)) return -1;
  memcpy(v, r->p, 4);
  r->p += 4;
  return 0;
}
static int rd_str(Rd *r, const char **s, uint32_t *n) {
  if (rd_u32(r, n) || rd_need(r, *n)) return -1;
  *s = (const char *)r->p;
  r->p += *n;
  return 0;
}
static PyObject *rd_pystr(Rd *r) {
  const char *s;
  uint32_t n;
  if (rd_str(r, &s, &n)) return NULL;
  return PyUnicode_DecodeUTF8(s, n, "replace");
}

static void fn_free(AbiFn *f) {
  Py_XDECREF(f->name);
  if (f->pnames)
    for (uint32_t i = 0; i < f->nparams; i++) Py_XDECREF(f->pnames[i]);
  PyMem_Free(f->pnames);
  PyMem_Free(f->ptypes);
  PyMem_Free(f->rtypes);
}

static void schema_free(AbiSchema *s) {
  for (uint32_t i = 0; i < s->ntypes && s->types; i++) {
    AbiType *t = &s->types[i];
    for (uint32_t j = 0; j < t->nfields && t->fields; j++) Py_XDECREF(t->fields[j].name);
    PyMem_Free(t->fields);
    Py_XDECREF(t->name);
    Py_XDECREF(t->cls);
  }
  for (uint32_t i = 0; i < s->nfuncs && s->funcs; i++) fn_free(&s->funcs[i]);
  for (uint32_t i = 0; i < s->nimports && s->imports; i++) fn_free(&s->imports[i]);
  PyMem_Free(s->types);
  PyMem_Free(s->funcs);
  PyMem_Free(s->imports);
  memset(s, 0, sizeof *s);
}

static PyObject *bad_schema(const char *why) {
  PyErr_Format(PyExc_ValueError, "malformed isthmus schema: %s", why);
  return NULL;
}

static int parse_fns(Rd *r, uint32_t ntypes, AbiFn **out, uint32_t *count) {
  uint32_t n;
  if (rd_u32(r, &n) || n > (uint32_t)(r->end - r->p)) return bad_schema("truncated function list"), -1;
  *out = PyMem_Calloc(n ? n : 1, sizeof(AbiFn));
  if (!*out) return PyErr_NoMemory(), -1;
  *count = n;
  for (uint32_t i = 0; i < n; i++) {
    AbiFn *f = &(*out)[i];
    const char *s;
    uint32_t sn;
    if (!(f->name = rd_pystr(r))) return PyErr_Occurred() ? -1 : (bad_schema("truncated function"), -1);
    if (rd_str(r, &s, &sn) || rd_str(r, &s, &sn)) return bad_schema("truncated function"), -1; /* go_name, doc */
    for (int pass = 0; pass < 2; pass++) {
      uint32_t np;
      if (rd_u32(r, &np) || np > (uint32_t)(r->end - r->p) / 8) return bad_schema("truncated parameters"), -1;
      uint32_t *types = PyMem_Calloc(np ? np : 1, sizeof(uint32_t));
      PyObject **names = pass == 0 ? PyMem_Calloc(np ? np : 1, sizeof(PyObject *)) : NULL;
      if (!types || (pass == 0 && !names)) {
        PyMem_Free(types);
        PyMem_Free(names);
        return PyErr_NoMemory(), -1;
      }
      if (pass == 0) f->ptypes = types, f->pnames = names, f->nparams = np;
      else f->rtypes = types, f->nresults = np;
      for (uint32_t j = 0; j < np; j++) {
        PyObject *pn = rd_pystr(r);
        if (!pn) return PyErr_Occurred() ? -1 : (bad_schema("truncated parameter"), -1);
        if (pass == 0) names[j] = pn;
        else Py_DECREF(pn);
        if (rd_u32(r, &types[j]) || types[j] >= ntypes) return bad_schema("bad parameter type"), -1;
      }
    }
    if (rd_u8(r, &f->flags)) return bad_schema("truncated function"), -1;
    if (f->flags & ~3) return bad_schema("unknown function flag bits"), -1;
  }
  return 0;
}

static uint32_t min_size(AbiSchema *s, uint32_t t, int depth) {
  static const uint8_t fixed[] = {0, 1, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8, 4, 4, 16, 8, 1};
  AbiType *ty = &s->types[t];
  if (depth > 32) return 0;
  if (ty->kind <= K_ANY) return fixed[ty->kind];
  switch (ty->kind) {
  case K_LIST: case K_MAP: return 4;
  case K_OPTIONAL: return 1;
  case K_ARRAY: {
    uint64_t m = (uint64_t)ty->a * min_size(s, ty->b, depth + 1);
    return m > UINT32_MAX ? UINT32_MAX : (uint32_t)m;
  }
  case K_STRUCT: {
    uint64_t m = 0;
    for (uint32_t i = 0; i < ty->nfields; i++) m += min_size(s, ty->fields[i].type, depth + 1);
    return m > UINT32_MAX ? UINT32_MAX : (uint32_t)m;
  }
  }
  return 0;
}

/* Parses data into s (zeroed first). Returns -1 with ValueError. */
static int schema_parse(const uint8_t *data, size_t len, AbiSchema *s) {
  memset(s, 0, sizeof *s);
  Rd r = {data, data + len};
  uint32_t version, n;
  const char *str;
  uint32_t sn;
  if (rd_u32(&r, &version)) return bad_schema("truncated"), -1;
  if (version != ABI_VERSION) {
    PyErr_Format(PyExc_ValueError, "module uses isthmus ABI %u; this host supports %d", version, ABI_VERSION);
    return -1;
  }
  if (rd_str(&r, &str, &sn)) return bad_schema("truncated producer"), -1;
  if (rd_u32(&r, &n) || n > (uint32_t)(r.end - r.p)) return bad_schema("truncated type table"), -1;
  s->types = PyMem_Calloc(n ? n : 1, sizeof(AbiType));
  if (!s->types) return PyErr_NoMemory(), -1;
  s->ntypes = n;
  for (uint32_t i = 0; i < n; i++) {
    AbiType *t = &s->types[i];
    if (rd_u8(&r, &t->kind)) return bad_schema("truncated type"), -1;
    switch (t->kind) {
    case K_LIST: case K_OPTIONAL:
      if (rd_u32(&r, &t->a) || t->a >= n) return bad_schema("bad element type"), -1;
      break;
    case K_ARRAY:
      if (rd_u32(&r, &t->a) || rd_u32(&r, &t->b) || t->b >= n) return bad_schema("bad array type"), -1;
      break;
    case K_MAP:
      if (rd_u32(&r, &t->a) || rd_u32(&r, &t->b) || t->a >= n || t->b >= n) return bad_schema("bad map type"), -1;
      break;
    case K_STRUCT: {
      if (!(t->name = rd_pystr(&r))) return PyErr_Occurred() ? -1 : (bad_schema("truncated struct"), -1);
      if (rd_str(&r, &str, &sn) || rd_u32(&r, &t->nfields) || t->nfields > (uint32_t)(r.end - r.p) / 12)
        return bad_schema("truncated struct"), -1;
      t->fields = PyMem_Calloc(t->nfields ? t->nfields : 1, sizeof(AbiField));
      if (!t->fields) return PyErr_NoMemory(), -1;
      for (uint32_t j = 0; j < t->nfields; j++) {
        if (!(t->fields[j].name = rd_pystr(&r))) return PyErr_Occurred() ? -1 : (bad_schema("truncated field"), -1);
        PyUnicode_InternInPlace(&t->fields[j].name);
        if (rd_u32(&r, &t->fields[j].type) || t->fields[j].type >= n || rd_str(&r, &str, &sn))
          return bad_schema("bad field"), -1;
      }
      break;
    }
    default:
      if (t->kind < K_BOOL || t->kind > K_ANY) {
        PyErr_Format(PyExc_ValueError, "malformed isthmus schema: unknown kind code 0x%02x (type %u)", t->kind, i);
        return -1;
      }
    }
  }
  if (parse_fns(&r, n, &s->funcs, &s->nfuncs) < 0) return -1;
  if (parse_fns(&r, n, &s->imports, &s->nimports) < 0) return -1;
  if (r.p != r.end) return bad_schema("trailing bytes"), -1;
  for (uint32_t i = 0; i < n; i++) {
    AbiType *t = &s->types[i];
    if (t->kind == K_MAP) {
      uint8_t k = s->types[t->a].kind;
      if (!(k == K_STRING || (k >= K_I8 && k <= K_U64))) return bad_schema("map key must be a string or an integer"), -1;
    }
  }
  for (uint32_t i = 0; i < n; i++) s->types[i].minsize = min_size(s, i, 0);
  return 0;
}

/* _abi_schema(data) -> (version, producer, types, funcs, imports), plain tuples:
 *   type: (kind,) | (kind, elem) | (kind, length, elem) | (kind, key, value)
 *         | (0x14, name, doc, ((fname, type, fdoc), ...))
 *   func: (name, go_name, doc, ((pname, type), ...), ((rname, type), ...), flags) */
static PyObject *py_fns(Rd *r) {
  uint32_t n;
  rd_u32(r, &n);
  PyObject *out = PyList_New(0);
  for (uint32_t i = 0; out && i < n; i++) {
    PyObject *name = rd_pystr(r), *go = rd_pystr(r), *doc = rd_pystr(r), *ps[2] = {NULL, NULL};
    for (int pass = 0; pass < 2; pass++) {
      uint32_t np, t;
      rd_u32(r, &np);
      ps[pass] = PyList_New(0);
      for (uint32_t j = 0; ps[pass] && j < np; j++) {
        PyObject *pn = rd_pystr(r);
        rd_u32(r, &t);
        PyObject *item = Py_BuildValue("(NI)", pn, t);
        if (!item || PyList_Append(ps[pass], item) < 0) Py_CLEAR(ps[pass]);
        Py_XDECREF(item);
      }
    }
    uint8_t flags;
    rd_u8(r, &flags);
    PyObject *item = (name && go && doc && ps[0] && ps[1]) ? Py_BuildValue("(NNNNNi)", name, go, doc, ps[0], ps[1], flags) : NULL;
    if (!item) {
      Py_XDECREF(name); Py_XDECREF(go); Py_XDECREF(doc); Py_XDECREF(ps[0]); Py_XDECREF(ps[1]);
    }
    if (!item || PyList_Append(out, item) < 0) Py_CLEAR(out);
    Py_XDECREF(item);
  }
  return out;
}

static PyObject *abi_schema(PyObject *mod, PyObject *arg) {
  (void)mod;
  Py_buffer view;
  if (PyObject_GetBuffer(arg, &view, PyBUF_SIMPLE) < 0) return NULL;
  AbiSchema s;
  PyObject *res = NULL;
  if (schema_parse(view.buf, (size_t)view.len, &s) < 0) goto out;
  /* The bytes are valid: walk them again to build tuples (no checks needed). */
  Rd r = {view.buf, (const uint8_t *)view.buf + view.len};
  uint32_t version, n;
  rd_u32(&r, &version);
  PyObject *producer = rd_pystr(&r);
  rd_u32(&r, &n);
  PyObject *types = PyList_New(n);
  for (uint32_t i = 0; types && i < n; i++) {
    uint8_t k;
    uint32_t a, b;
    rd_u8(&r, &k);
    PyObject *t = NULL;
    if (k == K_LIST || k == K_OPTIONAL) rd_u32(&r, &a), t = Py_BuildValue("(iI)", k, a);
    else if (k == K_ARRAY || k == K_MAP) rd_u32(&r, &a), rd_u32(&r, &b), t = Py_BuildValue("(iII)", k, a, b);
    else if (k == K_STRUCT) {
      PyObject *name = rd_pystr(&r), *doc = rd_pystr(&r);
      uint32_t nf, ft;
      rd_u32(&r, &nf);
      PyObject *fields = PyTuple_New(nf);
      for (uint32_t j = 0; fields && j < nf; j++) {
        PyObject *fn = rd_pystr(&r);
        rd_u32(&r, &ft);
        PyObject *fd = rd_pystr(&r);
        PyTuple_SET_ITEM(fields, j, Py_BuildValue("(NIN)", fn, ft, fd));
      }
      t = Py_BuildValue("(iNNN)", k, name, doc, fields);
    } else t = Py_BuildValue("(i)", k);
    if (!t) Py_CLEAR(types);
    else PyList_SET_ITEM(types, i, t);
  }
  PyObject *funcs = py_fns(&r), *imports = py_fns(&r);
  if (producer && types && funcs && imports) res = Py_BuildValue("(INNNN)", version, producer, types, funcs, imports);
  else {
    Py_XDECREF(producer); Py_XDECREF(types); Py_XDECREF(funcs); Py_XDECREF(imports);
  }
  schema_free(&s);
out:
  PyBuffer_Release(&view);
  return res;
}

/* ---------------------------------------------------------------- Go type names */

static void tname(AbiSchema *s, uint32_t t, char *buf, size_t cap, int depth) {
  static const char *names[] = {"?", "bool", "int8", "int16", "int32", "int64", "uint8", "uint16", "uint32",
                                "uint64", "float32", "float64", "string", "[]byte", "time.Time",
                                "time.Duration", "any"};
  AbiType *ty = &s->types[t];
  char a[200], b[200];
  if (depth > 8) {
    snprintf(buf, cap, "...");
    return;
  }
  switch (ty->kind) {
  case K_LIST: tname(s, ty->a, a, sizeof a, depth + 1); snprintf(buf, cap, "[]%s", a); return;
  case K_OPTIONAL: tname(s, ty->a, a, sizeof a, depth + 1); snprintf(buf, cap, "*%s", a); return;
  case K_ARRAY: tname(s, ty->b, a, sizeof a, depth + 1); snprintf(buf, cap, "[%u]%s", ty->a, a); return;
  case K_MAP:
    tname(s, ty->a, a, sizeof a, depth + 1);
    tname(s, ty->b, b, sizeof b, depth + 1);
    snprintf(buf, cap, "map[%s]%s", a, b);
    return;
  case K_STRUCT: {
    const char *n = PyUnicode_AsUTF8(ty->name);
    if (!n) PyErr_Clear();
    snprintf(buf, cap, "%s", n && *n ? n : "struct{...}");
    return;
  }
  default: snprintf(buf, cap, "%s", names[ty->kind <= K_ANY ? ty->kind : 0]);
  }
}

/* ---------------------------------------------------------------- the AbiLib object */

typedef struct AbiHandle {
  AbiSchema schema; /* the resolve request's schema: one import */
  PyObject *fn;     /* the Python callable */
} AbiHandle;

typedef struct AbiLibObject {
  PyObject_HEAD
  AbiSchema schema;
  PyObject *memory;  /* Memory */
  PyObject *scratch, *call, *alloc; /* Func */
  PyObject *GoError, *GoPanic, *CallError;
  PyObject *imports; /* dict name -> callable */
  PyObject *host_exc; /* the last exception a host function raised */
  PyTypeObject *functype;
  uint32_t scratch_ptr, scratch_n; /* the cached scratch buffer (depth 0 only) */
  AbiHandle *handles;
  uint32_t nhandles;
} AbiLibObject;

typedef struct AbiFuncObject {
  PyObject_HEAD
  vectorcallfunc vectorcall;
  AbiLibObject *lib;
  uint32_t fid;
  AbiFn *fn;
  PyObject *dict;
} AbiFuncObject;

/* ---------------------------------------------------------------- encoding */

typedef struct Wb {
  uint8_t *p;
  size_t len, cap;
  uint8_t small[256];
} Wb;

static int wb_grow(Wb *w, size_t n) {
  size_t cap = w->cap * 2;
  while (cap < w->len + n) cap *= 2;
  if (cap > UINT32_MAX + (size_t)1) {
    PyErr_SetString(PyExc_OverflowError, "encoded arguments exceed 4 GiB");
    return -1;
  }
  uint8_t *p = w->p == w->small ? PyMem_Malloc(cap) : PyMem_Realloc(w->p, cap);
  if (!p) return PyErr_NoMemory(), -1;
  if (w->p == w->small) memcpy(p, w->small, w->len);
  w->p = p;
  w->cap = cap;
  return 0;
}
static inline int wb_put(Wb *w, const void *d, size_t n) {
  if (w->len + n > w->cap && wb_grow(w, n) < 0) return -1;
  memcpy(w->p + w->len, d, n);
  w->len += n;
  return 0;
}
static inline int wb_u8(Wb *w, uint8_t v) { return wb_put(w, &v, 1); }
static inline int wb_u32(Wb *w, uint32_t v) { return wb_put(w, &v, 4); }
static void wb_free(Wb *w) {
  if (w->p != w->small) PyMem_Free(w->p);
}

typedef struct Enc {
  AbiSchema *s;
  PyObject *fname; /* "Greet" */
  PyObject *what;  /* parameter name, or a description */
  Wb w;
} Enc;

static int enc_type_error(Enc *e, uint32_t t, PyObject *o) {
  char buf[256];
  if (t == UINT32_MAX) snprintf(buf, sizeof buf, "any");
  else tname(e->s, t, buf, sizeof buf, 0);
  PyErr_Format(PyExc_TypeError, "%U() parameter %U must be %s, not %.100s", e->fname, e->what, buf,
               Py_TYPE(o)->tp_name);
  return -1;
}

static int enc_range_error(Enc *e, uint32_t t, PyObject *o) {
  char buf[64];
  tname(e->s, t, buf, sizeof buf, 0);
  PyErr_Clear();
  PyErr_Format(PyExc_OverflowError, "%U() parameter %U: %R is out of range for %s", e->fname, e->what, o, buf);
  return -1;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = (unsigned)(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + (int64_t)doe - 719468;
}

static void civil_from_days(int64_t z, int64_t *y, unsigned *m, unsigned *d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = (unsigned)(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = (int64_t)yoe + era * 400 + (*m <= 2);
}

static int enc_int(Enc *e, uint32_t t, uint8_t k, PyObject *o) {
  if (!PyLong_Check(o) && !PyIndex_Check(o)) return enc_type_error(e, t, o);
  if (PyBool_Check(o)) return enc_type_error(e, t, o);
  PyObject *i = PyNumber_Index(o);
  if (!i) return -1;
  uint64_t u = 0;
  int64_t v = 0;
  if (k == K_U64) {
    u = PyLong_AsUnsignedLongLong(i);
    Py_DECREF(i);
    if (u == (uint64_t)-1 && PyErr_Occurred()) return enc_range_error(e, t, o);
    return wb_put(&e->w, &u, 8);
  }
  int overflow;
  v = PyLong_AsLongLongAndOverflow(i, &overflow);
  Py_DECREF(i);
  if (overflow) return enc_range_error(e, t, o);
  if (v == -1 && PyErr_Occurred()) return -1;
  switch (k) {
  case K_I8: if (v < INT8_MIN || v > INT8_MAX) return enc_range_error(e, t, o); return wb_put(&e->w, &v, 1);
  case K_I16: if (v < INT16_MIN || v > INT16_MAX) return enc_range_error(e, t, o); return wb_put(&e->w, &v, 2);
  case K_I32: if (v < INT32_MIN || v > INT32_MAX) return enc_range_error(e, t, o); return wb_put(&e->w, &v, 4);
  case K_I64: return wb_put(&e->w, &v, 8);
  case K_U8: if (v < 0 || v > UINT8_MAX) return enc_range_error(e, t, o); return wb_put(&e->w, &v, 1);
  case K_U16: if (v < 0 || v > UINT16_MAX) return enc_range_error(e, t, o); return wb_put(&e->w, &v, 2);
  case K_U32: if (v < 0 || v > (int64_t)UINT32_MAX) return enc_range_error(e, t, o); return wb_put(&e->w, &v, 4);
  }
  return -1;
}

static int enc_buffer(Enc *e, PyObject *o) {
  Py_buffer view;
  if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) < 0) return -1;
  int rc = (uint64_t)view.len > UINT32_MAX ? (PyErr_SetString(PyExc_OverflowError, "bytes longer than 4 GiB"), -1)
                                            : (wb_u32(&e->w, (uint32_t)view.len) < 0 ? -1 : wb_put(&e->w, view.buf, view.len));
  PyBuffer_Release(&view);
  return rc;
}

static int enc_str(Enc *e, PyObject *o) {
  Py_ssize_t n;
  const char *s = PyUnicode_AsUTF8AndSize(o, &n);
  if (!s) return -1;
  if (wb_u32(&e->w, (uint32_t)n) < 0) return -1;
  return wb_put(&e->w, s, n);
}

static int enc_time(Enc *e, uint32_t t, PyObject *o) {
  if (!PyDateTime_Check(o)) return enc_type_error(e, t, o);
  int32_t offset = 0;
  PyObject *off = PyObject_CallMethod(o, "utcoffset", NULL);
  if (!off) return -1;
  if (PyDelta_Check(off))
    offset = PyDateTime_DELTA_GET_DAYS(off) * 86400 + PyDateTime_DELTA_GET_SECONDS(off);
  Py_DECREF(off);
  int64_t days = days_from_civil(PyDateTime_GET_YEAR(o), PyDateTime_GET_MONTH(o), PyDateTime_GET_DAY(o));
  int64_t sec = days * 86400 + PyDateTime_DATE_GET_HOUR(o) * 3600 + PyDateTime_DATE_GET_MINUTE(o) * 60 +
                PyDateTime_DATE_GET_SECOND(o) - offset;
  uint32_t ns = (uint32_t)PyDateTime_DATE_GET_MICROSECOND(o) * 1000;
  if (wb_put(&e->w, &sec, 8) < 0 || wb_put(&e->w, &ns, 4) < 0) return -1;
  return wb_put(&e->w, &offset, 4);
}

static int enc_duration(Enc *e, uint32_t t, PyObject *o) {
  int64_t ns;
  if (PyDelta_Check(o)) {
    __int128 v = ((__int128)PyDateTime_DELTA_GET_DAYS(o) * 86400 + PyDateTime_DELTA_GET_SECONDS(o)) * 1000000000 +
                 (__int128)PyDateTime_DELTA_GET_MICROSECONDS(o) * 1000;
    if (v < INT64_MIN || v > INT64_MAX) return enc_range_error(e, t, o);
    ns = (int64_t)v;
  } else if (PyLong_Check(o) && !PyBool_Check(o)) {
    int overflow;
    ns = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (overflow) return enc_range_error(e, t, o);
  } else {
    return enc_type_error(e, t, o);
  }
  return wb_put(&e->w, &ns, 8);
}

static int enc(Enc *e, uint32_t t, PyObject *o, int depth);

static int enc_any(Enc *e, PyObject *o, int depth) {
  if (depth > ABI_MAX_DEPTH) {
    PyErr_Format(PyExc_ValueError, "%U() parameter %U: value nested too deeply", e->fname, e->what);
    return -1;
  }
  Wb *w = &e->w;
  if (o == Py_None) return wb_u8(w, 0);
  if (PyBool_Check(o)) return wb_u8(w, K_BOOL) < 0 ? -1 : wb_u8(w, o == Py_True);
  if (PyLong_Check(o)) {
    int overflow;
    int64_t v = PyLong_AsLongLongAndOverflow(o, &overflow);
    if (!overflow) return wb_u8(w, K_I64) < 0 ? -1 : wb_put(w, &v, 8);
    uint64_t u = PyLong_AsUnsignedLongLong(o);
    if (u == (uint64_t)-1 && PyErr_Occurred()) {
      PyErr_Clear();
      PyErr_Format(PyExc_OverflowError, "%U() parameter %U: %R is out of range for any (int64 or uint64)",
                   e->fname, e->what, o);
      return -1;
    }
    return wb_u8(w, K_U64) < 0 ? -1 : wb_put(w, &u, 8);
  }
  if (PyFloat_Check(o)) {
    double d = PyFloat_AS_DOUBLE(o);
    return wb_u8(w, K_F64) < 0 ? -1 : wb_put(w, &d, 8);
  }
  if (PyUnicode_Check(o)) return wb_u8(w, K_STRING) < 0 ? -1 : enc_str(e, o);
  if (PyBytes_Check(o) || PyByteArray_Check(o) || PyMemoryView_Check(o))
    return wb_u8(w, K_BYTES) < 0 ? -1 : enc_buffer(e, o);
  if (PyDateTime_Check(o)) return wb_u8(w, K_TIME) < 0 ? -1 : enc_time(e, UINT32_MAX, o);
  if (PyDelta_Check(o)) return wb_u8(w, K_DURATION) < 0 ? -1 : enc_duration(e, UINT32_MAX, o);
  if (PyList_Check(o) || PyTuple_Check(o)) {
    PyObject *seq = PySequence_Fast(o, "");
    if (!seq) return -1;
    Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
    int rc = wb_u8(w, K_LIST) < 0 || wb_u32(w, (uint32_t)n) < 0 ? -1 : 0;
    for (Py_ssize_t i = 0; rc == 0 && i < n; i++) rc = enc_any(e, PySequence_Fast_GET_ITEM(seq, i), depth + 1);
    Py_DECREF(seq);
    return rc;
  }
  if (PyDict_Check(o)) {
    if (wb_u8(w, K_MAP) < 0 || wb_u32(w, (uint32_t)PyDict_GET_SIZE(o)) < 0) return -1;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(o, &pos, &k, &v))
      if (enc_any(e, k, depth + 1) < 0 || enc_any(e, v, depth + 1) < 0) return -1;
    return 0;
  }
  return enc_type_error(e, UINT32_MAX, o);
}

static int enc_seq(Enc *e, uint32_t t, uint32_t elem, PyObject *o, int counted, uint32_t want, int depth) {
  if (!(PyList_Check(o) || PyTuple_Check(o)) &&
      (PyUnicode_Check(o) || PyBytes_Check(o) || PyByteArray_Check(o) || PyDict_Check(o) || !PySequence_Check(o)))
    return enc_type_error(e, t, o);
  PyObject *seq = PySequence_Fast(o, "");
  if (!seq) return -1;
  Py_ssize_t n = PySequence_Fast_GET_SIZE(seq);
  int rc = 0;
  if (!counted && (uint64_t)n != want) {
    char buf[128];
    tname(e->s, t, buf, sizeof buf, 0);
    PyErr_Format(PyExc_ValueError, "%U() parameter %U must have %u elements for %s, not %zd", e->fname, e->what,
                 want, buf, n);
    rc = -1;
  } else if (counted && wb_u32(&e->w, (uint32_t)n) < 0) rc = -1;
  PyObject **items = PySequence_Fast_ITEMS(seq);
  for (Py_ssize_t i = 0; rc == 0 && i < n; i++) rc = enc(e, elem, items[i], depth + 1);
  Py_DECREF(seq);
  return rc;
}

static int enc(Enc *e, uint32_t t, PyObject *o, int depth) {
  AbiType *ty = &e->s->types[t];
  if (depth > ABI_MAX_DEPTH) {
    PyErr_Format(PyExc_ValueError, "%U() parameter %U: value nested too deeply", e->fname, e->what);
    return -1;
  }
  switch (ty->kind) {
  case K_BOOL:
    if (!PyBool_Check(o)) return enc_type_error(e, t, o);
    return wb_u8(&e->w, o == Py_True);
  case K_I8: case K_I16: case K_I32: case K_I64: case K_U8: case K_U16: case K_U32: case K_U64:
    return enc_int(e, t, ty->kind, o);
  case K_F32: case K_F64: {
    if (!PyFloat_Check(o) && !(PyLong_Check(o) && !PyBool_Check(o))) return enc_type_error(e, t, o);
    double d = PyFloat_AsDouble(o);
    if (d == -1.0 && PyErr_Occurred()) return enc_range_error(e, t, o);
    if (ty->kind == K_F64) return wb_put(&e->w, &d, 8);
    float f = (float)d;
    return wb_put(&e->w, &f, 4);
  }
  case K_STRING:
    if (!PyUnicode_Check(o)) return enc_type_error(e, t, o);
    return enc_str(e, o);
  case K_BYTES:
    if (!PyObject_CheckBuffer(o)) return enc_type_error(e, t, o);
    return enc_buffer(e, o);
  case K_TIME: return enc_time(e, t, o);
  case K_DURATION: return enc_duration(e, t, o);
  case K_ANY: return enc_any(e, o, depth);
  case K_LIST: return enc_seq(e, t, ty->a, o, 1, 0, depth);
  case K_ARRAY:
    if (e->s->types[ty->b].kind == K_U8 && PyObject_CheckBuffer(o)) {
      Py_buffer view;
      if (PyObject_GetBuffer(o, &view, PyBUF_SIMPLE) < 0) return -1;
      int rc = (uint64_t)view.len == ty->a ? wb_put(&e->w, view.buf, view.len) : -2;
      PyBuffer_Release(&view);
      if (rc == -2) {
        PyErr_Format(PyExc_ValueError, "%U() parameter %U must have %u bytes", e->fname, e->what, ty->a);
        return -1;
      }
      return rc;
    }
    return enc_seq(e, t, ty->b, o, 0, ty->a, depth);
  case K_MAP: {
    if (!PyDict_Check(o)) {
      if (!PyMapping_Check(o) || PySequence_Check(o)) return enc_type_error(e, t, o);
      PyObject *d = PyDict_New();
      if (!d) return -1;
      if (PyDict_Update(d, o) < 0) {
        Py_DECREF(d);
        return -1;
      }
      int rc = enc(e, t, d, depth);
      Py_DECREF(d);
      return rc;
    }
    if (wb_u32(&e->w, (uint32_t)PyDict_GET_SIZE(o)) < 0) return -1;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(o, &pos, &k, &v))
      if (enc(e, ty->a, k, depth + 1) < 0 || enc(e, ty->b, v, depth + 1) < 0) return -1;
    return 0;
  }
  case K_STRUCT: {
    int is_dict = PyDict_Check(o);
    if (!is_dict && ty->cls && !PyObject_TypeCheck(o, (PyTypeObject *)ty->cls)) return enc_type_error(e, t, o);
    for (uint32_t i = 0; i < ty->nfields; i++) {
      PyObject *v = is_dict ? Py_XNewRef(PyDict_GetItemWithError(o, ty->fields[i].name))
                            : PyObject_GetAttr(o, ty->fields[i].name);
      if (!v) {
        if (!PyErr_Occurred() || PyErr_ExceptionMatches(PyExc_AttributeError)) {
          PyErr_Clear();
          char buf[200];
          tname(e->s, t, buf, sizeof buf, 0);
          PyErr_Format(PyExc_TypeError, "%U() parameter %U: missing field %R of %s", e->fname, e->what,
                       ty->fields[i].name, buf);
        }
        return -1;
      }
      int rc = enc(e, ty->fields[i].type, v, depth + 1);
      Py_DECREF(v);
      if (rc < 0) return -1;
    }
    return 0;
  }
  case K_OPTIONAL:
    if (o == Py_None) return wb_u8(&e->w, 0);
    if (wb_u8(&e->w, 1) < 0) return -1;
    return enc(e, ty->a, o, depth + 1);
  }
  return -1;
}

/* ---------------------------------------------------------------- decoding */

typedef struct Dec {
  AbiSchema *s;
  Rd r;
} Dec;

static PyObject *malformed(const char *what) {
  PyErr_Format(PyExc_ValueError, "malformed isthmus payload: %s", what);
  return NULL;
}

static PyObject *dec_time(Dec *d) {
  int64_t sec;
  uint32_t ns;
  int32_t off;
  if (rd_need(&d->r, 16)) return malformed("truncated time");
  memcpy(&sec, d->r.p, 8);
  memcpy(&ns, d->r.p + 8, 4);
  memcpy(&off, d->r.p + 12, 4);
  d->r.p += 16;
  if (ns > 999999999) return malformed("time nanoseconds out of range");
  uint32_t us = (ns + 500) / 1000;
  if (us == 1000000) us = 0, sec++;
  if (sec > INT64_MAX / 2 || sec < INT64_MIN / 2) return malformed("time out of range");
  int64_t local = sec + off;
  int64_t days = local >= 0 ? local / 86400 : -((-local + 86399) / 86400);
  int64_t sod = local - days * 86400;
  int64_t y;
  unsigned m, dd;
  civil_from_days(days, &y, &m, &dd);
  if (y < 1 || y > 9999) {
    PyErr_Format(PyExc_OverflowError, "time year %lld is out of range for datetime", (long long)y);
    return NULL;
  }
  PyObject *tz;
  if (off == 0) tz = Py_NewRef(PyDateTime_TimeZone_UTC);
  else {
    PyObject *delta = PyDelta_FromDSU(0, off, 0);
    if (!delta) return NULL;
    tz = PyTimeZone_FromOffset(delta);
    Py_DECREF(delta);
    if (!tz) return NULL;
  }
  PyObject *r = PyDateTimeAPI->DateTime_FromDateAndTime((int)y, (int)m, (int)dd, (int)(sod / 3600),
                                                        (int)(sod / 60 % 60), (int)(sod % 60), (int)us, tz,
                                                        PyDateTimeAPI->DateTimeType);
  Py_DECREF(tz);
  return r;
}

static PyObject *dec_duration(Dec *d) {
  int64_t ns;
  if (rd_need(&d->r, 8)) return malformed("truncated duration");
  memcpy(&ns, d->r.p, 8);
  d->r.p += 8;
  int64_t us = ns / 1000; /* toward zero */
  int64_t days = us / 86400000000LL;
  int64_t rest = us - days * 86400000000LL;
  return PyDelta_FromDSU((int)days, (int)(rest / 1000000), (int)(rest % 1000000));
}

static PyObject *dec_scalar(Dec *d, uint8_t k) {
  static const uint8_t sizes[] = {0, 1, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8};
  if (k >= K_BOOL && k <= K_F64) {
    if (rd_need(&d->r, sizes[k])) return malformed("truncated scalar");
    const uint8_t *p = d->r.p;
    d->r.p += sizes[k];
    switch (k) {
    case K_BOOL:
      if (*p > 1) return malformed("bool other than 0/1");
      return PyBool_FromLong(*p);
    case K_I8: return PyLong_FromLong((int8_t)*p);
    case K_I16: { int16_t v; memcpy(&v, p, 2); return PyLong_FromLong(v); }
    case K_I32: { int32_t v; memcpy(&v, p, 4); return PyLong_FromLong(v); }
    case K_I64: { int64_t v; memcpy(&v, p, 8); return PyLong_FromLongLong(v); }
    case K_U8: return PyLong_FromLong(*p);
    case K_U16: { uint16_t v; memcpy(&v, p, 2); return PyLong_FromLong(v); }
    case K_U32: { uint32_t v; memcpy(&v, p, 4); return PyLong_FromUnsignedLong(v); }
    case K_U64: { uint64_t v; memcpy(&v, p, 8); return PyLong_FromUnsignedLongLong(v); }
    case K_F32: { float v; memcpy(&v, p, 4); return PyFloat_FromDouble(v); }
    case K_F64: { double v; memcpy(&v, p, 8); return PyFloat_FromDouble(v); }
    }
  }
  uint32_t n;
  switch (k) {
  case K_STRING:
  case K_BYTES:
    if (rd_u32(&d->r, &n) || rd_need(&d->r, n)) return malformed("truncated string");
    d->r.p += n;
    return k == K_STRING ? PyUnicode_DecodeUTF8((const char *)d->r.p - n, n, "replace")
                         : PyBytes_FromStringAndSize((const char *)d->r.p - n, n);
  case K_TIME: return dec_time(d);
  case K_DURATION: return dec_duration(d);
  }
  return malformed("unknown kind");
}

static PyObject *dec_any(Dec *d, int depth) {
  uint8_t tag;
  uint32_t n;
  if (depth > ABI_MAX_DEPTH) return malformed("nested too deeply");
  if (rd_u8(&d->r, &tag)) return malformed("truncated any");
  if (tag == 0) Py_RETURN_NONE;
  if (tag <= K_DURATION) return dec_scalar(d, tag);
  if (tag == K_LIST) {
    if (rd_u32(&d->r, &n) || n > (size_t)(d->r.end - d->r.p)) return malformed("bad list count");
    PyObject *l = PyList_New(n);
    for (uint32_t i = 0; l && i < n; i++) {
      PyObject *v = dec_any(d, depth + 1);
      if (!v) Py_CLEAR(l);
      else PyList_SET_ITEM(l, i, v);
    }
    return l;
  }
  if (tag == K_MAP) {
    if (rd_u32(&d->r, &n) || n > (size_t)(d->r.end - d->r.p) / 2) return malformed("bad map count");
    PyObject *m = PyDict_New();
    for (uint32_t i = 0; m && i < n; i++) {
      PyObject *k = dec_any(d, depth + 1), *v = k ? dec_any(d, depth + 1) : NULL;
      if (!v || PyDict_SetItem(m, k, v) < 0) Py_CLEAR(m);
      Py_XDECREF(k);
      Py_XDECREF(v);
    }
    return m;
  }
  return malformed("unknown any tag");
}

static PyObject *dec(Dec *d, uint32_t t, int depth) {
  AbiType *ty = &d->s->types[t];
  uint32_t n;
  if (depth > ABI_MAX_DEPTH) return malformed("nested too deeply");
  switch (ty->kind) {
  case K_ANY: return dec_any(d, depth);
  case K_LIST: {
    AbiType *el = &d->s->types[ty->a];
    if (rd_u32(&d->r, &n)) return malformed("truncated list");
    if ((uint64_t)n * (el->minsize ? el->minsize : 1) > (uint64_t)(d->r.end - d->r.p) && (el->minsize || n > (1u << 24)))
      return malformed("list count larger than the payload");
    PyObject *l = PyList_New(n);
    for (uint32_t i = 0; l && i < n; i++) {
      PyObject *v = dec(d, ty->a, depth + 1);
      if (!v) Py_CLEAR(l);
      else PyList_SET_ITEM(l, i, v);
    }
    return l;
  }
  case K_ARRAY: {
    if (d->s->types[ty->b].kind == K_U8) {
      if (rd_need(&d->r, ty->a)) return malformed("truncated array");
      d->r.p += ty->a;
      return PyBytes_FromStringAndSize((const char *)d->r.p - ty->a, ty->a);
    }
    PyObject *l = PyList_New(ty->a);
    for (uint32_t i = 0; l && i < ty->a; i++) {
      PyObject *v = dec(d, ty->b, depth + 1);
      if (!v) Py_CLEAR(l);
      else PyList_SET_ITEM(l, i, v);
    }
    return l;
  }
  case K_MAP: {
    if (rd_u32(&d->r, &n)) return malformed("truncated map");
    uint64_t pair = (uint64_t)d->s->types[ty->a].minsize + d->s->types[ty->b].minsize;
    if ((uint64_t)n * pair > (uint64_t)(d->r.end - d->r.p)) return malformed("map count larger than the payload");
    PyObject *m = PyDict_New();
    for (uint32_t i = 0; m && i < n; i++) {
      PyObject *k = dec(d, ty->a, depth + 1), *v = k ? dec(d, ty->b, depth + 1) : NULL;
      if (!v || PyDict_SetItem(m, k, v) < 0) Py_CLEAR(m);
      Py_XDECREF(k);
      Py_XDECREF(v);
    }
    return m;
  }
  case K_STRUCT: {
    PyObject *small[16], **vals = ty->nfields <= 16 ? small : PyMem_Malloc(ty->nfields * sizeof(PyObject *));
    if (!vals) return PyErr_NoMemory();
    uint32_t i;
    PyObject *r = NULL;
    for (i = 0; i < ty->nfields; i++)
      if (!(vals[i] = dec(d, ty->fields[i].type, depth + 1))) break;
    if (i == ty->nfields) {
      if (ty->cls) r = PyObject_Vectorcall(ty->cls, vals, ty->nfields, NULL);
      else {
        r = PyDict_New();
        for (uint32_t j = 0; r && j < ty->nfields; j++)
          if (PyDict_SetItem(r, ty->fields[j].name, vals[j]) < 0) Py_CLEAR(r);
      }
    }
    for (uint32_t j = 0; j < i; j++) Py_DECREF(vals[j]);
    if (vals != small) PyMem_Free(vals);
    return r;
  }
  case K_OPTIONAL: {
    uint8_t p;
    if (rd_u8(&d->r, &p) || p > 1) return malformed("bad presence byte");
    if (!p) Py_RETURN_NONE;
    return dec(d, ty->a, depth + 1);
  }
  default: return dec_scalar(d, ty->kind);
  }
}

/* ---------------------------------------------------------------- guest access */

static uint8_t *mem_at(AbiLibObject *lib, uint64_t ptr, uint64_t len) {
  isthmus_memory *m = ((MemoryObject *)lib->memory)->mem;
  if (ptr + len > isthmus_memory_size(m)) {
    PyErr_Format(lib->CallError, "guest buffer %llu+%llu is outside memory", (unsigned long long)ptr,
                 (unsigned long long)len);
    return NULL;
  }
  return isthmus_memory_data(m) + ptr;
}

/* Calls a guest export with integer arguments; the result as a u64 (i32 results zero-extended). */
static int guest_call(PyObject *f, const int64_t *args, int n, uint64_t *out, int is_i32) {
  PyObject *a[3];
  for (int i = 0; i < n; i++)
    if (!(a[i] = PyLong_FromLongLong(args[i]))) {
      while (i--) Py_DECREF(a[i]);
      return -1;
    }
  PyObject *r = PyObject_Vectorcall(f, a, n, NULL);
  for (int i = 0; i < n; i++) Py_DECREF(a[i]);
  if (!r) return -1;
  if (out) {
    long long v = PyLong_AsLongLong(r);
    *out = is_i32 ? (uint64_t)(uint32_t)v : (uint64_t)v;
  }
  Py_DECREF(r);
  return PyErr_Occurred() ? -1 : 0;
}

static int store_depth(AbiLibObject *lib) { return ((FuncObject *)lib->call)->store->owner != 0; }

/* Copies w into a guest argument buffer (scratch); returns its ptr. */
static int put_args(AbiLibObject *lib, Wb *w, uint32_t *ptr) {
  if (w->len == 0) {
    *ptr = 0;
    return 0;
  }
  if (store_depth(lib) || lib->scratch_n < w->len) {
    uint64_t p;
    int64_t n = w->len < 4096 ? 4096 : (int64_t)w->len; /* ask for room (§5.1): later calls reuse it */
    if (guest_call(lib->scratch, &n, 1, &p, 1) < 0) return -1;
    lib->scratch_ptr = (uint32_t)p;
    lib->scratch_n = (uint32_t)n;
  }
  uint8_t *dst = mem_at(lib, lib->scratch_ptr, w->len);
  if (!dst) return -1;
  memcpy(dst, w->p, w->len);
  *ptr = lib->scratch_ptr;
  return 0;
}

static PyObject *raise_status(AbiLibObject *lib, Dec *d, uint8_t status) {
  PyObject *msg = rd_pystr(&d->r), *type = NULL, *stack = NULL, *exc = NULL;
  if (!msg) return PyErr_Occurred() ? NULL : malformed("truncated error");
  if (status == 3) {
    exc = PyObject_CallFunctionObjArgs(lib->CallError, msg, NULL);
  } else {
    type = rd_pystr(&d->r);
    if (type && status == 2) stack = rd_pystr(&d->r);
    if (!type || (status == 2 && !stack)) {
      if (!PyErr_Occurred()) malformed("truncated error");
    } else if (status == 1) exc = PyObject_CallFunctionObjArgs(lib->GoError, msg, type, NULL);
    else exc = PyObject_CallFunctionObjArgs(lib->GoPanic, msg, type, stack, NULL);
  }
  Py_DECREF(msg);
  Py_XDECREF(stack);
  if (exc) {
    int hosterr = type && PyUnicode_CompareWithASCIIString(type, "*isthmus.HostError") == 0;
    if (hosterr && lib->host_exc) {
      PyObject *orig = lib->host_exc;
      lib->host_exc = NULL;
      PyException_SetContext(orig, exc); /* steals exc */
      PyErr_SetObject((PyObject *)Py_TYPE(orig), orig);
      Py_DECREF(orig);
    } else {
      if (lib->host_exc && !store_depth(lib)) { /* the Go code wrapped a host error: keep it as the cause */
        PyException_SetCause(exc, lib->host_exc); /* steals */
        lib->host_exc = NULL;
      }
      PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
      Py_DECREF(exc);
    }
  }
  Py_XDECREF(type);
  return NULL;
}

static PyObject *abifunc_vectorcall(AbiFuncObject *self, PyObject *const *args, size_t nargsf, PyObject *kwnames) {
  AbiLibObject *lib = self->lib;
  AbiFn *fn = self->fn;
  Py_ssize_t nargs = PyVectorcall_NARGS(nargsf);
  Py_ssize_t nkw = kwnames ? PyTuple_GET_SIZE(kwnames) : 0;
  uint32_t np = fn->nparams;
  int variadic = (fn->flags & 2) && np > 0;
  PyObject *small[8], **vals = np <= 8 ? small : PyMem_Calloc(np, sizeof(PyObject *));
  PyObject *rest = NULL, *result = NULL;
  if (!vals) return PyErr_NoMemory();
  for (uint32_t i = 0; i < np; i++) vals[i] = NULL;
  uint32_t fixed = variadic ? np - 1 : np;
  if ((size_t)nargs > fixed && !variadic) {
    PyErr_Format(PyExc_TypeError, "%U() takes %u argument%s (%zd given)", fn->name, np, np == 1 ? "" : "s", nargs);
    goto out;
  }
  for (Py_ssize_t i = 0; i < nargs && (uint32_t)i < fixed; i++) vals[i] = args[i];
  if (variadic) {
    if ((uint32_t)nargs > fixed) rest = PyTuple_New(nargs - fixed);
    else rest = PyTuple_New(0);
    if (!rest) goto out;
    for (Py_ssize_t i = fixed; i < nargs; i++) PyTuple_SET_ITEM(rest, i - fixed, Py_NewRef(args[i]));
    vals[np - 1] = rest;
  }
  for (Py_ssize_t k = 0; k < nkw; k++) {
    PyObject *key = PyTuple_GET_ITEM(kwnames, k);
    uint32_t j;
    for (j = 0; j < np; j++)
      if (PyUnicode_GET_LENGTH(fn->pnames[j]) && PyUnicode_Compare(key, fn->pnames[j]) == 0) break;
    if (j == np || (variadic && j == np - 1 && nargs > (Py_ssize_t)fixed) || (vals[j] && !(variadic && j == np - 1))) {
      PyErr_Format(PyExc_TypeError, j == np ? "%U() got an unexpected keyword argument %R"
                                            : "%U() got multiple values for argument %R", fn->name, key);
      goto out;
    }
    vals[j] = args[nargs + k];
  }
  Enc e = {&lib->schema, fn->name, NULL, {0}};
  e.w.p = e.w.small;
  e.w.cap = sizeof e.w.small;
  for (uint32_t i = 0; i < np; i++) {
    char pn[24];
    PyObject *what = PyUnicode_GET_LENGTH(fn->pnames[i]) ? Py_NewRef(fn->pnames[i])
                                                         : (snprintf(pn, sizeof pn, "p%u", i), PyUnicode_FromString(pn));
    if (!what) goto fail;
    if (!vals[i]) {
      PyErr_Format(PyExc_TypeError, "%U() missing argument %R", fn->name, what);
      Py_DECREF(what);
      goto fail;
    }
    e.what = what;
    int rc = enc(&e, fn->ptypes[i], vals[i], 0);
    Py_DECREF(what);
    if (rc < 0) goto fail;
  }
  if (!store_depth(lib)) Py_CLEAR(lib->host_exc);
  uint32_t ptr;
  uint64_t packed;
  if (put_args(lib, &e.w, &ptr) < 0) goto fail;
  int64_t cargs[3] = {self->fid, ptr, (int64_t)e.w.len};
  if (guest_call(lib->call, cargs, 3, &packed, 0) < 0) goto fail;
  uint32_t rptr = (uint32_t)(packed >> 32), rlen = (uint32_t)packed;
  const uint8_t *rp = mem_at(lib, rptr, rlen);
  if (!rp) goto fail;
  Dec d = {&lib->schema, {rp, rp + rlen}};
  uint8_t status;
  if (rd_u8(&d.r, &status)) {
    PyErr_SetString(lib->CallError, "empty result payload");
    goto fail;
  }
  if (status != 0) {
    if (status > 3) PyErr_Format(lib->CallError, "unknown result status %u", status);
    else raise_status(lib, &d, status);
    goto fail;
  }
  if (fn->nresults == 1) result = dec(&d, fn->rtypes[0], 0);
  else if (fn->nresults == 0) result = Py_NewRef(Py_None);
  else {
    result = PyTuple_New(fn->nresults);
    for (uint32_t i = 0; result && i < fn->nresults; i++) {
      PyObject *v = dec(&d, fn->rtypes[i], 0);
      if (!v) Py_CLEAR(result);
      else PyTuple_SET_ITEM(result, i, v);
    }
  }
  if (result && d.r.p != d.r.end) {
    Py_CLEAR(result);
    malformed("trailing bytes in result");
  }
  if (!result && PyErr_ExceptionMatches(PyExc_ValueError)) {
    PyObject *exc = ist_fetch_exception();
    PyObject *s = PyObject_Str(exc);
    PyErr_Format(lib->CallError, "%U() result: %S", fn->name, s);
    Py_XDECREF(s);
    Py_XDECREF(exc);
  }
fail:
  wb_free(&e.w);
out:
  Py_XDECREF(rest);
  if (vals != small) PyMem_Free(vals);
  return result;
}

/* ---------------------------------------------------------------- host_call */

/* Encodes a response value; errors become status 1 with the exception kept. */
static int host_respond(AbiLibObject *lib, Wb *w, uint32_t ptr, uint32_t cap, uint64_t *packed) {
  uint32_t dst = ptr;
  if (w->len > cap) {
    uint64_t a;
    int64_t n = (int64_t)w->len;
    if (guest_call(lib->alloc, &n, 1, &a, 1) < 0) return -1;
    dst = (uint32_t)a;
  }
  uint8_t *p = mem_at(lib, dst, w->len);
  if (!p) return -1;
  memcpy(p, w->p, w->len);
  *packed = ((uint64_t)dst << 32) | (uint32_t)w->len;
  return 0;
}

static void host_error(AbiLibObject *lib, Wb *w) {
  PyObject *exc = ist_fetch_exception();
  PyObject *msg = exc ? PyObject_Str(exc) : NULL;
  if (!msg) {
    PyErr_Clear();
    msg = PyUnicode_FromString("host function failed");
  }
  const char *tn = exc ? Py_TYPE(exc)->tp_name : "Error";
  const char *dot = strrchr(tn, '.');
  w->len = 0;
  Py_ssize_t n = 0;
  const char *m = msg ? PyUnicode_AsUTF8AndSize(msg, &n) : NULL;
  if (!m) PyErr_Clear(), m = "host function failed", n = (Py_ssize_t)strlen(m);
  const char *t = dot ? dot + 1 : tn;
  wb_u8(w, 1);
  wb_u32(w, (uint32_t)n);
  wb_put(w, m, n);
  wb_u32(w, (uint32_t)strlen(t));
  wb_put(w, t, strlen(t));
  Py_XDECREF(msg);
  Py_XSETREF(lib->host_exc, exc);
}

static PyObject *abilib_host_call(AbiLibObject *lib, PyObject *const *args, Py_ssize_t nargs) {
  if (nargs != 4) {
    PyErr_SetString(PyExc_TypeError, "host_call(id, ptr, len, cap)");
    return NULL;
  }
  long long v[4];
  for (int i = 0; i < 4; i++) {
    v[i] = PyLong_AsLongLong(args[i]);
    if (v[i] == -1 && PyErr_Occurred()) return NULL;
  }
  int32_t id = (int32_t)v[0];
  uint32_t ptr = (uint32_t)v[1], len = (uint32_t)v[2], cap = (uint32_t)v[3];
  const uint8_t *req = mem_at(lib, ptr, cap > len ? cap : len);
  if (!req) return NULL;
  /* Copy the request: Python code may call into the guest before we have read it all. */
  uint8_t *copy = PyMem_Malloc(len ? len : 1);
  if (!copy) return PyErr_NoMemory();
  memcpy(copy, req, len);
  Wb w = {0};
  w.p = w.small;
  w.cap = sizeof w.small;
  uint64_t packed = 0;
  PyObject *ret = NULL;
  if (id == -1) {
    AbiSchema s;
    if (schema_parse(copy, len, &s) < 0 || s.nimports != 1 || s.nfuncs != 0) {
      if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "resolve request must name exactly one import");
      if (s.types) schema_free(&s);
      host_error(lib, &w);
    } else {
      PyObject *fn = lib->imports ? PyDict_GetItemWithError(lib->imports, s.imports[0].name) : NULL;
      if (!fn) {
        if (!PyErr_Occurred())
          PyErr_Format(PyExc_LookupError, "no host function %R was given to isthmus.load(imports=...)",
                       s.imports[0].name);
        schema_free(&s);
        host_error(lib, &w);
      } else {
        AbiHandle *h = PyMem_Realloc(lib->handles, (lib->nhandles + 1) * sizeof(AbiHandle));
        if (!h) {
          schema_free(&s);
          PyMem_Free(copy);
          return PyErr_NoMemory();
        }
        lib->handles = h;
        h[lib->nhandles].schema = s;
        h[lib->nhandles].fn = Py_NewRef(fn);
        wb_u8(&w, 0);
        wb_u32(&w, lib->nhandles++);
      }
    }
  } else if (id < 0 || (uint32_t)id >= lib->nhandles) {
    PyErr_Format(PyExc_LookupError, "unknown host function handle %d", id);
    host_error(lib, &w);
  } else {
    AbiHandle *h = &lib->handles[id];
    AbiFn *fn = &h->schema.imports[0];
    Dec d = {&h->schema, {copy, copy + len}};
    PyObject *small[8], **vals = fn->nparams <= 8 ? small : PyMem_Calloc(fn->nparams, sizeof(PyObject *));
    uint32_t i = 0;
    PyObject *r = NULL;
    if (vals) {
      for (i = 0; i < fn->nparams; i++)
        if (!(vals[i] = dec(&d, fn->ptypes[i], 0))) break;
      if (i == fn->nparams && d.r.p != d.r.end) malformed("trailing bytes in request");
      else if (i == fn->nparams) r = PyObject_Vectorcall(h->fn, vals, fn->nparams, NULL);
      for (uint32_t j = 0; j < i; j++) Py_DECREF(vals[j]);
      if (vals != small) PyMem_Free(vals);
    } else PyErr_NoMemory();
    if (r) {
      Enc e = {&h->schema, fn->name, NULL, {0}};
      e.w.p = e.w.small;
      e.w.cap = sizeof e.w.small;
      e.what = PyUnicode_FromString("result");
      int rc = e.what ? wb_u8(&e.w, 0) : -1;
      if (rc == 0 && fn->nresults == 1) rc = enc(&e, fn->rtypes[0], r, 0);
      else if (rc == 0 && fn->nresults > 1) {
        if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != fn->nresults) {
          PyErr_Format(PyExc_TypeError, "host function %U must return a tuple of %u values", fn->name, fn->nresults);
          rc = -1;
        }
        for (uint32_t j = 0; rc == 0 && j < fn->nresults; j++) rc = enc(&e, fn->rtypes[j], PyTuple_GET_ITEM(r, j), 0);
      }
      Py_XDECREF(e.what);
      Py_DECREF(r);
      if (rc < 0) host_error(lib, &w);
      else {
        wb_free(&w);
        w = e.w;
        if (w.p == e.w.small) { /* moved: the inline buffer lives in e */
          w.p = w.small;
          memcpy(w.small, e.w.small, e.w.len);
        }
      }
    } else host_error(lib, &w);
  }
  PyMem_Free(copy);
  if (PyErr_Occurred()) goto out;
  if (host_respond(lib, &w, ptr, cap, &packed) == 0) ret = PyLong_FromLongLong((long long)packed);
out:
  wb_free(&w);
  return ret;
}

/* ---------------------------------------------------------------- AbiLib type */

static PyObject *abilib_new(PyTypeObject *tp, PyObject *args, PyObject *kw) {
  static char *kwlist[] = {"schema", "memory", "scratch", "call", "alloc", "errors", "classes", "imports", "functype",
                           NULL};
  Py_buffer view;
  PyObject *memory, *scratch, *call, *alloc, *classes, *imports, *functype;
  PyObject *goerr, *gopanic, *callerr;
  if (!PyArg_ParseTupleAndKeywords(args, kw, "y*OOOO(OOO)OOO", kwlist, &view, &memory, &scratch, &call, &alloc,
                                   &goerr, &gopanic, &callerr, &classes, &imports, &functype))
    return NULL;
  AbiLibObject *self = (AbiLibObject *)tp->tp_alloc(tp, 0);
  if (!self) {
    PyBuffer_Release(&view);
    return NULL;
  }
  int rc = schema_parse(view.buf, (size_t)view.len, &self->schema);
  PyBuffer_Release(&view);
  if (rc < 0) {
    Py_DECREF(self);
    return NULL;
  }
  self->memory = Py_NewRef(memory);
  self->scratch = Py_NewRef(scratch);
  self->call = Py_NewRef(call);
  self->alloc = Py_XNewRef(alloc);
  self->GoError = Py_NewRef(goerr);
  self->GoPanic = Py_NewRef(gopanic);
  self->CallError = Py_NewRef(callerr);
  self->imports = imports == Py_None ? NULL : Py_NewRef(imports);
  self->functype = (PyTypeObject *)Py_NewRef(functype);
  if (classes != Py_None) {
    Py_ssize_t n = PySequence_Length(classes);
    for (Py_ssize_t i = 0; i < n && (uint32_t)i < self->schema.ntypes; i++) {
      PyObject *c = PySequence_GetItem(classes, i);
      if (!c) {
        Py_DECREF(self);
        return NULL;
      }
      if (c != Py_None && self->schema.types[i].kind == K_STRUCT) self->schema.types[i].cls = c;
      else Py_DECREF(c);
    }
  }
  PyErr_Clear();
  if (!PyObject_TypeCheck(memory, ist_state_of_type(Py_TYPE(self))->Memory) ||
      !PyObject_TypeCheck(call, ist_state_of_type(Py_TYPE(self))->Func)) {
    Py_DECREF(self);
    PyErr_SetString(PyExc_TypeError, "AbiLib needs the instance's Memory and Func objects");
    return NULL;
  }
  return (PyObject *)self;
}

static int abilib_traverse(AbiLibObject *self, visitproc visit, void *arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(self->memory);
  Py_VISIT(self->scratch);
  Py_VISIT(self->call);
  Py_VISIT(self->alloc);
  Py_VISIT(self->GoError);
  Py_VISIT(self->GoPanic);
  Py_VISIT(self->CallError);
  Py_VISIT(self->imports);
  Py_VISIT(self->host_exc);
  Py_VISIT(self->functype);
  for (uint32_t i = 0; i < self->schema.ntypes; i++) Py_VISIT(self->schema.types[i].cls);
  for (uint32_t i = 0; i < self->nhandles; i++) Py_VISIT(self->handles[i].fn);
  return 0;
}

static int abilib_clear(AbiLibObject *self) {
  Py_CLEAR(self->memory);
  Py_CLEAR(self->scratch);
  Py_CLEAR(self->call);
  Py_CLEAR(self->alloc);
  Py_CLEAR(self->GoError);
  Py_CLEAR(self->GoPanic);
  Py_CLEAR(self->CallError);
  Py_CLEAR(self->imports);
  Py_CLEAR(self->host_exc);
  Py_CLEAR(self->functype);
  for (uint32_t i = 0; i < self->schema.ntypes; i++) Py_CLEAR(self->schema.types[i].cls);
  for (uint32_t i = 0; i < self->nhandles; i++) Py_CLEAR(self->handles[i].fn);
  return 0;
}

static void abilib_dealloc(AbiLibObject *self) {
  PyTypeObject *tp = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  abilib_clear(self);
  schema_free(&self->schema);
  for (uint32_t i = 0; i < self->nhandles; i++) schema_free(&self->handles[i].schema);
  PyMem_Free(self->handles);
  tp->tp_free(self);
  Py_DECREF(tp);
}

static PyObject *abilib_func(AbiLibObject *self, PyObject *arg) {
  long fid = PyLong_AsLong(arg);
  if (fid == -1 && PyErr_Occurred()) return NULL;
  if (fid < 0 || (unsigned long)fid >= self->schema.nfuncs) {
    PyErr_Format(PyExc_IndexError, "no function %ld in the schema", fid);
    return NULL;
  }
  AbiFuncObject *f = PyObject_GC_New(AbiFuncObject, self->functype);
  if (!f) return NULL;
  f->vectorcall = (vectorcallfunc)abifunc_vectorcall;
  f->lib = (AbiLibObject *)Py_NewRef(self);
  f->fid = (uint32_t)fid;
  f->fn = &self->schema.funcs[fid];
  f->dict = NULL;
  PyObject_GC_Track(f);
  return (PyObject *)f;
}

static PyObject *abilib_host_exc(AbiLibObject *self, void *c) {
  (void)c;
  return Py_NewRef(self->host_exc ? self->host_exc : Py_None);
}

static PyMethodDef abilib_methods[] = {
    {"func", (PyCFunction)abilib_func, METH_O, "func(fid) -> the callable for schema function fid"},
    {"host_call", (PyCFunction)(void (*)(void))abilib_host_call, METH_FASTCALL,
     "host_call(id, ptr, len, cap) -> int: the isthmus.host_call import (docs/abi.md §7)"},
    {NULL},
};

static PyGetSetDef abilib_getset[] = {
    {"host_exception", (getter)abilib_host_exc, NULL, "The last exception a host function raised.", NULL},
    {NULL},
};

static PyType_Slot abilib_slots[] = {
    {Py_tp_new, abilib_new},
    {Py_tp_dealloc, abilib_dealloc},
    {Py_tp_traverse, abilib_traverse},
    {Py_tp_clear, abilib_clear},
    {Py_tp_methods, abilib_methods},
    {Py_tp_getset, abilib_getset},
    {Py_tp_doc, "The host side of one instance of an isthmus-ABI module (used by isthmus.load)."},
    {0, NULL},
};

static PyType_Spec abilib_spec = {
    .name = "isthmus._isthmus.AbiLib",
    .basicsize = sizeof(AbiLibObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC,
    .slots = abilib_slots,
};

/* ---------------------------------------------------------------- AbiFunc type */

static int abifunc_traverse(AbiFuncObject *self, visitproc visit, void *arg) {
  Py_VISIT(Py_TYPE(self));
  Py_VISIT(self->lib);
  Py_VISIT(self->dict);
  return 0;
}

static int abifunc_clear(AbiFuncObject *self) {
  Py_CLEAR(self->dict);
  return 0;
}

static void abifunc_dealloc(AbiFuncObject *self) {
  PyTypeObject *tp = Py_TYPE(self);
  PyObject_GC_UnTrack(self);
  Py_CLEAR(self->dict);
  Py_CLEAR(self->lib);
  PyObject_GC_Del(self);
  Py_DECREF(tp);
}

static PyObject *abifunc_repr(AbiFuncObject *self) {
  return PyUnicode_FromFormat("<isthmus.GoFunc %U>", self->fn->name);
}

static PyObject *abifunc_get(PyObject *self, PyObject *obj, PyObject *type) {
  (void)obj;
  (void)type;
  return Py_NewRef(self); /* never binds: a function of the library, not a method */
}

static PyMemberDef abifunc_members[] = {
    {"__dictoffset__", T_PYSSIZET, offsetof(AbiFuncObject, dict), READONLY, NULL},
    {"__vectorcalloffset__", T_PYSSIZET, offsetof(AbiFuncObject, vectorcall), READONLY, NULL},
    {"fid", T_UINT, offsetof(AbiFuncObject, fid), READONLY, "The function id in the schema."},
    {NULL},
};

static PyType_Slot abifunc_slots[] = {
    {Py_tp_dealloc, abifunc_dealloc},
    {Py_tp_traverse, abifunc_traverse},
    {Py_tp_clear, abifunc_clear},
    {Py_tp_repr, abifunc_repr},
    {Py_tp_call, PyVectorcall_Call},
    {Py_tp_members, abifunc_members},
    {Py_tp_descr_get, abifunc_get},
    {Py_tp_doc, "A Go function exported through the isthmus ABI."},
    {0, NULL},
};

static PyType_Spec abifunc_spec = {
    .name = "isthmus.GoFunc",
    .basicsize = sizeof(AbiFuncObject),
    .flags = Py_TPFLAGS_DEFAULT | Py_TPFLAGS_HAVE_GC | Py_TPFLAGS_HAVE_VECTORCALL,
    .slots = abifunc_slots,
};

static PyMethodDef abi_functions[] = {
    {"_abi_schema", abi_schema, METH_O, "_abi_schema(data) -> the isthmus schema as tuples"},
    {NULL},
};

int ist_abi_exec(PyObject *m) {
  PyDateTime_IMPORT;
  if (!PyDateTimeAPI) return -1;
  PyObject *t = PyType_FromModuleAndSpec(m, &abilib_spec, NULL);
  if (!t || PyModule_AddObjectRef(m, "AbiLib", t) < 0) {
    Py_XDECREF(t);
    return -1;
  }
  Py_DECREF(t);
  t = PyType_FromModuleAndSpec(m, &abifunc_spec, NULL);
  if (!t || PyModule_AddObjectRef(m, "GoFunc", t) < 0) {
    Py_XDECREF(t);
    return -1;
  }
  Py_DECREF(t);
  return PyModule_AddFunctions(m, abi_functions);
}
