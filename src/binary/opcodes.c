#include "opcodes.h"

const bin_opinfo bin_opinfo_table[BIN_OP_COUNT_] = {
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) \
  {TEXT, PFX, CODE, BIN_IMM_##IMM, {BIN_T_##P1, BIN_T_##P2, BIN_T_##P3}, BIN_T_##R, SZ},
#include "opcodes.def"
#undef OP
};

int bin_op_from_byte(uint8_t b) {
  switch (b) {
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) case CODE: return BIN_OP_##E;
#define OP_FC(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ)
#include "opcodes.def"
#undef OP
#undef OP_FC
    default: return -1;
  }
}

int bin_op_from_fc(uint32_t sub) {
  switch (sub) {
#define OP(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ)
#define OP_FC(E, PFX, CODE, TEXT, IMM, P1, P2, P3, R, SZ) case CODE: return BIN_OP_##E;
#include "opcodes.def"
#undef OP
#undef OP_FC
    default: return -1;
  }
}
