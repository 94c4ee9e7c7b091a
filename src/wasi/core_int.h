/* core_int.h — private to the WASI core files (core.c, fdio.c, poll.c, config.c, fdtable.c,
 * link.c): little-endian guest-memory helpers, iovec gathering, the rights sets given to
 * host descriptors, and the core host functions (listed in core.c's wasi_core_defs). */
#ifndef ISTHMUS_WASI_CORE_INT_H
#define ISTHMUS_WASI_CORE_INT_H

#include <sys/uio.h>

#include "wasi_int.h"

/* ---- guest values are little-endian, unaligned */
static inline uint16_t wasi_ld16(const uint8_t *p) { uint16_t v; memcpy(&v, p, 2); return v; }
static inline uint32_t wasi_ld32(const uint8_t *p) { uint32_t v; memcpy(&v, p, 4); return v; }
static inline uint64_t wasi_ld64(const uint8_t *p) { uint64_t v; memcpy(&v, p, 8); return v; }
static inline void wasi_st16(uint8_t *p, uint16_t v) { memcpy(p, &v, 2); }
static inline void wasi_st32(uint8_t *p, uint32_t v) { memcpy(p, &v, 4); }
static inline void wasi_st64(uint8_t *p, uint64_t v) { memcpy(p, &v, 8); }

/* Stores v at guest address ptr; false when out of bounds. */
static inline bool wasi_put32(isthmus_caller *c, uint64_t ptr, uint32_t v) {
  uint8_t *p = wasi_mem(c, ptr, 4);
  if (!p) return false;
  wasi_st32(p, v);
  return true;
}
static inline bool wasi_put64(isthmus_caller *c, uint64_t ptr, uint64_t v) {
  uint8_t *p = wasi_mem(c, ptr, 8);
  if (!p) return false;
  wasi_st64(p, v);
  return true;
}

/* fdflags */
#define WASI_FDFLAG_APPEND 1u
#define WASI_FDFLAG_DSYNC 2u
#define WASI_FDFLAG_NONBLOCK 4u
#define WASI_FDFLAG_RSYNC 8u
#define WASI_FDFLAG_SYNC 16u

/* Rights that change anything: taken away inside read-only preopens. */
#define WASI_RIGHTS_WRITEISH                                                                       \
  (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_PATH_CREATE_DIRECTORY |               \
   WASI_RIGHT_PATH_CREATE_FILE | WASI_RIGHT_PATH_LINK_SOURCE | WASI_RIGHT_PATH_LINK_TARGET |       \
   WASI_RIGHT_PATH_RENAME_SOURCE | WASI_RIGHT_PATH_RENAME_TARGET |                                 \
   WASI_RIGHT_PATH_FILESTAT_SET_SIZE | WASI_RIGHT_PATH_FILESTAT_SET_TIMES |                        \
   WASI_RIGHT_FD_FILESTAT_SET_SIZE | WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_PATH_SYMLINK |  \
   WASI_RIGHT_PATH_REMOVE_DIRECTORY | WASI_RIGHT_PATH_UNLINK_FILE)
/* What a directory fd can do itself (reading or writing it as a file is not among it); a
 * preopen has these as its base rights and WASI_RIGHTS_ALL as inheriting rights. */
#define WASI_RIGHTS_DIRECTORY                                                                      \
  (WASI_RIGHTS_ALL & ~(WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK |             \
                       WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_SOCK_ACCEPT))
/* Everything an open stream (tty, pipe, socket) can do. */
#define WASI_RIGHTS_STREAM                                                                         \
  (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_FDSTAT_SET_FLAGS |                     \
   WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_POLL_FD_READWRITE)
#define WASI_RIGHTS_SOCKET (WASI_RIGHTS_STREAM | WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_SOCK_ACCEPT)

/* Describes host descriptor hfd for the fd table: filetype, rights (cut to its access mode)
 * and fdflags. Returns false (errno set) when fstat fails. */
CMN_HIDDEN bool wasi_describe_host_fd(int hfd, uint8_t *filetype, uint64_t *rights, uint16_t *fdflags);

/* ---- iovec arrays: each guest iovec is 8 bytes (u32 buf, u32 len). At most WASI_IOV_MAX are
 * used per call (a shorter transfer is legal) and the total is cut to WASI_IO_MAX bytes, so
 * the count reported back to the guest always fits a u32. */
#define WASI_IOV_MAX 1024
#define WASI_IO_MAX 0x7ffff000u
#define WASI_IOV_INLINE 16

typedef struct wasi_iovs {
  struct iovec *v;
  size_t n;
  size_t total;
  struct iovec inline_[WASI_IOV_INLINE];
} wasi_iovs;

/* Reads the guest iovec array at iovs_ptr (count entries) into io, checking every buffer.
 * Returns 0 or a WASI errno (EFAULT, ENOMEM). Free with wasi_iovs_free. */
CMN_HIDDEN uint16_t wasi_iovs_load(isthmus_caller *c, uint32_t iovs_ptr, uint32_t count, wasi_iovs *io);
static inline void wasi_iovs_free(wasi_iovs *io) {
  if (io->v != io->inline_) free(io->v);
  io->v = NULL;
}

/* ---- the core host functions (the names are WASI's) */
#define WASI_FN(name) CMN_HIDDEN isthmus_trap *wasi_##name(void *env, isthmus_caller *c, uint64_t *cells)
/* core.c */
WASI_FN(args_get); WASI_FN(args_sizes_get); WASI_FN(environ_get); WASI_FN(environ_sizes_get);
WASI_FN(clock_res_get); WASI_FN(clock_time_get); WASI_FN(proc_exit); WASI_FN(proc_raise);
WASI_FN(random_get); WASI_FN(sched_yield);
/* fdio.c */
WASI_FN(fd_read); WASI_FN(fd_write); WASI_FN(fd_pread); WASI_FN(fd_pwrite); WASI_FN(fd_seek);
WASI_FN(fd_tell); WASI_FN(fd_close); WASI_FN(fd_sync); WASI_FN(fd_datasync); WASI_FN(fd_advise);
WASI_FN(fd_allocate); WASI_FN(fd_fdstat_get); WASI_FN(fd_fdstat_set_flags);
WASI_FN(fd_fdstat_set_rights); WASI_FN(fd_renumber);
/* poll.c */
WASI_FN(poll_oneoff); WASI_FN(sock_accept); WASI_FN(sock_recv); WASI_FN(sock_send);
WASI_FN(sock_shutdown);
#undef WASI_FN

/* Reads or writes through an fd entry honouring its kind (host, callback, null); used by
 * fd_read/fd_write and their socket twins. Returns a WASI errno; *done gets the byte count. */
CMN_HIDDEN uint16_t wasi_fd_readv(wasi_fd *f, const wasi_iovs *io, size_t *done);
CMN_HIDDEN uint16_t wasi_fd_writev(wasi_fd *f, const wasi_iovs *io, size_t *done);

/* Inherited stdio shares its open file description with the embedder, so the guest's
 * nonblock flag is emulated: a non-blocking guest polls first (wasi_shared_not_ready: true
 * means answer EAGAIN), a blocking guest waits out EAGAIN from a host stream that happens to
 * be non-blocking (wasi_shared_retry, called with errno set: true means try again). Both are
 * false for every fd that is not shared. */
CMN_HIDDEN bool wasi_shared_not_ready(const wasi_fd *f, short events);
CMN_HIDDEN bool wasi_shared_retry(const wasi_fd *f, short events);

#endif
