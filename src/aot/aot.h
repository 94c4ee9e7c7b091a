/* aot.h — the ahead-of-time tier: a validated module is translated to C (aot_translate.c),
 * compiled by the system C compiler into a cached shared object (aot_driver.c) and run
 * through the glue in aot_glue.c. Compiled functions plug into the runtime as host
 * functions (isthmus_func.host = the AOT entry), so the interpreter, the public call API
 * and host code call them without knowing about this tier. */
#ifndef ISTHMUS_AOT_H
#define ISTHMUS_AOT_H

#include "rt.h"

/* The contract between the host and generated code, written once: the host compiles it
 * (AOT_ABI(AOT_ABI_CODE)) and the translator emits it as text (AOT_ABI(AOT_ABI_TEXT)) at the
 * top of every generated file, so both sides always agree and nothing is installed beside
 * the library. Generated code needs no symbol from the host: everything it calls is
 * reached through aot_env.rt. */
#define AOT_ABI(X)                                                                             \
  X(typedef struct aot_env aot_env;                                                            \
    typedef struct aot_rt {                                                                    \
      void (*trap)(aot_env *env, int code, uint32_t off); /* never returns; off: wasm byte offset */                                \
      void (*call)(aot_env *env, void *func, uint64_t *cells); /* any isthmus_func */          \
      uint32_t (*memory_grow)(aot_env *env, uint32_t delta);                                   \
      void (*memory_init)(aot_env *env, uint32_t seg, uint32_t d, uint32_t s, uint32_t n);    \
      void (*memory_copy)(aot_env *env, uint32_t d, uint32_t s, uint32_t n);                   \
      void (*memory_fill)(aot_env *env, uint32_t d, uint32_t v, uint32_t n);                   \
      void (*table_init)(aot_env *env, uint32_t t, uint32_t seg, uint32_t d, uint32_t s, uint32_t n); \
      void (*table_copy)(aot_env *env, uint32_t dt, uint32_t st, uint32_t d, uint32_t s, uint32_t n); \
      void (*table_fill)(aot_env *env, uint32_t t, uint32_t i, uint64_t v, uint32_t n);       \
      uint32_t (*table_grow)(aot_env *env, uint32_t t, uint64_t init, uint32_t delta);         \
      void (*elem_drop)(aot_env *env, uint32_t seg);                                           \
      void (*data_drop)(aot_env *env, uint32_t seg);                                           \
      void *entry; /* isthmus_func.host of every compiled function */                         \
    } aot_rt;                                                                                  \
    typedef struct aot_table { uint64_t *elems; uint32_t size; } aot_table;                    \
    typedef struct aot_fref {                                                                  \
      void *typed; /* the C function with the wasm signature */                                \
      void (*tramp)(aot_env *env, uint64_t *cells);                                            \
      aot_env *env;                                                                            \
    } aot_fref;                                                                                \
    typedef struct aot_thread {                                                                \
      uint32_t depth, max_depth;                                                               \
      char *stack_limit;                                                                       \
      void **shadow; /* isthmus_func* of each active compiled frame, for backtraces */         \
    } aot_thread;                                                                              \
    struct aot_env {                                                                           \
      uint8_t *mem_base;                                                                       \
      size_t *mem_size;                                                                        \
      uint64_t **globals;                                                                      \
      aot_table **tables;                                                                      \
      void **funcs;                                                                            \
      const void **types;                                                                      \
      const aot_rt *rt;                                                                        \
      aot_thread *th;                                                                          \
      volatile int *interrupt;                                                                 \
    };                                                                                         \
    typedef struct aot_desc {                                                                  \
      uint32_t abi, num_funcs;                                                                 \
      void *const *typed;                                                                      \
      void (*const *tramp)(aot_env *env, uint64_t *cells);                                     \
    } aot_desc;)

#define AOT_ABI_CODE(...) __VA_ARGS__
AOT_ABI(AOT_ABI_CODE)

/* Bumped whenever the generated code or the ABI changes: part of the cache key. */
#define AOT_VERSION 7

/* Translates the module's reachable functions into `*nunits` C sources (malloc'ed strings)
 * and a shared header (the last element of the returned array, named by the driver). */
typedef struct aot_source {
  char **units;
  size_t num_units;
  char *header;
  uint32_t compiled; /* functions translated */
} aot_source;
/* With `only` NULL: the functions reachable from the module's roots (exports, start, tables,
 * ref.func). Subset mode: exactly the defined functions marked in `only` (no closure over
 * callees); their calls to unmarked functions go through env->funcs. */
CMN_HIDDEN void aot_translate_subset(const isthmus_module *m, const uint8_t *only, aot_source *out);

/* Per function (aot_callgraph.c): */
enum {
  AOT_SMALL_LEAF = 1,   /* no calls and a short body: copied into direct callers */
  AOT_DYNAMIC_CALL = 2, /* calls through call_indirect, an import or an uncompiled function */
  AOT_ON_CYCLE = 4,     /* on a cycle of direct calls (recursion) */
};
/* The flags of every function (a malloc'ed array of num_funcs). `compiled` marks the
 * functions the translation compiles; NULL: every direct callee is compiled. */
CMN_HIDDEN uint8_t *aot_call_flags(const isthmus_module *m, const uint8_t *compiled);
CMN_HIDDEN void aot_source_free(aot_source *s);

/* A loaded shared object for one module (cached on the module, freed with it). */
typedef struct aot_lib {
  void *dl;            /* NULL when the compiler failed on this module (see failed) */
  const aot_desc *desc;
  char *failed;        /* the compiler's error, kept so later instances do not retry */
} aot_lib;

/* Returns the module's compiled library, compiling or loading it from the cache on first use.
 * NULL with *err set when it cannot. */
CMN_HIDDEN aot_lib *aot_module_lib(isthmus_module *m, isthmus_error **err);
/* The module's compiled library if it is loaded or in the cache; never compiles. */
CMN_HIDDEN aot_lib *aot_module_lib_cached(isthmus_module *m);
CMN_HIDDEN void aot_module_release(isthmus_module *m);
/* A copy of the environment the driver reads, taken on a thread the program may call setenv
 * from, for a build on another thread. */
typedef struct aot_envcopy aot_envcopy;
CMN_HIDDEN aot_envcopy *aot_envcopy_take(void);
CMN_HIDDEN void aot_envcopy_free(aot_envcopy *c);
/* Compiles (or finds in the cache) and loads an object holding the functions marked in
 * `subset` (aot_translate_subset), reading the environment from `ec` (NULL: getenv).
 * Thread-safe: the tier-up worker calls it. */
CMN_HIDDEN aot_lib *aot_subset_lib(const isthmus_module *m, const uint8_t *subset, const aot_envcopy *ec,
                                   isthmus_error **err);
CMN_HIDDEN void aot_lib_free(aot_lib *lib);

/* Called by instantiation before segments and the start function: switches the instance's
 * compiled functions to this tier according to the engine's tier setting. A forced tier
 * that cannot compile returns an error; "auto" warns on stderr and stays interpreted. */
CMN_HIDDEN isthmus_error *aot_instance_attach(isthmus_instance *inst);
CMN_HIDDEN void aot_instance_free(isthmus_instance *inst);
CMN_HIDDEN void aot_store_free(isthmus_store *s);

/* ---------------------------------------------------------------- tier-up (AUTO tier) */

/* Host calls into an interpreted function before the AUTO tier compiles it (with its direct
 * callees) in the background; ISTHMUS_TIERUP_CALLS overrides it per engine. */
#define AOT_TIERUP_CALLS 1000
/* The wasm code budget of one background compile (function bodies, in bytes). */
#define AOT_TIERUP_BUDGET (64u * 1024)
/* While a function's compile is in flight, every this many host calls look for results. */
#define AOT_TIERUP_POLL 256

/* A function's countdown of host calls reached zero (isthmus_func.tierup): queues its
 * compile, or installs finished ones when the store is at a safe point. Returns true when f
 * now runs compiled code. Owning thread only. */
CMN_HIDDEN bool aot_tierup_hot(isthmus_store *s, isthmus_func *f);
/* Installs finished compiles if the store is at a safe point; clears s->tierup_poll when
 * nothing is outstanding. Owning thread only. */
CMN_HIDDEN void aot_tierup_poll(isthmus_store *s);
/* Detaches the store from the background worker (results in flight are dropped). */
CMN_HIDDEN void aot_tierup_store_free(isthmus_store *s);
/* Glue for aot_tierup.c (aot_glue.c): true when no wasm frame of either tier is active on s;
 * switches the still interpreted functions marked in subset to `lib` (which the instance
 * keeps until it is freed) and returns how many; whether f runs compiled code. */
CMN_HIDDEN bool aot_store_idle(const isthmus_store *s);
CMN_HIDDEN uint32_t aot_instance_install(isthmus_instance *inst, aot_lib *lib, const uint8_t *subset);
CMN_HIDDEN bool aot_func_compiled(const isthmus_func *f);

#endif
