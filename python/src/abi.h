/* abi.h — shared by abi.c (schema, calls, host_call) and abi_codec.c (values ↔ wire form):
 * the schema in C, the payload reader and the argument writer. Internal to the extension. */
#ifndef IST_ABI_H
#define IST_ABI_H

#include "ist.h"

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

static inline int rd_need(Rd *r, size_t n) { return (size_t)(r->end - r->p) >= n ? 0 : -1; }
static inline int rd_u8(Rd *r, uint8_t *v) {
  if (rd_need(r, 1)) return -1;
  *v = *r->p++;
  return 0;
}
static inline int rd_u32(Rd *r, uint32_t *v) {
  if (rd_need(r, 4)) return -1;
  memcpy(v, r->p, 4);
  r->p += 4;
  return 0;
}
static inline int rd_str(Rd *r, const char **s, uint32_t *n) {
  if (rd_u32(r, n) || rd_need(r, *n)) return -1;
  *s = (const char *)r->p;
  r->p += *n;
  return 0;
}
static inline PyObject *rd_pystr(Rd *r) {
  const char *s;
  uint32_t n;
  if (rd_str(r, &s, &n)) return NULL;
  return PyUnicode_DecodeUTF8(s, n, "replace");
}

/* The argument writer: bytes written inline (p[0:len]), and spans of large strings and
 * buffers that are not copied here but written straight into guest memory by
 * ist_abi_wb_write (the one copy they need). A span keeps its source alive (a reference
 * to the str, or the exported Py_buffer) until ist_abi_wb_free. */
typedef struct WbSpan {
  size_t at; /* inline bytes before the span */
  const void *p;
  size_t n;
  PyObject *owner; /* a str whose UTF-8 is p, or NULL when view is held */
  Py_buffer view;
} WbSpan;

typedef struct Wb {
  uint8_t *p;
  size_t len, cap; /* inline bytes */
  size_t ext;      /* bytes in spans */
  WbSpan *spans;
  uint32_t nspans, capspans;
  uint8_t small[256];
} Wb;

#define IST_ABI_SPAN_MIN 4096 /* smaller data is copied inline: a span costs more than it saves */

static inline void ist_abi_wb_init(Wb *w) {
  memset(w, 0, offsetof(Wb, small));
  w->p = w->small;
  w->cap = sizeof w->small;
}
int ist_abi_wb_grow(Wb *w, size_t n);
static inline int wb_put(Wb *w, const void *d, size_t n) {
  if (w->len + n > w->cap && ist_abi_wb_grow(w, n) < 0) return -1;
  memcpy(w->p + w->len, d, n);
  w->len += n;
  return 0;
}
static inline int wb_u8(Wb *w, uint8_t v) { return wb_put(w, &v, 1); }
static inline int wb_u32(Wb *w, uint32_t v) { return wb_put(w, &v, 4); }
static inline size_t ist_abi_wb_size(const Wb *w) { return w->len + w->ext; }
/* The functions below take the slow path out of line: most calls have no spans and small
 * arguments, and then need no more than a memcpy. */
void ist_abi_wb_write_spans(const Wb *w, uint8_t *dst);
void ist_abi_wb_release_spans(Wb *w);
void ist_abi_wb_free_all(Wb *w);
/* Writes all bytes (inline and spans, in order) to dst[0:ist_abi_wb_size(w)]. */
static inline void ist_abi_wb_write(const Wb *w, uint8_t *dst) {
  if (w->nspans) ist_abi_wb_write_spans(w, dst);
  else memcpy(dst, w->p, w->len);
}
/* Releases the spans' sources (the bytes written stay); then only inline bytes remain valid. */
static inline void ist_abi_wb_release(Wb *w) {
  if (w->nspans) ist_abi_wb_release_spans(w);
}
static inline void ist_abi_wb_free(Wb *w) {
  if (w->spans || w->p != w->small) ist_abi_wb_free_all(w);
  else w->len = 0;
}

typedef struct Enc {
  AbiSchema *s;
  PyObject *fname; /* "Greet" */
  PyObject *what;  /* parameter name, or a description */
  Wb w;
} Enc;

typedef struct Dec {
  AbiSchema *s;
  Rd r;
} Dec;

/* The Go spelling of type t ("map[string][]int64") into buf. */
void ist_abi_tname(AbiSchema *s, uint32_t t, char *buf, size_t cap, int depth);
/* Encodes o as a value of type t; -1 with TypeError/OverflowError/ValueError naming e->what. */
int ist_abi_enc(Enc *e, uint32_t t, PyObject *o, int depth);
/* Decodes a value of type t; NULL with ValueError ("malformed isthmus payload: ...") or OverflowError. */
PyObject *ist_abi_dec(Dec *d, uint32_t t, int depth);
PyObject *ist_abi_malformed(const char *what);
int ist_abi_codec_init(void);

#endif
