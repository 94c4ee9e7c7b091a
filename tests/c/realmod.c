/* realmod — loads a module built by a real toolchain (Go, clang), supplies the WASI imports
 * with a minimal test-only implementation (the real WASI layer is a later part), and runs it:
 *   realmod FILE.wasm start                 run _start, print "exit N"
 *   realmod FILE.wasm call NAME ARGS...     _initialize (if exported), then NAME(i32/i64 args)
 *   realmod FILE.wasm time N                decode+validate N times, print the mean in ms
 * Only the public API is used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "isthmus.h"

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc((size_t)n);
  if (fread(b, 1, (size_t)n, f) != (size_t)n) n = 0;
  fclose(f);
  *len = (size_t)n;
  return b;
}

/* Guest memory access with bounds checks: a bad pointer is EFAULT (21). */
static uint8_t *mem_at(isthmus_caller *c, uint64_t ptr, uint64_t len) {
  isthmus_memory *m = isthmus_caller_memory(c);
  if (!m || ptr + len > isthmus_memory_size(m)) return NULL;
  return isthmus_memory_data(m) + ptr;
}

static isthmus_trap *w_zero_sizes(void *env, isthmus_caller *c, uint64_t *v) {
  uint8_t *a = mem_at(c, (uint32_t)v[0], 4), *b = mem_at(c, (uint32_t)v[1], 4);
  if (!a || !b) { v[0] = 21; return NULL; }
  memset(a, 0, 4);
  memset(b, 0, 4);
  v[0] = 0;
  return NULL;
}
static isthmus_trap *w_ok(void *env, isthmus_caller *c, uint64_t *v) { v[0] = 0; return NULL; }
static isthmus_trap *w_clock(void *env, isthmus_caller *c, uint64_t *v) {
  struct timespec ts;
  clock_gettime((uint32_t)v[0] == 0 ? CLOCK_REALTIME : CLOCK_MONOTONIC, &ts);
  uint64_t ns = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
  uint8_t *p = mem_at(c, (uint32_t)v[2], 8);
  if (!p) { v[0] = 21; return NULL; }
  memcpy(p, &ns, 8);
  v[0] = 0;
  return NULL;
}
static isthmus_trap *w_fd_write(void *env, isthmus_caller *c, uint64_t *v) {
  uint32_t fd = (uint32_t)v[0], iovs = (uint32_t)v[1], n = (uint32_t)v[2], out = (uint32_t)v[3];
  uint32_t total = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t *iov = mem_at(c, (uint64_t)iovs + 8ull * i, 8);
    if (!iov) { v[0] = 21; return NULL; }
    uint32_t p, l;
    memcpy(&p, iov, 4);
    memcpy(&l, iov + 4, 4);
    uint8_t *data = mem_at(c, p, l);
    if (!data) { v[0] = 21; return NULL; }
    if (fd == 1 || fd == 2) {
      fwrite(data, 1, l, fd == 1 ? stdout : stderr);
      fflush(fd == 1 ? stdout : stderr);
    }
    total += l;
  }
  uint8_t *o = mem_at(c, out, 4);
  if (!o) { v[0] = 21; return NULL; }
  memcpy(o, &total, 4);
  v[0] = (fd == 1 || fd == 2) ? 0 : 8;
  return NULL;
}
static isthmus_trap *w_random(void *env, isthmus_caller *c, uint64_t *v) {
  uint8_t *p = mem_at(c, (uint32_t)v[0], (uint32_t)v[1]);
  if (!p) { v[0] = 21; return NULL; }
  for (uint32_t i = 0; i < (uint32_t)v[1]; i++) p[i] = (uint8_t)rand();
  v[0] = 0;
  return NULL;
}
static isthmus_trap *w_exit(void *env, isthmus_caller *c, uint64_t *v) {
  return isthmus_trap_new_exit((int32_t)v[0]);
}
static isthmus_trap *w_nosys(void *env, isthmus_caller *c, uint64_t *v) {
  v[0] = 52; /* ENOSYS: not in this test stub */
  return NULL;
}

static isthmus_trap *w_badf(void *env, isthmus_caller *c, uint64_t *v) {
  v[0] = 8; /* EBADF: this stub has no preopens and no files */
  return NULL;
}
/* poll_oneoff for clock subscriptions only: sleeps for the shortest relative timeout and
 * reports that subscription's event (48-byte subscriptions, 32-byte events). */
static isthmus_trap *w_poll(void *env, isthmus_caller *c, uint64_t *v) {
  uint32_t in = (uint32_t)v[0], out = (uint32_t)v[1], n = (uint32_t)v[2], nev = (uint32_t)v[3];
  if (n == 0) { v[0] = 28; return NULL; }
  uint8_t *subs = mem_at(c, in, 48ull * n), *evs = mem_at(c, out, 32ull * n), *np = mem_at(c, nev, 4);
  if (!subs || !evs || !np) { v[0] = 21; return NULL; }
  uint64_t best = UINT64_MAX;
  uint32_t which = 0;
  for (uint32_t i = 0; i < n; i++) {
    uint8_t *s = subs + 48 * i;
    if (s[8] != 0) continue; /* not a clock */
    uint64_t timeout;
    memcpy(&timeout, s + 24, 8);
    if (timeout < best) { best = timeout; which = i; }
  }
  if (best != UINT64_MAX) {
    struct timespec ts = {(time_t)(best / 1000000000ull), (long)(best % 1000000000ull)};
    nanosleep(&ts, NULL);
  }
  memset(evs, 0, 32);
  memcpy(evs, subs + 48 * which, 8); /* userdata */
  evs[10] = 0;                        /* type: clock */
  uint32_t one = 1;
  memcpy(np, &one, 4);
  v[0] = 0;
  return NULL;
}

static isthmus_host_fn wasi_fn(const char *name) {
  if (!strncmp(name, "fd_", 3) && strcmp(name, "fd_write") != 0) return w_badf;
  if (!strcmp(name, "poll_oneoff")) return w_poll;
  if (!strcmp(name, "args_sizes_get") || !strcmp(name, "environ_sizes_get")) return w_zero_sizes;
  if (!strcmp(name, "args_get") || !strcmp(name, "environ_get") || !strcmp(name, "sched_yield")) return w_ok;
  if (!strcmp(name, "clock_time_get")) return w_clock;
  if (!strcmp(name, "fd_write")) return w_fd_write;
  if (!strcmp(name, "random_get")) return w_random;
  if (!strcmp(name, "proc_exit")) return w_exit;
  return w_nosys;
}

static int report_trap(isthmus_trap *t) {
  if (isthmus_trap_code_of(t) == ISTHMUS_TRAP_EXIT) {
    printf("exit %d\n", isthmus_trap_exit_code(t));
    isthmus_trap_delete(t);
    return 0;
  }
  char *s = isthmus_trap_format(t);
  fprintf(stderr, "trap: %s\n", s);
  free(s);
  isthmus_trap_delete(t);
  return 1;
}

int main(int argc, char **argv) {
  if (argc < 3) {
    fprintf(stderr, "usage: realmod FILE.wasm start | call NAME ARGS... | time N\n");
    return 2;
  }
  size_t len;
  uint8_t *bytes = read_file(argv[1], &len);
  if (!bytes) { perror(argv[1]); return 2; }
  isthmus_engine *e = isthmus_engine_new(NULL);
  if (!strcmp(argv[2], "time")) {
    int n = argc > 3 ? atoi(argv[3]) : 10;
    struct timespec a, b;
    clock_gettime(CLOCK_MONOTONIC, &a);
    for (int i = 0; i < n; i++) {
      isthmus_module *m;
      isthmus_error *err = isthmus_module_new(e, bytes, len, &m);
      if (err) { fprintf(stderr, "error: %s\n", isthmus_error_message(err)); return 1; }
      isthmus_module_delete(m);
    }
    clock_gettime(CLOCK_MONOTONIC, &b);
    double ms = ((double)(b.tv_sec - a.tv_sec) * 1e3 + (double)(b.tv_nsec - a.tv_nsec) / 1e6) / n;
    printf("decode+validate %zu bytes: %.2f ms (mean of %d)\n", len, ms, n);
    free(bytes);
    isthmus_engine_delete(e);
    return 0;
  }
  isthmus_module *m;
  isthmus_error *err = isthmus_module_new(e, bytes, len, &m);
  free(bytes);
  if (err) {
    fprintf(stderr, "error: %s at offset %lld\n", isthmus_error_message(err), (long long)isthmus_error_offset(err));
    return 1;
  }
  isthmus_store *s = isthmus_store_new(e);
  size_t ni = isthmus_module_import_count(m);
  isthmus_extern *imports = calloc(ni + 1, sizeof *imports);
  for (size_t i = 0; i < ni; i++) {
    const char *mod, *name;
    size_t ml, nl;
    isthmus_externtype t;
    isthmus_module_import(m, i, &mod, &ml, &name, &nl, &t);
    if (t.kind != ISTHMUS_EXTERN_FUNC || strcmp(mod, "wasi_snapshot_preview1") != 0) {
      fprintf(stderr, "unsupported import %s.%s\n", mod, name);
      return 1;
    }
    imports[i].kind = ISTHMUS_EXTERN_FUNC;
    imports[i].of.func = isthmus_func_new(s, t.of.func, wasi_fn(name), NULL, NULL);
  }
  isthmus_instance *inst;
  isthmus_trap *trap = NULL;
  err = isthmus_instantiate(s, m, imports, ni, &inst, &trap);
  free(imports);
  if (err) { fprintf(stderr, "link error: %s\n", isthmus_error_message(err)); return 1; }
  if (trap) return report_trap(trap);
  int rc = 0;
  isthmus_extern x;
  if (!strcmp(argv[2], "start")) {
    if (!isthmus_instance_export(inst, "_start", 6, &x)) { fprintf(stderr, "no _start\n"); return 1; }
    trap = isthmus_func_call(s, x.of.func, NULL, 0, NULL, 0, NULL);
    if (trap) rc = report_trap(trap);
    else printf("exit 0\n");
  } else if (!strcmp(argv[2], "call") && argc > 3) {
    if (isthmus_instance_export(inst, "_initialize", 11, &x)) {
      trap = isthmus_func_call(s, x.of.func, NULL, 0, NULL, 0, NULL);
      if (trap) return report_trap(trap);
    }
    if (!isthmus_instance_export(inst, argv[3], strlen(argv[3]), &x) || x.kind != ISTHMUS_EXTERN_FUNC) {
      fprintf(stderr, "no function export %s\n", argv[3]);
      return 1;
    }
    const isthmus_functype *ft = isthmus_func_type(x.of.func);
    isthmus_val args[8], res[8];
    if (ft->num_params != (uint32_t)(argc - 4) || ft->num_params > 8 || ft->num_results > 8) {
      fprintf(stderr, "wrong argument count\n");
      return 2;
    }
    for (uint32_t i = 0; i < ft->num_params; i++) {
      args[i].kind = ft->params[i];
      if (ft->params[i] == ISTHMUS_I64) args[i].of.i64 = strtoll(argv[4 + i], NULL, 0);
      else args[i].of.i32 = (int32_t)strtol(argv[4 + i], NULL, 0);
    }
    trap = isthmus_func_call(s, x.of.func, args, ft->num_params, res, ft->num_results, &err);
    if (err) { fprintf(stderr, "error: %s\n", isthmus_error_message(err)); return 2; }
    if (trap) return report_trap(trap);
    for (uint32_t i = 0; i < ft->num_results; i++) {
      if (res[i].kind == ISTHMUS_I64) printf("%lld\n", (long long)res[i].of.i64);
      else printf("%d\n", res[i].of.i32);
    }
  }
  isthmus_store_delete(s);
  isthmus_module_delete(m);
  isthmus_engine_delete(e);
  return rc;
}
