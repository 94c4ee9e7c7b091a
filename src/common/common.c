#include "common.h"

#include <stdio.h>

static void oom(size_t n) {
  fprintf(stderr, "isthmus: out of memory allocating %zu bytes\n", n);
  abort();
}

void *cmn_xmalloc(size_t n) {
  void *p = malloc(n ? n : 1);
  if (!p) oom(n);
  return p;
}

void *cmn_xcalloc(size_t count, size_t size) {
  void *p = calloc(count ? count : 1, size ? size : 1);
  if (!p) oom(count * size);
  return p;
}

void *cmn_xrealloc(void *p, size_t n) {
  void *q = realloc(p, n ? n : 1);
  if (!q) oom(n);
  return q;
}

char *cmn_xstrndup(const char *s, size_t n) {
  char *d = cmn_xmalloc(n + 1);
  memcpy(d, s, n);
  d[n] = 0;
  return d;
}

isthmus_error *cmn_error(isthmus_error_kind kind, int64_t offset, const char *fmt, ...) {
  isthmus_error *e = cmn_xcalloc(1, sizeof *e);
  e->kind = kind;
  e->offset = offset;
  e->func = -1;
  va_list ap;
  va_start(ap, fmt);
  int n = vsnprintf(NULL, 0, fmt, ap);
  va_end(ap);
  e->message = cmn_xmalloc((size_t)n + 1);
  va_start(ap, fmt);
  vsnprintf(e->message, (size_t)n + 1, fmt, ap);
  va_end(ap);
  return e;
}

isthmus_error_kind isthmus_error_kind_of(const isthmus_error *e) { return e->kind; }
const char *isthmus_error_message(const isthmus_error *e) { return e->message; }
int64_t isthmus_error_offset(const isthmus_error *e) { return e->offset; }
int64_t isthmus_error_func(const isthmus_error *e) { return e->func; }
void isthmus_error_delete(isthmus_error *e) {
  if (!e) return;
  free(e->message);
  free(e);
}

bool cmn_utf8_valid(const uint8_t *s, size_t len) {
  size_t i = 0;
  while (i < len) {
    uint8_t c = s[i];
    if (c < 0x80) { i++; continue; }
    uint32_t cp;
    size_t n;
    if ((c & 0xE0) == 0xC0) { cp = c & 0x1F; n = 1; }
    else if ((c & 0xF0) == 0xE0) { cp = c & 0x0F; n = 2; }
    else if ((c & 0xF8) == 0xF0) { cp = c & 0x07; n = 3; }
    else return false;
    if (len - i <= n) return false;
    for (size_t k = 1; k <= n; k++) {
      if ((s[i + k] & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (s[i + k] & 0x3F);
    }
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000)) return false;
    if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return false;
    i += n + 1;
  }
  return true;
}

const char *isthmus_valtype_name(isthmus_valtype t) {
  switch (t) {
    case ISTHMUS_I32: return "i32";
    case ISTHMUS_I64: return "i64";
    case ISTHMUS_F32: return "f32";
    case ISTHMUS_F64: return "f64";
    case ISTHMUS_V128: return "v128";
    case ISTHMUS_FUNCREF: return "funcref";
    case ISTHMUS_EXTERNREF: return "externref";
    default: return "?";
  }
}

const char *isthmus_externkind_name(isthmus_externkind k) {
  switch (k) {
    case ISTHMUS_EXTERN_FUNC: return "func";
    case ISTHMUS_EXTERN_TABLE: return "table";
    case ISTHMUS_EXTERN_MEMORY: return "memory";
    case ISTHMUS_EXTERN_GLOBAL: return "global";
    default: return "?";
  }
}
