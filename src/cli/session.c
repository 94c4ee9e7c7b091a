/* session.c — load, link, instantiate and call for `run` and `call` (see session.h). */
#include "session.h"

#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

static int tier_parse_opt(int argc, char **argv, int *i, const char *cmd, int *tier) {
  const char *a = argv[*i];
  if (strcmp(a, "--tier") != 0 && strncmp(a, "--tier=", 7) != 0) return 0;
  const char *t = a[6] == '=' ? a + 7 : *i + 1 < argc ? argv[++*i] : "";
  if (!strcmp(t, "interp")) *tier = ISTHMUS_TIER_INTERP;
  else if (!strcmp(t, "aot")) *tier = ISTHMUS_TIER_AOT;
  else if (!strcmp(t, "auto")) *tier = ISTHMUS_TIER_AUTO;
  else {
    cli_errorf("%s: --tier wants interp, aot or auto, not '%s'", cmd, t);
    return -1;
  }
  return 1;
}

int cli_session_parse_opt(int argc, char **argv, int *i, const char *cmd, const char **invoke, int *tier,
                          cli_wasi_opts *wasi) {
  const char *a = argv[*i];
  if (strcmp(a, "--invoke") == 0) {
    if (*i + 1 >= argc) {
      cli_errorf("%s: --invoke needs a function name", cmd);
      return -1;
    }
    *invoke = argv[++*i];
    return 1;
  }
  if (strncmp(a, "--invoke=", 9) == 0) {
    *invoke = a + 9;
    return 1;
  }
  int took = tier_parse_opt(argc, argv, i, cmd, tier);
  return took ? took : cli_wasi_parse_opt(wasi, argc, argv, i, cmd);
}

bool cli_session_load(cli_session *s, const char *cmd, const char *path) {
  s->cmd = cmd;
  s->path = path;
  if (!s->trap_prefix) s->trap_prefix = "Error: ";
  s->bytes = cli_read_file(path, &s->len);
  if (!s->bytes) return false;
  isthmus_config cfg;
  isthmus_config_init(&cfg);
  isthmus_config_tier(&cfg, (isthmus_tier)s->tier);
  s->engine = isthmus_engine_new(&cfg);
  if (!s->engine) {
    cli_errorf("out of memory");
    return false;
  }
  isthmus_error *err = isthmus_module_new(s->engine, s->bytes, s->len, &s->m);
  if (err) {
    cli_print_error(path, err);
    isthmus_error_delete(err);
    return false;
  }
  return true;
}

static void list_funcs(const isthmus_module *m) {
  size_t n = isthmus_module_export_count(m);
  cli_buf b = {0};
  for (size_t i = 0; i < n; i++) {
    const char *en;
    size_t len;
    isthmus_externtype t;
    isthmus_module_export(m, i, &en, &len, &t);
    if (t.kind != ISTHMUS_EXTERN_FUNC) continue;
    cli_buf_add(&b, "  ", 2);
    cli_buf_name(&b, en, len);
    cli_buf_add(&b, " ", 1);
    cli_buf_functype(&b, t.of.func);
    cli_buf_add(&b, "\n", 1);
  }
  if (b.len) fprintf(stderr, "exported functions:\n%s", cli_buf_str(&b));
  else fprintf(stderr, "the module exports no functions\n");
  cli_buf_free(&b);
}

bool cli_session_export_type(cli_session *s, const char *name, bool list, const isthmus_functype **out) {
  size_t n = isthmus_module_export_count(s->m), want = strlen(name);
  for (size_t i = 0; i < n; i++) {
    const char *en;
    size_t len;
    isthmus_externtype t;
    isthmus_module_export(s->m, i, &en, &len, &t);
    if (len != want || memcmp(en, name, len) != 0) continue;
    if (t.kind != ISTHMUS_EXTERN_FUNC) {
      cli_errorf("%s: export '%s' of %s is a %s, not a function", s->cmd, name, s->path,
                 isthmus_externkind_name(t.kind));
      return false;
    }
    *out = t.of.func;
    return true;
  }
  cli_errorf("%s: %s has no export named '%s'", s->cmd, s->path, name);
  if (list) list_funcs(s->m);
  return false;
}

bool cli_session_parse_args(const cli_session *s, const char *name, const isthmus_functype *ft,
                            char **args, int num_args, isthmus_val *out) {
  if ((uint32_t)num_args != ft->num_params) {
    cli_buf t = {0};
    cli_buf_functype(&t, ft);
    cli_errorf("%s: '%s' takes %u argument%s, got %d (type %s)", s->cmd, name, ft->num_params,
               ft->num_params == 1 ? "" : "s", num_args, cli_buf_str(&t));
    cli_buf_free(&t);
    return false;
  }
  char msg[200];
  for (uint32_t i = 0; i < ft->num_params; i++) {
    if (!cli_parse_value_arg(args[i], ft->params[i], &out[i], msg, sizeof msg)) {
      cli_errorf("%s: argument %u of '%s' (%s): %s", s->cmd, i + 1, name, isthmus_valtype_name(ft->params[i]),
                 msg);
      return false;
    }
  }
  return true;
}

/* How a trap ends the command: a guest exit gives its code; anything else is printed with its
 * wasm backtrace, as wasmtime does, with status 134. Takes ownership of trap. */
static int trap_status(const cli_session *s, isthmus_trap *trap) {
  int status;
  fflush(stdout);
  if (isthmus_trap_code_of(trap) == ISTHMUS_TRAP_EXIT) {
    status = isthmus_trap_exit_code(trap);
  } else {
    char *text = isthmus_trap_format(trap);
    const char *msg = text ? text : isthmus_trap_message(trap);
    size_t n = strlen(msg);
    fprintf(stderr, "%s%s%s", s->trap_prefix, msg, n && msg[n - 1] == '\n' ? "" : "\n");
    free(text);
    status = CLI_EXIT_TRAP;
  }
  isthmus_trap_delete(trap);
  return status;
}

int cli_session_instantiate(cli_session *s, const cli_wasi_opts *o, char *const *args, size_t num_args,
                            bool always) {
  /* A guest writing to a closed pipe gets EPIPE from fd_write (as under wasmtime) instead of
   * the whole process dying of SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);
  s->store = isthmus_store_new(s->engine);
  if (!s->store) {
    cli_errorf("out of memory");
    return CLI_EXIT_FAIL;
  }
  s->linker = cli_linker_new();
  if ((always || cli_module_imports_wasi(s->m) || o->num_dirs) &&
      !cli_wasi_setup(s->linker, s->store, s->m, o, s->path, args, num_args, &s->wasi))
    return CLI_EXIT_FAIL;
  size_t num_imports = isthmus_module_import_count(s->m);
  s->imports = cli_xcalloc(num_imports + 1, sizeof *s->imports);
  cli_buf missing = {0};
  size_t num_missing = cli_linker_resolve(s->linker, s->store, s->m, s->imports, &missing);
  if (num_missing) {
    if (missing.len && missing.data[missing.len - 1] == '\n') missing.data[--missing.len] = '\0';
    cli_errorf("%s: cannot instantiate: %zu unresolved import%s (only wasi_snapshot_preview1 is supplied):\n%s",
               s->path, num_missing, num_missing == 1 ? "" : "s", cli_buf_str(&missing));
    cli_buf_free(&missing);
    return CLI_EXIT_FAIL;
  }
  cli_buf_free(&missing);
  fflush(stdout);
  isthmus_trap *trap = NULL;
  isthmus_error *err = isthmus_instantiate(s->store, s->m, s->imports, num_imports, &s->inst, &trap);
  if (err) {
    cli_print_error(s->path, err);
    isthmus_error_delete(err);
    return CLI_EXIT_FAIL;
  }
  return trap ? trap_status(s, trap) : CLI_GO_ON;
}

int cli_session_call(cli_session *s, const char *name, const isthmus_val *args, size_t num_args,
                     isthmus_val *results, size_t num_results, bool optional) {
  isthmus_extern ex;
  if (!isthmus_instance_export(s->inst, name, strlen(name), &ex) || ex.kind != ISTHMUS_EXTERN_FUNC) {
    if (optional) return CLI_GO_ON;
    cli_errorf("%s: instance has no function export '%s'", s->cmd, name);
    return CLI_EXIT_FAIL;
  }
  isthmus_error *err = NULL;
  fflush(stdout);
  isthmus_trap *trap = isthmus_func_call(s->store, ex.of.func, args, num_args, results, num_results, &err);
  if (err) {
    cli_errorf("%s: %s: %s", s->path, name, isthmus_error_message(err));
    isthmus_error_delete(err);
    return CLI_EXIT_FAIL;
  }
  return trap ? trap_status(s, trap) : CLI_GO_ON;
}

int cli_session_invoke(cli_session *s, const char *name, const isthmus_functype *ft, const isthmus_val *args) {
  int status;
  if (strcmp(name, "_initialize") != 0) {
    status = cli_session_call(s, "_initialize", NULL, 0, NULL, 0, true);
    if (status != CLI_GO_ON) return status == CLI_EXIT_OK ? CLI_EXIT_FAIL : status; /* exit(0) while initialising */
  }
  isthmus_val *results = cli_xcalloc(ft->num_results + 1, sizeof *results);
  status = cli_session_call(s, name, args, ft->num_params, results, ft->num_results, false);
  if (status == CLI_GO_ON) {
    for (uint32_t i = 0; i < ft->num_results; i++) cli_print_value(&results[i]);
    fflush(stdout);
    status = CLI_EXIT_OK;
  }
  free(results);
  return status;
}

void cli_session_close(cli_session *s) {
  free(s->imports);
  cli_linker_delete(s->linker);
  if (s->store) isthmus_store_delete(s->store);
  cli_wasi_delete(s->wasi);
  if (s->m) isthmus_module_delete(s->m);
  if (s->engine) isthmus_engine_delete(s->engine);
  free(s->bytes);
  memset(s, 0, sizeof *s);
}
