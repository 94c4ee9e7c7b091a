/* aot_tierup.c — the AUTO tier's background tier-up, through the public API:
 *   - a function called from the host ISTHMUS_TIERUP_CALLS times is compiled in the background
 *     with its direct callees, switches to compiled code and keeps its results;
 *   - a callee over the code budget stays interpreted and is called through the dynamic path;
 *   - so does a direct callee that has never run (it is left out of the batch);
 *   - traps after the switch carry the same messages and named backtraces;
 *   - a host function re-entering the store is not a safe point: nothing switches under it;
 *   - interruption from another thread and stack exhaustion on code that tiered up;
 *   - two hot functions sharing a callee give two batches, the second calling into the first;
 *   - a whole-module object already in the cache is used at instantiation;
 *   - a store deleted with a compile in flight, and a process exiting with one, are safe;
 *   - a child forked with a compile in flight does not wait for it and compiles its own;
 *   - without a compiler: one warning, everything stays interpreted (a child process).
 * Usage: aot_tierup (needs wat2wasm and a C compiler; uses a fresh cache directory). The child
 * modes --no-cc and --exit-in-flight are run by the test itself. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "isthmus.h"
#include "rt.h"

enum { THRESHOLD = 50 };
static char tmpdir[] = "/tmp/isthmus-tierup-test-XXXXXX";
#include "aot_test.h"

/* f(x) through the unchecked fast path (the one Python uses); *trap gets a trap or NULL. */
static int32_t call1(isthmus_store *s, isthmus_func *f, int32_t x, isthmus_trap **trap) {
  uint64_t cells[2] = {(uint32_t)x, 0};
  *trap = isthmus_func_call_unchecked(s, f, cells);
  return (int32_t)cells[0];
}

static bool trap_has_frame(isthmus_trap *t, const char *name) {
  for (size_t i = 0; i < isthmus_trap_frame_count(t); i++) {
    const isthmus_frame *f = isthmus_trap_frame(t, i);
    if (f->func_name && !strcmp(f->func_name, name)) return true;
  }
  return false;
}

/* hot(x) = helper(x) + big(x); helper(x) = 1000 / x (traps for 0); big is over the budget
 * (66,000 bytes of `i32.const 1; drop`) and returns x + 1. other(x) = helper(x) * 2; cold is
 * never called. via_host(x) = cb(x), a host function that calls `inc` back. gate(x) =
 * rare(x) = helper(x) + 1 when x is 12345, else helper(x). */
static char *main_wat(void) {
  size_t cap = 1u << 20, n = 0;
  char *t = malloc(cap);
  n += (size_t)snprintf(t + n, cap - n,
                        "(module\n"
                        "  (import \"host\" \"cb\" (func $cb (param i32) (result i32)))\n"
                        "  (func $helper (param i32) (result i32) (i32.div_s (i32.const 1000) (local.get 0)))\n"
                        "  (func $big (param i32) (result i32)\n");
  for (int k = 0; k < 22000; k++) n += (size_t)snprintf(t + n, cap - n, "    i32.const 1 drop\n");
  snprintf(t + n, cap - n,
           "    (i32.add (local.get 0) (i32.const 1)))\n"
           "  (func $hot (export \"hot\") (param i32) (result i32) (i32.add (call $helper (local.get 0)) (call $big (local.get 0))))\n"
           "  (func $other (export \"other\") (param i32) (result i32) (i32.mul (call $helper (local.get 0)) (i32.const 2)))\n"
           "  (func $cold (export \"cold\") (param i32) (result i32) (local.get 0))\n"
           "  (func $inc (export \"inc\") (param i32) (result i32) (i32.add (local.get 0) (i32.const 1)))\n"
           "  (func $via_host (export \"via_host\") (param i32) (result i32) (call $cb (local.get 0)))\n"
           "  (func $spin (export \"spin\") (param i32) (result i32)\n"
           "    (loop $l (br_if $l (local.tee 0 (i32.sub (local.get 0) (i32.const 1))))) (i32.const 0))\n"
           "  (func $deep (export \"deep\") (param i32) (result i32)\n"
           "    (if (result i32) (local.get 0)\n"
           "      (then (i32.add (call $deep (i32.sub (local.get 0) (i32.const 1))) (i32.const 1)))\n"
           "      (else (i32.const 0))))\n"
           "  (func $rare (param i32) (result i32) (i32.add (call $helper (local.get 0)) (i32.const 1)))\n"
           "  (func $gate (export \"gate\") (param i32) (result i32)\n"
           "    (if (result i32) (i32.eq (local.get 0) (i32.const 12345))\n"
           "      (then (call $rare (local.get 0))) (else (call $helper (local.get 0))))))\n");
  return t;
}

static isthmus_store *store;
static isthmus_func *inc_fn;
static int in_host_pending = -1;
static isthmus_tier in_host_tier;

/* host.cb(x) = inc(x) * 10, called from wasm: not a safe point, so a wait switches nothing */
static isthmus_trap *host_cb(void *env, isthmus_caller *c, uint64_t *cells) {
  (void)env;
  (void)c;
  isthmus_trap *t = NULL;
  int32_t r = call1(store, inc_fn, (int32_t)cells[0], &t);
  if (t) return t;
  static int calls;
  if (++calls == THRESHOLD + 1) { /* inc's compile was queued by the previous call */
    in_host_pending = (int)isthmus_store_wait_compiled(store, 120000);
    in_host_tier = isthmus_func_tier(inc_fn);
  }
  cells[0] = (uint32_t)(r * 10);
  return NULL;
}

static void *interrupter(void *p) {
  usleep(200000);
  isthmus_store_interrupt(p);
  return NULL;
}

static isthmus_engine *auto_engine(void) {
  isthmus_config cfg;
  isthmus_config_init(&cfg);
  isthmus_config_tier(&cfg, ISTHMUS_TIER_AUTO);
  return isthmus_engine_new(&cfg);
}

static isthmus_instance *instantiate(isthmus_store *s, isthmus_module *m) {
  isthmus_functype cbt = {1, 1, (isthmus_valtype[]){ISTHMUS_I32}, (isthmus_valtype[]){ISTHMUS_I32}};
  isthmus_func *cb = isthmus_func_new(s, &cbt, host_cb, NULL, NULL);
  isthmus_extern imp[1] = {{.kind = ISTHMUS_EXTERN_FUNC, .of.func = cb}};
  isthmus_instance *inst = NULL;
  isthmus_trap *trap = NULL;
  isthmus_error *err = isthmus_instantiate(s, m, imp, 1, &inst, &trap);
  if (err || trap || !inst) {
    fprintf(stderr, "instantiate: %s\n", err ? isthmus_error_message(err) : "trap");
    exit(2);
  }
  return inst;
}

/* A new store with an instance of module text (both returned for deleting). */
static isthmus_instance *fresh(isthmus_engine *e, const char *text, isthmus_store **s, isthmus_module **m) {
  *s = isthmus_store_new(e);
  *m = module(e, text);
  return instantiate(*s, *m);
}

/* Calls f(0), f(1), ... THRESHOLD times: the last call queues its compile. */
static void heat(isthmus_store *s, isthmus_func *f) {
  isthmus_trap *t;
  for (int i = 0; i < THRESHOLD; i++) call1(s, f, i, &t);
}

/* Child: CC=/nonexistent. One warning, every function stays interpreted, results right. */
static int no_cc(void) {
  isthmus_engine *e = auto_engine();
  char *text = main_wat();
  isthmus_module *m;
  isthmus_instance *inst = fresh(e, text, &store, &m);
  free(text);
  isthmus_func *hot = export_func(inst, "hot"), *other = export_func(inst, "other");
  isthmus_trap *t;
  for (int i = 0; i < THRESHOLD * 4; i++) {
    CHECK(call1(store, hot, 10, &t) == 111 && !t, "hot(10) without a compiler");
    CHECK(call1(store, other, 10, &t) == 200 && !t, "other(10) without a compiler");
  }
  CHECK(isthmus_store_wait_compiled(store, 120000) == 0, "nothing left pending");
  CHECK(call1(store, hot, 10, &t) == 111 && !t, "hot(10) after the failed compile");
  CHECK(isthmus_func_tier(hot) == ISTHMUS_TIER_INTERP && isthmus_func_tier(other) == ISTHMUS_TIER_INTERP,
        "functions stay interpreted");
  isthmus_store_delete(store);
  isthmus_module_delete(m);
  isthmus_engine_delete(e);
  return failures ? 1 : 0;
}

/* Child: queues a compile and exits at once. */
static int exit_in_flight(void) {
  isthmus_engine *e = auto_engine();
  char *text = main_wat();
  isthmus_module *m;
  isthmus_instance *inst = fresh(e, text, &store, &m);
  free(text);
  isthmus_func *hot = export_func(inst, "hot");
  isthmus_trap *t;
  for (int i = 0; i < THRESHOLD + 1; i++) call1(store, hot, 10, &t);
  return 0;
}

static int run_child(const char *self, const char *mode, const char *env, const char *errfile) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "%s %s %s 2>%s", env, self, mode, errfile);
  int st = system(cmd);
  return WIFEXITED(st) ? WEXITSTATUS(st) : 128;
}

static int count_matches(const char *path, const char *needle) {
  FILE *f = fopen(path, "r");
  char line[2048];
  int n = 0;
  while (f && fgets(line, sizeof line, f)) n += strstr(line, needle) != NULL;
  if (f) fclose(f);
  return n;
}

int main(int argc, char **argv) {
  char cache[300];
  if (argc > 1) { /* child modes share the parent's directories */
    const char *d = getenv("TIERUP_TEST_DIR");
    if (!d) return 2;
    snprintf(tmpdir, sizeof tmpdir, "%s", d);
    if (!strcmp(argv[1], "--no-cc")) return no_cc();
    if (!strcmp(argv[1], "--exit-in-flight")) return exit_in_flight();
    return 2;
  }
  if (!mkdtemp(tmpdir)) return 2;
  snprintf(cache, sizeof cache, "%s/cache", tmpdir);
  setenv("ISTHMUS_CACHE_DIR", cache, 1);
  setenv("TIERUP_TEST_DIR", tmpdir, 1);
  char n[16];
  snprintf(n, sizeof n, "%d", THRESHOLD);
  setenv("ISTHMUS_TIERUP_CALLS", n, 1);

  /* 1. tier-up of `hot` with `helper`; `big` is over the budget and stays interpreted */
  isthmus_engine *e = auto_engine();
  char *text = main_wat();
  isthmus_module *m;
  isthmus_instance *inst = fresh(e, text, &store, &m);
  isthmus_func *hot = export_func(inst, "hot"), *other = export_func(inst, "other");
  isthmus_func *cold = export_func(inst, "cold");
  inc_fn = export_func(inst, "inc");
  isthmus_func *helper = inst->funcs[1], *big = inst->funcs[2]; /* import 0, then $helper, $big */
  isthmus_trap *t;
  CHECK(isthmus_func_tier(hot) == ISTHMUS_TIER_INTERP, "starts interpreted");
  CHECK(isthmus_store_wait_compiled(store, 0) == 0, "nothing pending before any call");
  bool ok = true;
  for (int i = 1; i <= THRESHOLD * 2; i++) ok &= call1(store, hot, i, &t) == 1000 / i + i + 1 && !t;
  CHECK(ok, "hot(i) while the compile runs");
  CHECK(isthmus_store_wait_compiled(store, 120000) == 0, "the compile finished");
  CHECK(isthmus_func_tier(hot) == ISTHMUS_TIER_AOT, "hot runs compiled code");
  CHECK(isthmus_func_tier(helper) == ISTHMUS_TIER_AOT, "its callee came with it");
  CHECK(isthmus_func_tier(big) == ISTHMUS_TIER_INTERP, "the callee over the budget stays interpreted");
  CHECK(isthmus_func_tier(cold) == ISTHMUS_TIER_INTERP, "a function never called stays interpreted");
  CHECK(isthmus_func_tier(other) == ISTHMUS_TIER_INTERP, "other is not hot yet");
  ok = true;
  for (int i = 1; i <= 100; i++) ok &= call1(store, hot, i, &t) == 1000 / i + i + 1 && !t;
  CHECK(ok, "hot(i) on compiled code (calling the interpreted big)");
  CHECK(call1(store, hot, -7, &t) == 1000 / -7 - 6 && !t, "negative arguments");
  isthmus_val arg = {.kind = ISTHMUS_I32, .of.i32 = 4}, res;
  isthmus_error *err = NULL;
  t = isthmus_func_call(store, hot, &arg, 1, &res, 1, &err);
  CHECK(!t && !err && res.of.i32 == 255, "the checked call API calls compiled code");

  /* 2. a trap in compiled code after the switch */
  call1(store, hot, 0, &t);
  CHECK(t && isthmus_trap_code_of(t) == ISTHMUS_TRAP_DIV_ZERO, "hot(0) traps with divide by zero");
  CHECK(t && !strcmp(isthmus_trap_message(t), "integer divide by zero"), "trap message: %s",
        t ? isthmus_trap_message(t) : "none");
  CHECK(t && trap_has_frame(t, "helper") && trap_has_frame(t, "hot"), "backtrace names helper and hot");
  CHECK(t && isthmus_trap_frame_count(t) == 2, "two frames, got %zu", t ? isthmus_trap_frame_count(t) : 0);
  isthmus_trap_delete(t);
  CHECK(call1(store, hot, 5, &t) == 206 && !t, "the store runs again after the trap");

  /* 3. a second batch: `other` shares `helper`, which is in the first batch already */
  for (int i = 0; i < THRESHOLD; i++) call1(store, other, 10, &t);
  CHECK(isthmus_store_wait_compiled(store, 120000) == 0, "second batch finished");
  CHECK(isthmus_func_tier(other) == ISTHMUS_TIER_AOT, "other runs compiled code");
  CHECK(call1(store, other, 10, &t) == 200 && !t, "other(10) calls helper of the first batch");
  call1(store, other, 0, &t);
  CHECK(t && trap_has_frame(t, "helper") && trap_has_frame(t, "other"), "backtrace across batches");
  if (t) isthmus_trap_delete(t);

  /* 3b. a direct callee that has never run stays out of the batch (and is called through the
   * dynamic path when it finally runs) */
  {
    isthmus_func *gate = export_func(inst, "gate"), *rare = inst->funcs[10]; /* after $deep */
    ok = true;
    for (int i = 1; i <= THRESHOLD; i++) ok &= call1(store, gate, i, &t) == 1000 / i && !t;
    CHECK(ok, "gate(i) on the interpreter");
    CHECK(isthmus_store_wait_compiled(store, 120000) == 0 && isthmus_func_tier(gate) == ISTHMUS_TIER_AOT,
          "gate tiered up");
    CHECK(isthmus_func_tier(rare) == ISTHMUS_TIER_INTERP, "its callee that never ran stayed out of the batch");
    CHECK(call1(store, gate, 12345, &t) == 1 && !t, "gate(12345) calls the interpreted rare");
  }

  /* 4. re-entry: inc gets hot while via_host's frames are active; nothing switches until
   * the host function has returned */
  ok = true;
  for (int i = 0; i < THRESHOLD + 5; i++) ok &= call1(store, export_func(inst, "via_host"), i, &t) == (i + 1) * 10 && !t;
  CHECK(ok, "via_host(i) = (i + 1) * 10");
  CHECK(in_host_pending == 0 && in_host_tier == ISTHMUS_TIER_INTERP,
        "inside a host function the finished batch waits (pending %d, tier %d)", in_host_pending, (int)in_host_tier);
  CHECK(isthmus_store_wait_compiled(store, 120000) == 0 && isthmus_func_tier(inc_fn) == ISTHMUS_TIER_AOT,
        "switched once back at the top");
  CHECK(call1(store, export_func(inst, "via_host"), 41, &t) == 420 && !t, "re-entry into compiled inc");

  /* 5. interruption and stack exhaustion on code that tiered up */
  {
    isthmus_func *spin = export_func(inst, "spin"), *deep = export_func(inst, "deep");
    ok = true;
    for (int i = 0; i < THRESHOLD; i++) {
      ok &= call1(store, spin, 3, &t) == 0 && !t;
      ok &= call1(store, deep, i, &t) == i && !t;
    }
    CHECK(ok, "spin and deep on the interpreter");
    CHECK(isthmus_store_wait_compiled(store, 120000) == 0 && isthmus_func_tier(spin) == ISTHMUS_TIER_AOT &&
              isthmus_func_tier(deep) == ISTHMUS_TIER_AOT,
          "spin and deep tiered up");
    pthread_t th;
    pthread_create(&th, NULL, interrupter, store);
    call1(store, spin, -1, &t); /* 2^32 iterations: seconds, unless interrupted */
    pthread_join(th, NULL);
    CHECK(t && isthmus_trap_code_of(t) == ISTHMUS_TRAP_INTERRUPTED, "interrupt stops compiled spin");
    if (t) isthmus_trap_delete(t);
    CHECK(call1(store, deep, 100, &t) == 100 && !t, "calls work after the interrupt");
    call1(store, deep, -1, &t);
    CHECK(t && isthmus_trap_code_of(t) == ISTHMUS_TRAP_STACK_EXHAUSTED, "unbounded recursion: %s",
          t ? isthmus_trap_message(t) : "no trap");
    CHECK(t && trap_has_frame(t, "deep"), "backtrace names deep");
    if (t) isthmus_trap_delete(t);
    CHECK(call1(store, deep, 1000, &t) == 1000 && !t, "deep(1000) after the exhaustion");
  }

  /* 6. a whole-module object in the cache is used at instantiation */
  {
    isthmus_config cfg;
    isthmus_config_init(&cfg);
    isthmus_config_tier(&cfg, ISTHMUS_TIER_AOT);
    isthmus_engine *ea = isthmus_engine_new(&cfg);
    isthmus_store *sa = isthmus_store_new(ea);
    isthmus_module *ma = module(ea, "(module (func (export \"seven\") (result i32) (i32.const 7)))");
    isthmus_instance *ia = NULL;
    err = isthmus_instantiate(sa, ma, NULL, 0, &ia, &t);
    CHECK(!err && ia, "AOT instance fills the cache");
    isthmus_store *sb = isthmus_store_new(e);
    isthmus_module *mb = module(e, "(module (func (export \"seven\") (result i32) (i32.const 7)))");
    isthmus_instance *ib = NULL;
    err = isthmus_instantiate(sb, mb, NULL, 0, &ib, &t);
    CHECK(!err && ib && isthmus_func_tier(export_func(ib, "seven")) == ISTHMUS_TIER_AOT,
          "AUTO uses the cached whole-module object at once");
    isthmus_store_delete(sa);
    isthmus_store_delete(sb);
    isthmus_module_delete(ma);
    isthmus_module_delete(mb);
    isthmus_engine_delete(ea);
  }

  /* 7. a store and its module deleted with a compile in flight; a later store's compile
   * finishing proves the worker went past the dropped job (one worker, in order) */
  {
    isthmus_store *s2, *s3;
    isthmus_module *m2, *m3;
    heat(s2, export_func(fresh(e, text, &s2, &m2), "cold"));
    isthmus_store_delete(s2);
    isthmus_module_delete(m2);
    isthmus_func *inc3 = export_func(fresh(e, text, &s3, &m3), "inc");
    heat(s3, inc3);
    CHECK(isthmus_store_wait_compiled(s3, 120000) == 0 && isthmus_func_tier(inc3) == ISTHMUS_TIER_AOT,
          "a later store tiers up after a dropped job");
    isthmus_store_delete(s3);
    isthmus_module_delete(m3);
  }
  /* 8. fork with a compile in flight: the child does not wait for it and compiles its own */
  {
    isthmus_store *s4;
    isthmus_module *m4;
    isthmus_instance *i4 = fresh(e, text, &s4, &m4);
    isthmus_func *cold4 = export_func(i4, "cold"), *inc4 = export_func(i4, "inc");
    heat(s4, cold4);
    fflush(NULL);
    pid_t pid = fork();
    if (pid == 0) {
      int code = 0;
      if (isthmus_store_wait_compiled(s4, 20000) != 0) code |= 1; /* nothing left to wait for */
      heat(s4, inc4);
      if (isthmus_store_wait_compiled(s4, 120000) != 0) code |= 2;
      if (isthmus_func_tier(inc4) != ISTHMUS_TIER_AOT || call1(s4, inc4, 1, &t) != 2) code |= 4;
      _exit(code);
    }
    int st = 0;
    waitpid(pid, &st, 0);
    CHECK(WIFEXITED(st) && WEXITSTATUS(st) == 0, "forked child: status %d", st);
    CHECK(isthmus_store_wait_compiled(s4, 120000) == 0 && isthmus_func_tier(cold4) == ISTHMUS_TIER_AOT,
          "the parent's compile went on");
    isthmus_store_delete(s4);
    isthmus_module_delete(m4);
  }
  free(text);
  isthmus_store_delete(store);
  isthmus_module_delete(m);

  /* 9. children: no compiler (one warning), exit with a compile in flight */
  char errfile[400];
  snprintf(errfile, sizeof errfile, "%s/nocc.err", tmpdir);
  char env[800];
  snprintf(env, sizeof env, "CC=/nonexistent/cc ISTHMUS_CACHE_DIR=%s/nocc-cache", tmpdir);
  int rc = run_child(argv[0], "--no-cc", env, errfile);
  CHECK(rc == 0, "no-cc child exit %d", rc);
  int warnings = count_matches(errfile, "warning");
  CHECK(warnings == 1, "exactly one warning without a compiler, got %d", warnings);
  CHECK(count_matches(errfile, "no working C compiler") == 1, "the warning names the cause");
  snprintf(errfile, sizeof errfile, "%s/exit.err", tmpdir);
  snprintf(env, sizeof env, "ISTHMUS_CACHE_DIR=%s/exit-cache", tmpdir);
  rc = run_child(argv[0], "--exit-in-flight", env, errfile);
  CHECK(rc == 0, "exit with a compile in flight: exit %d", rc);

  isthmus_engine_delete(e);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "rm -rf %s", tmpdir);
  if (failures == 0 && system(cmd) != 0) fprintf(stderr, "could not remove %s\n", tmpdir);
  printf("aot tier-up: %d checks, %d failed\n", checks, failures);
  return failures ? 1 : 0;
}
