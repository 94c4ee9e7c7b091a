/* aot_driver.c — from a module to a loaded shared object: the cache, the C compiler, dlopen.
 *
 * The cache key hashes the module bytes with the translator version, the runtime layout the
 * generated code depends on, the compiler command and its --version line and the
 * optimization flags, so a rebuilt library or another compiler never reuses a stale object.
 * The object is built in a private temporary directory and renamed into place, so concurrent
 * processes never see half-written files (the loser of a race renames an equal file). */
#include <dirent.h>
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <spawn.h>
#include <stdio.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "aot.h"

extern char **environ;

/* ---------------------------------------------------------------- environment */

/* The variables the driver reads. The tier-up worker must not call getenv (nor let
 * posix_spawnp read PATH) while the embedding program may call setenv on another thread, so
 * it reads a copy taken on the owning thread (aot_envcopy_take), installed for the duration of
 * its build in tl_env. */
static const char *const env_names[] = {"CC", "ISTHMUS_CACHE_DIR", "XDG_CACHE_HOME", "HOME", "ISTHMUS_AOT_OPT",
                                        "ISTHMUS_AOT_JOBS", "ISTHMUS_AOT_KEEP", "PATH"};
struct aot_envcopy {
  char *vals[CMN_ARRAY_LEN(env_names)];
  char **envp; /* the whole environment, for the compiler's processes */
};
static __thread const aot_envcopy *tl_env;

aot_envcopy *aot_envcopy_take(void) {
  aot_envcopy *c = cmn_xcalloc(1, sizeof *c);
  for (size_t i = 0; i < CMN_ARRAY_LEN(env_names); i++) {
    const char *v = getenv(env_names[i]);
    if (v) c->vals[i] = cmn_xstrndup(v, strlen(v));
  }
  size_t n = 0;
  while (environ && environ[n]) n++;
  c->envp = cmn_xcalloc(n + 1, sizeof(char *));
  for (size_t i = 0; i < n; i++) c->envp[i] = cmn_xstrndup(environ[i], strlen(environ[i]));
  return c;
}

void aot_envcopy_free(aot_envcopy *c) {
  if (!c) return;
  for (size_t i = 0; i < CMN_ARRAY_LEN(env_names); i++) free(c->vals[i]);
  for (size_t i = 0; c->envp[i]; i++) free(c->envp[i]);
  free(c->envp);
  free(c);
}

static const char *env(const char *name) {
  if (!tl_env) return getenv(name);
  for (size_t i = 0; i < CMN_ARRAY_LEN(env_names); i++)
    if (!strcmp(env_names[i], name)) return tl_env->vals[i];
  return NULL;
}

/* `lock` serializes whole-module builds (one per module); `id_lock` guards the compiler's
 * identity, also needed by the tier-up worker, which builds without `lock`. */
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER, id_lock = PTHREAD_MUTEX_INITIALIZER;

/* ---------------------------------------------------------------- key */

/* Two independent 64-bit hashes (FNV-1a style and multiply-rotate) over 8-byte words, then
 * the tail byte by byte: 128 bits against accidental collisions; the cache directory belongs
 * to the user, so no adversary is assumed. Word steps keep the AUTO tier's look-up of a
 * 2 MB Go module near 0.3 ms at load (byte steps took ~3 ms). */
static void hash_bytes(const uint8_t *p, size_t n, uint64_t h[2]) {
  uint64_t a = h[0], b = h[1];
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    memcpy(&w, p + i, 8);
    a = (a ^ w) * 0x100000001b3ull;
    a ^= a >> 29;
    b = (b ^ w) * 0x9E3779B97F4A7C15ull;
    b = (b << 27) | (b >> 37);
  }
  for (; i < n; i++) {
    a = (a ^ p[i]) * 0x100000001b3ull;
    b = (b ^ p[i]) * 0x9E3779B97F4A7C15ull;
    b = (b << 27) | (b >> 37);
  }
  h[0] = a;
  h[1] = b;
}

static char compiler_id[512];

static const char *cc_command(void) {
  const char *cc = env("CC");
  return cc && *cc ? cc : "cc";
}

/* Flags that keep the C compiler to wasm semantics: no fused multiply-add, no folds that lose
 * a signalling NaN's quieting (`x - 0.0`, `x * 1.0` must return a quiet NaN), no assumptions
 * from signed overflow or type-based aliasing. Part of the cache key. */
static const char *const cc_flags[] = {"-fPIC", "-w", "-ffp-contract=off", "-fsignaling-nans",
                                       "-fno-strict-aliasing", "-fwrapv"};

static const char *opt_flag(void) {
  const char *o = env("ISTHMUS_AOT_OPT");
  return o && *o ? o : "-O2";
}

/* Splits a command line on spaces ($CC may be "ccache gcc"); returns argc. */
static int split(char *s, char **argv, int max) {
  int n = 0;
  char *save = NULL; /* strtok_r: the tier-up worker compiles while other threads may too */
  for (char *p = strtok_r(s, " \t", &save); p && n < max - 1; p = strtok_r(NULL, " \t", &save)) argv[n++] = p;
  argv[n] = NULL;
  return n;
}

/* Runs argv with stdout+stderr to `log` (or /dev/null); returns the pid or -1. */
static pid_t spawn(char **argv, const char *log) {
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, log ? log : "/dev/null", O_WRONLY | O_CREAT | O_TRUNC, 0600);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  pid_t pid;
  int rc;
  if (tl_env && !strchr(argv[0], '/')) { /* search the copied PATH, as posix_spawnp would */
    char full[4096];
    const char *path = tl_env->vals[CMN_ARRAY_LEN(env_names) - 1];
    rc = ENOENT;
    for (const char *p = path ? path : "/usr/local/bin:/usr/bin:/bin"; rc == ENOENT;) {
      size_t n = strcspn(p, ":");
      snprintf(full, sizeof full, "%.*s%s%s", (int)n, n ? p : ".", "/", argv[0]);
      if (access(full, X_OK) == 0) rc = posix_spawn(&pid, full, &fa, NULL, argv, tl_env->envp);
      if (!p[n]) break;
      p += n + 1;
    }
  } else {
    rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, tl_env ? tl_env->envp : environ);
  }
  posix_spawn_file_actions_destroy(&fa);
  if (rc != 0) {
    errno = rc;
    return -1;
  }
  return pid;
}

static int wait_status(pid_t pid) {
  int st;
  while (waitpid(pid, &st, 0) < 0)
    if (errno != EINTR) return -1;
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + (WIFSIGNALED(st) ? WTERMSIG(st) : 0);
}

/* The compiler's first --version line, once per process; false when it cannot be run. */
/* A command whose `--version` failed, and why: the AUTO tier looks up the cache at every
 * instantiation, and without a compiler each look-up would spawn the command again. */
static char compiler_failed[512], compiler_failure[700];

static bool identify_compiler(isthmus_error **err) {
  if (compiler_id[0]) return true;
  if (compiler_failed[0] && !strcmp(compiler_failed, cc_command())) {
    *err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "%s", compiler_failure);
    return false;
  }
  char cmd[512], *argv[32];
  snprintf(cmd, sizeof cmd, "%s", cc_command());
  int n = split(cmd, argv, 30);
  if (n == 0) {
    *err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: CC is empty");
    return false;
  }
  argv[n] = "--version";
  argv[n + 1] = NULL;
  char log[] = "/tmp/isthmus-ccid-XXXXXX";
  int fd = mkstemp(log);
  if (fd < 0) {
    *err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: cannot create a temporary file: %s", strerror(errno));
    return false;
  }
  close(fd);
  pid_t pid = spawn(argv, log);
  int status = pid < 0 ? -1 : wait_status(pid);
  char line[400] = "";
  FILE *f = fopen(log, "r");
  if (f) {
    if (!fgets(line, sizeof line, f)) line[0] = 0;
    fclose(f);
  }
  unlink(log);
  if (pid < 0 || status != 0) {
    snprintf(compiler_failure, sizeof compiler_failure,
             "AOT: no working C compiler: `%s --version` %s (set CC to a C compiler such as gcc or clang)",
             cc_command(), pid < 0 ? strerror(errno) : "failed");
    snprintf(compiler_failed, sizeof compiler_failed, "%s", cc_command());
    *err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "%s", compiler_failure);
    return false;
  }
  line[strcspn(line, "\n")] = 0;
  snprintf(compiler_id, sizeof compiler_id, "%s|%s", cc_command(), line);
  return true;
}

/* ---------------------------------------------------------------- cache directory */

static int mkdirs(char *path) {
  for (char *p = path + 1; *p; p++) {
    if (*p != '/') continue;
    *p = 0;
    if (mkdir(path, 0700) != 0 && errno != EEXIST) return -1;
    *p = '/';
  }
  if (mkdir(path, 0700) != 0 && errno != EEXIST) return -1;
  return 0;
}

static bool cache_dir(char *out, size_t cap, isthmus_error **err) {
  const char *d = env("ISTHMUS_CACHE_DIR"), *x = env("XDG_CACHE_HOME"), *home = env("HOME");
  if (d && *d) snprintf(out, cap, "%s", d);
  else if (x && *x) snprintf(out, cap, "%s/isthmus/aot", x);
  else if (home && *home) snprintf(out, cap, "%s/.cache/isthmus/aot", home);
  else {
    *err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: no cache directory (set ISTHMUS_CACHE_DIR or HOME)");
    return false;
  }
  if (mkdirs(out) != 0) {
    *err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: cannot create cache directory %s: %s", out, strerror(errno));
    return false;
  }
  return true;
}

/* ---------------------------------------------------------------- compile */

static bool write_file(const char *path, const char *text) {
  FILE *f = fopen(path, "w");
  if (!f) return false;
  size_t n = strlen(text);
  bool ok = fwrite(text, 1, n, f) == n;
  return fclose(f) == 0 && ok;
}

static void remove_tree(const char *dir) {
  DIR *d = opendir(dir);
  if (d) {
    struct dirent *e;
    char p[4096];
    while ((e = readdir(d))) {
      if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) continue;
      snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
      unlink(p);
    }
    closedir(d);
  }
  rmdir(dir);
}

/* Removes build directories left by processes that died mid-build (older than a day, so a
 * build in progress elsewhere is never touched). */
static void sweep_stale(const char *dir) {
  DIR *d = opendir(dir);
  if (!d) return;
  struct dirent *e;
  char p[4096];
  time_t now = time(NULL);
  while ((e = readdir(d))) {
    if (strncmp(e->d_name, "tmp-", 4) != 0) continue;
    snprintf(p, sizeof p, "%s/%s", dir, e->d_name);
    struct stat st;
    if (stat(p, &st) == 0 && S_ISDIR(st.st_mode) && now - st.st_mtime > 24 * 3600) remove_tree(p);
  }
  closedir(d);
}

static isthmus_error *compile_failure(const char *what, const char *log, int status) {
  char msg[1200] = "";
  FILE *f = fopen(log, "r");
  if (f) {
    size_t n = fread(msg, 1, sizeof msg - 1, f);
    msg[n] = 0;
    fclose(f);
  }
  return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: %s failed (exit %d): %s", what, status, msg);
}

static int jobs(void) {
  const char *j = env("ISTHMUS_AOT_JOBS");
  long n = j && *j ? strtol(j, NULL, 10) : sysconf(_SC_NPROCESSORS_ONLN);
  return n < 1 ? 1 : n > 64 ? 64 : (int)n;
}

/* Builds `so` from the module (only the functions marked in `subset` when not NULL) in
 * temporary directory `tmp`. */
static isthmus_error *build(const isthmus_module *m, const uint8_t *subset, const char *tmp, const char *so) {
  aot_source src;
  aot_translate_subset(m, subset, &src);
  char path[4096], log[4096];
  isthmus_error *err = NULL;
  snprintf(path, sizeof path, "%s/aot.h", tmp);
  if (!write_file(path, src.header)) {
    err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: cannot write %s: %s", path, strerror(errno));
    goto done;
  }
  for (size_t i = 0; i < src.num_units; i++) {
    snprintf(path, sizeof path, "%s/u%zu.c", tmp, i);
    if (!write_file(path, src.units[i])) {
      err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: cannot write %s: %s", path, strerror(errno));
      goto done;
    }
  }
  /* compile the units, `jobs()` at a time; waits name their pid, since the embedding
   * process (Python, a test runner) may have children of its own */
  {
    size_t n = src.num_units, next = 0, first = 0;
    pid_t *pids = cmn_xcalloc(n, sizeof(pid_t));
    size_t par = (size_t)jobs();
    while (first < next || (next < n && !err)) {
      while (!err && next < n && next - first < par) {
        char cmd[512], *argv[48];
        snprintf(cmd, sizeof cmd, "%s", cc_command());
        int a = split(cmd, argv, 32);
        char src_path[4096], obj_path[4096], inc[4096], opt[64];
        snprintf(src_path, sizeof src_path, "%s/u%zu.c", tmp, next);
        snprintf(obj_path, sizeof obj_path, "%s/u%zu.o", tmp, next);
        snprintf(log, sizeof log, "%s/u%zu.log", tmp, next);
        snprintf(inc, sizeof inc, "-I%s", tmp);
        snprintf(opt, sizeof opt, "%s", opt_flag());
        argv[a++] = opt;
        for (size_t k = 0; k < CMN_ARRAY_LEN(cc_flags); k++) argv[a++] = (char *)cc_flags[k];
        const char *extra[] = {inc, "-c", src_path, "-o", obj_path};
        for (size_t k = 0; k < CMN_ARRAY_LEN(extra); k++) argv[a++] = (char *)extra[k];
        argv[a] = NULL;
        pids[next] = spawn(argv, log);
        if (pids[next] < 0) {
          err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: cannot run the C compiler `%s`: %s", cc_command(),
                          strerror(errno));
          break;
        }
        next++;
      }
      if (first == next) break;
      int code = wait_status(pids[first]);
      if (code != 0 && !err) {
        snprintf(log, sizeof log, "%s/u%zu.log", tmp, first);
        err = compile_failure("C compiler", log, code);
      }
      first++;
    }
    free(pids);
    if (err) goto done;
  }
  /* link */
  {
    char cmd[512];
    snprintf(cmd, sizeof cmd, "%s", cc_command());
    char **argv = cmn_xcalloc(src.num_units + 48, sizeof(char *));
    int a = split(cmd, argv, 32);
    char **objs = cmn_xcalloc(src.num_units, sizeof(char *));
    argv[a++] = "-shared";
    argv[a++] = "-o";
    argv[a++] = (char *)so;
    for (size_t i = 0; i < src.num_units; i++) {
      char p[4096];
      snprintf(p, sizeof p, "%s/u%zu.o", tmp, i);
      objs[i] = cmn_xstrndup(p, strlen(p));
      argv[a++] = objs[i];
    }
    argv[a++] = "-lm";
    argv[a] = NULL;
    snprintf(log, sizeof log, "%s/link.log", tmp);
    pid_t pid = spawn(argv, log);
    int status = pid < 0 ? -1 : wait_status(pid);
    if (status != 0) err = compile_failure("linking the shared object", log, status);
    for (size_t i = 0; i < src.num_units; i++) free(objs[i]);
    free(objs);
    free(argv);
  }
done:
  aot_source_free(&src);
  return err;
}

/* ---------------------------------------------------------------- load */

static aot_lib *load(const char *so, isthmus_error **err) {
  void *dl = dlopen(so, RTLD_NOW | RTLD_LOCAL);
  if (!dl) {
    *err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: cannot load %s: %s", so, dlerror());
    return NULL;
  }
  const aot_desc *d = dlsym(dl, "isthmus_aot_desc");
  if (!d || d->abi != AOT_VERSION) {
    dlclose(dl);
    *err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: %s is not a compatible compiled module", so);
    return NULL;
  }
  aot_lib *lib = cmn_xcalloc(1, sizeof *lib);
  lib->dl = dl;
  lib->desc = d;
  return lib;
}

/* The cache directory and the object's path for the module (or one subset of its functions).
 * Takes the driver's lock for the compiler's identity, which is found once per process. */
static bool object_path(const isthmus_module *m, const uint8_t *subset, char *dir, size_t dcap, char *so,
                        size_t scap, isthmus_error **err) {
  pthread_mutex_lock(&id_lock);
  bool ok = identify_compiler(err) && cache_dir(dir, dcap, err);
  pthread_mutex_unlock(&id_lock);
  if (!ok) return false;
  uint64_t h[2] = {0xcbf29ce484222325ull, 0x243F6A8885A308D3ull};
  hash_bytes(m->bytes, m->size, h);
  char salt[1400];
  int n = snprintf(salt, sizeof salt, "v%d|%zu,%zu,%zu,%zu|%s|%s", AOT_VERSION, sizeof(isthmus_func),
                   offsetof(isthmus_func, type), offsetof(isthmus_func, host), offsetof(isthmus_func, env),
                   compiler_id, opt_flag());
  for (size_t k = 0; k < CMN_ARRAY_LEN(cc_flags) && n > 0 && (size_t)n < sizeof salt; k++)
    n += snprintf(salt + n, sizeof salt - (size_t)n, " %s", cc_flags[k]);
  hash_bytes((const uint8_t *)salt, strlen(salt), h);
  if (subset) { /* the indices in order: a subset translates differently from the whole module */
    hash_bytes((const uint8_t *)"|subset", 7, h);
    for (uint32_t i = m->num_func_imports; i < m->num_funcs; i++)
      if (subset[i]) hash_bytes((const uint8_t *)&i, sizeof i, h);
  }
  snprintf(so, scap, "%s/%s%016llx%016llx.so", dir, subset ? "s-" : "", (unsigned long long)h[0],
           (unsigned long long)h[1]);
  return true;
}

/* Builds the object in a private directory of `dir` and renames it to `so`. */
static isthmus_error *build_into(const isthmus_module *m, const uint8_t *subset, const char *dir, const char *so) {
  sweep_stale(dir);
  char tmp[3200];
  snprintf(tmp, sizeof tmp, "%s/tmp-XXXXXX", dir);
  if (!mkdtemp(tmp))
    return cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: cannot create a directory in %s: %s", dir, strerror(errno));
  char tmpso[3300];
  snprintf(tmpso, sizeof tmpso, "%s/module.so", tmp);
  isthmus_error *err = build(m, subset, tmp, tmpso);
  if (!err && rename(tmpso, so) != 0)
    err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "AOT: cannot move the object into %s: %s", dir, strerror(errno));
  const char *keep = env("ISTHMUS_AOT_KEEP");
  if (!(keep && *keep && *keep != '0')) remove_tree(tmp);
  return err;
}

aot_lib *aot_module_lib_cached(isthmus_module *m) {
  aot_lib *lib = atomic_load_explicit(&m->aot, memory_order_acquire);
  if (lib) return lib->dl ? lib : NULL;
  isthmus_error *err = NULL;
  char dir[3072], so[3200];
  pthread_mutex_lock(&lock);
  lib = atomic_load_explicit(&m->aot, memory_order_acquire);
  if (lib) {
    if (!lib->dl) lib = NULL;
  } else if (object_path(m, NULL, dir, sizeof dir, so, sizeof so, &err) && access(so, R_OK) == 0) {
    lib = load(so, &err);
    if (lib) atomic_store_explicit(&m->aot, lib, memory_order_release);
  }
  pthread_mutex_unlock(&lock);
  isthmus_error_delete(err);
  return lib;
}

/* The object for the module (only the functions marked in `subset` when not NULL): loaded
 * from the cache, else built into it (a damaged entry is rebuilt). *refused tells whether the
 * build itself failed: the whole-module path remembers that, as a retry would fail alike. */
static aot_lib *load_or_build(const isthmus_module *m, const uint8_t *subset, bool *refused, isthmus_error **err) {
  *err = NULL;
  *refused = false;
  char dir[3072], so[3200];
  if (!object_path(m, subset, dir, sizeof dir, so, sizeof so, err)) return NULL;
  if (access(so, R_OK) == 0) {
    aot_lib *lib = load(so, err);
    if (lib) return lib;
    isthmus_error_delete(*err);
    *err = NULL;
  }
  *err = build_into(m, subset, dir, so);
  *refused = *err != NULL;
  return *err ? NULL : load(so, err);
}

aot_lib *aot_subset_lib(const isthmus_module *m, const uint8_t *subset, const aot_envcopy *ec, isthmus_error **err) {
  tl_env = ec;
  bool refused;
  aot_lib *lib = load_or_build(m, subset, &refused, err);
  tl_env = NULL;
  return lib;
}

void aot_lib_free(aot_lib *lib) {
  if (!lib) return;
  if (lib->dl) dlclose(lib->dl);
  free(lib->failed);
  free(lib);
}

aot_lib *aot_module_lib(isthmus_module *m, isthmus_error **err) {
  *err = NULL;
  aot_lib *lib = atomic_load_explicit(&m->aot, memory_order_acquire);
  if (lib && lib->dl) return lib;
  pthread_mutex_lock(&lock);
  lib = atomic_load_explicit(&m->aot, memory_order_acquire);
  if (lib) {
    if (!lib->dl) {
      *err = cmn_error(ISTHMUS_ERR_RESOURCE, -1, "%s", lib->failed);
      lib = NULL;
    }
  } else {
    bool refused;
    lib = load_or_build(m, NULL, &refused, err);
    if (refused) {
      /* the compiler ran and refused this module: remember it, a retry would fail the same way */
      aot_lib *bad = cmn_xcalloc(1, sizeof *bad);
      const char *msg = isthmus_error_message(*err);
      bad->failed = cmn_xstrndup(msg, strlen(msg));
      atomic_store_explicit(&m->aot, bad, memory_order_release);
    }
    if (lib) atomic_store_explicit(&m->aot, lib, memory_order_release);
  }
  pthread_mutex_unlock(&lock);
  return lib;
}

void aot_module_release(isthmus_module *m) {
  aot_lib_free(atomic_load(&m->aot));
  m->aot = NULL;
}
