/* valid.h — validation of a decoded module (WebAssembly 2.0 without SIMD). */
#ifndef ISTHMUS_VALID_H
#define ISTHMUS_VALID_H

#include "module.h"

/* Validates every part of m: types of imports/exports, limits, constant expressions,
 * segments, the start function, and every function body (instruction decoding included:
 * a body's malformed immediates or unknown opcodes come back as ISTHMUS_ERR_MALFORMED).
 * Fills each defined bin_func's max_stack and max_depth. Returns NULL when m is valid,
 * else an error with the spec's wording, the byte offset, and the function index. */
CMN_HIDDEN isthmus_error *vld_module(isthmus_module *m);

#endif
