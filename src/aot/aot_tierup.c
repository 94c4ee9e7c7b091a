/* aot_tierup.c — the AUTO tier: interpreted first, hot functions compiled in the background.
 *
 * Every call from the host into an interpreted function counts down isthmus_func.tierup (one
 * decrement on the call path, store.c). At zero, aot_tierup_hot claims the function and queues
 * a job for the one worker thread of the process, which picks a subset (the function and,
 * breadth-first, its direct callees that have run, within AOT_TIERUP_BUDGET bytes of wasm
 * code), translates
 * it in subset mode (calls leaving the subset go through env->funcs), compiles and loads it
 * (aot_subset_lib, cached like whole modules), and hands the library back. The owning thread
 * switches the subset's functions to it at the next safe point: a host → wasm entry (or
 * isthmus_store_wait_compiled) while no wasm frame of either tier is active on the store, so no
 * frame ever sees its function change tier under it, and the worker never touches a store.
 *
 * Lifetimes: a job holds a reference to the module and to the store's link (tu_store), never
 * to the store or the instance, which it names only as an identity. A store deleted with jobs
 * in flight marks its link dead; the worker drops those jobs and their libraries. The worker
 * is detached and blocks every signal: a process may exit with a compile in flight (its
 * temporary directory is swept by a later build, aot_driver.c). */
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <time.h>

#include "aot.h"
#include "instr.h"

typedef struct tu_inst {
  struct tu_inst *next;
  const isthmus_instance *inst; /* identity; dereferenced by the owning thread only */
  uint8_t *claimed;             /* in a batch (queued, compiling, in use or failed) */
} tu_inst;

typedef struct tu_store tu_store;

typedef struct tu_job {
  struct tu_job *next;
  tu_store *ts;
  tu_inst *ti;
  isthmus_instance *inst; /* owning thread only */
  isthmus_module *m;      /* retained until the compile is over */
  uint32_t root;
  aot_envcopy *env; /* the environment when the job was queued */
  bool log;         /* ISTHMUS_TIERUP_LOG */
  uint8_t *subset;  /* result: the functions compiled */
  aot_lib *lib;    /* result: NULL when the compile failed */
} tu_job;

/* The store's link with the worker; guarded by mu. */
struct tu_store {
  pthread_mutex_t mu;
  pthread_cond_t done; /* a job finished */
  int refs;            /* the store and each job */
  bool dead;           /* the store is gone */
  uint32_t pending;    /* jobs queued or compiling */
  tu_job *ready;       /* finished, waiting for a safe point */
  atomic_bool has_ready;
  tu_inst *insts;
};

static pthread_mutex_t q_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t q_cv = PTHREAD_COND_INITIALIZER;
static tu_job *q_head, **q_tail = &q_head;
static bool worker_running;
static atomic_bool no_compiler; /* a compile found no working compiler: stop asking */
static atomic_int warned;

/* ---------------------------------------------------------------- references */

static void store_link_release(tu_store *ts) {
  pthread_mutex_lock(&ts->mu);
  bool last = --ts->refs == 0;
  pthread_mutex_unlock(&ts->mu);
  if (!last) return;
  for (tu_inst *ti = ts->insts, *n; ti; ti = n) {
    n = ti->next;
    free(ti->claimed);
    free(ti);
  }
  pthread_mutex_destroy(&ts->mu);
  pthread_cond_destroy(&ts->done);
  free(ts);
}

static void job_free(tu_job *j) {
  aot_lib_free(j->lib);
  aot_envcopy_free(j->env);
  free(j->subset);
  free(j);
}

static tu_store *store_link(isthmus_store *s) {
  if (s->tierup) return s->tierup;
  tu_store *ts = cmn_xcalloc(1, sizeof *ts);
  pthread_mutex_init(&ts->mu, NULL);
  pthread_condattr_t ca;
  pthread_condattr_init(&ca);
  pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
  pthread_cond_init(&ts->done, &ca);
  pthread_condattr_destroy(&ca);
  ts->refs = 1;
  s->tierup = ts;
  return ts;
}

/* Under ts->mu. */
static tu_inst *inst_link(tu_store *ts, const isthmus_instance *inst) {
  for (tu_inst *ti = ts->insts; ti; ti = ti->next)
    if (ti->inst == inst) return ti;
  tu_inst *ti = cmn_xcalloc(1, sizeof *ti);
  ti->inst = inst;
  ti->claimed = cmn_xcalloc(inst->module->num_funcs + 1, 1);
  ti->next = ts->insts;
  ts->insts = ti;
  return ti;
}

void aot_tierup_store_free(isthmus_store *s) {
  tu_store *ts = s->tierup;
  if (!ts) return;
  s->tierup = NULL;
  pthread_mutex_lock(&ts->mu);
  ts->dead = true;
  tu_job *r = ts->ready;
  ts->ready = NULL;
  pthread_mutex_unlock(&ts->mu);
  while (r) {
    tu_job *n = r->next;
    job_free(r);
    r = n;
  }
  store_link_release(ts);
}

/* ---------------------------------------------------------------- the worker */

static uint32_t body_size(const isthmus_module *m, uint32_t i) {
  return m->funcs[i].code_end - m->funcs[i].body_off;
}

/* Whether function i has run: the interpreter lowers a function at its first call. */
static bool has_run(const isthmus_module *m, uint32_t i) {
  return atomic_load_explicit(&m->funcs[i].lowered, memory_order_acquire) != NULL;
}

/* The root and, breadth-first, its direct callees that have run and are not claimed by
 * another batch, as long as their bodies fit the budget (a callee that does not fit is
 * skipped, a smaller one may). Code that has never run (error paths, the runtime's rare
 * cases) stays out: it would fill the budget and lengthen the compile; it stays interpreted
 * and gets a batch of its own if it gets hot. */
static uint8_t *pick_subset(const isthmus_module *m, uint32_t root, const uint8_t *claimed) {
  uint32_t nf = m->num_funcs, imports = m->num_func_imports;
  uint8_t *in = cmn_xcalloc(nf + 1, 1), *seen = cmn_xcalloc(nf + 1, 1);
  uint32_t *queue = cmn_xcalloc(nf + 1, sizeof(uint32_t)), qh = 0, qt = 0;
  uint64_t total = body_size(m, root);
  in[root] = seen[root] = 1;
  queue[qt++] = root;
  bin_u32vec labels = {0};
  while (qh < qt) {
    const bin_func *fn = &m->funcs[queue[qh++]];
    bin_reader r = {m->bytes, m->bytes + fn->code_off, m->bytes + fn->code_end, NULL, 0};
    bin_instr in_;
    while (r.p < r.end && !r.err && bin_read_instr(&r, &labels, &in_)) {
      if (in_.op != BIN_OP_CALL) continue;
      uint32_t c = in_.i1;
      if (c < imports || c >= nf || seen[c]) continue;
      seen[c] = 1;
      if (claimed[c] || !has_run(m, c) || total + body_size(m, c) > AOT_TIERUP_BUDGET) continue;
      total += body_size(m, c);
      in[c] = 1;
      queue[qt++] = c;
    }
  }
  cmn_vec_free(labels);
  free(seen);
  free(queue);
  return in;
}

static void warn_once(const char *msg) {
  if (atomic_fetch_add(&warned, 1) == 0)
    fprintf(stderr,
            "isthmus: warning: AOT tier-up unavailable, functions stay interpreted: %s "
            "(ISTHMUS_TIER=interp runs interpreted without trying)\n",
            msg);
}

static tu_job *running; /* the job the worker runs (under q_mu), for fork */

static void run_job(tu_job *j) {
  tu_store *ts = j->ts;
  pthread_mutex_lock(&ts->mu);
  bool dead = ts->dead;
  uint8_t *claimed = NULL;
  if (!dead) {
    uint32_t nf = j->m->num_funcs;
    claimed = cmn_xmalloc(nf + 1);
    memcpy(claimed, j->ti->claimed, nf + 1);
  }
  pthread_mutex_unlock(&ts->mu);
  if (!dead) {
    j->subset = pick_subset(j->m, j->root, claimed);
    free(claimed);
    pthread_mutex_lock(&ts->mu); /* later requests leave these functions to this batch */
    for (uint32_t i = 0; i < j->m->num_funcs; i++)
      if (j->subset[i]) j->ti->claimed[i] = 1;
    pthread_mutex_unlock(&ts->mu);
    isthmus_error *err = NULL;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);
    j->lib = atomic_load(&no_compiler) ? NULL : aot_subset_lib(j->m, j->subset, j->env, &err);
    clock_gettime(CLOCK_MONOTONIC, &t1);
    if (j->log) {
      uint32_t count = 0, bytes = 0;
      for (uint32_t i = j->m->num_func_imports; i < j->m->num_funcs; i++)
        if (j->subset[i]) count++, bytes += body_size(j->m, i);
      const char *name = j->m->func_names ? j->m->func_names[j->root] : NULL;
      fprintf(stderr, "isthmus: tier-up: %s (function %u): %u functions, %u bytes of wasm, %s in %.1f ms\n",
              name ? name : "?", j->root, count, bytes, j->lib ? "compiled or loaded" : "failed",
              (double)(t1.tv_sec - t0.tv_sec) * 1e3 + (double)(t1.tv_nsec - t0.tv_nsec) / 1e6);
    }
    if (err) {
      const char *msg = isthmus_error_message(err);
      if (strstr(msg, "no working C compiler") || strstr(msg, "cannot run the C compiler"))
        atomic_store(&no_compiler, true);
      warn_once(msg);
      isthmus_error_delete(err);
    }
  }
  isthmus_module_delete(j->m); /* the instance keeps its own reference */
  j->m = NULL;
  pthread_mutex_lock(&ts->mu);
  pthread_mutex_lock(&q_mu); /* from here on a fork's child must not abandon j (see fork_child) */
  running = NULL;
  pthread_mutex_unlock(&q_mu);
  ts->pending--;
  if (ts->dead) {
    dead = true;
  } else {
    j->next = ts->ready;
    ts->ready = j;
    atomic_store_explicit(&ts->has_ready, true, memory_order_release);
  }
  pthread_cond_broadcast(&ts->done);
  pthread_mutex_unlock(&ts->mu);
  if (dead) job_free(j);
  store_link_release(ts);
}

static void *worker(void *arg) {
  (void)arg;
  for (;;) {
    pthread_mutex_lock(&q_mu);
    while (!q_head) pthread_cond_wait(&q_cv, &q_mu);
    tu_job *j = q_head;
    q_head = j->next;
    if (!q_head) q_tail = &q_head;
    running = j;
    pthread_mutex_unlock(&q_mu);
    j->next = NULL;
    run_job(j);
  }
  return NULL;
}

/* fork(): the child has no worker. Jobs queued or running in the parent are abandoned in the
 * child (their functions stay interpreted there, their stores stop waiting for them) and the
 * child starts a worker of its own when it needs one. q_mu is held across the fork, so the
 * queue is consistent; a store's mutex is held by the worker only for a few instructions and
 * is re-made in the child. */
static void fork_prepare(void) { pthread_mutex_lock(&q_mu); }
static void fork_parent(void) { pthread_mutex_unlock(&q_mu); }
static void abandon(tu_job *j) {
  tu_store *ts = j->ts;
  pthread_mutex_init(&ts->mu, NULL);
  if (ts->pending) ts->pending--;
}
static void fork_child(void) {
  if (running) abandon(running);
  for (tu_job *j = q_head; j; j = j->next) abandon(j);
  running = NULL;
  q_head = NULL;
  q_tail = &q_head;
  worker_running = false;
  pthread_mutex_init(&q_mu, NULL);
  pthread_cond_init(&q_cv, NULL);
}

/* Under q_mu. Signals stay with the embedding program's threads (Ctrl-C above all). */
static bool start_worker(void) {
  if (worker_running) return true;
  static bool atfork;
  if (!atfork) atfork = pthread_atfork(fork_prepare, fork_parent, fork_child) == 0;
  sigset_t all, old;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &old);
  pthread_attr_t a;
  pthread_attr_init(&a);
  pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
  pthread_t t;
  worker_running = pthread_create(&t, &a, worker, NULL) == 0;
  pthread_attr_destroy(&a);
  pthread_sigmask(SIG_SETMASK, &old, NULL);
  return worker_running;
}

/* ---------------------------------------------------------------- the owning thread */

/* Switches every finished batch in if the store is at a safe point; whether it could. One
 * atomic load while compiles run: the worker sets has_ready with each result. */
static bool install_ready(isthmus_store *s, tu_store *ts) {
  if (!atomic_load_explicit(&ts->has_ready, memory_order_acquire) || !aot_store_idle(s)) return false;
  pthread_mutex_lock(&ts->mu);
  tu_job *r = ts->ready;
  ts->ready = NULL;
  atomic_store_explicit(&ts->has_ready, false, memory_order_relaxed);
  pthread_mutex_unlock(&ts->mu);
  while (r) {
    tu_job *n = r->next;
    if (r->lib) {
      aot_instance_install(r->inst, r->lib, r->subset);
      r->lib = NULL; /* the instance owns it now */
    }
    job_free(r);
    r = n;
  }
  return true;
}

void aot_tierup_poll(isthmus_store *s) {
  tu_store *ts = s->tierup;
  if (!ts) {
    s->tierup_poll = false;
    return;
  }
  if (!install_ready(s, ts)) return;
  pthread_mutex_lock(&ts->mu);
  s->tierup_poll = ts->pending || ts->ready;
  pthread_mutex_unlock(&ts->mu);
}

bool aot_tierup_hot(isthmus_store *s, isthmus_func *f) {
  if (s->engine->cfg.tier != ISTHMUS_TIER_AUTO || !f->inst) {
    f->tierup = UINT32_MAX;
    return false;
  }
  tu_store *ts = store_link(s);
  if (install_ready(s, ts) && f->host) return true;
  bool queue = false;
  pthread_mutex_lock(&ts->mu);
  tu_inst *ti = inst_link(ts, f->inst);
  if (!ti->claimed[f->index] && !atomic_load(&no_compiler)) {
    ti->claimed[f->index] = 1;
    ts->pending++;
    ts->refs++;
    queue = true;
  }
  /* keep looking while a batch that may hold f is on its way, else stop counting f */
  f->tierup = queue || ts->pending || ts->ready ? AOT_TIERUP_POLL : UINT32_MAX;
  pthread_mutex_unlock(&ts->mu);
  if (!queue) return false;
  s->tierup_poll = true;
  tu_job *j = cmn_xcalloc(1, sizeof *j);
  j->ts = ts;
  j->ti = ti;
  j->inst = f->inst;
  j->m = f->inst->module;
  rt_module_retain(j->m);
  j->root = f->index;
  j->env = aot_envcopy_take();
  const char *log = getenv("ISTHMUS_TIERUP_LOG");
  j->log = log && *log && *log != '0';
  pthread_mutex_lock(&q_mu);
  bool ok = start_worker();
  if (ok) {
    *q_tail = j;
    q_tail = &j->next;
    pthread_cond_signal(&q_cv);
  }
  pthread_mutex_unlock(&q_mu);
  if (!ok) { /* no thread: as if the compile had failed */
    warn_once("cannot start the background compiler thread");
    atomic_store(&no_compiler, true);
    pthread_mutex_lock(&ts->mu);
    ts->pending--;
    ts->refs--;
    pthread_mutex_unlock(&ts->mu);
    isthmus_module_delete(j->m);
    job_free(j);
  }
  return false;
}

/* ---------------------------------------------------------------- public API */

uint32_t isthmus_store_wait_compiled(isthmus_store *s, int64_t timeout_ms) {
  if (!s || !s->tierup) return 0;
  tu_store *ts = s->tierup;
  struct timespec until;
  clock_gettime(CLOCK_MONOTONIC, &until);
  if (timeout_ms > 0) {
    until.tv_sec += timeout_ms / 1000;
    until.tv_nsec += (long)(timeout_ms % 1000) * 1000000L;
    if (until.tv_nsec >= 1000000000L) {
      until.tv_sec++;
      until.tv_nsec -= 1000000000L;
    }
  }
  pthread_mutex_lock(&ts->mu);
  while (ts->pending && timeout_ms != 0) {
    if (timeout_ms < 0) pthread_cond_wait(&ts->done, &ts->mu);
    else if (pthread_cond_timedwait(&ts->done, &ts->mu, &until) != 0) break;
  }
  pthread_mutex_unlock(&ts->mu);
  install_ready(s, ts);
  pthread_mutex_lock(&ts->mu);
  uint32_t left = ts->pending;
  pthread_mutex_unlock(&ts->mu);
  return left;
}

isthmus_tier isthmus_func_tier(const isthmus_func *f) {
  if (!f || !f->inst) return ISTHMUS_TIER_DEFAULT;
  return aot_func_compiled(f) ? ISTHMUS_TIER_AOT : ISTHMUS_TIER_INTERP;
}
