/* errors.c — engine errors and traps become Python exceptions, one class per kind:
 * DecodeError/ValidationError (with the byte offset), LinkError, Trap (code, message and
 * the wasm backtrace with function names from the name section), ExitError (proc_exit). */
#include <stdarg.h>

#include "ist.h"

static int set_attr(PyObject *o, const char *name, PyObject *v) {
  if (!v) return -1;
  int r = PyObject_SetAttrString(o, name, v);
  Py_DECREF(v);
  return r;
}

static PyObject *int_or_none(int64_t v) { return v < 0 ? Py_NewRef(Py_None) : PyLong_FromLongLong(v); }

PyObject *ist_err_raise(ist_state *st, isthmus_error *e) {
  isthmus_error_kind kind = isthmus_error_kind_of(e);
  const char *msg = isthmus_error_message(e);
  int64_t off = isthmus_error_offset(e), fn = isthmus_error_func(e);
  PyObject *cls;
  switch (kind) {
    case ISTHMUS_ERR_MALFORMED: cls = st->DecodeError; break;
    case ISTHMUS_ERR_INVALID: cls = st->ValidationError; break;
    case ISTHMUS_ERR_LINK: cls = st->LinkError; break;
    case ISTHMUS_ERR_RESOURCE:
      if (strstr(msg, "memory")) {
        PyErr_Format(PyExc_MemoryError, "%s", msg);
        isthmus_error_delete(e);
        return NULL;
      }
      cls = st->Error;
      break;
    default: cls = st->Error; break;
  }
  PyObject *text;
  if (off >= 0 && fn >= 0)
    text = PyUnicode_FromFormat("%s (at byte offset %lld, in function %lld)", msg, (long long)off, (long long)fn);
  else if (off >= 0)
    text = PyUnicode_FromFormat("%s (at byte offset %lld)", msg, (long long)off);
  else
    text = PyUnicode_FromString(msg);
  PyObject *exc = text ? PyObject_CallOneArg(cls, text) : NULL;
  Py_XDECREF(text);
  if (exc && (set_attr(exc, "message", PyUnicode_FromString(msg)) < 0 ||
              set_attr(exc, "offset", int_or_none(off)) < 0 || set_attr(exc, "func", int_or_none(fn)) < 0)) {
    Py_CLEAR(exc);
  }
  if (exc && kind == ISTHMUS_ERR_LINK) {
    /* "incompatible import type for MODULE.NAME: why" — keep module/name when they parse. */
    const char *p = strstr(msg, " for "), *colon = p ? strstr(p, ": ") : NULL;
    PyObject *mod = Py_NewRef(Py_None), *name = Py_NewRef(Py_None);
    if (p && colon) {
      p += 5;
      const char *dot = memchr(p, '.', (size_t)(colon - p));
      if (dot) {
        Py_SETREF(mod, PyUnicode_DecodeUTF8(p, dot - p, "replace"));
        Py_SETREF(name, PyUnicode_DecodeUTF8(dot + 1, colon - dot - 1, "replace"));
      }
    }
    if (set_attr(exc, "module", mod) < 0 || set_attr(exc, "name", name) < 0) Py_CLEAR(exc);
  }
  isthmus_error_delete(e);
  if (exc) {
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
  }
  return NULL;
}

PyObject *ist_err_link(ist_state *st, const char *module, const char *name, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  PyObject *text = PyUnicode_FromFormatV(fmt, ap);
  va_end(ap);
  if (!text) return NULL;
  PyObject *exc = PyObject_CallOneArg(st->LinkError, text);
  if (exc && (set_attr(exc, "message", Py_NewRef(text)) < 0 ||
              set_attr(exc, "module", module ? PyUnicode_DecodeUTF8(module, strlen(module), "replace")
                                             : Py_NewRef(Py_None)) < 0 ||
              set_attr(exc, "name", name ? PyUnicode_DecodeUTF8(name, strlen(name), "replace")
                                         : Py_NewRef(Py_None)) < 0 ||
              set_attr(exc, "offset", Py_NewRef(Py_None)) < 0 || set_attr(exc, "func", Py_NewRef(Py_None)) < 0))
    Py_CLEAR(exc);
  Py_DECREF(text);
  if (exc) {
    PyErr_SetObject(st->LinkError, exc);
    Py_DECREF(exc);
  }
  return NULL;
}

static PyObject *frames_list(ist_state *st, isthmus_trap *t) {
  size_t n = isthmus_trap_frame_count(t);
  PyObject *frame_cls = PyDict_GetItemString(st->helpers, "frame"); /* borrowed, may be NULL */
  PyObject *list = PyList_New((Py_ssize_t)n);
  if (!list) return NULL;
  for (size_t i = 0; i < n; i++) {
    const isthmus_frame *f = isthmus_trap_frame(t, i);
    PyObject *name = f->func_name ? PyUnicode_DecodeUTF8(f->func_name, strlen(f->func_name), "replace")
                                  : Py_NewRef(Py_None);
    PyObject *mod = f->module_name ? PyUnicode_DecodeUTF8(f->module_name, strlen(f->module_name), "replace")
                                   : Py_NewRef(Py_None);
    PyObject *item = NULL;
    if (name && mod) {
      item = frame_cls ? PyObject_CallFunction(frame_cls, "IOIO", (unsigned)f->func_index, name,
                                               (unsigned)f->code_offset, mod)
                       : Py_BuildValue("(IOIO)", (unsigned)f->func_index, name, (unsigned)f->code_offset, mod);
    }
    Py_XDECREF(name);
    Py_XDECREF(mod);
    if (!item) {
      Py_DECREF(list);
      return NULL;
    }
    PyList_SET_ITEM(list, (Py_ssize_t)i, item);
  }
  return list;
}

static void poison(StoreObject *s, PyObject *why) {
  if (!why) {
    PyErr_Clear();
    why = PyUnicode_FromString("the instance trapped earlier");
    if (!why) return;
  }
  Py_XSETREF(s->poisoned, why);
}

PyObject *ist_err_trap(StoreObject *s, isthmus_trap *t) {
  ist_state *st = s->ms;
  if (t == s->host_trap && s->host_exc) {
    /* A Python host function raised: the same exception object goes on. */
    PyObject *exc = s->host_exc;
    s->host_exc = NULL;
    s->host_trap = NULL;
    poison(s, PyUnicode_FromFormat("a host function raised %s and unwound the guest", Py_TYPE(exc)->tp_name));
    isthmus_trap_delete(t);
    ist_restore_exception(exc);
    return NULL;
  }
  isthmus_trap_code code = isthmus_trap_code_of(t);
  const char *msg = isthmus_trap_message(t);
  if (code == ISTHMUS_TRAP_EXIT)
    poison(s, PyUnicode_FromFormat("the guest exited with code %d", (int)isthmus_trap_exit_code(t)));
  else
    poison(s, PyUnicode_FromFormat("the guest trapped (%s)", msg));
  if (code == ISTHMUS_TRAP_INTERRUPTED && PyErr_CheckSignals() < 0) {
    /* Ctrl-C: the Python handler raised (KeyboardInterrupt by default). */
    isthmus_trap_delete(t);
    return NULL;
  }
  char *text = isthmus_trap_format(t);
  PyObject *cls = code == ISTHMUS_TRAP_EXIT ? st->ExitError : st->Trap;
  PyObject *pytext = text ? PyUnicode_DecodeUTF8(text, strlen(text), "replace") : NULL;
  const char *bt = text ? strchr(text, '\n') : NULL;
  PyObject *exc = pytext ? PyObject_CallOneArg(cls, pytext) : NULL;
  Py_XDECREF(pytext);
  if (exc) {
    PyObject *code_obj = PyLong_FromLong((long)code);
    PyObject *conv = PyDict_GetItemString(st->helpers, "trap_code");
    if (code_obj && conv) Py_SETREF(code_obj, PyObject_CallOneArg(conv, code_obj));
    if (set_attr(exc, "code", code_obj) < 0 ||
        set_attr(exc, "message", PyUnicode_DecodeUTF8(msg, strlen(msg), "replace")) < 0 ||
        set_attr(exc, "frames", frames_list(st, t)) < 0 ||
        set_attr(exc, "wasm_backtrace", PyUnicode_FromString(bt ? bt + 1 : "")) < 0 ||
        set_attr(exc, "exit_code", code == ISTHMUS_TRAP_EXIT ? PyLong_FromLong(isthmus_trap_exit_code(t))
                                                             : Py_NewRef(Py_None)) < 0)
      Py_CLEAR(exc);
  }
  free(text);
  isthmus_trap_delete(t);
  if (exc) {
    PyErr_SetObject(cls, exc);
    Py_DECREF(exc);
  }
  return NULL;
}
