/* run.c — `isthmus run`: run a WASI program (its _start, or _initialize and then one export),
 * with wasmtime's command-line conventions. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "link.h"
#include "util.h"

const char cli_run_usage[] =
    "usage: isthmus run [OPTIONS] [--] FILE.wasm [ARGS...]\n"
    "\n"
    "Runs a WebAssembly program with WASI (wasi_snapshot_preview1): its export _start, or\n"
    "with --invoke, its export _initialize (when it has one) and then the named function.\n"
    "The guest sees FILE.wasm (as written) and ARGS as its arguments, the terminal's stdin,\n"
    "stdout and stderr, and only the directories given with --dir. Everything after\n"
    "FILE.wasm belongs to the guest, options included.\n"
    "\n"
    "Options:\n"
    "  --dir HOST[::GUEST]  give the guest the host directory HOST, seen as GUEST (default:\n"
    "                       the same path as on the host); repeatable\n"
    "  --env NAME=VALUE     set a variable in the guest's environment (NAME alone: the\n"
    "                       host's value, if it has one); repeatable. Nothing else of the\n"
    "                       host's environment is visible\n"
    "  --invoke NAME        call the export NAME instead of _start; ARGS are then also its\n"
    "                       parameters (read as in 'isthmus call') and its results are\n"
    "                       printed, one per line\n"
    "  --tier interp|aot|auto  execution tier (default: $ISTHMUS_TIER, else interp); aot\n"
    "                       compiles the module with the C compiler first (experimental)\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: the guest's own code when it calls proc_exit, otherwise 0 when it returns;\n"
    "1 when the module cannot be loaded, linked or given its directories (imports other than\n"
    "WASI cannot be supplied); 2 on usage errors; 134 when the guest traps (the message and\n"
    "its wasm backtrace go to stderr).\n"
    "\n"
    "Examples:\n"
    "  isthmus run hello.wasm\n"
    "  isthmus run --dir . --env LANG=C tool.wasm -v input.txt\n"
    "  isthmus run --dir /srv/data::/data app.wasm\n"
    "  isthmus run --invoke add lib.wasm 1 2\n";

typedef struct run_opts {
  cli_wasi_opts wasi;
  const char *invoke; /* NULL: run _start */
  int tier;           /* ISTHMUS_TIER_DEFAULT unless --tier */
  const char *path;
  char **args; /* the guest's arguments after FILE.wasm */
  int num_args;
} run_opts;

/* Returns -1 on success, otherwise the exit status. */
static int run_parse_cmdline(int argc, char **argv, run_opts *o) {
  bool options_done = false;
  int i = 1, took;
  for (; i < argc; i++) {
    const char *a = argv[i];
    if (options_done || a[0] != '-' || !a[1]) {
      o->path = a;
      break;
    }
    if (strcmp(a, "--") == 0) {
      options_done = true;
    } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
      fputs(cli_run_usage, stdout);
      return CLI_EXIT_OK;
    } else if (strcmp(a, "--invoke") == 0) {
      if (i + 1 >= argc) {
        cli_errorf("run: --invoke needs a function name");
        return CLI_EXIT_USAGE;
      }
      o->invoke = argv[++i];
    } else if (strncmp(a, "--invoke=", 9) == 0) {
      o->invoke = a + 9;
    } else if (strcmp(a, "--tier") == 0 || strncmp(a, "--tier=", 7) == 0) {
      const char *t = a[6] == '=' ? a + 7 : i + 1 < argc ? argv[++i] : "";
      if (!strcmp(t, "interp")) o->tier = ISTHMUS_TIER_INTERP;
      else if (!strcmp(t, "aot")) o->tier = ISTHMUS_TIER_AOT;
      else if (!strcmp(t, "auto")) o->tier = ISTHMUS_TIER_AUTO;
      else {
        cli_errorf("run: --tier wants interp, aot or auto, not '%s'", t);
        return CLI_EXIT_USAGE;
      }
    } else if ((took = cli_wasi_parse_opt(&o->wasi, argc, argv, &i, "run")) != 0) {
      if (took < 0) return CLI_EXIT_USAGE;
    } else {
      cli_errorf("run: unknown option '%s' (see 'isthmus run --help')", a);
      return CLI_EXIT_USAGE;
    }
  }
  if (!o->path) {
    cli_errorf("run: missing FILE.wasm (see 'isthmus run --help')");
    return CLI_EXIT_USAGE;
  }
  o->args = argv + i + 1;
  o->num_args = argc - i - 1;
  return -1;
}

/* The end of a run that stopped with a trap: a guest exit gives its code, anything else is
 * reported as wasmtime does ("Error: " and the trap with its backtrace) with status 134. */
static int run_trap_status(isthmus_trap *trap) {
  int status;
  fflush(stdout);
  if (isthmus_trap_code_of(trap) == ISTHMUS_TRAP_EXIT) {
    status = isthmus_trap_exit_code(trap);
  } else {
    char *text = isthmus_trap_format(trap);
    const char *msg = text ? text : isthmus_trap_message(trap);
    size_t n = strlen(msg);
    fprintf(stderr, "Error: %s%s", msg, n && msg[n - 1] == '\n' ? "" : "\n");
    free(text);
    status = CLI_EXIT_TRAP;
  }
  isthmus_trap_delete(trap);
  return status;
}

/* Looks up the export `name` of the module as a function type; false (after a message)
 * when there is none, or it is not a function. */
static bool run_export_type(const isthmus_module *m, const char *path, const char *name,
                            const isthmus_functype **out) {
  size_t n = isthmus_module_export_count(m), want = strlen(name);
  for (size_t i = 0; i < n; i++) {
    const char *en;
    size_t len;
    isthmus_externtype t;
    isthmus_module_export(m, i, &en, &len, &t);
    if (len != want || memcmp(en, name, len) != 0) continue;
    if (t.kind != ISTHMUS_EXTERN_FUNC) {
      cli_errorf("run: export '%s' of %s is a %s, not a function", name, path, isthmus_externkind_name(t.kind));
      return false;
    }
    *out = t.of.func;
    return true;
  }
  cli_errorf("run: %s has no function export named '%s'", path, name);
  return false;
}

/* Reads the arguments of `run --invoke` by the function's parameter types. */
static bool run_parse_invoke_args(const run_opts *o, const isthmus_functype *ft, isthmus_val *args) {
  char msg[200];
  if ((uint32_t)o->num_args != ft->num_params) {
    cli_buf t = {0};
    cli_buf_functype(&t, ft);
    cli_errorf("run: '%s' takes %u argument%s, got %d (type %s)", o->invoke, ft->num_params,
               ft->num_params == 1 ? "" : "s", o->num_args, cli_buf_str(&t));
    cli_buf_free(&t);
    return false;
  }
  for (uint32_t i = 0; i < ft->num_params; i++) {
    if (!cli_parse_value_arg(o->args[i], ft->params[i], &args[i], msg, sizeof msg)) {
      cli_errorf("run: argument %u of '%s' (%s): %s", i + 1, o->invoke, isthmus_valtype_name(ft->params[i]), msg);
      return false;
    }
  }
  return true;
}

/* Calls the function export `name` of inst, if there is one, without arguments or results.
 * Returns -1 when it returned normally or does not exist, else the exit status. */
static int run_call_nullary(isthmus_store *store, isthmus_instance *inst, const char *path, const char *name) {
  isthmus_extern ex;
  if (!isthmus_instance_export(inst, name, strlen(name), &ex) || ex.kind != ISTHMUS_EXTERN_FUNC) return -1;
  isthmus_error *err = NULL;
  fflush(stdout);
  isthmus_trap *trap = isthmus_func_call(store, ex.of.func, NULL, 0, NULL, 0, &err);
  if (err) {
    cli_errorf("%s: %s: %s", path, name, isthmus_error_message(err));
    isthmus_error_delete(err);
    return CLI_EXIT_FAIL;
  }
  return trap ? run_trap_status(trap) : -1;
}

int cli_run_main(int argc, char **argv) {
  run_opts o = {0};
  int status = run_parse_cmdline(argc, argv, &o);
  if (status >= 0) {
    cli_wasi_opts_free(&o.wasi);
    return status;
  }
  status = CLI_EXIT_FAIL;

  size_t len = 0;
  uint8_t *bytes = NULL;
  isthmus_engine *engine = NULL;
  isthmus_module *m = NULL;
  isthmus_store *store = NULL;
  cli_linker *linker = NULL;
  cli_wasi *wasi = NULL;
  isthmus_extern *imports = NULL;
  isthmus_val *args = NULL, *results = NULL;
  isthmus_error *err = NULL;
  isthmus_trap *trap = NULL;
  isthmus_instance *inst = NULL;
  const isthmus_functype *ft = NULL;
  cli_buf missing = {0};

  bytes = cli_read_file(o.path, &len);
  if (!bytes) goto done;
  isthmus_config cfg;
  isthmus_config_init(&cfg);
  isthmus_config_tier(&cfg, (isthmus_tier)o.tier);
  engine = isthmus_engine_new(&cfg);
  if (!engine) {
    cli_errorf("out of memory");
    goto done;
  }
  err = isthmus_module_new(engine, bytes, len, &m);
  if (err) {
    cli_print_error(o.path, err);
    goto done;
  }

  /* With --invoke, check the function and its arguments before running anything. */
  if (o.invoke) {
    if (!run_export_type(m, o.path, o.invoke, &ft)) {
      status = CLI_EXIT_USAGE;
      goto done;
    }
    args = cli_xcalloc(ft->num_params + 1, sizeof *args);
    results = cli_xcalloc(ft->num_results + 1, sizeof *results);
    if (!run_parse_invoke_args(&o, ft, args)) {
      status = CLI_EXIT_USAGE;
      goto done;
    }
  }

  /* A guest writing to a closed pipe gets EPIPE from fd_write (as under wasmtime) instead of
   * the whole process dying of SIGPIPE. */
  signal(SIGPIPE, SIG_IGN);

  store = isthmus_store_new(engine);
  if (!store) {
    cli_errorf("out of memory");
    goto done;
  }
  linker = cli_linker_new();
  if (!cli_wasi_setup(linker, store, m, &o.wasi, o.path, o.args, (size_t)o.num_args, &wasi)) goto done;
  size_t num_imports = isthmus_module_import_count(m);
  imports = cli_xcalloc(num_imports + 1, sizeof *imports);
  size_t num_missing = cli_linker_resolve(linker, store, m, imports, &missing);
  if (num_missing) {
    if (missing.len && missing.data[missing.len - 1] == '\n') missing.data[--missing.len] = '\0';
    cli_errorf("%s: cannot instantiate: %zu import%s that WASI does not supply:\n%s", o.path, num_missing,
               num_missing == 1 ? "" : "s", cli_buf_str(&missing));
    goto done;
  }

  fflush(stdout);
  err = isthmus_instantiate(store, m, imports, num_imports, &inst, &trap);
  if (err) {
    cli_print_error(o.path, err);
    goto done;
  }
  if (trap) {
    status = run_trap_status(trap);
    trap = NULL;
    goto done;
  }

  if (!o.invoke) {
    /* A command runs _start; a library (reactor) only gets initialised, as in wasmtime. */
    isthmus_extern start;
    bool command = isthmus_instance_export(inst, "_start", 6, &start) && start.kind == ISTHMUS_EXTERN_FUNC;
    status = run_call_nullary(store, inst, o.path, command ? "_start" : "_initialize");
    if (status < 0) status = CLI_EXIT_OK;
    goto done;
  }

  if (strcmp(o.invoke, "_initialize") != 0) {
    status = run_call_nullary(store, inst, o.path, "_initialize");
    if (status >= 0) {
      if (status == CLI_EXIT_OK) status = CLI_EXIT_FAIL; /* exit(0) while initialising */
      goto done;
    }
  }
  isthmus_extern ex;
  if (!isthmus_instance_export(inst, o.invoke, strlen(o.invoke), &ex) || ex.kind != ISTHMUS_EXTERN_FUNC) {
    cli_errorf("run: instance has no function export '%s'", o.invoke);
    status = CLI_EXIT_FAIL;
    goto done;
  }
  fflush(stdout);
  trap = isthmus_func_call(store, ex.of.func, args, ft->num_params, results, ft->num_results, &err);
  if (err) {
    cli_errorf("run: %s: %s", o.invoke, isthmus_error_message(err));
    status = CLI_EXIT_FAIL;
    goto done;
  }
  if (trap) {
    status = run_trap_status(trap);
    trap = NULL;
    goto done;
  }
  for (uint32_t i = 0; i < ft->num_results; i++) cli_print_value(&results[i]);
  fflush(stdout);
  status = CLI_EXIT_OK;

done:
  if (err) isthmus_error_delete(err);
  if (trap) isthmus_trap_delete(trap);
  cli_buf_free(&missing);
  free(args);
  free(results);
  free(imports);
  cli_linker_delete(linker);
  if (store) isthmus_store_delete(store);
  cli_wasi_delete(wasi); /* after the store: its host functions refer to it */
  cli_wasi_opts_free(&o.wasi);
  if (m) isthmus_module_delete(m);
  if (engine) isthmus_engine_delete(engine);
  free(bytes);
  return status;
}
