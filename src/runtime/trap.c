/* trap.c — trap objects: code, message in the spec's wording, wasm backtrace. */
#include <stdio.h>

#include "rt.h"

const char *rt_trap_message(isthmus_trap_code code) {
  switch (code) {
    case ISTHMUS_TRAP_UNREACHABLE: return "unreachable";
    case ISTHMUS_TRAP_MEMORY_OOB: return "out of bounds memory access";
    case ISTHMUS_TRAP_TABLE_OOB: return "out of bounds table access";
    case ISTHMUS_TRAP_UNDEFINED_ELEMENT: return "undefined element";
    case ISTHMUS_TRAP_UNINITIALIZED_ELEMENT: return "uninitialized element";
    case ISTHMUS_TRAP_INDIRECT_TYPE: return "indirect call type mismatch";
    case ISTHMUS_TRAP_DIV_ZERO: return "integer divide by zero";
    case ISTHMUS_TRAP_INT_OVERFLOW: return "integer overflow";
    case ISTHMUS_TRAP_INVALID_CONVERSION: return "invalid conversion to integer";
    case ISTHMUS_TRAP_STACK_EXHAUSTED: return "call stack exhausted";
    case ISTHMUS_TRAP_INTERRUPTED: return "interrupted";
    case ISTHMUS_TRAP_HOST: return "host function failed";
    case ISTHMUS_TRAP_EXIT: return "exit";
    case ISTHMUS_TRAP_OOM: return "out of memory";
  }
  return "trap";
}

isthmus_trap *rt_trap(isthmus_trap_code code) {
  isthmus_trap *t = cmn_xcalloc(1, sizeof *t);
  t->code = code;
  t->message = cmn_xstrndup(rt_trap_message(code), strlen(rt_trap_message(code)));
  return t;
}

isthmus_trap *isthmus_trap_new(const char *message) {
  isthmus_trap *t = rt_trap(ISTHMUS_TRAP_HOST);
  if (message) {
    free(t->message);
    t->message = cmn_xstrndup(message, strlen(message));
  }
  return t;
}

isthmus_trap *isthmus_trap_new_interrupt(void) { return rt_trap(ISTHMUS_TRAP_INTERRUPTED); }

isthmus_trap *isthmus_trap_new_exit(int32_t exit_code) {
  isthmus_trap *t = rt_trap(ISTHMUS_TRAP_EXIT);
  t->exit_code = exit_code;
  free(t->message);
  char buf[48];
  snprintf(buf, sizeof buf, "exit with code %d", (int)exit_code);
  t->message = cmn_xstrndup(buf, strlen(buf));
  return t;
}

void rt_trap_add_frame(isthmus_trap *t, isthmus_func *f, uint32_t code_offset) {
  if (t->num_frames >= 1000) return; /* enough to read; deep recursion would flood the report */
  t->frames = cmn_xrealloc(t->frames, (t->num_frames + 1) * sizeof *t->frames);
  isthmus_frame *fr = &t->frames[t->num_frames++];
  fr->func_index = f->index;
  fr->code_offset = code_offset;
  fr->func_name = NULL;
  fr->module_name = NULL;
  if (f->inst) {
    isthmus_module *m = f->inst->module;
    if (m->func_names && f->index < m->num_funcs) fr->func_name = m->func_names[f->index];
    fr->module_name = m->module_name;
  }
}

isthmus_trap_code isthmus_trap_code_of(const isthmus_trap *t) { return t->code; }
const char *isthmus_trap_message(const isthmus_trap *t) { return t->message; }
int32_t isthmus_trap_exit_code(const isthmus_trap *t) { return t->exit_code; }
size_t isthmus_trap_frame_count(const isthmus_trap *t) { return t->num_frames; }
const isthmus_frame *isthmus_trap_frame(const isthmus_trap *t, size_t i) {
  return i < t->num_frames ? &t->frames[i] : NULL;
}

char *isthmus_trap_format(const isthmus_trap *t) {
  size_t cap = strlen(t->message) + 64 + t->num_frames * 96;
  for (size_t i = 0; i < t->num_frames; i++)
    if (t->frames[i].func_name) cap += strlen(t->frames[i].func_name);
  char *out = cmn_xmalloc(cap);
  size_t n = (size_t)snprintf(out, cap, "%s", t->message);
  if (t->num_frames) n += (size_t)snprintf(out + n, cap - n, "\nwasm backtrace:");
  for (size_t i = 0; i < t->num_frames; i++) {
    const isthmus_frame *f = &t->frames[i];
    n += (size_t)snprintf(out + n, cap - n, "\n  %3zu: ", i);
    if (f->func_name)
      n += (size_t)snprintf(out + n, cap - n, "%s (func %u)", f->func_name, f->func_index);
    else
      n += (size_t)snprintf(out + n, cap - n, "func %u", f->func_index);
    if (f->code_offset) n += (size_t)snprintf(out + n, cap - n, " @ 0x%x", f->code_offset);
  }
  return out;
}

void isthmus_trap_delete(isthmus_trap *t) {
  if (!t) return;
  free(t->message);
  free(t->frames);
  free(t);
}
