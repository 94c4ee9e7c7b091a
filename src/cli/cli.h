/* cli.h — entry points of the `isthmus` subcommands. Each takes the arguments after the
 * subcommand name (argv[0] is the subcommand itself) and returns the process exit status. */
#ifndef ISTHMUS_CLI_H
#define ISTHMUS_CLI_H

#include <stdbool.h>
#include <stddef.h>

#include "isthmus.h"

int cli_spectest_main(int argc, char **argv);
int cli_inspect_main(int argc, char **argv);
int cli_call_main(int argc, char **argv);
int cli_run_main(int argc, char **argv);
int cli_stubs_main(int argc, char **argv);
int cli_build_main(int argc, char **argv);

/* Usage texts, also printed by `isthmus help COMMAND`. */
extern const char cli_spectest_usage[];
extern const char cli_inspect_usage[];
extern const char cli_call_usage[];
extern const char cli_run_usage[];
extern const char cli_stubs_usage[];
extern const char cli_build_usage[];

/* Shared by `call` and `run --invoke` (call.c): reads a command-line argument as a value of
 * type t (writing the reason into err on failure), and prints a result on its own line. */
bool cli_parse_value_arg(const char *s, isthmus_valtype t, isthmus_val *v, char *err, size_t errlen);
void cli_print_value(const isthmus_val *v);

#endif
