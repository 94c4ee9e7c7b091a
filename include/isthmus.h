/*
 * isthmus.h — the one public C API of the isthmus WebAssembly engine.
 *
 * Objects and who owns them
 * -------------------------
 *   isthmus_engine   configuration shared by modules and stores. Owned by the caller;
 *                    delete it after every module and store made from it.
 *   isthmus_module   decoded + validated module; immutable, reference counted, safe to
 *                    share between stores and threads. isthmus_module_delete() drops the
 *                    caller's reference; instances keep their own.
 *   isthmus_store    owns every runtime object made in it: instances, functions, memories,
 *                    tables, globals. They all live until isthmus_store_delete(). A store is
 *                    used by one thread at a time.
 *   isthmus_error    a decode, validation, link or usage error. Returned to the caller, who
 *                    frees it with isthmus_error_delete().
 *   isthmus_trap     a runtime trap (or a guest exit). Returned to the caller, who frees it
 *                    with isthmus_trap_delete().
 *
 * Strings returned by the API (names, messages) are owned by the object they come from.
 * Names in WebAssembly may contain NUL bytes, so they come with explicit lengths; they are
 * also NUL-terminated for convenience.
 */
#ifndef ISTHMUS_H
#define ISTHMUS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#if defined(_WIN32)
#define ISTHMUS_API __declspec(dllexport)
#else
#define ISTHMUS_API __attribute__((visibility("default")))
#endif

#define ISTHMUS_VERSION "0.1.0"

typedef struct isthmus_engine isthmus_engine;
typedef struct isthmus_module isthmus_module;
typedef struct isthmus_store isthmus_store;
typedef struct isthmus_instance isthmus_instance;
typedef struct isthmus_func isthmus_func;
typedef struct isthmus_memory isthmus_memory;
typedef struct isthmus_table isthmus_table;
typedef struct isthmus_global isthmus_global;
typedef struct isthmus_error isthmus_error;
typedef struct isthmus_trap isthmus_trap;
typedef struct isthmus_caller isthmus_caller;

/* ---------------------------------------------------------------- types */

/* Value types carry their binary-format encoding. */
typedef uint8_t isthmus_valtype;
enum {
  ISTHMUS_I32 = 0x7F,
  ISTHMUS_I64 = 0x7E,
  ISTHMUS_F32 = 0x7D,
  ISTHMUS_F64 = 0x7C,
  ISTHMUS_V128 = 0x7B,
  ISTHMUS_FUNCREF = 0x70,
  ISTHMUS_EXTERNREF = 0x6F,
};
/* "i32", "i64", ..., "funcref", "externref"; "?" for anything else. */
ISTHMUS_API const char *isthmus_valtype_name(isthmus_valtype t);

/* A function type. Returned types are views into module or store memory; types passed in
 * are copied. `params`/`results` may be NULL when their count is 0. */
typedef struct isthmus_functype {
  uint32_t num_params;
  uint32_t num_results;
  const isthmus_valtype *params;
  const isthmus_valtype *results;
} isthmus_functype;

typedef struct isthmus_limits {
  uint64_t min;
  uint64_t max; /* valid only when has_max */
  bool has_max;
} isthmus_limits;

typedef struct isthmus_tabletype {
  isthmus_valtype elem; /* ISTHMUS_FUNCREF or ISTHMUS_EXTERNREF */
  isthmus_limits limits;
} isthmus_tabletype;

typedef struct isthmus_memtype {
  isthmus_limits limits; /* in 64 KiB pages */
} isthmus_memtype;

typedef struct isthmus_globaltype {
  isthmus_valtype type;
  bool mutable_;
} isthmus_globaltype;

typedef enum isthmus_externkind {
  ISTHMUS_EXTERN_FUNC = 0,
  ISTHMUS_EXTERN_TABLE = 1,
  ISTHMUS_EXTERN_MEMORY = 2,
  ISTHMUS_EXTERN_GLOBAL = 3,
} isthmus_externkind;
/* "func", "table", "memory", "global". */
ISTHMUS_API const char *isthmus_externkind_name(isthmus_externkind k);

typedef struct isthmus_externtype {
  isthmus_externkind kind;
  union {
    const isthmus_functype *func;
    isthmus_tabletype table;
    isthmus_memtype memory;
    isthmus_globaltype global;
  } of;
} isthmus_externtype;

/* ---------------------------------------------------------------- values */

/* A tagged value. f32/f64 are kept bit-exact (NaN payloads survive). */
typedef struct isthmus_val {
  isthmus_valtype kind;
  union {
    int32_t i32;
    int64_t i64;
    float f32;
    double f64;
    uint32_t f32_bits;
    uint64_t f64_bits;
    isthmus_func *funcref;  /* NULL is ref.null func */
    void *externref;        /* NULL is ref.null extern */
    uint8_t v128[16];
  } of;
} isthmus_val;

/* An external value: what an instance exports and what instantiation takes as imports. */
typedef struct isthmus_extern {
  isthmus_externkind kind;
  union {
    isthmus_func *func;
    isthmus_table *table;
    isthmus_memory *memory;
    isthmus_global *global;
  } of;
} isthmus_extern;

/* ---------------------------------------------------------------- errors and traps */

typedef enum isthmus_error_kind {
  ISTHMUS_ERR_MALFORMED = 1, /* the bytes are not a well-formed binary module */
  ISTHMUS_ERR_INVALID,       /* well-formed, but fails validation */
  ISTHMUS_ERR_LINK,          /* an import is missing or has the wrong type */
  ISTHMUS_ERR_USAGE,         /* bad argument to the API (wrong count, wrong type, unknown name) */
  ISTHMUS_ERR_RESOURCE,      /* out of memory, implementation limit, I/O */
} isthmus_error_kind;

ISTHMUS_API isthmus_error_kind isthmus_error_kind_of(const isthmus_error *e);
/* The reason, in the specification's wording where it has one ("type mismatch"). */
ISTHMUS_API const char *isthmus_error_message(const isthmus_error *e);
/* Byte offset in the module, or -1 when the error has none. */
ISTHMUS_API int64_t isthmus_error_offset(const isthmus_error *e);
/* Index of the function being validated, or -1. */
ISTHMUS_API int64_t isthmus_error_func(const isthmus_error *e);
ISTHMUS_API void isthmus_error_delete(isthmus_error *e);

typedef enum isthmus_trap_code {
  ISTHMUS_TRAP_UNREACHABLE = 1,     /* "unreachable" */
  ISTHMUS_TRAP_MEMORY_OOB,          /* "out of bounds memory access" */
  ISTHMUS_TRAP_TABLE_OOB,           /* "out of bounds table access" */
  ISTHMUS_TRAP_UNDEFINED_ELEMENT,   /* "undefined element" */
  ISTHMUS_TRAP_UNINITIALIZED_ELEMENT, /* "uninitialized element" */
  ISTHMUS_TRAP_INDIRECT_TYPE,       /* "indirect call type mismatch" */
  ISTHMUS_TRAP_DIV_ZERO,            /* "integer divide by zero" */
  ISTHMUS_TRAP_INT_OVERFLOW,        /* "integer overflow" */
  ISTHMUS_TRAP_INVALID_CONVERSION,  /* "invalid conversion to integer" */
  ISTHMUS_TRAP_STACK_EXHAUSTED,     /* "call stack exhausted" */
  ISTHMUS_TRAP_INTERRUPTED,         /* "interrupted" (deadline, Ctrl-C, fuel) */
  ISTHMUS_TRAP_HOST,                /* raised by a host function */
  ISTHMUS_TRAP_EXIT,                /* the guest asked to exit (WASI proc_exit); see exit_code */
  ISTHMUS_TRAP_OOM,                 /* the engine ran out of host memory */
} isthmus_trap_code;

typedef struct isthmus_frame {
  uint32_t func_index;   /* index in the module's function space */
  const char *func_name; /* from the name section, or NULL */
  uint32_t code_offset;  /* byte offset of the instruction in the module, or 0 if unknown */
  const char *module_name; /* from the name section, or NULL */
} isthmus_frame;

ISTHMUS_API isthmus_trap_code isthmus_trap_code_of(const isthmus_trap *t);
ISTHMUS_API const char *isthmus_trap_message(const isthmus_trap *t);
ISTHMUS_API int32_t isthmus_trap_exit_code(const isthmus_trap *t); /* ISTHMUS_TRAP_EXIT only */
/* Innermost frame first. */
ISTHMUS_API size_t isthmus_trap_frame_count(const isthmus_trap *t);
ISTHMUS_API const isthmus_frame *isthmus_trap_frame(const isthmus_trap *t, size_t i);
/* Renders the message and the backtrace ("wasm backtrace:" and one line per frame) into a
 * new malloc'd string without a final newline; the caller frees it. */
ISTHMUS_API char *isthmus_trap_format(const isthmus_trap *t);
/* For host functions: a new trap with ISTHMUS_TRAP_HOST (message copied). */
ISTHMUS_API isthmus_trap *isthmus_trap_new(const char *message);
/* For host functions: a new ISTHMUS_TRAP_INTERRUPTED ("interrupted"). */
ISTHMUS_API isthmus_trap *isthmus_trap_new_interrupt(void);
/* For host functions: a new ISTHMUS_TRAP_EXIT carrying the exit code. */
ISTHMUS_API isthmus_trap *isthmus_trap_new_exit(int32_t exit_code);
ISTHMUS_API void isthmus_trap_delete(isthmus_trap *t);

/* ---------------------------------------------------------------- engine */

typedef struct isthmus_config {
  /* Bytes for the value stack (locals and operands) of one store. Default 16 MiB. */
  size_t value_stack_bytes;
  /* Maximum call depth (wasm frames). Default 100000. */
  uint32_t max_call_depth;
  /* Upper bound for any memory's size in pages, on top of the module's own. 0: 65536. */
  uint32_t max_memory_pages;
  /* Execution tier (see isthmus_tier). Default: ISTHMUS_TIER_DEFAULT. */
  int tier;
} isthmus_config;

/* Execution tiers. INTERP runs the interpreter. AOT translates each module to C, compiles it
 * with the system C compiler ($CC or cc) into a shared object cached in $ISTHMUS_CACHE_DIR
 * (else $XDG_CACHE_HOME/isthmus/aot, else ~/.cache/isthmus/aot) and runs native code;
 * instantiation fails when that is impossible. AUTO starts on the interpreter at once (or on
 * the whole module's object when the cache already holds it) and compiles hot functions in the
 * background: a function called from the host 1000 times (ISTHMUS_TIERUP_CALLS=N overrides
 * the count) is compiled with its direct callees that have run (up to 64 KiB of wasm code) by a
 * worker thread, and switches to native code at the store's next host -> wasm call made while
 * no wasm code runs on it (see isthmus_store_wait_compiled, isthmus_func_tier). A failing or missing
 * compiler costs one warning on stderr; the functions stay interpreted. DEFAULT follows the
 * environment variable ISTHMUS_TIER=interp|aot|auto (interp when unset; the Python package's
 * default engine uses AUTO when the variable is unset). */
typedef enum isthmus_tier {
  ISTHMUS_TIER_DEFAULT = 0,
  ISTHMUS_TIER_INTERP,
  ISTHMUS_TIER_AOT,
  ISTHMUS_TIER_AUTO,
} isthmus_tier;
ISTHMUS_API void isthmus_config_tier(isthmus_config *c, isthmus_tier tier);

/* Fills c with the defaults. */
ISTHMUS_API void isthmus_config_init(isthmus_config *c);
/* cfg may be NULL for the defaults. Returns NULL only when out of memory. */
ISTHMUS_API isthmus_engine *isthmus_engine_new(const isthmus_config *cfg);
ISTHMUS_API void isthmus_engine_delete(isthmus_engine *e);

/* ---------------------------------------------------------------- modules */

/* Decodes and validates. The bytes are copied. On failure *out is NULL and an error returned. */
ISTHMUS_API isthmus_error *isthmus_module_new(isthmus_engine *e, const uint8_t *bytes, size_t len,
                                              isthmus_module **out);
/* Decode only (no validation); for tools that inspect malformed-but-decodable modules. */
ISTHMUS_API isthmus_error *isthmus_module_decode(isthmus_engine *e, const uint8_t *bytes, size_t len,
                                                 isthmus_module **out);
ISTHMUS_API void isthmus_module_delete(isthmus_module *m);

ISTHMUS_API size_t isthmus_module_import_count(const isthmus_module *m);
/* Writes module/name (with lengths) and type of import i. Views live as long as m. */
ISTHMUS_API void isthmus_module_import(const isthmus_module *m, size_t i, const char **module,
                                       size_t *module_len, const char **name, size_t *name_len,
                                       isthmus_externtype *type);
ISTHMUS_API size_t isthmus_module_export_count(const isthmus_module *m);
ISTHMUS_API void isthmus_module_export(const isthmus_module *m, size_t i, const char **name,
                                       size_t *name_len, isthmus_externtype *type);
ISTHMUS_API size_t isthmus_module_custom_count(const isthmus_module *m);
ISTHMUS_API void isthmus_module_custom(const isthmus_module *m, size_t i, const char **name,
                                       size_t *name_len, const uint8_t **data, size_t *data_len);
/* Total functions (imported + defined), and how many of them are imported. */
ISTHMUS_API uint32_t isthmus_module_func_count(const isthmus_module *m);
ISTHMUS_API uint32_t isthmus_module_func_import_count(const isthmus_module *m);
/* Type of function idx (imports included), or NULL when idx is out of range. */
ISTHMUS_API const isthmus_functype *isthmus_module_func_type(const isthmus_module *m, uint32_t idx);
/* Index of export i in the index space of its kind (functions, tables, memories, globals). */
ISTHMUS_API uint32_t isthmus_module_export_index(const isthmus_module *m, size_t i);
/* Name of function idx from the name section, or NULL. */
ISTHMUS_API const char *isthmus_module_func_name(const isthmus_module *m, uint32_t idx);
/* Start function index, or -1. */
ISTHMUS_API int64_t isthmus_module_start(const isthmus_module *m);
/* Counts of the module's own (defined, not imported) memories, tables, globals. */
ISTHMUS_API size_t isthmus_module_memory_count(const isthmus_module *m, isthmus_memtype *types, size_t cap);
ISTHMUS_API size_t isthmus_module_table_count(const isthmus_module *m, isthmus_tabletype *types, size_t cap);
ISTHMUS_API size_t isthmus_module_global_count(const isthmus_module *m, isthmus_globaltype *types, size_t cap);

/* ---------------------------------------------------------------- stores and instances */

ISTHMUS_API isthmus_store *isthmus_store_new(isthmus_engine *e);
ISTHMUS_API void isthmus_store_delete(isthmus_store *s);
/* Asks the running call in s to stop with ISTHMUS_TRAP_INTERRUPTED at the next loop header or
 * function entry. Safe to call from any thread or a signal handler. */
ISTHMUS_API void isthmus_store_interrupt(isthmus_store *s);
/* True when an interrupt was requested and the running call has not stopped yet. Host
 * functions that block (WASI's poll_oneoff sleeping) check it and return
 * isthmus_trap_new_interrupt() so that sleeping guests stop promptly too. */
ISTHMUS_API bool isthmus_store_interrupt_pending(const isthmus_store *s);
/* Arbitrary embedder data attached to the store. */
ISTHMUS_API void isthmus_store_set_data(isthmus_store *s, void *data);
ISTHMUS_API void *isthmus_store_data(const isthmus_store *s);

/* Instantiates m in s with imports given in the order of the module's imports.
 * Returns an error (link, usage) or NULL. When the start function or a segment traps, the
 * error is NULL, *trap is set and *out is NULL. On success *out is set. `trap` may be NULL. */
ISTHMUS_API isthmus_error *isthmus_instantiate(isthmus_store *s, isthmus_module *m,
                                               const isthmus_extern *imports, size_t num_imports,
                                               isthmus_instance **out, isthmus_trap **trap);
ISTHMUS_API isthmus_module *isthmus_instance_module(const isthmus_instance *i);
/* Looks an export up by name. Returns false when there is none. */
ISTHMUS_API bool isthmus_instance_export(const isthmus_instance *i, const char *name, size_t name_len,
                                         isthmus_extern *out);
ISTHMUS_API size_t isthmus_instance_export_count(const isthmus_instance *i);
ISTHMUS_API void isthmus_instance_export_nth(const isthmus_instance *i, size_t n, const char **name,
                                             size_t *name_len, isthmus_extern *out);

/* ---------------------------------------------------------------- functions */

/* Host function callback. Arguments arrive in cells[0..num_params) and results are written to
 * cells[0..num_results) (the array holds max(num_params, num_results) cells). A cell holds an
 * i32 or f32 (bits) in its low 32 bits, an i64 or f64 (bits) in all 64, a funcref as an
 * isthmus_func pointer, an externref as the host's pointer. Return NULL, or a trap (made with
 * isthmus_trap_new / isthmus_trap_new_exit; the engine takes ownership) to stop the guest. */
typedef isthmus_trap *(*isthmus_host_fn)(void *env, isthmus_caller *caller, uint64_t *cells);

/* Creates a host function in s. The type is copied. `finalizer(env)` runs when s is deleted. */
ISTHMUS_API isthmus_func *isthmus_func_new(isthmus_store *s, const isthmus_functype *type,
                                           isthmus_host_fn fn, void *env, void (*finalizer)(void *));
ISTHMUS_API const isthmus_functype *isthmus_func_type(const isthmus_func *f);
/* Calls f with typed values: checks count and kinds, then runs; on success every result's
 * `kind` is set from f's type. Returns an error for usage
 * mistakes (through *err when non-NULL) or a trap; both NULL on success. */
ISTHMUS_API isthmus_trap *isthmus_func_call(isthmus_store *s, isthmus_func *f, const isthmus_val *args,
                                            size_t num_args, isthmus_val *results, size_t num_results,
                                            isthmus_error **err);
/* Fast path: cells as for host functions, array of max(params, results) cells. No checks. */
ISTHMUS_API isthmus_trap *isthmus_func_call_unchecked(isthmus_store *s, isthmus_func *f, uint64_t *cells);
/* The tier f runs on now: ISTHMUS_TIER_INTERP or ISTHMUS_TIER_AOT for wasm functions (the
 * AUTO tier moves hot ones from the first to the second), ISTHMUS_TIER_DEFAULT for host
 * functions. */
ISTHMUS_API isthmus_tier isthmus_func_tier(const isthmus_func *f);
/* AUTO tier: waits up to timeout_ms (< 0: without limit, 0: not at all) for the store's
 * background compiles, then, when no wasm code runs on the store (so not from inside a host
 * function called by wasm), switches the finished ones in. Returns how many compiles are still
 * running (0: all finished). Call it from the thread that uses the store. */
ISTHMUS_API uint32_t isthmus_store_wait_compiled(isthmus_store *s, int64_t timeout_ms);

/* Inside a host function: the calling instance's exported memory named "memory" (or its first
 * memory), or NULL. */
ISTHMUS_API isthmus_memory *isthmus_caller_memory(isthmus_caller *c);
ISTHMUS_API isthmus_instance *isthmus_caller_instance(isthmus_caller *c);
ISTHMUS_API isthmus_store *isthmus_caller_store(isthmus_caller *c);

/* ---------------------------------------------------------------- memories */

ISTHMUS_API isthmus_error *isthmus_memory_new(isthmus_store *s, const isthmus_memtype *type,
                                              isthmus_memory **out);
ISTHMUS_API isthmus_memtype isthmus_memory_type(const isthmus_memory *m);
/* The base never moves for the memory's lifetime on 64-bit hosts. */
ISTHMUS_API uint8_t *isthmus_memory_data(const isthmus_memory *m);
ISTHMUS_API size_t isthmus_memory_size(const isthmus_memory *m); /* bytes */
/* Grows by delta pages; returns the old size in pages or -1 when it cannot. */
ISTHMUS_API int64_t isthmus_memory_grow(isthmus_memory *m, uint64_t delta);

/* ---------------------------------------------------------------- tables */

ISTHMUS_API isthmus_error *isthmus_table_new(isthmus_store *s, const isthmus_tabletype *type,
                                             isthmus_val init, isthmus_table **out);
ISTHMUS_API isthmus_tabletype isthmus_table_type(const isthmus_table *t);
ISTHMUS_API uint32_t isthmus_table_size(const isthmus_table *t);
/* false when idx is out of bounds */
ISTHMUS_API bool isthmus_table_get(const isthmus_table *t, uint32_t idx, isthmus_val *out);
ISTHMUS_API bool isthmus_table_set(isthmus_table *t, uint32_t idx, isthmus_val v);
/* Returns the old size or -1. */
ISTHMUS_API int64_t isthmus_table_grow(isthmus_table *t, uint32_t delta, isthmus_val init);

/* ---------------------------------------------------------------- globals */

ISTHMUS_API isthmus_error *isthmus_global_new(isthmus_store *s, const isthmus_globaltype *type,
                                              isthmus_val init, isthmus_global **out);
ISTHMUS_API isthmus_globaltype isthmus_global_type(const isthmus_global *g);
ISTHMUS_API isthmus_val isthmus_global_get(const isthmus_global *g);
/* Usage error when immutable or the kind differs. */
ISTHMUS_API isthmus_error *isthmus_global_set(isthmus_global *g, isthmus_val v);

/* ---------------------------------------------------------------- WASI preview 1 */

/* WASI (wasi_snapshot_preview1) as host functions, with its own fd table, sandboxed
 * preopened directories and stdio per isthmus_wasi. Configure, create one per instance,
 * let it fill the module's WASI imports, instantiate, then run `_start` or `_initialize`.
 *
 *   isthmus_wasi_config *c = isthmus_wasi_config_new();
 *   isthmus_wasi_config_set_args(c, argc, argv);
 *   isthmus_wasi_config_preopen_dir(c, "/host/data", "/data", false);
 *   isthmus_wasi *w;  err = isthmus_wasi_new(store, c, &w);  isthmus_wasi_config_delete(c);
 *   err = isthmus_wasi_link(w, module, imports, NULL);       // imports: num_imports entries
 *   err = isthmus_instantiate(store, module, imports, n, &inst, &trap);
 *
 * A guest's proc_exit comes back from the call as a trap with ISTHMUS_TRAP_EXIT and
 * isthmus_trap_exit_code(). isthmus_wasi_delete() must come after isthmus_store_delete()
 * of the store it was made in (the host functions refer to it). */
typedef struct isthmus_wasi_config isthmus_wasi_config;
typedef struct isthmus_wasi isthmus_wasi;

/* Output sink for stdout/stderr: return 0, or -1 to make the guest's write fail with EIO. */
typedef int (*isthmus_wasi_write_fn)(void *env, const uint8_t *data, size_t len);
/* Input source for stdin: bytes read into buf (at most cap), 0 at end of input, -1 on error. */
typedef int64_t (*isthmus_wasi_read_fn)(void *env, uint8_t *buf, size_t cap);

ISTHMUS_API isthmus_wasi_config *isthmus_wasi_config_new(void);
ISTHMUS_API void isthmus_wasi_config_delete(isthmus_wasi_config *c);
/* Replaces the arguments (argv[0] included); strings are copied. */
ISTHMUS_API void isthmus_wasi_config_set_args(isthmus_wasi_config *c, size_t argc, const char *const *argv);
/* Adds NAME=VALUE to the environment (a later value for the same name replaces it). */
ISTHMUS_API void isthmus_wasi_config_set_env(isthmus_wasi_config *c, const char *name, const char *value);
/* Copies the host's environment. */
ISTHMUS_API void isthmus_wasi_config_inherit_env(isthmus_wasi_config *c);
/* Makes host directory `host_path` visible to the guest as `guest_path` (e.g. "/", "/data",
 * "."). Nothing outside it is reachable. Checked when isthmus_wasi_new opens it. */
ISTHMUS_API void isthmus_wasi_config_preopen_dir(isthmus_wasi_config *c, const char *host_path,
                                                 const char *guest_path, bool readonly);
/* Standard streams (fd 0, 1, 2). The default is to inherit the host's. */
ISTHMUS_API void isthmus_wasi_config_stdio_inherit(isthmus_wasi_config *c, int fd);
/* A host file: opened for reading (fd 0) or created/truncated for writing (fd 1, 2). */
ISTHMUS_API void isthmus_wasi_config_stdio_file(isthmus_wasi_config *c, int fd, const char *path);
/* /dev/null-like: reads give end of input, writes are discarded. */
ISTHMUS_API void isthmus_wasi_config_stdio_null(isthmus_wasi_config *c, int fd);
ISTHMUS_API void isthmus_wasi_config_stdout_callback(isthmus_wasi_config *c, int fd, isthmus_wasi_write_fn fn,
                                                     void *env);
ISTHMUS_API void isthmus_wasi_config_stdin_callback(isthmus_wasi_config *c, isthmus_wasi_read_fn fn, void *env);

/* Opens the preopens and stdio files. Errors name the path that failed. */
ISTHMUS_API isthmus_error *isthmus_wasi_new(isthmus_store *s, const isthmus_wasi_config *c, isthmus_wasi **out);
ISTHMUS_API void isthmus_wasi_delete(isthmus_wasi *w);
/* For every import of m from "wasi_snapshot_preview1", puts a host function of w's into
 * imports[i] (imports has isthmus_module_import_count(m) entries; other entries are left
 * alone) and sets resolved[i] (when not NULL). An unknown WASI name or a wrong signature is a
 * link error naming the import. */
ISTHMUS_API isthmus_error *isthmus_wasi_link(isthmus_wasi *w, const isthmus_module *m, isthmus_extern *imports,
                                             bool *resolved);

#ifdef __cplusplus
}
#endif
#endif
