/* link.c — isthmus_wasi_link: resolves a module's wasi_snapshot_preview1 imports against the
 * registry (wasi_core_defs + wasi_fs_defs), checking each signature. */
#include <stdio.h>

#include "core_int.h"

static const char wasi_module_name[] = "wasi_snapshot_preview1";

static const wasi_def *find_def(const char *name, size_t len) {
  const wasi_def *tables[2] = {wasi_core_defs, wasi_fs_defs};
  const size_t counts[2] = {wasi_core_ndefs, wasi_fs_ndefs};
  for (int t = 0; t < 2; t++)
    for (size_t i = 0; i < counts[t]; i++)
      if (strlen(tables[t][i].name) == len && !memcmp(tables[t][i].name, name, len)) return &tables[t][i];
  return NULL;
}

/* Parses a def's "ii->i" into a functype (arrays of at least 16 entries). */
static void sig_type(const char *sig, isthmus_functype *ft, isthmus_valtype *params, isthmus_valtype *results) {
  ft->num_params = ft->num_results = 0;
  ft->params = params;
  ft->results = results;
  bool after = false;
  for (const char *p = sig; *p; p++) {
    if (*p == '-' && p[1] == '>') {
      after = true;
      p++;
      continue;
    }
    isthmus_valtype v = *p == 'I' ? ISTHMUS_I64 : ISTHMUS_I32;
    if (after) results[ft->num_results++] = v;
    else params[ft->num_params++] = v;
  }
}

static bool same_type(const isthmus_functype *a, const isthmus_functype *b) {
  if (a->num_params != b->num_params || a->num_results != b->num_results) return false;
  for (uint32_t i = 0; i < a->num_params; i++)
    if (a->params[i] != b->params[i]) return false;
  for (uint32_t i = 0; i < a->num_results; i++)
    if (a->results[i] != b->results[i]) return false;
  return true;
}

/* "(i32, i64) -> (i32)" into buf. */
static void type_str(const isthmus_functype *t, char *buf, size_t cap) {
  size_t n = 0;
#define PUT(...) (n += (size_t)snprintf(buf + (n < cap ? n : cap), n < cap ? cap - n : 0, __VA_ARGS__))
  PUT("(");
  for (uint32_t i = 0; i < t->num_params; i++) PUT("%s%s", i ? ", " : "", isthmus_valtype_name(t->params[i]));
  PUT(") -> (");
  for (uint32_t i = 0; i < t->num_results; i++) PUT("%s%s", i ? ", " : "", isthmus_valtype_name(t->results[i]));
  PUT(")");
#undef PUT
}

isthmus_error *isthmus_wasi_link(isthmus_wasi *w, const isthmus_module *m, isthmus_extern *imports, bool *resolved) {
  if (!w || !m || !imports) return cmn_error(ISTHMUS_ERR_USAGE, -1, "isthmus_wasi_link: wasi, module and imports are required");
  size_t n = isthmus_module_import_count(m);
  for (size_t i = 0; i < n; i++) {
    const char *mod, *name;
    size_t ml, nl;
    isthmus_externtype et;
    isthmus_module_import(m, i, &mod, &ml, &name, &nl, &et);
    if (ml != sizeof wasi_module_name - 1 || memcmp(mod, wasi_module_name, ml) != 0) continue;
    const wasi_def *d = find_def(name, nl);
    if (!d) return cmn_error(ISTHMUS_ERR_LINK, -1, "unknown WASI function %s.%.*s", wasi_module_name, (int)nl, name);
    if (et.kind != ISTHMUS_EXTERN_FUNC)
      return cmn_error(ISTHMUS_ERR_LINK, -1, "%s.%s is a function, the module imports a %s", wasi_module_name,
                       d->name, isthmus_externkind_name(et.kind));
    isthmus_valtype params[16], results[16];
    isthmus_functype want;
    sig_type(d->sig, &want, params, results);
    if (!same_type(&want, et.of.func)) {
      char a[256], b[256];
      type_str(&want, a, sizeof a);
      type_str(et.of.func, b, sizeof b);
      return cmn_error(ISTHMUS_ERR_LINK, -1, "%s.%s has type %s, the module imports it as %s", wasi_module_name,
                       d->name, a, b);
    }
    isthmus_func *f = isthmus_func_new(w->store, &want, d->fn, w, NULL);
    if (!f) return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "cannot create %s.%s", wasi_module_name, d->name);
    imports[i] = (isthmus_extern){.kind = ISTHMUS_EXTERN_FUNC, .of.func = f};
    if (resolved) resolved[i] = true;
  }
  return NULL;
}
