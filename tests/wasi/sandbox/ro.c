/* ro.c — a read-only preopen (TMP/ro as "/ro", given by sbrun --ro since `isthmus run` has
 * no read-only option): reads work, every change is EROFS (what a read-only mount answers),
 * also through fds opened below it, and escapes are still EPERM. Tree: rofile.txt ("ro"),
 * rosub/. */
#include "sb.h"

#define EPERM_ __WASI_ERRNO_PERM

/* The read-only preopen: reads work, every change is EROFS. */
static void readonly(int ro) {
  int same, fd;
  SB_EXPECT("ro: read rofile.txt", sb_read_is(ro, 0, "rofile.txt", "ro", &same), 0);
  SB_TRUE("ro: rofile.txt content", same);
  SB_EXPECT("ro: open for writing", sb_open(ro, 0, "rofile.txt", 0, SB_RIGHTS_RW, NULL), __WASI_ERRNO_ROFS);
  SB_EXPECT("ro: create", sb_open(ro, 0, "new.txt", __WASI_OFLAGS_CREAT, SB_RIGHTS_R, NULL), __WASI_ERRNO_ROFS);
  SB_EXPECT("ro: create existing (no excl) opens it",
            sb_open(ro, 0, "rofile.txt", __WASI_OFLAGS_CREAT, SB_RIGHTS_R, NULL), 0);
  SB_EXPECT("ro: truncate", sb_open(ro, 0, "rofile.txt", __WASI_OFLAGS_TRUNC, SB_RIGHTS_R, NULL), __WASI_ERRNO_ROFS);
  SB_EXPECT("ro: mkdir", sb_mkdir(ro, "d"), __WASI_ERRNO_ROFS);
  SB_EXPECT("ro: rmdir", sb_rmdir(ro, "rosub"), __WASI_ERRNO_ROFS);
  SB_EXPECT("ro: unlink", sb_unlink(ro, "rofile.txt"), __WASI_ERRNO_ROFS);
  SB_EXPECT("ro: rename", sb_rename(ro, "rofile.txt", ro, "x"), __WASI_ERRNO_ROFS);
  SB_EXPECT("ro: symlink", sb_symlink("rofile.txt", ro, "l"), __WASI_ERRNO_ROFS);
  SB_EXPECT("ro: link", sb_link(ro, 0, "rofile.txt", ro, "l"), __WASI_ERRNO_ROFS);
  SB_EXPECT("ro: utimes", sb_touch(ro, 0, "rofile.txt"), __WASI_ERRNO_ROFS);
  SB_EXPECT("ro: stat", sb_stat(ro, 0, "rofile.txt", NULL), 0);
  /* what is opened below a read-only preopen stays read-only */
  SB_EXPECT("ro: open rosub", sb_open(ro, 0, "rosub", __WASI_OFLAGS_DIRECTORY, SB_RIGHTS_DIR, &fd), 0);
  if (fd >= 0) {
    SB_EXPECT("ro: mkdir in rosub", sb_mkdir(fd, "d"), __WASI_ERRNO_ROFS);
    SB_EXPECT("ro: create in rosub", sb_open(fd, 0, "n", __WASI_OFLAGS_CREAT, SB_RIGHTS_R, NULL), __WASI_ERRNO_ROFS);
    sb_close(fd);
  }
  SB_EXPECT("ro: open rofile.txt read-only", sb_open(ro, 0, "rofile.txt", 0, SB_RIGHTS_R, &fd), 0);
  if (fd >= 0) {
    SB_EXPECT("ro: ftruncate", __wasi_fd_filestat_set_size(fd, 0), __WASI_ERRNO_ROFS);
    SB_EXPECT("ro: futimes", __wasi_fd_filestat_set_times(fd, 0, 0, __WASI_FSTFLAGS_MTIM_NOW), __WASI_ERRNO_ROFS);
    sb_close(fd);
  }
  SB_EXPECT("ro: escape", sb_open(ro, 0, "../root/file.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
}

int main(void) {
  int ro = sb_preopen("/ro");
  SB_TRUE("preopen /ro found", ro >= 0);
  if (ro >= 0) readonly(ro);
  return sb_finish("ro");
}
