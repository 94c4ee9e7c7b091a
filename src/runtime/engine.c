/* engine.c — engine configuration and the module life cycle (decode, validate, free). */
#include <errno.h>
#include <stdio.h>

#include "aot.h"
#include "rt.h"
#include "valid.h"

void isthmus_config_init(isthmus_config *c) {
  c->value_stack_bytes = 16u << 20;
  c->max_call_depth = 100000;
  c->max_memory_pages = 65536;
  c->tier = ISTHMUS_TIER_DEFAULT;
}

/* ISTHMUS_TIER=interp|aot|auto picks the tier of configs that leave it at the default, so the
 * CLI, the tests and Python can switch tiers without new flags. */
static isthmus_tier tier_from_env(void) {
  const char *t = getenv("ISTHMUS_TIER");
  if (!t || !*t || !strcmp(t, "interp")) return ISTHMUS_TIER_INTERP;
  if (!strcmp(t, "aot")) return ISTHMUS_TIER_AOT;
  if (!strcmp(t, "auto")) return ISTHMUS_TIER_AUTO;
  static atomic_int warned;
  if (atomic_fetch_add(&warned, 1) == 0)
    fprintf(stderr, "isthmus: warning: ISTHMUS_TIER=%s is not interp, aot or auto; using interp\n", t);
  return ISTHMUS_TIER_INTERP;
}

void isthmus_config_tier(isthmus_config *c, isthmus_tier tier) { c->tier = tier; }

/* ISTHMUS_TIERUP_CALLS=N: host calls before the AUTO tier compiles a function (tests and
 * benchmarks lower it); AOT_TIERUP_CALLS otherwise. */
static uint32_t tierup_calls_from_env(void) {
  const char *v = getenv("ISTHMUS_TIERUP_CALLS");
  if (!v || !*v) return AOT_TIERUP_CALLS;
  char *end;
  errno = 0;
  unsigned long long n = strtoull(v, &end, 10);
  if (*end || errno || n < 1 || n >= UINT32_MAX || *v == '-') {
    static atomic_int warned;
    if (atomic_fetch_add(&warned, 1) == 0)
      fprintf(stderr, "isthmus: warning: ISTHMUS_TIERUP_CALLS=%s is not a count from 1 to %u; using %u\n", v,
              UINT32_MAX - 1, AOT_TIERUP_CALLS);
    return AOT_TIERUP_CALLS;
  }
  return (uint32_t)n;
}

isthmus_engine *isthmus_engine_new(const isthmus_config *cfg) {
  isthmus_engine *e = calloc(1, sizeof *e);
  if (!e) return NULL;
  isthmus_config_init(&e->cfg);
  if (cfg) {
    if (cfg->value_stack_bytes >= 4096) e->cfg.value_stack_bytes = cfg->value_stack_bytes;
    if (cfg->max_call_depth > 0) e->cfg.max_call_depth = cfg->max_call_depth;
    if (cfg->max_memory_pages > 0 && cfg->max_memory_pages <= 65536)
      e->cfg.max_memory_pages = cfg->max_memory_pages;
    if (cfg->tier >= ISTHMUS_TIER_DEFAULT && cfg->tier <= ISTHMUS_TIER_AUTO) e->cfg.tier = cfg->tier;
  }
  if (e->cfg.tier == ISTHMUS_TIER_DEFAULT) e->cfg.tier = tier_from_env();
  e->tierup_calls = tierup_calls_from_env();
  return e;
}

void isthmus_engine_delete(isthmus_engine *e) { free(e); }

isthmus_error *isthmus_module_decode(isthmus_engine *e, const uint8_t *bytes, size_t len,
                                     isthmus_module **out) {
  *out = NULL;
  if (!e || (!bytes && len)) return cmn_error(ISTHMUS_ERR_USAGE, -1, "isthmus_module_decode: NULL argument");
  if (len > UINT32_MAX) return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "module larger than 4 GiB");
  isthmus_error *err = NULL;
  isthmus_module *m = bin_decode(e, bytes, len, &err);
  if (!m) return err ? err : cmn_error(ISTHMUS_ERR_MALFORMED, -1, "malformed module");
  *out = m;
  return NULL;
}

isthmus_error *isthmus_module_new(isthmus_engine *e, const uint8_t *bytes, size_t len,
                                  isthmus_module **out) {
  isthmus_error *err = isthmus_module_decode(e, bytes, len, out);
  if (err) return err;
  err = vld_module(*out);
  if (err) {
    isthmus_module_delete(*out);
    *out = NULL;
  }
  return err;
}

void rt_module_retain(isthmus_module *m) { atomic_fetch_add(&m->refs, 1); }

void isthmus_module_delete(isthmus_module *m) {
  if (!m) return;
  if (atomic_fetch_sub(&m->refs, 1) != 1) return;
  exe_module_release(m);
  aot_module_release(m);
  bin_module_free(m);
}
