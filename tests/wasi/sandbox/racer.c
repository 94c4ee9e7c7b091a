/* racer.c — native helper of run.sh: swaps two names (a directory inside the sandbox and a
 * symlink pointing out of it) with renameat2(RENAME_EXCHANGE), atomically and as fast as it
 * can, until killed. The guest (race.c) meanwhile opens paths through that name: a resolver
 * that checks first and opens later would sooner or later open the outside file. */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>

#ifndef RENAME_EXCHANGE
#define RENAME_EXCHANGE (1 << 1)
#endif

int main(int argc, char **argv) {
  if (argc != 3) {
    fprintf(stderr, "usage: racer A B\n");
    return 2;
  }
  for (unsigned long n = 0;; n++) {
    if (syscall(SYS_renameat2, AT_FDCWD, argv[1], AT_FDCWD, argv[2], RENAME_EXCHANGE) < 0) {
      perror("racer: renameat2");
      return 1;
    }
  }
}
