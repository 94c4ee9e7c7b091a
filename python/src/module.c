/* module.c — the extension module `isthmus._isthmus`: multi-phase init, module state,
 * exception classes, and the SIGINT hook that turns Ctrl-C into an engine interrupt. */
#include <errno.h>
#include <signal.h>

#include "ist.h"

/* ---------------------------------------------------------------- compatibility */

PyObject *ist_fetch_exception(void) {
#if PY_VERSION_HEX >= 0x030C0000
  return PyErr_GetRaisedException();
#else
  PyObject *t, *v, *tb;
  PyErr_Fetch(&t, &v, &tb);
  if (!t) return NULL;
  PyErr_NormalizeException(&t, &v, &tb);
  if (tb && v) PyException_SetTraceback(v, tb);
  Py_XDECREF(t);
  Py_XDECREF(tb);
  return v;
#endif
}

void ist_restore_exception(PyObject *exc) {
#if PY_VERSION_HEX >= 0x030C0000
  PyErr_SetRaisedException(exc);
#else
  if (!exc) return;
  PyObject *tb = PyException_GetTraceback(exc);
  PyObject *t = Py_NewRef(Py_TYPE(exc));
  PyErr_Restore(t, exc, tb);
#endif
}

/* ---------------------------------------------------------------- state */

ist_state *ist_state_of_module(PyObject *module) { return (ist_state *)PyModule_GetState(module); }

ist_state *ist_state_of_type(PyTypeObject *tp) {
#if PY_VERSION_HEX >= 0x030B0000
  PyObject *m = PyType_GetModuleByDef(tp, &ist_moduledef);
  if (!m) return NULL;
  return ist_state_of_module(m);
#else
  for (PyTypeObject *t = tp; t; t = t->tp_base) {
    if (!PyType_HasFeature(t, Py_TPFLAGS_HEAPTYPE)) continue;
    PyObject *m = ((PyHeapTypeObject *)t)->ht_module;
    if (m && PyModule_GetDef(m) == &ist_moduledef) return ist_state_of_module(m);
  }
  PyErr_SetString(PyExc_TypeError, "object does not belong to isthmus._isthmus");
  return NULL;
#endif
}

PyObject *ist_default_engine(ist_state *st) {
  if (!st->default_engine) {
    st->default_engine = PyObject_CallNoArgs((PyObject *)st->Engine);
    if (!st->default_engine) return NULL;
  }
  return Py_NewRef(st->default_engine);
}

/* ---------------------------------------------------------------- Ctrl-C */

/* SIGINT reaches CPython's own C handler, which only sets a flag that the eval loop polls.
 * While wasm runs, no bytecode runs, so we chain a handler in front of it that also asks the
 * store running on the main thread to stop (isthmus_store_interrupt is async-signal-safe).
 * The call then fails with an "interrupted" trap and PyErr_CheckSignals() runs the Python
 * handler (KeyboardInterrupt by default). Installed only over a function handler (never over
 * SIG_DFL/SIG_IGN) and checked again at set-up points, since signal.signal() replaces it. */
_Atomic(isthmus_store *) ist_main_running;

static struct sigaction sigint_prev[2];
static atomic_int sigint_prev_idx;

static void on_sigint(int sig, siginfo_t *info, void *uc) {
  int saved_errno = errno;
  isthmus_store *s = atomic_load(&ist_main_running);
  if (s) isthmus_store_interrupt(s);
  const struct sigaction *p = &sigint_prev[atomic_load(&sigint_prev_idx)];
  errno = saved_errno;
  if (p->sa_flags & SA_SIGINFO) {
    if (p->sa_sigaction) p->sa_sigaction(sig, info, uc);
  } else if (p->sa_handler != SIG_DFL && p->sa_handler != SIG_IGN && p->sa_handler) {
    p->sa_handler(sig);
  }
}

void ist_sigint_ensure(void) {
  struct sigaction cur;
  if (sigaction(SIGINT, NULL, &cur) != 0) return;
  if (cur.sa_flags & SA_SIGINFO) {
    if (cur.sa_sigaction == on_sigint || !cur.sa_sigaction) return;
  } else if (cur.sa_handler == SIG_DFL || cur.sa_handler == SIG_IGN) {
    return;
  }
  int next = 1 - atomic_load(&sigint_prev_idx);
  sigint_prev[next] = cur;
  atomic_store(&sigint_prev_idx, next);
  struct sigaction ours = cur;
  ours.sa_sigaction = on_sigint;
  ours.sa_flags = cur.sa_flags | SA_SIGINFO;
  sigaction(SIGINT, &ours, NULL);
}

/* ---------------------------------------------------------------- module functions */

static PyObject *mod_set_helpers(PyObject *module, PyObject *args, PyObject *kwargs) {
  ist_state *st = ist_state_of_module(module);
  if (PyTuple_GET_SIZE(args)) {
    PyErr_SetString(PyExc_TypeError, "_set_helpers() takes keyword arguments only");
    return NULL;
  }
  if (kwargs && PyDict_Update(st->helpers, kwargs) < 0) return NULL;
  Py_RETURN_NONE;
}

static PyMethodDef mod_methods[] = {
    {"_set_helpers", (PyCFunction)(void (*)(void))mod_set_helpers, METH_VARARGS | METH_KEYWORDS,
     "Registers Python helpers used by the extension (signature, trap_code, frame)."},
    {NULL, NULL, 0, NULL},
};

/* ---------------------------------------------------------------- exec */

static int add_exception(PyObject *m, PyObject **slot, const char *name, const char *doc, PyObject *base) {
  char full[64];
  snprintf(full, sizeof full, "isthmus.%s", name);
  *slot = PyErr_NewExceptionWithDoc(full, doc, base, NULL);
  if (!*slot) return -1;
  return PyModule_AddObjectRef(m, name, *slot);
}

static int add_type(PyObject *m, PyTypeObject **slot, PyType_Spec *spec) {
  *slot = (PyTypeObject *)PyType_FromModuleAndSpec(m, spec, NULL);
  if (!*slot) return -1;
  return PyModule_AddType(m, *slot);
}

static int mod_exec(PyObject *m) {
  ist_state *st = ist_state_of_module(m);
  if (add_exception(m, &st->Error, "Error", "Base class of every isthmus error.", NULL) < 0) return -1;
  if (add_exception(m, &st->DecodeError, "DecodeError",
                    "The bytes are not a well-formed WebAssembly module (see .offset).", st->Error) < 0)
    return -1;
  if (add_exception(m, &st->ValidationError, "ValidationError",
                    "The module is well-formed but invalid (see .offset and .func).", st->Error) < 0)
    return -1;
  if (add_exception(m, &st->LinkError, "LinkError",
                    "An import is missing or has the wrong type (see .module and .name).", st->Error) < 0)
    return -1;
  if (add_exception(m, &st->Trap, "Trap",
                    "WebAssembly code trapped (see .code, .message, .frames, .wasm_backtrace).", st->Error) < 0)
    return -1;
  if (add_exception(m, &st->ExitError, "ExitError", "The guest exited through WASI proc_exit (see .exit_code).",
                    st->Trap) < 0)
    return -1;
  if (add_type(m, &st->Engine, &ist_engine_spec) < 0) return -1;
  if (add_type(m, &st->Module, &ist_module_spec) < 0) return -1;
  if (add_type(m, &st->Store, &ist_store_spec) < 0) return -1;
  if (add_type(m, &st->Instance, &ist_instance_spec) < 0) return -1;
  if (add_type(m, &st->Func, &ist_func_spec) < 0) return -1;
  if (add_type(m, &st->Memory, &ist_memory_spec) < 0) return -1;
  if (add_type(m, &st->Global, &ist_global_spec) < 0) return -1;
  if (add_type(m, &st->Table, &ist_table_spec) < 0) return -1;
  if (ist_abi_exec(m) < 0) return -1;
  if (ist_small_ints_init() < 0) return -1;
  st->helpers = PyDict_New();
  if (!st->helpers) return -1;
  if (PyModule_AddStringConstant(m, "ENGINE_VERSION", ISTHMUS_VERSION) < 0) return -1;
  PyObject *wasi = isthmus_wasi_new ? Py_True : Py_False;
  if (PyModule_AddObjectRef(m, "HAVE_WASI", wasi) < 0) return -1;

  PyObject *threading = PyImport_ImportModule("threading");
  if (!threading) return -1;
  PyObject *main = PyObject_CallMethod(threading, "main_thread", NULL);
  Py_DECREF(threading);
  if (!main) return -1;
  PyObject *ident = PyObject_GetAttrString(main, "ident");
  Py_DECREF(main);
  if (!ident) return -1;
  st->main_thread = PyLong_AsUnsignedLong(ident);
  Py_DECREF(ident);
  if (PyErr_Occurred()) return -1;
  return 0;
}

static int mod_traverse(PyObject *m, visitproc visit, void *arg) {
  ist_state *st = ist_state_of_module(m);
  if (!st) return 0;
  Py_VISIT(st->Error);
  Py_VISIT(st->DecodeError);
  Py_VISIT(st->ValidationError);
  Py_VISIT(st->LinkError);
  Py_VISIT(st->Trap);
  Py_VISIT(st->ExitError);
  Py_VISIT(st->Engine);
  Py_VISIT(st->Module);
  Py_VISIT(st->Store);
  Py_VISIT(st->Instance);
  Py_VISIT(st->Func);
  Py_VISIT(st->Memory);
  Py_VISIT(st->Global);
  Py_VISIT(st->Table);
  Py_VISIT(st->default_engine);
  Py_VISIT(st->helpers);
  return 0;
}

static int mod_clear(PyObject *m) {
  ist_state *st = ist_state_of_module(m);
  if (!st) return 0;
  Py_CLEAR(st->Error);
  Py_CLEAR(st->DecodeError);
  Py_CLEAR(st->ValidationError);
  Py_CLEAR(st->LinkError);
  Py_CLEAR(st->Trap);
  Py_CLEAR(st->ExitError);
  Py_CLEAR(st->Engine);
  Py_CLEAR(st->Module);
  Py_CLEAR(st->Store);
  Py_CLEAR(st->Instance);
  Py_CLEAR(st->Func);
  Py_CLEAR(st->Memory);
  Py_CLEAR(st->Global);
  Py_CLEAR(st->Table);
  Py_CLEAR(st->default_engine);
  Py_CLEAR(st->helpers);
  return 0;
}

static void mod_free(void *m) { mod_clear((PyObject *)m); }

static PyModuleDef_Slot mod_slots[] = {
    {Py_mod_exec, (void *)mod_exec},
    {0, NULL},
};

PyModuleDef ist_moduledef = {
    PyModuleDef_HEAD_INIT,
    .m_name = "isthmus._isthmus",
    .m_doc = "CPython binding of the isthmus WebAssembly engine (use the `isthmus` package).",
    .m_size = sizeof(ist_state),
    .m_methods = mod_methods,
    .m_slots = mod_slots,
    .m_traverse = mod_traverse,
    .m_clear = mod_clear,
    .m_free = mod_free,
};

PyMODINIT_FUNC PyInit__isthmus(void) { return PyModuleDef_Init(&ist_moduledef); }
