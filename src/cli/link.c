/* link.c — import resolution for the CLI (see link.h). */
#include "link.h"

#include <stdlib.h>
#include <string.h>

typedef struct cli_definition {
  char *module;
  size_t module_len;
  char *name;
  size_t name_len;
  isthmus_extern ext;
} cli_definition;

typedef struct cli_resolver {
  cli_resolver_fn fn;
  void *ctx;
} cli_resolver;

struct cli_linker {
  cli_definition *defs;
  size_t num_defs, cap_defs;
  cli_resolver *resolvers;
  size_t num_resolvers, cap_resolvers;
};

cli_linker *cli_linker_new(void) { return cli_xcalloc(1, sizeof(cli_linker)); }

void cli_linker_delete(cli_linker *l) {
  if (!l) return;
  for (size_t i = 0; i < l->num_defs; i++) {
    free(l->defs[i].module);
    free(l->defs[i].name);
  }
  free(l->defs);
  free(l->resolvers);
  free(l);
}

void cli_linker_define(cli_linker *l, const char *module, size_t module_len, const char *name,
                       size_t name_len, isthmus_extern ext) {
  if (l->num_defs == l->cap_defs) {
    l->cap_defs = l->cap_defs ? l->cap_defs * 2 : 32;
    l->defs = cli_xrealloc(l->defs, l->cap_defs * sizeof *l->defs);
  }
  cli_definition *d = &l->defs[l->num_defs++];
  d->module = cli_xstrndup(module, module_len);
  d->module_len = module_len;
  d->name = cli_xstrndup(name, name_len);
  d->name_len = name_len;
  d->ext = ext;
}

void cli_linker_define_instance(cli_linker *l, const char *module, size_t module_len,
                                const isthmus_instance *inst) {
  size_t n = isthmus_instance_export_count(inst);
  for (size_t i = 0; i < n; i++) {
    const char *name;
    size_t name_len;
    isthmus_extern ext;
    isthmus_instance_export_nth(inst, i, &name, &name_len, &ext);
    cli_linker_define(l, module, module_len, name, name_len, ext);
  }
}

void cli_linker_add_resolver(cli_linker *l, cli_resolver_fn fn, void *ctx) {
  if (l->num_resolvers == l->cap_resolvers) {
    l->cap_resolvers = l->cap_resolvers ? l->cap_resolvers * 2 : 4;
    l->resolvers = cli_xrealloc(l->resolvers, l->cap_resolvers * sizeof *l->resolvers);
  }
  l->resolvers[l->num_resolvers++] = (cli_resolver){fn, ctx};
}

static const cli_definition *cli_linker_find(const cli_linker *l, const cli_import *imp) {
  for (size_t i = l->num_defs; i-- > 0;) {
    const cli_definition *d = &l->defs[i];
    if (d->module_len == imp->module_len && d->name_len == imp->name_len &&
        memcmp(d->module, imp->module, imp->module_len) == 0 &&
        memcmp(d->name, imp->name, imp->name_len) == 0)
      return d;
  }
  return NULL;
}

size_t cli_linker_resolve(cli_linker *l, isthmus_store *store, const isthmus_module *m,
                          isthmus_extern *imports, cli_buf *missing) {
  size_t n = isthmus_module_import_count(m);
  size_t num_missing = 0;
  for (size_t i = 0; i < n; i++) {
    cli_import imp;
    isthmus_module_import(m, i, &imp.module, &imp.module_len, &imp.name, &imp.name_len, &imp.type);
    const cli_definition *d = cli_linker_find(l, &imp);
    if (d) {
      imports[i] = d->ext;
      continue;
    }
    bool found = false;
    for (size_t r = 0; r < l->num_resolvers && !found; r++)
      found = l->resolvers[r].fn(l->resolvers[r].ctx, store, &imp, &imports[i]);
    if (found) continue;
    num_missing++;
    memset(&imports[i], 0, sizeof imports[i]);
    if (missing) {
      cli_buf_add(missing, "  ", 2);
      cli_buf_name(missing, imp.module, imp.module_len);
      cli_buf_add(missing, ".", 1);
      cli_buf_name(missing, imp.name, imp.name_len);
      cli_buf_add(missing, ": ", 2);
      cli_buf_externtype(missing, &imp.type);
      cli_buf_add(missing, "\n", 1);
    }
  }
  return num_missing;
}
