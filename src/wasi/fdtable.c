/* fdtable.c — the per-instance fd table, guest-memory access and the host errno mapping. */
#include <errno.h>
#include <fcntl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core_int.h"

/* More guest fds than any host would let one process open. */
#define WASI_MAX_FDS (1u << 20)

int64_t wasi_fd_alloc(isthmus_wasi *w) {
  uint32_t i = 3;
  for (; i < w->nfds; i++)
    if (w->fds[i].kind == WASI_FD_FREE) break;
  if (i == w->nfds) {
    if (i < 3) i = 3;
    if (i >= WASI_MAX_FDS) return -1;
    if (i >= w->cap) {
      uint32_t cap = w->cap ? w->cap * 2 : 16;
      while (cap <= i) cap *= 2;
      w->fds = cmn_xrealloc(w->fds, (size_t)cap * sizeof *w->fds);
      for (uint32_t k = w->cap; k < cap; k++) w->fds[k] = (wasi_fd){.kind = WASI_FD_FREE, .host_fd = -1};
      w->cap = cap;
    }
    w->nfds = i + 1;
  }
  w->fds[i] = (wasi_fd){.kind = WASI_FD_FREE, .host_fd = -1};
  return i;
}

void wasi_fd_release(wasi_fd *f) {
  if (f->kind == WASI_FD_HOST && f->host_fd >= 0) close(f->host_fd); /* EINTR: the fd is gone on Linux */
  if (f->dir) wasi_fs_dir_free(f->dir);
  free(f->preopen);
  *f = (wasi_fd){.kind = WASI_FD_FREE, .host_fd = -1};
}

uint8_t *wasi_mem(isthmus_caller *c, uint64_t ptr, uint64_t len) {
  isthmus_memory *m = isthmus_caller_memory(c);
  if (!m) return NULL;
  uint64_t size = isthmus_memory_size(m);
  if (ptr > size || len > size - ptr) return NULL;
  return isthmus_memory_data(m) + ptr;
}

bool wasi_describe_host_fd(int hfd, uint8_t *filetype, uint64_t *rights, uint16_t *fdflags) {
  struct stat st;
  if (fstat(hfd, &st) < 0) return false;
  uint64_t r;
  uint8_t ft;
  switch (st.st_mode & S_IFMT) {
  case S_IFREG:
    ft = WASI_FT_REGULAR_FILE;
    r = WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_FDSTAT_SET_FLAGS |
        WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE |
        WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |
        WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE;
    break;
  case S_IFDIR:
    ft = WASI_FT_DIRECTORY;
    r = WASI_RIGHTS_DIRECTORY;
    break;
  case S_IFCHR:
    ft = WASI_FT_CHARACTER_DEVICE;
    r = WASI_RIGHTS_STREAM;
    /* wasi-libc's isatty() is "character device without seek/tell rights". */
    if (!isatty(hfd)) r |= WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL;
    break;
  case S_IFBLK:
    ft = WASI_FT_BLOCK_DEVICE;
    r = WASI_RIGHTS_STREAM | WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL | WASI_RIGHT_FD_SYNC |
        WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_ADVISE;
    break;
  case S_IFSOCK: {
    int type = 0;
    socklen_t len = sizeof type;
    getsockopt(hfd, SOL_SOCKET, SO_TYPE, &type, &len);
    ft = type == SOCK_DGRAM ? WASI_FT_SOCKET_DGRAM : WASI_FT_SOCKET_STREAM;
    r = WASI_RIGHTS_SOCKET;
    break;
  }
  default: /* FIFOs: WASI has no file type for them; seeking them fails with ESPIPE */
    ft = WASI_FT_UNKNOWN;
    r = WASI_RIGHTS_STREAM | WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL;
    break;
  }
  int fl = fcntl(hfd, F_GETFL);
  if (fl < 0) return false;
  if ((fl & O_ACCMODE) == O_RDONLY) r &= ~WASI_RIGHTS_WRITEISH;
  if ((fl & O_ACCMODE) == O_WRONLY) r &= ~(WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR);
  uint16_t ff = 0;
  if (fl & O_APPEND) ff |= WASI_FDFLAG_APPEND;
  if (fl & O_NONBLOCK) ff |= WASI_FDFLAG_NONBLOCK;
  if ((fl & O_SYNC) == O_SYNC) ff |= WASI_FDFLAG_SYNC;
  else if (fl & O_DSYNC) ff |= WASI_FDFLAG_DSYNC;
  *filetype = ft;
  *rights = r;
  *fdflags = ff;
  return true;
}

uint16_t wasi_errno(int e) {
  switch (e) {
  case 0: return WASI_ESUCCESS;
  case E2BIG: return WASI_E2BIG;
  case EACCES: return WASI_EACCES;
  case EADDRINUSE: return WASI_EADDRINUSE;
  case EADDRNOTAVAIL: return WASI_EADDRNOTAVAIL;
  case EAFNOSUPPORT: return WASI_EAFNOSUPPORT;
  case EAGAIN: return WASI_EAGAIN;
  case EALREADY: return WASI_EALREADY;
  case EBADF: return WASI_EBADF;
  case EBADMSG: return WASI_EBADMSG;
  case EBUSY: return WASI_EBUSY;
  case ECANCELED: return WASI_ECANCELED;
  case ECHILD: return WASI_ECHILD;
  case ECONNABORTED: return WASI_ECONNABORTED;
  case ECONNREFUSED: return WASI_ECONNREFUSED;
  case ECONNRESET: return WASI_ECONNRESET;
  case EDEADLK: return WASI_EDEADLK;
  case EDESTADDRREQ: return WASI_EDESTADDRREQ;
  case EDOM: return WASI_EDOM;
  case EDQUOT: return WASI_EDQUOT;
  case EEXIST: return WASI_EEXIST;
  case EFAULT: return WASI_EFAULT;
  case EFBIG: return WASI_EFBIG;
  case EHOSTUNREACH: return WASI_EHOSTUNREACH;
  case EIDRM: return WASI_EIDRM;
  case EILSEQ: return WASI_EILSEQ;
  case EINPROGRESS: return WASI_EINPROGRESS;
  case EINTR: return WASI_EINTR;
  case EINVAL: return WASI_EINVAL;
  case EIO: return WASI_EIO;
  case EISCONN: return WASI_EISCONN;
  case EISDIR: return WASI_EISDIR;
  case ELOOP: return WASI_ELOOP;
  case EMFILE: return WASI_EMFILE;
  case EMLINK: return WASI_EMLINK;
  case EMSGSIZE: return WASI_EMSGSIZE;
  case EMULTIHOP: return WASI_EMULTIHOP;
  case ENAMETOOLONG: return WASI_ENAMETOOLONG;
  case ENETDOWN: return WASI_ENETDOWN;
  case ENETRESET: return WASI_ENETRESET;
  case ENETUNREACH: return WASI_ENETUNREACH;
  case ENFILE: return WASI_ENFILE;
  case ENOBUFS: return WASI_ENOBUFS;
  case ENODEV: return WASI_ENODEV;
  case ENOENT: return WASI_ENOENT;
  case ENOEXEC: return WASI_ENOEXEC;
  case ENOLCK: return WASI_ENOLCK;
  case ENOLINK: return WASI_ENOLINK;
  case ENOMEM: return WASI_ENOMEM;
  case ENOMSG: return WASI_ENOMSG;
  case ENOPROTOOPT: return WASI_ENOPROTOOPT;
  case ENOSPC: return WASI_ENOSPC;
  case ENOSYS: return WASI_ENOTSUP; /* the host lacks it: to the guest the operation is unsupported */
  case ENOTCONN: return WASI_ENOTCONN;
  case ENOTDIR: return WASI_ENOTDIR;
  case ENOTEMPTY: return WASI_ENOTEMPTY;
  case ENOTRECOVERABLE: return WASI_ENOTRECOVERABLE;
  case ENOTSOCK: return WASI_ENOTSOCK;
  case ENOTSUP: return WASI_ENOTSUP;
#if EOPNOTSUPP != ENOTSUP
  case EOPNOTSUPP: return WASI_ENOTSUP;
#endif
  case ENOTTY: return WASI_ENOTTY;
  case ENXIO: return WASI_ENXIO;
  case EOVERFLOW: return WASI_EOVERFLOW;
  case EOWNERDEAD: return WASI_EOWNERDEAD;
  case EPERM: return WASI_EPERM;
  case EPIPE: return WASI_EPIPE;
  case EPROTO: return WASI_EPROTO;
  case EPROTONOSUPPORT: return WASI_EPROTONOSUPPORT;
  case EPROTOTYPE: return WASI_EPROTOTYPE;
  case ERANGE: return WASI_ERANGE;
  case EROFS: return WASI_EROFS;
  case ESPIPE: return WASI_ESPIPE;
  case ESRCH: return WASI_ESRCH;
  case ESTALE: return WASI_ESTALE;
  case ETIMEDOUT: return WASI_ETIMEDOUT;
  case ETXTBSY: return WASI_ETXTBSY;
  case EXDEV: return WASI_EXDEV;
#if EWOULDBLOCK != EAGAIN
  case EWOULDBLOCK: return WASI_EAGAIN;
#endif
#if defined(EDEADLOCK) && EDEADLOCK != EDEADLK
  case EDEADLOCK: return WASI_EDEADLK;
#endif
  /* Linux-only codes, each to its nearest WASI meaning */
#ifdef __linux__
  case ETIME: return WASI_ETIMEDOUT;
  case ENOSR: return WASI_ENOMEM;
  case ENOSTR: return WASI_EINVAL;
  case ENODATA: return WASI_ENOMSG;
  case ESHUTDOWN: return WASI_EPIPE;
  case ETOOMANYREFS: return WASI_ENFILE;
  case EHOSTDOWN: return WASI_EHOSTUNREACH;
  case ESOCKTNOSUPPORT: return WASI_EPROTONOSUPPORT;
  case EPFNOSUPPORT: return WASI_EAFNOSUPPORT;
  case EUSERS: return WASI_EDQUOT;
  case ENOTBLK: return WASI_ENOTTY;
  case ENOMEDIUM: return WASI_ENODEV;
  case EMEDIUMTYPE: return WASI_ENODEV;
  case ENONET: return WASI_ENETUNREACH;
  case ENOPKG: return WASI_ENOTSUP;
  case EREMOTEIO: return WASI_EIO;
  case ECOMM: return WASI_EIO;
  case EBADFD: return WASI_EBADF;
  case ENOTUNIQ: return WASI_EINVAL;
  case ERFKILL: return WASI_ENETDOWN;
  case EKEYEXPIRED: return WASI_EACCES;
  case EKEYREJECTED: return WASI_EACCES;
  case EKEYREVOKED: return WASI_EACCES;
  case ENOKEY: return WASI_EACCES;
  case ESTRPIPE: return WASI_EPIPE;
  case EUCLEAN: return WASI_EIO;
  case EISNAM: return WASI_EINVAL;
  case ENAVAIL: return WASI_EINVAL;
  case ENOTNAM: return WASI_EINVAL;
  case EREMCHG: return WASI_EADDRNOTAVAIL;
  case ELIBACC: case ELIBBAD: case ELIBSCN: case ELIBMAX: case ELIBEXEC: return WASI_ENOEXEC;
  case EADV: case ESRMNT: case EDOTDOT: case EREMOTE: return WASI_EIO;
  case ECHRNG: case EL2NSYNC: case EL3HLT: case EL3RST: case ELNRNG: case EUNATCH: case ENOCSI:
  case EL2HLT: case EBADE: case EBADR: case EXFULL: case ENOANO: case EBADRQC: case EBADSLT:
  case EBFONT: return WASI_EIO;
#endif
  default: return WASI_EIO;
  }
}
