/* spectest.c — `isthmus spectest`: runs the JSON scripts that wabt's wast2json writes.
 *
 * Each script runs in a fresh store with the `spectest` host module defined. Commands:
 * module, register, action, assert_return, assert_trap, assert_exhaustion, assert_invalid,
 * assert_malformed, assert_unlinkable, assert_uninstantiable. Text modules (module_type
 * "text") and anything using v128 are skipped and counted as such. Assertions and actions
 * count as passed or failed; module and register commands count only when they fail. */
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "cli.h"
#include "json.h"
#include "spectest.h"

const char cli_spectest_usage[] =
    "usage: isthmus spectest [-v] FILE.json...\n"
    "\n"
    "Runs WebAssembly spec-test scripts converted to JSON by wabt's wast2json\n"
    "(wast2json foo.wast -o foo.json). Module files are looked up next to the JSON file.\n"
    "Prints one line per failure as FILE:LINE: COMMAND: expected ..., got ... and ends\n"
    "with 'N passed, M failed, K skipped'. Text modules and v128 values are skipped.\n"
    "\n"
    "Options:\n"
    "  -v, --verbose   also report assertions that passed with another message than the\n"
    "                  expected one (trap text, validation reason), why commands were\n"
    "                  skipped, and a summary per file when several are given\n"
    "  -h, --help      show this help\n"
    "\n"
    "Exit status: 0 when nothing failed, 1 when something failed, 2 on usage errors.\n";

/* ---------------------------------------------------------------- state */

typedef enum st_mod_state {
  ST_MOD_NONE,    /* no module yet */
  ST_MOD_OK,      /* instantiated */
  ST_MOD_FAILED,  /* its module command failed */
  ST_MOD_SKIPPED, /* a text module */
} st_mod_state;

typedef struct st_slot {
  st_mod_state state;
  isthmus_instance *inst;
  long line; /* where it was defined */
} st_slot;

typedef struct st_named {
  char *name;
  size_t name_len;
  st_slot slot;
} st_named;

typedef struct st_totals {
  size_t passed, failed, skipped;
} st_totals;

typedef struct st_runner {
  bool verbose;
  isthmus_engine *engine;
  /* Per script: */
  const char *source; /* for messages: the .wast name from the JSON, or the JSON path */
  char *dir;          /* folder of the JSON file, with a trailing '/' or empty */
  isthmus_store *store;
  cli_linker *linker;
  st_slot current;
  st_named *named;
  size_t num_named, cap_named;
  st_totals t;
  /* Per command: */
  long line;
  const char *cmd;
} st_runner;

static void st_report(st_runner *r, const char *fmt, va_list ap) {
  fflush(stdout);
  printf("%s:%ld: %s: ", r->source, r->line, r->cmd);
  vprintf(fmt, ap);
  putchar('\n');
}

/* Counts a failure and prints "FILE:LINE: COMMAND: message". */
static void st_fail(st_runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void st_fail(st_runner *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  st_report(r, fmt, ap);
  va_end(ap);
  r->t.failed++;
}

/* Prints a note for a passing command when -v is on. */
static void st_note(st_runner *r, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void st_note(st_runner *r, const char *fmt, ...) {
  if (!r->verbose) return;
  va_list ap;
  va_start(ap, fmt);
  st_report(r, fmt, ap);
  va_end(ap);
}

static void st_pass(st_runner *r) { r->t.passed++; }
/* Counts a skipped command; -v says why. */
static void st_skip(st_runner *r, const char *why) {
  r->t.skipped++;
  st_note(r, "skipped: %s", why);
}

/* A quoted, escaped copy of a name for messages. The caller frees it. */
static char *st_quote(const char *s, size_t n) {
  cli_buf b = {0};
  cli_buf_add(&b, "\"", 1);
  cli_buf_name(&b, s, n);
  cli_buf_add(&b, "\"", 1);
  return b.data;
}

/* True when one message is a prefix of the other (engines may add or leave out detail). */
static bool st_message_matches(const char *got, const char *want) {
  size_t a = strlen(got), b = strlen(want);
  return strncmp(got, want, a < b ? a : b) == 0;
}

/* ---------------------------------------------------------------- values */

typedef enum st_match {
  ST_EXACT,        /* bits (or ref) must be equal */
  ST_NAN_CANON,    /* nan:canonical */
  ST_NAN_ARITH,    /* nan:arithmetic */
  ST_ANY_NONNULL,  /* a reference without a value: any non-null */
} st_match;

typedef struct st_expect {
  isthmus_valtype type;
  st_match match;
  uint64_t bits; /* numbers; for refs: 0 is null, else the ref value N + 1 */
} st_expect;

typedef enum st_status {
  ST_OK,
  ST_SKIPPED, /* uses something the runner does not support yet (v128) */
  ST_BAD,     /* the JSON is not what wast2json writes */
} st_status;

static bool st_valtype_from(const char *s, isthmus_valtype *out) {
  static const struct {
    const char *name;
    isthmus_valtype t;
  } map[] = {{"i32", ISTHMUS_I32},         {"i64", ISTHMUS_I64},        {"f32", ISTHMUS_F32},
             {"f64", ISTHMUS_F64},         {"v128", ISTHMUS_V128},      {"funcref", ISTHMUS_FUNCREF},
             {"externref", ISTHMUS_EXTERNREF}};
  for (size_t i = 0; i < sizeof map / sizeof map[0]; i++)
    if (strcmp(s, map[i].name) == 0) {
      *out = map[i].t;
      return true;
    }
  return false;
}

/* Reads {"type": T, "value": V}. `expected` allows nan patterns and value-less refs. */
static st_status st_read_value(const json_value *j, bool expected, st_expect *out, cli_buf *why) {
  const char *type = json_get_str(j, "type", NULL);
  if (!type || !st_valtype_from(type, &out->type)) {
    cli_buf_printf(why, "bad value type '%s'", type ? type : "(none)");
    return ST_BAD;
  }
  if (out->type == ISTHMUS_V128) {
    cli_buf_printf(why, "v128 values are not supported yet");
    return ST_SKIPPED;
  }
  out->match = ST_EXACT;
  out->bits = 0;
  const char *v = json_get_str(j, "value", NULL);
  bool is_ref = out->type == ISTHMUS_FUNCREF || out->type == ISTHMUS_EXTERNREF;
  if (!v) {
    if (expected && is_ref) {
      out->match = ST_ANY_NONNULL;
      return ST_OK;
    }
    cli_buf_printf(why, "%s value without a \"value\"", type);
    return ST_BAD;
  }
  if (is_ref) {
    if (strcmp(v, "null") == 0) return ST_OK;
    uint64_t n;
    if (!cli_parse_u64(v, &n) || n >= UINT64_MAX - 1) {
      cli_buf_printf(why, "bad %s value '%s'", type, v);
      return ST_BAD;
    }
    if (out->type == ISTHMUS_FUNCREF) {
      /* A function reference cannot be made from a number: as an expected value it means
       * "some function"; as an argument it cannot be passed. */
      if (expected) {
        out->match = ST_ANY_NONNULL;
        return ST_OK;
      }
      cli_buf_printf(why, "funcref arguments other than null are not supported");
      return ST_SKIPPED;
    }
    out->bits = n + 1;
    return ST_OK;
  }
  if (expected && strcmp(v, "nan:canonical") == 0) {
    if (out->type != ISTHMUS_F32 && out->type != ISTHMUS_F64) goto bad;
    out->match = ST_NAN_CANON;
    return ST_OK;
  }
  if (expected && strcmp(v, "nan:arithmetic") == 0) {
    if (out->type != ISTHMUS_F32 && out->type != ISTHMUS_F64) goto bad;
    out->match = ST_NAN_ARITH;
    return ST_OK;
  }
  if (!cli_parse_u64(v, &out->bits)) goto bad;
  if ((out->type == ISTHMUS_I32 || out->type == ISTHMUS_F32) && out->bits > UINT32_MAX) goto bad;
  return ST_OK;
bad:
  cli_buf_printf(why, "bad %s value '%s'", type, v);
  return ST_BAD;
}

static isthmus_val st_to_val(const st_expect *e) {
  isthmus_val v;
  memset(&v, 0, sizeof v);
  v.kind = e->type;
  switch (e->type) {
  case ISTHMUS_I32: v.of.i32 = (int32_t)(uint32_t)e->bits; break;
  case ISTHMUS_I64: v.of.i64 = (int64_t)e->bits; break;
  case ISTHMUS_F32: v.of.f32_bits = (uint32_t)e->bits; break;
  case ISTHMUS_F64: v.of.f64_bits = e->bits; break;
  case ISTHMUS_EXTERNREF: v.of.externref = (void *)(uintptr_t)e->bits; break;
  default: break; /* funcref: only null gets here */
  }
  return v;
}

/* Appends a value the way a script would write it: "(i32.const -1)". */
static void st_buf_val(cli_buf *b, isthmus_valtype type, const isthmus_val *v) {
  char num[64];
  switch (type) {
  case ISTHMUS_I32:
    cli_buf_printf(b, "(i32.const %d)", (int)v->of.i32);
    break;
  case ISTHMUS_I64:
    cli_buf_printf(b, "(i64.const %lld)", (long long)v->of.i64);
    break;
  case ISTHMUS_F32:
    cli_format_f32(v->of.f32_bits, num, sizeof num);
    cli_buf_printf(b, "(f32.const %s)", num);
    break;
  case ISTHMUS_F64:
    cli_format_f64(v->of.f64_bits, num, sizeof num);
    cli_buf_printf(b, "(f64.const %s)", num);
    break;
  case ISTHMUS_FUNCREF:
    cli_buf_printf(b, v->of.funcref ? "(ref.func)" : "(ref.null func)");
    break;
  case ISTHMUS_EXTERNREF:
    if (!v->of.externref) cli_buf_printf(b, "(ref.null extern)");
    else cli_buf_printf(b, "(ref.extern %llu)", (unsigned long long)((uintptr_t)v->of.externref - 1));
    break;
  default:
    cli_buf_printf(b, "(%s)", isthmus_valtype_name(type));
    break;
  }
}

static void st_buf_expect(cli_buf *b, const st_expect *e) {
  const char *tn = isthmus_valtype_name(e->type);
  if (e->match == ST_NAN_CANON) cli_buf_printf(b, "(%s.const nan:canonical)", tn);
  else if (e->match == ST_NAN_ARITH) cli_buf_printf(b, "(%s.const nan:arithmetic)", tn);
  else if (e->match == ST_ANY_NONNULL) cli_buf_printf(b, e->type == ISTHMUS_FUNCREF ? "(ref.func)" : "(ref.extern)");
  else {
    isthmus_val v = st_to_val(e);
    if (e->type == ISTHMUS_FUNCREF) cli_buf_printf(b, "(ref.null func)");
    else st_buf_val(b, e->type, &v);
  }
}

static bool st_value_matches(const st_expect *e, isthmus_valtype type, const isthmus_val *v) {
  if (e->type != type) return false;
  switch (type) {
  case ISTHMUS_I32:
  case ISTHMUS_F32: {
    uint32_t b = type == ISTHMUS_I32 ? (uint32_t)v->of.i32 : v->of.f32_bits;
    if (e->match == ST_NAN_CANON) return (b & 0x7fffffffu) == 0x7fc00000u;
    if (e->match == ST_NAN_ARITH) return (b & 0x7fc00000u) == 0x7fc00000u;
    return b == (uint32_t)e->bits;
  }
  case ISTHMUS_I64:
  case ISTHMUS_F64: {
    uint64_t b = type == ISTHMUS_I64 ? (uint64_t)v->of.i64 : v->of.f64_bits;
    if (e->match == ST_NAN_CANON) return (b & UINT64_C(0x7fffffffffffffff)) == UINT64_C(0x7ff8000000000000);
    if (e->match == ST_NAN_ARITH) return (b & UINT64_C(0x7ff8000000000000)) == UINT64_C(0x7ff8000000000000);
    return b == e->bits;
  }
  case ISTHMUS_FUNCREF:
    return e->match == ST_ANY_NONNULL ? v->of.funcref != NULL : v->of.funcref == NULL;
  case ISTHMUS_EXTERNREF:
    if (e->match == ST_ANY_NONNULL) return v->of.externref != NULL;
    return (uintptr_t)v->of.externref == (uintptr_t)e->bits;
  default:
    return false;
  }
}

/* ---------------------------------------------------------------- modules */

static st_named *st_find_named(st_runner *r, const char *name, size_t len) {
  for (size_t i = r->num_named; i-- > 0;)
    if (r->named[i].name_len == len && memcmp(r->named[i].name, name, len) == 0) return &r->named[i];
  return NULL;
}

static void st_set_named(st_runner *r, const char *name, size_t len, st_slot slot) {
  st_named *n = st_find_named(r, name, len);
  if (!n) {
    if (r->num_named == r->cap_named) {
      r->cap_named = r->cap_named ? r->cap_named * 2 : 8;
      r->named = cli_xrealloc(r->named, r->cap_named * sizeof *r->named);
    }
    n = &r->named[r->num_named++];
    n->name = cli_xstrndup(name, len);
    n->name_len = len;
  }
  n->slot = slot;
}

/* The module a command refers to by its "module"/"name" key, or the current one. Returns
 * NULL and sets *state when it is unusable. */
static isthmus_instance *st_pick(st_runner *r, const json_value *cmd, const char *key, st_mod_state *state,
                                 cli_buf *why) {
  size_t len;
  const char *name = json_get_str(cmd, key, &len);
  const st_slot *slot = &r->current;
  if (name) {
    const st_named *n = st_find_named(r, name, len);
    if (!n) {
      *state = ST_MOD_NONE;
      cli_buf_printf(why, "no module named %s", name);
      return NULL;
    }
    slot = &n->slot;
  }
  *state = slot->state;
  switch (slot->state) {
  case ST_MOD_OK: return slot->inst;
  case ST_MOD_NONE: cli_buf_printf(why, "no module defined before this command"); break;
  case ST_MOD_FAILED: cli_buf_printf(why, "the module command of line %ld failed", slot->line); break;
  case ST_MOD_SKIPPED: cli_buf_printf(why, "the module of line %ld was skipped", slot->line); break;
  }
  return NULL;
}

static bool st_is_text(const json_value *cmd) {
  const char *mt = json_get_str(cmd, "module_type", NULL);
  if (mt) return strcmp(mt, "binary") != 0;
  size_t len;
  const char *f = json_get_str(cmd, "filename", &len);
  return f && len >= 4 && strcmp(f + len - 4, ".wat") == 0;
}

/* Reads the command's module file and decodes/validates it. Returns NULL with the engine
 * error in *err (or an I/O message in why). */
static isthmus_module *st_load(st_runner *r, const json_value *cmd, isthmus_error **err, cli_buf *why) {
  *err = NULL;
  size_t flen;
  const char *file = json_get_str(cmd, "filename", &flen);
  if (!file || strlen(file) != flen) {
    cli_buf_printf(why, "command without a \"filename\"");
    return NULL;
  }
  cli_buf path = {0};
  if (file[0] != '/') cli_buf_printf(&path, "%s", r->dir);
  cli_buf_printf(&path, "%s", file);
  size_t len;
  uint8_t *bytes = cli_read_file(cli_buf_str(&path), &len);
  if (!bytes) {
    cli_buf_printf(why, "cannot read %s", cli_buf_str(&path));
    cli_buf_free(&path);
    return NULL;
  }
  cli_buf_free(&path);
  isthmus_module *m = NULL;
  *err = isthmus_module_new(r->engine, bytes, len, &m);
  free(bytes);
  return m;
}

static void st_buf_error(cli_buf *b, const isthmus_error *e) {
  static const char *kinds[] = {"?", "malformed", "invalid", "link error", "usage error", "resource error"};
  int k = (int)isthmus_error_kind_of(e);
  cli_buf_printf(b, "%s \"%s\"", k >= 1 && k <= 5 ? kinds[k] : "error", isthmus_error_message(e));
  int64_t off = isthmus_error_offset(e);
  if (off >= 0) cli_buf_printf(b, " at offset 0x%llx", (unsigned long long)off);
}

typedef enum st_inst_result {
  ST_INST_OK,
  ST_INST_UNKNOWN_IMPORT, /* why holds the list */
  ST_INST_ERROR,          /* *err set */
  ST_INST_TRAP,           /* *trap set */
} st_inst_result;

static st_inst_result st_instantiate(st_runner *r, isthmus_module *m, isthmus_instance **out,
                                     isthmus_error **err, isthmus_trap **trap, cli_buf *why) {
  *out = NULL;
  *err = NULL;
  *trap = NULL;
  size_t n = isthmus_module_import_count(m);
  isthmus_extern *imports = cli_xcalloc(n + 1, sizeof *imports);
  cli_buf missing = {0};
  size_t num_missing = cli_linker_resolve(r->linker, r->store, m, imports, &missing);
  if (num_missing) {
    /* One line is enough for a message: drop the indent and the newlines. */
    cli_buf_printf(why, "unknown import");
    for (char *p = strtok(missing.data, "\n"); p; p = strtok(NULL, "\n"))
      cli_buf_printf(why, " %s", p + 2);
    cli_buf_free(&missing);
    free(imports);
    return ST_INST_UNKNOWN_IMPORT;
  }
  cli_buf_free(&missing);
  *err = isthmus_instantiate(r->store, m, imports, n, out, trap);
  free(imports);
  if (*err) return ST_INST_ERROR;
  if (*trap) return ST_INST_TRAP;
  return ST_INST_OK;
}

/* ---------------------------------------------------------------- actions */

typedef enum st_act {
  ST_ACT_OK,
  ST_ACT_TRAP,  /* *trap set */
  ST_ACT_FAIL,  /* could not run: why */
  ST_ACT_SKIP,  /* unsupported: why */
} st_act;

typedef struct st_outcome {
  isthmus_val *results;
  const isthmus_valtype *types;
  uint32_t count;
  isthmus_valtype single; /* backing store for a global's type */
  isthmus_trap *trap;
} st_outcome;

static void st_outcome_free(st_outcome *o) {
  free(o->results);
  if (o->trap) isthmus_trap_delete(o->trap);
  memset(o, 0, sizeof *o);
}

static st_act st_action(st_runner *r, const json_value *cmd, st_outcome *o, cli_buf *why) {
  memset(o, 0, sizeof *o);
  const json_value *act = json_get(cmd, "action");
  const char *type = json_get_str(act, "type", NULL);
  size_t field_len;
  const char *field = json_get_str(act, "field", &field_len);
  if (!type || !field) {
    cli_buf_printf(why, "command without a proper \"action\"");
    return ST_ACT_FAIL;
  }
  st_mod_state state;
  isthmus_instance *inst = st_pick(r, act, "module", &state, why);
  if (!inst) return state == ST_MOD_SKIPPED ? ST_ACT_SKIP : ST_ACT_FAIL;
  isthmus_extern ex;
  char *q = st_quote(field, field_len);
  bool found = isthmus_instance_export(inst, field, field_len, &ex);
  if (!found) {
    cli_buf_printf(why, "no export %s", q);
    free(q);
    return ST_ACT_FAIL;
  }

  if (strcmp(type, "get") == 0) {
    if (ex.kind != ISTHMUS_EXTERN_GLOBAL) {
      cli_buf_printf(why, "export %s is a %s, not a global", q, isthmus_externkind_name(ex.kind));
      free(q);
      return ST_ACT_FAIL;
    }
    free(q);
    o->single = isthmus_global_type(ex.of.global).type;
    if (o->single == ISTHMUS_V128) {
      cli_buf_printf(why, "v128 values are not supported yet");
      return ST_ACT_SKIP;
    }
    o->types = &o->single;
    o->count = 1;
    o->results = cli_xcalloc(1, sizeof *o->results);
    o->results[0] = isthmus_global_get(ex.of.global);
    return ST_ACT_OK;
  }
  if (strcmp(type, "invoke") != 0) {
    cli_buf_printf(why, "unknown action type '%s'", type);
    free(q);
    return ST_ACT_FAIL;
  }
  if (ex.kind != ISTHMUS_EXTERN_FUNC) {
    cli_buf_printf(why, "export %s is a %s, not a function", q, isthmus_externkind_name(ex.kind));
    free(q);
    return ST_ACT_FAIL;
  }
  free(q);

  const isthmus_functype *ft = isthmus_func_type(ex.of.func);
  for (uint32_t i = 0; i < ft->num_params + ft->num_results; i++) {
    isthmus_valtype t = i < ft->num_params ? ft->params[i] : ft->results[i - ft->num_params];
    if (t == ISTHMUS_V128) {
      cli_buf_printf(why, "v128 values are not supported yet");
      return ST_ACT_SKIP;
    }
  }
  const json_value *args = json_get_array(act, "args");
  size_t nargs = args ? args->u.array.count : 0;
  isthmus_val *vals = cli_xcalloc(nargs + 1, sizeof *vals);
  for (size_t i = 0; i < nargs; i++) {
    st_expect e;
    st_status s = st_read_value(&args->u.array.items[i], false, &e, why);
    if (s != ST_OK) {
      free(vals);
      return s == ST_SKIPPED ? ST_ACT_SKIP : ST_ACT_FAIL;
    }
    vals[i] = st_to_val(&e);
  }
  o->types = ft->results;
  o->count = ft->num_results;
  o->results = cli_xcalloc(ft->num_results + 1, sizeof *o->results);
  isthmus_error *err = NULL;
  /* test hook: ISTHMUS_TIERUP_SYNC=1 with the AUTO tier waits for every background compile
   * before each call, so scripts switch tiers mid-way at the same points on every run */
  static int sync = -1;
  if (sync < 0) sync = getenv("ISTHMUS_TIERUP_SYNC") && *getenv("ISTHMUS_TIERUP_SYNC") == '1';
  if (sync) isthmus_store_wait_compiled(r->store, -1);
  o->trap = isthmus_func_call(r->store, ex.of.func, vals, nargs, o->results, o->count, &err);
  free(vals);
  if (err) {
    cli_buf_printf(why, "call failed: ");
    st_buf_error(why, err);
    isthmus_error_delete(err);
    return ST_ACT_FAIL;
  }
  return o->trap ? ST_ACT_TRAP : ST_ACT_OK;
}

static void st_buf_results(cli_buf *b, const st_outcome *o) {
  if (o->count == 0) cli_buf_printf(b, "no results");
  for (uint32_t i = 0; i < o->count; i++) {
    if (i) cli_buf_add(b, " ", 1);
    st_buf_val(b, o->types[i], &o->results[i]);
  }
}

/* Runs the command's action for a command that wants it to succeed. Returns true with the
 * outcome when it did; otherwise has counted the failure or skip. */
static bool st_action_must_run(st_runner *r, const json_value *cmd, st_outcome *o) {
  cli_buf why = {0};
  st_act a = st_action(r, cmd, o, &why);
  switch (a) {
  case ST_ACT_OK:
    break;
  case ST_ACT_SKIP:
    st_skip(r, cli_buf_str(&why));
    break;
  case ST_ACT_FAIL:
    st_fail(r, "%s", cli_buf_str(&why));
    break;
  case ST_ACT_TRAP:
    st_fail(r, "expected success, got trap \"%s\"", isthmus_trap_message(o->trap));
    break;
  }
  cli_buf_free(&why);
  if (a != ST_ACT_OK) st_outcome_free(o);
  return a == ST_ACT_OK;
}

/* ---------------------------------------------------------------- commands */

static void st_cmd_module(st_runner *r, const json_value *cmd) {
  size_t name_len = 0;
  const char *name = json_get_str(cmd, "name", &name_len);
  st_slot slot = {ST_MOD_FAILED, NULL, r->line};
  cli_buf why = {0};
  isthmus_error *err = NULL;
  isthmus_trap *trap = NULL;
  isthmus_module *m = NULL;
  if (st_is_text(cmd)) {
    slot.state = ST_MOD_SKIPPED;
    st_skip(r, "text module");
    goto done;
  }
  m = st_load(r, cmd, &err, &why);
  if (!m) {
    if (err) st_buf_error(&why, err);
    st_fail(r, "expected module to load, got %s", cli_buf_str(&why));
    goto done;
  }
  isthmus_instance *inst;
  switch (st_instantiate(r, m, &inst, &err, &trap, &why)) {
  case ST_INST_OK:
    slot.state = ST_MOD_OK;
    slot.inst = inst;
    break;
  case ST_INST_UNKNOWN_IMPORT:
    st_fail(r, "expected module to instantiate, got %s", cli_buf_str(&why));
    break;
  case ST_INST_ERROR:
    st_buf_error(&why, err);
    st_fail(r, "expected module to instantiate, got %s", cli_buf_str(&why));
    break;
  case ST_INST_TRAP:
    st_fail(r, "expected module to instantiate, got trap \"%s\"", isthmus_trap_message(trap));
    break;
  }
done:
  r->current = slot;
  if (name) st_set_named(r, name, name_len, slot);
  if (m) isthmus_module_delete(m);
  if (err) isthmus_error_delete(err);
  if (trap) isthmus_trap_delete(trap);
  cli_buf_free(&why);
}

static void st_cmd_register(st_runner *r, const json_value *cmd) {
  size_t as_len;
  const char *as = json_get_str(cmd, "as", &as_len);
  if (!as) {
    st_fail(r, "register without \"as\"");
    return;
  }
  cli_buf why = {0};
  st_mod_state state;
  isthmus_instance *inst = st_pick(r, cmd, "name", &state, &why);
  if (inst) cli_linker_define_instance(r->linker, as, as_len, inst);
  else if (state == ST_MOD_SKIPPED) st_skip(r, cli_buf_str(&why));
  else st_fail(r, "cannot register: %s", cli_buf_str(&why));
  cli_buf_free(&why);
}

static void st_cmd_action(st_runner *r, const json_value *cmd) {
  st_outcome o;
  if (st_action_must_run(r, cmd, &o)) {
    st_pass(r);
    st_outcome_free(&o);
  }
}

static void st_cmd_assert_return(st_runner *r, const json_value *cmd) {
  const json_value *exp = json_get_array(cmd, "expected");
  const json_value *either = json_get_array(cmd, "either");
  const json_value *list = either ? either : exp;
  size_t n = list ? list->u.array.count : 0;
  st_expect *want = cli_xcalloc(n + 1, sizeof *want);
  cli_buf why = {0};
  if (!list) {
    st_fail(r, "no \"expected\" results in the command");
    goto done;
  }
  for (size_t i = 0; i < n; i++) {
    st_status s = st_read_value(&list->u.array.items[i], true, &want[i], &why);
    if (s == ST_SKIPPED) {
      st_skip(r, cli_buf_str(&why));
      goto done;
    }
    if (s == ST_BAD) {
      st_fail(r, "%s", cli_buf_str(&why));
      goto done;
    }
  }
  st_outcome o;
  if (!st_action_must_run(r, cmd, &o)) goto done;
  bool ok;
  if (either) {
    ok = false;
    for (size_t i = 0; i < n && !ok; i++)
      ok = o.count == 1 && st_value_matches(&want[i], o.types[0], &o.results[0]);
  } else {
    ok = o.count == n;
    for (size_t i = 0; i < n && ok; i++) ok = st_value_matches(&want[i], o.types[i], &o.results[i]);
  }
  if (ok) {
    st_pass(r);
  } else {
    cli_buf w = {0}, g = {0};
    if (either) cli_buf_printf(&w, "either ");
    if (n == 0) cli_buf_printf(&w, "no results");
    for (size_t i = 0; i < n; i++) {
      if (i) cli_buf_printf(&w, either ? " or " : " ");
      st_buf_expect(&w, &want[i]);
    }
    st_buf_results(&g, &o);
    st_fail(r, "expected %s, got %s", cli_buf_str(&w), cli_buf_str(&g));
    cli_buf_free(&w);
    cli_buf_free(&g);
  }
  st_outcome_free(&o);
done:
  free(want);
  cli_buf_free(&why);
}

static void st_cmd_refused(st_runner *r, const json_value *cmd, bool link);

static void st_cmd_assert_trap(st_runner *r, const json_value *cmd, bool exhaustion) {
  if (!json_get(cmd, "action")) {
    st_cmd_refused(r, cmd, false); /* assert_trap on a module */
    return;
  }
  const char *text = json_get_str(cmd, "text", NULL);
  if (!text) text = "";
  st_outcome o;
  cli_buf why = {0};
  switch (st_action(r, cmd, &o, &why)) {
  case ST_ACT_SKIP:
    st_skip(r, cli_buf_str(&why));
    break;
  case ST_ACT_FAIL:
    st_fail(r, "%s", cli_buf_str(&why));
    break;
  case ST_ACT_OK: {
    cli_buf g = {0};
    st_buf_results(&g, &o);
    st_fail(r, "expected trap \"%s\", got %s", text, cli_buf_str(&g));
    cli_buf_free(&g);
    break;
  }
  case ST_ACT_TRAP: {
    const char *msg = isthmus_trap_message(o.trap);
    if (exhaustion && isthmus_trap_code_of(o.trap) != ISTHMUS_TRAP_STACK_EXHAUSTED) {
      st_fail(r, "expected stack exhaustion \"%s\", got trap \"%s\"", text, msg);
      break;
    }
    /* Trap messages are the spec's fixed texts, so they must match (as a prefix). */
    if (!st_message_matches(msg, text)) {
      st_fail(r, "expected trap \"%s\", got trap \"%s\"", text, msg);
      break;
    }
    st_pass(r);
    break;
  }
  }
  st_outcome_free(&o);
  cli_buf_free(&why);
}

static void st_cmd_bad_module(st_runner *r, const json_value *cmd, isthmus_error_kind kind) {
  if (st_is_text(cmd)) {
    st_skip(r, "text module");
    return;
  }
  const char *text = json_get_str(cmd, "text", NULL);
  if (!text) text = "";
  isthmus_error *err = NULL;
  cli_buf why = {0};
  isthmus_module *m = st_load(r, cmd, &err, &why);
  if (m) {
    st_fail(r, "expected %s module \"%s\", got a module that loads",
            kind == ISTHMUS_ERR_MALFORMED ? "malformed" : "invalid", text);
    isthmus_module_delete(m);
  } else if (!err) {
    st_fail(r, "%s", cli_buf_str(&why));
  } else {
    st_pass(r);
    const char *msg = isthmus_error_message(err);
    if (isthmus_error_kind_of(err) != kind || !st_message_matches(msg, text)) {
      cli_buf g = {0};
      st_buf_error(&g, err);
      st_note(r, "passed with another error: expected %s \"%s\", got %s",
              kind == ISTHMUS_ERR_MALFORMED ? "malformed" : "invalid", text, cli_buf_str(&g));
      cli_buf_free(&g);
    }
  }
  if (err) isthmus_error_delete(err);
  cli_buf_free(&why);
}

/* assert_unlinkable (link: a link error is expected) and assert_uninstantiable or
 * assert_trap on a module (a trap while instantiating is expected). */
static void st_cmd_refused(st_runner *r, const json_value *cmd, bool link) {
  if (st_is_text(cmd)) {
    st_skip(r, "text module");
    return;
  }
  const char *text = json_get_str(cmd, "text", NULL);
  if (!text) text = "";
  const char *want = link ? "link error" : "trap";
  const char *when = link ? "" : " while instantiating";
  isthmus_error *err = NULL;
  isthmus_trap *trap = NULL;
  cli_buf why = {0};
  isthmus_module *m = st_load(r, cmd, &err, &why);
  if (!m) {
    if (err) st_buf_error(&why, err);
    st_fail(r, "expected %s \"%s\"%s, got %s", want, text, when, cli_buf_str(&why));
    goto done;
  }
  isthmus_instance *inst;
  switch (st_instantiate(r, m, &inst, &err, &trap, &why)) {
  case ST_INST_OK:
    st_fail(r, "expected %s \"%s\"%s, got a module that instantiates", want, text, when);
    break;
  case ST_INST_UNKNOWN_IMPORT:
    if (!link) {
      st_fail(r, "expected trap \"%s\" while instantiating, got %s", text, cli_buf_str(&why));
      break;
    }
    st_pass(r);
    if (!st_message_matches("unknown import", text))
      st_note(r, "passed with another message: expected \"%s\", got \"%s\"", text, cli_buf_str(&why));
    break;
  case ST_INST_ERROR:
    if (!link || isthmus_error_kind_of(err) != ISTHMUS_ERR_LINK) {
      st_buf_error(&why, err);
      st_fail(r, "expected %s \"%s\"%s, got %s", want, text, when, cli_buf_str(&why));
      break;
    }
    st_pass(r);
    if (!st_message_matches(isthmus_error_message(err), text))
      st_note(r, "passed with another message: expected \"%s\", got \"%s\"", text, isthmus_error_message(err));
    break;
  case ST_INST_TRAP:
    if (link) {
      st_fail(r, "expected link error \"%s\", got trap \"%s\"", text, isthmus_trap_message(trap));
      break;
    }
    if (!st_message_matches(isthmus_trap_message(trap), text)) {
      st_fail(r, "expected trap \"%s\" while instantiating, got trap \"%s\"", text, isthmus_trap_message(trap));
      break;
    }
    st_pass(r);
    break;
  }
done:
  if (m) isthmus_module_delete(m);
  if (err) isthmus_error_delete(err);
  if (trap) isthmus_trap_delete(trap);
  cli_buf_free(&why);
}

static void st_command(st_runner *r, const json_value *cmd) {
  r->line = json_get_long(cmd, "line", 0);
  const char *type = json_get_str(cmd, "type", NULL);
  r->cmd = type ? type : "(command)";
  if (!type) st_fail(r, "command without a \"type\"");
  else if (strcmp(type, "module") == 0) st_cmd_module(r, cmd);
  else if (strcmp(type, "register") == 0) st_cmd_register(r, cmd);
  else if (strcmp(type, "action") == 0) st_cmd_action(r, cmd);
  else if (strcmp(type, "assert_return") == 0) st_cmd_assert_return(r, cmd);
  else if (strcmp(type, "assert_trap") == 0) st_cmd_assert_trap(r, cmd, false);
  else if (strcmp(type, "assert_exhaustion") == 0) st_cmd_assert_trap(r, cmd, true);
  else if (strcmp(type, "assert_invalid") == 0) st_cmd_bad_module(r, cmd, ISTHMUS_ERR_INVALID);
  else if (strcmp(type, "assert_malformed") == 0) st_cmd_bad_module(r, cmd, ISTHMUS_ERR_MALFORMED);
  else if (strcmp(type, "assert_unlinkable") == 0) st_cmd_refused(r, cmd, true);
  else if (strcmp(type, "assert_uninstantiable") == 0) st_cmd_refused(r, cmd, false);
  else st_skip(r, "unknown command type");
}

/* ---------------------------------------------------------------- scripts */

static void st_reset_script(st_runner *r) {
  for (size_t i = 0; i < r->num_named; i++) free(r->named[i].name);
  free(r->named);
  r->named = NULL;
  r->num_named = r->cap_named = 0;
  cli_linker_delete(r->linker);
  r->linker = NULL;
  if (r->store) isthmus_store_delete(r->store);
  r->store = NULL;
  free(r->dir);
  r->dir = NULL;
  memset(&r->current, 0, sizeof r->current);
}

static void st_run_file(st_runner *r, const char *path) {
  memset(&r->t, 0, sizeof r->t);
  r->source = path;
  r->line = 0;
  r->cmd = "spectest";
  const char *slash = strrchr(path, '/');
  r->dir = cli_xstrndup(path, slash ? (size_t)(slash - path + 1) : 0);

  size_t len;
  char *text = (char *)cli_read_file(path, &len);
  if (!text) {
    r->t.failed++;
    return;
  }
  char msg[256];
  json_value *root = json_parse(text, len, msg, sizeof msg);
  free(text);
  if (!root) {
    st_fail(r, "not a JSON script: %s", msg);
    return;
  }
  const json_value *cmds = json_get_array(root, "commands");
  if (!cmds) {
    st_fail(r, "not a wast2json script: no \"commands\" array");
    json_free(root);
    return;
  }
  const char *source = json_get_str(root, "source_filename", NULL);
  if (source && *source) r->source = source;

  r->store = isthmus_store_new(r->engine);
  r->linker = cli_linker_new();
  if (!r->store || !cli_spectest_host_define(r->store, r->linker)) {
    st_fail(r, "cannot set up the store and the spectest module");
  } else {
    for (size_t i = 0; i < cmds->u.array.count; i++) st_command(r, &cmds->u.array.items[i]);
  }
  fflush(stdout);
  r->source = path; /* source points into root, about to be freed */
  json_free(root);
}

int cli_spectest_main(int argc, char **argv) {
  st_runner r = {0};
  char **files = cli_xcalloc((size_t)argc, sizeof *files);
  size_t num_files = 0;
  bool options_done = false;
  for (int i = 1; i < argc; i++) {
    const char *a = argv[i];
    if (!options_done && a[0] == '-' && a[1]) {
      if (strcmp(a, "--") == 0) {
        options_done = true;
      } else if (strcmp(a, "-v") == 0 || strcmp(a, "--verbose") == 0) {
        r.verbose = true;
      } else if (strcmp(a, "-h") == 0 || strcmp(a, "--help") == 0) {
        fputs(cli_spectest_usage, stdout);
        free(files);
        return CLI_EXIT_OK;
      } else {
        cli_errorf("spectest: unknown option '%s' (see 'isthmus spectest --help')", a);
        free(files);
        return CLI_EXIT_USAGE;
      }
      continue;
    }
    files[num_files++] = argv[i];
  }
  if (num_files == 0) {
    cli_errorf("spectest: missing FILE.json (see 'isthmus spectest --help')");
    free(files);
    return CLI_EXIT_USAGE;
  }
  r.engine = isthmus_engine_new(NULL);
  if (!r.engine) {
    cli_errorf("out of memory");
    free(files);
    return CLI_EXIT_FAIL;
  }
  st_totals all = {0};
  for (size_t i = 0; i < num_files; i++) {
    st_run_file(&r, files[i]);
    if (r.verbose && num_files > 1)
      printf("%s: %zu passed, %zu failed, %zu skipped\n", files[i], r.t.passed, r.t.failed, r.t.skipped);
    all.passed += r.t.passed;
    all.failed += r.t.failed;
    all.skipped += r.t.skipped;
    st_reset_script(&r);
  }
  printf("%zu passed, %zu failed, %zu skipped\n", all.passed, all.failed, all.skipped);
  fflush(stdout);
  isthmus_engine_delete(r.engine);
  free(files);
  return all.failed ? CLI_EXIT_FAIL : CLI_EXIT_OK;
}
