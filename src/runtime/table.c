/* table.c — tables of references (funcref: isthmus_func*, externref: host pointer). */
#include "rt.h"

isthmus_table *rt_table_new(isthmus_store *s, const isthmus_tabletype *type, uint64_t init) {
  if (type->limits.min > BIN_MAX_TABLE_SIZE) return NULL;
  isthmus_table *t = cmn_xcalloc(1, sizeof *t);
  t->type = *type;
  uint64_t max = type->limits.has_max ? type->limits.max : UINT32_MAX;
  if (max > BIN_MAX_TABLE_SIZE) max = BIN_MAX_TABLE_SIZE;
  t->max = (uint32_t)max;
  t->size = (uint32_t)type->limits.min;
  t->cap = t->size;
  t->elems = cmn_xcalloc(t->cap ? t->cap : 1, sizeof *t->elems);
  for (uint32_t i = 0; i < t->size; i++) t->elems[i] = init;
  cmn_vec_push(s->tables, t);
  return t;
}

int64_t rt_table_grow(isthmus_table *t, uint32_t delta, uint64_t init) {
  uint32_t old = t->size;
  if ((uint64_t)old + delta > t->max) return -1;
  uint32_t n = old + delta;
  if (n > t->cap) {
    uint64_t cap = (uint64_t)t->cap * 2;
    if (cap < n) cap = n;
    if (cap > t->max) cap = t->max;
    uint64_t *e = realloc(t->elems, cap * sizeof *e);
    if (!e) return -1;
    t->elems = e;
    t->cap = (uint32_t)cap;
  }
  for (uint32_t i = old; i < n; i++) t->elems[i] = init;
  t->size = n;
  t->type.limits.min = n;
  return old;
}

void rt_table_free(isthmus_table *t) {
  free(t->elems);
  free(t);
}

static bool kind_ok(const isthmus_table *t, isthmus_val v) { return v.kind == t->type.elem; }

isthmus_error *isthmus_table_new(isthmus_store *s, const isthmus_tabletype *type, isthmus_val init,
                                 isthmus_table **out) {
  *out = NULL;
  if (type->elem != ISTHMUS_FUNCREF && type->elem != ISTHMUS_EXTERNREF)
    return cmn_error(ISTHMUS_ERR_USAGE, -1, "table element type must be funcref or externref");
  if (init.kind != type->elem)
    return cmn_error(ISTHMUS_ERR_USAGE, -1, "table init value is %s, table holds %s",
                     isthmus_valtype_name(init.kind), isthmus_valtype_name(type->elem));
  if (type->limits.has_max && type->limits.min > type->limits.max)
    return cmn_error(ISTHMUS_ERR_USAGE, -1, "size minimum must not be greater than maximum");
  uint64_t cell;
  rt_val_to_cell(&init, &cell);
  *out = rt_table_new(s, type, cell);
  if (!*out) return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "table too large");
  return NULL;
}

isthmus_tabletype isthmus_table_type(const isthmus_table *t) { return t->type; }
uint32_t isthmus_table_size(const isthmus_table *t) { return t->size; }

bool isthmus_table_get(const isthmus_table *t, uint32_t idx, isthmus_val *out) {
  if (idx >= t->size) return false;
  *out = rt_cell_to_val(t->type.elem, &t->elems[idx]);
  return true;
}

bool isthmus_table_set(isthmus_table *t, uint32_t idx, isthmus_val v) {
  if (idx >= t->size || !kind_ok(t, v)) return false;
  rt_val_to_cell(&v, &t->elems[idx]);
  return true;
}

int64_t isthmus_table_grow(isthmus_table *t, uint32_t delta, isthmus_val init) {
  if (!kind_ok(t, init)) return -1;
  uint64_t cell;
  rt_val_to_cell(&init, &cell);
  return rt_table_grow(t, delta, cell);
}
