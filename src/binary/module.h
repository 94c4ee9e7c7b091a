/* module.h — the decoded form of a module, shared (read-only after decoding and validation)
 * by the validator, the lowering pass and the runtime. Offsets are byte offsets into
 * `bytes`, the module's own copy of its binary. */
#ifndef ISTHMUS_MODULE_H
#define ISTHMUS_MODULE_H

#include <stdatomic.h>

#include "common.h"
#include "reader.h"

/* Implementation limits (the spec allows embedders to set them). */
#define BIN_MAX_LOCALS 50000u        /* params + locals of one function */
#define BIN_MAX_FUNCS 1000000u
#define BIN_MAX_TYPES 1000000u
#define BIN_MAX_TABLE_SIZE 10000000u /* elements */
#define BIN_MAX_PAGES 65536u         /* 4 GiB of 64 KiB pages */
#define BIN_MAX_BR_TABLE 1000000u

/* A constant expression: the bytes of its instructions, `end` excluded. Checked by the
 * validator, evaluated by the runtime at instantiation. */
typedef struct bin_expr {
  uint32_t off;
  uint32_t len;
} bin_expr;

typedef struct bin_import {
  char *module; /* NUL-terminated copies; names may also contain NUL, hence the lengths */
  uint32_t module_len;
  char *name;
  uint32_t name_len;
  isthmus_externkind kind;
  uint32_t index;   /* index in the func/table/memory/global space */
  uint32_t type;    /* type index, for functions */
} bin_import;

typedef struct bin_export {
  char *name;
  uint32_t name_len;
  isthmus_externkind kind;
  uint32_t index;
} bin_export;

typedef struct bin_global {
  isthmus_globaltype type;
  bin_expr init; /* unused for imported globals */
} bin_global;

typedef struct bin_func {
  uint32_t type;        /* type index */
  /* Defined functions only (index >= num_func_imports): */
  uint32_t body_off;    /* first byte of the body (the local declarations) */
  uint32_t code_off;    /* first instruction */
  uint32_t code_end;    /* one past the final `end` */
  uint32_t num_locals;  /* declared locals, params excluded */
  isthmus_valtype *local_types; /* num_locals entries */
  /* Filled in by the validator: */
  uint32_t max_stack;   /* operand stack height bound (values) */
  uint32_t max_depth;   /* control nesting bound */
  /* Filled in lazily by exec's lowering, shared by all instances: */
  _Atomic(void *) lowered;
} bin_func;

enum { BIN_SEG_ACTIVE, BIN_SEG_PASSIVE, BIN_SEG_DECLARATIVE };

/* One element item: ref.func idx, ref.null, or global.get idx. Both encodings (function
 * index vectors and expression vectors) decode to this. */
typedef struct bin_elem_item {
  uint8_t op;   /* BIN_ITEM_FUNC, BIN_ITEM_NULL or BIN_ITEM_GLOBAL */
  uint32_t idx; /* function or global index */
} bin_elem_item;
enum { BIN_ITEM_FUNC, BIN_ITEM_NULL, BIN_ITEM_GLOBAL };

typedef struct bin_elem {
  uint8_t mode;          /* BIN_SEG_* */
  isthmus_valtype type;  /* funcref or externref */
  uint32_t table;        /* active only */
  bin_expr offset;       /* active only */
  uint32_t count;
  bin_elem_item *items;
  uint32_t off;          /* segment start in the binary, for error messages */
  /* Expression-encoded items are checked by the validator, so the decoder keeps each
   * item's expression too (NULL when the segment used function indices). */
  bin_expr *item_exprs;
} bin_elem;

typedef struct bin_data {
  uint8_t mode;      /* BIN_SEG_ACTIVE or BIN_SEG_PASSIVE */
  uint32_t memory;   /* active only */
  bin_expr offset;   /* active only */
  uint32_t data_off; /* the bytes: bytes[data_off .. data_off+data_len) */
  uint32_t data_len;
} bin_data;

typedef struct bin_custom {
  char *name;
  uint32_t name_len;
  uint32_t data_off;
  uint32_t data_len;
} bin_custom;

struct isthmus_module {
  atomic_int refs;
  isthmus_engine *engine;
  uint8_t *bytes;
  size_t size;

  isthmus_functype *types; /* params/results point into type_storage */
  uint32_t num_types;
  isthmus_valtype *type_storage;

  bin_import *imports;
  uint32_t num_imports;

  bin_func *funcs; /* the whole function space, imports first */
  uint32_t num_funcs, num_func_imports;

  isthmus_tabletype *tables; /* imports first */
  uint32_t num_tables, num_table_imports;

  isthmus_memtype *memories; /* imports first */
  uint32_t num_memories, num_memory_imports;

  bin_global *globals; /* imports first */
  uint32_t num_globals, num_global_imports;

  bin_export *exports;
  uint32_t num_exports;

  bool has_start;
  uint32_t start;

  bin_elem *elems;
  uint32_t num_elems;

  bin_data *datas;
  uint32_t num_datas;
  bool has_data_count;
  uint32_t data_count;

  bin_custom *customs;
  uint32_t num_customs;

  /* From the name section (best effort: a malformed name section is ignored, as the spec
   * asks of custom sections). */
  char *module_name;
  char **func_names; /* num_funcs entries, NULL where absent; NULL array when none */

  /* Functions that may be named by ref.func inside bodies ("declared" references: those in
   * element segments, exports or global initializers). One bit per function. */
  uint8_t *declared_refs;

  /* The AOT tier's loaded shared object (src/aot), shared by all instances. */
  _Atomic(void *) aot;
};

/* Decodes `len` bytes (copied) into a new module with refs = 1. Returns NULL and sets *err
 * (ISTHMUS_ERR_MALFORMED with offset) on failure. */
CMN_HIDDEN isthmus_module *bin_decode(isthmus_engine *engine, const uint8_t *bytes, size_t len,
                                      isthmus_error **err);
/* Frees everything the decoder allocated (not the lowered code: exec frees that first). */
CMN_HIDDEN void bin_module_free(isthmus_module *m);

/* Skips one instruction's immediates after its opcode has been read (used by tools that walk
 * code without validating it). Sets r->err on malformed immediates. */
CMN_HIDDEN void bin_skip_immediates(bin_reader *r, int op);

static inline const isthmus_functype *bin_func_type(const isthmus_module *m, uint32_t func) {
  return &m->types[m->funcs[func].type];
}

#endif
