/* wt.h — helpers for the WASI test programs (built with clang --target=wasm32-wasi against
 * wasi-libc). Each program prints one line per check; tests/wasi/run.sh compares the output
 * with the program's .expected file, so a failing check shows up as a changed line that
 * names what was seen. In wasi-libc, errno values are WASI's own numbers, so one table of
 * names serves libc calls and raw __wasi_* calls alike. */
#ifndef WT_H
#define WT_H

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <wasi/api.h>
#include "../errnames.h"

/* Raw imports taking plain i32 pointers, to hand WASI pointers that lie outside memory. */
#define WT_IMPORT(name) __attribute__((import_module("wasi_snapshot_preview1"), import_name(#name)))
WT_IMPORT(args_get) int32_t wt_raw_args_get(int32_t argv, int32_t buf);
WT_IMPORT(args_sizes_get) int32_t wt_raw_args_sizes_get(int32_t argc, int32_t size);
WT_IMPORT(environ_get) int32_t wt_raw_environ_get(int32_t env, int32_t buf);
WT_IMPORT(environ_sizes_get) int32_t wt_raw_environ_sizes_get(int32_t count, int32_t size);
WT_IMPORT(clock_res_get) int32_t wt_raw_clock_res_get(int32_t id, int32_t out);
WT_IMPORT(clock_time_get) int32_t wt_raw_clock_time_get(int32_t id, int64_t precision, int32_t out);
WT_IMPORT(random_get) int32_t wt_raw_random_get(int32_t buf, int32_t len);
WT_IMPORT(fd_write) int32_t wt_raw_fd_write(int32_t fd, int32_t iovs, int32_t niovs, int32_t nwritten);
WT_IMPORT(fd_read) int32_t wt_raw_fd_read(int32_t fd, int32_t iovs, int32_t niovs, int32_t nread);
WT_IMPORT(fd_pread) int32_t wt_raw_fd_pread(int32_t fd, int32_t iovs, int32_t niovs, int64_t off, int32_t nread);
WT_IMPORT(fd_seek) int32_t wt_raw_fd_seek(int32_t fd, int64_t off, int32_t whence, int32_t out);
WT_IMPORT(fd_fdstat_get) int32_t wt_raw_fd_fdstat_get(int32_t fd, int32_t out);
WT_IMPORT(fd_filestat_get) int32_t wt_raw_fd_filestat_get(int32_t fd, int32_t out);
WT_IMPORT(fd_prestat_get) int32_t wt_raw_fd_prestat_get(int32_t fd, int32_t out);
WT_IMPORT(fd_prestat_dir_name) int32_t wt_raw_fd_prestat_dir_name(int32_t fd, int32_t buf, int32_t len);
WT_IMPORT(fd_readdir) int32_t wt_raw_fd_readdir(int32_t fd, int32_t buf, int32_t len, int64_t cookie, int32_t out);
WT_IMPORT(path_open) int32_t wt_raw_path_open(int32_t fd, int32_t dirflags, int32_t path, int32_t path_len,
                                              int32_t oflags, int64_t base, int64_t inheriting, int32_t fdflags,
                                              int32_t out);
WT_IMPORT(path_create_directory) int32_t wt_raw_path_create_directory(int32_t fd, int32_t path, int32_t len);
WT_IMPORT(path_filestat_get) int32_t wt_raw_path_filestat_get(int32_t fd, int32_t flags, int32_t path, int32_t len,
                                                              int32_t out);
WT_IMPORT(path_readlink) int32_t wt_raw_path_readlink(int32_t fd, int32_t path, int32_t len, int32_t buf,
                                                      int32_t buf_len, int32_t out);
WT_IMPORT(poll_oneoff) int32_t wt_raw_poll_oneoff(int32_t in, int32_t out, int32_t n, int32_t nevents);

/* A pointer far outside any memory these programs have. */
#define WT_BAD ((int32_t)0xfffffff0u)
#define WT_PTR(p) ((int32_t)(uintptr_t)(p))


static inline const char *wt_errname(int e) {
  static char other[32];
  if (wasi_errname(e)) return wasi_errname(e);
  snprintf(other, sizeof other, "errno %d", e);
  return other;
}

/* "WHAT: ok", or "WHAT: FAIL" with a detail. */
static inline void wt_check(const char *what, int ok, const char *detail) {
  if (ok) printf("%s: ok\n", what);
  else printf("%s: FAIL%s%s\n", what, detail && *detail ? " " : "", detail ? detail : "");
}

/* For raw calls: "WHAT: NAME" with the errno the call returned. */
static inline void wt_errno(const char *what, int got) { printf("%s: %s\n", what, wt_errname(got)); }

/* For libc calls returning -1 and setting errno: "WHAT: NAME" (ESUCCESS when it worked). */
static inline void wt_libc(const char *what, int ret) { printf("%s: %s\n", what, ret < 0 ? wt_errname(errno) : "ESUCCESS"); }

/* The preopened directory the tests work in (run.sh mounts a fresh temporary one here). */
#define WT_DIR "/sandbox"

/* Line-buffer stdout so that output before a trap or an exit is not lost. */
__attribute__((constructor)) static void wt_init(void) { setvbuf(stdout, NULL, _IOLBF, 0); }

#endif
