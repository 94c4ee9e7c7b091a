/* args_get/args_sizes_get and environ_get/environ_sizes_get: contents and sizes, with
 * buffers of exactly the announced size. */
//wasitest:args one "two words" "" --three= ünï 4
//wasitest:env ALPHA=1
//wasitest:env EMPTY=
//wasitest:env WITH_EQ=a=b=c
#include <stdlib.h>

#include "wt.h"

extern char **environ;

int main(int argc, char **argv) {
  printf("argc=%d\n", argc);
  for (int i = 1; i < argc; i++) printf("argv[%d]=[%s]\n", i, argv[i]);
  const char *base = strrchr(argv[0], '/');
  printf("argv[0] ends with args_env.wasm: %s\n", strcmp(base ? base + 1 : argv[0], "args_env.wasm") == 0 ? "yes" : "no");

  int n = 0;
  for (char **e = environ; *e; e++) printf("environ[%d]=[%s]\n", n++, *e);
  printf("getenv(WITH_EQ)=[%s]\n", getenv("WITH_EQ"));
  printf("getenv(EMPTY)=[%s]\n", getenv("EMPTY"));
  printf("getenv(MISSING)=%s\n", getenv("MISSING") ? "set" : "NULL");

  __wasi_size_t count = 0, size = 0;
  wt_errno("args_sizes_get", __wasi_args_sizes_get(&count, &size));
  size_t want = 0;
  for (int i = 0; i < argc; i++) want += strlen(argv[i]) + 1;
  printf("args count=%u size matches=%s\n", (unsigned)count, size == want ? "yes" : "no");
  wt_errno("environ_sizes_get", __wasi_environ_sizes_get(&count, &size));
  printf("environ count=%u size=%u\n", (unsigned)count, (unsigned)size);

  /* The raw calls, filling buffers of exactly the announced sizes. */
  char *buf = malloc(size);
  char **ptrs = malloc(count * sizeof *ptrs);
  wt_errno("environ_get", __wasi_environ_get((uint8_t **)ptrs, (uint8_t *)buf));
  printf("environ_get first=[%s] last ends at buffer end: %s\n", ptrs[0],
         ptrs[count - 1] + strlen(ptrs[count - 1]) + 1 == buf + size ? "yes" : "no");

  return 0;
}
