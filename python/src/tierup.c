/* tierup.c — Func.tier: which tier a function runs on now (the AUTO tier moves hot functions
 * from the interpreter to native code in the background; see docs/design.md).
 *
 * The getter is added to the Func type after it is made, so that func.c keeps one owner: a
 * descriptor in the heap type's dict, then PyType_Modified for the attribute cache. */
#include "ist.h"

static PyObject *func_get_tier(PyObject *self, void *c) {
  (void)c;
  switch (isthmus_func_tier(((FuncObject *)self)->func)) {
    case ISTHMUS_TIER_INTERP: return PyUnicode_FromString("interp");
    case ISTHMUS_TIER_AOT: return PyUnicode_FromString("aot");
    default: Py_RETURN_NONE; /* a host function */
  }
}

static PyGetSetDef tier_getset = {
    "tier", func_get_tier, NULL,
    "The tier this wasm function runs on now: \"interp\" or \"aot\" (None for host functions).\n"
    "With tier=\"auto\" it changes from \"interp\" to \"aot\" once the function has been hot and\n"
    "its background compile is in use (see Instance.wait_compiled).",
    NULL};

int ist_tierup_exec(PyObject *m) {
  ist_state *st = ist_state_of_module(m);
  PyTypeObject *tp = st->Func;
  PyObject *d = PyDescr_NewGetSet(tp, &tier_getset);
  if (!d) return -1;
  int r = PyDict_SetItemString(tp->tp_dict, "tier", d);
  Py_DECREF(d);
  if (r < 0) return -1;
  PyType_Modified(tp);
  return 0;
}
