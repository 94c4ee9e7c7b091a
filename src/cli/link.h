/* link.h — resolves a module's imports for the CLI. A linker holds named definitions
 * (module name, field name) -> extern, and a chain of resolver hooks asked for anything not
 * defined (WASI plugs in here). Names are matched byte for byte; kinds and types are not
 * checked here: isthmus_instantiate reports a mismatch as an ISTHMUS_ERR_LINK error. */
#ifndef ISTHMUS_CLI_LINK_H
#define ISTHMUS_CLI_LINK_H

#include <stdbool.h>
#include <stddef.h>

#include "isthmus.h"
#include "util.h"

typedef struct cli_linker cli_linker;

/* One import of a module, as a resolver sees it. */
typedef struct cli_import {
  const char *module;
  size_t module_len;
  const char *name;
  size_t name_len;
  isthmus_externtype type;
} cli_import;

/* A resolver hook: fills *out and returns true when it supplies the import. It may create
 * host objects in the store. */
typedef bool (*cli_resolver_fn)(void *ctx, isthmus_store *store, const cli_import *imp,
                                isthmus_extern *out);

cli_linker *cli_linker_new(void);
void cli_linker_delete(cli_linker *l);

/* Defines (module, name). A later definition of the same pair hides an earlier one. */
void cli_linker_define(cli_linker *l, const char *module, size_t module_len, const char *name,
                       size_t name_len, isthmus_extern ext);
/* Defines every export of inst under the module name (the spec's `register`). */
void cli_linker_define_instance(cli_linker *l, const char *module, size_t module_len,
                                const isthmus_instance *inst);
/* Adds a hook asked, in the order added, for imports without a definition. */
void cli_linker_add_resolver(cli_linker *l, cli_resolver_fn fn, void *ctx);

/* Fills imports[0..isthmus_module_import_count(m)) for m. Returns the number of imports
 * nobody supplied; each one is appended to `missing` (when non-NULL) as a line
 * "  MODULE.NAME: KIND TYPE\n". */
size_t cli_linker_resolve(cli_linker *l, isthmus_store *store, const isthmus_module *m,
                          isthmus_extern *imports, cli_buf *missing);

/* ---------------------------------------------------------------- WASI for the commands */

/* The WASI options shared by `run` and `call`, as given on the command line (the strings are
 * views into argv). */
typedef struct cli_wasi_opts {
  const char **dirs; /* "HOST" or "HOST::GUEST" */
  size_t num_dirs;
  const char **envs; /* "NAME=VALUE", or "NAME" to pass the host's value on */
  size_t num_envs;
} cli_wasi_opts;

/* Recognises --dir/--env (also written --dir=X, --env=X) at argv[*i], advancing *i over a
 * separate value. Returns 1 when it took the option, 0 when argv[*i] is not a WASI option,
 * and -1 after printing a message ("CMD: ...") when the option is malformed. */
int cli_wasi_parse_opt(cli_wasi_opts *o, int argc, char **argv, int *i, const char *cmd);
void cli_wasi_opts_free(cli_wasi_opts *o);

/* A WASI instance wired into a linker: every wasi_snapshot_preview1 import of the module is
 * supplied by it. Delete it only after the store it was made in. */
typedef struct cli_wasi cli_wasi;

/* Configures WASI (args = argv0 then args, the environment, the preopened directories; stdio
 * inherited), creates it in store, fills it for m's imports and adds it to the linker as a
 * resolver. Returns false after printing a message naming `path` when that fails. *out is set
 * whenever something was made, also on failure: delete it (after the store) in both cases. */
bool cli_wasi_setup(cli_linker *l, isthmus_store *store, const isthmus_module *m, const cli_wasi_opts *o,
                    const char *path, char *const *args, size_t num_args, cli_wasi **out);
void cli_wasi_delete(cli_wasi *w);
/* True when m imports anything from wasi_snapshot_preview1. */
bool cli_module_imports_wasi(const isthmus_module *m);

#endif
