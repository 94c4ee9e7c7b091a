/* A C command module built against wasi-libc. */
#include <stdio.h>
#include <stdlib.h>
int main(int argc, char **argv) {
  printf("hello from C, argc=%d\n", argc);
  return 3;
}
