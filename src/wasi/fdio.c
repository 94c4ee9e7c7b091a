/* fdio.c — reading and writing through the fd table (fd_read, fd_write, fd_pread, fd_pwrite),
 * offsets (fd_seek, fd_tell), and the fd-level operations (close, sync, advise, allocate,
 * fdstat, renumber). Every call checks the fd (EBADF), its rights (ENOTCAPABLE) and every guest
 * pointer (EFAULT) before it touches the host. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <unistd.h>

#include "core_int.h"

#define ARG32(i) ((uint32_t)cells[i])

/* ---------------------------------------------------------------- iovecs */

uint16_t wasi_iovs_load(isthmus_caller *c, uint32_t iovs_ptr, uint32_t count, wasi_iovs *io) {
  io->v = io->inline_;
  io->n = io->total = 0;
  const uint8_t *arr = wasi_mem(c, iovs_ptr, (uint64_t)count * 8);
  if (!arr) return WASI_EFAULT;
  uint32_t n = count > WASI_IOV_MAX ? WASI_IOV_MAX : count; /* the rest: a short transfer */
  if (n > WASI_IOV_INLINE) {
    io->v = malloc(n * sizeof *io->v);
    if (!io->v) {
      io->v = io->inline_;
      return WASI_ENOMEM;
    }
  }
  for (uint32_t i = 0; i < n; i++) {
    uint32_t buf = wasi_ld32(arr + 8 * i), len = wasi_ld32(arr + 8 * i + 4);
    uint8_t *p = wasi_mem(c, buf, len);
    if (!p) {
      wasi_iovs_free(io);
      return WASI_EFAULT;
    }
    size_t take = len < WASI_IO_MAX - io->total ? len : WASI_IO_MAX - io->total;
    if (!take) continue;
    io->v[io->n++] = (struct iovec){p, take};
    io->total += take;
  }
  return WASI_ESUCCESS;
}

/* ---------------------------------------------------------------- reading and writing */

bool wasi_shared_retry(const wasi_fd *f, short events) {
  if (!f->shared || (f->fdflags & WASI_FDFLAG_NONBLOCK) || errno != EAGAIN) return false;
  struct pollfd p = {f->host_fd, events, 0};
  while (poll(&p, 1, -1) < 0 && errno == EINTR) {}
  return true;
}
bool wasi_shared_not_ready(const wasi_fd *f, short events) {
  if (!f->shared || !(f->fdflags & WASI_FDFLAG_NONBLOCK)) return false;
  struct pollfd p = {f->host_fd, events, 0};
  return poll(&p, 1, 0) == 0;
}

uint16_t wasi_fd_readv(wasi_fd *f, const wasi_iovs *io, size_t *done) {
  *done = 0;
  switch (f->kind) {
  case WASI_FD_HOST:
    if (!io->n) return WASI_ESUCCESS;
    for (;;) {
      if (wasi_shared_not_ready(f, POLLIN)) return WASI_EAGAIN;
      ssize_t r = readv(f->host_fd, io->v, (int)io->n);
      if (r >= 0) {
        *done = (size_t)r;
        return WASI_ESUCCESS;
      }
      if (errno != EINTR && !wasi_shared_retry(f, POLLIN)) return wasi_errno(errno);
    }
  case WASI_FD_CALLBACK: {
    if (!f->read_fn) return WASI_EBADF;
    if (!io->n) return WASI_ESUCCESS;
    /* One call, into the first buffer: a short read is legal and a second call could block. */
    int64_t r = f->read_fn(f->cb_env, io->v[0].iov_base, io->v[0].iov_len);
    if (r < 0) return WASI_EIO;
    *done = (uint64_t)r > io->v[0].iov_len ? io->v[0].iov_len : (size_t)r;
    return WASI_ESUCCESS;
  }
  case WASI_FD_NULL: return WASI_ESUCCESS;
  default: return WASI_EBADF;
  }
}

uint16_t wasi_fd_writev(wasi_fd *f, const wasi_iovs *io, size_t *done) {
  *done = 0;
  switch (f->kind) {
  case WASI_FD_HOST:
    if (!io->n) return WASI_ESUCCESS;
    /* append on inherited stdio is emulated too (a file the embedder opened without it) */
    if (f->shared && (f->fdflags & WASI_FDFLAG_APPEND) && f->filetype == WASI_FT_REGULAR_FILE)
      lseek(f->host_fd, 0, SEEK_END);
    for (;;) {
      if (wasi_shared_not_ready(f, POLLOUT)) return WASI_EAGAIN;
      ssize_t r = writev(f->host_fd, io->v, (int)io->n);
      if (r >= 0) {
        *done = (size_t)r;
        return WASI_ESUCCESS;
      }
      if (errno != EINTR && !wasi_shared_retry(f, POLLOUT)) return wasi_errno(errno);
    }
  case WASI_FD_CALLBACK: {
    if (!f->write_fn) return WASI_EBADF;
    if (!io->n) return WASI_ESUCCESS;
    int rc;
    if (io->n == 1) {
      rc = f->write_fn(f->cb_env, io->v[0].iov_base, io->v[0].iov_len);
    } else { /* the callback gets the gathered data in one piece */
      uint8_t *buf = malloc(io->total);
      if (!buf) return WASI_ENOMEM;
      size_t off = 0;
      for (size_t i = 0; i < io->n; i++) {
        memcpy(buf + off, io->v[i].iov_base, io->v[i].iov_len);
        off += io->v[i].iov_len;
      }
      rc = f->write_fn(f->cb_env, buf, io->total);
      free(buf);
    }
    if (rc != 0) return WASI_EIO;
    *done = io->total;
    return WASI_ESUCCESS;
  }
  case WASI_FD_NULL: *done = io->total; return WASI_ESUCCESS;
  default: return WASI_EBADF;
  }
}

/* Shared by the four transfer calls: fd lookup, rights, the iovecs, the result pointer. */
static uint16_t io_begin(isthmus_wasi *w, isthmus_caller *c, uint32_t fd, uint64_t need, bool writes,
                         uint32_t iovs, uint32_t n, uint32_t result_ptr, wasi_fd **fp, wasi_iovs *io) {
  wasi_fd *f = wasi_fd_get(w, fd);
  if (!f) return WASI_EBADF;
  if ((f->rights_base & need) != need || (writes && f->readonly)) return WASI_ENOTCAPABLE;
  if (!wasi_mem(c, result_ptr, 4)) return WASI_EFAULT;
  *fp = f;
  return wasi_iovs_load(c, iovs, n, io);
}

isthmus_trap *wasi_fd_read(void *env, isthmus_caller *c, uint64_t *cells) {
  wasi_fd *f;
  wasi_iovs io;
  size_t done = 0;
  uint16_t e = io_begin(env, c, ARG32(0), WASI_RIGHT_FD_READ, false, ARG32(1), ARG32(2), ARG32(3), &f, &io);
  if (e) WASI_RET(cells, e);
  e = wasi_fd_readv(f, &io, &done);
  wasi_iovs_free(&io);
  if (!e) wasi_put32(c, ARG32(3), (uint32_t)done);
  WASI_RET(cells, e);
}

isthmus_trap *wasi_fd_write(void *env, isthmus_caller *c, uint64_t *cells) {
  wasi_fd *f;
  wasi_iovs io;
  size_t done = 0;
  uint16_t e = io_begin(env, c, ARG32(0), WASI_RIGHT_FD_WRITE, true, ARG32(1), ARG32(2), ARG32(3), &f, &io);
  if (e) WASI_RET(cells, e);
  e = wasi_fd_writev(f, &io, &done);
  wasi_iovs_free(&io);
  if (!e) wasi_put32(c, ARG32(3), (uint32_t)done);
  WASI_RET(cells, e);
}

/* fd_pread / fd_pwrite: (fd, iovs, iovs_len, offset i64, result ptr) */
static uint16_t positioned(isthmus_wasi *w, isthmus_caller *c, uint64_t *cells, bool writes) {
  wasi_fd *f;
  wasi_iovs io;
  uint64_t need = (writes ? WASI_RIGHT_FD_WRITE : WASI_RIGHT_FD_READ) | WASI_RIGHT_FD_SEEK;
  uint16_t e = io_begin(w, c, ARG32(0), need, writes, ARG32(1), ARG32(2), ARG32(4), &f, &io);
  if (e) return e;
  uint64_t off = cells[3];
  size_t done = 0;
  if (off > INT64_MAX) {
    e = WASI_EINVAL;
  } else if (f->kind == WASI_FD_NULL) {
    done = writes ? io.total : 0;
  } else if (f->kind != WASI_FD_HOST) {
    e = WASI_ESPIPE;
  } else if (io.n) {
    for (;;) {
      ssize_t r = writes ? pwritev(f->host_fd, io.v, (int)io.n, (off_t)off)
                         : preadv(f->host_fd, io.v, (int)io.n, (off_t)off);
      if (r >= 0) {
        done = (size_t)r;
        break;
      }
      if (errno != EINTR) {
        e = wasi_errno(errno);
        break;
      }
    }
  }
  wasi_iovs_free(&io);
  if (!e) wasi_put32(c, ARG32(4), (uint32_t)done);
  return e;
}

isthmus_trap *wasi_fd_pread(void *env, isthmus_caller *c, uint64_t *cells) {
  WASI_RET(cells, positioned(env, c, cells, false));
}

isthmus_trap *wasi_fd_pwrite(void *env, isthmus_caller *c, uint64_t *cells) {
  WASI_RET(cells, positioned(env, c, cells, true));
}

/* ---------------------------------------------------------------- offsets */

static uint16_t seek(isthmus_wasi *w, isthmus_caller *c, uint32_t fd, int64_t off, uint32_t whence,
                     uint32_t result_ptr) {
  wasi_fd *f = wasi_fd_get(w, fd);
  if (!f) return WASI_EBADF;
  if (whence > 2) return WASI_EINVAL;
  if (!wasi_mem(c, result_ptr, 8)) return WASI_EFAULT;
  /* fd_tell's right covers the seek that only asks where the offset is */
  uint64_t allowed = WASI_RIGHT_FD_SEEK | (off == 0 && whence == 1 ? WASI_RIGHT_FD_TELL : 0);
  if (f->kind == WASI_FD_NULL) {
    if (!(f->rights_base & allowed)) return WASI_ENOTCAPABLE;
    wasi_put64(c, result_ptr, 0);
    return WASI_ESUCCESS;
  }
  if (f->kind != WASI_FD_HOST) return WASI_ESPIPE;
  if (f->filetype == WASI_FT_DIRECTORY) return WASI_EISDIR; /* a directory's offset is fd_readdir's cookie */
  if (!(f->rights_base & allowed)) {
    /* a tty has no seek rights (so that the guest's isatty() works), yet is unseekable first */
    if (lseek(f->host_fd, 0, SEEK_CUR) < 0 && errno == ESPIPE) return WASI_ESPIPE;
    return WASI_ENOTCAPABLE;
  }
  static const int how[3] = {SEEK_SET, SEEK_CUR, SEEK_END};
  off_t r = lseek(f->host_fd, (off_t)off, how[whence]);
  if (r < 0) return wasi_errno(errno);
  wasi_put64(c, result_ptr, (uint64_t)r);
  return WASI_ESUCCESS;
}

isthmus_trap *wasi_fd_seek(void *env, isthmus_caller *c, uint64_t *cells) {
  WASI_RET(cells, seek(env, c, ARG32(0), (int64_t)cells[1], ARG32(2), ARG32(3)));
}

isthmus_trap *wasi_fd_tell(void *env, isthmus_caller *c, uint64_t *cells) {
  WASI_RET(cells, seek(env, c, ARG32(0), 0, 1, ARG32(1)));
}

/* ---------------------------------------------------------------- fd-level operations */

isthmus_trap *wasi_fd_close(void *env, isthmus_caller *c, uint64_t *cells) {
  wasi_fd *f = wasi_fd_get(env, ARG32(0));
  if (!f) WASI_RET(cells, WASI_EBADF);
  wasi_fd_release(f); /* preopens and stdio may be closed like any other fd */
  WASI_RET(cells, WASI_ESUCCESS);
}

static uint16_t sync_fd(isthmus_wasi *w, uint32_t fd, uint64_t right, bool data_only) {
  wasi_fd *f = wasi_fd_get(w, fd);
  if (!f) return WASI_EBADF;
  if (!(f->rights_base & right)) return WASI_ENOTCAPABLE;
  if (f->kind != WASI_FD_HOST) return WASI_ESUCCESS; /* nothing is buffered on our side */
  if ((data_only ? fdatasync(f->host_fd) : fsync(f->host_fd)) < 0) return wasi_errno(errno);
  return WASI_ESUCCESS;
}

isthmus_trap *wasi_fd_sync(void *env, isthmus_caller *c, uint64_t *cells) {
  WASI_RET(cells, sync_fd(env, ARG32(0), WASI_RIGHT_FD_SYNC, false));
}

isthmus_trap *wasi_fd_datasync(void *env, isthmus_caller *c, uint64_t *cells) {
  WASI_RET(cells, sync_fd(env, ARG32(0), WASI_RIGHT_FD_DATASYNC, true));
}

isthmus_trap *wasi_fd_advise(void *env, isthmus_caller *c, uint64_t *cells) {
  static const int advice[6] = {POSIX_FADV_NORMAL, POSIX_FADV_SEQUENTIAL, POSIX_FADV_RANDOM,
                                POSIX_FADV_WILLNEED, POSIX_FADV_DONTNEED, POSIX_FADV_NOREUSE};
  wasi_fd *f = wasi_fd_get(env, ARG32(0));
  uint64_t off = cells[1], len = cells[2];
  uint32_t adv = ARG32(3);
  if (!f) WASI_RET(cells, WASI_EBADF);
  if (!(f->rights_base & WASI_RIGHT_FD_ADVISE)) WASI_RET(cells, WASI_ENOTCAPABLE);
  if (adv >= CMN_ARRAY_LEN(advice) || off > INT64_MAX || len > INT64_MAX) WASI_RET(cells, WASI_EINVAL);
  if (f->kind != WASI_FD_HOST) WASI_RET(cells, WASI_ESPIPE);
  int r = posix_fadvise(f->host_fd, (off_t)off, (off_t)len, advice[adv]);
  WASI_RET(cells, wasi_errno(r));
}

isthmus_trap *wasi_fd_allocate(void *env, isthmus_caller *c, uint64_t *cells) {
  wasi_fd *f = wasi_fd_get(env, ARG32(0));
  uint64_t off = cells[1], len = cells[2];
  if (!f) WASI_RET(cells, WASI_EBADF);
  if (!(f->rights_base & WASI_RIGHT_FD_ALLOCATE) || f->readonly) WASI_RET(cells, WASI_ENOTCAPABLE);
  if (off > INT64_MAX || len > INT64_MAX || len == 0) WASI_RET(cells, WASI_EINVAL);
  if (len > (uint64_t)INT64_MAX - off) WASI_RET(cells, WASI_EFBIG);
  if (f->kind != WASI_FD_HOST) WASI_RET(cells, WASI_ESPIPE);
  if (f->filetype == WASI_FT_DIRECTORY) WASI_RET(cells, WASI_EISDIR);
  int r;
  while ((r = posix_fallocate(f->host_fd, (off_t)off, (off_t)len)) == EINTR) {}
  WASI_RET(cells, wasi_errno(r));
}

isthmus_trap *wasi_fd_fdstat_get(void *env, isthmus_caller *c, uint64_t *cells) {
  wasi_fd *f = wasi_fd_get(env, ARG32(0));
  if (!f) WASI_RET(cells, WASI_EBADF);
  uint8_t *p = wasi_mem(c, ARG32(1), 24);
  if (!p) WASI_RET(cells, WASI_EFAULT);
  /* fdstat: u8 filetype @0, u16 flags @2, u64 rights_base @8, u64 rights_inheriting @16 */
  memset(p, 0, 24);
  p[0] = f->filetype;
  wasi_st16(p + 2, f->fdflags);
  wasi_st64(p + 8, f->rights_base);
  wasi_st64(p + 16, f->rights_inheriting);
  WASI_RET(cells, WASI_ESUCCESS);
}

isthmus_trap *wasi_fd_fdstat_set_flags(void *env, isthmus_caller *c, uint64_t *cells) {
  const uint32_t known = WASI_FDFLAG_APPEND | WASI_FDFLAG_DSYNC | WASI_FDFLAG_NONBLOCK | WASI_FDFLAG_RSYNC |
                         WASI_FDFLAG_SYNC;
  const uint32_t syncs = WASI_FDFLAG_DSYNC | WASI_FDFLAG_RSYNC | WASI_FDFLAG_SYNC;
  wasi_fd *f = wasi_fd_get(env, ARG32(0));
  uint32_t flags = ARG32(1);
  if (!f) WASI_RET(cells, WASI_EBADF);
  if (!(f->rights_base & WASI_RIGHT_FD_FDSTAT_SET_FLAGS)) WASI_RET(cells, WASI_ENOTCAPABLE);
  if (flags & ~known) WASI_RET(cells, WASI_EINVAL);
  /* Linux cannot change the synchronisation flags of an open file. */
  if ((flags ^ f->fdflags) & syncs) WASI_RET(cells, WASI_ENOTSUP);
  if (f->kind == WASI_FD_HOST && !f->shared) {
    int fl = fcntl(f->host_fd, F_GETFL);
    if (fl < 0) WASI_RET(cells, wasi_errno(errno));
    fl &= ~(O_APPEND | O_NONBLOCK);
    if (flags & WASI_FDFLAG_APPEND) fl |= O_APPEND;
    if (flags & WASI_FDFLAG_NONBLOCK) fl |= O_NONBLOCK;
    if (fcntl(f->host_fd, F_SETFL, fl) < 0) WASI_RET(cells, wasi_errno(errno));
  }
  f->fdflags = (uint16_t)flags;
  WASI_RET(cells, WASI_ESUCCESS);
}

isthmus_trap *wasi_fd_fdstat_set_rights(void *env, isthmus_caller *c, uint64_t *cells) {
  wasi_fd *f = wasi_fd_get(env, ARG32(0));
  uint64_t base = cells[1], inh = cells[2];
  if (!f) WASI_RET(cells, WASI_EBADF);
  if ((base & ~f->rights_base) || (inh & ~f->rights_inheriting)) WASI_RET(cells, WASI_ENOTCAPABLE);
  f->rights_base = base;
  f->rights_inheriting = inh;
  WASI_RET(cells, WASI_ESUCCESS);
}

isthmus_trap *wasi_fd_renumber(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *from = wasi_fd_get(w, ARG32(0)), *to = wasi_fd_get(w, ARG32(1));
  if (!from || !to) WASI_RET(cells, WASI_EBADF);
  if (from != to) {
    wasi_fd_release(to);
    *to = *from; /* the entry moves whole: host fd, rights, flags, preopen name, directory state */
    *from = (wasi_fd){.kind = WASI_FD_FREE, .host_fd = -1};
  }
  WASI_RET(cells, WASI_ESUCCESS);
}
