/* build.c — `isthmus build`: forwards to the Go generator (go/cmd/isthmus-build), compiled
 * with the user's own Go toolchain into a per-user cache and run in the user's directory.
 * The generator is Go because it type-checks Go packages; the C command only finds it. */
#define _GNU_SOURCE
#include <errno.h>
#include <libgen.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "util.h"

const char cli_build_usage[] =
    "usage: isthmus build [--out FILE.wasm] [--export PKG.Func[=NAME]]... [PKG...] [-- GOFLAGS]\n"
    "\n"
    "Builds a Go package into a WebAssembly library whose //isthmus:export functions (and the\n"
    "--export ones) are callable from Python with rich values (see docs/abi.md):\n"
    "generates the export glue without touching your source tree (go build -overlay), runs\n"
    "GOOS=wasip1 GOARCH=wasm go build -buildmode=c-shared, and adds the isthmus.schema section.\n"
    "\n"
    "Options (passed on to the generator, go/cmd/isthmus-build):\n"
    "  --out FILE.wasm        output file (default: the package name + .wasm)\n"
    "  --export PKG.Func[=N]  also export a function you do not want to annotate, as N\n"
    "  --schema FILE.wasm     print a built module's schema as JSON\n"
    "  -v                     show the go commands\n"
    "\n"
    "Needs Go 1.24 or newer: $ISTHMUS_GO, else go on PATH. The generator is found through\n"
    "ISTHMUS_GO_SDK (the go/ folder of isthmus), else next to this program (../go).\n";

static bool is_sdk(const char *dir) {
  char p[PATH_MAX];
  struct stat st;
  return snprintf(p, sizeof p, "%s/cmd/isthmus-build", dir) < (int)sizeof p && stat(p, &st) == 0 &&
         S_ISDIR(st.st_mode);
}

static bool find_sdk(char *out, size_t cap) {
  const char *env = getenv("ISTHMUS_GO_SDK");
  if (env && *env) {
    snprintf(out, cap, "%s", env);
    return is_sdk(out);
  }
  char exe[PATH_MAX];
  ssize_t n = readlink("/proc/self/exe", exe, sizeof exe - 1);
  if (n <= 0) return false;
  exe[n] = 0;
  char *dir = dirname(exe);
  static const char *const rel[] = {"../go", "../share/isthmus/go", "go"};
  for (size_t i = 0; i < sizeof rel / sizeof rel[0]; i++) {
    char cand[PATH_MAX];
    if (snprintf(cand, sizeof cand, "%s/%s", dir, rel[i]) >= (int)sizeof cand) continue;
    if (is_sdk(cand) && realpath(cand, out)) return true;
  }
  return false;
}

/* The go command: $ISTHMUS_GO (as the generator finds it, gocmd.go), else go on PATH. */
static bool find_go(char *out, size_t cap) {
  const char *env = getenv("ISTHMUS_GO");
  if (env && *env) {
    if (snprintf(out, cap, "%s", env) >= (int)cap) return false;
    return access(out, X_OK) == 0;
  }
  const char *path = getenv("PATH");
  if (!path) return false;
  char *copy = strdup(path), *save = NULL;
  bool found = false;
  for (char *d = strtok_r(copy, ":", &save); d && !found; d = strtok_r(NULL, ":", &save)) {
    if (snprintf(out, cap, "%s/go", *d ? d : ".") < (int)cap && access(out, X_OK) == 0) found = true;
  }
  free(copy);
  return found;
}

int cli_build_main(int argc, char **argv) {
  if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
    fputs(cli_build_usage, stdout);
    return 0;
  }
  char sdk[PATH_MAX], go[PATH_MAX], bin[PATH_MAX + 64];
  if (!find_sdk(sdk, sizeof sdk)) {
    fprintf(stderr, "isthmus: cannot find the isthmus Go SDK (go/cmd/isthmus-build); set ISTHMUS_GO_SDK to the go/ "
                    "folder of an isthmus checkout\n");
    return CLI_EXIT_FAIL;
  }
  if (!find_go(go, sizeof go)) {
    const char *env = getenv("ISTHMUS_GO");
    if (env && *env)
      fprintf(stderr, "isthmus: ISTHMUS_GO=%s is not an executable go command\n", env);
    else
      fprintf(stderr, "isthmus: the Go toolchain was not found on PATH; install Go 1.24 or newer, or set "
                      "ISTHMUS_GO to its go command\n");
    return CLI_EXIT_FAIL;
  }
  const char *cache = getenv("XDG_CACHE_HOME"), *home = getenv("HOME");
  char dir[PATH_MAX];
  if (cache && *cache) snprintf(dir, sizeof dir, "%s/isthmus", cache);
  else snprintf(dir, sizeof dir, "%s/.cache/isthmus", home && *home ? home : "/tmp");
  char parent[PATH_MAX];
  snprintf(parent, sizeof parent, "%s", dir);
  mkdir(dirname(parent), 0755);
  if (mkdir(dir, 0755) != 0 && errno != EEXIST) {
    fprintf(stderr, "isthmus: cannot create %s: %s\n", dir, strerror(errno));
    return CLI_EXIT_FAIL;
  }
  snprintf(bin, sizeof bin, "%s/isthmus-build-%s", dir, ISTHMUS_VERSION);
  /* Always (re)build: Go's build cache makes this quick, and the binary never goes stale. */
  pid_t pid = fork();
  if (pid < 0) {
    perror("isthmus: fork");
    return CLI_EXIT_FAIL;
  }
  if (pid == 0) {
    char *const args[] = {go, "build", "-C", sdk, "-o", bin, "./cmd/isthmus-build", NULL};
    execv(go, args);
    _exit(127);
  }
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {}
  if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
    fprintf(stderr, "isthmus: building the generator in %s failed (see above)\n", sdk);
    return CLI_EXIT_FAIL;
  }
  setenv("ISTHMUS_GO_SDK", sdk, 1);
  char **args = calloc((size_t)argc + 1, sizeof *args);
  args[0] = bin;
  for (int i = 1; i < argc; i++) args[i] = argv[i];
  execv(bin, args);
  fprintf(stderr, "isthmus: cannot run %s: %s\n", bin, strerror(errno));
  free(args);
  return CLI_EXIT_FAIL;
}
