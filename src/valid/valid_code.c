/* valid_code.c — decoding and validation of function bodies.
 *
 * One pass per body over its bytes, following the algorithm of the spec's validation
 * appendix: an operand stack of value types (0 stands for "unknown", the type of values
 * conjured by unreachable code) and a stack of control frames, each with its start and end
 * types, the operand height at entry and an "unreachable" flag. Both stacks are flat arrays
 * kept in vld_ctx and reused across bodies, so validating allocates nothing per
 * instruction. Immediates are decoded here too (the decoder only finds each body's
 * extent), so malformed instructions are reported with the spec's decoding messages.
 *
 * Error offsets: typing errors point at the instruction's first byte; reader errors
 * (bad LEB128, truncation) at the failing byte. */
#include <stdio.h>

#include "opcodes.h"
#include "valid_int.h"

enum { K_FUNC, K_BLOCK, K_LOOP, K_IF, K_ELSE };

struct vld_ctrl {
  const uint8_t *params; /* start types */
  const uint8_t *results; /* end types */
  uint32_t nparams, nresults;
  uint32_t height; /* operand stack height at entry (params excluded) */
  uint8_t kind;    /* K_* */
  bool unreachable;
};

/* Per-body state. */
typedef struct vstate {
  vld_ctx *c;
  const isthmus_module *m;
  uint8_t *vals;
  uint32_t sp, vcap, max_sp;
  vld_ctrl *ctrls;
  uint32_t nctrl, ccap, max_depth;
  size_t op_off; /* offset of the instruction being checked */
  isthmus_error_kind ekind; /* 0 while fine */
  size_t eoff;
  char msg[192];
} vstate;

/* A one-element result type for each value type: &vt_self[t] is the array [t]. */
static const uint8_t vt_self[256] = {
    [ISTHMUS_I32] = ISTHMUS_I32,         [ISTHMUS_I64] = ISTHMUS_I64,
    [ISTHMUS_F32] = ISTHMUS_F32,         [ISTHMUS_F64] = ISTHMUS_F64,
    [ISTHMUS_V128] = ISTHMUS_V128,       [ISTHMUS_FUNCREF] = ISTHMUS_FUNCREF,
    [ISTHMUS_EXTERNREF] = ISTHMUS_EXTERNREF,
};
static const uint8_t three_i32[3] = {ISTHMUS_I32, ISTHMUS_I32, ISTHMUS_I32};

/* One-byte opcode -> bin_op + 1 (0: not an instruction). */
static const uint8_t op_of_byte[256] = {
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) [CODE] = BIN_OP_##E + 1,
#define OP_FC(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ)
#include "opcodes.def"
#undef OP
#undef OP_FC
};

/* Operand/result types of the one-byte "simple" instructions, indexed by opcode byte. */
typedef struct vsig {
  uint8_t p1, p2, p3, r, membytes;
} vsig;
static const vsig sig_of_byte[256] = {
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) \
  [CODE] = {BIN_T_##P1, BIN_T_##P2, BIN_T_##P3, BIN_T_##R, SZ},
#define OP_FC(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ)
#include "opcodes.def"
#undef OP
#undef OP_FC
};
static const vsig sig_of_fc[32] = {
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ)
#define OP_FC(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) \
  [CODE] = {BIN_T_##P1, BIN_T_##P2, BIN_T_##P3, BIN_T_##R, SZ},
#include "opcodes.def"
#undef OP
#undef OP_FC
};

const char *vld_type_name(uint8_t t) {
  switch (t) {
    case ISTHMUS_I32: return "i32";
    case ISTHMUS_I64: return "i64";
    case ISTHMUS_F32: return "f32";
    case ISTHMUS_F64: return "f64";
    case ISTHMUS_V128: return "v128";
    case ISTHMUS_FUNCREF: return "funcref";
    case ISTHMUS_EXTERNREF: return "externref";
    default: return "?";
  }
}

/* ------------------------------------------------------------------ errors */

static __attribute__((cold, noinline, format(printf, 3, 4))) bool
fail_at(vstate *s, isthmus_error_kind kind, const char *fmt, ...) {
  if (s->ekind) return false; /* the first error wins */
  s->ekind = kind;
  s->eoff = s->op_off;
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(s->msg, sizeof s->msg, fmt, ap);
  va_end(ap);
  return false;
}
#define INVALID(...) fail_at(s, ISTHMUS_ERR_INVALID, __VA_ARGS__)
#define MALFORMED(...) fail_at(s, ISTHMUS_ERR_MALFORMED, __VA_ARGS__)

/* A reader error (bad LEB128, truncated immediate): reported at the failing byte. */
static __attribute__((cold, noinline)) bool reader_fail(vstate *s, const bin_reader *r) {
  if (s->ekind) return false;
  fail_at(s, ISTHMUS_ERR_MALFORMED, "%s", r->err ? r->err : "unexpected end");
  s->eoff = r->err ? r->err_off : bin_off(r);
  return false;
}

/* The body's bytes ran out before its final `end`. The spec's decoder reads on into what
 * follows the body, so its message depends on the next byte: none at all (end of module),
 * an `end`-looking 0x0B (read as the missing end, then the body is too long) or anything
 * else (the instruction sequence stops and an `end` was expected). */
static __attribute__((cold, noinline)) bool ran_out(vstate *s, const bin_reader *r) {
  if (r->err) return reader_fail(s, r);
  size_t end = bin_off(r);
  s->op_off = end;
  if (end >= s->m->size) return MALFORMED("unexpected end of section or function");
  if (s->m->bytes[end] == 0x0B) return MALFORMED("section size mismatch");
  return MALFORMED("END opcode expected");
}

/* ------------------------------------------------------------------ stacks */

static __attribute__((noinline)) void grow_vals(vstate *s) {
  s->vcap = s->vcap ? s->vcap * 2 : 256;
  s->vals = cmn_xrealloc(s->vals, s->vcap);
}

static inline void push(vstate *s, uint8_t t) {
  if (CMN_UNLIKELY(s->sp == s->vcap)) grow_vals(s);
  s->vals[s->sp++] = t;
  if (s->sp > s->max_sp) s->max_sp = s->sp;
}

static void push_n(vstate *s, const uint8_t *ts, uint32_t n) {
  while (s->sp + n > s->vcap) grow_vals(s);
  memcpy(s->vals + s->sp, ts, n);
  s->sp += n;
  if (s->sp > s->max_sp) s->max_sp = s->sp;
}

static __attribute__((cold, noinline)) bool pop_fail(vstate *s, uint8_t want, int have) {
  if (have < 0) {
    if (want) return INVALID("type mismatch: instruction requires %s but stack is empty",
                             vld_type_name(want));
    return INVALID("type mismatch: instruction requires an operand but stack is empty");
  }
  return INVALID("type mismatch: instruction requires %s but stack has %s", vld_type_name(want),
                 vld_type_name((uint8_t)have));
}

/* Pops one operand that must be of type `want`. */
static inline bool pop_t(vstate *s, uint8_t want) {
  const vld_ctrl *f = &s->ctrls[s->nctrl - 1];
  if (CMN_LIKELY(s->sp > f->height)) {
    uint8_t a = s->vals[--s->sp];
    if (CMN_LIKELY(a == want) || a == 0) return true;
    return pop_fail(s, want, a);
  }
  if (f->unreachable) return true;
  return pop_fail(s, want, -1);
}

/* Pops one operand of any type; returns its type (0: unknown) or -1 on error. */
static inline int pop_any(vstate *s) {
  const vld_ctrl *f = &s->ctrls[s->nctrl - 1];
  if (CMN_LIKELY(s->sp > f->height)) return s->vals[--s->sp];
  if (f->unreachable) return 0;
  pop_fail(s, 0, -1);
  return -1;
}

static bool pop_n(vstate *s, const uint8_t *ts, uint32_t n) {
  while (n--)
    if (!pop_t(s, ts[n])) return false;
  return true;
}

/* Checks, without popping, that the top n operands match ts[0..n). */
static bool check_top(vstate *s, const uint8_t *ts, uint32_t n) {
  const vld_ctrl *f = &s->ctrls[s->nctrl - 1];
  uint32_t avail = s->sp - f->height;
  for (uint32_t i = 0; i < n; i++) {
    uint32_t depth = n - i; /* 1 = top */
    if (depth <= avail) {
      uint8_t a = s->vals[s->sp - depth];
      if (a && a != ts[i]) return pop_fail(s, ts[i], a);
    } else if (!f->unreachable) {
      return pop_fail(s, ts[i], -1);
    }
  }
  return true;
}

static void push_ctrl(vstate *s, uint8_t kind, const uint8_t *params, uint32_t np,
                      const uint8_t *results, uint32_t nr) {
  if (CMN_UNLIKELY(s->nctrl == s->ccap)) {
    s->ccap = s->ccap ? s->ccap * 2 : 64;
    s->ctrls = cmn_xrealloc(s->ctrls, s->ccap * sizeof *s->ctrls);
  }
  vld_ctrl *f = &s->ctrls[s->nctrl++];
  if (s->nctrl > s->max_depth) s->max_depth = s->nctrl;
  f->params = params;
  f->results = results;
  f->nparams = np;
  f->nresults = nr;
  f->height = s->sp;
  f->kind = kind;
  f->unreachable = false;
  if (np) push_n(s, params, np);
}

/* Checks the end types of the innermost frame and that nothing else is left above it. */
static bool end_frame(vstate *s) {
  const vld_ctrl *f = &s->ctrls[s->nctrl - 1];
  if (!pop_n(s, f->results, f->nresults)) return false;
  if (s->sp != f->height)
    return INVALID("type mismatch: %u value%s left on the stack at the end of a block",
                   s->sp - f->height, s->sp - f->height == 1 ? "" : "s");
  return true;
}

static inline void set_unreachable(vstate *s) {
  vld_ctrl *f = &s->ctrls[s->nctrl - 1];
  s->sp = f->height;
  f->unreachable = true;
}

/* The frame for label depth l, or NULL (error set). */
static inline const vld_ctrl *label(vstate *s, uint32_t l) {
  if (CMN_UNLIKELY(l >= s->nctrl)) {
    INVALID("unknown label %u", l);
    return NULL;
  }
  return &s->ctrls[s->nctrl - 1 - l];
}
static inline const uint8_t *label_types(const vld_ctrl *f, uint32_t *n) {
  if (f->kind == K_LOOP) {
    *n = f->nparams;
    return f->params;
  }
  *n = f->nresults;
  return f->results;
}

/* ------------------------------------------------------------------ immediates */

/* Reads a one-byte immediate that must be 0x00 (memory index of 2.0 memory instructions). */
static inline bool rd_zero(vstate *s, bin_reader *r) {
  if (CMN_UNLIKELY(r->p >= r->end)) {
    bin_fail(r, "unexpected end");
    return reader_fail(s, r);
  }
  if (CMN_UNLIKELY(*r->p != 0)) {
    s->op_off = bin_off(r);
    return MALFORMED("zero byte expected");
  }
  r->p++;
  return true;
}

/* A block type: *kind 0 = empty, 1 = one value type (*val), 2 = type index (*val). */
static bool rd_blocktype(vstate *s, bin_reader *r, int *kind, int64_t *val) {
  if (CMN_UNLIKELY(r->p >= r->end)) {
    bin_fail(r, "unexpected end");
    return reader_fail(s, r);
  }
  uint8_t b = *r->p;
  if (b == 0x40) {
    r->p++;
    *kind = 0;
    return true;
  }
  if ((b & 0xC0) == 0x40) { /* a one-byte negative s33: a value type */
    if (!vld_is_valtype(b)) {
      s->op_off = bin_off(r);
      return MALFORMED("malformed value type");
    }
    r->p++;
    *kind = 1;
    *val = b;
    return true;
  }
  *val = bin_sleb(r, 33);
  if (CMN_UNLIKELY(r->err)) return reader_fail(s, r);
  *kind = 2;
  return true;
}

static bool rd_reftype(vstate *s, bin_reader *r, uint8_t *t) {
  *t = bin_u8(r);
  if (CMN_UNLIKELY(r->err)) return reader_fail(s, r);
  if (!vld_is_reftype(*t)) {
    s->op_off = bin_off(r) - 1;
    return MALFORMED("malformed reference type");
  }
  return true;
}

/* A vector length, checked as the spec's decoder does: no longer than what is left of the
 * module (each element takes at least a byte). */
static inline bool rd_len(vstate *s, bin_reader *r, uint32_t *n) {
  size_t at = bin_off(r);
  *n = bin_u32(r);
  if (CMN_UNLIKELY(r->err)) return reader_fail(s, r);
  if (CMN_UNLIKELY(*n > s->m->size - at)) {
    s->op_off = at;
    return MALFORMED("length out of bounds");
  }
  return true;
}

/* select's vec(valtype): returns the count, the first type in *t. */
static bool rd_select_types(vstate *s, bin_reader *r, uint32_t *count, uint8_t *t) {
  uint32_t n;
  if (!rd_len(s, r, &n)) return false;
  *count = n;
  *t = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t b = bin_u8(r);
    if (CMN_UNLIKELY(r->err)) return reader_fail(s, r);
    if (!vld_is_valtype(b)) {
      s->op_off = bin_off(r) - 1;
      return MALFORMED("malformed value type");
    }
    if (i == 0) *t = b;
  }
  return true;
}

/* memory.init and data.drop need a data count section (a decoding rule: the spec reports
 * it as malformed). Deviation: when the module has no data segments at all, the index is
 * reported as unknown instead (invalid), because wast2json leaves the data count section out
 * of such modules and the spec tests then expect "unknown data segment" / "unknown memory";
 * the module is refused either way. */
static inline bool need_data_count(vstate *s) {
  if (CMN_UNLIKELY(!s->m->has_data_count) && s->m->num_datas > 0)
    return MALFORMED("data count section required");
  return true;
}
static inline uint32_t data_count(const isthmus_module *m) {
  return m->has_data_count ? m->data_count : 0;
}

/* ------------------------------------------------------------------ bodies */

static void state_init(vstate *s, vld_ctx *c) {
  memset(s, 0, offsetof(vstate, msg));
  s->msg[0] = 0;
  s->c = c;
  s->m = c->m;
  s->vals = c->vals;
  s->vcap = c->vcap;
  s->ctrls = c->ctrls;
  s->ccap = c->ccap;
}

static void state_done(vstate *s) {
  s->c->vals = s->vals;
  s->c->vcap = s->vcap;
  s->c->ctrls = s->ctrls;
  s->c->ccap = s->ccap;
}

static isthmus_error *state_error(vstate *s, uint32_t fi) {
  isthmus_error *e = cmn_error(s->ekind, (int64_t)s->eoff, "%s", s->msg);
  e->func = fi;
  return e;
}

#define RD_U32(x)                                  \
  do {                                             \
    (x) = bin_u32(&r);                             \
    if (CMN_UNLIKELY(r.err)) goto fail_reader;     \
  } while (0)
#define CHECK(e)                                   \
  do {                                             \
    if (CMN_UNLIKELY(!(e))) goto fail;             \
  } while (0)
#define POP(t) CHECK(pop_t(s, (t)))
/* When cond holds, the function is refused with the message (goto fail). */
#define INVALID_IF(cond, ...) CHECK(!(cond) || INVALID(__VA_ARGS__))
#define MALFORMED_IF(cond, ...) CHECK(!(cond) || MALFORMED(__VA_ARGS__))

isthmus_error *vld_code(vld_ctx *c, uint32_t fi) {
  const isthmus_module *m = c->m;
  bin_func *fn = &m->funcs[fi];
  const isthmus_functype *ft = &m->types[fn->type];
  const uint32_t nparams = ft->num_params;
  const uint32_t nlocals = nparams + fn->num_locals;
  const uint8_t *local_types = fn->local_types;

  vstate st;
  vstate *s = &st;
  state_init(s, c);
  bin_reader r = {.base = m->bytes, .p = m->bytes + fn->code_off, .end = m->bytes + fn->code_end};

  push_ctrl(s, K_FUNC, NULL, 0, ft->results, ft->num_results);
  for (;;) {
    if (CMN_UNLIKELY(r.p >= r.end)) {
      ran_out(s, &r);
      goto fail;
    }
    s->op_off = (size_t)(r.p - r.base);
    uint8_t b = *r.p++;
    switch (b) {
      case 0x00: /* unreachable */
        set_unreachable(s);
        break;
      case 0x01: /* nop */
        break;
      case 0x02: /* block */
      case 0x03: /* loop */
      case 0x04: { /* if */
        int kind;
        int64_t val = 0;
        CHECK(rd_blocktype(s, &r, &kind, &val));
        const uint8_t *params = NULL, *results = NULL;
        uint32_t np = 0, nr = 0;
        if (kind == 1) {
          results = &vt_self[val];
          nr = 1;
        } else if (kind == 2) {
          INVALID_IF(val < 0 || val >= m->num_types, "unknown type %lld", (long long)val);
          const isthmus_functype *bt = &m->types[val];
          params = bt->params;
          np = bt->num_params;
          results = bt->results;
          nr = bt->num_results;
        }
        if (b == 0x04) POP(ISTHMUS_I32);
        CHECK(pop_n(s, params, np));
        push_ctrl(s, b == 0x02 ? K_BLOCK : b == 0x03 ? K_LOOP : K_IF, params, np, results, nr);
        break;
      }
      case 0x05: { /* else */
        vld_ctrl *f = &s->ctrls[s->nctrl - 1];
        MALFORMED_IF(f->kind != K_IF, "END opcode expected");
        CHECK(end_frame(s));
        f->kind = K_ELSE;
        f->unreachable = false;
        s->sp = f->height;
        if (f->nparams) push_n(s, f->params, f->nparams);
        break;
      }
      case 0x0B: { /* end */
        const vld_ctrl *f = &s->ctrls[s->nctrl - 1];
        CHECK(end_frame(s));
        if (f->kind == K_IF &&
            (f->nparams != f->nresults ||
             (f->nparams && memcmp(f->params, f->results, f->nparams) != 0))) {
          INVALID("type mismatch: if without else must have the same parameters and results");
          goto fail;
        }
        s->nctrl--;
        if (s->nctrl == 0) {
          if (r.p != r.end) {
            s->op_off = (size_t)(r.p - r.base);
            MALFORMED("section size mismatch");
            goto fail;
          }
          goto done;
        }
        if (f->nresults) push_n(s, f->results, f->nresults);
        break;
      }
      case 0x0C: { /* br */
        uint32_t l, n;
        RD_U32(l);
        const vld_ctrl *f = label(s, l);
        CHECK(f);
        const uint8_t *ts = label_types(f, &n);
        CHECK(pop_n(s, ts, n));
        set_unreachable(s);
        break;
      }
      case 0x0D: { /* br_if */
        uint32_t l, n;
        RD_U32(l);
        const vld_ctrl *f = label(s, l);
        CHECK(f);
        const uint8_t *ts = label_types(f, &n);
        POP(ISTHMUS_I32);
        CHECK(pop_n(s, ts, n));
        if (n) push_n(s, ts, n);
        break;
      }
      case 0x0E: { /* br_table */
        uint32_t count, l, arity, n;
        CHECK(rd_len(s, &r, &count));
        const uint8_t *labels = r.p;
        for (uint32_t i = 0; i < count; i++) RD_U32(l);
        RD_U32(l);
        const uint8_t *after = r.p;
        const vld_ctrl *f = label(s, l);
        CHECK(f);
        const uint8_t *dts = label_types(f, &arity);
        POP(ISTHMUS_I32);
        r.p = labels;
        for (uint32_t i = 0; i < count; i++) {
          l = bin_u32(&r);
          const vld_ctrl *g = label(s, l);
          CHECK(g);
          const uint8_t *ts = label_types(g, &n);
          INVALID_IF(n != arity, "type mismatch: br_table targets have %u and %u values", n, arity);
          CHECK(check_top(s, ts, n));
        }
        r.p = after;
        CHECK(check_top(s, dts, arity));
        set_unreachable(s);
        break;
      }
      case 0x0F: /* return */
        CHECK(pop_n(s, ft->results, ft->num_results));
        set_unreachable(s);
        break;
      case 0x10: { /* call */
        uint32_t x;
        RD_U32(x);
        INVALID_IF(x >= m->num_funcs, "unknown function %u", x);
        const isthmus_functype *t = bin_func_type(m, x);
        CHECK(pop_n(s, t->params, t->num_params));
        if (t->num_results) push_n(s, t->results, t->num_results);
        break;
      }
      case 0x11: { /* call_indirect */
        uint32_t ti, tab;
        RD_U32(ti);
        RD_U32(tab);
        INVALID_IF(tab >= m->num_tables, "unknown table %u", tab);
        INVALID_IF(ti >= m->num_types, "unknown type %u", ti);
        INVALID_IF(m->tables[tab].elem != ISTHMUS_FUNCREF,
                   "type mismatch: call_indirect requires a table of funcref");
        const isthmus_functype *t = &m->types[ti];
        POP(ISTHMUS_I32);
        CHECK(pop_n(s, t->params, t->num_params));
        if (t->num_results) push_n(s, t->results, t->num_results);
        break;
      }
      case 0x1A: /* drop */
        CHECK(pop_any(s) >= 0);
        break;
      case 0x1B: { /* select */
        POP(ISTHMUS_I32);
        int t1 = pop_any(s);
        CHECK(t1 >= 0);
        int t2 = pop_any(s);
        CHECK(t2 >= 0);
        INVALID_IF((t1 && vld_is_reftype((uint8_t)t1)) || (t2 && vld_is_reftype((uint8_t)t2)),
                   "type mismatch: select without a type requires numeric operands");
        INVALID_IF(t1 && t2 && t1 != t2, "type mismatch: select operands are %s and %s",
                   vld_type_name((uint8_t)t2), vld_type_name((uint8_t)t1));
        push(s, (uint8_t)(t1 ? t1 : t2));
        break;
      }
      case 0x1C: { /* select t */
        uint32_t count;
        uint8_t t;
        CHECK(rd_select_types(s, &r, &count, &t));
        INVALID_IF(count != 1, "invalid result arity: select takes exactly one type");
        POP(ISTHMUS_I32);
        POP(t);
        POP(t);
        push(s, t);
        break;
      }
      case 0x20: /* local.get */
      case 0x21: /* local.set */
      case 0x22: { /* local.tee */
        uint32_t x;
        RD_U32(x);
        INVALID_IF(x >= nlocals, "unknown local %u", x);
        uint8_t t = x < nparams ? ft->params[x] : local_types[x - nparams];
        if (b != 0x20) POP(t);
        if (b != 0x21) push(s, t);
        break;
      }
      case 0x23: /* global.get */
      case 0x24: { /* global.set */
        uint32_t x;
        RD_U32(x);
        INVALID_IF(x >= m->num_globals, "unknown global %u", x);
        const isthmus_globaltype *g = &m->globals[x].type;
        if (b == 0x23) {
          push(s, g->type);
        } else {
          INVALID_IF(!g->mutable_, "global is immutable: global %u", x);
          POP(g->type);
        }
        break;
      }
      case 0x25: /* table.get */
      case 0x26: { /* table.set */
        uint32_t x;
        RD_U32(x);
        INVALID_IF(x >= m->num_tables, "unknown table %u", x);
        uint8_t et = m->tables[x].elem;
        if (b == 0x25) {
          POP(ISTHMUS_I32);
          push(s, et);
        } else {
          POP(et);
          POP(ISTHMUS_I32);
        }
        break;
      }
      case 0x28 ... 0x3E: { /* loads and stores */
        uint32_t align = bin_u32(&r);
        (void)bin_u32(&r); /* offset */
        if (CMN_UNLIKELY(r.err)) goto fail_reader;
        INVALID_IF(m->num_memories == 0, "unknown memory 0");
        const vsig *g = &sig_of_byte[b];
        INVALID_IF(align >= 32 || (1u << align) > g->membytes, "alignment must not be larger than natural");
        if (g->p2) POP(g->p2);
        POP(ISTHMUS_I32);
        if (g->r) push(s, g->r);
        break;
      }
      case 0x3F: /* memory.size */
      case 0x40: /* memory.grow */
        CHECK(rd_zero(s, &r));
        INVALID_IF(m->num_memories == 0, "unknown memory 0");
        if (b == 0x40) POP(ISTHMUS_I32);
        push(s, ISTHMUS_I32);
        break;
      case 0x41: /* i32.const */
        (void)bin_s32(&r);
        if (CMN_UNLIKELY(r.err)) goto fail_reader;
        push(s, ISTHMUS_I32);
        break;
      case 0x42: /* i64.const */
        (void)bin_s64(&r);
        if (CMN_UNLIKELY(r.err)) goto fail_reader;
        push(s, ISTHMUS_I64);
        break;
      case 0x43: /* f32.const */
        (void)bin_fixed32(&r);
        if (CMN_UNLIKELY(r.err)) goto fail_reader;
        push(s, ISTHMUS_F32);
        break;
      case 0x44: /* f64.const */
        (void)bin_fixed64(&r);
        if (CMN_UNLIKELY(r.err)) goto fail_reader;
        push(s, ISTHMUS_F64);
        break;
      case 0x45 ... 0xC4: { /* numeric: the opcode table gives the types */
        const vsig *g = &sig_of_byte[b];
        if (g->p2) {
          /* binary: fast path when both operands are there */
          const vld_ctrl *f = &s->ctrls[s->nctrl - 1];
          if (CMN_LIKELY(s->sp >= f->height + 2) && s->vals[s->sp - 1] == g->p2 &&
              s->vals[s->sp - 2] == g->p1) {
            s->sp--;
            s->vals[s->sp - 1] = g->r;
            break;
          }
          POP(g->p2);
        }
        POP(g->p1);
        push(s, g->r);
        break;
      }
      case 0xD0: { /* ref.null */
        uint8_t t;
        CHECK(rd_reftype(s, &r, &t));
        push(s, t);
        break;
      }
      case 0xD1: { /* ref.is_null */
        int t = pop_any(s);
        CHECK(t >= 0);
        INVALID_IF(t && !vld_is_reftype((uint8_t)t),
                   "type mismatch: ref.is_null requires a reference but stack has %s",
                   vld_type_name((uint8_t)t));
        push(s, ISTHMUS_I32);
        break;
      }
      case 0xD2: { /* ref.func */
        uint32_t x;
        RD_U32(x);
        INVALID_IF(x >= m->num_funcs, "unknown function %u", x);
        INVALID_IF(!m->declared_refs || !((m->declared_refs[x >> 3] >> (x & 7)) & 1),
                   "undeclared function reference %u", x);
        push(s, ISTHMUS_FUNCREF);
        break;
      }
      case 0xFC: {
        uint32_t sub;
        RD_U32(sub);
        switch (sub) {
          case 0x00 ... 0x07: { /* trunc_sat */
            const vsig *g = &sig_of_fc[sub];
            POP(g->p1);
            push(s, g->r);
            break;
          }
          case 0x08: { /* memory.init */
            uint32_t d;
            RD_U32(d);
            CHECK(rd_zero(s, &r));
            CHECK(need_data_count(s));
            INVALID_IF(m->num_memories == 0, "unknown memory 0");
            INVALID_IF(d >= data_count(m), "unknown data segment %u", d);
            CHECK(pop_n(s, three_i32, 3));
            break;
          }
          case 0x09: { /* data.drop */
            uint32_t d;
            RD_U32(d);
            CHECK(need_data_count(s));
            INVALID_IF(d >= data_count(m), "unknown data segment %u", d);
            break;
          }
          case 0x0A: /* memory.copy */
          case 0x0B: /* memory.fill */
            CHECK(rd_zero(s, &r));
            if (sub == 0x0A) CHECK(rd_zero(s, &r));
            INVALID_IF(m->num_memories == 0, "unknown memory 0");
            CHECK(pop_n(s, three_i32, 3));
            break;
          case 0x0C: { /* table.init */
            uint32_t e, x;
            RD_U32(e);
            RD_U32(x);
            INVALID_IF(x >= m->num_tables, "unknown table %u", x);
            INVALID_IF(e >= m->num_elems, "unknown elem segment %u", e);
            INVALID_IF(m->elems[e].type != m->tables[x].elem,
                       "type mismatch: table.init of a %s segment into a %s table",
                       vld_type_name(m->elems[e].type), vld_type_name(m->tables[x].elem));
            CHECK(pop_n(s, three_i32, 3));
            break;
          }
          case 0x0D: { /* elem.drop */
            uint32_t e;
            RD_U32(e);
            INVALID_IF(e >= m->num_elems, "unknown elem segment %u", e);
            break;
          }
          case 0x0E: { /* table.copy */
            uint32_t dst, src;
            RD_U32(dst);
            RD_U32(src);
            INVALID_IF(dst >= m->num_tables, "unknown table %u", dst);
            INVALID_IF(src >= m->num_tables, "unknown table %u", src);
            INVALID_IF(m->tables[dst].elem != m->tables[src].elem,
                       "type mismatch: table.copy between %s and %s tables",
                       vld_type_name(m->tables[dst].elem), vld_type_name(m->tables[src].elem));
            CHECK(pop_n(s, three_i32, 3));
            break;
          }
          case 0x0F: /* table.grow */
          case 0x10: /* table.size */
          case 0x11: { /* table.fill */
            uint32_t x;
            RD_U32(x);
            INVALID_IF(x >= m->num_tables, "unknown table %u", x);
            uint8_t et = m->tables[x].elem;
            if (sub == 0x0F) {
              POP(ISTHMUS_I32);
              POP(et);
              push(s, ISTHMUS_I32);
            } else if (sub == 0x10) {
              push(s, ISTHMUS_I32);
            } else {
              POP(ISTHMUS_I32);
              POP(et);
              POP(ISTHMUS_I32);
            }
            break;
          }
          default:
            MALFORMED("illegal opcode fc %u", sub);
            goto fail;
        }
        break;
      }
      default:
        MALFORMED("illegal opcode %02x", b);
        goto fail;
    }
  }

done:
  fn->max_stack = s->max_sp;
  fn->max_depth = s->max_depth;
  state_done(s);
  return NULL;

fail_reader:
  reader_fail(s, &r);
fail:
  state_done(s);
  return state_error(s, fi);
}

/* ------------------------------------------------------------------ decode-only scan */

/* Decodes one body without typing it; false with the error in s. */
static bool scan_body(vstate *s, const bin_func *fn) {
  const isthmus_module *m = s->m;
  vld_ctx *c = s->c;
  bin_reader r = {.base = m->bytes, .p = m->bytes + fn->code_off, .end = m->bytes + fn->code_end};
  uint32_t depth = 0;
#define KPUSH(k)                                                 \
  do {                                                           \
    if (depth == c->kcap) {                                      \
      c->kcap = c->kcap ? c->kcap * 2 : 64;                      \
      c->kinds = cmn_xrealloc(c->kinds, c->kcap);                \
    }                                                            \
    c->kinds[depth++] = (k);                                     \
  } while (0)
  KPUSH(K_FUNC);
  for (;;) {
    if (r.p >= r.end) return ran_out(s, &r);
    s->op_off = (size_t)(r.p - r.base);
    uint8_t b = *r.p++;
    int op = op_of_byte[b] - 1;
    if (b == 0xFC) {
      uint32_t sub = bin_u32(&r);
      if (r.err) return reader_fail(s, &r);
      op = bin_op_from_fc(sub);
      if (op < 0) return MALFORMED("illegal opcode fc %u", sub);
    } else if (op < 0) {
      return MALFORMED("illegal opcode %02x", b);
    }
    uint32_t n;
    switch (bin_opinfo_table[op].imm) {
      case BIN_IMM_NONE:
        if (b == 0x05) {
          if (c->kinds[depth - 1] != K_IF) return MALFORMED("END opcode expected");
          c->kinds[depth - 1] = K_ELSE;
        } else if (b == 0x0B) {
          if (--depth == 0) {
            if (r.p != r.end) {
              s->op_off = bin_off(&r);
              return MALFORMED("section size mismatch");
            }
            return true;
          }
        }
        break;
      case BIN_IMM_BLOCK: {
        int kind;
        int64_t val;
        if (!rd_blocktype(s, &r, &kind, &val)) return false;
        KPUSH(b == 0x04 ? K_IF : K_BLOCK);
        break;
      }
      case BIN_IMM_LABEL:
      case BIN_IMM_FUNC:
      case BIN_IMM_LOCAL:
      case BIN_IMM_GLOBAL:
      case BIN_IMM_TABLE:
      case BIN_IMM_ELEM:
        (void)bin_u32(&r);
        break;
      case BIN_IMM_DATA:
        (void)bin_u32(&r);
        if (r.err) return reader_fail(s, &r);
        if (!need_data_count(s)) return false;
        break;
      case BIN_IMM_BR_TABLE:
        if (!rd_len(s, &r, &n)) return false;
        for (uint32_t i = 0; i <= n && !r.err; i++) (void)bin_u32(&r);
        break;
      case BIN_IMM_CALL_INDIRECT:
      case BIN_IMM_TABLE_INIT:
      case BIN_IMM_TABLE_COPY:
      case BIN_IMM_MEMARG:
        (void)bin_u32(&r);
        (void)bin_u32(&r);
        break;
      case BIN_IMM_MEM0:
        if (!rd_zero(s, &r)) return false;
        break;
      case BIN_IMM_I32:
        (void)bin_s32(&r);
        break;
      case BIN_IMM_I64:
        (void)bin_s64(&r);
        break;
      case BIN_IMM_F32:
        (void)bin_fixed32(&r);
        break;
      case BIN_IMM_F64:
        (void)bin_fixed64(&r);
        break;
      case BIN_IMM_SELECT_T: {
        uint8_t t;
        if (!rd_select_types(s, &r, &n, &t)) return false;
        break;
      }
      case BIN_IMM_REFTYPE: {
        uint8_t t;
        if (!rd_reftype(s, &r, &t)) return false;
        break;
      }
      case BIN_IMM_MEMORY_INIT:
        (void)bin_u32(&r);
        if (r.err) return reader_fail(s, &r);
        if (!rd_zero(s, &r)) return false;
        if (!need_data_count(s)) return false;
        break;
      case BIN_IMM_MEMORY_COPY:
        if (!rd_zero(s, &r) || !rd_zero(s, &r)) return false;
        break;
    }
    if (r.err) return reader_fail(s, &r);
  }
#undef KPUSH
}

isthmus_error *vld_scan_malformed(vld_ctx *c, uint32_t first) {
  const isthmus_module *m = c->m;
  vstate st;
  vstate *s = &st;
  state_init(s, c);
  if (first < m->num_func_imports) first = m->num_func_imports;
  for (uint32_t i = first; i < m->num_funcs; i++) {
    if (!scan_body(s, &m->funcs[i])) {
      state_done(s);
      return state_error(s, i);
    }
  }
  state_done(s);
  return NULL;
}

void vld_ctx_free(vld_ctx *c) {
  free(c->vals);
  free(c->ctrls);
  free(c->kinds);
  memset(c, 0, sizeof *c);
}
