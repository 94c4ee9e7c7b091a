/* core.c — args, environ, clocks, random, proc_exit/proc_raise, sched_yield, and the table of
 * the core WASI functions (wasi_core_defs).
 *
 * proc_raise: a sandbox has no signal handlers, so raising a signal applies its default
 * action to the guest alone. Signals whose default action ends a process (HUP, INT, QUIT, ILL,
 * TRAP, ABRT, BUS, FPE, KILL, USR1, SEGV, USR2, PIPE, ALRM, TERM, XCPU, XFSZ, VTALRM, PROF,
 * POLL, PWR, SYS) end the guest with an exit trap whose code is 128 + the POSIX signal number
 * (what a shell reports for a process killed by it: SIGABRT → 134). Signals whose default is
 * to be ignored (CHLD, CONT, URG, WINCH) and the job-control stops (STOP, TSTP, TTIN, TTOU;
 * there is no job control inside a sandbox) do nothing and return success, as does signal 0.
 * A number outside WASI's signal enum is EINVAL. No host signal is ever raised. */
#include <errno.h>
#include <sched.h>
#include <signal.h>
#include <sys/random.h>
#include <time.h>

#include "core_int.h"

/* ---------------------------------------------------------------- args and environ */

/* Writes the pointer array (n u32 pointers into buf_ptr) and the string block. */
static uint16_t put_strings(isthmus_caller *c, uint32_t ptrs, uint32_t buf_ptr, const char *block, size_t len,
                            size_t n) {
  uint8_t *pv = wasi_mem(c, ptrs, (uint64_t)n * 4);
  uint8_t *bv = wasi_mem(c, buf_ptr, len);
  if (!pv || !bv) return WASI_EFAULT;
  size_t off = 0;
  for (size_t i = 0; i < n; i++) {
    wasi_st32(pv + 4 * i, (uint32_t)(buf_ptr + off));
    off += strlen(block + off) + 1;
  }
  memmove(bv, block, len);
  return WASI_ESUCCESS;
}

isthmus_trap *wasi_args_get(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  WASI_RET(cells, put_strings(c, (uint32_t)cells[0], (uint32_t)cells[1], w->args_buf, w->args_len, w->argc));
}

isthmus_trap *wasi_environ_get(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  WASI_RET(cells, put_strings(c, (uint32_t)cells[0], (uint32_t)cells[1], w->env_buf, w->env_len, w->envc));
}

static uint16_t put_sizes(isthmus_caller *c, uint32_t count_ptr, uint32_t size_ptr, size_t n, size_t len) {
  uint8_t *a = wasi_mem(c, count_ptr, 4), *b = wasi_mem(c, size_ptr, 4);
  if (!a || !b) return WASI_EFAULT;
  wasi_st32(a, (uint32_t)n);
  wasi_st32(b, (uint32_t)len);
  return WASI_ESUCCESS;
}

isthmus_trap *wasi_args_sizes_get(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  WASI_RET(cells, put_sizes(c, (uint32_t)cells[0], (uint32_t)cells[1], w->argc, w->args_len));
}

isthmus_trap *wasi_environ_sizes_get(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  WASI_RET(cells, put_sizes(c, (uint32_t)cells[0], (uint32_t)cells[1], w->envc, w->env_len));
}

/* ---------------------------------------------------------------- clocks */

/* WASI clockid → host clock; false for an unknown id. The process CPU clock is the host
 * process's (the guest runs inside it); the thread CPU clock is the calling thread's. */
static bool host_clock(uint32_t id, clockid_t *out) {
  switch (id) {
  case 0: *out = CLOCK_REALTIME; return true;
  case 1: *out = CLOCK_MONOTONIC; return true;
  case 2: *out = CLOCK_PROCESS_CPUTIME_ID; return true;
  case 3: *out = CLOCK_THREAD_CPUTIME_ID; return true;
  default: return false;
  }
}

static uint64_t ts_ns(const struct timespec *t) {
  if (t->tv_sec < 0) return 0;
  return (uint64_t)t->tv_sec * 1000000000u + (uint64_t)t->tv_nsec;
}

isthmus_trap *wasi_clock_res_get(void *env, isthmus_caller *c, uint64_t *cells) {
  clockid_t id;
  struct timespec t;
  if (!host_clock((uint32_t)cells[0], &id)) WASI_RET(cells, WASI_EINVAL);
  if (clock_getres(id, &t) < 0) WASI_RET(cells, wasi_errno(errno));
  uint64_t ns = ts_ns(&t);
  WASI_RET(cells, wasi_put64(c, (uint32_t)cells[1], ns ? ns : 1) ? WASI_ESUCCESS : WASI_EFAULT);
}

isthmus_trap *wasi_clock_time_get(void *env, isthmus_caller *c, uint64_t *cells) {
  clockid_t id;
  struct timespec t;
  if (!host_clock((uint32_t)cells[0], &id)) WASI_RET(cells, WASI_EINVAL);
  /* cells[1] is the precision the guest can live with: every clock here is exact to 1 ns */
  if (clock_gettime(id, &t) < 0) WASI_RET(cells, wasi_errno(errno));
  WASI_RET(cells, wasi_put64(c, (uint32_t)cells[2], ts_ns(&t)) ? WASI_ESUCCESS : WASI_EFAULT);
}

/* ---------------------------------------------------------------- process */

isthmus_trap *wasi_proc_exit(void *env, isthmus_caller *c, uint64_t *cells) {
  return isthmus_trap_new_exit((int32_t)(uint32_t)cells[0]);
}

isthmus_trap *wasi_proc_raise(void *env, isthmus_caller *c, uint64_t *cells) {
  enum { IGNORE = 0 };
  /* WASI signal number → POSIX number when the default action ends the process, else 0 */
  static const int fatal[31] = {
      [1] = SIGHUP,   [2] = SIGINT,     [3] = SIGQUIT,   [4] = SIGILL,   [5] = SIGTRAP, [6] = SIGABRT,
      [7] = SIGBUS,   [8] = SIGFPE,     [9] = SIGKILL,   [10] = SIGUSR1, [11] = SIGSEGV, [12] = SIGUSR2,
      [13] = SIGPIPE, [14] = SIGALRM,   [15] = SIGTERM,  [16] = IGNORE /* CHLD */, [17] = IGNORE /* CONT */,
      [18] = IGNORE /* STOP */, [19] = IGNORE /* TSTP */, [20] = IGNORE /* TTIN */, [21] = IGNORE /* TTOU */,
      [22] = IGNORE /* URG */, [23] = SIGXCPU, [24] = SIGXFSZ, [25] = SIGVTALRM, [26] = SIGPROF,
      [27] = IGNORE /* WINCH */, [28] = SIGPOLL, [29] = SIGPWR, [30] = SIGSYS,
  };
  uint32_t sig = (uint32_t)cells[0];
  if (sig >= CMN_ARRAY_LEN(fatal)) WASI_RET(cells, WASI_EINVAL);
  if (fatal[sig]) return isthmus_trap_new_exit(128 + fatal[sig]);
  WASI_RET(cells, WASI_ESUCCESS);
}

isthmus_trap *wasi_sched_yield(void *env, isthmus_caller *c, uint64_t *cells) {
  sched_yield();
  WASI_RET(cells, WASI_ESUCCESS);
}

isthmus_trap *wasi_random_get(void *env, isthmus_caller *c, uint64_t *cells) {
  uint32_t ptr = (uint32_t)cells[0], len = (uint32_t)cells[1];
  uint8_t *p = wasi_mem(c, ptr, len);
  if (!p) WASI_RET(cells, WASI_EFAULT);
  size_t done = 0;
  while (done < len) {
    ssize_t r = getrandom(p + done, len - done, 0);
    if (r < 0) {
      if (errno == EINTR) continue;
      WASI_RET(cells, wasi_errno(errno));
    }
    done += (size_t)r;
  }
  WASI_RET(cells, WASI_ESUCCESS);
}

/* ---------------------------------------------------------------- the table */

const wasi_def wasi_core_defs[] = {
    {"args_get", "ii->i", wasi_args_get},
    {"args_sizes_get", "ii->i", wasi_args_sizes_get},
    {"environ_get", "ii->i", wasi_environ_get},
    {"environ_sizes_get", "ii->i", wasi_environ_sizes_get},
    {"clock_res_get", "ii->i", wasi_clock_res_get},
    {"clock_time_get", "iIi->i", wasi_clock_time_get},
    {"proc_exit", "i->", wasi_proc_exit},
    {"proc_raise", "i->i", wasi_proc_raise},
    {"sched_yield", "->i", wasi_sched_yield},
    {"random_get", "ii->i", wasi_random_get},
    {"fd_read", "iiii->i", wasi_fd_read},
    {"fd_write", "iiii->i", wasi_fd_write},
    {"fd_pread", "iiiIi->i", wasi_fd_pread},
    {"fd_pwrite", "iiiIi->i", wasi_fd_pwrite},
    {"fd_seek", "iIii->i", wasi_fd_seek},
    {"fd_tell", "ii->i", wasi_fd_tell},
    {"fd_close", "i->i", wasi_fd_close},
    {"fd_sync", "i->i", wasi_fd_sync},
    {"fd_datasync", "i->i", wasi_fd_datasync},
    {"fd_advise", "iIIi->i", wasi_fd_advise},
    {"fd_allocate", "iII->i", wasi_fd_allocate},
    {"fd_fdstat_get", "ii->i", wasi_fd_fdstat_get},
    {"fd_fdstat_set_flags", "ii->i", wasi_fd_fdstat_set_flags},
    {"fd_fdstat_set_rights", "iII->i", wasi_fd_fdstat_set_rights},
    {"fd_renumber", "ii->i", wasi_fd_renumber},
    {"poll_oneoff", "iiii->i", wasi_poll_oneoff},
    {"sock_accept", "iii->i", wasi_sock_accept},
    {"sock_recv", "iiiiii->i", wasi_sock_recv},
    {"sock_send", "iiiii->i", wasi_sock_send},
    {"sock_shutdown", "ii->i", wasi_sock_shutdown},
};
const size_t wasi_core_ndefs = CMN_ARRAY_LEN(wasi_core_defs);
