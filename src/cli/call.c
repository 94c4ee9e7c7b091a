/* call.c — `isthmus call`: instantiate a module, run one export, print its results. */
#include <signal.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "link.h"
#include "util.h"

const char cli_call_usage[] =
    "usage: isthmus call [--dir HOST[::GUEST]]... [--env NAME=VALUE]... [--invoke NAME]\n"
    "                    FILE.wasm [NAME] [ARGS...]\n"
    "\n"
    "Instantiates FILE.wasm, runs its export _initialize when it has one, then calls the\n"
    "exported function NAME with ARGS and prints each result on its own line. Imports from\n"
    "wasi_snapshot_preview1 are supplied by WASI (argv is FILE.wasm alone, stdio is the\n"
    "terminal's), so Go -buildmode=c-shared libraries work.\n"
    "\n"
    "Arguments are read by the function's parameter types:\n"
    "  i32, i64      decimal or 0x hex, optionally negative (-1, 0xffffffff, 4294967295)\n"
    "  f32, f64      decimal or hex float, inf, -inf, nan, nan:0xPAYLOAD\n"
    "  funcref, externref   null\n"
    "  v128          0x followed by up to 32 hex digits (a little-endian 128-bit integer)\n"
    "Results print i32/i64 as signed decimals and floats with enough digits to read back\n"
    "exactly. Everything after NAME is an argument, so negative numbers need no '--'.\n"
    "\n"
    "Options:\n"
    "  --invoke NAME        the function to call (otherwise the argument after FILE.wasm)\n"
    "  --dir HOST[::GUEST]  give the guest the host directory HOST, seen as GUEST (default:\n"
    "                       the same path); repeatable\n"
    "  --env NAME=VALUE     set a variable in the guest's environment (NAME alone: the\n"
    "                       host's value); repeatable\n"
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 on success, 1 when the module cannot be loaded or instantiated,\n"
    "2 on usage errors (unknown function, wrong argument count or type), 134 when the\n"
    "function traps, or the guest's own code when it exits (WASI proc_exit).\n";

typedef struct call_opts {
  cli_wasi_opts wasi;
  const char *path;
  const char *name;
  char **args;
  int num_args;
} call_opts;

/* Returns -1 on success, otherwise the exit status. */
static int call_parse_cmdline(int argc, char **argv, call_opts *o) {
  bool options_done = false;
  int i = 1, took;
  for (; i < argc && (!o->path || !o->name); i++) {
    const char *a = argv[i];
    if (!options_done && a[0] == '-' && a[1]) {
      if (strcmp(a, "--") == 0) {
        options_done = true;
      } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        fputs(cli_call_usage, stdout);
        return CLI_EXIT_OK;
      } else if (strcmp(a, "--invoke") == 0) {
        if (i + 1 >= argc) {
          cli_errorf("call: --invoke needs a function name");
          return CLI_EXIT_USAGE;
        }
        o->name = argv[++i];
      } else if (strncmp(a, "--invoke=", 9) == 0) {
        o->name = a + 9;
      } else if ((took = cli_wasi_parse_opt(&o->wasi, argc, argv, &i, "call")) != 0) {
        if (took < 0) return CLI_EXIT_USAGE;
      } else {
        cli_errorf("call: unknown option '%s' (see 'isthmus call --help')", a);
        return CLI_EXIT_USAGE;
      }
      continue;
    }
    if (!o->path) o->path = a;
    else o->name = a;
  }
  if (!o->path) {
    cli_errorf("call: missing FILE.wasm (see 'isthmus call --help')");
    return CLI_EXIT_USAGE;
  }
  if (!o->name) {
    cli_errorf("call: missing the name of the function to call");
    return CLI_EXIT_USAGE;
  }
  if (i < argc && strcmp(argv[i], "--") == 0) i++;
  o->args = argv + i;
  o->num_args = argc - i;
  return -1;
}

/* ---------------------------------------------------------------- values */

static bool cli_parse_v128(const char *s, uint8_t out[16], char *err, size_t errlen) {
  memset(out, 0, 16);
  if (strncmp(s, "0x", 2) != 0 || !s[2] || strlen(s + 2) > 32) {
    snprintf(err, errlen, "'%s' is not a v128 (0x and up to 32 hex digits)", s);
    return false;
  }
  size_t n = strlen(s + 2);
  for (size_t k = 0; k < n; k++) {
    char c = s[2 + n - 1 - k]; /* k-th nibble from the least significant end */
    int d = (c >= '0' && c <= '9') ? c - '0'
            : (c >= 'a' && c <= 'f') ? c - 'a' + 10
            : (c >= 'A' && c <= 'F') ? c - 'A' + 10
                                     : -1;
    if (d < 0) {
      snprintf(err, errlen, "'%s' is not a v128 (0x and up to 32 hex digits)", s);
      return false;
    }
    out[k / 2] |= (uint8_t)(d << (4 * (k % 2)));
  }
  return true;
}

bool cli_parse_value_arg(const char *s, isthmus_valtype t, isthmus_val *v, char *err, size_t errlen) {
  uint64_t bits;
  v->kind = t;
  switch (t) {
  case ISTHMUS_I32:
    if (!cli_parse_int_arg(s, 32, &bits, err, errlen)) return false;
    v->of.i32 = (int32_t)(uint32_t)bits;
    return true;
  case ISTHMUS_I64:
    if (!cli_parse_int_arg(s, 64, &bits, err, errlen)) return false;
    v->of.i64 = (int64_t)bits;
    return true;
  case ISTHMUS_F32:
    if (!cli_parse_float_arg(s, 32, &bits, err, errlen)) return false;
    v->of.f32_bits = (uint32_t)bits;
    return true;
  case ISTHMUS_F64:
    if (!cli_parse_float_arg(s, 64, &bits, err, errlen)) return false;
    v->of.f64_bits = bits;
    return true;
  case ISTHMUS_FUNCREF:
  case ISTHMUS_EXTERNREF:
    if (strcmp(s, "null") != 0) {
      snprintf(err, errlen, "'%s': only null can be given for a %s", s, isthmus_valtype_name(t));
      return false;
    }
    v->of.funcref = NULL;
    v->of.externref = NULL;
    return true;
  case ISTHMUS_V128:
    return cli_parse_v128(s, v->of.v128, err, errlen);
  default:
    snprintf(err, errlen, "parameters of type %s are not supported", isthmus_valtype_name(t));
    return false;
  }
}

void cli_print_value(const isthmus_val *v) {
  char buf[64];
  switch (v->kind) {
  case ISTHMUS_I32:
    printf("%d\n", (int)v->of.i32);
    break;
  case ISTHMUS_I64:
    printf("%lld\n", (long long)v->of.i64);
    break;
  case ISTHMUS_F32:
    cli_format_f32(v->of.f32_bits, buf, sizeof buf);
    puts(buf);
    break;
  case ISTHMUS_F64:
    cli_format_f64(v->of.f64_bits, buf, sizeof buf);
    puts(buf);
    break;
  case ISTHMUS_FUNCREF:
    puts(v->of.funcref ? "funcref" : "null");
    break;
  case ISTHMUS_EXTERNREF:
    if (v->of.externref) printf("externref %p\n", v->of.externref);
    else puts("null");
    break;
  case ISTHMUS_V128:
    fputs("0x", stdout);
    for (int k = 15; k >= 0; k--) printf("%02x", v->of.v128[k]);
    putchar('\n');
    break;
  default:
    printf("<value of type %s>\n", isthmus_valtype_name(v->kind));
    break;
  }
}

/* Reports a trap; returns the exit status. A guest exit (WASI proc_exit) is not an error. */
static int call_report_trap(isthmus_trap *trap) {
  int status = CLI_EXIT_TRAP;
  if (isthmus_trap_code_of(trap) == ISTHMUS_TRAP_EXIT) {
    status = isthmus_trap_exit_code(trap);
  } else {
    fflush(stdout);
    char *text = isthmus_trap_format(trap);
    const char *msg = text ? text : isthmus_trap_message(trap);
    size_t n = strlen(msg);
    fprintf(stderr, "error: %s%s", msg, n && msg[n - 1] == '\n' ? "" : "\n");
    free(text);
  }
  isthmus_trap_delete(trap);
  return status;
}

/* ---------------------------------------------------------------- imports */

/* The place where import providers join the linker: WASI registers a resolver here (with
 * cli_linker_add_resolver) so `call` can run modules that import wasi_snapshot_preview1, such
 * as Go c-shared libraries. Anything else a module imports is reported as missing. Returns
 * false after printing a message when WASI cannot be set up. */
static bool call_setup_linker(cli_linker *linker, isthmus_store *store, const isthmus_module *m,
                              const call_opts *o, cli_wasi **wasi) {
  *wasi = NULL;
  if (!cli_module_imports_wasi(m) && !o->wasi.num_dirs) return true;
  return cli_wasi_setup(linker, store, m, &o->wasi, o->path, NULL, 0, wasi);
}

/* ---------------------------------------------------------------- the command */

static bool call_find_export(const isthmus_module *m, const char *name, isthmus_externtype *type) {
  size_t n = isthmus_module_export_count(m), want = strlen(name);
  for (size_t i = 0; i < n; i++) {
    const char *en;
    size_t len;
    isthmus_module_export(m, i, &en, &len, type);
    if (len == want && memcmp(en, name, len) == 0) return true;
  }
  return false;
}

static void call_list_funcs(const isthmus_module *m) {
  size_t n = isthmus_module_export_count(m);
  cli_buf b = {0};
  for (size_t i = 0; i < n; i++) {
    const char *en;
    size_t len;
    isthmus_externtype t;
    isthmus_module_export(m, i, &en, &len, &t);
    if (t.kind != ISTHMUS_EXTERN_FUNC) continue;
    cli_buf_add(&b, "  ", 2);
    cli_buf_name(&b, en, len);
    cli_buf_add(&b, " ", 1);
    cli_buf_functype(&b, t.of.func);
    cli_buf_add(&b, "\n", 1);
  }
  if (b.len) fprintf(stderr, "exported functions:\n%s", cli_buf_str(&b));
  else fprintf(stderr, "the module exports no functions\n");
  cli_buf_free(&b);
}

int cli_call_main(int argc, char **argv) {
  call_opts o = {0};
  int status = call_parse_cmdline(argc, argv, &o);
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
  char msg[200];

  bytes = cli_read_file(o.path, &len);
  if (!bytes) goto done;
  engine = isthmus_engine_new(NULL);
  if (!engine) {
    cli_errorf("out of memory");
    goto done;
  }
  err = isthmus_module_new(engine, bytes, len, &m);
  if (err) {
    cli_print_error(o.path, err);
    goto done;
  }

  /* Check the name and the arguments before running anything. */
  isthmus_externtype et;
  if (!call_find_export(m, o.name, &et)) {
    cli_errorf("call: %s has no export named '%s'", o.path, o.name);
    call_list_funcs(m);
    status = CLI_EXIT_USAGE;
    goto done;
  }
  if (et.kind != ISTHMUS_EXTERN_FUNC) {
    cli_errorf("call: export '%s' is a %s, not a function", o.name, isthmus_externkind_name(et.kind));
    status = CLI_EXIT_USAGE;
    goto done;
  }
  const isthmus_functype *ft = et.of.func;
  if ((uint32_t)o.num_args != ft->num_params) {
    cli_buf t = {0};
    cli_buf_functype(&t, ft);
    cli_errorf("call: '%s' takes %u argument%s, got %d (type %s)", o.name, ft->num_params,
               ft->num_params == 1 ? "" : "s", o.num_args, cli_buf_str(&t));
    cli_buf_free(&t);
    status = CLI_EXIT_USAGE;
    goto done;
  }
  args = cli_xcalloc(ft->num_params + 1, sizeof *args);
  results = cli_xcalloc(ft->num_results + 1, sizeof *results);
  for (uint32_t i = 0; i < ft->num_params; i++) {
    if (!cli_parse_value_arg(o.args[i], ft->params[i], &args[i], msg, sizeof msg)) {
      cli_errorf("call: argument %u of '%s' (%s): %s", i + 1, o.name,
                 isthmus_valtype_name(ft->params[i]), msg);
      status = CLI_EXIT_USAGE;
      goto done;
    }
  }

  /* Imports. */
  store = isthmus_store_new(engine);
  if (!store) {
    cli_errorf("out of memory");
    goto done;
  }
  linker = cli_linker_new();
  if (!call_setup_linker(linker, store, m, &o, &wasi)) goto done;
  signal(SIGPIPE, SIG_IGN); /* a closed stdout is EPIPE for the guest, as in `run` */
  size_t num_imports = isthmus_module_import_count(m);
  imports = cli_xcalloc(num_imports + 1, sizeof *imports);
  cli_buf missing = {0};
  size_t num_missing = cli_linker_resolve(linker, store, m, imports, &missing);
  if (num_missing) {
    if (missing.len && missing.data[missing.len - 1] == '\n') missing.data[--missing.len] = '\0';
    cli_errorf("%s: cannot instantiate: %zu unresolved import%s:\n%s", o.path, num_missing,
               num_missing == 1 ? "" : "s", cli_buf_str(&missing));
    cli_buf_free(&missing);
    goto done;
  }
  cli_buf_free(&missing);

  isthmus_instance *inst = NULL;
  err = isthmus_instantiate(store, m, imports, num_imports, &inst, &trap);
  if (err) {
    cli_print_error(o.path, err);
    goto done;
  }
  if (trap) {
    status = call_report_trap(trap);
    trap = NULL;
    goto done;
  }

  isthmus_extern ex;
  if (strcmp(o.name, "_initialize") != 0 && isthmus_instance_export(inst, "_initialize", 11, &ex) &&
      ex.kind == ISTHMUS_EXTERN_FUNC) {
    trap = isthmus_func_call(store, ex.of.func, NULL, 0, NULL, 0, &err);
    if (err) {
      cli_errorf("%s: _initialize: %s", o.path, isthmus_error_message(err));
      goto done;
    }
    if (trap) {
      status = call_report_trap(trap);
      trap = NULL;
      if (status == 0) status = CLI_EXIT_FAIL; /* exit(0) from _initialize: nothing to call */
      goto done;
    }
  }

  if (!isthmus_instance_export(inst, o.name, strlen(o.name), &ex) || ex.kind != ISTHMUS_EXTERN_FUNC) {
    cli_errorf("call: instance has no function export '%s'", o.name);
    goto done;
  }
  trap = isthmus_func_call(store, ex.of.func, args, ft->num_params, results, ft->num_results, &err);
  if (err) {
    cli_errorf("call: %s: %s", o.name, isthmus_error_message(err));
    goto done;
  }
  if (trap) {
    status = call_report_trap(trap);
    trap = NULL;
    goto done;
  }
  for (uint32_t i = 0; i < ft->num_results; i++) cli_print_value(&results[i]);
  fflush(stdout);
  status = CLI_EXIT_OK;

done:
  if (err) isthmus_error_delete(err);
  if (trap) isthmus_trap_delete(trap);
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
