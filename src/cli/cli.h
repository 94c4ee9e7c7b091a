/* cli.h — entry points of the `isthmus` subcommands. Each takes the arguments after the
 * subcommand name (argv[0] is the subcommand itself) and returns the process exit status. */
#ifndef ISTHMUS_CLI_H
#define ISTHMUS_CLI_H

int cli_spectest_main(int argc, char **argv);
int cli_inspect_main(int argc, char **argv);
int cli_call_main(int argc, char **argv);

/* Usage texts, also printed by `isthmus help COMMAND`. */
extern const char cli_spectest_usage[];
extern const char cli_inspect_usage[];
extern const char cli_call_usage[];

#endif
