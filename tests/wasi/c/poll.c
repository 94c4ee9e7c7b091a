/* poll_oneoff with clock subscriptions (relative and absolute, monotonic and realtime),
 * several at once, mixed with fd subscriptions on a file; libc's nanosleep, usleep, sleep;
 * the errors: no subscriptions (EINVAL), a bad fd (EBADF). */
#include <fcntl.h>
#include <time.h>
#include <unistd.h>

#include "wt.h"

static uint64_t mono(void) {
  __wasi_timestamp_t t = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_MONOTONIC, 1, &t);
  return t;
}

static __wasi_subscription_t clock_sub(uint64_t userdata, __wasi_clockid_t id, uint64_t timeout, int abs) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = userdata;
  s.u.tag = __WASI_EVENTTYPE_CLOCK;
  s.u.u.clock.id = id;
  s.u.u.clock.timeout = timeout;
  s.u.u.clock.precision = 0;
  s.u.u.clock.flags = abs ? __WASI_SUBCLOCKFLAGS_SUBSCRIPTION_CLOCK_ABSTIME : 0;
  return s;
}

static __wasi_subscription_t fd_sub(uint64_t userdata, uint8_t type, __wasi_fd_t fd) {
  __wasi_subscription_t s;
  memset(&s, 0, sizeof s);
  s.userdata = userdata;
  s.u.tag = type;
  s.u.u.fd_read.file_descriptor = fd;
  return s;
}

static void sleep_check(const char *what, uint64_t t0, uint64_t min_ms) {
  uint64_t ms = (mono() - t0) / 1000000;
  char detail[64];
  snprintf(detail, sizeof detail, "(slept %llu ms)", (unsigned long long)ms);
  /* Generous upper bound: a loaded machine may be slow, but not by seconds. */
  wt_check(what, ms >= min_ms && ms < min_ms + 3000, detail);
}

int main(void) {
  __wasi_subscription_t subs[4];
  __wasi_event_t ev[4];
  __wasi_size_t n = 0;

  /* One relative monotonic timeout. */
  subs[0] = clock_sub(42, __WASI_CLOCKID_MONOTONIC, 50000000, 0);
  uint64_t t0 = mono();
  wt_errno("relative 50ms", __wasi_poll_oneoff(subs, ev, 1, &n));
  sleep_check("relative 50ms waited", t0, 50);
  printf("events=%u userdata=%llu error=%s type=%u\n", (unsigned)n, (unsigned long long)ev[0].userdata,
         wt_errname(ev[0].error), ev[0].type);

  /* Absolute monotonic deadline 60ms ahead. */
  t0 = mono();
  subs[0] = clock_sub(7, __WASI_CLOCKID_MONOTONIC, t0 + 60000000, 1);
  wt_errno("absolute monotonic", __wasi_poll_oneoff(subs, ev, 1, &n));
  sleep_check("absolute monotonic waited", t0, 60);
  printf("events=%u userdata=%llu\n", (unsigned)n, (unsigned long long)ev[0].userdata);

  /* Absolute realtime deadline 40ms ahead. */
  __wasi_timestamp_t rt = 0;
  (void)__wasi_clock_time_get(__WASI_CLOCKID_REALTIME, 1, &rt);
  t0 = mono();
  subs[0] = clock_sub(8, __WASI_CLOCKID_REALTIME, rt + 40000000, 1);
  wt_errno("absolute realtime", __wasi_poll_oneoff(subs, ev, 1, &n));
  sleep_check("absolute realtime waited", t0, 35);

  /* An absolute deadline in the past fires at once. */
  t0 = mono();
  subs[0] = clock_sub(9, __WASI_CLOCKID_MONOTONIC, 1, 1);
  wt_errno("absolute deadline in the past", __wasi_poll_oneoff(subs, ev, 1, &n));
  sleep_check("past deadline returned at once", t0, 0);
  printf("events=%u userdata=%llu\n", (unsigned)n, (unsigned long long)ev[0].userdata);

  /* Relative timeout 0 fires at once. */
  subs[0] = clock_sub(10, __WASI_CLOCKID_MONOTONIC, 0, 0);
  wt_errno("relative 0", __wasi_poll_oneoff(subs, ev, 1, &n));
  printf("events=%u userdata=%llu\n", (unsigned)n, (unsigned long long)ev[0].userdata);

  /* Three timers: only the earliest (30ms) fires. */
  subs[0] = clock_sub(1, __WASI_CLOCKID_MONOTONIC, 2000000000, 0);
  subs[1] = clock_sub(2, __WASI_CLOCKID_MONOTONIC, 30000000, 0);
  subs[2] = clock_sub(3, __WASI_CLOCKID_MONOTONIC, 900000000, 0);
  t0 = mono();
  wt_errno("three timers", __wasi_poll_oneoff(subs, ev, 3, &n));
  sleep_check("three timers: earliest waited", t0, 30);
  printf("events=%u first userdata=%llu\n", (unsigned)n, (unsigned long long)ev[0].userdata);

  /* A regular file is always ready: fd_read and fd_write fire before a long timer. */
  int fd = open(WT_DIR "/poll.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  wt_check("open poll.txt", fd >= 0, NULL);
  (void)!write(fd, "0123456789", 10);
  lseek(fd, 3, SEEK_SET);
  subs[0] = clock_sub(100, __WASI_CLOCKID_MONOTONIC, 5000000000ull, 0);
  subs[1] = fd_sub(101, __WASI_EVENTTYPE_FD_READ, (__wasi_fd_t)fd);
  subs[2] = fd_sub(102, __WASI_EVENTTYPE_FD_WRITE, (__wasi_fd_t)fd);
  t0 = mono();
  wt_errno("file read+write+timer", __wasi_poll_oneoff(subs, ev, 3, &n));
  sleep_check("file subscriptions did not wait", t0, 0);
  int got_read = 0, got_write = 0, got_clock = 0;
  for (__wasi_size_t i = 0; i < n; i++) {
    if (ev[i].userdata == 101 && ev[i].type == __WASI_EVENTTYPE_FD_READ && ev[i].error == 0) got_read = 1;
    if (ev[i].userdata == 102 && ev[i].type == __WASI_EVENTTYPE_FD_WRITE && ev[i].error == 0) got_write = 1;
    if (ev[i].userdata == 100) got_clock = 1;
  }
  printf("file events: read=%d write=%d clock=%d\n", got_read, got_write, got_clock);

  /* An fd subscription on a closed fd reports EBADF in its event (or the call fails). */
  subs[0] = fd_sub(200, __WASI_EVENTTYPE_FD_READ, 1234);
  subs[1] = clock_sub(201, __WASI_CLOCKID_MONOTONIC, 1000000000, 0);
  __wasi_errno_t e = __wasi_poll_oneoff(subs, ev, 2, &n);
  int badf = e == __WASI_ERRNO_BADF;
  for (__wasi_size_t i = 0; e == 0 && i < n; i++)
    if (ev[i].userdata == 200 && ev[i].error == __WASI_ERRNO_BADF) badf = 1;
  wt_check("fd subscription on a bad fd gives EBADF", badf, wt_errname(e));

  /* Errors of the call itself. */
  wt_errno("no subscriptions", __wasi_poll_oneoff(subs, ev, 0, &n));

  /* libc's sleeps, which are poll_oneoff underneath. */
  struct timespec ts = {0, 20000000};
  t0 = mono();
  wt_libc("nanosleep 20ms", nanosleep(&ts, NULL));
  sleep_check("nanosleep waited", t0, 20);
  t0 = mono();
  wt_libc("usleep 15000", usleep(15000));
  sleep_check("usleep waited", t0, 15);
  t0 = mono();
  wt_errno("clock_nanosleep absolute", clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME,
                                                      &(struct timespec){(time_t)((t0 + 25000000) / 1000000000),
                                                                         (long)((t0 + 25000000) % 1000000000)},
                                                      NULL));
  sleep_check("clock_nanosleep absolute waited", t0, 25);
  return 0;
}
