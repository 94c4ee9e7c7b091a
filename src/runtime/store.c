/* store.c — stores own runtime objects and the execution stacks; functions and calls. */
#include "aot.h"
#include "exec.h"
#include "rt.h"

isthmus_store *isthmus_store_new(isthmus_engine *e) {
  if (!e) return NULL;
  isthmus_store *s = calloc(1, sizeof *s);
  if (!s) return NULL;
  s->engine = e;
  s->host_caller = (isthmus_caller){s, NULL};
  atomic_init(&s->interrupt, 0);
  return s;
}

/* The stacks are allocated on first use: many stores never run code. Large allocations
 * are lazily backed by the OS, so unused depth costs address space only. */
bool rt_store_stacks(isthmus_store *s) {
  if (s->stack) return true;
  s->stack_cells = s->engine->cfg.value_stack_bytes / sizeof(uint64_t);
  s->max_frames = s->engine->cfg.max_call_depth;
  s->stack = calloc(s->stack_cells, sizeof(uint64_t));
  s->frames = calloc((size_t)s->max_frames + 1, sizeof(rt_frame));
  if (!s->stack || !s->frames) {
    free(s->stack);
    free(s->frames);
    s->stack = NULL;
    s->frames = NULL;
    return false;
  }
  s->stack_top = s->stack;
  s->frame_top = 0;
  return true;
}

void rt_instance_free(isthmus_instance *inst);

void isthmus_store_delete(isthmus_store *s) {
  if (!s) return;
  for (size_t i = 0; i < s->instances.len; i++) rt_instance_free(s->instances.items[i]);
  for (size_t i = 0; i < s->funcs.len; i++) {
    isthmus_func *f = s->funcs.items[i];
    if (f->finalizer) f->finalizer(f->env);
    free(f);
  }
  for (size_t i = 0; i < s->memories.len; i++) rt_memory_free(s->memories.items[i]);
  for (size_t i = 0; i < s->tables.len; i++) rt_table_free(s->tables.items[i]);
  for (size_t i = 0; i < s->globals.len; i++) free(s->globals.items[i]);
  for (size_t i = 0; i < s->owned_types.len; i++) free(s->owned_types.items[i]);
  cmn_vec_free(s->instances);
  cmn_vec_free(s->funcs);
  cmn_vec_free(s->memories);
  cmn_vec_free(s->tables);
  cmn_vec_free(s->globals);
  cmn_vec_free(s->owned_types);
  free(s->stack);
  free(s->frames);
  aot_store_free(s);
  free(s);
}

void isthmus_store_interrupt(isthmus_store *s) { atomic_store(&s->interrupt, 1); }
bool isthmus_store_interrupt_pending(const isthmus_store *s) {
  return atomic_load_explicit(&((isthmus_store *)s)->interrupt, memory_order_relaxed) != 0;
}
void isthmus_store_set_data(isthmus_store *s, void *data) { s->data = data; }
void *isthmus_store_data(const isthmus_store *s) { return s->data; }

bool rt_type_equal(const isthmus_functype *a, const isthmus_functype *b) {
  return a->num_params == b->num_params && a->num_results == b->num_results &&
         (a->num_params == 0 || memcmp(a->params, b->params, a->num_params) == 0) &&
         (a->num_results == 0 || memcmp(a->results, b->results, a->num_results) == 0);
}

/* Linear search is fine: a store sees few distinct signatures (Go modules: ~50). */
const isthmus_functype *rt_type_canon(isthmus_store *s, const isthmus_functype *t) {
  for (size_t i = 0; i < s->owned_types.len; i++)
    if (rt_type_equal(s->owned_types.items[i], t)) return s->owned_types.items[i];
  size_t n = (size_t)t->num_params + t->num_results;
  isthmus_functype *c = cmn_xmalloc(sizeof *c + n);
  isthmus_valtype *vt = (isthmus_valtype *)(c + 1);
  if (t->num_params) memcpy(vt, t->params, t->num_params);
  if (t->num_results) memcpy(vt + t->num_params, t->results, t->num_results);
  c->num_params = t->num_params;
  c->num_results = t->num_results;
  c->params = vt;
  c->results = vt + t->num_params;
  cmn_vec_push(s->owned_types, c);
  return c;
}

isthmus_func *rt_func_wasm(isthmus_instance *inst, uint32_t index) {
  isthmus_func *f = cmn_xcalloc(1, sizeof *f);
  f->store = inst->store;
  f->inst = inst;
  f->index = index;
  f->type = inst->types[inst->module->funcs[index].type];
  f->code = &inst->module->funcs[index];
  const isthmus_engine *e = inst->store->engine;
  f->tierup = e->cfg.tier == ISTHMUS_TIER_AUTO ? e->tierup_calls : UINT32_MAX;
  cmn_vec_push(inst->store->funcs, f);
  return f;
}

isthmus_func *isthmus_func_new(isthmus_store *s, const isthmus_functype *type, isthmus_host_fn fn,
                               void *env, void (*finalizer)(void *)) {
  if (!s || !type || !fn) return NULL;
  isthmus_func *f = cmn_xcalloc(1, sizeof *f);
  f->store = s;
  f->type = rt_type_canon(s, type);
  f->host = fn;
  f->env = env;
  f->finalizer = finalizer;
  cmn_vec_push(s->funcs, f);
  return f;
}

const isthmus_functype *isthmus_func_type(const isthmus_func *f) { return f->type; }

/* The AUTO tier's rare cases, out of line so that the fast paths below keep no frame: a
 * countdown that reached zero (aot_tierup_hot may switch f to compiled code at once), and a
 * call while background compiles are outstanding (a finished one may be switched in). */
__attribute__((noinline)) static isthmus_trap *call_counted_out(isthmus_store *s, isthmus_func *f, uint64_t *cells) {
  aot_tierup_hot(s, f);
  return exe_invoke(s, f, cells); /* runs f on whichever tier it is on now */
}
__attribute__((noinline)) static isthmus_trap *call_polling(isthmus_store *s, isthmus_func *f, uint64_t *cells) {
  aot_tierup_poll(s);
  return f->host(f->env, &s->host_caller, cells);
}

isthmus_trap *isthmus_func_call_unchecked(isthmus_store *s, isthmus_func *f, uint64_t *cells) {
  /* the common case without the extra call layer: tiny calls from Python count every cycle */
  if (CMN_LIKELY(!f->host && s->stack && s->frame_top == 0 &&
                 atomic_load_explicit(&exe_handlers_ready, memory_order_acquire))) {
    /* the AUTO tier's count of host calls: one decrement; other tiers wrap after 2^32 */
    if (CMN_UNLIKELY(--f->tierup == 0)) return call_counted_out(s, f, cells);
    atomic_store_explicit(&s->interrupt, 0, memory_order_relaxed);
    return exe_run(s, f, cells);
  }
  if (f->host) { /* host functions, and functions compiled by the AOT tier */
    if (CMN_UNLIKELY(s->tierup_poll)) return call_polling(s, f, cells); /* AUTO tier */
    /* the caller lives in the store, so this is a tail call: compiled code from Python
     * pays for one call layer less */
    return f->host(f->env, &s->host_caller, cells);
  }
  /* re-entry from a host function, or the store's first call: counted too */
  if (CMN_UNLIKELY(--f->tierup == 0)) return call_counted_out(s, f, cells);
  return exe_invoke(s, f, cells);
}

isthmus_trap *isthmus_func_call(isthmus_store *s, isthmus_func *f, const isthmus_val *args, size_t num_args,
                                isthmus_val *results, size_t num_results, isthmus_error **err) {
  if (err) *err = NULL;
  const isthmus_functype *t = f->type;
  isthmus_error *e = NULL;
  if (f->store != s)
    e = cmn_error(ISTHMUS_ERR_USAGE, -1, "function belongs to another store");
  else if (num_args != t->num_params)
    e = cmn_error(ISTHMUS_ERR_USAGE, -1, "expected %u arguments, got %zu", t->num_params, num_args);
  else if (num_results != t->num_results)
    e = cmn_error(ISTHMUS_ERR_USAGE, -1, "function has %u results, room for %zu given", t->num_results,
                  num_results);
  for (size_t i = 0; !e && i < num_args; i++)
    if (args[i].kind != t->params[i])
      e = cmn_error(ISTHMUS_ERR_USAGE, -1, "argument %zu: expected %s, got %s", i,
                    isthmus_valtype_name(t->params[i]), isthmus_valtype_name(args[i].kind));
  if (e) {
    if (err) *err = e;
    else isthmus_error_delete(e);
    return NULL;
  }
  size_t n = num_args > num_results ? num_args : num_results;
  uint64_t small[32];
  uint64_t *cells = n * 2 <= 32 ? small : cmn_xmalloc(n * 2 * sizeof(uint64_t));
  for (size_t i = 0; i < num_args; i++) rt_val_to_cell(&args[i], &cells[i]);
  if (CMN_UNLIKELY(s->tierup_poll)) aot_tierup_poll(s); /* as above */
  if (!f->host && CMN_UNLIKELY(--f->tierup == 0)) aot_tierup_hot(s, f);
  isthmus_trap *trap = exe_invoke(s, f, cells);
  if (!trap)
    for (size_t i = 0; i < num_results; i++) results[i] = rt_cell_to_val(t->results[i], &cells[i]);
  if (cells != small) free(cells);
  return trap;
}

isthmus_memory *isthmus_caller_memory(isthmus_caller *c) {
  if (!c->inst) return NULL;
  isthmus_extern x;
  if (isthmus_instance_export(c->inst, "memory", 6, &x) && x.kind == ISTHMUS_EXTERN_MEMORY) return x.of.memory;
  return c->inst->module->num_memories ? c->inst->memories[0] : NULL;
}
isthmus_instance *isthmus_caller_instance(isthmus_caller *c) { return c->inst; }
isthmus_store *isthmus_caller_store(isthmus_caller *c) { return c->store; }
