/* fs.c — path_open and the path calls that create, remove, rename and read entries, plus the
 * filesystem part of the WASI registry. Every path goes through fs_path.c (the sandbox). */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h> /* renameat */
#include <unistd.h>

#include "fs.h"

/* Rights that make path_open ask the host for write access: those that need a writable host
 * descriptor. FD_FILESTAT_SET_SIZE is left out on purpose (Go asks for it even when opening
 * read-only, and a read-only file must still open), and so is FD_DATASYNC (fdatasync works
 * on any descriptor, and directories have that right). */
#define FS_RIGHTS_OPEN_WRITE (WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ALLOCATE)
#define FS_RIGHTS_OPEN_READ (WASI_RIGHT_FD_READ | WASI_RIGHT_FD_READDIR)

/* path_open(fd, dirflags, path, path_len, oflags, fs_rights_base, fs_rights_inheriting,
 *           fdflags, opened_fd)
 *
 * Rights: the new fd gets the requested rights cut to the directory's inheriting rights and
 * to what the opened object supports (a directory never keeps seek/read/write). Asking for
 * more is not an error (wasi-libc and Go both ask broadly; Go asks for write-ish rights
 * even for read-only opens, which inside a read-only preopen would otherwise always fail).
 * The access mode comes from the rights granted: write with FD_WRITE or FD_ALLOCATE, read
 * otherwise. Inside a read-only preopen, opening for writing, truncating or creating
 * gives EROFS. */
isthmus_trap *fs_path_open(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  uint32_t dirfd = (uint32_t)cells[0], lookup = (uint32_t)cells[1], oflags = (uint32_t)cells[4];
  uint64_t base = cells[5], inheriting = cells[6];
  uint32_t fdflags = (uint32_t)cells[7], out_ptr = (uint32_t)cells[8];

  wasi_fd *d;
  uint16_t e = fs_dir_fd(w, dirfd, WASI_RIGHT_PATH_OPEN, false, &d);
  if (e) WASI_RET(cells, e);
  if (oflags & ~(WASI_O_CREAT | WASI_O_DIRECTORY | WASI_O_EXCL | WASI_O_TRUNC)) WASI_RET(cells, WASI_EINVAL);
  if (fdflags & ~(WASI_FDFLAG_APPEND | WASI_FDFLAG_DSYNC | WASI_FDFLAG_NONBLOCK | WASI_FDFLAG_RSYNC |
                  WASI_FDFLAG_SYNC))
    WASI_RET(cells, WASI_EINVAL);
  if ((oflags & WASI_O_CREAT) && (oflags & WASI_O_DIRECTORY)) WASI_RET(cells, WASI_EINVAL);

  /* the host access mode: what was asked for and may be had */
  uint64_t granted = base & d->rights_inheriting;
  bool want_write = granted & FS_RIGHTS_OPEN_WRITE, want_read = granted & FS_RIGHTS_OPEN_READ;
  bool readonly = d->readonly, excl_check = false;
  if (readonly) {
    bool create_new = (oflags & (WASI_O_CREAT | WASI_O_EXCL)) == (WASI_O_CREAT | WASI_O_EXCL);
    if ((base & FS_RIGHTS_OPEN_WRITE) || (oflags & WASI_O_TRUNC) || create_new) WASI_RET(cells, WASI_EROFS);
    if (oflags & WASI_O_CREAT) excl_check = true; /* opens what exists; creating would be EROFS */
    oflags &= ~(WASI_O_CREAT | WASI_O_EXCL);
  } else {
    if ((oflags & WASI_O_CREAT) && !(d->rights_base & WASI_RIGHT_PATH_CREATE_FILE)) WASI_RET(cells, WASI_ENOTCAPABLE);
    /* Truncating needs PATH_FILESTAT_SET_SIZE, in the base or the inheriting rights: Go
     * opens every directory (os.Root too) with it cut from the base but kept in the
     * inheriting rights, and then truncates files in it. */
    if ((oflags & WASI_O_TRUNC) &&
        !((d->rights_base | d->rights_inheriting) & WASI_RIGHT_PATH_FILESTAT_SET_SIZE))
      WASI_RET(cells, WASI_ENOTCAPABLE);
  }

  fs_path p;
  if ((e = fs_path_load(c, (uint32_t)cells[2], (uint32_t)cells[3], &p))) WASI_RET(cells, e);
  if (!wasi_mem(c, out_ptr, 4)) WASI_RET(cells, WASI_EFAULT);

  int flags = O_CLOEXEC | O_NOCTTY | (want_write ? (want_read ? O_RDWR : O_WRONLY) : O_RDONLY);
  if (oflags & WASI_O_CREAT) flags |= O_CREAT;
  if (oflags & WASI_O_EXCL) flags |= O_EXCL;
  if (oflags & WASI_O_TRUNC) flags |= O_TRUNC;
  if (oflags & WASI_O_DIRECTORY) flags |= O_DIRECTORY;
  if (fdflags & WASI_FDFLAG_APPEND) flags |= O_APPEND;
  if (fdflags & WASI_FDFLAG_DSYNC) flags |= O_DSYNC;
  if (fdflags & WASI_FDFLAG_NONBLOCK) flags |= O_NONBLOCK;
  if (fdflags & WASI_FDFLAG_RSYNC) flags |= O_RSYNC;
  if (fdflags & WASI_FDFLAG_SYNC) flags |= O_SYNC;

  int hfd;
  e = fs_open(w, d->host_fd, p.s, flags, 0666, lookup & WASI_LOOKUP_SYMLINK_FOLLOW, &hfd);
  if (e == WASI_ENOENT && excl_check) e = WASI_EROFS;
  if (e) WASI_RET(cells, e);

  struct stat st;
  if (fstat(hfd, &st) < 0) {
    e = wasi_errno(errno);
    close(hfd);
    WASI_RET(cells, e);
  }
  uint8_t ft = fs_filetype(st.st_mode);
  uint64_t can;
  if (S_ISDIR(st.st_mode)) {
    can = FS_RIGHTS_DIR;
  } else if (S_ISREG(st.st_mode)) {
    can = FS_RIGHTS_FILE;
  } else { /* devices, FIFOs, sockets: what the core would give such a descriptor */
    uint16_t ff;
    if (!wasi_describe_host_fd(hfd, &ft, &can, &ff)) can = 0;
  }
  uint64_t dir_inheriting = d->rights_inheriting;
  int64_t slot = wasi_fd_alloc(w); /* may move w->fds: d is not used after this */
  if (slot < 0) {
    close(hfd);
    WASI_RET(cells, WASI_EMFILE);
  }
  wasi_fd *f = &w->fds[slot];
  f->host_fd = hfd;
  f->filetype = ft;
  f->fdflags = (uint16_t)fdflags;
  f->rights_base = granted & can;
  f->rights_inheriting = inheriting & dir_inheriting;
  f->readonly = readonly;
  f->kind = WASI_FD_HOST;
  wasi_st32(wasi_mem(c, out_ptr, 4), (uint32_t)slot);
  WASI_RET(cells, WASI_ESUCCESS);
}

/* ---- entries: create, remove, rename (the last component is never followed) */

typedef enum { FS_MKDIR, FS_RMDIR, FS_UNLINK } fs_entry_op;

/* The calls of shape (fd, path, path_len) that make or remove one entry. */
static uint16_t fs_entry(isthmus_wasi *w, isthmus_caller *c, uint64_t *cells, uint64_t right, fs_entry_op op) {
  wasi_fd *d;
  uint16_t e = fs_dir_fd(w, (uint32_t)cells[0], right, true, &d);
  if (e) return e;
  fs_path p;
  if ((e = fs_path_load(c, (uint32_t)cells[1], (uint32_t)cells[2], &p))) return e;
  fs_at at;
  if ((e = fs_at_resolve(w, d->host_fd, p.s, FS_AT_ENTRY, &at))) return e;
  int r = op == FS_MKDIR ? mkdirat(at.fd, at.name, 0777)
                         : unlinkat(at.fd, at.name, op == FS_RMDIR ? AT_REMOVEDIR : 0);
  e = r < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  fs_at_close(&at);
  return e;
}

/* path_create_directory(fd, path, path_len) */
isthmus_trap *fs_path_create_directory(void *env, isthmus_caller *c, uint64_t *cells) {
  WASI_RET(cells, fs_entry(env, c, cells, WASI_RIGHT_PATH_CREATE_DIRECTORY, FS_MKDIR));
}

/* path_remove_directory(fd, path, path_len) */
isthmus_trap *fs_path_remove_directory(void *env, isthmus_caller *c, uint64_t *cells) {
  WASI_RET(cells, fs_entry(env, c, cells, WASI_RIGHT_PATH_REMOVE_DIRECTORY, FS_RMDIR));
}

/* path_unlink_file(fd, path, path_len) */
isthmus_trap *fs_path_unlink_file(void *env, isthmus_caller *c, uint64_t *cells) {
  WASI_RET(cells, fs_entry(env, c, cells, WASI_RIGHT_PATH_UNLINK_FILE, FS_UNLINK));
}

/* path_symlink(old_path, old_path_len, fd, new_path, new_path_len) — the link's contents are
 * stored as given (they are only resolved, inside the sandbox, when followed), except that an
 * absolute target is refused: it could never be followed. */
isthmus_trap *fs_path_symlink(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *d;
  uint16_t e = fs_dir_fd(w, (uint32_t)cells[2], WASI_RIGHT_PATH_SYMLINK, true, &d);
  if (e) WASI_RET(cells, e);
  fs_path target, p;
  if ((e = fs_path_load(c, (uint32_t)cells[0], (uint32_t)cells[1], &target))) WASI_RET(cells, e);
  if ((e = fs_path_load(c, (uint32_t)cells[3], (uint32_t)cells[4], &p))) WASI_RET(cells, e);
  fs_at at;
  if ((e = fs_at_resolve(w, d->host_fd, p.s, FS_AT_ENTRY, &at))) WASI_RET(cells, e);
  e = symlinkat(target.s, at.fd, at.name) < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  fs_at_close(&at);
  WASI_RET(cells, e);
}

/* path_link(old_fd, old_flags, old_path, old_path_len, new_fd, new_path, new_path_len) —
 * both ends resolved inside their directories; the source is followed only when asked. */
isthmus_trap *fs_path_link(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *od, *nd;
  uint16_t e = fs_dir_fd(w, (uint32_t)cells[0], WASI_RIGHT_PATH_LINK_SOURCE, true, &od);
  if (e) WASI_RET(cells, e);
  if ((e = fs_dir_fd(w, (uint32_t)cells[4], WASI_RIGHT_PATH_LINK_TARGET, true, &nd))) WASI_RET(cells, e);
  fs_path op, np;
  if ((e = fs_path_load(c, (uint32_t)cells[2], (uint32_t)cells[3], &op))) WASI_RET(cells, e);
  if ((e = fs_path_load(c, (uint32_t)cells[5], (uint32_t)cells[6], &np))) WASI_RET(cells, e);
  bool follow = (uint32_t)cells[1] & WASI_LOOKUP_SYMLINK_FOLLOW;
  fs_at oat, nat;
  if ((e = fs_at_resolve(w, od->host_fd, op.s, follow ? FS_AT_FOLLOW : FS_AT_NOFOLLOW, &oat))) WASI_RET(cells, e);
  if ((e = fs_at_resolve(w, nd->host_fd, np.s, FS_AT_ENTRY, &nat))) {
    fs_at_close(&oat);
    WASI_RET(cells, e);
  }
  e = linkat(oat.fd, oat.name, nat.fd, nat.name, 0) < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  fs_at_close(&oat);
  fs_at_close(&nat);
  WASI_RET(cells, e);
}

/* path_rename(fd, old_path, old_path_len, new_fd, new_path, new_path_len) */
isthmus_trap *fs_path_rename(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *od, *nd;
  uint16_t e = fs_dir_fd(w, (uint32_t)cells[0], WASI_RIGHT_PATH_RENAME_SOURCE, true, &od);
  if (e) WASI_RET(cells, e);
  if ((e = fs_dir_fd(w, (uint32_t)cells[3], WASI_RIGHT_PATH_RENAME_TARGET, true, &nd))) WASI_RET(cells, e);
  fs_path op, np;
  if ((e = fs_path_load(c, (uint32_t)cells[1], (uint32_t)cells[2], &op))) WASI_RET(cells, e);
  if ((e = fs_path_load(c, (uint32_t)cells[4], (uint32_t)cells[5], &np))) WASI_RET(cells, e);
  fs_at oat, nat;
  if ((e = fs_at_resolve(w, od->host_fd, op.s, FS_AT_ENTRY, &oat))) WASI_RET(cells, e);
  if ((e = fs_at_resolve(w, nd->host_fd, np.s, FS_AT_ENTRY, &nat))) {
    fs_at_close(&oat);
    WASI_RET(cells, e);
  }
  e = renameat(oat.fd, oat.name, nat.fd, nat.name) < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  fs_at_close(&oat);
  fs_at_close(&nat);
  WASI_RET(cells, e);
}

/* path_readlink(fd, path, path_len, buf, buf_len, bufused) — a buffer shorter than the
 * contents gets their first buf_len bytes (no NUL is ever added). */
isthmus_trap *fs_path_readlink(void *env, isthmus_caller *c, uint64_t *cells) {
  isthmus_wasi *w = env;
  wasi_fd *d;
  uint16_t e = fs_dir_fd(w, (uint32_t)cells[0], WASI_RIGHT_PATH_READLINK, false, &d);
  if (e) WASI_RET(cells, e);
  fs_path p;
  if ((e = fs_path_load(c, (uint32_t)cells[1], (uint32_t)cells[2], &p))) WASI_RET(cells, e);
  uint32_t buf = (uint32_t)cells[3], buf_len = (uint32_t)cells[4], used_ptr = (uint32_t)cells[5];
  if (!wasi_mem(c, buf, buf_len) || !wasi_mem(c, used_ptr, 4)) WASI_RET(cells, WASI_EFAULT);
  fs_at at;
  if ((e = fs_at_resolve(w, d->host_fd, p.s, FS_AT_NOFOLLOW, &at))) WASI_RET(cells, e);
  char link[FS_PATH_MAX];
  ssize_t n = readlinkat(at.fd, at.name, link, sizeof link);
  e = n < 0 ? wasi_errno(errno) : WASI_ESUCCESS;
  fs_at_close(&at);
  if (e) WASI_RET(cells, e);
  uint32_t m = (uint64_t)n < buf_len ? (uint32_t)n : buf_len;
  memcpy(wasi_mem(c, buf, buf_len), link, m);
  wasi_st32(wasi_mem(c, used_ptr, 4), m);
  WASI_RET(cells, WASI_ESUCCESS);
}

/* ---- the registry */

const wasi_def wasi_fs_defs[] = {
    {"fd_prestat_get", "ii->i", fs_fd_prestat_get},
    {"fd_prestat_dir_name", "iii->i", fs_fd_prestat_dir_name},
    {"fd_filestat_get", "ii->i", fs_fd_filestat_get},
    {"fd_filestat_set_size", "iI->i", fs_fd_filestat_set_size},
    {"fd_filestat_set_times", "iIIi->i", fs_fd_filestat_set_times},
    {"fd_readdir", "iiiIi->i", fs_fd_readdir},
    {"path_create_directory", "iii->i", fs_path_create_directory},
    {"path_filestat_get", "iiiii->i", fs_path_filestat_get},
    {"path_filestat_set_times", "iiiiIIi->i", fs_path_filestat_set_times},
    {"path_link", "iiiiiii->i", fs_path_link},
    {"path_open", "iiiiiIIii->i", fs_path_open},
    {"path_readlink", "iiiiii->i", fs_path_readlink},
    {"path_remove_directory", "iii->i", fs_path_remove_directory},
    {"path_rename", "iiiiii->i", fs_path_rename},
    {"path_symlink", "iiiii->i", fs_path_symlink},
    {"path_unlink_file", "iii->i", fs_path_unlink_file},
};
const size_t wasi_fs_ndefs = CMN_ARRAY_LEN(wasi_fs_defs);
