/* Native driver of the engine workloads (gcc -O2): the physical limit.
 *   native_call FUNC ARG REPS   ->  one line per call: ns=<ns> result=<i32> */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "work.h"

static const struct {
  const char *name;
  int32_t (*fn)(int32_t);
} funcs[] = {
    {"bench_fib", bench_fib},       {"bench_coremark", bench_coremark}, {"bench_nbody", bench_nbody},
    {"bench_sha256", bench_sha256}, {"bench_parse", bench_parse},
};

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

int main(int argc, char **argv) {
  if (argc != 4) {
    fprintf(stderr, "usage: native_call FUNC ARG REPS\n");
    return 2;
  }
  int32_t (*volatile fn)(int32_t) = 0;
  for (size_t i = 0; i < sizeof funcs / sizeof funcs[0]; i++)
    if (strcmp(funcs[i].name, argv[1]) == 0) fn = funcs[i].fn;
  if (!fn) {
    fprintf(stderr, "native_call: unknown function %s\n", argv[1]);
    return 2;
  }
  int32_t arg = (int32_t)atoi(argv[2]);
  int reps = atoi(argv[3]);
  for (int r = 0; r < reps; r++) {
    long long t0 = now_ns();
    int32_t res = fn(arg);
    long long t1 = now_ns();
    printf("ns=%lld result=%d\n", t1 - t0, res);
  }
  return 0;
}
