/* A freestanding C module (no WASI): exported compute kernels with known answers. */
#include <stdint.h>

#ifdef NATIVE
#define EXPORT(name)
#else
#define EXPORT(name) __attribute__((export_name(name)))
#endif

EXPORT("fib") int fib(int n) { return n < 2 ? n : fib(n - 1) + fib(n - 2); }

static uint8_t buf[65536];

EXPORT("checksum") uint32_t checksum(uint32_t n) {
  uint32_t h = 2166136261u;
  for (uint32_t i = 0; i < n && i < sizeof buf; i++) buf[i] = (uint8_t)(i * 7 + 3);
  for (uint32_t i = 0; i < n && i < sizeof buf; i++) h = (h ^ buf[i]) * 16777619u;
  return h;
}

EXPORT("fsum") double fsum(int n) {
  double s = 0;
  for (int i = 1; i <= n; i++) s += 1.0 / ((double)i * i);
  return s;
}

EXPORT("sort") int64_t sort(int n) {
  static int64_t a[4096];
  if (n > 4096) n = 4096;
  uint64_t x = 88172645463325252ull;
  for (int i = 0; i < n; i++) { x ^= x << 13; x ^= x >> 7; x ^= x << 17; a[i] = (int64_t)(x % 100000); }
  for (int i = 1; i < n; i++) { int64_t v = a[i]; int j = i - 1; while (j >= 0 && a[j] > v) { a[j + 1] = a[j]; j--; } a[j + 1] = v; }
  int64_t ok = 1;
  for (int i = 1; i < n; i++) if (a[i - 1] > a[i]) ok = 0;
  return ok * a[n / 2];
}
