/* sbrun.c — a small host for the sandbox tests, built by run.sh against libisthmus.a with
 * the public API only. It does what `isthmus run` does for a command module (_start, exit
 * code) and adds what the CLI has no option for:
 *
 *   sbrun [--dir HOST::GUEST]... [--ro HOST::GUEST]... [--fds] PROG.wasm [ARGS...]
 *
 *   --ro    a read-only preopen
 *   --fds   counts the host's open descriptors (/proc/self/fd) before the engine exists and
 *           after everything is deleted; more afterwards is a leak: exit status 3.
 *
 * Exit status: the guest's exit code, 1 on load/link errors, 134 on a trap, 3 on a leak. */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isthmus.h"

static int count_fds(void) {
  DIR *d = opendir("/proc/self/fd");
  if (!d) return -1;
  int n = 0;
  struct dirent *e;
  while ((e = readdir(d)))
    if (e->d_name[0] != '.') n++;
  closedir(d);
  return n - 1; /* the one reading the directory */
}

static uint8_t *read_file(const char *path, size_t *len) {
  FILE *f = fopen(path, "rb");
  if (!f) return NULL;
  fseek(f, 0, SEEK_END);
  long n = ftell(f);
  fseek(f, 0, SEEK_SET);
  uint8_t *b = malloc(n > 0 ? (size_t)n : 1);
  *len = fread(b, 1, (size_t)n, f);
  fclose(f);
  return b;
}

/* "HOST::GUEST" into the config. */
static int add_dir(isthmus_wasi_config *c, const char *spec, bool ro) {
  const char *sep = strstr(spec, "::");
  if (!sep) {
    fprintf(stderr, "sbrun: want HOST::GUEST, got %s\n", spec);
    return -1;
  }
  char *host = strndup(spec, (size_t)(sep - spec));
  isthmus_wasi_config_preopen_dir(c, host, sep + 2, ro);
  free(host);
  return 0;
}

static int run(int argc, char **argv) {
  isthmus_wasi_config *cfg = isthmus_wasi_config_new();
  int i = 1;
  for (; i < argc; i++) {
    if (strcmp(argv[i], "--fds") == 0) continue;
    if ((strcmp(argv[i], "--dir") == 0 || strcmp(argv[i], "--ro") == 0) && i + 1 < argc) {
      if (add_dir(cfg, argv[i + 1], argv[i][2] == 'r') < 0) return 1;
      i++;
      continue;
    }
    break;
  }
  if (i >= argc) {
    fprintf(stderr, "usage: sbrun [--dir H::G]... [--ro H::G]... [--fds] PROG.wasm [ARGS...]\n");
    return 2;
  }
  isthmus_wasi_config_set_args(cfg, (size_t)(argc - i), (const char *const *)(argv + i));

  int status = 1;
  size_t len = 0;
  uint8_t *bytes = read_file(argv[i], &len);
  isthmus_engine *engine = isthmus_engine_new(NULL);
  isthmus_module *m = NULL;
  isthmus_store *store = NULL;
  isthmus_wasi *w = NULL;
  isthmus_extern *imports = NULL;
  isthmus_instance *inst = NULL;
  isthmus_trap *trap = NULL;
  isthmus_error *err = NULL;
  if (!bytes) {
    fprintf(stderr, "sbrun: cannot read %s\n", argv[i]);
    goto done;
  }
  if ((err = isthmus_module_new(engine, bytes, len, &m))) goto done;
  store = isthmus_store_new(engine);
  if ((err = isthmus_wasi_new(store, cfg, &w))) goto done;
  size_t n = isthmus_module_import_count(m);
  imports = calloc(n + 1, sizeof *imports);
  if ((err = isthmus_wasi_link(w, m, imports, NULL))) goto done;
  if ((err = isthmus_instantiate(store, m, imports, n, &inst, &trap))) goto done;
  if (!trap) {
    isthmus_extern start;
    if (!isthmus_instance_export(inst, "_start", 6, &start) || start.kind != ISTHMUS_EXTERN_FUNC) {
      fprintf(stderr, "sbrun: no _start\n");
      goto done;
    }
    fflush(stdout);
    trap = isthmus_func_call(store, start.of.func, NULL, 0, NULL, 0, &err);
  }
  if (trap) {
    if (isthmus_trap_code_of(trap) == ISTHMUS_TRAP_EXIT) {
      status = isthmus_trap_exit_code(trap);
    } else {
      char *s = isthmus_trap_format(trap);
      fprintf(stderr, "sbrun: trap: %s\n", s);
      free(s);
      status = 134;
    }
  } else if (!err) {
    status = 0;
  }
done:
  if (err) {
    fprintf(stderr, "sbrun: %s\n", isthmus_error_message(err));
    isthmus_error_delete(err);
  }
  if (trap) isthmus_trap_delete(trap);
  free(imports);
  if (store) isthmus_store_delete(store);
  isthmus_wasi_delete(w); /* after the store */
  isthmus_wasi_config_delete(cfg);
  if (m) isthmus_module_delete(m);
  if (engine) isthmus_engine_delete(engine);
  free(bytes);
  return status;
}

int main(int argc, char **argv) {
  bool fds = false;
  for (int i = 1; i < argc && argv[i][0] == '-'; i++) {
    if (strcmp(argv[i], "--fds") == 0) fds = true;
    else i++; /* --dir/--ro take a value */
  }
  int before = count_fds();
  int status = run(argc, argv);
  int after = count_fds();
  if (fds) {
    printf("sbrun: host fds before %d, after %d\n", before, after);
    if (after != before) {
      fprintf(stderr, "sbrun: %d host descriptors leaked\n", after - before);
      return 3;
    }
  }
  return status;
}
