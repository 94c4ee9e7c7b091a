/* names.c — the "name" custom section: the module name (subsection 0) and function names
 * (subsection 1). Other subsections are skipped. A custom section may never make a module
 * fail, so anything malformed is dropped quietly, together with what follows it.
 *
 * m->func_names is one allocation: num_funcs pointers followed by the NUL-terminated names
 * they point to, so one free() releases everything. */
#include "decode_int.h"

/* Reads a name (length-prefixed UTF-8) inside a subsection; NULL when malformed. */
static const uint8_t *names_name(bin_reader *r, uint32_t *len) {
  uint32_t n = bin_u32(r);
  if (r->err || bin_left(r) < n) return NULL;
  const uint8_t *s = r->p;
  r->p += n;
  if (!cmn_utf8_valid(s, n)) return NULL;
  *len = n;
  return s;
}

static char *names_module(bin_reader *r) {
  uint32_t len = 0;
  const uint8_t *s = names_name(r, &len);
  if (!s || r->p != r->end) return NULL;
  return cmn_xstrndup((const char *)s, len);
}

/* A name map over the function index space. Entries naming no function are skipped. */
static char **names_funcs(bin_reader *r, uint32_t num_funcs) {
  uint32_t n = bin_u32(r);
  if (r->err || num_funcs == 0 || n > bin_left(r) / 2) return NULL;
  /* The strings take at most the subsection's bytes, plus a NUL each. */
  size_t ptrs = (size_t)num_funcs * sizeof(char *);
  char **names = cmn_xcalloc(1, ptrs + bin_left(r) + n + 1);
  char *out = (char *)names + ptrs;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t idx = bin_u32(r);
    uint32_t len = 0;
    const uint8_t *s = r->err ? NULL : names_name(r, &len);
    if (!s) {
      free(names);
      return NULL;
    }
    if (idx >= num_funcs) continue;
    memcpy(out, s, len);
    out[len] = 0;
    names[idx] = out;
    out += len + 1;
  }
  if (r->p != r->end) {
    free(names);
    return NULL;
  }
  return names;
}

void bin_parse_names(isthmus_module *m) {
  const bin_custom *c = NULL;
  for (uint32_t i = 0; i < m->num_customs && !c; i++) {
    if (m->customs[i].name_len == 4 && memcmp(m->customs[i].name, "name", 4) == 0)
      c = &m->customs[i];
  }
  if (!c) return;

  bin_reader r = {0};
  r.base = m->bytes;
  r.p = m->bytes + c->data_off;
  r.end = r.p + c->data_len;
  int last = -1;
  while (r.p < r.end) {
    uint8_t id = bin_u8(&r);
    uint32_t size = bin_u32(&r);
    if (r.err || size > bin_left(&r) || (int)id <= last) return; /* subsections go in order */
    last = id;
    bin_reader sub = r;
    sub.end = r.p + size;
    r.p += size;
    if (id == 0) {
      m->module_name = names_module(&sub);
      if (!m->module_name) return;
    } else if (id == 1) {
      m->func_names = names_funcs(&sub, m->num_funcs);
      if (!m->func_names) return;
    }
  }
}
