/* abi_codec.c — values of the isthmus ABI (docs/abi.md §8) between Python objects and the wire
 * form, by schema type: encoding into a Wb (arguments, host-function results) and decoding
 * from a payload (results, host-function arguments). Every loop over elements is here, in C.
 *                                                                              ist_abi_*, enc_*, dec_* */
#include "abi.h"

#include <datetime.h>
#include <math.h>

/* ---------------------------------------------------------------- Go type names */

void ist_abi_tname(AbiSchema *s, uint32_t t, char *buf, size_t cap, int depth) {
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
  case K_LIST: ist_abi_tname(s, ty->a, a, sizeof a, depth + 1); snprintf(buf, cap, "[]%s", a); return;
  case K_OPTIONAL: ist_abi_tname(s, ty->a, a, sizeof a, depth + 1); snprintf(buf, cap, "*%s", a); return;
  case K_ARRAY: ist_abi_tname(s, ty->b, a, sizeof a, depth + 1); snprintf(buf, cap, "[%u]%s", ty->a, a); return;
  case K_MAP:
    ist_abi_tname(s, ty->a, a, sizeof a, depth + 1);
    ist_abi_tname(s, ty->b, b, sizeof b, depth + 1);
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

/* ---------------------------------------------------------------- encoding */

int ist_abi_wb_grow(Wb *w, size_t n) {
  size_t cap = w->cap * 2;
  while (cap < w->len + n) cap *= 2;
  if (cap > UINT32_MAX + (size_t)1 || ist_abi_wb_size(w) + n > UINT32_MAX) {
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

/* Adds a span of n bytes at p; owner (a new reference) or *view (taken over) keeps them alive. */
static int wb_span(Wb *w, const void *p, size_t n, PyObject *owner, Py_buffer *view) {
  if (ist_abi_wb_size(w) + n > UINT32_MAX) {
    PyErr_SetString(PyExc_OverflowError, "encoded arguments exceed 4 GiB");
    goto fail;
  }
  if (w->nspans == w->capspans) {
    uint32_t cap = w->capspans ? w->capspans * 2 : 4;
    WbSpan *s = PyMem_Realloc(w->spans, cap * sizeof *s);
    if (!s) {
      PyErr_NoMemory();
      goto fail;
    }
    w->spans = s;
    w->capspans = cap;
  }
  WbSpan *s = &w->spans[w->nspans++];
  s->at = w->len;
  s->p = p;
  s->n = n;
  s->owner = owner;
  if (view) s->view = *view;
  w->ext += n;
  return 0;
fail:
  Py_XDECREF(owner);
  if (view) PyBuffer_Release(view);
  return -1;
}

void ist_abi_wb_write_spans(const Wb *w, uint8_t *dst) {
  size_t from = 0;
  for (uint32_t i = 0; i < w->nspans; i++) {
    const WbSpan *s = &w->spans[i];
    memcpy(dst, w->p + from, s->at - from);
    dst += s->at - from;
    from = s->at;
    memcpy(dst, s->p, s->n);
    dst += s->n;
  }
  memcpy(dst, w->p + from, w->len - from);
}

void ist_abi_wb_release_spans(Wb *w) {
  for (uint32_t i = 0; i < w->nspans; i++) {
    WbSpan *s = &w->spans[i];
    if (s->owner) Py_CLEAR(s->owner);
    else if (s->p) PyBuffer_Release(&s->view);
    s->p = NULL;
  }
}

void ist_abi_wb_free_all(Wb *w) {
  ist_abi_wb_release(w);
  PyMem_Free(w->spans);
  w->spans = NULL;
  w->nspans = w->capspans = 0;
  if (w->p != w->small) PyMem_Free(w->p);
  w->p = w->small;
  w->len = w->ext = 0;
  w->cap = sizeof w->small;
}


static int enc_type_error(Enc *e, uint32_t t, PyObject *o) {
  char buf[256];
  if (t == UINT32_MAX) snprintf(buf, sizeof buf, "any");
  else ist_abi_tname(e->s, t, buf, sizeof buf, 0);
  PyErr_Format(PyExc_TypeError, "%U() parameter %U must be %s, not %.100s", e->fname, e->what, buf,
               Py_TYPE(o)->tp_name);
  return -1;
}

static int enc_range_error(Enc *e, uint32_t t, PyObject *o) {
  char buf[64];
  if (t == UINT32_MAX) snprintf(buf, sizeof buf, "any"); /* a value inside an any: no schema type */
  else ist_abi_tname(e->s, t, buf, sizeof buf, 0);
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

/* Appends the bytes of a bytes-like object, with a u32 count first when counted, or exactly
 * want bytes (an array of u8). Large contiguous buffers become spans: their bytes go from the
 * object's memory straight into guest memory (docs/abi.md §13: no extra copy). */
static int enc_buffer(Enc *e, PyObject *o, int counted, uint32_t want) {
  Py_buffer view;
  if (PyObject_GetBuffer(o, &view, PyBUF_FULL_RO) < 0) return -1;
  int rc = 0;
  if ((uint64_t)view.len > UINT32_MAX) {
    PyErr_Format(PyExc_OverflowError, "%U() parameter %U: bytes longer than 4 GiB", e->fname, e->what);
    rc = -1;
  } else if (!counted && (uint64_t)view.len != want) {
    PyErr_Format(PyExc_ValueError, "%U() parameter %U must have %u bytes, not %zd", e->fname, e->what, want, view.len);
    rc = -1;
  } else if (counted && wb_u32(&e->w, (uint32_t)view.len) < 0) {
    rc = -1;
  } else if (PyBuffer_IsContiguous(&view, 'C')) {
    if (view.len >= IST_ABI_SPAN_MIN) return wb_span(&e->w, view.buf, (size_t)view.len, NULL, &view);
    rc = wb_put(&e->w, view.buf, (size_t)view.len);
  } else { /* e.g. memoryview(b)[::2]: gathered in C order, as bytes(view) would */
    if (e->w.len + (size_t)view.len > e->w.cap && ist_abi_wb_grow(&e->w, (size_t)view.len) < 0) rc = -1;
    else if ((rc = PyBuffer_ToContiguous(e->w.p + e->w.len, &view, view.len, 'C')) == 0) e->w.len += (size_t)view.len;
  }
  PyBuffer_Release(&view);
  return rc;
}

/* Appends a str as UTF-8. A str that UTF-8 cannot carry (lone surrogates, e.g. from
 * os.fsdecode of undecodable bytes) is a ValueError naming the parameter. */
static int enc_str(Enc *e, PyObject *o) {
  Py_ssize_t n;
  const char *s = PyUnicode_AsUTF8AndSize(o, &n);
  if (!s) {
    if (!PyErr_ExceptionMatches(PyExc_UnicodeEncodeError)) return -1;
    PyObject *exc = ist_fetch_exception();
    PyErr_Format(PyExc_ValueError, "%U() parameter %U: the str is not valid UTF-8, which a Go string carries (%S)",
                 e->fname, e->what, exc);
    PyObject *now = ist_fetch_exception();
    if (now) PyException_SetCause(now, exc), PyErr_SetObject((PyObject *)Py_TYPE(now), now), Py_DECREF(now);
    else Py_XDECREF(exc);
    return -1;
  }
  if ((uint64_t)n > UINT32_MAX) {
    PyErr_Format(PyExc_OverflowError, "%U() parameter %U: string longer than 4 GiB", e->fname, e->what);
    return -1;
  }
  if (wb_u32(&e->w, (uint32_t)n) < 0) return -1;
  if (n >= IST_ABI_SPAN_MIN) return wb_span(&e->w, s, (size_t)n, Py_NewRef(o), NULL); /* str's UTF-8 stays put */
  return wb_put(&e->w, s, (size_t)n);
}

/* An aware datetime. A naive one is refused: Go's time.Time is an instant, and a naive
 * datetime does not say which (local time? UTC?), so guessing would shift it silently. */
static int enc_time(Enc *e, uint32_t t, PyObject *o) {
  if (!PyDateTime_Check(o)) return enc_type_error(e, t, o);
  int32_t offset = 0;
  PyObject *off = PyObject_CallMethod(o, "utcoffset", NULL);
  if (!off) return -1;
  if (!PyDelta_Check(off)) {
    Py_DECREF(off);
    PyErr_Format(PyExc_TypeError,
                 "%U() parameter %U must be an aware datetime (with a tzinfo), not a naive one: "
                 "use .replace(tzinfo=datetime.timezone.utc) for UTC or .astimezone() for local time",
                 e->fname, e->what);
    return -1;
  }
  offset = PyDateTime_DELTA_GET_DAYS(off) * 86400 + PyDateTime_DELTA_GET_SECONDS(off);
  if (PyDateTime_DELTA_GET_MICROSECONDS(off)) {
    PyErr_Format(PyExc_ValueError, "%U() parameter %U: UTC offset %S is not a whole number of seconds "
                 "(a Go time zone offset is)", e->fname, e->what, off);
    Py_DECREF(off);
    return -1;
  }
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
    return wb_u8(w, K_BYTES) < 0 ? -1 : enc_buffer(e, o, 1, 0);
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
    while (PyDict_Next(o, &pos, &k, &v)) {
      /* §8.3: a key is a value Go can use as a map key; a list, map or bytes is not */
      if (!(k == Py_None || PyBool_Check(k) || PyLong_Check(k) || PyFloat_Check(k) || PyUnicode_Check(k) ||
            PyDateTime_Check(k) || PyDelta_Check(k))) {
        PyErr_Format(PyExc_TypeError, "%U() parameter %U: a map key in any must be None, bool, int, float, str, "
                     "datetime or timedelta (a Go map key), not %.100s", e->fname, e->what, Py_TYPE(k)->tp_name);
        return -1;
      }
      if (enc_any(e, k, depth + 1) < 0 || enc_any(e, v, depth + 1) < 0) return -1;
    }
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
    ist_abi_tname(e->s, t, buf, sizeof buf, 0);
    PyErr_Format(PyExc_ValueError, "%U() parameter %U must have %u elements for %s, not %zd", e->fname, e->what,
                 want, buf, n);
    rc = -1;
  } else if (counted && wb_u32(&e->w, (uint32_t)n) < 0) rc = -1;
  PyObject **items = PySequence_Fast_ITEMS(seq);
  for (Py_ssize_t i = 0; rc == 0 && i < n; i++) rc = ist_abi_enc(e, elem, items[i], depth + 1);
  Py_DECREF(seq);
  return rc;
}

int ist_abi_enc(Enc *e, uint32_t t, PyObject *o, int depth) {
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
    /* A finite value that rounds to ±Inf in float32 is out of range (as for struct.pack('<f')):
     * FLT_MAX plus half an ulp is where rounding reaches infinity. */
    if (isfinite(d) && fabs(d) >= 0x1.ffffffp+127) return enc_range_error(e, t, o);
    float f = (float)d;
    return wb_put(&e->w, &f, 4);
  }
  case K_STRING:
    if (!PyUnicode_Check(o)) return enc_type_error(e, t, o);
    return enc_str(e, o);
  case K_BYTES:
    if (!PyObject_CheckBuffer(o)) return enc_type_error(e, t, o);
    return enc_buffer(e, o, 1, 0);
  case K_TIME: return enc_time(e, t, o);
  case K_DURATION: return enc_duration(e, t, o);
  case K_ANY: return enc_any(e, o, depth);
  case K_LIST: return enc_seq(e, t, ty->a, o, 1, 0, depth);
  case K_ARRAY:
    if (e->s->types[ty->b].kind == K_U8 && PyObject_CheckBuffer(o)) return enc_buffer(e, o, 0, ty->a);
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
      int rc = ist_abi_enc(e, t, d, depth);
      Py_DECREF(d);
      return rc;
    }
    if (wb_u32(&e->w, (uint32_t)PyDict_GET_SIZE(o)) < 0) return -1;
    Py_ssize_t pos = 0;
    PyObject *k, *v;
    while (PyDict_Next(o, &pos, &k, &v))
      if (ist_abi_enc(e, ty->a, k, depth + 1) < 0 || ist_abi_enc(e, ty->b, v, depth + 1) < 0) return -1;
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
          ist_abi_tname(e->s, t, buf, sizeof buf, 0);
          PyErr_Format(PyExc_TypeError, "%U() parameter %U: missing field %R of %s", e->fname, e->what,
                       ty->fields[i].name, buf);
        }
        return -1;
      }
      int rc = ist_abi_enc(e, ty->fields[i].type, v, depth + 1);
      Py_DECREF(v);
      if (rc < 0) return -1;
    }
    return 0;
  }
  case K_OPTIONAL:
    if (o == Py_None) return wb_u8(&e->w, 0);
    if (wb_u8(&e->w, 1) < 0) return -1;
    return ist_abi_enc(e, ty->a, o, depth + 1);
  }
  return -1;
}

/* ---------------------------------------------------------------- decoding */


PyObject *ist_abi_malformed(const char *what) {
  PyErr_Format(PyExc_ValueError, "malformed isthmus payload: %s", what);
  return NULL;
}

static PyObject *dec_time(Dec *d) {
  int64_t sec;
  uint32_t ns;
  int32_t off;
  if (rd_need(&d->r, 16)) return ist_abi_malformed("truncated time");
  memcpy(&sec, d->r.p, 8);
  memcpy(&ns, d->r.p + 8, 4);
  memcpy(&off, d->r.p + 12, 4);
  d->r.p += 16;
  if (ns > 999999999) return ist_abi_malformed("time nanoseconds out of range");
  uint32_t us = ns / 1000, rem = ns % 1000; /* to the nearest microsecond, ties to even (§13) */
  if (rem > 500 || (rem == 500 && (us & 1))) us++;
  if (us == 1000000) us = 0, sec++;
  if (sec > INT64_MAX / 2 || sec < INT64_MIN / 2) return ist_abi_malformed("time out of range");
  if (off <= -86400 || off >= 86400) { /* Go allows any offset; a Python timezone less than a day */
    PyErr_Format(PyExc_OverflowError, "time zone offset %d s is out of range for datetime (less than 24 h)", off);
    return NULL;
  }
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
  if (rd_need(&d->r, 8)) return ist_abi_malformed("truncated duration");
  memcpy(&ns, d->r.p, 8);
  d->r.p += 8;
  int64_t us = ns / 1000, rem = ns % 1000; /* to the nearest microsecond, ties to even (§13) */
  if (rem > 500 || (rem == 500 && (us & 1))) us++;
  else if (rem < -500 || (rem == -500 && (us & 1))) us--;
  int64_t days = us / 86400000000LL;
  int64_t rest = us - days * 86400000000LL;
  return PyDelta_FromDSU((int)days, (int)(rest / 1000000), (int)(rest % 1000000));
}

static PyObject *dec_scalar(Dec *d, uint8_t k) {
  static const uint8_t sizes[] = {0, 1, 1, 2, 4, 8, 1, 2, 4, 8, 4, 8};
  if (k >= K_BOOL && k <= K_F64) {
    if (rd_need(&d->r, sizes[k])) return ist_abi_malformed("truncated scalar");
    const uint8_t *p = d->r.p;
    d->r.p += sizes[k];
    switch (k) {
    case K_BOOL:
      if (*p > 1) return ist_abi_malformed("bool other than 0/1");
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
    if (rd_u32(&d->r, &n) || rd_need(&d->r, n)) return ist_abi_malformed("truncated string");
    d->r.p += n;
    return k == K_STRING ? PyUnicode_DecodeUTF8((const char *)d->r.p - n, n, "replace")
                         : PyBytes_FromStringAndSize((const char *)d->r.p - n, n);
  case K_TIME: return dec_time(d);
  case K_DURATION: return dec_duration(d);
  }
  return ist_abi_malformed("unknown kind");
}

/* Maps come out as dicts in ascending key order: the ABI sends maps in no particular order
 * (a Go guest in its random map order), and a dict keeps insertion order, so without this the
 * same map would print, iterate and serialize differently from call to call (docs/abi.md §13).
 * Sorting here costs far less than in the guest (the interpreter). The order: by class (None,
 * bool, numbers, NaN, str, datetime, timedelta), then by value; str by code point. */
typedef struct MapKey {
  int rank, isf; /* isf: a float, compared with the integers by value (rank 2) */
  __int128 i;
  double f;
  const uint8_t *s;
  uint32_t n, idx;
} MapKey;

/* The sort key of a map key of kind k whose wire form starts at p (already validated). */
static void map_key(uint8_t k, const uint8_t *p, MapKey *mk) {
  mk->rank = 7;
  switch (k) {
  case 0: mk->rank = 0; return;
  case K_BOOL: mk->rank = 1, mk->i = p[0]; return;
  case K_I8: mk->rank = 2, mk->i = (int8_t)p[0]; return;
  case K_I16: { int16_t v; memcpy(&v, p, 2); mk->rank = 2, mk->i = v; return; }
  case K_I32: { int32_t v; memcpy(&v, p, 4); mk->rank = 2, mk->i = v; return; }
  case K_I64: { int64_t v; memcpy(&v, p, 8); mk->rank = 2, mk->i = v; return; }
  case K_U8: mk->rank = 2, mk->i = p[0]; return;
  case K_U16: { uint16_t v; memcpy(&v, p, 2); mk->rank = 2, mk->i = v; return; }
  case K_U32: { uint32_t v; memcpy(&v, p, 4); mk->rank = 2, mk->i = v; return; }
  case K_U64: { uint64_t v; memcpy(&v, p, 8); mk->rank = 2, mk->i = v; return; }
  case K_F32: { float v; memcpy(&v, p, 4); mk->rank = isnan(v) ? 3 : 2, mk->f = v, mk->isf = 1; return; }
  case K_F64: { double v; memcpy(&v, p, 8); mk->rank = isnan(v) ? 3 : 2, mk->f = v, mk->isf = 1; return; }
  case K_STRING: case K_BYTES: memcpy(&mk->n, p, 4), mk->s = p + 4, mk->rank = 4; return;
  case K_TIME: {
    int64_t sec;
    uint32_t ns;
    memcpy(&sec, p, 8), memcpy(&ns, p + 8, 4);
    mk->rank = 5, mk->i = (__int128)sec * 1000000000 + ns;
    return;
  }
  case K_DURATION: { int64_t v; memcpy(&v, p, 8); mk->rank = 6, mk->i = v; return; }
  default: return;
  }
}

static int map_key_cmp(const void *pa, const void *pb) {
  const MapKey *a = pa, *b = pb;
  if (a->rank != b->rank) return a->rank < b->rank ? -1 : 1;
  int c = 0;
  if (a->rank == 2) {
    if (a->isf || b->isf) { /* long double holds every i64/u64 exactly */
      long double x = a->isf ? (long double)a->f : (long double)a->i, y = b->isf ? (long double)b->f : (long double)b->i;
      c = (x > y) - (x < y);
    } else {
      c = (a->i > b->i) - (a->i < b->i);
    }
  } else if (a->rank == 4) {
    c = memcmp(a->s, b->s, a->n < b->n ? a->n : b->n);
    if (!c) c = (a->n > b->n) - (a->n < b->n);
  } else if (a->rank != 0 && a->rank != 3 && a->rank != 7) c = (a->i > b->i) - (a->i < b->i);
  if (c) return c;
  return (a->idx > b->idx) - (a->idx < b->idx); /* equal keys keep wire order: the later pair wins */
}

static PyObject *dec_any(Dec *d, int depth);

/* Decodes n pairs of a map (key type kt, value type vt; UINT32_MAX: any) into a dict in key order. */
static PyObject *dec_map(Dec *d, uint32_t n, uint32_t kt, uint32_t vt, int depth) {
  PyObject *m = NULL, **ks = NULL, **vs = NULL;
  MapKey *order = NULL;
  uint32_t got = 0;
  if (n) {
    ks = PyMem_Malloc(n * sizeof *ks), vs = PyMem_Malloc(n * sizeof *vs), order = PyMem_Malloc(n * sizeof *order);
    if (!ks || !vs || !order) {
      PyErr_NoMemory();
      goto done;
    }
  }
  for (; got < n; got++) {
    const uint8_t *at = d->r.p;
    PyObject *k = kt == UINT32_MAX ? dec_any(d, depth + 1) : ist_abi_dec(d, kt, depth + 1);
    if (!k) goto done;
    PyObject *v = vt == UINT32_MAX ? dec_any(d, depth + 1) : ist_abi_dec(d, vt, depth + 1);
    if (!v) {
      Py_DECREF(k);
      goto done;
    }
    ks[got] = k, vs[got] = v;
    memset(&order[got], 0, sizeof order[got]);
    if (kt == UINT32_MAX) map_key(at[0], at + 1, &order[got]);
    else map_key(d->s->types[kt].kind, at, &order[got]);
    order[got].idx = got;
  }
  if (n > 1) qsort(order, n, sizeof *order, map_key_cmp);
  m = PyDict_New();
  for (uint32_t i = 0; m && i < n; i++)
    if (PyDict_SetItem(m, ks[order[i].idx], vs[order[i].idx]) < 0) Py_CLEAR(m);
done:
  for (uint32_t i = 0; i < got; i++) Py_DECREF(ks[i]), Py_DECREF(vs[i]);
  PyMem_Free(ks);
  PyMem_Free(vs);
  PyMem_Free(order);
  return m;
}

static PyObject *dec_any(Dec *d, int depth) {
  uint8_t tag;
  uint32_t n;
  if (depth > ABI_MAX_DEPTH) return ist_abi_malformed("nested too deeply");
  if (rd_u8(&d->r, &tag)) return ist_abi_malformed("truncated any");
  if (tag == 0) Py_RETURN_NONE;
  if (tag <= K_DURATION) return dec_scalar(d, tag);
  if (tag == K_LIST) {
    if (rd_u32(&d->r, &n) || n > (size_t)(d->r.end - d->r.p)) return ist_abi_malformed("bad list count");
    PyObject *l = PyList_New(n);
    for (uint32_t i = 0; l && i < n; i++) {
      PyObject *v = dec_any(d, depth + 1);
      if (!v) Py_CLEAR(l);
      else PyList_SET_ITEM(l, i, v);
    }
    return l;
  }
  if (tag == K_MAP) {
    if (rd_u32(&d->r, &n) || n > (size_t)(d->r.end - d->r.p) / 2) return ist_abi_malformed("bad map count");
    return dec_map(d, n, UINT32_MAX, UINT32_MAX, depth);
  }
  return ist_abi_malformed("unknown any tag");
}

PyObject *ist_abi_dec(Dec *d, uint32_t t, int depth) {
  AbiType *ty = &d->s->types[t];
  uint32_t n;
  if (depth > ABI_MAX_DEPTH) return ist_abi_malformed("nested too deeply");
  switch (ty->kind) {
  case K_ANY: return dec_any(d, depth);
  case K_LIST: {
    AbiType *el = &d->s->types[ty->a];
    if (rd_u32(&d->r, &n)) return ist_abi_malformed("truncated list");
    if ((uint64_t)n * (el->minsize ? el->minsize : 1) > (uint64_t)(d->r.end - d->r.p) && (el->minsize || n > (1u << 24)))
      return ist_abi_malformed("list count larger than the payload");
    PyObject *l = PyList_New(n);
    for (uint32_t i = 0; l && i < n; i++) {
      PyObject *v = ist_abi_dec(d, ty->a, depth + 1);
      if (!v) Py_CLEAR(l);
      else PyList_SET_ITEM(l, i, v);
    }
    return l;
  }
  case K_ARRAY: {
    if (d->s->types[ty->b].kind == K_U8) {
      if (rd_need(&d->r, ty->a)) return ist_abi_malformed("truncated array");
      d->r.p += ty->a;
      return PyBytes_FromStringAndSize((const char *)d->r.p - ty->a, ty->a);
    }
    PyObject *l = PyList_New(ty->a);
    for (uint32_t i = 0; l && i < ty->a; i++) {
      PyObject *v = ist_abi_dec(d, ty->b, depth + 1);
      if (!v) Py_CLEAR(l);
      else PyList_SET_ITEM(l, i, v);
    }
    return l;
  }
  case K_MAP: {
    if (rd_u32(&d->r, &n)) return ist_abi_malformed("truncated map");
    uint64_t pair = (uint64_t)d->s->types[ty->a].minsize + d->s->types[ty->b].minsize;
    if ((uint64_t)n * pair > (uint64_t)(d->r.end - d->r.p)) return ist_abi_malformed("map count larger than the payload");
    return dec_map(d, n, ty->a, ty->b, depth);
  }
  case K_STRUCT: {
    PyObject *small[16], **vals = ty->nfields <= 16 ? small : PyMem_Malloc(ty->nfields * sizeof(PyObject *));
    if (!vals) return PyErr_NoMemory();
    uint32_t i;
    PyObject *r = NULL;
    for (i = 0; i < ty->nfields; i++)
      if (!(vals[i] = ist_abi_dec(d, ty->fields[i].type, depth + 1))) break;
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
    if (rd_u8(&d->r, &p) || p > 1) return ist_abi_malformed("bad presence byte");
    if (!p) Py_RETURN_NONE;
    return ist_abi_dec(d, ty->a, depth + 1);
  }
  default: return dec_scalar(d, ty->kind);
  }
}


int ist_abi_codec_init(void) {
  PyDateTime_IMPORT;
  return PyDateTimeAPI ? 0 : -1;
}
