/* Arguments that wasmtime answers with a trap, where isthmus (like wazero) returns an errno
 * and lets the guest go on: EFAULT for every pointer outside linear memory (or a region that
 * straddles its end), with nothing changed; EINVAL for values outside an enum (clock ids,
 * whence, advice). */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "wt.h"

int main(void) {
  const int32_t end = (int32_t)(__builtin_wasm_memory_size(0) * 65536); /* one past the last byte */
  static char buf[256];
  static char *ptrs[64];
  uint32_t u32 = 0;
  uint64_t u64 = 0;
  __wasi_size_t used = 0;

  puts("-- args and environ");
  wt_errno("args_sizes_get bad argc ptr", wt_raw_args_sizes_get(WT_BAD, WT_PTR(&u32)));
  wt_errno("args_sizes_get bad size ptr", wt_raw_args_sizes_get(WT_PTR(&u32), WT_BAD));
  wt_errno("args_get bad argv ptr", wt_raw_args_get(WT_BAD, WT_PTR(buf)));
  wt_errno("args_get bad buf ptr", wt_raw_args_get(WT_PTR(ptrs), WT_BAD));
  wt_errno("args_get buf straddling the end", wt_raw_args_get(WT_PTR(ptrs), end - 2));
  wt_errno("environ_sizes_get bad ptr", wt_raw_environ_sizes_get(WT_BAD, WT_PTR(&u32)));
  wt_errno("environ_get bad env ptr", wt_raw_environ_get(WT_BAD, WT_PTR(buf)));
  wt_errno("environ_get bad buf ptr", wt_raw_environ_get(WT_PTR(ptrs), WT_BAD));

  puts("-- clocks and random");
  wt_errno("clock_time_get bad ptr", wt_raw_clock_time_get(1, 0, WT_BAD));
  wt_errno("clock_time_get straddling the end", wt_raw_clock_time_get(1, 0, end - 4));
  wt_errno("clock_res_get bad ptr", wt_raw_clock_res_get(0, WT_BAD));
  wt_errno("random_get bad ptr", wt_raw_random_get(WT_BAD, 16));
  wt_errno("random_get straddling the end", wt_raw_random_get(end - 8, 16));
  wt_errno("random_get ending exactly at the end", wt_raw_random_get(end - 16, 16));

  puts("-- fd calls");
  int fd = open(WT_DIR "/file", O_RDWR | O_CREAT | O_TRUNC, 0644);
  (void)!write(fd, "0123456789", 10);
  __wasi_iovec_t bad_iov = {(uint8_t *)(uintptr_t)0xffffff00u, 64};
  __wasi_iovec_t good_iov = {(uint8_t *)buf, 4};
  wt_errno("fd_write bad iovec array", wt_raw_fd_write(1, WT_BAD, 1, WT_PTR(&used)));
  wt_errno("fd_write iovec array straddling the end", wt_raw_fd_write(1, end - 4, 1, WT_PTR(&used)));
  wt_errno("fd_write iovec pointing outside memory", wt_raw_fd_write(fd, WT_PTR(&bad_iov), 1, WT_PTR(&used)));
  wt_errno("fd_write bad nwritten ptr", wt_raw_fd_write(fd, WT_PTR(&good_iov), 1, WT_BAD));
  wt_errno("fd_read bad iovec array", wt_raw_fd_read(fd, WT_BAD, 1, WT_PTR(&used)));
  lseek(fd, 0, SEEK_SET);
  wt_errno("fd_read iovec pointing outside memory", wt_raw_fd_read(fd, WT_PTR(&bad_iov), 1, WT_PTR(&used)));
  wt_errno("fd_pread iovec pointing outside memory", wt_raw_fd_pread(fd, WT_PTR(&bad_iov), 1, 0, WT_PTR(&used)));
  wt_errno("fd_pread bad nread ptr", wt_raw_fd_pread(fd, WT_PTR(&good_iov), 1, 0, WT_BAD));
  wt_errno("fd_seek bad result ptr", wt_raw_fd_seek(fd, 0, __WASI_WHENCE_SET, WT_BAD));
  wt_errno("fd_fdstat_get bad ptr", wt_raw_fd_fdstat_get(fd, WT_BAD));
  wt_errno("fd_filestat_get bad ptr", wt_raw_fd_filestat_get(fd, WT_BAD));
  wt_errno("fd_prestat_get bad ptr", wt_raw_fd_prestat_get(3, WT_BAD));
  wt_errno("fd_prestat_dir_name bad ptr", wt_raw_fd_prestat_dir_name(3, WT_BAD, 8));
  int dfd = open(WT_DIR, O_RDONLY | O_DIRECTORY);
  wt_errno("fd_readdir bad buffer", wt_raw_fd_readdir(dfd, WT_BAD, 256, 0, WT_PTR(&used)));
  wt_errno("fd_readdir bad result ptr", wt_raw_fd_readdir(dfd, WT_PTR(buf), 256, 0, WT_BAD));
  char check[16] = {0};
  pread(fd, check, 10, 0);
  printf("file unchanged: [%s]\n", check);

  puts("-- path calls");
  int32_t outfd = -1;
  wt_errno("path_open bad path", wt_raw_path_open(3, 0, WT_BAD, 4, 0, __WASI_RIGHTS_FD_READ, 0, 0, WT_PTR(&outfd)));
  wt_errno("path_open path straddling the end",
           wt_raw_path_open(3, 0, end - 2, 4, 0, __WASI_RIGHTS_FD_READ, 0, 0, WT_PTR(&outfd)));
  wt_errno("path_open bad fd result ptr",
           wt_raw_path_open(3, 0, WT_PTR("file"), 4, 0, __WASI_RIGHTS_FD_READ, 0, 0, WT_BAD));
  wt_errno("path_create_directory bad path", wt_raw_path_create_directory(3, WT_BAD, 3));
  wt_errno("path_filestat_get bad path ptr", wt_raw_path_filestat_get(3, 0, WT_BAD, 4, WT_PTR(&u64)));
  wt_errno("path_filestat_get bad result ptr", wt_raw_path_filestat_get(3, 0, WT_PTR("file"), 4, WT_BAD));
  symlink("file", WT_DIR "/link");
  wt_errno("path_readlink bad buffer", wt_raw_path_readlink(3, WT_PTR("link"), 4, WT_BAD, 10, WT_PTR(&used)));
  wt_errno("path_readlink bad result ptr", wt_raw_path_readlink(3, WT_PTR("link"), 4, WT_PTR(buf), 10, WT_BAD));

  puts("-- poll_oneoff");
  __wasi_subscription_t sub;
  memset(&sub, 0, sizeof sub);
  sub.u.tag = __WASI_EVENTTYPE_CLOCK;
  sub.u.u.clock.id = __WASI_CLOCKID_MONOTONIC;
  __wasi_event_t ev[2];
  wt_errno("bad subscriptions ptr", wt_raw_poll_oneoff(WT_BAD, WT_PTR(ev), 1, WT_PTR(&used)));
  wt_errno("bad events ptr", wt_raw_poll_oneoff(WT_PTR(&sub), WT_BAD, 1, WT_PTR(&used)));
  wt_errno("bad nevents ptr", wt_raw_poll_oneoff(WT_PTR(&sub), WT_PTR(ev), 1, WT_BAD));
  wt_errno("subscriptions straddling the end", wt_raw_poll_oneoff(end - 24, WT_PTR(ev), 1, WT_PTR(&used)));

  puts("-- values outside an enum");
  __wasi_timestamp_t t;
  __wasi_filesize_t pos;
  wt_errno("clock_time_get(unknown clock 4)", __wasi_clock_time_get(4, 0, &t));
  wt_errno("clock_time_get(unknown clock 0x7fffffff)", __wasi_clock_time_get(0x7fffffff, 0, &t));
  wt_errno("clock_res_get(unknown clock 9)", __wasi_clock_res_get(9, &t));
  wt_errno("fd_seek whence 3", __wasi_fd_seek((__wasi_fd_t)fd, 0, 3, &pos));
  wt_errno("fd_advise advice 9", __wasi_fd_advise((__wasi_fd_t)fd, 0, 3, 9));
  sub.u.u.clock.id = 17;
  __wasi_errno_t e = __wasi_poll_oneoff(&sub, ev, 1, &used);
  printf("poll_oneoff on clock 17: %s\n",
         e == __WASI_ERRNO_INVAL || (e == 0 && used == 1 && ev[0].error == __WASI_ERRNO_INVAL) ? "EINVAL" : wt_errname(e));
  sub.u.tag = 3;
  e = __wasi_poll_oneoff(&sub, ev, 1, &used);
  printf("poll_oneoff event type 3: %s\n",
         e == __WASI_ERRNO_INVAL || (e == 0 && used == 1 && ev[0].error == __WASI_ERRNO_INVAL) ? "EINVAL" : wt_errname(e));

  puts("still running");
  return 0;
}
