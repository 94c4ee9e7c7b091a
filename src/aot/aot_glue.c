/* aot_glue.c — running compiled code: per-instance environments, the entry trampoline that
 * catches traps, and the runtime services generated code calls through aot_rt.
 *
 * A compiled function is an ordinary isthmus_func whose `host` is aot_entry and whose `env`
 * is its aot_fref, so every caller that can call a host function (the interpreter, the public
 * call API, the Python binding) can call it, and exec needs no change. aot_entry sets a jump
 * buffer; a trap anywhere below it (generated code, a runtime service, a host or interpreted
 * callee) stores its trap in the store's state and long-jumps back there. Nested entries (Go →
 * host → Python → Go export) each keep their own buffer and restore the previous one. */
#define _GNU_SOURCE 1
#include <pthread.h>
#include <stdio.h>

#include "aot.h"
#include "exec.h"

_Static_assert(offsetof(isthmus_table, elems) == offsetof(aot_table, elems), "aot_table mirrors isthmus_table");
_Static_assert(offsetof(isthmus_table, size) == offsetof(aot_table, size), "aot_table mirrors isthmus_table");

/* Per store: the part generated code reads (aot_thread) and the unwinding state. */
typedef struct aot_state {
  aot_thread th;
  uintptr_t limit_thread; /* the thread th.stack_limit belongs to */
  intptr_t *jmp; /* innermost entry's jump buffer, NULL outside compiled code */
  isthmus_store *store;
  isthmus_trap *pending; /* a trap object to deliver, else a code */
  isthmus_instance *trap_inst; /* the instance whose compiled code trapped (with code) */
  int code;
  uint32_t off; /* wasm byte offset of the trapping instruction, or 0 */
} aot_state;

/* Per instance. env comes first: generated code gets &ai->env and the services cast back. */
typedef struct aot_inst {
  aot_env env;
  isthmus_instance *inst;
  aot_fref *frefs; /* one per defined function */
  uint64_t **gcells;
  aot_lib **libs; /* tier-up batches (aot_tierup.c) in use by this instance */
  size_t num_libs;
} aot_inst;

static inline aot_inst *inst_of(aot_env *env) { return (aot_inst *)env; }
static inline aot_state *state_of(aot_env *env) { return (aot_state *)env->th; }

/* How an entry catches traps. On x86-64 ELF a few instructions of assembly (aot_guard)
 * save the callee-saved registers, run the function and give the trap path a landing point;
 * elsewhere aot_entry uses __builtin_setjmp, which costs more per call: the compiler keeps
 * every value of the entry in memory around it. Either way a trap jumps to st->jmp.
 * -DISTHMUS_NO_ASM builds the portable entry on x86-64 too (to test it). */
/* Not with CET (-fcf-protection): the landing point has no endbr64 and the jump does not unwind
 * the shadow stack, which __builtin_longjmp does; not on x32. */
#if defined(__x86_64__) && !defined(__ILP32__) && defined(__ELF__) && (defined(__GNUC__) || defined(__clang__)) && \
    !defined(ISTHMUS_NO_ASM) && !defined(__CET__)
#define AOT_ASM_GUARD 1
/* The guard's jump buffer: [0] the landing address, [1] the stack pointer to land with. */
CMN_HIDDEN __attribute__((noreturn)) void aot_guard_jump(intptr_t *jb);
#endif

__attribute__((noreturn)) static void raise_trap(aot_state *st) {
  if (!st->jmp) {
    fprintf(stderr, "isthmus: internal error: AOT trap outside compiled code\n");
    abort();
  }
#ifdef AOT_ASM_GUARD
  aot_guard_jump(st->jmp);
#else
  __builtin_longjmp(st->jmp, 1);
#endif
}

static void svc_trap(aot_env *env, int code, uint32_t off) {
  aot_state *st = state_of(env);
  st->pending = NULL;
  st->code = code;
  st->off = off;
  st->trap_inst = inst_of(env)->inst;
  raise_trap(st);
}

static void trap_if(aot_env *env, int code) {
  if (code) svc_trap(env, code, 0);
}

static void svc_call(aot_env *env, void *fp, uint64_t *cells) {
  isthmus_func *f = fp;
  isthmus_instance *inst = inst_of(env)->inst;
  isthmus_trap *t;
  if (f->host) {
    isthmus_caller c = {inst->store, inst};
    t = f->host(f->env, &c, cells);
  } else {
    /* compiled code entering the interpreter counts as a host call for the AUTO tier: an
     * interpreted function that a compiled batch calls often gets a batch of its own */
    if (CMN_UNLIKELY(--f->tierup == 0)) aot_tierup_hot(inst->store, f);
    t = exe_invoke(inst->store, f, cells);
  }
  if (t) {
    aot_state *st = state_of(env);
    st->pending = t;
    raise_trap(st);
  }
}

static uint32_t svc_memory_grow(aot_env *env, uint32_t delta) {
  return (uint32_t)(int32_t)rt_memory_grow(inst_of(env)->inst->memories[0], delta);
}
static void svc_memory_init(aot_env *env, uint32_t seg, uint32_t d, uint32_t s, uint32_t n) {
  trap_if(env, exe_memory_init(inst_of(env)->inst, seg, d, s, n));
}
static void svc_memory_copy(aot_env *env, uint32_t d, uint32_t s, uint32_t n) {
  trap_if(env, exe_memory_copy(inst_of(env)->inst->memories[0], d, s, n));
}
static void svc_memory_fill(aot_env *env, uint32_t d, uint32_t v, uint32_t n) {
  trap_if(env, exe_memory_fill(inst_of(env)->inst->memories[0], d, v, n));
}
static void svc_table_init(aot_env *env, uint32_t t, uint32_t seg, uint32_t d, uint32_t s, uint32_t n) {
  trap_if(env, exe_table_init(inst_of(env)->inst, t, seg, d, s, n));
}
static void svc_table_copy(aot_env *env, uint32_t dt, uint32_t st, uint32_t d, uint32_t s, uint32_t n) {
  trap_if(env, exe_table_copy(inst_of(env)->inst, dt, st, d, s, n));
}
static void svc_table_fill(aot_env *env, uint32_t t, uint32_t i, uint64_t v, uint32_t n) {
  trap_if(env, exe_table_fill(inst_of(env)->inst->tables[t], i, v, n));
}
static uint32_t svc_table_grow(aot_env *env, uint32_t t, uint64_t init, uint32_t delta) {
  return (uint32_t)(int32_t)rt_table_grow(inst_of(env)->inst->tables[t], delta, init);
}
static void svc_elem_drop(aot_env *env, uint32_t seg) { inst_of(env)->inst->elems[seg].count = 0; }
static void svc_data_drop(aot_env *env, uint32_t seg) { inst_of(env)->inst->datas[seg].len = 0; }

static isthmus_trap *aot_entry(void *envp, isthmus_caller *caller, uint64_t *cells);

static const aot_rt services = {
    svc_trap,       svc_call,       svc_memory_grow, svc_memory_init, svc_memory_copy,
    svc_memory_fill, svc_table_init, svc_table_copy, svc_table_fill,  svc_table_grow,
    svc_elem_drop,  svc_data_drop,  (void *)aot_entry,
};

/* A value unique to the calling thread: the thread pointer where one instruction reads it. */
static inline uintptr_t thread_ident(void) {
#if defined(__x86_64__) && defined(__GLIBC__) && (defined(__clang__) || __GNUC__ >= 11)
  return (uintptr_t)__builtin_thread_pointer();
#else
  return (uintptr_t)pthread_self();
#endif
}

/* The lowest address compiled code may use on this thread: the thread's real stack bottom
 * plus a margin for host functions (Python callbacks among them) and trap handling. */
static __thread char *tl_stack_limit;
__attribute__((noinline, cold)) static char *stack_limit(void) {
  if (CMN_LIKELY(tl_stack_limit != NULL)) return tl_stack_limit;
  pthread_attr_t a;
  void *addr = NULL;
  size_t size = 0;
  char *here = (char *)__builtin_frame_address(0);
  if (pthread_getattr_np(pthread_self(), &a) == 0) {
    pthread_attr_getstack(&a, &addr, &size);
    pthread_attr_destroy(&a);
  }
  if (addr && size && here > (char *)addr && here <= (char *)addr + size) {
    size_t margin = size / 8 > (256u << 10) ? size / 8 : (256u << 10);
    if (margin > size / 2) margin = size / 2;
    tl_stack_limit = (char *)addr + margin;
  } else {
    tl_stack_limit = here - (2u << 20); /* unknown bounds: assume the 8 MiB default, leave room */
  }
  return tl_stack_limit;
}

/* The defined function of inst whose code holds byte offset off, or NULL. */
static isthmus_func *func_at(isthmus_instance *inst, uint32_t off) {
  const isthmus_module *m = inst->module;
  uint32_t lo = m->num_func_imports, hi = m->num_funcs; /* bodies lie in index order */
  while (lo < hi) {
    uint32_t mid = lo + (hi - lo) / 2;
    if (m->funcs[mid].code_end <= off) lo = mid + 1;
    else hi = mid;
  }
  return lo < m->num_funcs && m->funcs[lo].code_off <= off ? inst->funcs[lo] : NULL;
}

/* The trap of the entry whose jump buffer st->jmp is, with backtrace frames; puts back the
 * enclosing entry's buffer and shadow-stack depth. Called from aot_guard's landing code too,
 * hence external (hidden) and kept. */
CMN_HIDDEN __attribute__((noinline, used)) isthmus_trap *aot_unwind(aot_state *st, intptr_t *saved,
                                                                     uint32_t saved_depth) {
  uint32_t off = st->pending ? 0 : st->off; /* the innermost frame's position, when known */
  isthmus_trap *t = st->pending ? st->pending : rt_trap((isthmus_trap_code)st->code);
  st->pending = NULL;
  /* a leaf keeps no shadow frame (AOT_ENTER_LEAF): the offset names it */
  isthmus_func *leaf = off && st->trap_inst ? func_at(st->trap_inst, off) : NULL;
  if (leaf && (st->th.depth == saved_depth || st->th.shadow[st->th.depth - 1] != leaf)) {
    rt_trap_add_frame(t, leaf, off);
    off = 0;
  }
  st->trap_inst = NULL;
  for (uint32_t d = st->th.depth; d > saved_depth; d--, off = 0) rt_trap_add_frame(t, st->th.shadow[d - 1], off);
  st->th.depth = saved_depth;
  st->jmp = saved;
  return t;
}

/* An entry from outside compiled code clears the store's interrupt when nothing of the store
 * is running. A store may move between threads between calls, and asking the thread-local
 * stack limit on every entry would cost a __tls_get_addr call from this shared object, so
 * the limit is cached with the thread it belongs to: true when the cache is stale. */
static inline bool enter_outermost(aot_state *st) {
  if (CMN_UNLIKELY(st->limit_thread != thread_ident())) return true;
  isthmus_store *s = st->store;
  if (s->frame_top == 0) atomic_store_explicit(&s->interrupt, 0, memory_order_relaxed);
  return false;
}
__attribute__((noinline, cold)) static void limit_for_thread(aot_state *st) {
  st->th.stack_limit = stack_limit();
  st->limit_thread = thread_ident();
}

#ifdef AOT_ASM_GUARD
/* isthmus_trap *aot_guard(const aot_fref *r, uint64_t *cells, aot_state *st):
 * r->tramp(r->env, cells) with st->jmp pointing at a jump buffer in its frame; NULL, or the
 * trap (aot_unwind) when compiled code jumped back. Its frame (above the six saved
 * registers): 0 landing address, 8 stack pointer, 16 the enclosing st->jmp, 24 st,
 * 32 st->th.depth at entry. */
CMN_HIDDEN isthmus_trap *aot_guard(const aot_fref *r, uint64_t *cells, aot_state *st);
_Static_assert(offsetof(aot_state, th.depth) == 0, "aot_guard reads th.depth at 0");
_Static_assert(offsetof(aot_state, jmp) == 32, "aot_guard reads jmp at 32");
_Static_assert(offsetof(aot_fref, tramp) == 8 && offsetof(aot_fref, env) == 16, "aot_guard reads the fref");
__asm__(".pushsection .text\n"
        ".p2align 4\n"
        ".globl aot_guard\n"
        ".hidden aot_guard\n"
        ".type aot_guard, @function\n"
        "aot_guard:\n"
        ".cfi_startproc\n"
        "  pushq %rbp\n .cfi_adjust_cfa_offset 8\n .cfi_rel_offset %rbp, 0\n"
        "  pushq %rbx\n .cfi_adjust_cfa_offset 8\n .cfi_rel_offset %rbx, 0\n"
        "  pushq %r12\n .cfi_adjust_cfa_offset 8\n .cfi_rel_offset %r12, 0\n"
        "  pushq %r13\n .cfi_adjust_cfa_offset 8\n .cfi_rel_offset %r13, 0\n"
        "  pushq %r14\n .cfi_adjust_cfa_offset 8\n .cfi_rel_offset %r14, 0\n"
        "  pushq %r15\n .cfi_adjust_cfa_offset 8\n .cfi_rel_offset %r15, 0\n"
        "  subq $40, %rsp\n .cfi_adjust_cfa_offset 40\n"
        "  movq 32(%rdx), %rax\n"     /* the enclosing jump buffer */
        "  movq %rax, 16(%rsp)\n"
        "  movq %rdx, 24(%rsp)\n"
        "  movl (%rdx), %eax\n"       /* th.depth */
        "  movl %eax, 32(%rsp)\n"
        "  leaq 1f(%rip), %rax\n"
        "  movq %rax, (%rsp)\n"
        "  movq %rsp, 8(%rsp)\n"
        "  movq %rsp, 32(%rdx)\n"     /* st->jmp = this frame's buffer */
        "  movq 8(%rdi), %rax\n"
        "  movq 16(%rdi), %rdi\n"     /* tramp(env, cells): cells is already in rsi */
        "  call *%rax\n"
        "  movq 24(%rsp), %rdx\n"
        "  movq 16(%rsp), %rax\n"
        "  movq %rax, 32(%rdx)\n"     /* st->jmp = the enclosing buffer */
        "  xorl %eax, %eax\n"
        "2:\n"
        "  addq $40, %rsp\n .cfi_adjust_cfa_offset -40\n"
        "  popq %r15\n .cfi_adjust_cfa_offset -8\n"
        "  popq %r14\n .cfi_adjust_cfa_offset -8\n"
        "  popq %r13\n .cfi_adjust_cfa_offset -8\n"
        "  popq %r12\n .cfi_adjust_cfa_offset -8\n"
        "  popq %rbx\n .cfi_adjust_cfa_offset -8\n"
        "  popq %rbp\n .cfi_adjust_cfa_offset -8\n"
        "  ret\n"
        "1:\n"                        /* landed from aot_guard_jump: the stack is this frame's */
        " .cfi_adjust_cfa_offset 88\n"
        "  movq 24(%rsp), %rdi\n"
        "  movq 16(%rsp), %rsi\n"
        "  movl 32(%rsp), %edx\n"
        "  call aot_unwind\n"
        "  jmp 2b\n"
        ".cfi_endproc\n"
        ".size aot_guard, .-aot_guard\n"
        "\n"
        ".p2align 4\n"
        ".globl aot_guard_jump\n"
        ".hidden aot_guard_jump\n"
        ".type aot_guard_jump, @function\n"
        "aot_guard_jump:\n"
        ".cfi_startproc\n"
        "  movq 8(%rdi), %rsp\n"
        "  jmpq *(%rdi)\n"
        ".cfi_endproc\n"
        ".size aot_guard_jump, .-aot_guard_jump\n"
        ".popsection\n");

static isthmus_trap *aot_entry(void *envp, isthmus_caller *caller, uint64_t *cells);
/* The first entry on a thread: sets the stack limit, then enters as usual. */
__attribute__((noinline, cold)) static isthmus_trap *aot_entry_new_thread(void *envp, uint64_t *cells) {
  limit_for_thread(state_of(((aot_fref *)envp)->env));
  return aot_entry(envp, NULL, cells);
}

static isthmus_trap *aot_entry(void *envp, isthmus_caller *caller, uint64_t *cells) {
  (void)caller;
  const aot_fref *r = envp;
  aot_state *st = state_of(r->env);
  if (!st->jmp && enter_outermost(st)) return aot_entry_new_thread(envp, cells);
  return aot_guard(r, cells, st);
}
#else
static isthmus_trap *aot_entry(void *envp, isthmus_caller *caller, uint64_t *cells) {
  (void)caller;
  aot_fref *r = envp;
  aot_state *st = state_of(r->env);
  /* not volatile: neither changes between the setjmp and a longjmp back to it */
  intptr_t *saved = st->jmp;
  uint32_t saved_depth = st->th.depth;
  if (!saved && enter_outermost(st)) {
    limit_for_thread(st);
    enter_outermost(st);
  }
  intptr_t jb[5];
  if (__builtin_setjmp(jb)) return aot_unwind(st, saved, saved_depth);
  st->jmp = jb;
  r->tramp(r->env, cells);
  st->jmp = saved;
  return NULL;
}
#endif

static aot_state *store_state(isthmus_store *s) {
  if (s->aot) return s->aot;
  aot_state *st = cmn_xcalloc(1, sizeof *st);
  st->store = s;
  st->th.max_depth = s->engine->cfg.max_call_depth;
  st->th.shadow = cmn_xcalloc((size_t)st->th.max_depth + 1, sizeof(void *));
  s->aot = st;
  return st;
}

void aot_store_free(isthmus_store *s) {
  aot_tierup_store_free(s);
  aot_state *st = s->aot;
  if (!st) return;
  free(st->th.shadow);
  free(st);
  s->aot = NULL;
}

void aot_instance_free(isthmus_instance *inst) {
  aot_inst *ai = inst->aot;
  if (!ai) return;
  for (size_t i = 0; i < ai->num_libs; i++) aot_lib_free(ai->libs[i]);
  free(ai->libs);
  free(ai->frefs);
  free(ai->gcells);
  inst->aot = NULL;
  free(ai);
}

/* The instance's environment for compiled code, made on first use (one per instance,
 * shared by the whole-module library and every tier-up batch). */
static aot_inst *instance_env(isthmus_instance *inst) {
  if (inst->aot) return inst->aot;
  isthmus_store *s = inst->store;
  isthmus_module *m = inst->module;
  aot_inst *ai = cmn_xcalloc(1, sizeof *ai);
  ai->inst = inst;
  inst->aot = ai;
  aot_env *env = &ai->env;
  if (m->num_memories) {
    env->mem_base = inst->memories[0]->base;
    env->mem_size = &inst->memories[0]->size;
  }
  ai->gcells = cmn_xcalloc(m->num_globals + 1, sizeof(uint64_t *));
  for (uint32_t i = 0; i < m->num_globals; i++) ai->gcells[i] = inst->globals[i]->cell;
  env->globals = ai->gcells;
  env->tables = (aot_table **)inst->tables;
  env->funcs = (void **)inst->funcs;
  env->types = (const void **)inst->types;
  env->rt = &services;
  env->th = &store_state(s)->th;
  env->interrupt = (volatile int *)&s->interrupt;
  ai->frefs = cmn_xcalloc(m->num_funcs, sizeof(aot_fref));
  return ai;
}

/* Switches the functions of d marked in `only` (all when NULL) that are still interpreted. */
static uint32_t switch_funcs(aot_inst *ai, const aot_desc *d, const uint8_t *only) {
  isthmus_instance *inst = ai->inst;
  isthmus_module *m = inst->module;
  uint32_t n = 0;
  for (uint32_t i = m->num_func_imports; i < m->num_funcs && i < d->num_funcs; i++) {
    if (!d->typed[i] || (only && !only[i])) continue; /* not in this library: stays interpreted */
    isthmus_func *f = inst->funcs[i];
    if (f->host) continue;
    aot_fref *r = &ai->frefs[i];
    r->typed = d->typed[i];
    r->tramp = d->tramp[i];
    r->env = &ai->env;
    f->host = aot_entry;
    f->env = r;
    n++;
  }
  return n;
}

bool aot_store_idle(const isthmus_store *s) {
  const aot_state *st = s->aot;
  return s->frame_top == 0 && (!st || !st->jmp);
}

uint32_t aot_instance_install(isthmus_instance *inst, aot_lib *lib, const uint8_t *subset) {
  aot_inst *ai = instance_env(inst);
  ai->libs = cmn_xrealloc(ai->libs, (ai->num_libs + 1) * sizeof *ai->libs);
  ai->libs[ai->num_libs++] = lib;
  return switch_funcs(ai, lib->desc, subset);
}

bool aot_func_compiled(const isthmus_func *f) { return f->inst && f->host == aot_entry; }

isthmus_error *aot_instance_attach(isthmus_instance *inst) {
  isthmus_store *s = inst->store;
  isthmus_module *m = inst->module;
  int tier = s->engine->cfg.tier;
  if (tier != ISTHMUS_TIER_AOT && tier != ISTHMUS_TIER_AUTO) return NULL;
  if (m->num_funcs == m->num_func_imports) return NULL; /* nothing to compile */
  if (tier == ISTHMUS_TIER_AUTO) {
    /* a whole-module object from an earlier run is used as is; else the functions start
     * interpreted and the hot ones are compiled in the background (aot_tierup.c) */
    aot_lib *lib = aot_module_lib_cached(m);
    if (lib) switch_funcs(instance_env(inst), lib->desc, NULL);
    return NULL;
  }
  isthmus_error *err = NULL;
  aot_lib *lib = aot_module_lib(m, &err);
  if (!lib) return err;
  switch_funcs(instance_env(inst), lib->desc, NULL);
  return NULL;
}
