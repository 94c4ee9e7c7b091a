/* NOTE from core (fd table, config, fd I/O, poll):
 *  - wasi_fd gained `shared` (true only for inherited stdio: the host fd is a dup of the
 *    embedder's 0/1/2; status flags are then emulated and never set on it). Leave it false.
 *  - wasi_fd_alloc returns a zeroed slot (kind WASI_FD_FREE, host_fd -1) that the caller fills
 *    in (set kind last) before the next wasi_fd_alloc. It may realloc w->fds: re-fetch any
 *    wasi_fd pointer taken before it (e.g. the directory fd of path_open).
 *  - fd_fdstat_get reports the entry's `fdflags` as is: path_open must store the fdflags it
 *    opened with. The core never reads host O_* flags back except for inherited stdio.
 *  - Rights helpers, fdflags and the write-ish rights set live in core_int.h
 *    (WASI_RIGHTS_WRITEISH, wasi_describe_host_fd); include it if they help.
 *  - Host ENOSYS maps to WASI_ENOTSUP in wasi_errno (no call may return ENOSYS). */
/* wasi_int.h — internals shared by the WASI files: the per-instance state, the fd table,
 * guest-memory access, errno and rights constants, and the host-function registry.
 * WASI is an ordinary user of the public API (isthmus.h): it never reaches into the engine. */
#ifndef ISTHMUS_WASI_INT_H
#define ISTHMUS_WASI_INT_H

#include "common.h"

/* errno values of wasi_snapshot_preview1 (the spec's numbering). */
enum {
  WASI_ESUCCESS = 0, WASI_E2BIG = 1, WASI_EACCES = 2, WASI_EADDRINUSE = 3, WASI_EADDRNOTAVAIL = 4,
  WASI_EAFNOSUPPORT = 5, WASI_EAGAIN = 6, WASI_EALREADY = 7, WASI_EBADF = 8, WASI_EBADMSG = 9,
  WASI_EBUSY = 10, WASI_ECANCELED = 11, WASI_ECHILD = 12, WASI_ECONNABORTED = 13,
  WASI_ECONNREFUSED = 14, WASI_ECONNRESET = 15, WASI_EDEADLK = 16, WASI_EDESTADDRREQ = 17,
  WASI_EDOM = 18, WASI_EDQUOT = 19, WASI_EEXIST = 20, WASI_EFAULT = 21, WASI_EFBIG = 22,
  WASI_EHOSTUNREACH = 23, WASI_EIDRM = 24, WASI_EILSEQ = 25, WASI_EINPROGRESS = 26,
  WASI_EINTR = 27, WASI_EINVAL = 28, WASI_EIO = 29, WASI_EISCONN = 30, WASI_EISDIR = 31,
  WASI_ELOOP = 32, WASI_EMFILE = 33, WASI_EMLINK = 34, WASI_EMSGSIZE = 35, WASI_EMULTIHOP = 36,
  WASI_ENAMETOOLONG = 37, WASI_ENETDOWN = 38, WASI_ENETRESET = 39, WASI_ENETUNREACH = 40,
  WASI_ENFILE = 41, WASI_ENOBUFS = 42, WASI_ENODEV = 43, WASI_ENOENT = 44, WASI_ENOEXEC = 45,
  WASI_ENOLCK = 46, WASI_ENOLINK = 47, WASI_ENOMEM = 48, WASI_ENOMSG = 49, WASI_ENOPROTOOPT = 50,
  WASI_ENOSPC = 51, WASI_ENOSYS = 52, WASI_ENOTCONN = 53, WASI_ENOTDIR = 54, WASI_ENOTEMPTY = 55,
  WASI_ENOTRECOVERABLE = 56, WASI_ENOTSOCK = 57, WASI_ENOTSUP = 58, WASI_ENOTTY = 59,
  WASI_ENXIO = 60, WASI_EOVERFLOW = 61, WASI_EOWNERDEAD = 62, WASI_EPERM = 63, WASI_EPIPE = 64,
  WASI_EPROTO = 65, WASI_EPROTONOSUPPORT = 66, WASI_EPROTOTYPE = 67, WASI_ERANGE = 68,
  WASI_EROFS = 69, WASI_ESPIPE = 70, WASI_ESRCH = 71, WASI_ESTALE = 72, WASI_ETIMEDOUT = 73,
  WASI_ETXTBSY = 74, WASI_EXDEV = 75, WASI_ENOTCAPABLE = 76,
};

enum { /* filetype */
  WASI_FT_UNKNOWN = 0, WASI_FT_BLOCK_DEVICE = 1, WASI_FT_CHARACTER_DEVICE = 2, WASI_FT_DIRECTORY = 3,
  WASI_FT_REGULAR_FILE = 4, WASI_FT_SOCKET_DGRAM = 5, WASI_FT_SOCKET_STREAM = 6, WASI_FT_SYMBOLIC_LINK = 7,
};

/* rights bits */
#define WASI_RIGHT_FD_DATASYNC (1ull << 0)
#define WASI_RIGHT_FD_READ (1ull << 1)
#define WASI_RIGHT_FD_SEEK (1ull << 2)
#define WASI_RIGHT_FD_FDSTAT_SET_FLAGS (1ull << 3)
#define WASI_RIGHT_FD_SYNC (1ull << 4)
#define WASI_RIGHT_FD_TELL (1ull << 5)
#define WASI_RIGHT_FD_WRITE (1ull << 6)
#define WASI_RIGHT_FD_ADVISE (1ull << 7)
#define WASI_RIGHT_FD_ALLOCATE (1ull << 8)
#define WASI_RIGHT_PATH_CREATE_DIRECTORY (1ull << 9)
#define WASI_RIGHT_PATH_CREATE_FILE (1ull << 10)
#define WASI_RIGHT_PATH_LINK_SOURCE (1ull << 11)
#define WASI_RIGHT_PATH_LINK_TARGET (1ull << 12)
#define WASI_RIGHT_PATH_OPEN (1ull << 13)
#define WASI_RIGHT_FD_READDIR (1ull << 14)
#define WASI_RIGHT_PATH_READLINK (1ull << 15)
#define WASI_RIGHT_PATH_RENAME_SOURCE (1ull << 16)
#define WASI_RIGHT_PATH_RENAME_TARGET (1ull << 17)
#define WASI_RIGHT_PATH_FILESTAT_GET (1ull << 18)
#define WASI_RIGHT_PATH_FILESTAT_SET_SIZE (1ull << 19)
#define WASI_RIGHT_PATH_FILESTAT_SET_TIMES (1ull << 20)
#define WASI_RIGHT_FD_FILESTAT_GET (1ull << 21)
#define WASI_RIGHT_FD_FILESTAT_SET_SIZE (1ull << 22)
#define WASI_RIGHT_FD_FILESTAT_SET_TIMES (1ull << 23)
#define WASI_RIGHT_PATH_SYMLINK (1ull << 24)
#define WASI_RIGHT_PATH_REMOVE_DIRECTORY (1ull << 25)
#define WASI_RIGHT_PATH_UNLINK_FILE (1ull << 26)
#define WASI_RIGHT_POLL_FD_READWRITE (1ull << 27)
#define WASI_RIGHT_SOCK_SHUTDOWN (1ull << 28)
#define WASI_RIGHT_SOCK_ACCEPT (1ull << 29)
#define WASI_RIGHTS_ALL ((1ull << 30) - 1)

/* What an fd is backed by. */
typedef enum wasi_fd_kind {
  WASI_FD_FREE = 0,   /* slot unused */
  WASI_FD_HOST,       /* a host file descriptor (file, directory, tty, pipe, socket) */
  WASI_FD_CALLBACK,   /* stdio through the embedder's read/write callbacks */
  WASI_FD_NULL,       /* reads: end of input; writes: discarded */
} wasi_fd_kind;

typedef struct wasi_fd {
  wasi_fd_kind kind;
  int host_fd;              /* WASI_FD_HOST: owned (closed with the entry) */
  uint8_t filetype;         /* WASI_FT_* */
  uint16_t fdflags;         /* WASI fdflags (append, dsync, nonblock, rsync, sync) */
  uint64_t rights_base;
  uint64_t rights_inheriting;
  bool readonly;            /* inside a read-only preopen: no writes, no changes */
  bool shared;              /* inherited stdio: host_fd is a dup sharing the embedder's open file
                               description, so nonblock/append are emulated, never set on it */
  char *preopen;            /* preopened directories: the guest's name for it, else NULL */
  void *dir;                /* directory reading state, owned by the fs code (NULL when none) */
  isthmus_wasi_write_fn write_fn; /* WASI_FD_CALLBACK */
  isthmus_wasi_read_fn read_fn;
  void *cb_env;
} wasi_fd;

struct isthmus_wasi {
  isthmus_store *store;
  /* args and environ, each as one block of NUL-terminated strings (what the guest gets) */
  char *args_buf;
  size_t args_len, argc;
  char *env_buf;
  size_t env_len, envc;
  wasi_fd *fds;
  uint32_t nfds; /* slots in use or free below this */
  uint32_t cap;
  /* NOTE from fs: how paths are resolved, chosen by the fs code on the first path call
   * (0 = not chosen yet; leave it zero): openat2(RESOLVE_BENEATH) when the kernel has it,
   * else a component-by-component walk (forced by ISTHMUS_WASI_NO_OPENAT2=1 for tests).
   * NOTE from fs, for config.c: path_open takes the access mode from the requested base
   * rights (FD_WRITE or FD_ALLOCATE → open for writing, which a directory refuses with
   * EISDIR, as in wasmtime). So a preopen whose base rights include FD_WRITE cannot be
   * re-opened with its own rights (tests/wasi/c/fdops.c, the wasi-testsuite's
   * path_open_preopen): give preopens directory base rights (those wasi_describe_host_fd
   * gives a directory: no FD_READ, FD_WRITE, FD_SEEK, FD_ALLOCATE) and keep
   * WASI_RIGHTS_ALL (minus write-ish when read-only) as inheriting. */
  uint8_t fs_resolve;
};

/* The closing half of the fd table (fs code owns directory state, so it frees `dir`). */
CMN_HIDDEN void wasi_fd_release(wasi_fd *f);
CMN_HIDDEN void wasi_fs_dir_free(void *dir);
/* Looks fd up: NULL when it is not open. */
static inline wasi_fd *wasi_fd_get(isthmus_wasi *w, uint32_t fd) {
  return fd < w->nfds && w->fds[fd].kind != WASI_FD_FREE ? &w->fds[fd] : NULL;
}
/* Takes the lowest free slot (>= 3) and returns its number, or -1 when the table is full. */
CMN_HIDDEN int64_t wasi_fd_alloc(isthmus_wasi *w);

/* Guest memory: a pointer to [ptr, ptr+len) in the caller's memory, or NULL when any part
 * is out of bounds (the caller then returns WASI_EFAULT). Never cache the result across a
 * call back into the guest (memory may grow, although the base does not move). */
CMN_HIDDEN uint8_t *wasi_mem(isthmus_caller *c, uint64_t ptr, uint64_t len);

/* Host errno -> WASI errno. */
CMN_HIDDEN uint16_t wasi_errno(int host_errno);

/* A WASI function as data: its name, wasm signature (a string of 'i'/'I' for i32/i64:
 * params, then "->", then results, e.g. "iiii->i") and implementation. The registry is
 * the concatenation of the tables each file exports. */
typedef struct wasi_def {
  const char *name;
  const char *sig;
  isthmus_host_fn fn;
} wasi_def;

CMN_HIDDEN extern const wasi_def wasi_core_defs[]; /* args, env, clocks, random, proc, sched, poll, sock, fd I/O */
CMN_HIDDEN extern const size_t wasi_core_ndefs;
CMN_HIDDEN extern const wasi_def wasi_fs_defs[];   /* path_*, fd_readdir, fd_prestat_*, fd_filestat_*, ... */
CMN_HIDDEN extern const size_t wasi_fs_ndefs;

/* Host functions get the isthmus_wasi as env. Every function returns its errno in cells[0]. */
#define WASI_RET(cells, e) \
  do {                     \
    (cells)[0] = (uint32_t)(e); \
    return NULL;           \
  } while (0)

#endif
