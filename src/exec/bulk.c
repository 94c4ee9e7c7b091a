/* bulk.c — the bulk memory and table instructions. Bounds are checked before anything is
 * written, as the bulk-memory proposal specifies (no partial writes). */
#include "exec.h"

int exe_memory_init(isthmus_instance *inst, uint32_t seg, uint32_t d, uint32_t s, uint32_t n) {
  isthmus_memory *m = inst->memories[0];
  rt_dataseg *ds = &inst->datas[seg];
  if ((uint64_t)s + n > ds->len || (uint64_t)d + n > m->size) return ISTHMUS_TRAP_MEMORY_OOB;
  if (n) memcpy(m->base + d, ds->bytes + s, n);
  return 0;
}

int exe_memory_copy(isthmus_memory *m, uint32_t d, uint32_t s, uint32_t n) {
  if ((uint64_t)s + n > m->size || (uint64_t)d + n > m->size) return ISTHMUS_TRAP_MEMORY_OOB;
  if (n) memmove(m->base + d, m->base + s, n);
  return 0;
}

int exe_memory_fill(isthmus_memory *m, uint32_t d, uint32_t v, uint32_t n) {
  if ((uint64_t)d + n > m->size) return ISTHMUS_TRAP_MEMORY_OOB;
  if (n) memset(m->base + d, (int)(uint8_t)v, n);
  return 0;
}

int exe_table_init(isthmus_instance *inst, uint32_t tbl, uint32_t seg, uint32_t d, uint32_t s, uint32_t n) {
  isthmus_table *t = inst->tables[tbl];
  rt_elemseg *es = &inst->elems[seg];
  if ((uint64_t)s + n > es->count || (uint64_t)d + n > t->size) return ISTHMUS_TRAP_TABLE_OOB;
  if (n) memcpy(t->elems + d, es->refs + s, n * sizeof(uint64_t));
  return 0;
}

int exe_table_copy(isthmus_instance *inst, uint32_t dt, uint32_t st, uint32_t d, uint32_t s, uint32_t n) {
  isthmus_table *td = inst->tables[dt], *ts = inst->tables[st];
  if ((uint64_t)s + n > ts->size || (uint64_t)d + n > td->size) return ISTHMUS_TRAP_TABLE_OOB;
  if (n) memmove(td->elems + d, ts->elems + s, n * sizeof(uint64_t));
  return 0;
}

int exe_table_fill(isthmus_table *t, uint32_t i, uint64_t v, uint32_t n) {
  if ((uint64_t)i + n > t->size) return ISTHMUS_TRAP_TABLE_OOB;
  for (uint32_t k = 0; k < n; k++) t->elems[i + k] = v;
  return 0;
}
