/* common.h — small helpers shared by every part: allocation, growable arrays, errors. */
#ifndef ISTHMUS_COMMON_H
#define ISTHMUS_COMMON_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "isthmus.h"

#define CMN_HIDDEN __attribute__((visibility("hidden")))
#define CMN_LIKELY(x) __builtin_expect(!!(x), 1)
#define CMN_UNLIKELY(x) __builtin_expect(!!(x), 0)
#define CMN_ARRAY_LEN(a) (sizeof(a) / sizeof((a)[0]))

/* Allocation that never returns NULL for a non-zero size: out of memory aborts with a message.
 * Used for engine-internal bookkeeping; guest-controlled sizes are checked against limits
 * before they reach an allocator. */
CMN_HIDDEN void *cmn_xmalloc(size_t n);
CMN_HIDDEN void *cmn_xcalloc(size_t count, size_t size);
CMN_HIDDEN void *cmn_xrealloc(void *p, size_t n);
CMN_HIDDEN char *cmn_xstrndup(const char *s, size_t n);

/* Growable array: struct { T *items; size_t len, cap; }. */
#define CMN_VEC(T) struct { T *items; size_t len, cap; }
#define cmn_vec_push(v, x)                                                            \
  do {                                                                                \
    if ((v).len == (v).cap) {                                                         \
      (v).cap = (v).cap ? (v).cap * 2 : 8;                                            \
      (v).items = cmn_xrealloc((v).items, (v).cap * sizeof(*(v).items));              \
    }                                                                                 \
    (v).items[(v).len++] = (x);                                                       \
  } while (0)
#define cmn_vec_free(v) (free((v).items), (v).items = NULL, (v).len = (v).cap = 0)

/* The error object behind isthmus_error. */
struct isthmus_error {
  isthmus_error_kind kind;
  int64_t offset; /* -1 when none */
  int64_t func;   /* -1 when none */
  char *message;
};

/* printf-style constructor. */
CMN_HIDDEN isthmus_error *cmn_error(isthmus_error_kind kind, int64_t offset, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* True when bytes[0..len) is valid UTF-8 (no overlongs, no surrogates, <= U+10FFFF). */
CMN_HIDDEN bool cmn_utf8_valid(const uint8_t *s, size_t len);

#endif
