/* abi.c — the host side of the isthmus ABI (docs/abi.md): schema parsing, calls into the guest
 * (isthmus_call) and calls from the guest (isthmus.host_call). Values are converted by
 * abi_codec.c.                                                                ist_abi_*, abi_*
 *
 * Types:
 *   _isthmus._abi_schema(data) -> tuple       the schema as plain tuples, for the Python layer
 *   _isthmus.AbiLib(...)                      one per ABI instance: type table, guest exports
 *   AbiLib.func(fid) -> AbiFunc               a vectorcall callable for schema function fid
 *   AbiLib.host_call(id, ptr, len, cap)       the `isthmus.host_call` import
 *
 * Arguments are encoded into a host buffer, except large strings and bytes-like objects, which
 * are written from their own memory straight into the guest's scratch buffer (one copy each);
 * results are decoded straight from guest memory. */
#include "abi.h"


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
  PyObject *host_excs; /* {token: exception} of host functions, during an outermost call (§7.2) */
  uint32_t next_token;
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

/* Calls a guest export with integer arguments straight through the engine (no Python
 * ints): f's type was checked by abilib_new. The result as a u64 (an i32 zero-extended). */
static int guest_call(PyObject *f, const uint64_t *args, int n, uint64_t *out, int is_i32) {
  uint64_t cells[3];
  for (int i = 0; i < n; i++) cells[i] = args[i];
  if (ist_func_invoke((FuncObject *)f, cells) < 0) return -1;
  if (out) *out = is_i32 ? (uint64_t)(uint32_t)cells[0] : cells[0];
  return 0;
}

static int store_depth(AbiLibObject *lib) { return ((FuncObject *)lib->call)->store->owner != 0; }

/* Writes w into a guest argument buffer (scratch); returns its ptr. The spans' sources are
 * released at once: Python code that runs during the call (host functions) may resize them. */
static int put_args(AbiLibObject *lib, Wb *w, uint32_t *ptr) {
  size_t size = ist_abi_wb_size(w);
  if (size == 0) {
    *ptr = 0;
    return 0;
  }
  if (store_depth(lib) || lib->scratch_n < size) {
    uint64_t p;
    uint64_t n = size < 4096 ? 4096 : (uint64_t)size; /* ask for room (§5.1): later calls reuse it */
    if (guest_call(lib->scratch, &n, 1, &p, 1) < 0) return -1;
    lib->scratch_ptr = (uint32_t)p;
    lib->scratch_n = (uint32_t)n;
  }
  uint8_t *dst = mem_at(lib, lib->scratch_ptr, size);
  if (!dst) return -1;
  ist_abi_wb_write(w, dst);
  ist_abi_wb_release(w);
  *ptr = lib->scratch_ptr;
  return 0;
}

/* The exception a host function raised, by the token its status 1 response carried (§7.2);
 * a new reference, or NULL. */
static PyObject *take_host_exception(AbiLibObject *lib, uint32_t token) {
  if (!token || !lib->host_excs) return NULL;
  PyObject *key = PyLong_FromUnsignedLong(token), *exc = NULL;
  if (key && (exc = Py_XNewRef(PyDict_GetItemWithError(lib->host_excs, key))))
    PyDict_DelItem(lib->host_excs, key);
  PyErr_Clear(); /* an unknown token is no error: the Go error is raised instead */
  Py_XDECREF(key);
  return exc;
}

/* Raises the exception of a status 1–3 payload (§6.2). When a status 1 or 2 carries the token
 * of a host function's exception (Go returned or panicked with an error that wraps the
 * *isthmus.HostError, however deep), that exception is raised again, the Go error as its
 * context, so that Python code sees the exception its own function raised. */
static PyObject *raise_status(AbiLibObject *lib, Dec *d, uint8_t status) {
  PyObject *msg = rd_pystr(&d->r), *type = NULL, *stack = NULL, *exc = NULL;
  uint32_t token = 0;
  if (!msg) return PyErr_Occurred() ? NULL : ist_abi_malformed("truncated error");
  if (status == 3) {
    exc = PyObject_CallFunctionObjArgs(lib->CallError, msg, NULL);
  } else {
    type = rd_pystr(&d->r);
    if (type && status == 2) stack = rd_pystr(&d->r);
    /* a payload that ends before host_error (guests built before it existed) means 0 */
    if (!type || (status == 2 && !stack) || (d->r.p != d->r.end && rd_u32(&d->r, &token))) {
      if (!PyErr_Occurred()) PyErr_SetString(lib->CallError, "malformed isthmus payload: truncated error");
    } else if (status == 1) exc = PyObject_CallFunctionObjArgs(lib->GoError, msg, type, NULL);
    else exc = PyObject_CallFunctionObjArgs(lib->GoPanic, msg, type, stack, NULL);
  }
  Py_DECREF(msg);
  Py_XDECREF(stack);
  Py_XDECREF(type);
  if (!exc) return NULL;
  PyObject *orig = take_host_exception(lib, token);
  if (orig) {
    PyException_SetContext(orig, exc); /* steals exc */
    PyErr_SetObject((PyObject *)Py_TYPE(orig), orig);
    Py_DECREF(orig);
  } else {
    PyErr_SetObject((PyObject *)Py_TYPE(exc), exc);
    Py_DECREF(exc);
  }
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
  int outer = 0; /* the call is the outermost one (depth 0) */
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
    /* A variadic parameter is a Python *args: never a keyword (docs/abi.md §13). */
    if (j == np || (variadic && j == np - 1) || vals[j]) {
      PyErr_Format(PyExc_TypeError, j == np || (variadic && j == np - 1) ? "%U() got an unexpected keyword argument %R"
                                                                       : "%U() got multiple values for argument %R",
                   fn->name, key);
      goto out;
    }
    vals[j] = args[nargs + k];
  }
  Enc e; /* no initializer: it would clear the 256-byte inline buffer on every call */
  e.s = &lib->schema, e.fname = fn->name, e.what = NULL;
  ist_abi_wb_init(&e.w);
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
    int rc = ist_abi_enc(&e, fn->ptypes[i], vals[i], 0);
    if (rc < 0 && variadic && i == np - 1 && nargs == (Py_ssize_t)fixed + 1 &&
        (PyList_Check(args[fixed]) || PyTuple_Check(args[fixed])) && PyErr_ExceptionMatches(PyExc_TypeError)) {
      PyObject *exc = ist_fetch_exception(); /* one list for a ...T parameter: say how to spread it */
      PyErr_Format(PyExc_TypeError, "%S (pass the elements as separate arguments: %U(*%U))", exc, fn->name, what);
      Py_XDECREF(exc);
    }
    Py_DECREF(what);
    if (rc < 0) goto fail;
  }
  outer = !store_depth(lib);
  if (outer && lib->host_excs) PyDict_Clear(lib->host_excs);
  uint32_t ptr;
  uint64_t packed;
  if (put_args(lib, &e.w, &ptr) < 0) goto fail;
  uint64_t cargs[3] = {self->fid, ptr, (uint64_t)ist_abi_wb_size(&e.w)};
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
  if (fn->nresults == 1) result = ist_abi_dec(&d, fn->rtypes[0], 0);
  else if (fn->nresults == 0) result = Py_NewRef(Py_None);
  else {
    result = PyTuple_New(fn->nresults);
    for (uint32_t i = 0; result && i < fn->nresults; i++) {
      PyObject *v = ist_abi_dec(&d, fn->rtypes[i], 0);
      if (!v) Py_CLEAR(result);
      else PyTuple_SET_ITEM(result, i, v);
    }
  }
  if (result && d.r.p != d.r.end) {
    Py_CLEAR(result);
    ist_abi_malformed("trailing bytes in result");
  }
  if (!result && PyErr_ExceptionMatches(PyExc_ValueError)) {
    PyObject *exc = ist_fetch_exception();
    PyObject *s = PyObject_Str(exc);
    PyErr_Format(lib->CallError, "%U() result: %S", fn->name, s);
    Py_XDECREF(s);
    Py_XDECREF(exc);
  }
fail:
  ist_abi_wb_free(&e.w);
  if (outer && lib->host_excs) PyDict_Clear(lib->host_excs); /* none outlives the outermost call */
out:
  Py_XDECREF(rest);
  if (vals != small) PyMem_Free(vals);
  return result;
}

/* ---------------------------------------------------------------- host_call */

/* Writes the response w into the request buffer when it fits, else into an allocation (§7.3). */
static int host_respond(AbiLibObject *lib, Wb *w, uint32_t ptr, uint32_t cap, uint64_t *packed) {
  uint32_t dst = ptr;
  size_t size = ist_abi_wb_size(w);
  if (size > cap) {
    uint64_t a;
    uint64_t n = (uint64_t)size;
    if (!lib->alloc) {
      PyErr_SetString(lib->CallError, "the guest has no isthmus_alloc export for a large host response");
      return -1;
    }
    if (guest_call(lib->alloc, &n, 1, &a, 1) < 0) return -1;
    dst = (uint32_t)a;
  }
  uint8_t *p = mem_at(lib, dst, size);
  if (!p) return -1;
  ist_abi_wb_write(w, p);
  *packed = ((uint64_t)dst << 32) | (uint32_t)size;
  return 0;
}

/* Replaces w with a status 1 response for the pending exception (§7.2). With keep, the
 * exception is kept under a new token that the response carries, so that a Go error that
 * wraps it can bring it back (raise_status); without, the token is 0 (failures of the ABI
 * machinery itself, such as an unknown function name, are not Python code's exceptions). */
static void host_error(AbiLibObject *lib, Wb *w, int keep) {
  PyObject *exc = ist_fetch_exception();
  PyObject *msg = exc ? PyObject_Str(exc) : NULL;
  if (!msg) {
    PyErr_Clear();
    msg = PyUnicode_FromString("host function failed");
  }
  const char *tn = exc ? Py_TYPE(exc)->tp_name : "Error";
  const char *dot = strrchr(tn, '.');
  ist_abi_wb_free(w);
  Py_ssize_t n = 0;
  const char *m = msg ? PyUnicode_AsUTF8AndSize(msg, &n) : NULL;
  if (!m) PyErr_Clear(), m = "host function failed", n = (Py_ssize_t)strlen(m);
  const char *t = dot ? dot + 1 : tn;
  uint32_t token = 0;
  if (keep && exc && (lib->host_excs || (lib->host_excs = PyDict_New()))) {
    if (++lib->next_token == 0) lib->next_token = 1;
    PyObject *key = PyLong_FromUnsignedLong(lib->next_token);
    if (key && PyDict_SetItem(lib->host_excs, key, exc) == 0) token = lib->next_token;
    Py_XDECREF(key);
  }
  PyErr_Clear();
  /* The writes cannot fail: the response is small (the message is cut at 64 KiB). */
  if (n > 65536) n = 65536;
  wb_u8(w, 1);
  wb_u32(w, (uint32_t)n);
  wb_put(w, m, n);
  wb_u32(w, (uint32_t)strlen(t));
  wb_put(w, t, strlen(t));
  wb_u32(w, token);
  Py_XDECREF(msg);
  Py_XDECREF(exc);
}

/* Gives the structs of a resolve request's schema the classes of the module's own structs of
 * the same name and fields, so that host functions get and may return the same dataclasses
 * as the exported functions (the request has its own type table, §7.1). */
/* Whether a struct of the module's schema (name m, from the generator) and one of a resolve
 * request (name t, from Go's reflect at run time) are the same type. They differ for package
 * main: the generator knows its import path ("example.com/app.T"), reflect says "main.T". */
static int same_struct_name(PyObject *m, PyObject *t) {
  if (PyUnicode_Compare(m, t) == 0) return 1;
  const char *ms = PyUnicode_AsUTF8(m), *ts = PyUnicode_AsUTF8(t);
  if (!ms || !ts || strncmp(ts, "main.", 5) != 0) return 0;
  size_t tn = strlen(ts + 4), mn = strlen(ms); /* ".T[...]" */
  return mn > tn && strcmp(ms + mn - tn, ts + 4) == 0; /* the fields are compared too */
}

static void bind_classes(AbiLibObject *lib, AbiSchema *s) {
  for (uint32_t i = 0; i < s->ntypes; i++) {
    AbiType *t = &s->types[i];
    if (t->kind != K_STRUCT || !PyUnicode_GET_LENGTH(t->name)) continue;
    for (uint32_t j = 0; j < lib->schema.ntypes; j++) {
      AbiType *m = &lib->schema.types[j];
      if (m->kind != K_STRUCT || !m->cls || m->nfields != t->nfields || !same_struct_name(m->name, t->name))
        continue;
      uint32_t f = 0;
      while (f < t->nfields && PyUnicode_Compare(m->fields[f].name, t->fields[f].name) == 0) f++;
      if (f == t->nfields) {
        t->cls = Py_NewRef(m->cls);
        break;
      }
    }
  }
  PyErr_Clear();
}

/* Resolves a host function by name and type (§7.1); the response goes into w. */
static void host_resolve(AbiLibObject *lib, const uint8_t *req, uint32_t len, Wb *w) {
  AbiSchema s;
  if (schema_parse(req, len, &s) < 0 || s.nimports != 1 || s.nfuncs != 0) {
    if (!PyErr_Occurred()) PyErr_SetString(PyExc_ValueError, "resolve request must name exactly one import");
    if (s.types) schema_free(&s);
    host_error(lib, w, 0);
    return;
  }
  PyObject *fn = lib->imports ? PyDict_GetItemWithError(lib->imports, s.imports[0].name) : NULL;
  if (!fn) {
    if (!PyErr_Occurred())
      PyErr_Format(PyExc_LookupError, "no host function %R was given to isthmus.load(imports=...)",
                   s.imports[0].name);
    schema_free(&s);
    host_error(lib, w, 0);
    return;
  }
  AbiHandle *h = PyMem_Realloc(lib->handles, (lib->nhandles + 1) * sizeof(AbiHandle));
  if (!h) {
    schema_free(&s);
    PyErr_NoMemory();
    host_error(lib, w, 0);
    return;
  }
  bind_classes(lib, &s);
  lib->handles = h;
  h[lib->nhandles].schema = s;
  h[lib->nhandles].fn = Py_NewRef(fn);
  wb_u8(w, 0);
  wb_u32(w, lib->nhandles++);
}

/* Calls host function h with the request's arguments; the response goes into e->w. */
static void host_invoke(AbiLibObject *lib, AbiHandle *h, const uint8_t *req, uint32_t len, Enc *e) {
  AbiFn *fn = &h->schema.imports[0];
  Dec d = {&h->schema, {req, req + len}};
  PyObject *small[8], **vals = fn->nparams <= 8 ? small : PyMem_Calloc(fn->nparams, sizeof(PyObject *));
  uint32_t i = 0;
  PyObject *r = NULL;
  if (!vals) {
    PyErr_NoMemory();
    host_error(lib, &e->w, 0);
    return;
  }
  for (i = 0; i < fn->nparams; i++)
    if (!(vals[i] = ist_abi_dec(&d, fn->ptypes[i], 0))) break;
  int decoded = i == fn->nparams;
  if (decoded && d.r.p != d.r.end) decoded = 0, ist_abi_malformed("trailing bytes in request");
  if (decoded && (fn->flags & 2) && fn->nparams && PyList_Check(vals[fn->nparams - 1])) {
    /* a Go ...T parameter: the elements are separate arguments, as for an exported function (§13.1) */
    PyObject *args = PyList_New(0), *last = vals[fn->nparams - 1];
    for (uint32_t j = 0; args && j + 1 < fn->nparams; j++)
      if (PyList_Append(args, vals[j]) < 0) Py_CLEAR(args);
    if (args && PyList_SetSlice(args, PY_SSIZE_T_MAX, PY_SSIZE_T_MAX, last) < 0) Py_CLEAR(args);
    PyObject *tuple = args ? PyList_AsTuple(args) : NULL;
    if (tuple) r = PyObject_Call(h->fn, tuple, NULL);
    Py_XDECREF(tuple);
    Py_XDECREF(args);
  } else if (decoded) r = PyObject_Vectorcall(h->fn, vals, fn->nparams, NULL);
  for (uint32_t j = 0; j < i; j++) Py_DECREF(vals[j]);
  if (vals != small) PyMem_Free(vals);
  if (!decoded) {
    host_error(lib, &e->w, 0);
    return;
  }
  if (!r) {
    host_error(lib, &e->w, 1); /* the function raised: Go may hand its exception back */
    return;
  }
  e->fname = fn->name;
  e->what = PyUnicode_FromString("result");
  int rc = e->what ? wb_u8(&e->w, 0) : -1;
  if (rc == 0 && fn->nresults == 1) rc = ist_abi_enc(e, fn->rtypes[0], r, 0);
  else if (rc == 0 && fn->nresults > 1) {
    if (!PyTuple_Check(r) || PyTuple_GET_SIZE(r) != fn->nresults) {
      PyErr_Format(PyExc_TypeError, "host function %U must return a tuple of %u values", fn->name, fn->nresults);
      rc = -1;
    }
    for (uint32_t j = 0; rc == 0 && j < fn->nresults; j++) rc = ist_abi_enc(e, fn->rtypes[j], PyTuple_GET_ITEM(r, j), 0);
  }
  Py_CLEAR(e->what);
  Py_DECREF(r);
  if (rc < 0) host_error(lib, &e->w, 1); /* a result of the wrong type is the Python code's error */
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
  Enc e = {.s = NULL};
  ist_abi_wb_init(&e.w);
  uint64_t packed = 0;
  PyObject *ret = NULL;
  if (id == -1) host_resolve(lib, copy, len, &e.w);
  else if (id < 0 || (uint32_t)id >= lib->nhandles) {
    PyErr_Format(PyExc_LookupError, "unknown host function handle %d", id);
    host_error(lib, &e.w, 0);
  } else {
    e.s = &lib->handles[id].schema;
    host_invoke(lib, &lib->handles[id], copy, len, &e);
  }
  PyMem_Free(copy);
  if (!PyErr_Occurred() && host_respond(lib, &e.w, ptr, cap, &packed) == 0)
    ret = PyLong_FromLongLong((long long)packed);
  ist_abi_wb_free(&e.w);
  return ret;
}

/* ---------------------------------------------------------------- AbiLib type */

/* Checks that export f (a Func) has the type (params[0:np]) -> result. */
static int check_export(PyTypeObject *functp, PyObject *f, const char *name, const isthmus_valtype *params,
                        uint32_t np, isthmus_valtype result) {
  if (!PyObject_TypeCheck(f, functp)) {
    PyErr_Format(PyExc_TypeError, "the ABI export %s is not a function", name);
    return -1;
  }
  const isthmus_functype *t = ((FuncObject *)f)->type;
  bool ok = t->num_params == np && t->num_results == 1 && t->results[0] == result;
  for (uint32_t i = 0; ok && i < np; i++) ok = t->params[i] == params[i];
  if (!ok) {
    PyErr_Format(PyExc_TypeError, "the ABI export %s has the wrong type (docs/abi.md §3: %u i32 parameter%s, "
                 "an %s result)", name, np, np == 1 ? "" : "s", result == ISTHMUS_I64 ? "i64" : "i32");
    return -1;
  }
  return 0;
}

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
  self->alloc = alloc == Py_None ? NULL : Py_NewRef(alloc);
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
  if (!PyObject_TypeCheck(memory, ist_state_of_type(Py_TYPE(self))->Memory)) {
    Py_DECREF(self);
    PyErr_SetString(PyExc_TypeError, "AbiLib needs the instance's Memory object");
    return NULL;
  }
  /* guest_call hands these cells directly: their types must be the ABI's (§3). */
  static const isthmus_valtype i32_i32[] = {ISTHMUS_I32, ISTHMUS_I32, ISTHMUS_I32};
  PyTypeObject *functp = ist_state_of_type(Py_TYPE(self))->Func;
  if (check_export(functp, scratch, "isthmus_scratch", i32_i32, 1, ISTHMUS_I32) < 0 ||
      check_export(functp, call, "isthmus_call", i32_i32, 3, ISTHMUS_I64) < 0 ||
      (alloc != Py_None && check_export(functp, alloc, "isthmus_alloc", i32_i32, 1, ISTHMUS_I32) < 0)) {
    Py_DECREF(self);
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
  Py_VISIT(self->host_excs);
  Py_VISIT(self->functype);
  for (uint32_t i = 0; i < self->schema.ntypes; i++) Py_VISIT(self->schema.types[i].cls);
  for (uint32_t i = 0; i < self->nhandles; i++) {
    Py_VISIT(self->handles[i].fn);
    for (uint32_t j = 0; j < self->handles[i].schema.ntypes; j++) Py_VISIT(self->handles[i].schema.types[j].cls);
  }
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
  Py_CLEAR(self->host_excs);
  Py_CLEAR(self->functype);
  for (uint32_t i = 0; i < self->schema.ntypes; i++) Py_CLEAR(self->schema.types[i].cls);
  for (uint32_t i = 0; i < self->nhandles; i++) {
    Py_CLEAR(self->handles[i].fn);
    for (uint32_t j = 0; j < self->handles[i].schema.ntypes; j++) Py_CLEAR(self->handles[i].schema.types[j].cls);
  }
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

static PyMethodDef abilib_methods[] = {
    {"func", (PyCFunction)abilib_func, METH_O, "func(fid) -> the callable for schema function fid"},
    {"host_call", (PyCFunction)(void (*)(void))abilib_host_call, METH_FASTCALL,
     "host_call(id, ptr, len, cap) -> int: the isthmus.host_call import (docs/abi.md §7)"},
    {NULL},
};

static PyType_Slot abilib_slots[] = {
    {Py_tp_new, abilib_new},
    {Py_tp_dealloc, abilib_dealloc},
    {Py_tp_traverse, abilib_traverse},
    {Py_tp_clear, abilib_clear},
    {Py_tp_methods, abilib_methods},
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
  if (ist_abi_codec_init() < 0) return -1;
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

