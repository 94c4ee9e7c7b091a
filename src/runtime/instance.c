/* instance.c — instantiation in the order the specification gives: imports checked against
 * the module's types, then globals, tables, memories, exports, element and data segments
 * (in order; a trap leaves earlier writes in place), then the start function. */
#include "aot.h"
#include "opcodes.h"
#include "rt.h"

/* Evaluates a validated constant expression. Extended-const arithmetic is accepted too. */
static void eval_const(isthmus_instance *inst, bin_expr e, uint64_t *out) {
  isthmus_module *m = inst->module;
  bin_reader r = {m->bytes, m->bytes + e.off, m->bytes + e.off + e.len, NULL, 0};
  uint64_t stack[16];
  int sp = 0;
  while (r.p < r.end && !r.err) {
    uint8_t b = bin_u8(&r);
    uint64_t v = 0;
    switch (b) {
      case 0x41: v = (uint32_t)bin_s32(&r); break;
      case 0x42: v = (uint64_t)bin_s64(&r); break;
      case 0x43: v = bin_fixed32(&r); break;
      case 0x44: v = bin_fixed64(&r); break;
      case 0xD0: bin_u8(&r); v = 0; break;
      case 0xD2: v = (uint64_t)(uintptr_t)inst->funcs[bin_u32(&r)]; break;
      case 0x23: v = inst->globals[bin_u32(&r)]->cell[0]; break;
      case 0x6A: case 0x6B: case 0x6C: case 0x7C: case 0x7D: case 0x7E: {
        if (sp < 2) return;
        uint64_t y = stack[--sp], x = stack[--sp];
        switch (b) {
          case 0x6A: v = (uint32_t)(x + y); break;
          case 0x6B: v = (uint32_t)(x - y); break;
          case 0x6C: v = (uint32_t)((uint32_t)x * (uint32_t)y); break;
          case 0x7C: v = x + y; break;
          case 0x7D: v = x - y; break;
          default: v = x * y; break;
        }
        break;
      }
      default: return; /* unreachable for validated modules */
    }
    if (sp < 16) stack[sp++] = v;
  }
  *out = sp ? stack[sp - 1] : 0;
}

static bool limits_match(const isthmus_limits *have, const isthmus_limits *want) {
  if (have->min < want->min) return false;
  if (want->has_max) {
    if (!have->has_max) return false;
    if (have->max > want->max) return false;
  }
  return true;
}

static isthmus_error *link_error(const bin_import *im, const char *why) {
  return cmn_error(ISTHMUS_ERR_LINK, -1, "incompatible import type for %s.%s: %s", im->module, im->name, why);
}

static isthmus_error *check_import(isthmus_store *s, isthmus_module *m, const bin_import *im,
                                   const isthmus_extern *x) {
  if (x->kind != im->kind) {
    return cmn_error(ISTHMUS_ERR_LINK, -1, "incompatible import type for %s.%s: expected %s, got %s",
                     im->module, im->name, isthmus_externkind_name(im->kind), isthmus_externkind_name(x->kind));
  }
  switch (im->kind) {
    case ISTHMUS_EXTERN_FUNC:
      if (!x->of.func || x->of.func->store != s) return link_error(im, "function from another store");
      if (!rt_type_equal(x->of.func->type, &m->types[im->type])) return link_error(im, "function type differs");
      return NULL;
    case ISTHMUS_EXTERN_TABLE: {
      const isthmus_tabletype *want = &m->tables[im->index];
      isthmus_table *t = x->of.table;
      if (!t) return link_error(im, "NULL table");
      isthmus_limits have = t->type.limits;
      have.min = t->size;
      if (t->type.elem != want->elem) return link_error(im, "element type differs");
      if (!limits_match(&have, &want->limits)) return link_error(im, "limits do not match");
      return NULL;
    }
    case ISTHMUS_EXTERN_MEMORY: {
      const isthmus_memtype *want = &m->memories[im->index];
      isthmus_memory *mem = x->of.memory;
      if (!mem) return link_error(im, "NULL memory");
      isthmus_limits have = mem->type.limits;
      have.min = mem->size / 65536;
      if (!limits_match(&have, &want->limits)) return link_error(im, "limits do not match");
      return NULL;
    }
    case ISTHMUS_EXTERN_GLOBAL: {
      const isthmus_globaltype *want = &m->globals[im->index].type;
      isthmus_global *g = x->of.global;
      if (!g) return link_error(im, "NULL global");
      if (g->type.type != want->type || g->type.mutable_ != want->mutable_)
        return link_error(im, "global type differs");
      return NULL;
    }
  }
  return link_error(im, "unknown kind");
}

void rt_instance_free(isthmus_instance *inst) {
  isthmus_module *m = inst->module;
  aot_instance_free(inst);
  if (inst->elems)
    for (uint32_t i = 0; i < m->num_elems; i++) free(inst->elems[i].refs);
  free(inst->elems);
  free(inst->datas);
  free(inst->funcs);
  free(inst->tables);
  free(inst->memories);
  free(inst->globals);
  free(inst->exports);
  free(inst->types);
  isthmus_module_delete(m);
  free(inst);
}

/* Applies active segments and drops active and declarative ones. Returns a trap or NULL. */
static isthmus_trap *init_segments(isthmus_instance *inst) {
  isthmus_module *m = inst->module;
  for (uint32_t i = 0; i < m->num_elems; i++) {
    const bin_elem *e = &m->elems[i];
    rt_elemseg *seg = &inst->elems[i];
    if (e->mode == BIN_SEG_ACTIVE) {
      uint64_t off = 0;
      eval_const(inst, e->offset, &off);
      isthmus_table *t = inst->tables[e->table];
      uint64_t d = (uint32_t)off;
      if (d + seg->count > t->size) return rt_trap(ISTHMUS_TRAP_TABLE_OOB);
      if (seg->count) memcpy(t->elems + d, seg->refs, seg->count * sizeof(uint64_t));
    }
    if (e->mode != BIN_SEG_PASSIVE) seg->count = 0;
  }
  for (uint32_t i = 0; i < m->num_datas; i++) {
    const bin_data *d = &m->datas[i];
    rt_dataseg *seg = &inst->datas[i];
    if (d->mode != BIN_SEG_ACTIVE) continue;
    uint64_t off = 0;
    eval_const(inst, d->offset, &off);
    isthmus_memory *mem = inst->memories[d->memory];
    uint64_t a = (uint32_t)off;
    if (a + seg->len > mem->size) return rt_trap(ISTHMUS_TRAP_MEMORY_OOB);
    if (seg->len) memcpy(mem->base + a, seg->bytes, seg->len);
    seg->len = 0;
  }
  return NULL;
}

isthmus_error *isthmus_instantiate(isthmus_store *s, isthmus_module *m, const isthmus_extern *imports,
                                   size_t num_imports, isthmus_instance **out, isthmus_trap **trap) {
  *out = NULL;
  if (trap) *trap = NULL;
  if (!s || !m) return cmn_error(ISTHMUS_ERR_USAGE, -1, "isthmus_instantiate: NULL store or module");
  if (num_imports != m->num_imports)
    return cmn_error(ISTHMUS_ERR_LINK, -1, "module has %u imports, %zu given", m->num_imports, num_imports);
  if (num_imports && !imports) return cmn_error(ISTHMUS_ERR_USAGE, -1, "imports array is NULL");
  for (uint32_t i = 0; i < m->num_imports; i++) {
    isthmus_error *e = check_import(s, m, &m->imports[i], &imports[i]);
    if (e) return e;
  }

  isthmus_instance *inst = cmn_xcalloc(1, sizeof *inst);
  rt_module_retain(m);
  inst->module = m;
  inst->store = s;
  cmn_vec_push(s->instances, inst);
  inst->types = cmn_xcalloc(m->num_types, sizeof *inst->types);
  for (uint32_t i = 0; i < m->num_types; i++) inst->types[i] = rt_type_canon(s, &m->types[i]);
  inst->funcs = cmn_xcalloc(m->num_funcs, sizeof *inst->funcs);
  inst->tables = cmn_xcalloc(m->num_tables, sizeof *inst->tables);
  inst->memories = cmn_xcalloc(m->num_memories, sizeof *inst->memories);
  inst->globals = cmn_xcalloc(m->num_globals, sizeof *inst->globals);
  inst->elems = cmn_xcalloc(m->num_elems, sizeof *inst->elems);
  inst->datas = cmn_xcalloc(m->num_datas, sizeof *inst->datas);
  inst->exports = cmn_xcalloc(m->num_exports, sizeof *inst->exports);

  for (uint32_t i = 0; i < m->num_imports; i++) {
    const bin_import *im = &m->imports[i];
    const isthmus_extern *x = &imports[i];
    switch (im->kind) {
      case ISTHMUS_EXTERN_FUNC: inst->funcs[im->index] = x->of.func; break;
      case ISTHMUS_EXTERN_TABLE: inst->tables[im->index] = x->of.table; break;
      case ISTHMUS_EXTERN_MEMORY: inst->memories[im->index] = x->of.memory; break;
      case ISTHMUS_EXTERN_GLOBAL: inst->globals[im->index] = x->of.global; break;
    }
  }
  for (uint32_t i = m->num_func_imports; i < m->num_funcs; i++) inst->funcs[i] = rt_func_wasm(inst, i);
  for (uint32_t i = m->num_global_imports; i < m->num_globals; i++) {
    isthmus_global *g = rt_global_new(s, &m->globals[i].type);
    inst->globals[i] = g;
    eval_const(inst, m->globals[i].init, g->cell);
  }
  for (uint32_t i = m->num_table_imports; i < m->num_tables; i++) {
    inst->tables[i] = rt_table_new(s, &m->tables[i], 0);
    if (!inst->tables[i]) return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "table %u too large", i);
  }
  for (uint32_t i = m->num_memory_imports; i < m->num_memories; i++) {
    inst->memories[i] = rt_memory_new(s, &m->memories[i]);
    if (!inst->memories[i])
      return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "cannot allocate memory %u (%llu pages)", i,
                       (unsigned long long)m->memories[i].limits.min);
  }
  for (uint32_t i = 0; i < m->num_elems; i++) {
    const bin_elem *e = &m->elems[i];
    rt_elemseg *seg = &inst->elems[i];
    seg->count = e->count;
    seg->refs = cmn_xcalloc(e->count, sizeof(uint64_t));
    for (uint32_t k = 0; k < e->count; k++) {
      const bin_elem_item *it = &e->items[k];
      switch (it->op) {
        case BIN_ITEM_FUNC: seg->refs[k] = (uint64_t)(uintptr_t)inst->funcs[it->idx]; break;
        case BIN_ITEM_GLOBAL: seg->refs[k] = inst->globals[it->idx]->cell[0]; break;
        default: seg->refs[k] = 0;
      }
    }
  }
  for (uint32_t i = 0; i < m->num_datas; i++) {
    inst->datas[i].bytes = m->bytes + m->datas[i].data_off;
    inst->datas[i].len = m->datas[i].data_len;
  }
  for (uint32_t i = 0; i < m->num_exports; i++) {
    const bin_export *x = &m->exports[i];
    isthmus_extern *o = &inst->exports[i];
    o->kind = x->kind;
    switch (x->kind) {
      case ISTHMUS_EXTERN_FUNC: o->of.func = inst->funcs[x->index]; break;
      case ISTHMUS_EXTERN_TABLE: o->of.table = inst->tables[x->index]; break;
      case ISTHMUS_EXTERN_MEMORY: o->of.memory = inst->memories[x->index]; break;
      case ISTHMUS_EXTERN_GLOBAL: o->of.global = inst->globals[x->index]; break;
    }
  }

  isthmus_error *aerr = aot_instance_attach(inst);
  if (aerr) return aerr;
  isthmus_trap *t = init_segments(inst);
  if (!t && m->has_start) {
    uint64_t cells[1] = {0};
    t = exe_invoke(s, inst->funcs[m->start], cells);
  }
  if (t) {
    if (trap) *trap = t;
    else isthmus_trap_delete(t);
    return NULL;
  }
  *out = inst;
  return NULL;
}

isthmus_module *isthmus_instance_module(const isthmus_instance *i) { return i->module; }

bool isthmus_instance_export(const isthmus_instance *inst, const char *name, size_t name_len, isthmus_extern *out) {
  isthmus_module *m = inst->module;
  for (uint32_t i = 0; i < m->num_exports; i++) {
    if (m->exports[i].name_len == name_len && memcmp(m->exports[i].name, name, name_len) == 0) {
      *out = inst->exports[i];
      return true;
    }
  }
  return false;
}

size_t isthmus_instance_export_count(const isthmus_instance *i) { return i->module->num_exports; }

void isthmus_instance_export_nth(const isthmus_instance *inst, size_t n, const char **name, size_t *name_len,
                                 isthmus_extern *out) {
  const bin_export *x = &inst->module->exports[n];
  if (name) *name = x->name;
  if (name_len) *name_len = x->name_len;
  if (out) *out = inst->exports[n];
}
