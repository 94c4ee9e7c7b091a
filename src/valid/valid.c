/* valid.c — module-level validation: import and definition types, limits, constant
 * expressions, element and data segments, the start function, exports; then every
 * function body (valid_code.c). Checks follow the order of the spec's reference
 * interpreter, so a module with several faults reports the one the spec tests expect. */
#include <stdio.h>

#include "valid_int.h"

#define MAX_TABLE_LIMIT 0xFFFFFFFFull

static isthmus_error *invalid(int64_t off, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static isthmus_error *invalid(int64_t off, const char *fmt, ...) {
  char buf[256];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(buf, sizeof buf, fmt, ap);
  va_end(ap);
  return cmn_error(ISTHMUS_ERR_INVALID, off, "%s", buf);
}

/* ------------------------------------------------------------------ types and limits */

static isthmus_error *check_limits(const isthmus_limits *l, uint64_t range, const char *msg) {
  if (l->min > range) return invalid(-1, "%s", msg);
  if (l->has_max) {
    if (l->max > range) return invalid(-1, "%s", msg);
    if (l->min > l->max) return invalid(-1, "size minimum must not be greater than maximum");
  }
  return NULL;
}

static isthmus_error *check_table_type(const isthmus_tabletype *t) {
  return check_limits(&t->limits, MAX_TABLE_LIMIT, "table size must be at most 2^32-1");
}

static isthmus_error *check_memory_type(const isthmus_memtype *t) {
  return check_limits(&t->limits, BIN_MAX_PAGES, "memory size must be at most 65536 pages (4GiB)");
}

/* ------------------------------------------------------------------ constant expressions */

/* Validates a constant expression that must produce one value of type `want`. As in
 * WebAssembly 2.0, global.get may name only imported globals, and those must be immutable.
 * Every instruction is first checked to be constant, then the types (the spec's order). */
static isthmus_error *check_const(const isthmus_module *m, bin_expr e, uint8_t want) {
  bin_reader r = {.base = m->bytes, .p = m->bytes + e.off, .end = m->bytes + e.off + e.len};
  uint8_t got = 0;  /* type of the first value produced */
  uint32_t count = 0; /* values produced */
  while (r.p < r.end) {
    size_t at = bin_off(&r);
    uint8_t op = bin_u8(&r);
    uint8_t t;
    switch (op) {
      case 0x41: (void)bin_s32(&r); t = ISTHMUS_I32; break;
      case 0x42: (void)bin_s64(&r); t = ISTHMUS_I64; break;
      case 0x43: (void)bin_fixed32(&r); t = ISTHMUS_F32; break;
      case 0x44: (void)bin_fixed64(&r); t = ISTHMUS_F64; break;
      case 0xD0:
        t = bin_u8(&r);
        if (!r.err && !vld_is_reftype(t))
          return cmn_error(ISTHMUS_ERR_MALFORMED, (int64_t)at + 1, "malformed reference type");
        break;
      case 0xD2: {
        uint32_t x = bin_u32(&r);
        if (!r.err && x >= m->num_funcs) return invalid((int64_t)at, "unknown function %u", x);
        t = ISTHMUS_FUNCREF;
        break;
      }
      case 0x23: {
        uint32_t x = bin_u32(&r);
        if (r.err) break;
        /* only imported globals are in scope in constant expressions (2.0) */
        if (x >= m->num_global_imports) return invalid((int64_t)at, "unknown global %u", x);
        if (m->globals[x].type.mutable_)
          return invalid((int64_t)at, "constant expression required: global %u is mutable", x);
        t = m->globals[x].type.type;
        break;
      }
      default:
        return invalid((int64_t)at, "constant expression required");
    }
    if (r.err)
      return cmn_error(ISTHMUS_ERR_MALFORMED, (int64_t)r.err_off, "%s", r.err);
    if (count++ == 0) got = t;
  }
  if (count != 1 || got != want) {
    if (count == 0)
      return invalid(e.off, "type mismatch: constant expression requires %s but is empty",
                     vld_type_name(want));
    if (count > 1)
      return invalid(e.off, "type mismatch: constant expression produces %u values", count);
    return invalid(e.off, "type mismatch: constant expression requires %s but has %s",
                   vld_type_name(want), vld_type_name(got));
  }
  return NULL;
}

/* ------------------------------------------------------------------ segments */

static isthmus_error *check_elem(const isthmus_module *m, const bin_elem *el) {
  isthmus_error *err;
  for (uint32_t i = 0; i < el->count; i++) {
    if (el->item_exprs) {
      if ((err = check_const(m, el->item_exprs[i], el->type))) return err;
    } else if (el->items[i].op == BIN_ITEM_FUNC && el->items[i].idx >= m->num_funcs) {
      return invalid(el->off, "unknown function %u", el->items[i].idx);
    }
  }
  if (el->mode == BIN_SEG_ACTIVE) {
    if (el->table >= m->num_tables) return invalid(el->off, "unknown table %u", el->table);
    if (m->tables[el->table].elem != el->type)
      return invalid(el->off, "type mismatch: %s segment for a table of %s",
                     vld_type_name(el->type), vld_type_name(m->tables[el->table].elem));
    if ((err = check_const(m, el->offset, ISTHMUS_I32))) return err;
  }
  return NULL;
}

static isthmus_error *check_data(const isthmus_module *m, const bin_data *d) {
  if (d->mode != BIN_SEG_ACTIVE) return NULL;
  if (d->memory >= m->num_memories) return invalid(d->offset.off, "unknown memory %u", d->memory);
  return check_const(m, d->offset, ISTHMUS_I32);
}

/* ------------------------------------------------------------------ exports */

static uint32_t hash_name(const char *s, uint32_t n) {
  uint32_t h = 2166136261u; /* FNV-1a */
  for (uint32_t i = 0; i < n; i++) h = (h ^ (uint8_t)s[i]) * 16777619u;
  return h;
}

static isthmus_error *check_exports(const isthmus_module *m) {
  for (uint32_t i = 0; i < m->num_exports; i++) {
    const bin_export *ex = &m->exports[i];
    uint32_t x = ex->index;
    switch (ex->kind) {
      case ISTHMUS_EXTERN_FUNC:
        if (x >= m->num_funcs) return invalid(-1, "unknown function %u", x);
        break;
      case ISTHMUS_EXTERN_TABLE:
        if (x >= m->num_tables) return invalid(-1, "unknown table %u", x);
        break;
      case ISTHMUS_EXTERN_MEMORY:
        if (x >= m->num_memories) return invalid(-1, "unknown memory %u", x);
        break;
      case ISTHMUS_EXTERN_GLOBAL:
        if (x >= m->num_globals) return invalid(-1, "unknown global %u", x);
        break;
    }
  }
  if (m->num_exports < 2) return NULL;
  /* duplicate names: open-addressing hash set of export indices */
  uint32_t cap = 4;
  while (cap < m->num_exports * 2) cap *= 2;
  uint32_t *slots = cmn_xmalloc(cap * sizeof *slots);
  memset(slots, 0xFF, cap * sizeof *slots);
  isthmus_error *err = NULL;
  for (uint32_t i = 0; i < m->num_exports && !err; i++) {
    const bin_export *ex = &m->exports[i];
    uint32_t h = hash_name(ex->name, ex->name_len) & (cap - 1);
    for (;; h = (h + 1) & (cap - 1)) {
      uint32_t j = slots[h];
      if (j == UINT32_MAX) {
        slots[h] = i;
        break;
      }
      const bin_export *o = &m->exports[j];
      if (o->name_len == ex->name_len && memcmp(o->name, ex->name, ex->name_len) == 0) {
        err = invalid(-1, "duplicate export name \"%.*s\"", (int)ex->name_len, ex->name);
        break;
      }
    }
  }
  free(slots);
  return err;
}

/* ------------------------------------------------------------------ module */

static isthmus_error *check_module(isthmus_module *m, vld_ctx *c) {
  isthmus_error *err;

  /* imports (the context is built from them first) */
  for (uint32_t i = 0; i < m->num_imports; i++) {
    const bin_import *im = &m->imports[i];
    switch (im->kind) {
      case ISTHMUS_EXTERN_FUNC:
        if (im->type >= m->num_types) return invalid(-1, "unknown type %u", im->type);
        break;
      case ISTHMUS_EXTERN_TABLE:
        if ((err = check_table_type(&m->tables[im->index]))) return err;
        break;
      case ISTHMUS_EXTERN_MEMORY:
        if ((err = check_memory_type(&m->memories[im->index]))) return err;
        break;
      case ISTHMUS_EXTERN_GLOBAL:
        break;
    }
  }
  for (uint32_t i = 0; i < m->num_funcs; i++)
    if (m->funcs[i].type >= m->num_types)
      return invalid(i < m->num_func_imports ? -1 : (int64_t)m->funcs[i].body_off,
                     "unknown type %u", m->funcs[i].type);

  for (uint32_t i = m->num_global_imports; i < m->num_globals; i++)
    if ((err = check_const(m, m->globals[i].init, m->globals[i].type.type))) return err;
  for (uint32_t i = m->num_table_imports; i < m->num_tables; i++)
    if ((err = check_table_type(&m->tables[i]))) return err;
  for (uint32_t i = m->num_memory_imports; i < m->num_memories; i++)
    if ((err = check_memory_type(&m->memories[i]))) return err;
  for (uint32_t i = 0; i < m->num_elems; i++)
    if ((err = check_elem(m, &m->elems[i]))) return err;
  for (uint32_t i = 0; i < m->num_datas; i++)
    if ((err = check_data(m, &m->datas[i]))) return err;

  for (uint32_t i = m->num_func_imports; i < m->num_funcs; i++)
    if ((err = vld_code(c, i))) return err;

  if (m->has_start) {
    if (m->start >= m->num_funcs) return invalid(-1, "unknown function %u", m->start);
    const isthmus_functype *t = bin_func_type(m, m->start);
    if (t->num_params || t->num_results)
      return invalid(-1, "start function must not have parameters or results");
  }
  if ((err = check_exports(m))) return err;
  if (m->num_memories > 1) return invalid(-1, "multiple memories");
  return NULL;
}

/* SIMD comes later: until the interpreter has v128 values, a module that could hold one is
 * refused up front. Without v128 in function types, locals and globals no v128 value can
 * arise (every instruction producing one is a SIMD opcode, refused as illegal). */
static isthmus_error *refuse_v128(const isthmus_module *m) {
  const char *what = NULL;
  for (uint32_t i = 0; i < m->num_types && !what; i++) {
    const isthmus_functype *t = &m->types[i];
    for (uint32_t k = 0; k < t->num_params; k++)
      if (t->params[k] == ISTHMUS_V128) what = "a function type";
    for (uint32_t k = 0; k < t->num_results; k++)
      if (t->results[k] == ISTHMUS_V128) what = "a function type";
  }
  for (uint32_t i = 0; i < m->num_globals && !what; i++)
    if (m->globals[i].type.type == ISTHMUS_V128) what = "a global";
  for (uint32_t i = m->num_func_imports; i < m->num_funcs && !what; i++)
    for (uint32_t k = 0; k < m->funcs[i].num_locals; k++)
      if (m->funcs[i].local_types[k] == ISTHMUS_V128) what = "a local";
  if (!what) return NULL;
  return cmn_error(ISTHMUS_ERR_INVALID, -1, "SIMD (v128) is not supported yet: %s has type v128", what);
}

isthmus_error *vld_module(isthmus_module *m) {
  vld_ctx c = {.m = m};
  isthmus_error *err = check_module(m, &c);
  if (!err) err = refuse_v128(m);
  if (err && err->kind == ISTHMUS_ERR_INVALID) {
    /* The spec decodes the whole module before validating it: a malformed body anywhere
     * outranks the validation error. Bodies before the failing one were fully decoded. */
    uint32_t first = err->func >= 0 ? (uint32_t)err->func : 0;
    isthmus_error *mal = vld_scan_malformed(&c, first);
    if (mal) {
      isthmus_error_delete(err);
      err = mal;
    }
  }
  vld_ctx_free(&c);
  return err;
}
