/* module_api.c — the public functions that read a decoded module (isthmus_module_*).
 * Creating and deleting modules belongs to the runtime. Indices in a module that was only
 * decoded (isthmus_module_decode) may be out of range, so every lookup is checked. */
#include "module.h"

size_t isthmus_module_import_count(const isthmus_module *m) { return m->num_imports; }

static isthmus_externtype extern_type(const isthmus_module *m, isthmus_externkind kind,
                                      uint32_t index) {
  isthmus_externtype t;
  memset(&t, 0, sizeof t);
  t.kind = kind;
  switch (kind) {
    case ISTHMUS_EXTERN_FUNC:
      if (index < m->num_funcs && m->funcs[index].type < m->num_types)
        t.of.func = bin_func_type(m, index);
      break;
    case ISTHMUS_EXTERN_TABLE:
      if (index < m->num_tables) t.of.table = m->tables[index];
      break;
    case ISTHMUS_EXTERN_MEMORY:
      if (index < m->num_memories) t.of.memory = m->memories[index];
      break;
    case ISTHMUS_EXTERN_GLOBAL:
      if (index < m->num_globals) t.of.global = m->globals[index].type;
      break;
  }
  return t;
}

void isthmus_module_import(const isthmus_module *m, size_t i, const char **module,
                           size_t *module_len, const char **name, size_t *name_len,
                           isthmus_externtype *type) {
  if (i >= m->num_imports) return;
  const bin_import *imp = &m->imports[i];
  if (module) *module = imp->module;
  if (module_len) *module_len = imp->module_len;
  if (name) *name = imp->name;
  if (name_len) *name_len = imp->name_len;
  if (type) *type = extern_type(m, imp->kind, imp->index);
}

size_t isthmus_module_export_count(const isthmus_module *m) { return m->num_exports; }

void isthmus_module_export(const isthmus_module *m, size_t i, const char **name,
                           size_t *name_len, isthmus_externtype *type) {
  if (i >= m->num_exports) return;
  const bin_export *e = &m->exports[i];
  if (name) *name = e->name;
  if (name_len) *name_len = e->name_len;
  if (type) *type = extern_type(m, e->kind, e->index);
}

size_t isthmus_module_custom_count(const isthmus_module *m) { return m->num_customs; }

void isthmus_module_custom(const isthmus_module *m, size_t i, const char **name,
                           size_t *name_len, const uint8_t **data, size_t *data_len) {
  if (i >= m->num_customs) return;
  const bin_custom *c = &m->customs[i];
  if (name) *name = c->name;
  if (name_len) *name_len = c->name_len;
  if (data) *data = m->bytes + c->data_off;
  if (data_len) *data_len = c->data_len;
}

uint32_t isthmus_module_func_count(const isthmus_module *m) { return m->num_funcs; }

uint32_t isthmus_module_func_import_count(const isthmus_module *m) {
  return m->num_func_imports;
}

const char *isthmus_module_func_name(const isthmus_module *m, uint32_t idx) {
  if (!m->func_names || idx >= m->num_funcs) return NULL;
  return m->func_names[idx];
}

int64_t isthmus_module_start(const isthmus_module *m) {
  return m->has_start ? (int64_t)m->start : -1;
}

size_t isthmus_module_memory_count(const isthmus_module *m, isthmus_memtype *types, size_t cap) {
  size_t n = m->num_memories - m->num_memory_imports;
  for (size_t i = 0; i < n && i < cap && types; i++)
    types[i] = m->memories[m->num_memory_imports + i];
  return n;
}

size_t isthmus_module_table_count(const isthmus_module *m, isthmus_tabletype *types, size_t cap) {
  size_t n = m->num_tables - m->num_table_imports;
  for (size_t i = 0; i < n && i < cap && types; i++)
    types[i] = m->tables[m->num_table_imports + i];
  return n;
}

size_t isthmus_module_global_count(const isthmus_module *m, isthmus_globaltype *types,
                                   size_t cap) {
  size_t n = m->num_globals - m->num_global_imports;
  for (size_t i = 0; i < n && i < cap && types; i++)
    types[i] = m->globals[m->num_global_imports + i].type;
  return n;
}

const isthmus_functype *isthmus_module_func_type(const isthmus_module *m, uint32_t idx) {
  return idx < m->num_funcs ? bin_func_type(m, idx) : NULL;
}

uint32_t isthmus_module_export_index(const isthmus_module *m, size_t i) {
  return i < m->num_exports ? m->exports[i].index : UINT32_MAX;
}
