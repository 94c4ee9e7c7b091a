/* Naive recursive Fibonacci: calls, returns and a compare-and-branch per call. */
#include "work.h"

static int32_t fib(int32_t n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

int32_t bench_fib(int32_t n) { return fib(n); }
