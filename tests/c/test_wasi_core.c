/* test_wasi_core — the core WASI functions (args, environ, clocks, random, proc, fd I/O, fd
 * table, poll_oneoff, sockets) called one by one. A module built here in memory imports them
 * and re-exports each under its own name, with its memory, so the test calls them as a guest
 * would and inspects guest memory directly. No arguments; exits non-zero on failure. */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "isthmus.h"

static int failures;
#define CHECK(cond)                                                          \
  do {                                                                       \
    if (!(cond)) {                                                           \
      fprintf(stderr, "%s:%d: FAIL: %s\n", __FILE__, __LINE__, #cond);       \
      failures++;                                                            \
    }                                                                        \
  } while (0)
#define CHECK_EQ(a, b)                                                                              \
  do {                                                                                              \
    long long a_ = (long long)(a), b_ = (long long)(b);                                             \
    if (a_ != b_) {                                                                                 \
      fprintf(stderr, "%s:%d: FAIL: %s == %lld, expected %lld\n", __FILE__, __LINE__, #a, a_, b_);  \
      failures++;                                                                                   \
    }                                                                                               \
  } while (0)

/* errno values (the spec's numbering) */
enum { E_OK = 0, E_AGAIN = 6, E_BADF = 8, E_FAULT = 21, E_INVAL = 28, E_NOTSOCK = 57, E_PIPE = 64,
       E_SPIPE = 70, E_NOTCAPABLE = 76 };

/* ---------------------------------------------------------------- a module built in memory */

static const struct { const char *name, *sig; } funcs[] = {
    {"args_get", "ii->i"}, {"args_sizes_get", "ii->i"}, {"environ_get", "ii->i"},
    {"environ_sizes_get", "ii->i"}, {"clock_res_get", "ii->i"}, {"clock_time_get", "iIi->i"},
    {"proc_exit", "i->"}, {"proc_raise", "i->i"}, {"sched_yield", "->i"}, {"random_get", "ii->i"},
    {"fd_read", "iiii->i"}, {"fd_write", "iiii->i"}, {"fd_pread", "iiiIi->i"}, {"fd_pwrite", "iiiIi->i"},
    {"fd_seek", "iIii->i"}, {"fd_tell", "ii->i"}, {"fd_close", "i->i"}, {"fd_sync", "i->i"},
    {"fd_datasync", "i->i"}, {"fd_advise", "iIIi->i"}, {"fd_allocate", "iII->i"},
    {"fd_fdstat_get", "ii->i"}, {"fd_fdstat_set_flags", "ii->i"}, {"fd_fdstat_set_rights", "iII->i"},
    {"fd_renumber", "ii->i"}, {"poll_oneoff", "iiii->i"}, {"sock_accept", "iii->i"},
    {"sock_recv", "iiiiii->i"}, {"sock_send", "iiiii->i"}, {"sock_shutdown", "ii->i"},
};
#define NFUNCS (sizeof funcs / sizeof funcs[0])

typedef struct { uint8_t *p; size_t len, cap; } buf;
static void put(buf *b, uint8_t x) {
  if (b->len == b->cap) b->p = realloc(b->p, b->cap = b->cap ? b->cap * 2 : 256);
  b->p[b->len++] = x;
}
static void put_u(buf *b, uint32_t v) {
  do {
    uint8_t x = v & 0x7f;
    v >>= 7;
    put(b, x | (v ? 0x80 : 0));
  } while (v);
}
static void put_str(buf *b, const char *s) {
  put_u(b, (uint32_t)strlen(s));
  while (*s) put(b, (uint8_t)*s++);
}
static void put_sec(buf *m, uint8_t id, buf *s) {
  put(m, id);
  put_u(m, (uint32_t)s->len);
  for (size_t i = 0; i < s->len; i++) put(m, s->p[i]);
  free(s->p);
  *s = (buf){0};
}
static void put_sig(buf *b, const char *sig) {
  put(b, 0x60);
  const char *arrow = strstr(sig, "->");
  put_u(b, (uint32_t)(arrow - sig));
  for (const char *p = sig; p < arrow; p++) put(b, *p == 'I' ? 0x7e : 0x7f);
  put_u(b, (uint32_t)strlen(arrow + 2));
  for (const char *p = arrow + 2; *p; p++) put(b, *p == 'I' ? 0x7e : 0x7f);
}

/* Imports `names` (count n, with signatures `sigs`) from wasi_snapshot_preview1 and exports,
 * under the same names, wasm functions that pass their arguments on (a host function finds
 * the guest's memory through its wasm caller). */
static buf build_module(size_t n, const char *const *names, const char *const *sigs) {
  buf m = {0}, s = {0};
  static const uint8_t head[8] = {0, 'a', 's', 'm', 1, 0, 0, 0};
  for (int i = 0; i < 8; i++) put(&m, head[i]);
  put_u(&s, (uint32_t)n);
  for (size_t i = 0; i < n; i++) put_sig(&s, sigs[i]);
  put_sec(&m, 1, &s);
  put_u(&s, (uint32_t)n);
  for (size_t i = 0; i < n; i++) {
    put_str(&s, "wasi_snapshot_preview1");
    put_str(&s, names[i]);
    put(&s, 0x00);
    put_u(&s, (uint32_t)i);
  }
  put_sec(&m, 2, &s);
  put_u(&s, (uint32_t)n); /* function section: trampoline i has type i */
  for (size_t i = 0; i < n; i++) put_u(&s, (uint32_t)i);
  put_sec(&m, 3, &s);
  put_u(&s, 1);
  put(&s, 0x00);
  put_u(&s, 1); /* one page */
  put_sec(&m, 5, &s);
  put_u(&s, (uint32_t)n + 1);
  put_str(&s, "memory");
  put(&s, 0x02);
  put_u(&s, 0);
  for (size_t i = 0; i < n; i++) {
    put_str(&s, names[i]);
    put(&s, 0x00);
    put_u(&s, (uint32_t)(n + i));
  }
  put_sec(&m, 7, &s);
  put_u(&s, (uint32_t)n); /* code: local.get 0..k-1; call i; end */
  for (size_t i = 0; i < n; i++) {
    uint32_t k = (uint32_t)(strstr(sigs[i], "->") - sigs[i]);
    buf body = {0};
    put_u(&body, 0); /* no locals */
    for (uint32_t j = 0; j < k; j++) put(&body, 0x20), put_u(&body, j);
    put(&body, 0x10);
    put_u(&body, (uint32_t)i);
    put(&body, 0x0b);
    put_u(&s, (uint32_t)body.len);
    for (size_t j = 0; j < body.len; j++) put(&s, body.p[j]);
    free(body.p);
  }
  put_sec(&m, 10, &s);
  return m;
}

/* ---------------------------------------------------------------- an instance to poke at */

typedef struct {
  isthmus_engine *e;
  isthmus_store *s;
  isthmus_module *m;
  isthmus_wasi *w;
  isthmus_instance *inst;
  uint8_t *mem;
  int32_t exit_code; /* of the last call that exited, else -1 */
} guest;

static bool guest_new(guest *g, isthmus_wasi_config *c) {
  memset(g, 0, sizeof *g);
  const char *names[NFUNCS], *sigs[NFUNCS];
  for (size_t i = 0; i < NFUNCS; i++) names[i] = funcs[i].name, sigs[i] = funcs[i].sig;
  buf b = build_module(NFUNCS, names, sigs);
  g->e = isthmus_engine_new(NULL);
  isthmus_error *err = isthmus_module_new(g->e, b.p, b.len, &g->m);
  free(b.p);
  if (err) {
    fprintf(stderr, "module: %s\n", isthmus_error_message(err));
    return false;
  }
  g->s = isthmus_store_new(g->e);
  err = isthmus_wasi_new(g->s, c, &g->w);
  isthmus_wasi_config_delete(c);
  if (err) {
    fprintf(stderr, "wasi_new: %s\n", isthmus_error_message(err));
    isthmus_error_delete(err);
    return false;
  }
  isthmus_extern imports[NFUNCS];
  bool resolved[NFUNCS] = {0};
  if ((err = isthmus_wasi_link(g->w, g->m, imports, resolved))) {
    fprintf(stderr, "link: %s\n", isthmus_error_message(err));
    return false;
  }
  for (size_t i = 0; i < NFUNCS; i++) CHECK(resolved[i]);
  isthmus_trap *trap = NULL;
  if ((err = isthmus_instantiate(g->s, g->m, imports, NFUNCS, &g->inst, &trap)) || trap) {
    fprintf(stderr, "instantiate failed\n");
    return false;
  }
  isthmus_extern x;
  isthmus_instance_export(g->inst, "memory", 6, &x);
  g->mem = isthmus_memory_data(x.of.memory);
  return true;
}

static void guest_delete(guest *g) {
  isthmus_store_delete(g->s);
  isthmus_wasi_delete(g->w);
  isthmus_module_delete(g->m);
  isthmus_engine_delete(g->e);
}

/* Calls WASI function `name` with args (as many as it takes); returns its errno, or -1 when
 * it trapped (an exit sets g->exit_code). */
static int64_t call(guest *g, const char *name, const uint64_t *args) {
  isthmus_extern x;
  if (!isthmus_instance_export(g->inst, name, strlen(name), &x)) {
    fprintf(stderr, "no export %s\n", name);
    failures++;
    return -2;
  }
  const isthmus_functype *t = isthmus_func_type(x.of.func);
  isthmus_val a[16], r[1];
  for (uint32_t i = 0; i < t->num_params; i++) {
    a[i].kind = t->params[i];
    if (t->params[i] == ISTHMUS_I64) a[i].of.i64 = (int64_t)args[i];
    else a[i].of.i32 = (int32_t)(uint32_t)args[i];
  }
  g->exit_code = -1;
  isthmus_trap *trap = isthmus_func_call(g->s, x.of.func, a, t->num_params, r, t->num_results, NULL);
  if (trap) {
    if (isthmus_trap_code_of(trap) == ISTHMUS_TRAP_EXIT) g->exit_code = isthmus_trap_exit_code(trap);
    isthmus_trap_delete(trap);
    return -1;
  }
  return t->num_results ? (int64_t)(uint32_t)r[0].of.i32 : 0;
}
#define CALL(g, name, ...) call(g, name, (const uint64_t[]){__VA_ARGS__})
#define CALL0(g, name) call(g, name, NULL)

static uint32_t ld32(guest *g, uint32_t p) { uint32_t v; memcpy(&v, g->mem + p, 4); return v; }
static uint64_t ld64(guest *g, uint32_t p) { uint64_t v; memcpy(&v, g->mem + p, 8); return v; }
static uint16_t ld16(guest *g, uint32_t p) { uint16_t v; memcpy(&v, g->mem + p, 2); return v; }
static void st32(guest *g, uint32_t p, uint32_t v) { memcpy(g->mem + p, &v, 4); }
static void st64(guest *g, uint32_t p, uint64_t v) { memcpy(g->mem + p, &v, 8); }
static void st16(guest *g, uint32_t p, uint16_t v) { memcpy(g->mem + p, &v, 2); }
/* An iovec at p pointing at [buf, buf+len). */
static void iov(guest *g, uint32_t p, uint32_t b, uint32_t len) { st32(g, p, b); st32(g, p + 4, len); }

static double now_ms(void) {
  struct timespec t;
  clock_gettime(CLOCK_MONOTONIC, &t);
  return t.tv_sec * 1e3 + t.tv_nsec / 1e6;
}

/* ---------------------------------------------------------------- callbacks */

static char captured[4096];
static size_t captured_len;
static int capture(void *env, const uint8_t *data, size_t len) {
  (void)env;
  if (captured_len + len > sizeof captured) return -1;
  memcpy(captured + captured_len, data, len);
  captured_len += len;
  return 0;
}
static int64_t feed(void *env, uint8_t *b, size_t cap) {
  const char **src = env;
  size_t n = strlen(*src);
  if (n > cap) n = cap;
  memcpy(b, *src, n);
  *src += n;
  return (int64_t)n;
}

/* ---------------------------------------------------------------- tests */

static void test_args_env_clock_random(void) {
  isthmus_wasi_config *c = isthmus_wasi_config_new();
  const char *argv[] = {"prog", "a b", ""};
  isthmus_wasi_config_set_args(c, 3, argv);
  isthmus_wasi_config_set_env(c, "A", "1");
  isthmus_wasi_config_set_env(c, "B", "x=y");
  isthmus_wasi_config_set_env(c, "A", "2");
  guest g;
  if (!guest_new(&g, c)) { failures++; return; }
  CHECK_EQ(CALL(&g, "args_sizes_get", 100, 104), E_OK);
  CHECK_EQ(ld32(&g, 100), 3);
  CHECK_EQ(ld32(&g, 104), 5 + 4 + 1);
  CHECK_EQ(CALL(&g, "args_get", 200, 300), E_OK);
  CHECK(!strcmp((char *)g.mem + ld32(&g, 200), "prog"));
  CHECK(!strcmp((char *)g.mem + ld32(&g, 204), "a b"));
  CHECK(!strcmp((char *)g.mem + ld32(&g, 208), ""));
  CHECK_EQ(CALL(&g, "args_get", 200, 65530), E_FAULT);
  CHECK_EQ(CALL(&g, "environ_sizes_get", 100, 104), E_OK);
  CHECK_EQ(ld32(&g, 100), 2);
  CHECK_EQ(ld32(&g, 104), 4 + 6);
  CHECK_EQ(CALL(&g, "environ_get", 200, 300), E_OK);
  CHECK(!strcmp((char *)g.mem + ld32(&g, 200), "A=2"));
  CHECK(!strcmp((char *)g.mem + ld32(&g, 204), "B=x=y"));
  CHECK_EQ(CALL(&g, "environ_sizes_get", 65534, 104), E_FAULT);

  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t host_now = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
  CHECK_EQ(CALL(&g, "clock_time_get", 0, 1, 400), E_OK);
  CHECK(ld64(&g, 400) >= host_now && ld64(&g, 400) - host_now < 5000000000ull);
  for (uint64_t id = 1; id <= 3; id++) {
    CHECK_EQ(CALL(&g, "clock_time_get", id, 0, 400), E_OK);
    CHECK_EQ(CALL(&g, "clock_res_get", id, 408), E_OK);
    CHECK(ld64(&g, 408) >= 1);
  }
  CHECK_EQ(CALL(&g, "clock_time_get", 4, 0, 400), E_INVAL);
  CHECK_EQ(CALL(&g, "clock_res_get", 99, 400), E_INVAL);
  CHECK_EQ(CALL(&g, "clock_time_get", 1, 0, 65533), E_FAULT);

  memset(g.mem + 1000, 0, 64);
  CHECK_EQ(CALL(&g, "random_get", 1000, 64), E_OK);
  int nonzero = 0;
  for (int i = 0; i < 64; i++) nonzero += g.mem[1000 + i] != 0;
  CHECK(nonzero > 40);
  CHECK_EQ(CALL(&g, "random_get", 65500, 100), E_FAULT);
  CHECK_EQ(CALL(&g, "random_get", 65536, 0), E_OK);
  CHECK_EQ(CALL0(&g, "sched_yield"), E_OK);

  CHECK_EQ(CALL(&g, "proc_exit", 7), -1);
  CHECK_EQ(g.exit_code, 7);
  CHECK_EQ(CALL(&g, "proc_raise", 6), -1); /* SIGABRT: ends the guest like a shell reports it */
  CHECK_EQ(g.exit_code, 128 + 6);
  CHECK_EQ(CALL(&g, "proc_raise", 0), E_OK);
  CHECK_EQ(CALL(&g, "proc_raise", 16), E_OK); /* CHLD: ignored by default */
  CHECK_EQ(CALL(&g, "proc_raise", 31), E_INVAL);
  guest_delete(&g);
}

static void test_callbacks_and_rights(void) {
  isthmus_wasi_config *c = isthmus_wasi_config_new();
  const char *input = "hello input";
  isthmus_wasi_config_stdout_callback(c, 1, capture, NULL);
  isthmus_wasi_config_stdio_null(c, 2);
  isthmus_wasi_config_stdin_callback(c, feed, &input);
  guest g;
  if (!guest_new(&g, c)) { failures++; return; }
  captured_len = 0;
  memcpy(g.mem + 1000, "abc", 3);
  memcpy(g.mem + 1100, "defg", 4);
  iov(&g, 500, 1000, 3);
  iov(&g, 508, 1100, 0);
  iov(&g, 516, 1100, 4);
  CHECK_EQ(CALL(&g, "fd_write", 1, 500, 3, 600), E_OK);
  CHECK_EQ(ld32(&g, 600), 7);
  CHECK(captured_len == 7 && !memcmp(captured, "abcdefg", 7));
  CHECK_EQ(CALL(&g, "fd_write", 2, 500, 3, 600), E_OK); /* null: discarded, counted */
  CHECK_EQ(ld32(&g, 600), 7);
  CHECK_EQ(CALL(&g, "fd_write", 0, 500, 3, 600), E_NOTCAPABLE);
  CHECK_EQ(CALL(&g, "fd_write", 9, 500, 3, 600), E_BADF);
  CHECK_EQ(CALL(&g, "fd_write", 1, 65530, 3, 600), E_FAULT); /* iovec array out of bounds */
  iov(&g, 700, 65530, 100);
  CHECK_EQ(CALL(&g, "fd_write", 1, 700, 1, 600), E_FAULT); /* buffer out of bounds */
  CHECK_EQ(CALL(&g, "fd_write", 1, 500, 1, 65534), E_FAULT); /* result out of bounds */
  CHECK_EQ(CALL(&g, "fd_write", 1, 500, 0x20000000, 600), E_FAULT); /* huge count */
  CHECK_EQ(captured_len, 7);

  iov(&g, 500, 2000, 5);
  iov(&g, 508, 2100, 100);
  CHECK_EQ(CALL(&g, "fd_read", 0, 500, 2, 600), E_OK);
  CHECK_EQ(ld32(&g, 600), 5);
  CHECK(!memcmp(g.mem + 2000, "hello", 5));
  CHECK_EQ(CALL(&g, "fd_read", 0, 508, 1, 600), E_OK);
  CHECK_EQ(ld32(&g, 600), 6);
  CHECK_EQ(CALL(&g, "fd_read", 0, 508, 1, 600), E_OK);
  CHECK_EQ(ld32(&g, 600), 0); /* end of input */
  CHECK_EQ(CALL(&g, "fd_read", 1, 508, 1, 600), E_NOTCAPABLE);
  CHECK_EQ(CALL(&g, "fd_read", 2, 508, 1, 600), E_NOTCAPABLE);
  CHECK_EQ(CALL(&g, "fd_seek", 1, 0, 0, 600), E_SPIPE);
  CHECK_EQ(CALL(&g, "fd_pwrite", 1, 500, 1, 0, 600), E_NOTCAPABLE); /* no seek right */

  /* fdstat of a callback stream: a character device without seek/tell (a terminal to wasi-libc) */
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 1, 800), E_OK);
  CHECK_EQ(g.mem[800], 2);
  uint64_t base = ld64(&g, 808);
  CHECK((base & (1u << 6)) && !(base & (1u << 2)) && !(base & (1u << 5)) && !(base & (1u << 1)));
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 1, 65530), E_FAULT);
  CHECK_EQ(CALL(&g, "fd_fdstat_set_flags", 1, 4), E_OK); /* nonblock: recorded */
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 1, 800), E_OK);
  CHECK_EQ(ld16(&g, 802), 4);
  CHECK_EQ(CALL(&g, "fd_fdstat_set_flags", 1, 64), E_INVAL);
  CHECK_EQ(CALL(&g, "fd_fdstat_set_flags", 1, 16), 58); /* sync cannot be turned on: ENOTSUP */

  /* rights may only shrink */
  CHECK_EQ(CALL(&g, "fd_fdstat_set_rights", 1, base & ~(1ull << 6), 0), E_OK);
  CHECK_EQ(CALL(&g, "fd_write", 1, 500, 1, 600), E_NOTCAPABLE);
  CHECK_EQ(CALL(&g, "fd_fdstat_set_rights", 1, base, 0), E_NOTCAPABLE);
  CHECK_EQ(CALL(&g, "fd_fdstat_set_rights", 1, 0, 1), E_NOTCAPABLE);

  CHECK_EQ(CALL(&g, "sock_recv", 0, 500, 1, 0, 600, 604), E_NOTSOCK);
  CHECK_EQ(CALL(&g, "sock_shutdown", 1, 3), E_NOTSOCK);
  CHECK_EQ(CALL(&g, "sock_accept", 3, 0, 600), E_BADF);

  CHECK_EQ(CALL(&g, "fd_close", 2), E_OK);
  CHECK_EQ(CALL(&g, "fd_close", 2), E_BADF);
  CHECK_EQ(CALL(&g, "fd_renumber", 0, 2), E_BADF); /* `to` must be open */
  CHECK_EQ(CALL(&g, "fd_renumber", 0, 1), E_OK);   /* stdin callback moves to fd 1 */
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 0, 800), E_BADF);
  input = "zz";
  CHECK_EQ(CALL(&g, "fd_read", 1, 500, 1, 600), E_OK);
  CHECK_EQ(ld32(&g, 600), 2);
  guest_delete(&g);
}

static char tmpdir[] = "/tmp/isthmus-wasi-core-XXXXXX";

static void test_files(void) {
  char in_path[256], out_path[256];
  snprintf(in_path, sizeof in_path, "%s/in.txt", tmpdir);
  snprintf(out_path, sizeof out_path, "%s/out.txt", tmpdir);
  FILE *f = fopen(in_path, "w");
  fputs("0123456789", f);
  fclose(f);
  isthmus_wasi_config *c = isthmus_wasi_config_new();
  isthmus_wasi_config_stdio_file(c, 0, in_path);
  isthmus_wasi_config_stdio_file(c, 1, out_path);
  isthmus_wasi_config_stdio_null(c, 2);
  isthmus_wasi_config_preopen_dir(c, tmpdir, "/data", true);
  isthmus_wasi_config_preopen_dir(c, tmpdir, "/rw", false);
  guest g;
  if (!guest_new(&g, c)) { failures++; return; }

  iov(&g, 500, 1000, 4);
  CHECK_EQ(CALL(&g, "fd_read", 0, 500, 1, 600), E_OK);
  CHECK(ld32(&g, 600) == 4 && !memcmp(g.mem + 1000, "0123", 4));
  CHECK_EQ(CALL(&g, "fd_tell", 0, 600), E_OK);
  CHECK_EQ(ld64(&g, 600), 4);
  CHECK_EQ(CALL(&g, "fd_seek", 0, (uint64_t)-2, 2, 600), E_OK);
  CHECK_EQ(ld64(&g, 600), 8);
  CHECK_EQ(CALL(&g, "fd_seek", 0, 1, 1, 600), E_OK);
  CHECK_EQ(ld64(&g, 600), 9);
  CHECK_EQ(CALL(&g, "fd_seek", 0, 0, 3, 600), E_INVAL);
  CHECK_EQ(CALL(&g, "fd_seek", 0, (uint64_t)-100, 0, 600), E_INVAL);
  CHECK_EQ(CALL(&g, "fd_pread", 0, 500, 1, 2, 600), E_OK);
  CHECK(ld32(&g, 600) == 4 && !memcmp(g.mem + 1000, "2345", 4));
  CHECK_EQ(CALL(&g, "fd_tell", 0, 600), E_OK);
  CHECK_EQ(ld64(&g, 600), 9); /* pread leaves the offset alone */
  CHECK_EQ(CALL(&g, "fd_write", 0, 500, 1, 600), E_NOTCAPABLE); /* read-only file */
  CHECK_EQ(CALL(&g, "fd_advise", 0, 0, 10, 1), E_OK);
  CHECK_EQ(CALL(&g, "fd_advise", 0, 0, 10, 6), E_INVAL);
  CHECK_EQ(CALL(&g, "fd_allocate", 0, 0, 10), E_NOTCAPABLE);
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 0, 800), E_OK);
  CHECK_EQ(g.mem[800], 4);

  memcpy(g.mem + 1000, "hello world", 11);
  iov(&g, 500, 1000, 11);
  CHECK_EQ(CALL(&g, "fd_write", 1, 500, 1, 600), E_OK);
  CHECK_EQ(ld32(&g, 600), 11);
  iov(&g, 500, 1000, 5);
  CHECK_EQ(CALL(&g, "fd_pwrite", 1, 500, 1, 6, 600), E_OK); /* "hello hello" */
  CHECK_EQ(CALL(&g, "fd_sync", 1), E_OK);
  CHECK_EQ(CALL(&g, "fd_datasync", 1), E_OK);
  CHECK_EQ(CALL(&g, "fd_allocate", 1, 0, 100), E_OK);
  CHECK_EQ(CALL(&g, "fd_allocate", 1, 0, 0), E_INVAL);
  CHECK_EQ(CALL(&g, "fd_read", 1, 500, 1, 600), E_NOTCAPABLE); /* write-only file */
  CHECK_EQ(CALL(&g, "fd_fdstat_set_flags", 1, 1), E_OK); /* append */
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 1, 800), E_OK);
  CHECK_EQ(ld16(&g, 802), 1);
  CHECK_EQ(CALL(&g, "fd_seek", 1, 0, 0, 600), E_OK);
  memcpy(g.mem + 1000, "!", 1);
  iov(&g, 500, 1000, 1);
  CHECK_EQ(CALL(&g, "fd_write", 1, 500, 1, 600), E_OK); /* appended after the allocated 100 */
  struct stat st;
  stat(out_path, &st);
  CHECK_EQ(st.st_size, 101);
  char got[16] = {0};
  f = fopen(out_path, "r");
  CHECK(fread(got, 1, 11, f) == 11);
  fclose(f);
  CHECK(!strcmp(got, "hello hello"));

  /* preopens: fds 3 and 4, directories, read-only one without write-ish rights */
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 3, 800), E_OK);
  CHECK_EQ(g.mem[800], 3);
  CHECK(!(ld64(&g, 808) & (1u << 10)) && (ld64(&g, 808) & (1u << 13))); /* no create_file, path_open */
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 4, 800), E_OK);
  CHECK((ld64(&g, 808) & (1u << 10)) && (ld64(&g, 816) & (1u << 6)));
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 5, 800), E_BADF);
  CHECK_EQ(CALL(&g, "fd_tell", 3, 600), 31);        /* EISDIR */
  CHECK_EQ(CALL(&g, "fd_seek", 4, 0, 0, 600), 31);
  iov(&g, 500, 1000, 1);
  CHECK_EQ(CALL(&g, "fd_read", 4, 500, 1, 600), E_NOTCAPABLE);
  CHECK_EQ(CALL(&g, "fd_write", 4, 500, 1, 600), E_NOTCAPABLE);
  CHECK_EQ(CALL(&g, "fd_renumber", 4, 3), E_OK);
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 4, 800), E_BADF);
  CHECK_EQ(CALL(&g, "fd_fdstat_get", 3, 800), E_OK);
  CHECK(ld64(&g, 808) & (1u << 10)); /* fd 3 is now the writable preopen */
  CHECK_EQ(CALL(&g, "fd_close", 3), E_OK);
  guest_delete(&g);

  /* errors name the path */
  c = isthmus_wasi_config_new();
  isthmus_wasi_config_preopen_dir(c, "/nonexistent/dir", "/x", false);
  isthmus_wasi *w;
  isthmus_engine *e = isthmus_engine_new(NULL);
  isthmus_store *s = isthmus_store_new(e);
  isthmus_error *err = isthmus_wasi_new(s, c, &w);
  CHECK(err && strstr(isthmus_error_message(err), "/nonexistent/dir"));
  if (err) isthmus_error_delete(err);
  isthmus_wasi_config_delete(c);
  c = isthmus_wasi_config_new();
  isthmus_wasi_config_stdio_file(c, 0, "/nonexistent/in");
  err = isthmus_wasi_new(s, c, &w);
  CHECK(err && strstr(isthmus_error_message(err), "/nonexistent/in"));
  if (err) isthmus_error_delete(err);
  isthmus_wasi_config_delete(c);
  isthmus_store_delete(s);
  isthmus_engine_delete(e);
  unlink(in_path);
  unlink(out_path);
}

/* Subscription at p: clock (id, timeout ns, flags) or fd (type 1/2, fd). */
static void sub_clock(guest *g, uint32_t p, uint64_t ud, uint32_t id, uint64_t timeout, uint16_t flags) {
  memset(g->mem + p, 0, 48);
  st64(g, p, ud);
  g->mem[p + 8] = 0;
  st32(g, p + 16, id);
  st64(g, p + 24, timeout);
  st16(g, p + 40, flags);
}
static void sub_fd(guest *g, uint32_t p, uint64_t ud, uint8_t type, uint32_t fd) {
  memset(g->mem + p, 0, 48);
  st64(g, p, ud);
  g->mem[p + 8] = type;
  st32(g, p + 16, fd);
}

static void test_poll_and_pipes(void) {
  int pfd[2];
  CHECK(pipe(pfd) == 0);
  int saved0 = dup(0);
  dup2(pfd[0], 0); /* the guest inherits a pipe as stdin */
  close(pfd[0]);
  isthmus_wasi_config *c = isthmus_wasi_config_new();
  isthmus_wasi_config_stdout_callback(c, 1, capture, NULL);
  guest g;
  bool ok = guest_new(&g, c);
  dup2(saved0, 0);
  close(saved0);
  if (!ok) { failures++; return; }

  CHECK_EQ(CALL(&g, "poll_oneoff", 1000, 2000, 0, 3000), E_INVAL);
  CHECK_EQ(CALL(&g, "poll_oneoff", 65500, 2000, 1, 3000), E_FAULT);
  g.mem[1008] = 9;
  CHECK_EQ(CALL(&g, "poll_oneoff", 1000, 2000, 1, 3000), E_INVAL); /* unknown event type */

  /* clock only, relative monotonic: really sleeps */
  sub_clock(&g, 1000, 0xabcdef0123ull, 1, 30000000, 0);
  double t0 = now_ms();
  CHECK_EQ(CALL(&g, "poll_oneoff", 1000, 2000, 1, 3000), E_OK);
  double slept = now_ms() - t0;
  CHECK(slept >= 29.5 && slept < 500);
  CHECK_EQ(ld32(&g, 3000), 1);
  CHECK_EQ(ld64(&g, 2000), 0xabcdef0123ull);
  CHECK_EQ(ld16(&g, 2008), 0);
  CHECK_EQ(g.mem[2010], 0);

  /* absolute realtime, 20 ms ahead */
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  uint64_t at = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec + 20000000u;
  sub_clock(&g, 1000, 5, 0, at, 1);
  t0 = now_ms();
  CHECK_EQ(CALL(&g, "poll_oneoff", 1000, 2000, 1, 3000), E_OK);
  slept = now_ms() - t0;
  CHECK(slept >= 15 && slept < 500);
  CHECK_EQ(ld32(&g, 3000), 1);
  /* an absolute time in the past fires at once */
  sub_clock(&g, 1000, 6, 1, 1, 1);
  CHECK_EQ(CALL(&g, "poll_oneoff", 1000, 2000, 1, 3000), E_OK);
  CHECK_EQ(ld32(&g, 3000), 1);

  /* pipe with nothing to read + 20 ms timeout: the clock fires */
  sub_fd(&g, 1000, 1, 1, 0);
  sub_clock(&g, 1048, 2, 1, 20000000, 0);
  t0 = now_ms();
  CHECK_EQ(CALL(&g, "poll_oneoff", 1000, 2000, 2, 3000), E_OK);
  CHECK(now_ms() - t0 >= 19);
  CHECK_EQ(ld32(&g, 3000), 1);
  CHECK_EQ(ld64(&g, 2000), 2);
  /* data in the pipe: the fd fires at once, nbytes known */
  CHECK(write(pfd[1], "12345", 5) == 5);
  sub_clock(&g, 1048, 2, 1, 10000000000ull, 0);
  t0 = now_ms();
  CHECK_EQ(CALL(&g, "poll_oneoff", 1000, 2000, 2, 3000), E_OK);
  CHECK(now_ms() - t0 < 1000);
  CHECK_EQ(ld32(&g, 3000), 1);
  CHECK_EQ(ld64(&g, 2000), 1);
  CHECK_EQ(g.mem[2010], 1);
  CHECK_EQ(ld16(&g, 2008), 0);
  CHECK_EQ(ld64(&g, 2016), 5);
  /* mixed with a callback stream (always writable) and a bad fd (an error event) */
  sub_fd(&g, 1048, 3, 2, 1);
  sub_fd(&g, 1096, 4, 1, 77);
  CHECK_EQ(CALL(&g, "poll_oneoff", 1000, 2000, 3, 3000), E_OK);
  CHECK_EQ(ld32(&g, 3000), 3);
  CHECK_EQ(ld64(&g, 2032), 3);
  CHECK_EQ(g.mem[2042], 2);
  CHECK_EQ(ld64(&g, 2064), 4);
  CHECK_EQ(ld16(&g, 2072), E_BADF);
  /* reading it, then the writer hangs up */
  iov(&g, 500, 4000, 100);
  CHECK_EQ(CALL(&g, "fd_read", 0, 500, 1, 600), E_OK);
  CHECK_EQ(ld32(&g, 600), 5);
  CHECK_EQ(CALL(&g, "fd_seek", 0, 0, 1, 600), E_SPIPE);
  CHECK_EQ(CALL(&g, "fd_fdstat_set_flags", 0, 4), E_OK); /* emulated for inherited stdio */
  CHECK_EQ(CALL(&g, "fd_read", 0, 500, 1, 600), E_AGAIN);
  CHECK_EQ(fcntl(pfd[1], F_GETFL) & O_NONBLOCK, 0);
  CHECK_EQ(CALL(&g, "fd_fdstat_set_flags", 0, 0), E_OK);
  close(pfd[1]);
  sub_fd(&g, 1000, 1, 1, 0);
  CHECK_EQ(CALL(&g, "poll_oneoff", 1000, 2000, 1, 3000), E_OK);
  CHECK_EQ(ld32(&g, 3000), 1);
  CHECK_EQ(ld16(&g, 2024), 1); /* hangup */
  CHECK_EQ(CALL(&g, "fd_read", 0, 500, 1, 600), E_OK);
  CHECK_EQ(ld32(&g, 600), 0);
  guest_delete(&g);
}

static void test_sockets(void) {
  int sv[2];
  CHECK(socketpair(AF_UNIX, SOCK_STREAM, 0, sv) == 0);
  char sock_path[256];
  snprintf(sock_path, sizeof sock_path, "%s/s", tmpdir);
  int ls = socket(AF_UNIX, SOCK_STREAM, 0);
  struct sockaddr_un sa = {.sun_family = AF_UNIX};
  strcpy(sa.sun_path, sock_path);
  CHECK(bind(ls, (struct sockaddr *)&sa, sizeof sa) == 0 && listen(ls, 4) == 0);
  int saved0 = dup(0), saved1 = dup(1);
  dup2(sv[0], 0);
  dup2(ls, 1);
  close(sv[0]);
  close(ls);
  isthmus_wasi_config *c = isthmus_wasi_config_new();
  guest g;
  bool ok = guest_new(&g, c);
  dup2(saved0, 0);
  dup2(saved1, 1);
  close(saved0);
  close(saved1);
  if (!ok) { failures++; return; }

  CHECK_EQ(CALL(&g, "fd_fdstat_get", 0, 800), E_OK);
  CHECK_EQ(g.mem[800], 6);
  memcpy(g.mem + 1000, "ping", 4);
  iov(&g, 500, 1000, 4);
  CHECK_EQ(CALL(&g, "sock_send", 0, 500, 1, 0, 600), E_OK);
  CHECK_EQ(ld32(&g, 600), 4);
  CHECK_EQ(CALL(&g, "sock_send", 0, 500, 1, 1, 600), E_INVAL);
  char b[8] = {0};
  CHECK(read(sv[1], b, sizeof b) == 4 && !memcmp(b, "ping", 4));
  CHECK(write(sv[1], "pong!", 5) == 5);
  iov(&g, 500, 2000, 3);
  CHECK_EQ(CALL(&g, "sock_recv", 0, 500, 1, 1, 600, 604), E_OK); /* peek */
  CHECK(ld32(&g, 600) == 3 && !memcmp(g.mem + 2000, "pon", 3));
  iov(&g, 500, 2000, 16);
  CHECK_EQ(CALL(&g, "sock_recv", 0, 500, 1, 0, 600, 604), E_OK);
  CHECK(ld32(&g, 600) == 5 && !memcmp(g.mem + 2000, "pong!", 5));
  CHECK_EQ(ld16(&g, 604), 0);
  CHECK_EQ(CALL(&g, "sock_recv", 0, 500, 1, 4, 600, 604), E_INVAL);
  CHECK_EQ(CALL(&g, "fd_fdstat_set_flags", 0, 4), E_OK); /* nonblock, emulated on inherited stdio */
  CHECK_EQ(CALL(&g, "sock_recv", 0, 500, 1, 0, 600, 604), E_AGAIN);
  CHECK_EQ(CALL(&g, "fd_read", 0, 500, 1, 600), E_AGAIN);
  CHECK_EQ(CALL(&g, "fd_fdstat_set_flags", 1, 4), E_OK);
  CHECK_EQ(CALL(&g, "sock_accept", 1, 0, 600), E_AGAIN);
  CHECK_EQ(CALL(&g, "fd_fdstat_set_flags", 1, 0), E_OK);
  CHECK_EQ(CALL(&g, "sock_shutdown", 0, 0), E_INVAL);
  CHECK_EQ(CALL(&g, "sock_shutdown", 0, 2), E_OK);
  CHECK(read(sv[1], b, sizeof b) == 0);
  CHECK_EQ(CALL(&g, "sock_send", 0, 500, 1, 0, 600), E_PIPE);
  close(sv[1]);

  int cs = socket(AF_UNIX, SOCK_STREAM, 0);
  CHECK(connect(cs, (struct sockaddr *)&sa, sizeof sa) == 0);
  CHECK_EQ(CALL(&g, "sock_accept", 1, 0, 600), E_OK);
  uint32_t nfd = ld32(&g, 600);
  CHECK(nfd >= 3);
  CHECK(write(cs, "hi", 2) == 2);
  iov(&g, 500, 2000, 16);
  CHECK_EQ(CALL(&g, "fd_read", nfd, 500, 1, 600), E_OK);
  CHECK_EQ(ld32(&g, 600), 2);
  CHECK_EQ(CALL(&g, "fd_fdstat_get", nfd, 800), E_OK);
  CHECK_EQ(g.mem[800], 6);
  CHECK_EQ(CALL(&g, "sock_accept", 1, 1, 600), E_INVAL); /* only nonblock is a valid flag */
  close(cs);
  guest_delete(&g);
  unlink(sock_path);
}

static void test_link_errors(void) {
  isthmus_engine *e = isthmus_engine_new(NULL);
  isthmus_store *s = isthmus_store_new(e);
  isthmus_wasi *w;
  CHECK(isthmus_wasi_new(s, NULL, &w) == NULL);
  const char *names1[] = {"nope"}, *sigs1[] = {"->"};
  const char *names2[] = {"fd_write"}, *sigs2[] = {"iii->i"};
  for (int k = 0; k < 2; k++) {
    buf b = k ? build_module(1, names2, sigs2) : build_module(1, names1, sigs1);
    isthmus_module *m;
    CHECK(isthmus_module_new(e, b.p, b.len, &m) == NULL);
    free(b.p);
    isthmus_extern imp[1];
    isthmus_error *err = isthmus_wasi_link(w, m, imp, NULL);
    CHECK(err != NULL);
    if (err) {
      const char *msg = isthmus_error_message(err);
      if (k == 0) CHECK(strstr(msg, "unknown WASI function wasi_snapshot_preview1.nope"));
      else CHECK(strstr(msg, "fd_write") && strstr(msg, "(i32, i32, i32) -> (i32)"));
      CHECK_EQ(isthmus_error_kind_of(err), ISTHMUS_ERR_LINK);
      isthmus_error_delete(err);
    }
    isthmus_module_delete(m);
  }
  isthmus_store_delete(s);
  isthmus_wasi_delete(w);
  isthmus_engine_delete(e);
}

int main(void) {
  if (!mkdtemp(tmpdir)) {
    perror("mkdtemp");
    return 1;
  }
  test_args_env_clock_random();
  test_callbacks_and_rights();
  test_files();
  test_poll_and_pipes();
  test_sockets();
  test_link_errors();
  rmdir(tmpdir);
  if (failures) {
    fprintf(stderr, "test_wasi_core: %d failure(s)\n", failures);
    return 1;
  }
  printf("test_wasi_core: ok\n");
  return 0;
}
