/* fs_dir.c — fd_readdir: directory entries packed into the guest's buffer.
 *
 * Each entry is a 24-byte header {d_next u64 @0, d_ino u64 @8, d_namlen u32 @16, d_type u8 @20}
 * followed by the name (no NUL). Cookies count entries: entry i (from 0) carries d_next = i+1,
 * so cookie N means "after the N-th entry" and 0 is the start. "." and ".." are entries like
 * any other. When the buffer fills up, the last entry is cut short (bufused == buf_len) and is
 * not consumed: the guest asks again from the cookie of the last whole entry.
 *
 * Reading state lives in wasi_fd.dir: a getdents64 buffer and the cookie of the entry at its
 * read position, so consecutive calls continue without re-reading. Any other cookie (or a
 * directory offset moved by someone else) rewinds the host fd and skips entries. */
#define _GNU_SOURCE
#include <errno.h>
#include <dirent.h>
#include <fcntl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs.h"

enum { FS_DIRENT_SIZE = 24, FS_DIR_BUF = 32 * 1024 };

/* The kernel's getdents64 record. */
typedef struct fs_dirent64 {
  uint64_t d_ino;
  int64_t d_off;
  unsigned short d_reclen;
  unsigned char d_type;
  char d_name[];
} fs_dirent64;

typedef struct fs_dir {
  uint64_t next;    /* cookie of the entry at buf[pos] (entries consumed since the start) */
  off_t host_off;   /* the host fd's offset after our last getdents64 (or rewind) */
  uint64_t dot_ino; /* "." gets the directory's own st_ino, as fd_filestat_get reports it */
  size_t pos, len;
  bool eof;
  _Alignas(8) char buf[FS_DIR_BUF];
} fs_dir;

void wasi_fs_dir_free(void *dir) { free(dir); }

static uint16_t fs_dir_rewind(int fd, fs_dir *d) {
  off_t o = lseek(fd, 0, SEEK_SET);
  if (o < 0) return wasi_errno(errno);
  struct stat st;
  if (fstat(fd, &st) < 0) return wasi_errno(errno);
  d->dot_ino = (uint64_t)st.st_ino;
  d->host_off = o;
  d->next = 0;
  d->pos = d->len = 0;
  d->eof = false;
  return WASI_ESUCCESS;
}

/* The entry at the read position: 1 and *out, 0 at the end, or -(WASI errno). */
static int fs_dir_peek(int fd, fs_dir *d, const fs_dirent64 **out) {
  if (d->pos >= d->len) {
    if (d->eof) return 0;
    long n;
    do n = syscall(SYS_getdents64, fd, d->buf, sizeof d->buf);
    while (n < 0 && errno == EINTR);
    if (n < 0) return -(int)wasi_errno(errno);
    d->host_off = lseek(fd, 0, SEEK_CUR);
    d->pos = 0;
    d->len = (size_t)n;
    if (n == 0) {
      d->eof = true;
      return 0;
    }
  }
  *out = (const fs_dirent64 *)(d->buf + d->pos);
  return 1;
}

static void fs_dir_advance(fs_dir *d, const fs_dirent64 *e) {
  d->pos += e->d_reclen;
  d->next++;
}

static uint8_t fs_dirent_type(int dirfd, const fs_dirent64 *e) {
  switch (e->d_type) {
  case DT_REG: return WASI_FT_REGULAR_FILE;
  case DT_DIR: return WASI_FT_DIRECTORY;
  case DT_LNK: return WASI_FT_SYMBOLIC_LINK;
  case DT_CHR: return WASI_FT_CHARACTER_DEVICE;
  case DT_BLK: return WASI_FT_BLOCK_DEVICE;
  case DT_SOCK: return WASI_FT_SOCKET_STREAM;
  case DT_UNKNOWN: { /* some filesystems leave it to us */
    struct stat st;
    return fstatat(dirfd, e->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 ? fs_filetype(st.st_mode) : WASI_FT_UNKNOWN;
  }
  default: return WASI_FT_UNKNOWN;
  }
}

/* fd_readdir(fd, buf, buf_len, cookie, bufused) */
isthmus_trap *fs_fd_readdir(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *f = wasi_fd_get(w, (uint32_t)cells[0]);
  uint32_t buf = (uint32_t)cells[1], buf_len = (uint32_t)cells[2], used_ptr = (uint32_t)cells[4];
  uint64_t cookie = cells[3];
  if (!f) WASI_RET(cells, WASI_EBADF);
  if (f->kind != WASI_FD_HOST || f->filetype != WASI_FT_DIRECTORY) WASI_RET(cells, WASI_ENOTDIR);
  if (!(f->rights_base & WASI_RIGHT_FD_READDIR)) WASI_RET(cells, WASI_ENOTCAPABLE);
  uint8_t *out = wasi_mem(c, buf, buf_len);
  if (!out || !wasi_mem(c, used_ptr, 4)) WASI_RET(cells, WASI_EFAULT);

  int fd = f->host_fd;
  fs_dir *d = f->dir;
  uint16_t e;
  if (!d) {
    d = f->dir = cmn_xmalloc(sizeof *d);
    if ((e = fs_dir_rewind(fd, d))) {
      f->dir = NULL;
      free(d);
      WASI_RET(cells, e);
    }
  }
  /* Continue where the last call stopped, unless the guest wants another place or someone
   * moved the directory offset under us. */
  if (d->next != cookie || lseek(fd, 0, SEEK_CUR) != d->host_off) {
    if ((e = fs_dir_rewind(fd, d))) WASI_RET(cells, e);
    const fs_dirent64 *ent;
    while (d->next < cookie) {
      int r = fs_dir_peek(fd, d, &ent);
      if (r < 0) WASI_RET(cells, (uint16_t)-r);
      if (r == 0) break; /* past the end: nothing more to give */
      fs_dir_advance(d, ent);
    }
  }

  uint32_t used = 0;
  while (used < buf_len) {
    const fs_dirent64 *ent;
    int r = fs_dir_peek(fd, d, &ent);
    if (r < 0) {
      if (used) break; /* give what we have; the error comes back on the next call */
      WASI_RET(cells, (uint16_t)-r);
    }
    if (r == 0) break;
    size_t namlen = strnlen(ent->d_name, ent->d_reclen - offsetof(fs_dirent64, d_name));
    bool dot = namlen == 1 && ent->d_name[0] == '.';
    uint8_t hdr[FS_DIRENT_SIZE] = {0};
    wasi_st64(hdr + 0, d->next + 1);
    wasi_st64(hdr + 8, dot ? d->dot_ino : ent->d_ino);
    wasi_st32(hdr + 16, (uint32_t)namlen);
    hdr[20] = fs_dirent_type(fd, ent);
    uint32_t room = buf_len - used;
    uint32_t n = room < FS_DIRENT_SIZE ? room : FS_DIRENT_SIZE;
    memcpy(out + used, hdr, n);
    used += n;
    room -= n;
    uint32_t m = room < namlen ? room : (uint32_t)namlen;
    memcpy(out + used, ent->d_name, m);
    used += m;
    if (n < FS_DIRENT_SIZE || m < namlen) break; /* cut short: stays unread */
    fs_dir_advance(d, ent);
  }
  wasi_st32(wasi_mem(c, used_ptr, 4), used);
  WASI_RET(cells, WASI_ESUCCESS);
}
