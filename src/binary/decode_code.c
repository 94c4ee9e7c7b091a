/* decode_code.c — the parts of the decoder that touch instructions: immediates, constant
 * expressions, the element, code and data sections. Function bodies are delimited and their
 * local declarations read; their instructions are decoded by the validator, except when a
 * body cannot be right (see dec_check_bodies). */
#include <stdio.h>

#include "decode_int.h"
#include "opcodes.h"

/* ---------------------------------------------------------------- immediates */

/* A reserved byte that must be 0x00 (one byte, not a LEB). */
static void dec_zero(bin_reader *r) {
  size_t off = bin_off(r);
  uint8_t b = bin_u8(r);
  if (!r->err && b != 0) dec_fail_at(r, off, "zero byte expected");
}

static void dec_blocktype(bin_reader *r) {
  if (r->p >= r->end) {
    bin_fail(r, "unexpected end");
    return;
  }
  uint8_t b = *r->p;
  if (b == 0x40) r->p++;
  else if ((b & 0xC0) == 0x40) dec_valtype(r);
  else bin_sleb(r, 33); /* a type index (its sign is the validator's business) */
}

void bin_skip_immediates(bin_reader *r, int op) {
  if (op < 0 || op >= BIN_OP_COUNT_) {
    bin_fail(r, "illegal opcode");
    return;
  }
  switch ((bin_imm_kind)bin_opinfo_table[op].imm) {
    case BIN_IMM_NONE:
      break;
    case BIN_IMM_BLOCK:
      dec_blocktype(r);
      break;
    case BIN_IMM_LABEL:
    case BIN_IMM_FUNC:
    case BIN_IMM_LOCAL:
    case BIN_IMM_GLOBAL:
    case BIN_IMM_TABLE:
    case BIN_IMM_DATA:
    case BIN_IMM_ELEM:
      bin_u32(r);
      break;
    case BIN_IMM_BR_TABLE: {
      uint32_t n = dec_len32(r);
      for (uint32_t i = 0; i <= n && !r->err; i++) bin_u32(r); /* targets, then the default */
      break;
    }
    case BIN_IMM_CALL_INDIRECT:
    case BIN_IMM_MEMARG:
    case BIN_IMM_TABLE_INIT:
    case BIN_IMM_TABLE_COPY:
      bin_u32(r);
      bin_u32(r);
      break;
    case BIN_IMM_MEM0:
      dec_zero(r);
      break;
    case BIN_IMM_I32:
      bin_s32(r);
      break;
    case BIN_IMM_I64:
      bin_s64(r);
      break;
    case BIN_IMM_F32:
      bin_fixed32(r);
      break;
    case BIN_IMM_F64:
      bin_fixed64(r);
      break;
    case BIN_IMM_SELECT_T: {
      uint32_t n = dec_len32(r);
      for (uint32_t i = 0; i < n && !r->err; i++) dec_valtype(r);
      break;
    }
    case BIN_IMM_REFTYPE:
      dec_reftype(r);
      break;
    case BIN_IMM_MEMORY_INIT:
      bin_u32(r);
      dec_zero(r);
      break;
    case BIN_IMM_MEMORY_COPY:
      dec_zero(r);
      dec_zero(r);
      break;
  }
}

/* ---------------------------------------------------------------- instruction sequences */

/* Blocks open during a walk. Constant expressions may not nest blocks, but that makes them
 * invalid, not malformed: the walk accepts it and leaves the refusal to the validator. */
enum { OPEN_BLOCK, OPEN_IF, OPEN_ELSE };

/* What a walk saw: the first instruction, for element items. */
typedef struct dec_walk_info {
  unsigned ninstr;
  int first;          /* bin_op of the first instruction, -1 when none */
  uint32_t first_idx; /* its index immediate (ref.func, global.get) */
} dec_walk_info;

/* Walks instructions as the reference decoder does, up to and including the `end` that
 * closes the sequence, and returns the offset of that `end`. Function indices of ref.func
 * are added to d->refs when `refs` is set. Errors go to d->r. */
static size_t dec_walk(bin_decoder *d, dec_walk_info *info, bool refs) {
  bin_reader *r = &d->r;
  uint8_t small[16], *open = small;
  size_t depth = 0, cap = sizeof small, end_off = 0;
  info->ninstr = 0;
  info->first = -1;
  info->first_idx = 0;

  for (;;) {
    size_t op_off = bin_off(r);
    uint8_t b = bin_u8(r);
    if (r->err) break;
    if (b == 0x0B) { /* end */
      if (depth == 0) {
        end_off = op_off;
        break;
      }
      depth--;
      continue;
    }
    if (b == 0x05) { /* else: only once, only in an if */
      if (depth > 0 && open[depth - 1] == OPEN_IF) {
        open[depth - 1] = OPEN_ELSE;
        continue;
      }
      dec_fail_at(r, op_off, "END opcode expected");
      break;
    }
    int op;
    if (b == 0xFC) {
      uint32_t sub = bin_u32(r);
      if (r->err) break;
      op = bin_op_from_fc(sub);
      if (op < 0) {
        snprintf(d->msg, sizeof d->msg, "illegal opcode fc %02x", (unsigned)sub);
        dec_fail_at(r, op_off, d->msg);
        break;
      }
    } else {
      op = bin_op_from_byte(b);
      if (op < 0) {
        snprintf(d->msg, sizeof d->msg, "illegal opcode %02x", b);
        dec_fail_at(r, op_off, d->msg);
        break;
      }
    }
    uint32_t idx = 0;
    switch (op) {
      case BIN_OP_REF_FUNC:
        idx = bin_u32(r);
        if (!r->err && refs) cmn_vec_push(d->refs, idx);
        break;
      case BIN_OP_GLOBAL_GET:
        idx = bin_u32(r);
        break;
      default:
        bin_skip_immediates(r, op);
        break;
    }
    if (r->err) break;
    if (++info->ninstr == 1) {
      info->first = op;
      info->first_idx = idx;
    }
    if (op == BIN_OP_BLOCK || op == BIN_OP_LOOP || op == BIN_OP_IF) {
      if (depth == cap) {
        uint8_t *bigger = cmn_xmalloc(cap * 2);
        memcpy(bigger, open, cap);
        if (open != small) free(open);
        open = bigger;
        cap *= 2;
      }
      open[depth++] = op == BIN_OP_IF ? OPEN_IF : OPEN_BLOCK;
    }
  }
  if (open != small) free(open);
  return end_off;
}

void dec_const_expr(bin_decoder *d, bin_expr *out, bin_elem_item *item) {
  size_t start = bin_off(&d->r);
  dec_walk_info info;
  size_t end_off = dec_walk(d, &info, true);
  if (d->r.err) return;
  out->off = (uint32_t)start;
  out->len = (uint32_t)(end_off - start);
  if (item) {
    item->op = BIN_ITEM_NULL;
    item->idx = UINT32_MAX;
    if (info.ninstr == 1) {
      if (info.first == BIN_OP_REF_FUNC) {
        item->op = BIN_ITEM_FUNC;
        item->idx = info.first_idx;
      } else if (info.first == BIN_OP_GLOBAL_GET) {
        item->op = BIN_ITEM_GLOBAL;
        item->idx = info.first_idx;
      } else if (info.first == BIN_OP_REF_NULL) {
        item->idx = 0;
      }
    }
  }
}

/* ---------------------------------------------------------------- function bodies */

bool dec_bodies_ended(const bin_decoder *d) {
  const isthmus_module *m = d->m;
  for (uint32_t i = m->num_func_imports; i < m->num_funcs; i++) {
    const bin_func *f = &m->funcs[i];
    if (f->code_end <= f->code_off || m->bytes[f->code_end - 1] != 0x0B) return false;
  }
  return true;
}

bool dec_check_bodies(bin_decoder *d) {
  isthmus_module *m = d->m;
  bin_reader *r = &d->r;
  uint32_t n = d->num_bodies < d->num_defined ? d->num_bodies : d->num_defined;
  for (uint32_t i = 0; i < n; i++) {
    const bin_func *f = &m->funcs[m->num_func_imports + i];
    r->err = NULL;
    r->p = m->bytes + f->code_off;
    r->end = m->bytes + m->size;
    dec_walk_info info;
    dec_walk(d, &info, false);
    if (r->err) {
      if (strcmp(r->err, "unexpected end") == 0) r->err = DEC_END_SECTION;
      return true;
    }
    if (bin_off(r) != f->code_end) {
      dec_fail_at(r, f->body_off, "section size mismatch");
      return true;
    }
  }
  r->err = NULL;
  return false;
}

/* ---------------------------------------------------------------- element section */

/* Flags 0..7: bit 0 passive/declarative, bit 1 explicit table (active) or declarative,
 * bit 2 expressions instead of function indices. */
static void dec_elem(bin_decoder *d, bin_elem *e) {
  bin_reader *r = &d->r;
  size_t koff = bin_off(r);
  uint32_t flags = bin_u32(r);
  if (r->err) return;
  if (flags > 7) {
    dec_fail_at(r, koff, "malformed elements segment kind");
    return;
  }
  bool exprs = flags & 4;
  e->off = (uint32_t)koff;
  if (flags & 1) {
    e->mode = (flags & 2) ? BIN_SEG_DECLARATIVE : BIN_SEG_PASSIVE;
  } else {
    e->mode = BIN_SEG_ACTIVE;
    e->table = (flags & 2) ? bin_u32(r) : 0;
    if (r->err) return;
    dec_const_expr(d, &e->offset, NULL);
    if (r->err) return;
  }
  if ((flags & 3) == 0) {
    e->type = ISTHMUS_FUNCREF;
  } else if (exprs) {
    e->type = dec_reftype(r);
  } else {
    size_t off = bin_off(r);
    uint8_t kind = bin_u8(r);
    if (!r->err && kind != 0) dec_fail_at(r, off, "malformed element kind");
    e->type = ISTHMUS_FUNCREF;
  }
  if (r->err) return;

  uint32_t n = dec_len32(r);
  if (r->err) return;
  size_t most = bin_left(r); /* every item takes at least one byte */
  uint32_t cap = n < most ? n : (uint32_t)most;
  e->items = cmn_xcalloc(cap, sizeof *e->items);
  if (exprs) e->item_exprs = cmn_xcalloc(cap, sizeof *e->item_exprs);
  for (uint32_t i = 0; i < n; i++) {
    bin_elem_item item = {BIN_ITEM_FUNC, 0};
    bin_expr ex = {0, 0};
    if (exprs) {
      dec_const_expr(d, &ex, &item);
    } else {
      item.idx = bin_u32(r);
      if (!r->err) cmn_vec_push(d->refs, item.idx);
    }
    if (r->err) return;
    if (i >= cap) { bin_fail(r, "unexpected end"); return; } /* cannot happen */
    e->items[i] = item;
    if (exprs) e->item_exprs[i] = ex;
    e->count = i + 1;
  }
}

void dec_elem_section(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t n = dec_len32(r);
  if (r->err) return;
  size_t most = bin_left(r) / 3; /* the shortest segment is 3 bytes */
  uint32_t cap = n < most ? n : (uint32_t)most;
  m->elems = cmn_xcalloc(cap, sizeof *m->elems);
  for (uint32_t i = 0; i < n; i++) {
    bin_elem e;
    memset(&e, 0, sizeof e);
    dec_elem(d, &e);
    if (!r->err && i >= cap) bin_fail(r, "unexpected end"); /* cannot happen */
    if (r->err) {
      free(e.items);
      free(e.item_exprs);
      return;
    }
    m->elems[m->num_elems++] = e;
  }
}

/* ---------------------------------------------------------------- data section */

void dec_data_section(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t n = dec_len32(r);
  if (r->err) return;
  size_t most = bin_left(r) / 2; /* the shortest segment is 2 bytes */
  uint32_t cap = n < most ? n : (uint32_t)most;
  m->datas = cmn_xcalloc(cap, sizeof *m->datas);
  for (uint32_t i = 0; i < n; i++) {
    bin_data s;
    memset(&s, 0, sizeof s);
    size_t koff = bin_off(r);
    uint32_t flags = bin_u32(r);
    if (r->err) return;
    if (flags > 2) {
      dec_fail_at(r, koff, "malformed data segment kind");
      return;
    }
    if (flags == 1) {
      s.mode = BIN_SEG_PASSIVE;
    } else {
      s.mode = BIN_SEG_ACTIVE;
      s.memory = flags == 2 ? bin_u32(r) : 0;
      if (r->err) return;
      dec_const_expr(d, &s.offset, NULL);
    }
    uint32_t len = r->err ? 0 : dec_len32(r);
    if (r->err) return;
    if (bin_left(r) < len) {
      dec_eof(r);
      return;
    }
    s.data_off = (uint32_t)bin_off(r);
    s.data_len = len;
    r->p += len;
    if (i >= cap) { bin_fail(r, "unexpected end"); return; } /* cannot happen */
    m->datas[m->num_datas++] = s;
  }
}

/* ---------------------------------------------------------------- code section */

/* One body: its size, its local declarations (expanded into f->local_types when f is
 * non-NULL) and the range of its instructions, which are skipped. */
static void dec_body(bin_decoder *d, bin_func *f, uint32_t num_params) {
  bin_reader *r = &d->r;
  uint32_t size = dec_len32(r);
  if (r->err) return;
  size_t body = bin_off(r), body_end = body + size;

  /* Pass 1: read the groups and total them before anything is allocated. */
  size_t locals_off = bin_off(r);
  uint32_t groups = dec_len32(r);
  uint64_t total = 0;
  for (uint32_t i = 0; i < groups && !r->err; i++) {
    total += bin_u32(r);
    dec_valtype(r);
  }
  if (r->err) return;
  if (total >= ((uint64_t)1 << 32) || total + num_params > BIN_MAX_LOCALS) {
    dec_fail_at(r, locals_off, "too many locals");
    return;
  }
  size_t code_off = bin_off(r);
  if (code_off > body_end) {
    dec_fail_at(r, body, "section size mismatch");
    return;
  }
  if (body_end > d->m->size) {
    dec_eof(r);
    return;
  }
  d->total_locals += total;
  if (d->total_locals > DEC_LOCALS_BUDGET(d->m->size)) {
    dec_limit(d, "too many locals in module (implementation limit)");
    return;
  }

  if (f) {
    f->body_off = (uint32_t)body;
    f->code_off = (uint32_t)code_off;
    f->code_end = (uint32_t)body_end;
    f->num_locals = (uint32_t)total;
    if (total) {
      /* Pass 2: expand; the groups were checked above. */
      f->local_types = cmn_xmalloc((size_t)total);
      r->p = r->base + locals_off;
      bin_u32(r);
      uint32_t k = 0;
      for (uint32_t i = 0; i < groups; i++) {
        uint32_t cnt = bin_u32(r);
        isthmus_valtype t = dec_valtype(r);
        memset(f->local_types + k, t, cnt);
        k += cnt;
      }
    }
  }
  r->p = r->base + body_end;
}

void dec_code_section(bin_decoder *d) {
  bin_reader *r = &d->r;
  isthmus_module *m = d->m;
  uint32_t n = dec_len32(r);
  if (r->err) return;
  for (uint32_t i = 0; i < n; i++) {
    bin_func *f = NULL;
    uint32_t params = 0;
    if (i < d->num_defined) { /* extra bodies are read, then refused as a count mismatch */
      f = &m->funcs[m->num_func_imports + i];
      if (f->type < m->num_types) params = m->types[f->type].num_params;
    }
    dec_body(d, f, params);
    if (r->err) return;
    d->num_bodies++;
  }
}
