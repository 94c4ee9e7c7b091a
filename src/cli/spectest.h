/* spectest.h — shared between the spec-test runner and its host module. */
#ifndef ISTHMUS_CLI_SPECTEST_H
#define ISTHMUS_CLI_SPECTEST_H

#include <stdbool.h>

#include "isthmus.h"
#include "link.h"
#include "util.h"

/* Creates the `spectest` host module's functions, globals, table and memory in s and
 * defines them in l under the module name "spectest". */
bool cli_spectest_host_define(isthmus_store *s, cli_linker *l);

#endif
