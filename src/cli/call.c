/* call.c — `isthmus call`: instantiate a module, run one export, print its results. */
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "link.h"
#include "session.h"
#include "util.h"

const char cli_call_usage[] =
    "usage: isthmus call [--dir HOST[::GUEST]]... [--env NAME=VALUE]... [--invoke NAME]\n"
    "                    [--tier interp|aot|auto]\n"
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
    CLI_TIER_HELP
    "  -h, --help           show this help\n"
    "\n"
    "Exit status: 0 on success, 1 when the module cannot be loaded or instantiated,\n"
    "2 on usage errors (unknown function, wrong argument count or type), 134 when the\n"
    "function traps, or the guest's own code when it exits (WASI proc_exit).\n";

typedef struct call_opts {
  cli_wasi_opts wasi;
  const char *path;
  int tier; /* ISTHMUS_TIER_DEFAULT unless --tier */
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
      } else if ((took = cli_session_parse_opt(argc, argv, &i, "call", &o->name, &o->tier, &o->wasi)) != 0) {
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
int cli_call_main(int argc, char **argv) {
  call_opts o = {0};
  int status = call_parse_cmdline(argc, argv, &o);
  if (status >= 0) {
    cli_wasi_opts_free(&o.wasi);
    return status;
  }
  status = CLI_EXIT_FAIL;
  cli_session s = {.tier = o.tier, .trap_prefix = "error: "};
  isthmus_val *args = NULL;
  const isthmus_functype *ft = NULL;
  if (!cli_session_load(&s, "call", o.path)) goto done;

  /* Check the name and the arguments before running anything. */
  status = CLI_EXIT_USAGE;
  if (!cli_session_export_type(&s, o.name, true, &ft)) goto done;
  args = cli_xcalloc(ft->num_params + 1, sizeof *args);
  if (!cli_session_parse_args(&s, o.name, ft, o.args, o.num_args, args)) goto done;

  /* WASI only for modules that import it (Go c-shared libraries) or when asked with --dir. */
  status = cli_session_instantiate(&s, &o.wasi, NULL, 0, false);
  if (status != CLI_GO_ON) goto done;
  status = cli_session_invoke(&s, o.name, ft, args);

done:
  free(args);
  cli_session_close(&s);
  cli_wasi_opts_free(&o.wasi);
  return status;
}
