/* poll.c — poll_oneoff (clock and fd subscriptions over ppoll(2)) and the sock_* calls on
 * host sockets.
 *
 * poll_oneoff: a clock subscription on the realtime or monotonic clock (relative, or absolute
 * with subscription_clock_abstime) becomes a deadline on that clock; fd subscriptions on host
 * descriptors become pollfds; callback and null streams are always ready. The call waits in
 * ppoll until an fd is ready or the nearest deadline passes, recomputing the time left after
 * each wake-up, so a clock-only call really sleeps. A signal that interrupts the wait does not
 * end the call early (Go's runtime throws on any errno from a sleep but 0), so the guest never
 * sees EINTR. Bad fds, missing rights and unsupported clocks are reported per event (its
 * error field), never as the call's errno; the call itself fails only for nsubscriptions == 0
 * (EINVAL), more than WASI_POLL_MAX subscriptions (EINVAL), an unknown event type (EINVAL) or a
 * bad pointer (EFAULT). */
#define _GNU_SOURCE /* ppoll, accept4 */
#include <errno.h>
#include <poll.h>
#include <sys/ioctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core_int.h"

#define ARG32(i) ((uint32_t)cells[i])

#define WASI_POLL_MAX 65536u
#define SUB_SIZE 48
#define EVENT_SIZE 32
enum { EV_CLOCK = 0, EV_FD_READ = 1, EV_FD_WRITE = 2 };
#define SUBCLOCK_ABSTIME 1u
#define EVENT_HANGUP 1u

typedef struct {
  uint64_t userdata;
  uint64_t deadline;  /* clocks: absolute, in ns of `clock` */
  uint64_t nbytes;
  int pidx;           /* host fds: index in the pollfd array, else -1 */
  int clock;          /* clocks: 0 realtime, 1 monotonic */
  uint16_t error;
  uint16_t flags;
  uint8_t type;
  bool ready;         /* decided without waiting (error, callback or null stream, expired clock) */
} poll_sub;

static uint64_t now_ns(int clock) {
  struct timespec t;
  clock_gettime(clock == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC, &t);
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

/* Bytes that a read would return now, where the host can tell (0 otherwise). */
static uint64_t readable_bytes(int hfd, uint8_t filetype) {
  if (filetype == WASI_FT_REGULAR_FILE) {
    struct stat st;
    off_t pos = lseek(hfd, 0, SEEK_CUR);
    if (fstat(hfd, &st) < 0 || pos < 0 || st.st_size <= pos) return 0;
    return (uint64_t)(st.st_size - pos);
  }
  int n = 0;
  if (ioctl(hfd, FIONREAD, &n) < 0 || n < 0) return 0;
  return (uint64_t)n;
}

/* Reads subscription k into s; host fds get a pollfd. Returns 0 or EINVAL (bad event type). */
static uint16_t parse_sub(isthmus_wasi *w, const uint8_t *in, poll_sub *s, struct pollfd *pfds, int *npfds) {
  *s = (poll_sub){.userdata = wasi_ld64(in), .type = in[8], .pidx = -1};
  if (s->type == EV_CLOCK) {
    uint32_t id = wasi_ld32(in + 16);
    uint64_t timeout = wasi_ld64(in + 24);
    uint16_t flags = wasi_ld16(in + 40);
    if (id > 1) { /* the CPU-time clocks cannot be waited on; unknown ids are invalid */
      s->error = id <= 3 ? WASI_ENOTSUP : WASI_EINVAL;
      s->ready = true;
      return WASI_ESUCCESS;
    }
    s->clock = (int)id;
    if (flags & SUBCLOCK_ABSTIME) {
      s->deadline = timeout;
    } else {
      uint64_t now = now_ns(s->clock);
      s->deadline = timeout > UINT64_MAX - now ? UINT64_MAX : now + timeout;
    }
    return WASI_ESUCCESS;
  }
  if (s->type != EV_FD_READ && s->type != EV_FD_WRITE) return WASI_EINVAL;
  wasi_fd *f = wasi_fd_get(w, wasi_ld32(in + 16));
  bool reading = s->type == EV_FD_READ;
  /* Per the spec, fd_read (fd_write) implies the right to poll for reading (writing). */
  uint64_t may = WASI_RIGHT_POLL_FD_READWRITE | (reading ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE);
  if (!f) {
    s->error = WASI_EBADF;
    s->ready = true;
  } else if (!(f->rights_base & may)) {
    s->error = WASI_ENOTCAPABLE;
    s->ready = true;
  } else if (f->kind != WASI_FD_HOST) {
    s->ready = true; /* callback and null streams never make a reader or writer wait here */
  } else {
    s->pidx = (*npfds)++;
    pfds[s->pidx] = (struct pollfd){.fd = f->host_fd, .events = reading ? POLLIN : POLLOUT};
  }
  return WASI_ESUCCESS;
}

/* Marks clock subscriptions whose deadline passed; returns the ns until the nearest other one
 * (UINT64_MAX when there is none). */
static uint64_t check_clocks(poll_sub *subs, uint32_t n, bool *any_ready) {
  uint64_t now[2] = {0, 0}, wait = UINT64_MAX;
  bool have[2] = {false, false};
  for (uint32_t i = 0; i < n; i++) {
    poll_sub *s = &subs[i];
    if (s->type != EV_CLOCK || s->ready) {
      if (s->ready) *any_ready = true;
      continue;
    }
    if (!have[s->clock]) now[s->clock] = now_ns(s->clock), have[s->clock] = true;
    if (s->deadline <= now[s->clock]) {
      s->ready = true;
      *any_ready = true;
    } else if (s->deadline - now[s->clock] < wait) {
      wait = s->deadline - now[s->clock];
    }
  }
  return wait;
}

#define POLL_SLICE_NS 20000000u /* 20 ms */

isthmus_trap *wasi_poll_oneoff(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  uint32_t in_ptr = ARG32(0), out_ptr = ARG32(1), n = ARG32(2), nev_ptr = ARG32(3);
  if (n == 0 || n > WASI_POLL_MAX) WASI_RET(cells, WASI_EINVAL);
  const uint8_t *in = wasi_mem(c, in_ptr, (uint64_t)n * SUB_SIZE);
  if (!in || !wasi_mem(c, out_ptr, (uint64_t)n * EVENT_SIZE) || !wasi_mem(c, nev_ptr, 4))
    WASI_RET(cells, WASI_EFAULT);

  poll_sub *subs = malloc(n * sizeof *subs);
  struct pollfd *pfds = malloc(n * sizeof *pfds);
  uint16_t e = WASI_ESUCCESS;
  if (!subs || !pfds) {
    e = WASI_ENOMEM;
    goto done;
  }
  int npfds = 0;
  for (uint32_t i = 0; i < n && !e; i++) e = parse_sub(w, in + (size_t)i * SUB_SIZE, &subs[i], pfds, &npfds);
  if (e) goto done;

  for (;;) {
    bool any_ready = false;
    uint64_t wait = check_clocks(subs, n, &any_ready);
    struct timespec ts, *tp = NULL;
    if (any_ready) wait = 0;
    /* Sleep in slices so that an interrupt of the store (deadline, Ctrl-C) ends a long
     * guest sleep promptly; the guest is stopped with a trap, not an errno (Go's runtime
     * treats any poll_oneoff errno as fatal). */
    if (isthmus_store_interrupt_pending(isthmus_caller_store(c))) {
      free(subs);
      free(pfds);
      return isthmus_trap_new_interrupt();
    }
    if (wait > POLL_SLICE_NS) wait = POLL_SLICE_NS;
    if (wait != UINT64_MAX) {
      ts.tv_sec = (time_t)(wait / 1000000000u);
      ts.tv_nsec = (long)(wait % 1000000000u);
      tp = &ts;
    }
    int r = ppoll(pfds, (nfds_t)npfds, tp, NULL);
    if (r < 0) {
      if (errno == EINTR) continue;
      e = wasi_errno(errno);
      goto done;
    }
    if (r > 0 || any_ready) break;
    /* timed out: the loop marks the clocks that expired (and waits again after an early wake) */
  }
  bool ignored;
  check_clocks(subs, n, &ignored); /* deadlines that passed while an fd became ready */

  /* Collect the events, in subscription order. */
  uint8_t *out = wasi_mem(c, out_ptr, (uint64_t)n * EVENT_SIZE);
  uint32_t nev = 0;
  for (uint32_t i = 0; i < n; i++) {
    poll_sub *s = &subs[i];
    if (s->pidx >= 0) {
      short rev = pfds[s->pidx].revents;
      if (!rev) continue;
      if (rev & POLLNVAL) {
        s->error = WASI_EBADF;
      } else {
        if (rev & POLLHUP) s->flags |= EVENT_HANGUP;
        if (s->type == EV_FD_READ) {
          wasi_fd *f = wasi_fd_get(w, wasi_ld32(in + (size_t)i * SUB_SIZE + 16));
          s->nbytes = f ? readable_bytes(f->host_fd, f->filetype) : 0;
        }
      }
    } else if (!s->ready) {
      continue;
    }
    uint8_t *ev = out + (size_t)nev++ * EVENT_SIZE;
    memset(ev, 0, EVENT_SIZE);
    /* event: u64 userdata @0, u16 error @8, u8 type @10, fd_readwrite {u64 nbytes @16, u16 flags @24} */
    wasi_st64(ev, s->userdata);
    wasi_st16(ev + 8, s->error);
    ev[10] = s->type;
    wasi_st64(ev + 16, s->nbytes);
    wasi_st16(ev + 24, s->flags);
  }
  wasi_put32(c, nev_ptr, nev);

done:
  free(subs);
  free(pfds);
  WASI_RET(cells, e);
}

/* ---------------------------------------------------------------- sockets */

/* The fd as a host socket, after the checks every sock_* call makes. */
static uint16_t sock_get(isthmus_wasi *w, uint32_t fd, uint64_t right, wasi_fd **out) {
  wasi_fd *f = wasi_fd_get(w, fd);
  if (!f) return WASI_EBADF;
  struct stat st;
  if (f->kind != WASI_FD_HOST || fstat(f->host_fd, &st) < 0 || !S_ISSOCK(st.st_mode)) return WASI_ENOTSOCK;
  if (!(f->rights_base & right)) return WASI_ENOTCAPABLE;
  *out = f;
  return WASI_ESUCCESS;
}

isthmus_trap *wasi_sock_accept(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *f;
  uint32_t flags = ARG32(1), result_ptr = ARG32(2);
  uint16_t e = sock_get(w, ARG32(0), WASI_RIGHT_SOCK_ACCEPT, &f);
  if (e) WASI_RET(cells, e);
  if (flags & ~WASI_FDFLAG_NONBLOCK) WASI_RET(cells, WASI_EINVAL);
  if (!wasi_mem(c, result_ptr, 4)) WASI_RET(cells, WASI_EFAULT);
  int h;
  int sflags = SOCK_CLOEXEC | (flags & WASI_FDFLAG_NONBLOCK ? SOCK_NONBLOCK : 0);
  for (;;) {
    if (wasi_shared_not_ready(f, POLLIN)) WASI_RET(cells, WASI_EAGAIN);
    if ((h = accept4(f->host_fd, NULL, NULL, sflags)) >= 0) break;
    if (errno != EINTR && !wasi_shared_retry(f, POLLIN)) WASI_RET(cells, wasi_errno(errno));
  }
  uint64_t inherit = f->rights_inheriting; /* f is stale once the table grows */
  uint8_t ft;
  uint64_t rights;
  uint16_t fdflags;
  if (!wasi_describe_host_fd(h, &ft, &rights, &fdflags)) {
    e = wasi_errno(errno);
    close(h);
    WASI_RET(cells, e);
  }
  int64_t nfd = wasi_fd_alloc(w);
  if (nfd < 0) {
    close(h);
    WASI_RET(cells, WASI_EMFILE);
  }
  rights &= inherit;
  w->fds[nfd] = (wasi_fd){.kind = WASI_FD_HOST, .host_fd = h, .filetype = ft, .fdflags = fdflags,
                          .rights_base = rights, .rights_inheriting = rights};
  wasi_put32(c, result_ptr, (uint32_t)nfd);
  WASI_RET(cells, WASI_ESUCCESS);
}

isthmus_trap *wasi_sock_recv(void *env, isthmus_caller *c, uint64_t *cells) {
  enum { RECV_PEEK = 1, RECV_WAITALL = 2, RECV_DATA_TRUNCATED = 1 };
  wasi_fd *f;
  uint32_t riflags = ARG32(3), len_ptr = ARG32(4), flags_ptr = ARG32(5);
  uint16_t e = sock_get(env, ARG32(0), WASI_RIGHT_FD_READ, &f);
  if (e) WASI_RET(cells, e);
  if (riflags & ~(uint32_t)(RECV_PEEK | RECV_WAITALL)) WASI_RET(cells, WASI_EINVAL);
  if (!wasi_mem(c, len_ptr, 4) || !wasi_mem(c, flags_ptr, 2)) WASI_RET(cells, WASI_EFAULT);
  wasi_iovs io;
  if ((e = wasi_iovs_load(c, ARG32(1), ARG32(2), &io))) WASI_RET(cells, e);
  struct msghdr m = {.msg_iov = io.v, .msg_iovlen = io.n};
  int fl = (riflags & RECV_PEEK ? MSG_PEEK : 0) | (riflags & RECV_WAITALL ? MSG_WAITALL : 0) |
           (f->fdflags & WASI_FDFLAG_NONBLOCK ? MSG_DONTWAIT : 0); /* exact, even on shared stdio */
  ssize_t r;
  while ((r = recvmsg(f->host_fd, &m, fl)) < 0 && (errno == EINTR || wasi_shared_retry(f, POLLIN))) {}
  e = r < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  wasi_iovs_free(&io);
  if (!e) {
    wasi_put32(c, len_ptr, (uint32_t)r);
    uint8_t *p = wasi_mem(c, flags_ptr, 2);
    wasi_st16(p, m.msg_flags & MSG_TRUNC ? RECV_DATA_TRUNCATED : 0);
  }
  WASI_RET(cells, e);
}

isthmus_trap *wasi_sock_send(void *env, isthmus_caller *c, uint64_t *cells) {
  wasi_fd *f;
  uint32_t siflags = ARG32(3), len_ptr = ARG32(4);
  uint16_t e = sock_get(env, ARG32(0), WASI_RIGHT_FD_WRITE, &f);
  if (e) WASI_RET(cells, e);
  if (siflags) WASI_RET(cells, WASI_EINVAL); /* no send flags are defined */
  if (!wasi_mem(c, len_ptr, 4)) WASI_RET(cells, WASI_EFAULT);
  wasi_iovs io;
  if ((e = wasi_iovs_load(c, ARG32(1), ARG32(2), &io))) WASI_RET(cells, e);
  struct msghdr m = {.msg_iov = io.v, .msg_iovlen = io.n};
  ssize_t r;
  /* MSG_NOSIGNAL: a closed peer is EPIPE for the guest, never SIGPIPE for the host */
  int fl = MSG_NOSIGNAL | (f->fdflags & WASI_FDFLAG_NONBLOCK ? MSG_DONTWAIT : 0);
  while ((r = sendmsg(f->host_fd, &m, fl)) < 0 && (errno == EINTR || wasi_shared_retry(f, POLLOUT))) {}
  e = r < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  wasi_iovs_free(&io);
  if (!e) wasi_put32(c, len_ptr, (uint32_t)r);
  WASI_RET(cells, e);
}

isthmus_trap *wasi_sock_shutdown(void *env, isthmus_caller *c, uint64_t *cells) {
  enum { SHUT_RD_ = 1, SHUT_WR_ = 2 };
  wasi_fd *f;
  uint32_t how = ARG32(1);
  uint16_t e = sock_get(env, ARG32(0), WASI_RIGHT_SOCK_SHUTDOWN, &f);
  if (e) WASI_RET(cells, e);
  int h;
  switch (how) {
  case SHUT_RD_: h = SHUT_RD; break;
  case SHUT_WR_: h = SHUT_WR; break;
  case SHUT_RD_ | SHUT_WR_: h = SHUT_RDWR; break;
  default: WASI_RET(cells, WASI_EINVAL);
  }
  if (shutdown(f->host_fd, h) < 0) WASI_RET(cells, wasi_errno(errno));
  WASI_RET(cells, WASI_ESUCCESS);
}
