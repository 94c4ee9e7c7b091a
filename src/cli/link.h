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

#endif
