/* libFuzzer harness for the decoder and validator (`make fuzz`). Every input must be either
 * accepted or refused with an error that has a kind and a message; nothing may crash, leak
 * or read out of bounds (the harness is built with ASan and UBSan). Accepted modules are
 * also lowered function by function, since lowering walks the same bytes again. */
#include <stdio.h>
#include <stdlib.h>

#include "exec.h"
#include "isthmus.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  static isthmus_engine *engine;
  if (!engine) engine = isthmus_engine_new(NULL);
  isthmus_module *m = NULL;
  isthmus_error *err = isthmus_module_new(engine, data, size, &m);
  if (err) {
    if (m || !isthmus_error_message(err) || !isthmus_error_message(err)[0]) abort();
    isthmus_error_delete(err);
    return 0;
  }
  /* Lower every function (normally done lazily on first call). */
  exe_init_handlers();
  for (uint32_t i = m->num_func_imports; i < m->num_funcs; i++) {
    exe_code *c = exe_lower(m, i);
    free(c->srcmap);
    free(c);
  }
  /* Instantiate import-free modules without a start function (a start function could loop). */
  if (isthmus_module_import_count(m) == 0 && isthmus_module_start(m) < 0) {
    isthmus_store *s = isthmus_store_new(engine);
    isthmus_instance *inst = NULL;
    isthmus_trap *trap = NULL;
    isthmus_error *e2 = isthmus_instantiate(s, m, NULL, 0, &inst, &trap);
    if (e2) isthmus_error_delete(e2);
    if (trap) isthmus_trap_delete(trap);
    isthmus_store_delete(s);
  }
  isthmus_module_delete(m);
  return 0;
}
