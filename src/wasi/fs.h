/* fs.h — private to the WASI filesystem files: fs.c (path_open and the path_* calls that
 * create, remove and rename), fs_stat.c (prestat, filestat, times), fs_dir.c (fd_readdir)
 * and fs_path.c (the sandbox: every guest path is resolved there and nowhere else).
 *
 * The sandbox, in short. A path call names a directory fd and a relative path. The path never
 * reaches the host as a string to resolve freely: either the kernel resolves it with openat2()
 * and RESOLVE_BENEATH (it refuses, atomically, any step that would leave the directory: `..`
 * above it, absolute symlinks, magic links), or, where openat2 is missing or when the test
 * switch ISTHMUS_WASI_NO_OPENAT2=1 is set, fs_path.c walks the path one component at a time
 * with openat(O_NOFOLLOW), keeps a stack of the directories it went through (so `..` pops
 * and can never go above the start) and expands each symlink itself (absolute target:
 * refused; at most FS_MAX_SYMLINKS). Calls that work on a (directory, name) pair (mkdir,
 * unlink, rename, link, symlink, readlink, stat, utimes) first open the parent directory that
 * way, then act on the last component relative to that fd with no-follow flags, so a symlink
 * swapped in between is never followed. Following a final symlink (lookupflags) is done by
 * reading it and resolving "parent/target" again from the start directory. */
#ifndef ISTHMUS_WASI_FS_H
#define ISTHMUS_WASI_FS_H

#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <time.h>

#include "core_int.h"

/* The errno of an escape attempt: an absolute path, `..` above the directory fd, a symlink
 * whose target is absolute or climbs out, an absolute symlink target given to path_symlink.
 * EPERM is what wasmtime has returned since it dropped ENOTCAPABLE (2022) and what the
 * official wasi-testsuite (interesting_paths, symlink_create) expects. ENOTCAPABLE stays the
 * answer for missing rights. */
#define FS_EESCAPE WASI_EPERM

#define FS_PATH_MAX PATH_MAX /* 4096 bytes with the NUL, as on Linux: longer → ENAMETOOLONG */
#define FS_MAX_SYMLINKS 40   /* symlinks expanded per resolution (Linux's MAXSYMLINKS) → ELOOP */

/* lookupflags, oflags, fstflags (the spec's bits) */
#define WASI_LOOKUP_SYMLINK_FOLLOW 1u
#define WASI_O_CREAT 1u
#define WASI_O_DIRECTORY 2u
#define WASI_O_EXCL 4u
#define WASI_O_TRUNC 8u
#define WASI_FST_ATIM 1u
#define WASI_FST_ATIM_NOW 2u
#define WASI_FST_MTIM 4u
#define WASI_FST_MTIM_NOW 8u

/* Rights an fd opened by path_open may keep, by what it turned out to be (the same sets
 * the core gives host descriptors). */
#define FS_RIGHTS_DIR                                                                              \
  (WASI_RIGHTS_ALL & ~(WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_SEEK |             \
                       WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_SOCK_SHUTDOWN | WASI_RIGHT_SOCK_ACCEPT))
#define FS_RIGHTS_FILE                                                                             \
  (WASI_RIGHT_FD_DATASYNC | WASI_RIGHT_FD_READ | WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_FDSTAT_SET_FLAGS | \
   WASI_RIGHT_FD_SYNC | WASI_RIGHT_FD_TELL | WASI_RIGHT_FD_WRITE | WASI_RIGHT_FD_ADVISE |           \
   WASI_RIGHT_FD_ALLOCATE | WASI_RIGHT_FD_FILESTAT_GET | WASI_RIGHT_FD_FILESTAT_SET_SIZE |          \
   WASI_RIGHT_FD_FILESTAT_SET_TIMES | WASI_RIGHT_POLL_FD_READWRITE)

/* ---- fs_path.c: guest paths and the sandbox */

/* A guest path copied out of linear memory and NUL-terminated. */
typedef struct fs_path {
  char s[FS_PATH_MAX];
  size_t len;
} fs_path;

/* Copies the guest string [ptr, ptr+len): EFAULT out of bounds, ENOENT when empty,
 * ENAMETOOLONG from FS_PATH_MAX bytes on, EINVAL when it holds a NUL, FS_EESCAPE when it is
 * absolute. */
CMN_HIDDEN uint16_t fs_path_load(isthmus_caller *c, uint32_t ptr, uint32_t len, fs_path *out);

/* Opens `path` beneath directory `root` with openat() flags and mode (O_CLOEXEC is the
 * caller's). A final symlink is followed only when `follow` (a trailing slash always follows,
 * as in POSIX). Never O_PATH without O_DIRECTORY. Returns 0 and *out, or a WASI errno. */
CMN_HIDDEN uint16_t fs_open(isthmus_wasi *w, int root, const char *path, int flags, mode_t mode, bool follow,
                            int *out);

typedef enum fs_at_mode {
  FS_AT_ENTRY,    /* the last component is an entry to create, remove or rename: never followed;
                     a trailing slash is kept in `name` for the kernel to judge */
  FS_AT_NOFOLLOW, /* look the last component itself up (a trailing slash follows it and then
                     requires a directory, as POSIX does) */
  FS_AT_FOLLOW,   /* look up what the last component leads to, following symlinks */
} fs_at_mode;

/* A resolved (parent directory, last component) pair. */
typedef struct fs_at {
  int fd;     /* the parent: an O_PATH descriptor of ours, or the root itself */
  bool owned; /* fd is ours to close */
  char name[NAME_MAX + 2]; /* a single component ("." for the directory itself), maybe + '/' */
} fs_at;

/* Resolves path (from fs_path_load) beneath root. On success the caller owns *at and must
 * fs_at_close it; on failure nothing is held. */
CMN_HIDDEN uint16_t fs_at_resolve(isthmus_wasi *w, int root, const char *path, fs_at_mode mode, fs_at *at);
CMN_HIDDEN void fs_at_close(fs_at *at);

/* ---- fs_stat.c: shared by the files */

/* The directory behind a path call: EBADF when fd is not open, ENOTDIR when it is not a
 * host directory, EROFS when `changes` and it lies in a read-only preopen (what a read-only
 * mount gives, checked before rights since such preopens lack the changing rights),
 * ENOTCAPABLE when it lacks `right`. */
CMN_HIDDEN uint16_t fs_dir_fd(isthmus_wasi *w, uint32_t fd, uint64_t right, bool changes, wasi_fd **out);
CMN_HIDDEN uint8_t fs_filetype(mode_t mode);

/* ---- the host functions (names are WASI's, prefixed) */
#define FS_FN(name) CMN_HIDDEN isthmus_trap *fs_##name(void *env, isthmus_caller *c, uint64_t *cells)
/* fs_stat.c */
FS_FN(fd_prestat_get); FS_FN(fd_prestat_dir_name); FS_FN(fd_filestat_get); FS_FN(fd_filestat_set_size);
FS_FN(fd_filestat_set_times); FS_FN(path_filestat_get); FS_FN(path_filestat_set_times);
/* fs_dir.c */
FS_FN(fd_readdir);
/* fs.c */
FS_FN(path_open); FS_FN(path_create_directory); FS_FN(path_link); FS_FN(path_readlink);
FS_FN(path_remove_directory); FS_FN(path_rename); FS_FN(path_symlink); FS_FN(path_unlink_file);
#undef FS_FN

#endif
