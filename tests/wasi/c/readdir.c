/* fd_readdir: a directory with many entries read with buffers of several sizes (entries cut
 * at the buffer's end must be read again from their cookie), cookies that resume where they
 * say, '.' and '..', entry types, readdir(3)/rewinddir/seekdir/telldir, and the errors. */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "wt.h"

#define NFILES 300

typedef struct entry {
  char name[64];
  uint64_t next; /* cookie of the entry after this one */
  uint8_t type;
} entry;

/* Reads the whole directory with a buffer of bufsize bytes, starting at cookie. Returns the
 * number of entries, or -errno. */
static int read_all(int fd, size_t bufsize, uint64_t cookie, entry *out, int cap) {
  uint8_t *buf = malloc(bufsize);
  int n = 0;
  for (;;) {
    __wasi_size_t used = 0;
    __wasi_errno_t e = __wasi_fd_readdir((__wasi_fd_t)fd, buf, bufsize, cookie, &used);
    if (e) {
      free(buf);
      return -e;
    }
    size_t off = 0;
    int progressed = 0;
    while (off + sizeof(__wasi_dirent_t) <= used) {
      __wasi_dirent_t d;
      memcpy(&d, buf + off, sizeof d);
      if (off + sizeof d + d.d_namlen > used) break; /* name cut off: read again from cookie */
      if (n < cap) {
        size_t len = d.d_namlen < 63 ? d.d_namlen : 63;
        memcpy(out[n].name, buf + off + sizeof d, len);
        out[n].name[len] = '\0';
        out[n].next = d.d_next;
        out[n].type = d.d_type;
      }
      n++;
      cookie = d.d_next;
      off += sizeof d + d.d_namlen;
      progressed = 1;
    }
    if (used < bufsize) break; /* the end of the directory */
    if (!progressed) {
      free(buf);
      return -1000; /* the buffer cannot hold one entry */
    }
  }
  free(buf);
  return n;
}

static int by_name(const void *a, const void *b) { return strcmp(((const entry *)a)->name, ((const entry *)b)->name); }

int main(void) {
  char path[128];
  mkdir(WT_DIR "/many", 0755);
  for (int i = 0; i < NFILES; i++) {
    snprintf(path, sizeof path, WT_DIR "/many/file-%03d-%.*s", i, i % 40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN");
    int fd = open(path, O_WRONLY | O_CREAT, 0644);
    if (fd < 0) printf("create %s: %s\n", path, wt_errname(errno));
    close(fd);
  }
  mkdir(WT_DIR "/many/subdir", 0755);
  symlink("file-000-", WT_DIR "/many/link");

  int dfd = open(WT_DIR "/many", O_RDONLY | O_DIRECTORY);
  wt_check("open many/ as a directory", dfd >= 0, wt_errname(errno));
  static entry ref[NFILES + 8], got[NFILES + 8];
  int nref = read_all(dfd, 65536, 0, ref, NFILES + 8);
  printf("entries with a 64 KiB buffer: %d\n", nref);
  qsort(ref, (size_t)nref, sizeof ref[0], by_name);
  int dots = 0, files = 0, dirs = 0, links = 0, dups = 0;
  for (int i = 0; i < nref; i++) {
    if (!strcmp(ref[i].name, ".") || !strcmp(ref[i].name, "..")) dots++;
    else if (ref[i].type == __WASI_FILETYPE_REGULAR_FILE) files++;
    else if (ref[i].type == __WASI_FILETYPE_DIRECTORY) dirs++;
    else if (ref[i].type == __WASI_FILETYPE_SYMBOLIC_LINK) links++;
    if (i && !strcmp(ref[i].name, ref[i - 1].name)) dups++;
  }
  printf("dot entries %d, files %d, dirs %d, symlinks %d, duplicates %d\n", dots, files, dirs, links, dups);

  static const size_t sizes[] = {80, 100, 256, 1000, 4096};
  for (size_t s = 0; s < sizeof sizes / sizeof sizes[0]; s++) {
    int n = read_all(dfd, sizes[s], 0, got, NFILES + 8);
    int same = n == nref;
    if (same) {
      qsort(got, (size_t)n, sizeof got[0], by_name);
      for (int i = 0; i < n && same; i++) same = !strcmp(got[i].name, ref[i].name) && got[i].type == ref[i].type;
    }
    char what[64];
    snprintf(what, sizeof what, "same entries with a %zu-byte buffer", sizes[s]);
    char detail[32];
    snprintf(detail, sizeof detail, "(%d entries)", n);
    wt_check(what, same, detail);
  }

  /* Cookies: resuming from the cookie after entry k gives entries k+1.. in the same order. */
  static entry order[NFILES + 8], rest[NFILES + 8];
  int n = read_all(dfd, 4096, 0, order, NFILES + 8);
  int k = n / 3;
  int m = read_all(dfd, 4096, order[k].next, rest, NFILES + 8);
  int resumed = m == n - k - 1;
  for (int i = 0; i < m && resumed; i++) resumed = !strcmp(rest[i].name, order[k + 1 + i].name);
  wt_check("resuming at a cookie continues the listing", resumed, NULL);
  m = read_all(dfd, 4096, order[n - 1].next, rest, NFILES + 8);
  printf("entries after the last cookie: %d\n", m);

  /* libc's readdir and its friends. */
  DIR *d = opendir(WT_DIR "/many");
  int count = 0;
  long mark = -1;
  char marked[64] = "";
  struct dirent *de;
  while ((de = readdir(d)) != NULL) {
    if (++count == 100) {
      mark = telldir(d);
      de = readdir(d);
      ++count;
      snprintf(marked, sizeof marked, "%s", de ? de->d_name : "");
    }
  }
  printf("readdir: %d entries\n", count);
  seekdir(d, mark);
  de = readdir(d);
  wt_check("seekdir(telldir()) returns to the same entry", de && !strcmp(de->d_name, marked), NULL);
  rewinddir(d);
  count = 0;
  while (readdir(d)) count++;
  printf("after rewinddir: %d entries\n", count);
  closedir(d);

  /* An empty directory lists '.' and '..' only (when the host gives them). */
  mkdir(WT_DIR "/void", 0755);
  int vfd = open(WT_DIR "/void", O_RDONLY | O_DIRECTORY);
  entry few[8];
  int nv = read_all(vfd, 4096, 0, few, 8);
  int only_dots = 1;
  for (int i = 0; i < nv && i < 8; i++) only_dots &= !strcmp(few[i].name, ".") || !strcmp(few[i].name, "..");
  wt_check("an empty directory lists only dot entries", nv >= 0 && nv <= 2 && only_dots, NULL);

  /* Errors. */
  uint8_t buf[256];
  __wasi_size_t used;
  int ffd = open(WT_DIR "/many/file-001-a", O_RDONLY);
  __wasi_errno_t e = __wasi_fd_readdir((__wasi_fd_t)ffd, buf, sizeof buf, 0, &used);
  printf("fd_readdir on a file: %s\n", e == __WASI_ERRNO_BADF || e == __WASI_ERRNO_NOTDIR ? "refused (EBADF/ENOTDIR)" : wt_errname(e));
  wt_errno("fd_readdir on fd 77", __wasi_fd_readdir(77, buf, sizeof buf, 0, &used));
  wt_errno("fd_readdir zero-length buffer", __wasi_fd_readdir((__wasi_fd_t)dfd, buf, 0, 0, &used));
  printf("  used %u\n", (unsigned)used);
  printf("opendir on a file: %s %s\n", opendir(WT_DIR "/many/file-001-a") ? "opened" : "NULL", wt_errname(errno));
  printf("opendir missing: %s %s\n", opendir(WT_DIR "/nope") ? "opened" : "NULL", wt_errname(errno));

  /* Deleting while listing does not break the listing of what is left. */
  for (int i = 0; i < NFILES; i += 2) {
    snprintf(path, sizeof path, WT_DIR "/many/file-%03d-%.*s", i, i % 40, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMN");
    unlink(path);
  }
  n = read_all(dfd, 4096, 0, got, NFILES + 8);
  printf("after deleting every other file: %d entries\n", n);
  return 0;
}
