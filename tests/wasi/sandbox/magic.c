/* magic.c — /proc "magic links" must not lead out. run.sh preopens the host's /proc/self as
 * "/proc": its root, cwd, exe and fd/N entries are symlinks the kernel would follow to
 * anywhere. openat2 refuses them (RESOLVE_NO_MAGICLINKS: ELOOP); the walk reads them like any
 * symlink, and their targets are absolute (EPERM) or names like "pipe:[123]" that do not
 * exist inside (ENOENT). Never a success. */
#include "sb.h"

#define EPERM_ __WASI_ERRNO_PERM

/* A magic link may answer ELOOP, EPERM or ENOENT, but never open. */
static void refused(int line, const char *what, int e) {
  sb_checks++;
  if (e == __WASI_ERRNO_LOOP || e == EPERM_ || e == __WASI_ERRNO_NOENT || e == __WASI_ERRNO_NOTDIR) return;
  sb_failed++;
  printf("FAIL line %d: %s: got %s, want a refusal\n", line, what, sb_errname(e));
}
#define REFUSED(what, e) refused(__LINE__, what, (e))

int main(void) {
  int proc = sb_preopen("/proc"), root = sb_preopen("/");
  SB_TRUE("preopen /proc found", proc >= 0);
  SB_TRUE("preopen / found", root >= 0);
  if (proc < 0 || root < 0) return sb_finish("magic");

  static const char *const links[] = {"root", "cwd", "exe", "root/", "cwd/", "root/etc/passwd", "root/.",
                                      "cwd/..", "root/tmp", "exe/..", "task/../root/etc"};
  for (size_t i = 0; i < sizeof links / sizeof *links; i++) {
    char what[64];
    snprintf(what, sizeof what, "open %s (follow)", links[i]);
    REFUSED(what, sb_open(proc, SB_FOLLOW, links[i], 0, SB_RIGHTS_R, NULL));
    snprintf(what, sizeof what, "open %s as dir", links[i]);
    REFUSED(what, sb_open(proc, SB_FOLLOW, links[i], __WASI_OFLAGS_DIRECTORY, SB_RIGHTS_R, NULL));
    snprintf(what, sizeof what, "stat %s (follow)", links[i]);
    REFUSED(what, sb_stat(proc, SB_FOLLOW, links[i], NULL));
  }
  /* every fd/N: stdio (ttys, pipes), the preopens themselves, whatever else the host has */
  for (int n = 0; n < 64; n++) {
    char p[32], what[64];
    snprintf(p, sizeof p, "fd/%d", n);
    snprintf(what, sizeof what, "open %s (follow)", p);
    REFUSED(what, sb_open(proc, SB_FOLLOW, p, 0, SB_RIGHTS_R, NULL));
    snprintf(p, sizeof p, "fd/%d/", n);
    snprintf(what, sizeof what, "open %s", p);
    REFUSED(what, sb_open(proc, 0, p, 0, SB_RIGHTS_R, NULL));
    snprintf(p, sizeof p, "fd/%d/..", n);
    snprintf(what, sizeof what, "stat %s", p);
    REFUSED(what, sb_stat(proc, 0, p, NULL));
  }
  /* the links themselves may be looked at */
  __wasi_filestat_t st;
  SB_EXPECT("stat root (nofollow)", sb_stat(proc, 0, "root", &st), 0);
  SB_EXPECT("root is a symlink", st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
  SB_EXPECT("open root (nofollow)", sb_open(proc, 0, "root", 0, SB_RIGHTS_R, NULL), __WASI_ERRNO_LOOP);
  char buf[64];
  int32_t used = 0;
  SB_EXPECT("readlink root", sb_raw_path_readlink(proc, "root", 4, buf, sizeof buf, &used), 0);
  SB_TRUE("root reads as /", used == 1 && buf[0] == '/');
  /* plain files of /proc/self still read */
  int fd;
  SB_EXPECT("open status", sb_open(proc, 0, "status", 0, SB_RIGHTS_R, &fd), 0);
  if (fd >= 0) sb_close(fd);
  /* a symlink inside the sandbox pointing at the magic links is no better */
  SB_EXPECT("symlink to ../proc", sb_symlink("../proc/root", root, "via_proc"), 0);
  SB_EXPECT("open via_proc (follow)", sb_open(root, SB_FOLLOW, "via_proc", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("unlink via_proc", sb_unlink(root, "via_proc"), 0);
  return sb_finish("magic");
}
