/* rt.h — runtime objects (store, instance, function, memory, table, global, trap) as the
 * interpreter sees them. Everything here is internal; embedders see only isthmus.h. */
#ifndef ISTHMUS_RT_H
#define ISTHMUS_RT_H

#include <signal.h>
#include <stdatomic.h>

#include "common.h"
#include "module.h"

struct isthmus_engine {
  isthmus_config cfg;
  uint32_t tierup_calls; /* AUTO tier: host calls before a function is compiled (aot.h) */
};

struct isthmus_func {
  /* Canonical type: structurally equal types share one pointer within a store's engine,
   * so call_indirect compares pointers only (see rt_type_canon). */
  const isthmus_functype *type;
  isthmus_store *store;
  isthmus_instance *inst; /* defining instance; NULL for host functions */
  uint32_t index;         /* index in the defining module's function space */
  uint32_t tierup;        /* AUTO tier: host calls left until aot_tierup_hot (wraps elsewhere) */
  bin_func *code;         /* wasm functions: the module's entry (lowered code hangs off it) */
  isthmus_host_fn host;   /* host functions */
  void *env;
  void (*finalizer)(void *);
};

struct isthmus_memory {
  uint8_t *base;      /* never moves: address space reserved once */
  size_t size;        /* current size in bytes */
  size_t reserved;    /* bytes of address space reserved */
  uint64_t max_pages; /* effective maximum (type's max, engine cap) */
  isthmus_memtype type; /* limits.min tracks the current size in pages */
  bool mmapped;
};

struct isthmus_table {
  uint64_t *elems;  /* refs as cells: isthmus_func* or the externref's pointer; 0 is null */
  uint32_t size;
  uint32_t cap;
  uint32_t max;     /* effective maximum */
  isthmus_tabletype type;
};

struct isthmus_global {
  uint64_t cell[2]; /* v128 needs two */
  isthmus_globaltype type;
};

typedef struct rt_elemseg {
  uint32_t count; /* 0 once dropped */
  uint64_t *refs;
} rt_elemseg;

typedef struct rt_dataseg {
  const uint8_t *bytes;
  uint32_t len; /* 0 once dropped */
} rt_dataseg;

struct isthmus_instance {
  isthmus_module *module;
  isthmus_store *store;
  const isthmus_functype **types; /* canonical pointers for the module's type indices */
  isthmus_func **funcs;       /* module->num_funcs */
  isthmus_table **tables;     /* module->num_tables */
  isthmus_memory **memories;  /* module->num_memories (0 or 1 in wasm 2.0) */
  isthmus_global **globals;   /* module->num_globals */
  rt_elemseg *elems;          /* module->num_elems */
  rt_dataseg *datas;          /* module->num_datas */
  isthmus_extern *exports;    /* module->num_exports */
  void *aot;                  /* the AOT tier's environment (src/aot), NULL when interpreted */
};

/* One activation record of the interpreter; kept on the store's frame stack. */
typedef struct rt_frame {
  const uint32_t *ret_pc;      /* where the caller resumes */
  uint64_t *ret_fp;            /* the caller's frame pointer */
  isthmus_instance *ret_inst;  /* the caller's instance if not the callee's (else, or the host: NULL) */
  isthmus_func *func;          /* the callee (for backtraces) */
  const uint32_t *pc;          /* the callee's position, saved when it calls out (backtraces) */
} rt_frame;

struct isthmus_caller {
  isthmus_store *store;
  isthmus_instance *inst; /* instance of the wasm function that made the call, or NULL */
};

struct isthmus_store {
  isthmus_engine *engine;
  isthmus_caller host_caller; /* {this store, NULL}: the caller of host calls from outside */
  CMN_VEC(isthmus_func *) funcs; /* every object the store owns, freed with it */
  CMN_VEC(isthmus_memory *) memories;
  CMN_VEC(isthmus_table *) tables;
  CMN_VEC(isthmus_global *) globals;
  CMN_VEC(isthmus_instance *) instances;
  CMN_VEC(isthmus_functype *) owned_types; /* canonical types interned for this store */

  uint64_t *stack;       /* value stack, `stack_cells` cells */
  size_t stack_cells;
  uint64_t *stack_top;   /* first free cell; nested (host -> wasm) calls start here */
  rt_frame *frames;      /* frame stack, `max_frames` entries */
  uint32_t max_frames;
  uint32_t frame_top;    /* frames in use (across nested calls) */

  atomic_int interrupt;  /* set by isthmus_store_interrupt, polled by the interpreter */
  void *aot;             /* the AOT tier's per-store state (src/aot), allocated on first use */
  void *tierup;          /* the AUTO tier's link with the background compiler (aot_tierup.c) */
  bool tierup_poll;      /* compiles outstanding: host entries look for finished ones */
  void *data;
};

struct isthmus_trap {
  isthmus_trap_code code;
  int32_t exit_code;
  char *message;
  isthmus_frame *frames;
  size_t num_frames;
};

/* Trap messages in the specification's wording. */
CMN_HIDDEN const char *rt_trap_message(isthmus_trap_code code);
CMN_HIDDEN isthmus_trap *rt_trap(isthmus_trap_code code);
CMN_HIDDEN void rt_trap_add_frame(isthmus_trap *t, isthmus_func *f, uint32_t code_offset);

/* Returns the store's canonical copy of type t (structural interning). */
CMN_HIDDEN const isthmus_functype *rt_type_canon(isthmus_store *s, const isthmus_functype *t);
CMN_HIDDEN bool rt_type_equal(const isthmus_functype *a, const isthmus_functype *b);

CMN_HIDDEN void rt_module_retain(isthmus_module *m);
CMN_HIDDEN isthmus_global *rt_global_new(isthmus_store *s, const isthmus_globaltype *type);
CMN_HIDDEN void rt_memory_free(isthmus_memory *m);
CMN_HIDDEN void rt_table_free(isthmus_table *t);
/* Makes a wasm function object for function `index` of inst's module. */
CMN_HIDDEN isthmus_func *rt_func_wasm(isthmus_instance *inst, uint32_t index);
CMN_HIDDEN isthmus_memory *rt_memory_new(isthmus_store *s, const isthmus_memtype *type);
/* Grows by delta pages; returns the old page count or -1. */
CMN_HIDDEN int64_t rt_memory_grow(isthmus_memory *m, uint64_t delta);
CMN_HIDDEN isthmus_table *rt_table_new(isthmus_store *s, const isthmus_tabletype *type, uint64_t init);
CMN_HIDDEN int64_t rt_table_grow(isthmus_table *t, uint32_t delta, uint64_t init);

/* Converts between tagged values and cells. */
CMN_HIDDEN void rt_val_to_cell(const isthmus_val *v, uint64_t *cell);
CMN_HIDDEN isthmus_val rt_cell_to_val(isthmus_valtype t, const uint64_t *cell);

/* The interpreter's entry: runs f with arguments in cells[0..params), leaves results in
 * cells[0..results). Host functions are called directly. Returns NULL or a trap. */
CMN_HIDDEN isthmus_trap *exe_invoke(isthmus_store *s, isthmus_func *f, uint64_t *cells);
/* Frees lowered code hanging off a module's functions. */
CMN_HIDDEN void exe_module_release(isthmus_module *m);

#endif
