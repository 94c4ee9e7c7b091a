/* proc_exit and the ways a program ends: `exit N` calls exit(N) after printing (buffered
 * output must be flushed), `return N` returns N from main, `raw N` calls proc_exit directly
 * with unflushed output (which is lost), `trap` traps, `abort` aborts. run.sh runs it once per
 * case and checks the exit status. */
#include <stdlib.h>

#include "wt.h"

int main(int argc, char **argv) {
  setvbuf(stdout, NULL, _IOFBF, 1024);
  if (argc < 2) return 0;
  int code = argc > 2 ? atoi(argv[2]) : 0;
  printf("%s %d\n", argv[1], code);
  if (!strcmp(argv[1], "exit")) exit(code);
  if (!strcmp(argv[1], "return")) return code;
  if (!strcmp(argv[1], "raw")) __wasi_proc_exit((__wasi_exitcode_t)code);
  if (!strcmp(argv[1], "trap")) {
    fflush(stdout);
    __builtin_trap();
  }
  if (!strcmp(argv[1], "abort")) {
    fflush(stdout);
    abort();
  }
  return 99;
}
