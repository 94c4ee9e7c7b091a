/* fs_path.c — the sandbox: guest paths, resolution beneath a directory fd (openat2 with
 * RESOLVE_BENEATH, or a component-by-component walk) and (parent, name) pairs. See fs.h. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "fs.h"

#ifndef SYS_openat2
#define SYS_openat2 437
#endif

enum { FS_RESOLVE_OPENAT2 = 1, FS_RESOLVE_WALK = 2 };

/* openat2 retries when the kernel reports a concurrent rename (EAGAIN) before walking. */
#define FS_OPENAT2_TRIES 8
/* Directories the walk may stand in at once (a deeper path gets ENAMETOOLONG). */
#define FS_WALK_MAX_DEPTH 4096
/* Second looks at a component that changed between failing to open and being read as a
 * symlink (someone renaming concurrently); after that its error stands. */
#define FS_WALK_RETRIES 16

uint16_t fs_path_load(isthmus_caller *c, uint32_t ptr, uint32_t len, fs_path *out) {
  const uint8_t *p = wasi_mem(c, ptr, len);
  if (!p) return WASI_EFAULT;
  if (len == 0) return WASI_ENOENT;
  if (len >= FS_PATH_MAX) return WASI_ENAMETOOLONG;
  if (memchr(p, 0, len)) return WASI_EINVAL;
  memcpy(out->s, p, len);
  out->s[len] = 0;
  out->len = len;
  if (out->s[0] == '/') return FS_EESCAPE;
  return WASI_ESUCCESS;
}

/* ---- choosing the resolver */

/* Whether this kernel has openat2: a fact about the process, found once. 0 = not probed. */
static int fs_kernel_openat2;

static bool fs_probe_openat2(void) {
  int known = __atomic_load_n(&fs_kernel_openat2, __ATOMIC_RELAXED);
  if (known) return known > 0;
  /* "/" beneath the current directory is an escape: EXDEV proves the call exists and
   * understands RESOLVE_BENEATH. ENOSYS (old kernel), EPERM (seccomp) or EINVAL: no. */
  struct open_how how = {.flags = O_PATH | O_CLOEXEC, .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS};
  long r = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
  bool ok = r >= 0 || errno == EXDEV;
  if (r >= 0) close((int)r);
  __atomic_store_n(&fs_kernel_openat2, ok ? 1 : -1, __ATOMIC_RELAXED);
  return ok;
}

static bool fs_use_openat2(isthmus_wasi *w) {
  if (!w->fs_resolve) {
    const char *force = getenv("ISTHMUS_WASI_NO_OPENAT2");
    bool walk = force && *force && strcmp(force, "0") != 0;
    w->fs_resolve = !walk && fs_probe_openat2() ? FS_RESOLVE_OPENAT2 : FS_RESOLVE_WALK;
  }
  return w->fs_resolve == FS_RESOLVE_OPENAT2;
}

/* ---- the walk */

typedef struct fs_walk {
  int *dirs; /* directories entered below root, innermost last (owned) */
  size_t depth, cap;
  char *cur, *tmp; /* the path still to resolve, and scratch for symlink expansion */
} fs_walk;

static int fs_walk_top(const fs_walk *k, int root) { return k->depth ? k->dirs[k->depth - 1] : root; }

/* The component `name` of the current directory failed to open as what we wanted; if it is a
 * symlink, replaces it in k->cur (its rest starts at k->cur[pos]) by the link's target and
 * returns 0. FS_WALK_NOT_LINK when it is not a symlink, else a WASI errno. */
enum { FS_WALK_NOT_LINK = 0x10000 };
static int fs_walk_expand(fs_walk *k, int dir, const char *name, size_t pos, int *hops) {
  ssize_t n = readlinkat(dir, name, k->tmp, FS_PATH_MAX);
  if (n < 0) return errno == EINVAL ? FS_WALK_NOT_LINK : wasi_errno(errno);
  if (++*hops > FS_MAX_SYMLINKS) return WASI_ELOOP;
  if (n == 0) return WASI_ENOENT;
  if (k->tmp[0] == '/') return FS_EESCAPE;
  size_t rest = strlen(k->cur + pos);
  if ((size_t)n + rest >= FS_PATH_MAX) return WASI_ENAMETOOLONG;
  memcpy(k->tmp + n, k->cur + pos, rest + 1);
  char *t = k->cur;
  k->cur = k->tmp;
  k->tmp = t;
  return WASI_ESUCCESS;
}

/* After an open failed with ENOTDIR/ELOOP and the entry then did not read as a symlink:
 * true when it is now a directory or a symlink (renamed concurrently), so that a second look
 * may succeed; false for the ordinary case (a file where a directory was wanted). */
static bool fs_walk_changed(int dir, const char *name) {
  struct stat st;
  return fstatat(dir, name, &st, AT_SYMLINK_NOFOLLOW) == 0 && (S_ISDIR(st.st_mode) || S_ISLNK(st.st_mode));
}

static uint16_t fs_walk_run(fs_walk *k, int root, int flags, mode_t mode, bool follow, int *out) {
  size_t pos = 0;
  int hops = 0, retries = 0;
  char comp[NAME_MAX + 1];
  for (;;) {
    while (k->cur[pos] == '/') pos++;
    int top = fs_walk_top(k, root);
    if (!k->cur[pos]) { /* the path ends at a directory we stand in ("", ".", "a/..", "a/") */
      int fd = openat(top, ".", flags, mode);
      if (fd < 0) return wasi_errno(errno);
      *out = fd;
      return WASI_ESUCCESS;
    }
    size_t start = pos;
    while (k->cur[pos] && k->cur[pos] != '/') pos++;
    size_t len = pos - start;
    if (len > NAME_MAX) return WASI_ENAMETOOLONG;
    memcpy(comp, k->cur + start, len);
    comp[len] = 0;
    size_t after = pos;
    while (k->cur[after] == '/') after++;
    bool last = !k->cur[after], trailing = last && after > pos;

    if (len == 1 && comp[0] == '.') continue;
    if (len == 2 && comp[0] == '.' && comp[1] == '.') {
      if (!k->depth) return FS_EESCAPE; /* above the directory we started from */
      close(k->dirs[--k->depth]);
      continue;
    }
    if (!last || trailing) { /* a directory to enter (a trailing slash makes the last one so) */
      if (trailing && (flags & O_CREAT)) return WASI_EISDIR; /* as open(2) says */
      int fd = openat(top, comp, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
      if (fd >= 0) {
        if (k->depth == FS_WALK_MAX_DEPTH) {
          close(fd);
          return WASI_ENAMETOOLONG;
        }
        if (k->depth == k->cap) {
          k->cap = k->cap ? k->cap * 2 : 16;
          k->dirs = cmn_xrealloc(k->dirs, k->cap * sizeof *k->dirs);
        }
        k->dirs[k->depth++] = fd;
        continue;
      }
      int e = errno;
      if (e != ENOTDIR && e != ELOOP) return wasi_errno(e);
      int r = fs_walk_expand(k, top, comp, pos, &hops);
      if (r == FS_WALK_NOT_LINK) {
        if (!fs_walk_changed(top, comp) || ++retries > FS_WALK_RETRIES) return wasi_errno(e);
        pos = start; /* it changed under us: look again */
        continue;
      }
      if (r) return (uint16_t)r;
      pos = 0;
      continue;
    }
    /* the last component: O_NOFOLLOW makes a symlink fail (ELOOP, or ENOTDIR with
     * O_DIRECTORY) instead of being followed by the kernel */
    int fd = openat(top, comp, flags | O_NOFOLLOW, mode);
    if (fd >= 0) {
      *out = fd;
      return WASI_ESUCCESS;
    }
    int e = errno;
    if (!follow || (e != ELOOP && e != ENOTDIR)) return wasi_errno(e);
    int r = fs_walk_expand(k, top, comp, pos, &hops);
    if (r == FS_WALK_NOT_LINK) {
      if (!fs_walk_changed(top, comp) || ++retries > FS_WALK_RETRIES) return wasi_errno(e);
      pos = start;
      continue;
    }
    if (r) return (uint16_t)r;
    pos = 0;
    continue;
  }
}

static uint16_t fs_walk_open(int root, const char *path, int flags, mode_t mode, bool follow, int *out) {
  fs_walk k = {0};
  k.cur = cmn_xmalloc(FS_PATH_MAX);
  k.tmp = cmn_xmalloc(FS_PATH_MAX);
  size_t n = strlen(path);
  if (n >= FS_PATH_MAX) n = FS_PATH_MAX - 1; /* fs_path_load bounds it already */
  memcpy(k.cur, path, n);
  k.cur[n] = 0;
  uint16_t r = fs_walk_run(&k, root, flags, mode, follow, out);
  while (k.depth) close(k.dirs[--k.depth]);
  free(k.dirs);
  free(k.cur);
  free(k.tmp);
  return r;
}

/* ---- opening */

uint16_t fs_open(isthmus_wasi *w, int root, const char *path, int flags, mode_t mode, bool follow, int *out) {
  if (path[0] == '/') return FS_EESCAPE;
  if (fs_use_openat2(w)) {
    struct open_how how = {
        .flags = (uint64_t)(unsigned)(flags | (follow ? 0 : O_NOFOLLOW)),
        .mode = (flags & O_CREAT) ? mode : 0,
        .resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS,
    };
    for (int i = 0; i < FS_OPENAT2_TRIES; i++) {
      long r = syscall(SYS_openat2, root, path, &how, sizeof how);
      if (r >= 0) {
        *out = (int)r;
        return WASI_ESUCCESS;
      }
      if (errno == EXDEV) return FS_EESCAPE; /* the kernel saw the path leave root */
      if (errno != EAGAIN && errno != EINTR) return wasi_errno(errno);
    }
    /* renames kept racing with `..`: the walk needs no retry */
  }
  return fs_walk_open(root, path, flags, mode, follow, out);
}

/* ---- (parent, name) pairs */

void fs_at_close(fs_at *at) {
  if (at->owned && at->fd >= 0) close(at->fd);
  at->fd = -1;
  at->owned = false;
}

uint16_t fs_at_resolve(isthmus_wasi *w, int root, const char *path, fs_at_mode mode, fs_at *at) {
  char cur[FS_PATH_MAX], link[FS_PATH_MAX];
  size_t n = strnlen(path, FS_PATH_MAX);
  if (n >= FS_PATH_MAX) return WASI_ENAMETOOLONG;
  memcpy(cur, path, n + 1);
  at->fd = -1;
  at->owned = false;
  for (int hops = 0;;) {
    if (!n) return WASI_ENOENT;
    if (cur[0] == '/') return FS_EESCAPE;
    size_t end = n;
    bool slash = false;
    while (end > 0 && cur[end - 1] == '/') end--, slash = true;
    size_t start = end;
    while (start > 0 && cur[start - 1] != '/') start--;
    size_t clen = end - start;
    if (clen > NAME_MAX) return WASI_ENAMETOOLONG;
    /* "x/." and "x/..": the parent is the whole path and the entry is "." in it */
    bool dot = (clen == 1 && cur[start] == '.') || (clen == 2 && cur[start] == '.' && cur[start + 1] == '.');
    size_t plen = dot ? end : start;
    if (dot) {
      strcpy(at->name, ".");
    } else {
      memcpy(at->name, cur + start, clen);
      at->name[clen] = 0;
    }

    if (plen == 0) {
      at->fd = root;
      at->owned = false;
    } else {
      char saved = cur[plen];
      cur[plen] = 0;
      int fd;
      uint16_t r = fs_open(w, root, cur, O_PATH | O_DIRECTORY | O_CLOEXEC, 0, true, &fd);
      cur[plen] = saved;
      if (r) return r;
      at->fd = fd;
      at->owned = true;
    }

    bool follow = !dot && mode != FS_AT_ENTRY && (mode == FS_AT_FOLLOW || slash);
    if (follow) {
      ssize_t k = readlinkat(at->fd, at->name, link, sizeof link);
      if (k >= 0) { /* a symlink: resolve "parent/target" again from root */
        fs_at_close(at);
        if (++hops > FS_MAX_SYMLINKS) return WASI_ELOOP;
        if (k == 0) return WASI_ENOENT;
        if (link[0] == '/') return FS_EESCAPE;
        if (start + (size_t)k + slash >= FS_PATH_MAX) return WASI_ENAMETOOLONG;
        memcpy(cur + start, link, (size_t)k);
        n = start + (size_t)k;
        if (slash) cur[n++] = '/';
        cur[n] = 0;
        continue;
      }
      /* not a symlink, or missing: the operation itself reports it */
    }
    if (slash && !dot) {
      if (mode == FS_AT_ENTRY) {
        strcat(at->name, "/");
      } else {
        struct stat st;
        uint16_t r = WASI_ESUCCESS;
        if (fstatat(at->fd, at->name, &st, AT_SYMLINK_NOFOLLOW) < 0) r = wasi_errno(errno);
        else if (!S_ISDIR(st.st_mode)) r = WASI_ENOTDIR;
        if (r) {
          fs_at_close(at);
          return r;
        }
      }
    }
    return WASI_ESUCCESS;
  }
}
