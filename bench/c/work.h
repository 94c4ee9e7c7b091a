/* The engine workloads: plain C, no libc, no imports. Compiled to wasm32 (every function
 * exported) and natively with gcc for the physical limit. Each bench_* function takes one
 * size argument and returns an i32 checksum that every engine must reproduce. */
#ifndef BENCH_WORK_H
#define BENCH_WORK_H

#include <stddef.h>
#include <stdint.h>

int32_t bench_fib(int32_t n);          /* naive recursive Fibonacci */
int32_t bench_coremark(int32_t iters); /* list, matrix and state-machine work, CoreMark-like */
int32_t bench_nbody(int32_t steps);    /* 5-body simulation in f64; energy * 1e9 */
int32_t bench_sha256(int32_t kib);     /* SHA-256 of kib KiB of pseudo-random bytes */
int32_t bench_parse(int32_t passes);   /* tokenise and parse 64 KiB of a config-like text */

/* No libc: the few helpers the workloads need. */
static inline uint32_t work_xorshift32(uint32_t *s) {
  uint32_t x = *s;
  x ^= x << 13;
  x ^= x >> 17;
  x ^= x << 5;
  return *s = x;
}

static inline uint32_t work_crc32c_byte(uint32_t crc, uint8_t b) {
  crc ^= b;
  for (int k = 0; k < 8; k++) crc = (crc >> 1) ^ (0x82F63B78u & (0u - (crc & 1u)));
  return crc;
}

#endif
