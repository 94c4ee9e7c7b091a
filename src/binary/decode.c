/* decode.c — the binary decoder: header, section order, the module-level sections, final
 * checks and freeing. Element, data and code sections and constant expressions are in
 * decode_code.c, the name section in names.c; decode_int.h explains the reading model. */
#include "decode_int.h"

/* ---------------------------------------------------------------- small readers */

uint32_t dec_len32(bin_reader *r) {
  size_t at = bin_off(r);
  uint32_t n = bin_u32(r);
  if (r->err) return 0;
  if (n > dec_left_from(r, at)) {
    dec_fail_at(r, at, "length out of bounds");
    return 0;
  }
  return n;
}

/* A 7-bit signed LEB as the reference reads type tags: one byte, or "too long". */
static uint8_t dec_tag7(bin_reader *r, size_t *off) {
  *off = bin_off(r);
  uint8_t b = bin_u8(r);
  if (r->err) return 0;
  if (b & 0x80) {
    dec_fail_at(r, *off, "integer representation too long");
    return 0;
  }
  return b;
}

isthmus_valtype dec_valtype(bin_reader *r) {
  size_t off;
  uint8_t b = dec_tag7(r, &off);
  if (r->err) return 0;
  if (b >= ISTHMUS_F64) return b; /* 0x7C..0x7F: f64 f32 i64 i32 */
  if (b > ISTHMUS_FUNCREF) {      /* 0x71..0x7B: the vector types' range */
    if (b == ISTHMUS_V128) return b;
    dec_fail_at(r, off, "malformed vector type");
    return 0;
  }
  if (b == ISTHMUS_FUNCREF || b == ISTHMUS_EXTERNREF) return b;
  dec_fail_at(r, off, "malformed reference type");
  return 0;
}

isthmus_valtype dec_reftype(bin_reader *r) {
  size_t off;
  uint8_t b = dec_tag7(r, &off);
  if (r->err) return 0;
  if (b == ISTHMUS_FUNCREF || b == ISTHMUS_EXTERNREF) return b;
  dec_fail_at(r, off, "malformed reference type");
  return 0;
}

/* The limits flag: a 1-bit unsigned LEB (so 0x02 is "too large", 0x81 "too long"). */
static bool dec_flag1(bin_reader *r) {
  size_t off = bin_off(r);
  uint8_t b = bin_u8(r);
  if (r->err) return false;
  if ((b & 0x7F) > 1) {
    dec_fail_at(r, off, "integer too large");
    return false;
  }
  if (b & 0x80) {
    dec_fail_at(r, off, "integer representation too long");
    return false;
  }
  return b & 1;
}

static isthmus_limits dec_limits(bin_reader *r) {
  isthmus_limits l = {0};
  l.has_max = dec_flag1(r);
  l.min = bin_u32(r);
  if (l.has_max) l.max = bin_u32(r);
  return l;
}

static isthmus_tabletype dec_tabletype(bin_reader *r) {
  isthmus_tabletype t;
  t.elem = dec_reftype(r);
  t.limits = dec_limits(r);
  return t;
}

static isthmus_globaltype dec_globaltype(bin_reader *r) {
  isthmus_globaltype g = {0};
  g.type = dec_valtype(r);
  if (r->err) return g;
  size_t off = bin_off(r);
  uint8_t mut = bin_u8(r);
  if (r->err) return g;
  if (mut > 1) dec_fail_at(r, off, "malformed mutability");
  g.mutable_ = mut == 1;
  return g;
}

/* A name: length-prefixed UTF-8. Returns a view into the module's bytes. */
static const uint8_t *dec_name(bin_reader *r, uint32_t *len) {
  size_t at = bin_off(r);
  uint32_t n = dec_len32(r);
  if (r->err) return NULL;
  if (bin_left(r) < n) {
    dec_eof(r);
    return NULL;
  }
  const uint8_t *s = r->p;
  r->p += n;
  if (!cmn_utf8_valid(s, n)) {
    dec_fail_at(r, at, "malformed UTF-8 encoding");
    return NULL;
  }
  *len = n;
  return s;
}

void dec_reserve(void **arr, uint32_t *cap, uint32_t need, size_t size) {
  if (need <= *cap) return;
  uint32_t c = *cap ? *cap : 4;
  while (c < need) c = c > UINT32_MAX / 2 ? need : c * 2;
  *arr = cmn_xrealloc(*arr, (size_t)c * size);
  memset((char *)*arr + (size_t)*cap * size, 0, (size_t)(c - *cap) * size);
  *cap = c;
}

/* Entries to allocate for a vector of n items of at least `minsize` bytes each: no more than
 * the rest of the module could hold (an item beyond that can never be read whole). */
static uint32_t dec_cap(const bin_reader *r, uint32_t n, size_t minsize) {
  size_t most = bin_left(r) / minsize;
  return n < most ? n : (uint32_t)most;
}

/* ---------------------------------------------------------------- module-level sections */

static void dec_type_section(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t n = dec_len32(r);
  if (r->err) return;
  if (n > BIN_MAX_TYPES) { dec_limit(d, "too many types (implementation limit)"); return; }
  uint32_t cap = dec_cap(r, n, 3);
  m->types = cmn_xcalloc(cap, sizeof *m->types);
  uint32_t *start = cmn_xmalloc((size_t)cap * sizeof *start); /* offsets into the storage */
  CMN_VEC(isthmus_valtype) store = {0};
  uint32_t i;
  for (i = 0; i < n; i++) {
    size_t off;
    uint8_t tag = dec_tag7(r, &off);
    if (r->err) break;
    if (tag != 0x60) { dec_fail_at(r, off, "malformed function type"); break; }
    uint32_t at = (uint32_t)store.len;
    uint32_t np = dec_len32(r);
    for (uint32_t k = 0; k < np && !r->err; k++) cmn_vec_push(store, dec_valtype(r));
    uint32_t nr = r->err ? 0 : dec_len32(r);
    for (uint32_t k = 0; k < nr && !r->err; k++) cmn_vec_push(store, dec_valtype(r));
    if (r->err) break;
    if (i >= cap) { bin_fail(r, "unexpected end"); break; } /* cannot happen: see dec_cap */
    m->types[i].num_params = np;
    m->types[i].num_results = nr;
    start[i] = at;
  }
  m->num_types = i;
  m->type_storage = store.items;
  for (uint32_t k = 0; k < i; k++) {
    isthmus_functype *t = &m->types[k];
    t->params = store.items ? store.items + start[k] : NULL;
    t->results = store.items ? store.items + start[k] + t->num_params : NULL;
  }
  free(start);
}

static void dec_import_section(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t n = dec_len32(r);
  if (r->err) return;
  uint32_t cap = dec_cap(r, n, 4);
  m->imports = cmn_xcalloc(cap, sizeof *m->imports);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t mlen = 0, nlen = 0;
    const uint8_t *mod = dec_name(r, &mlen);
    const uint8_t *name = r->err ? NULL : dec_name(r, &nlen);
    if (r->err) return;
    size_t koff = bin_off(r);
    uint8_t kind = bin_u8(r);
    if (r->err) return;
    bin_import imp = {0};
    imp.kind = (isthmus_externkind)kind;
    switch (kind) {
      case ISTHMUS_EXTERN_FUNC: {
        uint32_t type = bin_u32(r);
        if (r->err) return;
        if (m->num_funcs >= BIN_MAX_FUNCS) { dec_limit(d, "too many functions (implementation limit)"); return; }
        dec_reserve((void **)&m->funcs, &d->funcs_cap, m->num_funcs + 1, sizeof *m->funcs);
        m->funcs[m->num_funcs].type = type;
        imp.type = type;
        imp.index = m->num_funcs++;
        m->num_func_imports++;
        break;
      }
      case ISTHMUS_EXTERN_TABLE: {
        isthmus_tabletype t = dec_tabletype(r);
        if (r->err) return;
        dec_reserve((void **)&m->tables, &d->tables_cap, m->num_tables + 1, sizeof *m->tables);
        m->tables[m->num_tables] = t;
        imp.index = m->num_tables++;
        m->num_table_imports++;
        break;
      }
      case ISTHMUS_EXTERN_MEMORY: {
        isthmus_memtype t = {dec_limits(r)};
        if (r->err) return;
        dec_reserve((void **)&m->memories, &d->memories_cap, m->num_memories + 1,
                    sizeof *m->memories);
        m->memories[m->num_memories] = t;
        imp.index = m->num_memories++;
        m->num_memory_imports++;
        break;
      }
      case ISTHMUS_EXTERN_GLOBAL: {
        isthmus_globaltype t = dec_globaltype(r);
        if (r->err) return;
        dec_reserve((void **)&m->globals, &d->globals_cap, m->num_globals + 1,
                    sizeof *m->globals);
        m->globals[m->num_globals].type = t;
        imp.index = m->num_globals++;
        m->num_global_imports++;
        break;
      }
      default:
        dec_fail_at(r, koff, "malformed import kind");
        return;
    }
    if (i >= cap) { bin_fail(r, "unexpected end"); return; } /* cannot happen */
    imp.module = cmn_xstrndup((const char *)mod, mlen);
    imp.module_len = mlen;
    imp.name = cmn_xstrndup((const char *)name, nlen);
    imp.name_len = nlen;
    m->imports[m->num_imports++] = imp;
  }
}

static void dec_function_section(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t n = dec_len32(r);
  if (r->err) return;
  if (n > BIN_MAX_FUNCS - m->num_funcs) {
    dec_limit(d, "too many functions (implementation limit)");
    return;
  }
  dec_reserve((void **)&m->funcs, &d->funcs_cap, m->num_funcs + dec_cap(r, n, 1),
              sizeof *m->funcs);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t type = bin_u32(r);
    if (r->err) return;
    dec_reserve((void **)&m->funcs, &d->funcs_cap, m->num_funcs + 1, sizeof *m->funcs);
    m->funcs[m->num_funcs++].type = type;
    d->num_defined++;
  }
}

static void dec_table_section(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t n = dec_len32(r);
  if (r->err) return;
  dec_reserve((void **)&m->tables, &d->tables_cap, m->num_tables + dec_cap(r, n, 3),
              sizeof *m->tables);
  for (uint32_t i = 0; i < n; i++) {
    isthmus_tabletype t = dec_tabletype(r);
    if (r->err) return;
    dec_reserve((void **)&m->tables, &d->tables_cap, m->num_tables + 1, sizeof *m->tables);
    m->tables[m->num_tables++] = t;
  }
}

static void dec_memory_section(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t n = dec_len32(r);
  if (r->err) return;
  dec_reserve((void **)&m->memories, &d->memories_cap, m->num_memories + dec_cap(r, n, 2),
              sizeof *m->memories);
  for (uint32_t i = 0; i < n; i++) {
    isthmus_memtype t = {dec_limits(r)};
    if (r->err) return;
    dec_reserve((void **)&m->memories, &d->memories_cap, m->num_memories + 1,
                sizeof *m->memories);
    m->memories[m->num_memories++] = t;
  }
}

static void dec_global_section(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t n = dec_len32(r);
  if (r->err) return;
  dec_reserve((void **)&m->globals, &d->globals_cap, m->num_globals + dec_cap(r, n, 3),
              sizeof *m->globals);
  for (uint32_t i = 0; i < n; i++) {
    bin_global g = {0};
    g.type = dec_globaltype(r);
    if (r->err) return;
    dec_const_expr(d, &g.init, NULL);
    if (r->err) return;
    dec_reserve((void **)&m->globals, &d->globals_cap, m->num_globals + 1, sizeof *m->globals);
    m->globals[m->num_globals++] = g;
  }
}

static void dec_export_section(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t n = dec_len32(r);
  if (r->err) return;
  uint32_t cap = dec_cap(r, n, 3);
  m->exports = cmn_xcalloc(cap, sizeof *m->exports);
  for (uint32_t i = 0; i < n; i++) {
    uint32_t len = 0;
    const uint8_t *name = dec_name(r, &len);
    if (r->err) return;
    size_t koff = bin_off(r);
    uint8_t kind = bin_u8(r);
    if (r->err) return;
    if (kind > ISTHMUS_EXTERN_GLOBAL) { dec_fail_at(r, koff, "malformed export kind"); return; }
    uint32_t index = bin_u32(r);
    if (r->err) return;
    if (i >= cap) { bin_fail(r, "unexpected end"); return; } /* cannot happen */
    if (kind == ISTHMUS_EXTERN_FUNC) cmn_vec_push(d->refs, index);
    bin_export *e = &m->exports[m->num_exports++];
    e->name = cmn_xstrndup((const char *)name, len);
    e->name_len = len;
    e->kind = (isthmus_externkind)kind;
    e->index = index;
  }
}

static void dec_custom_section(bin_decoder *d, size_t start, uint32_t size) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t len = 0;
  const uint8_t *name = dec_name(r, &len);
  if (r->err) return;
  size_t end = start + size;
  if (bin_off(r) > end || end > m->size) { dec_eof(r); return; }
  bin_custom c;
  c.name = cmn_xstrndup((const char *)name, len);
  c.name_len = len;
  c.data_off = (uint32_t)bin_off(r);
  c.data_len = (uint32_t)(end - bin_off(r));
  dec_reserve((void **)&m->customs, &d->customs_cap, m->num_customs + 1, sizeof *m->customs);
  m->customs[m->num_customs++] = c;
  r->p = r->base + end;
}

/* ---------------------------------------------------------------- the module */

/* Position of each non-custom section id in the required order (data count, id 12, sits
 * between element and code). */
static const uint8_t section_rank[13] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 10};

static void dec_module(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;

  /* The reference reads each 4-byte word whole before checking it. */
  uint32_t magic = bin_fixed32(r);
  if (r->err) return;
  if (magic != 0x6D736100u) { dec_fail_at(r, 0, "magic header not detected"); return; }
  uint32_t version = bin_fixed32(r);
  if (r->err) return;
  if (version != 1) { dec_fail_at(r, 4, "unknown binary version"); return; }

  unsigned last_rank = 0;
  while (r->p < r->end) {
    size_t sec_off = bin_off(r);
    uint8_t id = bin_u8(r);
    if (id > 12) { dec_fail_at(r, sec_off, "malformed section id"); return; }
    if (id != 0) {
      unsigned rank = section_rank[id];
      if (rank <= last_rank) {
        dec_fail_at(r, sec_off, "unexpected content after last section");
        return;
      }
      last_rank = rank;
    }
    uint32_t size = dec_len32(r);
    if (r->err) return;
    size_t start = bin_off(r);
    switch (id) {
      case 0: dec_custom_section(d, start, size); break;
      case 1: dec_type_section(d); break;
      case 2: dec_import_section(d); break;
      case 3:
        d->func_sec_off = sec_off;
        dec_function_section(d);
        break;
      case 4: dec_table_section(d); break;
      case 5: dec_memory_section(d); break;
      case 6: dec_global_section(d); break;
      case 7: dec_export_section(d); break;
      case 8:
        m->start = bin_u32(r);
        m->has_start = true;
        break;
      case 9: dec_elem_section(d); break;
      case 10:
        d->code_sec_off = sec_off;
        dec_code_section(d);
        break;
      case 11: dec_data_section(d); break;
      case 12:
        m->data_count = bin_u32(r);
        m->has_data_count = true;
        break;
    }
    if (r->err) {
      if (id != 0 && strcmp(r->err, "unexpected end") == 0) r->err = DEC_END_SECTION;
      return;
    }
    if (bin_off(r) != start + size) {
      dec_fail_at(r, start, "section size mismatch");
      return;
    }
  }

  if (d->num_defined != d->num_bodies) {
    dec_fail_at(r, d->code_sec_off ? d->code_sec_off : d->func_sec_off,
                "function and code section have inconsistent lengths");
    return;
  }
  if (m->has_data_count && m->data_count != m->num_datas) {
    dec_fail_at(r, m->size, "data count and data section have inconsistent lengths");
    return;
  }
}

static void dec_declared_refs(bin_decoder *d) {
  isthmus_module *m = d->m;
  m->declared_refs = cmn_xcalloc(((size_t)m->num_funcs + 7) / 8, 1);
  for (size_t i = 0; i < d->refs.len; i++) {
    uint32_t f = d->refs.items[i];
    if (f < m->num_funcs) m->declared_refs[f / 8] |= (uint8_t)(1u << (f % 8));
  }
}

isthmus_module *bin_decode(isthmus_engine *engine, const uint8_t *bytes, size_t len,
                           isthmus_error **err) {
  *err = NULL;
  if (len > UINT32_MAX) {
    *err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "module too large (%zu bytes)", len);
    return NULL;
  }
  isthmus_module *m = cmn_xcalloc(1, sizeof *m);
  atomic_init(&m->refs, 1);
  m->engine = engine;
  m->bytes = cmn_xmalloc(len);
  if (len) memcpy(m->bytes, bytes, len);
  m->size = len;

  bin_decoder d;
  memset(&d, 0, sizeof d);
  d.m = m;
  d.kind = ISTHMUS_ERR_MALFORMED;
  d.r.base = m->bytes;
  d.r.p = m->bytes;
  d.r.end = m->bytes + len;

  dec_module(&d);
  if (d.r.err && d.num_bodies > 0 && d.kind == ISTHMUS_ERR_MALFORMED) {
    /* The reference would have decoded the bodies' instructions before anything that came
     * after them; if one of them is malformed, that is the error to report. */
    bin_reader saved = d.r;
    if (!dec_check_bodies(&d)) d.r = saved;
  } else if (!d.r.err && !dec_bodies_ended(&d)) {
    dec_check_bodies(&d);
  }
  if (d.r.err) {
    *err = cmn_error(d.kind, (int64_t)d.r.err_off, "%s", d.r.err);
    cmn_vec_free(d.refs);
    bin_module_free(m);
    return NULL;
  }
  dec_declared_refs(&d);
  cmn_vec_free(d.refs);
  bin_parse_names(m);
  return m;
}

void bin_module_free(isthmus_module *m) {
  if (!m) return;
  free(m->bytes);
  free(m->types);
  free(m->type_storage);
  for (uint32_t i = 0; i < m->num_imports; i++) {
    free(m->imports[i].module);
    free(m->imports[i].name);
  }
  free(m->imports);
  if (m->funcs) {
    for (uint32_t i = m->num_func_imports; i < m->num_funcs; i++) free(m->funcs[i].local_types);
  }
  free(m->funcs);
  free(m->tables);
  free(m->memories);
  free(m->globals);
  for (uint32_t i = 0; i < m->num_exports; i++) free(m->exports[i].name);
  free(m->exports);
  for (uint32_t i = 0; i < m->num_elems; i++) {
    free(m->elems[i].items);
    free(m->elems[i].item_exprs);
  }
  free(m->elems);
  free(m->datas);
  for (uint32_t i = 0; i < m->num_customs; i++) free(m->customs[i].name);
  free(m->customs);
  free(m->module_name);
  free(m->func_names); /* one block: the pointer array and the strings (see names.c) */
  free(m->declared_refs);
  free(m);
}
