/* aot_translate.c — validated module → C source text.
 *
 * Each wasm function becomes a C function with the wasm signature (i32/f32 as uint32_t,
 * i64/f64/references as uint64_t, floats kept as their bits so NaN payloads pass through
 * exactly as in the interpreter). The operand stack is unrolled into C variables named by
 * height and width (a<h> for 32-bit, b<h> for 64-bit values), which the C compiler turns
 * into registers; blocks become labels and gotos. Validation has proven the code well-typed,
 * so the translator tracks only the type at each height to pick the variable. Code after an
 * unconditional branch is skipped up to the matching `end`/`else`, as in lowering.
 *
 * Only functions reachable from the outside (exports, start, element segments, ref.func)
 * and, transitively, their direct callees are translated: Go modules hold thousands of
 * functions that no call path reaches. In subset mode (the tier-up of hot functions, see
 * aot_tierup.c) exactly the given functions are translated, and their direct calls to other
 * functions go through env->funcs like calls to imports, so they reach whatever tier the callee
 * runs on at the time. */
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>

#include "aot.h"
#include "instr.h"

/* ---------------------------------------------------------------- text buffers */

typedef struct sbuf {
  char *p;
  size_t len, cap;
} sbuf;

static void sb_grow(sbuf *b, size_t n) {
  if (b->len + n + 1 <= b->cap) return;
  size_t c = b->cap ? b->cap : 4096;
  while (c < b->len + n + 1) c *= 2;
  b->p = cmn_xrealloc(b->p, c);
  b->cap = c;
}
static void sb_put(sbuf *b, const char *s) {
  size_t n = strlen(s);
  sb_grow(b, n);
  memcpy(b->p + b->len, s, n + 1);
  b->len += n;
}
__attribute__((format(printf, 2, 3))) static void sb_f(sbuf *b, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  char tmp[256];
  int n = vsnprintf(tmp, sizeof tmp, fmt, ap);
  va_end(ap);
  if (n < (int)sizeof tmp) {
    sb_put(b, tmp);
    return;
  }
  sb_grow(b, (size_t)n);
  va_start(ap, fmt);
  vsnprintf(b->p + b->len, (size_t)n + 1, fmt, ap);
  va_end(ap);
  b->len += (size_t)n;
}

/* ---------------------------------------------------------------- the emitted header */

#define AOT_ABI_TEXT_(...) #__VA_ARGS__
#define AOT_ABI_TEXT(...) AOT_ABI_TEXT_(__VA_ARGS__)
static const char abi_text[] = AOT_ABI(AOT_ABI_TEXT);

/* numeric.def as data: the same statements the interpreter runs, emitted as inline functions. */
typedef struct numop {
  const char *name, *pt, *rt, *stmt;
  int bin;
  bool unary;
} numop;
static const numop numops[] = {
#define UN(E, PT, RT, STMT) {#E, #PT, #RT, #STMT, BIN_OP_##E, true},
#define BIN(E, PT, RT, STMT) {#E, #PT, #RT, #STMT, BIN_OP_##E, false},
#include "numeric.def"
#undef UN
#undef BIN
};

/* Helpers that numeric.def's statements call. These mirror exec.h's exe_* functions (same
 * names, same bodies): the conformance scripts run on both tiers and catch any drift. */
static const char prelude[] =
    "#define AOT_LIKELY(x) __builtin_expect(!!(x), 1)\n"
    "#define AOT_UNLIKELY(x) __builtin_expect(!!(x), 0)\n"
    "#define AOT_INL static inline __attribute__((always_inline, unused))\n"
    "#define AOT_FN __attribute__((visibility(\"hidden\")))\n"
    "__attribute__((noreturn, noinline, cold, unused)) static void aot_trap(aot_env *env, int c, uint32_t off) {\n"
    "  env->rt->trap(env, c, off);\n  __builtin_unreachable();\n}\n"
    /* `off` is in scope wherever TRAP is used: the wasm byte offset of the instruction */
    "#define TRAP(c) aot_trap(env, ISTHMUS_TRAP_##c, off)\n"
    "AOT_INL float f32_of(uint32_t b) { float f; memcpy(&f, &b, 4); return f; }\n"
    "AOT_INL uint32_t bits_of_f32(float f) { uint32_t b; memcpy(&b, &f, 4); return b; }\n"
    "AOT_INL double f64_of(uint64_t b) { double f; memcpy(&f, &b, 8); return f; }\n"
    "AOT_INL uint64_t bits_of_f64(double f) { uint64_t b; memcpy(&b, &f, 8); return b; }\n"
    "#define CT_I32 uint32_t\n#define CT_I64 uint64_t\n#define CT_F32 float\n#define CT_F64 double\n"
    "#define AT_I32 uint32_t\n#define AT_I64 uint64_t\n#define AT_F32 uint32_t\n#define AT_F64 uint64_t\n"
    "#define RD_I32(x) ((uint32_t)(x))\n#define RD_I64(x) ((uint64_t)(x))\n"
    "#define RD_F32(x) f32_of((uint32_t)(x))\n#define RD_F64(x) f64_of((uint64_t)(x))\n"
    "#define WR_I32(v) ((uint32_t)(v))\n#define WR_I64(v) ((uint64_t)(v))\n"
    "#define WR_F32(v) bits_of_f32(v)\n#define WR_F64(v) bits_of_f64(v)\n"
    "AOT_INL float exe_u64_to_f32(uint64_t x) {\n"
    "  if (x < (1ull << 53)) return (float)(double)x;\n"
    "  int n = 64 - __builtin_clzll(x); int drop = n - 26; uint64_t y = x >> drop;\n"
    "  if (x & ((1ull << drop) - 1)) y |= 1;\n"
    "  return (float)((double)y * (double)(1ull << drop));\n}\n"
    "AOT_INL float exe_i64_to_f32(int64_t x) {\n"
    "  if (x >= 0) return exe_u64_to_f32((uint64_t)x);\n"
    "  float f = exe_u64_to_f32(0 - (uint64_t)x); return -f;\n}\n"
    "AOT_INL float exe_fminf(float a, float b) { if (a != a || b != b) return a + b;"
    " if (a == b) return __builtin_signbit(a) ? a : b; return a < b ? a : b; }\n"
    "AOT_INL float exe_fmaxf(float a, float b) { if (a != a || b != b) return a + b;"
    " if (a == b) return __builtin_signbit(a) ? b : a; return a > b ? a : b; }\n"
    "AOT_INL double exe_fmin(double a, double b) { if (a != a || b != b) return a + b;"
    " if (a == b) return __builtin_signbit(a) ? a : b; return a < b ? a : b; }\n"
    "AOT_INL double exe_fmax(double a, double b) { if (a != a || b != b) return a + b;"
    " if (a == b) return __builtin_signbit(a) ? b : a; return a > b ? a : b; }\n"
    /* memory access: `mb`/`ms` are the function's cached base and size */
    "#define AOT_LD(T, addr, mo, at) ({ uint64_t ea_ = (uint64_t)(addr) + (uint64_t)(mo);"
    " if (AOT_UNLIKELY(ea_ + sizeof(T) > ms)) aot_trap(env, ISTHMUS_TRAP_MEMORY_OOB, at);"
    " T v_; memcpy(&v_, mb + ea_, sizeof v_); v_; })\n"
    "#define AOT_ST(T, addr, mo, at, val) do { uint64_t ea_ = (uint64_t)(addr) + (uint64_t)(mo);"
    " if (AOT_UNLIKELY(ea_ + sizeof(T) > ms)) aot_trap(env, ISTHMUS_TRAP_MEMORY_OOB, at);"
    " T v_ = (T)(val); memcpy(mb + ea_, &v_, sizeof v_); } while (0)\n"
    /* the stack pointer without forcing a frame pointer (__builtin_frame_address would) */
    "#if defined(__x86_64__)\n"
    "#define AOT_SP() ({ char *sp_; __asm__(\"mov %%rsp, %0\" : \"=r\"(sp_)); sp_; })\n"
    "#elif defined(__aarch64__)\n"
    "#define AOT_SP() ({ char *sp_; __asm__(\"mov %0, sp\" : \"=r\"(sp_)); sp_; })\n"
    "#else\n"
    "#define AOT_SP() ((char *)__builtin_frame_address(0))\n"
    "#endif\n"
    /* function entry: native stack and depth limits, the shadow frame, the interrupt poll */
    "#define AOT_ENTER(IDX) AOT_ENTER_NOPOLL(IDX); AOT_POLL(0)\n"
    "#define AOT_ENTER_NOPOLL(IDX) aot_thread *th = env->th; uint32_t dep_ = th->depth;"
    " volatile int *intr = env->interrupt; (void)intr;"
    " if (AOT_UNLIKELY(dep_ >= th->max_depth || AOT_SP() < th->stack_limit))"
    " aot_trap(env, ISTHMUS_TRAP_STACK_EXHAUSTED, 0);"
    " th->shadow[dep_] = env->funcs[IDX]; th->depth = dep_ + 1\n"
    "#define AOT_LEAVE() th->depth = dep_\n"
    /* a leaf (no calls) with a small frame: no depth or native stack check (its caller's
     * check leaves room for it), no interrupt poll at entry (it cannot recurse; its loops
     * poll) and no shadow frame (every trap in it carries a byte offset, which names it) */
    "#define AOT_ENTER_LEAF() volatile int *intr = env->interrupt; (void)intr\n"
    "#define AOT_POLL(at) if (AOT_UNLIKELY(*intr)) aot_trap(env, ISTHMUS_TRAP_INTERRUPTED, at)\n"
    /* calls through an isthmus_func*: typed when the callee is compiled code, cells otherwise */
    "#define AOT_FTYPE(f) (*(const void *const *)((const char *)(f) + AOT_OFF_TYPE))\n"
    "#define AOT_FHOST(f) (*(void *const *)((const char *)(f) + AOT_OFF_HOST))\n"
    "#define AOT_FREF(f) (*(aot_fref *const *)((const char *)(f) + AOT_OFF_ENV))\n"
    "AOT_INL void *aot_table_func(aot_env *env, uint32_t off, uint32_t t, uint32_t i, uint32_t ty) {\n"
    "  aot_table *tb = env->tables[t];\n"
    "  if (AOT_UNLIKELY(i >= tb->size)) TRAP(UNDEFINED_ELEMENT);\n"
    "  void *f = (void *)(uintptr_t)tb->elems[i];\n"
    "  if (AOT_UNLIKELY(!f)) TRAP(UNINITIALIZED_ELEMENT);\n"
    "  if (AOT_UNLIKELY(AOT_FTYPE(f) != env->types[ty])) TRAP(INDIRECT_TYPE);\n"
    "  return f;\n}\n";

static const struct {
  const char *name;
  int code;
} trap_codes[] = {
    {"UNREACHABLE", ISTHMUS_TRAP_UNREACHABLE},
    {"MEMORY_OOB", ISTHMUS_TRAP_MEMORY_OOB},
    {"TABLE_OOB", ISTHMUS_TRAP_TABLE_OOB},
    {"UNDEFINED_ELEMENT", ISTHMUS_TRAP_UNDEFINED_ELEMENT},
    {"UNINITIALIZED_ELEMENT", ISTHMUS_TRAP_UNINITIALIZED_ELEMENT},
    {"INDIRECT_TYPE", ISTHMUS_TRAP_INDIRECT_TYPE},
    {"DIV_ZERO", ISTHMUS_TRAP_DIV_ZERO},
    {"INT_OVERFLOW", ISTHMUS_TRAP_INT_OVERFLOW},
    {"INVALID_CONVERSION", ISTHMUS_TRAP_INVALID_CONVERSION},
    {"STACK_EXHAUSTED", ISTHMUS_TRAP_STACK_EXHAUSTED},
    {"INTERRUPTED", ISTHMUS_TRAP_INTERRUPTED},
};

static bool wide(uint8_t t) { return t != ISTHMUS_I32 && t != ISTHMUS_F32; }
static const char *ctype(uint8_t t) { return wide(t) ? "uint64_t" : "uint32_t"; }
static char vcls(uint8_t t) { return wide(t) ? 'b' : 'a'; }

/* "RT f<i>(aot_env *env, T l0, ...)": the typed C signature of function i. */
static void signature(sbuf *b, const isthmus_functype *t, const char *name, uint32_t i) {
  sb_f(b, "%s %s%u(aot_env *env", t->num_results == 1 ? ctype(t->results[0]) : "void", name, i);
  for (uint32_t k = 0; k < t->num_params; k++) sb_f(b, ", %s l%u", ctype(t->params[k]), k);
  if (t->num_results > 1) sb_put(b, ", uint64_t *res");
  sb_put(b, ")");
}

/* The C function pointer type of a wasm function type, for calls through a pointer. */
static void fnptr_type(sbuf *b, const isthmus_functype *t) {
  sb_f(b, "(%s (*)(aot_env *", t->num_results == 1 ? ctype(t->results[0]) : "void");
  for (uint32_t k = 0; k < t->num_params; k++) sb_f(b, ", %s", ctype(t->params[k]));
  if (t->num_results > 1) sb_put(b, ", uint64_t *");
  sb_put(b, "))");
}

/* ---------------------------------------------------------------- per-function state */

enum { C_BLOCK, C_LOOP, C_IF, C_ELSE };

typedef struct ctl {
  uint8_t kind;
  uint32_t height; /* stack height below the block's params */
  uint32_t np, nr;
  int64_t bt;
  uint32_t id;     /* label number */
} ctl;

typedef struct fx {
  const isthmus_module *m;
  const uint8_t *reach; /* functions that are translated */
  const uint8_t *only;  /* subset mode: the functions translated; calls to others are dynamic */
  uint8_t *want;        /* out: callees found (to translate next) */
  sbuf *o;
  bin_reader r;
  const isthmus_functype *ft;
  uint32_t nlocals;
  isthmus_valtype *ltypes;
  CMN_VEC(uint8_t) st; /* value type at each height */
  CMN_VEC(ctl) cs;
  bin_u32vec labels;
  uint32_t max_a, max_b; /* variables needed */
  bool calls;            /* the function calls (directly, indirectly or an import) */
  const uint8_t *cflags; /* per function: AOT_SMALL_LEAF, AOT_DYNAMIC_CALL, AOT_ON_CYCLE */
  /* while a small leaf is inlined: its locals are named i<inl>l<n>, its returns store to
   * heights inl_base.. and jump to I<inl>; inl_gvalid gathers the globals cached on all
   * of them (see gvalid) */
  uint32_t inl, inl_base;
  char lpre[16]; /* prefix of local names: "" or "i<inl>" */
  uint32_t cs_floor; /* F->cs entries below this belong to the caller of an inlined leaf */
  uint8_t *inl_gvalid;
  uint32_t next_id;
  uint8_t *gused;
  /* global g's value is in the C local v<g> (read since the last label or call): global.get
   * uses it instead of reloading the cell, which every memory store would force (C cannot
   * tell that guest memory and global cells never overlap). global.set writes through. */
  uint8_t *gvalid;
  bool has_mem;
  bool dead;
  uint32_t dead_depth;
} fx;

static uint32_t H(fx *F) { return (uint32_t)F->st.len; }
/* Before a label (paths join there) and after a call (the callee may set globals). */
static void forget_globals(fx *F) { memset(F->gvalid, 0, F->m->num_globals + 1); }
static void push(fx *F, uint8_t t) {
  cmn_vec_push(F->st, t);
  uint32_t h = H(F);
  if (wide(t)) {
    if (h > F->max_b) F->max_b = h;
  } else if (h > F->max_a) {
    F->max_a = h;
  }
}
/* Name of the variable holding the value at height i (0-based). */
static void V(fx *F, uint32_t i, char *buf) { snprintf(buf, 16, "%c%u", vcls(F->st.items[i]), i); }

static void block_sig(fx *F, int64_t bt, uint32_t *np, uint32_t *nr) {
  if (bt == -64) {
    *np = *nr = 0;
  } else if (bt < 0) {
    *np = 0;
    *nr = 1;
  } else {
    *np = F->m->types[bt].num_params;
    *nr = F->m->types[bt].num_results;
  }
}
static uint8_t block_result(fx *F, int64_t bt, uint32_t k) {
  if (bt < 0) return (uint8_t)(bt & 0x7F);
  return F->m->types[bt].results[k];
}

static uint32_t arity(const ctl *c) { return c->kind == C_LOOP ? c->np : c->nr; }

/* Copies the top n values down to heights base.. (ascending: never clobbers a pending source). */
static void move_values(fx *F, uint32_t base, uint32_t n) {
  uint32_t h = H(F);
  for (uint32_t k = 0; k < n; k++) {
    if (h - n + k == base + k) continue;
    char d[16], s[16];
    snprintf(d, sizeof d, "%c%u", vcls(F->st.items[h - n + k]), base + k);
    V(F, h - n + k, s);
    sb_f(F->o, "%s = %s; ", d, s);
  }
}

static void emit_return(fx *F) {
  uint32_t n = F->ft->num_results, h = H(F);
  char s[16];
  if (F->inl) {
    move_values(F, F->inl_base, n);
    sb_f(F->o, "goto I%u;", F->inl);
    for (uint32_t g = 0; g < F->m->num_globals; g++) F->inl_gvalid[g] &= F->gvalid[g];
    return;
  }
  if (n == 1) {
    V(F, h - 1, s);
    sb_f(F->o, "ret = %s; ", s);
  } else {
    for (uint32_t k = 0; k < n; k++) {
      V(F, h - n + k, s);
      sb_f(F->o, "res[%u] = %s; ", k, s);
    }
  }
  sb_put(F->o, "goto Lret;");
}

/* The jump for `br rel`, as one statement (braced when it needs moves). */
static void emit_br(fx *F, uint32_t rel) {
  uint32_t depth = (uint32_t)F->cs.len - 1 - rel;
  sb_put(F->o, "{ ");
  if (depth == F->cs_floor) {
    emit_return(F);
  } else {
    ctl *c = &F->cs.items[depth];
    move_values(F, c->height, arity(c));
    sb_f(F->o, "goto L%u;", c->id);
  }
  sb_put(F->o, " }");
}

/* ---------------------------------------------------------------- calls */

/* Emits a call to function value `fexpr` (an isthmus_func* expression) or, when direct >= 0,
 * to the translated function f<direct>. Arguments are the top values; results replace them. */
static void emit_call(fx *F, const isthmus_functype *t, int64_t direct, const char *fexpr) {
  uint32_t np = t->num_params, nr = t->num_results, h = H(F), base = h - np;
  char s[16];
  sbuf *o = F->o;
  F->calls = true;
  sb_put(o, "{ ");
  if (nr > 1) sb_f(o, "uint64_t rr[%u]; ", nr);
  if (direct >= 0) {
    if (nr == 1) sb_f(o, "%c%u = ", vcls(t->results[0]), base);
    sb_f(o, "f%u(env", (uint32_t)direct);
    for (uint32_t k = 0; k < np; k++) {
      V(F, base + k, s);
      sb_f(o, ", %s", s);
    }
    sb_put(o, nr > 1 ? ", rr); " : "); ");
  } else {
    uint32_t nc = np > nr ? np : nr;
    sb_f(o, "void *cf = %s; ", fexpr);
    sb_put(o, "if (AOT_FHOST(cf) == env->rt->entry) { aot_fref *fr = AOT_FREF(cf); ");
    if (nr == 1) sb_f(o, "%c%u = ", vcls(t->results[0]), base);
    sb_put(o, "(");
    fnptr_type(o, t);
    sb_put(o, "fr->typed)(fr->env");
    for (uint32_t k = 0; k < np; k++) {
      V(F, base + k, s);
      sb_f(o, ", %s", s);
    }
    sb_put(o, nr > 1 ? ", rr); } else { " : "); } else { ");
    sb_f(o, "uint64_t cc[%u]; ", nc ? nc : 1);
    for (uint32_t k = 0; k < np; k++) {
      V(F, base + k, s);
      sb_f(o, "cc[%u] = %s; ", k, s);
    }
    sb_put(o, "env->rt->call(env, cf, cc); ");
    if (nr == 1) sb_f(o, "%c%u = (%s)cc[0]; ", vcls(t->results[0]), base, ctype(t->results[0]));
    if (nr > 1)
      for (uint32_t k = 0; k < nr; k++) sb_f(o, "rr[%u] = cc[%u]; ", k, k);
    sb_put(o, "} ");
  }
  F->st.len = base;
  for (uint32_t k = 0; k < nr; k++) push(F, t->results[k]);
  if (nr > 1)
    for (uint32_t k = 0; k < nr; k++)
      sb_f(o, "%c%u = (%s)rr[%u]; ", vcls(t->results[k]), base + k, ctype(t->results[k]), k);
  if (F->has_mem) sb_put(o, "ms = *env->mem_size; ");
  sb_put(o, "}\n");
  forget_globals(F);
}

/* ---------------------------------------------------------------- loads and stores */

static const struct {
  int op;
  const char *ct, *conv;
} loads[] = {
    {BIN_OP_I32_LOAD, "uint32_t", "uint32_t"},    {BIN_OP_I64_LOAD, "uint64_t", "uint64_t"},
    {BIN_OP_F32_LOAD, "uint32_t", "uint32_t"},    {BIN_OP_F64_LOAD, "uint64_t", "uint64_t"},
    {BIN_OP_I32_LOAD8_S, "int8_t", "uint32_t"},   {BIN_OP_I32_LOAD8_U, "uint8_t", "uint32_t"},
    {BIN_OP_I32_LOAD16_S, "int16_t", "uint32_t"}, {BIN_OP_I32_LOAD16_U, "uint16_t", "uint32_t"},
    {BIN_OP_I64_LOAD8_S, "int8_t", "int64_t"},    {BIN_OP_I64_LOAD8_U, "uint8_t", "uint64_t"},
    {BIN_OP_I64_LOAD16_S, "int16_t", "int64_t"},  {BIN_OP_I64_LOAD16_U, "uint16_t", "uint64_t"},
    {BIN_OP_I64_LOAD32_S, "int32_t", "int64_t"},  {BIN_OP_I64_LOAD32_U, "uint32_t", "uint64_t"},
};
static const struct {
  int op;
  const char *ct;
} stores[] = {
    {BIN_OP_I32_STORE, "uint32_t"}, {BIN_OP_I64_STORE, "uint64_t"},  {BIN_OP_F32_STORE, "uint32_t"},
    {BIN_OP_F64_STORE, "uint64_t"}, {BIN_OP_I32_STORE8, "uint8_t"},  {BIN_OP_I32_STORE16, "uint16_t"},
    {BIN_OP_I64_STORE8, "uint8_t"}, {BIN_OP_I64_STORE16, "uint16_t"}, {BIN_OP_I64_STORE32, "uint32_t"},
};

static int numop_of[BIN_OP_COUNT_]; /* index+1 into numops, 0 when none */

static void fill_tables(void) {
  for (size_t i = 0; i < CMN_ARRAY_LEN(numops); i++) numop_of[numops[i].bin] = (int)i + 1;
}
/* Once per process: the tier-up worker translates while other threads may too. */
static void init_tables(void) {
  static pthread_once_t once = PTHREAD_ONCE_INIT;
  pthread_once(&once, fill_tables);
}

/* ---------------------------------------------------------------- one function */

static void translate_body(fx *F);
static sbuf assemble(fx *F, uint32_t index, sbuf *body);

/* Points F at fn's code: its type, its locals' types (parameters first) and a reader. */
static void begin_body(fx *F, const bin_func *fn) {
  const isthmus_module *m = F->m;
  F->ft = &m->types[fn->type];
  F->nlocals = F->ft->num_params + fn->num_locals;
  F->ltypes = cmn_xmalloc(F->nlocals + 1);
  if (F->ft->num_params) memcpy(F->ltypes, F->ft->params, F->ft->num_params);
  if (fn->num_locals) memcpy(F->ltypes + F->ft->num_params, fn->local_types, fn->num_locals);
  F->r = (bin_reader){m->bytes, m->bytes + fn->code_off, m->bytes + fn->code_end, NULL, 0};
  F->dead = false;
  F->dead_depth = 0;
}

/* Copies small leaf j's body in place of a direct call to it (see aot_call_flags): its
 * parameters become block-scoped locals, its returns jump to the end of the copy. Traps in
 * the copy carry j's byte offsets, which name j in backtraces (the caller keeps its shadow
 * frame: a function that inlines is never compiled as a leaf itself). */
static void inline_leaf(fx *F, uint32_t j) {
  const isthmus_module *m = F->m;
  const bin_func *fn = &m->funcs[j];
  const isthmus_functype *t = &m->types[fn->type];
  const uint32_t np = t->num_params, base = H(F) - np;
  const isthmus_functype *ft = F->ft;
  const uint32_t nlocals = F->nlocals, dead_depth = F->dead_depth, floor = F->cs_floor;
  isthmus_valtype *ltypes = F->ltypes;
  const bin_reader r = F->r;
  sbuf *o = F->o;
  const uint32_t id = F->next_id++;
  F->inl = id;
  F->inl_base = base;
  snprintf(F->lpre, sizeof F->lpre, "i%u", id);
  memset(F->inl_gvalid, 1, m->num_globals + 1);
  begin_body(F, fn);
  sb_put(o, "{ ");
  char s[16];
  for (uint32_t k = 0; k < F->nlocals; k++) {
    if (k < np) V(F, base + k, s);
    sb_f(o, "%s %sl%u = %s; ", ctype(F->ltypes[k]), F->lpre, k, k < np ? s : "0");
  }
  sb_put(o, "\n");
  F->st.len = base;
  F->cs_floor = (uint32_t)F->cs.len;
  ctl topc = {C_BLOCK, base, 0, t->num_results, 0, 0};
  cmn_vec_push(F->cs, topc);
  translate_body(F);
  sb_f(o, "I%u:; }\n", id);
  memcpy(F->gvalid, F->inl_gvalid, m->num_globals + 1); /* cached on every return path */
  free(F->ltypes);
  F->ft = ft;
  F->nlocals = nlocals;
  F->ltypes = ltypes;
  F->r = r;
  F->dead = false;
  F->dead_depth = dead_depth;
  F->cs_floor = floor;
  F->inl = 0;
  F->lpre[0] = 0;
  F->st.len = base;
  for (uint32_t k = 0; k < t->num_results; k++) push(F, t->results[k]);
  F->calls = true;
}

static sbuf translate_func(fx *F, uint32_t index) {
  const isthmus_module *m = F->m;
  const bin_func *fn = &m->funcs[index];
  sbuf body = {0};
  sbuf *o = &body;
  F->o = o;
  begin_body(F, fn);
  F->st.len = F->cs.len = 0;
  F->max_a = F->max_b = 0;
  F->calls = false;
  F->next_id = 1;
  memset(F->gused, 0, m->num_globals + 1);
  forget_globals(F);
  F->inl = 0;
  F->lpre[0] = 0;
  F->cs_floor = 0;
  ctl topc = {C_BLOCK, 0, 0, F->ft->num_results, 0, 0};
  cmn_vec_push(F->cs, topc);
  translate_body(F);
  return assemble(F, index, &body);
}

/* Translates instructions from F->r until the outermost block on F->cs closes. */
static void translate_body(fx *F) {
  const isthmus_module *m = F->m;
  sbuf *o = F->o;
  bin_reader *r = &F->r;
  char s1[16], s2[16], s3[16];

  while (F->cs.len > F->cs_floor && !r->err) {
    uint32_t at = (uint32_t)bin_off(r); /* this instruction's offset, for trap reports */
    bin_instr in;
    if (!bin_read_instr(r, &F->labels, &in)) break; /* cannot happen after validation */
    const int op = in.op;
    const bin_opinfo *info = &bin_opinfo_table[op];
    const int64_t bt = in.bt;
    const uint32_t i1 = in.i1, i2 = in.i2;
    const uint64_t c64 = in.c64;
    if (F->dead) {
      if (op == BIN_OP_END) {
        if (F->dead_depth) {
          F->dead_depth--;
          continue;
        }
      } else if (op == BIN_OP_ELSE) {
        if (F->dead_depth) continue;
      } else {
        if (op == BIN_OP_BLOCK || op == BIN_OP_LOOP || op == BIN_OP_IF) F->dead_depth++;
        continue;
      }
    }
    uint32_t h = H(F);
    int nx = numop_of[op];
    if (nx) {
      const numop *n = &numops[nx - 1];
      if (n->unary) {
        V(F, h - 1, s1);
        F->st.len--;
        push(F, info->result);
        V(F, h - 1, s2);
        sb_f(o, "%s = aot_%s(env, %uu, %s);\n", s2, n->name, at, s1);
      } else {
        V(F, h - 2, s1);
        V(F, h - 1, s2);
        F->st.len -= 2;
        push(F, info->result);
        V(F, h - 2, s3);
        sb_f(o, "%s = aot_%s(env, %uu, %s, %s);\n", s3, n->name, at, s1, s2);
      }
      continue;
    }
    switch (op) {
      case BIN_OP_UNREACHABLE:
        sb_f(o, "aot_trap(env, ISTHMUS_TRAP_UNREACHABLE, %uu);\n", at);
        F->dead = true;
        break;
      case BIN_OP_NOP: break;
      case BIN_OP_BLOCK: case BIN_OP_LOOP: case BIN_OP_IF: {
        uint32_t np, nr;
        if (op == BIN_OP_IF) {
          V(F, h - 1, s1);
          F->st.len--;
          h--;
        }
        block_sig(F, bt, &np, &nr);
        ctl c = {op == BIN_OP_BLOCK ? C_BLOCK : op == BIN_OP_LOOP ? C_LOOP : C_IF, h - np, np, nr, bt, F->next_id++};
        if (op == BIN_OP_LOOP) {
          forget_globals(F);
          sb_f(o, "L%u: AOT_POLL(%uu);\n", c.id, at);
        }
        /* the jump to the else arm skips the then arm, so the params are still intact there */
        if (op == BIN_OP_IF) sb_f(o, "if (!%s) goto E%u;\n", s1, c.id);
        cmn_vec_push(F->cs, c);
        break;
      }
      case BIN_OP_ELSE: {
        ctl *c = &F->cs.items[F->cs.len - 1];
        if (!F->dead) sb_f(o, "goto L%u;\n", c->id);
        forget_globals(F);
        sb_f(o, "E%u:;\n", c->id);
        c->kind = C_ELSE;
        F->dead = false;
        F->st.len = c->height;
        for (uint32_t k = 0; k < c->np; k++) push(F, F->m->types[c->bt].params[k]);
        break;
      }
      case BIN_OP_END: {
        uint32_t depth = (uint32_t)F->cs.len - 1;
        ctl c = F->cs.items[depth];
        if (depth == F->cs_floor) {
          if (!F->dead) emit_return(F);
          sb_put(o, "\n");
          F->cs.len--;
          break;
        }
        forget_globals(F);
        if (c.kind == C_IF) sb_f(o, "E%u:;\n", c.id);
        if (c.kind != C_LOOP) sb_f(o, "L%u:;\n", c.id);
        F->cs.len--;
        F->st.len = c.height;
        for (uint32_t k = 0; k < c.nr; k++) push(F, block_result(F, c.bt, k));
        F->dead = false;
        break;
      }
      case BIN_OP_BR:
        emit_br(F, i1);
        sb_put(o, "\n");
        F->dead = true;
        break;
      case BIN_OP_BR_IF:
        V(F, h - 1, s1);
        F->st.len--;
        sb_f(o, "if (%s) ", s1);
        emit_br(F, i1);
        sb_put(o, "\n");
        break;
      case BIN_OP_BR_TABLE: {
        V(F, h - 1, s1);
        F->st.len--;
        uint32_t n = (uint32_t)F->labels.len - 1;
        sb_f(o, "switch (%s) {\n", s1);
        for (uint32_t k = 0; k < n; k++) {
          sb_f(o, "case %u: ", k);
          emit_br(F, F->labels.items[k]);
          sb_put(o, "\n");
        }
        sb_put(o, "default: ");
        emit_br(F, F->labels.items[n]);
        sb_put(o, "\n}\n");
        F->dead = true;
        break;
      }
      case BIN_OP_RETURN:
        sb_put(o, "{ ");
        emit_return(F);
        sb_put(o, " }\n");
        F->dead = true;
        break;
      case BIN_OP_CALL: {
        const isthmus_functype *t = bin_func_type(m, i1);
        if ((F->cflags[i1] & AOT_SMALL_LEAF) && !F->inl) {
          /* not marked wanted: every direct call to it is copied, and the other ways in
           * (exports, tables, ref.func) make it a root */
          inline_leaf(F, i1);
        } else if (i1 >= m->num_func_imports && (!F->only || F->only[i1])) {
          F->want[i1] = 1;
          emit_call(F, t, i1, NULL);
        } else {
          char e[48];
          snprintf(e, sizeof e, "env->funcs[%u]", i1);
          emit_call(F, t, -1, e);
        }
        break;
      }
      case BIN_OP_CALL_INDIRECT: {
        const isthmus_functype *t = &m->types[i1];
        V(F, h - 1, s1);
        F->st.len--;
        char e[96];
        snprintf(e, sizeof e, "aot_table_func(env, %uu, %u, %s, %u)", at, i2, s1, i1);
        emit_call(F, t, -1, e);
        break;
      }
      case BIN_OP_DROP: F->st.len--; break;
      case BIN_OP_SELECT: case BIN_OP_SELECT_T:
        V(F, h - 1, s1);
        V(F, h - 2, s2);
        V(F, h - 3, s3);
        sb_f(o, "%s = %s ? %s : %s;\n", s3, s1, s3, s2);
        F->st.len -= 2;
        break;
      case BIN_OP_LOCAL_GET:
        push(F, F->ltypes[i1]);
        V(F, h, s1);
        sb_f(o, "%s = %sl%u;\n", s1, F->lpre, i1);
        break;
      case BIN_OP_LOCAL_SET: case BIN_OP_LOCAL_TEE:
        V(F, h - 1, s1);
        sb_f(o, "%sl%u = %s;\n", F->lpre, i1, s1);
        if (op == BIN_OP_LOCAL_SET) F->st.len--;
        break;
      case BIN_OP_GLOBAL_GET: {
        uint8_t t = m->globals[i1].type.type;
        F->gused[i1] = 1;
        push(F, t);
        V(F, h, s1);
        if (!F->gvalid[i1]) sb_f(o, "v%u = *g%u; ", i1, i1);
        F->gvalid[i1] = 1;
        sb_f(o, "%s = (%s)v%u;\n", s1, ctype(t), i1);
        break;
      }
      case BIN_OP_GLOBAL_SET:
        F->gused[i1] = 1;
        V(F, h - 1, s1);
        sb_f(o, "*g%u = v%u = %s;\n", i1, i1, s1);
        F->gvalid[i1] = 1;
        F->st.len--;
        break;
      case BIN_OP_TABLE_GET:
        V(F, h - 1, s1);
        F->st.len--;
        push(F, m->tables[i1].elem);
        V(F, h - 1, s2);
        sb_f(o, "{ aot_table *tb = env->tables[%u]; if (AOT_UNLIKELY(%s >= tb->size)) aot_trap(env, ISTHMUS_TRAP_TABLE_OOB, %uu); %s = tb->elems[%s]; }\n",
             i1, s1, at, s2, s1);
        break;
      case BIN_OP_TABLE_SET:
        V(F, h - 2, s1);
        V(F, h - 1, s2);
        F->st.len -= 2;
        sb_f(o, "{ aot_table *tb = env->tables[%u]; if (AOT_UNLIKELY(%s >= tb->size)) aot_trap(env, ISTHMUS_TRAP_TABLE_OOB, %uu); tb->elems[%s] = %s; }\n",
             i1, s1, at, s1, s2);
        break;
      case BIN_OP_TABLE_SIZE:
        push(F, ISTHMUS_I32);
        V(F, h, s1);
        sb_f(o, "%s = env->tables[%u]->size;\n", s1, i1);
        break;
      case BIN_OP_TABLE_GROW:
        V(F, h - 2, s1);
        V(F, h - 1, s2);
        F->st.len -= 2;
        push(F, ISTHMUS_I32);
        V(F, h - 2, s3);
        sb_f(o, "%s = env->rt->table_grow(env, %u, %s, %s);\n", s3, i1, s1, s2);
        break;
      case BIN_OP_TABLE_FILL:
        V(F, h - 3, s1);
        V(F, h - 2, s2);
        V(F, h - 1, s3);
        F->st.len -= 3;
        sb_f(o, "env->rt->table_fill(env, %u, %s, %s, %s);\n", i1, s1, s2, s3);
        break;
      case BIN_OP_TABLE_COPY: case BIN_OP_TABLE_INIT:
        V(F, h - 3, s1);
        V(F, h - 2, s2);
        V(F, h - 1, s3);
        F->st.len -= 3;
        if (op == BIN_OP_TABLE_COPY)
          sb_f(o, "env->rt->table_copy(env, %u, %u, %s, %s, %s);\n", i1, i2, s1, s2, s3);
        else /* immediates: elem index, table index */
          sb_f(o, "env->rt->table_init(env, %u, %u, %s, %s, %s);\n", i2, i1, s1, s2, s3);
        break;
      case BIN_OP_ELEM_DROP: sb_f(o, "env->rt->elem_drop(env, %u);\n", i1); break;
      case BIN_OP_DATA_DROP: sb_f(o, "env->rt->data_drop(env, %u);\n", i1); break;
      case BIN_OP_MEMORY_INIT: case BIN_OP_MEMORY_COPY: case BIN_OP_MEMORY_FILL:
        V(F, h - 3, s1);
        V(F, h - 2, s2);
        V(F, h - 1, s3);
        F->st.len -= 3;
        if (op == BIN_OP_MEMORY_INIT)
          sb_f(o, "env->rt->memory_init(env, %u, %s, %s, %s);\n", i1, s1, s2, s3);
        else
          sb_f(o, "env->rt->memory_%s(env, %s, %s, %s);\n", op == BIN_OP_MEMORY_COPY ? "copy" : "fill", s1, s2, s3);
        break;
      case BIN_OP_MEMORY_SIZE:
        push(F, ISTHMUS_I32);
        V(F, h, s1);
        sb_f(o, "%s = (uint32_t)(ms / 65536);\n", s1);
        break;
      case BIN_OP_MEMORY_GROW:
        V(F, h - 1, s1);
        sb_f(o, "%s = env->rt->memory_grow(env, %s); ms = *env->mem_size;\n", s1, s1);
        break;
      case BIN_OP_I32_CONST: case BIN_OP_F32_CONST:
        push(F, info->result);
        V(F, h, s1);
        sb_f(o, "%s = 0x%" PRIx32 "u;\n", s1, (uint32_t)c64);
        break;
      case BIN_OP_I64_CONST: case BIN_OP_F64_CONST:
        push(F, info->result);
        V(F, h, s1);
        sb_f(o, "%s = 0x%" PRIx64 "ull;\n", s1, c64);
        break;
      case BIN_OP_REF_NULL:
        push(F, (uint8_t)i1);
        V(F, h, s1);
        sb_f(o, "%s = 0;\n", s1);
        break;
      case BIN_OP_REF_IS_NULL:
        V(F, h - 1, s1);
        F->st.len--;
        push(F, ISTHMUS_I32);
        V(F, h - 1, s2);
        sb_f(o, "%s = %s == 0;\n", s2, s1);
        break;
      case BIN_OP_REF_FUNC:
        push(F, ISTHMUS_FUNCREF);
        V(F, h, s1);
        sb_f(o, "%s = (uint64_t)(uintptr_t)env->funcs[%u];\n", s1, i1);
        break;
      default: {
        bool done = false;
        for (size_t k = 0; k < CMN_ARRAY_LEN(loads) && !done; k++) {
          if (loads[k].op != op) continue;
          V(F, h - 1, s1);
          F->st.len--;
          push(F, info->result);
          V(F, h - 1, s2);
          sb_f(o, "%s = (%s)(%s)AOT_LD(%s, %s, %uu, %uu);\n", s2, ctype(info->result), loads[k].conv, loads[k].ct, s1, i1, at);
          done = true;
        }
        for (size_t k = 0; k < CMN_ARRAY_LEN(stores) && !done; k++) {
          if (stores[k].op != op) continue;
          V(F, h - 2, s1);
          V(F, h - 1, s2);
          F->st.len -= 2;
          sb_f(o, "AOT_ST(%s, %s, %uu, %uu, %s);\n", stores[k].ct, s1, i1, at, s2);
          done = true;
        }
        if (!done) {
          /* not reached for validated wasm 2.0 without SIMD */
          sb_f(o, "#error unsupported instruction %s\n", info->text);
        }
      }
    }
  }

}

/* Function `index` as C: signature, locals, stack variables, cached globals, body, epilogue,
 * then its trampoline. Frees the body. */
static sbuf assemble(fx *F, uint32_t index, sbuf *bodyp) {
  const isthmus_module *m = F->m;
  sbuf body = *bodyp;
  sbuf full = {0};
  /* a small leaf: see AOT_ENTER_LEAF. 256 values keep its C frame far below the margin
   * stack_limit() leaves under the limit. */
  const bool leaf = !F->calls && F->nlocals + F->max_a + F->max_b <= 256;
  signature(&full, F->ft, "AOT_FN f", index);
  sb_put(&full, " {\n");
  for (uint32_t k = F->ft->num_params; k < F->nlocals; k++) sb_f(&full, "%s l%u = 0;\n", ctype(F->ltypes[k]), k);
  if (F->max_a) {
    sb_put(&full, "uint32_t ");
    for (uint32_t k = 0; k < F->max_a; k++) sb_f(&full, "%sa%u", k ? ", " : "", k);
    sb_put(&full, ";\n");
  }
  if (F->max_b) {
    sb_put(&full, "uint64_t ");
    for (uint32_t k = 0; k < F->max_b; k++) sb_f(&full, "%sb%u", k ? ", " : "", k);
    sb_put(&full, ";\n");
  }
  if (F->ft->num_results == 1) sb_f(&full, "%s ret;\n", ctype(F->ft->results[0]));
  for (uint32_t g = 0; g < m->num_globals; g++)
    if (F->gused[g]) sb_f(&full, "uint64_t *g%u = env->globals[%u], v%u = 0;\n", g, g, g);
  if (F->has_mem) sb_put(&full, "uint8_t *mb = env->mem_base; uint64_t ms = *env->mem_size; (void)mb;\n");
  if (leaf) sb_put(&full, "AOT_ENTER_LEAF();\n");
  else if (F->cflags[index] & (AOT_DYNAMIC_CALL | AOT_ON_CYCLE)) sb_f(&full, "AOT_ENTER(%u);\n", index);
  else sb_f(&full, "AOT_ENTER_NOPOLL(%u);\n", index); /* see aot_callgraph.c */
  sb_put(&full, body.p ? body.p : "");
  sb_put(&full, leaf ? "Lret:;\n" : "Lret:\nAOT_LEAVE();\n");
  if (F->ft->num_results == 1) sb_put(&full, "return ret;\n");
  sb_put(&full, "}\n");
  /* the trampoline: cells in, cells out */
  sb_f(&full, "AOT_FN void t%u(aot_env *env, uint64_t *c) { ", index);
  const isthmus_functype *t = F->ft;
  if (t->num_results == 1) sb_f(&full, "uint64_t r = f%u(env", index);
  else sb_f(&full, "f%u(env", index);
  for (uint32_t k = 0; k < t->num_params; k++) sb_f(&full, ", (%s)c[%u]", ctype(t->params[k]), k);
  if (t->num_results > 1) sb_put(&full, ", c");
  sb_put(&full, "); ");
  if (t->num_results == 1) sb_put(&full, "c[0] = r; ");
  sb_put(&full, "}\n");
  free(body.p);
  free(F->ltypes);
  F->o = NULL;
  return full;
}

/* ---------------------------------------------------------------- the module */

static void emit_header(const isthmus_module *m, const uint8_t *reach, sbuf *b) {
  sb_put(b, "/* Generated by isthmus (AOT tier). */\n#include <stdint.h>\n#include <string.h>\n#include <math.h>\n");
  sb_put(b, abi_text);
  sb_put(b, "\n");
  for (size_t i = 0; i < CMN_ARRAY_LEN(trap_codes); i++)
    sb_f(b, "#define ISTHMUS_TRAP_%s %d\n", trap_codes[i].name, trap_codes[i].code);
  sb_f(b, "#define AOT_OFF_TYPE %zu\n#define AOT_OFF_HOST %zu\n#define AOT_OFF_ENV %zu\n",
       offsetof(isthmus_func, type), offsetof(isthmus_func, host), offsetof(isthmus_func, env));
  sb_put(b, prelude);
  for (size_t i = 0; i < CMN_ARRAY_LEN(numops); i++) {
    const numop *n = &numops[i];
    /* C compilers fold demote(promote(x)) and promote(demote(x)) to x even with
     * -fsignaling-nans, which would keep a signalling NaN signalling: hide the operand. */
    bool opaque = !strcmp(n->name, "F32_DEMOTE_F64") || !strcmp(n->name, "F64_PROMOTE_F32");
    if (n->unary)
      sb_f(b, "AOT_INL AT_%s aot_%s(aot_env *env, uint32_t off, AT_%s x) { %sCT_%s a = RD_%s(x); CT_%s r; %s return WR_%s(r); }\n",
           n->rt, n->name, n->pt, opaque ? "__asm__(\"\" : \"+r\"(x)); " : "", n->pt, n->pt, n->rt, n->stmt, n->rt);
    else
      sb_f(b,
           "AOT_INL AT_%s aot_%s(aot_env *env, uint32_t off, AT_%s x, AT_%s y) { CT_%s a = RD_%s(x), b = RD_%s(y); CT_%s r; %s "
           "return WR_%s(r); }\n",
           n->rt, n->name, n->pt, n->pt, n->pt, n->pt, n->pt, n->rt, n->stmt, n->rt);
  }
  for (uint32_t i = m->num_func_imports; i < m->num_funcs; i++) {
    if (!reach[i]) continue;
    signature(b, bin_func_type(m, i), "AOT_FN f", i);
    sb_f(b, ";\nAOT_FN void t%u(aot_env *env, uint64_t *c);\n", i);
  }
}

/* Roots: everything the outside can name (exports, start, element segments, ref.func, which
 * validation requires to be declared in declared_refs). */
static void roots(const isthmus_module *m, uint8_t *want) {
  for (uint32_t i = 0; i < m->num_exports; i++)
    if (m->exports[i].kind == ISTHMUS_EXTERN_FUNC) want[m->exports[i].index] = 1;
  if (m->has_start) want[m->start] = 1;
  for (uint32_t i = 0; i < m->num_elems; i++)
    for (uint32_t k = 0; k < m->elems[i].count; k++)
      if (m->elems[i].items[k].op == BIN_ITEM_FUNC) want[m->elems[i].items[k].idx] = 1;
  if (m->declared_refs)
    for (uint32_t i = 0; i < m->num_funcs; i++)
      if (m->declared_refs[i / 8] & (1u << (i % 8))) want[i] = 1;
  for (uint32_t i = 0; i < m->num_func_imports; i++) want[i] = 0;
}

void aot_translate_subset(const isthmus_module *m, const uint8_t *only, aot_source *out) {
  init_tables();
  memset(out, 0, sizeof *out);
  uint32_t nf = m->num_funcs;
  uint8_t *want = cmn_xcalloc(nf + 1, 1), *reach = cmn_xcalloc(nf + 1, 1);
  char **text = cmn_xcalloc(nf + 1, sizeof(char *));
  size_t *tlen = cmn_xcalloc(nf + 1, sizeof(size_t));
  if (only) {
    for (uint32_t i = m->num_func_imports; i < nf; i++) want[i] = only[i];
  } else {
    roots(m, want);
  }
  fx F;
  memset(&F, 0, sizeof F);
  F.m = m;
  F.only = only;
  F.want = want;
  F.reach = reach;
  F.gused = cmn_xcalloc(m->num_globals + 1, 1);
  F.gvalid = cmn_xcalloc(m->num_globals + 1, 1);
  F.inl_gvalid = cmn_xcalloc(m->num_globals + 1, 1);
  F.cflags = aot_call_flags(m, only);
  F.has_mem = m->num_memories > 0;
  /* a worklist by repeated sweeps: translating a function marks its direct callees */
  for (bool more = true; more;) {
    more = false;
    for (uint32_t i = m->num_func_imports; i < nf; i++) {
      if (!want[i] || reach[i]) continue;
      reach[i] = 1;
      more = true;
      sbuf t = translate_func(&F, i);
      text[i] = t.p;
      tlen[i] = t.len;
      out->compiled++;
    }
  }
  sbuf hdr = {0};
  emit_header(m, reach, &hdr);
  out->header = hdr.p;

  /* split into units of roughly equal size, so compiles run in parallel and stay small */
  size_t total = 0;
  for (uint32_t i = 0; i < nf; i++) total += tlen[i];
  size_t per = 256 * 1024;
  size_t nunits = total / per + 1;
  if (nunits > 256) nunits = 256;
  per = total / nunits + 1;
  out->units = cmn_xcalloc(nunits + 1, sizeof(char *));
  sbuf u = {0};
  sb_put(&u, "#include \"aot.h\"\n");
  for (uint32_t i = 0; i < nf; i++) {
    if (!text[i]) continue;
    sb_put(&u, text[i]);
    free(text[i]);
    if (u.len >= per) {
      out->units[out->num_units++] = u.p;
      u = (sbuf){0};
      sb_put(&u, "#include \"aot.h\"\n");
    }
  }
  /* the last unit carries the descriptor the loader looks up */
  sb_f(&u, "static void *const typed_[%u] = {", nf ? nf : 1);
  for (uint32_t i = 0; i < nf; i++) {
    if (i % 16 == 0) sb_put(&u, "\n");
    if (reach[i]) sb_f(&u, "(void *)f%u,", i);
    else sb_put(&u, "0,");
  }
  sb_f(&u, "};\nstatic void (*const tramp_[%u])(aot_env *, uint64_t *) = {", nf ? nf : 1);
  for (uint32_t i = 0; i < nf; i++) {
    if (i % 16 == 0) sb_put(&u, "\n");
    if (reach[i]) sb_f(&u, "t%u,", i);
    else sb_put(&u, "0,");
  }
  sb_f(&u, "};\n__attribute__((visibility(\"default\"))) const aot_desc isthmus_aot_desc = {%d, %u, typed_, tramp_};\n",
       AOT_VERSION, nf);
  out->units[out->num_units++] = u.p;
  free(text);
  free(tlen);
  free(want);
  free(reach);
  free(F.gused);
  free(F.gvalid);
  free(F.inl_gvalid);
  free((void *)F.cflags);
  cmn_vec_free(F.st);
  cmn_vec_free(F.cs);
  cmn_vec_free(F.labels);
}

void aot_source_free(aot_source *s) {
  for (size_t i = 0; i < s->num_units; i++) free(s->units[i]);
  free(s->units);
  free(s->header);
  memset(s, 0, sizeof *s);
}

