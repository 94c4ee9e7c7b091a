/* aot_test.h — what the AOT tests share: CHECK, modules from WAT text (wat2wasm, into the
 * includer's scratch directory `tmpdir`, which it defines before including this) and exports
 * by name. Header-only: each test is one program. */
#ifndef AOT_TEST_H
#define AOT_TEST_H

#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "isthmus.h"

static int failures, checks;
#define CHECK(c, ...)                                        \
  do {                                                       \
    checks++;                                                \
    if (!(c)) {                                              \
      failures++;                                            \
      fprintf(stderr, "FAIL %s:%d: ", __FILE__, __LINE__);   \
      fprintf(stderr, __VA_ARGS__);                          \
      fputc('\n', stderr);                                   \
    }                                                        \
  } while (0)

/* The binary of WAT text, with names (for backtraces); file names carry the pid so that
 * forked children never overwrite their parent's files. Exits on failure. */
static uint8_t *wat(const char *text, size_t *len) {
  static int n;
  char src[256], out[256], cmd[700];
  snprintf(src, sizeof src, "%s/m%d-%d.wat", tmpdir, (int)getpid(), n);
  snprintf(out, sizeof out, "%s/m%d-%d.wasm", tmpdir, (int)getpid(), n++);
  FILE *f = fopen(src, "w");
  if (!f) exit(2);
  fputs(text, f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "wat2wasm --debug-names %s -o %s", src, out);
  if (system(cmd) != 0) {
    fprintf(stderr, "wat2wasm failed\n");
    exit(2);
  }
  f = fopen(out, "rb");
  fseek(f, 0, SEEK_END);
  *len = (size_t)ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(*len);
  if (fread(b, 1, *len, f) != *len) exit(2);
  fclose(f);
  return b;
}

static isthmus_module *module(isthmus_engine *e, const char *text) {
  size_t n;
  uint8_t *b = wat(text, &n);
  isthmus_module *m = NULL;
  isthmus_error *err = isthmus_module_new(e, b, n, &m);
  free(b);
  if (err) {
    fprintf(stderr, "module: %s\n", isthmus_error_message(err));
    exit(2);
  }
  return m;
}

static isthmus_func *export_func(isthmus_instance *i, const char *name) {
  isthmus_extern x;
  if (!isthmus_instance_export(i, name, strlen(name), &x) || x.kind != ISTHMUS_EXTERN_FUNC) {
    fprintf(stderr, "no export %s\n", name);
    exit(2);
  }
  return x.of.func;
}

#endif
