/* isthmus through its C API (build/libisthmus.a), for the engine workloads and for
 * deterministic instruction counts under callgrind.
 *
 *   isthmus_driver call MODULE FUNC ARG REPS
 *       instantiate MODULE (no imports), call FUNC(ARG) REPS times on the same instance;
 *       one line per call: ns=<ns> result=<i32>
 *   isthmus_driver init MODULE
 *       a WASI reactor (Go -buildmode=c-shared): load + validate + WASI + instantiate +
 *       _initialize; prints ns=<ns>
 *   isthmus_driver sum MODULE FUNC A B N
 *       a WASI reactor as above, then FUNC(A, B) (two i32, one i32 result) once to warm up
 *       (lazy lowering), then N times through isthmus_func_call_unchecked, the path the
 *       Python binding takes; prints result=<i32>. measured_sum holds only the N calls, so
 *       its callgrind count / N is the engine's cost of one host -> wasm call.
 *
 * The work to be counted runs inside measured_*() so that
 *   valgrind --tool=callgrind --collect-atstart=no --toggle-collect='measured_*'
 * counts it alone. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "isthmus.h"

static long long now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1000000000LL + ts.tv_nsec;
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *buf = malloc(n > 0 ? (size_t)n : 1);
  if (buf && fread(buf, 1, (size_t)n, f) != (size_t)n) {
    free(buf);
    buf = NULL;
  }
  fclose(f);
  *len = (size_t)n;
  return buf;
}

static int fail_error(const char *what, isthmus_error *e) {
  fprintf(stderr, "isthmus_driver: %s: %s\n", what, isthmus_error_message(e));
  isthmus_error_delete(e);
  return 1;
}

static int fail_trap(isthmus_trap *t) {
  char *s = isthmus_trap_format(t);
  fprintf(stderr, "isthmus_driver: trap: %s\n", s);
  free(s);
  isthmus_trap_delete(t);
  return 1;
}

__attribute__((noinline)) static isthmus_trap *measured_call(isthmus_store *s, isthmus_func *f, int32_t arg,
                                                             int32_t *result) {
  isthmus_val a = {.kind = ISTHMUS_I32, .of.i32 = arg}, r;
  isthmus_error *err = NULL;
  isthmus_trap *t = isthmus_func_call(s, f, &a, 1, &r, 1, &err);
  if (err) {
    fprintf(stderr, "isthmus_driver: call: %s\n", isthmus_error_message(err));
    exit(2);
  }
  *result = r.of.i32;
  return t;
}

static int do_call(const char *path, const char *name, int32_t arg, int reps) {
  size_t len;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) {
    perror(path);
    return 1;
  }
  isthmus_engine *eng = isthmus_engine_new(NULL);
  isthmus_module *mod;
  isthmus_error *e = isthmus_module_new(eng, bytes, len, &mod);
  free(bytes);
  if (e) return fail_error("load", e);
  isthmus_store *s = isthmus_store_new(eng);
  isthmus_instance *inst;
  isthmus_trap *trap = NULL;
  e = isthmus_instantiate(s, mod, NULL, 0, &inst, &trap);
  if (e) return fail_error("instantiate", e);
  if (trap) return fail_trap(trap);
  isthmus_extern ex;
  if (!isthmus_instance_export(inst, name, strlen(name), &ex) || ex.kind != ISTHMUS_EXTERN_FUNC) {
    fprintf(stderr, "isthmus_driver: no exported function %s\n", name);
    return 2;
  }
  for (int i = 0; i < reps; i++) {
    int32_t result;
    long long t0 = now_ns();
    trap = measured_call(s, ex.of.func, arg, &result);
    long long t1 = now_ns();
    if (trap) return fail_trap(trap);
    printf("ns=%lld result=%d\n", t1 - t0, result);
  }
  isthmus_store_delete(s);
  isthmus_module_delete(mod);
  isthmus_engine_delete(eng);
  return 0;
}

/* A reactor (a Go c-shared module) loaded, given WASI (argv "hello.wasm", stdout discarded),
 * instantiated and initialised: what the `init` and `sum` modes share. */
typedef struct reactor {
  isthmus_engine *eng;
  isthmus_module *mod;
  isthmus_store *s;
  isthmus_wasi *w;
  isthmus_extern *imports;
  isthmus_instance *inst;
} reactor;

static void reactor_close(reactor *r) {
  free(r->imports);
  if (r->s) isthmus_store_delete(r->s);
  if (r->w) isthmus_wasi_delete(r->w);
  if (r->mod) isthmus_module_delete(r->mod);
  isthmus_engine_delete(r->eng);
}

/* Returns 0, or 1 after printing why (call reactor_close in both cases). */
static int reactor_open(reactor *r, const uint8_t *bytes, size_t len) {
  *r = (reactor){.eng = isthmus_engine_new(NULL)};
  isthmus_error *e = isthmus_module_new(r->eng, bytes, len, &r->mod);
  if (e) return fail_error("load", e);
  r->s = isthmus_store_new(r->eng);
  isthmus_wasi_config *c = isthmus_wasi_config_new();
  const char *argv0 = "hello.wasm";
  isthmus_wasi_config_set_args(c, 1, &argv0);
  isthmus_wasi_config_stdio_null(c, 1);
  e = isthmus_wasi_new(r->s, c, &r->w);
  isthmus_wasi_config_delete(c);
  if (e) return fail_error("wasi", e);
  size_t n = isthmus_module_import_count(r->mod);
  r->imports = calloc(n ? n : 1, sizeof *r->imports);
  if ((e = isthmus_wasi_link(r->w, r->mod, r->imports, NULL)) != NULL) return fail_error("link", e);
  isthmus_trap *trap = NULL;
  e = isthmus_instantiate(r->s, r->mod, r->imports, n, &r->inst, &trap);
  if (e) return fail_error("instantiate", e);
  if (trap) return fail_trap(trap);
  isthmus_extern ex;
  if (!isthmus_instance_export(r->inst, "_initialize", 11, &ex)) {
    fprintf(stderr, "isthmus_driver: no _initialize\n");
    return 1;
  }
  trap = isthmus_func_call(r->s, ex.of.func, NULL, 0, NULL, 0, &e);
  if (e) return fail_error("_initialize", e);
  if (trap) return fail_trap(trap);
  return 0;
}

/* load + validate + WASI + instantiate + _initialize of a reactor; returns 0 or prints why. */
__attribute__((noinline)) static int measured_init(const uint8_t *bytes, size_t len) {
  reactor r;
  int rc = reactor_open(&r, bytes, len);
  reactor_close(&r);
  return rc;
}

static int do_init(const char *path) {
  size_t len;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) {
    perror(path);
    return 1;
  }
  long long t0 = now_ns();
  int rc = measured_init(bytes, len);
  long long t1 = now_ns();
  free(bytes);
  if (rc == 0) printf("ns=%lld\n", t1 - t0);
  return rc;
}

/* The N calls of `sum` mode, alone in one function for callgrind's --toggle-collect. */
__attribute__((noinline)) static isthmus_trap *measured_sum(isthmus_store *s, isthmus_func *f, int32_t a,
                                                            int32_t b, long n, int32_t *result) {
  uint64_t cells[2];
  for (long i = 0; i < n; i++) {
    cells[0] = (uint32_t)a;
    cells[1] = (uint32_t)b;
    isthmus_trap *t = isthmus_func_call_unchecked(s, f, cells);
    if (t) return t;
  }
  *result = (int32_t)(uint32_t)cells[0];
  return NULL;
}

static int do_sum(const char *path, const char *name, int32_t a, int32_t b, long n) {
  size_t len;
  uint8_t *bytes = read_file(path, &len);
  if (!bytes) {
    perror(path);
    return 1;
  }
  reactor r;
  int rc = reactor_open(&r, bytes, len);
  free(bytes);
  isthmus_extern ex;
  if (rc == 0 && (!isthmus_instance_export(r.inst, name, strlen(name), &ex) || ex.kind != ISTHMUS_EXTERN_FUNC)) {
    fprintf(stderr, "isthmus_driver: no exported function %s\n", name);
    rc = 1;
  }
  if (rc == 0) {
    int32_t result;
    isthmus_trap *trap = measured_sum(r.s, ex.of.func, a, b, 1, &result); /* warm-up: lowering */
    if (!trap) trap = measured_sum(r.s, ex.of.func, a, b, n, &result);
    if (trap) rc = fail_trap(trap);
    else printf("result=%d\n", result);
  }
  reactor_close(&r);
  return rc;
}

int main(int argc, char **argv) {
  if (argc == 6 && strcmp(argv[1], "call") == 0) return do_call(argv[2], argv[3], (int32_t)atoi(argv[4]), atoi(argv[5]));
  if (argc == 3 && strcmp(argv[1], "init") == 0) return do_init(argv[2]);
  if (argc == 7 && strcmp(argv[1], "sum") == 0)
    return do_sum(argv[2], argv[3], (int32_t)atoi(argv[4]), (int32_t)atoi(argv[5]), atol(argv[6]));
  fprintf(stderr, "usage: isthmus_driver call MODULE FUNC ARG REPS | init MODULE | sum MODULE FUNC A B N\n");
  return 2;
}
