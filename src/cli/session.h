/* session.h — the steps `run` and `call` share: read and decode a module, give it WASI and
 * instantiate it, call an export and report how that ended. Each step prints its own message
 * (prefixed with the command's name) and returns what the command should exit with. */
#ifndef ISTHMUS_CLI_SESSION_H
#define ISTHMUS_CLI_SESSION_H

#include <stdbool.h>
#include <stddef.h>

#include "isthmus.h"
#include "link.h"

typedef struct cli_session {
  const char *cmd;         /* "run" or "call": the prefix of messages */
  const char *trap_prefix; /* what a trap's message is printed after ("Error: ") */
  const char *path;
  int tier;                /* isthmus_tier; ISTHMUS_TIER_DEFAULT unless --tier */
  uint8_t *bytes;
  size_t len;
  isthmus_engine *engine;
  isthmus_module *m;
  isthmus_store *store;
  cli_linker *linker;
  cli_wasi *wasi;
  isthmus_extern *imports;
  isthmus_instance *inst;
} cli_session;

/* Status returned by the steps below when the command should go on. */
#define CLI_GO_ON (-1)

/* Recognises the options `run` and `call` share at argv[*i] (advancing *i over a separate
 * value): --invoke NAME, --tier T and the WASI options --dir/--env. Returns 1 when it took the
 * option, 0 when argv[*i] is none of them, -1 after a message ("CMD: ...") when it is malformed. */
int cli_session_parse_opt(int argc, char **argv, int *i, const char *cmd, const char **invoke, int *tier,
                          cli_wasi_opts *wasi);

/* The --tier line of the commands' help texts. */
#define CLI_TIER_HELP                                                                        \
  "  --tier interp|aot|auto  execution tier (default: $ISTHMUS_TIER, else interp); aot\n"    \
  "                       compiles the module with the C compiler first and caches it\n"     \
  "                       (experimental; the first run of a Go module takes minutes)\n"

/* Reads, decodes and validates path (with the engine configured for s->tier). False after a message. */
bool cli_session_load(cli_session *s, const char *cmd, const char *path);

/* The export `name` of the module as a function type. False (after a message) when the
 * module has none or it is not a function; `list` adds the exported functions to it. */
bool cli_session_export_type(cli_session *s, const char *name, bool list, const isthmus_functype **out);

/* Reads args[0..num_args) as the parameters of ft (the function `name`). False after a message
 * naming the argument and its type, or the expected count. */
bool cli_session_parse_args(const cli_session *s, const char *name, const isthmus_functype *ft,
                            char **args, int num_args, isthmus_val *out);

/* Gives the module WASI (with argv = path then args; only when it imports WASI or dirs were
 * given unless `always`), resolves its imports and instantiates it. Returns CLI_GO_ON, or the
 * exit status after a message (a trap in the start function included). */
int cli_session_instantiate(cli_session *s, const cli_wasi_opts *o, char *const *args, size_t num_args,
                            bool always);

/* Calls export `name` with args, results into results (may be NULL for none). Returns CLI_GO_ON
 * when it returned; the exit status after a trap, a guest exit or an error. A missing export
 * is CLI_GO_ON when `optional`. */
int cli_session_call(cli_session *s, const char *name, const isthmus_val *args, size_t num_args,
                     isthmus_val *results, size_t num_results, bool optional);

/* Runs _initialize (unless `name` is it; a library must be initialised before its other exports
 * are called), then export `name` of type ft with args, and prints its results one a line.
 * Returns CLI_EXIT_OK, or the exit status after a message. */
int cli_session_invoke(cli_session *s, const char *name, const isthmus_functype *ft, const isthmus_val *args);

/* Frees everything the session made (the store before WASI, as its host functions refer to it). */
void cli_session_close(cli_session *s);

#endif
