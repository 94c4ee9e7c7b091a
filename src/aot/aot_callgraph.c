/* aot_callgraph.c — what the translator needs to know about calls before it emits a function:
 * which leaves are small enough to copy into their callers, and which functions must poll
 * for an interrupt at entry.
 *
 * Polling: compiled code checks the store's interrupt flag at loop headers and at function
 * entries. A run that never ends must pass a loop header or a function entry infinitely
 * often, and with no loop involved it must call around a cycle. Every dynamic cycle passes a
 * function that is either on a cycle of the static (direct) call graph or makes a call the
 * translator cannot see through (call_indirect, an import, a host function): only those
 * functions poll at entry. A Go export wrapper, called from the host and on no cycle, skips
 * the check. */
#include "aot.h"
#include "instr.h"

typedef CMN_VEC(uint32_t) u32vec;

/* Tarjan's strongly connected components, iterative (call graphs of Go modules are deep).
 * Marks AOT_ON_CYCLE on every function of a component with two or more functions or a
 * self-call. Edges of function v: to[first[v] .. first[v+1]). */
static void mark_cycles(uint32_t n, const uint32_t *first, const uint32_t *to, uint8_t *flags) {
  uint32_t *index = cmn_xmalloc((n + 1) * sizeof *index), *low = cmn_xmalloc((n + 1) * sizeof *low);
  uint32_t *edge = cmn_xmalloc((n + 1) * sizeof *edge);
  uint8_t *on = cmn_xcalloc(n + 1, 1);
  u32vec stack = {0}, call = {0};
  const uint32_t unseen = UINT32_MAX;
  for (uint32_t v = 0; v < n; v++) index[v] = unseen;
  uint32_t next = 0;
  for (uint32_t root = 0; root < n; root++) {
    if (index[root] != unseen) continue;
    cmn_vec_push(call, root);
    index[root] = low[root] = next++;
    edge[root] = first[root];
    cmn_vec_push(stack, root);
    on[root] = 1;
    while (call.len) {
      uint32_t v = call.items[call.len - 1];
      if (edge[v] < first[v + 1]) {
        uint32_t w = to[edge[v]++];
        if (w == v) flags[v] |= AOT_ON_CYCLE;
        if (index[w] == unseen) {
          index[w] = low[w] = next++;
          edge[w] = first[w];
          cmn_vec_push(stack, w);
          on[w] = 1;
          cmn_vec_push(call, w);
        } else if (on[w] && index[w] < low[v]) {
          low[v] = index[w];
        }
        continue;
      }
      call.len--;
      if (call.len) {
        uint32_t u = call.items[call.len - 1];
        if (low[v] < low[u]) low[u] = low[v];
      }
      if (low[v] != index[v]) continue;
      /* v roots a component: pop it */
      size_t top = stack.len;
      while (stack.items[stack.len - 1] != v) stack.len--;
      stack.len--;
      bool cyclic = top - stack.len > 1;
      for (size_t k = stack.len; k < top; k++) {
        uint32_t w = stack.items[k];
        on[w] = 0;
        if (cyclic) flags[w] |= AOT_ON_CYCLE;
      }
    }
  }
  cmn_vec_free(stack);
  cmn_vec_free(call);
  free(index);
  free(low);
  free(edge);
  free(on);
}

uint8_t *aot_call_flags(const isthmus_module *m, const uint8_t *compiled) {
  const uint32_t nf = m->num_funcs, ni = m->num_func_imports;
  uint8_t *flags = cmn_xcalloc(nf + 1, 1);
  uint32_t *first = cmn_xcalloc(nf + 2, sizeof *first);
  u32vec to = {0};
  bin_u32vec labels = {0};
  for (uint32_t i = 0; i < nf; i++) {
    first[i] = (uint32_t)to.len;
    if (i < ni) continue;
    const bin_func *fn = &m->funcs[i];
    const isthmus_functype *t = &m->types[fn->type];
    bin_reader r = {m->bytes, m->bytes + fn->code_off, m->bytes + fn->code_end, NULL, 0};
    bool calls = false;
    bin_instr in;
    while (r.p < r.end && bin_read_instr(&r, &labels, &in)) {
      if (in.op == BIN_OP_CALL) {
        calls = true;
        /* a callee this translation does not compile is reached through the dynamic path */
        if (in.i1 < ni || (compiled && !compiled[in.i1])) flags[i] |= AOT_DYNAMIC_CALL;
        else cmn_vec_push(to, in.i1);
      } else if (in.op == BIN_OP_CALL_INDIRECT) {
        calls = true;
        flags[i] |= AOT_DYNAMIC_CALL;
      }
    }
    if (!calls && !r.err && fn->code_end - fn->code_off <= 96 && t->num_results <= 1 &&
        t->num_params + fn->num_locals <= 16)
      flags[i] |= AOT_SMALL_LEAF;
  }
  first[nf] = (uint32_t)to.len;
  mark_cycles(nf, first, to.items, flags);
  cmn_vec_free(to);
  cmn_vec_free(labels);
  free(first);
  return flags;
}
