/* exec.h — the internal code and its two halves: lowering (lower.c) turns a validated
 * function body into internal code on its first call; the interpreter (interp.c) runs it.
 *
 * Internal code is an array of 32-bit words. Each instruction starts with a handler word
 * (a label offset under computed-goto dispatch, the exe_op number under switch dispatch)
 * followed by its operands. Operands are frame slots: a frame is an array of 64-bit cells,
 * params and locals first, then one cell per operand-stack height, so every wasm value has
 * a slot known when lowering and no value is ever pushed or popped at run time.
 *
 * A slot that holds an i32 holds it zero-extended: every instruction that writes an i32
 * writes it so, calls from the host zero-extend i32 arguments and calls to host functions
 * their i32 results. The lowering relies on it: `i64.extend_i32_u` is free, and so is
 * `i32.wrap_i64`, whose result is read truncated where it is used (see lower.c). */
#ifndef ISTHMUS_EXEC_H
#define ISTHMUS_EXEC_H

#include "opcodes.h"
#include "rt.h"

typedef enum exe_op {
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) EXE_##E,
#include "opcodes.def"
#undef OP
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) EXE_##E##_I,
#include "opcodes.def"
#undef OP
#define X(NAME, TEXT, WORDS) EXE_##NAME,
#include "ops.def"
#undef X
#define BR(NAME, PT, COND, INV) EXE_BR_##NAME, EXE_BR_##NAME##_I,
#include "branch.def"
#undef BR
#define LD(NAME, CT, CONV) EXE_##NAME##_ADD, EXE_##NAME##_ADDI,
#include "load.def"
#undef LD
#define ST(NAME, CT, W) EXE_##NAME##_K,
#include "store.def"
#undef ST
#define FSS(O1, O2, T) EXE_F_##O1##__##O2,
#define FIS(O1, O2, T) EXE_F_##O1##_I__##O2,
#define FSI(O1, O2, T) EXE_F_##O1##__##O2##_I,
#include "fuse.def"
#undef FSS
#undef FIS
#undef FSI
  EXE_OP_COUNT_
} exe_op;

/* A lowered function. */
typedef struct exe_code {
  uint32_t num_params;
  uint32_t num_results;
  uint32_t num_locals;  /* params included */
  uint32_t frame_cells; /* locals + operand slots + 3 spare (for the zeroing of locals): what
                         * a call must find free on the stack */
  uint32_t len;         /* words */
  uint32_t *srcmap;     /* pairs (word index, wasm byte offset), for backtraces */
  uint32_t srcmap_len;
  uint32_t words[];
} exe_code;

/* Runs wasm function f on the store's stacks (exe_invoke checks the preconditions: stacks
 * allocated, handlers ready, f not a host function). */
CMN_HIDDEN isthmus_trap *exe_run(isthmus_store *s, isthmus_func *f, uint64_t *cells);
CMN_HIDDEN extern atomic_bool exe_handlers_ready;

/* Handler words for each exe_op (filled once by exe_run's init mode). */
CMN_HIDDEN extern int32_t exe_handler[EXE_OP_COUNT_];
CMN_HIDDEN void exe_init_handlers(void);

/* Lowers defined function `index` of m. Never fails for a validated module (aborts on OOM). */
CMN_HIDDEN exe_code *exe_lower(const isthmus_module *m, uint32_t index);
/* The lowered code of f, lowering on first use (thread-safe: racing lowerings keep one). */
CMN_HIDDEN exe_code *exe_code_lower_slow(isthmus_func *f);
static inline exe_code *exe_code_of(isthmus_func *f) {
  exe_code *c = atomic_load_explicit(&f->code->lowered, memory_order_acquire);
  return CMN_LIKELY(c != NULL) ? c : exe_code_lower_slow(f);
}
/* Byte offset in the module of the instruction at word `pos` of `c`, or 0. */
CMN_HIDDEN uint32_t exe_srcpos(const exe_code *c, uint32_t pos);

/* Out-of-line helpers for the bulk instructions; return 0 or an isthmus_trap_code. */
CMN_HIDDEN int exe_memory_init(isthmus_instance *inst, uint32_t seg, uint32_t d, uint32_t s, uint32_t n);
CMN_HIDDEN int exe_memory_copy(isthmus_memory *m, uint32_t d, uint32_t s, uint32_t n);
CMN_HIDDEN int exe_memory_fill(isthmus_memory *m, uint32_t d, uint32_t v, uint32_t n);
CMN_HIDDEN int exe_table_init(isthmus_instance *inst, uint32_t tbl, uint32_t seg, uint32_t d, uint32_t s, uint32_t n);
CMN_HIDDEN int exe_table_copy(isthmus_instance *inst, uint32_t dt, uint32_t st, uint32_t d, uint32_t s, uint32_t n);
CMN_HIDDEN int exe_table_fill(isthmus_table *t, uint32_t i, uint64_t v, uint32_t n);

/* u64 -> f32 with one correct rounding (ties to even), by keeping the top 26 bits with a
 * sticky bit, which double holds exactly, then a single double -> float rounding. The
 * direct conversion is correctly rounded on x86-64 hardware, but some emulators (valgrind)
 * round twice; this form gives the same answer everywhere. */
static inline float exe_u64_to_f32(uint64_t x) {
  if (x < (1ull << 53)) return (float)(double)x;
  int n = 64 - __builtin_clzll(x); /* 54..64 significant bits */
  int drop = n - 26;
  uint64_t y = x >> drop;
  if (x & ((1ull << drop) - 1)) y |= 1; /* sticky */
  return (float)((double)y * (double)(1ull << drop));
}
static inline float exe_i64_to_f32(int64_t x) {
  if (x >= 0) return exe_u64_to_f32((uint64_t)x);
  float f = exe_u64_to_f32(0 - (uint64_t)x);
  return -f;
}

static inline float exe_fminf(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return __builtin_signbit(a) ? a : b;
  return a < b ? a : b;
}
static inline float exe_fmaxf(float a, float b) {
  if (a != a || b != b) return a + b;
  if (a == b) return __builtin_signbit(a) ? b : a;
  return a > b ? a : b;
}
static inline double exe_fmin(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return __builtin_signbit(a) ? a : b;
  return a < b ? a : b;
}
static inline double exe_fmax(double a, double b) {
  if (a != a || b != b) return a + b;
  if (a == b) return __builtin_signbit(a) ? b : a;
  return a > b ? a : b;
}

#endif
