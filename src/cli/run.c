/* run.c — `isthmus run`: run a WASI program (its _start, or _initialize and then one export),
 * with wasmtime's command-line conventions. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "link.h"
#include "session.h"
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
    CLI_TIER_HELP
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
  const char *path;
  int tier; /* ISTHMUS_TIER_DEFAULT unless --tier */
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
    } else if ((took = cli_session_parse_opt(argc, argv, &i, "run", &o->invoke, &o->tier, &o->wasi)) != 0) {
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

int cli_run_main(int argc, char **argv) {
  run_opts o = {0};
  int status = run_parse_cmdline(argc, argv, &o);
  if (status >= 0) {
    cli_wasi_opts_free(&o.wasi);
    return status;
  }
  status = CLI_EXIT_FAIL;
  cli_session s = {.tier = o.tier, .trap_prefix = "Error: "};
  isthmus_val *args = NULL;
  const isthmus_functype *ft = NULL;
  if (!cli_session_load(&s, "run", o.path)) goto done;

  /* With --invoke, check the function and its arguments before running anything. */
  if (o.invoke) {
    status = CLI_EXIT_USAGE;
    if (!cli_session_export_type(&s, o.invoke, false, &ft)) goto done;
    args = cli_xcalloc(ft->num_params + 1, sizeof *args);
    if (!cli_session_parse_args(&s, o.invoke, ft, o.args, o.num_args, args)) goto done;
  }

  status = cli_session_instantiate(&s, &o.wasi, o.args, (size_t)o.num_args, true);
  if (status != CLI_GO_ON) goto done;
  if (!o.invoke) {
    /* A command runs _start; a library (reactor) only gets initialised, as in wasmtime. */
    isthmus_extern start;
    bool command = isthmus_instance_export(s.inst, "_start", 6, &start) && start.kind == ISTHMUS_EXTERN_FUNC;
    status = cli_session_call(&s, command ? "_start" : "_initialize", NULL, 0, NULL, 0, true);
    if (status == CLI_GO_ON) status = CLI_EXIT_OK;
    goto done;
  }
  status = cli_session_invoke(&s, o.invoke, ft, args);

done:
  free(args);
  cli_session_close(&s);
  cli_wasi_opts_free(&o.wasi);
  return status;
}
