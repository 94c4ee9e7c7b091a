/* global.c — global variables and the value <-> cell conversions. */
#include "rt.h"

void rt_val_to_cell(const isthmus_val *v, uint64_t *cell) {
  switch (v->kind) {
    case ISTHMUS_I32: cell[0] = (uint32_t)v->of.i32; break;
    case ISTHMUS_F32: cell[0] = v->of.f32_bits; break;
    case ISTHMUS_I64: cell[0] = (uint64_t)v->of.i64; break;
    case ISTHMUS_F64: cell[0] = v->of.f64_bits; break;
    case ISTHMUS_FUNCREF: cell[0] = (uint64_t)(uintptr_t)v->of.funcref; break;
    case ISTHMUS_EXTERNREF: cell[0] = (uint64_t)(uintptr_t)v->of.externref; break;
    case ISTHMUS_V128: memcpy(cell, v->of.v128, 16); break;
    default: cell[0] = 0;
  }
}

isthmus_val rt_cell_to_val(isthmus_valtype t, const uint64_t *cell) {
  isthmus_val v;
  memset(&v, 0, sizeof v);
  v.kind = t;
  switch (t) {
    case ISTHMUS_I32: v.of.i32 = (int32_t)(uint32_t)cell[0]; break;
    case ISTHMUS_F32: v.of.f32_bits = (uint32_t)cell[0]; break;
    case ISTHMUS_I64: v.of.i64 = (int64_t)cell[0]; break;
    case ISTHMUS_F64: v.of.f64_bits = cell[0]; break;
    case ISTHMUS_FUNCREF: v.of.funcref = (isthmus_func *)(uintptr_t)cell[0]; break;
    case ISTHMUS_EXTERNREF: v.of.externref = (void *)(uintptr_t)cell[0]; break;
    case ISTHMUS_V128: memcpy(v.of.v128, cell, 16); break;
    default: break;
  }
  return v;
}

isthmus_global *rt_global_new(isthmus_store *s, const isthmus_globaltype *type) {
  isthmus_global *g = cmn_xcalloc(1, sizeof *g);
  g->type = *type;
  cmn_vec_push(s->globals, g);
  return g;
}

isthmus_error *isthmus_global_new(isthmus_store *s, const isthmus_globaltype *type, isthmus_val init,
                                  isthmus_global **out) {
  *out = NULL;
  if (init.kind != type->type)
    return cmn_error(ISTHMUS_ERR_USAGE, -1, "global init value is %s, global holds %s",
                     isthmus_valtype_name(init.kind), isthmus_valtype_name(type->type));
  isthmus_global *g = rt_global_new(s, type);
  rt_val_to_cell(&init, g->cell);
  *out = g;
  return NULL;
}

isthmus_globaltype isthmus_global_type(const isthmus_global *g) { return g->type; }
isthmus_val isthmus_global_get(const isthmus_global *g) { return rt_cell_to_val(g->type.type, g->cell); }

isthmus_error *isthmus_global_set(isthmus_global *g, isthmus_val v) {
  if (!g->type.mutable_) return cmn_error(ISTHMUS_ERR_USAGE, -1, "global is immutable");
  if (v.kind != g->type.type)
    return cmn_error(ISTHMUS_ERR_USAGE, -1, "value is %s, global holds %s", isthmus_valtype_name(v.kind),
                     isthmus_valtype_name(g->type.type));
  rt_val_to_cell(&v, g->cell);
  return NULL;
}
