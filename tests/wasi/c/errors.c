/* The errno of each failing path operation: ENOENT, EEXIST, ENOTDIR, EISDIR, ENOTEMPTY,
 * EBADF, EINVAL, ELOOP, and ENOTCAPABLE/EPERM for escapes. (EFAULT: see efault.c.) */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wt.h"

static __wasi_fd_t raw_open(__wasi_fd_t dir, const char *path, __wasi_oflags_t oflags, __wasi_rights_t rights,
                            __wasi_fdflags_t fdflags, __wasi_errno_t *err) {
  __wasi_fd_t fd = (__wasi_fd_t)-1;
  *err = __wasi_path_open(dir, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, path, oflags, rights, rights, fdflags, &fd);
  return fd;
}

/* Escapes from a preopen: wasmtime says EPERM, others ENOTCAPABLE; both are fine. */
static void escape(const char *what, int e) {
  printf("%s: %s\n", what, e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_NOTCAPABLE ? "refused (EPERM/ENOTCAPABLE)" : wt_errname(e));
}

int main(void) {
  struct stat st;
  int fd = open(WT_DIR "/file", O_WRONLY | O_CREAT, 0644);
  (void)!write(fd, "content", 7);
  close(fd);
  mkdir(WT_DIR "/dir", 0755);
  mkdir(WT_DIR "/full", 0755);
  close(open(WT_DIR "/full/x", O_WRONLY | O_CREAT, 0644));
  symlink("loop2", WT_DIR "/loop1");
  symlink("loop1", WT_DIR "/loop2");

  puts("-- ENOENT");
  wt_libc("open missing", open(WT_DIR "/missing", O_RDONLY));
  wt_libc("open missing/x O_CREAT", open(WT_DIR "/missing/x", O_WRONLY | O_CREAT, 0644));
  wt_libc("stat missing", stat(WT_DIR "/missing", &st));
  wt_libc("unlink missing", unlink(WT_DIR "/missing"));
  wt_libc("rmdir missing", rmdir(WT_DIR "/missing"));
  wt_libc("rename missing", rename(WT_DIR "/missing", WT_DIR "/other"));
  wt_libc("link missing", link(WT_DIR "/missing", WT_DIR "/other"));
  wt_libc("mkdir missing/sub", mkdir(WT_DIR "/missing/sub", 0755));
  wt_libc("open empty path", open("", O_RDONLY));

  puts("-- EEXIST");
  wt_libc("O_CREAT|O_EXCL existing file", open(WT_DIR "/file", O_WRONLY | O_CREAT | O_EXCL, 0644));
  wt_libc("O_CREAT|O_EXCL existing dir", open(WT_DIR "/dir", O_WRONLY | O_CREAT | O_EXCL, 0644));
  wt_libc("mkdir existing dir", mkdir(WT_DIR "/dir", 0755));
  wt_libc("mkdir existing file", mkdir(WT_DIR "/file", 0755));
  wt_libc("link to existing", link(WT_DIR "/file", WT_DIR "/dir"));
  wt_libc("symlink to existing", symlink("x", WT_DIR "/file"));

  puts("-- ENOTDIR");
  wt_libc("open file/x", open(WT_DIR "/file/x", O_RDONLY));
  wt_libc("O_DIRECTORY on a file", open(WT_DIR "/file", O_RDONLY | O_DIRECTORY));
  wt_libc("mkdir file/sub", mkdir(WT_DIR "/file/sub", 0755));
  wt_libc("rmdir a file", rmdir(WT_DIR "/file"));
  wt_libc("rename dir over file", rename(WT_DIR "/dir", WT_DIR "/file"));
  wt_libc("stat file/", stat(WT_DIR "/file/", &st));

  puts("-- EISDIR");
  wt_libc("open a dir for writing", open(WT_DIR "/dir", O_WRONLY));
  wt_libc("open a dir O_RDWR", open(WT_DIR "/dir", O_RDWR));
  wt_libc("rename file over dir", rename(WT_DIR "/file", WT_DIR "/dir"));
  int ulr = unlink(WT_DIR "/dir");
  printf("unlink a dir: %s\n", ulr == 0 ? "ESUCCESS" : (errno == EISDIR || errno == EPERM) ? "refused (EISDIR/EPERM)" : wt_errname(errno));

  puts("-- ENOTEMPTY");
  wt_libc("rmdir a non-empty dir", rmdir(WT_DIR "/full"));
  mkdir(WT_DIR "/dir2", 0755);
  int rr = rename(WT_DIR "/dir2", WT_DIR "/full");
  printf("rename over a non-empty dir: %s\n", rr == 0 ? "ESUCCESS" : (errno == ENOTEMPTY || errno == EEXIST) ? "refused (ENOTEMPTY/EEXIST)" : wt_errname(errno));

  puts("-- ELOOP");
  wt_libc("open a symlink loop", open(WT_DIR "/loop1", O_RDONLY));
  wt_libc("O_NOFOLLOW on a symlink", open(WT_DIR "/loop1", O_RDONLY | O_NOFOLLOW));

  puts("-- EBADF");
  __wasi_errno_t e;
  raw_open(99, "file", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  wt_errno("path_open from fd 99", e);
  raw_open(0, "file", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("path_open from stdin (not a dir): %s\n", e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_NOTDIR ? "refused (EBADF/ENOTDIR)" : wt_errname(e));
  wt_errno("path_create_directory in fd 99", __wasi_path_create_directory(99, "d"));
  wt_errno("path_unlink_file in fd 99", __wasi_path_unlink_file(99, "file"));
  wt_errno("path_remove_directory in fd 99", __wasi_path_remove_directory(99, "dir"));
  wt_errno("path_symlink in fd 99", __wasi_path_symlink("x", 99, "y"));
  wt_errno("path_rename from fd 99", __wasi_path_rename(99, "file", 3, "z"));
  wt_errno("path_rename to fd 99", __wasi_path_rename(3, "file", 99, "z"));
  wt_errno("path_link from fd 99", __wasi_path_link(99, 0, "file", 3, "z"));
  wt_errno("path_filestat_set_times in fd 99", __wasi_path_filestat_set_times(99, 0, "file", 0, 0, 0));
  __wasi_size_t used;
  char buf[32];
  wt_errno("path_readlink in fd 99", __wasi_path_readlink(99, "loop1", (uint8_t *)buf, sizeof buf, &used));

  puts("-- EINVAL");
  raw_open(3, "file", __WASI_OFLAGS_DIRECTORY | __WASI_OFLAGS_CREAT, __WASI_RIGHTS_FD_READ, 0, &e);
  printf("path_open O_DIRECTORY|O_CREAT: %s\n", e == __WASI_ERRNO_INVAL || e == __WASI_ERRNO_NOTDIR || e == __WASI_ERRNO_EXIST ? "refused (EINVAL/ENOTDIR/EEXIST)" : wt_errname(e));
  wt_errno("path_filestat_set_times ATIM|ATIM_NOW",
           __wasi_path_filestat_set_times(3, 0, "file", 1, 1, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  wt_errno("path_readlink on a file", __wasi_path_readlink(3, "file", (uint8_t *)buf, sizeof buf, &used));

  puts("-- escapes");
  escape("open ../outside", open(WT_DIR "/../etc/passwd", O_RDONLY) < 0 ? errno : 0);
  wt_libc("open /etc/passwd", open("/etc/passwd", O_RDONLY));
  raw_open(3, "../x", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  escape("path_open ../x", e);
  raw_open(3, "/etc/passwd", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  escape("path_open /etc/passwd", e);
  raw_open(3, "dir/../../x", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  escape("path_open dir/../../x", e);
  raw_open(3, "dir/../file", 0, __WASI_RIGHTS_FD_READ, 0, &e);
  wt_errno("path_open dir/../file (stays inside)", e);

  puts("-- a long name");
  char longname[400];
  memset(longname, 'n', sizeof longname);
  memcpy(longname, WT_DIR "/", 9);
  longname[sizeof longname - 1] = '\0';
  wt_libc("open a 390-byte name", open(longname, O_WRONLY | O_CREAT, 0644));
  return 0;
}
