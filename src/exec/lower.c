/* lower.c — turns a validated function body into internal code (see exec.h).
 *
 * The lowering keeps a virtual operand stack. An entry is either in its home slot
 * (locals + height), or still a reference to a local (after local.get), or a constant
 * (after t.const). References and constants are folded into the operands of the
 * instruction that consumes them, so `local.get; local.get; i32.add; local.set` becomes
 * one instruction reading two locals and writing the third. Entries are materialized into
 * their home slots where control flow joins (block entries, branches, block ends) and when
 * a local they refer to is about to change. Validation has already proven the code
 * well-typed, so nothing here re-checks types. */
#include "exec.h"
#include "instr.h"

enum { V_SLOT, V_LOCAL, V_CONST };

typedef struct vent {
  uint8_t kind;
  uint8_t type; /* for constants: decides the width */
  uint32_t local;
  uint64_t c;
  /* An i32 read from a slot that holds an i64 (`i32.wrap_i64` costs nothing): its upper
   * half may be non-zero. Instructions that read an i32 operand truncate it anyway; those
   * that copy whole cells (moves, calls, select, global.set) get it through a wrap. */
  bool dirty;
} vent;

enum { C_BLOCK, C_LOOP, C_IF, C_ELSE };

typedef struct ctl {
  uint8_t kind;
  uint32_t height; /* stack height below the block's params */
  uint32_t nparams, nresults;
  uint32_t start;     /* loops: word index of the first instruction */
  int64_t else_site;  /* ifs: word index of the JMP_UNLESS offset, -1 once patched */
  uint32_t else_ins;
  size_t patch_start; /* first pending patch made inside this block */
  int64_t table_at;   /* loops whose first instruction is a jmp_table: its word index, else -1 */
  uint32_t table_slot; /* and the slot it reads */
} ctl;

typedef struct patch {
  uint32_t depth; /* index of the target block in the control stack */
  uint32_t site;  /* word to patch */
  uint32_t ins;   /* start of the branching instruction (offsets are relative to it) */
} patch;

/* A jump that lands on a jmp_table right after writing the slot it reads with a constant
 * (Go's `i32.const N; local.set PC; br LOOP` to a loop that begins with a br_table on PC):
 * it is retargeted to the table's entry N once every offset is known. */
typedef struct thread {
  uint32_t ins, site, table, idx;
} thread;

typedef struct lower {
  const isthmus_module *m;
  bin_reader r;
  const isthmus_functype *ft;
  CMN_VEC(uint32_t) code;
  CMN_VEC(vent) st;
  CMN_VEC(ctl) cs;
  CMN_VEC(patch) patches;
  CMN_VEC(uint32_t) srcmap;
  bin_u32vec labels;
  CMN_VEC(thread) threads;
  isthmus_valtype *ltypes;
  uint32_t nlocals;
  uint32_t max_h;
  int64_t last_dst; /* word of the last instruction's destination operand, or -1 */
  uint32_t last_ins; /* word index and op of the last instruction emitted */
  exe_op last_op;    /* (EXE_OP_COUNT_ after a label: no longer known to run just before) */
  uint32_t prev_ins; /* the same for the instruction before it */
  exe_op prev_op;
  uint32_t ins_off; /* byte offset of the wasm instruction being lowered */
  bool dead;
  uint32_t dead_depth;
} lower;

/* ---------------------------------------------------------------- emission */

static inline uint32_t here(lower *L) { return (uint32_t)L->code.len; }
static inline void word(lower *L, uint32_t w) { cmn_vec_push(L->code, w); }

static uint32_t op(lower *L, exe_op o) {
  uint32_t at = here(L);
  L->last_dst = -1;
  L->prev_ins = L->last_ins;
  L->prev_op = L->last_op;
  L->last_ins = at;
  L->last_op = o;
  cmn_vec_push(L->srcmap, at);
  cmn_vec_push(L->srcmap, L->ins_off);
  word(L, (uint32_t)exe_handler[o]);
  return at;
}

/* Emits the destination operand and remembers it for local.set retargeting. */
static void dst(lower *L, uint32_t slot) {
  L->last_dst = (int64_t)here(L);
  word(L, slot);
}

static inline uint32_t home(lower *L, uint32_t i) { return L->nlocals + i; }
static inline uint32_t height(lower *L) { return (uint32_t)L->st.len; }

static void push(lower *L, vent e) {
  cmn_vec_push(L->st, e);
  if (L->st.len > L->max_h) L->max_h = (uint32_t)L->st.len;
}
static void push_slot(lower *L) { push(L, (vent){V_SLOT, 0, 0, 0, false}); }
static vent pop(lower *L) { return L->st.items[--L->st.len]; }

static bool wide(uint8_t t) { return t != ISTHMUS_I32 && t != ISTHMUS_F32; }

static void emit_const(lower *L, uint32_t d, const vent *e) {
  if (wide(e->type)) {
    op(L, EXE_CONST64);
    dst(L, d);
    word(L, (uint32_t)e->c);
    word(L, (uint32_t)(e->c >> 32));
  } else {
    op(L, EXE_CONST32);
    dst(L, d);
    word(L, (uint32_t)e->c);
  }
}

static void unemit(lower *L);

/* Makes slot d hold the value of entry e (which sits at height i). */
static void move_to(lower *L, uint32_t d, const vent *e, uint32_t i) {
  if (e->kind == V_CONST) {
    emit_const(L, d, e);
    return;
  }
  uint32_t s = e->kind == V_LOCAL ? e->local : home(L, i);
  if (e->dirty) { /* the wrap itself, as the move (in place when s == d) */
    op(L, EXE_I32_WRAP_I64);
    dst(L, d);
    word(L, s);
    return;
  }
  if (s == d) return;
  if (L->last_op == EXE_COPY) { /* two moves in a row (rotating locals): one instruction */
    uint32_t d1 = L->code.items[L->last_ins + 1], s1 = L->code.items[L->last_ins + 2];
    unemit(L);
    op(L, EXE_COPY2);
    word(L, d1);
    word(L, s1);
  } else {
    op(L, EXE_COPY);
  }
  dst(L, d);
  word(L, s);
}

static void materialize(lower *L, uint32_t i) {
  vent *e = &L->st.items[i];
  if (e->kind == V_SLOT && !e->dirty) return;
  vent v = *e;
  e->kind = V_SLOT;
  e->dirty = false;
  move_to(L, home(L, i), &v, i);
}

/* The slot an instruction should read entry i from; an i32 may come with a dirty upper
 * half (see vent), which every reader of an i32 operand ignores. */
static uint32_t src(lower *L, uint32_t i) {
  vent *e = &L->st.items[i];
  if (e->kind == V_LOCAL) return e->local;
  if (e->kind == V_CONST) materialize(L, i);
  return home(L, i);
}

/* As src, for instructions that copy the whole cell. */
static uint32_t src_cell(lower *L, uint32_t i) {
  if (L->st.items[i].dirty) materialize(L, i);
  return src(L, i);
}

static void materialize_top(lower *L, uint32_t n) {
  for (uint32_t i = height(L) - n; i < height(L); i++) materialize(L, i);
}

static bool refs_local(lower *L, uint32_t x) {
  for (size_t i = 0; i < L->st.len; i++)
    if (L->st.items[i].kind == V_LOCAL && L->st.items[i].local == x) return true;
  return false;
}

static void materialize_local(lower *L, uint32_t x) {
  for (uint32_t i = 0; i < height(L); i++)
    if (L->st.items[i].kind == V_LOCAL && L->st.items[i].local == x) materialize(L, i);
}

/* At block entries every reference to a local becomes a slot, so that the state after the
 * block does not depend on which path reached it; constants may stay (they cannot change).
 * The block's params are made slots too: branches back to a loop deliver them there. */
static void materialize_for_block(lower *L, uint32_t nparams) {
  uint32_t h = height(L);
  for (uint32_t i = 0; i < h; i++)
    if (L->st.items[i].kind == V_LOCAL || i >= h - nparams) materialize(L, i);
}

/* A jump target: what ran before is no longer known to run right before what follows. */
static void label(lower *L) {
  L->last_dst = -1;
  L->last_op = L->prev_op = EXE_OP_COUNT_;
}

/* Takes the last instruction back (a fusion re-emits it in another form). */
static void unemit(lower *L) {
  L->code.len = L->last_ins;
  L->srcmap.len -= 2;
  L->last_dst = -1;
  L->last_ins = L->prev_ins;
  L->last_op = L->prev_op;
  L->prev_op = EXE_OP_COUNT_;
}

/* ---------------------------------------------------------------- compare and branch */

#define IMM_FORM (EXE_UNREACHABLE_I - EXE_UNREACHABLE) /* op + IMM_FORM: constant b operand */

static const struct cmpinfo {
  exe_op cmp, inv, br, brinv;
  bool wide;
} cmps[] = {
#define BR(NAME, PT, COND, INV) {EXE_##NAME, EXE_##INV, EXE_BR_##NAME, EXE_BR_##INV, (#PT)[1] == '6'},
#include "branch.def"
#undef BR
};

/* The compare that computed the top of the stack, when the previous instruction is one and
 * wrote it; *imm tells the form (b an immediate). */
static const struct cmpinfo *last_cmp(lower *L, bool *imm) {
  uint32_t h = height(L);
  vent *e = &L->st.items[h - 1];
  if (e->kind != V_SLOT || e->dirty || L->last_dst < 0 || L->code.items[L->last_dst] != home(L, h - 1)) return NULL;
  for (size_t k = 0; k < sizeof cmps / sizeof cmps[0]; k++) {
    if (L->last_op == cmps[k].cmp || L->last_op == cmps[k].cmp + IMM_FORM) {
      *imm = L->last_op != cmps[k].cmp;
      return &cmps[k];
    }
  }
  return NULL;
}

/* i32.eqz of a compare just computed: the inverse compare instead (eqz of eqz: != 0). */
static bool invert_last_cmp(lower *L) {
  bool imm;
  const struct cmpinfo *c = last_cmp(L, &imm);
  if (!c) {
    uint32_t h = height(L);
    vent *e = &L->st.items[h - 1];
    if ((L->last_op != EXE_I32_EQZ && L->last_op != EXE_I64_EQZ) || e->kind != V_SLOT || e->dirty ||
        L->last_dst < 0 || L->code.items[L->last_dst] != home(L, h - 1))
      return false;
    bool wide = L->last_op == EXE_I64_EQZ;
    uint32_t d = L->code.items[L->last_ins + 1], a = L->code.items[L->last_ins + 2];
    unemit(L);
    op(L, wide ? EXE_I64_NE_I : EXE_I32_NE_I);
    dst(L, d);
    word(L, a);
    word(L, 0);
    if (wide) word(L, 0);
    return true;
  }
  L->last_op = imm ? c->inv + IMM_FORM : c->inv;
  L->code.items[L->last_ins] = (uint32_t)exe_handler[L->last_op];
  return true;
}

/* A branch condition: the instruction that jumps (br[1]) or falls through (br[0]) when the
 * condition holds, and its operands before the offset. */
typedef struct cond {
  exe_op br[2];
  uint32_t n;
  uint32_t w[3];
} cond;

/* Pops the i32 condition at the top of the stack. When the previous instruction computed
 * it with a compare (or eqz), that instruction is taken back and the branch does the
 * compare itself: the compare's operands are locals or slots above everything the
 * branch's moves may write, so they still hold their values when the branch runs. */
static cond take_cond(lower *L) {
  uint32_t h = height(L);
  cond c;
  bool imm;
  const struct cmpinfo *ci = last_cmp(L, &imm);
  const uint32_t *w = L->code.items + L->last_ins;
  if (ci) {
    c.br[1] = imm ? ci->br + 1 : ci->br; /* BR_x_I follows BR_x */
    c.br[0] = imm ? ci->brinv + 1 : ci->brinv;
    c.n = imm ? (ci->wide ? 3 : 2) : 2;
    for (uint32_t k = 0; k < c.n; k++) c.w[k] = w[2 + k];
  } else if (L->last_op == EXE_I32_EQZ || L->last_op == EXE_I64_EQZ) {
    vent *e = &L->st.items[h - 1];
    if (e->kind != V_SLOT || e->dirty || L->last_dst < 0 || L->code.items[L->last_dst] != home(L, h - 1))
      goto plain;
    bool wide = L->last_op == EXE_I64_EQZ;
    c.br[1] = wide ? EXE_BR_I64_EQ_I : EXE_BR_I32_EQ_I;
    c.br[0] = wide ? EXE_BR_I64_NE_I : EXE_BR_I32_NE_I;
    c.n = wide ? 3 : 2;
    c.w[0] = w[2];
    c.w[1] = c.w[2] = 0;
  } else {
    goto plain;
  }
  unemit(L);
  pop(L);
  return c;
plain:
  c.br[1] = EXE_JMP_IF;
  c.br[0] = EXE_JMP_UNLESS;
  c.n = 1;
  c.w[0] = src(L, h - 1);
  pop(L);
  return c;
}

/* Emits the branch on c (without its offset word); returns its first word. */
static uint32_t emit_cond(lower *L, const cond *c, bool when) {
  uint32_t ins = op(L, c->br[when]);
  for (uint32_t k = 0; k < c->n; k++) word(L, c->w[k]);
  return ins;
}

/* ---------------------------------------------------------------- branches */

static uint32_t arity(const ctl *c) { return c->kind == C_LOOP ? c->nparams : c->nresults; }

/* Moves the top n values to the results of the function and returns. */
static void emit_return(lower *L) {
  uint32_t n = L->ft->num_results, h = height(L);
  if (n == 1 && L->st.items[h - 1].kind == V_CONST && !wide(L->st.items[h - 1].type)) {
    op(L, EXE_RET_CONST32); /* Go returns its unwind flag, 0, this way */
    word(L, (uint32_t)L->st.items[h - 1].c);
    return;
  }
  if (n == 1 && L->st.items[h - 1].kind == V_SLOT && !L->st.items[h - 1].dirty && L->last_dst >= 0 &&
      L->code.items[L->last_dst] == home(L, h - 1)) {
    /* the value was just computed: compute it straight into the result slot (nothing runs
     * between that instruction and the return, so no one else reads slot 0 any more) */
    L->code.items[L->last_dst] = 0;
  } else if (n == 1) {
    move_to(L, 0, &L->st.items[h - 1], h - 1);
  } else {
    materialize_top(L, n); /* then ascending copies never overwrite a pending source */
    for (uint32_t k = 0; k < n; k++) {
      vent s = {V_SLOT, 0, 0, 0, false};
      move_to(L, k, &s, h - n + k);
    }
  }
  op(L, EXE_RET);
}

/* Emits the jump word(s) of an instruction starting at `ins` that targets block `depth`. */
static void jump_to(lower *L, uint32_t depth, uint32_t ins) {
  ctl *c = &L->cs.items[depth];
  if (c->kind == C_LOOP) {
    word(L, (uint32_t)((int32_t)c->start - (int32_t)ins));
  } else {
    patch p = {depth, here(L), ins};
    cmn_vec_push(L->patches, p);
    word(L, 0);
  }
}

/* Copies the label's values into the target block's slots. */
static void emit_label_moves(lower *L, const ctl *c) {
  uint32_t n = arity(c), h = height(L);
  for (uint32_t k = 0; k < n; k++) move_to(L, home(L, c->height + k), &L->st.items[h - n + k], h - n + k);
}

static bool needs_moves(lower *L, const ctl *c) {
  uint32_t n = arity(c), h = height(L);
  if (n == 0) return false;
  if (h - n != c->height) return true;
  for (uint32_t k = h - n; k < h; k++)
    if (L->st.items[k].kind != V_SLOT || L->st.items[k].dirty) return true;
  return false;
}

static void emit_br(lower *L, uint32_t rel) {
  uint32_t depth = (uint32_t)L->cs.len - 1 - rel;
  if (depth == 0) {
    emit_return(L);
    return;
  }
  ctl *c = &L->cs.items[depth];
  emit_label_moves(L, c);
  uint32_t ins;
  bool thr = false;
  uint32_t k = 0;
  if (L->last_op == EXE_CONST32) { /* `i32.const; local.set; br` in one instruction */
    uint32_t d = L->code.items[L->last_ins + 1];
    k = L->code.items[L->last_ins + 2];
    thr = c->kind == C_LOOP && c->table_at >= 0 && d == c->table_slot;
    unemit(L);
    ins = op(L, EXE_CONST32_JMP);
    word(L, d);
    word(L, k);
  } else {
    ins = op(L, EXE_JMP);
  }
  if (thr) {
    thread t = {ins, here(L), (uint32_t)c->table_at, k};
    cmn_vec_push(L->threads, t);
  }
  jump_to(L, depth, ins);
}

static void emit_br_if(lower *L, uint32_t rel) {
  cond cd = take_cond(L);
  uint32_t depth = (uint32_t)L->cs.len - 1 - rel;
  ctl *c = &L->cs.items[depth];
  /* Materialize before the split: the fallthrough path must see the same state. */
  materialize_top(L, depth == 0 ? L->ft->num_results : arity(c));
  if (depth != 0 && !needs_moves(L, c)) {
    uint32_t ins;
    if (cd.br[1] == EXE_JMP_IF && L->last_op == EXE_GLOBAL_GET) {
      /* Go after a call: `global.get SP; local.set; br_if` on the call's result */
      uint32_t d = L->code.items[L->last_ins + 1], g = L->code.items[L->last_ins + 2];
      unemit(L);
      ins = op(L, EXE_GLOBAL_GET_JMP_IF);
      word(L, d);
      word(L, g);
      word(L, cd.w[0]);
    } else {
      ins = emit_cond(L, &cd, true);
    }
    jump_to(L, depth, ins);
    return;
  }
  uint32_t ins = emit_cond(L, &cd, false);
  uint32_t site = here(L);
  word(L, 0);
  emit_br(L, rel);
  L->code.items[site] = here(L) - ins;
  label(L);
}

static void emit_br_table(lower *L) {
  uint32_t n = (uint32_t)L->labels.len - 1; /* the last label is the default */
  uint32_t idx = src(L, height(L) - 1);
  pop(L);
  ctl *def = &L->cs.items[L->cs.len - 1 - L->labels.items[n]];
  materialize_top(L, arity(def));
  uint32_t ins = op(L, EXE_JMP_TABLE);
  for (size_t k = 0; k < L->cs.len; k++) { /* the first instruction of a loop? */
    ctl *c = &L->cs.items[k];
    if (c->kind == C_LOOP && c->start == ins) {
      c->table_at = ins;
      c->table_slot = idx;
    }
  }
  word(L, idx);
  word(L, n);
  uint32_t table = here(L);
  for (uint32_t i = 0; i <= n; i++) word(L, 0);
  for (uint32_t i = 0; i <= n; i++) {
    uint32_t rel = L->labels.items[i];
    uint32_t depth = (uint32_t)L->cs.len - 1 - rel;
    ctl *c = &L->cs.items[depth];
    if (depth != 0 && !needs_moves(L, c)) {
      if (c->kind == C_LOOP) {
        L->code.items[table + i] = (uint32_t)((int32_t)c->start - (int32_t)ins);
      } else {
        patch p = {depth, table + i, ins};
        cmn_vec_push(L->patches, p);
      }
      continue;
    }
    L->code.items[table + i] = here(L) - ins; /* a stub: moves, then the jump */
    emit_br(L, rel);
  }
}

/* ---------------------------------------------------------------- blocks */

static void block_type(lower *L, int64_t bt, uint32_t *np, uint32_t *nr) {
  if (bt == -64) { /* 0x40: empty */
    *np = *nr = 0;
  } else if (bt < 0) { /* a single value type */
    *np = 0;
    *nr = 1;
  } else {
    const isthmus_functype *t = &L->m->types[bt];
    *np = t->num_params;
    *nr = t->num_results;
  }
}

static void begin_block(lower *L, uint8_t kind, int64_t bt, const cond *cd) {
  uint32_t np, nr;
  block_type(L, bt, &np, &nr);
  materialize_for_block(L, np);
  ctl c = {kind, height(L) - np, np, nr, 0, -1, 0, L->patches.len, -1, 0};
  label(L);
  if (kind == C_LOOP) c.start = here(L);
  if (kind == C_IF) {
    c.else_ins = emit_cond(L, cd, false);
    c.else_site = here(L);
    word(L, 0);
  }
  cmn_vec_push(L->cs, c);
}

static void resolve_patches(lower *L, uint32_t depth, uint32_t target) {
  ctl *c = &L->cs.items[depth];
  size_t w = c->patch_start;
  for (size_t i = c->patch_start; i < L->patches.len; i++) {
    patch p = L->patches.items[i];
    if (p.depth == depth)
      L->code.items[p.site] = target - p.ins;
    else
      L->patches.items[w++] = p;
  }
  L->patches.len = w;
}

static void do_else(lower *L) {
  ctl *c = &L->cs.items[L->cs.len - 1];
  uint32_t depth = (uint32_t)L->cs.len - 1;
  if (!L->dead) {
    materialize_top(L, c->nresults);
    uint32_t ins = op(L, EXE_JMP);
    jump_to(L, depth, ins);
  }
  c = &L->cs.items[depth];
  L->code.items[c->else_site] = here(L) - c->else_ins;
  c->else_site = -1;
  c->kind = C_ELSE;
  label(L);
  L->dead = false;
  /* the params were materialized at the `if`, so they are in their slots again */
  while (L->st.len > c->height + c->nparams) L->st.len--;
  while (L->st.len < c->height + c->nparams) push_slot(L);
  for (uint32_t i = c->height; i < L->st.len; i++) L->st.items[i] = (vent){V_SLOT, 0, 0, 0, false};
}

static void do_end(lower *L) {
  uint32_t depth = (uint32_t)L->cs.len - 1;
  ctl *c = &L->cs.items[depth];
  if (!L->dead) materialize_top(L, c->nresults);
  if (depth == 0) {
    if (!L->dead) emit_return(L);
    L->cs.len--;
    return;
  }
  uint32_t target = here(L);
  if (c->else_site >= 0) L->code.items[c->else_site] = target - c->else_ins;
  resolve_patches(L, depth, target);
  label(L);
  uint32_t h = c->height + c->nresults;
  L->cs.len--;
  while (L->st.len > h) L->st.len--;
  while (L->st.len < h) push_slot(L);
  for (uint32_t i = c->height; i < h; i++) L->st.items[i] = (vent){V_SLOT, 0, 0, 0, false};
  L->dead = false;
}

/* ---------------------------------------------------------------- locals */

static void set_local(lower *L, uint32_t x, bool tee) {
  uint32_t i = height(L) - 1;
  vent e = L->st.items[i];
  if (e.kind == V_LOCAL && e.local == x) {
    if (!tee) pop(L);
    return;
  }
  L->st.len--; /* so refs_local ignores the value itself */
  bool others = refs_local(L, x);
  if (e.kind == V_SLOT && !e.dirty && L->last_dst >= 0 && L->code.items[L->last_dst] == home(L, i) &&
      !others) {
    L->code.items[L->last_dst] = x; /* the producer writes the local directly */
    L->last_dst = -1;
    if (!tee && L->last_op == EXE_I32_ADD_I && L->prev_op == EXE_I32_ADD_I &&
        L->code.items[L->prev_ins + 1] < L->nlocals) {
      /* two counters stepped in a row (i++, j++): one instruction, still in order */
      uint32_t w[6];
      memcpy(w, L->code.items + L->prev_ins + 1, 3 * sizeof w[0]);
      memcpy(w + 3, L->code.items + L->last_ins + 1, 3 * sizeof w[0]);
      unemit(L);
      unemit(L);
      op(L, EXE_I32_ADD_I2);
      for (int k = 0; k < 6; k++) word(L, w[k]);
      L->last_op = EXE_OP_COUNT_; /* nothing may take this one apart */
    }
  } else {
    if (others) materialize_local(L, x);
    move_to(L, x, &e, i);
    L->last_dst = -1;
  }
  if (tee) push(L, (vent){V_LOCAL, L->ltypes[x], x, 0, false});
}

/* ---------------------------------------------------------------- the main loop */

static const struct fuseinfo {
  exe_op o1, o2, f; /* o1 and o2 in their slot or immediate forms */
  bool wide;        /* 64-bit immediates */
} fuses[] = {
#define FSS(O1, O2, T) {EXE_##O1, EXE_##O2, EXE_F_##O1##__##O2, false},
#define FIS(O1, O2, T) {EXE_##O1##_I, EXE_##O2, EXE_F_##O1##_I__##O2, (#T)[1] == '6'},
#define FSI(O1, O2, T) {EXE_##O1, EXE_##O2##_I, EXE_F_##O1##__##O2##_I, (#T)[1] == '6'},
#include "fuse.def"
#undef FSS
#undef FIS
#undef FSI
};

static bool commutative(exe_op o) {
  switch (o) {
    case EXE_I32_ADD: case EXE_I32_MUL: case EXE_I32_AND: case EXE_I32_OR: case EXE_I32_XOR:
    case EXE_I64_ADD: case EXE_I64_MUL: case EXE_I64_AND: case EXE_I64_OR: case EXE_I64_XOR:
      return true;
    default:
      return false;
  }
}

/* Entry i is the value the previous instruction just computed (in its home slot). */
static bool just_computed(lower *L, uint32_t i) {
  vent *e = &L->st.items[i];
  return e->kind == V_SLOT && !e->dirty && L->last_dst >= 0 && L->code.items[L->last_dst] == home(L, i);
}

/* Binary o whose operand is the result of the previous instruction, when fuse.def has the
 * pair: both in one instruction (see there). The first result's slot is read by o only,
 * and o's other operand is a local or a slot that nothing between the two writes. */
static bool fuse_pair(lower *L, int o) {
  uint32_t h = height(L);
  vent *b = &L->st.items[h - 1], *a = &L->st.items[h - 2];
  exe_op o2 = b->kind == V_CONST ? (exe_op)(o + IMM_FORM) : (exe_op)o;
  uint32_t other; /* o's other operand, when it is a slot */
  if (just_computed(L, h - 2)) {
    if (b->kind == V_CONST) other = 0;
    else other = src(L, h - 1); /* a local (a slot computed after a would be the last) */
  } else if (b->kind != V_CONST && a->kind != V_CONST && just_computed(L, h - 1) && commutative(o2)) {
    other = src(L, h - 2);
  } else {
    return false;
  }
  const struct fuseinfo *f = NULL;
  for (size_t k = 0; k < sizeof fuses / sizeof fuses[0]; k++)
    if (fuses[k].o1 == L->last_op && fuses[k].o2 == o2) f = &fuses[k];
  if (!f) return false;
  uint32_t w[3];
  const uint32_t *p = L->code.items + L->last_ins;
  bool imm1 = f->o1 >= EXE_UNREACHABLE_I && f->o1 < EXE_UNREACHABLE_I + IMM_FORM;
  uint32_t n1 = imm1 && f->wide ? 3 : 2; /* operand words of the first instruction */
  for (uint32_t k = 0; k < n1; k++) w[k] = p[2 + k];
  unemit(L);
  op(L, f->f);
  dst(L, home(L, h - 2));
  for (uint32_t k = 0; k < n1; k++) word(L, w[k]);
  if (b->kind == V_CONST) {
    word(L, (uint32_t)b->c);
    if (f->wide) word(L, (uint32_t)(b->c >> 32));
  } else {
    word(L, other);
  }
  L->st.len -= 2;
  int64_t keep = L->last_dst;
  push_slot(L);
  L->last_dst = keep;
  return true;
}

static void simple(lower *L, int o, const bin_opinfo *info) {
  uint32_t nparams = info->params[0] ? (info->params[1] ? (info->params[2] ? 3 : 2) : 1) : 0;
  uint32_t h = height(L);
  if (nparams == 1) {
    uint32_t a = src(L, h - 1);
    pop(L);
    op(L, (exe_op)o);
    dst(L, home(L, h - 1));
    word(L, a);
    push_slot(L);
    return;
  }
  /* binary */
  if (fuse_pair(L, o)) return;
  vent b = L->st.items[h - 1];
  uint32_t a = src(L, h - 2);
  if (b.kind == V_CONST) {
    op(L, (exe_op)(o + (EXE_UNREACHABLE_I - EXE_UNREACHABLE)));
    dst(L, home(L, h - 2));
    word(L, a);
    word(L, (uint32_t)b.c);
    if (wide(info->params[0])) word(L, (uint32_t)(b.c >> 32));
  } else {
    uint32_t bs = src(L, h - 1);
    op(L, (exe_op)o);
    dst(L, home(L, h - 2));
    word(L, a);
    word(L, bs);
  }
  L->st.len -= 2;
  int64_t keep = L->last_dst;
  push_slot(L);
  L->last_dst = keep;
}

static const struct { exe_op load, add; } fused_loads[] = {
#define LD(NAME, CT, CONV) {EXE_##NAME, EXE_##NAME##_ADD},
#include "load.def"
#undef LD
};

/* A load whose address the previous instruction computed with an add (of two slots, or of
 * a slot and a constant): the load does the add itself. The add's result was the load's
 * operand only, and the load overwrites its slot anyway. */
static bool fuse_load(lower *L, int o, uint32_t offset) {
  uint32_t h = height(L);
  vent *e = &L->st.items[h - 1];
  exe_op lo = L->last_op;
  if (o == EXE_I32_LOAD && lo == EXE_GLOBAL_GET && e->kind == V_SLOT && L->last_dst >= 0 &&
      L->code.items[L->last_dst] == home(L, h - 1)) { /* Go's stack guard: a load at a global */
    uint32_t g = L->code.items[L->last_ins + 2];
    unemit(L);
    pop(L);
    op(L, EXE_I32_LOAD_G);
    dst(L, home(L, h - 1));
    word(L, g);
    word(L, offset);
    int64_t keep = L->last_dst;
    push_slot(L);
    L->last_dst = keep;
    return true;
  }
  if (e->kind != V_SLOT || L->last_dst < 0 || L->code.items[L->last_dst] != home(L, h - 1) ||
      (lo != EXE_I32_ADD && lo != EXE_I64_ADD && lo != EXE_I32_ADD_I && lo != EXE_I64_ADD_I))
    return false;
  size_t k = 0;
  while (k < sizeof fused_loads / sizeof fused_loads[0] && fused_loads[k].load != (exe_op)o) k++;
  if (k == sizeof fused_loads / sizeof fused_loads[0]) return false;
  bool imm = lo == EXE_I32_ADD_I || lo == EXE_I64_ADD_I;
  uint32_t x = L->code.items[L->last_ins + 2], y = L->code.items[L->last_ins + 3]; /* y: low word */
  unemit(L);
  pop(L);
  op(L, imm ? fused_loads[k].add + 1 : fused_loads[k].add); /* _ADDI follows _ADD */
  dst(L, home(L, h - 1));
  word(L, x);
  word(L, y);
  word(L, offset);
  int64_t keep = L->last_dst;
  push_slot(L);
  L->last_dst = keep;
  return true;
}

static exe_op store_k(int o) {
  switch (o) {
#define ST(NAME, CT, W) case EXE_##NAME: return EXE_##NAME##_K;
#include "store.def"
#undef ST
    default: abort(); /* every store is listed */
  }
}

static void skip_dead(lower *L, int o, bin_reader *r) {
  (void)r;
  if (o == BIN_OP_BLOCK || o == BIN_OP_LOOP || o == BIN_OP_IF) L->dead_depth++;
}

exe_code *exe_lower(const isthmus_module *m, uint32_t index) {
  lower L;
  memset(&L, 0, sizeof L);
  const bin_func *fn = &m->funcs[index];
  L.m = m;
  L.ft = &m->types[fn->type];
  L.nlocals = L.ft->num_params + fn->num_locals;
  L.ltypes = cmn_xmalloc(L.nlocals + 1);
  if (L.ft->num_params) memcpy(L.ltypes, L.ft->params, L.ft->num_params);
  if (fn->num_locals) memcpy(L.ltypes + L.ft->num_params, fn->local_types, fn->num_locals);
  L.last_dst = -1;
  L.r = (bin_reader){m->bytes, m->bytes + fn->code_off, m->bytes + fn->code_end, NULL, 0};
  bin_reader *r = &L.r;
  ctl top = {C_BLOCK, 0, 0, L.ft->num_results, 0, -1, 0, 0, -1, 0};
  L.last_op = L.prev_op = EXE_OP_COUNT_;
  cmn_vec_push(L.cs, top);

  while (L.cs.len && !r->err) {
    L.ins_off = (uint32_t)bin_off(r);
    bin_instr in;
    if (!bin_read_instr(r, &L.labels, &in)) break; /* cannot happen after validation */
    const int o = in.op;
    const bin_opinfo *info = &bin_opinfo_table[o];
    const int64_t bt = in.bt;
    const uint32_t i1 = in.i1, i2 = in.i2;
    const uint64_t c64 = in.c64;
    if (L.dead) {
      if (o == BIN_OP_END) {
        if (L.dead_depth) { L.dead_depth--; continue; }
      } else if (o == BIN_OP_ELSE) {
        if (L.dead_depth) continue;
      } else {
        skip_dead(&L, o, r);
        continue;
      }
    }
    uint32_t h = height(&L);
    switch (o) {
      case BIN_OP_UNREACHABLE:
        op(&L, EXE_TRAP);
        word(&L, ISTHMUS_TRAP_UNREACHABLE);
        L.dead = true;
        break;
      case BIN_OP_NOP: break;
      case BIN_OP_BLOCK: begin_block(&L, C_BLOCK, bt, NULL); break;
      case BIN_OP_LOOP: begin_block(&L, C_LOOP, bt, NULL); break;
      case BIN_OP_IF: {
        cond cd = take_cond(&L);
        begin_block(&L, C_IF, bt, &cd);
        break;
      }
      case BIN_OP_I32_EQZ:
      case BIN_OP_I64_EQZ: /* of a compare's 0 or 1 (extended: Go), the same as i32.eqz */
        if (!invert_last_cmp(&L)) simple(&L, o, info);
        break;
      case BIN_OP_ELSE: do_else(&L); break;
      case BIN_OP_END: do_end(&L); break;
      case BIN_OP_BR: emit_br(&L, i1); L.dead = true; break;
      case BIN_OP_BR_IF: emit_br_if(&L, i1); break;
      case BIN_OP_BR_TABLE: emit_br_table(&L); L.dead = true; break;
      case BIN_OP_RETURN: emit_return(&L); L.dead = true; break;
      case BIN_OP_CALL:
      case BIN_OP_CALL_INDIRECT: {
        const isthmus_functype *t = o == BIN_OP_CALL ? bin_func_type(m, i1) : &m->types[i1];
        uint32_t idx = 0;
        if (o == BIN_OP_CALL_INDIRECT) {
          idx = src(&L, h - 1);
          pop(&L);
          h--;
        }
        materialize_top(&L, t->num_params);
        uint32_t argbase = home(&L, h - t->num_params);
        if (o == BIN_OP_CALL && L.last_op == EXE_CONST32) { /* Go passes its resume PC, 0 */
          uint32_t d = L.code.items[L.last_ins + 1], k = L.code.items[L.last_ins + 2];
          unemit(&L);
          op(&L, EXE_CALL_K);
          word(&L, i1);
          word(&L, argbase);
          word(&L, d);
          word(&L, k);
        } else if (o == BIN_OP_CALL) {
          op(&L, EXE_CALL);
          word(&L, i1);
          word(&L, argbase);
        } else {
          op(&L, EXE_CALL_INDIRECT);
          word(&L, i1);
          word(&L, i2);
          word(&L, argbase);
          word(&L, idx);
        }
        L.st.len -= t->num_params;
        for (uint32_t k = 0; k < t->num_results; k++) push_slot(&L);
        /* host functions use max(params, results) cells from argbase */
        if (h - t->num_params + t->num_params > L.max_h) L.max_h = h;
        break;
      }
      case BIN_OP_DROP: pop(&L); break;
      case BIN_OP_SELECT:
      case BIN_OP_SELECT_T: {
        uint32_t c = src(&L, h - 1), b = src_cell(&L, h - 2), a = src_cell(&L, h - 3);
        op(&L, EXE_SELECT);
        dst(&L, home(&L, h - 3));
        word(&L, a);
        word(&L, b);
        word(&L, c);
        L.st.len -= 3;
        int64_t keep = L.last_dst;
        push_slot(&L);
        L.last_dst = keep;
        break;
      }
      case BIN_OP_LOCAL_GET: push(&L, (vent){V_LOCAL, L.ltypes[i1], i1, 0, false}); break;
      case BIN_OP_LOCAL_SET: set_local(&L, i1, false); break;
      case BIN_OP_LOCAL_TEE: set_local(&L, i1, true); break;
      case BIN_OP_GLOBAL_GET: {
        op(&L, EXE_GLOBAL_GET);
        dst(&L, home(&L, h));
        word(&L, i1);
        int64_t keep = L.last_dst;
        push_slot(&L);
        L.last_dst = keep;
        break;
      }
      case BIN_OP_GLOBAL_SET: {
        uint32_t a = src_cell(&L, h - 1);
        pop(&L);
        if ((L.last_op == EXE_I32_ADD_I || L.last_op == EXE_I32_SUB_I) && L.code.items[L.last_ins + 1] == a) {
          /* Go's stack pointer update: `SP = SP +/- k; global.set` in one instruction */
          const uint32_t *w = L.code.items + L.last_ins;
          uint32_t d = w[1], x = w[2], k = L.last_op == EXE_I32_SUB_I ? 0u - w[3] : w[3];
          unemit(&L);
          if (L.last_op == EXE_I32_ADD_GSET && L.code.items[L.last_ins + 4] == i1 &&
              L.code.items[L.last_ins + 1] == x && x == d) {
            /* two updates in a row (Go's epilogue): one, by the sum of both */
            L.code.items[L.last_ins + 3] += k;
            break;
          }
          if (L.last_op == EXE_GLOBAL_GET && L.code.items[L.last_ins + 2] == i1 &&
              L.code.items[L.last_ins + 1] == x && x == d && d >= L.nlocals) {
            /* `global.get g; i32.const k; i32.add/sub; global.set g`, the sum used no more */
            unemit(&L);
            op(&L, EXE_GLOBAL_ADD_I);
            word(&L, i1);
            word(&L, k);
            break;
          }
          op(&L, EXE_I32_ADD_GSET);
          word(&L, d);
          word(&L, x);
          word(&L, k);
          word(&L, i1);
          break;
        }
        op(&L, EXE_GLOBAL_SET);
        word(&L, i1);
        word(&L, a);
        break;
      }
      case BIN_OP_TABLE_GET: {
        uint32_t a = src(&L, h - 1);
        pop(&L);
        op(&L, EXE_TABLE_GET);
        dst(&L, home(&L, h - 1));
        word(&L, a);
        word(&L, i1);
        push_slot(&L);
        break;
      }
      case BIN_OP_TABLE_SET: {
        uint32_t v = src(&L, h - 1), a = src(&L, h - 2);
        L.st.len -= 2;
        op(&L, EXE_TABLE_SET);
        word(&L, i1);
        word(&L, a);
        word(&L, v);
        break;
      }
      case BIN_OP_MEMORY_SIZE:
        op(&L, EXE_MEMORY_SIZE);
        dst(&L, home(&L, h));
        push_slot(&L);
        break;
      case BIN_OP_MEMORY_GROW: {
        uint32_t a = src(&L, h - 1);
        pop(&L);
        op(&L, EXE_MEMORY_GROW);
        dst(&L, home(&L, h - 1));
        word(&L, a);
        push_slot(&L);
        break;
      }
      case BIN_OP_I32_CONST: push(&L, (vent){V_CONST, ISTHMUS_I32, 0, c64, false}); break;
      case BIN_OP_I64_CONST: push(&L, (vent){V_CONST, ISTHMUS_I64, 0, c64, false}); break;
      case BIN_OP_F32_CONST: push(&L, (vent){V_CONST, ISTHMUS_F32, 0, c64, false}); break;
      case BIN_OP_F64_CONST: push(&L, (vent){V_CONST, ISTHMUS_F64, 0, c64, false}); break;
      case BIN_OP_REF_NULL: push(&L, (vent){V_CONST, ISTHMUS_FUNCREF, 0, 0, false}); break;
      /* Go keeps 32-bit values in i64 locals: the conversions between the two widths
       * mostly cost nothing, since an i32 slot holds its value zero-extended (exec.h). */
      case BIN_OP_I32_WRAP_I64: {
        vent *e = &L.st.items[h - 1];
        if (e->kind == V_CONST) e->c = (uint32_t)e->c;
        else e->dirty = true;
        e->type = ISTHMUS_I32;
        break;
      }
      case BIN_OP_I64_EXTEND_I32_U: {
        vent *e = &L.st.items[h - 1];
        if (e->dirty) {
          simple(&L, o, info);
          break;
        }
        if (e->kind == V_CONST) e->c = (uint32_t)e->c;
        e->type = ISTHMUS_I64;
        break;
      }
      case BIN_OP_I64_EXTEND_I32_S: {
        vent *e = &L.st.items[h - 1];
        if (e->kind == V_CONST) {
          e->c = (uint64_t)(int64_t)(int32_t)e->c;
          e->type = ISTHMUS_I64;
        } else {
          simple(&L, o, info);
        }
        break;
      }
      case BIN_OP_REF_IS_NULL: {
        uint32_t a = src(&L, h - 1);
        pop(&L);
        op(&L, EXE_REF_IS_NULL);
        dst(&L, home(&L, h - 1));
        word(&L, a);
        push_slot(&L);
        break;
      }
      case BIN_OP_REF_FUNC:
        op(&L, EXE_REF_FUNC);
        dst(&L, home(&L, h));
        word(&L, i1);
        push_slot(&L);
        break;
      case BIN_OP_MEMORY_INIT: case BIN_OP_MEMORY_COPY: case BIN_OP_MEMORY_FILL:
      case BIN_OP_TABLE_INIT: case BIN_OP_TABLE_COPY: case BIN_OP_TABLE_FILL: {
        uint32_t n = src(&L, h - 1), b = src(&L, h - 2), a = src(&L, h - 3);
        L.st.len -= 3;
        op(&L, (exe_op)o);
        if (o == BIN_OP_MEMORY_INIT || o == BIN_OP_TABLE_FILL) word(&L, i1);
        if (o == BIN_OP_TABLE_INIT) { word(&L, i2); word(&L, i1); } /* table, segment */
        if (o == BIN_OP_TABLE_COPY) { word(&L, i1); word(&L, i2); }
        word(&L, a);
        word(&L, b);
        word(&L, n);
        break;
      }
      case BIN_OP_DATA_DROP: case BIN_OP_ELEM_DROP:
        op(&L, (exe_op)o);
        word(&L, i1);
        break;
      case BIN_OP_TABLE_GROW: {
        uint32_t n = src(&L, h - 1), v = src(&L, h - 2);
        L.st.len -= 2;
        op(&L, EXE_TABLE_GROW);
        dst(&L, home(&L, h - 2));
        word(&L, i1);
        word(&L, v);
        word(&L, n);
        push_slot(&L);
        break;
      }
      case BIN_OP_TABLE_SIZE:
        op(&L, EXE_TABLE_SIZE);
        dst(&L, home(&L, h));
        word(&L, i1);
        push_slot(&L);
        break;
      default:
        if (info->membytes) {
          if (info->result) { /* load */
            if (fuse_load(&L, o, i1)) break;
            uint32_t a = src(&L, h - 1);
            pop(&L);
            op(&L, (exe_op)o);
            dst(&L, home(&L, h - 1));
            word(&L, a);
            word(&L, i1);
            int64_t keep = L.last_dst;
            push_slot(&L);
            L.last_dst = keep;
          } else { /* store */
            vent vv = L.st.items[h - 1];
            if (o == BIN_OP_I64_STORE && L.last_op == EXE_I64_LOAD && L.st.items[h - 2].kind != V_CONST &&
                just_computed(&L, h - 1)) {
              /* Go copies its stack words: i64.load then i64.store of the value, in one */
              uint32_t la = L.code.items[L.last_ins + 2], loff = L.code.items[L.last_ins + 3];
              unemit(&L);
              uint32_t a = src(&L, h - 2);
              L.st.len -= 2;
              op(&L, EXE_I64_MOVE);
              word(&L, a);
              word(&L, i1);
              word(&L, la);
              word(&L, loff);
              break;
            }
            if (vv.kind == V_CONST) {
              uint32_t a = src(&L, h - 2);
              L.st.len -= 2;
              op(&L, store_k(o));
              word(&L, a);
              word(&L, i1);
              word(&L, (uint32_t)vv.c);
              if (o == BIN_OP_I64_STORE || o == BIN_OP_F64_STORE) word(&L, (uint32_t)(vv.c >> 32));
              break;
            }
            uint32_t v = src(&L, h - 1), a = src(&L, h - 2);
            L.st.len -= 2;
            op(&L, (exe_op)o);
            word(&L, a);
            word(&L, v);
            word(&L, i1);
          }
        } else {
          simple(&L, o, info);
        }
        break;
    }
  }

  for (size_t i = 0; i < L.threads.len; i++) {
    thread t = L.threads.items[i];
    uint32_t n = L.code.items[t.table + 2], k = t.idx < n ? t.idx : n;
    uint32_t target = t.table + L.code.items[t.table + 3 + k];
    L.code.items[t.site] = target - t.ins;
  }
  exe_code *c = cmn_xmalloc(sizeof *c + L.code.len * sizeof(uint32_t));
  c->num_params = L.ft->num_params;
  c->num_results = L.ft->num_results;
  c->num_locals = L.nlocals;
  uint32_t cells = L.nlocals + L.max_h + 4; /* locals are zeroed 4 cells at a time */
  if (cells < c->num_results) cells = c->num_results;
  c->frame_cells = cells;
  c->len = (uint32_t)L.code.len;
  if (L.code.len) memcpy(c->words, L.code.items, L.code.len * sizeof(uint32_t));
  c->srcmap = L.srcmap.items;
  c->srcmap_len = (uint32_t)(L.srcmap.len / 2);
  cmn_vec_free(L.code);
  cmn_vec_free(L.st);
  cmn_vec_free(L.cs);
  cmn_vec_free(L.patches);
  cmn_vec_free(L.labels);
  cmn_vec_free(L.threads);
  free(L.ltypes);
  return c;
}

exe_code *exe_code_lower_slow(isthmus_func *f) {
  bin_func *bf = f->code;
  exe_code *c;
  exe_init_handlers();
  c = exe_lower(f->inst->module, f->index);
  void *expected = NULL;
  if (!atomic_compare_exchange_strong(&bf->lowered, &expected, c)) {
    free(c->srcmap);
    free(c);
    c = expected;
  }
  return c;
}

uint32_t exe_srcpos(const exe_code *c, uint32_t pos) {
  /* the last entry at or before pos (entries are in increasing word order) */
  uint32_t lo = 0, hi = c->srcmap_len, best = 0;
  while (lo < hi) {
    uint32_t mid = (lo + hi) / 2;
    if (c->srcmap[2 * mid] <= pos) {
      best = c->srcmap[2 * mid + 1];
      lo = mid + 1;
    } else {
      hi = mid;
    }
  }
  return best;
}

void exe_module_release(isthmus_module *m) {
  for (uint32_t i = m->num_func_imports; i < m->num_funcs; i++) {
    exe_code *c = atomic_load(&m->funcs[i].lowered);
    if (c) {
      free(c->srcmap);
      free(c);
    }
  }
}
