/* opcodes.h — the wasm instruction set as data, generated from opcodes.def. */
#ifndef ISTHMUS_OPCODES_H
#define ISTHMUS_OPCODES_H

#include "common.h"

typedef enum bin_imm_kind {
  BIN_IMM_NONE,
  BIN_IMM_BLOCK,         /* blocktype: 0x40 | valtype | s33 type index */
  BIN_IMM_LABEL,         /* u32 label depth */
  BIN_IMM_BR_TABLE,      /* vec(u32) + u32 default */
  BIN_IMM_FUNC,          /* u32 function index */
  BIN_IMM_CALL_INDIRECT, /* u32 type index, u32 table index */
  BIN_IMM_LOCAL,         /* u32 */
  BIN_IMM_GLOBAL,        /* u32 */
  BIN_IMM_TABLE,         /* u32 table index */
  BIN_IMM_MEMARG,        /* u32 align (log2), u32 offset */
  BIN_IMM_MEM0,          /* one reserved 0x00 byte (memory index) */
  BIN_IMM_I32,           /* s32 */
  BIN_IMM_I64,           /* s64 */
  BIN_IMM_F32,           /* 4 bytes */
  BIN_IMM_F64,           /* 8 bytes */
  BIN_IMM_SELECT_T,      /* vec(valtype) */
  BIN_IMM_REFTYPE,       /* one reftype byte */
  BIN_IMM_MEMORY_INIT,   /* u32 data index, 0x00 */
  BIN_IMM_DATA,          /* u32 data index */
  BIN_IMM_MEMORY_COPY,   /* 0x00 0x00 */
  BIN_IMM_TABLE_INIT,    /* u32 elem index, u32 table index */
  BIN_IMM_ELEM,          /* u32 elem index */
  BIN_IMM_TABLE_COPY,    /* u32 dst table, u32 src table */
} bin_imm_kind;

typedef enum bin_op {
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) BIN_OP_##E,
#include "opcodes.def"
#undef OP
  BIN_OP_COUNT_
} bin_op;

#define BIN_T_NONE 0
#define BIN_T_I32 ISTHMUS_I32
#define BIN_T_I64 ISTHMUS_I64
#define BIN_T_F32 ISTHMUS_F32
#define BIN_T_F64 ISTHMUS_F64

typedef struct bin_opinfo {
  const char *text;
  uint8_t prefix;
  uint8_t code;
  uint8_t imm;     /* bin_imm_kind */
  uint8_t params[3]; /* BIN_T_NONE-terminated */
  uint8_t result;
  uint8_t membytes;
} bin_opinfo;

CMN_HIDDEN extern const bin_opinfo bin_opinfo_table[BIN_OP_COUNT_];
/* Opcode byte -> bin_op, or -1 when the byte is not an instruction (0xFC is a prefix). */
/* Opcode byte -> bin_op, or -1 when the byte is not an instruction (0xFC is a prefix). */
CMN_HIDDEN int bin_op_from_byte(uint8_t b);
/* 0xFC subopcode -> bin_op, or -1 when unknown. */
CMN_HIDDEN int bin_op_from_fc(uint32_t sub);

#endif
