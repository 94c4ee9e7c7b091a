/* race.c — check-then-use races. While run.sh's racer keeps exchanging root/race (a real
 * directory holding f = "inside") with a symlink to a directory outside (holding f =
 * "SECRET-DIR", 10 bytes), this program opens, stats, creates and removes through "race/".
 * Each attempt must either work inside or be refused; reaching the outside f even once is a
 * failure. The loop runs until both outcomes were seen often (or a bound is reached). */
#include "sb.h"

int main(void) {
  int root = sb_preopen("/");
  SB_TRUE("preopen / found", root >= 0);
  if (root < 0) return sb_finish("race");
  long inside = 0, refused = 0, escaped = 0, other = 0, iters = 0;
  for (; iters < 400000 && (inside < 3000 || refused < 3000); iters++) {
    int same = 0, e;
    switch (iters % 6) {
    case 0: /* read through the name */
      e = sb_read_is(root, SB_FOLLOW, "race/f", "inside", &same);
      if (!e && !same) escaped++;
      break;
    case 1: { /* stat through it: the outside f is 10 bytes, the inside one 6 */
      __wasi_filestat_t st;
      e = sb_stat(root, 0, "race/f", &st);
      if (!e && st.size != 6) escaped++;
      break;
    }
    case 2: /* `..` after it: inside, race/.. is the root itself */
      e = sb_read_is(root, 0, "race/../race/f", "inside", &same);
      if (!e && !same) escaped++;
      break;
    case 3: /* create and remove through it */
      e = sb_open(root, 0, "race/new", __WASI_OFLAGS_CREAT, SB_RIGHTS_RW, NULL);
      if (!e) (void)sb_unlink(root, "race/new");
      break;
    case 4: /* the directory fd itself, then a path below it */
    {
      int fd;
      e = sb_open(root, SB_FOLLOW, "race", __WASI_OFLAGS_DIRECTORY, SB_RIGHTS_DIR, &fd);
      if (!e) {
        e = sb_read_is(fd, 0, "f", "inside", &same);
        if (!e && !same) escaped++;
        sb_close(fd);
      }
      break;
    }
    default: /* utimes and mkdir through it */
      e = sb_touch(root, 0, "race/f");
      if (!e && !sb_mkdir(root, "race/d")) (void)sb_rmdir(root, "race/d");
      break;
    }
    if (!e) inside++;
    else if (e == __WASI_ERRNO_PERM || e == __WASI_ERRNO_NOENT || e == __WASI_ERRNO_NOTDIR) refused++;
    else {
      other++;
      if (other <= 5) printf("note: unexpected errno %s at iteration %ld\n", sb_errname(e), iters);
    }
  }
  printf("note: %ld attempts: %ld inside, %ld refused, %ld other\n", iters, inside, refused, other);
  SB_EXPECT("attempts that reached outside", (int)escaped, 0);
  SB_EXPECT("attempts with an unexpected errno", (int)other, 0);
  if (inside == 0 || refused == 0) printf("note: the race was not observed (racer not running?)\n");
  return sb_finish("race");
}
