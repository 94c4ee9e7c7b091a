/* test_exec — the interpreter's boundary with the host. Inside the interpreter an i32 slot
 * holds its value zero-extended, and the lowering makes i64.extend_i32_u free on that
 * promise (src/exec/exec.h). The API only says an i32 cell holds its value in the low 32
 * bits, so this test gives the engine i32 cells with garbage in the upper half, as
 * arguments of host -> wasm calls and as results of host functions, and checks that the
 * guest never sees it. No arguments; exits non-zero on failure. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "isthmus.h"

static int failures;
#define CHECK_EQ(a, b)                                                                                  \
  do {                                                                                                  \
    unsigned long long a_ = (unsigned long long)(a), b_ = (unsigned long long)(b);                      \
    if (a_ != b_) {                                                                                     \
      fprintf(stderr, "%s:%d: FAIL: %s == %#llx, expected %#llx\n", __FILE__, __LINE__, #a, a_, b_);    \
      failures++;                                                                                       \
    }                                                                                                   \
  } while (0)

/* (module
 *   (import "h" "dirty" (func $d (result i32)))
 *   (func (export "ext_host") (result i64) (i64.extend_i32_u (call $d)))
 *   (func (export "ext_param") (param i32) (result i64) (i64.extend_i32_u (local.get 0)))
 *   (func (export "ext_param3") (param i64 i32 i32) (result i64)
 *     (i64.add (local.get 0) (i64.add (i64.extend_i32_u (local.get 1)) (i64.extend_i32_u (local.get 2)))))
 *   (func (export "ext_param5") (param i32 i32 i32 i32 i32) (result i64) (i64.extend_i32_u (local.get 4)))) */
static const uint8_t module_bytes[] = {
  0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00, 0x01, 0x1e, 0x05, 0x60, 0x00, 0x01, 0x7f, 0x60, 0x00,
  0x01, 0x7e, 0x60, 0x01, 0x7f, 0x01, 0x7e, 0x60, 0x03, 0x7e, 0x7f, 0x7f, 0x01, 0x7e, 0x60, 0x05, 0x7f,
  0x7f, 0x7f, 0x7f, 0x7f, 0x01, 0x7e, 0x02, 0x0b, 0x01, 0x01, 0x68, 0x05, 0x64, 0x69, 0x72, 0x74, 0x79,
  0x00, 0x00, 0x03, 0x05, 0x04, 0x01, 0x02, 0x03, 0x04, 0x07, 0x32, 0x04, 0x08, 0x65, 0x78, 0x74, 0x5f,
  0x68, 0x6f, 0x73, 0x74, 0x00, 0x01, 0x09, 0x65, 0x78, 0x74, 0x5f, 0x70, 0x61, 0x72, 0x61, 0x6d, 0x00,
  0x02, 0x0a, 0x65, 0x78, 0x74, 0x5f, 0x70, 0x61, 0x72, 0x61, 0x6d, 0x33, 0x00, 0x03, 0x0a, 0x65, 0x78,
  0x74, 0x5f, 0x70, 0x61, 0x72, 0x61, 0x6d, 0x35, 0x00, 0x04, 0x0a, 0x20, 0x04, 0x05, 0x00, 0x10, 0x00,
  0xad, 0x0b, 0x05, 0x00, 0x20, 0x00, 0xad, 0x0b, 0x0c, 0x00, 0x20, 0x00, 0x20, 0x01, 0xad, 0x20, 0x02,
  0xad, 0x7c, 0x7c, 0x0b, 0x05, 0x00, 0x20, 0x04, 0xad, 0x0b,
};

/* A host function that leaves the upper half of its i32 result dirty (allowed by the API). */
static isthmus_trap *dirty(void *env, isthmus_caller *caller, uint64_t *cells) {
  (void)env;
  (void)caller;
  cells[0] = 0xdeadbeef00000000ull | 0x87654321u;
  return NULL;
}

static isthmus_func *export_func(isthmus_instance *inst, const char *name) {
  isthmus_extern x;
  if (!isthmus_instance_export(inst, name, strlen(name), &x) || x.kind != ISTHMUS_EXTERN_FUNC) {
    fprintf(stderr, "no export %s\n", name);
    exit(1);
  }
  return x.of.func;
}

int main(void) {
  isthmus_engine *eng = isthmus_engine_new(NULL);
  isthmus_module *mod;
  isthmus_error *e = isthmus_module_new(eng, module_bytes, sizeof module_bytes, &mod);
  if (e) {
    fprintf(stderr, "load: %s\n", isthmus_error_message(e));
    return 1;
  }
  isthmus_store *s = isthmus_store_new(eng);
  const isthmus_valtype r32[] = {ISTHMUS_I32};
  isthmus_functype ft = {0, 1, NULL, r32};
  isthmus_extern imp = {.kind = ISTHMUS_EXTERN_FUNC, .of.func = isthmus_func_new(s, &ft, dirty, NULL, NULL)};
  isthmus_instance *inst;
  isthmus_trap *trap = NULL;
  e = isthmus_instantiate(s, mod, &imp, 1, &inst, &trap);
  if (e || trap) {
    fprintf(stderr, "instantiate failed\n");
    return 1;
  }
  uint64_t cells[5];
  for (int rep = 0; rep < 2; rep++) { /* the first call lowers, the second runs lowered code */
    memset(cells, 0, sizeof cells);
    CHECK_EQ(isthmus_func_call_unchecked(s, export_func(inst, "ext_host"), cells), 0);
    CHECK_EQ(cells[0], 0x87654321u);

    cells[0] = 0xffffffff00000005ull;
    CHECK_EQ(isthmus_func_call_unchecked(s, export_func(inst, "ext_param"), cells), 0);
    CHECK_EQ(cells[0], 5);

    cells[0] = 0x100000000ull; /* an i64: kept whole */
    cells[1] = 0xffffffff00000001ull;
    cells[2] = 0x1234567800000002ull;
    CHECK_EQ(isthmus_func_call_unchecked(s, export_func(inst, "ext_param3"), cells), 0);
    CHECK_EQ(cells[0], 0x100000003ull);

    for (int i = 0; i < 5; i++) cells[i] = 0xabcdef0000000000ull | (uint64_t)(i + 10);
    CHECK_EQ(isthmus_func_call_unchecked(s, export_func(inst, "ext_param5"), cells), 0);
    CHECK_EQ(cells[0], 14);
  }
  isthmus_store_delete(s);
  isthmus_module_delete(mod);
  isthmus_engine_delete(eng);
  if (failures) {
    fprintf(stderr, "test_exec: %d failures\n", failures);
    return 1;
  }
  printf("test_exec: passed\n");
  return 0;
}
