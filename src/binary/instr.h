/* instr.h — reading one instruction of validated code with its immediates decoded. The
 * interpreter's lowering (src/exec/lower.c) and the AOT translator (src/aot) walk function
 * bodies the same way; validation has already checked every byte, so nothing here reports
 * errors beyond what the reader records. */
#ifndef ISTHMUS_INSTR_H
#define ISTHMUS_INSTR_H

#include "opcodes.h"
#include "reader.h"

typedef CMN_VEC(uint32_t) bin_u32vec;

typedef struct bin_instr {
  int op;       /* bin_op */
  int64_t bt;   /* block type (BIN_IMM_BLOCK) */
  uint32_t i1;  /* the first index immediate (label, function, local, memarg offset, ...) */
  uint32_t i2;  /* the second (call_indirect's table, table.init's table, ...) */
  uint64_t c64; /* a constant's bits */
} bin_instr;

/* Reads the instruction at r into *in; br_table's targets (the default last) replace the
 * contents of *labels. False at an opcode that does not exist (not after validation). */
/* Always inlined: it runs once per instruction of every function lowered or translated, and
 * a call with the struct going through memory measurably slowed start-up (+2.8% for Go hello). */
__attribute__((always_inline)) static inline bool bin_read_instr(bin_reader *r, bin_u32vec *labels, bin_instr *in) {
  uint8_t byte = bin_u8(r);
  int op = byte == 0xFC ? bin_op_from_fc(bin_u32(r)) : bin_op_from_byte(byte);
  if (op < 0) return false;
  *in = (bin_instr){.op = op};
  switch (bin_opinfo_table[op].imm) {
    case BIN_IMM_NONE: break;
    case BIN_IMM_BLOCK: in->bt = bin_sleb(r, 33); break;
    case BIN_IMM_LABEL: case BIN_IMM_FUNC: case BIN_IMM_LOCAL: case BIN_IMM_GLOBAL:
    case BIN_IMM_TABLE: case BIN_IMM_DATA: case BIN_IMM_ELEM:
      in->i1 = bin_u32(r);
      break;
    case BIN_IMM_BR_TABLE: {
      uint32_t n = bin_u32(r);
      labels->len = 0;
      for (uint32_t k = 0; k <= n && !r->err; k++) cmn_vec_push(*labels, bin_u32(r));
      break;
    }
    case BIN_IMM_CALL_INDIRECT: case BIN_IMM_TABLE_INIT: case BIN_IMM_TABLE_COPY:
      in->i1 = bin_u32(r);
      in->i2 = bin_u32(r);
      break;
    case BIN_IMM_MEMARG:
      bin_u32(r); /* alignment: a hint */
      in->i1 = bin_u32(r);
      break;
    case BIN_IMM_MEM0: bin_u8(r); break;
    case BIN_IMM_MEMORY_INIT: in->i1 = bin_u32(r); bin_u8(r); break;
    case BIN_IMM_MEMORY_COPY: bin_u8(r); bin_u8(r); break;
    case BIN_IMM_I32: in->c64 = (uint32_t)bin_s32(r); break;
    case BIN_IMM_I64: in->c64 = (uint64_t)bin_s64(r); break;
    case BIN_IMM_F32: in->c64 = bin_fixed32(r); break;
    case BIN_IMM_F64: in->c64 = bin_fixed64(r); break;
    case BIN_IMM_SELECT_T: {
      uint32_t n = bin_u32(r);
      for (uint32_t k = 0; k < n; k++) bin_u8(r);
      break;
    }
    case BIN_IMM_REFTYPE: in->i1 = bin_u8(r); break;
  }
  return true;
}

#endif
