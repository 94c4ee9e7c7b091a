/* main.c — the `isthmus` command: dispatch to the subcommands. */
#include <stdio.h>
#include <string.h>

#include "cli.h"
#include "isthmus.h"
#include "util.h"

static const char cli_main_usage[] =
    "usage: isthmus [--version] [--help] COMMAND [ARGS...]\n"
    "\n"
    "Commands:\n"
    "  run        run a WASI program (its _start, or one export with --invoke)\n"
    "  call       run one exported function of a module and print its results\n"
    "  inspect    show a module's imports, exports, memories, tables, globals, sections\n"
    "  build      build a Go package into a module callable from Python (isthmus ABI)\n"
    "  stubs      write Python type stubs (.pyi) for an isthmus-ABI module\n"
    "  spectest   run WebAssembly spec-test scripts (JSON written by wabt's wast2json)\n"
    "  help       show the help of a command\n"
    "\n"
    "Run 'isthmus COMMAND --help' for the options of one command.\n";

typedef struct cli_command {
  const char *name;
  int (*main)(int argc, char **argv);
  const char *usage;
} cli_command;

static const cli_command cli_commands[] = {
    {"run", cli_run_main, cli_run_usage},
    {"call", cli_call_main, cli_call_usage},
    {"inspect", cli_inspect_main, cli_inspect_usage},
    {"build", cli_build_main, cli_build_usage},
    {"stubs", cli_stubs_main, cli_stubs_usage},
    {"spectest", cli_spectest_main, cli_spectest_usage},
};

static const cli_command *cli_find_command(const char *name) {
  for (size_t i = 0; i < sizeof cli_commands / sizeof cli_commands[0]; i++)
    if (strcmp(cli_commands[i].name, name) == 0) return &cli_commands[i];
  return NULL;
}

int main(int argc, char **argv) {
  if (argc < 2) {
    fputs(cli_main_usage, stderr);
    return CLI_EXIT_USAGE;
  }
  const char *arg = argv[1];
  if (strcmp(arg, "--help") == 0 || strcmp(arg, "-h") == 0) {
    fputs(cli_main_usage, stdout);
    return CLI_EXIT_OK;
  }
  if (strcmp(arg, "--version") == 0 || strcmp(arg, "-V") == 0) {
    printf("isthmus %s\n", ISTHMUS_VERSION);
    return CLI_EXIT_OK;
  }
  if (strcmp(arg, "help") == 0) {
    if (argc < 3) {
      fputs(cli_main_usage, stdout);
      return CLI_EXIT_OK;
    }
    const cli_command *c = cli_find_command(argv[2]);
    if (!c) {
      cli_errorf("unknown command '%s' (see 'isthmus --help')", argv[2]);
      return CLI_EXIT_USAGE;
    }
    fputs(c->usage, stdout);
    return CLI_EXIT_OK;
  }
  if (arg[0] == '-') {
    cli_errorf("unknown option '%s' (see 'isthmus --help')", arg);
    return CLI_EXIT_USAGE;
  }
  const cli_command *c = cli_find_command(arg);
  if (!c) {
    cli_errorf("unknown command '%s' (see 'isthmus --help')", arg);
    return CLI_EXIT_USAGE;
  }
  return c->main(argc - 1, argv + 1);
}
