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

/* ---------------------------------------------------------------- WASI for the commands */

static const char cli_wasi_module[] = "wasi_snapshot_preview1";

int cli_wasi_parse_opt(cli_wasi_opts *o, int argc, char **argv, int *i, const char *cmd) {
  const char *a = argv[*i], *value;
  bool is_dir = strncmp(a, "--dir", 5) == 0, is_env = strncmp(a, "--env", 5) == 0;
  if ((!is_dir && !is_env) || (a[5] != '\0' && a[5] != '=')) return 0;
  if (a[5] == '=') {
    value = a + 6;
  } else if (*i + 1 < argc) {
    value = argv[++*i];
  } else {
    cli_errorf("%s: %s needs a value (%s)", cmd, a, is_dir ? "HOST[::GUEST]" : "NAME=VALUE");
    return -1;
  }
  if (is_dir) {
    const char *sep = strstr(value, "::");
    if (!value[0] || sep == value || (sep && !sep[2])) {
      cli_errorf("%s: --dir '%s': want HOST or HOST::GUEST", cmd, value);
      return -1;
    }
    o->dirs = cli_xrealloc(o->dirs, (o->num_dirs + 1) * sizeof *o->dirs);
    o->dirs[o->num_dirs++] = value;
  } else {
    if (!value[0] || value[0] == '=') {
      cli_errorf("%s: --env '%s': want NAME=VALUE or NAME", cmd, value);
      return -1;
    }
    o->envs = cli_xrealloc(o->envs, (o->num_envs + 1) * sizeof *o->envs);
    o->envs[o->num_envs++] = value;
  }
  return 1;
}

void cli_wasi_opts_free(cli_wasi_opts *o) {
  free(o->dirs);
  free(o->envs);
  o->dirs = o->envs = NULL;
  o->num_dirs = o->num_envs = 0;
}

struct cli_wasi {
  isthmus_wasi *wasi;
  const isthmus_module *module;
  isthmus_extern *imports; /* filled by isthmus_wasi_link, one entry per import of module */
  bool *resolved;
  size_t num_imports;
};

/* Resolver hook: hands out what isthmus_wasi_link put in place for this (module, name). */
static bool cli_wasi_resolve(void *ctx, isthmus_store *store, const cli_import *imp, isthmus_extern *out) {
  cli_wasi *w = ctx;
  (void)store;
  for (size_t i = 0; i < w->num_imports; i++) {
    if (!w->resolved[i]) continue;
    const char *mod, *name;
    size_t mod_len, name_len;
    isthmus_externtype t;
    isthmus_module_import(w->module, i, &mod, &mod_len, &name, &name_len, &t);
    if (mod_len == imp->module_len && name_len == imp->name_len && memcmp(mod, imp->module, mod_len) == 0 &&
        memcmp(name, imp->name, name_len) == 0) {
      *out = w->imports[i];
      return true;
    }
  }
  return false;
}

/* Adds the --env options to c. */
static void cli_wasi_add_env(isthmus_wasi_config *c, const cli_wasi_opts *o) {
  for (size_t i = 0; i < o->num_envs; i++) {
    const char *e = o->envs[i], *eq = strchr(e, '=');
    if (eq) {
      char *name = cli_xstrndup(e, (size_t)(eq - e));
      isthmus_wasi_config_set_env(c, name, eq + 1);
      free(name);
    } else {
      const char *v = getenv(e);
      if (v) isthmus_wasi_config_set_env(c, e, v);
    }
  }
}

/* Adds the --dir options to c: "HOST" maps HOST to the same guest path, "HOST::GUEST" maps
 * it to GUEST. */
static void cli_wasi_add_dirs(isthmus_wasi_config *c, const cli_wasi_opts *o) {
  for (size_t i = 0; i < o->num_dirs; i++) {
    const char *d = o->dirs[i], *sep = strstr(d, "::");
    if (sep) {
      char *host = cli_xstrndup(d, (size_t)(sep - d));
      isthmus_wasi_config_preopen_dir(c, host, sep + 2, false);
      free(host);
    } else {
      isthmus_wasi_config_preopen_dir(c, d, d, false);
    }
  }
}

bool cli_wasi_setup(cli_linker *l, isthmus_store *store, const isthmus_module *m, const cli_wasi_opts *o,
                    const char *path, char *const *args, size_t num_args, cli_wasi **out) {
  *out = NULL;
  isthmus_wasi_config *c = isthmus_wasi_config_new();
  if (!c) {
    cli_errorf("out of memory");
    return false;
  }
  const char **argv = cli_xcalloc(num_args + 1, sizeof *argv);
  argv[0] = path;
  for (size_t i = 0; i < num_args; i++) argv[i + 1] = args[i];
  isthmus_wasi_config_set_args(c, num_args + 1, argv);
  free(argv);
  cli_wasi_add_env(c, o);
  cli_wasi_add_dirs(c, o);

  cli_wasi *w = cli_xcalloc(1, sizeof *w);
  *out = w;
  w->module = m;
  w->num_imports = isthmus_module_import_count(m);
  w->imports = cli_xcalloc(w->num_imports + 1, sizeof *w->imports);
  w->resolved = cli_xcalloc(w->num_imports + 1, sizeof *w->resolved);
  isthmus_wasi *wasi = NULL;
  isthmus_error *err = isthmus_wasi_new(store, c, &wasi);
  isthmus_wasi_config_delete(c);
  if (err) {
    cli_errorf("%s: WASI: %s", path, isthmus_error_message(err));
    isthmus_error_delete(err);
    return false;
  }
  w->wasi = wasi;
  err = isthmus_wasi_link(w->wasi, m, w->imports, w->resolved);
  if (err) {
    cli_errorf("%s: cannot instantiate: %s", path, isthmus_error_message(err));
    isthmus_error_delete(err);
    return false;
  }
  cli_linker_add_resolver(l, cli_wasi_resolve, w);
  return true;
}

void cli_wasi_delete(cli_wasi *w) {
  if (!w) return;
  if (w->wasi) isthmus_wasi_delete(w->wasi);
  free(w->imports);
  free(w->resolved);
  free(w);
}

bool cli_module_imports_wasi(const isthmus_module *m) {
  size_t n = isthmus_module_import_count(m);
  for (size_t i = 0; i < n; i++) {
    const char *mod, *name;
    size_t mod_len, name_len;
    isthmus_externtype t;
    isthmus_module_import(m, i, &mod, &mod_len, &name, &name_len, &t);
    if (mod_len == sizeof cli_wasi_module - 1 && memcmp(mod, cli_wasi_module, mod_len) == 0) return true;
  }
  return false;
}
