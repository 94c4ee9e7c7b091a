/* The fd table: prestat of the preopen, fdstat (type, flags, rights) of files and
 * directories, fd_fdstat_set_flags (append), fd_fdstat_set_rights, fd_renumber, fd_close,
 * and what each does with fds that are not open. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

#include "wt.h"

static void show_fdstat(const char *what, int fd) {
  __wasi_fdstat_t st;
  __wasi_errno_t e = __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st);
  if (e) {
    printf("%s: fdstat %s\n", what, wt_errname(e));
    return;
  }
  /* Only the rights that mean something for the kind of fd. */
  if (st.fs_filetype == __WASI_FILETYPE_DIRECTORY)
    printf("%s: directory, flags %#x, readdir %d path_open %d create_file %d\n", what, st.fs_flags,
           !!(st.fs_rights_base & __WASI_RIGHTS_FD_READDIR), !!(st.fs_rights_base & __WASI_RIGHTS_PATH_OPEN),
           !!(st.fs_rights_base & __WASI_RIGHTS_PATH_CREATE_FILE));
  else
    printf("%s: filetype %u, flags %#x, read %d write %d seek %d\n", what, st.fs_filetype, st.fs_flags,
           !!(st.fs_rights_base & __WASI_RIGHTS_FD_READ), !!(st.fs_rights_base & __WASI_RIGHTS_FD_WRITE),
           !!(st.fs_rights_base & __WASI_RIGHTS_FD_SEEK));
}

static void show_text(const char *what, int fd) {
  char buf[64] = {0};
  ssize_t n = pread(fd, buf, sizeof buf - 1, 0);
  printf("%s: %zd [%s]\n", what, n, n > 0 ? buf : "");
}

int main(void) {
  /* The preopen: fd 3, a directory, named /sandbox; fd 4 is not a preopen. */
  __wasi_prestat_t ps;
  wt_errno("fd_prestat_get(3)", __wasi_fd_prestat_get(3, &ps));
  printf("  tag %u name_len %u\n", ps.tag, (unsigned)ps.u.dir.pr_name_len);
  char name[64] = {0};
  wt_errno("fd_prestat_dir_name(3)", __wasi_fd_prestat_dir_name(3, (uint8_t *)name, ps.u.dir.pr_name_len));
  printf("  name [%s]\n", name);
  __wasi_errno_t e = __wasi_fd_prestat_dir_name(3, (uint8_t *)name, 2);
  printf("fd_prestat_dir_name(3) into 2 bytes: %s\n", e ? "refused" : "ESUCCESS");
  wt_errno("fd_prestat_get(4)", __wasi_fd_prestat_get(4, &ps));
  wt_errno("fd_prestat_get(0) (stdin is no preopen)", __wasi_fd_prestat_get(0, &ps));
  show_fdstat("preopen", 3);
  /* Re-opening the preopen with the very rights it reports must work (the wasi-testsuite
   * helpers do exactly this to get a scratch directory). */
  __wasi_fdstat_t pst;
  __wasi_fd_t again_fd;
  (void)__wasi_fd_fdstat_get(3, &pst);
  wt_errno("path_open(3, \".\") with the preopen's own rights",
           __wasi_path_open(3, 0, ".", 0, pst.fs_rights_base, pst.fs_rights_inheriting, 0, &again_fd));
  wt_errno("path_open(3, \".\", O_DIRECTORY) with the preopen's own rights",
           __wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY, pst.fs_rights_base, pst.fs_rights_inheriting, 0,
                            &again_fd));
  wt_errno("path_open(3, \".\", O_DIRECTORY) asking for FD_WRITE",
           __wasi_path_open(3, 0, ".", __WASI_OFLAGS_DIRECTORY, __WASI_RIGHTS_FD_READ | __WASI_RIGHTS_FD_WRITE, 0, 0,
                            &again_fd));

  int fd = open(WT_DIR "/f.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  (void)!write(fd, "abc", 3);
  show_fdstat("O_RDWR file", fd);
  int ro = open(WT_DIR "/f.txt", O_RDONLY);
  show_fdstat("O_RDONLY file", ro);
  int wo = open(WT_DIR "/f.txt", O_WRONLY | O_APPEND);
  show_fdstat("O_WRONLY|O_APPEND file", wo);
  int dfd = open(WT_DIR, O_RDONLY | O_DIRECTORY);
  show_fdstat("directory", dfd);
  {
    __wasi_fdstat_t st55;
    wt_errno("fd_fdstat_get(55)", __wasi_fd_fdstat_get(55, &st55));
  }

  /* Rights are enforced: no reading through a write-only fd, no writing through a
   * read-only one, no fd_readdir on a file. */
  char c;
  printf("read from the O_WRONLY fd: %zd %s\n", read(wo, &c, 1), wt_errname(errno));
  printf("write to the O_RDONLY fd: %zd %s\n", write(ro, "x", 1), wt_errname(errno));

  /* fd_fdstat_set_flags: turning append on. */
  wt_errno("fd_fdstat_set_flags APPEND", __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, __WASI_FDFLAGS_APPEND));
  show_fdstat("after set_flags APPEND", fd);
  lseek(fd, 0, SEEK_SET);
  (void)!write(fd, "d", 1);
  show_text("append after seeking to 0", fd);
  wt_errno("fd_fdstat_set_flags 0", __wasi_fd_fdstat_set_flags((__wasi_fd_t)fd, 0));
  lseek(fd, 0, SEEK_SET);
  (void)!write(fd, "A", 1);
  show_text("no append after clearing it", fd);
  wt_errno("fd_fdstat_set_flags on fd 66", __wasi_fd_fdstat_set_flags(66, 0));
  printf("fcntl F_GETFL of the O_WRONLY|O_APPEND fd has O_APPEND: %s\n", fcntl(wo, F_GETFL) & O_APPEND ? "yes" : "no");

  /* fd_fdstat_set_rights may only drop rights. */
  __wasi_fdstat_t st;
  __wasi_fd_fdstat_get((__wasi_fd_t)ro, &st);
  wt_errno("set_rights dropping FD_SEEK",
           __wasi_fd_fdstat_set_rights((__wasi_fd_t)ro, st.fs_rights_base & ~(__wasi_rights_t)__WASI_RIGHTS_FD_SEEK,
                                       st.fs_rights_inheriting));
  __wasi_filesize_t pos;
  e = __wasi_fd_seek((__wasi_fd_t)ro, 0, __WASI_WHENCE_SET, &pos);
  printf("seek without FD_SEEK: %s\n", wt_errname(e));
  wt_errno("set_rights adding FD_SEEK back", __wasi_fd_fdstat_set_rights((__wasi_fd_t)ro, st.fs_rights_base,
                                                                         st.fs_rights_inheriting));

  /* fd_renumber: to a fresh number (from, then to, must be open), over an open fd. */
  int other = open(WT_DIR "/g.txt", O_RDWR | O_CREAT | O_TRUNC, 0644);
  (void)!write(other, "other", 5);
  wt_errno("fd_renumber fd -> other", __wasi_fd_renumber((__wasi_fd_t)fd, (__wasi_fd_t)other));
  show_text("reading other after renumber", other);
  wt_errno("the old number is closed", __wasi_fd_fdstat_get((__wasi_fd_t)fd, &st));
  wt_errno("fd_renumber from a closed fd", __wasi_fd_renumber((__wasi_fd_t)fd, (__wasi_fd_t)other));
  wt_errno("fd_renumber to a closed fd", __wasi_fd_renumber((__wasi_fd_t)other, 200));
  wt_errno("fd_renumber to itself", __wasi_fd_renumber((__wasi_fd_t)other, (__wasi_fd_t)other));
  show_text("still open after renumbering to itself", other);

  /* New fds take the lowest free number (fd's old number, freed by the renumbering). */
  close(ro);
  int again = open(WT_DIR "/f.txt", O_RDONLY);
  printf("lowest free fd reused: %s\n", again == (fd < ro ? fd : ro) ? "yes" : "no");

  /* fd_close. */
  wt_errno("fd_close", __wasi_fd_close((__wasi_fd_t)again));
  wt_errno("fd_close again", __wasi_fd_close((__wasi_fd_t)again));
  wt_errno("fd_close 1000", __wasi_fd_close(1000));
  wt_errno("fd_close 0xffffffff", __wasi_fd_close(0xffffffffu));
  char b[4];
  __wasi_iovec_t iov = {(uint8_t *)b, 4};
  __wasi_size_t n;
  wt_errno("fd_read from the closed fd", __wasi_fd_read((__wasi_fd_t)again, &iov, 1, &n));
  wt_errno("fd_seek on the closed fd", __wasi_fd_seek((__wasi_fd_t)again, 0, 0, &pos));
  wt_errno("fd_sync on fd 999", __wasi_fd_sync(999));
  wt_errno("fd_datasync on fd 999", __wasi_fd_datasync(999));
  wt_errno("fd_allocate on fd 999", __wasi_fd_allocate(999, 0, 1));
  wt_errno("fd_filestat_get on fd 999", __wasi_fd_filestat_get(999, (__wasi_filestat_t *)b));
  wt_errno("fd_tell on fd 999", __wasi_fd_tell(999, &pos));
  wt_errno("fd_advise on fd 999", __wasi_fd_advise(999, 0, 0, 0));
  wt_errno("fd_filestat_set_size on fd 999", __wasi_fd_filestat_set_size(999, 0));
  wt_errno("fd_pwrite on fd 999", __wasi_fd_pwrite(999, (const __wasi_ciovec_t *)&iov, 1, 0, &n));

  /* Seeking a directory or a pipe. */
  /* Seeking or telling a directory fails (the wasi-testsuite accepts EBADF, EISDIR or
   * ENOTCAPABLE), also for the offset-0 WHENCE_CUR form that is really a tell. */
  static const char *const whences[] = {"SET", "CUR", "END"};
  for (int wh = 0; wh < 3; wh++) {
    char what[64];
    snprintf(what, sizeof what, "fd_seek(0, WHENCE_%s) on a directory", whences[wh]);
    e = __wasi_fd_seek((__wasi_fd_t)dfd, 0, (__wasi_whence_t)wh, &pos);
    printf("%s: %s\n", what, e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_ISDIR || e == __WASI_ERRNO_NOTCAPABLE ? "refused" : wt_errname(e));
  }
  e = __wasi_fd_tell((__wasi_fd_t)dfd, &pos);
  printf("fd_tell on a directory: %s\n", e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_ISDIR || e == __WASI_ERRNO_NOTCAPABLE ? "refused" : wt_errname(e));
  e = __wasi_fd_tell(3, &pos);
  printf("fd_tell on the preopen: %s\n", e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_ISDIR || e == __WASI_ERRNO_NOTCAPABLE ? "refused" : wt_errname(e));
  e = __wasi_fd_read((__wasi_fd_t)dfd, &iov, 1, &n);
  printf("fd_read on a directory: %s\n", e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_ISDIR || e == __WASI_ERRNO_NOTCAPABLE ? "refused" : wt_errname(e));
  e = __wasi_fd_write((__wasi_fd_t)dfd, (const __wasi_ciovec_t *)&iov, 1, &n);
  printf("fd_write on a directory: %s\n", e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_ISDIR || e == __WASI_ERRNO_NOTCAPABLE ? "refused" : wt_errname(e));
  wt_errno("closing the preopen", __wasi_fd_close(3));
  wt_errno("fd_prestat_get(3) after closing it", __wasi_fd_prestat_get(3, &ps));
  return 0;
}
