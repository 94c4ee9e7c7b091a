/* clock_res_get and clock_time_get for the four clocks, and libc's clock_gettime and time.
 * (Unknown clocks: see efault.c.) */
#include <time.h>

#include "wt.h"

static const char *const clock_names[] = {"realtime", "monotonic", "process_cputime", "thread_cputime"};

static uint64_t now(__wasi_clockid_t id) {
  __wasi_timestamp_t t = 0;
  if (__wasi_clock_time_get(id, 1, &t) != 0) return 0;
  return t;
}

int main(void) {
  char what[80];
  for (__wasi_clockid_t id = 0; id < 4; id++) {
    __wasi_timestamp_t res = 0, t = 0;
    snprintf(what, sizeof what, "clock_res_get(%s)", clock_names[id]);
    wt_errno(what, __wasi_clock_res_get(id, &res));
    snprintf(what, sizeof what, "%s resolution in (0, 1ms]", clock_names[id]);
    wt_check(what, res > 0 && res <= 1000000, NULL);
    snprintf(what, sizeof what, "clock_time_get(%s)", clock_names[id]);
    wt_errno(what, __wasi_clock_time_get(id, 0, &t));
  }

  /* Realtime: after 2023-01-01 and before 2100-01-01, and within a second of libc's time(). */
  uint64_t rt = now(__WASI_CLOCKID_REALTIME);
  wt_check("realtime is a plausible date", rt > 1672531200ull * 1000000000ull && rt < 4102444800ull * 1000000000ull,
           NULL);
  time_t secs = time(NULL);
  wt_check("time() agrees with realtime", (uint64_t)secs + 1 >= rt / 1000000000ull && (uint64_t)secs <= rt / 1000000000ull + 1,
           NULL);

  /* Monotonic: never goes back, and moves. */
  uint64_t prev = now(__WASI_CLOCKID_MONOTONIC), first = prev;
  int backwards = 0;
  for (int i = 0; i < 100000; i++) {
    uint64_t t = now(__WASI_CLOCKID_MONOTONIC);
    if (t < prev) backwards++;
    prev = t;
  }
  wt_check("monotonic never goes back", backwards == 0, NULL);
  wt_check("monotonic moves", prev > first, NULL);

  /* CPU time grows with work. */
  uint64_t c0 = now(__WASI_CLOCKID_PROCESS_CPUTIME_ID), t0 = now(__WASI_CLOCKID_THREAD_CPUTIME_ID);
  volatile uint32_t x = 1;
  for (uint32_t i = 0; i < 20000000; i++) x = x * 1664525u + 1013904223u;
  uint64_t c1 = now(__WASI_CLOCKID_PROCESS_CPUTIME_ID), t1 = now(__WASI_CLOCKID_THREAD_CPUTIME_ID);
  wt_check("process cputime grows with work", c1 > c0, NULL);
  wt_check("thread cputime grows with work", t1 > t0, NULL);

  struct timespec ts;
  wt_libc("clock_gettime(CLOCK_MONOTONIC)", clock_gettime(CLOCK_MONOTONIC, &ts));
  wt_libc("clock_getres(CLOCK_REALTIME)", clock_getres(CLOCK_REALTIME, &ts));
  return 0;
}
