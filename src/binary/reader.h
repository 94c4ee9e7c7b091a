/* reader.h — bounds-checked cursor over module bytes with LEB128 decoding.
 * Every read checks the end; on failure `err` is set (first error wins) and zeroes are
 * returned, so callers may test rd->err once after a group of reads. Messages use the
 * spec interpreter's wording ("unexpected end", "integer representation too long",
 * "integer too large") because spec tests match on them. */
#ifndef ISTHMUS_READER_H
#define ISTHMUS_READER_H

#include "common.h"

typedef struct bin_reader {
  const uint8_t *base; /* start of the module: offsets are reported relative to it */
  const uint8_t *p;
  const uint8_t *end;
  const char *err;     /* static message, NULL while fine */
  size_t err_off;
} bin_reader;

static inline void bin_fail(bin_reader *r, const char *msg) {
  if (!r->err) {
    r->err = msg;
    r->err_off = (size_t)(r->p - r->base);
  }
  r->p = r->end;
}

static inline size_t bin_off(const bin_reader *r) { return (size_t)(r->p - r->base); }
static inline size_t bin_left(const bin_reader *r) { return (size_t)(r->end - r->p); }

static inline uint8_t bin_u8(bin_reader *r) {
  if (CMN_UNLIKELY(r->p >= r->end)) { bin_fail(r, "unexpected end"); return 0; }
  return *r->p++;
}

/* Unsigned LEB128 of at most `bits` bits (32 or 64). */
static inline uint64_t bin_uleb(bin_reader *r, unsigned bits) {
  uint64_t v = 0;
  unsigned shift = 0;
  for (;;) {
    if (CMN_UNLIKELY(r->p >= r->end)) { bin_fail(r, "unexpected end"); return 0; }
    uint8_t b = *r->p++;
    if (shift + 7 >= bits && shift < 64) {
      /* last permitted byte: no continuation, and unused high bits must be zero */
      if (b & 0x80) { r->p--; bin_fail(r, "integer representation too long"); return 0; }
      unsigned used = bits - shift;
      if (used < 7 && (b >> used) != 0) { r->p--; bin_fail(r, "integer too large"); return 0; }
      return v | ((uint64_t)b << shift);
    }
    v |= (uint64_t)(b & 0x7F) << shift;
    if (!(b & 0x80)) return v;
    shift += 7;
  }
}

/* Signed LEB128 of at most `bits` bits (32, 33 or 64). */
static inline int64_t bin_sleb(bin_reader *r, unsigned bits) {
  uint64_t v = 0;
  unsigned shift = 0;
  for (;;) {
    if (CMN_UNLIKELY(r->p >= r->end)) { bin_fail(r, "unexpected end"); return 0; }
    uint8_t b = *r->p++;
    if (shift + 7 >= bits) {
      if (b & 0x80) { r->p--; bin_fail(r, "integer representation too long"); return 0; }
      /* the unused high bits must all equal the sign bit */
      unsigned used = bits - shift; /* 1..7 bits of payload */
      if (used < 7) {
        int8_t sb = (int8_t)(b << 1) >> 1; /* sign-extend 7-bit group */
        int8_t top = (int8_t)(sb >> (used - 1));
        if (top != 0 && top != -1) { r->p--; bin_fail(r, "integer too large"); return 0; }
      }
      v |= (uint64_t)(b & 0x7F) << shift;
      shift += 7;
      if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
      return (int64_t)v;
    }
    v |= (uint64_t)(b & 0x7F) << shift;
    shift += 7;
    if (!(b & 0x80)) {
      if (shift < 64 && (b & 0x40)) v |= ~(uint64_t)0 << shift;
      return (int64_t)v;
    }
  }
}

static inline uint32_t bin_u32(bin_reader *r) { return (uint32_t)bin_uleb(r, 32); }
static inline int32_t bin_s32(bin_reader *r) { return (int32_t)bin_sleb(r, 32); }
static inline int64_t bin_s64(bin_reader *r) { return bin_sleb(r, 64); }

static inline uint32_t bin_fixed32(bin_reader *r) {
  if (CMN_UNLIKELY(bin_left(r) < 4)) { bin_fail(r, "unexpected end"); return 0; }
  uint32_t v;
  memcpy(&v, r->p, 4); /* wasm is little-endian, as are the hosts we build for */
  r->p += 4;
  return v;
}

static inline uint64_t bin_fixed64(bin_reader *r) {
  if (CMN_UNLIKELY(bin_left(r) < 8)) { bin_fail(r, "unexpected end"); return 0; }
  uint64_t v;
  memcpy(&v, r->p, 8);
  r->p += 8;
  return v;
}

#endif
