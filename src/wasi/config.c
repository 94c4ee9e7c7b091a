/* config.c — isthmus_wasi_config_* and isthmus_wasi_new/delete: arguments and environment
 * blocks, standard streams and preopened directories.
 *
 * Inherited stdio: fd 0/1/2 of the guest is a dup (close-on-exec) of the host's, owned by the
 * fd table, so the guest closing or renumbering its fd 1 never closes the embedder's. The dup
 * shares the open file description, so the guest's nonblock/append flags are emulated for it
 * and never set on the host (a guest must not leave the user's terminal non-blocking). A host
 * stream that is closed stays closed for the guest (EBADF), as for a native process.
 * Rights of stdio follow what the host descriptor is (wasi_describe_host_fd): a tty has no
 * seek/tell rights (that is how wasi-libc's isatty() recognises it), a file opened read-only
 * has no write rights, and so on. Callback and null streams get stream rights. */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <unistd.h>

#include "core_int.h"

extern char **environ;

typedef enum { STDIO_INHERIT = 0, STDIO_FILE, STDIO_NULL, STDIO_CALLBACK } stdio_kind;

typedef struct {
  stdio_kind kind;
  char *path;
  isthmus_wasi_write_fn write_fn;
  isthmus_wasi_read_fn read_fn;
  void *env;
} stdio_cfg;

typedef struct {
  char *name, *value;
} env_var;

typedef struct {
  char *host, *guest;
  bool readonly;
} preopen_cfg;

struct isthmus_wasi_config {
  char **argv;
  size_t argc;
  CMN_VEC(env_var) env;
  CMN_VEC(preopen_cfg) preopens;
  stdio_cfg stdio[3];
  char *error; /* the first misuse, reported by isthmus_wasi_new */
};

static void cfg_misuse(isthmus_wasi_config *c, const char *fmt, const char *arg) {
  if (c->error) return;
  int n = snprintf(NULL, 0, fmt, arg);
  c->error = cmn_xmalloc((size_t)n + 1);
  snprintf(c->error, (size_t)n + 1, fmt, arg);
}

isthmus_wasi_config *isthmus_wasi_config_new(void) { return cmn_xcalloc(1, sizeof(isthmus_wasi_config)); }

static void stdio_clear(stdio_cfg *s) {
  free(s->path);
  *s = (stdio_cfg){0};
}

void isthmus_wasi_config_delete(isthmus_wasi_config *c) {
  if (!c) return;
  for (size_t i = 0; i < c->argc; i++) free(c->argv[i]);
  free(c->argv);
  for (size_t i = 0; i < c->env.len; i++) free(c->env.items[i].name), free(c->env.items[i].value);
  cmn_vec_free(c->env);
  for (size_t i = 0; i < c->preopens.len; i++) free(c->preopens.items[i].host), free(c->preopens.items[i].guest);
  cmn_vec_free(c->preopens);
  for (int i = 0; i < 3; i++) stdio_clear(&c->stdio[i]);
  free(c->error);
  free(c);
}

void isthmus_wasi_config_set_args(isthmus_wasi_config *c, size_t argc, const char *const *argv) {
  for (size_t i = 0; i < c->argc; i++) free(c->argv[i]);
  free(c->argv);
  c->argv = argc ? cmn_xcalloc(argc, sizeof *c->argv) : NULL;
  c->argc = argc;
  for (size_t i = 0; i < argc; i++) c->argv[i] = cmn_xstrndup(argv[i] ? argv[i] : "", strlen(argv[i] ? argv[i] : ""));
}

void isthmus_wasi_config_set_env(isthmus_wasi_config *c, const char *name, const char *value) {
  if (!name || !*name || strchr(name, '=')) {
    cfg_misuse(c, "invalid environment variable name \"%s\"", name ? name : "(null)");
    return;
  }
  if (!value) value = "";
  for (size_t i = 0; i < c->env.len; i++)
    if (!strcmp(c->env.items[i].name, name)) {
      free(c->env.items[i].value);
      c->env.items[i].value = cmn_xstrndup(value, strlen(value));
      return;
    }
  env_var v = {cmn_xstrndup(name, strlen(name)), cmn_xstrndup(value, strlen(value))};
  cmn_vec_push(c->env, v);
}

void isthmus_wasi_config_inherit_env(isthmus_wasi_config *c) {
  for (char **e = environ; e && *e; e++) {
    const char *eq = strchr(*e, '=');
    if (!eq || eq == *e) continue; /* not NAME=VALUE: nothing a guest could use */
    char *name = cmn_xstrndup(*e, (size_t)(eq - *e));
    isthmus_wasi_config_set_env(c, name, eq + 1);
    free(name);
  }
}

void isthmus_wasi_config_preopen_dir(isthmus_wasi_config *c, const char *host_path, const char *guest_path,
                                     bool readonly) {
  if (!host_path || !guest_path || !*host_path || !*guest_path) {
    cfg_misuse(c, "preopen needs a host and a guest path%s", "");
    return;
  }
  preopen_cfg p = {cmn_xstrndup(host_path, strlen(host_path)), cmn_xstrndup(guest_path, strlen(guest_path)),
                   readonly};
  cmn_vec_push(c->preopens, p);
}

static stdio_cfg *stdio_slot(isthmus_wasi_config *c, int fd, const char *what) {
  if (fd < 0 || fd > 2) {
    cfg_misuse(c, "%s: standard stream fd must be 0, 1 or 2", what);
    return NULL;
  }
  stdio_clear(&c->stdio[fd]);
  return &c->stdio[fd];
}

void isthmus_wasi_config_stdio_inherit(isthmus_wasi_config *c, int fd) {
  stdio_cfg *s = stdio_slot(c, fd, "stdio_inherit");
  if (s) s->kind = STDIO_INHERIT;
}

void isthmus_wasi_config_stdio_file(isthmus_wasi_config *c, int fd, const char *path) {
  if (!path || !*path) {
    cfg_misuse(c, "stdio_file: empty path%s", "");
    return;
  }
  stdio_cfg *s = stdio_slot(c, fd, "stdio_file");
  if (!s) return;
  s->kind = STDIO_FILE;
  s->path = cmn_xstrndup(path, strlen(path));
}

void isthmus_wasi_config_stdio_null(isthmus_wasi_config *c, int fd) {
  stdio_cfg *s = stdio_slot(c, fd, "stdio_null");
  if (s) s->kind = STDIO_NULL;
}

void isthmus_wasi_config_stdout_callback(isthmus_wasi_config *c, int fd, isthmus_wasi_write_fn fn, void *env) {
  if (fd != 1 && fd != 2) {
    cfg_misuse(c, "stdout_callback: fd must be 1 or 2%s", "");
    return;
  }
  if (!fn) {
    cfg_misuse(c, "stdout_callback: no function%s", "");
    return;
  }
  stdio_cfg *s = stdio_slot(c, fd, "stdout_callback");
  s->kind = STDIO_CALLBACK;
  s->write_fn = fn;
  s->env = env;
}

void isthmus_wasi_config_stdin_callback(isthmus_wasi_config *c, isthmus_wasi_read_fn fn, void *env) {
  if (!fn) {
    cfg_misuse(c, "stdin_callback: no function%s", "");
    return;
  }
  stdio_cfg *s = stdio_slot(c, 0, "stdin_callback");
  s->kind = STDIO_CALLBACK;
  s->read_fn = fn;
  s->env = env;
}

/* ---------------------------------------------------------------- isthmus_wasi */

static const char *const stream_names[3] = {"stdin", "stdout", "stderr"};

static isthmus_error *open_stdio(isthmus_wasi *w, int fd, const stdio_cfg *s) {
  wasi_fd *f = &w->fds[fd];
  *f = (wasi_fd){.kind = WASI_FD_FREE, .host_fd = -1};
  uint64_t dir_rights = fd == 0 ? WASI_RIGHT_FD_READ : WASI_RIGHT_FD_WRITE;
  switch (s->kind) {
  case STDIO_INHERIT: {
    int h = fcntl(fd, F_DUPFD_CLOEXEC, 3);
    if (h < 0) {
      if (errno == EBADF) return NULL; /* closed on the host: closed for the guest */
      return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "cannot inherit %s: %s", stream_names[fd], strerror(errno));
    }
    uint8_t ft;
    uint64_t rights;
    uint16_t flags;
    if (!wasi_describe_host_fd(h, &ft, &rights, &flags)) {
      int e = errno;
      close(h);
      return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "cannot inherit %s: %s", stream_names[fd], strerror(e));
    }
    *f = (wasi_fd){.kind = WASI_FD_HOST, .host_fd = h, .filetype = ft, .fdflags = flags, .rights_base = rights,
                   .rights_inheriting = ft == WASI_FT_DIRECTORY || ft == WASI_FT_SOCKET_STREAM ? rights : 0,
                   .shared = true};
    return NULL;
  }
  case STDIO_FILE: {
    int h = fd == 0 ? open(s->path, O_RDONLY | O_CLOEXEC | O_NOCTTY)
                    : open(s->path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOCTTY, 0666);
    if (h < 0)
      return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "cannot open %s for %s: %s", s->path, stream_names[fd],
                       strerror(errno));
    uint8_t ft;
    uint64_t rights;
    uint16_t flags;
    if (!wasi_describe_host_fd(h, &ft, &rights, &flags)) {
      int e = errno;
      close(h);
      return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "cannot open %s for %s: %s", s->path, stream_names[fd], strerror(e));
    }
    if (ft == WASI_FT_DIRECTORY) {
      close(h);
      return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "cannot open %s for %s: %s", s->path, stream_names[fd],
                       strerror(EISDIR));
    }
    *f = (wasi_fd){.kind = WASI_FD_HOST, .host_fd = h, .filetype = ft, .fdflags = flags, .rights_base = rights};
    return NULL;
  }
  case STDIO_NULL:
    *f = (wasi_fd){.kind = WASI_FD_NULL, .host_fd = -1, .filetype = WASI_FT_CHARACTER_DEVICE,
                   .rights_base = (WASI_RIGHTS_STREAM & ~(WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE)) | dir_rights |
                                  WASI_RIGHT_FD_SEEK | WASI_RIGHT_FD_TELL};
    return NULL;
  case STDIO_CALLBACK:
    /* A character device without seek/tell: guests see a terminal-like stream (line-buffered
     * stdout in wasi-libc), which is what an embedder capturing output wants. */
    *f = (wasi_fd){.kind = WASI_FD_CALLBACK, .host_fd = -1, .filetype = WASI_FT_CHARACTER_DEVICE,
                   .rights_base = (WASI_RIGHTS_STREAM & ~(WASI_RIGHT_FD_READ | WASI_RIGHT_FD_WRITE)) | dir_rights,
                   .write_fn = s->write_fn, .read_fn = s->read_fn, .cb_env = s->env};
    return NULL;
  }
  return NULL;
}

/* Joins strs (n of them, each NUL-terminated; `pre` and `post` around an optional '=') into one
 * block; false when it would not fit the guest's u32 sizes. */
static bool build_block(char **buf, size_t *len, size_t n, const char *const *a, const char *const *b) {
  size_t total = 0;
  for (size_t i = 0; i < n; i++) {
    total += strlen(a[i]) + 1 + (b ? strlen(b[i]) + 1 : 0);
    if (total > UINT32_MAX) return false;
  }
  if (n > UINT32_MAX / 4) return false;
  char *p = *buf = cmn_xmalloc(total ? total : 1);
  for (size_t i = 0; i < n; i++) {
    size_t la = strlen(a[i]);
    memcpy(p, a[i], la);
    p += la;
    if (b) {
      size_t lb = strlen(b[i]);
      *p++ = '=';
      memcpy(p, b[i], lb);
      p += lb;
    }
    *p++ = 0;
  }
  *len = total;
  return true;
}

isthmus_error *isthmus_wasi_new(isthmus_store *s, const isthmus_wasi_config *c, isthmus_wasi **out) {
  static const isthmus_wasi_config defaults;
  if (out) *out = NULL;
  if (!s || !out) return cmn_error(ISTHMUS_ERR_USAGE, -1, "isthmus_wasi_new: store and out are required");
  if (!c) c = &defaults;
  if (c->error) return cmn_error(ISTHMUS_ERR_USAGE, -1, "WASI configuration: %s", c->error);

  isthmus_wasi *w = cmn_xcalloc(1, sizeof *w);
  w->store = s;
  isthmus_error *err = NULL;
  if (!build_block(&w->args_buf, &w->args_len, c->argc, (const char *const *)c->argv, NULL)) {
    err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "WASI arguments are too large");
    goto fail;
  }
  w->argc = c->argc;
  {
    const char **names = cmn_xcalloc(c->env.len + 1, sizeof *names), **values = cmn_xcalloc(c->env.len + 1, sizeof *values);
    for (size_t i = 0; i < c->env.len; i++) names[i] = c->env.items[i].name, values[i] = c->env.items[i].value;
    bool ok = build_block(&w->env_buf, &w->env_len, c->env.len, names, values);
    free(names);
    free(values);
    if (!ok) {
      err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "WASI environment is too large");
      goto fail;
    }
    w->envc = c->env.len;
  }

  w->cap = 16;
  while (w->cap < 3 + c->preopens.len) w->cap *= 2;
  w->fds = cmn_xcalloc(w->cap, sizeof *w->fds);
  for (uint32_t i = 0; i < w->cap; i++) w->fds[i] = (wasi_fd){.kind = WASI_FD_FREE, .host_fd = -1};
  w->nfds = 3;
  for (int fd = 0; fd < 3; fd++)
    if ((err = open_stdio(w, fd, &c->stdio[fd]))) goto fail;

  for (size_t i = 0; i < c->preopens.len; i++) {
    const preopen_cfg *p = &c->preopens.items[i];
    int h = open(p->host, O_DIRECTORY | O_RDONLY | O_CLOEXEC);
    if (h < 0) {
      err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "cannot preopen directory %s (as %s): %s", p->host, p->guest,
                      strerror(errno));
      goto fail;
    }
    int64_t fd = wasi_fd_alloc(w);
    if (fd < 0) {
      close(h);
      err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "too many preopened directories");
      goto fail;
    }
    /* base: what a directory itself can do (path_open takes the access mode from the rights
     * asked for, so a preopen re-opened with its own rights must not ask to write);
     * inheriting: everything, minus what changes anything in a read-only preopen */
    uint64_t cut = p->readonly ? WASI_RIGHTS_WRITEISH : 0;
    w->fds[fd] = (wasi_fd){.kind = WASI_FD_HOST, .host_fd = h, .filetype = WASI_FT_DIRECTORY,
                           .rights_base = WASI_RIGHTS_DIRECTORY & ~cut, .rights_inheriting = WASI_RIGHTS_ALL & ~cut,
                           .readonly = p->readonly,
                           .preopen = cmn_xstrndup(p->guest, strlen(p->guest))};
  }
  *out = w;
  return NULL;

fail:
  isthmus_wasi_delete(w);
  return err;
}

void isthmus_wasi_delete(isthmus_wasi *w) {
  if (!w) return;
  for (uint32_t i = 0; i < w->nfds; i++)
    if (w->fds[i].kind != WASI_FD_FREE) wasi_fd_release(&w->fds[i]);
  free(w->fds);
  free(w->args_buf);
  free(w->env_buf);
  free(w);
}
