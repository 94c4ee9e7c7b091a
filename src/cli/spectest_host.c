/* spectest_host.c — the `spectest` host module that the spec tests import: print functions,
 * four immutable globals, a table and a memory, as the reference interpreter defines them. */
#include <string.h>

#include "spectest.h"

typedef struct host_print {
  const char *name;
  isthmus_functype type;
} host_print;

static const isthmus_valtype host_t_i32[] = {ISTHMUS_I32};
static const isthmus_valtype host_t_i64[] = {ISTHMUS_I64};
static const isthmus_valtype host_t_f32[] = {ISTHMUS_F32};
static const isthmus_valtype host_t_f64[] = {ISTHMUS_F64};
static const isthmus_valtype host_t_i32_f32[] = {ISTHMUS_I32, ISTHMUS_F32};
static const isthmus_valtype host_t_f64_f64[] = {ISTHMUS_F64, ISTHMUS_F64};

/* Empty lists point at a real (unused) array rather than NULL: an engine may memcpy them. */
static const isthmus_valtype host_t_none[1] = {0};

static const host_print host_prints[] = {
    {"print", {0, 0, host_t_none, host_t_none}},
    {"print_i32", {1, 0, host_t_i32, host_t_none}},
    {"print_i64", {1, 0, host_t_i64, host_t_none}},
    {"print_f32", {1, 0, host_t_f32, host_t_none}},
    {"print_f64", {1, 0, host_t_f64, host_t_none}},
    {"print_i32_f32", {2, 0, host_t_i32_f32, host_t_none}},
    {"print_f64_f64", {2, 0, host_t_f64_f64, host_t_none}},
};

/* Prints each argument as "VALUE : TYPE" on its own line, like the reference interpreter. */
static isthmus_trap *host_print_fn(void *env, isthmus_caller *caller, uint64_t *cells) {
  (void)caller;
  const host_print *p = env;
  char buf[64];
  for (uint32_t i = 0; i < p->type.num_params; i++) {
    isthmus_valtype t = p->type.params[i];
    switch (t) {
    case ISTHMUS_I32:
      snprintf(buf, sizeof buf, "%d", (int32_t)(uint32_t)cells[i]);
      break;
    case ISTHMUS_I64:
      snprintf(buf, sizeof buf, "%lld", (long long)(int64_t)cells[i]);
      break;
    case ISTHMUS_F32:
      cli_format_f32((uint32_t)cells[i], buf, sizeof buf);
      break;
    case ISTHMUS_F64:
      cli_format_f64(cells[i], buf, sizeof buf);
      break;
    default:
      snprintf(buf, sizeof buf, "?");
      break;
    }
    printf("%s : %s\n", buf, isthmus_valtype_name(t));
  }
  fflush(stdout);
  return NULL;
}

static void host_define(cli_linker *l, const char *name, isthmus_extern ext) {
  cli_linker_define(l, "spectest", 8, name, strlen(name), ext);
}

static bool host_global(isthmus_store *s, cli_linker *l, const char *name, isthmus_val v) {
  isthmus_globaltype gt = {v.kind, false};
  isthmus_global *g = NULL;
  isthmus_error *err = isthmus_global_new(s, &gt, v, &g);
  if (err) {
    cli_errorf("spectest host module: global %s: %s", name, isthmus_error_message(err));
    isthmus_error_delete(err);
    return false;
  }
  host_define(l, name, (isthmus_extern){.kind = ISTHMUS_EXTERN_GLOBAL, .of.global = g});
  return true;
}

bool cli_spectest_host_define(isthmus_store *s, cli_linker *l) {
  for (size_t i = 0; i < sizeof host_prints / sizeof host_prints[0]; i++) {
    const host_print *p = &host_prints[i];
    isthmus_func *f = isthmus_func_new(s, &p->type, host_print_fn, (void *)p, NULL);
    if (!f) {
      cli_errorf("spectest host module: cannot create %s", p->name);
      return false;
    }
    host_define(l, p->name, (isthmus_extern){.kind = ISTHMUS_EXTERN_FUNC, .of.func = f});
  }

  isthmus_val v;
  memset(&v, 0, sizeof v);
  v.kind = ISTHMUS_I32;
  v.of.i32 = 666;
  if (!host_global(s, l, "global_i32", v)) return false;
  memset(&v, 0, sizeof v);
  v.kind = ISTHMUS_I64;
  v.of.i64 = 666;
  if (!host_global(s, l, "global_i64", v)) return false;
  memset(&v, 0, sizeof v);
  v.kind = ISTHMUS_F32;
  v.of.f32 = 666.6f;
  if (!host_global(s, l, "global_f32", v)) return false;
  memset(&v, 0, sizeof v);
  v.kind = ISTHMUS_F64;
  v.of.f64 = 666.6;
  if (!host_global(s, l, "global_f64", v)) return false;

  isthmus_tabletype tt = {ISTHMUS_FUNCREF, {10, 20, true}};
  isthmus_val null_ref;
  memset(&null_ref, 0, sizeof null_ref);
  null_ref.kind = ISTHMUS_FUNCREF;
  isthmus_table *t = NULL;
  isthmus_error *err = isthmus_table_new(s, &tt, null_ref, &t);
  if (err) {
    cli_errorf("spectest host module: table: %s", isthmus_error_message(err));
    isthmus_error_delete(err);
    return false;
  }
  host_define(l, "table", (isthmus_extern){.kind = ISTHMUS_EXTERN_TABLE, .of.table = t});

  isthmus_memtype mt = {{1, 2, true}};
  isthmus_memory *m = NULL;
  err = isthmus_memory_new(s, &mt, &m);
  if (err) {
    cli_errorf("spectest host module: memory: %s", isthmus_error_message(err));
    isthmus_error_delete(err);
    return false;
  }
  host_define(l, "memory", (isthmus_extern){.kind = ISTHMUS_EXTERN_MEMORY, .of.memory = m});
  return true;
}
