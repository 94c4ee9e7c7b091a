/* fs_stat.c — preopen discovery (fd_prestat_*), file attributes (fd_/path_filestat_get) and
 * their changes (sizes, times), plus the directory-fd check every path call starts with. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <unistd.h>

#include "fs.h"

/* filestat: dev u64 @0, ino u64 @8, filetype u8 @16, nlink u64 @24, size u64 @32,
 * atim u64 @40, mtim u64 @48, ctim u64 @56 — 64 bytes. prestat: tag u8 @0, name length u32 @4. */
enum { FS_FILESTAT_SIZE = 64, FS_PRESTAT_SIZE = 8 };

uint16_t fs_dir_fd(isthmus_wasi *w, uint32_t fd, uint64_t right, bool changes, wasi_fd **out) {
  wasi_fd *f = wasi_fd_get(w, fd);
  if (!f) return WASI_EBADF;
  if (f->kind != WASI_FD_HOST || f->filetype != WASI_FT_DIRECTORY) return WASI_ENOTDIR;
  if (changes && f->readonly) return WASI_EROFS;
  if ((f->rights_base & right) != right) return WASI_ENOTCAPABLE;
  *out = f;
  return WASI_ESUCCESS;
}

uint8_t fs_filetype(mode_t mode) {
  switch (mode & S_IFMT) {
  case S_IFREG: return WASI_FT_REGULAR_FILE;
  case S_IFDIR: return WASI_FT_DIRECTORY;
  case S_IFLNK: return WASI_FT_SYMBOLIC_LINK;
  case S_IFCHR: return WASI_FT_CHARACTER_DEVICE;
  case S_IFBLK: return WASI_FT_BLOCK_DEVICE;
  case S_IFSOCK: return WASI_FT_SOCKET_STREAM; /* a path cannot tell; fds use the core's answer */
  default: return WASI_FT_UNKNOWN;          /* FIFOs: WASI has no type for them */
  }
}

/* Timestamps are unsigned nanoseconds since 1970: earlier times read as 0, later than
 * 2554 saturate. */
static uint64_t fs_ts(struct timespec t) {
  if (t.tv_sec < 0) return 0;
  if ((uint64_t)t.tv_sec > (UINT64_MAX - 999999999u) / 1000000000u) return UINT64_MAX;
  return (uint64_t)t.tv_sec * 1000000000u + (uint64_t)t.tv_nsec;
}

static void fs_filestat_put(uint8_t *p, const struct stat *st, uint8_t filetype) {
  memset(p, 0, FS_FILESTAT_SIZE);
  wasi_st64(p + 0, (uint64_t)st->st_dev);
  wasi_st64(p + 8, (uint64_t)st->st_ino);
  p[16] = filetype;
  wasi_st64(p + 24, (uint64_t)st->st_nlink);
  wasi_st64(p + 32, st->st_size < 0 ? 0 : (uint64_t)st->st_size);
  wasi_st64(p + 40, fs_ts(st->st_atim));
  wasi_st64(p + 48, fs_ts(st->st_mtim));
  wasi_st64(p + 56, fs_ts(st->st_ctim));
}

/* fstflags → the two timespecs of utimensat/futimens. EINVAL for unknown bits or a time
 * given both as a value and as "now". */
static uint16_t fs_times(uint64_t atim, uint64_t mtim, uint32_t fst, struct timespec ts[2]) {
  if (fst & ~(WASI_FST_ATIM | WASI_FST_ATIM_NOW | WASI_FST_MTIM | WASI_FST_MTIM_NOW)) return WASI_EINVAL;
  if ((fst & WASI_FST_ATIM) && (fst & WASI_FST_ATIM_NOW)) return WASI_EINVAL;
  if ((fst & WASI_FST_MTIM) && (fst & WASI_FST_MTIM_NOW)) return WASI_EINVAL;
  const uint64_t val[2] = {atim, mtim};
  const uint32_t set[2] = {WASI_FST_ATIM, WASI_FST_MTIM}, now[2] = {WASI_FST_ATIM_NOW, WASI_FST_MTIM_NOW};
  for (int i = 0; i < 2; i++) {
    if (fst & now[i]) {
      ts[i] = (struct timespec){.tv_sec = 0, .tv_nsec = UTIME_NOW};
    } else if (fst & set[i]) {
      ts[i] = (struct timespec){.tv_sec = (time_t)(val[i] / 1000000000u), .tv_nsec = (long)(val[i] % 1000000000u)};
    } else {
      ts[i] = (struct timespec){.tv_sec = 0, .tv_nsec = UTIME_OMIT};
    }
  }
  return WASI_ESUCCESS;
}

/* ---- preopens */

/* fd_prestat_get(fd, buf) — fds that are preopened directories: tag 0 (dir) and the length
 * of the guest's name for it. Any other fd: EBADF (that ends the guest's discovery loop). */
isthmus_trap *fs_fd_prestat_get(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *f = wasi_fd_get(w, (uint32_t)cells[0]);
  if (!f || !f->preopen) WASI_RET(cells, WASI_EBADF);
  uint8_t *p = wasi_mem(c, (uint32_t)cells[1], FS_PRESTAT_SIZE);
  if (!p) WASI_RET(cells, WASI_EFAULT);
  memset(p, 0, FS_PRESTAT_SIZE);
  wasi_st32(p + 4, (uint32_t)strlen(f->preopen));
  WASI_RET(cells, WASI_ESUCCESS);
}

/* fd_prestat_dir_name(fd, path, path_len) — the name, without a NUL. A buffer shorter than
 * the name: ENAMETOOLONG (as wasmtime; the testsuite allows EINVAL too); longer is fine. */
isthmus_trap *fs_fd_prestat_dir_name(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *f = wasi_fd_get(w, (uint32_t)cells[0]);
  if (!f || !f->preopen) WASI_RET(cells, WASI_EBADF);
  size_t n = strlen(f->preopen);
  if ((uint32_t)cells[2] < n) WASI_RET(cells, WASI_ENAMETOOLONG);
  uint8_t *p = wasi_mem(c, (uint32_t)cells[1], n);
  if (!p) WASI_RET(cells, WASI_EFAULT);
  memcpy(p, f->preopen, n);
  WASI_RET(cells, WASI_ESUCCESS);
}

/* ---- attributes through an fd */

/* fd_filestat_get(fd, buf) */
isthmus_trap *fs_fd_filestat_get(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *f = wasi_fd_get(w, (uint32_t)cells[0]);
  if (!f) WASI_RET(cells, WASI_EBADF);
  if (!(f->rights_base & WASI_RIGHT_FD_FILESTAT_GET)) WASI_RET(cells, WASI_ENOTCAPABLE);
  uint8_t *p = wasi_mem(c, (uint32_t)cells[1], FS_FILESTAT_SIZE);
  if (!p) WASI_RET(cells, WASI_EFAULT);
  if (f->kind != WASI_FD_HOST) { /* callback and null streams: a character device, no more */
    memset(p, 0, FS_FILESTAT_SIZE);
    p[16] = f->filetype;
    WASI_RET(cells, WASI_ESUCCESS);
  }
  struct stat st;
  if (fstat(f->host_fd, &st) < 0) WASI_RET(cells, wasi_errno(errno));
  uint8_t ft = fs_filetype(st.st_mode);
  if (S_ISSOCK(st.st_mode)) ft = f->filetype; /* stream or datagram, as the fd table knows */
  fs_filestat_put(p, &st, ft);
  WASI_RET(cells, WASI_ESUCCESS);
}

/* fd_filestat_set_size(fd, size) */
isthmus_trap *fs_fd_filestat_set_size(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *f = wasi_fd_get(w, (uint32_t)cells[0]);
  uint64_t size = cells[1];
  if (!f) WASI_RET(cells, WASI_EBADF);
  if (f->readonly) WASI_RET(cells, WASI_EROFS);
  if (!(f->rights_base & WASI_RIGHT_FD_FILESTAT_SET_SIZE)) WASI_RET(cells, WASI_ENOTCAPABLE);
  if (f->kind != WASI_FD_HOST) WASI_RET(cells, WASI_EINVAL);
  if (f->filetype == WASI_FT_DIRECTORY) WASI_RET(cells, WASI_EISDIR);
  if (size > (uint64_t)INT64_MAX) WASI_RET(cells, WASI_EFBIG);
  int r;
  do r = ftruncate(f->host_fd, (off_t)size);
  while (r < 0 && errno == EINTR);
  WASI_RET(cells, r < 0 ? wasi_errno(errno) : WASI_ESUCCESS);
}

/* fd_filestat_set_times(fd, atim, mtim, fst_flags) */
isthmus_trap *fs_fd_filestat_set_times(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *f = wasi_fd_get(w, (uint32_t)cells[0]);
  if (!f) WASI_RET(cells, WASI_EBADF);
  struct timespec ts[2];
  uint16_t e = fs_times(cells[1], cells[2], (uint32_t)cells[3], ts);
  if (e) WASI_RET(cells, e);
  if (f->readonly) WASI_RET(cells, WASI_EROFS);
  if (!(f->rights_base & WASI_RIGHT_FD_FILESTAT_SET_TIMES)) WASI_RET(cells, WASI_ENOTCAPABLE);
  if (f->kind != WASI_FD_HOST) WASI_RET(cells, WASI_EINVAL);
  WASI_RET(cells, futimens(f->host_fd, ts) < 0 ? wasi_errno(errno) : WASI_ESUCCESS);
}

/* ---- attributes through a path */

/* path_filestat_get(fd, lookupflags, path, path_len, buf) */
isthmus_trap *fs_path_filestat_get(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *d;
  uint16_t e = fs_dir_fd(w, (uint32_t)cells[0], WASI_RIGHT_PATH_FILESTAT_GET, false, &d);
  if (e) WASI_RET(cells, e);
  fs_path p;
  if ((e = fs_path_load(c, (uint32_t)cells[2], (uint32_t)cells[3], &p))) WASI_RET(cells, e);
  if (!wasi_mem(c, (uint32_t)cells[4], FS_FILESTAT_SIZE)) WASI_RET(cells, WASI_EFAULT);
  bool follow = (uint32_t)cells[1] & WASI_LOOKUP_SYMLINK_FOLLOW;
  fs_at at;
  if ((e = fs_at_resolve(w, d->host_fd, p.s, follow ? FS_AT_FOLLOW : FS_AT_NOFOLLOW, &at))) WASI_RET(cells, e);
  struct stat st;
  int r = fstatat(at.fd, at.name, &st, AT_SYMLINK_NOFOLLOW);
  e = r < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  fs_at_close(&at);
  if (!e) fs_filestat_put(wasi_mem(c, (uint32_t)cells[4], FS_FILESTAT_SIZE), &st, fs_filetype(st.st_mode));
  WASI_RET(cells, e);
}

/* path_filestat_set_times(fd, lookupflags, path, path_len, atim, mtim, fst_flags) */
isthmus_trap *fs_path_filestat_set_times(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  struct timespec ts[2];
  uint16_t e = fs_times(cells[4], cells[5], (uint32_t)cells[6], ts);
  if (e) WASI_RET(cells, e);
  wasi_fd *d;
  if ((e = fs_dir_fd(w, (uint32_t)cells[0], WASI_RIGHT_PATH_FILESTAT_SET_TIMES, true, &d))) WASI_RET(cells, e);
  fs_path p;
  if ((e = fs_path_load(c, (uint32_t)cells[2], (uint32_t)cells[3], &p))) WASI_RET(cells, e);
  bool follow = (uint32_t)cells[1] & WASI_LOOKUP_SYMLINK_FOLLOW;
  fs_at at;
  if ((e = fs_at_resolve(w, d->host_fd, p.s, follow ? FS_AT_FOLLOW : FS_AT_NOFOLLOW, &at))) WASI_RET(cells, e);
  int r = utimensat(at.fd, at.name, ts, AT_SYMLINK_NOFOLLOW);
  e = r < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  fs_at_close(&at);
  WASI_RET(cells, e);
}
