/* aot_tiers.c — the AOT tier's seams, through the public API (plus the engine's tier field,
 * switched between instantiations to mix tiers in one store):
 *   - a forced tier without a compiler fails instantiation with a clear error; "auto" falls back;
 *   - interpreted code calls compiled code through an import and through a table, and the reverse;
 *   - host functions called from compiled code re-enter compiled code;
 *   - traps carry the spec's message and a backtrace with names from the name section;
 *   - infinite recursion traps with "call stack exhausted", never crashes;
 *   - an infinite loop stops on isthmus_store_interrupt from another thread.
 * Usage: aot_tiers (needs wat2wasm and a C compiler; uses a fresh cache directory). */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "isthmus.h"
#include "rt.h"

static char tmpdir[] = "/tmp/isthmus-aot-test-XXXXXX";
#include "aot_test.h"

static bool compiled(isthmus_func *f) { return f->host != NULL && f->inst != NULL; }

/* Calls f with i32 arguments; returns the i32 result or a trap (in *trap). */
static int32_t call(isthmus_store *s, isthmus_func *f, int nargs, const int32_t *args, isthmus_trap **trap) {
  isthmus_val a[4], r[1];
  for (int k = 0; k < nargs; k++) a[k] = (isthmus_val){.kind = ISTHMUS_I32, .of.i32 = args[k]};
  size_t nr = isthmus_func_type(f)->num_results;
  isthmus_error *err = NULL;
  *trap = isthmus_func_call(s, f, a, (size_t)nargs, r, nr, &err);
  if (err) {
    fprintf(stderr, "call: %s\n", isthmus_error_message(err));
    exit(2);
  }
  return nr && !*trap ? r[0].of.i32 : 0;
}

static const char *A_WAT =
    "(module $a\n"
    "  (import \"host\" \"cb\" (func $cb (param i32) (result i32)))\n"
    "  (table (export \"tab\") 2 funcref)\n"
    "  (elem (i32.const 0) $add $fact)\n"
    "  (func $add (export \"add\") (param i32 i32) (result i32) (i32.add (local.get 0) (local.get 1)))\n"
    "  (func $fact (export \"fact\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.le_s (local.get 0) (i32.const 1)) (then (i32.const 1))\n"
    "      (else (i32.mul (local.get 0) (call $fact (i32.sub (local.get 0) (i32.const 1)))))))\n"
    "  (func $inner (param i32) (result i32) (i32.div_u (i32.const 1) (local.get 0)))\n"
    "  (func $outer (export \"divide\") (param i32) (result i32) (call $inner (local.get 0)))\n"
    "  (func $deep (export \"deep\") (param i32) (result i32) (i32.add (call $deep (local.get 0)) (i32.const 1)))\n"
    "  (func $spin (export \"spin\") (param i32) (result i32) (loop $l (br $l)) (i32.const 0))\n"
    /* 2**50 calls, 50 deep, no loop: only the polls at function entry can stop it */
    "  (func $fork (export \"fork\") (param i32) (result i32)\n"
    "    (if (result i32) (i32.ge_u (local.get 0) (i32.const 50)) (then (i32.const 1))\n"
    "      (else (i32.add (call $fork (i32.add (local.get 0) (i32.const 1)))\n"
    "                     (call $fork (i32.add (local.get 0) (i32.const 1)))))))\n"
    "  (func (export \"via_host\") (param i32) (result i32) (call $cb (local.get 0)))\n"
    "  (func (export \"via_table\") (param i32 i32) (result i32)\n"
    "    (call_indirect (param i32 i32) (result i32) (local.get 0) (i32.const 5) (local.get 1))))\n";

static const char *B_WAT =
    "(module $b\n"
    "  (import \"a\" \"add\" (func $add (param i32 i32) (result i32)))\n"
    "  (import \"a\" \"tab\" (table 2 funcref))\n"
    "  (func (export \"sub\") (param i32 i32) (result i32) (i32.sub (local.get 0) (local.get 1)))\n"
    "  (func (export \"b_add\") (param i32 i32) (result i32) (call $add (local.get 0) (local.get 1)))\n"
    "  (func (export \"b_tab\") (param i32) (result i32)\n"
    "    (call_indirect (param i32) (result i32) (local.get 0) (i32.const 1))))\n";

static const char *C_WAT =
    "(module $c\n"
    "  (import \"b\" \"sub\" (func $sub (param i32 i32) (result i32)))\n"
    "  (func (export \"c_sub\") (param i32 i32) (result i32) (call $sub (local.get 0) (local.get 1))))\n";

static isthmus_func *a_add;
static isthmus_store *store;

/* host.cb(x) = a.add(x, 100): a host function called from compiled code calling back in */
static isthmus_trap *host_cb(void *env, isthmus_caller *c, uint64_t *cells) {
  (void)env;
  (void)c;
  int32_t args[2] = {(int32_t)cells[0], 100};
  isthmus_trap *t = NULL;
  int32_t r = call(store, a_add, 2, args, &t);
  if (t) return t;
  cells[0] = (uint32_t)r;
  return NULL;
}

static void *interrupter(void *p) {
  usleep(200000);
  isthmus_store_interrupt(p);
  return NULL;
}

static int count_lines(const char *path) {
  int n = 0;
  FILE *f = fopen(path, "r");
  for (int ch; f && (ch = fgetc(f)) != EOF;) n += ch == '\n';
  if (f) fclose(f);
  return n;
}

static bool trap_has_frame(isthmus_trap *t, const char *name) {
  for (size_t i = 0; i < isthmus_trap_frame_count(t); i++) {
    const isthmus_frame *f = isthmus_trap_frame(t, i);
    if (f->func_name && !strcmp(f->func_name, name)) return true;
  }
  return false;
}

int main(void) {
  if (!mkdtemp(tmpdir)) return 2;
  char cache[300];
  snprintf(cache, sizeof cache, "%s/cache", tmpdir);
  setenv("ISTHMUS_CACHE_DIR", cache, 1);

  isthmus_config cfg;
  isthmus_config_init(&cfg);
  isthmus_config_tier(&cfg, ISTHMUS_TIER_AOT);
  isthmus_engine *e = isthmus_engine_new(&cfg);
  store = isthmus_store_new(e);
  isthmus_module *ma = module(e, A_WAT), *mb = module(e, B_WAT), *mc = module(e, C_WAT);
  isthmus_functype cbt = {1, 1, (isthmus_valtype[]){ISTHMUS_I32}, (isthmus_valtype[]){ISTHMUS_I32}};
  isthmus_func *cb = isthmus_func_new(store, &cbt, host_cb, NULL, NULL);
  isthmus_extern aimp[1] = {{.kind = ISTHMUS_EXTERN_FUNC, .of.func = cb}};
  isthmus_instance *ia = NULL;
  isthmus_trap *trap = NULL;
  isthmus_error *err;

  /* 1. no compiler: the forced tier fails with a clear error, "auto" falls back */
  setenv("CC", "/nonexistent/cc", 1);
  err = isthmus_instantiate(store, ma, aimp, 1, &ia, &trap);
  CHECK(err && strstr(isthmus_error_message(err), "no working C compiler"), "forced tier without cc: %s",
        err ? isthmus_error_message(err) : "no error");
  isthmus_error_delete(err);
  e->cfg.tier = ISTHMUS_TIER_AUTO;
  err = isthmus_instantiate(store, ma, aimp, 1, &ia, &trap);
  CHECK(!err && ia && !compiled(export_func(ia, "add")), "auto tier falls back to the interpreter");
  isthmus_error_delete(err);
  unsetenv("CC");

  /* 2. compiled A, interpreted B (imports A), compiled C (imports B) */
  e->cfg.tier = ISTHMUS_TIER_AOT;
  err = isthmus_instantiate(store, ma, aimp, 1, &ia, &trap);
  CHECK(!err && ia, "instantiate A: %s", err ? isthmus_error_message(err) : "");
  if (err) return 1;
  a_add = export_func(ia, "add");
  CHECK(compiled(a_add), "A runs compiled code");
  isthmus_extern tab;
  isthmus_instance_export(ia, "tab", 3, &tab);
  e->cfg.tier = ISTHMUS_TIER_INTERP;
  isthmus_extern bimp[2] = {{.kind = ISTHMUS_EXTERN_FUNC, .of.func = a_add}, tab};
  isthmus_instance *ib = NULL;
  err = isthmus_instantiate(store, mb, bimp, 2, &ib, &trap);
  CHECK(!err && ib && !compiled(export_func(ib, "sub")), "B is interpreted");
  e->cfg.tier = ISTHMUS_TIER_AOT;
  isthmus_extern cimp[1] = {{.kind = ISTHMUS_EXTERN_FUNC, .of.func = export_func(ib, "sub")}};
  isthmus_instance *ic = NULL;
  err = isthmus_instantiate(store, mc, cimp, 1, &ic, &trap);
  CHECK(!err && ic && compiled(export_func(ic, "c_sub")), "C runs compiled code");

  int32_t r;
  r = call(store, a_add, 2, (int32_t[]){40, 2}, &trap);
  CHECK(!trap && r == 42, "a.add = %d", r);
  r = call(store, export_func(ia, "fact"), 1, (int32_t[]){10}, &trap);
  CHECK(!trap && r == 3628800, "a.fact(10) = %d", r);
  r = call(store, export_func(ib, "b_add"), 2, (int32_t[]){7, 8}, &trap);
  CHECK(!trap && r == 15, "interpreted -> compiled through an import: %d", r);
  r = call(store, export_func(ib, "b_tab"), 1, (int32_t[]){6}, &trap);
  CHECK(!trap && r == 720, "interpreted -> compiled through a table: %d", r);
  r = call(store, export_func(ic, "c_sub"), 2, (int32_t[]){50, 8}, &trap);
  CHECK(!trap && r == 42, "compiled -> interpreted through an import: %d", r);
  r = call(store, export_func(ia, "via_host"), 1, (int32_t[]){5}, &trap);
  CHECK(!trap && r == 105, "compiled -> host -> compiled: %d", r);
  r = call(store, export_func(ia, "via_table"), 2, (int32_t[]){37, 0}, &trap);
  CHECK(!trap && r == 42, "call_indirect: %d", r);
  r = call(store, export_func(ia, "via_table"), 2, (int32_t[]){37, 1}, &trap);
  CHECK(trap && !strcmp(isthmus_trap_message(trap), "indirect call type mismatch"), "call_indirect type check");
  isthmus_trap_delete(trap);

  /* 3. traps: message and backtrace */
  call(store, export_func(ia, "divide"), 1, (int32_t[]){0}, &trap);
  CHECK(trap && isthmus_trap_code_of(trap) == ISTHMUS_TRAP_DIV_ZERO, "divide by zero traps");
  if (trap) {
    CHECK(trap_has_frame(trap, "inner") && trap_has_frame(trap, "outer"), "backtrace names inner and outer");
    CHECK(isthmus_trap_frame_count(trap) == 2, "two frames, got %zu", isthmus_trap_frame_count(trap));
    /* $inner is a leaf: compiled without a shadow frame, named from the trap's offset */
    const isthmus_frame *f0 = isthmus_trap_frame_count(trap) ? isthmus_trap_frame(trap, 0) : NULL;
    CHECK(f0 && f0->func_name && !strcmp(f0->func_name, "inner") && f0->code_offset > 0,
          "innermost frame is the leaf inner, with its byte offset");
  }
  isthmus_trap_delete(trap);
  call(store, export_func(ia, "deep"), 1, (int32_t[]){0}, &trap);
  CHECK(trap && isthmus_trap_code_of(trap) == ISTHMUS_TRAP_STACK_EXHAUSTED, "infinite recursion: %s",
        trap ? isthmus_trap_message(trap) : "no trap");
  isthmus_trap_delete(trap);
  r = call(store, export_func(ia, "fact"), 1, (int32_t[]){5}, &trap);
  CHECK(!trap && r == 120, "calls work after a trap");

  /* 4. a compiler that fails: forced tier reports its message, and the failure is remembered
   * (the compiler runs once per module, not once per instance) */
  {
    char script[400], count[400], text[900];
    snprintf(script, sizeof script, "%s/fakecc.sh", tmpdir);
    snprintf(count, sizeof count, "%s/fakecc.count", tmpdir);
    snprintf(text, sizeof text,
             "#!/bin/sh\ncase \"$1\" in --version) echo fake;; *) echo x >> %s; echo 'fake cc: no' >&2; exit 1;; esac\n",
             count);
    FILE *f = fopen(script, "w");
    fputs(text, f);
    fclose(f);
    chmod(script, 0755);
    setenv("CC", script, 1);
    isthmus_module *md = module(e, "(module (func (export \"f\") (result i32) (i32.const 7)))");
    isthmus_instance *id = NULL;
    err = isthmus_instantiate(store, md, NULL, 0, &id, &trap);
    CHECK(err && strstr(isthmus_error_message(err), "fake cc: no"), "compile failure message: %s",
          err ? isthmus_error_message(err) : "no error");
    isthmus_error_delete(err);
    int runs = count_lines(count);
    e->cfg.tier = ISTHMUS_TIER_AUTO;
    err = isthmus_instantiate(store, md, NULL, 0, &id, &trap);
    CHECK(!err && id && call(store, export_func(id, "f"), 0, NULL, &trap) == 7, "auto falls back after a failure");
    CHECK(runs > 0 && count_lines(count) == runs, "the failing compiler ran again (%d, then %d runs)", runs,
          count_lines(count));
    e->cfg.tier = ISTHMUS_TIER_AOT;
    unsetenv("CC");
    isthmus_module_delete(md);
  }

  /* 5. interruption from another thread */
  pthread_t th;
  pthread_create(&th, NULL, interrupter, store);
  call(store, export_func(ia, "spin"), 1, (int32_t[]){0}, &trap);
  pthread_join(th, NULL);
  CHECK(trap && isthmus_trap_code_of(trap) == ISTHMUS_TRAP_INTERRUPTED, "interrupt stops a loop");
  isthmus_trap_delete(trap);
  pthread_create(&th, NULL, interrupter, store);
  call(store, export_func(ia, "fork"), 1, (int32_t[]){0}, &trap);
  pthread_join(th, NULL);
  CHECK(trap && isthmus_trap_code_of(trap) == ISTHMUS_TRAP_INTERRUPTED, "interrupt stops loop-free recursion");
  isthmus_trap_delete(trap);

  isthmus_store_delete(store);
  isthmus_module_delete(ma);
  isthmus_module_delete(mb);
  isthmus_module_delete(mc);
  isthmus_engine_delete(e);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
  if (system(cmd) != 0) return 2;
  printf("aot tiers: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
