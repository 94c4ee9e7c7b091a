/* interp.c — the interpreter loop over internal code (see exec.h for the code's shape).
 *
 * Dispatch is direct threading with computed goto on GCC/Clang: each handler word holds its
 * label's offset from a base label. With ISTHMUS_SWITCH_DISPATCH the same handler bodies
 * are cases of a switch. Hot state (ip, fp, memory base and size, the instance's globals
 * and functions) lives in locals and is reloaded after anything that may change it: calls,
 * returns, memory.grow. A wasm call never recurses in C: frames live on the store's frame
 * stack. Only host functions that call back into wasm nest C calls. */
#include <math.h>
#include <pthread.h>

#include "exec.h"

int32_t exe_handler[EXE_OP_COUNT_];

#if defined(ISTHMUS_OP_PROFILE) && defined(ISTHMUS_SWITCH_DISPATCH)
/* A developer's tool (cmake -DISTHMUS_SWITCH_DISPATCH=ON -DCMAKE_C_FLAGS=-DISTHMUS_OP_PROFILE):
 * counts executed internal instructions and pairs of successive ones, and prints the most
 * frequent to stderr at exit. It tells which fusions would pay. Not thread-safe. */
#include <stdio.h>
static uint64_t exe_prof_ops[EXE_OP_COUNT_], exe_prof_pairs[EXE_OP_COUNT_][EXE_OP_COUNT_];
static unsigned exe_prof_prev;
static const char *exe_prof_name(unsigned o) {
  static const char *names[EXE_OP_COUNT_] = {
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) [EXE_##E] = TEXT,
#include "opcodes.def"
#undef OP
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) [EXE_##E##_I] = TEXT "/imm",
#include "opcodes.def"
#undef OP
#define X(NAME, TEXT, WORDS) [EXE_##NAME] = TEXT,
#include "ops.def"
#undef X
#define BR(NAME, PT, COND, INV) [EXE_BR_##NAME] = "br." #NAME, [EXE_BR_##NAME##_I] = "br." #NAME "/imm",
#include "branch.def"
#undef BR
#define LD(NAME, CT, CONV) [EXE_##NAME##_ADD] = #NAME "+add", [EXE_##NAME##_ADDI] = #NAME "+add/imm",
#include "load.def"
#undef LD
#define ST(NAME, CT, W) [EXE_##NAME##_K] = #NAME "/const",
#include "store.def"
#undef ST
#define FSS(O1, O2, T) [EXE_F_##O1##__##O2] = #O1 "+" #O2,
#define FIS(O1, O2, T) [EXE_F_##O1##_I__##O2] = #O1 "/imm+" #O2,
#define FSI(O1, O2, T) [EXE_F_##O1##__##O2##_I] = #O1 "+" #O2 "/imm",
#include "fuse.def"
#undef FSS
#undef FIS
#undef FSI
  };
  return o < EXE_OP_COUNT_ && names[o] ? names[o] : "?";
}
static void exe_prof_dump(void) {
  uint64_t total = 0;
  for (unsigned i = 0; i < EXE_OP_COUNT_; i++) total += exe_prof_ops[i];
  fprintf(stderr, "== op profile: %llu instructions\n", (unsigned long long)total);
  for (int k = 0; k < 40; k++) { /* top ops, then top pairs, by repeated selection */
    unsigned best = 0;
    for (unsigned i = 1; i < EXE_OP_COUNT_; i++) if (exe_prof_ops[i] > exe_prof_ops[best]) best = i;
    if (!exe_prof_ops[best]) break;
    fprintf(stderr, "%6.2f%% %s\n", 100.0 * exe_prof_ops[best] / total, exe_prof_name(best));
    exe_prof_ops[best] = 0;
  }
  fprintf(stderr, "== pairs\n");
  for (int k = 0; k < 60; k++) {
    unsigned bi = 0, bj = 0;
    for (unsigned i = 0; i < EXE_OP_COUNT_; i++)
      for (unsigned j = 0; j < EXE_OP_COUNT_; j++)
        if (exe_prof_pairs[i][j] > exe_prof_pairs[bi][bj]) bi = i, bj = j;
    if (!exe_prof_pairs[bi][bj]) break;
    fprintf(stderr, "%6.2f%% %s -> %s\n", 100.0 * exe_prof_pairs[bi][bj] / total, exe_prof_name(bi),
            exe_prof_name(bj));
    exe_prof_pairs[bi][bj] = 0;
  }
}
static void exe_profile_count(unsigned o) {
  static bool registered;
  if (!registered) registered = !atexit(exe_prof_dump);
  if (o < EXE_OP_COUNT_) {
    exe_prof_ops[o]++;
    exe_prof_pairs[exe_prof_prev][o]++;
    exe_prof_prev = o;
  }
}
#endif
/* The code the bottom frame of every run returns to: one EXIT instruction. */
static uint32_t exe_exit_code[1];

static inline float f32_of(uint32_t bits) {
  float f;
  memcpy(&f, &bits, 4);
  return f;
}
static inline uint32_t bits_of_f32(float f) {
  uint32_t b;
  memcpy(&b, &f, 4);
  return b;
}
static inline double f64_of(uint64_t bits) {
  double f;
  memcpy(&f, &bits, 8);
  return f;
}
static inline uint64_t bits_of_f64(double f) {
  uint64_t b;
  memcpy(&b, &f, 8);
  return b;
}

#define CT_I32 uint32_t
#define CT_I64 uint64_t
#define CT_F32 float
#define CT_F64 double
#define RD_I32(x) ((uint32_t)(x))
#define RD_I64(x) ((uint64_t)(x))
#define RD_F32(x) f32_of((uint32_t)(x))
#define RD_F64(x) f64_of((uint64_t)(x))
#define WR_I32(v) ((uint64_t)(uint32_t)(v))
#define WR_I64(v) ((uint64_t)(v))
#define WR_F32(v) ((uint64_t)bits_of_f32(v))
#define WR_F64(v) bits_of_f64(v)
#define IMM_I32(p) ((uint64_t)(p)[0])
#define IMM_F32(p) ((uint64_t)(p)[0])
#define IMM_I64(p) ((uint64_t)(p)[0] | ((uint64_t)(p)[1] << 32))
#define IMM_F64(p) IMM_I64(p)
#define IMMW_I32 1
#define IMMW_F32 1
#define IMMW_I64 2
#define IMMW_F64 2

/* Each binary operator as a function, for the fused pairs of fuse.def (which lists none
 * that traps: TRAP has no meaning here). */
#define TRAP(c) return 0
#define UN(E, PT, RT, STMT)
#define BIN(E, PT, RT, STMT)                                                     \
  static inline CT_##RT exe_bin_##E(CT_##PT a, CT_##PT b) {                      \
    CT_##RT r;                                                                   \
    STMT                                                                         \
    return r;                                                                    \
  }
#include "numeric.def"
#undef UN
#undef BIN
#undef TRAP

#ifdef ISTHMUS_SWITCH_DISPATCH
#define CASE(x) case EXE_##x:
#define NEXT goto dispatch
#else
#define CASE(x) L_##x:
#define NEXT goto *(const void *)(dispatch_base + (int32_t)*ip)
#endif

#define TRAP(c)                      \
  do {                               \
    trap_code = ISTHMUS_TRAP_##c;    \
    goto trap;                       \
  } while (0)

/* (the trap is made at the label, not prepared before each of the many checks) */
#define CHECK_INTERRUPT()                                                        \
  do {                                                                           \
    if (CMN_UNLIKELY(atomic_load_explicit(&s->interrupt, memory_order_relaxed))) \
      goto interrupted;                                                          \
  } while (0)

#define RELOAD_INSTANCE()                                                   \
  do {                                                                      \
    globals = inst->globals;                                                \
    funcs = inst->funcs;                                                    \
    mem = inst->module->num_memories ? inst->memories[0] : NULL;            \
    membase = mem ? mem->base : NULL;                                       \
    memsize = mem ? mem->size : 0;                                          \
  } while (0)

#define RELOAD_MEMORY() (memsize = mem ? mem->size : 0)

/* Zeroes the declared locals of a new frame. Functions have few (Go's: 1-4), so four
 * cells at a time (a frame has room past its locals: see exe_code) in a plain loop beat
 * the memset call that compilers make of it; the empty asm keeps it a loop. */
#define ZERO_LOCALS(fp, c)                                                 \
  do {                                                                     \
    for (uint64_t *z_ = (fp) + (c)->num_params, *e_ = (fp) + (c)->num_locals; z_ < e_; z_ += 4) { \
      z_[0] = z_[1] = z_[2] = z_[3] = 0;                                   \
      __asm__("" : : : "memory");                                          \
    }                                                                      \
  } while (0)

/* Handlers that are not generated from numeric.def; listed for the label table. */
#define MANUAL_HANDLERS(X)                                                                     \
  X(COPY) X(COPY2) X(CONST32) X(CONST64) X(JMP) X(JMP_IF) X(JMP_UNLESS) X(JMP_TABLE) X(RET) X(EXIT)     \
  X(TRAP) X(CONST32_JMP) X(RET_CONST32) X(I32_ADD_GSET) X(GLOBAL_ADD_I) X(GLOBAL_GET_JMP_IF) X(CALL_K) X(I32_LOAD_G) X(I64_MOVE) X(I32_ADD_I2) X(CALL) X(CALL_INDIRECT) X(SELECT) X(GLOBAL_GET) X(GLOBAL_SET) X(TABLE_GET)          \
  X(TABLE_SET) X(TABLE_SIZE) X(TABLE_GROW) X(TABLE_FILL) X(TABLE_COPY) X(TABLE_INIT)           \
  X(ELEM_DROP) X(MEMORY_SIZE) X(MEMORY_GROW) X(MEMORY_INIT) X(DATA_DROP) X(MEMORY_COPY)        \
  X(MEMORY_FILL) X(REF_IS_NULL) X(REF_FUNC)                                                    \
  X(I32_LOAD) X(I64_LOAD) X(F32_LOAD) X(F64_LOAD) X(I32_LOAD8_S) X(I32_LOAD8_U)                \
  X(I32_LOAD16_S) X(I32_LOAD16_U) X(I64_LOAD8_S) X(I64_LOAD8_U) X(I64_LOAD16_S)                \
  X(I64_LOAD16_U) X(I64_LOAD32_S) X(I64_LOAD32_U) X(I32_STORE) X(I64_STORE) X(F32_STORE)       \
  X(F64_STORE) X(I32_STORE8) X(I32_STORE16) X(I64_STORE8) X(I64_STORE16) X(I64_STORE32)

/* Runs f (a wasm function) on the store's stacks. In init mode (s == NULL) it only fills
 * exe_handler, since label addresses exist only inside this function. */
isthmus_trap *exe_run(isthmus_store *s, isthmus_func *f, uint64_t *cells) {
#ifndef ISTHMUS_SWITCH_DISPATCH
  const char *dispatch_base = (const char *)&&L_BASE;
  if (!s) {
    for (int i = 0; i < EXE_OP_COUNT_; i++) exe_handler[i] = (int32_t)((const char *)&&L_INVALID - dispatch_base);
#define REG(x) exe_handler[EXE_##x] = (int32_t)((const char *)&&L_##x - dispatch_base);
#define UN(E, PT, RT, STMT) REG(E)
#define BIN(E, PT, RT, STMT) REG(E) REG(E##_I)
#include "numeric.def"
#undef UN
#undef BIN
    MANUAL_HANDLERS(REG)
#define BR(NAME, PT, COND, INV) REG(BR_##NAME) REG(BR_##NAME##_I)
#include "branch.def"
#undef BR
#define LD(NAME, CT, CONV) REG(NAME##_ADD) REG(NAME##_ADDI)
#include "load.def"
#undef LD
#define ST(NAME, CT, W) REG(NAME##_K)
#include "store.def"
#undef ST
#define FSS(O1, O2, T) REG(F_##O1##__##O2)
#define FIS(O1, O2, T) REG(F_##O1##_I__##O2)
#define FSI(O1, O2, T) REG(F_##O1##__##O2##_I)
#include "fuse.def"
#undef FSS
#undef FIS
#undef FSI
#undef REG
    return NULL;
  }
#else
  if (!s) {
    for (int i = 0; i < EXE_OP_COUNT_; i++) exe_handler[i] = i;
    return NULL;
  }
#endif

  isthmus_trap_code trap_code = ISTHMUS_TRAP_UNREACHABLE;
  isthmus_trap *host_trap = NULL;
  exe_code *code = exe_code_of(f);
  uint64_t *const stack_end = s->stack + s->stack_cells;
  uint64_t *const entry_fp = s->stack_top;
  uint64_t *const saved_top = s->stack_top;
  const uint32_t base_frame = s->frame_top;
  rt_frame *const frames = s->frames;
  uint32_t ft = base_frame;
  const uint32_t *const exit_words = exe_exit_code;
  const uint32_t num_results = f->type->num_results;

  if (ft >= s->max_frames || entry_fp + code->frame_cells > stack_end) {
    isthmus_trap *t = rt_trap(ISTHMUS_TRAP_STACK_EXHAUSTED);
    return t;
  }
  uint64_t *fp = entry_fp;
  /* calls from the host are often tiny: unrolled copies for the common arities. An i32
   * enters zero-extended whatever the host left in the upper half (see exec.h). */
  const isthmus_valtype *pt = f->type->params;
#define PARAM(i) (pt[i] == ISTHMUS_I32 ? (uint32_t)cells[i] : cells[i])
  switch (code->num_params) {
    case 3: fp[2] = PARAM(2); /* fall through */
    case 2: fp[1] = PARAM(1); /* fall through */
    case 1: fp[0] = PARAM(0); /* fall through */
    case 0: break;
    default:
      for (uint32_t i = 0; i < code->num_params; i++) fp[i] = PARAM(i);
  }
#undef PARAM
  ZERO_LOCALS(fp, code);
  frames[ft].ret_pc = exit_words;
  frames[ft].ret_inst = NULL; /* also tells RET not to switch instances */
  frames[ft].func = f;
  ft++;
  const uint32_t *ip = code->words;

  isthmus_instance *inst = f->inst;
  isthmus_global **globals;
  isthmus_func **funcs;
  isthmus_memory *mem;
  uint8_t *membase;
  uint64_t memsize;
  RELOAD_INSTANCE();
  isthmus_func *callee;
  uint64_t *newfp;
  const uint32_t *retip; /* where the caller resumes */

#ifdef ISTHMUS_SWITCH_DISPATCH
dispatch:
#ifdef ISTHMUS_OP_PROFILE
  exe_profile_count(*ip);
#endif
  switch ((exe_op)*ip) {
#else
  NEXT;
L_BASE:
L_INVALID:
  TRAP(UNREACHABLE);
#endif

#define UN(E, PT, RT, STMT)              \
  CASE(E) {                              \
    CT_##PT a = RD_##PT(fp[ip[2]]);      \
    CT_##RT r;                           \
    STMT                                 \
    fp[ip[1]] = WR_##RT(r);              \
    ip += 3;                             \
    NEXT;                                \
  }
#define BIN(E, PT, RT, STMT)                                      \
  CASE(E) {                                                       \
    CT_##PT a = RD_##PT(fp[ip[2]]), b = RD_##PT(fp[ip[3]]);       \
    CT_##RT r;                                                    \
    STMT                                                          \
    fp[ip[1]] = WR_##RT(r);                                       \
    ip += 4;                                                      \
    NEXT;                                                         \
  }                                                               \
  CASE(E##_I) {                                                   \
    CT_##PT a = RD_##PT(fp[ip[2]]), b = RD_##PT(IMM_##PT(ip + 3)); \
    CT_##RT r;                                                    \
    STMT                                                          \
    fp[ip[1]] = WR_##RT(r);                                       \
    ip += 3 + IMMW_##PT;                                          \
    NEXT;                                                         \
  }
#include "numeric.def"
#undef UN
#undef BIN

#define FSS(O1, O2, T)                                                                       \
  CASE(F_##O1##__##O2) {                                                                     \
    CT_##T x = exe_bin_##O1(RD_##T(fp[ip[2]]), RD_##T(fp[ip[3]]));                           \
    fp[ip[1]] = WR_##T(exe_bin_##O2(x, RD_##T(fp[ip[4]])));                                  \
    ip += 5;                                                                                 \
    NEXT;                                                                                    \
  }
#define FIS(O1, O2, T)                                                                       \
  CASE(F_##O1##_I__##O2) {                                                                   \
    CT_##T x = exe_bin_##O1(RD_##T(fp[ip[2]]), RD_##T(IMM_##T(ip + 3)));                     \
    fp[ip[1]] = WR_##T(exe_bin_##O2(x, RD_##T(fp[ip[3 + IMMW_##T]])));                       \
    ip += 4 + IMMW_##T;                                                                      \
    NEXT;                                                                                    \
  }
#define FSI(O1, O2, T)                                                                       \
  CASE(F_##O1##__##O2##_I) {                                                                 \
    CT_##T x = exe_bin_##O1(RD_##T(fp[ip[2]]), RD_##T(fp[ip[3]]));                           \
    fp[ip[1]] = WR_##T(exe_bin_##O2(x, RD_##T(IMM_##T(ip + 4))));                            \
    ip += 4 + IMMW_##T;                                                                      \
    NEXT;                                                                                    \
  }
#include "fuse.def"
#undef FSS
#undef FIS
#undef FSI

#define LOAD_AT(ADDR, CT, CONV, W)                                   \
  {                                                                  \
    uint64_t ea = (uint64_t)(uint32_t)(ADDR) + ip[W - 1];            \
    if (CMN_UNLIKELY(ea + sizeof(CT) > memsize)) goto oob;           \
    CT v;                                                            \
    memcpy(&v, membase + ea, sizeof v);                              \
    fp[ip[1]] = (uint64_t)(CONV)v;                                   \
    ip += W;                                                         \
    NEXT;                                                            \
  }
#define LD(E, CT, CONV)                                         \
  CASE(E) LOAD_AT(fp[ip[2]], CT, CONV, 4)                       \
  CASE(E##_ADD) LOAD_AT(fp[ip[2]] + fp[ip[3]], CT, CONV, 5)     \
  CASE(E##_ADDI) LOAD_AT(fp[ip[2]] + ip[3], CT, CONV, 5)
#include "load.def"
#undef LD
  CASE(I32_LOAD_G) LOAD_AT(globals[ip[2]]->cell[0], uint32_t, uint32_t, 4)
  CASE(I64_MOVE) { /* the load's bounds first: a trap leaves memory as it was */
    uint64_t from = (uint64_t)(uint32_t)fp[ip[3]] + ip[4], to = (uint64_t)(uint32_t)fp[ip[1]] + ip[2];
    if (CMN_UNLIKELY(from + 8 > memsize || to + 8 > memsize)) goto oob;
    uint64_t v;
    memcpy(&v, membase + from, 8);
    memcpy(membase + to, &v, 8);
    ip += 5;
    NEXT;
  }
#undef LOAD_AT

#define STORE_AT(OFF, VAL, CT, W)                                    \
  {                                                                  \
    uint64_t ea = (uint64_t)(uint32_t)fp[ip[1]] + (OFF);             \
    if (CMN_UNLIKELY(ea + sizeof(CT) > memsize)) goto oob;           \
    CT v = (CT)(VAL);                                                \
    memcpy(membase + ea, &v, sizeof v);                              \
    ip += W;                                                         \
    NEXT;                                                            \
  }
#define ST(E, CT, W)                                                   \
  CASE(E) STORE_AT(ip[3], fp[ip[2]], CT, 4)                            \
  CASE(E##_K) STORE_AT(ip[2], W == 2 ? IMM_I64(ip + 3) : ip[3], CT, 3 + W)
#include "store.def"
#undef ST
#undef STORE_AT

  CASE(COPY) {
    fp[ip[1]] = fp[ip[2]];
    ip += 3;
    NEXT;
  }
  CASE(I32_ADD_I2) {
    fp[ip[1]] = (uint32_t)((uint32_t)fp[ip[2]] + ip[3]);
    fp[ip[4]] = (uint32_t)((uint32_t)fp[ip[5]] + ip[6]);
    ip += 7;
    NEXT;
  }
  CASE(COPY2) {
    fp[ip[1]] = fp[ip[2]];
    fp[ip[3]] = fp[ip[4]];
    ip += 5;
    NEXT;
  }
  CASE(CONST32) {
    fp[ip[1]] = ip[2];
    ip += 3;
    NEXT;
  }
  CASE(CONST64) {
    fp[ip[1]] = IMM_I64(ip + 2);
    ip += 4;
    NEXT;
  }
  CASE(CONST32_JMP) {
    fp[ip[1]] = ip[2];
    ip += (int32_t)ip[3];
    CHECK_INTERRUPT();
    NEXT;
  }
  CASE(RET_CONST32) {
    fp[0] = ip[1];
    goto ret;
  }
  CASE(JMP) {
    ip += (int32_t)ip[1];
    CHECK_INTERRUPT();
    NEXT;
  }
  CASE(JMP_IF) {
    if ((uint32_t)fp[ip[1]]) {
      ip += (int32_t)ip[2];
      CHECK_INTERRUPT();
    } else {
      ip += 3;
    }
    NEXT;
  }
  CASE(JMP_UNLESS) {
    if (!(uint32_t)fp[ip[1]])
      ip += (int32_t)ip[2];
    else
      ip += 3;
    NEXT;
  }
#define BR(NAME, PT, COND, INV)                                     \
  CASE(BR_##NAME) {                                                 \
    CT_##PT a = RD_##PT(fp[ip[1]]), b = RD_##PT(fp[ip[2]]);         \
    if (COND) {                                                     \
      ip += (int32_t)ip[3];                                         \
      CHECK_INTERRUPT();                                            \
    } else {                                                        \
      ip += 4;                                                      \
    }                                                               \
    NEXT;                                                           \
  }                                                                 \
  CASE(BR_##NAME##_I) {                                             \
    CT_##PT a = RD_##PT(fp[ip[1]]), b = RD_##PT(IMM_##PT(ip + 2));  \
    if (COND) {                                                     \
      ip += (int32_t)ip[2 + IMMW_##PT];                             \
      CHECK_INTERRUPT();                                            \
    } else {                                                        \
      ip += 3 + IMMW_##PT;                                          \
    }                                                               \
    NEXT;                                                           \
  }
#include "branch.def"
#undef BR
  CASE(JMP_TABLE) {
    uint32_t i = (uint32_t)fp[ip[1]], n = ip[2];
    if (i > n) i = n;
    ip += (int32_t)ip[3 + i];
    CHECK_INTERRUPT();
    NEXT;
  }
  CASE(CALL) {
    callee = funcs[ip[1]];
    newfp = fp + ip[2];
    retip = ip + 3;
    goto do_call;
  }
  CASE(CALL_K) {
    fp[ip[3]] = ip[4];
    callee = funcs[ip[1]];
    newfp = fp + ip[2];
    retip = ip + 5;
    goto do_call;
  }
  CASE(GLOBAL_GET_JMP_IF) {
    fp[ip[1]] = globals[ip[2]]->cell[0];
    if ((uint32_t)fp[ip[3]]) {
      ip += (int32_t)ip[4];
      CHECK_INTERRUPT();
    } else {
      ip += 5;
    }
    NEXT;
  }
  CASE(CALL_INDIRECT) {
    uint32_t i = (uint32_t)fp[ip[4]];
    isthmus_table *t = inst->tables[ip[2]];
    if (i >= t->size) TRAP(UNDEFINED_ELEMENT);
    callee = (isthmus_func *)(uintptr_t)t->elems[i];
    if (!callee) TRAP(UNINITIALIZED_ELEMENT);
    if (callee->type != inst->types[ip[1]]) TRAP(INDIRECT_TYPE);
    newfp = fp + ip[3];
    retip = ip + 5;
    goto do_call;
  }
  CASE(RET) {
  ret:;
    rt_frame *fr = &frames[--ft];
    ip = fr->ret_pc;
    fp = fr->ret_fp;
    if (fr->ret_inst) { /* set only when the call crossed instances */
      inst = fr->ret_inst;
      RELOAD_INSTANCE();
    } else {
      RELOAD_MEMORY();
    }
    NEXT;
  }
  CASE(EXIT) {
    if (CMN_LIKELY(num_results == 1))
      cells[0] = entry_fp[0];
    else
      for (uint32_t i = 0; i < num_results; i++) cells[i] = entry_fp[i];
    s->frame_top = base_frame;
    s->stack_top = saved_top;
    return NULL;
  }
  CASE(TRAP) {
    trap_code = (isthmus_trap_code)ip[1];
    goto trap;
  }
  CASE(SELECT) {
    fp[ip[1]] = (uint32_t)fp[ip[4]] ? fp[ip[2]] : fp[ip[3]];
    ip += 5;
    NEXT;
  }
  CASE(GLOBAL_GET) {
    fp[ip[1]] = globals[ip[2]]->cell[0];
    ip += 3;
    NEXT;
  }
  CASE(I32_ADD_GSET) {
    uint64_t r = (uint32_t)((uint32_t)fp[ip[2]] + ip[3]);
    fp[ip[1]] = r;
    globals[ip[4]]->cell[0] = r;
    ip += 5;
    NEXT;
  }
  CASE(GLOBAL_ADD_I) {
    uint64_t *cell = globals[ip[1]]->cell;
    *cell = (uint32_t)((uint32_t)*cell + ip[2]);
    ip += 3;
    NEXT;
  }
  CASE(GLOBAL_SET) {
    globals[ip[1]]->cell[0] = fp[ip[2]];
    ip += 3;
    NEXT;
  }
  CASE(TABLE_GET) {
    isthmus_table *t = inst->tables[ip[3]];
    uint32_t i = (uint32_t)fp[ip[2]];
    if (i >= t->size) TRAP(TABLE_OOB);
    fp[ip[1]] = t->elems[i];
    ip += 4;
    NEXT;
  }
  CASE(TABLE_SET) {
    isthmus_table *t = inst->tables[ip[1]];
    uint32_t i = (uint32_t)fp[ip[2]];
    if (i >= t->size) TRAP(TABLE_OOB);
    t->elems[i] = fp[ip[3]];
    ip += 4;
    NEXT;
  }
  CASE(TABLE_SIZE) {
    fp[ip[1]] = inst->tables[ip[2]]->size;
    ip += 3;
    NEXT;
  }
  CASE(TABLE_GROW) {
    int64_t r = rt_table_grow(inst->tables[ip[2]], (uint32_t)fp[ip[4]], fp[ip[3]]);
    fp[ip[1]] = (uint32_t)(int32_t)r;
    ip += 5;
    NEXT;
  }
  CASE(TABLE_FILL) {
    int c = exe_table_fill(inst->tables[ip[1]], (uint32_t)fp[ip[2]], fp[ip[3]], (uint32_t)fp[ip[4]]);
    if (c) {
      trap_code = (isthmus_trap_code)c;
      goto trap;
    }
    ip += 5;
    NEXT;
  }
  CASE(TABLE_COPY) {
    int c = exe_table_copy(inst, ip[1], ip[2], (uint32_t)fp[ip[3]], (uint32_t)fp[ip[4]], (uint32_t)fp[ip[5]]);
    if (c) {
      trap_code = (isthmus_trap_code)c;
      goto trap;
    }
    ip += 6;
    NEXT;
  }
  CASE(TABLE_INIT) {
    int c = exe_table_init(inst, ip[1], ip[2], (uint32_t)fp[ip[3]], (uint32_t)fp[ip[4]], (uint32_t)fp[ip[5]]);
    if (c) {
      trap_code = (isthmus_trap_code)c;
      goto trap;
    }
    ip += 6;
    NEXT;
  }
  CASE(ELEM_DROP) {
    inst->elems[ip[1]].count = 0;
    ip += 2;
    NEXT;
  }
  CASE(MEMORY_SIZE) {
    fp[ip[1]] = memsize / 65536;
    ip += 2;
    NEXT;
  }
  CASE(MEMORY_GROW) {
    int64_t r = rt_memory_grow(mem, (uint32_t)fp[ip[2]]);
    fp[ip[1]] = (uint32_t)(int32_t)r;
    RELOAD_MEMORY();
    ip += 3;
    NEXT;
  }
  CASE(MEMORY_INIT) {
    int c = exe_memory_init(inst, ip[1], (uint32_t)fp[ip[2]], (uint32_t)fp[ip[3]], (uint32_t)fp[ip[4]]);
    if (c) {
      trap_code = (isthmus_trap_code)c;
      goto trap;
    }
    ip += 5;
    NEXT;
  }
  CASE(DATA_DROP) {
    inst->datas[ip[1]].len = 0;
    ip += 2;
    NEXT;
  }
  CASE(MEMORY_COPY) {
    int c = exe_memory_copy(mem, (uint32_t)fp[ip[1]], (uint32_t)fp[ip[2]], (uint32_t)fp[ip[3]]);
    if (c) {
      trap_code = (isthmus_trap_code)c;
      goto trap;
    }
    ip += 4;
    NEXT;
  }
  CASE(MEMORY_FILL) {
    int c = exe_memory_fill(mem, (uint32_t)fp[ip[1]], (uint32_t)fp[ip[2]], (uint32_t)fp[ip[3]]);
    if (c) {
      trap_code = (isthmus_trap_code)c;
      goto trap;
    }
    ip += 4;
    NEXT;
  }
  CASE(REF_IS_NULL) {
    fp[ip[1]] = fp[ip[2]] == 0;
    ip += 3;
    NEXT;
  }
  CASE(REF_FUNC) {
    fp[ip[1]] = (uint64_t)(uintptr_t)funcs[ip[2]];
    ip += 3;
    NEXT;
  }
#ifdef ISTHMUS_SWITCH_DISPATCH
    default:
      TRAP(UNREACHABLE);
  }
#endif

do_call:
  /* callee, newfp and retip are set; ip is at the calling instruction */
  if (callee->host) {
    s->frame_top = ft;
    uint32_t n = callee->type->num_params > callee->type->num_results ? callee->type->num_params
                                                                       : callee->type->num_results;
    s->stack_top = newfp + n;
    isthmus_caller caller = {s, inst};
    isthmus_trap *t = callee->host(callee->env, &caller, newfp);
    s->stack_top = saved_top;
    if (t) {
      host_trap = t;
      goto trap;
    }
    for (uint32_t i = 0; i < callee->type->num_results; i++) /* zero-extended i32 (exec.h) */
      if (callee->type->results[i] == ISTHMUS_I32) newfp[i] = (uint32_t)newfp[i];
    RELOAD_MEMORY();
    membase = mem ? mem->base : NULL;
    ip = retip;
    NEXT;
  }
  {
    exe_code *cc = exe_code_of(callee);
    if (CMN_UNLIKELY(ft >= s->max_frames || newfp + cc->frame_cells > stack_end)) goto exhausted;
    rt_frame *fr = &frames[ft++];
    fr->ret_pc = retip;
    fr->ret_fp = fp;
    fr->ret_inst = NULL;
    fr->func = callee;
    fp = newfp;
    ZERO_LOCALS(fp, cc);
    ip = cc->words;
    if (callee->inst != inst) {
      fr->ret_inst = inst;
      inst = callee->inst;
      RELOAD_INSTANCE();
    }
    CHECK_INTERRUPT();
    NEXT;
  }

/* Blocks of their own, so that no check on the hot paths pays for setting trap_code. */
oob:
  host_trap = rt_trap(ISTHMUS_TRAP_MEMORY_OOB);
  goto trap;
exhausted:
  host_trap = rt_trap(ISTHMUS_TRAP_STACK_EXHAUSTED);
  goto trap;
interrupted:
  host_trap = rt_trap(ISTHMUS_TRAP_INTERRUPTED);
trap: {
  isthmus_trap *t = host_trap ? host_trap : rt_trap(trap_code);
  /* Where each frame is: the top one at ip, every other one inside the call instruction
   * that its callee's frame returns after (calls do not store their position). */
  const uint32_t *pc = ip;
  for (uint32_t i = ft; i > base_frame; i--) {
    rt_frame *fr = &frames[i - 1];
    fr->pc = pc;
    uint32_t off = 0;
    if (fr->func && fr->func->code && pc) {
      exe_code *fc = atomic_load(&fr->func->code->lowered);
      if (fc && pc >= fc->words && pc < fc->words + fc->len) off = exe_srcpos(fc, (uint32_t)(pc - fc->words));
    }
    rt_trap_add_frame(t, fr->func, off);
    pc = fr->ret_pc - 1;
  }
  s->frame_top = base_frame;
  s->stack_top = saved_top;
  return t;
}
}

static pthread_once_t handlers_once = PTHREAD_ONCE_INIT;
atomic_bool exe_handlers_ready;
static void init_handlers(void) {
  exe_run(NULL, NULL, NULL);
  exe_exit_code[0] = (uint32_t)exe_handler[EXE_EXIT];
  atomic_store_explicit(&exe_handlers_ready, true, memory_order_release);
}
void exe_init_handlers(void) {
  if (CMN_LIKELY(atomic_load_explicit(&exe_handlers_ready, memory_order_acquire))) return;
  pthread_once(&handlers_once, init_handlers);
}

bool rt_store_stacks(isthmus_store *s);

isthmus_trap *exe_invoke(isthmus_store *s, isthmus_func *f, uint64_t *cells) {
  if (f->host) {
    isthmus_caller caller = {s, NULL};
    return f->host(f->env, &caller, cells);
  }
  if (CMN_UNLIKELY(!s->stack) && !rt_store_stacks(s)) return rt_trap(ISTHMUS_TRAP_OOM);
  exe_init_handlers();
  if (s->frame_top == 0) atomic_store_explicit(&s->interrupt, 0, memory_order_relaxed);
  return exe_run(s, f, cells);
}
