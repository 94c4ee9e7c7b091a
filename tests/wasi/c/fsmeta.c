/* Names and metadata in a preopened directory: stat/fstat/lstat (type, size, nlink, inode),
 * file times (utimensat, futimens, the _NOW flags), rename, link, symlink/readlink,
 * unlink, mkdir/rmdir, and the raw path_filestat_get/fd_filestat_get. */
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wt.h"

static void make(const char *path, const char *text) {
  int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (fd < 0) {
    printf("create %s: %s\n", path, wt_errname(errno));
    return;
  }
  (void)!write(fd, text, strlen(text));
  close(fd);
}

static const char *kind(mode_t m) {
  return S_ISREG(m) ? "file" : S_ISDIR(m) ? "dir" : S_ISLNK(m) ? "symlink" : "other";
}

static void show(const char *what, const char *path) {
  struct stat st;
  if (stat(path, &st) != 0) printf("%s: stat %s\n", what, wt_errname(errno));
  else printf("%s: %s size %lld nlink %llu\n", what, kind(st.st_mode), S_ISDIR(st.st_mode) ? 0LL : (long long)st.st_size,
              S_ISDIR(st.st_mode) ? 0ULL : (unsigned long long)st.st_nlink);
}

static void show_text(const char *what, const char *path) {
  char buf[64] = {0};
  int fd = open(path, O_RDONLY);
  if (fd < 0) {
    printf("%s: open %s\n", what, wt_errname(errno));
    return;
  }
  (void)!read(fd, buf, sizeof buf - 1);
  close(fd);
  printf("%s: [%s]\n", what, buf);
}

int main(void) {
  struct stat st, st2;
  make(WT_DIR "/a.txt", "alpha");
  show("a.txt", WT_DIR "/a.txt");
  show("the preopen itself", WT_DIR);
  show("the preopen via .", WT_DIR "/.");

  /* Times: set both explicitly, then one to now, then via fd. */
  struct timespec times[2] = {{1000000000, 123456789}, {1500000000, 987654321}};
  wt_libc("utimensat explicit", utimensat(AT_FDCWD, WT_DIR "/a.txt", times, 0));
  stat(WT_DIR "/a.txt", &st);
  printf("atime %lld.%09ld mtime %lld.%09ld\n", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec,
         (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  /* (wasi-libc 2022's utimensat refuses UTIME_NOW itself, so the raw call.) */
  wt_errno("path_filestat_set_times ATIM_NOW, mtime untouched",
           __wasi_path_filestat_set_times(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "a.txt", 0, 0, __WASI_FSTFLAGS_ATIM_NOW));
  stat(WT_DIR "/a.txt", &st);
  printf("atime is recent: %s, mtime kept: %s\n", st.st_atim.tv_sec > 1672531200 ? "yes" : "no",
         st.st_mtim.tv_sec == 1500000000 && st.st_mtim.tv_nsec == 987654321 ? "yes" : "no");
  int fd = open(WT_DIR "/a.txt", O_RDWR);
  struct timespec fdtimes[2] = {{0, UTIME_OMIT}, {2000000000, 5}};
  wt_libc("futimens mtime", futimens(fd, fdtimes));
  fstat(fd, &st);
  printf("fstat mtime %lld.%09ld\n", (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
  wt_errno("fd_filestat_set_times ATIM|ATIM_NOW (invalid)",
           __wasi_fd_filestat_set_times((__wasi_fd_t)fd, 5, 0, __WASI_FSTFLAGS_ATIM | __WASI_FSTFLAGS_ATIM_NOW));
  wt_errno("fd_filestat_set_times MTIM|MTIM_NOW (invalid)",
           __wasi_fd_filestat_set_times((__wasi_fd_t)fd, 0, 5, __WASI_FSTFLAGS_MTIM | __WASI_FSTFLAGS_MTIM_NOW));
  __wasi_filestat_t fs;
  wt_errno("fd_filestat_get", __wasi_fd_filestat_get((__wasi_fd_t)fd, &fs));
  printf("filestat: filetype %u size %llu nlink %llu ino nonzero %s\n", fs.filetype, (unsigned long long)fs.size,
         (unsigned long long)fs.nlink, fs.ino ? "yes" : "no");
  wt_errno("fd_filestat_set_size 2", __wasi_fd_filestat_set_size((__wasi_fd_t)fd, 2));
  close(fd);
  show_text("a.txt after set_size", WT_DIR "/a.txt");

  /* Rename: to a new name, over an existing file, a directory, across directories. */
  make(WT_DIR "/b.txt", "bravo");
  wt_libc("rename a.txt -> c.txt", rename(WT_DIR "/a.txt", WT_DIR "/c.txt"));
  show("a.txt after rename", WT_DIR "/a.txt");
  show_text("c.txt", WT_DIR "/c.txt");
  wt_libc("rename b.txt over c.txt", rename(WT_DIR "/b.txt", WT_DIR "/c.txt"));
  show_text("c.txt replaced", WT_DIR "/c.txt");
  wt_libc("mkdir d1", mkdir(WT_DIR "/d1", 0755));
  wt_libc("mkdir d1/sub", mkdir(WT_DIR "/d1/sub", 0755));
  wt_libc("rename c.txt -> d1/sub/c.txt", rename(WT_DIR "/c.txt", WT_DIR "/d1/sub/c.txt"));
  wt_libc("rename d1 -> d2", rename(WT_DIR "/d1", WT_DIR "/d2"));
  show_text("d2/sub/c.txt", WT_DIR "/d2/sub/c.txt");
  wt_libc("rename missing", rename(WT_DIR "/nope", WT_DIR "/x"));
  wt_libc("rename a dir over a file", rename(WT_DIR "/d2", WT_DIR "/d2/sub/c.txt"));
  make(WT_DIR "/f.txt", "f");
  wt_libc("rename a file over a dir", rename(WT_DIR "/f.txt", WT_DIR "/d2"));
  wt_libc("mkdir empty", mkdir(WT_DIR "/empty", 0755));
  wt_libc("rename a dir over an empty dir", rename(WT_DIR "/d2/sub", WT_DIR "/empty"));
  show_text("empty/c.txt", WT_DIR "/empty/c.txt");

  /* Hard links. */
  wt_libc("link f.txt -> g.txt", link(WT_DIR "/f.txt", WT_DIR "/g.txt"));
  show("f.txt", WT_DIR "/f.txt");
  stat(WT_DIR "/f.txt", &st);
  stat(WT_DIR "/g.txt", &st2);
  wt_check("f.txt and g.txt share an inode", st.st_ino == st2.st_ino, NULL);
  wt_libc("link onto an existing name", link(WT_DIR "/f.txt", WT_DIR "/g.txt"));
  wt_libc("link a directory", link(WT_DIR "/d2", WT_DIR "/d3"));
  wt_libc("unlink f.txt", unlink(WT_DIR "/f.txt"));
  show("g.txt after unlink f.txt", WT_DIR "/g.txt");

  /* Symbolic links. */
  wt_libc("symlink g.txt <- s1", symlink("g.txt", WT_DIR "/s1"));
  wt_libc("symlink empty/c.txt <- s2", symlink("empty/c.txt", WT_DIR "/s2"));
  wt_libc("symlink dangling <- s3", symlink("no-such-target", WT_DIR "/s3"));
  wt_libc("symlink to a directory <- s4", symlink("empty", WT_DIR "/s4"));
  char link[64] = {0};
  ssize_t n = readlink(WT_DIR "/s1", link, sizeof link - 1);
  printf("readlink s1: %zd [%s]\n", n, n > 0 ? link : "");
  memset(link, 0, sizeof link);
  n = readlink(WT_DIR "/s2", link, 5);
  printf("readlink s2 into 5 bytes: %zd [%.5s]\n", n, link);
  printf("readlink a file: %zd %s\n", readlink(WT_DIR "/g.txt", link, sizeof link), wt_errname(errno));
  show_text("through s2", WT_DIR "/s2");
  show_text("through s4/c.txt", WT_DIR "/s4/c.txt");
  show("stat s3 (dangling)", WT_DIR "/s3");
  wt_libc("lstat s3", lstat(WT_DIR "/s3", &st));
  printf("lstat s3 is a %s\n", kind(st.st_mode));
  wt_libc("lstat s1", lstat(WT_DIR "/s1", &st));
  printf("lstat s1 is a %s of size %lld\n", kind(st.st_mode), (long long)st.st_size);
  wt_libc("symlink onto an existing name", symlink("x", WT_DIR "/s1"));
  wt_libc("open s3 O_CREAT (dangling link)", open(WT_DIR "/s3", O_WRONLY | O_CREAT | O_EXCL, 0644));
  wt_libc("unlink s1", unlink(WT_DIR "/s1"));
  show("g.txt after unlink s1", WT_DIR "/g.txt");
  wt_libc("unlink s4 (a link to a dir)", unlink(WT_DIR "/s4"));
  show("empty after unlink s4", WT_DIR "/empty");

  /* Raw path_filestat_get with and without following links. */
  wt_errno("path_filestat_get s2 follow",
           __wasi_path_filestat_get(3, __WASI_LOOKUPFLAGS_SYMLINK_FOLLOW, "s2", &fs));
  printf("  filetype %u\n", fs.filetype);
  wt_errno("path_filestat_get s2 nofollow", __wasi_path_filestat_get(3, 0, "s2", &fs));
  printf("  filetype %u\n", fs.filetype);

  /* Directories. */
  wt_libc("mkdir x", mkdir(WT_DIR "/x", 0755));
  wt_libc("mkdir x again", mkdir(WT_DIR "/x", 0755));
  wt_libc("mkdir x/y/z (no parent)", mkdir(WT_DIR "/x/y/z", 0755));
  wt_libc("rmdir x", rmdir(WT_DIR "/x"));
  wt_libc("rmdir x again", rmdir(WT_DIR "/x"));
  wt_libc("rmdir a file", rmdir(WT_DIR "/g.txt"));
  wt_libc("rmdir a non-empty dir", rmdir(WT_DIR "/empty"));
  wt_libc("unlink a dir", unlink(WT_DIR "/empty"));
  wt_libc("unlink missing", unlink(WT_DIR "/nope"));
  wt_libc("unlink empty/c.txt", unlink(WT_DIR "/empty/c.txt"));
  wt_libc("rmdir empty", rmdir(WT_DIR "/empty"));
  wt_libc("rmdir d2/sub (moved away)", rmdir(WT_DIR "/d2/sub"));
  wt_libc("rmdir d2", rmdir(WT_DIR "/d2"));

  return 0;
}
