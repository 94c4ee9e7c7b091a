/* The standard streams: reading a pipe on stdin to its end, writing stdout and stderr with
 * fd_write (several iovecs, empty ones), fdstat of fds 0-2, and unknown fds. */
//wasitest:stdin first line of input\nsecond line\nthird, without a newline at the end
#include <stdlib.h>
#include <unistd.h>

#include "wt.h"

int main(void) {
  char buf[4096];
  size_t total = 0;
  int lines = 0;
  ssize_t got;
  while ((got = read(0, buf + total, sizeof buf - 1 - total)) > 0) total += (size_t)got;
  wt_check("read stdin to its end", got == 0, NULL);
  buf[total] = '\0';
  for (size_t i = 0; i < total; i++) lines += buf[i] == '\n';
  printf("stdin: %zu bytes, %d newlines\n", total, lines);
  printf("stdin text: [%s]\n", buf);
  got = read(0, buf, 10);
  printf("read after the end: %zd\n", got);

  __wasi_fdstat_t st;
  for (int fd = 0; fd < 3; fd++) {
    char what[40];
    snprintf(what, sizeof what, "fd_fdstat_get(%d)", fd);
    wt_errno(what, __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st));
  }
  wt_errno("fd_fdstat_get(1) rights include FD_WRITE",
           __wasi_fd_fdstat_get(1, &st) == 0 && (st.fs_rights_base & __WASI_RIGHTS_FD_WRITE) ? 0 : -1);

  /* Several iovecs, one of them empty, in one fd_write. */
  fflush(stdout);
  const char *parts[] = {"gathered ", "", "write ", "of four parts\n"};
  __wasi_ciovec_t iov[4];
  for (int i = 0; i < 4; i++) iov[i] = (__wasi_ciovec_t){(const uint8_t *)parts[i], strlen(parts[i])};
  __wasi_size_t written = 0;
  __wasi_errno_t e = __wasi_fd_write(1, iov, 4, &written);
  printf("fd_write 4 iovecs: %s, %u bytes\n", wt_errname(e), (unsigned)written);
  e = __wasi_fd_write(1, iov, 0, &written);
  printf("fd_write 0 iovecs: %s, %u bytes\n", wt_errname(e), (unsigned)written);
  e = __wasi_fd_write(2, iov, 4, &written);
  printf("fd_write to stderr: %s, %u bytes\n", wt_errname(e), (unsigned)written);

  wt_errno("fd_write to fd 99", __wasi_fd_write(99, iov, 1, &written));
  wt_errno("fd_read from fd 99", __wasi_fd_read(99, (const __wasi_iovec_t *)iov, 1, &written));
  fputs("to stderr through stdio\n", stderr);
  puts("done");
  return 0;
}
