/* realmod — loads a module built by a real toolchain (Go, clang), links the project's WASI
 * layer (stdio inherited, no preopens), and runs it:
 *   realmod FILE.wasm start                 run _start, print "exit N"
 *   realmod FILE.wasm call NAME ARGS...     _initialize (if exported), then NAME(i32/i64 args)
 *   realmod FILE.wasm time N                decode+validate N times, print the mean in ms
 * Only the public API is used. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

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
  isthmus_wasi *wasi = NULL;
  err = isthmus_wasi_new(s, NULL, &wasi);
  if (err) { fprintf(stderr, "wasi: %s\n", isthmus_error_message(err)); return 1; }
  size_t ni = isthmus_module_import_count(m);
  isthmus_extern *imports = calloc(ni + 1, sizeof *imports);
  bool *resolved = calloc(ni + 1, sizeof *resolved);
  err = isthmus_wasi_link(wasi, m, imports, resolved);
  if (err) { fprintf(stderr, "link error: %s\n", isthmus_error_message(err)); return 1; }
  for (size_t i = 0; i < ni; i++) {
    if (resolved[i]) continue;
    const char *mod, *name;
    size_t ml, nl;
    isthmus_externtype t;
    isthmus_module_import(m, i, &mod, &ml, &name, &nl, &t);
    fprintf(stderr, "unsupported import %s.%s\n", mod, name);
    return 1;
  }
  free(resolved);
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
  isthmus_wasi_delete(wasi); /* after the store: its host functions refer to it */
  isthmus_module_delete(m);
  isthmus_engine_delete(e);
  return rc;
}
