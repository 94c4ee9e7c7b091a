/* sb.h — helpers for the sandbox test programs (clang --target=wasm32-wasi). They call the
 * WASI functions directly (wasi-libc would resolve paths against preopens itself and hide
 * raw escapes), print one line per failed check and a summary line "sandbox: N checks, M
 * failed" that run.sh looks for. Paths go in with explicit lengths, so NULs and very long
 * paths can be passed too. */
#ifndef SB_H
#define SB_H

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wasi/api.h>
#include "../errnames.h"

#define SB_IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
SB_IMPORT(path_open)
int32_t sb_raw_path_open(int32_t fd, int32_t dirflags, const char *path, int32_t len, int32_t oflags, int64_t base,
                         int64_t inheriting, int32_t fdflags, int32_t *out);
SB_IMPORT(path_filestat_get)
int32_t sb_raw_path_filestat_get(int32_t fd, int32_t flags, const char *path, int32_t len, void *out);
SB_IMPORT(path_filestat_set_times)
int32_t sb_raw_path_filestat_set_times(int32_t fd, int32_t flags, const char *path, int32_t len, int64_t atim,
                                       int64_t mtim, int32_t fst);
SB_IMPORT(path_create_directory) int32_t sb_raw_path_create_directory(int32_t fd, const char *path, int32_t len);
SB_IMPORT(path_remove_directory) int32_t sb_raw_path_remove_directory(int32_t fd, const char *path, int32_t len);
SB_IMPORT(path_unlink_file) int32_t sb_raw_path_unlink_file(int32_t fd, const char *path, int32_t len);
SB_IMPORT(path_readlink)
int32_t sb_raw_path_readlink(int32_t fd, const char *path, int32_t len, char *buf, int32_t buf_len, int32_t *used);
SB_IMPORT(path_symlink)
int32_t sb_raw_path_symlink(const char *old, int32_t old_len, int32_t fd, const char *path, int32_t len);
SB_IMPORT(path_link)
int32_t sb_raw_path_link(int32_t old_fd, int32_t old_flags, const char *old, int32_t old_len, int32_t new_fd,
                         const char *path, int32_t len);
SB_IMPORT(path_rename)
int32_t sb_raw_path_rename(int32_t fd, const char *old, int32_t old_len, int32_t new_fd, const char *path,
                           int32_t len);

#define SB_RIGHTS_RW \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET)
#define SB_RIGHTS_R \
  (__WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_SEEK | __WASI_RIGHTS_FD_FILESTAT_GET | __WASI_RIGHTS_FD_READDIR)
#define SB_ALL ((int64_t)((1ull << 30) - 1))
/* everything but what asks for write access (a directory cannot be opened for writing) */
#define SB_RIGHTS_DIR \
  (SB_ALL & ~(int64_t)(__WASI_RIGHTS_FD_WRITE | __WASI_RIGHTS_FD_DATASYNC | __WASI_RIGHTS_FD_ALLOCATE))
#define SB_FOLLOW __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW

static int sb_checks, sb_failed;


static const char *sb_errname(int e) {
  return wasi_errname(e) ? wasi_errname(e) : "E?";
}

/* One check: `got` must be `want` (or `alt` when alt >= 0). */
static void sb_expect2(int line, const char *what, int got, int want, int alt) {
  sb_checks++;
  if (got == want || (alt >= 0 && got == alt)) return;
  sb_failed++;
  printf("FAIL line %d: %s: got %s, want %s%s%s\n", line, what, sb_errname(got), sb_errname(want),
         alt >= 0 ? " or " : "", alt >= 0 ? sb_errname(alt) : "");
}
#define SB_EXPECT(what, got, want) sb_expect2(__LINE__, what, (got), (want), -1)
#define SB_EXPECT2(what, got, want, alt) sb_expect2(__LINE__, what, (got), (want), (alt))
#define SB_TRUE(what, cond) sb_expect2(__LINE__, what, (cond) ? 0 : 1, 0, -1)

static int sb_finish(const char *name) {
  printf("%s: %d checks, %d failed\n", name, sb_checks, sb_failed);
  return sb_failed ? 1 : 0;
}

/* ---- shorthands with C strings */

static int sb_open(int dir, int lookup, const char *path, int oflags, int64_t rights, int *fd) {
  int32_t out = -1;
  int e = sb_raw_path_open(dir, lookup, path, (int32_t)strlen(path), oflags, rights, rights, 0, &out);
  if (fd) *fd = e ? -1 : out;
  else if (!e) (void)!__wasi_fd_close(out);
  return e;
}

static void sb_close_(int line, int fd) { sb_expect2(line, "fd_close", __wasi_fd_close(fd), 0, -1); }
#define sb_close(fd) sb_close_(__LINE__, fd)

/* Opens path for reading and compares its first bytes with `want`; returns the errno. */
static int sb_read_is(int dir, int lookup, const char *path, const char *want, int *same) {
  int fd;
  *same = 0;
  int e = sb_open(dir, lookup, path, 0, SB_RIGHTS_R, &fd);
  if (e) return e;
  char buf[64] = {0};
  __wasi_iovec_t iov = {(uint8_t *)buf, sizeof buf - 1};
  __wasi_size_t n = 0;
  e = __wasi_fd_read(fd, &iov, 1, &n);
  (void)!__wasi_fd_close(fd);
  *same = strncmp(buf, want, strlen(want)) == 0;
  return e;
}

static int sb_stat(int dir, int lookup, const char *path, __wasi_filestat_t *st) {
  __wasi_filestat_t tmp;
  return sb_raw_path_filestat_get(dir, lookup, path, (int32_t)strlen(path), st ? st : &tmp);
}
static int sb_mkdir(int dir, const char *path) {
  return sb_raw_path_create_directory(dir, path, (int32_t)strlen(path));
}
static int sb_rmdir(int dir, const char *path) {
  return sb_raw_path_remove_directory(dir, path, (int32_t)strlen(path));
}
static int sb_unlink(int dir, const char *path) { return sb_raw_path_unlink_file(dir, path, (int32_t)strlen(path)); }
static int sb_symlink(const char *target, int dir, const char *path) {
  return sb_raw_path_symlink(target, (int32_t)strlen(target), dir, path, (int32_t)strlen(path));
}
static int sb_link(int odir, int follow, const char *old, int ndir, const char *path) {
  return sb_raw_path_link(odir, follow, old, (int32_t)strlen(old), ndir, path, (int32_t)strlen(path));
}
static int sb_rename(int odir, const char *old, int ndir, const char *path) {
  return sb_raw_path_rename(odir, old, (int32_t)strlen(old), ndir, path, (int32_t)strlen(path));
}
static int sb_touch(int dir, int lookup, const char *path) {
  return sb_raw_path_filestat_set_times(dir, lookup, path, (int32_t)strlen(path), 0, 0,
                                        __WASI_FSTFLAGS_ATIM_NOW | __WASI_FSTFLAGS_MTIM_NOW);
}

/* The preopen whose guest name is `name`, or -1. */
static int sb_preopen(const char *name) {
  for (int fd = 3;; fd++) {
    __wasi_prestat_t ps;
    if (__wasi_fd_prestat_get(fd, &ps)) return -1;
    char buf[256];
    size_t n = ps.u.dir.pr_name_len;
    if (n >= sizeof buf || __wasi_fd_prestat_dir_name(fd, (uint8_t *)buf, n)) continue;
    buf[n] = 0;
    if (strcmp(buf, name) == 0) return fd;
  }
}

#endif
