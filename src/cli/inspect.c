/* inspect.c — `isthmus inspect`: a readable summary of a module's interface. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "util.h"

const char cli_inspect_usage[] =
    "usage: isthmus inspect FILE.wasm\n"
    "\n"
    "Decodes and validates FILE.wasm and prints its imports and exports with their types,\n"
    "its memories, tables and globals, function counts, the start function, whether it is a\n"
    "command (exports _start) or a reactor (exports _initialize), and its custom sections.\n"
    "\n"
    "Options:\n"
    "  -h, --help   show this help\n"
    "\n"
    "Exit status: 0 on success, 1 when the module is malformed or invalid, 2 on usage errors.\n";

/* ---------------------------------------------------------------- aligned rows */

#define INSPECT_COLS 3

typedef struct inspect_rows {
  char **cells; /* INSPECT_COLS per row */
  size_t count, cap;
} inspect_rows;

/* Width on a terminal: UTF-8 continuation bytes take no column. */
static size_t inspect_width(const char *s) {
  size_t w = 0;
  for (; *s; s++)
    if (((unsigned char)*s & 0xC0) != 0x80) w++;
  return w;
}

static void inspect_row(inspect_rows *r, const char *a, const char *b, const char *c) {
  if (r->count == r->cap) {
    r->cap = r->cap ? r->cap * 2 : 16;
    r->cells = cli_xrealloc(r->cells, r->cap * INSPECT_COLS * sizeof(char *));
  }
  const char *src[INSPECT_COLS] = {a, b, c};
  for (int i = 0; i < INSPECT_COLS; i++)
    r->cells[r->count * INSPECT_COLS + i] = cli_xstrndup(src[i], strlen(src[i]));
  r->count++;
}

/* Prints "TITLE (N):" then the rows with each column padded to its widest cell; clears r. */
static void inspect_print_rows(const char *title, inspect_rows *r) {
  printf("%s (%zu):\n", title, r->count);
  size_t width[INSPECT_COLS] = {0};
  for (size_t i = 0; i < r->count; i++)
    for (int c = 0; c < INSPECT_COLS; c++) {
      size_t w = inspect_width(r->cells[i * INSPECT_COLS + c]);
      if (w > width[c]) width[c] = w;
    }
  for (size_t i = 0; i < r->count; i++) {
    cli_buf line = {0};
    cli_buf_add(&line, " ", 1);
    for (int c = 0; c < INSPECT_COLS; c++) {
      const char *cell = r->cells[i * INSPECT_COLS + c];
      cli_buf_add(&line, c ? "  " : " ", c ? 2 : 1);
      cli_buf_add(&line, cell, strlen(cell));
      for (size_t pad = inspect_width(cell); pad < width[c]; pad++) cli_buf_add(&line, " ", 1);
    }
    while (line.len && line.data[line.len - 1] == ' ') line.data[--line.len] = '\0';
    puts(cli_buf_str(&line));
    cli_buf_free(&line);
  }
  for (size_t i = 0; i < r->count * INSPECT_COLS; i++) free(r->cells[i]);
  free(r->cells);
  *r = (inspect_rows){0};
}

/* ---------------------------------------------------------------- pieces */

static void inspect_quoted(cli_buf *b, const char *s, size_t n) {
  cli_buf_add(b, "\"", 1);
  cli_buf_name(b, s, n);
  cli_buf_add(b, "\"", 1);
}

/* The type of an extern without its kind word (the kind gets its own column). */
static void inspect_type_text(cli_buf *b, const isthmus_externtype *t) {
  switch (t->kind) {
  case ISTHMUS_EXTERN_FUNC:
    cli_buf_functype(b, t->of.func);
    break;
  case ISTHMUS_EXTERN_TABLE:
    cli_buf_printf(b, "%s ", isthmus_valtype_name(t->of.table.elem));
    cli_buf_limits(b, &t->of.table.limits, NULL);
    break;
  case ISTHMUS_EXTERN_MEMORY:
    cli_buf_limits(b, &t->of.memory.limits, "page");
    break;
  case ISTHMUS_EXTERN_GLOBAL:
    cli_buf_printf(b, "%s%s", t->of.global.mutable_ ? "mut " : "const ",
                   isthmus_valtype_name(t->of.global.type));
    break;
  }
}

static bool inspect_exports_func(const isthmus_module *m, const char *want) {
  size_t n = isthmus_module_export_count(m);
  size_t want_len = strlen(want);
  for (size_t i = 0; i < n; i++) {
    const char *name;
    size_t len;
    isthmus_externtype t;
    isthmus_module_export(m, i, &name, &len, &t);
    if (t.kind == ISTHMUS_EXTERN_FUNC && len == want_len && memcmp(name, want, len) == 0) return true;
  }
  return false;
}

static void inspect_imports(const isthmus_module *m) {
  inspect_rows rows = {0};
  size_t n = isthmus_module_import_count(m);
  for (size_t i = 0; i < n; i++) {
    const char *mod, *name;
    size_t mod_len, name_len;
    isthmus_externtype t;
    isthmus_module_import(m, i, &mod, &mod_len, &name, &name_len, &t);
    cli_buf where = {0}, type = {0};
    inspect_quoted(&where, mod, mod_len);
    cli_buf_add(&where, ".", 1);
    inspect_quoted(&where, name, name_len);
    inspect_type_text(&type, &t);
    inspect_row(&rows, isthmus_externkind_name(t.kind), cli_buf_str(&where), cli_buf_str(&type));
    cli_buf_free(&where);
    cli_buf_free(&type);
  }
  inspect_print_rows("imports", &rows);
}

static void inspect_exports(const isthmus_module *m) {
  inspect_rows rows = {0};
  size_t n = isthmus_module_export_count(m);
  for (size_t i = 0; i < n; i++) {
    const char *name;
    size_t name_len;
    isthmus_externtype t;
    isthmus_module_export(m, i, &name, &name_len, &t);
    cli_buf where = {0}, type = {0};
    inspect_quoted(&where, name, name_len);
    inspect_type_text(&type, &t);
    inspect_row(&rows, isthmus_externkind_name(t.kind), cli_buf_str(&where), cli_buf_str(&type));
    cli_buf_free(&where);
    cli_buf_free(&type);
  }
  inspect_print_rows("exports", &rows);
}

/* Lists memories, tables or globals: imported ones first (they come first in the index
 * space), then the module's own. */
static void inspect_space(const isthmus_module *m, isthmus_externkind kind, const char *title) {
  inspect_rows rows = {0};
  size_t index = 0;
  size_t n = isthmus_module_import_count(m);
  for (size_t i = 0; i < n; i++) {
    const char *mod, *name;
    size_t mod_len, name_len;
    isthmus_externtype t;
    isthmus_module_import(m, i, &mod, &mod_len, &name, &name_len, &t);
    if (t.kind != kind) continue;
    cli_buf idx = {0}, type = {0}, from = {0};
    cli_buf_printf(&idx, "%zu", index++);
    inspect_type_text(&type, &t);
    cli_buf_printf(&from, "imported from ");
    inspect_quoted(&from, mod, mod_len);
    cli_buf_add(&from, ".", 1);
    inspect_quoted(&from, name, name_len);
    inspect_row(&rows, cli_buf_str(&idx), cli_buf_str(&type), cli_buf_str(&from));
    cli_buf_free(&idx);
    cli_buf_free(&type);
    cli_buf_free(&from);
  }
  size_t count = 0;
  switch (kind) {
  case ISTHMUS_EXTERN_MEMORY: count = isthmus_module_memory_count(m, NULL, 0); break;
  case ISTHMUS_EXTERN_TABLE: count = isthmus_module_table_count(m, NULL, 0); break;
  case ISTHMUS_EXTERN_GLOBAL: count = isthmus_module_global_count(m, NULL, 0); break;
  default: break;
  }
  isthmus_externtype *types = cli_xcalloc(count ? count : 1, sizeof *types);
  for (size_t i = 0; i < count; i++) types[i].kind = kind;
  if (count) {
    /* Each query fills an array of its own type; gather them into extern types. */
    if (kind == ISTHMUS_EXTERN_MEMORY) {
      isthmus_memtype *mt = cli_xcalloc(count, sizeof *mt);
      isthmus_module_memory_count(m, mt, count);
      for (size_t i = 0; i < count; i++) types[i].of.memory = mt[i];
      free(mt);
    } else if (kind == ISTHMUS_EXTERN_TABLE) {
      isthmus_tabletype *tt = cli_xcalloc(count, sizeof *tt);
      isthmus_module_table_count(m, tt, count);
      for (size_t i = 0; i < count; i++) types[i].of.table = tt[i];
      free(tt);
    } else {
      isthmus_globaltype *gt = cli_xcalloc(count, sizeof *gt);
      isthmus_module_global_count(m, gt, count);
      for (size_t i = 0; i < count; i++) types[i].of.global = gt[i];
      free(gt);
    }
  }
  for (size_t i = 0; i < count; i++) {
    cli_buf idx = {0}, type = {0};
    cli_buf_printf(&idx, "%zu", index++);
    inspect_type_text(&type, &types[i]);
    inspect_row(&rows, cli_buf_str(&idx), cli_buf_str(&type), "defined");
    cli_buf_free(&idx);
    cli_buf_free(&type);
  }
  free(types);
  inspect_print_rows(title, &rows);
}

static void inspect_customs(const isthmus_module *m) {
  inspect_rows rows = {0};
  size_t n = isthmus_module_custom_count(m);
  for (size_t i = 0; i < n; i++) {
    const char *name;
    size_t name_len, data_len;
    const uint8_t *data;
    isthmus_module_custom(m, i, &name, &name_len, &data, &data_len);
    cli_buf q = {0}, size = {0};
    inspect_quoted(&q, name, name_len);
    cli_buf_printf(&size, "%zu bytes", data_len);
    inspect_row(&rows, cli_buf_str(&q), cli_buf_str(&size), "");
    cli_buf_free(&q);
    cli_buf_free(&size);
  }
  inspect_print_rows("custom sections", &rows);
}

static void inspect_print(const char *path, size_t size, const isthmus_module *m) {
  bool has_start = inspect_exports_func(m, "_start");
  bool has_init = inspect_exports_func(m, "_initialize");
  const char *kind = has_start && has_init ? "command and reactor (exports _start and _initialize)"
                     : has_start           ? "command (exports _start)"
                     : has_init            ? "reactor (exports _initialize)"
                                           : "library (exports neither _start nor _initialize)";
  uint32_t funcs = isthmus_module_func_count(m);
  uint32_t imported = isthmus_module_func_import_count(m);
  printf("module:     %s (%zu bytes)\n", path, size);
  printf("kind:       %s\n", kind);
  printf("functions:  %u (%u imported, %u defined)\n", funcs, imported, funcs - imported);
  int64_t start = isthmus_module_start(m);
  if (start < 0) {
    printf("start:      none\n");
  } else {
    const char *name = isthmus_module_func_name(m, (uint32_t)start);
    cli_buf b = {0};
    if (name) {
      cli_buf_add(&b, " $", 2);
      cli_buf_name(&b, name, strlen(name));
    }
    printf("start:      func %lld%s\n", (long long)start, cli_buf_str(&b));
    cli_buf_free(&b);
  }
  putchar('\n');
  inspect_imports(m);
  putchar('\n');
  inspect_exports(m);
  putchar('\n');
  inspect_space(m, ISTHMUS_EXTERN_MEMORY, "memories");
  putchar('\n');
  inspect_space(m, ISTHMUS_EXTERN_TABLE, "tables");
  putchar('\n');
  inspect_space(m, ISTHMUS_EXTERN_GLOBAL, "globals");
  putchar('\n');
  inspect_customs(m);
}

int cli_inspect_main(int argc, char **argv) {
  const char *path = NULL;
  bool options_done = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!options_done && (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0)) {
      fputs(cli_inspect_usage, stdout);
      return CLI_EXIT_OK;
    }
    if (!options_done && strcmp(a, "--") == 0) {
      options_done = true;
      continue;
    }
    if (!options_done && a[0] == '-' && a[1]) {
      cli_errorf("inspect: unknown option '%s' (see 'isthmus inspect --help')", a);
      return CLI_EXIT_USAGE;
    }
    if (path) {
      cli_errorf("inspect: unexpected argument '%s': give exactly one FILE.wasm", a);
      return CLI_EXIT_USAGE;
    }
    path = a;
  }
  if (!path) {
    cli_errorf("inspect: missing FILE.wasm (see 'isthmus inspect --help')");
    return CLI_EXIT_USAGE;
  }
  size_t len;
  uint8_t *bytes = cli_read_file(path, &len);
  if (!bytes) return CLI_EXIT_FAIL;
  int status = CLI_EXIT_FAIL;
  isthmus_engine *engine = isthmus_engine_new(NULL);
  isthmus_module *m = NULL;
  if (!engine) {
    cli_errorf("out of memory");
    goto done;
  }
  isthmus_error *err = isthmus_module_new(engine, bytes, len, &m);
  if (err) {
    cli_print_error(path, err);
    isthmus_error_delete(err);
    goto done;
  }
  inspect_print(path, len, m);
  status = CLI_EXIT_OK;
done:
  if (m) isthmus_module_delete(m);
  if (engine) isthmus_engine_delete(engine);
  free(bytes);
  return status;
}
