/* File data in a preopened directory: create, write, read, pread/pwrite, seek/tell,
 * append, truncate, allocate, sync/datasync, advise, and fd_read/fd_write with iovecs. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wt.h"

static void show_size(const char *what, int fd) {
  struct stat st;
  if (fstat(fd, &st) != 0) printf("%s: fstat %s\n", what, wt_errname(errno));
  else printf("%s: size %lld\n", what, (long long)st.st_size);
}

int main(void) {
  char buf[256];
  int fd = open(WT_DIR "/data.bin", O_RDWR | O_CREAT | O_EXCL, 0644);
  wt_check("create data.bin", fd >= 0, wt_errname(errno));
  printf("write: %zd\n", write(fd, "hello, world\n", 13));
  printf("tell after write: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  printf("seek set 7: %lld\n", (long long)lseek(fd, 7, SEEK_SET));
  memset(buf, 0, sizeof buf);
  printf("read 5: %zd [%s]\n", read(fd, buf, 5), buf);
  printf("seek cur -3: %lld\n", (long long)lseek(fd, -3, SEEK_CUR));
  printf("seek end -1: %lld\n", (long long)lseek(fd, -1, SEEK_END));
  printf("seek end +10: %lld\n", (long long)lseek(fd, 10, SEEK_END));
  printf("write past the end: %zd\n", write(fd, "X", 1));
  show_size("after a write past the end", fd);
  memset(buf, 'z', sizeof buf);
  printf("pread 4 at 13: %zd [%02x %02x %02x %02x]\n", pread(fd, buf, 4, 13), buf[0], buf[1], buf[2], buf[3]);
  printf("pwrite at 0: %zd\n", pwrite(fd, "HELLO", 5, 0));
  printf("tell unchanged by pwrite: %lld\n", (long long)lseek(fd, 0, SEEK_CUR));
  memset(buf, 0, sizeof buf);
  printf("pread 12 at 0: %zd [%s]\n", pread(fd, buf, 12, 0), buf);
  printf("pread at 1000: %zd\n", pread(fd, buf, 10, 1000));
  printf("seek before the start: %lld %s\n", (long long)lseek(fd, -100, SEEK_SET), wt_errname(errno));

  /* Raw fd_seek and fd_tell. */
  __wasi_filesize_t pos = 0;
  wt_errno("fd_tell", __wasi_fd_tell((__wasi_fd_t)fd, &pos));
  printf("tell: %llu\n", (unsigned long long)pos);

  /* Scatter/gather. */
  lseek(fd, 0, SEEK_SET);
  char a[3], b[4];
  __wasi_iovec_t riov[2] = {{(uint8_t *)a, 3}, {(uint8_t *)b, 4}};
  __wasi_size_t nread = 0;
  wt_errno("fd_read two iovecs", __wasi_fd_read((__wasi_fd_t)fd, riov, 2, &nread));
  printf("read %u: [%.3s|%.4s]\n", (unsigned)nread, a, b);
  __wasi_ciovec_t wiov[3] = {{(const uint8_t *)"ab", 2}, {(const uint8_t *)"", 0}, {(const uint8_t *)"cd", 2}};
  __wasi_size_t nw = 0;
  wt_errno("fd_pwrite three iovecs at 20", __wasi_fd_pwrite((__wasi_fd_t)fd, wiov, 3, 20, &nw));
  printf("pwrite wrote %u\n", (unsigned)nw);
  show_size("after pwrite at 20", fd);
  memset(buf, 0, sizeof buf);
  __wasi_iovec_t one = {(uint8_t *)buf, 30};
  wt_errno("fd_pread 30 at 0", __wasi_fd_pread((__wasi_fd_t)fd, &one, 1, 0, &nread));
  printf("pread %u bytes, byte 14=%d byte 20..23=[%.4s]\n", (unsigned)nread, buf[14], buf + 20);

  /* Truncate and allocate. */
  wt_libc("ftruncate to 4", ftruncate(fd, 4));
  show_size("after ftruncate 4", fd);
  wt_libc("ftruncate to 10000", ftruncate(fd, 10000));
  show_size("after ftruncate 10000", fd);
  memset(buf, 1, 16);
  printf("pread at 9990: %zd, zeros: %s\n", pread(fd, buf, 16, 9990), buf[0] == 0 && buf[9] == 0 ? "yes" : "no");
  wt_errno("fd_allocate 0+20000", __wasi_fd_allocate((__wasi_fd_t)fd, 0, 20000));
  show_size("after allocate 20000", fd);
  wt_errno("fd_allocate 0+100 (no shrink)", __wasi_fd_allocate((__wasi_fd_t)fd, 0, 100));
  show_size("after allocate 100", fd);
  wt_libc("truncate by path to 3", truncate(WT_DIR "/data.bin", 3));
  show_size("after truncate by path", fd);

  wt_libc("fsync", fsync(fd));
  wt_libc("fdatasync", fdatasync(fd));
  wt_errno("fd_advise sequential", __wasi_fd_advise((__wasi_fd_t)fd, 0, 3, __WASI_ADVICE_SEQUENTIAL));
  wt_libc("close", close(fd));

  /* O_APPEND: writes go to the end whatever the offset. */
  fd = open(WT_DIR "/log.txt", O_WRONLY | O_CREAT | O_APPEND, 0644);
  printf("append 1: %zd\n", write(fd, "one\n", 4));
  lseek(fd, 0, SEEK_SET);
  printf("append 2: %zd\n", write(fd, "two\n", 4));
  close(fd);
  fd = open(WT_DIR "/log.txt", O_RDONLY);
  memset(buf, 0, sizeof buf);
  printf("log: %zd [%s]\n", read(fd, buf, sizeof buf - 1), buf);
  printf("write to a read-only fd: %zd %s\n", write(fd, "x", 1), wt_errname(errno));
  close(fd);

  /* O_TRUNC empties, O_EXCL refuses. */
  fd = open(WT_DIR "/log.txt", O_WRONLY | O_TRUNC);
  show_size("after O_TRUNC", fd);
  close(fd);
  printf("O_CREAT|O_EXCL on an existing file: %d %s\n", open(WT_DIR "/log.txt", O_WRONLY | O_CREAT | O_EXCL, 0644),
         wt_errname(errno));

  /* A bigger file through stdio. */
  FILE *f = fopen(WT_DIR "/big.txt", "w");
  for (int i = 0; i < 20000; i++) fprintf(f, "line %d\n", i);
  fclose(f);
  f = fopen(WT_DIR "/big.txt", "r");
  long sum = 0, count = 0;
  int v;
  while (fscanf(f, "line %d\n", &v) == 1) {
    sum += v;
    count++;
  }
  fclose(f);
  printf("big.txt: %ld lines, sum %ld\n", count, sum);
  return 0;
}
