/* escape.c — every way out of a preopened directory must fail, and every legal way around
 * inside it must still work. Run by run.sh with the tree it builds:
 *
 *   TMP/secret.txt ("SECRET"), TMP/outside/file.txt ("SECRET-DIR")   — outside the sandbox
 *   TMP/root  (preopened as "/"):
 *     file.txt ("inside"), sub/inner.txt ("inner"), sub/deeper/
 *     abs_link -> TMP/secret.txt    abs_dir -> TMP/outside     abs_root -> /
 *     rel_out -> ../secret.txt      rel_out_dir -> ../outside  dotdot -> ..
 *     sub/rel_up2 -> ../../secret.txt   sub/ok_up -> ../file.txt   sub/up -> ..   sub/upup -> ../..
 *     chain1 -> chain2 -> sub/rel_up2          chain_ok1 -> chain_ok2 -> sub/ok_up
 *     loop1 -> loop2 -> loop1      self -> self      dir_in -> sub
 *     deep_esc -> sub/deeper/../../..
 *
 * Escapes answer EPERM (the errno wasmtime and the wasi-testsuite use); symlink loops ELOOP.
 * run.sh checks afterwards that nothing outside changed (and that the inside is as before:
 * what this program creates, it removes). */
#include "sb.h"

#define EPERM_ __WASI_ERRNO_PERM

static void opens(int root) {
  int same;
  /* plain paths */
  SB_EXPECT("open ..", sb_open(root, 0, "..", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open ../secret.txt", sb_open(root, 0, "../secret.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open absolute", sb_open(root, 0, "/etc/passwd", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open absolute into root", sb_open(root, 0, "/file.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open sub/../../secret.txt", sb_open(root, 0, "sub/../../secret.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open sub/deeper/../../../secret.txt",
            sb_open(root, 0, "sub/deeper/../../../secret.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open sub/../..", sb_open(root, 0, "sub/../..", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open ./../secret.txt", sb_open(root, 0, "./../secret.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open sub//..//..//secret.txt", sb_open(root, 0, "sub//..//..//secret.txt", 0, SB_RIGHTS_R, NULL),
            EPERM_);
  /* legal ways around */
  SB_EXPECT("read sub/../file.txt", sb_read_is(root, 0, "sub/../file.txt", "inside", &same), 0);
  SB_TRUE("sub/../file.txt is the inside file", same);
  SB_EXPECT("open .", sb_open(root, 0, ".", 0, SB_RIGHTS_R, NULL), 0);
  SB_EXPECT("open sub/..", sb_open(root, 0, "sub/..", 0, SB_RIGHTS_R, NULL), 0);
  SB_EXPECT("open sub/deeper/../../file.txt", sb_open(root, 0, "sub/deeper/../../file.txt", 0, SB_RIGHTS_R, NULL), 0);

  /* symlinks, final component */
  SB_EXPECT("open abs_link (follow)", sb_open(root, SB_FOLLOW, "abs_link", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open abs_link (nofollow)", sb_open(root, 0, "abs_link", 0, SB_RIGHTS_R, NULL), __WASI_ERRNO_LOOP);
  SB_EXPECT("open rel_out (follow)", sb_open(root, SB_FOLLOW, "rel_out", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open sub/rel_up2 (follow)", sb_open(root, SB_FOLLOW, "sub/rel_up2", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open abs_root (follow, dir)",
            sb_open(root, SB_FOLLOW, "abs_root", __WASI_OFLAGS_DIRECTORY, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open dotdot (follow)", sb_open(root, SB_FOLLOW, "dotdot", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open deep_esc (follow)", sb_open(root, SB_FOLLOW, "deep_esc", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open chain1 (follow)", sb_open(root, SB_FOLLOW, "chain1", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open loop1 (follow)", sb_open(root, SB_FOLLOW, "loop1", 0, SB_RIGHTS_R, NULL), __WASI_ERRNO_LOOP);
  SB_EXPECT("open self (follow)", sb_open(root, SB_FOLLOW, "self", 0, SB_RIGHTS_R, NULL), __WASI_ERRNO_LOOP);
  SB_EXPECT("read chain_ok1", sb_read_is(root, SB_FOLLOW, "chain_ok1", "inside", &same), 0);
  SB_TRUE("chain_ok1 leads to the inside file", same);
  SB_EXPECT("read sub/ok_up", sb_read_is(root, SB_FOLLOW, "sub/ok_up", "inside", &same), 0);
  SB_TRUE("sub/ok_up leads to the inside file", same);

  /* symlinks in the middle (always followed, whatever the lookupflags) */
  SB_EXPECT("open abs_dir/file.txt", sb_open(root, 0, "abs_dir/file.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open rel_out_dir/file.txt", sb_open(root, SB_FOLLOW, "rel_out_dir/file.txt", 0, SB_RIGHTS_R, NULL),
            EPERM_);
  SB_EXPECT("open dotdot/secret.txt", sb_open(root, 0, "dotdot/secret.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open sub/upup/secret.txt", sb_open(root, 0, "sub/upup/secret.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open abs_root/etc/passwd", sb_open(root, 0, "abs_root/etc/passwd", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open dir_in/../../secret.txt", sb_open(root, 0, "dir_in/../../secret.txt", 0, SB_RIGHTS_R, NULL),
            EPERM_);
  SB_EXPECT("read sub/up/file.txt", sb_read_is(root, 0, "sub/up/file.txt", "inside", &same), 0);
  SB_TRUE("sub/up/file.txt is the inside file", same);
  SB_EXPECT("read dir_in/inner.txt", sb_read_is(root, 0, "dir_in/inner.txt", "inner", &same), 0);
  SB_TRUE("dir_in/inner.txt is sub/inner.txt", same);
  /* "dir_in/.." is sub's parent (root), as the kernel resolves it, not "." */
  SB_EXPECT("read dir_in/../file.txt", sb_read_is(root, 0, "dir_in/../file.txt", "inside", &same), 0);
  SB_TRUE("dir_in/../file.txt is the inside file", same);
  SB_EXPECT("open sub/upup/file.txt", sb_open(root, 0, "sub/upup/file.txt", 0, SB_RIGHTS_R, NULL), EPERM_);

  /* trailing slashes follow a final symlink, even without the follow flag */
  SB_EXPECT("open abs_dir/", sb_open(root, 0, "abs_dir/", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open rel_out_dir/", sb_open(root, 0, "rel_out_dir/", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open file.txt/", sb_open(root, 0, "file.txt/", 0, SB_RIGHTS_R, NULL), __WASI_ERRNO_NOTDIR);
  SB_EXPECT("open dir_in/", sb_open(root, 0, "dir_in/", 0, SB_RIGHTS_R, NULL), 0);

  /* creating through links */
  SB_EXPECT("create ../created", sb_open(root, 0, "../created", __WASI_OFLAGS_CREAT, SB_RIGHTS_RW, NULL), EPERM_);
  SB_EXPECT("create abs_dir/created",
            sb_open(root, SB_FOLLOW, "abs_dir/created", __WASI_OFLAGS_CREAT, SB_RIGHTS_RW, NULL), EPERM_);
  SB_EXPECT("create rel_out_dir/created",
            sb_open(root, SB_FOLLOW, "rel_out_dir/created", __WASI_OFLAGS_CREAT, SB_RIGHTS_RW, NULL), EPERM_);
  SB_EXPECT("make dangling link out", sb_symlink("../created_by_dangling", root, "dangling_out"), 0);
  SB_EXPECT("create through dangling_out",
            sb_open(root, SB_FOLLOW, "dangling_out", __WASI_OFLAGS_CREAT, SB_RIGHTS_RW, NULL), EPERM_);
  SB_EXPECT("create through dangling_out (nofollow)",
            sb_open(root, 0, "dangling_out", __WASI_OFLAGS_CREAT, SB_RIGHTS_RW, NULL), __WASI_ERRNO_LOOP);
  SB_EXPECT("create through dangling_out (excl)",
            sb_open(root, SB_FOLLOW, "dangling_out", __WASI_OFLAGS_CREAT | __WASI_OFLAGS_EXCL, SB_RIGHTS_RW, NULL),
            __WASI_ERRNO_EXIST);
  SB_EXPECT("unlink dangling_out", sb_unlink(root, "dangling_out"), 0);
  SB_EXPECT("make dangling link in", sb_symlink("sub/made_by_link", root, "dangling_in"), 0);
  SB_EXPECT("create through dangling_in",
            sb_open(root, SB_FOLLOW, "dangling_in", __WASI_OFLAGS_CREAT, SB_RIGHTS_RW, NULL), 0);
  SB_EXPECT("stat sub/made_by_link", sb_stat(root, 0, "sub/made_by_link", NULL), 0);
  SB_EXPECT("unlink sub/made_by_link", sb_unlink(root, "sub/made_by_link"), 0);
  SB_EXPECT("unlink dangling_in", sb_unlink(root, "dangling_in"), 0);
  SB_EXPECT("truncate through abs_link",
            sb_open(root, SB_FOLLOW, "abs_link", __WASI_OFLAGS_TRUNC, SB_RIGHTS_RW, NULL), EPERM_);
}

/* A directory fd opened below the preopen is a sandbox of its own: `..` from it is refused. */
static void subdir_fd(int root) {
  int sub, same;
  SB_EXPECT("open sub as dir", sb_open(root, 0, "sub", __WASI_OFLAGS_DIRECTORY, SB_RIGHTS_DIR, &sub), 0);
  if (sub < 0) return;
  SB_EXPECT("sub: open ../file.txt", sb_open(sub, 0, "../file.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("sub: open ok_up (follow)", sb_open(sub, SB_FOLLOW, "ok_up", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("sub: open up/file.txt", sb_open(sub, 0, "up/file.txt", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("sub: read inner.txt", sb_read_is(sub, 0, "inner.txt", "inner", &same), 0);
  SB_TRUE("sub: inner.txt", same);
  SB_EXPECT("sub: read deeper/../inner.txt", sb_read_is(sub, 0, "deeper/../inner.txt", "inner", &same), 0);
  SB_EXPECT("sub: stat ..", sb_stat(sub, 0, "..", NULL), EPERM_);
  SB_EXPECT("sub: mkdir ../x", sb_mkdir(sub, "../x"), EPERM_);
  sb_close(sub);
}

/* (parent, name) calls: stat, utimes, mkdir, rmdir, unlink, rename, link, symlink, readlink */
static void entries(int root) {
  __wasi_filestat_t st;
  SB_EXPECT("stat ../secret.txt", sb_stat(root, 0, "../secret.txt", NULL), EPERM_);
  SB_EXPECT("stat ..", sb_stat(root, 0, "..", NULL), EPERM_);
  SB_EXPECT("stat abs_link (follow)", sb_stat(root, SB_FOLLOW, "abs_link", NULL), EPERM_);
  SB_EXPECT("stat abs_link (nofollow)", sb_stat(root, 0, "abs_link", &st), 0);
  SB_EXPECT("abs_link is a symlink", st.filetype, __WASI_FILETYPE_SYMBOLIC_LINK);
  SB_EXPECT("stat rel_out (follow)", sb_stat(root, SB_FOLLOW, "rel_out", NULL), EPERM_);
  SB_EXPECT("stat chain1 (follow)", sb_stat(root, SB_FOLLOW, "chain1", NULL), EPERM_);
  SB_EXPECT("stat loop1 (follow)", sb_stat(root, SB_FOLLOW, "loop1", NULL), __WASI_ERRNO_LOOP);
  SB_EXPECT("stat abs_dir/ (slash follows)", sb_stat(root, 0, "abs_dir/", NULL), EPERM_);
  SB_EXPECT("stat abs_dir/file.txt", sb_stat(root, 0, "abs_dir/file.txt", NULL), EPERM_);
  SB_EXPECT("stat dotdot/secret.txt", sb_stat(root, 0, "dotdot/secret.txt", NULL), EPERM_);
  SB_EXPECT("stat chain_ok1 (follow)", sb_stat(root, SB_FOLLOW, "chain_ok1", &st), 0);
  SB_EXPECT("chain_ok1 leads to a file", st.filetype, __WASI_FILETYPE_REGULAR_FILE);
  SB_EXPECT("stat dir_in/ (slash follows)", sb_stat(root, 0, "dir_in/", &st), 0);
  SB_EXPECT("dir_in/ is a directory", st.filetype, __WASI_FILETYPE_DIRECTORY);
  SB_EXPECT("stat sub/..", sb_stat(root, 0, "sub/..", &st), 0);

  SB_EXPECT("utimes abs_link (follow)", sb_touch(root, SB_FOLLOW, "abs_link"), EPERM_);
  SB_EXPECT("utimes rel_out_dir/file.txt", sb_touch(root, 0, "rel_out_dir/file.txt"), EPERM_);
  SB_EXPECT("utimes ../secret.txt", sb_touch(root, 0, "../secret.txt"), EPERM_);
  SB_EXPECT("utimes abs_dir/ (slash follows)", sb_touch(root, 0, "abs_dir/"), EPERM_);
  SB_EXPECT("utimes .. ", sb_touch(root, 0, ".."), EPERM_);

  SB_EXPECT("mkdir ../newdir", sb_mkdir(root, "../newdir"), EPERM_);
  SB_EXPECT("mkdir abs_dir/newdir", sb_mkdir(root, "abs_dir/newdir"), EPERM_);
  SB_EXPECT("mkdir rel_out_dir/newdir", sb_mkdir(root, "rel_out_dir/newdir"), EPERM_);
  SB_EXPECT("mkdir ..", sb_mkdir(root, ".."), EPERM_);
  SB_EXPECT("mkdir /abs", sb_mkdir(root, "/abs"), EPERM_);
  SB_EXPECT("mkdir abs_link (exists as link)", sb_mkdir(root, "abs_link"), __WASI_ERRNO_EXIST);
  SB_EXPECT("mkdir abs_dir/ (never followed)", sb_mkdir(root, "abs_dir/"), __WASI_ERRNO_EXIST);

  SB_EXPECT("rmdir ../outside", sb_rmdir(root, "../outside"), EPERM_);
  SB_EXPECT("rmdir rel_out_dir (a link)", sb_rmdir(root, "rel_out_dir"), __WASI_ERRNO_NOTDIR);
  SB_EXPECT("rmdir rel_out_dir/ (a link)", sb_rmdir(root, "rel_out_dir/"), __WASI_ERRNO_NOTDIR);
  SB_EXPECT("rmdir abs_dir/", sb_rmdir(root, "abs_dir/"), __WASI_ERRNO_NOTDIR);
  SB_EXPECT("rmdir sub/../..", sb_rmdir(root, "sub/../.."), EPERM_);
  SB_EXPECT("rmdir .", sb_rmdir(root, "."), __WASI_ERRNO_INVAL);

  SB_EXPECT("unlink ../secret.txt", sb_unlink(root, "../secret.txt"), EPERM_);
  SB_EXPECT("unlink rel_out_dir/file.txt", sb_unlink(root, "rel_out_dir/file.txt"), EPERM_);
  SB_EXPECT("unlink abs_dir/file.txt", sb_unlink(root, "abs_dir/file.txt"), EPERM_);
  SB_EXPECT("unlink abs_dir/ (a link, never followed)", sb_unlink(root, "abs_dir/"), __WASI_ERRNO_NOTDIR);
  SB_EXPECT("unlink abs_link/ (a link, never followed)", sb_unlink(root, "abs_link/"), __WASI_ERRNO_NOTDIR);
  SB_EXPECT("rename abs_dir/ -> x (a link, never followed)", sb_rename(root, "abs_dir/", root, "x"),
            __WASI_ERRNO_NOTDIR);
  SB_EXPECT("link abs_dir/ -> x (slash follows: out)", sb_link(root, 0, "abs_dir/", root, "x"), EPERM_);
  SB_EXPECT("readlink abs_dir/ (slash follows: out)", sb_raw_path_readlink(root, "abs_dir/", 8, (char[8]){0}, 8,
                                                                          &(int32_t){0}),
            EPERM_);

  SB_EXPECT("rename file.txt -> ../stolen", sb_rename(root, "file.txt", root, "../stolen"), EPERM_);
  SB_EXPECT("rename ../secret.txt -> got", sb_rename(root, "../secret.txt", root, "got"), EPERM_);
  SB_EXPECT("rename rel_out_dir/file.txt -> got", sb_rename(root, "rel_out_dir/file.txt", root, "got"), EPERM_);
  SB_EXPECT("rename file.txt -> abs_dir/x", sb_rename(root, "file.txt", root, "abs_dir/x"), EPERM_);
  SB_EXPECT("rename sub -> abs_dir/ (over the link)", sb_rename(root, "sub", root, "abs_dir/"), __WASI_ERRNO_NOTDIR);
  SB_EXPECT("rename /file.txt", sb_rename(root, "/file.txt", root, "x"), EPERM_);
  /* renaming a link moves the link, not what it points to */
  SB_EXPECT("rename rel_out -> sub/rel_out2", sb_rename(root, "rel_out", root, "sub/rel_out2"), 0);
  /* ../secret.txt from sub is root/secret.txt, which does not exist */
  SB_EXPECT("open sub/rel_out2 (follow)", sb_open(root, SB_FOLLOW, "sub/rel_out2", 0, SB_RIGHTS_R, NULL),
            __WASI_ERRNO_NOENT);
  SB_EXPECT("rename it back", sb_rename(root, "sub/rel_out2", root, "rel_out"), 0);
  SB_EXPECT("rename sub/rel_up2 -> moved", sb_rename(root, "sub/rel_up2", root, "moved"), 0);
  SB_EXPECT("open moved (follow)", sb_open(root, SB_FOLLOW, "moved", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("rename it back", sb_rename(root, "moved", root, "sub/rel_up2"), 0);

  SB_EXPECT("link ../secret.txt -> hl", sb_link(root, 0, "../secret.txt", root, "hl"), EPERM_);
  SB_EXPECT("link rel_out (follow) -> hl", sb_link(root, SB_FOLLOW, "rel_out", root, "hl"), EPERM_);
  SB_EXPECT("link abs_link (follow) -> hl", sb_link(root, SB_FOLLOW, "abs_link", root, "hl"), EPERM_);
  SB_EXPECT("link abs_dir/file.txt -> hl", sb_link(root, 0, "abs_dir/file.txt", root, "hl"), EPERM_);
  SB_EXPECT("link file.txt -> ../hl", sb_link(root, 0, "file.txt", root, "../hl"), EPERM_);
  SB_EXPECT("link file.txt -> abs_dir/hl", sb_link(root, 0, "file.txt", root, "abs_dir/hl"), EPERM_);
  /* a hard link to the symlink itself is fine; following it is still refused */
  SB_EXPECT("link abs_link (nofollow) -> hl", sb_link(root, 0, "abs_link", root, "hl"), 0);
  SB_EXPECT("open hl (follow)", sb_open(root, SB_FOLLOW, "hl", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("unlink hl", sb_unlink(root, "hl"), 0);

  SB_EXPECT("symlink to absolute", sb_symlink("/etc/passwd", root, "newabs"), EPERM_);
  SB_EXPECT("symlink to /", sb_symlink("/", root, "newabs"), EPERM_);
  SB_EXPECT("symlink at ../newlink", sb_symlink("file.txt", root, "../newlink"), EPERM_);
  SB_EXPECT("symlink at abs_dir/newlink", sb_symlink("file.txt", root, "abs_dir/newlink"), EPERM_);
  SB_EXPECT("symlink ../../x stored as given", sb_symlink("../../x", root, "sub/newrel"), 0);
  SB_EXPECT("open sub/newrel (follow)", sb_open(root, SB_FOLLOW, "sub/newrel", 0, SB_RIGHTS_R, NULL), EPERM_);
  SB_EXPECT("open sub/newrel (nofollow)", sb_open(root, 0, "sub/newrel", 0, SB_RIGHTS_R, NULL), __WASI_ERRNO_LOOP);
  SB_EXPECT("unlink sub/newrel", sb_unlink(root, "sub/newrel"), 0);

  char buf[128];
  int32_t used = -1;
  SB_EXPECT("readlink abs_link", sb_raw_path_readlink(root, "abs_link", 8, buf, sizeof buf, &used), 0);
  SB_TRUE("readlink abs_link gives the absolute target", used > 0 && buf[0] == '/');
  SB_EXPECT("readlink rel_out_dir/x", sb_raw_path_readlink(root, "rel_out_dir/x", 13, buf, sizeof buf, &used),
            EPERM_);
  SB_EXPECT("readlink ../x", sb_raw_path_readlink(root, "../x", 4, buf, sizeof buf, &used), EPERM_);
}

/* Lengths and bytes */
static void limits(int root) {
  static char big[5000];
  memset(big, 'a', sizeof big);
  for (int i = 1; i < (int)sizeof big; i += 2) big[i] = '/';
  SB_EXPECT("5000-byte path", sb_raw_path_open(root, 0, big, sizeof big, 0, SB_RIGHTS_R, 0, 0, &(int32_t){0}),
            __WASI_ERRNO_NAMETOOLONG);
  char longname[300];
  memset(longname, 'b', sizeof longname);
  SB_EXPECT("300-byte name", sb_raw_path_open(root, 0, longname, sizeof longname, 0, SB_RIGHTS_R, 0, 0, &(int32_t){0}),
            __WASI_ERRNO_NAMETOOLONG);
  SB_EXPECT("300-byte name (stat)", sb_raw_path_filestat_get(root, 0, longname, sizeof longname, &(__wasi_filestat_t){0}),
            __WASI_ERRNO_NAMETOOLONG);
  /* 2000 levels of "../" is just an escape */
  static char ups[6000];
  size_t n = 0;
  for (int i = 0; i < 1300; i++) memcpy(ups + n, "../", 3), n += 3;
  SB_EXPECT("1300 x ../", sb_raw_path_open(root, 0, ups, (int32_t)n, 0, SB_RIGHTS_R, 0, 0, &(int32_t){0}), EPERM_);
  SB_EXPECT("NUL inside", sb_raw_path_open(root, 0, "file.txt\0/../..", 15, 0, SB_RIGHTS_R, 0, 0, &(int32_t){0}),
            __WASI_ERRNO_INVAL);
  SB_EXPECT("empty path", sb_raw_path_open(root, 0, "", 0, 0, SB_RIGHTS_R, 0, 0, &(int32_t){0}), __WASI_ERRNO_NOENT);
  SB_EXPECT("path out of memory",
            sb_raw_path_open(root, 0, (const char *)0xfffffff0u, 100, 0, SB_RIGHTS_R, 0, 0, &(int32_t){0}),
            __WASI_ERRNO_FAULT);
}

int main(void) {
  int root = sb_preopen("/");
  SB_TRUE("preopen / found", root >= 0);
  if (root < 0) return sb_finish("escape");
  opens(root);
  subdir_fd(root);
  entries(root);
  limits(root);
  return sb_finish("escape");
}
