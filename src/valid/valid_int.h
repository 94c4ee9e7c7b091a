/* valid_int.h — internals shared by the module-level (valid.c) and function-body
 * (valid_code.c) halves of the validator. */
#ifndef ISTHMUS_VALID_INT_H
#define ISTHMUS_VALID_INT_H

#include "valid.h"

/* Working storage reused across all function bodies of one module: the operand stack (one
 * byte per value: its valtype, 0 for "unknown" in unreachable code) and the control stack.
 * Grown as needed, freed by vld_ctx_free. */
typedef struct vld_ctrl vld_ctrl;
typedef struct vld_ctx {
  isthmus_module *m;
  uint8_t *vals;
  uint32_t vcap;
  vld_ctrl *ctrls;
  uint32_t ccap;
  uint8_t *kinds; /* block kinds for the decode-only scan */
  uint32_t kcap;
} vld_ctx;

CMN_HIDDEN void vld_ctx_free(vld_ctx *c);

/* Validates the body of defined function `fi` (decoding included) and fills its max_stack
 * and max_depth. The function's type index must already be known to be in range. */
CMN_HIDDEN isthmus_error *vld_code(vld_ctx *c, uint32_t fi);

/* Decode-only pass over the bodies of functions first..num_funcs-1: finds the errors the
 * spec calls malformed (bad opcodes, immediates, missing `end`, data count section needed)
 * without typing. The spec decodes the whole module before it validates anything, so such
 * an error wins over a validation error found earlier. Returns NULL when none. */
CMN_HIDDEN isthmus_error *vld_scan_malformed(vld_ctx *c, uint32_t first);

/* "i32", "funcref", ...; "?" for an unknown byte. */
CMN_HIDDEN const char *vld_type_name(uint8_t t);

/* True for the value types of WebAssembly 2.0 (v128 included). */
static inline bool vld_is_valtype(uint8_t t) {
  return (t >= ISTHMUS_V128 && t <= ISTHMUS_I32) || t == ISTHMUS_FUNCREF || t == ISTHMUS_EXTERNREF;
}
static inline bool vld_is_reftype(uint8_t t) {
  return t == ISTHMUS_FUNCREF || t == ISTHMUS_EXTERNREF;
}

#endif
